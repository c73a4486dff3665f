// Copyright ptser authors.
#include "tensor/ops/pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/ops/internal/parallel.h"
#include "tensor/views.h"

namespace ptser {
namespace {

// PyTorch's pooling_output_shape.
int64_t OutputSize(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation,
                   bool ceil_mode) {
  const int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  // Floor division (num may be negative).
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

struct Prepared {
  Tensor x;  // contiguous (N, C, H, W)
  bool unbatched;
  int64_t n, c, h, w;
};

absl::StatusOr<Prepared> Prepare(const Tensor& input, const char* op) {
  if (input.dtype() != ScalarType::kFloat && input.dtype() != ScalarType::kDouble) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": float32 and float64 are supported, not ", DtypeRepr(input.dtype())));
  }
  if (input.dim() != 3 && input.dim() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, ": Expected 3D or 4D (batch mode) tensor for input, got input of size ",
        ShapeToString(input.sizes())));
  }
  Prepared p;
  p.unbatched = input.dim() == 3;
  Tensor x4 = input;
  if (p.unbatched) {
    PTSER_ASSIGN_OR_RETURN(x4, Unsqueeze(input, 0));
  }
  PTSER_ASSIGN_OR_RETURN(p.x, Contiguous(x4));
  p.n = x4.sizes()[0];
  p.c = x4.sizes()[1];
  p.h = x4.sizes()[2];
  p.w = x4.sizes()[3];
  return p;
}

absl::StatusOr<std::array<int64_t, 2>> PooledSize(const Prepared& p, const PoolParams& q,
                                                  bool check_half) {
  for (int d = 0; d < 2; ++d) {
    if (q.kernel[d] <= 0 || q.stride[d] <= 0 || q.dilation[d] <= 0) {
      return absl::InvalidArgumentError(
          "kernel size, stride and dilation should be greater than zero");
    }
    // ptser's bound (PyTorch has none): the kernels keep per-tap tables;
    // with the padding check below written as a division, the size
    // arithmetic stays far from int64's range.
    if (q.kernel[d] > kMaxPoolWindow || q.stride[d] > kMaxPoolWindow ||
        q.dilation[d] > kMaxPoolWindow) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kernel size, stride and dilation must be at most ", kMaxPoolWindow,
          " in ptser, got kernel_size=", q.kernel[d], ", stride=", q.stride[d],
          " and dilation=", q.dilation[d]));
    }
    if (q.padding[d] < 0) return absl::InvalidArgumentError("pad must be non-negative");
    const int64_t effective = check_half ? (q.kernel[d] - 1) * q.dilation[d] + 1 : q.kernel[d];
    if (q.padding[d] > effective / 2) {  // padding * 2 > effective, without overflow
      return absl::InvalidArgumentError(
          check_half
              ? absl::StrCat("pad should be at most half of effective kernel size, but got pad=",
                             q.padding[d], ", kernel_size=", q.kernel[d], " and dilation=",
                             q.dilation[d])
              : absl::StrCat("pad should be at most half of kernel size, but got pad=",
                             q.padding[d], " and kernel_size=", q.kernel[d]));
    }
  }
  const int64_t oh = OutputSize(p.h, q.kernel[0], q.padding[0], q.stride[0],
                                check_half ? q.dilation[0] : 1, q.ceil_mode);
  const int64_t ow = OutputSize(p.w, q.kernel[1], q.padding[1], q.stride[1],
                                check_half ? q.dilation[1] : 1, q.ceil_mode);
  if (oh < 1 || ow < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given input size: (", p.c, "x", p.h, "x", p.w, "). Calculated output size: (", p.c, "x",
        oh, "x", ow, "). Output size is too small"));
  }
  return std::array<int64_t, 2>{oh, ow};
}

template <typename T, typename F>
absl::StatusOr<Tensor> ForEachPlaneInto(const Prepared& p, Tensor y, int64_t oh, int64_t ow,
                                        F f) {
  const T* x = static_cast<const T*>(p.x.data());
  T* out = static_cast<T*>(y.mutable_data());
  for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
    f(x + plane * p.h * p.w, out + plane * oh * ow);
  }
  if (p.unbatched) return Squeeze(y, 0);
  return y;
}

