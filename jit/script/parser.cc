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
#include "jit/script/lexer.h"

namespace ptser {
namespace jit {
namespace script {
namespace {

constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

// Binding strength of binary operators (higher binds tighter); `not` sits
// between `and` and the comparisons.
enum Precedence : int {
  kOrPrecedence = 1,
  kAndPrecedence,
  kNotPrecedence,
  kComparisonPrecedence,
  kBitOrPrecedence,
  kBitXorPrecedence,
  kBitAndPrecedence,
  kShiftPrecedence,
  kArithPrecedence,
  kTermPrecedence,
};

struct BinaryOperator {
  int precedence;
  BinaryOp op;
  int tokens;  // `not in`, `is not`: 2
};

// The binary operator starting at `kind` (followed by `next`), if any.
bool FindBinaryOperator(TokenKind kind, TokenKind next, BinaryOperator* out) {
  switch (kind) {
    case TokenKind::kOr: *out = {kOrPrecedence, BinaryOp::kOr, 1}; return true;
    case TokenKind::kAnd: *out = {kAndPrecedence, BinaryOp::kAnd, 1}; return true;
    case TokenKind::kLt: *out = {kComparisonPrecedence, BinaryOp::kLt, 1}; return true;
    case TokenKind::kGt: *out = {kComparisonPrecedence, BinaryOp::kGt, 1}; return true;
    case TokenKind::kLe: *out = {kComparisonPrecedence, BinaryOp::kLe, 1}; return true;
    case TokenKind::kGe: *out = {kComparisonPrecedence, BinaryOp::kGe, 1}; return true;
    case TokenKind::kEq: *out = {kComparisonPrecedence, BinaryOp::kEq, 1}; return true;
    case TokenKind::kNe: *out = {kComparisonPrecedence, BinaryOp::kNe, 1}; return true;
    case TokenKind::kIn: *out = {kComparisonPrecedence, BinaryOp::kIn, 1}; return true;
    case TokenKind::kNot:
      if (next != TokenKind::kIn) return false;
      *out = {kComparisonPrecedence, BinaryOp::kNotIn, 2};
      return true;
    case TokenKind::kIs:
      if (next == TokenKind::kNot) {
        *out = {kComparisonPrecedence, BinaryOp::kIsNot, 2};
      } else {
        *out = {kComparisonPrecedence, BinaryOp::kIs, 1};
      }
      return true;
    case TokenKind::kPipe: *out = {kBitOrPrecedence, BinaryOp::kBitOr, 1}; return true;
    case TokenKind::kCaret: *out = {kBitXorPrecedence, BinaryOp::kBitXor, 1}; return true;
    case TokenKind::kAmp: *out = {kBitAndPrecedence, BinaryOp::kBitAnd, 1}; return true;
    case TokenKind::kLShift: *out = {kShiftPrecedence, BinaryOp::kLShift, 1}; return true;
    case TokenKind::kRShift: *out = {kShiftPrecedence, BinaryOp::kRShift, 1}; return true;
    case TokenKind::kPlus: *out = {kArithPrecedence, BinaryOp::kAdd, 1}; return true;
    case TokenKind::kMinus: *out = {kArithPrecedence, BinaryOp::kSub, 1}; return true;
    case TokenKind::kStar: *out = {kTermPrecedence, BinaryOp::kMul, 1}; return true;
    case TokenKind::kSlash: *out = {kTermPrecedence, BinaryOp::kDiv, 1}; return true;
    case TokenKind::kDoubleSlash: *out = {kTermPrecedence, BinaryOp::kFloorDiv, 1}; return true;
    case TokenKind::kPercent: *out = {kTermPrecedence, BinaryOp::kMod, 1}; return true;
    case TokenKind::kAt: *out = {kTermPrecedence, BinaryOp::kMatMul, 1}; return true;
    default: return false;
  }
}

// The operator of an augmented assignment (`+=` → kAdd), if `kind` is one.
bool FindAugmentedOperator(TokenKind kind, BinaryOp* op) {
  switch (kind) {
    case TokenKind::kPlusAssign: *op = BinaryOp::kAdd; return true;
    case TokenKind::kMinusAssign: *op = BinaryOp::kSub; return true;
    case TokenKind::kStarAssign: *op = BinaryOp::kMul; return true;
    case TokenKind::kDoubleStarAssign: *op = BinaryOp::kPow; return true;
    case TokenKind::kSlashAssign: *op = BinaryOp::kDiv; return true;
    case TokenKind::kDoubleSlashAssign: *op = BinaryOp::kFloorDiv; return true;
    case TokenKind::kPercentAssign: *op = BinaryOp::kMod; return true;
    case TokenKind::kAtAssign: *op = BinaryOp::kMatMul; return true;
    case TokenKind::kLShiftAssign: *op = BinaryOp::kLShift; return true;
    case TokenKind::kRShiftAssign: *op = BinaryOp::kRShift; return true;
    case TokenKind::kAmpAssign: *op = BinaryOp::kBitAnd; return true;
    case TokenKind::kPipeAssign: *op = BinaryOp::kBitOr; return true;
    case TokenKind::kCaretAssign: *op = BinaryOp::kBitXor; return true;
    default: return false;
  }
}

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

// For "cannot assign to …".
const char* DescribeExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kInt:
    case Expr::Kind::kFloat:
    case Expr::Kind::kString:
    case Expr::Kind::kTrue:
    case Expr::Kind::kFalse:
    case Expr::Kind::kNone:
    case Expr::Kind::kEllipsis: return "a literal";
    case Expr::Kind::kDict: return "a dict display";
    case Expr::Kind::kCall: return "a function call";
    case Expr::Kind::kUnary:
    case Expr::Kind::kBinary: return "an operator expression";
    case Expr::Kind::kTernary: return "a conditional expression";
    case Expr::Kind::kSlice: return "a slice";
    case Expr::Kind::kStarred: return "a starred expression";
    case Expr::Kind::kTuple: return "a tuple";
    case Expr::Kind::kList: return "a list";
    default: return "this expression";
  }
}

// Levels of nesting one construct holds; given back when it goes out of
// scope.
class Levels {
 public:
  explicit Levels(size_t* depth) : depth_(depth) {}
  Levels(const Levels&) = delete;
  Levels& operator=(const Levels&) = delete;
  ~Levels() { *depth_ -= count_; }
  void Add() {
    ++*depth_;
    ++count_;
  }

