// Copyright ptser authors.
//
// tools/bench/script_bench — the ptser half of tools/bench/script_side_by_side.py:
// TorchScript load time and forward latency (issue 15).
//
//   script_bench ARCHIVE INPUT.pt [--iters N] [--loads L] [--warmup W]
//                [--threads T] [--output OUT.pt]
//
// Loads ARCHIVE L times (default N) with ptser::jit::Load (each a complete load: the
// file read, the code parsed and compiled, the interpreter attached), then
// reads INPUT.pt (torch.save of a tuple of inputs; a lone value is one
// input) and calls forward: one first call, W - 1 more warm-up calls, then N
// timed calls, each timed alone.  --output saves the forward result with
// ptser::Save (torch.load reads it), for the script's allclose check.
//
// --threads T pins the process to T of the CPUs it may use
// (sched_setaffinity): ptser's kernels take their thread count from the
// machine (tensor/ops/internal/gemm.cc uses hardware_concurrency(), which
// pinning does not change), so pinning is how both contenders get the same
// number of cores.  The JSON reports both numbers.
//
// Prints one JSON line:
//   {"what": "ptser", "load_ms": [...], "first_call_ms": 0.02,
//    "forward_ms": [...], "cpus": 1, "hardware_concurrency": 2}
// Times are wall clock (steady_clock) in milliseconds.
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "archive/load.h"
#include "archive/save.h"
#include "jit/load.h"
#include "pickle/value.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "script_bench: %s\n", why.c_str());
  std::exit(1);
}

// The value after `flag`, or null when the flag is absent.
const char* FlagValue(int argc, char** argv, const char* flag) {
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) {
      if (i + 1 >= argc) Die(std::string(flag) + " needs a value");
      return argv[i + 1];
    }
  }
  return nullptr;
}

int IntFlag(int argc, char** argv, const char* flag, int fallback) {
  const char* v = FlagValue(argc, argv, flag);
  if (v == nullptr) return fallback;
  int n = std::atoi(v);
  if (n <= 0) Die(std::string(flag) + " must be a positive integer, got '" + v + "'");
  return n;
}

// Keeps the first `threads` CPUs of the process's affinity mask; returns
// how many CPUs the process may use afterwards.
int PinToCpus(int threads) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) Die("sched_getaffinity failed");
  if (threads > 0) {
    cpu_set_t keep;
    CPU_ZERO(&keep);
    int kept = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && kept < threads; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) {
        CPU_SET(cpu, &keep);
        ++kept;
      }
    }
    if (kept < threads) {
      Die("--threads " + std::to_string(threads) + ": only " + std::to_string(kept) +
          " CPUs are available");
    }
    if (sched_setaffinity(0, sizeof(keep), &keep) != 0) Die("sched_setaffinity failed");
    allowed = keep;
  }
  return CPU_COUNT(&allowed);
}

void PrintList(const char* name, const std::vector<double>& ms) {
  std::printf("\"%s\": [", name);
  for (size_t i = 0; i < ms.size(); ++i) std::printf("%s%.6f", i ? ", " : "", ms[i]);
  std::printf("]");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: script_bench ARCHIVE INPUT.pt [--iters N] [--loads L] [--warmup W] "
                 "[--threads T] [--output OUT.pt]\n");
    return 2;
  }
  const std::string archive = argv[1];
  const int iters = IntFlag(argc, argv, "--iters", 20);
  const int loads = IntFlag(argc, argv, "--loads", iters);
  const int warmup = IntFlag(argc, argv, "--warmup", 20);
  const int cpus = PinToCpus(IntFlag(argc, argv, "--threads", 0));
  const char* output = FlagValue(argc, argv, "--output");

  std::vector<double> load_ms;
  std::shared_ptr<ptser::jit::ScriptModule> module;
  for (int i = 0; i < loads; ++i) {
    module.reset();  // the previous module's teardown is not part of a load
    auto t0 = Clock::now();
    absl::StatusOr<std::shared_ptr<ptser::jit::ScriptModule>> m = ptser::jit::Load(archive);
    auto t1 = Clock::now();
    if (!m.ok()) Die("loading " + archive + ": " + std::string(m.status().ToString()));
    module = *std::move(m);
    load_ms.push_back(Ms(t0, t1));
  }

  absl::StatusOr<ptser::Value> input = ptser::Load(argv[2]);
  if (!input.ok()) Die(std::string("reading ") + argv[2] + ": " + input.status().ToString());
  std::vector<ptser::Value> args;
  if (input->is_tuple()) {
    for (const ptser::Value& v : input->tuple().items()) args.push_back(v);
  } else {
    args.push_back(*input);
  }

  // Each call gets its own copy of the argument vector (Forward takes it by
  // value, as module.forward(inputs) does); the copy is made outside the
  // timed region.
  auto call = [&](double* ms) {
    std::vector<ptser::Value> a = args;
    auto t0 = Clock::now();
    absl::StatusOr<ptser::Value> out = module->Forward(std::move(a));
    auto t1 = Clock::now();
    if (!out.ok()) Die("forward: " + out.status().ToString());
    if (ms != nullptr) *ms = Ms(t0, t1);
    return *std::move(out);
  };
  double first_call_ms = 0;
  ptser::Value result = call(&first_call_ms);
  for (int i = 1; i < warmup; ++i) call(nullptr);
  std::vector<double> forward_ms(iters);
  for (int i = 0; i < iters; ++i) call(&forward_ms[i]);

  if (output != nullptr) {
    absl::Status s = ptser::Save(result, output);
    if (!s.ok()) Die(std::string("saving the output to ") + output + ": " + s.ToString());
  }

  std::printf("{\"what\": \"ptser\", ");
  PrintList("load_ms", load_ms);
  std::printf(", \"first_call_ms\": %.6f, ", first_call_ms);
  PrintList("forward_ms", forward_ms);
  std::printf(", \"cpus\": %d, \"hardware_concurrency\": %u}\n", cpus,
              std::thread::hardware_concurrency());
  return 0;
}
