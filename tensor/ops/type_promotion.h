// Copyright ptser authors.
//
// tensor/ops/type_promotion.h — PyTorch's rules for an op's result dtype.
//
// Two layers, as in c10/ATen:
//
//  * PromoteTypes(a, b): the dtype lattice (torch.promote_types).  Bool is
//    below every other type; uint8 with a signed type goes to the smallest
//    signed type holding both (uint8+int8 -> int16); any integer with a
//    floating type gives that floating type; float16 with bfloat16 gives
//    float32; a complex type with anything gives the complex type whose value
//    type is the promotion of both value types (complex32+float32 ->
//    complex64).  Quantized types only promote with themselves.
//
//  * ResultType(operands...): torch.result_type.  Operands are ranked by
//    *priority tier* — dim>0 tensors, then 0-dim tensors, then Python numbers
//    (Scalar, "wrapped numbers") — and by *category* — bool < integral <
//    floating < complex.  A lower tier only changes the result when its
//    category is higher than the higher tier's:
//
//      ResultType(int32 [2],  Scalar(5))           == int32
//      ResultType(int32 [2],  Scalar(2.5))         == float32 (default dtype)
//      ResultType(int64 [2],  float64 0-dim)       == float64
//      ResultType(float32 [2], float64 0-dim)      == float32
//      ResultType(uint8 [2],  int64 0-dim)         == uint8
//      ResultType(float16 [2], complex128 0-dim)   == complex32
//      ResultType(bool [2],   Scalar(1))           == int64
//
//    A float Scalar counts as the default dtype (float32) and a complex one
//    as complex64.
//
// CanCast(from, to) is PyTorch's rule for writing a result into an existing
// tensor (in-place ops, `out=`): no complex -> non-complex, no floating ->
// integral, nothing but bool -> bool.
#ifndef PTSER_TENSOR_OPS_TYPE_PROMOTION_H_
#define PTSER_TENSOR_OPS_TYPE_PROMOTION_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

// torch.get_default_dtype() (ptser does not make it settable) and its
// complex counterpart.
inline constexpr ScalarType kDefaultFloatDtype = ScalarType::kFloat;
inline constexpr ScalarType kDefaultComplexDtype = ScalarType::kComplexFloat;

// c10's spelling of a dtype, used in PyTorch's error messages: "Float",
// "Long", "Bool", "ComplexFloat", "BFloat16", "QInt8", "Float8_e5m2",
// "UInt16", ...
absl::string_view C10TypeName(ScalarType type);

// torch.promote_types.  InvalidArgumentError for a quantized type with a
// different type (PyTorch's message); UnimplementedError for the dtypes
// PyTorch 1.13 has no rules for (bits*, float8_*, uint16/32/64) with a
// different type.  Equal types always promote to themselves.
absl::StatusOr<ScalarType> PromoteTypes(ScalarType a, ScalarType b);

// torch.can_cast(from, to) (see the file comment).
bool CanCast(ScalarType from, ScalarType to);

// The complex dtype with `type`'s value type: float16 -> complex32,
// float32/bfloat16 -> complex64, float64 -> complex128; complex types map to
// themselves; anything else gives complex64.
ScalarType ToComplexType(ScalarType type);

// The value type of a complex dtype (complex64 -> float32); other types map
// to themselves.
ScalarType ToRealValueType(ScalarType type);

// Accumulates operands for ResultType in any order.
//
//   ResultTypeState state;
//   PTSER_RETURN_IF_ERROR(state.Update(a));
//   PTSER_RETURN_IF_ERROR(state.Update(Scalar(2.5)));
//   PTSER_ASSIGN_OR_RETURN(ScalarType dtype, state.Result());
class ResultTypeState {
 public:
  // Fails only when promotion within a tier fails (PromoteTypes' errors).
  absl::Status Update(const Tensor& tensor);
  absl::Status Update(const Scalar& scalar);
  // FailedPreconditionError when no operand was given.
  absl::StatusOr<ScalarType> Result() const;

 private:
  std::optional<ScalarType> dim_result_;       // tensors with dim() > 0
  std::optional<ScalarType> zero_dim_result_;  // 0-dim tensors
  std::optional<ScalarType> wrapped_result_;   // Scalars
};

// torch.result_type for two operands.
absl::StatusOr<ScalarType> ResultType(const Tensor& a, const Tensor& b);
absl::StatusOr<ScalarType> ResultType(const Tensor& a, const Scalar& b);
absl::StatusOr<ScalarType> ResultType(const Scalar& a, const Tensor& b);
absl::StatusOr<ScalarType> ResultType(const Scalar& a, const Scalar& b);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_TYPE_PROMOTION_H_
