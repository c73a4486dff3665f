// Copyright ptser authors.
#include "archive/tar_reader.h"

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "archive/differential.h"
#include "base/status_macros.h"

namespace ptser {
namespace {

// ustar header fields (POSIX.1-1988 "ustar Interchange Format"):
// offset, length.
constexpr size_t kNameOffset = 0, kNameSize = 100;
constexpr size_t kSizeOffset = 124, kSizeSize = 12;
constexpr size_t kChecksumOffset = 148, kChecksumSize = 8;
constexpr size_t kTypeflagOffset = 156;
constexpr size_t kLinknameOffset = 157, kLinknameSize = 100;
constexpr size_t kPrefixOffset = 345, kPrefixSize = 155;

// Typeflags with a meaning to the reader.
constexpr char kRegular = '0';
constexpr char kRegularOld = '\0';
constexpr char kHardLink = '1';
constexpr char kSymlink = '2';
constexpr char kCharDevice = '3';
constexpr char kBlockDevice = '4';
constexpr char kDirectory = '5';
constexpr char kFifo = '6';
constexpr char kContiguous = '7';
constexpr char kPaxHeader = 'x';
constexpr char kPaxGlobalHeader = 'g';
constexpr char kSolarisPaxHeader = 'X';  // Python's tarfile treats it as 'x'
constexpr char kGnuLongName = 'L';
constexpr char kGnuLongLink = 'K';
constexpr char kGnuSparse = 'S';

bool IsRegularType(char t) { return t == kRegular || t == kRegularOld || t == kContiguous; }

// Types whose size field is not followed by data (Python's tarfile skips
// data only for regular files and types it does not know).
bool HasNoData(char t) {
  return t == kHardLink || t == kSymlink || t == kCharDevice || t == kBlockDevice ||
         t == kDirectory || t == kFifo;
}

uint64_t RoundUpToBlock(uint64_t n) { return (n + kTarBlockSize - 1) / kTarBlockSize * kTarBlockSize; }

// A NUL-terminated field (the whole field when it has no NUL).
std::string FieldString(const unsigned char* block, size_t offset, size_t size) {
  const char* p = reinterpret_cast<const char*>(block + offset);
  const void* nul = std::memchr(p, 0, size);
  return std::string(p, nul == nullptr ? size : static_cast<const char*>(nul) - p);
}

absl::Status HeaderError(uint64_t offset, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("tar header at offset ", offset, ": ", what));
}

// A numeric field: octal digits terminated by NUL or space (leading and
// trailing blanks allowed, empty = 0), or GNU base-256 (first byte 0x80 for a
// positive number; 0xff marks a negative one, which no field we use may be).
absl::StatusOr<uint64_t> ParseNumber(const unsigned char* block, size_t offset, size_t size,
                                     absl::string_view field, uint64_t header_offset) {
  const unsigned char* p = block + offset;
  if (p[0] == 0x80 || p[0] == 0xff) {
    if (p[0] == 0xff) {
      return HeaderError(header_offset, absl::StrCat("negative base-256 ", field, " field"));
    }
    uint64_t value = 0;
    for (size_t i = 1; i < size; ++i) {
      if (value > (UINT64_MAX >> 8)) {
        return HeaderError(header_offset, absl::StrCat("base-256 ", field, " field overflows"));
      }
      value = (value << 8) | p[i];
    }
    return value;
  }
  std::string text = FieldString(block, offset, size);
  absl::string_view digits = absl::StripAsciiWhitespace(text);
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') {
      return HeaderError(header_offset, absl::StrCat("malformed ", field, " field '",
                                                     absl::CHexEscape(text), "'"));
    }
    if (value > (UINT64_MAX >> 3)) {
      return HeaderError(header_offset, absl::StrCat(field, " field overflows"));
    }
    value = (value << 3) | static_cast<uint64_t>(c - '0');
  }
  return value;
}

