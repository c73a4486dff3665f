// Copyright ptser authors.
#include "tensor/fake_device.h"

#include <cstdlib>
#include <cstring>
#include <deque>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ptser {

struct FakeDevice::Event {
  bool done = false;
  absl::Status status;
};

struct FakeDevice::Op {
  // A copy, or (event != null) an event to complete.
  void* dst = nullptr;
  const void* src = nullptr;
  size_t n = 0;
  CopyKind kind = CopyKind::kHostToDevice;
  bool fail = false;
  std::shared_ptr<Event> event;
};

struct FakeDevice::Stream {
  int index = 0;
  std::deque<Op> queue;
  bool stop = false;
  absl::Status error;  // the first failed copy: sticky, as CUDA's
  std::thread worker;
};

FakeDevice::FakeDevice(Options options) : options_(std::move(options)) {}

FakeDevice::~FakeDevice() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [p, size] : device_blocks_) std::free(reinterpret_cast<void*>(p));
  for (auto& [p, size] : pinned_blocks_) std::free(reinterpret_cast<void*>(p));
}

void FakeDevice::FailMallocAt(int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_malloc_at_ = n;
}

void FakeDevice::FailCopyAt(int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_copy_at_ = n;
}

FakeDevice::Stats FakeDevice::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

absl::StatusOr<void*> FakeDevice::Malloc(int index, size_t nbytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index < 0 || index >= options_.device_count) {
    return absl::InvalidArgumentError(absl::StrCat("fake ", options_.type, ": no device ", index));
  }
  if (fail_malloc_at_ > 0 && --fail_malloc_at_ == 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("fake ", options_.type, ":", index, ": out of memory (injected)"));
  }
  uint64_t& used = used_by_index_[index];
  if (nbytes == 0 || nbytes > options_.memory_per_device - used) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "fake ", options_.type, ":", index, ": out of memory: ", nbytes, " bytes asked, ",
        options_.memory_per_device - used, " free"));
  }
  void* p = std::malloc(nbytes);
  if (p == nullptr) return absl::ResourceExhaustedError("fake device: host malloc failed");
  used += nbytes;
  device_blocks_[reinterpret_cast<uintptr_t>(p)] = {nbytes, index};
  ++stats_.mallocs;
  stats_.device_live_bytes += nbytes;
  if (stats_.device_live_bytes > stats_.device_peak_bytes) {
    stats_.device_peak_bytes = stats_.device_live_bytes;
  }
  return p;
}

void FakeDevice::Free(int index, void* ptr) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = device_blocks_.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == device_blocks_.end() || it->second.second != index) {
    ++stats_.bad_accesses;  // a double or foreign free
    return;
  }
  used_by_index_[index] -= it->second.first;
  stats_.device_live_bytes -= it->second.first;
  ++stats_.frees;
  device_blocks_.erase(it);
  std::free(ptr);
}

absl::StatusOr<void*> FakeDevice::MallocPinned(size_t nbytes) {
  std::lock_guard<std::mutex> lock(mu_);
  void* p = nbytes == 0 ? nullptr : std::malloc(nbytes);
  if (p == nullptr) return absl::ResourceExhaustedError("fake device: pinned malloc failed");
  pinned_blocks_[reinterpret_cast<uintptr_t>(p)] = nbytes;
  ++stats_.pinned_mallocs;
  stats_.pinned_live_bytes += nbytes;
  stats_.pinned_total_bytes += nbytes;
  if (stats_.pinned_live_bytes > stats_.pinned_peak_bytes) {
    stats_.pinned_peak_bytes = stats_.pinned_live_bytes;
  }
  return p;
}

void FakeDevice::FreePinned(void* ptr) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pinned_blocks_.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == pinned_blocks_.end()) {
    ++stats_.bad_accesses;
    return;
  }
  stats_.pinned_live_bytes -= it->second;
  ++stats_.pinned_frees;
  pinned_blocks_.erase(it);
  std::free(ptr);
}

absl::StatusOr<DeviceStreamHandle> FakeDevice::CreateStream(int index) {
  if (index < 0 || index >= options_.device_count) {
    return absl::InvalidArgumentError(absl::StrCat("fake ", options_.type, ": no device ", index));
  }
  auto* s = new Stream();
  s->index = index;
  if (options_.async) s->worker = std::thread([this, s] { Worker(s); });
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.streams_created;
  ++stats_.streams_live;
  return static_cast<DeviceStreamHandle>(s);
}

