// Copyright ptser authors.
//
// tensor/ops/scan.cc — cumsum and cumprod.

#include "tensor/ops/scan.h"

#include <cstdint>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

absl::StatusOr<Tensor> Scan(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype,
                            bool product) {
  const char* op = product ? "cumprod" : "cumsum";
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  ScalarType out_dtype = dtype.value_or(self.dtype());
  if (!dtype && IsIntegral(out_dtype, /*include_bool=*/true)) out_dtype = ScalarType::kLong;
  if (!DtypeInGroups<kRealTypes>(out_dtype)) return UnsupportedDtypeError(op, out_dtype);
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, op));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), out_dtype));
  // The converted input, contiguous, written into `out` first; then the
  // scan runs in place over outer x n x inner.
  PTSER_RETURN_IF_ERROR(CopyConvertInto(out, in));
  // Nothing to scan (and the sizes around a zero may multiply past int64).
  if (out.numel() == 0) return out;
  int64_t outer = 1, inner = 1;
  const int64_t n = self.dim() == 0 ? 1 : self.sizes()[d];
  for (int64_t k = 0; k < d; ++k) outer *= self.sizes()[k];
  for (int64_t k = d + 1; k < self.dim(); ++k) inner *= self.sizes()[k];
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes>(out_dtype, op, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_integral_v<T>, uint64_t, double>;
    T* data = static_cast<T*>(out.mutable_data());
    std::vector<Acc> acc(static_cast<size_t>(inner));
    for (int64_t o = 0; o < outer; ++o) {
      T* block = data + o * n * inner;
      for (int64_t i = 0; i < inner; ++i) acc[i] = product ? Acc(1) : Acc(0);
      for (int64_t k = 0; k < n; ++k) {
        T* row = block + k * inner;
        for (int64_t i = 0; i < inner; ++i) {
          Acc x;
          if constexpr (std::is_integral_v<T>) {
            x = static_cast<uint64_t>(static_cast<int64_t>(row[i]));
          } else {
            x = static_cast<double>(static_cast<OpMath<T>>(row[i]));
          }
          acc[i] = product ? acc[i] * x : acc[i] + x;
          if constexpr (std::is_integral_v<T>) {
            row[i] = Convert<T>(static_cast<int64_t>(acc[i]));
          } else {
            row[i] = Convert<T>(acc[i]);
          }
        }
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace

absl::StatusOr<Tensor> Cumsum(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return Scan(self, dim, dtype, false);
}

absl::StatusOr<Tensor> Cumprod(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return Scan(self, dim, dtype, true);
}

}  // namespace ptser
