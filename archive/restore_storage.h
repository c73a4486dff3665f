// Copyright ptser authors.
//
// archive/restore_storage.h — a storage read on the CPU put where
// LoadOptions::map_location sends it: the one restore step every format's
// loader (zip and legacy in load_file.cc, tar_load.cc, jit's TorchScript
// reader) ends a storage with, through StorageTable::Fill (storage_table.h).
// Not part of the public API.
#ifndef PTSER_ARCHIVE_RESTORE_STORAGE_H_
#define PTSER_ARCHIVE_RESTORE_STORAGE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive/load_options.h"
#include "tensor/storage.h"

namespace ptser {
namespace load_internal {

// Puts a storage read on the CPU where `options.map_location` sends a storage
// saved as `saved_tag`: the map_location function first (when it answers),
// else the target tag's device through CopyToDevice (tensor/device_registry.h).
// A device type nobody registered is refused, saying how to map it to the CPU.
absl::StatusOr<Storage> RestoreStorage(const Storage& cpu, absl::string_view saved_tag,
                                       const LoadOptions& options);

}  // namespace load_internal
}  // namespace ptser

#endif  // PTSER_ARCHIVE_RESTORE_STORAGE_H_