// A header Python's tarfile cannot parse (a bad checksum, a malformed
// number, a truncated block) ends the archive there for tarfile, or, at
// offset 0, makes tarfile.open fail, after which torch.load reads the file as
// a legacy pickle: ptser, which would refuse or read on, reports it as a
// differential.  `error` is the HeaderError saying what is wrong.
absl::Status EndsArchiveForPython(uint64_t offset, const absl::Status& error) {
  const std::string context = absl::StrCat("tar header at offset ", offset, ": ");
  absl::string_view what = error.message();
  absl::ConsumePrefix(&what, context);
  return DifferentialError(
      context, absl::StrCat(what, offset == 0 ? "; Python's tarfile fails on it and torch.load "
                                                "then reads the file as a legacy pickle"
                                              : "; Python's tarfile ends the archive here, so "
                                                "what follows would be read by ptser alone"));
}

// Every other numeric field of a header (mode, uid, gid, mtime, devmajor,
// devminor).  Python's tarfile parses them all (nti): a header where one is
// malformed ends the archive there for Python, so a member after it would be
// one only ptser sees.  Base-256 values (negative ones too) are accepted.
absl::Status CheckOtherNumbers(const unsigned char* block, uint64_t header_offset) {
  struct Field {
    size_t offset, size;
    const char* name;
  };
  static constexpr Field kFields[] = {{100, 8, "mode"},     {108, 8, "uid"},
                                      {116, 8, "gid"},      {136, 12, "mtime"},
                                      {329, 8, "devmajor"}, {337, 8, "devminor"}};
  for (const Field& f : kFields) {
    if (block[f.offset] == 0xff) continue;  // negative base-256
    PTSER_RETURN_IF_ERROR(
        ParseNumber(block, f.offset, f.size, f.name, header_offset).status());
  }
  return absl::OkStatus();
}

// The header checksum: the byte sum of the block with the checksum field
// read as eight spaces.  Python accepts the unsigned and the signed sum.
absl::Status CheckChecksum(const unsigned char* block, uint64_t header_offset) {
  PTSER_ASSIGN_OR_RETURN(uint64_t stored, ParseNumber(block, kChecksumOffset, kChecksumSize,
                                                      "checksum", header_offset));
  int64_t unsigned_sum = 8 * ' ';
  int64_t signed_sum = 8 * ' ';
  for (size_t i = 0; i < kTarBlockSize; ++i) {
    if (i >= kChecksumOffset && i < kChecksumOffset + kChecksumSize) continue;
    unsigned_sum += block[i];
    signed_sum += static_cast<signed char>(block[i]);
  }
  if (static_cast<int64_t>(stored) != unsigned_sum && static_cast<int64_t>(stored) != signed_sum) {
    return HeaderError(header_offset, absl::StrCat("bad checksum (stored ", stored,
                                                   ", computed ", unsigned_sum, ")"));
  }
  return absl::OkStatus();
}

// What PAX and GNU headers say about the next member.
struct Overrides {
  std::optional<std::string> path;
  bool path_from_pax = false;  // else from a GNU long name
  std::optional<std::string> linkpath;
  std::optional<uint64_t> size;
};

