// Copyright ptser authors.
//
// Fuzzes jit::LoadScriptModuleFromSource from bytes: the TorchScript archive's
// zip, its code records (class declarations), constants.pkl and data.pkl with
// the TorchScript globals registry, the module tree built from them; then
// what loaded is written back (SaveScriptModuleToString), read again, and its
// state dict and printed tree taken.  CRC checks are off so that mutations
// reach the structures behind them.
#include <cstdint>
#include <memory>
#include <string>

#include "archive/byte_source.h"
#include "jit/script_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const ptser::ByteSource> source(ptser::ByteSource::FromString(bytes, "fuzz"));
  ptser::jit::LoadScriptOptions options;
  options.verify_crc32 = false;
  options.max_text_record_bytes = uint64_t{1} << 24;
  absl::StatusOr<ptser::jit::ScriptArchive> archive =
      ptser::jit::LoadScriptModuleFromSource(source, options);
  if (!archive.ok()) return 0;
  (void)archive->module->TreeRepr();
  (void)archive->module->StateDict();
  absl::StatusOr<std::string> again = ptser::jit::SaveScriptModuleToString(*archive, "fuzz");
  if (again.ok()) {
    std::shared_ptr<const ptser::ByteSource> reread(ptser::ByteSource::FromString(*again, "again"));
    absl::StatusOr<ptser::jit::ScriptArchive> b =
        ptser::jit::LoadScriptModuleFromSource(reread, options);
    // What ptser wrote from a module it read, it reads.
    if (!b.ok()) __builtin_trap();
  }
  return 0;
}
