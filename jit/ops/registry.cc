// Copyright ptser authors.
//
// jit/ops/registry.cc — schema parsing and printing, argument binding and
// overload resolution.

#include "jit/ops/registry.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "jit/ops/internal/schema_type.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace jit {
namespace {

// ------------------------------------------------------------ printing ---

// c10::printQuotedString.
std::string QuotedStr(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
          out += c;
        } else {
          absl::StrAppendFormat(&out, "\\%03o", static_cast<unsigned char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

std::string DefaultStr(const Value& v, const Type& type) {
  switch (v.kind()) {
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return v.as_bool() ? "True" : "False";
    case Value::Kind::kInt:
      return absl::StrCat(v.as_int());
    case Value::Kind::kFloat:
      return ops_internal::ScriptFloatStr(v.as_float());
    case Value::Kind::kStr:
      return QuotedStr(v.as_string());
    case Value::Kind::kList: {
      const std::vector<Value>& items = v.list().items();
      const Type* list = &type;
      if (list->kind() == Type::Kind::kOptional) list = list->contained()[0].get();
      // `int[2] stride=1`: native_functions.yaml writes a list of equal
      // ints as the one int.
      if (list->kind() == Type::Kind::kList && list->fixed_size() > 1 &&
          items.size() == static_cast<size_t>(list->fixed_size()) && items[0].is_int() &&
          std::all_of(items.begin(), items.end(), [&](const Value& x) {
            return x.is_int() && x.as_int() == items[0].as_int();
          })) {
        return absl::StrCat(items[0].as_int());
      }
      std::string out = "[";
      const Type& element = list->kind() == Type::Kind::kList ? *list->contained()[0] : type;
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += DefaultStr(items[i], element);
      }
      return out + "]";
    }
    default:
      return v.Repr(Value::kMessageReprChars);
  }
}

std::string AliasStr(const Argument& a) {
  std::string alias = a.alias;
  if (a.is_write) {
    const size_t arrow = alias.find(" -> ");
    if (arrow == std::string::npos) {
      alias += "!";
    } else {
      alias.insert(arrow, "!");
    }
  }
  return absl::StrCat("(", alias, ")");
}

std::string ArgumentStr(const Argument& a, bool with_name) {
  const bool annotated = !a.alias.empty();
  const Type* t = a.type.get();
  const bool optional = t->kind() == Type::Kind::kOptional;
  if (optional) t = t->contained()[0].get();
  std::string out;
  if (t->kind() == Type::Kind::kList) {
    out = ops_internal::SchemaTypeStr(*t->contained()[0]);
    if (annotated && a.alias_on_elements) out += AliasStr(a);
    absl::StrAppend(&out, "[", t->fixed_size() >= 0 ? absl::StrCat(t->fixed_size()) : "", "]");
    if (annotated && !a.alias_on_elements) out += AliasStr(a);
  } else {
    out = ops_internal::SchemaTypeStr(*t);
    if (annotated) out += AliasStr(a);
  }
  if (optional) out += "?";
  if (with_name && !a.name.empty()) absl::StrAppend(&out, " ", a.name);
  if (a.default_value.has_value()) absl::StrAppend(&out, "=", DefaultStr(*a.default_value, *a.type));
  return out;
}

// ------------------------------------------------------------- parsing ---

class SchemaParser {
 public:
  explicit SchemaParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<FunctionSchema> Parse() {
    FunctionSchema schema;
    SkipSpaces();
    // name: `ns::op` (or a bare `op`), then `.overload`.
    const size_t start = pos_;
    while (pos_ < text_.size() && (IsIdent(text_[pos_]) || text_[pos_] == ':')) ++pos_;
    schema.name = std::string(text_.substr(start, pos_ - start));
    if (schema.name.empty()) return Error("expected an operator name");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      const size_t o = pos_;
      while (pos_ < text_.size() && IsIdent(text_[pos_])) ++pos_;
      schema.overload = std::string(text_.substr(o, pos_ - o));
      if (schema.overload.empty()) return Error("expected an overload name after '.'");
    }
    if (!Eat('(')) return Error("expected '('");
    bool kwarg_only = false;
    if (!Eat(')')) {
      while (true) {
        if (Eat('*')) {
          if (kwarg_only) return Error("a second '*'");
          kwarg_only = true;
        } else if (EatText("...")) {
          schema.is_vararg = true;
        } else {
          if (schema.is_vararg) return Error("an argument after '...'");
          absl::StatusOr<Argument> arg = ParseArgument(/*is_return=*/false);
          if (!arg.ok()) return arg.status();
          arg->kwarg_only = kwarg_only;
          schema.arguments.push_back(*std::move(arg));
        }
        if (Eat(',')) continue;
        if (Eat(')')) break;
        return Error("expected ',' or ')' in the arguments");
      }
    }
    SkipSpaces();
    if (pos_ == text_.size()) return schema;  // no `->`: no returns
    if (!EatText("->")) return Error("expected '->'");
    if (EatText("...")) {
      schema.is_varret = true;
    } else if (Peek() == '(' && !LooksLikeAliasedTypeAfterParen()) {
      ++pos_;
      if (!Eat(')')) {
        while (true) {
          if (EatText("...")) {
            schema.is_varret = true;
          } else {
            absl::StatusOr<Argument> ret = ParseArgument(/*is_return=*/true);
            if (!ret.ok()) return ret.status();
            schema.returns.push_back(*std::move(ret));
          }
          if (Eat(',')) continue;
          if (Eat(')')) break;
          return Error("expected ',' or ')' in the returns");
        }
      }
    } else {
      absl::StatusOr<Argument> ret = ParseArgument(/*is_return=*/true);
      if (!ret.ok()) return ret.status();
      schema.returns.push_back(*std::move(ret));
    }
    SkipSpaces();
    if (pos_ != text_.size()) return Error("unexpected text after the schema");
    return schema;
  }

 private:
  static bool IsIdent(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  char Peek() {
    SkipSpaces();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool Eat(char c) {
    if (Peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatText(absl::string_view s) {
    SkipSpaces();
    if (absl::StartsWith(text_.substr(pos_), s)) {
      pos_ += s.size();
      return true;
    }
    return false;
  }
  // A return list `(` is never followed by a type's own `(`; a tuple
  // return type `((int, int))` is.  Nothing to look ahead for: always a
  // list of returns.
  bool LooksLikeAliasedTypeAfterParen() const { return false; }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("schema '", text_, "': ", what, " at column ", pos_ + 1));
  }

  absl::StatusOr<Argument> ParseArgument(bool is_return) {
    Argument arg;
    SkipSpaces();
    absl::StatusOr<ops_internal::AnnotatedSchemaType> t =
        ops_internal::ParseSchemaTypeAt(text_, &pos_);
    if (!t.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("schema '", text_, "': ",
                                                     t.status().message()));
    }
    arg.type = t->type;
    arg.alias = std::move(t->alias);
    arg.is_write = t->is_write;
    arg.alias_on_elements = t->alias_on_elements;
    SkipSpaces();
    const size_t n = pos_;
    while (pos_ < text_.size() && IsIdent(text_[pos_])) ++pos_;
    arg.name = std::string(text_.substr(n, pos_ - n));
    if (arg.name.empty() && !is_return) return Error("expected an argument name");
    if (!is_return && Eat('=')) {
      absl::StatusOr<Value> d = ParseDefault(*arg.type);
      if (!d.ok()) return d.status();
      arg.default_value = *std::move(d);
    }
    return arg;
  }

  // The text of one default value: up to the ',' or ')' that ends it.
  absl::StatusOr<absl::string_view> DefaultText() {
    SkipSpaces();
    const size_t start = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"' || c == '\'') {
        ++pos_;
        while (pos_ < text_.size() && text_[pos_] != c) {
          if (text_[pos_] == '\\') ++pos_;
          ++pos_;
        }
        if (pos_ >= text_.size()) return Error("unterminated string default");
        ++pos_;
        continue;
      }
      if (c == '[' || c == '(') ++depth;
      if (c == ']' || c == ')') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++pos_;
    }
    absl::string_view s = text_.substr(start, pos_ - start);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return Error("expected a default value");
    return s;
  }

