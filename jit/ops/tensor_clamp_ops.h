// Copyright ptser authors.
//
// jit/ops/tensor_clamp_ops.h — aten:: clamp overloads beyond
// tensor_basic_ops' aten::clamp(Tensor, Scalar?, Scalar?): clamp with
// tensor bounds, clamp_ (both), clamp_min/clamp_max (and in place) and the
// clip alias, with out= forms, over tensor/ops/clamp.h (1.13's type
// promotion: clamp(int64 tensor, 0.5) is float32).
//
// Registered after tensor_basic_ops: aten::clamp.Tensor follows
// aten::clamp in 1.13's overload order.
#ifndef PTSER_JIT_OPS_TENSOR_CLAMP_OPS_H_
#define PTSER_JIT_OPS_TENSOR_CLAMP_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorClampOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_CLAMP_OPS_H_
