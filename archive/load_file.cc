// Copyright ptser authors.
#include "archive/load_file.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "archive/differential.h"
#include "archive/storage_table.h"
#include "archive/tar_load.h"
#include "archive/tar_reader.h"
#include "archive/torch_archive.h"
#include "archive/legacy_format.h"
#include "archive/load_device.h"
#include "archive/restore_storage.h"
#include "archive/safetensors.h"
#include "base/endian.h"
#include "base/side_thread.h"
#include "base/status_macros.h"
#include "pickle/tensor_codec.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace {

using legacy_format::kProtocolVersion;
using load_internal::CanonicalNumber;

// Byte-swap unit of a dtype: complex numbers swap each component.
size_t SwapUnit(ScalarType dtype) {
  size_t size = ElementSize(dtype);
  return IsComplex(dtype) ? size / 2 : size;
}

absl::Status CheckNoHook(const LoadOptions& options) {
  if (options.unpickler.persistent_load) {
    return absl::InvalidArgumentError(
        "LoadOptions::unpickler.persistent_load must be unset: Load resolves storages itself");
  }
  return absl::OkStatus();
}

// The storage records of a zip archive by number.  torch.save names them
// "<prefix>/data/0", "<prefix>/data/1", ... and writes them sorted as
// strings (0, 1, 10, 100, ...), so the pickle asks for them in another order
// than the archive's.  One pass over the entries maps each decimal key below
// the entry count to its entry; Find() then costs a parse and a compare.
class StorageRecords {
 public:
  StorageRecords(const std::vector<ZipEntry>& entries, const std::string& prefix)
      : entries_(entries), by_number_(entries.size(), kNone) {
    for (size_t i = 0; i < entries.size(); ++i) {
      absl::string_view name = entries[i].name;
      if (!absl::StartsWith(name, prefix)) continue;
      name.remove_prefix(prefix.size());
      if (!absl::ConsumePrefix(&name, "/data/")) continue;
      const std::optional<size_t> n = CanonicalNumber(name);
      if (n.has_value() && *n < by_number_.size()) by_number_[*n] = static_cast<uint32_t>(i);
    }
  }

  // The entry "<prefix>/data/<key>" when `key` is a canonical decimal number
  // the pass above saw; null otherwise (the caller then looks up the name).
  const ZipEntry* Find(absl::string_view key) const {
    const std::optional<size_t> n = CanonicalNumber(key);
    if (!n.has_value() || *n >= by_number_.size() || by_number_[*n] == kNone) return nullptr;
    return &entries_[by_number_[*n]];
  }

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};

  const std::vector<ZipEntry>& entries_;
  std::vector<uint32_t> by_number_;
};

// Records up to this size are checked ahead: for them the jumps between
// records cost more than the bytes; a larger record is checked when read (so
// one staged to a device is not checked twice).
constexpr uint64_t kCheckAheadMaxRecordBytes = uint64_t{64} << 10;
// Archives with at least this many records prepare them on a second thread
// (below that, starting one costs more than it saves).
constexpr size_t kRecordsForSecondThread = 4096;

