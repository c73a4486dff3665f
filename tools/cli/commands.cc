// Copyright ptser authors.
#include "tools/cli/commands.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/differential.h"
#include "jit/pickled_module.h"
#include "archive/legacy_format.h"
#include "archive/load.h"
#include "archive/safetensors.h"
#include "archive/save.h"
#include "archive/sharded.h"
#include "archive/tar_reader.h"
#include "archive/torch_archive.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"
#include "pickle/disassembler.h"
#include "pickle/globals.h"
#include "pickle/torch_globals.h"
#include "pickle/unpickler.h"
#include "tensor/cast.h"
#include "tools/cli/progress.h"
#include "tools/cli/script_commands.h"

namespace ptser {
namespace cli {
namespace {

constexpr int kOk = 0;
constexpr int kUnreadable = 1;
constexpr int kUsage = 2;
constexpr int kFinding = 3;

// A refused global's message ends with the API's ways out (unpickler.h);
// on the command line the way out is a flag.
constexpr char kCliRefusedGlobalHint[] =
    " (nothing was run); `ptser verify FILE` lists every global the file names, and "
    "`ptser inspect FILE --keep-unknown-globals` shows the file with unknown classes kept "
    "as inert objects";

int Fail(std::ostream& err, const absl::Status& s) {
  std::string message(s.message());
  const size_t hint = message.find(kRefusedGlobalHint);
  if (s.code() == absl::StatusCode::kPermissionDenied && hint != std::string::npos) {
    message.replace(hint, sizeof(kRefusedGlobalHint) - 1, kCliRefusedGlobalHint);
  }
  err << "ptser: " << message << "\n";
  return kUnreadable;
}

const char* FormatName(FileFormat f) {
  switch (f) {
    case FileFormat::kZip: return "zip (torch.save, PyTorch >= 1.6)";
    case FileFormat::kTorchScript: return "TorchScript archive";
    case FileFormat::kLegacy: return "legacy (_use_new_zipfile_serialization=False)";
    case FileFormat::kTar: return "tar (PyTorch <= 0.1.9)";
    case FileFormat::kSafetensors: return "safetensors";
    case FileFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Loads for the tools: every storage on the CPU whatever its tag.  A
// `.safetensors` file is read as one.
LoadOptions ToolLoadOptions() {
  LoadOptions options;
  options.map_location = MapLocation::To(Device::Cpu());
  // Mapped: storages are slices of the file, so convert/compact stream from
  // the page cache instead of copying the checkpoint into memory first.
  // Every record's CRC is still checked.
  options.mmap = true;
  options.verify_crc32_when_mapped = true;
  return options;
}

absl::StatusOr<Value> LoadForTools(const std::string& path,
                                   const LoadOptions& options = ToolLoadOptions(),
                                   SafetensorsMetadata* metadata = nullptr) {
  if (EndsWith(path, ".safetensors")) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::MapFile(path));
    return LoadSafetensors(std::shared_ptr<const ByteSource>(std::move(src)), metadata);
  }
  return Load(path, options);
}

// A zip file converted to zip is checked in one pass over its storages: they
// are loaded unverified and their recorded CRC-32s are compared with the ones
// computed while writing them (SaveOptions::expected_crc32); the other
// records (the pickle, the version) are verified here first.
struct OnePassCrcCheck {
  absl::flat_hash_map<const void*, uint32_t> recorded;  // storage id -> CRC

  absl::Status VerifyOtherRecords(const std::string& path) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::MapFile(path));
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive,
                           TorchArchive::Open(std::shared_ptr<const ByteSource>(std::move(src))));
    const std::string data_folder = archive->prefix() + "/data/";
    for (const ZipEntry& e : archive->zip().entries()) {
      if (absl::StartsWith(e.name, data_folder)) continue;
      PTSER_RETURN_IF_ERROR(archive->zip().Read(e).status());
    }
    return absl::OkStatus();
  }
  LoadOptions Options() {
    LoadOptions options = ToolLoadOptions();
    options.verify_crc32_when_mapped = false;
    options.on_zip_storage = [this](const Storage& s, uint32_t crc) { recorded[s.id()] = crc; };
    return options;
  }
  std::function<std::optional<uint32_t>(const Storage&)> Expected() {
    return [this](const Storage& s) -> std::optional<uint32_t> {
      auto it = recorded.find(s.id());
      if (it == recorded.end()) return std::nullopt;
      return it->second;
    };
  }
};

// The pickle protocol `path` was written at (torch.save's pickle_protocol),
// which convert keeps: the PROTO of a zip's data.pkl, or of a legacy file's
// first pickle; 1 where there is none (protocol 1 has no PROTO opcode).
// Other inputs (tar, .safetensors, a sharded index): 2, torch.save's default.
absl::StatusOr<int> InputPickleProtocol(const std::string& path) {
  constexpr int kDefault = 2;
  if (EndsWith(path, ".safetensors") || EndsWith(path, kShardedIndexSuffix)) return kDefault;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::OpenFile(path));
  std::shared_ptr<const ByteSource> source(std::move(src));
  PTSER_ASSIGN_OR_RETURN(FileFormat format, DetectFormat(*source));
  if (format == FileFormat::kZip) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive, TorchArchive::Open(source));
    PTSER_ASSIGN_OR_RETURN(Storage pickle, archive->ReadRecord("data.pkl"));
    const auto* p = static_cast<const unsigned char*>(pickle.data());
    if (pickle.nbytes() >= 2 && p[0] == 0x80) return p[1];
    return 1;
  }
  if (format == FileFormat::kLegacy) {
    unsigned char head[legacy_format::kMagicPickleMaxBytes] = {};
    const uint64_t n = std::min<uint64_t>(source->size(), sizeof(head));
    PTSER_RETURN_IF_ERROR(source->ReadAt(0, n, head));
    const std::optional<legacy_format::MagicPickle> magic = legacy_format::MatchMagicPickle(head, n);
    if (magic.has_value()) return magic->protocol;
  }
  return kDefault;
}

// JSON objects keep their keys in insertion order (a state dict's order).
using Json = nlohmann::ordered_json;

// `inspect --json`'s "value": the whole object tree, so a checkpoint's epoch,
// args and optimizer settings show.  None, bools, ints, finite floats and strs
// are JSON values; lists and tuples arrays; dicts with str keys objects (in
// order); tensors and storages their metadata; anything else {"type", "repr"}.
// A container reached again (shared, or a cycle) is {"ref": its first path},
// so a DAG of shared lists is walked once.
class ValueTree {
 public:
  explicit ValueTree(std::map<const void*, size_t> storages) : storages_(std::move(storages)) {}

