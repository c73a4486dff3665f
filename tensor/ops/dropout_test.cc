// Copyright ptser authors.
//
// tensor/ops/dropout_test.cc — dropout masks stream for stream with
// PyTorch 1.13's CPU generator.

#include "tensor/ops/dropout.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/generator.h"
#include "tensor/ops/internal/test_util.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;
using testing_util::T_;
using testing_util::Values;

TEST(DropoutTest, MatchesTorchAfterManualSeed) {
  // torch.manual_seed(0); torch.dropout(torch.arange(1., 11.), 0.3, True)
  Generator g(0);
  ASSERT_OK_AND_ASSIGN(Tensor d,
                       Dropout(T_<float>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 0.3, true, &g));
  EXPECT_THAT(Values<float>(d),
              ElementsAre(0, 0, FloatEq(4.285714149475098f), 0, FloatEq(7.142857551574707f), 0,
                          10, FloatEq(11.428571701049805f), FloatEq(12.85714340209961f),
                          FloatEq(14.285715103149414f)));
  // torch.manual_seed(3); torch.feature_dropout(torch.ones(2, 3, 2), 0.5, True)
  Generator h(3);
  std::vector<float> ones(12, 1.0f);
  ASSERT_OK_AND_ASSIGN(Tensor f, FeatureDropout(T_<float>(ones, {{2, 3, 2}}), 0.5, true, &h));
  EXPECT_THAT(Values<float>(f), ElementsAre(2, 2, 2, 2, 0, 0, 2, 2, 0, 0, 0, 0));
}

TEST(DropoutTest, EvalAndEdgeProbabilities) {
  const Tensor x = T_<float>({1, 2, 3});
  ASSERT_OK_AND_ASSIGN(Tensor same, Dropout(x, 0.5, false));
  EXPECT_TRUE(same.IsSameAs(x));
  // p == 1 gives zeros and draws nothing: torch.manual_seed(0);
  // torch.dropout(ones(3), 1.0, True); torch.rand(1) -> 0.4962566
  Generator g(0);
  EXPECT_THAT(Values<float>(Dropout(x, 1.0, true, &g)), ElementsAre(0, 0, 0));
  Generator fresh(0);
  EXPECT_EQ(g.Random(), fresh.Random());
  EXPECT_THAT(Dropout(x, 1.5, true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "dropout probability has to be between 0 and 1, but got 1.5"));
  Tensor y = T_<float>({1, 1, 1, 1});
  Generator k(0);
  ASSERT_OK(DropoutInplace(y, 0.5, true, &k));
  // torch.manual_seed(0); torch.ones(4).dropout_? -> the mask of bernoulli(0.5): 0, 0, 1, 0
  EXPECT_THAT(Values<float>(y), ElementsAre(0, 0, 2, 0));
}

}  // namespace
}  // namespace ptser
