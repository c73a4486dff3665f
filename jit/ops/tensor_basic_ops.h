// Copyright ptser authors.
//
// jit/ops/tensor_basic_ops.h — aten:: operators on tensors over what
// tensor/ and tensor/ops/ implement: arithmetic (`aten::add.Tensor`,
// `aten::add.Scalar`, in-place `add_`), comparisons, where, reductions,
// linear/matmul, activations, softmax; the tensor's own facts (dim, size,
// numel, item), conversions (`aten::to` overloads), views (view, reshape,
// transpose, select, slice, ...) and factories (tensor, zeros, ones, full,
// arange, ...).  Schemas are PyTorch 1.13's, so overloads resolve as there.
#ifndef PTSER_JIT_OPS_TENSOR_BASIC_OPS_H_
#define PTSER_JIT_OPS_TENSOR_BASIC_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorBasicOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_BASIC_OPS_H_
