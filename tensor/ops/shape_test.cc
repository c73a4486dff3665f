// Copyright ptser authors.
//
// tensor/ops/shape_test.cc — split/join/repeat/flip/... against PyTorch 1.13.

#include "tensor/ops/shape.h"

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
using ::testing::HasSubstr;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

using Shape = std::vector<int64_t>;

// torch.arange(6).view(2, 3)
Tensor A() { return T_<int64_t>({0, 1, 2, 3, 4, 5}, {{2, 3}}); }

TEST(CatTest, PromotesAndJoins) {
  // torch.cat([a, a.float() * 10], 1)
  ASSERT_OK_AND_ASSIGN(Tensor c, Cat({A(), T_<float>({0, 10, 20, 30, 40, 50}, {{2, 3}})}, 1));
  EXPECT_EQ(c.dtype(), ScalarType::kFloat);
  EXPECT_EQ(c.sizes(), (Shape{2, 6}));
  EXPECT_THAT(Values<float>(c), ElementsAre(0, 1, 2, 0, 10, 20, 3, 4, 5, 30, 40, 50));
  // A 1-D empty tensor is skipped.
  ASSERT_OK_AND_ASSIGN(Tensor s, Cat({A(), T_<int64_t>({})}, 0));
  EXPECT_EQ(s.sizes(), (Shape{2, 3}));
  // Through views: a transposed input.
  ASSERT_OK_AND_ASSIGN(Tensor at, Transpose(A(), 0, 1));
  EXPECT_THAT(Values<int64_t>(Cat({at, at}, 0)), ElementsAre(0, 3, 1, 4, 2, 5, 0, 3, 1, 4, 2, 5));
}

