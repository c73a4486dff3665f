// Copyright ptser authors.
//
// pickle/value.h — one type for everything a checkpoint's pickle holds.
//
// A `Value` is what PyTorch's C++ calls an IValue: a tagged union of the
// Python objects that `torch.save` pickles can contain, after ptser has
// rebuilt the torch ones (docs/formats/pickle.md):
//
//   None, bool, int (int64), float, complex, str (UTF-8), bytes, bytearray,
//   Tensor, TypedStorage (a Storage plus its dtype), list, tuple,
//   dict (insertion ordered; also OrderedDict and Counter), set, frozenset,
//   torch.Size, torch.dtype, torch.device, the enum-like torch globals
//   (layouts, qschemes, memory formats), a reference to a global
//   ("torch.FloatStorage", a class or function named in the pickle), and
//   Object: an inert record of an instance ptser does not model
//   ("module.Name" + constructor arguments + BUILD state; never executed).
//
// Reference semantics.  Like Python objects, containers (list, tuple, dict,
// set, bytearray, Object) and tensors are reference counted (a shared_ptr;
// a tuple counts its own references and keeps its items in the same
// allocation): copying a Value copies the handle, so an object the pickle
// references twice is one object after loading, and a list appended to
// through one Value shows the change through every other.  Scalars and strings behave as values (strings
// are immutable and shared).  `IsSameObject` is Python's `is`.
//
//   Value d = Value::NewDict();
//   PTSER_RETURN_IF_ERROR(d.dict().SetItem(Value::Str("lr"), Value::Float(0.1)));
//   Value l = Value::NewList({Value::Int(1), d});
//   l.Repr() == "[1, {'lr': 0.1}]"
//
// Reference cycles (a list that contains itself) are representable, as in
// Python, but shared pointers cannot free them: such a value leaks when
// dropped unless ReleaseValueGraph() empties it first.  Deeply nested values
// are destroyed without recursion.
//
// Reading a loaded checkpoint.  Python's `ckpt['model']['fc.weight']` and
// `ckpt['epoch']` are
//
//   PTSER_ASSIGN_OR_RETURN(Tensor w, ckpt.Get<Tensor>("model", "fc.weight"));
//   PTSER_ASSIGN_OR_RETURN(int64_t epoch, ckpt.Get<int64_t>("epoch"));
//   PTSER_ASSIGN_OR_RETURN(double lr, ckpt.Get<double>("optimizer", "param_groups", 0, "lr"));
//
// and fail with a Status that says where and what: NotFoundError "no key
// 'fc.weight' in the dict at ['model'] (62 keys)", InvalidArgumentError
// "expected int at ['epoch'], got str".  `At(...)` gives the Value itself,
// `ToInt()`, `ToDict()`, ... check one value's kind.
//
// The plain accessors such as `as_int()` or `list()` are for code that has
// checked `kind()` (or `is_int()`) already: on another kind they throw
// BadValueKind, a std::bad_variant_access whose what() names both kinds
// ("ptser::Value: expected dict, got int").  Code that handles untrusted
// input uses the checked forms and reports errors as statuses.
#ifndef PTSER_PICKLE_VALUE_H_
#define PTSER_PICKLE_VALUE_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <atomic>
#include <complex>
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <type_traits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>  // std::bad_variant_access
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pickle/big_int.h"
#include "absl/types/span.h"
#include "tensor/device.h"
#include "tensor/scalar_type.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {

// A storage as a checkpoint names it: the bytes plus the dtype its storage
// class implies (`torch.FloatStorage` → float32).  `untyped` marks
// `torch.UntypedStorage` (newer PyTorch; dtype is then kByte and a tensor's
// dtype comes from `_rebuild_tensor_v3`).
struct TypedStorage {
  Storage storage;
  ScalarType dtype = ScalarType::kByte;
  bool untyped = false;

  // Elements of `dtype` the storage holds (nbytes / itemsize, rounded down).
  int64_t numel() const;
};

// The enum-like torch objects that pickle as globals or small reductions.
struct TorchEnum {
  enum class Type : uint8_t {
    kLayout,        // torch.strided, torch.sparse_coo, ... (via _get_layout)
    kQScheme,       // torch.per_tensor_affine, ...
    kMemoryFormat,  // torch.contiguous_format, torch.channels_last, ...
  };
  Type type;
  std::string name;  // without "torch.": "strided", "per_tensor_affine"

  // "torch.strided" — Python's repr and str.
  std::string Repr() const { return "torch." + name; }
  friend bool operator==(const TorchEnum& a, const TorchEnum& b) {
    return a.type == b.type && a.name == b.name;
  }
};

