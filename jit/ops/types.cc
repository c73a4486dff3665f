// Copyright ptser authors.
//
// jit/ops/types.cc — TorchScript types: factories, printing, the two
// parsers (annotation syntax, schema syntax) and matching values to types.

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

// A type with a spelling of its own that behaves as `kind`: schema syntax's
// `SymInt` is an int, `AnyEnumType` and `AnyClassType` are Any.
TypePtr Spelled(Type::Kind kind, absl::string_view spelling) {
  return std::make_shared<const Type>(kind, std::vector<TypePtr>{}, std::string(spelling), -1);
}

// Builtin type names shared by both syntaxes (annotation names first).
TypePtr BuiltinTypeByName(absl::string_view name, bool schema_syntax) {
  using K = Type::Kind;
  struct Entry {
    absl::string_view name;
    K kind;
  };
  static constexpr Entry kEntries[] = {
      {"Tensor", K::kTensor},        {"int", K::kInt},
      {"float", K::kFloat},          {"bool", K::kBool},
      {"str", K::kStr},              {"complex", K::kComplex},
      {"number", K::kNumber},        {"Scalar", K::kNumber},
      {"NoneType", K::kNone},        {"Any", K::kAny},
      {"Device", K::kDevice},        {"ScalarType", K::kScalarType},
      {"Layout", K::kLayout},        {"MemoryFormat", K::kMemoryFormat},
      {"QScheme", K::kQScheme},      {"Generator", K::kGenerator},
      {"Storage", K::kStorage},      {"Dimname", K::kDimname},
  };
  for (const Entry& e : kEntries) {
    if (e.name == name) return Type::Get(e.kind);
  }
  if (name == "SymInt") return Spelled(K::kInt, "SymInt");
  // Any class instance / any enum member: class types with reserved names
  // (MatchType knows them).
  if (name == "AnyEnumType" || name == "AnyClassType") return Type::Class(std::string(name));
  if (name == "AnyTupleType" || name == "AnyListType") return Spelled(K::kAny, name);
  if (!schema_syntax) {
    if (name == "None") return Type::Get(K::kNone);
    if (name == "torch.Tensor") return Type::Get(K::kTensor);
    if (name == "torch.device") return Type::Get(K::kDevice);
  }
  return nullptr;
}

std::string JoinTypes(const std::vector<TypePtr>& types, bool schema_syntax) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += ", ";
    out += schema_syntax ? ops_internal::SchemaTypeStr(*types[i]) : types[i]->Str();
  }
  return out;
}

// ------------------------------------------------- annotation syntax ---

class AnnotationParser {
 public:
  explicit AnnotationParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<TypePtr> ParseAll() {
    absl::StatusOr<TypePtr> t = ParseType();
    if (!t.ok()) return t;
    SkipSpaces();
    if (pos_ != text_.size()) return Error("unexpected text");
    return t;
  }

