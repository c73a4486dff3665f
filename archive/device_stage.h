// Copyright ptser authors.
//
// archive/device_stage.h — bytes from a file (or host memory) to device
// storages through a few pinned staging buffers, in chunks, on several
// streams: the path of a load whose map_location names a device.
//
// A record of N bytes becomes one device storage, allocated once, filled
// chunk by chunk:
//
//   for each chunk (chunk_bytes, the last one shorter):
//     take the next pinned buffer (round robin over `buffers`); if a copy
//       from it is still in flight, wait for its event first
//     read the chunk into it (pread, or memcpy from memory), CRC-32 it (zip
//       records), byte-swap it (big-endian files) — a chunk of 2 MiB or more
//       by several reader threads, each a part, their CRCs combined
//     enqueue its host-to-device copy on the next stream, record an event
//
// so the host reads and checks chunk k+1 while the copy engine moves chunk k,
// and at most `buffers` copies are in flight.  Host memory is the `buffers`
// pinned buffers (allocated on first use, `buffers * chunk_bytes` at most),
// whatever the size of the file.  Stage() returns when the record's last
// chunk is enqueued — its copies may still be running: Finish() waits for
// every copy before the storages may be used.
//
// Errors are Statuses naming the record and the offset: a CRC mismatch
// (DataLossError, reported once the record is read, like ZipReader's), a
// failed read, the device out of memory (ResourceExhaustedError naming the
// device), a failed copy (reported by the wait that sees it).  After an error
// the stager refuses further work; destroying it waits for whatever is in
// flight and frees every buffer and stream, and a storage nobody holds goes
// back to the allocator — so a failed load leaves nothing allocated.
//
// Written only against tensor/device_backend.h: tests run it on FakeDevice.
// Not thread-safe: one thread stages (its reader threads are its own).
#ifndef PTSER_ARCHIVE_DEVICE_STAGE_H_
#define PTSER_ARCHIVE_DEVICE_STAGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/byte_source.h"
#include "tensor/device.h"
#include "tensor/device_backend.h"
#include "tensor/storage.h"

namespace ptser {

struct StagingOptions {
  // Bytes per chunk, rounded down to a multiple of 64 (at least 64).
  // Default: 32 MiB (with 4 buffers: 128 MiB of pinned host memory).
  size_t chunk_bytes = size_t{32} << 20;
  // Pinned buffers, so also the most copies in flight.  Default: 4.
  int buffers = 4;
  // Streams per device the chunks take turns on.  Default: 2.
  int streams = 2;
  // Threads that read (and CRC, and swap) the parts of one chunk, the
  // calling thread included; one thread reads ~10 GB/s from the page cache,
  // a PCIe 5 bus takes ~50.  0: half the machine's hardware threads, at most
  // 8.  Default: 0.
  int reader_threads = 0;
};

class DeviceStager {
 public:
  struct Stats {
    int64_t records = 0;
    int64_t chunks = 0;
    uint64_t bytes = 0;
    uint64_t pinned_bytes = 0;  // allocated staging buffers
    int max_in_flight = 0;      // copies enqueued and not yet waited for, at most
  };

  DeviceStager(std::shared_ptr<DeviceRuntime> runtime, StagingOptions options);
  // Waits for every copy in flight (errors dropped: call Finish to see them),
  // then frees buffers and streams.
  ~DeviceStager();
  DeviceStager(const DeviceStager&) = delete;
  DeviceStager(DeviceStager&&) = delete;
  DeviceStager& operator=(const DeviceStager&) = delete;

  // Fills chunk [offset, offset + n) of a record into `dst`; called from
  // several threads at once for disjoint ranges.
  using ChunkReader = std::function<absl::Status(uint64_t offset, size_t n, void* dst)>;

  // A new storage of `nbytes` on `device` holding bytes [offset, offset +
  // nbytes) of `source`.  With `expected_crc32`, their CRC-32 must match
  // (DataLossError "CRC-32 mismatch in <what> ...").  With `swap_unit` > 1,
  // each swap_unit-byte element is byte-reversed on the host after the CRC.
  // `what` names the record in messages ("'f.pt' record 'archive/data/3'").
  absl::StatusOr<Storage> StageFromSource(const ByteSource& source, uint64_t offset,
                                          uint64_t nbytes, std::optional<uint32_t> expected_crc32,
                                          size_t swap_unit, const Device& device,
                                          absl::string_view what);

  // The same from host memory (a deflated record inflated, bytes already
  // swapped): `data` must stay valid until this returns.
  absl::StatusOr<Storage> StageFromHost(const void* data, size_t nbytes, const Device& device,
                                        absl::string_view what);

  // The general form: `read` fills each chunk.
  absl::StatusOr<Storage> Stage(const ChunkReader& read, uint64_t nbytes,
                                std::optional<uint32_t> expected_crc32, size_t swap_unit,
                                const Device& device, absl::string_view what);

  // Waits for every copy enqueued so far; the first failure.  Storages staged
  // so far are complete once it returns OK.
  absl::Status Finish();

  const Stats& stats() const { return stats_; }
  const StagingOptions& options() const { return options_; }

 private:
  struct Slot {
    PinnedBuffer buffer;
    DeviceEventHandle event = nullptr;
    Storage dst;        // kept alive while its copy is in flight
    std::string what;   // for the message of a failed copy
    uint64_t offset = 0;
  };

  // Waits for the slot's copy, if any; the copy's error, naming its record.
  absl::Status Drain(Slot& slot);
  // Reads `len` bytes at `pos` into `dst` (in parts, on the reader pool,
  // when large), CRCs and swaps them; `crc` is continued.
  absl::Status Fill(const ChunkReader& read, uint64_t pos, size_t len, void* dst, bool check_crc,
                    size_t swap_unit, uint32_t* crc);
  absl::StatusOr<DeviceStreamHandle> StreamFor(int index);

  class ReaderPool;
  std::shared_ptr<DeviceRuntime> runtime_;
  StagingOptions options_;
  std::unique_ptr<ReaderPool> pool_;  // reader_threads - 1 workers, made on first use
  std::vector<Slot> slots_;
  size_t next_slot_ = 0;
  std::map<int, std::vector<DeviceStream>> streams_;
  uint64_t next_stream_ = 0;
  int in_flight_ = 0;
  absl::Status failed_;
  Stats stats_;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_DEVICE_STAGE_H_
