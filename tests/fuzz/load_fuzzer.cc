// Copyright ptser authors.
//
// Fuzzes the whole ptser::Load from bytes (the memory-backed path is the one
// a memory-mapped load takes): zip and legacy files, the pickle, the storage
// records, then saving what loaded.  CRC checks are off so that mutations
// reach the structures behind them.
#include <cstdint>
#include <memory>
#include <string>

#include "archive/byte_source.h"
#include "archive/load.h"
#include "archive/save.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const ptser::ByteSource> source(ptser::ByteSource::FromString(bytes, "fuzz"));
  const ptser::LoadOptions options = ptser::fuzz::FuzzLoadOptions();
  absl::StatusOr<ptser::Value> value = ptser::LoadFromSource(source, options);
  if (value.ok()) {
    (void)ptser::SaveToString(*value, "fuzz");
    ptser::ReleaseValueGraph(*value);
  }
  return 0;
}
