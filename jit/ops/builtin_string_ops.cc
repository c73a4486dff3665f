// Copyright ptser authors.
//
// aten:: str operators: methods, predicates, format and percentFormat.
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

// `(int)x` as libtorch's format does it on x86: truncation, and INT_MIN
// for NaN or a value out of int's range (where C++ leaves the cast
// undefined).
int64_t FloatToIntAsCpp(double x) {
  if (!(x > -2147483649.0 && x < 2147483648.0)) return std::numeric_limits<int>::min();
  return static_cast<int>(x);
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
        absl::StrAppend(&out, arg.is_float() ? FloatToIntAsCpp(arg.as_float()) : AsInt(arg));
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

// slice, format, %, join, split.
void AddStringBasics(Table& t) {
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
}

// strip/lstrip/rstrip, replace, find/rfind/rindex, startswith/endswith.
void AddStringStripFind(Table& t) {
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
}

// upper, lower, the is*() character tests, title, capitalize.
void AddStringCaseTests(Table& t) {
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
}

// center, ljust, rjust, zfill, splitlines, swapcase.
void AddStringPadding(Table& t) {
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
}

// partition/rpartition, rsplit, istitle, isidentifier, isprintable, isdecimal, isnumeric, expandtabs.
void AddStringPartition(Table& t) {
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
  t.Add("aten::expandtabs(str self, int tabsize=8) -> str", [](OpContext& ctx, Args a) -> Result {
    const int64_t tab = a[1].as_int();
    std::string out;
    int64_t column = 0;
    for (char c : a[0].as_string()) {
      if (c == '\t') {
        if (tab > 0) {
          const int64_t n = tab - column % tab;
          // Checked before it is appended (n may be near INT64_MAX).
          const int64_t room = std::numeric_limits<int64_t>::max() - static_cast<int64_t>(out.size());
          const absl::Status s = ctx.CheckAlloc(
              n > room ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(out.size()) + n,
              "expandtabs");
          if (!s.ok()) return s;
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
}

// chr, ord, hex, oct, bin.
void AddStringChars(Table& t) {
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

}  // namespace

void AddStrings(Table& t) {
  AddStringBasics(t);
  AddStringStripFind(t);
  AddStringCaseTests(t);
  AddStringPadding(t);
  AddStringPartition(t);
  AddStringChars(t);
}

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
