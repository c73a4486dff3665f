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

// Reads a safetensors file.  Every header field is validated: the header
// length against the file, JSON syntax, known dtypes, shapes whose byte size
// matches data_offsets, offsets inside the data and not overlapping.
absl::StatusOr<Value> LoadSafetensors(std::shared_ptr<const ByteSource> source);

struct SafetensorsSaveReport {
  std::vector<std::string> made_contiguous;  // strided or offset views
  std::vector<std::string> unshared;         // tensors that shared a storage
};

// Writes `state_dict` (a dict/OrderedDict of str → tensor).  Anything else in
// it is an InvalidArgumentError naming the key.  Tensors are written in the
// dict's order.
absl::Status SaveSafetensors(const Value& state_dict, ByteSink* sink,
                             SafetensorsSaveReport* report = nullptr);

}  // namespace ptser

#endif  // PTSER_ARCHIVE_SAFETENSORS_H_