// The same into a new (N, C, oh, ow) output.
template <typename T, typename F>
absl::StatusOr<Tensor> ForEachPlane(const Prepared& p, int64_t oh, int64_t ow, F f) {
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({p.n, p.c, oh, ow}, p.x.dtype()));
  return ForEachPlaneInto<T>(p, std::move(y), oh, ow, f);
}

// Max pooling of every plane into values and (when `indices`) the int64
// plane positions of the maxima; NaN replaces the running maximum.
// out[j] = pick(out[j], src[j * sx]) for j in [j0, j1), pick keeping the
// running maximum unless the new value is larger or NaN (PyTorch's rule).
template <typename T>
void MaxTapRun(T* out, const T* src, int64_t sx, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; ++j) {
    const T v = src[j * sx];
    const T best = out[j];
    out[j] = (v > best || v != v) ? v : best;
  }
}

#if defined(__x86_64__)
// The same, eight columns at a time (a gather when strided), branch-free.
__attribute__((target("avx2"))) void MaxTapRunAvx2(float* out, const float* src, int64_t sx,
                                                   int64_t j0, int64_t j1) {
  int64_t j = j0;
  if (sx < (int64_t{1} << 27)) {
    const __m256i step = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                            _mm256_set1_epi32(static_cast<int>(sx)));
    for (; j + 8 <= j1; j += 8) {
      const __m256 v = sx == 1 ? _mm256_loadu_ps(src + j)
                               : _mm256_i32gather_ps(src + j * sx, step, 4);
      const __m256 best = _mm256_loadu_ps(out + j);
      const __m256 take = _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ),
                                       _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      _mm256_storeu_ps(out + j, _mm256_blendv_ps(best, v, take));
    }
  }
  MaxTapRun(out, src, sx, j, j1);
}

bool HaveAvx2() {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return avx2;
}
#endif

template <typename T>
void MaxTap(T* out, const T* src, int64_t sx, int64_t j0, int64_t j1) {
#if defined(__x86_64__)
  if constexpr (std::is_same_v<T, float>) {
    if (HaveAvx2()) {
      MaxTapRunAvx2(out, src, sx, j0, j1);
      return;
    }
  }
#endif
  MaxTapRun(out, src, sx, j0, j1);
}

// max_pool2d without indices, the hot case (every ResNet): each window
// row's taps are visited in PyTorch's order (rows, then columns, ascending)
// but as whole runs of output columns, with a branch-free pick, and planes are
// shared among the threads.  The values are the loop below's, NaN included.
template <typename T>
void MaxPoolPlanes(const T* x, T* y, int64_t planes, int64_t h, int64_t w, int64_t oh,
                   int64_t ow, const PoolParams& q) {
  const int64_t sx = q.stride[1], px = q.padding[1], dx = q.dilation[1];
  // Per column tap, the output columns whose input column is in bounds.
  std::vector<int64_t> jlo(static_cast<size_t>(q.kernel[1])), jhi(jlo.size());
  for (int64_t t = 0; t < q.kernel[1]; ++t) {
    const int64_t off = t * dx - px;  // input column = j * sx + off
    const int64_t lo = off >= 0 ? 0 : (-off + sx - 1) / sx;
    const int64_t last = w - 1 - off;
    const int64_t hi = last < 0 ? 0 : std::min(ow, last / sx + 1);
    jlo[static_cast<size_t>(t)] = lo;
    jhi[static_cast<size_t>(t)] = std::max(lo, hi);
  }
  // The column taps that reach the input for some output column, ascending
  // (a window far wider than the input, over its padding, has few).
  std::vector<int64_t> live;
  for (int64_t t = 0; t < q.kernel[1]; ++t) {
    if (jlo[static_cast<size_t>(t)] < jhi[static_cast<size_t>(t)]) live.push_back(t);
  }
  // Taps per plane, saturating (only a grain-size hint).
  const double taps = static_cast<double>(oh) * static_cast<double>(ow) *
                      static_cast<double>(q.kernel[0]) * static_cast<double>(q.kernel[1]);
  const int64_t work = taps >= 200000.0 ? 200000 : std::max<int64_t>(1, static_cast<int64_t>(taps));
  ops_internal::ParallelFor(planes, std::max<int64_t>(1, 200000 / work), [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      const T* in = x + plane * h * w;
      for (int64_t i = 0; i < oh; ++i) {
        T* out = y + (plane * oh + i) * ow;
        std::fill(out, out + ow, -std::numeric_limits<T>::infinity());
        // Only the window rows inside the input: [kr0, kr1).
        const int64_t base = i * q.stride[0] - q.padding[0];
        const int64_t kr0 = base >= 0 ? 0 : (-base + q.dilation[0] - 1) / q.dilation[0];
        const int64_t kr1 =
            base > h - 1 ? 0 : std::min(q.kernel[0], (h - 1 - base) / q.dilation[0] + 1);
        for (int64_t kr = kr0; kr < kr1; ++kr) {
          const int64_t yy = base + kr * q.dilation[0];
          const T* row = in + yy * w;
          for (int64_t t : live) {
            MaxTap(out, row + t * dx - px, sx, jlo[static_cast<size_t>(t)],
                   jhi[static_cast<size_t>(t)]);
          }
        }
      }
    }
  });
}

