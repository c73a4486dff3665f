// Copyright ptser authors.
//
// aten:: matrix products over tensor/ops/linalg.h.  Schemas are PyTorch
// 1.13's text.

#include "jit/ops/tensor_linalg_ops.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/linalg.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::ToScalar;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::T;

void AddOps(OpTable& t) {
  using Fused = absl::StatusOr<Tensor> (*)(const Tensor&, const Tensor&, const Tensor&,
                                           const Scalar&, const Scalar&);
  struct Op {
    const char* name;
    const char* a;  // the two operands' names in the schema
    const char* b;
    Fused f;
  };
  for (const Op& op : {Op{"addmm", "mat1", "mat2", Addmm}, Op{"baddbmm", "batch1", "batch2", Baddbmm},
                       Op{"addmv", "mat", "vec", Addmv}}) {
    const Fused f = op.f;
    const std::string args =
        absl::StrCat("(Tensor self, Tensor ", op.a, ", Tensor ", op.b,
                     ", *, Scalar beta=1, Scalar alpha=1");
    t.AddWithOut(absl::StrCat("aten::", op.name, args, ") -> Tensor"),
                 absl::StrCat("aten::", op.name, ".out", args, ", Tensor(a!) out) -> Tensor(a!)"),
                 [f](Args a) {
                   return f(T(a[0]), T(a[1]), T(a[2]), ToScalar(a[3]), ToScalar(a[4]));
                 });
  }
  t.AddWithOut("aten::mv(Tensor self, Tensor vec) -> Tensor",
               "aten::mv.out(Tensor self, Tensor vec, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Mv(T(a[0]), T(a[1])); });
  t.AddWithOut("aten::dot(Tensor self, Tensor tensor) -> Tensor",
               "aten::dot.out(Tensor self, Tensor tensor, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Dot(T(a[0]), T(a[1])); });
}

}  // namespace

absl::Status RegisterTensorLinalgOps(OperatorRegistry& registry) {
  OpTable t;
  AddOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
