// Copyright ptser authors.
//
// tensor/ops/scan_test.cc — cumsum and cumprod against PyTorch 1.13.

#include "tensor/ops/scan.h"

#include <cstdint>
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

Tensor X() {
  return T_<float>({0.5f, -1.25f, 3.0f, 2.0f, 1.5f, 0.25f, -2.0f, 4.0f, -0.75f, 2.5f, 1.0f, 0.0f},
                   {{3, 4}});
}

TEST(CumsumTest, AlongEachDim) {
  // torch.cumsum(x, 0)
  EXPECT_THAT(Values<float>(Cumsum(X(), 0)),
              ElementsAre(0.5f, -1.25f, 3, 2, 2, -1, 1, 6, 1.25f, 1.5f, 2, 6));
  // torch.cumprod(x, 1)
  EXPECT_THAT(Values<float>(Cumprod(X(), 1)),
              ElementsAre(0.5f, -0.625f, -1.875f, -3.75f, 1.5f, 0.375f, -0.75f, -3, -0.75f,
                          -1.875f, -1.875f, 0));
  // A strided input: cumsum of x.t() along 1.
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(X(), 0, 1));
  EXPECT_THAT(Values<float>(Cumsum(t, 1)),
              ElementsAre(0.5f, 2, 1.25f, -1.25f, -1, 1.5f, 3, 1, 2, 2, 6, 6));
}

TEST(CumsumTest, Dtypes) {
  // torch.cumsum(torch.tensor([True, True]), 0) -> [1, 2] (int64);
  // int32 -> int64; dtype=torch.int64 converts a float input first.
  ASSERT_OK_AND_ASSIGN(Tensor b, Cumsum(T_<bool>({true, true}), 0));
  EXPECT_EQ(b.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(b), ElementsAre(1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor i, Cumsum(T_<int32_t>({1, 2}), 0));
  EXPECT_EQ(i.dtype(), ScalarType::kLong);
  ASSERT_OK_AND_ASSIGN(Tensor f, Cumsum(T_<float>({1.5f, 2.5f}), 0, ScalarType::kLong));
  EXPECT_THAT(Values<int64_t>(f), ElementsAre(1, 3));
  EXPECT_THAT(Cumsum(X(), 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of [-2, 1], but got 2)"));
}

}  // namespace
}  // namespace ptser
