// Copyright ptser authors.
#include "tools/cli/inspect_command.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
#include "tools/cli/json_stream.h"
#include "tools/cli/script_commands.h"

namespace ptser {
namespace cli {
namespace {

// Names from the file (records, dict keys) may not be UTF-8, and a str may
// hold a lone surrogate (Python's surrogatepass): such text is written as
// U+FFFD rather than failing the whole report.
constexpr auto kReplace = Json::error_handler_t::replace;

// Storage id -> its number in the report, in the order tensors use them.
using StorageIndices = absl::flat_hash_map<const void*, size_t>;

// `inspect --json`'s "value": the whole object tree, so a checkpoint's epoch,
// args and optimizer settings show.  None, bools, ints, finite floats and strs
// are JSON values; lists and tuples arrays; dicts with str keys objects (in
// order); tensors and storages their metadata; anything else {"type", "repr"}.
// A container reached again (shared, or a cycle) is {"ref": its first path},
// so a DAG of shared lists is walked once.  Written to the stream as it is
// walked: only the first path of each container is kept.
class ValueTree {
 public:
  ValueTree(const StorageIndices& storages, JsonStream& js)
      : storages_(storages), js_(js) {}

  void Write(const Value& v, const std::string& path, int depth) {
    const std::string where = path.empty() ? "/" : path;
    if (depth > kMaxDepth || ++nodes_ > kMaxNodes) {
      js_.Write(Json{{"type", v.TypeName()},
                     {"truncated", absl::StrCat("deeper than ", kMaxDepth, " levels or more than ",
                                                kMaxNodes, " values")}});
      return;
    }
    const void* id = v.identity();
    const bool container = v.is_list() || v.is_tuple() || v.is_dict() || v.is_set() ||
                           v.is_frozenset() || v.is_object();
    if (container && id != nullptr) {
      auto [it, fresh] = seen_.emplace(id, where);
      if (!fresh) {
        js_.Write(Json{{"ref", it->second}});
        return;
      }
    }
    switch (v.kind()) {
      case Value::Kind::kNone:
        js_.Write(nullptr);
        return;
      case Value::Kind::kBool:
        js_.Write(v.as_bool());
        return;
      case Value::Kind::kInt:
        js_.Write(v.as_int());
        return;
      case Value::Kind::kFloat:
        if (!std::isfinite(v.as_float())) break;
        js_.Write(v.as_float());
        return;
      case Value::Kind::kStr:
        js_.Write(v.as_string());
        return;
      case Value::Kind::kList:
      case Value::Kind::kTuple: {
        js_.BeginArray();
        const absl::Span<const Value> xs = v.sequence_items();
        for (size_t i = 0; i < xs.size(); ++i) Write(xs[i], absl::StrCat(path, "/", i), depth + 1);
        js_.End();
        return;
      }
      case Value::Kind::kDict: {
        const auto& items = v.dict().items();
        const bool str_keys = std::all_of(items.begin(), items.end(),
                                          [](const Value::Dict::Item& i) { return i.key.is_str(); });
        if (str_keys) {
          js_.BeginObject();
          for (const auto& item : items) {
            js_.Key(item.key.as_string());
            Write(item.value, absl::StrCat(path, "/", item.key.as_string()), depth + 1);
          }
          js_.End();
          return;
        }
        js_.BeginObject();
        js_.Key("type");
        js_.Write(v.TypeName());
        js_.Key("items");
        js_.BeginArray();
        for (const auto& item : items) {
          const std::string key = item.key.Repr(Value::kMessageReprChars);
          js_.BeginArray();
          Write(item.key, absl::StrCat(path, "/", key, "(key)"), depth + 1);
          Write(item.value, absl::StrCat(path, "/", key), depth + 1);
          js_.End();
        }
        js_.End();
        js_.End();
        return;
      }
      case Value::Kind::kSet:
      case Value::Kind::kFrozenSet: {
        js_.BeginObject();
        js_.Key("type");
        js_.Write(v.TypeName());
        js_.Key("items");
        js_.BeginArray();
        size_t i = 0;
        for (const Value& x : v.set().items()) Write(x, absl::StrCat(path, "/", i++), depth + 1);
        js_.End();
        js_.End();
        return;
      }
      case Value::Kind::kTensor: {
        const Tensor& t = v.tensor();
        js_.Write(Json{{"type", "tensor"},
                       {"dtype", std::string(DtypeName(t.dtype()))},
                       {"shape", t.sizes()},
                       {"strides", t.strides()},
                       {"offset", t.storage_offset()},
                       {"storage", StorageIndex(t.storage())},
                       {"device", t.device().ToString()},
                       {"requires_grad", t.requires_grad()},
                       {"parameter", t.is_parameter()}});
        return;
      }
      case Value::Kind::kStorage: {
        const TypedStorage& ts = v.storage();
        js_.Write(Json{{"type", "storage"},
                       {"dtype", std::string(DtypeName(ts.dtype))},
                       {"nbytes", ts.storage.nbytes()},
                       {"storage", StorageIndex(ts.storage)}});
        return;
      }
      case Value::Kind::kObject: {
        const Value::Object& o = v.object();
        js_.BeginObject();
        js_.Key("type");
        js_.Write("object");
        js_.Key("class");
        js_.Write(o.callee().FullName());
        js_.Key("args");
        Write(o.args(), path + "/args", depth + 1);
        if (!o.kwargs().is_none()) {
          js_.Key("kwargs");
          Write(o.kwargs(), path + "/kwargs", depth + 1);
        }
        if (o.has_state()) {
          js_.Key("state");
          Write(o.state(), path + "/state", depth + 1);
        }
        if (!o.list_items().empty()) {
          js_.Key("list_items");
          js_.BeginArray();
          for (size_t i = 0; i < o.list_items().size(); ++i) {
            Write(o.list_items()[i], absl::StrCat(path, "/items/", i), depth + 1);
          }
          js_.End();
        }
        if (!o.dict_items().empty()) {
          js_.Key("dict_items");
          js_.BeginArray();
          for (const auto& item : o.dict_items()) {
            js_.BeginArray();
            Write(item.key, path + "/dict_items", depth + 1);
            Write(item.value, path + "/dict_items", depth + 1);
            js_.End();
          }
          js_.End();
        }
        js_.End();
        return;
      }
      default:
        break;
    }
    js_.Write(Json{{"type", v.TypeName()}, {"repr", v.Repr(kMaxReprChars)}});
  }

