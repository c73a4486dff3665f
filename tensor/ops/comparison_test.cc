// Copyright ptser authors.
//
// tensor/ops/comparison_test.cc — eq/ne/lt/le/gt/ge against PyTorch 1.13.

#include "tensor/ops/comparison.h"

#include <complex>
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
using testing_util::T_;
using testing_util::Values;

// Expected rows printed by torch.eq/ne/lt/le/gt/ge(a, b).int().
TEST(ComparisonTest, AllSixWithBroadcasting) {
  Tensor a = T_<int64_t>({1, 2, 3, 4, 5, 6}, {{2, 3}});
  Tensor b = T_<int64_t>({2, 2, 5});
  ASSERT_OK_AND_ASSIGN(Tensor eq, Eq(a, b));
  EXPECT_EQ(eq.dtype(), ScalarType::kBool);
  EXPECT_EQ(eq.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(Values<bool>(eq), ElementsAre(0, 1, 0, 0, 0, 0));
  EXPECT_THAT(Values<bool>(Ne(a, b)), ElementsAre(1, 0, 1, 1, 1, 1));
  EXPECT_THAT(Values<bool>(Lt(a, b)), ElementsAre(1, 0, 1, 0, 0, 0));
  EXPECT_THAT(Values<bool>(Le(a, b)), ElementsAre(1, 1, 1, 0, 0, 0));
  EXPECT_THAT(Values<bool>(Gt(a, b)), ElementsAre(0, 0, 0, 1, 1, 1));
  EXPECT_THAT(Values<bool>(Ge(a, b)), ElementsAre(0, 1, 0, 1, 1, 1));
}

TEST(ComparisonTest, ComparesInThePromotedDtype) {
  Tensor i = T_<int64_t>({1, 2, 3});
  // torch.eq(i, f) -> tensor([True, True, True])
  EXPECT_THAT(Values<bool>(Eq(i, T_<float>({1, 2, 3}))),
              ElementsAre(true, true, true));
  // torch.lt(i, 2.5) -> tensor([ True,  True, False])
  EXPECT_THAT(Values<bool>(Lt(i, 2.5)), ElementsAre(true, true, false));
  // torch.eq(b, 1) -> tensor([ True, False,  True])
  EXPECT_THAT(Values<bool>(Eq(T_<bool>({true, false, true}), 1)),
              ElementsAre(true, false, true));
  // torch.eq(uint8 [255], -1) -> tensor([True]): -1 becomes uint8 255.
  EXPECT_THAT(Values<bool>(Eq(T_<uint8_t>({255}), -1)), ElementsAre(true));
}

TEST(ComparisonTest, NanComparesUnequal) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor f = T_<float>({nan, 1});
  EXPECT_THAT(Values<bool>(Eq(f, f)), ElementsAre(false, true));
  EXPECT_THAT(Values<bool>(Ne(f, f)), ElementsAre(true, false));
  EXPECT_THAT(Values<bool>(Ge(f, 0)), ElementsAre(false, true));
}

TEST(ComparisonTest, ComplexSupportsOnlyEquality) {
  using C = std::complex<float>;
  Tensor c = T_<C>({C(0, 1)});
  EXPECT_THAT(Values<bool>(Eq(c, std::complex<double>(0, 1))),
              ElementsAre(true));
  EXPECT_THAT(Lt(c, 1),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"lt_cpu\" not implemented for 'ComplexFloat'"));
}

}  // namespace
}  // namespace ptser
