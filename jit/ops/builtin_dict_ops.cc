// Copyright ptser authors.
//
// aten:: dict operators: methods, indexing, construction.
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

// The key types of the Dict overloads, in 1.13's order.
constexpr const char* kDictKeys[] = {"str", "int", "bool", "float", "complex", "Tensor"};

// KeyError: the key as Python prints it.
Result MissingKey(const Value& key) { return KeyError(KeyRepr(key)); }

// dict.copy(): a shallow copy.
Result CopyDict(OpContext&, Args a) {
  Value out = Value::NewDict();
  for (const Value::Dict::Item& item : a[0].dict().items()) {
    absl::Status s = out.dict().SetItem(item.key, item.value);
    if (!s.ok()) return s;
  }
  return out;
}

// __getitem__, _set_item, pop, clear, copy.
void AddDictItems(Table& t) {
  for (const char* key : kDictKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::__getitem__.Dict_", key, "(", d, " self, ", key, " key) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            if (v == nullptr) return MissingKey(a[1]);
            return *v;
          });
  }
  for (const char* key : kDictKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::_set_item.", key, "(", d, "(a!) l, ", key, "(b -> *) idx, t(c -> *) v) -> ()"),
          [](OpContext&, Args a) -> Result {
            absl::Status s = a[0].dict().SetItem(a[1], a[2]);
            if (!s.ok()) return s;
            return Value();
          });
  }
  for (const char* key : kDictKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::pop.Dict_", key, "(", d, "(a!) self, ", key, " key) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            Value::Dict& dict = a[0].dict();
            const Value* v = dict.Find(a[1]);
            if (v == nullptr) return MissingKey(a[1]);
            Value out = *v;
            dict.Erase(a[1]);
            return out;
          });
    t.Add(absl::StrCat("aten::pop.Dict_default_", key, "(", d, "(a!) self, ", key,
                       " key, t default_value) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            Value::Dict& dict = a[0].dict();
            const Value* v = dict.Find(a[1]);
            if (v == nullptr) return a[2];
            Value out = *v;
            dict.Erase(a[1]);
            return out;
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::clear.", key, "(Dict(", key, ", t)(a!) self) -> ()"),
          [](OpContext&, Args a) -> Result {
            ClearContainer(a[0]);
            return Value();
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::copy.Dict_", key, "(Dict(", key, ", t)(a) self) -> Dict(", key, ", t)"),
          CopyDict);
  }
}

// dict(), items, keys, values, get, setdefault, update, popitem, del.
void AddDictMethods(Table& t) {
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::dict.", key, "((", key, ", tVal)[] inputs) -> Dict(", key, ", tVal)"),
          [](OpContext&, Args a) -> Result {
            Value out = Value::NewDict();
            for (const Value& pair : a[0].list().items()) {
              if (!pair.is_tuple() || pair.tuple().size() != 2) {
                return ValueError("dictionary update sequence element has wrong length");
              }
              absl::Status s = out.dict().SetItem(pair.tuple()[0], pair.tuple()[1]);
              if (!s.ok()) return s;
            }
            return out;
          });
    t.Add(absl::StrCat("aten::dict.Dict_", key, "(Dict(", key, ", t)(a) self) -> Dict(", key, ", t)"),
          CopyDict);
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::items.", key, "(Dict(", key, ", t) self) -> ((", key, ", t)[])"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value> out;
            out.reserve(a[0].dict().size());
            for (const Value::Dict::Item& item : a[0].dict().items()) {
              out.push_back(Value::NewTuple({item.key, item.value}));
            }
            return Value::NewList(std::move(out));
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::keys.", key, "(Dict(", key, ", t) self) -> ", key, "[](*)"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value> out;
            out.reserve(a[0].dict().size());
            for (const Value::Dict::Item& item : a[0].dict().items()) out.push_back(item.key);
            return Value::NewList(std::move(out));
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::values.", key, "(Dict(", key, ", t) self) -> t[](*)"),
          [](OpContext&, Args a) -> Result {
            std::vector<Value> out;
            out.reserve(a[0].dict().size());
            for (const Value::Dict::Item& item : a[0].dict().items()) out.push_back(item.value);
            return Value::NewList(std::move(out));
          });
  }
  for (const char* key : kDictKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)");
    t.Add(absl::StrCat("aten::get.", key, "(", d, " self, ", key, " key) -> t(*)?"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            return v ? *v : Value();
          });
    t.Add(absl::StrCat("aten::get.default_", key, "(", d, " self, ", key, " key, t default_value) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            return v ? *v : a[2];
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::setdefault.", key, "(Dict(", key, ", t)(a!) self, ", key,
                       "(b -> *) key, t(c -> *) default_value) -> t(*)"),
          [](OpContext&, Args a) -> Result {
            const Value* v = a[0].dict().Find(a[1]);
            if (v) return *v;
            absl::Status s = a[0].dict().SetItem(a[1], a[2]);
            if (!s.ok()) return s;
            return a[2];
          });
  }
  for (const char* key : kDictKeys) {
    const std::string d = absl::StrCat("Dict(", key, ", t)(a!)");
    t.Add(absl::StrCat("aten::update.", key, "(", d, " self, ", d, " to_add) -> ()"),
          [](OpContext&, Args a) -> Result {
            const std::vector<Value::Dict::Item> items = a[1].dict().items();
            for (const Value::Dict::Item& item : items) {
              absl::Status s = a[0].dict().SetItem(item.key, item.value);
              if (!s.ok()) return s;
            }
            return Value();
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::popitem.", key, "(Dict(", key, ", t)(a!) self) -> ((", key, ", t))"),
          [](OpContext&, Args a) -> Result {
            Value::Dict& dict = a[0].dict();
            if (dict.empty()) return KeyError("'popitem(): dictionary is empty'");
            // 1.13 takes the first item (Python takes the last).
            Value key = dict.items()[0].key;
            Value value = dict.items()[0].value;
            dict.Erase(key);
            return Value::NewTuple({std::move(key), std::move(value)});
          });
  }
  for (const char* key : kDictKeys) {
    t.Add(absl::StrCat("aten::Delete.Dict_", key, "(Dict(", key, ", t)(a!) self, ", key, " key) -> ()"),
          [](OpContext&, Args a) -> Result {
            if (!a[0].dict().Erase(a[1])) return MissingKey(a[1]);
            return Value();
          });
  }
}

}  // namespace

void AddDicts(Table& t) {
  AddDictItems(t);
  AddDictMethods(t);
}

}  // namespace builtin_internal
}  // namespace jit
}  // namespace ptser
