// Copyright ptser authors.
//
// tensor/ops/normalization.h — torch.batch_norm, torch.layer_norm,
// torch.group_norm, torch.instance_norm: the kernels under nn.BatchNorm*d,
// nn.LayerNorm, nn.GroupNorm and nn.InstanceNorm*d (jit/nn's modules and
// TorchScript's aten:: calls both run these).
//
// Inputs are float32 or float64 (float16/bfloat16: UnimplementedError);
// weight, bias and running statistics must have the input's dtype.  Channels
// are dimension 1 of an (N, C, ...) input.
//
//   BatchNorm  y = (x - mean) / sqrt(var + eps) * weight + bias per channel.
//              `training` (or no running statistics) uses the batch's mean
//              and biased variance over N and the spatial dimensions, and,
//              when running statistics are given, updates them in place:
//              running = (1 - momentum) * running + momentum * batch (the
//              unbiased variance for running_var), as PyTorch's CPU kernel.
//              Otherwise the running statistics normalise (both must be
//              given: "running_mean must be defined in evaluation mode").
//              Statistics accumulate in double; the per-channel scale and
//              shift are folded in the tensor's dtype, as PyTorch folds them.
//   LayerNorm  over the last normalized_shape.size() dimensions, which must
//              equal normalized_shape ("Given normalized_shape=[3], expected
//              input with shape [*, 3], but got input of size[2, 3, 4]");
//              weight and bias have normalized_shape.
//   GroupNorm  C split into num_groups groups, each (with the spatial
//              dimensions) normalised per sample; weight and bias have C
//              elements.
//   InstanceNorm  each (sample, channel) normalised over the spatial
//              dimensions (use_input_stats), or by running statistics;
//              running statistics are updated with the batch mean of the
//              instance statistics.
//
// Shape errors are InvalidArgumentError with PyTorch's text.
#ifndef PTSER_TENSOR_OPS_NORMALIZATION_H_
#define PTSER_TENSOR_OPS_NORMALIZATION_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> BatchNorm(const Tensor& input, const std::optional<Tensor>& weight,
                                 const std::optional<Tensor>& bias,
                                 const std::optional<Tensor>& running_mean,
                                 const std::optional<Tensor>& running_var, bool training,
                                 double momentum, double eps);

// Batch norm in evaluation mode as one affine map per channel, computed as
// BatchNorm computes it: scale = weight / sqrt(running_var + eps) (in the
// dtype), shift = bias - running_mean * scale; weight and bias may be absent
// (1 and 0).  Returns {scale, shift}, 1-D contiguous tensors of C elements in
// the statistics' dtype (float32 or float64).  A convolution followed by
// such a batch norm is Conv2dFused(..., {scale, shift}) (tensor/ops/conv.h).
absl::StatusOr<std::pair<Tensor, Tensor>> BatchNormEvalScaleShift(
    const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
    const Tensor& running_mean, const Tensor& running_var, double eps);

absl::StatusOr<Tensor> LayerNorm(const Tensor& input, absl::Span<const int64_t> normalized_shape,
                                 const std::optional<Tensor>& weight,
                                 const std::optional<Tensor>& bias, double eps = 1e-5);

absl::StatusOr<Tensor> GroupNorm(const Tensor& input, int64_t num_groups,
                                 const std::optional<Tensor>& weight,
                                 const std::optional<Tensor>& bias, double eps = 1e-5);

absl::StatusOr<Tensor> InstanceNorm(const Tensor& input, const std::optional<Tensor>& weight,
                                    const std::optional<Tensor>& bias,
                                    const std::optional<Tensor>& running_mean,
                                    const std::optional<Tensor>& running_var,
                                    bool use_input_stats, double momentum, double eps);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_NORMALIZATION_H_
