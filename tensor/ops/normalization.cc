// Copyright ptser authors.
//
// tensor/ops/normalization.cc — batch, layer, group and instance norm.
//
// Every kernel reduces to: statistics per group of elements (double), then
// y = x * alpha + beta with alpha and beta per (sample, channel) or per
// position of the normalized shape, in the tensor's dtype.

#include "tensor/ops/normalization.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/parallel.h"
#include "tensor/ops/type_promotion.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

absl::Status CheckFloat(const Tensor& t, const char* op) {
  if (t.dtype() != ScalarType::kFloat && t.dtype() != ScalarType::kDouble) {
    return UnsupportedDtypeError(op, t.dtype());
  }
  return CheckReadable(t, op);
}

absl::Status CheckParam(const Tensor& input, const std::optional<Tensor>& p, const char* name,
                        const char* op) {
  if (!p) return absl::OkStatus();
  if (p->dtype() != input.dtype()) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, ": expected ", name, " to have dtype ", C10TypeName(input.dtype()), ", got ",
        C10TypeName(p->dtype())));
  }
  return CheckReadable(*p, op);
}

// Element i of the 1-D tensor `t` (any stride) as double; `fallback` when
// absent.
template <typename T>
double At(const std::optional<Tensor>& t, int64_t i, double fallback) {
  if (!t) return fallback;
  const char* p = static_cast<const char*>(t->data()) +
                  i * (t->dim() > 0 ? t->strides()[0] : 0) * static_cast<int64_t>(sizeof(T));
  return static_cast<double>(Load<T>(p));
}

template <typename T>
void SetAt(const Tensor& t, int64_t i, double v) {
  char* p = static_cast<char*>(t.mutable_data()) +
            i * (t.dim() > 0 ? t.strides()[0] : 0) * static_cast<int64_t>(sizeof(T));
  Store<T>(p, static_cast<T>(v));
}

// y[n, c, s] = x[n, c, s] * alpha[n * C + c] + beta[n * C + c] over
// contiguous (N, C, S) buffers.
template <typename T>
void AffinePlanes(const T* x, T* y, int64_t n, int64_t c, int64_t s, const std::vector<T>& alpha,
                  const std::vector<T>& beta) {
  // Planes over the threads (a batch norm of a 64 x 112 x 112 activation is
  // ~0.8 M multiply-adds).
  ParallelFor(n * c, std::max<int64_t>(1, 65536 / std::max<int64_t>(s, 1)),
              [&](int64_t i0, int64_t i1) {
                for (int64_t i = i0; i < i1; ++i) {
                  const T a = alpha[static_cast<size_t>(i)];
                  const T b = beta[static_cast<size_t>(i)];
                  const T* in = x + i * s;
                  T* out = y + i * s;
                  for (int64_t j = 0; j < s; ++j) out[j] = in[j] * a + b;
                }
              });
}

// Mean and biased variance of `count` elements spaced as (blocks of `len`
// contiguous elements, `blocks` of them `stride` apart), in double.
template <typename T>
void Moments(const T* x, int64_t blocks, int64_t len, int64_t stride, double* mean,
             double* m2) {
  double sum = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    const T* p = x + b * stride;
    for (int64_t j = 0; j < len; ++j) sum += static_cast<double>(p[j]);
  }
  const double count = static_cast<double>(blocks * len);
  const double mu = count > 0 ? sum / count : 0;
  double sq = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    const T* p = x + b * stride;
    for (int64_t j = 0; j < len; ++j) {
      const double d = static_cast<double>(p[j]) - mu;
      sq += d * d;
    }
  }
  *mean = mu;
  *m2 = sq;
}

// Runs body<T>() for the float dtype of `dtype`.
template <typename Body>
void ForFloat(ScalarType dtype, Body body) {
  if (dtype == ScalarType::kFloat) {
    body(static_cast<float*>(nullptr));
  } else {
    body(static_cast<double*>(nullptr));
  }
}

}  // namespace

