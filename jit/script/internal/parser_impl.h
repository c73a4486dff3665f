// Copyright ptser authors.
//
// Private to //jit/script:parser: the recursive-descent Parser class that
// parser.h's functions run, shared by its source files:
//
//   parser.cc              the grammar (in its opening comment), the entry
//                          points, the record's top level: imports, classes,
//                          defs and their parameters
//   parser_statements.cc   bodies and statements: if/while/for/with,
//                          assignments, declarations, targets
//   parser_expressions.cc  expressions: operators by precedence, calls,
//                          subscripts, atoms and displays
#ifndef PTSER_JIT_SCRIPT_INTERNAL_PARSER_IMPL_H_
#define PTSER_JIT_SCRIPT_INTERNAL_PARSER_IMPL_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "jit/script/ast.h"
#include "jit/script/lexer.h"
#include "jit/script/parser.h"

namespace ptser {
namespace jit {
namespace script {
namespace parser_internal {

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

// Whether an expression may start with `kind` (including the keywords
// whose use is an error with its own message).
bool StartsExpression(TokenKind kind);

// Statements Python has and code records never hold: the message, or null.
const char* UnsupportedStatement(TokenKind kind);

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

}  // namespace parser_internal
}  // namespace script
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_INTERNAL_PARSER_IMPL_H_
