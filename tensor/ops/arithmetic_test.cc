// Copyright ptser authors.
//
// tensor/ops/arithmetic_test.cc — add/sub/mul/div against PyTorch 1.13.
// Every expected value and message below was printed by real torch.

#include "tensor/ops/arithmetic.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/half.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsNan;
using testing_util::BoolBytes;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(AddTest, BroadcastsRowOverMatrix) {
  Tensor a = T_<float>({1, 2, 3, 4, 5, 6}, {{2, 3}});
  Tensor b = T_<float>({10, 20, 30});
  ASSERT_OK_AND_ASSIGN(Tensor c, Add(a, b));
  EXPECT_EQ(c.dtype(), ScalarType::kFloat);
  EXPECT_EQ(c.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(Values<float>(c), ElementsAre(11, 22, 33, 14, 25, 36));
}

TEST(AddTest, ABoolByteOfTwoIsTrue) {
  // b = torch.frombuffer(bytearray([2, 0, 1]), dtype=torch.bool)
  // b + b -> tensor([True, False, True]); b + torch.tensor([1, 1, 1]) ->
  // tensor([2, 1, 2]).
  const Tensor b = BoolBytes({2, 0, 1});
  ASSERT_OK_AND_ASSIGN(Tensor bb, Add(b, b));
  EXPECT_EQ(bb.dtype(), ScalarType::kBool);
  const uint8_t* stored = static_cast<const uint8_t*>(bb.data());
  EXPECT_THAT(std::vector<uint8_t>(stored, stored + 3), ElementsAre(1, 0, 1));
  EXPECT_THAT(Values<int64_t>(Add(b, T_<int64_t>({1, 1, 1}))), ElementsAre(2, 1, 2));
}

TEST(AddTest, BroadcastMismatchIsPyTorchsMessage) {
  Tensor a = T_<float>({1, 2, 3, 4, 5, 6}, {{2, 3}});
  Tensor b = T_<float>({1, 2, 3, 4});
  EXPECT_THAT(Add(a, b),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "The size of tensor a (3) must match the size of "
                       "tensor b (4) at non-singleton dimension 1"));
}

TEST(AddTest, AlphaAndPromotion) {
  Tensor f = T_<float>({1, 2, 3});
  Tensor i = T_<int64_t>({1, 2, 3});
  // torch.add(f, i, alpha=2) -> tensor([3., 6., 9.])
  ASSERT_OK_AND_ASSIGN(Tensor r, Add(f, i, 2));
  EXPECT_EQ(r.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(r), ElementsAre(3, 6, 9));
  // torch.sub(i, f, alpha=0.5) -> tensor([0.5000, 1.0000, 1.5000])
  ASSERT_OK_AND_ASSIGN(Tensor s, Sub(i, f, 0.5));
  EXPECT_EQ(s.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(s), ElementsAre(0.5, 1.0, 1.5));
}

TEST(AddTest, FloatAlphaIsOneFusedMultiplyAdd) {
  // torch.add(x, y, alpha=0.1) for float32 x, y (values where a separate
  // multiply and add would round differently).
  Tensor x = T_<float>(
      {0.03159274160861969f, -0.3951575458049774f, -0.14067143201828003f});
  Tensor y = T_<float>(
      {-0.6382661461830139f, -1.0407603979110718f, 1.506415605545044f});
  ASSERT_OK_AND_ASSIGN(Tensor r, Add(x, y, 0.1));
  EXPECT_THAT(Values<float>(r),
              ElementsAre(-0.03223387524485588f, -0.49923357367515564f,
                          0.009970130398869514f));
}

