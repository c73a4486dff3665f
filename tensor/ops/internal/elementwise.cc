// Copyright ptser authors.
//
// tensor/ops/internal/elementwise.cc — broadcasting, allocation, checks and
// the dtype-converting copy shared by all ops.

#include "tensor/ops/internal/elementwise.h"

#include <algorithm>
#include <array>
#include <complex>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/views.h"

namespace ptser {
namespace ops_internal {

int64_t NumElements(absl::Span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

absl::StatusOr<std::vector<int64_t>> BroadcastShapes(
    absl::Span<const int64_t> a, absl::Span<const int64_t> b) {
  const size_t ndim = std::max(a.size(), b.size());
  std::vector<int64_t> out(ndim);
  for (size_t i = 0; i < ndim; ++i) {
    // Aligned from the right.
    const size_t from_end = ndim - 1 - i;
    const int64_t sa = from_end < a.size() ? a[a.size() - 1 - from_end] : 1;
    const int64_t sb = from_end < b.size() ? b[b.size() - 1 - from_end] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The size of tensor a (", sa, ") must match the size of tensor b (",
          sb, ") at non-singleton dimension ", i));
    }
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

absl::StatusOr<Tensor> ExpandTo(const Tensor& t,
                                absl::Span<const int64_t> shape) {
  if (t.sizes() == std::vector<int64_t>(shape.begin(), shape.end())) {
    return t;
  }
  const int64_t ndim = static_cast<int64_t>(shape.size());
  const int64_t tdim = t.dim();
  if (tdim > ndim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expand: the number of sizes provided (", ndim,
        ") must be greater or equal to the number of dimensions in the "
        "tensor (",
        tdim, ")"));
  }
  std::vector<int64_t> strides(ndim, 0);
  for (int64_t i = 0; i < ndim; ++i) {
    const int64_t j = i - (ndim - tdim);  // t's dimension, if any
    if (j < 0) continue;
    const int64_t size = t.sizes()[j];
    if (size == shape[i]) {
      strides[i] = t.strides()[j];
    } else if (size != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The expanded size of the tensor (", shape[i],
          ") must match the existing size (", size,
          ") at non-singleton dimension ", i, ".  Target sizes: ",
          ShapeToString(shape), ".  Tensor sizes: ", ShapeToString(t.sizes())));
    }
  }
  PTSER_ASSIGN_OR_RETURN(
      Tensor out, Tensor::Make(t.storage(), t.dtype(), t.storage_offset(),
                               std::vector<int64_t>(shape.begin(), shape.end()),
                               std::move(strides)));
  out.set_conj(t.is_conj());
  out.set_neg(t.is_neg());
  return out;
}

absl::StatusOr<Tensor> AllocateTensor(absl::Span<const int64_t> shape,
                                      ScalarType dtype) {
  int64_t numel = 1;
  for (int64_t s : shape) {
    if (s < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("negative dimension in shape ", ShapeToString(shape)));
    }
    if (__builtin_mul_overflow(numel, s, &numel)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "tensor of shape ", ShapeToString(shape), " is too big"));
    }
  }
  uint64_t nbytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(numel),
                             static_cast<uint64_t>(ElementSize(dtype)),
                             &nbytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("tensor of shape ", ShapeToString(shape), " is too big"));
  }
  PTSER_ASSIGN_OR_RETURN(Storage storage,
                         Storage::Allocate(static_cast<size_t>(nbytes)));
  std::vector<int64_t> sizes(shape.begin(), shape.end());
  std::vector<int64_t> strides = Tensor::ContiguousStrides(sizes);
  return Tensor::Make(std::move(storage), dtype, 0, std::move(sizes),
                      std::move(strides));
}

absl::StatusOr<Tensor> ScalarToTensor(const Scalar& value, ScalarType dtype) {
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor({}, dtype));
  char* p = static_cast<char*>(out.mutable_data());
  PTSER_RETURN_IF_ERROR(DispatchDtype<kAllTypes>(
      dtype, "scalar_tensor", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        Store<T>(p, ScalarTo<T>(value));
        return absl::OkStatus();
      }));
  return out;
}

namespace {

// Storage byte range [begin, end) a non-empty tensor addresses.
std::pair<int64_t, int64_t> ByteRange(const Tensor& t) {
  int64_t last = t.storage_offset();
  for (int64_t d = 0; d < t.dim(); ++d) {
    last += (t.sizes()[d] - 1) * t.strides()[d];
  }
  const int64_t item = static_cast<int64_t>(t.itemsize());
  return {t.storage_offset() * item, (last + 1) * item};
}

bool MayOverlap(const Tensor& a, const Tensor& b) {
  if (!a.storage().IsSameAs(b.storage())) return false;
  if (a.numel() == 0 || b.numel() == 0) return false;
  const auto ra = ByteRange(a);
  const auto rb = ByteRange(b);
  return ra.first < rb.second && rb.first < ra.second;
}

// dst = src (same shape), converting.
absl::Status CopyConverting(const Tensor& dst, const Tensor& src) {
  return DispatchDtype<kAllTypes>(
      dst.dtype(), "copy_", [&](auto dst_tag) -> absl::Status {
        using D = typename decltype(dst_tag)::type;
        return DispatchDtype<kAllTypes>(
            src.dtype(), "copy_", [&](auto src_tag) -> absl::Status {
              using S = typename decltype(src_tag)::type;
              Map<D, S>(dst, [](S v) { return Convert<D>(v); }, {src});
              return absl::OkStatus();
            });
      });
}

}  // namespace