 private:
  size_t* depth_;
  size_t count_ = 0;
};

enum class BodyKind { kFunction, kClass };

class Parser {
 public:
  Parser(absl::string_view record, absl::string_view text, const ParseOptions& options,
         Lexer::Mode mode)
      : record_(std::make_shared<const std::string>(record)),
        lexer_(*record_, text, mode),
        max_nesting_(options.max_nesting) {
    for (Token& t : tokens_) lexer_.Next(&t);
  }

  absl::StatusOr<ParsedRecord> ParseFile();
  absl::StatusOr<ExprPtr> ParseLoneExpression();

 private:
  // ---- tokens
  Token& cur() { return tokens_[head_]; }
  const Token& peek(int k) const { return tokens_[(head_ + k) % 3]; }
  void Advance() {
    lexer_.Next(&tokens_[head_]);
    head_ = (head_ + 1) % 3;
  }
  bool Accept(TokenKind kind) {
    if (cur().kind != kind) return false;
    Advance();
    return true;
  }
  SourceLocation Loc(const Token& t) const { return SourceLocation{record_, t.line, t.column}; }

  // ---- errors
  absl::Status ErrorAt(int line, int column, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(*record_, ":", line, ":", column, ": ", message));
  }
  absl::Status ErrorAt(const Token& t, absl::string_view message) const {
    return ErrorAt(t.line, t.column, message);
  }
  absl::Status ErrorAt(const SourceLocation& loc, absl::string_view message) const {
    return ErrorAt(loc.line, loc.column, message);
  }
  // "expected <expected>, got <the current token>", or the lexer's error
  // when the current token is one.
  absl::Status Unexpected(absl::string_view expected) {
    if (cur().kind == TokenKind::kError) return lexer_.status();
    return ErrorAt(cur(), absl::StrCat("expected ", expected, ", got ", DescribeToken(cur())));
  }
  absl::Status Expect(TokenKind kind, absl::string_view expected) {
    if (cur().kind != kind) return Unexpected(expected);
    Advance();
    return absl::OkStatus();
  }
  // One more level of nesting, held by `levels`.
  absl::Status Enter(const Token& at, Levels* levels) {
    if (depth_ >= max_nesting_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          *record_, ":", at.line, ":", at.column, ": nesting deeper than ", max_nesting_,
          " levels of blocks, brackets and operators (ParseOptions::max_nesting)"));
    }
    levels->Add();
    return absl::OkStatus();
  }

  ExprPtr NewExpr(Expr::Kind kind, SourceLocation loc) {
    ExprPtr e = std::make_unique<Expr>(kind);
    e->loc = std::move(loc);
    return e;
  }
  StmtPtr NewStmt(Stmt::Kind kind, SourceLocation loc) {
    StmtPtr s = std::make_unique<Stmt>(kind);
    s->loc = std::move(loc);
    return s;
  }

  // ---- statements
  absl::Status SkipImport();
  absl::Status SkipDottedName(absl::string_view what);
  absl::Status SkipOpVersionSet();
  absl::StatusOr<std::unique_ptr<ClassDef>> ParseClass();
  absl::StatusOr<std::unique_ptr<FunctionDef>> ParseDef();
  absl::Status ParseParams(FunctionDef* fn);
  // ':' then a body; `after` completes "expected ':' after …", `owner`
  // "expected an indented block after …".
  absl::Status ParseBody(absl::string_view after, absl::string_view owner, BodyKind kind,
                         Block* body);
  absl::Status ParseStatement(BodyKind kind, Block* out);
  absl::Status ParseSimpleLine(BodyKind kind, Block* out);
  absl::Status ParseSmall(Block* out);
  absl::Status ParseExpressionStatement(Block* out);
  absl::Status ParseIf(BodyKind kind, Block* out);
  absl::Status ParseWhile(BodyKind kind, Block* out);
  absl::Status ParseFor(BodyKind kind, Block* out);
  absl::Status ParseWith(BodyKind kind, Block* out);
  absl::Status CheckTarget(const Expr& e, bool allow_unpacking);

  // ---- expressions
  absl::StatusOr<ExprPtr> ParseTestList();
  absl::StatusOr<ExprPtr> ParseTargetList();
  absl::StatusOr<ExprPtr> ParseTest();
  absl::StatusOr<ExprPtr> ParseBinary(int min_precedence);
  absl::StatusOr<ExprPtr> ParseFactor();
  absl::StatusOr<ExprPtr> ParsePower();
  absl::StatusOr<ExprPtr> ParsePrimary();
  absl::Status ParseCallArguments(Expr* call);
  absl::StatusOr<ExprPtr> ParseSubscriptItem();
  absl::StatusOr<ExprPtr> ParseAtom();
  absl::StatusOr<ExprPtr> ParseParenthesized();
  absl::StatusOr<ExprPtr> ParseListDisplay();
  absl::StatusOr<ExprPtr> ParseDictDisplay();

  std::shared_ptr<const std::string> record_;
  Lexer lexer_;
  size_t max_nesting_;
  size_t depth_ = 0;
  Token tokens_[3];
  int head_ = 0;
};

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

