// Copyright ptser authors.
//
// tensor/cast.cc — dtype conversion kernels and element access.

#include "tensor/cast.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "tensor/element.h"
#include "tensor/strided_loop.h"
#include "tensor/views.h"

namespace ptser {
namespace {

// ---- type dispatch ----------------------------------------------------------

template <typename T>
struct Tag {
  using type = T;
};

// Calls fn(Tag<T>{}) for the C++ element type of `dtype`; false when the
// dtype is not supported.
template <typename Fn>
bool Dispatch(ScalarType dtype, Fn&& fn) {
  switch (dtype) {
    case ScalarType::kBool: fn(Tag<bool>{}); return true;
    case ScalarType::kByte: fn(Tag<uint8_t>{}); return true;
    case ScalarType::kChar: fn(Tag<int8_t>{}); return true;
    case ScalarType::kShort: fn(Tag<int16_t>{}); return true;
    case ScalarType::kInt: fn(Tag<int32_t>{}); return true;
    case ScalarType::kLong: fn(Tag<int64_t>{}); return true;
    case ScalarType::kUInt16: fn(Tag<uint16_t>{}); return true;
    case ScalarType::kUInt32: fn(Tag<uint32_t>{}); return true;
    case ScalarType::kUInt64: fn(Tag<uint64_t>{}); return true;
    case ScalarType::kHalf: fn(Tag<Half>{}); return true;
    case ScalarType::kBFloat16: fn(Tag<BFloat16>{}); return true;
    case ScalarType::kFloat: fn(Tag<float>{}); return true;
    case ScalarType::kDouble: fn(Tag<double>{}); return true;
    case ScalarType::kComplexHalf: fn(Tag<ComplexHalf>{}); return true;
    case ScalarType::kComplexFloat: fn(Tag<std::complex<float>>{}); return true;
    case ScalarType::kComplexDouble:
      fn(Tag<std::complex<double>>{});
      return true;
    default:
      return false;
  }
}

// ---- loads and stores (any alignment; bool bytes read as != 0) -------------

template <typename T>
T Load(const char* p) {
  if constexpr (std::is_same_v<T, bool>) {
    uint8_t b;
    std::memcpy(&b, p, 1);
    return b != 0;
  } else {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
}

template <typename T>
void Store(char* p, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    const uint8_t b = v ? 1 : 0;
    std::memcpy(p, &b, 1);
  } else {
    std::memcpy(p, &v, sizeof(T));
  }
}

// ---- scalar conversions (tensor/element.h) ---------------------------------

using element_internal::AsDouble;

template <typename D, typename S>
D Convert(const S& v) {
  return ConvertElement<D>(v);
}

// -v and conj(v) in the element's own type (integers wrap).
template <typename T>
T Negate(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(U{0} - static_cast<U>(v)));
  } else if constexpr (std::is_same_v<T, Half>) {
    return Half::FromBits(static_cast<uint16_t>(v.bits ^ 0x8000u));
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return BFloat16::FromBits(static_cast<uint16_t>(v.bits ^ 0x8000u));
  } else if constexpr (std::is_same_v<T, ComplexHalf>) {
    return ComplexHalf{Negate(v.real), Negate(v.imag)};
  } else {
    return -v;
  }
}

template <typename T>
T Conjugate(const T& v) {
  if constexpr (kIsComplexElement<T>) {
    return MakeComplexElement<T>(RealPart(v), Negate(ImagPart(v)));
  } else {
    return v;
  }
}

template <typename T>
T ApplyBits(T v, bool neg, bool conj) {
  if (neg) v = Negate(v);
  if (conj) v = Conjugate(v);
  return v;
}

// ---- overflow checks for Scalar -> dtype (c10's checked_convert) -----------