// A global named by the pickle (GLOBAL / STACK_GLOBAL) that resolved to a
// class or function rather than to a value: `torch.FloatStorage`,
// `torch._utils._rebuild_tensor_v2`, `torch.Tensor`, or with unknown
// globals kept, anything.  Only a name; nothing is imported.
struct GlobalRef {
  std::string module;  // "torch._utils"
  std::string name;    // "_rebuild_tensor_v2" (may be a dotted qualname)

  std::string FullName() const { return module + "." + name; }
  friend bool operator==(const GlobalRef& a, const GlobalRef& b) {
    return a.module == b.module && a.name == b.name;
  }
};

// What the plain Value accessors throw on the wrong kind: a
// std::bad_variant_access (so existing handlers still catch it) whose what()
// names the kind expected and the kind found.
class BadValueKind : public std::bad_variant_access {
 public:
  BadValueKind(absl::string_view expected, absl::string_view got);
  const char* what() const noexcept override { return message_; }

 private:
  char message_[160];
};

// One step of a path into a Value (Value::At, Value::Get): a str key of a
// dict, or an int — an index of a list or tuple (negative counts from the
// end, as Python's), or an int key of a dict (an optimizer's state).
class ValuePathKey {
 public:
  ValuePathKey(absl::string_view key) : is_index_(false), key_(key) {}
  ValuePathKey(const char* key) : is_index_(false), key_(key) {}
  ValuePathKey(const std::string& key) : is_index_(false), key_(key) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> &&
                                                    !std::is_same_v<I, bool>>>
  ValuePathKey(I index) : is_index_(true), index_(static_cast<int64_t>(index)) {}

  bool is_index() const { return is_index_; }
  absl::string_view key() const { return key_; }
  int64_t index() const { return index_; }
  // "['model']" or "[0]", as Python subscripts (a long key is cut).
  std::string ToString() const;

 private:
  bool is_index_;
  std::string key_;
  int64_t index_ = 0;
};

// "['model']['fc.weight']"; "the top level" for an empty path.
std::string PathToString(absl::Span<const ValuePathKey> path);

namespace value_internal {

// The hash index of a Dict or Set: an open-addressed table of item
// positions (linear probing, at most half full).  The items' hashes live
// beside the items; each slot keeps a position and 32 bits of the key's
// hash, so a probe rarely has to look at an item that is not the one.
class KeyIndex {
 public:
  // The first position whose hash is `hash` and that `match` accepts.
  template <typename Match>
  std::optional<uint32_t> Find(size_t hash, const std::vector<size_t>& hashes,
                               Match match) const {
    if (slots_.empty()) return std::nullopt;
    const size_t mask = slots_.size() - 1;
    const size_t mixed = Mix(hash);
    const uint64_t tag = Tag(mixed);
    for (size_t s = mixed & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return std::nullopt;
      if ((slot & kTagMask) == tag) {
        const uint32_t position = static_cast<uint32_t>(slot) - 1;
        if (hashes[position] == hash && match(position)) return position;
      }
    }
  }
  // Indexes the last of `hashes` (the item just appended).
  void Append(const std::vector<size_t>& hashes);
  // Indexes all of `hashes` afresh.
  void Rebuild(const std::vector<size_t>& hashes);
  // Makes room for `n` items in all (rebuilding from `hashes` if the table
  // must grow), so that appending up to `n` does not rebuild.
  void Reserve(size_t n, const std::vector<size_t>& hashes);
  // Starts loading the slot where a key of `hash` goes (a batch insert
  // looks a few keys ahead: the table is a cache miss per key).
  void Prefetch(size_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Mix(hash) & (slots_.size() - 1)]);
  }
  void Clear() { std::vector<uint64_t>().swap(slots_); }

 private:
  static constexpr uint64_t kTagMask = ~uint64_t{0} << 32;
  // absl's seeded hash of the key's hash: keys chosen to collide in the
  // table's low bits do not line up.
  static size_t Mix(size_t hash);
  static uint64_t Tag(size_t mixed) { return static_cast<uint64_t>(mixed) & kTagMask; }
  void Place(size_t hash, uint32_t position);
  void Resize(size_t capacity, const std::vector<size_t>& hashes);

  std::vector<uint64_t> slots_;  // 0: empty; else tag | (position + 1)
};

}  // namespace value_internal

// A value whose kind a layer above pickle/ defines: jit/ wraps a
// TorchScript module or a future in one, so that methods run on the one
// value model.  Compared, hashed and kept in containers by identity; the
// pickler refuses it (naming TypeName()).
class OpaqueValue {
 public:
  virtual ~OpaqueValue() = default;
  // Python's type name of the value: "__torch__.MyModule", "Future[int]".
  virtual std::string TypeName() const = 0;
  // What Python's repr would print.  Default: "<TypeName() object>".
  virtual std::string Repr() const;
};

