// Copyright ptser authors.
//
// archive/map_location.h — where loaded storages go: `torch.load`'s
// map_location, and the one place a storage is materialised on a device.
//
// Every storage in a checkpoint carries the location tag it was saved from
// ("cpu", "cuda:0").  A MapLocation turns that tag into the device the storage
// is loaded to, the way torch.load's argument does:
//
//   MapLocation()                        keep each tag (torch.load default)
//   MapLocation::To("cpu")               everything to one device  ('cpu')
//   MapLocation::To(Device::Cpu())       the same, from a Device   (torch.device)
//   MapLocation::Table({{"cuda:1", "cpu"}})   remap some tags     ({...})
//   MapLocation::Function(f)             f(storage, tag) decides  (callable)
//   MapLocation::TagFunction(g)          g(tag) names the device   (a callable
//                                        that only looks at the location,
//                                        `lambda s, loc: s.cuda(0)`)
//
// To, Table and TagFunction name the device before any byte is read, so a
// load to a device with a runtime (tensor/device_backend.h) streams records
// straight to it (archive/device_stage.h); a Function sees the CPU storage,
// so its storages are read on the host first.
//
// Device strings are checked when a storage is loaded, as torch.load checks
// them: `MapLocation::To("cpux")` makes Load fail with the message of
// Device::Parse, naming the string.
//
// Bytes are always read on the CPU first; a storage whose target is not the
// CPU is copied there through the device registry (tensor/device_registry.h:
// the gpu/ layer registers "cuda").  A device type nobody registered is
// FailedPreconditionError saying how to map it, as torch.load fails on a
// machine without CUDA.
#ifndef PTSER_ARCHIVE_MAP_LOCATION_H_
#define PTSER_ARCHIVE_MAP_LOCATION_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tensor/device.h"
#include "tensor/storage.h"

namespace ptser {

class MapLocation {
 public:
  // f(cpu_storage, saved_tag): a Storage to use instead, or nullopt for the
  // default restore of `saved_tag`.
  using Fn = std::function<absl::StatusOr<std::optional<Storage>>(
      const Storage& cpu_storage, const std::string& saved_tag)>;

  MapLocation() = default;
  static MapLocation To(Device device);
  // A device string as torch.load takes one: "cpu", "cuda", "cuda:1".
  static MapLocation To(absl::string_view device);
  static MapLocation To(const char* device) { return To(absl::string_view(device)); }
  static MapLocation To(const std::string& device) { return To(absl::string_view(device)); }
  static MapLocation Table(std::map<std::string, std::string> table);
  static MapLocation Function(Fn fn);
  // g(saved_tag): the tag to restore to ("cuda:0", "cpu").
  using TagFn = std::function<std::string(const std::string& saved_tag)>;
  static MapLocation TagFunction(TagFn fn);

  // The device tag a storage saved as `saved_tag` is restored to (before a
  // Function gets its say).
  std::string TargetTag(const std::string& saved_tag) const;
  const Fn& function() const { return fn_; }
  // True for the default: every storage goes back where it was saved.
  bool is_identity() const {
    return !device_.has_value() && table_.empty() && !fn_ && !tag_fn_;
  }
  // The tags To and Table send storages to (empty for the default, a
  // Function and a TagFunction).
  std::vector<std::string> NamedTargets() const;

 private:
  // The tag every storage goes to (To), parsed when a storage needs it.
  std::optional<std::string> device_;
  std::map<std::string, std::string> table_;
  Fn fn_;
  TagFn tag_fn_;
};

}  // namespace ptser

#endif  // PTSER_ARCHIVE_MAP_LOCATION_H_
