// Copyright ptser authors.
#include "jit/script_pickler.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/tensor_codec.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace jit {
namespace {

// TorchScript's classes live under "__torch__" (not torch's own modules).
bool IsScriptClassModule(absl::string_view module) {
  return module == "__torch__" || absl::StartsWith(module, "__torch__.");
}


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

}  // namespace

class ScriptPickler::Impl {
 public:
  // `keys`: storages whose record key is given (else "0", "1", ... in
  // pickling order); may be null.
  Impl(const TypeTags& tags, const std::vector<std::pair<Storage, std::string>>* keys)
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
        for (auto& [seen, n] : slot_tensor_counts_[Place(*t)]) {
          if (SameTensor(seen, *t)) {
            ++n;
            found = true;
            break;
          }
        }
        if (!found) slot_tensor_counts_[Place(*t)].emplace_back(*t, 1);
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
      for (const auto& [seen, id] : tensor_memo_[Place(t)]) {
        if (SameTensor(seen, t)) {
          PushBinGet(id);
          return absl::OkStatus();
        }
      }
    }
    // libtorch writes the call torch.save writes (pickle/tensor_codec.h),
    // with these differences, kept here:
    //  - what is not written yet is refused: quantized tensors, the conj/neg
    //    bits, tensors off the CPU, dtypes without a 1.13 storage class;
    //  - no _rebuild_parameter: a parameter is the plain call carrying its
    //    own requires_grad (EncodeTensorOptions::wrap_parameter = false);
    //  - its own opcodes (PushCodecValue): every tuple as MARK ... TUPLE,
    //    the hooks' OrderedDict() as GLOBAL + EMPTY_TUPLE + REDUCE, and the
    //    storage's persistent id memoized by storage (PushStorage).
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
    const TypedStorage storage = StorageForEncoding(t);
    if (storage.untyped) {
      return absl::UnimplementedError(absl::StrCat("dtype ", DtypeName(t.dtype()),
                                                   " has no storage class for PyTorch 1.13"));
    }
    EncodeTensorOptions libtorch;
    libtorch.wrap_parameter = false;
    PTSER_ASSIGN_OR_RETURN(
        Value call, EncodeTensor(t, Value::FromStorage(storage), t.storage_offset(), libtorch));
    PTSER_RETURN_IF_ERROR(PushCodecValue(call));
    if (memoize) tensor_memo_[Place(t)].emplace_back(t, PushNextBinPut());
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
    auto bucket = slot_tensor_counts_.find(Place(t));
    if (bucket == slot_tensor_counts_.end()) return 0;
    for (const auto& [seen, n] : bucket->second) {
      if (SameTensor(seen, t)) return n;
    }
    return 0;
  }

  // A Value of the tensor codec (a rebuild call and its arguments, a
  // storage persistent id) in libtorch's opcodes.
  absl::Status PushCodecValue(const Value& v) {
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
      case Value::Kind::kStr:
        PushString(v.as_string());
        return absl::OkStatus();
      case Value::Kind::kGlobal:
        PushGlobal(v.global().module, v.global().name);
        return absl::OkStatus();
      case Value::Kind::kStorage:
        return PushStorage(v.storage());
      case Value::Kind::kTuple:
        out_.push_back(op::kMark);
        for (const Value& item : v.tuple()) PTSER_RETURN_IF_ERROR(PushCodecValue(item));
        out_.push_back(op::kTuple);
        return absl::OkStatus();
      case Value::Kind::kDict:
        if (v.dict().is_ordered_dict() && v.dict().empty()) {
          PushGlobal("collections", "OrderedDict");
          out_.push_back(op::kEmptyTuple);
          out_.push_back(op::kReduce);
          return absl::OkStatus();
        }
        break;
      case Value::Kind::kObject: {
        const Value::Object& o = v.object();
        if (o.construction() != Value::Object::Construction::kCall) break;
        PushGlobal(o.callee().module, o.callee().name);
        PTSER_RETURN_IF_ERROR(PushCodecValue(o.args()));
        out_.push_back(op::kReduce);
        return absl::OkStatus();
      }
      default:
        break;
    }
    return absl::UnimplementedError(absl::StrCat(
        "a ", v.TypeName(), " in a tensor's rebuild call cannot be written into a TorchScript "
        "pickle"));
  }

  // A storage: its persistent id (BINPERSID) the first time, then BINGET.
  absl::Status PushStorage(const TypedStorage& ts) {
    const void* sid = ts.storage.id();
    if (auto it = storage_memo_.find(sid); it != storage_memo_.end()) {
      PushBinGet(it->second);
      return absl::OkStatus();
    }
    std::string key = std::to_string(storages_.size());
    if (keys_ != nullptr) {
      for (const auto& [storage, k] : *keys_) {
        if (storage.IsSameAs(ts.storage)) key = k;
      }
    }
    const size_t itemsize = ElementSize(ts.dtype);
    StoragePersistentIdFields fields;
    fields.dtype = ts.dtype;
    fields.untyped = ts.untyped;
    fields.key = Value::Str(key);
    fields.location = ts.storage.device().ToString();
    fields.numel = static_cast<int64_t>(ts.storage.nbytes() / itemsize);
    PTSER_ASSIGN_OR_RETURN(Value pid, EncodeStoragePersistentId(fields, literals_));
    PTSER_RETURN_IF_ERROR(PushCodecValue(pid));
    out_.push_back(op::kBinPersId);
    storage_memo_[sid] = PushNextBinPut();
    storage_keys_.push_back(key);
    const size_t n = ts.storage.nbytes() / itemsize * itemsize;
    auto holder = std::make_shared<Storage>(ts.storage);
    storages_.push_back(Storage::Borrow(const_cast<void*>(ts.storage.data()), n, holder));
    return absl::OkStatus();
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
    if (!IsScriptClassModule(o.callee().module) ||
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
    AppendBE64(&out_, bits);
  }

  void PushLittle(uint64_t v, int bytes) {
    AppendLE(&out_, v, bytes);
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
  // Tensors by (storage, offset): the memo and the slot counts are looked up
  // in a bucket, not a list of every tensor.
  using Place_ = std::pair<const void*, int64_t>;
  static Place_ Place(const Tensor& t) { return {t.storage().id(), t.storage_offset()}; }
  absl::flat_hash_map<Place_, std::vector<std::pair<Tensor, uint32_t>>> tensor_memo_;
  absl::flat_hash_map<Place_, std::vector<std::pair<Tensor, int>>> slot_tensor_counts_;
  std::map<const void*, int> slot_object_counts_;
  std::vector<Storage> storages_;
  PersistentIdLiterals literals_;
};


ScriptPickler::ScriptPickler(const TypeTags& tags,
                             const std::vector<std::pair<Storage, std::string>>* keys)
    : impl_(std::make_unique<Impl>(tags, keys)) {}
ScriptPickler::~ScriptPickler() = default;

void ScriptPickler::CountSlotTensors(const ScriptModule& m) { impl_->CountSlotTensors(m, 0); }
absl::Status ScriptPickler::PushModule(const ScriptModule& m) { return impl_->PushModule(m, 0); }
absl::Status ScriptPickler::PushConstants(const Value& tuple) {
  if (!tuple.is_tuple()) return absl::InvalidArgumentError("constants must be a tuple");
  return impl_->PushConstants(tuple);
}
std::string ScriptPickler::Finish() { return impl_->Finish(); }
const std::vector<Storage>& ScriptPickler::storages() const { return impl_->storages(); }
const std::vector<std::string>& ScriptPickler::storage_keys() const {
  return impl_->storage_keys();
}

}  // namespace jit
}  // namespace ptser
