// Copyright ptser authors.
#include "jit/script/interpreter.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

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
#include "jit/script/parser.h"
#include "jit/script/upgraders.h"
#include "tensor/print/repr.h"
#include "tensor/storage.h"

namespace ptser {
namespace jit {
namespace {

using script::BinaryOp;
using script::Expr;
using script::FunctionDef;
using script::SourceLocation;
using script::Stmt;
using script::UnaryOp;

// The native recursion one call of the interpreter may use (expression
// nesting plus calls): keeps the C++ stack within a few MiB whatever the
// code does.
constexpr int kMaxNativeDepth = 3000;
// Traceback lines added to an error on its way out.
constexpr int kMaxTracebackLines = 16;

constexpr char kLocatedPayload[] = "ptser.jit/located";

bool IsLocated(const absl::Status& s) { return s.GetPayload(kLocatedPayload).has_value(); }

// `s` with the code location in front of its message (once).
absl::Status Locate(const SourceLocation& loc, absl::Status s) {
  if (s.ok() || IsLocated(s)) return s;
  absl::Status out(s.code(), absl::StrCat(script::LocationString(loc), ": ", s.message()));
  out.SetPayload(kLocatedPayload, absl::Cord("1"));
  return out;
}

absl::Status CompileError(const SourceLocation& loc, absl::string_view what) {
  return Locate(loc, absl::InvalidArgumentError(what));
}

GlobalRef SplitQualified(absl::string_view qualified) {
  const size_t dot = qualified.rfind('.');
  if (dot == absl::string_view::npos) return GlobalRef{"", std::string(qualified)};
  return GlobalRef{std::string(qualified.substr(0, dot)), std::string(qualified.substr(dot + 1))};
}

// ---------------------------------------------------------------------------
// Opaque values the code makes.

struct CompiledFunction;
struct Frame;

// A nested `def` bound to the frame it was defined in.
// A function as a value: a nested `def` bound to the frame it was defined in
// (used only while that frame lives: `alive` expires when the defining call
// returns), or a top-level `__torch__` function (no frame).
class ClosureValue : public OpaqueValue {
 public:
  ClosureValue(const CompiledFunction* fn, Frame* env, std::weak_ptr<char> alive)
      : fn_(fn), env_(env), alive_(std::move(alive)), nested_(true) {}
  explicit ClosureValue(const CompiledFunction* fn) : fn_(fn), env_(nullptr), nested_(false) {}
  std::string TypeName() const override { return "function"; }
  const CompiledFunction* fn() const { return fn_; }
  Frame* env() const { return env_; }
  // False for a nested def whose defining call has returned.
  bool callable() const { return !nested_ || !alive_.expired(); }

 private:
  const CompiledFunction* fn_;
  Frame* env_;
  std::weak_ptr<char> alive_;
  bool nested_;
};

// What `fork` returns: the call already ran (ptser runs forks eagerly, in
// order, which TorchScript's semantics allow).
class FutureValue : public OpaqueValue {
 public:
  explicit FutureValue(Value v) : value_(std::move(v)) {}
  std::string TypeName() const override { return "Future"; }
  const Value& value() const { return value_; }

 private:
  Value value_;
};

// ---------------------------------------------------------------------------
// Classes of the archive.

struct ClassInfo {
  enum class Kind { kModule, kNamedTuple, kEnum, kInterface, kClass };
  std::string qualified_name;
  GlobalRef ref;
  Kind kind = Kind::kClass;
  const script::ClassDef* def = nullptr;
  absl::flat_hash_map<std::string, CompiledFunction*> methods;
  // NamedTuple fields in order, with their defaults (None when absent).
  std::vector<std::string> fields;
  std::vector<const Expr*> field_defaults;
  // Enum members in order: name and canonical value.
  std::vector<std::pair<std::string, Value>> members;
  // `name : Final[T] = value` class constants.
  absl::flat_hash_map<std::string, Value> constants;