  Json Write(const Value& v, const std::string& path, int depth) {
    const std::string where = path.empty() ? "/" : path;
    if (depth > kMaxDepth || ++nodes_ > kMaxNodes) {
      return Json{{"type", v.TypeName()},
                  {"truncated", absl::StrCat("deeper than ", kMaxDepth, " levels or more than ",
                                             kMaxNodes, " values")}};
    }
    const void* id = v.identity();
    const bool container = v.is_list() || v.is_tuple() || v.is_dict() || v.is_set() ||
                           v.is_frozenset() || v.is_object();
    if (container && id != nullptr) {
      auto [it, fresh] = seen_.emplace(id, where);
      if (!fresh) return Json{{"ref", it->second}};
    }
    switch (v.kind()) {
      case Value::Kind::kNone:
        return nullptr;
      case Value::Kind::kBool:
        return v.as_bool();
      case Value::Kind::kInt:
        return v.as_int();
      case Value::Kind::kFloat:
        if (std::isfinite(v.as_float())) return v.as_float();
        break;
      case Value::Kind::kStr:
        return v.as_string();
      case Value::Kind::kList:
      case Value::Kind::kTuple: {
        Json items = Json::array();
        const absl::Span<const Value> xs = v.sequence_items();
        for (size_t i = 0; i < xs.size(); ++i) {
          items.push_back(Write(xs[i], absl::StrCat(path, "/", i), depth + 1));
        }
        return items;
      }
      case Value::Kind::kDict: {
        const auto& items = v.dict().items();
        const bool str_keys = std::all_of(items.begin(), items.end(),
                                          [](const Value::Dict::Item& i) { return i.key.is_str(); });
        if (str_keys) {
          Json out = Json::object();
          for (const auto& item : items) {
            out[item.key.as_string()] =
                Write(item.value, absl::StrCat(path, "/", item.key.as_string()), depth + 1);
          }
          return out;
        }
        Json pairs = Json::array();
        for (const auto& item : items) {
          const std::string key = item.key.Repr(Value::kMessageReprChars);
          pairs.push_back(Json::array({Write(item.key, absl::StrCat(path, "/", key, "(key)"), depth + 1),
                                       Write(item.value, absl::StrCat(path, "/", key), depth + 1)}));
        }
        return Json{{"type", v.TypeName()}, {"items", pairs}};
      }
      case Value::Kind::kSet:
      case Value::Kind::kFrozenSet: {
        Json items = Json::array();
        size_t i = 0;
        for (const Value& x : v.set().items()) {
          items.push_back(Write(x, absl::StrCat(path, "/", i++), depth + 1));
        }
        return Json{{"type", v.TypeName()}, {"items", items}};
      }
      case Value::Kind::kTensor: {
        const Tensor& t = v.tensor();
        return Json{{"type", "tensor"},
                    {"dtype", std::string(DtypeName(t.dtype()))},
                    {"shape", t.sizes()},
                    {"strides", t.strides()},
                    {"offset", t.storage_offset()},
                    {"storage", StorageIndex(t.storage())},
                    {"device", t.device().ToString()},
                    {"requires_grad", t.requires_grad()},
                    {"parameter", t.is_parameter()}};
      }
      case Value::Kind::kStorage: {
        const TypedStorage& ts = v.storage();
        return Json{{"type", "storage"},
                    {"dtype", std::string(DtypeName(ts.dtype))},
                    {"nbytes", ts.storage.nbytes()},
                    {"storage", StorageIndex(ts.storage)}};
      }
      case Value::Kind::kObject: {
        const Value::Object& o = v.object();
        Json out{{"type", "object"}, {"class", o.callee().FullName()},
                 {"args", Write(o.args(), path + "/args", depth + 1)}};
        if (!o.kwargs().is_none()) out["kwargs"] = Write(o.kwargs(), path + "/kwargs", depth + 1);
        if (o.has_state()) out["state"] = Write(o.state(), path + "/state", depth + 1);
        if (!o.list_items().empty()) {
          Json items = Json::array();
          for (size_t i = 0; i < o.list_items().size(); ++i) {
            items.push_back(Write(o.list_items()[i], absl::StrCat(path, "/items/", i), depth + 1));
          }
          out["list_items"] = items;
        }
        if (!o.dict_items().empty()) {
          Json pairs = Json::array();
          for (const auto& item : o.dict_items()) {
            pairs.push_back(Json::array({Write(item.key, path + "/dict_items", depth + 1),
                                         Write(item.value, path + "/dict_items", depth + 1)}));
          }
          out["dict_items"] = pairs;
        }
        return out;
      }
      default:
        break;
    }
    return Json{{"type", v.TypeName()}, {"repr", v.Repr(kMaxReprChars)}};
  }

 private:
  static constexpr int kMaxDepth = 200;
  static constexpr size_t kMaxNodes = 1'000'000;
  static constexpr size_t kMaxReprChars = 4096;

  size_t StorageIndex(const Storage& s) {
    return storages_.emplace(s.id(), storages_.size()).first->second;
  }

  std::map<const void*, size_t> storages_;  // storage id -> index, as "tensors" numbers them
  std::map<const void*, std::string> seen_;
  size_t nodes_ = 0;
};

struct TensorInfo {
  std::string path;
  Tensor tensor;
  size_t storage_index;
};

// Paths of a walk over a loaded value, built only where one is printed: a
// walk keeps one node per container or tensor it reaches, each naming its
// parent, so a chain a million deep costs a million nodes, not a million
// growing strings.
class PathTree {
 public:
  static constexpr int64_t kRoot = -1;
  int64_t Add(int64_t parent, std::string component) {
    nodes_.push_back({parent, std::move(component)});
    return static_cast<int64_t>(nodes_.size()) - 1;
  }
  // "/a/0/b", or "/" for the root.
  std::string Path(int64_t node) const {
    std::vector<const std::string*> parts;
    for (int64_t n = node; n != kRoot; n = nodes_[n].parent) parts.push_back(&nodes_[n].component);
    if (parts.empty()) return "/";
    std::string path;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) absl::StrAppend(&path, "/", **it);
    return path;
  }

 private:
  struct Node {
    int64_t parent;
    std::string component;
  };
  std::vector<Node> nodes_;
};

std::string KeyName(const Value& key) {
  return key.is_str() ? key.as_string() : key.Repr(Value::kMessageReprChars);
}

// Whether a walk looks inside `v`: a tensor, or a container that may hold one.
bool MayHoldTensors(const Value& v) {
  return v.is_tensor() || v.is_list() || v.is_tuple() || v.is_dict();
}