TEST(AddTest, WrappedNumbersKeepTheTensorsDtype) {
  Tensor i32 = T_<int32_t>({1, 2});
  ASSERT_OK_AND_ASSIGN(Tensor a, Add(i32, 5));
  EXPECT_EQ(a.dtype(), ScalarType::kInt);
  EXPECT_THAT(Values<int32_t>(a), ElementsAre(6, 7));

  ASSERT_OK_AND_ASSIGN(Tensor b, Add(i32, 1.5));
  EXPECT_EQ(b.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(b), ElementsAre(2.5, 3.5));

  // A 0-dim float64 tensor does not widen a float32 tensor...
  Tensor f = T_<float>({1});
  ASSERT_OK_AND_ASSIGN(Tensor c, Add(f, Scalar0<double>(0.1)));
  EXPECT_EQ(c.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<double>(c), ElementsAre(1.100000023841858));
  // ...but it does make an int64 tensor float64.
  Tensor i = T_<int64_t>({1, 2});
  ASSERT_OK_AND_ASSIGN(Tensor d, Add(i, Scalar0<double>(0.5)));
  EXPECT_EQ(d.dtype(), ScalarType::kDouble);

  // float16 + 1 -> tensor([2.5000], dtype=torch.float16)
  Tensor h = T_<Half>({Half(1.5f)});
  ASSERT_OK_AND_ASSIGN(Tensor e, Add(h, 1));
  EXPECT_EQ(e.dtype(), ScalarType::kHalf);
  EXPECT_THAT(Values<float>(e), ElementsAre(2.5f));
}

TEST(AddTest, HalfAlphaRoundsOnce) {
  // torch.add(f16 [1.], f16 [1.], alpha=0.1).item() == 1.099609375
  Tensor h = T_<Half>({Half(1.0f)});
  ASSERT_OK_AND_ASSIGN(Tensor r, Add(h, h, 0.1));
  EXPECT_THAT(Values<double>(r), ElementsAre(1.099609375));
}

