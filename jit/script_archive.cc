// Copyright ptser authors.
#include "jit/script_archive.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "archive/byte_sink.h"
#include "archive/load_options.h"
#include "archive/map_location.h"
#include "archive/storage_table.h"
#include "archive/torch_archive.h"
#include "archive/zip_writer.h"
#include "jit/script_pickler.h"
#include "base/status_macros.h"
#include "pickle/globals.h"
#include "pickle/tensor_codec.h"
#include "pickle/torch_globals.h"
#include "pickle/unpickler.h"

namespace ptser {
namespace jit {

const ScriptClass* ScriptArchive::FindClass(absl::string_view qualified_name) const {
  for (const auto& c : classes) {
    if (c->qualified_name == qualified_name) return c.get();
  }
  return nullptr;
}

namespace {

using Args = absl::Span<const Value>;
using ClassTable = std::map<std::string, std::shared_ptr<const ScriptClass>, std::less<>>;

bool IsTorchModule(absl::string_view module) {
  return module == "__torch__" || absl::StartsWith(module, "__torch__.");
}

// Copies the handler TorchGlobals() has for `module.name`.
void CopyTorchHandler(GlobalRegistry* r, absl::string_view module, absl::string_view name) {
  const GlobalHandler* h = TorchGlobals().Find(module, name);
  if (h != nullptr) r->Register(module, name, *h);
}

// The closed set of globals a TorchScript pickle may name (see the header).
GlobalRegistry ScriptGlobals(const ClassTable* classes,
                             TypeTags* tags) {
  GlobalRegistry r;
  CopyTorchHandler(&r, "torch._utils", "_rebuild_tensor_v2");
  CopyTorchHandler(&r, "torch._utils", "_rebuild_qtensor");
  CopyTorchHandler(&r, "collections", "OrderedDict");
  CopyTorchHandler(&r, "torch", "device");
  CopyTorchHandler(&r, "builtins", "complex");
  for (absl::string_view q : {"per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
                              "per_channel_symmetric", "per_channel_affine_float_qparams"}) {
    CopyTorchHandler(&r, "torch", q);
  }
  r.RegisterPattern(
      [](absl::string_view module, absl::string_view name) {
        return module == "torch" && StorageClassFromName(name).has_value();
      },
      GlobalHandler::NameOnly());

  // torch.jit._pickle: identity functions in Python; the type is remembered.
  struct Typed {
    const char* name;
    const char* type;
  };
  for (const Typed& t : {Typed{"build_intlist", "List[int]"},
                         Typed{"build_doublelist", "List[float]"},
                         Typed{"build_boollist", "List[bool]"},
                         Typed{"build_tensorlist", "List[Tensor]"}}) {
    GlobalHandler h;
    const std::string type = t.type;
    h.call = [tags, type](const CallContext& ctx, Args args) -> absl::StatusOr<Value> {
      PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 1, 1));
      if (!args[0].is_list()) return ctx.ArgError("the argument", "a list", args[0]);
      const char* want = type == "List[int]"     ? "int"
                         : type == "List[float]" ? "float"
                         : type == "List[bool]"  ? "bool"
                                                 : "Tensor";
      for (const Value& item : args[0].list().items()) {
        const bool ok = type == "List[int]"     ? item.is_int()
                        : type == "List[float]" ? item.is_float()
                        : type == "List[bool]"  ? item.is_bool()
                                                : item.is_tensor();
        if (!ok) return ctx.ArgError("an item", want, item);
      }
      tags->Set(args[0], type);
      return args[0];
    };
    r.Register("torch.jit._pickle", t.name, std::move(h));
  }
  GlobalHandler restore;
  restore.call = [tags](const CallContext& ctx, Args args) -> absl::StatusOr<Value> {
    PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 2, 2));
    if (!args[0].is_list() && !args[0].is_dict()) {
      return ctx.ArgError("the container", "a list or dict", args[0]);
    }
    if (!args[1].is_str()) return ctx.ArgError("the type", "a str", args[1]);
    tags->Set(args[0], args[1].as_string());
    return args[0];
  };
  r.Register("torch.jit._pickle", "restore_type_tag", std::move(restore));

  // __torch__ classes: inert objects, only of classes the code defines.
  GlobalHandler cls = GlobalHandler::InertClass();
  auto check = [classes](const CallContext& ctx) -> absl::Status {
    const std::string q = ctx.callee().FullName();
    if (classes->find(q) == classes->end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "class '", q, "' is not defined by any code/ record of the archive"));
    }
    return absl::OkStatus();
  };
  GlobalCallFn inert_call = cls.call;
  GlobalCallFn inert_new = cls.new_object;
  cls.call = [check, inert_call](const CallContext& ctx, Args args) -> absl::StatusOr<Value> {
    PTSER_RETURN_IF_ERROR(check(ctx));
    return inert_call(ctx, args);
  };
  cls.new_object = [check, inert_new](const CallContext& ctx,
                                      Args args) -> absl::StatusOr<Value> {
    PTSER_RETURN_IF_ERROR(check(ctx));
    return inert_new(ctx, args);
  };
  r.RegisterPattern([](absl::string_view module, absl::string_view) { return IsTorchModule(module); },
                    std::move(cls));
  return r;
}

