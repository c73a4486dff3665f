// Copyright ptser authors.
#include "archive/zip_writer.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/crc32.h"
#include "archive/zip_format.h"
#include "base/endian.h"
#include "base/side_thread.h"
#include "base/status_macros.h"

namespace ptser {

absl::StatusOr<std::string> ArchivePrefixForPath(absl::string_view path) {
  size_t slash = path.find_last_of("/\\");
  absl::string_view base =
      slash == absl::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot != absl::string_view::npos) base = base.substr(0, dot);
  if (base.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid file name '", path,
                     "': the archive folder would be empty"));
  }
  return std::string(base);
}

ZipWriter::ZipWriter(ByteSink* sink, std::string prefix, Options options)
    : sink_(sink), prefix_(std::move(prefix)), options_(options) {
  uint32_t a = options_.alignment;
  if (a == 0 || a > 32768 || (a & (a - 1)) != 0) {
    error_ = absl::InvalidArgumentError(
        absl::StrCat("alignment ", a, " is not a power of two up to 32768"));
  }
}

absl::Status ZipWriter::Check() const {
  if (!error_.ok()) return error_;
  if (finished_) {
    return absl::FailedPreconditionError("the archive is already finished");
  }
  return absl::OkStatus();
}

absl::Status ZipWriter::Write(const void* data, size_t n) {
  absl::Status s = sink_->Write(data, n);
  if (!s.ok()) error_ = s;
  return s;
}

bool ZipWriter::HasRecord(absl::string_view name) const {
  return names_.contains(name);
}

std::vector<std::string> ZipWriter::RecordNames() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.full_name.substr(prefix_.size() + 1));
  return out;
}

absl::Status ZipWriter::WriteRecord(absl::string_view name, const void* data,
                                    size_t size) {
  return WriteRecordPieces(
      name, {absl::string_view(static_cast<const char*>(data), size)});
}

namespace {

// Records at least this large have their CRC-32 computed beside the write:
// from 4 MiB on the CRC (~250 us from memory) costs more than starting a
// thread (~40 us); a 1 GiB checkpoint of 5 MB tensors saves ~60 ms.
constexpr uint64_t kCrcBesideWriteBytes = uint64_t{4} << 20;

}  // namespace

absl::Status ZipWriter::WriteRecordPieces(
    absl::string_view name, const std::vector<absl::string_view>& pieces) {
  PTSER_RETURN_IF_ERROR(Check());
  if (names_.contains(name)) {
    return absl::AlreadyExistsError(
        absl::StrCat("record '", name, "' was already written"));
  }
  std::string full_name = absl::StrCat(prefix_, "/", name);
  if (full_name.size() > 0xFFFF) {
    return absl::InvalidArgumentError(
        absl::StrCat("record name of ", full_name.size(), " bytes is too long"));
  }
  uint64_t size = 0;
  for (absl::string_view p : pieces) size += p.size();
  const uint64_t offset = sink_->position();
  const bool big_size = size >= zip::kZip64Threshold;
  const bool big_offset = offset >= zip::kZip64Threshold;

  // 4.3.7 local file header; sizes and CRC follow in the data descriptor.
  std::string header;
  header.reserve(zip::kLocalHeaderSize + full_name.size() + 128);
  AppendLE32(&header, zip::kLocalHeaderSignature);
  AppendLE16(&header, 0);  // version needed: miniz writes 0
  AppendLE16(&header, size > 0 ? (zip::kFlagUtf8 | zip::kFlagDataDescriptor)
                               : zip::kFlagUtf8);
  AppendLE16(&header, zip::kMethodStored);
  AppendLE16(&header, 0);  // time
  AppendLE16(&header, 0);  // date
  AppendLE32(&header, 0);  // crc (in the descriptor)
  AppendLE32(&header, 0);  // compressed size
  AppendLE32(&header, 0);  // uncompressed size
  std::string extra;
  if (big_size || big_offset) {
    // 4.5.3 ZIP64 extra: uncompressed, compressed (0 here), header offset.
    AppendLE16(&extra, zip::kZip64ExtraId);
    AppendLE16(&extra, static_cast<uint16_t>((big_size ? 16 : 0) + (big_offset ? 8 : 0)));
    if (big_size) {
      AppendLE64(&extra, size);
      AppendLE64(&extra, 0);
    }
    if (big_offset) AppendLE64(&extra, offset);
  }
  const uint64_t unpadded =
      offset + zip::kLocalHeaderSize + full_name.size() + extra.size() + 4;
  const uint32_t align = options_.alignment;
  const uint16_t pad = static_cast<uint16_t>((align - unpadded % align) % align);
  AppendLE16(&extra, zip::kPaddingExtraId);
  AppendLE16(&extra, pad);
  extra.append(pad, 'Z');
  AppendLE16(&header, static_cast<uint16_t>(full_name.size()));
  AppendLE16(&header, static_cast<uint16_t>(extra.size()));
  header += full_name;
  header += extra;
  // The CRC-32 goes in the data descriptor, after the bytes: for a large
  // record it is computed on a second thread while the bytes are written
  // (256 MiB: the ~20 ms of the CRC hidden behind the write on the project
  // machine), and joined before anything returns.
  uint32_t crc = 0;
  const auto compute_crc = [&pieces, &crc] {
    for (absl::string_view p : pieces) crc = Crc32(crc, p.data(), p.size());
  };
  std::optional<SideThread> crc_pass;
  if (options_.compute_crc32) crc_pass.emplace(compute_crc, size >= kCrcBesideWriteBytes);
  PTSER_RETURN_IF_ERROR(Write(header.data(), header.size()));
  for (absl::string_view p : pieces) {
    if (!p.empty()) PTSER_RETURN_IF_ERROR(Write(p.data(), p.size()));
  }
  if (crc_pass.has_value()) crc_pass->Join();
  if (size > 0) {
    // 4.3.9 data descriptor, 8-byte sizes when either value is large.
    std::string descriptor;
    AppendLE32(&descriptor, zip::kDataDescriptorSignature);
    AppendLE32(&descriptor, crc);
    if (big_size || big_offset) {
      AppendLE64(&descriptor, size);
      AppendLE64(&descriptor, size);
    } else {
      AppendLE32(&descriptor, static_cast<uint32_t>(size));
      AppendLE32(&descriptor, static_cast<uint32_t>(size));
    }
    PTSER_RETURN_IF_ERROR(Write(descriptor.data(), descriptor.size()));
  }
  names_.insert(std::string(name));
  entries_.push_back(Entry{std::move(full_name), offset, size, crc});
  return absl::OkStatus();
}

