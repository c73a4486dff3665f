// Copyright ptser authors.
//
// tensor/ops/neg_test.cc — torch.neg against PyTorch 1.13.

#include "tensor/ops/neg.h"

#include <cmath>
#include <cstdint>
#include <limits>
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
using testing_util::T_;
using testing_util::Values;

TEST(NegTest, Values) {
  ASSERT_OK_AND_ASSIGN(Tensor f, Neg(T_<float>({0, 1.5, -2})));
  std::vector<float> v = Values<float>(f);
  EXPECT_THAT(v, ElementsAre(0, -1.5, 2));
  EXPECT_TRUE(std::signbit(v[0]));  // tensor([-0.])
  // torch.neg(uint8 [1, 2]) -> tensor([255, 254], dtype=torch.uint8)
  ASSERT_OK_AND_ASSIGN(Tensor u, Neg(T_<uint8_t>({1, 2})));
  EXPECT_EQ(u.dtype(), ScalarType::kByte);
  EXPECT_THAT(Values<int64_t>(u), ElementsAre(255, 254));
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  ASSERT_OK_AND_ASSIGN(Tensor i, Neg(T_<int64_t>({kMin, 5})));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(kMin, -5));
}

TEST(NegTest, BoolIsAnError) {
  const char kMessage[] =
      "Negation, the `-` operator, on a bool tensor is not supported. If you "
      "are trying to invert a mask, use the `~` or `logical_not()` operator "
      "instead.";
  EXPECT_THAT(Neg(T_<bool>({true})),
              StatusIs(absl::StatusCode::kInvalidArgument, kMessage));
  EXPECT_THAT(NegInplace(T_<bool>({true})),
              StatusIs(absl::StatusCode::kInvalidArgument, kMessage));
}

TEST(NegTest, NegBitIsResolved) {
  // A tensor whose lazy negation bit is set reads as its negation.
  Tensor t = T_<float>({1, -2});
  t.set_neg(true);
  ASSERT_OK_AND_ASSIGN(Tensor r, Neg(t));
  EXPECT_THAT(Values<float>(r), ElementsAre(1, -2));
}

TEST(NegTest, InPlaceThroughAView) {
  Tensor base = T_<int32_t>({1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor even, Slice(base, 0, 0, std::nullopt, 2));
  ASSERT_OK(NegInplace(even));
  EXPECT_THAT(Values<int32_t>(base), ElementsAre(-1, 2, -3, 4));
}

}  // namespace
}  // namespace ptser
