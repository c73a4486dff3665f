// Copyright ptser authors.
//
// jit/nn/fused.h — Conv2d → BatchNorm2d → ReLU/ReLU6 run as one fused
// convolution in evaluation mode (the pattern of every torchvision CNN).
//
// In evaluation mode a batch norm is an affine map per channel, y * scale +
// shift, with scale = weight / sqrt(running_var + eps) and shift = bias -
// running_mean * scale — the same expressions PyTorch's CPU kernel (and
// ptser's BatchNorm) evaluate.  Fused, the convolution applies them and the
// activation's clamp to each output as it is written (oneDNN post-ops), so
// the activations are written once instead of three times.  The statistics
// and weights are read on every call (nothing is cached: a load_state_dict
// or an in-place change shows at once).
//
//   FusibleConvBatchNorm(conv, bn, act, x)  whether the three modules (act
//       may be null) on input x are exactly Conv2dFused's computation:
//       conv an nn::Conv2d with zero padding, bn an nn::BatchNorm in eval mode
//       with both running statistics and conv's output channels, act an
//       nn::ReLU or a MakeReLU6() module, x 4-D.  (The exact classes: a
//       subclass may override Forward.)
//   RunConvBatchNorm(conv, bn, act, x)  their output, fused; call it only
//       where FusibleConvBatchNorm said so.  On any error the caller should
//       run the modules one by one (their errors carry PyTorch's messages).
#ifndef PTSER_JIT_NN_FUSED_H_
#define PTSER_JIT_NN_FUSED_H_

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/tensor.h"

namespace ptser::nn {

bool FusibleConvBatchNorm(const Module& conv, const Module& bn, const Module* act,
                          const Tensor& x);

absl::StatusOr<Tensor> RunConvBatchNorm(Module& conv, Module& bn, const Module* act,
                                        const Tensor& x);

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_FUSED_H_
