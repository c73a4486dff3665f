// Copyright ptser authors.
//
// jit/nn/init.h — torch.nn.init's initialisers that the layers use, drawing
// from the default generator (tensor/generator.h) exactly as PyTorch does, so
// that `ManualSeed(0)` then building a layer gives Python's weights.
#ifndef PTSER_JIT_NN_INIT_H_
#define PTSER_JIT_NN_INIT_H_

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser::nn::init {

// torch.nn.init._calculate_fan_in_and_fan_out: (fan_in, fan_out) of a
// weight of 2 or more dimensions (size(1) * receptive field, size(0) *
// receptive field); fewer dimensions is InvalidArgumentError ("Fan in and
// fan out can not be computed for tensor with fewer than 2 dimensions").
absl::StatusOr<std::pair<int64_t, int64_t>> FanInAndFanOut(const Tensor& t);

// uniform_(t, a, b).
absl::Status Uniform(const Tensor& t, double a, double b);

// kaiming_uniform_(t, a, mode='fan_in', nonlinearity='leaky_relu'):
// uniform in +-sqrt(3) * gain / sqrt(fan_in), gain = sqrt(2 / (1 + a^2)).
absl::Status KaimingUniform(const Tensor& t, double a);

// What Linear and Conv do in reset_parameters(): kaiming_uniform_(weight,
// a=sqrt(5)), then the bias (when there is one) uniform in +-1/sqrt(fan_in).
absl::Status ResetWeightAndBias(const Tensor& weight, const Tensor* bias);

}  // namespace ptser::nn::init

#endif  // PTSER_JIT_NN_INIT_H_
