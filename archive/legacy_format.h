// Copyright ptser authors.
//
// archive/legacy_format.h — the legacy "magic number" stream format
// (`_use_new_zipfile_serialization=False`; docs/formats/legacy.md), shared by the
// reader (load.cc) and the writer (save.cc).
//
// A legacy file is five pickles in a row, then the raw storage bytes:
// MAGIC_NUMBER, PROTOCOL_VERSION, sys_info, the object, the storage keys.
// torch.save writes all five at its `pickle_protocol`, so the first one, the
// magic number 0x1950a86a20f9469cfc6c, comes in a different dress at each
// protocol (what `pickle.dumps(MAGIC_NUMBER, protocol=p)` gives):
//
//   0, 1   4c 31 31 39 ... 35 36 4c 0a 2e       L119547037146038801333356L\n.
//   2, 3   80 0p 8a 0a 6c fc 9c ... 19 2e       PROTO p, LONG1 (10 bytes), STOP
//   4, 5   80 0p 95 0d 00 00 00 00 00 00 00     PROTO p, FRAME 13,
//          8a 0a 6c fc 9c ... 19 2e               LONG1 (10 bytes), STOP
//
// torch.load unpickles that first pickle and compares the number; so does
// MatchMagicPickle, for the opcodes that can spell a number on their own.
#ifndef PTSER_ARCHIVE_LEGACY_FORMAT_H_
#define PTSER_ARCHIVE_LEGACY_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ptser {
namespace legacy_format {

// MAGIC_NUMBER = 0x1950a86a20f9469cfc6c as the little-endian two's
// complement bytes of LONG1 (it does not fit an int64 Value).
inline constexpr unsigned char kMagicLong[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9,
                                               0x20, 0x6a, 0xa8, 0x50, 0x19};
// The same number in decimal (LONG and INT text, protocols 0 and 1).
inline constexpr char kMagicDecimal[] = "119547037146038801333356";
// The second pickle: PROTOCOL_VERSION.
inline constexpr int64_t kProtocolVersion = 1001;

// Bytes MatchMagicPickle needs to look at: more than any spelling it accepts.
inline constexpr size_t kMagicPickleMaxBytes = 64;

struct MagicPickle {
  size_t length = 0;  // bytes up to and including its STOP
  // The PROTO it announces; 1 when it has none (protocols 0 and 1 write the
  // same bytes, and torch.save cannot write tensors at protocol 0).
  int protocol = 1;
};

// The magic-number pickle at the start of `data` (`size` bytes, of which the
// first kMagicPickleMaxBytes are enough), or nullopt when `data` does not
// start with one.  Accepted: an optional PROTO 0..5, an optional FRAME whose
// length is the rest of the pickle, then LONG1 or LONG4 (the 10 bytes above,
// any further bytes zero), or LONG or INT text (the decimal above, a trailing
// 'L' allowed), then STOP.
std::optional<MagicPickle> MatchMagicPickle(const unsigned char* data, size_t size);

// `pickle.dumps(MAGIC_NUMBER, protocol)`, protocol 1 to 5.
std::string MagicPickleBytes(int protocol);

}  // namespace legacy_format
}  // namespace ptser

#endif  // PTSER_ARCHIVE_LEGACY_FORMAT_H_
