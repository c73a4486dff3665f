// Copyright ptser authors.
//
// tensor/storage.h — a shared, reference-counted byte buffer with a device.
//
// A Storage is a handle: copying it never copies bytes, and every Tensor
// viewing the same bytes holds the same Storage (`a.storage().IsSameAs(
// b.storage())`).  This is how views keep sharing after a load: the archive
// layer creates one Storage per `data/<key>` record and every tensor that
// names the key gets it.
//
// The bytes are either owned (allocated by Storage::Allocate, zero-filled) or
// borrowed: Storage::Borrow wraps memory somebody else owns (a memory map, a
// parent buffer, a device allocation) and keeps that owner alive through a
// type-erased `keep_alive` handle for as long as any Storage copy exists.
//
// A Storage does not know its dtype (like PyTorch's UntypedStorage); a Tensor
// interprets its bytes.  For a device other than the CPU the data pointer is
// a device pointer and must not be dereferenced on the host.
#ifndef PTSER_TENSOR_STORAGE_H_
#define PTSER_TENSOR_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "tensor/device.h"

namespace ptser {

class Storage {
 public:
  // An empty (0-byte) CPU storage.
  Storage();

  // Allocates `nbytes` zeroed bytes on the CPU.  Sizes above
  // `kMaxStorageBytes` or that fail to allocate give ResourceExhaustedError
  // (never an abort).
  static absl::StatusOr<Storage> Allocate(size_t nbytes);

  // Copies `nbytes` from `src` into a new CPU storage.
  static absl::StatusOr<Storage> CopyFrom(const void* src, size_t nbytes);

  // Wraps memory owned elsewhere, without copying.  `keep_alive` is held
  // until the last copy of the returned Storage is destroyed; `data` must stay
  // valid that long.  `read_only` storages refuse mutable_data() users
  // through is_read_only() (a memory map opened read-only).
  static Storage Borrow(void* data, size_t nbytes,
                        std::shared_ptr<const void> keep_alive,
                        Device device = Device::Cpu(), bool read_only = false);

  // Upper bound on one owned allocation (1 TiB); inputs are validated against
  // smaller configurable limits before they get here.
  static constexpr size_t kMaxStorageBytes = size_t{1} << 40;

  // Bytes of every owned CPU storage alive in the process.
  static uint64_t LiveBytes();

  // What Allocate checks before allocating `nbytes`: kMaxStorageBytes and
  // this thread's ScopedLiveBytesLimit (ResourceExhaustedError).  For other
  // buffers sized by a tensor (ToVector) that must honour the same bounds.
  static absl::Status CheckAllocation(size_t nbytes);
  // The same for `count` elements of `elem_size` bytes (the product
  // checked for overflow first).
  static absl::Status CheckAllocation(uint64_t count, size_t elem_size);

  // While one lives, Allocate on this thread refuses to take the process's
  // live bytes past `limit` (ResourceExhaustedError naming "the memory limit
  // of N bytes" and `what`): the TorchScript interpreter's bound on what
  // code may hold (jit/script/interpreter.h).  Scopes nest; the innermost
  // wins.
  class ScopedLiveBytesLimit {
   public:
    ScopedLiveBytesLimit(uint64_t limit, const char* what);
    ~ScopedLiveBytesLimit();
    ScopedLiveBytesLimit(const ScopedLiveBytesLimit&) = delete;
    ScopedLiveBytesLimit& operator=(const ScopedLiveBytesLimit&) = delete;

   private:
    uint64_t previous_limit_;
    const char* previous_what_;
  };

  const void* data() const;
  // Null for a read-only storage.
  void* mutable_data() const;
  size_t nbytes() const;
  const Device& device() const;
  bool is_read_only() const;

  // True when both handles share one buffer (PyTorch's `_cdata` identity).
  bool IsSameAs(const Storage& other) const { return impl_ == other.impl_; }
  // A stable identity for maps keyed by storage (valid while alive).
  const void* id() const { return impl_.get(); }
  // Number of Storage handles sharing this buffer.
  long use_count() const { return impl_.use_count(); }

 private:
  struct Impl;
  explicit Storage(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace ptser

#endif  // PTSER_TENSOR_STORAGE_H_
