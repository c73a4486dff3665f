// Copyright ptser authors.
//
// The tensor glue against PyTorch 1.13: overload resolution of the calls
// the printer writes (`torch.to(x, 6)`, `torch.add(x, 1)`), and values
// computed by torch (noted beside each case).

#include "jit/ops/tensor_basic_ops.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/registry.h"
#include "jit/ops/tensor_index_ops.h"
#include "jit/ops/tensor_nn_ops.h"
#include "jit/ops/tensor_pointwise_ops.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

Value I(int64_t v) { return Value::Int(v); }
Value F(double v) { return Value::Float(v); }
Value B(bool v) { return Value::Bool(v); }
Value S(std::string v) { return Value::Str(std::move(v)); }
Value N() { return Value::None(); }
Value L(std::vector<Value> v) { return Value::NewList(std::move(v)); }
Value Ints(std::vector<int64_t> v) {
  std::vector<Value> items;
  for (int64_t x : v) items.push_back(I(x));
  return L(std::move(items));
}
Value TF(std::vector<float> v, std::vector<int64_t> sizes = {}) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(v.size())};
  return Value::FromTensor(*MakeTensor<float>(absl::Span<const float>(v), sizes));
}
Value TL(std::vector<int64_t> v, std::vector<int64_t> sizes = {}) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(v.size())};
  return Value::FromTensor(*MakeTensor<int64_t>(absl::Span<const int64_t>(v), sizes));
}
Value TB(std::vector<int64_t> v) { return Value::FromTensor(*Cast(TL(std::move(v)).tensor(), ScalarType::kBool)); }

std::vector<double> Doubles(const Value& v) { return *ToVector<double>(v.tensor()); }

class TensorBasicOpsTest : public ::testing::Test {
 protected:
  // With the families that own masked_fill(_), leaky_relu, logical_or,
  // bitwise_not and dropout, in the default registry's order.
  void SetUp() override {
    ASSERT_OK(RegisterTensorPointwiseOps(registry_));
    ASSERT_OK(RegisterTensorBasicOps(registry_));
    ASSERT_OK(RegisterTensorIndexOps(registry_));
    ASSERT_OK(RegisterTensorNnOps(registry_));
  }

  absl::StatusOr<Value> Call(absl::string_view name, std::vector<Value> positional,
                             std::vector<std::string> kw_names = {},
                             std::vector<Value> kw_values = {}) {
    std::vector<Value> args;
    absl::StatusOr<const Operator*> op =
        registry_.Resolve(name, positional, kw_names, kw_values, &args);
    if (!op.ok()) return op.status();
    last_ = (*op)->schema.QualifiedName();
    return (*op)->fn(ctx_, absl::MakeSpan(args));
  }
  Value Ok(absl::string_view name, std::vector<Value> positional,
           std::vector<std::string> kw_names = {}, std::vector<Value> kw_values = {}) {
    absl::StatusOr<Value> v = Call(name, std::move(positional), std::move(kw_names),
                                   std::move(kw_values));
    EXPECT_OK(v.status()) << name;
    return v.ok() ? *v : Value();
  }

  OperatorRegistry registry_;
  OpContext ctx_;
  std::string last_;
};

TEST_F(TensorBasicOpsTest, Arithmetic) {
  Value x = TL({1, 2});
  // torch.add(tensor([1, 2]), 1.5).dtype == float32
  Value r = Ok("aten::add", {x, F(1.5)});
  EXPECT_EQ(last_, "aten::add.Scalar");
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  EXPECT_EQ(Doubles(r), (std::vector<double>{2.5, 3.5}));
  // torch.add(tensor([1,2]), tensor([1,2]), alpha=3) == [4, 8]
  r = Ok("aten::add", {x, x}, {"alpha"}, {I(3)});
  EXPECT_EQ(last_, "aten::add.Tensor");
  EXPECT_EQ(Doubles(r), (std::vector<double>{4, 8}));
  // div: true, floor and trunc rounding: [-3.5, 3.5], [-4, 3], [-3, 3].
  Value y = TL({-7, 7});
  EXPECT_EQ(Doubles(Ok("aten::div", {y, I(2)})), (std::vector<double>{-3.5, 3.5}));
  EXPECT_EQ(Doubles(Ok("aten::div", {y, I(2)}, {"rounding_mode"}, {S("floor")})),
            (std::vector<double>{-4, 3}));
  EXPECT_EQ(last_, "aten::div.Scalar_mode");
  EXPECT_EQ(Doubles(Ok("aten::div", {y, I(2)}, {"rounding_mode"}, {S("trunc")})),
            (std::vector<double>{-3, 3}));
  EXPECT_EQ(Doubles(Ok("aten::floor_divide", {TF({-7, 7}), I(2)})), (std::vector<double>{-4, 3}));
  EXPECT_EQ(Doubles(Ok("aten::rsub", {TF({1, 2}), I(10)})), (std::vector<double>{9, 8}));
  EXPECT_EQ(Doubles(Ok("aten::neg", {x})), (std::vector<double>{-1, -2}));
  EXPECT_EQ(Doubles(Ok("aten::abs", {TL({-3, 2})})), (std::vector<double>{3, 2}));
  EXPECT_EQ(Doubles(Ok("aten::clamp", {TL({1, 5, 9}), I(2), I(6)})), (std::vector<double>{2, 5, 6}));
}

