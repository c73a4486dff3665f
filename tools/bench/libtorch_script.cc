// Copyright ptser authors.
//
// tools/bench/libtorch_script — libtorch 1.13's TorchScript load and forward,
// the peer tools/bench/script_side_by_side.py compares tools/bench/
// script_bench with.  Built by that script against Debian's libtorch-dev
// (never by Bazel):
//
//   libtorch_script ARCHIVE INPUT.pt [--iters N] [--loads L] [--warmup W]
//                   [--threads T] [--no-grad] [--output OUT.pt]
//
// Does what script_bench does, the libtorch way: torch::jit::load(ARCHIVE) L
// times (default N), then INPUT.pt (torch.save of a tuple of inputs) read with
// torch::pickle_load, one first call of module.forward, W - 1 more warm-up
// calls, N timed calls.  The executor is libtorch's default (the profiling
// executor: the first calls run profiled graphs, and the optimized graph is
// built on a later call), so first_call_ms includes that work and W must be
// large enough for the steady state (the script uses 20).  The call is a
// plain module.forward(inputs), grad mode on, as a C++ user writes it;
// --no-grad runs it under torch::NoGradGuard instead (no autograd records).
//
// --threads T: at::set_num_threads(T), and the process pinned to T of its
// CPUs (as script_bench pins itself).  --output writes the result with
// torch::pickle_save (torch.load reads it).
//
// Prints one JSON line, as script_bench does, with "what": "libtorch" or
// "libtorch_no_grad" and the executor settings.
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>
#include <torch/serialize.h>

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "libtorch_script: %s\n", why.c_str());
  std::exit(1);
}

const char* FlagValue(int argc, char** argv, const char* flag) {
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) {
      if (i + 1 >= argc) Die(std::string(flag) + " needs a value");
      return argv[i + 1];
    }
  }
  return nullptr;
}

bool HasFlag(int argc, char** argv, const char* flag) {
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) return true;
  }
  return false;
}

int IntFlag(int argc, char** argv, const char* flag, int fallback) {
  const char* v = FlagValue(argc, argv, flag);
  if (v == nullptr) return fallback;
  int n = std::atoi(v);
  if (n <= 0) Die(std::string(flag) + " must be a positive integer, got '" + v + "'");
  return n;
}

// As script_bench's PinToCpus: keeps the first `threads` allowed CPUs.
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
    if (kept < threads) Die("only " + std::to_string(kept) + " CPUs are available");
    if (sched_setaffinity(0, sizeof(keep), &keep) != 0) Die("sched_setaffinity failed");
    allowed = keep;
  }
  return CPU_COUNT(&allowed);
}

std::vector<char> ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(std::string("cannot open ") + path);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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
                 "usage: libtorch_script ARCHIVE INPUT.pt [--iters N] [--loads L] [--warmup W] "
                 "[--threads T] [--no-grad] [--output OUT.pt]\n");
    return 2;
  }
  const int iters = IntFlag(argc, argv, "--iters", 20);
  const int loads = IntFlag(argc, argv, "--loads", iters);
  const int warmup = IntFlag(argc, argv, "--warmup", 20);
  const int threads = IntFlag(argc, argv, "--threads", 0);
  const int cpus = PinToCpus(threads);
  if (threads > 0) at::set_num_threads(threads);
  const bool no_grad = HasFlag(argc, argv, "--no-grad");
  const char* output = FlagValue(argc, argv, "--output");

  try {
    std::vector<double> load_ms;
    torch::jit::Module module;
    for (int i = 0; i < loads; ++i) {
      module = torch::jit::Module();
      auto t0 = Clock::now();
      torch::jit::Module m = torch::jit::load(argv[1]);
      auto t1 = Clock::now();
      module = std::move(m);
      load_ms.push_back(Ms(t0, t1));
    }

    c10::IValue input = torch::pickle_load(ReadFile(argv[2]));
    std::vector<c10::IValue> args;
    if (input.isTuple()) {
      for (const c10::IValue& v : input.toTupleRef().elements()) args.push_back(v);
    } else {
      args.push_back(input);
    }

    auto call = [&](double* ms) {
      std::vector<c10::IValue> a = args;
      c10::optional<torch::NoGradGuard> guard;
      if (no_grad) guard.emplace();
      auto t0 = Clock::now();
      c10::IValue out = module.forward(std::move(a));
      auto t1 = Clock::now();
      if (ms != nullptr) *ms = Ms(t0, t1);
      return out;
    };
    double first_call_ms = 0;
    c10::IValue result = call(&first_call_ms);
    for (int i = 1; i < warmup; ++i) call(nullptr);
    std::vector<double> forward_ms(iters);
    for (int i = 0; i < iters; ++i) call(&forward_ms[i]);

    if (output != nullptr) {
      if (result.isTensor()) result = result.toTensor().detach();
      std::vector<char> bytes = torch::pickle_save(result);
      std::ofstream out(output, std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) Die(std::string("cannot write ") + output);
    }

    std::printf("{\"what\": \"%s\", ", no_grad ? "libtorch_no_grad" : "libtorch");
    PrintList("load_ms", load_ms);
    std::printf(", \"first_call_ms\": %.6f, ", first_call_ms);
    PrintList("forward_ms", forward_ms);
    std::printf(
        ", \"cpus\": %d, \"intra_op_threads\": %d, \"executor_mode\": %s, "
        "\"profiling_mode\": %s, \"num_profiled_runs\": %zu}\n",
        cpus, at::get_num_threads(), torch::jit::getExecutorMode() ? "true" : "false",
        torch::jit::getProfilingMode() ? "true" : "false",
        static_cast<size_t>(torch::jit::getNumProfiledRuns()));
  } catch (const std::exception& e) {
    Die(e.what());
  }
  return 0;
}