  int FieldIndex(absl::string_view name) const {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

// ---------------------------------------------------------------------------
// The compiled tree.

struct OpSite {
  // The operators CallOp handles itself for values only TorchScript holds;
  // kUnknown until the site's first call.
  enum class Special : uint8_t { kUnknown, kNone, kWait, kEq, kNe };
  std::string name;  // "aten::add"
  std::string spelled;  // "torch.add", for messages
  Special special = Special::kUnknown;
  const std::vector<std::unique_ptr<Operator>>* overloads = nullptr;
  const Operator* cached = nullptr;
  bool cached_converts = false;
  const OpFn* cached_fn = nullptr;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum class Kind : uint8_t {
    kConst,
    kLocal,        // slot, depth
    kList,         // args
    kTuple,        // args
    kDict,         // args: keys, kw_args: values
    kOp,           // op; args; kw_names/kw_args
    kCallFunction, // function; args; kw
    kCallMethod,   // args[0] receiver; name; args[1..]; kw
    kCallValue,    // args[0] callee (a closure); args[1..]; kw
    kGetAttr,      // args[0]; name
    kGetAttrDefault,  // getattr(args[0], name, args[1])
    kHasAttr,      // args[0]; name
    kSubscript,    // args[0][args[1]]
    kSliceOf,      // args[0][args[1]:args[2]:args[3]] (null nodes: omitted)
    kAnd,          // args[0] and args[1]
    kOr,
    kNot,
    kTernary,      // args[0] if args[1] else args[2]
    kIs,           // args[0] is args[1]; negate
    kIsInstance,   // args[0]; types
    kFork,         // args[0] callee; args[1..]
    kNewObject,    // cls
    kNamedTuple,   // cls; args; kw
    kPrint,        // args
    kDevice,       // torch.device(args[0])
    kBuiltinCall,  // op (int(), float(), len(), ...): like kOp with `spelled`
  };

  Kind kind;
  const SourceLocation* loc = nullptr;
  Value constant;
  int slot = -1;
  int depth = 0;
  bool negate = false;
  std::string name;
  std::vector<NodePtr> args;
  std::vector<std::string> kw_names;
  std::vector<NodePtr> kw_args;
  std::unique_ptr<OpSite> op;
  const CompiledFunction* function = nullptr;
  ClassInfo* cls = nullptr;
  std::vector<TypePtr> types;

  explicit Node(Kind k) : kind(k) {}
};

struct Target {
  enum class Kind : uint8_t { kLocal, kUnpack, kAttr, kSubscript, kDiscard };
  Kind kind = Kind::kDiscard;
  const SourceLocation* loc = nullptr;
  int slot = -1;
  int depth = 0;
  std::vector<Target> elements;
  NodePtr object;
  NodePtr index;
  std::string name;
};

struct CStmt;
using CStmtPtr = std::unique_ptr<CStmt>;
using CBlock = std::vector<CStmtPtr>;

struct CStmt {
  enum class Kind : uint8_t {
    kExpr, kAssign, kIf, kWhile, kForRange, kForEach, kWith, kReturn, kRaise,
    kAssert, kPass, kBreak, kContinue, kDefClosure, kDelete,
  };
  Kind kind;
  const SourceLocation* loc = nullptr;
  std::vector<Target> targets;  // kAssign: each gets the value; kFor*: [0]
  NodePtr value;                // kAssign, kExpr, kReturn, kRaise, kAssert msg, kForEach iterable
  NodePtr cond;                 // kIf, kWhile, kAssert
  std::vector<NodePtr> range;   // kForRange: 1 to 3 bounds
  CBlock body;
  CBlock orelse;
  std::vector<NodePtr> with_items;
  std::vector<Target> with_targets;  // kDiscard when no `as`
  const CompiledFunction* closure = nullptr;  // kDefClosure
  int slot = -1;                              // kDefClosure

  explicit CStmt(Kind k) : kind(k) {}
};

struct CompiledFunction {
  std::string qualified_name;  // "__torch__.MyModule.forward"
  const FunctionDef* def = nullptr;
  ClassInfo* owner = nullptr;  // for methods
  int num_slots = 0;
  std::vector<std::string> params;        // names, `self` included
  std::vector<const Expr*> param_types;   // may be null
  // param_types parsed (AnnotationFromExpr) when compiled; null where there
  // is no annotation or it does not parse.
  std::vector<TypePtr> param_type_values;
  std::vector<NodePtr> defaults;          // per param (null: required)
  CBlock body;
  bool compiled = false;
  const CompiledFunction* enclosing = nullptr;
};

// ---------------------------------------------------------------------------
// Run-time frames.

struct Frame {
  // Inline room for the locals of a typical method (a forward that reads a
  // few attributes and calls a few children): no allocation per call.
  absl::InlinedVector<Value, 8> locals;
  absl::InlinedVector<uint8_t, 8> bound;
  Frame* parent = nullptr;  // the enclosing function's frame (closures)
  const CompiledFunction* fn = nullptr;
  Value return_value;
  std::shared_ptr<char> alive;  // made when a nested def is bound
};

enum class Flow : uint8_t { kNormal, kReturn, kBreak, kContinue };

// The lowest stack address the interpreter may reach on this thread: the
// thread's stack bottom plus a margin for the operators it calls (the
// native recursion is bounded by the stack actually left, whatever the
// build's frame sizes — sanitizers make them several times larger).
// Null when the thread's stack is unknown.
const char* ComputeStackFloor() {
  constexpr size_t kMargin = size_t{512} << 10;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return nullptr;
  void* addr = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || addr == nullptr || size <= 2 * kMargin) return nullptr;
  return static_cast<const char*>(addr) + kMargin;
}

// ComputeStackFloor() once per thread: for the main thread glibc's
// pthread_getattr_np reads and sscanf's /proc/self/maps, ~30 us — twice the
// whole forward of a small MLP when it ran on every top-level call.
const char* StackFloor() {
  thread_local const char* const floor = ComputeStackFloor();
  return floor;
}

// Three quarters of the smaller of the physical memory and the address
// space this process may use.
uint64_t DefaultMemoryLimit() {
  uint64_t limit = UINT64_MAX;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) {
    limit = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    limit = std::min<uint64_t>(limit, rl.rlim_cur);
  }
  if (limit == UINT64_MAX) return uint64_t{1} << 34;
  return limit / 4 * 3;
}

}  // namespace

// ---------------------------------------------------------------------------

class Interpreter::Impl {
 public:
  Impl(const OperatorRegistry& ops, InterpreterOptions options, uint64_t version)
      : ops_(ops), options_(options), version_(version) {
    ctx_.max_alloc_bytes = options_.max_alloc_bytes;
    ctx_.out = options_.out;
    memory_limit_ = options_.max_memory_bytes != 0 ? options_.max_memory_bytes
                                                   : DefaultMemoryLimit();
    if (static_cast<uint64_t>(ctx_.max_alloc_bytes) > memory_limit_) {
      ctx_.max_alloc_bytes = static_cast<int64_t>(memory_limit_);
    }
  }

