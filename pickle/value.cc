// Copyright ptser authors.
//
// pickle/value.cc — Value's construction and accessors, its containers (the
// dict's key index, sets, objects) and their iterative release.  Python
// equality and hashing are in value_hash.cc, repr in value_repr.cc, walks
// over a graph of containers in value_graph.cc, the checked reads in
// value_access.cc.
#include "pickle/value.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "pickle/internal/value_common.h"

namespace ptser {
namespace {

using value_internal::HashKey;
using value_internal::IsContainerKind;
using value_internal::KeyEquals;

// ---------------------------------------------------------------------------
// Iterative release of nested containers.
//
// A container's destructor moves its nested containers into a thread-local
// worklist instead of destroying them in place; the outermost destructor
// drains the list.  Destroying a list nested a million deep therefore uses
// constant stack.

// Inline room for the containers a typical dying container holds (a
// rebuilt tensor's argument tuple holds three), so most releases allocate
// nothing.
using ReleaseList = absl::InlinedVector<Value, 16>;
thread_local ReleaseList* g_release_list = nullptr;

// Tuples being destroyed by plain recursion on this thread (~Tuple).
thread_local int g_direct_tuple_depth = 0;
constexpr int kDirectTupleDepth = 16;

// Only a container this handle alone keeps alive would be destroyed (and
// recurse); shared ones just lose a reference where they are.
void MoveNested(Value& v, ReleaseList* sink) {
  if (IsContainerKind(v.kind()) && v.IsUniquelyHeldContainer()) {
    sink->push_back(std::move(v));
  }
}

template <typename MoveChildren>
void ReleaseNested(MoveChildren move_children) {
  if (g_release_list != nullptr) {
    move_children(g_release_list);
    return;
  }
  ReleaseList pending;
  g_release_list = &pending;
  move_children(&pending);
  while (!pending.empty()) {
    Value v = std::move(pending.back());
    pending.pop_back();
    // `v` is destroyed here; if it was the last handle its destructor adds
    // its own nested containers to `pending`.
  }
  g_release_list = nullptr;
}

const Value* AttributeFromState(const Value& state, absl::string_view name) {
  if (state.is_dict()) return state.dict().Find(name);
  if (state.is_tuple() && state.tuple().size() == 2) {
    for (const Value& part : state.tuple().items()) {
      if (part.is_dict()) {
        if (const Value* v = part.dict().Find(name)) return v;
      }
    }
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------
// TypedStorage

int64_t TypedStorage::numel() const {
  size_t itemsize = ElementSize(dtype);
  return itemsize == 0 ? 0 : static_cast<int64_t>(storage.nbytes() / itemsize);
}

// ---------------------------------------------------------------------------
// Value factories and accessors.

void Value::DestroyHeld() {
  if (HoldsPointer(kind_)) {
    rep_.ptr.~shared_ptr();
  } else if (kind_ == Kind::kTuple) {
    rep_.tuple->Unref();
  } else if (kind_ == Kind::kStorage) {
    rep_.storage.~TypedStorage();
  }
  kind_ = Kind::kNone;
}

Value Value::Bool(bool v) {
  Value out;
  out.kind_ = Kind::kBool;
  out.rep_.b = v;
  return out;
}
Value Value::Int(int64_t v) {
  Value out;
  out.kind_ = Kind::kInt;
  out.rep_.i = v;
  return out;
}
Value Value::Integer(BigInt v) {
  if (const std::optional<int64_t> i = v.ToInt64()) return Int(*i);
  return Value(Kind::kBigInt, std::make_shared<const BigInt>(std::move(v)));
}
Value Value::Float(double v) {
  Value out;
  out.kind_ = Kind::kFloat;
  out.rep_.f = v;
  return out;
}
Value Value::Complex(std::complex<double> v) {
  Value out;
  out.kind_ = Kind::kComplex;
  out.rep_.c[0] = v.real();
  out.rep_.c[1] = v.imag();
  return out;
}
Value Value::Str(std::string utf8) {
  return Value(Kind::kStr, std::make_shared<const std::string>(std::move(utf8)));
}
Value Value::Bytes(std::string bytes) {
  return Value(Kind::kBytes, std::make_shared<const std::string>(std::move(bytes)));
}
Value Value::ByteArray(std::string bytes) {
  return Value(Kind::kByteArray, std::make_shared<std::string>(std::move(bytes)));
}
Value Value::FromTensor(const Tensor& tensor) {
  return Value(Kind::kTensor, std::make_shared<Tensor>(tensor));
}
Value Value::FromTensor(Tensor&& tensor) {
  return Value(Kind::kTensor, std::make_shared<Tensor>(std::move(tensor)));
}
Value Value::FromStorage(TypedStorage storage) {
  return Value(std::move(storage));
}
Value Value::NewList(std::vector<Value> items) {
  return Value(Kind::kList, std::make_shared<List>(std::move(items)));
}
Value Value::NewTuple(std::vector<Value> items) {
  return MakeTuple(items.size(), [&items](size_t i) -> Value&& { return std::move(items[i]); });
}
Value Value::NewDict() {
  return Value(Kind::kDict, std::make_shared<Dict>(Dict::Flavor::kDict));
}
Value Value::NewOrderedDict() {
  return Value(Kind::kDict, std::make_shared<Dict>(Dict::Flavor::kOrderedDict));
}
Value Value::NewCounter() {
  return Value(Kind::kDict, std::make_shared<Dict>(Dict::Flavor::kCounter));
}
Value Value::NewSet() {
  return Value(Kind::kSet, std::make_shared<Set>(false));
}
Value Value::NewFrozenSet() {
  return Value(Kind::kFrozenSet, std::make_shared<Set>(true));
}
Value Value::Size(std::vector<int64_t> sizes) {
  return Value(Kind::kSize, std::make_shared<const std::vector<int64_t>>(std::move(sizes)));
}
Value Value::Dtype(ScalarType dtype) {
  Value out;
  out.kind_ = Kind::kDtype;
  out.rep_.dtype = dtype;
  return out;
}
Value Value::FromDevice(Device device) {
  return Value(Kind::kDevice, std::make_shared<const Device>(std::move(device)));
}
Value Value::Enum(TorchEnum value) {
  return Value(Kind::kEnum, std::make_shared<const TorchEnum>(std::move(value)));
}
Value Value::Global(std::string module, std::string name) {
  return Value(Kind::kGlobal, std::make_shared<const GlobalRef>(
                                  GlobalRef{std::move(module), std::move(name)}));
}
Value Value::FromObject(std::shared_ptr<Object> object) {
  return Value(Kind::kObject, std::move(object));
}
Value Value::FromList(std::shared_ptr<List> list) {
  return Value(Kind::kList, std::move(list));
}
Value Value::FromDict(std::shared_ptr<Dict> dict) {
  return Value(Kind::kDict, std::move(dict));
}
Value Value::FromSet(std::shared_ptr<Set> set) {
  const bool frozen = set->frozen();
  return Value(frozen ? Kind::kFrozenSet : Kind::kSet, std::move(set));
}

std::shared_ptr<Value::List> Value::list_ptr() const {
  return is_list() ? GetShared<List>() : nullptr;
}
std::shared_ptr<Value::Dict> Value::dict_ptr() const {
  return is_dict() ? GetShared<Dict>() : nullptr;
}
Value Value::FromOpaque(std::shared_ptr<OpaqueValue> opaque) {
  return Value(Kind::kOpaque, std::move(opaque));
}

std::shared_ptr<OpaqueValue> Value::opaque_ptr() const {
  return kind_ == Kind::kOpaque ? GetShared<OpaqueValue>() : nullptr;
}

std::string OpaqueValue::Repr() const { return absl::StrCat("<", TypeName(), " object>"); }

std::shared_ptr<Value::Object> Value::object_ptr() const {
  return is_object() ? GetShared<Object>() : nullptr;
}

absl::Span<const Value> Value::sequence_items() const {
  if (is_tuple()) return tuple().items();
  if (is_list()) return list().items();
  return {};
}

absl::string_view KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNone:
      return "NoneType";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
    case Value::Kind::kBigInt:
      return "int";
    case Value::Kind::kFloat:
      return "float";
    case Value::Kind::kComplex:
      return "complex";
    case Value::Kind::kStr:
      return "str";
    case Value::Kind::kBytes:
      return "bytes";
    case Value::Kind::kByteArray:
      return "bytearray";
    case Value::Kind::kTensor:
      return "Tensor";
    case Value::Kind::kStorage:
      return "TypedStorage";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kTuple:
      return "tuple";
    case Value::Kind::kDict:
      return "dict";
    case Value::Kind::kSet:
      return "set";
    case Value::Kind::kFrozenSet:
      return "frozenset";
    case Value::Kind::kSize:
      return "torch.Size";
    case Value::Kind::kDtype:
      return "torch.dtype";
    case Value::Kind::kDevice:
      return "torch.device";
    case Value::Kind::kEnum:
      return "torch enum";
    case Value::Kind::kGlobal:
      return "global";
    case Value::Kind::kObject:
      return "object";
    case Value::Kind::kOpaque:
      return "opaque value";
  }
  return "unknown";
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kTensor:
      return tensor().is_parameter() ? "Parameter" : "Tensor";
    case Kind::kStorage:
      return storage().untyped ? "UntypedStorage" : "TypedStorage";
    case Kind::kDict:
      switch (dict().flavor()) {
        case Dict::Flavor::kDict:
          return "dict";
        case Dict::Flavor::kOrderedDict:
          return "OrderedDict";
        case Dict::Flavor::kCounter:
          return "Counter";
      }
      return "dict";
    case Kind::kEnum:
      switch (enum_value().type) {
        case TorchEnum::Type::kLayout:
          return "torch.layout";
        case TorchEnum::Type::kQScheme:
          return "torch.qscheme";
        case TorchEnum::Type::kMemoryFormat:
          return "torch.memory_format";
      }
      return "torch enum";
    case Kind::kGlobal:
      return absl::StrCat("global '", global().FullName(), "'");
    case Kind::kObject:
      return absl::StrCat("'", object().callee().FullName(), "' object");
    case Kind::kOpaque:
      return opaque().TypeName();
    default:
      return std::string(KindName(kind_));
  }
}

const void* Value::identity() const {
  switch (kind_) {
    case Kind::kStorage:
      return storage().storage.id();
    case Kind::kTuple:
      return rep_.tuple;
    case Kind::kEnum:
    case Kind::kGlobal:
    case Kind::kBigInt:
      return nullptr;  // compared by value, as scalars
    default:
      return HoldsPointer(kind_) ? rep_.ptr.get() : nullptr;
  }
}

bool Value::IsSameObject(const Value& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kNone:
      return true;
    case Kind::kBool:
      return as_bool() == other.as_bool();
    case Kind::kInt:
      return as_int() == other.as_int();
    case Kind::kBigInt:
      return as_bigint() == other.as_bigint();
    case Kind::kFloat: {
      double x = as_float(), y = other.as_float();
      return std::memcmp(&x, &y, sizeof(x)) == 0;
    }
    case Kind::kComplex: {
      std::complex<double> x = as_complex(), y = other.as_complex();
      return std::memcmp(&x, &y, sizeof(x)) == 0;
    }
    case Kind::kDtype:
      return dtype() == other.dtype();
    case Kind::kEnum:
      return enum_value() == other.enum_value();
    case Kind::kGlobal:
      return global() == other.global();
    case Kind::kStorage:
      return storage().storage.IsSameAs(other.storage().storage) &&
             storage().dtype == other.storage().dtype &&
             storage().untyped == other.storage().untyped;
    default:
      return identity() == other.identity();
  }
}

