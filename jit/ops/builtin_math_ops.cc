// Copyright ptser authors.
//
// aten:: counterparts of Python's math module on ints and floats.
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

// floor, ceil, round.
void AddRounding(Table& t) {
  t.Add("aten::floor.int(int a) -> int", [](OpContext&, Args a) { return I(a[0].as_int()); });
  t.Add("aten::floor.float(float a) -> int",
        [](OpContext&, Args a) { return I(TruncToInt(std::floor(a[0].as_float()))); });
  t.Add("aten::floor.Scalar(Scalar a) -> Scalar", [](OpContext&, Args a) -> Result {
    if (a[0].is_int()) return a[0];
    return I(TruncToInt(std::floor(AsDouble(a[0]))));
  });
  t.Add("aten::ceil.int(int a) -> int", [](OpContext&, Args a) { return I(a[0].as_int()); });
  t.Add("aten::ceil.float(float a) -> int",
        [](OpContext&, Args a) { return I(TruncToInt(std::ceil(a[0].as_float()))); });
  t.Add("aten::ceil.Scalar(Scalar a) -> Scalar", [](OpContext&, Args a) -> Result {
    if (a[0].is_int()) return a[0];
    return I(TruncToInt(std::ceil(AsDouble(a[0]))));
  });
  // round() rounds half to even (std::nearbyint), as 1.13.
  t.Add("aten::round.int(int a) -> float",
        [](OpContext&, Args a) { return F(static_cast<double>(a[0].as_int())); });
  t.Add("aten::round.float(float a) -> float",
        [](OpContext&, Args a) { return F(std::nearbyint(a[0].as_float())); });
  t.Add("aten::round.Scalar(Scalar a) -> Scalar", [](OpContext&, Args a) -> Result {
    if (a[0].is_int()) return F(static_cast<double>(a[0].as_int()));
    return F(std::nearbyint(AsDouble(a[0])));
  });
}

