// Copyright ptser authors.
//
// Compiling expressions: operators, calls (functions, methods, classes,
// builtins), names and constants into Nodes; the historic-signature checks.
#include "jit/script/interpreter.h"

#include <algorithm>
#include <iostream>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "jit/ops/types.h"
#include "jit/script/ast.h"
#include "jit/script/internal/interpreter_impl.h"
#include "jit/script/parser.h"
#include "jit/script/upgraders.h"
#include "tensor/print/repr.h"
#include "tensor/storage.h"

namespace ptser {
namespace jit {

namespace {
const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "aten::add";
    case BinaryOp::kSub: return "aten::sub";
    case BinaryOp::kMul: return "aten::mul";
    case BinaryOp::kDiv: return "aten::div";
    case BinaryOp::kFloorDiv: return "aten::floordiv";
    case BinaryOp::kMod: return "aten::remainder";
    case BinaryOp::kPow: return "aten::pow";
    case BinaryOp::kMatMul: return "aten::matmul";
    case BinaryOp::kLShift: return "aten::__lshift__";
    case BinaryOp::kRShift: return "aten::__rshift__";
    case BinaryOp::kBitAnd: return "aten::__and__";
    case BinaryOp::kBitOr: return "aten::__or__";
    case BinaryOp::kBitXor: return "aten::__xor__";
    case BinaryOp::kEq: return "aten::eq";
    case BinaryOp::kNe: return "aten::ne";
    case BinaryOp::kLt: return "aten::lt";
    case BinaryOp::kLe: return "aten::le";
    case BinaryOp::kGt: return "aten::gt";
    case BinaryOp::kGe: return "aten::ge";
    case BinaryOp::kIn:
    case BinaryOp::kNotIn: return "aten::__contains__";
    default: return "";
  }
}
}  // namespace

absl::StatusOr<NodePtr> Interpreter::Impl::CompileBinary(const Expr& e, Scope& scope) {
  return CompileBinaryOf(e.loc, e.binary_op, *e.elements[0], *e.elements[1], scope);
}

absl::StatusOr<NodePtr> Interpreter::Impl::CompileBinaryOf(const SourceLocation& at, BinaryOp op,
                                                           const Expr& lhs, const Expr& rhs,
                                                           Scope& scope) {
  PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(lhs, scope));
  PTSER_ASSIGN_OR_RETURN(NodePtr b, CompileExpr(rhs, scope));
  switch (op) {
    case BinaryOp::kAnd:
    case BinaryOp::kOr: {
      auto n = std::make_unique<Node>(op == BinaryOp::kAnd ? Node::Kind::kAnd : Node::Kind::kOr);
      n->loc = &at;
      n->args.push_back(std::move(a));
      n->args.push_back(std::move(b));
      return n;
    }
    case BinaryOp::kIs:
    case BinaryOp::kIsNot: {
      auto n = std::make_unique<Node>(Node::Kind::kIs);
      n->loc = &at;
      n->negate = op == BinaryOp::kIsNot;
      n->args.push_back(std::move(a));
      n->args.push_back(std::move(b));
      return n;
    }
    default:
      break;
  }
  const std::string name = BinaryOpName(op);
  PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(at, name, name));
  if (op == BinaryOp::kIn || op == BinaryOp::kNotIn) {
    n->args.push_back(std::move(b));  // __contains__(container, element)
    n->args.push_back(std::move(a));
  } else {
    n->args.push_back(std::move(a));
    n->args.push_back(std::move(b));
  }
  if (op == BinaryOp::kNotIn) {
    auto neg = std::make_unique<Node>(Node::Kind::kNot);
    neg->loc = &at;
    neg->args.push_back(std::move(n));
    return neg;
  }
  return n;
}

