// Copyright ptser authors.
//
// The rebuild functions follow what `torch/_utils.py` documents for each
// `_rebuild_*` function's arguments (docs/formats/pickle.md); none of them
// is imported or run.  The encoders write the same shapes back.

#include "pickle/tensor_codec.h"

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "pickle/internal/call_args.h"
#include "tensor/quantizer.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using Args = absl::Span<const Value>;
using pickle_internal::GetBool;
using pickle_internal::GetDouble;
using pickle_internal::GetInt;
using pickle_internal::GetIntList;
using pickle_internal::GetStorage;
using pickle_internal::InertCall;
using pickle_internal::IsEmptyState;
using pickle_internal::Wrap;

// ---- the call ----------------------------------------------------------------

Value IntTuple(absl::Span<const int64_t> values) {
  std::vector<Value> items;
  items.reserve(values.size());
  for (int64_t v : values) items.push_back(Value::Int(v));
  return Value::NewTuple(std::move(items));
}

// `torch._utils.<name>(*args)`.
Value RebuildCall(const char* name, std::vector<Value> args) {
  return Value::FromObject(std::make_shared<Value::Object>(
      GlobalRef{"torch._utils", name}, Value::Object::Construction::kCall,
      Value::NewTuple(std::move(args))));
}

// `storage[offset:...].as_strided(size, stride)` via Tensor::Make.
absl::StatusOr<Tensor> MakeTensor(const CallContext& ctx, const Value& storage,
                                  const Value& offset, const Value& size,
                                  const Value& stride,
                                  std::optional<ScalarType> dtype) {
  PTSER_ASSIGN_OR_RETURN(const TypedStorage* ts, GetStorage(ctx, storage));
  PTSER_ASSIGN_OR_RETURN(int64_t off, GetInt(ctx, offset, "storage_offset"));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> sizes,
                         GetIntList(ctx, size, "size"));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                         GetIntList(ctx, stride, "stride"));
  absl::StatusOr<Tensor> t =
      Tensor::Make(ts->storage, dtype.value_or(ts->dtype), off,
                   std::move(sizes), std::move(strides));
  if (!t.ok()) t = Wrap(ctx, t.status());
  return t;  // one object returned: not moved again
}

// ---- the flags (conj, neg): a new flag is one line in each ----------------

// The metadata argument of _rebuild_tensor_v2/v3: None when no bit is set.
absl::StatusOr<Value> EncodeMetadata(const Tensor& t) {
  if (!t.is_conj() && !t.is_neg()) return Value::None();
  Value metadata = Value::NewDict();
  if (t.is_conj()) {
    PTSER_RETURN_IF_ERROR(metadata.dict().SetItem(Value::Str("conj"), Value::Bool(true)));
  }
  if (t.is_neg()) {
    PTSER_RETURN_IF_ERROR(metadata.dict().SetItem(Value::Str("neg"), Value::Bool(true)));
  }
  return metadata;
}

// Optional metadata dict of `_rebuild_tensor_v2/v3` ({'conj': True, ...}).
absl::Status ApplyMetadata(const CallContext& ctx, const Value& metadata,
                           Tensor& t) {
  if (metadata.is_none()) return absl::OkStatus();
  if (!metadata.is_dict()) return ctx.ArgError("metadata", "a dict", metadata);
  if (const Value* conj = metadata.dict().Find("conj")) {
    PTSER_ASSIGN_OR_RETURN(bool c, GetBool(ctx, *conj, "metadata['conj']"));
    t.set_conj(c);
  }
  if (const Value* neg = metadata.dict().Find("neg")) {
    PTSER_ASSIGN_OR_RETURN(bool n, GetBool(ctx, *neg, "metadata['neg']"));
    t.set_neg(n);
  }
  return absl::OkStatus();
}

// ---- the quantizer -----------------------------------------------------------

// The quantizer_params tuple of _rebuild_qtensor.
absl::StatusOr<Value> EncodeQParams(const Quantizer& q) {
  Value scheme = Value::Enum({TorchEnum::Type::kQScheme, std::string(QSchemeName(q.scheme))});
  if (q.scheme == QScheme::kPerTensorAffine || q.scheme == QScheme::kPerTensorSymmetric) {
    return Value::NewTuple({scheme, Value::Float(q.scale), Value::Int(q.zero_point)});
  }
  if (q.scales == nullptr || q.zero_points == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a ", QSchemeName(q.scheme), " quantizer without scales/zero points cannot be saved"));
  }
  return Value::NewTuple({scheme, Value::FromTensor(*q.scales),
                          Value::FromTensor(*q.zero_points), Value::Int(q.axis)});
}

