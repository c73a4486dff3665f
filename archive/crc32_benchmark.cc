// Copyright ptser authors.
//
// CRC-32 throughput of the linked backend (ISA-L by default, zlib in the
// release build) next to zlib's crc32() on the same buffer:
//
//   tools/bazel run -c opt //archive:crc32_benchmark
//   tools/bazel run -c opt --define=ptser_isal=off //archive:crc32_benchmark
#include <zlib.h>

#include <cstdint>
#include <random>
#include <vector>

#include "archive/crc32.h"
#include "benchmark/benchmark.h"

namespace ptser {
namespace {

std::vector<unsigned char> Buffer(size_t n) {
  std::vector<unsigned char> buf(n);
  std::mt19937 rng(1);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  return buf;
}

void BM_Crc32Ptser(benchmark::State& state) {
  auto buf = Buffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Crc32(0, buf.data(), buf.size()));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
  state.SetLabel(std::string(Crc32BackendName()));
}
BENCHMARK(BM_Crc32Ptser)->Arg(64)->Arg(256)->Arg(1 << 10)->Arg(4 << 10)->Arg(16 << 10)->Arg(1 << 20)->Arg(64 << 20);

void BM_Crc32Zlib(benchmark::State& state) {
  auto buf = Buffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(crc32(0, buf.data(), static_cast<uInt>(buf.size())));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_Crc32Zlib)->Arg(64)->Arg(256)->Arg(1 << 10)->Arg(4 << 10)->Arg(16 << 10)->Arg(1 << 20)->Arg(64 << 20);

}  // namespace
}  // namespace ptser
