// Copyright ptser authors.
#include "gpu/cuda_smoke.h"

#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ptser {
namespace gpu {
namespace {

__global__ void AddOneKernel(float* data, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) data[i] += 1.0f;
}

absl::Status CudaError(cudaError_t err, const char* what) {
  return absl::UnavailableError(std::string(what) + ": " +
                                cudaGetErrorName(err) + " (" +
                                cudaGetErrorString(err) + ")");
}

}  // namespace

absl::StatusOr<int> CudaDeviceCount() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) return CudaError(err, "cudaGetDeviceCount");
  return count;
}

absl::StatusOr<std::vector<float>> CudaAddOne(const std::vector<float>& values) {
  absl::StatusOr<int> count = CudaDeviceCount();
  if (!count.ok()) return count.status();
  if (*count == 0) return absl::UnavailableError("no CUDA device");
  std::vector<float> out(values.size());
  if (values.empty()) return out;
  float* device = nullptr;
  size_t bytes = values.size() * sizeof(float);
  cudaError_t err = cudaMalloc(&device, bytes);
  if (err != cudaSuccess) return CudaError(err, "cudaMalloc");
  err = cudaMemcpy(device, values.data(), bytes, cudaMemcpyHostToDevice);
  if (err == cudaSuccess) {
    int n = static_cast<int>(values.size());
    AddOneKernel<<<(n + 255) / 256, 256>>>(device, n);
    err = cudaGetLastError();
  }
  if (err == cudaSuccess) {
    err = cudaMemcpy(out.data(), device, bytes, cudaMemcpyDeviceToHost);
  }
  cudaFree(device);
  if (err != cudaSuccess) return CudaError(err, "CudaAddOne");
  return out;
}

}  // namespace gpu
}  // namespace ptser
