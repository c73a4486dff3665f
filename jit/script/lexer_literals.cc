// Copyright ptser authors.
//
// The lexer's literals (lexer.h): numbers (ints in every radix, floats,
// imaginary refused) and strings (quotes, prefixes, escapes, UTF-8).

#include "jit/script/lexer.h"

#include <cstdint>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/charconv.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "jit/script/internal/lexer_chars.h"

namespace ptser {
namespace jit {
namespace script {
namespace {

using lexer_internal::IsDigit;
using lexer_internal::IsLineBreak;
using lexer_internal::IsNameChar;
using lexer_internal::IsNameStart;
using lexer_internal::Shorten;

constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

int DigitValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

size_t Utf8SequenceLength(absl::string_view s) {
  auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](size_t i) { return i < s.size() && (at(i) & 0xC0) == 0x80; };
  const unsigned char c = at(0);
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;  // a continuation byte, or an overlong 2-byte lead
  if (c < 0xE0) return continuation(1) ? 2 : 0;
  if (c < 0xF0) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (c == 0xE0 && at(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && at(1) >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (c < 0xF5) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (c == 0xF0 && at(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && at(1) >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void Lexer::LexNumber(Token* token) {
  const size_t n = text_.size();
  const size_t start = pos_;
  auto fail = [&](absl::string_view what) {
    size_t end = pos_;
    while (end < n && IsNameChar(static_cast<unsigned char>(text_[end]))) ++end;
    Fail(token, token->line, token->column,
         absl::StrCat(what, " `", Shorten(text_.substr(start, end - start)), "`"));
  };
  auto digit_at = [&](size_t i, int radix) {
    return i < n && DigitValue(static_cast<unsigned char>(text_[i])) < radix;
  };
  // Digits of `radix` with single `_` between them; returns false on a
  // misplaced `_`.
  auto scan_digits = [&](int radix, std::string* digits) {
    while (pos_ < n) {
      const char c = text_[pos_];
      if (c == '_') {
        if (!digit_at(pos_ + 1, radix)) return false;
        ++pos_;
        continue;
      }
      if (DigitValue(static_cast<unsigned char>(c)) >= radix) break;
      digits->push_back(c);
      ++pos_;
    }
    return true;
  };
  std::string digits;
  if (text_[pos_] == '0' && pos_ + 1 < n &&
      absl::string_view("xXoObB").find(text_[pos_ + 1]) != absl::string_view::npos) {
    const char marker = static_cast<char>(text_[pos_ + 1] | 0x20);
    const int radix = marker == 'x' ? 16 : marker == 'o' ? 8 : 2;
    const char* name = marker == 'x' ? "hexadecimal" : marker == 'o' ? "octal" : "binary";
    pos_ += 2;
    // Python allows one `_` right after the prefix.
    if (pos_ < n && text_[pos_] == '_' && digit_at(pos_ + 1, radix)) ++pos_;
    if (!scan_digits(radix, &digits) || digits.empty() ||
        (pos_ < n && IsNameChar(static_cast<unsigned char>(text_[pos_])))) {
      fail(absl::StrCat("invalid ", name, " literal"));
      return;
    }
    uint64_t value = 0;
    for (char d : digits) {
      const uint64_t v = static_cast<uint64_t>(DigitValue(static_cast<unsigned char>(d)));
      if (value > (kTwoTo63 - v) / radix) {
        fail("integer literal beyond the int64 range");
        return;
      }
      value = value * radix + v;
    }
    token->kind = TokenKind::kInt;
    token->int_value = value;
    token->text = text_.substr(start, pos_ - start);
    return;
  }
  // Decimal: digits [. digits] [e [+-] digits].
  bool is_float = false;
  if (!scan_digits(10, &digits)) {
    fail("invalid decimal literal");
    return;
  }
  const size_t integer_digits = digits.size();
  if (pos_ < n && text_[pos_] == '.') {
    is_float = true;
    digits.push_back('.');
    ++pos_;
    // `_` only between digits: not right after the point.
    if ((pos_ < n && text_[pos_] == '_') || !scan_digits(10, &digits)) {
      fail("invalid decimal literal");
      return;
    }
  }
  int64_t exponent = 0;
  if (pos_ < n && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    size_t p = pos_ + 1;
    bool negative = false;
    if (p < n && (text_[p] == '+' || text_[p] == '-')) negative = text_[p++] == '-';
    if (!digit_at(p, 10)) {
      fail("invalid decimal literal");
      return;
    }
    is_float = true;
    digits.push_back('e');
    if (negative) digits.push_back('-');
    pos_ = p;
    std::string exponent_digits;
    if (!scan_digits(10, &exponent_digits)) {
      fail("invalid decimal literal");
      return;
    }
    for (char d : exponent_digits) {
      if (exponent < 1000000000) exponent = exponent * 10 + (d - '0');
    }
    // A clamped exponent keeps its meaning (the value is out of range either way).
    digits += exponent_digits.size() > 12 ? std::string("1000000000") : exponent_digits;
    if (negative) exponent = -exponent;
  }
  if (pos_ < n && (text_[pos_] == 'j' || text_[pos_] == 'J')) {
    ++pos_;
    fail("complex literals are not supported:");
    return;
  }
  if (pos_ < n && IsNameChar(static_cast<unsigned char>(text_[pos_]))) {
    fail("invalid decimal literal");
    return;
  }
  token->text = text_.substr(start, pos_ - start);
  if (!is_float) {
    if (digits.size() > 1 && digits[0] == '0' &&
        digits.find_first_not_of('0') != std::string::npos) {
      fail("leading zeros in decimal integer literals are not permitted (0o is octal):");
      return;
    }
    uint64_t value = 0;
    for (char d : digits) {
      const uint64_t v = static_cast<uint64_t>(d - '0');
      if (value > (kTwoTo63 - v) / 10) {
        fail("integer literal beyond the int64 range");
        return;
      }
      value = value * 10 + v;
    }
    token->kind = TokenKind::kInt;
    token->int_value = value;
    return;
  }
  double value = 0;
  const absl::from_chars_result r = absl::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (r.ptr != digits.data() + digits.size()) {
    fail("invalid decimal literal");
    return;
  }
  if (r.ec == std::errc::result_out_of_range) {
    // Python gives inf beyond the double range and 0.0 below it.  Which one:
    // the decimal exponent of the first significant digit.
    const size_t first = digits.find_first_of("123456789");
    int64_t magnitude = exponent;
    if (first != std::string::npos && first < integer_digits) {
      magnitude += static_cast<int64_t>(integer_digits - first);
    } else if (first != std::string::npos) {
      magnitude -= static_cast<int64_t>(first - integer_digits - 1);
    }
    value = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  }
  token->kind = TokenKind::kFloat;
  token->float_value = value;
}

// The escape at `backslash` (not raw): its character(s) appended to `out`,
// pos_ moved past it; false after Fail for an invalid one.
bool Lexer::LexEscape(Token* token, size_t backslash, std::string* out) {
  const size_t n = text_.size();
  const char e = text_[backslash + 1];
  const int column = ColumnOf(backslash);
  pos_ += 2;
  switch (e) {
    case '\n':
    case '\r':  // a line continuation inside the string
      --pos_;
      ConsumeLineBreak();
      break;
    case '\\': out->push_back('\\'); break;
    case '\'': out->push_back('\''); break;
    case '"': out->push_back('"'); break;
    case 'a': out->push_back('\a'); break;
    case 'b': out->push_back('\b'); break;
    case 'f': out->push_back('\f'); break;
    case 'n': out->push_back('\n'); break;
    case 'r': out->push_back('\r'); break;
    case 't': out->push_back('\t'); break;
    case 'v': out->push_back('\v'); break;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      uint32_t cp = static_cast<uint32_t>(e - '0');
      for (int i = 0; i < 2 && pos_ < n && text_[pos_] >= '0' && text_[pos_] <= '7'; ++i) {
        cp = cp * 8 + static_cast<uint32_t>(text_[pos_++] - '0');
      }
      AppendUtf8(cp, out);
      break;
    }
    case 'x':
    case 'u':
    case 'U': {
      const int count = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (int i = 0; i < count; ++i) {
        if (pos_ >= n || DigitValue(static_cast<unsigned char>(text_[pos_])) >= 16) {
          Fail(token, line_, column,
               absl::StrCat("invalid `\\", std::string(1, e),
                            "` escape in a string literal (expected ", count, " hex digits)"));
          return false;
        }
        cp = cp * 16 + static_cast<uint32_t>(DigitValue(static_cast<unsigned char>(text_[pos_++])));
      }
      const absl::string_view escape = text_.substr(backslash, pos_ - backslash);
      if (cp > 0x10FFFF) {
        Fail(token, line_, column, absl::StrCat("escape `", escape, "` is beyond U+10FFFF"));
        return false;
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        Fail(token, line_, column,
             absl::StrCat("escape `", escape, "` is a surrogate, which UTF-8 cannot hold"));
        return false;
      }
      AppendUtf8(cp, out);
      break;
    }
    case 'N':
      Fail(token, line_, column, "`\\N{...}` escapes are not supported");
      return false;
    default:
      // Python keeps an unknown escape as written.
      out->push_back('\\');
      --pos_;
      break;
  }
  return true;
}

void Lexer::LexString(Token* token, size_t prefix_length) {
  const size_t n = text_.size();
  const size_t start = pos_;
  bool raw = false;
  for (size_t i = 0; i < prefix_length; ++i) {
    const char p = static_cast<char>(text_[pos_ + i] | 0x20);
    if (p == 'r') raw = true;
    if (p == 'b') {
      Fail(token, token->line, token->column, "bytes literals are not supported");
      return;
    }
    if (p == 'f') {
      Fail(token, token->line, token->column,
           "f-strings are not supported (PyTorch prints them as torch.format calls)");
      return;
    }
  }
  pos_ += prefix_length;
  const char quote = text_[pos_];
  const bool triple = pos_ + 2 < n && text_[pos_ + 1] == quote && text_[pos_ + 2] == quote;
  pos_ += triple ? 3 : 1;
  const std::string closing(triple ? 3 : 1, quote);
  std::string& out = token->string_value;
  auto unterminated = [&](absl::string_view where) {
    Fail(token, token->line, token->column,
         absl::StrCat(triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
                      " (no closing ", closing, " before ", where, ")"));
  };
  auto bad_escape = [&](size_t at, absl::string_view message) {
    Fail(token, line_, ColumnOf(at), message);
  };
  for (;;) {
    // Copy the plain run.
    size_t run = pos_;
    while (run < n) {
      const unsigned char c = static_cast<unsigned char>(text_[run]);
      if (c == static_cast<unsigned char>(quote) || c == '\\' || c == '\n' || c == '\r' || c == 0 ||
          c >= 0x80) {
        break;
      }
      ++run;
    }
    out.append(text_.data() + pos_, run - pos_);
    pos_ = run;
    if (pos_ >= n) {
      unterminated("the end of input");
      return;
    }
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == static_cast<unsigned char>(quote)) {
      if (!triple) {
        ++pos_;
        break;
      }
      if (pos_ + 2 < n && text_[pos_ + 1] == quote && text_[pos_ + 2] == quote) {
        pos_ += 3;
        break;
      }
      out.push_back(quote);
      ++pos_;
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (!triple) {
        unterminated("the end of the line");
        return;
      }
      ConsumeLineBreak();
      out.push_back('\n');
      continue;
    }
    if (c == 0) {
      bad_escape(pos_, "NUL byte in a string literal (write it as \\0)");
      return;
    }
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(text_.substr(pos_));
      if (len == 0) {
        bad_escape(pos_, absl::StrFormat("invalid UTF-8 (byte 0x%02X) in a string literal", c));
        return;
      }
      out.append(text_.data() + pos_, len);
      pos_ += len;
      continue;
    }
    // A backslash.
    const size_t backslash = pos_;
    if (pos_ + 1 >= n) {
      unterminated("the end of input");
      return;
    }
    const char e = text_[pos_ + 1];
    if (raw) {
      // Kept as written; it only stops the next quote or backslash from
      // counting, and a line break after it stays in the string.
      out.push_back('\\');
      ++pos_;
      if (IsLineBreak(e)) {
        ConsumeLineBreak();
        out.push_back('\n');
      } else if (e == quote || e == '\\') {
        out.push_back(e);
        ++pos_;
      }
      continue;
    }
    if (!LexEscape(token, backslash, &out)) return;
  }
  token->kind = TokenKind::kString;
  token->text = text_.substr(start, pos_ - start);
}

}  // namespace script
}  // namespace jit
}  // namespace ptser
