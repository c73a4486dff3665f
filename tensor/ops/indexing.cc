// Copyright ptser authors.
//
// tensor/ops/indexing.cc — index_select, gather, masked_fill, advanced
// indexing, index_put_, nonzero, fill_, zero_, copy_.

#include "tensor/ops/indexing.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/cast.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

absl::Status OutOfBounds(int64_t index, int64_t dim, int64_t size) {
  return absl::OutOfRangeError(absl::StrCat("index ", index, " is out of bounds for dimension ",
                                            dim, " with size ", size));
}

// `t` as a contiguous int64 vector (int32/int64/uint8/bool tensors).
absl::StatusOr<std::vector<int64_t>> IndexValues(const Tensor& t) {
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(t, "index"));
  PTSER_ASSIGN_OR_RETURN(Tensor l, AllocateTensor(t.sizes(), ScalarType::kLong));
  PTSER_RETURN_IF_ERROR(CopyConvertInto(l, in));
  const int64_t* p = static_cast<const int64_t*>(l.data());
  return std::vector<int64_t>(p, p + l.numel());
}

// Element offsets (in elements, from the first element) of every element
// of `sizes`/`strides` in row-major order.
std::vector<int64_t> ElementOffsets(absl::Span<const int64_t> sizes,
                                    absl::Span<const int64_t> strides) {
  // None for an empty shape (its leading sizes may be huge: [2^40, 0]).
  for (int64_t s : sizes) {
    if (s == 0) return {};
  }
  std::vector<int64_t> out = {0};
  for (size_t d = 0; d < sizes.size(); ++d) {
    std::vector<int64_t> next;
    next.reserve(out.size() * static_cast<size_t>(sizes[d]));
    for (int64_t base : out) {
      for (int64_t i = 0; i < sizes[d]; ++i) next.push_back(base + i * strides[d]);
    }
    out = std::move(next);
  }
  return out;
}

// The decomposition of `self[indices]`.
struct IndexPlan {
  std::vector<int64_t> batch_shape;     // B: the broadcast index shape
  std::vector<int64_t> base_offsets;    // per element of B: its element offset in self
  std::vector<int64_t> rest_sizes;      // the dimensions not indexed, in order
  std::vector<int64_t> rest_offsets;    // per element of them: its element offset
  std::vector<int64_t> result_shape;    // the result's shape
  // Where B goes in the result: after `batch_position` kept dimensions.
  int64_t batch_position = 0;
};

