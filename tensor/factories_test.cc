// Copyright ptser authors.
//
// Expected values were checked against PyTorch 1.13.

#include "tensor/factories.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/cast.h"
#include "tensor/half.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(FactoriesTest, EmptyAndZeros) {
  ASSERT_OK_AND_ASSIGN(Tensor e, Empty({2, 3}));
  EXPECT_EQ(e.dtype(), ScalarType::kFloat);
  EXPECT_THAT(e.sizes(), ElementsAre(2, 3));
  EXPECT_THAT(e.strides(), ElementsAre(3, 1));
  EXPECT_EQ(e.storage().nbytes(), 24u);
  EXPECT_EQ(e.storage_offset(), 0);
  EXPECT_FALSE(e.requires_grad());
  ASSERT_OK_AND_ASSIGN(Tensor z, Zeros({4}, ScalarType::kComplexDouble));
  EXPECT_EQ(z.storage().nbytes(), 64u);
  EXPECT_THAT(*ToVector<double>(z), ElementsAre(0, 0, 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Zeros({}, ScalarType::kLong));
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.numel(), 1);
  ASSERT_OK_AND_ASSIGN(Tensor q, Empty({3}, ScalarType::kQUInt4x2));
  EXPECT_EQ(q.storage().nbytes(), 3u);
}

