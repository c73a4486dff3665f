// Copyright ptser authors.
//
// tests/crash/crash_test_util.h — file helpers of the crash-safety tests.
#ifndef PTSER_TESTS_CRASH_CRASH_TEST_UTIL_H_
#define PTSER_TESTS_CRASH_CRASH_TEST_UTIL_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ptser {
namespace crash {

// The whole content of a file.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// The names in a folder, "." and ".." left out, sorted.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir);

// A new empty folder under $TEST_TMPDIR (else /tmp), named after `tag`.
absl::StatusOr<std::string> MakeTestDir(const std::string& tag);

// The prefix of the temporary files AtomicFileSink makes for a destination
// named `base_name`: ".<base_name>.ptser-tmp-".
std::string TempPrefix(const std::string& base_name);

// The names in `dir` that are temporary files of `base_name`.
absl::StatusOr<std::vector<std::string>> TempFiles(const std::string& dir,
                                                   const std::string& base_name);

// The inode of `path` (0 when it cannot be stat'ed).
ino_t InodeOf(const std::string& path);

// An integer from the environment, or `fallback` when unset or unparsable.
int64_t EnvInt(const char* name, int64_t fallback);

}  // namespace crash
}  // namespace ptser

#endif  // PTSER_TESTS_CRASH_CRASH_TEST_UTIL_H_