absl::StatusOr<Tensor> BatchNorm(const Tensor& input, const std::optional<Tensor>& weight,
                                 const std::optional<Tensor>& bias,
                                 const std::optional<Tensor>& running_mean,
                                 const std::optional<Tensor>& running_var, bool training,
                                 double momentum, double eps) {
  PTSER_RETURN_IF_ERROR(CheckFloat(input, "batch_norm"));
  PTSER_ASSIGN_OR_RETURN(const int64_t channel_dim, WrapDim(1, input.dim(), false));
  (void)channel_dim;
  const int64_t n = input.sizes()[0], c = input.sizes()[1];
  const int64_t s = c == 0 || n == 0 ? 0 : input.numel() / (n * c);
  for (const auto& [p, name] : {std::make_pair(&weight, "weight"), std::make_pair(&bias, "bias"),
                                std::make_pair(&running_mean, "running_mean"),
                                std::make_pair(&running_var, "running_var")}) {
    if (*p && (*p)->numel() != c) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " should contain ", c, " elements not ", (*p)->numel()));
    }
    PTSER_RETURN_IF_ERROR(CheckParam(input, *p, name, "batch_norm"));
  }
  const bool use_batch_stats = training || (!running_mean && !running_var);
  if (!use_batch_stats && !running_mean) {
    return absl::InvalidArgumentError("running_mean must be defined in evaluation mode");
  }
  if (!use_batch_stats && !running_var) {
    return absl::InvalidArgumentError("running_var must be defined in evaluation mode");
  }
  if (training) {
    for (const std::optional<Tensor>* r : {&running_mean, &running_var}) {
      if (*r) PTSER_RETURN_IF_ERROR(CheckWritable(**r, "batch_norm"));
    }
  }
  PTSER_ASSIGN_OR_RETURN(Tensor x, Contiguous(input));
  PTSER_ASSIGN_OR_RETURN(Tensor y, AllocateTensor(input.sizes(), input.dtype()));
  // An empty input gives an empty output; its per-(sample, channel) tables
  // would be sized by n * c, which a zero-size tensor can make 2^62.
  if (input.numel() == 0) return y;
  ForFloat(input.dtype(), [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* px = static_cast<const T*>(x.data());
    std::vector<T> alpha(static_cast<size_t>(n * c)), beta(static_cast<size_t>(n * c));
    for (int64_t ch = 0; ch < c; ++ch) {
      T mean, invstd;
      if (use_batch_stats) {
        double mu = 0, m2 = 0;
        Moments(px + ch * s, n, s, c * s, &mu, &m2);
        const double count = static_cast<double>(n * s);
        mean = static_cast<T>(mu);
        invstd = static_cast<T>(1.0 / std::sqrt(m2 / count + eps));
        if (training && running_mean) {
          SetAt<T>(*running_mean, ch,
                   momentum * mu + (1 - momentum) * At<T>(running_mean, ch, 0));
        }
        if (training && running_var) {
          const double unbiased = m2 / (count - 1);
          SetAt<T>(*running_var, ch,
                   momentum * unbiased + (1 - momentum) * At<T>(running_var, ch, 1));
        }
      } else {
        mean = static_cast<T>(At<T>(running_mean, ch, 0));
        invstd = T(1) / std::sqrt(static_cast<T>(At<T>(running_var, ch, 1)) + static_cast<T>(eps));
      }
      const T a = invstd * static_cast<T>(At<T>(weight, ch, 1));
      const T b = static_cast<T>(At<T>(bias, ch, 0)) - mean * a;
      for (int64_t i = 0; i < n; ++i) {
        alpha[static_cast<size_t>(i * c + ch)] = a;
        beta[static_cast<size_t>(i * c + ch)] = b;
      }
    }
    AffinePlanes(px, static_cast<T*>(y.mutable_data()), n, c, s, alpha, beta);
  });
  return y;
}

