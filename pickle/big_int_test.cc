// Copyright ptser authors.
#include "pickle/big_int.h"

#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

BigInt Dec(const std::string& text) {
  absl::StatusOr<BigInt> b = BigInt::FromText(text, 10);
  EXPECT_TRUE(b.ok()) << text;
  return *b;
}

TEST(BigIntTest, DecimalAndBytesBothWays) {
  // pickle.encode_long(2**64) and (-2**63 - 1).
  const BigInt two64 = Dec("18446744073709551616");
  EXPECT_EQ(two64.bytes(), std::string("\0\0\0\0\0\0\0\0\x01", 9));
  EXPECT_EQ(two64.ToDecimal(), "18446744073709551616");
  const BigInt below = Dec("-9223372036854775809");
  EXPECT_EQ(below.bytes(), std::string("\xff\xff\xff\xff\xff\xff\xff\x7f\xff", 9));
  EXPECT_EQ(BigInt::FromTwosComplement(below.bytes()).ToDecimal(), "-9223372036854775809");
  // Redundant sign bytes are dropped; small values fit int64.
  EXPECT_EQ(BigInt::FromTwosComplement(std::string("\x05\0\0\0\0\0\0\0\0\0", 10)).ToInt64(), 5);
  EXPECT_EQ(BigInt::FromTwosComplement(std::string(12, '\xff')).ToInt64(), -1);
  EXPECT_FALSE(two64.ToInt64().has_value());
  EXPECT_EQ(Dec("-9223372036854775808").ToInt64(), INT64_MIN);
  const std::string thirty = "1" + std::string(30, '0');
  EXPECT_EQ(Dec(thirty).ToDecimal(), thirty);
  EXPECT_EQ(Dec("-" + thirty).ToDecimal(), "-" + thirty);
  ASSERT_OK_AND_ASSIGN(BigInt hex, BigInt::FromText("-1" + std::string(1000, '0'), 16));
  EXPECT_EQ(hex.BitLength(), 4001u);
  EXPECT_EQ(hex.ToDecimal()->size(), 1206u);  // -2**4000: '-' and 1205 digits
}

TEST(BigIntTest, LimitsAsPython) {
  EXPECT_THAT(BigInt::FromText(std::string(4301, '9'), 10),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("4300 digits")));
  EXPECT_OK(BigInt::FromText(std::string(4300, '9'), 10).status());
  EXPECT_THAT(BigInt::FromText("12a", 10), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BigInt::FromText("-", 10), StatusIs(absl::StatusCode::kInvalidArgument));
  // 2**16000 has 4817 digits: Python's repr refuses it, so does ToDecimal.
  ASSERT_OK_AND_ASSIGN(BigInt huge, BigInt::FromText("1" + std::string(4000, '0'), 16));
  EXPECT_FALSE(huge.ToDecimal().has_value());
}

TEST(BigIntTest, OrderAndExactDoubles) {
  EXPECT_LT(Dec("-18446744073709551616").Compare(Dec("-9223372036854775809")), 0);
  EXPECT_GT(Dec("18446744073709551617").Compare(Dec("18446744073709551616")), 0);
  EXPECT_LT(Dec("-18446744073709551616").Compare(Dec("18446744073709551616")), 0);
  EXPECT_EQ(Dec("18446744073709551616").Compare(Dec("18446744073709551616")), 0);
  EXPECT_EQ(Dec("18446744073709551616").ExactDouble(), 18446744073709551616.0);
  EXPECT_EQ(Dec("-18446744073709551616").ExactDouble(), -18446744073709551616.0);
  EXPECT_FALSE(Dec("18446744073709551617").ExactDouble().has_value());
  EXPECT_FALSE(Dec("1" + std::string(400, '0')).ExactDouble().has_value());  // > DBL_MAX
}

}  // namespace
}  // namespace ptser
