// Copyright ptser authors.
//
// Fuzzes LoadSafetensors from bytes (the 8-byte length, the JSON header, the
// data), then writes what loaded back with SaveSafetensors.  Seeds:
// safetensors files ptser converted from archive/testdata fixtures, and
// hand-made hostile headers (issue 12 §2/§4: deep nesting, many numbers).
#include <cstdint>
#include <memory>
#include <string>

#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const ptser::ByteSource> source(
      ptser::ByteSource::FromString(bytes, "fuzz.safetensors"));
  absl::StatusOr<ptser::Value> value = ptser::LoadSafetensors(source);
  if (value.ok()) {
    ptser::StringSink sink;
    (void)ptser::SaveSafetensors(*value, &sink, nullptr);
  }
  return 0;
}
