// Copyright ptser authors.
#include "tools/cli/common.h"

#include <cmath>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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

constexpr char kMaxPickleGrowthFlag[] = "--max-pickle-growth";

// What TakeLoadFlags() took, for ToolLoadOptions().
struct LoadFlags {
  double max_pickle_growth = LoadOptions().max_pickle_growth;
};
LoadFlags& TakenLoadFlags() {
  static LoadFlags* const flags = new LoadFlags;
  return *flags;
}

}  // namespace

int Fail(std::ostream& err, const absl::Status& s) {
  std::string message(s.message());
  const size_t hint = message.find(kRefusedGlobalHint);
  if (s.code() == absl::StatusCode::kPermissionDenied && hint != std::string::npos) {
    message.replace(hint, sizeof(kRefusedGlobalHint) - 1, kCliRefusedGlobalHint);
  }
  if (s.code() == absl::StatusCode::kResourceExhausted &&
      absl::StrContains(message, "LoadOptions::max_pickle_growth")) {
    absl::StrAppend(&message, " (on the command line: ", kMaxPickleGrowthFlag, " N)");
  }
  err << "ptser: " << message << "\n";
  return kUnreadable;
}

absl::Status TakeLoadFlags(std::vector<std::string>* args) {
  const absl::string_view flag = kMaxPickleGrowthFlag;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& a = (*args)[i];
    std::string value;
    if (a == flag) {
      if (i + 1 == args->size()) {
        return absl::InvalidArgumentError(absl::StrCat(flag, " takes a number"));
      }
      value = (*args)[++i];
    } else if (absl::StartsWith(a, absl::StrCat(flag, "="))) {
      value = a.substr(flag.size() + 1);
    } else {
      rest.push_back(a);
      continue;
    }
    double growth = 0;
    if (!absl::SimpleAtod(value, &growth) || !(growth > 0) || std::isinf(growth)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " takes a positive number (times the file's size), got '", value, "'"));
    }
    TakenLoadFlags().max_pickle_growth = growth;
  }
  *args = std::move(rest);
  return absl::OkStatus();
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
  options.max_pickle_growth = TakenLoadFlags().max_pickle_growth;
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