absl::Status Interpreter::Impl::CheckHistoricSignature(const Expr& call, const Node& n) const {
  const std::string& name = n.op->name;
  auto has_kw = [&](absl::string_view kw) {
    return std::find(n.kw_names.begin(), n.kw_names.end(), kw) != n.kw_names.end();
  };
  if (name == "aten::gelu" && version_ < 10 && (n.args.size() > 1 || has_kw("approximate"))) {
    return CompileError(call.loc, absl::StrCat(
        "Keyword argument approximate unknown: gelu has no `approximate` argument in an archive "
        "of version ", version_, " (it came with version 10)"));
  }
  const uint64_t steps_required_at = name == "aten::linspace" ? 8 : name == "aten::logspace" ? 9 : 0;
  if (steps_required_at != 0 && version_ >= steps_required_at && n.args.size() < 3 &&
      !has_kw("steps")) {
    return CompileError(call.loc, absl::StrCat(
        "Argument steps not provided: ", n.op->spelled, " needs `steps` in an archive of version ",
        version_, " (only versions before ", steps_required_at, " default it to 100)"));
  }
  return absl::OkStatus();
}

absl::Status Interpreter::Impl::CompileArgs(const Expr& call, Scope& scope, Node* node,
                                            size_t skip) {
  for (size_t i = skip; i < call.elements.size(); ++i) {
    if (call.elements[i]->kind == Expr::Kind::kStarred) {
      return CompileError(call.elements[i]->loc, "*args in a call are not supported");
    }
    PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(*call.elements[i], scope));
    node->args.push_back(std::move(a));
  }
  for (const Expr::Keyword& k : call.keywords) {
    PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(*k.value, scope));
    node->kw_names.push_back(k.name);
    node->kw_args.push_back(std::move(a));
  }
  return absl::OkStatus();
}

// A call of a bare name that is not a local: annotate/unchecked_cast,
// uninitialized, isinstance, getattr/hasattr, fork, print and Python's
// builtins as operators.
absl::StatusOr<NodePtr> Interpreter::Impl::CompileBuiltinCall(const Expr& e,
                                                              const std::string& f,
                                                              Scope& scope) {
  const Expr& callee = *e.object;
  auto node = [&](Node::Kind k) {
    auto n = std::make_unique<Node>(k);
    n->loc = &e.loc;
    return n;
  };
  if (f == "annotate" || f == "unchecked_cast") {
    if (e.elements.size() != 2) return CompileError(e.loc, f + " takes a type and a value");
    return CompileExpr(*e.elements[1], scope);
  }
  if (f == "uninitialized") {
    auto n = node(Node::Kind::kConst);
    return n;
  }
  if (f == "isinstance") {
    if (e.elements.size() != 2) return CompileError(e.loc, "isinstance takes 2 arguments");
    auto n = node(Node::Kind::kIsInstance);
    PTSER_ASSIGN_OR_RETURN(NodePtr v, CompileExpr(*e.elements[0], scope));
    n->args.push_back(std::move(v));
    const Expr& types = *e.elements[1];
    std::vector<const Expr*> list;
    if (types.kind == Expr::Kind::kTuple) {
      for (const auto& t : types.elements) list.push_back(t.get());
    } else {
      list.push_back(&types);
    }
    for (const Expr* t : list) {
      PTSER_ASSIGN_OR_RETURN(TypePtr type, AnnotationFromExpr(*t));
      n->types.push_back(std::move(type));
    }
    return n;
  }
  if (f == "getattr" || f == "hasattr") {
    if (e.elements.size() < 2 || e.elements[1]->kind != Expr::Kind::kString) {
      return CompileError(e.loc, f + " needs a string literal attribute name");
    }
    auto n = node(f == "hasattr" ? Node::Kind::kHasAttr
                                 : e.elements.size() == 3 ? Node::Kind::kGetAttrDefault
                                                          : Node::Kind::kGetAttr);
    n->name = e.elements[1]->string_value;
    PTSER_ASSIGN_OR_RETURN(NodePtr v, CompileExpr(*e.elements[0], scope));
    n->args.push_back(std::move(v));
    if (e.elements.size() == 3) {
      PTSER_ASSIGN_OR_RETURN(NodePtr d, CompileExpr(*e.elements[2], scope));
      n->args.push_back(std::move(d));
    }
    return n;
  }
  if (f == "fork") {
    if (e.elements.empty()) return CompileError(e.loc, "fork needs a function");
    auto n = node(Node::Kind::kFork);
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  }
  if (f == "print") {
    auto n = node(Node::Kind::kPrint);
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  }
  // Python builtins, as operators.
  static const auto* kBuiltins = new absl::flat_hash_map<std::string, std::string>{
      {"int", "aten::Int"},     {"float", "aten::Float"},   {"bool", "aten::Bool"},
      {"str", "aten::str"},     {"len", "aten::len"},       {"min", "prim::min"},
      {"max", "prim::max"},     {"abs", "prim::abs"},       {"round", "aten::round"},
      {"divmod", "aten::divmod"}, {"list", "aten::list"},   {"sorted", "aten::sorted"},
      {"hash", "aten::hash"},   {"ord", "aten::ord"},       {"chr", "aten::chr"},
      {"all", "aten::all"},     {"any", "aten::any"},       {"sum", "aten::sum"},
      {"complex", "aten::Complex"}, {"range", "aten::range"}, {"dict", "aten::dict"},
      {"hex", "aten::hex"},     {"oct", "aten::oct"},       {"bin", "aten::bin"},
      {"pow", "aten::pow"},
  };
  auto it = kBuiltins->find(f);
  if (it != kBuiltins->end()) {
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e.loc, it->second, f));
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  }
  return CompileError(callee.loc, absl::StrCat("unknown function '", f, "'"));
}

