// Copyright ptser authors.

#include "pickle/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pickle/internal/python_text.h"
#include "tensor/print/repr.h"
#include "tensor/quantizer.h"

namespace ptser {
namespace {

// Recursive walks (repr, equality, hashing) stop at this depth.
constexpr int kMaxRecursion = 1000;

bool IsContainerKind(Value::Kind k) {
  switch (k) {
    case Value::Kind::kList:
    case Value::Kind::kTuple:
    case Value::Kind::kDict:
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
    case Value::Kind::kObject:
      return true;
    default:
      return false;
  }
}

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

// ---------------------------------------------------------------------------
// Python numeric equality across bool/int/float/complex.

bool IsNumeric(const Value& v) {
  return v.is_bool() || v.is_int() || v.is_float() || v.is_complex() || v.is_bigint();
}

// Returns the value as (real, imag, is_integer, int value).
struct Numeric {
  bool is_int;
  int64_t i;
  double re;
  double im;
};

Numeric ToNumeric(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return {true, v.as_bool() ? 1 : 0, 0, 0};
    case Value::Kind::kInt:
      return {true, v.as_int(), 0, 0};
    case Value::Kind::kFloat:
      return {false, 0, v.as_float(), 0};
    default:
      return {false, 0, v.as_complex().real(), v.as_complex().imag()};
  }
}

// Exact comparison of an int64 with a double, as Python compares int and
// float (no rounding of the int).
bool IntEqualsDouble(int64_t i, double d) {
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  return static_cast<int64_t>(d) == i;
}

// A big int (never within int64) against another number: equal to another
// big int of the same value, or to a float or complex that is exactly it.
bool BigIntEqual(const BigInt& x, const Value& other) {
  if (other.is_bigint()) return x == other.as_bigint();
  if (!other.is_float() && !other.is_complex()) return false;  // bool, int
  const double re = other.is_float() ? other.as_float() : other.as_complex().real();
  if (other.is_complex() && other.as_complex().imag() != 0) return false;
  const std::optional<double> d = x.ExactDouble();
  return d.has_value() && *d == re;
}

bool NumericEqual(const Value& a, const Value& b) {
  if (a.is_bigint()) return BigIntEqual(a.as_bigint(), b);
  if (b.is_bigint()) return BigIntEqual(b.as_bigint(), a);
  Numeric x = ToNumeric(a), y = ToNumeric(b);
  if (x.is_int && y.is_int) return x.i == y.i;
  if (x.is_int) return y.im == 0 && IntEqualsDouble(x.i, y.re);
  if (y.is_int) return x.im == 0 && IntEqualsDouble(y.i, x.re);
  return x.re == y.re && x.im == y.im;
}

// Integral numbers hash as their int64 so that 1, 1.0, True and 1+0j agree.
size_t HashNumeric(const Value& v) {
  if (v.is_bigint()) {
    // As the float it equals, if one does (integral floats beyond int64
    // hash as doubles below); else by its bytes.
    const std::optional<double> d = v.as_bigint().ExactDouble();
    if (d.has_value()) return absl::Hash<double>{}(*d);
    return absl::Hash<std::pair<int, absl::string_view>>{}({7, v.as_bigint().bytes()});
  }
  Numeric n = ToNumeric(v);
  if (n.is_int) return absl::Hash<int64_t>{}(n.i);
  if (n.im == 0) {
    double d = n.re;
    if (std::isfinite(d) && d == std::trunc(d) &&
        d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
      return absl::Hash<int64_t>{}(static_cast<int64_t>(d));
    }
    return absl::Hash<double>{}(d);
  }
  return absl::Hash<std::pair<double, double>>{}({n.re, n.im});
}

size_t Mix(size_t h, size_t v) {
  return (h ^ v) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
}

// ---------------------------------------------------------------------------
// Hashability and hashing (only for hashable values).

// Tuples already visited by one walk: a tuple whose items share
// sub-tuples (t1 = (t0, t0), t2 = (t1, t1), ...) is visited once per
// object, not once per path, which would be exponential — a hostile pickle
// builds such a key in a few bytes.  (CPython recomputes, and hangs.)
using TupleMemo = absl::flat_hash_map<const void*, size_t>;

// Results computed past the depth cut-off are not memoized (cut_offs counts
// them): a tuple reached first below the cut-off would otherwise keep a
// truncated answer for shallower visits.
struct WalkMemo {
  TupleMemo done;
  size_t cut_offs = 0;
};

bool IsHashableImpl(const Value& v, int depth, WalkMemo& seen) {
  if (depth > kMaxRecursion) {
    ++seen.cut_offs;
    return true;
  }
  switch (v.kind()) {
    case Value::Kind::kList:
    case Value::Kind::kDict:
    case Value::Kind::kSet:
    case Value::Kind::kByteArray:
      return false;
    case Value::Kind::kTuple: {
      if (v.tuple().size() == 0 || seen.done.contains(v.identity())) return true;
      const size_t cut_offs = seen.cut_offs;
      for (const Value& e : v.tuple().items()) {
        if (!IsHashableImpl(e, depth + 1, seen)) return false;
      }
      if (seen.cut_offs == cut_offs) seen.done.emplace(v.identity(), 1);
      return true;
    }
    case Value::Kind::kFrozenSet:
      return true;  // members were checked when added
    default:
      return true;
  }
}

bool IsHashableImpl(const Value& v, int depth) {
  WalkMemo seen;
  return IsHashableImpl(v, depth, seen);
}

size_t HashKeyImpl(const Value& v, int depth, WalkMemo& memo) {
  if (depth > kMaxRecursion) {
    ++memo.cut_offs;
    return 0x5eed;
  }
  switch (v.kind()) {
    case Value::Kind::kNone:
      return 0x9e37;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kComplex:
    case Value::Kind::kBigInt:
      return HashNumeric(v);
    case Value::Kind::kStr:
      return absl::Hash<std::pair<int, absl::string_view>>{}(
          {1, v.as_string()});
    case Value::Kind::kBytes:
      return absl::Hash<std::pair<int, absl::string_view>>{}(
          {2, v.as_string()});
    case Value::Kind::kTuple: {
      const bool nested = v.tuple().size() > 0;
      if (nested) {
        if (auto it = memo.done.find(v.identity()); it != memo.done.end()) return it->second;
      }
      const size_t cut_offs = memo.cut_offs;
      size_t h = 0x345678;
      for (const Value& e : v.tuple().items()) h = Mix(h, HashKeyImpl(e, depth + 1, memo));
      if (nested && memo.cut_offs == cut_offs) memo.done.emplace(v.identity(), h);
      return h;
    }
    case Value::Kind::kSize: {
      size_t h = 0x345678;
      for (int64_t s : v.size()) h = Mix(h, absl::Hash<int64_t>{}(s));
      return h;
    }
    case Value::Kind::kFrozenSet: {
      size_t h = 0x1234;
      for (const Value& e : v.set().items()) h += HashKeyImpl(e, depth + 1, memo) * 31;
      return Mix(h, v.set().size());
    }
    case Value::Kind::kDtype:
      return absl::Hash<std::pair<int, int>>{}({3, static_cast<int>(v.dtype())});
    case Value::Kind::kDevice:
      return absl::Hash<std::pair<int, std::string>>{}(
          {4, v.device().ToString()});
    case Value::Kind::kEnum:
      return absl::Hash<std::pair<int, std::string>>{}({5, v.enum_value().name});
    case Value::Kind::kGlobal:
      return absl::Hash<std::pair<int, std::string>>{}(
          {6, v.global().FullName()});
    case Value::Kind::kStorage:
      return absl::Hash<std::pair<const void*, int>>{}(
          {v.storage().storage.id(), static_cast<int>(v.storage().dtype)});
    default:
      return absl::Hash<const void*>{}(v.identity());
  }
}

size_t HashKey(const Value& v, int depth) {
  WalkMemo memo;
  return HashKeyImpl(v, depth, memo);
}

// ---------------------------------------------------------------------------
// Equality.

enum class EqMode {
  kKey,   // Python == for hashable values; identity for tensors/objects
  kDeep,  // ValuesEqual
};

struct EqState {
  EqMode mode;
  // Pairs of containers being compared (cycle guard).
  absl::flat_hash_set<std::pair<const void*, const void*>> active;
  // Pairs already found equal: containers that share sub-containers (a
  // DAG) are compared once per pair, not once per path, which would be
  // exponential.  (An unequal pair ends the whole comparison.)
  absl::flat_hash_set<std::pair<const void*, const void*>> equal;
};

bool Equal(const Value& a, const Value& b, EqState& st, int depth);

bool SeqEqual(absl::Span<const Value> x, absl::Span<const Value> y,
              EqState& st, int depth) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!Equal(x[i], y[i], st, depth + 1)) return false;
  }
  return true;
}

