// Copyright ptser authors.
//
// tests/crash/kill_during_save_test.cc — SIGKILL a process in the middle of
// ptser::Save, many times, and check that the destination is always either
// the checkpoint that was there before or a complete new one.
//
// The victim is `save_child` (a separate binary found through the runfiles):
// it builds a state dict from a seed, tells us it is about to save (one byte
// on a pipe), and saves it over the checkpoint.  We kill it after a random
// delay between 0 and the measured duration of a whole save, then check:
//  - the destination exists and holds exactly the bytes it held before the
//    child started, or exactly the file the child's seed implies (loaded with
//    ptser::Load, every tensor compared, and the bytes compared with
//    SaveToString of the same state dict);
//  - while the child ran, the destination never went missing (polled);
//  - the folder holds nothing but the destination and `.<name>.ptser-tmp-*`
//    files; those are allowed after a SIGKILL (nobody is left to remove
//    them), counted, and removed by the test.  After a child that finished
//    on its own there must be none.
//
// Environment (bazel test --test_env=...):
//   PTSER_CRASH_KILLS  kills to deliver (default 200; the `heavy` target 2000)
//   PTSER_CRASH_BYTES  tensor bytes per state dict (default 24 MiB)
//   PTSER_CRASH_SEED   seed of the delays (default: from the clock, printed)
// The figures (kills, old/new survivors, leftover temp files) are printed and
// recorded as test properties (test.xml).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/load.h"
#include "archive/save.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_state.h"
#include "tests/crash/crash_test_util.h"

namespace ptser {
namespace crash {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kBaseName[] = "ckpt.pt";
constexpr char kArchiveName[] = "ckpt";  // what Save names the zip's folder

std::string ChildBinary() {
  if (const char* path = getenv("PTSER_SAVE_CHILD")) return path;
  const char* srcdir = getenv("TEST_SRCDIR");
  const char* workspace = getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "ptser",
                      "/tests/crash/save_child");
}

int64_t MicrosBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
}

