// Copyright ptser authors.
//
// jit/script/upgraders.h — PyTorch's versioned operator upgraders: the
// historic behaviour an archive of an older version gets
// (docs/formats/torchscript.md, "Upgraders in ptser").
//
//   operator overload        bumped at   for archives of version < bump
//   aten::div.Tensor          4          integer operands divide with
//   aten::div.Scalar          4          truncation toward zero (floating
//   aten::div.out             4          ones, or a Python float scalar,
//   aten::div_.Tensor         4          or a floating `out`, truly)
//   aten::div_.Scalar         4
//   aten::full                5          without dtype, the fill value is a
//                                        float (the default float dtype)
//   aten::linspace(.out)      8          steps=None means 100
//   aten::logspace(.out)      9          steps=None means 100
//
// The other entries of PyTorch's table need nothing here: the `*_mode`
// overloads of div, `full.names` and `full.out` are pass-throughs, and the
// old one-argument gelu is today's default (approximate='none').
//
// `torch.floor_divide` changed meaning in 1.13 (it truncated, now it
// floors) with no upgrader in PyTorch; ptser, like PyTorch 1.13, floors
// for every archive version.
#ifndef PTSER_JIT_SCRIPT_UPGRADERS_H_
#define PTSER_JIT_SCRIPT_UPGRADERS_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

class Upgraders {
 public:
  Upgraders() = default;
  // The upgraders that apply to archives of `version`, over `ops`.
  Upgraders(const OperatorRegistry& ops, uint64_t version);

  // What runs instead of `op` in such an archive, or null.
  const OpFn* Find(const Operator* op) const {
    auto it = table_.find(op);
    return it == table_.end() ? nullptr : &it->second;
  }
  size_t size() const { return table_.size(); }

 private:
  absl::flat_hash_map<const Operator*, OpFn> table_;
};

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_UPGRADERS_H_
