// Copyright ptser authors.
//
// jit/ops/builtin_ops.h — the aten:: operators on TorchScript's builtin
// values (int, float, bool, str, list, dict, tuple, None, Device) that the
// printer writes as `torch.<name>(...)`: arithmetic (`torch.add(1, l[-1])`
// is aten::add.int), comparisons, list/dict/str methods, format and
// percentFormat, int()/float()/bool()/str() conversions, math.
//
// Python semantics, as TorchScript 1.13 implements them: ints are int64
// and wrap on overflow (2**62 * 4 == 0); `//` and `%` floor; int `/` and
// `**` give floats (aten::pow.int returns float); str() of a float prints
// 17 significant digits with a trailing "." ("3.", "0.10000000000000001"),
// as c10 prints a double, not as Python's repr.
#ifndef PTSER_JIT_OPS_BUILTIN_OPS_H_
#define PTSER_JIT_OPS_BUILTIN_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterBuiltinOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_BUILTIN_OPS_H_
