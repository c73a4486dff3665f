// Copyright ptser authors.
//
// Fuzzes the legacy torch.save format (`_use_new_zipfile_serialization=False`:
// magic number, protocol, system info, the pickle, the storage keys, the raw
// storages) through a streaming source — the path a file opened with
// ByteSource::OpenFile takes, where each storage is read into fresh memory —
// then writes what loaded back in the legacy format.  (load_fuzzer covers the
// memory-backed path.)  Seeds: the legacy fixtures real PyTorch wrote.
#include <cstdint>
#include <memory>
#include <string>

#include "archive/load.h"
#include "archive/save.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = std::make_shared<ptser::fuzz::StreamingSource>(
      std::string(reinterpret_cast<const char*>(data), size));
  const ptser::LoadOptions options = ptser::fuzz::FuzzLoadOptions();
  absl::StatusOr<ptser::Value> value = ptser::LoadFromSource(source, options);
  if (value.ok()) {
    ptser::SaveOptions save;
    save.format = ptser::SaveOptions::Format::kLegacy;
    (void)ptser::SaveToString(*value, "fuzz", save);
    ptser::ReleaseValueGraph(*value);
  }
  return 0;
}
