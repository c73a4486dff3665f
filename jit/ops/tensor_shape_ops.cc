// Copyright ptser authors.
//
// aten:: shape operators over tensor/ops/shape.h.  Schemas are PyTorch
// 1.13's text, overloads in its order.

#include "jit/ops/tensor_shape_ops.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/shape.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::IntList;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::Result;
using tensor_args::T;
using tensor_args::TensorList;
using tensor_args::TensorListResult;

void JoinOps(OpTable& t) {
  t.AddWithOut("aten::cat(Tensor[] tensors, int dim=0) -> Tensor",
               "aten::cat.out(Tensor[] tensors, int dim=0, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Cat(TensorList(a[0]), a[1].as_int()); });
  t.AddWithOut("aten::stack(Tensor[] tensors, int dim=0) -> Tensor",
               "aten::stack.out(Tensor[] tensors, int dim=0, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Stack(TensorList(a[0]), a[1].as_int()); });
}

void SplitOps(OpTable& t) {
  t.Add("aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]",
        [](OpContext&, Args a) {
          return TensorListResult(Chunk(T(a[0]), a[1].as_int(), a[2].as_int()));
        });
  t.Add("aten::split.Tensor(Tensor(a -> *) self, int split_size, int dim=0) -> Tensor(a)[]",
        [](OpContext&, Args a) {
          return TensorListResult(Split(T(a[0]), a[1].as_int(), a[2].as_int()));
        });
  t.Add("aten::split.sizes(Tensor(a -> *) self, int[] split_size, int dim=0) -> Tensor(a)[]",
        [](OpContext&, Args a) {
          return TensorListResult(SplitWithSizes(T(a[0]), IntList(a[1]), a[2].as_int()));
        });
  t.Add("aten::split_with_sizes(Tensor(a -> *) self, int[] split_sizes, int dim=0) -> "
        "Tensor(a)[]",
        [](OpContext&, Args a) {
          return TensorListResult(SplitWithSizes(T(a[0]), IntList(a[1]), a[2].as_int()));
        });
  t.Add("aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]",
        [](OpContext&, Args a) { return TensorListResult(Unbind(T(a[0]), a[1].as_int())); });
}

void ReshapeOps(OpTable& t) {
  t.AddWithOut("aten::repeat(Tensor self, SymInt[] repeats) -> Tensor",
               "aten::repeat.out(Tensor self, SymInt[] repeats, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Repeat(T(a[0]), IntList(a[1])); });
  t.AddTensor("aten::unflatten.int(Tensor(a) self, int dim, int[] sizes) -> Tensor(a)",
              [](Args a) { return Unflatten(T(a[0]), a[1].as_int(), IntList(a[2])); });
  t.AddTensor("aten::movedim.intlist(Tensor(a) self, int[] source, int[] destination) -> "
              "Tensor(a)",
              [](Args a) { return Movedim(T(a[0]), IntList(a[1]), IntList(a[2])); });
  t.AddTensor("aten::movedim.int(Tensor(a) self, int source, int destination) -> Tensor(a)",
              [](Args a) {
                const int64_t source[] = {a[1].as_int()};
                const int64_t destination[] = {a[2].as_int()};
                return Movedim(T(a[0]), source, destination);
              });
  t.AddWithOut("aten::flip(Tensor self, int[] dims) -> Tensor",
               "aten::flip.out(Tensor self, int[] dims, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Flip(T(a[0]), IntList(a[1])); });
}

void TriangleOps(OpTable& t) {
  for (const bool upper : {true, false}) {
    const std::string name = upper ? "triu" : "tril";
    t.AddWithOut(absl::StrCat("aten::", name, "(Tensor self, int diagonal=0) -> Tensor"),
                 absl::StrCat("aten::", name,
                              ".out(Tensor self, int diagonal=0, *, Tensor(a!) out) -> Tensor(a!)"),
                 [upper](Args a) {
                   return upper ? Triu(T(a[0]), a[1].as_int()) : Tril(T(a[0]), a[1].as_int());
                 });
    t.AddInplace(absl::StrCat("aten::", name, "_(Tensor(a!) self, int diagonal=0) -> Tensor(a!)"),
                 [upper](Args a) {
                   return upper ? TriuInplace(T(a[0]), a[1].as_int())
                                : TrilInplace(T(a[0]), a[1].as_int());
                 });
  }
}

void LayoutOps(OpTable& t) {
  t.Add("aten::is_contiguous(Tensor self) -> bool",
        [](OpContext&, Args a) -> Result { return Value::Bool(T(a[0]).is_contiguous()); });
  t.Add("aten::is_contiguous.memory_format(Tensor self, MemoryFormat memory_format) -> bool",
        [](OpContext&, Args a) -> Result {
          return Value::Bool(
              IsContiguous(T(a[0]), static_cast<MemoryFormat>(a[1].as_int())));
        });
}

}  // namespace

absl::Status RegisterTensorShapeOps(OperatorRegistry& registry) {
  OpTable t;
  LayoutOps(t);
  JoinOps(t);
  SplitOps(t);
  ReshapeOps(t);
  TriangleOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
