// Copyright ptser authors.
//
// tensor/ops/linalg.h — torch.matmul and torch.nn.functional.linear.
//
// Matmul(a, b) follows torch.matmul's cases:
//
//   1-D @ 1-D   dot product, a 0-dim tensor
//   2-D @ 2-D   matrix product
//   1-D @ 2-D   a is treated as a row (1, k); the result drops that dim
//   2-D @ 1-D   matrix-vector product
//   N-D @ M-D   (one of them >= 3-D) batched: the leading "batch" dims
//               broadcast, the last two are multiplied; a 1-D operand gets a
//               dim prepended (a) or appended (b) that the result drops.
//               (2, 1, 3, 4) @ (5, 4, 2) -> (2, 5, 3, 2)
//
// Both operands must have the same dtype (no promotion, like PyTorch:
// InvalidArgumentError "expected scalar type Float but found Double"; for
// 1-D @ 1-D "dot : expected both vectors to have same dtype, but found
// Float and Double").  Shape errors are InvalidArgumentError with
// PyTorch's text: "both arguments to matmul need to be at least 1D, but
// they are 0D and 2D", "mat1 and mat2 shapes cannot be multiplied (2x3 and
// 4x5)", "size mismatch, got 2, 2x3,2", "inconsistent tensor size, ...",
// "Expected size for first two dimensions of batch2 tensor to be: [2, 3]
// but got: [2, 4]."  Supported dtypes: uint8, int8, int16, int32, int64,
// float32, float64, complex64, complex128 (bool, float16, bfloat16:
// UnimplementedError, as on PyTorch's CPU).  Floating products accumulate
// in double, so a float32 result may differ from BLAS in the last bit;
// integer products wrap.
//
// Linear(x, weight, bias) is x @ weight^T + bias, with weight (out, in) or
// (in,) and bias broadcastable to the output (PyTorch's errors, e.g. "t()
// expects a tensor with <= 2 dimensions, but self is 3D").
//
// float32 and float64 products run the blocked GEMM (internal/gemm.h),
// accumulating in the tensor's dtype as BLAS does (transposed operands are
// read in place); integer and complex products accumulate in 64 bits /
// complex<double>.
//
// The fixed-rank forms check their ranks first, with PyTorch's messages:
//   Mm(a, b)        2-D @ 2-D ("self must be a matrix", "mat2 must be a matrix")
//   Mv(a, v)        2-D @ 1-D ("vector + matrix @ vector expected, got 1, 2, 2")
//   Dot(a, b)       1-D . 1-D ("1D tensors expected, but got 2D and 1D tensors")
//   Bmm(a, b)       3-D @ 3-D with equal batches ("batch1 must be a 3D tensor",
//                   "Expected size for first two dimensions of batch2 tensor
//                   to be: [2, 3] but got: [3, 3].")
//   Addmm(s, a, b, beta, alpha)    beta * s + alpha * (a @ b), s broadcast
//   Baddbmm(s, a, b, beta, alpha)  beta * s + alpha * bmm(a, b)
//   Addmv(s, a, v, beta, alpha)    beta * s + alpha * (a @ v)
// With beta == 0, s is ignored (NaN in it does not propagate), as in
// PyTorch; for integer dtypes beta and alpha are converted to integers.
#ifndef PTSER_TENSOR_OPS_LINALG_H_
#define PTSER_TENSOR_OPS_LINALG_H_

#include <optional>

#include "absl/status/statusor.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Matmul(const Tensor& a, const Tensor& b);

absl::StatusOr<Tensor> Linear(const Tensor& x, const Tensor& weight,
                              const std::optional<Tensor>& bias = std::nullopt);

absl::StatusOr<Tensor> Mm(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Mv(const Tensor& a, const Tensor& v);
absl::StatusOr<Tensor> Dot(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Bmm(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Addmm(const Tensor& self, const Tensor& a, const Tensor& b,
                             const Scalar& beta = Scalar(int64_t{1}),
                             const Scalar& alpha = Scalar(int64_t{1}));
absl::StatusOr<Tensor> Baddbmm(const Tensor& self, const Tensor& a, const Tensor& b,
                               const Scalar& beta = Scalar(int64_t{1}),
                               const Scalar& alpha = Scalar(int64_t{1}));
absl::StatusOr<Tensor> Addmv(const Tensor& self, const Tensor& a, const Tensor& v,
                             const Scalar& beta = Scalar(int64_t{1}),
                             const Scalar& alpha = Scalar(int64_t{1}));

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_LINALG_H_
