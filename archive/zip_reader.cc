// Copyright ptser authors.
#include "archive/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "archive/crc32.h"
#include "archive/differential.h"
#include "archive/zip_format.h"
#include "base/endian.h"
#include "base/status_macros.h"

namespace ptser {
namespace {

absl::Status Corrupt(const ByteSource& src, uint64_t offset,
                     absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("'", src.name(), "' at offset ", offset, ": ", what));
}

absl::Status Malformed(const ByteSource& src, uint64_t offset,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("'", src.name(), "' at offset ", offset, ": ", what));
}

// Reads the 4.5.3 ZIP64 extra of a central entry: the 64-bit values appear,
// in this order, only for the 32-bit fields that are saturated.
absl::Status ApplyZip64Extra(const ByteSource& src, uint64_t offset,
                             const uint8_t* extra, size_t extra_len,
                             bool want_usize, bool want_csize,
                             bool want_offset, ZipEntry* e) {
  size_t pos = 0;
  while (pos + 4 <= extra_len) {
    uint16_t id = LoadLE16(extra + pos);
    uint16_t len = LoadLE16(extra + pos + 2);
    if (pos + 4 + len > extra_len) {
      return Malformed(src, offset,
                       absl::StrCat("extra field of record '", e->name,
                                    "' runs past its end"));
    }
    if (id == zip::kZip64ExtraId) {
      const uint8_t* p = extra + pos + 4;
      size_t need = (want_usize ? 8 : 0) + (want_csize ? 8 : 0) + (want_offset ? 8 : 0);
      if (len < need) {
        return Malformed(src, offset,
                         absl::StrCat("ZIP64 extra of record '", e->name,
                                      "' is ", len, " bytes, needs ", need));
      }
      if (want_usize) { e->uncompressed_size = LoadLE64(p); p += 8; }
      if (want_csize) { e->compressed_size = LoadLE64(p); p += 8; }
      if (want_offset) { e->header_offset = LoadLE64(p); p += 8; }
      return absl::OkStatus();
    }
    pos += 4 + len;
  }
  if (want_usize || want_csize || want_offset) {
    return Malformed(src, offset,
                     absl::StrCat("record '", e->name,
                                  "' has a saturated size or offset but no ZIP64 extra"));
  }
  return absl::OkStatus();
}

