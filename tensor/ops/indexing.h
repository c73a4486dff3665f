// Copyright ptser authors.
//
// tensor/ops/indexing.h — selecting and writing elements by index or mask:
// index_select, gather, masked_fill, advanced indexing (`x[idx]`,
// aten::index) and its assignment (`x[idx] = v`, aten::index_put_),
// nonzero, and the whole-tensor writes fill_, zero_ and copy_.
//
// Index tensors are int64 or int32 (index_select; gather takes int64) or,
// for advanced indexing, int64 (int32 too), uint8 or bool masks.  Negative
// indices count from the end in advanced indexing; index_select and gather
// refuse them, as PyTorch does.
//
// Advanced indexing follows NumPy/PyTorch: `indices` has one entry per
// leading dimension of self (nullopt: that dimension is kept, like `:`); a
// bool/uint8 mask of k dimensions stands for k int64 index tensors (its
// nonzero() coordinates) and must match self's sizes there.  The index
// tensors broadcast together to a shape B; the result is B in place of the
// indexed dimensions when those are adjacent, else B first and the kept
// dimensions after:
//   x (2, 3, 4): x[:, [0, 1], [1, 2]] is (2, 2); x[[0, 1], :, [1, 2]] is (2, 3).
//
// Errors, as PyTorch words them: an index past the end is OutOfRangeError
// "index 5 is out of bounds for dimension 0 with size 2" (PyTorch's
// IndexError); a float index tensor is InvalidArgumentError "tensors used as
// indices must be long, byte or bool tensors"; a mask of the wrong shape
// "The shape of the mask [3] at index 0 does not match the shape of the
// indexed tensor [2, 3] at index 0"; values that do not broadcast to the
// indexing result "shape mismatch: value tensor of shape [2] cannot be
// broadcast to indexing result of shape [3]".
//
// In-place ops write through self's storage (views see the change) and
// convert what they write to self's dtype.
#ifndef PTSER_TENSOR_OPS_INDEXING_H_
#define PTSER_TENSOR_OPS_INDEXING_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"

namespace ptser {

// torch.index_select(self, dim, index): index is 1-D (or 0-D), int64 or
// int32, each in [0, size).
absl::StatusOr<Tensor> IndexSelect(const Tensor& self, int64_t dim, const Tensor& index);

// torch.gather(self, dim, index): out[i][j] = self[index[i][j]][j] (dim 0),
// index with self's number of dimensions and no larger than self apart from
// `dim`; the result has index's shape.
absl::StatusOr<Tensor> Gather(const Tensor& self, int64_t dim, const Tensor& index);

// self.masked_fill(mask, value): value where mask (bool or uint8,
// broadcast) is true.  The out-of-place result has the broadcast shape of
// self and mask; in place, mask must broadcast to self.  A tensor value
// must be 0-dim ("masked_fill_ only supports a 0-dimensional value tensor,
// but got tensor with 1 dimension(s).").
absl::StatusOr<Tensor> MaskedFill(const Tensor& self, const Tensor& mask, const Scalar& value);
absl::StatusOr<Tensor> MaskedFill(const Tensor& self, const Tensor& mask, const Tensor& value);
absl::Status MaskedFillInplace(const Tensor& self, const Tensor& mask, const Scalar& value);
absl::Status MaskedFillInplace(const Tensor& self, const Tensor& mask, const Tensor& value);

// x[indices] (aten::index.Tensor).
absl::StatusOr<Tensor> Index(const Tensor& self, absl::Span<const std::optional<Tensor>> indices);
// x[indices] = values, or += with `accumulate` (aten::index_put_).
absl::Status IndexPutInplace(const Tensor& self, absl::Span<const std::optional<Tensor>> indices,
                             const Tensor& values, bool accumulate = false);
absl::StatusOr<Tensor> IndexPut(const Tensor& self, absl::Span<const std::optional<Tensor>> indices,
                                const Tensor& values, bool accumulate = false);

// torch.nonzero(self): the int64 coordinates (n, self.dim()) of the nonzero
// elements in row-major order.
absl::StatusOr<Tensor> Nonzero(const Tensor& self);

// self.fill_(value) (a Tensor value must be 0-dim: "fill_ only supports
// 0-dimension value tensor but got tensor with 1 dimensions."), zero_(),
// and copy_(src): src broadcast to self's shape and converted to its dtype.
absl::Status FillInplace(const Tensor& self, const Scalar& value);
absl::Status FillInplace(const Tensor& self, const Tensor& value);
absl::Status ZeroInplace(const Tensor& self);
absl::Status CopyInplace(const Tensor& self, const Tensor& src);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INDEXING_H_
