// Copyright ptser authors.
#include "archive/byte_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace ptser {
namespace {

absl::Status ErrnoError(int err, absl::string_view what,
                        const std::string& path) {
  std::string message = absl::StrCat(what, " '", path, "': ", strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case EISDIR:
    case ENOTDIR:
    case ENAMETOOLONG:
    case ELOOP:
      return absl::FailedPreconditionError(message);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file a save to `path` replaces: `path` itself, or, through symbolic
// links, the file at the end of the chain, whether it exists yet or not — as
// open(2) in torch.save follows them.  One rule for live, dangling and
// chained links; a loop (more than 40 links, Linux's limit) is refused.
absl::StatusOr<std::string> SaveTarget(const std::string& path) {
  std::string target = path;
  for (int links = 0; links <= 40; ++links) {
    struct stat st;
    if (lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
    std::vector<char> buf(4096);
    const ssize_t n = readlink(target.c_str(), buf.data(), buf.size());
    if (n < 0) return ErrnoError(errno, "cannot read the symbolic link", target);
    if (static_cast<size_t>(n) >= buf.size()) {
      return ErrnoError(ENAMETOOLONG, "cannot follow the symbolic link", target);
    }
    const std::string link(buf.data(), static_cast<size_t>(n));
    target = !link.empty() && link[0] == '/' ? link : absl::StrCat(DirName(target), "/", link);
  }
  return ErrnoError(ELOOP, "cannot save through the symbolic link", path);
}

// The temporary files of the AtomicFileSinks still open, for the signal
// handler of RemoveTemporaryFilesOnSignals.  Fixed slots of plain memory: a
// handler may only read what is async-signal-safe to read, and may not
// allocate.  A slot is published (`used`) only once its path is complete.
struct LiveTemporary {
  std::atomic<bool> used{false};
  char path[4096];
};
constexpr int kLiveTemporarySlots = 64;
LiveTemporary live_temporaries[kLiveTemporarySlots];
std::atomic<bool> claimed[kLiveTemporarySlots];

// The slot now holding `path`, or -1 when all are taken (then that file is
// not removed on a signal, as before).
int RegisterTemporary(const std::string& path) {
  if (path.size() >= sizeof(live_temporaries[0].path)) return -1;
  for (int i = 0; i < kLiveTemporarySlots; ++i) {
    bool expected = false;
    if (!claimed[i].compare_exchange_strong(expected, true)) continue;
    std::memcpy(live_temporaries[i].path, path.c_str(), path.size() + 1);
    live_temporaries[i].used.store(true, std::memory_order_release);
    return i;
  }
  return -1;
}

void UnregisterTemporary(int slot) {
  if (slot < 0) return;
  live_temporaries[slot].used.store(false, std::memory_order_release);
  claimed[slot].store(false, std::memory_order_release);
}

// The signals RemoveTemporaryFilesOnSignals handles.
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ};

// Holds those signals back on this thread while alive: a temporary file is
// created and registered for removal as one step (a signal in between would
// leave it behind); one that arrives meanwhile is delivered at the end.
class BlockCleanupSignals {
 public:
  BlockCleanupSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kCleanupSignals) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockCleanupSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  BlockCleanupSignals(const BlockCleanupSignals&) = delete;
  BlockCleanupSignals& operator=(const BlockCleanupSignals&) = delete;

 private:
  sigset_t old_;
};

extern "C" void RemoveTemporariesAndDie(int sig) {
  for (LiveTemporary& t : live_temporaries) {
    if (t.used.load(std::memory_order_acquire)) unlink(t.path);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

// The process umask, read without changing it (umask(2) can only read it by
// setting it, which would race with other threads creating files).
mode_t CurrentUmask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      return static_cast<mode_t>(std::strtol(line.c_str() + 6, nullptr, 8));
    }
  }
  return 022;
}

}  // namespace

absl::Status StringSink::Write(const void* data, size_t n) {
  data_.append(static_cast<const char*>(data), n);
  return absl::OkStatus();
}

AtomicFileSink::AtomicFileSink(std::string path, std::string temp_path, int fd,
                               Options options)
    : path_(std::move(path)),
      temp_path_(std::move(temp_path)),
      fd_(fd),
      options_(options) {
  buffer_.reserve(options_.buffer_size);
  signal_slot_ = RegisterTemporary(temp_path_);
}