// The end record's place in `tail` (the file's last bytes, at most 22 +
// 65535).  PyTorch's zip reader (miniz) takes the last end signature with 22
// bytes after it, whatever its comment length says; the zip specification
// (and ptser) takes the record whose comment ends the file.  The two agree
// only when the last signature is that record and no other signature in the
// tail could be an end record; anything else is a differential.
absl::StatusOr<uint64_t> FindEndRecord(const ByteSource& src, absl::string_view tail) {
  const uint8_t* t = reinterpret_cast<const uint8_t*>(tail.data());
  const uint64_t tail_len = tail.size();
  const uint64_t tail_at = src.size() - tail_len;
  int64_t last_signature = -1;  // any, even one too close to the end
  int64_t last_whole = -1;      // the last with a whole record after it (miniz's)
  int64_t matching = -1;        // the last whose comment ends the file
  int matches = 0;
  for (int64_t i = static_cast<int64_t>(tail_len) - 4; i >= 0; --i) {
    if (LoadLE32(t + i) != zip::kEndSignature) continue;
    if (last_signature < 0) last_signature = i;
    if (static_cast<uint64_t>(i) + zip::kEndSize > tail_len) continue;
    if (last_whole < 0) last_whole = i;
    if (LoadLE16(t + i + 20) == tail_len - i - zip::kEndSize) {
      if (matching < 0) matching = i;
      ++matches;
    }
  }
  if (matching < 0) {
    return Corrupt(src, src.size(),
                   "no end of central directory record (not a zip archive, or truncated)");
  }
  const uint64_t at = tail_at + static_cast<uint64_t>(matching);
  // miniz reads another record, or the comment hides a signature a reader
  // searching from the end would stop at.
  if (last_whole != matching ||
      static_cast<uint64_t>(last_signature) >= static_cast<uint64_t>(matching) + zip::kEndSize) {
    return DifferentialError(
        absl::StrCat("'", src.name(), "' at offset ", at, ": "),
        absl::StrCat("an end of central directory signature at offset ",
                     tail_at + static_cast<uint64_t>(last_signature),
                     " follows the end record; PyTorch's zip reader takes the last one"));
  }
  if (matches > 1) {
    return DifferentialError(
        absl::StrCat("'", src.name(), "' at offset ", at, ": "),
        "the file has more than one end of central directory record whose comment reaches "
        "the end of the file; zip readers differ in which one they take");
  }
  return static_cast<uint64_t>(matching);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ZipReader>> ZipReader::Open(
    std::shared_ptr<const ByteSource> source, Options options) {
  if (source == nullptr) return absl::InvalidArgumentError("null ByteSource");
  std::unique_ptr<ZipReader> reader(new ZipReader(std::move(source), options));
  PTSER_RETURN_IF_ERROR(reader->ReadDirectory());
  return reader;
}

absl::Status ZipReader::ReadDirectory() {
  const ByteSource& src = *source_;
  const uint64_t size = src.size();
  if (size < zip::kEndSize) {
    return Corrupt(src, 0, absl::StrCat("not a zip archive: ", size,
                                        " bytes is shorter than an end record"));
  }
  // 4.3.16: the end record, followed by a comment of up to 65535 bytes.
  const uint64_t tail_len = std::min<uint64_t>(size, zip::kEndSize + 0xFFFF);
  std::string tail(tail_len, '\0');
  PTSER_RETURN_IF_ERROR(src.ReadAt(size - tail_len, tail_len, tail.data()));
  PTSER_ASSIGN_OR_RETURN(const uint64_t found, FindEndRecord(src, tail));
  const uint8_t* t = reinterpret_cast<const uint8_t*>(tail.data());
  const uint64_t end_offset = size - tail_len + static_cast<uint64_t>(found);
  const uint8_t* end = t + found;
  if (LoadLE16(end + 4) != 0 || LoadLE16(end + 6) != 0) {
    return absl::UnimplementedError(absl::StrCat(
        "'", src.name(), "' at offset ", end_offset, ": multi-disk zip archives are not supported"));
  }
  uint64_t count = LoadLE16(end + 10);
  // miniz (mz_zip_reader_read_central_dir) refuses an archive whose end record
  // counts other entries on this disk than in all, and so does ptser: where
  // PyTorch's reader stops, ptser reading on would judge a file nobody loads.
  uint64_t count_on_disk = LoadLE16(end + 8);
  uint64_t count_at = end_offset + 8;
  uint64_t cd_size = LoadLE32(end + 12);
  uint64_t cd_offset = LoadLE32(end + 16);
  uint64_t cd_end_limit = end_offset;
  // 4.3.15: a ZIP64 locator just before the end record points at the ZIP64 end.
  if (end_offset >= zip::kZip64LocatorSize) {
    uint8_t loc[zip::kZip64LocatorSize];
    uint64_t loc_offset = end_offset - zip::kZip64LocatorSize;
    PTSER_RETURN_IF_ERROR(src.ReadAt(loc_offset, sizeof(loc), loc));
    if (LoadLE32(loc) == zip::kZip64LocatorSignature) {
      uint64_t z64_offset = LoadLE64(loc + 8);
      if (z64_offset > loc_offset || loc_offset - z64_offset < zip::kZip64EndSize) {
        return Corrupt(src, loc_offset,
                       absl::StrCat("ZIP64 locator points at ", z64_offset,
                                    ", not before itself"));
      }
      uint8_t z64[zip::kZip64EndSize];
      PTSER_RETURN_IF_ERROR(src.ReadAt(z64_offset, sizeof(z64), z64));
      if (LoadLE32(z64) != zip::kZip64EndSignature) {
        return Corrupt(src, z64_offset, "bad ZIP64 end of central directory signature");
      }
      // miniz reads the disk numbers and counts from the ZIP64 records, and
      // wants the locator to say the archive has exactly one disk.
      if (LoadLE32(loc + 16) != 1) {
        return absl::UnimplementedError(absl::StrCat(
            "'", src.name(), "' at offset ", loc_offset + 16, ": the ZIP64 locator says the archive has ",
            LoadLE32(loc + 16), " disks, not 1 (multi-disk zip archives are not supported; "
            "PyTorch's zip reader refuses them too)"));
      }
      if (LoadLE32(z64 + 16) != 0 || LoadLE32(z64 + 20) != 0) {
        return absl::UnimplementedError(absl::StrCat(
            "'", src.name(), "' at offset ", z64_offset + 16,
            ": the ZIP64 end record names disk ", LoadLE32(z64 + 16), " (directory on disk ",
            LoadLE32(z64 + 20), "): multi-disk zip archives are not supported"));
      }
      count = LoadLE64(z64 + 32);
      count_on_disk = LoadLE64(z64 + 24);
      count_at = z64_offset + 24;
      cd_size = LoadLE64(z64 + 40);
      cd_offset = LoadLE64(z64 + 48);
      cd_end_limit = z64_offset;
    }
  }
  if (count_on_disk != count) {
    return Corrupt(src, count_at,
                   absl::StrCat("the end of central directory record counts ", count_on_disk,
                                " entries on this disk but ", count,
                                " in all; PyTorch's zip reader (miniz) refuses such an archive "
                                "as multi-disk"));
  }
  if (cd_offset > cd_end_limit || cd_size > cd_end_limit - cd_offset) {
    return Corrupt(src, end_offset,
                   absl::StrCat("central directory (", cd_size, " bytes at offset ",
                                cd_offset, ") lies outside the file (", size, " bytes)"));
  }
  if (count > options_.max_entries) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "'", src.name(), "': ", count, " entries exceed the limit of ",
        options_.max_entries));
  }
  if (count * zip::kCentralHeaderSize > cd_size) {
    return Corrupt(src, cd_offset,
                   absl::StrCat(count, " entries cannot fit in a central directory of ",
                                cd_size, " bytes"));
  }
  cd_offset_ = cd_offset;
  // A source in memory is parsed in place; otherwise the directory is read.
  const uint8_t* p = src.memory() != nullptr ? src.memory() + cd_offset : nullptr;
  if (p == nullptr) {
    directory_.resize(cd_size);
    PTSER_RETURN_IF_ERROR(src.ReadAt(cd_offset, cd_size, directory_.data()));
    p = reinterpret_cast<const uint8_t*>(directory_.data());
  }
  entries_.reserve(count);
  std::vector<uint64_t> entry_offsets;  // each entry's place, for messages
  entry_offsets.reserve(count);
  uint64_t pos = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t at = cd_offset + pos;
    if (cd_size - pos < zip::kCentralHeaderSize) {
      return Corrupt(src, at, absl::StrCat("central directory ends inside entry ", i));
    }
    const uint8_t* h = p + pos;
    if (LoadLE32(h) != zip::kCentralHeaderSignature) {
      return Corrupt(src, at, absl::StrCat("bad signature of central directory entry ", i));
    }
    ZipEntry e;
    e.flags = LoadLE16(h + 8);
    e.method = LoadLE16(h + 10);
    e.crc32 = LoadLE32(h + 16);
    e.compressed_size = LoadLE32(h + 20);
    e.uncompressed_size = LoadLE32(h + 24);
    const uint16_t name_len = LoadLE16(h + 28);
    const uint16_t extra_len = LoadLE16(h + 30);
    const uint16_t comment_len = LoadLE16(h + 32);
    e.header_offset = LoadLE32(h + 42);
    // The disk the record starts on: miniz accepts this disk (0) and disk 1
    // (some writers number from 1), and refuses any other.
    const uint16_t disk = LoadLE16(h + 34);
    if (disk != 0 && disk != 1) {
      return absl::UnimplementedError(absl::StrCat(
          "'", src.name(), "' at offset ", at + 34, ": central directory entry ", i,
          " starts on disk ", disk, " (multi-disk zip archives are not supported; "
          "PyTorch's zip reader refuses them too)"));
    }
    const uint64_t var_len = uint64_t{name_len} + extra_len + comment_len;
    if (cd_size - pos - zip::kCentralHeaderSize < var_len) {
      return Corrupt(src, at, absl::StrCat("central directory entry ", i, " runs past the directory"));
    }
    e.name = absl::string_view(reinterpret_cast<const char*>(h + zip::kCentralHeaderSize), name_len);
    if (e.name.find('\0') != absl::string_view::npos) {
      // PyTorch lists records (getAllRecords: is it TorchScript?) as C
      // strings, so "archive/constants.pkl\0x" would be "constants.pkl" there.
      return DifferentialError(
          absl::StrCat("'", src.name(), "' at offset ", at, ": "),
          absl::StrCat("record name '", absl::CHexEscape(e.name),
                       "' holds a NUL byte; PyTorch's record list ends the name there"));
    }
    PTSER_RETURN_IF_ERROR(ApplyZip64Extra(
        src, at, h + zip::kCentralHeaderSize + name_len, extra_len,
        e.uncompressed_size == 0xFFFFFFFFu, e.compressed_size == 0xFFFFFFFFu,
        e.header_offset == 0xFFFFFFFFu, &e));
    if (e.flags & 0x0001) {
      return absl::UnimplementedError(absl::StrCat(
          "'", src.name(), "': record '", e.name, "' is encrypted"));
    }
    if (e.method != zip::kMethodStored && e.method != zip::kMethodDeflated) {
      return absl::UnimplementedError(absl::StrCat(
          "'", src.name(), "': record '", e.name, "' uses compression method ",
          e.method, " (only stored and deflated are supported)"));
    }
    if (e.method == zip::kMethodStored && e.compressed_size != e.uncompressed_size) {
      return Corrupt(src, at, absl::StrCat("stored record '", e.name, "' has compressed size ",
                                           e.compressed_size, " but uncompressed size ",
                                           e.uncompressed_size));
    }
    entries_.push_back(std::move(e));
    entry_offsets.push_back(at);
    pos += zip::kCentralHeaderSize + var_len;
  }
  // The index views the names, which view the directory.  It compares names
  // ignoring ASCII case, as PyTorch's zip reader looks them up (miniz's
  // binary search over names sorted ignoring case): two names that differ
  // only in case are one name there, and which one it finds is not ptser's
  // choice.
  if (entries_.size() >= 0xFFFFFFFFu) {  // positions + 1 are kept in 32 bits
    return absl::ResourceExhaustedError(absl::StrCat(
        "'", src.name(), "': ", entries_.size(), " entries are more than ptser indexes"));
  }
  size_t slots = 16;
  while (slots < 2 * entries_.size()) slots *= 2;
  index_.assign(slots, 0);
  for (size_t i = 0; i < entries_.size(); ++i) {
    const std::optional<size_t> same = IndexEntry(i);
    if (!same.has_value()) continue;
    const absl::string_view other = entries_[*same].name;
    if (other == entries_[i].name) {
      return Malformed(src, entry_offsets[i],
                       absl::StrCat("record '", entries_[i].name, "' appears twice"));
    }
    return DifferentialError(
        absl::StrCat("'", src.name(), "' at offset ", entry_offsets[i], ": "),
        absl::StrCat("records '", other, "' and '", entries_[i].name,
                     "' differ only in case (PyTorch's zip reader looks names up ignoring case)"));
  }
  // Records must not overlap each other or the directory: each one ends at
  // or before the next header (in file order) or the directory.
  std::vector<size_t> order(entries_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto by_offset = [this](size_t a, size_t b) {
    return entries_[a].header_offset < entries_[b].header_offset;
  };
  // Writers (torch.save included) list records in file order.
  if (!std::is_sorted(order.begin(), order.end(), by_offset)) {
    std::sort(order.begin(), order.end(), by_offset);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    ZipEntry& e = entries_[order[k]];
    e.limit = k + 1 < order.size() ? entries_[order[k + 1]].header_offset : cd_offset;
    const uint64_t min_len = zip::kLocalHeaderSize + e.name.size();
    if (e.header_offset > e.limit || e.limit - e.header_offset < min_len ||
        e.limit - e.header_offset - min_len < e.compressed_size) {
      return Corrupt(src, e.header_offset,
                     absl::StrCat("record '", e.name, "' (", e.compressed_size,
                                  " bytes) overlaps the next record or the central directory at offset ",
                                  e.limit));
    }
  }
  return absl::OkStatus();
}

