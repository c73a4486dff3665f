// Copyright ptser authors.
//
// aten:: list operators: methods, len, indexing, slicing, sorting, min/max.
#include "jit/ops/builtin_ops.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cctype>
#include <complex>
#include <functional>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "jit/ops/internal/builtin_util.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/types.h"
#include "tensor/cast.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace builtin_internal {

namespace {

// Python's `x in l` / l.index / l.count / l.remove on lists.
size_t FindInList(const std::vector<Value>& items, const Value& x) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (ScriptEquals(items[i], x)) return i;
  }
  return items.size();
}

absl::Status SortList(std::vector<Value>& items, bool reverse) {
  absl::Status error;
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    if (!error.ok()) return false;
    absl::StatusOr<bool> less = reverse ? ScriptLess(y, x) : ScriptLess(x, y);
    if (!less.ok()) {
      error = less.status();
      return false;
    }
    return *less;
  });
  return error;
}

// list(l) and l.copy(): a shallow copy, checked against the allocation limit.
Result CopyList(OpContext& ctx, Args a) {
  const std::vector<Value>& items = a[0].list().items();
  absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(items.size() * sizeof(Value)), "list copy");
  if (!s.ok()) return s;
  return Value::NewList(items);
}

// len, __getitem__, list(), _set_item.
void AddListAccess(Table& t) {
  t.Add("aten::len.t(t[] a) -> int",
        [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].list().size())); });
  t.Add("aten::len.Tensor(Tensor t) -> int", [](OpContext&, Args a) -> Result {
    const Tensor& x = a[0].tensor();
    if (x.dim() == 0) return RuntimeError("len() of a 0-d tensor");
    return I(x.sizes()[0]);
  });
  t.Add("aten::len.str(str s) -> int",
        [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].as_string().size())); });
  for (const char* key : {"str", "int", "bool", "float", "complex", "Tensor"}) {
    t.Add(absl::StrCat("aten::len.Dict_", key, "(Dict(", key, ", t) self) -> int"),
          [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].dict().size())); });
  }
  t.Add("aten::len.any(Any[] a) -> int",
        [](OpContext&, Args a) { return I(static_cast<int64_t>(a[0].sequence_items().size())); });

  t.Add("aten::__getitem__.t(t[](a) list, int idx) -> t(*)", [](OpContext&, Args a) -> Result {
    const std::vector<Value>& items = a[0].list().items();
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, items.size())) return IndexError("list index out of range");
    return items[static_cast<size_t>(i)];
  });
  t.Add("aten::__getitem__.str(str s, int index) -> str", [](OpContext&, Args a) -> Result {
    const std::string& s = a[0].as_string();
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, s.size())) return IndexError("string index out of range");
    return Value::Str(std::string(1, s[static_cast<size_t>(i)]));
  });
  t.Add("aten::list(str t) -> str[]", [](OpContext&, Args a) -> Result {
    std::vector<Value> out;
    for (char c : a[0].as_string()) out.push_back(Value::Str(std::string(1, c)));
    return Value::NewList(std::move(out));
  });
  t.Add("aten::list.t(t[] l) -> t[]", CopyList);
  t.Add("aten::_set_item.t(t[](a!) l, int idx, t(b -> *) el) -> t[](a!)",
        [](OpContext&, Args a) -> Result {
          std::vector<Value>& items = a[0].list().items();
          int64_t i = a[1].as_int();
          if (!WrapIndex(&i, items.size())) return IndexError("list assignment index out of range");
          items[static_cast<size_t>(i)] = a[2];
          return a[0];
        });
}

