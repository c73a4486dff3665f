// Copyright ptser authors.
//
// tensor/factories.h — creating tensors: torch.empty/zeros/ones/full/arange/
// rand/randn and tensors from C++ values.
//
// Every factory returns a contiguous CPU tensor on a new storage holding
// exactly its elements, with no flags set.  Sizes are checked first:
// a negative size is InvalidArgumentError ("Trying to create tensor with
// negative dimension -1: [-1]"), sizes whose element or byte count
// overflows int64 are InvalidArgumentError ("Storage size calculation
// overflowed with sizes=[...]"), and a storage that is too big to allocate
// is ResourceExhaustedError.
//
//   ASSIGN_OR_RETURN(Tensor a, MakeTensor<int64_t>({1, 2, 3, 4}, {2, 2}));
//   ASSIGN_OR_RETURN(Tensor b, Full({2, 3}, 2.5));          // float32
//   ASSIGN_OR_RETURN(Tensor c, Arange(1, 10));              // int64 [1..9]
//   ASSIGN_OR_RETURN(Tensor d, TensorFromValues(ScalarType::kHalf,
//                                               {1, 2.5, true}, {3}));
#ifndef PTSER_TENSOR_FACTORIES_H_
#define PTSER_TENSOR_FACTORIES_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "tensor/cast.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

// torch.empty(sizes, dtype=dtype).  The bytes are zero (Storage::Allocate
// zero-fills), so Empty == Zeros; any dtype, quantized ones included.
absl::StatusOr<Tensor> Empty(absl::Span<const int64_t> sizes,
                             ScalarType dtype = ScalarType::kFloat);

// torch.zeros(sizes, dtype=dtype): all-zero bytes, any dtype.
absl::StatusOr<Tensor> Zeros(absl::Span<const int64_t> sizes,
                             ScalarType dtype = ScalarType::kFloat);

// torch.ones(sizes, dtype=dtype).  Dtypes without arithmetic values
// (quantized, bits, float8) are UnimplementedError.
absl::StatusOr<Tensor> Ones(absl::Span<const int64_t> sizes,
                            ScalarType dtype = ScalarType::kFloat);

// torch.full(sizes, fill, dtype=dtype).  Without a dtype it is inferred
// from the fill value's kind (FullDtype): bool -> bool, int -> int64,
// float -> float32 (the default dtype), complex -> complex64.  A fill that
// does not fit the dtype is InvalidArgumentError ("value 300 cannot be
// converted to type uint8_t without overflow"), as in PyTorch.
absl::StatusOr<Tensor> Full(absl::Span<const int64_t> sizes,
                            const Scalar& fill,
                            std::optional<ScalarType> dtype = std::nullopt);

// The dtype torch.full / torch.tensor give a Python number (see Full).
ScalarType FullDtype(const Scalar& value);

// torch.arange(start, end, step, dtype=dtype): the values start + i*step
// for i in [0, n).  Without a dtype: int64 when all three arguments are
// bool/int, else float32.  The length n follows PyTorch: for int64 output
// ceil((end - start) / step) computed exactly on the arguments truncated to
// integers; otherwise ceil((end - start) / step) in double on the
// arguments as given (so arange(0, 1, 0.1) has 10 elements).  Integer
// outputs compute in int64 and wrap into narrower dtypes (arange(250, 260,
// dtype=uint8) ends 255, 0, 1, 2, 3); float32/float64 compute
// start + i*step in double, float16/bfloat16 in float, then round once —
// PyTorch's scalar formula.  (Its vectorised CPU kernel adds k*step to a
// rounded block start, so for non-integral steps PyTorch's values can
// differ in the last place; lengths and dtypes always agree — checked on
// 1500 random argument sets.)  Errors (InvalidArgumentError):
// "step must be nonzero", "upper bound and larger bound inconsistent with
// step sign", "unsupported range: 0 -> nan" (non-finite start/end),
// "invalid size, possible overflow?", complex arguments, and arguments that
// overflow the computation type.  bool, complex, quantized, ... outputs are
// UnimplementedError.
absl::StatusOr<Tensor> Arange(const Scalar& start, const Scalar& end,
                              const Scalar& step = Scalar(int64_t{1}),
                              std::optional<ScalarType> dtype = std::nullopt);
// torch.arange(end) == Arange(0, end).
absl::StatusOr<Tensor> Arange(const Scalar& end);

// torch.rand(sizes, dtype=dtype): uniform in [0, 1) from a generator seeded
// with `seed` (a 64-bit Mersenne Twister; the same seed gives the same
// values everywhere, but not torch's values).  Complex dtypes draw the real
// and imaginary parts independently.  Non-floating, non-complex dtypes are
// InvalidArgumentError.
absl::StatusOr<Tensor> Rand(absl::Span<const int64_t> sizes, uint64_t seed,
                            ScalarType dtype = ScalarType::kFloat);

// torch.randn(sizes, dtype=dtype): standard normal values (Box-Muller on
// the same generator).  Complex dtypes have real and imaginary parts with
// variance 1/2 each, like PyTorch.
absl::StatusOr<Tensor> Randn(absl::Span<const int64_t> sizes, uint64_t seed,
                             ScalarType dtype = ScalarType::kFloat);

// A tensor of `sizes` whose elements are the raw little-endian bytes
// `data`; `nbytes` must equal numel * ElementSize(dtype)
// (InvalidArgumentError otherwise).  Any dtype.
absl::StatusOr<Tensor> FromBytes(ScalarType dtype, const void* data,
                                 size_t nbytes,
                                 absl::Span<const int64_t> sizes);

// A tensor with the given C++ values in row-major order; the dtype comes
// from T (kScalarTypeOf<T>: float -> float32, int64_t -> int64, Half ->
// float16, std::complex<float> -> complex64, ...).  The number of values
// must equal the shape's element count (InvalidArgumentError).  Without
// sizes the tensor is 1-D.
//
//   MakeTensor<int64_t>({1, 2, 3}, {3})
//   MakeTensor<float>({1, 2, 3, 4, 5, 6}, {2, 3})
//   MakeTensor<bool>({true, false})
template <typename T>
absl::StatusOr<Tensor> MakeTensor(absl::Span<const T> values,
                                  absl::Span<const int64_t> sizes);
template <typename T>
absl::StatusOr<Tensor> MakeTensor(absl::Span<const T> values);

// torch.tensor(values, dtype=dtype).reshape(sizes): each value converted to
// `dtype` with overflow checks like Full.
absl::StatusOr<Tensor> TensorFromValues(ScalarType dtype,
                                        absl::Span<const Scalar> values,
                                        absl::Span<const int64_t> sizes);

// ------------------------------------------------------ implementation ---

template <typename T>
absl::StatusOr<Tensor> MakeTensor(absl::Span<const T> values,
                                  absl::Span<const int64_t> sizes) {
  static_assert(sizeof(bool) == 1, "torch.bool elements are one byte");
  absl::StatusOr<int64_t> numel = CheckedNumel(sizes);
  if (!numel.ok()) return numel.status();
  if (static_cast<size_t>(*numel) != values.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        values.size(), " values do not fill a tensor of size ",
        ShapeToString(sizes), " (", *numel, " elements)"));
  }
  return FromBytes(kScalarTypeOf<T>, values.data(), values.size() * sizeof(T),
                   sizes);
}

template <typename T>
absl::StatusOr<Tensor> MakeTensor(absl::Span<const T> values) {
  const int64_t size[] = {static_cast<int64_t>(values.size())};
  return MakeTensor<T>(values, size);
}

}  // namespace ptser

#endif  // PTSER_TENSOR_FACTORIES_H_
