// Copyright ptser authors.
//
// tensor/fake_device.h — a DeviceBackend whose "device memory" is host
// memory, for tests on machines without a GPU (testonly: //tensor:fake_device).
//
// It behaves as a strict device would: every copy must stay inside one live
// device allocation (else the copy is refused and counted in
// stats().bad_accesses, never performed), and with Options::async each
// stream's copies run later, on a worker thread of the stream, after
// `copy_delay` — so code that reuses a staging buffer, or frees device memory,
// before waiting for the copy's event reads wrong bytes or is caught as a
// bad access.  Test hooks fail the n-th device allocation (out of memory) or
// the n-th copy, and stats() counts what a test wants to bound: device and
// pinned bytes live and at their peak, allocations and frees, copies in
// flight at most.
//
//   auto fake = std::make_shared<FakeDevice>(FakeDevice::Options{.device_count = 2});
//   ASSERT_OK(RegisterDeviceBackend(fake));   // "cuda" now exists: cuda:0, cuda:1
//   fake->FailMallocAt(3);                    // the third Malloc from now is OOM
#ifndef PTSER_TENSOR_FAKE_DEVICE_H_
#define PTSER_TENSOR_FAKE_DEVICE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tensor/device_backend.h"

namespace ptser {

class FakeDevice : public DeviceBackend {
 public:
  struct Options {
    std::string type = "cuda";
    int device_count = 1;
    // What Malloc hands out per device before it is out of memory.
    uint64_t memory_per_device = uint64_t{1} << 30;
    // Copies run on a worker thread per stream, each `copy_delay` after the
    // previous one finished, instead of inside CopyAsync.
    bool async = false;
    std::chrono::microseconds copy_delay{0};
  };
  struct Stats {
    int64_t mallocs = 0, frees = 0;
    uint64_t device_live_bytes = 0, device_peak_bytes = 0;
    int64_t pinned_mallocs = 0, pinned_frees = 0;
    uint64_t pinned_live_bytes = 0, pinned_peak_bytes = 0, pinned_total_bytes = 0;
    int64_t copies = 0;  // performed
    uint64_t h2d_bytes = 0, d2h_bytes = 0, d2d_bytes = 0;
    int64_t max_pending_copies = 0;  // enqueued and not yet performed, at most
    int64_t streams_created = 0, streams_live = 0, events_live = 0;
    int64_t bad_accesses = 0;
  };

  explicit FakeDevice(Options options);
  FakeDevice() : FakeDevice(Options()) {}
  ~FakeDevice() override;

  // The n-th Malloc from now (1: the next) fails with ResourceExhaustedError;
  // 0 turns the hook off.
  void FailMallocAt(int64_t n);
  // The n-th CopyAsync from now fails (InternalError "injected copy
  // failure"): at once when synchronous, at its stream's next wait when async.
  void FailCopyAt(int64_t n);

  Stats stats() const;

  std::string type() const override { return options_.type; }
  int DeviceCount() const override { return options_.device_count; }
  absl::StatusOr<void*> Malloc(int index, size_t nbytes) override;
  void Free(int index, void* ptr) override;
  absl::StatusOr<void*> MallocPinned(size_t nbytes) override;
  void FreePinned(void* ptr) override;
  absl::StatusOr<DeviceStreamHandle> CreateStream(int index) override;
  void DestroyStream(DeviceStreamHandle stream) override;
  absl::Status CopyAsync(void* dst, const void* src, size_t n, CopyKind kind,
                         DeviceStreamHandle stream) override;
  absl::StatusOr<DeviceEventHandle> RecordEvent(DeviceStreamHandle stream) override;
  absl::Status WaitEvent(DeviceEventHandle event) override;
  void DestroyEvent(DeviceEventHandle event) override;
  absl::Status SynchronizeStream(DeviceStreamHandle stream) override;

 private:
  struct Stream;
  struct Event;
  struct Op;

  // Performs one copy (mu_ held); its status.
  absl::Status RunCopyLocked(void* dst, const void* src, size_t n, CopyKind kind);
  // Whether [p, p+n) lies inside one live device allocation.
  bool InDeviceMemoryLocked(const void* p, size_t n) const;
  void Worker(Stream* s);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uintptr_t, std::pair<size_t, int>> device_blocks_;  // start -> (size, index)
  std::map<uintptr_t, size_t> pinned_blocks_;
  std::map<int, uint64_t> used_by_index_;
  int64_t fail_malloc_at_ = 0;
  int64_t fail_copy_at_ = 0;
  int64_t pending_ = 0;
  Stats stats_;
};

}  // namespace ptser

#endif  // PTSER_TENSOR_FAKE_DEVICE_H_
