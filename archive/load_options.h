// Copyright ptser authors.
//
// archive/load_options.h — LoadOptions: how ptser::Load reads a file (memory
// mapping, one buffer or one read per storage, CRC-32 checks, map_location,
// the unpickler's globals and limits, a hook per zip storage).
//
// Its own header so that the loaders of each format (zip and legacy in
// load_file.h, tar_load.h, sharded.h) and their callers agree on one options
// type without including ptser::Load itself: archive/load.h includes this.
//
//   LoadOptions options;
//   options.mmap = true;                                   // zero-copy
//   options.map_location = MapLocation::To(Device::Cpu()); // cuda -> cpu
#ifndef PTSER_ARCHIVE_LOAD_OPTIONS_H_
#define PTSER_ARCHIVE_LOAD_OPTIONS_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <algorithm>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "archive/device_stage.h"
#include "archive/map_location.h"
#include "pickle/unpickler.h"
#include "tensor/storage.h"

namespace ptser {

struct LoadOptions {
  // Where storages go (see map_location.h).  Default: keep each saved tag.
  MapLocation map_location;
  // Memory-map the file: stored, aligned records become storages without a
  // copy (writes to them stay private, as MAP_PRIVATE).  CRCs of mapped
  // records are then only checked when `verify_crc32_when_mapped` is set,
  // because checking reads every byte.  Default: false.
  bool mmap = false;
  // A copying load reads the whole file with one sequential read into one
  // fresh buffer, and storages are slices of it: fast, and peak memory is the
  // file size.  But a storage keeps the whole buffer alive, so a program that
  // keeps only a few tensors of a large file should Clone() them, or set this
  // to false: each storage is then read into its own allocation, as
  // torch.load does.  Ignored with mmap.  Default: true.
  bool one_buffer = true;
  // Verify the CRC-32 of each record read (a copying load reads every byte
  // anyway; ISA-L checks at tens of GB/s).  Default: true.
  bool verify_crc32 = true;
  // With mmap: verify CRCs too (touches every page).  Default: false.
  bool verify_crc32_when_mapped = false;
  // How far a file's pickle may grow it, as a multiple of the file's size.
  // Zip files: the pickle (data.pkl) may inflate to at most this many times
  // the file's size (at least 1 MiB); a deflated data.pkl declaring more is
  // refused before it is inflated (ZipReader::Options::max_pickle_growth).
  // Every format: what unpickling allocates (unpickler.max_total_bytes, its
  // values at their in-memory size) is at most this many times the file's
  // size, at least kMinUnpicklerBudget (UnpicklerBudget below): a 1 MB pickle
  // of a million empty lists is refused rather than taking 224 MB.
  // Default: 64.
  double max_pickle_growth = 64;
  // Globals, limits and unknown-class handling for the pickle.  Its
  // persistent_load is set by Load and must be left unset; its
  // max_total_bytes is lowered to UnpicklerBudget() for each file.
  UnpicklerOptions unpickler;
  // Zip files: called once per storage whose bytes are exactly a record's
  // (not sliced, byte-swapped or moved to a device), with the CRC-32 the
  // archive records for that record, whether or not it was verified.  A
  // caller that writes the bytes again can check them then, in the same
  // pass (SaveOptions::expected_crc32), instead of reading them twice:
  // `ptser convert` does.  When it is set, every other storage record (one
  // transformed on load) has its CRC-32 checked against the bytes read, even
  // where verify_crc32_when_mapped is false.  Default: none.
  std::function<void(const Storage& storage, uint32_t recorded_crc32)> on_zip_storage;
  // Zip files whose map_location (To, Table or TagFunction) sends storages
  // to a device type registered with RegisterDeviceBackend: the chunk size,
  // pinned buffers and streams of the staging pipeline that streams records
  // from the file to the device (archive/device_stage.h).  A copying load
  // then reads the file by pread, chunk by chunk, rather than whole, so host
  // memory stays at `buffers * chunk_bytes` (a deflated record takes its own
  // size more, for its host step).  Not used with on_zip_storage.  Default:
  // StagingOptions() (4 x 32 MiB, up to 8 reader threads).
  StagingOptions device_staging;
};

// What unpickling a file may allocate whatever its size (64 MiB).
inline constexpr uint64_t kMinUnpicklerBudget = uint64_t{64} << 20;

// The max_total_bytes Load gives the unpickler of a file of `file_size`
// bytes: options.unpickler.max_total_bytes, lowered to max_pickle_growth
// times the file's size (at least kMinUnpicklerBudget).
//
//   UnpicklerBudget(LoadOptions(), 1 << 20)    // 64 MiB for a 1 MiB file
//   UnpicklerBudget(LoadOptions(), 1 << 30)    // 4 GiB (the unpickler's own)
inline uint64_t UnpicklerBudget(const LoadOptions& options, uint64_t file_size) {
  const double scaled = options.max_pickle_growth * static_cast<double>(file_size);
  uint64_t budget = kMinUnpicklerBudget;
  if (!(scaled < 18446744073709551616.0)) {
    budget = options.unpickler.max_total_bytes;  // 2^64 or more, or NaN
  } else if (scaled > static_cast<double>(budget)) {
    budget = static_cast<uint64_t>(scaled);
  }
  return std::min(budget, options.unpickler.max_total_bytes);
}

// `status` from unpickling a file of `file_size` bytes, with how to raise
// the budget added where UnpicklerBudget's lowered limit refused it.
inline absl::Status ExplainUnpicklerBudget(absl::Status status, const LoadOptions& options,
                                           uint64_t file_size) {
  if (status.code() != absl::StatusCode::kResourceExhausted ||
      UnpicklerBudget(options, file_size) >= options.unpickler.max_total_bytes ||
      !absl::StrContains(status.message(), "UnpicklerOptions::max_total_bytes")) {
    return status;
  }
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(), "; a file's pickle may allocate ",
                   options.max_pickle_growth,
                   " times the file's size (at least 64 MiB): raise "
                   "LoadOptions::max_pickle_growth to allow more"));
}

}  // namespace ptser

#endif  // PTSER_ARCHIVE_LOAD_OPTIONS_H_
