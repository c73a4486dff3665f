// Copyright ptser authors.
//
// tensor/views.cc — the views of views.h: slicing (Slice, Select, Narrow),
// reordering (Transpose, Permute, Expand) and reshaping (View, Reshape,
// Squeeze, Unsqueeze, AsStrided, Flatten).  Clones, copies and layout
// queries are in views_copy.cc.

#include "tensor/views.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "tensor/device_registry.h"
#include "tensor/internal/views_util.h"
#include "tensor/strided_loop.h"

namespace ptser {

namespace {

using views_internal::AddOk;
using views_internal::AllocateStrided;
using views_internal::MulOk;
using views_internal::RequireCpu;
using views_internal::ToVector;

// ---- quantizer bookkeeping ------------------------------------------------

bool IsPerChannel(QScheme scheme) {
  return scheme == QScheme::kPerChannelAffine ||
         scheme == QScheme::kPerChannelSymmetric ||
         scheme == QScheme::kPerChannelAffineFloatQParams;
}

// The channel axis of a per-channel quantized tensor, else nullopt.
std::optional<int64_t> ChannelAxis(const Tensor& t) {
  if (!t.quantizer().has_value() || !IsPerChannel(t.quantizer()->scheme)) {
    return std::nullopt;
  }
  return t.quantizer()->axis;
}

// t's quantizer with the channel axis moved to `new_axis`; a negative
// `new_axis` means the view splits, merges or drops the channel axis.
absl::StatusOr<std::optional<Quantizer>> MovedQuantizer(const Tensor& t,
                                                        int64_t new_axis,
                                                        absl::string_view op) {
  if (!ChannelAxis(t).has_value()) return t.quantizer();
  if (new_axis < 0) {
    return absl::UnimplementedError(absl::StrCat(
        op, " of a per-channel quantized tensor that changes its channel "
            "axis is not supported"));
  }
  Quantizer q = *t.quantizer();
  q.axis = new_axis;
  return std::optional<Quantizer>(std::move(q));
}

// For reshaping views: the quantizer survives only an unchanged shape.
absl::StatusOr<std::optional<Quantizer>> ReshapedQuantizer(
    const Tensor& t, absl::Span<const int64_t> new_sizes, absl::string_view op) {
  std::optional<int64_t> axis = ChannelAxis(t);
  if (!axis.has_value()) return t.quantizer();
  const bool same = absl::MakeConstSpan(t.sizes()) == new_sizes;
  return MovedQuantizer(t, same ? *axis : -1, op);
}

// ---- building results -----------------------------------------------------

// A view of t's storage with the given layout and flags as documented in
// views.h.  Tensor::Make re-validates the layout.
absl::StatusOr<Tensor> FinishView(const Tensor& t, int64_t offset,
                                  std::vector<int64_t> sizes,
                                  std::vector<int64_t> strides,
                                  std::optional<Quantizer> quantizer) {
  PTSER_ASSIGN_OR_RETURN(Tensor out,
                         Tensor::Make(t.storage(), t.dtype(), offset,
                                      std::move(sizes), std::move(strides)));
  out.set_requires_grad(t.requires_grad());
  out.set_conj(t.is_conj());
  out.set_neg(t.is_neg());
  out.set_quantizer(std::move(quantizer));
  return out;
}

// Strides for viewing (sizes, strides) as `new_sizes` (same numel), or
// nullopt when some dimension of the view would span two non-contiguous
// chunks of the input.  Walks the input from the innermost dimension,
// grouping runs of dims that are contiguous with each other ("chunks"), and
// fills the view's dims against each chunk.
std::optional<std::vector<int64_t>> ComputeViewStrides(
    absl::Span<const int64_t> sizes, absl::Span<const int64_t> strides,
    absl::Span<const int64_t> new_sizes, int64_t numel) {
  const int64_t new_ndim = static_cast<int64_t>(new_sizes.size());
  std::vector<int64_t> out(new_ndim, 1);
  if (sizes.empty()) return out;  // a scalar: any all-ones shape
  if (numel == 0) {
    if (sizes == new_sizes) return ToVector(strides);
    return Tensor::ContiguousStrides(new_sizes);
  }
  int64_t view_d = new_ndim - 1;
  int64_t chunk_base_stride = strides.back();
  int64_t tensor_numel = 1;
  int64_t view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    const bool chunk_ends =
        d == 0 || (sizes[d - 1] != 1 &&
                   strides[d - 1] != tensor_numel * chunk_base_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 &&
           (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
      out[view_d] = view_numel * chunk_base_stride;
      view_numel *= new_sizes[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base_stride = strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

// Resolves a -1 in `shape` against `numel` (PyTorch's infer_size).
absl::StatusOr<std::vector<int64_t>> InferSize(absl::Span<const int64_t> shape,
                                               int64_t numel) {
  std::vector<int64_t> out = ToVector(shape);
  std::optional<size_t> infer;
  int64_t known = 1;
  bool overflow = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer.has_value()) {
        return absl::InvalidArgumentError("only one dimension can be inferred");
      }
      infer = i;
    } else if (shape[i] >= 0) {
      overflow |= !MulOk(known, shape[i], &known);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid shape dimension ", shape[i]));
    }
  }
  if (!overflow && (numel == known || (infer.has_value() && known > 0 &&
                                       numel % known == 0))) {
    if (infer.has_value()) {
      if (known == 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot reshape tensor of 0 elements into shape ",
            ShapeToString(shape),
            " because the unspecified dimension size -1 can be any value and "
            "is ambiguous"));
      }
      out[*infer] = numel / known;
    }
    return out;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "shape '", ShapeToString(shape), "' is invalid for input of size ",
      numel));
}

