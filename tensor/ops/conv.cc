// Copyright ptser authors.
//
// float32 convolutions through oneDNN where the build has it
// (internal/dnnl_conv.h); otherwise, and for float64, as im2col + a blocked
// product (internal/gemm.h).  Transposed convolution as a scatter, and F.pad
// by index tables.
#include "tensor/ops/conv.h"

#include <algorithm>
#include <type_traits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/dnnl_conv.h"
#include "tensor/ops/internal/gemm.h"
#include "tensor/ops/internal/parallel.h"
#include "tensor/factories.h"
#include "tensor/storage.h"
#include "tensor/views.h"

namespace ptser {
namespace {

absl::Status CheckFloating(const Tensor& t, const char* op) {
  if (t.dtype() != ScalarType::kFloat && t.dtype() != ScalarType::kDouble) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, ": float32 and float64 are supported, not ", DtypeRepr(t.dtype())));
  }
  return absl::OkStatus();
}

absl::Status CheckSameDtype(const Tensor& input, const Tensor& weight,
                            const std::optional<Tensor>& bias) {
  if (weight.dtype() != input.dtype() || (bias && bias->dtype() != input.dtype())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Input type (", DtypeRepr(input.dtype()), ") and weight type (", DtypeRepr(weight.dtype()),
        ") should be the same", bias && bias->dtype() != input.dtype() ? " (and the bias's)" : ""));
  }
  return absl::OkStatus();
}

struct Geometry {
  int64_t n, c, h, w;        // input
  int64_t o, kh, kw;         // weight
  int64_t oh, ow;            // output
};

// A depthwise convolution (one input and one output channel per group, as
// in MobileNet): taps applied directly, each over the run of output columns
// whose input column is in bounds, instead of tiny per-group products.
template <typename T>
void DepthwiseConv2d(const T* x, const T* wt, const T* b, T* y, const Geometry& g,
                     const ConvParams& p) {
  const int64_t plane = g.oh * g.ow;
  const int64_t sx = p.stride[1];
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t c = 0; c < g.c; ++c) {
      const T* in = x + (n * g.c + c) * g.h * g.w;
      const T* w = wt + c * g.kh * g.kw;
      T* out = y + (n * g.o + c) * plane;
      std::fill(out, out + plane, b != nullptr ? b[c] : T(0));
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t j = 0; j < g.kw; ++j) {
          const T tap = w[i * g.kw + j];
          // Output columns ox with 0 <= ox * sx - pad + j * dil < W.
          const int64_t offset = j * p.dilation[1] - p.padding[2];
          const int64_t ox0 = offset >= 0 ? 0 : (-offset + sx - 1) / sx;
          const int64_t last = g.w - 1 - offset;  // largest ox * sx allowed
          const int64_t ox1 = last < 0 ? 0 : std::min(g.ow, last / sx + 1);
          for (int64_t oy = 0; oy < g.oh; ++oy) {
            const int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
            if (iy < 0 || iy >= g.h) continue;
            const T* row = in + iy * g.w + offset;
            T* o = out + oy * g.ow;
            if (sx == 1) {
              for (int64_t ox = ox0; ox < ox1; ++ox) o[ox] += tap * row[ox];
            } else {
              for (int64_t ox = ox0; ox < ox1; ++ox) o[ox] += tap * row[ox * sx];
            }
          }
        }
      }
    }
  }
}

ops_internal::ConvShape ShapeOf(const Geometry& g, const ConvParams& p) {
  return ops_internal::ConvShape{g.n,
                                 g.c,
                                 g.h,
                                 g.w,
                                 g.o,
                                 g.kh,
                                 g.kw,
                                 g.oh,
                                 g.ow,
                                 {p.stride[0], p.stride[1]},
                                 {p.padding[0], p.padding[1], p.padding[2], p.padding[3]},
                                 {p.dilation[0], p.dilation[1]},
                                 p.groups};
}

