// Copyright ptser authors.
//
// tensor/ops/reduction_test.cc — sum/mean/max against PyTorch 1.13.

#include "tensor/ops/reduction.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/half.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::IsNan;
using testing_util::BoolBytes;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

// i = torch.tensor([[1, 2, 3], [4, 5, 6]]); f = i.float()
Tensor I() { return T_<int64_t>({1, 2, 3, 4, 5, 6}, {{2, 3}}); }
Tensor F() { return T_<float>({1, 2, 3, 4, 5, 6}, {{2, 3}}); }

TEST(SumTest, ABoolByteOfTwoCountsOnce) {
  // torch.frombuffer(bytearray([2, 0, 1]), dtype=torch.bool).sum() -> tensor(2)
  EXPECT_THAT(Values<int64_t>(Sum(BoolBytes({2, 0, 1}))), ElementsAre(2));
}

TEST(SumTest, IntegersAndBoolsSumToInt64) {
  ASSERT_OK_AND_ASSIGN(Tensor s, Sum(I()));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(s), ElementsAre(21));
  ASSERT_OK_AND_ASSIGN(Tensor b, Sum(T_<bool>({true, false, true})));
  EXPECT_EQ(b.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(b), ElementsAre(2));
  ASSERT_OK_AND_ASSIGN(Tensor u, Sum(T_<uint8_t>({200, 100})));
  EXPECT_EQ(u.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(u), ElementsAre(300));
  ASSERT_OK_AND_ASSIGN(Tensor i32, Sum(T_<int32_t>({1, 2, 3})));
  EXPECT_EQ(i32.dtype(), ScalarType::kLong);
  // dtype= converts first.
  ASSERT_OK_AND_ASSIGN(Tensor d, Sum(I(), ScalarType::kDouble));
  EXPECT_EQ(d.dtype(), ScalarType::kDouble);
  EXPECT_THAT(Values<double>(d), ElementsAre(21));
}

TEST(SumTest, FloatingKeepsDtype) {
  ASSERT_OK_AND_ASSIGN(Tensor h, Sum(T_<Half>({Half(1.5f)})));
  EXPECT_EQ(h.dtype(), ScalarType::kHalf);
  EXPECT_THAT(Values<float>(h), ElementsAre(1.5f));
  using C = std::complex<float>;
  ASSERT_OK_AND_ASSIGN(Tensor c, Sum(T_<C>({C(1, 2), C(0.5, -1)})));
  EXPECT_EQ(c.dtype(), ScalarType::kComplexFloat);
  EXPECT_THAT(Values<C>(c), ElementsAre(C(1.5, 1)));
}

TEST(SumTest, OverDims) {
  // f.sum(1) -> tensor([ 6., 15.])
  ASSERT_OK_AND_ASSIGN(Tensor a, Sum(F(), {1}));
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2}));
  EXPECT_THAT(Values<float>(a), ElementsAre(6, 15));
  // f.sum(1, keepdim=True) -> [[6.], [15.]]
  ASSERT_OK_AND_ASSIGN(Tensor b, Sum(F(), {1}, /*keepdim=*/true));
  EXPECT_EQ(b.sizes(), (std::vector<int64_t>{2, 1}));
  EXPECT_THAT(Values<float>(b), ElementsAre(6, 15));
  ASSERT_OK_AND_ASSIGN(Tensor c, Sum(F(), {0, 1}));
  EXPECT_EQ(c.dim(), 0);
  EXPECT_THAT(Values<float>(c), ElementsAre(21));
  ASSERT_OK_AND_ASSIGN(Tensor d, Sum(F(), {-2}));
  EXPECT_THAT(Values<float>(d), ElementsAre(5, 7, 9));
  // f.sum(()) reduces everything; with keepdim -> [[21.]]
  ASSERT_OK_AND_ASSIGN(Tensor e, Sum(F(), {}, /*keepdim=*/true));
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{1, 1}));
  EXPECT_THAT(Values<float>(e), ElementsAre(21));
  // torch.arange(24).reshape(2, 3, 4).sum((0, 2)) -> tensor([ 60,  92, 124])
  ASSERT_OK_AND_ASSIGN(Tensor r, Arange(24));
  ASSERT_OK_AND_ASSIGN(r, View(r, {2, 3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor g, Sum(r, {0, 2}));
  EXPECT_THAT(Values<int64_t>(g), ElementsAre(60, 92, 124));
  // Over a non-contiguous view: r.transpose(0, 2).sum((1, 2)).
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(r, 0, 2));  // (4, 3, 2)
  ASSERT_OK_AND_ASSIGN(Tensor h, Sum(t, {1, 2}));
  EXPECT_THAT(Values<int64_t>(h), ElementsAre(60, 66, 72, 78));
}