TEST(FactoriesTest, SizeErrors) {
  EXPECT_THAT(Empty({-1, 2}),
              StatusIs(kInvalid, "Trying to create tensor with negative "
                                 "dimension -1: [-1, 2]"));
  EXPECT_THAT(Empty({int64_t{1} << 62, 4}),
              StatusIs(kInvalid, "Storage size calculation overflowed with "
                                 "sizes=[4611686018427387904, 4]"));
  // The element count fits but the byte count does not.
  EXPECT_THAT(Zeros({int64_t{1} << 61}, ScalarType::kDouble),
              StatusIs(kInvalid, HasSubstr("overflowed")));
  EXPECT_THAT(Empty({int64_t{1} << 40, int64_t{1} << 40, 0}),
              StatusIs(kInvalid, HasSubstr("overflowed")));
  // Representable but far too large to allocate.
  EXPECT_THAT(Empty({int64_t{1} << 50}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(Full({-3}, 1), StatusIs(kInvalid, HasSubstr("negative")));
}

TEST(FactoriesTest, OnesAndFull) {
  ASSERT_OK_AND_ASSIGN(Tensor o, Ones({2, 2}, ScalarType::kHalf));
  EXPECT_THAT(*ToVector<float>(o), ElementsAre(1, 1, 1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor f, Full({5}, -7, ScalarType::kChar));
  EXPECT_THAT(*ToVector<int64_t>(f), ElementsAre(-7, -7, -7, -7, -7));
  ASSERT_OK_AND_ASSIGN(Tensor t, Full({3}, 3.7, ScalarType::kLong));
  EXPECT_THAT(*ToVector<int64_t>(t), ElementsAre(3, 3, 3));
  ASSERT_OK_AND_ASSIGN(Tensor u, Full({2}, -255, ScalarType::kByte));
  EXPECT_THAT(*ToVector<int64_t>(u), ElementsAre(1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor b, Full({2}, 0.5, ScalarType::kBool));
  EXPECT_THAT(*ToVector<bool>(b), ElementsAre(true, true));
  ASSERT_OK_AND_ASSIGN(Tensor empty, Full({0}, 1.0));
  EXPECT_EQ(empty.numel(), 0);
  ASSERT_OK_AND_ASSIGN(Tensor big, Full({1000, 3}, 2.5));
  std::vector<float> all = *ToVector<float>(big);
  EXPECT_EQ(all.size(), 3000u);
  for (float v : all) ASSERT_EQ(v, 2.5f);
}

TEST(FactoriesTest, FullDtypeInference) {
  EXPECT_EQ(Full({2}, true)->dtype(), ScalarType::kBool);
  EXPECT_EQ(Full({2}, 3)->dtype(), ScalarType::kLong);
  EXPECT_EQ(Full({2}, 3.5)->dtype(), ScalarType::kFloat);
  EXPECT_EQ(Full({2}, 3.5f)->dtype(), ScalarType::kFloat);
  ASSERT_OK_AND_ASSIGN(Tensor c, Full({2}, std::complex<double>(1, 2)));
  EXPECT_EQ(c.dtype(), ScalarType::kComplexFloat);
  EXPECT_THAT(*ToVector<std::complex<float>>(c),
              ElementsAre(std::complex<float>(1, 2), std::complex<float>(1, 2)));
  EXPECT_EQ(FullDtype(Scalar(int64_t{1})), ScalarType::kLong);
}

TEST(FactoriesTest, FullOverflowErrors) {
  EXPECT_THAT(Full({2}, 300, ScalarType::kByte),
              StatusIs(kInvalid, HasSubstr("cannot be converted to type "
                                           "uint8_t without overflow")));
  EXPECT_THAT(Full({2}, 128, ScalarType::kChar),
              StatusIs(kInvalid, HasSubstr("int8_t")));
  EXPECT_THAT(Full({2}, 1e20, ScalarType::kLong),
              StatusIs(kInvalid, HasSubstr("int64_t")));
  EXPECT_THAT(Full({2}, 1e5, ScalarType::kHalf),
              StatusIs(kInvalid, HasSubstr("at::Half")));
  EXPECT_THAT(Full({2}, std::complex<double>(1, 2), ScalarType::kFloat),
              StatusIs(kInvalid, HasSubstr("float")));
  // Checked even when there is nothing to fill.
  EXPECT_THAT(Full({0}, 300, ScalarType::kByte), StatusIs(kInvalid));
  EXPECT_THAT(Full({2}, 1, ScalarType::kQInt8),
              StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(Ones({2}, ScalarType::kBits8),
              StatusIs(absl::StatusCode::kUnimplemented));
}

// ----------------------------------------------------------------- Arange ---

TEST(FactoriesTest, ArangeIntegers) {
  ASSERT_OK_AND_ASSIGN(Tensor a, Arange(1, 10));
  EXPECT_EQ(a.dtype(), ScalarType::kLong);
  EXPECT_THAT(*ToVector<int64_t>(a), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9));
  EXPECT_THAT(*ToVector<int64_t>(*Arange(5)), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(*ToVector<int64_t>(*Arange(10, 0, -3)), ElementsAre(10, 7, 4, 1));
  EXPECT_EQ(Arange(0, 0)->numel(), 0);
  EXPECT_EQ(Arange(true)->dtype(), ScalarType::kLong);
  EXPECT_THAT(*ToVector<int64_t>(*Arange(250, 260, 1, ScalarType::kByte)),
              ElementsAre(250, 251, 252, 253, 254, 255, 0, 1, 2, 3));
  // Exact length even where a double quotient would round.
  const int64_t big = int64_t{1} << 62;
  EXPECT_EQ(Arange(-big, big, big / 2)->numel(), 4);
}

TEST(FactoriesTest, ArangeFloats) {
  ASSERT_OK_AND_ASSIGN(Tensor a, Arange(1, 2.5, 0.5));
  EXPECT_EQ(a.dtype(), ScalarType::kFloat);
  EXPECT_THAT(*ToVector<double>(a), ElementsAre(1.0, 1.5, 2.0));
  EXPECT_EQ(Arange(0, 1, 0.1)->numel(), 10);  // ceil(1 / 0.1) in double
  EXPECT_EQ(Arange(1, 4, 1.0)->dtype(), ScalarType::kFloat);
  EXPECT_EQ(Arange(0.0, 5.0)->dtype(), ScalarType::kFloat);
  EXPECT_THAT(*ToVector<double>(*Arange(0, 5, 2, ScalarType::kFloat)),
              ElementsAre(0, 2, 4));
  EXPECT_THAT(*ToVector<double>(*Arange(0.1, 0.35, 0.05)),
              ElementsAre(DoubleEq(0.10000000149011612),
                          DoubleEq(0.15000000596046448),
                          DoubleEq(0.20000000298023224), DoubleEq(0.25),
                          DoubleEq(0.30000001192092896)));
  EXPECT_THAT(*ToVector<double>(*Arange(0.1, 0.35, 0.05, ScalarType::kDouble)),
              ElementsAre(0.1, 0.15000000000000002, 0.2, 0.25,
                          0.30000000000000004));
  EXPECT_THAT(*ToVector<float>(*Arange(0, 3, 1, ScalarType::kHalf)),
              ElementsAre(0, 1, 2));
}

TEST(FactoriesTest, ArangeWithIntegerDtypeAndFloatArguments) {
  // int32: length from the double arguments, values from truncated ones.
  EXPECT_THAT(*ToVector<int64_t>(*Arange(0.5, 5, 1.5, ScalarType::kInt)),
              ElementsAre(0, 1, 2));
  // int64: everything from the truncated arguments (0, 5, 1).
  EXPECT_THAT(*ToVector<int64_t>(*Arange(0.5, 5, 1.5, ScalarType::kLong)),
              ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(Arange(0, 1, 0.5, ScalarType::kLong),
              StatusIs(kInvalid, "step must be nonzero"));
}

TEST(FactoriesTest, ArangeErrors) {
  EXPECT_THAT(Arange(0, 10, 0), StatusIs(kInvalid, "step must be nonzero"));
  EXPECT_THAT(Arange(0, 10, -1),
              StatusIs(kInvalid, "upper bound and larger bound inconsistent "
                                 "with step sign"));
  EXPECT_THAT(Arange(0, std::nan("")),
              StatusIs(kInvalid, "unsupported range: 0 -> nan"));
  EXPECT_THAT(Arange(0, std::numeric_limits<double>::infinity()),
              StatusIs(kInvalid, "unsupported range: 0 -> inf"));
  EXPECT_THAT(Arange(0, 1e30, 1e-30),
              StatusIs(kInvalid, "invalid size, possible overflow?"));
  EXPECT_THAT(Arange(0, std::complex<double>(1, 1)),
              StatusIs(kInvalid, HasSubstr("complex")));
  EXPECT_THAT(Arange(0, 3, 1, ScalarType::kBool),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("bool")));
  EXPECT_THAT(Arange(0, 3, 1, ScalarType::kComplexFloat),
              StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(Arange(0, 1e30, 1, ScalarType::kLong),
              StatusIs(kInvalid, HasSubstr("int64_t without overflow")));
  // Too long to allocate.
  EXPECT_THAT(Arange(0, int64_t{1} << 55),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// ------------------------------------------------------------- Rand/Randn ---

TEST(FactoriesTest, RandIsSeededAndInRange) {
  ASSERT_OK_AND_ASSIGN(Tensor a, Rand({1000}, 42));
  ASSERT_OK_AND_ASSIGN(Tensor b, Rand({1000}, 42));
  ASSERT_OK_AND_ASSIGN(Tensor c, Rand({1000}, 43));
  EXPECT_EQ(a.dtype(), ScalarType::kFloat);
  std::vector<float> va = *ToVector<float>(a);
  EXPECT_EQ(va, *ToVector<float>(b));
  EXPECT_NE(va, *ToVector<float>(c));
  double sum = 0;
  for (float v : va) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LT(v, 1.0f);
    sum += v;
  }
  EXPECT_NEAR(sum / va.size(), 0.5, 0.05);
  for (ScalarType t : {ScalarType::kHalf, ScalarType::kBFloat16}) {
    ASSERT_OK_AND_ASSIGN(Tensor r, Rand({2000}, 1, t));
    ASSERT_OK_AND_ASSIGN(std::vector<float> rv, ToVector<float>(r));
    for (float v : rv) {
      ASSERT_GE(v, 0.0f);
      ASSERT_LT(v, 1.0f);  // never rounds up to 1
    }
  }
  ASSERT_OK_AND_ASSIGN(Tensor z, Rand({3}, 7, ScalarType::kComplexDouble));
  ASSERT_OK_AND_ASSIGN(std::vector<std::complex<double>> zv,
                       ToVector<std::complex<double>>(z));
  for (auto v : zv) {
    EXPECT_GE(v.real(), 0);
    EXPECT_LT(v.imag(), 1);
  }
  EXPECT_THAT(Rand({2}, 1, ScalarType::kLong),
              StatusIs(kInvalid, HasSubstr("int64")));
}

TEST(FactoriesTest, RandnStatistics) {
  ASSERT_OK_AND_ASSIGN(Tensor a, Randn({20000}, 5, ScalarType::kDouble));
  std::vector<double> v = *ToVector<double>(a);
  double mean = 0, sq = 0;
  for (double x : v) {
    ASSERT_TRUE(std::isfinite(x));
    mean += x;
    sq += x * x;
  }
  mean /= v.size();
  const double var = sq / v.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.05);
  EXPECT_NEAR(var, 1.0, 0.05);
  EXPECT_EQ(*ToVector<double>(a), *ToVector<double>(*Randn({20000}, 5,
                                                            ScalarType::kDouble)));
  // Complex: each part has variance 1/2.
  ASSERT_OK_AND_ASSIGN(Tensor c, Randn({20000}, 9, ScalarType::kComplexFloat));
  double re2 = 0;
  ASSERT_OK_AND_ASSIGN(std::vector<std::complex<double>> cv,
                       ToVector<std::complex<double>>(c));
  for (auto z : cv) re2 += z.real() * z.real();
  EXPECT_NEAR(re2 / 20000, 0.5, 0.05);
  EXPECT_THAT(Randn({2}, 1, ScalarType::kBool), StatusIs(kInvalid));
}

// --------------------------------------------------- tensors from values ---

TEST(FactoriesTest, MakeTensor) {
  ASSERT_OK_AND_ASSIGN(Tensor a, MakeTensor<int64_t>({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(a.dtype(), ScalarType::kLong);
  EXPECT_THAT(a.sizes(), ElementsAre(2, 3));
  EXPECT_THAT(*ToVector<int64_t>(a), ElementsAre(1, 2, 3, 4, 5, 6));
  ASSERT_OK_AND_ASSIGN(Tensor b, MakeTensor<bool>({true, false}));
  EXPECT_EQ(b.dtype(), ScalarType::kBool);
  EXPECT_THAT(b.sizes(), ElementsAre(2));
  std::vector<float> values = {1.5f, 2.5f};
  ASSERT_OK_AND_ASSIGN(Tensor c, MakeTensor<float>(values));
  EXPECT_EQ(c.dtype(), ScalarType::kFloat);
  ASSERT_OK_AND_ASSIGN(Tensor h, MakeTensor<Half>({Half(1.0f), Half(-2.0f)}));
  EXPECT_EQ(h.dtype(), ScalarType::kHalf);
  EXPECT_THAT(*ToVector<float>(h), ElementsAre(1, -2));
  ASSERT_OK_AND_ASSIGN(Tensor s, MakeTensor<double>({4.0}, {}));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(kScalarTypeOf<uint16_t>, ScalarType::kUInt16);
  EXPECT_EQ(kScalarTypeOf<std::complex<double>>, ScalarType::kComplexDouble);
  EXPECT_THAT(MakeTensor<int32_t>({1, 2, 3}, {2, 2}),
              StatusIs(kInvalid, "3 values do not fill a tensor of size "
                                 "[2, 2] (4 elements)"));
}

TEST(FactoriesTest, FromBytes) {
  const uint8_t bytes[] = {1, 0, 2, 0, 3, 0};
  ASSERT_OK_AND_ASSIGN(Tensor t, FromBytes(ScalarType::kShort, bytes, 6, {3}));
  EXPECT_THAT(*ToVector<int64_t>(t), ElementsAre(1, 2, 3));
  EXPECT_NE(t.data(), static_cast<const void*>(bytes));  // copied
  EXPECT_THAT(FromBytes(ScalarType::kShort, bytes, 5, {3}),
              StatusIs(kInvalid, HasSubstr("5 bytes")));
  ASSERT_OK_AND_ASSIGN(Tensor q, FromBytes(ScalarType::kQUInt8, bytes, 6, {6}));
  EXPECT_EQ(q.dtype(), ScalarType::kQUInt8);
}

TEST(FactoriesTest, TensorFromValues) {
  ASSERT_OK_AND_ASSIGN(Tensor t,
                       TensorFromValues(ScalarType::kHalf, {1, 2.5, true}, {3}));
  EXPECT_EQ(t.dtype(), ScalarType::kHalf);
  EXPECT_THAT(*ToVector<float>(t), ElementsAre(1, 2.5f, 1));
  ASSERT_OK_AND_ASSIGN(Tensor i,
                       TensorFromValues(ScalarType::kLong, {3.7, -3.7}, {2, 1}));
  EXPECT_THAT(*ToVector<int64_t>(i), ElementsAre(3, -3));
  EXPECT_THAT(TensorFromValues(ScalarType::kByte, {300}, {1}),
              StatusIs(kInvalid, HasSubstr("uint8_t")));
  EXPECT_THAT(TensorFromValues(ScalarType::kFloat, {1, 2}, {3}),
              StatusIs(kInvalid, HasSubstr("2 values")));
  EXPECT_THAT(TensorFromValues(ScalarType::kQInt8, {1}, {1}),
              StatusIs(absl::StatusCode::kUnimplemented));
}

}  // namespace
}  // namespace ptser