absl::StatusOr<NodePtr> Interpreter::Impl::CompileCall(const Expr& e, Scope& scope) {
  const Expr& callee = *e.object;
  auto node = [&](Node::Kind k) {
    auto n = std::make_unique<Node>(k);
    n->loc = &e.loc;
    return n;
  };
  std::vector<std::string> parts;
  int slot = -1, depth = 0;
  const bool chain = Chain(callee, &parts);
  if (chain && LookupLocal(scope, parts[0], &slot, &depth)) {
    if (parts.size() == 1) {
      // A nested def.
      auto n = node(Node::Kind::kCallValue);
      PTSER_ASSIGN_OR_RETURN(NodePtr c, CompileExpr(callee, scope));
      n->args.push_back(std::move(c));
      PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
      return n;
    }
  } else if (chain && parts.size() == 1) {
    return CompileBuiltinCall(e, parts[0], scope);
  } else if (chain && (parts[0] == "torch" || parts[0] == "math") && parts.size() == 2 &&
             parts[1] != "device") {
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e.loc, "aten::" + parts[1], absl::StrJoin(parts, ".")));
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    PTSER_RETURN_IF_ERROR(CheckHistoricSignature(e, *n));
    return n;
  } else if (chain && parts[0] == "torch" && parts.size() == 2) {
    if (parts[0] == "torch" && parts[1] == "device") {
      auto n = node(Node::Kind::kDevice);
      PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
      if (n->args.size() != 1 || !n->kw_args.empty()) {
        return CompileError(e.loc, "torch.device takes one argument");
      }
      return n;
    }
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e.loc, "aten::" + parts[1], absl::StrJoin(parts, ".")));
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  } else if (chain && parts[0] == "ops" && parts.size() == 3) {
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e.loc, parts[1] + "::" + parts[2],
                                             absl::StrJoin(parts, ".")));
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  } else if (chain && parts[0] == "__torch__") {
    PTSER_ASSIGN_OR_RETURN(Resolved r, ResolveQualified(callee, parts));
    if (r.function != nullptr && r.rest.empty()) {
      auto n = node(Node::Kind::kCallFunction);
      n->function = r.function;
      PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
      return n;
    }
    if (r.cls != nullptr && r.rest.empty() && r.cls->kind == ClassInfo::Kind::kNamedTuple) {
      auto n = node(Node::Kind::kNamedTuple);
      n->cls = r.cls;
      PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
      return n;
    }
    if (r.cls != nullptr && r.rest.size() == 1 && r.rest[0] == "__new__") {
      auto n = node(Node::Kind::kNewObject);
      n->cls = r.cls;
      return n;
    }
    if (r.cls != nullptr && r.rest.size() == 1) {
      // A static method or a method called on the class.
      auto it = r.cls->methods.find(r.rest[0]);
      if (it != r.cls->methods.end()) {
        auto n = node(Node::Kind::kCallFunction);
        n->function = it->second;
        PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
        return n;
      }
    }
    return CompileError(e.loc, absl::StrCat("'", absl::StrJoin(parts, "."), "' cannot be called"));
  } else if (chain && parts[0] == "torch") {
    return CompileError(e.loc, absl::StrCat("unknown operator '", absl::StrJoin(parts, "."),
                                            "': ptser does not implement it"));
  }
  // A method call: (receiver).name(args).
  if (callee.kind == Expr::Kind::kAttribute) {
    auto n = node(Node::Kind::kCallMethod);
    n->name = callee.name;
    PTSER_ASSIGN_OR_RETURN(NodePtr recv, CompileExpr(*callee.object, scope));
    n->args.push_back(std::move(recv));
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  }
  auto n = node(Node::Kind::kCallValue);
  PTSER_ASSIGN_OR_RETURN(NodePtr c, CompileExpr(callee, scope));
  n->args.push_back(std::move(c));
  PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
  return n;
}

