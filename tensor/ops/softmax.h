// Copyright ptser authors.
//
// tensor/ops/softmax.h — torch.softmax and torch.log_softmax along one
// dimension (negative counts from the end), float32 and float64, same dtype
// out: exp(x - max) / sum(exp(x - max)), and (x - max) - log(sum(exp(x - max))).
#ifndef PTSER_TENSOR_OPS_SOFTMAX_H_
#define PTSER_TENSOR_OPS_SOFTMAX_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Softmax(const Tensor& self, int64_t dim);
absl::StatusOr<Tensor> LogSoftmax(const Tensor& self, int64_t dim);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_SOFTMAX_H_
