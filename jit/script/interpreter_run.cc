// Copyright ptser authors.
//
// Running: the hot loop.  Call (frames), Exec/ExecStmt (statements and
// control flow), Eval/EvalInner (expressions) and operator/method dispatch
// stay in one file so that they compile together.
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

absl::StatusOr<Value> Interpreter::Impl::Call(const CompiledFunction& fn, Frame* env,
                                              absl::Span<Value> positional,
                                              absl::Span<const std::string> kw_names,
                                              absl::Span<Value> kw_values,
                                              const SourceLocation* call_loc) {
  if (call_depth_ >= options_.max_call_depth) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "maximum recursion depth exceeded: more than ", options_.max_call_depth,
        " nested calls (InterpreterOptions::max_call_depth) calling ", fn.qualified_name));
  }
  const size_t nparams = fn.params.size();
  if (positional.size() > nparams) {
    return absl::InvalidArgumentError(absl::StrCat(fn.qualified_name, "() takes ", nparams,
                                                   " arguments but ", positional.size(),
                                                   " were given"));
  }
  Frame frame;
  frame.locals.resize(fn.num_slots);
  frame.bound.assign(fn.num_slots, 0);
  frame.parent = env;
  frame.fn = &fn;
  for (size_t i = 0; i < positional.size(); ++i) {
    frame.locals[i] = std::move(positional[i]);
    frame.bound[i] = 1;
  }
  for (size_t k = 0; k < kw_names.size(); ++k) {
    auto it = std::find(fn.params.begin(), fn.params.end(), kw_names[k]);
    if (it == fn.params.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          fn.qualified_name, "() got an unexpected keyword argument '", kw_names[k], "'"));
    }
    const size_t i = it - fn.params.begin();
    if (frame.bound[i]) {
      return absl::InvalidArgumentError(absl::StrCat(
          fn.qualified_name, "() got multiple values for argument '", kw_names[k], "'"));
    }
    frame.locals[i] = std::move(kw_values[k]);
    frame.bound[i] = 1;
  }
  ++call_depth_;
  for (size_t i = 0; i < nparams; ++i) {
    if (frame.bound[i]) continue;
    if (fn.defaults[i] == nullptr) {
      --call_depth_;
      return absl::InvalidArgumentError(absl::StrCat(
          fn.qualified_name, "() is missing a value for argument '", fn.params[i], "'"));
    }
    absl::StatusOr<Value> d = Eval(*fn.defaults[i], frame);
    if (!d.ok()) {
      --call_depth_;
      return d.status();
    }
    frame.locals[i] = *std::move(d);
    frame.bound[i] = 1;
  }
  absl::StatusOr<Flow> flow = Exec(fn.body, frame);
  --call_depth_;
  if (!flow.ok()) {
    absl::Status s = flow.status();
    if (call_loc != nullptr && traceback_lines_ < kMaxTracebackLines) {
      ++traceback_lines_;
      absl::Status out(s.code(), absl::StrCat(s.message(), "\n  in ", fn.qualified_name,
                                              ", called from ",
                                              script::LocationString(*call_loc)));
      out.SetPayload(kLocatedPayload, absl::Cord("1"));
      return out;
    }
    return s;
  }
  return std::move(frame.return_value);
}

absl::StatusOr<Flow> Interpreter::Impl::Exec(const CBlock& block, Frame& frame) {
  for (const CStmtPtr& s : block) {
    absl::StatusOr<Flow> f = ExecStmt(*s, frame);
    if (!f.ok()) return Locate(*s->loc, f.status());
    if (*f != Flow::kNormal) return f;
  }
  return Flow::kNormal;
}

absl::StatusOr<bool> Interpreter::Impl::Truth(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return v.as_bool();
    case Value::Kind::kInt:
      return v.as_int() != 0;
    case Value::Kind::kFloat:
      return v.as_float() != 0;
    case Value::Kind::kNone:
      return false;
    case Value::Kind::kStr:
      return !v.as_string().empty();
    case Value::Kind::kList:
      return v.list().size() != 0;
    case Value::Kind::kTuple:
      return v.tuple().size() != 0;
    case Value::Kind::kDict:
      return v.dict().size() != 0;
    case Value::Kind::kTensor: {
      PTSER_ASSIGN_OR_RETURN(Value b, CallNamed("aten::Bool", {v}));
      if (!b.is_bool()) return absl::InternalError("aten::Bool returned a non-bool");
      return b.as_bool();
    }
    default:
      return true;
  }
}

