// Copyright ptser authors.
//
// tensor/device_backend.h — what a device layer (gpu/ for "cuda") provides
// beyond two copies: device memory, pinned host memory, streams, events and
// asynchronous copies; and DeviceRuntime, the caching allocator and the
// synchronous copies built on top of it.
//
// A DeviceBackend is the thin, virtual face of a runtime such as CUDA's:
//
//   cudaMalloc / cudaFree               Malloc / Free
//   cudaHostAlloc / cudaFreeHost        MallocPinned / FreePinned
//   cudaStreamCreate / Destroy          CreateStream / DestroyStream
//   cudaMemcpyAsync(..., stream)        CopyAsync
//   cudaEventRecord / Synchronize       RecordEvent / WaitEvent
//
// Everything above it (Tensor::To, the staging pipeline of
// archive/device_stage.h, Save of device tensors) is written against this
// interface only, so the same code runs on the real CUDA device (gpu/) and on
// FakeDevice (tensor/fake_device.h: host memory pretending to be device
// memory), which is how it is tested on machines without a GPU.
//
// A backend is registered once with RegisterDeviceBackend
// (tensor/device_registry.h), which wraps it in a DeviceRuntime and also
// registers DeviceCopies for the type, so CopyToDevice/CopyToCpu keep working.
//
// The allocator: DeviceRuntime caches freed blocks.  A storage's bytes are
// one block, taken once (AllocateStorage) and given back once, when the last
// Storage handle of it is destroyed.  A block given back goes to a free list
// keyed by (device index, rounded size) — sizes are rounded up to 512 bytes
// up to 1 MiB and to 2 MiB above — and the next request of that rounded size
// on that device reuses it without calling the backend.  When the backend is
// out of memory, the runtime gives every cached block of that device back
// (backend Free) and tries once more; only then is the request
// ResourceExhaustedError.  EmptyCache() gives every cached block back.  This
// is a much simpler cousin of PyTorch's CUDACachingAllocator: no block
// splitting, no per-stream pools (a block is reused only after the storage
// that held it is gone, and every copy ptser enqueues into a storage is waited
// for before the storage is handed out or dropped).
//
// Thread-safety: a DeviceRuntime may be used from any thread.  A backend's
// methods may be called concurrently for different streams.
#ifndef PTSER_TENSOR_DEVICE_BACKEND_H_
#define PTSER_TENSOR_DEVICE_BACKEND_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/device.h"
#include "tensor/storage.h"

namespace ptser {

// Opaque handles a backend hands out (cudaStream_t, cudaEvent_t).
using DeviceStreamHandle = void*;
using DeviceEventHandle = void*;

enum class CopyKind { kHostToDevice, kDeviceToHost, kDeviceToDevice };

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;

  // The device type it serves ("cuda").
  virtual std::string type() const = 0;
  // Devices with indices 0 .. DeviceCount()-1.
  virtual int DeviceCount() const = 0;

  // `nbytes` (> 0) of memory on device `index`.  Out of memory is
  // ResourceExhaustedError; it never aborts.
  virtual absl::StatusOr<void*> Malloc(int index, size_t nbytes) = 0;
  // Gives back what Malloc(index, ...) returned.
  virtual void Free(int index, void* ptr) = 0;

  // `nbytes` (> 0) of page-locked host memory (staging buffers).
  virtual absl::StatusOr<void*> MallocPinned(size_t nbytes) = 0;
  virtual void FreePinned(void* ptr) = 0;

  // A stream of work on device `index`; operations on one stream run in the
  // order enqueued, operations on different streams may overlap.
  virtual absl::StatusOr<DeviceStreamHandle> CreateStream(int index) = 0;
  // Waits for the stream's work, then destroys it.
  virtual void DestroyStream(DeviceStreamHandle stream) = 0;

  // Enqueues a copy of `n` bytes on `stream` and returns: `src` must not
  // change and `dst` must stay allocated until an event recorded after the
  // copy has completed.  A failure may be returned here or by the next
  // WaitEvent/SynchronizeStream of the stream.
  virtual absl::Status CopyAsync(void* dst, const void* src, size_t n, CopyKind kind,
                                 DeviceStreamHandle stream) = 0;

  // An event marking everything enqueued on `stream` so far.
  virtual absl::StatusOr<DeviceEventHandle> RecordEvent(DeviceStreamHandle stream) = 0;
  // Blocks until the event's work has completed; the error of a copy that
  // failed before it.
  virtual absl::Status WaitEvent(DeviceEventHandle event) = 0;
  virtual void DestroyEvent(DeviceEventHandle event) = 0;
  // Blocks until all the stream's work has completed (its errors as above).
  virtual absl::Status SynchronizeStream(DeviceStreamHandle stream) = 0;
};

