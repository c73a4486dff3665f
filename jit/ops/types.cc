// Copyright ptser authors.
//
// jit/ops/types.cc — TorchScript types: factories and printing (both
// syntaxes).  The two parsers are in types_parse.cc, matching values to
// types in types_match.cc.

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

constexpr int kNumKinds = static_cast<int>(Type::Kind::kVar) + 1;

// The shared instances of the kinds without parameters.
const std::array<TypePtr, kNumKinds>& SharedTypes() {
  static const auto* types = [] {
    using K = Type::Kind;
    auto* out = new std::array<TypePtr, kNumKinds>();
    for (int k = 0; k < kNumKinds; ++k) {
      (*out)[k] = std::make_shared<const Type>(static_cast<K>(k), std::vector<TypePtr>{},
                                               std::string(), -1);
    }
    // The parametric kinds get Any parameters (List[Any], Dict[Any, Any],
    // Optional[Any], Future[Any]); Tuple is Tuple[()], a Var is `t`.
    const TypePtr any = (*out)[static_cast<int>(K::kAny)];
    auto with = [&](K kind, std::vector<TypePtr> contained, std::string name = "") {
      (*out)[static_cast<int>(kind)] =
          std::make_shared<const Type>(kind, std::move(contained), std::move(name), -1);
    };
    with(K::kList, {any});
    with(K::kDict, {any, any});
    with(K::kOptional, {any});
    with(K::kFuture, {any});
    with(K::kUnion, {any});
    with(K::kClass, {}, "object");
    with(K::kVar, {}, "t");
    return out;
  }();
  return *types;
}

std::string JoinTypes(const std::vector<TypePtr>& types, bool schema_syntax) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += ", ";
    out += schema_syntax ? ops_internal::SchemaTypeStr(*types[i]) : types[i]->Str();
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------- Type ---

TypePtr Type::Get(Kind kind) { return SharedTypes()[static_cast<int>(kind)]; }

TypePtr Type::ListOf(TypePtr element, int fixed_size) {
  return std::make_shared<const Type>(Kind::kList, std::vector<TypePtr>{std::move(element)},
                                      std::string(), fixed_size);
}
TypePtr Type::TupleOf(std::vector<TypePtr> items) {
  return std::make_shared<const Type>(Kind::kTuple, std::move(items), std::string(), -1);
}
TypePtr Type::DictOf(TypePtr key, TypePtr value) {
  return std::make_shared<const Type>(
      Kind::kDict, std::vector<TypePtr>{std::move(key), std::move(value)}, std::string(), -1);
}
TypePtr Type::OptionalOf(TypePtr element) {
  return std::make_shared<const Type>(Kind::kOptional, std::vector<TypePtr>{std::move(element)},
                                      std::string(), -1);
}
TypePtr Type::UnionOf(std::vector<TypePtr> alternatives) {
  return std::make_shared<const Type>(Kind::kUnion, std::move(alternatives), std::string(), -1);
}
TypePtr Type::FutureOf(TypePtr element) {
  return std::make_shared<const Type>(Kind::kFuture, std::vector<TypePtr>{std::move(element)},
                                      std::string(), -1);
}
TypePtr Type::Class(std::string qualified_name) {
  return std::make_shared<const Type>(Kind::kClass, std::vector<TypePtr>{},
                                      std::move(qualified_name), -1);
}
TypePtr Type::Var(std::string name) {
  return std::make_shared<const Type>(Kind::kVar, std::vector<TypePtr>{}, std::move(name), -1);
}

std::string Type::Str() const {
  switch (kind_) {
    case Kind::kAny:
      return name_.empty() ? "Any" : name_;
    case Kind::kTensor:
      return "Tensor";
    case Kind::kInt:
      return name_.empty() ? "int" : name_;
    case Kind::kFloat:
      return "float";
    case Kind::kBool:
      return "bool";
    case Kind::kStr:
      return "str";
    case Kind::kComplex:
      return "complex";
    case Kind::kNumber:
      return "number";
    case Kind::kNone:
      return "NoneType";
    case Kind::kDevice:
      return "Device";
    case Kind::kScalarType:
    case Kind::kLayout:
    case Kind::kMemoryFormat:
    case Kind::kQScheme:
      return "int";  // the printer writes these as int
    case Kind::kGenerator:
      return "Generator";
    case Kind::kStorage:
      return "Storage";
    case Kind::kDimname:
      return "Dimname";
    case Kind::kList:
      return absl::StrCat("List[", contained_[0]->Str(), "]");
    case Kind::kTuple:
      if (contained_.empty()) return "Tuple[()]";
      return absl::StrCat("Tuple[", JoinTypes(contained_, false), "]");
    case Kind::kDict:
      return absl::StrCat("Dict[", contained_[0]->Str(), ", ", contained_[1]->Str(), "]");
    case Kind::kOptional:
      return absl::StrCat("Optional[", contained_[0]->Str(), "]");
    case Kind::kUnion:
      return absl::StrCat("Union[", JoinTypes(contained_, false), "]");
    case Kind::kFuture:
      return absl::StrCat("Future[", contained_[0]->Str(), "]");
    case Kind::kClass:
      if (contained_.empty()) return name_;
      return absl::StrCat(name_, "[", JoinTypes(contained_, false), "]");
    case Kind::kVar:
      return name_;
  }
  return "?";
}

namespace ops_internal {

std::string ScriptFloatStr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) {
    return absl::StrCat(static_cast<int64_t>(d), ".");
  }
  return absl::StrFormat("%.17g", d);
}

std::string SchemaTypeStr(const Type& type) {
  using K = Type::Kind;
  switch (type.kind()) {
    case K::kNumber:
      return "Scalar";
    case K::kScalarType:
      return "ScalarType";
    case K::kLayout:
      return "Layout";
    case K::kMemoryFormat:
      return "MemoryFormat";
    case K::kQScheme:
      return "QScheme";
    case K::kList:
      return absl::StrCat(SchemaTypeStr(*type.contained()[0]), "[",
                          type.fixed_size() >= 0 ? absl::StrCat(type.fixed_size()) : "", "]");
    case K::kOptional:
      return absl::StrCat(SchemaTypeStr(*type.contained()[0]), "?");
    case K::kDict:
      return absl::StrCat("Dict(", SchemaTypeStr(*type.contained()[0]), ", ",
                          SchemaTypeStr(*type.contained()[1]), ")");
    case K::kTuple:
      return absl::StrCat("(", JoinTypes(type.contained(), true), ")");
    case K::kFuture:
      return absl::StrCat("Future(", SchemaTypeStr(*type.contained()[0]), ")");
    case K::kUnion:
      return absl::StrCat("Union(", JoinTypes(type.contained(), true), ")");
    case K::kClass:
      if (type.contained().empty()) return type.name();
      return absl::StrCat(type.name(), "(", JoinTypes(type.contained(), true), ")");
    default:
      return type.Str();
  }
}

}  // namespace ops_internal

}  // namespace jit
}  // namespace ptser
