// Copyright ptser authors.
#include "tests/crash/crash_test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ptser {
namespace crash {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("open '", path, "': ", strerror(errno)));
  }
  std::string data;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) data.reserve(st.st_size);
  char buffer[1 << 16];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return absl::UnavailableError(absl::StrCat("read '", path, "': ", strerror(err)));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return data;
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    return absl::NotFoundError(absl::StrCat("opendir '", dir, "': ", strerror(errno)));
  }
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::string> MakeTestDir(const std::string& tag) {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr && *base ? base : "/tmp",
                                     "/ptser-crash-", tag, "-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("mkdtemp '", pattern, "': ", strerror(errno)));
  }
  return std::string(buffer.data());
}

std::string TempPrefix(const std::string& base_name) {
  return absl::StrCat(".", base_name, ".ptser-tmp-");
}

absl::StatusOr<std::vector<std::string>> TempFiles(const std::string& dir,
                                                   const std::string& base_name) {
  auto names = ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<std::string> temps;
  for (const std::string& name : *names) {
    if (absl::StartsWith(name, TempPrefix(base_name))) temps.push_back(name);
  }
  return temps;
}

ino_t InodeOf(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* text = getenv(name);
  int64_t value;
  if (text == nullptr || !absl::SimpleAtoi(text, &value)) return fallback;
  return value;
}

}  // namespace crash
}  // namespace ptser
