// Copyright ptser authors.
//
// The builtin-value operators.  Each schema is PyTorch 1.13's, registered
// in 1.13's order within a name (overloads are tried in that order).
// Errors: Python's exception class and message ("IndexError: list index
// out of range", "ZeroDivisionError: integer division or modulo by zero");
// values: 1.13's (ints wrap, `2 ** 3` is 8.0, round() rounds half to even,
// dict.popitem() takes the first item, str(3.0) is "3.").

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
#include "jit/ops/internal/op_util.h"
#include "jit/ops/types.h"
#include "tensor/cast.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace {

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
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

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

bool IsNumber(const Value& v) { return v.is_int() || v.is_float() || v.is_bool(); }

int64_t AsInt(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  return static_cast<int64_t>(v.as_float());
}
double AsDouble(const Value& v) { return ops_internal::ToDouble(v); }
Complex AsComplex(const Value& v) {
  if (v.is_complex()) return v.as_complex();
  return Complex(AsDouble(v), 0.0);
}

// A `Scalar` result from two Scalars: an int when both are ints, else a
// float (c10's scalar binary ops; a bool is not an int there).
bool BothInts(const Value& a, const Value& b) { return a.is_int() && b.is_int(); }
bool AnyComplex(const Value& a, const Value& b) { return a.is_complex() || b.is_complex(); }

// int(float) as c10 casts it: truncation; NaN and out-of-range values give
// INT64_MIN (what the x86 conversion yields; 1.13 returns that too).
int64_t TruncToInt(double d) {
  if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(d);
}

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

// Equality of TorchScript values: numbers across kinds, strings, None,
// devices, lists/tuples element-wise, tensors by torch.equal (same sizes
// and values).
bool ScriptEquals(const Value& a, const Value& b);

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

bool ScriptEquals(const Value& a, const Value& b) {
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
      absl::Span<const Value> x = a.sequence_items(), y = b.sequence_items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!ScriptEquals(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return ValuesEqual(a, b);
  }
}

// `<` for sorting and min/max of lists: numbers, strings (bytewise),
// bools, and tuples/lists lexicographically.
absl::StatusOr<bool> ScriptLess(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.is_float() || b.is_float()) return AsDouble(a) < AsDouble(b);
    return AsInt(a) < AsInt(b);
  }
  if (a.is_str() && b.is_str()) return a.as_string() < b.as_string();
  if (a.is_sequence() && b.is_sequence()) {
    absl::Span<const Value> x = a.sequence_items(), y = b.sequence_items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (ScriptEquals(x[i], y[i])) continue;
      return ScriptLess(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  return RuntimeError(absl::StrCat("'<' is not supported between instances of '", a.TypeName(),
                                   "' and '", b.TypeName(), "'"));
}

// ------------------------------------------------------------- lists ---

// A Python index into a sequence of `size`: negative counts from the end.
bool WrapIndex(int64_t* i, size_t size) {
  if (*i < 0) *i += static_cast<int64_t>(size);
  return *i >= 0 && *i < static_cast<int64_t>(size);
}

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
  if (step > 0) {
    for (int64_t i = start; i < stop; i += step) out.push_back(static_cast<size_t>(i));
  } else {
    for (int64_t i = start; i > stop; i += step) out.push_back(static_cast<size_t>(i));
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

bool IsPySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         c == '\x1c' || c == '\x1d' || c == '\x1e' || c == '\x1f';
}

template <typename Pred>
bool AllChars(const std::string& s, Pred pred) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

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

// ------------------------------------------------------ format strings ---

// aten::format: each "{}" takes the next argument (TorchScript's str() of
// it); other braces are literal; extra arguments are ignored.
Result Format(Args a) {
  const std::string& fmt = a[0].as_string();
  std::string out;
  size_t begin = 0, used = 0;
  while (true) {
    const size_t loc = fmt.find("{}", begin);
    if (loc == std::string::npos) {
      out.append(fmt, begin, std::string::npos);
      break;
    }
    out.append(fmt, begin, loc - begin);
    if (1 + used >= a.size()) {
      return RuntimeError(absl::StrCat("Too few arguments for format string: ", fmt));
    }
    out += ScriptStr(a[1 + used]);
    ++used;
    begin = loc + 2;
  }
  return Value::Str(std::move(out));
}

// c10's tag name of a value, for percentFormat's messages.
absl::string_view TagKind(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNone: return "None";
    case Value::Kind::kBool: return "Bool";
    case Value::Kind::kInt: return "Int";
    case Value::Kind::kFloat: return "Double";
    case Value::Kind::kComplex: return "ComplexDouble";
    case Value::Kind::kStr: return "String";
    case Value::Kind::kTensor: return "Tensor";
    case Value::Kind::kList: return "GenericList";
    case Value::Kind::kTuple: return "Tuple";
    case Value::Kind::kDict: return "GenericDict";
    case Value::Kind::kDevice: return "Device";
    default: return "Object";
  }
}