// append, extend, insert, pop, remove, clear.
void AddListMutation(Table& t) {
  t.Add("aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)", [](OpContext& ctx, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    if (items.size() == items.capacity()) {
      absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(2 * (items.size() + 1) * sizeof(Value)),
                                      "aten::append");
      if (!s.ok()) return s;
    }
    items.push_back(a[1]);
    return a[0];
  });
  t.Add("aten::extend.t(t[](a!) self, t[] other) -> ()", [](OpContext& ctx, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    const std::vector<Value> other = a[1].list().items();  // `l.extend(l)` reads a copy
    absl::Status s = ctx.CheckAlloc(static_cast<int64_t>((items.size() + other.size()) * sizeof(Value)),
                                    "aten::extend");
    if (!s.ok()) return s;
    items.insert(items.end(), other.begin(), other.end());
    return Value();
  });
  t.Add("aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> ()", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    const int64_t n = static_cast<int64_t>(items.size());
    int64_t i = a[1].as_int();
    if (i < 0) i = std::max<int64_t>(0, i + n);
    if (i > n) i = n;
    items.insert(items.begin() + i, a[2]);
    return Value();
  });
  t.Add("aten::pop.t(t[](a!) self, int idx=-1) -> t(*)", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    if (items.empty()) return IndexError("pop from empty list");
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, items.size())) return IndexError("pop index out of range");
    Value out = std::move(items[static_cast<size_t>(i)]);
    items.erase(items.begin() + i);
    return out;
  });
  for (const char* kind : {"int", "float", "bool", "Tensor", "str"}) {
    t.Add(absl::StrCat("aten::remove.", kind, "(", kind, "[](a!) self, ", kind, " el) -> ()"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value>& items = a[0].list().items();
            const size_t i = FindInList(items, a[1]);
            if (i == items.size()) return ValueError("list.remove(x): x not in list");
            items.erase(items.begin() + static_cast<ptrdiff_t>(i));
            return Value();
          });
  }
  t.Add("aten::clear.t(t[](a!) self) -> ()", [](OpContext&, Args a) -> Result {
    a[0].list().items().clear();
    return Value();
  });
}

// index, count, reverse, sort, sorted, copy, slicing, del, `in`.
void AddListSearchOrder(Table& t) {
  // str.index and str.count come first in 1.13.
  t.Add("aten::index.str(str self, str substr, int start=0, int end=-1) -> int",
        [](OpContext&, Args a) -> Result {
          const int64_t r = StringFind(a[0].as_string(), a[1].as_string(), a[2].as_int(), a[3].as_int(), false);
          if (r < 0) return ValueError("substring not found");
          return I(r);
        });
  for (const char* kind : {"int", "float", "bool", "Tensor", "str"}) {
    t.Add(absl::StrCat("aten::index.list_", kind, "(", kind, "[] self, ", kind, " el) -> int"),
          [](OpContext&, Args a) -> Result {
            const std::vector<Value>& items = a[0].list().items();
            const size_t i = FindInList(items, a[1]);
            if (i == items.size()) return ValueError(absl::StrCat(KeyRepr(a[1]), " is not in list"));
            return I(static_cast<int64_t>(i));
          });
  }
  t.Add("aten::count(str self, str substr, int start=0, int end=-1) -> int", [](OpContext&, Args a) {
    const std::string s = SubstrForTest(a[0].as_string(), a[2].as_int(), a[3].as_int());
    const std::string& sub = a[1].as_string();
    if (sub.empty()) return I(static_cast<int64_t>(s.size()) + 1);
    int64_t n = 0;
    for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
    return I(n);
  });
  for (const char* kind : {"int", "float", "bool", "Tensor", "str"}) {
    t.Add(absl::StrCat("aten::count.", kind, "(", kind, "[] self, ", kind, " el) -> int"),
          [](OpContext&, Args a) {
            int64_t n = 0;
            for (const Value& v : a[0].list().items()) n += ScriptEquals(v, a[1]) ? 1 : 0;
            return I(n);
          });
  }
  t.Add("aten::reverse.t(t[](a!) self) -> ()", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    std::reverse(items.begin(), items.end());
    return Value();
  });
  auto sort_in_place = [](OpContext&, Args a) -> Result {
    absl::Status s = SortList(a[0].list().items(), a[1].as_bool());
    if (!s.ok()) return s;
    return Value();
  };
  for (const char* kind : {"int", "float", "Tensor", "bool", "str"}) {
    t.Add(absl::StrCat("aten::sort.", kind, "(", kind, "[](a!) self, bool reverse=False) -> ()"),
          sort_in_place);
  }
  t.Add("aten::sort.any(t[](a!) self, bool reverse=False) -> ()", sort_in_place);
  auto sorted = [](OpContext& ctx, Args a) -> Result {
    std::vector<Value> items = a[0].list().items();
    absl::Status s = ctx.CheckAlloc(static_cast<int64_t>(items.size() * sizeof(Value)), "sorted");
    if (!s.ok()) return s;
    s = SortList(items, false);
    if (!s.ok()) return s;
    return Value::NewList(std::move(items));
  };
  for (const char* kind : {"int", "float", "Tensor", "bool", "str"}) {
    t.Add(absl::StrCat("aten::sorted.", kind, "(", kind, "[](a) input) -> ", kind, "[]"), sorted);
  }
  t.Add("aten::sorted.any(t[](a) self) -> t[]", sorted);
  t.Add("aten::copy.t(t[](a) self) -> t[]", CopyList);
  t.Add("aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[]",
        [](OpContext&, Args a) -> Result {
          const std::vector<Value>& items = a[0].list().items();
          absl::StatusOr<std::vector<size_t>> idx = SliceIndices(a[1], a[2], a[3].as_int(), items.size());
          if (!idx.ok()) return idx.status();
          std::vector<Value> out;
          out.reserve(idx->size());
          for (size_t i : *idx) out.push_back(items[i]);
          return Value::NewList(std::move(out));
        });
  t.Add("aten::Delete.t(t[](a!) self, int idx) -> ()", [](OpContext&, Args a) -> Result {
    std::vector<Value>& items = a[0].list().items();
    int64_t i = a[1].as_int();
    if (!WrapIndex(&i, items.size())) return IndexError("list assignment index out of range");
    items.erase(items.begin() + i);
    return Value();
  });
  auto contains = [](OpContext&, Args a) {
    return B(FindInList(a[0].list().items(), a[1]) != a[0].list().size());
  };
  t.Add("aten::__contains__.int_list(int[] l, int item) -> bool", contains);
  t.Add("aten::__contains__.str_list(str[] l, str item) -> bool", contains);
  for (const char* key : {"str", "int", "bool", "float", "complex", "Tensor"}) {
    t.Add(absl::StrCat("aten::__contains__.", key, "(Dict(", key, ", t) dict, ", key, " key) -> bool"),
          [](OpContext&, Args a) { return B(a[0].dict().Find(a[1]) != nullptr); });
  }
  t.Add("aten::__contains__.float_list(float[] l, float item) -> bool", contains);
}

