// Copyright ptser authors.
//
// tensor/ops/softmax_test.cc — softmax/log_softmax against PyTorch 1.13.

#include "tensor/ops/softmax.h"

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
                 const std::string& what) {
  ASSERT_OK(got.status()) << what;
  std::vector<double> v = Values<double>(*got);
  ASSERT_EQ(v.size(), want.size()) << what;
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], 2e-6 * std::max(1.0, std::fabs(want[i]))) << what << "[" << i << "]";
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

TEST(SoftmaxTest, AlongEachDim) {
  ExpectClose(Softmax(X(), -1),
              {0.156962231, 0.152854249, 0.3766312, 0.31355232, 0.450737894, 0.385362625,
               0.140634298, 0.0232651457, 0.199818268, 0.106868535, 0.530050397, 0.163262829,
               0.221213236, 0.449013799, 0.162259668, 0.167513251, 0.174604788, 0.242186412,
               0.510647237, 0.0725615695, 0.608894944, 0.217193112, 0.14153178, 0.0323801972},
              "softmax -1");
  ExpectClose(Softmax(X(), 1),
              {0.0761819482, 0.0997219458, 0.135516763, 0.312526137, 0.548767507, 0.630652606,
               0.126933217, 0.0581687093, 0.375050575, 0.269625396, 0.73755002, 0.629305184,
               0.211836666, 0.364283621, 0.0993109569, 0.436659336, 0.455404818, 0.535156965,
               0.851253808, 0.515171349, 0.332758456, 0.100559406, 0.0494353026, 0.0481692404},
              "softmax 1");
  ExpectClose(LogSoftmax(X(), 0),
              {-1.53495884, -2.15051961, -0.748132765, -0.867208362, -0.735568583, -1.01630628,
               -2.414644, -2.27717972, -0.770935655, -0.573714256, -0.0969471186, -0.0728931874,
               -0.242663577, -0.123777628, -0.641028047, -0.544938862, -0.65245235, -0.44930622,
               -0.0936506242, -0.108223528, -0.620975435, -0.828804016, -2.38167214, -2.65498447},
              "log_softmax 0");
  // A strided input gives the same numbers.
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(X(), 1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor s, Softmax(t, 1));
  ASSERT_OK_AND_ASSIGN(Tensor back, Transpose(s, 1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor direct, Softmax(X(), 2));
  EXPECT_EQ(Values<float>(back), Values<float>(direct));
}

TEST(SoftmaxTest, Dtypes) {
  // torch.softmax(torch.tensor([1, 2, 3]), 0, dtype=torch.float64)
  ASSERT_OK_AND_ASSIGN(Tensor d, Softmax(T_<int64_t>({1, 2, 3}), 0, ScalarType::kDouble));
  EXPECT_EQ(d.dtype(), ScalarType::kDouble);
  ExpectClose(d, {0.0900305732, 0.244728471, 0.665240956}, "dtype");
  EXPECT_THAT(Softmax(T_<int64_t>({1, 2}), 0),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"));
  EXPECT_THAT(Softmax(T_<int64_t>({1, 2}, {{1, 2}}), 0),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "\"softmax_kernel_impl\" not implemented for 'Long'"));
}

}  // namespace
}  // namespace ptser
