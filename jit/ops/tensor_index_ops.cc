// Copyright ptser authors.
//
// aten:: indexing operators over tensor/ops/indexing.h.  Schemas are
// PyTorch 1.13's text, overloads in its order.

#include "jit/ops/tensor_index_ops.h"

#include <optional>
#include <vector>

#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/indexing.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::ToScalar;
using tensor_args::Args;
using tensor_args::AsIndexError;
using tensor_args::OpTable;
using tensor_args::OptionalTensorList;
using tensor_args::Result;
using tensor_args::T;
using tensor_args::TensorList;

// `Tensor[] indices` (the hacked_twin overloads) as optional tensors.
std::vector<std::optional<Tensor>> AllPresent(const Value& v) {
  std::vector<std::optional<Tensor>> out;
  for (const Tensor& t : TensorList(v)) out.push_back(t);
  return out;
}

absl::StatusOr<Tensor> Indexed(absl::StatusOr<Tensor> t) {
  if (!t.ok()) return AsIndexError(t.status());
  return t;
}

void SelectOps(OpTable& t) {
  t.AddWithOut("aten::index_select(Tensor self, int dim, Tensor index) -> Tensor",
               "aten::index_select.out(Tensor self, int dim, Tensor index, *, Tensor(a!) out) -> "
               "Tensor(a!)",
               [](Args a) { return Indexed(IndexSelect(T(a[0]), a[1].as_int(), T(a[2]))); });
  t.AddWithOut("aten::gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> "
               "Tensor",
               "aten::gather.out(Tensor self, int dim, Tensor index, *, bool sparse_grad=False, "
               "Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Gather(T(a[0]), a[1].as_int(), T(a[2])); });
}

void MaskOps(OpTable& t) {
  using ScalarFill = absl::StatusOr<Tensor> (*)(const Tensor&, const Tensor&, const Scalar&);
  using TensorFill = absl::StatusOr<Tensor> (*)(const Tensor&, const Tensor&, const Tensor&);
  const ScalarFill scalar_fill = MaskedFill;
  const TensorFill tensor_fill = MaskedFill;
  auto by_scalar = [scalar_fill](Args a) { return scalar_fill(T(a[0]), T(a[1]), ToScalar(a[2])); };
  auto by_tensor = [tensor_fill](Args a) { return tensor_fill(T(a[0]), T(a[1]), T(a[2])); };
  t.AddTensor("aten::masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
              by_scalar);
  t.AddTensor("aten::masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
              by_tensor);
  t.Add("aten::masked_fill.Scalar_out(Tensor self, Tensor mask, Scalar value, *, Tensor(a!) out) "
        "-> Tensor(a!)",
        [by_scalar](OpContext&, Args a) { return tensor_args::WriteOut(a[3], by_scalar(a)); });
  t.Add("aten::masked_fill.Tensor_out(Tensor self, Tensor mask, Tensor value, *, Tensor(a!) out) "
        "-> Tensor(a!)",
        [by_tensor](OpContext&, Args a) { return tensor_args::WriteOut(a[3], by_tensor(a)); });
  using ScalarFillIn = absl::Status (*)(const Tensor&, const Tensor&, const Scalar&);
  using TensorFillIn = absl::Status (*)(const Tensor&, const Tensor&, const Tensor&);
  const ScalarFillIn scalar_in = MaskedFillInplace;
  const TensorFillIn tensor_in = MaskedFillInplace;
  t.AddInplace("aten::masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)",
               [scalar_in](Args a) { return scalar_in(T(a[0]), T(a[1]), ToScalar(a[2])); });
  t.AddInplace("aten::masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)",
               [tensor_in](Args a) { return tensor_in(T(a[0]), T(a[1]), T(a[2])); });
}

void AdvancedIndexOps(OpTable& t) {
  t.AddWithOut("aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor",
               "aten::index.Tensor_out(Tensor self, Tensor?[] indices, *, Tensor(a!) out) -> "
               "Tensor(a!)",
               [](Args a) { return Indexed(Index(T(a[0]), OptionalTensorList(a[1]))); });
  t.AddTensor("aten::index.Tensor_hacked_twin(Tensor self, Tensor[] indices) -> Tensor",
              [](Args a) { return Indexed(Index(T(a[0]), AllPresent(a[1]))); });
  t.AddInplace("aten::index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool "
               "accumulate=False) -> Tensor(a!)",
               [](Args a) {
                 return AsIndexError(
                     IndexPutInplace(T(a[0]), OptionalTensorList(a[1]), T(a[2]), a[3].as_bool()));
               });
  t.AddInplace("aten::index_put_.hacked_twin(Tensor(a!) self, Tensor[] indices, Tensor values, "
               "bool accumulate=False) -> Tensor(a!)",
               [](Args a) {
                 return AsIndexError(
                     IndexPutInplace(T(a[0]), AllPresent(a[1]), T(a[2]), a[3].as_bool()));
               });
  auto index_put = [](Args a) {
    return Indexed(IndexPut(T(a[0]), OptionalTensorList(a[1]), T(a[2]), a[3].as_bool()));
  };
  t.AddWithOut("aten::index_put(Tensor self, Tensor?[] indices, Tensor values, bool "
               "accumulate=False) -> Tensor",
               "aten::index_put.out(Tensor self, Tensor?[] indices, Tensor values, bool "
               "accumulate=False, *, Tensor(a!) out) -> Tensor(a!)",
               index_put);
  t.AddTensor("aten::index_put.hacked_twin(Tensor self, Tensor[] indices, Tensor values, bool "
              "accumulate=False) -> Tensor",
              [](Args a) {
                return Indexed(IndexPut(T(a[0]), AllPresent(a[1]), T(a[2]), a[3].as_bool()));
              });
  t.AddWithOut("aten::nonzero(Tensor self) -> Tensor",
               "aten::nonzero.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Nonzero(T(a[0])); });
}

void FillOps(OpTable& t) {
  using FillTensor = absl::Status (*)(const Tensor&, const Tensor&);
  const FillTensor fill = FillInplace;
  t.AddInplace("aten::fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)",
               [fill](Args a) { return fill(T(a[0]), T(a[1])); });
}

}  // namespace

absl::Status RegisterTensorIndexOps(OperatorRegistry& registry) {
  OpTable t;
  SelectOps(t);
  MaskOps(t);
  AdvancedIndexOps(t);
  FillOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