  absl::StatusOr<Value> ParseDefault(const Type& type) {
    const size_t at = pos_;
    absl::StatusOr<absl::string_view> text = DefaultText();
    if (!text.ok()) return text.status();
    absl::StatusOr<Value> v = DefaultValue(*text, type);
    if (!v.ok()) {
      pos_ = at;
      return Error(v.status().message());
    }
    return v;
  }

  // One default, converted to `type` as PyTorch's parser does (an int for
  // a float argument is a float; one int for `int[2]` is a list).
  static absl::StatusOr<Value> DefaultValue(absl::string_view s, const Type& type) {
    const Type* t = &type;
    if (s == "None") return Value::None();
    if (t->kind() == Type::Kind::kOptional) t = t->contained()[0].get();
    if (s.front() == '[') {
      if (s.back() != ']') return absl::InvalidArgumentError("bad list default");
      const Type& element =
          t->kind() == Type::Kind::kList ? *t->contained()[0] : *Type::Get(Type::Kind::kAny);
      std::vector<Value> items;
      absl::string_view inner = s.substr(1, s.size() - 2);
      while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
      if (!inner.empty()) {
        for (absl::string_view piece : absl::StrSplit(inner, ',')) {
          while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
          while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
          if (piece.empty()) return absl::InvalidArgumentError("empty list item");
          absl::StatusOr<Value> item = DefaultValue(piece, element);
          if (!item.ok()) return item;
          items.push_back(*std::move(item));
        }
      }
      return Value::NewList(std::move(items));
    }
    if (t->kind() == Type::Kind::kList) {
      // `int[2] stride=1`: N copies.
      absl::StatusOr<Value> one = DefaultValue(s, *t->contained()[0]);
      if (!one.ok()) return one;
      const size_t n = t->fixed_size() > 0 ? static_cast<size_t>(t->fixed_size()) : 1;
      return Value::NewList(std::vector<Value>(n, *one));
    }
    if (s == "True") return Value::Bool(true);
    if (s == "False") return Value::Bool(false);
    if (s.front() == '"' || s.front() == '\'') {
      if (s.size() < 2 || s.back() != s.front()) {
        return absl::InvalidArgumentError("bad string default");
      }
      std::string out;
      for (size_t i = 1; i + 1 < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && i + 2 < s.size()) {
          c = s[++i];
          switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'f': c = '\f'; break;
            case 'v': c = '\v'; break;
            case 'r': c = '\r'; break;
            case 'a': c = '\a'; break;
            case 'b': c = '\b'; break;
            default: break;  // \\ \" \'
          }
        }
        out.push_back(c);
      }
      return Value::Str(std::move(out));
    }
    // Numbers.
    const bool is_float_text =
        s.find_first_of(".eE") != absl::string_view::npos || s == "inf" || s == "-inf" ||
        s == "nan";
    if (std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '-' ||
        s.front() == '+' || s == "inf" || s == "nan") {
      std::string str(s);
      if (is_float_text) {
        char* end = nullptr;
        const double d = std::strtod(str.c_str(), &end);
        if (end != str.c_str() + str.size()) {
          return absl::InvalidArgumentError(absl::StrCat("bad number '", s, "'"));
        }
        if (t->kind() == Type::Kind::kComplex) return Value::Complex({d, 0.0});
        return Value::Float(d);
      }
      char* end = nullptr;
      errno = 0;
      const long long i = std::strtoll(str.c_str(), &end, 10);
      if (end != str.c_str() + str.size() || errno != 0) {
        return absl::InvalidArgumentError(absl::StrCat("bad number '", s, "'"));
      }
      if (t->kind() == Type::Kind::kFloat) return Value::Float(static_cast<double>(i));
      if (t->kind() == Type::Kind::kComplex) return Value::Complex({static_cast<double>(i), 0.0});
      return Value::Int(i);
    }
    // Names of enum-like ints: dtypes, layouts, memory formats, reductions.
    static constexpr struct {
      absl::string_view name;
      int64_t value;
    } kNames[] = {
        {"contiguous_format", 0}, {"preserve_format", 1}, {"channels_last", 2},
        {"channels_last_3d", 3},  {"strided", 0},          {"sparse_coo", 1},
        {"Mean", 1},              {"Sum", 2},              {"per_tensor_affine", 0},
    };
    for (const auto& n : kNames) {
      if (n.name == s) return Value::Int(n.value);
    }
    absl::StatusOr<ScalarType> dtype = ScalarTypeFromDtypeName(s);
    if (dtype.ok()) return Value::Int(static_cast<int64_t>(*dtype));
    return absl::InvalidArgumentError(absl::StrCat("unknown default value '", s, "'"));
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