size_t ZipReader::CaseFoldedHash::Fold(uint64_t word) {
  // Per byte: 0x20 added to 'A'..'Z' (SWAR: bit 7 of each lane says
  // ">= 'A'" and "> 'Z'" for the low seven bits; bytes >= 0x80 stay).
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  const uint64_t low7 = word & (0x7f * kOnes);
  const uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;
  const uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * kOnes;
  const uint64_t upper = ge_a & ~gt_z & ~word & (0x80 * kOnes);
  return static_cast<size_t>(word | (upper >> 2));
}

size_t ZipReader::CaseFoldedHash::operator()(absl::string_view s) const {
  size_t h = s.size();
  size_t pos = 0;
  for (; pos + 8 <= s.size(); pos += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + pos, 8);
    h = absl::Hash<std::pair<size_t, size_t>>()({h, Fold(word)});
  }
  if (pos < s.size()) {
    uint64_t word = 0;
    std::memcpy(&word, s.data() + pos, s.size() - pos);
    h = absl::Hash<std::pair<size_t, size_t>>()({h, Fold(word)});
  }
  return h;
}

bool ZipReader::CaseFoldedEq::operator()(absl::string_view a, absl::string_view b) const {
  return absl::EqualsIgnoreCase(a, b);
}

std::optional<size_t> ZipReader::IndexEntry(size_t i) {
  const absl::string_view name = entries_[i].name;
  const uint64_t hash = CaseFoldedHash()(name);
  const uint64_t tag = hash >> 32 << 32;
  const size_t mask = index_.size() - 1;
  for (size_t s = hash & mask;; s = (s + 1) & mask) {
    const uint64_t slot = index_[s];
    if (slot == 0) {
      index_[s] = tag | (i + 1);
      return std::nullopt;
    }
    const size_t other = static_cast<size_t>(slot & 0xFFFFFFFFu) - 1;
    if ((slot & ~uint64_t{0xFFFFFFFFu}) == tag && CaseFoldedEq()(entries_[other].name, name)) {
      return other;
    }
  }
}

