// Copyright ptser authors.
//
// jit/ops/types_match.cc — matching values to types (MatchType) and the
// conversions a match allows (ConvertToType).

#include "jit/ops/types.h"

#include <array>
#include <cctype>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "jit/ops/internal/schema_type.h"
#include "tensor/cast.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace jit {

namespace {

bool IsIntLike(Type::Kind kind) {
  return kind == Type::Kind::kInt || kind == Type::Kind::kScalarType ||
         kind == Type::Kind::kLayout || kind == Type::Kind::kMemoryFormat ||
         kind == Type::Kind::kQScheme;
}

// The int code of a torch enum global (c10's enum values).
std::optional<int64_t> EnumCode(const TorchEnum& e) {
  static constexpr absl::string_view kLayouts[] = {
      "strided", "sparse_coo", "sparse_csr", "_mkldnn", "sparse_csc", "sparse_bsr", "sparse_bsc"};
  static constexpr absl::string_view kMemoryFormats[] = {
      "contiguous_format", "preserve_format", "channels_last", "channels_last_3d"};
  static constexpr absl::string_view kQSchemes[] = {
      "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
      "per_channel_affine_float_qparams"};
  absl::Span<const absl::string_view> names;
  switch (e.type) {
    case TorchEnum::Type::kLayout:
      names = kLayouts;
      break;
    case TorchEnum::Type::kMemoryFormat:
      names = kMemoryFormats;
      break;
    case TorchEnum::Type::kQScheme:
      names = kQSchemes;
      break;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == e.name) return static_cast<int64_t>(i);
  }
  if (e.type == TorchEnum::Type::kLayout && e.name == "mkldnn") return 3;
  return std::nullopt;
}

TypeMatch Worse(TypeMatch a, TypeMatch b) {
  if (a == TypeMatch::kNo || b == TypeMatch::kNo) return TypeMatch::kNo;
  if (a == TypeMatch::kConvertible || b == TypeMatch::kConvertible) {
    return TypeMatch::kConvertible;
  }
  return TypeMatch::kExact;
}

bool IsZeroDimTensor(const Value& v) { return v.is_tensor() && v.tensor().dim() == 0; }

TypeMatch MatchElements(absl::Span<const Value> items, const Type& element) {
  const Type::Kind k = element.kind();
  if (k == Type::Kind::kAny || k == Type::Kind::kVar) return TypeMatch::kExact;
  TypeMatch out = TypeMatch::kExact;
  for (const Value& item : items) {
    // A list holds its own element type: no conversion of items.
    if (MatchType(item, element) != TypeMatch::kExact) return TypeMatch::kNo;
  }
  return out;
}

std::string Quoted(const Value& v) { return v.Repr(Value::kMessageReprChars); }

absl::StatusOr<Value> TensorToNumber(const Tensor& t, Type::Kind want) {
  if (t.dim() != 0) {
    return absl::InvalidArgumentError(
        "Cannot input a tensor of dimension other than 0 as a scalar argument");
  }
  absl::StatusOr<Scalar> s = GetElement(t, {});
  if (!s.ok()) return s.status();
  switch (want) {
    case Type::Kind::kFloat:
      if (IsComplex(t.dtype())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Cannot input a tensor of type ", DtypeName(t.dtype()), " as a float argument"));
      }
      return Value::Float(s->to_double());
    case Type::Kind::kComplex:
      return Value::Complex(s->to_complex());
    case Type::Kind::kNumber:
      if (s->is_bool()) return Value::Bool(s->to_bool());
      if (s->is_integral()) return Value::Int(s->to_int64());
      if (s->is_complex()) return Value::Complex(s->to_complex());
      return Value::Float(s->to_double());
    default:  // int-like
      if (!IsIntegral(t.dtype(), /*include_bool=*/true)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Cannot input a tensor of type ", DtypeName(t.dtype()), " as an integral argument"));
      }
      return Value::Int(s->to_int64());
  }
}

}  // namespace

// ---------------------------------------------------------- matching ---

std::string ClassNameOf(const Value& value) {
  if (value.is_object()) return value.object().callee().FullName();
  if (value.is_opaque()) return value.opaque().TypeName();
  return std::string();
}

