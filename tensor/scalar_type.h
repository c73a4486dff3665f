// Copyright ptser authors.
//
// tensor/scalar_type.h — the dtype table.
//
// Every dtype PyTorch serializes, numbered with PyTorch's own ScalarType
// codes (c10/core/ScalarType.h; the same integers TorchScript code prints as
// `dtype=6`).  For each: its PyTorch name ("float32"), its element size, and
// where one exists its legacy storage class ("FloatStorage"), the name a
// `torch.save` pickle uses in `GLOBAL 'torch FloatStorage'`.  Dtypes without a
// storage class (complex32, float8_*, uint16/32/64, bits*) are saved by newer
// PyTorch as `torch.storage.UntypedStorage` + `_rebuild_tensor_v3(..., dtype)`.
//
//   ElementSize(ScalarType::Float) == 4
//   DtypeName(ScalarType::BFloat16) == "bfloat16"
//   LegacyStorageClassName(ScalarType::Long) == "LongStorage"
//   ScalarTypeFromStorageClassName("HalfStorage") == ScalarType::Half
#ifndef PTSER_TENSOR_SCALAR_TYPE_H_
#define PTSER_TENSOR_SCALAR_TYPE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ptser {

// Values are PyTorch's ScalarType codes (docs/formats/pickle.md).
enum class ScalarType : int8_t {
  kByte = 0,             // uint8,  ByteStorage
  kChar = 1,             // int8,   CharStorage
  kShort = 2,            // int16,  ShortStorage
  kInt = 3,              // int32,  IntStorage
  kLong = 4,             // int64,  LongStorage
  kHalf = 5,             // float16, HalfStorage
  kFloat = 6,            // float32, FloatStorage
  kDouble = 7,           // float64, DoubleStorage
  kComplexHalf = 8,      // complex32 (no storage class)
  kComplexFloat = 9,     // complex64, ComplexFloatStorage
  kComplexDouble = 10,   // complex128, ComplexDoubleStorage
  kBool = 11,            // bool, BoolStorage
  kQInt8 = 12,           // qint8, QInt8Storage
  kQUInt8 = 13,          // quint8, QUInt8Storage
  kQInt32 = 14,          // qint32, QInt32Storage
  kBFloat16 = 15,        // bfloat16, BFloat16Storage
  kQUInt4x2 = 16,        // quint4x2, QUInt4x2Storage (two 4-bit values/byte)
  kQUInt2x4 = 17,        // quint2x4, QUInt2x4Storage (four 2-bit values/byte)
  kBits1x8 = 18,
  kBits2x4 = 19,
  kBits4x2 = 20,
  kBits8 = 21,
  kBits16 = 22,
  kFloat8_e5m2 = 23,
  kFloat8_e4m3fn = 24,
  kFloat8_e5m2fnuz = 25,
  kFloat8_e4m3fnuz = 26,
  kUInt16 = 27,
  kUInt32 = 28,
  kUInt64 = 29,
};

// Number of ScalarType values above (they are dense from 0).
inline constexpr int kNumScalarTypes = 30;

// Bytes per element (quint4x2 and quint2x4: 1, they pack sub-byte values).
size_t ElementSize(ScalarType type);
// Values packed into one byte: 2 for quint4x2, 4 for quint2x4, 1 for every
// other dtype.  A packed tensor of n values needs ceil(n / that) bytes.
int ElementsPerByte(ScalarType type);

// PyTorch's dtype name without the "torch." prefix: "float32", "int64",
// "complex64", "quint4x2", "float8_e4m3fn", "uint16", ...
absl::string_view DtypeName(ScalarType type);

// The legacy `torch.<Name>Storage` class, or nullopt for dtypes that have
// none (complex32, bits*, float8_*, uint16/32/64).
std::optional<absl::string_view> LegacyStorageClassName(ScalarType type);

// Inverse lookups.  `name` may be a canonical name ("float32") or one of
// PyTorch's aliases ("float", "double", "half", "long", "int", "short",
// "cfloat", "cdouble", "chalf").  Unknown names give InvalidArgumentError
// quoting the name.
absl::StatusOr<ScalarType> ScalarTypeFromDtypeName(absl::string_view name);
absl::StatusOr<ScalarType> ScalarTypeFromStorageClassName(
    absl::string_view name);
// From a raw ScalarType code read from a file; out-of-range codes are an
// InvalidArgumentError.
absl::StatusOr<ScalarType> ScalarTypeFromCode(int64_t code);

bool IsFloatingPoint(ScalarType type);  // half, float, double, bf16, float8*
bool IsComplex(ScalarType type);
bool IsIntegral(ScalarType type, bool include_bool);
bool IsQuantized(ScalarType type);  // qint8, quint8, qint32, quint4x2, quint2x4
bool IsSigned(ScalarType type);

// "torch.float32" etc., as Python prints a dtype.
std::string DtypeRepr(ScalarType type);

// Writes DtypeRepr(type): `std::cout << t.dtype()` prints "torch.float32".
std::ostream& operator<<(std::ostream& os, ScalarType type);

}  // namespace ptser

#endif  // PTSER_TENSOR_SCALAR_TYPE_H_
