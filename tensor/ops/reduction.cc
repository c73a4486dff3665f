// Copyright ptser authors.
//
// tensor/ops/reduction.cc — sum/mean/max kernels.

#include "tensor/ops/reduction.h"

#include <array>
#include <cstring>
#include <cmath>
#include <complex>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/reduce.h"
#include "tensor/ops/type_promotion.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

struct ReducePlan {
  std::vector<int64_t> out_shape;   // the result's shape
  std::vector<int64_t> kept_shape;  // input shape, reduced dims set to 1
  std::vector<bool> reduced;        // per input dim
  int64_t count = 1;                // elements reduced into each output
};

absl::StatusOr<ReducePlan> PlanReduction(const Tensor& self,
                                         absl::Span<const int64_t> dims,
                                         bool keepdim) {
  const int64_t rank = self.dim();
  ReducePlan plan;
  plan.reduced.assign(rank, dims.empty());
  std::vector<bool> seen(rank > 0 ? rank : 1, false);
  for (int64_t d : dims) {
    PTSER_ASSIGN_OR_RETURN(int64_t w, WrapDim(d, rank));
    if (seen[w]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dim ", w, " appears multiple times in the list of dims"));
    }
    seen[w] = true;
    if (rank > 0) plan.reduced[w] = true;
  }
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t size = self.sizes()[d];
    if (plan.reduced[d]) {
      plan.count *= size;
      plan.kept_shape.push_back(1);
      if (keepdim) plan.out_shape.push_back(1);
    } else {
      plan.kept_shape.push_back(size);
      plan.out_shape.push_back(size);
    }
  }
  return plan;
}

// Byte strides that walk a contiguous buffer of kept_shape elements of
// `elem_size` bytes while iterating over the input's shape: reduced
// dimensions get stride 0, so all their elements land on one accumulator.
std::vector<int64_t> AccumulatorStrides(const ReducePlan& plan,
                                        int64_t elem_size) {
  std::vector<int64_t> strides = Tensor::ContiguousStrides(plan.kept_shape);
  for (size_t d = 0; d < strides.size(); ++d) {
    strides[d] = plan.reduced[d] ? 0 : strides[d] * elem_size;
  }
  return strides;
}

template <typename T>
using SumAcc =
    std::conditional_t<kIsComplex<T>, std::complex<double>,
                       std::conditional_t<kIsFloating<T>, double, uint64_t>>;

