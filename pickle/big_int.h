// Copyright ptser authors.
//
// pickle/big_int.h — a Python int beyond int64, exactly.
//
// Checkpoints hold such ints (step counters, seeds, hashes: `2**63`,
// `10**30`), pickled as LONG1/LONG4 (little-endian two's complement bytes)
// or, at protocols 0 and 1, as LONG text.  BigInt keeps the minimal two's
// complement bytes — what pickle writes back — and gives what a Value needs:
// order, exact comparison with a float, decimal text both ways.
//
// Decimal conversion is quadratic, so it is limited as CPython 3.11 limits
// it (sys.int_info.default_max_str_digits = 4300 digits): FromText refuses
// longer decimal text, and ToDecimal of a longer number returns nullopt
// (Python raises ValueError there too).
//
//   BigInt b = *BigInt::FromText("-18446744073709551616", 10);  // -2**64
//   b.ToDecimal() == "-18446744073709551616"; b.bytes().size() == 9
#ifndef PTSER_PICKLE_BIG_INT_H_
#define PTSER_PICKLE_BIG_INT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ptser {

class BigInt {
 public:
  // CPython's default limit on int <-> decimal str conversion.
  static constexpr size_t kMaxDecimalDigits = 4300;

  // From little-endian two's complement bytes, any length (LONG1/LONG4's
  // payload); empty is 0.
  static BigInt FromTwosComplement(absl::string_view bytes);
  // From "[+-]digits" in base 8, 10 or 16 (no prefix).  InvalidArgument for
  // a bad digit, OutOfRange for more than kMaxDecimalDigits digits.
  static absl::StatusOr<BigInt> FromText(absl::string_view text, int base);

  // The minimal little-endian two's complement bytes (pickle.encode_long).
  const std::string& bytes() const { return bytes_; }
  bool negative() const { return !bytes_.empty() && (bytes_.back() & 0x80) != 0; }
  // The value when it fits an int64.
  std::optional<int64_t> ToInt64() const;
  // Bits of |value| (Python's int.bit_length()).
  size_t BitLength() const;
  // The double equal to the value, when one is (the value's significant
  // bits fit 53 and it is below 2**1024); nullopt otherwise.
  std::optional<double> ExactDouble() const;
  // "-123..." (Python's repr), or nullopt past kMaxDecimalDigits digits.
  std::optional<std::string> ToDecimal() const;
  // <0, 0, >0 as *this is less than, equal to, greater than `other`.
  int Compare(const BigInt& other) const;

  bool operator==(const BigInt& other) const { return bytes_ == other.bytes_; }

 private:
  explicit BigInt(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

}  // namespace ptser

#endif  // PTSER_PICKLE_BIG_INT_H_
