// Copyright ptser authors.
#include "archive/load.h"

#include "absl/strings/match.h"
#include "archive/sharded.h"

namespace ptser {

absl::StatusOr<Value> Load(const std::string& path, const LoadOptions& options) {
  if (absl::EndsWith(path, kShardedIndexSuffix)) return LoadSharded(path, options);
  return load_internal::LoadSingleFile(path, options);
}

}  // namespace ptser