TEST_F(TensorBasicOpsTest, InPlaceOpsReturnSelf) {
  Value x = TF({1, 2});
  Value r = Ok("aten::add_", {x, I(1)});
  EXPECT_TRUE(r.IsSameObject(x));
  EXPECT_EQ(Doubles(x), (std::vector<double>{2, 3}));
  r = Ok("aten::mul_", {x, TF({2, 3})});
  EXPECT_TRUE(r.IsSameObject(x));
  EXPECT_EQ(Doubles(x), (std::vector<double>{4, 9}));
  Ok("aten::relu_", {x});
  Ok("aten::hardtanh_", {x});
  EXPECT_EQ(Doubles(x), (std::vector<double>{1, 1}));
  Ok("aten::fill_", {x, F(2.5)});
  EXPECT_EQ(Doubles(x), (std::vector<double>{2.5, 2.5}));
  Ok("aten::copy_", {x, TL({7, 8})});
  EXPECT_EQ(Doubles(x), (std::vector<double>{7, 8}));
  EXPECT_EQ(x.tensor().dtype(), ScalarType::kFloat);
  Ok("aten::zero_", {x});
  EXPECT_EQ(Doubles(x), (std::vector<double>{0, 0}));
  Value m = TF({1, 2});
  Ok("aten::masked_fill_", {m, TB({1, 0}), F(-INFINITY)});
  EXPECT_EQ(Doubles(m), (std::vector<double>{-INFINITY, 2}));
}

