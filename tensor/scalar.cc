// Copyright ptser authors.
//
// tensor/scalar.cc — Scalar conversions and Python-style repr.

#include "tensor/scalar.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

// Python's repr(float): the shortest decimal string that round-trips, in
// fixed notation when the decimal exponent is in [-4, 16), else scientific
// with at least two exponent digits ("1e+16", "1e-05").
std::string PythonFloatRepr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  // buf is "[-]d[.ddd]e[+-]XX": split digits and exponent.
  std::string s(buf);
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    s = s.substr(1);
  }
  const size_t e = s.find('e');
  const int exponent = std::atoi(s.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits.push_back(s[i]);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out = "0." + std::string(-exponent - 1, '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exponent + 1) {
      out = digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    out += exp_buf;
  }
  return negative ? "-" + out : out;
}

// Python's repr of a complex part: integral values drop the ".0".
std::string ComplexPartRepr(double v) {
  std::string s = PythonFloatRepr(v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) {
    s.resize(s.size() - 2);
  }
  return s;
}

}  // namespace

ScalarType Scalar::dtype() const {
  switch (kind_) {
    case Kind::kBool:
      return ScalarType::kBool;
    case Kind::kInt:
      return ScalarType::kLong;
    case Kind::kDouble:
      return ScalarType::kDouble;
    case Kind::kComplex:
      return ScalarType::kComplexDouble;
  }
  return ScalarType::kLong;
}

bool Scalar::to_bool() const {
  switch (kind_) {
    case Kind::kBool:
    case Kind::kInt:
      return i_ != 0;
    case Kind::kDouble:
      return d_ != 0;
    case Kind::kComplex:
      return re_ != 0 || im_ != 0;
  }
  return false;
}

int64_t Scalar::to_int64() const {
  double v = 0;
  switch (kind_) {
    case Kind::kBool:
    case Kind::kInt:
      return i_;
    case Kind::kDouble:
      v = d_;
      break;
    case Kind::kComplex:
      v = re_;
      break;
  }
  // Out of range (and NaN) gives INT64_MIN, as x86's conversion does;
  // never undefined behaviour.
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
    return INT64_MIN;
  }
  return static_cast<int64_t>(v);
}

double Scalar::to_double() const {
  switch (kind_) {
    case Kind::kBool:
    case Kind::kInt:
      return static_cast<double>(i_);
    case Kind::kDouble:
      return d_;
    case Kind::kComplex:
      return re_;
  }
  return 0;
}

std::complex<double> Scalar::to_complex() const {
  if (kind_ == Kind::kComplex) return {re_, im_};
  return {to_double(), 0.0};
}

std::string Scalar::ToString() const {
  switch (kind_) {
    case Kind::kBool:
      return i_ ? "True" : "False";
    case Kind::kInt:
      return absl::StrCat(i_);
    case Kind::kDouble:
      return PythonFloatRepr(d_);
    case Kind::kComplex: {
      const std::string im = ComplexPartRepr(im_) + "j";
      if (re_ == 0 && !std::signbit(re_)) return im;
      const std::string sign = (im[0] == '-') ? "" : "+";
      return "(" + ComplexPartRepr(re_) + sign + im + ")";
    }
  }
  return "";
}

}  // namespace ptser