// PAX extended header records, "%d %s=%s\n" where the length counts the
// whole record (POSIX.1-2001 pax "extended header").  Keeps `path`,
// `linkpath` and `size` in `out` (a keyword already set there is kept: the
// outermost header wins, as in Python).  Trailing NUL bytes are ignored.
// `data` is the whole padded block, as Python's tarfile parses it.  A keyword
// given twice is a differential (Python keeps the last value).
absl::Status ParsePaxRecords(absl::string_view data, uint64_t header_offset, Overrides* out) {
  absl::flat_hash_set<absl::string_view> seen;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.find_first_not_of('\0', pos) == absl::string_view::npos) break;
    const size_t space = data.find(' ', pos);
    if (space == absl::string_view::npos || space == pos || space - pos > 20) {
      return HeaderError(header_offset, absl::StrCat("malformed PAX record at byte ", pos,
                                                     " of the extended header"));
    }
    uint64_t length = 0;
    for (size_t i = pos; i < space; ++i) {
      if (data[i] < '0' || data[i] > '9') {
        return HeaderError(header_offset, absl::StrCat("malformed PAX record length at byte ",
                                                       pos, " of the extended header"));
      }
      length = length * 10 + static_cast<uint64_t>(data[i] - '0');
    }
    if (length <= space - pos + 1 || length > data.size() - pos || data[pos + length - 1] != '\n') {
      return HeaderError(header_offset, absl::StrCat("PAX record at byte ", pos,
                                                     " of the extended header has a bad length ",
                                                     length));
    }
    absl::string_view record = data.substr(space + 1, pos + length - 1 - (space + 1));
    const size_t eq = record.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return HeaderError(header_offset, absl::StrCat("PAX record at byte ", pos,
                                                     " of the extended header has no keyword"));
    }
    absl::string_view keyword = record.substr(0, eq);
    absl::string_view value = record.substr(eq + 1);
    if (!seen.insert(keyword).second) {
      return DifferentialError(
          absl::StrCat("tar header at offset ", header_offset, ": "),
          absl::StrCat("PAX keyword '", absl::CHexEscape(keyword),
                       "' appears twice in one extended header (Python's tarfile keeps the "
                       "last value)"));
    }
    if (keyword == "path") {
      if (!out->path.has_value()) {
        out->path = std::string(value);
        out->path_from_pax = true;
      }
    } else if (keyword == "linkpath") {
      if (!out->linkpath.has_value()) out->linkpath = std::string(value);
    } else if (keyword == "size") {
      uint64_t size = 0;
      if (value.empty() || value.size() > 19) {
        return HeaderError(header_offset, absl::StrCat("malformed PAX size '",
                                                       absl::CHexEscape(value), "'"));
      }
      for (char c : value) {
        if (c < '0' || c > '9') {
          return HeaderError(header_offset, absl::StrCat("malformed PAX size '",
                                                         absl::CHexEscape(value), "'"));
        }
        size = size * 10 + static_cast<uint64_t>(c - '0');
      }
      if (!out->size.has_value()) out->size = size;
    } else if (absl::StartsWith(keyword, "GNU.sparse.")) {
      return absl::UnimplementedError(absl::StrCat(
          "tar header at offset ", header_offset, ": GNU sparse members are not supported"));
    }
    pos += length;
  }
  return absl::OkStatus();
}

// The member's name as Python's tarfile builds it (frombuf, _proc_builtin,
// _proc_gnulong, _apply_pax_info), and its typeflag: an old-style regular
// file whose own name field ends in '/' is a directory.
void NameMember(const unsigned char* block, const Overrides& pending, TarMember* member) {
  const std::string raw = FieldString(block, kNameOffset, kNameSize);
  if (member->typeflag == kRegularOld && absl::EndsWith(raw, "/")) member->typeflag = kDirectory;
  const bool dir = member->typeflag == kDirectory;
  auto strip_slashes = [](std::string* s) {
    while (!s->empty() && s->back() == '/') s->pop_back();
  };
  member->name = raw;
  if (dir) strip_slashes(&member->name);
  const std::string prefix = FieldString(block, kPrefixOffset, kPrefixSize);
  if (!prefix.empty()) member->name = absl::StrCat(prefix, "/", member->name);
  if (dir) strip_slashes(&member->name);
  if (pending.path.has_value()) {
    member->name = *pending.path;
    if (pending.path_from_pax) {
      strip_slashes(&member->name);  // PAX paths lose every trailing '/'
    } else if (dir && absl::EndsWith(member->name, "/")) {
      member->name.pop_back();  // GNU long names of directories lose one
    }
  }
  member->link_name = FieldString(block, kLinknameOffset, kLinknameSize);
  if (pending.linkpath.has_value()) member->link_name = *pending.linkpath;
  if (member->typeflag != kHardLink && member->typeflag != kSymlink) member->link_name.clear();
}

// Reads the PAX or GNU long-name header at `offset` (of `size` bytes) into
// `pending`.
absl::Status ReadExtendedHeader(const ByteSource& source, uint64_t max_bytes, uint64_t offset,
                                uint64_t size, char type, Overrides* pending) {
  const uint64_t data_offset = offset + kTarBlockSize;
  const uint64_t left = source.size() - data_offset;
  // Python reads the whole padded block and parses all of it.
  if (size > left || RoundUpToBlock(size) > left) {
    return HeaderError(offset, absl::StrCat("extended header of ", size,
                                            " bytes runs past the end of the archive (", left,
                                            " bytes left)"));
  }
  if (size > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "tar header at offset ", offset, ": extended header of ", size,
        " bytes exceeds Options::max_extended_header_bytes (",
        max_bytes, ")"));
  }
  std::string data(RoundUpToBlock(size), '\0');
  PTSER_RETURN_IF_ERROR(source.ReadAt(data_offset, data.size(), data.data()));
  if (type == kGnuLongName || type == kGnuLongLink) {
    const size_t nul = data.find('\0');
    if (nul != std::string::npos) data.resize(nul);
    std::optional<std::string>& slot = type == kGnuLongName ? pending->path : pending->linkpath;
    if (!slot.has_value()) slot = std::move(data);
    return absl::OkStatus();
  }
  return ParsePaxRecords(data, offset, pending);
}

