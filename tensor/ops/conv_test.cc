// Copyright ptser authors.
//
// tensor/ops/conv_test.cc — conv_transpose1d and padding='same' against
// PyTorch 1.13 (torch.manual_seed(0); x = torch.randn(1, 2, 5);
// w = torch.randn(2, 3, 2); b = torch.randn(3); w2 = torch.randn(3, 2, 4)).

#include "tensor/ops/conv.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/ops/normalization.h"
#include "tensor/ops/shape.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using testing_util::IsOkAndHolds;
using testing_util::T_;
using testing_util::Values;

void ExpectClose(const absl::StatusOr<Tensor>& got, const std::vector<double>& want,
                 const std::string& what) {
  ASSERT_OK(got.status()) << what;
  std::vector<double> v = Values<double>(*got);
  ASSERT_EQ(v.size(), want.size()) << what;
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], 2e-6 * std::max(1.0, std::fabs(want[i]))) << what << "[" << i << "]";
  }
}

Tensor X() {
  return T_<float>({1.54099607f, -0.293428898f, -2.17878938f, 0.568431258f, -1.08452237f,
                    -1.39859545f, 0.403346837f, 0.838026345f, -0.719257593f, -0.403343529f},
                   {{1, 2, 5}});
}

TEST(ConvTranspose1dTest, StridePaddingOutputPadding) {
  const Tensor w = T_<float>({-0.596635342f, 0.182036489f, -0.856674612f, 1.10060418f,
                              -1.07118738f, 0.122701243f, -0.566317499f, 0.373114645f,
                              -0.891995311f, -1.50910771f, 0.370393544f, 1.45650256f},
                             {{2, 3, 2}});
  const Tensor b = T_<float>({0.939809918f, 0.774848819f, 0.191869423f});
  // F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1) -> (1, 3, 9)
  ConvParams p;
  p.stride = {1, 2};
  p.padding = {0, 0, 1, 1};
  p.output_padding = {0, 1};
  ASSERT_OK_AND_ASSIGN(Tensor y, ConvTranspose1d(X(), w, b, p));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, 3, 9}));
  ExpectClose(y,
              {0.698490977, 0.886457562, 1.03688979, 1.76516366, 0.855870664, 1.00799191,
               0.774919629, 1.81529474, 0.591893911, 4.58150673, 0.666438401, -0.156794071,
               1.89384675, -2.88780785, 0.929462552, 2.48590374, 2.06371212, 0.189907789,
               -1.65610635, 0.655583858, 0.743341088, 2.83616066, 1.14511669, -0.683435321,
               -0.78598386, 1.20420027, -0.528673708},
              "conv_transpose1d");
}

TEST(SamePaddingTest, EvenKernelPadsRight) {
  EXPECT_THAT(SamePadding(4, 1, 1), IsOkAndHolds(ElementsAre(1, 2)));
  EXPECT_THAT(SamePadding(3, 2, 1), IsOkAndHolds(ElementsAre(2, 2)));
  EXPECT_THAT(SamePadding(3, 1, 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "padding='same' is not supported for strided convolutions"));
  // F.conv1d(x, w2, None, padding='same')
  const Tensor w2 = T_<float>(
      {-0.230335474f, -0.391754389f, 0.543294728f, -0.395157546f, 0.205525666f, -0.450329751f,
       -0.573077083f, -0.55535841f, -1.12560165f, -0.316998094f, -1.09246826f, -0.0851942971f,
       -0.0933482349f, 0.687050223f, -0.838315368f, 0.00089182175f, -0.750426829f, 0.185407981f,
       0.621138334f, 0.638181567f, -0.246000946f, 2.30251646f, -1.88168919f, -0.0497270226f},
      {{3, 2, 4}});
  ASSERT_OK_AND_ASSIGN(auto pad, SamePadding(4, 1, 1));
  ConvParams p;
  p.padding = {0, 0, pad[0], pad[1]};
  ExpectClose(Conv1d(X(), w2, std::nullopt, p),
              {0.0311300159, -2.19823289, 2.0002203, 0.417237699, 0.327748209, -1.28060043,
               0.394804031, 1.63307774, 3.22279835, -0.506011426, -5.30794525, -2.46974611,
               2.68100619, -0.0365152359, -1.37941217},
              "conv1d same");
}

