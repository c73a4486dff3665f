// Copyright ptser authors.
//
// tensor/views_copy.cc — clones, contiguous copies and strided copies
// (EmptyLike, Clone, Contiguous, CopyInto) and layout queries.

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

namespace views_internal {

// A new zero-filled CPU tensor with exactly the given layout, on a storage
// just big enough for it.
absl::StatusOr<Tensor> AllocateStrided(absl::Span<const int64_t> sizes,
                                       absl::Span<const int64_t> strides,
                                       ScalarType dtype) {
  PTSER_ASSIGN_OR_RETURN(int64_t numel, CheckedNumel(sizes));
  int64_t nbytes = 0;
  if (numel > 0) {
    int64_t extent = 1;
    bool ok = true;
    for (size_t k = 0; k < sizes.size() && ok; ++k) {
      int64_t span = 0;
      ok = MulOk(sizes[k] - 1, strides[k], &span) && AddOk(extent, span, &extent);
    }
    ok = ok && MulOk(extent, static_cast<int64_t>(ElementSize(dtype)), &nbytes);
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot allocate a tensor with sizes ", ShapeToString(sizes),
          " and strides ", ShapeToString(strides),
          ": the byte size overflows int64"));
    }
  }
  PTSER_ASSIGN_OR_RETURN(Storage storage,
                         Storage::Allocate(static_cast<size_t>(nbytes)));
  return Tensor::Make(std::move(storage), dtype, 0, ToVector(sizes),
                      ToVector(strides));
}

absl::Status RequireCpu(const Tensor& t, absl::string_view op) {
  if (!t.device().is_cpu()) {
    return absl::FailedPreconditionError(
        absl::StrCat(op, " needs a CPU tensor, got one on ",
                     t.device().ToString()));
  }
  if (ElementsPerByte(t.dtype()) > 1) {
    return absl::UnimplementedError(absl::StrCat(
        op, ": ", DtypeName(t.dtype()), " packs ", ElementsPerByte(t.dtype()),
        " values per byte; ptser loads and saves such tensors but does not compute on them"));
  }
  return absl::OkStatus();
}

}  // namespace views_internal

namespace {

using views_internal::AddOk;
using views_internal::AllocateStrided;
using views_internal::MulOk;
using views_internal::RequireCpu;
using views_internal::ToVector;

// PyTorch's infer_dense_strides: dense strides that keep the order of t's
// dimensions by stride (ties: the smaller size inner; stride-0 dimensions
// keep their place relative to the others, as in a contiguous tensor).
std::vector<int64_t> InferDenseStrides(absl::Span<const int64_t> sizes,
                                       absl::Span<const int64_t> strides) {
  const size_t ndim = sizes.size();
  if (ndim == 0) return {};
  if (ndim == 1) return {1};
  // perm[0] is the innermost dimension; start from the row-major order.
  std::vector<size_t> perm(ndim);
  for (size_t i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
  // > 0: a must go after (outside) b; < 0: before; 0: undecided.
  auto compare = [&](size_t a, size_t b) {
    const int64_t sa = strides[a];
    const int64_t sb = strides[b];
    if (sa == 0 || sb == 0) return 0;
    if (sa != sb) return sa < sb ? -1 : 1;
    return sizes[a] > sizes[b] ? 1 : 0;
  };
  // Stable insertion sort that stops at the first "must stay" answer.
  for (size_t i = 1; i < ndim; ++i) {
    size_t cur = i;
    for (size_t j = i; j-- > 0;) {
      const int c = compare(perm[j], perm[cur]);
      if (c > 0) {
        std::swap(perm[j], perm[cur]);
        cur = j;
      } else if (c < 0) {
        break;
      }
    }
  }
  std::vector<int64_t> out(ndim);
  int64_t running = 1;
  for (size_t i = 0; i < ndim; ++i) {
    out[perm[i]] = running;
    if (sizes[perm[i]] > 1) running *= sizes[perm[i]];
  }
  return out;
}

// ---- element copies -------------------------------------------------------

template <size_t kSize>
void CopyElements(char* dst, const char* src, int64_t n, int64_t dst_stride,
                  int64_t src_stride) {
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + i * dst_stride * static_cast<int64_t>(kSize),
                src + i * src_stride * static_cast<int64_t>(kSize), kSize);
  }
}

