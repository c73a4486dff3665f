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

#include <string>

#include "absl/status/statusor.h"
#include "archive/load_file.h"     // LoadFromSource, DetectFormat, FileFormat
#include "archive/load_options.h"  // LoadOptions
#include "pickle/value.h"

namespace ptser {

// Loads `path`.  Errors name the file, the record and the byte offset.  A
// path ending in ".index.json" is loaded with LoadSharded(path, options).
// A file PyTorch's readers could read differently from ptser (two end
// records, names equal ignoring case, a legacy file that is also a tar, bytes
// after the last legacy storage, ...) is refused with an "ambiguous"
// InvalidArgumentError that IsDifferential() (archive/differential.h) knows.
absl::StatusOr<Value> Load(const std::string& path, const LoadOptions& options = {});

}  // namespace ptser

#endif  // PTSER_ARCHIVE_LOAD_H_
