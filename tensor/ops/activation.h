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
//
// The floating-point activations (float32, float64, float16, bfloat16 — the
// last two computed in float; other dtypes are InvalidArgumentError naming
// the op), each PyTorch's formula, elementwise, same dtype:
//   Relu6        min(max(x, 0), 6)                (hardtanh(x, 0, 6); NaN stays NaN)
//   Gelu         x * Phi(x) = x/2 * (1 + erf(x / sqrt 2));  with
//                GeluApproximation::kTanh: x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
//   Silu         x * sigmoid(x)
//   Hardswish    x * min(max(x + 3, 0), 6) / 6
//   Hardsigmoid  min(max(x + 3, 0), 6) / 6
//   Sigmoid      1 / (1 + exp(-x))
//   Tanh         tanh(x)
// PyTorch's vectorised float kernels approximate exp/erf/tanh to within a
// few ulps; results here agree with them to ~1e-6 relative.
#ifndef PTSER_TENSOR_OPS_ACTIVATION_H_
#define PTSER_TENSOR_OPS_ACTIVATION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Relu(const Tensor& self);
absl::Status ReluInplace(const Tensor& self);

enum class GeluApproximation { kNone, kTanh };
absl::StatusOr<Tensor> Relu6(const Tensor& self);
absl::StatusOr<Tensor> Gelu(const Tensor& self,
                            GeluApproximation approximate = GeluApproximation::kNone);
absl::StatusOr<Tensor> Silu(const Tensor& self);
absl::StatusOr<Tensor> Hardswish(const Tensor& self);
absl::StatusOr<Tensor> Hardsigmoid(const Tensor& self);
absl::StatusOr<Tensor> Sigmoid(const Tensor& self);
absl::StatusOr<Tensor> Tanh(const Tensor& self);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_ACTIVATION_H_
