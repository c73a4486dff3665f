// Copyright ptser authors.
//
// tensor/ops/statistics_test.cc — var, std, norm, logsumexp against
// PyTorch 1.13.

#include "tensor/ops/statistics.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/ops/internal/test_util.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::IsNan;
using testing_util::T_;
using testing_util::Values;

// x = torch.tensor([[0.5, -1.25, 3.0, 2.0], [1.5, 0.25, -2.0, 4.0],
//                   [-0.75, 2.5, 1.0, 0.0]])
Tensor X() {
  return T_<float>({0.5f, -1.25f, 3.0f, 2.0f, 1.5f, 0.25f, -2.0f, 4.0f, -0.75f, 2.5f, 1.0f, 0.0f},
                   {{3, 4}});
}

MATCHER_P(Near, v, "") { return std::fabs(arg - v) <= 2e-6 * std::max(1.0f, std::fabs(v)); }

TEST(VarStdTest, AgainstPyTorch) {
  // torch.std(x) -> 1.79157853; torch.var(x, [1]) -> [3.43229175, 6.265625, 1.97395837]
  EXPECT_THAT(Values<float>(Std(X())), ElementsAre(Near(1.79157853f)));
  EXPECT_THAT(Values<float>(Var(X(), {1})),
              ElementsAre(Near(3.43229175f), Near(6.265625f), Near(1.97395837f)));
  // torch.var(x, [0], correction=0, keepdim=True)
  //   -> [[0.847222209, 2.375, 4.22222233, 2.66666675]]
  ASSERT_OK_AND_ASSIGN(Tensor v, Var(X(), {0}, 0, true));
  EXPECT_EQ(v.sizes(), (std::vector<int64_t>{1, 4}));
  EXPECT_THAT(Values<float>(v), ElementsAre(Near(0.847222209f), Near(2.375f), Near(4.22222233f),
                                            Near(2.66666675f)));
  // torch.std(torch.tensor([1.])) -> nan; torch.var(torch.zeros(0)) -> nan
  EXPECT_THAT(Values<float>(Std(T_<float>({1}))), ElementsAre(IsNan()));
  EXPECT_THAT(Var(T_<int64_t>({1, 2})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "std and var only support floating point and complex dtypes"));
}

TEST(NormTest, AgainstPyTorch) {
  // torch.norm(x) -> 6.70354366; torch.norm(x, 1, [1]) -> [6.75, 7.75, 4.25];
  // torch.norm(x, 3) -> 5.05949783; torch.norm(x, inf, [0]) -> [1.5, 2.5, 3, 4]
  EXPECT_THAT(Values<float>(Norm(X())), ElementsAre(Near(6.70354366f)));
  EXPECT_THAT(Values<float>(Norm(X(), 1, {1})), ElementsAre(6.75f, 7.75f, 4.25f));
  EXPECT_THAT(Values<float>(Norm(X(), 3)), ElementsAre(Near(5.05949783f)));
  EXPECT_THAT(Values<float>(Norm(X(), std::numeric_limits<double>::infinity(), {0})),
              ElementsAre(1.5f, 2.5f, 3, 4));
  // torch.norm(torch.tensor([3., -4]), 0) -> 2
  EXPECT_THAT(Values<float>(Norm(T_<float>({3, -4}), 0)), ElementsAre(2));
  EXPECT_THAT(Norm(T_<int64_t>({3, 4})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "norm(): input dtype should be either floating point or complex. Got Long "
                       "instead."));
}

TEST(LogsumexpTest, AgainstPyTorch) {
  // torch.logsumexp(x, [1]) -> [3.38132858, 4.10263014, 2.79564238]; over [0, 1] -> 4.66609764
  EXPECT_THAT(Values<float>(Logsumexp(X(), {1})),
              ElementsAre(Near(3.38132858f), Near(4.10263014f), Near(2.79564238f)));
  EXPECT_THAT(Values<float>(Logsumexp(X(), {0, 1})), ElementsAre(Near(4.66609764f)));
  // torch.logsumexp(tensor([[-inf, -inf], [1000., 1000]]), 1) -> [-inf, 1000.6932]
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_THAT(Values<float>(Logsumexp(T_<float>({-inf, -inf, 1000, 1000}, {{2, 2}}), {1})),
              ElementsAre(-inf, FloatNear(1000.693147f, 1e-3f)));
  // Integers give float32: torch.logsumexp(torch.tensor([1, 2]), 0) -> 2.3133
  ASSERT_OK_AND_ASSIGN(Tensor i, Logsumexp(T_<int64_t>({1, 2}), {0}));
  EXPECT_EQ(i.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(i), ElementsAre(Near(2.31326169f)));
}

}  // namespace
}  // namespace ptser