TypeMatch MatchType(const Value& value, const Type& type) {
  using K = Type::Kind;
  using VK = Value::Kind;
  const VK vk = value.kind();
  switch (type.kind()) {
    case K::kAny:
    case K::kVar:
      return TypeMatch::kExact;
    case K::kTensor:
      return vk == VK::kTensor ? TypeMatch::kExact : TypeMatch::kNo;
    case K::kInt:
    case K::kScalarType:
    case K::kLayout:
    case K::kMemoryFormat:
    case K::kQScheme:
      if (vk == VK::kInt || vk == VK::kDtype || vk == VK::kEnum) return TypeMatch::kExact;
      if (vk == VK::kBool || IsZeroDimTensor(value)) return TypeMatch::kConvertible;
      return TypeMatch::kNo;
    case K::kFloat:
      if (vk == VK::kFloat) return TypeMatch::kExact;
      if (vk == VK::kInt || vk == VK::kBool || IsZeroDimTensor(value)) {
        return TypeMatch::kConvertible;
      }
      return TypeMatch::kNo;
    case K::kComplex:
      if (vk == VK::kComplex) return TypeMatch::kExact;
      if (vk == VK::kInt || vk == VK::kFloat || vk == VK::kBool || IsZeroDimTensor(value)) {
        return TypeMatch::kConvertible;
      }
      return TypeMatch::kNo;
    case K::kBool:
      return vk == VK::kBool ? TypeMatch::kExact : TypeMatch::kNo;
    case K::kStr:
      return vk == VK::kStr ? TypeMatch::kExact : TypeMatch::kNo;
    case K::kNumber:
      if (vk == VK::kInt || vk == VK::kFloat || vk == VK::kBool || vk == VK::kComplex) {
        return TypeMatch::kExact;
      }
      return IsZeroDimTensor(value) ? TypeMatch::kConvertible : TypeMatch::kNo;
    case K::kNone:
      return vk == VK::kNone ? TypeMatch::kExact : TypeMatch::kNo;
    case K::kDevice:
      if (vk == VK::kDevice) return TypeMatch::kExact;
      return vk == VK::kStr ? TypeMatch::kConvertible : TypeMatch::kNo;
    case K::kGenerator:
      return vk == VK::kOpaque && value.opaque().TypeName() == "Generator" ? TypeMatch::kExact
                                                                             : TypeMatch::kNo;
    case K::kStorage:
      return vk == VK::kStorage ? TypeMatch::kExact : TypeMatch::kNo;
    case K::kDimname:
      return TypeMatch::kNo;  // named tensors are not modelled
    case K::kList: {
      const Type& element = *type.contained()[0];
      if (vk == VK::kList) return MatchElements(value.list().items(), element);
      if (vk == VK::kSize) {
        return IsIntLike(element.kind()) || element.kind() == K::kAny ||
                       element.kind() == K::kVar
                   ? TypeMatch::kExact
                   : TypeMatch::kNo;
      }
      if (vk == VK::kTuple) {
        for (const Value& item : value.tuple()) {
          if (MatchType(item, element) == TypeMatch::kNo) return TypeMatch::kNo;
        }
        return TypeMatch::kConvertible;
      }
      if (type.fixed_size() >= 0 &&
          ((vk == VK::kInt && element.kind() == K::kInt) ||
           (vk == VK::kFloat && element.kind() == K::kFloat))) {
        return TypeMatch::kConvertible;
      }
      return TypeMatch::kNo;
    }
    case K::kTuple: {
      if (vk != VK::kTuple) return TypeMatch::kNo;
      const Value::Tuple& t = value.tuple();
      if (t.size() != type.contained().size()) return TypeMatch::kNo;
      TypeMatch out = TypeMatch::kExact;
      for (size_t i = 0; i < t.size(); ++i) {
        out = Worse(out, MatchType(t[i], *type.contained()[i]));
        if (out == TypeMatch::kNo) return out;
      }
      return out;
    }
    case K::kDict: {
      if (vk != VK::kDict) return TypeMatch::kNo;
      // TorchScript dicts are homogeneous: the first item speaks for all
      // (checking every item would make each d[k] linear in the dict).
      const Value::Dict& d = value.dict();
      if (d.empty()) return TypeMatch::kExact;
      const Value::Dict::Item& first = d.items()[0];
      if (MatchType(first.key, *type.contained()[0]) != TypeMatch::kExact ||
          MatchType(first.value, *type.contained()[1]) != TypeMatch::kExact) {
        return TypeMatch::kNo;
      }
      return TypeMatch::kExact;
    }
    case K::kOptional:
      if (vk == VK::kNone) return TypeMatch::kExact;
      return MatchType(value, *type.contained()[0]);
    case K::kUnion: {
      TypeMatch best = TypeMatch::kNo;
      for (const TypePtr& alt : type.contained()) {
        const TypeMatch m = MatchType(value, *alt);
        if (m == TypeMatch::kExact) return m;
        if (m == TypeMatch::kConvertible) best = m;
      }
      return best;
    }
    case K::kFuture:
      return vk == VK::kOpaque && absl::StartsWith(value.opaque().TypeName(), "Future")
                 ? TypeMatch::kExact
                 : TypeMatch::kNo;
    case K::kClass:
      if (type.name() == "AnyEnumType") {
        return vk == VK::kObject || vk == VK::kOpaque ? TypeMatch::kExact : TypeMatch::kNo;
      }
      if (vk == VK::kObject || vk == VK::kOpaque) {
        // An interface accepts any script object (the interpreter checks
        // the methods when it calls them).
        return TypeMatch::kExact;
      }
      if (vk == VK::kTuple) return TypeMatch::kExact;  // a NamedTuple
      if (vk == VK::kInt || vk == VK::kFloat || vk == VK::kStr) {
        // An enum member travels as its value only when the interpreter
        // says so; a plain value is not a class instance.
        return TypeMatch::kNo;
      }
      return TypeMatch::kNo;
  }
  return TypeMatch::kNo;
}