// Python's int(text, 8) after nti's nts() and strip(); nullopt where it
// raises.  `text` holds no NUL.
std::optional<int64_t> PythonOctal(absl::string_view text) {
  auto is_space = [](char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return 0;  // `s.strip() or "0"`
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  bool after_prefix = false;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    text.remove_prefix(2);
    after_prefix = true;
  }
  // Digits, each '_' between two digits (or right after the prefix).
  int64_t value = 0;
  bool digit_before = after_prefix;
  bool any_digit = false;
  for (char c : text) {
    if (c == '_') {
      if (!digit_before) return std::nullopt;
      digit_before = false;
      continue;
    }
    if (c < '0' || c > '7') return std::nullopt;
    value = value * 8 + (c - '0');
    digit_before = true;
    any_digit = true;
  }
  if (!any_digit || !digit_before) return std::nullopt;
  return negative ? -value : value;
}

}  // namespace

bool PythonTarfileTakesHeader(absl::string_view block) {
  if (block.size() < kTarBlockSize) return false;
  const auto* b = reinterpret_cast<const unsigned char*>(block.data());
  std::optional<int64_t> stored;
  if (b[kChecksumOffset] == 0x80 || b[kChecksumOffset] == 0xff) {
    int64_t n = 0;
    for (size_t i = 1; i < kChecksumSize; ++i) n = (n << 8) | b[kChecksumOffset + i];
    stored = b[kChecksumOffset] == 0xff ? n - (int64_t{1} << 56) : n;
  } else {
    absl::string_view field = block.substr(kChecksumOffset, kChecksumSize);
    field = field.substr(0, field.find('\0'));
    for (char c : field) {
      if (static_cast<unsigned char>(c) >= 0x80) return false;  // not ASCII
    }
    stored = PythonOctal(field);
  }
  if (!stored.has_value()) return false;
  int64_t unsigned_sum = 8 * ' ';
  int64_t signed_sum = 8 * ' ';
  for (size_t i = 0; i < kTarBlockSize; ++i) {
    if (i >= kChecksumOffset && i < kChecksumOffset + kChecksumSize) continue;
    unsigned_sum += b[i];
    signed_sum += static_cast<signed char>(b[i]);
  }
  return *stored == unsigned_sum || *stored == signed_sum;
}

bool TarMember::is_file() const { return IsRegularType(typeflag); }

absl::StatusOr<std::unique_ptr<TarReader>> TarReader::Open(
    std::shared_ptr<const ByteSource> source, Options options) {
  if (source == nullptr) return absl::InvalidArgumentError("null ByteSource");
  std::unique_ptr<TarReader> reader(new TarReader(std::move(source), options));
  absl::Status s = reader->ReadHeaders();
  if (!s.ok()) return WithPrefix(s, absl::StrCat("'", reader->source_->name(), "': "));
  return reader;
}