// aten::percentFormat: `"%d items" % n`.  The second argument is the tuple
// of values, or one value.  %d %i %e %f %c %s and %%; anything else
// (widths, %g, %x) is an error, as in 1.13.
Result PercentFormat(Args a) {
  const std::string& fmt = a[0].as_string();
  std::vector<Value> args;
  if (a.size() > 1) {
    if (a[1].is_tuple()) {
      for (const Value& v : a[1].tuple()) args.push_back(v);
    } else {
      args.push_back(a[1]);
    }
  }
  std::string out;
  size_t begin = 0, used = 0;
  while (true) {
    const size_t pct = fmt.find('%', begin);
    if (pct == std::string::npos) {
      out.append(fmt, begin, std::string::npos);
      break;
    }
    out.append(fmt, begin, pct - begin);
    if (pct + 1 >= fmt.size()) return RuntimeError("Incomplete format specifier");
    const char spec = fmt[pct + 1];
    begin = pct + 2;
    if (spec == '%') {
      out.push_back('%');
      continue;
    }
    if (spec != 'd' && spec != 'i' && spec != 'e' && spec != 'f' && spec != 'c' && spec != 's') {
      return RuntimeError(absl::StrCat("The specifier %", std::string(1, spec),
                                       " is not supported in TorchScript format strings"));
    }
    if (used >= args.size()) return RuntimeError("Too few arguments for format string");
    const Value& arg = args[used++];
    switch (spec) {
      case 'd':
      case 'i':
        if (!IsNumber(arg)) {
          return RuntimeError(absl::StrCat("%", std::string(1, spec),
                                           " requires a number for formatting, but got ",
                                           TagKind(arg)));
        }
        absl::StrAppend(&out, arg.is_float() ? static_cast<int64_t>(static_cast<int>(arg.as_float()))
                                             : AsInt(arg));
        break;
      case 'e':
      case 'f': {
        if (!IsNumber(arg)) {
          return RuntimeError(absl::StrCat("%", std::string(1, spec),
                                           " requires a number for formatting, but got ",
                                           TagKind(arg)));
        }
        const double d = arg.is_float() ? arg.as_float()
                                        : static_cast<double>(static_cast<float>(AsInt(arg)));
        out += spec == 'e' ? absl::StrFormat("%e", d) : absl::StrFormat("%f", d);
        break;
      }
      case 'c':
        if (arg.is_int()) {
          out.push_back(static_cast<char>(arg.as_int()));
        } else if (arg.is_str() && arg.as_string().size() == 1) {
          out += arg.as_string();
        } else {
          return RuntimeError(absl::StrCat(
              "%c requires an int or char for formatting, but got ", TagKind(arg)));
        }
        break;
      default:  // 's'
        out += ScriptStr(arg);
        break;
    }
  }
  if (used != args.size()) return RuntimeError("Too many arguments for format string");
  return Value::Str(std::move(out));
}

// ------------------------------------------------------------- tables ---

class Table {
 public:
  void Add(std::string schema, OpFn fn) { ops_.push_back({std::move(schema), std::move(fn)}); }
  std::vector<OpDef> Take() { return std::move(ops_); }

 private:
  std::vector<OpDef> ops_;
};

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

Result F(double d) { return Value::Float(d); }
Result I(int64_t i) { return Value::Int(i); }
Result B(bool b) { return Value::Bool(b); }
Result C(Complex c) { return Value::Complex(c); }

void AddArithmetic(Table& t) {
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

// eq/ne/lt/le/gt/ge.
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
void AddMath(Table& t) {
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
    uint64_t r = 1;
    for (int64_t i = 2; i <= n; ++i) r *= static_cast<uint64_t>(i);
    return I(static_cast<int64_t>(r));
  });
  t.Add("aten::gcd.int(int a, int b) -> int", [](OpContext&, Args a) {
    uint64_t x = static_cast<uint64_t>(std::llabs(a[0].as_int()));
    uint64_t y = static_cast<uint64_t>(std::llabs(a[1].as_int()));
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
    if (step > 0 && lo < hi) return I(1 + (hi - 1 - lo) / step);
    if (step < 0 && lo > hi) return I(1 + (lo - 1 - hi) / (0 - step));
    return I(0);
  });
  t.Add("aten::__derive_index(int index, int start, int step) -> int", [](OpContext&, Args a) {
    return I(WrapAdd(a[1].as_int(), WrapMul(a[0].as_int(), a[2].as_int())));
  });
}

// Python's `x in l` / l.index / l.count / l.remove on lists.
size_t FindInList(const std::vector<Value>& items, const Value& x) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (ScriptEquals(items[i], x)) return i;
  }
  return items.size();
}

absl::Status SortList(std::vector<Value>& items, bool reverse) {
  absl::Status error;
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    if (!error.ok()) return false;
    absl::StatusOr<bool> less = reverse ? ScriptLess(y, x) : ScriptLess(x, y);
    if (!less.ok()) {
      error = less.status();
      return false;
    }
    return *less;
  });
  return error;
}