void FakeDevice::DestroyStream(DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [s] { return s->queue.empty(); });
    s->stop = true;
    --stats_.streams_live;
  }
  cv_.notify_all();
  if (s->worker.joinable()) s->worker.join();
  delete s;
}

void FakeDevice::Worker(Stream* s) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [s] { return s->stop || !s->queue.empty(); });
    if (s->queue.empty()) return;  // stopped
    Op& op = s->queue.front();
    if (op.event == nullptr && options_.copy_delay.count() > 0) {
      lock.unlock();
      std::this_thread::sleep_for(options_.copy_delay);
      lock.lock();
    }
    if (op.event != nullptr) {
      op.event->status = s->error;
      op.event->done = true;
    } else {
      absl::Status st = op.fail ? absl::InternalError("injected copy failure")
                                : RunCopyLocked(op.dst, op.src, op.n, op.kind);
      if (!st.ok() && s->error.ok()) s->error = st;
      --pending_;
    }
    s->queue.pop_front();
    cv_.notify_all();
  }
}

bool FakeDevice::InDeviceMemoryLocked(const void* p, size_t n) const {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  auto it = device_blocks_.upper_bound(a);
  if (it == device_blocks_.begin()) return false;
  --it;
  return a >= it->first && n <= it->second.first && a - it->first <= it->second.first - n;
}

absl::Status FakeDevice::RunCopyLocked(void* dst, const void* src, size_t n, CopyKind kind) {
  const bool dst_dev = kind != CopyKind::kDeviceToHost;
  const bool src_dev = kind != CopyKind::kHostToDevice;
  if ((dst_dev && !InDeviceMemoryLocked(dst, n)) || (src_dev && !InDeviceMemoryLocked(src, n))) {
    ++stats_.bad_accesses;
    return absl::InternalError(absl::StrCat("fake ", options_.type, ": a copy of ", n,
                                            " bytes touches memory that is not a live "
                                            "device allocation"));
  }
  std::memcpy(dst, src, n);
  ++stats_.copies;
  switch (kind) {
    case CopyKind::kHostToDevice: stats_.h2d_bytes += n; break;
    case CopyKind::kDeviceToHost: stats_.d2h_bytes += n; break;
    case CopyKind::kDeviceToDevice: stats_.d2d_bytes += n; break;
  }
  return absl::OkStatus();
}

absl::Status FakeDevice::CopyAsync(void* dst, const void* src, size_t n, CopyKind kind,
                                   DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  std::lock_guard<std::mutex> lock(mu_);
  const bool fail = fail_copy_at_ > 0 && --fail_copy_at_ == 0;
  if (!options_.async) {
    if (fail) return absl::InternalError("injected copy failure");
    return n == 0 ? absl::OkStatus() : RunCopyLocked(dst, src, n, kind);
  }
  Op op;
  op.dst = dst;
  op.src = src;
  op.n = n;
  op.kind = kind;
  op.fail = fail;
  s->queue.push_back(std::move(op));
  ++pending_;
  if (pending_ > stats_.max_pending_copies) stats_.max_pending_copies = pending_;
  cv_.notify_all();
  return absl::OkStatus();
}

absl::StatusOr<DeviceEventHandle> FakeDevice::RecordEvent(DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  auto event = std::make_shared<Event>();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.events_live;
  if (!options_.async) {
    event->done = true;
    event->status = s->error;
  } else {
    Op op;
    op.event = event;
    s->queue.push_back(std::move(op));
    cv_.notify_all();
  }
  return static_cast<DeviceEventHandle>(new std::shared_ptr<Event>(std::move(event)));
}

absl::Status FakeDevice::WaitEvent(DeviceEventHandle handle) {
  std::shared_ptr<Event> event = *static_cast<std::shared_ptr<Event>*>(handle);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return event->done; });
  return event->status;
}

void FakeDevice::DestroyEvent(DeviceEventHandle handle) {
  delete static_cast<std::shared_ptr<Event>*>(handle);
  std::lock_guard<std::mutex> lock(mu_);
  --stats_.events_live;
}

absl::Status FakeDevice::SynchronizeStream(DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [s] { return s->queue.empty(); });
  return s->error;
}

}  // namespace ptser
