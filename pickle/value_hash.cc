// Copyright ptser authors.
//
// pickle/value_hash.cc — Python equality and hashing of Values: numbers
// across bool/int/float/complex, dict keys and set members
// (value_internal::HashKey, KeyEquals), Value::IsHashable and ValuesEqual.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/types/span.h"
#include "pickle/internal/value_common.h"
#include "pickle/value.h"
#include "tensor/quantizer.h"

namespace ptser {
namespace {

using value_internal::kMaxRecursion;

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

}  // namespace

size_t value_internal::HashKey(const Value& v, int depth) {
  WalkMemo memo;
  return HashKeyImpl(v, depth, memo);
}

namespace {

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

}  // namespace

bool value_internal::KeyEquals(const Value& a, const Value& b) {
  EqState st{EqMode::kKey, {}, {}};
  return Equal(a, b, st, 0);
}

bool Value::IsHashable() const { return IsHashableImpl(*this, 0); }

bool ValuesEqual(const Value& a, const Value& b) {
  EqState st{EqMode::kDeep, {}, {}};
  return Equal(a, b, st, 0);
}

}  // namespace ptser