// --------------------------------------------------------------- binding ---

// Why a Bind failed, kept small so that Resolve's failed tries build no
// text; the message is made only when every overload failed.
struct BindFailure {
  enum class Why : uint8_t {
    kNone,
    kTooManyPositional,
    kMissing,
    kTypeMismatch,
    kConversion,
    kUnknownKeyword,
    kDuplicate,
  };
  Why why = Why::kNone;
  size_t index = 0;  // the argument (or keyword, for kUnknownKeyword)
  absl::Status conversion;
};

// dtypes, enums and torch.Size match int/int[] exactly but ops read them
// as ints and lists: the bound argument is the int/list.
bool NeedsNormalizing(const Value& v) {
  const Value::Kind k = v.kind();
  return k == Value::Kind::kDtype || k == Value::Kind::kEnum || k == Value::Kind::kSize;
}

bool TypeWantsNormalized(const Type& type) {
  switch (type.kind()) {
    case Type::Kind::kInt:
    case Type::Kind::kScalarType:
    case Type::Kind::kLayout:
    case Type::Kind::kMemoryFormat:
    case Type::Kind::kQScheme:
    case Type::Kind::kList:
      return true;
    case Type::Kind::kOptional:
      return TypeWantsNormalized(*type.contained()[0]);
    default:
      return false;
  }
}

