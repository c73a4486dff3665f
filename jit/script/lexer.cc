// Copyright ptser authors.
//
// The TorchScript lexer (lexer.h): Python's tokenizer rules, one token per
// call, in one pass over the text.
//
// This file: token names, lines and indentation, names, keywords and
// operators; lexer_literals.cc: numbers and strings.

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

// Indentation beyond this many columns is refused (it keeps the column
// arithmetic far from int overflow).
constexpr int kMaxIndentColumns = 1 << 20;

// A keyword's kind, or kName.
TokenKind KeywordKind(absl::string_view s) {
  struct Keyword {
    absl::string_view text;
    TokenKind kind;
  };
  static constexpr Keyword kKeywords[] = {
      {"and", TokenKind::kAnd},           {"as", TokenKind::kAs},
      {"assert", TokenKind::kAssert},     {"async", TokenKind::kAsync},
      {"await", TokenKind::kAwait},       {"break", TokenKind::kBreak},
      {"class", TokenKind::kClass},       {"continue", TokenKind::kContinue},
      {"def", TokenKind::kDef},           {"del", TokenKind::kDel},
      {"elif", TokenKind::kElif},         {"else", TokenKind::kElse},
      {"except", TokenKind::kExcept},     {"False", TokenKind::kFalse},
      {"finally", TokenKind::kFinally},   {"for", TokenKind::kFor},
      {"from", TokenKind::kFrom},         {"global", TokenKind::kGlobal},
      {"if", TokenKind::kIf},             {"import", TokenKind::kImport},
      {"in", TokenKind::kIn},             {"is", TokenKind::kIs},
      {"lambda", TokenKind::kLambda},     {"None", TokenKind::kNone},
      {"nonlocal", TokenKind::kNonlocal}, {"not", TokenKind::kNot},
      {"or", TokenKind::kOr},             {"pass", TokenKind::kPass},
      {"raise", TokenKind::kRaise},       {"return", TokenKind::kReturn},
      {"True", TokenKind::kTrue},         {"try", TokenKind::kTry},
      {"while", TokenKind::kWhile},       {"with", TokenKind::kWith},
      {"yield", TokenKind::kYield},
  };
  // Most names are not keywords: keywords are 2 to 8 letters and start with
  // one of these.
  if (s.size() < 2 || s.size() > 8) return TokenKind::kName;
  switch (s[0]) {
    case 'a': case 'b': case 'c': case 'd': case 'e': case 'F': case 'f':
    case 'g': case 'i': case 'l': case 'N': case 'n': case 'o': case 'p':
    case 'r': case 'T': case 't': case 'w': case 'y':
      break;
    default:
      return TokenKind::kName;
  }
  for (const Keyword& k : kKeywords) {
    if (k.text == s) return k.kind;
  }
  return TokenKind::kName;
}

// The length of the valid UTF-8 sequence at the start of `s`, or 0.

// A character for a message: `$`, or byte 0x00.
std::string DescribeChar(unsigned char c) {
  if (c > 0x20 && c < 0x7F) return absl::StrCat("character '", std::string(1, c), "'");
  return absl::StrFormat("byte 0x%02X", c);
}

}  // namespace

