// Copyright ptser authors.
//
// jit/script/lexer.h — tokens of TorchScript code records (private to the
// parser, jit/script/parser.h).
//
// Python's lexical rules (docs/formats/torchscript.md), as far as PyTorch's
// printer and hand-edited code records need them:
//
//   - Logical lines end in kNewline.  A line's indentation opens (kIndent) or
//     closes (kDedent, one per level) blocks as in Python: a tab advances to
//     the next multiple of 8, and a line whose indentation compares
//     differently with tabs counted as 1 column is "inconsistent use of tabs
//     and spaces" (Python 3's rule).  Dedenting to a level that was never
//     opened is an error.
//   - Blank lines and `#` comments make no tokens.  Inside (), [] and {}
//     newlines and indentation are ignored; `\` at the end of a line joins it
//     with the next.
//   - Names [A-Za-z_][A-Za-z0-9_]* (keywords are their own kinds); integers
//     (decimal, 0x, 0o, 0b, `_` between digits; a value beyond 2^63 is an
//     error, 2^63 itself is left to the parser, which accepts it only after
//     a unary minus); floats (`1.`, `.5`, `1e-5`, `6.2831853071795862`;
//     beyond the double range as Python: inf or 0); strings '…', "…",
//     '''…''', """…""" with an `r` or `u` prefix, escapes decoded (\n \t
//     \\ \' \" \a \b \f \v \r \xNN \uNNNN \UNNNNNNNN, octal \0…\777, and a
//     backslash before a line break),
//     non-ASCII UTF-8 passing through (invalid UTF-8 is an error).  Bytes
//     and f-strings, complex literals and non-ASCII names are errors.
//   - A file's last logical line gets its kNewline, then kDedents down to
//     column 0, then kEnd.
//
// Lines and columns count from 1; a column counts bytes.  The lexer is lazy
// (one token per Next()), so an error is reported when the parser reaches
// it, after any syntax error before it.  A lexical error yields a kError
// token; status() then says what went wrong:
//
//   code/__torch__.py:3:10: unterminated string literal (no closing " before the end of the line)
#ifndef PTSER_JIT_SCRIPT_LEXER_H_
#define PTSER_JIT_SCRIPT_LEXER_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ptser {
namespace jit {
namespace script {

enum class TokenKind : uint8_t {
  kError,  // a lexical error: Lexer::status()
  kEnd,
  kNewline,
  kIndent,
  kDedent,
  kName,
  kInt,
  kFloat,
  kString,
  // Keywords of the language.
  kAnd, kAs, kAssert, kBreak, kClass, kContinue, kDef, kDel, kElif, kElse,
  kFalse, kFor, kFrom, kIf, kImport, kIn, kIs, kNone, kNot, kOr, kPass,
  kRaise, kReturn, kTrue, kWhile, kWith,
  // Python keywords TorchScript code does not use (the parser says so).
  kAsync, kAwait, kExcept, kFinally, kGlobal, kLambda, kNonlocal, kTry,
  kYield,
  // Brackets and punctuation.
  kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace,
  kComma, kColon, kSemicolon, kDot, kEllipsis, kArrow, kAssign,
  // Operators.
  kPlus, kMinus, kStar, kDoubleStar, kSlash, kDoubleSlash, kPercent, kAt,
  kLShift, kRShift, kAmp, kPipe, kCaret, kTilde,
  kLt, kGt, kLe, kGe, kEq, kNe,
  // Augmented assignment.
  kPlusAssign, kMinusAssign, kStarAssign, kDoubleStarAssign, kSlashAssign,
  kDoubleSlashAssign, kPercentAssign, kAtAssign, kLShiftAssign,
  kRShiftAssign, kAmpAssign, kPipeAssign, kCaretAssign,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int line = 0;
  int column = 0;
  // The token's text in the source (empty for kNewline at the end of input,
  // kIndent, kDedent, kEnd).
  absl::string_view text;
  // kInt: the value, at most 2^63 (which fits only negated).
  uint64_t int_value = 0;
  double float_value = 0;     // kFloat
  std::string string_value;   // kString: decoded, UTF-8
};

// The spelling of a keyword or operator kind ("if", "**="); "" for others.
absl::string_view TokenKindSpelling(TokenKind kind);

// The token for "expected …, got <this>" messages: "name `foo`", "`if`",
// "newline", "end of input", "string \"abc\"" (long texts shortened).
std::string DescribeToken(const Token& token);

class Lexer {
 public:
  enum class Mode {
    kFile,        // statements: kNewline, kIndent, kDedent
    kExpression,  // one expression: newlines and indentation ignored
  };

  // `record` names the text in messages; both must outlive the Lexer.
  Lexer(absl::string_view record, absl::string_view text, Mode mode);

  // The next token; after kEnd or kError, the same kind again.
  void Next(Token* token);

  // OK, or the error a kError token stands for.
  const absl::Status& status() const { return status_; }

 private:
  struct Indent {
    int column;      // tabs to multiples of 8
    int alt_column;  // tabs as 1
  };
  struct OpenBracket {
    char bracket;
    int line;
    int column;
  };

  // Fills `token` with kError for `message` at line:column.
  void Fail(Token* token, int line, int column, absl::string_view message);
  int ColumnOf(size_t pos) const { return static_cast<int>(pos - line_start_) + 1; }
  // Consumes the line break at pos_ ("\n", "\r\n" or "\r").
  void ConsumeLineBreak();
  // At the start of a logical line: skips blank and comment lines, then
  // compares the indentation with the open blocks.  Returns true when it
  // filled `token` (kIndent, kDedent or kError).
  bool StartLine(Token* token);
  void EndOfInput(Token* token);
  void LexNumber(Token* token);
  void LexString(Token* token, size_t prefix_length);
  // LexString's escape sequences: false after Fail.
  bool LexEscape(Token* token, size_t backslash, std::string* out);
  void LexOperator(Token* token);

  absl::string_view record_;
  absl::string_view text_;
  Mode mode_;
  absl::Status status_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  bool at_line_start_ = true;
  bool line_has_tokens_ = false;
  bool after_continuation_ = false;  // a `\` line break, no token since
  bool ended_ = false;
  int pending_dedents_ = 0;
  int pending_line_ = 0;
  int pending_column_ = 0;
  std::vector<Indent> indents_;
  std::vector<OpenBracket> brackets_;
};

}  // namespace script
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_LEXER_H_
