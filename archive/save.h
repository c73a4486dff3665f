// Copyright ptser authors.
//
// archive/save.h — ptser::Save, the C++ `torch.save`.
//
// Writes any Value — tensors, containers, state dicts (OrderedDict with its
// `_metadata`), Parameters, dtypes, sizes, devices — in the ZIP format
// PyTorch 1.13 writes by default, byte for byte: for the same objects saved
// under the same file name, the file equals `torch.save`'s.  Or, on request,
// in the legacy format (`_use_new_zipfile_serialization=False`).
//
// Each storage is written once however many tensors view it, and a view
// saves its whole storage, as in PyTorch (`clone()` makes a small one).
// SaveOptions::compact instead trims every storage to the span its views
// use and rebases their offsets: a small file that keeps the views sharing.
//
// Saving to a path is atomic: a temporary file in the same folder, flushed,
// synced and renamed, so a crash or a full disk never destroys the file that
// was there.
//
//   PTSER_RETURN_IF_ERROR(ptser::Save(state_dict, "model.pt"));
#ifndef PTSER_ARCHIVE_SAVE_H_
#define PTSER_ARCHIVE_SAVE_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "archive/byte_sink.h"
#include "pickle/value.h"

namespace ptser {

struct SaveOptions {
  enum class Format { kZip, kLegacy };
  // Default: kZip (torch.save's default since 1.6).
  Format format = Format::kZip;
  // Pickle protocol, 1 to 5, of every pickle written (torch.save's
  // pickle_protocol).  Default: 2 (torch.save's DEFAULT_PROTOCOL).
  int pickle_protocol = 2;
  // Trim storages to the bytes their tensors use, rebasing offsets.
  // Default: false (PyTorch's behaviour: whole storages).
  bool compact = false;
  // fsync the file and its folder before returning.  Default: true.
  bool durable = true;
  // Called after each storage is written with the storage bytes written so
  // far and in all (a progress bar).  Default: none.
  std::function<void(uint64_t done, uint64_t total)> progress;
  // Zip format: asked for each storage written whole; a CRC-32 it returns
  // must match the CRC-32 computed for the written bytes, else the save
  // fails with DataLossError naming the record (and, through Save, leaves
  // nothing at the path).  With LoadOptions::on_zip_storage this checks a
  // loaded file's records while copying them.  Default: none.
  std::function<std::optional<uint32_t>(const Storage& storage)> expected_crc32;
  // The location tag to record for a storage (the 4th field of its
  // persistent id, what torch.load's map_location sees): nullopt records the
  // storage's own device ("cpu", "cuda:0").  `ptser convert` uses it to keep
  // the tags a file was saved with while its storages sit on the CPU (or to
  // record --map-location's).  The tag is written as given.  Default: none.
  std::function<std::optional<std::string>(const Storage& storage)> storage_location;
};

// Saves to `path` (atomically).  The archive folder inside a zip is the
// file's base name without its extension, as PyTorch names it.
absl::Status Save(const Value& value, const std::string& path, const SaveOptions& options = {});

// Saves into `sink`; `archive_name` is the zip's folder ("archive" is what
// PyTorch uses for file objects and buffers).
absl::Status SaveToSink(const Value& value, ByteSink* sink, const std::string& archive_name,
                        const SaveOptions& options = {});

// The bytes Save would write.
absl::StatusOr<std::string> SaveToString(const Value& value,
                                         const std::string& archive_name = "archive",
                                         const SaveOptions& options = {});

}  // namespace ptser

#endif  // PTSER_ARCHIVE_SAVE_H_