void AddLists(Table& t) {
  t.Add("aten::len.t(t[] a) -> int",
        [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].list().size())); });
  t.Add("aten::len.Tensor(Tensor t) -> int", [](OpContext&, Args a) -> Result {
    const Tensor& x = a[0].tensor();
    if (x.dim() == 0) return RuntimeError("len() of a 0-d tensor");
    return I(x.sizes()[0]);
  });
  t.Add("aten::len.str(str s) -> int",
        [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].as_string().size())); });
  for (const char* key : {"str", "int", "bool", "float", "complex", "Tensor"}) {
    t.Add(absl::StrCat("aten::len.Dict_", key, "(Dict(", key, ", t) self) -> int"),
          [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].dict().size())); });
  }
  t.Add("aten::len.any(Any[] a) -> int",
        [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].sequence_items().size())); });

  t.Add("aten::__getitem__.t(t[](a) list, int idx) -> t(*)", [](OpContext&, Args a) -> Result {
    const std::vector<Value>& items = a[0].list().items();
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, items.size())) return IndexError("list index out of range");
    return items[static_cast<size_t>(i)];
  });
  t.Add("aten::__getitem__.str(str s, int index) -> str", [](OpContext&, Args a) -> Result {
    const std::string& s = a[0].as_string();
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, s.size())) return IndexError("string index out of range");
    return Value::Str(std::string(1, s[static_cast<size_t>(i)]));
  });
  t.Add("aten::list(str t) -> str[]", [](OpContext&, Args a) -> Result {
    std::vector<Value> out;
    for (char c : a[0].as_string()) out.push_back(Value::Str(std::string(1, c)));
    return Value::NewList(std::move(out));
  });
  auto copy_list = [](OpContext& ctx, Args a) -> Result {
    const std::vector<Value>& items = a[0].list().items();
    absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(items.size() * sizeof(Value)), "list copy");
    if (!s.ok()) return s;
    return Value::NewList(items);
  };
  t.Add("aten::list.t(t[] l) -> t[]", copy_list);
  t.Add("aten::_set_item.t(t[](a!) l, int idx, t(b -> *) el) -> t[](a!)",
        [](OpContext&, Args a) -> Result {
          std::vector<Value>& items = a[0].list().items();
          int64_t i = a[1].as_int();
          if (!WrapIndex(&i, items.size())) return IndexError("list assignment index out of range");
          items[static_cast<size_t>(i)] = a[2];
          return a[0];
        });
  t.Add("aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)", [](OpContext& ctx, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    if (items.size() == items.capacity()) {
      absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(2 * (items.size() + 1) * sizeof(Value)),
                                      "aten::append");
      if (!s.ok()) return s;
    }
    items.push_back(a[1]);
    return a[0];
  });
  t.Add("aten::extend.t(t[](a!) self, t[] other) -> ()", [](OpContext& ctx, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    const std::vector<Value> other = a[1].list().items();  // `l.extend(l)` reads a copy
    absl::Status s = ctx.CheckAlloc(static_cast<int64_t>((items.size() + other.size()) * sizeof(Value)),
                                    "aten::extend");
    if (!s.ok()) return s;
    items.insert(items.end(), other.begin(), other.end());
    return Value();
  });
  t.Add("aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> ()", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    const int64_t n = static_cast<int64_t>(items.size());
    int64_t i = a[1].as_int();
    if (i < 0) i = std::max<int64_t>(0, i + n);
    if (i > n) i = n;
    items.insert(items.begin() + i, a[2]);
    return Value();
  });
  t.Add("aten::pop.t(t[](a!) self, int idx=-1) -> t(*)", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    if (items.empty()) return IndexError("pop from empty list");
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, items.size())) return IndexError("pop index out of range");
    Value out = std::move(items[static_cast<size_t>(i)]);
    items.erase(items.begin() + i);
    return out;
  });
  for (const char* kind : {"int", "float", "bool", "Tensor", "str"}) {
    t.Add(absl::StrCat("aten::remove.", kind, "(", kind, "[](a!) self, ", kind, " el) -> ()"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value>& items = a[0].list().items();
            const size_t i = FindInList(items, a[1]);
            if (i == items.size()) return ValueError("list.remove(x): x not in list");
            items.erase(items.begin() + static_cast<ptrdiff_t>(i));
            return Value();
          });
  }
  t.Add("aten::clear.t(t[](a!) self) -> ()", [](OpContext&, Args a) -> Result {
    a[0].list().items().clear();
    return Value();
  });
  // str.index and str.count come first in 1.13.
  t.Add("aten::index.str(str self, str substr, int start=0, int end=-1) -> int",
        [](OpContext&, Args a) -> Result {
          const int64_t r = StringFind(a[0].as_string(), a[1].as_string(), a[2].as_int(), a[3].as_int(), false);
          if (r < 0) return ValueError("substring not found");
          return I(r);
        });
  for (const char* kind : {"int", "float", "bool", "Tensor", "str"}) {
    t.Add(absl::StrCat("aten::index.list_", kind, "(", kind, "[] self, ", kind, " el) -> int"),
          [](OpContext&, Args a) -> Result {
            const std::vector<Value>& items = a[0].list().items();
            const size_t i = FindInList(items, a[1]);
            if (i == items.size()) return ValueError(absl::StrCat(KeyRepr(a[1]), " is not in list"));
            return I(static_cast<int64_t>(i));
          });
  }
  t.Add("aten::count(str self, str substr, int start=0, int end=-1) -> int", [](OpContext&, Args a) {
    const std::string s = SubstrForTest(a[0].as_string(), a[2].as_int(), a[3].as_int());
    const std::string& sub = a[1].as_string();
    if (sub.empty()) return I(static_cast<int64_t>(s.size()) + 1);
    int64_t n = 0;
    for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
    return I(n);
  });
  for (const char* kind : {"int", "float", "bool", "Tensor", "str"}) {
    t.Add(absl::StrCat("aten::count.", kind, "(", kind, "[] self, ", kind, " el) -> int"),
          [](OpContext&, Args a) {
            int64_t n = 0;
            for (const Value& v : a[0].list().items()) n += ScriptEquals(v, a[1]) ? 1 : 0;
            return I(n);
          });
  }
  t.Add("aten::reverse.t(t[](a!) self) -> ()", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    std::reverse(items.begin(), items.end());
    return Value();
  });
  auto sort_in_place = [](OpContext&, Args a) -> Result {
    absl::Status s = SortList(a[0].list().items(), a[1].as_bool());
    if (!s.ok()) return s;
    return Value();
  };
  for (const char* kind : {"int", "float", "Tensor", "bool", "str"}) {
    t.Add(absl::StrCat("aten::sort.", kind, "(", kind, "[](a!) self, bool reverse=False) -> ()"),
          sort_in_place);
  }
  t.Add("aten::sort.any(t[](a!) self, bool reverse=False) -> ()", sort_in_place);
  auto sorted = [](OpContext& ctx, Args a) -> Result {
    std::vector<Value> items = a[0].list().items();
    absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(items.size() * sizeof(Value)), "sorted");
    if (!s.ok()) return s;
    s = SortList(items, false);
    if (!s.ok()) return s;
    return Value::NewList(std::move(items));
  };
  for (const char* kind : {"int", "float", "Tensor", "bool", "str"}) {
    t.Add(absl::StrCat("aten::sorted.", kind, "(", kind, "[](a) input) -> ", kind, "[]"), sorted);
  }
  t.Add("aten::sorted.any(t[](a) self) -> t[]", sorted);
  t.Add("aten::copy.t(t[](a) self) -> t[]", copy_list);
  t.Add("aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[]",
        [](OpContext&, Args a) -> Result {
          const std::vector<Value>& items = a[0].list().items();
          absl::StatusOr<std::vector<size_t>> idx = SliceIndices(a[1], a[2], a[3].as_int(), items.size());
          if (!idx.ok()) return idx.status();
          std::vector<Value> out;
          out.reserve(idx->size());
          for (size_t i : *idx) out.push_back(items[i]);
          return Value::NewList(std::move(out));
        });
  t.Add("aten::Delete.t(t[](a!) self, int idx) -> ()", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, items.size())) return IndexError("list assignment index out of range");
    items.erase(items.begin() + i);
    return Value();
  });
  auto contains = [](OpContext&, Args a) {
    return B(FindInList(a[0].list().items(), a[1]) != a[0].list().size());
  };
  t.Add("aten::__contains__.int_list(int[] l, int item) -> bool", contains);
  t.Add("aten::__contains__.str_list(str[] l, str item) -> bool", contains);
  for (const char* key : {"str", "int", "bool", "float", "complex", "Tensor"}) {
    t.Add(absl::StrCat("aten::__contains__.", key, "(Dict(", key, ", t) dict, ", key, " key) -> bool"),
          [](OpContext&, Args a) { return B(a[0].dict().Find(a[1]) != nullptr); });
  }
  t.Add("aten::__contains__.float_list(float[] l, float item) -> bool", contains);

  // Reductions over lists.
  t.Add("aten::any.str(str[] self) -> bool", [](OpContext&, Args a) {
    for (const Value& v : a[0].list().items()) {
      if (!v.as_string().empty()) return B(true);
    }
    return B(false);
  });
  for (const char* kind : {"int", "float", "bool"}) {
    t.Add(absl::StrCat("aten::any.", kind, "(", kind, "[] self) -> bool"), [](OpContext&, Args a) {
      for (const Value& v : a[0].list().items()) {
        if (AsDouble(v) != 0) return B(true);
      }
      return B(false);
    });
  }
  for (const char* kind : {"int", "float", "bool"}) {
    t.Add(absl::StrCat("aten::all.", kind, "(", kind, "[] self) -> bool"), [](OpContext&, Args a) {
      for (const Value& v : a[0].list().items()) {
        if (AsDouble(v) == 0) return B(false);
      }
      return B(true);
    });
  }
  t.Add("aten::sum.int(int[] self) -> int", [](OpContext&, Args a) {
    int64_t s = 0;
    for (const Value& v : a[0].list().items()) s = WrapAdd(s, v.as_int());
    return I(s);
  });
  t.Add("aten::sum.float(float[] self) -> float", [](OpContext&, Args a) {
    double s = 0;
    for (const Value& v : a[0].list().items()) s += v.as_float();
    return F(s);
  });
  t.Add("aten::sum.complex(complex[] self) -> complex", [](OpContext&, Args a) {
    Complex s = 0;
    for (const Value& v : a[0].list().items()) s += v.as_complex();
    return C(s);
  });
  t.Add("aten::sum.bool(bool[] self) -> int", [](OpContext&, Args a) {
    int64_t s = 0;
    for (const Value& v : a[0].list().items()) s += v.as_bool() ? 1 : 0;
    return I(s);
  });
  t.Add("aten::_infer_size(int[] a, int[] b) -> int[]", [](OpContext&, Args a) -> Result {
    const std::vector<int64_t> x = ops_internal::IntList(a[0]), y = ops_internal::IntList(a[1]);
    const size_t n = std::max(x.size(), y.size());
    std::vector<Value> out(n);
    for (size_t i = 0; i < n; ++i) {
      const int64_t dx = i < n - x.size() ? 1 : x[i - (n - x.size())];
      const int64_t dy = i < n - y.size() ? 1 : y[i - (n - y.size())];
      if (dx != dy && dx != 1 && dy != 1) {
        return RuntimeError(absl::StrCat("The size of tensor a (", dx,
                                         ") must match the size of tensor b (", dy,
                                         ") at non-singleton dimension ", i));
      }
      out[i] = Value::Int(dx == 1 ? dy : dx);
    }
    return Value::NewList(std::move(out));
  });
}

