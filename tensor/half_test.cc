// Copyright ptser authors.

#include "tensor/half.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"

namespace ptser {
namespace {

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(HalfTest, ExactValues) {
  EXPECT_EQ(FloatToHalfBits(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalfBits(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalfBits(1.0f), 0x3C00);
  EXPECT_EQ(FloatToHalfBits(-2.0f), 0xC000);
  EXPECT_EQ(FloatToHalfBits(65504.0f), 0x7BFF);
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1.0f, -24)), 0x0001);  // min subnormal
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1.0f, -14)), 0x0400);  // min normal
}

TEST(HalfTest, RoundingMatchesPyTorch) {
  // Values from torch.tensor([...]).to(torch.float16).view(torch.int16).
  EXPECT_EQ(FloatToHalfBits(65519.0f), 31743);  // largest -> 65504
  EXPECT_EQ(FloatToHalfBits(65520.0f), 31744);  // tie past max -> inf
  EXPECT_EQ(FloatToHalfBits(1e-8f), 0);
  EXPECT_EQ(FloatToHalfBits(6e-8f), 1);
  EXPECT_EQ(FloatToHalfBits(3e-8f), 1);
  EXPECT_EQ(FloatToHalfBits(2.98e-8f), 0);
  EXPECT_EQ(HalfBitsToFloat(FloatToHalfBits(2.7f)), 2.69921875f);
  EXPECT_EQ(HalfBitsToFloat(FloatToHalfBits(127.9f)), 127.875f);
  // Ties to even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(FloatToHalfBits(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(FloatToHalfBits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  // Subnormal tie (1.5 * 2^-24) rounds to even 2 * 2^-24.
  EXPECT_EQ(FloatToHalfBits(1.5f * std::ldexp(1.0f, -24)), 0x0002);
  // Rounding up out of the subnormals into the normals.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1.0f, -14) * (1.0f - 1e-7f)), 0x0400);
}

TEST(HalfTest, InfAndNaN) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(FloatToHalfBits(inf), 0x7C00);
  EXPECT_EQ(FloatToHalfBits(-inf), 0xFC00);
  EXPECT_EQ(FloatToHalfBits(1e10f), 0x7C00);
  EXPECT_EQ(FloatToHalfBits(std::nanf("")), 0x7E00);
  EXPECT_EQ(FloatToHalfBits(-std::nanf("")), 0xFE00);
  EXPECT_TRUE(std::isinf(HalfBitsToFloat(0x7C00)));
  // A signalling half NaN comes back quiet, payload kept (as in PyTorch).
  EXPECT_EQ(Bits(HalfBitsToFloat(0x7C01)), 0x7FC02000u);
}

TEST(HalfTest, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = HalfBitsToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToHalfBits(f), h) << h;
  }
}

TEST(HalfTest, SubnormalsDecodeExactly) {
  EXPECT_EQ(HalfBitsToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfBitsToFloat(0x03FF), 1023 * std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfBitsToFloat(0x8001), -std::ldexp(1.0f, -24));
}

TEST(BFloat16Test, RoundingMatchesPyTorch) {
  // torch.tensor([...]).to(torch.bfloat16).view(torch.int16)
  EXPECT_EQ(FloatToBFloat16Bits(1.00390625f), 16256);   // tie -> even (1.0)
  EXPECT_EQ(FloatToBFloat16Bits(1.01171875f), 16258);   // tie -> even up
  EXPECT_EQ(FloatToBFloat16Bits(-1.00390625f), 0xBF80);
  EXPECT_EQ(FloatToBFloat16Bits(3.3895313892515355e+38f), 32639);
  EXPECT_EQ(BFloat16BitsToFloat(FloatToBFloat16Bits(2.7f)), 2.703125f);
  EXPECT_EQ(BFloat16BitsToFloat(FloatToBFloat16Bits(1e10f)), 9999220736.0f);
  EXPECT_EQ(BFloat16BitsToFloat(FloatToBFloat16Bits(127.9f)), 128.0f);
  EXPECT_EQ(BFloat16BitsToFloat(FloatToBFloat16Bits(70000.0f)), 70144.0f);
  // Largest finite float rounds to inf.
  EXPECT_EQ(FloatToBFloat16Bits(std::numeric_limits<float>::max()), 0x7F80);
}

TEST(BFloat16Test, NaNAndExactness) {
  EXPECT_EQ(FloatToBFloat16Bits(std::nanf("")), 0x7FC0);
  EXPECT_EQ(FloatToBFloat16Bits(-std::nanf("")), 0xFFC0);
  // A NaN whose payload lives only in the low bits stays a NaN.
  EXPECT_TRUE(std::isnan(BFloat16BitsToFloat(FloatToBFloat16Bits(
      FromBits(0x7F800001u)))));
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const float f = BFloat16BitsToFloat(static_cast<uint16_t>(b));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToBFloat16Bits(f), b) << b;
  }
}

TEST(HalfTest, LoadStoreUnaligned) {
  unsigned char buf[5] = {0};
  StoreHalf(buf + 1, 1.5f);
  EXPECT_EQ(LoadHalf(buf + 1), 1.5f);
  StoreBFloat16(buf + 3, -2.0f);
  EXPECT_EQ(LoadBFloat16(buf + 3), -2.0f);
  EXPECT_EQ(buf[0], 0);
}

TEST(HalfTest, ValueTypes) {
  Half h = 0.5f;
  EXPECT_EQ(h.bits, 0x3800);
  EXPECT_EQ(static_cast<float>(h), 0.5f);
  EXPECT_EQ(Half::FromBits(0x3C00), 1.0f);
  BFloat16 b = 3.0f;
  EXPECT_EQ(static_cast<float>(b), 3.0f);
  ComplexHalf c{Half(1.0f), Half(-1.0f)};
  EXPECT_EQ(static_cast<float>(c.imag), -1.0f);
}

}  // namespace
}  // namespace ptser