absl::string_view TokenKindSpelling(TokenKind kind) {
  switch (kind) {
    case TokenKind::kAnd: return "and";
    case TokenKind::kAs: return "as";
    case TokenKind::kAssert: return "assert";
    case TokenKind::kBreak: return "break";
    case TokenKind::kClass: return "class";
    case TokenKind::kContinue: return "continue";
    case TokenKind::kDef: return "def";
    case TokenKind::kDel: return "del";
    case TokenKind::kElif: return "elif";
    case TokenKind::kElse: return "else";
    case TokenKind::kFalse: return "False";
    case TokenKind::kFor: return "for";
    case TokenKind::kFrom: return "from";
    case TokenKind::kIf: return "if";
    case TokenKind::kImport: return "import";
    case TokenKind::kIn: return "in";
    case TokenKind::kIs: return "is";
    case TokenKind::kNone: return "None";
    case TokenKind::kNot: return "not";
    case TokenKind::kOr: return "or";
    case TokenKind::kPass: return "pass";
    case TokenKind::kRaise: return "raise";
    case TokenKind::kReturn: return "return";
    case TokenKind::kTrue: return "True";
    case TokenKind::kWhile: return "while";
    case TokenKind::kWith: return "with";
    case TokenKind::kAsync: return "async";
    case TokenKind::kAwait: return "await";
    case TokenKind::kExcept: return "except";
    case TokenKind::kFinally: return "finally";
    case TokenKind::kGlobal: return "global";
    case TokenKind::kLambda: return "lambda";
    case TokenKind::kNonlocal: return "nonlocal";
    case TokenKind::kTry: return "try";
    case TokenKind::kYield: return "yield";
    case TokenKind::kLParen: return "(";
    case TokenKind::kRParen: return ")";
    case TokenKind::kLBracket: return "[";
    case TokenKind::kRBracket: return "]";
    case TokenKind::kLBrace: return "{";
    case TokenKind::kRBrace: return "}";
    case TokenKind::kComma: return ",";
    case TokenKind::kColon: return ":";
    case TokenKind::kSemicolon: return ";";
    case TokenKind::kDot: return ".";
    case TokenKind::kEllipsis: return "...";
    case TokenKind::kArrow: return "->";
    case TokenKind::kAssign: return "=";
    case TokenKind::kPlus: return "+";
    case TokenKind::kMinus: return "-";
    case TokenKind::kStar: return "*";
    case TokenKind::kDoubleStar: return "**";
    case TokenKind::kSlash: return "/";
    case TokenKind::kDoubleSlash: return "//";
    case TokenKind::kPercent: return "%";
    case TokenKind::kAt: return "@";
    case TokenKind::kLShift: return "<<";
    case TokenKind::kRShift: return ">>";
    case TokenKind::kAmp: return "&";
    case TokenKind::kPipe: return "|";
    case TokenKind::kCaret: return "^";
    case TokenKind::kTilde: return "~";
    case TokenKind::kLt: return "<";
    case TokenKind::kGt: return ">";
    case TokenKind::kLe: return "<=";
    case TokenKind::kGe: return ">=";
    case TokenKind::kEq: return "==";
    case TokenKind::kNe: return "!=";
    case TokenKind::kPlusAssign: return "+=";
    case TokenKind::kMinusAssign: return "-=";
    case TokenKind::kStarAssign: return "*=";
    case TokenKind::kDoubleStarAssign: return "**=";
    case TokenKind::kSlashAssign: return "/=";
    case TokenKind::kDoubleSlashAssign: return "//=";
    case TokenKind::kPercentAssign: return "%=";
    case TokenKind::kAtAssign: return "@=";
    case TokenKind::kLShiftAssign: return "<<=";
    case TokenKind::kRShiftAssign: return ">>=";
    case TokenKind::kAmpAssign: return "&=";
    case TokenKind::kPipeAssign: return "|=";
    case TokenKind::kCaretAssign: return "^=";
    case TokenKind::kError:
    case TokenKind::kEnd:
    case TokenKind::kNewline:
    case TokenKind::kIndent:
    case TokenKind::kDedent:
    case TokenKind::kName:
    case TokenKind::kInt:
    case TokenKind::kFloat:
    case TokenKind::kString:
      break;
  }
  return "";
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kError: return "an invalid token";
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kNewline: return "newline";
    case TokenKind::kIndent: return "an indented line";
    case TokenKind::kDedent: return "the end of the indented block";
    case TokenKind::kName: return absl::StrCat("name `", token.text, "`");
    case TokenKind::kInt:
    case TokenKind::kFloat: return absl::StrCat("number `", Shorten(token.text), "`");
    case TokenKind::kString: return absl::StrCat("string ", Shorten(token.text));
    default:
      if (token.kind >= TokenKind::kAnd && token.kind <= TokenKind::kYield) {
        return absl::StrCat("`", TokenKindSpelling(token.kind), "`");
      }
      return absl::StrCat("'", TokenKindSpelling(token.kind), "'");
  }
}

