// Copyright ptser authors.
//
// tensor/ops/where.h — torch.where(condition, x, y).
//
// out[i] = condition[i] ? x[i] : y[i], over the broadcast of the three
// shapes (condition first, so a mismatch reads "The size of tensor a (2)
// must match the size of tensor b (3) at non-singleton dimension 0").  The
// result dtype is torch.result_type(x, y) — the condition takes no part —
// so `Where(c, int64 tensor, Scalar(2.5))` is float32 and
// `Where(c, Scalar(1), Scalar(2))` is int64.
//
// The condition must be bool (uint8 is accepted too, as PyTorch 1.13 still
// does with a deprecation warning); any other dtype is InvalidArgumentError
// "where expected condition to be a boolean tensor, but got a tensor with
// dtype Float".
#ifndef PTSER_TENSOR_OPS_WHERE_H_
#define PTSER_TENSOR_OPS_WHERE_H_

#include "absl/status/statusor.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Where(const Tensor& condition, const Tensor& x,
                             const Tensor& y);
absl::StatusOr<Tensor> Where(const Tensor& condition, const Tensor& x,
                             const Scalar& y);
absl::StatusOr<Tensor> Where(const Tensor& condition, const Scalar& x,
                             const Tensor& y);
absl::StatusOr<Tensor> Where(const Tensor& condition, const Scalar& x,
                             const Scalar& y);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_WHERE_H_
