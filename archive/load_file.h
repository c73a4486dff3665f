// Copyright ptser authors.
//
// archive/load_file.h — one torch.save file, whatever its format: what
// DetectFormat finds it is, and LoadFromSource's dispatch to the zip and
// legacy loaders (load_file.cc) and the tar loader (tar_load.h).  ptser::Load
// (load.h) is this plus the `.index.json` routing to LoadSharded (sharded.h),
// which loads each shard through LoadSingleFile below; load.h includes this
// header, so its declarations are part of load.h's API.
//
// Arrows (docs/architecture.md): load → sharded → load_file → tar_load →
// storage_table → restore_storage → load_options; nothing here includes
// load.h or sharded.h.
#ifndef PTSER_ARCHIVE_LOAD_FILE_H_
#define PTSER_ARCHIVE_LOAD_FILE_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "archive/byte_source.h"
#include "archive/load_options.h"
#include "pickle/value.h"

namespace ptser {

// Loads from bytes already in hand (a buffer, a map, a file): zip, legacy or
// tar, as DetectFormat says.
absl::StatusOr<Value> LoadFromSource(std::shared_ptr<const ByteSource> source,
                                     const LoadOptions& options = {});

// The format of a file, as torch.load decides it: zip by its first four
// bytes, else tar, else legacy.  A legacy file whose first 512 bytes are also
// a header Python's tarfile accepts is a DifferentialError (torch.load tries
// the tar format first).
enum class FileFormat { kZip, kTorchScript, kLegacy, kTar, kSafetensors, kUnknown };
absl::StatusOr<FileFormat> DetectFormat(const ByteSource& source);

namespace load_internal {

// Loads one file (zip, legacy or tar) from `path`, opened as Load() opens it
// (mapped when options.mmap), without looking at its name: no `.index.json`
// routing.  What LoadSharded uses for each shard.
absl::StatusOr<Value> LoadSingleFile(const std::string& path, const LoadOptions& options);

}  // namespace load_internal
}  // namespace ptser

#endif  // PTSER_ARCHIVE_LOAD_FILE_H_
