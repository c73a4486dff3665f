// Copyright ptser authors.
//
// tensor/ops/internal/reduce.h — the layout reductions share.
//
// PrepareRows(self, dims, keepdim, dtype, op) checks `dims` (PyTorch's
// wrapping and "dim 0 appears multiple times in the list of dims"; an empty
// list means every dimension, as in 1.13), converts self to `dtype` and
// lays it out as `outer` rows of `inner` contiguous elements — the kept
// dimensions first, the reduced ones last — copying only when self is not
// already so laid out.  A kernel then reduces row r into output element r
// of a contiguous tensor of `out_shape` (the kept sizes, with 1s for the
// reduced dimensions when keepdim).
#ifndef PTSER_TENSOR_OPS_INTERNAL_REDUCE_H_
#define PTSER_TENSOR_OPS_INTERNAL_REDUCE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace ops_internal {

struct ReduceRows {
  Tensor rows;                     // contiguous: outer * inner elements
  int64_t outer = 1;               // number of output elements
  int64_t inner = 1;               // elements reduced into each
  std::vector<int64_t> out_shape;  // the result's shape
  // The first reduced dimension of size 0 (for "Expected reduction dim 0 to
  // have non-zero size" errors), or nullopt.
  std::optional<int64_t> empty_dim;
};

absl::StatusOr<ReduceRows> PrepareRows(const Tensor& self, absl::Span<const int64_t> dims,
                                       bool keepdim, ScalarType dtype, absl::string_view op);

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_REDUCE_H_
