// Copyright ptser authors.
//
// jit/ops/tensor_linalg_ops.h — aten:: matrix products beyond
// tensor_basic_ops' matmul/mm/bmm/linear: addmm, baddbmm, addmv, mv, dot
// (with out= forms), over tensor/ops/linalg.h.
#ifndef PTSER_JIT_OPS_TENSOR_LINALG_OPS_H_
#define PTSER_JIT_OPS_TENSOR_LINALG_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorLinalgOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_LINALG_OPS_H_
