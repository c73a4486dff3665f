// Copyright ptser authors.
#include "tensor/ops/internal/dnnl_conv.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ptser {
namespace ops_internal {
namespace {

// The definition, in double: y[n][o][i][j] = b[o] + sum over the group's
// channels and taps; then the epilogue.
std::vector<float> Reference(const std::vector<float>& x, const std::vector<float>& w,
                             const std::vector<float>* b, const ConvShape& s,
                             const ConvEpilogue& e) {
  std::vector<float> y(static_cast<size_t>(s.n * s.o * s.oh * s.ow));
  const int64_t cg = s.c / s.groups, og = s.o / s.groups;
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t o = 0; o < s.o; ++o) {
      const int64_t g = o / og;
      for (int64_t i = 0; i < s.oh; ++i) {
        for (int64_t j = 0; j < s.ow; ++j) {
          double acc = b != nullptr ? (*b)[o] : 0.0;
          for (int64_t c = 0; c < cg; ++c) {
            for (int64_t p = 0; p < s.kh; ++p) {
              for (int64_t q = 0; q < s.kw; ++q) {
                const int64_t iy = i * s.stride[0] - s.padding[0] + p * s.dilation[0];
                const int64_t ix = j * s.stride[1] - s.padding[2] + q * s.dilation[1];
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                acc += static_cast<double>(x[((n * s.c + g * cg + c) * s.h + iy) * s.w + ix]) *
                       w[((o * cg + c) * s.kh + p) * s.kw + q];
              }
            }
          }
          if (e.scale != nullptr) acc = acc * e.scale[o] + e.shift[o];
          if (e.clamp) acc = std::min<double>(std::max<double>(acc, e.lo), e.hi);
          y[((n * s.o + o) * s.oh + i) * s.ow + j] = static_cast<float>(acc);
        }
      }
    }
  }
  return y;
}

ConvShape Shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t k,
                int64_t stride, std::array<int64_t, 4> pad, int64_t dilation, int64_t groups) {
  ConvShape s{n, c, h, w, o, k, k, 0, 0, {stride, stride}, {pad[0], pad[1], pad[2], pad[3]},
              {dilation, dilation}, groups};
  s.oh = (h + pad[0] + pad[1] - dilation * (k - 1) - 1) / stride + 1;
  s.ow = (w + pad[2] + pad[3] - dilation * (k - 1) - 1) / stride + 1;
  return s;
}

std::vector<float> Random(size_t n, std::mt19937* rng) {
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (float& f : v) f = u(*rng);
  return v;
}

void Check(const ConvShape& s, bool with_bias, bool affine, bool clamp, float hi) {
  std::mt19937 rng(7);
  std::vector<float> x = Random(static_cast<size_t>(s.n * s.c * s.h * s.w), &rng);
  std::vector<float> w =
      Random(static_cast<size_t>(s.o * (s.c / s.groups) * s.kh * s.kw), &rng);
  std::vector<float> b = Random(static_cast<size_t>(s.o), &rng);
  std::vector<float> scale = Random(static_cast<size_t>(s.o), &rng);
  std::vector<float> shift = Random(static_cast<size_t>(s.o), &rng);
  ConvEpilogue e;
  if (affine) {
    e.scale = scale.data();
    e.shift = shift.data();
  }
  e.clamp = clamp;
  e.lo = 0;
  e.hi = hi;
  std::vector<float> y(static_cast<size_t>(s.n * s.o * s.oh * s.ow), -7.0f);
  ASSERT_TRUE(DnnlConv2d(x.data(), w.data(), with_bias ? b.data() : nullptr, y.data(), s, e).ok());
  const std::vector<float> ref = Reference(x, w, with_bias ? &b : nullptr, s, e);
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_NEAR(y[i], ref[i], 1e-4 * (1 + std::fabs(ref[i]))) << "at " << i;
  }
}

TEST(DnnlConv2d, MatchesTheDefinition) {
  if (!DnnlAvailable()) GTEST_SKIP() << "built without oneDNN";
  Check(Shape(1, 3, 17, 19, 8, 3, 1, {1, 1, 1, 1}, 1, 1), true, false, false, 0);
  Check(Shape(2, 16, 12, 12, 32, 3, 2, {1, 1, 1, 1}, 1, 1), false, false, false, 0);
  Check(Shape(1, 64, 14, 14, 128, 1, 2, {0, 0, 0, 0}, 1, 1), true, false, false, 0);
  Check(Shape(1, 3, 30, 30, 16, 7, 2, {3, 3, 3, 3}, 1, 1), false, false, false, 0);
  // Asymmetric padding ('same' with an even kernel), dilation, groups, depthwise.
  Check(Shape(1, 4, 9, 11, 6, 4, 1, {1, 2, 1, 2}, 1, 2), true, false, false, 0);
  Check(Shape(1, 8, 15, 15, 8, 3, 1, {2, 2, 2, 2}, 2, 1), true, false, false, 0);
  Check(Shape(1, 32, 20, 20, 32, 3, 2, {1, 1, 1, 1}, 1, 32), false, false, false, 0);
}

TEST(DnnlConv2d, RunsTheEpilogue) {
  if (!DnnlAvailable()) GTEST_SKIP() << "built without oneDNN";
  const float inf = std::numeric_limits<float>::infinity();
  Check(Shape(1, 16, 10, 10, 24, 3, 1, {1, 1, 1, 1}, 1, 1), false, true, false, 0);
  Check(Shape(1, 16, 10, 10, 24, 3, 1, {1, 1, 1, 1}, 1, 1), true, true, true, inf);
  Check(Shape(1, 16, 10, 10, 24, 1, 1, {0, 0, 0, 0}, 1, 1), false, false, true, inf);
  Check(Shape(1, 24, 10, 10, 24, 3, 2, {1, 1, 1, 1}, 1, 24), false, true, true, 0.5f);
}

TEST(DnnlConv2d, ScaleWithoutShiftIsRefused) {
  if (!DnnlAvailable()) GTEST_SKIP() << "built without oneDNN";
  const ConvShape s = Shape(1, 1, 3, 3, 1, 1, 1, {0, 0, 0, 0}, 1, 1);
  float x[9] = {}, w[1] = {1}, y[9], scale[1] = {1};
  ConvEpilogue e;
  e.scale = scale;
  EXPECT_EQ(DnnlConv2d(x, w, nullptr, y, s, e).code(), absl::StatusCode::kInvalidArgument);
}

TEST(DnnlConv2d, AbsentBuildSaysSo) {
  if (DnnlAvailable()) GTEST_SKIP() << "built with oneDNN";
  const ConvShape s = Shape(1, 1, 3, 3, 1, 1, 1, {0, 0, 0, 0}, 1, 1);
  float x[9] = {}, w[1] = {1}, y[9];
  EXPECT_EQ(DnnlConv2d(x, w, nullptr, y, s, {}).code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace ops_internal
}  // namespace ptser
