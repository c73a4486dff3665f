// Copyright ptser authors.
//
// Linked (alwayslink) into a program, registers "cuda" at start-up when a GPU
// exists (gpu/cuda_device.h); without one nothing is registered, and a
// CUDA-tagged checkpoint then asks for a map_location as on a CPU-only torch.
#include "gpu/cuda_device.h"

namespace ptser {
namespace gpu {
namespace {

const bool kRegistered = RegisterCudaDevice().ok();

}  // namespace
}  // namespace gpu
}  // namespace ptser
