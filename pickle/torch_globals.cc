// Copyright ptser authors.
//
// The rebuild functions follow what `torch/_utils.py` documents for each
// `_rebuild_*` function's arguments (docs/formats/pickle.md); none of them
// is imported or run.

#include "pickle/torch_globals.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "pickle/internal/python_text.h"
#include "tensor/device.h"
#include "tensor/quantizer.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using Args = absl::Span<const Value>;

constexpr absl::string_view kLayouts[] = {
    "strided", "sparse_coo", "sparse_csr", "sparse_csc",
    "sparse_bsr", "sparse_bsc", "_mkldnn", "jagged"};
constexpr absl::string_view kQSchemes[] = {
    "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
    "per_channel_symmetric", "per_channel_affine_float_qparams"};
constexpr absl::string_view kMemoryFormats[] = {
    "contiguous_format", "channels_last", "channels_last_3d",
    "preserve_format"};

// ---- argument helpers ------------------------------------------------------

absl::StatusOr<int64_t> GetInt(const CallContext& ctx, const Value& v,
                               absl::string_view what) {
  if (v.is_int()) return v.as_int();
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  return ctx.ArgError(what, "an int", v);
}

absl::StatusOr<bool> GetBool(const CallContext& ctx, const Value& v,
                             absl::string_view what) {
  if (v.is_bool()) return v.as_bool();
  if (v.is_int()) return v.as_int() != 0;
  return ctx.ArgError(what, "a bool", v);
}

absl::StatusOr<double> GetDouble(const CallContext& ctx, const Value& v,
                                 absl::string_view what) {
  if (v.is_float()) return v.as_float();
  if (v.is_int()) return static_cast<double>(v.as_int());
  if (v.is_bool()) return v.as_bool() ? 1.0 : 0.0;
  return ctx.ArgError(what, "a float", v);
}

absl::StatusOr<std::vector<int64_t>> GetIntList(const CallContext& ctx,
                                                const Value& v,
                                                absl::string_view what) {
  if (v.is_size()) return v.size();
  if (!v.is_sequence()) return ctx.ArgError(what, "a tuple of ints", v);
  const absl::Span<const Value> items = v.sequence_items();
  std::vector<int64_t> out;
  out.reserve(items.size());
  for (const Value& item : items) {
    if (!item.is_int() && !item.is_bool()) {
      return ctx.ArgError(what, "a tuple of ints", v);
    }
    out.push_back(item.is_int() ? item.as_int() : item.as_bool());
  }
  return out;
}

absl::StatusOr<const TypedStorage*> GetStorage(const CallContext& ctx,
                                               const Value& v) {
  if (!v.is_storage()) {
    return ctx.ArgError("storage", "a storage (from the persistent-load hook)",
                        v);
  }
  return &v.storage();
}

// Items of an iterable argument (list, tuple, set, frozenset, dict keys).
absl::StatusOr<std::vector<Value>> GetIterable(const CallContext& ctx,
                                               const Value& v,
                                               absl::string_view what) {
  if (v.is_sequence()) {
    const absl::Span<const Value> items = v.sequence_items();
    return std::vector<Value>(items.begin(), items.end());
  }
  if (v.is_set() || v.is_frozenset()) return v.set().items();
  if (v.is_dict()) {
    std::vector<Value> keys;
    for (const auto& item : v.dict().items()) keys.push_back(item.key);
    return keys;
  }
  return ctx.ArgError(what, "an iterable (list, tuple, set or dict)", v);
}

absl::Status Wrap(const CallContext& ctx, const absl::Status& s) {
  return absl::Status(s.code(),
                      absl::StrCat(ctx.callee().FullName(), ": ", s.message()));
}

// ---- tensors -----------------------------------------------------------------

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
  if (!t.ok()) return Wrap(ctx, t.status());
  return t;
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
  PTSER_ASSIGN_OR_RETURN(
      Tensor t, MakeTensor(ctx, args[0], args[1], args[2], args[3],
                           std::nullopt));
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

Value InertCall(const CallContext& ctx, Args args) {
  return Value::FromObject(std::make_shared<Value::Object>(
      ctx.callee(), Value::Object::Construction::kCall,
      Value::NewTuple(std::vector<Value>(args.begin(), args.end()))));
}

