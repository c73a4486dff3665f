// Copyright ptser authors.
//
// The builtin-value operators.  Each schema is PyTorch 1.13's, registered
// in 1.13's order within a name (overloads are tried in that order).
// Errors: Python's exception class and message ("IndexError: list index
// out of range", "ZeroDivisionError: integer division or modulo by zero");
// values: 1.13's (ints wrap, `2 ** 3` is 8.0, round() rounds half to even,
// dict.popitem() takes the first item, str(3.0) is "3.").
//
// The families are one source file each (internal/builtin_util.h lists
// them); this file has what they share, the misc ops and the registration.

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

#include "absl/container/flat_hash_set.h"
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

bool TensorEqual(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes()) return false;
  if (a.IsSameAs(b)) return true;
  if (IsComplex(a.dtype()) || IsComplex(b.dtype())) {
    absl::StatusOr<std::vector<Complex>> x = ToVector<Complex>(a), y = ToVector<Complex>(b);
    return x.ok() && y.ok() && *x == *y;
  }
  absl::StatusOr<std::vector<double>> x = ToVector<double>(a), y = ToVector<double>(b);
  return x.ok() && y.ok() && *x == *y;
}

}  // namespace

// Python's repr of a str for messages ('b').
std::string PyQuote(absl::string_view s) {
  const bool use_double = s.find('\'') != absl::string_view::npos && s.find('"') == absl::string_view::npos;
  const char q = use_double ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == q || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out.push_back(q);
  return out;
}

// Python's repr of a key for KeyError/ValueError messages.
std::string KeyRepr(const Value& v) {
  if (v.is_str()) return PyQuote(v.as_string());
  return ScriptStr(v);
}

// ------------------------------------------------------- comparisons ---

namespace {

// Nesting ScriptEquals and ScriptLess follow before giving up, as
// ValuesEqual does (pickle/value.h): a list may contain itself.
constexpr int kMaxCompareDepth = 1000;

// Pairs of lists/tuples already found equal in one comparison, so that a
// value sharing its parts (`x = [x, x]` thirty times) compares in time
// linear in its distinct parts rather than in its 2^30 paths.
using EqualPairs = absl::flat_hash_set<std::pair<const void*, const void*>>;

bool EqualsAt(const Value& a, const Value& b, int depth, EqualPairs* seen) {
  if ((IsNumber(a) || a.is_complex()) && (IsNumber(b) || b.is_complex())) {
    if (a.is_complex() || b.is_complex()) return AsComplex(a) == AsComplex(b);
    if (a.is_float() || b.is_float()) return AsDouble(a) == AsDouble(b);
    return AsInt(a) == AsInt(b);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kStr:
      return a.as_string() == b.as_string();
    case Value::Kind::kDevice:
      return a.device() == b.device();
    case Value::Kind::kTensor:
      return TensorEqual(a.tensor(), b.tensor());
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      // The same list on both sides is equal to itself (c10's list
      // comparison checks identity first, as Python's does), which also
      // ends comparing a list that contains itself.  Nesting past
      // kMaxCompareDepth compares unequal (as ValuesEqual's).
      if (a.is_list() && a.IsSameObject(b)) return true;
      if (depth >= kMaxCompareDepth) return false;
      absl::Span<const Value> x = a.sequence_items(), y = b.sequence_items();
      if (x.size() != y.size()) return false;
      const std::pair<const void*, const void*> key(a.identity(), b.identity());
      if (seen->contains(key)) return true;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!EqualsAt(x[i], y[i], depth + 1, seen)) return false;
      }
      seen->insert(key);
      return true;
    }
    default:
      return ValuesEqual(a, b);
  }
}

absl::StatusOr<bool> LessAt(const Value& a, const Value& b, int depth, EqualPairs* seen) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.is_float() || b.is_float()) return AsDouble(a) < AsDouble(b);
    return AsInt(a) < AsInt(b);
  }
  if (a.is_str() && b.is_str()) return a.as_string() < b.as_string();
  if (a.is_sequence() && b.is_sequence()) {
    if (depth >= kMaxCompareDepth) {
      return RuntimeError("RecursionError: maximum recursion depth exceeded in comparison");
    }
    absl::Span<const Value> x = a.sequence_items(), y = b.sequence_items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (EqualsAt(x[i], y[i], depth + 1, seen)) continue;
      return LessAt(x[i], y[i], depth + 1, seen);
    }
    return x.size() < y.size();
  }
  return RuntimeError(absl::StrCat("'<' is not supported between instances of '", a.TypeName(),
                                   "' and '", b.TypeName(), "'"));
}

}  // namespace

bool ScriptEquals(const Value& a, const Value& b) {
  EqualPairs seen;
  return EqualsAt(a, b, 0, &seen);
}

