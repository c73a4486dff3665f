// Copyright ptser authors.
//
// tensor/ops/internal/elementwise_test.cc — the shared op layer.

#include "tensor/ops/internal/elementwise.h"

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/views.h"

namespace ptser {
namespace ops_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::IsOkAndHolds;
using testing_util::T_;
using testing_util::Values;

TEST(BroadcastShapesTest, NumpyRules) {
  EXPECT_THAT(BroadcastShapes({2, 1, 3}, {4, 1}),
              IsOkAndHolds(ElementsAre(2, 4, 3)));
  EXPECT_THAT(BroadcastShapes({}, {5}), IsOkAndHolds(ElementsAre(5)));
  EXPECT_THAT(BroadcastShapes({0, 1}, {3}), IsOkAndHolds(ElementsAre(0, 3)));
  EXPECT_THAT(BroadcastShapes({2, 3}, {4}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "The size of tensor a (3) must match the size of "
                       "tensor b (4) at non-singleton dimension 1"));
}

TEST(ExpandToTest, StrideZeroView) {
  Tensor t = T_<int64_t>({1, 2, 3}, {{3, 1}});
  ASSERT_OK_AND_ASSIGN(Tensor e, ExpandTo(t, {2, 3, 4}));
  EXPECT_EQ(e.strides(), (std::vector<int64_t>{0, 1, 0}));
  EXPECT_TRUE(e.storage().IsSameAs(t.storage()));
  EXPECT_THAT(Values<int64_t>(e),
              ElementsAre(1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2,
                          2, 2, 3, 3, 3, 3));
  EXPECT_THAT(ExpandTo(T_<int64_t>({1, 2, 3}), {2, 4}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "The expanded size of the tensor (4) must match the "
                       "existing size (3) at non-singleton dimension 1.  "
                       "Target sizes: [2, 4].  Tensor sizes: [3]"));
}

TEST(ForEachRowTest, WalksStridedOperandsInRowMajorOrder) {
  // A transposed 3x2 view of [[0, 1, 2], [3, 4, 5]].
  Tensor base = T_<int32_t>({0, 1, 2, 3, 4, 5}, {{2, 3}});
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(base, 0, 1));
  std::vector<int32_t> seen;
  ForEachRow<1>(t.sizes(),
                {const_cast<char*>(static_cast<const char*>(t.data()))},
                {ByteStrides(t)},
                [&](const std::array<char*, 1>& p,
                    const std::array<int64_t, 1>& s, int64_t n) {
                  for (int64_t i = 0; i < n; ++i) {
                    seen.push_back(Load<int32_t>(p[0] + i * s[0]));
                  }
                });
  EXPECT_THAT(seen, ElementsAre(0, 3, 1, 4, 2, 5));
}

TEST(ForEachRowTest, ContiguousOperandsAreOneRow) {
  Tensor t = T_<float>(std::vector<float>(24, 1.0f), {{2, 3, 4}});
  int rows = 0;
  int64_t total = 0;
  ForEachRow<1>(t.sizes(), {static_cast<char*>(t.mutable_data())},
                {ByteStrides(t)},
                [&](const std::array<char*, 1>&, const std::array<int64_t, 1>&,
                    int64_t n) {
                  ++rows;
                  total += n;
                });
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(total, 24);
}