bool Value::IsUniquelyHeldContainer() const {
  switch (kind_) {
    case Kind::kTuple:
      return rep_.tuple->IsUniquelyHeld();
    case Kind::kList:
    case Kind::kDict:
    case Kind::kSet:
    case Kind::kFrozenSet:
    case Kind::kObject:
      return rep_.ptr.use_count() == 1;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Containers.

Value::List::~List() {
  ReleaseNested([this](ReleaseList* sink) {
    for (Value& v : items_) MoveNested(v, sink);
  });
}

Value::Tuple* Value::Tuple::Allocate(size_t n) {
  static_assert(sizeof(Tuple) % alignof(Value) == 0, "items follow the header");
  if (n > (std::numeric_limits<size_t>::max() - sizeof(Tuple)) / sizeof(Value)) {
    throw std::bad_alloc();
  }
  void* memory = ::operator new(sizeof(Tuple) + n * sizeof(Value));
  return new (memory) Tuple(0);
}

void Value::Tuple::Unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    Tuple* self = const_cast<Tuple*>(this);
    self->~Tuple();
    ::operator delete(self);
  }
}

void Value::Tuple::DestroyItems() {
  Value* items = data();
  for (size_t i = 0; i < size_; ++i) items[i].~Value();
  size_ = 0;
}

