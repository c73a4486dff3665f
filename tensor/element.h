// Copyright ptser authors.
//
// tensor/element.h — one element of a tensor: its type category, and the
// conversion between element types that every part of ptser uses.
//
//   ConvertElement<int8_t>(300.7)        == 44    (through int32, as PyTorch)
//   ConvertElement<uint8_t>(2573673607.2) == 135   (uint8 goes through int64)
//   ConvertElement<bool>(std::complex<float>(0, 1)) == true
//   ScalarToElement<float>(Scalar(int64_t{3})) == 3.0f
//
// The meaning is PyTorch 1.13's on x86-64 CPUs (what `tensor.to(dtype)`
// gives), checked against it in tensor/cast_test.cc:
//  * to bool: "nonzero" (a complex is nonzero when either part is);
//  * complex to real keeps the real part; real to complex has imaginary 0;
//  * integer to integer wraps (two's complement);
//  * floating to integer truncates toward zero.  int64 and uint8..uint32 go
//    through int64, int8/int16/int32 through int32; a value outside that
//    range, or NaN, becomes the range's minimum (x86's cvttsd2si result)
//    before the wrap.  uint64 takes values in [0, 2^64) directly;
//  * to Half/BFloat16 rounds through float; double to float rounds (overflow
//    gives inf); Half/BFloat16 are read as float.
// Never undefined behaviour, for any input value.
//
// Element types: bool, uint8_t, int8_t, int16_t, int32_t, int64_t, uint16_t,
// uint32_t, uint64_t, Half, BFloat16, float, double, ComplexHalf,
// std::complex<float>, std::complex<double> (tensor/cpp_type.h).
//
// Header-only: conversion sits in the innermost loops of casts and ops.
#ifndef PTSER_TENSOR_ELEMENT_H_
#define PTSER_TENSOR_ELEMENT_H_

#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tensor/half.h"
#include "tensor/scalar.h"

namespace ptser {

// ---- categories -------------------------------------------------------------

template <typename T>
inline constexpr bool kIsComplexElement =
    std::is_same_v<T, ComplexHalf> || std::is_same_v<T, std::complex<float>> ||
    std::is_same_v<T, std::complex<double>>;

template <typename T>
inline constexpr bool kIsReducedFloatElement =
    std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// The real type of one part of a complex element (T itself for real T).
template <typename T>
struct ElementComponentOf {
  using type = T;
};
template <>
struct ElementComponentOf<ComplexHalf> {
  using type = Half;
};
template <typename T>
struct ElementComponentOf<std::complex<T>> {
  using type = T;
};
template <typename T>
using ElementComponent = typename ElementComponentOf<T>::type;

template <typename T>
ElementComponent<T> RealPart(const T& v) {
  if constexpr (std::is_same_v<T, ComplexHalf>) {
    return v.real;
  } else {
    return v.real();
  }
}
template <typename T>
ElementComponent<T> ImagPart(const T& v) {
  if constexpr (std::is_same_v<T, ComplexHalf>) {
    return v.imag;
  } else {
    return v.imag();
  }
}
template <typename T>
T MakeComplexElement(ElementComponent<T> re, ElementComponent<T> im) {
  if constexpr (std::is_same_v<T, ComplexHalf>) {
    return ComplexHalf{re, im};
  } else {
    return T(re, im);
  }
}

// ---- conversion -------------------------------------------------------------

namespace element_internal {

inline int64_t ToInt64X86(double x) {
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(x);
}

inline int32_t ToInt32X86(double x) {
  if (!(x >= -2147483648.0 && x < 2147483648.0)) {
    return std::numeric_limits<int32_t>::min();
  }
  return static_cast<int32_t>(x);
}

// A floating value to integer type D (see the header comment).
template <typename D>
D FloatToInteger(double x) {
  if constexpr (std::is_same_v<D, int64_t>) {
    return ToInt64X86(x);
  } else if constexpr (std::is_same_v<D, uint64_t>) {
    if (x >= 0 && x < 18446744073709551616.0) return static_cast<uint64_t>(x);
    return static_cast<uint64_t>(ToInt64X86(x));
  } else if constexpr (std::is_unsigned_v<D>) {
    return static_cast<D>(static_cast<uint64_t>(ToInt64X86(x)));
  } else {
    return static_cast<D>(static_cast<uint32_t>(ToInt32X86(x)));
  }
}

template <typename S>
double AsDouble(S v) {
  if constexpr (kIsReducedFloatElement<S>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

// Real S to real D.
template <typename D, typename S>
D ConvertReal(S v) {
  if constexpr (std::is_same_v<D, S>) {
    return v;
  } else if constexpr (std::is_same_v<D, bool>) {
    if constexpr (kIsReducedFloatElement<S>) {
      return static_cast<float>(v) != 0.0f;
    } else {
      return v != S(0);
    }
  } else if constexpr (std::is_integral_v<D>) {
    if constexpr (std::is_integral_v<S>) {
      // Through uint64 so that narrowing always wraps.
      return static_cast<D>(static_cast<uint64_t>(v));
    } else {
      return FloatToInteger<D>(AsDouble(v));
    }
  } else if constexpr (kIsReducedFloatElement<D>) {
    return D(static_cast<float>(v));  // integers and double round to float first
  } else if constexpr (kIsReducedFloatElement<S>) {
    return static_cast<D>(static_cast<float>(v));
  } else {
    return static_cast<D>(v);
  }
}

}  // namespace element_internal

// Element type S to element type D, with PyTorch's meaning (header comment).
template <typename D, typename S>
D ConvertElement(const S& v) {
  using element_internal::ConvertReal;
  if constexpr (std::is_same_v<D, S>) {
    return v;
  } else if constexpr (kIsComplexElement<S>) {
    if constexpr (kIsComplexElement<D>) {
      return MakeComplexElement<D>(ConvertReal<ElementComponent<D>>(RealPart(v)),
                                   ConvertReal<ElementComponent<D>>(ImagPart(v)));
    } else if constexpr (std::is_same_v<D, bool>) {
      return ConvertReal<bool>(RealPart(v)) || ConvertReal<bool>(ImagPart(v));
    } else {
      return ConvertReal<D>(RealPart(v));
    }
  } else if constexpr (kIsComplexElement<D>) {
    return MakeComplexElement<D>(ConvertReal<ElementComponent<D>>(v),
                                 ConvertReal<ElementComponent<D>>(0));
  } else {
    return ConvertReal<D>(v);
  }
}

// A Python number as element type T, with ConvertElement's meaning: what a
// kernel stores for a Scalar argument.  Range checks (c10's
// checked_convert) are the caller's.
template <typename T>
T ScalarToElement(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kBool:
      return ConvertElement<T>(s.to_bool());
    case Scalar::Kind::kInt:
      return ConvertElement<T>(s.to_int64());
    case Scalar::Kind::kDouble:
      return ConvertElement<T>(s.to_double());
    case Scalar::Kind::kComplex:
      return ConvertElement<T>(s.to_complex());
  }
  return T{};
}

}  // namespace ptser

#endif  // PTSER_TENSOR_ELEMENT_H_
