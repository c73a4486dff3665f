// Copyright ptser authors.
//
// Fuzzes the sharded index's JSON (pytorch_model.bin.index.json) from text,
// without files: ParseShardedIndex must give an index or a status for any
// input — no exception, no recursion, linear time.  Seeds: the indexes of
// archive/testdata/sharded/ (HuggingFace's layout) and hand-made hostile ones
// (issue 12 §2/§3: 1e400, deep nesting, lone surrogates, duplicate keys).
#include <cstdint>
#include <string>

#include "archive/sharded.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ptser::ShardedIndex> index = ptser::ParseShardedIndex(text, "fuzz");
  if (index.ok()) {
    // Every key names one of the shards.
    for (size_t shard : index->key_shard) {
      if (shard >= index->shards.size()) __builtin_trap();
    }
  }
  return 0;
}