TEST(CatTest, Errors) {
  EXPECT_THAT(Cat({}, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                   "torch.cat(): expected a non-empty list of Tensors"));
  EXPECT_THAT(Cat({A(), T_<int64_t>({1, 2, 3})}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Tensors must have same number of dimensions: got 2 and 1"));
  EXPECT_THAT(Cat({A(), T_<int64_t>({1, 2, 3, 4, 5, 6, 7, 8}, {{2, 4}})}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Sizes of tensors must match except in dimension 0. Expected size 3 but "
                       "got size 4 for tensor number 1 in the list."));
  EXPECT_THAT(Cat({Scalar0<float>(1), Scalar0<float>(2)}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "zero-dimensional tensor (at position 0) cannot be concatenated"));
  EXPECT_THAT(Cat({A(), A()}, 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of [-2, 1], but got 2)"));
}

TEST(StackTest, NewDimension) {
  // torch.stack([tensor([1, 2]), tensor([3, 4])], 1) -> [[1, 3], [2, 4]]
  ASSERT_OK_AND_ASSIGN(Tensor s, Stack({T_<int64_t>({1, 2}), T_<int64_t>({3, 4})}, 1));
  EXPECT_EQ(s.sizes(), (Shape{2, 2}));
  EXPECT_THAT(Values<int64_t>(s), ElementsAre(1, 3, 2, 4));
  EXPECT_THAT(Stack({T_<float>({1, 2, 3}), T_<float>({1, 2})}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "stack expects each tensor to be equal size, but got [3] at entry 0 and "
                       "[2] at entry 1"));
  EXPECT_THAT(Stack({}, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                     "stack expects a non-empty TensorList"));
}

std::vector<Shape> Shapes(const absl::StatusOr<std::vector<Tensor>>& parts) {
  std::vector<Shape> out;
  if (!parts.ok()) {
    ADD_FAILURE() << parts.status();
    return out;
  }
  for (const Tensor& t : *parts) out.push_back(t.sizes());
  return out;
}

TEST(SplitTest, Pieces) {
  ASSERT_OK_AND_ASSIGN(Tensor five, Empty({5}));
  ASSERT_OK_AND_ASSIGN(Tensor six, Empty({6}));
  ASSERT_OK_AND_ASSIGN(Tensor none, Empty({0}));
  // torch.zeros(5).chunk(3) -> sizes 2, 2, 1; zeros(6).chunk(4) -> 2, 2, 2;
  // zeros(0).chunk(4) -> four of size 0
  EXPECT_THAT(Shapes(Chunk(five, 3)), ElementsAre(Shape{2}, Shape{2}, Shape{1}));
  EXPECT_THAT(Shapes(Chunk(six, 4)), ElementsAre(Shape{2}, Shape{2}, Shape{2}));
  EXPECT_THAT(Shapes(Chunk(none, 4)), ElementsAre(Shape{0}, Shape{0}, Shape{0}, Shape{0}));
  EXPECT_THAT(Shapes(Split(none, 0)), ElementsAre(Shape{0}));
  EXPECT_THAT(Chunk(five, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                       "chunk expects `chunks` to be greater than 0, got: 0"));
  EXPECT_THAT(Split(five, -1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "split expects split_size be non-negative, but got split_size=-1"));
  EXPECT_THAT(Split(five, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "split_size can only be 0 if dimension size is 0, but got dimension size "
                       "of 5"));
  EXPECT_THAT(SplitWithSizes(five, {2, 2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's "
                       "size at dimension 0), but got split_sizes=[2, 2]"));
  EXPECT_THAT(Chunk(Scalar0<float>(1), 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "chunk expects at least a 1-dimensional tensor"));
  // Huge counts: no int64 overflow in the size arithmetic, and no 2^62
  // Tensors made for a dimension with nothing behind it.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_THAT(Shapes(Split(five, kMax)), ElementsAre(Shape{5}));
  EXPECT_THAT(Shapes(Chunk(five, kMax)), ElementsAre(Shape{1}, Shape{1}, Shape{1}, Shape{1},
                                                     Shape{1}));
  EXPECT_THAT(SplitWithSizes(five, {kMax, 3}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sum exactly to 5")));
  EXPECT_THAT(Chunk(none, int64_t{1} << 62),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pieces")));
  ASSERT_OK_AND_ASSIGN(Tensor hollow, Empty({int64_t{1} << 62, 0}));
  EXPECT_THAT(Unbind(hollow), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pieces")));
  EXPECT_THAT(Repeat(five, {int64_t{1} << 62}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
}

TEST(SplitTest, PiecesAreViews) {
  Tensor a = A();
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> cols, SplitWithSizes(a, {1, 2}, 1));
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_THAT(Values<int64_t>(cols[1]), ElementsAre(1, 2, 4, 5));
  EXPECT_TRUE(cols[1].storage().IsSameAs(a.storage()));
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> rows, Unbind(a, 0));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].sizes(), (Shape{3}));
  EXPECT_THAT(Values<int64_t>(rows[1]), ElementsAre(3, 4, 5));
}

TEST(RepeatTest, Tiles) {
  // torch.arange(6).view(2, 3).repeat(2, 2)
  ASSERT_OK_AND_ASSIGN(Tensor r, Repeat(A(), {2, 2}));
  EXPECT_EQ(r.sizes(), (Shape{4, 6}));
  EXPECT_THAT(Values<int64_t>(r), ElementsAre(0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1,
                                              2, 3, 4, 5, 3, 4, 5));
  // torch.tensor([1, 2]).repeat(2, 1, 2).shape -> [2, 1, 4]
  ASSERT_OK_AND_ASSIGN(Tensor n, Repeat(T_<int64_t>({1, 2}), {2, 1, 2}));
  EXPECT_EQ(n.sizes(), (Shape{2, 1, 4}));
  EXPECT_THAT(Values<int64_t>(n), ElementsAre(1, 2, 1, 2, 1, 2, 1, 2));
  // a.t().repeat(1, 2) -> [[0, 3, 0, 3], [1, 4, 1, 4], [2, 5, 2, 5]]
  ASSERT_OK_AND_ASSIGN(Tensor at, Transpose(A(), 0, 1));
  EXPECT_THAT(Values<int64_t>(Repeat(at, {1, 2})), ElementsAre(0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5));
  EXPECT_THAT(Repeat(A(), {2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Number of dimensions of repeat dims can not be smaller than number of "
                       "dimensions of tensor"));
  EXPECT_THAT(Repeat(A(), {-1, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Trying to create tensor with negative dimension -2: [-2, 3]"));
}

TEST(UnflattenTest, ViewWithInferredSize) {
  ASSERT_OK_AND_ASSIGN(Tensor z, Empty({2, 6}));
  ASSERT_OK_AND_ASSIGN(Tensor u, Unflatten(z, 1, {-1, 2}));
  EXPECT_EQ(u.sizes(), (Shape{2, 3, 2}));
  EXPECT_TRUE(u.storage().IsSameAs(z.storage()));
  ASSERT_OK_AND_ASSIGN(Tensor five, Empty({2, 5}));
  EXPECT_THAT(Unflatten(five, 1, {2, 2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unflatten: Provided sizes [2, 2] don't multiply up to the size of dim 1 "
                       "(5) in the input tensor"));
}

TEST(MovedimTest, Permutes) {
  ASSERT_OK_AND_ASSIGN(Tensor t, Empty({2, 3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor m, Movedim(t, {0}, {-1}));
  EXPECT_EQ(m.sizes(), (Shape{3, 4, 2}));
  // movedim((0, 1), (2, 0)): shape [3, 4, 2], strides (4, 1, 12)
  ASSERT_OK_AND_ASSIGN(Tensor k, Movedim(t, {0, 1}, {2, 0}));
  EXPECT_EQ(k.sizes(), (Shape{3, 4, 2}));
  EXPECT_EQ(k.strides(), (Shape{4, 1, 12}));
}

TEST(MatrixTransposeTest, UpToTwoDims) {
  ASSERT_OK_AND_ASSIGN(Tensor t, MatrixTranspose(A()));
  EXPECT_EQ(t.sizes(), (Shape{3, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor three, Empty({2, 3, 4}));
  EXPECT_THAT(MatrixTranspose(three),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t() expects a tensor with <= 2 dimensions, but self is 3D"));
}

TEST(FlipTest, ReversesDims) {
  // a.flip(1) -> [[2, 1, 0], [5, 4, 3]]; a.flip(0, 1) -> [[5, 4, 3], [2, 1, 0]];
  // a.t().flip(0) -> [[2, 5], [1, 4], [0, 3]]
  EXPECT_THAT(Values<int64_t>(Flip(A(), {1})), ElementsAre(2, 1, 0, 5, 4, 3));
  EXPECT_THAT(Values<int64_t>(Flip(A(), {0, 1})), ElementsAre(5, 4, 3, 2, 1, 0));
  ASSERT_OK_AND_ASSIGN(Tensor at, Transpose(A(), 0, 1));
  EXPECT_THAT(Values<int64_t>(Flip(at, {0})), ElementsAre(2, 5, 1, 4, 0, 3));
  EXPECT_THAT(Flip(A(), {0, 0}), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "dim 0 appears multiple times in the list of dims"));
}

TEST(TriangleTest, TriuTril) {
  const Tensor m = T_<int64_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {{3, 4}});
  // torch.arange(12).view(3, 4).triu(1) / .tril(-1)
  EXPECT_THAT(Values<int64_t>(Triu(m, 1)), ElementsAre(0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11));
  EXPECT_THAT(Values<int64_t>(Tril(m, -1)), ElementsAre(0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0));
  Tensor f = T_<float>({1, 1, 1, 1}, {{2, 2}});
  ASSERT_OK(TriuInplace(f));
  EXPECT_THAT(Values<float>(f), ElementsAre(1, 1, 0, 1));
  EXPECT_THAT(Tril(T_<float>({1, 2, 3})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of [-1, 0], but got -2)"));
}

TEST(ContiguousTest, ChannelsLast) {
  ASSERT_OK_AND_ASSIGN(Tensor x, Arange(Scalar(0), Scalar(120)));
  ASSERT_OK_AND_ASSIGN(x, View(x, {2, 3, 4, 5}));
  // torch.zeros(2, 3, 4, 5).contiguous(memory_format=torch.channels_last).stride()
  //   -> (60, 1, 15, 3)
  ASSERT_OK_AND_ASSIGN(Tensor c, Contiguous(x, MemoryFormat::kChannelsLast));
  EXPECT_EQ(c.strides(), (Shape{60, 1, 15, 3}));
  EXPECT_TRUE(IsContiguous(c, MemoryFormat::kChannelsLast));
  EXPECT_FALSE(IsContiguous(c, MemoryFormat::kContiguous));
  EXPECT_EQ(Values<int64_t>(c), Values<int64_t>(x));
  ASSERT_OK_AND_ASSIGN(Tensor back, Contiguous(c, MemoryFormat::kContiguous));
  EXPECT_TRUE(back.is_contiguous());
  ASSERT_OK_AND_ASSIGN(Tensor same, Contiguous(c, MemoryFormat::kChannelsLast));
  EXPECT_TRUE(same.IsSameAs(c));
  ASSERT_OK_AND_ASSIGN(Tensor three, Empty({2, 3, 4}));
  EXPECT_THAT(Contiguous(three, MemoryFormat::kChannelsLast),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "required rank 4 tensor to use channels_last format"));
}

}  // namespace
}  // namespace ptser
