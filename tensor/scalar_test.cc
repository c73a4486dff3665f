// Copyright ptser authors.
//
// tensor/ops/scalar_test.cc — Scalar kinds, conversions and repr.

#include "tensor/scalar.h"

#include <complex>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace ptser {
namespace {

TEST(ScalarTest, KindsFollowTheCxxType) {
  EXPECT_TRUE(Scalar(true).is_bool());
  EXPECT_TRUE(Scalar(3).is_integral());
  EXPECT_TRUE(Scalar(int8_t{3}).is_integral());
  EXPECT_TRUE(Scalar(uint64_t{3}).is_integral());
  EXPECT_TRUE(Scalar(2.5).is_floating_point());
  EXPECT_TRUE(Scalar(2.5f).is_floating_point());
  EXPECT_TRUE(Scalar(std::complex<double>(1, 2)).is_complex());
  EXPECT_TRUE(Scalar().is_integral());
  EXPECT_EQ(Scalar(true).dtype(), ScalarType::kBool);
  EXPECT_EQ(Scalar(3).dtype(), ScalarType::kLong);
  EXPECT_EQ(Scalar(2.5).dtype(), ScalarType::kDouble);
  EXPECT_EQ(Scalar(std::complex<float>(1, 2)).dtype(),
            ScalarType::kComplexDouble);
}

TEST(ScalarTest, Conversions) {
  EXPECT_EQ(Scalar(2.75).to_int64(), 2);
  EXPECT_EQ(Scalar(-2.75).to_int64(), -2);
  EXPECT_EQ(Scalar(std::numeric_limits<double>::quiet_NaN()).to_int64(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Scalar(1e300).to_int64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Scalar(7).to_double(), 7.0);
  EXPECT_TRUE(Scalar(0.5).to_bool());
  EXPECT_FALSE(Scalar(0).to_bool());
  EXPECT_EQ(Scalar(true).to_int64(), 1);
  EXPECT_EQ(Scalar(std::complex<double>(1, 2)).to_double(), 1.0);
  EXPECT_EQ(Scalar(3).to_complex(), std::complex<double>(3, 0));
}

TEST(ScalarTest, PythonRepr) {
  EXPECT_EQ(Scalar(true).ToString(), "True");
  EXPECT_EQ(Scalar(false).ToString(), "False");
  EXPECT_EQ(Scalar(-12).ToString(), "-12");
  EXPECT_EQ(Scalar(2.5).ToString(), "2.5");
  EXPECT_EQ(Scalar(1.0).ToString(), "1.0");
  EXPECT_EQ(Scalar(0.1).ToString(), "0.1");
  EXPECT_EQ(Scalar(1e16).ToString(), "1e+16");
  EXPECT_EQ(Scalar(1e15).ToString(), "1000000000000000.0");
  EXPECT_EQ(Scalar(0.0001).ToString(), "0.0001");
  EXPECT_EQ(Scalar(0.00001).ToString(), "1e-05");
  EXPECT_EQ(Scalar(-1.5e-300).ToString(), "-1.5e-300");
  EXPECT_EQ(Scalar(std::numeric_limits<double>::infinity()).ToString(), "inf");
  EXPECT_EQ(Scalar(std::complex<double>(1, 2)).ToString(), "(1+2j)");
  EXPECT_EQ(Scalar(std::complex<double>(0, 1)).ToString(), "1j");
  EXPECT_EQ(Scalar(std::complex<double>(1.5, -0.5)).ToString(), "(1.5-0.5j)");
}

}  // namespace
}  // namespace ptser
