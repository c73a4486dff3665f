// Copyright ptser authors.
//
// tensor/ops/activation.cc — relu and the other activations.

#include "tensor/ops/activation.h"

#include <cmath>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/unary_op.h"
#include "tensor/ops/type_promotion.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

constexpr uint32_t kFloatGroups = kFloatingTypes | kReducedFloatingTypes;

// The checks PyTorch's clamp-based activations make before dispatching.
absl::Status CheckClampable(const Tensor& self, const char* bool_message) {
  if (self.dtype() == ScalarType::kBool) return absl::InvalidArgumentError(bool_message);
  if (IsComplex(self.dtype())) {
    return absl::InvalidArgumentError("clamp is not supported for complex types");
  }
  return absl::OkStatus();
}

auto ReluFn() {
  return [](auto x) -> decltype(x) {
    // clamp_min: NaN (and -0.0) compare false and pass through.
    return x < decltype(x)(0) ? decltype(x)(0) : x;
  };
}

// clamp(x, lo, hi) with NaN propagating, bounds converted to the element
// type first (truncation for integers).
template <typename T>
auto HardtanhFn(double min_val, double max_val) {
  using M = OpMath<T>;
  const M lo = static_cast<M>(Convert<T>(min_val));
  const M hi = static_cast<M>(Convert<T>(max_val));
  // Selects, no branches (so the loop vectorises); NaN fails both
  // comparisons and passes through.
  return [lo, hi](M x) -> M {
    const M r = x < lo ? lo : x;
    return r > hi ? hi : r;
  };
}

template <typename T>
auto ThresholdFn(double threshold, double value) {
  using M = OpMath<T>;
  const M th = static_cast<M>(Convert<T>(threshold));
  const M v = static_cast<M>(Convert<T>(value));
  return [th, v](M x) -> M { return x <= th ? v : x; };
}

// A typed functor factory run over a real dtype: make(TypeTag<T>) gives the
// per-element function for T.
template <uint32_t kGroups, typename Make>
absl::StatusOr<Tensor> RunTyped(const Tensor& self, absl::string_view name, Make make) {
  if (!DtypeInGroups<kGroups>(self.dtype())) return UnsupportedDtypeError(name, self.dtype());
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, name));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kGroups>(self.dtype(), name, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using M = OpMath<T>;
    auto f = make(tag);
    Map<T, T>(out, [&f](T v) { return static_cast<T>(f(static_cast<M>(v))); }, {in});
    return absl::OkStatus();
  }));
  return out;
}

template <uint32_t kGroups, typename Make>
absl::Status RunTypedInplace(const Tensor& self, absl::string_view name, Make make) {
  if (!DtypeInGroups<kGroups>(self.dtype())) return UnsupportedDtypeError(name, self.dtype());
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), absl::StrCat(name, "_")));
  return DispatchDtype<kGroups>(self.dtype(), name, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using M = OpMath<T>;
    auto f = make(tag);
    Map<T, T>(self, [&f](T v) { return static_cast<T>(f(static_cast<M>(v))); }, {self});
    return absl::OkStatus();
  });
}

// Floating-only activations with f on OpMath<T>.
template <typename F>
absl::StatusOr<Tensor> FloatOnly(const Tensor& self, absl::string_view name, F f) {
  return RunUnary<kFloatGroups>(self, name, self.dtype(), f);
}
template <typename F>
absl::Status FloatOnlyInplace(const Tensor& self, absl::string_view name, F f) {
  return RunUnaryInplace<kFloatGroups>(self, name, self.dtype(), f);
}

template <typename M>
M Clamp06(M x) {
  // clamp: NaN fails both comparisons and propagates.
  const M r = x < M(0) ? M(0) : x;
  return r > M(6) ? M(6) : r;
}

auto GeluFn(GeluApproximation approximate) {
  return [approximate](auto x) -> decltype(x) {
    using M = decltype(x);
    if (approximate == GeluApproximation::kTanh) {
      const M kBeta = static_cast<M>(M_SQRT2 * M_2_SQRTPI * 0.5);
      const M kKappa = static_cast<M>(0.044715);
      const M inner = kBeta * (x + kKappa * x * x * x);
      return static_cast<M>(0.5) * x * (static_cast<M>(1) + std::tanh(inner));
    }
    return x * static_cast<M>(0.5) * (static_cast<M>(1) + std::erf(x * static_cast<M>(M_SQRT1_2)));
  };
}

auto SiluFn() {
  return [](auto x) -> decltype(x) { return x / (decltype(x)(1) + std::exp(-x)); };
}

auto MishFn() {
  return [](auto x) -> decltype(x) { return x * std::tanh(std::log1p(std::exp(x))); };
}

auto HardswishFn() {
  return [](auto x) -> decltype(x) { return x * Clamp06(x + decltype(x)(3)) / decltype(x)(6); };
}

auto HardsigmoidFn() {
  return [](auto x) -> decltype(x) { return Clamp06(x + decltype(x)(3)) / decltype(x)(6); };
}