// Copies the bytes of src's elements into dst's elements (same shape and
// itemsize, CPU, dst writable, no aliasing between them).
void RawCopy(const Tensor& dst, const Tensor& src) {
  char* d = static_cast<char*>(dst.mutable_data());
  const char* s = static_cast<const char*>(src.data());
  const int64_t item = static_cast<int64_t>(dst.itemsize());
  internal::ForEachRun(
      dst.sizes(), dst.strides(), src.strides(),
      [&](int64_t od, int64_t os, int64_t n, int64_t sd, int64_t ss) {
        char* dp = d + od * item;
        const char* sp = s + os * item;
        if (sd == 1 && ss == 1) {
          std::memcpy(dp, sp, static_cast<size_t>(n * item));
          return;
        }
        switch (item) {
          case 1: CopyElements<1>(dp, sp, n, sd, ss); break;
          case 2: CopyElements<2>(dp, sp, n, sd, ss); break;
          case 4: CopyElements<4>(dp, sp, n, sd, ss); break;
          case 8: CopyElements<8>(dp, sp, n, sd, ss); break;
          default: CopyElements<16>(dp, sp, n, sd, ss); break;
        }
      });
}

template <typename U>
void NegateInts(char* p, int64_t n, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) {
    char* e = p + i * stride * static_cast<int64_t>(sizeof(U));
    U v;
    std::memcpy(&v, e, sizeof(U));
    v = static_cast<U>(U{0} - v);
    std::memcpy(e, &v, sizeof(U));
  }
}

// Applies negation and/or complex conjugation to t's stored values in
// place (materialising the neg/conj bits).
absl::Status NegateOrConjugateInPlace(const Tensor& t, bool negate,
                                      bool conjugate) {
  const ScalarType dtype = t.dtype();
  if (!IsComplex(dtype)) conjugate = false;  // conj of a real is itself
  if (!negate && !conjugate) return absl::OkStatus();
  if (dtype == ScalarType::kBool) return absl::OkStatus();
  const bool is_float = IsComplex(dtype) || dtype == ScalarType::kHalf ||
                        dtype == ScalarType::kFloat ||
                        dtype == ScalarType::kDouble ||
                        dtype == ScalarType::kBFloat16;
  const bool is_int = IsIntegral(dtype, /*include_bool=*/false);
  if (!is_float && !is_int) {
    return absl::UnimplementedError(absl::StrCat(
        "negation is not supported for dtype ", DtypeName(dtype)));
  }
  char* base = static_cast<char*>(t.mutable_data());
  const int64_t item = static_cast<int64_t>(t.itemsize());
  internal::ForEachRun(
      t.sizes(), t.strides(), t.strides(),
      [&](int64_t off, int64_t, int64_t n, int64_t stride, int64_t) {
        char* p = base + off * item;
        if (is_int) {
          switch (item) {
            case 1: NegateInts<uint8_t>(p, n, stride); break;
            case 2: NegateInts<uint16_t>(p, n, stride); break;
            case 4: NegateInts<uint32_t>(p, n, stride); break;
            default: NegateInts<uint64_t>(p, n, stride); break;
          }
          return;
        }
        // IEEE values: flip the sign bit (top bit of the little-endian
        // component's last byte).  Complex: real then imaginary part.
        const bool complex = IsComplex(dtype);
        const int64_t comp = complex ? item / 2 : item;
        const bool flip_real = negate;
        const bool flip_imag = complex && (negate != conjugate);
        for (int64_t i = 0; i < n; ++i) {
          char* e = p + i * stride * item;
          if (flip_real) e[comp - 1] ^= static_cast<char>(0x80);
          if (flip_imag) e[2 * comp - 1] ^= static_cast<char>(0x80);
        }
      });
  return absl::OkStatus();
}