// The im2col buffer, held to the storage limits (and an allocation failure
// reported) before it is made: (input channels per group x kernel) x output
// plane elements can be far more than the input, output and weight together.
template <typename T>
absl::StatusOr<std::vector<T>> ColumnBuffer(int64_t k, int64_t plane) {
  int64_t n = 0;
  if (__builtin_mul_overflow(k, plane, &n)) {
    return absl::InvalidArgumentError("conv2d: the im2col buffer's size overflows int64");
  }
  if (absl::Status room = Storage::CheckAllocation(static_cast<uint64_t>(n), sizeof(T));
      !room.ok()) {
    return room;
  }
  try {
    return std::vector<T>(static_cast<size_t>(n));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat("out of memory allocating conv2d's im2col buffer of ", n, " elements"));
  }
}

template <typename T>
absl::Status Conv2dKernel(const T* x, const T* wt, const T* b, T* y, const Geometry& g,
                          const ConvParams& p) {
  if constexpr (std::is_same_v<T, float>) {
    // oneDNN when linked; a shape it refuses falls through to our kernels.
    if (ops_internal::DnnlAvailable() &&
        ops_internal::DnnlConv2d(x, wt, b, y, ShapeOf(g, p), {}).ok()) {
      return absl::OkStatus();
    }
  }
  const int64_t groups = p.groups, cg = g.c / groups, og = g.o / groups;
  if (cg == 1 && og == 1 && groups > 1) {
    DepthwiseConv2d(x, wt, b, y, g, p);
    return absl::OkStatus();
  }
  const int64_t k = cg * g.kh * g.kw, plane = g.oh * g.ow;
  const bool direct = g.kh == 1 && g.kw == 1 && p.stride[0] == 1 && p.stride[1] == 1 &&
                      p.padding[0] == 0 && p.padding[1] == 0 && p.padding[2] == 0 &&
                      p.padding[3] == 0;
  PTSER_ASSIGN_OR_RETURN(std::vector<T> col, ColumnBuffer<T>(k, direct ? 0 : plane));
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t grp = 0; grp < groups; ++grp) {
      const T* xin = x + (n * g.c + grp * cg) * g.h * g.w;
      const T* cols = xin;  // a 1x1 stride-1 convolution reads the input as it is
      if (!direct) {
        for (int64_t c = 0; c < cg; ++c) {
          for (int64_t i = 0; i < g.kh; ++i) {
            for (int64_t j = 0; j < g.kw; ++j) {
              T* row = col.data() + ((c * g.kh + i) * g.kw + j) * plane;
              for (int64_t oy = 0; oy < g.oh; ++oy) {
                const int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
                T* out = row + oy * g.ow;
                if (iy < 0 || iy >= g.h) {
                  std::fill(out, out + g.ow, T(0));
                  continue;
                }
                const T* in = xin + (c * g.h + iy) * g.w;
                for (int64_t ox = 0; ox < g.ow; ++ox) {
                  const int64_t ix = ox * p.stride[1] - p.padding[2] + j * p.dilation[1];
                  out[ox] = ix >= 0 && ix < g.w ? in[ix] : T(0);
                }
              }
            }
          }
        }
        cols = col.data();
      }
      T* out = y + (n * g.o + grp * og) * plane;
      for (int64_t o = 0; o < og; ++o) {
        std::fill(out + o * plane, out + (o + 1) * plane, b != nullptr ? b[grp * og + o] : T(0));
      }
      // (og x k) weights times (k x plane) columns, added to the bias.
      ops_internal::Gemm(og, plane, k, wt + grp * og * k, k, cols, plane, out, plane,
                         /*accumulate=*/true);
    }
  }
  return absl::OkStatus();
}