Lexer::Lexer(absl::string_view record, absl::string_view text, Mode mode)
    : record_(record), text_(text), mode_(mode) {
  indents_.push_back({0, 0});
  // A UTF-8 byte order mark is not part of the text.
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") {
    pos_ = 3;
    line_start_ = 3;
  }
}

void Lexer::Fail(Token* token, int line, int column, absl::string_view message) {
  status_ = absl::InvalidArgumentError(absl::StrCat(record_, ":", line, ":", column, ": ", message));
  token->kind = TokenKind::kError;
  token->line = line;
  token->column = column;
}

void Lexer::ConsumeLineBreak() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
  line_start_ = pos_;
}

bool Lexer::StartLine(Token* token) {
  const size_t n = text_.size();
  for (;;) {
    size_t p = pos_;
    int column = 0;
    int alt_column = 0;
    for (; p < n; ++p) {
      const char c = text_[p];
      if (c == ' ') {
        ++column;
        ++alt_column;
      } else if (c == '\t') {
        column = (column / 8 + 1) * 8;
        ++alt_column;
      } else if (c == '\f') {
        column = 0;
        alt_column = 0;
      } else {
        break;
      }
      if (column > kMaxIndentColumns) {
        Fail(token, line_, ColumnOf(p), "indentation is deeper than 1048576 columns");
        return true;
      }
    }
    pos_ = p;
    if (p >= n) return false;  // trailing whitespace: the end of input
    if (text_[p] == '#') {
      while (pos_ < n && !IsLineBreak(text_[pos_])) ++pos_;
      if (pos_ >= n) return false;
    }
    if (IsLineBreak(text_[pos_])) {  // a blank or comment line
      ConsumeLineBreak();
      continue;
    }
    at_line_start_ = false;
    const int here = ColumnOf(p);
    auto inconsistent = [&] {
      Fail(token, line_, here, "inconsistent use of tabs and spaces in indentation");
      return true;
    };
    const Indent top = indents_.back();
    if (column == top.column) {
      if (alt_column != top.alt_column) return inconsistent();
      return false;
    }
    if (column > top.column) {
      if (alt_column <= top.alt_column) return inconsistent();
      indents_.push_back({column, alt_column});
      token->kind = TokenKind::kIndent;
      token->line = line_;
      token->column = here;
      return true;
    }
    int closed = 0;
    size_t keep = indents_.size();
    while (keep > 1 && column < indents_[keep - 1].column) {
      --keep;
      ++closed;
    }
    if (column != indents_[keep - 1].column) {
      std::vector<int> levels;
      for (const Indent& i : indents_) levels.push_back(i.column);
      Fail(token, line_, here,
           absl::StrCat("unindent does not match any outer indentation level (expected an "
                        "indentation of ",
                        absl::StrJoin(levels, ", "), " columns, got ", column, ")"));
      return true;
    }
    if (alt_column != indents_[keep - 1].alt_column) return inconsistent();
    indents_.resize(keep);
    pending_dedents_ = closed - 1;
    pending_line_ = line_;
    pending_column_ = here;
    token->kind = TokenKind::kDedent;
    token->line = line_;
    token->column = here;
    return true;
  }
}

void Lexer::EndOfInput(Token* token) {
  if (after_continuation_) {
    Fail(token, line_, ColumnOf(pos_), "unexpected end of input after a line continuation '\\'");
    return;
  }
  if (!brackets_.empty()) {
    const OpenBracket& b = brackets_.back();
    const char close = b.bracket == '(' ? ')' : b.bracket == '[' ? ']' : '}';
    Fail(token, b.line, b.column,
         absl::StrCat("'", std::string(1, b.bracket), "' is never closed (expected '",
                      std::string(1, close), "' before the end of input at ", line_, ":",
                      ColumnOf(pos_), ")"));
    return;
  }
  token->line = line_;
  token->column = ColumnOf(pos_);
  if (mode_ == Mode::kFile) {
    if (line_has_tokens_) {
      line_has_tokens_ = false;
      at_line_start_ = true;
      token->kind = TokenKind::kNewline;
      return;
    }
    if (indents_.size() > 1) {
      pending_dedents_ = static_cast<int>(indents_.size()) - 2;
      pending_line_ = token->line;
      pending_column_ = token->column;
      indents_.resize(1);
      token->kind = TokenKind::kDedent;
      return;
    }
  }
  ended_ = true;
  pending_line_ = token->line;
  pending_column_ = token->column;
  token->kind = TokenKind::kEnd;
}

