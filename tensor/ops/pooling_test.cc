// Copyright ptser authors.
//
// tensor/ops/pooling_test.cc — pooling and upsampling against PyTorch 1.13
// (x from torch.manual_seed(0); torch.randn(1, 2, 5, 6)).

#include "tensor/ops/pooling.h"

#include <cmath>
#include <cstdint>
#include <string>
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
using ::testing::ElementsAreArray;
using testing_util::T_;
using testing_util::Values;

using Shape = std::vector<int64_t>;

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
  return T_<float>(
      {-1.12583983f, -1.1523602f,  -0.250578582f, -0.433878809f, 0.848710358f, 0.692009151f,
       -0.31601277f, -2.11521935f, 0.322274923f,  -1.26333475f,  0.349983186f, 0.30813393f,
       0.119841509f, 1.2376579f,   1.11677718f,   -0.247278154f, -1.35265374f, -1.6959312f,
       0.566650629f, 0.793508351f, 0.598839462f,  -1.55509508f,  -0.34136039f, 1.85300612f,
       0.750189483f, -0.585497558f, -0.173396751f, 0.183477938f, 1.38936615f,  1.58633423f,
       0.946298361f, -0.843676746f, -0.613583088f, 0.0315927416f, -0.492676973f, 0.248414755f,
       0.439695835f, 0.112411186f, 0.64079237f,   0.441156268f,  -0.102309652f, 0.792443991f,
       -0.289667696f, 0.0525074862f, 0.594323039f, 1.5419426f,    0.507334411f,  -0.591033161f,
       -0.56924808f, 0.919971406f, 1.11081612f,   1.28987408f,   -1.49591494f,  -0.193837121f,
       0.445512176f, 1.32527483f,  -1.62932599f,  -0.549743652f, -0.479834259f, -0.499681532f},
      {{1, 2, 5, 6}});
}

TEST(MaxPoolTest, IndicesCeilDilation) {
  // F.max_pool2d(x, 3, 2, 1, 2, ceil_mode=True, return_indices=True)
  PoolParams q;
  q.kernel = {3, 3};
  q.stride = {2, 2};
  q.padding = {1, 1};
  q.dilation = {2, 2};
  q.ceil_mode = true;
  ASSERT_OK_AND_ASSIGN(PoolResult r, MaxPool2dWithIndices(X(), q));
  EXPECT_EQ(r.values.sizes(), (Shape{1, 2, 2, 3}));
  ExpectClose(r.values,
              {0.793508351, 1.85300612, 1.85300612, 0.793508351, 1.85300612, 1.85300612,
               1.28987408, 1.28987408, 1.28987408, 1.28987408, 1.28987408, 1.28987408},
              "max_pool2d");
  EXPECT_THAT(Values<int64_t>(r.indices), ElementsAre(19, 23, 23, 19, 23, 23, 21, 21, 21, 21, 21, 21));
  ASSERT_OK_AND_ASSIGN(Tensor v, MaxPool2d(X(), q));
  EXPECT_EQ(Values<float>(v), Values<float>(r.values));
}

// A window far wider and taller than the input, over its padding, visits
// only the taps that reach the input (it once looped over all 2^20 x 2^20
// per output row); past kMaxPoolWindow it is refused.
TEST(MaxPoolTest, HugeWindowsOverPadding) {
  std::vector<float> column(1000);
  for (int i = 0; i < 1000; ++i) column[i] = static_cast<float>(i);
  const Tensor xf = T_(column, {1, 1, 1000, 1});
  PoolParams q;
  q.kernel = {kMaxPoolWindow, kMaxPoolWindow};
  q.stride = {1, 1};
  q.padding = {kMaxPoolWindow / 2, kMaxPoolWindow / 2};
  ASSERT_OK_AND_ASSIGN(Tensor v, MaxPool2d(xf, q));
  EXPECT_EQ(v.sizes(), (std::vector<int64_t>{1, 1, 1001, 2}));
  // Every window covers the whole input: its maximum, 999.
  const std::vector<float> values = Values<float>(v);
  ASSERT_EQ(values.size(), 2002u);
  EXPECT_EQ(values.front(), 999.f);
  EXPECT_EQ(values.back(), 999.f);
  q.kernel = {1, kMaxPoolWindow + 1};
  q.padding = {0, 0};
  EXPECT_THAT(MaxPool2d(xf, q), StatusIs(absl::StatusCode::kInvalidArgument,
                                         ::testing::HasSubstr("at most")));
}