absl::StatusOr<Tensor> ToDtype(const Tensor& t, ScalarType dtype) {
  if (t.dtype() == dtype) return t;
  PTSER_RETURN_IF_ERROR(CheckReadable(t, "to"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(t.sizes(), dtype));
  PTSER_RETURN_IF_ERROR(CopyConverting(out, t));
  return out;
}

absl::Status CopyConvertInto(const Tensor& dst, const Tensor& src) {
  PTSER_RETURN_IF_ERROR(CheckWritable(dst, "copy_"));
  PTSER_RETURN_IF_ERROR(CheckReadable(src, "copy_"));
  PTSER_ASSIGN_OR_RETURN(Tensor expanded, ExpandTo(src, dst.sizes()));
  if (MayOverlap(dst, src) &&
      !(dst.IsSameAs(expanded) && dst.dtype() == src.dtype())) {
    // Read everything before writing anything.
    PTSER_ASSIGN_OR_RETURN(Tensor copy,
                           AllocateTensor(expanded.sizes(), src.dtype()));
    PTSER_RETURN_IF_ERROR(CopyConverting(copy, expanded));
    expanded = copy;
  }
  return CopyConverting(dst, expanded);
}

absl::Status CheckReadable(const Tensor& t, absl::string_view op) {
  if (!t.device().is_cpu()) {
    return absl::UnimplementedError(
        absl::StrCat(op, ": ptser computes on the CPU only, got a tensor on ",
                     t.device().ToString()));
  }
  if (t.numel() > 0 && t.storage().data() == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(op, ": the tensor's storage has no data"));
  }
  if (ElementsPerByte(t.dtype()) > 1) {
    return absl::UnimplementedError(absl::StrCat(
        op, ": ", DtypeName(t.dtype()), " packs ", ElementsPerByte(t.dtype()),
        " values per byte; ptser loads and saves such tensors but does not compute on them"));
  }
  return absl::OkStatus();
}

absl::Status CheckWritable(const Tensor& t, absl::string_view op) {
  PTSER_RETURN_IF_ERROR(CheckReadable(t, op));
  if (t.numel() > 0 &&
      (t.storage().is_read_only() || t.storage().mutable_data() == nullptr)) {
    return absl::FailedPreconditionError(absl::StrCat(
        op, ": cannot write to a tensor whose storage is read-only"));
  }
  return absl::OkStatus();
}

absl::Status CheckNoInternalOverlap(const Tensor& out) {
  if (IsNonOverlappingAndDense(out)) return absl::OkStatus();
  for (int64_t d = 0; d < out.dim(); ++d) {
    if (out.strides()[d] == 0 && out.sizes()[d] > 1) {
      return absl::InvalidArgumentError(
          "unsupported operation: more than one element of the written-to "
          "tensor refers to a single memory location. Please clone() the "
          "tensor before performing the operation.");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNoPartialOverlap(const Tensor& out, const Tensor& in) {
  if (!IsNonOverlappingAndDense(out) || !IsNonOverlappingAndDense(in)) {
    return absl::OkStatus();  // PyTorch's "too hard to tell"
  }
  if (!MayOverlap(out, in)) return absl::OkStatus();
  const auto ro = ByteRange(out);
  const auto ri = ByteRange(in);
  if (ro == ri && out.strides() == in.strides()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "unsupported operation: some elements of the input tensor and the "
      "written-to tensor refer to a single memory location. Please clone() "
      "the tensor before performing the operation.");
}

std::vector<int64_t> ByteStrides(const Tensor& t) {
  std::vector<int64_t> out(t.strides());
  const int64_t item = static_cast<int64_t>(t.itemsize());
  // A dimension of size 0 or 1 never steps and its stride is unbounded
  // (Tensor::Make cannot check it): 0 keeps it out of the arithmetic.
  for (size_t d = 0; d < out.size(); ++d) out[d] = t.sizes()[d] <= 1 ? 0 : out[d] * item;
  return out;
}

void CoalesceDimensions(std::vector<int64_t>* shape,
                        absl::Span<std::vector<int64_t>* const> strides) {
  // Drop size-1 dimensions.
  std::vector<int64_t> new_shape;
  std::vector<std::vector<int64_t>> new_strides(strides.size());
  for (size_t d = 0; d < shape->size(); ++d) {
    if ((*shape)[d] == 1) continue;
    const bool mergeable = [&] {
      if (new_shape.empty()) return false;
      for (size_t k = 0; k < strides.size(); ++k) {
        // Outer (previous) stride must equal inner stride * inner size.
        if (new_strides[k].back() != (*strides[k])[d] * (*shape)[d]) {
          return false;
        }
      }
      return true;
    }();
    if (mergeable) {
      new_shape.back() *= (*shape)[d];
      for (size_t k = 0; k < strides.size(); ++k) {
        new_strides[k].back() = (*strides[k])[d];
      }
    } else {
      new_shape.push_back((*shape)[d]);
      for (size_t k = 0; k < strides.size(); ++k) {
        new_strides[k].push_back((*strides[k])[d]);
      }
    }
  }
  *shape = std::move(new_shape);
  for (size_t k = 0; k < strides.size(); ++k) {
    *strides[k] = std::move(new_strides[k]);
  }
}

}  // namespace ops_internal
}  // namespace ptser
