// Copyright ptser authors.
//
// archive/test_util.h — helpers for archive/ tests (testonly).
#ifndef PTSER_ARCHIVE_TEST_UTIL_H_
#define PTSER_ARCHIVE_TEST_UTIL_H_

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "archive/byte_source.h"

namespace ptser {
namespace archive_test {

// The bytes of archive/testdata/<name> (empty when missing).
inline std::string ReadFixture(const std::string& name) {
  std::ifstream in("archive/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A memory-backed source over a copy of `bytes`.
inline std::shared_ptr<const ByteSource> MemorySource(const std::string& bytes,
                                                      const std::string& name = "test.pt") {
  return std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, name));
}

}  // namespace archive_test
}  // namespace ptser

#endif  // PTSER_ARCHIVE_TEST_UTIL_H_
