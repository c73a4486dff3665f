// Copyright ptser authors.
#include "archive/sharded.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
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
#include "archive/load_file.h"
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

// Limits on the index's JSON text.
constexpr uint64_t kMaxIndexBytes = uint64_t{1} << 30;
constexpr int kMaxIndexDepth = 64;

// The folder of `path` ("." for a bare file name).
std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// The index's events, from nlohmann's SAX parser: {"metadata": {...},
// "weight_map": {"key": "file", ...}, ...}.  Keeps weight_map's entries in
// order; a duplicate key keeps its first position and its last value, and a
// second "weight_map" replaces the first, as Python's json module reads them.
// Nesting deeper than kMaxIndexDepth, and any value of weight_map that is not
// a string, stop the parse with error() set.
class IndexReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  const std::string& error() const { return error_; }
  bool saw_weight_map() const { return saw_weight_map_; }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

  // Scalars are named by their JSON text in messages.
  bool null() override { return Scalar("null"); }
  bool boolean(bool v) override { return Scalar(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return Scalar(absl::StrCat(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Scalar(absl::StrCat(v)); }
  bool number_float(number_float_t, const string_t& text) override {
    return Scalar(text.size() > 80 ? absl::StrCat(text.substr(0, 77), "...") : text);
  }
  bool binary(binary_t&) override { return Scalar("binary"); }
  bool string(string_t& value) override {
    if (depth_ == 2 && in_weight_map_) {
      auto [it, inserted] = position_.emplace(key_, entries_.size());
      if (inserted) {
        entries_.emplace_back(key_, std::move(value));
      } else {
        entries_[it->second].second = std::move(value);
      }
      return true;
    }
    return Scalar("a string");
  }
  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      root_is_object_ = true;
    } else if (depth_ == 1 && key_ == "weight_map") {
      in_weight_map_ = saw_weight_map_ = true;
      entries_.clear();
      position_.clear();
    } else if (!Nested("an object")) {
      return false;
    }
    return Enter();
  }
  bool end_object() override {
    if (--depth_ == 1) in_weight_map_ = false;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return Fail(" is not a JSON object with a \"weight_map\"");
    if (!Nested("an array")) return false;
    return Enter();
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ <= 2) key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    // e.what(): "[json.exception.parse_error.101] parse error at line 1,
    // column 9: syntax error while parsing object - ..."; keep what follows
    // the bracketed tag, and say the byte offset.
    absl::string_view what = e.what();
    const size_t tag_end = what.find("] ");
    if (tag_end != absl::string_view::npos) what.remove_prefix(tag_end + 2);
    return Fail(absl::StrCat(" is not valid JSON: at byte offset ", position > 0 ? position - 1 : 0,
                             ": ", what));
  }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool Enter() {
    if (++depth_ > kMaxIndexDepth) {
      return Fail(absl::StrCat(": JSON nested deeper than ", kMaxIndexDepth, " levels"));
    }
    return true;
  }
  // A value that is neither weight_map's object nor inside it.
  bool Nested(absl::string_view what) {
    if (depth_ == 2 && in_weight_map_) return Scalar(what);
    if (depth_ == 1 && key_ == "metadata" && what != "an object") {
      return Fail(": \"metadata\" is not an object");
    }
    if (depth_ == 1 && key_ == "weight_map") {
      return Fail(" has no \"weight_map\" object");
    }
    return true;
  }
  bool Scalar(absl::string_view what) {
    if (depth_ == 0) return Fail(" is not a JSON object with a \"weight_map\"");
    if (depth_ == 2 && in_weight_map_) {
      return Fail(absl::StrCat(": the shard of '", key_, "' is ", what, ", not a file name"));
    }
    return Nested(what);
  }

  std::string error_;  // what stopped the parse, after "index 'x'"
  int depth_ = 0;
  bool root_is_object_ = false;
  bool in_weight_map_ = false;
  bool saw_weight_map_ = false;
  std::string key_;  // the last key at depth 1 or 2
  std::vector<std::pair<std::string, std::string>> entries_;
  absl::flat_hash_map<std::string, size_t> position_;  // key -> index in entries_
};

