// Copyright ptser authors.
//
// tensor/tensor.cc — Tensor construction, validation and queries.

#include "tensor/tensor.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "tensor/device_registry.h"

namespace ptser {
namespace {

// Overflow-checked int64 arithmetic: false on overflow.
bool MulOk(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
bool AddOk(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

std::string LayoutString(int64_t offset, absl::Span<const int64_t> sizes,
                         absl::Span<const int64_t> strides, size_t itemsize) {
  return absl::StrCat("sizes ", ShapeToString(sizes), ", strides ",
                      ShapeToString(strides), ", storage offset ", offset,
                      " and itemsize ", itemsize);
}

}  // namespace

absl::StatusOr<int64_t> WrapDim(int64_t dim, int64_t rank, bool wrap_scalar) {
  if (rank <= 0) {
    if (!wrap_scalar) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Dimension specified as ", dim, " but tensor has no dimensions"));
    }
    rank = 1;
  }
  const int64_t min = -rank;
  const int64_t max = rank - 1;
  if (dim < min || dim > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Dimension out of range (expected to be in range of [", min, ", ",
        max, "], but got ", dim, ")"));
  }
  return dim < 0 ? dim + rank : dim;
}

absl::StatusOr<int64_t> CheckedNumel(absl::Span<const int64_t> sizes) {
  for (int64_t s : sizes) {
    if (s < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Trying to create tensor with negative dimension ", s,
                       ": ", ShapeToString(sizes)));
    }
  }
  int64_t numel = 1;
  bool overflow = false;
  for (int64_t s : sizes) overflow |= !MulOk(numel, s, &numel);
  if (overflow) {
    return absl::InvalidArgumentError(
        absl::StrCat("Storage size calculation overflowed with sizes=",
                     ShapeToString(sizes)));
  }
  return numel;
}

std::string ShapeToString(absl::Span<const int64_t> values) {
  return absl::StrCat("[", absl::StrJoin(values, ", "), "]");
}

Tensor::Tensor() : sizes_({0}), strides_({1}) {}

absl::StatusOr<Tensor> Tensor::Make(Storage storage, ScalarType dtype,
                                    int64_t storage_offset,
                                    std::vector<int64_t> sizes,
                                    std::vector<int64_t> strides) {
  if (!ScalarTypeFromCode(static_cast<int64_t>(dtype)).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid dtype code ", static_cast<int>(dtype)));
  }
  if (sizes.size() != strides.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sizes ", ShapeToString(sizes), " and strides ",
        ShapeToString(strides), " have different lengths (", sizes.size(),
        " vs ", strides.size(), ")"));
  }
  if (storage_offset < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Tensor: invalid storage offset ", storage_offset));
  }
  for (int64_t stride : strides) {
    if (stride < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "negative strides are not supported, got strides: ",
          ShapeToString(strides)));
    }
  }
  absl::StatusOr<int64_t> numel = CheckedNumel(sizes);
  if (!numel.ok()) return numel.status();

  const int per_byte = ElementsPerByte(dtype);
  if (per_byte > 1 && *numel > 0) {
    // quint4x2/quint2x4 pack several values per byte; PyTorch has them only
    // as contiguous tensors at offset 0 (its views of them fail too).
    if (storage_offset != 0 || strides != ContiguousStrides(sizes)) {
      return absl::InvalidArgumentError(absl::StrCat(
          DtypeName(dtype), " packs ", per_byte,
          " values per byte: only a contiguous tensor at offset 0 can view its storage, got ",
          LayoutString(storage_offset, sizes, strides, 1)));
    }
    const uint64_t needed = (static_cast<uint64_t>(*numel) + per_byte - 1) / per_byte;
    if (needed > storage.nbytes()) {
      return absl::OutOfRangeError(absl::StrCat(
          *numel, " ", DtypeName(dtype), " values need ", needed,
          " bytes, out of bounds for a storage of ", storage.nbytes(), " bytes"));
    }
    return Tensor(std::move(storage), dtype, storage_offset, std::move(sizes),
                  std::move(strides));
  }
  const size_t itemsize = ElementSize(dtype);
  if (*numel > 0) {
    // Highest addressed element + 1, in elements, then in bytes.
    int64_t extent = storage_offset;
    bool ok = true;
    for (size_t k = 0; k < sizes.size() && ok; ++k) {
      int64_t span = 0;
      ok = MulOk(sizes[k] - 1, strides[k], &span) && AddOk(extent, span, &extent);
    }
    ok = ok && AddOk(extent, 1, &extent);
    int64_t extent_bytes = 0;
    ok = ok && MulOk(extent, static_cast<int64_t>(itemsize), &extent_bytes);
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Tensor layout with ",
          LayoutString(storage_offset, sizes, strides, itemsize),
          " overflows int64 index arithmetic"));
    }
    if (static_cast<uint64_t>(extent_bytes) > storage.nbytes()) {
      return absl::OutOfRangeError(absl::StrCat(
          "Tensor layout with ",
          LayoutString(storage_offset, sizes, strides, itemsize),
          " requires a storage of ", extent_bytes,
          " bytes, out of bounds for a storage of ", storage.nbytes(),
          " bytes"));
    }
  }

  return Tensor(std::move(storage), dtype, storage_offset, std::move(sizes),
                std::move(strides));
}