// True for "no Python state": None, {}, or (None|{}, None|{}).
bool IsEmptyState(const Value& state) {
  auto empty = [](const Value& v) {
    return v.is_none() || (v.is_dict() && v.dict().empty());
  };
  if (empty(state)) return true;
  return state.is_tuple() && state.tuple().size() == 2 &&
         empty(state.tuple()[0]) && empty(state.tuple()[1]);
}

absl::StatusOr<Value> MakeParameter(const CallContext& ctx, const Value& data,
                                    const Value& requires_grad, Args args) {
  if (!data.is_tensor()) return InertCall(ctx, args);
  PTSER_ASSIGN_OR_RETURN(bool rg, GetBool(ctx, requires_grad, "requires_grad"));
  Tensor t = data.tensor();
  t.set_is_parameter(true);
  t.set_requires_grad(rg);
  return Value::FromTensor(std::move(t));
}

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

// _rebuild_from_type_v2(func, new_type, args, state)
absl::StatusOr<Value> RebuildFromTypeV2(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 4, 4));
  if (!args[0].is_global()) return ctx.ArgError("func", "a function", args[0]);
  if (!args[1].is_global()) return ctx.ArgError("new_type", "a class", args[1]);
  if (!args[2].is_tuple()) return ctx.ArgError("args", "a tuple", args[2]);
  PTSER_ASSIGN_OR_RETURN(Value result,
                         ctx.Call(args[0], args[2].tuple().items()));
  const std::string type = args[1].global().FullName();
  const bool plain = type == "torch.Tensor" ||
                     (type == "torch.nn.parameter.Parameter" &&
                      result.is_tensor() && result.tensor().is_parameter());
  if (plain && result.is_tensor() && IsEmptyState(args[3])) return result;
  return InertCall(ctx, args);
}

// ---- other torch values ------------------------------------------------------

// torch.Size(iterable=())
absl::StatusOr<Value> MakeSize(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 1));
  if (args.empty()) return Value::Size({});
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> sizes,
                         GetIntList(ctx, args[0], "sizes"));
  return Value::Size(std::move(sizes));
}

// torch.device('cuda:1') / torch.device('cuda', 1)
absl::StatusOr<Value> MakeDevice(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 1, 2));
  if (!args[0].is_str()) return ctx.ArgError("type", "a str", args[0]);
  absl::StatusOr<Device> d = Device::Parse(args[0].as_string());
  if (!d.ok()) return Wrap(ctx, d.status());
  if (args.size() == 2 && !args[1].is_none()) {
    PTSER_ASSIGN_OR_RETURN(int64_t index, GetInt(ctx, args[1], "index"));
    if (d->has_index()) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.callee().FullName(), ": type (string) must not include an index "
                                   "when the index is given separately"));
    }
    if (index < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.callee().FullName(), ": device index must not be negative, got ",
          index));
    }
    return Value::FromDevice(Device(d->type(), index));
  }
  return Value::FromDevice(*std::move(d));
}

// torch.serialization._get_layout('torch.strided')
absl::StatusOr<Value> GetLayout(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 1, 1));
  if (!args[0].is_str()) return ctx.ArgError("name", "a str", args[0]);
  absl::string_view name = args[0].as_string();
  if (!absl::ConsumePrefix(&name, "torch.") ||
      !IsKnownTorchEnum(TorchEnum::Type::kLayout, name)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.callee().FullName(), ": unknown layout ",
                     args[0].Repr(Value::kMessageReprChars)));
  }
  return Value::Enum(TorchEnum{TorchEnum::Type::kLayout, std::string(name)});
}

// ---- collections ---------------------------------------------------------------

// Fills `d` from a mapping or an iterable of pairs, as dict(x) does.
absl::Status UpdateDict(const CallContext& ctx, const Value& source,
                        Value::Dict& d) {
  if (source.is_dict()) {
    for (const auto& item : source.dict().items()) {
      PTSER_RETURN_IF_ERROR(d.SetItem(item.key, item.value));
    }
    return absl::OkStatus();
  }
  PTSER_ASSIGN_OR_RETURN(std::vector<Value> pairs,
                         GetIterable(ctx, source, "items"));
  for (const Value& pair : pairs) {
    const absl::Span<const Value> kv = pair.sequence_items();
    if (kv.size() != 2) {
      return ctx.ArgError("each item", "a (key, value) pair", pair);
    }
    absl::Status s = d.SetItem(kv[0], kv[1]);
    if (!s.ok()) return Wrap(ctx, s);
  }
  return absl::OkStatus();
}

