// Copyright ptser authors.
//
// Loading: the code records parsed, classes and functions compiled,
// statements and assignment targets compiled into the tree of
// internal/interpreter_impl.h.
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

// ---------------------------------------------------------------------------
// Loading.

absl::Status Interpreter::Impl::Load(const ScriptArchive& archive) {
  constants_ = archive.constants;
  upgraders_ = Upgraders(ops_, version_);
  for (const ScriptArchive::Record& r : archive.code_records) {
    if (!absl::EndsWith(r.name, ".py")) continue;
    PTSER_RETURN_IF_ERROR(AddRecord(r.name, r.bytes));
  }
  // Classes first (methods may name any class), then compile everything:
  // an unknown operator or name anywhere is a load-time error.
  for (auto& [name, cls] : classes_) PTSER_RETURN_IF_ERROR(CompileClass(*cls));
  for (auto& [name, cls] : classes_) {
    for (auto& [mname, fn] : cls->methods) PTSER_RETURN_IF_ERROR(CompileFunction(*fn));
  }
  for (auto& [name, fn] : functions_) PTSER_RETURN_IF_ERROR(CompileFunction(*fn));
  return absl::OkStatus();
}

absl::Status Interpreter::Impl::AddRecord(const std::string& record_name, const std::string& text) {
  PTSER_ASSIGN_OR_RETURN(std::string qualifier, CodeRecordQualifier(record_name));
  PTSER_ASSIGN_OR_RETURN(script::ParsedRecord parsed, script::ParseRecord(record_name, text));
  qualifiers_[qualifier] = 1;
  for (const auto& c : parsed.classes) {
    auto info = std::make_unique<ClassInfo>();
    info->qualified_name = absl::StrCat(qualifier, ".", c->name);
    info->ref = SplitQualified(info->qualified_name);
    info->def = c.get();
    std::string base;
    if (!c->bases.empty()) {
      std::vector<std::string> parts;
      if (Chain(*c->bases[0], &parts)) base = parts.back();
    }
    if (base == "Module") {
      info->kind = ClassInfo::Kind::kModule;
    } else if (base == "NamedTuple") {
      info->kind = ClassInfo::Kind::kNamedTuple;
    } else if (base == "Enum") {
      info->kind = ClassInfo::Kind::kEnum;
    } else if (base == "Interface" || base == "ModuleInterface") {
      info->kind = ClassInfo::Kind::kInterface;
    }
    for (const auto& s : c->body) {
      if (s->kind != Stmt::Kind::kDef) continue;
      auto fn = std::make_unique<CompiledFunction>();
      fn->qualified_name = absl::StrCat(info->qualified_name, ".", s->def_->name);
      fn->def = s->def_.get();
      fn->owner = info.get();
      info->methods[s->def_->name] = fn.get();
      nested_.push_back(std::move(fn));
    }
    if (classes_.contains(info->qualified_name)) {
      return CompileError(c->loc, absl::StrCat("class ", info->qualified_name, " is defined twice"));
    }
    classes_[info->qualified_name] = std::move(info);
  }
  for (const auto& f : parsed.functions) {
    auto fn = std::make_unique<CompiledFunction>();
    fn->qualified_name = absl::StrCat(qualifier, ".", f->name);
    fn->def = f.get();
    functions_[fn->qualified_name] = std::move(fn);
  }
  parsed_.push_back(std::move(parsed));
  return absl::OkStatus();
}

absl::StatusOr<Value> Interpreter::Impl::ConstantOf(const Expr& e) const {
  switch (e.kind) {
    case Expr::Kind::kInt:
      return Value::Int(e.int_value);
    case Expr::Kind::kFloat:
      return Value::Float(e.float_value);
    case Expr::Kind::kString:
      return Value::Str(e.string_value);
    case Expr::Kind::kTrue:
      return Value::Bool(true);
    case Expr::Kind::kFalse:
      return Value::Bool(false);
    case Expr::Kind::kNone:
      return Value();
    case Expr::Kind::kName:
      if (e.name == "inf") return Value::Float(std::numeric_limits<double>::infinity());
      if (e.name == "nan") return Value::Float(std::numeric_limits<double>::quiet_NaN());
      break;
    case Expr::Kind::kUnary:
      if (e.unary_op == UnaryOp::kNeg) {
        PTSER_ASSIGN_OR_RETURN(Value v, ConstantOf(*e.elements[0]));
        if (v.is_int()) return Value::Int(-v.as_int());
        if (v.is_float()) return Value::Float(-v.as_float());
      }
      break;
    case Expr::Kind::kList:
    case Expr::Kind::kTuple: {
      std::vector<Value> items;
      for (const auto& x : e.elements) {
        PTSER_ASSIGN_OR_RETURN(Value v, ConstantOf(*x));
        items.push_back(std::move(v));
      }
      return e.kind == Expr::Kind::kList ? Value::NewList(std::move(items))
                                         : Value::NewTuple(std::move(items));
    }
    default:
      break;
  }
  return CompileError(e.loc, "expected a constant");
}