TEST(MaxPoolTest, OneD) {
  // F.max_pool1d(x[0], 2, 2, 1, 1, True) -> (2, 5, 4)
  ASSERT_OK_AND_ASSIGN(Tensor x0, Select(X(), 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor m, MaxPool1d(x0, 2, 2, 1, 1, true));
  EXPECT_EQ(m.sizes(), (Shape{2, 5, 4}));
  ExpectClose(m,
              {-1.12583983, -0.250578582, 0.848710358, 0.692009151, -0.31601277, 0.322274923,
               0.349983186, 0.30813393, 0.119841509, 1.2376579, -0.247278154, -1.6959312,
               0.566650629, 0.793508351, -0.34136039, 1.85300612, 0.750189483, -0.173396751,
               1.38936615, 1.58633423, 0.946298361, -0.613583088, 0.0315927416, 0.248414755,
               0.439695835, 0.64079237, 0.441156268, 0.792443991, -0.289667696, 0.594323039,
               1.5419426, -0.591033161, -0.56924808, 1.11081612, 1.28987408, -0.193837121,
               0.445512176, 1.32527483, -0.479834259, -0.499681532},
              "max_pool1d");
  // F.avg_pool1d(x[0], 3, 2, 1, ceil_mode=True, count_include_pad=False)
  ExpectClose(AvgPool1d(x0, 3, 2, 1, true, false),
              {-1.13910007, -0.612272561, 0.36894691, 0.692009151, -1.21561611, -1.01875973,
               -0.201739192, 0.30813393, 0.678749681, 0.702385604, -1.09862101, -1.6959312,
               0.68007946, -0.0542490892, -0.0144831343, 1.85300612, 0.0823459625, -0.191805467,
               1.05305946, 1.58633423, 0.0513108075, -0.475222379, -0.0708898306, 0.248414755,
               0.276053518, 0.398119926, 0.377096891, 0.792443991, -0.118580103, 0.729591072,
               0.486081272, -0.591033161, 0.175361663, 1.10688722, -0.13329266, -0.193837121,
               0.8853935, -0.284598261, -0.509753168, -0.499681532},
              "avg_pool1d");
}

TEST(AdaptivePoolTest, MaxAndAvg) {
  // F.adaptive_max_pool2d(x, (2, 4), return_indices=True)
  ASSERT_OK_AND_ASSIGN(PoolResult r, AdaptiveMaxPool2d(X(), {2, 4}));
  ExpectClose(r.values,
              {1.2376579, 1.2376579, 0.848710358, 0.848710358, 1.2376579, 1.2376579, 1.38936615,
               1.85300612, 0.946298361, 0.64079237, 1.5419426, 0.792443991, 1.32527483,
               1.32527483, 1.5419426, 0.507334411},
              "adaptive_max_pool2d");
  EXPECT_THAT(Values<int64_t>(r.indices),
              ElementsAre(13, 13, 4, 4, 13, 13, 28, 23, 0, 8, 15, 11, 25, 25, 15, 16));
  // F.adaptive_avg_pool1d(x[0], 4)
  ASSERT_OK_AND_ASSIGN(Tensor x0, Select(X(), 0, 0));
  ExpectClose(AdaptiveAvgPool1d(x0, 4),
              {-1.13910007, -0.701469421, 0.207415774, 0.770359755, -1.21561611, -0.896472216,
               -0.456675768, 0.329058558, 0.678749681, 1.17721748, -0.799965978, -1.52429247,
               0.68007946, 0.696173906, -0.948227763, 0.755822897, 0.0823459625, -0.379447162,
               0.786422014, 1.48785019, 0.0513108075, -0.728629947, -0.230542123, -0.122131109,
               0.276053518, 0.376601785, 0.169423312, 0.345067173, -0.118580103, 0.32341525,
               1.02463853, -0.0418493748, 0.175361663, 1.01539373, -0.10302043, -0.844876051,
               0.8853935, -0.15202558, -0.514788985, -0.489757895},
              "adaptive_avg_pool1d");
}

TEST(UpsampleTest, NearestAndBilinear) {
  ASSERT_OK_AND_ASSIGN(Tensor top, Slice(X(), 2, 0, 2));
  ASSERT_OK_AND_ASSIGN(Tensor small, Slice(top, 3, 0, 3));  // (1, 2, 2, 3)
  // F.interpolate(x[:, :, :2, :3], scale_factor=2, mode='nearest')
  ASSERT_OK_AND_ASSIGN(Tensor n, UpsampleNearest2d(small, {4, 6}, 2.0, 2.0));
  EXPECT_EQ(n.sizes(), (Shape{1, 2, 4, 6}));
  ExpectClose(n,
              {-1.12583983, -1.12583983, -1.1523602, -1.1523602, -0.250578582, -0.250578582,
               -1.12583983, -1.12583983, -1.1523602, -1.1523602, -0.250578582, -0.250578582,
               -0.31601277, -0.31601277, -2.11521935, -2.11521935, 0.322274923, 0.322274923,
               -0.31601277, -0.31601277, -2.11521935, -2.11521935, 0.322274923, 0.322274923,
               0.946298361, 0.946298361, -0.843676746, -0.843676746, -0.613583088, -0.613583088,
               0.946298361, 0.946298361, -0.843676746, -0.843676746, -0.613583088, -0.613583088,
               0.439695835, 0.439695835, 0.112411186, 0.112411186, 0.64079237, 0.64079237,
               0.439695835, 0.439695835, 0.112411186, 0.112411186, 0.64079237, 0.64079237},
              "nearest x2");
  ASSERT_OK_AND_ASSIGN(Tensor one, Slice(small, 1, 0, 1));  // (1, 1, 2, 3)
  // size=(3, 5), mode='nearest'
  ExpectClose(UpsampleNearest2d(one, {3, 5}),
              {-1.12583983, -1.12583983, -1.1523602, -1.1523602, -0.250578582, -1.12583983,
               -1.12583983, -1.1523602, -1.1523602, -0.250578582, -0.31601277, -0.31601277,
               -2.11521935, -2.11521935, 0.322274923},
              "nearest (3, 5)");
  // size=(3, 4), mode='bilinear', align_corners False / True
  ExpectClose(UpsampleBilinear2d(one, {3, 4}, false),
              {-1.12583983, -1.14241505, -0.814192116, -0.250578582, -0.720926285, -1.291466,
               -1.00767553, 0.0358481705, -0.31601277, -1.44051683, -1.201159, 0.322274923},
              "bilinear");
  ExpectClose(UpsampleBilinear2d(one, {3, 4}, true),
              {-1.12583983, -1.14352012, -0.851766288, -0.250578582, -0.720926285, -1.32950199,
               -1.07724369, 0.0358481705, -0.31601277, -1.51548386, -1.30272114, 0.322274923},
              "bilinear align_corners");
  // scale_factor=1.5 (output (3, 4), the scale used as given)
  ExpectClose(UpsampleBilinear2d(one, {3, 4}, false, 1.5, 1.5),
              {-1.12583983, -1.13910007, -1.00206316, -0.400875479, -0.720926285, -1.17735815,
               -1.35551667, -0.242424756, -0.31601277, -1.21561611, -1.70897007, -0.083974041},
              "bilinear scale 1.5");
  EXPECT_THAT(UpsampleNearest2d(small, {0, 2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Input and output sizes should be greater than 0, but got input (H: 2, W: "
                       "3) output (H: 0, W: 2)"));
}

// max_pool2d without indices has its own (row-run, threaded) kernel: its
// values must be those of the indexed kernel, NaNs, padding, dilation and
// ceil_mode included, in both dtypes.
TEST(MaxPool2d, ValuesEqualTheIndexedKernel) {
  std::vector<double> data(2 * 3 * 13 * 11);
  uint32_t state = 12345;
  for (double& d : data) {
    state = state * 1664525u + 1013904223u;
    d = static_cast<double>(state >> 8) / (1 << 24) - 0.5;
  }
  data[5] = NAN;
  data[200] = NAN;
  data[201] = -0.0;
  for (bool is_float : {true, false}) {
    const Tensor x = is_float ? T_<float>(std::vector<float>(data.begin(), data.end()), Shape{2, 3, 13, 11})
                              : T_<double>(data, Shape{2, 3, 13, 11});
    for (int64_t k : {1, 2, 3}) {
      for (int64_t stride : {1, 2, 3}) {
        for (int64_t pad = 0; pad * 2 <= k; ++pad) {
          for (int64_t dil : {1, 2}) {
            for (bool ceil : {false, true}) {
              PoolParams q;
              q.kernel = {k, k + 1 > 3 ? k : k + 1};
              q.stride = {stride, stride};
              q.padding = {pad, pad};
              q.dilation = {dil, dil};
              q.ceil_mode = ceil;
              auto want = MaxPool2dWithIndices(x, q);
              auto got = MaxPool2d(x, q);
              ASSERT_EQ(want.ok(), got.ok());
              if (!want.ok()) continue;
              const std::vector<double> w = Values<double>(want->values);
              const std::vector<double> g = Values<double>(*got);
              ASSERT_EQ(w.size(), g.size());
              for (size_t i = 0; i < w.size(); ++i) {
                if (std::isnan(w[i])) {
                  EXPECT_TRUE(std::isnan(g[i])) << i;
                } else {
                  EXPECT_EQ(w[i], g[i]) << i;
                  EXPECT_EQ(std::signbit(w[i]), std::signbit(g[i])) << i;
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace ptser
