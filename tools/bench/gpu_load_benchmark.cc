// Copyright ptser authors.
//
// load_benchmark: what tools/bench/gpu_check.sh measures on a GPU machine.
//
//   load_benchmark write FILE GIB     a state dict of 64 MiB float32 tensors,
//                                     GIB GiB in all, saved by ptser (CPU)
//   load_benchmark bus GIB            cudaMemcpy of GIB GiB from pinned host
//                                     memory to cuda:0: the bus limit
//   load_benchmark load FILE [CHUNK_MIB BUFFERS STREAMS]
//                                     ptser::Load(FILE, map_location cuda:0),
//                                     staged; checks three tensors' values
//
// Each mode prints one line: seconds, GB/s (1e9 bytes/s) and the process's
// peak RSS (getrusage), so each runs in its own process.
#include <cuda_runtime.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/load.h"
#include "archive/save.h"
#include "gpu/cuda_device.h"
#include "tensor/device_registry.h"
#include "tensor/factories.h"

namespace ptser {
namespace {

constexpr int64_t kTensorElements = int64_t{16} << 20;  // 64 MiB of float32

uint32_t Word(int64_t tensor, int64_t k) {
  return static_cast<uint32_t>(tensor) * 0x9E3779B1u ^ static_cast<uint32_t>(k);
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double PeakRssMiB() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "load_benchmark: %s\n", what.c_str());
  return 1;
}

int Write(const std::string& path, int64_t gib) {
  const int64_t count = gib * 16;  // 64 MiB each
  Value sd = Value::NewOrderedDict();
  for (int64_t i = 0; i < count; ++i) {
    absl::StatusOr<Tensor> t = Zeros({kTensorElements}, ScalarType::kFloat);
    if (!t.ok()) return Fail(t.status().ToString());
    auto* w = static_cast<uint32_t*>(t->mutable_data());
    for (int64_t k = 0; k < kTensorElements; ++k) w[k] = Word(i, k);
    absl::Status s = sd.dict().SetItem(Value::Str(absl::StrCat("layer", i, ".weight")),
                                       Value::FromTensor(*t));
    if (!s.ok()) return Fail(s.ToString());
  }
  auto start = std::chrono::steady_clock::now();
  absl::Status s = Save(sd, path);
  if (!s.ok()) return Fail(s.ToString());
  std::printf("write: %lld tensors, %lld GiB to %s in %.2f s\n", static_cast<long long>(count),
              static_cast<long long>(gib), path.c_str(), Seconds(start));
  return 0;
}

int Bus(int64_t gib) {
  const size_t n = static_cast<size_t>(gib) << 30;
  void* host = nullptr;
  void* dev = nullptr;
  if (cudaHostAlloc(&host, n, cudaHostAllocDefault) != cudaSuccess) return Fail("cudaHostAlloc");
  if (cudaMalloc(&dev, n) != cudaSuccess) return Fail("cudaMalloc");
  std::memset(host, 1, n);
  cudaMemcpy(dev, host, size_t{64} << 20, cudaMemcpyHostToDevice);  // warm up
  auto start = std::chrono::steady_clock::now();
  if (cudaMemcpy(dev, host, n, cudaMemcpyHostToDevice) != cudaSuccess) return Fail("cudaMemcpy");
  const double s = Seconds(start);
  std::printf("bus limit (cudaMemcpy from pinned memory): %.3f s, %.2f GB/s\n", s, n / s / 1e9);
  cudaFree(dev);
  cudaFreeHost(host);
  return 0;
}

int LoadToGpu(const std::string& path, int argc, char** argv) {
  absl::Status reg = gpu::RegisterCudaDevice();
  if (!reg.ok()) return Fail(reg.ToString());
  LoadOptions options;
  options.map_location = MapLocation::To("cuda:0");
  if (argc >= 6) {
    options.device_staging.chunk_bytes = static_cast<size_t>(std::atoll(argv[3])) << 20;
    options.device_staging.buffers = std::atoi(argv[4]);
    options.device_staging.streams = std::atoi(argv[5]);
  }
  // The CUDA context costs time and host memory of its own: made first.
  cudaFree(nullptr);
  const double rss_before = PeakRssMiB();
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Value> sd = Load(path, options);
  if (!sd.ok()) return Fail(sd.status().ToString());
  cudaDeviceSynchronize();
  const double s = Seconds(start);
  uint64_t bytes = 0;
  const int64_t count = static_cast<int64_t>(sd->dict().size());
  for (const auto& [key, value] : sd->dict().items()) {
    absl::StatusOr<Tensor> t = value.ToTensor();
    if (!t.ok()) return Fail(t.status().ToString());
    if (t->device() != Device("cuda", 0)) return Fail("a tensor is not on cuda:0");
    bytes += t->storage().nbytes();
  }
  // Check three tensors' values on the host.
  for (int64_t i : {int64_t{0}, count / 2, count - 1}) {
    absl::StatusOr<Tensor> t = sd->Get<Tensor>(absl::StrCat("layer", i, ".weight"));
    if (!t.ok()) return Fail(t.status().ToString());
    absl::StatusOr<Tensor> host = t->To(Device::Cpu());
    if (!host.ok()) return Fail(host.status().ToString());
    const auto* w = static_cast<const uint32_t*>(host->data());
    for (int64_t k = 0; k < kTensorElements; ++k) {
      if (w[k] != Word(i, k)) return Fail(absl::StrCat("layer", i, " differs at element ", k));
    }
  }
  std::printf(
      "ptser::Load(map_location='cuda:0'): %.3f s, %.2f GB/s, %lld tensors checked 3; host peak "
      "RSS %.0f MiB (%.0f MiB before the load: CUDA context)\n",
      s, bytes / s / 1e9, static_cast<long long>(count), PeakRssMiB(), rss_before);
  return 0;
}

}  // namespace
}  // namespace ptser

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write" && argc == 4) return ptser::Write(argv[2], std::atoll(argv[3]));
  if (mode == "bus" && argc == 3) return ptser::Bus(std::atoll(argv[2]));
  if (mode == "load" && (argc == 3 || argc == 6)) return ptser::LoadToGpu(argv[2], argc, argv);
  std::fprintf(stderr,
               "usage: load_benchmark write FILE GIB | bus GIB | load FILE [CHUNK_MIB BUFFERS "
               "STREAMS]\n");
  return 2;
}