// Every tensor with its path, in file order, at any depth, dict keys
// included ("<key> (key)").  A container reached twice (a file may share one
// list between two places, or nest shared lists exponentially deep) is
// listed under the first path only.
void CollectTensors(const Value& root, std::vector<TensorInfo>* out,
                    std::map<const void*, size_t>* storages) {
  PathTree paths;
  std::set<const void*> seen_containers;
  struct Pending {
    const Value* v;
    int64_t node;
  };
  std::vector<Pending> stack = {{&root, PathTree::kRoot}};
  std::vector<Pending> children;
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    const Value& v = *p.v;
    if (v.is_tensor()) {
      auto [it, _] = storages->emplace(v.tensor().storage().id(), storages->size());
      out->push_back({paths.Path(p.node), v.tensor(), it->second});
      continue;
    }
    if (!MayHoldTensors(v) || !seen_containers.insert(v.identity()).second) continue;
    children.clear();
    if (v.is_dict()) {
      for (const auto& item : v.dict().items()) {
        const std::string key = KeyName(item.key);
        if (MayHoldTensors(item.key)) {
          children.push_back({&item.key, paths.Add(p.node, key + " (key)")});
        }
        if (MayHoldTensors(item.value)) children.push_back({&item.value, paths.Add(p.node, key)});
      }
    } else {
      const absl::Span<const Value> items = v.sequence_items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (MayHoldTensors(items[i])) {
          children.push_back({&items[i], paths.Add(p.node, absl::StrCat(i))});
        }
      }
    }
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
}

std::string Shape(const std::vector<int64_t>& v) {
  return absl::StrCat("(", absl::StrJoin(v, ", "), v.size() == 1 ? ",)" : ")");
}

// The pickle bytes to disassemble: data.pkl of a zip; the whole stream of a
// legacy file (its five pickles are listed one after another).  Views of the
// memory-mapped file where the bytes are stored, never a second copy.
absl::StatusOr<Storage> PickleBytes(const std::string& path, FileFormat format) {
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::MapFile(path));
  std::shared_ptr<const ByteSource> source(std::move(src));
  if (format == FileFormat::kZip || format == FileFormat::kTorchScript) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive, TorchArchive::Open(source));
    return archive->ReadRecord("data.pkl");
  }
  if (format == FileFormat::kTar) {
    // The object pickle of the old tar format is its `pickle` member.
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TarReader> tar, TarReader::Open(source));
    return tar->ReadFile("pickle");
  }
  return source->StorageAt(0, source->size());
}

absl::string_view View(const Storage& s) {
  return absl::string_view(static_cast<const char*>(s.data()), s.nbytes());
}

// Calls `visit` on each opcode of the consecutive pickles at the start of
// `bytes` (a legacy file has five, then raw storage bytes), with offsets from
// the start of `bytes`.  Nothing is kept: a pickle of millions of opcodes is
// listed in constant memory (issue 12 §4).
absl::Status ForEachPickleOp(absl::string_view bytes, int max_pickles,
                             const std::function<absl::Status(const PickleOp&)>& visit) {
  size_t pos = 0;
  PickleOp shifted;
  for (int i = 0; i < max_pickles && pos < bytes.size(); ++i) {
    size_t last = 0;
    PTSER_RETURN_IF_ERROR(DisassembleEach(bytes.substr(pos), [&](const PickleOp& o) {
                            shifted = o;
                            shifted.offset += pos;
                            last = o.offset;
                            return visit(shifted);
                          }).status());
    pos += last + 1;
  }
  return absl::OkStatus();
}

}  // namespace

int Inspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string path;
  bool json = false, pickle = false, code = false, keep_unknown = false;
  for (const std::string& a : args) {
    if (a == "--json") json = true;
    else if (a == "--pickle") pickle = true;
    else if (a == "--code") code = true;
    else if (a == "--keep-unknown-globals") keep_unknown = true;
    else if (a == "--help" || a == "-h") {
      out << "usage: ptser inspect FILE [--json] [--pickle] [--code] [--keep-unknown-globals]\n\n"
             "The format, version and records of FILE, then every tensor: dtype, shape,\n"
             "strides, storage offset and which tensors share a storage.  --json for\n"
             "scripts, with the whole object tree under \"value\" (epoch, args, optimizer\n"
             "settings; tensors as their metadata); --pickle lists the pickle opcode by\n"
             "opcode with byte offsets.\n"
             "--keep-unknown-globals: a class or function ptser does not know is kept as\n"
             "an inert object (its name and arguments; nothing runs) instead of refused.\n"
             "A TorchScript archive shows its module tree (as print(torch.jit.load(f))),\n"
             "parameters, buffers, classes, constants and extra files; --code prints\n"
             "its code records.\n";
      return kOk;
    } else if (path.empty()) path = a;
    else { err << "ptser inspect: unexpected argument '" << a << "'\n"; return kUsage; }
  }
  if (path.empty()) {
    err << "usage: ptser inspect FILE [--json] [--pickle] [--code] [--keep-unknown-globals]\n";
    return kUsage;
  }
  absl::StatusOr<std::unique_ptr<ByteSource>> src = ByteSource::OpenFile(path);
  if (!src.ok()) return Fail(err, src.status());
  absl::StatusOr<FileFormat> format = DetectFormat(**src);
  if (!format.ok()) return Fail(err, format.status());
  Json report;
  Storage pickle_bytes;  // --pickle --json: listed after the load
  report["file"] = path;
  report["format"] = EndsWith(path, ".index.json") ? "sharded checkpoint (index.json)"
                     : EndsWith(path, ".safetensors") ? "safetensors"
                                                      : FormatName(*format);
  std::shared_ptr<const ByteSource> source(std::move(*src));
  if (*format == FileFormat::kZip && !pickle && IsTorchScriptFile(path)) {
    return InspectScript(path, json, code, out, err);
  }
  if (*format == FileFormat::kZip) {
    absl::StatusOr<std::unique_ptr<TorchArchive>> archive = TorchArchive::Open(source);
    if (!archive.ok()) return Fail(err, archive.status());
    if ((*archive)->is_torchscript()) report["format"] = FormatName(FileFormat::kTorchScript);
    report["version"] = (*archive)->version();
    report["folder"] = (*archive)->prefix();
    Json records = Json::array();
    for (const ZipEntry& e : (*archive)->zip().entries()) {
      absl::StatusOr<uint64_t> offset = (*archive)->zip().DataOffset(e);
      records.push_back({{"name", e.name.substr((*archive)->prefix().size() + 1)},
                         {"size", e.uncompressed_size},
                         {"stored", e.method == 0},
                         {"crc32", e.crc32},
                         {"offset", offset.ok() ? *offset : 0}});
    }
    report["records"] = records;
  }
  if (pickle && EndsWith(path, ".safetensors")) {
    return Fail(err, absl::InvalidArgumentError(
                         absl::StrCat("'", path, "' is a safetensors file: it has no pickle")));
  }
  const int pickles = *format == FileFormat::kLegacy ? 5 : 1;
  if (pickle) {
    absl::StatusOr<Storage> bytes = PickleBytes(path, *format);
    if (!bytes.ok()) return Fail(err, bytes.status());
    // Checked whole before anything is written (an error comes alone),
    // then listed in a second pass, op by op.
    absl::Status checked = ForEachPickleOp(View(*bytes), pickles, [](const PickleOp&) {
      return absl::OkStatus();
    });
    if (!checked.ok()) return Fail(err, checked);
    if (!json) {
      (void)ForEachPickleOp(View(*bytes), pickles, [&](const PickleOp& o) {
        out << FormatPickleOp(o);
        return absl::OkStatus();
      });
      return kOk;
    }
    pickle_bytes = *std::move(bytes);  // written op by op with the report
  }
  LoadOptions load_options = ToolLoadOptions();
  if (keep_unknown) {
    load_options.unpickler.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  }
  absl::StatusOr<Value> value = LoadForTools(path, load_options);
  if (!value.ok()) return Fail(err, value.status());
  std::vector<TensorInfo> tensors;
  std::map<const void*, size_t> storages;
  CollectTensors(*value, &tensors, &storages);
  std::map<size_t, std::vector<std::string>> sharing;
  for (const TensorInfo& t : tensors) sharing[t.storage_index].push_back(t.path);
  report["object"] = value->TypeName();
  Json tj = Json::array();
  for (const TensorInfo& t : tensors) {
    tj.push_back({{"path", t.path},
                  {"dtype", std::string(DtypeName(t.tensor.dtype()))},
                  {"shape", t.tensor.sizes()},
                  {"strides", t.tensor.strides()},
                  {"offset", t.tensor.storage_offset()},
                  {"storage", t.storage_index},
                  {"storage_bytes", t.tensor.storage().nbytes()},
                  {"device", t.tensor.device().ToString()},
                  {"requires_grad", t.tensor.requires_grad()},
                  {"parameter", t.tensor.is_parameter()}});
  }
  report["tensors"] = tj;
  if (json) {
    ValueTree tree(storages);
    report["value"] = tree.Write(*value, "", 0);
    // Names from the file (records, dict keys) may not be UTF-8, and a str may
    // hold a lone surrogate (Python's surrogatepass): such text is written as
    // U+FFFD rather than failing the whole report.
    constexpr auto kReplace = Json::error_handler_t::replace;
    const std::string rest = report.dump(2, ' ', false, kReplace);  // "{\n  \"file\": ..."
    if (!pickle) {
      out << rest << "\n";
      return kOk;
    }
    // The disassembly is streamed, not built as a JSON tree: a checkpoint of
    // 100,000 tensors has millions of opcodes (issue 12 §4).
    out << "{\n  \"pickle\": [";
    bool first = true;
    (void)ForEachPickleOp(View(pickle_bytes), pickles, [&](const PickleOp& o) {
      out << (first ? "\n    " : ",\n    ") << "{\"offset\": " << o.offset
          << ", \"op\": \"" << o.name << "\", \"arg\": "
          << Json(o.arg).dump(-1, ' ', false, kReplace) << "}";
      first = false;
      return absl::OkStatus();
    });
    out << "\n  ],\n" << rest.substr(2) << "\n";
    return kOk;
  }
  out << path << ": " << report["format"].get<std::string>();
  if (report.contains("version")) {
    out << ", version " << report["version"].get<uint64_t>() << ", folder '"
        << report["folder"].get<std::string>() << "'";
  }
  out << "\n";
  if (report.contains("records")) {
    out << "records:\n";
    for (const auto& r : report["records"]) {
      out << "  " << r["name"].get<std::string>() << "  " << r["size"].get<uint64_t>()
          << " bytes at " << r["offset"].get<uint64_t>()
          << (r["stored"].get<bool>() ? "" : " (deflated)") << "\n";
    }
  }
  out << "object: " << value->TypeName() << " with " << tensors.size() << " tensors on "
      << storages.size() << " storages\n";
  for (const TensorInfo& t : tensors) {
    out << "  " << t.path << ": " << DtypeName(t.tensor.dtype()) << " " << Shape(t.tensor.sizes())
        << " strides " << Shape(t.tensor.strides()) << " offset " << t.tensor.storage_offset()
        << " storage #" << t.storage_index << " (" << t.tensor.storage().nbytes() << " bytes";
    const auto& peers = sharing[t.storage_index];
    if (peers.size() > 1) out << ", shared by " << peers.size() << " tensors";
    out << ")";
    if (t.tensor.is_parameter()) out << " Parameter";
    if (t.tensor.requires_grad()) out << " requires_grad";
    out << "\n";
  }
  return kOk;
}

// A failure of verify: a file PyTorch would read differently from ptser (a
// parser differential) is a finding, anything else an unreadable file.
int VerifyFailure(std::ostream& out, std::ostream& err, const absl::Status& s) {
  if (!IsDifferential(s)) return Fail(err, s);
  out << "  AMBIGUOUS " << s.message() << "\n"
      << "1 finding: PyTorch may read this file differently from ptser; do not torch.load it\n";
  return kFinding;
}

