// Copyright ptser authors.
#include "jit/nn/fused.h"

#include <limits>
#include <optional>
#include <typeinfo>

#include "base/status_macros.h"
#include "jit/nn/activation.h"
#include "jit/nn/basic.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/conv.h"
#include "tensor/ops/conv.h"
#include "tensor/ops/normalization.h"

namespace ptser::nn {

bool FusibleConvBatchNorm(const Module& conv, const Module& bn, const Module* act,
                          const Tensor& x) {
  if (typeid(conv) != typeid(Conv) || typeid(bn) != typeid(BatchNorm)) return false;
  const auto& c = static_cast<const Conv&>(conv);
  const auto& b = static_cast<const BatchNorm&>(bn);
  if (!c.is_zero_padded_conv2d() || b.type_name() != "BatchNorm2d" || b.is_training() ||
      x.dim() != 4) {
    return false;
  }
  if (act != nullptr && typeid(*act) != typeid(ReLU) && !IsReLU6(*act)) return false;
  const Tensor* weight = c.FindParameter("weight");
  if (weight == nullptr || weight->dim() != 4 || weight->sizes()[0] != b.num_features()) {
    return false;
  }
  return b.FindBuffer("running_mean") != nullptr && b.FindBuffer("running_var") != nullptr;
}

absl::StatusOr<Tensor> RunConvBatchNorm(Module& conv, Module& bn, const Module* act,
                                        const Tensor& x) {
  if (!FusibleConvBatchNorm(conv, bn, act, x)) {
    return absl::FailedPreconditionError("these modules do not fuse (FusibleConvBatchNorm)");
  }
  auto& b = static_cast<BatchNorm&>(bn);
  auto optional = [](const Tensor* t) {
    return t != nullptr ? std::optional<Tensor>(*t) : std::nullopt;
  };
  PTSER_ASSIGN_OR_RETURN(
      auto scale_shift,
      BatchNormEvalScaleShift(optional(b.FindParameter("weight")),
                              optional(b.FindParameter("bias")), *b.FindBuffer("running_mean"),
                              *b.FindBuffer("running_var"), b.options().eps));
  ConvEpilogue e;
  e.scale = scale_shift.first;
  e.shift = scale_shift.second;
  if (act != nullptr) {
    e.clamp = true;
    e.lo = 0;
    e.hi = IsReLU6(*act) ? 6.0 : std::numeric_limits<double>::infinity();
  }
  return static_cast<Conv&>(conv).ForwardFused(x, e);
}

}  // namespace ptser::nn
