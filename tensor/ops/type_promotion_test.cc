// Copyright ptser authors.
//
// tensor/ops/type_promotion_test.cc — promote_types / result_type / can_cast
// against PyTorch 1.13 (every expectation was printed by real torch).

#include "tensor/ops/type_promotion.h"

#include <complex>
#include <cstdint>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/half.h"
#include "tensor/ops/internal/test_util.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;
using testing_util::Scalar0;
using testing_util::T_;

// StatusOr<ScalarType> equal to `type`.
MATCHER_P(IsType, type, "") {
  if (!arg.ok()) {
    *result_listener << "error " << arg.status();
    return false;
  }
  *result_listener << "got " << DtypeName(*arg);
  return *arg == type;
}

TEST(PromoteTypesTest, MatchesTorchPromoteTypesTable) {
  // torch.promote_types over every pair of non-quantized 1.13 dtypes.
  const ScalarType kTypes[] = {
      ScalarType::kByte,          ScalarType::kChar,
      ScalarType::kShort,         ScalarType::kInt,
      ScalarType::kLong,          ScalarType::kHalf,
      ScalarType::kFloat,         ScalarType::kDouble,
      ScalarType::kComplexHalf,   ScalarType::kComplexFloat,
      ScalarType::kComplexDouble, ScalarType::kBool,
      ScalarType::kBFloat16};
  const ScalarType kExpected[13][13] = {
      {ScalarType::kByte, ScalarType::kShort, ScalarType::kShort,
       ScalarType::kInt, ScalarType::kLong, ScalarType::kHalf,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble, ScalarType::kByte,
       ScalarType::kBFloat16},
      {ScalarType::kShort, ScalarType::kChar, ScalarType::kShort,
       ScalarType::kInt, ScalarType::kLong, ScalarType::kHalf,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble, ScalarType::kChar,
       ScalarType::kBFloat16},
      {ScalarType::kShort, ScalarType::kShort, ScalarType::kShort,
       ScalarType::kInt, ScalarType::kLong, ScalarType::kHalf,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble,
       ScalarType::kShort, ScalarType::kBFloat16},
      {ScalarType::kInt, ScalarType::kInt, ScalarType::kInt, ScalarType::kInt,
       ScalarType::kLong, ScalarType::kHalf, ScalarType::kFloat,
       ScalarType::kDouble, ScalarType::kComplexHalf, ScalarType::kComplexFloat,
       ScalarType::kComplexDouble, ScalarType::kInt, ScalarType::kBFloat16},
      {ScalarType::kLong, ScalarType::kLong, ScalarType::kLong,
       ScalarType::kLong, ScalarType::kLong, ScalarType::kHalf,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble, ScalarType::kLong,
       ScalarType::kBFloat16},
      {ScalarType::kHalf, ScalarType::kHalf, ScalarType::kHalf,
       ScalarType::kHalf, ScalarType::kHalf, ScalarType::kHalf,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble, ScalarType::kHalf,
       ScalarType::kFloat},
      {ScalarType::kFloat, ScalarType::kFloat, ScalarType::kFloat,
       ScalarType::kFloat, ScalarType::kFloat, ScalarType::kFloat,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexFloat,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble,
       ScalarType::kFloat, ScalarType::kFloat},
      {ScalarType::kDouble, ScalarType::kDouble, ScalarType::kDouble,
       ScalarType::kDouble, ScalarType::kDouble, ScalarType::kDouble,
       ScalarType::kDouble, ScalarType::kDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kDouble, ScalarType::kDouble},
      {ScalarType::kComplexHalf, ScalarType::kComplexHalf,
       ScalarType::kComplexHalf, ScalarType::kComplexHalf,
       ScalarType::kComplexHalf, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble,
       ScalarType::kComplexHalf, ScalarType::kComplexFloat,
       ScalarType::kComplexDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat},
      {ScalarType::kComplexFloat, ScalarType::kComplexFloat,
       ScalarType::kComplexFloat, ScalarType::kComplexFloat,
       ScalarType::kComplexFloat, ScalarType::kComplexFloat,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble,
       ScalarType::kComplexFloat, ScalarType::kComplexFloat,
       ScalarType::kComplexDouble, ScalarType::kComplexFloat,
       ScalarType::kComplexFloat},
      {ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble, ScalarType::kComplexDouble,
       ScalarType::kComplexDouble},
      {ScalarType::kByte, ScalarType::kChar, ScalarType::kShort,
       ScalarType::kInt, ScalarType::kLong, ScalarType::kHalf,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexHalf,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble, ScalarType::kBool,
       ScalarType::kBFloat16},
      {ScalarType::kBFloat16, ScalarType::kBFloat16, ScalarType::kBFloat16,
       ScalarType::kBFloat16, ScalarType::kBFloat16, ScalarType::kFloat,
       ScalarType::kFloat, ScalarType::kDouble, ScalarType::kComplexFloat,
       ScalarType::kComplexFloat, ScalarType::kComplexDouble,
       ScalarType::kBFloat16, ScalarType::kBFloat16},
  };
  for (int i = 0; i < 13; ++i) {
    for (int j = 0; j < 13; ++j) {
      EXPECT_THAT(PromoteTypes(kTypes[i], kTypes[j]), IsType(kExpected[i][j]))
          << DtypeName(kTypes[i]) << " with " << DtypeName(kTypes[j]);
    }
  }
}

