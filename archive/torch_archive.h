// Copyright ptser authors.
//
// archive/torch_archive.h — a ZIP archive read the way PyTorch's
// PyTorchStreamReader reads it (docs/formats/zip.md):
//
// 1. A file starting with "PYTORCH1" is the 2018 preview format: refused by
//    name.
// 2. The archive folder ("prefix") is the first central-directory entry's
//    name up to its first '/'; whatever the file is called, any folder name
//    works.  An entry outside that folder is an error.
// 3. Records are looked up by their name inside the folder ("data.pkl",
//    "data/0", "version", "byteorder", ".data/serialization_id", ...), never
//    by position.
// 4. The version comes from ".data/version" when present, else "version";
//    it must be a decimal number from 1 to 10 (a trailing newline is fine).
// 5. An archive with a "constants.pkl" record is a TorchScript archive.
//
//   PTSER_ASSIGN_OR_RETURN(auto archive, TorchArchive::Open(source));
//   archive->prefix();                      // "float_tensor"
//   archive->version();                     // 3
//   PTSER_ASSIGN_OR_RETURN(Storage pkl, archive->ReadRecord("data.pkl"));
#ifndef PTSER_ARCHIVE_TORCH_ARCHIVE_H_
#define PTSER_ARCHIVE_TORCH_ARCHIVE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/byte_source.h"
#include "archive/zip_reader.h"
#include "tensor/storage.h"

namespace ptser {

// The version numbers PyTorch reads (caffe2/serialize/versions.h).
inline constexpr uint64_t kMinSupportedFileFormatVersion = 1;
inline constexpr uint64_t kMaxSupportedFileFormatVersion = 10;

class TorchArchive {
 public:
  static absl::StatusOr<std::unique_ptr<TorchArchive>> Open(
      std::shared_ptr<const ByteSource> source, ZipReader::Options options);
  static absl::StatusOr<std::unique_ptr<TorchArchive>> Open(
      std::shared_ptr<const ByteSource> source) {
    return Open(std::move(source), ZipReader::Options());
  }

  // True when `source` starts with the ZIP local header signature "PK\3\4"
  // (what torch.load tests to choose the zip path).
  static bool LooksLikeZip(const ByteSource& source);

  const std::string& prefix() const { return prefix_; }
  uint64_t version() const { return version_; }
  bool is_torchscript() const { return HasRecord("constants.pkl"); }

  bool HasRecord(absl::string_view name) const;
  // Record names inside the folder, in central-directory order.
  std::vector<std::string> RecordNames() const;
  absl::StatusOr<const ZipEntry*> FindRecord(absl::string_view name) const;
  // A pickle record (a name ending in ".pkl") that declares more than
  // ZipReader::Options::max_pickle_growth times the file's size is refused
  // (ResourceExhausted) before it is inflated.
  absl::StatusOr<Storage> ReadRecord(absl::string_view name) const;
  absl::StatusOr<std::string> ReadRecordString(absl::string_view name) const;

  // "little", "big", or nullopt when there is no byteorder record.
  absl::StatusOr<std::optional<std::string>> ByteOrder() const;

  const ZipReader& zip() const { return *zip_; }
  ZipReader& mutable_zip() { return *zip_; }

 private:
  explicit TorchArchive(std::unique_ptr<ZipReader> zip) : zip_(std::move(zip)) {}
  absl::Status Init();

  std::unique_ptr<ZipReader> zip_;
  std::string prefix_;
  uint64_t version_ = 0;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_TORCH_ARCHIVE_H_
