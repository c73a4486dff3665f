// Copyright ptser authors.
//
// tensor/ops/internal/reduce.cc — laying a tensor out as rows to reduce.

#include "tensor/ops/internal/reduce.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/views.h"

namespace ptser {
namespace ops_internal {

namespace {

absl::Status SizesOverflow(const Tensor& self, absl::string_view op) {
  return absl::InvalidArgumentError(absl::StrCat(
      op, ": the sizes ", ShapeToString(self.sizes()), " overflow int64 when multiplied"));
}

}  // namespace

absl::StatusOr<ReduceRows> PrepareRows(const Tensor& self, absl::Span<const int64_t> dims,
                                       bool keepdim, ScalarType dtype, absl::string_view op) {
  const int64_t rank = self.dim();
  std::vector<bool> reduced(static_cast<size_t>(rank), dims.empty());
  std::vector<bool> seen(static_cast<size_t>(rank > 0 ? rank : 1), false);
  for (int64_t d : dims) {
    PTSER_ASSIGN_OR_RETURN(int64_t w, WrapDim(d, rank));
    if (seen[w]) {
      return absl::InvalidArgumentError(
          absl::StrCat("dim ", w, " appears multiple times in the list of dims"));
    }
    seen[w] = true;
    if (rank > 0) reduced[w] = true;
  }
  ReduceRows out;
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      if (keepdim) out.out_shape.push_back(1);
    } else {
      out.out_shape.push_back(self.sizes()[d]);
      // Checked: a zero elsewhere lets the kept sizes multiply past int64.
      if (__builtin_mul_overflow(out.outer, self.sizes()[d], &out.outer)) {
        return SizesOverflow(self, op);
      }
      perm.push_back(d);
    }
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d]) continue;
    perm.push_back(d);
    if (__builtin_mul_overflow(out.inner, self.sizes()[d], &out.inner)) {
      return SizesOverflow(self, op);
    }
    if (self.sizes()[d] == 0 && !out.empty_dim) out.empty_dim = d;
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, op));
  if (rank > 0) {
    PTSER_ASSIGN_OR_RETURN(in, Permute(in, perm));
  }
  if (in.dtype() != dtype) {
    PTSER_ASSIGN_OR_RETURN(in, ToDtype(in, dtype));  // contiguous in the new order
  } else if (!in.is_contiguous()) {
    PTSER_ASSIGN_OR_RETURN(Tensor copy, AllocateTensor(in.sizes(), dtype));
    PTSER_RETURN_IF_ERROR(CopyConvertInto(copy, in));
    in = std::move(copy);
  }
  out.rows = std::move(in);
  return out;
}

}  // namespace ops_internal
}  // namespace ptser
