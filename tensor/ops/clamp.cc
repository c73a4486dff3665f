// Copyright ptser authors.
//
// tensor/ops/clamp.cc — clamp with Scalar or Tensor bounds.

#include "tensor/ops/clamp.h"

#include <array>
#include <cmath>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

template <typename M>
bool NanValue(M x) {
  if constexpr (std::is_floating_point_v<M>) {
    return std::isnan(x);
  } else {
    return false;
  }
}

template <typename M>
M ClampValue(M x, const M* lo, const M* hi) {
  if ((lo != nullptr && NanValue(*lo)) || (hi != nullptr && NanValue(*hi))) {
    return lo != nullptr && NanValue(*lo) ? *lo : *hi;
  }
  if (NanValue(x)) return x;
  if (lo != nullptr && x < *lo) x = *lo;
  if (hi != nullptr && *hi < x) x = *hi;
  return x;
}

// out = clamp(x, lo, hi) where lo/hi may be absent; all already of out's
// dtype and shape.
absl::Status ClampKernel(const Tensor& out, const Tensor& x, const std::optional<Tensor>& lo,
                         const std::optional<Tensor>& hi) {
  return DispatchDtype<kBoolType | kRealTypes>(
      out.dtype(), "clamp_cpu", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        if (lo && hi) {
          Map<T, T, T, T>(out,
                          [](T v, T a, T b) {
                            const M ma = static_cast<M>(a), mb = static_cast<M>(b);
                            return static_cast<T>(ClampValue(static_cast<M>(v), &ma, &mb));
                          },
                          {x, *lo, *hi});
        } else {
          const bool is_lo = lo.has_value();
          Map<T, T, T>(out,
                       [is_lo](T v, T bound) {
                         const M mb = static_cast<M>(bound);
                         return static_cast<T>(ClampValue(static_cast<M>(v), is_lo ? &mb : nullptr,
                                                          is_lo ? nullptr : &mb));
                       },
                       {x, is_lo ? *lo : *hi});
        }
        return absl::OkStatus();
      });
}

std::vector<int64_t> ShapeOf(const Operand& o) {
  return o.is_tensor() ? o.tensor().sizes() : std::vector<int64_t>{};
}

// clamp over operands (tensors or Scalars); into `inplace` when given.
absl::StatusOr<Tensor> ClampImpl(const Tensor& self, const std::optional<Operand>& lo,
                                 const std::optional<Operand>& hi, bool scalar_bounds,
                                 const Tensor* inplace) {
  if (!lo && !hi) {
    return absl::InvalidArgumentError(
        "torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  ResultTypeState state;
  PTSER_RETURN_IF_ERROR(state.Update(self));
  std::vector<int64_t> shape = self.sizes();
  std::vector<const Tensor*> inputs;
  for (const std::optional<Operand>* o : {&lo, &hi}) {
    if (!o->has_value()) continue;
    if ((*o)->is_tensor()) {
      PTSER_RETURN_IF_ERROR(state.Update((*o)->tensor()));
      inputs.push_back(&(*o)->tensor());
    } else {
      PTSER_RETURN_IF_ERROR(state.Update((*o)->scalar()));
    }
    PTSER_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, ShapeOf(**o)));
  }
  PTSER_ASSIGN_OR_RETURN(ScalarType dtype, state.Result());
  if (IsComplex(dtype)) {
    return absl::InvalidArgumentError("clamp is not supported for complex types");
  }
  if (scalar_bounds && dtype == ScalarType::kBool) {
    return UnsupportedDtypeError("clamp_scalar_cpu", dtype);
  }
  if (!DtypeInGroups<kBoolType | kRealTypes>(dtype)) {
    return UnsupportedDtypeError("clamp_cpu", dtype);
  }
  if (inplace != nullptr) {
    PTSER_RETURN_IF_ERROR(CheckInplaceTarget(*inplace, inputs, shape, dtype, "clamp_"));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor x, OperandToTensor(self, dtype, "clamp"));
  PTSER_ASSIGN_OR_RETURN(x, ExpandTo(x, shape));
  std::optional<Tensor> lo_t, hi_t;
  if (lo) {
    PTSER_ASSIGN_OR_RETURN(lo_t, OperandToTensor(*lo, dtype, "clamp"));
    PTSER_ASSIGN_OR_RETURN(lo_t, ExpandTo(*lo_t, shape));
  }
  if (hi) {
    PTSER_ASSIGN_OR_RETURN(hi_t, OperandToTensor(*hi, dtype, "clamp"));
    PTSER_ASSIGN_OR_RETURN(hi_t, ExpandTo(*hi_t, shape));
  }
  // In place with self's own dtype and bounds elsewhere: straight into self.
  if (inplace != nullptr && dtype == inplace->dtype() && inputs.empty()) {
    PTSER_RETURN_IF_ERROR(ClampKernel(*inplace, *inplace, lo_t, hi_t));
    return *inplace;
  }
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, dtype));
  PTSER_RETURN_IF_ERROR(ClampKernel(out, x, lo_t, hi_t));
  if (inplace != nullptr) {
    PTSER_RETURN_IF_ERROR(CopyConvertInto(*inplace, out));
    return *inplace;
  }
  return out;
}