absl::StatusOr<std::pair<Tensor, Tensor>> BatchNormEvalScaleShift(
    const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
    const Tensor& running_mean, const Tensor& running_var, double eps) {
  PTSER_RETURN_IF_ERROR(CheckFloat(running_mean, "batch_norm"));
  const int64_t c = running_mean.numel();
  if (running_mean.dim() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch_norm: running_mean must be 1-D, got size ", ShapeToString(running_mean.sizes())));
  }
  for (const auto& [p, name] : {std::make_pair(&weight, "weight"), std::make_pair(&bias, "bias")}) {
    if (*p && (*p)->numel() != c) {
      return absl::InvalidArgumentError(absl::StrCat(name, " should contain ", c, " elements not ",
                                                     (*p)->numel()));
    }
    PTSER_RETURN_IF_ERROR(CheckParam(running_mean, *p, name, "batch_norm"));
  }
  if (running_var.numel() != c) {
    return absl::InvalidArgumentError(absl::StrCat("running_var should contain ", c,
                                                   " elements not ", running_var.numel()));
  }
  PTSER_RETURN_IF_ERROR(CheckParam(running_mean, running_var, "running_var", "batch_norm"));
  PTSER_ASSIGN_OR_RETURN(Tensor scale, AllocateTensor({c}, running_mean.dtype()));
  PTSER_ASSIGN_OR_RETURN(Tensor shift, AllocateTensor({c}, running_mean.dtype()));
  const std::optional<Tensor> mean = running_mean, var = running_var;
  ForFloat(running_mean.dtype(), [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    T* ps = static_cast<T*>(scale.mutable_data());
    T* pb = static_cast<T*>(shift.mutable_data());
    for (int64_t ch = 0; ch < c; ++ch) {
      // BatchNorm's evaluation-mode expressions, operation for operation.
      const T m = static_cast<T>(At<T>(mean, ch, 0));
      const T invstd = T(1) / std::sqrt(static_cast<T>(At<T>(var, ch, 1)) + static_cast<T>(eps));
      const T a = invstd * static_cast<T>(At<T>(weight, ch, 1));
      ps[ch] = a;
      pb[ch] = static_cast<T>(At<T>(bias, ch, 0)) - m * a;
    }
  });
  return std::make_pair(scale, shift);
}

absl::StatusOr<Tensor> LayerNorm(const Tensor& input, absl::Span<const int64_t> normalized_shape,
                                 const std::optional<Tensor>& weight,
                                 const std::optional<Tensor>& bias, double eps) {
  PTSER_RETURN_IF_ERROR(CheckFloat(input, "layer_norm"));
  const int64_t nd = static_cast<int64_t>(normalized_shape.size());
  if (nd == 0) {
    return absl::InvalidArgumentError(
        "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
        "element, but got normalized_shape = []");
  }
  for (const auto& [p, name] : {std::make_pair(&weight, "weight"), std::make_pair(&bias, "bias")}) {
    if (*p && (*p)->sizes() != std::vector<int64_t>(normalized_shape.begin(),
                                                      normalized_shape.end())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Expected ", name, " to be of same shape as normalized_shape, but got ", name,
          " of shape ", ShapeToString((*p)->sizes()), " and normalized_shape = ",
          ShapeToString(normalized_shape)));
    }
    PTSER_RETURN_IF_ERROR(CheckParam(input, *p, name, "layer_norm"));
  }
  bool ok = input.dim() >= nd;
  for (int64_t d = 0; ok && d < nd; ++d) {
    ok = input.sizes()[input.dim() - nd + d] == normalized_shape[d];
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given normalized_shape=", ShapeToString(normalized_shape),
        ", expected input with shape [*, ", absl::StrJoin(normalized_shape, ", "),
        "], but got input of size", ShapeToString(input.sizes())));
  }
  int64_t len = 1;
  for (int64_t v : normalized_shape) len *= v;
  const int64_t rows = len == 0 ? 0 : input.numel() / len;
  PTSER_ASSIGN_OR_RETURN(Tensor x, Contiguous(input));
  PTSER_ASSIGN_OR_RETURN(Tensor y, AllocateTensor(input.sizes(), input.dtype()));
  std::optional<Tensor> w, b;
  if (weight) {
    PTSER_ASSIGN_OR_RETURN(w, Contiguous(*weight));
  }
  if (bias) {
    PTSER_ASSIGN_OR_RETURN(b, Contiguous(*bias));
  }
  ForFloat(input.dtype(), [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* px = static_cast<const T*>(x.data());
    T* py = static_cast<T*>(y.mutable_data());
    const T* pw = w ? static_cast<const T*>(w->data()) : nullptr;
    const T* pb = b ? static_cast<const T*>(b->data()) : nullptr;
    for (int64_t r = 0; r < rows; ++r) {
      double mu = 0, m2 = 0;
      Moments(px + r * len, 1, len, len, &mu, &m2);
      const T rstd = T(1) / std::sqrt(static_cast<T>(m2 / static_cast<double>(len)) +
                                      static_cast<T>(eps));
      const T scale = rstd;
      const T shift = -rstd * static_cast<T>(mu);
      const T* in = px + r * len;
      T* out = py + r * len;
      if (pw != nullptr && pb != nullptr) {
        for (int64_t j = 0; j < len; ++j) out[j] = (in[j] * scale + shift) * pw[j] + pb[j];
      } else {
        for (int64_t j = 0; j < len; ++j) {
          T v = in[j] * scale + shift;
          if (pw != nullptr) v *= pw[j];
          if (pb != nullptr) v += pb[j];
          out[j] = v;
        }
      }
    }
  });
  return y;
}

