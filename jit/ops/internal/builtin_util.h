// Copyright ptser authors.
//
// Private to //jit/ops:builtin_ops: what its op families share (Python's
// int arithmetic, equality and ordering of values, index and slice rules,
// the table the schemas are added to) and the families themselves, one
// source file each:
//
//   builtin_arith_ops.cc    add, sub, mul, div, floordiv, mod, pow, neg, ...
//   builtin_compare_ops.cc  eq, ne, lt, gt, le, ge, is, not, ...
//   builtin_convert_ops.cc  int(), float(), bool(), str(), complex() and friends
//   builtin_math_ops.cc     aten:: counterparts of Python's math module
//   builtin_list_ops.cc     list methods, len, slicing, sorting, min/max
//   builtin_dict_ops.cc     dict methods and construction
//   builtin_string_ops.cc   str methods, format and percentFormat
//   builtin_ops.cc          the shared helpers below, misc ops, registration
#ifndef PTSER_JIT_OPS_INTERNAL_BUILTIN_UTIL_H_
#define PTSER_JIT_OPS_INTERNAL_BUILTIN_UTIL_H_

#include <complex>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/registry.h"
#include "pickle/value.h"

namespace ptser {
namespace jit {
namespace builtin_internal {

using ops_internal::IndexError;
using ops_internal::KeyError;
using ops_internal::OpDef;
using ops_internal::RuntimeError;
using ops_internal::ScriptStr;
using ops_internal::ValueError;
using ops_internal::ZeroDivisionError;

using Args = absl::Span<Value>;
using Result = absl::StatusOr<Value>;
using Complex = std::complex<double>;

// ------------------------------------------------------------ numbers ---

// int64 arithmetic that wraps (two's complement), as TorchScript's ints.
inline int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

inline bool IsNumber(const Value& v) { return v.is_int() || v.is_float() || v.is_bool(); }

inline int64_t AsInt(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  return static_cast<int64_t>(v.as_float());
}
inline double AsDouble(const Value& v) { return ops_internal::ToDouble(v); }
inline Complex AsComplex(const Value& v) {
  if (v.is_complex()) return v.as_complex();
  return Complex(AsDouble(v), 0.0);
}

// A `Scalar` result from two Scalars: an int when both are ints, else a
// float (c10's scalar binary ops; a bool is not an int there).
inline bool BothInts(const Value& a, const Value& b) { return a.is_int() && b.is_int(); }
inline bool AnyComplex(const Value& a, const Value& b) { return a.is_complex() || b.is_complex(); }

// int(float) as c10 casts it: truncation; NaN and out-of-range values give
// INT64_MIN (what the x86 conversion yields; 1.13 returns that too).
inline int64_t TruncToInt(double d) {
  if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(d);
}

// Python's repr of a str for messages ('b').
std::string PyQuote(absl::string_view s);

// Python's repr of a key for KeyError/ValueError messages.
std::string KeyRepr(const Value& v);

// Equality of TorchScript values: numbers across kinds, strings, None,
// devices, lists/tuples element-wise, tensors by torch.equal (same sizes
// and values).
bool ScriptEquals(const Value& a, const Value& b);

// `<` for sorting and min/max of lists: numbers, strings (bytewise),
// bools, and tuples/lists lexicographically.
absl::StatusOr<bool> ScriptLess(const Value& a, const Value& b);

// A Python index into a sequence of `size`: negative counts from the end.
inline bool WrapIndex(int64_t* i, size_t size) {
  if (*i < 0) *i += static_cast<int64_t>(size);
  return *i >= 0 && *i < static_cast<int64_t>(size);
}

// Python's slice bounds: (start, stop, step) to the indices it visits.
absl::StatusOr<std::vector<size_t>> SliceIndices(const Value& start_v, const Value& end_v,
                                                 int64_t step, size_t size);

// c10's find over [start, end) of `s` (end -1: the end), as a position in
// `s` or -1.
int64_t StringFind(const std::string& s, const std::string& sub, int64_t start, int64_t end,
                   bool reverse);

// s[start:end] with c10's clamping (end -1: the end).
std::string SubstrForTest(const std::string& s, int64_t start, int64_t end);

// ------------------------------------------------------------- tables ---

class Table {
 public:
  void Add(std::string schema, OpFn fn) { ops_.push_back({std::move(schema), std::move(fn)}); }
  std::vector<OpDef> Take() { return std::move(ops_); }

 private:
  std::vector<OpDef> ops_;
};

inline Result F(double d) { return Value::Float(d); }
inline Result I(int64_t i) { return Value::Int(i); }
inline Result B(bool b) { return Value::Bool(b); }
inline Result C(Complex c) { return Value::Complex(c); }

// The families, added in this order (1.13's order within a name).
void AddArithmetic(Table& t);
void AddComparisons(Table& t);
void AddConversions(Table& t);
void AddMath(Table& t);
void AddLists(Table& t);
void AddDicts(Table& t);
void AddStrings(Table& t);
void AddMisc(Table& t);

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_INTERNAL_BUILTIN_UTIL_H_
