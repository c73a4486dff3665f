// Copyright ptser authors.
//
// tensor/ops/creation_test.cc — linspace/logspace/eye/*_like and the random
// factories against PyTorch 1.13.

#include "tensor/ops/creation.h"

#include <cmath>
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
using ::testing::ElementsAreArray;
using ::testing::FloatEq;
using testing_util::T_;
using testing_util::Values;

TEST(LinspaceTest, BitIdenticalToPyTorch) {
  // torch.linspace(0, 1, 5)
  EXPECT_THAT(Values<float>(Linspace(Scalar(0), Scalar(1), 5)),
              ElementsAre(0, 0.25f, 0.5f, 0.75f, 1));
  // torch.linspace(-1.3, 2.7, 40): 16-element vector blocks, then scalars.
  const std::vector<float> want = {
      -1.29999995f, -1.19743586f, -1.09487176f, -0.992307663f, -0.889743567f, -0.78717941f,
      -0.684615314f, -0.582051218f, -0.479487121f, -0.376923025f, -0.274358928f, -0.171794802f,
      -0.0692307055f, 0.0333334208f, 0.135897517f, 0.238461614f, 0.34102571f, 0.443589807f,
      0.546153903f, 0.648717999f, 0.751282096f, 0.853846252f, 0.956410348f, 1.0589745f,
      1.16153848f, 1.26410258f, 1.36666667f, 1.46923077f, 1.57179487f, 1.67435908f, 1.77692318f,
      1.87948728f, 1.98205137f, 2.08461547f, 2.18717957f, 2.28974366f, 2.39230776f, 2.49487185f,
      2.59743595f, 2.70000005f};
  EXPECT_THAT(Values<float>(Linspace(Scalar(-1.3), Scalar(2.7), 40)), ElementsAreArray(want));
  // torch.linspace(0, 10, 7, dtype=torch.int64) -> [0, 1, 3, 5, 6, 8, 10]
  EXPECT_THAT(Values<int64_t>(Linspace(Scalar(0), Scalar(10), 7, ScalarType::kLong)),
              ElementsAre(0, 1, 3, 5, 6, 8, 10));
  EXPECT_THAT(Values<float>(Linspace(Scalar(0), Scalar(1), 1)), ElementsAre(0));
  EXPECT_THAT(Linspace(Scalar(0), Scalar(1), -1),
              StatusIs(absl::StatusCode::kInvalidArgument, "number of steps must be non-negative"));
}

TEST(LogspaceTest, AgainstPyTorch) {
  // torch.logspace(0, 2, 5) -> [1, 3.1622777, 10, 31.622776, 100];
  // torch.logspace(-1, 1, 4, base=2) -> [0.5, 0.793700516, 1.25992107, 2]
  EXPECT_THAT(Values<float>(Logspace(Scalar(0), Scalar(2), 5)),
              ElementsAre(1, FloatEq(3.1622777f), 10, FloatEq(31.622776f), 100));
  EXPECT_THAT(Values<float>(Logspace(Scalar(-1), Scalar(1), 4, 2.0)),
              ElementsAre(0.5f, FloatEq(0.793700516f), FloatEq(1.25992107f), 2));
}

TEST(EyeTest, Rectangular) {
  ASSERT_OK_AND_ASSIGN(Tensor e, Eye(2, 3, ScalarType::kInt));
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(Values<int32_t>(e), ElementsAre(1, 0, 0, 0, 1, 0));
  EXPECT_THAT(Eye(-1), StatusIs(absl::StatusCode::kInvalidArgument,
                                "n must be greater or equal to 0, got -1"));
}

TEST(LikeTest, ShapesAndDtypes) {
  const Tensor t = T_<int64_t>({1, 2, 3, 4, 5, 6}, {{2, 3}});
  ASSERT_OK_AND_ASSIGN(Tensor o, OnesLike(t, ScalarType::kInt));
  EXPECT_EQ(o.dtype(), ScalarType::kInt);
  EXPECT_THAT(Values<int32_t>(o), ElementsAre(1, 1, 1, 1, 1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor f, FullLike(T_<float>({1, 2}), Scalar(2.5)));
  EXPECT_THAT(Values<float>(f), ElementsAre(2.5f, 2.5f));
  ASSERT_OK_AND_ASSIGN(Tensor z, ZerosLike(t));
  EXPECT_EQ(z.sizes(), t.sizes());
  EXPECT_EQ(z.dtype(), ScalarType::kLong);
}

TEST(RandomTest, MatchesTorchAfterManualSeed) {
  // torch.manual_seed(0); torch.rand(3) -> [0.49625659, 0.768221796, 0.0884774327]
  Generator g(0);
  EXPECT_THAT(Values<float>(Rand({3}, ScalarType::kFloat, &g)),
              ElementsAre(FloatEq(0.49625659f), FloatEq(0.768221796f), FloatEq(0.0884774327f)));
  // torch.manual_seed(0); torch.randint(3, 10, (5,)) -> [7, 6, 3, 5, 4]
  Generator h(0);
  EXPECT_THAT(Values<int64_t>(Randint(3, 10, {5}, ScalarType::kLong, &h)),
              ElementsAre(7, 6, 3, 5, 4));
  // torch.manual_seed(0); torch.randint(0, 2**40, (3,)) -> 64-bit draws
  Generator k(0);
  EXPECT_THAT(Values<int64_t>(Randint(0, int64_t{1} << 40, {3}, ScalarType::kLong, &k)),
              ElementsAre(741280623151, 506137267392, 291447657211));
  // torch.manual_seed(0); torch.randn(3) -> [1.54099607, -0.293428898, -2.17878938]
  Generator n(0);
  EXPECT_THAT(Values<float>(Randn({3}, ScalarType::kFloat, &n)),
              ElementsAre(FloatEq(1.54099607f), FloatEq(-0.293428898f), FloatEq(-2.17878938f)));
  EXPECT_THAT(Randint(5, 5, {2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"));
}

}  // namespace
}  // namespace ptser