TEST(AddTest, IntegersWrapAround) {
  Tensor u8 = T_<uint8_t>({1, 2});
  ASSERT_OK_AND_ASSIGN(Tensor a, Add(u8, -1));
  EXPECT_EQ(a.dtype(), ScalarType::kByte);
  EXPECT_THAT(Values<int64_t>(a), ElementsAre(0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor b, Add(u8, 300));
  EXPECT_THAT(Values<int64_t>(b), ElementsAre(45, 46));

  Tensor i8 = T_<int8_t>({100});
  ASSERT_OK_AND_ASSIGN(Tensor c, Mul(i8, T_<int8_t>({3})));
  EXPECT_THAT(Values<int64_t>(c), ElementsAre(44));

  ASSERT_OK_AND_ASSIGN(Tensor d, Mul(T_<int64_t>({int64_t{1} << 62}), 4));
  EXPECT_THAT(Values<int64_t>(d), ElementsAre(0));
}

TEST(AddTest, BoolArithmetic) {
  Tensor b = T_<bool>({true, false, true});
  ASSERT_OK_AND_ASSIGN(Tensor sum, Add(b, b));
  EXPECT_EQ(sum.dtype(), ScalarType::kBool);
  EXPECT_THAT(Values<bool>(sum), ElementsAre(true, false, true));
  ASSERT_OK_AND_ASSIGN(Tensor prod, Mul(b, T_<bool>({true, true, false})));
  EXPECT_THAT(Values<bool>(prod), ElementsAre(true, false, false));
  // torch.add(b, b, alpha=2) / alpha=True are fine for bool results.
  EXPECT_OK(Add(b, b, 2));
  EXPECT_OK(Add(b, b, true));
  // bool + int scalar promotes to int64.
  ASSERT_OK_AND_ASSIGN(Tensor i, Add(b, 1));
  EXPECT_EQ(i.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(2, 1, 2));
}

TEST(AddTest, AlphaChecks) {
  Tensor i = T_<int64_t>({1, 2, 3});
  Tensor f = T_<float>({1, 2, 3});
  EXPECT_THAT(Add(i, i, 1.5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "For integral input tensors, argument alpha must not "
                       "be a floating point number."));
  EXPECT_THAT(Add(f, f, true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Boolean alpha only supported for Boolean results."));
  EXPECT_THAT(Add(f, 1, std::complex<double>(0, 1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "For non-complex input tensors, argument alpha must "
                       "not be a complex number."));
}

TEST(SubTest, BoolOperandsAreErrors) {
  Tensor b = T_<bool>({true, false});
  Tensor i = T_<int64_t>({1, 2});
  Tensor f = T_<float>({1, 2});
  const char kTwo[] =
      "Subtraction, the `-` operator, with two bool tensors is not "
      "supported. Use the `^` or `logical_xor()` operator instead.";
  const char kOne[] =
      "Subtraction, the `-` operator, with a bool tensor is not supported. "
      "If you are trying to invert a mask, use the `~` or `logical_not()` "
      "operator instead.";
  EXPECT_THAT(Sub(b, b), StatusIs(absl::StatusCode::kInvalidArgument, kTwo));
  EXPECT_THAT(Sub(b, true), StatusIs(absl::StatusCode::kInvalidArgument, kTwo));
  EXPECT_THAT(Sub(b, i), StatusIs(absl::StatusCode::kInvalidArgument, kOne));
  EXPECT_THAT(Sub(i, b), StatusIs(absl::StatusCode::kInvalidArgument, kOne));
  EXPECT_THAT(Sub(b, 1), StatusIs(absl::StatusCode::kInvalidArgument, kOne));
  EXPECT_THAT(Sub(f, true), StatusIs(absl::StatusCode::kInvalidArgument, kOne));
}

TEST(SubTest, ScalarMinusTensor) {
  ASSERT_OK_AND_ASSIGN(Tensor r, Sub(Scalar(10), T_<int64_t>({1, 2, 3})));
  EXPECT_EQ(r.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(r), ElementsAre(9, 8, 7));
  ASSERT_OK_AND_ASSIGN(Tensor s, Sub(T_<float>({1, 2}), 0.5, 2));
  EXPECT_THAT(Values<float>(s), ElementsAre(0, 1));
}

TEST(DivTest, TrueDivisionOfIntegersIsFloat32) {
  Tensor a = T_<int64_t>({1, 2, 3});
  ASSERT_OK_AND_ASSIGN(Tensor r, Div(a, T_<int64_t>({2, 2, 2})));
  EXPECT_EQ(r.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(r), ElementsAre(0.5, 1.0, 1.5));
  // Integer / 0 is inf, not an error, without a rounding mode.
  ASSERT_OK_AND_ASSIGN(Tensor z, Div(a, 0));
  EXPECT_THAT(Values<double>(z), ElementsAre(kInf, kInf, kInf));
  // bool / bool -> tensor([1., nan, 1.])
  Tensor b = T_<bool>({true, false, true});
  ASSERT_OK_AND_ASSIGN(Tensor bb, Div(b, b));
  EXPECT_EQ(bb.dtype(), ScalarType::kFloat);
  std::vector<float> v = Values<float>(bb);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], 1);
  EXPECT_THAT(v[1], IsNan());
  EXPECT_EQ(v[2], 1);
}

TEST(DivTest, FloatDivisionByZero) {
  Tensor f = T_<float>({1, -1, 0});
  for (RoundingMode mode :
       {RoundingMode::kNone, RoundingMode::kTrunc, RoundingMode::kFloor}) {
    ASSERT_OK_AND_ASSIGN(Tensor r, Div(f, 0, mode));
    std::vector<float> v = Values<float>(r);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0], kInf);
    EXPECT_EQ(v[1], -kInf);
    EXPECT_THAT(v[2], IsNan());
  }
}

