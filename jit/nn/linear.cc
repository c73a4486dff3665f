// Copyright ptser authors.
#include "jit/nn/linear.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/nn/init.h"
#include "tensor/factories.h"
#include "tensor/ops/internal/gemm.h"
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
  const ScalarType dt = weight->dtype();
  const bool fast = (dt == ScalarType::kFloat || dt == ScalarType::kDouble) && x.dtype() == dt &&
                    x.dim() >= 1 && x.sizes().back() == in_features_ && x.is_contiguous() &&
                    weight->is_contiguous() && !weight->is_conj() && !weight->is_neg() &&
                    !x.is_conj() && !x.is_neg() && weight->device().is_cpu() &&
                    x.device().is_cpu() &&
                    (bias == nullptr || (bias->dtype() == dt && bias->is_contiguous()));
  if (!fast) {
    return ptser::Linear(x, *weight, bias ? std::optional<Tensor>(*bias) : std::nullopt);
  }
  // y = x W^T + b with the blocked product, the bias as C's start.
  std::vector<int64_t> shape = x.sizes();
  shape.back() = out_features_;
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty(shape, dt));
  int64_t n_rows = 1;  // every dimension but the last
  for (size_t d = 0; d + 1 < x.sizes().size(); ++d) n_rows *= x.sizes()[d];
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    T* out = static_cast<T*>(y.mutable_data());
    if (bias != nullptr) {
      const T* b = static_cast<const T*>(bias->data());
      for (int64_t r = 0; r < n_rows; ++r) std::copy(b, b + out_features_, out + r * out_features_);
    }
    ops_internal::GemmBT(n_rows, out_features_, in_features_, static_cast<const T*>(x.data()),
                         in_features_, static_cast<const T*>(weight->data()), in_features_, out,
                         out_features_, /*accumulate=*/bias != nullptr);
  };
  if (dt == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else {
    run(static_cast<double*>(nullptr));
  }
  return y;
}

}  // namespace ptser::nn