// Unpickles `pickle_record` with storages from `<tensor_dir>/<key>`.
absl::StatusOr<Value> UnpickleRecord(
    const TorchArchive& archive, absl::string_view pickle_record, absl::string_view tensor_dir,
    const GlobalRegistry& globals, double max_pickle_growth,
    std::vector<std::pair<Storage, std::string>>* keys = nullptr) {
  const std::string& file = archive.zip().source().name();
  PTSER_ASSIGN_OR_RETURN(Storage pickle, archive.ReadRecord(pickle_record));
  // Every storage is restored on the CPU (torch.jit.load's map_location='cpu').
  LoadOptions options;
  options.map_location = MapLocation::To(Device::Cpu());
  options.max_pickle_growth = max_pickle_growth;
  const uint64_t file_size = archive.zip().source().size();
  // libtorch numbers its storages "0", "1", ...: found by number.
  load_internal::StorageTable table(options, std::string(tensor_dir),
                                    archive.zip().entries().size());
  UnpicklerOptions up;
  up.globals = &globals;
  up.max_total_bytes = UnpicklerBudget(options, file_size);
  up.persistent_load = [&](const Value& pid, size_t) -> absl::StatusOr<Value> {
    PTSER_ASSIGN_OR_RETURN(StoragePersistentId id, ParseStoragePersistentId(pid));
    if (!id.view_metadata.is_none()) {
      return absl::InvalidArgumentError("a storage view (6th persistent id item) in a zip archive");
    }
    PTSER_ASSIGN_OR_RETURN(load_internal::StorageTable::Declared declared,
                           table.Declare(id.key, id.dtype, id.untyped, id.numel, id.location));
    if (!declared.is_new) return Value::FromStorage(table.Get(declared.slot).typed);
    PTSER_RETURN_IF_ERROR(Device::Parse(std::string(id.location)).status());
    const std::string record = absl::StrCat(tensor_dir, id.key);
    absl::StatusOr<const ZipEntry*> entry = archive.FindRecord(record);
    if (!entry.ok()) {
      return absl::DataLossError(absl::StrCat("missing storage record '", record, "'"));
    }
    if ((*entry)->uncompressed_size < id.nbytes) {
      return absl::DataLossError(absl::StrCat("record '", record, "' holds ",
                                              (*entry)->uncompressed_size,
                                              " bytes but its storage of ", id.numel, " ",
                                              DtypeName(id.dtype), " elements needs ",
                                              id.nbytes));
    }
    PTSER_ASSIGN_OR_RETURN(Storage bytes, archive.zip().Read(**entry));
    if (bytes.nbytes() > id.nbytes) {
      auto holder = std::make_shared<Storage>(bytes);
      bytes = Storage::Borrow(const_cast<void*>(bytes.data()), id.nbytes, holder, bytes.device(),
                              bytes.is_read_only());
    }
    PTSER_RETURN_IF_ERROR(table.Fill(declared.slot, bytes));
    const TypedStorage& typed = table.Get(declared.slot).typed;
    if (keys != nullptr) keys->emplace_back(typed.storage, std::string(id.key));
    return Value::FromStorage(typed);
  };
  absl::StatusOr<Value> value = Unpickle(
      absl::string_view(static_cast<const char*>(pickle.data()), pickle.nbytes()), up);
  if (!value.ok()) {
    const absl::Status explained = ExplainUnpicklerBudget(value.status(), options, file_size);
    return absl::Status(
        explained.code(),
        absl::StrCat("'", file, "' record '", pickle_record, "': ",
                     absl::StrReplaceAll(explained.message(),
                                         {{"LoadOptions::", "LoadScriptOptions::"}})));
  }
  return value;
}

