// Copyright ptser authors.
//
// tensor/ops/clamp.h — torch.clamp (clip), clamp_min, clamp_max.
//
// min(max(x, min), max) elementwise, with PyTorch 1.13's rules:
//
//  * the result dtype is torch.result_type of self and the bounds that are
//    given (clamp(int64 tensor, 0.5) is float32; clamp(bool, 0, 1) int64);
//  * a NaN in self or in a bound gives NaN; min > max gives max everywhere;
//  * tensor bounds broadcast with self (the result has the broadcast shape);
//  * both bounds absent is InvalidArgumentError "torch.clamp: At least one of
//    'min' or 'max' must not be None"; bool results and complex dtypes are
//    refused as PyTorch refuses them.
//
// In-place forms write through self's storage (the broadcast shape must be
// self's, the result dtype castable to self's: `int64.clamp_(0.5)` is
// "result type Float can't be cast to the desired output type Long").
#ifndef PTSER_TENSOR_OPS_CLAMP_H_
#define PTSER_TENSOR_OPS_CLAMP_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Clamp(const Tensor& self, const std::optional<Scalar>& min,
                             const std::optional<Scalar>& max);
absl::StatusOr<Tensor> Clamp(const Tensor& self, const std::optional<Tensor>& min,
                             const std::optional<Tensor>& max);
absl::Status ClampInplace(const Tensor& self, const std::optional<Scalar>& min,
                          const std::optional<Scalar>& max);
absl::Status ClampInplace(const Tensor& self, const std::optional<Tensor>& min,
                          const std::optional<Tensor>& max);

absl::StatusOr<Tensor> ClampMin(const Tensor& self, const Scalar& min);
absl::StatusOr<Tensor> ClampMin(const Tensor& self, const Tensor& min);
absl::StatusOr<Tensor> ClampMax(const Tensor& self, const Scalar& max);
absl::StatusOr<Tensor> ClampMax(const Tensor& self, const Tensor& max);
absl::Status ClampMinInplace(const Tensor& self, const Scalar& min);
absl::Status ClampMinInplace(const Tensor& self, const Tensor& min);
absl::Status ClampMaxInplace(const Tensor& self, const Scalar& max);
absl::Status ClampMaxInplace(const Tensor& self, const Tensor& max);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_CLAMP_H_