absl::StatusOr<Flow> Interpreter::Impl::ExecStmt(const CStmt& s, Frame& frame) {
  PTSER_RETURN_IF_ERROR(Step());
  using K = CStmt::Kind;
  switch (s.kind) {
    case K::kExpr: {
      PTSER_ASSIGN_OR_RETURN(Value v, Eval(*s.value, frame));
      return Flow::kNormal;
    }
    case K::kAssign: {
      PTSER_ASSIGN_OR_RETURN(Value v, Eval(*s.value, frame));
      for (size_t i = 0; i + 1 < s.targets.size(); ++i) {
        PTSER_RETURN_IF_ERROR(Assign(s.targets[i], v, frame));
      }
      PTSER_RETURN_IF_ERROR(Assign(s.targets.back(), std::move(v), frame));
      return Flow::kNormal;
    }
    case K::kIf: {
      PTSER_ASSIGN_OR_RETURN(Value c, Eval(*s.cond, frame));
      PTSER_ASSIGN_OR_RETURN(bool b, Truth(c));
      return Exec(b ? s.body : s.orelse, frame);
    }
    case K::kWhile: {
      while (true) {
        PTSER_ASSIGN_OR_RETURN(Value c, Eval(*s.cond, frame));
        PTSER_ASSIGN_OR_RETURN(bool b, Truth(c));
        if (!b) break;
        PTSER_ASSIGN_OR_RETURN(Flow f, Exec(s.body, frame));
        if (f == Flow::kReturn) return f;
        if (f == Flow::kBreak) break;
        PTSER_RETURN_IF_ERROR(Step());
      }
      return Flow::kNormal;
    }
    case K::kForRange: {
      int64_t bounds[3] = {0, 0, 1};
      for (size_t i = 0; i < s.range.size(); ++i) {
        PTSER_ASSIGN_OR_RETURN(Value b, Eval(*s.range[i], frame));
        if (!b.is_int()) {
          return absl::InvalidArgumentError(
              absl::StrCat("range() takes ints, got a ", b.TypeName()));
        }
        bounds[i] = b.as_int();
      }
      int64_t start = 0, stop, step = 1;
      if (s.range.size() == 1) {
        stop = bounds[0];
      } else {
        start = bounds[0];
        stop = bounds[1];
        if (s.range.size() == 3) step = bounds[2];
      }
      if (step == 0) return absl::InvalidArgumentError("range() arg 3 must not be zero");
      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        PTSER_RETURN_IF_ERROR(Assign(s.targets[0], Value::Int(i), frame));
        PTSER_ASSIGN_OR_RETURN(Flow f, Exec(s.body, frame));
        if (f == Flow::kReturn) return f;
        if (f == Flow::kBreak) break;
        PTSER_RETURN_IF_ERROR(Step());
        if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step)) break;
      }
      return Flow::kNormal;
    }
    case K::kForEach: {
      PTSER_ASSIGN_OR_RETURN(Value it, Eval(*s.value, frame));
      std::vector<Value> items;
      if (it.is_list()) {
        items = it.list().items();
      } else if (it.is_tuple()) {
        items.assign(it.tuple().begin(), it.tuple().end());
      } else if (it.is_dict()) {
        for (const auto& item : it.dict().items()) items.push_back(item.key);
      } else if (it.is_str()) {
        for (char c : it.as_string()) items.push_back(Value::Str(std::string(1, c)));
      } else if (it.is_tensor()) {
        PTSER_ASSIGN_OR_RETURN(Value u, CallNamed("aten::unbind", {it, Value::Int(0)}));
        if (u.is_list()) items = u.list().items();
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("'", it.TypeName(), "' object is not iterable"));
      }
      for (Value& v : items) {
        PTSER_RETURN_IF_ERROR(Assign(s.targets[0], std::move(v), frame));
        PTSER_ASSIGN_OR_RETURN(Flow f, Exec(s.body, frame));
        if (f == Flow::kReturn) return f;
        if (f == Flow::kBreak) break;
        PTSER_RETURN_IF_ERROR(Step());
      }
      return Flow::kNormal;
    }
    case K::kWith: {
      std::vector<Value> entered;
      for (size_t i = 0; i < s.with_items.size(); ++i) {
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*s.with_items[i], frame));
        Value as = v;
        if (ClassInfo* cls = ClassOfValue(v); cls != nullptr && cls->methods.contains("__enter__")) {
          PTSER_ASSIGN_OR_RETURN(as, CallMethodOn(v, "__enter__", {}, {}, {}, s.loc));
        }
        if (s.with_targets[i].kind != Target::Kind::kDiscard) {
          PTSER_RETURN_IF_ERROR(Assign(s.with_targets[i], as, frame));
        }
        entered.push_back(std::move(v));
      }
      absl::StatusOr<Flow> f = Exec(s.body, frame);
      for (auto it = entered.rbegin(); it != entered.rend(); ++it) {
        if (ClassInfo* cls = ClassOfValue(*it); cls != nullptr && cls->methods.contains("__exit__")) {
          std::vector<Value> none3(3);
          absl::StatusOr<Value> r = CallMethodOn(*it, "__exit__", absl::MakeSpan(none3), {}, {}, s.loc);
          if (!r.ok() && f.ok()) f = r.status();
        }
      }
      return f;
    }
    case K::kReturn: {
      if (s.value != nullptr) {
        PTSER_ASSIGN_OR_RETURN(frame.return_value, Eval(*s.value, frame));
      }
      return Flow::kReturn;
    }
    case K::kRaise: {
      std::string msg = "Exception";
      if (s.value != nullptr) {
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*s.value, frame));
        msg = v.is_str() ? v.as_string() : v.Repr();
      }
      return absl::AbortedError(msg);
    }
    case K::kAssert: {
      PTSER_ASSIGN_OR_RETURN(Value c, Eval(*s.cond, frame));
      PTSER_ASSIGN_OR_RETURN(bool b, Truth(c));
      if (b) return Flow::kNormal;
      std::string msg = "AssertionError";
      if (s.value != nullptr) {
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*s.value, frame));
        absl::StrAppend(&msg, ": ", v.is_str() ? v.as_string() : v.Repr());
      }
      return absl::AbortedError(msg);
    }
    case K::kPass:
      return Flow::kNormal;
    case K::kBreak:
      return Flow::kBreak;
    case K::kContinue:
      return Flow::kContinue;
    case K::kDefClosure: {
      if (frame.alive == nullptr) frame.alive = std::make_shared<char>(0);
      frame.locals[s.slot] = Value::FromOpaque(
          std::make_shared<ClosureValue>(s.closure, &frame, frame.alive));
      frame.bound[s.slot] = 1;
      return Flow::kNormal;
    }
    case K::kDelete: {
      for (const Target& t : s.targets) {
        if (t.kind == Target::Kind::kLocal) {
          Frame* f = &frame;
          for (int d = 0; d < t.depth; ++d) f = f->parent;
          f->locals[t.slot] = Value();
          f->bound[t.slot] = 0;
        } else if (t.kind == Target::Kind::kSubscript) {
          PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*t.object, frame));
          PTSER_ASSIGN_OR_RETURN(Value idx, Eval(*t.index, frame));
          PTSER_RETURN_IF_ERROR(CallNamed("aten::Delete", {obj, idx}).status());
        } else {
          return absl::InvalidArgumentError("del of this target is not supported");
        }
      }
      return Flow::kNormal;
    }
  }
  return absl::InternalError("unknown statement");
}