absl::StatusOr<Value> ConvertToType(const Value& value, const Type& type) {
  using K = Type::Kind;
  using VK = Value::Kind;
  const TypeMatch m = MatchType(value, type);
  if (m == TypeMatch::kNo) {
    return absl::InvalidArgumentError(absl::StrCat("expected a value of type ", type.Str(),
                                                   ", got ", value.TypeName(), " ",
                                                   Quoted(value)));
  }
  switch (type.kind()) {
    case K::kInt:
    case K::kScalarType:
    case K::kLayout:
    case K::kMemoryFormat:
    case K::kQScheme:
      switch (value.kind()) {
        case VK::kInt:
          return value;
        case VK::kDtype:
          return Value::Int(static_cast<int64_t>(value.dtype()));
        case VK::kEnum: {
          std::optional<int64_t> code = EnumCode(value.enum_value());
          if (!code) {
            return absl::InvalidArgumentError(
                absl::StrCat("no int code for ", value.enum_value().Repr()));
          }
          return Value::Int(*code);
        }
        case VK::kBool:
          return Value::Int(value.as_bool() ? 1 : 0);
        case VK::kTensor:
          return TensorToNumber(value.tensor(), K::kInt);
        default:
          break;
      }
      break;
    case K::kFloat:
      if (value.is_int()) return Value::Float(static_cast<double>(value.as_int()));
      if (value.is_bool()) return Value::Float(value.as_bool() ? 1.0 : 0.0);
      if (value.is_tensor()) return TensorToNumber(value.tensor(), K::kFloat);
      break;
    case K::kComplex:
      if (value.is_int()) return Value::Complex({static_cast<double>(value.as_int()), 0.0});
      if (value.is_float()) return Value::Complex({value.as_float(), 0.0});
      if (value.is_bool()) return Value::Complex({value.as_bool() ? 1.0 : 0.0, 0.0});
      if (value.is_tensor()) return TensorToNumber(value.tensor(), K::kComplex);
      break;
    case K::kNumber:
      if (value.is_tensor()) return TensorToNumber(value.tensor(), K::kNumber);
      break;
    case K::kDevice:
      if (value.is_str()) {
        absl::StatusOr<Device> d = Device::Parse(value.as_string());
        if (!d.ok()) return d.status();
        return Value::FromDevice(*d);
      }
      break;
    case K::kList: {
      const Type& element = *type.contained()[0];
      if (value.is_size()) {
        std::vector<Value> items;
        items.reserve(value.size().size());
        for (int64_t s : value.size()) items.push_back(Value::Int(s));
        return Value::NewList(std::move(items));
      }
      if (value.is_tuple()) {
        std::vector<Value> items;
        items.reserve(value.tuple().size());
        for (const Value& item : value.tuple()) {
          absl::StatusOr<Value> c = ConvertToType(item, element);
          if (!c.ok()) return c.status();
          items.push_back(*std::move(c));
        }
        return Value::NewList(std::move(items));
      }
      if ((value.is_int() || value.is_float()) && type.fixed_size() >= 0) {
        return Value::NewList(std::vector<Value>(static_cast<size_t>(type.fixed_size()), value));
      }
      break;
    }
    case K::kTuple:
      if (m == TypeMatch::kConvertible) {
        const Value::Tuple& t = value.tuple();
        std::vector<Value> items;
        items.reserve(t.size());
        for (size_t i = 0; i < t.size(); ++i) {
          absl::StatusOr<Value> c = ConvertToType(t[i], *type.contained()[i]);
          if (!c.ok()) return c.status();
          items.push_back(*std::move(c));
        }
        return Value::NewTuple(std::move(items));
      }
      break;
    case K::kOptional:
      if (value.is_none()) return value;
      return ConvertToType(value, *type.contained()[0]);
    case K::kUnion: {
      for (const TypePtr& alt : type.contained()) {
        if (MatchType(value, *alt) == TypeMatch::kExact) return ConvertToType(value, *alt);
      }
      for (const TypePtr& alt : type.contained()) {
        if (MatchType(value, *alt) == TypeMatch::kConvertible) return ConvertToType(value, *alt);
      }
      break;
    }
    default:
      break;
  }
  return value;
}

}  // namespace jit
}  // namespace ptser