TEST(SumTest, DimErrors) {
  EXPECT_THAT(Sum(F(), {0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "dim 0 appears multiple times in the list of dims"));
  EXPECT_THAT(Sum(F(), {1, -1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "dim 1 appears multiple times in the list of dims"));
  EXPECT_THAT(Sum(F(), {2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of "
                       "[-2, 1], but got 2)"));
  EXPECT_THAT(Sum(F(), {-3}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of "
                       "[-2, 1], but got -3)"));
  EXPECT_THAT(Sum(Scalar0<float>(5), {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of "
                       "[-1, 0], but got 1)"));
}

TEST(SumTest, ZeroDimAndEmpty) {
  ASSERT_OK_AND_ASSIGN(Tensor a, Sum(Scalar0<float>(5), {0}));
  EXPECT_EQ(a.dim(), 0);
  EXPECT_THAT(Values<float>(a), ElementsAre(5));
  ASSERT_OK_AND_ASSIGN(Tensor b, Sum(Scalar0<float>(5), {-1}));
  EXPECT_THAT(Values<float>(b), ElementsAre(5));
  ASSERT_OK_AND_ASSIGN(Tensor e, Zeros({0, 3}));
  // torch.zeros(0, 3).sum(0) -> tensor([0., 0., 0.])
  ASSERT_OK_AND_ASSIGN(Tensor c, Sum(e, {0}));
  EXPECT_EQ(c.sizes(), (std::vector<int64_t>{3}));
  EXPECT_THAT(Values<float>(c), ElementsAre(0, 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor d, Sum(e));
  EXPECT_THAT(Values<float>(d), ElementsAre(0));
}

TEST(SumTest, FloatSumsAccumulateInDouble) {
  // torch.full((10000,), 0.1).sum() gives 1000.0001220703125 (pairwise
  // float32 sums); ptser's double accumulator gives the correctly rounded
  // 1000.0 (the exact sum is 1000.0000149...).
  ASSERT_OK_AND_ASSIGN(Tensor t, Full({10000}, 0.1));
  ASSERT_OK_AND_ASSIGN(Tensor s, Sum(t));
  EXPECT_THAT(Values<double>(s), ElementsAre(1000.0));
}

TEST(MeanTest, FloatingOnly) {
  const char kLong[] =
      "mean(): could not infer output dtype. Input dtype must be either a "
      "floating point or complex dtype. Got: Long";
  EXPECT_THAT(Mean(I()), StatusIs(absl::StatusCode::kInvalidArgument, kLong));
  EXPECT_THAT(Mean(I(), {0}),
              StatusIs(absl::StatusCode::kInvalidArgument, kLong));
  EXPECT_THAT(Mean(T_<bool>({true})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::EndsWith("Got: Bool")));
  // f.mean(0) -> tensor([2.5000, 3.5000, 4.5000])
  ASSERT_OK_AND_ASSIGN(Tensor m, Mean(F(), {0}));
  EXPECT_THAT(Values<float>(m), ElementsAre(2.5, 3.5, 4.5));
  // f.mean((0, 1), keepdim=True) -> tensor([[3.5000]])
  ASSERT_OK_AND_ASSIGN(Tensor k, Mean(F(), {0, 1}, /*keepdim=*/true));
  EXPECT_EQ(k.sizes(), (std::vector<int64_t>{1, 1}));
  EXPECT_THAT(Values<float>(k), ElementsAre(3.5));
  // torch.zeros(0).mean() -> tensor(nan)
  ASSERT_OK_AND_ASSIGN(Tensor z, Zeros({0}));
  ASSERT_OK_AND_ASSIGN(Tensor n, Mean(z));
  EXPECT_THAT(Values<float>(n), ElementsAre(IsNan()));
  // An int tensor with dtype=float works (torch.mean(i, dtype=torch.float)).
  ASSERT_OK_AND_ASSIGN(Tensor c, Mean(I(), ScalarType::kFloat));
  EXPECT_THAT(Values<float>(c), ElementsAre(3.5));
}

TEST(MaxTest, AllElements) {
  ASSERT_OK_AND_ASSIGN(Tensor m, Max(F()));
  EXPECT_EQ(m.dim(), 0);
  EXPECT_THAT(Values<float>(m), ElementsAre(6));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ASSERT_OK_AND_ASSIGN(Tensor n, Max(T_<float>({1, nan, 3})));
  EXPECT_THAT(Values<float>(n), ElementsAre(IsNan()));
  ASSERT_OK_AND_ASSIGN(Tensor i, Max(T_<float>({-inf})));
  EXPECT_THAT(Values<float>(i), ElementsAre(-inf));
  ASSERT_OK_AND_ASSIGN(Tensor b, Max(T_<bool>({false, true, false})));
  EXPECT_EQ(b.dtype(), ScalarType::kBool);
  EXPECT_THAT(Values<bool>(b), ElementsAre(true));
  ASSERT_OK_AND_ASSIGN(Tensor h, Max(T_<Half>({Half(1.0f), Half(2.5f)})));
  EXPECT_EQ(h.dtype(), ScalarType::kHalf);
  EXPECT_THAT(Values<float>(h), ElementsAre(2.5));
  ASSERT_OK_AND_ASSIGN(Tensor z, Zeros({0}));
  EXPECT_THAT(Max(z), StatusIs(absl::StatusCode::kInvalidArgument,
                               "max(): Expected reduction dim to be specified "
                               "for input.numel() == 0. Specify the reduction "
                               "dim with the 'dim' argument."));
  using C = std::complex<float>;
  EXPECT_THAT(Max(T_<C>({C(1, 2)})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"max_all\" not implemented for 'ComplexFloat'"));
}

TEST(MaxTest, OverADim) {
  // f.max(1) -> values=tensor([3., 6.]), indices=tensor([2, 2])
  ASSERT_OK_AND_ASSIGN(MaxResult a, Max(F(), 1));
  EXPECT_EQ(a.values.dtype(), ScalarType::kFloat);
  EXPECT_EQ(a.indices.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<float>(a.values), ElementsAre(3, 6));
  EXPECT_THAT(Values<int64_t>(a.indices), ElementsAre(2, 2));
  // f.max(0, keepdim=True) -> values=[[4., 5., 6.]], indices=[[1, 1, 1]]
  ASSERT_OK_AND_ASSIGN(MaxResult b, Max(F(), 0, /*keepdim=*/true));
  EXPECT_EQ(b.values.sizes(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(b.indices.sizes(), (std::vector<int64_t>{1, 3}));
  EXPECT_THAT(Values<float>(b.values), ElementsAre(4, 5, 6));
  EXPECT_THAT(Values<int64_t>(b.indices), ElementsAre(1, 1, 1));
  // Ties: the first; NaN: the first NaN.
  ASSERT_OK_AND_ASSIGN(MaxResult c, Max(T_<int64_t>({1, 3, 3, 2, 3}), 0));
  EXPECT_THAT(Values<int64_t>(c.values), ElementsAre(3));
  EXPECT_THAT(Values<int64_t>(c.indices), ElementsAre(1));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_OK_AND_ASSIGN(MaxResult d, Max(T_<float>({1, nan, 3, nan}), 0));
  EXPECT_THAT(Values<float>(d.values), ElementsAre(IsNan()));
  EXPECT_THAT(Values<int64_t>(d.indices), ElementsAre(1));
  // 0-dim input, dim 0.
  ASSERT_OK_AND_ASSIGN(MaxResult e, Max(Scalar0<int64_t>(4), 0));
  EXPECT_EQ(e.values.dim(), 0);
  EXPECT_THAT(Values<int64_t>(e.values), ElementsAre(4));
  EXPECT_THAT(Values<int64_t>(e.indices), ElementsAre(0));
  // Negative dim over a transposed view.
  ASSERT_OK_AND_ASSIGN(Tensor ft, Transpose(F(), 0, 1));
  ASSERT_OK_AND_ASSIGN(MaxResult g, Max(ft, -1));
  EXPECT_THAT(Values<float>(g.values), ElementsAre(4, 5, 6));
  EXPECT_THAT(Values<int64_t>(g.indices), ElementsAre(1, 1, 1));
}

TEST(MaxTest, DimErrorsAndEmpty) {
  ASSERT_OK_AND_ASSIGN(Tensor e, Zeros({0, 3}));
  EXPECT_THAT(Max(e, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                  "max(): Expected reduction dim 0 to have "
                                  "non-zero size."));
  // torch.zeros(0, 3).max(1) -> empty values and indices
  ASSERT_OK_AND_ASSIGN(MaxResult r, Max(e, 1));
  EXPECT_EQ(r.values.sizes(), (std::vector<int64_t>{0}));
  EXPECT_EQ(r.indices.sizes(), (std::vector<int64_t>{0}));
  EXPECT_THAT(Max(F(), 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Dimension out of range (expected to be in range of "
                       "[-2, 1], but got 2)"));
}


// x = torch.tensor([[0.5, -1.25, 3.0, 2.0], [1.5, 0.25, -2.0, 4.0],
//                   [-0.75, 2.5, 1.0, 0.0]])
Tensor X() {
  return T_<float>({0.5f, -1.25f, 3.0f, 2.0f, 1.5f, 0.25f, -2.0f, 4.0f, -0.75f, 2.5f, 1.0f, 0.0f},
                   {{3, 4}});
}

TEST(MinTest, ValuesAndIndices) {
  // torch.min(x, 0, True) -> values [[-0.75, -1.25, -2.0, 0.0]], indices [[2, 0, 1, 2]]
  ASSERT_OK_AND_ASSIGN(MaxResult m, Min(X(), 0, true));
  EXPECT_EQ(m.values.sizes(), (std::vector<int64_t>{1, 4}));
  EXPECT_THAT(Values<float>(m.values), ElementsAre(-0.75f, -1.25f, -2.0f, 0.0f));
  EXPECT_THAT(Values<int64_t>(m.indices), ElementsAre(2, 0, 1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor all, Min(X()));
  EXPECT_EQ(all.dim(), 0);
  EXPECT_THAT(Values<float>(all), ElementsAre(-2.0f));
  // torch.min(torch.tensor([True, False])) -> tensor(False)
  EXPECT_THAT(Values<bool>(Min(T_<bool>({true, false}))), ElementsAre(false));
}

TEST(ArgmaxTest, FlatAndAlongDim) {
  // torch.argmax(x) -> 7; torch.argmax(x, 1) -> [2, 3, 1]; torch.argmin(x, 0) -> [2, 0, 1, 2]
  EXPECT_THAT(Values<int64_t>(Argmax(X())), ElementsAre(7));
  EXPECT_THAT(Values<int64_t>(Argmax(X(), 1)), ElementsAre(2, 3, 1));
  EXPECT_THAT(Values<int64_t>(Argmin(X(), 0)), ElementsAre(2, 0, 1, 2));
  // NaN counts as the maximum; ties keep the first:
  // torch.argmax(torch.tensor([[1., 3, 3], [nan, 1, nan]])) -> 3, dim 1 -> [1, 0]
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor n = T_<float>({1, 3, 3, nan, 1, nan}, {{2, 3}});
  EXPECT_THAT(Values<int64_t>(Argmax(n)), ElementsAre(3));
  EXPECT_THAT(Values<int64_t>(Argmax(n, 1)), ElementsAre(1, 0));
  // torch.argmin(torch.tensor([[1., 3, 3], [0, 1, 0]]), 0, True) -> [[1, 1, 1]]
  ASSERT_OK_AND_ASSIGN(Tensor k, Argmin(T_<float>({1, 3, 3, 0, 1, 0}, {{2, 3}}), 0, true));
  EXPECT_EQ(k.sizes(), (std::vector<int64_t>{1, 3}));
  EXPECT_THAT(Values<int64_t>(k), ElementsAre(1, 1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor empty, Empty({0}));
  EXPECT_THAT(Argmax(empty),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "argmax(): Expected reduction dim to be specified for input.numel() == 0."));
}

TEST(AmaxTest, SeveralDims) {
  // torch.amax(x, [1]) -> [3, 4, 2.5]; torch.amin(x, [0]) -> [-0.75, -1.25, -2, 0]
  EXPECT_THAT(Values<float>(Amax(X(), {1})), ElementsAre(3, 4, 2.5f));
  EXPECT_THAT(Values<float>(Amin(X(), {0})), ElementsAre(-0.75f, -1.25f, -2, 0));
  EXPECT_THAT(Values<float>(Amax(X(), {0, 1})), ElementsAre(4));
  ASSERT_OK_AND_ASSIGN(Tensor empty, Empty({0, 2}));
  EXPECT_THAT(Amax(empty, {0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "amax(): Expected reduction dim 0 to have non-zero size."));
  ASSERT_OK_AND_ASSIGN(Tensor e1, Amax(empty, {1}));
  EXPECT_EQ(e1.sizes(), (std::vector<int64_t>{0}));
}

TEST(ProdTest, DtypesAndDims) {
  // torch.prod(x, 1) -> [-3.75, -3, -0]
  EXPECT_THAT(Values<float>(Prod(X(), 1)), ElementsAre(-3.75f, -3, 0));
  // torch.prod(torch.tensor([True, True])) -> tensor(1) (int64);
  // torch.prod(torch.tensor([2, 3], dtype=torch.int32)) -> tensor(6) (int64)
  ASSERT_OK_AND_ASSIGN(Tensor b, Prod(T_<bool>({true, true})));
  EXPECT_EQ(b.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(b), ElementsAre(1));
  ASSERT_OK_AND_ASSIGN(Tensor i, Prod(T_<int32_t>({2, 3})));
  EXPECT_EQ(i.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(6));
  ASSERT_OK_AND_ASSIGN(Tensor empty, Empty({0}));
  EXPECT_THAT(Values<float>(Prod(empty)), ElementsAre(1));
}

TEST(AllAnyTest, DtypesAndDims) {
  // torch.all(x > 0) -> False; torch.any(x > 3, 1) -> [False, True, False]
  EXPECT_THAT(Values<bool>(All(T_<bool>({true, false}))), ElementsAre(false));
  ASSERT_OK_AND_ASSIGN(Tensor gt3,
                       Any(T_<bool>({false, false, false, false, false, false, false, true,
                                     false, false, false, false},
                                    {{3, 4}}),
                           1));
  EXPECT_THAT(Values<bool>(gt3), ElementsAre(false, true, false));
  // uint8 in, uint8 out: torch.all(tensor([[1, 0], [2, 3]], dtype=uint8)) -> tensor(0, dtype=uint8)
  ASSERT_OK_AND_ASSIGN(Tensor u, All(T_<uint8_t>({1, 0, 2, 3}, {{2, 2}})));
  EXPECT_EQ(u.dtype(), ScalarType::kByte);
  EXPECT_THAT(Values<int>(u), ElementsAre(0));
  ASSERT_OK_AND_ASSIGN(Tensor a, All(T_<float>({1, 2})));
  EXPECT_EQ(a.dtype(), ScalarType::kBool);
  // torch.all(torch.zeros(2, 0), 1) -> [True, True]
  ASSERT_OK_AND_ASSIGN(Tensor z, Empty({2, 0}));
  EXPECT_THAT(Values<bool>(All(z, 1)), ElementsAre(true, true));
}

}  // namespace
}  // namespace ptser
