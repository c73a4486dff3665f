// Copyright ptser authors.
//
// tensor/ops/type_promotion.cc — the dtype lattice and torch.result_type.

#include "tensor/ops/type_promotion.h"

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace ptser {
namespace {

constexpr absl::string_view kC10Names[kNumScalarTypes] = {
    "Byte",
    "Char",
    "Short",
    "Int",
    "Long",
    "Half",
    "Float",
    "Double",
    "ComplexHalf",
    "ComplexFloat",
    "ComplexDouble",
    "Bool",
    "QInt8",
    "QUInt8",
    "QInt32",
    "BFloat16",
    "QUInt4x2",
    "QUInt2x4",
    "Bits1x8",
    "Bits2x4",
    "Bits4x2",
    "Bits8",
    "Bits16",
    "Float8_e5m2",
    "Float8_e4m3fn",
    "Float8_e5m2fnuz",
    "Float8_e4m3fnuz",
    "UInt16",
    "UInt32",
    "UInt64",
};

// Dtypes PyTorch 1.13 has no promotion rules for.
bool HasNoPromotionRules(ScalarType t) {
  const int code = static_cast<int>(t);
  return code >= static_cast<int>(ScalarType::kBits1x8);
}

// Both arguments real (not complex), not quantized, distinct, not bool.
ScalarType PromoteRealTypes(ScalarType a, ScalarType b) {
  if (a == b) return a;
  const bool fa = IsFloatingPoint(a);
  const bool fb = IsFloatingPoint(b);
  if (fa && fb) {
    if ((a == ScalarType::kHalf && b == ScalarType::kBFloat16) ||
        (a == ScalarType::kBFloat16 && b == ScalarType::kHalf)) {
      return ScalarType::kFloat;
    }
    return ElementSize(a) >= ElementSize(b) ? a : b;
  }
  if (fa) return a;
  if (fb) return b;
  // Both integral.
  if (a == ScalarType::kByte || b == ScalarType::kByte) {
    const ScalarType other = a == ScalarType::kByte ? b : a;
    return other == ScalarType::kChar ? ScalarType::kShort : other;
  }
  return ElementSize(a) >= ElementSize(b) ? a : b;
}

absl::StatusOr<ScalarType> PromoteOptional(std::optional<ScalarType> a,
                                           ScalarType b) {
  if (!a.has_value()) return b;
  return PromoteTypes(*a, b);
}

// c10's combine_categories: `higher` is from a higher-priority tier.
absl::StatusOr<std::optional<ScalarType>> CombineCategories(
    std::optional<ScalarType> higher, std::optional<ScalarType> lower) {
  if (!higher.has_value()) return lower;
  if (!lower.has_value()) return higher;
  if (IsComplex(*higher)) return higher;
  if (IsComplex(*lower)) {
    // Keep the value type of a floating `higher`.
    if (IsFloatingPoint(*higher)) {
      return std::optional<ScalarType>(ToComplexType(*higher));
    }
    return lower;
  }
  if (IsFloatingPoint(*higher)) return higher;
  if (*higher == ScalarType::kBool || IsFloatingPoint(*lower)) {
    PTSER_ASSIGN_OR_RETURN(ScalarType promoted, PromoteTypes(*higher, *lower));
    return std::optional<ScalarType>(promoted);
  }
  return higher;
}

}  // namespace

absl::string_view C10TypeName(ScalarType type) {
  const int code = static_cast<int>(type);
  if (code < 0 || code >= kNumScalarTypes) return "Undefined";
  return kC10Names[code];
}

absl::StatusOr<ScalarType> PromoteTypes(ScalarType a, ScalarType b) {
  if (a == b) return a;
  if (IsQuantized(a) || IsQuantized(b)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "promoteTypes with quantized numbers is not handled yet; figure out "
        "what the correct rules should be, offending types: ",
        C10TypeName(a), " ", C10TypeName(b)));
  }
  if (HasNoPromotionRules(a) || HasNoPromotionRules(b)) {
    return absl::UnimplementedError(
        absl::StrCat("type promotion between ", C10TypeName(a), " and ",
                     C10TypeName(b), " is not supported"));
  }
  if (a == ScalarType::kBool) return b;
  if (b == ScalarType::kBool) return a;
  if (IsComplex(a) || IsComplex(b)) {
    return ToComplexType(
        PromoteRealTypes(ToRealValueType(a), ToRealValueType(b)));
  }
  return PromoteRealTypes(a, b);
}