bool TensorsEqual(const Tensor& x, const Tensor& y) {
  if (x.dtype() != y.dtype() || x.sizes() != y.sizes() ||
      x.requires_grad() != y.requires_grad() ||
      x.is_parameter() != y.is_parameter() || x.is_conj() != y.is_conj() ||
      x.is_neg() != y.is_neg()) {
    return false;
  }
  if (x.quantizer().has_value() != y.quantizer().has_value()) return false;
  if (x.quantizer()) {
    const Quantizer& p = *x.quantizer();
    const Quantizer& q = *y.quantizer();
    if (p.scheme != q.scheme || p.scale != q.scale ||
        p.zero_point != q.zero_point || p.axis != q.axis) {
      return false;
    }
    if ((p.scales == nullptr) != (q.scales == nullptr) ||
        (p.zero_points == nullptr) != (q.zero_points == nullptr)) {
      return false;
    }
    if (p.scales && !TensorsEqual(*p.scales, *q.scales)) return false;
    if (p.zero_points && !TensorsEqual(*p.zero_points, *q.zero_points)) {
      return false;
    }
  }
  if (!x.device().is_cpu() || !y.device().is_cpu()) {
    return x.device() == y.device() && x.IsSameAs(y);
  }
  const int64_t numel = x.numel();
  if (numel == 0) return true;
  if (const int per_byte = ElementsPerByte(x.dtype()); per_byte > 1) {
    // Packed quint4x2/quint2x4: contiguous at offset 0 (Tensor::Make), so
    // the first ceil(numel / per_byte) bytes hold every value.
    const size_t n = static_cast<size_t>((numel + per_byte - 1) / per_byte);
    return std::memcmp(x.storage().data(), y.storage().data(), n) == 0;
  }
  const size_t itemsize = x.itemsize();
  const auto* xb = static_cast<const uint8_t*>(x.storage().data());
  const auto* yb = static_cast<const uint8_t*>(y.storage().data());
  const size_t dims = x.sizes().size();
  std::vector<int64_t> index(dims, 0);
  for (int64_t n = 0; n < numel; ++n) {
    int64_t xo = x.storage_offset(), yo = y.storage_offset();
    for (size_t d = 0; d < dims; ++d) {
      xo += index[d] * x.strides()[d];
      yo += index[d] * y.strides()[d];
    }
    if (std::memcmp(xb + xo * itemsize, yb + yo * itemsize, itemsize) != 0) {
      return false;
    }
    for (size_t d = dims; d-- > 0;) {
      if (++index[d] < x.sizes()[d]) break;
      index[d] = 0;
    }
  }
  return true;
}

