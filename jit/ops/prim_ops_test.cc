// Copyright ptser authors.
//
// Expected values come from PyTorch 1.13 (torch.ops.prim.* and scripted
// functions), noted beside each case.

#include "jit/ops/prim_ops.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/registry.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::HasSubstr;

class PrimOpsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(RegisterPrimOps(registry_)); }

  absl::StatusOr<Value> Call(absl::string_view name, std::vector<Value> positional) {
    std::vector<Value> args;
    absl::StatusOr<const Operator*> op = registry_.Resolve(name, positional, {}, {}, &args);
    if (!op.ok()) return op.status();
    return (*op)->fn(ctx_, absl::MakeSpan(args));
  }
  std::string Overload(absl::string_view name, std::vector<Value> positional) {
    std::vector<Value> args;
    absl::StatusOr<const Operator*> op = registry_.Resolve(name, positional, {}, {}, &args);
    return op.ok() ? (*op)->schema.QualifiedName() : std::string(op.status().message());
  }

  OperatorRegistry registry_;
  OpContext ctx_;
};

Value Ints(std::vector<int64_t> v) {
  std::vector<Value> items;
  for (int64_t x : v) items.push_back(Value::Int(x));
  return Value::NewList(std::move(items));
}

TEST_F(PrimOpsTest, NumToTensor) {
  // torch.ops.prim.NumToTensor(1.5).dtype == float64; (2) int64; (True) bool.
  ASSERT_OK_AND_ASSIGN(Value t, Call("prim::NumToTensor", {Value::Float(1.5)}));
  EXPECT_EQ(t.tensor().dtype(), ScalarType::kDouble);
  EXPECT_EQ(t.tensor().dim(), 0);
  ASSERT_OK_AND_ASSIGN(t, Call("prim::NumToTensor", {Value::Int(2)}));
  EXPECT_EQ(t.tensor().dtype(), ScalarType::kLong);
  EXPECT_EQ(GetElement(t.tensor(), {})->to_int64(), 2);
  ASSERT_OK_AND_ASSIGN(t, Call("prim::NumToTensor", {Value::Bool(true)}));
  EXPECT_EQ(t.tensor().dtype(), ScalarType::kBool);
}

TEST_F(PrimOpsTest, TensorFacts) {
  Value x = Value::FromTensor(*Zeros({2, 3}, ScalarType::kHalf));
  EXPECT_EQ(Call("prim::dtype", {x})->as_int(), 5);
  EXPECT_EQ(Call("prim::device", {x})->device(), Device::Cpu());
  EXPECT_EQ(Call("prim::layout", {x})->as_int(), 0);
  EXPECT_FALSE(Call("prim::is_cuda", {x})->as_bool());
  EXPECT_TRUE(Call("prim::is_cpu", {x})->as_bool());
  EXPECT_FALSE(Call("prim::is_quantized", {x})->as_bool());
}

TEST_F(PrimOpsTest, MaxMin) {
  // ops.prim.max(z1, 3) etc; f([1,2],[1,3], 1.0, 2) gave
  // ([1, 3], [1, 2], 2.0, 1.0, 2, 1, 1.0, 2).
  EXPECT_EQ(Overload("prim::max", {Value::Int(1), Value::Int(3)}), "prim::max.int");
  EXPECT_EQ(Call("prim::max", {Value::Int(1), Value::Int(3)})->as_int(), 3);
  EXPECT_EQ(Call("prim::max", {Value::Float(1.0), Value::Int(2)})->as_float(), 2.0);
  EXPECT_EQ(Call("prim::min", {Value::Int(2), Value::Float(1.0)})->as_float(), 1.0);
  EXPECT_EQ(Call("prim::max", {Ints({1, 2}), Ints({1, 3})})->Repr(), "[1, 3]");
  EXPECT_EQ(Call("prim::min", {Ints({1, 2}), Ints({1, 3})})->Repr(), "[1, 2]");
  EXPECT_EQ(Call("prim::max", {Ints({1, 2, 5}), Ints({1, 2})})->Repr(), "[1, 2, 5]");
  EXPECT_EQ(Call("prim::min", {Ints({1, 2, 5}), Ints({1, 2})})->Repr(), "[1, 2]");
  EXPECT_EQ(Call("prim::max", {Ints({4, 9, 2})})->as_int(), 9);
  EXPECT_EQ(Call("prim::min", {Ints({4, 9, 2})})->as_int(), 2);
  EXPECT_THAT(Call("prim::max", {Value::NewList()}),
              StatusIs(absl::StatusCode::kInvalidArgument, "max() arg is an empty sequence"));
  EXPECT_EQ(Call("prim::max", {Value::Bool(true), Value::Float(0.5)})->as_float(), 1.0);
}

