// Copyright ptser authors.
//
// jit/ops/tensor_creation_ops.h — aten:: factories beyond tensor_basic_ops'
// zeros/ones/full/empty/arange/*_like: linspace, logspace, eye,
// scalar_tensor, and the random factories and fills drawing from PyTorch's
// CPU generator (rand, randn, randint, normal, rand_like, randn_like,
// randint_like, bernoulli(p), uniform_, normal_), over tensor/ops/creation.h
// and dropout.h.  A torch.Generator argument other than None is
// unimplemented (the default generator is torch.manual_seed's).
#ifndef PTSER_JIT_OPS_TENSOR_CREATION_OPS_H_
#define PTSER_JIT_OPS_TENSOR_CREATION_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorCreationOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_CREATION_OPS_H_
