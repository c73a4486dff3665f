// Copyright ptser authors.
//
// The parser's expressions (internal/parser_impl.h): tests and test lists,
// binary operators by precedence, factors, powers, trailers, atoms and
// displays.
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

constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

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

}  // namespace

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

}  // namespace parser_internal
}  // namespace script
}  // namespace jit
}  // namespace ptser