template <typename T, bool with_indices>
absl::StatusOr<PoolResult> MaxPoolT(const Prepared& p, const PoolParams& q, int64_t oh,
                                    int64_t ow) {
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({p.n, p.c, oh, ow}, p.x.dtype()));
  Tensor ind;
  if (with_indices) {
    PTSER_ASSIGN_OR_RETURN(ind, Empty({p.n, p.c, oh, ow}, ScalarType::kLong));
  }
  const T* x = static_cast<const T*>(p.x.data());
  T* out = static_cast<T*>(y.mutable_data());
  [[maybe_unused]] int64_t* out_ind = with_indices ? static_cast<int64_t*>(ind.mutable_data()) : nullptr;
  if constexpr (!with_indices) {
    MaxPoolPlanes(x, out, p.n * p.c, p.h, p.w, oh, ow, q);
    if (p.unbatched) {
      PTSER_ASSIGN_OR_RETURN(y, Squeeze(y, 0));
    }
    return PoolResult{y, ind};
  }
  for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
    const T* in = x + plane * p.h * p.w;
    for (int64_t i = 0; i < oh; ++i) {
      int64_t y0 = i * q.stride[0] - q.padding[0];
      while (y0 < 0) y0 += q.dilation[0];
      const int64_t y1 = std::min(i * q.stride[0] - q.padding[0] +
                                      (q.kernel[0] - 1) * q.dilation[0] + 1, p.h);
      for (int64_t j = 0; j < ow; ++j) {
        int64_t x0 = j * q.stride[1] - q.padding[1];
        while (x0 < 0) x0 += q.dilation[1];
        const int64_t x1 = std::min(j * q.stride[1] - q.padding[1] +
                                        (q.kernel[1] - 1) * q.dilation[1] + 1, p.w);
        T best = -std::numeric_limits<T>::infinity();
        [[maybe_unused]] int64_t best_index = y0 * p.w + x0;
        for (int64_t yy = y0; yy < y1; yy += q.dilation[0]) {
          for (int64_t xx = x0; xx < x1; xx += q.dilation[1]) {
            const T v = in[yy * p.w + xx];
            if (v > best || std::isnan(v)) {
              best = v;
              if constexpr (with_indices) best_index = yy * p.w + xx;
            }
          }
        }
        const int64_t o = (plane * oh + i) * ow + j;
        out[o] = best;
        if constexpr (with_indices) out_ind[o] = best_index;
      }
    }
  }
  if (p.unbatched) {
    PTSER_ASSIGN_OR_RETURN(y, Squeeze(y, 0));
    if (with_indices) {
      PTSER_ASSIGN_OR_RETURN(ind, Squeeze(ind, 0));
    }
  }
  return PoolResult{y, ind};
}

