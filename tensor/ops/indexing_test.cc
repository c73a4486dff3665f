// Copyright ptser authors.
//
// tensor/ops/indexing_test.cc — index_select, gather, masked_fill,
// advanced indexing, index_put_, nonzero, fill_/zero_/copy_ against
// PyTorch 1.13.

#include "tensor/ops/indexing.h"

#include <cstdint>
#include <optional>
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
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

using Shape = std::vector<int64_t>;
using Indices = std::vector<std::optional<Tensor>>;

// x = torch.arange(6.).view(2, 3)
Tensor X() { return T_<float>({0, 1, 2, 3, 4, 5}, {{2, 3}}); }

TEST(IndexSelectTest, RowsAndColumns) {
  // x.index_select(1, tensor([2, 0, 2])) -> [[2, 0, 2], [5, 3, 5]]
  EXPECT_THAT(Values<float>(IndexSelect(X(), 1, T_<int64_t>({2, 0, 2}))),
              ElementsAre(2, 0, 2, 5, 3, 5));
  // x.index_select(0, tensor(1)) -> [[3, 4, 5]] (a 0-dim index keeps the dim)
  ASSERT_OK_AND_ASSIGN(Tensor r, IndexSelect(X(), 0, Scalar0<int64_t>(1)));
  EXPECT_EQ(r.sizes(), (Shape{1, 3}));
  EXPECT_THAT(Values<float>(r), ElementsAre(3, 4, 5));
  EXPECT_THAT(Values<float>(IndexSelect(X(), 0, T_<int32_t>({1, 1}))),
              ElementsAre(3, 4, 5, 3, 4, 5));
  EXPECT_THAT(IndexSelect(X(), 1, T_<int64_t>({3})),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "INDICES element is out of DATA bounds, id=3 axis_dim=3"));
  EXPECT_THAT(IndexSelect(X(), 1, T_<float>({1})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "index_select(): Expected dtype int32 or int64 for index"));
  // A 0-dim self: a 0-dim result for any number of zero indices (PyTorch
  // 1.13: tensor(7.) for three, tensor(0.) for none); it once wrote one
  // element per index into a one-element output.
  ASSERT_OK_AND_ASSIGN(Tensor three, IndexSelect(Scalar0<float>(7), 0, T_<int64_t>({0, 0, 0})));
  EXPECT_EQ(three.dim(), 0);
  EXPECT_THAT(Values<float>(three), ElementsAre(7));
  ASSERT_OK_AND_ASSIGN(Tensor none, IndexSelect(Scalar0<float>(7), 0, T_<int64_t>({})));
  EXPECT_EQ(none.dim(), 0);
  EXPECT_THAT(Values<float>(none), ElementsAre(0));
}

