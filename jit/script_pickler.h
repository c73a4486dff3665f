// Copyright ptser authors.
//
// jit/script_pickler.h — data.pkl and constants.pkl as libtorch's C++ pickler
// (torch/csrc/jit/serialization/pickler.cpp, PyTorch 1.13) writes them for
// torch.jit.save: protocol 2; objects as GLOBAL, EMPTY_TUPLE, NEWOBJ, the
// attribute dict, BUILD; globals, strings (by value), storages, devices and
// module objects memoized; tensors and script-class objects memoized only
// where libtorch's use_count() > 1 (list items, the constants table, one
// value in two slots); typed lists through torch.jit._pickle.build_*list,
// other lists and every dict through restore_type_tag; integers as BININT1,
// BININT2, BININT or an 8-byte LONG1; sizes and strides as MARK ... TUPLE.
// docs/formats/torchscript.md has the byte-level forms.
//
//   ScriptPickler data(archive.type_tags);
//   data.CountSlotTensors(*archive.module);
//   PTSER_RETURN_IF_ERROR(data.PushModule(*archive.module));
//   std::string pkl = data.Finish();   // == torch.jit.save's data.pkl
//   data.storages();                   // data/0, data/1, ... in that order
#ifndef PTSER_JIT_SCRIPT_PICKLER_H_
#define PTSER_JIT_SCRIPT_PICKLER_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "jit/script_module.h"
#include "pickle/value.h"
#include "tensor/storage.h"

namespace ptser {
namespace jit {

class ScriptPickler {
 public:
  // `tags` gives each list and dict its TorchScript type (a list or dict
  // without one cannot be written: FailedPreconditionError).  `keys`, when
  // set, gives storages their record keys (else "0", "1", ... in pickling
  // order); both must outlive the pickler.
  explicit ScriptPickler(const TypeTags& tags,
                         const std::vector<std::pair<Storage, std::string>>* keys = nullptr);
  ~ScriptPickler();
  ScriptPickler(const ScriptPickler&) = delete;
  ScriptPickler& operator=(const ScriptPickler&) = delete;

  // Counts the tensors and objects held by the slots of `m`'s tree, so that
  // one held twice is memoized.  Call before PushModule.
  void CountSlotTensors(const ScriptModule& m);
  // Writes the module tree (data.pkl).
  absl::Status PushModule(const ScriptModule& m);
  // Writes the constants table, a tuple (constants.pkl).
  absl::Status PushConstants(const Value& tuple);
  // Ends the pickle (STOP) and returns it.
  std::string Finish();

  // The storages written, in pickling order, and their record keys.
  const std::vector<Storage>& storages() const;
  const std::vector<std::string>& storage_keys() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_PICKLER_H_
