// Copyright ptser authors.
//
// base/endian.h — byte order: little- and big-endian integers loaded from and
// stored to bytes at any address, and elements byte-swapped in place.
//
// Every format ptser reads fixes its byte order, whatever machine wrote it:
// zip fields, the tar format's record headers, the legacy stream's storage
// element counts, safetensors' header length and pickle's integer arguments
// are little-endian; pickle's BINFLOAT is a big-endian double; a file saved on
// a big-endian machine (its `byteorder` record says "big") holds big-endian
// storage elements.  These functions are correct on any host; on a
// little-endian one a fixed-width load or store is one unaligned move (memcpy),
// on a big-endian one it adds a byte swap.
//
//   const uint32_t crc = LoadLE32(header + 14);   // a zip local header's CRC-32
//   AppendLE64(&out, numel);                      // a legacy storage's count
//   const uint64_t bits = LoadBE64(arg);          // pickle BINFLOAT's double
//   SwapBytes(data, nbytes, 4);                   // big-endian float32 -> host
//
// Pointers may have any alignment; the caller has checked that the bytes are
// there (nothing here knows a bound).
#ifndef PTSER_BASE_ENDIAN_H_
#define PTSER_BASE_ENDIAN_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace ptser {

// Whether this program runs little-endian (x86-64, ARM64 as Linux runs it).
inline constexpr bool kHostIsLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

namespace endian_internal {

inline uint16_t Swap(uint16_t v) { return __builtin_bswap16(v); }
inline uint32_t Swap(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t Swap(uint64_t v) { return __builtin_bswap64(v); }

// The T at `p`, stored little-endian when `little`, else big-endian.
template <typename T>
T Load(const void* p, bool little) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return little == kHostIsLittleEndian ? v : Swap(v);
}

template <typename T>
void Store(void* p, T v, bool little) {
  if (little != kHostIsLittleEndian) v = Swap(v);
  std::memcpy(p, &v, sizeof(v));
}

template <typename T>
void Append(std::string* out, T v, bool little) {
  char b[sizeof(v)];
  Store(b, v, little);
  out->append(b, sizeof(b));
}

}  // namespace endian_internal

// ---- Loads: the unsigned integer stored at `p` in the named byte order.
inline uint16_t LoadLE16(const void* p) { return endian_internal::Load<uint16_t>(p, true); }
inline uint32_t LoadLE32(const void* p) { return endian_internal::Load<uint32_t>(p, true); }
inline uint64_t LoadLE64(const void* p) { return endian_internal::Load<uint64_t>(p, true); }
inline uint64_t LoadBE64(const void* p) { return endian_internal::Load<uint64_t>(p, false); }

// The unsigned little-endian integer of the `n` bytes at `p`, 0 <= n <= 8
// (pickle's 1-, 2-, 4- and 8-byte arguments; LONG1's up to 8).
inline uint64_t LoadLE(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  uint64_t v = 0;
  for (size_t i = n; i > 0; --i) v = (v << 8) | b[i - 1];
  return v;
}

// ---- Stores: `v` written at `p` in the named byte order.
inline void StoreLE16(void* p, uint16_t v) { endian_internal::Store(p, v, true); }
inline void StoreLE32(void* p, uint32_t v) { endian_internal::Store(p, v, true); }
inline void StoreLE64(void* p, uint64_t v) { endian_internal::Store(p, v, true); }
inline void StoreBE64(void* p, uint64_t v) { endian_internal::Store(p, v, false); }

// ---- Appends: `v` added at the end of `out` in the named byte order.
inline void AppendLE16(std::string* out, uint16_t v) { endian_internal::Append(out, v, true); }
inline void AppendLE32(std::string* out, uint32_t v) { endian_internal::Append(out, v, true); }
inline void AppendLE64(std::string* out, uint64_t v) { endian_internal::Append(out, v, true); }
inline void AppendBE64(std::string* out, uint64_t v) { endian_internal::Append(out, v, false); }

// The low `n` bytes of `v`, little-endian, 0 <= n <= 8 (higher bytes are
// dropped: the caller chose `n` to hold `v`).
inline void AppendLE(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// ---- Swapping.

// Reverses the bytes of each `unit`-byte element of the `nbytes` at `data`,
// in place: a storage of elements written in the other byte order (a complex
// number swaps each component: unit is half its size).  A unit of 0 or 1
// changes nothing; trailing bytes short of a whole element are left as they are.
inline void SwapBytes(void* data, size_t nbytes, size_t unit) {
  if (unit <= 1) return;
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i + unit <= nbytes; i += unit) std::reverse(p + i, p + i + unit);
}

}  // namespace ptser

#endif  // PTSER_BASE_ENDIAN_H_
