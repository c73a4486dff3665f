// Copyright ptser authors.
//
// Private to the interpreter (//jit/script:interpreter): the compiled tree,
// run-time frames, the classes and functions of an archive, and
// Interpreter::Impl, shared by its source files:
//
//   interpreter.cc               the public API, entry points, limits, error locations
//   interpreter_load.cc          records, classes, functions and statements compiled
//   interpreter_compile_expr.cc  expressions and calls compiled (operator sites)
//   interpreter_run.cc           the hot loop: calls, statements, expressions, operators
//   interpreter_values.cc        attributes, subscripts, slices and unpacking of values
#ifndef PTSER_JIT_SCRIPT_INTERNAL_INTERPRETER_IMPL_H_
#define PTSER_JIT_SCRIPT_INTERNAL_INTERPRETER_IMPL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "jit/ops/registry.h"
#include "jit/ops/types.h"
#include "jit/script/ast.h"
#include "jit/script/interpreter.h"
#include "jit/script/parser.h"
#include "jit/script/upgraders.h"
#include "pickle/value.h"

namespace ptser {
namespace jit {
namespace interpreter_internal {

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

// The payload that marks an error whose message already starts with a code
// location (Locate adds it once; Call's traceback lines keep it).
inline constexpr char kLocatedPayload[] = "ptser.jit/located";

bool IsLocated(const absl::Status& s);
// `s` with the code location in front of its message (once).
absl::Status Locate(const SourceLocation& loc, absl::Status s);
absl::Status CompileError(const SourceLocation& loc, absl::string_view what);
// "a.b.C" -> {"a.b", "C"}.
GlobalRef SplitQualified(absl::string_view qualified);

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

}  // namespace interpreter_internal

using interpreter_internal::BinaryOp;
using interpreter_internal::CBlock;
using interpreter_internal::ClassInfo;
using interpreter_internal::ClosureValue;
using interpreter_internal::CompiledFunction;
using interpreter_internal::CompileError;
using interpreter_internal::CStmt;
using interpreter_internal::CStmtPtr;
using interpreter_internal::Expr;
using interpreter_internal::Flow;
using interpreter_internal::Frame;
using interpreter_internal::FunctionDef;
using interpreter_internal::FutureValue;
using interpreter_internal::IsLocated;
using interpreter_internal::kLocatedPayload;
using interpreter_internal::kMaxNativeDepth;
using interpreter_internal::kMaxTracebackLines;
using interpreter_internal::Locate;
using interpreter_internal::Node;
using interpreter_internal::NodePtr;
using interpreter_internal::OpSite;
using interpreter_internal::SourceLocation;
using interpreter_internal::SplitQualified;
using interpreter_internal::Stmt;
using interpreter_internal::Target;
using interpreter_internal::UnaryOp;

// ---------------------------------------------------------------------------

class Interpreter::Impl {
 public:
  // Defined in interpreter.cc (the memory limit defaults from the machine).
  Impl(const OperatorRegistry& ops, InterpreterOptions options, uint64_t version);

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
  // CompileStmt's larger cases.
  absl::StatusOr<CStmtPtr> CompileAugAssign(const Stmt& s, Scope& scope);
  absl::StatusOr<CStmtPtr> CompileFor(const Stmt& s, Scope& scope);
  absl::StatusOr<CStmtPtr> CompileNestedDef(const Stmt& s, Scope& scope);
  absl::StatusOr<Target> CompileTarget(const Expr& e, Scope& scope);
  absl::StatusOr<NodePtr> CompileExpr(const Expr& e, Scope& scope);
  absl::StatusOr<NodePtr> CompileAttribute(const Expr& e, Scope& scope);
  absl::StatusOr<NodePtr> CompileCall(const Expr& e, Scope& scope);
  absl::StatusOr<NodePtr> CompileBuiltinCall(const Expr& e, const std::string& f,
                                             Scope& scope);
  absl::Status CompileArgs(const Expr& call, Scope& scope, Node* node, size_t skip = 0);
  // `at` must outlive the compiled code (the node keeps its address for
  // error messages): the location of a parsed Expr or Stmt, never a copy.
  absl::StatusOr<NodePtr> MakeOp(const SourceLocation& at, const std::string& name,
                                 const std::string& spelled);
  absl::StatusOr<NodePtr> CompileBinary(const Expr& e, Scope& scope);
  // `lhs op rhs` located at `at` (an Expr's or, for `x op= y`, a Stmt's).
  absl::StatusOr<NodePtr> CompileBinaryOf(const SourceLocation& at, BinaryOp op, const Expr& lhs,
                                          const Expr& rhs, Scope& scope);
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

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_INTERNAL_INTERPRETER_IMPL_H_