absl::Status Interpreter::Impl::Assign(const Target& t, Value v, Frame& frame) {
  switch (t.kind) {
    case Target::Kind::kDiscard:
      return absl::OkStatus();
    case Target::Kind::kLocal: {
      Frame* f = &frame;
      for (int d = 0; d < t.depth; ++d) f = f->parent;
      f->locals[t.slot] = std::move(v);
      f->bound[t.slot] = 1;
      return absl::OkStatus();
    }
    case Target::Kind::kUnpack: {
      PTSER_ASSIGN_OR_RETURN(Value seq, Unpackable(v, t.elements.size()));
      // Every item is taken before any is assigned, as Python does: a
      // subscript or attribute target runs code that may shrink the list.
      const absl::Span<const Value> items = seq.sequence_items();
      absl::InlinedVector<Value, 4> taken(items.begin(), items.end());
      for (size_t i = 0; i < t.elements.size(); ++i) {
        PTSER_RETURN_IF_ERROR(Assign(t.elements[i], std::move(taken[i]), frame));
      }
      return absl::OkStatus();
    }
    case Target::Kind::kAttr: {
      PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*t.object, frame));
      return SetAttr(obj, t.name, std::move(v));
    }
    case Target::Kind::kSubscript: {
      PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*t.object, frame));
      PTSER_ASSIGN_OR_RETURN(Value idx, Eval(*t.index, frame));
      return CallNamed("aten::_set_item", {obj, idx, std::move(v)}).status();
    }
  }
  return absl::InternalError("unknown target");
}

