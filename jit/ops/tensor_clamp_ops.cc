// Copyright ptser authors.
//
// aten:: clamp overloads over tensor/ops/clamp.h.  Schemas are PyTorch
// 1.13's text, overloads in its order.

#include "jit/ops/tensor_clamp_ops.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/clamp.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::ToScalar;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::OptionalTensor;
using tensor_args::T;

std::optional<Scalar> OptionalScalar(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return ToScalar(v);
}

absl::StatusOr<Tensor> ByScalars(Args a) {
  return Clamp(T(a[0]), OptionalScalar(a[1]), OptionalScalar(a[2]));
}
absl::StatusOr<Tensor> ByTensors(Args a) {
  return Clamp(T(a[0]), OptionalTensor(a[1]), OptionalTensor(a[2]));
}
absl::Status ByScalarsInplace(Args a) {
  return ClampInplace(T(a[0]), OptionalScalar(a[1]), OptionalScalar(a[2]));
}
absl::Status ByTensorsInplace(Args a) {
  return ClampInplace(T(a[0]), OptionalTensor(a[1]), OptionalTensor(a[2]));
}

// clamp (whose plain overload tensor_basic_ops registers) and clip.
void ClampLike(OpTable& t, const std::string& name, bool plain) {
  const std::string n = absl::StrCat("aten::", name);
  if (plain) {
    t.AddTensor(absl::StrCat(n, "(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor"),
                ByScalars);
  }
  t.AddTensor(absl::StrCat(n, ".Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor"),
              ByTensors);
  t.Add(absl::StrCat(n, ".out(Tensor self, Scalar? min=None, Scalar? max=None, *, Tensor(a!) out) "
                        "-> Tensor(a!)"),
        [](OpContext&, Args a) { return tensor_args::WriteOut(a[3], ByScalars(a)); });
  t.Add(absl::StrCat(n, ".Tensor_out(Tensor self, Tensor? min=None, Tensor? max=None, *, "
                        "Tensor(a!) out) -> Tensor(a!)"),
        [](OpContext&, Args a) { return tensor_args::WriteOut(a[3], ByTensors(a)); });
  t.AddInplace(absl::StrCat(n, "_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> "
                               "Tensor(a!)"),
               ByScalarsInplace);
  t.AddInplace(absl::StrCat(n, "_.Tensor(Tensor(a!) self, Tensor? min=None, Tensor? max=None) -> "
                               "Tensor(a!)"),
               ByTensorsInplace);
}

// clamp_min / clamp_max.
void OneBound(OpTable& t, bool is_min) {
  const std::string bound = is_min ? "min" : "max";
  const std::string n = absl::StrCat("aten::clamp_", bound);
  auto scalar = [is_min](Args a) {
    return is_min ? ClampMin(T(a[0]), ToScalar(a[1])) : ClampMax(T(a[0]), ToScalar(a[1]));
  };
  auto tensor = [is_min](Args a) {
    return is_min ? ClampMin(T(a[0]), T(a[1])) : ClampMax(T(a[0]), T(a[1]));
  };
  t.AddTensor(absl::StrCat(n, "(Tensor self, Scalar ", bound, ") -> Tensor"), scalar);
  t.AddTensor(absl::StrCat(n, ".Tensor(Tensor self, Tensor ", bound, ") -> Tensor"), tensor);
  t.Add(absl::StrCat(n, ".out(Tensor self, Scalar ", bound, ", *, Tensor(a!) out) -> Tensor(a!)"),
        [scalar](OpContext&, Args a) { return tensor_args::WriteOut(a[2], scalar(a)); });
  t.Add(absl::StrCat(n, ".Tensor_out(Tensor self, Tensor ", bound,
                     ", *, Tensor(a!) out) -> Tensor(a!)"),
        [tensor](OpContext&, Args a) { return tensor_args::WriteOut(a[2], tensor(a)); });
  t.AddInplace(absl::StrCat(n, "_(Tensor(a!) self, Scalar ", bound, ") -> Tensor(a!)"),
               [is_min](Args a) {
                 return is_min ? ClampMinInplace(T(a[0]), ToScalar(a[1]))
                               : ClampMaxInplace(T(a[0]), ToScalar(a[1]));
               });
  t.AddInplace(absl::StrCat(n, "_.Tensor(Tensor(a!) self, Tensor ", bound, ") -> Tensor(a!)"),
               [is_min](Args a) {
                 return is_min ? ClampMinInplace(T(a[0]), T(a[1]))
                               : ClampMaxInplace(T(a[0]), T(a[1]));
               });
}

}  // namespace

absl::Status RegisterTensorClampOps(OperatorRegistry& registry) {
  OpTable t;
  ClampLike(t, "clamp", /*plain=*/false);
  ClampLike(t, "clip", /*plain=*/true);
  OneBound(t, true);
  OneBound(t, false);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