// The real path of `path` (symbolic links resolved), or NotFound.
absl::StatusOr<std::string> RealPath(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot be opened (", strerror(errno), ")"));
  }
  std::string out(resolved);
  free(resolved);
  return out;
}

bool Inside(const std::string& path, const std::string& folder) {
  return folder == "/" ? absl::StartsWith(path, "/")
                       : absl::StartsWith(path, folder + "/");
}

// Every shard must be a regular file (a FIFO or a device would block or never
// end) inside the index's folder once symbolic links are resolved (a link
// could lead anywhere, past the '..' check).  An index that is itself a link
// may also have shards beside its target: a HuggingFace cache snapshot links
// the index and the shards into one blobs/ folder.
absl::Status CheckShardFiles(const std::string& index_path, const ShardedIndex& ix) {
  std::vector<std::string> roots;
  absl::StatusOr<std::string> folder = RealPath(ix.folder);
  absl::StatusOr<std::string> real_index = RealPath(index_path);
  if (!folder.ok() || !real_index.ok()) {
    return absl::NotFoundError(absl::StrCat("index '", index_path, "' or its folder ",
                                            folder.ok() ? real_index.status().message()
                                                        : folder.status().message()));
  }
  roots.push_back(*folder);
  roots.push_back(FolderOf(*real_index));
  for (size_t i = 0; i < ix.shards.size(); ++i) {
    auto refuse = [&](absl::StatusCode code, absl::string_view why) {
      return absl::Status(code, absl::StrCat("index '", index_path, "': shard '", ix.shards[i],
                                             "' ", why));
    };
    absl::StatusOr<std::string> real = RealPath(ix.ShardPath(i));
    if (!real.ok()) return refuse(absl::StatusCode::kNotFound, real.status().message());
    if (!Inside(*real, roots[0]) && !Inside(*real, roots[1])) {
      return refuse(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("leads to '", *real, "', outside the index's folder"));
    }
    struct stat st;
    if (stat(real->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return refuse(absl::StatusCode::kInvalidArgument,
                    "is not a regular file (a FIFO, a device or a folder)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ShardedIndex> ParseShardedIndex(absl::string_view json, const std::string& name) {
  if (json.size() > kMaxIndexBytes) {
    return absl::ResourceExhaustedError(absl::StrCat("index '", name, "' is ", json.size(),
                                                     " bytes, above the limit of ",
                                                     kMaxIndexBytes));
  }
  IndexReader reader;
  // The SAX parser builds nothing: no exception, no recursion, and a
  // weight_map of n keys costs n hash lookups.
  nlohmann::json::sax_parse(json.begin(), json.end(), &reader,
                            nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!reader.error().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("index '", name, "'", reader.error()));
  }
  if (!reader.saw_weight_map()) {
    return absl::InvalidArgumentError(
        absl::StrCat("index '", name, "' has no \"weight_map\" object"));
  }
  // The keys in weight_map order, each with its shard; shards in order of
  // first mention.
  ShardedIndex out;
  absl::flat_hash_map<std::string, size_t> shard_index;
  for (const auto& [key, file_name] : reader.entries()) {
    PTSER_ASSIGN_OR_RETURN(std::string shard, NormalizeShardPath(file_name, key, name));
    auto [pos, inserted] = shard_index.emplace(shard, out.shards.size());
    if (inserted) out.shards.push_back(shard);
    out.keys.push_back(key);
    out.key_shard.push_back(pos->second);
  }
  return out;
}

absl::StatusOr<ShardedIndex> ReadShardedIndex(const std::string& index_json_path) {
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> file, ByteSource::OpenFile(index_json_path));
  if (file->size() > kMaxIndexBytes) {
    return absl::ResourceExhaustedError(absl::StrCat("index '", index_json_path, "' is ",
                                                     file->size(), " bytes, above the limit of ",
                                                     kMaxIndexBytes));
  }
  std::string text(file->size(), '\0');
  PTSER_RETURN_IF_ERROR(file->ReadAt(0, text.size(), text.data()));
  PTSER_ASSIGN_OR_RETURN(ShardedIndex out, ParseShardedIndex(text, index_json_path));
  out.folder = FolderOf(index_json_path);
  PTSER_RETURN_IF_ERROR(CheckShardFiles(index_json_path, out));
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