absl::StatusOr<IndexPlan> PlanIndex(const Tensor& self,
                                    absl::Span<const std::optional<Tensor>> indices) {
  // One optional int64 index tensor per dimension of self.
  std::vector<std::optional<Tensor>> per_dim;
  for (size_t i = 0; i < indices.size(); ++i) {
    const std::optional<Tensor>& index = indices[i];
    if (!index) {
      per_dim.push_back(std::nullopt);
      continue;
    }
    const ScalarType t = index->dtype();
    if (t == ScalarType::kBool || t == ScalarType::kByte) {
      const int64_t start = static_cast<int64_t>(per_dim.size());
      for (int64_t k = 0; k < index->dim(); ++k) {
        const int64_t d = start + k;
        if (d >= self.dim() || index->sizes()[k] != self.sizes()[d]) {
          return absl::OutOfRangeError(absl::StrCat(
              "The shape of the mask ", ShapeToString(index->sizes()), " at index ", k,
              " does not match the shape of the indexed tensor ", ShapeToString(self.sizes()),
              " at index ", d));
        }
      }
      PTSER_ASSIGN_OR_RETURN(Tensor coords, Nonzero(*index));
      for (int64_t k = 0; k < index->dim(); ++k) {
        PTSER_ASSIGN_OR_RETURN(Tensor column, Select(coords, 1, k));
        per_dim.push_back(column);
      }
      continue;
    }
    if (t != ScalarType::kLong && t != ScalarType::kInt) {
      return absl::InvalidArgumentError("tensors used as indices must be long, byte or bool tensors");
    }
    per_dim.push_back(*index);
  }
  if (static_cast<int64_t>(per_dim.size()) > self.dim()) {
    return absl::OutOfRangeError(absl::StrCat("too many indices for tensor of dimension ",
                                              self.dim(), " (got ", per_dim.size(), ")"));
  }
  per_dim.resize(static_cast<size_t>(self.dim()));

  IndexPlan plan;
  std::vector<int64_t> indexed_dims;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!per_dim[d]) continue;
    indexed_dims.push_back(d);
    PTSER_ASSIGN_OR_RETURN(plan.batch_shape,
                           BroadcastShapes(plan.batch_shape, per_dim[d]->sizes()));
  }
  if (indexed_dims.empty()) {
    return absl::InvalidArgumentError("index: at least one index tensor is needed");
  }
  const bool adjacent =
      indexed_dims.back() - indexed_dims.front() + 1 == static_cast<int64_t>(indexed_dims.size());
  plan.batch_position = adjacent ? indexed_dims.front() : 0;

  // One offset per index position and per element of the other dims, held
  // to the storage limits before they are made (an expanded index tensor,
  // or a zero-size self, may have 2^62 of them with nothing behind them).
  PTSER_ASSIGN_OR_RETURN(const int64_t nb, CheckedNumel(plan.batch_shape));
  PTSER_RETURN_IF_ERROR(Storage::CheckAllocation(static_cast<uint64_t>(nb), sizeof(int64_t)));
  {
    std::vector<int64_t> rest;
    for (int64_t d = 0; d < self.dim(); ++d) {
      if (!per_dim[d]) rest.push_back(self.sizes()[d]);
    }
    PTSER_ASSIGN_OR_RETURN(const int64_t nrest, CheckedNumel(rest));
    PTSER_RETURN_IF_ERROR(
        Storage::CheckAllocation(static_cast<uint64_t>(nrest), sizeof(int64_t)));
  }
  plan.base_offsets.assign(static_cast<size_t>(nb), 0);
  for (int64_t d : indexed_dims) {
    PTSER_ASSIGN_OR_RETURN(Tensor expanded, ExpandTo(*per_dim[d], plan.batch_shape));
    PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> values, IndexValues(expanded));
    const int64_t size = self.sizes()[d];
    for (int64_t b = 0; b < nb; ++b) {
      int64_t v = values[static_cast<size_t>(b)];
      if (v < -size || v >= size) return OutOfBounds(v, d, size);
      if (v < 0) v += size;
      plan.base_offsets[static_cast<size_t>(b)] += v * self.strides()[d];
    }
  }
  std::vector<int64_t> rest_strides;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (per_dim[d]) continue;
    plan.rest_sizes.push_back(self.sizes()[d]);
    rest_strides.push_back(self.strides()[d]);
  }
  plan.rest_offsets = ElementOffsets(plan.rest_sizes, rest_strides);
  plan.result_shape.assign(plan.rest_sizes.begin(), plan.rest_sizes.begin() + plan.batch_position);
  plan.result_shape.insert(plan.result_shape.end(), plan.batch_shape.begin(),
                           plan.batch_shape.end());
  plan.result_shape.insert(plan.result_shape.end(),
                           plan.rest_sizes.begin() + plan.batch_position, plan.rest_sizes.end());
  return plan;
}

// The permutation taking [B..., rest...] to the result's order.
std::vector<int64_t> ResultPermutation(const IndexPlan& plan) {
  const int64_t nb = static_cast<int64_t>(plan.batch_shape.size());
  const int64_t nr = static_cast<int64_t>(plan.rest_sizes.size());
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < plan.batch_position; ++i) perm.push_back(nb + i);
  for (int64_t i = 0; i < nb; ++i) perm.push_back(i);
  for (int64_t i = plan.batch_position; i < nr; ++i) perm.push_back(nb + i);
  return perm;
}

absl::StatusOr<Scalar> ZeroDimValue(const Tensor& value, const char* op) {
  if (value.dim() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, " only supports a 0-dimensional value tensor, but got tensor with ", value.dim(),
        " dimension(s)."));
  }
  return GetElement(value, {});
}

// out = where(mask, value, out) over out's elements (mask expanded to it).
absl::Status FillMasked(const Tensor& out, const Tensor& mask, const Scalar& value) {
  PTSER_ASSIGN_OR_RETURN(Tensor m, ExpandTo(mask, out.sizes()));
  if (m.dtype() == ScalarType::kByte) {
    PTSER_ASSIGN_OR_RETURN(m, ToDtype(m, ScalarType::kBool));
  }
  return DispatchDtype<kAllTypes>(out.dtype(), "masked_fill", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    const T v = ScalarTo<T>(value);
    Map<T, T, bool>(out, [v](T x, bool c) { return c ? v : x; }, {out, m});
    return absl::OkStatus();
  });
}

