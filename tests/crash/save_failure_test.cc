// Copyright ptser authors.
//
// tests/crash/save_failure_test.cc — saves that cannot succeed: a full disk
// and a destination that cannot be written.  Each must return an error
// status, leave the previous file exactly as it was (same bytes, same
// inode), and leave no `.<name>.ptser-tmp-*` file behind.
//
// The full disk is a file-size limit (RLIMIT_FSIZE) set in a forked child
// with SIGXFSZ ignored, so that write(2) fails with EFBIG past the limit —
// the same path through AtomicFileSink as ENOSPC, without root-only tricks
// (no tmpfs to mount).  The save runs in the forked child so that the limit
// never touches the test process; its status comes back through a pipe.
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "archive/load.h"
#include "archive/save.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_state.h"
#include "tests/crash/crash_test_util.h"

namespace ptser {
namespace crash {
namespace {

using ::testing::HasSubstr;

constexpr char kBaseName[] = "ckpt.pt";
constexpr int64_t kStateBytes = int64_t{2} << 20;

// What a forked child reported.
struct ChildResult {
  int wait_status = 0;
  bool reported = false;  // the child ran to the end of `fn`
  absl::Status status;    // what `fn` returned
};

// Runs `fn` in a forked child and returns its status.  The child only calls
// `fn`, writes the status to a pipe and _exits: no gtest macros there.
ChildResult RunInChild(const std::function<absl::Status()>& fn) {
  ChildResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.status = absl::InternalError(absl::StrCat("pipe2: ", strerror(errno)));
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    result.status = absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  if (pid == 0) {
    close(fds[0]);
    absl::Status status = fn();
    std::string report = absl::StrCat(static_cast<int>(status.code()), " ",
                                      status.message());
    size_t done = 0;
    while (done < report.size()) {
      ssize_t n = write(fds[1], report.data() + done, report.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(3);
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    report.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  while (waitpid(pid, &result.wait_status, 0) < 0 && errno == EINTR) {
  }
  size_t space = report.find(' ');
  if (WIFEXITED(result.wait_status) && WEXITSTATUS(result.wait_status) == 0 &&
      space != std::string::npos) {
    result.reported = true;
    result.status = absl::Status(
        static_cast<absl::StatusCode>(std::stoi(report.substr(0, space))),
        report.substr(space + 1));
  }
  return result;
}

// A folder with a known-good checkpoint at `dest_`.
class SaveFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(dir_, MakeTestDir("fail"));
    dest_ = absl::StrCat(dir_, "/", kBaseName);
    ASSERT_OK_AND_ASSIGN(Value old_state, MakeStateDict(1, kStateBytes / 2));
    ASSERT_OK(Save(old_state, dest_));
    ASSERT_OK_AND_ASSIGN(old_bytes_, ReadFile(dest_));
    old_inode_ = InodeOf(dest_);
    ASSERT_OK_AND_ASSIGN(new_state_, MakeStateDict(2, kStateBytes));
  }

  void TearDown() override { chmod(dir_.c_str(), 0755); }

  // The previous checkpoint is still there, untouched, and beside it only
  // `others`: no temporary file.
  void ExpectOldFileIntactAndNoTempFile(std::vector<std::string> others = {}) {
    ASSERT_OK_AND_ASSIGN(std::string now, ReadFile(dest_));
    EXPECT_TRUE(now == old_bytes_) << "the previous checkpoint changed: " << now.size()
                                   << " bytes, was " << old_bytes_.size();
    EXPECT_EQ(InodeOf(dest_), old_inode_) << "the previous checkpoint was replaced";
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, ListDir(dir_));
    others.push_back(kBaseName);
    EXPECT_THAT(names, ::testing::UnorderedElementsAreArray(others));
  }

  std::string dir_;
  std::string dest_;
  std::string old_bytes_;
  ino_t old_inode_ = 0;
  Value new_state_;
};

// ------------------------------------------------------------ full disk ---

class FullDiskTest : public SaveFailureTest,
                     public ::testing::WithParamInterface<SaveOptions::Format> {
 protected:
  SaveOptions Options() const {
    SaveOptions options;
    options.format = GetParam();
    return options;
  }

  // The bytes a complete save of new_state_ to dest_ writes.
  std::string ExpectedBytes() const {
    const bool zip = GetParam() == SaveOptions::Format::kZip;
    absl::StatusOr<std::string> bytes =
        SaveToString(new_state_, zip ? "ckpt" : "", Options());
    EXPECT_OK(bytes.status());
    return bytes.ok() ? *bytes : "";
  }

  // Saves new_state_ to dest_ in a child whose files may not grow past
  // `limit` bytes.  With `ignore_sigxfsz`, write(2) then fails with EFBIG;
  // without, the kernel kills the child with SIGXFSZ.
  ChildResult SaveUnderLimit(rlim_t limit, bool ignore_sigxfsz = true) {
    const SaveOptions options = Options();
    return RunInChild([&]() -> absl::Status {
      if (ignore_sigxfsz) signal(SIGXFSZ, SIG_IGN);
      struct rlimit rl = {limit, limit};
      if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
        return absl::InternalError(absl::StrCat("setrlimit: ", strerror(errno)));
      }
      return Save(new_state_, dest_, options);
    });
  }
};

TEST_P(FullDiskTest, WriteErrorsAreResourceExhaustedAndKeepTheOldFile) {
  const std::string expected = ExpectedBytes();
  ASSERT_GT(expected.size(), size_t{2} << 20);
  // 0: the very first write fails; 4096: a short write, then EFBIG;
  // 1 MiB: the first whole buffer fits, the next does not; size - 1: only
  // the last flush, inside Commit, fails.
  for (rlim_t limit : std::vector<rlim_t>{0, 1, 4096, rlim_t{1} << 20,
                                          expected.size() / 2, expected.size() - 1}) {
    SCOPED_TRACE(absl::StrCat("RLIMIT_FSIZE ", limit, " of ", expected.size()));
    ChildResult result = SaveUnderLimit(limit);
    ASSERT_TRUE(result.reported) << "child wait status " << result.wait_status;
    if (limit == 4096) std::cout << "RLIMIT_FSIZE 4096: " << result.status << std::endl;
    EXPECT_THAT(result.status, StatusIs(absl::StatusCode::kResourceExhausted,
                                        HasSubstr("File too large")));
    EXPECT_THAT(result.status, StatusIs(absl::StatusCode::kResourceExhausted,
                                        HasSubstr(TempPrefix(kBaseName))))
        << "the error should name the file being written";
    ExpectOldFileIntactAndNoTempFile();
  }
}

TEST_P(FullDiskTest, ALimitOfExactlyTheFileSizeIsEnough) {
  const std::string expected = ExpectedBytes();
  ChildResult result = SaveUnderLimit(expected.size());
  ASSERT_TRUE(result.reported) << "child wait status " << result.wait_status;
  ASSERT_OK(result.status);
  ASSERT_OK_AND_ASSIGN(std::string now, ReadFile(dest_));
  EXPECT_TRUE(now == expected);
  ASSERT_OK_AND_ASSIGN(Value loaded, Load(dest_));
  EXPECT_OK(CheckStateDict(loaded, 2, kStateBytes));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, ListDir(dir_));
  EXPECT_THAT(names, ::testing::ElementsAre(kBaseName));
}

// Without SIGXFSZ ignored the kernel kills the saver at the limit: a crash
// like SIGKILL, so a leftover temporary file is allowed, the old file is not
// touched.
TEST_P(FullDiskTest, KilledBySigxfszKeepsTheOldFile) {
  ChildResult result = SaveUnderLimit(rlim_t{1} << 20, /*ignore_sigxfsz=*/false);
  ASSERT_TRUE(WIFSIGNALED(result.wait_status) &&
              WTERMSIG(result.wait_status) == SIGXFSZ)
      << "wait status " << result.wait_status;
  ASSERT_OK_AND_ASSIGN(std::string now, ReadFile(dest_));
  EXPECT_TRUE(now == old_bytes_);
  EXPECT_EQ(InodeOf(dest_), old_inode_);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> temps, TempFiles(dir_, kBaseName));
  EXPECT_LE(temps.size(), 1u);
  for (const std::string& name : temps) {
    const std::string path = absl::StrCat(dir_, "/", name);
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 1 << 20) << "the leftover is the part written";
    unlink(path.c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FullDiskTest,
                         ::testing::Values(SaveOptions::Format::kZip,
                                           SaveOptions::Format::kLegacy),
                         [](const auto& info) {
                           return info.param == SaveOptions::Format::kZip ? "Zip"
                                                                          : "Legacy";
                         });

// ------------------------------------------------ unwritable destination ---

// Whether a new file can be made in `dir` (made and removed again).
bool CanCreateIn(const std::string& dir) {
  const std::string probe = absl::StrCat(dir, "/probe");
  int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  close(fd);
  unlink(probe.c_str());
  return true;
}

// Removes the capabilities that let root ignore file modes from this
// process's effective set (lowering it needs no privilege).
absl::Status DropFileModeCapabilities() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) {
    return absl::InternalError(absl::StrCat("capget: ", strerror(errno)));
  }
  for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER}) {
    data[cap / 32].effective &= ~(1u << (cap % 32));
  }
  if (syscall(SYS_capset, &header, data) != 0) {
    return absl::InternalError(absl::StrCat("capset: ", strerror(errno)));
  }
  return absl::OkStatus();
}