bool Equal(const Value& a, const Value& b, EqState& st, int depth) {
  if (depth > kMaxRecursion) return false;
  if (IsNumeric(a) || IsNumeric(b)) {
    return IsNumeric(a) && IsNumeric(b) && NumericEqual(a, b);
  }
  const bool deep = st.mode == EqMode::kDeep;
  using K = Value::Kind;
  // Cross-kind cases Python treats as equal.
  if (a.kind() != b.kind()) {
    if ((a.is_tuple() && b.is_size()) || (a.is_size() && b.is_tuple())) {
      const Value& t = a.is_tuple() ? a : b;
      const Value& s = a.is_tuple() ? b : a;
      const auto& items = t.tuple().items();
      if (items.size() != s.size().size()) return false;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_int() && !items[i].is_bool()) return false;
        if (!NumericEqual(items[i], Value::Int(s.size()[i]))) return false;
      }
      return true;
    }
    if (deep && ((a.is_bytes() && b.is_bytearray()) ||
                 (a.is_bytearray() && b.is_bytes()))) {
      const std::string& x = a.is_bytes() ? a.as_string() : a.bytearray();
      const std::string& y = b.is_bytes() ? b.as_string() : b.bytearray();
      return x == y;
    }
    if ((a.is_set() && b.is_frozenset()) || (a.is_frozenset() && b.is_set())) {
      // handled below with the set comparison
    } else {
      return false;
    }
  }
  if (a.IsSameObject(b)) return true;
  switch (a.kind()) {
    case K::kNone:
      return true;
    case K::kStr:
    case K::kBytes:
      return a.as_string() == b.as_string();
    case K::kByteArray:
      return a.bytearray() == b.bytearray();
    case K::kTensor:
      return deep && TensorsEqual(a.tensor(), b.tensor());
    case K::kStorage: {
      const TypedStorage& x = a.storage();
      const TypedStorage& y = b.storage();
      if (x.dtype != y.dtype || x.untyped != y.untyped) return false;
      if (x.storage.IsSameAs(y.storage)) return true;
      if (!deep || x.storage.nbytes() != y.storage.nbytes()) return false;
      if (!x.storage.device().is_cpu() || !y.storage.device().is_cpu()) {
        return false;
      }
      return x.storage.nbytes() == 0 ||
             std::memcmp(x.storage.data(), y.storage.data(),
                         x.storage.nbytes()) == 0;
    }
    case K::kSize:
      return a.size() == b.size();
    case K::kDtype:
      return a.dtype() == b.dtype();
    case K::kDevice:
      return a.device() == b.device();
    case K::kEnum:
      return a.enum_value() == b.enum_value();
    case K::kGlobal:
      return a.global() == b.global();
    default:
      break;
  }
  // Containers: guard against cycles.
  auto key = std::make_pair(a.identity(), b.identity());
  if (st.equal.contains(key)) return true;
  if (!st.active.insert(key).second) return true;
  bool result = false;
  switch (a.kind()) {
    case K::kList:
      result = SeqEqual(a.list().items(), b.list().items(), st, depth);
      break;
    case K::kTuple:
      result = SeqEqual(a.tuple().items(), b.tuple().items(), st, depth);
      break;
    case K::kDict: {
      const Value::Dict& x = a.dict();
      const Value::Dict& y = b.dict();
      if (x.size() != y.size()) break;
      if (deep && x.flavor() != y.flavor()) break;
      const bool ordered = x.is_ordered_dict() && y.is_ordered_dict();
      result = true;
      for (size_t i = 0; i < x.size() && result; ++i) {
        const Value::Dict::Item& item = x.items()[i];
        if (ordered) {
          result = Equal(item.key, y.items()[i].key, st, depth + 1) &&
                   Equal(item.value, y.items()[i].value, st, depth + 1);
        } else {
          const Value* other = y.Find(item.key);
          result = other != nullptr && Equal(item.value, *other, st, depth + 1);
        }
      }
      if (result && deep) {
        result = Equal(x.state(), y.state(), st, depth + 1);
      }
      break;
    }
    case K::kSet:
    case K::kFrozenSet: {
      const Value::Set& x = a.set();
      const Value::Set& y = b.set();
      if (x.size() != y.size() || (deep && a.kind() != b.kind())) break;
      result = true;
      for (const Value& e : x.items()) {
        if (!y.Contains(e)) {
          result = false;
          break;
        }
      }
      break;
    }
    case K::kObject: {
      if (!deep) break;  // identity, checked above
      const Value::Object& x = a.object();
      const Value::Object& y = b.object();
      result = x.callee() == y.callee() &&
               x.construction() == y.construction() &&
               x.has_state() == y.has_state() &&
               Equal(x.args(), y.args(), st, depth + 1) &&
               Equal(x.kwargs(), y.kwargs(), st, depth + 1) &&
               Equal(x.state(), y.state(), st, depth + 1) &&
               SeqEqual(x.list_items(), y.list_items(), st, depth) &&
               x.dict_items().size() == y.dict_items().size();
      for (size_t i = 0; result && i < x.dict_items().size(); ++i) {
        result = Equal(x.dict_items()[i].key, y.dict_items()[i].key, st,
                       depth + 1) &&
                 Equal(x.dict_items()[i].value, y.dict_items()[i].value, st,
                       depth + 1);
      }
      break;
    }
    default:
      break;
  }
  st.active.erase(key);
  if (result) st.equal.insert(key);
  return result;
}