absl::StatusOr<Value> LoadZip(std::shared_ptr<const ByteSource> source, const LoadOptions& options) {
  ZipReader::Options zip_options;
  zip_options.verify_crc32 =
      options.verify_crc32 && (source->memory() == nullptr || !options.mmap ||
                               options.verify_crc32_when_mapped);
  zip_options.max_pickle_growth = options.max_pickle_growth;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive,
                         TorchArchive::Open(source, zip_options));
  if (archive->is_torchscript()) {
    return absl::UnimplementedError(absl::StrCat(
        "'", source->name(),
        "' is a TorchScript archive (it has a constants.pkl record): load it with "
        "ptser::jit::LoadScriptModule (jit/script_archive.h)"));
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<std::string> order, archive->ByteOrder());
  const bool swap = order.has_value() && *order == "big";
  PTSER_ASSIGN_OR_RETURN(Storage pickle, archive->ReadRecord("data.pkl"));

  // Small storage records are checked in file order before the pickle asks
  // for them in its own order (ZipReader::CheckAhead); larger ones as they
  // are read.  With many records that runs on a second thread beside the
  // unpickler's first pass over the pickle (its memo scan), and the first
  // storage the pickle names waits for it; nothing else touches the reader
  // meanwhile but Find() and DataOffset(), which CheckAhead allows.
  std::optional<StorageRecords> records;
  const auto prepare_records = [&archive, &records] {
    archive->mutable_zip().CheckAhead(archive->prefix() + "/data/", kCheckAheadMaxRecordBytes);
    records.emplace(archive->zip().entries(), archive->prefix());
  };
  // Started here; the first storage the pickle names joins it (and gets
  // here whatever it threw); it is joined on every way out.
  SideThread preparer(prepare_records,
                      archive->zip().entries().size() >= kRecordsForSecondThread);
  // One storage per key, however many tensors name it; a key is read from
  // its record when the pickle first names it.  torch.save's keys are
  // numbers below the entry count.
  load_internal::StorageTable table(options, "data/", archive->zip().entries().size());
  std::string full_name;
  // Storages going to a device with a runtime are staged there from the file
  // (load_device.h); declared before the unpickler so copies finish first.
  load_internal::DeviceStagers stagers(options.device_staging);
  UnpicklerOptions up = options.unpickler;
  up.max_total_bytes = UnpicklerBudget(options, source->size());
  up.persistent_load = [&](const Value& pid, size_t offset) -> absl::StatusOr<Value> {
    PTSER_ASSIGN_OR_RETURN(StoragePersistentId id, ParseStoragePersistentId(pid));
    id.untyped = false;  // torch.load: a TypedStorage, uint8 for an UntypedStorage id
    if (!id.view_metadata.is_none()) {
      return absl::InvalidArgumentError(
          "storage views (a 6th persistent id element) belong to the legacy format, not a zip archive");
    }
    preparer.Join();  // a test and a branch once joined
    // This runs once per tensor (100,000 times for 100,000 small tensors):
    // a key named before costs a parse and a compare.
    PTSER_ASSIGN_OR_RETURN(
        load_internal::StorageTable::Declared declared,
        table.Declare(id.key, id.dtype, id.untyped, id.numel, id.location));
    if (!declared.is_new) return Value::FromStorage(table.Get(declared.slot).typed);
    // Decimal keys are found by number, others by name.
    const ZipEntry* entry = records->Find(id.key);
    if (entry == nullptr) {
      full_name.assign(archive->prefix());
      full_name += "/data/";
      full_name.append(id.key.data(), id.key.size());
      absl::StatusOr<const ZipEntry*> found = archive->zip().Find(full_name);
      if (!found.ok()) {
        return absl::DataLossError(absl::StrCat("missing storage record 'data/", id.key,
                                                "' in '", source->name(), "'"));
      }
      entry = *found;
    }
    if (entry->uncompressed_size < id.nbytes) {
      return absl::DataLossError(absl::StrCat(
          "record 'data/", id.key, "' holds ", entry->uncompressed_size, " bytes but its storage of ",
          id.numel, " ", DtypeName(id.dtype), " elements needs ", id.nbytes));
    }
    if (!options.on_zip_storage) {
      PTSER_ASSIGN_OR_RETURN(std::optional<load_internal::StagingTarget> target,
                             load_internal::FindStagingTarget(id.location, options));
      if (target.has_value()) {
        PTSER_ASSIGN_OR_RETURN(
            Storage staged,
            load_internal::StageZipRecord(stagers.For(target->runtime), archive->zip(), *entry,
                                          id.nbytes, swap ? SwapUnit(id.dtype) : 1,
                                          zip_options.verify_crc32, target->device));
        table.Hold(declared.slot, std::move(staged), /*placed=*/true);
        return Value::FromStorage(table.Get(declared.slot).typed);
      }
    }
    // A record checked ahead is borrowed as it is (ZipReader::CheckAhead).
    PTSER_ASSIGN_OR_RETURN(Storage read, archive->zip().Read(*entry));
    Storage bytes = read;  // `read` stays as read, before any trim, swap or move
    if (bytes.nbytes() > id.nbytes) {
      // Keep exactly the storage's bytes (the record may be longer).
      auto holder = std::make_shared<Storage>(bytes);
      bytes = Storage::Borrow(const_cast<void*>(bytes.data()), id.nbytes, holder,
                              bytes.device(), bytes.is_read_only());
    }
    if (swap && ElementSize(id.dtype) > 1) {
      PTSER_ASSIGN_OR_RETURN(bytes, Storage::CopyFrom(bytes.data(), bytes.nbytes()));
      SwapBytes(bytes.mutable_data(), bytes.nbytes(), SwapUnit(id.dtype));
    }
    if (!options.on_zip_storage) {  // nothing to tell about the record
      PTSER_RETURN_IF_ERROR(table.Fill(declared.slot, bytes, nullptr));
      return Value::FromStorage(table.Get(declared.slot).typed);
    }
    // Aggregate-initialised: a default-constructed Storage would allocate.
    const load_internal::ZipRecordBytes record{
        source->name(),        entry->name, entry->header_offset, entry->uncompressed_size,
        entry->crc32,          zip_options.verify_crc32, std::move(read)};
    PTSER_RETURN_IF_ERROR(table.Fill(declared.slot, bytes, &record));
    return Value::FromStorage(table.Get(declared.slot).typed);
  };
  Unpickler unpickler(
      absl::string_view(static_cast<const char*>(pickle.data()), pickle.nbytes()), up);
  // A stored record's offsets are reported as offsets in the file; a
  // deflated one's can only be offsets in the record, and the message says so.
  std::string where = " record 'data.pkl' (deflated: offsets are in the record)";
  absl::StatusOr<const ZipEntry*> pickle_entry =
      archive->zip().Find(archive->prefix() + "/data.pkl");
  if (pickle_entry.ok() && (*pickle_entry)->method == 0) {
    absl::StatusOr<uint64_t> start = archive->zip().DataOffset(**pickle_entry);
    if (start.ok()) {
      unpickler.set_offset_base(*start);
      where = absl::StrCat(" record 'data.pkl' (at offset ", *start, ")");
    }
  }
  absl::StatusOr<Value> value = unpickler.Load();
  if (!value.ok()) {
    return ExplainUnpicklerBudget(
        absl::Status(value.status().code(),
                     absl::StrCat("'", source->name(), "'", where, ": ", value.status().message())),
        options, source->size());
  }
  PTSER_RETURN_IF_ERROR(stagers.Finish());
  return value;
}