absl::Status Interpreter::Impl::CompileClass(ClassInfo& cls) {
  for (const auto& s : cls.def->body) {
    if (s->kind != Stmt::Kind::kAssign || s->targets.size() != 1 ||
        s->targets[0]->kind != Expr::Kind::kName) {
      continue;
    }
    const std::string& name = s->targets[0]->name;
    if (cls.kind == ClassInfo::Kind::kNamedTuple && s->annotation != nullptr) {
      cls.fields.push_back(name);
      cls.field_defaults.push_back(s->value.get());
      continue;
    }
    if (cls.kind == ClassInfo::Kind::kEnum && s->annotation == nullptr && s->value != nullptr) {
      PTSER_ASSIGN_OR_RETURN(Value v, ConstantOf(*s->value));
      auto obj = std::make_shared<Value::Object>(cls.ref, Value::Object::Construction::kCall,
                                                 Value::NewTuple({std::move(v)}));
      cls.members.emplace_back(name, Value::FromObject(std::move(obj)));
      continue;
    }
    if (s->annotation != nullptr && s->value != nullptr) {
      // `x : Final[int] = 3`
      std::vector<std::string> parts;
      const Expr& a = *s->annotation;
      if (a.kind == Expr::Kind::kSubscript && Chain(*a.object, &parts) && parts.back() == "Final") {
        absl::StatusOr<Value> v = ConstantOf(*s->value);
        if (v.ok()) cls.constants[name] = *std::move(v);
      }
    }
  }
  return absl::OkStatus();
}

bool Interpreter::Impl::Chain(const Expr& e, std::vector<std::string>* parts) {
  const Expr* cur = &e;
  std::vector<std::string> rev;
  while (cur->kind == Expr::Kind::kAttribute) {
    rev.push_back(cur->name);
    cur = cur->object.get();
  }
  if (cur->kind != Expr::Kind::kName) return false;
  rev.push_back(cur->name);
  parts->assign(rev.rbegin(), rev.rend());
  return true;
}

absl::StatusOr<Interpreter::Impl::Resolved> Interpreter::Impl::ResolveQualified(
    const Expr& at, const std::vector<std::string>& parts) {
  // The longest prefix that is a code record's qualifier, then a class or
  // function of it.
  for (size_t n = parts.size() - 1; n >= 1; --n) {
    const std::string qualifier = absl::StrJoin(parts.begin(), parts.begin() + n, ".");
    if (!qualifiers_.contains(qualifier)) continue;
    const std::string name = absl::StrCat(qualifier, ".", parts[n]);
    Resolved r;
    r.rest.assign(parts.begin() + n + 1, parts.end());
    if (auto it = classes_.find(name); it != classes_.end()) {
      r.cls = it->second.get();
      return r;
    }
    if (auto it = functions_.find(name); it != functions_.end()) {
      r.function = it->second.get();
      return r;
    }
    break;
  }
  return CompileError(at.loc, absl::StrCat("the archive's code defines no '",
                                           absl::StrJoin(parts, "."), "'"));
}

void Interpreter::Impl::CollectTargetNames(const Expr& t, Scope& scope) {
  if (t.kind == Expr::Kind::kName) {
    if (!scope.slots.contains(t.name)) {
      const int slot = static_cast<int>(scope.slots.size());
      scope.slots[t.name] = slot;
    }
  } else if (t.kind == Expr::Kind::kTuple || t.kind == Expr::Kind::kList) {
    for (const auto& e : t.elements) CollectTargetNames(*e, scope);
  }
}

