// Copyright ptser authors.
//
// jit/ops/internal/op_util.h — what the operator families share: a table
// of (schema, function) pairs to register, Python-style errors, and
// reading bound arguments.  Logically private to jit/ops.
//
// Arguments reach an operator bound and converted (jit/ops/registry.h):
// an `int` argument is a Value::Int (dtypes and enums arrive as their
// ints, a torch.Size as a list), a `float` a Value::Float, a `Scalar` an
// int, float, bool or complex, an `int[]` a list of ints.
#ifndef PTSER_JIT_OPS_INTERNAL_OP_UTIL_H_
#define PTSER_JIT_OPS_INTERNAL_OP_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "jit/ops/internal/schema_type.h"  // ScriptFloatStr
#include "jit/ops/registry.h"
#include "pickle/value.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace ops_internal {

struct OpDef {
  std::string schema;
  OpFn fn;
};

// Registers each in order; the first failure names the schema.
absl::Status RegisterAll(OperatorRegistry& registry, std::vector<OpDef> defs);

// A Python exception raised by an operator: the Status message is
// "<exception>: <message>" (jit/ops/registry.h).  RuntimeError messages
// carry no prefix (the interpreter's default).
inline absl::Status IndexError(absl::string_view message) {
  return absl::OutOfRangeError(absl::StrCat("IndexError: ", message));
}
inline absl::Status KeyError(absl::string_view message) {
  return absl::NotFoundError(absl::StrCat("KeyError: ", message));
}
inline absl::Status ValueError(absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("ValueError: ", message));
}
inline absl::Status ZeroDivisionError(absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("ZeroDivisionError: ", message));
}
inline absl::Status RuntimeError(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// Numbers as Scalars and back (bool stays bool).
Scalar ToScalar(const Value& v);
Value FromScalar(const Scalar& s);
// int or float (or bool) as a double.
double ToDouble(const Value& v);

// An `int[]` argument (a list of ints).
std::vector<int64_t> IntList(const Value& v);
// An `int[]?` argument: nullopt for None.
std::optional<std::vector<int64_t>> OptionalIntList(const Value& v);
// A `ScalarType?` argument: nullopt for None; an unknown code is an error.
absl::StatusOr<std::optional<ScalarType>> OptionalDtype(const Value& v);

// Wraps a tensor result.
inline absl::StatusOr<Value> TensorResult(absl::StatusOr<Tensor> t) {
  if (!t.ok()) return t.status();
  return Value::FromTensor(*std::move(t));
}

// TorchScript's str() of a value (c10's IValue printing): strings bare,
// lists "[1, 2]" with strings unquoted, dicts "{a: 1}", tuples "(1, a)",
// None "None", devices "cpu", tensors as libtorch prints them.  Nesting
// deeper than 1000 prints "...", and so does everything after the first
// kMaxScriptStrBytes: a list that shares its parts (`x = [x, x]` thirty
// times) would otherwise print 2^30 of them.
inline constexpr size_t kMaxScriptStrBytes = size_t{64} << 20;
std::string ScriptStr(const Value& v);

}  // namespace ops_internal
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_INTERNAL_OP_UTIL_H_