template <typename T>
void ConvTranspose2dKernel(const T* x, const T* wt, const T* b, T* y, const Geometry& g,
                           const ConvParams& p) {
  // Here g.c is the input channels, g.o the output channels, and the weight
  // is (C, O / groups, kH, kW).
  const int64_t groups = p.groups, cg = g.c / groups, og = g.o / groups;
  const int64_t plane = g.oh * g.ow;
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t oc = 0; oc < g.o; ++oc) {
      T* out = y + (n * g.o + oc) * plane;
      std::fill(out, out + plane, b != nullptr ? b[oc] : T(0));
    }
    for (int64_t grp = 0; grp < groups; ++grp) {
      for (int64_t c = 0; c < cg; ++c) {
        const int64_t ic = grp * cg + c;
        const T* in = x + (n * g.c + ic) * g.h * g.w;
        for (int64_t o = 0; o < og; ++o) {
          const int64_t oc = grp * og + o;
          T* out = y + (n * g.o + oc) * plane;
          const T* wk = wt + (ic * og + o) * g.kh * g.kw;
          for (int64_t iy = 0; iy < g.h; ++iy) {
            for (int64_t ix = 0; ix < g.w; ++ix) {
              const T v = in[iy * g.w + ix];
              for (int64_t i = 0; i < g.kh; ++i) {
                const int64_t oy = iy * p.stride[0] - p.padding[0] + i * p.dilation[0];
                if (oy < 0 || oy >= g.oh) continue;
                for (int64_t j = 0; j < g.kw; ++j) {
                  const int64_t ox = ix * p.stride[1] - p.padding[2] + j * p.dilation[1];
                  if (ox < 0 || ox >= g.ow) continue;
                  out[oy * g.ow + ox] += v * wk[i * g.kw + j];
                }
              }
            }
          }
        }
      }
    }
  }
}

absl::Status CheckParams(const ConvParams& p) {
  if (p.groups <= 0) return absl::InvalidArgumentError("non-positive groups is not supported");
  for (int64_t s : p.stride) {
    if (s <= 0) return absl::InvalidArgumentError("non-positive stride is not supported");
  }
  for (int64_t d : p.dilation) {
    if (d <= 0) return absl::InvalidArgumentError("dilation should be greater than zero");
  }
  for (int64_t q : p.padding) {
    if (q < 0) return absl::InvalidArgumentError("negative padding is not supported");
  }
  return absl::OkStatus();
}

// Size arithmetic on caller-given sizes, strides, paddings and dilations
// that reports overflow instead of wrapping (signed overflow is undefined).
struct Checked {
  bool overflow = false;
  int64_t Mul(int64_t a, int64_t b) {
    int64_t r = 0;
    overflow |= __builtin_mul_overflow(a, b, &r);
    return r;
  }
  int64_t Add(int64_t a, int64_t b) {
    int64_t r = 0;
    overflow |= __builtin_add_overflow(a, b, &r);
    return r;
  }
  int64_t Sub(int64_t a, int64_t b) {
    int64_t r = 0;
    overflow |= __builtin_sub_overflow(a, b, &r);
    return r;
  }
  absl::Status Status(const char* op) const {
    if (!overflow) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": the sizes, padding, stride and dilation overflow int64"));
  }
};

// The batched 4-D view of a 3-D (unbatched) or 4-D input.
absl::StatusOr<std::pair<Tensor, bool>> Batched(const Tensor& input, const char* op) {
  if (input.dim() == 3) {
    PTSER_ASSIGN_OR_RETURN(Tensor b, Unsqueeze(input, 0));
    return std::make_pair(b, true);
  }
  if (input.dim() == 4) return std::make_pair(input, false);
  return absl::InvalidArgumentError(absl::StrCat("Expected 3D (unbatched) or 4D (batched) input to ",
                                                 op, ", but got input of size: ",
                                                 ShapeToString(input.sizes())));
}

absl::Status CheckBias(const Tensor& weight, const std::optional<Tensor>& bias, int64_t out) {
  if (bias && (bias->dim() != 1 || bias->sizes()[0] != out)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given weight of size ", ShapeToString(weight.sizes()),
        ", expected bias to be 1-dimensional with ", out, " elements, but got bias of size ",
        ShapeToString(bias->sizes()), " instead"));
  }
  return absl::OkStatus();
}

// `kernel(x, w, b, y)` on contiguous copies of the operands, typed by the
// input's dtype (float or double, checked by the caller), into a new
// (N, O, oH, oW) output; unbatched again when the input was.
template <typename Kernel>
absl::StatusOr<Tensor> RunKernel(const Tensor& x4, const Tensor& weight,
                                 const std::optional<Tensor>& bias, const Geometry& g,
                                 bool unbatched, Kernel kernel) {
  PTSER_ASSIGN_OR_RETURN(Tensor x, Contiguous(x4));
  PTSER_ASSIGN_OR_RETURN(Tensor w, Contiguous(weight));
  std::optional<Tensor> bc;
  if (bias) {
    PTSER_ASSIGN_OR_RETURN(bc, Contiguous(*bias));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({g.n, g.o, g.oh, g.ow}, x4.dtype()));
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    kernel(static_cast<const T*>(x.data()), static_cast<const T*>(w.data()),
           bc ? static_cast<const T*>(bc->data()) : nullptr, static_cast<T*>(y.mutable_data()));
  };
  if (x4.dtype() == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else {
    run(static_cast<double*>(nullptr));
  }
  if (unbatched) return Squeeze(y, 0);
  return y;
}

