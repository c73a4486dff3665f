// Copyright ptser authors.
//
// The TorchScript parser (parser.h): recursive descent over the lexer's
// tokens (lexer.h), two tokens of lookahead, one pass.
//
// The grammar it accepts — Python's, narrowed to what code records hold.
// NEWLINE, INDENT, DEDENT and END come from the lexer; `x*` repeats, `[x]`
// is optional, '…' is a token:
//
//   record     := (class | def | 'op_version_set' '=' INT NEWLINE
//                  | import)* END
//   import     := 'import' dotted ['as' NAME] (',' dotted ['as' NAME])*
//                 NEWLINE
//               | 'from' ('.'* dotted | '.'+) 'import' ('*' | names
//                 | '(' names [','] ')') NEWLINE      (names: NAME ['as' NAME],
//                 comma-separated; op_version_set and imports are dropped)
//   class      := 'class' NAME ['(' [test (',' test)* [',']] ')'] ':' body
//                 (its statements: def, pass, assignments and declarations)
//   def        := 'def' NAME '(' [param (',' param)* [',']] ')' ['->' test]
//                 ':' body
//   param      := NAME [':' test] ['=' test] | '*'    ('*': the rest are
//                 keyword-only)
//   body       := NEWLINE INDENT statement+ DEDENT | simple_line
//   statement  := if | while | for | with | def | simple_line
//   if         := 'if' test ':' body ('elif' test ':' body)* ['else' ':' body]
//   while      := 'while' test ':' body
//   for        := 'for' targets 'in' testlist ':' body
//   with       := 'with' test ['as' expr] (',' test ['as' expr])* ':' body
//   simple_line:= small (';' small)* [';'] NEWLINE
//   small      := 'pass' | 'break' | 'continue' | 'return' [testlist]
//               | 'raise' [test] | 'assert' test [',' test] | 'del' targets
//               | testlist ('=' testlist)+            assignment
//               | testlist ':' test ['=' testlist]    declaration / annotated
//               | testlist augop testlist             augmented (+= ... ^=)
//               | testlist                            expression
//   targets    := expr (',' expr)* [',']
//   testlist   := test (',' test)* [',']             (a comma makes a Tuple)
//   test       := 'lambda' ... (an error) | or_test ['if' or_test 'else' test]
//   or_test    := and_test ('or' and_test)*
//   and_test   := not_test ('and' not_test)*
//   not_test   := 'not' not_test | comparison
//   comparison := expr [compop expr]    compop: < > == >= <= != in, not in,
//                                       is, is not
//   expr       := binary operators, loosest first: |  ^  &  << >>  + -
//                 * @ / // %   (left-associative), over factor
//   factor     := ('-' | '+' | '~') factor | power
//   power      := primary ['**' factor]
//   primary    := atom ('(' [arg (',' arg)* [',']] ')' | '[' subscripts ']'
//                       | '.' NAME)*
//   arg        := test | '*' test | NAME '=' test
//   subscripts := subscript (',' subscript)* [',']   (a comma makes a Tuple)
//   subscript  := test | [test] ':' [test] [':' [test]]
//   atom       := NAME | INT | FLOAT | STRING+ | 'True' | 'False' | 'None'
//               | '...' | '(' [test (',' test)* [',']] ')'
//               | '[' [test (',' test)* [',']] ']'
//               | '{' [test ':' test (',' test ':' test)* [',']] '}'
//
// Decisions:
//   - A chained comparison (`a < b < c`, `a == b != c`) is an error naming
//     it: Python evaluates `b` once, and PyTorch's printer never writes one.
//   - A minus before a number literal is folded into it: `-1` is kInt -1,
//     `-1.5` kFloat -1.5, `-9223372036854775808` the int64 minimum (`-inf`
//     stays a Unary minus of the Name `inf`).  `-2 ** 2` is still -(2**2).
//   - Adjacent string literals are concatenated, as in Python.
//   - Tabs follow Python 3 (lexer.h): consistent mixtures are accepted,
//     inconsistent ones are an error.
//   - Nesting: each block, bracket, prefix operator, binary operator of a
//     chain, trailer (`.x`, `(…)`, `[…]`) and conditional expression is one
//     level; more than ParseOptions::max_nesting is ResourceExhaustedError.
//     That bounds the recursion here, the depth of the tree (and so the
//     recursion of its destructor and of its readers).  A text beyond 2 GiB
//     is ResourceExhaustedError too.  Everything else is
//     InvalidArgumentError.
//   - Not supported, each with its own message: lambda, comprehensions, set
//     displays, `**` arguments, `*args`/`**kwargs` parameters, starred
//     assignment, decorators, try/global/nonlocal/yield/await/async,
//     `raise … from`, for/while … else, classes below the top level.
//
// The Parser class is in internal/parser_impl.h; this file has the entry
// points and the record's top level, parser_statements.cc the statements,
// parser_expressions.cc the expressions.