Value::Tuple::~Tuple() {
  // Tuples nest shallowly in practice (a rebuilt tensor's arguments hold its
  // size and stride tuples), so the first levels are destroyed by plain
  // recursion, without the worklist; deeper ones (and any tuple met while a
  // worklist drains) go through it, so the stack stays bounded.
  if (g_release_list == nullptr && g_direct_tuple_depth < kDirectTupleDepth) {
    ++g_direct_tuple_depth;
    DestroyItems();
    --g_direct_tuple_depth;
    return;
  }
  ReleaseNested([this](ReleaseList* sink) {
    Value* items = data();
    for (size_t i = 0; i < size_; ++i) MoveNested(items[i], sink);
  });
  DestroyItems();
}

Value::Dict::~Dict() {
  ReleaseNested([this](ReleaseList* sink) {
    for (Item& item : items_) {
      MoveNested(item.key, sink);
      MoveNested(item.value, sink);
    }
    MoveNested(state_, sink);
  });
}

Value::Set::~Set() {
  ReleaseNested([this](ReleaseList* sink) {
    for (Value& v : items_) MoveNested(v, sink);
  });
}

Value::Object::~Object() {
  ReleaseNested([this](ReleaseList* sink) {
    MoveNested(args_, sink);
    MoveNested(kwargs_, sink);
    MoveNested(state_, sink);
    for (Value& v : list_items_) MoveNested(v, sink);
    for (Dict::Item& item : dict_items_) {
      MoveNested(item.key, sink);
      MoveNested(item.value, sink);
    }
  });
}