// A tensor of a quantized dtype needs a quantizer, which only
// _rebuild_qtensor gives it (PyTorch cannot rebuild one otherwise, and fails
// an internal assert saving ptser's output if it were accepted).
absl::Status RefuseQuantized(const CallContext& ctx, const Tensor& t) {
  if (!IsQuantized(t.dtype())) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      ctx.callee().FullName(), ": a ", DtypeRepr(t.dtype()),
      " tensor has no quantizer (quantized tensors are rebuilt by "
      "torch._utils._rebuild_qtensor)"));
}

// Checks per-channel quantizer parameters as PyTorch's rebuild does
// (_empty_per_channel_affine_quantized): one-dimensional scales and zero
// points of one length, the size of dimension `axis` of the tensor.
absl::Status CheckPerChannel(const CallContext& ctx, const Quantizer& q, const Tensor& t) {
  const Tensor& scales = *q.scales;
  const Tensor& zero_points = *q.zero_points;
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.callee().FullName(), ": per-channel quantizer: ", why));
  };
  if (q.axis < 0 || q.axis >= t.dim()) {
    return bad(absl::StrCat("axis ", q.axis, " is out of range for a tensor of ", t.dim(),
                            " dimensions"));
  }
  if (scales.dim() != 1 || zero_points.dim() != 1) {
    return bad("scales and zero_points must be one-dimensional");
  }
  if (scales.numel() != t.sizes()[q.axis] || zero_points.numel() != t.sizes()[q.axis]) {
    return bad(absl::StrCat(scales.numel(), " scales and ", zero_points.numel(),
                            " zero points for ", t.sizes()[q.axis], " channels along axis ",
                            q.axis));
  }
  const bool float_qparams = q.scheme == QScheme::kPerChannelAffineFloatQParams;
  if (!IsFloatingPoint(scales.dtype()) ||
      (float_qparams ? !IsFloatingPoint(zero_points.dtype())
                     : !IsIntegral(zero_points.dtype(), false))) {
    return bad(absl::StrCat("scales of ", DtypeRepr(scales.dtype()), " and zero points of ",
                            DtypeRepr(zero_points.dtype())));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- decoding: the rebuild functions --------------------------------------------

// _rebuild_tensor(storage, storage_offset, size, stride)
absl::StatusOr<Value> RebuildTensor(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 4, 4));
  PTSER_ASSIGN_OR_RETURN(
      Tensor t, MakeTensor(ctx, args[0], args[1], args[2], args[3],
                           std::nullopt));
  PTSER_RETURN_IF_ERROR(RefuseQuantized(ctx, t));
  return Value::FromTensor(std::move(t));
}

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
//                    backward_hooks, metadata=None)
absl::StatusOr<Value> RebuildTensorV2(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 6, 7));
  // Once a tensor of a torch.save file: the tensor is moved once, into the
  // Value's shared object.
  absl::StatusOr<Tensor> made =
      MakeTensor(ctx, args[0], args[1], args[2], args[3], std::nullopt);
  if (!made.ok()) return made.status();
  Tensor& t = *made;
  PTSER_RETURN_IF_ERROR(RefuseQuantized(ctx, t));
  PTSER_ASSIGN_OR_RETURN(bool rg, GetBool(ctx, args[4], "requires_grad"));
  t.set_requires_grad(rg);
  if (args.size() > 6) PTSER_RETURN_IF_ERROR(ApplyMetadata(ctx, args[6], t));
  return Value::FromTensor(std::move(t));
}

// _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad,
//                    backward_hooks, dtype, metadata=None)
absl::StatusOr<Value> RebuildTensorV3(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 7, 8));
  if (!args[6].is_dtype()) return ctx.ArgError("dtype", "a torch.dtype", args[6]);
  PTSER_ASSIGN_OR_RETURN(
      Tensor t, MakeTensor(ctx, args[0], args[1], args[2], args[3],
                           args[6].dtype()));
  PTSER_RETURN_IF_ERROR(RefuseQuantized(ctx, t));
  PTSER_ASSIGN_OR_RETURN(bool rg, GetBool(ctx, args[4], "requires_grad"));
  t.set_requires_grad(rg);
  if (args.size() > 7) PTSER_RETURN_IF_ERROR(ApplyMetadata(ctx, args[7], t));
  return Value::FromTensor(std::move(t));
}

