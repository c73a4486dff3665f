// Copyright ptser authors.
//
// tensor/ops/normalization_test.cc — batch/layer/group/instance norm
// against PyTorch 1.13 (inputs from torch.manual_seed(0); torch.randn).

#include "tensor/ops/normalization.h"

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

using testing_util::T_;
using testing_util::Values;

void ExpectClose(const absl::StatusOr<Tensor>& got, const std::vector<double>& want,
                 const std::string& what, double tol = 2e-6) {
  ASSERT_OK(got.status()) << what;
  std::vector<double> v = Values<double>(*got);
  ASSERT_EQ(v.size(), want.size()) << what;
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << what << "[" << i << "]";
  }
}

// torch.manual_seed(0); x = torch.randn(2, 3, 4)
Tensor X() {
  return T_<float>({-1.12583983f, -1.1523602f, -0.250578582f, -0.433878809f, 0.848710358f,
                    0.692009151f, -0.31601277f, -2.11521935f, 0.468096405f, -0.157712445f,
                    1.44366014f, 0.266049415f, 0.166455343f, 0.87438184f, -0.143473849f,
                    -0.111609332f, 0.931826591f, 1.25900924f, 2.00498056f, 0.0537369028f,
                    0.618056655f, -0.412802219f, -0.841064811f, -2.31604195f},
                   {{2, 3, 4}});
}

TEST(BatchNormTest, EvalUsesRunningStats) {
  // torch.batch_norm(x, w, b, rm, rv, False, 0.1, 1e-5, False)
  ExpectClose(BatchNorm(X(), T_<float>({1, 2, 3}), T_<float>({0.5f, -0.5f, 0}),
                        T_<float>({0.1f, 0.2f, 0.3f}), T_<float>({1, 0.5f, 2}), false, 0.1, 1e-5),
              {-0.725833654, -0.752353907, 0.149423182, -0.0338761248, 1.33481145, 0.891597986,
               -1.95948994, -7.04836369, 0.356585413, -0.970952272, 2.4260633, -0.0720198825,
               0.566455007, 1.27437794, 0.256527394, 0.288391739, 1.56989729, 2.49530029,
               4.60520458, -0.913690388, 0.674698353, -1.51207805, -2.42055798, -5.54944897},
              "eval");
}

TEST(BatchNormTest, TrainingUpdatesRunningStats) {
  Tensor rm = T_<float>({0.1f, 0.2f, 0.3f});
  Tensor rv = T_<float>({1, 0.5f, 2});
  ExpectClose(BatchNorm(X(), T_<float>({1, 2, 3}), T_<float>({0.5f, -0.5f, 0}), rm, rv, true, 0.1,
                        1e-5),
              {-0.87601757, -0.918762505, 0.53470856, 0.239269435, 0.236823142, -0.0324234068,
               -1.76442301, -4.85584879, 1.66132963, -0.117210917, 4.43386889, 1.08711469,
               1.20687437, 2.34789419, 0.707337499, 0.75869602, 0.379634798, 0.941805303,
               2.22354531, -1.12911308, 2.08751464, -0.842172742, -2.05928946, -6.2511549},
              "train");
  ExpectClose(rm, {0.0627887025, 0.221988007, 0.258353025}, "running_mean");
  ExpectClose(rv, {0.943991661, 0.604843557, 1.92734623}, "running_var");
}

TEST(BatchNormTest, Errors) {
  EXPECT_THAT(BatchNorm(X(), std::nullopt, std::nullopt, T_<float>({0, 0, 0, 0}),
                        T_<float>({1, 1, 1, 1}), false, 0.1, 1e-5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "running_mean should contain 3 elements not 4"));
  EXPECT_THAT(BatchNorm(X(), std::nullopt, std::nullopt, std::nullopt, T_<float>({1, 1, 1}), false,
                        0.1, 1e-5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "running_mean must be defined in evaluation mode"));
}

