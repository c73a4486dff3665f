// Copyright ptser authors.
//
// archive/test_util.h — helpers for archive/ tests (testonly): fixtures,
// memory sources, a big-endian archive made from a little-endian one.
#ifndef PTSER_ARCHIVE_TEST_UTIL_H_
#define PTSER_ARCHIVE_TEST_UTIL_H_

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/torch_archive.h"
#include "archive/zip_writer.h"
#include "base/status_macros.h"

namespace ptser {
namespace archive_test {

// The bytes of archive/testdata/<name> (empty when missing).
inline std::string ReadFixture(const std::string& name) {
  std::ifstream in("archive/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A memory-backed source over a copy of `bytes`.
inline std::shared_ptr<const ByteSource> MemorySource(const std::string& bytes,
                                                      const std::string& name = "test.pt") {
  return std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, name));
}

// `little`, a zip torch.save wrote on a little-endian machine, as PyTorch
// 2.1+ writes it on a big-endian one: each element of every storage record
// (`data/...`, `item_size` bytes each) reversed, and a `byteorder` record
// holding "big" before `version`.  `prefix` is the archive's folder.
//
//   ASSERT_OK_AND_ASSIGN(std::string little, SaveToString(Value::FromTensor(t), "be"));
//   ASSERT_OK_AND_ASSIGN(std::string big, BigEndianArchive(little, "be", 4));  // int32
inline absl::StatusOr<std::string> BigEndianArchive(const std::string& little,
                                                    const std::string& prefix, size_t item_size) {
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> src,
                         TorchArchive::Open(MemorySource(little, prefix + ".pt")));
  StringSink sink;
  ZipWriter zip(&sink, prefix);
  for (const std::string& name : src->RecordNames()) {
    PTSER_ASSIGN_OR_RETURN(std::string data, src->ReadRecordString(name));
    if (absl::StartsWith(name, "data/")) {
      for (size_t i = 0; i + item_size <= data.size(); i += item_size) {
        std::reverse(data.begin() + i, data.begin() + i + item_size);
      }
    }
    if (name == "version") PTSER_RETURN_IF_ERROR(zip.WriteRecord("byteorder", "big", 3));
    PTSER_RETURN_IF_ERROR(zip.WriteRecord(name, data.data(), data.size()));
  }
  PTSER_RETURN_IF_ERROR(zip.Finish());
  return sink.data();
}

}  // namespace archive_test
}  // namespace ptser

#endif  // PTSER_ARCHIVE_TEST_UTIL_H_
