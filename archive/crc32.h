// Copyright ptser authors.
//
// archive/crc32.h — the zip CRC-32 (ISO 3309 / ITU-T V.42, reflected, as zlib's
// crc32()), the hot loop of every save and of a verified load.
//
// On x86-64 CPUs with PCLMULQDQ the bytes are folded 16 at a time by
// carry-less multiplication (crc32_clmul.h, ~20 GB/s from cache, what memory
// delivers on a load).  Intel ISA-L (`crc32_gzip_refl`) is faster on its own,
// but on AVX-512 CPUs it runs 512-bit code, after which the calling thread
// ran slower on the project machine (crc32_clmul.cc); it serves CPUs without
// PCLMULQDQ, and zlib does where ISA-L is not linked (the fully static
// release build: --config=release, --define=ptser_isal=off).  All give the
// same values; Crc32BackendName() says which one runs.
//
//   uint32_t crc = Crc32(0, bytes);          // whole buffer
//   crc = Crc32(Crc32(0, first), second);    // streaming: same as one call
#ifndef PTSER_ARCHIVE_CRC32_H_
#define PTSER_ARCHIVE_CRC32_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace ptser {

// Continues `crc` (0 to start) over `size` bytes at `data`.
uint32_t Crc32(uint32_t crc, const void* data, size_t size);

// The CRC-32 of A followed by B from crc(A), crc(B) and B's length (zlib's
// crc32_combine): what lets several threads check parts of one record.
uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);

// "pclmul", "isa-l" or "zlib".
absl::string_view Crc32BackendName();

}  // namespace ptser

#endif  // PTSER_ARCHIVE_CRC32_H_