 private:
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool Eat(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(what, " at column ", pos_ + 1,
                                                   " of the type annotation '", text_, "'"));
  }
  absl::string_view DottedName() {
    SkipSpaces();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
            text_[pos_] == '.')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  absl::StatusOr<TypePtr> ParseType() {
    const size_t start = pos_;
    absl::string_view name = DottedName();
    if (name.empty()) return Error("expected a type name");
    if (absl::StartsWith(name, "typing.")) name.remove_prefix(7);
    std::vector<TypePtr> args;
    bool subscripted = false;
    if (Eat('[')) {
      subscripted = true;
      if (Eat('(')) {  // Tuple[()]
        if (!Eat(')')) return Error("expected ')' of '()'");
      } else {
        do {
          absl::StatusOr<TypePtr> arg = ParseType();
          if (!arg.ok()) return arg;
          args.push_back(*std::move(arg));
        } while (Eat(','));
      }
      if (!Eat(']')) return Error("expected ']'");
    }
    absl::StatusOr<TypePtr> made = Make(name, std::move(args), subscripted);
    if (!made.ok()) {
      pos_ = start;
      return Error(made.status().message());
    }
    return made;
  }

 public:
  // Also used by AnnotationFromExpr.
  static absl::StatusOr<TypePtr> Make(absl::string_view name, std::vector<TypePtr> args,
                                      bool subscripted) {
    auto arity = [&](size_t n) -> absl::Status {
      if (args.size() != n) {
        return absl::InvalidArgumentError(absl::StrCat(name, "[...] takes ", n,
                                                       " type argument(s), got ", args.size()));
      }
      return absl::OkStatus();
    };
    if (subscripted) {
      absl::Status s;
      if (name == "List") {
        if (!(s = arity(1)).ok()) return s;
        return Type::ListOf(args[0]);
      }
      if (name == "Optional") {
        if (!(s = arity(1)).ok()) return s;
        return Type::OptionalOf(args[0]);
      }
      if (name == "Final") {
        if (!(s = arity(1)).ok()) return s;
        return args[0];
      }
      if (name == "Future") {
        if (!(s = arity(1)).ok()) return s;
        return Type::FutureOf(args[0]);
      }
      if (name == "RRef" || name == "Await") {
        if (!(s = arity(1)).ok()) return s;
        return std::make_shared<const Type>(Type::Kind::kClass, std::move(args),
                                            std::string(name), -1);
      }
      if (name == "Dict") {
        if (!(s = arity(2)).ok()) return s;
        return Type::DictOf(args[0], args[1]);
      }
      if (name == "Tuple") return Type::TupleOf(std::move(args));
      if (name == "Union") {
        if (args.empty()) return absl::InvalidArgumentError("Union[] needs a type");
        return Type::UnionOf(std::move(args));
      }
      return absl::InvalidArgumentError(
          absl::StrCat("'", name, "' takes no type arguments"));
    }
    if (TypePtr t = BuiltinTypeByName(name, /*schema_syntax=*/false)) return t;
    if (name == "List" || name == "Dict" || name == "Optional" || name == "Tuple" ||
        name == "Union" || name == "Future" || name == "Final") {
      return absl::InvalidArgumentError(absl::StrCat("'", name, "' needs type arguments"));
    }
    if (name.find('.') != absl::string_view::npos && name.front() != '.' &&
        name.back() != '.') {
      return Type::Class(std::string(name));
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown type name '", name, "'"));
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

// ---------------------------------------------------- schema syntax ---

class SchemaTypeParser {
 public:
  SchemaTypeParser(absl::string_view text, size_t pos) : text_(text), pos_(pos) {}
  size_t pos() const { return pos_; }

  absl::StatusOr<ops_internal::AnnotatedSchemaType> Parse() {
    ops_internal::AnnotatedSchemaType out;
    absl::StatusOr<TypePtr> base = ParseBase();
    if (!base.ok()) return base.status();
    TypePtr type = *std::move(base);
    absl::Status s = MaybeAlias(&out);
    if (!s.ok()) return s;
    while (true) {
      if (Peek() == '[') {
        ++pos_;
        SkipSpaces();
        int n = -1;
        if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
          n = 0;
          while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
            n = n * 10 + (text_[pos_] - '0');
            if (n > 1000000) return Error("list size too large");
            ++pos_;
          }
        }
        if (Peek() != ']') return Error("expected ']'");
        ++pos_;
        type = Type::ListOf(std::move(type), n);
        if (!out.alias.empty() || out.is_write) {
          // `Tensor(a!)[]`: what came before annotates the elements.
          out.alias_on_elements = true;
        }
        s = MaybeAlias(&out);
        if (!s.ok()) return s;
      } else if (Peek() == '?') {
        ++pos_;
        type = Type::OptionalOf(std::move(type));
        s = MaybeAlias(&out);  // `Tensor?(a!)`
        if (!s.ok()) return s;
      } else {
        break;
      }
    }
    out.type = std::move(type);
    return out;
  }

 private:
  char Peek() {
    SkipSpaces();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(what, " at column ", pos_ + 1, " of '", text_,
                                                   "'"));
  }
  absl::string_view Name() {
    SkipSpaces();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
            text_[pos_] == '.')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  // `(a!)`, `(a)`, `(*)`, `(a -> *)`, `(b|a)` after a type.  A `(` that
  // does not start an annotation is left alone (it cannot follow a type in
  // a schema otherwise).
  absl::Status MaybeAlias(ops_internal::AnnotatedSchemaType* out) {
    if (Peek() != '(') return absl::OkStatus();
    const size_t close = text_.find(')', pos_);
    if (close == absl::string_view::npos) return Error("unclosed alias annotation");
    absl::string_view inner = text_.substr(pos_ + 1, close - pos_ - 1);
    for (char c : inner) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '!' || c == '*' ||
            c == '|' || c == ' ' || c == '-' || c == '>')) {
        return Error("bad alias annotation");
      }
    }
    if (!out->alias.empty() || out->is_write) return Error("a second alias annotation");
    pos_ = close + 1;
    bool write = false;
    std::string alias;
    // `a!` or `a! -> *`: the `!` ends the first set.
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '!') {
        write = true;
        continue;
      }
      alias.push_back(inner[i]);
    }
    if (alias.empty()) return Error("empty alias annotation");
    out->alias = std::move(alias);
    out->is_write = write;
    return absl::OkStatus();
  }

  absl::StatusOr<TypePtr> ParseBase() {
    if (Peek() == '(') {  // a tuple
      ++pos_;
      std::vector<TypePtr> items;
      if (Peek() != ')') {
        while (true) {
          absl::StatusOr<ops_internal::AnnotatedSchemaType> item = Parse();
          if (!item.ok()) return item.status();
          items.push_back(item->type);
          if (Peek() == ',') {
            ++pos_;
            continue;
          }
          break;
        }
      }
      if (Peek() != ')') return Error("expected ')' closing a tuple type");
      ++pos_;
      return Type::TupleOf(std::move(items));
    }
    const size_t start = pos_;
    absl::string_view name = Name();
    if (name.empty()) return Error("expected a type");
    if (name == "Dict" || name == "Future" || name == "RRef" || name == "Await") {
      if (Peek() != '(') return Error(absl::StrCat("expected '(' after ", name));
      ++pos_;
      std::vector<TypePtr> args;
      while (true) {
        absl::StatusOr<ops_internal::AnnotatedSchemaType> arg = Parse();
        if (!arg.ok()) return arg.status();
        args.push_back(arg->type);
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        break;
      }
      if (Peek() != ')') return Error("expected ')'");
      ++pos_;
      const size_t want = name == "Dict" ? 2 : 1;
      if (args.size() != want) {
        pos_ = start;
        return Error(absl::StrCat(name, " takes ", want, " type(s)"));
      }
      if (name == "Dict") return Type::DictOf(args[0], args[1]);
      if (name == "Future") return Type::FutureOf(args[0]);
      return std::make_shared<const Type>(Type::Kind::kClass, std::move(args), std::string(name),
                                          -1);
    }
    if (TypePtr t = BuiltinTypeByName(name, /*schema_syntax=*/true)) return t;
    if (name.find('.') != absl::string_view::npos) return Type::Class(std::string(name));
    if (name == "Stream" || name == "ConstQuantizerPtr" || name == "Capsule") {
      return Type::Class(std::string(name));
    }
    // Type variables: `t`, `t1`, `tVal`, ...
    if (std::islower(static_cast<unsigned char>(name[0]))) return Type::Var(std::string(name));
    pos_ = start;
    return Error(absl::StrCat("unknown type '", name, "'"));
  }

  absl::string_view text_;
  size_t pos_;
};

