// Copyright ptser authors.
//
// Fuzzes ZipReader and TorchArchive: open, then read every record.
#include <cstdint>
#include <memory>
#include <string>

#include "archive/byte_source.h"
#include "archive/torch_archive.h"
#include "archive/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const ptser::ByteSource> source(
      ptser::ByteSource::FromString(bytes, "fuzz"));
  ptser::ZipReader::Options options;
  options.max_record_bytes = 64 << 20;  // keep the fuzzer's memory bounded
  auto zip = ptser::ZipReader::Open(source, options);
  if (zip.ok()) {
    for (const ptser::ZipEntry& e : (*zip)->entries()) (void)(*zip)->Read(e);
  }
  auto archive = ptser::TorchArchive::Open(source, options);
  if (archive.ok()) {
    (void)(*archive)->ByteOrder();
    for (const std::string& name : (*archive)->RecordNames()) {
      (void)(*archive)->ReadRecord(name);
    }
  }
  return 0;
}