template <typename T>
absl::StatusOr<Tensor> AvgPoolT(const Prepared& p, const PoolParams& q, int64_t oh, int64_t ow) {
  return ForEachPlane<T>(p, oh, ow, [&](const T* in, T* out) {
    for (int64_t i = 0; i < oh; ++i) {
      for (int64_t j = 0; j < ow; ++j) {
        int64_t y0 = i * q.stride[0] - q.padding[0], x0 = j * q.stride[1] - q.padding[1];
        int64_t y1 = std::min(y0 + q.kernel[0], p.h + q.padding[0]);
        int64_t x1 = std::min(x0 + q.kernel[1], p.w + q.padding[1]);
        const int64_t pool_size = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0);
        x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, p.h);
        x1 = std::min(x1, p.w);
        if (y0 >= y1 || x0 >= x1) {
          out[i * ow + j] = T(0);
          continue;
        }
        T sum = 0;
        for (int64_t y = y0; y < y1; ++y) {
          for (int64_t x = x0; x < x1; ++x) sum += in[y * p.w + x];
        }
        const int64_t divisor = q.divisor_override ? *q.divisor_override
                                : q.count_include_pad ? pool_size
                                                      : (y1 - y0) * (x1 - x0);
        out[i * ow + j] = sum / static_cast<T>(divisor);
      }
    }
  });
}

template <typename T>
absl::StatusOr<Tensor> AdaptiveAvgT(const Prepared& p, int64_t oh, int64_t ow) {
  return ForEachPlane<T>(p, oh, ow, [&](const T* in, T* out) {
    for (int64_t i = 0; i < oh; ++i) {
      const int64_t y0 = (i * p.h) / oh;
      const int64_t y1 = ((i + 1) * p.h + oh - 1) / oh;
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t x0 = (j * p.w) / ow;
        const int64_t x1 = ((j + 1) * p.w + ow - 1) / ow;
        T sum = 0;
        for (int64_t y = y0; y < y1; ++y) {
          for (int64_t x = x0; x < x1; ++x) sum += in[y * p.w + x];
        }
        out[i * ow + j] = sum / static_cast<T>((y1 - y0) * (x1 - x0));
      }
    }
  });
}

}  // namespace

absl::StatusOr<PoolResult> MaxPool2dWithIndices(const Tensor& input, const PoolParams& params) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare(input, "max_pool2d"));
  PTSER_ASSIGN_OR_RETURN(auto size, PooledSize(p, params, /*check_half=*/true));
  if (input.dtype() == ScalarType::kFloat) {
    return MaxPoolT<float, true>(p, params, size[0], size[1]);
  }
  return MaxPoolT<double, true>(p, params, size[0], size[1]);
}

absl::StatusOr<Tensor> MaxPool2d(const Tensor& input, const PoolParams& params) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare(input, "max_pool2d"));
  PTSER_ASSIGN_OR_RETURN(auto size, PooledSize(p, params, /*check_half=*/true));
  absl::StatusOr<PoolResult> r = input.dtype() == ScalarType::kFloat
                                     ? MaxPoolT<float, false>(p, params, size[0], size[1])
                                     : MaxPoolT<double, false>(p, params, size[0], size[1]);
  if (!r.ok()) return r.status();
  return r->values;
}

absl::StatusOr<Tensor> AvgPool2d(const Tensor& input, const PoolParams& params) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare(input, "avg_pool2d"));
  if (params.divisor_override && *params.divisor_override == 0) {
    return absl::InvalidArgumentError("divisor must be not zero");
  }
  PoolParams q = params;
  q.dilation = {1, 1};
  PTSER_ASSIGN_OR_RETURN(auto size, PooledSize(p, q, /*check_half=*/false));
  if (input.dtype() == ScalarType::kFloat) return AvgPoolT<float>(p, q, size[0], size[1]);
  return AvgPoolT<double>(p, q, size[0], size[1]);
}

