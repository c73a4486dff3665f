// Copyright ptser authors.
//
// tensor/ops/activation_test.cc — relu against PyTorch 1.13.

#include "tensor/ops/activation.h"

#include <cmath>
#include <complex>
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
using testing_util::T_;
using testing_util::Values;

TEST(ReluTest, Floats) {
  // torch.relu(tensor([-1., nan, -0.0, 2.])) -> tensor([0., nan, -0., 2.])
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_OK_AND_ASSIGN(Tensor r, Relu(T_<float>({-1, nan, -0.0f, 2})));
  std::vector<float> v = Values<float>(r);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], 0);
  EXPECT_THAT(v[1], IsNan());
  EXPECT_EQ(v[2], 0);
  EXPECT_TRUE(std::signbit(v[2]));
  EXPECT_EQ(v[3], 2);
}

TEST(ReluTest, IntegersKeepDtype) {
  ASSERT_OK_AND_ASSIGN(Tensor r, Relu(T_<int64_t>({-1, 2})));
  EXPECT_EQ(r.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(r), ElementsAre(0, 2));
  ASSERT_OK_AND_ASSIGN(Tensor u, Relu(T_<uint8_t>({1, 2})));
  EXPECT_EQ(u.dtype(), ScalarType::kByte);
  EXPECT_THAT(Values<int64_t>(u), ElementsAre(1, 2));
}

TEST(ReluTest, Errors) {
  EXPECT_THAT(Relu(T_<bool>({true})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Boolean inputs not supported for relu"));
  EXPECT_THAT(Relu(T_<std::complex<float>>({{0, 1}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "clamp is not supported for complex types"));
}

TEST(ReluTest, InPlaceThroughAView) {
  Tensor base = T_<float>({-1, -2, 3, -4});
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(base, 0, 1));
  ASSERT_OK(ReluInplace(tail));
  EXPECT_THAT(Values<float>(base), ElementsAre(-1, 0, 3, 0));
}

}  // namespace
}  // namespace ptser