bool BindImpl(const Operator& op, absl::Span<const Value> positional,
              absl::Span<const std::string> keyword_names, absl::Span<const Value> keyword_values,
              bool allow_conversions, std::vector<Value>* args, BindFailure* failure) {
  const FunctionSchema& schema = op.schema;
  const std::vector<Argument>& params = schema.arguments;
  args->clear();
  args->reserve(params.size() + (schema.is_vararg ? positional.size() : 0));
  size_t positional_params = 0;
  while (positional_params < params.size() && !params[positional_params].kwarg_only) {
    ++positional_params;
  }
  if (positional.size() > positional_params && !schema.is_vararg) {
    failure->why = BindFailure::Why::kTooManyPositional;
    failure->index = positional_params;
    return false;
  }
  size_t keywords_used = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const Argument& param = params[i];
    const Value* v = nullptr;
    if (i < positional_params && i < positional.size()) {
      v = &positional[i];
      for (const std::string& k : keyword_names) {
        if (k == param.name) {
          failure->why = BindFailure::Why::kDuplicate;
          failure->index = i;
          return false;
        }
      }
    } else {
      for (size_t k = 0; k < keyword_names.size(); ++k) {
        if (keyword_names[k] == param.name) {
          v = &keyword_values[k];
          ++keywords_used;
          break;
        }
      }
      if (v == nullptr) {
        if (!param.default_value.has_value()) {
          failure->why = BindFailure::Why::kMissing;
          failure->index = i;
          return false;
        }
        v = &*param.default_value;
      }
    }
    const TypeMatch m = MatchType(*v, *param.type);
    if (m == TypeMatch::kExact) {
      if (NeedsNormalizing(*v) && TypeWantsNormalized(*param.type)) {
        absl::StatusOr<Value> c = ConvertToType(*v, *param.type);
        if (!c.ok()) {
          failure->why = BindFailure::Why::kConversion;
          failure->index = i;
          failure->conversion = c.status();
          return false;
        }
        args->push_back(*std::move(c));
      } else {
        args->push_back(*v);
      }
    } else if (m == TypeMatch::kConvertible && allow_conversions) {
      absl::StatusOr<Value> c = ConvertToType(*v, *param.type);
      if (!c.ok()) {
        failure->why = BindFailure::Why::kConversion;
        failure->index = i;
        failure->conversion = c.status();
        return false;
      }
      args->push_back(*std::move(c));
    } else {
      failure->why = BindFailure::Why::kTypeMismatch;
      failure->index = i;
      return false;
    }
  }
  if (keywords_used != keyword_names.size()) {
    for (size_t k = 0; k < keyword_names.size(); ++k) {
      bool known = false;
      for (size_t i = positional.size(); i < params.size(); ++i) {
        if (params[i].name == keyword_names[k]) known = true;
      }
      if (!known) {
        failure->why = BindFailure::Why::kUnknownKeyword;
        failure->index = k;
        return false;
      }
    }
  }
  if (schema.is_vararg) {
    for (size_t i = params.size(); i < positional.size(); ++i) args->push_back(positional[i]);
  }
  return true;
}

