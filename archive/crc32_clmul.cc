// Copyright ptser authors.
//
// archive/crc32_clmul.cc — the zip CRC-32 by carry-less multiplication on
// 128-bit registers (PCLMULQDQ, SSE4.1): the input is folded four 16-byte
// lanes at a time, the lanes into one, and the last 128 bits reduced to 32
// (a Barrett reduction), after Gopal et al., "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction" (Intel, 2009).  The
// constants are x^k mod P for the reflected polynomial 0xEDB88320, as that
// paper derives them.
//
// Why not ISA-L's: on a CPU with AVX-512, ISA-L picks its 512-bit version,
// and on the project machine a load of 100,000 small tensors ran ~25 ms
// slower after checking their CRCs with it than without checking at all,
// while this 128-bit fold costs next to nothing there (docs/performance.md,
// "CRC-32 and AVX-512").
#include "archive/crc32_clmul.h"

#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PTSER_CRC32_CLMUL 1
#endif

namespace ptser {
namespace crc32_internal {

#if defined(PTSER_CRC32_CLMUL)

namespace {

// x^(4*128+32) and x^(4*128-32) mod P (reflected): fold by four lanes.
constexpr uint64_t kFold4Lo = 0x0000000154442bd4ull;
constexpr uint64_t kFold4Hi = 0x00000001c6e41596ull;
// x^(128+32) and x^(128-32) mod P: fold by one lane.
constexpr uint64_t kFold1Lo = 0x00000001751997d0ull;
constexpr uint64_t kFold1Hi = 0x00000000ccaa009eull;
// x^64 mod P: 64 bits to 32.
constexpr uint64_t kFold64 = 0x0000000163cd6124ull;
// P' (the polynomial with its x^32 term) and mu = floor(x^64 / P), reflected.
constexpr uint64_t kPoly = 0x00000001db710641ull;
constexpr uint64_t kMu = 0x00000001f7011641ull;

__attribute__((target("pclmul,sse4.1"))) inline __m128i Fold(__m128i x, __m128i k, __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
                                     _mm_clmulepi64_si128(x, k, 0x11)),
                       next);
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i Load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

}  // namespace

bool HaveClmul() {
  static const bool have = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return have;
}

__attribute__((target("pclmul,sse4.1"))) uint32_t FoldBlocks(uint32_t reg, const uint8_t* p,
                                                              size_t n) {
  // Four lanes, the register's value added to the first.
  __m128i x0 = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(reg)));
  __m128i x1 = Load(p + 16);
  __m128i x2 = Load(p + 32);
  __m128i x3 = Load(p + 48);
  p += 64;
  n -= 64;
  const __m128i k4 = _mm_set_epi64x(static_cast<long long>(kFold4Hi), static_cast<long long>(kFold4Lo));
  while (n >= 64) {
    // From memory (a load's records) the four lanes alone leave the line
    // fill buffers idle: ask for the bytes 4 KiB ahead (64 MiB: 11 -> 21
    // GB/s on the project machine).  A prefetch past the end is harmless;
    // the address is formed as an integer.
    _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(p) + 4096),
                 _MM_HINT_T0);
    x0 = Fold(x0, k4, Load(p));
    x1 = Fold(x1, k4, Load(p + 16));
    x2 = Fold(x2, k4, Load(p + 32));
    x3 = Fold(x3, k4, Load(p + 48));
    p += 64;
    n -= 64;
  }
  // The four lanes into one, then the remaining 16-byte blocks.
  const __m128i k1 = _mm_set_epi64x(static_cast<long long>(kFold1Hi), static_cast<long long>(kFold1Lo));
  __m128i x = Fold(x0, k1, x1);
  x = Fold(x, k1, x2);
  x = Fold(x, k1, x3);
  while (n >= 16) {
    x = Fold(x, k1, Load(p));
    p += 16;
    n -= 16;
  }
  // 128 bits to 64 (the low half times x^64 mod P, added to the high).
  x = _mm_xor_si128(_mm_clmulepi64_si128(k1, x, 0x01), _mm_srli_si128(x, 8));
  // 64 bits to 32.
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  const __m128i k64 = _mm_set_epi64x(0, static_cast<long long>(kFold64));
  x = _mm_xor_si128(_mm_srli_si128(x, 4), _mm_clmulepi64_si128(_mm_and_si128(x, mask32), k64, 0x00));
  // Barrett reduction to the 32-bit remainder.
  const __m128i pm = _mm_set_epi64x(static_cast<long long>(kMu), static_cast<long long>(kPoly));
  __m128i t = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x, mask32), pm, 0x10), mask32);
  t = _mm_clmulepi64_si128(t, pm, 0x00);
  x = _mm_xor_si128(x, t);
  return static_cast<uint32_t>(_mm_extract_epi32(x, 1));
}

#else  // no PCLMULQDQ here

bool HaveClmul() { return false; }
uint32_t FoldBlocks(uint32_t reg, const uint8_t*, size_t) { return reg; }

#endif

}  // namespace crc32_internal
}  // namespace ptser