 private:
  static constexpr int kMaxDepth = 200;
  static constexpr size_t kMaxNodes = 1'000'000;
  static constexpr size_t kMaxReprChars = 4096;

  // Storages the tensors use keep their numbers; a bare storage value no
  // tensor uses is numbered after them, in the order the walk meets it.
  size_t StorageIndex(const Storage& s) {
    auto it = storages_.find(s.id());
    if (it != storages_.end()) return it->second;
    return extra_storages_.emplace(s.id(), storages_.size() + extra_storages_.size())
        .first->second;
  }

  const StorageIndices& storages_;  // as "tensors" numbers them
  StorageIndices extra_storages_;
  JsonStream& js_;
  std::map<const void*, std::string> seen_;
  size_t nodes_ = 0;
};

// Whether a walk looks inside `v`: a tensor, or a container that may hold one.
bool MayHoldTensors(const Value& v) {
  return v.is_tensor() || v.is_list() || v.is_tuple() || v.is_dict();
}

// Calls `visit(tensor, paths, node)` on every tensor, in file order, at any
// depth, dict keys included ("<key> (key)"); `paths.Path(node)` is its path.
// A container reached twice (a file may share one list between two places,
// or nest shared lists exponentially deep) is walked under the first path
// only.  Nothing is collected: the report is written as the walk goes.
void ForEachTensor(const Value& root,
                   const std::function<void(const Tensor&, const PathTree&, int64_t)>& visit) {
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
      visit(v.tensor(), paths, p.node);
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
  std::string format_name = EndsWith(path, ".index.json")    ? "sharded checkpoint (index.json)"
                            : EndsWith(path, ".safetensors") ? "safetensors"
                                                             : FormatName(*format);
  std::shared_ptr<const ByteSource> source(std::move(*src));
  if (*format == FileFormat::kZip && !pickle && IsTorchScriptFile(path)) {
    if (keep_unknown) {
      // Said, not silently dropped: a TorchScript pickle names only the
      // archive's classes and torch.jit's helpers, anything else is refused
      // as torch.jit.load refuses it.
      err << "ptser inspect: --keep-unknown-globals does not apply to a TorchScript archive "
             "(torch.jit.load allows no other global; `ptser verify` lists any it names)\n";
    }
    return InspectScript(path, json, code, out, err);
  }
  // A zip's central directory is read here (a broken one is the error) and
  // again after the load for the records: the load reads its own, and two
  // held at once are ~30 MB for 100,000 records.
  const auto open_archive = [&]() -> absl::StatusOr<std::unique_ptr<TorchArchive>> {
    return TorchArchive::Open(source);
  };
  if (*format == FileFormat::kZip) {
    absl::StatusOr<std::unique_ptr<TorchArchive>> archive = open_archive();
    if (!archive.ok()) return Fail(err, archive.status());
    if ((*archive)->is_torchscript()) format_name = FormatName(FileFormat::kTorchScript);
  }
  if (pickle && EndsWith(path, ".safetensors")) {
    return Fail(err, absl::InvalidArgumentError(
                         absl::StrCat("'", path, "' is a safetensors file: it has no pickle")));
  }
  const int pickles = *format == FileFormat::kLegacy ? 5 : 1;
  Storage pickle_bytes;  // --pickle --json: listed after the load
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
  absl::flat_hash_map<const void*, std::string> saved_locations;  // storage id -> tag but "cpu"
  load_options.map_location = MapLocation::Function(
      [&](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        if (tag != "cpu") saved_locations[s.id()] = tag;
        return std::optional<Storage>(s);
      });
  const auto location_of = [&](const Tensor& t) -> std::string {
    auto it = saved_locations.find(t.storage().id());
    return it == saved_locations.end() ? "cpu" : it->second;
  };
  absl::StatusOr<Value> value = LoadForTools(path, load_options);
  if (!value.ok()) return Fail(err, value.status());
  std::unique_ptr<TorchArchive> archive;
  if (*format == FileFormat::kZip) {
    absl::StatusOr<std::unique_ptr<TorchArchive>> reopened = open_archive();
    if (!reopened.ok()) return Fail(err, reopened.status());
    archive = *std::move(reopened);
  }

  // From here on nothing fails: the report is written as it is produced
  // (issue 12: built whole it was ~3 KB a tensor, 634 MB for 100,000).
  // A first walk numbers the storages in the order tensors use them and
  // counts the tensors on each; the second writes.
  StorageIndices storages;        // storage id -> index
  std::vector<size_t> tensors_on;  // index -> how many tensors use it
  size_t tensor_count = 0;
  ForEachTensor(*value, [&](const Tensor& t, const PathTree&, int64_t) {
    auto [it, fresh] = storages.emplace(t.storage().id(), storages.size());
    if (fresh) tensors_on.push_back(0);
    ++tensors_on[it->second];
    ++tensor_count;
  });
  const std::vector<ZipEntry> no_records;
  const std::vector<ZipEntry>& records = archive ? archive->zip().entries() : no_records;
  const auto record_offset = [&](const ZipEntry& e) -> uint64_t {
    absl::StatusOr<uint64_t> offset = archive->zip().DataOffset(e);
    return offset.ok() ? *offset : 0;
  };

  if (json) {
    JsonStream js(out);
    js.BeginObject();
    if (pickle) {
      // One line an opcode (pickletools' order): a checkpoint of 100,000
      // tensors has millions (issue 12 §4).
      js.Key("pickle");
      js.BeginArray();
      std::string line;
      (void)ForEachPickleOp(View(pickle_bytes), pickles, [&](const PickleOp& o) {
        line = absl::StrCat("{\"offset\": ", o.offset, ", \"op\": ", JsonQuote(o.name),
                            ", \"arg\": ", Json(o.arg).dump(-1, ' ', false, kReplace), "}");
        js.WriteRaw(line);
        return absl::OkStatus();
      });
      js.End();
    }
    js.Key("file");
    js.Write(path);
    js.Key("format");
    js.Write(format_name);
    if (archive) {
      js.Key("version");
      js.Write(archive->version());
      js.Key("folder");
      js.Write(archive->prefix());
      js.Key("records");
      js.BeginArray();
      for (const ZipEntry& e : records) {
        js.Write(Json{{"name", e.name.substr(archive->prefix().size() + 1)},
                      {"size", e.uncompressed_size},
                      {"stored", e.method == 0},
                      {"crc32", e.crc32},
                      {"offset", record_offset(e)}});
      }
      js.End();
    }
    js.Key("object");
    js.Write(value->TypeName());
    js.Key("tensors");
    js.BeginArray();
    ForEachTensor(*value, [&](const Tensor& t, const PathTree& paths, int64_t node) {
      js.Write(Json{{"path", paths.Path(node)},
                    {"dtype", std::string(DtypeName(t.dtype()))},
                    {"shape", t.sizes()},
                    {"strides", t.strides()},
                    {"offset", t.storage_offset()},
                    {"storage", storages.at(t.storage().id())},
                    {"storage_bytes", t.storage().nbytes()},
                    {"device", t.device().ToString()},
                    {"location", location_of(t)},
                    {"requires_grad", t.requires_grad()},
                    {"parameter", t.is_parameter()}});
    });
    js.End();
    js.Key("value");
    ValueTree(storages, js).Write(*value, "", 0);
    js.End();
    out << "\n";
    return kOk;
  }
  out << path << ": " << format_name;
  if (archive) {
    out << ", version " << archive->version() << ", folder '" << archive->prefix() << "'";
  }
  out << "\n";
  if (archive) {
    out << "records:\n";
    for (const ZipEntry& e : records) {
      out << "  " << e.name.substr(archive->prefix().size() + 1) << "  " << e.uncompressed_size
          << " bytes at " << record_offset(e) << (e.method == 0 ? "" : " (deflated)") << "\n";
    }
  }
  out << "object: " << value->TypeName() << " with " << tensor_count << " tensors on "
      << storages.size() << " storages\n";
  ForEachTensor(*value, [&](const Tensor& t, const PathTree& paths, int64_t node) {
    const size_t index = storages.at(t.storage().id());
    out << "  " << paths.Path(node) << ": " << DtypeName(t.dtype()) << " " << Shape(t.sizes())
        << " strides " << Shape(t.strides()) << " offset " << t.storage_offset() << " storage #"
        << index << " (" << location_of(t) << ", " << t.storage().nbytes() << " bytes";
    if (tensors_on[index] > 1) out << ", shared by " << tensors_on[index] << " tensors";
    out << ")";
    if (t.is_parameter()) out << " Parameter";
    if (t.requires_grad()) out << " requires_grad";
    out << "\n";
  });
  return kOk;
}

}  // namespace cli
}  // namespace ptser