  absl::Status Load(const ScriptArchive& archive);

  absl::StatusOr<Value> RunMethod(ScriptModule& self, absl::string_view method,
                                  std::vector<Value> args);
  bool HasMethod(const ScriptModule& self, absl::string_view method) const {
    auto it = classes_.find(self.qualified_name());
    return it != classes_.end() && it->second->methods.contains(method);
  }
  absl::StatusOr<Value> RunFunction(absl::string_view name, std::vector<Value> args);

  uint64_t version() const { return version_; }
  const InterpreterOptions& options() const { return options_; }

 private:
  // ---- Loading and compiling ----
  absl::Status AddRecord(const std::string& record_name, const std::string& text);
  absl::Status CompileClass(ClassInfo& cls);
  absl::Status CompileFunction(CompiledFunction& fn);
  absl::StatusOr<Value> ConstantOf(const Expr& e) const;

  struct Scope {
    CompiledFunction* fn;
    absl::flat_hash_map<std::string, int> slots;
    Scope* parent = nullptr;
  };
  void CollectNames(const script::Block& body, Scope& scope);
  void CollectTargetNames(const Expr& target, Scope& scope);
  absl::StatusOr<CBlock> CompileBlock(const script::Block& body, Scope& scope);
  absl::StatusOr<CStmtPtr> CompileStmt(const Stmt& s, Scope& scope);
  absl::StatusOr<Target> CompileTarget(const Expr& e, Scope& scope);
  absl::StatusOr<NodePtr> CompileExpr(const Expr& e, Scope& scope);
  absl::StatusOr<NodePtr> CompileCall(const Expr& e, Scope& scope);
  absl::Status CompileArgs(const Expr& call, Scope& scope, Node* node, size_t skip = 0);
  absl::StatusOr<NodePtr> MakeOp(const Expr& at, const std::string& name, const std::string& spelled);
  absl::StatusOr<NodePtr> CompileBinary(const Expr& e, Scope& scope);
  // The calls an archive of this version could not have made: 1.13 refuses
  // them when loading (gelu's `approximate` before 10, linspace/logspace
  // without `steps` from 8/9 on).
  absl::Status CheckHistoricSignature(const Expr& call, const Node& op) const;
  bool LookupLocal(const Scope& scope, const std::string& name, int* slot, int* depth) const;
  // The dotted chain `a.b.c` of Names and Attributes, or false.
  static bool Chain(const Expr& e, std::vector<std::string>* parts);
  // What a `__torch__.…` chain names.
  struct Resolved {
    ClassInfo* cls = nullptr;
    CompiledFunction* function = nullptr;
    std::vector<std::string> rest;  // components after the class/function
  };
  absl::StatusOr<Resolved> ResolveQualified(const Expr& at, const std::vector<std::string>& parts);

