// Copyright ptser authors.
#include "tensor/device_backend.h"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ptser {

// ------------------------------------------------------------ RAII handles

absl::StatusOr<DeviceStream> DeviceStream::Create(std::shared_ptr<DeviceBackend> backend,
                                                  int index) {
  absl::StatusOr<DeviceStreamHandle> handle = backend->CreateStream(index);
  if (!handle.ok()) return handle.status();
  DeviceStream s;
  s.backend_ = std::move(backend);
  s.handle_ = *handle;
  return s;
}

DeviceStream& DeviceStream::operator=(DeviceStream&& other) noexcept {
  if (this != &other) {
    Reset();
    backend_ = std::move(other.backend_);
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

void DeviceStream::Reset() {
  if (handle_ != nullptr) backend_->DestroyStream(handle_);
  handle_ = nullptr;
  backend_.reset();
}

absl::StatusOr<PinnedBuffer> PinnedBuffer::Allocate(std::shared_ptr<DeviceBackend> backend,
                                                    size_t nbytes) {
  absl::StatusOr<void*> p = backend->MallocPinned(nbytes);
  if (!p.ok()) return p.status();
  PinnedBuffer b;
  b.backend_ = std::move(backend);
  b.data_ = *p;
  b.size_ = nbytes;
  return b;
}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    Reset();
    backend_ = std::move(other.backend_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void PinnedBuffer::Reset() {
  if (data_ != nullptr) backend_->FreePinned(data_);
  data_ = nullptr;
  size_ = 0;
  backend_.reset();
}

// ------------------------------------------------------------ the allocator

struct DeviceRuntime::Pool {
  std::shared_ptr<DeviceBackend> backend;
  bool cache = true;
  std::mutex mu;
  // (device index, rounded size) -> blocks ready for reuse.
  std::map<std::pair<int, size_t>, std::vector<void*>> free_blocks;
  Stats stats;

  ~Pool() { EmptyLocked(-1); }

  // Gives cached blocks of device `index` (every device for -1) back.
  void EmptyLocked(int index) {
    for (auto it = free_blocks.begin(); it != free_blocks.end();) {
      if (index >= 0 && it->first.first != index) {
        ++it;
        continue;
      }
      for (void* p : it->second) {
        backend->Free(it->first.first, p);
        ++stats.backend_frees;
        stats.cached_bytes -= it->first.second;
      }
      it = free_blocks.erase(it);
    }
  }

  // The last storage of a block is gone.
  void Release(int index, void* p, size_t rounded) {
    std::lock_guard<std::mutex> lock(mu);
    stats.storage_bytes -= rounded;
    if (cache) {
      free_blocks[{index, rounded}].push_back(p);
      stats.cached_bytes += rounded;
    } else {
      backend->Free(index, p);
      ++stats.backend_frees;
    }
  }
};

size_t DeviceRuntime::RoundedSize(size_t nbytes) {
  constexpr size_t kSmall = size_t{1} << 20;
  constexpr size_t kSmallUnit = 512;
  constexpr size_t kLargeUnit = size_t{2} << 20;
  if (nbytes <= kSmall) return (nbytes + kSmallUnit - 1) / kSmallUnit * kSmallUnit;
  return (nbytes + kLargeUnit - 1) / kLargeUnit * kLargeUnit;
}

DeviceRuntime::DeviceRuntime(std::shared_ptr<DeviceBackend> backend, Options options)
    : backend_(std::move(backend)), type_(backend_->type()), pool_(std::make_shared<Pool>()) {
  pool_->backend = backend_;
  pool_->cache = options.cache;
}

DeviceRuntime::~DeviceRuntime() { EmptyCache(); }

absl::StatusOr<Device> DeviceRuntime::Resolve(const Device& device) const {
  if (device.type() != type_) {
    return absl::InvalidArgumentError(absl::StrCat("device '", device.ToString(),
                                                   "' is not of type '", type_, "'"));
  }
  const int count = backend_->DeviceCount();
  const int64_t index = device.has_index() ? device.index() : 0;
  if (index >= count) {
    const std::string upper = type_ == "cuda" ? "CUDA" : "'" + type_ + "'";
    return absl::InvalidArgumentError(absl::StrCat(
        "device '", type_, ":", index, "' does not exist: Attempting to deserialize object on ",
        upper, " device ", index, " but the device count is ", count,
        count > 0 ? absl::StrCat(" (", type_, ":0", count > 1 ? absl::StrCat("..", type_, ":", count - 1) : "", ")") : "",
        ". Please use map_location to map your storages to an existing device (e.g. {'", type_,
        ":", index, "': '", type_, ":0'})"));
  }
  return Device(type_, index);
}

absl::StatusOr<Storage> DeviceRuntime::AllocateStorage(const Device& device, size_t nbytes) {
  absl::StatusOr<Device> resolved = Resolve(device);
  if (!resolved.ok()) return resolved.status();
  const int index = static_cast<int>(resolved->index());
  if (nbytes == 0) return Storage::Borrow(nullptr, 0, nullptr, *resolved);
  if (nbytes > Storage::kMaxStorageBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a storage of ", nbytes, " bytes on ", resolved->ToString(), " is over the limit of ",
        Storage::kMaxStorageBytes, " bytes"));
  }
  const size_t rounded = RoundedSize(nbytes);
  void* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    auto it = pool_->free_blocks.find({index, rounded});
    if (it != pool_->free_blocks.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) pool_->free_blocks.erase(it);
      pool_->stats.cached_bytes -= rounded;
      ++pool_->stats.cache_hits;
    } else {
      absl::StatusOr<void*> got = backend_->Malloc(index, rounded);
      if (!got.ok() && absl::IsResourceExhausted(got.status())) {
        pool_->EmptyLocked(index);
        got = backend_->Malloc(index, rounded);
      }
      if (!got.ok()) {
        return absl::Status(got.status().code(),
                            absl::StrCat("out of memory on ", resolved->ToString(),
                                         ": allocating ", nbytes, " bytes (", rounded,
                                         " rounded) failed: ", got.status().message()));
      }
      p = *got;
      ++pool_->stats.backend_mallocs;
    }
    pool_->stats.storage_bytes += rounded;
  }
  std::shared_ptr<Pool> pool = pool_;
  std::shared_ptr<const void> keep_alive(p, [pool, index, rounded](const void* q) {
    pool->Release(index, const_cast<void*>(q), rounded);
  });
  return Storage::Borrow(p, nbytes, std::move(keep_alive), *resolved);
}