// The containers a value refers to directly.
void ForEachChild(const Value& v, const std::function<void(const Value&)>& f) {
  switch (v.kind()) {
    case Value::Kind::kList:
      for (const Value& e : v.list().items()) f(e);
      return;
    case Value::Kind::kTuple:
      for (const Value& e : v.tuple().items()) f(e);
      return;
    case Value::Kind::kDict:
      for (const auto& item : v.dict().items()) {
        f(item.key);
        f(item.value);
      }
      f(v.dict().state());
      return;
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
      for (const Value& e : v.set().items()) f(e);
      return;
    case Value::Kind::kObject: {
      const Value::Object& o = v.object();
      f(o.args());
      f(o.kwargs());
      f(o.state());
      for (const Value& e : o.list_items()) f(e);
      for (const auto& item : o.dict_items()) {
        f(item.key);
        f(item.value);
      }
      return;
    }
    default:
      return;
  }
}

// Whether a container reachable from `root` contains itself (iterative
// depth-first search; each container is visited once).  A TorchScript value
// is never cyclic; a hostile pickle can build one with the memo, and shared
// pointers would never free it.
bool HasReferenceCycle(const Value& root) {
  enum class State : uint8_t { kOpen, kDone };
  std::map<const void*, State> state;
  struct Frame {
    Value v;
    std::vector<Value> children;
    size_t next = 0;
  };
  auto is_container = [](const Value& v) {
    return v.is_list() || v.is_tuple() || v.is_dict() || v.is_set() || v.is_frozenset() ||
           v.is_object();
  };
  if (!is_container(root)) return false;
  std::vector<Frame> stack;
  auto push = [&](const Value& v) {
    Frame f{v, {}, 0};
    ForEachChild(v, [&](const Value& c) {
      if (is_container(c)) f.children.push_back(c);
    });
    state[v.identity()] = State::kOpen;
    stack.push_back(std::move(f));
  };
  push(root);
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.children.size()) {
      state[top.v.identity()] = State::kDone;
      stack.pop_back();
      continue;
    }
    const Value child = top.children[top.next++];
    auto it = state.find(child.identity());
    if (it == state.end()) {
      push(child);
    } else if (it->second == State::kOpen) {
      return true;
    }
  }
  return false;
}

