// Copyright ptser authors.
//
// jit/ops/prim_ops.h — the prim:: operators TorchScript code calls as
// `ops.prim.<name>(...)` (PyTorch 1.13's register_prim_ops.cpp schemas):
//
//   ops.prim.NumToTensor(n)      a 0-dim tensor (int64 for ints, float64 for floats)
//   ops.prim.device(t) / dtype(t) / layout(t), is_cuda(t), ...
//   ops.prim.max(a, b), ops.prim.min([a, b]), ops.prim.abs(x)
//   ops.prim.RaiseException(msg, "builtins.ValueError")
//   ops.prim.Uninitialized(), unchecked_unwrap_optional, tolist, Print, ...
//
// prim::RaiseException returns an AbortedError whose message is
// "<exception>: <message>": "ValueError: bad" for
// `RaiseException("bad", "builtins.ValueError")`, "RuntimeError: bad" when
// no class is given (1.13 raises torch.jit.Error, a RuntimeError, then);
// a class outside builtins keeps its qualified name
// ("__torch__.MyError: bad").
#ifndef PTSER_JIT_OPS_PRIM_OPS_H_
#define PTSER_JIT_OPS_PRIM_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterPrimOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_PRIM_OPS_H_
