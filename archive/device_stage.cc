// Copyright ptser authors.
#include "archive/device_stage.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "archive/crc32.h"

namespace ptser {
namespace {

absl::Status Annotate(const absl::Status& s, absl::string_view context) {
  return absl::Status(s.code(), absl::StrCat(context, ": ", s.message()));
}

void SwapInPlace(void* data, size_t nbytes, size_t unit) {
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i + unit <= nbytes; i += unit) std::reverse(p + i, p + i + unit);
}

// Parts of one chunk are at least this big (smaller chunks are read whole).
constexpr size_t kMinPart = size_t{1} << 20;

}  // namespace

// A fixed set of threads running the parts of one chunk; the caller works too.
class DeviceStager::ReaderPool {
 public:
  explicit ReaderPool(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~ReaderPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // Runs job(i) for each i in [0, n); returns when all have run.
  void Run(int n, const std::function<void(int)>& job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &job;
      n_ = n;
      next_ = 0;
      done_ = 0;
      ++generation_;
    }
    wake_.notify_all();
    Work();
    std::unique_lock<std::mutex> lock(mu_);
    finished_.wait(lock, [this] { return done_ == n_; });
    job_ = nullptr;
  }

 private:
  void Work() {
    for (;;) {
      const std::function<void(int)>* job;
      int i;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (job_ == nullptr || next_ >= n_) return;
        job = job_;
        i = next_++;
      }
      (*job)(i);
      std::lock_guard<std::mutex> lock(mu_);
      if (++done_ == n_) finished_.notify_all();
    }
  }
  void Loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      Work();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_, finished_;
  const std::function<void(int)>* job_ = nullptr;
  int n_ = 0, next_ = 0, done_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

DeviceStager::DeviceStager(std::shared_ptr<DeviceRuntime> runtime, StagingOptions options)
    : runtime_(std::move(runtime)), options_(options) {
  options_.chunk_bytes = std::max<size_t>(64, options_.chunk_bytes / 64 * 64);
  options_.buffers = std::max(1, options_.buffers);
  options_.streams = std::max(1, options_.streams);
  slots_.resize(static_cast<size_t>(options_.buffers));
  if (options_.reader_threads <= 0) {
    const int hw = static_cast<int>(std::thread::hardware_concurrency());
    options_.reader_threads = std::min(8, std::max(1, hw / 2));
  }
}

DeviceStager::~DeviceStager() {
  for (Slot& slot : slots_) Drain(slot).IgnoreError();
  slots_.clear();    // buffers back before the streams go
  streams_.clear();  // DestroyStream waits for anything left
}

