// Copyright ptser authors.
//
// The cost of calling an operator by name: resolving an overload (two
// passes over aten::add's 20 overloads for `add(int, int)`), binding on a
// cached overload (what the interpreter does on every call after the
// first), and the call itself.
//
//   tools/bazel run -c opt //jit/ops:registry_benchmark

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "jit/ops/default_registry.h"
#include "jit/ops/registry.h"
#include "tensor/factories.h"

namespace ptser {
namespace jit {
namespace {

void BM_ResolveAddInt(benchmark::State& state) {
  const OperatorRegistry& r = DefaultOperators();
  const std::vector<Value> positional = {Value::Int(3), Value::Int(4)};
  std::vector<Value> args;
  for (auto _ : state) {
    absl::StatusOr<const Operator*> op = r.Resolve("aten::add", positional, {}, {}, &args);
    benchmark::DoNotOptimize(op);
  }
}
BENCHMARK(BM_ResolveAddInt);

void BM_ResolveAddTensorKeyword(benchmark::State& state) {
  const OperatorRegistry& r = DefaultOperators();
  Value t = Value::FromTensor(*Zeros({4}));
  const std::vector<Value> positional = {t, t};
  const std::vector<std::string> names = {"alpha"};
  const std::vector<Value> values = {Value::Int(2)};
  std::vector<Value> args;
  for (auto _ : state) {
    absl::StatusOr<const Operator*> op = r.Resolve("aten::add", positional, names, values, &args);
    benchmark::DoNotOptimize(op);
  }
}
BENCHMARK(BM_ResolveAddTensorKeyword);

void BM_BindCachedAndCall(benchmark::State& state) {
  const Operator* op = DefaultOperators().Find("aten::add.int");
  const std::vector<Value> positional = {Value::Int(3), Value::Int(4)};
  std::vector<Value> args;
  OpContext ctx;
  for (auto _ : state) {
    absl::Status s = OperatorRegistry::Bind(*op, positional, {}, {}, false, &args);
    absl::StatusOr<Value> v = op->fn(ctx, absl::MakeSpan(args));
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_BindCachedAndCall);

void BM_BindCachedWithDefaults(benchmark::State& state) {
  const Operator* op = DefaultOperators().Find("aten::to.dtype");
  Value t = Value::FromTensor(*Zeros({4}));
  const std::vector<Value> positional = {t, Value::Int(6)};
  std::vector<Value> args;
  for (auto _ : state) {
    absl::Status s = OperatorRegistry::Bind(*op, positional, {}, {}, false, &args);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_BindCachedWithDefaults);

}  // namespace
}  // namespace jit
}  // namespace ptser
