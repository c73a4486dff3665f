// Copyright ptser authors.
#include "archive/torch_archive.h"

#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"

namespace ptser {

bool TorchArchive::LooksLikeZip(const ByteSource& source) {
  char magic[4];
  if (source.size() < 4 || !source.ReadAt(0, 4, magic).ok()) return false;
  return std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

absl::StatusOr<std::unique_ptr<TorchArchive>> TorchArchive::Open(
    std::shared_ptr<const ByteSource> source, ZipReader::Options options) {
  if (source == nullptr) return absl::InvalidArgumentError("null ByteSource");
  char magic[8];
  if (source->size() > 8 && source->ReadAt(0, 8, magic).ok() &&
      std::memcmp(magic, "PYTORCH1", 8) == 0) {
    return absl::UnimplementedError(absl::StrCat(
        "'", source->name(),
        "' is in the PYTORCH1 format of PyTorch's 2018 preview release, which "
        "neither PyTorch nor ptser reads"));
  }
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ZipReader> zip,
                         ZipReader::Open(std::move(source), options));
  std::unique_ptr<TorchArchive> archive(new TorchArchive(std::move(zip)));
  PTSER_RETURN_IF_ERROR(archive->Init());
  return archive;
}

absl::Status TorchArchive::Init() {
  const std::string& name = zip_->source().name();
  if (zip_->entries().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", name, "' is an empty zip archive"));
  }
  const absl::string_view first = zip_->entries()[0].name;
  size_t slash = first.find('/');
  if (slash == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", name, "': file in archive is not in a subdirectory: '", first, "'"));
  }
  prefix_ = std::string(first.substr(0, slash));
  // Every name is "<prefix>/<something>" (100,000 of them for as many
  // tensors: one compare each).
  const absl::string_view folder = first.substr(0, slash + 1);
  for (const ZipEntry& e : zip_->entries()) {
    if (e.name.size() <= folder.size() || !absl::StartsWith(e.name, folder)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", name, "': record '", e.name, "' is outside the archive folder '",
          prefix_, "/'"));
    }
  }
  std::string record = HasRecord(".data/version") ? ".data/version" : "version";
  if (!HasRecord(record)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' has no version record ('", prefix_, "/version')"));
  }
  PTSER_ASSIGN_OR_RETURN(const ZipEntry* entry, FindRecord(record));
  if (entry->uncompressed_size > 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", name, "': record '", record, "' is ", entry->uncompressed_size,
        " bytes, not a version number"));
  }
  PTSER_ASSIGN_OR_RETURN(std::string text, ReadRecordString(record));
  absl::string_view digits = absl::StripTrailingAsciiWhitespace(text);
  uint64_t version = 0;
  if (digits.empty() || !absl::ascii_isdigit(digits[0]) ||
      !absl::SimpleAtoi(digits, &version)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", name, "': record '", record, "' holds '", absl::CHexEscape(text),
        "', not a version number"));
  }
  if (version < kMinSupportedFileFormatVersion || version > kMaxSupportedFileFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", name, "' has file format version ", version, "; ptser reads versions ",
        kMinSupportedFileFormatVersion, " to ", kMaxSupportedFileFormatVersion,
        " (as PyTorch does)"));
  }
  version_ = version;
  return absl::OkStatus();
}

bool TorchArchive::HasRecord(absl::string_view name) const {
  return zip_->Has(absl::StrCat(prefix_, "/", name));
}

std::vector<std::string> TorchArchive::RecordNames() const {
  std::vector<std::string> names;
  for (const ZipEntry& e : zip_->entries()) names.push_back(std::string(e.name.substr(prefix_.size() + 1)));
  return names;
}

absl::StatusOr<const ZipEntry*> TorchArchive::FindRecord(absl::string_view name) const {
  return zip_->Find(absl::StrCat(prefix_, "/", name));
}

absl::StatusOr<Storage> TorchArchive::ReadRecord(absl::string_view name) const {
  PTSER_ASSIGN_OR_RETURN(const ZipEntry* e, FindRecord(name));
  if (absl::EndsWith(name, ".pkl")) {
    const std::string limit_name = absl::StrCat(
        "pickles may inflate to ", zip_->options().max_pickle_growth,
        " times the file's size, at least 1 MiB; raise LoadOptions::max_pickle_growth "
        "(ZipReader::Options::max_pickle_growth) to allow more");
    return zip_->ReadAtMost(*e, zip_->MaxPickleBytes(), limit_name);
  }
  return zip_->Read(*e);
}

absl::StatusOr<std::string> TorchArchive::ReadRecordString(absl::string_view name) const {
  PTSER_ASSIGN_OR_RETURN(Storage bytes, ReadRecord(name));
  return std::string(static_cast<const char*>(bytes.data()), bytes.nbytes());
}

absl::StatusOr<std::optional<std::string>> TorchArchive::ByteOrder() const {
  if (!HasRecord("byteorder")) return std::optional<std::string>();
  PTSER_ASSIGN_OR_RETURN(std::string order, ReadRecordString("byteorder"));
  if (order != "little" && order != "big") {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", zip_->source().name(), "': record 'byteorder' says '",
        absl::CHexEscape(order), "', not 'little' or 'big'"));
  }
  return std::optional<std::string>(order);
}

}  // namespace ptser
