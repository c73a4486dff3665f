// Copyright ptser authors.
//
// tensor/half.cc — binary16 / bfloat16 <-> float conversions.

#include "tensor/half.h"

#include <cstdint>
#include <cstring>

namespace ptser {
namespace {

uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

}  // namespace

uint16_t FloatToHalfBits(float value) {
  const uint32_t u = FloatBits(value);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t abs = u & 0x7FFFFFFFu;

  if (abs > 0x7F800000u) return sign | 0x7E00u;  // NaN
  if (abs >= 0x47800000u) return sign | 0x7C00u;  // >= 65536 or inf

  const int32_t exp = static_cast<int32_t>(abs >> 23) - 127;  // unbiased
  if (exp >= -14) {
    // Normal half: keep 10 mantissa bits, round the 13 dropped ones to
    // nearest even.  A carry out of the mantissa bumps the exponent, and
    // past the largest exponent gives 0x7C00 (inf) naturally.
    const uint32_t mant = abs & 0x007FFFFFu;
    uint32_t h = (static_cast<uint32_t>(exp + 15) << 10) | (mant >> 13);
    const uint32_t rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  if (exp < -25) return sign;  // below half of the smallest subnormal
  // Subnormal half: value = m * 2^-24 with m = full mantissa >> shift.
  const uint32_t mant = (abs & 0x007FFFFFu) | 0x00800000u;  // implicit 1
  const int shift = -exp - 1;  // 14..24: 24-bit significand -> units of 2^-24
  uint32_t h = mant >> shift;
  const uint32_t rest = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float HalfBitsToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exp = (bits >> 10) & 0x1Fu;
  uint32_t mant = bits & 0x3FFu;
  if (exp == 0x1F) {  // inf, or NaN (made quiet, payload kept)
    const uint32_t quiet = mant != 0 ? 0x00400000u : 0u;
    return BitsFloat(sign | 0x7F800000u | quiet | (mant << 13));
  }
  if (exp != 0) {
    return BitsFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
  if (mant == 0) return BitsFloat(sign);  // signed zero
  // Subnormal: normalise.
  int32_t e = -14;
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --e;
  }
  mant &= 0x3FFu;
  return BitsFloat(sign | (static_cast<uint32_t>(e + 127) << 23) |
                   (mant << 13));
}

uint16_t FloatToBFloat16Bits(float value) {
  const uint32_t u = FloatBits(value);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) {
    return static_cast<uint16_t>(((u >> 16) & 0x8000u) | 0x7FC0u);
  }
  const uint32_t bias = 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + bias) >> 16);
}

float BFloat16BitsToFloat(uint16_t bits) {
  return BitsFloat(static_cast<uint32_t>(bits) << 16);
}

}  // namespace ptser
