// Copyright ptser authors.
//
// Fuzzes the tar format of the first PyTorch releases: TarReader (headers,
// PAX and GNU long names, every member read), then LoadTar through a
// memory-backed source (what a memory-mapped load takes) and through a
// streaming one (what a file opened for positioned reads takes), then saves
// what loaded.  Seeds: archive/testdata/tar_*.pt, made by real PyTorch's
// tar writer (archive/testdata/make_tar_fixtures.py).
#include <cstdint>
#include <memory>
#include <string>

#include "archive/byte_source.h"
#include "archive/load.h"
#include "archive/save.h"
#include "archive/tar_load.h"
#include "archive/tar_reader.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void LoadAndSave(std::shared_ptr<const ptser::ByteSource> source) {
  const ptser::LoadOptions options = ptser::fuzz::FuzzLoadOptions();
  absl::StatusOr<ptser::Value> value = ptser::LoadTar(source, options);
  if (value.ok()) {
    (void)ptser::SaveToString(*value, "fuzz");
    ptser::ReleaseValueGraph(*value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const ptser::ByteSource> memory(ptser::ByteSource::FromString(bytes, "fuzz"));
  ptser::TarReader::Options tar_options;
  tar_options.max_members = 4096;
  auto tar = ptser::TarReader::Open(memory, tar_options);
  if (tar.ok()) {
    for (const ptser::TarMember& m : (*tar)->members()) (void)(*tar)->Read(m);
  }
  LoadAndSave(memory);
  LoadAndSave(std::make_shared<ptser::fuzz::StreamingSource>(std::move(bytes)));
  return 0;
}