bool CanCast(ScalarType from, ScalarType to) {
  if (IsComplex(from) && !IsComplex(to)) return false;
  if (IsFloatingPoint(from) && IsIntegral(to, /*include_bool=*/false)) {
    return false;
  }
  if (from != ScalarType::kBool && to == ScalarType::kBool) return false;
  return true;
}

ScalarType ToComplexType(ScalarType type) {
  switch (type) {
    case ScalarType::kHalf:
    case ScalarType::kComplexHalf:
      return ScalarType::kComplexHalf;
    case ScalarType::kDouble:
    case ScalarType::kComplexDouble:
      return ScalarType::kComplexDouble;
    default:
      return ScalarType::kComplexFloat;
  }
}

ScalarType ToRealValueType(ScalarType type) {
  switch (type) {
    case ScalarType::kComplexHalf:
      return ScalarType::kHalf;
    case ScalarType::kComplexFloat:
      return ScalarType::kFloat;
    case ScalarType::kComplexDouble:
      return ScalarType::kDouble;
    default:
      return type;
  }
}

absl::Status ResultTypeState::Update(const Tensor& tensor) {
  std::optional<ScalarType>& slot =
      tensor.dim() > 0 ? dim_result_ : zero_dim_result_;
  PTSER_ASSIGN_OR_RETURN(slot, PromoteOptional(slot, tensor.dtype()));
  return absl::OkStatus();
}

absl::Status ResultTypeState::Update(const Scalar& scalar) {
  ScalarType current = scalar.dtype();
  if (IsFloatingPoint(current)) current = kDefaultFloatDtype;
  if (IsComplex(current)) current = kDefaultComplexDtype;
  PTSER_ASSIGN_OR_RETURN(wrapped_result_,
                         PromoteOptional(wrapped_result_, current));
  return absl::OkStatus();
}

absl::StatusOr<ScalarType> ResultTypeState::Result() const {
  PTSER_ASSIGN_OR_RETURN(std::optional<ScalarType> lower,
                         CombineCategories(zero_dim_result_, wrapped_result_));
  PTSER_ASSIGN_OR_RETURN(std::optional<ScalarType> result,
                         CombineCategories(dim_result_, lower));
  if (!result.has_value()) {
    return absl::FailedPreconditionError("result_type: no operands");
  }
  return *result;
}

absl::StatusOr<ScalarType> ResultType(const Tensor& a, const Tensor& b) {
  ResultTypeState state;
  PTSER_RETURN_IF_ERROR(state.Update(a));
  PTSER_RETURN_IF_ERROR(state.Update(b));
  return state.Result();
}

absl::StatusOr<ScalarType> ResultType(const Tensor& a, const Scalar& b) {
  ResultTypeState state;
  PTSER_RETURN_IF_ERROR(state.Update(a));
  PTSER_RETURN_IF_ERROR(state.Update(b));
  return state.Result();
}

absl::StatusOr<ScalarType> ResultType(const Scalar& a, const Tensor& b) {
  return ResultType(b, a);
}

absl::StatusOr<ScalarType> ResultType(const Scalar& a, const Scalar& b) {
  ResultTypeState state;
  PTSER_RETURN_IF_ERROR(state.Update(a));
  PTSER_RETURN_IF_ERROR(state.Update(b));
  return state.Result();
}

}  // namespace ptser
