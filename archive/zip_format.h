// Copyright ptser authors.
//
// archive/zip_format.h — the ZIP structures PyTorch's archives use, named after
// their sections of PKWARE's APPNOTE.TXT (6.3.x), with the exact field values
// PyTorch 1.13 (miniz) writes.  docs/formats/zip.md has the annotated hexdump.
//
// All integers are little-endian.  Every record PyTorch writes is "stored"
// (method 0) and its payload starts at a multiple of 64 bytes: the local
// header carries an extra field with id "FB" whose payload is 'Z' padding.
//
//   local header (4.3.7)   30 bytes + name + extra (ZIP64 extra first, then FB)
//   payload                aligned to 64
//   data descriptor (4.3.9) "PK\7\8" crc csize usize: 16 bytes, or 24 with
//                          8-byte sizes when size or header offset >= 0xFFFFFFFF;
//                          absent for an empty record (flags 0x0800 then)
//   ... more records ...
//   central directory (4.3.12) one 46-byte header + name (+ ZIP64 extra) each
//   ZIP64 end of central directory record (4.3.14), always
//   ZIP64 end of central directory locator (4.3.15), always
//   end of central directory record (4.3.16)
#ifndef PTSER_ARCHIVE_ZIP_FORMAT_H_
#define PTSER_ARCHIVE_ZIP_FORMAT_H_

#include <cstdint>
#include <cstring>
#include <string>

namespace ptser {
namespace zip {

inline constexpr uint32_t kLocalHeaderSignature = 0x04034b50;        // PK\3\4
inline constexpr uint32_t kDataDescriptorSignature = 0x08074b50;     // PK\7\8
inline constexpr uint32_t kCentralHeaderSignature = 0x02014b50;      // PK\1\2
inline constexpr uint32_t kZip64EndSignature = 0x06064b50;           // PK\6\6
inline constexpr uint32_t kZip64LocatorSignature = 0x07064b50;       // PK\6\7
inline constexpr uint32_t kEndSignature = 0x06054b50;                // PK\5\6

inline constexpr size_t kLocalHeaderSize = 30;
inline constexpr size_t kCentralHeaderSize = 46;
inline constexpr size_t kZip64EndSize = 56;
inline constexpr size_t kZip64LocatorSize = 20;
inline constexpr size_t kEndSize = 22;
inline constexpr size_t kDataDescriptorSize32 = 16;
inline constexpr size_t kDataDescriptorSize64 = 24;

// Extra field ids.
inline constexpr uint16_t kZip64ExtraId = 0x0001;
inline constexpr uint16_t kPaddingExtraId = 0x4246;  // "FB", PyTorch's alignment pad

// General purpose flags: bit 3 (sizes in a data descriptor), bit 11 (UTF-8).
inline constexpr uint16_t kFlagDataDescriptor = 0x0008;
inline constexpr uint16_t kFlagUtf8 = 0x0800;

inline constexpr uint16_t kMethodStored = 0;
inline constexpr uint16_t kMethodDeflated = 8;

// A 32-bit field at or above this holds its value in the ZIP64 extra.
inline constexpr uint64_t kZip64Threshold = 0xFFFFFFFFu;

// ZIP64 end record: version made by 0x031E (Unix, spec 3.0), needed 0x002D (4.5).
inline constexpr uint16_t kZip64VersionMadeBy = 0x031E;
inline constexpr uint16_t kZip64VersionNeeded = 0x002D;

// PyTorch's default payload alignment (kFieldAlignment).
inline constexpr uint32_t kDefaultAlignment = 64;

}  // namespace zip
}  // namespace ptser

#endif  // PTSER_ARCHIVE_ZIP_FORMAT_H_
