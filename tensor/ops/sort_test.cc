// Copyright ptser authors.
//
// tensor/ops/sort_test.cc — sort and topk against PyTorch 1.13.

#include "tensor/ops/sort.h"

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
using ::testing::IsNan;
using testing_util::T_;
using testing_util::Values;

Tensor X() {
  return T_<float>({0.5f, -1.25f, 3.0f, 2.0f, 1.5f, 0.25f, -2.0f, 4.0f, -0.75f, 2.5f, 1.0f, 0.0f},
                   {{3, 4}});
}

TEST(SortTest, AlongEachDim) {
  // torch.sort(x, 1, descending=True)
  ASSERT_OK_AND_ASSIGN(SortResult d, Sort(X(), 1, true));
  EXPECT_THAT(Values<float>(d.values),
              ElementsAre(3, 2, 0.5f, -1.25f, 4, 1.5f, 0.25f, -2, 2.5f, 1, 0, -0.75f));
  EXPECT_THAT(Values<int64_t>(d.indices), ElementsAre(2, 3, 0, 1, 3, 0, 1, 2, 1, 2, 3, 0));
  // torch.sort(x, 0)
  ASSERT_OK_AND_ASSIGN(SortResult a, Sort(X(), 0));
  EXPECT_EQ(a.values.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_THAT(Values<float>(a.values),
              ElementsAre(-0.75f, -1.25f, -2, 0, 0.5f, 0.25f, 1, 2, 1.5f, 2.5f, 3, 4));
  EXPECT_THAT(Values<int64_t>(a.indices), ElementsAre(2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1));
}

TEST(SortTest, NanLastAndStable) {
  // torch.sort(torch.tensor([3., 1, nan, 2])) -> [1, 2, 3, nan], [1, 3, 0, 2]
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_OK_AND_ASSIGN(SortResult s, Sort(T_<float>({3, 1, nan, 2})));
  EXPECT_THAT(Values<float>(s.values), ElementsAre(1, 2, 3, IsNan()));
  EXPECT_THAT(Values<int64_t>(s.indices), ElementsAre(1, 3, 0, 2));
  // torch.sort(torch.tensor([2, 1, 2, 1]), stable=True, descending=True) -> [0, 2, 1, 3]
  EXPECT_THAT(Values<int64_t>(Argsort(T_<int64_t>({2, 1, 2, 1}), -1, true)),
              ElementsAre(0, 2, 1, 3));
}

TEST(TopkTest, LargestAndSmallest) {
  // torch.topk(x, 2, 0) -> values [[1.5, 2.5, 3, 4], [0.5, 0.25, 1, 2]],
  //                        indices [[1, 2, 0, 1], [0, 1, 2, 0]]
  ASSERT_OK_AND_ASSIGN(SortResult t, Topk(X(), 2, 0));
  EXPECT_EQ(t.values.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_THAT(Values<float>(t.values), ElementsAre(1.5f, 2.5f, 3, 4, 0.5f, 0.25f, 1, 2));
  EXPECT_THAT(Values<int64_t>(t.indices), ElementsAre(1, 2, 0, 1, 0, 1, 2, 0));
  // torch.topk(torch.tensor([3., 1, 5, 2]), 2, largest=False) -> [1, 2], [1, 3]
  ASSERT_OK_AND_ASSIGN(SortResult s, Topk(T_<float>({3, 1, 5, 2}), 2, -1, false));
  EXPECT_THAT(Values<float>(s.values), ElementsAre(1, 2));
  EXPECT_THAT(Values<int64_t>(s.indices), ElementsAre(1, 3));
  EXPECT_THAT(Topk(T_<float>({1}), 2),
              StatusIs(absl::StatusCode::kInvalidArgument, "selected index k out of range"));
}

}  // namespace
}  // namespace ptser
