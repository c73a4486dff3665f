// Copyright ptser authors.
#include "archive/crc32.h"

#include <algorithm>
#include <climits>

#if defined(PTSER_HAVE_ISAL)
#include <isa-l/crc.h>
#endif
#include <zlib.h>

namespace ptser {

uint32_t Crc32(uint32_t crc, const void* data, size_t size) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
#if defined(PTSER_HAVE_ISAL)
  // crc32_gzip_refl takes a uint64_t length.
  return crc32_gzip_refl(crc, p, static_cast<uint64_t>(size));
#else
  // zlib's length is a uInt: feed it in pieces.
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, UINT_MAX / 2));
    crc = static_cast<uint32_t>(crc32(crc, p, chunk));
    p += chunk;
    size -= chunk;
  }
  return crc;
#endif
}

uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return static_cast<uint32_t>(
      crc32_combine(crc_a, crc_b, static_cast<z_off_t>(length_b)));
}

absl::string_view Crc32BackendName() {
#if defined(PTSER_HAVE_ISAL)
  return "isa-l";
#else
  return "zlib";
#endif
}

}  // namespace ptser
