// Copyright ptser authors.
//
// Values: unpacking, attributes (get and set), subscripts and slices, as
// Python does them for the values TorchScript holds.
#include "jit/script/interpreter.h"

#include <algorithm>
#include <iostream>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "jit/ops/types.h"
#include "jit/script/ast.h"
#include "jit/script/internal/interpreter_impl.h"
#include "jit/script/parser.h"
#include "jit/script/upgraders.h"
#include "tensor/print/repr.h"
#include "tensor/storage.h"

namespace ptser {
namespace jit {

absl::StatusOr<Value> Interpreter::Impl::Unpackable(const Value& v, size_t n) const {
  Value seq = v;
  if (v.is_object()) {
    ClassInfo* cls = ClassOfValue(v);
    if (cls != nullptr && cls->kind == ClassInfo::Kind::kNamedTuple) seq = v.object().args();
  }
  size_t size;
  if (seq.is_tuple()) {
    size = seq.tuple().size();
  } else if (seq.is_list()) {
    size = seq.list().size();
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot unpack a ", v.TypeName(), " into ", n, " values"));
  }
  if (size != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        size > n ? "too many values to unpack" : "not enough values to unpack", " (expected ", n,
        ", got ", size, ")"));
  }
  return seq;
}

ClassInfo* Interpreter::Impl::ClassOfValue(const Value& v) const {
  auto find = [&](absl::string_view name) -> ClassInfo* {
    auto it = classes_.find(name);
    return it == classes_.end() ? nullptr : it->second.get();
  };
  if (v.is_object()) return find(v.object().callee().FullName());
  // A module's class is looked up by its name in place: no copy (this runs
  // on every method call and attribute of a module).
  if (ScriptModule* m = ModuleOf(v)) return find(m->qualified_name());
  return nullptr;
}

absl::StatusOr<Value> Interpreter::Impl::GetAttr(const Value& obj, const std::string& name) {
  if (ScriptModule* m = ModuleOf(obj)) {
    absl::StatusOr<Value> v = m->Attr(name);
    if (v.ok() || !absl::IsNotFound(v.status())) return v;
    if (ClassInfo* cls = ClassOfValue(obj)) {
      auto it = cls->constants.find(name);
      if (it != cls->constants.end()) return it->second;
    }
    return v;
  }
  if (obj.is_object()) {
    ClassInfo* cls = ClassOfValue(obj);
    const Value::Object& o = obj.object();
    if (cls != nullptr && cls->kind == ClassInfo::Kind::kNamedTuple) {
      const int i = cls->FieldIndex(name);
      if (i >= 0 && o.args().is_tuple() && static_cast<size_t>(i) < o.args().tuple().size()) {
        return o.args().tuple()[i];
      }
    } else if (cls != nullptr && cls->kind == ClassInfo::Kind::kEnum) {
      if (name == "value" && o.args().is_tuple() && o.args().tuple().size() == 1) {
        return o.args().tuple()[0];
      }
      if (name == "name" && o.args().is_tuple() && o.args().tuple().size() == 1) {
        for (const auto& [member, v] : cls->members) {
          if (ValuesEqual(v.object().args(), o.args())) return Value::Str(member);
        }
      }
    } else if (const Value* a = o.Attribute(name)) {
      return *a;
    }
    if (cls != nullptr) {
      auto it = cls->constants.find(name);
      if (it != cls->constants.end()) return it->second;
    }
    return absl::NotFoundError(
        absl::StrCat("'", o.callee().FullName(), "' object has no attribute '", name, "'"));
  }
  if (obj.is_tensor()) {
    // Tensor properties the printer may leave as attributes.
    static const auto* kProps = new absl::flat_hash_map<std::string, std::string>{
        {"shape", "aten::size"},        {"dtype", "prim::dtype"},
        {"device", "prim::device"},     {"is_cuda", "prim::is_cuda"},
        {"requires_grad", "prim::requires_grad"}, {"data", "prim::data"},
        {"T", "aten::numpy_T"},         {"ndim", "aten::dim"},
        {"real", "aten::real"},         {"imag", "aten::imag"},
        {"layout", "prim::layout"},     {"grad", "prim::grad"},
    };
    auto it = kProps->find(name);
    if (it != kProps->end()) return CallNamed(it->second, {obj});
  }
  return absl::NotFoundError(
      absl::StrCat("'", obj.TypeName(), "' object has no attribute '", name, "'"));
}