TEST(DivTest, RoundingModes) {
  Tensor a = T_<int64_t>({-7, 7, -7, 7});
  Tensor b = T_<int64_t>({2, 2, -2, -2});
  ASSERT_OK_AND_ASSIGN(Tensor t, Div(a, b, RoundingMode::kTrunc));
  EXPECT_EQ(t.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(t), ElementsAre(-3, 3, 3, -3));
  ASSERT_OK_AND_ASSIGN(Tensor f, Div(a, b, RoundingMode::kFloor));
  EXPECT_THAT(Values<int64_t>(f), ElementsAre(-4, 3, 3, -4));

  Tensor fa = T_<float>({-7, 7, -7, 7, -0.5});
  Tensor fb = T_<float>({2, 2, -2, -2, 3});
  ASSERT_OK_AND_ASSIGN(Tensor ft, Div(fa, fb, RoundingMode::kTrunc));
  std::vector<float> tv = Values<float>(ft);
  EXPECT_THAT(tv, ElementsAre(-3, 3, 3, -3, 0));
  EXPECT_TRUE(std::signbit(tv[4]));  // tensor([-3., 3., 3., -3., -0.])
  ASSERT_OK_AND_ASSIGN(Tensor ff, Div(fa, fb, RoundingMode::kFloor));
  EXPECT_THAT(Values<float>(ff), ElementsAre(-4, 3, 3, -4, -1));

  // Python's float floor division: 7.0 // 0.1 == 69.0.
  Tensor da = T_<double>({5.5, -5.5, 1e300, 7.0});
  Tensor db = T_<double>({2, 2, 1e-300, 0.1});
  ASSERT_OK_AND_ASSIGN(Tensor df, Div(da, db, RoundingMode::kFloor));
  EXPECT_THAT(Values<double>(df), ElementsAre(2, -3, kInf, 69));
}

TEST(DivTest, IntegerDivisionByZeroIsAnError) {
  Tensor a = T_<int64_t>({1, 2, 3});
  EXPECT_THAT(
      Div(a, T_<int64_t>({1, 0, 1}), RoundingMode::kTrunc),
      StatusIs(absl::StatusCode::kInvalidArgument, "ZeroDivisionError"));
  EXPECT_THAT(
      Div(a, 0, RoundingMode::kFloor),
      StatusIs(absl::StatusCode::kInvalidArgument, "ZeroDivisionError"));
  // In place: the error leaves self untouched.
  EXPECT_THAT(
      DivInplace(a, 0, RoundingMode::kTrunc),
      StatusIs(absl::StatusCode::kInvalidArgument, "ZeroDivisionError"));
  EXPECT_THAT(Values<int64_t>(a), ElementsAre(1, 2, 3));
}

TEST(DivTest, MinIntDividedByMinusOneWraps) {
  // PyTorch crashes (SIGFPE); ptser wraps like the multiplication would.
  Tensor a = T_<int64_t>({std::numeric_limits<int64_t>::min()});
  ASSERT_OK_AND_ASSIGN(Tensor r, Div(a, -1, RoundingMode::kFloor));
  EXPECT_THAT(Values<int64_t>(r),
              ElementsAre(std::numeric_limits<int64_t>::min()));
}

TEST(DivTest, BoolWithRoundingIsUnimplemented) {
  Tensor b = T_<bool>({true, true});
  EXPECT_THAT(Div(b, b, RoundingMode::kTrunc),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"div_trunc_cpu\" not implemented for 'Bool'"));
  EXPECT_THAT(Div(b, b, RoundingMode::kFloor),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"div_floor_cpu\" not implemented for 'Bool'"));
}

TEST(DivTest, ParseRoundingMode) {
  ASSERT_OK_AND_ASSIGN(RoundingMode none, ParseRoundingMode(""));
  EXPECT_EQ(none, RoundingMode::kNone);
  ASSERT_OK_AND_ASSIGN(RoundingMode t, ParseRoundingMode("trunc"));
  EXPECT_EQ(t, RoundingMode::kTrunc);
  ASSERT_OK_AND_ASSIGN(RoundingMode f, ParseRoundingMode("floor"));
  EXPECT_EQ(f, RoundingMode::kFloor);
  EXPECT_THAT(ParseRoundingMode("xyz"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "div expected rounding_mode to be one of None, "
                       "'trunc', or 'floor' but found 'xyz'"));
}

