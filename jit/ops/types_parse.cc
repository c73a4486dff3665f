// Copyright ptser authors.
//
// jit/ops/types_parse.cc — the two type parsers of types.h: annotation
// syntax (ParseAnnotation, AnnotationFromExpr) and schema syntax
// (ParseSchemaType, ops_internal::ParseSchemaTypeAt).

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
  // One or more types separated by commas (a tuple's items, Dict's or
  // Future's arguments), appended to `out`; stops before what follows them.
  absl::Status ParseTypeList(std::vector<TypePtr>* out) {
    while (true) {
      absl::StatusOr<ops_internal::AnnotatedSchemaType> item = Parse();
      if (!item.ok()) return item.status();
      out->push_back(item->type);
      if (Peek() != ',') return absl::OkStatus();
      ++pos_;
    }
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
        absl::Status listed = ParseTypeList(&items);
        if (!listed.ok()) return listed;
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
      absl::Status listed = ParseTypeList(&args);
      if (!listed.ok()) return listed;
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

// ---------------------------------------------------------- parsing ---

absl::StatusOr<TypePtr> ParseAnnotation(absl::string_view text) {
  return AnnotationParser(text).ParseAll();
}

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

}  // namespace ops_internal

}  // namespace jit
}  // namespace ptser
