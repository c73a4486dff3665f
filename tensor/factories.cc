// Copyright ptser authors.
//
// tensor/factories.cc — tensor creation.

#include "tensor/factories.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "tensor/half.h"

namespace ptser {
namespace {

// A contiguous zero-filled tensor; the size checks documented in the header.
absl::StatusOr<Tensor> AllocateContiguous(absl::Span<const int64_t> sizes,
                                          ScalarType dtype) {
  if (!ScalarTypeFromCode(static_cast<int64_t>(dtype)).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid dtype code ", static_cast<int>(dtype)));
  }
  PTSER_ASSIGN_OR_RETURN(int64_t numel, CheckedNumel(sizes));
  int64_t nbytes = 0;
  if (__builtin_mul_overflow(numel, static_cast<int64_t>(ElementSize(dtype)),
                             &nbytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Storage size calculation overflowed with sizes=",
                     ShapeToString(sizes)));
  }
  PTSER_ASSIGN_OR_RETURN(Storage storage,
                         Storage::Allocate(static_cast<size_t>(nbytes)));
  return Tensor::Make(std::move(storage), dtype, 0,
                      std::vector<int64_t>(sizes.begin(), sizes.end()),
                      Tensor::ContiguousStrides(sizes));
}

// Fills every element of contiguous `t` with the element bytes at `first`
// (already stored in element 0), doubling the copied prefix each step.
void Replicate(const Tensor& t) {
  const size_t item = t.itemsize();
  const size_t total = static_cast<size_t>(t.numel()) * item;
  char* p = static_cast<char*>(t.mutable_data());
  size_t done = item;
  while (done < total) {
    const size_t n = std::min(done, total - done);
    std::memcpy(p + done, p, n);
    done += n;
  }
}

absl::Status NotFloating(absl::string_view op, ScalarType dtype) {
  return absl::InvalidArgumentError(absl::StrCat(
      op, ": dtype ", DtypeName(dtype),
      " is not a floating-point or complex dtype"));
}

// Uniform [0, 1) with `bits` random bits (so it is exact in the target).
double Uniform(std::mt19937_64& gen, int bits) {
  return std::ldexp(static_cast<double>(gen() >> (64 - bits)), -bits);
}

// Mantissa bits (incl. the implicit one) of each real floating dtype.
int UniformBits(ScalarType component) {
  switch (component) {
    case ScalarType::kHalf: return 11;
    case ScalarType::kBFloat16: return 8;
    case ScalarType::kFloat: return 24;
    default: return 53;
  }
}

ScalarType ComponentType(ScalarType dtype) {
  switch (dtype) {
    case ScalarType::kComplexHalf: return ScalarType::kHalf;
    case ScalarType::kComplexFloat: return ScalarType::kFloat;
    case ScalarType::kComplexDouble: return ScalarType::kDouble;
    default: return dtype;
  }
}

bool IsRandomDtype(ScalarType dtype) {
  switch (dtype) {
    case ScalarType::kHalf:
    case ScalarType::kBFloat16:
    case ScalarType::kFloat:
    case ScalarType::kDouble:
    case ScalarType::kComplexHalf:
    case ScalarType::kComplexFloat:
    case ScalarType::kComplexDouble:
      return true;
    default:
      return false;
  }
}

// Writes `v` as one real component of type `component` at `p`.
void StoreComponent(char* p, ScalarType component, double v) {
  switch (component) {
    case ScalarType::kHalf: StoreHalf(p, static_cast<float>(v)); break;
    case ScalarType::kBFloat16: StoreBFloat16(p, static_cast<float>(v)); break;
    case ScalarType::kFloat: {
      const float f = static_cast<float>(v);
      std::memcpy(p, &f, sizeof(f));
      break;
    }
    default:
      std::memcpy(p, &v, sizeof(v));
      break;
  }
}

// Fills a new tensor with numel * (1 or 2) component values from `next`.
template <typename Next>
absl::StatusOr<Tensor> FillRandom(absl::Span<const int64_t> sizes,
                                  ScalarType dtype, Next&& next) {
  PTSER_ASSIGN_OR_RETURN(Tensor t, AllocateContiguous(sizes, dtype));
  const ScalarType component = ComponentType(dtype);
  const size_t csize = ElementSize(component);
  const int64_t count = t.numel() * (IsComplex(dtype) ? 2 : 1);
  char* p = static_cast<char*>(t.mutable_data());
  for (int64_t i = 0; i < count; ++i) {
    StoreComponent(p + i * csize, component, next(component));
  }
  return t;
}

bool IsIntegralKind(const Scalar& s) { return s.is_bool() || s.is_integral(); }

// The value of `s` truncated to int64, or an overflow error (c10's
// Scalar::to<int64_t>).
absl::StatusOr<int64_t> ArangeInt(const Scalar& s) {
  if (IsIntegralKind(s)) return s.to_int64();
  const double d = s.to_double();
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "value ", s.ToString(),
        " cannot be converted to type int64_t without overflow"));
  }
  return static_cast<int64_t>(d);
}

}  // namespace