absl::StatusOr<Tensor> SliceImpl(const Tensor& t, int64_t d, int64_t start,
                                 int64_t end, int64_t step) {
  const int64_t length = end > start ? 1 + (end - start - 1) / step : 0;
  std::vector<int64_t> sizes = t.sizes();
  std::vector<int64_t> strides = t.strides();
  int64_t offset = 0;
  int64_t moved = 0;
  if (!MulOk(start, strides[d], &moved) ||
      !AddOk(t.storage_offset(), moved, &offset)) {
    return absl::InvalidArgumentError(
        "slice: storage offset overflows int64");
  }
  int64_t new_stride = 0;
  if (!MulOk(strides[d], step, &new_stride)) {
    if (length > 1) {
      return absl::InvalidArgumentError("slice: stride overflows int64");
    }
    new_stride = strides[d];  // at most one element: the stride is unused
  }
  sizes[d] = length;
  strides[d] = new_stride;

  std::optional<Quantizer> q = t.quantizer();
  if (ChannelAxis(t) == d) {
    // Slice the per-channel parameters along with the channels.
    Quantizer sliced = *q;
    if (sliced.scales != nullptr) {
      PTSER_ASSIGN_OR_RETURN(Tensor s,
                             SliceImpl(*sliced.scales, 0, start, end, step));
      sliced.scales = std::make_shared<const Tensor>(std::move(s));
    }
    if (sliced.zero_points != nullptr) {
      PTSER_ASSIGN_OR_RETURN(
          Tensor z, SliceImpl(*sliced.zero_points, 0, start, end, step));
      sliced.zero_points = std::make_shared<const Tensor>(std::move(z));
    }
    q = std::move(sliced);
  }
  return FinishView(t, offset, std::move(sizes), std::move(strides),
                    std::move(q));
}

}  // namespace

// ---------------------------------------------------------------- views ---

absl::StatusOr<Tensor> Slice(const Tensor& t, int64_t dim,
                             std::optional<int64_t> start,
                             std::optional<int64_t> end, int64_t step) {
  if (t.dim() == 0) {
    return absl::InvalidArgumentError(
        "slice() cannot be applied to a 0-dim tensor.");
  }
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, t.dim()));
  if (step <= 0) {
    return absl::InvalidArgumentError("slice step must be positive");
  }
  const int64_t size = t.sizes()[d];
  int64_t s = start.value_or(0);
  int64_t e = end.value_or(size);
  if (s < 0) s += size;  // cannot overflow: size >= 0
  if (e < 0) e += size;
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, 0, size);
  if (e < s) e = s;
  return SliceImpl(t, d, s, e, step);
}

