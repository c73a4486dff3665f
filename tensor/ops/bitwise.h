// Copyright ptser authors.
//
// tensor/ops/bitwise.h — bitwise and logical ops of two operands
// (torch.bitwise_and / `&`, `|`, `^`, `<<`, `>>`, torch.logical_and, ...).
//
// Bitwise ops broadcast and compute in torch.result_type of their operands,
// which must be bool or integer (`bool & bool` is logical and); floating
// operands are UnimplementedError `"bitwise_and_cpu" not implemented for
// 'Float'`.  Shifts follow PyTorch's x86 results for out-of-range counts:
// `x << n` is 0 and `x >> n` is 0 or -1 (the sign) when n is negative or at
// least the bit width.  In-place forms (`a &= b`) write through a's
// storage with the checks of arithmetic.h.  Shifts take integers only
// (`"lshift_cpu" not implemented for 'Bool'`).
//
// Logical ops take any real dtypes, treat nonzero (and NaN) as true and
// give bool; in place (`a.logical_and_(b)`) the bool result is converted
// to a's dtype (1 / 0).
#ifndef PTSER_TENSOR_OPS_BITWISE_H_
#define PTSER_TENSOR_OPS_BITWISE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

#define PTSER_BITWISE_OP_(Name)                                                 \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Tensor& other);         \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Scalar& other);         \
  absl::Status Name##Inplace(const Tensor& self, const Tensor& other);          \
  absl::Status Name##Inplace(const Tensor& self, const Scalar& other);

PTSER_BITWISE_OP_(BitwiseAnd)
PTSER_BITWISE_OP_(BitwiseOr)
PTSER_BITWISE_OP_(BitwiseXor)
PTSER_BITWISE_OP_(BitwiseLeftShift)
PTSER_BITWISE_OP_(BitwiseRightShift)

#undef PTSER_BITWISE_OP_

absl::StatusOr<Tensor> LogicalAnd(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> LogicalOr(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> LogicalXor(const Tensor& self, const Tensor& other);
absl::Status LogicalAndInplace(const Tensor& self, const Tensor& other);
absl::Status LogicalOrInplace(const Tensor& self, const Tensor& other);
absl::Status LogicalXorInplace(const Tensor& self, const Tensor& other);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_BITWISE_H_
