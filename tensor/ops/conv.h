// Copyright ptser authors.
//
// tensor/ops/conv.h — convolutions and padding, as torch.nn.functional's.
//
//   Conv2d(x, w, b, p)           F.conv2d: x (N, C, H, W) or unbatched (C, H, W); w
//                                (O, C / groups, kH, kW); b (O) or none.  Zero padding
//                                per side (top, bottom, left, right), so 'same' with an
//                                even kernel is expressible (PyTorch pads the extra on the
//                                bottom/right).
//   Conv1d(x, w, b, p)           F.conv1d: x (N, C, L) or (C, L); w (O, C / groups, k);
//                                p.padding's left/right used, top/bottom must be 0.
//   ConvTranspose2d(x, w, b, p)  F.conv_transpose2d: w (C, O / groups, kH, kW); symmetric
//                                padding, output_padding, dilation, groups.
//   Pad(x, pad, mode, value)     F.pad: pad = (left, right[, top, bottom[, front, back
//                                ...]]) from the last dimension backwards.  Constant mode
//                                pads any number of dimensions of any dtype (negative
//                                padding crops; the value is truncated for integer dtypes);
//                                reflect, replicate and circular pad the last one or two
//                                dimensions of float32/float64 tensors (PyTorch's rules and
//                                errors for each).
//
// float32 and float64 (others: InvalidArgumentError).  Shapes are checked
// with PyTorch's messages ("Given groups=1, weight of size [8, 3, 3, 3],
// expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels
// instead").  The products accumulate in the tensor's dtype, as BLAS does,
// on every core (internal/gemm.h).
#ifndef PTSER_TENSOR_OPS_CONV_H_
#define PTSER_TENSOR_OPS_CONV_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/tensor.h"

namespace ptser {

struct ConvParams {
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 4> padding = {0, 0, 0, 0};  // top, bottom, left, right
  std::array<int64_t, 2> dilation = {1, 1};
  int64_t groups = 1;
  // ConvTranspose2d only.
  std::array<int64_t, 2> output_padding = {0, 0};
};

absl::StatusOr<Tensor> Conv2d(const Tensor& input, const Tensor& weight,
                              const std::optional<Tensor>& bias, const ConvParams& params);
// What Conv2dFused applies to each output element y of channel o after the
// convolution and its bias: y = y * scale[o] + shift[o] when scale and shift
// are given (1-D, O elements, the input's dtype: batch norm in evaluation
// mode, BatchNormEvalScaleShift in normalization.h), then, with clamp,
// y = min(max(y, lo), hi) keeping NaN (relu: lo 0, hi +inf; relu6: 0 and 6).
struct ConvEpilogue {
  std::optional<Tensor> scale;
  std::optional<Tensor> shift;
  bool clamp = false;
  double lo = 0;
  double hi = 0;
};

// Conv2d, then the epilogue, in one pass over the output where oneDNN runs
// the convolution (float32); otherwise Conv2d followed by a loop.  The result
// is Conv2d's followed by BatchNorm's (eval) and Relu's/Relu6's to within
// float rounding of one multiply-add.
absl::StatusOr<Tensor> Conv2dFused(const Tensor& input, const Tensor& weight,
                                   const std::optional<Tensor>& bias, const ConvParams& params,
                                   const ConvEpilogue& epilogue);

absl::StatusOr<Tensor> Conv1d(const Tensor& input, const Tensor& weight,
                              const std::optional<Tensor>& bias, const ConvParams& params);
absl::StatusOr<Tensor> ConvTranspose2d(const Tensor& input, const Tensor& weight,
                                       const std::optional<Tensor>& bias,
                                       const ConvParams& params);
// F.conv_transpose1d: x (N, C, L) or (C, L); w (C, O / groups, k); the
// second entries of stride, dilation and output_padding and padding[2]
// (== padding[3]) are used.
absl::StatusOr<Tensor> ConvTranspose1d(const Tensor& input, const Tensor& weight,
                                       const std::optional<Tensor>& bias,
                                       const ConvParams& params);

// padding='same' for one spatial dimension, as PyTorch computes it: total
// = dilation * (kernel - 1), split as (total / 2, total - total / 2) (the
// extra element on the right/bottom).  Strided convolutions cannot be
// 'same' (InvalidArgumentError "padding='same' is not supported for strided
// convolutions").  padding='valid' is zero padding.
absl::StatusOr<std::array<int64_t, 2>> SamePadding(int64_t kernel, int64_t dilation,
                                                   int64_t stride);

enum class PadMode { kConstant, kReflect, kReplicate, kCircular };
absl::StatusOr<Tensor> Pad(const Tensor& input, absl::Span<const int64_t> pad, PadMode mode,
                           double value = 0);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_CONV_H_