// One torch.save file: kOk, kFinding, or the failure code (reported).
// `load_when_clean` also loads a clean file, proving ptser reads it.
int VerifyOne(const std::string& path, std::ostream& out, std::ostream& err,
              bool load_when_clean) {
  if (IsTorchScriptFile(path)) return VerifyScript(path, out, err, load_when_clean);
  bool safetensors = EndsWith(path, ".safetensors");
  if (!safetensors) {
    absl::StatusOr<std::unique_ptr<ByteSource>> probe = ByteSource::OpenFile(path);
    if (probe.ok()) {
      absl::StatusOr<FileFormat> f = DetectFormat(**probe);
      safetensors = f.ok() && *f == FileFormat::kSafetensors;
    }
  }
  if (safetensors) {
    // No pickle, no CRCs: the header checks are the whole verdict.
    SafetensorsMetadata metadata;
    absl::StatusOr<Value> value = LoadForTools(path, ToolLoadOptions(), &metadata);
    if (!value.ok()) return Fail(err, value.status());
    out << path << ": safetensors\n"
        << "  header  " << value->dict().size() << " tensors tile the data exactly, "
        << metadata.size() << " metadata entries\n"
        << "clean: no pickle, nothing in it can name code; ptser loads it\n";
    return kOk;
  }
  absl::StatusOr<std::unique_ptr<ByteSource>> src = ByteSource::OpenFile(path);
  if (!src.ok()) return VerifyFailure(out, err, src.status());
  absl::StatusOr<FileFormat> format = DetectFormat(**src);
  if (!format.ok()) return VerifyFailure(out, err, format.status());
  std::shared_ptr<const ByteSource> source(std::move(*src));
  int findings = 0;
  out << path << ": " << FormatName(*format) << "\n";
  // Read first: a pickle over its limit (a deflated data.pkl declaring
  // gigabytes) is refused before any record is inflated to check its CRC.
  absl::StatusOr<Storage> pickle_bytes = PickleBytes(path, *format);
  if (!pickle_bytes.ok()) return VerifyFailure(out, err, pickle_bytes.status());
  if (*format == FileFormat::kZip) {
    absl::StatusOr<std::unique_ptr<ZipReader>> zip = ZipReader::Open(source);
    if (!zip.ok()) return VerifyFailure(out, err, zip.status());
    // Streamed: a record is never held whole (a small file may claim
    // gigabytes of deflated records that nothing references).
    for (const ZipEntry& e : (*zip)->entries()) {
      absl::Status checked = (*zip)->Verify(e);
      if (!checked.ok()) {
        ++findings;
        out << "  BAD  " << e.name << ": " << checked.message() << "\n";
      }
    }
    if (findings == 0) out << "  crc  all " << (*zip)->entries().size() << " records match\n";
  } else if (*format != FileFormat::kLegacy && *format != FileFormat::kTar) {
    return Fail(err, absl::UnimplementedError(absl::StrCat("cannot verify ", FormatName(*format))));
  }
  const absl::string_view bytes = View(*pickle_bytes);
  std::vector<GlobalReference> globals;
  size_t pos = 0;
  const int pickles = *format == FileFormat::kLegacy ? 5 : 1;
  for (int i = 0; i < pickles && pos < bytes.size(); ++i) {
    absl::string_view rest = bytes.substr(pos);
    absl::StatusOr<std::vector<GlobalReference>> refs = ReferencedGlobals(rest);
    if (!refs.ok()) return VerifyFailure(out, err, refs.status());
    for (GlobalReference g : *refs) {
      g.offset += pos;
      globals.push_back(g);
    }
    if (i + 1 == pickles) break;  // where the next pickle starts is all that is left to find
    size_t last = 0;
    absl::Status ops = DisassembleEach(rest, [&](const PickleOp& o) {
                         last = o.offset;
                         return absl::OkStatus();
                       }).status();
    if (!ops.ok()) return VerifyFailure(out, err, ops);
    pos += last + 1;
  }
  std::map<std::string, int> seen;
  for (const GlobalReference& g : globals) {
    std::string name = g.resolved ? g.module + "." + g.name : "<unresolved STACK_GLOBAL>";
    if (seen[name]++ > 0) continue;
    GlobalRef mapped = MapLegacyGlobalName(GlobalRef{g.module, g.name});
    const bool allowed = g.resolved && TorchGlobals().Find(mapped.module, mapped.name) != nullptr;
    if (!allowed) ++findings;
    out << "  " << (allowed ? "ok     " : "REFUSED") << " " << name << " (first at offset "
        << g.offset << ")\n";
  }
  if (*format == FileFormat::kTar) {
    // torch.load unpickles the storages and tensors members with plain
    // pickle.load: they are judged by loading them through ptser's registry,
    // and a member ptser cannot read is a finding, not an unreadable file.
    absl::StatusOr<Value> value = LoadForTools(path);
    if (!value.ok()) {
      if (IsDifferential(value.status())) return VerifyFailure(out, err, value.status());
      ++findings;
      out << "  BAD  tar members: " << value.status().message() << "\n";
    } else if (findings == 0) {
      out << "clean: ptser loads it without running anything\n";
      return kOk;
    }
  }
  if (findings == 0) {
    if (load_when_clean) {
      absl::StatusOr<Value> value = LoadForTools(path);
      if (!value.ok()) return VerifyFailure(out, err, value.status());
      out << "clean: ptser loads it without running anything\n";
    }
    return kOk;
  }
  out << findings << (findings == 1 ? " finding" : " findings")
      << ": do not torch.load this file with weights_only=False\n";
  return kFinding;
}

int Verify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || args[0] == "--help" || args[0] == "-h") {
    (args.size() == 1 ? out : err)
        << "usage: ptser verify FILE\n\n"
           "Checks every record's CRC-32 and the structure, and lists every global the\n"
           "pickle names with ptser's verdict.  FILE may be a sharded checkpoint's\n"
           "*.index.json: every shard is verified, then the index is checked against\n"
           "them.  A .safetensors file gets every check of the reference reader.\n"
           "Exit 0 when clean, 3 when it finds a global ptser refuses, a bad CRC or an\n"
           "index its shards disagree with, 1 when a file cannot be read.\n";
    return args.size() == 1 ? kOk : kUsage;
  }
  const std::string& path = args[0];
  if (!EndsWith(path, kShardedIndexSuffix)) return VerifyOne(path, out, err, true);
  absl::StatusOr<ShardedIndex> index = ReadShardedIndex(path);
  if (!index.ok()) return Fail(err, index.status());
  out << path << ": sharded index, " << index->keys.size() << " tensors in "
      << index->shards.size() << " shards\n";
  int bad_shards = 0;
  for (size_t i = 0; i < index->shards.size(); ++i) {
    const int rc = VerifyOne(index->ShardPath(i), out, err, false);
    if (rc == kFinding) {
      ++bad_shards;
    } else if (rc != kOk) {
      return rc;
    }
  }
  if (bad_shards > 0) {
    out << bad_shards << " of " << index->shards.size()
        << " shards have findings: do not torch.load them with weights_only=False\n";
    return kFinding;
  }
  absl::StatusOr<Value> value = LoadForTools(path);
  if (!value.ok()) {
    if (IsDifferential(value.status())) return VerifyFailure(out, err, value.status());
    // Every shard loads on its own: what failed is the index against the
    // shards (a key in the wrong shard, missing, or not in the index), a
    // finding about files ptser could read.
    for (size_t i = 0; i < index->shards.size(); ++i) {
      absl::StatusOr<Value> shard = LoadForTools(index->ShardPath(i));
      if (!shard.ok()) return Fail(err, value.status());
    }
    out << "  BAD  " << value.status().message() << "\n"
        << "1 finding: the index and its shards disagree\n";
    return kFinding;
  }
  out << "clean: ptser loads every shard and they match the index, without running anything\n";
  return kOk;
}

