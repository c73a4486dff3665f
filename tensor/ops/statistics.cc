// Copyright ptser authors.
//
// tensor/ops/statistics.cc — var, std, norm, logsumexp over rows.

#include "tensor/ops/statistics.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/reduce.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

constexpr uint32_t kFloatGroups = kFloatingTypes | kReducedFloatingTypes;

// out[r] = f(row r as doubles, length) for the floating dtype of r.rows.
template <typename F>
absl::StatusOr<Tensor> ReduceFloatRows(const ReduceRows& r, absl::string_view op, F f) {
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(r.out_shape, r.rows.dtype()));
  // No rows, no scratch (r.inner may be huge over a zero-size tensor).
  std::vector<double> row(static_cast<size_t>(r.outer == 0 ? 0 : r.inner));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kFloatGroups>(r.rows.dtype(), op, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    const T* in = static_cast<const T*>(r.rows.data());
    T* o = static_cast<T*>(out.mutable_data());
    for (int64_t i = 0; i < r.outer; ++i) {
      for (int64_t k = 0; k < r.inner; ++k) {
        row[static_cast<size_t>(k)] = static_cast<double>(static_cast<OpMath<T>>(in[i * r.inner + k]));
      }
      o[i] = Convert<T>(f(row.data(), r.inner));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tensor> VarStd(const Tensor& self, absl::Span<const int64_t> dims,
                              int64_t correction, bool keepdim, bool take_sqrt) {
  if (!IsFloatingPoint(self.dtype())) {
    return absl::InvalidArgumentError("std and var only support floating point and complex dtypes");
  }
  PTSER_ASSIGN_OR_RETURN(ReduceRows r,
                         PrepareRows(self, dims, keepdim, self.dtype(), take_sqrt ? "std" : "var"));
  return ReduceFloatRows(r, take_sqrt ? "std" : "var", [correction, take_sqrt](const double* x, int64_t n) {
    double mean = 0;
    for (int64_t k = 0; k < n; ++k) mean += x[k];
    mean /= static_cast<double>(n);
    double m2 = 0;
    for (int64_t k = 0; k < n; ++k) m2 += (x[k] - mean) * (x[k] - mean);
    // In double: n - correction may not fit int64 (correction = INT64_MIN).
    const double divisor =
        std::max<double>(0, static_cast<double>(n) - static_cast<double>(correction));
    const double var = m2 / divisor;
    return take_sqrt ? std::sqrt(var) : var;
  });
}

}  // namespace

absl::StatusOr<Tensor> Var(const Tensor& self, absl::Span<const int64_t> dims, int64_t correction,
                           bool keepdim) {
  return VarStd(self, dims, correction, keepdim, false);
}

absl::StatusOr<Tensor> Std(const Tensor& self, absl::Span<const int64_t> dims, int64_t correction,
                           bool keepdim) {
  return VarStd(self, dims, correction, keepdim, true);
}

absl::StatusOr<Tensor> Norm(const Tensor& self, double p, absl::Span<const int64_t> dims,
                            bool keepdim) {
  if (!IsFloatingPoint(self.dtype())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "norm(): input dtype should be either floating point or complex. Got ",
        C10TypeName(self.dtype()), " instead."));
  }
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, keepdim, self.dtype(), "norm"));
  return ReduceFloatRows(r, "norm", [p](const double* x, int64_t n) {
    if (std::isinf(p)) {
      double best = p > 0 ? 0 : std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < n; ++k) {
        const double a = std::fabs(x[k]);
        if (std::isnan(a)) return a;
        best = p > 0 ? std::max(best, a) : std::min(best, a);
      }
      return best;
    }
    if (p == 0) {
      double count = 0;
      for (int64_t k = 0; k < n; ++k) count += x[k] != 0 ? 1 : 0;
      return count;
    }
    double sum = 0;
    if (p == 2) {
      for (int64_t k = 0; k < n; ++k) sum += x[k] * x[k];
      return std::sqrt(sum);
    }
    if (p == 1) {
      for (int64_t k = 0; k < n; ++k) sum += std::fabs(x[k]);
      return sum;
    }
    for (int64_t k = 0; k < n; ++k) sum += std::pow(std::fabs(x[k]), p);
    return std::pow(sum, 1 / p);
  });
}

absl::StatusOr<Tensor> Logsumexp(const Tensor& self, absl::Span<const int64_t> dims, bool keepdim) {
  const ScalarType dtype =
      IsIntegral(self.dtype(), /*include_bool=*/true) ? kDefaultFloatDtype : self.dtype();
  if (!DtypeInGroups<kFloatGroups>(dtype)) return UnsupportedDtypeError("logsumexp", dtype);
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, keepdim, dtype, "logsumexp"));
  return ReduceFloatRows(r, "logsumexp", [](const double* x, int64_t n) {
    double max = -std::numeric_limits<double>::infinity();
    for (int64_t k = 0; k < n; ++k) {
      if (std::isnan(x[k])) return x[k];
      max = std::max(max, x[k]);
    }
    if (std::isinf(max)) max = 0;
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += std::exp(x[k] - max);
    return std::log(sum) + max;
  });
}

}  // namespace ptser