const ZipEntry* ZipReader::Lookup(absl::string_view name) const {
  if (index_.empty()) return nullptr;
  const uint64_t hash = CaseFoldedHash()(name);
  const uint64_t tag = hash >> 32 << 32;
  const size_t mask = index_.size() - 1;
  // At most half the slots are used: the probe ends at an empty one.
  for (size_t s = hash & mask;; s = (s + 1) & mask) {
    const uint64_t slot = index_[s];
    if (slot == 0) return nullptr;
    const ZipEntry& e = entries_[static_cast<size_t>(slot & 0xFFFFFFFFu) - 1];
    if ((slot & ~uint64_t{0xFFFFFFFFu}) == tag && CaseFoldedEq()(e.name, name)) {
      // The one name equal ignoring case; found only if equal exactly.
      return e.name == name ? &e : nullptr;
    }
  }
}

absl::StatusOr<const ZipEntry*> ZipReader::Find(absl::string_view name) const {
  const ZipEntry* entry = Lookup(name);
  if (entry == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("'", source_->name(), "' has no record '", name, "'"));
  }
  return entry;
}

absl::StatusOr<uint64_t> ZipReader::DataOffset(const ZipEntry& e) const {
  const ByteSource& src = *source_;
  uint8_t h[zip::kLocalHeaderSize];
  PTSER_RETURN_IF_ERROR(src.ReadAt(e.header_offset, sizeof(h), h));
  if (LoadLE32(h) != zip::kLocalHeaderSignature) {
    return Corrupt(src, e.header_offset,
                   absl::StrCat("bad local header signature of record '", e.name, "'"));
  }
  const uint16_t name_len = LoadLE16(h + 26);
  const uint16_t extra_len = LoadLE16(h + 28);
  if (name_len != e.name.size()) {
    return Corrupt(src, e.header_offset,
                   absl::StrCat("local header of record '", e.name,
                                "' disagrees with the central directory about its name"));
  }
  // Compared in place when the source is in memory (once per record read).
  const uint64_t name_at = e.header_offset + zip::kLocalHeaderSize;
  absl::string_view local_name;
  std::string copy;
  if (src.memory() != nullptr && name_at <= src.size() && src.size() - name_at >= name_len) {
    local_name = absl::string_view(reinterpret_cast<const char*>(src.memory() + name_at), name_len);
  } else {
    copy.resize(name_len);
    PTSER_RETURN_IF_ERROR(src.ReadAt(name_at, name_len, copy.data()));
    local_name = copy;
  }
  if (local_name != e.name) {
    return Corrupt(src, e.header_offset,
                   absl::StrCat("local header names '", local_name,
                                "' where the central directory says '", e.name, "'"));
  }
  const uint64_t data = e.header_offset + zip::kLocalHeaderSize + name_len + extra_len;
  if (data > e.limit || e.limit - data < e.compressed_size) {
    return Corrupt(src, e.header_offset,
                   absl::StrCat("record '", e.name, "' (", e.compressed_size,
                                " bytes at offset ", data,
                                ") runs into the next record or the central directory at offset ",
                                e.limit));
  }
  return data;
}