TEST(PromoteTypesTest, QuantizedAndUnsupportedTypes) {
  EXPECT_THAT(PromoteTypes(ScalarType::kQInt8, ScalarType::kQInt8),
              IsType(ScalarType::kQInt8));
  EXPECT_THAT(PromoteTypes(ScalarType::kQInt8, ScalarType::kFloat),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "promoteTypes with quantized numbers is not handled "
                       "yet; figure out what the correct rules should be, "
                       "offending types: QInt8 Float"));
  EXPECT_THAT(PromoteTypes(ScalarType::kUInt16, ScalarType::kInt),
              StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(PromoteTypes(ScalarType::kFloat8_e4m3fn, ScalarType::kFloat),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(ResultTypeTest, PriorityTiersAndCategories) {
  Tensor i = T_<int64_t>({1, 2});
  Tensor f = T_<float>({1, 2});
  Tensor b = T_<bool>({true});
  Tensor d = T_<double>({1});
  Tensor u8 = T_<uint8_t>({1});
  Tensor i8 = T_<int8_t>({1});
  Tensor i32 = T_<int32_t>({1});
  Tensor h = T_<Half>({Half(1.0f)});
  Tensor bf = T_<BFloat16>({BFloat16(1.0f)});
  Tensor i0 = Scalar0<int64_t>(1);
  Tensor f0 = Scalar0<float>(1);
  Tensor d0 = Scalar0<double>(1);
  Tensor b0 = Scalar0<bool>(true);
  Tensor c0 = Scalar0<std::complex<double>>({0, 1});
  const Scalar j(std::complex<double>(0, 1));

  // (torch.result_type(...) outputs, PyTorch 1.13)
  EXPECT_THAT(ResultType(i, 1.5), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(i, f0), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(i, d0), IsType(ScalarType::kDouble));
  EXPECT_THAT(ResultType(f, d0), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(f, c0), IsType(ScalarType::kComplexFloat));
  EXPECT_THAT(ResultType(i32, i0), IsType(ScalarType::kInt));
  EXPECT_THAT(ResultType(i32, 5), IsType(ScalarType::kInt));
  EXPECT_THAT(ResultType(u8, -1), IsType(ScalarType::kByte));
  EXPECT_THAT(ResultType(u8, i0), IsType(ScalarType::kByte));
  EXPECT_THAT(ResultType(u8, 1000), IsType(ScalarType::kByte));
  EXPECT_THAT(ResultType(b, 1), IsType(ScalarType::kLong));
  EXPECT_THAT(ResultType(b, 1.0), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(b, true), IsType(ScalarType::kBool));
  EXPECT_THAT(ResultType(b0, 1), IsType(ScalarType::kLong));
  EXPECT_THAT(ResultType(b0, i0), IsType(ScalarType::kLong));
  EXPECT_THAT(ResultType(i0, 2.5), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(f0, d), IsType(ScalarType::kDouble));
  EXPECT_THAT(ResultType(i0, f0), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(f, j), IsType(ScalarType::kComplexFloat));
  EXPECT_THAT(ResultType(i, j), IsType(ScalarType::kComplexFloat));
  EXPECT_THAT(ResultType(Scalar0<int8_t>(1), 1000), IsType(ScalarType::kChar));
  EXPECT_THAT(ResultType(Scalar0<int8_t>(1), d0), IsType(ScalarType::kDouble));
  EXPECT_THAT(ResultType(b0, 2.5), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(h, d0), IsType(ScalarType::kHalf));
  EXPECT_THAT(ResultType(i8, Scalar0<uint8_t>(2)), IsType(ScalarType::kChar));
  EXPECT_THAT(ResultType(h, c0), IsType(ScalarType::kComplexHalf));
  EXPECT_THAT(ResultType(Scalar0<Half>(Half(1.0f)), 2.5),
              IsType(ScalarType::kHalf));
  EXPECT_THAT(ResultType(i32, c0), IsType(ScalarType::kComplexDouble));
  EXPECT_THAT(ResultType(bf, j), IsType(ScalarType::kComplexFloat));
  EXPECT_THAT(ResultType(bf, c0), IsType(ScalarType::kComplexFloat));
  EXPECT_THAT(ResultType(i0, j), IsType(ScalarType::kComplexFloat));
  EXPECT_THAT(ResultType(d0, j), IsType(ScalarType::kComplexDouble));
  EXPECT_THAT(ResultType(d0, 1.5), IsType(ScalarType::kDouble));
  EXPECT_THAT(ResultType(b0, true), IsType(ScalarType::kBool));
  EXPECT_THAT(ResultType(Scalar0<int32_t>(1), 1.5), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(i32, bf), IsType(ScalarType::kBFloat16));
  // Two Python numbers.
  EXPECT_THAT(ResultType(Scalar(1), Scalar(2.5)), IsType(ScalarType::kFloat));
  EXPECT_THAT(ResultType(Scalar(true), Scalar(2)), IsType(ScalarType::kLong));
  EXPECT_THAT(ResultType(Scalar(2), i32), IsType(ScalarType::kInt));
}

TEST(ResultTypeTest, QuantizedOperandsFail) {
  ASSERT_OK_AND_ASSIGN(Tensor q, Zeros({1}, ScalarType::kQInt8));
  EXPECT_THAT(ResultType(q, T_<float>({1})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("offending types: QInt8 Float")));
}

TEST(ResultTypeTest, StateWithoutOperandsIsAnError) {
  ResultTypeState state;
  EXPECT_THAT(state.Result(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(CanCastTest, MatchesTorchCanCast) {
  EXPECT_TRUE(CanCast(ScalarType::kLong, ScalarType::kFloat));
  EXPECT_TRUE(CanCast(ScalarType::kDouble, ScalarType::kHalf));
  EXPECT_TRUE(CanCast(ScalarType::kBool, ScalarType::kBool));
  EXPECT_TRUE(CanCast(ScalarType::kBool, ScalarType::kByte));
  EXPECT_TRUE(CanCast(ScalarType::kLong, ScalarType::kByte));
  EXPECT_TRUE(CanCast(ScalarType::kFloat, ScalarType::kComplexFloat));
  EXPECT_FALSE(CanCast(ScalarType::kFloat, ScalarType::kLong));
  EXPECT_FALSE(CanCast(ScalarType::kComplexFloat, ScalarType::kDouble));
  EXPECT_FALSE(CanCast(ScalarType::kLong, ScalarType::kBool));
  EXPECT_FALSE(CanCast(ScalarType::kFloat, ScalarType::kBool));
}

TEST(C10TypeNameTest, Spellings) {
  EXPECT_EQ(C10TypeName(ScalarType::kFloat), "Float");
  EXPECT_EQ(C10TypeName(ScalarType::kLong), "Long");
  EXPECT_EQ(C10TypeName(ScalarType::kByte), "Byte");
  EXPECT_EQ(C10TypeName(ScalarType::kChar), "Char");
  EXPECT_EQ(C10TypeName(ScalarType::kComplexHalf), "ComplexHalf");
  EXPECT_EQ(C10TypeName(ScalarType::kBFloat16), "BFloat16");
  EXPECT_EQ(C10TypeName(ScalarType::kQUInt4x2), "QUInt4x2");
  EXPECT_EQ(C10TypeName(ScalarType::kFloat8_e5m2fnuz), "Float8_e5m2fnuz");
  EXPECT_EQ(C10TypeName(ScalarType::kUInt64), "UInt64");
}

}  // namespace
}  // namespace ptser
