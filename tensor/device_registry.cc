// Copyright ptser authors.
#include "tensor/device_registry.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

struct Registry {
  std::mutex mu;
  absl::flat_hash_map<std::string, DeviceCopies> by_type;
  // Types registered with RegisterDeviceBackend.
  absl::flat_hash_map<std::string, std::shared_ptr<DeviceRuntime>> runtimes;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

// The copies of `type` (empty functions when it is not registered).
DeviceCopies Lookup(absl::string_view type) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.by_type.find(type);
  return it == r.by_type.end() ? DeviceCopies{} : it->second;
}

absl::Status NoSupport(const Device& device, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "no '", device.type(), "' device support in this program (", what, " ", device.ToString(),
      "); a device layer registers it (RegisterDeviceType, tensor/device_registry.h)"));
}

}  // namespace

static absl::Status CheckTypeName(const std::string& type) {
  if (type == "cpu") {
    return absl::InvalidArgumentError("the CPU is always available; it cannot be registered");
  }
  absl::StatusOr<Device> parsed = Device::Parse(type);
  if (!parsed.ok() || parsed->type() != type) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", type, "' is not a device type name ([a-z0-9_]+)"));
  }
  return absl::OkStatus();
}

absl::Status RegisterDeviceType(const std::string& type, DeviceCopies copies) {
  absl::Status name = CheckTypeName(type);
  if (!name.ok()) return name;
  if (!copies.to_device || !copies.to_cpu) {
    return absl::InvalidArgumentError(
        absl::StrCat("device type '", type, "': both copies (to_device, to_cpu) are needed"));
  }
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_type[type] = std::move(copies);
  r.runtimes.erase(type);
  return absl::OkStatus();
}

absl::Status RegisterDeviceBackend(std::shared_ptr<DeviceBackend> backend,
                                   DeviceRuntime::Options options) {
  if (backend == nullptr) return absl::InvalidArgumentError("RegisterDeviceBackend: null backend");
  const std::string type = backend->type();
  absl::Status name = CheckTypeName(type);
  if (!name.ok()) return name;
  auto runtime = std::make_shared<DeviceRuntime>(std::move(backend), options);
  DeviceCopies copies;
  copies.to_device = [runtime](const Storage& cpu, const Device& device) {
    return runtime->CopyFromHost(cpu.data(), cpu.nbytes(), device);
  };
  copies.to_cpu = [runtime](const Storage& on_device) { return runtime->CopyToHost(on_device); };
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_type[type] = std::move(copies);
  r.runtimes[type] = std::move(runtime);
  return absl::OkStatus();
}

std::shared_ptr<DeviceRuntime> GetDeviceRuntime(absl::string_view type) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.runtimes.find(type);
  return it == r.runtimes.end() ? nullptr : it->second;
}

bool UnregisterDeviceType(const std::string& type) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.runtimes.erase(type);
  return r.by_type.erase(type) > 0;
}

bool IsDeviceTypeAvailable(absl::string_view type) {
  if (type == "cpu") return true;
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.by_type.contains(type);
}

std::vector<std::string> RegisteredDeviceTypes() {
  std::vector<std::string> out;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& [type, copies] : r.by_type) out.push_back(type);
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<Storage> CopyToDevice(const Storage& cpu, const Device& requested) {
  if (requested.is_cpu()) return cpu;
  Device device = requested;
  if (std::shared_ptr<DeviceRuntime> runtime = GetDeviceRuntime(requested.type())) {
    absl::StatusOr<Device> resolved = runtime->Resolve(requested);
    if (!resolved.ok()) return resolved.status();
    device = *resolved;
  }
  if (!cpu.device().is_cpu()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CopyToDevice takes a CPU storage; this one is on ", cpu.device().ToString()));
  }
  DeviceCopies copies = Lookup(device.type());
  if (!copies.to_device) return NoSupport(device, "copying a storage to");
  absl::StatusOr<Storage> out = copies.to_device(cpu, device);
  if (!out.ok()) return out.status();
  if (out->device() != device || out->nbytes() != cpu.nbytes()) {
    return absl::InternalError(absl::StrCat(
        "the '", device.type(), "' device layer returned a storage of ", out->nbytes(),
        " bytes on ", out->device().ToString(), " for ", cpu.nbytes(), " bytes to ",
        device.ToString()));
  }
  return out;
}

absl::StatusOr<Storage> CopyToCpu(const Storage& storage) {
  if (storage.device().is_cpu()) return storage;
  DeviceCopies copies = Lookup(storage.device().type());
  if (!copies.to_cpu) return NoSupport(storage.device(), "copying to the CPU from");
  absl::StatusOr<Storage> out = copies.to_cpu(storage);
  if (!out.ok()) return out.status();
  if (!out->device().is_cpu() || out->nbytes() != storage.nbytes()) {
    return absl::InternalError(absl::StrCat("the '", storage.device().type(),
                                            "' device layer returned a storage of ",
                                            out->nbytes(), " bytes on ",
                                            out->device().ToString(), " for a CPU copy of ",
                                            storage.nbytes(), " bytes"));
  }
  return out;
}

absl::StatusOr<Storage> CopyStorageTo(const Storage& storage, const Device& requested) {
  Device device = requested;
  if (!device.is_cpu()) {
    if (std::shared_ptr<DeviceRuntime> runtime = GetDeviceRuntime(device.type())) {
      absl::StatusOr<Device> resolved = runtime->Resolve(device);
      if (!resolved.ok()) return resolved.status();
      device = *resolved;
    }
  }
  if (storage.device() == device) return storage;
  if (storage.device().is_cpu()) return CopyToDevice(storage, device);
  absl::StatusOr<Storage> host = CopyToCpu(storage);
  if (!host.ok() || device.is_cpu()) return host;
  return CopyToDevice(*host, device);
}

}  // namespace ptser
