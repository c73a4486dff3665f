// Copyright ptser authors.
//
// archive/safetensors.h — the safetensors format, both ways.
//
// The published layout: an 8-byte little-endian header length N, N bytes of
// JSON (`{"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [2,
// 3], "data_offsets": [begin, end]}, ...}`, padded with spaces), then the
// data: each tensor's bytes, row-major and little-endian, at [begin, end)
// relative to the end of the header.  No pickle: nothing in it can name code.
//
// Saving takes a state dict (a dict of str → tensor).  safetensors has no
// views: every tensor is written contiguous on its own, so shared storages,
// strides and offsets are not kept (SafetensorsSaveReport says which tensors
// were made contiguous or un-shared).  Loading gives an OrderedDict of
// tensors, each on its own storage.
#ifndef PTSER_ARCHIVE_SAFETENSORS_H_
#define PTSER_ARCHIVE_SAFETENSORS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "pickle/value.h"

namespace ptser {

// "F32" for float32 ...; NotFound-free: Unimplemented for dtypes safetensors
// has no name for (quantized, complex32, bits).
absl::StatusOr<std::string> SafetensorsDtypeName(ScalarType dtype);
absl::StatusOr<ScalarType> ScalarTypeFromSafetensorsName(const std::string& name);

// The header's free-form `__metadata__` (str -> str), e.g. the Hugging Face
// convention {"format": "pt"}.
using SafetensorsMetadata = std::map<std::string, std::string>;

// Reads a safetensors file with every check of the reference reader
// (safetensors' tensor.rs), each message ending with the reference's error
// name: the header length against the file and 100,000,000 bytes
// (HeaderTooLarge, InvalidHeaderLength), UTF-8 (InvalidHeader), a JSON object
// of known dtypes, shapes and two offsets, `__metadata__` null or str -> str
// (InvalidHeaderDeserialization); then, in offset order, the tensors must
// tile the data exactly: each starts where the previous ends, from 0
// (InvalidOffset), holds exactly its shape's bytes (TensorInvalidInfo,
// ValidationOverflow), and the last ends at the end of the file
// (MetadataIncompleteBuffer: no trailing bytes).  The tensors come back in
// offset order; `metadata`, when given, receives `__metadata__`.
absl::StatusOr<Value> LoadSafetensors(std::shared_ptr<const ByteSource> source,
                                      SafetensorsMetadata* metadata = nullptr);

struct SafetensorsSaveReport {
  std::vector<std::string> made_contiguous;  // strided or offset views
  std::vector<std::string> unshared;         // tensors that shared a storage
};

// Writes `state_dict` (a dict/OrderedDict of str → tensor).  Anything else in
// it is an InvalidArgumentError naming the key.  Tensors are written in the
// dict's order.
// `metadata`, when not empty, is written as `__metadata__`, first in the
// header (convert writes {"format": "pt"} for a PyTorch file, as
// transformers does, and keeps a safetensors file's own).
absl::Status SaveSafetensors(const Value& state_dict, ByteSink* sink,
                             SafetensorsSaveReport* report = nullptr,
                             const SafetensorsMetadata& metadata = {});

}  // namespace ptser

#endif  // PTSER_ARCHIVE_SAFETENSORS_H_