// Sums `in` (dtype `out_dtype`) per the plan into a new tensor of
// out_shape; when `mean`, divides by the count.
absl::StatusOr<Tensor> SumImpl(const Tensor& in, const ReducePlan& plan,
                               ScalarType out_dtype, bool mean,
                               absl::string_view op) {
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(plan.out_shape, out_dtype));
  PTSER_RETURN_IF_ERROR(
      DispatchDtype<kAllTypes>(out_dtype, op, [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using Acc = SumAcc<T>;
        std::vector<Acc> acc(static_cast<size_t>(NumElements(plan.kept_shape)),
                             Acc(0));
        std::array<char*, 2> base = {
            reinterpret_cast<char*>(acc.data()),
            const_cast<char*>(static_cast<const char*>(in.data()))};
        ForEachRow<2>(in.sizes(), base,
                      {AccumulatorStrides(plan, sizeof(Acc)), ByteStrides(in)},
                      [](const std::array<char*, 2>& p,
                         const std::array<int64_t, 2>& s, int64_t n) {
                        for (int64_t i = 0; i < n; ++i) {
                          Acc* a = reinterpret_cast<Acc*>(p[0] + i * s[0]);
                          const T v = Load<T>(p[1] + i * s[1]);
                          if constexpr (std::is_same_v<Acc, uint64_t>) {
                            *a +=
                                static_cast<uint64_t>(static_cast<int64_t>(v));
                          } else {
                            *a += Convert<Acc>(v);
                          }
                        }
                      });
        char* dst = static_cast<char*>(out.mutable_data());
        for (size_t i = 0; i < acc.size(); ++i) {
          T value;
          if constexpr (std::is_same_v<Acc, uint64_t>) {
            value = Convert<T>(static_cast<int64_t>(acc[i]));
          } else if (mean) {
            value = Convert<T>(acc[i] / static_cast<double>(plan.count));
          } else {
            value = Convert<T>(acc[i]);
          }
          Store<T>(dst + i * sizeof(T), value);
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<Tensor> SumDims(const Tensor& self,
                               absl::Span<const int64_t> dims, bool keepdim,
                               std::optional<ScalarType> dtype) {
  PTSER_ASSIGN_OR_RETURN(ReducePlan plan, PlanReduction(self, dims, keepdim));
  ScalarType out_dtype = self.dtype();
  if (dtype.has_value()) {
    out_dtype = *dtype;
  } else if (IsIntegral(out_dtype, /*include_bool=*/true)) {
    out_dtype = ScalarType::kLong;
  }
  if (!DtypeInGroups<kAllTypes>(out_dtype)) {
    return UnsupportedDtypeError("sum_cpu", out_dtype);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "sum"));
  PTSER_ASSIGN_OR_RETURN(in, ToDtype(in, out_dtype));
  return SumImpl(in, plan, out_dtype, /*mean=*/false, "sum_cpu");
}

absl::StatusOr<Tensor> MeanDims(const Tensor& self,
                                absl::Span<const int64_t> dims, bool keepdim,
                                std::optional<ScalarType> dtype) {
  const ScalarType out_dtype = dtype.value_or(self.dtype());
  if (!IsFloatingPoint(out_dtype) && !IsComplex(out_dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mean(): could not infer output dtype. Input dtype must be either a "
        "floating point or complex dtype. Got: ",
        C10TypeName(out_dtype)));
  }
  PTSER_ASSIGN_OR_RETURN(ReducePlan plan, PlanReduction(self, dims, keepdim));
  if (!DtypeInGroups<kAllTypes>(out_dtype)) {
    return UnsupportedDtypeError("mean", out_dtype);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "mean"));
  PTSER_ASSIGN_OR_RETURN(in, ToDtype(in, out_dtype));
  return SumImpl(in, plan, out_dtype, /*mean=*/true, "mean");
}

template <typename M>
bool IsNan(const M& v) {
  if constexpr (std::is_floating_point_v<M>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

// `candidate` replaces `best` (PyTorch's max: NaN propagates, ties keep the
// first).
template <typename M>
bool Beats(const M& candidate, const M& best) {
  if (IsNan(best)) return false;
  return IsNan(candidate) || candidate > best;
}

}  // namespace

absl::StatusOr<Tensor> Sum(const Tensor& self,
                           std::optional<ScalarType> dtype) {
  return SumDims(self, {}, /*keepdim=*/false, dtype);
}

absl::StatusOr<Tensor> Sum(const Tensor& self, absl::Span<const int64_t> dims,
                           bool keepdim, std::optional<ScalarType> dtype) {
  return SumDims(self, dims, keepdim, dtype);
}

absl::StatusOr<Tensor> Mean(const Tensor& self,
                            std::optional<ScalarType> dtype) {
  return MeanDims(self, {}, /*keepdim=*/false, dtype);
}

absl::StatusOr<Tensor> Mean(const Tensor& self, absl::Span<const int64_t> dims,
                            bool keepdim, std::optional<ScalarType> dtype) {
  return MeanDims(self, dims, keepdim, dtype);
}

absl::StatusOr<Tensor> Max(const Tensor& self) {
  if (self.numel() == 0) {
    return absl::InvalidArgumentError(
        "max(): Expected reduction dim to be specified for input.numel() == "
        "0. Specify the reduction dim with the 'dim' argument.");
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "max"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor({}, self.dtype()));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kBoolType | kRealTypes>(
      self.dtype(), "max_all", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        bool first = true;
        M best{};
        ForEachRow<1>(in.sizes(),
                      {const_cast<char*>(static_cast<const char*>(in.data()))},
                      {ByteStrides(in)},
                      [&](const std::array<char*, 1>& p,
                          const std::array<int64_t, 1>& s, int64_t n) {
                        for (int64_t i = 0; i < n; ++i) {
                          const M v = static_cast<M>(Load<T>(p[0] + i * s[0]));
                          if (first || Beats(v, best)) best = v;
                          first = false;
                        }
                      });
        Store<T>(static_cast<char*>(out.mutable_data()), T(best));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<MaxResult> Max(const Tensor& self, int64_t dim, bool keepdim) {
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  const int64_t rank = self.dim();
  const int64_t dim_size = rank == 0 ? 1 : self.sizes()[d];
  const int64_t dim_stride = rank == 0 ? 0 : self.strides()[d];
  if (dim_size == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max(): Expected reduction dim ", d, " to have non-zero size."));
  }
  // Output positions: the input shape with `d` collapsed to one element.
  std::vector<int64_t> kept = self.sizes();
  std::vector<int64_t> out_shape;
  if (rank > 0) {
    kept[d] = 1;
    for (int64_t k = 0; k < rank; ++k) {
      if (k != d || keepdim) out_shape.push_back(kept[k]);
    }
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "max"));
  PTSER_ASSIGN_OR_RETURN(Tensor values,
                         AllocateTensor(out_shape, self.dtype()));
  PTSER_ASSIGN_OR_RETURN(Tensor indices,
                         AllocateTensor(out_shape, ScalarType::kLong));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kBoolType | kRealTypes>(
      self.dtype(), "max", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        const int64_t step = dim_stride * static_cast<int64_t>(sizeof(T));
        std::vector<int64_t> in_strides = ByteStrides(in);
        std::vector<int64_t> v_strides = Tensor::ContiguousStrides(kept);
        for (int64_t& s : v_strides) s *= static_cast<int64_t>(sizeof(T));
        std::vector<int64_t> i_strides = Tensor::ContiguousStrides(kept);
        for (int64_t& s : i_strides) s *= 8;
        if (rank > 0) {
          in_strides[d] = 0;  // walked by hand below
          v_strides[d] = 0;
          i_strides[d] = 0;
        }
        ForEachRow<3>(kept,
                      {static_cast<char*>(values.mutable_data()),
                       static_cast<char*>(indices.mutable_data()),
                       const_cast<char*>(static_cast<const char*>(in.data()))},
                      {v_strides, i_strides, in_strides},
                      [&](const std::array<char*, 3>& p,
                          const std::array<int64_t, 3>& s, int64_t n) {
                        for (int64_t i = 0; i < n; ++i) {
                          const char* src = p[2] + i * s[2];
                          M best = static_cast<M>(Load<T>(src));
                          int64_t best_index = 0;
                          for (int64_t k = 1; k < dim_size; ++k) {
                            const M v = static_cast<M>(Load<T>(src + k * step));
                            if (Beats(v, best)) {
                              best = v;
                              best_index = k;
                            }
                          }
                          Store<T>(p[0] + i * s[0], T(best));
                          Store<int64_t>(p[1] + i * s[1], best_index);
                        }
                      });
        return absl::OkStatus();
      }));
  return MaxResult{values, indices};
}

namespace {

// For each row of `r`: the largest (is_max) or smallest element, NaN
// winning, ties keeping the first; into `values` (r.rows' dtype) and/or
// `indices` (int64), both contiguous of r.out_shape when given.
absl::Status ExtremumRows(const ReduceRows& r, bool is_max, const Tensor* values,
                          const Tensor* indices, absl::string_view op) {
  return DispatchDtype<kBoolType | kRealTypes>(
      r.rows.dtype(), op, [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        const T* in = static_cast<const T*>(r.rows.data());
        T* v = values != nullptr ? static_cast<T*>(values->mutable_data()) : nullptr;
        int64_t* ix = indices != nullptr ? static_cast<int64_t*>(indices->mutable_data()) : nullptr;
        for (int64_t o = 0; o < r.outer; ++o) {
          const T* row = in + o * r.inner;
          M best = static_cast<M>(row[0]);
          int64_t best_index = 0;
          if (!IsNan(best)) {
            for (int64_t k = 1; k < r.inner; ++k) {
              const M x = static_cast<M>(row[k]);
              if (IsNan(x)) {
                best = x;
                best_index = k;
                break;
              }
              if (is_max ? best < x : x < best) {
                best = x;
                best_index = k;
              }
            }
          }
          if (v != nullptr) v[o] = T(best);
          if (ix != nullptr) ix[o] = best_index;
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<MaxResult> ExtremumDim(const Tensor& self, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  const int64_t dims[] = {dim};
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, keepdim, self.dtype(), op));
  if (r.empty_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, "(): Expected reduction dim ", *r.empty_dim, " to have non-zero size."));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor values, AllocateTensor(r.out_shape, self.dtype()));
  PTSER_ASSIGN_OR_RETURN(Tensor indices, AllocateTensor(r.out_shape, ScalarType::kLong));
  PTSER_RETURN_IF_ERROR(ExtremumRows(r, is_max, &values, &indices, op));
  return MaxResult{values, indices};
}

absl::StatusOr<Tensor> ArgExtremum(const Tensor& self, std::optional<int64_t> dim, bool keepdim,
                                   bool is_max) {
  const char* op = is_max ? "argmax" : "argmin";
  if (!dim && self.numel() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, "(): Expected reduction dim to be specified for input.numel() == 0."));
  }
  Tensor in = self;
  std::vector<int64_t> dims;
  if (dim) {
    dims.push_back(*dim);
  } else {
    // Over the flattened tensor; keepdim gives all-ones sizes.
    PTSER_ASSIGN_OR_RETURN(in, Reshape(self, {self.numel()}));
  }
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(in, dims, keepdim && dim.has_value(),
                                                   self.dtype(), op));
  if (r.empty_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, "(): Expected reduction dim ", *r.empty_dim, " to have non-zero size."));
  }
  if (!dim && keepdim) r.out_shape.assign(static_cast<size_t>(self.dim()), 1);
  PTSER_ASSIGN_OR_RETURN(Tensor indices, AllocateTensor(r.out_shape, ScalarType::kLong));
  PTSER_RETURN_IF_ERROR(ExtremumRows(r, is_max, nullptr, &indices, op));
  return indices;
}

