// Copyright ptser authors.
//
// Python's text conventions (see python_text.h).  Written from Python's
// documented behaviour (float repr, str repr, raw-unicode-escape,
// escape_decode), checked against CPython 3.11 output in the tests.

#include "pickle/internal/python_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ptser {
namespace pickle_internal {
namespace {

// Shortest round-trip digits of a finite, non-zero |x|: "12345" and the
// decimal exponent of the first digit (x = 1.2345 * 10^exp10).
void ShortestDigits(double x, std::string* digits, int* exp10) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), std::fabs(x),
                              std::chars_format::scientific);
  // "d.ddde+XX" or "de+XX".
  std::string s(buf, result.ptr);
  size_t e = s.find('e');
  digits->clear();
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits->push_back(s[i]);
  }
  *exp10 = std::stoi(s.substr(e + 1));
  // Trailing zeros are not part of the shortest form (to_chars gives none,
  // but be safe).
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
}

// Python's format_float_short for the 'r' code.
std::string FormatRepr(double x, bool add_dot_0, bool always_sign) {
  std::string sign;
  if (std::signbit(x) && !std::isnan(x)) {
    sign = "-";
  } else if (always_sign) {
    sign = "+";
  }
  if (std::isnan(x)) return sign + "nan";
  if (std::isinf(x)) return sign + "inf";
  if (x == 0) return sign + (add_dot_0 ? "0.0" : "0");
  std::string digits;
  int exp10 = 0;
  ShortestDigits(x, &digits, &exp10);
  const int ndigits = static_cast<int>(digits.size());
  const int decpt = exp10 + 1;  // position of the decimal point
  std::string out = sign;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(-decpt, '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(decpt - ndigits, '0');
      if (add_dot_0) out += ".0";
    } else {
      out += digits.substr(0, decpt);
      out += ".";
      out += digits.substr(decpt);
    }
  } else {
    out += digits.substr(0, 1);
    if (ndigits > 1) {
      out += ".";
      out += digits.substr(1);
    }
    int e = decpt - 1;
    out += absl::StrFormat("e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
  }
  return out;
}

// Unicode printability as Python's str.isprintable(): false for the
// categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than U+0020.  The
// table covers the control, format, separator, surrogate and private-use
// ranges; unassigned code points are treated as printable.
bool IsPrintable(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7f) return false;
  if (cp < 0x7f) return true;
  if (cp <= 0xa0) return false;  // C1 controls and NO-BREAK SPACE
  if (cp == 0xad) return false;  // SOFT HYPHEN
  struct Range {
    uint32_t lo, hi;
  };
  static constexpr Range kNonPrintable[] = {
      {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},
      {0x070f, 0x070f},   {0x0890, 0x0891},   {0x08e2, 0x08e2},
      {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},
      {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},
      {0x3000, 0x3000},   {0xd800, 0xf8ff},   {0xfeff, 0xfeff},
      {0xfff9, 0xfffb},   {0xfffe, 0xffff},   {0x110bd, 0x110bd},
      {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3},
      {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff}, {0xf0000, 0x10ffff},
  };
  for (const Range& r : kNonPrintable) {
    if (cp >= r.lo && cp <= r.hi) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string FloatRepr(double x) { return FormatRepr(x, true, false); }

std::string FloatReprNoDot0(double x) { return FormatRepr(x, false, false); }

std::string ComplexRepr(double re, double im) {
  if (re == 0 && !std::signbit(re)) {
    return FormatRepr(im, false, false) + "j";
  }
  return absl::StrCat("(", FormatRepr(re, false, false),
                      FormatRepr(im, false, true), "j)");
}

bool IsValidUtf8(absl::string_view s) {
  // The same rules as Utf8ToCodePoints, without building the code points.
  const size_t n = s.size();
  size_t i = 0;
  // Fast path: ASCII eight bytes at a time (state dict keys are ASCII).
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if ((word & 0x8080808080808080ull) != 0) break;
    i += 8;
  }
  while (i < n) {
    // Runs of ASCII.
    while (i < n && static_cast<uint8_t>(s[i]) < 0x80) ++i;
    if (i >= n) break;
    const uint8_t b0 = static_cast<uint8_t>(s[i]);
    int len;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      if (b0 == 0xe0) lo = 0xa0;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      if (b0 == 0xf0) lo = 0x90;
      if (b0 == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      const uint8_t b = static_cast<uint8_t>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return false;
    }
    i += len;
  }
  return true;
}

std::optional<std::vector<uint32_t>> Utf8ToCodePoints(absl::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  while (i < n) {
    uint8_t b0 = byte(i);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      cp = b0 & 0x0f;
      if (b0 == 0xe0) lo = 0xa0;  // no overlong forms; surrogates allowed
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      cp = b0 & 0x07;
      if (b0 == 0xf0) lo = 0x90;
      if (b0 == 0xf4) hi = 0x8f;
    } else {
      return std::nullopt;
    }
    if (i + len > n) return std::nullopt;
    for (int k = 1; k < len; ++k) {
      uint8_t b = byte(i + k);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) {
        return std::nullopt;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

std::string Latin1ToUtf8(absl::string_view latin1) {
  std::string out;
  out.reserve(latin1.size());
  for (char c : latin1) AppendUtf8(static_cast<uint8_t>(c), &out);
  return out;
}

absl::StatusOr<std::string> Utf8ToLatin1(absl::string_view utf8) {
  std::optional<std::vector<uint32_t>> cps = Utf8ToCodePoints(utf8);
  if (!cps) return absl::InvalidArgumentError("string is not valid UTF-8");
  std::string out;
  out.reserve(cps->size());
  for (size_t i = 0; i < cps->size(); ++i) {
    uint32_t cp = (*cps)[i];
    if (cp > 0xff) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "'latin-1' codec can't encode character U+%04X in position %d", cp,
          i));
    }
    out.push_back(static_cast<char>(cp));
  }
  return out;
}

