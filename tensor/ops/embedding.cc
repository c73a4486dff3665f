// Copyright ptser authors.
//
// tensor/ops/embedding.cc — row lookup.

#include "tensor/ops/embedding.h"

#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/type_promotion.h"
#include "tensor/views.h"

namespace ptser {

absl::StatusOr<Tensor> Embedding(const Tensor& weight, const Tensor& indices) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (indices.dtype() != ScalarType::kLong && indices.dtype() != ScalarType::kInt) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        "Long, Int; but got torch.",
        C10TypeName(indices.dtype()), "Tensor instead (while checking arguments for embedding)"));
  }
  if (weight.dim() != 2) return absl::InvalidArgumentError("'weight' must be 2-D");
  PTSER_RETURN_IF_ERROR(CheckReadable(indices, "embedding"));
  PTSER_ASSIGN_OR_RETURN(Tensor w, PrepareInput(weight, "embedding"));
  PTSER_ASSIGN_OR_RETURN(w, Contiguous(w));
  PTSER_ASSIGN_OR_RETURN(Tensor idx, ToDtype(indices, ScalarType::kLong));
  PTSER_ASSIGN_OR_RETURN(idx, Contiguous(idx));
  const int64_t num = weight.sizes()[0], dim = weight.sizes()[1];
  std::vector<int64_t> shape = indices.sizes();
  shape.push_back(dim);
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, weight.dtype()));
  const size_t row = static_cast<size_t>(dim) * weight.itemsize();
  const char* src = static_cast<const char*>(w.data());
  char* dst = static_cast<char*>(out.mutable_data());
  const int64_t* k = static_cast<const int64_t*>(idx.data());
  for (int64_t i = 0; i < idx.numel(); ++i) {
    if (k[i] < 0 || k[i] >= num) return absl::OutOfRangeError("index out of range in self");
    if (row > 0) std::memcpy(dst + i * row, src + k[i] * row, row);
  }
  return out;
}

}  // namespace ptser
