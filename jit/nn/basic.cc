// Copyright ptser authors.
#include "jit/nn/basic.h"

#include "absl/strings/str_cat.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/dropout.h"
#include "tensor/views.h"

namespace ptser::nn {

absl::StatusOr<Tensor> ReLU::Forward(const Tensor& x) { return Relu(x); }

absl::StatusOr<Tensor> Flatten::Forward(const Tensor& x) {
  return ptser::Flatten(x, start_dim_, end_dim_);
}

absl::StatusOr<Tensor> Dropout::Forward(const Tensor& x) {
  return ptser::Dropout(x, p_, is_training());
}

}  // namespace ptser::nn