absl::StatusOr<Tensor> AmaxImpl(const Tensor& self, absl::Span<const int64_t> dims, bool keepdim,
                                bool is_max) {
  const char* op = is_max ? "amax" : "amin";
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, keepdim, self.dtype(), op));
  if (r.empty_dim && r.outer > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, "(): Expected reduction dim ", *r.empty_dim, " to have non-zero size."));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor values, AllocateTensor(r.out_shape, self.dtype()));
  if (r.outer == 0) return values;
  PTSER_RETURN_IF_ERROR(ExtremumRows(r, is_max, &values, nullptr, op));
  return values;
}

absl::StatusOr<Tensor> ProdImpl(const Tensor& self, absl::Span<const int64_t> dims, bool keepdim,
                                std::optional<ScalarType> dtype) {
  ScalarType out_dtype = dtype.value_or(self.dtype());
  if (!dtype && IsIntegral(out_dtype, /*include_bool=*/true)) out_dtype = ScalarType::kLong;
  if (!DtypeInGroups<kRealTypes>(out_dtype)) return UnsupportedDtypeError("prod_cpu", out_dtype);
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, keepdim, out_dtype, "prod"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(r.out_shape, out_dtype));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes>(out_dtype, "prod_cpu", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    const T* in = static_cast<const T*>(r.rows.data());
    T* o = static_cast<T*>(out.mutable_data());
    for (int64_t i = 0; i < r.outer; ++i) {
      const T* row = in + i * r.inner;
      if constexpr (std::is_integral_v<T>) {
        uint64_t acc = 1;
        for (int64_t k = 0; k < r.inner; ++k) {
          acc *= static_cast<uint64_t>(static_cast<int64_t>(row[k]));
        }
        o[i] = Convert<T>(static_cast<int64_t>(acc));
      } else {
        double acc = 1;
        for (int64_t k = 0; k < r.inner; ++k) acc *= static_cast<double>(static_cast<OpMath<T>>(row[k]));
        o[i] = Convert<T>(acc);
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tensor> AllAny(const Tensor& self, absl::Span<const int64_t> dims, bool keepdim,
                              bool all) {
  const char* op = all ? "all" : "any";
  const ScalarType out_dtype =
      self.dtype() == ScalarType::kByte ? ScalarType::kByte : ScalarType::kBool;
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, keepdim, self.dtype(), op));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(r.out_shape, out_dtype));
  std::vector<uint8_t> result(static_cast<size_t>(r.outer), 0);
  PTSER_RETURN_IF_ERROR(DispatchDtype<kBoolType | kRealTypes | kComplexTypes>(
      self.dtype(), op, [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        const T* in = static_cast<const T*>(r.rows.data());
        for (int64_t i = 0; i < r.outer; ++i) {
          const T* row = in + i * r.inner;
          bool acc = all;
          for (int64_t k = 0; k < r.inner; ++k) {
            const bool nonzero = Convert<bool>(row[k]);
            if (nonzero != all) {
              acc = !all;
              break;
            }
          }
          result[static_cast<size_t>(i)] = acc ? 1 : 0;
        }
        return absl::OkStatus();
      }));
  if (!result.empty()) {
    std::memcpy(out.mutable_data(), result.data(), result.size());
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> Min(const Tensor& self) {
  if (self.numel() == 0) {
    return absl::InvalidArgumentError(
        "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.");
  }
  return AmaxImpl(self, {}, false, /*is_max=*/false);
}

absl::StatusOr<MaxResult> Min(const Tensor& self, int64_t dim, bool keepdim) {
  return ExtremumDim(self, dim, keepdim, /*is_max=*/false);
}

absl::StatusOr<Tensor> Prod(const Tensor& self, std::optional<ScalarType> dtype) {
  return ProdImpl(self, {}, false, dtype);
}

absl::StatusOr<Tensor> Prod(const Tensor& self, int64_t dim, bool keepdim,
                            std::optional<ScalarType> dtype) {
  const int64_t dims[] = {dim};
  return ProdImpl(self, dims, keepdim, dtype);
}

absl::StatusOr<Tensor> Argmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return ArgExtremum(self, dim, keepdim, /*is_max=*/true);
}

absl::StatusOr<Tensor> Argmin(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return ArgExtremum(self, dim, keepdim, /*is_max=*/false);
}

absl::StatusOr<Tensor> Amax(const Tensor& self, absl::Span<const int64_t> dims, bool keepdim) {
  return AmaxImpl(self, dims, keepdim, /*is_max=*/true);
}

absl::StatusOr<Tensor> Amin(const Tensor& self, absl::Span<const int64_t> dims, bool keepdim) {
  return AmaxImpl(self, dims, keepdim, /*is_max=*/false);
}

absl::StatusOr<Tensor> All(const Tensor& self) { return AllAny(self, {}, false, true); }
absl::StatusOr<Tensor> All(const Tensor& self, int64_t dim, bool keepdim) {
  const int64_t dims[] = {dim};
  return AllAny(self, dims, keepdim, true);
}
absl::StatusOr<Tensor> Any(const Tensor& self) { return AllAny(self, {}, false, false); }
absl::StatusOr<Tensor> Any(const Tensor& self, int64_t dim, bool keepdim) {
  const int64_t dims[] = {dim};
  return AllAny(self, dims, keepdim, false);
}

}  // namespace ptser
