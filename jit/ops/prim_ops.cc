// Copyright ptser authors.

#include "jit/ops/prim_ops.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/ops/comparison.h"
#include "tensor/ops/neg.h"
#include "tensor/ops/where.h"
#include "tensor/scalar.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::OpDef;
using ops_internal::RuntimeError;
using ops_internal::ScriptStr;

using Args = absl::Span<Value>;

// A 0-dim tensor holding `s` (at::scalar_to_tensor: int64, float64, bool,
// complex128).
absl::StatusOr<Value> ScalarToTensor(const Scalar& s) {
  ScalarType dtype = ScalarType::kLong;
  switch (s.kind()) {
    case Scalar::Kind::kBool: dtype = ScalarType::kBool; break;
    case Scalar::Kind::kInt: dtype = ScalarType::kLong; break;
    case Scalar::Kind::kDouble: dtype = ScalarType::kDouble; break;
    case Scalar::Kind::kComplex: dtype = ScalarType::kComplexDouble; break;
  }
  return ops_internal::TensorResult(TensorFromValues(dtype, {s}, {}));
}

// Python's max/min of two lists: the first differing element decides,
// then the shorter list is the smaller.
Value ListMinMax(const Value& a, const Value& b, bool want_max) {
  const std::vector<Value>& x = a.list().items();
  const std::vector<Value>& y = b.list().items();
  const size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    const double xi = ops_internal::ToDouble(x[i]);
    const double yi = ops_internal::ToDouble(y[i]);
    if (xi == yi) continue;
    const bool x_less = xi < yi;
    return (x_less != want_max) ? a : b;
  }
  const bool x_shorter = x.size() < y.size();
  if (x.size() == y.size()) return want_max ? b : a;
  return (x_shorter != want_max) ? a : b;
}

absl::StatusOr<Value> SelfMinMax(const Value& list, bool want_max) {
  const std::vector<Value>& items = list.list().items();
  if (items.empty()) {
    return RuntimeError(absl::StrCat(want_max ? "max" : "min", "() arg is an empty sequence"));
  }
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    const double v = ops_internal::ToDouble(items[i]);
    const double b = ops_internal::ToDouble(items[best]);
    if (want_max ? v > b : v < b) best = i;
  }
  return items[best];
}

// Nested lists of a tensor's elements (Tensor.tolist()).
absl::StatusOr<Value> ToList(OpContext& ctx, const Tensor& t) {
  // Checked before anything is made: one Value per element and one list per
  // index of every dimension but the last (a zero-size inner dimension
  // still makes every outer list), saturating.
  const std::vector<int64_t>& dims = t.sizes();
  const uint64_t kSaturated = uint64_t{1} << 62;
  uint64_t values = static_cast<uint64_t>(t.numel()), outer = 1;
  for (size_t k = 0; k + 1 < dims.size(); ++k) {
    const uint64_t size = static_cast<uint64_t>(dims[k]);
    outer = (size != 0 && outer > kSaturated / size) ? kSaturated : outer * size;
    values = std::min(kSaturated, values + outer);
  }
  const absl::Status room = ctx.CheckAllocItems(values, sizeof(Value), "tolist");
  if (!room.ok()) return room;
  absl::StatusOr<Tensor> c = Contiguous(t);
  if (!c.ok()) return c.status();
  const bool is_bool = t.dtype() == ScalarType::kBool;
  const bool is_int = IsIntegral(t.dtype(), /*include_bool=*/false);
  std::vector<Value> flat;
  flat.reserve(static_cast<size_t>(t.numel()));
  if (is_int) {
    absl::StatusOr<std::vector<int64_t>> v = ToVector<int64_t>(*c);
    if (!v.ok()) return v.status();
    for (int64_t x : *v) flat.push_back(Value::Int(x));
  } else if (is_bool) {
    absl::StatusOr<std::vector<bool>> v = ToVector<bool>(*c);
    if (!v.ok()) return v.status();
    for (bool x : *v) flat.push_back(Value::Bool(x));
  } else if (IsComplex(t.dtype())) {
    absl::StatusOr<std::vector<std::complex<double>>> v = ToVector<std::complex<double>>(*c);
    if (!v.ok()) return v.status();
    for (const std::complex<double>& x : *v) flat.push_back(Value::Complex(x));
  } else {
    absl::StatusOr<std::vector<double>> v = ToVector<double>(*c);
    if (!v.ok()) return v.status();
    for (double x : *v) flat.push_back(Value::Float(x));
  }
  const std::vector<int64_t>& sizes = t.sizes();
  if (sizes.empty()) return flat.empty() ? Value() : flat[0];
  // Group the innermost dimension first.
  for (size_t d = sizes.size(); d-- > 1;) {
    const size_t n = static_cast<size_t>(sizes[d]);
    std::vector<Value> grouped;
    grouped.reserve(n ? flat.size() / n : 0);
    for (size_t i = 0; i < flat.size(); i += n) {
      grouped.push_back(Value::NewList(std::vector<Value>(
          std::make_move_iterator(flat.begin() + i), std::make_move_iterator(flat.begin() + i + n))));
      if (n == 0) break;
    }
    if (n == 0) {
      // A zero-size inner dimension: the outer dims hold empty lists.
      grouped.clear();
      int64_t outer = 1;
      for (size_t k = 0; k < d; ++k) outer *= sizes[k];
      for (int64_t k = 0; k < outer; ++k) grouped.push_back(Value::NewList());
    }
    flat = std::move(grouped);
  }
  return Value::NewList(std::move(flat));
}