  // ---- Running ----
  absl::StatusOr<Value> Call(const CompiledFunction& fn, Frame* env, absl::Span<Value> positional,
                             absl::Span<const std::string> kw_names, absl::Span<Value> kw_values,
                             const SourceLocation* call_loc);
  absl::StatusOr<Flow> Exec(const CBlock& block, Frame& frame);
  absl::StatusOr<Flow> ExecStmt(const CStmt& s, Frame& frame);
  absl::StatusOr<Value> Eval(const Node& n, Frame& frame);
  absl::StatusOr<Value> EvalInner(const Node& n, Frame& frame);
  absl::Status Assign(const Target& t, Value v, Frame& frame);
  absl::StatusOr<Value> CallOp(OpSite& site, absl::Span<Value> positional,
                               absl::Span<const std::string> kw_names, absl::Span<Value> kw_values);
  absl::StatusOr<Value> CallNamed(absl::string_view name, std::vector<Value> args);
  // Resolves among the archive version's upgraders first, then today's
  // operators (jit/script/upgraders.h).
  absl::StatusOr<const Operator*> ResolveOp(absl::string_view name,
                                            absl::Span<const Value> positional,
                                            absl::Span<const std::string> kw_names,
                                            absl::Span<const Value> kw_values,
                                            std::vector<Value>* args) const;
  absl::StatusOr<Value> CallMethodOn(const Value& receiver, const std::string& name,
                                     absl::Span<Value> args, absl::Span<const std::string> kw_names,
                                     absl::Span<Value> kw_values, const SourceLocation* loc);
  absl::StatusOr<Value> GetAttr(const Value& obj, const std::string& name);
  absl::Status SetAttr(const Value& obj, const std::string& name, Value v);
  absl::StatusOr<Value> Subscript(const Value& obj, const Value& index);
  absl::StatusOr<Value> SliceOf(const Value& obj, std::optional<int64_t> start,
                                std::optional<int64_t> stop, std::optional<int64_t> step);
  absl::StatusOr<bool> Truth(const Value& v);
  absl::Status Step() {
    if (++steps_ > options_.max_steps) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the code reached the step limit: more than ", options_.max_steps,
          " statements and loop iterations (InterpreterOptions::max_steps; ptser run "
          "--max-steps): an endless loop?"));
    }
    return absl::OkStatus();
  }
  ClassInfo* ClassOfValue(const Value& v) const;
  absl::StatusOr<Value> Unpackable(const Value& v, size_t n) const;

  const OperatorRegistry& ops_;
  InterpreterOptions options_;
  uint64_t version_;
  OpContext ctx_;
  Value constants_;
  std::vector<std::shared_ptr<const std::string>> record_names_;
  std::vector<script::ParsedRecord> parsed_;
  absl::flat_hash_map<std::string, std::unique_ptr<ClassInfo>> classes_;
  absl::flat_hash_map<std::string, std::unique_ptr<CompiledFunction>> functions_;
  std::vector<std::unique_ptr<CompiledFunction>> nested_;  // closures and methods
  absl::flat_hash_map<std::string, int> qualifiers_;  // qualifier -> 1
  Upgraders upgraders_;
  // Run state.
  uint64_t steps_ = 0;
  size_t call_depth_ = 0;
  int native_depth_ = 0;
  int traceback_lines_ = 0;
  uint64_t memory_limit_ = 0;
  const char* stack_floor_ = nullptr;
};

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
    case Stmt::Kind::kAugAssign: {
      // target op= value, as target = op(target, value) (the target is
      // evaluated twice; printed code never writes this form).
      auto c = make(K::kAssign);
      Expr bin(Expr::Kind::kBinary);
      bin.loc = s.loc;
      bin.binary_op = s.aug_op;
      // Borrow the subexpressions without owning them.
      auto fake_target = std::unique_ptr<Expr>(const_cast<Expr*>(s.targets[0].get()));
      auto fake_value = std::unique_ptr<Expr>(const_cast<Expr*>(s.value.get()));
      bin.elements.push_back(std::move(fake_target));
      bin.elements.push_back(std::move(fake_value));
      absl::StatusOr<NodePtr> v = CompileBinary(bin, scope);
      bin.elements[0].release();
      bin.elements[1].release();
      if (!v.ok()) return v.status();
      c->value = *std::move(v);
      PTSER_ASSIGN_OR_RETURN(Target target, CompileTarget(*s.targets[0], scope));
      c->targets.push_back(std::move(target));
      return c;
    }
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
    case Stmt::Kind::kFor: {
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
    case Stmt::Kind::kDef: {
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

absl::StatusOr<NodePtr> Interpreter::Impl::MakeOp(const Expr& at, const std::string& name,
                                                  const std::string& spelled) {
  auto n = std::make_unique<Node>(Node::Kind::kOp);
  n->loc = &at.loc;
  n->op = std::make_unique<OpSite>();
  n->op->name = name;
  n->op->spelled = spelled;
  n->op->overloads = ops_.Overloads(name);
  // Operators on values only the interpreter makes (CallOp handles them).
  const bool native = name == "aten::wait";
  if (n->op->overloads == nullptr && !native) {
    return Locate(at.loc, absl::NotFoundError(absl::StrCat(
                              "unknown operator ", name, " (", spelled,
                              "): ptser does not implement it")));
  }
  return n;
}

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
  PTSER_ASSIGN_OR_RETURN(NodePtr a, CompileExpr(*e.elements[0], scope));
  PTSER_ASSIGN_OR_RETURN(NodePtr b, CompileExpr(*e.elements[1], scope));
  switch (e.binary_op) {
    case BinaryOp::kAnd:
    case BinaryOp::kOr: {
      auto n = std::make_unique<Node>(e.binary_op == BinaryOp::kAnd ? Node::Kind::kAnd
                                                                    : Node::Kind::kOr);
      n->loc = &e.loc;
      n->args.push_back(std::move(a));
      n->args.push_back(std::move(b));
      return n;
    }
    case BinaryOp::kIs:
    case BinaryOp::kIsNot: {
      auto n = std::make_unique<Node>(Node::Kind::kIs);
      n->loc = &e.loc;
      n->negate = e.binary_op == BinaryOp::kIsNot;
      n->args.push_back(std::move(a));
      n->args.push_back(std::move(b));
      return n;
    }
    default:
      break;
  }
  const std::string name = BinaryOpName(e.binary_op);
  PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e, name, name));
  if (e.binary_op == BinaryOp::kIn || e.binary_op == BinaryOp::kNotIn) {
    n->args.push_back(std::move(b));  // __contains__(container, element)
    n->args.push_back(std::move(a));
  } else {
    n->args.push_back(std::move(a));
    n->args.push_back(std::move(b));
  }
  if (e.binary_op == BinaryOp::kNotIn) {
    auto neg = std::make_unique<Node>(Node::Kind::kNot);
    neg->loc = &e.loc;
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
    const std::string& f = parts[0];
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
      PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e, it->second, f));
      PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
      return n;
    }
    return CompileError(callee.loc, absl::StrCat("unknown function '", f, "'"));
  } else if (chain && (parts[0] == "torch" || parts[0] == "math") && parts.size() == 2 &&
             parts[1] != "device") {
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e, "aten::" + parts[1], absl::StrJoin(parts, ".")));
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
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e, "aten::" + parts[1], absl::StrJoin(parts, ".")));
    PTSER_RETURN_IF_ERROR(CompileArgs(e, scope, n.get()));
    return n;
  } else if (chain && parts[0] == "ops" && parts.size() == 3) {
    PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e, parts[1] + "::" + parts[2],
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
    case Expr::Kind::kAttribute: {
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
      PTSER_ASSIGN_OR_RETURN(NodePtr n, MakeOp(e, name, name));
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

// ---------------------------------------------------------------------------
// Running.

absl::StatusOr<Value> Interpreter::Impl::RunMethod(ScriptModule& self, absl::string_view method,
                                                   std::vector<Value> args) {
  auto it = classes_.find(self.qualified_name());
  if (it == classes_.end()) {
    return absl::NotFoundError(
        absl::StrCat("the archive's code defines no class ", self.qualified_name()));
  }
  auto m = it->second->methods.find(method);
  if (m == it->second->methods.end()) {
    return absl::NotFoundError(absl::StrCat("'", self.qualified_name(), "' has no method '",
                                            method, "'"));
  }
  if (self.weak_from_this().expired()) {
    return absl::FailedPreconditionError(absl::StrCat(
        self.qualified_name(), " is not held by a std::shared_ptr (make modules with "
        "std::make_shared, as the loader does): methods cannot run on it"));
  }
  std::vector<Value> all;
  all.reserve(args.size() + 1);
  all.push_back(self.AsValue());
  for (Value& a : args) all.push_back(std::move(a));
  // Top-level arguments are converted to the declared types, as
  // TorchScript's Python binding does (an int for a float parameter).
  const CompiledFunction& fn = *m->second;
  for (size_t i = 1; i < all.size() && i < fn.param_type_values.size(); ++i) {
    const Type* type = fn.param_type_values[i].get();
    if (type == nullptr) continue;
    const TypeMatch match = MatchType(all[i], *type);
    if (match == TypeMatch::kNo) {
      return absl::InvalidArgumentError(absl::StrCat(
          fn.qualified_name, "() expected a value of type '", type->Str(),
          "' for argument '", fn.params[i], "' but got a ", all[i].TypeName()));
    }
    if (match == TypeMatch::kConvertible) {
      PTSER_ASSIGN_OR_RETURN(all[i], ConvertToType(all[i], *type));
    }
  }
  if (call_depth_ == 0) {
    steps_ = 0;
    traceback_lines_ = 0;
    stack_floor_ = StackFloor();
  }
  Storage::ScopedLiveBytesLimit limit(memory_limit_, "InterpreterOptions::max_memory_bytes");
  return Call(fn, nullptr, absl::MakeSpan(all), {}, {}, nullptr);
}

absl::StatusOr<Value> Interpreter::Impl::RunFunction(absl::string_view name,
                                                     std::vector<Value> args) {
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    return absl::NotFoundError(absl::StrCat("the archive's code defines no function ", name));
  }
  if (call_depth_ == 0) {
    steps_ = 0;
    traceback_lines_ = 0;
    stack_floor_ = StackFloor();
  }
  Storage::ScopedLiveBytesLimit limit(memory_limit_, "InterpreterOptions::max_memory_bytes");
  return Call(*it->second, nullptr, absl::MakeSpan(args), {}, {}, nullptr);
}

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

absl::StatusOr<Value> Interpreter::Impl::Unpackable(const Value& v, size_t n) const {
  Value seq = v;
  if (v.is_object()) {
    ClassInfo* cls = ClassOfValue(v);
    if (cls != nullptr && cls->kind == ClassInfo::Kind::kNamedTuple) seq = v.object().args();
  }
  size_t size;
  if (seq.is_tuple()) {
    size = seq.tuple().size();
  } else if (seq.is_list()) {
    size = seq.list().size();
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot unpack a ", v.TypeName(), " into ", n, " values"));
  }
  if (size != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        size > n ? "too many values to unpack" : "not enough values to unpack", " (expected ", n,
        ", got ", size, ")"));
  }
  return seq;
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
      for (size_t i = 0; i < t.elements.size(); ++i) {
        const Value& item = seq.is_tuple() ? seq.tuple()[i] : seq.list()[i];
        PTSER_RETURN_IF_ERROR(Assign(t.elements[i], item, frame));
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

ClassInfo* Interpreter::Impl::ClassOfValue(const Value& v) const {
  auto find = [&](absl::string_view name) -> ClassInfo* {
    auto it = classes_.find(name);
    return it == classes_.end() ? nullptr : it->second.get();
  };
  if (v.is_object()) return find(v.object().callee().FullName());
  // A module's class is looked up by its name in place: no copy (this runs
  // on every method call and attribute of a module).
  if (ScriptModule* m = ModuleOf(v)) return find(m->qualified_name());
  return nullptr;
}

absl::StatusOr<Value> Interpreter::Impl::GetAttr(const Value& obj, const std::string& name) {
  if (ScriptModule* m = ModuleOf(obj)) {
    absl::StatusOr<Value> v = m->Attr(name);
    if (v.ok() || !absl::IsNotFound(v.status())) return v;
    if (ClassInfo* cls = ClassOfValue(obj)) {
      auto it = cls->constants.find(name);
      if (it != cls->constants.end()) return it->second;
    }
    return v;
  }
  if (obj.is_object()) {
    ClassInfo* cls = ClassOfValue(obj);
    const Value::Object& o = obj.object();
    if (cls != nullptr && cls->kind == ClassInfo::Kind::kNamedTuple) {
      const int i = cls->FieldIndex(name);
      if (i >= 0 && o.args().is_tuple() && static_cast<size_t>(i) < o.args().tuple().size()) {
        return o.args().tuple()[i];
      }
    } else if (cls != nullptr && cls->kind == ClassInfo::Kind::kEnum) {
      if (name == "value" && o.args().is_tuple() && o.args().tuple().size() == 1) {
        return o.args().tuple()[0];
      }
      if (name == "name" && o.args().is_tuple() && o.args().tuple().size() == 1) {
        for (const auto& [member, v] : cls->members) {
          if (ValuesEqual(v.object().args(), o.args())) return Value::Str(member);
        }
      }
    } else if (const Value* a = o.Attribute(name)) {
      return *a;
    }
    if (cls != nullptr) {
      auto it = cls->constants.find(name);
      if (it != cls->constants.end()) return it->second;
    }
    return absl::NotFoundError(
        absl::StrCat("'", o.callee().FullName(), "' object has no attribute '", name, "'"));
  }
  if (obj.is_tensor()) {
    // Tensor properties the printer may leave as attributes.
    static const auto* kProps = new absl::flat_hash_map<std::string, std::string>{
        {"shape", "aten::size"},        {"dtype", "prim::dtype"},
        {"device", "prim::device"},     {"is_cuda", "prim::is_cuda"},
        {"requires_grad", "prim::requires_grad"}, {"data", "prim::data"},
        {"T", "aten::numpy_T"},         {"ndim", "aten::dim"},
        {"real", "aten::real"},         {"imag", "aten::imag"},
        {"layout", "prim::layout"},     {"grad", "prim::grad"},
    };
    auto it = kProps->find(name);
    if (it != kProps->end()) return CallNamed(it->second, {obj});
  }
  return absl::NotFoundError(
      absl::StrCat("'", obj.TypeName(), "' object has no attribute '", name, "'"));
}

absl::Status Interpreter::Impl::SetAttr(const Value& obj, const std::string& name, Value v) {
  if (ScriptModule* m = ModuleOf(obj)) return m->SetAttr(name, std::move(v));
  if (obj.is_object()) {
    Value::Object& o = obj.object();
    if (!o.has_state() || !o.state().is_dict()) o.set_state(Value::NewDict());
    return o.state().dict().SetItem(Value::Str(name), std::move(v));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot set attribute '", name, "' of a ", obj.TypeName()));
}

namespace {
absl::StatusOr<int64_t> NormalizeIndex(int64_t i, size_t size, const char* what) {
  const int64_t n = static_cast<int64_t>(size);
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    return absl::OutOfRangeError(absl::StrCat("IndexError: ", what, " index out of range"));
  }
  return i;
}

// Python's slice bounds for a sequence of `size`.
void SliceBounds(int64_t size, std::optional<int64_t> start, std::optional<int64_t> stop,
                 int64_t step, int64_t* lo, int64_t* hi) {
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v.has_value()) return dflt;
    int64_t x = *v;
    if (x < 0) x += size;
    if (step > 0) return std::clamp<int64_t>(x, 0, size);
    return std::clamp<int64_t>(x, -1, size - 1);
  };
  *lo = clamp(start, step > 0 ? 0 : size - 1);
  *hi = clamp(stop, step > 0 ? size : -1);
}
}  // namespace

