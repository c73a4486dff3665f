// Copyright ptser authors.
//
// archive/load_internal.h — what the format loaders of the `load` target
// share (load.cc, tar_load.cc, sharded.cc).  Not part of the public API: this
// header is a private source of //archive:load.
#ifndef PTSER_ARCHIVE_LOAD_INTERNAL_H_
#define PTSER_ARCHIVE_LOAD_INTERNAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "archive/load.h"
#include "tensor/storage.h"

namespace ptser {
namespace load_internal {

// Puts a storage read on the CPU where `options.map_location` sends a storage
// saved as `saved_tag`: the map_location function first (when it answers),
// else the target tag's device through CopyToDevice (tensor/device_registry.h).
// A device type nobody registered is refused, saying how to map it to the CPU.
absl::StatusOr<Storage> RestoreStorage(const Storage& cpu, absl::string_view saved_tag,
                                       const LoadOptions& options);

// Loads one file (zip, legacy or tar) from `path`, opened as Load() opens it
// (mapped when options.mmap), without looking at its name: no `.index.json`
// routing.  What LoadSharded uses for each shard.
absl::StatusOr<Value> LoadSingleFile(const std::string& path, const LoadOptions& options);

}  // namespace load_internal
}  // namespace ptser

#endif  // PTSER_ARCHIVE_LOAD_INTERNAL_H_
