// Copyright ptser authors.
//
// tensor/ops/neg.h — torch.neg (-t).
//
// A whole op in one file pair: the kernel is a lambda handed to
// ops_internal::Map, dtype dispatch and errors come from
// tensor/ops/internal/.
//
//   Neg(t)  -t, same dtype.  Integers wrap (uint8 1 -> 255, INT64_MIN stays
//           INT64_MIN); -0.0 for 0.0.  bool is InvalidArgumentError
//           "Negation, the `-` operator, on a bool tensor is not supported.
//           If you are trying to invert a mask, use the `~` or
//           `logical_not()` operator instead."
//   NegInplace(t)  neg_(): writes through t's storage.
#ifndef PTSER_TENSOR_OPS_NEG_H_
#define PTSER_TENSOR_OPS_NEG_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Neg(const Tensor& self);
absl::Status NegInplace(const Tensor& self);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_NEG_H_