auto LeakyReluFn(double slope) {
  return [slope](auto x) -> decltype(x) {
    using M = decltype(x);
    return x > M(0) ? x : x * static_cast<M>(slope);
  };
}

auto EluFn(double alpha, double scale, double input_scale) {
  return [alpha, scale, input_scale](auto x) -> decltype(x) {
    using M = decltype(x);
    const M negcoef = static_cast<M>(alpha * scale);
    const M poscoef = static_cast<M>(scale);
    const M negiptcoef = static_cast<M>(input_scale);
    return x <= M(0) ? (std::exp(x * negiptcoef) - M(1)) * negcoef : x * poscoef;
  };
}

auto SigmoidFn() {
  return [](auto x) -> decltype(x) { return decltype(x)(1) / (decltype(x)(1) + std::exp(-x)); };
}

auto TanhFn() {
  return [](auto x) -> decltype(x) { return std::tanh(x); };
}

ScalarType FloatingDtype(ScalarType t) {
  return IsFloatingPoint(t) ? t : (IsComplex(t) ? t : kDefaultFloatDtype);
}

// PyTorch's SELU constants.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

}  // namespace

// ----------------------------------------------------- relu and its kin ---

absl::StatusOr<Tensor> Relu(const Tensor& self) {
  PTSER_RETURN_IF_ERROR(CheckClampable(self, "Boolean inputs not supported for relu"));
  return RunUnary<kRealTypes>(self, "clamp_min_cpu", self.dtype(), ReluFn());
}

absl::Status ReluInplace(const Tensor& self) {
  PTSER_RETURN_IF_ERROR(CheckClampable(self, "Boolean inputs not supported for relu"));
  return RunUnaryInplace<kRealTypes>(self, "clamp_min_cpu", self.dtype(), ReluFn());
}

absl::StatusOr<Tensor> Hardtanh(const Tensor& self, double min_val, double max_val) {
  PTSER_RETURN_IF_ERROR(CheckClampable(self, "\"hardtanh_cpu\" not implemented for 'Bool'"));
  return RunTyped<kRealTypes>(self, "hardtanh_cpu", [&](auto tag) {
    return HardtanhFn<typename decltype(tag)::type>(min_val, max_val);
  });
}

absl::Status HardtanhInplace(const Tensor& self, double min_val, double max_val) {
  PTSER_RETURN_IF_ERROR(CheckClampable(self, "\"hardtanh_cpu\" not implemented for 'Bool'"));
  return RunTypedInplace<kRealTypes>(self, "hardtanh", [&](auto tag) {
    return HardtanhFn<typename decltype(tag)::type>(min_val, max_val);
  });
}

absl::StatusOr<Tensor> Relu6(const Tensor& self) { return Hardtanh(self, 0, 6); }
absl::Status Relu6Inplace(const Tensor& self) { return HardtanhInplace(self, 0, 6); }

absl::StatusOr<Tensor> Threshold(const Tensor& self, double threshold, double value) {
  return RunTyped<kRealTypes>(self, "threshold_cpu", [&](auto tag) {
    return ThresholdFn<typename decltype(tag)::type>(threshold, value);
  });
}

absl::Status ThresholdInplace(const Tensor& self, double threshold, double value) {
  return RunTypedInplace<kRealTypes>(self, "threshold", [&](auto tag) {
    return ThresholdFn<typename decltype(tag)::type>(threshold, value);
  });
}

// ---------------------------------------------------- floating functions ---

absl::StatusOr<GeluApproximation> ParseGeluApproximation(absl::string_view name) {
  if (name == "none") return GeluApproximation::kNone;
  if (name == "tanh") return GeluApproximation::kTanh;
  return absl::InvalidArgumentError("approximate argument must be either none or tanh.");
}

absl::StatusOr<Tensor> Gelu(const Tensor& self, GeluApproximation approximate) {
  return FloatOnly(self, "GeluKernelImpl", GeluFn(approximate));
}
absl::Status GeluInplace(const Tensor& self, GeluApproximation approximate) {
  return FloatOnlyInplace(self, "GeluKernelImpl", GeluFn(approximate));
}

absl::StatusOr<Tensor> Silu(const Tensor& self) { return FloatOnly(self, "silu_cpu", SiluFn()); }
absl::Status SiluInplace(const Tensor& self) {
  return FloatOnlyInplace(self, "silu_cpu", SiluFn());
}

absl::StatusOr<Tensor> Mish(const Tensor& self) { return FloatOnly(self, "mish_cpu", MishFn()); }
absl::Status MishInplace(const Tensor& self) {
  return FloatOnlyInplace(self, "mish_cpu", MishFn());
}

absl::StatusOr<Tensor> Hardswish(const Tensor& self) {
  return FloatOnly(self, "hardswish_cpu", HardswishFn());
}
absl::Status HardswishInplace(const Tensor& self) {
  return FloatOnlyInplace(self, "hardswish_cpu", HardswishFn());
}

absl::StatusOr<Tensor> Hardsigmoid(const Tensor& self) {
  return FloatOnly(self, "hardsigmoid_cpu", HardsigmoidFn());
}
absl::Status HardsigmoidInplace(const Tensor& self) {
  return FloatOnlyInplace(self, "hardsigmoid_cpu", HardsigmoidFn());
}