absl::StatusOr<Tensor> Select(const Tensor& t, int64_t dim, int64_t index) {
  if (t.dim() == 0) {
    return absl::InvalidArgumentError(
        "select() cannot be applied to a 0-dim tensor.");
  }
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, t.dim()));
  const int64_t size = t.sizes()[d];
  if (index < -size || index >= size) {
    return absl::OutOfRangeError(absl::StrCat(
        "select(): index ", index, " out of range for tensor of size ",
        ShapeToString(t.sizes()), " at dimension ", d));
  }
  if (index < 0) index += size;
  std::vector<int64_t> sizes = t.sizes();
  std::vector<int64_t> strides = t.strides();
  int64_t moved = 0;
  int64_t offset = 0;
  if (!MulOk(index, strides[d], &moved) ||
      !AddOk(t.storage_offset(), moved, &offset)) {
    return absl::InvalidArgumentError(
        "select: storage offset overflows int64");
  }
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  int64_t new_axis = 0;
  if (std::optional<int64_t> axis = ChannelAxis(t)) {
    new_axis = *axis == d ? -1 : (*axis > d ? *axis - 1 : *axis);
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "select"));
  return FinishView(t, offset, std::move(sizes), std::move(strides),
                    std::move(q));
}

absl::StatusOr<Tensor> Narrow(const Tensor& t, int64_t dim, int64_t start,
                              int64_t length) {
  if (t.dim() == 0) {
    return absl::InvalidArgumentError(
        "narrow() cannot be applied to a 0-dim tensor.");
  }
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, t.dim()));
  if (length < 0) {
    return absl::InvalidArgumentError("narrow(): length must be non-negative.");
  }
  const int64_t size = t.sizes()[d];
  if (start < -size || start > size) {
    return absl::OutOfRangeError(absl::StrCat(
        "start out of range (expected to be in range of [", -size, ", ", size,
        "], but got ", start, ")"));
  }
  if (start < 0) start += size;
  if (length > size - start) {
    return absl::OutOfRangeError(absl::StrCat(
        "start (", start, ") + length (", length,
        ") exceeds dimension size (", size, ")."));
  }
  return SliceImpl(t, d, start, start + length, 1);
}

absl::StatusOr<Tensor> Transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  PTSER_ASSIGN_OR_RETURN(int64_t d0, WrapDim(dim0, t.dim()));
  PTSER_ASSIGN_OR_RETURN(int64_t d1, WrapDim(dim1, t.dim()));
  std::vector<int64_t> sizes = t.sizes();
  std::vector<int64_t> strides = t.strides();
  int64_t new_axis = 0;
  if (t.dim() > 0) {
    std::swap(sizes[d0], sizes[d1]);
    std::swap(strides[d0], strides[d1]);
    if (std::optional<int64_t> axis = ChannelAxis(t)) {
      new_axis = *axis == d0 ? d1 : (*axis == d1 ? d0 : *axis);
    }
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "transpose"));
  return FinishView(t, t.storage_offset(), std::move(sizes),
                    std::move(strides), std::move(q));
}

absl::StatusOr<Tensor> Permute(const Tensor& t,
                               absl::Span<const int64_t> dims) {
  const int64_t ndim = t.dim();
  if (static_cast<int64_t>(dims.size()) != ndim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "permute(): number of dimensions in the tensor input does not match "
        "the length of the desired ordering of dimensions i.e. input.dim() = ",
        ndim, " is not equal to len(dims) = ", dims.size()));
  }
  std::vector<int64_t> sizes(ndim);
  std::vector<int64_t> strides(ndim);
  std::vector<bool> seen(ndim, false);
  std::optional<int64_t> axis = ChannelAxis(t);
  int64_t new_axis = 0;
  for (int64_t i = 0; i < ndim; ++i) {
    PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dims[i], ndim));
    if (seen[d]) {
      return absl::InvalidArgumentError(
          "permute(): duplicate dims are not allowed.");
    }
    seen[d] = true;
    sizes[i] = t.sizes()[d];
    strides[i] = t.strides()[d];
    if (axis == d) new_axis = i;
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "permute"));
  return FinishView(t, t.storage_offset(), std::move(sizes),
                    std::move(strides), std::move(q));
}

