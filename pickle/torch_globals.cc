// Copyright ptser authors.
//
// The table of handlers.  The tensor rebuild functions and the storage
// classes are pickle/tensor_codec.cc's; this file registers them beside the
// other values a checkpoint names.  Nothing is imported or run.

#include "pickle/torch_globals.h"

#include <complex>
#include <memory>
#include <optional>
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
#include "pickle/internal/call_args.h"
#include "pickle/internal/python_text.h"
#include "pickle/tensor_codec.h"
#include "tensor/device.h"

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

// ---- argument helpers (pickle/internal/call_args.h) -------------------------

using pickle_internal::GetDouble;
using pickle_internal::GetInt;
using pickle_internal::GetIntList;
using pickle_internal::GetIterable;
using pickle_internal::InertCall;
using pickle_internal::IsEmptyState;
using pickle_internal::Wrap;

// ---- tensors: the rebuild functions are pickle/tensor_codec.h's --------------

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