absl::StatusOr<const Operator*> Interpreter::Impl::ResolveOp(
    absl::string_view name, absl::Span<const Value> positional,
    absl::Span<const std::string> kw_names, absl::Span<const Value> kw_values,
    std::vector<Value>* args) const {
  const OperatorRegistry& old = upgraders_.registry();
  if (old.Has(name)) {
    absl::StatusOr<const Operator*> op = old.Resolve(name, positional, kw_names, kw_values, args);
    if (op.ok()) return op;
    args->clear();
  }
  return ops_.Resolve(name, positional, kw_names, kw_values, args);
}

absl::StatusOr<Value> Interpreter::Impl::CallNamed(absl::string_view name,
                                                   std::vector<Value> args) {
  std::vector<Value> bound;
  PTSER_ASSIGN_OR_RETURN(const Operator* op,
                         ResolveOp(name, absl::MakeSpan(args), {}, {}, &bound));
  return op->fn(ctx_, absl::MakeSpan(bound));
}

absl::StatusOr<Value> Interpreter::Impl::CallOp(OpSite& site, absl::Span<Value> positional,
                                                absl::Span<const std::string> kw_names,
                                                absl::Span<Value> kw_values) {
  // Values only TorchScript holds, handled here (the name compared once per
  // site, not on every call).
  using Special = OpSite::Special;
  if (site.special == Special::kUnknown) {
    site.special = site.name == "aten::wait" ? Special::kWait
                   : site.name == "aten::eq" ? Special::kEq
                   : site.name == "aten::ne" ? Special::kNe
                                             : Special::kNone;
  }
  if (site.special == Special::kWait && positional.size() == 1 && positional[0].is_opaque()) {
    if (auto* f = dynamic_cast<FutureValue*>(&positional[0].opaque())) return f->value();
  }
  if (site.overloads == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(site.spelled, " takes a Future"));
  }
  if ((site.special == Special::kEq || site.special == Special::kNe) &&
      positional.size() == 2 && (positional[0].is_object() || positional[0].is_opaque())) {
    bool eq;
    if (positional[0].is_object() && positional[1].is_object()) {
      eq = positional[0].object().callee() == positional[1].object().callee() &&
           ValuesEqual(positional[0].object().args(), positional[1].object().args());
    } else {
      eq = positional[0].identity() == positional[1].identity();
    }
    return Value::Bool(site.special == Special::kEq ? eq : !eq);
  }
  std::vector<Value> args;
  if (site.cached != nullptr &&
      OperatorRegistry::Bind(*site.cached, positional, kw_names, kw_values, site.cached_converts,
                             &args)
          .ok()) {
    return (*site.cached_fn)(ctx_, absl::MakeSpan(args));
  }
  args.clear();
  absl::StatusOr<const Operator*> op = ResolveOp(site.name, positional, kw_names, kw_values, &args);
  if (!op.ok()) return op.status();
  site.cached = *op;
  // Whether the match needed conversions: bind again without.
  std::vector<Value> probe;
  site.cached_converts =
      !OperatorRegistry::Bind(**op, positional, kw_names, kw_values, false, &probe).ok();
  site.cached_fn = &(*op)->fn;
  return (*site.cached_fn)(ctx_, absl::MakeSpan(args));
}

