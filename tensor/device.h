// Copyright ptser authors.
//
// tensor/device.h — where a storage lives: "cpu", "cuda:0", "meta", ...
//
// A Device is PyTorch's location tag parsed into a type and an optional
// index.  The tag a checkpoint records (`'cuda:0'` in a persistent id) round
// trips exactly through Parse/ToString.
//
//   ASSIGN_OR_RETURN(Device d, Device::Parse("cuda:1"));
//   d.type() == "cuda"; d.index() == 1; d.ToString() == "cuda:1"
#ifndef PTSER_TENSOR_DEVICE_H_
#define PTSER_TENSOR_DEVICE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ptser {

class Device {
 public:
  // The CPU device.
  Device() : type_("cpu"), index_(-1) {}
  // `index` -1 means "no index" (prints as just the type).
  Device(std::string type, int64_t index = -1)
      : type_(std::move(type)), index_(index) {}

  static Device Cpu() { return Device(); }

  // Parses "cpu", "cuda", "cuda:0", "mps", "meta", "xpu:3", any
  // "<name>[:<non-negative int>]" with name of [a-z0-9_]+.  Anything else is
  // InvalidArgumentError quoting the tag.
  static absl::StatusOr<Device> Parse(absl::string_view tag);

  const std::string& type() const { return type_; }
  int64_t index() const { return index_; }
  bool has_index() const { return index_ >= 0; }
  bool is_cpu() const { return type_ == "cpu"; }
  bool is_cuda() const { return type_ == "cuda"; }

  std::string ToString() const;
  // Writes ToString(): "cpu", "cuda:1".
  friend std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.ToString(); }

  friend bool operator==(const Device& a, const Device& b) {
    return a.type_ == b.type_ && a.index_ == b.index_;
  }
  friend bool operator!=(const Device& a, const Device& b) { return !(a == b); }

 private:
  std::string type_;
  int64_t index_;
};

}  // namespace ptser

#endif  // PTSER_TENSOR_DEVICE_H_
