// Copyright ptser authors.
//
// tensor/ops/unary.cc — elementwise math of one tensor.

#include "tensor/ops/unary.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/unary_op.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

constexpr uint32_t kFloatGroups = kFloatingTypes | kReducedFloatingTypes;

// The dtype a floating function computes in: integers and bool -> float32.
ScalarType FloatingDtype(ScalarType t) {
  return IsFloatingPoint(t) || IsComplex(t) ? t : kDefaultFloatDtype;
}

// Rounding: integers are returned as they are (a copy), bool refused.
template <typename F>
absl::StatusOr<Tensor> RunRounding(const Tensor& self, absl::string_view kernel, F f) {
  if (self.dtype() == ScalarType::kBool) return UnsupportedDtypeError(kernel, self.dtype());
  if (IsIntegral(self.dtype(), /*include_bool=*/false)) {
    return RunUnary<kIntegralTypes>(self, kernel, self.dtype(), [](auto x) { return x; });
  }
  return RunUnary<kFloatGroups>(self, kernel, self.dtype(), f);
}

template <typename F>
absl::Status RunRoundingInplace(const Tensor& self, absl::string_view kernel, F f) {
  if (self.dtype() == ScalarType::kBool) return UnsupportedDtypeError(kernel, self.dtype());
  if (IsIntegral(self.dtype(), /*include_bool=*/false)) {
    return CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), kernel);
  }
  return RunUnaryInplace<kFloatGroups>(self, kernel, self.dtype(), f);
}

// Wrapping integer negation and the like, never undefined behaviour.
template <typename I>
I WrapNeg(I v) {
  return static_cast<I>(0u - static_cast<uint64_t>(v));
}

// PyTorch's round with decimals (round_decimals_kernel).
template <typename M>
M RoundDecimals(M x, int64_t decimals) {
  const bool neg = decimals < 0;
  // Negated as a float (-INT64_MIN does not fit int64).
  const M ten_pow = static_cast<M>(
      std::pow(M(10), neg ? -static_cast<M>(decimals) : static_cast<M>(decimals)));
  return neg ? std::nearbyint(x / ten_pow) * ten_pow : std::nearbyint(x * ten_pow) / ten_pow;
}

template <typename T>
constexpr double LargestFinite() {
  if constexpr (std::is_same_v<T, Half>) {
    return 65504.0;
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return 3.3895313892515355e38;
  } else {
    return static_cast<double>(std::numeric_limits<T>::max());
  }
}

// A bool-valued predicate of each element.
template <typename P>
absl::StatusOr<Tensor> Predicate(const Tensor& self, absl::string_view name, P p) {
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, name));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), ScalarType::kBool));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kBoolType | kRealTypes>(
      self.dtype(), name, [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        Map<bool, T>(out, [&p](T v) { return p(static_cast<M>(v)); }, {in});
        return absl::OkStatus();
      }));
  return out;
}

template <typename M>
bool IsNanValue(M x) {
  if constexpr (std::is_floating_point_v<M>) {
    return std::isnan(x);
  } else {
    return false;
  }
}

}  // namespace

// ------------------------------------------------------ floating functions ---

#define PTSER_FLOATING_UNARY_(Name, name, expr)                                             \
  absl::StatusOr<Tensor> Name(const Tensor& self) {                                         \
    return RunUnary<kFloatGroups>(self, name, FloatingDtype(self.dtype()),                  \
                                  [](auto x) -> decltype(x) { return expr; });              \
  }                                                                                         \
  absl::Status Name##Inplace(const Tensor& self) {                                          \
    return RunUnaryInplace<kFloatGroups>(self, name, FloatingDtype(self.dtype()),           \
                                         [](auto x) -> decltype(x) { return expr; });       \
  }

PTSER_FLOATING_UNARY_(Exp, "exp", std::exp(x))
PTSER_FLOATING_UNARY_(Exp2, "exp2", std::exp2(x))
PTSER_FLOATING_UNARY_(Expm1, "expm1", std::expm1(x))
PTSER_FLOATING_UNARY_(Log, "log", std::log(x))
PTSER_FLOATING_UNARY_(Log2, "log2", std::log2(x))
PTSER_FLOATING_UNARY_(Log10, "log10", std::log10(x))
PTSER_FLOATING_UNARY_(Log1p, "log1p", std::log1p(x))
PTSER_FLOATING_UNARY_(Sqrt, "sqrt", std::sqrt(x))
PTSER_FLOATING_UNARY_(Rsqrt, "rsqrt", decltype(x)(1) / std::sqrt(x))
PTSER_FLOATING_UNARY_(Sin, "sin", std::sin(x))
PTSER_FLOATING_UNARY_(Cos, "cos", std::cos(x))
PTSER_FLOATING_UNARY_(Tan, "tan", std::tan(x))
PTSER_FLOATING_UNARY_(Asin, "asin", std::asin(x))
PTSER_FLOATING_UNARY_(Acos, "acos", std::acos(x))
PTSER_FLOATING_UNARY_(Atan, "atan", std::atan(x))
PTSER_FLOATING_UNARY_(Sinh, "sinh", std::sinh(x))
PTSER_FLOATING_UNARY_(Cosh, "cosh", std::cosh(x))
PTSER_FLOATING_UNARY_(Erf, "erf", std::erf(x))
PTSER_FLOATING_UNARY_(Erfc, "erfc", std::erfc(x))
PTSER_FLOATING_UNARY_(Reciprocal, "reciprocal", decltype(x)(1) / x)

