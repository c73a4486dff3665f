// Copyright ptser authors.
//
// pickle/internal/python_text.h — Python's text conventions, in C++.
//
// The pickle layer stores Python `str` values as UTF-8 and has to read and
// write the text forms protocol 0 uses, and print values as Python's `repr`
// does.  This file collects those rules:
//
//   FloatRepr(0.1) == "0.1"; FloatRepr(1e16) == "1e+16"; FloatRepr(2) == "2.0"
//   StrRepr("it's") == "\"it's\""; BytesRepr("\x00a") == "b'\\x00a'"
//   DecodeRawUnicodeEscape("caf\xe9 \\u20ac") == "café €"  (protocol 0 `V`)
//   DecodeEscapedString("'a\\n'")  == "a\n"                 (protocol 0 `S`)
//
// Python strings may hold lone surrogates (U+D800..U+DFFF); pickle writes
// them with UTF-8 "surrogatepass", and so does ptser: a "UTF-8" string here
// is UTF-8 in which the three-byte encodings of surrogates are allowed.
//
// Logically private to //pickle.
#ifndef PTSER_PICKLE_INTERNAL_PYTHON_TEXT_H_
#define PTSER_PICKLE_INTERNAL_PYTHON_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ptser {
namespace pickle_internal {

// `repr(x)` of a Python float: the shortest string that reads back as `x`,
// fixed notation for decimal exponents in [-4, 16) with ".0" added to
// integral values, else scientific ("1e+16", "1.5e-07"); "inf", "-inf",
// "nan".
std::string FloatRepr(double x);

// The same digits without the ".0" suffix, as Python prints the parts of a
// complex number ("1", "1.5", "1e+16").
std::string FloatReprNoDot0(double x);

// `repr(complex(re, im))`: "1j", "(1+2j)", "(-0-1j)", "(nan+infj)".
std::string ComplexRepr(double re, double im);

// `repr(s)` for a str held as UTF-8: quotes chosen as Python does, escapes
// for non-printable characters (\n, \t, \r, \\, \xhh, \uhhhh, \Uhhhhhhhh).
// Printability of non-ASCII code points follows Unicode categories closely
// but not completely (unassigned code points print raw).
std::string StrRepr(absl::string_view utf8);

// `repr(b)` of a bytes object: b'...' with \xhh escapes.
std::string BytesRepr(absl::string_view bytes);

// Checks that `s` is UTF-8 (surrogates allowed, as "surrogatepass").
bool IsValidUtf8(absl::string_view s);

// Decodes UTF-8 (surrogatepass) into code points; nullopt when invalid.
std::optional<std::vector<uint32_t>> Utf8ToCodePoints(absl::string_view s);

// Appends the UTF-8 (surrogatepass) encoding of `cp` (<= 0x10FFFF).
void AppendUtf8(uint32_t cp, std::string* out);

// Latin-1 bytes to UTF-8 (each byte is a code point).
std::string Latin1ToUtf8(absl::string_view latin1);

// UTF-8 to Latin-1; fails (InvalidArgumentError) when a code point is above
// U+00FF or the input is not UTF-8.
absl::StatusOr<std::string> Utf8ToLatin1(absl::string_view utf8);

// Protocol 0 `UNICODE` payload ("raw-unicode-escape"): bytes are Latin-1
// code points except `\uXXXX` and `\UXXXXXXXX` escapes.  Returns UTF-8.
// Malformed escapes and code points above U+10FFFF are errors.
absl::StatusOr<std::string> DecodeRawUnicodeEscape(absl::string_view raw);

// Inverse, as Python's pickler writes protocol 0 strings: code points above
// U+00FF become \uXXXX / \UXXXXXXXX, and so do '\\', '\0', '\n', '\r' and
// '\x1a'; everything else is one Latin-1 byte.  `utf8` must be valid.
std::string EncodeRawUnicodeEscapeForPickle(absl::string_view utf8);

// Protocol 0 `STRING` payload: a Python 2 `repr` of a byte string, with
// matching single or double quotes, decoded like `codecs.escape_decode`
// (\\ \' \" \a \b \f \n \r \t \v \xhh \ooo, backslash-newline; an unknown
// escape keeps its backslash).  Returns the raw bytes.
absl::StatusOr<std::string> DecodeEscapedString(absl::string_view quoted);

}  // namespace pickle_internal
}  // namespace ptser

#endif  // PTSER_PICKLE_INTERNAL_PYTHON_TEXT_H_