template <typename D>
absl::string_view CppTypeName() {
  if constexpr (std::is_same_v<D, bool>) return "bool";
  else if constexpr (std::is_same_v<D, uint8_t>) return "uint8_t";
  else if constexpr (std::is_same_v<D, int8_t>) return "int8_t";
  else if constexpr (std::is_same_v<D, int16_t>) return "int16_t";
  else if constexpr (std::is_same_v<D, int32_t>) return "int";
  else if constexpr (std::is_same_v<D, int64_t>) return "int64_t";
  else if constexpr (std::is_same_v<D, uint16_t>) return "uint16_t";
  else if constexpr (std::is_same_v<D, uint32_t>) return "uint32_t";
  else if constexpr (std::is_same_v<D, uint64_t>) return "uint64_t";
  else if constexpr (std::is_same_v<D, Half>) return "at::Half";
  else if constexpr (std::is_same_v<D, BFloat16>) return "at::BFloat16";
  else if constexpr (std::is_same_v<D, float>) return "float";
  else if constexpr (std::is_same_v<D, double>) return "double";
  else if constexpr (std::is_same_v<D, ComplexHalf>) return "c10::complex<c10::Half>";
  else if constexpr (std::is_same_v<D, std::complex<float>>) return "c10::complex<float>";
  else return "c10::complex<double>";
}

// Largest finite value of a real floating type D.
template <typename D>
double FloatMax() {
  if constexpr (std::is_same_v<D, Half>) return 65504.0;
  else if constexpr (std::is_same_v<D, BFloat16>) return 3.3895313892515355e38;
  else return static_cast<double>(std::numeric_limits<D>::max());
}

// Would the real value `x` overflow real type D?
template <typename D>
bool DoubleOverflows(double x) {
  if constexpr (std::is_same_v<D, bool>) {
    return false;
  } else if constexpr (std::is_integral_v<D>) {
    if (std::isnan(x)) return true;
    // c10 compares with the limits themselves (255.9 overflows uint8).
    // For 64-bit types max() rounds up to 2^63 / 2^64 as a double, which
    // must be excluded too: the conversion is undefined there.
    const double lo = static_cast<double>(std::numeric_limits<D>::lowest());
    const double hi = static_cast<double>(std::numeric_limits<D>::max());
    const double limit = std::ldexp(1.0, std::numeric_limits<D>::digits);
    return x < lo || x > hi || x >= limit;
  } else {
    if (std::isinf(x) || std::isnan(x)) return false;
    return x < -FloatMax<D>() || x > FloatMax<D>();
  }
}

template <typename D>
bool Int64Overflows(int64_t v) {
  if constexpr (std::is_same_v<D, bool>) {
    return false;
  } else if constexpr (std::is_integral_v<D>) {
    if constexpr (std::is_unsigned_v<D>) {
      // Negative values may wrap (PyTorch allows -255 for uint8).
      const uint64_t max = std::numeric_limits<D>::max();
      if (v < 0) return (uint64_t{0} - static_cast<uint64_t>(v)) > max;
      return static_cast<uint64_t>(v) > max;
    } else {
      return v < static_cast<int64_t>(std::numeric_limits<D>::min()) ||
             v > static_cast<int64_t>(std::numeric_limits<D>::max());
    }
  } else {
    const double x = static_cast<double>(v);
    return x < -FloatMax<D>() || x > FloatMax<D>();
  }
}

template <typename D>
bool ScalarOverflows(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kBool:
      return false;
    case Scalar::Kind::kInt:
      if constexpr (kIsComplexElement<D>) {
        return Int64Overflows<ElementComponent<D>>(s.to_int64());
      } else {
        return Int64Overflows<D>(s.to_int64());
      }
    case Scalar::Kind::kDouble:
      if constexpr (kIsComplexElement<D>) {
        return DoubleOverflows<ElementComponent<D>>(s.to_double());
      } else {
        return DoubleOverflows<D>(s.to_double());
      }
    case Scalar::Kind::kComplex: {
      const std::complex<double> c = s.to_complex();
      if constexpr (kIsComplexElement<D>) {
        return DoubleOverflows<ElementComponent<D>>(c.real()) ||
               DoubleOverflows<ElementComponent<D>>(c.imag());
      } else if constexpr (std::is_same_v<D, bool>) {
        return false;
      } else {
        return c.imag() != 0 || DoubleOverflows<D>(c.real());
      }
    }
  }
  return false;
}

