// Copyright ptser authors.
#include "tensor/cpp_type.h"

namespace ptser {

absl::string_view CppTypeName(ScalarType dtype) {
  switch (dtype) {
    case ScalarType::kBool: return "bool";
    case ScalarType::kByte: return "uint8_t";
    case ScalarType::kChar: return "int8_t";
    case ScalarType::kShort: return "int16_t";
    case ScalarType::kInt: return "int32_t";
    case ScalarType::kLong: return "int64_t";
    case ScalarType::kUInt16: return "uint16_t";
    case ScalarType::kUInt32: return "uint32_t";
    case ScalarType::kUInt64: return "uint64_t";
    case ScalarType::kHalf: return "ptser::Half";
    case ScalarType::kBFloat16: return "ptser::BFloat16";
    case ScalarType::kFloat: return "float";
    case ScalarType::kDouble: return "double";
    case ScalarType::kComplexHalf: return "ptser::ComplexHalf";
    case ScalarType::kComplexFloat: return "std::complex<float>";
    case ScalarType::kComplexDouble: return "std::complex<double>";
    default: return "";
  }
}

}  // namespace ptser
