// Copyright ptser authors.
//
// Forward passes and load_state_dict of jit/models and a small MLP (Google
// Benchmark).  tools/bench/modules_side_by_side.py runs PyTorch on the same
// work in the same run; docs/performance.md has the figures.
//
//   tools/bazel run //jit/models:models_benchmark
#include <memory>

#include "benchmark/benchmark.h"
#include "jit/models/torchvision.h"
#include "jit/nn/basic.h"
#include "jit/nn/containers.h"
#include "jit/nn/linear.h"
#include "tensor/factories.h"

namespace ptser {
namespace {

void Forward(benchmark::State& state, std::shared_ptr<Module> model, Tensor x) {
  model->Eval();
  for (auto _ : state) {
    absl::StatusOr<Tensor> y = model->Forward(x);
    if (!y.ok()) state.SkipWithError(std::string(y.status().message()).c_str());
    benchmark::DoNotOptimize(y);
  }
}

void BM_ResNet18Forward(benchmark::State& state) {
  Forward(state, *models::ResNet18(), *Randn({1, 3, 224, 224}, 0));
}
BENCHMARK(BM_ResNet18Forward)->Unit(benchmark::kMillisecond);

void BM_MobileNetV2Forward(benchmark::State& state) {
  Forward(state, *models::MobileNetV2(), *Randn({1, 3, 224, 224}, 0));
}
BENCHMARK(BM_MobileNetV2Forward)->Unit(benchmark::kMillisecond);

// The note's size: a per-call overhead measure.
void BM_SmallMlpForward(benchmark::State& state) {
  auto l0 = *nn::Linear::Make(4, 2);
  auto l1 = *nn::Linear::Make(2, 1);
  auto seq = *nn::Sequential::Make({l0, std::make_shared<nn::ReLU>(), l1});
  Forward(state, seq, *Randn({1, 4}, 0));
}
BENCHMARK(BM_SmallMlpForward)->Unit(benchmark::kMicrosecond);

void BM_ResNet18LoadStateDict(benchmark::State& state) {
  auto source = *models::ResNet18();
  Value sd = source->StateDict();
  auto target = *models::ResNet18();
  for (auto _ : state) {
    auto keys = target->LoadStateDict(sd);
    if (!keys.ok()) state.SkipWithError(std::string(keys.status().message()).c_str());
  }
  int64_t bytes = 0;
  for (const auto& item : sd.dict().items()) {
    bytes += item.value.tensor().numel() * static_cast<int64_t>(item.value.tensor().itemsize());
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_ResNet18LoadStateDict)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ptser
