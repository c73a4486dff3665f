// Copyright ptser authors.
//
// archive/tar_reader.h — the members of a POSIX tar archive, read in place.
//
// PyTorch <= 0.1.9 saved checkpoints as tar archives (docs/formats/tar.md);
// PyTorch 1.13 still reads them with Python's `tarfile`.  TarReader is the
// small part of a tar reader that loading such a file needs: it walks the
// 512-byte headers once, validates them, and then hands out members by name.
// Nothing is ever extracted — no path is written to disk, so member names
// such as "../../etc/passwd" are only strings to compare.
//
// Supported (what Python's tarfile writes and reads):
//   - ustar headers (POSIX "ustar\0" "00" and GNU "ustar  \0" magic, and
//     pre-POSIX v7 headers), the ustar `prefix` field;
//   - PAX extended headers ('x'): `path`, `linkpath` and `size`;
//   - GNU long names and long link names ('L', 'K');
//   - octal numeric fields (NUL or space terminated) and GNU base-256 sizes.
// GNU sparse members ('S', or PAX GNU.sparse.*) are refused as Unimplemented.
//
// Parser differentials.  torch.load reads these files with Python's tarfile,
// and when that raises a TarError it reads the same bytes again as a legacy
// pickle.  TarReader therefore reads names as tarfile does (an old-style
// directory is decided by the name field alone, PAX paths lose trailing '/',
// extended headers are parsed over their whole padded block) and refuses, as
// a DifferentialError (archive/differential.h), what tarfile reads otherwise
// or fails on: a PAX keyword given twice in one header (tarfile keeps the
// last), a global PAX header ('g'), a member whose padding is cut off by the
// end of the file.  A malformed numeric field in any header (mode, uid, mtime,
// ...) is DataLoss: tarfile would end the archive there.
//
// The layout, for one member "storages" of 1234 bytes:
//
//   offset 0     header block: name "storages\0...", mode "0000600\0", ...,
//                size "00000002322\0" (octal 1234), checksum, typeflag '0',
//                magic "ustar\0" version "00", ...
//   offset 512   1234 data bytes, zero-padded to 1536 (a multiple of 512)
//   offset 2048  the next header ... and at the end two all-zero blocks.
//
// Validation.  Every header's checksum is verified (Python accepts the
// unsigned and the signed byte sum, so does TarReader); numeric fields must
// be well-formed; a member's data must lie inside the source.  Any failure is
// a DataLossError naming the header's byte offset.  An archive that ends at a
// block boundary without its two zero blocks is accepted (as Python does);
// one whose last member's padding is missing is not (see above).
// Allocation is bounded by the file: one TarMember per 512-byte header, PAX
// and long-name payloads read only after their range is checked (and at most
// Options::max_extended_header_bytes each).
//
//   PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TarReader> tar,
//                          TarReader::Open(source));
//   PTSER_ASSIGN_OR_RETURN(Storage bytes, tar->ReadFile("storages"));
#ifndef PTSER_ARCHIVE_TAR_READER_H_
#define PTSER_ARCHIVE_TAR_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/byte_source.h"
#include "tensor/storage.h"

namespace ptser {

// The size of a tar header and the unit data is padded to.
inline constexpr uint64_t kTarBlockSize = 512;

// One member of the archive, after PAX and GNU long-name headers are applied
// (those headers are not members themselves).
struct TarMember {
  // The member's name: PAX `path`, else the GNU long name, else
  // `prefix + "/" + name` from the ustar header.  Directories lose their
  // trailing '/', as in Python's tarfile.
  std::string name;
  // The ustar typeflag: '0' or '\0' a file, '1' a hard link, '2' a symbolic
  // link, '5' a directory, '7' a contiguous file, ...
  char typeflag = '0';
  // The link target of a hard or symbolic link (PAX `linkpath`, GNU long link
  // name, or the header's `linkname`); empty otherwise.
  std::string link_name;
  // Byte offset of the member's own ustar header (after any PAX or long-name
  // headers that precede it).
  uint64_t header_offset = 0;
  // Byte offset of the member's data (header_offset + 512).
  uint64_t data_offset = 0;
  // Bytes of data (PAX `size` when present).  0 for links and directories,
  // which carry no data.
  uint64_t size = 0;

  // A regular file: typeflag '0', '\0' or '7' (contiguous file).
  bool is_file() const;
};

// Whether Python's tarfile.open(mode="r:") takes `block` (a file's first
// 512 bytes) for a tar header: its checksum field, read as tarfile's nti()
// reads it (base-256, or octal with the leniency of Python's int(): blanks,
// a sign, "0o", underscores), equals the unsigned or the signed byte sum of
// the block.  torch.load tries the tar format before the legacy one, so a
// legacy file whose first block passes may be read as a tar.  False for a
// block shorter than 512 bytes.
bool PythonTarfileTakesHeader(absl::string_view block);

class TarReader {
 public:
  struct Options {
    // Most members an archive may have.  Default: 1,000,000.
    uint64_t max_members = 1000000;
    // Largest PAX extended header or GNU long name TarReader reads into
    // memory.  Default: 1 MiB.
    uint64_t max_extended_header_bytes = uint64_t{1} << 20;
  };

  // Walks every header of `source` (reading 512 bytes per member, plus PAX
  // and long-name payloads) and validates them; member data is not read.
  // Errors: DataLossError for a bad checksum, a malformed field, a header or
  // member cut short by the end of the source, or a malformed PAX record
  // (each naming the header's offset); UnimplementedError for sparse members;
  // ResourceExhaustedError when a limit in Options is hit.
  static absl::StatusOr<std::unique_ptr<TarReader>> Open(
      std::shared_ptr<const ByteSource> source, Options options);
  static absl::StatusOr<std::unique_ptr<TarReader>> Open(
      std::shared_ptr<const ByteSource> source) {
    return Open(std::move(source), Options());
  }

  // Members in archive order.
  const std::vector<TarMember>& members() const { return members_; }

  // The member named `name`, or null.  When several members have the name the
  // last one wins, as with Python's TarFile.getmember().
  const TarMember* Find(absl::string_view name) const;

  // The data of `member` (borrowed from a memory-backed source, else read).
  // `member` must be a regular file of this archive: anything else is
  // FailedPreconditionError.
  absl::StatusOr<Storage> Read(const TarMember& member) const;

  // Find() + Read(): NotFoundError naming the member when absent,
  // FailedPreconditionError when it is a link, a directory or anything but a
  // regular file.
  absl::StatusOr<Storage> ReadFile(absl::string_view name) const;

  const ByteSource& source() const { return *source_; }

 private:
  TarReader(std::shared_ptr<const ByteSource> source, Options options)
      : source_(std::move(source)), options_(options) {}
  absl::Status ReadHeaders();

  std::shared_ptr<const ByteSource> source_;
  Options options_;
  std::vector<TarMember> members_;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_TAR_READER_H_