void SleepMicros(int64_t us) {
  if (us <= 0) return;
  struct timespec ts;
  ts.tv_sec = us / 1000000;
  ts.tv_nsec = (us % 1000000) * 1000;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

std::string DescribeWait(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

// A running save_child.
struct Child {
  pid_t pid = -1;
  int ready_fd = -1;  // read end: one byte when the save starts, EOF at exit
};

// Starts save_child with `args`; its fd 3 is the write end of the ready pipe.
absl::StatusOr<Child> Spawn(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::UnavailableError(absl::StrCat("pipe2: ", strerror(errno)));
  }
  // Everything the child needs is prepared before fork().
  std::string binary = ChildBinary();
  std::vector<std::string> all = {binary, "--ready_fd=3"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : all) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::UnavailableError(absl::StrCat("fork: ", strerror(err)));
  }
  if (pid == 0) {
    if (fds[1] == 3) {
      if (fcntl(3, F_SETFD, 0) != 0) _exit(126);
    } else if (dup2(fds[1], 3) != 3) {  // dup2 clears FD_CLOEXEC on fd 3
      _exit(126);
    }
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

// Waits (up to two minutes) for the child's ready byte.  False on EOF: the
// child ended before it started saving.
absl::StatusOr<bool> WaitReady(const Child& child) {
  struct pollfd p = {child.ready_fd, POLLIN, 0};
  int rc;
  while ((rc = poll(&p, 1, 120000)) < 0 && errno == EINTR) {
  }
  if (rc == 0) return absl::DeadlineExceededError("save_child never became ready");
  char byte;
  ssize_t n;
  while ((n = read(child.ready_fd, &byte, 1)) < 0 && errno == EINTR) {
  }
  return n == 1;
}

int WaitExit(Child& child) {
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(child.ready_fd);
  child.ready_fd = -1;
  return status;
}

struct Figures {
  int64_t runs = 0;
  int64_t kills = 0;                // children that died of our SIGKILL
  int64_t completed = 0;            // children that finished before the kill
  int64_t old_survived = 0;         // after a kill: the previous file
  int64_t new_survived = 0;         // after a kill: the child's complete file
  int64_t temps_after_kill = 0;     // leftover .ptser-tmp- files
  int64_t empty_temps = 0;          //   of which empty
  int64_t max_temp_bytes = 0;
  int64_t destination_polls = 0;    // stat()s of the destination during saves
  int64_t save_us = 0;              // measured duration of one save
};

class KillDuringSaveTest : public ::testing::Test {
 protected:
  enum class Outcome { kOld, kNew };

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(dir_, MakeTestDir("kill"));
    dest_ = absl::StrCat(dir_, "/", kBaseName);
    bytes_ = EnvInt("PTSER_CRASH_BYTES", kDefaultStateBytes);
    struct stat st;
    ASSERT_EQ(stat(ChildBinary().c_str(), &st), 0)
        << "save_child not found at " << ChildBinary()
        << " (set PTSER_SAVE_CHILD when running outside bazel)";
  }

  // Writes the known-good checkpoint (seed 1) from this process; returns
  // its bytes.
  absl::StatusOr<std::string> WriteFirstCheckpoint() {
    absl::StatusOr<Value> first = MakeStateDict(1, bytes_);
    if (!first.ok()) return first.status();
    absl::Status saved = Save(*first, dest_);
    if (!saved.ok()) return saved;
    absl::StatusOr<std::string> bytes = ReadFile(dest_);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<std::string> expected = SaveToString(*first, kArchiveName);
    if (!expected.ok()) return expected.status();
    if (*bytes != *expected) return absl::InternalError("Save != SaveToString");
    current_inode_ = InodeOf(dest_);
    return bytes;
  }

  // What the destination holds after child `seed` ended: the previous file
  // (`current`, and the same inode as before: never rewritten; kOld), or the
  // complete file of `seed` (kNew; `current` then becomes it) — or an error
  // saying why it is neither.
  absl::StatusOr<Outcome> Classify(uint64_t seed, std::string& current) {
    const ino_t inode = InodeOf(dest_);
    absl::StatusOr<std::string> now = ReadFile(dest_);
    if (!now.ok()) return now.status();
    if (*now == current) {
      if (inode != current_inode_) {
        return absl::DataLossError(absl::StrCat(
            "seed ", seed, ": the previous bytes are back under another inode"));
      }
      return Outcome::kOld;
    }
    // Not the old file: it must be the child's whole file.
    const std::string what = absl::StrCat(
        "seed ", seed, ": the destination (", now->size(),
        " bytes) is not the previous checkpoint (", current.size(), " bytes), and ");
    absl::StatusOr<Value> loaded = Load(dest_);
    if (!loaded.ok()) {
      return absl::DataLossError(
          absl::StrCat(what, "does not load: ", loaded.status().ToString()));
    }
    absl::StatusOr<uint64_t> saved_seed = SeedOf(*loaded);
    if (!saved_seed.ok() || *saved_seed != seed) {
      return absl::DataLossError(absl::StrCat(what, "is not the save of seed ", seed));
    }
    absl::StatusOr<Value> state = MakeStateDict(seed, bytes_);
    if (!state.ok()) return state.status();
    absl::Status same = CheckStateDict(*loaded, *state);
    if (!same.ok()) {
      return absl::DataLossError(absl::StrCat(what, same.message()));
    }
    // Every tensor is right; the bytes must be too (what Save writes).
    absl::StatusOr<std::string> expected = SaveToString(*state, kArchiveName);
    if (!expected.ok()) return expected.status();
    if (*now != *expected) {
      return absl::DataLossError(absl::StrCat(
          what, "loads right, but its bytes differ from the ", expected->size(),
          " bytes Save writes"));
    }
    current = *std::move(now);
    current_inode_ = inode;
    return Outcome::kNew;
  }

  // Runs save_child for `seed` with `extra` arguments; SIGKILLs it
  // `delay_us` after its ready byte unless it has ended by then.  Meanwhile
  // polls that the destination exists.  Returns the wait status; sets
  // *ready_to_end_us (when given) to the time from the ready byte to the end.
  absl::StatusOr<int> RunAndKill(uint64_t seed, int64_t delay_us,
                                 const std::vector<std::string>& extra,
                                 Figures& figures, int64_t* ready_to_end_us = nullptr) {
    std::vector<std::string> args = {absl::StrCat("--out=", dest_),
                                     absl::StrCat("--seed=", seed),
                                     absl::StrCat("--bytes=", bytes_)};
    args.insert(args.end(), extra.begin(), extra.end());
    absl::StatusOr<Child> child = Spawn(args);
    if (!child.ok()) return child.status();
    absl::StatusOr<bool> ready = WaitReady(*child);
    if (!ready.ok()) {
      kill(child->pid, SIGKILL);
      WaitExit(*child);
      return ready.status();
    }
    const auto start = Clock::now();
    auto ended = [&](int status) {
      if (ready_to_end_us != nullptr) {
        *ready_to_end_us = MicrosBetween(start, Clock::now());
      }
      return status;
    };
    if (!*ready) return ended(WaitExit(*child));  // it ended before saving
    while (true) {
      const int64_t left = delay_us - MicrosBetween(start, Clock::now());
      if (left <= 0) break;
      struct stat st;
      ++figures.destination_polls;
      if (stat(dest_.c_str(), &st) != 0) {
        ADD_FAILURE() << "seed " << seed << ": the destination went missing "
                      << MicrosBetween(start, Clock::now()) << " us into the save: "
                      << strerror(errno);
      }
      int status;
      if (waitpid(child->pid, &status, WNOHANG) == child->pid) {
        close(child->ready_fd);
        return ended(status);
      }
      SleepMicros(std::min<int64_t>(left, 500));
    }
    kill(child->pid, SIGKILL);
    return ended(WaitExit(*child));
  }

  // Checks the folder holds only the destination and temporary files of it;
  // removes and counts those.  Returns how many there were.
  int64_t SweepTemps(Figures& figures) {
    auto names = ListDir(dir_);
    EXPECT_OK(names.status());
    if (!names.ok()) return 0;
    int64_t temps = 0;
    for (const std::string& name : *names) {
      if (name == kBaseName) continue;
      if (name.rfind(TempPrefix(kBaseName), 0) != 0) {
        ADD_FAILURE() << "unexpected file '" << name << "' beside the destination";
        continue;
      }
      const std::string path = absl::StrCat(dir_, "/", name);
      struct stat st;
      EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
      EXPECT_TRUE(S_ISREG(st.st_mode)) << path << " is not a regular file";
      if (st.st_size == 0) ++figures.empty_temps;
      figures.max_temp_bytes = std::max<int64_t>(figures.max_temp_bytes, st.st_size);
      EXPECT_EQ(unlink(path.c_str()), 0) << path << ": " << strerror(errno);
      ++temps;
    }
    return temps;
  }

  // The median time from a child's ready byte to its exit over three whole
  // saves (seeds first..first+2), each checked to leave the new file.
  absl::StatusOr<int64_t> MeasureSave(uint64_t first, std::string& current,
                                      const std::vector<std::string>& extra) {
    std::vector<int64_t> durations;
    Figures unused;
    for (uint64_t seed = first; seed < first + 3; ++seed) {
      int64_t duration = 0;
      absl::StatusOr<int> status =
          RunAndKill(seed, int64_t{3600} * 1000000, extra, unused, &duration);
      if (!status.ok()) return status.status();
      durations.push_back(duration);
      if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        return absl::InternalError(
            absl::StrCat("save_child ", DescribeWait(*status)));
      }
      absl::StatusOr<Outcome> outcome = Classify(seed, current);
      if (!outcome.ok()) return outcome.status();
      if (*outcome != Outcome::kNew) {
        return absl::InternalError("a finished save left the old file");
      }
      if (SweepTemps(unused) != 0) {
        return absl::InternalError("a finished save left a temporary file");
      }
    }
    std::sort(durations.begin(), durations.end());
    return durations[1];
  }

  std::string dir_;
  std::string dest_;
  int64_t bytes_ = kDefaultStateBytes;
  ino_t current_inode_ = 0;  // of the file `current` was read from
};