std::string ExceptionName(const Value& cls) {
  if (cls.is_none()) return "RuntimeError";
  absl::string_view name = cls.as_string();
  if (absl::StartsWith(name, "builtins.")) name.remove_prefix(9);
  return std::string(name);
}

template <typename F>
OpFn TensorBool(F f) {
  return [f](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::Bool(f(a[0].tensor()));
  };
}

// prim:: on tensors: NumToTensor, device, dtype, the is_* flags, data, grad, tolist, ...
void AddPrimTensorOps(std::vector<OpDef>& ops) {
  auto add = [&](std::string schema, OpFn fn) { ops.push_back({std::move(schema), std::move(fn)}); };
  add("prim::NumToTensor.Scalar(Scalar a) -> Tensor",
      [](OpContext&, Args a) { return ScalarToTensor(ops_internal::ToScalar(a[0])); });
  add("prim::NumToTensor.bool(bool a) -> Tensor",
      [](OpContext&, Args a) { return ScalarToTensor(Scalar(a[0].as_bool())); });
  add("prim::device(Tensor a) -> Device", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::FromDevice(a[0].tensor().device());
  });
  add("prim::dtype(Tensor a) -> int", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::Int(static_cast<int64_t>(a[0].tensor().dtype()));
  });
  add("prim::layout(Tensor a) -> Layout",
      [](OpContext&, Args) -> absl::StatusOr<Value> { return Value::Int(0); });  // strided
  add("prim::is_cuda(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return t.device().is_cuda();
      }));
  add("prim::is_cpu(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return t.device().is_cpu();
      }));
  add("prim::is_xpu(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return t.device().type() == "xpu";
      }));
  add("prim::is_mps(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return t.device().type() == "mps";
      }));
  add("prim::is_meta(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return t.device().type() == "meta";
      }));
  add("prim::is_quantized(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return IsQuantized(t.dtype());
      }));
  for (const char* s : {"prim::is_sparse(Tensor a) -> bool", "prim::is_sparse_csr(Tensor a) -> bool",
                        "prim::is_mkldnn(Tensor a) -> bool", "prim::is_vulkan(Tensor a) -> bool",
                        "prim::is_ipu(Tensor a) -> bool", "prim::is_ort(Tensor a) -> bool",
                        "prim::is_nested(Tensor a) -> bool"}) {
    add(s, TensorBool([](const Tensor&) { return false; }));
  }
  add("prim::requires_grad(Tensor a) -> bool", TensorBool([](const Tensor& t) {
        return t.requires_grad();
      }));
  add("prim::data(Tensor(a) a) -> Tensor(a)", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    Tensor t = a[0].tensor();
    t.set_requires_grad(false);
    t.set_is_parameter(false);
    return Value::FromTensor(std::move(t));
  });
  add("prim::name(Tensor a) -> str?",
      [](OpContext&, Args) -> absl::StatusOr<Value> { return Value(); });
  add("prim::grad(Tensor a) -> Tensor(*)",
      [](OpContext&, Args) -> absl::StatusOr<Value> { return Value(); });
  add("prim::index(Device self) -> int?", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    const Device& d = a[0].device();
    return d.has_index() ? Value::Int(d.index()) : Value();
  });
  add("prim::type(Device self) -> str", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::Str(a[0].device().type());
  });
  add("prim::tolist(...) -> ...", [](OpContext& ctx, Args a) -> absl::StatusOr<Value> {
    if (a.empty() || !a[0].is_tensor()) return RuntimeError("prim::tolist expects a Tensor");
    return ToList(ctx, a[0].tensor());
  });
}