absl::StatusOr<Tensor> Empty(absl::Span<const int64_t> sizes,
                             ScalarType dtype) {
  return AllocateContiguous(sizes, dtype);
}

absl::StatusOr<Tensor> Zeros(absl::Span<const int64_t> sizes,
                             ScalarType dtype) {
  return AllocateContiguous(sizes, dtype);
}

absl::StatusOr<Tensor> Ones(absl::Span<const int64_t> sizes,
                            ScalarType dtype) {
  return Full(sizes, Scalar(int64_t{1}), dtype);
}

ScalarType FullDtype(const Scalar& value) {
  switch (value.kind()) {
    case Scalar::Kind::kBool:
      return ScalarType::kBool;
    case Scalar::Kind::kInt:
      return ScalarType::kLong;
    case Scalar::Kind::kDouble:
      return ScalarType::kFloat;
    case Scalar::Kind::kComplex:
      return ScalarType::kComplexFloat;
  }
  return ScalarType::kFloat;
}

absl::StatusOr<Tensor> Full(absl::Span<const int64_t> sizes,
                            const Scalar& fill,
                            std::optional<ScalarType> dtype) {
  const ScalarType type = dtype.value_or(FullDtype(fill));
  if (!IsCastSupported(type)) {
    return absl::UnimplementedError(absl::StrCat(
        "filling is not supported for dtype ", DtypeName(type)));
  }
  // Check the value before allocating (an empty tensor still rejects it).
  char probe[16];
  PTSER_RETURN_IF_ERROR(StoreScalar(probe, type, fill));
  PTSER_ASSIGN_OR_RETURN(Tensor t, AllocateContiguous(sizes, type));
  if (t.numel() == 0) return t;
  std::memcpy(t.mutable_data(), probe, t.itemsize());
  Replicate(t);
  return t;
}

absl::StatusOr<Tensor> Arange(const Scalar& end) {
  return Arange(Scalar(int64_t{0}), end);
}

absl::StatusOr<Tensor> Arange(const Scalar& start, const Scalar& end,
                              const Scalar& step,
                              std::optional<ScalarType> dtype) {
  if (start.is_complex() || end.is_complex() || step.is_complex()) {
    return absl::InvalidArgumentError(
        "arange: complex start, end or step is not supported");
  }
  const ScalarType type = dtype.value_or(
      IsIntegralKind(start) && IsIntegralKind(end) && IsIntegralKind(step)
          ? ScalarType::kLong
          : ScalarType::kFloat);
  const bool integral = IsIntegral(type, /*include_bool=*/false);
  const bool floating = type == ScalarType::kHalf ||
                        type == ScalarType::kBFloat16 ||
                        type == ScalarType::kFloat ||
                        type == ScalarType::kDouble;
  if (!integral && !floating) {
    return absl::UnimplementedError(absl::StrCat(
        "arange is not implemented for dtype ", DtypeName(type)));
  }

  if (integral) {
    // Computation type int64 (PyTorch's accscalar_t for integer dtypes).
    PTSER_ASSIGN_OR_RETURN(int64_t xstart, ArangeInt(start));
    PTSER_ASSIGN_OR_RETURN(int64_t xend, ArangeInt(end));
    PTSER_ASSIGN_OR_RETURN(int64_t xstep, ArangeInt(step));
    if (xstep == 0) return absl::InvalidArgumentError("step must be nonzero");
    if (!((xstep > 0 && xend >= xstart) || (xstep < 0 && xend <= xstart))) {
      return absl::InvalidArgumentError(
          "upper bound and larger bound inconsistent with step sign");
    }
    int64_t n = 0;
    if (type == ScalarType::kLong) {
      // Exact ceil((end - start) / step); the signs agree here.
      const __int128 diff = static_cast<__int128>(xend) - xstart;
      const __int128 s = xstep;
      __int128 q = diff / s;
      if (q * s != diff) ++q;
      // q <= 2^64 - 1 (|step| >= 1); it must also fit an int64 size.
      if (q > std::numeric_limits<int64_t>::max()) {
        return absl::InvalidArgumentError("invalid size, possible overflow?");
      }
      n = static_cast<int64_t>(q);
    } else {
      const double size_d =
          std::ceil((end.to_double() - start.to_double()) / step.to_double());
      if (!(size_d >= 0 &&
            size_d <= static_cast<double>(std::numeric_limits<int64_t>::max()))) {
        return absl::InvalidArgumentError("invalid size, possible overflow?");
      }
      n = static_cast<int64_t>(size_d);
    }
    const int64_t sizes[] = {n};
    PTSER_ASSIGN_OR_RETURN(Tensor t, AllocateContiguous(sizes, type));
    char* p = static_cast<char*>(t.mutable_data());
    const size_t item = t.itemsize();
    for (int64_t i = 0; i < n; ++i) {
      // Wrapping int64 arithmetic, then the low bits of the element type.
      const uint64_t v = static_cast<uint64_t>(xstart) +
                         static_cast<uint64_t>(i) * static_cast<uint64_t>(xstep);
      std::memcpy(p + i * item, &v, item);  // little-endian low bytes
    }
    return t;
  }

  // Floating output: compute in double (float for float16/bfloat16).
  const bool reduced =
      type == ScalarType::kHalf || type == ScalarType::kBFloat16;
  double xstart = start.to_double();
  double xend = end.to_double();
  double xstep = step.to_double();
  if (reduced) {
    for (const Scalar* s : {&start, &end, &step}) {
      const double v = s->to_double();
      if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "value ", s->ToString(),
            " cannot be converted to type float without overflow"));
      }
    }
    xstart = static_cast<float>(xstart);
    xend = static_cast<float>(xend);
    xstep = static_cast<float>(xstep);
  }
  if (!(xstep > 0 || xstep < 0)) {
    return absl::InvalidArgumentError("step must be nonzero");
  }
  if (!std::isfinite(xstart) || !std::isfinite(xend)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported range: ", start.ToString(), " -> ", end.ToString()));
  }
  if (!((xstep > 0 && xend >= xstart) || (xstep < 0 && xend <= xstart))) {
    return absl::InvalidArgumentError(
        "upper bound and larger bound inconsistent with step sign");
  }
  const double size_d =
      std::ceil((end.to_double() - start.to_double()) / step.to_double());
  if (!(size_d >= 0 &&
        size_d <= static_cast<double>(std::numeric_limits<int64_t>::max()))) {
    return absl::InvalidArgumentError("invalid size, possible overflow?");
  }
  const int64_t sizes[] = {static_cast<int64_t>(size_d)};
  PTSER_ASSIGN_OR_RETURN(Tensor t, AllocateContiguous(sizes, type));
  char* p = static_cast<char*>(t.mutable_data());
  const size_t item = t.itemsize();
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) {
    if (reduced) {
      const float v = static_cast<float>(xstart) +
                      static_cast<float>(xstep) * static_cast<float>(i);
      StoreComponent(p + i * item, type, v);
    } else {
      StoreComponent(p + i * item, type, xstart + xstep * static_cast<double>(i));
    }
  }
  return t;
}

