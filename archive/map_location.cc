// Copyright ptser authors.
#include "archive/map_location.h"

#include <mutex>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

struct Registry {
  std::mutex mu;
  absl::flat_hash_map<std::string, StorageMaterializer> by_type;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

MapLocation MapLocation::To(Device device) {
  MapLocation m;
  m.device_ = device.ToString();
  return m;
}

MapLocation MapLocation::To(absl::string_view device) {
  MapLocation m;
  m.device_ = std::string(device);
  return m;
}

MapLocation MapLocation::Table(std::map<std::string, std::string> table) {
  MapLocation m;
  m.table_ = std::move(table);
  return m;
}

MapLocation MapLocation::Function(Fn fn) {
  MapLocation m;
  m.fn_ = std::move(fn);
  return m;
}

std::string MapLocation::TargetTag(const std::string& saved_tag) const {
  if (device_.has_value()) return *device_;
  auto it = table_.find(saved_tag);
  return it == table_.end() ? saved_tag : it->second;
}

void RegisterStorageMaterializer(const std::string& device_type,
                                 StorageMaterializer materializer) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_type[device_type] = std::move(materializer);
}

absl::StatusOr<Storage> MaterializeStorage(const Storage& cpu, const Device& device) {
  if (device.is_cpu()) return cpu;
  StorageMaterializer m;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.by_type.find(device.type());
    if (it != r.by_type.end()) m = it->second;
  }
  if (!m) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a storage is to be restored on '", device.ToString(),
        "', but this program has no '", device.type(),
        "' device support; load it on the CPU with "
        "LoadOptions::map_location = MapLocation::To(Device::Cpu()) "
        "(torch.load's map_location='cpu'), or a table such as {'",
        device.ToString(), "': 'cpu'}"));
  }
  return m(cpu, device);
}

}  // namespace ptser