void Lexer::Next(Token* token) {
  token->text = absl::string_view();
  token->int_value = 0;
  token->float_value = 0;
  token->string_value.clear();
  if (!status_.ok()) {
    token->kind = TokenKind::kError;
    return;
  }
  if (pending_dedents_ > 0) {
    --pending_dedents_;
    token->kind = TokenKind::kDedent;
    token->line = pending_line_;
    token->column = pending_column_;
    return;
  }
  if (ended_) {
    token->kind = TokenKind::kEnd;
    token->line = pending_line_;
    token->column = pending_column_;
    return;
  }
  const size_t n = text_.size();
  for (;;) {
    if (at_line_start_ && mode_ == Mode::kFile && brackets_.empty()) {
      if (StartLine(token)) return;
    }
    while (pos_ < n && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\f')) ++pos_;
    if (pos_ >= n) {
      EndOfInput(token);
      return;
    }
    const char c = text_[pos_];
    if (c == '#') {
      while (pos_ < n && !IsLineBreak(text_[pos_])) ++pos_;
      continue;
    }
    if (IsLineBreak(c)) {
      if (mode_ == Mode::kFile && brackets_.empty() && line_has_tokens_) {
        token->kind = TokenKind::kNewline;
        token->line = line_;
        token->column = ColumnOf(pos_);
        after_continuation_ = false;
        const size_t start = pos_;
        ConsumeLineBreak();
        token->text = text_.substr(start, pos_ - start);
        at_line_start_ = true;
        line_has_tokens_ = false;
        return;
      }
      // Inside brackets a line break joins the lines; outside, a line
      // without tokens (after a continuation) ends here.
      ConsumeLineBreak();
      if (brackets_.empty()) at_line_start_ = true;
      continue;
    }
    if (c == '\\') {
      if (pos_ + 1 < n && IsLineBreak(text_[pos_ + 1])) {
        ++pos_;
        ConsumeLineBreak();
        after_continuation_ = true;
        continue;
      }
      Fail(token, line_, ColumnOf(pos_),
           pos_ + 1 < n ? "unexpected character after a line continuation '\\' (expected a line "
                          "break)"
                        : "unexpected end of input after a line continuation '\\'");
      return;
    }
    break;
  }
  token->line = line_;
  token->column = ColumnOf(pos_);
  line_has_tokens_ = true;
  after_continuation_ = false;
  const unsigned char c = static_cast<unsigned char>(text_[pos_]);
  if (IsNameStart(c)) {
    const size_t start = pos_;
    while (pos_ < n && IsNameChar(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    const absl::string_view name = text_.substr(start, pos_ - start);
    if (name.size() <= 2 && pos_ < n && (text_[pos_] == '"' || text_[pos_] == '\'') &&
        name.find_first_not_of("rRuUbBfF") == absl::string_view::npos) {
      pos_ = start;
      LexString(token, name.size());
      return;
    }
    token->kind = KeywordKind(name);
    token->text = name;
    return;
  }
  if (IsDigit(c) || (c == '.' && pos_ + 1 < n && IsDigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
    LexNumber(token);
    return;
  }
  if (c == '"' || c == '\'') {
    LexString(token, 0);
    return;
  }
  LexOperator(token);
}

void Lexer::LexOperator(Token* token) {
  const size_t n = text_.size();
  const size_t start = pos_;
  const char c = text_[pos_];
  auto next_is = [&](size_t i, char x) { return pos_ + i < n && text_[pos_ + i] == x; };
  TokenKind kind;
  size_t len = 1;
  // `op` or `op=` where `op` is `base` characters long.
  auto with_assign = [&](size_t base, TokenKind plain, TokenKind assign) {
    len = base;
    if (next_is(base, '=')) {
      ++len;
      return assign;
    }
    return plain;
  };
  switch (c) {
    case '(':
    case '[':
    case '{':
      brackets_.push_back({c, token->line, token->column});
      kind = c == '(' ? TokenKind::kLParen : c == '[' ? TokenKind::kLBracket : TokenKind::kLBrace;
      break;
    case ')':
    case ']':
    case '}': {
      const char open = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (brackets_.empty()) {
        Fail(token, token->line, token->column, absl::StrCat("unmatched '", std::string(1, c), "'"));
        return;
      }
      const OpenBracket b = brackets_.back();
      if (b.bracket != open) {
        const char expected = b.bracket == '(' ? ')' : b.bracket == '[' ? ']' : '}';
        Fail(token, token->line, token->column,
             absl::StrCat("expected '", std::string(1, expected), "' to close the '",
                          std::string(1, b.bracket), "' at ", b.line, ":", b.column, ", got '",
                          std::string(1, c), "'"));
        return;
      }
      brackets_.pop_back();
      kind = c == ')' ? TokenKind::kRParen : c == ']' ? TokenKind::kRBracket : TokenKind::kRBrace;
      break;
    }
    case ',': kind = TokenKind::kComma; break;
    case ':': kind = TokenKind::kColon; break;
    case ';': kind = TokenKind::kSemicolon; break;
    case '~': kind = TokenKind::kTilde; break;
    case '.':
      if (next_is(1, '.') && next_is(2, '.')) {
        kind = TokenKind::kEllipsis;
        len = 3;
      } else {
        kind = TokenKind::kDot;
      }
      break;
    case '+': kind = with_assign(1, TokenKind::kPlus, TokenKind::kPlusAssign); break;
    case '%': kind = with_assign(1, TokenKind::kPercent, TokenKind::kPercentAssign); break;
    case '@': kind = with_assign(1, TokenKind::kAt, TokenKind::kAtAssign); break;
    case '&': kind = with_assign(1, TokenKind::kAmp, TokenKind::kAmpAssign); break;
    case '|': kind = with_assign(1, TokenKind::kPipe, TokenKind::kPipeAssign); break;
    case '^': kind = with_assign(1, TokenKind::kCaret, TokenKind::kCaretAssign); break;
    case '=': kind = with_assign(1, TokenKind::kAssign, TokenKind::kEq); break;
    case '-':
      if (next_is(1, '>')) {
        kind = TokenKind::kArrow;
        len = 2;
      } else {
        kind = with_assign(1, TokenKind::kMinus, TokenKind::kMinusAssign);
      }
      break;
    case '*':
      if (next_is(1, '*')) {
        kind = with_assign(2, TokenKind::kDoubleStar, TokenKind::kDoubleStarAssign);
      } else {
        kind = with_assign(1, TokenKind::kStar, TokenKind::kStarAssign);
      }
      break;
    case '/':
      if (next_is(1, '/')) {
        kind = with_assign(2, TokenKind::kDoubleSlash, TokenKind::kDoubleSlashAssign);
      } else {
        kind = with_assign(1, TokenKind::kSlash, TokenKind::kSlashAssign);
      }
      break;
    case '<':
      if (next_is(1, '<')) {
        kind = with_assign(2, TokenKind::kLShift, TokenKind::kLShiftAssign);
      } else {
        kind = with_assign(1, TokenKind::kLt, TokenKind::kLe);
      }
      break;
    case '>':
      if (next_is(1, '>')) {
        kind = with_assign(2, TokenKind::kRShift, TokenKind::kRShiftAssign);
      } else {
        kind = with_assign(1, TokenKind::kGt, TokenKind::kGe);
      }
      break;
    case '!':
      if (next_is(1, '=')) {
        kind = TokenKind::kNe;
        len = 2;
        break;
      }
      Fail(token, token->line, token->column, "unexpected character '!' (expected '!=')");
      return;
    default: {
      const unsigned char u = static_cast<unsigned char>(c);
      Fail(token, token->line, token->column,
           absl::StrCat("unexpected ", DescribeChar(u),
                        u >= 0x80 ? " (non-ASCII names are not supported)" : ""));
      return;
    }
  }
  pos_ += len;
  token->kind = kind;
  token->text = text_.substr(start, len);
}

}  // namespace script
}  // namespace jit
}  // namespace ptser