template <typename S>
Scalar ToScalar(const S& v) {
  if constexpr (std::is_same_v<S, bool>) {
    return Scalar(v);
  } else if constexpr (std::is_integral_v<S>) {
    return Scalar(static_cast<int64_t>(v));
  } else if constexpr (kIsComplexElement<S>) {
    return Scalar(std::complex<double>(AsDouble(RealPart(v)), AsDouble(ImagPart(v))));
  } else {
    return Scalar(AsDouble(v));
  }
}

absl::Status Unsupported(ScalarType dtype, absl::string_view what) {
  return absl::UnimplementedError(absl::StrCat(
      what, " is not supported for dtype ", DtypeName(dtype)));
}

absl::Status RequireCpu(const Tensor& t, absl::string_view op) {
  if (!t.device().is_cpu()) {
    return absl::FailedPreconditionError(absl::StrCat(
        op, " needs a CPU tensor, got one on ", t.device().ToString()));
  }
  if (ElementsPerByte(t.dtype()) > 1) {
    return absl::UnimplementedError(absl::StrCat(
        op, ": ", DtypeName(t.dtype()), " packs ", ElementsPerByte(t.dtype()),
        " values per byte; ptser loads and saves such tensors but does not compute on them"));
  }
  return absl::OkStatus();
}

// Converts src's elements into dst's (same shape, CPU, dst writable and
// not aliasing src, no conj/neg bits on either).
void ConvertStrided(const Tensor& dst, const Tensor& src) {
  char* d = static_cast<char*>(dst.mutable_data());
  const char* s = static_cast<const char*>(src.data());
  Dispatch(src.dtype(), [&](auto src_tag) {
    using S = typename decltype(src_tag)::type;
    Dispatch(dst.dtype(), [&](auto dst_tag) {
      using D = typename decltype(dst_tag)::type;
      const int64_t ssize = static_cast<int64_t>(sizeof(S));
      const int64_t dsize = static_cast<int64_t>(sizeof(D));
      internal::ForEachRun(
          dst.sizes(), dst.strides(), src.strides(),
          [&](int64_t od, int64_t os, int64_t n, int64_t sd, int64_t ss) {
            char* dp = d + od * dsize;
            const char* sp = s + os * ssize;
            for (int64_t i = 0; i < n; ++i) {
              Store<D>(dp + i * sd * dsize,
                       Convert<D>(Load<S>(sp + i * ss * ssize)));
            }
          });
    });
  });
}

// Byte offset of t[index] from t.data(), validating the index.
absl::StatusOr<int64_t> ElementByteOffset(const Tensor& t,
                                          absl::Span<const int64_t> index) {
  if (static_cast<int64_t>(index.size()) != t.dim()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected ", t.dim(), " indices for a tensor of size ",
        ShapeToString(t.sizes()), ", got ", index.size()));
  }
  int64_t offset = 0;
  for (int64_t d = 0; d < t.dim(); ++d) {
    int64_t i = index[d];
    const int64_t size = t.sizes()[d];
    if (i < -size || i >= size) {
      return absl::OutOfRangeError(absl::StrCat(
          "index ", i, " is out of bounds for dimension ", d, " with size ",
          size));
    }
    if (i < 0) i += size;
    offset += i * t.strides()[d];  // in range: numel > 0, layout validated
  }
  return offset * static_cast<int64_t>(t.itemsize());
}

}  // namespace

bool IsCastSupported(ScalarType dtype) {
  return Dispatch(dtype, [](auto) {});
}

absl::StatusOr<Tensor> Cast(const Tensor& t, ScalarType dtype) {
  if (!IsCastSupported(t.dtype())) return Unsupported(t.dtype(), "Cast");
  if (!IsCastSupported(dtype)) return Unsupported(dtype, "Cast");
  if (dtype == t.dtype()) return t;
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "Cast"));
  Tensor src = t;
  if (t.is_neg() || t.is_conj()) {
    PTSER_ASSIGN_OR_RETURN(src, Clone(t));  // resolves the bits
  }
  PTSER_ASSIGN_OR_RETURN(Tensor out, EmptyLike(src, dtype));
  ConvertStrided(out, src);
  out.set_requires_grad(t.requires_grad() &&
                        (IsFloatingPoint(dtype) || IsComplex(dtype)));
  return out;
}