absl::Status ZipReader::CrcMatches(const ZipEntry& e, uint32_t crc) const {
  // A stored 0 is checked like any other value: it is the CRC-32 of an empty
  // record, and PyTorch's writer records real CRCs, so on a non-empty record
  // it is no "not recorded" mark that would switch the check off.
  if (crc == e.crc32) return absl::OkStatus();
  return absl::DataLossError(absl::StrFormat(
      "'%s': CRC-32 mismatch in record '%s' (header at offset %d): stored %08x, computed %08x%s",
      source_->name(), e.name, e.header_offset, e.crc32, crc,
      e.crc32 == 0 ? " (a stored 0 on a non-empty record is not taken as \"not recorded\")"
                   : ""));
}

absl::Status ZipReader::CheckCrc(const ZipEntry& e, const Storage& bytes) const {
  if (!options_.verify_crc32) return absl::OkStatus();
  return CrcMatches(e, Crc32(0, bytes.data(), bytes.nbytes()));
}

void ZipReader::CheckAhead(absl::string_view name_prefix, uint64_t max_record_bytes) {
  const ByteSource& src = *source_;
  const uint8_t* whole = src.memory();
  if (whole == nullptr) return;
  checked_data_.assign(entries_.size(), 0);
  for (size_t i = 0; i < entries_.size(); ++i) {
    const ZipEntry& e = entries_[i];
    if (e.method != zip::kMethodStored || e.compressed_size > max_record_bytes ||
        e.uncompressed_size > options_.max_record_bytes ||
        !absl::StartsWith(e.name, name_prefix)) {
      continue;
    }
    absl::StatusOr<uint64_t> data = DataOffset(e);
    if (!data.ok()) continue;  // Read() says why
    // DataOffset() checked the payload lies inside the file.
    if (options_.verify_crc32 && Crc32(0, whole + *data, e.compressed_size) != e.crc32) continue;
    checked_data_[i] = *data;
  }
}

