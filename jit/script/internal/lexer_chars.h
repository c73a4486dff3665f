// Copyright ptser authors.
//
// Private to //jit/script:lexer: the character classes and message helpers
// that lexer.cc (lines, names, operators) and lexer_literals.cc (numbers
// and strings) share.
#ifndef PTSER_JIT_SCRIPT_INTERNAL_LEXER_CHARS_H_
#define PTSER_JIT_SCRIPT_INTERNAL_LEXER_CHARS_H_

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ptser {
namespace jit {
namespace script {
namespace lexer_internal {

inline bool IsNameStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsNameChar(unsigned char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }

// A piece of source for a message: up to the first line break, at most 40
// bytes.
inline std::string Shorten(absl::string_view text) {
  size_t end = text.find_first_of("\r\n");
  if (end == absl::string_view::npos) end = text.size();
  if (end > 40) return absl::StrCat(text.substr(0, 37), "...");
  return std::string(text.substr(0, end));
}

}  // namespace lexer_internal
}  // namespace script
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_INTERNAL_LEXER_CHARS_H_
