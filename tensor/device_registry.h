// Copyright ptser authors.
//
// tensor/device_registry.h — which device types exist beyond the CPU, and how
// a storage is copied to and from one.
//
// The CPU is always there.  A device layer (gpu/ for "cuda") registers the
// type it serves once, at start-up, with two copies:
//
//   RegisterDeviceType("cuda", DeviceCopies{
//       .to_device = [](const Storage& cpu, const Device& d) { ... },  // H2D
//       .to_cpu = [](const Storage& on_device) { ... },               // D2H
//   });
//
// and everything above tensor/ moves storages through CopyToDevice and
// CopyToCpu: torch.load's map_location (archive/map_location.h), and later
// Tensor::To(device).  A device type nobody registered is
// FailedPreconditionError naming it, so a CUDA-tagged checkpoint on a
// CPU-only program fails as torch.load fails on a machine without CUDA.
//
// Thread-safe: registration and lookups may happen on any thread.
#ifndef PTSER_TENSOR_DEVICE_REGISTRY_H_
#define PTSER_TENSOR_DEVICE_REGISTRY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tensor/device.h"
#include "tensor/device_backend.h"
#include "tensor/storage.h"

namespace ptser {

struct DeviceCopies {
  // CPU bytes to a new storage on `device` (of the registered type; its
  // index as the tag says).  Must return a Storage on that device with the
  // same nbytes.
  std::function<absl::StatusOr<Storage>(const Storage& cpu, const Device& device)> to_device;
  // A storage of the registered type to a new CPU storage with its bytes.
  std::function<absl::StatusOr<Storage>(const Storage& on_device)> to_cpu;
};

// Registers (or replaces) the copies for a device type ("cuda").  "cpu"
// cannot be registered (InvalidArgumentError); nor can a type with an empty
// copy function.
absl::Status RegisterDeviceType(const std::string& type, DeviceCopies copies);

// Registers (or replaces) a full device backend for backend->type()
// (tensor/device_backend.h): a DeviceRuntime over it (the caching allocator)
// and DeviceCopies built on that runtime, so CopyToDevice and CopyToCpu go
// through it.  Tensor::To, the staging load (archive/device_stage.h) and Save
// find it with GetDeviceRuntime.  Same name rules as RegisterDeviceType.
//
//   PTSER_RETURN_IF_ERROR(RegisterDeviceBackend(std::make_shared<CudaDevice>()));
absl::Status RegisterDeviceBackend(std::shared_ptr<DeviceBackend> backend,
                                   DeviceRuntime::Options options = {});

// The runtime of a type registered with RegisterDeviceBackend; null when the
// type is not registered or was registered with DeviceCopies only.
std::shared_ptr<DeviceRuntime> GetDeviceRuntime(absl::string_view type);

// Removes a registered type (tests); false when it was not registered.
bool UnregisterDeviceType(const std::string& type);

// Whether `type` is "cpu" or registered.
bool IsDeviceTypeAvailable(absl::string_view type);

// The registered types, sorted ("cpu" not included).
std::vector<std::string> RegisteredDeviceTypes();

// `cpu` (a CPU storage) on `device`: itself for the CPU, else the registered
// type's to_device copy.  For a type with a runtime, `device` is resolved
// first ("cuda" is "cuda:0"; "cuda:3" with one device is InvalidArgumentError
// naming it, see DeviceRuntime::Resolve).  An unregistered type is FailedPreconditionError
// "no 'cuda' device support in this program ...".
absl::StatusOr<Storage> CopyToDevice(const Storage& cpu, const Device& device);

// `storage` on the CPU: itself when it is there, else its type's to_cpu.
absl::StatusOr<Storage> CopyToCpu(const Storage& storage);

// `storage` on `device`, wherever it is now: itself when it is there already
// ("cuda" and "cuda:0" are one device), else a copy — host to device, device
// to host, within one device type through the host (cuda:0 to cuda:1 goes
// through a CPU copy; a peer copy can come later).
absl::StatusOr<Storage> CopyStorageTo(const Storage& storage, const Device& device);

}  // namespace ptser

#endif  // PTSER_TENSOR_DEVICE_REGISTRY_H_
