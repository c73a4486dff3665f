// Copyright ptser authors.
//
// jit/ops/tensor_index_ops.h — aten:: indexing operators over
// tensor/ops/indexing.h: index_select, gather, masked_fill (and in place),
// advanced indexing (`x[idx]` is aten::index.Tensor), index_put / index_put_
// (`x[idx] = v`), nonzero and fill_ with a 0-dim tensor value.  Indices out
// of range raise IndexError, as in PyTorch.
#ifndef PTSER_JIT_OPS_TENSOR_INDEX_OPS_H_
#define PTSER_JIT_OPS_TENSOR_INDEX_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorIndexOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_INDEX_OPS_H_