bool KeyEquals(const Value& a, const Value& b) {
  EqState st{EqMode::kKey, {}, {}};
  return Equal(a, b, st, 0);
}

// ---------------------------------------------------------------------------
// Repr.

struct ReprState {
  absl::flat_hash_set<const void*> active;
  // Output length after which nothing more is produced: a value whose
  // containers share sub-containers (a list of two copies of a list of two
  // copies of ...) has a repr exponential in its size.
  size_t limit = 0;
  bool Full(const std::string& out) const { return out.size() > limit; }
};

void ReprImpl(const Value& v, ReprState& st, int depth, std::string* out);

void ReprSeq(absl::Span<const Value> items, ReprState& st, int depth,
             std::string* out) {
  for (size_t i = 0; i < items.size() && !st.Full(*out); ++i) {
    if (i > 0) out->append(", ");
    ReprImpl(items[i], st, depth + 1, out);
  }
}

void ReprDictBody(const std::vector<Value::Dict::Item>& items, ReprState& st,
                  int depth, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < items.size() && !st.Full(*out); ++i) {
    if (i > 0) out->append(", ");
    ReprImpl(items[i].key, st, depth + 1, out);
    out->append(": ");
    ReprImpl(items[i].value, st, depth + 1, out);
  }
  out->push_back('}');
}

