// Copyright ptser authors.
//
// jit/ops/internal/schema_type.h — the schema-syntax type parser and
// printer shared by jit/ops/types.cc (ParseSchemaType) and
// jit/ops/registry.cc (ParseSchema, FunctionSchema::Str).  Logically
// private to jit/ops.
//
// Schema syntax (PyTorch's schema_type_parser.cpp) writes a type with its
// alias annotation in one of two places for lists:
//
//   Tensor(a!)      alias "a", written through
//   Tensor(a!)[]    the annotation is on the list's elements
//   t[](a!)         the annotation is on the list itself
//   Tensor(a!)?     the optional's annotation (also read as `Tensor?(a!)`)
//   t(b -> *)       alias "b -> *" (the value escapes into a wildcard set)
//   Tensor(a|b)     alias "a|b"
#ifndef PTSER_JIT_OPS_INTERNAL_SCHEMA_TYPE_H_
#define PTSER_JIT_OPS_INTERNAL_SCHEMA_TYPE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jit/ops/types.h"

namespace ptser {
namespace jit {
namespace ops_internal {

struct AnnotatedSchemaType {
  TypePtr type;
  std::string alias;               // "" when none; without the `!`
  bool is_write = false;           // `!`
  bool alias_on_elements = false;  // `Tensor(a!)[]`
};

// Parses one type in schema syntax starting at text[*pos] (leading spaces
// skipped); on success *pos is just past it.  InvalidArgumentError naming
// the column (0-based offset into `text`).
absl::StatusOr<AnnotatedSchemaType> ParseSchemaTypeAt(absl::string_view text, size_t* pos);

// The type in schema syntax, as PyTorch prints a schema ("int[]",
// "Tensor?", "Dict(str, t)", "(int, int)", "Scalar").  `fixed_size` lists
// print their size ("int[2]").  Alias annotations are the caller's
// business.
std::string SchemaTypeStr(const Type& type);

// A double as c10 prints it (schema defaults, TorchScript's str()): an
// integral value within int64 as that int and a "." ("3.", "0.", also for
// -0.0, "10000000000000000."); anything else with 17 significant digits
// ("0.10000000000000001", "1e+19", "inf", "nan").
std::string ScriptFloatStr(double d);

}  // namespace ops_internal
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_INTERNAL_SCHEMA_TYPE_H_
