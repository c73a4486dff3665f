// Copyright ptser authors.
//
// tensor/ops/where_test.cc — torch.where against PyTorch 1.13.

#include "tensor/ops/where.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/ops/internal/test_util.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

TEST(WhereTest, SelectsAndBroadcasts) {
  // torch.where(tensor([[True], [False]]), tensor([1, 2, 3]), tensor(0))
  //   -> tensor([[1, 2, 3], [0, 0, 0]])
  Tensor cond = T_<bool>({true, false}, {{2, 1}});
  ASSERT_OK_AND_ASSIGN(
      Tensor r, Where(cond, T_<int64_t>({1, 2, 3}), Scalar0<int64_t>(0)));
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(r), ElementsAre(1, 2, 3, 0, 0, 0));
}

TEST(WhereTest, PromotesTheTwoValues) {
  Tensor cond = T_<bool>({true, false});
  // -> tensor([1.0000, 2.5000])
  ASSERT_OK_AND_ASSIGN(Tensor a,
                       Where(cond, T_<int64_t>({1, 2}), T_<float>({1.5, 2.5})));
  EXPECT_EQ(a.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(a), ElementsAre(1.0, 2.5));
  ASSERT_OK_AND_ASSIGN(Tensor b, Where(cond, T_<int64_t>({1, 2}), 2.5));
  EXPECT_EQ(b.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(b), ElementsAre(1.0, 2.5));
  ASSERT_OK_AND_ASSIGN(Tensor c, Where(cond, 1, 2.5));
  EXPECT_EQ(c.dtype(), ScalarType::kFloat);
  ASSERT_OK_AND_ASSIGN(Tensor d, Where(cond, 1, 2));
  EXPECT_EQ(d.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(d), ElementsAre(1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor e, Where(cond, true, false));
  EXPECT_EQ(e.dtype(), ScalarType::kBool);
  // A 0-dim float64 against an int64 vector: float64.
  ASSERT_OK_AND_ASSIGN(Tensor f,
                       Where(cond, Scalar0<double>(1), T_<int64_t>({1, 2})));
  EXPECT_EQ(f.dtype(), ScalarType::kDouble);
  EXPECT_THAT(Values<double>(f), ElementsAre(1, 2));
}

TEST(WhereTest, ConditionMustBeBool) {
  Tensor x = T_<float>({1, 2});
  EXPECT_THAT(Where(T_<float>({1, 0}), x, x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "where expected condition to be a boolean tensor, but "
                       "got a tensor with dtype Float"));
  // uint8 is still accepted (deprecated in PyTorch 1.13).
  ASSERT_OK_AND_ASSIGN(Tensor r, Where(T_<uint8_t>({1, 0}), x, 0));
  EXPECT_THAT(Values<float>(r), ElementsAre(1, 0));
}

TEST(WhereTest, ShapeMismatch) {
  EXPECT_THAT(
      Where(T_<bool>({true, false}), T_<int64_t>({1, 2, 3}),
            Scalar0<int64_t>(0)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "The size of tensor a (2) must match the size of tensor b (3) "
               "at non-singleton dimension 0"));
}

}  // namespace
}  // namespace ptser
