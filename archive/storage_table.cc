// Copyright ptser authors.
#include "archive/storage_table.h"

#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "archive/crc32.h"
#include "archive/restore_storage.h"
#include "base/status_macros.h"

namespace ptser {
namespace load_internal {

// "0", "17", not "017", "+1", "" or anything of more than 9 digits.
std::optional<size_t> CanonicalNumber(absl::string_view s) {
  if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

namespace {


// What a slot holds until Hold or Fill: one empty storage for every slot of
// every table (copying it costs a reference count, not an allocation).
const Storage& EmptyStorage() {
  static const Storage* const empty = new Storage();
  return *empty;
}

// "4 float32 elements", "4 uint8 elements (untyped)".
std::string Naming(ScalarType dtype, bool untyped, int64_t numel) {
  return absl::StrCat(numel, " ", DtypeName(dtype), " elements", untyped ? " (untyped)" : "");
}

}  // namespace

StorageTable::StorageTable(const LoadOptions& options, std::string key_prefix,
                           size_t numbered_keys)
    : options_(options), key_prefix_(std::move(key_prefix)), by_number_(numbered_keys, kNone) {
  // A zip archive has about one record per storage: no regrowth while
  // 100,000 storages are declared.
  slots_.reserve(numbered_keys);
}

StorageTable::Slot StorageTable::Find(absl::string_view key) const {
  if (!by_number_.empty()) {
    const std::optional<size_t> n = CanonicalNumber(key);
    if (n.has_value() && *n < by_number_.size()) return by_number_[*n];
  }
  auto it = by_name_.find(key);
  return it == by_name_.end() ? kNone : it->second;
}

const StorageSlot* StorageTable::Get(absl::string_view key) const {
  const size_t slot = Find(key);
  return slot == kNone ? nullptr : &slots_[slot];
}

absl::StatusOr<StorageTable::Declared> StorageTable::Declare(absl::string_view key,
                                                             ScalarType dtype, bool untyped,
                                                             int64_t numel,
                                                             absl::string_view location) {
  if (numel < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("storage '", key_prefix_, key, "' is named with ", numel, " elements"));
  }
  // Found by number (the common case: torch.save's keys) or by name.
  uint32_t* numbered = nullptr;
  size_t found = kNone;
  if (!by_number_.empty()) {
    const std::optional<size_t> n = CanonicalNumber(key);
    if (n.has_value() && *n < by_number_.size()) {
      numbered = &by_number_[*n];
      found = *numbered;
    }
  }
  if (numbered == nullptr) {
    auto it = by_name_.find(key);
    if (it != by_name_.end()) found = it->second;
  }
  if (found == kNone) {
    const size_t index = slots_.size();
    if (numbered != nullptr) {
      *numbered = static_cast<uint32_t>(index);
    } else {
      by_name_.emplace(std::string(key), index);
    }
    // Built in place around the shared empty storage: a default Storage
    // would allocate, once per storage of the file.
    slots_.push_back(StorageSlot{std::string(key), TypedStorage{EmptyStorage(), dtype, untyped},
                                 numel, std::string(location), false});
    return Declared{index, true};
  }
  const StorageSlot& first = slots_[found];
  // A later naming gets the storage as first named, whatever size it says:
  // torch.load and libtorch return the storage they already loaded for a
  // key.  Tensors that do not fit it are refused when they are made.
  if (first.typed.dtype == dtype && first.typed.untyped == untyped) {
    return Declared{found, false};
  }
  // An empty storage named under a second type: torch.save checks the type
  // of allocated storages only, and torch.load gives the first one.
  if (first.numel == 0) return Declared{found, false};
  return absl::InvalidArgumentError(absl::StrCat(
      "storage '", key_prefix_, key, "' is named as ",
      Naming(first.typed.dtype, first.typed.untyped, first.numel), " and as ",
      Naming(dtype, untyped, numel), "; one storage has one dtype and one size"));
}

absl::StatusOr<StorageTable::Declared> StorageTable::Redeclare(absl::string_view key,
                                                               ScalarType dtype, bool untyped,
                                                               int64_t numel,
                                                               absl::string_view location) {
  const size_t found = Find(key);
  if (found == kNone) return Declare(key, dtype, untyped, numel, location);
  if (numel < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("storage '", key_prefix_, key, "' is named with ", numel, " elements"));
  }
  StorageSlot& slot = slots_[found];
  slot.typed = TypedStorage{EmptyStorage(), dtype, untyped};
  slot.numel = numel;
  slot.location = std::string(location);
  slot.filled = false;
  return Declared{found, true};
}

absl::Status StorageTable::Fill(Slot slot, const Storage& cpu, const ZipRecordBytes* record) {
  StorageSlot& s = slots_[slot];
  PTSER_ASSIGN_OR_RETURN(Storage restored, RestoreStorage(cpu, s.location, options_));
  if (record != nullptr && options_.on_zip_storage) {
    if (restored.IsSameAs(record->as_read) && restored.nbytes() == record->size) {
      options_.on_zip_storage(restored, record->recorded_crc32);
    } else if (!record->crc32_verified && record->recorded_crc32 != 0) {
      // Trimmed, byte-swapped or moved: the caller cannot check these bytes
      // against the record's CRC-32 while writing them, so the bytes read
      // are checked here.
      const uint32_t crc = Crc32(0, record->as_read.data(), record->as_read.nbytes());
      if (crc != record->recorded_crc32) {
        return absl::DataLossError(absl::StrFormat(
            "'%s': CRC-32 mismatch in record '%s' (header at offset %d): stored %08x, "
            "computed %08x",
            record->file, record->record, record->header_offset, record->recorded_crc32, crc));
      }
    }
  }
  s.typed.storage = std::move(restored);
  s.filled = true;
  return absl::OkStatus();
}

void StorageTable::Hold(Slot slot, Storage storage, bool placed) {
  StorageSlot& s = slots_[slot];
  s.typed.storage = std::move(storage);
  s.filled = placed;
}

absl::StatusOr<TypedStorage> StorageTable::View(const TypedStorage& root, int64_t offset,
                                                int64_t numel) {
  const int64_t root_numel = root.numel();
  if (offset < 0 || numel < 0 || offset > root_numel || numel > root_numel - offset) {
    return absl::OutOfRangeError(absl::StrCat("a view of ", numel, " elements at ", offset,
                                              " runs past a storage of ", root_numel,
                                              " elements"));
  }
  const size_t itemsize = ElementSize(root.dtype);
  auto holder = std::make_shared<Storage>(root.storage);
  Storage slice = Storage::Borrow(
      static_cast<char*>(const_cast<void*>(root.storage.data())) + offset * itemsize,
      numel * itemsize, std::move(holder), root.storage.device(), root.storage.is_read_only());
  return TypedStorage{std::move(slice), root.dtype, root.untyped};
}

}  // namespace load_internal
}  // namespace ptser
