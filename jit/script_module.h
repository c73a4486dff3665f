// Copyright ptser authors.
//
// jit/script_module.h — a module loaded from a TorchScript archive, as data.
//
// `torch.jit.save` writes each module object as an instance of a TorchScript
// class (`__torch__.MyModule`, `__torch__.torch.nn.modules.linear.Linear`)
// whose source sits in the archive's `code/` records.  The class says which of
// the object's attributes are parameters and buffers:
//
//   class Linear(Module):
//     __parameters__ = ["weight", "bias", ]
//     __buffers__ = []
//     weight : Tensor
//     bias : Tensor
//     training : bool
//     _is_full_backward_hook : NoneType
//     out_features : Final[int] = 2
//     def forward(self: __torch__.torch.nn.modules.linear.Linear,
//       input: Tensor) -> Tensor:
//       ...
//
// ScriptClass is that declaration, read by ParseCodeRecord without compiling
// or running anything: the header line, the `__parameters__`/`__buffers__`
// lists, the attribute declarations (`name : Type`, also
// `__annotations__["0"] = Type`), the `Final` constants, the method names, and
// the class's source text.
//
// ScriptModule is a ptser::Module (jit/module.h): its parameters, buffers and
// children are Module slots, so NamedParameters(), NamedBuffers() and
// StateDict() are what Python's `torch.jit.load(f).state_dict()` gives.  Its
// other attributes (ints, floats, strs, lists, dicts, tuples, None, objects of
// script classes) are kept as Values, and the object's slot order is kept so
// that it saves back attribute by attribute (jit/script_archive.h).
#ifndef PTSER_JIT_SCRIPT_MODULE_H_
#define PTSER_JIT_SCRIPT_MODULE_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jit/module.h"
#include "pickle/value.h"

namespace ptser {
namespace jit {

// The TorchScript type the C++ pickler wrote for each typed list and dict
// (`restore_type_tag(d, 'Dict[str, int]')`; `build_intlist` is
// "List[int]", and so on): what a writer needs to tag them again.
class TypeTags {
 public:
  void Set(const Value& container, std::string type);
  // Null when `container` was not tagged.
  const std::string* Find(const Value& container) const;
  size_t size() const { return tags_.size(); }

 private:
  // Keyed by the container's identity; `held_` keeps each alive so the key
  // is never reused.
  absl::flat_hash_map<const void*, std::string> tags_;
  std::vector<Value> held_;
};

// One `class` of a code record.
struct ScriptClass {
  std::string qualified_name;  // "__torch__.torch.nn.modules.linear.Linear"
  std::string name;            // "Linear"
  std::string base;            // "Module", "NamedTuple", "Enum", "Interface", ... or ""
  std::string code_record;     // "code/__torch__/torch/nn/modules/linear.py"
  std::string source;          // the class's text, from `class` to its last line
  std::vector<std::string> parameters;  // `__parameters__`, in order
  std::vector<std::string> buffers;     // `__buffers__`, in order
  // `name : Type` declarations in slot order (types as written).
  std::vector<std::pair<std::string, std::string>> attributes;
  // `name : Final[T] = value` lines, as written (without the indent).
  std::vector<std::string> constants;
  std::vector<std::string> methods;  // `def` names, in order

  bool is_module() const { return base == "Module"; }
  bool IsParameter(absl::string_view attr) const;
  bool IsBuffer(absl::string_view attr) const;
};

// The qualified module path a code record holds: "code/__torch__.py" ->
// "__torch__"; "code/__torch__/torch/nn/modules/linear.py" ->
// "__torch__.torch.nn.modules.linear".  InvalidArgumentError for a record
// outside `code/__torch__` or not ending in ".py".
absl::StatusOr<std::string> CodeRecordQualifier(absl::string_view record);

// The classes of one code record (`record` names it in messages and gives
// each class its qualifier).  Top-level functions and other lines are
// skipped; a malformed `__parameters__`/`__buffers__` line is
// InvalidArgumentError naming the record and line.
absl::StatusOr<std::vector<ScriptClass>> ParseCodeRecord(absl::string_view record,
                                                         absl::string_view text);

class ScriptModule;

// Runs the methods of ScriptModules: the interpreter of the archive the
// module came from (jit/script/interpreter.h) — see jit/load.h.
class MethodRunner {
 public:
  virtual ~MethodRunner() = default;
  virtual absl::StatusOr<Value> RunMethod(ScriptModule& self, absl::string_view method,
                                          std::vector<Value> args) = 0;
  virtual bool HasMethod(const ScriptModule& self, absl::string_view method) const = 0;
};

// A module as a value TorchScript code holds (`self`, `self.l0`): the one
// value model's opaque kind (pickle/value.h).
class ModuleValue : public OpaqueValue {
 public:
  explicit ModuleValue(std::shared_ptr<ScriptModule> module) : module_(std::move(module)) {}
  const std::shared_ptr<ScriptModule>& module() const { return module_; }
  std::string TypeName() const override;  // the qualified class name
  std::string Repr() const override;      // TreeRepr()

