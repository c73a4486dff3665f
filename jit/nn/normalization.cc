// Copyright ptser authors.
#include "jit/nn/normalization.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser::nn {
namespace {

absl::Status CheckFloating(const Tensor& x, const std::string& name) {
  if (x.dtype() != ScalarType::kFloat && x.dtype() != ScalarType::kDouble) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": float32 and float64 inputs are supported, not ", DtypeRepr(x.dtype())));
  }
  return absl::OkStatus();
}

absl::Status CheckSameDtype(const Tensor& x, const Tensor* t, const std::string& name) {
  if (t != nullptr && t->dtype() != x.dtype()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": expected input of dtype ", DtypeRepr(t->dtype()), ", got ", DtypeRepr(x.dtype()),
        " (call To(dtype) on the module)"));
  }
  return absl::OkStatus();
}

// Normalises `rows` rows of `len` elements each: y = (x - mean) / sqrt(var +
// eps); then, per element j of a row (LayerNorm) or per channel (GroupNorm,
// through `affine_index`), y * w + b.
template <typename T, typename AffineIndex>
void NormalizeRows(const T* x, T* y, int64_t rows, int64_t len, double eps, const T* w,
                   const T* b, AffineIndex affine_index) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = x + r * len;
    T* out = y + r * len;
    double sum = 0;
    for (int64_t j = 0; j < len; ++j) sum += in[j];
    const double mean = len > 0 ? sum / len : 0;
    double sq = 0;
    for (int64_t j = 0; j < len; ++j) sq += (in[j] - mean) * (in[j] - mean);
    const double invstd = 1 / std::sqrt((len > 0 ? sq / len : 0) + eps);
    for (int64_t j = 0; j < len; ++j) {
      const int64_t a = affine_index(r, j);
      const double v = (in[j] - mean) * invstd;
      out[j] = static_cast<T>(v * (w != nullptr ? static_cast<double>(w[a]) : 1.0) +
                              (b != nullptr ? static_cast<double>(b[a]) : 0.0));
    }
  }
}

// `weight` (ones) and `bias` (zeros) of `shape`, or both None.
absl::Status RegisterAffine(Module& m, const std::vector<int64_t>& shape, bool affine,
                            ScalarType dtype) {
  if (!affine) {
    PTSER_RETURN_IF_ERROR(m.RegisterParameter("weight", std::nullopt));
    return m.RegisterParameter("bias", std::nullopt);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor w, Ones(shape, dtype));
  PTSER_ASSIGN_OR_RETURN(Tensor b, Zeros(shape, dtype));
  PTSER_RETURN_IF_ERROR(m.RegisterParameter("weight", w));
  return m.RegisterParameter("bias", b);
}

template <typename T>
const T* Data(const Tensor* t) {
  return t != nullptr ? static_cast<const T*>(t->data()) : nullptr;
}

}  // namespace

absl::StatusOr<std::shared_ptr<LayerNorm>> LayerNorm::Make(std::vector<int64_t> shape, double eps,
                                                           bool affine, ScalarType dtype) {
  std::shared_ptr<LayerNorm> m(new LayerNorm(shape, eps));
  PTSER_RETURN_IF_ERROR(RegisterAffine(*m, shape, affine, dtype));
  return m;
}

absl::StatusOr<Tensor> LayerNorm::Forward(const Tensor& x) {
  PTSER_RETURN_IF_ERROR(CheckFloating(x, type_name()));
  const int64_t nd = static_cast<int64_t>(shape_.size());
  bool ok = x.dim() >= nd;
  for (int64_t d = 0; ok && d < nd; ++d) ok = x.sizes()[x.dim() - nd + d] == shape_[d];
  if (!ok) {
    std::vector<int64_t> sizes = x.sizes();
    return absl::InvalidArgumentError(absl::StrCat(
        "Given normalized_shape=", ShapeToString(shape_), ", expected input with shape [*, ",
        absl::StrJoin(shape_, ", "), "], but got input of size", ShapeToString(sizes)));
  }
  const Tensor* w = FindParameter("weight");
  const Tensor* b = FindParameter("bias");
  PTSER_RETURN_IF_ERROR(CheckSameDtype(x, w, type_name()));
  PTSER_RETURN_IF_ERROR(CheckSameDtype(x, b, type_name()));
  int64_t len = 1;
  for (int64_t s : shape_) len *= s;
  const int64_t rows = len == 0 ? 0 : x.numel() / len;
  PTSER_ASSIGN_OR_RETURN(Tensor in, Contiguous(x));
  PTSER_ASSIGN_OR_RETURN(Tensor out, EmptyLike(in));
  auto index = [](int64_t, int64_t j) { return j; };
  if (x.dtype() == ScalarType::kFloat) {
    NormalizeRows(static_cast<const float*>(in.data()), static_cast<float*>(out.mutable_data()),
                  rows, len, eps_, Data<float>(w), Data<float>(b), index);
  } else {
    NormalizeRows(static_cast<const double*>(in.data()), static_cast<double*>(out.mutable_data()),
                  rows, len, eps_, Data<double>(w), Data<double>(b), index);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<GroupNorm>> GroupNorm::Make(int64_t groups, int64_t channels,
                                                           double eps, bool affine,
                                                           ScalarType dtype) {
  if (groups <= 0 || channels % groups != 0) {
    return absl::InvalidArgumentError("num_channels must be divisible by num_groups");
  }
  std::shared_ptr<GroupNorm> m(new GroupNorm(groups, channels, eps));
  PTSER_RETURN_IF_ERROR(RegisterAffine(*m, {channels}, affine, dtype));
  return m;
}

absl::StatusOr<Tensor> GroupNorm::Forward(const Tensor& x) {
  PTSER_RETURN_IF_ERROR(CheckFloating(x, type_name()));
  if (x.dim() < 2 || x.sizes()[1] != channels_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected number of channels in input to be divisible by num_groups, but got input of "
        "shape ", ShapeToString(x.sizes()), " and num_groups=", groups_,
        " (the module has ", channels_, " channels)"));
  }
  const Tensor* w = FindParameter("weight");
  const Tensor* b = FindParameter("bias");
  PTSER_RETURN_IF_ERROR(CheckSameDtype(x, w, type_name()));
  PTSER_RETURN_IF_ERROR(CheckSameDtype(x, b, type_name()));
  int64_t spatial = 1;
  for (int64_t d = 2; d < x.dim(); ++d) spatial *= x.sizes()[d];
  const int64_t per_group = channels_ / groups_;
  const int64_t rows = x.sizes()[0] * groups_, len = per_group * spatial;
  PTSER_ASSIGN_OR_RETURN(Tensor in, Contiguous(x));
  PTSER_ASSIGN_OR_RETURN(Tensor out, EmptyLike(in));
  const int64_t groups = groups_;
  auto channel = [groups, per_group, spatial](int64_t row, int64_t j) {
    return (row % groups) * per_group + (spatial > 0 ? j / spatial : 0);
  };
  if (x.dtype() == ScalarType::kFloat) {
    NormalizeRows(static_cast<const float*>(in.data()), static_cast<float*>(out.mutable_data()),
                  rows, len, eps_, Data<float>(w), Data<float>(b), channel);
  } else {
    NormalizeRows(static_cast<const double*>(in.data()), static_cast<double*>(out.mutable_data()),
                  rows, len, eps_, Data<double>(w), Data<double>(b), channel);
  }
  return out;
}

}  // namespace ptser::nn
