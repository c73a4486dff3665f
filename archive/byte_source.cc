// Copyright ptser authors.
#include "archive/byte_source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace ptser {
namespace {

absl::Status ErrnoError(int err, absl::string_view what,
                        const std::string& path) {
  std::string message = absl::StrCat(what, " '", path, "': ", strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

// Closes a descriptor when the last owner lets go.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// pread()s `n` bytes at `offset` of `fd` into `dst`, retrying short reads.
absl::Status ReadFully(int fd, uint64_t offset, uint64_t n, void* dst, const std::string& path) {
  char* out = static_cast<char*>(dst);
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1u << 30));
    ssize_t got = pread(fd, out, chunk, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot read", path);
    }
    if (got == 0) {
      return absl::DataLossError(absl::StrCat(
          "'", path, "' ended at byte ", offset, " while reading (was it truncated while open?)"));
    }
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<uint64_t>(got);
  }
  return absl::OkStatus();
}

class FileSource : public ByteSource {
 public:
  FileSource(std::string path, std::shared_ptr<Fd> fd, uint64_t size)
      : ByteSource(std::move(path)), fd_(std::move(fd)), size_(size) {}

  uint64_t size() const override { return size_; }

  absl::Status ReadAt(uint64_t offset, size_t n, void* dst) const override {
    PTSER_RETURN_IF_ERROR(CheckRange(offset, n));
    return ReadFully(fd_->fd, offset, n, dst, name());
  }

 private:
  std::shared_ptr<Fd> fd_;
  uint64_t size_;
};

// Memory-backed: a map or a Storage.  `keep_alive` owns the bytes.
class MemorySource : public ByteSource {
 public:
  MemorySource(std::string name, uint8_t* data, uint64_t size,
               std::shared_ptr<const void> keep_alive, bool read_only)
      : ByteSource(std::move(name)),
        data_(data),
        size_(size),
        keep_alive_(std::move(keep_alive)),
        read_only_(read_only) {}

  uint64_t size() const override { return size_; }
  const uint8_t* memory() const override { return data_; }

  absl::Status ReadAt(uint64_t offset, size_t n, void* dst) const override {
    PTSER_RETURN_IF_ERROR(CheckRange(offset, n));
    if (n > 0) std::memcpy(dst, data_ + offset, n);
    return absl::OkStatus();
  }

  absl::StatusOr<Storage> StorageAt(uint64_t offset, size_t n) const override {
    PTSER_RETURN_IF_ERROR(CheckRange(offset, n));
    return Storage::Borrow(data_ + offset, n, keep_alive_, Device::Cpu(),
                           read_only_);
  }

 private:
  uint8_t* data_;
  uint64_t size_;
  std::shared_ptr<const void> keep_alive_;
  bool read_only_;
};

// Unmaps when the last Storage or source holding it goes.
struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr != nullptr) munmap(addr, size);
  }
};

// Files this large are read by two threads.
constexpr uint64_t kTwoThreadReadBytes = uint64_t{16} << 20;

absl::StatusOr<std::pair<std::shared_ptr<Fd>, uint64_t>> OpenForReading(
    const std::string& path) {
  auto fd = std::make_shared<Fd>();
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever
  // before the check below could refuse it (it changes nothing for regular
  // files).
  fd->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd->fd < 0) return ErrnoError(errno, "cannot open", path);
  struct stat st;
  if (fstat(fd->fd, &st) != 0) return ErrnoError(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file"));
  }
  return std::make_pair(std::move(fd), static_cast<uint64_t>(st.st_size));
}

}  // namespace

