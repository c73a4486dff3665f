// Copyright ptser authors.
#include "archive/tar_load.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "archive/storage_table.h"
#include "archive/tar_reader.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/tensor_codec.h"
#include "pickle/unpickler.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

constexpr char kStoragesMember[] = "storages";
constexpr char kTensorsMember[] = "tensors";
constexpr char kPickleMember[] = "pickle";

// Python's int() on a persistent id: an int as is; a str or bytes of decimal
// digits, with surrounding whitespace, an optional sign and single '_'
// between digits.  Nullopt for anything else or beyond int64.
std::optional<int64_t> PythonInt(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  if (!v.is_str() && !v.is_bytes()) return std::nullopt;
  absl::string_view s = absl::StripAsciiWhitespace(v.as_string());
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  // Accumulated as a negative number, so that INT64_MIN fits.
  int64_t value = 0;
  bool last_was_digit = false;
  for (char c : s) {
    if (c == '_') {
      if (!last_was_digit) return std::nullopt;
      last_was_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value < (std::numeric_limits<int64_t>::min() + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
    last_was_digit = true;
  }
  if (!last_was_digit) return std::nullopt;
  if (!negative) {
    if (value == std::numeric_limits<int64_t>::min()) return std::nullopt;
    value = -value;
  }
  return value;
}

std::string Describe(const Value& v) {
  std::string repr = v.Repr(80);
  if (repr.size() > 80) repr = absl::StrCat(repr.substr(0, 77), "...");
  return repr;
}

// The items of a tuple or list of exactly `n` (> 0) elements, else empty.
absl::Span<const Value> SequenceOf(const Value& v, size_t n) {
  const absl::Span<const Value> items = v.sequence_items();
  if (items.size() != n) return {};
  return items;
}

// Reads one member: consecutive pickles and little-endian binary records.
class MemberCursor {
 public:
  MemberCursor(const ByteSource& source, const TarMember& member, Storage bytes,
               UnpicklerOptions unpickler)
      : source_(source),
        member_(member),
        bytes_(std::move(bytes)),
        data_(static_cast<const uint8_t*>(bytes_.data())),
        size_(bytes_.nbytes()),
        unpickler_(std::move(unpickler)) {}

  uint64_t file_offset() const { return member_.data_offset + pos_; }
  uint64_t left() const { return size_ - pos_; }
  const uint8_t* here() const { return data_ + pos_; }
  void Skip(uint64_t n) { pos_ += n; }

  // A status with the file, member and current file offset prepended.
  absl::Status Error(absl::StatusCode code, absl::string_view message) const {
    return ErrorAt(code, file_offset(), message);
  }
  absl::Status ErrorAt(absl::StatusCode code, uint64_t offset, absl::string_view message) const {
    return absl::Status(code, absl::StrCat("'", source_.name(), "' (tar format) member '",
                                           member_.name, "' at offset ", offset, ": ", message));
  }

  // The next pickle (`what` names it in errors).
  absl::StatusOr<Value> NextPickle(absl::string_view what) {
    const uint64_t start = file_offset();
    Unpickler unpickler(absl::Span<const uint8_t>(here(), left()), unpickler_);
    unpickler.set_offset_base(start);  // offsets in its messages: in the file
    absl::StatusOr<Value> value = unpickler.Load();
    if (!value.ok()) {
      return ErrorAt(value.status().code(), start,
                     absl::StrCat(what, " (a pickle): ", value.status().message()));
    }
    pos_ += unpickler.position();
    return value;
  }

  // DataLossError unless `n` more bytes are there.
  absl::Status Need(uint64_t n, absl::string_view what) const {
    if (n > left()) {
      return Error(absl::StatusCode::kDataLoss,
                   absl::StrCat(what, " needs ", n, " bytes, the member has ", left(), " left"));
    }
    return absl::OkStatus();
  }

  // Little-endian integers; the caller checked Need().
  int64_t ReadI64() {
    const uint64_t v = LoadLE64(data_ + pos_);
    pos_ += 8;
    return static_cast<int64_t>(v);
  }
  int32_t ReadI32() {
    const uint32_t v = LoadLE32(data_ + pos_);
    pos_ += 4;
    return static_cast<int32_t>(v);
  }

 private:
  const ByteSource& source_;
  const TarMember& member_;
  Storage bytes_;
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  UnpicklerOptions unpickler_;
};

class TarLoader {
 public:
  TarLoader(std::shared_ptr<const ByteSource> source, const LoadOptions& options)
      : source_(std::move(source)), options_(options), storages_(options) {
    metadata_unpickler_ = options.unpickler;
    metadata_unpickler_.max_total_bytes = UnpicklerBudget(options, source_->size());
    metadata_unpickler_.persistent_load = nullptr;
  }

  absl::StatusOr<Value> Load() {
    PTSER_ASSIGN_OR_RETURN(tar_, TarReader::Open(source_));
    PTSER_RETURN_IF_ERROR(ReadStorages());
    PTSER_RETURN_IF_ERROR(ReadTensors());
    return ReadObject();
  }

 private:
  absl::StatusOr<const TarMember*> FindMember(const char* name) const {
    const TarMember* member = tar_->Find(name);
    if (member == nullptr) {
      return absl::DataLossError(absl::StrCat(
          "'", source_->name(), "' (tar format) has no member '", name,
          "'; a file of PyTorch <= 0.1.9 has the members sys_info, pickle, tensors and "
          "storages"));
    }
    if (!member->is_file()) {
      return absl::DataLossError(absl::StrCat(
          "'", source_->name(), "' (tar format): member '", name, "' (header at offset ",
          member->header_offset, ") is not a regular file"));
    }
    return member;
  }

  absl::StatusOr<MemberCursor> Open(const char* name) {
    PTSER_ASSIGN_OR_RETURN(const TarMember* member, FindMember(name));
    PTSER_ASSIGN_OR_RETURN(Storage bytes, tar_->Read(*member));
    return MemberCursor(*source_, *member, std::move(bytes), metadata_unpickler_);
  }

  // A count pickle: a non-negative int.
  absl::StatusOr<int64_t> ReadCount(MemberCursor& c, absl::string_view what) {
    const uint64_t at = c.file_offset();
    PTSER_ASSIGN_OR_RETURN(Value count, c.NextPickle(what));
    if (!count.is_int() || count.as_int() < 0) {
      return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                       absl::StrCat(what, " is ", Describe(count), ", not a count"));
    }
    return count.as_int();
  }

  absl::StatusOr<int64_t> ReadKey(const MemberCursor& c, uint64_t at, const Value& v,
                                  absl::string_view what) {
    if (!v.is_int()) {
      return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                       absl::StrCat(what, " ", Describe(v),
                                    " is not an int (PyTorch 0.1.9 keyed objects by _cdata)"));
    }
    return v.as_int();
  }

  // The storage under `key`, or an error saying what is there instead.
  absl::StatusOr<const TypedStorage*> StorageAt(const MemberCursor& c, uint64_t at, int64_t key,
                                                absl::string_view who) {
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                       absl::StrCat(who, " names storage ", key,
                                    ", which the storages member does not hold"));
    }
    if (!it->second.is_storage()) {
      return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                       absl::StrCat(who, " names ", key, ", which is a ",
                                    it->second.TypeName(), ", not a storage"));
    }
    return &it->second.storage();
  }

  absl::Status ReadStorages() {
    PTSER_ASSIGN_OR_RETURN(MemberCursor c, Open(kStoragesMember));
    PTSER_ASSIGN_OR_RETURN(int64_t count, ReadCount(c, "the storage count"));
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t at = c.file_offset();
      PTSER_ASSIGN_OR_RETURN(Value record,
                             c.NextPickle(absl::StrCat("the header of storage #", i)));
      const absl::Span<const Value> items = SequenceOf(record, 3);
      if (items.empty()) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                         absl::StrCat("storage #", i, " header ", Describe(record),
                                      " is not (key, location, storage_type)"));
      }
      PTSER_ASSIGN_OR_RETURN(int64_t key, ReadKey(c, at, items[0], "storage key"));
      const Value& location = items[1];
      const Value& type = items[2];
      if (!location.is_str()) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                         absl::StrCat("storage ", key, ": location ", Describe(location),
                                      " is not a str"));
      }
      std::optional<StorageClassInfo> info;
      if (type.is_global()) info = StorageClassFromName(type.global().name);
      if (!info.has_value() || info->untyped) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                         absl::StrCat("storage ", key, ": storage type ", Describe(type),
                                      " is not a typed storage class such as torch.FloatStorage"));
      }
      const ScalarType dtype = info->dtype;
      const uint64_t itemsize = ElementSize(dtype);
      PTSER_RETURN_IF_ERROR(c.Need(8, absl::StrCat("the element count of storage ", key)));
      const uint64_t count_at = c.file_offset();
      const uint64_t numel = static_cast<uint64_t>(c.ReadI64());
      if (numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / itemsize ||
          numel * itemsize > c.left()) {
        return c.ErrorAt(absl::StatusCode::kDataLoss, count_at,
                         absl::StrCat("storage ", key, " has ", numel, " elements of ",
                                      DtypeName(dtype), " (", numel * itemsize,
                                      " bytes), the member has ", c.left(), " bytes left"));
      }
      // One slot per key; a key saved twice is typed, tagged and filled
      // anew (the last copy wins, as in 1.13's deserialized_objects).
      absl::StatusOr<load_internal::StorageTable::Declared> declared =
          storages_.Redeclare(absl::StrCat(key), dtype, false, static_cast<int64_t>(numel),
                            location.as_string());
      if (!declared.ok()) {
        return c.ErrorAt(declared.status().code(), at, declared.status().message());
      }
      const uint64_t nbytes = numel * itemsize;
      PTSER_ASSIGN_OR_RETURN(Storage cpu, Storage::CopyFrom(c.here(), nbytes));
      c.Skip(nbytes);
      absl::Status restored = storages_.Fill(declared->slot, cpu);
      if (!restored.ok()) {
        return c.ErrorAt(restored.code(), at,
                         absl::StrCat("storage ", key, ": ", restored.message()));
      }
      objects_[key] = Value::FromStorage(storages_.Get(declared->slot).typed);
    }

    const uint64_t at = c.file_offset();
    PTSER_ASSIGN_OR_RETURN(Value views, c.NextPickle("the storage view list"));
    if (!views.is_sequence()) {
      return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                       absl::StrCat("the storage view list ", Describe(views),
                                    " is not a list"));
    }
    for (const Value& view : views.sequence_items()) {
      const absl::Span<const Value> v = SequenceOf(view, 4);
      if (v.empty() || !v[2].is_int() || !v[3].is_int()) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                         absl::StrCat("storage view ", Describe(view),
                                      " is not (target_key, root_key, offset, numel)"));
      }
      PTSER_ASSIGN_OR_RETURN(int64_t target, ReadKey(c, at, v[0], "storage view key"));
      PTSER_ASSIGN_OR_RETURN(int64_t root_key, ReadKey(c, at, v[1], "storage view root"));
      PTSER_ASSIGN_OR_RETURN(
          const TypedStorage* root,
          StorageAt(c, at, root_key, absl::StrCat("storage view ", target)));
      const int64_t offset = v[2].as_int();
      const int64_t numel = v[3].as_int();
      absl::StatusOr<TypedStorage> slice = load_internal::StorageTable::View(*root, offset, numel);
      if (!slice.ok()) {
        return c.ErrorAt(slice.status().code(), at,
                         absl::StrCat("storage view ", target, " (", numel, " elements at ",
                                      offset, ") runs past its root storage ", root_key, " of ",
                                      root->numel(), " elements"));
      }
      objects_[target] = Value::FromStorage(*std::move(slice));
    }
    return absl::OkStatus();
  }

  absl::Status ReadTensors() {
    PTSER_ASSIGN_OR_RETURN(MemberCursor c, Open(kTensorsMember));
    PTSER_ASSIGN_OR_RETURN(int64_t count, ReadCount(c, "the tensor count"));
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t at = c.file_offset();
      PTSER_ASSIGN_OR_RETURN(Value record,
                             c.NextPickle(absl::StrCat("the header of tensor #", i)));
      const absl::Span<const Value> items = SequenceOf(record, 3);
      if (items.empty()) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                         absl::StrCat("tensor #", i, " header ", Describe(record),
                                      " is not (key, storage_key, original_tensor_type)"));
      }
      PTSER_ASSIGN_OR_RETURN(int64_t key, ReadKey(c, at, items[0], "tensor key"));
      if (items[1].is_none()) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, at,
                         absl::StrCat("tensor ", key,
                                      " has no storage (PyTorch 0.1.9 saved empty tensors "
                                      "so); PyTorch 1.13 cannot load it either"));
      }
      PTSER_ASSIGN_OR_RETURN(int64_t storage_key,
                             ReadKey(c, at, items[1], "tensor storage key"));
      PTSER_ASSIGN_OR_RETURN(const TypedStorage* storage,
                             StorageAt(c, at, storage_key, absl::StrCat("tensor ", key)));
      // items[2], the tensor class, is not used: the storage gives the dtype.

      PTSER_RETURN_IF_ERROR(c.Need(8, absl::StrCat("the rank of tensor ", key)));
      const uint64_t meta_at = c.file_offset();
      const int32_t ndim = c.ReadI32();
      c.Skip(4);  // the high half of the int64 0.1.9 wrote
      if (ndim < 0) {
        return c.ErrorAt(absl::StatusCode::kInvalidArgument, meta_at,
                         absl::StrCat("tensor ", key, " has ", ndim, " dimensions"));
      }
      const uint64_t layout_bytes = (2 * static_cast<uint64_t>(ndim) + 1) * 8;
      PTSER_RETURN_IF_ERROR(c.Need(
          layout_bytes, absl::StrCat("the layout of tensor ", key, " (", ndim, " dimensions)")));
      std::vector<int64_t> sizes(ndim), strides(ndim);
      for (int32_t d = 0; d < ndim; ++d) sizes[d] = c.ReadI64();
      for (int32_t d = 0; d < ndim; ++d) strides[d] = c.ReadI64();
      const int64_t storage_offset = c.ReadI64();
      absl::StatusOr<Tensor> tensor =
          Tensor::Make(storage->storage, storage->dtype, storage_offset, std::move(sizes),
                       std::move(strides));
      if (!tensor.ok()) {
        return c.ErrorAt(tensor.status().code(), meta_at,
                         absl::StrCat("tensor ", key, " on storage ", storage_key, ": ",
                                      tensor.status().message()));
      }
      objects_[key] = Value::FromTensor(*std::move(tensor));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Value> ReadObject() {
    PTSER_ASSIGN_OR_RETURN(const TarMember* member, FindMember(kPickleMember));
    PTSER_ASSIGN_OR_RETURN(Storage bytes, tar_->Read(*member));
    UnpicklerOptions up = options_.unpickler;
    up.max_total_bytes = UnpicklerBudget(options_, source_->size());
    up.persistent_load = [this](const Value& pid, size_t /*offset*/) -> absl::StatusOr<Value> {
      if (pid.is_tuple()) {
        return absl::UnimplementedError(absl::StrCat(
            "the file pickles a whole nn.Module (persistent id ", Describe(pid),
            "): its Python class would have to run; save and load the module's "
            "state_dict() instead"));
      }
      std::optional<int64_t> key = PythonInt(pid);
      if (!key.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "persistent id ", Describe(pid), " is not the decimal key of a tensor or storage"));
      }
      auto it = objects_.find(*key);
      if (it == objects_.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "persistent id ", Describe(pid),
            " names no tensor or storage of the tensors and storages members"));
      }
      return it->second;
    };
    Unpickler unpickler(
        absl::string_view(static_cast<const char*>(bytes.data()), bytes.nbytes()), up);
    unpickler.set_offset_base(member->data_offset);  // a tar member is stored as is
    absl::StatusOr<Value> value = unpickler.Load();
    if (!value.ok()) {
      return ExplainUnpicklerBudget(
          absl::Status(value.status().code(),
                       absl::StrCat("'", source_->name(), "' (tar format) member 'pickle' at offset ",
                                    member->data_offset, ": ", value.status().message())),
          options_, source_->size());
    }
    return value;
  }

  std::shared_ptr<const ByteSource> source_;
  const LoadOptions& options_;
  UnpicklerOptions metadata_unpickler_;
  std::unique_ptr<TarReader> tar_;
  // The storages member's storages, restored as each is read (before the
  // pickle that names them).
  load_internal::StorageTable storages_;
  // 1.13's `deserialized_objects`: storages, storage views, then tensors.
  std::map<int64_t, Value> objects_;
};

}  // namespace

absl::StatusOr<Value> LoadTar(std::shared_ptr<const ByteSource> source,
                              const LoadOptions& options) {
  if (source == nullptr) return absl::InvalidArgumentError("null ByteSource");
  if (options.unpickler.persistent_load) {
    return absl::InvalidArgumentError(
        "LoadOptions::unpickler.persistent_load must be unset: Load resolves storages itself");
  }
  TarLoader loader(std::move(source), options);
  return loader.Load();
}

}  // namespace ptser
