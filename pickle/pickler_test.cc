// Copyright ptser authors.
//
// The pickler against CPython: pickle/testdata/pickler_expected.txt holds
// `pickle.dumps(value, protocol)` for each case of make_pickler_fixtures.py;
// this test builds the same object graphs (with the same sharing) and
// expects the same bytes.
#include "pickle/pickler.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/value.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

Value List(std::vector<Value> items) { return Value::NewList(std::move(items)); }
Value Int(int64_t v) { return Value::Int(v); }
Value Str(std::string s) { return Value::Str(std::move(s)); }

Value Dict(std::vector<std::pair<Value, Value>> items) {
  Value d = Value::NewDict();
  for (auto& [k, v] : items) EXPECT_OK(d.dict().SetItem(k, v));
  return d;
}

Value BuildCase(const std::string& name) {
  if (name == "none") return Value::None();
  if (name == "true_false") return List({Value::Bool(true), Value::Bool(false)});
  if (name == "ints") {
    std::vector<Value> v;
    for (int64_t x : {int64_t{0}, int64_t{1}, int64_t{255}, int64_t{256}, int64_t{65535},
                      int64_t{65536}, int64_t{-1}, int64_t{-129}, int64_t{2147483647},
                      int64_t{-2147483648LL}, int64_t{2147483648LL}, int64_t{-2147483649LL},
                      std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                      int64_t{1} << 40, -(int64_t{1} << 40), int64_t{128}, int64_t{1} << 15}) {
      v.push_back(Int(x));
    }
    return List(v);
  }
  if (name == "floats") {
    return List({Value::Float(0.0), Value::Float(-0.0), Value::Float(1.5), Value::Float(1e300),
                 Value::Float(std::numeric_limits<double>::infinity()), Value::Float(-3.25)});
  }
  if (name == "strings") {
    return List({Str(""), Str("a"), Str("h\xc3\xa9llo"), Str(std::string(300, 'x'))});
  }
  if (name == "bytes") {
    return List({Value::Bytes(""), Value::Bytes(std::string("ab\0\xff", 4)),
                 Value::Bytes("\x80\x80\x80")});
  }
  if (name == "bytearray") return List({Value::ByteArray(""), Value::ByteArray("xyz")});
  if (name == "tuples") {
    return List({Value::NewTuple({}), Value::NewTuple({Int(1)}), Value::NewTuple({Int(1), Int(2)}),
                 Value::NewTuple({Int(1), Int(2), Int(3)}),
                 Value::NewTuple({Int(1), Int(2), Int(3), Int(4)})});
  }
  if (name == "nested") {
    return Dict({{Str("a"), List({Int(1), Dict({{Str("b"), Value::NewTuple({Int(2), Int(3)})}})})},
                 {Str("c"), Value::None()}});
  }
  if (name == "shared") {
    Value l = List({Int(1), Int(2)});
    Value s = Str("shared");
    return List({l, l, s, s});
  }
  if (name == "big_list") {
    std::vector<Value> v;
    for (int i = 0; i < 2500; ++i) v.push_back(Int(i));
    return List(v);
  }
  if (name == "big_dict") {
    std::vector<std::pair<Value, Value>> items;
    for (int i = 0; i < 1200; ++i) items.push_back({Int(i), Int(i * 2)});
    return Dict(items);
  }
  if (name == "set" || name == "frozenset") {
    Value s = name == "set" ? Value::NewSet() : Value::NewFrozenSet();
    if (name == "set") {
      for (int i = 1; i <= 3; ++i) EXPECT_OK(s.set().Add(Int(i)));
    } else {
      EXPECT_OK(s.set().Add(Str("a")));
    }
    return s;
  }
  if (name == "complex") {
    return List({Value::Complex({1, 2}), Value::Complex({-0.5, 0})});
  }
  if (name == "ordered_dict") {
    Value od = Value::NewOrderedDict();
    EXPECT_OK(od.dict().SetItem(Str("weight"), Value::Float(1.5)));
    EXPECT_OK(od.dict().SetItem(Str("bias"), Int(-2)));
    Value meta = Value::NewOrderedDict();
    EXPECT_OK(meta.dict().SetItem(Str(""), Dict({{Str("version"), Int(1)}})));
    od.dict().set_state(Dict({{Str("_metadata"), meta}}));
    return od;
  }
  if (name == "counter") {
    Value c = Value::NewCounter();
    EXPECT_OK(c.dict().SetItem(Str("a"), Int(2)));
    EXPECT_OK(c.dict().SetItem(Str("b"), Int(1)));
    return c;
  }
  if (name == "many_memo") {
    std::vector<Value> v;
    for (int i = 0; i < 300; ++i) v.push_back(Str(std::to_string(i)));
    return List(v);
  }
  if (name == "framing") {
    std::vector<Value> v;
    for (int i = 0; i < 20000; ++i) v.push_back(Str(std::to_string(i)));
    return List(v);
  }
  if (name == "large_payloads") {
    return List({Str(std::string(70000, 's')), Value::Bytes(std::string(70000, 'b')), Int(7)});
  }
  if (name == "batch_tails") {
    auto range = [](int n) {
      std::vector<Value> v;
      for (int i = 0; i < n; ++i) v.push_back(Int(i));
      return v;
    };
    auto dict = [&](int n, int value, bool ordered) {
      Value d = ordered ? Value::NewOrderedDict() : Value::NewDict();
      for (int i = 0; i < n; ++i) EXPECT_OK(d.dict().SetItem(Int(i), Int(value)));
      return d;
    };
    auto set = [&](int n) {
      Value s = Value::NewSet();
      for (int i = 0; i < n; ++i) EXPECT_OK(s.set().Add(Int(i)));
      return s;
    };
    Value five = Value::NewSet();
    EXPECT_OK(five.set().Add(Int(5)));
    return List({List(range(1000)), List(range(1001)), dict(1000, 0, false), dict(1001, 0, false),
                 set(1000), set(1001), dict(1001, 1, true), five});
  }
  if (name == "big_ints") {
    auto big = [](const std::string& text, int base) {
      absl::StatusOr<BigInt> b = BigInt::FromText(text, base);
      EXPECT_TRUE(b.ok()) << text;
      return Value::Integer(*b);
    };
    return List({big("9223372036854775808", 10), big("-9223372036854775809", 10),
                 big("1" + std::string(30, '0'), 10), big("-1" + std::string(30, '0'), 10),
                 big("18446744073709551615", 10), big("-1" + std::string(1000, '0'), 16),
                 big("1" + std::string(525, '0'), 16)});
  }
  if (name == "recursive_tuple" || name == "recursive_tuple4") {
    Value cycle = List({});
    std::vector<Value> items = {cycle};
    if (name == "recursive_tuple4") items.insert(items.end(), {Int(1), Int(2), Int(3)});
    Value tuple = Value::NewTuple(std::move(items));
    cycle.list().Append(tuple);
    return tuple;
  }
  ADD_FAILURE() << "unknown case " << name;
  return Value::None();
}

TEST(Pickler, MatchesCPythonByteForByte) {
  std::ifstream in("pickle/testdata/pickler_expected.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, hex;
    int protocol = 0;
    fields >> name >> protocol >> hex;
    Value value = BuildCase(name);
    ASSERT_OK_AND_ASSIGN(std::string bytes, PickleValue(value, protocol));
    EXPECT_EQ(absl::BytesToHexString(bytes), hex) << name << " protocol " << protocol;
    ReleaseValueGraph(value);  // the recursive_tuple cases are cycles
    ++cases;
  }
  EXPECT_EQ(cases, 24 * 5);
}

TEST(Pickler, RefusesWhatItCannotWrite) {
  EXPECT_THAT(PickleValue(Value::None(), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("protocol 0")));
  EXPECT_THAT(PickleValue(Value::FromTensor(Tensor()), 2),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("tensor reducer")));
  Value deep = List({});
  Value cur = deep;
  for (int i = 0; i < 1100; ++i) {
    Value next = List({});
    cur.list().Append(next);
    cur = next;
  }
  EXPECT_THAT(PickleValue(deep, 2),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("nested deeper")));
}

}  // namespace
}  // namespace ptser