absl::StatusOr<Value> LoadLegacy(std::shared_ptr<const ByteSource> source,
                                 const LoadOptions& options) {
  // The pickles are parsed from memory; a file source is read once.
  Storage whole;
  const uint8_t* data = source->memory();
  const uint64_t size = source->size();
  if (data == nullptr) {
    PTSER_ASSIGN_OR_RETURN(whole, source->StorageAt(0, size));
    data = static_cast<const uint8_t*>(whole.data());
  }
  const std::optional<legacy_format::MagicPickle> magic =
      legacy_format::MatchMagicPickle(data, size);
  if (!magic.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", source->name(), "' is not a PyTorch file (no zip signature, no legacy magic number)"));
  }
  const size_t base = magic->length;
  // The storages as the object pickle names them: each is allocated at its
  // first mention and handed to the tensors on it, its bytes copied in after
  // the object pickle (they follow it), then restored (see the end).
  load_internal::StorageTable table(options);
  std::map<std::string, Value, std::less<>> views;  // view key -> storage value
  UnpicklerOptions up = options.unpickler;
  up.max_total_bytes = UnpicklerBudget(options, size);
  const uint64_t file_size = size;
  uint64_t storage_bytes = 0;  // of the storages named so far
  up.persistent_load = [&](const Value& pid, size_t offset) -> absl::StatusOr<Value> {
    const absl::Span<const Value> items = pid.sequence_items();
    if (pid.is_tuple() && !items.empty() && items[0].is_str() &&
        items[0].as_string() == "module") {
      return absl::UnimplementedError(
          "the file pickles a whole nn.Module (a 'module' persistent id): its Python class "
          "would have to run; save and load the module's state_dict() instead");
    }
    PTSER_ASSIGN_OR_RETURN(StoragePersistentId id, ParseStoragePersistentId(pid));
    id.untyped = false;  // as in LoadZip: a bare UntypedStorage is a ByteStorage
    PTSER_ASSIGN_OR_RETURN(
        load_internal::StorageTable::Declared declared,
        table.Declare(id.key, id.dtype, id.untyped, id.numel, id.location));
    if (declared.is_new) {
      // Allocated now, filled after the object pickle (its bytes come last).
      // Every storage's bytes follow in the file: their total, not only each
      // one, must fit (this bounds what the loads below allocate).
      if (id.nbytes > file_size - std::min(file_size, storage_bytes)) {
        return absl::DataLossError(absl::StrCat(
            "storage '", id.key, "' of ", id.nbytes, " bytes, with the ", storage_bytes,
            " bytes of the storages before it, cannot fit in a file of ", file_size, " bytes"));
      }
      storage_bytes += id.nbytes;
      PTSER_ASSIGN_OR_RETURN(Storage s, Storage::Allocate(id.nbytes));
      table.Hold(declared.slot, std::move(s), /*placed=*/false);
    }
    const load_internal::StorageSlot& root = table.Get(declared.slot);
    if (id.view_metadata.is_none()) return Value::FromStorage(root.typed);
    // Old files: (view_key, offset, view_numel) — a slice of the root storage.
    const absl::Span<const Value> view = id.view_metadata.sequence_items();
    if (!id.view_metadata.is_tuple() || view.size() != 3 ||
        !view[0].is_str() || !view[1].is_int() || !view[2].is_int()) {
      return absl::InvalidArgumentError("storage view metadata is not (key, offset, numel)");
    }
    const std::string& view_key = view[0].as_string();
    auto seen = views.find(view_key);
    if (seen != views.end()) return seen->second;
    const int64_t off = view[1].as_int();
    const int64_t n = view[2].as_int();
    absl::StatusOr<TypedStorage> slice = load_internal::StorageTable::View(root.typed, off, n);
    if (!slice.ok()) {
      return absl::Status(slice.status().code(),
                          absl::StrCat("storage view '", view_key, "' (", n, " elements at ",
                                       off, ") runs past storage '", id.key, "' of ",
                                       root.numel, " elements"));
    }
    Value v = Value::FromStorage(*std::move(slice));
    views.emplace(view_key, v);
    return v;
  };
  // The whole file is the Unpickler's input, so every offset in its
  // messages is an offset in the file.
  Unpickler unpickler(absl::Span<const uint8_t>(data, size), up);
  unpickler.set_position(base);
  auto context = [&](absl::string_view what, const absl::Status& s) {
    return ExplainUnpicklerBudget(
        absl::Status(s.code(), absl::StrCat("'", source->name(), "' (legacy format) ", what,
                                            " at offset ", unpickler.position(), ": ",
                                            s.message())),
        options, size);
  };
  // The pickles are untrusted: any of them may hold a reference cycle, which
  // shared pointers cannot free.  Every value this function drops is released.
  struct Releaser {
    std::vector<Value> values;
    ~Releaser() {
      for (const Value& v : values) ReleaseValueGraph(v);
    }
  } dropped;
  absl::StatusOr<Value> version = unpickler.Load();
  if (!version.ok()) return context("protocol version", version.status());
  dropped.values.push_back(*version);
  if (!version->is_int() || version->as_int() != kProtocolVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", source->name(), "': legacy protocol version ", version->Repr(Value::kMessageReprChars), ", expected ",
        kProtocolVersion));
  }
  absl::StatusOr<Value> sys_info = unpickler.Load();
  if (!sys_info.ok()) return context("sys_info", sys_info.status());
  dropped.values.push_back(*sys_info);
  const size_t object_start = unpickler.position();
  absl::StatusOr<Value> result = unpickler.Load();
  if (!result.ok()) return context("object pickle", result.status());
  // Released too unless it is returned (cleared below on success).
  Value result_guard = *result;
  struct ResultReleaser {
    Value* v;
    ~ResultReleaser() {
      if (v != nullptr) ReleaseValueGraph(*v);
    }
  } result_releaser{&result_guard};
  absl::StatusOr<Value> keys = unpickler.Load();
  if (!keys.ok()) return context("storage key list", keys.status());
  dropped.values.push_back(*keys);
  if (!keys->is_sequence()) {
    return absl::InvalidArgumentError(absl::StrCat("'", source->name(),
                                                   "': the storage key list is not a list"));
  }
  uint64_t pos = unpickler.position();
  std::vector<bool> read(table.size(), false);  // by slot: its bytes were copied in
  for (const Value& key : keys->sequence_items()) {
    if (!key.is_str()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", source->name(), "': storage key ", key.Repr(Value::kMessageReprChars), " is not a str"));
    }
    const size_t index = table.Find(key.as_string());
    if (index == load_internal::StorageTable::kNoSlot) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", source->name(), "': storage '", key.as_string(),
          "' has data but no tensor names it"));
    }
    if (pos + 8 > size) {
      return absl::DataLossError(absl::StrCat("'", source->name(), "' ends at offset ", size,
                                              " before storage '", key.as_string(), "'"));
    }
    const load_internal::StorageSlot* slot = &table.Get(index);
    const uint64_t count = LoadLE64(data + pos);
    if (count != static_cast<uint64_t>(slot->numel)) {
      return absl::DataLossError(absl::StrCat(
          "'", source->name(), "' at offset ", pos, ": storage '", key.as_string(), "' has ",
          count, " elements, but the pickle said ", slot->numel));
    }
    pos += 8;
    Storage buffer = slot->typed.storage;
    const uint64_t nbytes = buffer.nbytes();
    if (nbytes > size - pos) {
      return absl::DataLossError(absl::StrCat("'", source->name(), "' at offset ", pos,
                                              ": storage '", key.as_string(), "' needs ", nbytes,
                                              " bytes, the file has ", size - pos, " left"));
    }
    if (nbytes > 0) std::memcpy(buffer.mutable_data(), data + pos, nbytes);
    pos += nbytes;
    read[index] = true;
  }
  // torch.load leaves a storage the key list does not name uninitialised.
  for (size_t i = 0; i < table.size(); ++i) {
    if (!read[i]) {
      return absl::DataLossError(absl::StrCat("'", source->name(), "': storage '",
                                              table.Get(i).key,
                                              "' is named by a tensor but its bytes are not in "
                                              "the file (the storage key list leaves it out)"));
    }
  }
  // torch.load stops reading here; bytes after it would be a second file.
  if (pos != size) {
    return DifferentialError(
        absl::StrCat("'", source->name(), "' at offset ", pos, ": "),
        absl::StrCat(size - pos, " bytes follow the last storage; torch.load ignores them"));
  }
  // One map_location policy for every format: each storage, its bytes now
  // read, goes through the table's Fill (RestoreStorage) as a zip record does (a CUDA storage
  // without a mapping to the CPU is refused; a map_location function sees
  // every storage with its tag).
  bool moved = false;
  for (size_t i = 0; i < table.size(); ++i) {
    const Storage read_bytes = table.Get(i).typed.storage;
    absl::Status restored = table.Fill(i, read_bytes);
    if (!restored.ok()) {
      const load_internal::StorageSlot& saved = table.Get(i);
      return absl::Status(restored.code(),
                          absl::StrCat("'", source->name(), "' (legacy format) storage '",
                                       saved.key, "' saved on '", saved.location,
                                       "': ", restored.message()));
    }
    if (!table.Get(i).typed.storage.IsSameAs(read_bytes)) moved = true;
  }
  if (!moved) {
    result_releaser.v = nullptr;  // handed to the caller
    return result;
  }
  // A storage lives elsewhere now (another device, or a map_location
  // function's copy): the object pickle is read again, its persistent ids
  // resolving to the restored storages.  The first reading is released.
  views.clear();
  Unpickler again(absl::Span<const uint8_t>(data, size), up);
  again.set_position(object_start);
  absl::StatusOr<Value> restored_result = again.Load();
  if (!restored_result.ok()) {
    return absl::Status(restored_result.status().code(),
                        absl::StrCat("'", source->name(), "' (legacy format) object pickle at offset ",
                                     object_start, ": ", restored_result.status().message()));
  }
  return restored_result;
}


}  // namespace

