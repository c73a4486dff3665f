// Copyright ptser authors.
//
// tensor/scalar_type.cc — the dtype table behind tensor/scalar_type.h.

#include "tensor/scalar_type.h"

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ptser {
namespace {

struct DtypeInfo {
  absl::string_view name;          // PyTorch dtype name, no "torch."
  size_t element_size;             // bytes per element
  absl::string_view storage_class; // legacy class, "" when none
};

// Indexed by the ScalarType code; must stay in enum order.
constexpr DtypeInfo kDtypes[kNumScalarTypes] = {
    {"uint8", 1, "ByteStorage"},
    {"int8", 1, "CharStorage"},
    {"int16", 2, "ShortStorage"},
    {"int32", 4, "IntStorage"},
    {"int64", 8, "LongStorage"},
    {"float16", 2, "HalfStorage"},
    {"float32", 4, "FloatStorage"},
    {"float64", 8, "DoubleStorage"},
    {"complex32", 4, ""},
    {"complex64", 8, "ComplexFloatStorage"},
    {"complex128", 16, "ComplexDoubleStorage"},
    {"bool", 1, "BoolStorage"},
    {"qint8", 1, "QInt8Storage"},
    {"quint8", 1, "QUInt8Storage"},
    {"qint32", 4, "QInt32Storage"},
    {"bfloat16", 2, "BFloat16Storage"},
    {"quint4x2", 1, "QUInt4x2Storage"},
    {"quint2x4", 1, "QUInt2x4Storage"},
    {"bits1x8", 1, ""},
    {"bits2x4", 1, ""},
    {"bits4x2", 1, ""},
    {"bits8", 1, ""},
    {"bits16", 2, ""},
    {"float8_e5m2", 1, ""},
    {"float8_e4m3fn", 1, ""},
    {"float8_e5m2fnuz", 1, ""},
    {"float8_e4m3fnuz", 1, ""},
    {"uint16", 2, ""},
    {"uint32", 4, ""},
    {"uint64", 8, ""},
};

struct Alias {
  absl::string_view name;
  ScalarType type;
};

// PyTorch's attribute aliases for dtypes (torch.float is torch.float32 ...).
constexpr Alias kAliases[] = {
    {"float", ScalarType::kFloat},        {"double", ScalarType::kDouble},
    {"half", ScalarType::kHalf},          {"long", ScalarType::kLong},
    {"int", ScalarType::kInt},            {"short", ScalarType::kShort},
    {"cfloat", ScalarType::kComplexFloat},
    {"cdouble", ScalarType::kComplexDouble},
    {"chalf", ScalarType::kComplexHalf},
};

bool IsValid(ScalarType type) {
  const int code = static_cast<int>(type);
  return code >= 0 && code < kNumScalarTypes;
}

const DtypeInfo* Info(ScalarType type) {
  return IsValid(type) ? &kDtypes[static_cast<int>(type)] : nullptr;
}

}  // namespace

int ElementsPerByte(ScalarType type) {
  if (type == ScalarType::kQUInt4x2) return 2;
  if (type == ScalarType::kQUInt2x4) return 4;
  return 1;
}

size_t ElementSize(ScalarType type) {
  const DtypeInfo* info = Info(type);
  return info == nullptr ? 0 : info->element_size;
}

absl::string_view DtypeName(ScalarType type) {
  const DtypeInfo* info = Info(type);
  return info == nullptr ? absl::string_view("unknown") : info->name;
}

std::optional<absl::string_view> LegacyStorageClassName(ScalarType type) {
  const DtypeInfo* info = Info(type);
  if (info == nullptr || info->storage_class.empty()) return std::nullopt;
  return info->storage_class;
}

absl::StatusOr<ScalarType> ScalarTypeFromDtypeName(absl::string_view name) {
  for (int code = 0; code < kNumScalarTypes; ++code) {
    if (kDtypes[code].name == name) return static_cast<ScalarType>(code);
  }
  for (const Alias& alias : kAliases) {
    if (alias.name == name) return alias.type;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown dtype name '", name, "'"));
}

absl::StatusOr<ScalarType> ScalarTypeFromStorageClassName(
    absl::string_view name) {
  if (!name.empty()) {
    for (int code = 0; code < kNumScalarTypes; ++code) {
      if (kDtypes[code].storage_class == name) {
        return static_cast<ScalarType>(code);
      }
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown storage class name '", name, "'"));
}

absl::StatusOr<ScalarType> ScalarTypeFromCode(int64_t code) {
  if (code < 0 || code >= kNumScalarTypes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ScalarType code ", code, " (expected 0..",
        kNumScalarTypes - 1, ")"));
  }
  return static_cast<ScalarType>(code);
}

bool IsFloatingPoint(ScalarType type) {
  switch (type) {
    case ScalarType::kHalf:
    case ScalarType::kFloat:
    case ScalarType::kDouble:
    case ScalarType::kBFloat16:
    case ScalarType::kFloat8_e5m2:
    case ScalarType::kFloat8_e4m3fn:
    case ScalarType::kFloat8_e5m2fnuz:
    case ScalarType::kFloat8_e4m3fnuz:
      return true;
    default:
      return false;
  }
}

bool IsComplex(ScalarType type) {
  return type == ScalarType::kComplexHalf ||
         type == ScalarType::kComplexFloat ||
         type == ScalarType::kComplexDouble;
}

bool IsIntegral(ScalarType type, bool include_bool) {
  switch (type) {
    case ScalarType::kByte:
    case ScalarType::kChar:
    case ScalarType::kShort:
    case ScalarType::kInt:
    case ScalarType::kLong:
    case ScalarType::kUInt16:
    case ScalarType::kUInt32:
    case ScalarType::kUInt64:
      return true;
    case ScalarType::kBool:
      return include_bool;
    default:
      return false;
  }
}

bool IsQuantized(ScalarType type) {
  return type == ScalarType::kQInt8 || type == ScalarType::kQUInt8 ||
         type == ScalarType::kQInt32 || type == ScalarType::kQUInt4x2 ||
         type == ScalarType::kQUInt2x4;
}

bool IsSigned(ScalarType type) {
  switch (type) {
    case ScalarType::kChar:
    case ScalarType::kShort:
    case ScalarType::kInt:
    case ScalarType::kLong:
    case ScalarType::kQInt8:
    case ScalarType::kQInt32:
      return true;
    default:
      // Every floating-point and complex dtype is signed; unsigned
      // integers, bool, the unsigned quantized and the bits dtypes are not.
      return IsFloatingPoint(type) || IsComplex(type);
  }
}

std::string DtypeRepr(ScalarType type) {
  return absl::StrCat("torch.", DtypeName(type));
}

std::ostream& operator<<(std::ostream& os, ScalarType type) { return os << DtypeRepr(type); }

}  // namespace ptser