#undef PTSER_FLOATING_UNARY_

// ---------------------------------------------------------------- rounding ---

#define PTSER_ROUNDING_UNARY_(Name, kernel, expr)                                           \
  absl::StatusOr<Tensor> Name(const Tensor& self) {                                         \
    return RunRounding(self, kernel, [](auto x) -> decltype(x) { return expr; });           \
  }                                                                                         \
  absl::Status Name##Inplace(const Tensor& self) {                                          \
    return RunRoundingInplace(self, kernel, [](auto x) -> decltype(x) { return expr; });    \
  }

PTSER_ROUNDING_UNARY_(Floor, "floor_vml_cpu", std::floor(x))
PTSER_ROUNDING_UNARY_(Ceil, "ceil_vml_cpu", std::ceil(x))
PTSER_ROUNDING_UNARY_(Trunc, "trunc_vml_cpu", std::trunc(x))
PTSER_ROUNDING_UNARY_(Round, "round_vml_cpu", std::nearbyint(x))

#undef PTSER_ROUNDING_UNARY_

absl::StatusOr<Tensor> Round(const Tensor& self, int64_t decimals) {
  if (decimals == 0) return Round(self);
  return RunUnary<kFloatGroups>(self, "round_cpu", self.dtype(), [decimals](auto x) {
    return RoundDecimals(x, decimals);
  });
}

absl::Status RoundInplace(const Tensor& self, int64_t decimals) {
  if (decimals == 0) return RoundInplace(self);
  return RunUnaryInplace<kFloatGroups>(self, "round_cpu", self.dtype(), [decimals](auto x) {
    return RoundDecimals(x, decimals);
  });
}

absl::StatusOr<Tensor> Frac(const Tensor& self) {
  return RunUnary<kFloatGroups>(self, "frac_cpu", self.dtype(),
                                [](auto x) -> decltype(x) { return x - std::trunc(x); });
}

absl::Status FracInplace(const Tensor& self) {
  return RunUnaryInplace<kFloatGroups>(self, "frac_cpu", self.dtype(),
                                       [](auto x) -> decltype(x) { return x - std::trunc(x); });
}

// --------------------------------------------------------------- same dtype ---

namespace {

auto AbsFn() {
  return [](auto x) -> decltype(x) {
    using M = decltype(x);
    if constexpr (std::is_unsigned_v<M>) {
      return x;
    } else if constexpr (std::is_integral_v<M>) {
      return x < 0 ? WrapNeg(x) : x;
    } else {
      return std::fabs(x);
    }
  };
}

auto SignFn() {
  return [](auto x) -> decltype(x) {
    using M = decltype(x);
    if constexpr (std::is_same_v<M, bool>) {
      return x;
    } else {
      // (0 < x) - (x < 0): nan gives 0.
      if constexpr (std::is_unsigned_v<M>) {
        return static_cast<M>(x != 0);
      } else {
        return static_cast<M>(static_cast<int>(M(0) < x) - static_cast<int>(x < M(0)));
      }
    }
  };
}

auto SquareFn() {
  return [](auto x) -> decltype(x) {
    using M = decltype(x);
    if constexpr (std::is_integral_v<M>) {
      return static_cast<M>(static_cast<uint64_t>(x) * static_cast<uint64_t>(x));
    } else {
      return x * x;
    }
  };
}

auto BitwiseNotFn() {
  return [](auto x) -> decltype(x) {
    if constexpr (std::is_same_v<decltype(x), bool>) {
      return !x;
    } else {
      return static_cast<decltype(x)>(~x);
    }
  };
}

absl::Status BoolAbsError() { return UnsupportedDtypeError("abs_cpu", ScalarType::kBool); }

}  // namespace

absl::StatusOr<Tensor> Abs(const Tensor& self) {
  if (self.dtype() == ScalarType::kBool) return BoolAbsError();
  return RunUnary<kRealTypes>(self, "abs_cpu", self.dtype(), AbsFn());
}
absl::Status AbsInplace(const Tensor& self) {
  if (self.dtype() == ScalarType::kBool) return BoolAbsError();
  return RunUnaryInplace<kRealTypes>(self, "abs_cpu", self.dtype(), AbsFn());
}

