// Copyright ptser authors.
//
// gpu/cuda_smoke.h — proves the CUDA toolchain: one kernel and a host<->device
// round trip.  Built only with --config=cuda (see tools/build_defs/cuda.bzl).
//
//   absl::StatusOr<std::vector<float>> r = CudaAddOne({1, 2, 3});
//   // r == {2, 3, 4} on a machine with a GPU; UnavailableError without one.
#ifndef PTSER_GPU_CUDA_SMOKE_H_
#define PTSER_GPU_CUDA_SMOKE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ptser {
namespace gpu {

// The number of CUDA devices, or UnavailableError quoting the CUDA runtime's
// reason (e.g. "cudaErrorInsufficientDriver" on a machine without a GPU).
absl::StatusOr<int> CudaDeviceCount();

// Copies `values` to device 0, adds 1 to each in a kernel, copies back.
absl::StatusOr<std::vector<float>> CudaAddOne(const std::vector<float>& values);

}  // namespace gpu
}  // namespace ptser

#endif  // PTSER_GPU_CUDA_SMOKE_H_