// collections.OrderedDict(items=())
absl::StatusOr<Value> MakeOrderedDict(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 1));
  Value d = Value::NewOrderedDict();
  if (!args.empty()) PTSER_RETURN_IF_ERROR(UpdateDict(ctx, args[0], d.dict()));
  return d;
}

// collections.Counter(mapping_or_iterable=())
absl::StatusOr<Value> MakeCounter(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 1));
  Value d = Value::NewCounter();
  if (args.empty()) return d;
  if (args[0].is_dict()) {
    PTSER_RETURN_IF_ERROR(UpdateDict(ctx, args[0], d.dict()));
    return d;
  }
  PTSER_ASSIGN_OR_RETURN(std::vector<Value> items,
                         GetIterable(ctx, args[0], "iterable"));
  for (const Value& item : items) {
    Value* count = d.dict().FindMutable(item);
    if (count != nullptr && count->is_int()) {
      *count = Value::Int(count->as_int() + 1);
    } else {
      absl::Status s = d.dict().SetItem(item, Value::Int(1));
      if (!s.ok()) return Wrap(ctx, s);
    }
  }
  return d;
}

// ---- builtins --------------------------------------------------------------------

// Python's codec name normalisation, for the few codecs pickles use.
enum class Codec { kLatin1, kUtf8, kAscii, kUnknown };
Codec CodecFromName(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(name);
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &n);
  if (n == "latin1" || n == "latin_1" || n == "iso_8859_1" ||
      n == "iso8859_1" || n == "l1" || n == "8859" || n == "cp819") {
    return Codec::kLatin1;
  }
  if (n == "utf_8" || n == "utf8" || n == "u8") return Codec::kUtf8;
  if (n == "ascii" || n == "us_ascii" || n == "646") return Codec::kAscii;
  return Codec::kUnknown;
}

// str.encode(encoding) for the codecs above.
absl::StatusOr<std::string> Encode(const CallContext& ctx, const Value& s,
                                   const Value& encoding) {
  if (!s.is_str()) return ctx.ArgError("obj", "a str", s);
  if (!encoding.is_str()) return ctx.ArgError("encoding", "a str", encoding);
  switch (CodecFromName(encoding.as_string())) {
    case Codec::kLatin1: {
      absl::StatusOr<std::string> out =
          pickle_internal::Utf8ToLatin1(s.as_string());
      if (!out.ok()) return Wrap(ctx, out.status());
      return out;
    }
    case Codec::kUtf8:
    case Codec::kAscii: {
      const bool ascii = CodecFromName(encoding.as_string()) == Codec::kAscii;
      std::optional<std::vector<uint32_t>> cps =
          pickle_internal::Utf8ToCodePoints(s.as_string());
      if (!cps) return ctx.ArgError("obj", "valid text", s);
      for (uint32_t cp : *cps) {
        if ((cp >= 0xd800 && cp <= 0xdfff) || (ascii && cp >= 0x80)) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "%s: cannot encode character U+%04X with %s",
              ctx.callee().FullName(), cp, encoding.as_string()));
        }
      }
      return s.as_string();
    }
    case Codec::kUnknown:
      break;
  }
  return absl::UnimplementedError(
      absl::StrCat(ctx.callee().FullName(), ": unsupported encoding ",
                   encoding.Repr(Value::kMessageReprChars)));
}

// _codecs.encode(obj, encoding='utf-8', errors='strict')
absl::StatusOr<Value> CodecsEncode(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 1, 3));
  if (args.size() == 3 &&
      !(args[2].is_str() && args[2].as_string() == "strict")) {
    return ctx.ArgError("errors", "'strict'", args[2]);
  }
  PTSER_ASSIGN_OR_RETURN(
      std::string bytes,
      Encode(ctx, args[0], args.size() > 1 ? args[1] : Value::Str("utf-8")));
  return Value::Bytes(std::move(bytes));
}

