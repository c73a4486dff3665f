// Copyright ptser authors.
//
// archive/zip_writer.h — writes a ZIP archive exactly as PyTorch 1.13's
// PyTorchStreamWriter (miniz) does, so that the same records give the same
// bytes.
//
// Every record is stored (uncompressed), its payload aligned to
// `alignment` bytes by an "FB" extra field of 'Z's, followed by a data
// descriptor; the archive always ends with ZIP64 end records; ZIP64 extras
// appear where a size or an offset reaches 0xFFFFFFFF.  Record names are
// written as "<prefix>/<name>".
//
// The writer streams: each record goes to the sink as it is written, so
// memory stays bounded by what the caller holds (the largest record), not the
// archive.  Only the central directory entries (a few dozen bytes a record)
// are kept until Finish().
//
//   StringSink sink;
//   ZipWriter zip(&sink, "float_tensor");
//   PTSER_RETURN_IF_ERROR(zip.WriteRecord("data.pkl", pickle.data(), pickle.size()));
//   PTSER_RETURN_IF_ERROR(zip.WriteRecord("data/0", bytes, 12));
//   PTSER_RETURN_IF_ERROR(zip.WriteRecord("version", "3\n", 2));
//   PTSER_RETURN_IF_ERROR(zip.Finish());
#ifndef PTSER_ARCHIVE_ZIP_WRITER_H_
#define PTSER_ARCHIVE_ZIP_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/byte_sink.h"

namespace ptser {

// The folder name PyTorch gives an archive saved to `path`: its base name
// (after the last '/' or '\\') up to its last '.'.  "out/a.b.pt" -> "a.b",
// "noext" -> "noext"; an empty result (".hidden", "dir/") is an
// InvalidArgumentError ("invalid file name"), as in PyTorch.
absl::StatusOr<std::string> ArchivePrefixForPath(absl::string_view path);

class ZipWriter {
 public:
  struct Options {
    // Payload alignment in bytes; PyTorch's is 64.  Must be a power of two
    // between 1 and 32768.  Default: 64.
    uint32_t alignment = 64;
    // Compute CRC-32s (newest PyTorch can turn this off and writes 0).
    // Default: true.
    bool compute_crc32 = true;
  };

  // `sink` must outlive the writer.
  ZipWriter(ByteSink* sink, std::string prefix, Options options);
  ZipWriter(ByteSink* sink, std::string prefix)
      : ZipWriter(sink, std::move(prefix), Options()) {}

  // Writes one record "<prefix>/<name>".  A second record of the same name is
  // an AlreadyExistsError.  After an error the writer refuses further writes.
  absl::Status WriteRecord(absl::string_view name, const void* data,
                           size_t size);

  // The same, from several pieces written back to back (no joined copy).
  absl::Status WriteRecordPieces(absl::string_view name,
                                 const std::vector<absl::string_view>& pieces);

  // The CRC-32 of the last record written (0 before any, or with
  // compute_crc32 off).
  uint32_t last_crc32() const { return entries_.empty() ? 0 : entries_.back().crc; }

  bool HasRecord(absl::string_view name) const;
  // Names (without the prefix) in writing order.
  std::vector<std::string> RecordNames() const;

  // Writes the central directory and the end records.
  absl::Status Finish();

  const std::string& prefix() const { return prefix_; }

 private:
  struct Entry {
    std::string full_name;
    uint64_t header_offset;
    uint64_t size;
    uint32_t crc;
  };

  absl::Status Write(const void* data, size_t n);
  absl::Status Check() const;

  ByteSink* sink_;
  std::string prefix_;
  Options options_;
  std::vector<Entry> entries_;
  absl::flat_hash_set<std::string> names_;
  bool finished_ = false;
  absl::Status error_;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_ZIP_WRITER_H_
