// Copyright ptser authors.
//
// archive/crc32_clmul.h — the CRC-32 fold by carry-less multiplication that
// Crc32() (crc32.h) uses on x86-64 CPUs with PCLMULQDQ.  Internal to crc32.
#ifndef PTSER_ARCHIVE_CRC32_CLMUL_H_
#define PTSER_ARCHIVE_CRC32_CLMUL_H_

#include <cstddef>
#include <cstdint>

namespace ptser {
namespace crc32_internal {

// True when this CPU runs FoldBlocks (PCLMULQDQ and SSE4.1).
bool HaveClmul();

// Advances the CRC-32 register `reg` (not inverted: zlib's crc32() is
// ~FoldBlocks(~crc, ...)) over the `n` bytes at `p`.  Precondition:
// HaveClmul(), n >= 64 and a multiple of 16.
uint32_t FoldBlocks(uint32_t reg, const uint8_t* p, size_t n);

}  // namespace crc32_internal
}  // namespace ptser

#endif  // PTSER_ARCHIVE_CRC32_CLMUL_H_
