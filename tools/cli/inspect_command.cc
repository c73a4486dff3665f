// Copyright ptser authors.
#include "tools/cli/inspect_command.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/byte_source.h"
#include "archive/load.h"
#include "archive/map_location.h"
#include "archive/torch_archive.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"
#include "pickle/disassembler.h"
#include "pickle/unpickler.h"
#include "tools/cli/common.h"
#include "tools/cli/script_commands.h"

namespace ptser {
namespace cli {
namespace {

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
  // Each storage's device as the file records it ('cuda:0'): storages are
  // read on the CPU, and the tag each was saved with (what torch.load's
  // map_location sees) is kept for the report.
  std::map<const void*, std::string> saved_locations;  // storage id -> tag
  load_options.map_location = MapLocation::Function(
      [&](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        saved_locations[s.id()] = tag;
        return std::optional<Storage>(s);
      });
  const auto location_of = [&](const Tensor& t) -> std::string {
    auto it = saved_locations.find(t.storage().id());
    return it == saved_locations.end() ? "cpu" : it->second;
  };
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
                  {"location", location_of(t.tensor)},
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
        << " storage #" << t.storage_index << " (" << location_of(t.tensor) << ", "
        << t.tensor.storage().nbytes() << " bytes";
    const auto& peers = sharing[t.storage_index];
    if (peers.size() > 1) out << ", shared by " << peers.size() << " tensors";
    out << ")";
    if (t.tensor.is_parameter()) out << " Parameter";
    if (t.tensor.requires_grad()) out << " requires_grad";
    out << "\n";
  }
  return kOk;
}

}  // namespace cli
}  // namespace ptser
