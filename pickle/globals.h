// Copyright ptser authors.
//
// pickle/globals.h — what a pickle's globals mean, without importing them.
//
// A pickle names classes and functions by string (`GLOBAL 'torch._utils
// _rebuild_tensor_v2'`) and then calls them (REDUCE, NEWOBJ, INST, OBJ) or
// updates their instances (BUILD).  Python imports the module and runs the
// code; ptser looks the name up in a `GlobalRegistry`, an explicit table of
// C++ handlers, and nothing outside it is ever reached.  A name that is not
// registered is refused (or, when the caller opts in, kept as an inert
// `Value::Object`).
//
// A handler says, for one `module.name`:
//   - `value`:      what GLOBAL pushes — a constant (torch.float32 is a
//                   Value::Dtype) or, when unset, a Value::Global naming it;
//   - `call`:       `name(*args)` — REDUCE, INST, OBJ;
//   - `new_object`: `name.__new__(name, *args)` — NEWOBJ, NEWOBJ_EX (falls
//                   back to `call` when unset);
//   - `build`:      BUILD on an Object whose callee is this name (unset:
//                   the state is kept on the Object as is).
//
//   GlobalRegistry registry = TorchGlobals();       // pickle/torch_globals.h
//   registry.Register("mypkg.config", "Config", GlobalHandler::InertClass());
//   GlobalHandler make_pair;
//   make_pair.call = [](const CallContext& ctx, absl::Span<const Value> args)
//       -> absl::StatusOr<Value> {
//     PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 2, 2));
//     return Value::NewTuple({args[0], args[1]});
//   };
//   registry.Register("mypkg", "make_pair", std::move(make_pair));
//
// Handlers receive untrusted arguments: they check kinds and counts and
// return InvalidArgumentError naming what was wrong; the unpickler adds the
// opcode and byte offset.  Handlers must not throw.
#ifndef PTSER_PICKLE_GLOBALS_H_
#define PTSER_PICKLE_GLOBALS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "pickle/value.h"

namespace ptser {

class GlobalRegistry;

// What a handler knows about the call it serves.
class CallContext {
 public:
  // `callee` is referenced, not copied: it must outlive the context (the
  // unpickler's contexts live for one call).
  CallContext(const GlobalRegistry& registry, const GlobalRef& callee,
              size_t offset, Value kwargs = Value())
      : registry_(&registry),
        callee_(&callee),
        offset_(offset),
        kwargs_(std::move(kwargs)) {}
  // A temporary callee would dangle.
  CallContext(const GlobalRegistry& registry, GlobalRef&& callee,
              size_t offset, Value kwargs = Value()) = delete;

  const GlobalRegistry& registry() const { return *registry_; }
  // The global being called/built ("torch._utils._rebuild_tensor_v2").
  const GlobalRef& callee() const { return *callee_; }
  // Byte offset of the opcode (REDUCE, NEWOBJ, ...) in the pickle.
  size_t offset() const { return offset_; }
  // NEWOBJ_EX keyword arguments (a dict), else None.
  const Value& kwargs() const { return kwargs_; }

  // Calls another registered global (e.g. `_rebuild_from_type_v2` calling
  // its `func`): `callable` must be a Value::Global with a `call` handler.
  absl::StatusOr<Value> Call(const Value& callable,
                             absl::Span<const Value> args) const;

  // Argument checking with messages naming the callee:
  // "torch.Size() takes 0 to 1 arguments (3 given)"; also refuses keyword
  // arguments.
  absl::Status ExpectArgCount(absl::Span<const Value> args, size_t min,
                              size_t max) const;
  // InvalidArgumentError "<callee>: <what> must be <expected>, got <type>".
  absl::Status ArgError(absl::string_view what, absl::string_view expected,
                        const Value& got) const;

 private:
  const GlobalRegistry* registry_;
  const GlobalRef* callee_;
  size_t offset_;
  Value kwargs_;
};

using GlobalCallFn = std::function<absl::StatusOr<Value>(
    const CallContext& ctx, absl::Span<const Value> args)>;
using GlobalBuildFn = std::function<absl::Status(
    const CallContext& ctx, Value& object, const Value& state)>;

struct GlobalHandler {
  // What GLOBAL pushes; unset pushes Value::Global(module, name).
  std::optional<Value> value;
  GlobalCallFn call;
  GlobalCallFn new_object;
  GlobalBuildFn build;

  // A class whose instances are kept as inert Objects: calls and NEWOBJ
  // make a Value::Object recording the arguments; BUILD stores the state.
  static GlobalHandler InertClass();
  // A name that only denotes a class or function (GLOBAL pushes a
  // Value::Global); calling it is an error.  Storage classes, torch.Tensor.
  static GlobalHandler NameOnly();
  // A constant: GLOBAL pushes `v` (dtypes, qschemes).
  static GlobalHandler Constant(Value v);
};

// Maps Python 2 names to Python 3 ones, as Python's `_compat_pickle` does
// for protocol < 3 pickles (and PyTorch's weights-only unpickler always
// does): `__builtin__.set` → `builtins.set`, `copy_reg._reconstructor` →
// `copyreg._reconstructor`, `__builtin__.unicode` → `builtins.str`, ...
// Also PyTorch's own rename `torch.tensor` → `torch._tensor`.  Names not in
// the tables are returned unchanged.
GlobalRef MapLegacyGlobalName(GlobalRef name);

// The reverse, as Python's pickler writes globals at protocol < 3 with
// fix_imports: `builtins.set` → `__builtin__.set`.
GlobalRef ReverseMapToPython2(GlobalRef name);

// An explicit table of global handlers.  Copyable; lookups are by exact
// (module, name) after MapLegacyGlobalName, then by registered patterns
// (e.g. "any module, a known *Storage class name").
class GlobalRegistry {
 public:
  // An empty registry: every global is unknown.
  GlobalRegistry() = default;

  // Adds or replaces the handler for `module.name`.
  void Register(absl::string_view module, absl::string_view name,
                GlobalHandler handler);

  // Adds a handler for every (module, name) the predicate accepts, consulted
  // after exact entries, in registration order.
  using NamePredicate =
      std::function<bool(absl::string_view module, absl::string_view name)>;
  void RegisterPattern(NamePredicate predicate, GlobalHandler handler);

  // Removes an exact entry; false when absent.
  bool Unregister(absl::string_view module, absl::string_view name);

  // The handler for `module.name` (no legacy mapping applied here), or null.
  const GlobalHandler* Find(absl::string_view module,
                            absl::string_view name) const;

  size_t size() const { return exact_.size(); }

 private:
  // (module, name) keys, looked up by string views without copying them.
  using NameKey = std::pair<std::string, std::string>;
  using NameView = std::pair<absl::string_view, absl::string_view>;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(const NameView& k) const {
      return absl::Hash<NameView>()(k);
    }
    size_t operator()(const NameKey& k) const {
      return (*this)(NameView(k.first, k.second));
    }
  };
  struct NameEq {
    using is_transparent = void;
    static NameView View(const NameKey& k) { return NameView(k.first, k.second); }
    static const NameView& View(const NameView& k) { return k; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) == View(b);
    }
  };
  absl::flat_hash_map<NameKey, std::shared_ptr<const GlobalHandler>, NameHash,
                      NameEq>
      exact_;
  std::vector<std::pair<NamePredicate, std::shared_ptr<const GlobalHandler>>>
      patterns_;
};

}  // namespace ptser

#endif  // PTSER_PICKLE_GLOBALS_H_