absl::Status CheckMask(const Tensor& mask) {
  if (mask.dtype() != ScalarType::kBool && mask.dtype() != ScalarType::kByte) {
    return absl::InvalidArgumentError(absl::StrCat(
        "masked_fill_ only supports boolean masks, but got mask with dtype ",
        C10TypeName(mask.dtype())));
  }
  return CheckReadable(mask, "masked_fill");
}

}  // namespace

absl::StatusOr<Tensor> IndexSelect(const Tensor& self, int64_t dim, const Tensor& index) {
  if (index.dtype() != ScalarType::kLong && index.dtype() != ScalarType::kInt) {
    return absl::InvalidArgumentError("index_select(): Expected dtype int32 or int64 for index");
  }
  if (index.dim() > 1) {
    return absl::OutOfRangeError("index_select(): Index is supposed to be a vector");
  }
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> idx, IndexValues(index));
  const int64_t size = self.dim() == 0 ? 1 : self.sizes()[d];
  for (int64_t v : idx) {
    if (v < 0 || v >= size) {
      return absl::OutOfRangeError(
          absl::StrCat("INDICES element is out of DATA bounds, id=", v, " axis_dim=", size));
    }
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "index_select"));
  PTSER_ASSIGN_OR_RETURN(in, Contiguous(in));
  std::vector<int64_t> shape = self.sizes();
  const int64_t n = static_cast<int64_t>(idx.size());
  if (self.dim() > 0) shape[d] = n;
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, self.dtype()));
  // Nothing to copy (and the sizes around a zero may multiply past int64).
  if (out.numel() == 0) return out;
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < d && k < self.dim(); ++k) outer *= self.sizes()[k];
  for (int64_t k = d + 1; k < self.dim(); ++k) inner *= self.sizes()[k];
  const size_t row = static_cast<size_t>(inner) * self.itemsize();
  const char* src = static_cast<const char*>(in.data());
  char* dst = static_cast<char*>(out.mutable_data());
  if (self.dim() == 0) {
    // A 0-dim self gives a 0-dim result, whatever the index's length:
    // PyTorch 1.13 returns the element for any number of (zero) indices and
    // 0 for none.  The output holds one element, never n.
    if (n > 0) std::memcpy(dst, src, row);
    return out;
  }
  if (row > 0) {
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < n; ++k) {
        std::memcpy(dst + (o * n + k) * row, src + (o * size + idx[static_cast<size_t>(k)]) * row,
                    row);
      }
    }
  }
  return out;
}

absl::StatusOr<Tensor> Gather(const Tensor& self, int64_t dim, const Tensor& index) {
  if (index.dtype() != ScalarType::kLong) {
    return absl::InvalidArgumentError("gather(): Expected dtype int64 for index");
  }
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  if (index.dim() != self.dim()) {
    return absl::InvalidArgumentError(
        "Index tensor must have the same number of dimensions as input tensor");
  }
  for (int64_t k = 0; k < self.dim(); ++k) {
    if (k != d && index.sizes()[k] > self.sizes()[k]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Size does not match at dimension ", k, " expected index ",
          ShapeToString(index.sizes()), " to be smaller than self ", ShapeToString(self.sizes()),
          " apart from dimension ", d));
    }
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "gather"));
  PTSER_RETURN_IF_ERROR(CheckReadable(index, "gather"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(index.sizes(), self.dtype()));
  if (out.numel() == 0) return out;
  const int64_t size = self.dim() == 0 ? 1 : self.sizes()[d];
  const int64_t step = (self.dim() == 0 ? 0 : in.strides()[d]) * static_cast<int64_t>(in.itemsize());
  // self's strides over index's shape, with `d` walked through the index.
  std::vector<int64_t> self_strides(in.strides());
  for (int64_t k = 0; k < in.dim(); ++k) {
    self_strides[k] = k == d || index.sizes()[k] <= 1 ? 0 : self_strides[k] * in.itemsize();
  }
  const size_t item = in.itemsize();
  absl::Status status;
  ForEachRow<3>(index.sizes(),
                {static_cast<char*>(out.mutable_data()),
                 const_cast<char*>(static_cast<const char*>(index.data())),
                 const_cast<char*>(static_cast<const char*>(in.data()))},
                {ByteStrides(out), ByteStrides(index), self_strides},
                [&](const std::array<char*, 3>& p, const std::array<int64_t, 3>& s, int64_t n) {
                  for (int64_t i = 0; i < n && status.ok(); ++i) {
                    const int64_t v = Load<int64_t>(p[1] + i * s[1]);
                    if (v < 0 || v >= size) {
                      status = OutOfBounds(v, d, size);
                      return;
                    }
                    std::memcpy(p[0] + i * s[0], p[2] + i * s[2] + v * step, item);
                  }
                });
  PTSER_RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<Tensor> MaskedFill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  PTSER_RETURN_IF_ERROR(CheckMask(mask));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape, BroadcastShapes(self.sizes(), mask.sizes()));
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "masked_fill"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, self.dtype()));
  PTSER_RETURN_IF_ERROR(CopyConvertInto(out, in));
  PTSER_RETURN_IF_ERROR(FillMasked(out, mask, value));
  return out;
}

