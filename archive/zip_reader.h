// Copyright ptser authors.
//
// archive/zip_reader.h — reads the ZIP container of `torch.save` and
// `torch.jit.save` files (and any ordinary zip of the same records).
//
// Open() reads only the end records and the central directory; records are
// read on request.  Stored records from a memory-backed ByteSource come back
// as Storages that borrow the source's bytes (zero copy); deflated records are
// inflated into a new Storage whose size the central directory announced (and
// which may not exceed Options::max_record_bytes).
//
// Everything read from the file is validated before use, and errors name the
// record and the byte offset: a truncated archive, a central directory outside
// the file, entries that overlap each other or the directory, a local header
// that disagrees with the directory, a record running past its neighbour, a
// deflate stream that inflates to more or less than it claims, a CRC-32 that
// does not match (checked unless Options::verify_crc32 is false; a stored CRC
// of 0 is checked too: it is the CRC of an empty record only, and accepting it
// as "not computed" would let tampered data through).  Where PyTorch's zip
// reader would read the archive differently (another end record, names equal
// ignoring case, a NUL in a name) Open() refuses it with a DifferentialError
// (archive/differential.h).
//
//   PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ZipReader> zip,
//                          ZipReader::Open(std::move(source)));
//   PTSER_ASSIGN_OR_RETURN(const ZipEntry* e, zip->Find("archive/data.pkl"));
//   PTSER_ASSIGN_OR_RETURN(Storage pickle, zip->Read(*e));
#ifndef PTSER_ARCHIVE_ZIP_READER_H_
#define PTSER_ARCHIVE_ZIP_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/byte_source.h"
#include "tensor/storage.h"

namespace ptser {

// One central-directory entry, after ZIP64 extras are applied.
struct ZipEntry {
  // The full name, with the archive folder.  It views the ZipReader's copy
  // of the central directory (or the source's memory): valid while the
  // reader lives.  (No allocation per record: a checkpoint of 100,000
  // tensors has 100,000 records.)
  absl::string_view name;
  uint16_t method = 0;           // 0 stored, 8 deflated
  uint16_t flags = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t header_offset = 0;    // of the local header
  // Where the next entry (or the central directory) starts: the record's
  // header and payload must end at or before it.
  uint64_t limit = 0;
};

class ZipReader {
 public:
  struct Options {
    // Verify each record's CRC-32 when it is read.  Default: true.
    bool verify_crc32 = true;
    // Most entries an archive may have.  Default: 1,000,000.
    uint64_t max_entries = 1000000;
    // Largest record (after inflating) Read() will produce.  Default: 1 TiB.
    uint64_t max_record_bytes = uint64_t{1} << 40;
    // Most a pickle record (TorchArchive::ReadRecord of a name ending in
    // ".pkl": data.pkl, constants.pkl) may inflate to, as a multiple of the
    // whole file's size (at least 1 MiB is always allowed).  A pickle is
    // parsed from memory, so a deflated data.pkl of a few megabytes that
    // claims gigabytes would otherwise be allocated and inflated whole (issue
    // 12: a 3 MB file, 3 GB of pickle).  torch.save stores data.pkl
    // uncompressed; a re-zipped checkpoint's pickle compresses a few times,
    // not 64.  Checked against the size the central directory declares,
    // before anything is allocated (and inflating stops at that size).
    // Default: 64.
    double max_pickle_growth = 64;
  };

  // Not copyable: the name index views the entries' names.
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  static absl::StatusOr<std::unique_ptr<ZipReader>> Open(
      std::shared_ptr<const ByteSource> source, Options options);
  static absl::StatusOr<std::unique_ptr<ZipReader>> Open(
      std::shared_ptr<const ByteSource> source) {
    return Open(std::move(source), Options());
  }

  // Entries in central-directory order.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // NotFoundError naming the record when absent.
  absl::StatusOr<const ZipEntry*> Find(absl::string_view name) const;
  bool Has(absl::string_view name) const { return Lookup(name) != nullptr; }

  // Offset of the record's payload, from its local header (whose extra field
  // length may differ from the central directory's).
  absl::StatusOr<uint64_t> DataOffset(const ZipEntry& entry) const;