// Checks Conv2d's operands and computes the geometry.
absl::StatusOr<std::pair<Geometry, std::pair<Tensor, bool>>> Conv2dGeometry(
    const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
    const ConvParams& p) {
  PTSER_RETURN_IF_ERROR(CheckFloating(input, "conv2d"));
  PTSER_RETURN_IF_ERROR(CheckSameDtype(input, weight, bias));
  PTSER_RETURN_IF_ERROR(CheckParams(p));
  PTSER_ASSIGN_OR_RETURN(auto batched, Batched(input, "conv2d"));
  const Tensor& x4 = batched.first;
  if (weight.dim() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected 4-dimensional weight for 4-dimensional input ", ShapeToString(x4.sizes()),
        ", but got ", weight.dim(), "-dimensional weight of size ", ShapeToString(weight.sizes()),
        " instead"));
  }
  Geometry g{x4.sizes()[0], x4.sizes()[1], x4.sizes()[2], x4.sizes()[3],
             weight.sizes()[0], weight.sizes()[2], weight.sizes()[3], 0, 0};
  if (g.o % p.groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given groups=", p.groups, ", expected weight to be divisible by ", p.groups,
        " at dimension 0, but got weight of size ", ShapeToString(weight.sizes()), " instead"));
  }
  Checked c;
  const int64_t want_c = c.Mul(weight.sizes()[1], p.groups);
  PTSER_RETURN_IF_ERROR(c.Status("conv2d"));
  if (want_c != g.c) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given groups=", p.groups, ", weight of size ", ShapeToString(weight.sizes()), ", expected input",
        ShapeToString(x4.sizes()), " to have ", want_c,
        " channels, but got ", g.c, " channels instead"));
  }
  PTSER_RETURN_IF_ERROR(CheckBias(weight, bias, g.o));
  const int64_t ph = c.Add(c.Add(g.h, p.padding[0]), p.padding[1]);
  const int64_t pw = c.Add(c.Add(g.w, p.padding[2]), p.padding[3]);
  const int64_t ekh = c.Add(c.Mul(p.dilation[0], g.kh - 1), 1);
  const int64_t ekw = c.Add(c.Mul(p.dilation[1], g.kw - 1), 1);
  PTSER_RETURN_IF_ERROR(c.Status("conv2d"));
  if (ph < ekh || pw < ekw) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Calculated padded input size per channel: (", ph, " x ", pw, "). Kernel size: (", ekh,
        " x ", ekw, "). Kernel size can't be greater than actual input size"));
  }
  g.oh = (ph - ekh) / p.stride[0] + 1;
  g.ow = (pw - ekw) / p.stride[1] + 1;
  // (The im2col buffer is checked where it is made, ColumnBuffer: only the
  // paths that use one need its room.)
  return std::make_pair(g, batched);
}

}  // namespace

absl::StatusOr<Tensor> Conv2d(const Tensor& input, const Tensor& weight,
                              const std::optional<Tensor>& bias, const ConvParams& p) {
  PTSER_ASSIGN_OR_RETURN(auto geometry, Conv2dGeometry(input, weight, bias, p));
  const Geometry& g = geometry.first;
  absl::Status kernel = absl::OkStatus();
  PTSER_ASSIGN_OR_RETURN(
      Tensor y, RunKernel(geometry.second.first, weight, bias, g, geometry.second.second,
                          [&p, &g, &kernel](const auto* x, const auto* w, const auto* b, auto* y) {
                            kernel = Conv2dKernel(x, w, b, y, g, p);
                          }));
  PTSER_RETURN_IF_ERROR(kernel);
  return y;
}

