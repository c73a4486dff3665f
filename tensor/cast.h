// Copyright ptser authors.
//
// tensor/cast.h — dtype conversion (`t.to(dtype)`) and element access.
//
// Conversions follow PyTorch 1.13 on x86-64 (CPU), value for value:
//
//   * float -> integer truncates toward zero.  Values outside the target's
//     range (and NaN/inf) give what PyTorch's CPU kernels give there:
//     int64 gets INT64_MIN; int32, int16 and int8 first become int32 —
//     INT32_MIN when out of its range — then keep their low bits (300.0 ->
//     int8 44, 70000.0 -> int16 4464, 3e9 -> int8 0); uint8 (and uint16,
//     uint32) go through int64 the same way (-1.5 -> uint8 255,
//     2573673607.2 -> uint8 135).
//   * integer -> narrower integer keeps the low bits (two's complement).
//   * anything -> bool is `value != 0` (complex: either part nonzero; note
//     PyTorch 1.13 itself looks only at the real part there).
//   * bool -> anything is 0 / 1.
//   * complex -> real takes the real part (PyTorch warns); real -> complex
//     has a zero imaginary part.
//   * -> float16 / bfloat16 rounds to nearest even through float (a double
//     or int64 converts to float first, like c10::Half); from them exact.
//   * int64 -> float32 rounds directly (not via double).
//
// Supported dtypes (IsCastSupported): bool, uint8, int8, int16, int32,
// int64, uint16, uint32, uint64, float16, bfloat16, float32, float64,
// complex32, complex64, complex128.  Quantized, bits and float8 dtypes give
// UnimplementedError.  Only CPU tensors hold readable data; others give
// FailedPreconditionError.
//
// Element access converts through ptser::Scalar (tensor/ops/scalar.h):
// reads give a bool / int / float / complex Scalar, writes check the value
// fits the dtype like PyTorch's Scalar.to<T>() ("value cannot be converted
// to type uint8_t without overflow", InvalidArgumentError) and then convert
// as above.
#ifndef PTSER_TENSOR_CAST_H_
#define PTSER_TENSOR_CAST_H_

#include <complex>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "tensor/cpp_type.h"
#include "tensor/half.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {

// The dtype <-> C++ element type traits (kScalarTypeOf<T>) are in
// tensor/cpp_type.h.

// ------------------------------------------------------------ casting ---

// True for the dtypes Cast and the element helpers handle (see above).
bool IsCastSupported(ScalarType dtype);

// t.to(dtype).  The same dtype returns `t` itself (as PyTorch does).
// Otherwise a new storage with t's sizes and Clone's strides (PyTorch's
// preserve_format: a transposed input gives a transposed output) holding
// the converted values; the conj/neg bits are resolved, requires_grad is
// kept only for floating-point and complex results, and the result is not
// an nn.Parameter.
absl::StatusOr<Tensor> Cast(const Tensor& t, ScalarType dtype);

// Writes t's elements, converted to `dtype` and with the conj/neg bits
// resolved, in row-major order of the logical index into `out`, which has
// room for `out_bytes` bytes (at least numel() * ElementSize(dtype), else
// InvalidArgumentError).
absl::Status CopyToBuffer(const Tensor& t, ScalarType dtype, void* out,
                          size_t out_bytes);

// t's elements as a std::vector<T> in row-major order (converted with Cast
// semantics, conj/neg bits resolved).
template <typename T>
absl::StatusOr<std::vector<T>> ToVector(const Tensor& t);

// ----------------------------------------------------- element access ---

// One element of dtype `dtype` at `p` (any alignment) as a Scalar: bool for
// bool, int for integer dtypes (uint64 above INT64_MAX wraps), float for
// floating dtypes, complex for complex ones.
absl::StatusOr<Scalar> LoadScalar(const void* p, ScalarType dtype);

// Stores `value` at `p` as one element of `dtype`, checked for overflow
// like PyTorch's fill_ / Scalar.to<T>() (InvalidArgumentError).
absl::Status StoreScalar(void* p, ScalarType dtype, const Scalar& value);

// t[index] (one index per dimension; negative counts from the end).  The
// conj/neg bits are applied: this is the logical value.  A wrong number of
// indices is InvalidArgumentError; an index out of range OutOfRangeError
// ("index 5 is out of bounds for dimension 0 with size 3").
absl::StatusOr<Scalar> GetElement(const Tensor& t,
                                  absl::Span<const int64_t> index);

// t[index] = value, writing through t's storage (so through a view into its
// base).  Checked like StoreScalar; a read-only storage is
// FailedPreconditionError.
absl::Status SetElement(const Tensor& t, absl::Span<const int64_t> index,
                        const Scalar& value);

// ------------------------------------------------------ implementation ---

template <typename T>
absl::StatusOr<std::vector<T>> ToVector(const Tensor& t) {
  const size_t n = static_cast<size_t>(t.numel());
  // An expanded view may have far more elements than bytes behind it: the
  // vector is held to what a storage of its size could take.
  if (absl::Status room = Storage::CheckAllocation(n, sizeof(T)); !room.ok()) return room;
  try {
    if constexpr (std::is_same_v<T, bool>) {
      std::vector<uint8_t> bytes(n);
      absl::Status status =
          CopyToBuffer(t, ScalarType::kBool, bytes.data(), bytes.size());
      if (!status.ok()) return status;
      return std::vector<bool>(bytes.begin(), bytes.end());
    } else {
      std::vector<T> out(n);
      absl::Status status =
          CopyToBuffer(t, kScalarTypeOf<T>, out.data(), n * sizeof(T));
      if (!status.ok()) return status;
      return out;
    }
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat("out of memory copying ", n, " elements out of a tensor"));
  }
}

}  // namespace ptser

#endif  // PTSER_TENSOR_CAST_H_
