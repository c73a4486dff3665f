// Copyright ptser authors.
//
// pickle/torch_globals.h — the globals a PyTorch checkpoint may name, as
// C++ handlers, and the storage persistent id.
//
// TorchGlobals() is the default GlobalRegistry of the Unpickler.  It covers
// what newest PyTorch's weights-only loader allows by default (docs/formats/pickle.md,
// "What is allowed"), and nothing that runs code:
//
//   torch._utils._rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3
//       → Value::FromTensor via Tensor::Make on the persistent-load storage
//         (layout validated against the storage's bytes)
//   torch._utils._rebuild_parameter, _rebuild_parameter_with_state
//       → the tensor with is_parameter() set (state-carrying parameters and
//         non-tensor data stay inert Objects)
//   torch._utils._rebuild_qtensor → a tensor with its Quantizer
//   torch._utils._rebuild_sparse_tensor, _rebuild_sparse_csr_tensor,
//       _rebuild_meta_tensor_no_storage, _rebuild_nested_tensor,
//       _rebuild_wrapper_subclass, _rebuild_device_tensor_from_numpy,
//       _rebuild_device_tensor_from_cpu_tensor
//       → inert Value::Object (callee + args) that saves back unchanged
//   torch._tensor._rebuild_from_type_v2 → the inner result when the type is
//       torch.Tensor/Parameter without Python state, else an inert Object
//   torch.nn.parameter.Parameter(data, requires_grad)
//   storage classes: `<any module>.<X>Storage` for every legacy name
//       (torch.FloatStorage, torch.cuda.HalfStorage, ...), UntypedStorage,
//       TypedStorage — names only (Value::Global), read by
//       ParseStoragePersistentId
//   torch.Tensor, torch.{,cuda.}<T>Tensor — names only
//   torch.Size, torch.device, torch.<dtype> (every ScalarType name),
//   qschemes (torch.per_tensor_affine, ...), memory formats
//   (torch.contiguous_format, ...), torch.serialization._get_layout
//   collections.OrderedDict, collections.Counter
//   _codecs.encode (how protocol < 3 stores bytes)
//   builtins.set, frozenset, bytearray, complex, and bytes (empty bytes at
//   protocol < 3), also under `__builtin__` via MapLegacyGlobalName
//
// Extend a copy for your own classes:
//   GlobalRegistry registry = TorchGlobals();
//   registry.Register("my.module", "Config", GlobalHandler::InertClass());
//   options.globals = &registry;
#ifndef PTSER_PICKLE_TORCH_GLOBALS_H_
#define PTSER_PICKLE_TORCH_GLOBALS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pickle/globals.h"
#include "pickle/value.h"
#include "tensor/scalar_type.h"

namespace ptser {

// The default registry (built once, immutable, thread-safe to share).
const GlobalRegistry& TorchGlobals();

// "torch" or a module under it ("torch.cuda", "torch.storage"): the modules
// whose storage classes are storage classes.
bool IsTorchModule(absl::string_view module);

// What a storage class name denotes: "FloatStorage" → float32;
// "UntypedStorage" (and 1.12's "_UntypedStorage") → untyped bytes (kByte).
// Nullopt for any other name (including "TypedStorage", which has no dtype).
struct StorageClassInfo {
  ScalarType dtype;
  bool untyped;
};
std::optional<StorageClassInfo> StorageClassFromName(absl::string_view name);

// A storage persistent id taken apart (docs/formats/pickle.md, "Storage persistent ids"):
//   ('storage', <storage class>, key, location, numel)           zip format
//   ('storage', <storage class>, root_key, location, numel,
//    view_metadata)                                               legacy
// Its strings view the strs of the persistent id it was parsed from: valid
// while that Value lives (a persistent_load hook's argument does).
struct StoragePersistentId {
  absl::string_view storage_class;  // "FloatStorage", "UntypedStorage"
  ScalarType dtype = ScalarType::kByte;
  bool untyped = false;
  absl::string_view key;       // "0": record data/0
  absl::string_view location;  // "cpu", "cuda:0", ...
  int64_t numel = 0;     // elements of dtype (bytes when untyped)
  uint64_t nbytes = 0;   // numel * ElementSize(dtype), checked for overflow
  Value view_metadata;   // 6th element of legacy ids, else None
};

// Validates and decodes `pid`: a 5- or 6-tuple whose first item is 'storage',
// second a Value::Global naming a storage class (any module), key and
// location strs, numel a non-negative int whose byte size fits in int64.
// Anything else is InvalidArgumentError describing the mismatch.  The caller
// still checks that `key` names a record of at least `nbytes` bytes, and
// that one key is always used with one dtype.
absl::StatusOr<StoragePersistentId> ParseStoragePersistentId(const Value& pid);

// The layouts, qschemes and memory formats PyTorch defines (names without
// "torch."), for validation: IsKnownTorchEnum(kLayout, "sparse_csr").
bool IsKnownTorchEnum(TorchEnum::Type type, absl::string_view name);

}  // namespace ptser

#endif  // PTSER_PICKLE_TORCH_GLOBALS_H_