namespace {

// y[n, o, :] = y[n, o, :] * scale[o] + shift[o], then the clamp, over a
// contiguous (N, O, S) buffer.
template <typename T>
void ApplyEpilogue(T* y, int64_t n, int64_t o, int64_t s, const T* scale, const T* shift,
                   bool clamp, T lo, T hi) {
  ops_internal::ParallelFor(n * o, std::max<int64_t>(1, 65536 / std::max<int64_t>(s, 1)),
                            [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      T* row = y + plane * s;
      const int64_t ch = plane % o;
      if (scale != nullptr) {
        const T a = scale[ch], b = shift[ch];
        for (int64_t j = 0; j < s; ++j) row[j] = row[j] * a + b;
      }
      if (clamp) {
        for (int64_t j = 0; j < s; ++j) {
          const T v = row[j];
          row[j] = v < lo ? lo : (v > hi ? hi : v);
        }
      }
    }
  });
}

}  // namespace

absl::StatusOr<Tensor> Conv2dFused(const Tensor& input, const Tensor& weight,
                                   const std::optional<Tensor>& bias, const ConvParams& p,
                                   const ConvEpilogue& e) {
  PTSER_ASSIGN_OR_RETURN(auto geometry, Conv2dGeometry(input, weight, bias, p));
  const Geometry& g = geometry.first;
  if (e.scale.has_value() != e.shift.has_value()) {
    return absl::InvalidArgumentError("conv2d: an epilogue's scale and shift go together");
  }
  std::optional<Tensor> scale, shift;
  if (e.scale) {
    for (const Tensor* t : {&*e.scale, &*e.shift}) {
      if (t->dim() != 1 || t->sizes()[0] != g.o || t->dtype() != input.dtype()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "conv2d: an epilogue's scale and shift must be 1-D of ", g.o, " elements of ",
            DtypeRepr(input.dtype()), ", got ", ShapeToString(t->sizes()), " of ",
            DtypeRepr(t->dtype())));
      }
    }
    PTSER_ASSIGN_OR_RETURN(scale, Contiguous(*e.scale));
    PTSER_ASSIGN_OR_RETURN(shift, Contiguous(*e.shift));
  }
  bool fused = false;
  absl::Status kernel = absl::OkStatus();
  PTSER_ASSIGN_OR_RETURN(
      Tensor y,
      RunKernel(geometry.second.first, weight, bias, g, geometry.second.second,
                [&](const auto* x, const auto* w, const auto* b, auto* out) {
                  using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
                  if constexpr (std::is_same_v<T, float>) {
                    if (ops_internal::DnnlAvailable()) {
                      ops_internal::ConvEpilogue de;
                      if (scale) {
                        de.scale = static_cast<const float*>(scale->data());
                        de.shift = static_cast<const float*>(shift->data());
                      }
                      de.clamp = e.clamp;
                      de.lo = static_cast<float>(e.lo);
                      de.hi = static_cast<float>(e.hi);
                      fused = ops_internal::DnnlConv2d(x, w, b, out, ShapeOf(g, p), de).ok();
                      if (fused) return;
                    }
                  }
                  kernel = Conv2dKernel(x, w, b, out, g, p);
                }));
  PTSER_RETURN_IF_ERROR(kernel);
  if (fused) return y;
  // The output is new and contiguous; (N, O, oH * oW) whether batched or not.
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    ApplyEpilogue<T>(static_cast<T*>(y.mutable_data()), g.n, g.o, g.oh * g.ow,
                     scale ? static_cast<const T*>(scale->data()) : nullptr,
                     shift ? static_cast<const T*>(shift->data()) : nullptr, e.clamp,
                     static_cast<T>(e.lo), static_cast<T>(e.hi));
  };
  if (input.dtype() == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else {
    run(static_cast<double*>(nullptr));
  }
  return y;
}