void AddDicts(Table& t) {
  static constexpr const char* kKeys[] = {"str", "int", "bool", "float", "complex", "Tensor"};
  auto missing = [](const Value& key) { return KeyError(KeyRepr(key)); };
  for (const char* key : kKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::__getitem__.Dict_", key, "(", d, " self, ", key, " key) -> t(*)"),
          [missing](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            if (v == nullptr) return missing(a[1]);
            return *v;
          });
  }
  for (const char* key : kKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::_set_item.", key, "(", d, "(a!) l, ", key, "(b -> *) idx, t(c -> *) v) -> ()"),
          [](OpContext&, Args a) -> Result {
            absl::Status s = a[0].dict().SetItem(a[1], a[2]);
            if (!s.ok()) return s;
            return Value();
          });
  }
  for (const char* key : kKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::pop.Dict_", key, "(", d, "(a!) self, ", key, " key) -> t(*)"),
          [missing](OpContext&, Args a) -> Result {
            Value::Dict& dict = a[0].dict();
            const Value* v = dict.Find(a[1]);
            if (v == nullptr) return missing(a[1]);
            Value out = *v;
            dict.Erase(a[1]);
            return out;
          });
    t.Add(absl::StrCat("aten::pop.Dict_default_", key, "(", d, "(a!) self, ", key,
                       " key, t default_value) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            Value::Dict& dict = a[0].dict();
            const Value* v = dict.Find(a[1]);
            if (v == nullptr) return a[2];
            Value out = *v;
            dict.Erase(a[1]);
            return out;
          });
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::clear.", key, "(Dict(", key, ", t)(a!) self) -> ()"),
          [](OpContext&, Args a) -> Result {
            ClearContainer(a[0]);
            return Value();
          });
  }
  auto copy_dict = [](OpContext&, Args a) -> Result {
    Value out = Value::NewDict();
    for (const Value::Dict::Item& item : a[0].dict().items()) {
      absl::Status s = out.dict().SetItem(item.key, item.value);
      if (!s.ok()) return s;
    }
    return out;
  };
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::copy.Dict_", key, "(Dict(", key, ", t)(a) self) -> Dict(", key, ", t)"),
          copy_dict);
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::dict.", key, "((", key, ", tVal)[] inputs) -> Dict(", key, ", tVal)"),
          [](OpContext&, Args a) -> Result {
            Value out = Value::NewDict();
            for (const Value& pair : a[0].list().items()) {
              if (!pair.is_tuple() || pair.tuple().size() != 2) {
                return ValueError("dictionary update sequence element has wrong length");
              }
              absl::Status s = out.dict().SetItem(pair.tuple()[0], pair.tuple()[1]);
              if (!s.ok()) return s;
            }
            return out;
          });
    t.Add(absl::StrCat("aten::dict.Dict_", key, "(Dict(", key, ", t)(a) self) -> Dict(", key, ", t)"),
          copy_dict);
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::items.", key, "(Dict(", key, ", t) self) -> ((", key, ", t)[])"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value> out;
            out.reserve(a[0].dict().size());
            for (const Value::Dict::Item& item : a[0].dict().items()) {
              out.push_back(Value::NewTuple({item.key, item.value}));
            }
            return Value::NewList(std::move(out));
          });
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::keys.", key, "(Dict(", key, ", t) self) -> ", key, "[](*)"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value> out;
            out.reserve(a[0].dict().size());
            for (const Value::Dict::Item& item : a[0].dict().items()) out.push_back(item.key);
            return Value::NewList(std::move(out));
          });
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::values.", key, "(Dict(", key, ", t) self) -> t[](*)"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value> out;
            out.reserve(a[0].dict().size());
            for (const Value::Dict::Item& item : a[0].dict().items()) out.push_back(item.value);
            return Value::NewList(std::move(out));
          });
  }
  for (const char* key : kKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::get.", key, "(", d, " self, ", key, " key) -> t(*)?"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            return v ? *v : Value();
          });
    t.Add(absl::StrCat("aten::get.default_", key, "(", d, " self, ", key, " key, t default_value) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            return v ? *v : a[2];
          });
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::setdefault.", key, "(Dict(", key, ", t)(a!) self, ", key,
                       "(b -> *) key, t(c -> *) default_value) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            if (v) return *v;
            absl::Status s = a[0].dict().SetItem(a[1], a[2]);
            if (!s.ok()) return s;
            return a[2];
          });
  }
  for (const char* key : kKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)(a!)");
    t.Add(absl::StrCat("aten::update.", key, "(", d, " self, ", d, " to_add) -> ()"),
          [](OpContext&, Args a) -> Result {
            const std::vector<Value::Dict::Item> items = a[1].dict().items();
            for (const Value::Dict::Item& item : items) {
              absl::Status s = a[0].dict().SetItem(item.key, item.value);
              if (!s.ok()) return s;
            }
            return Value();
          });
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::popitem.", key, "(Dict(", key, ", t)(a!) self) -> ((", key, ", t))"),
          [](OpContext&, Args a) -> Result {
            Value::Dict& dict = a[0].dict();
            if (dict.empty()) return KeyError("'popitem(): dictionary is empty'");
            // 1.13 takes the first item (Python takes the last).
            Value key = dict.items()[0].key;
            Value value = dict.items()[0].value;
            dict.Erase(key);
            return Value::NewTuple({std::move(key), std::move(value)});
          });
  }
  for (const char* key : kKeys) {
    t.Add(absl::StrCat("aten::Delete.Dict_", key, "(Dict(", key, ", t)(a!) self, ", key, " key) -> ()"),
          [missing](OpContext&, Args a) -> Result {
            if (!a[0].dict().Erase(a[1])) return missing(a[1]);
            return Value();
          });
  }
}