Tensor::Tensor(Storage storage, ScalarType dtype, int64_t storage_offset,
               std::vector<int64_t> sizes, std::vector<int64_t> strides)
    : storage_(std::move(storage)),
      dtype_(dtype),
      storage_offset_(storage_offset),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)) {}

std::vector<int64_t> Tensor::ContiguousStrides(
    absl::Span<const int64_t> sizes) {
  std::vector<int64_t> strides(sizes.size());
  int64_t running = 1;
  for (size_t k = sizes.size(); k-- > 0;) {
    strides[k] = running;
    const int64_t s = sizes[k] > 1 ? sizes[k] : 1;
    // Saturate instead of overflowing; Make rejects such layouts anyway.
    if (!MulOk(running, s, &running)) {
      running = std::numeric_limits<int64_t>::max();
    }
  }
  return strides;
}

absl::StatusOr<int64_t> Tensor::size(int64_t d) const {
  absl::StatusOr<int64_t> w = WrapDim(d, dim(), /*wrap_scalar=*/false);
  if (!w.ok()) return w.status();
  return sizes_[*w];
}

absl::StatusOr<int64_t> Tensor::stride(int64_t d) const {
  absl::StatusOr<int64_t> w = WrapDim(d, dim(), /*wrap_scalar=*/false);
  if (!w.ok()) return w.status();
  return strides_[*w];
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t s : sizes_) n *= s;  // validated by Make not to overflow
  return n;
}

bool Tensor::is_contiguous() const {
  if (numel() == 0) return true;
  int64_t expected = 1;
  for (size_t k = sizes_.size(); k-- > 0;) {
    if (sizes_[k] == 1) continue;
    if (strides_[k] != expected) return false;
    expected *= sizes_[k];
  }
  return true;
}

namespace {

// Byte offset of the first element, clamped to the storage size so that a
// 0-element tensor whose offset lies past the end (allowed, it addresses
// nothing) never forms an out-of-bounds pointer.
size_t FirstElementByte(int64_t offset, size_t itemsize, size_t nbytes) {
  const uint64_t bytes = static_cast<uint64_t>(offset) * itemsize;
  return bytes > nbytes ? nbytes : static_cast<size_t>(bytes);
}

}  // namespace

const void* Tensor::data() const {
  const char* base = static_cast<const char*>(storage_.data());
  if (base == nullptr) return nullptr;
  return base +
         FirstElementByte(storage_offset_, itemsize(), storage_.nbytes());
}

void* Tensor::mutable_data() const {
  char* base = static_cast<char*>(storage_.mutable_data());
  if (base == nullptr) return nullptr;
  return base +
         FirstElementByte(storage_offset_, itemsize(), storage_.nbytes());
}

absl::Status Tensor::CheckTypedAccess(ScalarType want, absl::string_view name,
                                      bool writable) const {
  if (want != dtype_) {
    absl::string_view held = CppTypeName(dtype_);
    return absl::InvalidArgumentError(absl::StrCat(
        "data<", name, ">(): the tensor's dtype is ", DtypeRepr(dtype_),
        held.empty() ? std::string(", which has no C++ element type; read its bytes through data()")
                     : absl::StrCat(", whose elements are ", held, ", not ", name)));
  }
  if (!device().is_cpu()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data<", name, ">(): the tensor is on ", device().ToString(),
        "; its elements can be read only on the CPU"));
  }
  if (writable && storage_.is_read_only()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data<", name, ">(): the tensor's storage is read-only (a read-only memory map); ask for "
        "data<const ", name, ">() to read it, or load without a read-only mapping"));
  }
  return absl::OkStatus();
}

const Storage* Tensor::StorageMoves::Find(const Storage& from, const Device& to) const {
  for (const Move& m : moves_) {
    if (m.from.IsSameAs(from) && m.to == to) return &m.copy;
  }
  return nullptr;
}

void Tensor::StorageMoves::Add(const Storage& from, const Device& to, const Storage& copy) {
  moves_.push_back(Move{from, to, copy});
}

absl::StatusOr<Tensor> Tensor::To(const Device& device, StorageMoves* moves) const {
  if (device == this->device()) return *this;
  Tensor out = *this;
  if (const Storage* done = moves == nullptr ? nullptr : moves->Find(storage_, device)) {
    out.storage_ = *done;
    return out;
  }
  absl::StatusOr<Storage> copy = CopyStorageTo(storage_, device);
  if (!copy.ok()) return copy.status();
  if (moves != nullptr) moves->Add(storage_, device, *copy);
  out.storage_ = *std::move(copy);
  return out;
}

bool Tensor::IsSameAs(const Tensor& other) const {
  return storage_.IsSameAs(other.storage_) && dtype_ == other.dtype_ &&
         storage_offset_ == other.storage_offset_ && sizes_ == other.sizes_ &&
         strides_ == other.strides_;
}

}  // namespace ptser