absl::StatusOr<std::unique_ptr<AtomicFileSink>> AtomicFileSink::Create(
    const std::string& path, Options options) {
  if (path.empty() || path.back() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid file name '", path, "'"));
  }
  // Saving through a symlink writes its target, as torch.save does: the
  // temporary file goes beside the target and the rename replaces the target
  // (created when the link dangles).
  PTSER_ASSIGN_OR_RETURN(const std::string target, SaveTarget(path));
  std::string dir = DirName(target);
  std::string base = BaseName(target);
  // ".<name>.ptser-tmp-XXXXXX" is 18 bytes longer than the name; a name near
  // the 255-byte limit gets a temporary file without it.
  std::string pattern = base.size() <= 200
                            ? absl::StrCat(dir, "/.", base, ".ptser-tmp-XXXXXX")
                            : absl::StrCat(dir, "/.ptser-tmp-XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const BlockCleanupSignals hold;  // until the file is registered (the sink's constructor)
  int fd = mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError(errno, absl::StrCat("cannot create a temporary file for '", path, "' in"),
                      dir);
  }
  // mkostemp makes the file 0600.  Overwriting keeps the old file's mode (a
  // private checkpoint stays private); a new file gets 0666 & ~umask, as
  // open(2) would give it.
  struct stat old;
  if (stat(target.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    fchmod(fd, old.st_mode & 07777);
  } else {
    fchmod(fd, 0666 & ~CurrentUmask());
  }
  if (options.buffer_size == 0) options.buffer_size = 1;
  return std::unique_ptr<AtomicFileSink>(
      new AtomicFileSink(target, std::string(buf.data()), fd, options));
}

void RemoveTemporaryFilesOnSignals() {
  for (int sig : kCleanupSignals) {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_handler = RemoveTemporariesAndDie;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(sig, &action, nullptr);
  }
}

AtomicFileSink::~AtomicFileSink() {
  if (!committed_) Abandon();
}

void AtomicFileSink::Abandon() {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (!temp_path_.empty()) {
    unlink(temp_path_.c_str());
    temp_path_.clear();
  }
  UnregisterTemporary(signal_slot_);
  signal_slot_ = -1;
}

absl::Status AtomicFileSink::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = ErrnoError(errno, "cannot write", temp_path_);
      return error_;
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status AtomicFileSink::Write(const void* data, size_t n) {
  if (!error_.ok()) return error_;
  if (committed_ || fd_ < 0) {
    return absl::FailedPreconditionError("write to a closed AtomicFileSink");
  }
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + n <= options_.buffer_size) {
    buffer_.append(p, n);
  } else {
    PTSER_RETURN_IF_ERROR(Flush());
    if (n >= options_.buffer_size) {
      // Large pieces (tensor data) go straight to the file.
      size_t done = 0;
      while (done < n) {
        ssize_t w = write(fd_, p + done, n - done);
        if (w < 0) {
          if (errno == EINTR) continue;
          error_ = ErrnoError(errno, "cannot write", temp_path_);
          return error_;
        }
        done += static_cast<size_t>(w);
      }
    } else {
      buffer_.append(p, n);
    }
  }
  position_ += n;
  return absl::OkStatus();
}

absl::Status AtomicFileSink::Commit() {
  if (!error_.ok()) {
    Abandon();
    return error_;
  }
  if (committed_ || fd_ < 0) {
    return absl::FailedPreconditionError("AtomicFileSink committed twice");
  }
  absl::Status status = Flush();
  if (status.ok() && options_.durable && fsync(fd_) != 0) {
    status = ErrnoError(errno, "cannot sync", temp_path_);
  }
  if (status.ok()) {
    int rc = close(fd_);
    fd_ = -1;
    if (rc != 0) status = ErrnoError(errno, "cannot close", temp_path_);
  }
  if (status.ok() && rename(temp_path_.c_str(), path_.c_str()) != 0) {
    status = ErrnoError(errno, "cannot rename onto", path_);
  }
  if (!status.ok()) {
    error_ = status;
    Abandon();
    return status;
  }
  temp_path_.clear();
  UnregisterTemporary(signal_slot_);
  signal_slot_ = -1;
  committed_ = true;
  if (options_.durable) {
    int dir = open(DirName(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      fsync(dir);  // best effort: the rename itself has happened
      close(dir);
    }
  }
  return absl::OkStatus();
}

}  // namespace ptser