// any, all, sum over lists; _infer_size.
void AddListReductions(Table& t) {
  // Reductions over lists.
  t.Add("aten::any.str(str[] self) -> bool", [](OpContext&, Args a) {
    for (const Value& v : a[0].list().items()) {
      if (!v.as_string().empty()) return B(true);
    }
    return B(false);
  });
  for (const char* kind : {"int", "float", "bool"}) {
    t.Add(absl::StrCat("aten::any.", kind, "(", kind, "[] self) -> bool"), [](OpContext&, Args a) {
      for (const Value& v : a[0].list().items()) {
        if (AsDouble(v) != 0) return B(true);
      }
      return B(false);
    });
  }
  for (const char* kind : {"int", "float", "bool"}) {
    t.Add(absl::StrCat("aten::all.", kind, "(", kind, "[] self) -> bool"), [](OpContext&, Args a) {
      for (const Value& v : a[0].list().items()) {
        if (AsDouble(v) == 0) return B(false);
      }
      return B(true);
    });
  }
  t.Add("aten::sum.int(int[] self) -> int", [](OpContext&, Args a) {
    int64_t s = 0;
    for (const Value& v : a[0].list().items()) s = WrapAdd(s, v.as_int());
    return I(s);
  });
  t.Add("aten::sum.float(float[] self) -> float", [](OpContext&, Args a) {
    double s = 0;
    for (const Value& v : a[0].list().items()) s += v.as_float();
    return F(s);
  });
  t.Add("aten::sum.complex(complex[] self) -> complex", [](OpContext&, Args a) {
    Complex s = 0;
    for (const Value& v : a[0].list().items()) s += v.as_complex();
    return C(s);
  });
  t.Add("aten::sum.bool(bool[] self) -> int", [](OpContext&, Args a) {
    int64_t s = 0;
    for (const Value& v : a[0].list().items()) s += v.as_bool() ? 1 : 0;
    return I(s);
  });
  t.Add("aten::_infer_size(int[] a, int[] b) -> int[]", [](OpContext&, Args a) -> Result {
    const std::vector<int64_t> x = ops_internal::IntList(a[0]), y = ops_internal::IntList(a[1]);
    const size_t n = std::max(x.size(), y.size());
    std::vector<Value> out(n);
    for (size_t i = 0; i < n; ++i) {
      const int64_t dx = i < n - x.size() ? 1 : x[i - (n - x.size())];
      const int64_t dy = i < n - y.size() ? 1 : y[i - (n - y.size())];
      if (dx != dy && dx != 1 && dy != 1) {
        return RuntimeError(absl::StrCat("The size of tensor a (", dx,
                                         ") must match the size of tensor b (", dy,
                                         ") at non-singleton dimension ", i));
      }
      out[i] = Value::Int(dx == 1 ? dy : dx);
    }
    return Value::NewList(std::move(out));
  });
}

}  // namespace

void AddLists(Table& t) {
  AddListAccess(t);
  AddListMutation(t);
  AddListSearchOrder(t);
  AddListReductions(t);
}

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
