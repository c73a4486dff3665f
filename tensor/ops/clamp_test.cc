// Copyright ptser authors.
//
// tensor/ops/clamp_test.cc — torch.clamp against PyTorch 1.13.

#include "tensor/ops/clamp.h"

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
using ::testing::IsNan;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

TEST(ClampTest, ScalarBounds) {
  // i = torch.tensor([-7, 7, 3, 0]); x = torch.tensor([-7.5, nan, 3., 0.])
  const Tensor i = T_<int64_t>({-7, 7, 3, 0});
  const Tensor x = T_<float>({-7.5f, kNan, 3, 0});
  // torch.clamp(i, -1, 2) -> [-1, 2, 2, 0] (int64)
  ASSERT_OK_AND_ASSIGN(Tensor a, Clamp(i, Scalar(-1), Scalar(2)));
  EXPECT_EQ(a.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(a), ElementsAre(-1, 2, 2, 0));
  // torch.clamp(i, 0.5) -> [0.5, 7, 3, 0.5] (float32)
  ASSERT_OK_AND_ASSIGN(Tensor b, Clamp(i, Scalar(0.5), std::nullopt));
  EXPECT_EQ(b.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(b), ElementsAre(0.5f, 7, 3, 0.5f));
  // torch.clamp(x, -1, 2) -> [-1., nan, 2., 0.]; torch.clamp(x, 2, -1) -> [-1, nan, -1, -1]
  EXPECT_THAT(Values<float>(Clamp(x, Scalar(-1), Scalar(2))), ElementsAre(-1, IsNan(), 2, 0));
  EXPECT_THAT(Values<float>(Clamp(x, Scalar(2), Scalar(-1))), ElementsAre(-1, IsNan(), -1, -1));
  // torch.clamp(x, nan, 2) -> all nan
  EXPECT_THAT(Values<float>(Clamp(x, Scalar(double{kNan}), Scalar(2))),
              ElementsAre(IsNan(), IsNan(), IsNan(), IsNan()));
  EXPECT_THAT(Clamp(x, std::optional<Scalar>(), std::optional<Scalar>()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "torch.clamp: At least one of 'min' or 'max' must not be None"));
  EXPECT_THAT(Clamp(T_<bool>({true}), Scalar(true), Scalar(true)),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"clamp_scalar_cpu\" not implemented for 'Bool'"));
  // torch.clamp_min(i, 2.5) -> [2.5, 7, 3, 2.5]
  EXPECT_THAT(Values<float>(ClampMin(i, Scalar(2.5))), ElementsAre(2.5f, 7, 3, 2.5f));
  EXPECT_THAT(Values<int64_t>(ClampMax(i, Scalar(1))), ElementsAre(-7, 1, 1, 0));
}

TEST(ClampTest, TensorBoundsBroadcast) {
  // torch.clamp(x, min=torch.tensor([0., 1, 5, -1])) -> [0., nan, 5., 0.]
  const Tensor x = T_<float>({-7.5f, kNan, 3, 0});
  EXPECT_THAT(Values<float>(Clamp(x, T_<float>({0, 1, 5, -1}), std::nullopt)),
              ElementsAre(0, IsNan(), 5, 0));
  // torch.clamp(torch.tensor([1., 2]), min=torch.tensor([[0.], [5]]))
  //   -> [[1., 2.], [5., 5.]]
  ASSERT_OK_AND_ASSIGN(Tensor b, Clamp(T_<float>({1, 2}), T_<float>({0, 5}, {{2, 1}}),
                                       std::nullopt));
  EXPECT_EQ(b.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_THAT(Values<float>(b), ElementsAre(1, 2, 5, 5));
  // torch.clamp(i, torch.tensor(1.5)) -> float32
  ASSERT_OK_AND_ASSIGN(Tensor c, Clamp(T_<int64_t>({-7, 7}), Scalar0<float>(1.5f), std::nullopt));
  EXPECT_EQ(c.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(c), ElementsAre(1.5f, 7));
  // torch.clamp(torch.tensor([True, False]), min=torch.tensor([True])) -> [True, True]
  EXPECT_THAT(Values<bool>(Clamp(T_<bool>({true, false}), T_<bool>({true}), std::nullopt)),
              ElementsAre(true, true));
  EXPECT_THAT(ClampInplace(T_<float>({1, 2}), T_<float>({0, 5}, {{2, 1}}), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "output with shape [2] doesn't match the broadcast shape [2, 2]"));
}

TEST(ClampTest, InplaceThroughAView) {
  Tensor base = T_<float>({-3, 9, -3, 9});
  ASSERT_OK_AND_ASSIGN(Tensor odd, Slice(base, 0, 1, std::nullopt, 2));
  ASSERT_OK(ClampInplace(odd, Scalar(0), Scalar(6)));
  EXPECT_THAT(Values<float>(base), ElementsAre(-3, 6, -3, 6));
  ASSERT_OK(ClampMinInplace(base, T_<float>({0})));
  EXPECT_THAT(Values<float>(base), ElementsAre(0, 6, 0, 6));
  Tensor i = T_<int64_t>({1});
  EXPECT_THAT(ClampInplace(i, Scalar(0.5), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Float can't be cast to the desired output type Long"));
}

}  // namespace
}  // namespace ptser
