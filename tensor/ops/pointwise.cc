// Copyright ptser authors.
//
// tensor/ops/pointwise.cc — pow, remainder, fmod, floor_divide, minimum,
// maximum, fmin, fmax, atan2.

#include "tensor/ops/pointwise.h"

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/unary_op.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

constexpr uint32_t kFloatGroups = kFloatingTypes | kReducedFloatingTypes;

template <typename T>
T WrapMul(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// PyTorch's powi: exact integer powers with wrap-around.
template <typename T>
T IntPow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (-(exp + 1)) % 2 == 0 ? T(-1) : T(1);
      return 0;
    }
  }
  T result = 1;
  while (exp != 0) {
    if (exp & 1) result = WrapMul(result, base);
    exp = static_cast<T>(exp / 2);
    base = WrapMul(base, base);
  }
  return result;
}

// A binary kernel over the real dtypes of kGroups: f(x, y) on OpMath<T>.
template <uint32_t kGroups, typename F>
absl::Status SameTypeKernel(const Tensor& out, const Tensor& a, const Tensor& b,
                            absl::string_view name, F f) {
  return DispatchDtype<kGroups>(out.dtype(), name, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using M = OpMath<T>;
    Map<T, T, T>(out, [&f](T x, T y) { return static_cast<T>(f(static_cast<M>(x), static_cast<M>(y))); },
                 {a, b});
    return absl::OkStatus();
  });
}

BinaryOpSpec PowSpec() {
  BinaryOpSpec spec;
  spec.name = "pow";
  spec.kernel = [](const Tensor& out, const Tensor& a, const Tensor& b) {
    return SameTypeKernel<kRealTypes>(out, a, b, "pow", [](auto x, auto y) -> decltype(x) {
      if constexpr (std::is_integral_v<decltype(x)>) {
        return IntPow(x, y);
      } else {
        return std::pow(x, y);
      }
    });
  };
  return spec;
}

// Integer remainder/fmod: false when dividing by zero.
template <typename T>
bool IntRemainder(T a, T b, bool python, T* out) {
  if (b == 0) return false;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) {
      *out = 0;
      return true;
    }
  }
  T r = static_cast<T>(a % b);
  if (python && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
  *out = r;
  return true;
}

BinaryOpSpec RemainderSpec(bool python) {
  BinaryOpSpec spec;
  spec.name = python ? "remainder_cpu" : "fmod_cpu";
  spec.kernel_can_fail = true;
  spec.kernel = [python](const Tensor& out, const Tensor& a, const Tensor& b) -> absl::Status {
    const char* name = python ? "remainder_cpu" : "fmod_cpu";
    return DispatchDtype<kRealTypes>(out.dtype(), name, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      using M = OpMath<T>;
      if constexpr (std::is_integral_v<T>) {
        bool by_zero = false;
        Map<T, T, T>(out,
                     [&by_zero, python](T x, T y) {
                       T r = 0;
                       if (!IntRemainder(x, y, python, &r)) by_zero = true;
                       return r;
                     },
                     {a, b});
        if (by_zero) return absl::InvalidArgumentError("ZeroDivisionError");
      } else {
        Map<T, T, T>(out,
                     [python](T x, T y) {
                       const M mx = static_cast<M>(x), my = static_cast<M>(y);
                       M mod = std::fmod(mx, my);
                       if (python && mod != 0 && ((my < 0) != (mod < 0))) mod += my;
                       return static_cast<T>(mod);
                     },
                     {a, b});
      }
      return absl::OkStatus();
    });
  };
  return spec;
}

enum class Extremum { kMin, kMax, kFmin, kFmax };

BinaryOpSpec ExtremumSpec(Extremum which) {
  static constexpr const char* kNames[] = {"minimum_cpu", "maximum_cpu", "fmin_cpu",
                                           "fmax_cpu"};
  BinaryOpSpec spec;
  spec.name = kNames[static_cast<int>(which)];
  spec.kernel = [which](const Tensor& out, const Tensor& a, const Tensor& b) {
    const char* name = kNames[static_cast<int>(which)];
    const bool is_max = which == Extremum::kMax || which == Extremum::kFmax;
    const bool ignore_nan = which == Extremum::kFmin || which == Extremum::kFmax;
    return SameTypeKernel<kBoolType | kRealTypes>(
        out, a, b, name, [is_max, ignore_nan](auto x, auto y) -> decltype(x) {
          using M = decltype(x);
          if constexpr (std::is_floating_point_v<M>) {
            if (std::isnan(x)) return ignore_nan ? y : x;
            if (std::isnan(y)) return ignore_nan ? x : y;
          }
          return is_max ? (x < y ? y : x) : (y < x ? y : x);
        });
  };
  return spec;
}

BinaryOpSpec Atan2Spec() {
  BinaryOpSpec spec;
  spec.name = "atan2_cpu";
  spec.dtypes = [](const BinaryDtypeInfo& info) -> absl::StatusOr<BinaryDtypes> {
    const ScalarType t =
        IsIntegral(info.common, /*include_bool=*/true) ? kDefaultFloatDtype : info.common;
    return BinaryDtypes{t, t};
  };
  spec.kernel = [](const Tensor& out, const Tensor& a, const Tensor& b) {
    return SameTypeKernel<kFloatGroups>(out, a, b, "atan2_cpu",
                                        [](auto x, auto y) -> decltype(x) { return std::atan2(x, y); });
  };
  return spec;
}