// ------------------------------------------------------------ statements ---

absl::Status Parser::ParseBody(absl::string_view after, absl::string_view owner, BodyKind kind,
                               Block* body) {
  if (cur().kind != TokenKind::kColon) return Unexpected(absl::StrCat("':' after ", after));
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  Advance();
  if (cur().kind != TokenKind::kNewline) return ParseSimpleLine(kind, body);
  Advance();
  if (cur().kind != TokenKind::kIndent) {
    return Unexpected(absl::StrCat("an indented block after ", owner));
  }
  Advance();
  while (cur().kind != TokenKind::kDedent) {
    PTSER_RETURN_IF_ERROR(ParseStatement(kind, body));
  }
  Advance();
  return absl::OkStatus();
}

absl::Status Parser::ParseStatement(BodyKind kind, Block* out) {
  const TokenKind k = cur().kind;
  if (const char* unsupported = UnsupportedStatement(k)) return ErrorAt(cur(), unsupported);
  switch (k) {
    case TokenKind::kDef: {
      const SourceLocation loc = Loc(cur());
      PTSER_ASSIGN_OR_RETURN(std::unique_ptr<FunctionDef> def, ParseDef());
      StmtPtr s = NewStmt(Stmt::Kind::kDef, loc);
      s->def_ = std::move(def);
      out->push_back(std::move(s));
      return absl::OkStatus();
    }
    case TokenKind::kClass:
      return ErrorAt(cur(), "`class` is only allowed at the top level of a code record");
    case TokenKind::kIndent:
      return ErrorAt(cur(), "unexpected indent");
    case TokenKind::kImport:
    case TokenKind::kFrom:
      return ErrorAt(cur(), "`import` is only allowed at the top level of a code record");
    case TokenKind::kEnd:
    case TokenKind::kElif:
    case TokenKind::kElse:
      return Unexpected("a statement");
    default:
      break;
  }
  if (kind == BodyKind::kClass) {
    if (k == TokenKind::kIf || k == TokenKind::kWhile || k == TokenKind::kFor ||
        k == TokenKind::kWith) {
      return Unexpected("an assignment, a declaration, `def` or `pass` in a class body");
    }
    return ParseSimpleLine(kind, out);
  }
  switch (k) {
    case TokenKind::kIf: return ParseIf(kind, out);
    case TokenKind::kWhile: return ParseWhile(kind, out);
    case TokenKind::kFor: return ParseFor(kind, out);
    case TokenKind::kWith: return ParseWith(kind, out);
    default: return ParseSimpleLine(kind, out);
  }
}

absl::Status Parser::ParseSimpleLine(BodyKind kind, Block* out) {
  for (;;) {
    if (const char* unsupported = UnsupportedStatement(cur().kind)) {
      return ErrorAt(cur(), unsupported);
    }
    PTSER_RETURN_IF_ERROR(ParseSmall(out));
    const Stmt& s = *out->back();
    if (kind == BodyKind::kClass && s.kind != Stmt::Kind::kAssign && s.kind != Stmt::Kind::kPass) {
      return ErrorAt(s.loc, "a class body holds assignments, declarations, `def` and `pass` only");
    }
    if (!Accept(TokenKind::kSemicolon) || cur().kind == TokenKind::kNewline) break;
  }
  return Expect(TokenKind::kNewline, "the end of the statement (newline or ';')");
}

