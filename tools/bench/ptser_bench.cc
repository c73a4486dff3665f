// Copyright ptser authors.
//
// tools/bench/ptser_bench — the ptser half of tools/bench/side_by_side.py,
// and the machine's limits measured by the same process:
//
//   ptser_bench load FILE RUNS [--mmap] [--no-crc] [--separate] [--no-free]
//                                                    Load, RUNS times
//     (--separate: LoadOptions::one_buffer = false; --no-free: report and exit
//     after the first load, without freeing what it made, so that a profiler
//     such as `valgrind --tool=callgrind` counts the load alone)
//   ptser_bench save FILE OUT RUNS [--durable]       Load once, Save RUNS times
//   ptser_bench limits FILE RUNS                     read(), memcpy, mmap+touch,
//                                                    write (cold, warm), write+fsync
//
// Prints one JSON object per measurement on stdout:
//   {"what": "ptser_load", "ms": [812.1, ...], "max_rss_kb": 1051232}
// Times are wall clock (steady_clock) of the operation alone; max_rss_kb is
// the process's peak resident set so far (getrusage), for memory goals run
// with RUNS = 1 in a fresh process.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "archive/load.h"
#include "archive/save.h"
#include "pickle/value.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

long MaxRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void Report(const char* what, const std::vector<double>& ms) {
  std::printf("{\"what\": \"%s\", \"ms\": [", what);
  for (size_t i = 0; i < ms.size(); ++i) std::printf("%s%.3f", i ? ", " : "", ms[i]);
  std::printf("], \"max_rss_kb\": %ld}\n", MaxRssKb());
  std::fflush(stdout);
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "ptser_bench: %s\n", why.c_str());
  std::exit(1);
}

bool HasFlag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) return true;
  }
  return false;
}

int Load(int argc, char** argv) {
  if (argc < 4) Die("usage: load FILE RUNS [--mmap] [--no-crc] [--separate] [--no-free]");
  ptser::LoadOptions options;
  options.mmap = HasFlag(argc, argv, "--mmap");
  options.verify_crc32 = !HasFlag(argc, argv, "--no-crc");
  options.one_buffer = !HasFlag(argc, argv, "--separate");
  const bool no_free = HasFlag(argc, argv, "--no-free");
  std::vector<double> ms;
  for (int r = 0, n = std::atoi(argv[3]); r < n; ++r) {
    auto t0 = Clock::now();
    absl::StatusOr<ptser::Value> v = ptser::Load(argv[2], options);
    auto t1 = Clock::now();
    if (!v.ok()) Die(std::string(v.status().message()));
    ms.push_back(Ms(t0, t1));
    if (no_free) {
      Report(options.mmap ? "ptser_load_mmap" : "ptser_load", ms);
      std::fflush(stdout);
      _exit(0);  // the loaded value is left as it is
    }
  }
  Report(options.mmap ? "ptser_load_mmap" : "ptser_load", ms);
  return 0;
}

int Save(int argc, char** argv) {
  if (argc < 5) Die("usage: save FILE OUT RUNS [--durable]");
  ptser::LoadOptions load_options;
  load_options.mmap = true;
  absl::StatusOr<ptser::Value> v = ptser::Load(argv[2], load_options);
  if (!v.ok()) Die(std::string(v.status().message()));
  ptser::SaveOptions options;
  options.durable = HasFlag(argc, argv, "--durable");
  std::vector<double> ms;
  for (int r = 0, n = std::atoi(argv[4]); r < n; ++r) {
    // A new file each time, as the plain-write limit writes: replacing an
    // existing file makes ext4 start writing the new one back at the
    // rename (auto_da_alloc), which would be timed here.
    unlink(argv[3]);
    auto t0 = Clock::now();
    absl::Status s = ptser::Save(*v, argv[3], options);
    auto t1 = Clock::now();
    if (!s.ok()) Die(std::string(s.message()));
    ms.push_back(Ms(t0, t1));
  }
  Report(options.durable ? "ptser_save_durable" : "ptser_save", ms);
  return 0;
}

// The machine's limits for a file of this size.
int Limits(int argc, char** argv) {
  if (argc < 4) Die("usage: limits FILE RUNS");
  const std::string path = argv[2];
  const int runs = std::atoi(argv[3]);
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) Die("cannot stat " + path);
  const size_t size = static_cast<size_t>(st.st_size);
  const long page = sysconf(_SC_PAGESIZE);
  std::vector<double> read_ms, memcpy_ms, mmap_ms, cold_ms, write_ms, fsync_ms;
  volatile uint8_t sink = 0;
  for (int r = 0; r < runs; ++r) {
    {  // read() of the whole file into fresh memory
      auto t0 = Clock::now();
      std::unique_ptr<uint8_t[]> buf(new uint8_t[size]);
      int fd = open(path.c_str(), O_RDONLY);
      size_t done = 0;
      while (done < size) {
        ssize_t n = read(fd, buf.get() + done, size - done);
        if (n <= 0) Die("read failed");
        done += static_cast<size_t>(n);
      }
      close(fd);
      auto t1 = Clock::now();
      read_ms.push_back(Ms(t0, t1));
      // memcpy of the same size between two buffers already touched
      std::unique_ptr<uint8_t[]> dst(new uint8_t[size]);
      std::memset(dst.get(), 1, size);
      auto t2 = Clock::now();
      std::memcpy(dst.get(), buf.get(), size);
      auto t3 = Clock::now();
      sink = sink + dst[size / 2];
      memcpy_ms.push_back(Ms(t2, t3));
      // Sequential writes of the bytes to a new file: a first one ("cold"),
      // then again ("warm": on a virtual machine the first use of guest
      // memory for the page cache is slow, and the saves measured beside
      // this write into recycled pages), then with fsync.
      const std::string out = path + ".limits.tmp";
      for (int pass = 0; pass < 3; ++pass) {
        const bool durable = pass == 2;
        sync();  // start each write with no dirty pages left by the last
        auto w0 = Clock::now();
        int wfd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        size_t written = 0;
        while (written < size) {
          ssize_t n = write(wfd, buf.get() + written, std::min<size_t>(size - written, 8 << 20));
          if (n <= 0) Die("write failed");
          written += static_cast<size_t>(n);
        }
        if (durable) fsync(wfd);
        close(wfd);
        auto w1 = Clock::now();
        (pass == 0 ? cold_ms : durable ? fsync_ms : write_ms).push_back(Ms(w0, w1));
        unlink(out.c_str());
      }
    }
    {  // mmap and touch one byte per page
      auto t0 = Clock::now();
      int fd = open(path.c_str(), O_RDONLY);
      void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      close(fd);
      if (p == MAP_FAILED) Die("mmap failed");
      const uint8_t* b = static_cast<const uint8_t*>(p);
      uint8_t acc = 0;
      for (size_t i = 0; i < size; i += static_cast<size_t>(page)) acc = acc + b[i];
      munmap(p, size);
      auto t1 = Clock::now();
      sink = sink + acc;
      mmap_ms.push_back(Ms(t0, t1));
    }
  }
  Report("limit_read", read_ms);
  Report("limit_memcpy", memcpy_ms);
  Report("limit_mmap_touch", mmap_ms);
  Report("limit_write_cold", cold_ms);
  Report("limit_write", write_ms);
  Report("limit_write_fsync", fsync_ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "load") return Load(argc, argv);
  if (mode == "save") return Save(argc, argv);
  if (mode == "limits") return Limits(argc, argv);
  Die("usage: ptser_bench load|save|limits ... (see tools/bench/ptser_bench.cc)");
}
