// Copyright ptser authors.
//
// tensor/ops/internal/dispatch.h — dtype -> C++ element type, for op kernels.
//
// An op kernel is a template over the element type; DispatchDtype picks the
// instantiation for a runtime ScalarType, instantiating only the groups the
// op supports (so a kernel using `<` is never compiled for complex types):
//
//   return DispatchDtype<kIntegralTypes | kFloatingTypes>(
//       dtype, "relu", [&](auto tag) -> absl::Status {
//         using T = typename decltype(tag)::type;
//         ...
//         return absl::OkStatus();
//       });
//
// A dtype outside the groups gives UnimplementedError in PyTorch's words:
// `"relu" not implemented for 'Bool'`.
//
// Element types: bool, uint8_t, int8_t, int16_t, int32_t, int64_t, float,
// double, Half, BFloat16 (tensor/half.h), std::complex<float>,
// std::complex<double>.  OpMath<T> is the type arithmetic on T runs in
// (float for Half/BFloat16, T otherwise), and Convert<To>(from) is the
// element conversion every op uses (never undefined behaviour; see below).
#ifndef PTSER_TENSOR_OPS_INTERNAL_DISPATCH_H_
#define PTSER_TENSOR_OPS_INTERNAL_DISPATCH_H_

#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tensor/element.h"
#include "tensor/half.h"
#include "tensor/ops/type_promotion.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace ops_internal {

template <typename T>
struct TypeTag {
  using type = T;
};

// Dtype groups an op can support (bit flags).
enum DtypeGroup : uint32_t {
  kBoolType = 1u << 0,              // bool
  kIntegralTypes = 1u << 1,         // uint8, int8, int16, int32, int64
  kFloatingTypes = 1u << 2,         // float32, float64
  kReducedFloatingTypes = 1u << 3,  // float16, bfloat16
  kComplexTypes = 1u << 4,          // complex64, complex128
};
inline constexpr uint32_t kRealTypes =
    kIntegralTypes | kFloatingTypes | kReducedFloatingTypes;
inline constexpr uint32_t kAllTypes = kBoolType | kRealTypes | kComplexTypes;

template <typename T>
struct IsComplexT : std::false_type {};
template <typename T>
struct IsComplexT<std::complex<T>> : std::true_type {};
template <typename T>
inline constexpr bool kIsComplex = IsComplexT<T>::value;

template <typename T>
inline constexpr bool kIsReducedFloat =
    std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

template <typename T>
inline constexpr bool kIsFloating =
    std::is_floating_point_v<T> || kIsReducedFloat<T>;

// The type arithmetic on T is done in.
template <typename T>
using OpMath = std::conditional_t<kIsReducedFloat<T>, float, T>;

// ScalarType of an element type.
template <typename T>
constexpr ScalarType DtypeOf() {
  if constexpr (std::is_same_v<T, bool>) return ScalarType::kBool;
  if constexpr (std::is_same_v<T, uint8_t>) return ScalarType::kByte;
  if constexpr (std::is_same_v<T, int8_t>) return ScalarType::kChar;
  if constexpr (std::is_same_v<T, int16_t>) return ScalarType::kShort;
  if constexpr (std::is_same_v<T, int32_t>) return ScalarType::kInt;
  if constexpr (std::is_same_v<T, int64_t>) return ScalarType::kLong;
  if constexpr (std::is_same_v<T, Half>) return ScalarType::kHalf;
  if constexpr (std::is_same_v<T, float>) return ScalarType::kFloat;
  if constexpr (std::is_same_v<T, double>) return ScalarType::kDouble;
  if constexpr (std::is_same_v<T, BFloat16>) return ScalarType::kBFloat16;
  if constexpr (std::is_same_v<T, std::complex<float>>) {
    return ScalarType::kComplexFloat;
  }
  if constexpr (std::is_same_v<T, std::complex<double>>) {
    return ScalarType::kComplexDouble;
  }
}

// `"op" not implemented for 'Bool'`.
inline absl::Status UnsupportedDtypeError(absl::string_view op,
                                          ScalarType type) {
  return absl::UnimplementedError(absl::StrCat(
      "\"", op, "\" not implemented for '", C10TypeName(type), "'"));
}

// Calls f(TypeTag<T>{}) for the element type T of `type` when `type` is in
// kGroups; f returns absl::Status.
template <uint32_t kGroups, typename F>
absl::Status DispatchDtype(ScalarType type, absl::string_view op, F&& f) {
#define PTSER_DISPATCH_CASE_(group, dtype, T) \
  case dtype:                                 \
    if constexpr ((kGroups & (group)) != 0) { \
      return f(TypeTag<T>{});                 \
    }                                         \
    break;
  switch (type) {
    PTSER_DISPATCH_CASE_(kBoolType, ScalarType::kBool, bool)
    PTSER_DISPATCH_CASE_(kIntegralTypes, ScalarType::kByte, uint8_t)
    PTSER_DISPATCH_CASE_(kIntegralTypes, ScalarType::kChar, int8_t)
    PTSER_DISPATCH_CASE_(kIntegralTypes, ScalarType::kShort, int16_t)
    PTSER_DISPATCH_CASE_(kIntegralTypes, ScalarType::kInt, int32_t)
    PTSER_DISPATCH_CASE_(kIntegralTypes, ScalarType::kLong, int64_t)
    PTSER_DISPATCH_CASE_(kFloatingTypes, ScalarType::kFloat, float)
    PTSER_DISPATCH_CASE_(kFloatingTypes, ScalarType::kDouble, double)
    PTSER_DISPATCH_CASE_(kReducedFloatingTypes, ScalarType::kHalf, Half)
    PTSER_DISPATCH_CASE_(kReducedFloatingTypes, ScalarType::kBFloat16, BFloat16)
    PTSER_DISPATCH_CASE_(kComplexTypes, ScalarType::kComplexFloat,
                         std::complex<float>)
    PTSER_DISPATCH_CASE_(kComplexTypes, ScalarType::kComplexDouble,
                         std::complex<double>)
    default:
      break;
  }
#undef PTSER_DISPATCH_CASE_
  return UnsupportedDtypeError(op, type);
}

// True when DispatchDtype<kGroups> handles `type`.
template <uint32_t kGroups>
bool DtypeInGroups(ScalarType type) {
  switch (type) {
    case ScalarType::kBool:
      return (kGroups & kBoolType) != 0;
    case ScalarType::kByte:
    case ScalarType::kChar:
    case ScalarType::kShort:
    case ScalarType::kInt:
    case ScalarType::kLong:
      return (kGroups & kIntegralTypes) != 0;
    case ScalarType::kFloat:
    case ScalarType::kDouble:
      return (kGroups & kFloatingTypes) != 0;
    case ScalarType::kHalf:
    case ScalarType::kBFloat16:
      return (kGroups & kReducedFloatingTypes) != 0;
    case ScalarType::kComplexFloat:
    case ScalarType::kComplexDouble:
      return (kGroups & kComplexTypes) != 0;
    default:
      return false;
  }
}

// Element conversion with PyTorch's meaning (tensor/element.h): to bool is
// "nonzero"; complex to real keeps the real part; integer narrowing wraps;
// floating to integer truncates as x86 does; to Half/BFloat16 goes through
// float.  The one conversion casts and ops share.
template <typename To, typename From>
To Convert(From v) {
  return ConvertElement<To>(v);
}

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_DISPATCH_H_