absl::Status Parser::ParseSmall(Block* out) {
  const SourceLocation loc = Loc(cur());
  switch (cur().kind) {
    case TokenKind::kPass:
      Advance();
      out->push_back(NewStmt(Stmt::Kind::kPass, loc));
      return absl::OkStatus();
    case TokenKind::kBreak:
      Advance();
      out->push_back(NewStmt(Stmt::Kind::kBreak, loc));
      return absl::OkStatus();
    case TokenKind::kContinue:
      Advance();
      out->push_back(NewStmt(Stmt::Kind::kContinue, loc));
      return absl::OkStatus();
    case TokenKind::kReturn: {
      Advance();
      StmtPtr s = NewStmt(Stmt::Kind::kReturn, loc);
      if (StartsExpression(cur().kind)) {
        PTSER_ASSIGN_OR_RETURN(s->value, ParseTestList());
      }
      out->push_back(std::move(s));
      return absl::OkStatus();
    }
    case TokenKind::kRaise: {
      Advance();
      StmtPtr s = NewStmt(Stmt::Kind::kRaise, loc);
      if (StartsExpression(cur().kind)) {
        PTSER_ASSIGN_OR_RETURN(s->value, ParseTest());
      }
      if (cur().kind == TokenKind::kFrom) return ErrorAt(cur(), "`raise ... from` is not supported");
      out->push_back(std::move(s));
      return absl::OkStatus();
    }
    case TokenKind::kAssert: {
      Advance();
      StmtPtr s = NewStmt(Stmt::Kind::kAssert, loc);
      PTSER_ASSIGN_OR_RETURN(s->condition, ParseTest());
      if (Accept(TokenKind::kComma)) {
        PTSER_ASSIGN_OR_RETURN(s->value, ParseTest());
      }
      out->push_back(std::move(s));
      return absl::OkStatus();
    }
    case TokenKind::kDel: {
      Advance();
      StmtPtr s = NewStmt(Stmt::Kind::kDelete, loc);
      do {
        PTSER_ASSIGN_OR_RETURN(ExprPtr target, ParseBinary(kBitOrPrecedence));
        PTSER_RETURN_IF_ERROR(CheckTarget(*target, /*allow_unpacking=*/true));
        s->targets.push_back(std::move(target));
      } while (Accept(TokenKind::kComma) && StartsExpression(cur().kind));
      out->push_back(std::move(s));
      return absl::OkStatus();
    }
    default:
      return ParseExpressionStatement(out);
  }
}

absl::Status Parser::ParseExpressionStatement(Block* out) {
  const SourceLocation loc = Loc(cur());
  PTSER_ASSIGN_OR_RETURN(ExprPtr first, ParseTestList());
  BinaryOp aug_op;
  if (cur().kind == TokenKind::kColon) {  // `x : T` or `x : T = e`
    PTSER_RETURN_IF_ERROR(CheckTarget(*first, /*allow_unpacking=*/false));
    Advance();
    StmtPtr s = NewStmt(Stmt::Kind::kAssign, loc);
    PTSER_ASSIGN_OR_RETURN(s->annotation, ParseTest());
    if (Accept(TokenKind::kAssign)) {
      PTSER_ASSIGN_OR_RETURN(s->value, ParseTestList());
    }
    s->targets.push_back(std::move(first));
    out->push_back(std::move(s));
    return absl::OkStatus();
  }
  if (cur().kind == TokenKind::kAssign) {
    StmtPtr s = NewStmt(Stmt::Kind::kAssign, loc);
    ExprPtr last = std::move(first);
    while (Accept(TokenKind::kAssign)) {
      PTSER_RETURN_IF_ERROR(CheckTarget(*last, /*allow_unpacking=*/true));
      s->targets.push_back(std::move(last));
      PTSER_ASSIGN_OR_RETURN(last, ParseTestList());
    }
    s->value = std::move(last);
    out->push_back(std::move(s));
    return absl::OkStatus();
  }
  if (FindAugmentedOperator(cur().kind, &aug_op)) {
    PTSER_RETURN_IF_ERROR(CheckTarget(*first, /*allow_unpacking=*/false));
    Advance();
    StmtPtr s = NewStmt(Stmt::Kind::kAugAssign, loc);
    s->aug_op = aug_op;
    s->targets.push_back(std::move(first));
    PTSER_ASSIGN_OR_RETURN(s->value, ParseTestList());
    out->push_back(std::move(s));
    return absl::OkStatus();
  }
  StmtPtr s = NewStmt(Stmt::Kind::kExpr, loc);
  s->value = std::move(first);
  out->push_back(std::move(s));
  return absl::OkStatus();
}

absl::Status Parser::CheckTarget(const Expr& e, bool allow_unpacking) {
  switch (e.kind) {
    case Expr::Kind::kName:
    case Expr::Kind::kAttribute:
    case Expr::Kind::kSubscript:
      return absl::OkStatus();
    case Expr::Kind::kTuple:
    case Expr::Kind::kList:
      if (!allow_unpacking) {
        return ErrorAt(e.loc, absl::StrCat("only a name, an attribute or a subscript can be "
                                           "annotated or augmented, not ",
                                           DescribeExpr(e)));
      }
      // The depth is bounded: the elements were parsed within max_nesting.
      for (const ExprPtr& element : e.elements) {
        PTSER_RETURN_IF_ERROR(CheckTarget(*element, true));
      }
      return absl::OkStatus();
    default:
      return ErrorAt(e.loc, absl::StrCat("cannot assign to ", DescribeExpr(e)));
  }
}