TEST(GatherTest, AlongDim) {
  // torch.gather(x, 1, tensor([[2, 0], [1, 1]])) -> [[2, 0], [4, 4]]
  EXPECT_THAT(Values<float>(Gather(X(), 1, T_<int64_t>({2, 0, 1, 1}, {{2, 2}}))),
              ElementsAre(2, 0, 4, 4));
  EXPECT_THAT(Gather(X(), 1, T_<int64_t>({3, 0, 1, 1}, {{2, 2}})),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "index 3 is out of bounds for dimension 1 with size 3"));
  EXPECT_THAT(Gather(X(), 1, T_<int64_t>({2, 0})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Index tensor must have the same number of dimensions as input tensor"));
  EXPECT_THAT(Gather(X(), 0, T_<int64_t>({1, 0, 1, 1}, {{1, 4}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Size does not match at dimension 1 expected index [1, 4] to be smaller "
                       "than self [2, 3] apart from dimension 0"));
}

TEST(MaskedFillTest, BroadcastsAndConverts) {
  // x.masked_fill(tensor([True, False, True]), -1) -> [[-1, 1, -1], [-1, 4, -1]]
  const Tensor mask = T_<bool>({true, false, true});
  EXPECT_THAT(Values<float>(MaskedFill(X(), mask, Scalar(-1))), ElementsAre(-1, 1, -1, -1, 4, -1));
  // An int64 tensor filled with 2.7 gets 2; a 0-dim tensor value works.
  ASSERT_OK_AND_ASSIGN(Tensor xi, MaskedFill(T_<int64_t>({0, 1, 2, 3, 4, 5}, {{2, 3}}), mask,
                                             Scalar(2.7)));
  EXPECT_THAT(Values<int64_t>(xi), ElementsAre(2, 1, 2, 2, 4, 2));
  EXPECT_THAT(Values<float>(MaskedFill(X(), mask, Scalar0<int64_t>(9))),
              ElementsAre(9, 1, 9, 9, 4, 9));
  // uint8 masks are still accepted.
  EXPECT_THAT(Values<float>(MaskedFill(X(), T_<uint8_t>({1, 0, 1}), Scalar(-1))),
              ElementsAre(-1, 1, -1, -1, 4, -1));
  // torch.zeros(3).masked_fill(tensor([[True], [False]]), 1) -> (2, 3)
  ASSERT_OK_AND_ASSIGN(Tensor b, MaskedFill(T_<float>({0, 0, 0}), T_<bool>({true, false}, {{2, 1}}),
                                            Scalar(1)));
  EXPECT_EQ(b.sizes(), (Shape{2, 3}));
  EXPECT_THAT(Values<float>(b), ElementsAre(1, 1, 1, 0, 0, 0));
  EXPECT_THAT(MaskedFillInplace(T_<float>({0, 0, 0}), T_<bool>({true, false}, {{2, 1}}), Scalar(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "output with shape [3] doesn't match the broadcast shape [2, 3]"));
  EXPECT_THAT(MaskedFill(X(), mask, T_<float>({1, 2})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                       "with 1 dimension(s)."));
}

TEST(MaskedFillTest, InplaceThroughAView) {
  Tensor x = X();
  ASSERT_OK_AND_ASSIGN(Tensor row, Select(x, 0, 1));
  ASSERT_OK(MaskedFillInplace(row, T_<bool>({false, true, false}), Scalar(-7)));
  EXPECT_THAT(Values<float>(x), ElementsAre(0, 1, 2, 3, -7, 5));
}

TEST(IndexTest, AdvancedIndexing) {
  // x[tensor([1, 0, 1])] -> rows 1, 0, 1
  EXPECT_THAT(Values<float>(Index(X(), Indices{T_<int64_t>({1, 0, 1})})),
              ElementsAre(3, 4, 5, 0, 1, 2, 3, 4, 5));
  // x[tensor([True, False])] -> [[0, 1, 2]]
  ASSERT_OK_AND_ASSIGN(Tensor m, Index(X(), Indices{T_<bool>({true, false})}));
  EXPECT_EQ(m.sizes(), (Shape{1, 3}));
  // x[x > 2] -> [3, 4, 5]
  EXPECT_THAT(Values<float>(Index(X(), Indices{T_<bool>({false, false, false, true, true, true},
                                                        {{2, 3}})})),
              ElementsAre(3, 4, 5));
  // x[:, tensor([2, -1])] -> [[2, 2], [5, 5]]
  EXPECT_THAT(Values<float>(Index(X(), Indices{std::nullopt, T_<int64_t>({2, -1})})),
              ElementsAre(2, 2, 5, 5));
  // x[tensor([[0], [1]]), tensor([0, 2])] -> [[0, 2], [3, 5]]
  ASSERT_OK_AND_ASSIGN(Tensor b, Index(X(), Indices{T_<int64_t>({0, 1}, {{2, 1}}),
                                                    T_<int64_t>({0, 2})}));
  EXPECT_EQ(b.sizes(), (Shape{2, 2}));
  EXPECT_THAT(Values<float>(b), ElementsAre(0, 2, 3, 5));
}

TEST(IndexTest, ResultLayout) {
  // torch.zeros(2, 3, 4)[:, [0, 1], [1, 2]].shape -> [2, 2];
  // torch.zeros(2, 3, 4)[[0, 1], :, [1, 2]].shape -> [2, 3]
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i) v[i] = static_cast<float>(i);
  const Tensor z = T_<float>(v, {{2, 3, 4}});
  ASSERT_OK_AND_ASSIGN(Tensor a, Index(z, Indices{std::nullopt, T_<int64_t>({0, 1}),
                                                  T_<int64_t>({1, 2})}));
  EXPECT_EQ(a.sizes(), (Shape{2, 2}));
  EXPECT_THAT(Values<float>(a), ElementsAre(1, 6, 13, 18));
  ASSERT_OK_AND_ASSIGN(Tensor b, Index(z, Indices{T_<int64_t>({0, 1}), std::nullopt,
                                                  T_<int64_t>({1, 2})}));
  EXPECT_EQ(b.sizes(), (Shape{2, 3}));
  EXPECT_THAT(Values<float>(b), ElementsAre(1, 5, 9, 14, 18, 22));
}

TEST(IndexTest, Errors) {
  EXPECT_THAT(Index(X(), Indices{T_<int64_t>({5})}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "index 5 is out of bounds for dimension 0 with size 2"));
  EXPECT_THAT(Index(X(), Indices{T_<float>({1})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "tensors used as indices must be long, byte or bool tensors"));
  EXPECT_THAT(Index(X(), Indices{T_<bool>({true, false, true})}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "The shape of the mask [3] at index 0 does not match the shape of the "
                       "indexed tensor [2, 3] at index 0"));
}

TEST(IndexPutTest, AssignAndAccumulate) {
  // x.index_put_((tensor([0, 1]), tensor([2, 2])), tensor(7.)) -> [[0, 1, 7], [3, 4, 7]]
  Tensor a = X();
  ASSERT_OK(IndexPutInplace(a, Indices{T_<int64_t>({0, 1}), T_<int64_t>({2, 2})},
                            Scalar0<float>(7)));
  EXPECT_THAT(Values<float>(a), ElementsAre(0, 1, 7, 3, 4, 7));
  // x.index_put_((tensor([0, 0]),), tensor([1., 1, 1]), accumulate=True) -> [[2, 3, 4], [3, 4, 5]]
  Tensor b = X();
  ASSERT_OK(IndexPutInplace(b, Indices{T_<int64_t>({0, 0})}, T_<float>({1, 1, 1}), true));
  EXPECT_THAT(Values<float>(b), ElementsAre(2, 3, 4, 3, 4, 5));
  // x.index_put_((x > 2,), tensor([10., 20, 30])) -> [[0, 1, 2], [10, 20, 30]]
  Tensor c = X();
  const Tensor mask = T_<bool>({false, false, false, true, true, true}, {{2, 3}});
  ASSERT_OK(IndexPutInplace(c, Indices{mask}, T_<float>({10, 20, 30})));
  EXPECT_THAT(Values<float>(c), ElementsAre(0, 1, 2, 10, 20, 30));
  EXPECT_THAT(IndexPutInplace(c, Indices{mask}, T_<float>({10, 20})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing "
                       "result of shape [3]"));
  // An int64 value into a float tensor converts; out-of-place leaves self.
  const Tensor d = X();
  ASSERT_OK_AND_ASSIGN(Tensor e, IndexPut(d, Indices{std::nullopt, T_<int64_t>({1})},
                                          Scalar0<int64_t>(-1)));
  EXPECT_THAT(Values<float>(e), ElementsAre(0, -1, 2, 3, -1, 5));
  EXPECT_THAT(Values<float>(d), ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST(NonzeroTest, Coordinates) {
  // torch.nonzero(x > 2) -> [[1, 0], [1, 1], [1, 2]]
  ASSERT_OK_AND_ASSIGN(Tensor n, Nonzero(T_<float>({0, 0, 0, 3, 4, 5}, {{2, 3}})));
  EXPECT_EQ(n.sizes(), (Shape{3, 2}));
  EXPECT_THAT(Values<int64_t>(n), ElementsAre(1, 0, 1, 1, 1, 2));
}

TEST(NonzeroTest, ABoolByteOfTwoIsTrue) {
  // torch.nonzero(torch.frombuffer(bytearray([2, 0, 1]), dtype=torch.bool))
  // -> [[0], [2]]
  ASSERT_OK_AND_ASSIGN(Tensor n, Nonzero(testing_util::BoolBytes({2, 0, 1})));
  EXPECT_EQ(n.sizes(), (Shape{2, 1}));
  EXPECT_THAT(Values<int64_t>(n), ElementsAre(0, 2));
}

TEST(FillCopyTest, WriteThroughViews) {
  Tensor x = X();
  ASSERT_OK_AND_ASSIGN(Tensor col, Select(x, 1, 0));
  ASSERT_OK(FillInplace(col, Scalar(-1)));
  EXPECT_THAT(Values<float>(x), ElementsAre(-1, 1, 2, -1, 4, 5));
  ASSERT_OK(FillInplace(x, Scalar0<double>(1.5)));
  EXPECT_THAT(Values<float>(x), ElementsAre(1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f));
  EXPECT_THAT(FillInplace(x, T_<float>({1})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "fill_ only supports 0-dimension value tensor but got tensor with 1 "
                       "dimensions."));
  ASSERT_OK_AND_ASSIGN(Tensor row, Select(x, 0, 1));
  ASSERT_OK(ZeroInplace(row));
  EXPECT_THAT(Values<float>(x), ElementsAre(1.5f, 1.5f, 1.5f, 0, 0, 0));
  // x.copy_(torch.tensor([1, 2, 3])) broadcasts and converts.
  ASSERT_OK(CopyInplace(x, T_<int64_t>({1, 2, 3})));
  EXPECT_THAT(Values<float>(x), ElementsAre(1, 2, 3, 1, 2, 3));
  EXPECT_THAT(CopyInplace(x, T_<int64_t>({1, 2})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "The expanded size of the tensor (3) must match the existing size (2) at "
                       "non-singleton dimension 1.  Target sizes: [2, 3].  Tensor sizes: [2]"));
}

}  // namespace
}  // namespace ptser
