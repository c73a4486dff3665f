// Copyright ptser authors.
//
// tensor/ops/shape.cc — split, join, repeat, flip and the other shape ops.

#include "tensor/ops/shape.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <utility>
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
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

// Copies `src` (any strides, byte strides possibly negative, starting at
// `src_base`) into the contiguous `dst` of the same shape and dtype.
void StridedCopy(const Tensor& dst, const char* src_base, std::vector<int64_t> src_strides) {
  const size_t item = dst.itemsize();
  ForEachRow<2>(dst.sizes(),
                {static_cast<char*>(dst.mutable_data()), const_cast<char*>(src_base)},
                {ByteStrides(dst), std::move(src_strides)},
                [item](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s,
                       int64_t n) {
                  if (s[0] == static_cast<int64_t>(item) && s[1] == static_cast<int64_t>(item)) {
                    std::memcpy(p[0], p[1], static_cast<size_t>(n) * item);
                    return;
                  }
                  for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * s[0], p[1] + i * s[1], item);
                });
}

absl::Status CheckSplitDim(const Tensor& t, const char* op) {
  if (t.dim() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, " expects at least a 1-dimensional tensor"));
  }
  return absl::OkStatus();
}

// Zeroes the elements of the contiguous `t` outside the band PyTorch's
// triu (keep j - i >= diagonal) or tril (keep j - i <= diagonal) keeps.
void ZeroTriangle(const Tensor& t, int64_t diagonal, bool upper) {
  const int64_t rows = t.sizes()[t.dim() - 2];
  const int64_t cols = t.sizes()[t.dim() - 1];
  if (t.numel() == 0) return;
  // A diagonal beyond either side of the matrix acts as that side, and
  // keeps i + diagonal + 1 inside int64 (rows and cols are real sizes here).
  diagonal = std::clamp<int64_t>(diagonal, -rows, cols);
  const int64_t matrices = rows * cols == 0 ? 0 : t.numel() / (rows * cols);
  const size_t item = t.itemsize();
  char* data = static_cast<char*>(t.mutable_data());
  for (int64_t m = 0; m < matrices; ++m) {
    for (int64_t i = 0; i < rows; ++i) {
      char* row = data + ((m * rows + i) * cols) * static_cast<int64_t>(item);
      // Columns j with j - i < diagonal (triu) or j - i > diagonal (tril) go.
      int64_t begin, end;
      if (upper) {
        begin = 0;
        end = std::clamp<int64_t>(i + diagonal, 0, cols);
      } else {
        begin = std::clamp<int64_t>(i + diagonal + 1, 0, cols);
        end = cols;
      }
      if (end > begin) {
        std::memset(row + begin * static_cast<int64_t>(item), 0,
                    static_cast<size_t>(end - begin) * item);
      }
    }
  }
}

absl::StatusOr<Tensor> Triangle(const Tensor& t, int64_t diagonal, bool upper) {
  PTSER_RETURN_IF_ERROR(WrapDim(-2, t.dim()).status());
  PTSER_RETURN_IF_ERROR(CheckReadable(t, upper ? "triu" : "tril"));
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(t, upper ? "triu" : "tril"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(t.sizes(), t.dtype()));
  PTSER_RETURN_IF_ERROR(CopyConvertInto(out, in));
  ZeroTriangle(out, diagonal, upper);
  return out;
}

absl::Status TriangleInplace(const Tensor& t, int64_t diagonal, bool upper) {
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(t, {}, t.sizes(), t.dtype(), upper ? "triu_" : "tril_"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, Triangle(t, diagonal, upper));
  return CopyConvertInto(t, out);
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> MemoryFormatStrides(absl::Span<const int64_t> sizes,
                                                         MemoryFormat format) {
  const int64_t rank = static_cast<int64_t>(sizes.size());
  if (format == MemoryFormat::kChannelsLast || format == MemoryFormat::kChannelsLast3d) {
    const int64_t want = format == MemoryFormat::kChannelsLast ? 4 : 5;
    if (rank != want) {
      return absl::InvalidArgumentError(absl::StrCat(
          "required rank ", want, " tensor to use ",
          want == 4 ? "channels_last" : "channels_last_3d", " format"));
    }
    // Dimension order from the innermost: C, then W, H, (D), then N.
    std::vector<int64_t> order = {1};
    for (int64_t d = rank - 1; d >= 2; --d) order.push_back(d);
    order.push_back(0);
    std::vector<int64_t> strides(sizes.size());
    int64_t step = 1;
    for (int64_t d : order) {
      strides[d] = step;
      step *= std::max<int64_t>(sizes[d], 1);
    }
    return strides;
  }
  return Tensor::ContiguousStrides(sizes);
}

bool IsContiguous(const Tensor& t, MemoryFormat format) {
  if (format == MemoryFormat::kContiguous || format == MemoryFormat::kPreserve) {
    return t.is_contiguous();
  }
  absl::StatusOr<std::vector<int64_t>> want = MemoryFormatStrides(t.sizes(), format);
  if (!want.ok()) return false;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.sizes()[d] != 1 && t.strides()[d] != (*want)[d]) return false;
  }
  return true;
}