absl::StatusOr<Tensor> AdaptiveAvgPool2d(const Tensor& input, std::array<int64_t, 2> output_size) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare(input, "adaptive_avg_pool2d"));
  if (output_size[0] < 0 || output_size[1] < 0) {
    return absl::InvalidArgumentError("adaptive_avg_pool2d: elements of output_size must be >= 0");
  }
  if (p.h == 0 || p.w == 0) {
    return absl::InvalidArgumentError(
        "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions");
  }
  if (input.dtype() == ScalarType::kFloat) {
    return AdaptiveAvgT<float>(p, output_size[0], output_size[1]);
  }
  return AdaptiveAvgT<double>(p, output_size[0], output_size[1]);
}

namespace {

template <typename T>
absl::StatusOr<PoolResult> AdaptiveMaxT(const Prepared& p, int64_t oh, int64_t ow) {
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({p.n, p.c, oh, ow}, p.x.dtype()));
  PTSER_ASSIGN_OR_RETURN(Tensor ind, Empty({p.n, p.c, oh, ow}, ScalarType::kLong));
  const T* x = static_cast<const T*>(p.x.data());
  T* out = static_cast<T*>(y.mutable_data());
  int64_t* out_ind = static_cast<int64_t*>(ind.mutable_data());
  for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
    const T* in = x + plane * p.h * p.w;
    for (int64_t i = 0; i < oh; ++i) {
      const int64_t y0 = (i * p.h) / oh;
      const int64_t y1 = ((i + 1) * p.h + oh - 1) / oh;
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t x0 = (j * p.w) / ow;
        const int64_t x1 = ((j + 1) * p.w + ow - 1) / ow;
        T best = -std::numeric_limits<T>::infinity();
        int64_t best_index = y0 * p.w + x0;
        for (int64_t yy = y0; yy < y1; ++yy) {
          for (int64_t xx = x0; xx < x1; ++xx) {
            const T v = in[yy * p.w + xx];
            if (v > best || std::isnan(v)) {
              best = v;
              best_index = yy * p.w + xx;
            }
          }
        }
        const int64_t o = (plane * oh + i) * ow + j;
        out[o] = best;
        out_ind[o] = best_index;
      }
    }
  }
  if (p.unbatched) {
    PTSER_ASSIGN_OR_RETURN(y, Squeeze(y, 0));
    PTSER_ASSIGN_OR_RETURN(ind, Squeeze(ind, 0));
  }
  return PoolResult{y, ind};
}

// A 1-d input (N, C, L) or (C, L) as the 2-d (N, C, 1, L) or (C, 1, L).
absl::StatusOr<Tensor> As2d(const Tensor& input, const char* op) {
  if (input.dim() != 2 && input.dim() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, ": Expected 2D or 3D (batch mode) tensor for input, got input of size ",
        ShapeToString(input.sizes())));
  }
  return Unsqueeze(input, -2);
}

absl::StatusOr<PoolResult> Squeeze1d(absl::StatusOr<PoolResult> r) {
  if (!r.ok()) return r.status();
  PTSER_ASSIGN_OR_RETURN(Tensor v, Squeeze(r->values, -2));
  PTSER_ASSIGN_OR_RETURN(Tensor i, Squeeze(r->indices, -2));
  return PoolResult{v, i};
}

absl::StatusOr<Tensor> Squeeze1d(absl::StatusOr<Tensor> r) {
  if (!r.ok()) return r.status();
  return Squeeze(*r, -2);
}

PoolParams Params1d(int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                    bool ceil_mode) {
  PoolParams q;
  q.kernel = {1, kernel};
  q.stride = {1, stride};
  q.padding = {0, padding};
  q.dilation = {1, dilation};
  q.ceil_mode = ceil_mode;
  return q;
}

// PyTorch's area_pixel_compute_scale / nearest scale in float.
float ScaleOf(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) {
    return out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
  }
  if (scale && *scale > 0) return static_cast<float>(1.0 / *scale);
  return static_cast<float>(in) / static_cast<float>(out);
}

