// Copyright ptser authors.
#include "archive/restore_storage.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/device.h"
#include "tensor/device_registry.h"

namespace ptser {
namespace load_internal {

absl::StatusOr<Storage> RestoreStorage(const Storage& cpu, absl::string_view saved_tag,
                                       const LoadOptions& options) {
  // The common case, once per storage: saved on the CPU, nothing mapped.
  if (saved_tag == "cpu" && options.map_location.is_identity()) return cpu;
  const std::string tag(saved_tag);
  if (options.map_location.function()) {
    PTSER_ASSIGN_OR_RETURN(std::optional<Storage> mapped,
                           options.map_location.function()(cpu, tag));
    if (mapped.has_value()) return *mapped;
  }
  const std::string target = options.map_location.TargetTag(tag);
  if (target == "cpu") return cpu;  // the common case, without parsing
  PTSER_ASSIGN_OR_RETURN(Device device, Device::Parse(target));
  if (!IsDeviceTypeAvailable(device.type())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a storage is to be restored on '", device.ToString(), "', but this program has no '",
        device.type(), "' device support",
        device.is_cuda()
            ? " (PyTorch: \"Attempting to deserialize object on a CUDA device but "
              "torch.cuda.is_available() is False. If you are running on a CPU-only machine, "
              "please use torch.load with map_location=torch.device('cpu') to map your "
              "storages to the CPU.\")"
            : "",
        "; load it on the CPU with "
        "LoadOptions::map_location = MapLocation::To(Device::Cpu()) "
        "(torch.load's map_location='cpu'), or a table such as {'",
        device.ToString(), "': 'cpu'}"));
  }
  return CopyToDevice(cpu, device);
}

}  // namespace load_internal
}  // namespace ptser