namespace {

// Bytes of `path`, or of every shard of a sharded index.
absl::StatusOr<uint64_t> InputBytes(const std::string& path) {
  std::vector<std::string> files = {path};
  if (EndsWith(path, kShardedIndexSuffix)) {
    PTSER_ASSIGN_OR_RETURN(ShardedIndex index, ReadShardedIndex(path));
    for (size_t i = 0; i < index.shards.size(); ++i) files.push_back(index.ShardPath(i));
  }
  uint64_t total = 0;
  for (const std::string& f : files) {
    struct stat st;
    if (stat(f.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat("cannot stat '", f, "'"));
    }
    total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

// safetensors writes every tensor contiguous: a stride-0 view of a few bytes
// can stand for gigabytes.  Output over `max_growth` times the input is
// refused, saying how to allow it.
absl::Status CheckGrowth(const std::string& in, const Value& state_dict, double max_growth) {
  if (!state_dict.is_dict()) return absl::OkStatus();  // SaveSafetensors refuses it
  double out_bytes = 0;
  for (const auto& item : state_dict.dict().items()) {
    if (!item.value.is_tensor()) continue;
    const Tensor& t = item.value.tensor();
    out_bytes += static_cast<double>(t.numel()) * static_cast<double>(t.itemsize());
  }
  PTSER_ASSIGN_OR_RETURN(uint64_t in_bytes, InputBytes(in));
  const double limit = max_growth * static_cast<double>(std::max<uint64_t>(in_bytes, 1));
  if (out_bytes <= limit) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrFormat(
      "'%s' (%d bytes) would become %.0f bytes of safetensors, more than %g times its size "
      "(views such as broadcast tensors are written contiguous); pass --max-growth N to "
      "allow more",
      in, in_bytes, out_bytes, max_growth));
}

}  // namespace

// What `convert --state-dict` writes: a TorchScript archive's state dict, or
// a whole model's (torch.save(model)) rebuilt from its pickled objects kept
// inert (jit/pickled_module.h) — nothing in the file runs.
absl::StatusOr<Value> StateDictOfFile(const std::string& path) {
  if (IsTorchScriptFile(path)) return ScriptStateDict(path);
  LoadOptions options = ToolLoadOptions();
  options.unpickler.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  absl::StatusOr<Value> model = LoadForTools(path, options);
  if (!model.ok()) return model.status();
  return StateDictOfPickledModule(*model);
}

int Convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths;
  std::string format;
  bool durable = true, state_dict = false;
  int protocol = 0;  // 0: the input's
  double max_growth = 64;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) format = args[++i];
    else if (args[i] == "--protocol" && i + 1 < args.size()) {
      if (!absl::SimpleAtoi(args[++i], &protocol) || protocol < 1 || protocol > 5) {
        err << "ptser convert: --protocol takes 1 to 5, not '" << args[i] << "'\n";
        return kUsage;
      }
    } else if (args[i] == "--no-fsync") durable = false;
    else if (args[i] == "--state-dict") state_dict = true;
    else if (args[i] == "--max-growth" && i + 1 < args.size()) {
      if (!absl::SimpleAtod(args[++i], &max_growth) || !(max_growth > 0)) {
        err << "ptser convert: --max-growth takes a positive number\n";
        return kUsage;
      }
    }
    else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: ptser convert IN OUT [--format zip|legacy|safetensors] [--protocol N]\n"
             "                            [--state-dict] [--max-growth N] [--no-fsync]\n\n"
             "Reads any file ptser loads (zip, legacy, .safetensors) and writes it in the\n"
             "chosen format (default: safetensors when OUT ends in .safetensors, else\n"
             "zip), pickled at IN's pickle protocol (--protocol N: at N, 1 to 5).  A zip\n"
             "written from a PyTorch 1.13 file is byte-identical to what\n"
             "torch.save(torch.load(IN), OUT, pickle_protocol=P) writes.  safetensors\n"
             "keeps no views: shared\n"
             "or strided tensors are written contiguous, and the command says which.\n"
             "A failed convert leaves nothing at OUT.  --no-fsync skips the final\n"
             "fsync (still atomic, but not durable across a power cut).  Written\n"
             "contiguous, a broadcast view (stride 0) can be far larger than its\n"
             "file: safetensors output over --max-growth times IN (default 64) is\n"
             "refused.\n"
             "A TorchScript archive IN is rewritten as a TorchScript archive.\n"
             "--state-dict writes IN's state dict instead: a TorchScript archive's\n"
             "(torch.jit.load(IN).state_dict()), or a whole model's saved with\n"
             "torch.save(model) (model.state_dict(), rebuilt from its pickled objects\n"
             "kept inert: nothing in the file runs), as torch.save or safetensors.\n";
      return kOk;
    } else paths.push_back(args[i]);
  }
  if (paths.size() != 2) {
    err << "usage: ptser convert IN OUT [--format zip|legacy|safetensors] [--protocol N] "
           "[--state-dict]\n";
    return kUsage;
  }
  if (format.empty()) format = EndsWith(paths[1], ".safetensors") ? "safetensors" : "zip";
  if (!state_dict && IsTorchScriptFile(paths[0])) {
    if (format != "zip") {
      err << "ptser convert: '" << paths[0] << "' is a TorchScript archive: it converts to "
          << "a TorchScript archive, or with --state-dict to its state dict\n";
      return kUsage;
    }
    return ConvertScript(paths[0], paths[1], durable, out, err);
  }
  SaveOptions save;
  save.durable = durable;
  if (protocol == 0 && format != "safetensors") {
    absl::StatusOr<int> in_protocol = InputPickleProtocol(paths[0]);
    if (!in_protocol.ok()) return Fail(err, in_protocol.status());
    protocol = *in_protocol;
  }
  save.pickle_protocol = protocol;
  if (format == "zip") {
    save.format = SaveOptions::Format::kZip;
  } else if (format == "legacy") {
    save.format = SaveOptions::Format::kLegacy;
  } else if (format != "safetensors") {
    err << "ptser convert: unknown format '" << format << "' (zip, legacy or safetensors)\n";
    return kUsage;
  }
  // zip to zip from one zip file: one CRC pass (OnePassCrcCheck).
  OnePassCrcCheck one_pass;
  bool single_zip = false;
  if (format == "zip" && !state_dict && !EndsWith(paths[0], ".safetensors") &&
      !EndsWith(paths[0], kShardedIndexSuffix)) {
    absl::StatusOr<std::unique_ptr<ByteSource>> probe = ByteSource::OpenFile(paths[0]);
    if (!probe.ok()) return Fail(err, probe.status());
    absl::StatusOr<FileFormat> in_format = DetectFormat(**probe);
    single_zip = in_format.ok() && *in_format == FileFormat::kZip;
  }
  if (single_zip) {
    absl::Status st = one_pass.VerifyOtherRecords(paths[0]);
    if (!st.ok()) return Fail(err, st);
    save.expected_crc32 = one_pass.Expected();
  }
  // A .safetensors input's __metadata__ goes to a .safetensors output; a
  // PyTorch file's gets Hugging Face's {"format": "pt"}.
  SafetensorsMetadata metadata;
  absl::StatusOr<Value> value = state_dict   ? StateDictOfFile(paths[0])
                                : single_zip ? LoadForTools(paths[0], one_pass.Options())
                                             : LoadForTools(paths[0], ToolLoadOptions(), &metadata);
  if (!value.ok()) return Fail(err, value.status());
  if (!EndsWith(paths[0], ".safetensors")) metadata = {{"format", "pt"}};
  if (format == "safetensors") {
    absl::Status growth = CheckGrowth(paths[0], *value, max_growth);
    if (!growth.ok()) return Fail(err, growth);
    AtomicFileSink::Options sink_options;
    sink_options.durable = durable;
    absl::StatusOr<std::unique_ptr<AtomicFileSink>> sink =
        AtomicFileSink::Create(paths[1], sink_options);
    if (!sink.ok()) return Fail(err, sink.status());
    SafetensorsSaveReport report;
    absl::Status st = SaveSafetensors(*value, sink->get(), &report, metadata);
    if (st.ok()) st = (*sink)->Commit();
    if (!st.ok()) return Fail(err, st);
    for (const std::string& n : report.made_contiguous) {
      out << "note: '" << n << "' was a strided or offset view; written contiguous\n";
    }
    for (const std::string& n : report.unshared) {
      out << "note: '" << n << "' shared its storage; written as its own copy\n";
    }
    out << "wrote " << paths[1] << "\n";
    return kOk;
  }
  ProgressBar bar("convert");
  save.progress = bar.Callback();
  absl::Status s = Save(*value, paths[1], save);
  bar.Finish();
  if (!s.ok()) return Fail(err, s);
  out << "wrote " << paths[1] << "\n";
  return kOk;
}

