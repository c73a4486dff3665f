// Copyright ptser authors.
//
// jit/ops/tensor_shape_ops.h — aten:: shape operators beyond
// tensor_basic_ops' views: cat, stack, chunk, split (by size and by sizes),
// split_with_sizes, unbind, repeat, unflatten, movedim, flip, triu/tril
// (and in place), is_contiguous, over tensor/ops/shape.h.
#ifndef PTSER_JIT_OPS_TENSOR_SHAPE_OPS_H_
#define PTSER_JIT_OPS_TENSOR_SHAPE_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorShapeOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_SHAPE_OPS_H_