absl::Status Interpreter::Impl::SetAttr(const Value& obj, const std::string& name, Value v) {
  if (ScriptModule* m = ModuleOf(obj)) return m->SetAttr(name, std::move(v));
  if (obj.is_object()) {
    Value::Object& o = obj.object();
    if (!o.has_state() || !o.state().is_dict()) o.set_state(Value::NewDict());
    return o.state().dict().SetItem(Value::Str(name), std::move(v));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot set attribute '", name, "' of a ", obj.TypeName()));
}

namespace {
absl::StatusOr<int64_t> NormalizeIndex(int64_t i, size_t size, const char* what) {
  const int64_t n = static_cast<int64_t>(size);
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    return absl::OutOfRangeError(absl::StrCat("IndexError: ", what, " index out of range"));
  }
  return i;
}

// Python's slice bounds for a sequence of `size`.
void SliceBounds(int64_t size, std::optional<int64_t> start, std::optional<int64_t> stop,
                 int64_t step, int64_t* lo, int64_t* hi) {
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v.has_value()) return dflt;
    int64_t x = *v;
    if (x < 0) x += size;
    if (step > 0) return std::clamp<int64_t>(x, 0, size);
    return std::clamp<int64_t>(x, -1, size - 1);
  };
  *lo = clamp(start, step > 0 ? 0 : size - 1);
  *hi = clamp(stop, step > 0 ? size : -1);
}
}  // namespace

absl::StatusOr<Value> Interpreter::Impl::Subscript(const Value& obj, const Value& index) {
  if (index.is_int()) {
    const int64_t i = index.as_int();
    if (obj.is_tuple()) {
      PTSER_ASSIGN_OR_RETURN(int64_t k, NormalizeIndex(i, obj.tuple().size(), "tuple"));
      return obj.tuple()[k];
    }
    if (obj.is_list()) {
      PTSER_ASSIGN_OR_RETURN(int64_t k, NormalizeIndex(i, obj.list().size(), "list"));
      return obj.list()[k];
    }
    if (obj.is_object()) {
      ClassInfo* cls = ClassOfValue(obj);
      if (cls != nullptr && cls->kind == ClassInfo::Kind::kNamedTuple) {
        return Subscript(obj.object().args(), index);
      }
    }
  }
  if (obj.is_dict()) {
    const Value* v = obj.dict().Find(index);
    if (v == nullptr) {
      return absl::NotFoundError(absl::StrCat("KeyError: ", index.Repr(Value::kMessageReprChars)));
    }
    return *v;
  }
  if (ScriptModule* m = ModuleOf(obj)) {
    // ModuleList / Sequential indexing by a constant.
    if (index.is_int()) return m->Attr(std::to_string(index.as_int()));
    if (index.is_str()) return m->Attr(index.as_string());
  }
  if (obj.is_tensor() && index.is_int()) {
    return CallNamed("aten::select", {obj, Value::Int(0), index});
  }
  return CallNamed("aten::__getitem__", {obj, index});
}

absl::StatusOr<Value> Interpreter::Impl::SliceOf(const Value& obj, std::optional<int64_t> start,
                                                 std::optional<int64_t> stop,
                                                 std::optional<int64_t> step_opt) {
  const int64_t step = step_opt.value_or(1);
  if (step == 0) return absl::InvalidArgumentError("ValueError: slice step cannot be zero");
  auto pick = [&](int64_t size, auto&& at) {
    int64_t lo, hi;
    SliceBounds(size, start, stop, step, &lo, &hi);
    std::vector<Value> out;
    // The next index is taken only while it stays short of `hi`, so a step
    // near INT64_MAX cannot wrap `i += step` (builtin_ops.cc's SliceIndices).
    for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) {
      out.push_back(at(i));
      if (step > 0 ? step >= hi - i : step <= hi - i) break;
    }
    return out;
  };
  if (obj.is_tuple()) {
    const auto& t = obj.tuple();
    return Value::NewTuple(pick(t.size(), [&](int64_t i) { return t[i]; }));
  }
  if (obj.is_list()) {
    const auto& l = obj.list();
    return Value::NewList(pick(l.size(), [&](int64_t i) { return l[i]; }));
  }
  if (obj.is_str()) {
    const std::string& s = obj.as_string();
    std::string out;
    for (const Value& c : pick(s.size(), [&](int64_t i) { return Value::Int(s[i]); })) {
      out.push_back(static_cast<char>(c.as_int()));
    }
    return Value::Str(std::move(out));
  }
  if (obj.is_tensor()) {
    return CallNamed("aten::slice", {obj, Value::Int(0),
                                     start ? Value::Int(*start) : Value(),
                                     stop ? Value::Int(*stop) : Value(), Value::Int(step)});
  }
  return absl::InvalidArgumentError(absl::StrCat("a ", obj.TypeName(), " cannot be sliced"));
}

}  // namespace jit
}  // namespace ptser