// Byte range [begin, end) of storage that t's elements touch.
std::pair<int64_t, int64_t> ByteRange(const Tensor& t) {
  int64_t extent = t.storage_offset();
  for (size_t k = 0; k < t.sizes().size(); ++k) {
    extent += (t.sizes()[k] - 1) * t.strides()[k];
  }
  const int64_t item = static_cast<int64_t>(t.itemsize());
  return {t.storage_offset() * item, (extent + 1) * item};
}

}  // namespace

// --------------------------------------------------------------- copies ---

absl::StatusOr<Tensor> EmptyLike(const Tensor& t,
                                 std::optional<ScalarType> dtype) {
  return AllocateStrided(t.sizes(), PreservedStrides(t),
                         dtype.value_or(t.dtype()));
}

namespace {

// Clone/Contiguous of a tensor on a device.  A contiguous one without
// conj/neg bits is one device-to-device copy of the bytes it uses; any other
// goes through the host (its storage to the CPU, the CPU op, the result
// back): no device kernels are needed, at the price of two bus crossings.
absl::StatusOr<Tensor> CopyOnDevice(const Tensor& t, bool clone) {
  std::shared_ptr<DeviceRuntime> runtime = GetDeviceRuntime(t.device().type());
  if (runtime != nullptr && t.is_contiguous() && !t.is_conj() && !t.is_neg() &&
      ElementsPerByte(t.dtype()) == 1) {
    const size_t nbytes = static_cast<size_t>(t.numel()) * t.itemsize();
    PTSER_ASSIGN_OR_RETURN(
        Storage copy, runtime->CopyOnDevice(t.storage(),
                                            static_cast<size_t>(t.storage_offset()) * t.itemsize(),
                                            nbytes));
    // Built in place in the StatusOr: GCC 12 at -O3 warns (maybe-uninitialized,
    // a false positive on the optional quantizer) when it is moved into a local.
    absl::StatusOr<Tensor> out = Tensor::Make(std::move(copy), t.dtype(), 0, t.sizes(),
                                              Tensor::ContiguousStrides(t.sizes()));
    if (out.ok()) {
      out->set_requires_grad(t.requires_grad());
      out->set_quantizer(t.quantizer());
    }
    return out;
  }
  absl::StatusOr<Tensor> host = t.To(Device::Cpu());
  if (!host.ok()) {
    return absl::Status(host.status().code(),
                        absl::StrCat(clone ? "clone" : "contiguous", " of a tensor on ",
                                     t.device().ToString(), ": ", host.status().message()));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor done, clone ? Clone(*host) : Contiguous(*host));
  return done.To(t.device());
}

}  // namespace

absl::StatusOr<Tensor> Clone(const Tensor& t) {
  if (!t.device().is_cpu()) return CopyOnDevice(t, /*clone=*/true);
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "clone"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, EmptyLike(t));
  PTSER_RETURN_IF_ERROR(CopyInto(out, t));
  out.set_requires_grad(t.requires_grad());
  out.set_quantizer(t.quantizer());
  return out;
}

absl::StatusOr<Tensor> Contiguous(const Tensor& t) {
  if (t.is_contiguous()) return t;
  if (!t.device().is_cpu()) return CopyOnDevice(t, /*clone=*/false);
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "contiguous"));
  PTSER_ASSIGN_OR_RETURN(
      Tensor out,
      AllocateStrided(t.sizes(), Tensor::ContiguousStrides(t.sizes()),
                      t.dtype()));
  PTSER_RETURN_IF_ERROR(CopyInto(out, t));
  out.set_requires_grad(t.requires_grad());
  out.set_quantizer(t.quantizer());
  return out;
}

