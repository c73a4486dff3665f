// Copyright ptser authors.
//
// tensor/storage.cc — owned and borrowed byte buffers.

#include "tensor/storage.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

std::atomic<uint64_t> g_live_bytes{0};
thread_local uint64_t t_live_limit = 0;  // 0: none
thread_local const char* t_live_what = nullptr;

}  // namespace

uint64_t Storage::LiveBytes() { return g_live_bytes.load(std::memory_order_relaxed); }

Storage::ScopedLiveBytesLimit::ScopedLiveBytesLimit(uint64_t limit, const char* what)
    : previous_limit_(t_live_limit), previous_what_(t_live_what) {
  t_live_limit = limit;
  t_live_what = what;
}

Storage::ScopedLiveBytesLimit::~ScopedLiveBytesLimit() {
  t_live_limit = previous_limit_;
  t_live_what = previous_what_;
}

struct Storage::Impl {
  Impl() = default;
  // A borrowed buffer (not freed here).
  Impl(void* d, size_t n, Device dev, bool ro, std::shared_ptr<const void> keep)
      : data(d), nbytes(n), device(std::move(dev)), read_only(ro), keep_alive(std::move(keep)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (owned) {
      std::free(data);
      g_live_bytes.fetch_sub(nbytes, std::memory_order_relaxed);
    }
  }

  void* data = nullptr;
  size_t nbytes = 0;
  Device device;
  bool read_only = false;
  bool owned = false;  // `data` came from calloc and is freed here
  std::shared_ptr<const void> keep_alive;
};

Storage::Storage() : impl_(std::make_shared<Impl>()) {}

absl::Status Storage::CheckAllocation(size_t nbytes) {
  if (nbytes > kMaxStorageBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate a storage of ", nbytes,
                     " bytes: the limit is ", kMaxStorageBytes, " bytes"));
  }
  if (t_live_limit != 0 && LiveBytes() + nbytes > t_live_limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot allocate a storage of ", nbytes, " bytes: the process holds ", LiveBytes(),
        " bytes and the memory limit is ", t_live_limit, " bytes",
        t_live_what != nullptr ? " (" : "", t_live_what != nullptr ? t_live_what : "",
        t_live_what != nullptr ? ")" : ""));
  }
  return absl::OkStatus();
}

absl::Status Storage::CheckAllocation(uint64_t count, size_t elem_size) {
  if (elem_size != 0 && count > kMaxStorageBytes / elem_size) {
    return CheckAllocation(kMaxStorageBytes + 1);
  }
  return CheckAllocation(static_cast<size_t>(count * elem_size));
}

absl::StatusOr<Storage> Storage::Allocate(size_t nbytes) {
  if (absl::Status room = CheckAllocation(nbytes); !room.ok()) return room;
  // calloc(0) may return null; keep a real (1-byte) block so data() of an
  // owned storage is never null.
  void* data = std::calloc(nbytes == 0 ? 1 : nbytes, 1);
  if (data == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("out of memory allocating a storage of ", nbytes,
                     " bytes"));
  }
  std::shared_ptr<Impl> impl;
  try {
    impl = std::make_shared<Impl>();
  } catch (const std::bad_alloc&) {
    std::free(data);
    return absl::ResourceExhaustedError(
        "out of memory allocating a storage handle");
  }
  impl->data = data;
  impl->nbytes = nbytes;
  impl->owned = true;
  g_live_bytes.fetch_add(nbytes, std::memory_order_relaxed);
  return Storage(std::move(impl));
}

absl::StatusOr<Storage> Storage::CopyFrom(const void* src, size_t nbytes) {
  absl::StatusOr<Storage> storage = Allocate(nbytes);
  if (!storage.ok()) return storage.status();
  if (nbytes > 0) std::memcpy(storage->mutable_data(), src, nbytes);
  return storage;
}

Storage Storage::Borrow(void* data, size_t nbytes,
                        std::shared_ptr<const void> keep_alive, Device device,
                        bool read_only) {
  return Storage(std::make_shared<Impl>(data, nbytes, std::move(device), read_only,
                                       std::move(keep_alive)));
}

const void* Storage::data() const { return impl_->data; }

void* Storage::mutable_data() const {
  return impl_->read_only ? nullptr : impl_->data;
}

size_t Storage::nbytes() const { return impl_->nbytes; }

const Device& Storage::device() const { return impl_->device; }

bool Storage::is_read_only() const { return impl_->read_only; }

}  // namespace ptser