absl::Status Parser::ParseIf(BodyKind kind, Block* out) {
  const Token keyword = cur();
  const std::string word(TokenKindSpelling(keyword.kind));  // if, elif
  StmtPtr s = NewStmt(Stmt::Kind::kIf, Loc(keyword));
  Advance();
  PTSER_ASSIGN_OR_RETURN(s->condition, ParseTest());
  PTSER_RETURN_IF_ERROR(
      ParseBody(absl::StrCat("the condition of `", word, "`"),
                absl::StrCat("`", word, "` at ", keyword.line, ":", keyword.column), kind, &s->body));
  if (cur().kind == TokenKind::kElif) {
    // An If alone in `orelse`: one level deeper.
    Levels levels(&depth_);
    PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
    PTSER_RETURN_IF_ERROR(ParseIf(kind, &s->orelse));
  } else if (cur().kind == TokenKind::kElse) {
    const Token else_token = cur();
    Advance();
    PTSER_RETURN_IF_ERROR(ParseBody(
        "`else`", absl::StrCat("`else` at ", else_token.line, ":", else_token.column), kind,
        &s->orelse));
  }
  out->push_back(std::move(s));
  return absl::OkStatus();
}

absl::Status Parser::ParseWhile(BodyKind kind, Block* out) {
  const Token keyword = cur();
  StmtPtr s = NewStmt(Stmt::Kind::kWhile, Loc(keyword));
  Advance();
  PTSER_ASSIGN_OR_RETURN(s->condition, ParseTest());
  PTSER_RETURN_IF_ERROR(ParseBody("the condition of `while`",
                                  absl::StrCat("`while` at ", keyword.line, ":", keyword.column),
                                  kind, &s->body));
  if (cur().kind == TokenKind::kElse) return ErrorAt(cur(), "`while ... else` is not supported");
  out->push_back(std::move(s));
  return absl::OkStatus();
}

absl::Status Parser::ParseFor(BodyKind kind, Block* out) {
  const Token keyword = cur();
  StmtPtr s = NewStmt(Stmt::Kind::kFor, Loc(keyword));
  Advance();
  PTSER_ASSIGN_OR_RETURN(ExprPtr target, ParseTargetList());
  PTSER_RETURN_IF_ERROR(CheckTarget(*target, /*allow_unpacking=*/true));
  s->targets.push_back(std::move(target));
  if (cur().kind != TokenKind::kIn) return Unexpected("`in` after the target of `for`");
  Advance();
  PTSER_ASSIGN_OR_RETURN(s->value, ParseTestList());
  PTSER_RETURN_IF_ERROR(ParseBody("the iterable of `for`",
                                  absl::StrCat("`for` at ", keyword.line, ":", keyword.column),
                                  kind, &s->body));
  if (cur().kind == TokenKind::kElse) return ErrorAt(cur(), "`for ... else` is not supported");
  out->push_back(std::move(s));
  return absl::OkStatus();
}

absl::Status Parser::ParseWith(BodyKind kind, Block* out) {
  const Token keyword = cur();
  StmtPtr s = NewStmt(Stmt::Kind::kWith, Loc(keyword));
  Advance();
  do {
    PTSER_ASSIGN_OR_RETURN(ExprPtr item, ParseTest());
    ExprPtr target;
    if (Accept(TokenKind::kAs)) {
      PTSER_ASSIGN_OR_RETURN(target, ParseBinary(kBitOrPrecedence));
      PTSER_RETURN_IF_ERROR(CheckTarget(*target, /*allow_unpacking=*/true));
    }
    s->with_items.push_back(std::move(item));
    s->with_targets.push_back(std::move(target));
  } while (Accept(TokenKind::kComma));
  PTSER_RETURN_IF_ERROR(ParseBody("the items of `with`",
                                  absl::StrCat("`with` at ", keyword.line, ":", keyword.column),
                                  kind, &s->body));
  out->push_back(std::move(s));
  return absl::OkStatus();
}

// ----------------------------------------------------------- expressions ---

absl::StatusOr<ExprPtr> Parser::ParseTestList() {
  PTSER_ASSIGN_OR_RETURN(ExprPtr first, ParseTest());
  if (cur().kind != TokenKind::kComma) return first;
  ExprPtr tuple = NewExpr(Expr::Kind::kTuple, first->loc);
  tuple->elements.push_back(std::move(first));
  while (Accept(TokenKind::kComma) && StartsExpression(cur().kind)) {
    PTSER_ASSIGN_OR_RETURN(ExprPtr e, ParseTest());
    tuple->elements.push_back(std::move(e));
  }
  return tuple;
}

// `for` targets: comparisons are left out, so that `in` ends them.
absl::StatusOr<ExprPtr> Parser::ParseTargetList() {
  PTSER_ASSIGN_OR_RETURN(ExprPtr first, ParseBinary(kBitOrPrecedence));
  if (cur().kind != TokenKind::kComma) return first;
  ExprPtr tuple = NewExpr(Expr::Kind::kTuple, first->loc);
  tuple->elements.push_back(std::move(first));
  while (Accept(TokenKind::kComma) && StartsExpression(cur().kind)) {
    PTSER_ASSIGN_OR_RETURN(ExprPtr e, ParseBinary(kBitOrPrecedence));
    tuple->elements.push_back(std::move(e));
  }
  return tuple;
}