uint64_t ZipReader::CheckedData(const ZipEntry& e) const {
  if (checked_data_.empty()) return 0;
  const std::less<const ZipEntry*> before;
  const ZipEntry* first = entries_.data();
  if (before(&e, first) || !before(&e, first + entries_.size())) return 0;
  return checked_data_[static_cast<size_t>(&e - first)];
}

absl::StatusOr<Storage> ZipReader::Read(const ZipEntry& e) const {
  const ByteSource& src = *source_;
  if (const uint64_t checked = CheckedData(e); checked != 0) {
    // Header, size limits and CRC-32 passed in CheckAhead().
    return src.StorageAt(checked, e.compressed_size);
  }
  PTSER_ASSIGN_OR_RETURN(uint64_t data, DataOffset(e));
  if (e.uncompressed_size > options_.max_record_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "'", src.name(), "': record '", e.name, "' claims ", e.uncompressed_size,
        " bytes, above the limit of ", options_.max_record_bytes));
  }
  if (e.method == zip::kMethodStored) {
    PTSER_ASSIGN_OR_RETURN(Storage bytes, src.StorageAt(data, e.compressed_size));
    PTSER_RETURN_IF_ERROR(CheckCrc(e, bytes));
    return bytes;
  }
  // Deflated: inflate into exactly uncompressed_size bytes.  Deflate cannot
  // expand more than 1032:1, so a larger claim is a lie: refuse it before
  // allocating (a zip bomb's header).
  if (e.uncompressed_size / 1032 > e.compressed_size + 1) {
    return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' claims ",
                                           e.uncompressed_size, " bytes from only ",
                                           e.compressed_size, " compressed bytes"));
  }
  PTSER_ASSIGN_OR_RETURN(Storage out, Storage::Allocate(e.uncompressed_size));
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    return absl::ResourceExhaustedError("cannot initialise zlib");
  }
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};
  uint8_t* dst = static_cast<uint8_t*>(out.mutable_data());
  uint64_t produced = 0;
  uint64_t consumed = 0;
  std::string chunk;
  const uint8_t* whole = src.memory();
  bool done = false;
  while (!done) {
    if (zs.avail_in == 0 && consumed < e.compressed_size) {
      uint64_t n = std::min<uint64_t>(e.compressed_size - consumed, 1 << 20);
      if (whole != nullptr) {
        zs.next_in = const_cast<Bytef*>(whole + data + consumed);
      } else {
        chunk.resize(n);
        PTSER_RETURN_IF_ERROR(src.ReadAt(data + consumed, n, chunk.data()));
        zs.next_in = reinterpret_cast<Bytef*>(chunk.data());
      }
      zs.avail_in = static_cast<uInt>(n);
      consumed += n;
    }
    uint8_t probe;
    const bool full = produced == e.uncompressed_size;
    zs.next_out = full ? &probe : dst + produced;
    zs.avail_out = full ? 1 : static_cast<uInt>(std::min<uint64_t>(
                                  e.uncompressed_size - produced, 1u << 30));
    const uInt before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    const uInt made = before - zs.avail_out;
    if (full && made > 0) {
      return Corrupt(src, data, absl::StrCat("deflated record '", e.name,
                                             "' inflates to more than the ",
                                             e.uncompressed_size, " bytes it claims"));
    }
    produced += full ? 0 : made;
    if (rc == Z_STREAM_END) {
      done = true;
    } else if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == e.compressed_size) {
      return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' is truncated"));
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' is corrupt: ",
                                             zs.msg != nullptr ? zs.msg : "zlib error"));
    }
  }
  if (produced != e.uncompressed_size) {
    return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' inflates to ",
                                           produced, " bytes, not the ", e.uncompressed_size,
                                           " it claims"));
  }
  PTSER_RETURN_IF_ERROR(CheckCrc(e, out));
  return out;
}