class Value {
 public:
  enum class Kind : uint8_t {
    kNone,
    kBool,
    kInt,
    kFloat,
    kComplex,
    kStr,
    kBytes,
    kByteArray,
    kTensor,
    kStorage,
    kList,
    kTuple,
    kDict,
    kSet,
    kFrozenSet,
    kSize,
    kDtype,
    kDevice,
    kEnum,
    kGlobal,
    kObject,
    // A Python int beyond int64 (pickle/big_int.h); its type name is "int".
    // Ints within int64 are always kInt (Value::Integer normalizes).
    kBigInt,
    // A value the layers above pickle/ define (jit/: a TorchScript module,
    // a future); see OpaqueValue.  Never pickled.
    kOpaque,
  };

  class List;
  class Tuple;
  class Dict;
  class Set;
  class Object;

  // None.
  Value() = default;

  // Factories.  Each container factory makes a new object (a new identity).
  static Value None() { return Value(); }
  static Value Bool(bool v);
  static Value Int(int64_t v);
  // An int of any size: kInt when it fits int64, else kBigInt.
  static Value Integer(BigInt v);
  static Value Float(double v);
  static Value Complex(std::complex<double> v);
  // `utf8` must be UTF-8 (lone surrogates allowed, as Python's pickle
  // "surrogatepass"); the unpickler validates what it reads.
  static Value Str(std::string utf8);
  static Value Bytes(std::string bytes);
  static Value ByteArray(std::string bytes);
  static Value FromTensor(const Tensor& tensor);
  static Value FromTensor(Tensor&& tensor);  // moved once, into its shared object
  static Value FromStorage(TypedStorage storage);
  static Value NewList(std::vector<Value> items = {});
  static Value NewTuple(std::vector<Value> items = {});
  // A tuple of `n` items, item i being `take(i)` (a Value or Value&&),
  // made in one allocation.
  template <typename Take>
  static Value MakeTuple(size_t n, Take&& take);
  // An empty dict; `NewOrderedDict` and `NewCounter` make the
  // collections.OrderedDict / collections.Counter flavours.
  static Value NewDict();
  static Value NewOrderedDict();
  static Value NewCounter();
  static Value NewSet();
  static Value NewFrozenSet();
  static Value Size(std::vector<int64_t> sizes);
  static Value Dtype(ScalarType dtype);
  static Value FromDevice(Device device);
  static Value Enum(TorchEnum value);
  static Value Global(std::string module, std::string name);
  static Value FromObject(std::shared_ptr<Object> object);
  // Wraps a value of a kind defined above pickle/ (shared, by identity).
  static Value FromOpaque(std::shared_ptr<OpaqueValue> opaque);
  // Wraps existing container objects (sharing them).
  static Value FromList(std::shared_ptr<List> list);
  static Value FromDict(std::shared_ptr<Dict> dict);
  static Value FromSet(std::shared_ptr<Set> set);