TEST(PadTest, ConstantAnyDtypeAndRank) {
  // F.pad(torch.tensor([[True, False], [False, True]]), (0, 1))
  ASSERT_OK_AND_ASSIGN(Tensor b, Pad(T_<bool>({true, false, false, true}, {{2, 2}}), {0, 1},
                                     PadMode::kConstant));
  EXPECT_EQ(b.dtype(), ScalarType::kBool);
  EXPECT_THAT(Values<bool>(b), ElementsAre(true, false, false, false, true, false));
  // F.pad(torch.arange(6).view(1, 2, 3), (1, 1, 0, 1, 1, 0), value=9) -> (2, 3, 5)
  ASSERT_OK_AND_ASSIGN(Tensor c, Pad(T_<int64_t>({0, 1, 2, 3, 4, 5}, {{1, 2, 3}}),
                                     {1, 1, 0, 1, 1, 0}, PadMode::kConstant, 9));
  EXPECT_EQ(c.sizes(), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_THAT(Values<int64_t>(c),
              ElementsAre(9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 1, 2, 9, 9, 3, 4, 5,
                          9, 9, 9, 9, 9, 9));
  // F.pad(torch.arange(6.).view(2, 3), (-1, 1)) crops: [[1, 2, 0], [4, 5, 0]]
  EXPECT_THAT(Values<float>(Pad(T_<float>({0, 1, 2, 3, 4, 5}, {{2, 3}}), {-1, 1},
                                PadMode::kConstant)),
              ElementsAre(1, 2, 0, 4, 5, 0));
  // An integer tensor padded with 2.7 gets 2.
  EXPECT_THAT(Values<int64_t>(Pad(T_<int64_t>({0, 1, 2}), {1, 1}, PadMode::kConstant, 2.7)),
              ElementsAre(2, 0, 1, 2, 2));
  EXPECT_THAT(Pad(T_<float>({1, 2}), {1, 2, 3}, PadMode::kConstant),
              StatusIs(absl::StatusCode::kInvalidArgument, "Padding length must be divisible by 2"));
  EXPECT_THAT(Pad(T_<float>({1, 2}), {1, 1, 1, 1}, PadMode::kConstant),
              StatusIs(absl::StatusCode::kInvalidArgument, "Padding length too large"));
}

// The direct depthwise path (groups == channels, one output per group)
// against the same convolution one channel at a time through the generic
// im2col + GEMM path, over strides, paddings and dilations.
TEST(DepthwiseConvTest, MatchesPerChannelConvolutions) {
  std::vector<float> xv(2 * 3 * 7 * 6), wv(3 * 3 * 3), bv = {0.5f, -1, 2};
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = std::sin(0.37f * static_cast<float>(i));
  for (size_t i = 0; i < wv.size(); ++i) wv[i] = std::cos(0.91f * static_cast<float>(i));
  const Tensor x = T_<float>(xv, {{2, 3, 7, 6}});
  const Tensor w = T_<float>(wv, {{3, 1, 3, 3}});
  const Tensor b = T_<float>(bv);
  struct Geo {
    std::array<int64_t, 2> stride, dilation;
    std::array<int64_t, 4> padding;
  };
  for (const Geo& geo : {Geo{{1, 1}, {1, 1}, {1, 1, 1, 1}}, Geo{{2, 2}, {1, 2}, {1, 1, 2, 2}},
                         Geo{{1, 3}, {2, 1}, {0, 0, 0, 0}}, Geo{{2, 1}, {1, 1}, {2, 2, 3, 3}}}) {
    ConvParams p;
    p.stride = geo.stride;
    p.dilation = geo.dilation;
    p.padding = geo.padding;
    p.groups = 3;
    ASSERT_OK_AND_ASSIGN(Tensor depthwise, Conv2d(x, w, b, p));
    p.groups = 1;
    std::vector<Tensor> channels;
    for (int64_t c = 0; c < 3; ++c) {
      ASSERT_OK_AND_ASSIGN(Tensor xc, Narrow(x, 1, c, 1));
      ASSERT_OK_AND_ASSIGN(Tensor wc, Narrow(w, 0, c, 1));
      ASSERT_OK_AND_ASSIGN(Tensor bc, Narrow(b, 0, c, 1));
      ASSERT_OK_AND_ASSIGN(Tensor yc, Conv2d(xc, wc, bc, p));
      channels.push_back(yc);
    }
    ASSERT_OK_AND_ASSIGN(Tensor reference, Cat(channels, 1));
    ASSERT_EQ(depthwise.sizes(), reference.sizes());
    const std::vector<float> got = Values<float>(depthwise), want = Values<float>(reference);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
  }
}

// Conv2dFused against the three ops it stands for: Conv2d, BatchNorm in
// evaluation mode, then Relu or Relu6 (or nothing).
void ExpectFusedEqualsSeparate(ScalarType dtype, int64_t groups, int64_t stride, bool with_bias,
                               int clamp /* 0 none, 1 relu, 2 relu6 */) {
  SCOPED_TRACE(::testing::Message() << DtypeRepr(dtype) << " groups " << groups << " stride "
                                    << stride << " bias " << with_bias << " clamp " << clamp);
  const int64_t c = 8, o = 8;
  ASSERT_OK_AND_ASSIGN(Tensor x, Randn({2, c, 11, 9}, 1, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor w, Randn({o, c / groups, 3, 3}, 2, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor b, Randn({o}, 3, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor gamma, Randn({o}, 4, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor beta, Randn({o}, 5, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor mean, Randn({o}, 6, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor var0, Randn({o}, 7, dtype));
  ASSERT_OK_AND_ASSIGN(Tensor var, Mul(var0, var0));
  ConvParams p;
  p.stride = {stride, stride};
  p.padding = {1, 1, 1, 1};
  p.groups = groups;
  const std::optional<Tensor> bias = with_bias ? std::optional<Tensor>(b) : std::nullopt;
  ASSERT_OK_AND_ASSIGN(Tensor conv, Conv2d(x, w, bias, p));
  ASSERT_OK_AND_ASSIGN(Tensor want, BatchNorm(conv, gamma, beta, mean, var, false, 0.1, 1e-5));
  if (clamp == 1) {
    ASSERT_OK_AND_ASSIGN(want, Relu(want));
  } else if (clamp == 2) {
    ASSERT_OK_AND_ASSIGN(want, Relu6(want));
  }
  ASSERT_OK_AND_ASSIGN(auto ss, BatchNormEvalScaleShift(gamma, beta, mean, var, 1e-5));
  ConvEpilogue e;
  e.scale = ss.first;
  e.shift = ss.second;
  e.clamp = clamp != 0;
  e.lo = 0;
  e.hi = clamp == 2 ? 6 : std::numeric_limits<double>::infinity();
  ASSERT_OK_AND_ASSIGN(Tensor got, Conv2dFused(x, w, bias, p, e));
  ASSERT_EQ(got.sizes(), want.sizes());
  const std::vector<double> g = Values<double>(got), v = Values<double>(want);
  int clamped = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    EXPECT_NEAR(g[i], v[i], 1e-5 * std::max(1.0, std::fabs(v[i]))) << i;
    clamped += v[i] == 0 || v[i] == 6;
  }
  if (clamp != 0) {
    EXPECT_GT(clamped, 0);  // the clamp was exercised
  }
}

TEST(Conv2dFused, EqualsConvBatchNormActivation) {
  for (ScalarType dtype : {ScalarType::kFloat, ScalarType::kDouble}) {
    for (int64_t groups : {1, 2, 8}) {
      for (int clamp : {0, 1, 2}) {
        ExpectFusedEqualsSeparate(dtype, groups, groups == 2 ? 2 : 1, groups != 8, clamp);
      }
    }
  }
}

TEST(Conv2dFused, ClampAloneAndBadScale) {
  ASSERT_OK_AND_ASSIGN(Tensor x, Randn({1, 3, 6, 6}, 1, ScalarType::kFloat));
  ASSERT_OK_AND_ASSIGN(Tensor w, Randn({4, 3, 3, 3}, 2, ScalarType::kFloat));
  ConvParams p;
  ConvEpilogue relu;
  relu.clamp = true;
  relu.hi = std::numeric_limits<double>::infinity();
  ASSERT_OK_AND_ASSIGN(Tensor conv, Conv2d(x, w, std::nullopt, p));
  ASSERT_OK_AND_ASSIGN(Tensor want, Relu(conv));
  ExpectClose(Conv2dFused(x, w, std::nullopt, p, relu), Values<double>(want), "relu");
  ConvEpilogue bad;
  ASSERT_OK_AND_ASSIGN(bad.scale, Randn({3}, 1, ScalarType::kFloat));
  ASSERT_OK_AND_ASSIGN(bad.shift, Randn({3}, 1, ScalarType::kFloat));
  EXPECT_EQ(Conv2dFused(x, w, std::nullopt, p, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.shift.reset();
  EXPECT_EQ(Conv2dFused(x, w, std::nullopt, p, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ptser
