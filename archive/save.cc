// Copyright ptser authors.
#include "archive/save.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "archive/zip_writer.h"
#include "archive/legacy_format.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/pickler.h"
#include "pickle/tensor_codec.h"
#include "tensor/device_registry.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace {

using legacy_format::kProtocolVersion;

// A storage as one save writes it: its key and, with `compact`, the trimmed
// copy and the byte offset it starts at in the original.
struct SavedStorage {
  Value key;            // a str, shared by every persistent id naming it
  Storage bytes;        // what the record holds
  uint64_t lo = 0;      // compact: first byte kept
  ScalarType dtype = ScalarType::kByte;
  bool untyped = false;
  bool dtype_known = false;
};

class SaveContext {
 public:
  SaveContext(const SaveOptions& options, bool legacy) : options_(options), legacy_(legacy) {}

  // Compact: the byte span each storage's tensors use.
  absl::Status CollectSpans(const Value& v) { return Walk(v, 0); }

  // The tensor's rebuild call (pickle/tensor_codec.h), its storage
  // registered under a key and, with `compact`, its offset rebased.
  absl::StatusOr<Value> ReduceTensor(const Value& tv) {
    const Tensor& t = tv.tensor();
    const TypedStorage storage = StorageForEncoding(t);
    PTSER_ASSIGN_OR_RETURN(SavedStorage * saved,
                           Register(storage.storage, storage.dtype, storage.untyped));
    int64_t offset = t.storage_offset();
    if (options_.compact) offset -= static_cast<int64_t>(saved->lo / t.itemsize());
    if (t.numel() == 0 && options_.compact) offset = 0;
    return EncodeTensor(t, Value::FromStorage(storage), offset);
  }

  // A storage's persistent id: its key, its location tag, and its numel as
  // saved (trimmed with `compact`).
  absl::StatusOr<std::optional<Value>> PersistentId(const Value& v) {
    if (!v.is_storage()) return std::optional<Value>();
    const TypedStorage& ts = v.storage();
    PTSER_ASSIGN_OR_RETURN(SavedStorage * saved, Register(ts.storage, ts.dtype, ts.untyped));
    StoragePersistentIdFields fields;
    fields.dtype = ts.dtype;
    fields.untyped = ts.untyped;
    fields.key = saved->key;
    std::optional<std::string> tag;
    if (options_.storage_location) tag = options_.storage_location(ts.storage);
    fields.location = tag.has_value() ? *std::move(tag) : ts.storage.device().ToString();
    fields.numel = static_cast<int64_t>(
        ts.untyped ? saved->bytes.nbytes() : saved->bytes.nbytes() / ElementSize(ts.dtype));
    fields.legacy = legacy_;
    PTSER_ASSIGN_OR_RETURN(Value pid, EncodeStoragePersistentId(fields, literals_));
    return std::optional<Value>(std::move(pid));
  }

  // Keys in the order torch.save writes records: sorted as strings.
  std::vector<const SavedStorage*> SortedStorages() const {
    std::vector<const SavedStorage*> out;
    for (const auto& [id, s] : saved_) out.push_back(&s);
    std::sort(out.begin(), out.end(), [](const SavedStorage* a, const SavedStorage* b) {
      return a->key.as_string() < b->key.as_string();
    });
    return out;
  }

 private:
  struct Span {
    uint64_t lo = ~uint64_t{0};
    uint64_t hi = 0;
  };

