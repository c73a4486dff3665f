// Copyright ptser authors.
//
// tensor/ops/unary_test.cc — elementwise math against PyTorch 1.13.

#include "tensor/ops/unary.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using testing_util::BoolBytes;
using testing_util::T_;
using testing_util::Values;

// Equal within `rel` (relative, or absolute near zero); NaN matches NaN,
// infinities must match exactly.
void ExpectClose(const std::vector<double>& got, const std::vector<double>& want,
                 const std::string& what, double rel = 2e-6) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << "[" << i << "] = " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << what << "[" << i << "]";
    } else {
      EXPECT_NEAR(got[i], want[i], rel * std::max(1.0, std::fabs(want[i])))
          << what << "[" << i << "]";
    }
  }
}

struct Case {
  const char* name;
  absl::StatusOr<Tensor> (*op)(const Tensor&);
  std::vector<double> want;
};

TEST(UnaryTest, Float32AgainstPyTorch) {
  // x = torch.tensor([-2.5, -0.5, 0.0, 0.3, 1.0, 3.7]); getattr(torch, name)(x)
  const Case cases[] = {
      {"exp", Exp, {0.0820849985, 0.606530666, 1, 1.34985876, 2.71828175, 40.4473076}},
      {"exp2", Exp2, {0.176776692, 0.707106769, 1, 1.23114443, 2, 12.9960384}},
      {"expm1", Expm1, {-0.917914987, -0.393469334, 0, 0.34985882, 1.71828187, 39.4473076}},
      {"log", Log, {NAN, NAN, -INFINITY, -1.20397282, 0, 1.3083328}},
      {"log2", Log2, {NAN, NAN, -INFINITY, -1.73696554, 0, 1.88752532}},
      {"log10", Log10, {NAN, NAN, -INFINITY, -0.522878706, 0, 0.568201721}},
      {"log1p", Log1p, {NAN, -0.693147182, 0, 0.262364268, 0.693147182, 1.54756248}},
      {"sqrt", Sqrt, {NAN, NAN, 0, 0.547722578, 1, 1.92353845}},
      {"rsqrt", Rsqrt, {NAN, NAN, INFINITY, 1.82574177, 1, 0.519875228}},
      {"sin", Sin, {-0.598472118, -0.47942555, 0, 0.295520216, 0.841470957, -0.529836178}},
      {"cos", Cos, {-0.801143587, 0.87758255, 1, 0.955336511, 0.540302336, -0.848100007}},
      {"tan", Tan, {0.747022331, -0.546302497, 0, 0.309336275, 1.55740774, 0.62473315}},
      {"asin", Asin, {NAN, -0.52359879, 0, 0.304692656, 1.57079637, NAN}},
      {"acos", Acos, {NAN, 2.09439516, 1.57079637, 1.26610363, 0, NAN}},
      {"atan", Atan, {-1.19028997, -0.463647604, 0, 0.291456819, 0.785398126, 1.30683255}},
      {"sinh", Sinh, {-6.05020475, -0.521095276, 0, 0.304520309, 1.17520118, 20.2112923}},
      {"cosh", Cosh, {6.13228941, 1.12762594, 1, 1.04533851, 1.54308057, 20.2360153}},
      {"erf", Erf, {-0.999593019, -0.520499885, 0, 0.328626782, 0.842700779, 0.999999821}},
      {"erfc", Erfc, {1.99959302, 1.52049994, 1, 0.671373248, 0.157299206, 1.67151001e-07}},
      {"reciprocal", Reciprocal, {-0.400000006, -2, INFINITY, 3.33333325, 1, 0.270270258}},
      {"floor", Floor, {-3, -1, 0, 0, 1, 3}},
      {"ceil", Ceil, {-2, -0, 0, 1, 1, 4}},
      {"trunc", Trunc, {-2, -0, 0, 0, 1, 3}},
      {"round", Round, {-2, -0, 0, 0, 1, 4}},
      {"frac", Frac, {-0.5, -0.5, 0, 0.300000012, 0, 0.700000048}},
      {"abs", Abs, {2.5, 0.5, 0, 0.300000012, 1, 3.70000005}},
      {"sign", Sign, {-1, -1, 0, 1, 1, 1}},
      {"square", Square, {6.25, 0.25, 0, 0.0900000036, 1, 13.6900005}},
  };
  const Tensor x = T_<float>({-2.5f, -0.5f, 0.0f, 0.3f, 1.0f, 3.7f});
  for (const Case& c : cases) {
    absl::StatusOr<Tensor> r = c.op(x);
    ASSERT_OK(r.status()) << c.name;
    EXPECT_EQ(r->dtype(), ScalarType::kFloat) << c.name;
    ExpectClose(Values<double>(*r), c.want, c.name);
  }
}