absl::StatusOr<ExprPtr> Parser::ParseTest() {
  if (cur().kind == TokenKind::kLambda) {
    return ErrorAt(cur(), "lambda expressions are not supported in TorchScript code");
  }
  PTSER_ASSIGN_OR_RETURN(ExprPtr body, ParseBinary(kOrPrecedence));
  if (cur().kind != TokenKind::kIf) return body;
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  Advance();
  ExprPtr e = NewExpr(Expr::Kind::kTernary, body->loc);
  e->elements.push_back(std::move(body));
  PTSER_ASSIGN_OR_RETURN(ExprPtr condition, ParseBinary(kOrPrecedence));
  e->elements.push_back(std::move(condition));
  if (cur().kind != TokenKind::kElse) return Unexpected("`else` in the conditional expression");
  Advance();
  PTSER_ASSIGN_OR_RETURN(ExprPtr orelse, ParseTest());
  e->elements.push_back(std::move(orelse));
  return e;
}

// Precedence climbing over the binary operators binding at least as tightly
// as `min_precedence` (and `not`, when that allows it).
absl::StatusOr<ExprPtr> Parser::ParseBinary(int min_precedence) {
  ExprPtr lhs;
  Levels chain(&depth_);
  if (cur().kind == TokenKind::kNot && min_precedence <= kNotPrecedence) {
    PTSER_RETURN_IF_ERROR(Enter(cur(), &chain));
    lhs = NewExpr(Expr::Kind::kUnary, Loc(cur()));
    lhs->unary_op = UnaryOp::kNot;
    Advance();
    PTSER_ASSIGN_OR_RETURN(ExprPtr operand, ParseBinary(kNotPrecedence));
    lhs->elements.push_back(std::move(operand));
  } else {
    PTSER_ASSIGN_OR_RETURN(lhs, ParseFactor());
  }
  bool after_comparison = false;
  BinaryOperator op;
  while (FindBinaryOperator(cur().kind, peek(1).kind, &op) && op.precedence >= min_precedence) {
    if (op.precedence == kComparisonPrecedence && after_comparison) {
      return ErrorAt(cur(), absl::StrCat("chained comparisons are not supported (write `a < b "
                                         "and b < c` for `a < b < c`), got a second comparison ",
                                         DescribeToken(cur())));
    }
    PTSER_RETURN_IF_ERROR(Enter(cur(), &chain));
    for (int i = 0; i < op.tokens; ++i) Advance();
    PTSER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseBinary(op.precedence + 1));
    ExprPtr e = NewExpr(Expr::Kind::kBinary, lhs->loc);
    e->binary_op = op.op;
    e->elements.push_back(std::move(lhs));
    e->elements.push_back(std::move(rhs));
    lhs = std::move(e);
    after_comparison = op.precedence == kComparisonPrecedence;
  }
  return lhs;
}

absl::StatusOr<ExprPtr> Parser::ParseFactor() {
  const TokenKind k = cur().kind;
  if (k != TokenKind::kMinus && k != TokenKind::kPlus && k != TokenKind::kTilde) {
    return ParsePower();
  }
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  SourceLocation loc = Loc(cur());
  // -9223372036854775808: its magnitude alone is beyond int64.
  if (k == TokenKind::kMinus && peek(1).kind == TokenKind::kInt && peek(1).int_value == kTwoTo63) {
    const TokenKind after = peek(2).kind;
    if (after != TokenKind::kDoubleStar && after != TokenKind::kLParen &&
        after != TokenKind::kLBracket && after != TokenKind::kDot) {
      Advance();
      Advance();
      ExprPtr e = NewExpr(Expr::Kind::kInt, std::move(loc));
      e->int_value = std::numeric_limits<int64_t>::min();
      return e;
    }
  }
  Advance();
  PTSER_ASSIGN_OR_RETURN(ExprPtr operand, ParseFactor());
  if (k == TokenKind::kMinus) {
    // Fold the minus into a number literal.
    if (operand->kind == Expr::Kind::kInt &&
        operand->int_value != std::numeric_limits<int64_t>::min()) {
      operand->int_value = -operand->int_value;
      operand->loc = std::move(loc);
      return operand;
    }
    if (operand->kind == Expr::Kind::kFloat) {
      operand->float_value = -operand->float_value;
      operand->loc = std::move(loc);
      return operand;
    }
  }
  ExprPtr e = NewExpr(Expr::Kind::kUnary, std::move(loc));
  e->unary_op = k == TokenKind::kMinus ? UnaryOp::kNeg
                : k == TokenKind::kPlus ? UnaryOp::kPos
                                        : UnaryOp::kInvert;
  e->elements.push_back(std::move(operand));
  return e;
}

absl::StatusOr<ExprPtr> Parser::ParsePower() {
  PTSER_ASSIGN_OR_RETURN(ExprPtr base, ParsePrimary());
  if (cur().kind != TokenKind::kDoubleStar) return base;
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  Advance();
  PTSER_ASSIGN_OR_RETURN(ExprPtr exponent, ParseFactor());
  ExprPtr e = NewExpr(Expr::Kind::kBinary, base->loc);
  e->binary_op = BinaryOp::kPow;
  e->elements.push_back(std::move(base));
  e->elements.push_back(std::move(exponent));
  return e;
}

