// Copyright ptser authors.
#include "pickle/big_int.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/endian.h"

namespace ptser {
namespace {

using Limbs = std::vector<uint32_t>;  // magnitude, little-endian base 2**32

void Trim(Limbs* m) {
  while (!m->empty() && m->back() == 0) m->pop_back();
}

// |value| of little-endian two's complement bytes.
Limbs Magnitude(const std::string& bytes) {
  std::string mag = bytes;
  const bool negative = !mag.empty() && (mag.back() & 0x80) != 0;
  if (negative) {  // negate: invert, add one
    unsigned carry = 1;
    for (char& c : mag) {
      const unsigned v = static_cast<unsigned char>(~static_cast<unsigned char>(c)) + carry;
      c = static_cast<char>(v & 0xff);
      carry = v >> 8;
    }
  }
  Limbs m((mag.size() + 3) / 4, 0);
  for (size_t i = 0; i < mag.size(); ++i) {
    m[i / 4] |= uint32_t{static_cast<unsigned char>(mag[i])} << (8 * (i % 4));
  }
  Trim(&m);
  return m;
}

// Minimal two's complement bytes of `negative ? -m : m`.
std::string TwosComplement(const Limbs& m, bool negative) {
  std::string bytes;
  for (uint32_t limb : m) {
    AppendLE32(&bytes, limb);
  }
  while (!bytes.empty() && bytes.back() == 0) bytes.pop_back();
  if (bytes.empty()) return bytes;  // zero
  bytes.push_back(0);               // room for the sign bit
  if (negative) {
    unsigned carry = 1;
    for (char& c : bytes) {
      const unsigned v = static_cast<unsigned char>(~static_cast<unsigned char>(c)) + carry;
      c = static_cast<char>(v & 0xff);
      carry = v >> 8;
    }
  }
  // Drop sign bytes the next byte's top bit repeats.
  while (bytes.size() > 1) {
    const unsigned char top = static_cast<unsigned char>(bytes.back());
    const unsigned char next = static_cast<unsigned char>(bytes[bytes.size() - 2]);
    if ((top == 0x00 && (next & 0x80) == 0) || (top == 0xff && (next & 0x80) != 0)) {
      bytes.pop_back();
    } else {
      break;
    }
  }
  return bytes;
}

int CompareMagnitudes(const Limbs& a, const Limbs& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

}  // namespace

BigInt BigInt::FromTwosComplement(absl::string_view bytes) {
  const std::string raw(bytes);
  const bool negative = !raw.empty() && (raw.back() & 0x80) != 0;
  return BigInt(TwosComplement(Magnitude(raw), negative));
}

absl::StatusOr<BigInt> BigInt::FromText(absl::string_view text, int base) {
  absl::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || (base != 8 && base != 10 && base != 16)) {
    return absl::InvalidArgumentError("invalid integer literal");
  }
  if (s.size() > kMaxDecimalDigits) {
    return absl::OutOfRangeError(absl::StrCat(
        "an integer literal of ", s.size(), " digits exceeds the limit of ", kMaxDecimalDigits,
        " digits (Python's int max_str_digits)"));
  }
  Limbs m;
  for (char c : s) {
    int d = 99;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d >= base) return absl::InvalidArgumentError("invalid integer literal");
    uint64_t carry = static_cast<uint64_t>(d);
    for (uint32_t& limb : m) {
      const uint64_t v = uint64_t{limb} * static_cast<uint64_t>(base) + carry;
      limb = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
    if (carry != 0) m.push_back(static_cast<uint32_t>(carry));
  }
  Trim(&m);
  return BigInt(TwosComplement(m, negative));
}

std::optional<int64_t> BigInt::ToInt64() const {
  if (bytes_.size() > 8) return std::nullopt;
  uint64_t x = negative() ? ~uint64_t{0} : 0;
  for (size_t i = 0; i < bytes_.size(); ++i) {
    x &= ~(uint64_t{0xff} << (8 * i));
    x |= uint64_t{static_cast<unsigned char>(bytes_[i])} << (8 * i);
  }
  return static_cast<int64_t>(x);
}

size_t BigInt::BitLength() const {
  const Limbs m = Magnitude(bytes_);
  if (m.empty()) return 0;
  size_t bits = 32 * (m.size() - 1);
  for (uint32_t top = m.back(); top != 0; top >>= 1) ++bits;
  return bits;
}

std::optional<double> BigInt::ExactDouble() const {
  const Limbs m = Magnitude(bytes_);
  if (m.empty()) return 0.0;
  const size_t bits = BitLength();
  size_t trailing = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i] == 0) {
      trailing += 32;
      continue;
    }
    for (uint32_t v = m[i]; (v & 1) == 0; v >>= 1) ++trailing;
    break;
  }
  if (bits - trailing > 53 || bits > 1024) return std::nullopt;
  // The significant bits, then scaled by 2**trailing: exact.
  uint64_t significand = 0;
  for (size_t b = trailing; b < bits; ++b) {
    if ((m[b / 32] >> (b % 32)) & 1) significand |= uint64_t{1} << (b - trailing);
  }
  const double d = std::ldexp(static_cast<double>(significand), static_cast<int>(trailing));
  return negative() ? -d : d;
}

std::optional<std::string> BigInt::ToDecimal() const {
  Limbs m = Magnitude(bytes_);
  // 32 bits hold at most 9.64 decimal digits: a cheap bound first.
  if (m.size() * 32 * 0.30103 > kMaxDecimalDigits + 10) return std::nullopt;
  std::string digits;
  while (!m.empty()) {
    uint64_t rem = 0;
    for (size_t i = m.size(); i-- > 0;) {
      const uint64_t cur = (rem << 32) | m[i];
      m[i] = static_cast<uint32_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    Trim(&m);
    for (int k = 0; k < 9; ++k) {
      digits.push_back(static_cast<char>('0' + rem % 10));
      rem /= 10;
      if (m.empty() && rem == 0) break;
    }
  }
  if (digits.empty()) digits = "0";
  if (digits.size() > kMaxDecimalDigits) return std::nullopt;
  if (negative()) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

int BigInt::Compare(const BigInt& other) const {
  if (negative() != other.negative()) return negative() ? -1 : 1;
  const int c = CompareMagnitudes(Magnitude(bytes_), Magnitude(other.bytes_));
  return negative() ? -c : c;
}

}  // namespace ptser
