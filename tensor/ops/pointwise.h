// Copyright ptser authors.
//
// tensor/ops/pointwise.h — the other elementwise math of two operands:
// torch.pow, remainder, fmod, floor_divide, minimum, maximum, fmin, fmax,
// atan2.  (add/sub/mul/div are in arithmetic.h, comparisons in
// comparison.h, bitwise and logical ops in bitwise.h.)
//
// Like arithmetic.h: the operands broadcast and compute in torch.result_type
// of them (a Scalar is a Python number: `int32 tensor ** 2` stays int32,
// `int64 tensor ** 0.5` is float32); results are new contiguous tensors;
// in-place forms write through self's storage after PyTorch's checks
// ("result type Float can't be cast to the desired output type Long").
//
//   Pow(a, b)        a ** b.  Integers: exact with wrap-around; a negative
//                    exponent gives 0 except for bases 1 and -1 (PyTorch's
//                    powi), but a negative *Scalar* exponent of an integer
//                    tensor is InvalidArgumentError "Integers to negative
//                    integer powers are not allowed.".  Floating tensor **
//                    Scalar uses PyTorch's shortcuts: 2 -> x*x, 3 -> x*x*x,
//                    0.5 -> sqrt (so pow(-0.0, 0.5) is -0.0 and pow(-inf,
//                    0.5) nan), -0.5 -> 1/sqrt, -1 -> 1/x, -2 -> 1/(x*x);
//                    others std::pow in the tensor's dtype.
//   Remainder(a, b)  Python's %: the result has b's sign (a - b*floor(a/b),
//                    computed from fmod as PyTorch does); integer division
//                    by zero is InvalidArgumentError "ZeroDivisionError".
//   Fmod(a, b)       C's fmod / %: the result has a's sign.
//   FloorDivide      torch.floor_divide == div(rounding_mode='floor') (1.13
//                    floors, despite older documentation).
//   Minimum/Maximum  elementwise min/max, NaN propagating; bool is or/and.
//   Fmin/Fmax        the same ignoring NaN (NaN only when both are).
//   Atan2(a, b)      atan(a / b) in the right quadrant; integers give float32.
//
// Supported dtypes: bool (where it has a meaning: minimum, maximum; others
// compute bool operands as their promoted type), integers, float32,
// float64, float16, bfloat16 (computed in float).  Complex is
// UnimplementedError.
#ifndef PTSER_TENSOR_OPS_POINTWISE_H_
#define PTSER_TENSOR_OPS_POINTWISE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Pow(const Tensor& self, const Tensor& exponent);
absl::StatusOr<Tensor> Pow(const Tensor& self, const Scalar& exponent);
absl::StatusOr<Tensor> Pow(const Scalar& self, const Tensor& exponent);
absl::Status PowInplace(const Tensor& self, const Tensor& exponent);
absl::Status PowInplace(const Tensor& self, const Scalar& exponent);

#define PTSER_POINTWISE_BINARY_(Name)                                           \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Tensor& other);         \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Scalar& other);         \
  absl::Status Name##Inplace(const Tensor& self, const Tensor& other);          \
  absl::Status Name##Inplace(const Tensor& self, const Scalar& other);

PTSER_POINTWISE_BINARY_(Remainder)
PTSER_POINTWISE_BINARY_(Fmod)
PTSER_POINTWISE_BINARY_(FloorDivide)
PTSER_POINTWISE_BINARY_(Atan2)

#undef PTSER_POINTWISE_BINARY_

// `5 % t` (aten::remainder.Scalar_Tensor).
absl::StatusOr<Tensor> Remainder(const Scalar& self, const Tensor& other);

absl::StatusOr<Tensor> Minimum(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Maximum(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Fmin(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Fmax(const Tensor& self, const Tensor& other);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_POINTWISE_H_
