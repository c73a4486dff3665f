// Copyright ptser authors.
#include "jit/script/upgraders.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace jit {
namespace {

bool IsFloatingTensor(const Value& v) {
  return v.is_tensor() && IsFloatingPoint(v.tensor().dtype());
}

// Calls `target` (a qualified overload) with `args`, or says it is missing.
absl::StatusOr<Value> CallOverload(const Operator* target, absl::string_view name,
                                   OpContext& ctx, std::vector<Value> args) {
  if (target == nullptr) {
    return absl::UnimplementedError(absl::StrCat("the upgrader needs ", name));
  }
  return target->fn(ctx, absl::MakeSpan(args));
}

}  // namespace

Upgraders::Upgraders(const OperatorRegistry& ops, uint64_t version) {
  OperatorRegistry& r = *registry_;
  // Registration cannot fail for these fixed schemas; a failure would be a
  // defect caught by the tests (the upgrader then simply does not apply).
  auto add = [&](uint64_t bumped_at, const char* old_schema, OpFn fn) {
    if (version < bumped_at) (void)r.Register(old_schema, std::move(fn));
  };
  const Operator* div_tensor = ops.Find("aten::div.Tensor");
  const Operator* div_tensor_mode = ops.Find("aten::div.Tensor_mode");
  const Operator* div_scalar = ops.Find("aten::div.Scalar");
  const Operator* div_scalar_mode = ops.Find("aten::div.Scalar_mode");
  const Operator* div_out = ops.Find("aten::div.out");
  const Operator* div_out_mode = ops.Find("aten::div.out_mode");
  const Operator* div_i_tensor = ops.Find("aten::div_.Tensor");
  const Operator* div_i_tensor_mode = ops.Find("aten::div_.Tensor_mode");
  const Operator* div_i_scalar = ops.Find("aten::div_.Scalar");
  const Operator* div_i_scalar_mode = ops.Find("aten::div_.Scalar_mode");
  const Operator* full = ops.Find("aten::full");
  const Operator* linspace = ops.Find("aten::linspace");
  const Operator* linspace_out = ops.Find("aten::linspace.out");
  const Operator* logspace = ops.Find("aten::logspace");
  const Operator* logspace_out = ops.Find("aten::logspace.out");
  const Value trunc = Value::Str("trunc");

  // div_Tensor_0_3
  add(4, "aten::div.Tensor(Tensor self, Tensor other) -> Tensor",
      [=](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
        if (IsFloatingTensor(a[0]) || IsFloatingTensor(a[1])) {
          return CallOverload(div_tensor, "aten::div.Tensor", ctx, {a[0], a[1]});
        }
        return CallOverload(div_tensor_mode, "aten::div.Tensor_mode", ctx, {a[0], a[1], trunc});
      });
  // div_Scalar_0_3
  add(4, "aten::div.Scalar(Tensor self, Scalar other) -> Tensor",
      [=](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
        if (IsFloatingTensor(a[0]) || a[1].is_float()) {
          return CallOverload(div_scalar, "aten::div.Scalar", ctx, {a[0], a[1]});
        }
        return CallOverload(div_scalar_mode, "aten::div.Scalar_mode", ctx, {a[0], a[1], trunc});
      });
  // div_out_0_3
  add(4, "aten::div.out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)",
      [=](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
        if (IsFloatingTensor(a[0]) || IsFloatingTensor(a[1]) || IsFloatingTensor(a[2])) {
          return CallOverload(div_out, "aten::div.out", ctx, {a[0], a[1], a[2]});
        }
        return CallOverload(div_out_mode, "aten::div.out_mode", ctx, {a[0], a[1], trunc, a[2]});
      });
  // div__Tensor_0_3, div__Scalar_0_3: in place.
  add(4, "aten::div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
      [=](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
        if (IsFloatingTensor(a[0]) || IsFloatingTensor(a[1])) {
          return CallOverload(div_i_tensor, "aten::div_.Tensor", ctx, {a[0], a[1]});
        }
        return CallOverload(div_i_tensor_mode, "aten::div_.Tensor_mode", ctx,
                            {a[0], a[1], trunc});
      });
  add(4, "aten::div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
      [=](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
        if (IsFloatingTensor(a[0]) || a[1].is_float()) {
          return CallOverload(div_i_scalar, "aten::div_.Scalar", ctx, {a[0], a[1]});
        }
        return CallOverload(div_i_scalar_mode, "aten::div_.Scalar_mode", ctx,
                            {a[0], a[1], trunc});
      });
  // full_0_4: without dtype, the fill value is a float.
  add(5,
      "aten::full(int[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, "
      "Device? device=None, bool? pin_memory=None) -> Tensor",
      [=](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
        std::vector<Value> args(a.begin(), a.end());
        if (args[2].is_none()) {
          if (args[1].is_int()) args[1] = Value::Float(static_cast<double>(args[1].as_int()));
          if (args[1].is_bool()) args[1] = Value::Float(args[1].as_bool() ? 1.0 : 0.0);
        }
        return CallOverload(full, "aten::full", ctx, std::move(args));
      });
  // linspace_0_7, logspace_0_8 (and their out forms): steps=None means 100.
  auto default_steps = [](const Operator* target, const char* name) {
    return [target, name](OpContext& ctx, absl::Span<Value> a) -> absl::StatusOr<Value> {
      std::vector<Value> args(a.begin(), a.end());
      if (args[2].is_none()) args[2] = Value::Int(100);
      return CallOverload(target, name, ctx, std::move(args));
    };
  };
  add(8,
      "aten::linspace(Scalar start, Scalar end, int? steps=None, *, ScalarType? dtype=None, "
      "Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      default_steps(linspace, "aten::linspace"));
  add(8, "aten::linspace.out(Scalar start, Scalar end, int? steps=None, *, Tensor(a!) out) -> "
         "Tensor(a!)",
      default_steps(linspace_out, "aten::linspace.out"));
  add(9,
      "aten::logspace(Scalar start, Scalar end, int? steps=None, float base=10., *, "
      "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) "
      "-> Tensor",
      default_steps(logspace, "aten::logspace"));
  add(9, "aten::logspace.out(Scalar start, Scalar end, int? steps=None, float base=10., *, "
         "Tensor(a!) out) -> Tensor(a!)",
      default_steps(logspace_out, "aten::logspace.out"));
}

}  // namespace jit
}  // namespace ptser