bool IsRealNumber(const Value& v) {
  return v.is_bool() || v.is_int() || v.is_float();
}

double AsDouble(const Value& v) {
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  if (v.is_int()) return static_cast<double>(v.as_int());
  return v.as_float();
}

void ReprImpl(const Value& v, ReprState& st, int depth, std::string* out) {
  if (st.Full(*out)) return;
  if (depth > kMaxRecursion) {
    out->append("...");
    return;
  }
  using K = Value::Kind;
  switch (v.kind()) {
    case K::kNone:
      out->append("None");
      return;
    case K::kBool:
      out->append(v.as_bool() ? "True" : "False");
      return;
    case K::kInt:
      absl::StrAppend(out, v.as_int());
      return;
    case K::kBigInt: {
      // Python's repr; past 4300 digits Python refuses to convert, and so
      // a short description stands in.
      const std::optional<std::string> text = v.as_bigint().ToDecimal();
      if (text.has_value()) {
        out->append(*text);
      } else {
        absl::StrAppend(out, "<int of ", v.as_bigint().BitLength(), " bits>");
      }
      return;
    }
    case K::kFloat:
      out->append(pickle_internal::FloatRepr(v.as_float()));
      return;
    case K::kComplex:
      out->append(pickle_internal::ComplexRepr(v.as_complex().real(),
                                               v.as_complex().imag()));
      return;
    case K::kStr:
      out->append(pickle_internal::StrRepr(v.as_string()));
      return;
    case K::kBytes:
      out->append(pickle_internal::BytesRepr(v.as_string()));
      return;
    case K::kByteArray:
      absl::StrAppend(out, "bytearray(",
                      pickle_internal::BytesRepr(v.bytearray()), ")");
      return;
    case K::kTensor:
      // PyTorch's own repr(tensor) (tensor/print/repr.h).
      out->append(::ptser::Repr(v.tensor()));
      return;
    case K::kStorage: {
      const TypedStorage& s = v.storage();
      if (s.untyped) {
        absl::StrAppend(out, "UntypedStorage(nbytes=", s.storage.nbytes(),
                        ", device='", s.storage.device().ToString(), "')");
      } else {
        absl::StrAppend(out, "TypedStorage(dtype=", DtypeRepr(s.dtype),
                        ", numel=", s.numel(), ", device='",
                        s.storage.device().ToString(), "')");
      }
      return;
    }
    case K::kSize:
      absl::StrAppend(out, "torch.Size([", absl::StrJoin(v.size(), ", "), "])");
      return;
    case K::kDtype:
      out->append(DtypeRepr(v.dtype()));
      return;
    case K::kDevice: {
      const Device& d = v.device();
      absl::StrAppend(out, "device(type='", d.type(), "'");
      if (d.has_index()) absl::StrAppend(out, ", index=", d.index());
      out->push_back(')');
      return;
    }
    case K::kEnum:
      out->append(v.enum_value().Repr());
      return;
    case K::kGlobal:
      absl::StrAppend(out, "<global ", v.global().FullName(), ">");
      return;
    default:
      break;
  }
  // Containers, with Python's recursion markers.
  const void* id = v.identity();
  if (st.active.contains(id)) {
    switch (v.kind()) {
      case K::kList:
        out->append("[...]");
        break;
      case K::kTuple:
        out->append("(...)");
        break;
      case K::kDict:
        out->append(v.dict().flavor() == Value::Dict::Flavor::kDict ? "{...}"
                                                                    : "...");
        break;
      case K::kSet:
        out->append("set(...)");
        break;
      case K::kFrozenSet:
        out->append("frozenset(...)");
        break;
      default:
        out->append("<...>");
        break;
    }
    return;
  }
  st.active.insert(id);
  switch (v.kind()) {
    case K::kList:
      out->push_back('[');
      ReprSeq(v.list().items(), st, depth, out);
      out->push_back(']');
      break;
    case K::kTuple:
      out->push_back('(');
      ReprSeq(v.tuple().items(), st, depth, out);
      if (v.tuple().size() == 1) out->push_back(',');
      out->push_back(')');
      break;
    case K::kDict: {
      const Value::Dict& d = v.dict();
      switch (d.flavor()) {
        case Value::Dict::Flavor::kDict:
          ReprDictBody(d.items(), st, depth, out);
          break;
        case Value::Dict::Flavor::kOrderedDict:
          // Python 3.11: OrderedDict([('a', 1)]).
          out->append("OrderedDict(");
          if (!d.empty()) {
            out->push_back('[');
            for (size_t i = 0; i < d.size() && !st.Full(*out); ++i) {
              if (i > 0) out->append(", ");
              out->push_back('(');
              ReprImpl(d.items()[i].key, st, depth + 1, out);
              out->append(", ");
              ReprImpl(d.items()[i].value, st, depth + 1, out);
              out->push_back(')');
            }
            out->push_back(']');
          }
          out->push_back(')');
          break;
        case Value::Dict::Flavor::kCounter: {
          // Counter({'b': 2, 'a': 1}): most common first when orderable.
          out->append("Counter(");
          if (!d.empty()) {
            std::vector<Value::Dict::Item> items = d.items();
            bool orderable = std::all_of(
                items.begin(), items.end(),
                [](const Value::Dict::Item& it) { return IsRealNumber(it.value); });
            if (orderable) {
              std::stable_sort(items.begin(), items.end(),
                               [](const Value::Dict::Item& x,
                                  const Value::Dict::Item& y) {
                                 return AsDouble(x.value) > AsDouble(y.value);
                               });
            }
            ReprDictBody(items, st, depth, out);
          }
          out->push_back(')');
          break;
        }
      }
      break;
    }
    case K::kSet:
    case K::kFrozenSet: {
      const Value::Set& s = v.set();
      const bool frozen = v.kind() == K::kFrozenSet;
      if (s.empty()) {
        out->append(frozen ? "frozenset()" : "set()");
        break;
      }
      if (frozen) out->append("frozenset(");
      out->push_back('{');
      ReprSeq(s.items(), st, depth, out);
      out->push_back('}');
      if (frozen) out->push_back(')');
      break;
    }
    case K::kOpaque:
      out->append(v.opaque().Repr());
      return;
    case K::kObject: {
      const Value::Object& o = v.object();
      absl::StrAppend(out, "<object ", o.callee().FullName());
      switch (o.construction()) {
        case Value::Object::Construction::kCall:
          out->append(" called with ");
          break;
        case Value::Object::Construction::kNewObj:
          out->append(" new with ");
          break;
        case Value::Object::Construction::kNewObjEx:
          out->append(" new_ex with ");
          break;
      }
      ReprImpl(o.args(), st, depth + 1, out);
      if (o.construction() == Value::Object::Construction::kNewObjEx) {
        out->append(", ");
        ReprImpl(o.kwargs(), st, depth + 1, out);
      }
      if (o.has_state()) {
        out->append(", state=");
        ReprImpl(o.state(), st, depth + 1, out);
      }
      if (!o.list_items().empty()) {
        out->append(", items=[");
        ReprSeq(o.list_items(), st, depth, out);
        out->push_back(']');
      }
      if (!o.dict_items().empty()) {
        out->append(", dict_items=");
        ReprDictBody(o.dict_items(), st, depth, out);
      }
      out->push_back('>');
      break;
    }
    default:
      break;
  }
  st.active.erase(id);
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
Value Value::FromTensor(Tensor tensor) {
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

bool Value::IsHashable() const { return IsHashableImpl(*this, 0); }

std::string Value::Repr() const { return Repr(kDefaultReprChars); }

std::string Value::Repr(size_t max_chars) const {
  ReprState st;
  st.limit = max_chars;
  std::string out;
  ReprImpl(*this, st, 0, &out);
  if (out.size() > max_chars) {
    // Cut at a character boundary: the text stays valid UTF-8.
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out.append("...");
  }
  return out;
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

// ---------------------------------------------------------------------------

std::vector<Value> ReachableContainers(const Value& root) {
  std::vector<Value> containers;
  VisitReachableContainers(root, [&containers](const Value& v) {
    containers.push_back(v);
    return true;
  });
  return containers;
}

namespace {

// Calls fn(child) for every value `v` holds directly (items, keys, values,
// an object's arguments and state).
template <typename Fn>
void ForEachChild(const Value& v, Fn fn) {
  switch (v.kind()) {
    case Value::Kind::kList:
      for (const Value& e : v.list().items()) fn(e);
      break;
    case Value::Kind::kTuple:
      for (const Value& e : v.tuple().items()) fn(e);
      break;
    case Value::Kind::kDict:
      for (const auto& item : v.dict().items()) {
        fn(item.key);
        fn(item.value);
      }
      fn(v.dict().state());
      break;
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
      for (const Value& e : v.set().items()) fn(e);
      break;
    case Value::Kind::kObject: {
      const Value::Object& o = v.object();
      fn(o.args());
      fn(o.kwargs());
      fn(o.state());
      for (const Value& e : o.list_items()) fn(e);
      for (const auto& item : o.dict_items()) {
        fn(item.key);
        fn(item.value);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

void VisitReachableContainers(const Value& root,
                              const std::function<bool(const Value&)>& fn) {
  std::vector<Value> containers;
  absl::flat_hash_set<const void*> seen;
  bool stopped = false;
  auto visit = [&](const Value& v) {
    if (!stopped && IsContainerKind(v.kind()) &&
        seen.insert(v.identity()).second) {
      containers.push_back(v);
      if (!fn(v)) stopped = true;
    }
  };
  visit(root);
  for (size_t i = 0; i < containers.size() && !stopped; ++i) {
    const Value v = containers[i];  // a copy: visit() grows the vector
    ForEachChild(v, visit);
  }
}

uint64_t NestingDepth(const Value& root, uint64_t limit) {
  if (!IsContainerKind(root.kind())) return 0;
  // Depth-first, iteratively; each container's height is computed once
  // (shared sub-containers cost nothing more), and an edge back to a
  // container still being walked (a cycle) counts as a leaf.
  constexpr uint64_t kInProgress = ~uint64_t{0};
  absl::flat_hash_map<const void*, uint64_t> height;
  struct Frame {
    Value v;
    std::vector<Value> children;
    size_t next = 0;
    uint64_t best = 0;  // the highest child so far
  };
  std::vector<Frame> stack;
  auto enter = [&](const Value& v) {
    height[v.identity()] = kInProgress;
    Frame f{v, {}, 0, 0};
    ForEachChild(v, [&f](const Value& c) {
      if (IsContainerKind(c.kind())) f.children.push_back(c);
    });
    stack.push_back(std::move(f));
  };
  enter(root);
  uint64_t result = 0;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (stack.size() > limit) return limit + 1;
    if (f.next < f.children.size()) {
      const Value child = f.children[f.next++];
      auto it = height.find(child.identity());
      if (it == height.end()) {
        enter(child);
      } else if (it->second != kInProgress) {
        f.best = std::max(f.best, it->second);
      }
      continue;
    }
    const uint64_t h = f.best + 1;
    height[f.v.identity()] = h;
    stack.pop_back();
    if (stack.empty()) {
      result = h;
    } else {
      stack.back().best = std::max(stack.back().best, h);
    }
  }
  return result;
}

void ClearContainer(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kList:
      v.list().items_.clear();
      break;
    case Value::Kind::kTuple:
      // An empty tuple may be shared by every load (the unpickler's ()):
      // it is never written to.
      if (!v.tuple().empty()) const_cast<Value::Tuple&>(v.tuple()).DestroyItems();
      break;
    case Value::Kind::kDict: {
      Value::Dict& d = v.dict();
      d.items_.clear();
      d.hashes_.clear();
      d.index_.Clear();
      d.state_ = Value();
      break;
    }
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet: {
      Value::Set& st = v.set();
      st.items_.clear();
      st.hashes_.clear();
      st.index_.Clear();
      break;
    }
    case Value::Kind::kObject: {
      Value::Object& o = v.object();
      o.args_ = Value();
      o.kwargs_ = Value();
      o.state_ = Value();
      o.has_state_ = false;
      o.list_items_.clear();
      o.dict_items_.clear();
      break;
    }
    default:
      break;
  }
}

void ReleaseValueGraph(const Value& root) {
  // Every container is held by `all` while the others are emptied, so
  // nothing is freed while still being walked.
  std::vector<Value> all = ReachableContainers(root);
  for (const Value& v : all) ClearContainer(v);
}

bool ValuesEqual(const Value& a, const Value& b) {
  EqState st{EqMode::kDeep, {}, {}};
  return Equal(a, b, st, 0);
}

std::ostream& operator<<(std::ostream& os, const Value& v) {
  return os << v.Repr();
}

void PrintTo(const Value& v, std::ostream* os) { *os << v.Repr(); }

}  // namespace ptser
