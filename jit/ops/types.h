// Copyright ptser authors.
//
// jit/ops/types.h — TorchScript types: what operator schemas
// (`int[2] stride=1`, `Tensor?`, `Dict(str, t)`) and code annotations
// (`List[int]`, `Optional[Tensor]`, `__torch__.Pt`) name, and whether a
// Value is of one (docs/formats/torchscript.md, "The language of code records").
//
// Values carry no static type (lists are not tagged by element type), so
// matching looks at the value: a list matches `List[int]` when every item
// is an int (an empty list matches every list type), None matches
// `Optional[T]`, an int matches `float`'s conversions only where a caller
// asks for conversions (TypeMatch::kConvertible).  dtypes, layouts, memory
// formats and qschemes are ints in TorchScript code and match `int`.
#ifndef PTSER_JIT_OPS_TYPES_H_
#define PTSER_JIT_OPS_TYPES_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jit/script/ast.h"
#include "pickle/value.h"

namespace ptser {
namespace jit {

class Type;
using TypePtr = std::shared_ptr<const Type>;

class Type {
 public:
  enum class Kind : uint8_t {
    kAny,
    kTensor,
    kInt,
    kFloat,
    kBool,
    kStr,
    kComplex,
    kNumber,       // `Scalar` / `number`: int, float, bool or complex
    kNone,         // NoneType
    kDevice,
    kScalarType,   // an int in values
    kLayout,       // an int in values
    kMemoryFormat, // an int in values
    kQScheme,      // an int in values
    kGenerator,
    kStorage,
    kDimname,
    kList,         // contained[0]; fixed_size for `int[2]`
    kTuple,        // contained (empty for `Tuple[()]`)
    kDict,         // contained[0] key, contained[1] value
    kOptional,     // contained[0]
    kUnion,        // contained
    kFuture,       // contained[0]
    kClass,        // name: "__torch__.Pt" (modules, script classes, NamedTuples, enums, interfaces)
    kVar,          // a schema's type variable: name "t", "t1", ...
  };

  Kind kind() const { return kind_; }
  const std::vector<TypePtr>& contained() const { return contained_; }
  const std::string& name() const { return name_; }
  // `int[2]`: 2; -1 otherwise.
  int fixed_size() const { return fixed_size_; }

  // Annotation syntax, as the printer writes it: "List[int]",
  // "Optional[Tensor]", "Dict[str, Tensor]", "Tuple[int, int]",
  // "__torch__.Pt".
  std::string Str() const;

  // The shared instance of a kind without parameters (for List, Dict,
  // Optional, Future, Union: Any parameters; Tuple: Tuple[()]).
  static TypePtr Get(Kind kind);
  static TypePtr ListOf(TypePtr element, int fixed_size = -1);
  static TypePtr TupleOf(std::vector<TypePtr> items);
  static TypePtr DictOf(TypePtr key, TypePtr value);
  static TypePtr OptionalOf(TypePtr element);
  static TypePtr UnionOf(std::vector<TypePtr> alternatives);
  static TypePtr FutureOf(TypePtr element);
  static TypePtr Class(std::string qualified_name);
  static TypePtr Var(std::string name);

  Type(Kind kind, std::vector<TypePtr> contained, std::string name, int fixed_size)
      : kind_(kind), contained_(std::move(contained)), name_(std::move(name)),
        fixed_size_(fixed_size) {}

 private:
  Kind kind_;
  std::vector<TypePtr> contained_;
  std::string name_;
  int fixed_size_;
};

// A type in annotation syntax, as code records and `restore_type_tag`
// strings write it ("Dict[str, List[int]]", "Optional[Tensor]",
// "__torch__.foo.Bar", "Tuple[()]", "Final[int]" gives int).  Names that
// are not builtin types and not dotted are InvalidArgumentError.
absl::StatusOr<TypePtr> ParseAnnotation(absl::string_view text);
// The same from a parsed annotation expression (jit/script/ast.h);
// errors name the expression's location.
absl::StatusOr<TypePtr> AnnotationFromExpr(const script::Expr& expr);

// A type in schema syntax ("int[2]", "Tensor(a!)", "Tensor?[]",
// "Dict(str, t)", "Scalar?", "t").
absl::StatusOr<TypePtr> ParseSchemaType(absl::string_view text);

enum class TypeMatch : uint8_t {
  kNo,
  kExact,
  // Matches after an implicit conversion TorchScript would make when no
  // overload matches exactly: int -> float, a 0-dim Tensor -> int/float/
  // Scalar, a single int -> int[N] (N copies), a tuple of ints -> int[].
  kConvertible,
};

// How `value` matches `type`.  A kClass type matches a value whose
// ClassNameOf is that name (or, for an interface, any script object: the
// interpreter checks the methods when it calls them).
TypeMatch MatchType(const Value& value, const Type& type);

// `value` converted to `type` (after MatchType said kConvertible; a copy of
// `value` when kExact).
absl::StatusOr<Value> ConvertToType(const Value& value, const Type& type);

// The qualified class name of a script object (a Value::Object's callee,
// an OpaqueValue's TypeName()), or "" for other values.
std::string ClassNameOf(const Value& value);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TYPES_H_
