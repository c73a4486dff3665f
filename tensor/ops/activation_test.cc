// Copyright ptser authors.
//
// tensor/ops/activation_test.cc — relu against PyTorch 1.13.

#include "tensor/ops/activation.h"

#include <cmath>
#include <complex>
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
using ::testing::IsNan;
using testing_util::T_;
using testing_util::Values;

TEST(ReluTest, Floats) {
  // torch.relu(tensor([-1., nan, -0.0, 2.])) -> tensor([0., nan, -0., 2.])
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_OK_AND_ASSIGN(Tensor r, Relu(T_<float>({-1, nan, -0.0f, 2})));
  std::vector<float> v = Values<float>(r);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], 0);
  EXPECT_THAT(v[1], IsNan());
  EXPECT_EQ(v[2], 0);
  EXPECT_TRUE(std::signbit(v[2]));
  EXPECT_EQ(v[3], 2);
}

TEST(ReluTest, IntegersKeepDtype) {
  ASSERT_OK_AND_ASSIGN(Tensor r, Relu(T_<int64_t>({-1, 2})));
  EXPECT_EQ(r.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(r), ElementsAre(0, 2));
  ASSERT_OK_AND_ASSIGN(Tensor u, Relu(T_<uint8_t>({1, 2})));
  EXPECT_EQ(u.dtype(), ScalarType::kByte);
  EXPECT_THAT(Values<int64_t>(u), ElementsAre(1, 2));
}