#include "jit/script/parser.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "jit/script/ast.h"
#include "jit/script/internal/parser_impl.h"
#include "jit/script/lexer.h"

namespace ptser {
namespace jit {
namespace script {
namespace parser_internal {

// Whether an expression may start with `kind` (including the keywords
// whose use is an error with its own message).
bool StartsExpression(TokenKind kind) {
  switch (kind) {
    case TokenKind::kName:
    case TokenKind::kInt:
    case TokenKind::kFloat:
    case TokenKind::kString:
    case TokenKind::kTrue:
    case TokenKind::kFalse:
    case TokenKind::kNone:
    case TokenKind::kEllipsis:
    case TokenKind::kLParen:
    case TokenKind::kLBracket:
    case TokenKind::kLBrace:
    case TokenKind::kMinus:
    case TokenKind::kPlus:
    case TokenKind::kTilde:
    case TokenKind::kNot:
    case TokenKind::kLambda:
    case TokenKind::kAwait:
    case TokenKind::kYield:
      return true;
    default:
      return false;
  }
}

// Statements Python has and code records never hold.
const char* UnsupportedStatement(TokenKind kind) {
  switch (kind) {
    case TokenKind::kTry:
    case TokenKind::kExcept:
    case TokenKind::kFinally: return "`try` statements are not supported";
    case TokenKind::kGlobal: return "`global` is not supported";
    case TokenKind::kNonlocal: return "`nonlocal` is not supported";
    case TokenKind::kAsync: return "`async` is not supported";
    case TokenKind::kAt: return "decorators are not supported";
    default: return nullptr;
  }
}

// ------------------------------------------------------------ the record ---

absl::StatusOr<ParsedRecord> Parser::ParseFile() {
  ParsedRecord out;
  out.record = record_;
  for (;;) {
    switch (cur().kind) {
      case TokenKind::kEnd:
        return out;
      case TokenKind::kClass: {
        PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ClassDef> c, ParseClass());
        out.classes.push_back(std::move(c));
        break;
      }
      case TokenKind::kDef: {
        PTSER_ASSIGN_OR_RETURN(std::unique_ptr<FunctionDef> f, ParseDef());
        out.functions.push_back(std::move(f));
        break;
      }
      case TokenKind::kImport:
      case TokenKind::kFrom:
        PTSER_RETURN_IF_ERROR(SkipImport());
        break;
      case TokenKind::kIndent:
        return ErrorAt(cur(), "unexpected indent (expected `class` or `def` at the top level)");
      case TokenKind::kName:
        if (cur().text == "op_version_set" && peek(1).kind == TokenKind::kAssign) {
          PTSER_RETURN_IF_ERROR(SkipOpVersionSet());
          break;
        }
        return Unexpected("`class` or `def` at the top level of a code record");
      default:
        if (const char* unsupported = UnsupportedStatement(cur().kind)) {
          return ErrorAt(cur(), unsupported);
        }
        return Unexpected("`class` or `def` at the top level of a code record");
    }
  }
}

// NAME ('.' NAME)*
absl::Status Parser::SkipDottedName(absl::string_view what) {
  if (cur().kind != TokenKind::kName) return Unexpected(what);
  Advance();
  while (Accept(TokenKind::kDot)) {
    if (cur().kind != TokenKind::kName) return Unexpected("a name after '.'");
    Advance();
  }
  return absl::OkStatus();
}

// 'import' dotted ['as' NAME] (',' dotted ['as' NAME])* NEWLINE
// 'from' ('.'* dotted | '.'+) 'import' ('*' | names | '(' names [','] ')') NEWLINE
absl::Status Parser::SkipImport() {
  auto skip_alias = [&]() -> absl::Status {
    if (!Accept(TokenKind::kAs)) return absl::OkStatus();
    if (cur().kind != TokenKind::kName) return Unexpected("a name after `as`");
    Advance();
    return absl::OkStatus();
  };
  if (Accept(TokenKind::kImport)) {
    do {
      PTSER_RETURN_IF_ERROR(SkipDottedName("a module name after `import`"));
      PTSER_RETURN_IF_ERROR(skip_alias());
    } while (Accept(TokenKind::kComma));
    return Expect(TokenKind::kNewline, "newline after the import");
  }
  Advance();  // from
  bool relative = false;
  while (cur().kind == TokenKind::kDot || cur().kind == TokenKind::kEllipsis) {
    relative = true;
    Advance();
  }
  if (!relative || cur().kind == TokenKind::kName) {
    PTSER_RETURN_IF_ERROR(SkipDottedName("a module name after `from`"));
  }
  PTSER_RETURN_IF_ERROR(Expect(TokenKind::kImport, "`import` in the `from` line"));
  if (!Accept(TokenKind::kStar)) {
    const bool parenthesized = Accept(TokenKind::kLParen);
    do {
      if (parenthesized && cur().kind == TokenKind::kRParen) break;
      if (cur().kind != TokenKind::kName) return Unexpected("a name to import");
      Advance();
      PTSER_RETURN_IF_ERROR(skip_alias());
    } while (Accept(TokenKind::kComma));
    if (parenthesized) {
      PTSER_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')' in the import list"));
    }
  }
  return Expect(TokenKind::kNewline, "newline after the import");
}

absl::Status Parser::SkipOpVersionSet() {
  Advance();  // op_version_set
  Advance();  // =
  if (cur().kind != TokenKind::kInt) return Unexpected("an integer after `op_version_set =`");
  Advance();
  return Expect(TokenKind::kNewline, "newline after `op_version_set = N`");
}

absl::StatusOr<std::unique_ptr<ClassDef>> Parser::ParseClass() {
  auto cls = std::make_unique<ClassDef>();
  cls->loc = Loc(cur());
  Advance();  // class
  if (cur().kind != TokenKind::kName) return Unexpected("a class name after `class`");
  cls->name = std::string(cur().text);
  Advance();
  if (cur().kind == TokenKind::kLParen) {
    Levels levels(&depth_);
    PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
    Advance();
    while (cur().kind != TokenKind::kRParen) {
      PTSER_ASSIGN_OR_RETURN(ExprPtr base, ParseTest());
      cls->bases.push_back(std::move(base));
      if (!Accept(TokenKind::kComma)) break;
    }
    PTSER_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')' after a base class"));
  }
  PTSER_RETURN_IF_ERROR(ParseBody(
      absl::StrCat("the header of `class ", cls->name, "`"),
      absl::StrCat("`class ", cls->name, "` at ", cls->loc.line, ":", cls->loc.column),
      BodyKind::kClass, &cls->body));
  return cls;
}

absl::StatusOr<std::unique_ptr<FunctionDef>> Parser::ParseDef() {
  auto fn = std::make_unique<FunctionDef>();
  fn->loc = Loc(cur());
  Advance();  // def
  if (cur().kind != TokenKind::kName) return Unexpected("a function name after `def`");
  fn->name = std::string(cur().text);
  Advance();
  PTSER_RETURN_IF_ERROR(ParseParams(fn.get()));
  if (Accept(TokenKind::kArrow)) {
    PTSER_ASSIGN_OR_RETURN(fn->return_type, ParseTest());
  }
  PTSER_RETURN_IF_ERROR(ParseBody(
      absl::StrCat("the signature of `def ", fn->name, "`"),
      absl::StrCat("`def ", fn->name, "` at ", fn->loc.line, ":", fn->loc.column),
      BodyKind::kFunction, &fn->body));
  return fn;
}

absl::Status Parser::ParseParams(FunctionDef* fn) {
  if (cur().kind != TokenKind::kLParen) {
    return Unexpected(absl::StrCat("'(' after `def ", fn->name, "`"));
  }
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  Advance();
  // Names point into the text, which outlives the parse.
  absl::flat_hash_set<absl::string_view> names;
  bool keyword_only = false;
  bool saw_default = false;
  while (cur().kind != TokenKind::kRParen) {
    if (cur().kind == TokenKind::kStar) {
      const Token star = cur();
      Advance();
      if (cur().kind == TokenKind::kName) {
        return ErrorAt(star, "`*args` parameters are not supported");
      }
      if (keyword_only) return ErrorAt(star, "a second '*' in the parameter list");
      if (cur().kind != TokenKind::kComma) {
        return Unexpected("',' and keyword-only parameters after a bare '*'");
      }
      keyword_only = true;
      Advance();
      if (cur().kind == TokenKind::kRParen) {
        return ErrorAt(star, "a bare '*' must be followed by keyword-only parameters");
      }
      continue;
    }
    if (cur().kind == TokenKind::kDoubleStar) {
      return ErrorAt(cur(), "`**kwargs` parameters are not supported");
    }
    if (cur().kind == TokenKind::kSlash) {
      return ErrorAt(cur(), "positional-only parameters ('/') are not supported");
    }
    if (cur().kind != TokenKind::kName) return Unexpected("a parameter name");
    Param param;
    param.loc = Loc(cur());
    param.name = std::string(cur().text);
    param.keyword_only = keyword_only;
    if (!names.insert(cur().text).second) {
      return ErrorAt(cur(), absl::StrCat("duplicate parameter `", param.name, "` in `def ",
                                         fn->name, "`"));
    }
    Advance();
    if (Accept(TokenKind::kColon)) {
      PTSER_ASSIGN_OR_RETURN(param.type, ParseTest());
    }
    if (Accept(TokenKind::kAssign)) {
      PTSER_ASSIGN_OR_RETURN(param.default_value, ParseTest());
      saw_default = true;
    } else if (saw_default && !keyword_only) {
      return ErrorAt(param.loc, absl::StrCat("parameter `", param.name,
                                             "` without a default follows one with a default"));
    }
    fn->params.push_back(std::move(param));
    if (!Accept(TokenKind::kComma)) break;
  }
  return Expect(TokenKind::kRParen, "',' or ')' in the parameter list");
}

}  // namespace parser_internal

namespace {

using parser_internal::Parser;

// Lines and columns are ints: longer texts are refused.
absl::Status CheckSize(absl::string_view record, absl::string_view text) {
  if (text.size() <= static_cast<size_t>(std::numeric_limits<int>::max() - 2)) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(record, ":1:1: ", text.size(),
                                                   " bytes of code, more than 2 GiB"));
}

}  // namespace

absl::StatusOr<ParsedRecord> ParseRecord(absl::string_view record, absl::string_view text,
                                         const ParseOptions& options) {
  PTSER_RETURN_IF_ERROR(CheckSize(record, text));
  Parser parser(record, text, options, Lexer::Mode::kFile);
  return parser.ParseFile();
}

absl::StatusOr<ExprPtr> ParseExpression(absl::string_view what, absl::string_view text,
                                        const ParseOptions& options) {
  PTSER_RETURN_IF_ERROR(CheckSize(what, text));
  Parser parser(what, text, options, Lexer::Mode::kExpression);
  return parser.ParseLoneExpression();
}

}  // namespace script
}  // namespace jit
}  // namespace ptser
