// Copyright ptser authors.
//
// The parser's statements (internal/parser_impl.h): bodies, if/while/for/with,
// simple lines, assignments, declarations and their targets.
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

namespace {

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

}  // namespace

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

}  // namespace parser_internal
}  // namespace script
}  // namespace jit
}  // namespace ptser