// Builds the ScriptModule tree from the inert object graph of data.pkl.
class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, const ClassTable& classes, size_t max_depth)
      : file_(file), classes_(classes), max_depth_(max_depth) {}

  const ScriptClass* ModuleClassOf(const Value& v) const {
    if (!v.is_object()) return nullptr;
    const GlobalRef& callee = v.object().callee();
    if (!IsTorchModule(callee.module)) return nullptr;
    auto it = classes_.find(callee.FullName());
    if (it == classes_.end() || !it->second->is_module()) return nullptr;
    return it->second.get();
  }

  absl::StatusOr<std::shared_ptr<ScriptModule>> Build(const Value& v, const std::string& path,
                                                      size_t depth) {
    const std::string where = path.empty() ? "the root module" : absl::StrCat("module '", path, "'");
    const ScriptClass* cls = ModuleClassOf(v);
    if (cls == nullptr) {
      return Error(absl::StrCat(where, " is a ", v.TypeName(),
                                ", not an object of a module class (class X(Module))"));
    }
    if (depth > max_depth_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("'", file_, "' record 'data.pkl': the module tree is nested deeper than ",
                       max_depth_, " modules (at '", path.substr(0, 200), "...')"));
    }
    const void* id = v.identity();
    if (std::find(in_progress_.begin(), in_progress_.end(), id) != in_progress_.end()) {
      return Error(absl::StrCat("the module tree is cyclic: ", where, " (", cls->qualified_name,
                                ") contains itself"));
    }
    if (auto it = built_.find(id); it != built_.end()) return it->second;
    const Value::Object& obj = v.object();
    if (obj.construction() != Value::Object::Construction::kNewObj || !obj.args().is_tuple() ||
        !obj.args().tuple().empty()) {
      return Error(absl::StrCat(where, " (", cls->qualified_name,
                                ") is not made as GLOBAL, EMPTY_TUPLE, NEWOBJ"));
    }
    if (!obj.has_state() || !obj.state().is_dict()) {
      return absl::UnimplementedError(absl::StrCat(
          "'", file_, "' record 'data.pkl': ", where, " (", cls->qualified_name,
          ") has no attribute dict (a __getstate__ state); ptser reads modules with attributes"));
    }
    auto module = std::make_shared<ScriptModule>(classes_.find(cls->qualified_name)->second);
    const absl::flat_hash_set<std::string> parameters(cls->parameters.begin(),
                                                      cls->parameters.end());
    const absl::flat_hash_set<std::string> buffers(cls->buffers.begin(), cls->buffers.end());
    in_progress_.push_back(id);
    for (const Value::Dict::Item& item : obj.state().dict().items()) {
      if (!item.key.is_str()) {
        return Error(absl::StrCat(where, " has the attribute name ",
                                  item.key.Repr(Value::kMessageReprChars), ", not a str"));
      }
      const std::string& name = item.key.as_string();
      const std::string child_path = path.empty() ? name : absl::StrCat(path, ".", name);
      absl::Status s;
      const bool is_parameter = parameters.contains(name);
      if (is_parameter || buffers.contains(name)) {
        if (!item.value.is_tensor() && !item.value.is_none()) {
          return Error(absl::StrCat(cls->qualified_name, " declares '", name, "' a ",
                                    is_parameter ? "parameter" : "buffer", ", but ", where,
                                    " holds a ", item.value.TypeName()));
        }
        s = is_parameter ? module->AddParameter(name, item.value)
                         : module->AddBuffer(name, item.value);
      } else if (name == "training" && item.value.is_bool()) {
        module->AddTraining(item.value.as_bool());
      } else if (ModuleClassOf(item.value) != nullptr) {
        PTSER_ASSIGN_OR_RETURN(std::shared_ptr<ScriptModule> child,
                               Build(item.value, child_path, depth + 1));
        s = module->AddChild(name, std::move(child));
      } else {
        module->AddAttribute(name, item.value);
      }
      if (!s.ok()) return Error(absl::StrCat(where, ": ", s.message()));
    }
    for (const auto* list : {&cls->parameters, &cls->buffers}) {
      for (const std::string& name : *list) {
        if (obj.state().dict().Find(name) == nullptr) {
          return Error(absl::StrCat(cls->qualified_name, " declares '", name, "', but ", where,
                                    " has no such attribute"));
        }
      }
    }
    in_progress_.pop_back();
    built_.emplace(id, module);
    modules_.push_back(v);
    return module;
  }

  // The module objects consumed (to be emptied once the tree is built).
  const std::vector<Value>& module_objects() const { return modules_; }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("'", file_, "' record 'data.pkl': ", what));
  }

  const std::string& file_;
  const ClassTable& classes_;
  size_t max_depth_;
  std::vector<const void*> in_progress_;
  std::map<const void*, std::shared_ptr<ScriptModule>> built_;
  std::vector<Value> modules_;
};

// Drops a graph that may hold reference cycles.
struct GraphReleaser {
  std::vector<Value> values;
  ~GraphReleaser() {
    for (const Value& v : values) ReleaseValueGraph(v);
  }
};


absl::Status WriteArchive(const ScriptArchive& a, ByteSink* sink, const std::string& folder) {
  if (a.module == nullptr) return absl::InvalidArgumentError("the archive has no module");
  if (!a.constants.is_tuple()) return absl::InvalidArgumentError("constants must be a tuple");
  ScriptPickler data(a.type_tags);
  data.CountSlotTensors(*a.module);
  PTSER_RETURN_IF_ERROR(data.PushModule(*a.module));
  const std::string data_pkl = data.Finish();
  ScriptPickler constants(a.type_tags, &a.constant_storage_keys);
  PTSER_RETURN_IF_ERROR(constants.PushConstants(a.constants));
  const std::string constants_pkl = constants.Finish();

  ZipWriter zip(sink, folder);
  for (const auto& r : a.extra_files) {
    PTSER_RETURN_IF_ERROR(zip.WriteRecord("extra/" + r.name, r.bytes.data(), r.bytes.size()));
  }
  for (size_t i = 0; i < data.storages().size(); ++i) {
    const Storage& s = data.storages()[i];
    PTSER_RETURN_IF_ERROR(zip.WriteRecord(absl::StrCat("data/", i), s.data(), s.nbytes()));
  }
  PTSER_RETURN_IF_ERROR(zip.WriteRecord("data.pkl", data_pkl.data(), data_pkl.size()));
  for (const auto& r : a.code_records) {
    PTSER_RETURN_IF_ERROR(zip.WriteRecord(r.name, r.bytes.data(), r.bytes.size()));
  }
  for (size_t i = 0; i < constants.storages().size(); ++i) {
    const Storage& s = constants.storages()[i];
    PTSER_RETURN_IF_ERROR(
        zip.WriteRecord("constants/" + constants.storage_keys()[i], s.data(), s.nbytes()));
  }
  PTSER_RETURN_IF_ERROR(zip.WriteRecord("constants.pkl", constants_pkl.data(), constants_pkl.size()));
  for (const auto& r : a.other_records) {
    PTSER_RETURN_IF_ERROR(zip.WriteRecord(r.name, r.bytes.data(), r.bytes.size()));
  }
  const std::string version = absl::StrCat(a.version, "\n");
  PTSER_RETURN_IF_ERROR(zip.WriteRecord(a.version >= 6 ? ".data/version" : "version",
                                        version.data(), version.size()));
  return zip.Finish();
}

}  // namespace