TEST(LayerNormTest, AgainstPyTorch) {
  // torch.layer_norm(x, [4], tensor([1., 2, 3, 4]), tensor([0., 1, 0, 1]), 1e-5)
  ExpectClose(LayerNorm(X(), {4}, T_<float>({1, 2, 3, 4}), T_<float>({0, 1, 0, 1})),
              {-0.953893304, -1.03914285, 3.6411171, 4.03903866, 0.907474995, 2.5494833,
               -0.237303734, -5.41246128, -0.0628967583, -1.25763941, 4.79626179, -0.628151178,
               -0.0732069388, 4.31053829, -2.48979378, -2.00852299, -0.186440513, 1.56154442,
               4.03802919, -4.76136589, 1.28627741, 1.61687458, -0.293397188, -4.98766279},
              "layer_norm [4]");
  // torch.layer_norm(x, [3, 4]) on a transposed-then-contiguous view: a
  // strided input gives the same numbers.
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(X(), 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor back, Transpose(t, 0, 1));
  ExpectClose(LayerNorm(back, {3, 4}, std::nullopt, std::nullopt),
              {-1.0286423, -1.05667686, -0.103407428, -0.297173291, 1.05864608, 0.89299798,
               -0.17257762, -2.07451105, 0.656300783, -0.0052390364, 1.68756497, 0.442717791,
               -0.0067401994, 0.659128726, -0.298256636, -0.268285185, 0.713160694, 1.02090549,
               1.72255909, -0.112762086, 0.418031663, -0.551584303, -0.954403996, -2.34175348},
              "layer_norm [3, 4]");
  EXPECT_THAT(LayerNorm(X(), {3}, std::nullopt, std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Given normalized_shape=[3], expected input with shape [*, 3], but got "
                       "input of size[2, 3, 4]"));
  EXPECT_THAT(LayerNorm(X(), {3, 4}, T_<float>({1, 1, 1, 1}), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected weight to be of same shape as normalized_shape, but got weight "
                       "of shape [4] and normalized_shape = [3, 4]"));
}

TEST(GroupNormTest, AgainstPyTorch) {
  // x4 = torch.randn(2, 4, 3) (continuing the seed);
  // torch.group_norm(x4, 2, tensor([1., 2, 3, 4]), tensor([0., 0, 1, 1]), 1e-5)
  const Tensor x4 = T_<float>(
      {-0.215863258f, -0.742548168f, 0.562721372f, 0.259627402f, -0.173960999f, -0.678746223f,
       0.938260734f, 0.488869816f, -0.56924808f, 0.919971406f, 1.11081612f, 1.28987408f,
       -1.47817397f, 2.56723285f, -0.473119795f, 0.335550755f, -1.62932599f, -0.549743652f,
       -0.479834259f, -0.499681532f, -1.06698036f, 1.11493957f, -0.140671432f, 0.805753589f},
      {{2, 4, 3}});
  ExpectClose(GroupNorm(x4, 2, T_<float>({1, 2, 3, 4}), T_<float>({0, 0, 1, 1})),
              {-0.109288111, -1.23641407, 1.55691302, 1.81656039, -0.0392313264, -2.1997509,
               2.17759752, -0.0106624616, -5.16305208, 2.45138621, 3.69044948, 4.85298729,
               -0.907465279, 1.97501862, -0.191331506, 0.769745111, -2.03033209, -0.491856992,
               -0.705749273, -0.783500254, -3.00587273, 7.05562544, 0.497211725, 5.44065905},
              "group_norm");
  EXPECT_THAT(GroupNorm(X(), 2, std::nullopt, std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected number of channels in input to be divisible by num_groups, but "
                       "got input of shape [2, 3, 4] and num_groups=2"));
  EXPECT_THAT(GroupNorm(X(), 3, T_<float>({1, 1}), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected weight to be a vector of size equal to the number of channels in "
                       "input, but got weight of shape [2] and input of shape [2, 3, 4]"));
}

TEST(InstanceNormTest, InputStatsAndRunningUpdate) {
  Tensor rm = T_<float>({0.1f, 0.2f, 0.3f});
  Tensor rv = T_<float>({1, 0.5f, 2});
  // torch.instance_norm(x, None, None, rm, rv, True, 0.1, 1e-5, False)
  ExpectClose(InstanceNorm(X(), std::nullopt, std::nullopt, rm, rv, true, 0.1, 1e-5),
              {-0.953893423, -1.01957154, 1.21370566, 0.759759605, 0.907474995, 0.77474159,
               -0.0791012421, -1.60311532, -0.0628966391, -1.12881958, 1.59875405, -0.407037675,
               -0.0732069984, 1.65526915, -0.829931319, -0.752130806, -0.186440513, 0.28077215,
               1.34600961, -1.44034135, 1.28627741, 0.308437288, -0.0977990627, -1.4969157},
              "instance_norm");
  ExpectClose(rm, {0.0627887025, 0.221987993, 0.258353025}, "running_mean");
  ExpectClose(rv, {0.922051549, 0.575608552, 1.89707017}, "running_var");
}

}  // namespace
}  // namespace ptser