TEST(ComplexTest, MulAndDiv) {
  using C = std::complex<float>;
  Tensor a = T_<C>({C(1, 2)});
  Tensor b = T_<C>({C(3, -1)});
  ASSERT_OK_AND_ASSIGN(Tensor p, Mul(a, b));
  EXPECT_EQ(p.dtype(), ScalarType::kComplexFloat);
  EXPECT_THAT(Values<C>(p), ElementsAre(C(5, 5)));
  ASSERT_OK_AND_ASSIGN(Tensor q, Div(p, b));
  EXPECT_THAT(Values<C>(q), ElementsAre(C(1, 2)));
  // float tensor + complex Python number -> complex64
  ASSERT_OK_AND_ASSIGN(Tensor r,
                       Add(T_<float>({1}), std::complex<double>(0, 1)));
  EXPECT_EQ(r.dtype(), ScalarType::kComplexFloat);
  EXPECT_THAT(Values<C>(r), ElementsAre(C(1, 1)));
}

TEST(ComplexTest, MatchesPyTorchsVectorisedKernelBitForBit) {
  using C = std::complex<float>;
  // torch.manual_seed(3); x, y = torch.randn(8, dtype=torch.complex64) x 2
  Tensor x = T_<C>({C(-0.054195698350667953, 0.2544746696949005),
                    C(-0.5529693961143494, 0.05057774484157562),
                    C(0.4701124429702759, -0.20278428494930267),
                    C(1.145902395248413, -1.1290431022644043),
                    C(-0.03654395788908005, -0.2163574993610382),
                    C(0.17571726441383362, -0.1573742777109146),
                    C(0.6456959247589111, 0.14449098706245422),
                    C(0.40586844086647034, 0.2943906784057617)});
  Tensor y = T_<C>({C(0.18490923941135406, 0.6584044098854065),
                    C(-0.36377954483032227, -1.1679037809371948),
                    C(0.739649772644043, 0.36924195289611816),
                    C(-0.1179518848657608, 0.037500277161598206),
                    C(0.3986406624317169, 1.5956268310546875),
                    C(1.3217664957046509, -0.8451582789421082),
                    C(0.7056376934051514, 0.3246895968914032),
                    C(1.7227928638458252, -0.10380905866622925)});
  ASSERT_OK_AND_ASSIGN(Tensor q, Div(x, y));
  EXPECT_THAT(Values<C>(q),
              ElementsAre(C(0.3368186354637146, 0.17690733075141907),
                          C(0.09495803713798523, -0.4438941478729248),
                          C(0.3992297053337097, -0.4734628200531006),
                          C(-11.587030410766602, 5.888216972351074),
                          C(-0.13301360607147217, -0.010328652337193489),
                          C(0.14839905500411987, -0.02417491190135479),
                          C(0.8329225778579712, -0.1784914880990982),
                          C(0.22447587549686432, 0.18440596759319305)));
  ASSERT_OK_AND_ASSIGN(Tensor p, Mul(x, y));
  EXPECT_THAT(Values<C>(p),
              ElementsAre(C(-0.17756852507591248, 0.011372033506631851),
                          C(0.2602289021015167, 0.6274158954620361),
                          C(0.4225950241088867, 0.023595884442329407),
                          C(-0.09282191097736359, 0.17614442110061646),
                          C(0.3306579291820526, -0.14455941319465637),
                          C(0.09925101697444916, -0.35652095079421997),
                          C(0.4087126553058624, 0.31160902976989746),
                          C(0.7297877073287964, 0.46504130959510803)));
}

// ----------------------------------------------------------- in place ---

