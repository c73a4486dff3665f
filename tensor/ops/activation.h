// Copyright ptser authors.
//
// tensor/ops/activation.h — activation functions (torch.relu,
// torch.nn.functional.gelu, ...), each with PyTorch's formula, elementwise,
// and (where PyTorch has one) an in-place form `XxxInplace` (F.relu(x,
// inplace=True) is torch.relu_) that writes through self's storage.
//
// Integer and floating dtypes (bool: errors below; complex: "clamp is not
// supported for complex types"):
//   Relu         max(x, 0), same dtype; torch.relu is clamp_min, so NaN stays
//                NaN and -0.0 stays -0.0.  bool is InvalidArgumentError
//                "Boolean inputs not supported for relu".
//   Hardtanh     clamp(x, min_val, max_val) (NaN stays NaN); the bounds are
//                converted to an integer dtype by truncation.
//   Relu6        Hardtanh(x, 0, 6).
//   Threshold    x <= threshold ? value : x.
//
// Floating dtypes only (float32, float64, float16, bfloat16, the last two
// computed in float; other dtypes are UnimplementedError in PyTorch's words,
// `"silu_cpu" not implemented for 'Long'`):
//   Gelu         x * Phi(x) = x/2 * (1 + erf(x / sqrt 2));  with
//                GeluApproximation::kTanh: x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
//   Silu         x * sigmoid(x)
//   Mish         x * tanh(softplus(x))
//   Hardswish    x * min(max(x + 3, 0), 6) / 6
//   Hardsigmoid  min(max(x + 3, 0), 6) / 6
//   LeakyRelu    x > 0 ? x : x * negative_slope
//   Elu          x > 0 ? scale * x : alpha * scale * (exp(input_scale * x) - 1)
//                (Selu and Celu are Elu with PyTorch's constants)
//   Softplus     x * beta > threshold ? x : log1p(exp(x * beta)) / beta
//   LogSigmoid   log(sigmoid(x)), computed as min(x, 0) - log1p(exp(-|x|))
//   Hardshrink   |x| <= lambd ? 0 : x
//   Softshrink   x > lambd ? x - lambd : x < -lambd ? x + lambd : 0
//   Glu(dim)     a * sigmoid(b), a and b the two halves of `dim` (its size
//                must be even: "Halving dimension must be even, but dimension
//                1 is size 3")
//
// Sigmoid and Tanh follow torch.sigmoid/torch.tanh: floating inputs keep
// their dtype, bool and integer inputs give float32.
//
// PyTorch's vectorised float kernels approximate exp/erf/tanh to within a
// few ulps; results here agree with them to ~1e-6 relative.
#ifndef PTSER_TENSOR_OPS_ACTIVATION_H_
#define PTSER_TENSOR_OPS_ACTIVATION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Relu(const Tensor& self);
absl::Status ReluInplace(const Tensor& self);

absl::StatusOr<Tensor> Hardtanh(const Tensor& self, double min_val = -1.0, double max_val = 1.0);
absl::Status HardtanhInplace(const Tensor& self, double min_val = -1.0, double max_val = 1.0);
absl::StatusOr<Tensor> Relu6(const Tensor& self);
absl::Status Relu6Inplace(const Tensor& self);
absl::StatusOr<Tensor> Threshold(const Tensor& self, double threshold, double value);
absl::Status ThresholdInplace(const Tensor& self, double threshold, double value);

enum class GeluApproximation { kNone, kTanh };
// "none" / "tanh"; anything else is InvalidArgumentError "approximate
// argument must be either none or tanh.".
absl::StatusOr<GeluApproximation> ParseGeluApproximation(absl::string_view name);
absl::StatusOr<Tensor> Gelu(const Tensor& self,
                            GeluApproximation approximate = GeluApproximation::kNone);
absl::Status GeluInplace(const Tensor& self,
                         GeluApproximation approximate = GeluApproximation::kNone);
absl::StatusOr<Tensor> Silu(const Tensor& self);
absl::Status SiluInplace(const Tensor& self);
absl::StatusOr<Tensor> Mish(const Tensor& self);
absl::Status MishInplace(const Tensor& self);
absl::StatusOr<Tensor> Hardswish(const Tensor& self);
absl::Status HardswishInplace(const Tensor& self);
absl::StatusOr<Tensor> Hardsigmoid(const Tensor& self);
absl::Status HardsigmoidInplace(const Tensor& self);
absl::StatusOr<Tensor> LeakyRelu(const Tensor& self, double negative_slope = 0.01);
absl::Status LeakyReluInplace(const Tensor& self, double negative_slope = 0.01);
absl::StatusOr<Tensor> Elu(const Tensor& self, double alpha = 1.0, double scale = 1.0,
                           double input_scale = 1.0);
absl::Status EluInplace(const Tensor& self, double alpha = 1.0, double scale = 1.0,
                        double input_scale = 1.0);
absl::StatusOr<Tensor> Selu(const Tensor& self);
absl::Status SeluInplace(const Tensor& self);
absl::StatusOr<Tensor> Celu(const Tensor& self, double alpha = 1.0);
absl::Status CeluInplace(const Tensor& self, double alpha = 1.0);
absl::StatusOr<Tensor> Softplus(const Tensor& self, double beta = 1.0, double threshold = 20.0);
absl::StatusOr<Tensor> LogSigmoid(const Tensor& self);
absl::StatusOr<Tensor> Hardshrink(const Tensor& self, double lambd = 0.5);
absl::StatusOr<Tensor> Softshrink(const Tensor& self, double lambd = 0.5);
absl::StatusOr<Tensor> Glu(const Tensor& self, int64_t dim = -1);

absl::StatusOr<Tensor> Sigmoid(const Tensor& self);
absl::Status SigmoidInplace(const Tensor& self);
absl::StatusOr<Tensor> Tanh(const Tensor& self);
absl::Status TanhInplace(const Tensor& self);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_ACTIVATION_H_