absl::StatusOr<Tensor> Contiguous(const Tensor& t, MemoryFormat format) {
  if (format == MemoryFormat::kPreserve) {
    return absl::InvalidArgumentError(
        "preserve memory format is unsupported by the contiguous operator");
  }
  if (format == MemoryFormat::kContiguous) return Contiguous(t);
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> strides, MemoryFormatStrides(t.sizes(), format));
  if (IsContiguous(t, format)) return t;
  // Allocate in memory order (N, H, W, C) and view it back as (N, C, H, W).
  std::vector<int64_t> perm = {0};
  for (int64_t d = 2; d < t.dim(); ++d) perm.push_back(d);
  perm.push_back(1);
  std::vector<int64_t> memory_sizes;
  for (int64_t d : perm) memory_sizes.push_back(t.sizes()[d]);
  PTSER_RETURN_IF_ERROR(CheckReadable(t, "contiguous"));
  PTSER_ASSIGN_OR_RETURN(Tensor dense, AllocateTensor(memory_sizes, t.dtype()));
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  PTSER_ASSIGN_OR_RETURN(Tensor out, Permute(dense, inverse));
  PTSER_RETURN_IF_ERROR(CopyInto(out, t));
  out.set_requires_grad(t.requires_grad());
  return out;
}

absl::StatusOr<Tensor> Cat(absl::Span<const Tensor> tensors, int64_t dim) {
  if (tensors.empty()) {
    return absl::InvalidArgumentError("torch.cat(): expected a non-empty list of Tensors");
  }
  ResultTypeState state;
  const Tensor* ref = nullptr;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "zero-dimensional tensor (at position ", i, ") cannot be concatenated"));
    }
    PTSER_RETURN_IF_ERROR(state.Update(t));
    PTSER_RETURN_IF_ERROR(CheckReadable(t, "cat"));
    const bool skipped = t.dim() == 1 && t.sizes()[0] == 0;
    if (!skipped && ref == nullptr) ref = &t;
  }
  PTSER_ASSIGN_OR_RETURN(ScalarType dtype, state.Result());
  if (ref == nullptr) return AllocateTensor({0}, dtype);
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, ref->dim()));
  std::vector<int64_t> shape = ref->sizes();
  shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 1 && t.sizes()[0] == 0) continue;
    if (t.dim() != ref->dim()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Tensors must have same number of dimensions: got ", ref->dim(), " and ", t.dim()));
    }
    for (int64_t k = 0; k < t.dim(); ++k) {
      if (k != d && t.sizes()[k] != ref->sizes()[k]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Sizes of tensors must match except in dimension ", d, ". Expected size ",
            ref->sizes()[k], " but got size ", t.sizes()[k], " for tensor number ", i,
            " in the list."));
      }
    }
    shape[d] += t.sizes()[d];
  }
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, dtype));
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    if (t.dim() == 1 && t.sizes()[0] == 0) continue;
    PTSER_ASSIGN_OR_RETURN(Tensor part, Narrow(out, d, offset, t.sizes()[d]));
    PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(t, "cat"));
    PTSER_RETURN_IF_ERROR(CopyConvertInto(part, in));
    offset += t.sizes()[d];
  }
  return out;
}

absl::StatusOr<Tensor> Stack(absl::Span<const Tensor> tensors, int64_t dim) {
  if (tensors.empty()) return absl::InvalidArgumentError("stack expects a non-empty TensorList");
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, tensors[0].dim() + 1));
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].sizes() != tensors[0].sizes()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stack expects each tensor to be equal size, but got ",
          ShapeToString(tensors[0].sizes()), " at entry 0 and ", ShapeToString(tensors[i].sizes()),
          " at entry ", i));
    }
    PTSER_ASSIGN_OR_RETURN(Tensor u, Unsqueeze(tensors[i], d));
    parts.push_back(std::move(u));
  }
  return Cat(parts, d);
}