absl::StatusOr<Tensor> LeakyRelu(const Tensor& self, double negative_slope) {
  return FloatOnly(self, "leaky_relu_cpu", LeakyReluFn(negative_slope));
}
absl::Status LeakyReluInplace(const Tensor& self, double negative_slope) {
  return FloatOnlyInplace(self, "leaky_relu_cpu", LeakyReluFn(negative_slope));
}

absl::StatusOr<Tensor> Elu(const Tensor& self, double alpha, double scale, double input_scale) {
  return FloatOnly(self, "elu_cpu", EluFn(alpha, scale, input_scale));
}
absl::Status EluInplace(const Tensor& self, double alpha, double scale, double input_scale) {
  return FloatOnlyInplace(self, "elu_cpu", EluFn(alpha, scale, input_scale));
}

absl::StatusOr<Tensor> Selu(const Tensor& self) {
  return Elu(self, kSeluAlpha, kSeluScale, 1.0);
}
absl::Status SeluInplace(const Tensor& self) {
  return EluInplace(self, kSeluAlpha, kSeluScale, 1.0);
}

absl::StatusOr<Tensor> Celu(const Tensor& self, double alpha) {
  if (alpha == 0) {
    return absl::InvalidArgumentError("ZeroDivisionError: float division by zero");
  }
  return Elu(self, alpha, 1.0, 1.0 / alpha);
}
absl::Status CeluInplace(const Tensor& self, double alpha) {
  if (alpha == 0) {
    return absl::InvalidArgumentError("ZeroDivisionError: float division by zero");
  }
  return EluInplace(self, alpha, 1.0, 1.0 / alpha);
}

absl::StatusOr<Tensor> Softplus(const Tensor& self, double beta, double threshold) {
  return FloatOnly(self, "softplus_cpu", [beta, threshold](auto x) -> decltype(x) {
    using M = decltype(x);
    const M b = static_cast<M>(beta);
    return x * b > static_cast<M>(threshold) ? x : std::log1p(std::exp(x * b)) / b;
  });
}

absl::StatusOr<Tensor> LogSigmoid(const Tensor& self) {
  return FloatOnly(self, "log_sigmoid_cpu", [](auto x) -> decltype(x) {
    using M = decltype(x);
    return std::min(x, M(0)) - std::log1p(std::exp(-std::fabs(x)));
  });
}

absl::StatusOr<Tensor> Hardshrink(const Tensor& self, double lambd) {
  return FloatOnly(self, "hardshrink_cpu", [lambd](auto x) -> decltype(x) {
    using M = decltype(x);
    const M l = static_cast<M>(lambd);
    return x >= -l && x <= l ? M(0) : x;
  });
}

absl::StatusOr<Tensor> Softshrink(const Tensor& self, double lambd) {
  if (lambd < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lambda must be greater or equal to 0, but found to be ", lambd, "."));
  }
  return FloatOnly(self, "softshrink_cpu", [lambd](auto x) -> decltype(x) {
    using M = decltype(x);
    const M l = static_cast<M>(lambd);
    return x > l ? x - l : (x < -l ? x + l : M(0));
  });
}

absl::StatusOr<Tensor> Glu(const Tensor& self, int64_t dim) {
  if (self.dim() == 0) {
    return absl::InvalidArgumentError("glu does not support scalars because halving size must be even");
  }
  PTSER_ASSIGN_OR_RETURN(const int64_t d, WrapDim(dim, self.dim()));
  const int64_t size = self.sizes()[d];
  if (size % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Halving dimension must be even, but dimension ", d, " is size ", size));
  }
  if (!DtypeInGroups<kFloatGroups>(self.dtype())) {
    return UnsupportedDtypeError("glu_cpu", self.dtype());
  }
  PTSER_ASSIGN_OR_RETURN(Tensor a, Narrow(self, d, 0, size / 2));
  PTSER_ASSIGN_OR_RETURN(Tensor b, Narrow(self, d, size / 2, size / 2));
  PTSER_ASSIGN_OR_RETURN(Tensor gate, Sigmoid(b));
  return Mul(a, gate);
}

absl::StatusOr<Tensor> Sigmoid(const Tensor& self) {
  return RunUnary<kFloatGroups>(self, "sigmoid_cpu", FloatingDtype(self.dtype()), SigmoidFn());
}
absl::Status SigmoidInplace(const Tensor& self) {
  return RunUnaryInplace<kFloatGroups>(self, "sigmoid_cpu", FloatingDtype(self.dtype()),
                                       SigmoidFn());
}

absl::StatusOr<Tensor> Tanh(const Tensor& self) {
  return RunUnary<kFloatGroups>(self, "tanh_cpu", FloatingDtype(self.dtype()), TanhFn());
}
absl::Status TanhInplace(const Tensor& self) {
  return RunUnaryInplace<kFloatGroups>(self, "tanh_cpu", FloatingDtype(self.dtype()), TanhFn());
}

}  // namespace ptser
