// Copyright ptser authors.
//
// tensor/ops/comparison.h — eq, ne, lt, le, gt, ge (torch.eq, ...).
//
// The operands broadcast and are compared in torch.result_type of them (so
// `uint8 tensor == Scalar(-1)` compares against -1 converted to uint8, 255,
// as PyTorch does); the result is a new bool tensor of the broadcast shape.
// NaN compares unequal to everything (Ne gives true).  Complex operands
// support Eq/Ne only; the orderings give UnimplementedError `"lt_cpu" not
// implemented for 'ComplexFloat'`.
#ifndef PTSER_TENSOR_OPS_COMPARISON_H_
#define PTSER_TENSOR_OPS_COMPARISON_H_

#include "absl/status/statusor.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Eq(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Eq(const Tensor& self, const Scalar& other);
absl::StatusOr<Tensor> Ne(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Ne(const Tensor& self, const Scalar& other);
absl::StatusOr<Tensor> Lt(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Lt(const Tensor& self, const Scalar& other);
absl::StatusOr<Tensor> Le(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Le(const Tensor& self, const Scalar& other);
absl::StatusOr<Tensor> Gt(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Gt(const Tensor& self, const Scalar& other);
absl::StatusOr<Tensor> Ge(const Tensor& self, const Tensor& other);
absl::StatusOr<Tensor> Ge(const Tensor& self, const Scalar& other);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_COMPARISON_H_