absl::StatusOr<Tensor> GroupNorm(const Tensor& input, int64_t num_groups,
                                 const std::optional<Tensor>& weight,
                                 const std::optional<Tensor>& bias, double eps) {
  PTSER_RETURN_IF_ERROR(CheckFloat(input, "group_norm"));
  if (input.dim() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected at least 2 dimensions for input tensor but received ", input.dim()));
  }
  const int64_t n = input.sizes()[0], c = input.sizes()[1];
  if (num_groups <= 0 || c % num_groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected number of channels in input to be divisible by num_groups, but got input of "
        "shape ",
        ShapeToString(input.sizes()), " and num_groups=", num_groups));
  }
  for (const auto& [p, name] : {std::make_pair(&weight, "weight"), std::make_pair(&bias, "bias")}) {
    if (*p && ((*p)->dim() != 1 || (*p)->numel() != c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Expected ", name, " to be a vector of size equal to the number of channels in input, "
          "but got ", name, " of shape ", ShapeToString((*p)->sizes()), " and input of shape ",
          ShapeToString(input.sizes())));
    }
    PTSER_RETURN_IF_ERROR(CheckParam(input, *p, name, "group_norm"));
  }
  const int64_t s = n * c == 0 ? 0 : input.numel() / (n * c);
  const int64_t per_group = c / num_groups;
  PTSER_ASSIGN_OR_RETURN(Tensor x, Contiguous(input));
  PTSER_ASSIGN_OR_RETURN(Tensor y, AllocateTensor(input.sizes(), input.dtype()));
  // An empty input gives an empty output; its per-(sample, channel) tables
  // would be sized by n * c, which a zero-size tensor can make 2^62.
  if (input.numel() == 0) return y;
  ForFloat(input.dtype(), [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* px = static_cast<const T*>(x.data());
    std::vector<T> alpha(static_cast<size_t>(n * c)), beta(static_cast<size_t>(n * c));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t g = 0; g < num_groups; ++g) {
        double mu = 0, m2 = 0;
        const int64_t len = per_group * s;
        Moments(px + (i * c + g * per_group) * s, 1, len, len, &mu, &m2);
        const T rstd = static_cast<T>(1.0 / std::sqrt(len > 0 ? m2 / static_cast<double>(len) + eps
                                                              : eps));
        for (int64_t k = 0; k < per_group; ++k) {
          const int64_t ch = g * per_group + k;
          const T a = rstd * static_cast<T>(At<T>(weight, ch, 1));
          alpha[static_cast<size_t>(i * c + ch)] = a;
          beta[static_cast<size_t>(i * c + ch)] =
              -a * static_cast<T>(mu) + static_cast<T>(At<T>(bias, ch, 0));
        }
      }
    }
    AffinePlanes(px, static_cast<T*>(y.mutable_data()), n, c, s, alpha, beta);
  });
  return y;
}

