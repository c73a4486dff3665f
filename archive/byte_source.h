// Copyright ptser authors.
//
// archive/byte_source.h — where the bytes of a file come from.
//
// The zip, legacy and tar readers read through a ByteSource and never care
// whether it is a file read with pread(2), a memory map or a buffer in memory.
// Zero-copy is a property of the source, not a special path: StorageAt() hands
// out a Storage that borrows the source's memory when the source is
// memory-backed (a map, a buffer) and copies otherwise.
//
//   PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src,
//                          ByteSource::MapFile("model.pt"));
//   PTSER_ASSIGN_OR_RETURN(Storage s, src->StorageAt(320, 12));  // no copy
//
// Threads: the const methods (ReadAt, StorageAt, memory, size, name) may be
// called from several threads at once, and a subclass must allow it: a load
// checks records on a second thread (ZipReader::CheckAhead) and stages device
// copies on several (device_stage.h).  pread(2), a map and a buffer need no
// lock.
//
// Lifetime: a Storage from a memory map keeps the map alive by itself; the
// ByteSource may be destroyed first.  Maps are private (MAP_PRIVATE, readable
// and writable): writing through a tensor never changes the file, as in
// PyTorch's `torch.load(mmap=True)`.
#ifndef PTSER_ARCHIVE_BYTE_SOURCE_H_
#define PTSER_ARCHIVE_BYTE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tensor/storage.h"

namespace ptser {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Opens `path` for positioned reads (pread); nothing is read up front.
  static absl::StatusOr<std::unique_ptr<ByteSource>> OpenFile(
      const std::string& path);
  // Reads all of `path` into one fresh buffer with sequential reads (a file
  // of 16 MiB or more by two threads, each reading half); the source is then
  // memory-backed (StorageAt borrows slices of the buffer, so a storage keeps
  // the whole buffer alive).  Peak memory: the file size.
  static absl::StatusOr<std::unique_ptr<ByteSource>> ReadFile(const std::string& path);
  // Maps `path` privately; an empty file maps as an empty source.
  static absl::StatusOr<std::unique_ptr<ByteSource>> MapFile(
      const std::string& path);
  // Reads from `bytes` (shared, not copied).
  static std::unique_ptr<ByteSource> FromStorage(Storage bytes,
                                                 std::string name = "<memory>");
  // Copies `bytes` once into an owned buffer.
  static std::unique_ptr<ByteSource> FromString(absl::string_view bytes,
                                                std::string name = "<memory>");

  // Total size in bytes.
  virtual uint64_t size() const = 0;
  // The path, or "<memory>": for error messages.
  const std::string& name() const { return name_; }

  // Copies `n` bytes at `offset` into `dst`.  A range past the end is an
  // OutOfRangeError naming the source, the offset and the size.
  virtual absl::Status ReadAt(uint64_t offset, size_t n, void* dst) const = 0;

  // A Storage holding bytes [offset, offset + n): borrowed from the source
  // when it is memory-backed, otherwise freshly read.
  virtual absl::StatusOr<Storage> StorageAt(uint64_t offset, size_t n) const;

  // The whole source as one contiguous buffer when memory-backed, else null.
  virtual const uint8_t* memory() const { return nullptr; }

 protected:
  explicit ByteSource(std::string name) : name_(std::move(name)) {}
  // OutOfRangeError unless [offset, offset + n) lies within size().
  absl::Status CheckRange(uint64_t offset, uint64_t n) const;

 private:
  std::string name_;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_BYTE_SOURCE_H_