absl::StatusOr<Tensor> Expand(const Tensor& t,
                              absl::Span<const int64_t> sizes) {
  const int64_t ndim = static_cast<int64_t>(sizes.size());
  const int64_t tdim = t.dim();
  if (ndim < tdim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expand(", DtypeName(t.dtype()), " tensor of size ",
        ShapeToString(t.sizes()), ", size=", ShapeToString(sizes),
        "): the number of sizes provided (", ndim,
        ") must be greater or equal to the number of dimensions in the "
        "tensor (",
        tdim, ")"));
  }
  std::vector<int64_t> out_sizes(ndim);
  std::vector<int64_t> out_strides(ndim);
  bool axis_expanded = false;
  std::optional<int64_t> axis = ChannelAxis(t);
  for (int64_t i = ndim - 1; i >= 0; --i) {
    const int64_t d = tdim - (ndim - i);  // matching input dim, < 0 if new
    int64_t size = d >= 0 ? t.sizes()[d] : 1;
    int64_t stride = 0;
    if (d >= 0) {
      stride = t.strides()[d];
    } else if (tdim > 0) {
      // A new leading dimension of size 1 gets the stride a contiguous
      // layout would give it (unused, but PyTorch reports it); a 0-dim
      // input expands with stride 0 everywhere.
      if (!MulOk(out_sizes[i + 1], out_strides[i + 1], &stride)) stride = 0;
    }
    int64_t target = sizes[i];
    if (target == -1) {
      if (d < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "The expanded size of the tensor (-1) isn't allowed in a "
            "leading, non-existing dimension ",
            i));
      }
      target = size;
    }
    if (size != target) {
      if (size != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "The expanded size of the tensor (", target,
            ") must match the existing size (", size,
            ") at non-singleton dimension ", i,
            ".  Target sizes: ", ShapeToString(sizes),
            ".  Tensor sizes: ", ShapeToString(t.sizes())));
      }
      if (target < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "The expanded size of the tensor (", target,
            ") is invalid at dimension ", i,
            "; only -1 may be negative.  Target sizes: ",
            ShapeToString(sizes)));
      }
      if (axis == d) axis_expanded = true;
      size = target;
      stride = 0;
    }
    out_sizes[i] = size;
    out_strides[i] = stride;
  }
  const int64_t new_axis =
      axis.has_value() && !axis_expanded ? *axis + (ndim - tdim) : -1;
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "expand"));
  return FinishView(t, t.storage_offset(), std::move(out_sizes),
                    std::move(out_strides), std::move(q));
}

absl::StatusOr<Tensor> View(const Tensor& t, absl::Span<const int64_t> sizes) {
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                         InferSize(sizes, t.numel()));
  std::optional<std::vector<int64_t>> strides =
      ComputeViewStrides(t.sizes(), t.strides(), shape, t.numel());
  if (!strides.has_value()) {
    return absl::InvalidArgumentError(
        "view size is not compatible with input tensor's size and stride (at "
        "least one dimension spans across two contiguous subspaces). Use "
        ".reshape(...) instead.");
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         ReshapedQuantizer(t, shape, "view"));
  return FinishView(t, t.storage_offset(), std::move(shape),
                    *std::move(strides), std::move(q));
}

absl::StatusOr<Tensor> Reshape(const Tensor& t,
                               absl::Span<const int64_t> sizes) {
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                         InferSize(sizes, t.numel()));
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         ReshapedQuantizer(t, shape, "reshape"));
  std::optional<std::vector<int64_t>> strides =
      ComputeViewStrides(t.sizes(), t.strides(), shape, t.numel());
  if (strides.has_value()) {
    return FinishView(t, t.storage_offset(), std::move(shape),
                      *std::move(strides), std::move(q));
  }
  // Copy into a contiguous buffer, then view that with the new shape.
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "reshape (copying)"));
  PTSER_ASSIGN_OR_RETURN(
      Tensor copy,
      AllocateStrided(t.sizes(), Tensor::ContiguousStrides(t.sizes()),
                      t.dtype()));
  PTSER_RETURN_IF_ERROR(CopyInto(copy, t));
  std::vector<int64_t> new_strides = Tensor::ContiguousStrides(shape);
  PTSER_ASSIGN_OR_RETURN(
      Tensor out, Tensor::Make(copy.storage(), t.dtype(), 0, std::move(shape),
                               std::move(new_strides)));
  out.set_requires_grad(t.requires_grad());
  out.set_quantizer(std::move(q));
  return out;
}

