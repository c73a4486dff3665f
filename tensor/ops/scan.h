// Copyright ptser authors.
//
// tensor/ops/scan.h — running reductions along one dimension: torch.cumsum
// and torch.cumprod.
//
// The result has self's shape.  Without `dtype`, bool and integer inputs
// give int64 (torch.cumsum's promotion) and others keep their dtype; with
// it the input is converted first.  Floating sums and products accumulate
// in double (PyTorch's CPU accumulation type) and round each output;
// integers wrap.
#ifndef PTSER_TENSOR_OPS_SCAN_H_
#define PTSER_TENSOR_OPS_SCAN_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Cumsum(const Tensor& self, int64_t dim,
                              std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> Cumprod(const Tensor& self, int64_t dim,
                               std::optional<ScalarType> dtype = std::nullopt);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_SCAN_H_
