// Copyright ptser authors.
#include "archive/crc32.h"

#include <algorithm>
#include <climits>

#if defined(PTSER_HAVE_ISAL)
#include <isa-l/crc.h>
#endif
#include <zlib.h>

#include "archive/crc32_clmul.h"

namespace ptser {

namespace {

uint32_t Zlib(uint32_t crc, const unsigned char* p, size_t size) {
  // zlib's length is a uInt: feed it in pieces.
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, UINT_MAX / 2));
    crc = static_cast<uint32_t>(crc32(crc, p, chunk));
    p += chunk;
    size -= chunk;
  }
  return crc;
}

}  // namespace

uint32_t Crc32(uint32_t crc, const void* data, size_t size) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  if (crc32_internal::HaveClmul()) {
    // The 16-byte blocks by carry-less multiplication (crc32_clmul.h); the
    // last few bytes, and buffers under 64, by zlib's table.  ISA-L is then
    // not called at all: on an AVX-512 CPU it runs 512-bit code, after which
    // the whole thread ran slower on the project machine (crc32_clmul.cc).
    if (size >= 64) {
      const size_t blocks = size & ~size_t{15};
      crc = ~crc32_internal::FoldBlocks(~crc, p, blocks);
      p += blocks;
      size -= blocks;
    }
    return Zlib(crc, p, size);
  }
#if defined(PTSER_HAVE_ISAL)
  // crc32_gzip_refl takes a uint64_t length.
  return crc32_gzip_refl(crc, p, static_cast<uint64_t>(size));
#else
  return Zlib(crc, p, size);
#endif
}

uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return static_cast<uint32_t>(
      crc32_combine(crc_a, crc_b, static_cast<z_off_t>(length_b)));
}

absl::string_view Crc32BackendName() {
  if (crc32_internal::HaveClmul()) return "pclmul";
#if defined(PTSER_HAVE_ISAL)
  return "isa-l";
#else
  return "zlib";
#endif
}

}  // namespace ptser
