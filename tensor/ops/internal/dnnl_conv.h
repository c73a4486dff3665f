// Copyright ptser authors.
//
// tensor/ops/internal/dnnl_conv.h — float32 2-D convolutions through oneDNN
// (Debian's libdnnl 2.6, the library libtorch itself runs CPU convolutions
// with), where the build has it.
//
// oneDNN is a shared library only in Debian, so the fully static release
// build (--config=release sets --define=ptser_dnnl=off) leaves it out:
// DnnlAvailable() is then false and tensor/ops/conv.cc runs its own im2col +
// blocked GEMM (internal/gemm.h).  docs/performance.md says why oneDNN was
// chosen over OpenBLAS, Eigen and our GEMM (measured).
//
// Each call reorders the plain NCHW input and OIHW weight into the blocked
// layouts oneDNN's kernel picked, runs it, and reorders the output back to
// NCHW — what libtorch 1.13's mkldnn_convolution does.  Nothing about the
// weights is kept between calls (a cache keyed by address could return stale
// weights after an in-place load_state_dict or a SetAttr); only the
// primitives (compiled kernels and reorders) are cached, keyed by geometry.
//
// An epilogue runs inside the kernel, on each output element y of channel o
// after the bias: y = y * scale[o] + shift[o] (batch norm in eval mode, as
// PyTorch's CPU kernel computes it: alpha = weight / sqrt(var + eps), beta =
// bias - mean * alpha), then y = min(max(y, lo), hi) (relu: [0, +inf),
// relu6: [0, 6]).
#ifndef PTSER_TENSOR_OPS_INTERNAL_DNNL_CONV_H_
#define PTSER_TENSOR_OPS_INTERNAL_DNNL_CONV_H_

#include <cstdint>

#include "absl/status/status.h"

namespace ptser {
namespace ops_internal {

// One 2-D convolution: input (n, c, h, w), weight (o, c / groups, kh, kw),
// output (n, o, oh, ow), all contiguous.  Padding per side: top, bottom,
// left, right.  The caller has checked the shapes (tensor/ops/conv.cc).
struct ConvShape {
  int64_t n, c, h, w;
  int64_t o, kh, kw;
  int64_t oh, ow;
  int64_t stride[2];
  int64_t padding[4];
  int64_t dilation[2];
  int64_t groups;
};

// What follows the convolution (see above).  scale and shift are both given
// or both null, o floats each.
struct ConvEpilogue {
  const float* scale = nullptr;
  const float* shift = nullptr;
  bool clamp = false;
  float lo = 0;
  float hi = 0;
};

// Whether this build links oneDNN (false in --config=release).
bool DnnlAvailable();

// y = epilogue(conv(x, w) + b) through oneDNN; b may be null.  Thread-safe.
// UnimplementedError when the build has no oneDNN; InternalError naming
// oneDNN's status when it refuses (the caller may fall back).
absl::Status DnnlConv2d(const float* x, const float* w, const float* b, float* y,
                        const ConvShape& shape, const ConvEpilogue& epilogue);

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_DNNL_CONV_H_
