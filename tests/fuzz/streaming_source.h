// Copyright ptser authors.
//
// tests/fuzz/streaming_source.h — a ByteSource over a fuzz input that is not
// memory-backed (memory() is null), so loaders take the path they take for a
// file opened with ByteSource::OpenFile: positioned reads into fresh buffers
// instead of borrowed slices.
#ifndef PTSER_TESTS_FUZZ_STREAMING_SOURCE_H_
#define PTSER_TESTS_FUZZ_STREAMING_SOURCE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "archive/byte_source.h"

namespace ptser {
namespace fuzz {

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

#endif  // PTSER_TESTS_FUZZ_STREAMING_SOURCE_H_
