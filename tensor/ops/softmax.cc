// Copyright ptser authors.
//
// tensor/ops/softmax.cc — softmax and log_softmax over rows (the last
// dimension) or over a middle dimension, a block of `inner` columns at a
// time.

#include "tensor/ops/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/views.h"

namespace ptser {
namespace {

template <typename T>
T MaxOf(T a, T b) {
  // NaN propagates.
  return std::isnan(a) || a > b ? a : b;
}

// Softmax of each of `rows` contiguous rows of `n`.
template <typename T>
void LastDim(const T* x, T* y, int64_t rows, int64_t n, bool log) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = x + r * n;
    T* out = y + r * n;
    T max = -std::numeric_limits<T>::infinity();
    for (int64_t k = 0; k < n; ++k) max = MaxOf(in[k], max);
    T sum = 0;
    if (log) {
      for (int64_t k = 0; k < n; ++k) sum += std::exp(in[k] - max);
      const T shift = std::log(sum);
      for (int64_t k = 0; k < n; ++k) out[k] = in[k] - max - shift;
    } else {
      for (int64_t k = 0; k < n; ++k) {
        out[k] = std::exp(in[k] - max);
        sum += out[k];
      }
      const T scale = T(1) / sum;
      for (int64_t k = 0; k < n; ++k) out[k] *= scale;
    }
  }
}

// Softmax along the middle of (outer, n, inner), all `inner` columns of a
// block together so the inner loops run over contiguous memory.
template <typename T>
void MiddleDim(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  std::vector<T> max(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    const T* in = x + o * n * inner;
    T* out = y + o * n * inner;
    std::fill(max.begin(), max.end(), -std::numeric_limits<T>::infinity());
    std::fill(sum.begin(), sum.end(), T(0));
    for (int64_t k = 0; k < n; ++k) {
      for (int64_t i = 0; i < inner; ++i) max[i] = MaxOf(in[k * inner + i], max[i]);
    }
    for (int64_t k = 0; k < n; ++k) {
      for (int64_t i = 0; i < inner; ++i) {
        const T e = std::exp(in[k * inner + i] - max[i]);
        if (!log) out[k * inner + i] = e;
        sum[i] += e;
      }
    }
    if (log) {
      for (int64_t i = 0; i < inner; ++i) sum[i] = std::log(sum[i]);
      for (int64_t k = 0; k < n; ++k) {
        for (int64_t i = 0; i < inner; ++i) {
          out[k * inner + i] = in[k * inner + i] - max[i] - sum[i];
        }
      }
    } else {
      for (int64_t i = 0; i < inner; ++i) sum[i] = T(1) / sum[i];
      for (int64_t k = 0; k < n; ++k) {
        for (int64_t i = 0; i < inner; ++i) out[k * inner + i] *= sum[i];
      }
    }
  }
}

absl::StatusOr<Tensor> SoftmaxImpl(const Tensor& self, int64_t dim,
                                   std::optional<ScalarType> dtype, bool log) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, self.dim()));
  const ScalarType t = dtype.value_or(self.dtype());
  const bool last = self.dim() == 0 || d == self.dim() - 1;
  if (t != ScalarType::kFloat && t != ScalarType::kDouble) {
    return UnsupportedDtypeError(
        last ? (log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl")
             : (log ? "log_softmax_kernel_impl" : "softmax_kernel_impl"),
        t);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, log ? "log_softmax" : "softmax"));
  PTSER_ASSIGN_OR_RETURN(in, ToDtype(in, t));
  PTSER_ASSIGN_OR_RETURN(in, Contiguous(in));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), t));
  // Nothing to normalize (and the sizes around a zero may multiply past
  // int64, or size MiddleDim's scratch).
  if (out.numel() == 0) return out;
  int64_t outer = 1, inner = 1;
  const int64_t n = self.dim() == 0 ? 1 : self.sizes()[d];
  for (int64_t k = 0; k < d; ++k) outer *= self.sizes()[k];
  for (int64_t k = d + 1; k < self.dim(); ++k) inner *= self.sizes()[k];
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* x = static_cast<const T*>(in.data());
    T* y = static_cast<T*>(out.mutable_data());
    if (inner == 1) {
      LastDim(x, y, outer, n, log);
    } else {
      MiddleDim(x, y, outer, n, inner, log);
    }
  };
  if (t == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else {
    run(static_cast<double*>(nullptr));
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> Softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return SoftmaxImpl(self, dim, dtype, false);
}

absl::StatusOr<Tensor> LogSoftmax(const Tensor& self, int64_t dim,
                                  std::optional<ScalarType> dtype) {
  return SoftmaxImpl(self, dim, dtype, true);
}

}  // namespace ptser
