// Copyright ptser authors.
#include "jit/nn/embedding.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/generator.h"
#include "tensor/ops/embedding.h"
#include "tensor/views.h"

namespace ptser::nn {

absl::StatusOr<std::shared_ptr<Embedding>> Embedding::Make(int64_t num, int64_t dim,
                                                           std::optional<int64_t> padding_idx,
                                                           ScalarType dtype) {
  if (padding_idx) {
    if (*padding_idx >= num || *padding_idx < -num) {
      return absl::InvalidArgumentError("Padding_idx must be within num_embeddings");
    }
    if (*padding_idx < 0) padding_idx = *padding_idx + num;
  }
  std::shared_ptr<Embedding> m(new Embedding(num, dim));
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Empty({num, dim}, dtype));
  PTSER_RETURN_IF_ERROR(DefaultGenerator().Normal(weight, 0, 1));
  if (padding_idx && dim > 0) {
    char* row = static_cast<char*>(weight.mutable_data()) +
                *padding_idx * dim * static_cast<int64_t>(weight.itemsize());
    std::memset(row, 0, static_cast<size_t>(dim) * weight.itemsize());
  }
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("weight", weight));
  return m;
}

absl::StatusOr<Tensor> Embedding::Forward(const Tensor& indices) {
  if (indices.dtype() != ScalarType::kLong && indices.dtype() != ScalarType::kInt) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        "Long, Int; but got ", DtypeRepr(indices.dtype()), " instead"));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Parameter("weight"));
  return ptser::Embedding(weight, indices);
}

}  // namespace ptser::nn
