// Copyright ptser authors.
#include "archive/load_device.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tensor/device_registry.h"

namespace ptser {
namespace load_internal {

absl::StatusOr<std::optional<StagingTarget>> FindStagingTarget(absl::string_view saved_tag,
                                                               const LoadOptions& options) {
  // The common case first, once per storage: saved on the CPU, nothing mapped.
  if (saved_tag == "cpu" && options.map_location.is_identity()) {
    return std::optional<StagingTarget>();
  }
  if (options.map_location.function()) return std::optional<StagingTarget>();
  const std::string target = options.map_location.TargetTag(std::string(saved_tag));
  if (target == "cpu") return std::optional<StagingTarget>();
  absl::StatusOr<Device> device = Device::Parse(target);
  if (!device.ok()) return device.status();
  std::shared_ptr<DeviceRuntime> runtime = GetDeviceRuntime(device->type());
  if (runtime == nullptr) return std::optional<StagingTarget>();
  absl::StatusOr<Device> resolved = runtime->Resolve(*device);
  if (!resolved.ok()) return resolved.status();
  return std::optional<StagingTarget>(StagingTarget{*resolved, std::move(runtime)});
}

bool StagesToDevice(const LoadOptions& options) {
  for (const std::string& tag : options.map_location.NamedTargets()) {
    absl::StatusOr<Device> device = Device::Parse(tag);
    if (device.ok() && !device->is_cpu() && GetDeviceRuntime(device->type()) != nullptr) {
      return true;
    }
  }
  return false;
}

DeviceStager& DeviceStagers::For(const std::shared_ptr<DeviceRuntime>& runtime) {
  std::unique_ptr<DeviceStager>& stager = by_type_[runtime->type()];
  if (stager == nullptr) stager = std::make_unique<DeviceStager>(runtime, options_);
  return *stager;
}

absl::Status DeviceStagers::Finish() {
  absl::Status first;
  for (auto& [type, stager] : by_type_) {
    absl::Status s = stager->Finish();
    if (first.ok()) first = s;
  }
  return first;
}

absl::StatusOr<Storage> StageZipRecord(DeviceStager& stager, const ZipReader& zip,
                                       const ZipEntry& entry, uint64_t nbytes, size_t swap_unit,
                                       bool verify_crc32, const Device& device) {
  const std::string what =
      absl::StrCat("'", zip.source().name(), "' record '", entry.name, "' (header at offset ",
                   entry.header_offset, ")");
  if (entry.method == 0 && entry.uncompressed_size == nbytes) {
    absl::StatusOr<uint64_t> offset = zip.DataOffset(entry);
    if (!offset.ok()) return offset.status();
    return stager.StageFromSource(
        zip.source(), *offset, nbytes,
        verify_crc32 ? std::optional<uint32_t>(entry.crc32) : std::nullopt, swap_unit, device,
        what);
  }
  // The host step: inflate (and check) the record, keep `nbytes`, swap.
  absl::StatusOr<Storage> bytes = zip.Read(entry);
  if (!bytes.ok()) return bytes.status();
  if (bytes->nbytes() < nbytes) {
    return absl::DataLossError(absl::StrCat(what, " holds ", bytes->nbytes(),
                                            " bytes; its storage needs ", nbytes));
  }
  const void* data = bytes->data();
  Storage swapped;
  if (swap_unit > 1) {
    absl::StatusOr<Storage> copy = Storage::CopyFrom(bytes->data(), static_cast<size_t>(nbytes));
    if (!copy.ok()) return copy.status();
    swapped = *std::move(copy);
    auto* p = static_cast<unsigned char*>(swapped.mutable_data());
    for (size_t i = 0; i + swap_unit <= nbytes; i += swap_unit) std::reverse(p + i, p + i + swap_unit);
    data = swapped.data();
  }
  return stager.StageFromHost(data, static_cast<size_t>(nbytes), device, what);
}

}  // namespace load_internal
}  // namespace ptser
