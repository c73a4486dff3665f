// Copyright ptser authors.

#include "pickle/value.h"

#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

Value Int(int64_t v) { return Value::Int(v); }
Value Str(std::string s) { return Value::Str(std::move(s)); }

Value FloatTensor(std::vector<float> data, std::vector<int64_t> sizes) {
  auto storage = Storage::CopyFrom(data.data(), data.size() * sizeof(float));
  EXPECT_OK(storage.status());
  std::vector<int64_t> strides = Tensor::ContiguousStrides(sizes);
  auto t = Tensor::Make(*storage, ScalarType::kFloat, 0, sizes, strides);
  EXPECT_OK(t.status());
  return Value::FromTensor(*t);
}

TEST(ValueTest, ScalarsAndRepr) {
  EXPECT_EQ(Value().Repr(), "None");
  EXPECT_TRUE(Value::None().is_none());
  EXPECT_EQ(Value::Bool(true).Repr(), "True");
  EXPECT_EQ(Int(-7).Repr(), "-7");
  EXPECT_EQ(Int(std::numeric_limits<int64_t>::min()).Repr(),
            "-9223372036854775808");
  EXPECT_EQ(Value::Float(0.1).Repr(), "0.1");
  EXPECT_EQ(Value::Complex({1, -2}).Repr(), "(1-2j)");
  EXPECT_EQ(Str("it's").Repr(), "\"it's\"");
  EXPECT_EQ(Value::Bytes(std::string("\0a", 2)).Repr(), "b'\\x00a'");
  EXPECT_EQ(Value::ByteArray("xy").Repr(), "bytearray(b'xy')");
  EXPECT_EQ(Value::Size({2, 3}).Repr(), "torch.Size([2, 3])");
  EXPECT_EQ(Value::Size({}).Repr(), "torch.Size([])");
  EXPECT_EQ(Value::Dtype(ScalarType::kBFloat16).Repr(), "torch.bfloat16");
  EXPECT_EQ(Value::FromDevice(Device("cuda", 1)).Repr(),
            "device(type='cuda', index=1)");
  EXPECT_EQ(Value::FromDevice(Device()).Repr(), "device(type='cpu')");
  EXPECT_EQ(Value::Enum({TorchEnum::Type::kLayout, "strided"}).Repr(),
            "torch.strided");
  EXPECT_EQ(Value::Global("torch", "FloatStorage").Repr(),
            "<global torch.FloatStorage>");
  EXPECT_EQ(Value::Global("torch", "FloatStorage").TypeName(),
            "global 'torch.FloatStorage'");
}

// Python ints beyond int64 (issue 17, item 3): exact, equal to the float that
// is exactly them (as Python's 2**64 == 2.0**64), one dict key with it, and
// never printed in full in a message.
TEST(ValueTest, BigIntegers) {
  auto big = [](const std::string& text) {
    absl::StatusOr<BigInt> b = BigInt::FromText(text, 10);
    EXPECT_TRUE(b.ok());
    return Value::Integer(*b);
  };
  const Value two64 = big("18446744073709551616");
  EXPECT_TRUE(two64.is_bigint());
  EXPECT_EQ(two64.TypeName(), "int");
  EXPECT_EQ(two64.Repr(), "18446744073709551616");
  EXPECT_TRUE(big("-9223372036854775808").is_int());  // within int64: kInt
  EXPECT_TRUE(ValuesEqual(two64, big("18446744073709551616")));
  EXPECT_TRUE(ValuesEqual(two64, Value::Float(18446744073709551616.0)));
  EXPECT_TRUE(ValuesEqual(two64, Value::Complex({18446744073709551616.0, 0})));
  EXPECT_FALSE(ValuesEqual(big("18446744073709551617"), Value::Float(18446744073709551616.0)));
  EXPECT_FALSE(ValuesEqual(two64, Value::Int(0)));
  Value d = Value::NewDict();
  ASSERT_OK(d.dict().SetItem(two64, Value::Str("big")));
  ASSERT_OK(d.dict().SetItem(Value::Float(18446744073709551616.0), Value::Str("float")));
  ASSERT_OK(d.dict().SetItem(big("18446744073709551617"), Value::Str("other")));
  EXPECT_EQ(d.dict().size(), 2u);  // 2**64 and 2.0**64 are one key
  EXPECT_EQ(d.Repr(), "{18446744073709551616: 'float', 18446744073709551617: 'other'}");
  const Value huge = big("1" + std::string(1200, '7'));
  EXPECT_EQ(huge.Repr().size(), 1201u);
  EXPECT_LT(huge.Repr(Value::kMessageReprChars).size(), 210u);
}