size_t value_internal::KeyIndex::Mix(size_t hash) { return absl::Hash<size_t>{}(hash); }

void value_internal::KeyIndex::Place(size_t hash, uint32_t position) {
  const size_t mask = slots_.size() - 1;
  const size_t mixed = Mix(hash);
  size_t s = mixed & mask;
  while (slots_[s] != 0) s = (s + 1) & mask;
  slots_[s] = Tag(mixed) | (uint64_t{position} + 1);
}

void value_internal::KeyIndex::Append(const std::vector<size_t>& hashes) {
  if (2 * hashes.size() > slots_.size()) {
    Rebuild(hashes);
    return;
  }
  Place(hashes.back(), static_cast<uint32_t>(hashes.size() - 1));
}

void value_internal::KeyIndex::Rebuild(const std::vector<size_t>& hashes) {
  size_t capacity = 8;
  while (capacity < 2 * hashes.size()) capacity *= 2;
  Resize(capacity, hashes);
}

void value_internal::KeyIndex::Reserve(size_t n, const std::vector<size_t>& hashes) {
  size_t capacity = std::max<size_t>(slots_.size(), 8);
  while (capacity < 2 * n) capacity *= 2;
  if (capacity > slots_.size()) Resize(capacity, hashes);
}

void value_internal::KeyIndex::Resize(size_t capacity, const std::vector<size_t>& hashes) {
  slots_.assign(capacity, 0);
  for (size_t i = 0; i < hashes.size(); ++i) Place(hashes[i], static_cast<uint32_t>(i));
}

