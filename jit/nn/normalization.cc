// Copyright ptser authors.
#include "jit/nn/normalization.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/ops/normalization.h"
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

std::optional<Tensor> Optional(const Tensor* t) {
  return t != nullptr ? std::optional<Tensor>(*t) : std::nullopt;
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
  return ptser::LayerNorm(x, shape_, Optional(w), Optional(b), eps_);
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
  return ptser::GroupNorm(x, groups_, Optional(w), Optional(b), eps_);
}

}  // namespace ptser::nn