TEST_F(TensorBasicOpsTest, DivOut) {
  // torch.div(a, b, out=out): the result lands in `out` (resized as needed).
  Value out = TF({0, 0});
  Value r = Ok("aten::div", {TF({1, 3}), TF({2, 2})}, {"out"}, {out});
  EXPECT_EQ(last_, "aten::div.out");
  EXPECT_TRUE(r.IsSameObject(out));
  EXPECT_EQ(Doubles(out), (std::vector<double>{0.5, 1.5}));
  Value empty = TF({});
  Ok("aten::div", {TL({-7, 7}), TL({2, 2})}, {"rounding_mode", "out"}, {S("floor"), empty});
  EXPECT_EQ(last_, "aten::div.out_mode");
  EXPECT_EQ(Doubles(empty), (std::vector<double>{-4, 3}));
  // 1.13: "result type Float can't be cast to the desired output type Long".
  EXPECT_THAT(Call("aten::div", {TL({1}), TL({2})}, {"out"}, {TL({0})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Float can't be cast to the desired output type Long"));
}

TEST_F(TensorBasicOpsTest, To) {
  Value x = TL({1, 2});
  // torch.to(x, 6): to.dtype
  Value r = Ok("aten::to", {x, I(6)});
  EXPECT_EQ(last_, "aten::to.dtype");
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  // A dtype value binds as its int.
  r = Ok("aten::to", {x, Value::Dtype(ScalarType::kDouble)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kDouble);
  // torch.to(CONSTANTS.c0, torch.device("cpu"), 6): to.device
  r = Ok("aten::to", {x, Value::FromDevice(Device::Cpu()), I(6)});
  EXPECT_EQ(last_, "aten::to.device");
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  // torch.to(q, 7, False, False, 0): to.dtype with a memory format.
  r = Ok("aten::to", {x, I(7), B(false), B(false), I(0)});
  EXPECT_EQ(last_, "aten::to.dtype");
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kDouble);
  // x.to(x.dtype) is x (1.13: True); copy=True copies.
  EXPECT_TRUE(Ok("aten::to", {x, I(4)}).IsSameObject(x));
  EXPECT_FALSE(Ok("aten::to", {x, I(4), B(false), B(true)}).IsSameObject(x));
  EXPECT_EQ(Ok("aten::to", {x, TF({1})}).tensor().dtype(), ScalarType::kFloat);
  EXPECT_EQ(Ok("aten::type_as", {x, TF({1})}).tensor().dtype(), ScalarType::kFloat);
  EXPECT_THAT(Call("aten::to", {x, Value::FromDevice(Device("cuda", 0)), I(6)}),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("cuda:0")));
}

TEST_F(TensorBasicOpsTest, Factories) {
  // torch.tensor([[1], [2]]): int64 [2, 1]; torch.tensor([1.5, 2.5]): float32.
  Value r = Ok("aten::tensor", {L({Ints({1}), Ints({2})})});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kLong);
  EXPECT_EQ(r.tensor().sizes(), (std::vector<int64_t>{2, 1}));
  r = Ok("aten::tensor", {L({F(1.5), F(2.5)})});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  r = Ok("aten::tensor", {L({F(1.5)})}, {"dtype"}, {I(7)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kDouble);
  r = Ok("aten::tensor", {L({B(true)})});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kBool);
  r = Ok("aten::tensor", {F(2.5)});
  EXPECT_EQ(last_, "aten::tensor.float");
  EXPECT_EQ(r.tensor().dim(), 0);
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  r = Ok("aten::tensor", {I(0)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kLong);
  EXPECT_THAT(Call("aten::tensor", {L({Ints({1}), Ints({2, 3})})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected sequence of length 1 at dim 1 (got 2)"));
  // torch.zeros([2, 3], dtype=11); torch.full([2], 1) is int64 (v5+).
  r = Ok("aten::zeros", {Ints({2, 3})}, {"dtype"}, {I(11)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kBool);
  EXPECT_EQ(r.tensor().sizes(), (std::vector<int64_t>{2, 3}));
  r = Ok("aten::full", {Ints({2}), I(1)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kLong);
  r = Ok("aten::ones", {Ints({2})});
  EXPECT_EQ(Doubles(r), (std::vector<double>{1, 1}));
  // torch.empty([2], dtype=None, layout=None, device=torch.device("cpu"))
  r = Ok("aten::empty", {Ints({2})}, {"dtype", "layout", "device"},
         {N(), N(), Value::FromDevice(Device::Cpu())});
  EXPECT_EQ(r.tensor().sizes(), (std::vector<int64_t>{2}));
  // torch.arange(5) is int64; torch.arange(0.5, 3) is float32 [0.5, 1.5, 2.5].
  r = Ok("aten::arange", {I(5)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kLong);
  EXPECT_EQ(Doubles(r), (std::vector<double>{0, 1, 2, 3, 4}));
  r = Ok("aten::arange", {F(0.5), I(3)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  EXPECT_EQ(Doubles(r), (std::vector<double>{0.5, 1.5, 2.5}));
  r = Ok("aten::full_like", {TL({1, 2}), F(2.5)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kLong);
  EXPECT_EQ(Doubles(r), (std::vector<double>{2, 2}));
  r = Ok("aten::zeros_like", {TL({1, 2})}, {"dtype"}, {I(6)});
  EXPECT_EQ(r.tensor().dtype(), ScalarType::kFloat);
  ctx_.max_alloc_bytes = 1 << 20;
  EXPECT_THAT(Call("aten::zeros", {Ints({1 << 20, 1 << 20})}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("aten::zeros")));
  EXPECT_THAT(Call("aten::arange", {I(int64_t{1} << 40)}),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(TensorBasicOpsTest, FactsAndViews) {
  Value x = TF({1, -2, 3, 4, 5, -6}, {2, 3});
  EXPECT_EQ(Ok("aten::dim", {x}).as_int(), 2);
  EXPECT_EQ(Ok("aten::size", {x}).Repr(), "[2, 3]");
  EXPECT_EQ(Ok("aten::size", {x, I(-1)}).as_int(), 3);
  EXPECT_EQ(Ok("aten::numel", {x}).as_int(), 6);
  EXPECT_EQ(Ok("aten::item", {TF({2.5})}).Repr(), "2.5");
  EXPECT_EQ(Ok("aten::item", {TL({7})}).Repr(), "7");
  EXPECT_THAT(Call("aten::item", {x}), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "a Tensor with 6 elements cannot be converted to Scalar"));
  EXPECT_TRUE(Ok("aten::is_floating_point", {x}).as_bool());
  EXPECT_EQ(Ok("aten::view", {x, Ints({3, 2})}).tensor().sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Ok("aten::reshape", {x, Ints({-1})}).tensor().sizes(), (std::vector<int64_t>{6}));
  EXPECT_EQ(Doubles(Ok("aten::transpose", {x, I(0), I(1)})),
            (std::vector<double>{1, 4, -2, 5, 3, -6}));
  EXPECT_EQ(Ok("aten::permute", {x, Ints({1, 0})}).tensor().sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Ok("aten::unsqueeze", {x, I(0)}).tensor().sizes(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Ok("aten::squeeze", {Ok("aten::unsqueeze", {x, I(0)})}).tensor().sizes(),
            (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Doubles(Ok("aten::select", {x, I(0), I(1)})), (std::vector<double>{4, 5, -6}));
  // torch.slice(x, 0, 1, 2) and the defaults (dim=0, step=1).
  EXPECT_EQ(Doubles(Ok("aten::slice", {x, I(1), I(1), N()})), (std::vector<double>{-2, 3, 5, -6}));
  EXPECT_EQ(last_, "aten::slice.Tensor");
  EXPECT_EQ(Ok("aten::slice", {x}).tensor().sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Doubles(Ok("aten::narrow", {x, I(1), I(2), I(1)})), (std::vector<double>{3, -6}));
  EXPECT_EQ(Ok("aten::expand", {TF({1}), Ints({3})}).tensor().sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(Ok("aten::flatten", {x}).tensor().sizes(), (std::vector<int64_t>{6}));
  EXPECT_EQ(Ok("aten::t", {x}).tensor().sizes(), (std::vector<int64_t>{3, 2}));
  Value vec = TF({1, 2});
  EXPECT_TRUE(Ok("aten::t", {vec}).IsSameObject(vec));  // t() of a 1-D tensor is itself
  EXPECT_EQ(Ok("aten::numpy_T", {x}).tensor().sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_TRUE(Ok("aten::contiguous", {x}).IsSameObject(x));
  Value detached = Ok("aten::detach", {x});
  EXPECT_TRUE(detached.tensor().IsSameAs(x.tensor()));
  EXPECT_THAT(Call("aten::squeeze", {TF({1, 2, 3}), I(5)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Dimension out of range")));
}

TEST_F(TensorBasicOpsTest, ReductionsLinalgActivations) {
  Value x = TF({1, -2, 3, 4, 5, -6}, {2, 3});
  // torch.sum(x, [0], True) == [[5, 3, -3]]; torch.sum(x, []) == 5;
  // torch.mean(x, [1]) == [0.6667, 1.0].
  Value r = Ok("aten::sum", {x, Ints({0}), B(true)});
  EXPECT_EQ(r.tensor().sizes(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Doubles(r), (std::vector<double>{5, 3, -3}));
  EXPECT_EQ(Doubles(Ok("aten::sum", {x, Ints({})})), (std::vector<double>{5}));
  EXPECT_THAT(Doubles(Ok("aten::mean", {x, Ints({1})})),
              Pointwise(DoubleNear(1e-6), std::vector<double>{0.6666667, 1.0}));
  // torch.max(x, 1) == (values [3, 5], indices [2, 1]).
  r = Ok("aten::max", {x, I(1)});
  EXPECT_EQ(last_, "aten::max.dim");
  EXPECT_EQ(Doubles(Value(r.tuple()[0])), (std::vector<double>{3, 5}));
  EXPECT_EQ(Doubles(Value(r.tuple()[1])), (std::vector<double>{2, 1}));
  // F.linear(x, [[0.5, -1, 2]], [0.25]) == [[8.75], [-14.75]]
  EXPECT_EQ(Doubles(Ok("aten::linear", {x, TF({0.5, -1, 2}, {1, 3}), TF({0.25})})),
            (std::vector<double>{8.75, -14.75}));
  EXPECT_EQ(Doubles(Ok("aten::linear", {x, TF({0.5, -1, 2}, {1, 3})})),
            (std::vector<double>{8.5, -15}));
  EXPECT_THAT(Doubles(Ok("aten::softmax", {x, I(1)})),
              Pointwise(DoubleNear(1e-6), std::vector<double>{0.11849965, 0.00589975, 0.87560058,
                                                             0.26893815, 0.73104966, 1.2209773e-05}));
  EXPECT_THAT(Doubles(Ok("aten::log_softmax", {x, I(0)})),
              Pointwise(DoubleNear(1e-5), std::vector<double>{-3.0485873, -7.0009112, -0.000123374,
                                                             -0.0485873, -0.000911416, -9.000123}));
  EXPECT_EQ(Ok("aten::softmax", {x, I(1), I(7)}).tensor().dtype(), ScalarType::kDouble);
  EXPECT_EQ(Doubles(Ok("aten::relu", {x})), (std::vector<double>{1, 0, 3, 4, 5, 0}));
  EXPECT_THAT(Doubles(Ok("aten::leaky_relu", {TF({-1, 2}), F(0.1)})),
              Pointwise(DoubleNear(1e-7), std::vector<double>{-0.1, 2}));
  EXPECT_EQ(Doubles(Ok("aten::hardtanh", {TF({-3, 0.5, 3})})), (std::vector<double>{-1, 0.5, 1}));
  EXPECT_EQ(Doubles(Ok("aten::masked_fill", {TL({1, 2}), TB({1, 0}), F(2.7)})),
            (std::vector<double>{2, 2}));
  EXPECT_EQ(Doubles(Ok("aten::logical_or", {TL({0, 1, 0}), TF({0, 0, 2})})),
            (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(Doubles(Ok("aten::bitwise_not", {TL({0, 5})})), (std::vector<double>{-1, -6}));
  EXPECT_EQ(Doubles(Ok("aten::dropout", {x, F(0.5), B(false)})), Doubles(x));
  // Training draws a mask (tensor/ops/dropout.h): each element is dropped
  // or doubled.
  const std::vector<double> kept = Doubles(Ok("aten::dropout", {x, F(0.5), B(true)}));
  const std::vector<double> original = Doubles(x);
  ASSERT_EQ(kept.size(), original.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_TRUE(kept[i] == 0 || kept[i] == 2 * original[i]) << i;
  }
  EXPECT_EQ(Doubles(Ok("aten::where", {TB({1, 0}), TF({1, 2}), F(9)})), (std::vector<double>{1, 9}));
  EXPECT_EQ(last_, "aten::where.ScalarOther");
  EXPECT_EQ(Doubles(Ok("aten::gt", {TF({1, 2}), I(1)})), (std::vector<double>{0, 1}));
}

TEST_F(TensorBasicOpsTest, ConvolutionAndPooling) {
  std::vector<float> v;
  for (int i = 0; i < 16; ++i) v.push_back(static_cast<float>(i));
  Value img = TF(v, {1, 1, 4, 4});
  // torch.conv2d(arange(16).view(1,1,4,4), ones(1,1,2,2), None, [2, 2])
  Value r = Ok("aten::conv2d", {img, TF({1, 1, 1, 1}, {1, 1, 2, 2}), N(), Ints({2, 2})});
  EXPECT_EQ(Doubles(r), (std::vector<double>{10, 18, 42, 50}));
  // A single int for int[2] stride.
  r = Ok("aten::conv2d", {img, TF({1, 1, 1, 1}, {1, 1, 2, 2}), N(), I(2)});
  EXPECT_EQ(Doubles(r), (std::vector<double>{10, 18, 42, 50}));
  // conv1d padding='same' with kernels 3 and 2 (the extra on the right).
  std::vector<float> six = {0, 1, 2, 3, 4, 5};
  r = Ok("aten::conv1d", {TF(six, {1, 1, 6}), TF({1, 1, 1}, {1, 1, 3}), N(), Ints({1}), S("same")});
  EXPECT_EQ(last_, "aten::conv1d.padding");
  EXPECT_EQ(Doubles(r), (std::vector<double>{1, 3, 6, 9, 12, 9}));
  r = Ok("aten::conv1d", {TF(six, {1, 1, 6}), TF({1, 1}, {1, 1, 2}), N(), Ints({1}), S("same")});
  EXPECT_EQ(Doubles(r), (std::vector<double>{1, 3, 5, 7, 9, 5}));
  EXPECT_EQ(Doubles(Ok("aten::max_pool2d", {img, Ints({2, 2})})), (std::vector<double>{5, 7, 13, 15}));
  EXPECT_EQ(Doubles(Ok("aten::avg_pool2d", {img, Ints({2, 2})})),
            (std::vector<double>{2.5, 4.5, 10.5, 12.5}));
  EXPECT_EQ(Doubles(Ok("aten::adaptive_avg_pool2d", {img, Ints({1, 1})})), (std::vector<double>{7.5}));
}

// Hostile arguments to convolution, upsampling, chunk and round are errors
// (or clamped), never an exception, an out-of-bounds read or a 2^62-piece
// result (a review of the operators).
TEST_F(TensorBasicOpsTest, HostileArgumentsAreErrors) {
  auto zeros = [](std::vector<int64_t> shape) {
    absl::StatusOr<Tensor> t = Zeros(shape, ScalarType::kFloat);
    EXPECT_OK(t.status());
    return Value::FromTensor(*t);
  };
  auto ones = [](std::vector<int64_t> shape) {
    absl::StatusOr<Tensor> t = Ones(shape, ScalarType::kFloat);
    EXPECT_OK(t.status());
    return Value::FromTensor(*t);
  };
  auto ints = [](std::vector<int64_t> v) {
    std::vector<Value> items;
    for (int64_t x : v) items.push_back(Value::Int(x));
    return Value::NewList(std::move(items));
  };
  // An empty stride list: PyTorch's message, not std::out_of_range.
  EXPECT_THAT(Call("aten::conv2d", {zeros({1, 1, 3, 3}), zeros({1, 1, 1, 1}), Value(), ints({})})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected stride to be a single integer value or a list of 2")));
  EXPECT_THAT(Call("aten::conv1d", {zeros({1, 1, 3}), zeros({1, 1, 1}), Value(), ints({1}),
                                    ints({})})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected padding")));
  // padding="same" with a weight of the wrong rank (once read before it).
  EXPECT_THAT(Call("aten::conv2d", {zeros({1, 1, 3, 3}), zeros({2}), Value(), ints({1, 1}),
                                    Value::Str("same")})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4-dimensional weight")));
  // A dilation that overflows the kernel's extent.
  EXPECT_THAT(Call("aten::conv2d", {zeros({1, 1, 3, 3}), zeros({1, 1, 3, 3}), Value(),
                                    ints({1, 1}), ints({0, 0}),
                                    ints({int64_t{1} << 62, int64_t{1} << 62})})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  // Scales that point past the input are clamped to its last row/column.
  Value up = Ok("aten::upsample_bilinear2d",
                {ones({1, 1, 2, 2}), ints({4, 4}), Value::Bool(false), Value::Float(0.001),
                 Value::Float(0.001)});
  EXPECT_EQ(Ok("aten::sum", {up}).Repr(), "tensor(16.)");
  Value near = Ok("aten::upsample_nearest2d",
                  {ones({1, 1, 2, 2}), ints({3, 3}), Value::Float(1e-30), Value::Float(1e-30)});
  EXPECT_EQ(Ok("aten::sum", {near}).Repr(), "tensor(9.)");
  // decimals = INT64_MIN negated as a float: 10^(2^63) is inf, and
  // PyTorch 1.13 gives NaN for it too.
  EXPECT_EQ(Ok("aten::round", {ones({2})}, {"decimals"},
               {Value::Int(std::numeric_limits<int64_t>::min())})
                .Repr(),
            "tensor([nan, nan])");
  // Pooling windows past ptser's bound.
  EXPECT_THAT(Call("aten::max_pool2d", {zeros({1, 1, 1, 1}), ints({1, int64_t{1} << 40}),
                                        ints({1, 1}), ints({0, int64_t{1} << 39})})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most")));
}


}  // namespace
}  // namespace jit
}  // namespace ptser