absl::StatusOr<Prepared> Prepare4d(const Tensor& input, std::array<int64_t, 2> output_size,
                                   const char* op) {
  if (input.dim() != 4 || input.numel() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Non-empty 4D data tensor expected but got a tensor with sizes ",
        ShapeToString(input.sizes())));
  }
  if (output_size[0] <= 0 || output_size[1] <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Input and output sizes should be greater than 0, but got input (H: ", input.sizes()[2],
        ", W: ", input.sizes()[3], ") output (H: ", output_size[0], ", W: ", output_size[1], ")"));
  }
  return Prepare(input, op);
}

}  // namespace

absl::StatusOr<PoolResult> AdaptiveMaxPool2d(const Tensor& input,
                                             std::array<int64_t, 2> output_size) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare(input, "adaptive_max_pool2d"));
  if (output_size[0] < 0 || output_size[1] < 0) {
    return absl::InvalidArgumentError("adaptive_max_pool2d: elements of output_size must be >= 0");
  }
  if (p.h == 0 || p.w == 0) {
    return absl::InvalidArgumentError(
        "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions");
  }
  if (input.dtype() == ScalarType::kFloat) {
    return AdaptiveMaxT<float>(p, output_size[0], output_size[1]);
  }
  return AdaptiveMaxT<double>(p, output_size[0], output_size[1]);
}

absl::StatusOr<Tensor> MaxPool1d(const Tensor& input, int64_t kernel, int64_t stride,
                                 int64_t padding, int64_t dilation, bool ceil_mode) {
  PTSER_ASSIGN_OR_RETURN(Tensor x, As2d(input, "max_pool1d"));
  return Squeeze1d(MaxPool2d(x, Params1d(kernel, stride, padding, dilation, ceil_mode)));
}

absl::StatusOr<PoolResult> MaxPool1dWithIndices(const Tensor& input, int64_t kernel,
                                                int64_t stride, int64_t padding,
                                                int64_t dilation, bool ceil_mode) {
  PTSER_ASSIGN_OR_RETURN(Tensor x, As2d(input, "max_pool1d"));
  return Squeeze1d(
      MaxPool2dWithIndices(x, Params1d(kernel, stride, padding, dilation, ceil_mode)));
}

absl::StatusOr<Tensor> AvgPool1d(const Tensor& input, int64_t kernel, int64_t stride,
                                 int64_t padding, bool ceil_mode, bool count_include_pad) {
  PTSER_ASSIGN_OR_RETURN(Tensor x, As2d(input, "avg_pool1d"));
  PoolParams q = Params1d(kernel, stride, padding, 1, ceil_mode);
  q.count_include_pad = count_include_pad;
  return Squeeze1d(AvgPool2d(x, q));
}

absl::StatusOr<Tensor> AdaptiveAvgPool1d(const Tensor& input, int64_t output_size) {
  PTSER_ASSIGN_OR_RETURN(Tensor x, As2d(input, "adaptive_avg_pool1d"));
  return Squeeze1d(AdaptiveAvgPool2d(x, {1, output_size}));
}

absl::StatusOr<PoolResult> AdaptiveMaxPool1d(const Tensor& input, int64_t output_size) {
  PTSER_ASSIGN_OR_RETURN(Tensor x, As2d(input, "adaptive_max_pool1d"));
  return Squeeze1d(AdaptiveMaxPool2d(x, {1, output_size}));
}

