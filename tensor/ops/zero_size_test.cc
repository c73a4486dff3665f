// Copyright ptser authors.
//
// Zero-size tensors may have huge other dimensions ([0, 2^62] holds no data;
// PyTorch makes one too), and expanded views have far more elements than
// bytes.  Kernels must not size scratch buffers or multiply sizes from such
// dimensions without a check: every case here once threw bad_alloc (ending
// the process), overflowed int64 or wrote out of bounds.
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/ops/ops.h"
#include "tensor/views.h"

namespace ptser {
namespace {

constexpr int64_t kHuge = int64_t{1} << 62;

Tensor Hollow(std::vector<int64_t> sizes) {
  absl::StatusOr<Tensor> t = Zeros(sizes, ScalarType::kFloat);
  EXPECT_OK(t.status());
  return *t;
}

TEST(ZeroSizeTest, KernelsOverEmptyTensorsWithHugeDimensions) {
  const Tensor a = Hollow({0, kHuge});
  ASSERT_OK_AND_ASSIGN(SortResult sorted, Sort(a, 1));
  EXPECT_EQ(sorted.values.numel(), 0);
  ASSERT_OK_AND_ASSIGN(Tensor c, Cumsum(a, 0, std::nullopt));
  EXPECT_EQ(c.numel(), 0);
  ASSERT_OK_AND_ASSIGN(Tensor v, Var(a, {1}));
  EXPECT_EQ(v.sizes(), (std::vector<int64_t>{0}));
  ASSERT_OK_AND_ASSIGN(Tensor s, Softmax(a, 0));
  EXPECT_EQ(s.numel(), 0);
  const Tensor b = Hollow({0, int64_t{1} << 40, int64_t{1} << 40});
  ASSERT_OK_AND_ASSIGN(Tensor c2, Cumsum(b, 0, std::nullopt));
  EXPECT_EQ(c2.numel(), 0);
  // Reducing dim 0 keeps [2^40, 2^40]: as PyTorch, an overflow error.
  EXPECT_THAT(Var(b, {0}), StatusIs(absl::StatusCode::kInvalidArgument));
  const Tensor n = Hollow({int64_t{1} << 31, int64_t{1} << 31, 0});
  ASSERT_OK_AND_ASSIGN(Tensor bn, BatchNorm(n, std::nullopt, std::nullopt, std::nullopt,
                                            std::nullopt, /*training=*/false, 0.1, 1e-5));
  EXPECT_EQ(bn.numel(), 0);
}

TEST(ZeroSizeTest, IndexingAndPaddingHoldTheirTablesToTheLimits) {
  ASSERT_OK_AND_ASSIGN(Tensor zero, Zeros({1}, ScalarType::kLong));
  ASSERT_OK_AND_ASSIGN(Tensor wide, Expand(zero, {kHuge}));
  // 2^62 index positions, no data behind them: refused, not allocated.
  EXPECT_THAT(Index(Hollow({2}), {std::optional<Tensor>(wide)}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // The non-indexed dimensions of an empty self: an empty result.
  ASSERT_OK_AND_ASSIGN(Tensor first, Zeros({1}, ScalarType::kLong));
  ASSERT_OK_AND_ASSIGN(Tensor r, Index(Hollow({1, kHuge, 0}), {std::optional<Tensor>(first)}));
  EXPECT_EQ(r.numel(), 0);
  ASSERT_OK_AND_ASSIGN(Tensor sel, IndexSelect(Hollow({0, kHuge}), 1, zero));
  EXPECT_EQ(sel.numel(), 0);
  // Replicate padding of 2^40 on an empty batch: no 2^40-entry table.
  EXPECT_THAT(Pad(Hollow({0, 1, 2}), {int64_t{1} << 40, 0}, PadMode::kReplicate),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Pads that overflow int64.
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_THAT(Pad(Hollow({2}), {kMax, kMax}, PadMode::kConstant),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("overflow")));
}

}  // namespace
}  // namespace ptser