absl::StatusOr<Value> Interpreter::Impl::CallMethodOn(const Value& receiver,
                                                      const std::string& name,
                                                      absl::Span<Value> args,
                                                      absl::Span<const std::string> kw_names,
                                                      absl::Span<Value> kw_values,
                                                      const SourceLocation* loc) {
  if (ClassInfo* cls = ClassOfValue(receiver)) {
    auto it = cls->methods.find(name);
    if (it != cls->methods.end()) {
      absl::InlinedVector<Value, 8> all;
      all.push_back(receiver);
      for (Value& a : args) all.push_back(std::move(a));
      return Call(*it->second, nullptr, absl::MakeSpan(all), kw_names, kw_values, loc);
    }
    return absl::NotFoundError(
        absl::StrCat("'", cls->qualified_name, "' has no method '", name, "'"));
  }
  // A method of a builtin type: the aten operator of that name with the
  // receiver first (`(s).upper()` is aten::upper).
  absl::InlinedVector<Value, 8> all;
  all.push_back(receiver);
  for (Value& a : args) all.push_back(std::move(a));
  OpSite site;
  site.name = absl::StrCat("aten::", name);
  site.spelled = name;
  if (!ops_.Has(site.name)) {
    return absl::NotFoundError(
        absl::StrCat("'", receiver.TypeName(), "' object has no method '", name, "'"));
  }
  return CallOp(site, absl::MakeSpan(all), kw_names, kw_values);
}

absl::StatusOr<Value> Interpreter::Impl::Eval(const Node& n, Frame& frame) {
  const char here = 0;
  if (++native_depth_ > kMaxNativeDepth || (stack_floor_ != nullptr && &here < stack_floor_)) {
    --native_depth_;
    return absl::ResourceExhaustedError(absl::StrCat(
        "the code nests calls and expressions deeper than ", kMaxNativeDepth,
        " levels or than this thread's stack allows"));
  }
  absl::StatusOr<Value> v = EvalInner(n, frame);
  --native_depth_;
  if (!v.ok()) return Locate(*n.loc, v.status());
  return v;
}