TEST(ValueTest, ContainersRepr) {
  EXPECT_EQ(Value::NewList().Repr(), "[]");
  EXPECT_EQ(Value::NewTuple().Repr(), "()");
  EXPECT_EQ(Value::NewTuple({Int(1)}).Repr(), "(1,)");
  EXPECT_EQ(Value::NewTuple({Int(1), Str("a")}).Repr(), "(1, 'a')");
  Value d = Value::NewDict();
  EXPECT_EQ(d.Repr(), "{}");
  ASSERT_OK(d.dict().SetItem(Str("a"), Value::NewList({Int(1), Value()})));
  ASSERT_OK(d.dict().SetItem(Int(2), Value::Float(2.5)));
  EXPECT_EQ(d.Repr(), "{'a': [1, None], 2: 2.5}");
  Value od = Value::NewOrderedDict();
  EXPECT_EQ(od.Repr(), "OrderedDict()");
  ASSERT_OK(od.dict().SetItem(Str("w"), Int(1)));
  EXPECT_EQ(od.Repr(), "OrderedDict([('w', 1)])");
  EXPECT_EQ(od.TypeName(), "OrderedDict");
  Value c = Value::NewCounter();
  EXPECT_EQ(c.Repr(), "Counter()");
  ASSERT_OK(c.dict().SetItem(Str("a"), Int(2)));
  ASSERT_OK(c.dict().SetItem(Str("b"), Int(5)));
  ASSERT_OK(c.dict().SetItem(Str("c"), Int(2)));
  EXPECT_EQ(c.Repr(), "Counter({'b': 5, 'a': 2, 'c': 2})");
  Value s = Value::NewSet();
  EXPECT_EQ(s.Repr(), "set()");
  ASSERT_OK(s.set().Add(Int(3)));
  ASSERT_OK(s.set().Add(Int(1)));
  EXPECT_EQ(s.Repr(), "{3, 1}");
  Value fs = Value::NewFrozenSet();
  EXPECT_EQ(fs.Repr(), "frozenset()");
  ASSERT_OK(fs.set().Add(Str("a")));
  EXPECT_EQ(fs.Repr(), "frozenset({'a'})");
}

TEST(ValueTest, ReferenceSemantics) {
  Value inner = Value::NewList({Int(1)});
  Value outer = Value::NewList({inner, inner});
  Value alias = outer;  // the same list
  EXPECT_TRUE(alias.IsSameObject(outer));
  inner.list().Append(Int(2));
  EXPECT_EQ(alias.Repr(), "[[1, 2], [1, 2]]");
  EXPECT_TRUE(outer.list()[0].IsSameObject(outer.list()[1]));
  EXPECT_FALSE(Value::NewList().IsSameObject(Value::NewList()));
  // Strings are shared, immutable values.
  Value s = Str("x");
  Value t = s;
  EXPECT_TRUE(s.IsSameObject(t));
  EXPECT_FALSE(s.IsSameObject(Str("x")));
  EXPECT_TRUE(ValuesEqual(s, Str("x")));
  // Scalars have no identity beyond their value.
  EXPECT_TRUE(Int(5).IsSameObject(Int(5)));
  EXPECT_EQ(Int(5).identity(), nullptr);
}

TEST(ValueTest, SelfReferenceRepr) {
  Value l = Value::NewList({Int(1)});
  l.list().Append(l);
  EXPECT_EQ(l.Repr(), "[1, [...]]");
  EXPECT_TRUE(ValuesEqual(l, l));
  Value d = Value::NewDict();
  ASSERT_OK(d.dict().SetItem(Str("self"), d));
  EXPECT_EQ(d.Repr(), "{'self': {...}}");
  Value od = Value::NewOrderedDict();
  ASSERT_OK(od.dict().SetItem(Str("self"), od));
  EXPECT_EQ(od.Repr(), "OrderedDict([('self', ...)])");
  // Break the cycles (shared pointers cannot).
  l.list().items().clear();
  ASSERT_TRUE(d.dict().Erase(Str("self")));
  ASSERT_TRUE(od.dict().Erase(Str("self")));
}

