// Copyright ptser authors.
//
// tools/bench/libtorch_load — libtorch 1.13's C++ load of a torch.save zip
// file, the peer tools/bench/side_by_side.py compares ptser with.  Built by
// that script against Debian's libtorch-dev (never by Bazel):
//
//   libtorch_load FILE RUNS
//
// The path libtorch offers C++ for these files: PyTorchStreamReader plus
// torch::jit::readArchiveAndTensors with a DeserializationStorageContext (so
// tensors that share a storage share it, as with torch.load).  It cannot
// read collections.OrderedDict, so the script saves plain dicts.  Prints
// {"what": "libtorch_load", "ms": [...], "max_rss_kb": N}.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/storage_context.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: libtorch_load FILE RUNS\n");
    return 2;
  }
  std::vector<double> ms;
  for (int r = 0, n = std::atoi(argv[2]); r < n; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    caffe2::serialize::PyTorchStreamReader reader(argv[1]);
    auto context = std::make_shared<torch::jit::DeserializationStorageContext>();
    c10::IValue v = torch::jit::readArchiveAndTensors(
        "data", /*pickle_prefix=*/"", /*tensor_prefix=*/"data/", c10::nullopt, c10::nullopt,
        c10::nullopt, reader, torch::jit::Unpickler::defaultTypeParser, context);
    auto t1 = std::chrono::steady_clock::now();
    if (!v.isGenericDict()) {
      std::fprintf(stderr, "libtorch_load: expected a dict\n");
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("{\"what\": \"libtorch_load\", \"ms\": [");
  for (size_t i = 0; i < ms.size(); ++i) std::printf("%s%.3f", i ? ", " : "", ms[i]);
  std::printf("], \"max_rss_kb\": %ld}\n", u.ru_maxrss);
  return 0;
}
