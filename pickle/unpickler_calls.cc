// Copyright ptser authors.
//
// The Unpickler's calls and parsed scalars: globals resolved through the
// registry (never imported), REDUCE/NEWOBJ/INST/OBJ calls into handlers,
// BUILD, persistent ids, and the values with a parser of their own (INT and
// LONG text, LONG1/LONG4 bytes, Python 2 strings).

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/big_int.h"
#include "pickle/internal/python_text.h"
#include "pickle/internal/unpickler_impl.h"
#include "pickle/opcodes.h"

namespace ptser {

namespace op = pickle_op;

namespace {

using unpickler_internal::kDictBytes;
using unpickler_internal::kHeapBlockBytes;
using unpickler_internal::kKeyIndexBytes;
using unpickler_internal::kListBytes;
using unpickler_internal::kSetBytes;
using unpickler_internal::kSlotBytes;
using unpickler_internal::kStringBytes;
using unpickler_internal::kTupleBytes;
using unpickler_internal::kVectorBytes;

// A GlobalRef's two names, as copied into a new global or object.
uint64_t GlobalNameBytes(const GlobalRef& ref) {
  return kHeapBlockBytes + 2 * kStringBytes + ref.module.size() + ref.name.size();
}

// The bytes a global's handler allocated for its result, shallowly (the
// items a new container holds are shared, not copied): a str, bytes or
// bytearray's payload and object, a container's object and item slots.
uint64_t AllocatedBytes(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kStr:
    case Value::Kind::kBytes:
      return kStringBytes + v.as_string().size();
    case Value::Kind::kByteArray:
      return kStringBytes + v.bytearray().size();
    case Value::Kind::kList:
      return kListBytes + v.list().size() * kSlotBytes;
    case Value::Kind::kTuple:
      return kTupleBytes + v.tuple().size() * kSlotBytes;
    case Value::Kind::kDict:
      return kDictBytes + v.dict().size() * (2 * kSlotBytes + kKeyIndexBytes);
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
      return kSetBytes + v.set().size() * (kSlotBytes + kKeyIndexBytes);
    case Value::Kind::kSize:
      return kVectorBytes + v.size().size() * sizeof(int64_t);
    case Value::Kind::kTensor:
      // The tensor and its sizes and strides (copied from the arguments).
      return sizeof(Tensor) + kHeapBlockBytes +
             2 * (kVectorBytes + static_cast<uint64_t>(v.tensor().dim()) * sizeof(int64_t));
    case Value::Kind::kObject:
      // An inert object copies the global's names (what it holds beside
      // them, args and state, is shared).
      return sizeof(Value::Object) + kHeapBlockBytes + GlobalNameBytes(v.object().callee());
    case Value::Kind::kGlobal:
      return GlobalNameBytes(v.global());
    default:
      return 0;
  }
}

}  // namespace

absl::Status Unpickler::Impl::PushPython2String(absl::string_view raw) {
  using P = UnpicklerOptions::Python2Strings;
  switch (options_.python2_strings) {
    case P::kBytes:
      return Push(Value::Bytes(std::string(raw)));
    case P::kLatin1: {
      std::string utf8 = pickle_internal::Latin1ToUtf8(raw);
      PTSER_RETURN_IF_ERROR(Charge(utf8.size()));
      return Push(Value::Str(std::move(utf8)));
    }
    case P::kAscii:
      for (char c : raw) {
        if (static_cast<uint8_t>(c) >= 0x80) {
          return Corrupt(
              "Python 2 string is not ASCII (set UnpicklerOptions::"
              "python2_strings to kLatin1 or kBytes)");
        }
      }
      return Push(Value::Str(std::string(raw)));
    case P::kUtf8:
      if (!pickle_internal::IsValidUtf8(raw)) {
        return Corrupt(
            "Python 2 string is not valid UTF-8 (set UnpicklerOptions::"
            "python2_strings to kLatin1 or kBytes)");
      }
      return Push(Value::Str(std::string(raw)));
  }
  return absl::OkStatus();
}

// INT (base 0 as C's strtol: 0x.., 0.. octal, decimal) and LONG (base 10,
// optional trailing 'L').  Values beyond int64 are exact big ints.
absl::Status Unpickler::Impl::PushInt(absl::string_view text, bool allow_bool,
                                      int base) {
  if (allow_bool && text == "00") return Push(Value::Bool(false));
  if (allow_bool && text == "01") return Push(Value::Bool(true));
  absl::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (base == 0) {
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
      base = 8;
      s.remove_prefix(1);
    } else {
      base = 10;
    }
  }
  if (s.empty()) {
    return Corrupt(absl::StrCat("invalid integer literal '",
                                absl::CEscape(text), "'"));
  }
  // Accumulate the magnitude in unsigned 64 bits.
  uint64_t magnitude = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  bool overflow = false;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      d = 99;
    }
    if (d >= base) {
      return Corrupt(absl::StrCat("invalid integer literal '",
                                  absl::CEscape(text), "'"));
    }
    if (!overflow) {
      if (magnitude > (limit - d) / base) {
        overflow = true;
      } else {
        magnitude = magnitude * base + d;
      }
    }
  }
  if (overflow) {
    // Beyond int64: an exact big int, its text limited as Python's int()
    // limits it (4300 digits), so that converting it cannot take long.
    PTSER_RETURN_IF_ERROR(Charge(s.size()));
    absl::StatusOr<BigInt> big = BigInt::FromText(negative ? absl::StrCat("-", s) : std::string(s),
                                                  base);
    if (!big.ok()) return Error(big.status().code(), big.status().message());
    return Push(Value::Integer(*std::move(big)));
  }
  int64_t v = negative ? static_cast<int64_t>(0 - magnitude)
                       : static_cast<int64_t>(magnitude);
  return Push(Value::Int(v));
}