TEST(ReluTest, Errors) {
  EXPECT_THAT(Relu(T_<bool>({true})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Boolean inputs not supported for relu"));
  EXPECT_THAT(Relu(T_<std::complex<float>>({{0, 1}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "clamp is not supported for complex types"));
}

TEST(ReluTest, InPlaceThroughAView) {
  Tensor base = T_<float>({-1, -2, 3, -4});
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(base, 0, 1));
  ASSERT_OK(ReluInplace(tail));
  EXPECT_THAT(Values<float>(base), ElementsAre(-1, 0, 3, 0));
}


// Equal within 2e-6 relative (absolute near zero).
void ExpectClose(const std::vector<double>& got, const std::vector<double>& want,
                 const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 2e-6 * std::max(1.0, std::fabs(want[i])))
        << what << "[" << i << "]";
  }
}

TEST(ActivationTest, Float32AgainstPyTorch) {
  // x = torch.tensor([-2.5, -0.5, 0.0, 0.3, 1.0, 3.7]); F.<name>(x, ...)
  const Tensor x = T_<float>({-2.5f, -0.5f, 0.0f, 0.3f, 1.0f, 3.7f});
  struct Case {
    const char* name;
    absl::StatusOr<Tensor> got;
    std::vector<double> want;
  };
  const Case cases[] = {
      {"gelu", Gelu(x),
       {-0.0155241787, -0.154268786, 0, 0.185373425, 0.841344714, 3.69960117}},
      {"gelu tanh", Gelu(x, GeluApproximation::kTanh),
       {-0.0150842965, -0.154285997, 0, 0.185370937, 0.841192007, 3.69972825}},
      {"silu", Silu(x), {-0.189645454, -0.188770339, 0, 0.172332764, 0.731058598, 3.61073017}},
      {"mish", Mish(x), {-0.196816191, -0.22074376, 0, 0.20800139, 0.865098357, 3.69569492}},
      {"hardswish", Hardswish(x),
       {-0.208333328, -0.208333328, 0, 0.165000007, 0.666666687, 3.70000005}},
      {"hardsigmoid", Hardsigmoid(x),
       {0.0833333358, 0.416666657, 0.5, 0.550000012, 0.666666687, 1}},
      {"leaky_relu 0.2", LeakyRelu(x, 0.2),
       {-0.5, -0.100000001, 0, 0.300000012, 1, 3.70000005}},
      {"elu", Elu(x), {-0.917914987, -0.393469334, 0, 0.300000012, 1, 3.70000005}},
      {"selu", Selu(x), {-1.61378574, -0.691758156, 0, 0.315210313, 1.05070102, 3.88759375}},
      {"celu 2", Celu(x, 2.0), {-1.42699039, -0.442398429, 0, 0.300000012, 1, 3.70000005}},
      {"softplus 2 3", Softplus(x, 2, 3),
       {0.00335767423, 0.156630844, 0.346573591, 0.518743992, 1.06346405, 3.70000005}},
      {"logsigmoid", LogSigmoid(x),
       {-2.57888985, -0.974076986, -0.693147182, -0.554355204, -0.313261688, -0.0244228449}},
      {"hardshrink", Hardshrink(x), {-2.5, 0, 0, 0, 1, 3.70000005}},
      {"softshrink", Softshrink(x), {-2, 0, 0, 0, 0.5, 3.20000005}},
      {"hardtanh -1 2", Hardtanh(x, -1, 2), {-1, -0.5, 0, 0.300000012, 1, 2}},
      {"relu6", Relu6(x), {0, 0, 0, 0.300000012, 1, 3.70000005}},
      {"threshold 0.3 9", Threshold(x, 0.3, 9), {9, 9, 9, 9, 1, 3.70000005}},
      {"sigmoid", Sigmoid(x),
       {0.0758581758, 0.377540678, 0.5, 0.574442506, 0.731058598, 0.975872993}},
      {"tanh", Tanh(x), {-0.986614287, -0.462117165, 0, 0.291312635, 0.761594176, 0.998778224}},
  };
  for (const Case& c : cases) {
    ASSERT_OK(c.got.status()) << c.name;
    EXPECT_EQ(c.got->dtype(), ScalarType::kFloat) << c.name;
    ExpectClose(Values<double>(*c.got), c.want, c.name);
  }
}

TEST(ActivationTest, DtypeRules) {
  // F.silu(torch.tensor([1, -2])): "silu_cpu" not implemented for 'Long';
  // F.hardtanh / F.relu6 / F.threshold work on integers; torch.sigmoid of
  // an integer tensor is float32.
  EXPECT_THAT(Silu(T_<int64_t>({1, -2})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"silu_cpu\" not implemented for 'Long'"));
  EXPECT_THAT(Values<int64_t>(Hardtanh(T_<int64_t>({1, -2}))), ElementsAre(1, -1));
  EXPECT_THAT(Values<int64_t>(Relu6(T_<int64_t>({9, -2, 3}))), ElementsAre(6, 0, 3));
  EXPECT_THAT(Values<int64_t>(Threshold(T_<int64_t>({1, -2}), 0.5, 2)), ElementsAre(1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor s, Sigmoid(T_<int64_t>({0})));
  EXPECT_EQ(s.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(s), ElementsAre(0.5f));
  EXPECT_THAT(SigmoidInplace(T_<int64_t>({0})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Float can't be cast to the desired output type Long"));
  EXPECT_THAT(ParseGeluApproximation("fast"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "approximate argument must be either none or tanh."));
}

TEST(ActivationTest, NanPropagatesThroughClamps) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THAT(Values<float>(Relu6(T_<float>({nan}))), ElementsAre(IsNan()));
  EXPECT_THAT(Values<float>(Hardtanh(T_<float>({nan}))), ElementsAre(IsNan()));
}

TEST(ActivationTest, InplaceFormsWriteThroughViews) {
  Tensor base = T_<float>({-1, 7, -3, 0.5f});
  ASSERT_OK_AND_ASSIGN(Tensor head, Slice(base, 0, 0, 2));
  ASSERT_OK(HardtanhInplace(head, 0, 6));
  EXPECT_THAT(Values<float>(base), ElementsAre(0, 6, -3, 0.5f));
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(base, 0, 2));
  ASSERT_OK(LeakyReluInplace(tail, 0.5));
  EXPECT_THAT(Values<float>(base), ElementsAre(0, 6, -1.5f, 0.5f));
  Tensor h = T_<float>({-4, 0});
  ASSERT_OK(HardswishInplace(h));
  EXPECT_THAT(Values<float>(h), ElementsAre(-0.0f, 0));
  Tensor s = T_<double>({0});
  ASSERT_OK(SiluInplace(s));
  ASSERT_OK(SigmoidInplace(s));
  EXPECT_THAT(Values<double>(s), ElementsAre(0.5));
}

TEST(ActivationTest, Glu) {
  // F.glu(torch.tensor([[1., 2, 3, 4], [-1, 0, 5, -2]]), 1)
  //   -> [[0.9526, 1.9640], [-0.9933, 0.0000]]
  ASSERT_OK_AND_ASSIGN(Tensor g, Glu(T_<float>({1, 2, 3, 4, -1, 0, 5, -2}, {{2, 4}}), 1));
  EXPECT_EQ(g.sizes(), (std::vector<int64_t>{2, 2}));
  ExpectClose(Values<double>(g), {0.952574134, 1.96402752, -0.993307173, 0}, "glu");
  EXPECT_THAT(Glu(T_<float>({1, 2, 3}), 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Halving dimension must be even, but dimension 0 is size 3"));
}

}  // namespace
}  // namespace ptser