// A stream, destroyed with its owner.
class DeviceStream {
 public:
  DeviceStream() = default;
  static absl::StatusOr<DeviceStream> Create(std::shared_ptr<DeviceBackend> backend, int index);
  DeviceStream(DeviceStream&& other) noexcept { *this = std::move(other); }
  DeviceStream& operator=(DeviceStream&& other) noexcept;
  ~DeviceStream() { Reset(); }
  DeviceStreamHandle get() const { return handle_; }
  void Reset();

 private:
  std::shared_ptr<DeviceBackend> backend_;
  DeviceStreamHandle handle_ = nullptr;
};

// Page-locked host memory, freed with its owner.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  static absl::StatusOr<PinnedBuffer> Allocate(std::shared_ptr<DeviceBackend> backend,
                                               size_t nbytes);
  PinnedBuffer(PinnedBuffer&& other) noexcept { *this = std::move(other); }
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  ~PinnedBuffer() { Reset(); }
  void* data() const { return data_; }
  size_t size() const { return size_; }
  void Reset();

 private:
  std::shared_ptr<DeviceBackend> backend_;
  void* data_ = nullptr;
  size_t size_ = 0;
};

class DeviceRuntime {
 public:
  struct Options {
    // Keep freed blocks for reuse (see the file comment).  Default: true.
    bool cache = true;
  };
  struct Stats {
    uint64_t storage_bytes = 0;   // bytes in blocks held by live storages
    uint64_t cached_bytes = 0;    // bytes in blocks on the free lists
    uint64_t backend_mallocs = 0; // Malloc calls that succeeded
    uint64_t backend_frees = 0;   // Free calls
    uint64_t cache_hits = 0;      // storages served from the free lists
  };

  DeviceRuntime(std::shared_ptr<DeviceBackend> backend, Options options);
  explicit DeviceRuntime(std::shared_ptr<DeviceBackend> backend)
      : DeviceRuntime(std::move(backend), Options()) {}
  ~DeviceRuntime();
  DeviceRuntime(const DeviceRuntime&) = delete;
  DeviceRuntime& operator=(const DeviceRuntime&) = delete;

  const std::shared_ptr<DeviceBackend>& backend() const { return backend_; }
  const std::string& type() const { return type_; }

  // `device` with its index made explicit ("cuda" is "cuda:0", as torch's
  // current device is 0 in a fresh process), checked to be of this type and
  // to exist: "cuda:3" where 1 device exists is InvalidArgumentError
  // "Attempting to deserialize object on CUDA device 3 but the program sees
  // 1 'cuda' device(s) (cuda:0) ..." — PyTorch's words.
  absl::StatusOr<Device> Resolve(const Device& device) const;

  // A new storage of `nbytes` on `device` (contents undefined).  Out of device
  // memory (after emptying the cache) is ResourceExhaustedError naming the
  // device and the size.
  absl::StatusOr<Storage> AllocateStorage(const Device& device, size_t nbytes);

  // Synchronous copies, each on a stream of its own (pageable host memory is
  // fine: the backend stages it).
  absl::StatusOr<Storage> CopyFromHost(const void* src, size_t nbytes, const Device& device);
  // A CPU storage with the bytes of the device storage `storage`.
  absl::StatusOr<Storage> CopyToHost(const Storage& storage);
  // Bytes [offset, offset + nbytes) of device storage `storage` into
  // `dst` (a host buffer of at least nbytes).
  absl::Status CopyToHost(const Storage& storage, size_t offset, size_t nbytes, void* dst);
  // A new storage on `storage`'s device with its bytes [offset, offset+nbytes).
  absl::StatusOr<Storage> CopyOnDevice(const Storage& storage, size_t offset, size_t nbytes);

  // Gives every cached block back to the backend.
  void EmptyCache();
  Stats stats() const;

  // The size a request of `nbytes` is rounded to.
  static size_t RoundedSize(size_t nbytes);

 private:
  struct Pool;
  std::shared_ptr<DeviceBackend> backend_;
  std::string type_;
  std::shared_ptr<Pool> pool_;  // shared with every live storage's keep_alive
};

}  // namespace ptser

#endif  // PTSER_TENSOR_DEVICE_BACKEND_H_