constexpr char kSkip[] = "SKIP: ";

// A folder made read-only (0555).  The tests run as root, and root's
// CAP_DAC_OVERRIDE ignores file modes: there the save runs in a forked child
// that first drops CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH/CAP_FOWNER from its
// effective set — still uid 0 and the folder's owner, so the 0555 bits apply
// to it as to any user.
TEST_F(SaveFailureTest, ReadOnlyFolderIsPermissionDenied) {
  ASSERT_EQ(chmod(dir_.c_str(), 0555), 0) << strerror(errno);
  absl::Status status;
  if (!CanCreateIn(dir_)) {
    std::cout << "read-only folder: file modes enforced, saving in-process" << std::endl;
    status = Save(new_state_, dest_);
  } else {
    std::cout << "read-only folder: file modes not enforced (root), saving in a child "
                 "without CAP_DAC_OVERRIDE" << std::endl;
    ChildResult result = RunInChild([&]() -> absl::Status {
      absl::Status dropped = DropFileModeCapabilities();
      if (!dropped.ok()) {
        return absl::AbortedError(absl::StrCat(kSkip, dropped.message()));
      }
      if (CanCreateIn(dir_)) {
        return absl::AbortedError(
            absl::StrCat(kSkip, "the folder is writable even without capabilities"));
      }
      return Save(new_state_, dest_);
    });
    ASSERT_TRUE(result.reported) << "child wait status " << result.wait_status;
    if (result.status.code() == absl::StatusCode::kAborted &&
        absl::StartsWith(result.status.message(), kSkip)) {
      GTEST_SKIP() << "cannot make a read-only folder here: " << result.status;
    }
    status = result.status;
  }
  std::cout << "read-only folder: " << status << std::endl;
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(dir_)));
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  ExpectOldFileIntactAndNoTempFile();
}

