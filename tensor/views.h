// Copyright ptser authors.
//
// tensor/views.h — views, clones and strided copies, with PyTorch semantics.
//
// Every view function returns a new Tensor on the *same* Storage (only the
// offset, sizes and strides change), exactly like the PyTorch op of the same
// name, so writes through a view are seen by the base:
//
//   ASSIGN_OR_RETURN(Tensor numbers, Arange(1, 10));       // [1..9]
//   ASSIGN_OR_RETURN(Tensor evens, Slice(numbers, 0, 1, std::nullopt, 2));
//   // evens: sizes [4], strides [2], storage offset 1; writing 2*x through
//   // it turns numbers into [1, 4, 3, 8, 5, 12, 7, 16, 9].
//
// Clone, Contiguous (when it must copy), Reshape (when it cannot view) and
// EmptyLike allocate a new storage sized for just their elements.
//
// Flags: a view keeps requires_grad, the conj/neg bits and the quantizer of
// its input and is never an nn.Parameter (PyTorch: a view of a Parameter is
// a plain Tensor).  Clone/copies keep requires_grad, resolve the conj/neg
// bits into the values (PyTorch's clone materialises them) and are not
// Parameters.  For per-channel quantized tensors the quantizer's axis is
// carried through views that move it (transpose, permute, squeeze,
// unsqueeze, select/slice of another dim; a slice along it slices the
// scales too); views that would split or merge the channel axis are
// UnimplementedError.
//
// Error codes:
//   InvalidArgumentError — a dimension out of range ("Dimension out of
//     range (expected to be in range of [-2, 1], but got 2)"), a bad shape,
//     step or length, a 0-dim tensor where one dimension is needed, sizes
//     whose element count overflows int64.
//   OutOfRangeError — an index or start beyond the dimension (select,
//     narrow), or an AsStrided layout past the end of the storage.
//   FailedPreconditionError — copying data of a non-CPU tensor, or into a
//     read-only storage.
//   ResourceExhaustedError — a copy too large to allocate.
#ifndef PTSER_TENSOR_VIEWS_H_
#define PTSER_TENSOR_VIEWS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

// ---------------------------------------------------------------- views ---

// t[start:end:step] along `dim` (Python slicing: nullopt is "omitted",
// negative start/end count from the end, both are clamped to [0, size], an
// end before start gives an empty slice).  `step` must be positive
// (InvalidArgumentError "slice step must be positive").
absl::StatusOr<Tensor> Slice(const Tensor& t, int64_t dim,
                             std::optional<int64_t> start = std::nullopt,
                             std::optional<int64_t> end = std::nullopt,
                             int64_t step = 1);

// t.select(dim, index): removes `dim`, taking element `index` (negative
// counts from the end).  Out of range is OutOfRangeError ("select(): index 3
// out of range for tensor of size [3, 4] at dimension 0").
absl::StatusOr<Tensor> Select(const Tensor& t, int64_t dim, int64_t index);

// t.narrow(dim, start, length) == t[start:start+length] along `dim`.
// `start` may be negative (wraps) and may equal the size when length is 0;
// beyond that, or start + length past the size, is OutOfRangeError; a
// negative length is InvalidArgumentError.
absl::StatusOr<Tensor> Narrow(const Tensor& t, int64_t dim, int64_t start,
                              int64_t length);

// t.transpose(dim0, dim1): swaps two dimensions' sizes and strides.
absl::StatusOr<Tensor> Transpose(const Tensor& t, int64_t dim0, int64_t dim1);

// t.permute(dims): output dim i is input dim dims[i].  `dims` must name
// every dimension once (negative allowed).
absl::StatusOr<Tensor> Permute(const Tensor& t, absl::Span<const int64_t> dims);

// t.expand(sizes): broadcasts size-1 dimensions (and new leading ones) to
// `sizes` with stride 0; -1 keeps an existing size.  The number of sizes
// must be >= t.dim().
absl::StatusOr<Tensor> Expand(const Tensor& t, absl::Span<const int64_t> sizes);

// t.view(sizes): same elements, new shape, without copying.  One size may
// be -1 (inferred).  Fails with InvalidArgumentError when the element counts
// differ ("shape '[4, 5]' is invalid for input of size 12") or when the
// strides cannot express the new shape ("view size is not compatible with
// input tensor's size and stride ... Use .reshape(...) instead.").
absl::StatusOr<Tensor> View(const Tensor& t, absl::Span<const int64_t> sizes);

