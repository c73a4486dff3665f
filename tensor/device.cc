// Copyright ptser authors.
//
// tensor/device.cc — parsing and printing device tags.

#include "tensor/device.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ptser {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

absl::Status BadTag(absl::string_view tag, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid device string '", tag, "': ", why));
}

}  // namespace

absl::StatusOr<Device> Device::Parse(absl::string_view tag) {
  const size_t colon = tag.find(':');
  const absl::string_view name = tag.substr(0, colon);
  if (name.empty()) return BadTag(tag, "empty device type");
  for (char c : name) {
    if (!IsNameChar(c)) {
      return BadTag(tag, "device type must match [a-z0-9_]+");
    }
  }
  if (colon == absl::string_view::npos) return Device(std::string(name));

  const absl::string_view digits = tag.substr(colon + 1);
  if (digits.empty()) return BadTag(tag, "missing device index after ':'");
  if (digits.size() > 1 && digits[0] == '0') {
    return BadTag(tag, "device index must not have leading zeros");
  }
  int64_t index = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return BadTag(tag, "device index must be a non-negative integer");
    }
    if (index > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
      return BadTag(tag, "device index is too large");
    }
    index = index * 10 + (c - '0');
  }
  return Device(std::string(name), index);
}

std::string Device::ToString() const {
  if (!has_index()) return type_;
  return absl::StrCat(type_, ":", index_);
}

}  // namespace ptser
