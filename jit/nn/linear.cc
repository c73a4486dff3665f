// Copyright ptser authors.
#include "jit/nn/linear.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/nn/init.h"
#include "tensor/factories.h"
#include "tensor/ops/linalg.h"

namespace ptser::nn {

absl::StatusOr<std::shared_ptr<Linear>> Linear::Make(int64_t in_features, int64_t out_features,
                                                     bool bias, ScalarType dtype) {
  if (in_features < 0 || out_features < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Linear: Trying to create tensor with negative dimension (in_features=", in_features,
        ", out_features=", out_features, ")"));
  }
  std::shared_ptr<Linear> m(new Linear(in_features, out_features));
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Empty({out_features, in_features}, dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("weight", weight));
  std::optional<Tensor> b;
  if (bias) {
    PTSER_ASSIGN_OR_RETURN(b, Empty({out_features}, dtype));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", *b));
  } else {
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", std::nullopt));
  }
  PTSER_RETURN_IF_ERROR(init::ResetWeightAndBias(weight, b ? &*b : nullptr));
  return m;
}

absl::StatusOr<Tensor> Linear::Forward(const Tensor& x) {
  const Tensor* weight = FindParameter("weight");
  if (weight == nullptr) return Parameter("weight").status();
  const Tensor* bias = FindParameter("bias");
  // tensor/ops' Linear: the bias rows then the blocked product, for dense
  // float operands.
  return ptser::Linear(x, *weight, bias ? std::optional<Tensor>(*bias) : std::nullopt);
}

}  // namespace ptser::nn