// One-argument math functions (sqrt, log, exp, trigonometry, erf, gamma, ...), isnan/isinf/isfinite.
void AddUnaryMath(Table& t) {
  struct Unary {
    const char* name;
    double (*real)(double);
    Complex (*complex)(const Complex&);  // null: no complex overload
  };
  const Unary kUnary[] = {
      {"sqrt", [](double x) { return std::sqrt(x); }, [](const Complex& x) { return std::sqrt(x); }},
      {"log", [](double x) { return std::log(x); }, [](const Complex& x) { return std::log(x); }},
      {"exp", [](double x) { return std::exp(x); }, [](const Complex& x) { return std::exp(x); }},
      {"log10", [](double x) { return std::log10(x); }, [](const Complex& x) { return std::log10(x); }},
      {"log1p", [](double x) { return std::log1p(x); }, nullptr},
      {"sin", [](double x) { return std::sin(x); }, [](const Complex& x) { return std::sin(x); }},
      {"cos", [](double x) { return std::cos(x); }, [](const Complex& x) { return std::cos(x); }},
      {"tan", [](double x) { return std::tan(x); }, [](const Complex& x) { return std::tan(x); }},
      {"tanh", [](double x) { return std::tanh(x); }, [](const Complex& x) { return std::tanh(x); }},
      {"asin", [](double x) { return std::asin(x); }, [](const Complex& x) { return std::asin(x); }},
      {"acos", [](double x) { return std::acos(x); }, [](const Complex& x) { return std::acos(x); }},
      {"atan", [](double x) { return std::atan(x); }, [](const Complex& x) { return std::atan(x); }},
      {"sinh", [](double x) { return std::sinh(x); }, [](const Complex& x) { return std::sinh(x); }},
      {"cosh", [](double x) { return std::cosh(x); }, [](const Complex& x) { return std::cosh(x); }},
      {"asinh", [](double x) { return std::asinh(x); }, [](const Complex& x) { return std::asinh(x); }},
      {"acosh", [](double x) { return std::acosh(x); }, [](const Complex& x) { return std::acosh(x); }},
      {"atanh", [](double x) { return std::atanh(x); }, [](const Complex& x) { return std::atanh(x); }},
      {"erf", [](double x) { return std::erf(x); }, nullptr},
      {"erfc", [](double x) { return std::erfc(x); }, nullptr},
      {"expm1", [](double x) { return std::expm1(x); }, nullptr},
      {"fabs", [](double x) { return std::fabs(x); }, nullptr},
      {"gamma", [](double x) { return std::tgamma(x); }, nullptr},
      {"lgamma", [](double x) { return std::lgamma(x); }, nullptr},
      {"degrees", [](double x) { return x * 57.295779513082320876798154814105; }, nullptr},
      {"radians", [](double x) { return x / 57.295779513082320876798154814105; }, nullptr},
  };
  for (const Unary& u : kUnary) {
    const std::string n = absl::StrCat("aten::", u.name);
    auto real = u.real;
    auto complex = u.complex;
    t.Add(absl::StrCat(n, ".int(int a) -> float"),
          [real](OpContext&, Args a) { return F(real(static_cast<double>(a[0].as_int()))); });
    t.Add(absl::StrCat(n, ".float(float a) -> float"),
          [real](OpContext&, Args a) { return F(real(a[0].as_float())); });
    if (complex) {
      t.Add(absl::StrCat(n, ".complex(complex a) -> complex"),
            [complex](OpContext&, Args a) { return C(complex(a[0].as_complex())); });
    }
    t.Add(absl::StrCat(n, ".Scalar(Scalar a) -> Scalar"), [real, complex](OpContext&, Args a) -> Result {
      if (a[0].is_complex() && complex) return C(complex(a[0].as_complex()));
      return F(real(AsDouble(a[0])));
    });
    if (absl::string_view(u.name) == "log") {
      // log(x, base).
      auto log_base = [](OpContext&, Args a) -> Result {
        if (a[0].is_complex() || a[1].is_complex()) {
          return C(std::log(AsComplex(a[0])) / std::log(AsComplex(a[1])));
        }
        return F(std::log(AsDouble(a[0])) / std::log(AsDouble(a[1])));
      };
      for (const char* sig : {"int_int(int a, int b) -> float", "float_float(float a, float b) -> float",
                              "complex_complex(complex a, complex b) -> complex",
                              "int_float(int a, float b) -> float", "float_int(float a, int b) -> float",
                              "int_complex(int a, complex b) -> complex",
                              "complex_int(complex a, int b) -> complex",
                              "float_complex(float a, complex b) -> complex",
                              "complex_float(complex a, float b) -> complex",
                              "Scalar_Scalar(Scalar a, Scalar b) -> float"}) {
        t.Add(absl::StrCat(n, ".", sig), log_base);
      }
    }
  }
  for (const char* name : {"isnan", "isinf", "isfinite"}) {
    const std::string n(name);
    auto test = [n](double x) {
      return n == "isnan" ? std::isnan(x) : n == "isinf" ? std::isinf(x) : std::isfinite(x);
    };
    t.Add(absl::StrCat("aten::", name, ".float(float a) -> bool"),
          [test](OpContext&, Args a) { return B(test(a[0].as_float())); });
    t.Add(absl::StrCat("aten::", name, ".complex(complex a) -> bool"), [n, test](OpContext&, Args a) {
      const Complex c = a[0].as_complex();
      if (n == "isfinite") return B(test(c.real()) && test(c.imag()));
      return B(test(c.real()) || test(c.imag()));
    });
  }
}