  absl::StatusOr<SavedStorage*> Register(const Storage& storage, ScalarType dtype, bool untyped) {
    auto it = saved_.find(storage.id());
    if (it == saved_.end()) {
      SavedStorage s;
      s.key = Value::Str(std::to_string(saved_.size()));
      // A storage on a device is copied to the host once, here, however many
      // tensors view it; its persistent id keeps the device's tag ('cuda:0').
      Storage host = storage;
      if (!storage.device().is_cpu()) {
        absl::StatusOr<Storage> copied = CopyToCpu(storage);
        if (!copied.ok()) {
          return absl::Status(copied.status().code(),
                              absl::StrCat("saving a storage of ", storage.nbytes(),
                                           " bytes on ", storage.device().ToString(), ": ",
                                           copied.status().message()));
        }
        host = *std::move(copied);
      }
      s.bytes = host;
      s.dtype = dtype;
      s.untyped = untyped;
      if (options_.compact) {
        auto span = spans_.find(storage.id());
        if (span != spans_.end() && span->second.lo < span->second.hi) {
          s.lo = span->second.lo;
          PTSER_ASSIGN_OR_RETURN(
              s.bytes, Storage::CopyFrom(static_cast<const char*>(host.data()) + s.lo,
                                         span->second.hi - s.lo));
        } else {
          PTSER_ASSIGN_OR_RETURN(s.bytes, Storage::Allocate(0));
        }
      } else {
        // The whole storage, in whole elements (as storage.size() * itemsize).
        const size_t itemsize = untyped ? 1 : ElementSize(dtype);
        const size_t n = host.nbytes() / itemsize * itemsize;
        if (n != host.nbytes()) {
          auto holder = std::make_shared<Storage>(host);
          s.bytes = Storage::Borrow(const_cast<void*>(host.data()), n, holder);
        }
      }
      it = saved_.emplace(storage.id(), std::move(s)).first;
    } else if ((it->second.dtype != dtype || it->second.untyped != untyped) &&
               storage.nbytes() != 0) {
      // As torch.save: only an allocated storage is checked (an empty one
      // may be named under several types, each persistent id its own).
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot save tensors or storages that view the same data as different types (",
          DtypeName(it->second.dtype), " and ", DtypeName(dtype), "), as in PyTorch"));
    }
    return &it->second;
  }

  absl::Status AddTensorSpan(const Tensor& t) {
    if (t.numel() == 0) {
      spans_.try_emplace(t.storage().id());
      return absl::OkStatus();
    }
    uint64_t last = static_cast<uint64_t>(t.storage_offset());
    for (int64_t d = 0; d < t.dim(); ++d) {
      last += static_cast<uint64_t>((t.sizes()[d] - 1) * t.strides()[d]);
    }
    Span& span = spans_[t.storage().id()];
    if (const int per_byte = ElementsPerByte(t.dtype()); per_byte > 1) {
      // Packed values: contiguous from offset 0 (Tensor::Make).
      span.lo = 0;
      span.hi = std::max<uint64_t>(span.hi, (last + per_byte) / per_byte);
    } else {
      span.lo = std::min<uint64_t>(span.lo, t.storage_offset() * t.itemsize());
      span.hi = std::max<uint64_t>(span.hi, (last + 1) * t.itemsize());
    }
    if (t.quantizer().has_value()) {
      if (t.quantizer()->scales) PTSER_RETURN_IF_ERROR(AddTensorSpan(*t.quantizer()->scales));
      if (t.quantizer()->zero_points) {
        PTSER_RETURN_IF_ERROR(AddTensorSpan(*t.quantizer()->zero_points));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Walk(const Value& v, int depth) {
    if (depth > 1000) return absl::ResourceExhaustedError("value nested deeper than 1000 levels");
    const void* id = v.identity();
    if (id != nullptr && !visited_.insert(id).second) return absl::OkStatus();
    switch (v.kind()) {
      case Value::Kind::kTensor:
        return AddTensorSpan(v.tensor());
      case Value::Kind::kStorage: {
        // A bare storage keeps all of itself.
        Span& span = spans_[v.storage().storage.id()];
        span.lo = 0;
        span.hi = v.storage().storage.nbytes();
        return absl::OkStatus();
      }
      case Value::Kind::kList:
      case Value::Kind::kTuple:
        for (const Value& item : v.sequence_items()) PTSER_RETURN_IF_ERROR(Walk(item, depth + 1));
        return absl::OkStatus();
      case Value::Kind::kDict:
        for (const auto& item : v.dict().items()) {
          PTSER_RETURN_IF_ERROR(Walk(item.key, depth + 1));
          PTSER_RETURN_IF_ERROR(Walk(item.value, depth + 1));
        }
        return Walk(v.dict().state(), depth + 1);
      case Value::Kind::kSet:
      case Value::Kind::kFrozenSet:
        for (const Value& item : v.set().items()) PTSER_RETURN_IF_ERROR(Walk(item, depth + 1));
        return absl::OkStatus();
      case Value::Kind::kObject: {
        const Value::Object& o = v.object();
        PTSER_RETURN_IF_ERROR(Walk(o.args(), depth + 1));
        PTSER_RETURN_IF_ERROR(Walk(o.kwargs(), depth + 1));
        PTSER_RETURN_IF_ERROR(Walk(o.state(), depth + 1));
        for (const Value& item : o.list_items()) PTSER_RETURN_IF_ERROR(Walk(item, depth + 1));
        for (const auto& item : o.dict_items()) {
          PTSER_RETURN_IF_ERROR(Walk(item.key, depth + 1));
          PTSER_RETURN_IF_ERROR(Walk(item.value, depth + 1));
        }
        return absl::OkStatus();
      }
      default:
        return absl::OkStatus();
    }
  }

  const SaveOptions& options_;
  bool legacy_;
  PersistentIdLiterals literals_;  // one 'storage' and one 'cpu' per pickle
  std::map<const void*, SavedStorage> saved_;
  absl::flat_hash_map<const void*, Span> spans_;
  absl::flat_hash_set<const void*> visited_;
};

absl::StatusOr<std::string> PickleObject(const Value& value, SaveContext* context, int protocol) {
  Pickler::Options po;
  po.protocol = protocol;
  Pickler pickler(po);
  pickler.set_persistent_id([context](const Value& v) { return context->PersistentId(v); });
  pickler.set_tensor_reducer([context](const Value& v) { return context->ReduceTensor(v); });
  return pickler.Dump(value);
}

absl::Status SaveZip(const Value& value, ByteSink* sink, const std::string& archive_name,
                     const SaveOptions& options) {
  SaveContext context(options, /*legacy=*/false);
  if (options.compact) PTSER_RETURN_IF_ERROR(context.CollectSpans(value));
  PTSER_ASSIGN_OR_RETURN(std::string pickle, PickleObject(value, &context, options.pickle_protocol));
  ZipWriter zip(sink, archive_name);
  PTSER_RETURN_IF_ERROR(zip.WriteRecord("data.pkl", pickle.data(), pickle.size()));
  const std::vector<const SavedStorage*> storages = context.SortedStorages();
  uint64_t total = 0, done = 0;
  for (const SavedStorage* s : storages) total += s->bytes.nbytes();
  for (const SavedStorage* s : storages) {
    PTSER_RETURN_IF_ERROR(zip.WriteRecord("data/" + s->key.as_string(), s->bytes.data(),
                                          s->bytes.nbytes()));
    if (options.expected_crc32) {
      const std::optional<uint32_t> want = options.expected_crc32(s->bytes);
      if (want.has_value() && *want != zip.last_crc32()) {
        return absl::DataLossError(absl::StrFormat(
            "storage 'data/%s' (%d bytes) has CRC-32 %08x, but the file it was loaded from "
            "records %08x for it: that file is corrupt",
            s->key.as_string(), s->bytes.nbytes(), zip.last_crc32(), *want));
      }
    }
    done += s->bytes.nbytes();
    if (options.progress) options.progress(done, total);
  }
  // PyTorchStreamWriter's end of file: the version record torch.save never
  // raises above kMinProducedFileFormatVersion = 3.
  PTSER_RETURN_IF_ERROR(zip.WriteRecord("version", "3\n", 2));
  return zip.Finish();
}

absl::Status SaveLegacy(const Value& value, ByteSink* sink, const SaveOptions& options) {
  // torch.save pickles all five parts at its pickle_protocol.
  const int protocol = options.pickle_protocol;
  if (protocol < 1 || protocol > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("pickle protocol ", protocol, " is not supported (1 to 5)"));
  }
  SaveContext context(options, /*legacy=*/true);
  if (options.compact) PTSER_RETURN_IF_ERROR(context.CollectSpans(value));
  const std::string magic = legacy_format::MagicPickleBytes(protocol);
  PTSER_RETURN_IF_ERROR(sink->Write(magic.data(), magic.size()));
  PTSER_ASSIGN_OR_RETURN(std::string version, PickleValue(Value::Int(kProtocolVersion), protocol));
  PTSER_RETURN_IF_ERROR(sink->Write(version.data(), version.size()));
  Value sys_info = Value::NewDict();
  Value sizes = Value::NewDict();
  PTSER_RETURN_IF_ERROR(sizes.dict().SetItem(Value::Str("short"), Value::Int(2)));
  PTSER_RETURN_IF_ERROR(sizes.dict().SetItem(Value::Str("int"), Value::Int(4)));
  PTSER_RETURN_IF_ERROR(sizes.dict().SetItem(Value::Str("long"), Value::Int(4)));
  PTSER_RETURN_IF_ERROR(
      sys_info.dict().SetItem(Value::Str("protocol_version"), Value::Int(kProtocolVersion)));
  PTSER_RETURN_IF_ERROR(sys_info.dict().SetItem(Value::Str("little_endian"), Value::Bool(true)));
  PTSER_RETURN_IF_ERROR(sys_info.dict().SetItem(Value::Str("type_sizes"), sizes));
  PTSER_ASSIGN_OR_RETURN(std::string info, PickleValue(sys_info, protocol));
  PTSER_RETURN_IF_ERROR(sink->Write(info.data(), info.size()));
  PTSER_ASSIGN_OR_RETURN(std::string pickle, PickleObject(value, &context, protocol));
  PTSER_RETURN_IF_ERROR(sink->Write(pickle.data(), pickle.size()));
  std::vector<Value> keys;
  std::vector<const SavedStorage*> storages = context.SortedStorages();
  for (const SavedStorage* s : storages) keys.push_back(Value::Str(s->key.as_string()));
  PTSER_ASSIGN_OR_RETURN(std::string key_list, PickleValue(Value::NewList(std::move(keys)), protocol));
  PTSER_RETURN_IF_ERROR(sink->Write(key_list.data(), key_list.size()));
  uint64_t total = 0, done = 0;
  for (const SavedStorage* s : storages) total += s->bytes.nbytes();
  for (const SavedStorage* s : storages) {
    const size_t itemsize = s->untyped ? 1 : ElementSize(s->dtype);
    const uint64_t numel = s->bytes.nbytes() / itemsize;
    unsigned char count[8];
    StoreLE64(count, numel);
    PTSER_RETURN_IF_ERROR(sink->Write(count, 8));
    PTSER_RETURN_IF_ERROR(sink->Write(s->bytes.data(), s->bytes.nbytes()));
    done += s->bytes.nbytes();
    if (options.progress) options.progress(done, total);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SaveToSink(const Value& value, ByteSink* sink, const std::string& archive_name,
                        const SaveOptions& options) {
  if (options.format == SaveOptions::Format::kLegacy) return SaveLegacy(value, sink, options);
  return SaveZip(value, sink, archive_name, options);
}

absl::StatusOr<std::string> SaveToString(const Value& value, const std::string& archive_name,
                                         const SaveOptions& options) {
  StringSink sink;
  PTSER_RETURN_IF_ERROR(SaveToSink(value, &sink, archive_name, options));
  return sink.Release();
}

absl::Status Save(const Value& value, const std::string& path, const SaveOptions& options) {
  std::string prefix;
  if (options.format == SaveOptions::Format::kZip) {
    PTSER_ASSIGN_OR_RETURN(prefix, ArchivePrefixForPath(path));
  }
  AtomicFileSink::Options sink_options;
  sink_options.durable = options.durable;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFileSink> sink,
                         AtomicFileSink::Create(path, sink_options));
  PTSER_RETURN_IF_ERROR(SaveToSink(value, sink.get(), prefix, options));
  return sink->Commit();
}

}  // namespace ptser