absl::StatusOr<ExprPtr> Parser::ParsePrimary() {
  PTSER_ASSIGN_OR_RETURN(ExprPtr e, ParseAtom());
  Levels chain(&depth_);
  for (;;) {
    switch (cur().kind) {
      case TokenKind::kDot: {
        PTSER_RETURN_IF_ERROR(Enter(cur(), &chain));
        Advance();
        if (cur().kind != TokenKind::kName) return Unexpected("an attribute name after '.'");
        ExprPtr a = NewExpr(Expr::Kind::kAttribute, e->loc);
        a->name = std::string(cur().text);
        a->object = std::move(e);
        e = std::move(a);
        Advance();
        break;
      }
      case TokenKind::kLParen: {
        PTSER_RETURN_IF_ERROR(Enter(cur(), &chain));
        Advance();
        ExprPtr call = NewExpr(Expr::Kind::kCall, e->loc);
        call->object = std::move(e);
        PTSER_RETURN_IF_ERROR(ParseCallArguments(call.get()));
        e = std::move(call);
        break;
      }
      case TokenKind::kLBracket: {
        PTSER_RETURN_IF_ERROR(Enter(cur(), &chain));
        Advance();
        ExprPtr sub = NewExpr(Expr::Kind::kSubscript, e->loc);
        sub->object = std::move(e);
        if (cur().kind == TokenKind::kRBracket) return Unexpected("a subscript");
        PTSER_ASSIGN_OR_RETURN(ExprPtr index, ParseSubscriptItem());
        if (cur().kind == TokenKind::kComma) {
          ExprPtr tuple = NewExpr(Expr::Kind::kTuple, index->loc);
          tuple->elements.push_back(std::move(index));
          while (Accept(TokenKind::kComma) && cur().kind != TokenKind::kRBracket) {
            PTSER_ASSIGN_OR_RETURN(ExprPtr item, ParseSubscriptItem());
            tuple->elements.push_back(std::move(item));
          }
          index = std::move(tuple);
        }
        sub->elements.push_back(std::move(index));
        PTSER_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "',' or ']' in the subscript"));
        e = std::move(sub);
        break;
      }
      default:
        return e;
    }
  }
}

// After '(': arguments, then ')'.
absl::Status Parser::ParseCallArguments(Expr* call) {
  absl::flat_hash_set<absl::string_view> keyword_names;
  while (cur().kind != TokenKind::kRParen) {
    if (cur().kind == TokenKind::kStar) {
      ExprPtr starred = NewExpr(Expr::Kind::kStarred, Loc(cur()));
      Advance();
      PTSER_ASSIGN_OR_RETURN(ExprPtr value, ParseTest());
      starred->elements.push_back(std::move(value));
      call->elements.push_back(std::move(starred));
    } else if (cur().kind == TokenKind::kDoubleStar) {
      return ErrorAt(cur(), "'**' arguments are not supported");
    } else if (cur().kind == TokenKind::kName && peek(1).kind == TokenKind::kAssign) {
      Expr::Keyword keyword;
      keyword.loc = Loc(cur());
      keyword.name = std::string(cur().text);
      if (!keyword_names.insert(cur().text).second) {
        return ErrorAt(cur(), absl::StrCat("keyword argument `", keyword.name, "` repeated"));
      }
      Advance();
      Advance();
      PTSER_ASSIGN_OR_RETURN(keyword.value, ParseTest());
      call->keywords.push_back(std::move(keyword));
    } else {
      if (!call->keywords.empty() && StartsExpression(cur().kind)) {
        return ErrorAt(cur(), "positional argument follows keyword argument");
      }
      PTSER_ASSIGN_OR_RETURN(ExprPtr arg, ParseTest());
      if (cur().kind == TokenKind::kFor) {
        return ErrorAt(cur(), "generator expressions are not supported");
      }
      call->elements.push_back(std::move(arg));
    }
    if (!Accept(TokenKind::kComma)) break;
  }
  return Expect(TokenKind::kRParen, "',' or ')' after an argument");
}

absl::StatusOr<ExprPtr> Parser::ParseSubscriptItem() {
  SourceLocation loc = Loc(cur());
  ExprPtr start;
  if (cur().kind != TokenKind::kColon) {
    PTSER_ASSIGN_OR_RETURN(start, ParseTest());
    if (cur().kind != TokenKind::kColon) return start;
  }
  Advance();  // :
  ExprPtr slice = NewExpr(Expr::Kind::kSlice, std::move(loc));
  slice->slice_start = std::move(start);
  auto ends_part = [&] {
    const TokenKind k = cur().kind;
    return k == TokenKind::kColon || k == TokenKind::kComma || k == TokenKind::kRBracket;
  };
  if (!ends_part()) {
    PTSER_ASSIGN_OR_RETURN(slice->slice_stop, ParseTest());
  }
  if (Accept(TokenKind::kColon) && !ends_part()) {
    PTSER_ASSIGN_OR_RETURN(slice->slice_step, ParseTest());
  }
  return slice;
}

