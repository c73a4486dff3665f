// Copyright ptser authors.
//
// archive/sharded.h — sharded checkpoints: one state dict split over several
// torch.save files, tied together by a HuggingFace-style index.
//
// HuggingFace `save_pretrained` (and many tools since) writes a large state
// dict as shards plus an index `pytorch_model.bin.index.json`:
//
//   {
//     "metadata": {"total_size": 1234},
//     "weight_map": {
//       "embed.weight": "pytorch_model-00001-of-00002.bin",
//       "head.bias": "pytorch_model-00002-of-00002.bin",
//       ...
//     }
//   }
//
// Each shard is an ordinary torch.save file (zip or legacy), or a
// .safetensors file, holding a dict of some of the tensors.  LoadSharded reads the index, loads every shard
// named in it exactly once (in the order of first mention, through the same
// code as ptser::Load, so LoadOptions apply to each), checks that the shards
// hold exactly what the index says, and merges them into one
// collections.OrderedDict in weight_map order (the order of the JSON text;
// HuggingFace writes it sorted).  Tensors that shared a storage inside one
// shard share it in the result.  `metadata` is not interpreted.
//
// Shard paths are relative to the index's folder.  An absolute path, a path
// containing ".." anywhere, an empty path or one with a NUL byte is refused
// before anything is opened, so an index cannot make ptser read outside its
// folder (symbolic links inside the folder are followed, as open(2) does).
//
//   PTSER_ASSIGN_OR_RETURN(Value sd,
//                          ptser::LoadSharded("ckpt/pytorch_model.bin.index.json"));
//   // ptser::Load routes any path ending in ".index.json" here too.
//
// A `model.safetensors.index.json` names `.safetensors` shards; each loads
// as ptser::Load reads any file, so the same code serves both.
#ifndef PTSER_ARCHIVE_SHARDED_H_
#define PTSER_ARCHIVE_SHARDED_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/load_options.h"
#include "pickle/value.h"

namespace ptser {

// The file-name ending ptser::Load treats as a sharded-checkpoint index.
inline constexpr char kShardedIndexSuffix[] = ".index.json";

// Loads the sharded checkpoint whose index is `index_json_path` and returns
// one OrderedDict {name: tensor} in weight_map order.  Errors, each naming
// the index and, where one is involved, the key and the shard:
//   InvalidArgumentError  the index is not JSON, is not an object, has no
//                         "weight_map" object, a "metadata" that is not an
//                         object, or a shard path that is not a str, is
//                         absolute, contains "..", is empty, names no file or
//                         itself ends in ".index.json"; a shard that is not a dict with str
//                         keys; a key a shard holds that the index does not
//                         assign to that shard; an index key missing from its
//                         shard;
//   whatever loading the index file or a shard reports (NotFoundError for a
//   missing file), with the shard's path prepended.
absl::StatusOr<Value> LoadSharded(const std::string& index_json_path,
                                  const LoadOptions& options = {});

// What an index says, checked as LoadSharded checks it (JSON, "weight_map",
// shard paths), without opening a shard: for tools that visit each shard
// (`ptser verify`).  A JSON syntax error names its byte offset.
struct ShardedIndex {
  std::vector<std::string> keys;    // in weight_map order
  std::vector<size_t> key_shard;    // keys[i] lives in shards[key_shard[i]]
  std::vector<std::string> shards;  // normalized, relative to `folder`, in
                                    // order of first mention
  std::string folder;               // the index's folder ("." for none)

  std::string ShardPath(size_t i) const { return folder + "/" + shards[i]; }
};
// Also checks that every shard is a regular file inside the index's folder
// (symbolic links resolved; beside the index's own target for an index that
// is a link).
absl::StatusOr<ShardedIndex> ReadShardedIndex(const std::string& index_json_path);

// The text of an index, parsed and checked as ReadShardedIndex does, without
// opening any file (`folder` is left empty).  `name` is quoted in errors.
// Never throws: JSON of any shape gives a status (nesting past 64 levels, a
// number out of range and malformed UTF-8 included).
absl::StatusOr<ShardedIndex> ParseShardedIndex(absl::string_view json, const std::string& name);

}  // namespace ptser

#endif  // PTSER_ARCHIVE_SHARDED_H_