std::optional<Operand> FromScalar(const std::optional<Scalar>& s) {
  if (!s) return std::nullopt;
  return Operand(*s);
}

std::optional<Operand> FromTensor(const std::optional<Tensor>& t) {
  if (!t) return std::nullopt;
  return Operand(*t);
}

}  // namespace

absl::StatusOr<Tensor> Clamp(const Tensor& self, const std::optional<Scalar>& min,
                             const std::optional<Scalar>& max) {
  return ClampImpl(self, FromScalar(min), FromScalar(max), true, nullptr);
}
absl::StatusOr<Tensor> Clamp(const Tensor& self, const std::optional<Tensor>& min,
                             const std::optional<Tensor>& max) {
  return ClampImpl(self, FromTensor(min), FromTensor(max), false, nullptr);
}
absl::Status ClampInplace(const Tensor& self, const std::optional<Scalar>& min,
                          const std::optional<Scalar>& max) {
  return ClampImpl(self, FromScalar(min), FromScalar(max), true, &self).status();
}
absl::Status ClampInplace(const Tensor& self, const std::optional<Tensor>& min,
                          const std::optional<Tensor>& max) {
  return ClampImpl(self, FromTensor(min), FromTensor(max), false, &self).status();
}

absl::StatusOr<Tensor> ClampMin(const Tensor& self, const Scalar& min) {
  return ClampImpl(self, Operand(min), std::nullopt, true, nullptr);
}
absl::StatusOr<Tensor> ClampMin(const Tensor& self, const Tensor& min) {
  return ClampImpl(self, Operand(min), std::nullopt, false, nullptr);
}
absl::StatusOr<Tensor> ClampMax(const Tensor& self, const Scalar& max) {
  return ClampImpl(self, std::nullopt, Operand(max), true, nullptr);
}
absl::StatusOr<Tensor> ClampMax(const Tensor& self, const Tensor& max) {
  return ClampImpl(self, std::nullopt, Operand(max), false, nullptr);
}
absl::Status ClampMinInplace(const Tensor& self, const Scalar& min) {
  return ClampImpl(self, Operand(min), std::nullopt, true, &self).status();
}
absl::Status ClampMinInplace(const Tensor& self, const Tensor& min) {
  return ClampImpl(self, Operand(min), std::nullopt, false, &self).status();
}
absl::Status ClampMaxInplace(const Tensor& self, const Scalar& max) {
  return ClampImpl(self, std::nullopt, Operand(max), true, &self).status();
}
absl::Status ClampMaxInplace(const Tensor& self, const Tensor& max) {
  return ClampImpl(self, std::nullopt, Operand(max), false, &self).status();
}

}  // namespace ptser