absl::StatusOr<std::string> PickleScriptModule(const ScriptArchive& archive) {
  if (archive.module == nullptr) return absl::InvalidArgumentError("the archive has no module");
  ScriptPickler data(archive.type_tags);
  data.CountSlotTensors(*archive.module);
  PTSER_RETURN_IF_ERROR(data.PushModule(*archive.module));
  return data.Finish();
}

absl::StatusOr<std::string> SaveScriptModuleToString(const ScriptArchive& archive,
                                                     const std::string& archive_name) {
  StringSink sink;
  PTSER_RETURN_IF_ERROR(WriteArchive(archive, &sink, archive_name));
  return sink.Release();
}

absl::Status SaveScriptModule(const ScriptArchive& archive, const std::string& path,
                              const SaveScriptOptions& options) {
  PTSER_ASSIGN_OR_RETURN(std::string folder, ArchivePrefixForPath(path));
  AtomicFileSink::Options sink_options;
  sink_options.durable = options.durable;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFileSink> sink,
                         AtomicFileSink::Create(path, sink_options));
  PTSER_RETURN_IF_ERROR(WriteArchive(archive, sink.get(), folder));
  return sink->Commit();
}

bool IsScriptGlobalAllowed(absl::string_view module, absl::string_view name) {
  static const GlobalRegistry* const registry = [] {
    static const ClassTable no_classes;
    static TypeTags tags;
    return new GlobalRegistry(ScriptGlobals(&no_classes, &tags));
  }();
  return !IsTorchModule(module) && registry->Find(module, name) != nullptr;
}

absl::StatusOr<bool> IsScriptArchive(std::shared_ptr<const ByteSource> source) {
  if (!TorchArchive::LooksLikeZip(*source)) return false;
  ZipReader::Options zo;
  zo.verify_crc32 = false;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive, TorchArchive::Open(source, zo));
  return archive->is_torchscript();
}