absl::StatusOr<Value> Interpreter::Impl::EvalInner(const Node& n, Frame& frame) {
  using K = Node::Kind;
  auto eval_args = [&](size_t from, absl::InlinedVector<Value, 8>* out) -> absl::Status {
    out->reserve(n.args.size() - from);
    for (size_t i = from; i < n.args.size(); ++i) {
      PTSER_ASSIGN_OR_RETURN(Value v, Eval(*n.args[i], frame));
      out->push_back(std::move(v));
    }
    return absl::OkStatus();
  };
  auto eval_kw = [&](absl::InlinedVector<Value, 4>* out) -> absl::Status {
    for (const NodePtr& k : n.kw_args) {
      PTSER_ASSIGN_OR_RETURN(Value v, Eval(*k, frame));
      out->push_back(std::move(v));
    }
    return absl::OkStatus();
  };
  switch (n.kind) {
    case K::kConst:
      return n.constant;
    case K::kLocal: {
      Frame* f = &frame;
      for (int d = 0; d < n.depth; ++d) f = f->parent;
      if (f == nullptr || !f->bound[n.slot]) {
        return absl::FailedPreconditionError(
            absl::StrCat("local variable '", n.name, "' referenced before assignment"));
      }
      return f->locals[n.slot];
    }
    case K::kList:
    case K::kTuple: {
      std::vector<Value> items;
      items.reserve(n.args.size());
      for (const NodePtr& a : n.args) {
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*a, frame));
        items.push_back(std::move(v));
      }
      return n.kind == K::kList ? Value::NewList(std::move(items))
                                : Value::NewTuple(std::move(items));
    }
    case K::kDict: {
      Value d = Value::NewDict();
      for (size_t i = 0; i < n.args.size(); ++i) {
        PTSER_ASSIGN_OR_RETURN(Value k, Eval(*n.args[i], frame));
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*n.kw_args[i], frame));
        PTSER_RETURN_IF_ERROR(d.dict().SetItem(std::move(k), std::move(v)));
      }
      return d;
    }
    case K::kOp:
    case K::kBuiltinCall: {
      absl::InlinedVector<Value, 8> args;
      PTSER_RETURN_IF_ERROR(eval_args(0, &args));
      absl::InlinedVector<Value, 4> kw;
      PTSER_RETURN_IF_ERROR(eval_kw(&kw));
      return CallOp(*n.op, absl::MakeSpan(args), n.kw_names, absl::MakeSpan(kw));
    }
    case K::kCallFunction: {
      absl::InlinedVector<Value, 8> args;
      PTSER_RETURN_IF_ERROR(eval_args(0, &args));
      absl::InlinedVector<Value, 4> kw;
      PTSER_RETURN_IF_ERROR(eval_kw(&kw));
      if (!n.function->compiled) {
        PTSER_RETURN_IF_ERROR(CompileFunction(*const_cast<CompiledFunction*>(n.function)));
      }
      return Call(*n.function, nullptr, absl::MakeSpan(args), n.kw_names, absl::MakeSpan(kw),
                  n.loc);
    }
    case K::kCallMethod: {
      PTSER_ASSIGN_OR_RETURN(Value recv, Eval(*n.args[0], frame));
      absl::InlinedVector<Value, 8> args;
      PTSER_RETURN_IF_ERROR(eval_args(1, &args));
      absl::InlinedVector<Value, 4> kw;
      PTSER_RETURN_IF_ERROR(eval_kw(&kw));
      return CallMethodOn(recv, n.name, absl::MakeSpan(args), n.kw_names, absl::MakeSpan(kw),
                          n.loc);
    }
    case K::kCallValue:
    case K::kFork: {
      PTSER_ASSIGN_OR_RETURN(Value callee, Eval(*n.args[0], frame));
      absl::InlinedVector<Value, 8> args;
      PTSER_RETURN_IF_ERROR(eval_args(1, &args));
      absl::InlinedVector<Value, 4> kw;
      PTSER_RETURN_IF_ERROR(eval_kw(&kw));
      auto* closure = callee.is_opaque() ? dynamic_cast<ClosureValue*>(&callee.opaque()) : nullptr;
      if (closure == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", callee.TypeName(), "' object is not callable"));
      }
      if (!closure->callable()) {
        return absl::FailedPreconditionError(
            "a nested function called after the function defining it returned");
      }
      if (!closure->fn()->compiled) {
        PTSER_RETURN_IF_ERROR(CompileFunction(*const_cast<CompiledFunction*>(closure->fn())));
      }
      PTSER_ASSIGN_OR_RETURN(Value r, Call(*closure->fn(), closure->env(), absl::MakeSpan(args),
                                           n.kw_names, absl::MakeSpan(kw), n.loc));
      if (n.kind == K::kFork) return Value::FromOpaque(std::make_shared<FutureValue>(std::move(r)));
      return r;
    }
    case K::kGetAttr: {
      PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*n.args[0], frame));
      return GetAttr(obj, n.name);
    }
    case K::kGetAttrDefault:
    case K::kHasAttr: {
      PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*n.args[0], frame));
      absl::StatusOr<Value> v = GetAttr(obj, n.name);
      if (n.kind == K::kHasAttr) {
        if (v.ok()) return Value::Bool(true);
        if (absl::IsNotFound(v.status())) return Value::Bool(false);
        return v.status();
      }
      if (!v.ok() && absl::IsNotFound(v.status())) return Eval(*n.args[1], frame);
      return v;
    }
    case K::kSubscript: {
      PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*n.args[0], frame));
      PTSER_ASSIGN_OR_RETURN(Value idx, Eval(*n.args[1], frame));
      return Subscript(obj, idx);
    }
    case K::kSliceOf: {
      PTSER_ASSIGN_OR_RETURN(Value obj, Eval(*n.args[0], frame));
      std::optional<int64_t> b[3];
      for (int i = 0; i < 3; ++i) {
        if (n.args[i + 1] == nullptr) continue;
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*n.args[i + 1], frame));
        if (v.is_none()) continue;
        if (!v.is_int()) {
          return absl::InvalidArgumentError(
              absl::StrCat("slice indices must be integers or None, got a ", v.TypeName()));
        }
        b[i] = v.as_int();
      }
      return SliceOf(obj, b[0], b[1], b[2]);
    }
    case K::kAnd:
    case K::kOr: {
      PTSER_ASSIGN_OR_RETURN(Value a, Eval(*n.args[0], frame));
      PTSER_ASSIGN_OR_RETURN(bool t, Truth(a));
      if ((n.kind == K::kAnd) != t) return a;
      return Eval(*n.args[1], frame);
    }
    case K::kNot: {
      PTSER_ASSIGN_OR_RETURN(Value a, Eval(*n.args[0], frame));
      PTSER_ASSIGN_OR_RETURN(bool t, Truth(a));
      return Value::Bool(!t);
    }
    case K::kTernary: {
      PTSER_ASSIGN_OR_RETURN(Value c, Eval(*n.args[1], frame));
      PTSER_ASSIGN_OR_RETURN(bool t, Truth(c));
      return Eval(*n.args[t ? 0 : 2], frame);
    }
    case K::kIs: {
      PTSER_ASSIGN_OR_RETURN(Value a, Eval(*n.args[0], frame));
      PTSER_ASSIGN_OR_RETURN(Value b, Eval(*n.args[1], frame));
      bool same;
      if (a.is_none() || b.is_none()) {
        same = a.is_none() && b.is_none();
      } else if (a.identity() != nullptr || b.identity() != nullptr) {
        same = a.identity() == b.identity();
      } else {
        same = a.kind() == b.kind() && ValuesEqual(a, b);
      }
      return Value::Bool(same != n.negate);
    }
    case K::kIsInstance: {
      PTSER_ASSIGN_OR_RETURN(Value v, Eval(*n.args[0], frame));
      for (const TypePtr& t : n.types) {
        if (MatchType(v, *t) == TypeMatch::kExact) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    case K::kNewObject: {
      auto obj = std::make_shared<Value::Object>(n.cls->ref, Value::Object::Construction::kNewObj,
                                                 Value::NewTuple());
      obj->set_state(Value::NewDict());
      return Value::FromObject(std::move(obj));
    }
    case K::kNamedTuple: {
      const ClassInfo& cls = *n.cls;
      absl::InlinedVector<Value, 8> args;
      PTSER_RETURN_IF_ERROR(eval_args(0, &args));
      if (args.size() > cls.fields.size()) {
        return absl::InvalidArgumentError(absl::StrCat(cls.qualified_name, "() takes ",
                                                       cls.fields.size(), " fields, got ",
                                                       args.size()));
      }
      std::vector<std::optional<Value>> fields(cls.fields.size());
      for (size_t i = 0; i < args.size(); ++i) fields[i] = std::move(args[i]);
      for (size_t k = 0; k < n.kw_names.size(); ++k) {
        const int i = cls.FieldIndex(n.kw_names[k]);
        if (i < 0) {
          return absl::InvalidArgumentError(absl::StrCat(cls.qualified_name, " has no field '",
                                                         n.kw_names[k], "'"));
        }
        PTSER_ASSIGN_OR_RETURN(Value v, Eval(*n.kw_args[k], frame));
        fields[i] = std::move(v);
      }
      std::vector<Value> items;
      for (size_t i = 0; i < fields.size(); ++i) {
        if (!fields[i].has_value()) {
          if (cls.field_defaults[i] == nullptr) {
            return absl::InvalidArgumentError(absl::StrCat(
                cls.qualified_name, "() is missing the field '", cls.fields[i], "'"));
          }
          PTSER_ASSIGN_OR_RETURN(Value d, ConstantOf(*cls.field_defaults[i]));
          fields[i] = std::move(d);
        }
        items.push_back(std::move(*fields[i]));
      }
      auto obj = std::make_shared<Value::Object>(cls.ref, Value::Object::Construction::kNewObj,
                                                 Value::NewTuple(std::move(items)));
      return Value::FromObject(std::move(obj));
    }
    case K::kPrint: {
      absl::InlinedVector<Value, 8> args;
      PTSER_RETURN_IF_ERROR(eval_args(0, &args));
      std::string line;
      for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) line.push_back(' ');
        const Value& a = args[i];
        if (a.is_str()) {
          line += a.as_string();
        } else if (a.is_tensor()) {
          line += Repr(a.tensor());
        } else {
          line += a.Repr();
        }
      }
      std::ostream& out = options_.out != nullptr ? *options_.out : std::cout;
      out << line << "\n";
      return Value();
    }
    case K::kDevice: {
      PTSER_ASSIGN_OR_RETURN(Value s, Eval(*n.args[0], frame));
      if (s.is_device()) return s;
      if (!s.is_str()) {
        return absl::InvalidArgumentError(
            absl::StrCat("torch.device() takes a str, got a ", s.TypeName()));
      }
      PTSER_ASSIGN_OR_RETURN(Device d, Device::Parse(s.as_string()));
      return Value::FromDevice(d);
    }
  }
  return absl::InternalError("unknown node");
}

}  // namespace jit
}  // namespace ptser