absl::StatusOr<ExprPtr> Parser::ParseAtom() {
  Token& t = cur();
  switch (t.kind) {
    case TokenKind::kName: {
      ExprPtr e = NewExpr(Expr::Kind::kName, Loc(t));
      e->name = std::string(t.text);
      Advance();
      return e;
    }
    case TokenKind::kInt: {
      if (t.int_value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return ErrorAt(t, absl::StrCat("integer literal `", t.text,
                                       "` is beyond the int64 range"));
      }
      ExprPtr e = NewExpr(Expr::Kind::kInt, Loc(t));
      e->int_value = static_cast<int64_t>(t.int_value);
      Advance();
      return e;
    }
    case TokenKind::kFloat: {
      ExprPtr e = NewExpr(Expr::Kind::kFloat, Loc(t));
      e->float_value = t.float_value;
      Advance();
      return e;
    }
    case TokenKind::kString: {
      ExprPtr e = NewExpr(Expr::Kind::kString, Loc(t));
      e->string_value = std::move(t.string_value);
      Advance();
      while (cur().kind == TokenKind::kString) {  // "a" "b" is "ab"
        e->string_value += cur().string_value;
        Advance();
      }
      return e;
    }
    case TokenKind::kTrue:
    case TokenKind::kFalse:
    case TokenKind::kNone:
    case TokenKind::kEllipsis: {
      const Expr::Kind kind = t.kind == TokenKind::kTrue    ? Expr::Kind::kTrue
                              : t.kind == TokenKind::kFalse ? Expr::Kind::kFalse
                              : t.kind == TokenKind::kNone  ? Expr::Kind::kNone
                                                            : Expr::Kind::kEllipsis;
      ExprPtr e = NewExpr(kind, Loc(t));
      Advance();
      return e;
    }
    case TokenKind::kLParen: return ParseParenthesized();
    case TokenKind::kLBracket: return ParseListDisplay();
    case TokenKind::kLBrace: return ParseDictDisplay();
    case TokenKind::kLambda:
      return ErrorAt(t, "lambda expressions are not supported in TorchScript code");
    case TokenKind::kYield: return ErrorAt(t, "`yield` is not supported");
    case TokenKind::kAwait: return ErrorAt(t, "`await` is not supported");
    case TokenKind::kStar:
      return ErrorAt(t, "starred expressions are only supported in call arguments");
    default: return Unexpected("an expression");
  }
}

absl::StatusOr<ExprPtr> Parser::ParseParenthesized() {
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  SourceLocation loc = Loc(cur());
  Advance();  // (
  if (Accept(TokenKind::kRParen)) return NewExpr(Expr::Kind::kTuple, std::move(loc));
  PTSER_ASSIGN_OR_RETURN(ExprPtr first, ParseTest());
  if (cur().kind == TokenKind::kFor) return ErrorAt(cur(), "generator expressions are not supported");
  if (Accept(TokenKind::kRParen)) return first;  // (e) is e
  if (cur().kind != TokenKind::kComma) return Unexpected("',' or ')'");
  ExprPtr tuple = NewExpr(Expr::Kind::kTuple, std::move(loc));
  tuple->elements.push_back(std::move(first));
  while (Accept(TokenKind::kComma) && cur().kind != TokenKind::kRParen) {
    PTSER_ASSIGN_OR_RETURN(ExprPtr e, ParseTest());
    tuple->elements.push_back(std::move(e));
  }
  PTSER_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')' in the tuple"));
  return tuple;
}

absl::StatusOr<ExprPtr> Parser::ParseListDisplay() {
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  ExprPtr list = NewExpr(Expr::Kind::kList, Loc(cur()));
  Advance();  // [
  while (cur().kind != TokenKind::kRBracket) {
    PTSER_ASSIGN_OR_RETURN(ExprPtr e, ParseTest());
    if (cur().kind == TokenKind::kFor) {
      return ErrorAt(cur(), "list comprehensions are not supported");
    }
    list->elements.push_back(std::move(e));
    if (!Accept(TokenKind::kComma)) break;
  }
  PTSER_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "',' or ']' in the list"));
  return list;
}

absl::StatusOr<ExprPtr> Parser::ParseDictDisplay() {
  Levels levels(&depth_);
  PTSER_RETURN_IF_ERROR(Enter(cur(), &levels));
  ExprPtr dict = NewExpr(Expr::Kind::kDict, Loc(cur()));
  Advance();  // {
  while (cur().kind != TokenKind::kRBrace) {
    if (cur().kind == TokenKind::kDoubleStar) {
      return ErrorAt(cur(), "'**' in a dict display is not supported");
    }
    PTSER_ASSIGN_OR_RETURN(ExprPtr key, ParseTest());
    if (cur().kind == TokenKind::kFor) {
      return ErrorAt(cur(), "dict and set comprehensions are not supported");
    }
    if (cur().kind != TokenKind::kColon) {
      if (cur().kind == TokenKind::kComma || cur().kind == TokenKind::kRBrace) {
        return ErrorAt(key->loc, "set displays are not supported");
      }
      return Unexpected("':' after a dict key");
    }
    Advance();
    PTSER_ASSIGN_OR_RETURN(ExprPtr value, ParseTest());
    if (cur().kind == TokenKind::kFor) {
      return ErrorAt(cur(), "dict comprehensions are not supported");
    }
    dict->keys.push_back(std::move(key));
    dict->elements.push_back(std::move(value));
    if (!Accept(TokenKind::kComma)) break;
  }
  PTSER_RETURN_IF_ERROR(Expect(TokenKind::kRBrace, "',' or '}' in the dict"));
  return dict;
}

absl::StatusOr<ExprPtr> Parser::ParseLoneExpression() {
  PTSER_ASSIGN_OR_RETURN(ExprPtr e, ParseTest());
  if (cur().kind != TokenKind::kEnd) return Unexpected("the end of the expression");
  return e;
}

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
