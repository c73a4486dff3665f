// Copyright ptser authors.
#include "archive/legacy_format.h"

#include <algorithm>
#include <cstring>

#include "base/endian.h"

namespace ptser {
namespace legacy_format {
namespace {

// Opcodes (pickle/opcodes.h spells them for the unpickler; these few are all
// this file needs, and archive code does not depend on the pickle tables).
constexpr unsigned char kProto = 0x80;
constexpr unsigned char kFrame = 0x95;
constexpr unsigned char kLong1 = 0x8a;
constexpr unsigned char kLong4 = 0x8b;
constexpr unsigned char kLong = 'L';
constexpr unsigned char kInt = 'I';
constexpr unsigned char kStop = '.';

// The number's encoding at `p`: its length, or 0 when it is not the magic
// number.  `end` bounds what may be read.
size_t MatchNumber(const unsigned char* p, const unsigned char* end) {
  const size_t avail = static_cast<size_t>(end - p);
  if (avail < 2) return 0;
  if (p[0] == kLong1 || p[0] == kLong4) {
    const size_t head = p[0] == kLong1 ? 2 : 5;
    if (avail < head) return 0;
    const uint64_t n = p[0] == kLong1 ? p[1] : LoadLE32(p + 1);
    if (n < sizeof(kMagicLong) || n > avail - head) return 0;
    if (std::memcmp(p + head, kMagicLong, sizeof(kMagicLong)) != 0) return 0;
    for (size_t i = sizeof(kMagicLong); i < n; ++i) {
      if (p[head + i] != 0) return 0;  // a longer spelling of the same positive number
    }
    return head + n;
  }
  if (p[0] == kLong || p[0] == kInt) {
    const size_t digits = sizeof(kMagicDecimal) - 1;
    if (avail < 1 + digits + 1) return 0;
    if (std::memcmp(p + 1, kMagicDecimal, digits) != 0) return 0;
    size_t i = 1 + digits;
    if (p[0] == kLong && i < avail && p[i] == 'L') ++i;
    if (i >= avail || p[i] != '\n') return 0;
    return i + 1;
  }
  return 0;
}

}  // namespace

std::optional<MagicPickle> MatchMagicPickle(const unsigned char* data, size_t size) {
  const unsigned char* p = data;
  const unsigned char* end = data + std::min(size, kMagicPickleMaxBytes);
  MagicPickle m;
  if (end - p >= 2 && p[0] == kProto) {
    if (p[1] > 5) return std::nullopt;
    m.protocol = p[1] < 1 ? 1 : p[1];
    p += 2;
  }
  const unsigned char* frame_end = nullptr;
  if (end - p >= 9 && p[0] == kFrame) {
    const uint64_t n = LoadLE64(p + 1);
    p += 9;
    if (n > static_cast<uint64_t>(end - p)) return std::nullopt;
    frame_end = p + n;
  }
  const size_t number = MatchNumber(p, end);
  if (number == 0) return std::nullopt;
  p += number;
  if (p >= end || *p != kStop) return std::nullopt;
  ++p;
  if (frame_end != nullptr && p != frame_end) return std::nullopt;
  m.length = static_cast<size_t>(p - data);
  return m;
}

std::string MagicPickleBytes(int protocol) {
  std::string out;
  if (protocol < 2) {
    out.push_back(static_cast<char>(kLong));
    out += kMagicDecimal;
    out += "L\n.";
    return out;
  }
  out.push_back(static_cast<char>(kProto));
  out.push_back(static_cast<char>(protocol));
  std::string body;
  body.push_back(static_cast<char>(kLong1));
  body.push_back(static_cast<char>(sizeof(kMagicLong)));
  body.append(reinterpret_cast<const char*>(kMagicLong), sizeof(kMagicLong));
  body.push_back(static_cast<char>(kStop));
  if (protocol >= 4) {
    out.push_back(static_cast<char>(kFrame));
    AppendLE64(&out, body.size());
  }
  return out + body;
}

}  // namespace legacy_format
}  // namespace ptser