// pow(tensor, scalar) in `dtype` with PyTorch's shortcuts.
template <typename M>
M PowScalarFloat(M x, M e) {
  if (e == M(2)) return x * x;
  if (e == M(3)) return x * x * x;
  if (e == M(0.5)) return std::sqrt(x);
  if (e == M(-0.5)) return M(1) / std::sqrt(x);
  if (e == M(-1)) return M(1) / x;
  if (e == M(-2)) return M(1) / (x * x);
  return std::pow(x, e);
}

absl::StatusOr<ScalarType> PowScalarDtype(const Tensor& self, const Scalar& exponent) {
  PTSER_ASSIGN_OR_RETURN(ScalarType dtype, ResultType(self, exponent));
  if (IsIntegral(dtype, /*include_bool=*/true) && exponent.is_integral() &&
      exponent.to_int64() < 0) {
    return absl::InvalidArgumentError("Integers to negative integer powers are not allowed.");
  }
  if (dtype == ScalarType::kBool) return ScalarType::kLong;
  return dtype;
}

template <typename Run>
auto WithPowScalarFn(const Scalar& exponent, Run run) {
  const double e = exponent.is_bool() || exponent.is_integral()
                       ? static_cast<double>(exponent.to_int64())
                       : exponent.to_double();
  const int64_t ei = exponent.is_bool() || exponent.is_integral() ? exponent.to_int64() : 0;
  return run([e, ei](auto x) -> decltype(x) {
    using M = decltype(x);
    if constexpr (std::is_integral_v<M>) {
      return IntPow(x, static_cast<M>(ei));
    } else {
      return PowScalarFloat(x, static_cast<M>(e));
    }
  });
}

}  // namespace

absl::StatusOr<Tensor> Pow(const Tensor& self, const Tensor& exponent) {
  return RunBinary(PowSpec(), self, exponent);
}

absl::StatusOr<Tensor> Pow(const Tensor& self, const Scalar& exponent) {
  if (exponent.is_complex()) return UnsupportedDtypeError("pow", ScalarType::kComplexDouble);
  PTSER_ASSIGN_OR_RETURN(ScalarType dtype, PowScalarDtype(self, exponent));
  return WithPowScalarFn(exponent, [&](auto f) {
    return RunUnary<kRealTypes>(self, "pow", dtype, f);
  });
}

absl::StatusOr<Tensor> Pow(const Scalar& self, const Tensor& exponent) {
  return RunBinary(PowSpec(), self, exponent);
}

absl::Status PowInplace(const Tensor& self, const Tensor& exponent) {
  return RunBinaryInplace(PowSpec(), self, exponent);
}

absl::Status PowInplace(const Tensor& self, const Scalar& exponent) {
  if (exponent.is_complex()) return UnsupportedDtypeError("pow", ScalarType::kComplexDouble);
  PTSER_ASSIGN_OR_RETURN(ScalarType dtype, PowScalarDtype(self, exponent));
  return WithPowScalarFn(exponent, [&](auto f) {
    return RunUnaryInplace<kRealTypes>(self, "pow", dtype, f);
  });
}

#define PTSER_DEFINE_POINTWISE_(Name, spec)                                     \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Tensor& other) {        \
    return RunBinary(spec, self, other);                                        \
  }                                                                             \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Scalar& other) {        \
    return RunBinary(spec, self, other);                                        \
  }                                                                             \
  absl::Status Name##Inplace(const Tensor& self, const Tensor& other) {         \
    return RunBinaryInplace(spec, self, other);                                 \
  }                                                                             \
  absl::Status Name##Inplace(const Tensor& self, const Scalar& other) {         \
    return RunBinaryInplace(spec, self, other);                                 \
  }

PTSER_DEFINE_POINTWISE_(Remainder, RemainderSpec(true))
PTSER_DEFINE_POINTWISE_(Fmod, RemainderSpec(false))
PTSER_DEFINE_POINTWISE_(Atan2, Atan2Spec())

#undef PTSER_DEFINE_POINTWISE_

absl::StatusOr<Tensor> Remainder(const Scalar& self, const Tensor& other) {
  return RunBinary(RemainderSpec(true), self, other);
}

absl::StatusOr<Tensor> FloorDivide(const Tensor& self, const Tensor& other) {
  return Div(self, other, RoundingMode::kFloor);
}
absl::StatusOr<Tensor> FloorDivide(const Tensor& self, const Scalar& other) {
  return Div(self, other, RoundingMode::kFloor);
}
absl::Status FloorDivideInplace(const Tensor& self, const Tensor& other) {
  return DivInplace(self, other, RoundingMode::kFloor);
}
absl::Status FloorDivideInplace(const Tensor& self, const Scalar& other) {
  return DivInplace(self, other, RoundingMode::kFloor);
}

absl::StatusOr<Tensor> Minimum(const Tensor& self, const Tensor& other) {
  return RunBinary(ExtremumSpec(Extremum::kMin), self, other);
}
absl::StatusOr<Tensor> Maximum(const Tensor& self, const Tensor& other) {
  return RunBinary(ExtremumSpec(Extremum::kMax), self, other);
}
absl::StatusOr<Tensor> Fmin(const Tensor& self, const Tensor& other) {
  return RunBinary(ExtremumSpec(Extremum::kFmin), self, other);
}
absl::StatusOr<Tensor> Fmax(const Tensor& self, const Tensor& other) {
  return RunBinary(ExtremumSpec(Extremum::kFmax), self, other);
}

}  // namespace ptser