absl::Status CopyInto(const Tensor& dst, const Tensor& src) {
  if (dst.sizes() != src.sizes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CopyInto: shape mismatch: destination has sizes ",
        ShapeToString(dst.sizes()), " but source has sizes ",
        ShapeToString(src.sizes())));
  }
  if (dst.dtype() != src.dtype()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CopyInto: dtype mismatch: destination is ", DtypeName(dst.dtype()),
        " but source is ", DtypeName(src.dtype()), " (use Cast first)"));
  }
  PTSER_RETURN_IF_ERROR(RequireCpu(dst, "CopyInto"));
  PTSER_RETURN_IF_ERROR(RequireCpu(src, "CopyInto"));
  if (dst.storage().is_read_only()) {
    return absl::FailedPreconditionError(
        "CopyInto: the destination storage is read-only");
  }
  if (dst.numel() == 0) return absl::OkStatus();
  if (!HasNoInternalOverlap(dst)) {
    return absl::InvalidArgumentError(
        "unsupported operation: more than one element of the written-to "
        "tensor refers to a single memory location. Please clone() the "
        "tensor before performing the operation.");
  }
  Tensor source = src;
  if (src.storage().IsSameAs(dst.storage())) {
    const auto [db, de] = ByteRange(dst);
    const auto [sb, se] = ByteRange(src);
    if (db < se && sb < de) {
      // Overlapping memory: copy the source out first.
      PTSER_ASSIGN_OR_RETURN(
          Tensor tmp,
          AllocateStrided(src.sizes(), Tensor::ContiguousStrides(src.sizes()),
                          src.dtype()));
      RawCopy(tmp, src);
      tmp.set_conj(src.is_conj());
      tmp.set_neg(src.is_neg());
      source = std::move(tmp);
    }
  }
  RawCopy(dst, source);
  return NegateOrConjugateInPlace(dst, source.is_neg() != dst.is_neg(),
                                  source.is_conj() != dst.is_conj());
}

// ------------------------------------------------------- layout queries ---

bool IsNonOverlappingAndDense(const Tensor& t) {
  const std::vector<int64_t>& sizes = t.sizes();
  const std::vector<int64_t>& strides = t.strides();
  // Contiguous (which every 0-element tensor is) implies dense, as in
  // PyTorch's TensorImpl flags.
  if (t.is_contiguous()) return true;
  const size_t ndim = sizes.size();
  if (ndim == 1) return sizes[0] < 2 || strides[0] == 1;
  std::vector<size_t> perm(ndim);
  std::iota(perm.begin(), perm.end(), 0);
  // Size-0/1 dimensions go last; the rest by increasing stride.
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
    if (sizes[a] < 2) return false;
    if (sizes[b] < 2) return true;
    return strides[a] < strides[b];
  });
  int64_t required = 1;
  for (size_t i = 0; i < ndim; ++i) {
    const int64_t size = sizes[perm[i]];
    if (size < 2) return true;
    if (strides[perm[i]] != required) return false;
    required *= size;
  }
  return true;
}

std::vector<int64_t> PreservedStrides(const Tensor& t) {
  if (IsNonOverlappingAndDense(t)) return t.strides();
  return InferDenseStrides(t.sizes(), t.strides());
}

bool HasNoInternalOverlap(const Tensor& t) {
  if (t.numel() <= 1) return true;
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size)
  for (size_t k = 0; k < t.sizes().size(); ++k) {
    if (t.sizes()[k] < 2) continue;
    if (t.strides()[k] == 0) return false;
    dims.emplace_back(t.strides()[k], t.sizes()[k]);
  }
  std::sort(dims.begin(), dims.end());
  int64_t reach = 0;  // highest offset reachable with the inner dims
  for (const auto& [stride, size] : dims) {
    if (stride <= reach) return false;
    reach += (size - 1) * stride;
  }
  return true;
}

}  // namespace ptser