absl::Status ZipWriter::Finish() {
  PTSER_RETURN_IF_ERROR(Check());
  const uint64_t cd_offset = sink_->position();
  std::string cd;
  for (const Entry& e : entries_) {
    const bool big_size = e.size >= zip::kZip64Threshold;
    const bool big_offset = e.header_offset >= zip::kZip64Threshold;
    std::string extra;
    if (big_size || big_offset) {
      AppendLE16(&extra, zip::kZip64ExtraId);
      AppendLE16(&extra, static_cast<uint16_t>((big_size ? 16 : 0) + (big_offset ? 8 : 0)));
      if (big_size) {
        AppendLE64(&extra, e.size);
        AppendLE64(&extra, e.size);
      }
      if (big_offset) AppendLE64(&extra, e.header_offset);
    }
    // 4.3.12 central directory file header.
    AppendLE32(&cd, zip::kCentralHeaderSignature);
    AppendLE16(&cd, 0);  // version made by
    AppendLE16(&cd, 0);  // version needed
    AppendLE16(&cd, e.size > 0 ? (zip::kFlagUtf8 | zip::kFlagDataDescriptor)
                               : zip::kFlagUtf8);
    AppendLE16(&cd, zip::kMethodStored);
    AppendLE16(&cd, 0);
    AppendLE16(&cd, 0);
    AppendLE32(&cd, e.crc);
    const uint32_t size32 = big_size ? 0xFFFFFFFFu : static_cast<uint32_t>(e.size);
    AppendLE32(&cd, size32);
    AppendLE32(&cd, size32);
    AppendLE16(&cd, static_cast<uint16_t>(e.full_name.size()));
    AppendLE16(&cd, static_cast<uint16_t>(extra.size()));
    AppendLE16(&cd, 0);  // comment length
    AppendLE16(&cd, 0);  // disk
    AppendLE16(&cd, 0);  // internal attributes
    AppendLE32(&cd, 0);  // external attributes
    AppendLE32(&cd, big_offset ? 0xFFFFFFFFu : static_cast<uint32_t>(e.header_offset));
    cd += e.full_name;
    cd += extra;
  }
  const uint64_t cd_size = cd.size();
  const uint64_t zip64_end_offset = cd_offset + cd_size;
  const uint64_t n = entries_.size();
  // 4.3.14 ZIP64 end of central directory record (miniz always writes it).
  AppendLE32(&cd, zip::kZip64EndSignature);
  AppendLE64(&cd, zip::kZip64EndSize - 12);
  AppendLE16(&cd, zip::kZip64VersionMadeBy);
  AppendLE16(&cd, zip::kZip64VersionNeeded);
  AppendLE32(&cd, 0);
  AppendLE32(&cd, 0);
  AppendLE64(&cd, n);
  AppendLE64(&cd, n);
  AppendLE64(&cd, cd_size);
  AppendLE64(&cd, cd_offset);
  // 4.3.15 locator.
  AppendLE32(&cd, zip::kZip64LocatorSignature);
  AppendLE32(&cd, 0);
  AppendLE64(&cd, zip64_end_offset);
  AppendLE32(&cd, 1);
  // 4.3.16 end of central directory record.
  AppendLE32(&cd, zip::kEndSignature);
  AppendLE16(&cd, 0);
  AppendLE16(&cd, 0);
  AppendLE16(&cd, static_cast<uint16_t>(std::min<uint64_t>(n, 0xFFFF)));
  AppendLE16(&cd, static_cast<uint16_t>(std::min<uint64_t>(n, 0xFFFF)));
  AppendLE32(&cd, static_cast<uint32_t>(std::min<uint64_t>(cd_size, 0xFFFFFFFFu)));
  AppendLE32(&cd, static_cast<uint32_t>(std::min<uint64_t>(cd_offset, 0xFFFFFFFFu)));
  AppendLE16(&cd, 0);
  PTSER_RETURN_IF_ERROR(Write(cd.data(), cd.size()));
  finished_ = true;
  return absl::OkStatus();
}

}  // namespace ptser