TEST_F(KillDuringSaveTest, DestinationIsAlwaysTheOldOrTheWholeNewFile) {
  const int64_t target_kills = EnvInt("PTSER_CRASH_KILLS", 200);
  const uint64_t delay_seed = static_cast<uint64_t>(EnvInt(
      "PTSER_CRASH_SEED", std::chrono::system_clock::now().time_since_epoch().count()));
  std::cout << "kill_during_save: PTSER_CRASH_SEED=" << delay_seed
            << " PTSER_CRASH_KILLS=" << target_kills << " PTSER_CRASH_BYTES=" << bytes_
            << std::endl;
  Figures figures;
  const auto test_start = Clock::now();

  ASSERT_OK_AND_ASSIGN(std::string current, WriteFirstCheckpoint());
  std::cout << "kill_during_save: checkpoint of " << current.size() << " bytes"
            << std::endl;
  ASSERT_OK_AND_ASSIGN(figures.save_us, MeasureSave(2, current, {}));
  std::cout << "kill_during_save: one save takes " << figures.save_us / 1000 << " ms"
            << std::endl;

  std::mt19937_64 rng(delay_seed);
  std::uniform_int_distribution<int64_t> delay_us(0, figures.save_us);
  const int64_t max_runs = target_kills * 3 + 20;
  for (uint64_t seed = 1000; figures.kills < target_kills && figures.runs < max_runs;
       ++seed) {
    ++figures.runs;
    ASSERT_OK_AND_ASSIGN(int status, RunAndKill(seed, delay_us(rng), {}, figures));
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    ASSERT_TRUE(killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        << "seed " << seed << ": save_child " << DescribeWait(status);
    ASSERT_OK_AND_ASSIGN(Outcome outcome, Classify(seed, current));
    const int64_t temps = SweepTemps(figures);
    if (killed) {
      ++figures.kills;
      ++(outcome == Outcome::kNew ? figures.new_survived : figures.old_survived);
      figures.temps_after_kill += temps;
      ASSERT_LE(temps, 1) << "one save made several temporary files";
    } else {
      ++figures.completed;
      ASSERT_EQ(outcome, Outcome::kNew)
          << "seed " << seed << ": a finished save left the old file";
      ASSERT_EQ(temps, 0) << "seed " << seed << ": a finished save left a temp file";
    }
    ASSERT_FALSE(HasFailure());
  }

  const double seconds = MicrosBetween(test_start, Clock::now()) / 1e6;
  std::cout << "kill_during_save: " << figures.runs << " runs in " << seconds
            << " s: " << figures.kills << " killed mid-save, " << figures.completed
            << " finished before the kill; after a kill the old file survived "
            << figures.old_survived << " times, the complete new file "
            << figures.new_survived << " times, never anything else; "
            << figures.temps_after_kill << " leftover temp files ("
            << figures.empty_temps << " empty, largest " << figures.max_temp_bytes
            << " bytes), all removed by the test; the destination was present at all "
            << figures.destination_polls << " polls during saves" << std::endl;
  RecordProperty("kills", static_cast<int>(figures.kills));
  RecordProperty("completed", static_cast<int>(figures.completed));
  RecordProperty("old_survived", static_cast<int>(figures.old_survived));
  RecordProperty("new_survived", static_cast<int>(figures.new_survived));
  RecordProperty("temps_after_kill", static_cast<int>(figures.temps_after_kill));
  RecordProperty("save_ms", static_cast<int>(figures.save_us / 1000));
  EXPECT_GE(figures.kills, target_kills)
      << "too few kills landed in " << figures.runs << " runs";
  EXPECT_EQ(figures.old_survived + figures.new_survived, figures.kills);
  EXPECT_GT(figures.old_survived, 0) << "no kill landed before the rename";
}

// The control: the same kills against a child that writes the destination
// in place, as torch.save does (open with O_TRUNC, write, fsync).  The check
// above must catch the partial files this leaves — else it proves nothing.
TEST_F(KillDuringSaveTest, ControlInPlaceWriterIsCaught) {
  ASSERT_OK_AND_ASSIGN(std::string current, WriteFirstCheckpoint());
  const std::vector<std::string> in_place = {"--in_place"};
  ASSERT_OK_AND_ASSIGN(const int64_t save_us, MeasureSave(2, current, in_place));
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> delay_us(0, save_us);
  Figures figures;
  int64_t caught = 0;
  for (uint64_t seed = 1000; seed < 1100 && caught == 0; ++seed) {
    ASSERT_OK_AND_ASSIGN(int status, RunAndKill(seed, delay_us(rng), in_place, figures));
    absl::StatusOr<Outcome> outcome = Classify(seed, current);
    if (!outcome.ok()) {
      ASSERT_EQ(outcome.status().code(), absl::StatusCode::kDataLoss) << outcome.status();
      ASSERT_TRUE(WIFSIGNALED(status)) << "a finished in-place save was not whole";
      std::cout << "control: caught after " << seed - 999
                << " runs: " << outcome.status().message() << std::endl;
      ++caught;
    }
  }
  EXPECT_EQ(caught, 1) << "100 kills of an in-place writer left no partial file";
}

}  // namespace
}  // namespace crash
}  // namespace ptser