// `a.b.c`: a constant (CONSTANTS.cN, an enum member, a class constant, a
// `__torch__` function as a value) or an attribute read.
absl::StatusOr<NodePtr> Interpreter::Impl::CompileAttribute(const Expr& e, Scope& scope) {
  auto node = [&](Node::Kind k) {
    auto n = std::make_unique<Node>(k);
    n->loc = &e.loc;
    return n;
  };
  std::vector<std::string> parts;
  int slot, depth;
  if (Chain(e, &parts) && !LookupLocal(scope, parts[0], &slot, &depth)) {
    if (parts[0] == "CONSTANTS" && parts.size() == 2 && absl::StartsWith(parts[1], "c")) {
      int64_t index = -1;
      if (!absl::SimpleAtoi(absl::string_view(parts[1]).substr(1), &index) || index < 0 ||
          !constants_.is_tuple() || static_cast<size_t>(index) >= constants_.tuple().size()) {
        return CompileError(e.loc, absl::StrCat("constants.pkl has no ", parts[1]));
      }
      auto n = node(Node::Kind::kConst);
      n->constant = constants_.tuple()[index];
      return n;
    }
    if (parts[0] == "__torch__") {
      PTSER_ASSIGN_OR_RETURN(Resolved r, ResolveQualified(e, parts));
      if (r.cls != nullptr && r.cls->kind == ClassInfo::Kind::kEnum && r.rest.size() == 1) {
        for (const auto& [name, v] : r.cls->members) {
          if (name == r.rest[0]) {
            auto n = node(Node::Kind::kConst);
            n->constant = v;
            return n;
          }
        }
      }
      if (r.function != nullptr && r.rest.empty()) {
        // A function hoisted into a variable (`_0 = __torch__.f` ... `_0(x)`).
        auto n = node(Node::Kind::kConst);
        n->constant = Value::FromOpaque(std::make_shared<ClosureValue>(r.function));
        return n;
      }
      if (r.cls != nullptr && r.rest.size() == 1) {
        auto it = r.cls->constants.find(r.rest[0]);
        if (it != r.cls->constants.end()) {
          auto n = node(Node::Kind::kConst);
          n->constant = it->second;
          return n;
        }
      }
      return CompileError(e.loc, absl::StrCat("'", absl::StrJoin(parts, "."),
                                              "' is not a value"));
    }
    if (parts[0] == "torch" || parts[0] == "ops" || parts[0] == "math") {
      return CompileError(e.loc, absl::StrCat("'", absl::StrJoin(parts, "."),
                                              "' is not supported as a value"));
    }
  }
  auto n = node(Node::Kind::kGetAttr);
  n->name = e.name;
  PTSER_ASSIGN_OR_RETURN(NodePtr obj, CompileExpr(*e.object, scope));
  n->args.push_back(std::move(obj));
  return n;
}