absl::StatusOr<Tensor> Squeeze(const Tensor& t) {
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
  std::optional<int64_t> axis = ChannelAxis(t);
  int64_t new_axis = axis.value_or(0);
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.sizes()[d] == 1) {
      if (axis.has_value()) {
        if (*axis == d) new_axis = -1;
        else if (*axis > d && new_axis >= 0) --new_axis;
      }
      continue;
    }
    sizes.push_back(t.sizes()[d]);
    strides.push_back(t.strides()[d]);
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "squeeze"));
  return FinishView(t, t.storage_offset(), std::move(sizes),
                    std::move(strides), std::move(q));
}

absl::StatusOr<Tensor> Squeeze(const Tensor& t, int64_t dim) {
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, t.dim()));
  std::vector<int64_t> sizes = t.sizes();
  std::vector<int64_t> strides = t.strides();
  std::optional<int64_t> axis = ChannelAxis(t);
  int64_t new_axis = axis.value_or(0);
  if (t.dim() > 0 && sizes[d] == 1) {
    sizes.erase(sizes.begin() + d);
    strides.erase(strides.begin() + d);
    if (axis.has_value()) {
      new_axis = *axis == d ? -1 : (*axis > d ? *axis - 1 : *axis);
    }
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "squeeze"));
  return FinishView(t, t.storage_offset(), std::move(sizes),
                    std::move(strides), std::move(q));
}

absl::StatusOr<Tensor> Unsqueeze(const Tensor& t, int64_t dim) {
  PTSER_ASSIGN_OR_RETURN(int64_t d, WrapDim(dim, t.dim() + 1));
  std::vector<int64_t> sizes = t.sizes();
  std::vector<int64_t> strides = t.strides();
  int64_t stride = 1;
  if (d < t.dim() && !MulOk(sizes[d], strides[d], &stride)) {
    return absl::InvalidArgumentError("unsqueeze: stride overflows int64");
  }
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  std::optional<int64_t> axis = ChannelAxis(t);
  const int64_t new_axis =
      axis.has_value() ? (*axis >= d ? *axis + 1 : *axis) : 0;
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         MovedQuantizer(t, new_axis, "unsqueeze"));
  return FinishView(t, t.storage_offset(), std::move(sizes),
                    std::move(strides), std::move(q));
}

absl::StatusOr<Tensor> AsStrided(const Tensor& t,
                                 absl::Span<const int64_t> sizes,
                                 absl::Span<const int64_t> strides,
                                 std::optional<int64_t> storage_offset) {
  if (sizes.size() != strides.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mismatch in length of strides and shape: sizes ",
        ShapeToString(sizes), ", strides ", ShapeToString(strides)));
  }
  for (int64_t s : strides) {
    if (s < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "as_strided: Negative strides are not supported at the moment, got "
          "strides: ",
          ShapeToString(strides)));
    }
  }
  PTSER_ASSIGN_OR_RETURN(std::optional<Quantizer> q,
                         ReshapedQuantizer(t, sizes, "as_strided"));
  return FinishView(t, storage_offset.value_or(t.storage_offset()),
                    ToVector(sizes), ToVector(strides), std::move(q));
}

absl::StatusOr<Tensor> Flatten(const Tensor& t, int64_t start_dim,
                               int64_t end_dim) {
  if (t.dim() == 0) {
    const int64_t one[] = {1};
    return Reshape(t, one);
  }
  PTSER_ASSIGN_OR_RETURN(int64_t start, WrapDim(start_dim, t.dim()));
  PTSER_ASSIGN_OR_RETURN(int64_t end, WrapDim(end_dim, t.dim()));
  if (start > end) {
    return absl::InvalidArgumentError(
        "flatten() has invalid args: start_dim cannot come after end_dim");
  }
  if (start == end) return t;
  std::vector<int64_t> shape;
  int64_t merged = 1;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d < start || d > end) {
      shape.push_back(t.sizes()[d]);
    } else {
      merged *= t.sizes()[d];  // cannot overflow: Make checked all sizes
      if (d == end) shape.push_back(merged);
    }
  }
  return Reshape(t, shape);
}

}  // namespace ptser