// LONG1/LONG4 payload: little-endian two's complement.
absl::Status Unpickler::Impl::PushLongBytes(const uint8_t* p, uint64_t n) {
  if (n == 0) return Push(Value::Int(0));
  const bool negative = (p[n - 1] & 0x80) != 0;
  // Bytes beyond the eighth must only sign-extend for an int64; otherwise
  // the value is an exact big int (its bytes are charged as a payload).
  bool fits = n <= 8 || ((p[7] & 0x80) != 0) == negative;
  for (uint64_t i = 8; fits && i < n; ++i) fits = p[i] == (negative ? 0xff : 0x00);
  if (!fits) {
    PTSER_RETURN_IF_ERROR(Charge(n));
    return Push(Value::Integer(BigInt::FromTwosComplement(
        absl::string_view(reinterpret_cast<const char*>(p), n))));
  }
  const size_t m = static_cast<size_t>(std::min<uint64_t>(n, 8));
  uint64_t x = LoadLE(p, m);
  if (negative && m < 8) x |= ~uint64_t{0} << (8 * m);  // sign-extended
  return Push(Value::Int(static_cast<int64_t>(x)));
}

absl::StatusOr<Value> Unpickler::Impl::ResolveGlobal(std::string module,
                                                     std::string name) {
  if (!pickle_internal::IsValidUtf8(module) ||
      !pickle_internal::IsValidUtf8(name)) {
    return Corrupt("global name is not valid UTF-8");
  }
  GlobalRef ref = MapLegacyGlobalName(GlobalRef{module, name});
  const GlobalHandler* handler = registry_->Find(ref.module, ref.name);
  if (handler != nullptr) {
    if (handler->value.has_value()) return *handler->value;
    // A new global holds copies of its names: STACK_GLOBAL on memoized
    // strings makes one per opcode.
    PTSER_RETURN_IF_ERROR(Charge(GlobalNameBytes(ref)));
    return Value::Global(ref.module, ref.name);
  }
  if (options_.unknown_globals == UnpicklerOptions::UnknownGlobals::kKeepInert) {
    PTSER_RETURN_IF_ERROR(Charge(GlobalNameBytes(ref)));
    return Value::Global(ref.module, ref.name);
  }
  std::string shown = absl::StrCat(module, ".", name);
  std::string mapped = ref.FullName();
  return absl::PermissionDeniedError(absl::StrCat(
      "refusing global '", shown, "' at offset ", Offset(), " (",
      op::OpcodeName(op_), ")",
      mapped != shown ? absl::StrCat(" (read as '", mapped, "')") : "",
      ": not an allowed global", kRefusedGlobalHint));
}

absl::Status Unpickler::Impl::CallGlobal(const Value& callable,
                                         const Value* args,
                                         absl::Span<const Value> items,
                                         uint32_t depth,
                                         Value::Object::Construction how,
                                         Value kwargs) {
  const char* verb = how == Value::Object::Construction::kCall
                         ? "call"
                         : "create an instance of";
  if (!callable.is_global()) {
    return Invalid(absl::StrCat("cannot ", verb, " a ", callable.TypeName(),
                                " (only globals can be called)"));
  }
  const GlobalRef& ref = callable.global();
  PTSER_ASSIGN_OR_RETURN(const GlobalHandler* handler, FindHandler(callable));
  Value result;
  if (handler == nullptr) {
    // Only reachable with UnknownGlobals::kKeepInert.
    result = Value::FromObject(std::make_shared<Value::Object>(
        ref, how, args != nullptr ? *args : Value::NewTuple({items.begin(), items.end()}),
        std::move(kwargs)));
  } else {
    const GlobalCallFn* fn = &handler->call;
    if (how != Value::Object::Construction::kCall && handler->new_object) {
      fn = &handler->new_object;
    }
    if (!*fn) {
      return Invalid(absl::StrCat("cannot ", verb, " '", ref.FullName(),
                                  "': it is registered as a name only"));
    }
    CallContext ctx(*registry_, ref, Offset(), std::move(kwargs));
    absl::StatusOr<Value> r =
        (*fn)(ctx, args != nullptr ? absl::Span<const Value>(args->tuple().items()) : items);
    if (!r.ok()) return Wrap(r.status());
    result = *std::move(r);
  }
  // What the handler allocated counts against max_total_bytes like any
  // opcode's allocation: bytes(big), OrderedDict(huge dict) or
  // _codecs.encode, called a thousand times on one memoized argument, copy
  // it a thousand times.
  PTSER_RETURN_IF_ERROR(Charge(AllocatedBytes(result)));
  const bool container = result.is_list() || result.is_tuple() ||
                         result.is_dict() || result.is_set() ||
                         result.is_frozenset() || result.is_object();
  uint32_t d = container ? depth + 1 : 0;
  PTSER_RETURN_IF_ERROR(CheckDepth(d));
  return Push(std::move(result), d, /*owned=*/container);
}

