// Copyright ptser authors.
#include "jit/nn/basic.h"

#include "absl/strings/str_cat.h"
#include "tensor/ops/activation.h"
#include "tensor/views.h"

namespace ptser::nn {

absl::StatusOr<Tensor> ReLU::Forward(const Tensor& x) { return Relu(x); }

absl::StatusOr<Tensor> Flatten::Forward(const Tensor& x) {
  return ptser::Flatten(x, start_dim_, end_dim_);
}

absl::StatusOr<Tensor> Dropout::Forward(const Tensor& x) {
  if (!is_training() || p_ == 0) return x;
  return absl::UnimplementedError(absl::StrCat(
      "Dropout(p=", p_, ") in training mode draws a random mask, which ptser does not do; "
      "call Eval() for inference"));
}

}  // namespace ptser::nn
