// Copyright ptser authors.
//
// tensor/ops/activation.cc — relu.

#include "tensor/ops/activation.h"

#include <type_traits>

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
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), self.dtype(), "relu_"));
  PTSER_ASSIGN_OR_RETURN(Tensor result, Relu(self));
  return CopyConvertInto(self, result);
}

}  // namespace ptser
