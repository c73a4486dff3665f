// Copyright ptser authors.
//
// archive/load.h — ptser::Load, the C++ `torch.load`.
//
// Reads every file `torch.save` writes:
//  - the ZIP format (PyTorch >= 1.6 default): `<folder>/data.pkl` plus one
//    `data/<key>` record per storage, 64-byte aligned;
//  - the legacy "magic number" stream (`_use_new_zipfile_serialization=False`,
//    and PyTorch 0.1.10 to 1.5): five pickles, then the raw storages;
//  - the tar archive of PyTorch <= 0.1.9 (archive/tar_load.h);
//  - sharded checkpoints: a path ending in ".index.json" is a HuggingFace-style
//    index, and Load returns its shards merged into one state dict
//    (archive/sharded.h).
// TorchScript archives (a `constants.pkl` record) are recognised and refused
// with UnimplementedError until ptser's jit/ layer exists.
//
// Tensors come back on shared storages exactly as saved: tensors that shared
// a storage share one again (an in-place change through one is seen through
// the other), with their sizes, strides and offsets.  Nothing the file names
// is executed: globals resolve through the Unpickler's registry (by default
// what newest PyTorch's weights-only loader allows; anything else is refused
// with its name and byte offset).
//
//   PTSER_ASSIGN_OR_RETURN(Value sd, ptser::Load("model.pt"));
//   const Value* w = sd.dict().Find("fc.weight");
//
// A pickle can build reference cycles (a list containing itself); PyTorch
// checkpoints never do, but a returned value that has one leaks unless the
// caller passes it to ReleaseValueGraph (pickle/value.h).  Values Load drops
// on the way are released.
//
//   LoadOptions options;
//   options.mmap = true;                                   // zero-copy
//   options.map_location = MapLocation::To(Device::Cpu()); // cuda -> cpu
//   PTSER_ASSIGN_OR_RETURN(Value v, ptser::Load("big.pt", options));
#ifndef PTSER_ARCHIVE_LOAD_H_
#define PTSER_ARCHIVE_LOAD_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <memory>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "archive/byte_source.h"
#include "archive/map_location.h"
#include "pickle/unpickler.h"
#include "pickle/value.h"

namespace ptser {

struct LoadOptions {
  // Where storages go (see map_location.h).  Default: keep each saved tag.
  MapLocation map_location;
  // Memory-map the file: stored, aligned records become storages without a
  // copy (writes to them stay private, as MAP_PRIVATE).  CRCs of mapped
  // records are then only checked when `verify_crc32_when_mapped` is set,
  // because checking reads every byte.  Default: false.
  bool mmap = false;
  // A copying load reads the whole file with one sequential read into one
  // fresh buffer, and storages are slices of it: fast, and peak memory is the
  // file size.  But a storage keeps the whole buffer alive, so a program that
  // keeps only a few tensors of a large file should Clone() them, or set this
  // to false: each storage is then read into its own allocation, as
  // torch.load does.  Ignored with mmap.  Default: true.
  bool one_buffer = true;
  // Verify the CRC-32 of each record read (a copying load reads every byte
  // anyway; ISA-L checks at tens of GB/s).  Default: true.
  bool verify_crc32 = true;
  // With mmap: verify CRCs too (touches every page).  Default: false.
  bool verify_crc32_when_mapped = false;
  // Zip files: the pickle (data.pkl) may inflate to at most this many times
  // the file's size (at least 1 MiB); a deflated data.pkl declaring more is
  // refused before it is inflated (ZipReader::Options::max_pickle_growth).
  // Default: 64.
  double max_pickle_growth = 64;
  // Globals, limits and unknown-class handling for the pickle.  Its
  // persistent_load is set by Load and must be left unset.
  UnpicklerOptions unpickler;
  // Zip files: called once per storage whose bytes are exactly a record's
  // (not sliced, byte-swapped or moved to a device), with the CRC-32 the
  // archive records for that record, whether or not it was verified.  A
  // caller that writes the bytes again can check them then, in the same
  // pass (SaveOptions::expected_crc32), instead of reading them twice:
  // `ptser convert` does.  When it is set, every other storage record (one
  // transformed on load) has its CRC-32 checked against the bytes read, even
  // where verify_crc32_when_mapped is false.  Default: none.
  std::function<void(const Storage& storage, uint32_t recorded_crc32)> on_zip_storage;
};

// Loads `path`.  Errors name the file, the record and the byte offset.  A
// path ending in ".index.json" is loaded with LoadSharded(path, options).
// A file PyTorch's readers could read differently from ptser (two end
// records, names equal ignoring case, a legacy file that is also a tar, bytes
// after the last legacy storage, ...) is refused with an "ambiguous"
// InvalidArgumentError that IsDifferential() (archive/differential.h) knows.
absl::StatusOr<Value> Load(const std::string& path, const LoadOptions& options = {});

// Loads from bytes already in hand (a buffer, a map, a file): zip, legacy or
// tar, as DetectFormat says.
absl::StatusOr<Value> LoadFromSource(std::shared_ptr<const ByteSource> source,
                                     const LoadOptions& options = {});

// The format of a file, as torch.load decides it: zip by its first four
// bytes, else tar, else legacy.  A legacy file whose first 512 bytes are also
// a header Python's tarfile accepts is a DifferentialError (torch.load tries
// the tar format first).
enum class FileFormat { kZip, kTorchScript, kLegacy, kTar, kSafetensors, kUnknown };
absl::StatusOr<FileFormat> DetectFormat(const ByteSource& source);

}  // namespace ptser

#endif  // PTSER_ARCHIVE_LOAD_H_
