// Copyright ptser authors.
//
// pickle/tensor_codec.h — a tensor and its storage in a pickle, both ways.
//
// A checkpoint's pickle never holds tensor bytes.  A tensor is a call of one
// of torch._utils' rebuild functions on a storage; the storage is a
// persistent id that the loader resolves to bytes (a zip record, a legacy
// or tar entry).  This file is the one place that knows those shapes: the
// encoders build the Values a Pickler writes, the decoders are the handlers
// TorchGlobals() registers for the unpickler.  A new tensor flag is one edit
// here, both directions side by side.  docs/formats/pickle.md has the forms.
//
// The rebuild calls (Python 1.13's `Tensor.__reduce_ex__` and newer):
//
//   dtype with a storage class   _rebuild_tensor_v2(storage, storage_offset,
//       (float32, int64, ...)        size, stride, requires_grad,
//                                    OrderedDict()[, metadata])
//   dtype without one            _rebuild_tensor_v3(untyped storage,
//       (uint16, float8, ...)        storage_offset, size, stride,
//                                    requires_grad, OrderedDict(), dtype
//                                    [, metadata])
//   quantized                    _rebuild_qtensor(storage, storage_offset,
//                                    size, stride, qparams, requires_grad,
//                                    OrderedDict())
//       qparams: (torch.per_tensor_affine, scale, zero_point)
//                (torch.per_channel_affine, scales, zero_points, axis)
//   a Parameter                  _rebuild_parameter(<one of the above, with
//                                    requires_grad False>, requires_grad,
//                                    OrderedDict())
//   metadata: {'conj': True, 'neg': True}, only the bits that are set, and
//   only when one is (newer PyTorch writes it; 1.13 drops it).
//
// The storage persistent id:
//
//   ('storage', torch.FloatStorage, '0', 'cpu', 6)        zip format
//   ('storage', torch.FloatStorage, '0', 'cpu', 6, None)  legacy format
//
// A worked example: torch.save(torch.zeros(2, 3)) pickles
//
//   _rebuild_tensor_v2(<persistent id ('storage', torch.FloatStorage, '0',
//                       'cpu', 6)>, 0, (2, 3), (3, 1), False, OrderedDict())
//
// which, in protocol 2, is GLOBAL 'torch._utils _rebuild_tensor_v2', the
// BINPERSID of the tuple, BININT1 0, the two tuples, NEWFALSE, the
// OrderedDict's GLOBAL + EMPTY_TUPLE + REDUCE, TUPLE, REDUCE.
//
// What is not here: which key a storage gets, whether it is trimmed
// (archive/save.cc), and which bytes a key names (the loaders).
#ifndef PTSER_PICKLE_TENSOR_CODEC_H_
#define PTSER_PICKLE_TENSOR_CODEC_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "pickle/globals.h"
#include "pickle/value.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

// ---- storage classes -----------------------------------------------------

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

// ---- encoding --------------------------------------------------------------

// The storage a tensor's rebuild call names: `t`'s storage viewed as its
// dtype, or untyped bytes when the dtype has no legacy storage class (the
// `_rebuild_tensor_v3` case).  Save registers its key under this dtype.
TypedStorage StorageForEncoding(const Tensor& t);

struct EncodeTensorOptions {
  // torch.save's form: a tensor with is_parameter() is wrapped in
  // `_rebuild_parameter(inner, requires_grad, OrderedDict())`, the inner call
  // with requires_grad False (Parameter.__reduce_ex__ pickles `self.data`).
  // False: libtorch's pickler, which has no Parameter class and writes the
  // plain call with the tensor's own requires_grad.  Default: true.
  bool wrap_parameter = true;
};

// The rebuild call for `t` (a Value::Object, Construction::kCall, of
// torch._utils' function), with `storage` as its first argument (usually
// Value::FromStorage(StorageForEncoding(t)), which the Pickler turns into a
// persistent id) and `storage_offset` in elements of t's dtype (a save that
// trims storages passes the rebased offset).  The sizes, strides, dtype,
// requires_grad, conj/neg bits and quantizer come from `t`; its storage is
// not read.  Each call builds fresh Values, except `storage`, which is used
// as given (so the Pickler memoizes a storage named by several tensors).
// InvalidArgumentError for a per-channel quantizer without scales or zero
// points.
//
//   PTSER_ASSIGN_OR_RETURN(Value call, EncodeTensor(t, storage, 0));
absl::StatusOr<Value> EncodeTensor(const Tensor& t, Value storage, int64_t storage_offset,
                                   const EncodeTensorOptions& options = {});

