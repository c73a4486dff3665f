// Copyright ptser authors.
#include "tensor/ops/pooling.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
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
    if (q.padding[d] < 0) return absl::InvalidArgumentError("pad must be non-negative");
    const int64_t effective = check_half ? (q.kernel[d] - 1) * q.dilation[d] + 1 : q.kernel[d];
    if (q.padding[d] * 2 > effective) {
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
absl::StatusOr<Tensor> ForEachPlane(const Prepared& p, int64_t oh, int64_t ow, F f) {
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty({p.n, p.c, oh, ow}, p.x.dtype()));
  const T* x = static_cast<const T*>(p.x.data());
  T* out = static_cast<T*>(y.mutable_data());
  for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
    f(x + plane * p.h * p.w, out + plane * oh * ow);
  }
  if (p.unbatched) return Squeeze(y, 0);
  return y;
}

template <typename T>
absl::StatusOr<Tensor> MaxPoolT(const Prepared& p, const PoolParams& q, int64_t oh, int64_t ow) {
  return ForEachPlane<T>(p, oh, ow, [&](const T* in, T* out) {
    for (int64_t i = 0; i < oh; ++i) {
      for (int64_t j = 0; j < ow; ++j) {
        T best = -std::numeric_limits<T>::infinity();
        for (int64_t a = 0; a < q.kernel[0]; ++a) {
          const int64_t y = i * q.stride[0] - q.padding[0] + a * q.dilation[0];
          if (y < 0 || y >= p.h) continue;
          for (int64_t b = 0; b < q.kernel[1]; ++b) {
            const int64_t x = j * q.stride[1] - q.padding[1] + b * q.dilation[1];
            if (x < 0 || x >= p.w) continue;
            const T v = in[y * p.w + x];
            if (v > best || std::isnan(v)) best = v;
            if (std::isnan(best)) break;
          }
        }
        out[i * ow + j] = best;
      }
    }
  });
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

absl::StatusOr<Tensor> MaxPool2d(const Tensor& input, const PoolParams& params) {
  PTSER_ASSIGN_OR_RETURN(Prepared p, Prepare(input, "max_pool2d"));
  PTSER_ASSIGN_OR_RETURN(auto size, PooledSize(p, params, /*check_half=*/true));
  if (input.dtype() == ScalarType::kFloat) return MaxPoolT<float>(p, params, size[0], size[1]);
  return MaxPoolT<double>(p, params, size[0], size[1]);
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

}  // namespace ptser
