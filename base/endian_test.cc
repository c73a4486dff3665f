// Copyright ptser authors.
#include "base/endian.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

// Bytes 01 02 ... 10 one past an aligned boundary, so every load is unaligned.
struct Bytes {
  alignas(16) unsigned char buf[32];
  const unsigned char* p() const { return buf + 1; }
  Bytes() {
    for (int i = 0; i < 32; ++i) buf[i] = static_cast<unsigned char>(i);
  }
};

TEST(EndianTest, LittleEndianLoadsReadTheLowByteFirst) {
  const Bytes b;
  EXPECT_EQ(LoadLE16(b.p()), 0x0201u);
  EXPECT_EQ(LoadLE32(b.p()), 0x04030201u);
  EXPECT_EQ(LoadLE64(b.p()), 0x0807060504030201u);
}

TEST(EndianTest, BigEndianLoadReadsTheHighByteFirst) {
  const Bytes b;
  EXPECT_EQ(LoadBE64(b.p()), 0x0102030405060708u);
  // Pickle's BINFLOAT of 1.5 (struct.pack('>d', 1.5)).
  const unsigned char one_and_a_half[8] = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
  const uint64_t bits = LoadBE64(one_and_a_half);
  double d;
  std::memcpy(&d, &bits, 8);
  EXPECT_EQ(d, 1.5);
}

TEST(EndianTest, LoadOfNBytesMatchesTheFixedWidths) {
  const Bytes b;
  EXPECT_EQ(LoadLE(b.p(), 0), 0u);
  EXPECT_EQ(LoadLE(b.p(), 1), 0x01u);
  EXPECT_EQ(LoadLE(b.p(), 2), LoadLE16(b.p()));
  EXPECT_EQ(LoadLE(b.p(), 3), 0x030201u);
  EXPECT_EQ(LoadLE(b.p(), 4), LoadLE32(b.p()));
  EXPECT_EQ(LoadLE(b.p(), 8), LoadLE64(b.p()));
  const unsigned char all_ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(LoadLE(all_ones, 8), ~uint64_t{0});
}

TEST(EndianTest, StoresAreTheInverseOfLoads) {
  unsigned char buf[11] = {};
  StoreLE16(buf + 1, 0xBEEF);
  EXPECT_EQ(buf[1], 0xEF);
  EXPECT_EQ(buf[2], 0xBE);
  EXPECT_EQ(LoadLE16(buf + 1), 0xBEEFu);
  StoreLE32(buf + 3, 0xDEADBEEFu);
  EXPECT_EQ(buf[3], 0xEF);
  EXPECT_EQ(buf[6], 0xDE);
  EXPECT_EQ(LoadLE32(buf + 3), 0xDEADBEEFu);
  StoreLE64(buf + 3, 0x0123456789ABCDEFu);
  EXPECT_EQ(buf[3], 0xEF);
  EXPECT_EQ(buf[10], 0x01);
  EXPECT_EQ(LoadLE64(buf + 3), 0x0123456789ABCDEFu);
  StoreBE64(buf + 3, 0x0123456789ABCDEFu);
  EXPECT_EQ(buf[3], 0x01);
  EXPECT_EQ(buf[10], 0xEF);
  EXPECT_EQ(LoadBE64(buf + 3), 0x0123456789ABCDEFu);
}

TEST(EndianTest, AppendsAddTheBytesInOrder) {
  std::string out = "x";
  AppendLE16(&out, 0x0201);
  AppendLE32(&out, 0x06050403u);
  AppendLE64(&out, 0x0E0D0C0B0A090807u);
  AppendBE64(&out, 0x0F10111213141516u);
  std::string want = "x";
  for (char c = 1; c <= 0x16; ++c) want.push_back(c);
  EXPECT_EQ(out, want);
}

TEST(EndianTest, AppendOfNBytesKeepsTheLowBytes) {
  std::string out;
  AppendLE(&out, 0x0807060504030201u, 3);
  EXPECT_EQ(out, std::string("\x01\x02\x03", 3));
  out.clear();
  AppendLE(&out, 0x0807060504030201u, 0);
  EXPECT_EQ(out, "");
  out.clear();
  AppendLE(&out, 0x0807060504030201u, 8);
  std::string want64;
  AppendLE64(&want64, 0x0807060504030201u);
  EXPECT_EQ(out, want64);
}

TEST(EndianTest, SwapBytesReversesEachElement) {
  unsigned char data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  SwapBytes(data, 10, 4);  // two float32s and a two-byte tail left alone
  const unsigned char want4[10] = {4, 3, 2, 1, 8, 7, 6, 5, 9, 10};
  EXPECT_EQ(std::memcmp(data, want4, 10), 0);
  SwapBytes(data, 10, 4);
  const unsigned char orig[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(std::memcmp(data, orig, 10), 0);
  SwapBytes(data, 10, 2);
  const unsigned char want2[10] = {2, 1, 4, 3, 6, 5, 8, 7, 10, 9};
  EXPECT_EQ(std::memcmp(data, want2, 10), 0);
  SwapBytes(data, 10, 1);  // bytes have no order
  SwapBytes(data, 10, 0);
  EXPECT_EQ(std::memcmp(data, want2, 10), 0);
  unsigned char eight[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  SwapBytes(eight, 8, 8);
  EXPECT_EQ(LoadBE64(eight), LoadLE64(orig));
}

}  // namespace
}  // namespace ptser