absl::StatusOr<Tensor> Conv1d(const Tensor& input, const Tensor& weight,
                              const std::optional<Tensor>& bias, const ConvParams& params) {
  if (input.dim() != 2 && input.dim() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: ",
        ShapeToString(input.sizes())));
  }
  if (weight.dim() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected 3-dimensional weight for 3-dimensional input, but got ", weight.dim(),
        "-dimensional weight of size ", ShapeToString(weight.sizes()), " instead"));
  }
  if (params.padding[0] != 0 || params.padding[1] != 0) {
    return absl::InvalidArgumentError("conv1d: padding is (left, right) in padding[2], padding[3]");
  }
  // A 1-D convolution is a 2-D one over a height of 1.
  PTSER_ASSIGN_OR_RETURN(Tensor x, Unsqueeze(input, -2));
  PTSER_ASSIGN_OR_RETURN(Tensor w, Unsqueeze(weight, 2));
  ConvParams p = params;
  p.stride[0] = 1;
  p.dilation[0] = 1;
  PTSER_ASSIGN_OR_RETURN(Tensor y, Conv2d(x, w, bias, p));
  return Squeeze(y, -2);
}

absl::StatusOr<Tensor> ConvTranspose2d(const Tensor& input, const Tensor& weight,
                                       const std::optional<Tensor>& bias, const ConvParams& p) {
  PTSER_RETURN_IF_ERROR(CheckFloating(input, "conv_transpose2d"));
  PTSER_RETURN_IF_ERROR(CheckSameDtype(input, weight, bias));
  PTSER_RETURN_IF_ERROR(CheckParams(p));
  if (p.padding[0] != p.padding[1] || p.padding[2] != p.padding[3]) {
    return absl::InvalidArgumentError("conv_transpose2d: padding is symmetric");
  }
  PTSER_ASSIGN_OR_RETURN(auto batched, Batched(input, "conv_transpose2d"));
  const Tensor& x4 = batched.first;
  if (weight.dim() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected 4-dimensional weight for conv_transpose2d, got weight of size ",
        ShapeToString(weight.sizes())));
  }
  if (weight.sizes()[0] != x4.sizes()[1]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given transposed=1, weight of size ", ShapeToString(weight.sizes()), ", expected input",
        ShapeToString(x4.sizes()), " to have ", weight.sizes()[0], " channels, but got ", x4.sizes()[1],
        " channels instead"));
  }
  if (weight.sizes()[0] % p.groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given groups=", p.groups, ", expected weight to be divisible by ", p.groups,
        " at dimension 0, but got weight of size ", ShapeToString(weight.sizes()), " instead"));
  }
  for (int d = 0; d < 2; ++d) {
    if (p.output_padding[d] < 0 ||
        (p.output_padding[d] >= p.stride[d] && p.output_padding[d] >= p.dilation[d])) {
      return absl::InvalidArgumentError(
          "output padding must be smaller than either stride or dilation");
    }
  }
  Checked c;
  Geometry g{x4.sizes()[0], x4.sizes()[1], x4.sizes()[2], x4.sizes()[3],
             c.Mul(weight.sizes()[1], p.groups), weight.sizes()[2], weight.sizes()[3], 0, 0};
  PTSER_RETURN_IF_ERROR(c.Status("conv_transpose2d"));
  PTSER_RETURN_IF_ERROR(CheckBias(weight, bias, g.o));
  g.oh = c.Add(c.Add(c.Sub(c.Mul(g.h - 1, p.stride[0]), c.Mul(2, p.padding[0])),
                     c.Mul(p.dilation[0], g.kh - 1)),
               c.Add(p.output_padding[0], 1));
  g.ow = c.Add(c.Add(c.Sub(c.Mul(g.w - 1, p.stride[1]), c.Mul(2, p.padding[2])),
                     c.Mul(p.dilation[1], g.kw - 1)),
               c.Add(p.output_padding[1], 1));
  PTSER_RETURN_IF_ERROR(c.Status("conv_transpose2d"));
  if (g.oh <= 0 || g.ow <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given input size per channel: (", g.h, " x ", g.w, "). Calculated output size per "
        "channel: (", g.oh, " x ", g.ow, "). Output size is too small"));
  }
  return RunKernel(x4, weight, bias, g, batched.second,
                   [&p, &g](const auto* x, const auto* w, const auto* b, auto* y) {
                     ConvTranspose2dKernel(x, w, b, y, g, p);
                   });
}