TEST(UnaryTest, Float64KeepsDtype) {
  // torch.exp(torch.tensor([1., 2.], dtype=torch.float64))
  ASSERT_OK_AND_ASSIGN(Tensor r, Exp(T_<double>({1, 2})));
  EXPECT_EQ(r.dtype(), ScalarType::kDouble);
  EXPECT_THAT(Values<double>(r), ElementsAre(std::exp(1.0), std::exp(2.0)));
}

TEST(UnaryTest, IntegersPromoteToFloat32) {
  // torch.sqrt(torch.tensor([4, 9])) -> tensor([2., 3.]);
  // torch.reciprocal(torch.tensor([0, 2])) -> tensor([inf, 0.5000])
  ASSERT_OK_AND_ASSIGN(Tensor s, Sqrt(T_<int64_t>({4, 9})));
  EXPECT_EQ(s.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(s), ElementsAre(2, 3));
  ASSERT_OK_AND_ASSIGN(Tensor r, Reciprocal(T_<int32_t>({0, 2})));
  EXPECT_THAT(Values<float>(r), ElementsAre(std::numeric_limits<float>::infinity(), 0.5f));
  ASSERT_OK_AND_ASSIGN(Tensor b, Exp(T_<bool>({true, false})));
  EXPECT_EQ(b.dtype(), ScalarType::kFloat);
}

TEST(UnaryTest, InplaceIntegerToFloatIsRefused) {
  // torch.tensor([1, 2]).exp_()
  Tensor t = T_<int64_t>({1, 2});
  EXPECT_THAT(ExpInplace(t), StatusIs(absl::StatusCode::kInvalidArgument,
                                      "result type Float can't be cast to the desired output "
                                      "type Long"));
  EXPECT_THAT(Values<int64_t>(t), ElementsAre(1, 2));
}

TEST(UnaryTest, InplaceWritesThroughAView) {
  Tensor base = T_<float>({4, 9, 16, 25});
  ASSERT_OK_AND_ASSIGN(Tensor odd, Slice(base, 0, 1, std::nullopt, 2));
  ASSERT_OK(SqrtInplace(odd));
  EXPECT_THAT(Values<float>(base), ElementsAre(4, 3, 16, 5));
}

TEST(UnaryTest, StridedInput) {
  // torch.tensor([[1., 4.], [9., 16.]]).t().sqrt() -> [[1, 3], [2, 4]]
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(T_<float>({1, 4, 9, 16}, {{2, 2}}), 0, 1));
  EXPECT_THAT(Values<float>(Sqrt(t)), ElementsAre(1, 3, 2, 4));
}

TEST(UnaryTest, ExpandedTargetIsRefused) {
  ASSERT_OK_AND_ASSIGN(Tensor e, Expand(T_<float>({4}), {3}));
  EXPECT_THAT(SqrtInplace(e),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unsupported operation: more than one element of the written-to tensor "
                       "refers to a single memory location. Please clone() the tensor before "
                       "performing the operation."));
  EXPECT_THAT(Values<float>(Sqrt(e)), ElementsAre(2, 2, 2));
}

TEST(UnaryTest, Rounding) {
  // torch.round rounds half to even; integers come back unchanged.
  ASSERT_OK_AND_ASSIGN(Tensor r, Round(T_<float>({0.5f, 1.5f, 2.5f, -0.5f, -3.7f})));
  EXPECT_THAT(Values<float>(r), ElementsAre(0, 2, 2, -0.0f, -4));
  EXPECT_TRUE(std::signbit(Values<float>(r)[3]));
  ASSERT_OK_AND_ASSIGN(Tensor i, Floor(T_<int32_t>({-3, 5})));
  EXPECT_EQ(i.dtype(), ScalarType::kInt);
  EXPECT_THAT(Values<int32_t>(i), ElementsAre(-3, 5));
  EXPECT_THAT(Floor(T_<bool>({true})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"floor_vml_cpu\" not implemented for 'Bool'"));
  EXPECT_THAT(Frac(T_<int64_t>({1})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"frac_cpu\" not implemented for 'Long'"));
  // torch.round(torch.tensor([1.2345, -15.55, 1250.0]), decimals=2)
  //   -> [1.2300e+00, -1.5550e+01, 1.2500e+03]
  // torch.round(torch.tensor([1250.0, 1350.0]), decimals=-2) -> [1200., 1400.]
  ASSERT_OK_AND_ASSIGN(Tensor d, Round(T_<float>({1.2345f, -15.55f, 1250.0f}), 2));
  ExpectClose(Values<double>(d), {1.23, -15.55, 1250}, "round(decimals=2)");
  EXPECT_THAT(Values<float>(Round(T_<float>({1250, 1350}), -2)), ElementsAre(1200, 1400));
  EXPECT_THAT(Round(T_<int64_t>({15}), -1),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"round_cpu\" not implemented for 'Long'"));
}

