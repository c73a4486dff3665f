// Copyright ptser authors.
//
// archive/load_device.h — how Load puts zip records straight onto a device
// (private to //archive:load, like load_internal.h): which storages can be
// staged, and the record-level glue over DeviceStager (device_stage.h).
#ifndef PTSER_ARCHIVE_LOAD_DEVICE_H_
#define PTSER_ARCHIVE_LOAD_DEVICE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/device_stage.h"
#include "archive/load_options.h"
#include "archive/zip_reader.h"
#include "tensor/device.h"
#include "tensor/device_backend.h"

namespace ptser {
namespace load_internal {

struct StagingTarget {
  Device device;  // resolved: "cuda" is "cuda:0"
  std::shared_ptr<DeviceRuntime> runtime;
};

// Where a storage saved as `saved_tag` is staged: when map_location is not a
// Function and sends it to a device whose type has a DeviceRuntime.  nullopt
// otherwise (the host path: RestoreStorage).  A device that does not exist
// ("cuda:3" with one GPU) is InvalidArgumentError naming it.
absl::StatusOr<std::optional<StagingTarget>> FindStagingTarget(absl::string_view saved_tag,
                                                               const LoadOptions& options);

// Whether map_location (To or Table) names a device with a runtime: a
// copying load then reads the file by pread, chunk by chunk, instead of
// whole, so host memory stays at the staging buffers.
bool StagesToDevice(const LoadOptions& options);

// One DeviceStager per device type, created on first use; Finish() waits for
// all of them.
class DeviceStagers {
 public:
  explicit DeviceStagers(StagingOptions options) : options_(options) {}
  DeviceStager& For(const std::shared_ptr<DeviceRuntime>& runtime);
  absl::Status Finish();
  bool empty() const { return by_type_.empty(); }

 private:
  StagingOptions options_;
  std::map<std::string, std::unique_ptr<DeviceStager>> by_type_;
};

// The first `nbytes` bytes of zip record `entry` as a storage on `device`.
// A stored record of exactly `nbytes` streams from the source through the
// pinned buffers (CRC-32 checked when `verify_crc32`, byte-swapped with
// `swap_unit` > 1); a deflated or longer record is read on the host first
// (ZipReader::Read), trimmed and swapped, then staged.
absl::StatusOr<Storage> StageZipRecord(DeviceStager& stager, const ZipReader& zip,
                                       const ZipEntry& entry, uint64_t nbytes, size_t swap_unit,
                                       bool verify_crc32, const Device& device);

}  // namespace load_internal
}  // namespace ptser

#endif  // PTSER_ARCHIVE_LOAD_DEVICE_H_