TEST(InplaceTest, WritesThroughAViewIntoItsBase) {
  // The serialization note's example:
  //   numbers = torch.arange(1, 10); evens = numbers[1::2]; evens *= 2
  ASSERT_OK_AND_ASSIGN(Tensor numbers, Arange(1, 10));
  ASSERT_OK_AND_ASSIGN(Tensor evens, Slice(numbers, 0, 1, std::nullopt, 2));
  ASSERT_OK(MulInplace(evens, 2));
  EXPECT_THAT(Values<int64_t>(numbers),
              ElementsAre(1, 4, 3, 8, 5, 12, 7, 16, 9));
  EXPECT_THAT(Values<int64_t>(evens), ElementsAre(4, 8, 12, 16));
  EXPECT_TRUE(evens.storage().IsSameAs(numbers.storage()));
}

TEST(InplaceTest, AddSubDivInPlace) {
  Tensor a = T_<float>({1, 2, 3, 4}, {{2, 2}});
  ASSERT_OK(AddInplace(a, T_<float>({10, 20}), 2));
  EXPECT_THAT(Values<float>(a), ElementsAre(21, 42, 23, 44));
  ASSERT_OK(SubInplace(a, 1));
  EXPECT_THAT(Values<float>(a), ElementsAre(20, 41, 22, 43));
  ASSERT_OK(DivInplace(a, 2));
  EXPECT_THAT(Values<float>(a), ElementsAre(10, 20.5, 11, 21.5));
  ASSERT_OK(DivInplace(a, 2, RoundingMode::kFloor));
  EXPECT_THAT(Values<float>(a), ElementsAre(5, 10, 5, 10));
  // An int tensor divided in place with a rounding mode stays int.
  Tensor i = T_<int64_t>({7, -7});
  ASSERT_OK(DivInplace(i, 2, RoundingMode::kFloor));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(3, -4));
}

TEST(InplaceTest, ComputesInTheCommonDtypeThenCasts) {
  // torch.tensor([1, 2], dtype=torch.int32).add_(torch.tensor([2**40, 1]))
  //   -> tensor([1, 3], dtype=torch.int32)
  Tensor a = T_<int32_t>({1, 2});
  ASSERT_OK(AddInplace(a, T_<int64_t>({int64_t{1} << 40, 1})));
  EXPECT_EQ(a.dtype(), ScalarType::kInt);
  EXPECT_THAT(Values<int32_t>(a), ElementsAre(1, 3));
  // bool += bool stays bool.
  Tensor b = T_<bool>({true, false, true});
  ASSERT_OK(AddInplace(b, b));
  EXPECT_THAT(Values<bool>(b), ElementsAre(true, false, true));
}

TEST(InplaceTest, ResultTypeMustBeCastable) {
  Tensor i = T_<int64_t>({1, 2, 3});
  const char kFloatToLong[] =
      "result type Float can't be cast to the desired output type Long";
  EXPECT_THAT(DivInplace(i, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, kFloatToLong));
  EXPECT_THAT(AddInplace(i, 1.5),
              StatusIs(absl::StatusCode::kInvalidArgument, kFloatToLong));
  EXPECT_THAT(AddInplace(i, T_<float>({1, 2, 3})),
              StatusIs(absl::StatusCode::kInvalidArgument, kFloatToLong));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(1, 2, 3));
  EXPECT_THAT(AddInplace(T_<bool>({true}), 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Long can't be cast to the desired output "
                       "type Bool"));
}