  // The record's bytes (see the file comment for copying and checks).
  absl::StatusOr<Storage> Read(const ZipEntry& entry) const;
  // Checks the record as Read() does (its place, its deflate stream, its
  // size and its CRC-32, whatever Options::verify_crc32 says) while streaming
  // it a megabyte at a time: memory does not grow with the record.
  absl::Status Verify(const ZipEntry& entry) const;

  // Read(), but a record declaring more than `max_bytes` (after inflating)
  // is refused with ResourceExhausted naming it, its header's offset and
  // `limit_name` (what to raise to allow more), before anything is allocated.
  absl::StatusOr<Storage> ReadAtMost(const ZipEntry& entry, uint64_t max_bytes,
                                     absl::string_view limit_name) const;
  // The bytes a pickle record may inflate to under Options::max_pickle_growth.
  uint64_t MaxPickleBytes() const;
  const Options& options() const { return options_; }

  // Checks ahead, in file order, the small stored records whose names start
  // with `name_prefix` (each at most `max_record_bytes`): their local headers
  // as DataOffset() does and, when Options::verify_crc32, their CRC-32s.  A
  // later Read() of a record that passed then neither reads its header nor
  // computes its CRC again.  A record that fails is left unchecked, so its
  // Read() reports the failure with the usual message (and a record nobody
  // reads fails nothing).  Only for a source in memory; otherwise it does
  // nothing.
  //
  // Why: torch.save writes `data/0`, `data/1`, `data/10`, ... sorted as
  // strings while the pickle asks for them by number, so record by record
  // the reads jump around the file; a checkpoint of 100,000 small tensors
  // spent a quarter of its load in cache misses on headers and payloads.
  // One pass in file order streams them instead (docs/performance.md).
  //
  // It may run on one thread while others call Find(), Lookup-based
  // accessors and DataOffset(); not beside Read() or another CheckAhead().
  void CheckAhead(absl::string_view name_prefix, uint64_t max_record_bytes);

  // Read() into a std::string (small records: data.pkl, version, code).
  absl::StatusOr<std::string> ReadString(const ZipEntry& entry) const;

  const ByteSource& source() const { return *source_; }

 private:
  ZipReader(std::shared_ptr<const ByteSource> source, Options options)
      : source_(std::move(source)), options_(options) {}
  absl::Status ReadDirectory();
  absl::Status CheckCrc(const ZipEntry& entry, const Storage& bytes) const;
  // DataLoss naming the record unless `crc` is the one it records.
  absl::Status CrcMatches(const ZipEntry& entry, uint32_t crc) const;

  std::shared_ptr<const ByteSource> source_;
  Options options_;
  // The central directory, when the source is not in memory (names view it).
  std::string directory_;
  std::vector<ZipEntry> entries_;
  // Names hashed and compared ignoring ASCII case (see ReadDirectory).
  struct CaseFoldedHash {
    size_t operator()(absl::string_view s) const;
    // Lower-cases the ASCII letters of eight bytes at once.
    static size_t Fold(uint64_t word);
  };
  struct CaseFoldedEq {
    bool operator()(absl::string_view a, absl::string_view b) const;
  };
  // The entry named exactly `name`, or null.
  const ZipEntry* Lookup(absl::string_view name) const;

  // Record name -> position in entries_, names hashed and compared ignoring
  // ASCII case.  Names equal ignoring case are refused, so a name finds at
  // most one entry, which Lookup() then compares exactly.  An open-addressed
  // table (at most half full) of (32 bits of the hash << 32 | position + 1),
  // 0 for an empty slot: 8 bytes a slot, and a probe rarely reads a name
  // that is not the one sought (a checkpoint of 100,000 tensors has 100,000
  // names to index on every load).
  std::vector<uint64_t> index_;
  // Adds entries_[i]; returns the position of an entry whose name equals it
  // ignoring case, if there is one (and then adds nothing).
  std::optional<size_t> IndexEntry(size_t i);
  uint64_t cd_offset_ = 0;
  // By entry position: the payload offset of a record CheckAhead() passed,
  // or 0 (never a payload offset: a local header comes first).  Empty until
  // CheckAhead() runs.
  std::vector<uint64_t> checked_data_;
  // The payload offset of `entry` (one of entries()) when CheckAhead()
  // passed it, else 0.
  uint64_t CheckedData(const ZipEntry& entry) const;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_ZIP_READER_H_
