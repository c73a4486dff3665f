// Copyright ptser authors.
//
// tensor/scalar.h — a Python number used as an operand ("wrapped number").
//
// PyTorch ops accept Python numbers where a tensor could go (`t + 1`,
// `t * 0.5`, `torch.where(c, t, 0)`).  Such a number is a *wrapped number*: it
// has the lowest priority in type promotion (tensor/ops/type_promotion.h), so
// `int32_tensor + 5` stays int32 and `float16_tensor + 2.5` stays float16.  A
// Scalar keeps the Python kind of the number:
//
//   Scalar(true)        bool     (promotes like torch.bool)
//   Scalar(3)           int      (an int64; promotes like torch.int64)
//   Scalar(2.5)         float    (a double; promotes like the default dtype,
//                                 float32, in the floating category)
//   Scalar(std::complex<double>(0, 1))
//                       complex  (promotes like complex64)
//
// Any C++ integer type converts to an int Scalar, float and double to a
// float Scalar.  Unsigned values above INT64_MAX wrap (Python ints are
// unbounded; ptser keeps 64 bits).
#ifndef PTSER_TENSOR_SCALAR_H_
#define PTSER_TENSOR_SCALAR_H_

#include <complex>
#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>

#include "tensor/scalar_type.h"

namespace ptser {

class Scalar {
 public:
  enum class Kind : int8_t { kBool, kInt, kDouble, kComplex };

  // The int 0.
  Scalar() : kind_(Kind::kInt), i_(0) {}
  Scalar(bool v) : kind_(Kind::kBool), i_(v ? 1 : 0) {}  // NOLINT
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  Scalar(T v) : kind_(Kind::kInt), i_(static_cast<int64_t>(v)) {}  // NOLINT
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::kDouble), d_(static_cast<double>(v)) {}  // NOLINT
  Scalar(std::complex<double> v)                                     // NOLINT
      : kind_(Kind::kComplex), re_(v.real()), im_(v.imag()) {}
  Scalar(std::complex<float> v)  // NOLINT
      : kind_(Kind::kComplex), re_(v.real()), im_(v.imag()) {}

  Kind kind() const { return kind_; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_integral() const { return kind_ == Kind::kInt; }  // bool excluded
  bool is_floating_point() const { return kind_ == Kind::kDouble; }
  bool is_complex() const { return kind_ == Kind::kComplex; }

  // The dtype PyTorch gives the number when it wraps it into a 0-dim tensor:
  // bool, int64, float64 or complex128.  (Type promotion then maps float64
  // to the default dtype; see ResultType.)
  ScalarType dtype() const;

  // The value converted as C++ would (bool: nonzero; complex: real part for
  // the real accessors).
  bool to_bool() const;
  int64_t to_int64() const;
  double to_double() const;
  std::complex<double> to_complex() const;

  // Python's repr: "True", "3", "2.5", "1e+20", "(1+2j)".
  std::string ToString() const;

  friend std::ostream& operator<<(std::ostream& os, const Scalar& s) {
    return os << s.ToString();
  }

 private:
  Kind kind_;
  // Payload by kind (kept as plain fields: a Scalar is tiny and trivially
  // copyable).
  int64_t i_ = 0;
  double d_ = 0;
  double re_ = 0;
  double im_ = 0;
};

}  // namespace ptser

#endif  // PTSER_TENSOR_SCALAR_H_
