// Copyright ptser authors.
//
// archive/tar_load.h — loading the tar format of PyTorch <= 0.1.9.
//
// Until February 2017 (PyTorch 0.1.9; pytorch/pytorch#713 replaced it)
// `torch.save` wrote a tar archive (docs/formats/tar.md).  PyTorch 1.13 still
// reads it (`torch/serialization.py`: `_load` → `legacy_load`); nothing can
// write it any more.  Four members, read by name (archive order does not
// matter; 0.1.9 wrote sys_info, pickle, tensors, storages):
//
//   storages  pickle: num_storages (int)
//             num_storages × { pickle: (key, location, storage_type)
//                              u64 LE numel, numel × element_size bytes (LE) }
//             pickle: storage views, a list of
//                     (target_key, root_key, offset, numel)   (in elements)
//   tensors   pickle: num_tensors (int)
//             num_tensors × { pickle: (key, storage_key, original_tensor_type)
//                             i32 LE ndim, 4 ignored bytes (0.1.9 wrote an
//                             i64), ndim × i64 LE sizes, ndim × i64 LE strides,
//                             i64 LE storage_offset }
//   pickle    the object; its persistent ids are str(key) of a tensor or
//             storage (the C pointer `_cdata` 0.1.9 used as key), e.g.
//             BINUNICODE '94316061341440' BINPERSID
//   sys_info  {protocol_version: 1000, little_endian, type_sizes}: not read
//
// Keys are ints (`_cdata`); a storage type is a storage class global
// ('torch FloatStorage') whose name gives the dtype.  As in 1.13:
//   - one table holds storages, then storage views, then tensors, by key (a
//     later entry replaces an earlier one with the same key);
//   - a view is a slice of its root storage's bytes (it shares them);
//   - a tensor takes its dtype from its storage: `original_tensor_type`
//     ('torch FloatTensor') is unpickled but not used;
//   - each storage is restored to its location tag through
//     LoadOptions::map_location, like the zip format;
//   - a persistent id of the object pickle is turned into an int as Python's
//     int() does ("  12 " is 12) and looked up in the table; the tuple
//     persistent id of a pickled nn.Module class is refused (Unimplemented:
//     its Python class would have to run), as the legacy format's is.
// Stricter than 1.13, on files 0.1.9 never wrote:
//   - a storage view outside its root is OutOfRangeError (1.13 slices the
//     root's bytes with Python's clamping: a shorter or empty storage);
//   - a tensor whose layout runs past its storage is OutOfRangeError (1.13's
//     Tensor.set_ silently grows the storage: a new allocation, so sharing
//     is lost, with elements nobody saved);
//   - a negative count is InvalidArgumentError (1.13 reads no records);
//   - keys must be ints (1.13 would match other hashables between the
//     storages and tensors members, though never from the object pickle).
//
// Bounds.  Every storage is copied out of the `storages` member into its own
// (aligned) buffer after its numel was checked against the bytes the member
// really holds; no count read from the file is used to reserve memory.  Peak
// memory: the `storages` member (when the source is not memory-backed) plus
// the storages.
//
// Errors name the file, the member, the key and the byte offset in the file:
//   'old.pt' (tar format) member 'storages' at offset 1618: storage
//   94316061341440 has 1000 elements of float32 (4000 bytes), the member has
//   12 bytes left
#ifndef PTSER_ARCHIVE_TAR_LOAD_H_
#define PTSER_ARCHIVE_TAR_LOAD_H_

#include <memory>

#include "absl/status/statusor.h"
#include "archive/byte_source.h"
#include "archive/load_options.h"
#include "pickle/value.h"

namespace ptser {

// Loads a tar-format checkpoint from `source`.  LoadFromSource() calls it when
// DetectFormat() says kTar; call it directly only when you know the format.
// `options.unpickler.persistent_load` must be unset.  Errors:
// DataLossError for a corrupt tar, a missing member, a truncated storage or
// tensor record; InvalidArgumentError for records of the wrong shape or keys
// that name nothing; OutOfRangeError for a tensor or view outside its storage;
// whatever the Unpickler and map_location report, with the member prepended.
absl::StatusOr<Value> LoadTar(std::shared_ptr<const ByteSource> source,
                              const LoadOptions& options = {});

}  // namespace ptser

#endif  // PTSER_ARCHIVE_TAR_LOAD_H_
