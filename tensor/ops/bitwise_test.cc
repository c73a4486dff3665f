// Copyright ptser authors.
//
// tensor/ops/bitwise_test.cc — bitwise and logical ops against PyTorch 1.13.

#include "tensor/ops/bitwise.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/ops/internal/test_util.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using testing_util::T_;
using testing_util::Values;

TEST(BitwiseTest, Integers) {
  // i = torch.tensor([-7, 7, 3, 0]); j = torch.tensor([2, -2, 0, 5])
  const Tensor i = T_<int64_t>({-7, 7, 3, 0});
  const Tensor j = T_<int64_t>({2, -2, 0, 5});
  EXPECT_THAT(Values<int64_t>(BitwiseAnd(i, j)), ElementsAre(0, 6, 0, 0));
  EXPECT_THAT(Values<int64_t>(BitwiseOr(i, Scalar(3))), ElementsAre(-5, 7, 3, 3));
  // i ^ torch.tensor([True]) -> [-8, 6, 2, 1]
  EXPECT_THAT(Values<int64_t>(BitwiseXor(i, T_<bool>({true}))), ElementsAre(-8, 6, 2, 1));
  // i << 2 -> [-28, 28, 12, 0]; i >> 1 -> [-4, 3, 1, 0]
  EXPECT_THAT(Values<int64_t>(BitwiseLeftShift(i, Scalar(2))), ElementsAre(-28, 28, 12, 0));
  EXPECT_THAT(Values<int64_t>(BitwiseRightShift(i, Scalar(1))), ElementsAre(-4, 3, 1, 0));
  // torch.tensor([-8]) >> 70 -> [-1]; int8 1 << 9 -> 0
  EXPECT_THAT(Values<int64_t>(BitwiseRightShift(T_<int64_t>({-8}), Scalar(70))), ElementsAre(-1));
  EXPECT_THAT(Values<int>(BitwiseLeftShift(T_<int8_t>({1}), Scalar(9))), ElementsAre(0));
}

TEST(BitwiseTest, BoolAndErrors) {
  ASSERT_OK_AND_ASSIGN(Tensor b, BitwiseAnd(T_<bool>({true, false}), T_<bool>({true, true})));
  EXPECT_EQ(b.dtype(), ScalarType::kBool);
  EXPECT_THAT(Values<bool>(b), ElementsAre(true, false));
  EXPECT_THAT(BitwiseAnd(T_<float>({1}), Scalar(1)),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"bitwise_and_cpu\" not implemented for 'Float'"));
  EXPECT_THAT(BitwiseLeftShift(T_<bool>({true}), T_<bool>({true})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"lshift_cpu\" not implemented for 'Bool'"));
  Tensor m = T_<int32_t>({12, 10});
  ASSERT_OK(BitwiseOrInplace(m, Scalar(1)));
  EXPECT_THAT(Values<int32_t>(m), ElementsAre(13, 11));
}

TEST(LogicalTest, AnyDtypeToBool) {
  // torch.logical_and(tensor([-7.5, 7.5, 3., 0.]), tensor([-7, 7, 3, 0]))
  //   -> [True, True, True, False]
  ASSERT_OK_AND_ASSIGN(Tensor a, LogicalAnd(T_<float>({-7.5f, 7.5f, 3, 0}),
                                            T_<int64_t>({-7, 7, 3, 0})));
  EXPECT_EQ(a.dtype(), ScalarType::kBool);
  EXPECT_THAT(Values<bool>(a), ElementsAre(true, true, true, false));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THAT(Values<bool>(LogicalOr(T_<float>({0, nan}), T_<float>({0}))),
              ElementsAre(false, true));
  // torch.logical_xor(tensor([-7, 7, 3, 0]), tensor([2, -2, 0, 5]))
  //   -> [False, False, True, True]
  EXPECT_THAT(Values<bool>(LogicalXor(T_<int64_t>({-7, 7, 3, 0}), T_<int64_t>({2, -2, 0, 5}))),
              ElementsAre(false, false, true, true));
  Tensor f = T_<float>({2, 0});
  ASSERT_OK(LogicalOrInplace(f, T_<float>({0, 0})));
  EXPECT_THAT(Values<float>(f), ElementsAre(1, 0));
}

}  // namespace
}  // namespace ptser
