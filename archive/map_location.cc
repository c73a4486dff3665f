// Copyright ptser authors.
#include "archive/map_location.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ptser {

MapLocation MapLocation::To(Device device) {
  MapLocation m;
  m.device_ = device.ToString();
  return m;
}

MapLocation MapLocation::To(absl::string_view device) {
  MapLocation m;
  m.device_ = std::string(device);
  return m;
}

MapLocation MapLocation::Table(std::map<std::string, std::string> table) {
  MapLocation m;
  m.table_ = std::move(table);
  return m;
}

MapLocation MapLocation::Function(Fn fn) {
  MapLocation m;
  m.fn_ = std::move(fn);
  return m;
}

MapLocation MapLocation::TagFunction(TagFn fn) {
  MapLocation m;
  m.tag_fn_ = std::move(fn);
  return m;
}

std::vector<std::string> MapLocation::NamedTargets() const {
  std::vector<std::string> out;
  if (device_.has_value()) out.push_back(*device_);
  for (const auto& [from, to] : table_) out.push_back(to);
  return out;
}

std::string MapLocation::TargetTag(const std::string& saved_tag) const {
  if (device_.has_value()) return *device_;
  if (tag_fn_) return tag_fn_(saved_tag);
  auto it = table_.find(saved_tag);
  return it == table_.end() ? saved_tag : it->second;
}

}  // namespace ptser