absl::StatusOr<Tensor> UpsampleNearest2d(const Tensor& input, std::array<int64_t, 2> output_size,
                                         std::optional<double> scale_h,
                                         std::optional<double> scale_w) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare4d(input, output_size, "upsample_nearest2d"));
  const int64_t oh = output_size[0], ow = output_size[1];
  // Source index per output row and column (PyTorch's nearest_idx).
  auto index = [](int64_t i, int64_t in, int64_t out, std::optional<double> scale) -> int64_t {
    if (out == in) return i;
    if (out == 2 * in) return i >> 1;
    const float s = ScaleOf(in, out, false, scale);
    // A caller's scale may point past the input (or be inf/NaN): clamped
    // before the cast, which would be undefined out of int64's range.
    const float f = std::floor(static_cast<float>(i) * s);
    if (!(static_cast<double>(f) < static_cast<double>(in - 1))) return in - 1;
    return f > 0 ? std::min(static_cast<int64_t>(f), in - 1) : 0;
  };
  // The output first: it is the largest allocation, and the index tables
  // (smaller than it) are made only once it exists.
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({p.n, p.c, oh, ow}, p.x.dtype()));
  std::vector<int64_t> rows(static_cast<size_t>(oh)), cols(static_cast<size_t>(ow));
  for (int64_t i = 0; i < oh; ++i) rows[i] = index(i, p.h, oh, scale_h);
  for (int64_t j = 0; j < ow; ++j) cols[j] = index(j, p.w, ow, scale_w);
  auto run = [&](auto* tag) -> absl::StatusOr<Tensor> {
    using T = std::remove_pointer_t<decltype(tag)>;
    return ForEachPlaneInto<T>(p, y, oh, ow, [&](const T* in, T* out) {
      for (int64_t i = 0; i < oh; ++i) {
        const T* src = in + rows[i] * p.w;
        for (int64_t j = 0; j < ow; ++j) out[i * ow + j] = src[cols[j]];
      }
    });
  };
  if (input.dtype() == ScalarType::kFloat) return run(static_cast<float*>(nullptr));
  return run(static_cast<double*>(nullptr));
}

absl::StatusOr<Tensor> UpsampleBilinear2d(const Tensor& input, std::array<int64_t, 2> output_size,
                                          bool align_corners, std::optional<double> scale_h,
                                          std::optional<double> scale_w) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare4d(input, output_size, "upsample_bilinear2d"));
  const int64_t oh = output_size[0], ow = output_size[1];
  struct Tap {
    int64_t i0, i1;
    float l0, l1;
  };
  // PyTorch's area_pixel_compute_source_index and neighbour weights.
  auto taps = [align_corners](int64_t in, int64_t out, std::optional<double> scale) {
    const float s = ScaleOf(in, out, align_corners, scale);
    std::vector<Tap> t(static_cast<size_t>(out));
    for (int64_t i = 0; i < out; ++i) {
      float src = align_corners ? s * static_cast<float>(i)
                                : s * (static_cast<float>(i) + 0.5f) - 0.5f;
      if (!(src >= 0)) src = 0;  // negative, or NaN from a caller's scale
      // A caller's scale may point past the input: the last row/column
      // (only past it: a valid scale's last taps, in [in - 1, in), keep
      // their weights, as PyTorch computes them).
      if (!(src < static_cast<float>(in))) src = static_cast<float>(in - 1);
      const int64_t i0 = std::min(static_cast<int64_t>(src), in - 1);
      const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
      const float l1 = src - static_cast<float>(i0);
      t[static_cast<size_t>(i)] = Tap{i0, i1, 1.0f - l1, l1};
    }
    return t;
  };
  // The output first (the largest allocation), then the tap tables.
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({p.n, p.c, oh, ow}, p.x.dtype()));
  const std::vector<Tap> rows = taps(p.h, oh, scale_h);
  const std::vector<Tap> cols = taps(p.w, ow, scale_w);
  auto run = [&](auto* tag) -> absl::StatusOr<Tensor> {
    using T = std::remove_pointer_t<decltype(tag)>;
    return ForEachPlaneInto<T>(p, y, oh, ow, [&](const T* in, T* out) {
      for (int64_t i = 0; i < oh; ++i) {
        const Tap& r = rows[i];
        const T* a = in + r.i0 * p.w;
        const T* b = in + r.i1 * p.w;
        for (int64_t j = 0; j < ow; ++j) {
          const Tap& c = cols[j];
          out[i * ow + j] = static_cast<T>(r.l0) * (static_cast<T>(c.l0) * a[c.i0] +
                                                    static_cast<T>(c.l1) * a[c.i1]) +
                            static_cast<T>(r.l1) * (static_cast<T>(c.l0) * b[c.i0] +
                                                    static_cast<T>(c.l1) * b[c.i1]);
        }
      }
    });
  };
  if (input.dtype() == ScalarType::kFloat) return run(static_cast<float*>(nullptr));
  return run(static_cast<double*>(nullptr));
}

}  // namespace ptser