// The payload of bytes(...) / bytearray(...): (), (bytes-like,), (str, enc).
absl::StatusOr<std::string> BytesPayload(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 2));
  if (args.empty()) return std::string();
  if (args.size() == 1) {
    if (args[0].is_bytes()) return args[0].as_string();
    if (args[0].is_bytearray()) return args[0].bytearray();
    return ctx.ArgError("source", "bytes or bytearray", args[0]);
  }
  return Encode(ctx, args[0], args[1]);
}

absl::StatusOr<Value> MakeBytes(const CallContext& ctx, Args args) {
  PTSER_ASSIGN_OR_RETURN(std::string b, BytesPayload(ctx, args));
  return Value::Bytes(std::move(b));
}

absl::StatusOr<Value> MakeByteArray(const CallContext& ctx, Args args) {
  PTSER_ASSIGN_OR_RETURN(std::string b, BytesPayload(ctx, args));
  return Value::ByteArray(std::move(b));
}

absl::StatusOr<Value> MakeSetImpl(const CallContext& ctx, Args args,
                                  bool frozen) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 1));
  Value s = frozen ? Value::NewFrozenSet() : Value::NewSet();
  if (args.empty()) return s;
  PTSER_ASSIGN_OR_RETURN(std::vector<Value> items,
                         GetIterable(ctx, args[0], "iterable"));
  for (Value& item : items) {
    absl::Status st = s.set().Add(std::move(item));
    if (!st.ok()) return Wrap(ctx, st);
  }
  return s;
}

absl::StatusOr<Value> MakeSet(const CallContext& ctx, Args args) {
  return MakeSetImpl(ctx, args, false);
}
absl::StatusOr<Value> MakeFrozenSet(const CallContext& ctx, Args args) {
  return MakeSetImpl(ctx, args, true);
}

absl::StatusOr<std::complex<double>> GetComplex(const CallContext& ctx,
                                                const Value& v,
                                                absl::string_view what) {
  if (v.is_complex()) return v.as_complex();
  PTSER_ASSIGN_OR_RETURN(double d, GetDouble(ctx, v, what));
  return std::complex<double>(d, 0);
}

// complex(real=0, imag=0), as CPython's complex_new: a part is added only
// from an argument that is itself complex, so the sign of a zero part is
// kept (complex(nan, -0.0) has imaginary part -0.0, not 0.0 + -0.0).
absl::StatusOr<Value> MakeComplex(const CallContext& ctx, Args args) {
  PTSER_RETURN_IF_ERROR(ctx.ExpectArgCount(args, 0, 2));
  std::complex<double> re(0, 0), im(0, 0);
  if (!args.empty()) {
    PTSER_ASSIGN_OR_RETURN(re, GetComplex(ctx, args[0], "real"));
  }
  if (args.size() > 1) {
    PTSER_ASSIGN_OR_RETURN(im, GetComplex(ctx, args[1], "imag"));
  }
  double real = re.real();
  double imag = im.real();
  if (args.size() > 1 && args[1].is_complex()) real -= im.imag();
  if (!args.empty() && args[0].is_complex()) imag += re.imag();
  return Value::Complex(std::complex<double>(real, imag));
}

GlobalHandler Callable(GlobalCallFn fn) {
  GlobalHandler h;
  h.call = fn;
  h.new_object = fn;
  return h;
}

GlobalHandler InertFunction() {
  GlobalHandler h;
  h.call = [](const CallContext& ctx, Args args) -> absl::StatusOr<Value> {
    return InertCall(ctx, args);
  };
  return h;
}

