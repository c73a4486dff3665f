// Copyright ptser authors.
//
// tensor/ops/sort.cc — sort and topk via a stable index sort per row.

#include "tensor/ops/sort.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/reduce.h"
#include "tensor/ops/shape.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

template <typename M>
bool IsNanValue(M x) {
  if constexpr (std::is_floating_point_v<M>) {
    return std::isnan(x);
  } else {
    return false;
  }
}

// The first `keep` elements of each row of self along `dim` in order
// (descending or not), as values and indices moved back to `dim`.
absl::StatusOr<SortResult> SortRows(const Tensor& self, int64_t dim, bool descending,
                                    int64_t keep) {
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  const int64_t dims[] = {d};
  // Rows along `dim`, the other dimensions in order before it.
  PTSER_ASSIGN_OR_RETURN(ReduceRows r, PrepareRows(self, dims, /*keepdim=*/true, self.dtype(), "sort"));
  const int64_t n = r.inner;
  std::vector<int64_t> moved_shape = r.out_shape;  // keepdim: `dim` is 1
  if (self.dim() > 0) {
    moved_shape.erase(moved_shape.begin() + d);
    moved_shape.push_back(keep);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor values, AllocateTensor(moved_shape, self.dtype()));
  PTSER_ASSIGN_OR_RETURN(Tensor indices, AllocateTensor(moved_shape, ScalarType::kLong));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kBoolType | kRealTypes>(
      self.dtype(), "sort", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        const T* in = static_cast<const T*>(r.rows.data());
        T* v = static_cast<T*>(values.mutable_data());
        int64_t* ix = static_cast<int64_t*>(indices.mutable_data());
        // No rows, no scratch (n may be huge over a zero-size tensor).
        std::vector<int64_t> order(static_cast<size_t>(r.outer == 0 ? 0 : n));
        for (int64_t o = 0; o < r.outer; ++o) {
          const T* row = in + o * n;
          std::iota(order.begin(), order.end(), 0);
          auto less = [row, descending](int64_t a, int64_t b) {
            const M x = static_cast<M>(row[a]), y = static_cast<M>(row[b]);
            // NaN is the largest value.
            if (descending) return IsNanValue(y) ? false : (IsNanValue(x) || x > y);
            return IsNanValue(x) ? false : (IsNanValue(y) || x < y);
          };
          std::stable_sort(order.begin(), order.end(), less);
          for (int64_t k = 0; k < keep; ++k) {
            v[o * keep + k] = row[order[k]];
            ix[o * keep + k] = order[k];
          }
        }
        return absl::OkStatus();
      }));
  if (self.dim() == 0) return SortResult{values, indices};
  const int64_t last = self.dim() - 1;
  PTSER_ASSIGN_OR_RETURN(Tensor vm, Movedim(values, {last}, {d}));
  PTSER_ASSIGN_OR_RETURN(Tensor im, Movedim(indices, {last}, {d}));
  PTSER_ASSIGN_OR_RETURN(vm, Contiguous(vm));
  PTSER_ASSIGN_OR_RETURN(im, Contiguous(im));
  return SortResult{vm, im};
}

}  // namespace

absl::StatusOr<SortResult> Sort(const Tensor& self, int64_t dim, bool descending) {
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  return SortRows(self, d, descending, self.dim() == 0 ? 1 : self.sizes()[d]);
}

absl::StatusOr<Tensor> Argsort(const Tensor& self, int64_t dim, bool descending) {
  PTSER_ASSIGN_OR_RETURN(SortResult r, Sort(self, dim, descending));
  return r.indices;
}

absl::StatusOr<SortResult> Topk(const Tensor& self, int64_t k, int64_t dim, bool largest,
                                bool sorted) {
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  const int64_t size = self.dim() == 0 ? 1 : self.sizes()[d];
  if (k < 0 || k > size) return absl::InvalidArgumentError("selected index k out of range");
  return SortRows(self, d, largest, k);
}

}  // namespace ptser