namespace {

// Split, chunk and unbind return one Tensor per piece: a zero-size or
// expanded dimension can ask for 2^62 of them without any data behind them.
absl::Status CheckPieceCount(int64_t count, const char* op) {
  if (count <= kMaxSplitPieces) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      op, ": ", count, " pieces; ptser returns at most ", kMaxSplitPieces));
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> SplitWithSizes(const Tensor& t,
                                                   absl::Span<const int64_t> sizes,
                                                   int64_t dim) {
  PTSER_RETURN_IF_ERROR(CheckSplitDim(t, "split_with_sizes"));
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, t.dim()));
  const int64_t size = t.sizes()[d];
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "split_with_sizes expects split_sizes have only non-negative entries, but got "
          "split_sizes=",
          ShapeToString(sizes)));
    }
    if (s > size - total) {  // would sum past the size (and never wraps)
      total = size + 1;
      break;
    }
    total += s;
  }
  if (total != size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "split_with_sizes expects split_sizes to sum exactly to ", size,
        " (input tensor's size at dimension ", d, "), but got split_sizes=",
        ShapeToString(sizes)));
  }
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : sizes) {
    PTSER_ASSIGN_OR_RETURN(Tensor piece, Narrow(t, d, start, s));
    out.push_back(std::move(piece));
    start += s;
  }
  return out;
}

absl::StatusOr<std::vector<Tensor>> Split(const Tensor& t, int64_t split_size, int64_t dim) {
  PTSER_RETURN_IF_ERROR(CheckSplitDim(t, "split"));
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, t.dim()));
  const int64_t size = t.sizes()[d];
  if (split_size < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "split expects split_size be non-negative, but got split_size=", split_size));
  }
  if (split_size == 0 && size != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "split_size can only be 0 if dimension size is 0, but got dimension size of ", size));
  }
  const int64_t count =
      split_size == 0 ? 1
                      : std::max<int64_t>(size / split_size + (size % split_size != 0 ? 1 : 0), 1);
  PTSER_RETURN_IF_ERROR(CheckPieceCount(count, "split"));
  std::vector<int64_t> sizes(static_cast<size_t>(count), split_size);
  sizes.back() = size - split_size * (count - 1);
  return SplitWithSizes(t, sizes, d);
}

absl::StatusOr<std::vector<Tensor>> Chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  PTSER_RETURN_IF_ERROR(CheckSplitDim(t, "chunk"));
  if (chunks <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk expects `chunks` to be greater than 0, got: ", chunks));
  }
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, t.dim()));
  const int64_t size = t.sizes()[d];
  const int64_t split_size = size / chunks + (size % chunks != 0 ? 1 : 0);
  if (split_size == 0 && size == 0) {
    PTSER_RETURN_IF_ERROR(CheckPieceCount(chunks, "chunk"));
    std::vector<int64_t> sizes(static_cast<size_t>(chunks), 0);
    return SplitWithSizes(t, sizes, d);
  }
  return Split(t, split_size, d);
}

absl::StatusOr<std::vector<Tensor>> Unbind(const Tensor& t, int64_t dim) {
  PTSER_RETURN_IF_ERROR(CheckSplitDim(t, "unbind"));
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, t.dim()));
  PTSER_RETURN_IF_ERROR(CheckPieceCount(t.sizes()[d], "unbind"));
  std::vector<Tensor> out;
  for (int64_t i = 0; i < t.sizes()[d]; ++i) {
    PTSER_ASSIGN_OR_RETURN(Tensor s, Select(t, d, i));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<Tensor> Repeat(const Tensor& t, absl::Span<const int64_t> repeats) {
  const int64_t n = static_cast<int64_t>(repeats.size());
  if (n < t.dim()) {
    return absl::InvalidArgumentError(
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
        "tensor");
  }
  std::vector<int64_t> padded(static_cast<size_t>(n - t.dim()), 1);
  padded.insert(padded.end(), t.sizes().begin(), t.sizes().end());
  std::vector<int64_t> result(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    // (A negative product is CheckedNumel's error, in PyTorch's words.)
    if (__builtin_mul_overflow(padded[k], repeats[k], &result[k])) {
      return absl::InvalidArgumentError("repeat: the result's size overflows int64");
    }
  }
  PTSER_RETURN_IF_ERROR(CheckedNumel(result).status());
  PTSER_RETURN_IF_ERROR(CheckReadable(t, "repeat"));
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(t, "repeat"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(result, t.dtype()));
  if (out.numel() == 0) return out;
  // out viewed as (r0, s0, r1, s1, ...) receives `in` viewed as (1, s0, 1,
  // s1, ...) expanded over the r's.
  std::vector<int64_t> in_strides(static_cast<size_t>(n - t.dim()), 0);
  in_strides.insert(in_strides.end(), in.strides().begin(), in.strides().end());
  std::vector<int64_t> split_sizes, src_strides;
  for (int64_t k = 0; k < n; ++k) {
    split_sizes.push_back(repeats[k]);
    split_sizes.push_back(padded[k]);
    src_strides.push_back(0);
    src_strides.push_back(in_strides[k]);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor dst, View(out, split_sizes));
  PTSER_ASSIGN_OR_RETURN(Tensor src, Tensor::Make(in.storage(), in.dtype(), in.storage_offset(),
                                                  split_sizes, src_strides));
  StridedCopy(dst, static_cast<const char*>(src.data()), ByteStrides(src));
  return out;
}

absl::StatusOr<Tensor> Unflatten(const Tensor& t, int64_t dim, absl::Span<const int64_t> sizes) {
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, t.dim()));
  if (sizes.empty()) {
    return absl::InvalidArgumentError("unflatten: sizes must be non-empty");
  }
  int64_t product = 1;
  int64_t inferred = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      if (inferred >= 0) {
        return absl::InvalidArgumentError("only one dimension can be inferred");
      }
      inferred = static_cast<int64_t>(i);
    } else {
      product *= sizes[i];
    }
  }
  const int64_t size = t.dim() == 0 ? 1 : t.sizes()[d];
  if ((inferred < 0 && product != size) ||
      (inferred >= 0 && (product == 0 || size % product != 0))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unflatten: Provided sizes ", ShapeToString(sizes),
        " don't multiply up to the size of dim ", dim, " (", size, ") in the input tensor"));
  }
  std::vector<int64_t> shape(t.sizes().begin(), t.sizes().begin() + d);
  shape.insert(shape.end(), sizes.begin(), sizes.end());
  if (t.dim() > 0) shape.insert(shape.end(), t.sizes().begin() + d + 1, t.sizes().end());
  return View(t, shape);
}

