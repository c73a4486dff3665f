// Copyright ptser authors.
//
// tensor/ops/embedding_test.cc — torch.embedding against PyTorch 1.13.

#include "tensor/ops/embedding.h"

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

TEST(EmbeddingTest, Rows) {
  // torch.embedding(tensor([[0., 1], [2, 3], [4, 5]]), tensor([[2, 0], [1, 2]]))
  const Tensor w = T_<float>({0, 1, 2, 3, 4, 5}, {{3, 2}});
  ASSERT_OK_AND_ASSIGN(Tensor e, Embedding(w, T_<int64_t>({2, 0, 1, 2}, {{2, 2}})));
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_THAT(Values<float>(e), ElementsAre(4, 5, 0, 1, 2, 3, 4, 5));
  // int32 indices and a transposed weight work too.
  ASSERT_OK_AND_ASSIGN(Tensor wt, Transpose(T_<float>({0, 2, 4, 1, 3, 5}, {{2, 3}}), 0, 1));
  EXPECT_THAT(Values<float>(Embedding(wt, T_<int32_t>({1}))), ElementsAre(2, 3));
}

TEST(EmbeddingTest, Errors) {
  const Tensor w = T_<float>({0, 1, 2, 3, 4, 5}, {{3, 2}});
  EXPECT_THAT(Embedding(w, T_<int64_t>({3})),
              StatusIs(absl::StatusCode::kOutOfRange, "index out of range in self"));
  EXPECT_THAT(Embedding(w, T_<int64_t>({-1})),
              StatusIs(absl::StatusCode::kOutOfRange, "index out of range in self"));
  EXPECT_THAT(Embedding(w, T_<float>({1})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected tensor for argument #1 'indices' to have one of the following "
                       "scalar types: Long, Int; but got torch.FloatTensor instead (while "
                       "checking arguments for embedding)"));
  EXPECT_THAT(Embedding(T_<float>({1, 2}), T_<int64_t>({1})),
              StatusIs(absl::StatusCode::kInvalidArgument, "'weight' must be 2-D"));
}

}  // namespace
}  // namespace ptser