std::string StrRepr(absl::string_view utf8) {
  std::optional<std::vector<uint32_t>> cps = Utf8ToCodePoints(utf8);
  if (!cps) {
    // Not reachable for values the unpickler makes; print the bytes.
    return "<invalid utf-8 " + BytesRepr(utf8) + ">";
  }
  bool has_single = false, has_double = false;
  for (uint32_t cp : *cps) {
    has_single |= cp == '\'';
    has_double |= cp == '"';
  }
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (uint32_t cp : *cps) {
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x7f && cp >= 0x20) {
      out.push_back(static_cast<char>(cp));
    } else if (IsPrintable(cp)) {
      AppendUtf8(cp, &out);
    } else if (cp <= 0xff) {
      absl::StrAppendFormat(&out, "\\x%02x", cp);
    } else if (cp <= 0xffff) {
      absl::StrAppendFormat(&out, "\\u%04x", cp);
    } else {
      absl::StrAppendFormat(&out, "\\U%08x", cp);
    }
  }
  out.push_back(quote);
  return out;
}

std::string BytesRepr(absl::string_view bytes) {
  bool has_single = false, has_double = false;
  for (char c : bytes) {
    has_single |= c == '\'';
    has_double |= c == '"';
  }
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out = "b";
  out.push_back(quote);
  for (char ch : bytes) {
    uint8_t c = static_cast<uint8_t>(ch);
    if (c == static_cast<uint8_t>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back(quote);
  return out;
}

absl::StatusOr<std::string> DecodeRawUnicodeEscape(absl::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  const size_t n = raw.size();
  while (i < n) {
    if (raw[i] != '\\') {
      AppendUtf8(static_cast<uint8_t>(raw[i]), &out);
      ++i;
      continue;
    }
    // A run of backslashes; \u and \U escapes count only after an odd one.
    size_t run_start = i;
    while (i < n && raw[i] == '\\') {
      out.push_back('\\');
      ++i;
    }
    if (((i - run_start) & 1) == 0 || i >= n ||
        (raw[i] != 'u' && raw[i] != 'U')) {
      continue;
    }
    out.pop_back();  // the escaping backslash
    const int count = raw[i] == 'u' ? 4 : 8;
    const size_t escape_pos = i - 1;
    ++i;
    uint32_t cp = 0;
    for (int k = 0; k < count; ++k) {
      int h = i < n ? HexValue(raw[i]) : -1;
      if (h < 0) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "raw-unicode-escape: truncated \\%c escape at position %d",
            count == 4 ? 'u' : 'U', escape_pos));
      }
      cp = cp * 16 + static_cast<uint32_t>(h);
      ++i;
    }
    if (cp > 0x10ffff) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "raw-unicode-escape: \\U%08x out of range at position %d", cp,
          escape_pos));
    }
    AppendUtf8(cp, &out);
  }
  return out;
}

std::string EncodeRawUnicodeEscapeForPickle(absl::string_view utf8) {
  std::optional<std::vector<uint32_t>> cps = Utf8ToCodePoints(utf8);
  std::string out;
  if (!cps) return out;
  out.reserve(utf8.size());
  for (uint32_t cp : *cps) {
    if (cp >= 0x10000) {
      absl::StrAppendFormat(&out, "\\U%08x", cp);
    } else if (cp >= 0x100 || cp == '\\' || cp == 0 || cp == '\n' ||
               cp == '\r' || cp == 0x1a) {
      absl::StrAppendFormat(&out, "\\u%04x", cp);
    } else {
      out.push_back(static_cast<char>(cp));
    }
  }
  return out;
}

absl::StatusOr<std::string> DecodeEscapedString(absl::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != quoted.back() ||
      (quoted.front() != '\'' && quoted.front() != '"')) {
    return absl::InvalidArgumentError(
        "the STRING opcode argument must be quoted");
  }
  absl::string_view s = quoted.substr(1, quoted.size() - 2);
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    char c = s[i++];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i >= n) {
      return absl::InvalidArgumentError("STRING: trailing \\ in string");
    }
    char e = s[i++];
    switch (e) {
      case '\n':
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\'':
        out.push_back('\'');
        break;
      case '"':
        out.push_back('"');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case 'a':
        out.push_back('\a');
        break;
      case '0': case '1': case '2': case '3':
      case '4': case '5': case '6': case '7': {
        int v = e - '0';
        for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; ++k) {
          v = v * 8 + (s[i++] - '0');
        }
        out.push_back(static_cast<char>(v & 0xff));
        break;
      }
      case 'x': {
        int h1 = i < n ? HexValue(s[i]) : -1;
        int h2 = i + 1 < n ? HexValue(s[i + 1]) : -1;
        if (h1 < 0 || h2 < 0) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "STRING: invalid \\x escape at position %d", i - 2));
        }
        out.push_back(static_cast<char>(h1 * 16 + h2));
        i += 2;
        break;
      }
      default:
        out.push_back('\\');
        out.push_back(e);
        break;
    }
  }
  return out;
}

}  // namespace pickle_internal
}  // namespace ptser