TEST(ForEachRowTest, ZeroDimAndEmpty) {
  int calls = 0;
  ForEachRow<1>({}, {nullptr}, {std::vector<int64_t>{}},
                [&](const std::array<char*, 1>&, const std::array<int64_t, 1>&,
                    int64_t n) {
                  EXPECT_EQ(n, 1);
                  ++calls;
                });
  EXPECT_EQ(calls, 1);
  ForEachRow<1>({3, 0}, {nullptr}, {std::vector<int64_t>{0, 0}},
                [&](const std::array<char*, 1>&, const std::array<int64_t, 1>&,
                    int64_t) { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(CoalesceTest, MergesOnlyWhatEveryOperandWalksContiguously) {
  std::vector<int64_t> shape = {2, 3, 4};
  std::vector<int64_t> a = {48, 16, 4};  // contiguous float32
  std::vector<int64_t> b = {0, 16, 4};   // broadcast over dim 0
  std::vector<int64_t>* strides[] = {&a, &b};
  CoalesceDimensions(&shape, absl::MakeSpan(strides));
  EXPECT_THAT(shape, ElementsAre(2, 12));
  EXPECT_THAT(a, ElementsAre(48, 4));
  EXPECT_THAT(b, ElementsAre(0, 4));
}

TEST(ConvertTest, PyTorchConversions) {
  EXPECT_EQ(Convert<int8_t>(300.0f), 44);  // via int32, low bits
  EXPECT_EQ(Convert<uint8_t>(-1.5), 255);
  EXPECT_EQ(Convert<int16_t>(70000.0), 4464);
  EXPECT_EQ(Convert<int64_t>(1e300), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Convert<uint8_t>(int64_t{300}), 44);
  EXPECT_EQ(Convert<bool>(0.5), true);
  EXPECT_EQ(Convert<float>(std::complex<double>(1.5, 2)), 1.5f);
  EXPECT_EQ(Convert<std::complex<float>>(int64_t{3}),
            std::complex<float>(3, 0));
  EXPECT_EQ(static_cast<float>(Convert<Half>(1.0)), 1.0f);
  // Ops convert as casts do (tensor/element.h): a double goes to uint8
  // through int64, as torch.tensor([2573673607.2], dtype=torch.float64)
  // .to(torch.uint8) gives 135 (through int32 it would be 0); int8 through
  // int32 gives 0.
  EXPECT_EQ(Convert<uint8_t>(2573673607.2), 135);
  EXPECT_EQ(Convert<int8_t>(2573673607.2), 0);
}

TEST(DispatchTest, UnsupportedDtypeMessage) {
  absl::Status s = DispatchDtype<kFloatingTypes>(
      ScalarType::kBool, "relu",
      [](auto) -> absl::Status { return absl::OkStatus(); });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnimplemented,
                          "\"relu\" not implemented for 'Bool'"));
  EXPECT_TRUE(DtypeInGroups<kAllTypes>(ScalarType::kBFloat16));
  EXPECT_FALSE(DtypeInGroups<kAllTypes>(ScalarType::kQInt8));
}

TEST(TensorHelpersTest, ScalarToTensorAndToDtype) {
  ASSERT_OK_AND_ASSIGN(Tensor s, ScalarToTensor(Scalar(-1), ScalarType::kByte));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_THAT(Values<int64_t>(s), ElementsAre(255));
  Tensor f = T_<float>({1.5, -2.5});
  ASSERT_OK_AND_ASSIGN(Tensor same, ToDtype(f, ScalarType::kFloat));
  EXPECT_TRUE(same.IsSameAs(f));
  ASSERT_OK_AND_ASSIGN(Tensor i, ToDtype(f, ScalarType::kLong));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(1, -2));
  ASSERT_OK_AND_ASSIGN(Tensor big, AllocateTensor({2, 0, 3}, ScalarType::kInt));
  EXPECT_EQ(big.numel(), 0);
}

TEST(TensorHelpersTest, CopyConvertIntoWritesThroughViews) {
  Tensor base = T_<int64_t>({0, 0, 0, 0, 0, 0});
  ASSERT_OK_AND_ASSIGN(Tensor odd, Slice(base, 0, 1, std::nullopt, 2));
  ASSERT_OK(CopyConvertInto(odd, T_<double>({1.9, 2.1, -3.5})));
  EXPECT_THAT(Values<int64_t>(base), ElementsAre(0, 1, 0, 2, 0, -3));
  // Broadcast source.
  ASSERT_OK(CopyConvertInto(odd, T_<int32_t>({7})));
  EXPECT_THAT(Values<int64_t>(base), ElementsAre(0, 7, 0, 7, 0, 7));
  // Overlapping source is read before anything is written.
  Tensor v = T_<int64_t>({1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(v, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor head, Slice(v, 0, 0, 3));
  ASSERT_OK(CopyConvertInto(tail, head));
  EXPECT_THAT(Values<int64_t>(v), ElementsAre(1, 1, 2, 3));
}

TEST(OverlapTest, InternalAndPartial) {
  ASSERT_OK_AND_ASSIGN(Tensor one, Ones({1}));
  ASSERT_OK_AND_ASSIGN(Tensor expanded, Expand(one, {3}));
  EXPECT_THAT(CheckNoInternalOverlap(expanded),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than one element")));
  EXPECT_OK(CheckNoInternalOverlap(one));
  ASSERT_OK_AND_ASSIGN(Tensor a, Arange(6));
  ASSERT_OK_AND_ASSIGN(Tensor x, Slice(a, 0, 0, 4));
  ASSERT_OK_AND_ASSIGN(Tensor y, Slice(a, 0, 2, 6));
  ASSERT_OK_AND_ASSIGN(Tensor z, Slice(a, 0, 4, 6));
  EXPECT_THAT(CheckNoPartialOverlap(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("some elements of the input tensor")));
  EXPECT_OK(CheckNoPartialOverlap(x, x));
  EXPECT_OK(CheckNoPartialOverlap(x, z));
}

}  // namespace
}  // namespace ops_internal
}  // namespace ptser