// prim:: on numbers: abs, max and min.
void AddPrimNumberOps(std::vector<OpDef>& ops) {
  auto add = [&](std::string schema, OpFn fn) { ops.push_back({std::move(schema), std::move(fn)}); };
  add("prim::abs.int(int a) -> int", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    const int64_t x = a[0].as_int();
    // Two's complement wraps: abs(-2**63) is -2**63, as in 1.13.
    return Value::Int(x < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(x)) : x);
  });
  add("prim::abs.float(float a) -> float", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::Float(std::fabs(a[0].as_float()));
  });
  add("prim::abs.complex(complex a) -> float", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::Float(std::abs(a[0].as_complex()));
  });
  add("prim::abs.Scalar(Scalar a) -> Scalar", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    const Value& v = a[0];
    if (v.is_int()) {
      const int64_t x = v.as_int();
      return Value::Int(x < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(x)) : x);
    }
    if (v.is_bool()) return Value::Int(v.as_bool() ? 1 : 0);
    if (v.is_complex()) return Value::Float(std::abs(v.as_complex()));
    return Value::Float(std::fabs(v.as_float()));
  });
  add("prim::abs(Tensor x) -> Tensor", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    // |x| = where(x < 0, -x, x) with the existing kernels.
    const Tensor& x = a[0].tensor();
    if (x.dtype() == ScalarType::kBool) return a[0];
    absl::StatusOr<Tensor> neg = Neg(x);
    if (!neg.ok()) return neg.status();
    absl::StatusOr<Tensor> negative = Lt(x, Scalar(int64_t{0}));
    if (!negative.ok()) return negative.status();
    return ops_internal::TensorResult(Where(*negative, *neg, x));
  });

  struct MinMax {
    const char* name;
    bool want_max;
  };
  for (const MinMax mm : {MinMax{"max", true}, MinMax{"min", false}}) {
    const bool want_max = mm.want_max;
    const std::string p = absl::StrCat("prim::", mm.name);
    auto pick_int = [want_max](int64_t x, int64_t y) { return want_max ? std::max(x, y) : std::min(x, y); };
    auto pick_double = [want_max](double x, double y) {
      // std::max/min semantics (NaN in the first argument wins), as c10's.
      return want_max ? std::max(x, y) : std::min(x, y);
    };
    auto schema = [&](absl::string_view tail) { return absl::StrCat(p, tail); };
    add(schema(".int(int a, int b) -> int"), [pick_int](OpContext&, Args a) -> absl::StatusOr<Value> {
      return Value::Int(pick_int(a[0].as_int(), a[1].as_int()));
    });
    add(schema(".float(float a, float b) -> float"),
        [pick_double](OpContext&, Args a) -> absl::StatusOr<Value> {
          return Value::Float(pick_double(a[0].as_float(), a[1].as_float()));
        });
    add(schema(".int_float(int a, float b) -> float"),
        [pick_double](OpContext&, Args a) -> absl::StatusOr<Value> {
          return Value::Float(pick_double(static_cast<double>(a[0].as_int()), a[1].as_float()));
        });
    add(schema(".float_int(float a, int b) -> float"),
        [pick_double](OpContext&, Args a) -> absl::StatusOr<Value> {
          return Value::Float(pick_double(a[0].as_float(), static_cast<double>(a[1].as_int())));
        });
    add(schema("(Scalar a, Scalar b) -> Scalar"),
        [pick_int, pick_double](OpContext&, Args a) -> absl::StatusOr<Value> {
          if (a[0].is_int() && a[1].is_int()) return Value::Int(pick_int(a[0].as_int(), a[1].as_int()));
          return Value::Float(pick_double(ops_internal::ToDouble(a[0]), ops_internal::ToDouble(a[1])));
        });
    for (const char* kind : {"int", "float", "bool"}) {
      add(schema(absl::StrCat(".", kind, "_list(", kind, "[] l, ", kind, "[] r) -> ", kind, "[]")),
          [want_max](OpContext&, Args a) -> absl::StatusOr<Value> {
            return ListMinMax(a[0], a[1], want_max);
          });
      add(schema(absl::StrCat(".self_", kind, "(", kind, "[] self) -> ", kind)),
          [want_max](OpContext&, Args a) { return SelfMinMax(a[0], want_max); });
    }
  }
}

