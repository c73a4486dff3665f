// Copyright ptser authors.
//
// tensor/ops/neg.cc — negation.

#include "tensor/ops/neg.h"

#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {

absl::StatusOr<Tensor> Neg(const Tensor& self) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (self.dtype() == ScalarType::kBool) {
    return absl::InvalidArgumentError(
        "Negation, the `-` operator, on a bool tensor is not supported. If "
        "you are trying to invert a mask, use the `~` or `logical_not()` "
        "operator instead.");
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, "neg"));
  PTSER_ASSIGN_OR_RETURN(Tensor out,
                         AllocateTensor(self.sizes(), self.dtype()));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes | kComplexTypes>(
      self.dtype(), "neg_cpu", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        using M = OpMath<T>;
        Map<T, T>(out,
                  [](T v) -> T {
                    if constexpr (std::is_integral_v<T>) {
                      return static_cast<T>(0u - static_cast<uint64_t>(v));
                    } else {
                      return T(-static_cast<M>(v));
                    }
                  },
                  {in});
        return absl::OkStatus();
      }));
  return out;
}

absl::Status NegInplace(const Tensor& self) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (self.dtype() == ScalarType::kBool) return Neg(self).status();
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), "neg_"));
  PTSER_ASSIGN_OR_RETURN(Tensor result, Neg(self));
  return CopyConvertInto(self, result);
}

}  // namespace ptser
