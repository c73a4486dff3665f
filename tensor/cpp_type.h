// Copyright ptser authors.
//
// tensor/cpp_type.h — which C++ type holds one element of which dtype.
//
//   kScalarTypeOf<float> == ScalarType::kFloat
//   kScalarTypeOf<const int64_t> == ScalarType::kLong   (cv-qualifiers ignored)
//   CppTypeName(ScalarType::kHalf) == "ptser::Half"
//
// Defined for bool, uint8_t, int8_t, int16_t, int32_t, int64_t, uint16_t,
// uint32_t, uint64_t, Half, BFloat16, float, double, ComplexHalf,
// std::complex<float>, std::complex<double>.  Quantized and float8 dtypes
// have no C++ element type here: read their bytes through data().
#ifndef PTSER_TENSOR_CPP_TYPE_H_
#define PTSER_TENSOR_CPP_TYPE_H_

#include <complex>
#include <cstdint>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "tensor/half.h"
#include "tensor/scalar_type.h"

namespace ptser {

template <typename T>
struct CppTypeToScalarType;

#define PTSER_CPP_TYPE_TO_SCALAR_TYPE_(cpp, st)           \
  template <>                                             \
  struct CppTypeToScalarType<cpp> {                       \
    static constexpr ScalarType value = ScalarType::st;   \
  };
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(bool, kBool)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(uint8_t, kByte)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(int8_t, kChar)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(int16_t, kShort)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(int32_t, kInt)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(int64_t, kLong)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(uint16_t, kUInt16)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(uint32_t, kUInt32)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(uint64_t, kUInt64)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(Half, kHalf)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(BFloat16, kBFloat16)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(float, kFloat)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(double, kDouble)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(ComplexHalf, kComplexHalf)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(std::complex<float>, kComplexFloat)
PTSER_CPP_TYPE_TO_SCALAR_TYPE_(std::complex<double>, kComplexDouble)
#undef PTSER_CPP_TYPE_TO_SCALAR_TYPE_

template <typename T>
inline constexpr ScalarType kScalarTypeOf = CppTypeToScalarType<std::remove_cv_t<T>>::value;

// The C++ element type of `dtype` as code names it ("float", "int64_t",
// "ptser::Half"), or "" when it has none (quantized, float8, bits).
absl::string_view CppTypeName(ScalarType dtype);

}  // namespace ptser

#endif  // PTSER_TENSOR_CPP_TYPE_H_