// t.reshape(sizes): View when possible, else a contiguous copy (a new
// storage) with the new shape.
absl::StatusOr<Tensor> Reshape(const Tensor& t,
                               absl::Span<const int64_t> sizes);

// t.squeeze(): drops every size-1 dimension.
absl::StatusOr<Tensor> Squeeze(const Tensor& t);
// t.squeeze(dim): drops `dim` if its size is 1, else returns the same shape.
absl::StatusOr<Tensor> Squeeze(const Tensor& t, int64_t dim);

// t.unsqueeze(dim): inserts a size-1 dimension at `dim` in
// [-t.dim()-1, t.dim()].
absl::StatusOr<Tensor> Unsqueeze(const Tensor& t, int64_t dim);

// t.as_strided(sizes, strides, storage_offset): any layout on t's storage,
// validated like Tensor::Make (negative strides/offset InvalidArgumentError;
// past the storage OutOfRangeError).  The offset defaults to t's own.
absl::StatusOr<Tensor> AsStrided(
    const Tensor& t, absl::Span<const int64_t> sizes,
    absl::Span<const int64_t> strides,
    std::optional<int64_t> storage_offset = std::nullopt);

// t.flatten(start_dim, end_dim): merges dims start_dim..end_dim (inclusive)
// through Reshape (so it copies when it cannot view).  A 0-dim tensor
// becomes shape [1]; start_dim == end_dim returns `t` unchanged.
absl::StatusOr<Tensor> Flatten(const Tensor& t, int64_t start_dim = 0,
                               int64_t end_dim = -1);

// --------------------------------------------------------------- copies ---

// t.clone() (memory_format=torch.preserve_format): a new storage holding
// exactly t's elements.  The strides follow PyTorch: a non-overlapping,
// dense tensor keeps its strides (a transposed tensor's clone stays
// transposed); any other tensor gets dense strides in the same dimension
// order as its own (PyTorch's infer_dense_strides — contiguous for an
// expanded tensor).  The new storage has room for numel() elements only:
// Clone(arange(1, 1000)[0:5]) has a 5-element storage.
//
// On a device (a type registered with RegisterDeviceBackend), a contiguous
// tensor is cloned by one device-to-device copy of the bytes it uses; any
// other (strided, conj/neg bits) goes through the host: its storage to the
// CPU, the CPU clone, the result back to the device.  Contiguous likewise.
absl::StatusOr<Tensor> Clone(const Tensor& t);

// t.contiguous(): `t` itself when already contiguous, else a row-major copy
// (on a device: through the host, see Clone).
absl::StatusOr<Tensor> Contiguous(const Tensor& t);

// A new zero-filled tensor with t's sizes and the strides Clone(t) would
// have, of dtype `dtype` (default t's), with no flags set.
absl::StatusOr<Tensor> EmptyLike(const Tensor& t,
                                 std::optional<ScalarType> dtype = std::nullopt);

// dst.copy_(src) for equal shapes and dtypes: writes src's elements into
// dst's (strided) elements.  The conj/neg bits are honoured (dst receives
// src's logical values).  Errors: different shapes or dtypes
// (InvalidArgumentError; convert with Cast first), a dst with internal
// overlap — several elements on one memory location, e.g. an expanded
// tensor — (InvalidArgumentError), a read-only or non-CPU storage
// (FailedPreconditionError).  When src and dst share memory the copy goes
// through a temporary, so overlapping ranges are safe.
absl::Status CopyInto(const Tensor& dst, const Tensor& src);

// ------------------------------------------------------- layout queries ---

// PyTorch's is_non_overlapping_and_dense(): the elements fill a block of
// numel() storage elements exactly, in some dimension order.
bool IsNonOverlappingAndDense(const Tensor& t);

// The strides Clone(t) / EmptyLike(t) give (see Clone).
std::vector<int64_t> PreservedStrides(const Tensor& t);

// True when no two elements of `t` can share a memory location (a sufficient
// check: dims sorted by stride each step over everything inside them).
// Expanded tensors (stride 0 with size > 1) fail it.
bool HasNoInternalOverlap(const Tensor& t);

}  // namespace ptser

#endif  // PTSER_TENSOR_VIEWS_H_