absl::StatusOr<Tensor> Rand(absl::Span<const int64_t> sizes, uint64_t seed,
                            ScalarType dtype) {
  if (!IsRandomDtype(dtype)) return NotFloating("Rand", dtype);
  std::mt19937_64 gen(seed);
  return FillRandom(sizes, dtype, [&](ScalarType component) {
    return Uniform(gen, UniformBits(component));
  });
}

absl::StatusOr<Tensor> Randn(absl::Span<const int64_t> sizes, uint64_t seed,
                             ScalarType dtype) {
  if (!IsRandomDtype(dtype)) return NotFloating("Randn", dtype);
  std::mt19937_64 gen(seed);
  const double scale = IsComplex(dtype) ? std::sqrt(0.5) : 1.0;
  bool have_spare = false;
  double spare = 0;
  return FillRandom(sizes, dtype, [&](ScalarType) {
    if (have_spare) {
      have_spare = false;
      return spare * scale;
    }
    // Box-Muller: u1 in (0, 1] so the log is finite.
    const double u1 = 1.0 - Uniform(gen, 53);
    const double u2 = Uniform(gen, 53);
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 6.283185307179586 * u2;  // 2 pi
    spare = r * std::sin(theta);
    have_spare = true;
    return r * std::cos(theta) * scale;
  });
}

absl::StatusOr<Tensor> FromBytes(ScalarType dtype, const void* data,
                                 size_t nbytes,
                                 absl::Span<const int64_t> sizes) {
  PTSER_ASSIGN_OR_RETURN(Tensor t, AllocateContiguous(sizes, dtype));
  const size_t needed = static_cast<size_t>(t.numel()) * t.itemsize();
  if (nbytes != needed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FromBytes: ", nbytes, " bytes do not match a ", DtypeName(dtype),
        " tensor of size ", ShapeToString(sizes), " (", needed, " bytes)"));
  }
  if (needed > 0) std::memcpy(t.mutable_data(), data, needed);
  return t;
}

absl::StatusOr<Tensor> TensorFromValues(ScalarType dtype,
                                        absl::Span<const Scalar> values,
                                        absl::Span<const int64_t> sizes) {
  if (!IsCastSupported(dtype)) {
    return absl::UnimplementedError(absl::StrCat(
        "TensorFromValues is not supported for dtype ", DtypeName(dtype)));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor t, AllocateContiguous(sizes, dtype));
  if (static_cast<size_t>(t.numel()) != values.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        values.size(), " values do not fill a tensor of size ",
        ShapeToString(sizes), " (", t.numel(), " elements)"));
  }
  char* p = static_cast<char*>(t.mutable_data());
  for (size_t i = 0; i < values.size(); ++i) {
    PTSER_RETURN_IF_ERROR(StoreScalar(p + i * t.itemsize(), dtype, values[i]));
  }
  return t;
}

}  // namespace ptser