// ---------------------------------------------------------- matching ---

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

// ---------------------------------------------------------- parsing ---

absl::StatusOr<TypePtr> ParseAnnotation(absl::string_view text) {
  return AnnotationParser(text).ParseAll();
}

namespace {

// `a.b.c` of Name/Attribute chains; false for anything else.
bool DottedNameOf(const script::Expr& e, std::string* out) {
  if (e.kind == script::Expr::Kind::kName) {
    *out = e.name;
    return true;
  }
  if (e.kind == script::Expr::Kind::kAttribute && e.object != nullptr) {
    if (!DottedNameOf(*e.object, out)) return false;
    absl::StrAppend(out, ".", e.name);
    return true;
  }
  return false;
}

std::string Where(const script::SourceLocation& loc) {
  return absl::StrCat(loc.record ? *loc.record : std::string("<unknown>"), ":", loc.line, ":",
                      loc.column);
}

}  // namespace

absl::StatusOr<TypePtr> AnnotationFromExpr(const script::Expr& expr) {
  using EK = script::Expr::Kind;
  auto fail = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(Where(expr.loc), ": ", what));
  };
  switch (expr.kind) {
    case EK::kNone:
      return Type::Get(Type::Kind::kNone);
    case EK::kString: {
      absl::StatusOr<TypePtr> t = ParseAnnotation(expr.string_value);
      if (!t.ok()) return fail(t.status().message());
      return t;
    }
    case EK::kName:
    case EK::kAttribute: {
      std::string name;
      if (!DottedNameOf(expr, &name)) return fail("expected a type annotation");
      absl::string_view n = name;
      if (absl::StartsWith(n, "typing.")) n.remove_prefix(7);
      absl::StatusOr<TypePtr> t = AnnotationParser::Make(n, {}, /*subscripted=*/false);
      if (!t.ok()) return fail(t.status().message());
      return t;
    }
    case EK::kSubscript: {
      std::string name;
      if (expr.object == nullptr || !DottedNameOf(*expr.object, &name) ||
          expr.elements.empty() || expr.elements[0] == nullptr) {
        return fail("expected a type annotation such as List[int]");
      }
      absl::string_view n = name;
      if (absl::StartsWith(n, "typing.")) n.remove_prefix(7);
      std::vector<TypePtr> args;
      const script::Expr& index = *expr.elements[0];
      if (index.kind == EK::kTuple) {  // Dict[str, int]; Tuple[()] is an empty tuple
        for (const script::ExprPtr& e : index.elements) {
          absl::StatusOr<TypePtr> arg = AnnotationFromExpr(*e);
          if (!arg.ok()) return arg;
          args.push_back(*std::move(arg));
        }
      } else {
        absl::StatusOr<TypePtr> arg = AnnotationFromExpr(index);
        if (!arg.ok()) return arg;
        args.push_back(*std::move(arg));
      }
      absl::StatusOr<TypePtr> t = AnnotationParser::Make(n, std::move(args), true);
      if (!t.ok()) return fail(t.status().message());
      return t;
    }
    default:
      return fail("expected a type annotation");
  }
}

absl::StatusOr<TypePtr> ParseSchemaType(absl::string_view text) {
  size_t pos = 0;
  absl::StatusOr<ops_internal::AnnotatedSchemaType> t =
      ops_internal::ParseSchemaTypeAt(text, &pos);
  if (!t.ok()) return t.status();
  while (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos != text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected text at column ", pos + 1, " of the schema type '", text, "'"));
  }
  return t->type;
}

namespace ops_internal {

absl::StatusOr<AnnotatedSchemaType> ParseSchemaTypeAt(absl::string_view text, size_t* pos) {
  SchemaTypeParser parser(text, *pos);
  absl::StatusOr<AnnotatedSchemaType> t = parser.Parse();
  if (t.ok()) *pos = parser.pos();
  return t;
}

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