absl::StatusOr<FileFormat> DetectFormat(const ByteSource& source) {
  unsigned char head[legacy_format::kMagicPickleMaxBytes] = {};
  const uint64_t n = std::min<uint64_t>(source.size(), sizeof(head));
  PTSER_RETURN_IF_ERROR(source.ReadAt(0, n, head));
  if (n >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return FileFormat::kZip;
  // The magic number pickled at any protocol 0-5, as torch.load reads it.
  if (legacy_format::MatchMagicPickle(head, n).has_value()) {
    // torch.load (_legacy_load) tries tarfile.open first: a legacy file
    // whose first 512 bytes pass for a tar header may be read as a tar.
    if (source.size() >= kTarBlockSize) {
      std::string block(kTarBlockSize, '\0');
      PTSER_RETURN_IF_ERROR(source.ReadAt(0, block.size(), block.data()));
      if (PythonTarfileTakesHeader(block)) {
        return DifferentialError(
            absl::StrCat("'", source.name(), "' at offset 0: "),
            "the file starts with the legacy magic number and its first 512 bytes are also a "
            "tar header Python's tarfile accepts; torch.load tries the tar format first");
      }
    }
    return FileFormat::kLegacy;
  }
  if (source.size() >= 263) {
    char magic[6];
    PTSER_RETURN_IF_ERROR(source.ReadAt(257, 6, magic));
    if (std::memcmp(magic, "ustar", 5) == 0) return FileFormat::kTar;
  }
  // safetensors has no magic number: an 8-byte little-endian header length
  // that fits the file, then the JSON header's "{" (docs/formats/safetensors.md).
  if (n >= 9 && head[8] == '{') {
    const uint64_t header_len = LoadLE64(head);
    if (header_len >= 2 && header_len <= source.size() - 8) return FileFormat::kSafetensors;
  }
  return FileFormat::kUnknown;
}

namespace {

// A safetensors file records no device: its tensors are read as CPU
// tensors, each on its own storage, and go through map_location as storages
// saved on "cpu" would (docs/formats/safetensors.md).
absl::StatusOr<Value> RestoreSafetensors(Value sd, const LoadOptions& options) {
  Value out = Value::NewOrderedDict();
  for (const Value::Dict::Item& item : sd.dict().items()) {
    const Tensor& t = item.value.tensor();
    PTSER_ASSIGN_OR_RETURN(Storage placed,
                           load_internal::RestoreStorage(t.storage(), "cpu", options));
    PTSER_ASSIGN_OR_RETURN(Tensor moved, Tensor::Make(std::move(placed), t.dtype(),
                                                      t.storage_offset(), t.sizes(), t.strides()));
    PTSER_RETURN_IF_ERROR(out.dict().SetItem(item.key, Value::FromTensor(std::move(moved))));
  }
  return out;
}

}  // namespace

absl::StatusOr<Value> LoadFromSource(std::shared_ptr<const ByteSource> source,
                                     const LoadOptions& options) {
  if (source == nullptr) return absl::InvalidArgumentError("null ByteSource");
  PTSER_RETURN_IF_ERROR(CheckNoHook(options));
  PTSER_ASSIGN_OR_RETURN(FileFormat format, DetectFormat(*source));
  switch (format) {
    case FileFormat::kZip:
    case FileFormat::kTorchScript:
      return LoadZip(std::move(source), options);
    case FileFormat::kLegacy:
      return LoadLegacy(std::move(source), options);
    case FileFormat::kTar:
      return LoadTar(std::move(source), options);
    case FileFormat::kSafetensors: {
      PTSER_ASSIGN_OR_RETURN(Value sd, LoadSafetensors(std::move(source)));
      if (options.map_location.is_identity()) return sd;
      return RestoreSafetensors(std::move(sd), options);
    }
    case FileFormat::kUnknown:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", source->name(),
      "' is not a PyTorch file: it starts with neither a zip signature nor the legacy "
      "magic number, and is not a tar or .safetensors file"));
}

namespace load_internal {

absl::StatusOr<Value> LoadSingleFile(const std::string& path, const LoadOptions& options) {
  std::unique_ptr<ByteSource> source;
  if (options.mmap) {
    PTSER_ASSIGN_OR_RETURN(source, ByteSource::MapFile(path));
  } else if (StagesToDevice(options)) {
    // Staged to a device: pread each chunk into the pinned buffers (no page
    // faults, unlike copying out of a map), never the whole file in memory.
    PTSER_ASSIGN_OR_RETURN(source, ByteSource::OpenFile(path));
  } else if (options.one_buffer) {
    PTSER_ASSIGN_OR_RETURN(source, ByteSource::ReadFile(path));
  } else {
    PTSER_ASSIGN_OR_RETURN(source, ByteSource::OpenFile(path));
  }
  return LoadFromSource(std::shared_ptr<const ByteSource>(std::move(source)), options);
}

}  // namespace load_internal

}  // namespace ptser
