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

#include <memory>

#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

// The upgraders are operators with the schemas the operators had before
// their bump (linspace's `int? steps=None`), in a registry of their own: a
// call in an old archive is resolved among them first, and only when none
// matches (a `rounding_mode=` div, which passes through) among today's.
class Upgraders {
 public:
  Upgraders() = default;
  // The upgraders that apply to archives of `version`, over `ops` (which
  // they call, and which must outlive them).
  Upgraders(const OperatorRegistry& ops, uint64_t version);

  // The upgraders of archives of this version (empty for new archives).
  const OperatorRegistry& registry() const { return *registry_; }
  size_t size() const { return registry_->size(); }

 private:
  std::shared_ptr<OperatorRegistry> registry_ = std::make_shared<OperatorRegistry>();
};

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_UPGRADERS_H_
