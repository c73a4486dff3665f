// Copyright ptser authors.
//
// tensor/ops/arithmetic.cc — add/sub/mul/div kernels and their dtype rules.

#include "tensor/ops/arithmetic.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using ops_internal::BinaryDtypeInfo;
using ops_internal::BinaryDtypes;
using ops_internal::BinaryOpSpec;
using ops_internal::Convert;
using ops_internal::DispatchDtype;
using ops_internal::kAllTypes;
using ops_internal::kIsComplex;
using ops_internal::kRealTypes;
using ops_internal::Map;
using ops_internal::Operand;
using ops_internal::OpMath;

// Integer arithmetic that wraps instead of overflowing (no UB).
template <typename T>
T WrapAdd(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
template <typename T>
T WrapMul(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// c10::complex's textbook product (no C99 Annex G NaN recovery).
template <typename C>
C ComplexMul(C a, C b) {
  return C(a.real() * b.real() - a.imag() * b.imag(),
           a.real() * b.imag() + a.imag() * b.real());
}

// The textbook quotient, as PyTorch's vectorised CPU kernel computes it
// (bit-identical on float32 data; its scalar tail path fuses some products
// and can differ in the last bit).
template <typename C>
C ComplexDiv(C x, C y) {
  using V = typename C::value_type;
  const V a = x.real(), b = x.imag(), c = y.real(), d = y.imag();
  const V denominator = c * c + d * d;
  return C((a * c + b * d) / denominator, (b * c - a * d) / denominator);
}

Scalar Negate(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kBool:
    case Scalar::Kind::kInt:
      return Scalar(
          static_cast<int64_t>(0u - static_cast<uint64_t>(s.to_int64())));
    case Scalar::Kind::kDouble:
      return Scalar(-s.to_double());
    case Scalar::Kind::kComplex:
      return Scalar(-s.to_complex());
  }
  return s;
}

// PyTorch's alpha_check.
absl::Status CheckAlpha(ScalarType dtype, const Scalar& alpha) {
  if (alpha.is_bool() && dtype != ScalarType::kBool) {
    return absl::InvalidArgumentError(
        "Boolean alpha only supported for Boolean results.");
  }
  if (!IsFloatingPoint(dtype) && !IsComplex(dtype) &&
      !(alpha.is_integral() || alpha.is_bool())) {
    return absl::InvalidArgumentError(
        "For integral input tensors, argument alpha must not be a floating "
        "point number.");
  }
  if (!IsComplex(dtype) && alpha.is_complex()) {
    return absl::InvalidArgumentError(
        "For non-complex input tensors, argument alpha must not be a complex "
        "number.");
  }
  return absl::OkStatus();
}

// PyTorch's sub_check.
absl::Status CheckSub(const BinaryDtypeInfo& info) {
  if (info.a == ScalarType::kBool && info.b == ScalarType::kBool) {
    return absl::InvalidArgumentError(
        "Subtraction, the `-` operator, with two bool tensors is not "
        "supported. Use the `^` or `logical_xor()` operator instead.");
  }
  if (info.a == ScalarType::kBool || info.b == ScalarType::kBool) {
    return absl::InvalidArgumentError(
        "Subtraction, the `-` operator, with a bool tensor is not supported. "
        "If you are trying to invert a mask, use the `~` or `logical_not()` "
        "operator instead.");
  }
  return absl::OkStatus();
}

// out = a + alpha * b.
absl::Status AddKernel(const Tensor& out, const Tensor& a, const Tensor& b,
                       const Scalar& alpha) {
  return DispatchDtype<kAllTypes>(
      out.dtype(), "add", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        if constexpr (std::is_same_v<T, bool>) {
          const bool al = alpha.to_bool();
          Map<T, T, T>(out, [al](bool x, bool y) { return x || (al && y); },
                       {a, b});
        } else if constexpr (std::is_integral_v<T>) {
          const T al = Convert<T>(alpha.to_int64());
          Map<T, T, T>(out,
                       [al](T x, T y) { return WrapAdd(x, WrapMul(al, y)); },
                       {a, b});
        } else if constexpr (kIsComplex<T>) {
          const T al = Convert<T>(alpha.to_complex());
          Map<T, T, T>(out, [al](T x, T y) { return x + ComplexMul(al, y); },
                       {a, b});
        } else {
          // One rounding, like PyTorch's vectorised fmadd.  With alpha 1
          // or -1 that is exactly x + y or x - y, which the compiler can
          // vectorise (std::fma without FMA instructions is a call).
          const M al = static_cast<M>(alpha.to_double());
          if (al == M(1)) {
            Map<T, T, T>(
                out, [](T x, T y) { return T(static_cast<M>(x) + static_cast<M>(y)); }, {a, b});
          } else if (al == M(-1)) {
            Map<T, T, T>(
                out, [](T x, T y) { return T(static_cast<M>(x) - static_cast<M>(y)); }, {a, b});
          } else {
            Map<T, T, T>(
                out,
                [al](T x, T y) {
                  return T(std::fma(al, static_cast<M>(y), static_cast<M>(x)));
                },
                {a, b});
          }
        }
        return absl::OkStatus();
      });
}