namespace {

absl::Status CopyAndWait(DeviceBackend& backend, const std::shared_ptr<DeviceBackend>& shared,
                         int index, void* dst, const void* src, size_t n, CopyKind kind) {
  if (n == 0) return absl::OkStatus();
  absl::StatusOr<DeviceStream> stream = DeviceStream::Create(shared, index);
  if (!stream.ok()) return stream.status();
  absl::Status s = backend.CopyAsync(dst, src, n, kind, stream->get());
  absl::Status sync = backend.SynchronizeStream(stream->get());
  return s.ok() ? sync : s;
}

}  // namespace

absl::StatusOr<Storage> DeviceRuntime::CopyFromHost(const void* src, size_t nbytes,
                                                    const Device& device) {
  absl::StatusOr<Storage> out = AllocateStorage(device, nbytes);
  if (!out.ok()) return out.status();
  absl::Status s = CopyAndWait(*backend_, backend_, static_cast<int>(out->device().index()),
                               out->mutable_data(), src, nbytes, CopyKind::kHostToDevice);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("copying ", nbytes, " bytes to ",
                                               out->device().ToString(), ": ", s.message()));
  }
  return out;
}

absl::Status DeviceRuntime::CopyToHost(const Storage& storage, size_t offset, size_t nbytes,
                                       void* dst) {
  if (storage.device().type() != type_ || offset > storage.nbytes() ||
      nbytes > storage.nbytes() - offset) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CopyToHost: bytes [", offset, ", ", offset + nbytes, ") of a storage of ",
        storage.nbytes(), " bytes on ", storage.device().ToString(), " (runtime '", type_, "')"));
  }
  absl::Status s = CopyAndWait(*backend_, backend_, static_cast<int>(storage.device().index()),
                               dst, static_cast<const char*>(storage.data()) + offset, nbytes,
                               CopyKind::kDeviceToHost);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("copying ", nbytes, " bytes from ",
                                               storage.device().ToString(), ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Storage> DeviceRuntime::CopyToHost(const Storage& storage) {
  absl::StatusOr<Storage> out = Storage::Allocate(storage.nbytes());
  if (!out.ok()) return out.status();
  absl::Status s = CopyToHost(storage, 0, storage.nbytes(), out->mutable_data());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Storage> DeviceRuntime::CopyOnDevice(const Storage& storage, size_t offset,
                                                    size_t nbytes) {
  if (storage.device().type() != type_ || offset > storage.nbytes() ||
      nbytes > storage.nbytes() - offset) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CopyOnDevice: bytes [", offset, ", ", offset + nbytes, ") of a storage of ",
        storage.nbytes(), " bytes on ", storage.device().ToString(), " (runtime '", type_, "')"));
  }
  absl::StatusOr<Storage> out = AllocateStorage(storage.device(), nbytes);
  if (!out.ok()) return out.status();
  absl::Status s = CopyAndWait(*backend_, backend_, static_cast<int>(storage.device().index()),
                               out->mutable_data(),
                               static_cast<const char*>(storage.data()) + offset, nbytes,
                               CopyKind::kDeviceToDevice);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("copying ", nbytes, " bytes within ",
                                               storage.device().ToString(), ": ", s.message()));
  }
  return out;
}

void DeviceRuntime::EmptyCache() {
  std::lock_guard<std::mutex> lock(pool_->mu);
  pool_->EmptyLocked(-1);
}

DeviceRuntime::Stats DeviceRuntime::stats() const {
  std::lock_guard<std::mutex> lock(pool_->mu);
  return pool_->stats;
}

}  // namespace ptser
