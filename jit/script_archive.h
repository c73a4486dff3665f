// Copyright ptser authors.
//
// jit/script_archive.h — a TorchScript archive (`torch.jit.save`) read and
// written as data: the module tree, its code, constants, extra files and
// version (docs/formats/torchscript.md).  Nothing the archive holds is
// compiled or run.
//
//   PTSER_ASSIGN_OR_RETURN(ptser::jit::ScriptArchive a,
//                          ptser::jit::LoadScriptModule("model.pt"));
//   a.module->qualified_name();             // "__torch__.MyModule"
//   a.module->NamedParameters();            // l0.weight, l0.bias, ...
//   ptser::Save(a.module->StateDict(), "sd.pt");
//       // == torch.save(torch.jit.load("model.pt").state_dict(), "sd.pt")
//   std::cout << a.module->TreeRepr();      // == print(torch.jit.load(...))
//   PTSER_RETURN_IF_ERROR(ptser::jit::SaveScriptModule(a, "copy.pt"));
//       // torch.jit.load("copy.pt") gives the same module
//
// What a `data.pkl`/`constants.pkl` may name is closed: `__torch__.*`
// classes that the archive's code defines, the `torch.jit._pickle` helpers
// (build_intlist, build_doublelist, build_boollist, build_tensorlist,
// restore_type_tag), `torch._utils._rebuild_tensor_v2` and
// `_rebuild_qtensor`, storage classes, `collections.OrderedDict` (the
// rebuild's hook argument), `torch.device`, `builtins.complex` and the
// qschemes.  Anything else is PermissionDeniedError naming the global and
// its byte offset.  The module tree must be a tree (a cycle is an
// InvalidArgumentError naming the path) at most Options::max_module_depth
// deep.
#ifndef PTSER_JIT_SCRIPT_ARCHIVE_H_
#define PTSER_JIT_SCRIPT_ARCHIVE_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/byte_source.h"
#include "jit/script_module.h"
#include "pickle/value.h"
#include "tensor/storage.h"

namespace ptser {
namespace jit {

struct ScriptArchive {
  struct Record {
    std::string name;   // inside the archive folder: "code/__torch__.py", "meta.txt"
    std::string bytes;
  };

  std::string prefix;          // the archive folder ("script_my", "archive")
  uint64_t version = 0;        // 3 ... 10
  std::string version_record;  // "version" or ".data/version"
  std::shared_ptr<ScriptModule> module;
  Value constants;             // constants.pkl: a tuple (CONSTANTS.c0, ...)
  // Every class of every code record, in archive order.
  std::vector<std::shared_ptr<const ScriptClass>> classes;
  std::vector<Record> code_records;   // "code/..." (.py and .debug_pkl), archive order
  std::vector<Record> extra_files;    // `_extra_files`: names without "extra/"
  std::vector<Record> other_records;  // bytecode.pkl, mobile_info.json, ...: kept as bytes
  TypeTags type_tags;
  // The key of each storage of constants.pkl ("0", or "0.storage" in a
  // `_save_for_lite_interpreter` archive, whose bytecode.pkl names the same
  // records): a rewrite keeps them.
  std::vector<std::pair<Storage, std::string>> constant_storage_keys;

  // The class named `qualified_name`, or null.
  const ScriptClass* FindClass(absl::string_view qualified_name) const;
};

struct LoadScriptOptions {
  // Verify each record's CRC-32.  Default: true.
  bool verify_crc32 = true;
  // Deepest module nesting (the root is depth 1).  Default: 256.
  size_t max_module_depth = 256;
  // Largest code, extra or other record read into memory.  Default: 256 MiB.
  uint64_t max_text_record_bytes = uint64_t{1} << 28;
  // As LoadOptions::max_pickle_growth (archive/load_options.h): data.pkl and
  // constants.pkl may each inflate to, and their values take, at most this
  // many times the file's size (at least 64 MiB).  Default: 64.
  double max_pickle_growth = 64;
};

struct SaveScriptOptions {
  // fsync the file and its folder before returning.  Default: true.
  bool durable = true;
};

// Writes `archive` as a TorchScript archive that torch.jit.load reads back as
// the same module: data.pkl in the C++ pickler's form (its memo, type tags,
// MARK/TUPLE and integer habits) from the module tree as it is now (changed
// tensors included), storages as data/0, data/1, ... in pickling order, the
// code and extra records as they were read, constants.pkl, and the version
// record.  The folder is the file's base name, as torch.jit.save names it.
// Differences from torch.jit.save's bytes: docs/formats/torchscript.md.
// Atomic: a temporary file renamed into place.
absl::Status SaveScriptModule(const ScriptArchive& archive, const std::string& path,
                              const SaveScriptOptions& options = {});
// The bytes SaveScriptModule writes, under the folder `archive_name`.
absl::StatusOr<std::string> SaveScriptModuleToString(const ScriptArchive& archive,
                                                     const std::string& archive_name);
// data.pkl alone, as SaveScriptModule writes it (for tests and tools).
absl::StatusOr<std::string> PickleScriptModule(const ScriptArchive& archive);

// Whether a TorchScript pickle may name `module.name` apart from `__torch__`
// classes (which must also be defined by the archive's code): the
// torch.jit._pickle helpers, the tensor rebuilds, storage classes and the
// few values listed at the top of this header.
bool IsScriptGlobalAllowed(absl::string_view module, absl::string_view name);

// Whether `source` is a zip with a constants.pkl record (what torch.load
// hands to torch.jit.load).
absl::StatusOr<bool> IsScriptArchive(std::shared_ptr<const ByteSource> source);

// Reads the archive at `path` (or in `source`).  Errors name the file, the
// record and, inside pickles, the opcode's byte offset.
absl::StatusOr<ScriptArchive> LoadScriptModule(const std::string& path,
                                               const LoadScriptOptions& options = {});
absl::StatusOr<ScriptArchive> LoadScriptModuleFromSource(std::shared_ptr<const ByteSource> source,
                                                         const LoadScriptOptions& options = {});

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_ARCHIVE_H_