// `<` for sorting and min/max of lists: numbers, strings (bytewise),
// bools, and tuples/lists lexicographically.
absl::StatusOr<bool> ScriptLess(const Value& a, const Value& b) {
  EqualPairs seen;
  return LessAt(a, b, 0, &seen);
}

// ------------------------------------------------------------- lists ---

// Python's slice bounds: (start, stop, step) to the indices it visits.
absl::StatusOr<std::vector<size_t>> SliceIndices(const Value& start_v, const Value& end_v,
                                                 int64_t step, size_t size) {
  if (step == 0) return ValueError("slice step cannot be zero");
  const int64_t n = static_cast<int64_t>(size);
  auto clamp = [&](const Value& v, bool is_start) -> int64_t {
    if (v.is_none()) {
      if (step > 0) return is_start ? 0 : n;
      return is_start ? n - 1 : -1;
    }
    int64_t i = v.as_int();
    if (i < 0) {
      i += n;
      if (i < 0) i = step > 0 ? 0 : -1;
    } else if (i >= n) {
      i = step > 0 ? n : n - 1;
    }
    return i;
  };
  const int64_t start = clamp(start_v, true), stop = clamp(end_v, false);
  std::vector<size_t> out;
  // Stepped without overflow: the next index is taken only while it stays
  // short of `stop` (a step near INT64_MAX would wrap `i += step`).
  if (step > 0) {
    for (int64_t i = start; i < stop; i += step) {
      out.push_back(static_cast<size_t>(i));
      if (step >= stop - i) break;
    }
  } else {
    for (int64_t i = start; i > stop; i += step) {
      out.push_back(static_cast<size_t>(i));
      if (step <= stop - i) break;
    }
  }
  return out;
}

// ----------------------------------------------------------- strings ---

// c10's find over [start, end) of `s` (end -1: the end), as a position in
// `s` or -1.
int64_t StringFind(const std::string& s, const std::string& sub, int64_t start, int64_t end,
                   bool reverse) {
  const int64_t size = static_cast<int64_t>(s.size());
  if (start < 0) start = std::max<int64_t>(0, size + start);
  if (end < 0) end = std::max<int64_t>(0, size + end + 1);
  if (end > size) end = size;
  const std::string part = end > start ? s.substr(static_cast<size_t>(start),
                                                  static_cast<size_t>(end - start))
                                       : std::string();
  if (part.size() < sub.size()) return -1;
  const size_t pos = reverse ? part.rfind(sub) : part.find(sub);
  return pos == std::string::npos ? -1 : static_cast<int64_t>(pos) + start;
}

std::string SubstrForTest(const std::string& s, int64_t start, int64_t end) {
  const int64_t size = static_cast<int64_t>(s.size());
  if (start < 0) start = std::max<int64_t>(0, size + start);
  if (end < 0) end = std::max<int64_t>(0, size + end + 1);
  if (end > size) end = size;
  if (start >= end) return std::string();
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
}

void AddMisc(Table& t) {
  t.Add("aten::warn(str message, int stacklevel=2) -> ()", [](OpContext&, Args a) -> Result {
    std::cerr << "UserWarning: " << a[0].as_string() << "\n";
    return Value();
  });
  t.Add("aten::device(str a) -> Device", [](OpContext&, Args a) -> Result {
    absl::StatusOr<Device> d = Device::Parse(a[0].as_string());
    if (!d.ok()) return RuntimeError(d.status().message());
    return Value::FromDevice(*d);
  });
  t.Add("aten::is_autocast_enabled() -> bool", [](OpContext&, Args) { return B(false); });
  t.Add("aten::is_grad_enabled() -> bool",
        [](OpContext& ctx, Args) { return B(ctx.grad_enabled); });
  t.Add("aten::set_grad_enabled(bool val) -> ()", [](OpContext& ctx, Args a) -> Result {
    ctx.grad_enabled = a[0].as_bool();
    return Value();
  });
}

}  // namespace builtin_internal

namespace {

std::vector<ops_internal::OpDef> BuiltinOps() {
  builtin_internal::Table t;
  builtin_internal::AddArithmetic(t);
  builtin_internal::AddComparisons(t);
  builtin_internal::AddConversions(t);
  builtin_internal::AddMath(t);
  builtin_internal::AddLists(t);
  builtin_internal::AddDicts(t);
  builtin_internal::AddStrings(t);
  builtin_internal::AddMisc(t);
  return t.Take();
}

}  // namespace

absl::Status RegisterBuiltinOps(OperatorRegistry& registry) {
  return ops_internal::RegisterAll(registry, BuiltinOps());
}

}  // namespace jit
}  // namespace ptser
