// Copyright ptser authors.
//
// gpu/cuda_device.h — the CUDA implementation of tensor/device_backend.h:
// device memory by cudaMalloc (behind DeviceRuntime's caching allocator),
// staging buffers by cudaHostAlloc, copies by cudaMemcpyAsync on
// non-blocking streams, completion by events.  Built only with
// --config=cuda (tools/build_defs/cuda.bzl); the header itself needs no
// CUDA headers.
//
//   // once, at start-up: "cuda" exists from now on when a GPU does
//   absl::Status s = ptser::gpu::RegisterCudaDevice();
//   if (!s.ok()) std::cerr << s << "\n";  // UnavailableError: no GPU, no driver
//
//   ptser::LoadOptions o;
//   o.map_location = ptser::MapLocation::To("cuda:0");
//   auto ckpt = ptser::Load("model.pt", o);  // staged straight to the GPU
//
// Or link //gpu:cuda_autoregister, which does this at start-up and stays
// silent without a GPU.
#ifndef PTSER_GPU_CUDA_DEVICE_H_
#define PTSER_GPU_CUDA_DEVICE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/device_backend.h"

namespace ptser {
namespace gpu {

class CudaDevice : public DeviceBackend {
 public:
  // The CUDA devices of this process; UnavailableError quoting the runtime's
  // reason when there is none (no driver, no GPU, CUDA_VISIBLE_DEVICES="").
  static absl::StatusOr<std::shared_ptr<CudaDevice>> Create();

  std::string type() const override { return "cuda"; }
  int DeviceCount() const override { return count_; }
  absl::StatusOr<void*> Malloc(int index, size_t nbytes) override;
  void Free(int index, void* ptr) override;
  absl::StatusOr<void*> MallocPinned(size_t nbytes) override;
  void FreePinned(void* ptr) override;
  absl::StatusOr<DeviceStreamHandle> CreateStream(int index) override;
  void DestroyStream(DeviceStreamHandle stream) override;
  absl::Status CopyAsync(void* dst, const void* src, size_t n, CopyKind kind,
                         DeviceStreamHandle stream) override;
  absl::StatusOr<DeviceEventHandle> RecordEvent(DeviceStreamHandle stream) override;
  absl::Status WaitEvent(DeviceEventHandle event) override;
  void DestroyEvent(DeviceEventHandle event) override;
  absl::Status SynchronizeStream(DeviceStreamHandle stream) override;

 private:
  explicit CudaDevice(int count) : count_(count) {}
  const int count_;
};

// Registers CudaDevice as "cuda" (RegisterDeviceBackend) when a device
// exists; UnavailableError (nothing registered) otherwise.
absl::Status RegisterCudaDevice();

}  // namespace gpu
}  // namespace ptser

#endif  // PTSER_GPU_CUDA_DEVICE_H_