absl::Status TarReader::ReadHeaders() {
  const uint64_t file_size = source_->size();
  uint64_t offset = 0;
  Overrides pending;  // from 'x', 'L', 'K' headers: the next member
  bool pending_any = false;
  unsigned char block[kTarBlockSize];
  while (true) {
    if (offset == file_size) {
      if (pending_any) return HeaderError(offset, "archive ends after an extended header");
      break;  // no end-of-archive blocks: accepted, as Python does
    }
    if (file_size - offset < kTarBlockSize) {
      return EndsArchiveForPython(
          offset, HeaderError(offset, absl::StrCat("truncated: ", file_size - offset,
                                                   " bytes left of a 512-byte header")));
    }
    PTSER_RETURN_IF_ERROR(source_->ReadAt(offset, kTarBlockSize, block));
    bool all_zero = true;
    for (unsigned char b : block) {
      if (b != 0) {
        all_zero = false;
        break;
      }
    }
    if (all_zero) {
      if (pending_any) return HeaderError(offset, "end of archive right after an extended header");
      break;  // end-of-archive marker
    }
    absl::Status fields = CheckChecksum(block, offset);
    if (fields.ok()) fields = CheckOtherNumbers(block, offset);
    absl::StatusOr<uint64_t> parsed_size =
        ParseNumber(block, kSizeOffset, kSizeSize, "size", offset);
    if (fields.ok()) fields = parsed_size.status();
    if (!fields.ok()) return EndsArchiveForPython(offset, fields);
    const uint64_t header_size = *parsed_size;
    const char type = static_cast<char>(block[kTypeflagOffset]);
    const uint64_t data_offset = offset + kTarBlockSize;
    const uint64_t left = file_size - data_offset;

    if (type == kPaxGlobalHeader) {
      // Python applies a global header's keywords to every later member, but
      // its `size` only after the member's data was skipped by the header's
      // own size: readers disagree; PyTorch never wrote one.
      return DifferentialError(absl::StrCat("tar header at offset ", offset, ": "),
                               "PAX global header ('g'): readers apply it differently");
    }
    if (type == kPaxHeader || type == kSolarisPaxHeader || type == kGnuLongName ||
        type == kGnuLongLink) {
      PTSER_RETURN_IF_ERROR(ReadExtendedHeader(*source_, options_.max_extended_header_bytes,
                                               offset, header_size, type, &pending));
      pending_any = true;
      offset = data_offset + RoundUpToBlock(header_size);
      continue;
    }
    if (type == kGnuSparse) {
      return absl::UnimplementedError(absl::StrCat(
          "tar header at offset ", offset, ": GNU sparse members are not supported"));
    }

    TarMember member;
    member.typeflag = type;
    member.header_offset = offset;
    member.data_offset = data_offset;
    NameMember(block, pending, &member);
    uint64_t size = pending.size.has_value() ? *pending.size : header_size;
    if (HasNoData(member.typeflag)) size = 0;
    if (size > left) {
      return HeaderError(offset, absl::StrCat("member '", absl::CHexEscape(member.name), "' of ",
                                              size, " bytes at offset ", data_offset,
                                              " runs past the end of the archive (", left,
                                              " bytes left)"));
    }
    if (RoundUpToBlock(size) > left) {
      // Python's tarfile raises ReadError ("unexpected end of data") for a
      // member whose padding is cut off, and torch.load then reads the same
      // bytes as a legacy file: a pickle at offset 0.
      return DifferentialError(
          absl::StrCat("tar header at offset ", offset, ": "),
          absl::StrCat("the padding of member '", absl::CHexEscape(member.name),
                       "' runs past the end of the archive; Python's tarfile fails there and "
                       "torch.load reads the file as a legacy pickle instead"));
    }
    member.size = size;
    if (members_.size() >= options_.max_members) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "tar header at offset ", offset, ": more than Options::max_members (",
          options_.max_members, ") members"));
    }
    members_.push_back(std::move(member));
    pending = Overrides();
    pending_any = false;
    offset = data_offset + RoundUpToBlock(size);
  }
  return absl::OkStatus();
}

const TarMember* TarReader::Find(absl::string_view name) const {
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

absl::StatusOr<Storage> TarReader::Read(const TarMember& member) const {
  if (!member.is_file()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", source_->name(), "': tar member '", absl::CHexEscape(member.name),
        "' (header at offset ", member.header_offset, ") is not a regular file (typeflag '",
        absl::CHexEscape(std::string(1, member.typeflag)), "')"));
  }
  if (member.data_offset > source_->size() || member.size > source_->size() - member.data_offset) {
    return absl::DataLossError(absl::StrCat("'", source_->name(), "': tar member '",
                                            absl::CHexEscape(member.name),
                                            "' runs past the end of the archive"));
  }
  return source_->StorageAt(member.data_offset, static_cast<size_t>(member.size));
}

absl::StatusOr<Storage> TarReader::ReadFile(absl::string_view name) const {
  const TarMember* member = Find(name);
  if (member == nullptr) {
    return absl::NotFoundError(absl::StrCat("'", source_->name(), "': no tar member '",
                                            absl::CHexEscape(name), "'"));
  }
  return Read(*member);
}

}  // namespace ptser