absl::Status ZipReader::Verify(const ZipEntry& e) const {
  const ByteSource& src = *source_;
  PTSER_ASSIGN_OR_RETURN(uint64_t data, DataOffset(e));
  constexpr uint64_t kChunk = uint64_t{1} << 20;
  const uint8_t* whole = src.memory();
  std::string chunk;
  // The compressed bytes [at, at + n), from memory or read into `chunk`.
  auto input = [&](uint64_t at, uint64_t n) -> absl::StatusOr<const uint8_t*> {
    if (whole != nullptr) return whole + data + at;
    chunk.resize(n);
    PTSER_RETURN_IF_ERROR(src.ReadAt(data + at, n, chunk.data()));
    return reinterpret_cast<const uint8_t*>(chunk.data());
  };
  uint32_t crc = 0;
  if (e.method == zip::kMethodStored) {
    for (uint64_t done = 0; done < e.compressed_size;) {
      const uint64_t n = std::min(kChunk, e.compressed_size - done);
      PTSER_ASSIGN_OR_RETURN(const uint8_t* p, input(done, n));
      crc = Crc32(crc, p, n);
      done += n;
    }
    return CrcMatches(e, crc);
  }
  // Deflated: inflated a chunk at a time into one buffer, never held whole.
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    return absl::ResourceExhaustedError("cannot initialise zlib");
  }
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};
  std::vector<uint8_t> out(kChunk);
  uint64_t produced = 0;
  uint64_t consumed = 0;
  while (true) {
    if (zs.avail_in == 0 && consumed < e.compressed_size) {
      const uint64_t n = std::min(kChunk, e.compressed_size - consumed);
      PTSER_ASSIGN_OR_RETURN(const uint8_t* p, input(consumed, n));
      zs.next_in = const_cast<Bytef*>(p);
      zs.avail_in = static_cast<uInt>(n);
      consumed += n;
    }
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const uint64_t made = out.size() - zs.avail_out;
    crc = Crc32(crc, out.data(), made);
    produced += made;
    if (produced > e.uncompressed_size) {
      return Corrupt(src, data, absl::StrCat("deflated record '", e.name,
                                             "' inflates to more than the ",
                                             e.uncompressed_size, " bytes it claims"));
    }
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == e.compressed_size) {
      return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' is truncated"));
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' is corrupt: ",
                                             zs.msg != nullptr ? zs.msg : "zlib error"));
    }
  }
  if (produced != e.uncompressed_size) {
    return Corrupt(src, data, absl::StrCat("deflated record '", e.name, "' inflates to ",
                                           produced, " bytes, not the ", e.uncompressed_size,
                                           " it claims"));
  }
  return CrcMatches(e, crc);
}

