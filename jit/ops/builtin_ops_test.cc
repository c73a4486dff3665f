// Copyright ptser authors.
//
// The builtin-value operators against PyTorch 1.13: each expected text is
// repr() of what `torch.ops.aten.<op>(<args>)` returned inside a scripted
// function (torch.jit.CompilationUnit, PyTorch 1.13), so overload
// resolution and semantics are TorchScript's.

#include "jit/ops/builtin_ops.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/registry.h"
#include "tensor/factories.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::HasSubstr;

Value I(int64_t v) { return Value::Int(v); }
Value F(double v) { return Value::Float(v); }
Value B(bool v) { return Value::Bool(v); }
Value S(std::string v) { return Value::Str(std::move(v)); }
Value N() { return Value::None(); }
Value L(std::vector<Value> v) { return Value::NewList(std::move(v)); }
Value Tup(std::vector<Value> v) { return Value::NewTuple(std::move(v)); }
Value D(std::vector<std::pair<Value, Value>> items) {
  Value d = Value::NewDict();
  for (auto& [k, v] : items) {
    absl::Status s = d.dict().SetItem(k, v);
    EXPECT_TRUE(s.ok()) << s;
  }
  return d;
}

class BuiltinOpsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(RegisterBuiltinOps(registry_)); }

  absl::StatusOr<Value> Call(absl::string_view name, std::vector<Value> positional) {
    std::vector<Value> args;
    absl::StatusOr<const Operator*> op = registry_.Resolve(name, positional, {}, {}, &args);
    if (!op.ok()) return op.status();
    return (*op)->fn(ctx_, absl::MakeSpan(args));
  }
  // Python's repr of the result, or the error.
  static std::string Repr(const absl::StatusOr<Value>& v) {
    if (!v.ok()) return absl::StrCat("error: ", v.status().message());
    return v->Repr();
  }

  OperatorRegistry registry_;
  OpContext ctx_;
};