absl::StatusOr<Tensor> Sign(const Tensor& self) {
  return RunUnary<kBoolType | kRealTypes>(self, "sign_cpu", self.dtype(), SignFn());
}
absl::Status SignInplace(const Tensor& self) {
  return RunUnaryInplace<kBoolType | kRealTypes>(self, "sign_cpu", self.dtype(), SignFn());
}

absl::StatusOr<Tensor> Square(const Tensor& self) {
  const ScalarType dtype =
      self.dtype() == ScalarType::kBool ? ScalarType::kLong : self.dtype();
  return RunUnary<kRealTypes>(self, "pow", dtype, SquareFn());
}
absl::Status SquareInplace(const Tensor& self) {
  if (self.dtype() == ScalarType::kBool) {
    return absl::InvalidArgumentError("Found dtype Bool but expected Long");
  }
  return RunUnaryInplace<kRealTypes>(self, "pow", self.dtype(), SquareFn());
}

absl::StatusOr<Tensor> BitwiseNot(const Tensor& self) {
  return RunUnary<kBoolType | kIntegralTypes>(self, "bitwise_not_cpu", self.dtype(),
                                              BitwiseNotFn());
}
absl::Status BitwiseNotInplace(const Tensor& self) {
  return RunUnaryInplace<kBoolType | kIntegralTypes>(self, "bitwise_not_cpu", self.dtype(),
                                                     BitwiseNotFn());
}

absl::StatusOr<Tensor> LogicalNot(const Tensor& self) {
  return Predicate(self, "logical_not_cpu", [](auto x) { return !(x != decltype(x)(0)); });
}
absl::Status LogicalNotInplace(const Tensor& self) {
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), ScalarType::kBool, "logical_not_"));
  PTSER_ASSIGN_OR_RETURN(Tensor result, LogicalNot(self));
  return CopyConvertInto(self, result);
}

absl::StatusOr<Tensor> IsNan(const Tensor& self) {
  return Predicate(self, "isnan", [](auto x) { return IsNanValue(x); });
}

absl::StatusOr<Tensor> IsInf(const Tensor& self) {
  return Predicate(self, "isinf", [](auto x) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      return std::isinf(x);
    } else {
      return false;
    }
  });
}

absl::StatusOr<Tensor> IsFinite(const Tensor& self) {
  return Predicate(self, "isfinite", [](auto x) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      return std::isfinite(x);
    } else {
      return true;
    }
  });
}

namespace {
// Out of line on purpose: GCC 12 at -O3 (the release build) vectorises an
// inlined std::signbit loop into an instruction it cannot emit (an internal
// compiler error in extract_insn); a call per element is not vectorised.
template <typename M>
[[gnu::noinline]] bool SignbitOf(M x) {
  return std::signbit(x);
}
}  // namespace

absl::StatusOr<Tensor> Signbit(const Tensor& self) {
  return Predicate(self, "signbit_cpu", [](auto x) {
    using M = decltype(x);
    if constexpr (std::is_floating_point_v<M>) {
      return SignbitOf(x);
    } else if constexpr (std::is_signed_v<M>) {
      return x < 0;
    } else {
      return false;
    }
  });
}

namespace {

absl::Status NanToNumInto(const Tensor& out, const Tensor& in, std::optional<double> nan,
                          std::optional<double> posinf, std::optional<double> neginf) {
  return DispatchDtype<kBoolType | kRealTypes>(
      in.dtype(), "nan_to_num", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        if constexpr (std::is_floating_point_v<M>) {
          const M n = static_cast<M>(nan.value_or(0.0));
          const M p = static_cast<M>(posinf.value_or(LargestFinite<T>()));
          const M q = static_cast<M>(neginf.value_or(-LargestFinite<T>()));
          Map<T, T>(out,
                    [n, p, q](T v) {
                      const M x = static_cast<M>(v);
                      if (std::isnan(x)) return T(n);
                      if (std::isinf(x)) return T(x > 0 ? p : q);
                      return v;
                    },
                    {in});
        } else {
          Map<T, T>(out, [](T v) { return v; }, {in});
        }
        return absl::OkStatus();
      });
}

}  // namespace

absl::StatusOr<Tensor> NanToNum(const Tensor& self, std::optional<double> nan,
                                std::optional<double> posinf, std::optional<double> neginf) {
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "nan_to_num"));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(NanToNumInto(out, in, nan, posinf, neginf));
  return out;
}

absl::Status NanToNumInplace(const Tensor& self, std::optional<double> nan,
                             std::optional<double> posinf, std::optional<double> neginf) {
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), "nan_to_num_"));
  return NanToNumInto(self, self, nan, posinf, neginf);
}

}  // namespace ptser
