// Copyright ptser authors.
//
// archive/storage_table.h — the storages of one pickle, by key: what every
// loader (zip and legacy in load_file.cc, tar_load.cc, and the TorchScript
// archive reader in jit/script_archive.cc) keeps while a pickle names its
// storages.  Not part of the public API.
//
// A pickle names a storage by key in a persistent id, once per tensor on it;
// the first naming declares the storage, later ones must agree with it.
// Where the bytes come from, and when, stays with each loader (a zip reads a
// record when the pickle first names it, a legacy file after the object
// pickle, a tar before it); the table holds what the formats share: one slot
// per key, the dtype and size check across namings, the restore step
// (RestoreStorage: map_location, then the device registry), the
// on_zip_storage hook, and slicing a storage view.
//
//   StorageTable table(options, "data/", records.size());
//   PTSER_ASSIGN_OR_RETURN(StorageTable::Declared d,
//                          table.Declare(key, dtype, untyped, numel, "cpu"));
//   if (d.is_new) {
//     PTSER_ASSIGN_OR_RETURN(Storage bytes, ReadTheRecord(key));  // the loader's part
//     PTSER_RETURN_IF_ERROR(table.Fill(d.slot, bytes));
//   }
//   return Value::FromStorage(table.Get(d.slot).typed);
//
// Lifetime: the table reads `options` (map_location, on_zip_storage) at each
// Fill, so the options must outlive it.  Storages handed out are reference
// counted and outlive the table.  Not thread-safe (one pickle, one thread).
#ifndef PTSER_ARCHIVE_STORAGE_TABLE_H_
#define PTSER_ARCHIVE_STORAGE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/load_options.h"
#include "pickle/value.h"
#include "tensor/scalar_type.h"
#include "tensor/storage.h"

namespace ptser {
namespace load_internal {

// One declared storage.
struct StorageSlot {
  std::string key;
  // The storage, typed as it was first named.  Until Hold or Fill it is an
  // empty storage shared by every such slot (never written through).
  TypedStorage typed;
  int64_t numel = 0;
  std::string location;  // the saved tag, such as "cpu" or "cuda:0"
  bool filled = false;   // Fill (or Hold of a placed storage) has run
};

// A zip record behind a storage, for LoadOptions::on_zip_storage.  (Build it
// with all its fields, in order: a default-constructed Storage allocates.)
struct ZipRecordBytes {
  absl::string_view file;         // the archive's name, for messages
  absl::string_view record;       // the record's full name
  uint64_t header_offset = 0;     // of its local header
  uint64_t size = 0;              // its uncompressed size
  uint32_t recorded_crc32 = 0;    // as the archive records it
  bool crc32_verified = false;    // the reader checked it already
  Storage as_read;                // its bytes as read: before trim or swap
};

// The number a storage key names when it is one torch.save writes: "0",
// "17"; not "017", "+1", "" or anything of more than 9 digits.
std::optional<size_t> CanonicalNumber(absl::string_view s);

class StorageTable {
 public:
  using Slot = size_t;

  // `key_prefix` is put before a key in messages ("data/" for a zip
  // archive's records).  Keys "0", "1", ... below `numbered_keys` (canonical
  // decimals: no sign, no leading zero) are found by number in a vector of
  // that many entries instead of a hash map: a zip archive passes its entry
  // count, since torch.save numbers its storages; 0 hashes every key.  Room
  // for that many slots is reserved up front.
  explicit StorageTable(const LoadOptions& options, std::string key_prefix = "",
                        size_t numbered_keys = 0);

  StorageTable(const StorageTable&) = delete;
  StorageTable& operator=(const StorageTable&) = delete;

  struct Declared {
    Slot slot;
    bool is_new;  // the first naming: the caller provides the bytes
  };