absl::StatusOr<ScriptArchive> LoadScriptModuleFromSource(std::shared_ptr<const ByteSource> source,
                                                         const LoadScriptOptions& options) {
  if (source == nullptr) return absl::InvalidArgumentError("null ByteSource");
  const std::string file = source->name();
  ZipReader::Options zo;
  zo.verify_crc32 = options.verify_crc32;
  zo.max_pickle_growth = options.max_pickle_growth;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive, TorchArchive::Open(source, zo));
  if (!archive->is_torchscript()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", file, "' is not a TorchScript archive (no constants.pkl record); a torch.save "
        "file loads with ptser::Load"));
  }
  if (archive->HasRecord("model.json")) {
    return absl::UnimplementedError(absl::StrCat(
        "'", file, "' is a PyTorch 1.0-1.2 TorchScript archive (model.json); ptser reads "
        "archives with data.pkl"));
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<std::string> order, archive->ByteOrder());
  if (order.has_value() && *order != "little") {
    return absl::UnimplementedError(
        absl::StrCat("'", file, "': big-endian TorchScript archives are not read yet"));
  }
  ScriptArchive out;
  out.prefix = archive->prefix();
  out.version = archive->version();
  out.version_record = archive->HasRecord(".data/version") ? ".data/version" : "version";

  // The records other than pickles and storages, in archive order.
  ClassTable classes;
  for (const std::string& name : archive->RecordNames()) {
    const bool is_code = absl::StartsWith(name, "code/");
    const bool is_extra = absl::StartsWith(name, "extra/");
    if (name == "data.pkl" || name == "constants.pkl" || name == "version" ||
        name == ".data/version" || name == "byteorder" || name == ".data/serialization_id" ||
        absl::StartsWith(name, "data/") || absl::StartsWith(name, "constants/")) {
      continue;
    }
    PTSER_ASSIGN_OR_RETURN(const ZipEntry* entry, archive->FindRecord(name));
    if (entry->uncompressed_size > options.max_text_record_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "'", file, "' record '", name, "' holds ", entry->uncompressed_size,
          " bytes, more than LoadScriptOptions::max_text_record_bytes (",
          options.max_text_record_bytes, ")"));
    }
    PTSER_ASSIGN_OR_RETURN(std::string bytes, archive->zip().ReadString(*entry));
    if (is_code && absl::EndsWith(name, ".py")) {
      absl::StatusOr<std::vector<ScriptClass>> parsed = ParseCodeRecord(name, bytes);
      if (!parsed.ok()) {
        return absl::Status(parsed.status().code(),
                            absl::StrCat("'", file, "': ", parsed.status().message()));
      }
      for (ScriptClass& c : *parsed) {
        if (classes.count(c.qualified_name) != 0) {
          return absl::InvalidArgumentError(absl::StrCat("'", file, "': class '",
                                                         c.qualified_name, "' is defined twice"));
        }
        out.classes.push_back(std::make_shared<const ScriptClass>(std::move(c)));
        classes.emplace(out.classes.back()->qualified_name, out.classes.back());
      }
    }
    if (is_code) {
      out.code_records.push_back({name, std::move(bytes)});
    } else if (is_extra) {
      out.extra_files.push_back({name.substr(6), std::move(bytes)});
    } else {
      out.other_records.push_back({name, std::move(bytes)});
    }
  }

  const GlobalRegistry globals = ScriptGlobals(&classes, &out.type_tags);
  PTSER_ASSIGN_OR_RETURN(out.constants,
                         UnpickleRecord(*archive, "constants.pkl", "constants/", globals,
                                        options.max_pickle_growth, &out.constant_storage_keys));
  if (!out.constants.is_tuple()) {
    ReleaseValueGraph(out.constants);
    return absl::InvalidArgumentError(absl::StrCat("'", file, "' record 'constants.pkl' holds a ",
                                                   out.constants.TypeName(), ", not a tuple"));
  }
  if (HasReferenceCycle(out.constants)) {
    GraphReleaser release{{out.constants}};
    return absl::InvalidArgumentError(
        absl::StrCat("'", file, "' record 'constants.pkl' holds a reference cycle"));
  }
  absl::StatusOr<Value> root =
      UnpickleRecord(*archive, "data.pkl", "data/", globals, options.max_pickle_growth);
  if (!root.ok()) {
    GraphReleaser release{{out.constants}};
    return root.status();
  }
  TreeBuilder builder(file, classes, options.max_module_depth);
  absl::StatusOr<std::shared_ptr<ScriptModule>> module = builder.Build(*root, "", 1);
  if (!module.ok()) {
    GraphReleaser release{{*root, out.constants}};
    return module.status();
  }
  // Attribute values must not be cyclic (they would never be freed).
  for (const auto& [path, m] : (*module)->NamedModules()) {
    for (const auto& slot : static_cast<const ScriptModule*>(m)->slots()) {
      if (slot.kind == ScriptModule::SlotKind::kAttribute && HasReferenceCycle(slot.value)) {
        GraphReleaser release{{*root, out.constants}};
        return absl::InvalidArgumentError(absl::StrCat(
            "'", file, "' record 'data.pkl': attribute '", slot.name, "' of ",
            path.empty() ? "the root module" : absl::StrCat("module '", path, "'"),
            " holds a reference cycle"));
      }
    }
  }
  out.module = std::move(*module);
  // The module objects are consumed: empty them (their attribute values live
  // on in the modules), which also breaks any cycle through them.
  for (const Value& v : builder.module_objects()) ClearContainer(v);
  return out;
}

absl::StatusOr<ScriptArchive> LoadScriptModule(const std::string& path,
                                               const LoadScriptOptions& options) {
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, ByteSource::ReadFile(path));
  return LoadScriptModuleFromSource(std::shared_ptr<const ByteSource>(std::move(source)), options);
}

}  // namespace jit
}  // namespace ptser
