// Copyright ptser authors.
//
// aten:: conversions: int(), float(), bool(), str(), complex(), and the
// implicit ones from one-element tensors.
#include "jit/ops/builtin_ops.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cctype>
#include <complex>
#include <functional>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "jit/ops/internal/builtin_util.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/types.h"
#include "tensor/cast.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace builtin_internal {

namespace {

// Python's int() of a string, as c10 reads it (std::stoll over the whole
// text: leading whitespace and a sign allowed, nothing after the digits).
Result IntFromString(const std::string& s) {
  const std::string message =
      absl::StrCat("invalid literal for int() with base 10: ", PyQuote(s));
  if (s.empty()) return ValueError(message);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0' || errno == ERANGE) return ValueError(message);
  // strtoll accepts what stoll does; both skip leading spaces.
  return Value::Int(v);
}

Result FloatFromString(const std::string& s) {
  const std::string message = absl::StrCat("could not convert string to float: ", PyQuote(s));
  if (s.empty()) return ValueError(message);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return ValueError(message);
  return Value::Float(d);
}

absl::StatusOr<Scalar> TensorItem(const Tensor& t) {
  if (t.numel() != 1) {
    return RuntimeError(absl::StrCat("a Tensor with ", t.numel(),
                                     " elements cannot be converted to Scalar"));
  }
  std::vector<int64_t> index(t.sizes().size(), 0);
  return GetElement(t, index);
}

// aten::IntImplicit & co: a 0-dim tensor as a number (what schema matching
// inserts for a tensor passed where a number is expected).
Result ImplicitFromTensor(const Tensor& t, Type::Kind kind) {
  if (t.dim() != 0) {
    return RuntimeError("Cannot input a tensor of dimension other than 0 as a scalar argument");
  }
  return ConvertToType(Value::FromTensor(t), *Type::Get(kind));
}

}  // namespace

void AddConversions(Table& t) {
  t.Add("aten::Int.Tensor(Tensor a) -> int", [](OpContext&, Args a) -> Result {
    absl::StatusOr<Scalar> s = TensorItem(a[0].tensor());
    if (!s.ok()) return s.status();
    if (s->is_floating_point()) return I(TruncToInt(s->to_double()));
    return I(s->to_int64());
  });
  t.Add("aten::Int.bool(bool a) -> int", [](OpContext&, Args a) { return I(a[0].as_bool() ? 1 : 0); });
  t.Add("aten::Int.float(float a) -> int",
        [](OpContext&, Args a) { return I(TruncToInt(a[0].as_float())); });
  t.Add("aten::Int.Scalar(Scalar a) -> int", [](OpContext&, Args a) -> Result {
    if (a[0].is_float()) return I(TruncToInt(a[0].as_float()));
    if (a[0].is_complex()) return I(TruncToInt(a[0].as_complex().real()));
    return I(AsInt(a[0]));
  });
  t.Add("aten::Int.str(str a) -> int", [](OpContext&, Args a) { return IntFromString(a[0].as_string()); });
  t.Add("aten::Float.Tensor(Tensor a) -> float", [](OpContext&, Args a) -> Result {
    absl::StatusOr<Scalar> s = TensorItem(a[0].tensor());
    if (!s.ok()) return s.status();
    return F(s->to_double());
  });
  t.Add("aten::Float.Scalar(Scalar a) -> float", [](OpContext&, Args a) -> Result {
    if (a[0].is_complex()) return F(a[0].as_complex().real());
    return F(AsDouble(a[0]));
  });
  t.Add("aten::Float.int(int a) -> float",
        [](OpContext&, Args a) { return F(static_cast<double>(a[0].as_int())); });
  t.Add("aten::Float.bool(bool a) -> float", [](OpContext&, Args a) { return F(a[0].as_bool() ? 1 : 0); });
  t.Add("aten::Float.str(str a) -> float",
        [](OpContext&, Args a) { return FloatFromString(a[0].as_string()); });
  t.Add("aten::Bool.Tensor(Tensor a) -> bool", [](OpContext&, Args a) -> Result {
    absl::StatusOr<Scalar> s = TensorItem(a[0].tensor());
    if (!s.ok()) return s.status();
    return B(s->to_bool());
  });
  t.Add("aten::Bool.int(int a) -> bool", [](OpContext&, Args a) { return B(a[0].as_int() != 0); });
  t.Add("aten::Bool.float(float a) -> bool", [](OpContext&, Args a) { return B(a[0].as_float() != 0); });
  t.Add("aten::Complex.Scalar(Scalar a) -> complex", [](OpContext&, Args a) { return C(AsComplex(a[0])); });
  for (const char* sig : {"int_bool(int x, bool y)", "bool_int(bool x, int y)", "float_bool(float x, bool y)",
                          "bool_float(bool x, float y)", "float_int(float x, int y)",
                          "int_float(int x, float y)", "int_int(int x, int y)", "bool_bool(bool x, bool y)",
                          "float_float(float x, float y)"}) {
    t.Add(absl::StrCat("aten::Complex.", sig, " -> complex"),
          [](OpContext&, Args a) { return C(Complex(AsDouble(a[0]), AsDouble(a[1]))); });
  }
  t.Add("aten::str(t elem) -> str", [](OpContext&, Args a) { return Value::Str(ScriptStr(a[0])); });
  t.Add("aten::ScalarImplicit(Tensor a) -> Scalar",
        [](OpContext&, Args a) { return ImplicitFromTensor(a[0].tensor(), Type::Kind::kNumber); });
  t.Add("aten::IntImplicit(Tensor a) -> int",
        [](OpContext&, Args a) { return ImplicitFromTensor(a[0].tensor(), Type::Kind::kInt); });
  t.Add("aten::FloatImplicit(Tensor a) -> float",
        [](OpContext&, Args a) { return ImplicitFromTensor(a[0].tensor(), Type::Kind::kFloat); });
  t.Add("aten::ComplexImplicit(Tensor a) -> complex",
        [](OpContext&, Args a) { return ImplicitFromTensor(a[0].tensor(), Type::Kind::kComplex); });
}

// math.*: the .int/.float/.complex/.Scalar overloads of unary functions.

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