int Compact(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) {
    (args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? out : err)
        << "usage: ptser compact IN OUT\n\n"
           "Rewrites IN with every storage trimmed to the bytes its tensors use; views\n"
           "keep sharing their (smaller) storage.  Prints the sizes before and after.\n";
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kOk : kUsage;
  }
  // The size of IN before the save: OUT may be IN itself (`compact X X`).
  struct stat in_stat;
  const bool have_in_size = stat(args[0].c_str(), &in_stat) == 0;
  absl::StatusOr<Value> value = LoadForTools(args[0]);
  if (!value.ok()) return Fail(err, value.status());
  SaveOptions save;
  save.compact = true;
  ProgressBar bar("compact");
  save.progress = bar.Callback();
  absl::Status s = Save(*value, args[1], save);
  bar.Finish();
  if (!s.ok()) return Fail(err, s);
  struct stat out_stat;
  if (have_in_size && stat(args[1].c_str(), &out_stat) == 0) {
    out << args[0] << ": " << in_stat.st_size << " bytes -> " << args[1] << ": "
        << out_stat.st_size << " bytes\n";
  }
  return kOk;
}

namespace {

struct DiffState {
  double rtol = 1e-5;
  double atol = 1e-8;
  std::vector<std::string> differences;
  // Container pairs already compared: files whose containers share
  // sub-containers are walked once per pair, not once per path.
  std::set<std::pair<const void*, const void*>> seen;
  PathTree paths;
};

// One pair of values still to compare, at paths.Path(node).
struct DiffPair {
  const Value* a;
  const Value* b;
  int64_t node;
};

void DiffTensors(const Value& a, const Value& b, const std::string& where, DiffState* st) {
  const Tensor& x = a.tensor();
  const Tensor& y = b.tensor();
  if (x.dtype() != y.dtype() || x.sizes() != y.sizes()) {
    st->differences.push_back(absl::StrCat(where, ": ", DtypeName(x.dtype()), Shape(x.sizes()),
                                           " vs ", DtypeName(y.dtype()), Shape(y.sizes())));
    return;
  }
  if (IsQuantized(x.dtype())) {
    // As torch.equal on quantized tensors: same scheme, scales, zero
    // points and integer values; no tolerance applies.
    if (!ValuesEqual(a, b)) {
      st->differences.push_back(where + ": quantized " + std::string(DtypeName(x.dtype())) +
                                " tensors differ (integer values or quantizer)");
    }
    return;
  }
  absl::StatusOr<Tensor> xd = Cast(x, IsComplex(x.dtype()) ? ScalarType::kComplexDouble
                                                            : ScalarType::kDouble);
  absl::StatusOr<Tensor> yd = Cast(y, IsComplex(y.dtype()) ? ScalarType::kComplexDouble
                                                            : ScalarType::kDouble);
  if (!xd.ok() || !yd.ok()) {
    st->differences.push_back(where + ": cannot compare values of " +
                              std::string(DtypeName(x.dtype())));
    return;
  }
  const double* p = static_cast<const double*>(xd->data());
  const double* q = static_cast<const double*>(yd->data());
  const int64_t n = xd->numel() * (IsComplex(x.dtype()) ? 2 : 1);
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = std::fabs(p[i] - q[i]);
    const bool both_nan = std::isnan(p[i]) && std::isnan(q[i]);
    if (!both_nan && !(p[i] == q[i]) && !(d <= st->atol + st->rtol * std::fabs(q[i]))) {
      ++bad;
      worst = std::isnan(d) ? d : std::max(worst, d);
    }
  }
  if (bad > 0) {
    st->differences.push_back(absl::StrCat(where, ": ", bad, " of ", n,
                                           " values differ (max abs diff ", worst, ")"));
  }
}

