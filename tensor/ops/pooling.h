// Copyright ptser authors.
//
// tensor/ops/pooling.h — F.max_pool2d, F.avg_pool2d, F.adaptive_avg_pool2d
// over (N, C, H, W) or unbatched (C, H, W) inputs, float32 and float64, with
// PyTorch's output sizes (ceil_mode drops a last window that would start in
// the right padding) and its errors ("pad should be at most half of
// effective kernel size, but got pad=2, kernel_size=3 and dilation=1").
//
//   MaxPool2d   the maximum of each window's in-bounds elements (NaN wins).
//   AvgPool2d   the window's sum over its in-bounds elements, divided by
//               divisor_override, else by the window's size clipped to the
//               padded input (count_include_pad) or to the input.
//   AdaptiveAvgPool2d  output cell (i, j) averages rows floor(i*H/oH) ..
//               ceil((i+1)*H/oH) and likewise columns.
#ifndef PTSER_TENSOR_OPS_POOLING_H_
#define PTSER_TENSOR_OPS_POOLING_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

struct PoolParams {
  std::array<int64_t, 2> kernel = {1, 1};
  std::array<int64_t, 2> stride = {1, 1};  // PyTorch's default is the kernel size
  std::array<int64_t, 2> padding = {0, 0};
  std::array<int64_t, 2> dilation = {1, 1};  // max pooling only
  bool ceil_mode = false;
  bool count_include_pad = true;             // average pooling only
  std::optional<int64_t> divisor_override;   // average pooling only
};

absl::StatusOr<Tensor> MaxPool2d(const Tensor& input, const PoolParams& params);
absl::StatusOr<Tensor> AvgPool2d(const Tensor& input, const PoolParams& params);
absl::StatusOr<Tensor> AdaptiveAvgPool2d(const Tensor& input, std::array<int64_t, 2> output_size);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_POOLING_H_