absl::StatusOr<Value> Interpreter::Impl::Subscript(const Value& obj, const Value& index) {
  if (index.is_int()) {
    const int64_t i = index.as_int();
    if (obj.is_tuple()) {
      PTSER_ASSIGN_OR_RETURN(int64_t k, NormalizeIndex(i, obj.tuple().size(), "tuple"));
      return obj.tuple()[k];
    }
    if (obj.is_list()) {
      PTSER_ASSIGN_OR_RETURN(int64_t k, NormalizeIndex(i, obj.list().size(), "list"));
      return obj.list()[k];
    }
    if (obj.is_object()) {
      ClassInfo* cls = ClassOfValue(obj);
      if (cls != nullptr && cls->kind == ClassInfo::Kind::kNamedTuple) {
        return Subscript(obj.object().args(), index);
      }
    }
  }
  if (obj.is_dict()) {
    const Value* v = obj.dict().Find(index);
    if (v == nullptr) {
      return absl::NotFoundError(absl::StrCat("KeyError: ", index.Repr(Value::kMessageReprChars)));
    }
    return *v;
  }
  if (ScriptModule* m = ModuleOf(obj)) {
    // ModuleList / Sequential indexing by a constant.
    if (index.is_int()) return m->Attr(std::to_string(index.as_int()));
    if (index.is_str()) return m->Attr(index.as_string());
  }
  if (obj.is_tensor() && index.is_int()) {
    return CallNamed("aten::select", {obj, Value::Int(0), index});
  }
  return CallNamed("aten::__getitem__", {obj, index});
}