absl::StatusOr<Tensor> MaskedFill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  PTSER_ASSIGN_OR_RETURN(Scalar v, ZeroDimValue(value, "masked_fill_"));
  return MaskedFill(self, mask, v);
}

absl::Status MaskedFillInplace(const Tensor& self, const Tensor& mask, const Scalar& value) {
  PTSER_RETURN_IF_ERROR(CheckMask(mask));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape, BroadcastShapes(self.sizes(), mask.sizes()));
  PTSER_RETURN_IF_ERROR(CheckInplaceTarget(self, {&mask}, shape, self.dtype(), "masked_fill_"));
  if (mask.storage().IsSameAs(self.storage())) {
    PTSER_ASSIGN_OR_RETURN(Tensor copy, Clone(mask));
    return FillMasked(self, copy, value);
  }
  return FillMasked(self, mask, value);
}

absl::Status MaskedFillInplace(const Tensor& self, const Tensor& mask, const Tensor& value) {
  PTSER_ASSIGN_OR_RETURN(Scalar v, ZeroDimValue(value, "masked_fill_"));
  return MaskedFillInplace(self, mask, v);
}

absl::StatusOr<Tensor> Nonzero(const Tensor& self) {
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "nonzero"));
  PTSER_ASSIGN_OR_RETURN(Tensor flags, AllocateTensor(self.sizes(), ScalarType::kBool));
  PTSER_RETURN_IF_ERROR(CopyConvertInto(flags, in));
  // Bytes, not bools: a bool input is copied as it is, and any nonzero
  // byte is true.
  const uint8_t* f = static_cast<const uint8_t*>(flags.data());
  const int64_t rank = self.dim();
  std::vector<int64_t> coords;
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);
  for (int64_t i = 0; i < flags.numel(); ++i) {
    if (f[i] != 0) coords.insert(coords.end(), index.begin(), index.end());
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < self.sizes()[d]) break;
      index[d] = 0;
    }
  }
  const int64_t count = rank == 0 ? static_cast<int64_t>(flags.numel() > 0 && f[0] != 0)
                                  : static_cast<int64_t>(coords.size()) / rank;
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor({count, rank}, ScalarType::kLong));
  if (!coords.empty()) {
    std::memcpy(out.mutable_data(), coords.data(), coords.size() * sizeof(int64_t));
  }
  return out;
}

absl::StatusOr<Tensor> Index(const Tensor& self, absl::Span<const std::optional<Tensor>> indices) {
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "index"));
  PTSER_ASSIGN_OR_RETURN(IndexPlan plan, PlanIndex(in, indices));
  std::vector<int64_t> tmp_shape = plan.batch_shape;
  tmp_shape.insert(tmp_shape.end(), plan.rest_sizes.begin(), plan.rest_sizes.end());
  PTSER_ASSIGN_OR_RETURN(Tensor tmp, AllocateTensor(tmp_shape, self.dtype()));
  const int64_t item = static_cast<int64_t>(self.itemsize());
  const char* src = static_cast<const char*>(in.data());
  char* dst = static_cast<char*>(tmp.mutable_data());
  const size_t nr = plan.rest_offsets.size();
  if (tmp.numel() > 0) {
    for (size_t b = 0; b < plan.base_offsets.size(); ++b) {
      for (size_t r = 0; r < nr; ++r) {
        std::memcpy(dst + (b * nr + r) * item,
                    src + (plan.base_offsets[b] + plan.rest_offsets[r]) * item,
                    static_cast<size_t>(item));
      }
    }
  }
  PTSER_ASSIGN_OR_RETURN(Tensor arranged, Permute(tmp, ResultPermutation(plan)));
  return Contiguous(arranged);
}