// _rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params,
//                  requires_grad, backward_hooks)
absl::StatusOr<Value> RebuildQTensor(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 7, 7));
  PTSER_ASSIGN_OR_RETURN(const TypedStorage* ts, GetStorage(ctx, args[0]));
  if (!IsQuantized(ts->dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.callee().FullName(), ": storage dtype ",
                     DtypeRepr(ts->dtype), " is not a quantized dtype"));
  }
  const Value& qp = args[4];
  if (!qp.is_tuple() || qp.tuple().size() < 1 || !qp.tuple()[0].is_enum() ||
      qp.tuple()[0].enum_value().type != TorchEnum::Type::kQScheme) {
    return ctx.ArgError("quantizer_params", "a tuple starting with a qscheme",
                        qp);
  }
  const auto& q = qp.tuple().items();
  PTSER_ASSIGN_OR_RETURN(QScheme scheme,
                         QSchemeFromName(q[0].enum_value().name));
  Quantizer quantizer;
  quantizer.scheme = scheme;
  if (scheme == QScheme::kPerTensorAffine) {
    if (q.size() != 3) {
      return ctx.ArgError("per_tensor_affine quantizer_params",
                          "(qscheme, scale, zero_point)", qp);
    }
    PTSER_ASSIGN_OR_RETURN(quantizer.scale, GetDouble(ctx, q[1], "scale"));
    PTSER_ASSIGN_OR_RETURN(quantizer.zero_point,
                           GetInt(ctx, q[2], "zero_point"));
  } else if (scheme == QScheme::kPerChannelAffine ||
             scheme == QScheme::kPerChannelAffineFloatQParams) {
    if (q.size() != 4 || !q[1].is_tensor() || !q[2].is_tensor()) {
      return ctx.ArgError("per-channel quantizer_params",
                          "(qscheme, scales, zero_points, axis)", qp);
    }
    quantizer.scales = std::make_shared<const Tensor>(q[1].tensor());
    quantizer.zero_points = std::make_shared<const Tensor>(q[2].tensor());
    PTSER_ASSIGN_OR_RETURN(quantizer.axis, GetInt(ctx, q[3], "axis"));
  } else {
    return absl::UnimplementedError(
        absl::StrCat(ctx.callee().FullName(),
                     ": cannot rebuild a quantized tensor with qscheme torch.",
                     q[0].enum_value().name));
  }
  PTSER_ASSIGN_OR_RETURN(
      Tensor t, MakeTensor(ctx, args[0], args[1], args[2], args[3],
                           std::nullopt));
  if (quantizer.scales != nullptr) PTSER_RETURN_IF_ERROR(CheckPerChannel(ctx, quantizer, t));
  PTSER_ASSIGN_OR_RETURN(bool rg, GetBool(ctx, args[5], "requires_grad"));
  t.set_requires_grad(rg);
  t.set_quantizer(std::move(quantizer));
  return Value::FromTensor(std::move(t));
}

namespace {

// `data` as a parameter, or the call kept inert when it is no tensor.
absl::StatusOr<Value> MakeParameter(const CallContext& ctx, const Value& data,
                                    const Value& requires_grad, Args args) {
  if (!data.is_tensor()) return InertCall(ctx, args);
  PTSER_ASSIGN_OR_RETURN(bool rg, GetBool(ctx, requires_grad, "requires_grad"));
  Tensor t = data.tensor();
  t.set_is_parameter(true);
  t.set_requires_grad(rg);
  return Value::FromTensor(std::move(t));
}

}  // namespace

// _rebuild_parameter(data, requires_grad, backward_hooks)
absl::StatusOr<Value> RebuildParameter(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 3, 3));
  return MakeParameter(ctx, args[0], args[1], args);
}

// _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state)
absl::StatusOr<Value> RebuildParameterWithState(const CallContext& ctx,
                                                Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 4, 4));
  if (!IsEmptyState(args[3])) return InertCall(ctx, args);
  return MakeParameter(ctx, args[0], args[1], args);
}