absl::StatusOr<Value> Interpreter::Impl::SliceOf(const Value& obj, std::optional<int64_t> start,
                                                 std::optional<int64_t> stop,
                                                 std::optional<int64_t> step_opt) {
  const int64_t step = step_opt.value_or(1);
  if (step == 0) return absl::InvalidArgumentError("ValueError: slice step cannot be zero");
  auto pick = [&](int64_t size, auto&& at) {
    int64_t lo, hi;
    SliceBounds(size, start, stop, step, &lo, &hi);
    std::vector<Value> out;
    for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) out.push_back(at(i));
    return out;
  };
  if (obj.is_tuple()) {
    const auto& t = obj.tuple();
    return Value::NewTuple(pick(t.size(), [&](int64_t i) { return t[i]; }));
  }
  if (obj.is_list()) {
    const auto& l = obj.list();
    return Value::NewList(pick(l.size(), [&](int64_t i) { return l[i]; }));
  }
  if (obj.is_str()) {
    const std::string& s = obj.as_string();
    std::string out;
    for (const Value& c : pick(s.size(), [&](int64_t i) { return Value::Int(s[i]); })) {
      out.push_back(static_cast<char>(c.as_int()));
    }
    return Value::Str(std::move(out));
  }
  if (obj.is_tensor()) {
    return CallNamed("aten::slice", {obj, Value::Int(0),
                                     start ? Value::Int(*start) : Value(),
                                     stop ? Value::Int(*stop) : Value(), Value::Int(step)});
  }
  return absl::InvalidArgumentError(absl::StrCat("a ", obj.TypeName(), " cannot be sliced"));
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