void Interpreter::Impl::CollectNames(const script::Block& body, Scope& scope) {
  for (const auto& s : body) {
    for (const auto& t : s->targets) CollectTargetNames(*t, scope);
    for (const auto& t : s->with_targets) {
      if (t != nullptr) CollectTargetNames(*t, scope);
    }
    if (s->kind == Stmt::Kind::kDef && !scope.slots.contains(s->def_->name)) {
      const int slot = static_cast<int>(scope.slots.size());
      scope.slots[s->def_->name] = slot;
    }
    CollectNames(s->body, scope);
    CollectNames(s->orelse, scope);
  }
}

bool Interpreter::Impl::LookupLocal(const Scope& scope, const std::string& name, int* slot,
                                    int* depth) const {
  int d = 0;
  for (const Scope* s = &scope; s != nullptr; s = s->parent, ++d) {
    auto it = s->slots.find(name);
    if (it != s->slots.end()) {
      *slot = it->second;
      *depth = d;
      return true;
    }
  }
  return false;
}

absl::Status Interpreter::Impl::CompileFunction(CompiledFunction& fn) {
  if (fn.compiled) return absl::OkStatus();
  fn.compiled = true;
  Scope scope{&fn, {}, nullptr};
  for (const script::Param& p : fn.def->params) {
    if (scope.slots.contains(p.name)) {
      return CompileError(p.loc, absl::StrCat("duplicate parameter '", p.name, "'"));
    }
    const int slot = static_cast<int>(scope.slots.size());
    scope.slots[p.name] = slot;
    fn.params.push_back(p.name);
    fn.param_types.push_back(p.type.get());
    TypePtr type;
    if (p.type != nullptr) {
      absl::StatusOr<TypePtr> parsed = AnnotationFromExpr(*p.type);
      if (parsed.ok()) type = *std::move(parsed);
    }
    fn.param_type_values.push_back(std::move(type));
  }
  CollectNames(fn.def->body, scope);
  for (const script::Param& p : fn.def->params) {
    if (p.default_value == nullptr) {
      fn.defaults.push_back(nullptr);
    } else {
      Scope empty{&fn, {}, nullptr};
      PTSER_ASSIGN_OR_RETURN(NodePtr d, CompileExpr(*p.default_value, empty));
      fn.defaults.push_back(std::move(d));
    }
  }
  PTSER_ASSIGN_OR_RETURN(fn.body, CompileBlock(fn.def->body, scope));
  fn.num_slots = static_cast<int>(scope.slots.size());
  return absl::OkStatus();
}