BinaryOpSpec AddSpec(const Scalar& alpha, bool is_sub) {
  // Sub is add with -alpha (after its own check).
  const Scalar effective = is_sub ? Negate(alpha) : alpha;
  BinaryOpSpec spec;
  spec.name = is_sub ? "sub" : "add";
  spec.dtypes =
      [alpha,
       is_sub](const BinaryDtypeInfo& info) -> absl::StatusOr<BinaryDtypes> {
    if (is_sub) PTSER_RETURN_IF_ERROR(CheckSub(info));
    PTSER_RETURN_IF_ERROR(CheckAlpha(info.common, alpha));
    return BinaryDtypes{info.common, info.common};
  };
  spec.kernel = [effective](const Tensor& out, const Tensor& a,
                            const Tensor& b) {
    return AddKernel(out, a, b, effective);
  };
  return spec;
}

BinaryOpSpec MulSpec() {
  BinaryOpSpec spec;
  spec.name = "mul";
  spec.kernel = [](const Tensor& out, const Tensor& a, const Tensor& b) {
    return DispatchDtype<
        kAllTypes>(out.dtype(), "mul", [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      using M = OpMath<T>;
      if constexpr (std::is_same_v<T, bool>) {
        Map<T, T, T>(out, [](bool x, bool y) { return x && y; }, {a, b});
      } else if constexpr (std::is_integral_v<T>) {
        Map<T, T, T>(out, [](T x, T y) { return WrapMul(x, y); }, {a, b});
      } else if constexpr (kIsComplex<T>) {
        Map<T, T, T>(out, [](T x, T y) { return ComplexMul(x, y); }, {a, b});
      } else {
        Map<T, T, T>(
            out,
            [](T x, T y) { return T(static_cast<M>(x) * static_cast<M>(y)); },
            {a, b});
      }
      return absl::OkStatus();
    });
  };
  return spec;
}

// Python's float floor division (CPython's float_floor_div, which PyTorch
// follows): exact modulo first, then a correctly rounded floor.
template <typename M>
M FloorDivFloat(M a, M b) {
  if (b == 0) return a / b;
  const M mod = std::fmod(a, b);
  M div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= M(1);
  if (div == 0) return std::copysign(M(0), a / b);
  M floordiv = std::floor(div);
  if (div - floordiv > M(0.5)) floordiv += M(1);
  return floordiv;
}

template <typename T>
T TruncDivInt(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return static_cast<T>(0u - static_cast<uint64_t>(a));
  }
  return static_cast<T>(a / b);
}

template <typename T>
T FloorDivInt(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return static_cast<T>(0u - static_cast<uint64_t>(a));
    T q = static_cast<T>(a / b);
    if (a % b != 0 && ((a < 0) != (b < 0))) --q;
    return q;
  } else {
    return static_cast<T>(a / b);
  }
}

absl::Status DivTrueKernel(const Tensor& out, const Tensor& a,
                           const Tensor& b) {
  using ops_internal::kComplexTypes;
  using ops_internal::kFloatingTypes;
  using ops_internal::kReducedFloatingTypes;
  return DispatchDtype<kFloatingTypes | kReducedFloatingTypes | kComplexTypes>(
      out.dtype(), "div_true", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        if constexpr (kIsComplex<T>) {
          Map<T, T, T>(out, [](T x, T y) { return ComplexDiv(x, y); }, {a, b});
        } else {
          Map<T, T, T>(
              out,
              [](T x, T y) { return T(static_cast<M>(x) / static_cast<M>(y)); },
              {a, b});
        }
        return absl::OkStatus();
      });
}

absl::Status DivRoundingKernel(const Tensor& out, const Tensor& a,
                               const Tensor& b, RoundingMode mode) {
  const bool trunc = mode == RoundingMode::kTrunc;
  return DispatchDtype<kRealTypes>(
      out.dtype(), trunc ? "div_trunc_cpu" : "div_floor_cpu",
      [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        if constexpr (std::is_integral_v<T>) {
          bool divided_by_zero = false;
          Map<T, T, T>(out,
                       [&divided_by_zero, trunc](T x, T y) -> T {
                         if (y == 0) {
                           divided_by_zero = true;
                           return T(0);
                         }
                         return trunc ? TruncDivInt(x, y) : FloorDivInt(x, y);
                       },
                       {a, b});
          if (divided_by_zero) {
            return absl::InvalidArgumentError("ZeroDivisionError");
          }
        } else {
          Map<T, T, T>(
              out,
              [trunc](T x, T y) {
                const M mx = static_cast<M>(x);
                const M my = static_cast<M>(y);
                return T(trunc ? std::trunc(mx / my) : FloorDivFloat(mx, my));
              },
              {a, b});
        }
        return absl::OkStatus();
      });
}

