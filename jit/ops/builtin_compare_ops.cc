// Copyright ptser authors.
//
// aten:: comparisons of builtin values (eq, ne, lt, ..., is, not).
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

void AddComparisons(Table& t) {
  struct Cmp {
    const char* name;
    bool (*ints)(int64_t, int64_t);
    bool (*floats)(double, double);
    bool (*strs)(const std::string&, const std::string&);
  };
  const Cmp kCmps[] = {
      {"eq", [](int64_t a, int64_t b) { return a == b; }, [](double a, double b) { return a == b; },
       [](const std::string& a, const std::string& b) { return a == b; }},
      {"ne", [](int64_t a, int64_t b) { return a != b; }, [](double a, double b) { return a != b; },
       [](const std::string& a, const std::string& b) { return a != b; }},
      {"lt", [](int64_t a, int64_t b) { return a < b; }, [](double a, double b) { return a < b; },
       [](const std::string& a, const std::string& b) { return a < b; }},
      {"le", [](int64_t a, int64_t b) { return a <= b; }, [](double a, double b) { return a <= b; },
       [](const std::string& a, const std::string& b) { return a <= b; }},
      {"gt", [](int64_t a, int64_t b) { return a > b; }, [](double a, double b) { return a > b; },
       [](const std::string& a, const std::string& b) { return a > b; }},
      {"ge", [](int64_t a, int64_t b) { return a >= b; }, [](double a, double b) { return a >= b; },
       [](const std::string& a, const std::string& b) { return a >= b; }},
  };
  for (const Cmp& c : kCmps) {
    const std::string n = absl::StrCat("aten::", c.name);
    const bool equality = absl::string_view(c.name) == "eq" || absl::string_view(c.name) == "ne";
    const bool negate = absl::string_view(c.name) == "ne";
    auto ints = c.ints;
    auto floats = c.floats;
    auto strs = c.strs;
    auto list_eq = [negate](OpContext&, Args a) {
      return B(ScriptEquals(a[0], a[1]) != negate);
    };
    if (equality) {
      t.Add(absl::StrCat(n, ".int_list(int[] a, int[] b) -> bool"), list_eq);
      t.Add(absl::StrCat(n, ".device(Device a, Device b) -> bool"), [negate](OpContext&, Args a) {
        return B((a[0].device() == a[1].device()) != negate);
      });
      t.Add(absl::StrCat(n, ".bool(bool a, bool b) -> bool"), [negate](OpContext&, Args a) {
        return B((a[0].as_bool() == a[1].as_bool()) != negate);
      });
      t.Add(absl::StrCat(n, ".enum(AnyEnumType a, AnyEnumType b) -> bool"),
            [negate](OpContext&, Args a) {
              return B((a[0].IsSameObject(a[1]) || ScriptEquals(a[0], a[1])) != negate);
            });
    }
    t.Add(absl::StrCat(n, ".int(int a, int b) -> bool"),
          [ints](OpContext&, Args a) { return B(ints(a[0].as_int(), a[1].as_int())); });
    if (equality) {
      t.Add(absl::StrCat(n, ".complex(complex a, complex b) -> bool"), [negate](OpContext&, Args a) {
        return B((a[0].as_complex() == a[1].as_complex()) != negate);
      });
    }
    t.Add(absl::StrCat(n, ".float(float a, float b) -> bool"),
          [floats](OpContext&, Args a) { return B(floats(a[0].as_float(), a[1].as_float())); });
    t.Add(absl::StrCat(n, ".int_float(int a, float b) -> bool"),
          [floats](OpContext&, Args a) { return B(floats(AsDouble(a[0]), a[1].as_float())); });
    t.Add(absl::StrCat(n, ".float_int(float a, int b) -> bool"),
          [floats](OpContext&, Args a) { return B(floats(a[0].as_float(), AsDouble(a[1]))); });
    if (equality) {
      auto complex_eq = [negate](OpContext&, Args a) {
        return B((AsComplex(a[0]) == AsComplex(a[1])) != negate);
      };
      t.Add(absl::StrCat(n, ".float_complex(float a, complex b) -> bool"), complex_eq);
      t.Add(absl::StrCat(n, ".complex_float(complex a, float b) -> bool"), complex_eq);
    }
    t.Add(absl::StrCat(n, "(Scalar a, Scalar b) -> bool"),
          [ints, floats, negate, equality](OpContext&, Args a) -> Result {
            if (AnyComplex(a[0], a[1])) {
              if (!equality) return RuntimeError("complex numbers are not ordered");
              return B((AsComplex(a[0]) == AsComplex(a[1])) != negate);
            }
            if (BothInts(a[0], a[1])) return B(ints(a[0].as_int(), a[1].as_int()));
            return B(floats(AsDouble(a[0]), AsDouble(a[1])));
          });
    t.Add(absl::StrCat(n, ".str(str a, str b) -> bool"),
          [strs](OpContext&, Args a) { return B(strs(a[0].as_string(), a[1].as_string())); });
    if (equality) {
      for (const char* kind : {"float", "Tensor", "bool", "str"}) {
        t.Add(absl::StrCat(n, ".", kind, "_list(", kind, "[] a, ", kind, "[] b) -> bool"), list_eq);
      }
    }
  }
  t.Add("aten::__is__(t1 self, t2 obj) -> bool",
        [](OpContext&, Args a) { return B(a[0].IsSameObject(a[1])); });
  t.Add("aten::__isnot__(t1 self, t2 obj) -> bool",
        [](OpContext&, Args a) { return B(!a[0].IsSameObject(a[1])); });
}

// int() float() bool() complex() str() and the implicit tensor conversions.

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