TEST(InplaceTest, ShapeAndOverlapChecks) {
  ASSERT_OK_AND_ASSIGN(Tensor ones3, Ones({3}));
  ASSERT_OK_AND_ASSIGN(Tensor ones23, Ones({2, 3}));
  EXPECT_THAT(AddInplace(ones3, ones23),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "output with shape [3] doesn't match the broadcast "
                       "shape [2, 3]"));

  ASSERT_OK_AND_ASSIGN(Tensor one, Ones({1}));
  ASSERT_OK_AND_ASSIGN(Tensor expanded, Expand(one, {3}));
  EXPECT_THAT(AddInplace(expanded, ones3),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than one element of the written-to "
                                 "tensor refers to a single memory location")));

  // a[1:] += a[:-1]: partial overlap.
  ASSERT_OK_AND_ASSIGN(Tensor a, Arange(5));
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(a, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor head, Slice(a, 0, 0, -1));
  EXPECT_THAT(AddInplace(tail, head),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("some elements of the input tensor and the "
                                 "written-to tensor refer to a single memory "
                                 "location")));
  // A square matrix and its transpose overlap exactly but differently.
  ASSERT_OK_AND_ASSIGN(Tensor sq, Arange(4));
  ASSERT_OK_AND_ASSIGN(sq, View(sq, {2, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor sqt, Transpose(sq, 0, 1));
  EXPECT_THAT(AddInplace(sq, sqt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("some elements of the input tensor")));

  // a += a is fine.
  ASSERT_OK(AddInplace(a, a));
  EXPECT_THAT(Values<int64_t>(a), ElementsAre(0, 2, 4, 6, 8));

  // Even and odd elements do not overlap (PyTorch cannot tell either).
  ASSERT_OK_AND_ASSIGN(Tensor f, Arange(6));
  ASSERT_OK_AND_ASSIGN(Tensor even, Slice(f, 0, 0, std::nullopt, 2));
  ASSERT_OK_AND_ASSIGN(Tensor odd, Slice(f, 0, 1, std::nullopt, 2));
  ASSERT_OK(AddInplace(even, odd));
  EXPECT_THAT(Values<int64_t>(f), ElementsAre(1, 1, 5, 3, 9, 5));
}

TEST(InplaceTest, ReadOnlyStorageIsRefused) {
  auto buffer = std::make_shared<std::vector<float>>(3, 1.0f);
  Storage storage = Storage::Borrow(buffer->data(), 12, buffer, Device::Cpu(),
                                    /*read_only=*/true);
  ASSERT_OK_AND_ASSIGN(Tensor t,
                       Tensor::Make(storage, ScalarType::kFloat, 0, {3}, {1}));
  EXPECT_THAT(AddInplace(t, 1), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("read-only")));
  // Reading it is fine.
  ASSERT_OK_AND_ASSIGN(Tensor r, Add(t, 1));
  EXPECT_THAT(Values<float>(r), ElementsAre(2, 2, 2));
}

TEST(DtypeTest, UnsupportedDtypesAreErrorsNotCrashes) {
  ASSERT_OK_AND_ASSIGN(Tensor q, Zeros({2}, ScalarType::kQInt8));
  EXPECT_THAT(Add(q, q), StatusIs(absl::StatusCode::kUnimplemented,
                                  "\"add\" not implemented for 'QInt8'"));
  EXPECT_THAT(Add(q, T_<float>({1, 2})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("promoteTypes with quantized numbers")));
  ASSERT_OK_AND_ASSIGN(Tensor u16, Zeros({2}, ScalarType::kUInt16));
  EXPECT_THAT(Mul(u16, u16), StatusIs(absl::StatusCode::kUnimplemented,
                                      "\"mul\" not implemented for 'UInt16'"));
  EXPECT_THAT(Mul(u16, T_<int64_t>({1, 2})),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(DtypeTest, EmptyAndZeroDimTensors) {
  ASSERT_OK_AND_ASSIGN(Tensor e, Zeros({0, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor r, Add(e, T_<float>({1, 2, 3})));
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{0, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor s, Mul(Scalar0<int64_t>(6), Scalar0<int64_t>(7)));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_THAT(Values<int64_t>(s), ElementsAre(42));
}

}  // namespace
}  // namespace ptser