uint64_t ZipReader::MaxPickleBytes() const {
  constexpr uint64_t kFloor = uint64_t{1} << 20;
  const double limit = options_.max_pickle_growth * static_cast<double>(source_->size());
  // Compared as doubles: a growth of 1e30 means no limit, not an overflow;
  // zero, a negative growth or NaN leaves the floor.
  if (!(limit > 0)) return kFloor;
  if (!(limit < 1.8e19)) return UINT64_MAX;
  return std::max(kFloor, static_cast<uint64_t>(limit));
}

absl::StatusOr<Storage> ZipReader::ReadAtMost(const ZipEntry& e, uint64_t max_bytes,
                                              absl::string_view limit_name) const {
  if (e.uncompressed_size > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "'", source_->name(), "' at offset ", e.header_offset, ": record '", e.name,
        "' declares ", e.uncompressed_size, " bytes (", e.compressed_size,
        e.method == zip::kMethodStored ? " stored" : " deflated", "), above the limit of ",
        max_bytes, " (", limit_name, ")"));
  }
  return Read(e);
}

absl::StatusOr<std::string> ZipReader::ReadString(const ZipEntry& e) const {
  PTSER_ASSIGN_OR_RETURN(Storage bytes, Read(e));
  return std::string(static_cast<const char*>(bytes.data()), bytes.nbytes());
}

}  // namespace ptser