void AddStrings(Table& t) {
  t.Add("aten::slice.str(str string, int? start=None, int? end=None, int step=1) -> str",
        [](OpContext&, Args a) -> Result {
          const std::string& s = a[0].as_string();
          absl::StatusOr<std::vector<size_t>> idx = SliceIndices(a[1], a[2], a[3].as_int(), s.size());
          if (!idx.ok()) return idx.status();
          std::string out;
          out.reserve(idx->size());
          for (size_t i : *idx) out.push_back(s[i]);
          return Value::Str(std::move(out));
        });
  t.Add("aten::format(str self, ...) -> str", [](OpContext&, Args a) { return Format(a); });
  t.Add("aten::percentFormat(str self, ...) -> str", [](OpContext&, Args a) { return PercentFormat(a); });
  t.Add("aten::join(str self, str[] values) -> str", [](OpContext& ctx, Args a) -> Result {
    const std::string& sep = a[0].as_string();
    std::string out;
    bool first = true;
    for (const Value& v : a[1].list().items()) {
      if (!first) out += sep;
      first = false;
      out += v.as_string();
      if (out.size() > 65536) {
        absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(out.size()), "str.join");
        if (!s.ok()) return s;
      }
    }
    return Value::Str(std::move(out));
  });
  t.Add("aten::split.str(str self, str? separator=None, int max=-1) -> str[]",
        [](OpContext&, Args a) -> Result {
          const std::string& s = a[0].as_string();
          const int64_t max = a[2].as_int();
          std::vector<Value> out;
          if (a[1].is_none()) {
            // Runs of whitespace separate; leading/trailing ones give
            // nothing.  1.13 ignores `max` here (split(None, 1) splits all).
            size_t i = 0;
            while (true) {
              while (i < s.size() && IsPySpace(s[i])) ++i;
              if (i >= s.size()) break;
              size_t j = i;
              while (j < s.size() && !IsPySpace(s[j])) ++j;
              out.push_back(Value::Str(s.substr(i, j - i)));
              i = j;
            }
            return Value::NewList(std::move(out));
          }
          const std::string& sep = a[1].as_string();
          if (sep.empty()) return ValueError("empty separator");
          size_t begin = 0;
          while (true) {
            const size_t at = (max >= 0 && static_cast<int64_t>(out.size()) >= max)
                                  ? std::string::npos
                                  : s.find(sep, begin);
            if (at == std::string::npos) {
              out.push_back(Value::Str(s.substr(begin)));
              break;
            }
            out.push_back(Value::Str(s.substr(begin, at - begin)));
            begin = at + sep.size();
          }
          return Value::NewList(std::move(out));
        });
  auto strip = [](const std::string& s, const std::string& chars, bool left, bool right) {
    size_t b = 0, e = s.size();
    if (left) {
      while (b < e && chars.find(s[b]) != std::string::npos) ++b;
    }
    if (right) {
      while (e > b && chars.find(s[e - 1]) != std::string::npos) --e;
    }
    return s.substr(b, e - b);
  };
  t.Add("aten::strip(str self, str chars=\" \\n\\t\\f\\v\") -> str", [strip](OpContext&, Args a) {
    return Value::Str(strip(a[0].as_string(), a[1].as_string(), true, true));
  });
  t.Add("aten::lstrip(str self, str chars=\" \\n\\t\\f\\v\") -> str", [strip](OpContext&, Args a) {
    return Value::Str(strip(a[0].as_string(), a[1].as_string(), true, false));
  });
  t.Add("aten::rstrip(str self, str chars=\" \\n\\t\\f\\v\") -> str", [strip](OpContext&, Args a) {
    return Value::Str(strip(a[0].as_string(), a[1].as_string(), false, true));
  });
  t.Add("aten::replace(str self, str old, str new, int max=-1) -> str", [](OpContext& ctx, Args a) -> Result {
    const std::string& s = a[0].as_string();
    const std::string& old_s = a[1].as_string();
    const std::string& new_s = a[2].as_string();
    const int64_t max = a[3].as_int();
    std::string out;
    int64_t done = 0;
    if (old_s.empty()) {
      // Python: the new text goes before every character and at the end.
      for (size_t i = 0; i <= s.size(); ++i) {
        if (max < 0 || done < max) {
          out += new_s;
          ++done;
        }
        if (i < s.size()) out.push_back(s[i]);
        if (out.size() > 65536) {
          absl::Status st = ctx.CheckAlloc(static_cast<int64_t>(out.size()), "str.replace");
          if (!st.ok()) return st;
        }
      }
      return Value::Str(std::move(out));
    }
    size_t prev = 0, cur = 0;
    while ((cur = s.find(old_s, prev)) != std::string::npos) {
      if (max >= 0 && done >= max) break;
      ++done;
      out.append(s, prev, cur - prev);
      out += new_s;
      prev = cur + old_s.size();
      if (out.size() > 65536) {
        absl::Status st = ctx.CheckAlloc(static_cast<int64_t>(out.size()), "str.replace");
        if (!st.ok()) return st;
      }
    }
    out.append(s, prev, std::string::npos);
    return Value::Str(std::move(out));
  });
  t.Add("aten::find(str self, str substr, int start=0, int end=-1) -> int", [](OpContext&, Args a) {
    return I(StringFind(a[0].as_string(), a[1].as_string(), a[2].as_int(), a[3].as_int(), false));
  });
  t.Add("aten::rfind(str self, str substr, int start=0, int end=-1) -> int", [](OpContext&, Args a) {
    return I(StringFind(a[0].as_string(), a[1].as_string(), a[2].as_int(), a[3].as_int(), true));
  });
  t.Add("aten::rindex(str self, str substr, int start=0, int end=-1) -> int",
        [](OpContext&, Args a) -> Result {
          const int64_t r = StringFind(a[0].as_string(), a[1].as_string(), a[2].as_int(), a[3].as_int(), true);
          if (r < 0) return ValueError("substring not found");
          return I(r);
        });
  t.Add("aten::startswith(str self, str substr, int start=0, int end=-1) -> bool",
        [](OpContext&, Args a) {
          const std::string s = SubstrForTest(a[0].as_string(), a[2].as_int(), a[3].as_int());
          return B(absl::StartsWith(s, a[1].as_string()));
        });
  t.Add("aten::endswith(str self, str substr, int start=0, int end=-1) -> bool",
        [](OpContext&, Args a) {
          const std::string s = SubstrForTest(a[0].as_string(), a[2].as_int(), a[3].as_int());
          return B(absl::EndsWith(s, a[1].as_string()));
        });
  t.Add("aten::upper(str self) -> str",
        [](OpContext&, Args a) { return Value::Str(absl::AsciiStrToUpper(a[0].as_string())); });
  t.Add("aten::lower(str self) -> str",
        [](OpContext&, Args a) { return Value::Str(absl::AsciiStrToLower(a[0].as_string())); });
  t.Add("aten::isdigit(str self) -> bool",
        [](OpContext&, Args a) { return B(AllChars(a[0].as_string(), ::isdigit)); });
  t.Add("aten::isalpha(str self) -> bool",
        [](OpContext&, Args a) { return B(AllChars(a[0].as_string(), ::isalpha)); });
  t.Add("aten::isspace(str self) -> bool",
        [](OpContext&, Args a) { return B(AllChars(a[0].as_string(), ::isspace)); });
  auto cased = [](const std::string& s, bool upper) {
    bool found = false;
    for (char ch : s) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (::isalpha(c)) {
        found = true;
        if (upper ? !::isupper(c) : !::islower(c)) return false;
      }
    }
    return found;
  };
  t.Add("aten::isupper(str self) -> bool",
        [cased](OpContext&, Args a) { return B(cased(a[0].as_string(), true)); });
  t.Add("aten::islower(str self) -> bool",
        [cased](OpContext&, Args a) { return B(cased(a[0].as_string(), false)); });
  t.Add("aten::isalnum(str self) -> bool",
        [](OpContext&, Args a) { return B(AllChars(a[0].as_string(), ::isalnum)); });
  t.Add("aten::title(str self) -> str", [](OpContext&, Args a) {
    std::string s = a[0].as_string();
    bool prev_alpha = false;
    for (char& ch : s) {
      const unsigned char c = static_cast<unsigned char>(ch);
      ch = static_cast<char>(prev_alpha ? ::tolower(c) : ::toupper(c));
      prev_alpha = ::isalpha(c);
    }
    return Value::Str(std::move(s));
  });
  t.Add("aten::capitalize(str self) -> str", [](OpContext&, Args a) {
    std::string s = absl::AsciiStrToLower(a[0].as_string());
    if (!s.empty()) s[0] = absl::ascii_toupper(static_cast<unsigned char>(s[0]));
    return Value::Str(std::move(s));
  });
  auto pad = [](const char* name, int where) {
    // where: 0 center, 1 ljust (pad right), 2 rjust (pad left).
    return [name, where](OpContext& ctx, Args a) -> Result {
      const std::string& s = a[0].as_string();
      const int64_t width = a[1].as_int();
      const std::string& fill = a[2].as_string();
      if (fill.size() != 1) {
        return absl::InvalidArgumentError(
            "TypeError: The fill character must be exactly one character long");
      }
      const int64_t n = static_cast<int64_t>(s.size());
      if (width <= n) return a[0];
      absl::Status st = ctx.CheckAlloc(width, name);
      if (!st.ok()) return st;
      const int64_t total = width - n;
      int64_t left = where == 2 ? total : where == 1 ? 0 : total / 2;
      if (where == 0) {
        // Python's center: the odd column goes left when the width is odd.
        left = total / 2 + (total & width & 1);
      }
      const int64_t right = total - left;
      return Value::Str(std::string(static_cast<size_t>(left), fill[0]) + s +
                        std::string(static_cast<size_t>(right), fill[0]));
    };
  };
  t.Add("aten::center(str self, int width, str fillchar=\" \") -> str", pad("str.center", 0));
  t.Add("aten::ljust(str self, int width, str fillchar=\" \") -> str", pad("str.ljust", 1));
  t.Add("aten::rjust(str self, int width, str fillchar=\" \") -> str", pad("str.rjust", 2));
  t.Add("aten::zfill(str self, int width) -> str", [](OpContext& ctx, Args a) -> Result {
    const std::string& s = a[0].as_string();
    const int64_t width = a[1].as_int();
    if (width <= static_cast<int64_t>(s.size())) return a[0];
    absl::Status st = ctx.CheckAlloc(width, "str.zfill");
    if (!st.ok()) return st;
    // 1.13 pads in front of a sign too ("-42" -> "000-42").
    const size_t fill = static_cast<size_t>(width) - s.size();
    return Value::Str(std::string(fill, '0') + s);
  });
  // 1.13's splitlines: every delimiter byte ends a line ("\r\n" is two), and
  // with keepends the delimiter is a line of its own.
  t.Add("aten::splitlines(str self, bool keepends=False) -> str[]", [](OpContext&, Args a) -> Result {
    const std::string& s = a[0].as_string();
    const bool keep = a[1].as_bool();
    static constexpr absl::string_view kDelimiters = "\n\r\v\f\x1c\x1d\x1e";
    std::vector<Value> out;
    size_t begin = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (kDelimiters.find(s[i]) == absl::string_view::npos) continue;
      out.push_back(Value::Str(s.substr(begin, i - begin)));
      if (keep) out.push_back(Value::Str(s.substr(i, 1)));
      begin = i + 1;
    }
    if (begin != s.size()) out.push_back(Value::Str(s.substr(begin)));
    return Value::NewList(std::move(out));
  });
  t.Add("aten::swapcase(str self) -> str", [](OpContext&, Args a) {
    std::string s = a[0].as_string();
    for (char& ch : s) {
      const unsigned char c = static_cast<unsigned char>(ch);
      ch = static_cast<char>(::isupper(c) ? ::tolower(c) : ::islower(c) ? ::toupper(c) : c);
    }
    return Value::Str(std::move(s));
  });
  auto partition = [](bool reverse) {
    return [reverse](OpContext&, Args a) -> Result {
      const std::string& s = a[0].as_string();
      const std::string& sep = a[1].as_string();
      if (sep.empty()) return ValueError("empty separator");
      const size_t at = reverse ? s.rfind(sep) : s.find(sep);
      if (at == std::string::npos) {
        if (reverse) return Value::NewTuple({Value::Str(""), Value::Str(""), a[0]});
        return Value::NewTuple({a[0], Value::Str(""), Value::Str("")});
      }
      return Value::NewTuple({Value::Str(s.substr(0, at)), a[1], Value::Str(s.substr(at + sep.size()))});
    };
  };
  t.Add("aten::partition(str self, str separator) -> (str, str, str)", partition(false));
  t.Add("aten::rpartition(str self, str separator) -> (str, str, str)", partition(true));
  t.Add("aten::rsplit(str self, str separator=\" \", int max=-1) -> str[]", [](OpContext&, Args a) -> Result {
    const std::string& s = a[0].as_string();
    const std::string& sep = a[1].as_string();
    const int64_t max = a[2].as_int();
    if (sep.empty()) return ValueError("empty separator");
    std::vector<std::string> parts;
    size_t end = s.size();
    while (true) {
      if (max >= 0 && static_cast<int64_t>(parts.size()) >= max) {
        parts.push_back(s.substr(0, end));
        break;
      }
      const size_t at = end >= sep.size() ? s.rfind(sep, end - sep.size()) : std::string::npos;
      if (at == std::string::npos) {
        parts.push_back(s.substr(0, end));
        break;
      }
      parts.push_back(s.substr(at + sep.size(), end - at - sep.size()));
      end = at;
    }
    std::vector<Value> out;
    for (size_t i = parts.size(); i-- > 0;) out.push_back(Value::Str(std::move(parts[i])));
    return Value::NewList(std::move(out));
  });
  t.Add("aten::istitle(str self) -> bool", [](OpContext&, Args a) {
    bool prev_cased = false, any = false;
    for (char ch : a[0].as_string()) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (::isupper(c)) {
        if (prev_cased) return B(false);
        prev_cased = any = true;
      } else if (::islower(c)) {
        if (!prev_cased) return B(false);
        prev_cased = any = true;
      } else {
        prev_cased = false;
      }
    }
    return B(any);
  });
  t.Add("aten::isidentifier(str self) -> bool", [](OpContext&, Args a) {
    const std::string& s = a[0].as_string();
    if (s.empty() || ::isdigit(static_cast<unsigned char>(s[0]))) return B(false);
    // 1.13 ("the isidentifier() implementation being used is from Python
    // 2"): letters and digits only, no underscore.
    for (char ch : s) {
      if (!::isalnum(static_cast<unsigned char>(ch))) return B(false);
    }
    return B(true);
  });
  t.Add("aten::isprintable(str self) -> bool", [](OpContext&, Args a) {
    for (char ch : a[0].as_string()) {
      if (!::isprint(static_cast<unsigned char>(ch))) return B(false);
    }
    return B(true);
  });
  t.Add("aten::isdecimal(str self) -> bool",
        [](OpContext&, Args a) { return B(AllChars(a[0].as_string(), ::isdigit)); });
  t.Add("aten::isnumeric(str self) -> bool",
        [](OpContext&, Args a) { return B(AllChars(a[0].as_string(), ::isdigit)); });
  t.Add("aten::expandtabs(str self, int tabsize=8) -> str", [](OpContext&, Args a) {
    const int64_t tab = a[1].as_int();
    std::string out;
    int64_t column = 0;
    for (char c : a[0].as_string()) {
      if (c == '\t') {
        if (tab > 0) {
          const int64_t n = tab - column % tab;
          out.append(static_cast<size_t>(n), ' ');
          column += n;
        }
      } else {
        out.push_back(c);
        ++column;  // 1.13 does not restart the column after a newline
      }
    }
    return Value::Str(std::move(out));
  });
  t.Add("aten::chr(int i) -> str", [](OpContext&, Args a) -> Result {
    const int64_t i = a[0].as_int();
    if (i < 0 || i > 0x10ffff) return ValueError("chr() arg not in range(0x110000)");
    std::string out;
    const uint32_t cp = static_cast<uint32_t>(i);
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
    return Value::Str(std::move(out));
  });
  t.Add("aten::ord(str string) -> int", [](OpContext&, Args a) -> Result {
    const std::string& s = a[0].as_string();
    if (s.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TypeError: ord() expected a character, but string of length ", s.size(), " found"));
    }
    return I(static_cast<unsigned char>(s[0]));
  });
  auto radix = [](const char* prefix, int bits) {
    return [prefix, bits](OpContext&, Args a) {
      const int64_t i = a[0].as_int();
      uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
      std::string digits;
      do {
        digits.push_back("0123456789abcdef"[u & ((1u << bits) - 1)]);
        u >>= bits;
      } while (u);
      std::reverse(digits.begin(), digits.end());
      return Value::Str(absl::StrCat(i < 0 ? "-" : "", prefix, digits));
    };
  };
  t.Add("aten::hex(int i) -> str", radix("0x", 4));
  t.Add("aten::oct(int i) -> str", radix("0o", 3));
  t.Add("aten::bin(int i) -> str", radix("0b", 1));
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

std::vector<OpDef> BuiltinOps() {
  Table t;
  AddArithmetic(t);
  AddComparisons(t);
  AddConversions(t);
  AddMath(t);
  AddLists(t);
  AddDicts(t);
  AddStrings(t);
  AddMisc(t);
  return t.Take();
}

}  // namespace

absl::Status RegisterBuiltinOps(OperatorRegistry& registry) {
  return ops_internal::RegisterAll(registry, BuiltinOps());
}

}  // namespace jit
}  // namespace ptser