// What a storage persistent id says, to encode it.
struct StoragePersistentIdFields {
  // The storage class: torch.<X>Storage of `dtype`, or
  // torch.storage.UntypedStorage when `untyped`.
  ScalarType dtype = ScalarType::kByte;
  bool untyped = false;
  // A str.  In the zip format pass the same Value for every id of one
  // storage (torch.save's one key object: the pickle memoizes it); the
  // legacy format writes a new str each time (str(storage._cdata)), which
  // the encoder makes.
  Value key;
  // "cpu", "cuda:0", ...: written as given.
  std::string location;
  // Elements of `dtype` (bytes when untyped).
  int64_t numel = 0;
  // The legacy format's 6-tuple, whose view_metadata is None.
  bool legacy = false;
};

// The strs torch.serialization writes from constants of its code: one
// object each for a whole pickle, so the Pickler memoizes them (BINPUT in
// the first persistent id, BINGET after).  Keep one per pickle written.
struct PersistentIdLiterals {
  Value storage = Value::Str("storage");
  Value cpu = Value::Str("cpu");
};

// ('storage', <class>, key, location, numel[, None]).  The 'storage' str,
// and the location when it is "cpu", are `literals`'; any other location
// is a new str (location_tag makes one each time).  InvalidArgumentError
// when a typed dtype has no legacy storage class (such a storage is saved
// untyped) or `key` is not a str.
absl::StatusOr<Value> EncodeStoragePersistentId(const StoragePersistentIdFields& fields,
                                                const PersistentIdLiterals& literals);

// ---- decoding --------------------------------------------------------------

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
// second a Value::Global naming a storage class of a torch module, key and
// location strs, numel a non-negative int whose byte size fits in int64.
// Anything else is InvalidArgumentError describing the mismatch.  The caller
// still checks that `key` names a record of at least `nbytes` bytes, and
// that one key is always used with one dtype.
absl::StatusOr<StoragePersistentId> ParseStoragePersistentId(const Value& pid);

// The rebuild functions, as GlobalHandler calls (TorchGlobals() registers
// them under torch._utils).  `args` are untrusted: a wrong count or kind is
// InvalidArgumentError naming the callee and the argument; a layout outside
// the storage is Tensor::Make's error (OutOfRangeError) behind the callee's
// name.  The tensor views the storage's bytes (no copy).  A storage must be
// a Value::Storage (what the persistent-load hook returned).

// _rebuild_tensor(storage, storage_offset, size, stride): the oldest form.
absl::StatusOr<Value> RebuildTensor(const CallContext& ctx, absl::Span<const Value> args);

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
//                    backward_hooks, metadata=None).  The hooks are
// ignored; metadata is None or a dict whose 'conj' and 'neg' are read.  A
// quantized storage dtype is refused (only _rebuild_qtensor gives a
// quantizer).
absl::StatusOr<Value> RebuildTensorV2(const CallContext& ctx, absl::Span<const Value> args);

// _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad,
//                    backward_hooks, dtype, metadata=None): as v2, the
// storage viewed as `dtype` (a Value::Dtype).
absl::StatusOr<Value> RebuildTensorV3(const CallContext& ctx, absl::Span<const Value> args);

// _rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params,
//                  requires_grad, backward_hooks): a storage of a quantized
// dtype; per_tensor_affine and the per-channel affine schemes (checked as
// PyTorch's _empty_per_channel_affine_quantized does); any other scheme is
// UnimplementedError.
absl::StatusOr<Value> RebuildQTensor(const CallContext& ctx, absl::Span<const Value> args);

// _rebuild_parameter(data, requires_grad, backward_hooks): a tensor `data`
// becomes a parameter (a new tensor object); other data is kept as an inert
// call.
absl::StatusOr<Value> RebuildParameter(const CallContext& ctx, absl::Span<const Value> args);

// _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
// as _rebuild_parameter when `state` is empty (None, {}, (None, None)),
// else an inert call that saves back unchanged.
absl::StatusOr<Value> RebuildParameterWithState(const CallContext& ctx,
                                                absl::Span<const Value> args);

// torch.nn.parameter.Parameter(data, requires_grad=True).
absl::StatusOr<Value> NewParameter(const CallContext& ctx, absl::Span<const Value> args);

// torch.Tensor() then BUILD (storage, storage_offset, size, stride): the
// oldest tensor pickling (Tensor.set_ in place; the storage must be of the
// tensor's dtype, float32 from NewEmptyTensor, or untyped).
absl::StatusOr<Value> NewEmptyTensor(const CallContext& ctx, absl::Span<const Value> args);
absl::Status TensorSetState(const CallContext& ctx, Value& object, const Value& state);

}  // namespace ptser

#endif  // PTSER_PICKLE_TENSOR_CODEC_H_