// "argument 'other' expects Tensor, got str" (without the operator name).
std::string FailureText(const Operator& op, absl::Span<const Value> positional,
                        absl::Span<const std::string> keyword_names,
                        absl::Span<const Value> keyword_values, const BindFailure& f) {
  const std::vector<Argument>& params = op.schema.arguments;
  switch (f.why) {
    case BindFailure::Why::kTooManyPositional:
      return absl::StrCat("expected at most ", f.index, " positional argument(s), got ",
                          positional.size());
    case BindFailure::Why::kMissing:
      return absl::StrCat("missing argument '", params[f.index].name, "'");
    case BindFailure::Why::kDuplicate:
      return absl::StrCat("argument '", params[f.index].name,
                          "' given by position and by name");
    case BindFailure::Why::kUnknownKeyword:
      return absl::StrCat("unexpected keyword argument '", keyword_names[f.index], "'");
    case BindFailure::Why::kTypeMismatch:
    case BindFailure::Why::kConversion: {
      const Argument& param = params[f.index];
      const Value* v = nullptr;
      if (f.index < positional.size() && !param.kwarg_only) {
        v = &positional[f.index];
      } else {
        for (size_t k = 0; k < keyword_names.size(); ++k) {
          if (keyword_names[k] == param.name) v = &keyword_values[k];
        }
        if (v == nullptr && param.default_value.has_value()) v = &*param.default_value;
      }
      std::string out = absl::StrCat("argument '", param.name, "' expects ", param.type->Str(),
                                     ", got ", v ? v->TypeName() : "nothing");
      if (f.why == BindFailure::Why::kConversion) {
        absl::StrAppend(&out, " (", f.conversion.message(), ")");
      }
      return out;
    }
    case BindFailure::Why::kNone:
      break;
  }
  return "no failure";
}

}  // namespace

// -------------------------------------------------------- FunctionSchema ---

std::string FunctionSchema::QualifiedName() const {
  return overload.empty() ? name : absl::StrCat(name, ".", overload);
}

std::string FunctionSchema::Str() const {
  std::string out = QualifiedName();
  out += "(";
  bool seen_kwarg_only = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (i) out += ", ";
    if (arguments[i].kwarg_only && !seen_kwarg_only) {
      seen_kwarg_only = true;
      out += "*, ";
    }
    out += ArgumentStr(arguments[i], /*with_name=*/true);
  }
  if (is_vararg) out += arguments.empty() ? "..." : ", ...";
  out += ") -> ";
  bool bare = (returns.size() == 1 && !is_varret) || (returns.empty() && is_varret);
  std::vector<std::string> rets;
  for (const Argument& r : returns) rets.push_back(ArgumentStr(r, /*with_name=*/true));
  // One return that prints with a "(" (a tuple, `(str, t)[]`) keeps its
  // parentheses, or it would read as several returns.
  if (bare && rets.size() == 1 && !rets[0].empty() && rets[0][0] == '(') bare = false;
  if (!bare) out += "(";
  out += absl::StrJoin(rets, ", ");
  if (is_varret) out += returns.empty() ? "..." : ", ...";
  if (!bare) out += ")";
  return out;
}

absl::StatusOr<FunctionSchema> ParseSchema(absl::string_view text) {
  return SchemaParser(text).Parse();
}

// ------------------------------------------------------------- OpContext ---

absl::Status OpContext::CheckAlloc(int64_t bytes, absl::string_view what) const {
  if (bytes >= 0 && bytes <= max_alloc_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(what, " would allocate ", bytes, " bytes, over the memory limit of ",
                   max_alloc_bytes, " bytes for one result (InterpreterOptions::max_alloc_bytes)"));
}