absl::StatusOr<Tensor> InstanceNorm(const Tensor& input, const std::optional<Tensor>& weight,
                                    const std::optional<Tensor>& bias,
                                    const std::optional<Tensor>& running_mean,
                                    const std::optional<Tensor>& running_var,
                                    bool use_input_stats, double momentum, double eps) {
  PTSER_RETURN_IF_ERROR(CheckFloat(input, "instance_norm"));
  if (input.dim() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected at least 2 dimensions for input tensor but received ", input.dim()));
  }
  const int64_t n = input.sizes()[0], c = input.sizes()[1];
  for (const auto& [p, name] : {std::make_pair(&weight, "weight"), std::make_pair(&bias, "bias"),
                                std::make_pair(&running_mean, "running_mean"),
                                std::make_pair(&running_var, "running_var")}) {
    if (*p && (*p)->numel() != c) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " should contain ", c, " elements not ", (*p)->numel()));
    }
    PTSER_RETURN_IF_ERROR(CheckParam(input, *p, name, "instance_norm"));
  }
  if (!use_input_stats && (!running_mean || !running_var)) {
    return absl::InvalidArgumentError(
        "Expected running_mean and running_var to be defined when use_input_stats is false");
  }
  const int64_t s = n * c == 0 ? 0 : input.numel() / (n * c);
  PTSER_ASSIGN_OR_RETURN(Tensor x, Contiguous(input));
  PTSER_ASSIGN_OR_RETURN(Tensor y, AllocateTensor(input.sizes(), input.dtype()));
  // An empty input gives an empty output; its per-(sample, channel) tables
  // would be sized by n * c, which a zero-size tensor can make 2^62.
  if (input.numel() == 0) return y;
  ForFloat(input.dtype(), [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* px = static_cast<const T*>(x.data());
    std::vector<T> alpha(static_cast<size_t>(n * c)), beta(static_cast<size_t>(n * c));
    std::vector<double> mean_sum(static_cast<size_t>(c), 0), var_sum(static_cast<size_t>(c), 0);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) {
        T mean, invstd;
        if (use_input_stats) {
          double mu = 0, m2 = 0;
          Moments(px + (i * c + ch) * s, 1, s, s, &mu, &m2);
          mean = static_cast<T>(mu);
          invstd = static_cast<T>(1.0 / std::sqrt(m2 / static_cast<double>(s) + eps));
          mean_sum[static_cast<size_t>(ch)] += mu;
          var_sum[static_cast<size_t>(ch)] += m2 / static_cast<double>(s - 1);
        } else {
          mean = static_cast<T>(At<T>(running_mean, ch, 0));
          invstd = T(1) / std::sqrt(static_cast<T>(At<T>(running_var, ch, 1)) + static_cast<T>(eps));
        }
        const T a = invstd * static_cast<T>(At<T>(weight, ch, 1));
        alpha[static_cast<size_t>(i * c + ch)] = a;
        beta[static_cast<size_t>(i * c + ch)] = static_cast<T>(At<T>(bias, ch, 0)) - mean * a;
      }
    }
    if (use_input_stats) {
      for (int64_t ch = 0; ch < c; ++ch) {
        if (running_mean) {
          SetAt<T>(*running_mean, ch,
                   momentum * mean_sum[ch] / static_cast<double>(n) +
                       (1 - momentum) * At<T>(running_mean, ch, 0));
        }
        if (running_var) {
          SetAt<T>(*running_var, ch,
                   momentum * var_sum[ch] / static_cast<double>(n) +
                       (1 - momentum) * At<T>(running_var, ch, 1));
        }
      }
    }
    AffinePlanes(px, static_cast<T*>(y.mutable_data()), n, c, s, alpha, beta);
  });
  return y;
}

}  // namespace ptser