absl::StatusOr<Tensor> ConvTranspose1d(const Tensor& input, const Tensor& weight,
                                       const std::optional<Tensor>& bias, const ConvParams& params) {
  if (input.dim() != 2 && input.dim() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of "
        "size: ",
        ShapeToString(input.sizes())));
  }
  if (weight.dim() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected 3-dimensional weight for conv_transpose1d, got weight of size ",
        ShapeToString(weight.sizes())));
  }
  // A height of 1.
  PTSER_ASSIGN_OR_RETURN(Tensor x, Unsqueeze(input, -2));
  PTSER_ASSIGN_OR_RETURN(Tensor w, Unsqueeze(weight, 2));
  ConvParams p = params;
  p.stride[0] = 1;
  p.dilation[0] = 1;
  p.output_padding[0] = 0;
  p.padding[0] = p.padding[1] = 0;
  PTSER_ASSIGN_OR_RETURN(Tensor y, ConvTranspose2d(x, w, bias, p));
  return Squeeze(y, -2);
}

absl::StatusOr<std::array<int64_t, 2>> SamePadding(int64_t kernel, int64_t dilation,
                                                   int64_t stride) {
  if (stride != 1) {
    return absl::InvalidArgumentError(
        "padding='same' is not supported for strided convolutions");
  }
  const int64_t total = dilation * (kernel - 1);
  return std::array<int64_t, 2>{total / 2, total - total / 2};
}

namespace {

// F.pad(mode='constant') of any dtype over the last pad.size() / 2
// dimensions: a tensor of `value` with the (possibly cropped) input copied
// into its middle.
absl::StatusOr<Tensor> ConstantPad(const Tensor& input, absl::Span<const int64_t> pad,
                                   double value) {
  if (pad.size() % 2 != 0) {
    return absl::InvalidArgumentError("Padding length must be divisible by 2");
  }
  const int64_t nd = static_cast<int64_t>(pad.size() / 2);
  if (nd > input.dim()) return absl::InvalidArgumentError("Padding length too large");
  std::vector<int64_t> out_sizes = input.sizes();
  Tensor src = input;
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t dim = input.dim() - 1 - d;  // pad[0..1] is the last dimension
    const int64_t in = input.sizes()[dim];
    const int64_t left = pad[2 * d], right = pad[2 * d + 1];
    Checked c;
    const int64_t out = c.Add(c.Add(in, left), right);
    PTSER_RETURN_IF_ERROR(c.Status("constant_pad_nd"));
    if (out < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The input size ", in, ", plus negative padding ", left, " and ", right,
          " resulted in a negative output size, which is invalid. Check dimension ", dim,
          " of your input."));
    }
    out_sizes[dim] = out;
    // Negative padding crops the input.
    const int64_t crop_left = std::max<int64_t>(-left, 0);
    const int64_t crop_right = std::max<int64_t>(-right, 0);
    const int64_t kept = std::max<int64_t>(in - crop_left - crop_right, 0);
    PTSER_ASSIGN_OR_RETURN(src, Narrow(src, dim, std::min(crop_left, in), kept));
  }
  const Scalar fill = IsFloatingPoint(input.dtype()) || IsComplex(input.dtype())
                          ? Scalar(value)
                          : input.dtype() == ScalarType::kBool
                                ? Scalar(value != 0)
                                : Scalar(static_cast<int64_t>(value));
  PTSER_ASSIGN_OR_RETURN(Tensor y, Full(out_sizes, fill, input.dtype()));
  Tensor dst = y;
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t dim = input.dim() - 1 - d;
    const int64_t start = std::max<int64_t>(pad[2 * d], 0);
    PTSER_ASSIGN_OR_RETURN(dst, Narrow(dst, dim, start, src.sizes()[dim]));
  }
  if (src.numel() > 0) PTSER_RETURN_IF_ERROR(CopyInto(dst, src));
  return y;
}

}  // namespace

