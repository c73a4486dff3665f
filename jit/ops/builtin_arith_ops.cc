// Copyright ptser authors.
//
// aten:: arithmetic on ints, floats, complexes, Scalars, and + on lists and
// strings (1.13's overloads in 1.13's order).
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

// Python's floor division and modulo of ints (b != 0).
int64_t FloorDiv(int64_t a, int64_t b) {
  if (b == -1) return WrapSub(0, a);  // INT64_MIN // -1 wraps
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t FloorMod(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// c10's float floor division and remainder (not Python's divmod-based
// ones; they differ only in rounding corner cases and division by zero).
double FloatFloorDiv(double a, double b) { return std::floor(a / b); }
double FloatRemainder(double a, double b) { return std::fmod(b + std::fmod(a, b), b); }

// The ten numeric overload shapes of a binary arithmetic op, in 1.13's
// order: int, complex, float, int_complex, complex_int, float_complex,
// complex_float, int_float, float_int, then (Scalar, Scalar).
struct BinaryArith {
  std::function<Result(int64_t, int64_t)> ints;
  std::function<Result(double, double)> floats;
  std::function<Result(Complex, Complex)> complexes;  // null: no complex overloads
  const char* int_ret;                                // "int" or "float"
  const char* scalar_ret;                             // "Scalar" or "float"
  bool with_mixed_complex = true;
};

void AddBinaryArith(Table& t, const std::string& name, const BinaryArith& op) {
  auto ints = op.ints;
  auto floats = op.floats;
  auto complexes = op.complexes;
  t.Add(absl::StrCat("aten::", name, ".int(int a, int b) -> ", op.int_ret),
        [ints](OpContext&, Args a) { return ints(a[0].as_int(), a[1].as_int()); });
  if (complexes) {
    t.Add(absl::StrCat("aten::", name, ".complex(complex a, complex b) -> complex"),
          [complexes](OpContext&, Args a) { return complexes(a[0].as_complex(), a[1].as_complex()); });
  }
  t.Add(absl::StrCat("aten::", name, ".float(float a, float b) -> float"),
        [floats](OpContext&, Args a) { return floats(a[0].as_float(), a[1].as_float()); });
  if (complexes && op.with_mixed_complex) {
    for (const char* sig : {"int_complex(int a, complex b)", "complex_int(complex a, int b)",
                            "float_complex(float a, complex b)",
                            "complex_float(complex a, float b)"}) {
      t.Add(absl::StrCat("aten::", name, ".", sig, " -> complex"),
            [complexes](OpContext&, Args a) { return complexes(AsComplex(a[0]), AsComplex(a[1])); });
    }
  }
  t.Add(absl::StrCat("aten::", name, ".int_float(int a, float b) -> float"),
        [floats](OpContext&, Args a) { return floats(AsDouble(a[0]), a[1].as_float()); });
  t.Add(absl::StrCat("aten::", name, ".float_int(float a, int b) -> float"),
        [floats](OpContext&, Args a) { return floats(a[0].as_float(), AsDouble(a[1])); });
  const bool scalar_is_float = absl::string_view(op.scalar_ret) == "float";
  t.Add(absl::StrCat("aten::", name, "(Scalar a, Scalar b) -> ", op.scalar_ret),
        [ints, floats, complexes, scalar_is_float](OpContext&, Args a) -> Result {
          if (AnyComplex(a[0], a[1]) && complexes) return complexes(AsComplex(a[0]), AsComplex(a[1]));
          if (BothInts(a[0], a[1]) && !scalar_is_float) return ints(a[0].as_int(), a[1].as_int());
          return floats(AsDouble(a[0]), AsDouble(a[1]));
        });
}

// add (lists and strings first), sub, mul (list repetition first), div.
void AddAddSubMulDiv(Table& t) {
  // aten::add: lists and strings first, as in 1.13.
  t.Add("aten::add.t(t[] a, t[] b) -> t[]", [](OpContext& ctx, Args a) -> Result {
    const std::vector<Value>& x = a[0].list().items();
    const std::vector<Value>& y = a[1].list().items();
    absl::Status s = ctx.CheckAlloc(
        static_cast<int64_t>((x.size() + y.size()) * sizeof(Value)), "aten::add.t");
    if (!s.ok()) return s;
    std::vector<Value> out;
    out.reserve(x.size() + y.size());
    out.insert(out.end(), x.begin(), x.end());
    out.insert(out.end(), y.begin(), y.end());
    return Value::NewList(std::move(out));
  });
  t.Add("aten::add.str(str a, str b) -> str", [](OpContext& ctx, Args a) -> Result {
    const std::string& x = a[0].as_string();
    const std::string& y = a[1].as_string();
    absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(x.size() + y.size()), "aten::add.str");
    if (!s.ok()) return s;
    return Value::Str(x + y);
  });
  AddBinaryArith(t, "add",
                 {[](int64_t a, int64_t b) { return I(WrapAdd(a, b)); },
                  [](double a, double b) { return F(a + b); },
                  [](Complex a, Complex b) { return C(a + b); }, "int", "Scalar"});
  AddBinaryArith(t, "sub",
                 {[](int64_t a, int64_t b) { return I(WrapSub(a, b)); },
                  [](double a, double b) { return F(a - b); },
                  [](Complex a, Complex b) { return C(a - b); }, "int", "Scalar"});
  // aten::mul: list repetition first.
  auto repeat = [](OpContext& ctx, const Value& list, int64_t n) -> Result {
    const std::vector<Value>& x = list.list().items();
    if (n <= 0 || x.empty()) return Value::NewList();
    // Checked before multiplying: a signed overflow is undefined.
    const int64_t size = static_cast<int64_t>(x.size());
    const int64_t max_items = INT64_MAX / static_cast<int64_t>(sizeof(Value));
    if (n > max_items / size) return ctx.CheckAlloc(-1, "aten::mul (list repetition)");
    const int64_t total = size * n;
    absl::Status s = ctx.CheckAlloc(total * static_cast<int64_t>(sizeof(Value)),
                                    "aten::mul (list repetition)");
    if (!s.ok()) return s;
    std::vector<Value> out;
    out.reserve(static_cast<size_t>(total));
    for (int64_t i = 0; i < n; ++i) out.insert(out.end(), x.begin(), x.end());
    return Value::NewList(std::move(out));
  };
  t.Add("aten::mul.left_t(t[] l, int n) -> t[]",
        [repeat](OpContext& ctx, Args a) { return repeat(ctx, a[0], a[1].as_int()); });
  t.Add("aten::mul.right_(int n, t[] l) -> t[]",
        [repeat](OpContext& ctx, Args a) { return repeat(ctx, a[1], a[0].as_int()); });
  AddBinaryArith(t, "mul",
                 {[](int64_t a, int64_t b) { return I(WrapMul(a, b)); },
                  [](double a, double b) { return F(a * b); },
                  [](Complex a, Complex b) { return C(a * b); }, "int", "Scalar"});
  // aten::div: int / int is a float; no mixed overloads in 1.13.
  t.Add("aten::div.int(int a, int b) -> float", [](OpContext&, Args a) {
    return F(static_cast<double>(a[0].as_int()) / static_cast<double>(a[1].as_int()));
  });
  t.Add("aten::div.complex(complex a, complex b) -> complex",
        [](OpContext&, Args a) { return C(a[0].as_complex() / a[1].as_complex()); });
  t.Add("aten::div.float(float a, float b) -> float",
        [](OpContext&, Args a) { return F(a[0].as_float() / a[1].as_float()); });
  t.Add("aten::div(Scalar a, Scalar b) -> float",
        [](OpContext&, Args a) { return F(AsDouble(a[0]) / AsDouble(a[1])); });
}

// floordiv, remainder, pow, neg.
void AddFloorDivRemainderPowNeg(Table& t) {
  // floordiv/remainder: no complex overloads.
  auto int_floordiv = [](int64_t a, int64_t b) -> Result {
    if (b == 0) return RuntimeError("division by 0");
    return I(FloorDiv(a, b));
  };
  for (const char* name : {"floordiv", "remainder"}) {
    const bool is_div = absl::string_view(name) == "floordiv";
    BinaryArith op;
    if (is_div) {
      op.ints = int_floordiv;
      op.floats = [](double a, double b) { return F(FloatFloorDiv(a, b)); };
    } else {
      op.ints = [](int64_t a, int64_t b) -> Result {
        if (b == 0) return ZeroDivisionError("integer division or modulo by zero");
        return I(FloorMod(a, b));
      };
      op.floats = [](double a, double b) { return F(FloatRemainder(a, b)); };
    }
    op.int_ret = "int";
    op.scalar_ret = "Scalar";
    AddBinaryArith(t, name, op);
  }

  // pow: int ** int is a float (pow.int); pow.int_to_int comes last and is
  // only reached by name.
  auto pow_float = [](double a, double b) -> Result {
    if (a == 0.0 && b < 0) return RuntimeError("0.0 cannot be raised to a negative power");
    return F(std::pow(a, b));
  };
  t.Add("aten::pow.int(int a, int b) -> float", [pow_float](OpContext&, Args a) {
    return pow_float(static_cast<double>(a[0].as_int()), static_cast<double>(a[1].as_int()));
  });
  t.Add("aten::pow.complex(complex a, complex b) -> complex",
        [](OpContext&, Args a) { return C(std::pow(a[0].as_complex(), a[1].as_complex())); });
  t.Add("aten::pow.float(float a, float b) -> float",
        [](OpContext&, Args a) { return F(std::pow(a[0].as_float(), a[1].as_float())); });
  t.Add("aten::pow.int_float(int a, float b) -> float",
        [](OpContext&, Args a) { return F(std::pow(AsDouble(a[0]), a[1].as_float())); });
  t.Add("aten::pow.float_int(float a, int b) -> float",
        [](OpContext&, Args a) { return F(std::pow(a[0].as_float(), AsDouble(a[1]))); });
  t.Add("aten::pow.float_complex(float a, complex b) -> complex",
        [](OpContext&, Args a) { return C(std::pow(AsComplex(a[0]), a[1].as_complex())); });
  t.Add("aten::pow.complex_float(complex a, float b) -> complex",
        [](OpContext&, Args a) { return C(std::pow(a[0].as_complex(), AsComplex(a[1]))); });
  t.Add("aten::pow.Scalar_Scalar(Scalar a, Scalar b) -> float", [pow_float](OpContext&, Args a) {
    return pow_float(AsDouble(a[0]), AsDouble(a[1]));
  });
  t.Add("aten::pow.int_to_int(int a, int b) -> int", [](OpContext&, Args a) -> Result {
    int64_t base = a[0].as_int(), exp = a[1].as_int();
    if (exp < 0) return RuntimeError("Integers to negative integer powers are not allowed.");
    uint64_t result = 1, b = static_cast<uint64_t>(base);
    while (exp) {
      if (exp & 1) result *= b;
      b *= b;
      exp >>= 1;
    }
    return I(static_cast<int64_t>(result));
  });

  t.Add("aten::neg.int(int a) -> int", [](OpContext&, Args a) { return I(WrapSub(0, a[0].as_int())); });
  t.Add("aten::neg.float(float a) -> float", [](OpContext&, Args a) { return F(-a[0].as_float()); });
  t.Add("aten::neg.complex(complex a) -> complex",
        [](OpContext&, Args a) { return C(-a[0].as_complex()); });
  t.Add("aten::neg.Scalar(Scalar a) -> Scalar", [](OpContext&, Args a) -> Result {
    if (a[0].is_int()) return I(WrapSub(0, a[0].as_int()));
    if (a[0].is_complex()) return C(-a[0].as_complex());
    return F(-AsDouble(a[0]));
  });
}

// divmod; bitwise and logic operators; shifts.
void AddDivmodBitwise(Table& t) {
  // divmod.
  t.Add("aten::divmod.int(int x, int y) -> (int, int)", [](OpContext&, Args a) -> Result {
    const int64_t x = a[0].as_int(), y = a[1].as_int();
    if (y == 0) return ZeroDivisionError("integer division or modulo by zero");
    return Value::NewTuple({Value::Int(FloorDiv(x, y)), Value::Int(FloorMod(x, y))});
  });
  auto float_divmod = [](double x, double y) -> Result {
    if (y == 0) return ZeroDivisionError("float divmod()");
    const double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    double m = mod;
    if (m != 0 && ((y < 0) != (m < 0))) {
      m += y;
      div -= 1.0;
    }
    return Value::NewTuple({Value::Float(div), Value::Float(m)});
  };
  t.Add("aten::divmod.float(float x, float y) -> (float, float)",
        [float_divmod](OpContext&, Args a) { return float_divmod(a[0].as_float(), a[1].as_float()); });
  t.Add("aten::divmod.int_float(int x, float y) -> (float, float)",
        [float_divmod](OpContext&, Args a) { return float_divmod(AsDouble(a[0]), a[1].as_float()); });
  t.Add("aten::divmod.float_int(float x, int y) -> (float, float)",
        [float_divmod](OpContext&, Args a) { return float_divmod(a[0].as_float(), AsDouble(a[1])); });

  // Bitwise and logic.
  t.Add("aten::__and__.bool(bool a, bool b) -> bool",
        [](OpContext&, Args a) { return B(a[0].as_bool() && a[1].as_bool()); });
  t.Add("aten::__and__.int(int a, int b) -> int",
        [](OpContext&, Args a) { return I(a[0].as_int() & a[1].as_int()); });
  t.Add("aten::__or__.bool(bool a, bool b) -> bool",
        [](OpContext&, Args a) { return B(a[0].as_bool() || a[1].as_bool()); });
  t.Add("aten::__or__.int(int a, int b) -> int",
        [](OpContext&, Args a) { return I(a[0].as_int() | a[1].as_int()); });
  t.Add("aten::__xor__.bool(bool a, bool b) -> bool",
        [](OpContext&, Args a) { return B(a[0].as_bool() != a[1].as_bool()); });
  t.Add("aten::__xor__.int(int a, int b) -> int",
        [](OpContext&, Args a) { return I(a[0].as_int() ^ a[1].as_int()); });
  t.Add("aten::__not__(bool self) -> bool", [](OpContext&, Args a) { return B(!a[0].as_bool()); });
  // Shift counts are taken mod 64, as the x86 shifts 1.13 compiles to.
  t.Add("aten::__lshift__.int(int a, int b) -> int", [](OpContext&, Args a) {
    return I(static_cast<int64_t>(static_cast<uint64_t>(a[0].as_int()) << (a[1].as_int() & 63)));
  });
  t.Add("aten::__rshift__.int(int a, int b) -> int",
        [](OpContext&, Args a) { return I(a[0].as_int() >> (a[1].as_int() & 63)); });
  t.Add("aten::__round_to_zero_floordiv.int(int a, int b) -> int", [](OpContext&, Args a) -> Result {
    if (a[1].as_int() == 0) return RuntimeError("division by 0");
    if (a[1].as_int() == -1) return I(WrapSub(0, a[0].as_int()));
    return I(a[0].as_int() / a[1].as_int());
  });
}

}  // namespace

void AddArithmetic(Table& t) {
  AddAddSubMulDiv(t);
  AddFloorDivRemainderPowNeg(t);
  AddDivmodBitwise(t);
}

// eq/ne/lt/le/gt/ge.

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
