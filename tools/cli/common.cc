// Copyright ptser authors.
#include "tools/cli/common.h"

#include <memory>
#include <utility>

#include "absl/strings/str_join.h"
#include "archive/byte_source.h"
#include "archive/tar_reader.h"
#include "archive/torch_archive.h"
#include "base/status_macros.h"
#include "pickle/unpickler.h"

namespace ptser {
namespace cli {
namespace {

// A refused global's message ends with the API's ways out (unpickler.h);
// on the command line the way out is a flag.
constexpr char kCliRefusedGlobalHint[] =
    " (nothing was run); `ptser verify FILE` lists every global the file names, and "
    "`ptser inspect FILE --keep-unknown-globals` shows the file with unknown classes kept "
    "as inert objects";

}  // namespace

int Fail(std::ostream& err, const absl::Status& s) {
  std::string message(s.message());
  const size_t hint = message.find(kRefusedGlobalHint);
  if (s.code() == absl::StatusCode::kPermissionDenied && hint != std::string::npos) {
    message.replace(hint, sizeof(kRefusedGlobalHint) - 1, kCliRefusedGlobalHint);
  }
  err << "ptser: " << message << "\n";
  return kUnreadable;
}

const char* FormatName(FileFormat f) {
  switch (f) {
    case FileFormat::kZip: return "zip (torch.save, PyTorch >= 1.6)";
    case FileFormat::kTorchScript: return "TorchScript archive";
    case FileFormat::kLegacy: return "legacy (_use_new_zipfile_serialization=False)";
    case FileFormat::kTar: return "tar (PyTorch <= 0.1.9)";
    case FileFormat::kSafetensors: return "safetensors";
    case FileFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

LoadOptions ToolLoadOptions() {
  LoadOptions options;
  options.map_location = MapLocation::To(Device::Cpu());
  // Mapped: storages are slices of the file, so convert/compact stream from
  // the page cache instead of copying the checkpoint into memory first.
  // Every record's CRC is still checked.
  options.mmap = true;
  options.verify_crc32_when_mapped = true;
  return options;
}

absl::StatusOr<Value> LoadForTools(const std::string& path, const LoadOptions& options,
                                   SafetensorsMetadata* metadata) {
  if (EndsWith(path, ".safetensors")) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::MapFile(path));
    return LoadSafetensors(std::shared_ptr<const ByteSource>(std::move(src)), metadata);
  }
  return Load(path, options);
}

std::string KeyName(const Value& key) {
  return key.is_str() ? key.as_string() : key.Repr(Value::kMessageReprChars);
}

std::string Shape(const std::vector<int64_t>& v) {
  return absl::StrCat("(", absl::StrJoin(v, ", "), v.size() == 1 ? ",)" : ")");
}

absl::StatusOr<Storage> PickleBytes(const std::string& path, FileFormat format) {
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::MapFile(path));
  std::shared_ptr<const ByteSource> source(std::move(src));
  if (format == FileFormat::kZip || format == FileFormat::kTorchScript) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive, TorchArchive::Open(source));
    return archive->ReadRecord("data.pkl");
  }
  if (format == FileFormat::kTar) {
    // The object pickle of the old tar format is its `pickle` member.
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TarReader> tar, TarReader::Open(source));
    return tar->ReadFile("pickle");
  }
  return source->StorageAt(0, source->size());
}

absl::string_view View(const Storage& s) {
  return absl::string_view(static_cast<const char*>(s.data()), s.nbytes());
}

}  // namespace cli
}  // namespace ptser