absl::Status CopyToBuffer(const Tensor& t, ScalarType dtype, void* out,
                          size_t out_bytes) {
  if (!IsCastSupported(t.dtype())) return Unsupported(t.dtype(), "reading");
  if (!IsCastSupported(dtype)) return Unsupported(dtype, "reading");
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "reading elements"));
  const uint64_t needed =
      static_cast<uint64_t>(t.numel()) * ElementSize(dtype);
  if (out_bytes < needed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "output buffer of ", out_bytes, " bytes is too small for ",
        t.numel(), " elements of ", DtypeName(dtype)));
  }
  if (t.numel() == 0) return absl::OkStatus();
  PTSER_ASSIGN_OR_RETURN(
      Tensor dst,
      Tensor::Make(Storage::Borrow(out, static_cast<size_t>(needed), nullptr),
                   dtype, 0, t.sizes(), Tensor::ContiguousStrides(t.sizes())));
  if (dtype == t.dtype()) return CopyInto(dst, t);
  Tensor src = t;
  if (t.is_neg() || t.is_conj()) {
    PTSER_ASSIGN_OR_RETURN(src, Clone(t));
  }
  ConvertStrided(dst, src);
  return absl::OkStatus();
}

absl::StatusOr<Scalar> LoadScalar(const void* p, ScalarType dtype) {
  Scalar out;
  const char* bytes = static_cast<const char*>(p);
  if (!Dispatch(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        out = ToScalar(Load<T>(bytes));
      })) {
    return Unsupported(dtype, "reading an element");
  }
  return out;
}

absl::Status StoreScalar(void* p, ScalarType dtype, const Scalar& value) {
  absl::Status status;
  char* bytes = static_cast<char*>(p);
  if (!Dispatch(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        if (ScalarOverflows<T>(value)) {
          status = absl::InvalidArgumentError(absl::StrCat(
              "value ", value.ToString(), " cannot be converted to type ",
              CppTypeName<T>(), " without overflow"));
          return;
        }
        Store<T>(bytes, ScalarToElement<T>(value));
      })) {
    return Unsupported(dtype, "writing an element");
  }
  return status;
}

absl::StatusOr<Scalar> GetElement(const Tensor& t,
                                  absl::Span<const int64_t> index) {
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "GetElement"));
  PTSER_ASSIGN_OR_RETURN(int64_t offset, ElementByteOffset(t, index));
  const char* p = static_cast<const char*>(t.data()) + offset;
  Scalar out;
  if (!Dispatch(t.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        out = ToScalar(ApplyBits(Load<T>(p), t.is_neg(), t.is_conj()));
      })) {
    return Unsupported(t.dtype(), "reading an element");
  }
  return out;
}

absl::Status SetElement(const Tensor& t, absl::Span<const int64_t> index,
                        const Scalar& value) {
  PTSER_RETURN_IF_ERROR(RequireCpu(t, "SetElement"));
  if (t.storage().is_read_only()) {
    return absl::FailedPreconditionError(
        "SetElement: the tensor's storage is read-only");
  }
  PTSER_ASSIGN_OR_RETURN(int64_t offset, ElementByteOffset(t, index));
  char* p = static_cast<char*>(t.mutable_data()) + offset;
  absl::Status status;
  if (!Dispatch(t.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        if (ScalarOverflows<T>(value)) {
          status = absl::InvalidArgumentError(absl::StrCat(
              "value ", value.ToString(), " cannot be converted to type ",
              CppTypeName<T>(), " without overflow"));
          return;
        }
        // Store the value whose neg/conj view is `value`.
        Store<T>(p, ApplyBits(ScalarToElement<T>(value), t.is_neg(), t.is_conj()));
      })) {
    return Unsupported(t.dtype(), "writing an element");
  }
  return status;
}

}  // namespace ptser
