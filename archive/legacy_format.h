// Copyright ptser authors.
//
// archive/legacy_format.h — constants of the legacy "magic number" stream
// format (`_use_new_zipfile_serialization=False`; formats notes §3.1), shared
// by the reader (load.cc) and the writer (save.cc).
#ifndef PTSER_ARCHIVE_LEGACY_FORMAT_H_
#define PTSER_ARCHIVE_LEGACY_FORMAT_H_

#include <cstdint>

namespace ptser {
namespace legacy_format {

// The first pickle of a legacy file: PROTO 2, LONG1 with the 10 bytes of
// MAGIC_NUMBER = 0x1950a86a20f9469cfc6c, STOP.  Compared and written as
// bytes: the number does not fit an int64 Value.
inline constexpr unsigned char kMagicPickle[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                                 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};
// The second pickle: PROTOCOL_VERSION.
inline constexpr int64_t kProtocolVersion = 1001;

}  // namespace legacy_format
}  // namespace ptser

#endif  // PTSER_ARCHIVE_LEGACY_FORMAT_H_
