// Copyright ptser authors.
//
// tensor/ops/activation.cc — relu and the floating-point activations.

#include "tensor/ops/activation.h"

#include <cmath>
#include <type_traits>

#include "absl/strings/str_cat.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {

absl::StatusOr<Tensor> Relu(const Tensor& self) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (self.dtype() == ScalarType::kBool) {
    return absl::InvalidArgumentError("Boolean inputs not supported for relu");
  }
  if (IsComplex(self.dtype())) {
    return absl::InvalidArgumentError(
        "clamp is not supported for complex types");
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "relu"));
  PTSER_ASSIGN_OR_RETURN(Tensor out,
                         AllocateTensor(self.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes>(
      self.dtype(), "clamp_min_cpu", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        Map<T, T>(out,
                  [](T v) {
                    // clamp_min: NaN (and -0.0) compare false and pass through.
                    const M x = static_cast<M>(v);
                    return x < M(0) ? T(M(0)) : v;
                  },
                  {in});
        return absl::OkStatus();
      }));
  return out;
}

absl::Status ReluInplace(const Tensor& self) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (self.dtype() == ScalarType::kBool || IsComplex(self.dtype())) {
    return Relu(self).status();
  }
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), "relu_"));
  // Elementwise over its own elements: written where it is read.
  return DispatchDtype<kRealTypes>(
      self.dtype(), "clamp_min_cpu", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        Map<T, T>(self,
                  [](T v) {
                    const M x = static_cast<M>(v);
                    return x < M(0) ? T(M(0)) : v;
                  },
                  {self});
        return absl::OkStatus();
      });
}

namespace {

// out[i] = f(in[i]) in OpMath<T> for the floating dtypes.
template <typename F>
absl::StatusOr<Tensor> FloatingUnary(const Tensor& self, const char* name, F f) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (!IsFloatingPoint(self.dtype()) || self.dtype() == ScalarType::kFloat8_e5m2 ||
      self.dtype() == ScalarType::kFloat8_e4m3fn || self.dtype() == ScalarType::kFloat8_e5m2fnuz ||
      self.dtype() == ScalarType::kFloat8_e4m3fnuz) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", name, "\" not implemented for '", DtypeName(self.dtype()), "'"));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, name));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kFloatingTypes | kReducedFloatingTypes>(
      self.dtype(), name, [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        Map<T, T>(out, [&f](T v) { return static_cast<T>(f(static_cast<M>(v))); }, {in});
        return absl::OkStatus();
      }));
  return out;
}

template <typename M>
M Clamp06(M x) {
  // clamp: NaN propagates.
  if (std::isnan(x)) return x;
  return x < M(0) ? M(0) : (x > M(6) ? M(6) : x);
}

}  // namespace

absl::StatusOr<Tensor> Relu6(const Tensor& self) {
  return FloatingUnary(self, "hardtanh_cpu", [](auto x) { return Clamp06(x); });
}

absl::StatusOr<Tensor> Gelu(const Tensor& self, GeluApproximation approximate) {
  if (approximate == GeluApproximation::kTanh) {
    return FloatingUnary(self, "GeluKernelImpl", [](auto x) {
      using M = decltype(x);
      const M kBeta = static_cast<M>(M_SQRT2 * M_2_SQRTPI * 0.5);
      const M kKappa = static_cast<M>(0.044715);
      const M inner = kBeta * (x + kKappa * x * x * x);
      return static_cast<M>(0.5) * x * (static_cast<M>(1) + std::tanh(inner));
    });
  }
  return FloatingUnary(self, "GeluKernelImpl", [](auto x) {
    using M = decltype(x);
    return x * static_cast<M>(0.5) * (static_cast<M>(1) + std::erf(x * static_cast<M>(M_SQRT1_2)));
  });
}

absl::StatusOr<Tensor> Silu(const Tensor& self) {
  return FloatingUnary(self, "silu_cpu", [](auto x) {
    using M = decltype(x);
    return x / (M(1) + std::exp(-x));
  });
}

absl::StatusOr<Tensor> Hardswish(const Tensor& self) {
  return FloatingUnary(self, "hardswish_cpu", [](auto x) {
    using M = decltype(x);
    return x * Clamp06(x + M(3)) / M(6);
  });
}

absl::StatusOr<Tensor> Hardsigmoid(const Tensor& self) {
  return FloatingUnary(self, "hardsigmoid_cpu", [](auto x) {
    using M = decltype(x);
    return Clamp06(x + M(3)) / M(6);
  });
}

absl::StatusOr<Tensor> Sigmoid(const Tensor& self) {
  return FloatingUnary(self, "sigmoid_cpu", [](auto x) {
    using M = decltype(x);
    return M(1) / (M(1) + std::exp(-x));
  });
}

absl::StatusOr<Tensor> Tanh(const Tensor& self) {
  return FloatingUnary(self, "tanh_cpu", [](auto x) { return std::tanh(x); });
}

}  // namespace ptser
