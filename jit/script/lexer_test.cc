// Copyright ptser authors.
//
// The TorchScript lexer: token streams for indentation, line joining and
// every operator; values of literals.  (Errors are tested through the
// parser, parser_test.cc, which reports them.)

#include "jit/script/lexer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace jit {
namespace script {
namespace {

// The tokens of `text`, one word each: NL, IN, DE, END, ERR, n:name, i:1,
// f:1.5, s:text, or an operator's spelling.
std::string Tokens(absl::string_view text, Lexer::Mode mode = Lexer::Mode::kFile) {
  Lexer lexer("t.py", text, mode);
  std::vector<std::string> out;
  Token t;
  for (int guard = 0; guard < 1000; ++guard) {
    lexer.Next(&t);
    switch (t.kind) {
      case TokenKind::kNewline: out.push_back("NL"); break;
      case TokenKind::kIndent: out.push_back("IN"); break;
      case TokenKind::kDedent: out.push_back("DE"); break;
      case TokenKind::kEnd: out.push_back("END"); break;
      case TokenKind::kError: out.push_back(absl::StrCat("ERR(", lexer.status().message(), ")")); break;
      case TokenKind::kName: out.push_back(absl::StrCat("n:", t.text)); break;
      case TokenKind::kInt: out.push_back(absl::StrCat("i:", t.int_value)); break;
      case TokenKind::kFloat: out.push_back(absl::StrCat("f:", t.float_value)); break;
      case TokenKind::kString: out.push_back(absl::StrCat("s:", t.string_value)); break;
      default: out.push_back(std::string(TokenKindSpelling(t.kind))); break;
    }
    if (t.kind == TokenKind::kEnd || t.kind == TokenKind::kError) break;
  }
  return absl::StrJoin(out, " ");
}

TEST(LexerTest, Indentation) {
  EXPECT_EQ(Tokens("if x:\n  y\nz\n"), "if n:x : NL IN n:y NL DE n:z NL END");
  EXPECT_EQ(Tokens("a:\n b:\n  c:\n   d"), "n:a : NL IN n:b : NL IN n:c : NL IN n:d NL DE DE DE END");
  EXPECT_EQ(Tokens("a:\n  b:\n    c\nd\n"), "n:a : NL IN n:b : NL IN n:c NL DE DE n:d NL END");
  EXPECT_EQ(Tokens("a:\n  b:\n    c\n  d\n"), "n:a : NL IN n:b : NL IN n:c NL DE n:d NL DE END");
  // Blank and comment lines are skipped whatever their indentation.
  EXPECT_EQ(Tokens("a\n\n      # c\n   \n\t\nb  # c\n"), "n:a NL n:b NL END");
  // Inside brackets and after a backslash, newlines and indentation are ignored.
  EXPECT_EQ(Tokens("f(a,\n        b\n)\nc\n"), "n:f ( n:a , n:b ) NL n:c NL END");
  EXPECT_EQ(Tokens("a = \\\n      b\nc"), "n:a = n:b NL n:c NL END");
  EXPECT_EQ(Tokens("a\r\n  b\r\n"), "n:a NL IN n:b NL DE END");
  EXPECT_EQ(Tokens("a\r  b\r"), "n:a NL IN n:b NL DE END");
  EXPECT_EQ(Tokens(""), "END");
  EXPECT_EQ(Tokens("\n\n"), "END");
  // Expression mode: no NEWLINE, INDENT or DEDENT.
  EXPECT_EQ(Tokens("  a\n    b\n", Lexer::Mode::kExpression), "n:a n:b END");
  // After the end, the end again.
  Lexer lexer("t.py", "x", Lexer::Mode::kFile);
  Token t;
  for (int i = 0; i < 2; ++i) lexer.Next(&t);
  lexer.Next(&t);
  EXPECT_EQ(t.kind, TokenKind::kEnd);
  lexer.Next(&t);
  EXPECT_EQ(t.kind, TokenKind::kEnd);
}

TEST(LexerTest, Locations) {
  Lexer lexer("t.py", "def f():\n  return 'x' +\\\n   y\n", Lexer::Mode::kFile);
  std::vector<std::string> where;
  Token t;
  do {
    lexer.Next(&t);
    where.push_back(absl::StrCat(t.line, ":", t.column));
  } while (t.kind != TokenKind::kEnd);
  EXPECT_EQ(absl::StrJoin(where, " "),
            "1:1 1:5 1:6 1:7 1:8 1:9 2:3 2:3 2:10 2:14 3:4 3:5 4:1 4:1");
}

TEST(LexerTest, OperatorsAndKeywords) {
  EXPECT_EQ(Tokens("+ - * ** / // % @ << >> & | ^ ~ < > <= >= == != -> = . ... , ; :",
                   Lexer::Mode::kExpression),
            "+ - * ** / // % @ << >> & | ^ ~ < > <= >= == != -> = . ... , ; : END");
  EXPECT_EQ(Tokens("+= -= *= **= /= //= %= @= <<= >>= &= |= ^=", Lexer::Mode::kExpression),
            "+= -= *= **= /= //= %= @= <<= >>= &= |= ^= END");
  EXPECT_EQ(Tokens("a**=b<<c>>=d", Lexer::Mode::kExpression), "n:a **= n:b << n:c >>= n:d END");
  EXPECT_EQ(Tokens("and as assert break class continue def del elif else False for from if "
                   "import in is None not or pass raise return True while with",
                   Lexer::Mode::kExpression),
            "and as assert break class continue def del elif else False for from if import in is "
            "None not or pass raise return True while with END");
  EXPECT_EQ(Tokens("lambda try yield iff _if If none true rb_ u", Lexer::Mode::kExpression),
            "lambda try yield n:iff n:_if n:If n:none n:true n:rb_ n:u END");
}

TEST(LexerTest, Literals) {
  EXPECT_EQ(Tokens("0 7 0x10 0o10 0b10 1_0 1. .5 1e3 1.5e-3 'a' \"b\" r'\\n' '''c\nd'''",
                   Lexer::Mode::kExpression),
            "i:0 i:7 i:16 i:8 i:2 i:10 f:1 f:0.5 f:1000 f:0.0015 s:a s:b s:\\n s:c\nd END");
  // 2^63 is a token (the parser accepts it after a minus); beyond it is not.
  EXPECT_EQ(Tokens("9223372036854775808", Lexer::Mode::kExpression), "i:9223372036854775808 END");
  EXPECT_EQ(Tokens("9223372036854775809", Lexer::Mode::kExpression),
            "ERR(t.py:1:1: integer literal beyond the int64 range `9223372036854775809`)");
  // 1..x: the float `1.` then an attribute dot.
  EXPECT_EQ(Tokens("1..x", Lexer::Mode::kExpression), "f:1 . n:x END");
}

TEST(LexerTest, DescribeToken) {
  Lexer lexer("t.py", "name 12 'long string that goes on and on and on and on' ( ) if", Lexer::Mode::kExpression);
  std::vector<std::string> described;
  Token t;
  for (;;) {
    lexer.Next(&t);
    described.push_back(DescribeToken(t));
    if (t.kind == TokenKind::kEnd || t.kind == TokenKind::kError) break;
  }
  EXPECT_EQ(absl::StrJoin(described, " | "),
            "name `name` | number `12` | string 'long string that goes on and on and ... | '(' | ')' | "
            "`if` | end of input");
}

}  // namespace
}  // namespace script
}  // namespace jit
}  // namespace ptser