absl::StatusOr<Tensor> Pad(const Tensor& input, absl::Span<const int64_t> pad, PadMode mode,
                           double value) {
  if (mode == PadMode::kConstant) return ConstantPad(input, pad, value);
  if (pad.size() != 2 && pad.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("Pad: padding of length ", pad.size(), " is not supported (2 or 4)"));
  }
  const int64_t nd = static_cast<int64_t>(pad.size() / 2);
  if (input.dim() < nd) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Padding length too large: ", pad.size(), " for an input of ", input.dim(), " dims"));
  }
  PTSER_RETURN_IF_ERROR(CheckFloating(input, "pad"));
  // Index tables: the source index of each output position along the padded
  // dimensions (-1: the constant).
  std::vector<std::vector<int64_t>> maps(2);
  std::vector<int64_t> out_sizes = input.sizes();
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t dim = input.dim() - 1 - d;  // pad[0..1] is the last dimension
    const int64_t in = input.sizes()[dim];
    const int64_t left = pad[2 * d], right = pad[2 * d + 1];
    if (mode != PadMode::kConstant && (left < 0 || right < 0)) {
      return absl::InvalidArgumentError("negative padding is only supported in constant mode");
    }
    if (mode == PadMode::kReflect && (left >= in || right >= in)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Argument #4: Padding size should be less than the corresponding input dimension, "
          "but got: padding (", left, ", ", right, ") at dimension ", dim, " of input ",
          ShapeToString(input.sizes())));
    }
    if (mode == PadMode::kCircular && (left > in || right > in)) {
      return absl::InvalidArgumentError(
          "Padding value causes wrapping around more than once.");
    }
    if ((mode == PadMode::kReplicate || mode == PadMode::kCircular) && in == 0) {
      return absl::InvalidArgumentError("padding of an empty dimension");
    }
    Checked c;
    const int64_t out = c.Add(c.Add(in, left), right);
    PTSER_RETURN_IF_ERROR(c.Status("pad"));
    if (out < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The input size ", in, ", plus negative padding ", left, " and ", right,
          " resulted in a negative output size, which is invalid."));
    }
    out_sizes[dim] = out;
  }
  // The output first (it fails cleanly when too large), then the index
  // tables, each held to the storage limits (the output may be empty while
  // one padded dimension is huge).
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty(out_sizes, input.dtype()));
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t dim = input.dim() - 1 - d;
    const int64_t in = input.sizes()[dim];
    const int64_t left = pad[2 * d];
    const int64_t out = out_sizes[dim];
    PTSER_RETURN_IF_ERROR(Storage::CheckAllocation(static_cast<uint64_t>(out), sizeof(int64_t)));
    std::vector<int64_t>& map = maps[d];
    map.resize(static_cast<size_t>(out));
    for (int64_t i = 0; i < out; ++i) {
      int64_t s = i - left;
      switch (mode) {
        case PadMode::kConstant:
          if (s < 0 || s >= in) s = -1;
          break;
        case PadMode::kReflect:
          if (s < 0) s = -s;
          if (s >= in) s = 2 * (in - 1) - s;
          break;
        case PadMode::kReplicate:
          s = std::clamp<int64_t>(s, 0, in - 1);
          break;
        case PadMode::kCircular:
          s = ((s % in) + in) % in;
          break;
      }
      map[static_cast<size_t>(i)] = s;
    }
  }
  if (nd == 1) maps[1] = {0};
  PTSER_ASSIGN_OR_RETURN(Tensor x, Contiguous(input));
  const int64_t in_w = input.sizes()[input.dim() - 1];
  const int64_t in_h = nd == 2 ? input.sizes()[input.dim() - 2] : 1;
  const int64_t out_w = static_cast<int64_t>(maps[0].size());
  const int64_t out_h = static_cast<int64_t>(maps[1].size());
  const int64_t batch = in_w * in_h == 0 ? 0 : input.numel() / (in_w * in_h);
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* src = static_cast<const T*>(x.data());
    T* dst = static_cast<T*>(y.mutable_data());
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t i = 0; i < out_h; ++i) {
        const int64_t si = maps[1][static_cast<size_t>(i)];
        for (int64_t j = 0; j < out_w; ++j) {
          const int64_t sj = maps[0][static_cast<size_t>(j)];
          dst[(b * out_h + i) * out_w + j] =
              si < 0 || sj < 0 ? static_cast<T>(value) : src[(b * in_h + si) * in_w + sj];
        }
      }
    }
  };
  if (input.dtype() == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else {
    run(static_cast<double*>(nullptr));
  }
  return y;
}

}  // namespace ptser
