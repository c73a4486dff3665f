// Copyright ptser authors.
//
// tensor/ops/pooling.h — F.max_pool1d/2d, F.avg_pool1d/2d,
// F.adaptive_avg_pool1d/2d, F.adaptive_max_pool1d/2d and F.interpolate's
// nearest and bilinear modes over (N, C, H, W) or unbatched (C, H, W)
// inputs ((N, C, L) or (C, L) for the 1-d forms), float32 and float64, with
// PyTorch's output sizes (ceil_mode drops a last window that would start in
// the right padding) and its errors ("pad should be at most half of
// effective kernel size, but got pad=2, kernel_size=3 and dilation=1").
//
//   MaxPool2d   the maximum of each window's in-bounds elements (NaN wins).
//               ...WithIndices also gives the int64 position of each
//               maximum in its (H, W) plane (h * W + w; for the 1-d form the
//               position along L), as return_indices=True does: the last
//               NaN, else the first maximum.
//   AvgPool2d   the window's sum over its in-bounds elements, divided by
//               divisor_override, else by the window's size clipped to the
//               padded input (count_include_pad) or to the input.
//   AdaptiveAvgPool2d  output cell (i, j) averages rows floor(i*H/oH) ..
//               ceil((i+1)*H/oH) and likewise columns.
//   AdaptiveMaxPool2d  the maximum (and its index) over the same cells.
//   UpsampleNearest2d  out[i][j] = in[floor(i * s_h)][floor(j * s_w)], s =
//               1 / scale_factor when given, else in / out (in float, as
//               PyTorch); 4-D input.
//   UpsampleBilinear2d  PyTorch's upsample_bilinear2d: source coordinate
//               (i + 0.5) * s - 0.5 (clamped at 0), or i * (in - 1) / (out -
//               1) with align_corners; 4-D input.
#ifndef PTSER_TENSOR_OPS_POOLING_H_
#define PTSER_TENSOR_OPS_POOLING_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

// The largest kernel size, stride and dilation ptser's pooling takes in each
// dimension (PyTorch sets none); larger is InvalidArgumentError.
inline constexpr int64_t kMaxPoolWindow = int64_t{1} << 20;

struct PoolParams {
  std::array<int64_t, 2> kernel = {1, 1};
  std::array<int64_t, 2> stride = {1, 1};  // PyTorch's default is the kernel size
  std::array<int64_t, 2> padding = {0, 0};
  std::array<int64_t, 2> dilation = {1, 1};  // max pooling only
  bool ceil_mode = false;
  bool count_include_pad = true;             // average pooling only
  std::optional<int64_t> divisor_override;   // average pooling only
};

struct PoolResult {
  Tensor values;
  Tensor indices;  // int64
};

absl::StatusOr<Tensor> MaxPool2d(const Tensor& input, const PoolParams& params);
absl::StatusOr<PoolResult> MaxPool2dWithIndices(const Tensor& input, const PoolParams& params);
absl::StatusOr<Tensor> AvgPool2d(const Tensor& input, const PoolParams& params);
absl::StatusOr<Tensor> AdaptiveAvgPool2d(const Tensor& input, std::array<int64_t, 2> output_size);
absl::StatusOr<PoolResult> AdaptiveMaxPool2d(const Tensor& input,
                                             std::array<int64_t, 2> output_size);

// The 1-d forms: a 2-d pool over a height of 1.
absl::StatusOr<Tensor> MaxPool1d(const Tensor& input, int64_t kernel, int64_t stride,
                                 int64_t padding = 0, int64_t dilation = 1,
                                 bool ceil_mode = false);
absl::StatusOr<PoolResult> MaxPool1dWithIndices(const Tensor& input, int64_t kernel,
                                                int64_t stride, int64_t padding = 0,
                                                int64_t dilation = 1, bool ceil_mode = false);
absl::StatusOr<Tensor> AvgPool1d(const Tensor& input, int64_t kernel, int64_t stride,
                                 int64_t padding = 0, bool ceil_mode = false,
                                 bool count_include_pad = true);
absl::StatusOr<Tensor> AdaptiveAvgPool1d(const Tensor& input, int64_t output_size);
absl::StatusOr<PoolResult> AdaptiveMaxPool1d(const Tensor& input, int64_t output_size);

absl::StatusOr<Tensor> UpsampleNearest2d(const Tensor& input, std::array<int64_t, 2> output_size,
                                         std::optional<double> scale_h = std::nullopt,
                                         std::optional<double> scale_w = std::nullopt);
absl::StatusOr<Tensor> UpsampleBilinear2d(const Tensor& input, std::array<int64_t, 2> output_size,
                                          bool align_corners,
                                          std::optional<double> scale_h = std::nullopt,
                                          std::optional<double> scale_w = std::nullopt);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_POOLING_H_