BinaryOpSpec DivSpec(RoundingMode mode) {
  BinaryOpSpec spec;
  spec.name = "div";
  spec.dtypes =
      [mode](const BinaryDtypeInfo& info) -> absl::StatusOr<BinaryDtypes> {
    ScalarType dtype = info.common;
    if (mode == RoundingMode::kNone &&
        IsIntegral(dtype, /*include_bool=*/true)) {
      dtype = kDefaultFloatDtype;
    }
    return BinaryDtypes{dtype, dtype};
  };
  spec.kernel_can_fail = mode != RoundingMode::kNone;
  spec.kernel = [mode](const Tensor& out, const Tensor& a, const Tensor& b) {
    if (mode == RoundingMode::kNone) return DivTrueKernel(out, a, b);
    return DivRoundingKernel(out, a, b, mode);
  };
  return spec;
}

}  // namespace

absl::StatusOr<Tensor> Add(const Tensor& self, const Tensor& other,
                           const Scalar& alpha) {
  return ops_internal::RunBinary(AddSpec(alpha, false), self, other);
}
absl::StatusOr<Tensor> Add(const Tensor& self, const Scalar& other,
                           const Scalar& alpha) {
  return ops_internal::RunBinary(AddSpec(alpha, false), self, other);
}
absl::StatusOr<Tensor> Add(const Scalar& self, const Tensor& other,
                           const Scalar& alpha) {
  return ops_internal::RunBinary(AddSpec(alpha, false), self, other);
}
absl::Status AddInplace(const Tensor& self, const Tensor& other,
                        const Scalar& alpha) {
  return ops_internal::RunBinaryInplace(AddSpec(alpha, false), self, other);
}
absl::Status AddInplace(const Tensor& self, const Scalar& other,
                        const Scalar& alpha) {
  return ops_internal::RunBinaryInplace(AddSpec(alpha, false), self, other);
}

absl::StatusOr<Tensor> Sub(const Tensor& self, const Tensor& other,
                           const Scalar& alpha) {
  return ops_internal::RunBinary(AddSpec(alpha, true), self, other);
}
absl::StatusOr<Tensor> Sub(const Tensor& self, const Scalar& other,
                           const Scalar& alpha) {
  return ops_internal::RunBinary(AddSpec(alpha, true), self, other);
}
absl::StatusOr<Tensor> Sub(const Scalar& self, const Tensor& other,
                           const Scalar& alpha) {
  return ops_internal::RunBinary(AddSpec(alpha, true), self, other);
}
absl::Status SubInplace(const Tensor& self, const Tensor& other,
                        const Scalar& alpha) {
  return ops_internal::RunBinaryInplace(AddSpec(alpha, true), self, other);
}
absl::Status SubInplace(const Tensor& self, const Scalar& other,
                        const Scalar& alpha) {
  return ops_internal::RunBinaryInplace(AddSpec(alpha, true), self, other);
}

absl::StatusOr<Tensor> Mul(const Tensor& self, const Tensor& other) {
  return ops_internal::RunBinary(MulSpec(), self, other);
}
absl::StatusOr<Tensor> Mul(const Tensor& self, const Scalar& other) {
  return ops_internal::RunBinary(MulSpec(), self, other);
}
absl::StatusOr<Tensor> Mul(const Scalar& self, const Tensor& other) {
  return ops_internal::RunBinary(MulSpec(), self, other);
}
absl::Status MulInplace(const Tensor& self, const Tensor& other) {
  return ops_internal::RunBinaryInplace(MulSpec(), self, other);
}
absl::Status MulInplace(const Tensor& self, const Scalar& other) {
  return ops_internal::RunBinaryInplace(MulSpec(), self, other);
}

absl::StatusOr<RoundingMode> ParseRoundingMode(absl::string_view name) {
  if (name.empty()) return RoundingMode::kNone;
  if (name == "trunc") return RoundingMode::kTrunc;
  if (name == "floor") return RoundingMode::kFloor;
  return absl::InvalidArgumentError(
      absl::StrCat("div expected rounding_mode to be one of None, 'trunc', or "
                   "'floor' but found '",
                   name, "'"));
}

absl::StatusOr<Tensor> Div(const Tensor& self, const Tensor& other,
                           RoundingMode mode) {
  return ops_internal::RunBinary(DivSpec(mode), self, other);
}
absl::StatusOr<Tensor> Div(const Tensor& self, const Scalar& other,
                           RoundingMode mode) {
  return ops_internal::RunBinary(DivSpec(mode), self, other);
}
absl::StatusOr<Tensor> Div(const Scalar& self, const Tensor& other,
                           RoundingMode mode) {
  return ops_internal::RunBinary(DivSpec(mode), self, other);
}
absl::Status DivInplace(const Tensor& self, const Tensor& other,
                        RoundingMode mode) {
  return ops_internal::RunBinaryInplace(DivSpec(mode), self, other);
}
absl::Status DivInplace(const Tensor& self, const Scalar& other,
                        RoundingMode mode) {
  return ops_internal::RunBinaryInplace(DivSpec(mode), self, other);
}

}  // namespace ptser