  Kind kind() const { return kind_; }
  // Python's type name: "NoneType", "int", "str", "list", "OrderedDict",
  // "Tensor", "torch.Size", "torch.dtype", "object '__main__.Foo'", ...
  std::string TypeName() const;

  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_bigint() const { return kind_ == Kind::kBigInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_complex() const { return kind_ == Kind::kComplex; }
  bool is_str() const { return kind_ == Kind::kStr; }
  bool is_bytes() const { return kind_ == Kind::kBytes; }
  bool is_bytearray() const { return kind_ == Kind::kByteArray; }
  bool is_tensor() const { return kind_ == Kind::kTensor; }
  bool is_storage() const { return kind_ == Kind::kStorage; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const { return kind_ == Kind::kTuple; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_set() const { return kind_ == Kind::kSet; }
  bool is_frozenset() const { return kind_ == Kind::kFrozenSet; }
  bool is_size() const { return kind_ == Kind::kSize; }
  bool is_dtype() const { return kind_ == Kind::kDtype; }
  bool is_device() const { return kind_ == Kind::kDevice; }
  bool is_enum() const { return kind_ == Kind::kEnum; }
  bool is_global() const { return kind_ == Kind::kGlobal; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_opaque() const { return kind_ == Kind::kOpaque; }

  // Accessors; each requires the matching kind (else they throw
  // BadValueKind, a std::bad_variant_access naming both kinds).  The
  // checked forms below return a Status instead.
  bool as_bool() const {
    Require(kind_ == Kind::kBool, "bool");
    return rep_.b;
  }
  int64_t as_int() const {
    Require(kind_ == Kind::kInt, "int");
    return rep_.i;
  }
  const BigInt& as_bigint() const {
    Require(kind_ == Kind::kBigInt, "int (beyond 64 bits)");
    return Held<BigInt>();
  }
  double as_float() const {
    Require(kind_ == Kind::kFloat, "float");
    return rep_.f;
  }
  std::complex<double> as_complex() const {
    Require(kind_ == Kind::kComplex, "complex");
    return {rep_.c[0], rep_.c[1]};
  }
  // str (UTF-8) or bytes.
  const std::string& as_string() const {
    Require(kind_ == Kind::kStr || kind_ == Kind::kBytes, "str or bytes");
    return Held<std::string>();
  }
  // A bytearray's contents; mutable like Python's.
  std::string& bytearray() const {
    Require(kind_ == Kind::kByteArray, "bytearray");
    return Held<std::string>();
  }
  const Tensor& tensor() const {
    Require(kind_ == Kind::kTensor, "Tensor");
    return Held<Tensor>();
  }
  Tensor& mutable_tensor() const {
    Require(kind_ == Kind::kTensor, "Tensor");
    return Held<Tensor>();
  }
  const TypedStorage& storage() const {
    Require(kind_ == Kind::kStorage, "TypedStorage");
    return rep_.storage;
  }
  List& list() const {
    Require(kind_ == Kind::kList, "list");
    return Held<List>();
  }
  const Tuple& tuple() const {
    Require(kind_ == Kind::kTuple, "tuple");
    return *rep_.tuple;
  }
  Dict& dict() const {
    Require(kind_ == Kind::kDict, "dict");
    return Held<Dict>();
  }
  // set or frozenset.
  Set& set() const {
    Require(kind_ == Kind::kSet || kind_ == Kind::kFrozenSet, "set or frozenset");
    return Held<Set>();
  }
  const std::vector<int64_t>& size() const {
    Require(kind_ == Kind::kSize, "torch.Size");
    return Held<std::vector<int64_t>>();
  }
  ScalarType dtype() const {
    Require(kind_ == Kind::kDtype, "torch.dtype");
    return rep_.dtype;
  }
  const Device& device() const {
    Require(kind_ == Kind::kDevice, "torch.device");
    return Held<Device>();
  }
  const TorchEnum& enum_value() const {
    Require(kind_ == Kind::kEnum, "torch enum");
    return Held<TorchEnum>();
  }
  const GlobalRef& global() const {
    Require(kind_ == Kind::kGlobal, "global");
    return Held<GlobalRef>();
  }
  Object& object() const {
    Require(kind_ == Kind::kObject, "object");
    return Held<Object>();
  }
  OpaqueValue& opaque() const {
    Require(kind_ == Kind::kOpaque, "opaque value");
    return Held<OpaqueValue>();
  }

  // The shared objects themselves (null when the kind differs).
  std::shared_ptr<List> list_ptr() const;
  std::shared_ptr<Dict> dict_ptr() const;
  std::shared_ptr<Object> object_ptr() const;
  std::shared_ptr<OpaqueValue> opaque_ptr() const;

  // True for a list, tuple, dict, set, frozenset or Object that no other
  // handle shares (dropping this handle would destroy it).
  bool IsUniquelyHeldContainer() const;

  // Whether this is a tuple or a list: both are "sequences" to the torch
  // rebuild functions.
  bool is_sequence() const { return kind_ == Kind::kTuple || kind_ == Kind::kList; }
  // The elements of a tuple or list (empty for other kinds).
  absl::Span<const Value> sequence_items() const;

  // Python's `is`: both handles name the same object.  For scalars (None,
  // bool, int, float, complex, dtype, enum, global) equal values count as
  // the same object, as they do for Python's small-int cache and singletons.
  bool IsSameObject(const Value& other) const;

  // A pointer identifying the object for memo tables (null for scalars that
  // have no identity: None, bool, int, float, complex, dtype, enum, global).
  const void* identity() const;

  // Python's `repr`.  Tensors print as PyTorch prints them
  // (tensor/print/repr.h: `tensor([1., 2.])`, summarized when large);
  // storages as `TypedStorage(dtype=torch.float32, numel=3, device='cpu')`;
  // self-referencing containers print "[...]" as Python's do; nesting
  // deeper than 1000 prints "...".
  //
  // The text is cut at kDefaultReprChars characters ("..." appended): a
  // value whose containers share sub-containers can have a repr exponential
  // in its size (a list holding two references to a list holding two
  // references to ...), and a hostile pickle builds one in a few bytes.
  // Repr(n) cuts at n characters; error messages use Repr(kMessageReprChars).
  static constexpr size_t kDefaultReprChars = size_t{1} << 24;
  static constexpr size_t kMessageReprChars = 200;
  std::string Repr() const;
  std::string Repr(size_t max_chars) const;

  // Whether the value could be a dict key or set member (Python's
  // hashability): not for list, dict, set, bytearray, or tuples/frozensets
  // containing them.
  bool IsHashable() const;

  // ---- Checked access: a Status, never a throw -----------------------------
  // The wrong kind is InvalidArgumentError "expected int, got str".
  absl::StatusOr<bool> ToBool() const;
  absl::StatusOr<int64_t> ToInt() const;        // int only (a bool is not an int here)
  absl::StatusOr<double> ToDouble() const;      // float only
  absl::StatusOr<std::string> ToStr() const;    // str only (UTF-8)
  absl::StatusOr<Tensor> ToTensor() const;      // a handle on the same storage
  // Never null when ok; the object lives as long as a Value holds it.
  absl::StatusOr<List*> ToList() const;
  absl::StatusOr<const Tuple*> ToTuple() const;
  absl::StatusOr<Dict*> ToDict() const;          // dict, OrderedDict, Counter

  // Python's `v[k1][k2]...` (see ValuePathKey): the Value found, a handle
  // sharing the object (so a tensor or container changed through it changes
  // here too).  A missing key is NotFoundError naming the key and where the
  // dict is ("no key 'fc.weight' in the dict at ['model'] (62 keys)"); an
  // index past the end OutOfRangeError; stepping into a value that is not a
  // container InvalidArgumentError ("expected dict at ['model'] to look up
  // 'fc.weight', got int").  No keys: the value itself.
  template <typename... Keys>
  absl::StatusOr<Value> At(const Keys&... keys) const {
    return AtPath({ValuePathKey(keys)...});
  }
  absl::StatusOr<Value> AtPath(absl::Span<const ValuePathKey> path) const;

  // At(keys...) read as T, checked: T is bool, int64_t, double, std::string,
  // Tensor, Value, List*, const Tuple* or Dict* (as ToBool() ... ToDict()),
  // and a wrong kind names the path: "expected int at ['epoch'], got str".
  template <typename T, typename... Keys>
  absl::StatusOr<T> Get(const Keys&... keys) const;

  // The checked read of this value as T (T as for Get).
  template <typename T>
  absl::StatusOr<T> As() const;

  // InvalidArgumentError "expected <expected> at <path>, got <TypeName()>"
  // (without " at <path>" for an empty path).
  absl::Status KindError(absl::string_view expected,
                         absl::Span<const ValuePathKey> path = {}) const;

 // Copying a Value copies a handle (one reference count); moving leaves
  // the source None.
  Value(const Value& other) : kind_(other.kind_) { CopyFrom(other); }
  Value(Value&& other) noexcept : kind_(other.kind_) { MoveFrom(std::move(other)); }
  Value& operator=(const Value& other) {
    if (this != &other) {
      Value copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      // `other` may be owned by what this Value releases: take it first.
      Value taken(std::move(other));
      Destroy();
      kind_ = taken.kind_;
      MoveFrom(std::move(taken));
    }
    return *this;
  }
  ~Value() { Destroy(); }

 private:
  // A tagged union.  Scalars (bool, int, float, complex, dtype) are inline;
  // a storage is an inline TypedStorage; a tuple is a pointer to a Tuple,
  // which counts its references; every other kind but None holds its object
  // through `ptr` (a shared pointer to the object's type, stored untyped;
  // the kind says which).  The variant-free layout keeps
  // copies, moves and destruction to a branch on the kind: a torch.save
  // pickle moves Values through the unpickler's stack ~30 times a tensor.
  union Rep {
    Rep() : raw{} {}
    ~Rep() {}
    unsigned char raw[sizeof(TypedStorage) > 16 ? sizeof(TypedStorage) : 16];
    bool b;
    int64_t i;
    double f;
    double c[2];
    ScalarType dtype;
    std::shared_ptr<const void> ptr;
    TypedStorage storage;
    const Tuple* tuple;  // counted by the tuple itself
  };

  // Kinds whose object lives on the heap behind rep_.ptr: all but None,
  // bool, int, float, complex, dtype, storage and tuple.
  static constexpr uint32_t kInlineKinds =
      1u << static_cast<int>(Kind::kNone) | 1u << static_cast<int>(Kind::kBool) |
      1u << static_cast<int>(Kind::kInt) | 1u << static_cast<int>(Kind::kFloat) |
      1u << static_cast<int>(Kind::kComplex) | 1u << static_cast<int>(Kind::kDtype) |
      1u << static_cast<int>(Kind::kStorage) | 1u << static_cast<int>(Kind::kTuple);
  static bool HoldsPointer(Kind kind) {
    return (kInlineKinds & (1u << static_cast<int>(kind))) == 0;
  }
  [[noreturn]] void ThrowBadKind(const char* expected) const;
  void Require(bool ok, const char* expected) const {
    if (!ok) ThrowBadKind(expected);
  }
  template <typename T>
  T& Held() const {
    return *const_cast<T*>(static_cast<const T*>(rep_.ptr.get()));
  }
  template <typename T>
  std::shared_ptr<T> GetShared() const {
    return std::const_pointer_cast<T>(std::static_pointer_cast<const T>(rep_.ptr));
  }
  // Pointer kinds.
  template <typename T>
  Value(Kind kind, std::shared_ptr<T> object) : kind_(kind) {
    new (&rep_.ptr) std::shared_ptr<const void>(std::move(object));
  }
  explicit Value(TypedStorage storage) : kind_(Kind::kStorage) {
    new (&rep_.storage) TypedStorage(std::move(storage));
  }

  // Construct rep_ from `other` (kind_ already set to other.kind_).
  inline void CopyFrom(const Value& other);
  // A moved-from shared pointer or storage is null and needs no
  // destructor: `other` just becomes None.
  void MoveFrom(Value&& other) {
    if (HoldsPointer(kind_)) {
      new (&rep_.ptr) std::shared_ptr<const void>(std::move(other.rep_.ptr));
    } else if (kind_ == Kind::kStorage) {
      new (&rep_.storage) TypedStorage(std::move(other.rep_.storage));
    } else {  // scalars and the tuple pointer
      std::memcpy(rep_.c, other.rep_.c, sizeof(rep_.c));  // whichever scalar
    }
    other.kind_ = Kind::kNone;
  }
  // Most Values destroyed are moved-from (None): only the check is inline.
  void Destroy() {
    if (kind_ != Kind::kNone) DestroyHeld();
  }
  void DestroyHeld();

  Kind kind_ = Kind::kNone;
  Rep rep_;
};

// Python's name for a kind ("list", "dict", ...), for messages.
absl::string_view KindName(Value::Kind kind);

// Empties every list, tuple, dict, set and Object reachable from `root`
// (their items, BUILD states and constructor arguments), so that a value
// with reference cycles can be freed: shared pointers alone never free a
// list that contains itself.  Only for a graph that is being dropped as a
// whole: containers reachable from `root` are emptied even if other values
// still share them.  Iterative; safe on any depth.
void ReleaseValueGraph(const Value& root);

// Handles to every container (list, tuple, dict, set, frozenset, Object)
// reachable from `root`, `root` included, each once.  Iterative.
std::vector<Value> ReachableContainers(const Value& root);

// Calls `visit` once on each container reachable from `root` (breadth
// first, `root` first); stops when `visit` returns false.  Iterative.
void VisitReachableContainers(const Value& root,
                              const std::function<bool(const Value&)>& visit);

// How deeply containers nest in `root`: 0 for a scalar, 1 for a container of
// scalars, and so on, along the deepest path (an edge back into a cycle ends
// a path).  Linear in the containers reachable, any depth, no recursion.
// Stops early and returns `limit` + 1 once the depth exceeds `limit`.
uint64_t NestingDepth(const Value& root, uint64_t limit);

// Empties one container: the items of a list, tuple or set; the items and
// BUILD state of a dict; the arguments, state and items of an Object.  The
// values it held are not touched (they live on if shared).  No-op for
// other kinds.
void ClearContainer(const Value& v);

// ---------------------------------------------------------------------------
// Containers.  Their destructors hand nested containers to an iterative
// release loop, so dropping a value nested a million deep does not recurse.

// A Python list.
class Value::List {
 public:
  List() = default;
  explicit List(std::vector<Value> items) : items_(std::move(items)) {}
  List(const List&) = delete;
  List& operator=(const List&) = delete;
  ~List();

  std::vector<Value>& items() { return items_; }
  const std::vector<Value>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  const Value& operator[](size_t i) const { return items_[i]; }
  void Append(Value v) { items_.push_back(std::move(v)); }

 private:
  friend void ClearContainer(const Value& v);
  std::vector<Value> items_;
};

// A Python tuple (immutable once made).  Its items live in the same
// allocation as its reference count: a tuple costs one allocation (torch.save
// pickles four small tuples per tensor).  Made by Value::NewTuple.
class Value::Tuple {
 public:
  Tuple(const Tuple&) = delete;
  Tuple& operator=(const Tuple&) = delete;

  absl::Span<const Value> items() const { return {data(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Value& operator[](size_t i) const { return data()[i]; }
  const Value* begin() const { return data(); }
  const Value* end() const { return data() + size_; }

 private:
  friend class Value;
  friend void ClearContainer(const Value& v);

  explicit Tuple(size_t size) : size_(size) {}
  ~Tuple();
  // Room for `n` items, none made yet (size() is 0), referenced once.
  static Tuple* Allocate(size_t n);
  void Ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops a reference; the last one destroys the tuple.
  void Unref() const;
  bool IsUniquelyHeld() const { return refs_.load(std::memory_order_acquire) == 1; }
  // Destroys the items (ClearContainer, ~Tuple).
  void DestroyItems();

  Value* data() { return reinterpret_cast<Value*>(this + 1); }
  const Value* data() const { return reinterpret_cast<const Value*>(this + 1); }

  mutable std::atomic<size_t> refs_{1};
  size_t size_;
};

inline void Value::CopyFrom(const Value& other) {
  if (HoldsPointer(kind_)) {
    new (&rep_.ptr) std::shared_ptr<const void>(other.rep_.ptr);
  } else if (kind_ == Kind::kStorage) {
    new (&rep_.storage) TypedStorage(other.rep_.storage);
  } else if (kind_ == Kind::kTuple) {
    rep_.tuple = other.rep_.tuple;
    rep_.tuple->Ref();
  } else {
    std::memcpy(rep_.c, other.rep_.c, sizeof(rep_.c));  // whichever scalar
  }
}

template <typename Take>
Value Value::MakeTuple(size_t n, Take&& take) {
  Tuple* t = Tuple::Allocate(n);
  Value out;
  out.kind_ = Kind::kTuple;
  out.rep_.tuple = t;  // owns t from here, should take() throw
  Value* data = t->data();
  for (size_t i = 0; i < n; ++i) {
    new (data + i) Value(take(i));
    t->size_ = i + 1;  // only made items are destroyed
  }
  return out;
}

// A dict with Python's key semantics: insertion ordered, keys compared with
// Python's `==` on hashable values (1, 1.0 and True are one key; 'a' and
// b'a' are two; tuples compare element-wise; tensors, storages and Objects
// by identity).
class Value::Dict {
 public:
  enum class Flavor : uint8_t { kDict, kOrderedDict, kCounter };

  struct Item {
    Value key;
    Value value;
  };

  explicit Dict(Flavor flavor = Flavor::kDict) : flavor_(flavor) {}
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  ~Dict();

  Flavor flavor() const { return flavor_; }
  bool is_ordered_dict() const { return flavor_ == Flavor::kOrderedDict; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Item>& items() const { return items_; }

  // `d[key] = value`: replaces the value of an equal key in place (keeping
  // its position and the original key object), else appends.  An unhashable
  // key is InvalidArgumentError ("unhashable type: 'list'").
  absl::Status SetItem(Value key, Value value);
  // SetItem for each (key, value) pair of `keys_and_values` (moved out),
  // in order; an unhashable key stops there, as a loop of SetItem would.
  // Faster for many pairs (the unpickler's SETITEMS): the index is grown
  // once and looked up ahead.
  absl::Status SetItems(absl::Span<Value> keys_and_values);
  // Null when absent (or `key` is unhashable).
  const Value* Find(const Value& key) const;
  Value* FindMutable(const Value& key);
  // Convenience for str keys: `d.Find("weight")`.
  const Value* Find(absl::string_view str_key) const;
  Value* FindMutable(absl::string_view str_key);
  // Removes `key`; false when absent.  O(size).
  bool Erase(const Value& key);

  // The BUILD state of an OrderedDict/Counter instance: its `__dict__`
  // (a state dict's `_metadata` lives here) or a `(dict, slots)` tuple.
  // None when never built.
  const Value& state() const { return state_; }
  void set_state(Value state) { state_ = std::move(state); }
  // `getattr(d, name)` for attributes kept in state(); null when absent.
  const Value* Attribute(absl::string_view name) const;

 private:
  friend void ClearContainer(const Value& v);
  std::optional<size_t> IndexOf(const Value& key, size_t hash) const;
  // SetItem of a hashable key whose hash is known.
  void SetHashed(Value&& key, Value&& value, size_t hash);
  void Reindex();

  Flavor flavor_;
  std::vector<Item> items_;
  std::vector<size_t> hashes_;
  value_internal::KeyIndex index_;
  Value state_;
};

// A set or frozenset (insertion ordered, Python key semantics as Dict).
class Value::Set {
 public:
  explicit Set(bool frozen) : frozen_(frozen) {}
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;
  ~Set();

  bool frozen() const { return frozen_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Value>& items() const { return items_; }
  // `s.add(v)`: no-op when an equal member exists.  Unhashable values are
  // InvalidArgumentError.  (Allowed on frozensets too: the unpickler fills
  // a frozenset before handing it out.)
  absl::Status Add(Value v);
  bool Contains(const Value& v) const;

 private:
  friend void ClearContainer(const Value& v);
  bool frozen_;
  std::vector<Value> items_;
  std::vector<size_t> hashes_;
  value_internal::KeyIndex index_;
};

// An instance of a class ptser does not model, kept inert so it saves back
// unchanged: how it was made (`callable(*args)` for REDUCE/INST/OBJ,
// `cls.__new__(cls, *args[, **kwargs])` for NEWOBJ/NEWOBJ_EX), the BUILD
// state, and items added by APPEND(S)/SETITEM(S) (list or dict subclasses).
class Value::Object {
 public:
  enum class Construction : uint8_t { kCall, kNewObj, kNewObjEx };

  // `args` must be a tuple; `kwargs` a dict (kNewObjEx) or None.
  Object(GlobalRef callee, Construction how, Value args,
         Value kwargs = Value())
      : callee_(std::move(callee)),
        how_(how),
        args_(std::move(args)),
        kwargs_(std::move(kwargs)) {}
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  ~Object();

  // The class (or, for kCall, the callable) — e.g. "__main__.Net" or
  // "torch._utils._rebuild_sparse_tensor".
  const GlobalRef& callee() const { return callee_; }
  Construction construction() const { return how_; }
  const Value& args() const { return args_; }
  const Value& kwargs() const { return kwargs_; }

  bool has_state() const { return has_state_; }
  const Value& state() const { return state_; }
  void set_state(Value state) {
    state_ = std::move(state);
    has_state_ = true;
  }
  // `getattr(obj, name)` when the state is a dict (or (dict, slots)).
  const Value* Attribute(absl::string_view name) const;

  std::vector<Value>& list_items() { return list_items_; }
  const std::vector<Value>& list_items() const { return list_items_; }
  std::vector<Dict::Item>& dict_items() { return dict_items_; }
  const std::vector<Dict::Item>& dict_items() const { return dict_items_; }

 private:
  friend void ClearContainer(const Value& v);
  GlobalRef callee_;
  Construction how_;
  Value args_;
  Value kwargs_;
  Value state_;
  bool has_state_ = false;
  std::vector<Value> list_items_;
  std::vector<Dict::Item> dict_items_;
};

// ---------------------------------------------------------------------------
// Comparison (for tests and for callers checking a loaded structure).

// Python's `==`, extended to what Python cannot compare to a bool: numbers
// compare across bool/int/float/complex; list == list and tuple == tuple
// element-wise (a tuple equals a torch.Size of the same ints); dicts by
// items regardless of order unless both are OrderedDicts; sets as sets.
// Tensors are equal when dtype, sizes, requires_grad, is_parameter,
// conj/neg bits and every element's bytes agree (CPU; other devices compare
// storage identity and layout).  Storages: same bytes and dtype.  Objects:
// same callee, construction, args, kwargs, state and items.  Globals,
// devices, dtypes and enums by value.  Dict/OrderedDict flavour and BUILD
// state are compared too (unlike Python).  Self-referencing structures
// compare equal when they have the same shape; nesting deeper than 1000
// compares unequal.
bool ValuesEqual(const Value& a, const Value& b);

// Prints Repr() (gtest uses this too).
std::ostream& operator<<(std::ostream& os, const Value& v);
void PrintTo(const Value& v, std::ostream* os);

// ---------------------------------------------------------------------------
// Checked access: implementation.

template <typename T>
absl::StatusOr<T> Value::As() const {
  if constexpr (std::is_same_v<T, bool>) {
    return ToBool();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return ToInt();
  } else if constexpr (std::is_same_v<T, double>) {
    return ToDouble();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return ToStr();
  } else if constexpr (std::is_same_v<T, Tensor>) {
    return ToTensor();
  } else if constexpr (std::is_same_v<T, Value>) {
    return *this;
  } else if constexpr (std::is_same_v<T, List*>) {
    return ToList();
  } else if constexpr (std::is_same_v<T, const Tuple*>) {
    return ToTuple();
  } else if constexpr (std::is_same_v<T, Dict*>) {
    return ToDict();
  } else {
    static_assert(sizeof(T) == 0,
                  "Value::As<T>/Get<T>: T is bool, int64_t, double, std::string, Tensor, "
                  "Value, Value::List*, const Value::Tuple* or Value::Dict*");
  }
}

template <typename T, typename... Keys>
absl::StatusOr<T> Value::Get(const Keys&... keys) const {
  const std::initializer_list<ValuePathKey> path = {ValuePathKey(keys)...};
  absl::StatusOr<Value> found = AtPath(path);
  if (!found.ok()) return found.status();
  absl::StatusOr<T> out = found->template As<T>();
  if (!out.ok() && path.size() != 0 && absl::IsInvalidArgument(out.status())) {
    // The same message, saying where: "expected int at ['epoch'], got str".
    absl::string_view expected = out.status().message();
    expected.remove_prefix(std::min(expected.size(), sizeof("expected ") - 1));
    expected = expected.substr(0, expected.find(", got "));
    return found->KindError(expected, path);
  }
  return out;
}

}  // namespace ptser

#endif  // PTSER_PICKLE_VALUE_H_