// torch.nn.parameter.Parameter(data=None, requires_grad=True)
absl::StatusOr<Value> NewParameter(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 1, 2));
  if (!args[0].is_tensor()) return ctx.ArgError("data", "a Tensor", args[0]);
  return MakeParameter(ctx, args[0],
                       args.size() > 1 ? args[1] : Value::Bool(true), args);
}

// torch.Tensor(): the empty float32 tensor (the default dtype) that the
// oldest tensor pickling starts from: REDUCE on torch.Tensor with (), then
// BUILD with (storage, storage_offset, size, stride), which newest PyTorch's
// weights-only loader accepts (`inst.set_(*state)`).
absl::StatusOr<Value> NewEmptyTensor(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 0));
  PTSER_ASSIGN_OR_RETURN(Storage storage, Storage::Allocate(0));
  PTSER_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(storage, ScalarType::kFloat, 0, {0}, {1}));
  return Value::FromTensor(std::move(t));
}

// BUILD on a plain tensor: Tensor.set_(storage, storage_offset, size,
// stride), in place, so every reference to the tensor sees it.  As set_, the
// storage must be of the tensor's dtype.
absl::Status TensorSetState(const CallContext& ctx, Value& object, const Value& state) {
  if (!object.is_tensor() || object.tensor().is_parameter()) {
    return ctx.ArgError("object", "a torch.Tensor", object);
  }
  if (!state.is_tuple() || state.tuple().size() != 4) {
    return ctx.ArgError("state", "a (storage, storage_offset, size, stride) tuple", state);
  }
  const absl::Span<const Value> items = state.tuple().items();
  PTSER_ASSIGN_OR_RETURN(const TypedStorage* ts, GetStorage(ctx, items[0]));
  const ScalarType dtype = object.tensor().dtype();
  if (ts->dtype != dtype && !ts->untyped) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.callee().FullName(), ".set_: expected a storage of type ", DtypeName(dtype),
        " or an UntypedStorage, got one of ", DtypeName(ts->dtype)));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor t,
                         MakeTensor(ctx, items[0], items[1], items[2], items[3], dtype));
  t.set_requires_grad(object.tensor().requires_grad());
  object.mutable_tensor() = std::move(t);
  return absl::OkStatus();
}


// ---- storage classes -----------------------------------------------------------

bool IsTorchModule(absl::string_view module) {
  return module == "torch" || absl::StartsWith(module, "torch.");
}

std::optional<StorageClassInfo> StorageClassFromName(absl::string_view name) {
  if (name == "UntypedStorage" || name == "_UntypedStorage") {
    return StorageClassInfo{ScalarType::kByte, true};
  }
  if (!absl::EndsWith(name, "Storage")) return std::nullopt;
  absl::StatusOr<ScalarType> t = ScalarTypeFromStorageClassName(name);
  if (!t.ok()) return std::nullopt;
  return StorageClassInfo{*t, false};
}

// ---- encoding: the call and the storage persistent id ----------------------------

TypedStorage StorageForEncoding(const Tensor& t) {
  const bool untyped = !LegacyStorageClassName(t.dtype()).has_value();
  return TypedStorage{t.storage(), t.dtype(), untyped};
}

absl::StatusOr<Value> EncodeTensor(const Tensor& t, Value storage, int64_t storage_offset,
                                   const EncodeTensorOptions& options) {
  const bool as_parameter = options.wrap_parameter && t.is_parameter();
  // A Parameter's inner call rebuilds `self.data`, which never requires grad.
  const Value requires_grad = Value::Bool(t.requires_grad() && !as_parameter);
  std::vector<Value> args;
  args.reserve(8);  // the longest form: v3 with metadata
  args.push_back(std::move(storage));
  args.push_back(Value::Int(storage_offset));
  args.push_back(IntTuple(t.sizes()));
  args.push_back(IntTuple(t.strides()));
  Value call;
  if (t.quantizer().has_value()) {
    PTSER_ASSIGN_OR_RETURN(Value qparams, EncodeQParams(*t.quantizer()));
    args.push_back(std::move(qparams));
    args.push_back(requires_grad);
    args.push_back(Value::NewOrderedDict());  // backward hooks: never saved
    call = RebuildCall("_rebuild_qtensor", std::move(args));
  } else {
    PTSER_ASSIGN_OR_RETURN(Value metadata, EncodeMetadata(t));
    args.push_back(requires_grad);
    args.push_back(Value::NewOrderedDict());  // backward hooks: never saved
    if (StorageForEncoding(t).untyped) {
      args.push_back(Value::Dtype(t.dtype()));
      if (!metadata.is_none()) args.push_back(std::move(metadata));
      call = RebuildCall("_rebuild_tensor_v3", std::move(args));
    } else {
      if (!metadata.is_none()) args.push_back(std::move(metadata));
      call = RebuildCall("_rebuild_tensor_v2", std::move(args));
    }
  }
  if (!as_parameter) return call;
  return RebuildCall("_rebuild_parameter",
                     {std::move(call), Value::Bool(t.requires_grad()), Value::NewOrderedDict()});
}