TEST_F(BuiltinOpsTest, ArithmeticMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::add", {I(3), I(4)})), "7");
  EXPECT_EQ(Repr(Call("aten::add", {I(3), F(4.5)})), "7.5");
  EXPECT_EQ(Repr(Call("aten::add", {F(2.5), I(4)})), "6.5");
  EXPECT_EQ(Repr(Call("aten::add", {F(1.5), F(2.25)})), "3.75");
  EXPECT_EQ(Repr(Call("aten::add", {S("ab"), S("cd")})), "'abcd'");
  EXPECT_EQ(Repr(Call("aten::add", {L({I(1), I(2)}), L({I(3)})})), "[1, 2, 3]");
  EXPECT_EQ(Repr(Call("aten::add", {I(9223372036854775807), I(1)})), "-9223372036854775808");
  EXPECT_EQ(Repr(Call("aten::sub", {I(3), I(10)})), "-7");
  EXPECT_EQ(Repr(Call("aten::sub", {I(INT64_MIN), I(1)})), "9223372036854775807");
  EXPECT_EQ(Repr(Call("aten::mul", {I(4611686018427387904), I(4)})), "0");
  EXPECT_EQ(Repr(Call("aten::mul", {I(3), F(2.5)})), "7.5");
  EXPECT_EQ(Repr(Call("aten::mul", {L({I(1), I(2)}), I(2)})), "[1, 2, 1, 2]");
  EXPECT_EQ(Repr(Call("aten::mul", {I(2), L({S("a")})})), "['a', 'a']");
  EXPECT_EQ(Repr(Call("aten::div", {I(7), I(2)})), "3.5");
  EXPECT_EQ(Repr(Call("aten::div", {I(7), I(0)})), "inf");
  EXPECT_EQ(Repr(Call("aten::div", {I(-7), I(0)})), "-inf");
  EXPECT_EQ(Repr(Call("aten::div", {F(7.5), F(2.5)})), "3.0");
  EXPECT_EQ(Repr(Call("aten::div", {I(1), I(3)})), "0.3333333333333333");
  EXPECT_EQ(Repr(Call("aten::floordiv", {I(-7), I(2)})), "-4");
  EXPECT_EQ(Repr(Call("aten::floordiv", {I(7), I(-2)})), "-4");
  EXPECT_EQ(Repr(Call("aten::floordiv", {F(-7.5), F(2.0)})), "-4.0");
  EXPECT_EQ(Repr(Call("aten::floordiv", {F(-7.5), F(0.0)})), "-inf");
  EXPECT_EQ(Repr(Call("aten::floordiv", {I(7), F(2.5)})), "2.0");
  EXPECT_EQ(Repr(Call("aten::remainder", {I(-7), I(2)})), "1");
  EXPECT_EQ(Repr(Call("aten::remainder", {I(7), I(-2)})), "-1");
  EXPECT_EQ(Repr(Call("aten::remainder", {F(-7.5), F(2.0)})), "0.5");
  EXPECT_EQ(Repr(Call("aten::remainder", {F(5.5), F(-2.0)})), "-0.5");
  EXPECT_EQ(Repr(Call("aten::remainder", {I(7), F(2.5)})), "2.0");
  EXPECT_EQ(Repr(Call("aten::pow", {I(2), I(10)})), "1024.0");
  EXPECT_EQ(Repr(Call("aten::pow", {I(2), I(-1)})), "0.5");
  EXPECT_EQ(Repr(Call("aten::pow", {I(2), I(63)})), "9.223372036854776e+18");
  EXPECT_EQ(Repr(Call("aten::pow", {F(2.0), F(0.5)})), "1.4142135623730951");
  EXPECT_EQ(Repr(Call("aten::pow", {F(-8.0), F(0.3333333333333333)})), "nan");
  EXPECT_EQ(Repr(Call("aten::pow", {I(3), F(0.5)})), "1.7320508075688772");
  EXPECT_EQ(Repr(Call("aten::pow", {F(2.5), I(2)})), "6.25");
  EXPECT_EQ(Repr(Call("aten::neg", {I(5)})), "-5");
  EXPECT_EQ(Repr(Call("aten::neg", {I(INT64_MIN)})), "-9223372036854775808");
  EXPECT_EQ(Repr(Call("aten::neg", {F(2.5)})), "-2.5");
  EXPECT_EQ(Repr(Call("aten::divmod", {I(-7), I(2)})), "(-4, 1)");
  EXPECT_EQ(Repr(Call("aten::divmod", {F(7.5), F(-2.0)})), "(-4.0, -0.5)");
  EXPECT_EQ(Repr(Call("aten::divmod", {I(-7), F(2.5)})), "(-3.0, 0.5)");
}
TEST_F(BuiltinOpsTest, ComparisonsLogicConversionsMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::eq", {I(1), F(1.0)})), "True");
  EXPECT_EQ(Repr(Call("aten::eq", {F(1.5), I(1)})), "False");
  EXPECT_EQ(Repr(Call("aten::eq", {S("a"), S("a")})), "True");
  EXPECT_EQ(Repr(Call("aten::eq", {L({I(1), I(2)}), L({I(1), I(2)})})), "True");
  EXPECT_EQ(Repr(Call("aten::eq", {L({F(1.0)}), L({F(1.5)})})), "False");
  EXPECT_EQ(Repr(Call("aten::eq", {B(true), B(false)})), "False");
  EXPECT_EQ(Repr(Call("aten::eq", {L({S("a")}), L({S("a")})})), "True");
  EXPECT_EQ(Repr(Call("aten::ne", {I(1), I(2)})), "True");
  EXPECT_EQ(Repr(Call("aten::ne", {S("a"), S("b")})), "True");
  EXPECT_EQ(Repr(Call("aten::lt", {S("abc"), S("abd")})), "True");
  EXPECT_EQ(Repr(Call("aten::lt", {I(1), F(2.5)})), "True");
  EXPECT_EQ(Repr(Call("aten::le", {I(2), I(2)})), "True");
  EXPECT_EQ(Repr(Call("aten::gt", {F(3.5), I(3)})), "True");
  EXPECT_EQ(Repr(Call("aten::ge", {S("b"), S("a")})), "True");
  EXPECT_EQ(Repr(Call("aten::__and__", {I(12), I(10)})), "8");
  EXPECT_EQ(Repr(Call("aten::__or__", {I(12), I(3)})), "15");
  EXPECT_EQ(Repr(Call("aten::__xor__", {I(12), I(10)})), "6");
  EXPECT_EQ(Repr(Call("aten::__and__", {B(true), B(false)})), "False");
  EXPECT_EQ(Repr(Call("aten::__or__", {B(true), B(false)})), "True");
  EXPECT_EQ(Repr(Call("aten::__xor__", {B(true), B(true)})), "False");
  EXPECT_EQ(Repr(Call("aten::__not__", {B(true)})), "False");
  EXPECT_EQ(Repr(Call("aten::__lshift__", {I(1), I(10)})), "1024");
  EXPECT_EQ(Repr(Call("aten::__lshift__", {I(1), I(64)})), "1");
  EXPECT_EQ(Repr(Call("aten::__lshift__", {I(1), I(-1)})), "-9223372036854775808");
  EXPECT_EQ(Repr(Call("aten::__rshift__", {I(-8), I(1)})), "-4");
  EXPECT_EQ(Repr(Call("aten::__rshift__", {I(1024), I(3)})), "128");
  EXPECT_EQ(Repr(Call("aten::Int", {F(-2.7)})), "-2");
  EXPECT_EQ(Repr(Call("aten::Int", {F(2.7)})), "2");
  EXPECT_EQ(Repr(Call("aten::Int", {S("12")})), "12");
  EXPECT_EQ(Repr(Call("aten::Int", {S("-5")})), "-5");
  EXPECT_EQ(Repr(Call("aten::Int", {B(true)})), "1");
  EXPECT_EQ(Repr(Call("aten::Float", {I(3)})), "3.0");
  EXPECT_EQ(Repr(Call("aten::Float", {S("1e3")})), "1000.0");
  EXPECT_EQ(Repr(Call("aten::Float", {S("inf")})), "inf");
  EXPECT_EQ(Repr(Call("aten::Float", {S(" 2.5")})), "2.5");
  EXPECT_EQ(Repr(Call("aten::Float", {B(false)})), "0.0");
  EXPECT_EQ(Repr(Call("aten::Bool", {I(0)})), "False");
  EXPECT_EQ(Repr(Call("aten::Bool", {I(2)})), "True");
  EXPECT_EQ(Repr(Call("aten::Bool", {F(0.0)})), "False");
  EXPECT_EQ(Repr(Call("aten::Bool", {F(0.1)})), "True");
  EXPECT_EQ(Repr(Call("aten::str", {F(3.0)})), "'3.'");
  EXPECT_EQ(Repr(Call("aten::str", {F(0.1)})), "'0.10000000000000001'");
  EXPECT_EQ(Repr(Call("aten::str", {F(1e+20)})), "'1e+20'");
  EXPECT_EQ(Repr(Call("aten::str", {F(1e+16)})), "'10000000000000000.'");
  EXPECT_EQ(Repr(Call("aten::str", {F(1.5e-07)})), "'1.4999999999999999e-07'");
  EXPECT_EQ(Repr(Call("aten::str", {F(-0.0)})), "'0.'");
  EXPECT_EQ(Repr(Call("aten::str", {L({I(1), I(2)})})), "'[1, 2]'");
  EXPECT_EQ(Repr(Call("aten::str", {L({S("a"), S("b")})})), "'[a, b]'");
  EXPECT_EQ(Repr(Call("aten::str", {Tup({I(1), S("a")})})), "'(1, a)'");
  EXPECT_EQ(Repr(Call("aten::str", {B(true)})), "'True'");
  EXPECT_EQ(Repr(Call("aten::str", {N()})), "'None'");
  EXPECT_EQ(Repr(Call("aten::str", {D({{S("a"), I(1)}})})), "'{a: 1}'");
  EXPECT_EQ(Repr(Call("aten::str", {L({F(1.0), F(0.5)})})), "'[1., 0.5]'");
  EXPECT_EQ(Repr(Call("aten::str", {F(123456789012.0)})), "'123456789012.'");
  EXPECT_EQ(Repr(Call("aten::str", {Tup({I(5)})})), "'(5,)'");
}
TEST_F(BuiltinOpsTest, MathMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::floor", {F(-2.5)})), "-3");
  EXPECT_EQ(Repr(Call("aten::floor", {I(3)})), "3");
  EXPECT_EQ(Repr(Call("aten::ceil", {F(-2.5)})), "-2");
  EXPECT_EQ(Repr(Call("aten::ceil", {F(2.1)})), "3");
  EXPECT_EQ(Repr(Call("aten::round", {F(2.5)})), "2.0");
  EXPECT_EQ(Repr(Call("aten::round", {F(3.5)})), "4.0");
  EXPECT_EQ(Repr(Call("aten::round", {F(-0.5)})), "-0.0");
  EXPECT_EQ(Repr(Call("aten::round", {I(3)})), "3.0");
  EXPECT_EQ(Repr(Call("aten::round", {F(-2.567)})), "-3.0");
  EXPECT_EQ(Repr(Call("aten::sqrt", {I(4)})), "2.0");
  EXPECT_EQ(Repr(Call("aten::sqrt", {F(2.0)})), "1.4142135623730951");
  EXPECT_EQ(Repr(Call("aten::sqrt", {F(-1.0)})), "nan");
  EXPECT_EQ(Repr(Call("aten::log", {I(8)})), "2.0794415416798357");
  EXPECT_EQ(Repr(Call("aten::log", {F(0.0)})), "-inf");
  EXPECT_EQ(Repr(Call("aten::log", {F(2.718281828459045)})), "1.0");
  EXPECT_EQ(Repr(Call("aten::log", {I(8), I(2)})), "3.0");
  EXPECT_EQ(Repr(Call("aten::log", {F(100.0), I(10)})), "2.0");
  EXPECT_EQ(Repr(Call("aten::exp", {F(1.0)})), "2.718281828459045");
  EXPECT_EQ(Repr(Call("aten::exp", {F(1000.0)})), "inf");
  EXPECT_EQ(Repr(Call("aten::exp", {I(0)})), "1.0");
  EXPECT_EQ(Repr(Call("aten::log10", {I(1000)})), "3.0");
  EXPECT_EQ(Repr(Call("aten::log1p", {F(1e-10)})), "9.999999999500001e-11");
  EXPECT_EQ(Repr(Call("aten::sin", {F(1.0)})), "0.8414709848078965");
  EXPECT_EQ(Repr(Call("aten::cos", {I(0)})), "1.0");
  EXPECT_EQ(Repr(Call("aten::tan", {F(0.5)})), "0.5463024898437905");
  EXPECT_EQ(Repr(Call("aten::tanh", {F(0.5)})), "0.46211715726000974");
  EXPECT_EQ(Repr(Call("aten::asin", {F(0.5)})), "0.5235987755982989");
  EXPECT_EQ(Repr(Call("aten::acos", {F(0.5)})), "1.0471975511965979");
  EXPECT_EQ(Repr(Call("aten::atan", {I(1)})), "0.7853981633974483");
  EXPECT_EQ(Repr(Call("aten::atan2", {I(1), I(2)})), "0.4636476090008061");
  EXPECT_EQ(Repr(Call("aten::atan2", {F(1.0), F(-1.0)})), "2.356194490192345");
  EXPECT_EQ(Repr(Call("aten::erf", {F(0.5)})), "0.5204998778130465");
  EXPECT_EQ(Repr(Call("aten::erfc", {F(0.5)})), "0.4795001221869535");
  EXPECT_EQ(Repr(Call("aten::expm1", {F(1e-05)})), "1.0000050000166668e-05");
  EXPECT_EQ(Repr(Call("aten::fabs", {I(-3)})), "3.0");
  EXPECT_EQ(Repr(Call("aten::gamma", {F(5.0)})), "24.0");
  EXPECT_EQ(Repr(Call("aten::lgamma", {F(10.0)})), "12.80182748008147");
  EXPECT_EQ(Repr(Call("aten::degrees", {F(3.141592653589793)})), "180.0");
  EXPECT_EQ(Repr(Call("aten::radians", {I(180)})), "3.141592653589793");
  EXPECT_EQ(Repr(Call("aten::factorial", {I(10)})), "3628800");
  EXPECT_EQ(Repr(Call("aten::gcd", {I(12), I(-18)})), "6");
  EXPECT_EQ(Repr(Call("aten::copysign", {I(3), F(-0.0)})), "-3.0");
  EXPECT_EQ(Repr(Call("aten::copysign", {F(-2.5), I(1)})), "2.5");
  EXPECT_EQ(Repr(Call("aten::modf", {F(2.75)})), "(0.75, 2.0)");
  EXPECT_EQ(Repr(Call("aten::modf", {F(-2.75)})), "(-0.75, -2.0)");
  EXPECT_EQ(Repr(Call("aten::frexp", {F(8.0)})), "(0.5, 4)");
  EXPECT_EQ(Repr(Call("aten::ldexp", {F(0.5), I(4)})), "8.0");
  EXPECT_EQ(Repr(Call("aten::mathremainder", {I(7), I(2)})), "-1.0");
  EXPECT_EQ(Repr(Call("aten::mathremainder", {F(7.5), F(2.0)})), "-0.5");
  EXPECT_EQ(Repr(Call("aten::fmod", {I(-7), I(2)})), "-1.0");
  EXPECT_EQ(Repr(Call("aten::fmod", {F(7.5), F(-2.0)})), "1.5");
  EXPECT_EQ(Repr(Call("aten::isfinite", {F(1.0)})), "True");
  EXPECT_EQ(Repr(Call("aten::__range_length", {I(0), I(10), I(3)})), "4");
  EXPECT_EQ(Repr(Call("aten::__range_length", {I(10), I(0), I(-3)})), "4");
  EXPECT_EQ(Repr(Call("aten::__range_length", {I(5), I(5), I(1)})), "0");
  EXPECT_EQ(Repr(Call("aten::__derive_index", {I(2), I(10), I(3)})), "16");
  EXPECT_EQ(Repr(Call("aten::__round_to_zero_floordiv", {I(-7), I(2)})), "-3");
}
TEST_F(BuiltinOpsTest, ListsDictsMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::len", {L({I(1), I(2), I(3)})})), "3");
  EXPECT_EQ(Repr(Call("aten::len", {S("hello")})), "5");
  EXPECT_EQ(Repr(Call("aten::len", {D({{S("a"), I(1)}, {S("b"), I(2)}})})), "2");
  EXPECT_EQ(Repr(Call("aten::__getitem__", {L({I(1), I(2), I(3)}), I(-1)})), "3");
  EXPECT_EQ(Repr(Call("aten::__getitem__", {L({I(1), I(2), I(3)}), I(0)})), "1");
  EXPECT_EQ(Repr(Call("aten::__getitem__", {S("abc"), I(-1)})), "'c'");
  EXPECT_EQ(Repr(Call("aten::__getitem__", {D({{S("a"), I(1)}}), S("a")})), "1");
  EXPECT_EQ(Repr(Call("aten::__getitem__", {D({{I(1), S("x")}}), I(1)})), "'x'");
  EXPECT_EQ(Repr(Call("aten::list", {S("abc")})), "['a', 'b', 'c']");
  EXPECT_EQ(Repr(Call("aten::list", {L({I(1), I(2)})})), "[1, 2]");
  EXPECT_EQ(Repr(Call("aten::slice", {L({I(1), I(2), I(3), I(4), I(5)}), I(1), I(3), I(1)})), "[2, 3]");
  EXPECT_EQ(Repr(Call("aten::slice", {L({I(1), I(2), I(3), I(4), I(5)}), N(), N(), I(-1)})), "[5, 4, 3, 2, 1]");
  EXPECT_EQ(Repr(Call("aten::slice", {L({I(1), I(2), I(3), I(4), I(5)}), I(-2), N(), I(1)})), "[4, 5]");
  EXPECT_EQ(Repr(Call("aten::slice", {L({I(1), I(2), I(3), I(4), I(5)}), I(4), I(0), I(-2)})), "[5, 3]");
  EXPECT_EQ(Repr(Call("aten::slice", {L({I(1), I(2), I(3), I(4), I(5)}), I(10), I(20), I(1)})), "[]");
  EXPECT_EQ(Repr(Call("aten::slice", {S("hello"), I(1), I(3), I(1)})), "'el'");
  EXPECT_EQ(Repr(Call("aten::slice", {S("hello"), N(), N(), I(-1)})), "'olleh'");
  EXPECT_EQ(Repr(Call("aten::slice", {S("hello"), I(-3), N(), I(2)})), "'lo'");
  EXPECT_EQ(Repr(Call("aten::__contains__", {L({I(1), I(2), I(3)}), I(2)})), "True");
  EXPECT_EQ(Repr(Call("aten::__contains__", {L({S("a"), S("b")}), S("c")})), "False");
  EXPECT_EQ(Repr(Call("aten::__contains__", {D({{S("a"), I(1)}}), S("a")})), "True");
  EXPECT_EQ(Repr(Call("aten::__contains__", {L({F(1.5)}), F(1.5)})), "True");
  EXPECT_EQ(Repr(Call("aten::index", {L({I(1), I(2), I(3)}), I(3)})), "2");
  EXPECT_EQ(Repr(Call("aten::index", {L({S("a"), S("b")}), S("b")})), "1");
  EXPECT_EQ(Repr(Call("aten::count", {L({I(1), I(2), I(1)}), I(1)})), "2");
  EXPECT_EQ(Repr(Call("aten::count", {S("banana"), S("an")})), "2");
  EXPECT_EQ(Repr(Call("aten::count", {S("aaaa"), S("aa")})), "2");
  EXPECT_EQ(Repr(Call("aten::sorted", {L({I(3), I(1), I(2)})})), "[1, 2, 3]");
  EXPECT_EQ(Repr(Call("aten::sorted", {L({S("b"), S("a"), S("C")})})), "['C', 'a', 'b']");
  EXPECT_EQ(Repr(Call("aten::sorted", {L({F(2.5), F(-1.0)})})), "[-1.0, 2.5]");
  EXPECT_EQ(Repr(Call("aten::any", {L({I(0), I(0), I(1)})})), "True");
  EXPECT_EQ(Repr(Call("aten::any", {L({})})), "False");
  EXPECT_EQ(Repr(Call("aten::all", {L({I(1), I(1)})})), "True");
  EXPECT_EQ(Repr(Call("aten::all", {L({B(true), B(false)})})), "False");
  EXPECT_EQ(Repr(Call("aten::any", {L({S(""), S("a")})})), "True");
  EXPECT_EQ(Repr(Call("aten::sum", {L({I(1), I(2), I(3)})})), "6");
  EXPECT_EQ(Repr(Call("aten::sum", {L({F(0.5), F(0.25)})})), "0.75");
  EXPECT_EQ(Repr(Call("aten::sum", {L({B(true), B(true)})})), "2");
  EXPECT_EQ(Repr(Call("aten::_infer_size", {L({I(3), I(1)}), L({I(1), I(4)})})), "[3, 4]");
  EXPECT_EQ(Repr(Call("aten::keys", {D({{S("a"), I(1)}, {S("b"), I(2)}})})), "['a', 'b']");
  EXPECT_EQ(Repr(Call("aten::values", {D({{S("a"), I(1)}, {S("b"), I(2)}})})), "[1, 2]");
  EXPECT_EQ(Repr(Call("aten::items", {D({{S("a"), I(1)}, {S("b"), I(2)}})})), "[('a', 1), ('b', 2)]");
  EXPECT_EQ(Repr(Call("aten::get", {D({{S("a"), I(1)}}), S("a")})), "1");
  EXPECT_EQ(Repr(Call("aten::get", {D({{S("a"), I(1)}}), S("b")})), "None");
  EXPECT_EQ(Repr(Call("aten::get", {D({{S("a"), I(1)}}), S("b"), I(5)})), "5");
  EXPECT_EQ(Repr(Call("aten::copy", {D({{S("a"), I(1)}})})), "{'a': 1}");
  EXPECT_EQ(Repr(Call("aten::copy", {L({I(1), I(2)})})), "[1, 2]");
}
TEST_F(BuiltinOpsTest, FormatStringsMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::format", {S("{} {} {}"), I(1), F(2.5), S("x")})), "'1 2.5 x'");
  EXPECT_EQ(Repr(Call("aten::format", {S("a{}b"), L({I(1), I(2)})})), "'a[1, 2]b'");
  EXPECT_EQ(Repr(Call("aten::format", {S("x"), I(1)})), "'x'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{} {}"), I(1), I(1), I(1)})), "'1 1'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{}"), B(true)})), "'True'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{}"), N()})), "'None'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{}"), D({{S("a"), I(1)}, {S("b"), I(2)}})})), "'{a: 1, b: 2}'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{0} {}"), I(1)})), "'{0} 1'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{}"), F(1e-05)})), "'1.0000000000000001e-05'");
  EXPECT_EQ(Repr(Call("aten::format", {S("{}"), F(3.0)})), "'3.'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%d items"), I(3)})), "'3 items'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%d %s %f %i %e %c"), Tup({I(3), S("s"), F(1.5), I(4), F(1.5), I(97)})})), "'3 s 1.500000 4 1.500000e+00 a'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%s"), Tup({L({I(1), I(2)})})})), "'[1, 2]'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%d"), Tup({F(2.7)})})), "'2'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%d"), Tup({F(-2.7)})})), "'-2'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%% %d"), Tup({I(1)})})), "'% 1'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%f"), Tup({I(1)})})), "'1.000000'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%s"), F(1.0)})), "'1.'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%s"), S("abc")})), "'abc'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%c"), Tup({S("a")})})), "'a'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%e"), Tup({F(12345.678)})})), "'1.234568e+04'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%s"), Tup({N()})})), "'None'");
}
TEST_F(BuiltinOpsTest, StringsMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::join", {S(","), L({S("a"), S("b"), S("c")})})), "'a,b,c'");
  EXPECT_EQ(Repr(Call("aten::join", {S(""), L({})})), "''");
  EXPECT_EQ(Repr(Call("aten::split", {S("a b  c ")})), "['a', 'b', 'c']");
  EXPECT_EQ(Repr(Call("aten::split", {S("a,b,,c"), S(",")})), "['a', 'b', '', 'c']");
  EXPECT_EQ(Repr(Call("aten::split", {S("a,b,c"), S(","), I(1)})), "['a', 'b,c']");
  EXPECT_EQ(Repr(Call("aten::split", {S("  a  b  "), N(), I(1)})), "['a', 'b']");
  EXPECT_EQ(Repr(Call("aten::split", {S("")})), "[]");
  EXPECT_EQ(Repr(Call("aten::split", {S(""), S(",")})), "['']");
  EXPECT_EQ(Repr(Call("aten::strip", {S("  ab \n")})), "'ab'");
  EXPECT_EQ(Repr(Call("aten::lstrip", {S("xxabxx"), S("x")})), "'abxx'");
  EXPECT_EQ(Repr(Call("aten::rstrip", {S("xxabxx"), S("x")})), "'xxab'");
  EXPECT_EQ(Repr(Call("aten::strip", {S("abcba"), S("ab")})), "'c'");
  EXPECT_EQ(Repr(Call("aten::replace", {S("aaa"), S("a"), S("b")})), "'bbb'");
  EXPECT_EQ(Repr(Call("aten::replace", {S("aaa"), S("a"), S("b"), I(2)})), "'bba'");
  EXPECT_EQ(Repr(Call("aten::replace", {S("hello world"), S("o"), S("0")})), "'hell0 w0rld'");
  EXPECT_EQ(Repr(Call("aten::find", {S("hello"), S("l")})), "2");
  EXPECT_EQ(Repr(Call("aten::find", {S("hello"), S("z")})), "-1");
  EXPECT_EQ(Repr(Call("aten::find", {S("hello"), S("l"), I(3)})), "3");
  EXPECT_EQ(Repr(Call("aten::find", {S("hello"), S("l"), I(0), I(2)})), "-1");
  EXPECT_EQ(Repr(Call("aten::find", {S("hello"), S(""), I(2)})), "2");
  EXPECT_EQ(Repr(Call("aten::find", {S("abc"), S("b"), I(-2)})), "1");
  EXPECT_EQ(Repr(Call("aten::rfind", {S("hello"), S("l")})), "3");
  EXPECT_EQ(Repr(Call("aten::upper", {S("aBc1")})), "'ABC1'");
  EXPECT_EQ(Repr(Call("aten::lower", {S("AbC1")})), "'abc1'");
  EXPECT_EQ(Repr(Call("aten::startswith", {S("hello"), S("he")})), "True");
  EXPECT_EQ(Repr(Call("aten::startswith", {S("hello"), S("lo"), I(3)})), "True");
  EXPECT_EQ(Repr(Call("aten::startswith", {S("hello"), S("x")})), "False");
  EXPECT_EQ(Repr(Call("aten::endswith", {S("hello"), S("lo")})), "True");
  EXPECT_EQ(Repr(Call("aten::endswith", {S("hello"), S("he"), I(0), I(2)})), "True");
  EXPECT_EQ(Repr(Call("aten::isdigit", {S("123")})), "True");
  EXPECT_EQ(Repr(Call("aten::isdigit", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::isdigit", {S("12a")})), "False");
  EXPECT_EQ(Repr(Call("aten::isalpha", {S("abc")})), "True");
  EXPECT_EQ(Repr(Call("aten::isspace", {S(" \t")})), "True");
  EXPECT_EQ(Repr(Call("aten::isupper", {S("AB1")})), "True");
  EXPECT_EQ(Repr(Call("aten::isupper", {S("Ab")})), "False");
  EXPECT_EQ(Repr(Call("aten::islower", {S("ab1")})), "True");
  EXPECT_EQ(Repr(Call("aten::isalnum", {S("ab1")})), "True");
  EXPECT_EQ(Repr(Call("aten::title", {S("hello wORLD x1y")})), "'Hello World X1Y'");
  EXPECT_EQ(Repr(Call("aten::capitalize", {S("hELLO")})), "'Hello'");
  EXPECT_EQ(Repr(Call("aten::center", {S("ab"), I(7)})), "'   ab  '");
  EXPECT_EQ(Repr(Call("aten::center", {S("abc"), I(6), S("*")})), "'*abc**'");
  EXPECT_EQ(Repr(Call("aten::center", {S("a"), I(4)})), "' a  '");
  EXPECT_EQ(Repr(Call("aten::ljust", {S("ab"), I(5), S("-")})), "'ab---'");
  EXPECT_EQ(Repr(Call("aten::rjust", {S("ab"), I(5)})), "'   ab'");
  EXPECT_EQ(Repr(Call("aten::zfill", {S("-42"), I(6)})), "'000-42'");
  EXPECT_EQ(Repr(Call("aten::zfill", {S("42"), I(5)})), "'00042'");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("a\nb\n"), B(true)})), "['a', '\\n', 'b', '\\n']");
  EXPECT_EQ(Repr(Call("aten::swapcase", {S("aBc")})), "'AbC'");
  EXPECT_EQ(Repr(Call("aten::partition", {S("a=b=c"), S("=")})), "('a', '=', 'b=c')");
  EXPECT_EQ(Repr(Call("aten::rpartition", {S("a=b=c"), S("=")})), "('a=b', '=', 'c')");
  EXPECT_EQ(Repr(Call("aten::partition", {S("abc"), S("=")})), "('abc', '', '')");
  EXPECT_EQ(Repr(Call("aten::rsplit", {S("a b c"), S(" "), I(1)})), "['a b', 'c']");
  EXPECT_EQ(Repr(Call("aten::rsplit", {S("a,b,c"), S(",")})), "['a', 'b', 'c']");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("Hello World")})), "True");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("Hello world")})), "False");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("a_1")})), "False");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("1a")})), "False");
  EXPECT_EQ(Repr(Call("aten::isprintable", {S("ab\n")})), "False");
  EXPECT_EQ(Repr(Call("aten::isdecimal", {S("12")})), "True");
  EXPECT_EQ(Repr(Call("aten::isnumeric", {S("12")})), "True");
  EXPECT_EQ(Repr(Call("aten::expandtabs", {S("a\tb"), I(4)})), "'a   b'");
  EXPECT_EQ(Repr(Call("aten::expandtabs", {S("ab\tc\td")})), "'ab      c       d'");
  EXPECT_EQ(Repr(Call("aten::rindex", {S("hello"), S("l")})), "3");
  EXPECT_EQ(Repr(Call("aten::index", {S("hello"), S("e")})), "1");
  EXPECT_EQ(Repr(Call("aten::chr", {I(65)})), "'A'");
  EXPECT_EQ(Repr(Call("aten::ord", {S("A")})), "65");
  EXPECT_EQ(Repr(Call("aten::hex", {I(255)})), "'0xff'");
  EXPECT_EQ(Repr(Call("aten::hex", {I(-255)})), "'-0xff'");
  EXPECT_EQ(Repr(Call("aten::oct", {I(8)})), "'0o10'");
  EXPECT_EQ(Repr(Call("aten::bin", {I(5)})), "'0b101'");
  EXPECT_EQ(Repr(Call("aten::bin", {I(0)})), "'0b0'");
}