  // Declares that the pickle names storage `key` as `numel` elements of
  // `dtype` saved on `location`.  The first naming of a key makes a slot
  // (is_new; empty until Hold or Fill).  A later naming of the same dtype and
  // untypedness returns the same slot, whatever size it names (torch.load
  // and libtorch hand back the storage they already have; a tensor that does
  // not fit it fails when it is made); the slot keeps its first typing and
  // size.  An empty storage may also be named under a second type (torch.save
  // checks only allocated storages).  Another type for an allocated storage
  // is InvalidArgumentError "storage '<prefix><key>' is named as 4 float32
  // elements and as 2 int64 elements; one storage has one dtype and one
  // size" (torch.load would reinterpret the bytes under the first type:
  // ptser refuses, docs/formats/pickle.md).  A negative numel is
  // InvalidArgumentError.  Runs once per tensor: a numbered key costs a parse
  // and a compare, no allocation.
  absl::StatusOr<Declared> Declare(absl::string_view key, ScalarType dtype, bool untyped,
                                   int64_t numel, absl::string_view location);

  // A key saved again (the tar format's storages member, where 1.13 keeps
  // the last copy): the slot, if any, is typed, sized and tagged anew and
  // emptied (is_new), for the caller to Fill with the new bytes; otherwise as
  // Declare.  A negative numel is InvalidArgumentError.
  absl::StatusOr<Declared> Redeclare(absl::string_view key, ScalarType dtype, bool untyped,
                                     int64_t numel, absl::string_view location);

  // Puts `cpu`, a storage read on the CPU holding exactly the slot's bytes,
  // where LoadOptions::map_location sends the slot's location
  // (RestoreStorage, restore_storage.h); its errors are returned as they are,
  // for the caller to name the storage in its own words.  With `record` (a
  // zip record) and LoadOptions::on_zip_storage set, the hook is then called
  // with the restored storage if it is exactly the record's bytes as read;
  // otherwise (trimmed, swapped or moved), unless the reader verified it,
  // the record's CRC-32 is checked here (DataLossError naming the file,
  // record and header offset).  Filling a slot again replaces its storage
  // (a tar key saved twice: the last one wins, as in PyTorch 1.13).
  // Precondition: `slot` came from Declare on this table.
  absl::Status Fill(Slot slot, const Storage& cpu, const ZipRecordBytes* record = nullptr);

  // Puts `storage` in the slot as it is, without restoring it: a storage
  // already where it belongs (staged to a device from the file), with
  // `placed`; or a buffer that will be filled with the storage's bytes later
  // and then passed to Fill (the legacy format, whose bytes follow the
  // pickle), without.  Precondition: `slot` came from Declare.
  void Hold(Slot slot, Storage storage, bool placed);

  // The slot's storage, typing, size and location.  Precondition: `slot`
  // came from Declare on this table; the reference is valid until the next
  // Declare.
  const StorageSlot& Get(Slot slot) const { return slots_[slot]; }
  // The slot declared under `key`, or null.
  const StorageSlot* Get(absl::string_view key) const;
  // The slot declared under `key`, or kNoSlot.
  static constexpr Slot kNoSlot = ~uint32_t{0};
  Slot Find(absl::string_view key) const;

  // Every slot, in the order they were declared.
  size_t size() const { return slots_.size(); }

  // `numel` elements of `root` from element `offset` on: a storage sharing
  // the root's bytes (and keeping them alive), typed as the root.  A range
  // outside the root is OutOfRangeError "a view of <numel> elements at
  // <offset> runs past a storage of <root numel> elements"; loaders name the
  // view in their own words.
  static absl::StatusOr<TypedStorage> View(const TypedStorage& root, int64_t offset,
                                           int64_t numel);

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};  // == kNoSlot

  const LoadOptions& options_;
  const std::string key_prefix_;
  std::vector<StorageSlot> slots_;
  std::vector<uint32_t> by_number_;  // canonical decimal key -> slot
  absl::flat_hash_map<std::string, Slot> by_name_;  // every other key
};

}  // namespace load_internal
}  // namespace ptser

#endif  // PTSER_ARCHIVE_STORAGE_TABLE_H_
