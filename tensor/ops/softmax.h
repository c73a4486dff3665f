// Copyright ptser authors.
//
// tensor/ops/softmax.h — torch.softmax and torch.log_softmax along one
// dimension (negative counts from the end; a 0-dim tensor takes 0 or -1).
//
//   softmax(x)     = exp(x - max) * (1 / sum(exp(x - max)))
//   log_softmax(x) = x - max - log(sum(exp(x - max)))
//
// as PyTorch's vectorised CPU kernels compute them, in the tensor's dtype.
// `dtype` converts the input first (torch.softmax(x, dim, dtype=...)), so
// integer tensors need it: without it they are UnimplementedError
// `"softmax_lastdim_kernel_impl" not implemented for 'Long'` (PyTorch's
// words; "softmax_kernel_impl" when `dim` is not the last).  float32 and
// float64.  The result is contiguous.
#ifndef PTSER_TENSOR_OPS_SOFTMAX_H_
#define PTSER_TENSOR_OPS_SOFTMAX_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Softmax(const Tensor& self, int64_t dim,
                               std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> LogSoftmax(const Tensor& self, int64_t dim,
                                  std::optional<ScalarType> dtype = std::nullopt);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_SOFTMAX_H_
