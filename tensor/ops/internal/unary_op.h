// Copyright ptser authors.
//
// tensor/ops/internal/unary_op.h — the driver elementwise ops of one tensor
// share (unary.h, activation.h, clamp.h).
//
//   RunUnary<kGroups>(self, "exp", dtype, f)
//       self converted to `dtype` (which must be in kGroups, else
//       UnimplementedError `"exp" not implemented for 'Bool'`), then
//       out[i] = f(x[i]) with f called on OpMath<T> (float for Half), into a
//       new contiguous tensor of `dtype`.
//   RunUnaryInplace<kGroups>(self, "exp", dtype, f)
//       the same written through self's storage, after PyTorch's in-place
//       checks (CheckInplaceTarget: writable, not self-overlapping, `dtype`
//       castable to self's).  When `dtype` is self's dtype the kernel runs
//       in place (each element is read before it is written); otherwise
//       through a temporary.
//
// f is usually a generic lambda `[](auto x) -> decltype(x) { ... }`; it is
// instantiated only for the element types of kGroups.
#ifndef PTSER_TENSOR_OPS_INTERNAL_UNARY_OP_H_
#define PTSER_TENSOR_OPS_INTERNAL_UNARY_OP_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/tensor.h"

namespace ptser {
namespace ops_internal {

// out[i] = f(in[i]); out and in have the same dtype and shape.
template <uint32_t kGroups, typename F>
absl::Status MapUnary(const Tensor& out, const Tensor& in, absl::string_view name, F f) {
  return DispatchDtype<kGroups>(in.dtype(), name, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using M = OpMath<T>;
    Map<T, T>(out, [&f](T v) { return static_cast<T>(f(static_cast<M>(v))); }, {in});
    return absl::OkStatus();
  });
}

template <uint32_t kGroups, typename F>
absl::StatusOr<Tensor> RunUnary(const Tensor& self, absl::string_view name, ScalarType dtype,
                                F f) {
  if (!DtypeInGroups<kGroups>(dtype)) return UnsupportedDtypeError(name, dtype);
  PTSER_ASSIGN_OR_RETURN(Tensor in, PrepareInput(self, name));
  PTSER_ASSIGN_OR_RETURN(in, ToDtype(in, dtype));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(self.sizes(), dtype));
  PTSER_RETURN_IF_ERROR(MapUnary<kGroups>(out, in, name, f));
  return out;
}

template <uint32_t kGroups, typename F>
absl::Status RunUnaryInplace(const Tensor& self, absl::string_view name, ScalarType dtype, F f) {
  if (!DtypeInGroups<kGroups>(dtype)) return UnsupportedDtypeError(name, dtype);
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, {}, self.sizes(), dtype, absl::StrCat(name, "_")));
  if (dtype == self.dtype()) return MapUnary<kGroups>(self, self, name, f);
  PTSER_ASSIGN_OR_RETURN(Tensor result, RunUnary<kGroups>(self, name, dtype, f));
  return CopyConvertInto(self, result);
}

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_UNARY_OP_H_
