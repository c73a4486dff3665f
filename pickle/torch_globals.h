// Copyright ptser authors.
//
// pickle/torch_globals.h — the globals a PyTorch checkpoint may name, as
// C++ handlers.
//
// TorchGlobals() is the default GlobalRegistry of the Unpickler.  It covers
// what newest PyTorch's weights-only loader allows by default (docs/formats/pickle.md,
// "What is allowed"), and nothing that runs code:
//
//   torch._utils._rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3,
//       _rebuild_qtensor, _rebuild_parameter, _rebuild_parameter_with_state,
//       torch.nn.parameter.Parameter, torch.Tensor() + BUILD
//       → tensors, decoded by pickle/tensor_codec.h (which also encodes them)
//   torch._utils._rebuild_sparse_tensor, _rebuild_sparse_csr_tensor,
//       _rebuild_meta_tensor_no_storage, _rebuild_nested_tensor,
//       _rebuild_wrapper_subclass, _rebuild_device_tensor_from_numpy,
//       _rebuild_device_tensor_from_cpu_tensor
//       → inert Value::Object (callee + args) that saves back unchanged
//   torch._tensor._rebuild_from_type_v2 → the inner result when the type is
//       torch.Tensor/Parameter without Python state, else an inert Object
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

#include "absl/strings/string_view.h"
#include "pickle/globals.h"
#include "pickle/value.h"

namespace ptser {

// The default registry (built once, immutable, thread-safe to share).
const GlobalRegistry& TorchGlobals();

// The layouts, qschemes and memory formats PyTorch defines (names without
// "torch."), for validation: IsKnownTorchEnum(kLayout, "sparse_csr").
bool IsKnownTorchEnum(TorchEnum::Type type, absl::string_view name);

}  // namespace ptser

#endif  // PTSER_PICKLE_TORCH_GLOBALS_H_
