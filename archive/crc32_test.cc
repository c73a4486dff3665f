// Copyright ptser authors.
#include "archive/crc32.h"

#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ptser {
namespace {

TEST(Crc32, KnownValues) {
  // The CRC-32 check value of "123456789" (every CRC catalogue lists it).
  const std::string check = "123456789";
  EXPECT_EQ(Crc32(0, check.data(), check.size()), 0xCBF43926u);
  EXPECT_EQ(Crc32(0, nullptr, 0), 0u);
  // float_tensor.pt's data/0 record (1.0f, 2.0f, 3.0f) as PyTorch 1.13 wrote
  // it: CRC b20e96b1 in its data descriptor (docs/formats/zip.md).
  const float values[] = {1.0f, 2.0f, 3.0f};
  EXPECT_EQ(Crc32(0, values, sizeof(values)), 0xb20e96b1u);
  // ... and its version record "3\n": 55679ed1.
  EXPECT_EQ(Crc32(0, "3\n", 2), 0x55679ed1u);
}

TEST(Crc32, MatchesZlibAndStreams) {
  std::mt19937 rng(42);
  std::vector<unsigned char> buf(1 << 20);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  // Around every edge of the 64-byte, 16-byte-block fold, at every
  // alignment of the start.
  std::vector<size_t> sizes = {1, 7, 4095, buf.size() - 3, buf.size()};
  for (size_t n = 15; n <= 200; ++n) sizes.push_back(n);
  for (size_t size : sizes) {
    for (size_t at : {size_t{0}, size_t{1}, size_t{3}, size_t{8}, size_t{15}}) {
      if (at + size > buf.size()) continue;
      uint32_t expected = static_cast<uint32_t>(
          crc32(0, buf.data() + at, static_cast<uInt>(size)));
      EXPECT_EQ(Crc32(0, buf.data() + at, size), expected) << size << " at " << at;
      size_t half = size / 2;
      EXPECT_EQ(Crc32(Crc32(0, buf.data() + at, half), buf.data() + at + half, size - half),
                expected)
          << size << " at " << at;
      // Continuing a CRC that is not 0.
      EXPECT_EQ(Crc32(0x12345678u, buf.data() + at, size),
                static_cast<uint32_t>(crc32(0x12345678u, buf.data() + at, static_cast<uInt>(size))))
          << size << " at " << at;
    }
  }
}

TEST(Crc32, BackendIsNamed) {
  std::string name(Crc32BackendName());
  EXPECT_TRUE(name == "pclmul" || name == "isa-l" || name == "zlib") << name;
}

}  // namespace
}  // namespace ptser