TEST(UnaryTest, SameDtypeOps) {
  // torch.abs(torch.tensor([-128, 5], dtype=torch.int8)) -> [-128, 5]
  ASSERT_OK_AND_ASSIGN(Tensor a, Abs(T_<int8_t>({-128, 5})));
  EXPECT_EQ(a.dtype(), ScalarType::kChar);
  EXPECT_THAT(Values<int>(a), ElementsAre(-128, 5));
  EXPECT_THAT(Abs(T_<bool>({true})), StatusIs(absl::StatusCode::kUnimplemented,
                                              "\"abs_cpu\" not implemented for 'Bool'"));
  // torch.sign(torch.tensor([nan, -0.0, 2.5, -2.5])) -> [0., 0., 1., -1.]
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THAT(Values<float>(Sign(T_<float>({nan, -0.0f, 2.5f, -2.5f}))),
              ElementsAre(0, 0, 1, -1));
  EXPECT_THAT(Values<int>(Sign(T_<uint8_t>({0, 3}))), ElementsAre(0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor sb, Sign(T_<bool>({true, false})));
  EXPECT_EQ(sb.dtype(), ScalarType::kBool);
  // torch.square(torch.tensor([True])) -> tensor([1]) (int64)
  ASSERT_OK_AND_ASSIGN(Tensor sq, Square(T_<bool>({true})));
  EXPECT_EQ(sq.dtype(), ScalarType::kLong);
  EXPECT_THAT(SquareInplace(T_<bool>({true})),
              StatusIs(absl::StatusCode::kInvalidArgument, "Found dtype Bool but expected Long"));
  // bitwise_not: ~x for integers, not for bool, refused for floats.
  EXPECT_THAT(Values<int64_t>(BitwiseNot(T_<int64_t>({0, 5, -1}))), ElementsAre(-1, -6, 0));
  EXPECT_THAT(Values<bool>(BitwiseNot(T_<bool>({true, false}))), ElementsAre(false, true));
  EXPECT_THAT(BitwiseNot(T_<float>({1})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"bitwise_not_cpu\" not implemented for 'Float'"));
}

TEST(UnaryTest, LogicalNotAndPredicates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ASSERT_OK_AND_ASSIGN(Tensor n, LogicalNot(T_<float>({0, 2, nan})));
  EXPECT_EQ(n.dtype(), ScalarType::kBool);
  EXPECT_THAT(Values<bool>(n), ElementsAre(true, false, false));
  // torch.tensor([1, 0]).logical_not_() -> tensor([0, 1])
  Tensor i = T_<int64_t>({1, 0});
  ASSERT_OK(LogicalNotInplace(i));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(0, 1));
  const Tensor x = T_<float>({nan, inf, -inf, -0.0f, 1});
  EXPECT_THAT(Values<bool>(IsNan(x)), ElementsAre(true, false, false, false, false));
  EXPECT_THAT(Values<bool>(IsInf(x)), ElementsAre(false, true, true, false, false));
  EXPECT_THAT(Values<bool>(IsFinite(x)), ElementsAre(false, false, false, true, true));
  EXPECT_THAT(Values<bool>(Signbit(x)), ElementsAre(false, false, true, true, false));
  EXPECT_THAT(Values<bool>(IsFinite(T_<int64_t>({1}))), ElementsAre(true));
}

TEST(UnaryTest, ABoolByteOfTwoIsTrue) {
  // x = bytearray(20); x[0] = x[17] = 2
  // torch.logical_not(torch.frombuffer(x, dtype=torch.bool)): False at 0 and
  // 17, True elsewhere; [::2] of it: False at 0, True elsewhere.  Twenty
  // elements: a dense block of 16 and a tail, then a strided row.
  std::vector<uint8_t> bytes(20, 0);
  bytes[0] = bytes[17] = 2;
  const Tensor b = BoolBytes(bytes);
  std::vector<bool> expected(20, true);
  expected[0] = expected[17] = false;
  EXPECT_EQ(Values<bool>(LogicalNot(b)), expected);
  ASSERT_OK_AND_ASSIGN(Tensor even, Slice(b, 0, 0, std::nullopt, 2));
  std::vector<bool> expected_even(10, true);
  expected_even[0] = false;
  EXPECT_EQ(Values<bool>(LogicalNot(even)), expected_even);
}

TEST(UnaryTest, NanToNum) {
  // torch.nan_to_num(torch.tensor([nan, inf, -inf, 1.5]))
  //   -> [0.0000e+00, 3.4028e+38, -3.4028e+38, 1.5]
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_THAT(Values<float>(NanToNum(T_<float>({nan, inf, -inf, 1.5f}))),
              ElementsAre(0, std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::lowest(), 1.5f));
  Tensor t = T_<double>({nan, inf, -inf});
  ASSERT_OK(NanToNumInplace(t, 1.0, 2.0, -2.0));
  EXPECT_THAT(Values<double>(t), ElementsAre(1, 2, -2));
  EXPECT_THAT(Values<int64_t>(NanToNum(T_<int64_t>({1, 2}))), ElementsAre(1, 2));
}

}  // namespace
}  // namespace ptser