TEST(ValueTest, ReleaseValueGraphFreesCycles) {
  std::weak_ptr<Value::List> weak_list;
  std::weak_ptr<Value::Dict> weak_dict;
  {
    Value l = Value::NewList({Int(1)});
    Value d = Value::NewDict();
    ASSERT_OK(d.dict().SetItem(Str("list"), l));
    l.list().Append(Value::NewTuple({d, l}));
    auto obj = std::make_shared<Value::Object>(
        GlobalRef{"m", "C"}, Value::Object::Construction::kCall,
        Value::NewTuple({l}));
    obj->set_state(d);
    l.list().Append(Value::FromObject(obj));
    weak_list = l.list_ptr();
    weak_dict = d.dict_ptr();
    ReleaseValueGraph(l);
    EXPECT_EQ(l.list().size(), 0u);
    EXPECT_EQ(d.dict().size(), 0u);
  }
  EXPECT_TRUE(weak_list.expired());
  EXPECT_TRUE(weak_dict.expired());
}

TEST(ValueTest, DictKeysFollowPythonEquality) {
  Value d = Value::NewDict();
  ASSERT_OK(d.dict().SetItem(Int(1), Str("int")));
  ASSERT_OK(d.dict().SetItem(Value::Float(1.0), Str("float")));
  ASSERT_OK(d.dict().SetItem(Value::Bool(true), Str("bool")));
  ASSERT_OK(d.dict().SetItem(Value::Complex({1, 0}), Str("complex")));
  EXPECT_EQ(d.Repr(), "{1: 'complex'}");  // one key, the first key object
  ASSERT_OK(d.dict().SetItem(Str("a"), Int(1)));
  ASSERT_OK(d.dict().SetItem(Value::Bytes("a"), Int(2)));  // 'a' != b'a'
  ASSERT_OK(d.dict().SetItem(Value::NewTuple({Int(1), Str("x")}), Int(3)));
  ASSERT_OK(d.dict().SetItem(Value::Size({1, 2}), Int(4)));
  ASSERT_OK(d.dict().SetItem(Value::NewTuple({Int(1), Int(2)}), Int(5)));
  ASSERT_OK(d.dict().SetItem(Value(), Int(6)));
  ASSERT_OK(d.dict().SetItem(Value::Dtype(ScalarType::kFloat), Int(7)));
  EXPECT_EQ(d.dict().size(), 7u);
  EXPECT_EQ(d.dict().Find(Value::NewTuple({Int(1), Int(2)}))->as_int(), 5);
  EXPECT_EQ(d.dict().Find(Value::Size({1, 2}))->as_int(), 5);  // Size == tuple
  EXPECT_EQ(d.dict().Find(Value::Float(1.0))->as_string(), "complex");
  EXPECT_EQ(d.dict().Find("a")->as_int(), 1);
  EXPECT_EQ(d.dict().Find(Value::Dtype(ScalarType::kFloat))->as_int(), 7);
  EXPECT_EQ(d.dict().Find(Value::Float(1.5)), nullptr);
  // 2**53 + 1 is not equal to the float 2**53.
  ASSERT_OK(d.dict().SetItem(Int((int64_t{1} << 53) + 1), Str("big")));
  EXPECT_EQ(d.dict().Find(Value::Float(9007199254740992.0)), nullptr);
  // NaN never equals itself as a fresh key.
  ASSERT_OK(d.dict().SetItem(Value::Float(std::nan("")), Int(0)));
  ASSERT_OK(d.dict().SetItem(Value::Float(std::nan("")), Int(0)));
  EXPECT_EQ(d.dict().size(), 10u);
}