absl::StatusOr<CBlock> Interpreter::Impl::CompileBlock(const script::Block& body, Scope& scope) {
  CBlock out;
  out.reserve(body.size());
  for (const auto& s : body) {
    PTSER_ASSIGN_OR_RETURN(CStmtPtr c, CompileStmt(*s, scope));
    if (c != nullptr) out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<Target> Interpreter::Impl::CompileTarget(const Expr& e, Scope& scope) {
  Target t;
  t.loc = &e.loc;
  switch (e.kind) {
    case Expr::Kind::kName:
      if (!LookupLocal(scope, e.name, &t.slot, &t.depth)) {
        return CompileError(e.loc, absl::StrCat("cannot assign to '", e.name, "'"));
      }
      t.kind = Target::Kind::kLocal;
      return t;
    case Expr::Kind::kTuple:
    case Expr::Kind::kList:
      t.kind = Target::Kind::kUnpack;
      for (const auto& x : e.elements) {
        PTSER_ASSIGN_OR_RETURN(Target sub, CompileTarget(*x, scope));
        t.elements.push_back(std::move(sub));
      }
      return t;
    case Expr::Kind::kAttribute: {
      t.kind = Target::Kind::kAttr;
      t.name = e.name;
      PTSER_ASSIGN_OR_RETURN(t.object, CompileExpr(*e.object, scope));
      return t;
    }
    case Expr::Kind::kSubscript: {
      t.kind = Target::Kind::kSubscript;
      PTSER_ASSIGN_OR_RETURN(t.object, CompileExpr(*e.object, scope));
      PTSER_ASSIGN_OR_RETURN(t.index, CompileExpr(*e.elements[0], scope));
      return t;
    }
    default:
      return CompileError(e.loc, "this expression cannot be assigned to");
  }
}

// `target op= value`, as `target = op(target, value)`.
absl::StatusOr<CStmtPtr> Interpreter::Impl::CompileAugAssign(const Stmt& s, Scope& scope) {
  using K = CStmt::Kind;
  auto make = [&](K k) {
    auto c = std::make_unique<CStmt>(k);
    c->loc = &s.loc;
    return c;
  };
  // target op= value, as target = op(target, value) (the target is
  // evaluated twice; printed code never writes this form).  Every node
  // points at the statement's own location: nothing built here may be a
  // temporary, since the compiled code outlives this call.
  auto c = make(K::kAssign);
  PTSER_ASSIGN_OR_RETURN(c->value,
                         CompileBinaryOf(s.loc, s.aug_op, *s.targets[0], *s.value, scope));
  PTSER_ASSIGN_OR_RETURN(Target target, CompileTarget(*s.targets[0], scope));
  c->targets.push_back(std::move(target));
  return c;
}

// `for`: over range(...) (unless `range` is a local) or any iterable.
absl::StatusOr<CStmtPtr> Interpreter::Impl::CompileFor(const Stmt& s, Scope& scope) {
  using K = CStmt::Kind;
  auto make = [&](K k) {
    auto c = std::make_unique<CStmt>(k);
    c->loc = &s.loc;
    return c;
  };
  PTSER_ASSIGN_OR_RETURN(Target target, CompileTarget(*s.targets[0], scope));
  const Expr& it = *s.value;
  std::unique_ptr<CStmt> c;
  if (it.kind == Expr::Kind::kCall && it.object->kind == Expr::Kind::kName &&
      it.object->name == "range" && it.keywords.empty() && !it.elements.empty() &&
      it.elements.size() <= 3) {
    int slot, depth;
    if (!LookupLocal(scope, "range", &slot, &depth)) {
      c = make(K::kForRange);
      for (const auto& a : it.elements) {
        PTSER_ASSIGN_OR_RETURN(NodePtr n, CompileExpr(*a, scope));
        c->range.push_back(std::move(n));
      }
    }
  }
  if (c == nullptr) {
    c = make(K::kForEach);
    PTSER_ASSIGN_OR_RETURN(c->value, CompileExpr(it, scope));
  }
  c->targets.push_back(std::move(target));
  PTSER_ASSIGN_OR_RETURN(c->body, CompileBlock(s.body, scope));
  return CStmtPtr(std::move(c));
}

// A `def` inside a function: a closure over `scope`.
absl::StatusOr<CStmtPtr> Interpreter::Impl::CompileNestedDef(const Stmt& s, Scope& scope) {
  using K = CStmt::Kind;
  auto make = [&](K k) {
    auto c = std::make_unique<CStmt>(k);
    c->loc = &s.loc;
    return c;
  };
  auto fn = std::make_unique<CompiledFunction>();
  fn->qualified_name = absl::StrCat(scope.fn->qualified_name, ".", s.def_->name);
  fn->def = s.def_.get();
  fn->enclosing = scope.fn;
  // Compile with this scope as the enclosing one.
  Scope inner{fn.get(), {}, &scope};
  for (const script::Param& p : fn->def->params) {
    const int slot = static_cast<int>(inner.slots.size());
    inner.slots[p.name] = slot;
    fn->params.push_back(p.name);
    fn->param_types.push_back(p.type.get());
    fn->defaults.push_back(nullptr);
  }
  CollectNames(fn->def->body, inner);
  PTSER_ASSIGN_OR_RETURN(fn->body, CompileBlock(fn->def->body, inner));
  fn->num_slots = static_cast<int>(inner.slots.size());
  fn->compiled = true;
  auto c = make(K::kDefClosure);
  c->closure = fn.get();
  int depth = 0;
  LookupLocal(scope, s.def_->name, &c->slot, &depth);
  nested_.push_back(std::move(fn));
  return c;
}

absl::StatusOr<CStmtPtr> Interpreter::Impl::CompileStmt(const Stmt& s, Scope& scope) {
  using K = CStmt::Kind;
  auto make = [&](K k) {
    auto c = std::make_unique<CStmt>(k);
    c->loc = &s.loc;
    return c;
  };
  switch (s.kind) {
    case Stmt::Kind::kExpr: {
      auto c = make(K::kExpr);
      PTSER_ASSIGN_OR_RETURN(c->value, CompileExpr(*s.value, scope));
      return c;
    }
    case Stmt::Kind::kAssign: {
      if (s.value == nullptr) return CStmtPtr();  // a bare declaration `x : T`
      auto c = make(K::kAssign);
      PTSER_ASSIGN_OR_RETURN(c->value, CompileExpr(*s.value, scope));
      for (const auto& t : s.targets) {
        PTSER_ASSIGN_OR_RETURN(Target target, CompileTarget(*t, scope));
        c->targets.push_back(std::move(target));
      }
      return c;
    }
    case Stmt::Kind::kAugAssign:
      return CompileAugAssign(s, scope);
    case Stmt::Kind::kIf: {
      auto c = make(K::kIf);
      PTSER_ASSIGN_OR_RETURN(c->cond, CompileExpr(*s.condition, scope));
      PTSER_ASSIGN_OR_RETURN(c->body, CompileBlock(s.body, scope));
      PTSER_ASSIGN_OR_RETURN(c->orelse, CompileBlock(s.orelse, scope));
      return c;
    }
    case Stmt::Kind::kWhile: {
      auto c = make(K::kWhile);
      PTSER_ASSIGN_OR_RETURN(c->cond, CompileExpr(*s.condition, scope));
      PTSER_ASSIGN_OR_RETURN(c->body, CompileBlock(s.body, scope));
      return c;
    }
    case Stmt::Kind::kFor:
      return CompileFor(s, scope);
    case Stmt::Kind::kWith: {
      auto c = make(K::kWith);
      for (size_t i = 0; i < s.with_items.size(); ++i) {
        PTSER_ASSIGN_OR_RETURN(NodePtr n, CompileExpr(*s.with_items[i], scope));
        c->with_items.push_back(std::move(n));
        Target t;
        if (i < s.with_targets.size() && s.with_targets[i] != nullptr) {
          PTSER_ASSIGN_OR_RETURN(t, CompileTarget(*s.with_targets[i], scope));
        }
        c->with_targets.push_back(std::move(t));
      }
      PTSER_ASSIGN_OR_RETURN(c->body, CompileBlock(s.body, scope));
      return c;
    }
    case Stmt::Kind::kReturn: {
      auto c = make(K::kReturn);
      if (s.value != nullptr) {
        PTSER_ASSIGN_OR_RETURN(c->value, CompileExpr(*s.value, scope));
      }
      return c;
    }
    case Stmt::Kind::kRaise: {
      auto c = make(K::kRaise);
      if (s.value != nullptr) {
        PTSER_ASSIGN_OR_RETURN(c->value, CompileExpr(*s.value, scope));
      }
      return c;
    }
    case Stmt::Kind::kAssert: {
      auto c = make(K::kAssert);
      PTSER_ASSIGN_OR_RETURN(c->cond, CompileExpr(*s.condition, scope));
      if (s.value != nullptr) {
        PTSER_ASSIGN_OR_RETURN(c->value, CompileExpr(*s.value, scope));
      }
      return c;
    }
    case Stmt::Kind::kPass:
      return make(K::kPass);
    case Stmt::Kind::kBreak:
      return make(K::kBreak);
    case Stmt::Kind::kContinue:
      return make(K::kContinue);
    case Stmt::Kind::kDef:
      return CompileNestedDef(s, scope);
    case Stmt::Kind::kClass:
      return CompileError(s.loc, "a class inside a function");
    case Stmt::Kind::kDelete: {
      auto c = make(K::kDelete);
      for (const auto& t : s.targets) {
        PTSER_ASSIGN_OR_RETURN(Target target, CompileTarget(*t, scope));
        c->targets.push_back(std::move(target));
      }
      return c;
    }
  }
  return CompileError(s.loc, "unknown statement");
}

absl::StatusOr<NodePtr> Interpreter::Impl::MakeOp(const SourceLocation& at,
                                                  const std::string& name,
                                                  const std::string& spelled) {
  auto n = std::make_unique<Node>(Node::Kind::kOp);
  n->loc = &at;
  n->op = std::make_unique<OpSite>();
  n->op->name = name;
  n->op->spelled = spelled;
  n->op->overloads = ops_.Overloads(name);
  // Operators on values only the interpreter makes (CallOp handles them).
  const bool native = name == "aten::wait";
  if (n->op->overloads == nullptr && !native) {
    return Locate(at, absl::NotFoundError(absl::StrCat(
                              "unknown operator ", name, " (", spelled,
                              "): ptser does not implement it")));
  }
  return n;
}

}  // namespace jit
}  // namespace ptser