absl::Status Unpickler::Impl::Build() {
  Slot state;
  PTSER_RETURN_IF_ERROR(Pop(&state));
  Slot* target = nullptr;
  PTSER_RETURN_IF_ERROR(Top(&target));
  PTSER_RETURN_IF_ERROR(CheckDepth(std::max(target->depth, state.depth + 1)));
  target->depth = std::max(target->depth, state.depth + 1);
  PTSER_RETURN_IF_ERROR(NoteMutated(*target));
  Value& obj = target->value;
  // Python's BUILD without __setstate__: a dict state updates __dict__.
  auto merge = [](const Value& old_state, Value new_state) -> Value {
    if (old_state.is_dict() && new_state.is_dict()) {
      for (const Value::Dict::Item& item : new_state.dict().items()) {
        // Keys of an existing dict state were hashable; ignore failures.
        old_state.dict().SetItem(item.key, item.value).IgnoreError();
      }
      return old_state;
    }
    return new_state;
  };
  if (obj.is_object()) {
    Value::Object& o = obj.object();
    const GlobalHandler* handler =
        registry_->Find(o.callee().module, o.callee().name);
    if (handler != nullptr && handler->build) {
      // A copy: the hook may replace `obj`, freeing the Object and its name.
      const GlobalRef callee = o.callee();
      CallContext ctx(*registry_, callee, Offset());
      absl::Status s = handler->build(ctx, obj, state.value);
      return s.ok() ? s : Wrap(s);
    }
    o.set_state(o.has_state() ? merge(o.state(), std::move(state.value))
                              : std::move(state.value));
    return absl::OkStatus();
  }
  if (obj.is_dict() && obj.dict().flavor() != Value::Dict::Flavor::kDict) {
    // OrderedDict/Counter instances have a __dict__ (state_dict()._metadata).
    const Value& s = state.value;
    const bool dict_state = s.is_dict();
    const bool slots_state = s.is_tuple() && s.tuple().size() == 2 &&
                             (s.tuple()[0].is_dict() || s.tuple()[0].is_none()) &&
                             (s.tuple()[1].is_dict() || s.tuple()[1].is_none());
    if (!dict_state && !slots_state) {
      return Invalid(absl::StrCat("BUILD state for an ", obj.TypeName(),
                                  " must be a dict or a (dict, dict) tuple, "
                                  "got ",
                                  s.TypeName()));
    }
    Value::Dict& d = obj.dict();
    d.set_state(d.state().is_none() ? std::move(state.value)
                                    : merge(d.state(), std::move(state.value)));
    return absl::OkStatus();
  }
  if (obj.is_tensor()) {
    // A plain tensor made by REDUCE on torch.Tensor: the registry's build
    // hook for torch.Tensor (set_ with the state), if it has one.
    const GlobalRef tensor_class{"torch", "Tensor"};
    const GlobalHandler* handler = registry_->Find(tensor_class.module, tensor_class.name);
    if (handler != nullptr && handler->build && !obj.tensor().is_parameter()) {
      CallContext ctx(*registry_, tensor_class, Offset());
      absl::Status s = handler->build(ctx, obj, state.value);
      return s.ok() ? s : Wrap(s);
    }
    return Error(absl::StatusCode::kUnimplemented,
                 "BUILD on a Parameter (legacy Parameter.__setstate__), or on a "
                 "tensor without a torch.Tensor build handler, is not supported");
  }
  return Invalid(absl::StrCat("cannot BUILD a ", obj.TypeName(),
                              ": only objects, OrderedDicts and registered "
                              "classes take BUILD state"));
}

absl::Status Unpickler::Impl::PersistentLoad(const Value& pid) {
  if (!options_.persistent_load) {
    return Error(absl::StatusCode::kFailedPrecondition,
                 absl::StrCat("the pickle has a persistent id (", pid.Repr(Value::kMessageReprChars),
                              ") but no persistent_load hook was given"));
  }
  absl::StatusOr<Value> v = options_.persistent_load(pid, Offset());
  if (!v.ok()) return Wrap(v.status());
  return Push(*std::move(v), 1);
}

}  // namespace ptser