 private:
  std::shared_ptr<ScriptModule> module_;
};

// The ScriptModule a value wraps, or null.
ScriptModule* ModuleOf(const Value& v);

// A module object of a TorchScript archive.
class ScriptModule : public Module, public std::enable_shared_from_this<ScriptModule> {
 public:
  // What one slot of the object holds, in the class's slot order.
  enum class SlotKind { kParameter, kBuffer, kModule, kTraining, kAttribute };
  struct Slot {
    std::string name;
    SlotKind kind;
    Value value;  // kAttribute only
  };

  explicit ScriptModule(std::shared_ptr<const ScriptClass> cls);

  const ScriptClass& script_class() const { return *class_; }
  std::shared_ptr<const ScriptClass> script_class_ptr() const { return class_; }
  const std::string& qualified_name() const { return class_->qualified_name; }

  // Every slot of the object, in the order the archive has them.
  const std::vector<Slot>& slots() const { return slots_; }
  // The non-tensor, non-module attribute `name` (null when absent).
  const Value* FindAttribute(absl::string_view name) const;

  // ---- Running (a module from jit::Load; jit/load.h) ------------------------
  // module.forward(*inputs) / getattr(module, name)(*args), run by the
  // interpreter.  FailedPreconditionError for a module read as data only
  // (LoadScriptModule).  `Forward({})` and `Forward({a, b})` take the
  // braced overload (a braced list would otherwise be ambiguous with the
  // Tensor one).
  absl::StatusOr<Value> Forward(std::vector<Value> inputs);
  absl::StatusOr<Value> Forward(std::initializer_list<Value> inputs) {
    return Forward(std::vector<Value>(inputs));
  }
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;
  absl::StatusOr<Value> RunMethod(absl::string_view name, std::vector<Value> args);
  bool HasMethod(absl::string_view name) const;
  // Sets the runner of this module and every descendant.
  void SetRunner(std::shared_ptr<MethodRunner> runner);

  // getattr(module, name): a parameter or buffer (a Tensor, or None), a
  // child (a ModuleValue), `training`, or another attribute.  NotFoundError
  // naming the class when it has none of these.
  absl::StatusOr<Value> Attr(absl::string_view name) const;
  // setattr(module, name, value) for an existing parameter, buffer,
  // `training` or attribute (TorchScript cannot add attributes).  A child
  // module cannot be replaced (FailedPreconditionError).
  absl::Status SetAttr(absl::string_view name, Value value);
  // This module as a Value (a ModuleValue sharing it).
  Value AsValue();

  // Appends a slot (the loader's; parameters, buffers and children are also
  // registered with Module).
  absl::Status AddParameter(const std::string& name, const Value& tensor_or_none);
  absl::Status AddBuffer(const std::string& name, const Value& tensor_or_none);
  absl::Status AddChild(const std::string& name, std::shared_ptr<ScriptModule> child);
  void AddTraining(bool training);
  void AddAttribute(const std::string& name, Value value);

  // What Python prints for `torch.jit.load(f)`:
  //   RecursiveScriptModule(
  //     original_name=MyModule
  //     (l0): RecursiveScriptModule(original_name=Linear)
  //     ...
  //   )
  std::string TreeRepr() const;

 private:
  std::shared_ptr<const ScriptClass> class_;
  std::vector<Slot> slots_;
  absl::flat_hash_map<std::string, size_t> slot_index_;  // name -> position in slots_
  std::shared_ptr<MethodRunner> runner_;
};

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_MODULE_H_