GlobalRegistry* BuildTorchGlobals() {
  auto* r = new GlobalRegistry();
  const GlobalHandler name_only = GlobalHandler::NameOnly();

  // torch._utils rebuild functions.
  GlobalHandler h;
  h.call = RebuildTensor;
  r->Register("torch._utils", "_rebuild_tensor", h);
  h.call = RebuildTensorV2;
  r->Register("torch._utils", "_rebuild_tensor_v2", h);
  h.call = RebuildTensorV3;
  r->Register("torch._utils", "_rebuild_tensor_v3", h);
  h.call = RebuildQTensor;
  r->Register("torch._utils", "_rebuild_qtensor", h);
  h.call = RebuildParameter;
  r->Register("torch._utils", "_rebuild_parameter", h);
  h.call = RebuildParameterWithState;
  r->Register("torch._utils", "_rebuild_parameter_with_state", h);
  for (absl::string_view inert :
       {"_rebuild_sparse_tensor", "_rebuild_sparse_csr_tensor",
        "_rebuild_meta_tensor_no_storage", "_rebuild_nested_tensor",
        "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy",
        "_rebuild_device_tensor_from_cpu_tensor"}) {
    r->Register("torch._utils", inert, InertFunction());
  }
  h.call = RebuildFromTypeV2;
  r->Register("torch._tensor", "_rebuild_from_type_v2", h);
  r->Register("torch.nn.parameter", "Parameter", Callable(NewParameter));

  // torch.Tensor: a name (_rebuild_from_type_v2's new_type), and the old
  // pickling REDUCE torch.Tensor () + BUILD (storage, offset, size, stride).
  GlobalHandler tensor_class = GlobalHandler::NameOnly();
  tensor_class.call = NewEmptyTensor;
  tensor_class.build = TensorSetState;
  r->Register("torch", "Tensor", tensor_class);
  // Classes that are only names.
  for (absl::string_view module : {"torch", "torch.cuda"}) {
    for (absl::string_view t :
         {"DoubleTensor", "FloatTensor", "HalfTensor", "BFloat16Tensor",
          "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
          "ByteTensor", "BoolTensor"}) {
      r->Register(module, t, name_only);
    }
  }
  // Storage classes of torch's modules only (torch, torch.cuda,
  // torch.storage, ...), as newest PyTorch's weights-only allowlist names
  // them: `os.FloatStorage` is no storage class.
  r->RegisterPattern(
      [](absl::string_view module, absl::string_view name) {
        return IsTorchModule(module) &&
               (StorageClassFromName(name).has_value() || name == "TypedStorage" ||
                name == "_TypedStorage");
      },
      name_only);

  // Values.
  r->Register("torch", "Size", Callable(MakeSize));
  r->Register("torch", "device", Callable(MakeDevice));
  h = GlobalHandler();
  h.call = GetLayout;
  r->Register("torch.serialization", "_get_layout", h);
  for (int code = 0; code < kNumScalarTypes; ++code) {
    ScalarType t = static_cast<ScalarType>(code);
    r->Register("torch", DtypeName(t), GlobalHandler::Constant(Value::Dtype(t)));
  }
  for (absl::string_view q : kQSchemes) {
    r->Register("torch", q,
                GlobalHandler::Constant(Value::Enum(
                    TorchEnum{TorchEnum::Type::kQScheme, std::string(q)})));
  }
  for (absl::string_view m : kMemoryFormats) {
    r->Register("torch", m,
                GlobalHandler::Constant(Value::Enum(
                    TorchEnum{TorchEnum::Type::kMemoryFormat, std::string(m)})));
  }

  // collections, codecs, builtins.
  r->Register("collections", "OrderedDict", Callable(MakeOrderedDict));
  r->Register("collections", "Counter", Callable(MakeCounter));
  h = GlobalHandler();
  h.call = CodecsEncode;
  r->Register("_codecs", "encode", h);
  r->Register("builtins", "set", Callable(MakeSet));
  r->Register("builtins", "frozenset", Callable(MakeFrozenSet));
  r->Register("builtins", "bytearray", Callable(MakeByteArray));
  r->Register("builtins", "bytes", Callable(MakeBytes));
  r->Register("builtins", "complex", Callable(MakeComplex));
  return r;
}

}  // namespace

const GlobalRegistry& TorchGlobals() {
  static const GlobalRegistry* registry = BuildTorchGlobals();
  return *registry;
}

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

bool IsKnownTorchEnum(TorchEnum::Type type, absl::string_view name) {
  auto contains = [name](absl::Span<const absl::string_view> names) {
    for (absl::string_view n : names) {
      if (n == name) return true;
    }
    return false;
  };
  switch (type) {
    case TorchEnum::Type::kLayout:
      return contains(kLayouts);
    case TorchEnum::Type::kQScheme:
      return contains(kQSchemes);
    case TorchEnum::Type::kMemoryFormat:
      return contains(kMemoryFormats);
  }
  return false;
}

}  // namespace ptser
