// Copyright ptser authors.
#include "tensor/ops/softmax.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace {

template <typename T>
void SoftmaxKernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* in = x + o * n * inner + i;
      T* out = y + o * n * inner + i;
      T max = -std::numeric_limits<T>::infinity();
      for (int64_t k = 0; k < n; ++k) max = std::isnan(in[k * inner]) || in[k * inner] > max ? in[k * inner] : max;
      T sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += std::exp(in[k * inner] - max);
      if (log) {
        const T log_sum = std::log(sum);
        for (int64_t k = 0; k < n; ++k) out[k * inner] = in[k * inner] - max - log_sum;
      } else {
        for (int64_t k = 0; k < n; ++k) out[k * inner] = std::exp(in[k * inner] - max) / sum;
      }
    }
  }
}

absl::StatusOr<Tensor> SoftmaxImpl(const Tensor& self, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  if (self.dtype() != ScalarType::kFloat && self.dtype() != ScalarType::kDouble) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": float32 and float64 are supported, not ", DtypeRepr(self.dtype())));
  }
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, self.dim()));
  PTSER_ASSIGN_OR_RETURN(Tensor in, Contiguous(self));
  PTSER_ASSIGN_OR_RETURN(Tensor out, EmptyLike(in));
  int64_t outer = 1, inner = 1;
  const int64_t n = self.dim() == 0 ? 1 : self.sizes()[d];
  for (int64_t k = 0; k < d; ++k) outer *= self.sizes()[k];
  for (int64_t k = d + 1; k < self.dim(); ++k) inner *= self.sizes()[k];
  if (self.dtype() == ScalarType::kFloat) {
    SoftmaxKernel(static_cast<const float*>(in.data()), static_cast<float*>(out.mutable_data()),
                  outer, n, inner, log);
  } else {
    SoftmaxKernel(static_cast<const double*>(in.data()), static_cast<double*>(out.mutable_data()),
                  outer, n, inner, log);
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> Softmax(const Tensor& self, int64_t dim) {
  return SoftmaxImpl(self, dim, false);
}

absl::StatusOr<Tensor> LogSoftmax(const Tensor& self, int64_t dim) {
  return SoftmaxImpl(self, dim, true);
}

}  // namespace ptser
