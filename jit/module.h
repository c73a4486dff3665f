// Copyright ptser authors.
//
// jit/module.h — torch.nn.Module in C++: named parameters, buffers and child
// modules, state_dict() and load_state_dict() interchangeable with PyTorch's.
//
// A Module owns an ordered list of slots, each a parameter, a buffer
// (persistent or not) or a child module, in the order they were registered —
// the order PyTorch's __init__ registers them, which is the order of
// state_dict() keys.  The note's example:
//
//   class MyModule : public ptser::Module {
//    public:
//     MyModule() : Module("MyModule") {}
//     static absl::StatusOr<std::shared_ptr<MyModule>> Make() {
//       auto m = std::make_shared<MyModule>();
//       PTSER_ASSIGN_OR_RETURN(auto l0, ptser::nn::Linear::Make(4, 2));
//       PTSER_ASSIGN_OR_RETURN(auto l1, ptser::nn::Linear::Make(2, 1));
//       PTSER_RETURN_IF_ERROR(m->RegisterModule("l0", l0));
//       PTSER_RETURN_IF_ERROR(m->RegisterModule("l1", l1));
//       return m;
//     }
//   };
//
//   m->state_dict() keys: l0.weight, l0.bias, l1.weight, l1.bias
//   ptser::Save(m->state_dict(), "m.pt")    == Python's torch.save(m.state_dict(), "m.pt")
//   m->LoadStateDict(*ptser::Load("m.pt"))  prints <All keys matched successfully>
//
// Tensors are handles (tensor/tensor.h): state_dict() shares storage with the
// module, so changing a tensor of the state dict in place changes the module,
// as in PyTorch.  There is no autograd: `requires_grad` is recorded as PyTorch
// records it (a Parameter's flag), for files and for printing.
//
// A module loaded from a TorchScript archive (jit/script_module.h) is a
// Module too.
#ifndef PTSER_JIT_MODULE_H_
#define PTSER_JIT_MODULE_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pickle/value.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

// What load_state_dict returns: PyTorch's _IncompatibleKeys.
struct IncompatibleKeys {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;

  bool all_matched() const { return missing_keys.empty() && unexpected_keys.empty(); }
  // "<All keys matched successfully>", or
  // "_IncompatibleKeys(missing_keys=['a'], unexpected_keys=['b'])".
  std::string ToString() const;
};

class Module {
 public:
  // `type_name` is the Python class name ("Linear", "MyModule"): PyTorch's
  // messages name it ("Error(s) in loading state_dict for MyModule").
  explicit Module(std::string type_name);
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& type_name() const { return type_name_; }

  // ---- Registration, in PyTorch's order ------------------------------------
  // A name must be non-empty, contain no '.', and not be taken by another
  // parameter, buffer or child of this module (InvalidArgumentError /
  // AlreadyExistsError, as PyTorch's KeyError).
  //
  // register_parameter(name, Parameter(t, requires_grad)): the slot holds a
  // handle on t's storage, flagged as a Parameter.
  absl::Status RegisterParameter(const std::string& name, Tensor value,
                                 bool requires_grad = true);
  // register_parameter(name, None): a parameter slot that is empty (Linear's
  // bias with bias=False); state_dict() leaves it out.
  absl::Status RegisterParameter(const std::string& name, std::nullopt_t);
  // register_buffer(name, t, persistent): non-persistent buffers are not in
  // state_dict().
  absl::Status RegisterBuffer(const std::string& name, Tensor value, bool persistent = true);
  absl::Status RegisterBuffer(const std::string& name, std::nullopt_t, bool persistent = true);
  absl::Status RegisterModule(const std::string& name, std::shared_ptr<Module> child);

  // ---- Lookups ------------------------------------------------------------
  // This module's own parameter / buffer (NotFoundError when absent;
  // FailedPreconditionError when registered as None).
  absl::StatusOr<Tensor> Parameter(absl::string_view name) const;
  absl::StatusOr<Tensor> Buffer(absl::string_view name) const;
  // Null when absent or not registered as a tensor.
  const Tensor* FindParameter(absl::string_view name) const;
  const Tensor* FindBuffer(absl::string_view name) const;
  std::shared_ptr<Module> Child(absl::string_view name) const;
  // `module.name = value` for a registered parameter or buffer (a
  // TorchScript attribute store): the slot now holds `value`'s handle
  // (nullopt: None).  A parameter stays flagged a Parameter with its
  // requires_grad.  NotFoundError when `name` is no parameter or buffer.
  absl::Status SetTensorSlot(absl::string_view name, std::optional<Tensor> value);

  // PyTorch's named_parameters() / named_buffers() (recursive, "l0.weight";
  // a tensor registered twice is listed once), named_children() and
  // named_modules() (this module first, under "", then depth first).
  std::vector<std::pair<std::string, Tensor>> NamedParameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> NamedBuffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> NamedChildren() const;
  std::vector<std::pair<std::string, const Module*>> NamedModules() const;

