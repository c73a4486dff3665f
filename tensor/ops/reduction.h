// Copyright ptser authors.
//
// tensor/ops/reduction.h — sum, mean, prod, max, min, argmax, argmin,
// amax, amin, all, any (torch.sum, ...).
//
// `dims` lists dimensions to reduce (negative counts from the end; a 0-dim
// tensor accepts 0 and -1).  An empty list reduces every dimension, as in
// PyTorch 1.13.  With `keepdim` reduced dimensions stay as size 1.  Errors
// (InvalidArgumentError) use PyTorch's words: "Dimension out of range
// (expected to be in range of [-2, 1], but got 2)", "dim 0 appears multiple
// times in the list of dims".
//
//   Sum   bool and integer inputs give int64 (torch.sum's promotion),
//         others keep their dtype; `dtype` converts the input first, like
//         torch.sum(dtype=).  The sum of nothing is 0.  Floating sums
//         accumulate in double (complex in complex<double>), integer sums
//         in wrapping 64-bit arithmetic, so a float32 result can differ in
//         its last bit from PyTorch's pairwise float32 sum.
//   Mean  floating or complex only: integer/bool inputs are
//         InvalidArgumentError "mean(): could not infer output dtype. Input
//         dtype must be either a floating point or complex dtype. Got: Long"
//         (pass `dtype` to convert).  The mean of nothing is nan.
//   Max   of everything: a 0-dim tensor; NaN wins; an empty input is
//         InvalidArgumentError "max(): Expected reduction dim to be
//         specified for input.numel() == 0. ...".  Over one dim: values and
//         int64 indices (the first maximum; the first NaN when there is
//         one); an empty reduced dim is InvalidArgumentError "max():
//         Expected reduction dim 0 to have non-zero size.".  Not for
//         complex.
//   Min   likewise, the smallest.
//   Prod  the product; dtype rules of Sum (bool/integers give int64),
//         floating products accumulate in double; the product of nothing
//         is 1.
//   Argmax / Argmin  int64 index of the first largest / smallest element
//         (of the flattened tensor without a dim; NaN counts as the
//         extreme); an empty input is InvalidArgumentError "argmax():
//         Expected reduction dim to be specified for input.numel() == 0.".
//   Amax / Amin  the values only, over several dims; NaN propagates.
//   All / Any  whether every / some element is nonzero; the result is bool,
//         except for a uint8 input, which gives uint8 (PyTorch 1.13).
#ifndef PTSER_TENSOR_OPS_REDUCTION_H_
#define PTSER_TENSOR_OPS_REDUCTION_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

// Sum of all elements: a 0-dim tensor.
absl::StatusOr<Tensor> Sum(const Tensor& self,
                           std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> Sum(const Tensor& self, absl::Span<const int64_t> dims,
                           bool keepdim = false,
                           std::optional<ScalarType> dtype = std::nullopt);

absl::StatusOr<Tensor> Mean(const Tensor& self,
                            std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> Mean(const Tensor& self, absl::Span<const int64_t> dims,
                            bool keepdim = false,
                            std::optional<ScalarType> dtype = std::nullopt);

// torch.max(t): the largest element as a 0-dim tensor of t's dtype.
absl::StatusOr<Tensor> Max(const Tensor& self);

// torch.max(t, dim, keepdim): torch.return_types.max(values, indices).
struct MaxResult {
  Tensor values;   // self's dtype
  Tensor indices;  // int64
};
absl::StatusOr<MaxResult> Max(const Tensor& self, int64_t dim,
                              bool keepdim = false);

absl::StatusOr<Tensor> Min(const Tensor& self);
absl::StatusOr<MaxResult> Min(const Tensor& self, int64_t dim, bool keepdim = false);

absl::StatusOr<Tensor> Prod(const Tensor& self, std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> Prod(const Tensor& self, int64_t dim, bool keepdim = false,
                            std::optional<ScalarType> dtype = std::nullopt);

absl::StatusOr<Tensor> Argmax(const Tensor& self, std::optional<int64_t> dim = std::nullopt,
                              bool keepdim = false);
absl::StatusOr<Tensor> Argmin(const Tensor& self, std::optional<int64_t> dim = std::nullopt,
                              bool keepdim = false);

absl::StatusOr<Tensor> Amax(const Tensor& self, absl::Span<const int64_t> dims = {},
                            bool keepdim = false);
absl::StatusOr<Tensor> Amin(const Tensor& self, absl::Span<const int64_t> dims = {},
                            bool keepdim = false);

absl::StatusOr<Tensor> All(const Tensor& self);
absl::StatusOr<Tensor> All(const Tensor& self, int64_t dim, bool keepdim = false);
absl::StatusOr<Tensor> Any(const Tensor& self);
absl::StatusOr<Tensor> Any(const Tensor& self, int64_t dim, bool keepdim = false);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_REDUCTION_H_