absl::StatusOr<Tensor> Movedim(const Tensor& t, absl::Span<const int64_t> source,
                               absl::Span<const int64_t> destination) {
  if (source.size() != destination.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "movedim: Invalid source or destination dims: source (", ShapeToString(source),
        " dims) should contain the same number of dims as destination (",
        ShapeToString(destination), " dims)"));
  }
  const int64_t rank = t.dim();
  std::vector<int64_t> perm(static_cast<size_t>(std::max<int64_t>(rank, 1)), -1);
  std::vector<bool> src_used(perm.size(), false);
  for (size_t i = 0; i < source.size(); ++i) {
    PTSER_ASSIGN_OR_RETURN(const int64_t s, WrapDim(source[i], rank));
    PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(destination[i], rank));
    if (src_used[s]) {
      return absl::InvalidArgumentError(
          absl::StrCat("movedim: repeated dim in `source` (", ShapeToString(source), ")"));
    }
    if (perm[d] != -1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "movedim: repeated dim in `destination` (", ShapeToString(destination), ")"));
    }
    src_used[s] = true;
    perm[d] = s;
  }
  if (rank == 0) return t;
  int64_t next = 0;
  for (int64_t& p : perm) {
    if (p != -1) continue;
    while (src_used[next]) ++next;
    p = next++;
  }
  return Permute(t, perm);
}

absl::StatusOr<Tensor> MatrixTranspose(const Tensor& t) {
  if (t.dim() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "t() expects a tensor with <= 2 dimensions, but self is ", t.dim(), "D"));
  }
  if (t.dim() < 2) return t;
  return Transpose(t, 0, 1);
}

absl::StatusOr<Tensor> ExpandAs(const Tensor& t, const Tensor& other) {
  return Expand(t, other.sizes());
}

absl::StatusOr<Tensor> Flip(const Tensor& t, absl::Span<const int64_t> dims) {
  std::vector<bool> flipped(static_cast<size_t>(std::max<int64_t>(t.dim(), 1)), false);
  for (int64_t dim : dims) {
    PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, t.dim()));
    if (flipped[d]) {
      return absl::InvalidArgumentError(
          absl::StrCat("dim ", d, " appears multiple times in the list of dims"));
    }
    flipped[d] = true;
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(t, "flip"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(t.sizes(), t.dtype()));
  if (out.numel() == 0) return out;
  std::vector<int64_t> strides = ByteStrides(in);
  const char* base = static_cast<const char*>(in.data());
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!flipped[d]) continue;
    base += (in.sizes()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  StridedCopy(out, base, std::move(strides));
  return out;
}

absl::StatusOr<Tensor> Triu(const Tensor& t, int64_t diagonal) {
  return Triangle(t, diagonal, true);
}
absl::StatusOr<Tensor> Tril(const Tensor& t, int64_t diagonal) {
  return Triangle(t, diagonal, false);
}
absl::Status TriuInplace(const Tensor& t, int64_t diagonal) {
  return TriangleInplace(t, diagonal, true);
}
absl::Status TrilInplace(const Tensor& t, int64_t diagonal) {
  return TriangleInplace(t, diagonal, false);
}

}  // namespace ptser
