// Copyright ptser authors.
//
// tensor/ops/embedding.h — torch.embedding (F.embedding's kernel, under
// nn.Embedding): the rows of a (num_embeddings, dim) weight picked by an
// int64 or int32 index tensor of any shape; the result has shape
// indices.shape + [dim] and weight's dtype.  (padding_idx and the gradient
// options only matter for training and are not arguments here.)
//
// Errors: indices of another dtype are InvalidArgumentError "Expected tensor
// for argument #1 'indices' to have one of the following scalar types: Long,
// Int; but got torch.FloatTensor instead (while checking arguments for
// embedding)"; an index outside [0, num_embeddings) is OutOfRangeError
// "index out of range in self" (PyTorch's IndexError); a weight that is not
// 2-D is InvalidArgumentError "'weight' must be 2-D".
#ifndef PTSER_TENSOR_OPS_EMBEDDING_H_
#define PTSER_TENSOR_OPS_EMBEDDING_H_

#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Embedding(const Tensor& weight, const Tensor& indices);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_EMBEDDING_H_