// 1.13's own string rules where they differ from Python's (zfill ignores a
// sign, isidentifier rejects "_", splitlines splits "\r\n" in two, ...).
TEST_F(BuiltinOpsTest, StringCornerCasesMatchPyTorch113) {
  EXPECT_EQ(Repr(Call("aten::zfill", {S("+42"), I(6)})), "'000+42'");
  EXPECT_EQ(Repr(Call("aten::zfill", {S("-42"), I(2)})), "'-42'");
  EXPECT_EQ(Repr(Call("aten::zfill", {S(""), I(3)})), "'000'");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("a\nb\n"), B(true)})), "['a', '\\n', 'b', '\\n']");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("a\n\nb")})), "['a', '', 'b']");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("abc")})), "['abc']");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("")})), "[]");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("a\n")})), "['a']");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("\na")})), "['', 'a']");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("a_1")})), "False");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("abc")})), "True");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("_")})), "False");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("a b")})), "False");
  EXPECT_EQ(Repr(Call("aten::isidentifier", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::title", {S("hello wORLD x1y")})), "'Hello World X1Y'");
  EXPECT_EQ(Repr(Call("aten::title", {S("they're bill's")})), "\"They'Re Bill'S\"");
  EXPECT_EQ(Repr(Call("aten::capitalize", {S("")})), "''");
  EXPECT_EQ(Repr(Call("aten::capitalize", {S("1abc")})), "'1abc'");
  EXPECT_EQ(Repr(Call("aten::center", {S("ab"), I(7)})), "'   ab  '");
  EXPECT_EQ(Repr(Call("aten::center", {S("ab"), I(6)})), "'  ab  '");
  EXPECT_EQ(Repr(Call("aten::center", {S("abc"), I(6)})), "' abc  '");
  EXPECT_EQ(Repr(Call("aten::center", {S("abc"), I(8)})), "'  abc   '");
  EXPECT_EQ(Repr(Call("aten::center", {S("a"), I(2)})), "'a '");
  EXPECT_EQ(Repr(Call("aten::center", {S("abc"), I(2)})), "'abc'");
  EXPECT_EQ(Repr(Call("aten::expandtabs", {S("a\tbc\td"), I(3)})), "'a  bc d'");
  EXPECT_EQ(Repr(Call("aten::expandtabs", {S("a\n\tb"), I(4)})), "'a\\n  b'");
  EXPECT_EQ(Repr(Call("aten::expandtabs", {S("\t"), I(0)})), "''");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("A")})), "True");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("1A")})), "True");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("Hello  World1")})), "True");
  EXPECT_EQ(Repr(Call("aten::istitle", {S("HEllo")})), "False");
  EXPECT_EQ(Repr(Call("aten::rsplit", {S("a b c")})), "['a', 'b', 'c']");
  EXPECT_EQ(Repr(Call("aten::rsplit", {S("a  b"), S(" ")})), "['a', '', 'b']");
  EXPECT_EQ(Repr(Call("aten::rsplit", {S("abc"), S("b"), I(0)})), "['abc']");
  EXPECT_EQ(Repr(Call("aten::split", {S("a b c"), N(), I(0)})), "['a', 'b', 'c']");
  EXPECT_EQ(Repr(Call("aten::split", {S("a  b"), S(" ")})), "['a', '', 'b']");
  EXPECT_EQ(Repr(Call("aten::split", {S("a,b,c"), S(","), I(0)})), "['a,b,c']");
  EXPECT_EQ(Repr(Call("aten::split", {S("  a b"), N(), I(1)})), "['a', 'b']");
  EXPECT_EQ(Repr(Call("aten::count", {S("aaa"), S("a"), I(1)})), "2");
  EXPECT_EQ(Repr(Call("aten::count", {S("aaa"), S("a"), I(-2)})), "2");
  EXPECT_EQ(Repr(Call("aten::find", {S("abc"), S(""), I(5)})), "5");
  EXPECT_EQ(Repr(Call("aten::find", {S("abc"), S("c"), I(-1)})), "2");
  EXPECT_EQ(Repr(Call("aten::rfind", {S("abcabc"), S("b"), I(0), I(3)})), "1");
  EXPECT_EQ(Repr(Call("aten::find", {S("abc"), S("abcd")})), "-1");
  EXPECT_EQ(Repr(Call("aten::startswith", {S("hello"), S("l"), I(-2)})), "True");
  EXPECT_EQ(Repr(Call("aten::startswith", {S("hello"), S("")})), "True");
  EXPECT_EQ(Repr(Call("aten::endswith", {S("hello"), S("l"), I(0), I(-1)})), "False");
  EXPECT_EQ(Repr(Call("aten::isspace", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::isalnum", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::isupper", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::islower", {S("ABC")})), "False");
  EXPECT_EQ(Repr(Call("aten::isdigit", {S(" 1")})), "False");
  EXPECT_EQ(Repr(Call("aten::swapcase", {S("Ab1!")})), "'aB1!'");
  EXPECT_EQ(Repr(Call("aten::rpartition", {S("abc"), S("=")})), "('', '', 'abc')");
  EXPECT_EQ(Repr(Call("aten::partition", {S("a==b"), S("==")})), "('a', '==', 'b')");
  EXPECT_EQ(Repr(Call("aten::lstrip", {S("  ab  ")})), "'ab  '");
  EXPECT_EQ(Repr(Call("aten::rstrip", {S("  ab  ")})), "'  ab'");
  EXPECT_EQ(Repr(Call("aten::strip", {S("")})), "''");
  EXPECT_EQ(Repr(Call("aten::strip", {S("ab"), S("")})), "'ab'");
  EXPECT_EQ(Repr(Call("aten::isprintable", {S("")})), "True");
  EXPECT_EQ(Repr(Call("aten::isprintable", {S("a b")})), "True");
  EXPECT_EQ(Repr(Call("aten::isdecimal", {S("")})), "False");
  EXPECT_EQ(Repr(Call("aten::isnumeric", {S("1.5")})), "False");
  EXPECT_EQ(Repr(Call("aten::ljust", {S("abc"), I(2)})), "'abc'");
  EXPECT_EQ(Repr(Call("aten::rjust", {S("ab"), I(4), S("0")})), "'00ab'");
  EXPECT_EQ(Repr(Call("aten::replace", {S("aaaa"), S("aa"), S("b")})), "'bb'");
  EXPECT_EQ(Repr(Call("aten::replace", {S("abc"), S("b"), S(""), I(0)})), "'abc'");
  EXPECT_EQ(Repr(Call("aten::index", {S("hello"), S("l"), I(3)})), "3");
  EXPECT_EQ(Repr(Call("aten::rindex", {S("hello"), S("l"), I(0), I(3)})), "2");
  EXPECT_EQ(Repr(Call("aten::upper", {S("\u00e9")})), "'\u00e9'");
  EXPECT_EQ(Repr(Call("aten::lower", {S("\u00c0B")})), "'\u00c0b'");
  EXPECT_EQ(Repr(Call("aten::join", {S("-"), L({S("a")})})), "'a'");
  EXPECT_EQ(Repr(Call("aten::ord", {S("a")})), "97");
  EXPECT_EQ(Repr(Call("aten::hex", {I(0)})), "'0x0'");
  EXPECT_EQ(Repr(Call("aten::oct", {I(-8)})), "'-0o10'");
  EXPECT_EQ(Repr(Call("aten::bin", {I(-5)})), "'-0b101'");
  EXPECT_EQ(Repr(Call("aten::slice", {S("hello"), N(), N(), I(2)})), "'hlo'");
  EXPECT_EQ(Repr(Call("aten::slice", {S("hello"), I(10), N(), I(-1)})), "'olleh'");
  EXPECT_EQ(Repr(Call("aten::__getitem__", {S("abc"), I(-3)})), "'a'");
}

TEST_F(BuiltinOpsTest, CasesPyTorchCannotCompileOrPrints) {
  // `math.isnan(float("nan"))` etc. (literals written through arguments).
  EXPECT_EQ(Repr(Call("aten::isnan", {F(NAN)})), "True");
  EXPECT_EQ(Repr(Call("aten::isinf", {F(-INFINITY)})), "True");
  EXPECT_EQ(Repr(Call("aten::isfinite", {F(NAN)})), "False");
  EXPECT_EQ(Repr(Call("aten::splitlines", {S("a\nb\r\nc")})), "['a', 'b', '', 'c']");
  // 1.13 writes the single byte 0xe9 (not UTF-8); ptser writes Python's 'é'.
  EXPECT_EQ(Call("aten::chr", {I(233)})->as_string(), "\xc3\xa9");
  // 1.13 loops forever on "abc".replace("", "-"); ptser does what Python does.
  EXPECT_EQ(Repr(Call("aten::replace", {S("abc"), S(""), S("-")})), "'-a-b-c-'");
  // 1.13 fails with "vector::reserve"; Python gives [].
  EXPECT_EQ(Repr(Call("aten::mul", {L({I(1), I(2)}), I(-1)})), "[]");
}

TEST_F(BuiltinOpsTest, ErrorsAsPythonRaisesThem) {
  EXPECT_THAT(Call("aten::__getitem__", {L({I(1), I(2), I(3)}), I(3)}),
              StatusIs(absl::StatusCode::kOutOfRange, "IndexError: list index out of range"));
  EXPECT_THAT(Call("aten::__getitem__", {L({I(1), I(2), I(3)}), I(-4)}),
              StatusIs(absl::StatusCode::kOutOfRange, "IndexError: list index out of range"));
  EXPECT_THAT(Call("aten::__getitem__", {S("abc"), I(5)}),
              StatusIs(absl::StatusCode::kOutOfRange, "IndexError: string index out of range"));
  EXPECT_THAT(Call("aten::__getitem__", {D({{S("a"), I(1)}}), S("b")}),
              StatusIs(absl::StatusCode::kNotFound, "KeyError: 'b'"));
  EXPECT_THAT(Call("aten::__getitem__", {D({{I(1), I(1)}}), I(2)}),
              StatusIs(absl::StatusCode::kNotFound, "KeyError: 2"));
  // 1.13: floordiv.int raises "division by 0"; remainder.int crashes the
  // process (SIGFPE), ptser raises what divmod raises.
  EXPECT_THAT(Call("aten::floordiv", {I(7), I(0)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "division by 0"));
  EXPECT_THAT(Call("aten::remainder", {I(7), I(0)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ZeroDivisionError: integer division or modulo by zero"));
  EXPECT_THAT(Call("aten::divmod", {I(-7), I(0)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ZeroDivisionError: integer division or modulo by zero"));
  EXPECT_THAT(Call("aten::pow", {I(0), I(-1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "0.0 cannot be raised to a negative power"));
  EXPECT_THAT(Call("aten::Int", {S("1.5")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ValueError: invalid literal for int() with base 10: '1.5'"));
  EXPECT_THAT(Call("aten::Int", {S(" 12 ")}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Call("aten::Float", {S("abc")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ValueError: could not convert string to float: 'abc'"));
  EXPECT_THAT(Call("aten::pop", {L({})}),
              StatusIs(absl::StatusCode::kOutOfRange, "IndexError: pop from empty list"));
  EXPECT_THAT(Call("aten::remove", {L({I(1), I(2)}), I(5)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ValueError: list.remove(x): x not in list"));
  EXPECT_THAT(Call("aten::index", {L({I(1), I(2)}), I(5)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "ValueError: 5 is not in list"));
  EXPECT_THAT(Call("aten::format", {S("{}{}"), I(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "Too few arguments for format string: {}{}"));
  EXPECT_THAT(Call("aten::percentFormat", {S("%g"), Tup({F(1)})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "The specifier %g is not supported in TorchScript format strings"));
  EXPECT_THAT(Call("aten::percentFormat", {S("%s %s"), Tup({I(1)})}),
              StatusIs(absl::StatusCode::kInvalidArgument, "Too few arguments for format string"));
  EXPECT_THAT(Call("aten::percentFormat", {S("%s %d"), Tup({I(1), I(2), I(3)})}),
              StatusIs(absl::StatusCode::kInvalidArgument, "Too many arguments for format string"));
  EXPECT_THAT(Call("aten::percentFormat", {S("%d"), Tup({S("a")})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "%d requires a number for formatting, but got String"));
  EXPECT_THAT(Call("aten::percentFormat", {S("%c"), Tup({S("ab")})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "%c requires an int or char for formatting, but got String"));
  EXPECT_THAT(Call("aten::slice", {L({I(1)}), N(), N(), I(0)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "ValueError: slice step cannot be zero"));
  EXPECT_THAT(Call("aten::__range_length", {I(0), I(3), I(0)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "ValueError: range() arg 3 must not be zero"));
  EXPECT_THAT(Call("aten::popitem", {D({})}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("popitem(): dictionary is empty")));
}

TEST_F(BuiltinOpsTest, ListsMutateInPlace) {
  Value l = L({I(1)});
  ASSERT_OK_AND_ASSIGN(Value r, Call("aten::append", {l, I(2)}));
  EXPECT_TRUE(r.IsSameObject(l));  // append returns the list itself
  ASSERT_OK(Call("aten::extend", {l, l}).status());
  EXPECT_EQ(l.Repr(), "[1, 2, 1, 2]");
  ASSERT_OK(Call("aten::insert", {l, I(-1), I(9)}).status());
  EXPECT_EQ(l.Repr(), "[1, 2, 1, 9, 2]");
  ASSERT_OK(Call("aten::insert", {l, I(100), I(7)}).status());
  EXPECT_EQ(l.Repr(), "[1, 2, 1, 9, 2, 7]");
  EXPECT_EQ(Call("aten::pop", {l})->as_int(), 7);
  EXPECT_EQ(Call("aten::pop", {l, I(0)})->as_int(), 1);
  ASSERT_OK(Call("aten::remove", {l, I(1)}).status());
  EXPECT_EQ(l.Repr(), "[2, 9, 2]");
  ASSERT_OK(Call("aten::reverse", {l}).status());
  EXPECT_EQ(l.Repr(), "[2, 9, 2]");
  ASSERT_OK(Call("aten::sort", {l}).status());
  EXPECT_EQ(l.Repr(), "[2, 2, 9]");
  ASSERT_OK(Call("aten::sort", {l, B(true)}).status());
  EXPECT_EQ(l.Repr(), "[9, 2, 2]");
  ASSERT_OK_AND_ASSIGN(r, Call("aten::_set_item", {l, I(-1), I(5)}));
  EXPECT_TRUE(r.IsSameObject(l));
  EXPECT_EQ(l.Repr(), "[9, 2, 5]");
  ASSERT_OK(Call("aten::Delete", {l, I(0)}).status());
  EXPECT_EQ(l.Repr(), "[2, 5]");
  ASSERT_OK_AND_ASSIGN(Value copy, Call("aten::copy", {l}));
  EXPECT_FALSE(copy.IsSameObject(l));
  ASSERT_OK(Call("aten::clear", {l}).status());
  EXPECT_EQ(l.Repr(), "[]");
  EXPECT_EQ(copy.Repr(), "[2, 5]");
  // Sorting strings and tuples; mixed kinds are an error.
  Value strs = L({S("b"), S("a")});
  ASSERT_OK(Call("aten::sort", {strs}).status());
  EXPECT_EQ(strs.Repr(), "['a', 'b']");
  EXPECT_THAT(Call("aten::sorted", {L({S("a"), I(1)})}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(BuiltinOpsTest, DictsMutateInPlace) {
  Value d = D({{S("a"), I(1)}, {S("b"), I(2)}});
  ASSERT_OK(Call("aten::_set_item", {d, S("c"), I(3)}).status());
  ASSERT_OK(Call("aten::_set_item", {d, S("a"), I(10)}).status());
  EXPECT_EQ(d.Repr(), "{'a': 10, 'b': 2, 'c': 3}");
  EXPECT_EQ(Call("aten::setdefault", {d, S("b"), I(7)})->as_int(), 2);
  EXPECT_EQ(Call("aten::setdefault", {d, S("z"), I(7)})->as_int(), 7);
  EXPECT_EQ(Call("aten::pop", {d, S("z")})->as_int(), 7);
  EXPECT_EQ(Call("aten::pop", {d, S("z"), I(0)})->as_int(), 0);
  EXPECT_THAT(Call("aten::pop", {d, S("z")}), StatusIs(absl::StatusCode::kNotFound, "KeyError: 'z'"));
  ASSERT_OK(Call("aten::update", {d, D({{S("b"), I(20)}, {S("d"), I(4)}})}).status());
  EXPECT_EQ(d.Repr(), "{'a': 10, 'b': 20, 'c': 3, 'd': 4}");
  // 1.13's popitem takes the first item (Python's takes the last).
  EXPECT_EQ(Call("aten::popitem", {d})->Repr(), "('a', 10)");
  ASSERT_OK(Call("aten::Delete", {d, S("c")}).status());
  EXPECT_THAT(Call("aten::Delete", {d, S("c")}), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(d.Repr(), "{'b': 20, 'd': 4}");
  ASSERT_OK_AND_ASSIGN(Value copy, Call("aten::copy", {d}));
  ASSERT_OK(Call("aten::clear", {d}).status());
  EXPECT_EQ(Call("aten::len", {d})->as_int(), 0);
  EXPECT_EQ(copy.Repr(), "{'b': 20, 'd': 4}");
  // dict() from (key, value) tuples; int and Tensor keys.
  EXPECT_EQ(Call("aten::dict", {L({Tup({I(1), S("x")}), Tup({I(2), S("y")})})})->Repr(),
            "{1: 'x', 2: 'y'}");
  Value t = Value::FromTensor(*Zeros({1}));
  Value td = D({{t, I(1)}});
  EXPECT_EQ(Call("aten::__getitem__", {td, t})->as_int(), 1);
  EXPECT_TRUE(Call("aten::__contains__", {td, t})->as_bool());
}

TEST_F(BuiltinOpsTest, TensorConversions) {
  Value zero_dim = Value::FromTensor(*Full({}, Scalar(int64_t{3}), ScalarType::kLong));
  Value float_zero_dim = Value::FromTensor(*Full({}, Scalar(3.7), ScalarType::kFloat));
  Value one = Value::FromTensor(*Full({1}, Scalar(3.7), ScalarType::kFloat));
  Value two = Value::FromTensor(*Zeros({2}));
  // 1.13: Int.Tensor(tensor([3.7])) == 3, IntImplicit(tensor(3)) == 3,
  // FloatImplicit(tensor(3)) == 3.0, ScalarImplicit(tensor(3)) == 3.
  EXPECT_EQ(Repr(Call("aten::Int", {one})), "3");
  EXPECT_EQ(Repr(Call("aten::Float", {one})), "3.700000047683716");
  EXPECT_EQ(Repr(Call("aten::Bool", {one})), "True");
  EXPECT_EQ(Repr(Call("aten::IntImplicit", {zero_dim})), "3");
  EXPECT_EQ(Repr(Call("aten::FloatImplicit", {zero_dim})), "3.0");
  EXPECT_EQ(Repr(Call("aten::ScalarImplicit", {zero_dim})), "3");
  EXPECT_THAT(Call("aten::Int", {two}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "a Tensor with 2 elements cannot be converted to Scalar"));
  EXPECT_THAT(Call("aten::IntImplicit", {one}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Cannot input a tensor of dimension other than 0 as a scalar argument"));
  EXPECT_THAT(Call("aten::IntImplicit", {float_zero_dim}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("as an integral argument")));
  EXPECT_EQ(Repr(Call("aten::len", {two})), "2");
  EXPECT_THAT(Call("aten::len", {zero_dim}),
              StatusIs(absl::StatusCode::kInvalidArgument, "len() of a 0-d tensor"));
  // str() of a tensor is libtorch's text.
  EXPECT_EQ(Call("aten::str", {two})->as_string(), " 0\n 0\n[ CPUFloatType{2} ]");
  EXPECT_EQ(Call("aten::format", {S("t={}"), zero_dim})->as_string(), "t=3\n[ CPULongType{} ]");
}

TEST_F(BuiltinOpsTest, GradModeAndLimits) {
  EXPECT_TRUE(Call("aten::is_grad_enabled", {})->as_bool());
  ASSERT_OK(Call("aten::set_grad_enabled", {B(false)}).status());
  EXPECT_FALSE(ctx_.grad_enabled);
  EXPECT_FALSE(Call("aten::is_grad_enabled", {})->as_bool());
  ctx_.max_alloc_bytes = 1000;
  EXPECT_THAT(Call("aten::mul", {L({I(1), I(2)}), I(1000)}),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("over the memory limit of 1000 bytes")));
  EXPECT_THAT(Call("aten::mul", {L({I(1), I(2)}), I(INT64_MAX)}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(Call("aten::ljust", {S("a"), I(5000)}), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(Call("aten::device", {S("cpu")})->device(), Device::Cpu());
}

// Hostile integers are errors or wrapped results, never undefined behaviour,
// a hang or an allocation past the limit (a review of the operators).
TEST_F(BuiltinOpsTest, ExtremeIntegersAreHandled) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // 66! and above are 0 modulo 2^64 (c10's wrapped product): no 10^18 loop.
  EXPECT_EQ(Repr(Call("aten::factorial", {I(1000000000000000000)})), "0");
  EXPECT_EQ(Repr(Call("aten::factorial", {I(20)})), "2432902008176640000");
  // |INT64_MIN| computed in uint64.
  EXPECT_EQ(Repr(Call("aten::gcd", {I(kMin), I(0)})), std::to_string(kMin));
  EXPECT_EQ(Repr(Call("aten::gcd", {I(-12), I(18)})), "6");
  // The span in uint64 (it wraps as c10's does, without overflowing).
  EXPECT_EQ(Repr(Call("aten::__range_length", {I(kMin), I(kMax), I(kMax)})), "3");
  EXPECT_EQ(Repr(Call("aten::__range_length", {I(kMax), I(kMin), I(kMin)})), "2");
  // A tab of 2^62 columns is refused before it is appended.
  EXPECT_THAT(Repr(Call("aten::expandtabs", {S("\t"), I(int64_t{1} << 62)})),
              HasSubstr("max_alloc_bytes"));
  // %d of a float out of int's range: INT_MIN, as the x86 cast gives.
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%d"), F(1e300)})), "'-2147483648'");
  EXPECT_EQ(Repr(Call("aten::percentFormat", {S("%d"), F(-7.9)})), "'-7'");
}


}  // namespace
}  // namespace jit
}  // namespace ptser
