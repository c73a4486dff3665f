// Copyright ptser authors.
#include "jit/nn/pooling.h"

namespace ptser::nn {

std::shared_ptr<Pool2d> Pool2d::MaxPool(PoolParams params) {
  return std::shared_ptr<Pool2d>(new Pool2d("MaxPool2d", true, params));
}

std::shared_ptr<Pool2d> Pool2d::AvgPool(PoolParams params) {
  return std::shared_ptr<Pool2d>(new Pool2d("AvgPool2d", false, params));
}

absl::StatusOr<Tensor> Pool2d::Forward(const Tensor& x) {
  return max_ ? MaxPool2d(x, params_) : AvgPool2d(x, params_);
}

absl::StatusOr<Tensor> AdaptiveAvgPool2d::Forward(const Tensor& x) {
  return ptser::AdaptiveAvgPool2d(x, output_size_);
}

}  // namespace ptser::nn