absl::Status DeviceStager::Drain(Slot& slot) {
  if (slot.event == nullptr) return absl::OkStatus();
  DeviceBackend& backend = *runtime_->backend();
  absl::Status s = backend.WaitEvent(slot.event);
  backend.DestroyEvent(slot.event);
  slot.event = nullptr;
  --in_flight_;
  Storage dst = std::move(slot.dst);
  slot.dst = Storage();
  if (!s.ok()) {
    return Annotate(s, absl::StrCat("copying ", slot.what, " to ", dst.device().ToString(),
                                    " (the chunk at offset ", slot.offset, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DeviceStreamHandle> DeviceStager::StreamFor(int index) {
  std::vector<DeviceStream>& streams = streams_[index];
  if (streams.empty()) {
    for (int i = 0; i < options_.streams; ++i) {
      absl::StatusOr<DeviceStream> s = DeviceStream::Create(runtime_->backend(), index);
      if (!s.ok()) return Annotate(s.status(), absl::StrCat("creating a stream on ", runtime_->type(), ":", index));
      streams.push_back(*std::move(s));
    }
  }
  return streams[next_stream_++ % streams.size()].get();
}

absl::Status DeviceStager::Finish() {
  absl::Status first = failed_;
  for (Slot& slot : slots_) {
    absl::Status s = Drain(slot);
    if (first.ok()) first = s;
  }
  if (!first.ok() && failed_.ok()) failed_ = first;
  return first;
}

absl::StatusOr<Storage> DeviceStager::Stage(const ChunkReader& read, uint64_t nbytes,
                                            std::optional<uint32_t> expected_crc32,
                                            size_t swap_unit, const Device& device,
                                            absl::string_view what) {
  if (!failed_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("staging ", what, ": an earlier staging failed: ", failed_.message()));
  }
  auto fail = [&](absl::Status s) {
    failed_ = s;
    return s;
  };
  if (nbytes > Storage::kMaxStorageBytes) {
    return fail(absl::ResourceExhaustedError(
        absl::StrCat(what, ": ", nbytes, " bytes is over the storage limit")));
  }
  absl::StatusOr<Storage> dst = runtime_->AllocateStorage(device, static_cast<size_t>(nbytes));
  if (!dst.ok()) return fail(Annotate(dst.status(), absl::StrCat("staging ", what)));
  const int index = static_cast<int>(dst->device().index());
  char* const dst_bytes = static_cast<char*>(dst->mutable_data());
  uint32_t crc = 0;
  for (uint64_t pos = 0; pos < nbytes;) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(options_.chunk_bytes, nbytes - pos));
    Slot& slot = slots_[next_slot_];
    next_slot_ = (next_slot_ + 1) % slots_.size();
    absl::Status drained = Drain(slot);
    if (!drained.ok()) return fail(drained);
    if (slot.buffer.data() == nullptr) {
      absl::StatusOr<PinnedBuffer> buffer =
          PinnedBuffer::Allocate(runtime_->backend(), options_.chunk_bytes);
      if (!buffer.ok()) {
        return fail(Annotate(buffer.status(), absl::StrCat("allocating a pinned staging buffer of ",
                                                           options_.chunk_bytes, " bytes")));
      }
      slot.buffer = *std::move(buffer);
      stats_.pinned_bytes += options_.chunk_bytes;
    }
    absl::Status r = Fill(read, pos, len, slot.buffer.data(), expected_crc32.has_value(),
                          swap_unit, &crc);
    if (!r.ok()) return fail(Annotate(r, absl::StrCat("reading ", what)));
    absl::StatusOr<DeviceStreamHandle> stream = StreamFor(index);
    if (!stream.ok()) return fail(stream.status());
    DeviceBackend& backend = *runtime_->backend();
    absl::Status c =
        backend.CopyAsync(dst_bytes + pos, slot.buffer.data(), len, CopyKind::kHostToDevice, *stream);
    absl::StatusOr<DeviceEventHandle> event =
        c.ok() ? backend.RecordEvent(*stream) : absl::StatusOr<DeviceEventHandle>(c);
    if (!event.ok()) {
      // Whatever may already be in flight on the stream is waited for by
      // the destructor (DestroyStream).
      return fail(Annotate(event.status(), absl::StrCat("copying ", what, " to ",
                                                        dst->device().ToString(),
                                                        " (the chunk at offset ", pos, ")")));
    }
    slot.event = *event;
    slot.dst = *dst;
    slot.what = std::string(what);
    slot.offset = pos;
    ++in_flight_;
    stats_.max_in_flight = std::max(stats_.max_in_flight, in_flight_);
    ++stats_.chunks;
    stats_.bytes += len;
    pos += len;
  }
  if (expected_crc32.has_value() && crc != *expected_crc32) {
    return fail(absl::DataLossError(absl::StrFormat(
        "%s: CRC-32 mismatch: stored %08x, computed %08x over its %d bytes", what,
        *expected_crc32, crc, nbytes)));
  }
  ++stats_.records;
  return dst;
}

absl::Status DeviceStager::Fill(const ChunkReader& read, uint64_t pos, size_t len, void* dst,
                                bool check_crc, size_t swap_unit, uint32_t* crc) {
  char* const out = static_cast<char*>(dst);
  const int parts = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(options_.reader_threads), len / kMinPart));
  if (parts <= 1) {
    absl::Status r = read(pos, len, out);
    if (!r.ok()) return Annotate(r, absl::StrCat("at offset ", pos));
    if (check_crc) *crc = Crc32(*crc, out, len);
    if (swap_unit > 1) SwapInPlace(out, len, swap_unit);
    return absl::OkStatus();
  }
  if (pool_ == nullptr) pool_ = std::make_unique<ReaderPool>(options_.reader_threads - 1);
  // Parts are multiples of 64 bytes, so no element to swap straddles two.
  const size_t part = (len / static_cast<size_t>(parts) + 63) / 64 * 64;
  std::vector<absl::Status> status(static_cast<size_t>(parts));
  std::vector<uint32_t> crcs(static_cast<size_t>(parts), 0);
  pool_->Run(parts, [&](int i) {
    const size_t begin = static_cast<size_t>(i) * part;
    if (begin >= len) return;
    const size_t n = std::min(part, len - begin);
    absl::Status r = read(pos + begin, n, out + begin);
    if (!r.ok()) {
      status[static_cast<size_t>(i)] = Annotate(r, absl::StrCat("at offset ", pos + begin));
      return;
    }
    if (check_crc) crcs[static_cast<size_t>(i)] = Crc32(0, out + begin, n);
    if (swap_unit > 1) SwapInPlace(out + begin, n, swap_unit);
  });
  for (int i = 0; i < parts; ++i) {
    if (!status[static_cast<size_t>(i)].ok()) return status[static_cast<size_t>(i)];
    const size_t begin = static_cast<size_t>(i) * part;
    if (check_crc && begin < len) *crc = Crc32Combine(*crc, crcs[static_cast<size_t>(i)], std::min(part, len - begin));
  }
  return absl::OkStatus();
}

absl::StatusOr<Storage> DeviceStager::StageFromSource(const ByteSource& source, uint64_t offset,
                                                      uint64_t nbytes,
                                                      std::optional<uint32_t> expected_crc32,
                                                      size_t swap_unit, const Device& device,
                                                      absl::string_view what) {
  if (offset > source.size() || nbytes > source.size() - offset) {
    return absl::DataLossError(absl::StrCat(what, ": bytes [", offset, ", ", offset + nbytes,
                                            ") lie past the end of '", source.name(), "' (",
                                            source.size(), " bytes)"));
  }
  return Stage(
      [&](uint64_t pos, size_t n, void* dst) { return source.ReadAt(offset + pos, n, dst); },
      nbytes, expected_crc32, swap_unit, device, what);
}

absl::StatusOr<Storage> DeviceStager::StageFromHost(const void* data, size_t nbytes,
                                                    const Device& device, absl::string_view what) {
  return Stage(
      [data](uint64_t pos, size_t n, void* dst) {
        std::memcpy(dst, static_cast<const char*>(data) + pos, n);
        return absl::OkStatus();
      },
      nbytes, std::nullopt, 0, device, what);
}

}  // namespace ptser
