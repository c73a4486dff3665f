// Copyright ptser authors.
//
// jit/ops/tensor_pointwise_ops.h — aten:: elementwise operators on tensors:
// the unary math of tensor/ops/unary.h (exp, log, sqrt, floor, round with
// decimals, sign, bitwise_not, isnan, nan_to_num, ...), the activations of
// tensor/ops/activation.h that tensor_basic_ops does not register
// (leaky_relu, elu, selu, celu, softplus, mish, threshold, hardshrink, glu,
// ...), pow/remainder/fmod/minimum/maximum/atan2, max/min of two tensors,
// min, and the bitwise and logical operators (`aten::__and__`, `__lshift__`,
// `bitwise_xor`, `logical_or`, ...), each with its in-place and out= forms
// where PyTorch 1.13 has them.
//
// Registered before tensor_basic_ops (jit/ops/default_registry.cc):
// `aten::max.other` precedes `aten::max` in 1.13's overload order.
#ifndef PTSER_JIT_OPS_TENSOR_POINTWISE_OPS_H_
#define PTSER_JIT_OPS_TENSOR_POINTWISE_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorPointwiseOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_POINTWISE_OPS_H_
