// Copyright ptser authors.
//
// tensor/ops/arithmetic.h — add, sub, mul, div with PyTorch semantics.
//
// Every op broadcasts its operands (tensor/ops/internal/elementwise.h) and
// computes in torch.result_type of them (tensor/ops/type_promotion.h); a
// Scalar operand is a Python number, so `int32_t + Scalar(5)` stays int32.
//
//   Add(a, b, alpha)  a + alpha * b  (torch.add; floating: one fused
//                     multiply-add, bit-identical to PyTorch's CPU kernel)
//   Sub(a, b, alpha)  a - alpha * b  (bool operands are an error, with
//                     PyTorch's "Subtraction, the `-` operator, ..." text)
//   Mul(a, b)         a * b          (bool: logical and)
//   Div(a, b)         true division: integer/bool operands give float32;
//                     x/0 is inf or nan
//   Div(a, b, kTrunc) rounds toward zero, kFloor toward -inf (Python's //);
//                     integers stay integers, and an integer division by
//                     zero is InvalidArgumentError "ZeroDivisionError"
//
// Integer arithmetic wraps around like PyTorch's (uint8 250 + 10 == 4);
// INT_MIN / -1 gives INT_MIN (PyTorch crashes there).
//
// `alpha` must be an integer (or bool) for integer results ("For integral
// input tensors, argument alpha must not be a floating point number."), a
// bool alpha needs a bool result, a complex alpha a complex result.
//
// In-place forms (`a += b`: AddInplace(a, b)) write through a's storage, so
// every tensor viewing it sees the change:
//
//   numbers = arange(1, 10); evens = numbers[1::2];
//   MulInplace(evens, 2);  // numbers == [1, 4, 3, 8, 5, 12, 7, 16, 9]
//
// They fail, leaving `self` untouched, when the result dtype cannot be cast
// to self's ("result type Float can't be cast to the desired output type
// Long"), when `other` does not broadcast to exactly self's shape ("output
// with shape [3] doesn't match the broadcast shape [2, 3]"), when self is
// self-overlapping (an expanded tensor) or partially overlaps `other`, or
// when self's storage is read-only.
//
// All ops run on CPU tensors of dtype bool, uint8, int8, int16, int32,
// int64, float16, bfloat16, float32, float64, complex64, complex128 (div
// with rounding: not complex or bool); anything else is UnimplementedError
// `"add" not implemented for 'QInt8'`.  Results are new contiguous tensors.
#ifndef PTSER_TENSOR_OPS_ARITHMETIC_H_
#define PTSER_TENSOR_OPS_ARITHMETIC_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Add(const Tensor& self, const Tensor& other,
                           const Scalar& alpha = Scalar(1));
absl::StatusOr<Tensor> Add(const Tensor& self, const Scalar& other,
                           const Scalar& alpha = Scalar(1));
absl::StatusOr<Tensor> Add(const Scalar& self, const Tensor& other,
                           const Scalar& alpha = Scalar(1));
absl::Status AddInplace(const Tensor& self, const Tensor& other,
                        const Scalar& alpha = Scalar(1));
absl::Status AddInplace(const Tensor& self, const Scalar& other,
                        const Scalar& alpha = Scalar(1));

absl::StatusOr<Tensor> Sub(const Tensor& self, const Tensor& other,
                           const Scalar& alpha = Scalar(1));
absl::StatusOr<Tensor> Sub(const Tensor& self, const Scalar& other,
                           const Scalar& alpha = Scalar(1));
// `5 - t` (torch.rsub(t, 5)).
absl::StatusOr<Tensor> Sub(const Scalar& self, const Tensor& other,
                           const Scalar& alpha = Scalar(1));
absl::Status SubInplace(const Tensor& self, const Tensor& other,
                        const Scalar& alpha = Scalar(1));
absl::Status SubInplace(const Tensor& self, const Scalar& other,
                        const Scalar& alpha = Scalar(1));

absl::StatusOr<Tensor> Mul(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Mul(const Tensor& self, const Scalar& other);
absl::StatusOr<Tensor> Mul(const Scalar& self, const Tensor& other);
absl::Status MulInplace(const Tensor& self, const Tensor& other);
absl::Status MulInplace(const Tensor& self, const Scalar& other);

// torch.div's rounding_mode: None, "trunc", "floor".
enum class RoundingMode { kNone, kTrunc, kFloor };
// "" (Python's None) -> kNone, "trunc", "floor"; anything else is
// InvalidArgumentError "div expected rounding_mode to be one of None,
// 'trunc', or 'floor' but found 'xyz'".
absl::StatusOr<RoundingMode> ParseRoundingMode(absl::string_view name);

absl::StatusOr<Tensor> Div(const Tensor& self, const Tensor& other,
                           RoundingMode mode = RoundingMode::kNone);
absl::StatusOr<Tensor> Div(const Tensor& self, const Scalar& other,
                           RoundingMode mode = RoundingMode::kNone);
absl::StatusOr<Tensor> Div(const Scalar& self, const Tensor& other,
                           RoundingMode mode = RoundingMode::kNone);
absl::Status DivInplace(const Tensor& self, const Tensor& other,
                        RoundingMode mode = RoundingMode::kNone);
absl::Status DivInplace(const Tensor& self, const Scalar& other,
                        RoundingMode mode = RoundingMode::kNone);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_ARITHMETIC_H_