absl::Status ByteSource::CheckRange(uint64_t offset, uint64_t n) const {
  uint64_t total = size();
  if (offset > total || n > total - offset) {
    return absl::OutOfRangeError(absl::StrCat(
        "read of ", n, " bytes at offset ", offset, " runs past the end of '",
        name_, "' (", total, " bytes)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Storage> ByteSource::StorageAt(uint64_t offset, size_t n) const {
  PTSER_RETURN_IF_ERROR(CheckRange(offset, n));
  PTSER_ASSIGN_OR_RETURN(Storage storage, Storage::Allocate(n));
  if (n > 0) PTSER_RETURN_IF_ERROR(ReadAt(offset, n, storage.mutable_data()));
  return storage;
}

absl::StatusOr<std::unique_ptr<ByteSource>> ByteSource::OpenFile(
    const std::string& path) {
  PTSER_ASSIGN_OR_RETURN(auto opened, OpenForReading(path));
  return std::unique_ptr<ByteSource>(
      new FileSource(path, std::move(opened.first), opened.second));
}

absl::StatusOr<std::unique_ptr<ByteSource>> ByteSource::ReadFile(const std::string& path) {
  PTSER_ASSIGN_OR_RETURN(auto opened, OpenForReading(path));
  const uint64_t size = opened.second;
  if (size > Storage::kMaxStorageBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("'", path, "' is ", size, " bytes, too large to read into memory"));
  }
  // Uninitialised memory: every byte is written by the reads below.
  std::unique_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[size > 0 ? size : 1]);
  if (buffer == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate ", size, " bytes to read '", path, "'"));
  }
  const int fd = opened.first->fd;
  uint8_t* const data = buffer.get();
  absl::Status status;
  if (size >= kTwoThreadReadBytes && std::thread::hardware_concurrency() > 1) {
    // Most of a read into fresh memory is the kernel faulting in and
    // zeroing the pages; two threads each read half (36 MB: 20 ms -> 14 ms
    // on the project machine).  Without a second thread, one reads both.
    const uint64_t half = size / 2;
    absl::Status second;
    std::thread helper;
    try {
      helper = std::thread([&] { second = ReadFully(fd, half, size - half, data + half, path); });
    } catch (const std::system_error&) {
      second = ReadFully(fd, half, size - half, data + half, path);
    }
    status = ReadFully(fd, 0, half, data, path);
    if (helper.joinable()) helper.join();
    if (status.ok()) status = second;
  } else {
    status = ReadFully(fd, 0, size, data, path);
  }
  PTSER_RETURN_IF_ERROR(status);
  std::shared_ptr<uint8_t> owner(buffer.release(), std::default_delete<uint8_t[]>());
  return std::unique_ptr<ByteSource>(new MemorySource(path, data, size, std::move(owner), false));
}

absl::StatusOr<std::unique_ptr<ByteSource>> ByteSource::MapFile(
    const std::string& path) {
  PTSER_ASSIGN_OR_RETURN(auto opened, OpenForReading(path));
  uint64_t size = opened.second;
  auto mapping = std::make_shared<Mapping>();
  if (size > 0) {
    void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
                      opened.first->fd, 0);
    if (addr == MAP_FAILED) return ErrnoError(errno, "cannot map", path);
    mapping->addr = addr;
    mapping->size = size;
  }
  uint8_t* data = static_cast<uint8_t*>(mapping->addr);
  return std::unique_ptr<ByteSource>(
      new MemorySource(path, data, size, std::move(mapping), false));
}

std::unique_ptr<ByteSource> ByteSource::FromStorage(Storage bytes,
                                                    std::string name) {
  auto holder = std::make_shared<Storage>(bytes);
  uint8_t* data = static_cast<uint8_t*>(const_cast<void*>(bytes.data()));
  return std::unique_ptr<ByteSource>(
      new MemorySource(std::move(name), data, bytes.nbytes(), std::move(holder),
                       bytes.is_read_only()));
}

std::unique_ptr<ByteSource> ByteSource::FromString(absl::string_view bytes,
                                                   std::string name) {
  auto holder = std::make_shared<std::string>(bytes);
  uint8_t* data = reinterpret_cast<uint8_t*>(holder->data());
  uint64_t size = holder->size();
  return std::unique_ptr<ByteSource>(
      new MemorySource(std::move(name), data, size, std::move(holder), false));
}

}  // namespace ptser