// What diff does not walk into: Python equality, except that floats and
// complex numbers compare bit for bit (a NaN equals the same NaN, -0.0 is not
// 0.0: a file compared with its copy is equal, a sign change is a change).  Sets and objects that
// Python equality calls different (a NaN inside) are equal when their whole
// reprs are; values are never compared by a cut-off repr.
bool SameLeaf(const Value& a, const Value& b) {
  if ((a.is_float() && b.is_float()) || (a.is_complex() && b.is_complex())) {
    // Compared as the bytes the files hold: a sign change (0.0 and -0.0,
    // 1+0j and 1-0j) is a change, and a NaN equals the same NaN.
    const std::complex<double> x = a.is_float() ? a.as_float() : a.as_complex();
    const std::complex<double> y = b.is_float() ? b.as_float() : b.as_complex();
    return std::memcmp(&x, &y, sizeof(x)) == 0;
  }
  if (ValuesEqual(a, b)) return true;
  if (a.kind() != Value::Kind::kSet && a.kind() != Value::Kind::kFrozenSet &&
      a.kind() != Value::Kind::kObject) {
    return false;
  }
  constexpr size_t kWhole = size_t{1} << 20;
  const std::string ra = a.Repr(kWhole);
  return ra.size() < kWhole && ra == b.Repr(kWhole);
}

// Items of two dicts, matched by key.  Keys Python hashes by identity
// (tensors, objects) never find each other across two files: such a key is
// matched with the key at the same position when the two are equal.
void DiffDicts(const Value& a, const Value& b, int64_t node, DiffState* st,
               std::vector<DiffPair>* children) {
  const auto& xs = a.dict().items();
  const auto& ys = b.dict().items();
  std::set<const Value*> matched;  // values of b
  for (size_t i = 0; i < xs.size(); ++i) {
    const std::string key = KeyName(xs[i].key);
    const Value* other = b.dict().Find(xs[i].key);
    if (other == nullptr && i < ys.size() && !xs[i].key.is_str() &&
        xs[i].key.kind() == ys[i].key.kind() && !matched.count(&ys[i].value) &&
        ValuesEqual(xs[i].key, ys[i].key)) {
      other = &ys[i].value;
    }
    if (other == nullptr) {
      st->differences.push_back(
          absl::StrCat(st->paths.Path(st->paths.Add(node, key)), ": only in the first file"));
      continue;
    }
    matched.insert(other);
    children->push_back({&xs[i].value, other, st->paths.Add(node, key)});
  }
  for (const auto& item : ys) {
    if (matched.count(&item.value)) continue;
    st->differences.push_back(absl::StrCat(
        st->paths.Path(st->paths.Add(node, KeyName(item.key))), ": only in the second file"));
  }
}

// Compares a and b at any depth (an explicit stack, not recursion), up to
// 1000 differences.
void DiffValues(const Value& root_a, const Value& root_b, DiffState* st) {
  std::vector<DiffPair> stack = {{&root_a, &root_b, PathTree::kRoot}};
  std::vector<DiffPair> children;
  while (!stack.empty() && st->differences.size() < 1000) {
    const DiffPair p = stack.back();
    stack.pop_back();
    const Value& a = *p.a;
    const Value& b = *p.b;
    if (a.kind() != b.kind()) {
      st->differences.push_back(st->paths.Path(p.node) + ": " + a.TypeName() + " vs " +
                                b.TypeName());
      continue;
    }
    if (a.identity() != nullptr && b.identity() != nullptr &&
        !st->seen.emplace(a.identity(), b.identity()).second) {
      continue;
    }
    children.clear();
    switch (a.kind()) {
      case Value::Kind::kTensor:
        DiffTensors(a, b, st->paths.Path(p.node), st);
        break;
      case Value::Kind::kList:
      case Value::Kind::kTuple: {
        const absl::Span<const Value> xs = a.sequence_items();
        const absl::Span<const Value> ys = b.sequence_items();
        if (xs.size() != ys.size()) {
          st->differences.push_back(
              absl::StrCat(st->paths.Path(p.node), ": length ", xs.size(), " vs ", ys.size()));
        }
        for (size_t i = 0; i < std::min(xs.size(), ys.size()); ++i) {
          children.push_back({&xs[i], &ys[i], st->paths.Add(p.node, absl::StrCat(i))});
        }
        break;
      }
      case Value::Kind::kDict:
        DiffDicts(a, b, p.node, st, &children);
        break;
      default:
        if (!SameLeaf(a, b)) {
          st->differences.push_back(st->paths.Path(p.node) + ": " +
                                    a.Repr(Value::kMessageReprChars) + " vs " +
                                    b.Repr(Value::kMessageReprChars));
        }
        break;
    }
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
}

}  // namespace

int Diff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths;
  DiffState st;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--rtol" || args[i] == "--atol") && i + 1 < args.size()) {
      double v;
      if (!absl::SimpleAtod(args[i + 1], &v) || v < 0) {
        err << "ptser diff: " << args[i] << " takes a non-negative number\n";
        return kUsage;
      }
      (args[i] == "--rtol" ? st.rtol : st.atol) = v;
      ++i;
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: ptser diff A B [--rtol R] [--atol A]\n\n"
             "Compares two checkpoints object by object and tensor by tensor\n"
             "(|a - b| <= atol + rtol * |b|, defaults 1e-5 and 1e-8 as torch.allclose).\n"
             "Quantized tensors compare exactly (integer values, scales, zero points),\n"
             "as torch.equal does.  Exit 0 when equal within tolerance, 3 when they differ.\n";
      return kOk;
    } else {
      paths.push_back(args[i]);
    }
  }
  if (paths.size() != 2) { err << "usage: ptser diff A B [--rtol R] [--atol A]\n"; return kUsage; }
  absl::StatusOr<Value> a =
      IsTorchScriptFile(paths[0]) ? ScriptStateDict(paths[0]) : LoadForTools(paths[0]);
  if (!a.ok()) return Fail(err, a.status());
  absl::StatusOr<Value> b =
      IsTorchScriptFile(paths[1]) ? ScriptStateDict(paths[1]) : LoadForTools(paths[1]);
  if (!b.ok()) return Fail(err, b.status());
  DiffValues(*a, *b, &st);
  if (st.differences.empty()) {
    out << "equal (rtol " << st.rtol << ", atol " << st.atol << ")\n";
    return kOk;
  }
  for (const std::string& d : st.differences) out << d << "\n";
  out << (st.differences.size() >= 1000 ? "at least " : "") << st.differences.size()
      << (st.differences.size() == 1 ? " difference" : " differences") << "\n";
  return kFinding;
}

}  // namespace cli
}  // namespace ptser