absl::StatusOr<NodePtr> Interpreter::Impl::CompileExpr(const Expr& e, Scope& scope) {
  auto node = [&](Node::Kind k) {
    auto n = std::make_unique<Node>(k);
    n->loc = &e.loc;
    return n;
  };
  switch (e.kind) {
    case Expr::Kind::kInt:
    case Expr::Kind::kFloat:
    case Expr::Kind::kString:
    case Expr::Kind::kTrue:
    case Expr::Kind::kFalse:
    case Expr::Kind::kNone: {
      auto n = node(Node::Kind::kConst);
      PTSER_ASSIGN_OR_RETURN(n->constant, ConstantOf(e));
      return n;
    }
    case Expr::Kind::kEllipsis:
      return CompileError(e.loc, "'...' is not supported here");
    case Expr::Kind::kName: {
      auto n = node(Node::Kind::kLocal);
      if (LookupLocal(scope, e.name, &n->slot, &n->depth)) {
        n->name = e.name;
        return n;
      }
      if (e.name == "inf" || e.name == "nan") {
        auto c = node(Node::Kind::kConst);
        PTSER_ASSIGN_OR_RETURN(c->constant, ConstantOf(e));
        return c;
      }
      return CompileError(e.loc, absl::StrCat("undefined name '", e.name, "'"));
    }
    case Expr::Kind::kList:
    case Expr::Kind::kTuple: {
      auto n = node(e.kind == Expr::Kind::kList ? Node::Kind::kList : Node::Kind::kTuple);
      for (const auto& x : e.elements) {
        PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(*x, scope));
        n->args.push_back(std::move(a));
      }
      return n;
    }
    case Expr::Kind::kDict: {
      auto n = node(Node::Kind::kDict);
      for (size_t i = 0; i < e.keys.size(); ++i) {
        PTSER_ASSIGN_OR_RETURN(NodePtr k, CompileExpr(*e.keys[i], scope));
        PTSER_ASSIGN_OR_RETURN(NodePtr v, CompileExpr(*e.elements[i], scope));
        n->args.push_back(std::move(k));
        n->kw_args.push_back(std::move(v));
      }
      return n;
    }
    case Expr::Kind::kAttribute:
      return CompileAttribute(e, scope);
    case Expr::Kind::kSubscript: {
      const Expr& index = *e.elements[0];
      PTSER_ASSIGN_OR_RETURN(NodePtr obj, CompileExpr(*e.object, scope));
      if (index.kind == Expr::Kind::kSlice) {
        auto n = node(Node::Kind::kSliceOf);
        n->args.push_back(std::move(obj));
        for (const script::ExprPtr* p : {&index.slice_start, &index.slice_stop, &index.slice_step}) {
          if (*p == nullptr) {
            n->args.push_back(nullptr);
          } else {
            PTSER_ASSIGN_OR_RETURN(NodePtr b, CompileExpr(**p, scope));
            n->args.push_back(std::move(b));
          }
        }
        return n;
      }
      auto n = node(Node::Kind::kSubscript);
      n->args.push_back(std::move(obj));
      PTSER_ASSIGN_OR_RETURN(NodePtr i, CompileExpr(index, scope));
      n->args.push_back(std::move(i));
      return n;
    }
    case Expr::Kind::kSlice:
      return CompileError(e.loc, "a slice outside a subscript");
    case Expr::Kind::kCall:
      return CompileCall(e, scope);
    case Expr::Kind::kUnary: {
      if (e.unary_op == UnaryOp::kNeg) {
        absl::StatusOr<Value> c = ConstantOf(e);
        if (c.ok()) {
          auto n = node(Node::Kind::kConst);
          n->constant = *std::move(c);
          return n;
        }
      }
      PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(*e.elements[0], scope));
      if (e.unary_op == UnaryOp::kNot) {
        auto n = node(Node::Kind::kNot);
        n->args.push_back(std::move(a));
        return n;
      }
      if (e.unary_op == UnaryOp::kPos) return a;
      const std::string name = e.unary_op == UnaryOp::kNeg ? "aten::neg" : "aten::bitwise_not";
      PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e.loc, name, name));
      n->args.push_back(std::move(a));
      return n;
    }
    case Expr::Kind::kBinary:
      return CompileBinary(e, scope);
    case Expr::Kind::kTernary: {
      auto n = node(Node::Kind::kTernary);
      for (const auto& x : e.elements) {
        PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(*x, scope));
        n->args.push_back(std::move(a));
      }
      return n;
    }
    case Expr::Kind::kStarred:
      return CompileError(e.loc, "'*' is not supported here");
  }
  return CompileError(e.loc, "unknown expression");
}

}  // namespace jit
}  // namespace ptser
