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
#include "absl/strings/strip.h"
#include "archive/byte_sink.h"
#include "archive/torch_archive.h"
#include "archive/zip_writer.h"
#include "base/status_macros.h"
#include "pickle/globals.h"
#include "pickle/torch_globals.h"
#include "pickle/unpickler.h"

namespace ptser {
namespace jit {

void TypeTags::Set(const Value& container, std::string type) {
  const void* id = container.identity();
  if (id == nullptr) return;
  if (tags_.insert_or_assign(id, std::move(type)).second) held_.push_back(container);
}

const std::string* TypeTags::Find(const Value& container) const {
  const void* id = container.identity();
  if (id == nullptr) return nullptr;
  auto it = tags_.find(id);
  return it == tags_.end() ? nullptr : &it->second;
}

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

struct LoadedStorage {
  Storage storage;
  ScalarType dtype;
  bool untyped;
};

// Unpickles `pickle_record` with storages from `<tensor_dir>/<key>`.
absl::StatusOr<Value> UnpickleRecord(
    const TorchArchive& archive, absl::string_view pickle_record, absl::string_view tensor_dir,
    const GlobalRegistry& globals, std::vector<std::pair<Storage, std::string>>* keys = nullptr) {
  const std::string& file = archive.zip().source().name();
  PTSER_ASSIGN_OR_RETURN(Storage pickle, archive.ReadRecord(pickle_record));
  std::map<std::string, LoadedStorage, std::less<>> loaded;
  UnpicklerOptions up;
  up.globals = &globals;
  up.persistent_load = [&](const Value& pid, size_t) -> absl::StatusOr<Value> {
    PTSER_ASSIGN_OR_RETURN(StoragePersistentId id, ParseStoragePersistentId(pid));
    if (!id.view_metadata.is_none()) {
      return absl::InvalidArgumentError("a storage view (6th persistent id item) in a zip archive");
    }
    auto it = loaded.find(id.key);
    if (it != loaded.end()) {
      if (it->second.dtype != id.dtype || it->second.untyped != id.untyped) {
        return absl::InvalidArgumentError(absl::StrCat("storage '", tensor_dir, id.key,
                                                       "' is named with two dtypes"));
      }
      if (it->second.storage.nbytes() < id.nbytes) {
        return absl::DataLossError(absl::StrCat("storage '", tensor_dir, id.key, "' holds ",
                                                it->second.storage.nbytes(), " bytes, not ",
                                                id.nbytes));
      }
      return Value::FromStorage({it->second.storage, id.dtype, id.untyped});
    }
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
    // Every storage is restored on the CPU (torch.jit.load's map_location='cpu').
    loaded.emplace(std::string(id.key), LoadedStorage{bytes, id.dtype, id.untyped});
    if (keys != nullptr) keys->emplace_back(bytes, std::string(id.key));
    return Value::FromStorage({std::move(bytes), id.dtype, id.untyped});
  };
  absl::StatusOr<Value> value = Unpickle(
      absl::string_view(static_cast<const char*>(pickle.data()), pickle.nbytes()), up);
  if (!value.ok()) {
    return absl::Status(value.status().code(), absl::StrCat("'", file, "' record '",
                                                            pickle_record, "': ",
                                                            value.status().message()));
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
    in_progress_.push_back(id);
    for (const Value::Dict::Item& item : obj.state().dict().items()) {
      if (!item.key.is_str()) {
        return Error(absl::StrCat(where, " has the attribute name ",
                                  item.key.Repr(Value::kMessageReprChars), ", not a str"));
      }
      const std::string& name = item.key.as_string();
      const std::string child_path = path.empty() ? name : absl::StrCat(path, ".", name);
      absl::Status s;
      if (cls->IsParameter(name) || cls->IsBuffer(name)) {
        if (!item.value.is_tensor() && !item.value.is_none()) {
          return Error(absl::StrCat(cls->qualified_name, " declares '", name, "' a ",
                                    cls->IsParameter(name) ? "parameter" : "buffer", ", but ",
                                    where, " holds a ", item.value.TypeName()));
        }
        s = cls->IsParameter(name) ? module->AddParameter(name, item.value)
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


// ---------------------------------------------------------------------------
// Writing: the C++ pickler's habits (torch/csrc/jit/serialization/pickler.cpp
// in PyTorch 1.13, described in docs/formats/torchscript.md).

namespace op {
constexpr char kProto = '\x80', kGlobal = 'c', kBinPut = 'q', kLongBinPut = 'r', kBinGet = 'h',
               kLongBinGet = 'j', kEmptyTuple = ')', kNewObj = '\x81', kEmptyDict = '}',
               kMark = '(', kSetItems = 'u', kBuild = 'b', kBinUnicode = 'X', kBinInt1 = 'K',
               kBinInt2 = 'M', kBinInt = 'J', kLong1 = '\x8a', kBinFloat = 'G', kNone = 'N',
               kNewTrue = '\x88', kNewFalse = '\x89', kTuple = 't', kTuple1 = '\x85',
               kTuple2 = '\x86', kTuple3 = '\x87', kBinPersId = 'Q', kReduce = 'R',
               kEmptyList = ']', kAppends = 'e', kStop = '.';
}  // namespace op

constexpr int kMaxWriteDepth = 1000;

// A tensor as the memo sees it: the same storage, offset, layout and dtype.
bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.IsSameAs(b) && a.dtype() == b.dtype();
}

class CppPickler {
 public:
  // `keys`: storages whose record key is given (else "0", "1", ... in
  // pickling order); may be null.
  CppPickler(const TypeTags& tags, const std::vector<std::pair<Storage, std::string>>* keys = nullptr)
      : tags_(tags), keys_(keys) {
    out_.push_back(op::kProto);
    out_.push_back('\x02');
  }

  // Counts the tensors of module slots: one held by two slots (tied weights)
  // is memoized, as libtorch's use_count() > 1 makes it.
  void CountSlotTensors(const ScriptModule& m, int depth) {
    if (depth > kMaxWriteDepth) return;
    for (const auto& s : m.slots()) {
      const Tensor* t = s.kind == ScriptModule::SlotKind::kParameter ? m.FindParameter(s.name)
                        : s.kind == ScriptModule::SlotKind::kBuffer  ? m.FindBuffer(s.name)
                                                                     : nullptr;
      if (s.kind == ScriptModule::SlotKind::kAttribute && s.value.is_object()) {
        ++slot_object_counts_[s.value.identity()];
      }
      if (t != nullptr) {
        bool found = false;
        for (auto& [seen, n] : slot_tensor_counts_) {
          if (SameTensor(seen, *t)) {
            ++n;
            found = true;
            break;
          }
        }
        if (!found) slot_tensor_counts_.emplace_back(*t, 1);
      }
      if (s.kind == ScriptModule::SlotKind::kModule) {
        CountSlotTensors(*std::static_pointer_cast<ScriptModule>(m.Child(s.name)), depth + 1);
      }
    }
  }

  absl::Status PushModule(const ScriptModule& m, int depth) {
    if (depth > kMaxWriteDepth) return absl::ResourceExhaustedError("module tree too deep to save");
    if (auto it = objects_.find(&m); it != objects_.end()) {
      PushBinGet(it->second);
      return absl::OkStatus();
    }
    PushQualifiedGlobal(m.qualified_name());
    out_.push_back(op::kEmptyTuple);
    out_.push_back(op::kNewObj);
    out_.push_back(op::kEmptyDict);
    out_.push_back(op::kMark);
    for (const auto& s : m.slots()) {
      PushString(s.name);
      switch (s.kind) {
        case ScriptModule::SlotKind::kParameter:
        case ScriptModule::SlotKind::kBuffer: {
          const Tensor* t = s.kind == ScriptModule::SlotKind::kParameter ? m.FindParameter(s.name)
                                                                         : m.FindBuffer(s.name);
          if (t == nullptr) {
            out_.push_back(op::kNone);
          } else {
            PTSER_RETURN_IF_ERROR(PushTensor(*t, SlotTensorCount(*t) > 1));
          }
          break;
        }
        case ScriptModule::SlotKind::kModule:
          PTSER_RETURN_IF_ERROR(
              PushModule(*std::static_pointer_cast<ScriptModule>(m.Child(s.name)), depth + 1));
          break;
        case ScriptModule::SlotKind::kTraining:
          out_.push_back(m.is_training() ? op::kNewTrue : op::kNewFalse);
          break;
        case ScriptModule::SlotKind::kAttribute:
          PTSER_RETURN_IF_ERROR(PushValue(s.value, depth + 1));
          break;
      }
    }
    out_.push_back(op::kSetItems);
    out_.push_back(op::kBuild);
    objects_[&m] = PushNextBinPut();
    return absl::OkStatus();
  }

  // `copied_item`: the value is an item of a list (or of the constants
  // table), which libtorch pushes as a copied IValue, so a tensor there has
  // use_count() > 1 and is memoized; a tensor held once by a slot, a dict or
  // a tuple is not.
  absl::Status PushValue(const Value& v, int depth, bool copied_item = false) {
    if (depth > kMaxWriteDepth) return absl::ResourceExhaustedError("value too deep to save");
    switch (v.kind()) {
      case Value::Kind::kNone:
        out_.push_back(op::kNone);
        return absl::OkStatus();
      case Value::Kind::kBool:
        out_.push_back(v.as_bool() ? op::kNewTrue : op::kNewFalse);
        return absl::OkStatus();
      case Value::Kind::kInt:
        PushInt(v.as_int());
        return absl::OkStatus();
      case Value::Kind::kFloat:
        PushDouble(v.as_float());
        return absl::OkStatus();
      case Value::Kind::kComplex:
        PushGlobal("builtins", "complex");
        PushDouble(v.as_complex().real());
        PushDouble(v.as_complex().imag());
        out_.push_back(op::kTuple2);
        out_.push_back(op::kReduce);
        return absl::OkStatus();
      case Value::Kind::kStr:
        PushString(v.as_string());
        return absl::OkStatus();
      case Value::Kind::kTensor:
        return PushTensor(v.tensor(), copied_item || SlotTensorCount(v.tensor()) > 1);
      case Value::Kind::kDevice: {
        const std::string name = v.device().ToString();
        if (auto it = devices_.find(name); it != devices_.end()) {
          PushBinGet(it->second);
          return absl::OkStatus();
        }
        PushGlobal("torch", "device");
        PushString(name);
        out_.push_back(op::kTuple1);
        out_.push_back(op::kReduce);
        devices_[name] = PushNextBinPut();
        return absl::OkStatus();
      }
      case Value::Kind::kTuple: {
        const auto& items = v.tuple();
        if (items.size() >= 4 ) out_.push_back(op::kMark);
        for (const Value& item : items) PTSER_RETURN_IF_ERROR(PushValue(item, depth + 1));
        static constexpr char kSmall[] = {op::kEmptyTuple, op::kTuple1, op::kTuple2, op::kTuple3};
        out_.push_back(items.size() < 4 ? kSmall[items.size()] : op::kTuple);
        return absl::OkStatus();
      }
      case Value::Kind::kList:
        return PushList(v, depth);
      case Value::Kind::kDict:
        return PushDict(v, depth);
      case Value::Kind::kObject:
        return PushObject(v, depth, copied_item);
      default:
        return absl::UnimplementedError(absl::StrCat(
            "a ", v.TypeName(), " cannot be written into a TorchScript pickle"));
    }
  }

  absl::Status PushTensor(const Tensor& t, bool memoize) {
    if (memoize) {
      for (const auto& [seen, id] : tensor_memo_) {
        if (SameTensor(seen, t)) {
          PushBinGet(id);
          return absl::OkStatus();
        }
      }
    }
    if (t.quantizer().has_value()) {
      return absl::UnimplementedError("quantized tensors are not written into TorchScript archives yet");
    }
    if (t.is_conj() || t.is_neg()) {
      return absl::UnimplementedError("conjugate or negative-bit tensors are not written yet");
    }
    if (!t.device().is_cpu()) {
      return absl::UnimplementedError(
          absl::StrCat("a tensor on '", t.device().ToString(), "' cannot be saved yet"));
    }
    const std::optional<absl::string_view> storage_class = LegacyStorageClassName(t.dtype());
    if (!storage_class.has_value()) {
      return absl::UnimplementedError(absl::StrCat("dtype ", DtypeName(t.dtype()),
                                                   " has no storage class for PyTorch 1.13"));
    }
    PushGlobal("torch._utils", "_rebuild_tensor_v2");
    out_.push_back(op::kMark);
    const void* sid = t.storage().id();
    if (auto it = storage_memo_.find(sid); it != storage_memo_.end()) {
      PushBinGet(it->second);
    } else {
      out_.push_back(op::kMark);
      PushString("storage");
      PushGlobal("torch", std::string(*storage_class));
      std::string key = std::to_string(storages_.size());
      if (keys_ != nullptr) {
        for (const auto& [storage, k] : *keys_) {
          if (storage.IsSameAs(t.storage())) key = k;
        }
      }
      PushString(key);
      storage_keys_.push_back(key);
      PushString(t.device().ToString());
      const size_t itemsize = ElementSize(t.dtype());
      PushInt(static_cast<int64_t>(t.storage().nbytes() / itemsize));
      out_.push_back(op::kTuple);
      out_.push_back(op::kBinPersId);
      storage_memo_[sid] = PushNextBinPut();
      const size_t n = t.storage().nbytes() / itemsize * itemsize;
      auto holder = std::make_shared<Storage>(t.storage());
      storages_.push_back(Storage::Borrow(const_cast<void*>(t.storage().data()), n, holder));
    }
    PushInt(t.storage_offset());
    out_.push_back(op::kMark);
    for (int64_t s : t.sizes()) PushInt(s);
    out_.push_back(op::kTuple);
    out_.push_back(op::kMark);
    for (int64_t s : t.strides()) PushInt(s);
    out_.push_back(op::kTuple);
    out_.push_back(t.requires_grad() ? op::kNewTrue : op::kNewFalse);
    PushGlobal("collections", "OrderedDict");
    out_.push_back(op::kEmptyTuple);
    out_.push_back(op::kReduce);
    out_.push_back(op::kTuple);
    out_.push_back(op::kReduce);
    if (memoize) tensor_memo_.emplace_back(t, PushNextBinPut());
    return absl::OkStatus();
  }

  // The constants table: a tuple whose tensors the code's constant table
  // also holds (memoized).
  absl::Status PushConstants(const Value& tuple) {
    const auto& items = tuple.tuple();
    if (items.size() >= 4) out_.push_back(op::kMark);
    for (const Value& item : items) PTSER_RETURN_IF_ERROR(PushValue(item, 1, /*copied_item=*/true));
    static constexpr char kSmall[] = {op::kEmptyTuple, op::kTuple1, op::kTuple2, op::kTuple3};
    out_.push_back(items.size() < 4 ? kSmall[items.size()] : op::kTuple);
    return absl::OkStatus();
  }

  std::string Finish() {
    out_.push_back(op::kStop);
    return std::move(out_);
  }
  // The storages in pickling order, and their keys.
  const std::vector<Storage>& storages() const { return storages_; }
  const std::vector<std::string>& storage_keys() const { return storage_keys_; }

 private:
  int SlotTensorCount(const Tensor& t) const {
    for (const auto& [seen, n] : slot_tensor_counts_) {
      if (SameTensor(seen, t)) return n;
    }
    return 0;
  }

  absl::Status PushList(const Value& v, int depth) {
    const std::string* tag = tags_.Find(v);
    if (tag == nullptr) {
      return absl::FailedPreconditionError(
          "a list without a TorchScript type (restore_type_tag) cannot be saved");
    }
    const char* builder = *tag == "List[int]"      ? "build_intlist"
                          : *tag == "List[float]"  ? "build_doublelist"
                          : *tag == "List[bool]"   ? "build_boollist"
                          : *tag == "List[Tensor]" ? "build_tensorlist"
                                                   : nullptr;
    if (builder != nullptr) {
      PushGlobal("torch.jit._pickle", builder);
      out_.push_back(op::kMark);
      out_.push_back(op::kEmptyList);
      out_.push_back(op::kMark);
      for (const Value& item : v.list().items()) {
        PTSER_RETURN_IF_ERROR(PushValue(item, depth + 1, /*copied_item=*/true));
      }
      out_.push_back(op::kAppends);
      out_.push_back(op::kTuple);
      out_.push_back(op::kReduce);
      return absl::OkStatus();
    }
    PushGlobal("torch.jit._pickle", "restore_type_tag");
    out_.push_back(op::kEmptyList);
    out_.push_back(op::kMark);
    for (const Value& item : v.list().items()) {
      PTSER_RETURN_IF_ERROR(PushValue(item, depth + 1, /*copied_item=*/true));
    }
    out_.push_back(op::kAppends);
    PushString(*tag);
    out_.push_back(op::kTuple2);
    out_.push_back(op::kReduce);
    return absl::OkStatus();
  }

  absl::Status PushDict(const Value& v, int depth) {
    const std::string* tag = tags_.Find(v);
    if (tag == nullptr) {
      return absl::FailedPreconditionError(
          "a dict without a TorchScript type (restore_type_tag) cannot be saved");
    }
    PushGlobal("torch.jit._pickle", "restore_type_tag");
    out_.push_back(op::kEmptyDict);
    if (!v.dict().empty()) {
      out_.push_back(op::kMark);
      for (const auto& item : v.dict().items()) {
        PTSER_RETURN_IF_ERROR(PushValue(item.key, depth + 1));
        PTSER_RETURN_IF_ERROR(PushValue(item.value, depth + 1));
      }
      out_.push_back(op::kSetItems);
    }
    PushString(*tag);
    out_.push_back(op::kTuple2);
    out_.push_back(op::kReduce);
    return absl::OkStatus();
  }

  // An instance of a script class (not a module): GLOBAL, EMPTY_TUPLE,
  // NEWOBJ, its attribute dict (or __getstate__ value), BUILD.
  // Memoized, like a tensor, only as a list item or when two slots hold it
  // (libtorch's use_count() > 1).
  absl::Status PushObject(const Value& v, int depth, bool copied_item) {
    const Value::Object& o = v.object();
    if (auto it = objects_.find(v.identity()); it != objects_.end()) {
      PushBinGet(it->second);
      return absl::OkStatus();
    }
    if (!IsTorchModule(o.callee().module) ||
        o.construction() != Value::Object::Construction::kNewObj || !o.has_state()) {
      return absl::UnimplementedError(absl::StrCat("the object of '", o.callee().FullName(),
                                                   "' cannot be written into a TorchScript pickle"));
    }
    PushGlobal(o.callee().module, o.callee().name);
    out_.push_back(op::kEmptyTuple);
    out_.push_back(op::kNewObj);
    if (o.state().is_dict() && tags_.Find(o.state()) == nullptr) {
      out_.push_back(op::kEmptyDict);
      out_.push_back(op::kMark);
      for (const auto& item : o.state().dict().items()) {
        PTSER_RETURN_IF_ERROR(PushValue(item.key, depth + 1));
        PTSER_RETURN_IF_ERROR(PushValue(item.value, depth + 1));
      }
      out_.push_back(op::kSetItems);
    } else {
      PTSER_RETURN_IF_ERROR(PushValue(o.state(), depth + 1));
    }
    out_.push_back(op::kBuild);
    auto count = slot_object_counts_.find(v.identity());
    if (copied_item || (count != slot_object_counts_.end() && count->second > 1)) {
      objects_[v.identity()] = PushNextBinPut();
    }
    return absl::OkStatus();
  }

  void PushQualifiedGlobal(const std::string& qualified) {
    const size_t dot = qualified.rfind('.');
    PushGlobal(qualified.substr(0, dot), qualified.substr(dot + 1));
  }

  void PushGlobal(const std::string& module, const std::string& name) {
    std::string key = absl::StrCat(module, "\n", name, "\n");
    if (auto it = globals_.find(key); it != globals_.end()) {
      PushBinGet(it->second);
      return;
    }
    out_.push_back(op::kGlobal);
    out_ += key;
    globals_[key] = PushNextBinPut();
  }

  void PushString(const std::string& s) {
    if (auto it = strings_.find(s); it != strings_.end()) {
      PushBinGet(it->second);
      return;
    }
    out_.push_back(op::kBinUnicode);
    PushLittle(s.size(), 4);
    out_ += s;
    strings_[s] = PushNextBinPut();
  }

  void PushInt(int64_t n) {
    if (n >= 0 && n <= 255) {
      out_.push_back(op::kBinInt1);
      PushLittle(static_cast<uint64_t>(n), 1);
    } else if (n >= 0 && n <= 65535) {
      out_.push_back(op::kBinInt2);
      PushLittle(static_cast<uint64_t>(n), 2);
    } else if (n >= INT32_MIN && n <= INT32_MAX) {
      out_.push_back(op::kBinInt);
      PushLittle(static_cast<uint64_t>(n), 4);
    } else {
      out_.push_back(op::kLong1);
      out_.push_back('\x08');
      PushLittle(static_cast<uint64_t>(n), 8);
    }
  }

  void PushDouble(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    out_.push_back(op::kBinFloat);
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }

  void PushLittle(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }

  uint32_t PushNextBinPut() {
    if (memo_id_ <= 255) {
      out_.push_back(op::kBinPut);
      PushLittle(memo_id_, 1);
    } else {
      out_.push_back(op::kLongBinPut);
      PushLittle(memo_id_, 4);
    }
    return memo_id_++;
  }

  void PushBinGet(uint32_t id) {
    if (id <= 255) {
      out_.push_back(op::kBinGet);
      PushLittle(id, 1);
    } else {
      out_.push_back(op::kLongBinGet);
      PushLittle(id, 4);
    }
  }

  const TypeTags& tags_;
  const std::vector<std::pair<Storage, std::string>>* keys_ = nullptr;
  std::vector<std::string> storage_keys_;
  std::string out_;
  uint32_t memo_id_ = 0;
  std::map<std::string, uint32_t> globals_, strings_, devices_;
  std::map<const void*, uint32_t> storage_memo_, objects_;
  std::vector<std::pair<Tensor, uint32_t>> tensor_memo_;
  std::vector<std::pair<Tensor, int>> slot_tensor_counts_;
  std::map<const void*, int> slot_object_counts_;
  std::vector<Storage> storages_;
};

absl::Status WriteArchive(const ScriptArchive& a, ByteSink* sink, const std::string& folder) {
  if (a.module == nullptr) return absl::InvalidArgumentError("the archive has no module");
  if (!a.constants.is_tuple()) return absl::InvalidArgumentError("constants must be a tuple");
  CppPickler data(a.type_tags);
  data.CountSlotTensors(*a.module, 0);
  PTSER_RETURN_IF_ERROR(data.PushModule(*a.module, 0));
  const std::string data_pkl = data.Finish();
  CppPickler constants(a.type_tags, &a.constant_storage_keys);
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
  CppPickler data(archive.type_tags);
  data.CountSlotTensors(*archive.module, 0);
  PTSER_RETURN_IF_ERROR(data.PushModule(*archive.module, 0));
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
                                        &out.constant_storage_keys));
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
  absl::StatusOr<Value> root = UnpickleRecord(*archive, "data.pkl", "data/", globals);
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
