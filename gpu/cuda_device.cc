// Copyright ptser authors.
#include "gpu/cuda_device.h"

#include <cuda_runtime.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "tensor/device_registry.h"

namespace ptser {
namespace gpu {
namespace {

std::string Describe(cudaError_t err) {
  return absl::StrCat(cudaGetErrorName(err), " (", cudaGetErrorString(err), ")");
}

absl::Status CudaError(cudaError_t err, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", Describe(err)));
}

// A stream handle: the CUDA stream and its device.
struct Stream {
  cudaStream_t stream = nullptr;
  int index = 0;
};

cudaMemcpyKind KindOf(CopyKind kind) {
  switch (kind) {
    case CopyKind::kHostToDevice: return cudaMemcpyHostToDevice;
    case CopyKind::kDeviceToHost: return cudaMemcpyDeviceToHost;
    case CopyKind::kDeviceToDevice: return cudaMemcpyDeviceToDevice;
  }
  return cudaMemcpyDefault;
}

}  // namespace

absl::StatusOr<std::shared_ptr<CudaDevice>> CudaDevice::Create() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    cudaGetLastError();
    return absl::UnavailableError(absl::StrCat("no usable CUDA device: cudaGetDeviceCount: ",
                                               Describe(err)));
  }
  if (count == 0) return absl::UnavailableError("no usable CUDA device: 0 devices");
  return std::shared_ptr<CudaDevice>(new CudaDevice(count));
}

absl::StatusOr<void*> CudaDevice::Malloc(int index, size_t nbytes) {
  cudaError_t err = cudaSetDevice(index);
  if (err != cudaSuccess) return CudaError(err, absl::StrCat("cudaSetDevice(", index, ")"));
  void* p = nullptr;
  err = cudaMalloc(&p, nbytes);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: clear it
    size_t free_bytes = 0, total = 0;
    cudaMemGetInfo(&free_bytes, &total);
    return absl::ResourceExhaustedError(absl::StrCat(
        "cudaMalloc of ", nbytes, " bytes on cuda:", index, ": out of memory (", free_bytes,
        " of ", total, " bytes free)"));
  }
  if (err != cudaSuccess) return CudaError(err, absl::StrCat("cudaMalloc(", nbytes, ")"));
  return p;
}

void CudaDevice::Free(int index, void* ptr) {
  if (cudaSetDevice(index) == cudaSuccess) cudaFree(ptr);
}

absl::StatusOr<void*> CudaDevice::MallocPinned(size_t nbytes) {
  void* p = nullptr;
  cudaError_t err = cudaHostAlloc(&p, nbytes, cudaHostAllocPortable);
  if (err != cudaSuccess) {
    cudaGetLastError();
    return absl::ResourceExhaustedError(
        absl::StrCat("cudaHostAlloc of ", nbytes, " pinned bytes: ", Describe(err)));
  }
  return p;
}

void CudaDevice::FreePinned(void* ptr) { cudaFreeHost(ptr); }

absl::StatusOr<DeviceStreamHandle> CudaDevice::CreateStream(int index) {
  cudaError_t err = cudaSetDevice(index);
  if (err != cudaSuccess) return CudaError(err, absl::StrCat("cudaSetDevice(", index, ")"));
  auto* s = new Stream();
  s->index = index;
  err = cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking);
  if (err != cudaSuccess) {
    delete s;
    return CudaError(err, "cudaStreamCreateWithFlags");
  }
  return static_cast<DeviceStreamHandle>(s);
}

void CudaDevice::DestroyStream(DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  cudaStreamSynchronize(s->stream);
  cudaStreamDestroy(s->stream);
  delete s;
}

absl::Status CudaDevice::CopyAsync(void* dst, const void* src, size_t n, CopyKind kind,
                                   DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  if (n == 0) return absl::OkStatus();
  cudaError_t err = cudaSetDevice(s->index);
  if (err == cudaSuccess) err = cudaMemcpyAsync(dst, src, n, KindOf(kind), s->stream);
  if (err != cudaSuccess) return CudaError(err, absl::StrCat("cudaMemcpyAsync of ", n, " bytes"));
  return absl::OkStatus();
}

absl::StatusOr<DeviceEventHandle> CudaDevice::RecordEvent(DeviceStreamHandle handle) {
  auto* s = static_cast<Stream*>(handle);
  cudaError_t err = cudaSetDevice(s->index);
  cudaEvent_t event = nullptr;
  if (err == cudaSuccess) err = cudaEventCreateWithFlags(&event, cudaEventDisableTiming);
  if (err != cudaSuccess) return CudaError(err, "cudaEventCreateWithFlags");
  err = cudaEventRecord(event, s->stream);
  if (err != cudaSuccess) {
    cudaEventDestroy(event);
    return CudaError(err, "cudaEventRecord");
  }
  return static_cast<DeviceEventHandle>(event);
}

absl::Status CudaDevice::WaitEvent(DeviceEventHandle event) {
  cudaError_t err = cudaEventSynchronize(static_cast<cudaEvent_t>(event));
  if (err != cudaSuccess) return CudaError(err, "cudaEventSynchronize");
  return absl::OkStatus();
}

void CudaDevice::DestroyEvent(DeviceEventHandle event) {
  cudaEventDestroy(static_cast<cudaEvent_t>(event));
}

absl::Status CudaDevice::SynchronizeStream(DeviceStreamHandle handle) {
  cudaError_t err = cudaStreamSynchronize(static_cast<Stream*>(handle)->stream);
  if (err != cudaSuccess) return CudaError(err, "cudaStreamSynchronize");
  return absl::OkStatus();
}

absl::Status RegisterCudaDevice() {
  absl::StatusOr<std::shared_ptr<CudaDevice>> device = CudaDevice::Create();
  if (!device.ok()) return device.status();
  return RegisterDeviceBackend(*std::move(device));
}

}  // namespace gpu
}  // namespace ptser
