// Copyright ptser authors.
//
// Load and save throughput (Google Benchmark).  The side-by-side comparison
// with torch.load/torch.save is benchmarks/compare_torch.py; figures are in
// docs/performance.md.
//
//   tools/bazel run //archive:load_save_benchmark -- --benchmark_min_time=1
#include <unistd.h>

#include <cstdio>
#include <string>

#include "archive/load.h"
#include "archive/save.h"
#include "benchmark/benchmark.h"
#include "tensor/factories.h"

namespace ptser {
namespace {

// An OrderedDict of `n` float32 tensors of `elements` each.
Value StateDict(int n, int64_t elements) {
  Value sd = Value::NewOrderedDict();
  for (int i = 0; i < n; ++i) {
    Tensor t = *Rand({elements}, static_cast<uint64_t>(i));
    (void)sd.dict().SetItem(Value::Str("layer" + std::to_string(i) + ".weight"),
                            Value::FromTensor(t));
  }
  return sd;
}

std::string TempPath(const std::string& name) {
  const char* tmp = getenv("TMPDIR");
  return std::string(tmp != nullptr ? tmp : "/tmp") + "/ptser_bench_" +
         std::to_string(getpid()) + "_" + name + ".pt";
}

void BM_LoadFile(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int64_t elements = state.range(1);
  const bool mmap = state.range(2) != 0;
  std::string path = TempPath("load");
  SaveOptions fast;
  fast.durable = false;
  if (!Save(StateDict(n, elements), path, fast).ok()) state.SkipWithError("save failed");
  LoadOptions options;
  options.mmap = mmap;
  for (auto _ : state) {
    absl::StatusOr<Value> v = Load(path, options);
    if (!v.ok()) state.SkipWithError(std::string(v.status().message()).c_str());
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * n * elements * 4);
  std::remove(path.c_str());
}
// ~256 MiB in 64 tensors; 100,000 small tensors; each copying and mapped.
BENCHMARK(BM_LoadFile)->Args({64, 1 << 20, 0})->Args({64, 1 << 20, 1})
    ->Args({100000, 16, 0})->Args({100000, 16, 1})->Unit(benchmark::kMillisecond);

void BM_SaveFile(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int64_t elements = state.range(1);
  Value sd = StateDict(n, elements);
  std::string path = TempPath("save");
  SaveOptions options;
  options.durable = false;
  for (auto _ : state) {
    absl::Status s = Save(sd, path, options);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
  state.SetBytesProcessed(state.iterations() * n * elements * 4);
  std::remove(path.c_str());
}
BENCHMARK(BM_SaveFile)->Args({64, 1 << 20})->Args({100000, 16})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ptser