// ---------------------------------------------------------------------------

Interpreter::Interpreter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Interpreter::~Interpreter() = default;

absl::StatusOr<Value> Interpreter::RunMethod(ScriptModule& self, absl::string_view method,
                                             std::vector<Value> args) {
  return impl_->RunMethod(self, method, std::move(args));
}
bool Interpreter::HasMethod(const ScriptModule& self, absl::string_view method) const {
  return impl_->HasMethod(self, method);
}
absl::StatusOr<Value> Interpreter::RunFunction(absl::string_view name, std::vector<Value> args) {
  return impl_->RunFunction(name, std::move(args));
}
uint64_t Interpreter::version() const { return impl_->version(); }
const InterpreterOptions& Interpreter::options() const { return impl_->options(); }

absl::StatusOr<std::shared_ptr<Interpreter>> AttachInterpreter(const ScriptArchive& archive,
                                                               const OperatorRegistry& ops,
                                                               const InterpreterOptions& options) {
  auto impl = std::make_unique<Interpreter::Impl>(ops, options, archive.version);
  PTSER_RETURN_IF_ERROR(impl->Load(archive));
  std::shared_ptr<Interpreter> interp(new Interpreter(std::move(impl)));
  if (archive.module != nullptr) archive.module->SetRunner(interp);
  return interp;
}

}  // namespace jit
}  // namespace ptser
