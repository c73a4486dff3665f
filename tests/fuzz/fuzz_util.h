// Copyright ptser authors.
//
// tests/fuzz/fuzz_util.h — what the loader fuzzers share: the LoadOptions they
// load with, and a ByteSource over a fuzz input that is not memory-backed
// (memory() is null), so loaders take the path they take for a file opened
// with ByteSource::OpenFile: positioned reads into fresh buffers instead of
// borrowed slices.
#ifndef PTSER_TESTS_FUZZ_FUZZ_UTIL_H_
#define PTSER_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "archive/byte_source.h"
#include "archive/load.h"

namespace ptser {
namespace fuzz {

// CRC checks off (so mutations reach the structures behind them), CUDA
// tags mapped to the CPU, and the unpickler's allocation bounded.
inline LoadOptions FuzzLoadOptions() {
  LoadOptions options;
  options.verify_crc32 = false;
  options.map_location = MapLocation::To(Device::Cpu());
  options.unpickler.max_total_bytes = 64 << 20;
  return options;
}

class StreamingSource : public ByteSource {
 public:
  explicit StreamingSource(std::string bytes)
      : ByteSource("fuzz-stream"), bytes_(std::move(bytes)) {}
  uint64_t size() const override { return bytes_.size(); }
  absl::Status ReadAt(uint64_t offset, size_t n, void* dst) const override {
    if (absl::Status s = CheckRange(offset, n); !s.ok()) return s;
    if (n != 0) std::memcpy(dst, bytes_.data() + offset, n);
    return absl::OkStatus();
  }

 private:
  std::string bytes_;
};

}  // namespace fuzz
}  // namespace ptser

#endif  // PTSER_TESTS_FUZZ_FUZZ_UTIL_H_