TEST(ValueTest, UnhashableKeys) {
  Value d = Value::NewDict();
  EXPECT_THAT(d.dict().SetItem(Value::NewList(), Int(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unhashable type: 'list'"));
  EXPECT_THAT(d.dict().SetItem(Value::NewTuple({Value::NewDict()}), Int(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unhashable type: 'tuple'")));
  EXPECT_THAT(d.dict().SetItem(Value::ByteArray("x"), Int(1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  Value s = Value::NewSet();
  EXPECT_THAT(s.set().Add(Value::NewSet()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unhashable type: 'set'"));
  // Frozensets, tensors and objects are hashable (objects by identity).
  Value fs = Value::NewFrozenSet();
  ASSERT_OK(fs.set().Add(Int(1)));
  EXPECT_OK(d.dict().SetItem(fs, Int(1)));
  Value t = FloatTensor({1}, {1});
  EXPECT_OK(d.dict().SetItem(t, Int(2)));
  EXPECT_EQ(d.dict().Find(t)->as_int(), 2);
  EXPECT_EQ(d.dict().Find(FloatTensor({1}, {1})), nullptr);
}

TEST(ValueTest, DictReplaceEraseAndAttributes) {
  Value d = Value::NewOrderedDict();
  ASSERT_OK(d.dict().SetItem(Str("a"), Int(1)));
  ASSERT_OK(d.dict().SetItem(Str("b"), Int(2)));
  ASSERT_OK(d.dict().SetItem(Str("a"), Int(3)));
  EXPECT_EQ(d.Repr(), "OrderedDict([('a', 3), ('b', 2)])");
  EXPECT_TRUE(d.dict().Erase(Str("a")));
  EXPECT_FALSE(d.dict().Erase(Str("a")));
  EXPECT_EQ(d.dict().Find("b")->as_int(), 2);
  EXPECT_EQ(d.dict().Attribute("_metadata"), nullptr);
  Value state = Value::NewDict();
  ASSERT_OK(state.dict().SetItem(Str("_metadata"), Str("m")));
  d.dict().set_state(state);
  ASSERT_NE(d.dict().Attribute("_metadata"), nullptr);
  EXPECT_EQ(d.dict().Attribute("_metadata")->as_string(), "m");
  // (dict, slots) state.
  d.dict().set_state(Value::NewTuple({Value(), state}));
  EXPECT_NE(d.dict().Attribute("_metadata"), nullptr);
}

// SetItems is a loop of SetItem: later pairs replace earlier equal keys
// (keeping the first key object and its place), and an unhashable key stops
// the batch there with the pairs before it applied.
TEST(ValueTest, SetItemsMatchesSetItemOneByOne) {
  std::vector<Value> batch = {Str("a"), Int(1), Int(2), Int(2), Value::Float(1.0), Int(3),
                              Str("a"), Int(4), Value::Bool(true), Int(5)};
  Value d = Value::NewDict();
  ASSERT_OK(d.dict().SetItem(Int(2), Int(0)));
  ASSERT_OK(d.dict().SetItems(absl::MakeSpan(batch)));
  EXPECT_EQ(d.Repr(), "{2: 2, 'a': 4, 1.0: 5}");
  // Many keys: the index grows once, in the middle of the dict's life.
  Value big = Value::NewDict();
  std::vector<Value> many;
  for (int i = 0; i < 5000; ++i) {
    many.push_back(Str(absl::StrCat("layers.", i, ".weight")));
    many.push_back(Int(i));
  }
  ASSERT_OK(big.dict().SetItems(absl::MakeSpan(many)));
  ASSERT_EQ(big.dict().size(), 5000u);
  for (int i = 0; i < 5000; i += 97) {
    const Value* v = big.dict().Find(absl::StrCat("layers.", i, ".weight"));
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->as_int(), i);
  }
  std::vector<Value> bad = {Str("x"), Int(1), Value::NewList(), Int(2), Str("y"), Int(3)};
  Value e = Value::NewDict();
  EXPECT_THAT(e.dict().SetItems(absl::MakeSpan(bad)),
              StatusIs(absl::StatusCode::kInvalidArgument, "unhashable type: 'list'"));
  EXPECT_EQ(e.Repr(), "{'x': 1}");
}

TEST(ValueTest, Equality) {
  EXPECT_TRUE(ValuesEqual(Int(1), Value::Float(1.0)));
  EXPECT_TRUE(ValuesEqual(Value::Bool(true), Int(1)));
  EXPECT_FALSE(ValuesEqual(Int(1), Str("1")));
  EXPECT_FALSE(ValuesEqual(Value::Float(std::nan("")),
                           Value::Float(std::nan(""))));
  EXPECT_TRUE(ValuesEqual(Value::NewList({Int(1)}), Value::NewList({Int(1)})));
  EXPECT_FALSE(ValuesEqual(Value::NewList({Int(1)}), Value::NewTuple({Int(1)})));
  EXPECT_TRUE(ValuesEqual(Value::NewTuple({Int(2), Int(3)}), Value::Size({2, 3})));
  EXPECT_TRUE(ValuesEqual(Value::Bytes("a"), Value::ByteArray("a")));
  Value a = Value::NewDict(), b = Value::NewDict();
  ASSERT_OK(a.dict().SetItem(Str("x"), Int(1)));
  ASSERT_OK(a.dict().SetItem(Str("y"), Int(2)));
  ASSERT_OK(b.dict().SetItem(Str("y"), Int(2)));
  ASSERT_OK(b.dict().SetItem(Str("x"), Int(1)));
  EXPECT_TRUE(ValuesEqual(a, b));  // plain dicts ignore order
  Value oa = Value::NewOrderedDict(), ob = Value::NewOrderedDict();
  for (const auto& item : a.dict().items()) {
    ASSERT_OK(oa.dict().SetItem(item.key, item.value));
  }
  for (const auto& item : b.dict().items()) {
    ASSERT_OK(ob.dict().SetItem(item.key, item.value));
  }
  EXPECT_FALSE(ValuesEqual(oa, ob));  // OrderedDicts do not
  EXPECT_FALSE(ValuesEqual(a, oa));   // flavour is compared
  Value s1 = Value::NewSet(), s2 = Value::NewSet();
  ASSERT_OK(s1.set().Add(Int(1)));
  ASSERT_OK(s1.set().Add(Int(2)));
  ASSERT_OK(s2.set().Add(Int(2)));
  ASSERT_OK(s2.set().Add(Int(1)));
  EXPECT_TRUE(ValuesEqual(s1, s2));
}

TEST(ValueTest, TensorsAndStorages) {
  Value t = FloatTensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.Repr(), "tensor([[1., 2., 3.],\n        [4., 5., 6.]])");
  EXPECT_TRUE(ValuesEqual(t, FloatTensor({1, 2, 3, 4, 5, 6}, {2, 3})));
  EXPECT_FALSE(ValuesEqual(t, FloatTensor({1, 2, 3, 4, 5, 7}, {2, 3})));
  EXPECT_FALSE(ValuesEqual(t, FloatTensor({1, 2, 3, 4, 5, 6}, {3, 2})));
  // A transposed view equals a contiguous tensor with the same elements.
  auto tr = Tensor::Make(t.tensor().storage(), ScalarType::kFloat, 0, {3, 2},
                         {1, 3});
  ASSERT_OK(tr.status());
  EXPECT_TRUE(ValuesEqual(Value::FromTensor(*tr),
                          FloatTensor({1, 4, 2, 5, 3, 6}, {3, 2})));
  t.mutable_tensor().set_requires_grad(true);
  t.mutable_tensor().set_is_parameter(true);
  EXPECT_EQ(t.Repr(),
            "Parameter containing:\ntensor([[1., 2., 3.],\n        [4., 5., 6.]], "
            "requires_grad=True)");
  EXPECT_EQ(t.TypeName(), "Parameter");
  Value s = Value::FromStorage({t.tensor().storage(), ScalarType::kFloat});
  EXPECT_EQ(s.Repr(),
            "TypedStorage(dtype=torch.float32, numel=6, device='cpu')");
  EXPECT_EQ(s.storage().numel(), 6);
  Value u = Value::FromStorage({t.tensor().storage(), ScalarType::kByte, true});
  EXPECT_EQ(u.Repr(), "UntypedStorage(nbytes=24, device='cpu')");
  EXPECT_TRUE(s.IsSameObject(
      Value::FromStorage({t.tensor().storage(), ScalarType::kFloat})));
  EXPECT_EQ(Value::NewList({FloatTensor({1.5, 2}, {2})}).Repr(),
            "[tensor([1.5000, 2.0000])]");
}

TEST(ValueTest, Objects) {
  auto obj = std::make_shared<Value::Object>(
      GlobalRef{"__main__", "Point"}, Value::Object::Construction::kNewObj,
      Value::NewTuple());
  Value v = Value::FromObject(obj);
  EXPECT_FALSE(obj->has_state());
  EXPECT_EQ(v.Repr(), "<object __main__.Point new with ()>");
  Value state = Value::NewDict();
  ASSERT_OK(state.dict().SetItem(Str("x"), Int(1)));
  obj->set_state(state);
  obj->list_items().push_back(Int(9));
  EXPECT_EQ(v.Repr(),
            "<object __main__.Point new with (), state={'x': 1}, items=[9]>");
  EXPECT_EQ(obj->Attribute("x")->as_int(), 1);
  EXPECT_EQ(v.TypeName(), "'__main__.Point' object");
  auto other = std::make_shared<Value::Object>(
      GlobalRef{"__main__", "Point"}, Value::Object::Construction::kNewObj,
      Value::NewTuple());
  EXPECT_FALSE(ValuesEqual(v, Value::FromObject(other)));
  other->set_state(state);
  other->list_items().push_back(Int(9));
  EXPECT_TRUE(ValuesEqual(v, Value::FromObject(other)));
}

TEST(ValueTest, DeeplyNestedValuesAreFreedIteratively) {
  // A million nested lists would overflow the stack if destroyed
  // recursively.
  Value root = Value::NewList();
  {
    Value cur = root;
    for (int i = 0; i < 1000000; ++i) {
      Value next = Value::NewList();
      cur.list().Append(next);
      cur = next;
    }
  }
  EXPECT_NE(root.Repr().find("..."), std::string::npos);
  root = Value();  // freed here
  // Nested through dicts, tuples, sets and objects too.
  Value v = Int(0);
  for (int i = 0; i < 300000; ++i) {
    switch (i % 4) {
      case 0:
        v = Value::NewTuple({v});
        break;
      case 1: {
        Value d = Value::NewDict();
        EXPECT_OK(d.dict().SetItem(Int(i), v));
        v = d;
        break;
      }
      case 2: {
        auto o = std::make_shared<Value::Object>(
            GlobalRef{"m", "C"}, Value::Object::Construction::kCall,
            Value::NewTuple({v}));
        v = Value::FromObject(o);
        break;
      }
      default:
        v = Value::NewList({v});
        break;
    }
  }
  v = Value();
  // Tuples alone: their first levels are freed by plain recursion, the
  // rest through the worklist.
  Value t = Int(0);
  for (int i = 0; i < 1000000; ++i) t = Value::NewTuple({t});
  t = Value();
}

// t(i+1) = (t(i), t(i)): 100 tuples, 2^100 paths.  Hashing, hashability,
// comparison and repr must visit each shared tuple once (a hostile pickle
// builds this in a few hundred bytes; CPython itself hangs hashing it).
Value SharedTupleTower(int levels) {
  Value t = Value::NewTuple();
  for (int i = 0; i < levels; ++i) t = Value::NewTuple({t, t});
  return t;
}

TEST(ValueTest, SharedSubtuplesAreVisitedOnce) {
  // Without the sharing-aware walks this test never ends (the test timeout
  // catches it).
  Value tower = SharedTupleTower(100);
  Value same_shape = SharedTupleTower(100);
  EXPECT_TRUE(tower.IsHashable());
  Value d = Value::NewDict();
  ASSERT_OK(d.dict().SetItem(tower, Value::Int(1)));
  // An equal key built separately finds the same entry.
  ASSERT_NE(d.dict().Find(same_shape), nullptr);
  EXPECT_TRUE(ValuesEqual(tower, same_shape));
  const std::string repr = tower.Repr(Value::kMessageReprChars);
  EXPECT_EQ(repr.size(), Value::kMessageReprChars + 3);
  EXPECT_EQ(repr.substr(0, 4), "((((");
  EXPECT_EQ(repr.substr(repr.size() - 3), "...");
  EXPECT_LE(tower.Repr().size(), Value::kDefaultReprChars + 3);
}

TEST(ValueTest, CutReprStaysValidUtf8) {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "\xc3\xa9";  // é
  const std::string repr = Value::Str(text).Repr(Value::kMessageReprChars);
  ASSERT_GT(repr.size(), 4u);
  EXPECT_EQ(repr.substr(repr.size() - 3), "...");
  // 'é' is two bytes: the cut never leaves half of one.
  const std::string body = repr.substr(1, repr.size() - 4);
  EXPECT_EQ(body.size() % 2, 0u);
  EXPECT_NE(static_cast<unsigned char>(repr[repr.size() - 4]), 0xc3);
}

TEST(ValueTest, PrintsForGtest) {
  std::ostringstream os;
  os << Value::NewList({Int(1), Str("a")});
  EXPECT_EQ(os.str(), "[1, 'a']");
  EXPECT_EQ(::testing::PrintToString(Int(3)), "3");
}

}  // namespace
}  // namespace ptser
