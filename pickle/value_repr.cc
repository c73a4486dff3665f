// Copyright ptser authors.
//
// pickle/value_repr.cc — Value::Repr: Python's repr() of any value, cut
// at a length, tensors as PyTorch prints them; operator<< and PrintTo.
#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "pickle/internal/python_text.h"
#include "pickle/internal/value_common.h"
#include "pickle/value.h"
#include "tensor/print/repr.h"

namespace ptser {
namespace {

using value_internal::kMaxRecursion;

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

}  // namespace

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

std::ostream& operator<<(std::ostream& os, const Value& v) {
  return os << v.Repr();
}

void PrintTo(const Value& v, std::ostream* os) { *os << v.Repr(); }

}  // namespace ptser