std::optional<size_t> Value::Dict::IndexOf(const Value& key,
                                           size_t hash) const {
  std::optional<uint32_t> i = index_.Find(
      hash, hashes_, [&](uint32_t i) { return KeyEquals(items_[i].key, key); });
  if (!i.has_value()) return std::nullopt;
  return *i;
}

void Value::Dict::Reindex() { index_.Rebuild(hashes_); }

absl::Status Value::Dict::SetItem(Value key, Value value) {
  if (!key.IsHashable()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unhashable type: '", key.TypeName(), "'"));
  }
  const size_t hash = HashKey(key, 0);
  SetHashed(std::move(key), std::move(value), hash);
  return absl::OkStatus();
}

void Value::Dict::SetHashed(Value&& key, Value&& value, size_t hash) {
  if (std::optional<size_t> i = IndexOf(key, hash)) {
    items_[*i].value = std::move(value);
    return;
  }
  hashes_.push_back(hash);
  items_.push_back(Item{std::move(key), std::move(value)});
  index_.Append(hashes_);
}

absl::Status Value::Dict::SetItems(absl::Span<Value> keys_and_values) {
  const size_t pairs = keys_and_values.size() / 2;
  std::vector<size_t> hashes;
  hashes.reserve(pairs);
  absl::Status status;
  for (size_t i = 0; i < pairs; ++i) {
    const Value& key = keys_and_values[2 * i];
    if (!key.IsHashable()) {
      status = absl::InvalidArgumentError(absl::StrCat("unhashable type: '", key.TypeName(), "'"));
      break;
    }
    hashes.push_back(HashKey(key, 0));
  }
  const size_t n = hashes.size();
  const size_t needed = items_.size() + n;
  if (items_.capacity() < needed) items_.reserve(std::max(needed, 2 * items_.capacity()));
  if (hashes_.capacity() < needed) hashes_.reserve(std::max(needed, 2 * hashes_.capacity()));
  index_.Reserve(needed, hashes_);
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < std::min(n, kAhead); ++i) index_.Prefetch(hashes[i]);
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) index_.Prefetch(hashes[i + kAhead]);
    SetHashed(std::move(keys_and_values[2 * i]), std::move(keys_and_values[2 * i + 1]),
              hashes[i]);
  }
  return status;
}

const Value* Value::Dict::Find(const Value& key) const {
  if (!key.IsHashable()) return nullptr;
  std::optional<size_t> i = IndexOf(key, HashKey(key, 0));
  return i ? &items_[*i].value : nullptr;
}

Value* Value::Dict::FindMutable(const Value& key) {
  if (!key.IsHashable()) return nullptr;
  std::optional<size_t> i = IndexOf(key, HashKey(key, 0));
  return i ? &items_[*i].value : nullptr;
}

const Value* Value::Dict::Find(absl::string_view str_key) const {
  return Find(Value::Str(std::string(str_key)));
}

bool Value::Dict::Erase(const Value& key) {
  if (!key.IsHashable()) return false;
  std::optional<size_t> i = IndexOf(key, HashKey(key, 0));
  if (!i) return false;
  items_.erase(items_.begin() + *i);
  hashes_.erase(hashes_.begin() + *i);
  Reindex();
  return true;
}

const Value* Value::Dict::Attribute(absl::string_view name) const {
  return AttributeFromState(state_, name);
}

absl::Status Value::Set::Add(Value v) {
  if (!v.IsHashable()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unhashable type: '", v.TypeName(), "'"));
  }
  const size_t hash = HashKey(v, 0);
  if (index_.Find(hash, hashes_, [&](uint32_t i) { return KeyEquals(items_[i], v); })) {
    return absl::OkStatus();
  }
  hashes_.push_back(hash);
  items_.push_back(std::move(v));
  index_.Append(hashes_);
  return absl::OkStatus();
}

bool Value::Set::Contains(const Value& v) const {
  if (!v.IsHashable()) return false;
  return index_
      .Find(HashKey(v, 0), hashes_, [&](uint32_t i) { return KeyEquals(items_[i], v); })
      .has_value();
}

const Value* Value::Object::Attribute(absl::string_view name) const {
  return has_state_ ? AttributeFromState(state_, name) : nullptr;
}

}  // namespace ptser
