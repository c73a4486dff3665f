// Copyright ptser authors.
//
// tensor/ops/shape.h — shape ops beyond tensor/views.h: splitting
// (chunk, split, split_with_sizes, unbind), joining (cat, stack), repeat,
// unflatten, movedim, flip, t(), expand_as, triu/tril and contiguous with
// a memory format.
//
// Views (they share the input's storage, so writes through them reach the
// input): Chunk, Split, SplitWithSizes, Unbind (each piece), Unflatten,
// Movedim, MatrixTranspose (t()), ExpandAs.  New tensors: Cat, Stack,
// Repeat, Flip, Triu, Tril, and Contiguous when it must copy.
//
// Errors are PyTorch's, e.g. "Sizes of tensors must match except in
// dimension 0. Expected size 3 but got size 4 for tensor number 1 in the
// list.", "stack expects each tensor to be equal size, but got [3] at entry
// 0 and [2] at entry 1", "split_with_sizes expects split_sizes to sum
// exactly to 5 (input tensor's size at dimension 0), but got
// split_sizes=[2, 2]", "chunk expects `chunks` to be greater than 0, got:
// 0" (InvalidArgumentError; dimensions out of range as in WrapDim).
#ifndef PTSER_TENSOR_OPS_SHAPE_H_
#define PTSER_TENSOR_OPS_SHAPE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/tensor.h"

namespace ptser {

// torch.memory_format as TorchScript passes it (an int: c10::MemoryFormat).
enum class MemoryFormat : int64_t {
  kContiguous = 0,      // torch.contiguous_format
  kPreserve = 1,        // torch.preserve_format
  kChannelsLast = 2,    // torch.channels_last (4-D: N, H, W, C in memory)
  kChannelsLast3d = 3,  // torch.channels_last_3d (5-D)
};

// The strides of `sizes` laid out in `format` (kContiguous/kPreserve:
// row-major).  A channels-last format of the wrong rank is
// InvalidArgumentError "required rank 4 tensor to use channels_last format".
absl::StatusOr<std::vector<int64_t>> MemoryFormatStrides(absl::Span<const int64_t> sizes,
                                                         MemoryFormat format);

// t.contiguous(memory_format=format): `t` itself when it already has that
// layout, else a copy with it (kPreserve is Clone's layout).
absl::StatusOr<Tensor> Contiguous(const Tensor& t, MemoryFormat format);
// t.is_contiguous(memory_format=format).
bool IsContiguous(const Tensor& t, MemoryFormat format);

// torch.cat(tensors, dim): the result dtype is torch.result_type of all
// inputs; 1-D empty tensors (shape [0]) are skipped, as in PyTorch.
absl::StatusOr<Tensor> Cat(absl::Span<const Tensor> tensors, int64_t dim = 0);
// torch.stack(tensors, dim): every tensor of the same shape, joined along a
// new dimension `dim` in [-rank-1, rank].
absl::StatusOr<Tensor> Stack(absl::Span<const Tensor> tensors, int64_t dim = 0);

// Most pieces Chunk, Split and Unbind return (ptser's bound: a zero-size or
// expanded dimension could ask for 2^62 Tensors with no data behind them);
// more is InvalidArgumentError.
inline constexpr int64_t kMaxSplitPieces = int64_t{1} << 24;

// t.chunk(chunks, dim): pieces of ceil(size / chunks) (the last smaller; so
// possibly fewer than `chunks` pieces).
absl::StatusOr<std::vector<Tensor>> Chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);
// t.split(split_size, dim): pieces of split_size, the last smaller.
absl::StatusOr<std::vector<Tensor>> Split(const Tensor& t, int64_t split_size, int64_t dim = 0);
// t.split_with_sizes(sizes, dim) == t.split([..], dim).
absl::StatusOr<std::vector<Tensor>> SplitWithSizes(const Tensor& t,
                                                   absl::Span<const int64_t> sizes,
                                                   int64_t dim = 0);
// t.unbind(dim): every index of `dim` selected.
absl::StatusOr<std::vector<Tensor>> Unbind(const Tensor& t, int64_t dim = 0);

// t.repeat(repeats): tiles t; repeats may have more dimensions than t
// (new leading ones).
absl::StatusOr<Tensor> Repeat(const Tensor& t, absl::Span<const int64_t> repeats);

// t.unflatten(dim, sizes): `dim` split into `sizes` (one may be -1), a view.
absl::StatusOr<Tensor> Unflatten(const Tensor& t, int64_t dim, absl::Span<const int64_t> sizes);

// t.movedim(source, destination).
absl::StatusOr<Tensor> Movedim(const Tensor& t, absl::Span<const int64_t> source,
                               absl::Span<const int64_t> destination);

// t.t(): transpose of a 2-D tensor; 0-D and 1-D come back as they are.
absl::StatusOr<Tensor> MatrixTranspose(const Tensor& t);

// t.expand_as(other) == t.expand(other.sizes()).
absl::StatusOr<Tensor> ExpandAs(const Tensor& t, const Tensor& other);

// t.flip(dims): a copy with the order of each listed dimension reversed.
absl::StatusOr<Tensor> Flip(const Tensor& t, absl::Span<const int64_t> dims);

// torch.triu / torch.tril over the last two dimensions: elements below
// (triu) or above (tril) diagonal `diagonal` become 0.
absl::StatusOr<Tensor> Triu(const Tensor& t, int64_t diagonal = 0);
absl::StatusOr<Tensor> Tril(const Tensor& t, int64_t diagonal = 0);
absl::Status TriuInplace(const Tensor& t, int64_t diagonal = 0);
absl::Status TrilInplace(const Tensor& t, int64_t diagonal = 0);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_SHAPE_H_
