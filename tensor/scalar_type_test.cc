// Copyright ptser authors.

#include "tensor/scalar_type.h"

#include <string>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

TEST(ScalarTypeTest, CodesMatchPyTorch) {
  EXPECT_EQ(static_cast<int>(ScalarType::kFloat), 6);
  EXPECT_EQ(static_cast<int>(ScalarType::kBool), 11);
  EXPECT_EQ(static_cast<int>(ScalarType::kBFloat16), 15);
  EXPECT_EQ(static_cast<int>(ScalarType::kUInt64), 29);
}

TEST(ScalarTypeTest, ElementSizes) {
  EXPECT_EQ(ElementSize(ScalarType::kByte), 1u);
  EXPECT_EQ(ElementSize(ScalarType::kShort), 2u);
  EXPECT_EQ(ElementSize(ScalarType::kInt), 4u);
  EXPECT_EQ(ElementSize(ScalarType::kLong), 8u);
  EXPECT_EQ(ElementSize(ScalarType::kHalf), 2u);
  EXPECT_EQ(ElementSize(ScalarType::kFloat), 4u);
  EXPECT_EQ(ElementSize(ScalarType::kDouble), 8u);
  EXPECT_EQ(ElementSize(ScalarType::kComplexHalf), 4u);
  EXPECT_EQ(ElementSize(ScalarType::kComplexFloat), 8u);
  EXPECT_EQ(ElementSize(ScalarType::kComplexDouble), 16u);
  EXPECT_EQ(ElementSize(ScalarType::kBool), 1u);
  EXPECT_EQ(ElementSize(ScalarType::kQInt32), 4u);
  EXPECT_EQ(ElementSize(ScalarType::kQUInt4x2), 1u);
  EXPECT_EQ(ElementSize(ScalarType::kQUInt2x4), 1u);
  EXPECT_EQ(ElementSize(ScalarType::kBits16), 2u);
  EXPECT_EQ(ElementSize(ScalarType::kFloat8_e4m3fn), 1u);
  EXPECT_EQ(ElementSize(ScalarType::kUInt32), 4u);
  EXPECT_EQ(ElementSize(static_cast<ScalarType>(99)), 0u);
}

TEST(ScalarTypeTest, NamesAndStorageClasses) {
  EXPECT_EQ(DtypeName(ScalarType::kBFloat16), "bfloat16");
  EXPECT_EQ(DtypeName(ScalarType::kComplexHalf), "complex32");
  EXPECT_EQ(DtypeName(ScalarType::kFloat8_e5m2fnuz), "float8_e5m2fnuz");
  EXPECT_EQ(DtypeRepr(ScalarType::kFloat), "torch.float32");
  EXPECT_EQ(LegacyStorageClassName(ScalarType::kLong), "LongStorage");
  EXPECT_EQ(LegacyStorageClassName(ScalarType::kComplexFloat),
            "ComplexFloatStorage");
  EXPECT_EQ(LegacyStorageClassName(ScalarType::kQUInt2x4), "QUInt2x4Storage");
  EXPECT_EQ(LegacyStorageClassName(ScalarType::kComplexHalf), std::nullopt);
  EXPECT_EQ(LegacyStorageClassName(ScalarType::kUInt16), std::nullopt);
  EXPECT_EQ(LegacyStorageClassName(ScalarType::kBits8), std::nullopt);
}

TEST(ScalarTypeTest, EveryCodeRoundTrips) {
  for (int code = 0; code < kNumScalarTypes; ++code) {
    SCOPED_TRACE(code);
    ASSERT_OK_AND_ASSIGN(ScalarType type, ScalarTypeFromCode(code));
    EXPECT_EQ(static_cast<int>(type), code);
    EXPECT_GT(ElementSize(type), 0u);
    ASSERT_OK_AND_ASSIGN(ScalarType by_name,
                         ScalarTypeFromDtypeName(DtypeName(type)));
    EXPECT_EQ(by_name, type);
    if (auto cls = LegacyStorageClassName(type)) {
      ASSERT_OK_AND_ASSIGN(ScalarType by_class,
                           ScalarTypeFromStorageClassName(*cls));
      EXPECT_EQ(by_class, type);
    }
  }
}

TEST(ScalarTypeTest, Aliases) {
  const std::pair<const char*, ScalarType> cases[] = {
      {"float", ScalarType::kFloat},        {"double", ScalarType::kDouble},
      {"half", ScalarType::kHalf},          {"long", ScalarType::kLong},
      {"int", ScalarType::kInt},            {"short", ScalarType::kShort},
      {"cfloat", ScalarType::kComplexFloat},
      {"cdouble", ScalarType::kComplexDouble},
      {"chalf", ScalarType::kComplexHalf},
  };
  for (const auto& [name, type] : cases) {
    ASSERT_OK_AND_ASSIGN(ScalarType got, ScalarTypeFromDtypeName(name));
    EXPECT_EQ(got, type) << name;
  }
}

TEST(ScalarTypeTest, UnknownNamesAndCodes) {
  EXPECT_THAT(ScalarTypeFromDtypeName("float31"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'float31'")));
  EXPECT_THAT(ScalarTypeFromDtypeName("torch.float32"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("torch")));
  EXPECT_THAT(ScalarTypeFromStorageClassName("UntypedStorage"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("UntypedStorage")));
  EXPECT_THAT(ScalarTypeFromStorageClassName(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("''")));
  EXPECT_THAT(ScalarTypeFromCode(-1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1")));
  EXPECT_THAT(ScalarTypeFromCode(30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("30")));
}

TEST(ScalarTypeTest, Predicates) {
  EXPECT_TRUE(IsFloatingPoint(ScalarType::kBFloat16));
  EXPECT_TRUE(IsFloatingPoint(ScalarType::kFloat8_e4m3fn));
  EXPECT_FALSE(IsFloatingPoint(ScalarType::kComplexFloat));
  EXPECT_TRUE(IsComplex(ScalarType::kComplexHalf));
  EXPECT_FALSE(IsComplex(ScalarType::kDouble));
  EXPECT_TRUE(IsIntegral(ScalarType::kUInt64, false));
  EXPECT_FALSE(IsIntegral(ScalarType::kBool, false));
  EXPECT_TRUE(IsIntegral(ScalarType::kBool, true));
  EXPECT_FALSE(IsIntegral(ScalarType::kQInt8, true));
  EXPECT_TRUE(IsQuantized(ScalarType::kQUInt4x2));
  EXPECT_FALSE(IsQuantized(ScalarType::kChar));
  EXPECT_TRUE(IsSigned(ScalarType::kChar));
  EXPECT_TRUE(IsSigned(ScalarType::kHalf));
  EXPECT_TRUE(IsSigned(ScalarType::kComplexFloat));
  EXPECT_TRUE(IsSigned(ScalarType::kQInt8));
  EXPECT_FALSE(IsSigned(ScalarType::kByte));
  EXPECT_FALSE(IsSigned(ScalarType::kBool));
  EXPECT_FALSE(IsSigned(ScalarType::kQUInt8));
  EXPECT_FALSE(IsSigned(ScalarType::kUInt32));
}

}  // namespace
}  // namespace ptser