// Two-argument math functions (atan2, copysign, remainder, fmod), factorial, gcd, modf, frexp, ldexp, __range_length, __derive_index.
void AddBinaryMath(Table& t) {
  auto binary_float = [&t](const char* name, double (*f)(double, double)) {
    const std::string n = absl::StrCat("aten::", name);
    auto call = [f](OpContext&, Args a) { return F(f(AsDouble(a[0]), AsDouble(a[1]))); };
    t.Add(absl::StrCat(n, ".int(int a, int b) -> float"), call);
    t.Add(absl::StrCat(n, ".float(float a, float b) -> float"), call);
    t.Add(absl::StrCat(n, ".int_float(int a, float b) -> float"), call);
    t.Add(absl::StrCat(n, ".float_int(float a, int b) -> float"), call);
    const bool scalar_overload_named =
        absl::string_view(name) == "atan2";  // atan2.Scalar_Scalar; the rest unnamed
    t.Add(absl::StrCat(n, scalar_overload_named ? ".Scalar_Scalar" : "", "(Scalar a, Scalar b) -> float"),
          call);
  };
  binary_float("atan2", [](double a, double b) { return std::atan2(a, b); });
  binary_float("copysign", [](double a, double b) { return std::copysign(a, b); });
  binary_float("mathremainder", [](double a, double b) { return std::remainder(a, b); });
  binary_float("fmod", [](double a, double b) { return std::fmod(a, b); });
  t.Add("aten::factorial.int(int a) -> int", [](OpContext&, Args a) -> Result {
    const int64_t n = a[0].as_int();
    if (n < 0) return ValueError("factorial() not defined for negative values");
    // Modulo 2^64, as c10 computes it; from 66 on the product has 64 factors
    // of two and is 0, so the loop stops there.
    uint64_t r = 1;
    for (int64_t i = 2; i <= std::min<int64_t>(n, 66); ++i) r *= static_cast<uint64_t>(i);
    return I(static_cast<int64_t>(r));
  });
  t.Add("aten::gcd.int(int a, int b) -> int", [](OpContext&, Args a) {
    // |v| in uint64 (llabs(INT64_MIN) is undefined).
    auto magnitude = [](int64_t v) {
      return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    };
    uint64_t x = magnitude(a[0].as_int());
    uint64_t y = magnitude(a[1].as_int());
    while (y) {
      const uint64_t r = x % y;
      x = y;
      y = r;
    }
    return I(static_cast<int64_t>(x));
  });
  t.Add("aten::modf(float a) -> (float, float)", [](OpContext&, Args a) -> Result {
    double whole = 0;
    const double frac = std::modf(a[0].as_float(), &whole);
    return Value::NewTuple({Value::Float(frac), Value::Float(whole)});
  });
  t.Add("aten::frexp(float a) -> (float, int)", [](OpContext&, Args a) -> Result {
    int e = 0;
    const double m = std::frexp(a[0].as_float(), &e);
    return Value::NewTuple({Value::Float(m), Value::Int(e)});
  });
  t.Add("aten::ldexp(float x, int i) -> float", [](OpContext&, Args a) {
    return F(std::ldexp(a[0].as_float(), static_cast<int>(std::clamp<int64_t>(a[1].as_int(), -100000, 100000))));
  });
  t.Add("aten::__range_length(int lo, int hi, int step) -> int", [](OpContext&, Args a) -> Result {
    const int64_t lo = a[0].as_int(), hi = a[1].as_int(), step = a[2].as_int();
    if (step == 0) return ValueError("range() arg 3 must not be zero");
    // In uint64: hi - lo and -step may not fit int64.
    uint64_t length = 0;
    if (step > 0 && lo < hi) {
      const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) - 1;
      length = 1 + span / static_cast<uint64_t>(step);
    } else if (step < 0 && lo > hi) {
      const uint64_t span = static_cast<uint64_t>(lo) - static_cast<uint64_t>(hi) - 1;
      length = 1 + span / (0 - static_cast<uint64_t>(step));
    }
    if (length > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return RuntimeError("OverflowError: range() result has too many items");
    }
    return I(static_cast<int64_t>(length));
  });
  t.Add("aten::__derive_index(int index, int start, int step) -> int", [](OpContext&, Args a) {
    return I(WrapAdd(a[1].as_int(), WrapMul(a[0].as_int(), a[2].as_int())));
  });
}

}  // namespace

void AddMath(Table& t) {
  AddRounding(t);
  AddUnaryMath(t);
  AddBinaryMath(t);
}

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