  // ---- Modes and dtypes ----------------------------------------------------
  bool is_training() const { return training_; }
  // train(mode) / eval() on this module and every descendant.
  void Train(bool mode = true);
  void Eval() { Train(false); }
  // module.to(dtype): every floating-point (and complex) parameter and buffer
  // is cast to `dtype` (a floating or complex dtype, else
  // InvalidArgumentError, as PyTorch's "nn.Module.to only accepts floating
  // point or complex dtypes"); integer buffers keep theirs.  Parameters stay
  // Parameters with their requires_grad.
  absl::Status To(ScalarType dtype);

  // ---- state_dict ---------------------------------------------------------
  // PyTorch's state_dict(): an OrderedDict of every non-None parameter, then
  // every non-None persistent buffer, module by module (depth first), with
  // keys prefixed by the path ("l0.weight").  The tensors are detached
  // handles on the module's storages (not Parameters, requires_grad False).
  // Its `_metadata` (the OrderedDict's state) maps each module's path
  // ("" for this one) to {'version': Version()}.  ptser::Save of it writes
  // the bytes torch.save writes for the same module.
  Value StateDict() const;

  // load_state_dict(state_dict, strict): copies each tensor of `state_dict`
  // into the matching parameter or buffer in place (PyTorch's copy_: same
  // shape, the dtype converted; a 1-element 1-D tensor fills a 0-dim one,
  // for pre-0.4 checkpoints).  Returns the keys that were missing or
  // unexpected.  Errors are PyTorch's, in one InvalidArgumentError:
  //
  //   Error(s) in loading state_dict for MyModule:
  //   	Missing key(s) in state_dict: "l1.bias".
  //   	size mismatch for l0.weight: copying a param with shape torch.Size([3, 4]) ...
  //
  // (missing and unexpected keys are errors only with `strict`; size
  // mismatches and non-tensors always).  Unlike PyTorch, nothing is copied
  // when there is an error: the module is never half loaded.  A non-dict is
  // InvalidArgumentError "Expected state_dict to be dict-like, got <class
  // 'list'>."
  absl::StatusOr<IncompatibleKeys> LoadStateDict(const Value& state_dict, bool strict = true);

  // ---- For subclasses -----------------------------------------------------
  // The class's `_version` (PyTorch: 1; batch norm: 2), saved in _metadata.
  virtual int Version() const { return 1; }

  // forward(x) for modules with one tensor in and out.  The default is
  // UnimplementedError 'Module [ModuleList] is missing the required
  // "forward" function', as PyTorch's.
  virtual absl::StatusOr<Tensor> Forward(const Tensor& x);

  // One state dict entry, as load_state_dict sees it.
  struct Entry {
    std::string key;
    Value value;
  };

 protected:
  // PyTorch's _load_from_state_dict hook for versioned upgrades: called with
  // the entries under this module's `prefix` (keys include the prefix) and
  // this module's `_metadata` entry (None when the file has none) before
  // they are matched.  Batch norm adds `num_batches_tracked` for files of
  // version < 2.
  virtual absl::Status UpgradeStateDict(const std::string& prefix, const Value& local_metadata,
                                        std::vector<Entry>* entries);

  // Sets this module's own training flag, leaving its children's as they
  // are (a loaded TorchScript archive records one flag per module).
  void SetOwnTrainingFlag(bool mode) { training_ = mode; }

 private:
  enum class SlotKind : uint8_t { kParameter, kBuffer, kModule };
  struct Slot {
    std::string name;
    SlotKind kind;
    std::optional<Tensor> tensor;    // parameters and buffers; nullopt: None
    bool persistent = true;          // buffers
    std::shared_ptr<Module> module;  // children
  };
  struct PlannedCopy {
    Tensor dst;
    Tensor src;
  };

  absl::Status CheckNewName(const std::string& name) const;
  const Slot* FindSlot(absl::string_view name) const;
  // What the collectors have seen: modules, and tensors listed so far by
  // (storage, offset, dtype) — hashed, so a module of 100,000 slots or a
  // tree of 100,000 modules (a hostile TorchScript archive) is listed in
  // linear time.
  struct Seen {
    absl::flat_hash_set<const void*> modules;
    absl::flat_hash_map<std::pair<const void*, int64_t>, std::vector<size_t>> tensors;
  };
  void CollectTensors(const std::string& prefix, SlotKind kind, bool recurse,
                      std::vector<std::pair<std::string, Tensor>>* out, Seen* seen) const;
  void CollectModules(const std::string& prefix,
                      std::vector<std::pair<std::string, const Module*>>* out,
                      absl::flat_hash_set<const void*>* seen) const;
  // `version_key` is one str object for every {'version': n}: Python interns
  // the name, so the pickle memoizes it (byte-identical files need the same).
  void SaveTo(const std::string& prefix, const Value& version_key, Value::Dict* out,
              Value::Dict* metadata) const;
  absl::Status LoadFrom(const std::string& prefix, const Value* metadata, std::vector<Entry> entries,
                        IncompatibleKeys* keys, std::vector<std::string>* errors,
                        std::vector<PlannedCopy>* copies);

  std::string type_name_;
  bool training_ = true;
  std::vector<Slot> slots_;
  absl::flat_hash_map<std::string, size_t> slot_index_;  // name -> position in slots_
};

}  // namespace ptser

#endif  // PTSER_JIT_MODULE_H_
