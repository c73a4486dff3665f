// Copyright ptser authors.
#include "jit/nn/init.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/generator.h"

namespace ptser::nn::init {

absl::StatusOr<std::pair<int64_t, int64_t>> FanInAndFanOut(const Tensor& t) {
  if (t.dim() < 2) {
    return absl::InvalidArgumentError(
        "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  }
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.sizes()[d];
  return std::make_pair(t.sizes()[1] * receptive, t.sizes()[0] * receptive);
}

absl::Status Uniform(const Tensor& t, double a, double b) {
  return DefaultGenerator().Uniform(t, a, b);
}

absl::Status KaimingUniform(const Tensor& t, double a) {
  PTSER_ASSIGN_OR_RETURN(auto fans, FanInAndFanOut(t));
  if (fans.first == 0) return absl::OkStatus();  // PyTorch warns and leaves it
  const double gain = std::sqrt(2.0 / (1 + std::pow(a, 2)));
  const double std_dev = gain / std::sqrt(static_cast<double>(fans.first));
  const double bound = std::sqrt(3.0) * std_dev;
  return Uniform(t, -bound, bound);
}

absl::Status ResetWeightAndBias(const Tensor& weight, const Tensor* bias) {
  PTSER_RETURN_IF_ERROR(KaimingUniform(weight, std::sqrt(5.0)));
  if (bias == nullptr) return absl::OkStatus();
  PTSER_ASSIGN_OR_RETURN(auto fans, FanInAndFanOut(weight));
  const double bound = fans.first > 0 ? 1 / std::sqrt(static_cast<double>(fans.first)) : 0;
  return Uniform(*bias, -bound, bound);
}

}  // namespace ptser::nn::init
