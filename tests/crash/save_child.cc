// Copyright ptser authors.
//
// tests/crash/save_child.cc — the victim of the crash-safety tests.
//
// Builds crash::MakeStateDict(seed, bytes) and saves it with ptser::Save to
// the given path, once or repeatedly (seeds seed, seed+1, ...), so that a
// parent can SIGKILL it at any moment and then check what the path holds.
//
//   save_child --out=PATH --seed=N [--bytes=N] [--count=K] [--ready_fd=FD]
//              [--no_durable] [--in_place] [--verbose]
//
// --ready_fd: after the first state dict is built, one byte is written to
// this descriptor (then closed), just before the first Save starts: the
// parent times its kill from there.  --count=0 saves forever.
// --in_place: instead of ptser::Save, write the same bytes straight into
// the destination (open O_TRUNC, write, fsync), as torch.save does: the
// kill test's control, which must see partial files.  The ready byte then
// comes after the bytes are serialized, just before the destination is
// truncated.
// Exit status: 0 when every save succeeded, 1 on a failed save (the status
// on stderr), 2 on bad usage.
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "archive/save.h"
#include "archive/zip_writer.h"
#include "tests/crash/crash_state.h"

namespace {

int Usage(const char* why) {
  std::cerr << "save_child: " << why
            << "\nusage: save_child --out=PATH --seed=N [--bytes=N] [--count=K]"
               " [--ready_fd=FD] [--no_durable] [--in_place] [--verbose]\n";
  return 2;
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// Writes the ready byte to *ready_fd (when open) and closes it.
void SignalReady(int* ready_fd) {
  if (*ready_fd < 0) return;
  const char byte = 'r';
  while (write(*ready_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  close(*ready_fd);
  *ready_fd = -1;
}

// torch.save's way: the destination itself, truncated and rewritten.
absl::Status SaveInPlace(const ptser::Value& value, const std::string& path,
                         int* ready_fd) {
  absl::StatusOr<std::string> prefix = ptser::ArchivePrefixForPath(path);
  if (!prefix.ok()) return prefix.status();
  absl::StatusOr<std::string> bytes = ptser::SaveToString(value, *prefix);
  if (!bytes.ok()) return bytes.status();
  SignalReady(ready_fd);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(strerror(errno));
  size_t done = 0;
  while (done < bytes->size()) {
    const size_t chunk = std::min<size_t>(bytes->size() - done, size_t{1} << 20);
    ssize_t n = write(fd, bytes->data() + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return absl::UnavailableError(strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) return absl::UnavailableError(strerror(errno));
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  uint64_t seed = 0;
  bool have_seed = false;
  int64_t bytes = ptser::crash::kDefaultStateBytes;
  int64_t count = 1;
  int ready_fd = -1;
  bool durable = true;
  bool verbose = false;
  bool in_place = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    auto value = [&](absl::string_view flag, absl::string_view* rest) {
      if (!absl::StartsWith(arg, flag)) return false;
      *rest = arg.substr(flag.size());
      return true;
    };
    absl::string_view rest;
    if (value("--out=", &rest)) {
      out = std::string(rest);
    } else if (value("--seed=", &rest)) {
      if (!absl::SimpleAtoi(rest, &seed)) return Usage("bad --seed");
      have_seed = true;
    } else if (value("--bytes=", &rest)) {
      if (!absl::SimpleAtoi(rest, &bytes) || bytes < 0) return Usage("bad --bytes");
    } else if (value("--count=", &rest)) {
      if (!absl::SimpleAtoi(rest, &count) || count < 0) return Usage("bad --count");
    } else if (value("--ready_fd=", &rest)) {
      if (!absl::SimpleAtoi(rest, &ready_fd) || ready_fd < 0) {
        return Usage("bad --ready_fd");
      }
    } else if (arg == "--no_durable") {
      durable = false;
    } else if (arg == "--in_place") {
      in_place = true;
    } else if (arg == "--verbose") {
      verbose = true;
    } else {
      return Usage("unknown argument");
    }
  }
  if (out.empty() || !have_seed) return Usage("--out and --seed are required");

  ptser::SaveOptions options;
  options.durable = durable;
  for (int64_t n = 0; count == 0 || n < count; ++n) {
    const uint64_t this_seed = seed + static_cast<uint64_t>(n);
    auto build_start = std::chrono::steady_clock::now();
    absl::StatusOr<ptser::Value> state =
        ptser::crash::MakeStateDict(this_seed, bytes);
    if (!state.ok()) {
      std::cerr << "save_child: building seed " << this_seed << ": "
                << state.status() << "\n";
      return 1;
    }
    const int64_t build_us = MicrosSince(build_start);
    if (!in_place) SignalReady(&ready_fd);
    auto save_start = std::chrono::steady_clock::now();
    absl::Status status =
        in_place ? SaveInPlace(*state, out, &ready_fd) : ptser::Save(*state, out, options);
    const int64_t save_us = MicrosSince(save_start);
    if (!status.ok()) {
      std::cerr << "save_child: saving seed " << this_seed << " to " << out << ": "
                << status << "\n";
      return 1;
    }
    if (verbose) {
      std::cout << "saved seed=" << this_seed << " build_us=" << build_us
                << " save_us=" << save_us << std::endl;
    }
  }
  return 0;
}
