// Copyright ptser authors.
//
// Unpickling a 100,000-entry state dict pickle: the data.pkl torch.save
// writes for an OrderedDict of 100,000 small tensors (made here with
// ptser::SaveToString, which writes what torch.save writes), with storages
// served by a persistent-load hook as ptser::Load does.
//
//   tools/bazel run //archive:data_pkl_benchmark
#include <string>

#include "archive/save.h"
#include "archive/torch_archive.h"
#include "benchmark/benchmark.h"
#include "pickle/tensor_codec.h"
#include "pickle/unpickler.h"
#include "tensor/factories.h"

namespace ptser {
namespace {

std::string StateDictPickle(int entries) {
  Value sd = Value::NewOrderedDict();
  for (int i = 0; i < entries; ++i) {
    Tensor t = *Zeros({4});
    (void)sd.dict().SetItem(Value::Str("layers." + std::to_string(i) + ".weight"),
                            Value::FromTensor(t));
  }
  std::string file = *SaveToString(sd, "bench");
  auto archive = *TorchArchive::Open(
      std::shared_ptr<const ByteSource>(ByteSource::FromString(file, "bench.pt")));
  return *archive->ReadRecordString("data.pkl");
}

// Storages served by a persistent-load hook, as ptser::Load serves them.
UnpicklerOptions HookedOptions(const Storage& storage) {
  UnpicklerOptions options;
  options.persistent_load = [storage](const Value& pid, size_t) -> absl::StatusOr<Value> {
    absl::StatusOr<StoragePersistentId> id = ParseStoragePersistentId(pid);
    if (!id.ok()) return id.status();
    return Value::FromStorage({storage, id->dtype, id->untyped});
  };
  return options;
}

void BM_UnpickleStateDict(benchmark::State& state) {
  const std::string pickle = StateDictPickle(static_cast<int>(state.range(0)));
  const UnpicklerOptions options = HookedOptions(*Storage::Allocate(16));
  for (auto _ : state) {
    absl::StatusOr<Value> v = Unpickle(pickle, options);
    if (!v.ok()) state.SkipWithError(std::string(v.status().message()).c_str());
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(pickle.size()));
  state.counters["entries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_UnpickleStateDict)->Arg(100000)->Unit(benchmark::kMillisecond);

// The same, with dropping the result (freeing 100,000 tensors and their
// containers) kept out of the timing.
void BM_UnpickleStateDictNoFree(benchmark::State& state) {
  const std::string pickle = StateDictPickle(static_cast<int>(state.range(0)));
  const UnpicklerOptions options = HookedOptions(*Storage::Allocate(16));
  for (auto _ : state) {
    absl::StatusOr<Value> v = Unpickle(pickle, options);
    if (!v.ok()) state.SkipWithError(std::string(v.status().message()).c_str());
    state.PauseTiming();
    v = Value();
    state.ResumeTiming();
  }
  state.counters["entries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_UnpickleStateDictNoFree)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ptser