TEST_F(PrimOpsTest, Abs) {
  EXPECT_EQ(Call("prim::abs", {Value::Int(-3)})->as_int(), 3);
  // torch.ops.prim.abs.int(-2**63) == -2**63 (wraps).
  EXPECT_EQ(Call("prim::abs", {Value::Int(INT64_MIN)})->as_int(), INT64_MIN);
  EXPECT_EQ(Call("prim::abs", {Value::Float(-2.5)})->as_float(), 2.5);
  ASSERT_OK_AND_ASSIGN(Value t, Call("prim::abs", {Value::FromTensor(*MakeTensor<float>(
                                                     std::vector<float>{-1.5f, 2.0f}))}));
  EXPECT_EQ(*ToVector<float>(t.tensor()), (std::vector<float>{1.5f, 2.0f}));
}

TEST_F(PrimOpsTest, RaiseException) {
  // ops.prim.RaiseException("bad", "builtins.RuntimeError")
  EXPECT_THAT(Call("prim::RaiseException", {Value::Str("bad"), Value::Str("builtins.RuntimeError")}),
              StatusIs(absl::StatusCode::kAborted, "RuntimeError: bad"));
  EXPECT_THAT(Call("prim::RaiseException", {Value::Str("val 0"), Value::Str("builtins.ValueError")}),
              StatusIs(absl::StatusCode::kAborted, "ValueError: val 0"));
  // `assert x, "neg"` prints RaiseException("AssertionError: neg"): 1.13
  // raises a RuntimeError (torch.jit.Error) with that message.
  EXPECT_THAT(Call("prim::RaiseException", {Value::Str("AssertionError: neg")}),
              StatusIs(absl::StatusCode::kAborted, "RuntimeError: AssertionError: neg"));
}

TEST_F(PrimOpsTest, ToList) {
  ASSERT_OK_AND_ASSIGN(Tensor t, MakeTensor<int64_t>(std::vector<int64_t>{1, 2, 3, 4, 5, 6},
                                                     std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Call("prim::tolist", {Value::FromTensor(t)})->Repr(), "[[1, 2, 3], [4, 5, 6]]");
  ASSERT_OK_AND_ASSIGN(Tensor f, Full({}, Scalar(2.5), ScalarType::kFloat));
  EXPECT_EQ(Call("prim::tolist", {Value::FromTensor(f)})->Repr(), "2.5");
  ASSERT_OK_AND_ASSIGN(Tensor e, Zeros({2, 0}));
  EXPECT_EQ(Call("prim::tolist", {Value::FromTensor(e)})->Repr(), "[[], []]");
}

TEST_F(PrimOpsTest, Enums) {
  auto member = std::make_shared<Value::Object>(GlobalRef{"__torch__", "Color"},
                                                Value::Object::Construction::kNewObj,
                                                Value::NewTuple());
  Value state = Value::NewDict();
  ASSERT_OK(state.dict().SetItem(Value::Str("name"), Value::Str("RED")));
  ASSERT_OK(state.dict().SetItem(Value::Str("value"), Value::Int(1)));
  member->set_state(state);
  Value red = Value::FromObject(member);
  EXPECT_EQ(Call("prim::EnumName", {red})->as_string(), "RED");
  EXPECT_EQ(Call("prim::EnumValue", {red})->as_int(), 1);
  EXPECT_THAT(Call("prim::EnumName", {Value::Int(1)}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PrimOpsTest, Misc) {
  EXPECT_TRUE(Call("prim::Uninitialized", {})->is_none());
  EXPECT_EQ(Call("prim::rangelist", {Value::Int(3)})->Repr(), "[0, 1, 2]");
  EXPECT_EQ(Call("prim::StringIndex", {Value::Str("abc"), Value::Int(-1)})->as_string(), "c");
  std::ostringstream out;
  ctx_.out = &out;
  ASSERT_OK(Call("prim::Print", {Value::Str("hello\n\"q\""), Value::Int(5), Value::Float(3.0)})
                .status());
  EXPECT_EQ(out.str(), "hello\n\"q\" 5 3.\n");
}

// tolist and rangelist are held to max_alloc_bytes before they build
// anything: an expanded view of 2^40 elements, or 2^62 empty lists.
TEST_F(PrimOpsTest, HugeListsAreRefusedBeforeTheyAreMade) {
  absl::StatusOr<Tensor> one = Zeros({1}, ScalarType::kFloat);
  ASSERT_TRUE(one.ok());
  absl::StatusOr<Tensor> wide = Expand(*one, {int64_t{1} << 40});
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_THAT(Call("prim::tolist", {Value::FromTensor(*wide)}).status().message(),
              HasSubstr("max_alloc_bytes"));
  absl::StatusOr<Tensor> hollow = Zeros({int64_t{1} << 62, 0}, ScalarType::kFloat);
  ASSERT_TRUE(hollow.ok()) << hollow.status();
  EXPECT_THAT(Call("prim::tolist", {Value::FromTensor(*hollow)}).status().message(),
              HasSubstr("max_alloc_bytes"));
  EXPECT_THAT(Call("prim::rangelist", {Value::Int(int64_t{1} << 62)}).status().message(),
              HasSubstr("max_alloc_bytes"));
}


}  // namespace
}  // namespace jit
}  // namespace ptser
