// Copyright ptser authors.
#include "archive/sharded.h"

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "archive/byte_source.h"
#include "archive/load_internal.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"

namespace ptser {
namespace {

// The shard path relative to the index folder with empty and "." components
// dropped ("./a//b.bin" -> "a/b.bin"), or an error for a path that could
// leave the folder or names nothing.
absl::StatusOr<std::string> NormalizeShardPath(const std::string& path, const std::string& key,
                                               const std::string& index) {
  auto refuse = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("index '", index, "': the shard of '", key,
                                                   "' is '", path, "', ", why));
  };
  if (path.empty()) return refuse("an empty path");
  if (path.find('\0') != std::string::npos) return refuse("a path with a NUL byte");
  if (path[0] == '/') {
    return refuse("an absolute path; shard paths must be relative to the index's folder");
  }
  // Any "..", not only a ".." component: no shard name needs one, and
  // Windows-style separators then cannot smuggle one in.
  if (path.find("..") != std::string::npos) {
    return refuse("a path containing '..'; shards must lie in the index's folder");
  }
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    parts.push_back(part);
  }
  if (parts.empty()) return refuse("a path that names no file");
  std::string normalized = absl::StrJoin(parts, "/");
  if (absl::EndsWith(normalized, kShardedIndexSuffix)) {
    return refuse("another index; a shard must be a torch.save file");
  }
  return normalized;
}

// The folder of `path` ("." for a bare file name).
std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::StatusOr<ShardedIndex> ReadShardedIndex(const std::string& index_json_path) {
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> file, ByteSource::ReadFile(index_json_path));
  const char* text = reinterpret_cast<const char*>(file->memory());
  const size_t text_size = text == nullptr ? 0 : file->size();
  static const char kEmpty[] = "";
  if (text == nullptr) text = kEmpty;
  const std::string& name = index_json_path;
  // ordered_json keeps the object's order of the text (a duplicate key keeps
  // its first position and its last value, as Python's json module does).
  nlohmann::ordered_json index;
  try {
    index = nlohmann::ordered_json::parse(text, text + text_size);
  } catch (const nlohmann::ordered_json::parse_error& e) {
    // e.what(): "[json.exception.parse_error.101] parse error at line 1,
    // column 9: syntax error while parsing object - ..."; keep what follows
    // the bracketed tag, and say the byte offset.
    absl::string_view what = e.what();
    const size_t tag_end = what.find("] ");
    if (tag_end != absl::string_view::npos) what.remove_prefix(tag_end + 2);
    return absl::InvalidArgumentError(absl::StrCat("index '", name,
                                                   "' is not valid JSON: at byte offset ",
                                                   e.byte > 0 ? e.byte - 1 : 0, ": ", what));
  }
  if (!index.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("index '", name, "' is not a JSON object with a \"weight_map\""));
  }
  auto metadata = index.find("metadata");
  if (metadata != index.end() && !metadata->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("index '", name, "': \"metadata\" is not an object"));
  }
  auto weight_map = index.find("weight_map");
  if (weight_map == index.end() || !weight_map->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("index '", name, "' has no \"weight_map\" object"));
  }

  // The keys in weight_map order, each with its shard; shards in order of
  // first mention.
  ShardedIndex out;
  out.folder = FolderOf(index_json_path);
  absl::flat_hash_map<std::string, size_t> shard_index;
  for (auto it = weight_map->begin(); it != weight_map->end(); ++it) {
    const std::string& key = it.key();
    if (!it.value().is_string()) {
      std::string json = it.value().dump();
      if (json.size() > 80) json = absl::StrCat(json.substr(0, 77), "...");
      return absl::InvalidArgumentError(absl::StrCat("index '", name, "': the shard of '", key,
                                                     "' is ", json, ", not a file name"));
    }
    PTSER_ASSIGN_OR_RETURN(
        std::string shard,
        NormalizeShardPath(it.value().get_ref<const std::string&>(), key, name));
    auto [pos, inserted] = shard_index.emplace(shard, out.shards.size());
    if (inserted) out.shards.push_back(shard);
    out.keys.push_back(key);
    out.key_shard.push_back(pos->second);
  }
  return out;
}

absl::StatusOr<Value> LoadSharded(const std::string& index_json_path, const LoadOptions& options) {
  PTSER_ASSIGN_OR_RETURN(ShardedIndex ix, ReadShardedIndex(index_json_path));
  const std::string& name = index_json_path;
  const std::vector<std::string>& keys = ix.keys;
  const std::vector<size_t>& key_shard = ix.key_shard;
  const std::vector<std::string>& shards = ix.shards;
  absl::flat_hash_map<std::string, size_t> shard_of_key;
  for (size_t i = 0; i < keys.size(); ++i) shard_of_key[keys[i]] = key_shard[i];

  // Each shard once, checked against the index.
  std::vector<Value> loaded;
  loaded.reserve(shards.size());
  for (size_t s = 0; s < shards.size(); ++s) {
    const std::string& shard = shards[s];
    absl::StatusOr<Value> value =
        load_internal::LoadSingleFile(ix.ShardPath(s), options);
    if (!value.ok()) {
      return absl::Status(value.status().code(),
                          absl::StrCat("index '", name, "': shard '", shard, "': ",
                                       value.status().message()));
    }
    if (!value->is_dict()) {
      return absl::InvalidArgumentError(absl::StrCat("index '", name, "': shard '", shard,
                                                     "' holds a ", value->TypeName(),
                                                     ", not a dict of tensors"));
    }
    for (const Value::Dict::Item& item : value->dict().items()) {
      if (!item.key.is_str()) {
        return absl::InvalidArgumentError(absl::StrCat("index '", name, "': shard '", shard,
                                                       "' has the key ", item.key.Repr(Value::kMessageReprChars),
                                                       ", not a str"));
      }
      const std::string& key = item.key.as_string();
      auto owner = shard_of_key.find(key);
      if (owner == shard_of_key.end()) {
        return absl::InvalidArgumentError(absl::StrCat("index '", name, "': shard '", shard,
                                                       "' holds '", key,
                                                       "', which the index does not name"));
      }
      if (owner->second != s) {
        return absl::InvalidArgumentError(absl::StrCat(
            "index '", name, "': shard '", shard, "' holds '", key,
            "', which the index assigns to shard '", shards[owner->second], "'"));
      }
    }
    loaded.push_back(*std::move(value));
  }

  Value result = Value::NewOrderedDict();
  for (size_t i = 0; i < keys.size(); ++i) {
    const Value* tensor = loaded[key_shard[i]].dict().Find(keys[i]);
    if (tensor == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("index '", name, "': '", keys[i],
                                                     "' is missing from its shard '",
                                                     shards[key_shard[i]], "'"));
    }
    PTSER_RETURN_IF_ERROR(result.dict().SetItem(Value::Str(keys[i]), *tensor));
  }
  return result;
}

}  // namespace ptser