// Another unwritable destination that needs no permissions at all, so it
// holds for root too: the destination is a non-empty directory.  The
// temporary file is written in full, the rename onto the directory fails
// (EISDIR), and the temporary file must go.
TEST_F(SaveFailureTest, DestinationIsANonEmptyDirectory) {
  const std::string dest = absl::StrCat(dir_, "/folder.pt");
  ASSERT_EQ(mkdir(dest.c_str(), 0755), 0) << strerror(errno);
  const std::string inside = absl::StrCat(dest, "/inside.txt");
  {
    int fd = open(inside.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "keep", 4), 4);
    close(fd);
  }
  absl::Status status = Save(new_state_, dest);
  std::cout << "non-empty directory: " << status << std::endl;
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(dest));
  struct stat st;
  ASSERT_EQ(stat(dest.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_OK_AND_ASSIGN(std::string kept, ReadFile(inside));
  EXPECT_EQ(kept, "keep");
  ExpectOldFileIntactAndNoTempFile({"folder.pt"});
}

TEST_F(SaveFailureTest, DestinationIsAnEmptyDirectory) {
  const std::string dest = absl::StrCat(dir_, "/empty.pt");
  ASSERT_EQ(mkdir(dest.c_str(), 0755), 0) << strerror(errno);
  absl::Status status = Save(new_state_, dest);
  std::cout << "empty directory: " << status << std::endl;
  EXPECT_FALSE(status.ok());
  struct stat st;
  ASSERT_EQ(stat(dest.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> inside, ListDir(dest));
  EXPECT_TRUE(inside.empty());
  ExpectOldFileIntactAndNoTempFile({"empty.pt"});
}

// Under /proc nothing can be created, not even by root: an existing
// read-only file there (/proc/version) and a new name (/proc/self/x.pt).
TEST_F(SaveFailureTest, DestinationUnderProc) {
  ASSERT_OK_AND_ASSIGN(std::string version, ReadFile("/proc/version"));
  absl::Status status = Save(new_state_, "/proc/version");
  std::cout << "/proc/version: " << status << std::endl;
  EXPECT_FALSE(status.ok());
  ASSERT_OK_AND_ASSIGN(std::string version_after, ReadFile("/proc/version"));
  EXPECT_EQ(version_after, version);

  status = Save(new_state_, "/proc/self/ptser-crash.pt");
  std::cout << "/proc/self/ptser-crash.pt: " << status << std::endl;
  EXPECT_FALSE(status.ok());
  struct stat st;
  EXPECT_NE(stat("/proc/self/ptser-crash.pt", &st), 0);
}

TEST_F(SaveFailureTest, MissingFolderIsNotFound) {
  const std::string dest = absl::StrCat(dir_, "/no/such/folder/ckpt.pt");
  EXPECT_THAT(Save(new_state_, dest),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/no/such/folder")));
  ExpectOldFileIntactAndNoTempFile();
}

}  // namespace
}  // namespace crash
}  // namespace ptser