// prim:: control and structure: RaiseException, Uninitialized, casts, IfThenElse, indexing, enums, Print.
void AddPrimControlOps(std::vector<OpDef>& ops) {
  auto add = [&](std::string schema, OpFn fn) { ops.push_back({std::move(schema), std::move(fn)}); };
  add("prim::RaiseException(str msg, str? cls=None) -> ()",
      [](OpContext&, Args a) -> absl::StatusOr<Value> {
        return absl::AbortedError(absl::StrCat(ExceptionName(a[1]), ": ", a[0].as_string()));
      });
  add("prim::Uninitialized() -> Any",
      [](OpContext&, Args) -> absl::StatusOr<Value> { return Value(); });
  add("prim::unchecked_unwrap_optional(t(a)? optional) -> t(a)",
      [](OpContext&, Args a) -> absl::StatusOr<Value> { return a[0]; });
  add("prim::unchecked_cast(t x) -> t",
      [](OpContext&, Args a) -> absl::StatusOr<Value> { return a[0]; });
  add("prim::IfThenElse(bool cond, Any(a) x, Any(b) y) -> Any(b|a)",
      [](OpContext&, Args a) -> absl::StatusOr<Value> { return a[0].as_bool() ? a[1] : a[2]; });
  add("prim::rangelist(int n) -> int[]", [](OpContext& ctx, Args a) -> absl::StatusOr<Value> {
    const int64_t n = std::max<int64_t>(0, a[0].as_int());
    absl::Status s =
        ctx.CheckAllocItems(static_cast<uint64_t>(n), sizeof(Value), "prim::rangelist");
    if (!s.ok()) return s;
    std::vector<Value> items;
    items.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) items.push_back(Value::Int(i));
    return Value::NewList(std::move(items));
  });
  add("prim::StringIndex(str string, int index) -> str",
      [](OpContext&, Args a) -> absl::StatusOr<Value> {
        const std::string& s = a[0].as_string();
        int64_t i = a[1].as_int();
        if (i < 0) i += static_cast<int64_t>(s.size());
        if (i < 0 || i >= static_cast<int64_t>(s.size())) {
          return ops_internal::IndexError("string index out of range");
        }
        return Value::Str(std::string(1, s[static_cast<size_t>(i)]));
      });
  add("prim::TupleIndex(Any tup, int i) -> Any", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    if (!a[0].is_tuple()) return RuntimeError("prim::TupleIndex expects a tuple");
    const Value::Tuple& t = a[0].tuple();
    int64_t i = a[1].as_int();
    if (i < 0) i += static_cast<int64_t>(t.size());
    if (i < 0 || i >= static_cast<int64_t>(t.size())) {
      return ops_internal::IndexError("tuple index out of range");
    }
    return t[static_cast<size_t>(i)];
  });
  add("prim::id(AnyClassType? x) -> int", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    return Value::Int(static_cast<int64_t>(reinterpret_cast<intptr_t>(a[0].identity())));
  });
  add("prim::TupleUnpack(Any tup) -> ...", [](OpContext&, Args a) -> absl::StatusOr<Value> {
    if (!a[0].is_tuple()) return RuntimeError("prim::TupleUnpack expects a tuple");
    return a[0];  // the interpreter spreads the items
  });
  // Enum members: the interpreter's script objects whose attributes are
  // `name` and `value` (as Python's Enum instances).
  auto enum_attr = [](const Value& member, absl::string_view attr) -> absl::StatusOr<Value> {
    const Value* v = nullptr;
    if (member.is_object()) v = member.object().Attribute(attr);
    if (v == nullptr) {
      return RuntimeError(absl::StrCat("expected an enum member with a '", attr, "', got ",
                                       member.TypeName()));
    }
    return *v;
  };
  add("prim::EnumName(AnyEnumType enum) -> str",
      [enum_attr](OpContext&, Args a) { return enum_attr(a[0], "name"); });
  for (const char* kind : {"int", "float", "str"}) {
    add(absl::StrCat("prim::EnumValue.", kind, "(AnyEnumType enum) -> ", kind),
        [enum_attr](OpContext&, Args a) { return enum_attr(a[0], "value"); });
  }
  add("prim::Print(...) -> ()", [](OpContext& ctx, Args a) -> absl::StatusOr<Value> {
    std::string line;
    for (size_t i = 0; i < a.size(); ++i) {
      if (i) line += " ";
      line += ScriptStr(a[i]);
    }
    line += "\n";
    (ctx.out ? *ctx.out : std::cout) << line;
    return Value();
  });
}

std::vector<OpDef> PrimOps() {
  std::vector<OpDef> ops;
  AddPrimTensorOps(ops);
  AddPrimNumberOps(ops);
  AddPrimControlOps(ops);
  return ops;
}

}  // namespace

absl::Status RegisterPrimOps(OperatorRegistry& registry) {
  return ops_internal::RegisterAll(registry, PrimOps());
}

}  // namespace jit
}  // namespace ptser
