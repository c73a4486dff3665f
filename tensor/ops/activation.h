// Copyright ptser authors.
//
// tensor/ops/activation.h — activation functions (torch.relu, ...).
//
//   Relu(t)  max(t, 0) elementwise, same dtype (torch.relu is clamp_min:
//            NaN stays NaN and -0.0 stays -0.0).  Integer and floating
//            dtypes; bool is InvalidArgumentError "Boolean inputs not
//            supported for relu", complex is InvalidArgumentError "clamp is
//            not supported for complex types".
//   ReluInplace(t)  relu_(): writes through t's storage.
#ifndef PTSER_TENSOR_OPS_ACTIVATION_H_
#define PTSER_TENSOR_OPS_ACTIVATION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Relu(const Tensor& self);
absl::Status ReluInplace(const Tensor& self);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_ACTIVATION_H_