absl::Status IndexPutInplace(const Tensor& self, absl::Span<const std::optional<Tensor>> indices,
                             const Tensor& values, bool accumulate) {
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), "index_put_"));
  PTSER_RETURN_IF_ERROR(CheckReadable(values, "index_put_"));
  PTSER_ASSIGN_OR_RETURN(IndexPlan plan, PlanIndex(self, indices));
  absl::StatusOr<Tensor> expanded = ExpandTo(values, plan.result_shape);
  if (!expanded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shape mismatch: value tensor of shape ", ShapeToString(values.sizes()),
        " cannot be broadcast to indexing result of shape ", ShapeToString(plan.result_shape)));
  }
  // The values in [B..., rest...] order, as self's dtype, in a buffer of
  // their own (they may alias self).
  const std::vector<int64_t> perm = ResultPermutation(plan);
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  PTSER_ASSIGN_OR_RETURN(Tensor ordered, Permute(*expanded, inverse));
  PTSER_ASSIGN_OR_RETURN(Tensor v, PrepareInput(ordered, "index_put_"));
  PTSER_ASSIGN_OR_RETURN(Tensor buffer, AllocateTensor(v.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(CopyConvertInto(buffer, v));
  if (buffer.numel() == 0) return absl::OkStatus();
  const size_t nr = plan.rest_offsets.size();
  return DispatchDtype<kAllTypes>(self.dtype(), "index_put_", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(buffer.data());
    char* dst = static_cast<char*>(self.mutable_data());
    const int64_t item = static_cast<int64_t>(sizeof(T));
    for (size_t b = 0; b < plan.base_offsets.size(); ++b) {
      for (size_t r = 0; r < nr; ++r) {
        char* p = dst + (plan.base_offsets[b] + plan.rest_offsets[r]) * item;
        const T x = src[b * nr + r];
        if (accumulate) {
          if constexpr (std::is_same_v<T, bool>) {
            Store<T>(p, Load<T>(p) || x);
          } else if constexpr (std::is_integral_v<T>) {
            Store<T>(p, static_cast<T>(static_cast<uint64_t>(Load<T>(p)) + static_cast<uint64_t>(x)));
          } else {
            using M = OpMath<T>;
            Store<T>(p, T(static_cast<M>(Load<T>(p)) + static_cast<M>(x)));
          }
        } else {
          Store<T>(p, x);
        }
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Tensor> IndexPut(const Tensor& self, absl::Span<const std::optional<Tensor>> indices,
                                const Tensor& values, bool accumulate) {
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "index_put"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(CopyConvertInto(out, in));
  PTSER_RETURN_IF_ERROR(IndexPutInplace(out, indices, values, accumulate));
  return out;
}

absl::Status FillInplace(const Tensor& self, const Scalar& value) {
  PTSER_RETURN_IF_ERROR(CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), "fill_"));
  return DispatchDtype<kAllTypes>(self.dtype(), "fill_", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    const T v = ScalarTo<T>(value);
    Map<T>(self, [v]() { return v; }, {});
    return absl::OkStatus();
  });
}

absl::Status FillInplace(const Tensor& self, const Tensor& value) {
  if (value.dim() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fill_ only supports 0-dimension value tensor but got tensor with ", value.dim(),
        " dimensions."));
  }
  PTSER_ASSIGN_OR_RETURN(Scalar v, GetElement(value, {}));
  return FillInplace(self, v);
}

absl::Status ZeroInplace(const Tensor& self) { return FillInplace(self, Scalar(int64_t{0})); }

absl::Status CopyInplace(const Tensor& self, const Tensor& src) {
  PTSER_RETURN_IF_ERROR(CheckWritable(self, "copy_"));
  PTSER_RETURN_IF_ERROR(CheckNoInternalOverlap(self));
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(src, "copy_"));
  return CopyConvertInto(self, in);
}

}  // namespace ptser