absl::Status OpContext::CheckAllocItems(uint64_t count, size_t item_bytes,
                                        absl::string_view what) const {
  constexpr uint64_t kSaturated = uint64_t{1} << 62;
  const uint64_t bytes =
      item_bytes != 0 && count > kSaturated / item_bytes ? kSaturated : count * item_bytes;
  return CheckAlloc(static_cast<int64_t>(bytes), what);
}

// ------------------------------------------------------ OperatorRegistry ---

absl::Status OperatorRegistry::Register(absl::string_view schema_text, OpFn fn) {
  absl::StatusOr<FunctionSchema> schema = ParseSchema(schema_text);
  if (!schema.ok()) return schema.status();
  std::string qualified = schema->QualifiedName();
  if (by_qualified_name_.contains(qualified)) {
    return absl::AlreadyExistsError(
        absl::StrCat("operator ", qualified, " is registered twice"));
  }
  auto op = std::make_unique<Operator>();
  op->schema = *std::move(schema);
  op->fn = std::move(fn);
  by_qualified_name_[qualified] = op.get();
  by_name_[op->schema.name].push_back(std::move(op));
  ++count_;
  return absl::OkStatus();
}

const std::vector<std::unique_ptr<Operator>>* OperatorRegistry::Overloads(
    absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

const Operator* OperatorRegistry::Find(absl::string_view qualified_name) const {
  auto it = by_qualified_name_.find(qualified_name);
  return it == by_qualified_name_.end() ? nullptr : it->second;
}

absl::Status OperatorRegistry::Bind(const Operator& op, absl::Span<const Value> positional,
                                    absl::Span<const std::string> keyword_names,
                                    absl::Span<const Value> keyword_values,
                                    bool allow_conversions, std::vector<Value>* args) {
  BindFailure failure;
  if (BindImpl(op, positional, keyword_names, keyword_values, allow_conversions, args,
               &failure)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(op.schema.QualifiedName(), ": ",
                   FailureText(op, positional, keyword_names, keyword_values, failure)));
}

absl::StatusOr<const Operator*> OperatorRegistry::Resolve(
    absl::string_view name, absl::Span<const Value> positional,
    absl::Span<const std::string> keyword_names, absl::Span<const Value> keyword_values,
    std::vector<Value>* args) const {
  const std::vector<std::unique_ptr<Operator>>* overloads = Overloads(name);
  if (overloads == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown operator ", name));
  }
  BindFailure failure;
  for (const bool conversions : {false, true}) {
    for (const std::unique_ptr<Operator>& op : *overloads) {
      if (BindImpl(*op, positional, keyword_names, keyword_values, conversions, args,
                   &failure)) {
        return op.get();
      }
    }
  }
  // Nothing matched: say why for each overload (with conversions allowed).
  std::vector<std::string> types;
  for (const Value& v : positional) types.push_back(v.TypeName());
  for (size_t k = 0; k < keyword_names.size(); ++k) {
    types.push_back(absl::StrCat(keyword_names[k], "=", keyword_values[k].TypeName()));
  }
  std::string message;
  if (overloads->size() == 1) {
    const Operator& op = *(*overloads)[0];
    BindImpl(op, positional, keyword_names, keyword_values, true, args, &failure);
    message = absl::StrCat(op.schema.QualifiedName(), ": ",
                           FailureText(op, positional, keyword_names, keyword_values, failure));
  } else {
    message = absl::StrCat("no overload of ", name, " matches the arguments (",
                           absl::StrJoin(types, ", "), "):");
    for (const std::unique_ptr<Operator>& op : *overloads) {
      BindImpl(*op, positional, keyword_names, keyword_values, true, args, &failure);
      absl::StrAppend(&message, "\n  ", op->schema.QualifiedName(), ": ",
                      FailureText(*op, positional, keyword_names, keyword_values, failure));
    }
  }
  args->clear();
  return absl::InvalidArgumentError(message);
}

std::vector<std::string> OperatorRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(by_name_.size());
  for (const auto& entry : by_name_) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace jit
}  // namespace ptser