absl::StatusOr<Value> EncodeStoragePersistentId(const StoragePersistentIdFields& fields,
                                                const PersistentIdLiterals& literals) {
  if (!fields.key.is_str()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a storage key must be a str, got ", fields.key.TypeName()));
  }
  Value cls;
  if (fields.untyped) {
    cls = Value::Global("torch.storage", "UntypedStorage");
  } else {
    const std::optional<absl::string_view> name = LegacyStorageClassName(fields.dtype);
    if (!name.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a storage of ", DtypeName(fields.dtype),
          " has no storage class in PyTorch 1.13: save it as an UntypedStorage"));
    }
    cls = Value::Global("torch", std::string(*name));
  }
  // The legacy key is str(storage._cdata), a new str each time; the zip
  // format's is the one key object of the storage.
  Value key = fields.legacy ? Value::Str(fields.key.as_string()) : fields.key;
  // 'cpu' is one literal in torch.serialization; any other tag ('cuda:0')
  // is a new str each time, as location_tag makes.
  Value location = fields.location == "cpu" ? literals.cpu : Value::Str(fields.location);
  std::vector<Value> pid = {literals.storage, std::move(cls), std::move(key),
                            std::move(location), Value::Int(fields.numel)};
  if (fields.legacy) pid.push_back(Value::None());  // view_metadata
  return Value::NewTuple(std::move(pid));
}

// ---- decoding: the storage persistent id -----------------------------------------

absl::StatusOr<StoragePersistentId> ParseStoragePersistentId(const Value& pid) {
  auto bad = [&pid](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid storage persistent id ", pid.Repr(Value::kMessageReprChars), ": ", why,
        " (expected ('storage', <storage class>, key, location, numel))"));
  };
  if (!pid.is_tuple() || (pid.tuple().size() != 5 && pid.tuple().size() != 6)) {
    return bad("not a 5- or 6-tuple");
  }
  const auto& t = pid.tuple().items();
  if (!t[0].is_str() || t[0].as_string() != "storage") {
    return bad("the first item is not 'storage'");
  }
  if (!t[1].is_global()) return bad("the storage type is not a class");
  if (!IsTorchModule(t[1].global().module)) {
    return bad(absl::StrCat("storage class '", t[1].global().FullName(),
                            "' is not one of torch's"));
  }
  std::optional<StorageClassInfo> info =
      StorageClassFromName(t[1].global().name);
  if (!info) {
    return bad(absl::StrCat("unknown storage class '",
                            t[1].global().FullName(), "'"));
  }
  if (!t[2].is_str()) return bad("the key is not a str");
  if (!t[3].is_str()) return bad("the location is not a str");
  if (!t[4].is_int() || t[4].as_int() < 0) {
    return bad("numel is not a non-negative int");
  }
  StoragePersistentId id;
  id.storage_class = t[1].global().name;
  id.dtype = info->dtype;
  id.untyped = info->untyped;
  id.key = t[2].as_string();
  id.location = t[3].as_string();
  id.numel = t[4].as_int();
  const uint64_t itemsize = ElementSize(id.dtype);
  if (itemsize != 0 &&
      static_cast<uint64_t>(id.numel) >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) /
              itemsize) {
    return bad("numel * element size overflows");
  }
  id.nbytes = static_cast<uint64_t>(id.numel) * itemsize;
  if (t.size() == 6) id.view_metadata = t[5];
  return id;
}

}  // namespace ptser
