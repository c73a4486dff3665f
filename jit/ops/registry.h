// Copyright ptser authors.
//
// jit/ops/registry.h — the operators TorchScript code calls, keyed by
// schema, and the overload resolution TorchScript does on argument types.
//
// Code calls an operator by name (`torch.add(x, 1)` is "aten::add",
// `ops.prim.NumToTensor(n)` is "prim::NumToTensor"); the name has several
// overloads, each with a schema in PyTorch's syntax:
//
//   aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
//   aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor
//   aten::add.int(int a, int b) -> int
//
// Resolve() picks the overload as TorchScript's schema matching does: the
// overloads in registration order, first without conversions, then with
// them (jit/ops/types.h); positional arguments, then keywords by name,
// then defaults.  A call that matches none is InvalidArgumentError naming
// the operator, each overload and why it failed ("aten::add.Tensor:
// argument 'other' expects Tensor, got str").
//
// An operator is a function of its arguments in schema order (defaults
// filled in, conversions made) returning one Value: None for no return, a
// tuple for several.  Operators raise errors as a Status; a Status whose
// message starts with a Python exception name ("ValueError: ...",
// "RuntimeError: ...") is reported as that exception, one without as a
// RuntimeError (what TorchScript raises for an operator's error).  Codes:
// AbortedError for an exception the code raised itself
// (prim::RaiseException: "ValueError: bad"), OutOfRangeError for
// IndexError, NotFoundError for KeyError, ResourceExhaustedError for an
// allocation over OpContext::max_alloc_bytes, InvalidArgumentError for the
// rest (ValueError, ZeroDivisionError, TypeError and RuntimeErrors).
//
// The operator families register themselves through a Register function
// each (jit/ops/default_registry.cc calls them all); a registry is
// immutable once built and safe to share between threads.
#ifndef PTSER_JIT_OPS_REGISTRY_H_
#define PTSER_JIT_OPS_REGISTRY_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "jit/ops/types.h"
#include "pickle/value.h"

namespace ptser {
namespace jit {

struct Argument {
  std::string name;
  TypePtr type;
  // Parsed from the schema's default ("1", "None", "[0, 0]", "False",
  // "\"none\"", "0.5", "contiguous_format" as its int).  For `int[2] x=1`
  // the default is the list [1, 1].
  std::optional<Value> default_value;
  bool kwarg_only = false;
  // `Tensor(a!)`: the operator writes through this argument.
  bool is_write = false;
  std::string alias;  // "a" of `Tensor(a!)` / `Tensor(a)`, or ""
  // `Tensor(a!)[]` (the elements alias) rather than `t[](a!)` (the list
  // does); only for printing the schema back.  Also: `alias` keeps the
  // rest of an annotation, "a -> *", "b|a", "*".
  bool alias_on_elements = false;
};

struct FunctionSchema {
  std::string name;      // "aten::add"
  std::string overload;  // "Tensor", "" for none
  std::vector<Argument> arguments;
  std::vector<Argument> returns;
  bool is_vararg = false;  // `(...)`
  bool is_varret = false;  // `-> ...`

  // "aten::add.Tensor".
  std::string QualifiedName() const;
  // The schema in PyTorch's syntax.
  std::string Str() const;
};

// Parses a schema in PyTorch's syntax.  InvalidArgumentError with the
// offending column.
absl::StatusOr<FunctionSchema> ParseSchema(absl::string_view text);

// What an operator may use of the interpreter running it.
struct OpContext {
  // The most bytes one operator may allocate for one result (a tensor, a
  // list, a string): a larger request is ResourceExhaustedError naming the
  // operator.  Default: 8 GiB.
  int64_t max_alloc_bytes = int64_t{1} << 33;
  // torch.is_grad_enabled(); ptser computes no gradients either way.
  bool grad_enabled = true;
  // Where `print` writes.  Null: std::cout.
  std::ostream* out = nullptr;

  // ResourceExhaustedError when `bytes` is over max_alloc_bytes (or
  // negative): "<what> would allocate N bytes, over the memory limit of M
  // bytes for one result (InterpreterOptions::max_alloc_bytes)".
  absl::Status CheckAlloc(int64_t bytes, absl::string_view what) const;
  // The same for `count` items of `item_bytes` each, the product saturating
  // rather than wrapping.
  absl::Status CheckAllocItems(uint64_t count, size_t item_bytes, absl::string_view what) const;
};

using OpFn = std::function<absl::StatusOr<Value>(OpContext& ctx, absl::Span<Value> args)>;

struct Operator {
  FunctionSchema schema;
  OpFn fn;
};

class OperatorRegistry {
 public:
  OperatorRegistry() = default;
  OperatorRegistry(const OperatorRegistry&) = delete;
  OperatorRegistry& operator=(const OperatorRegistry&) = delete;

  // Adds an overload.  An unparsable schema, or one whose qualified name
  // (name.overload) is already registered, is an error.
  absl::Status Register(absl::string_view schema, OpFn fn);

  // Every overload of `name` ("aten::add"), in registration order; null
  // when the registry has none.
  const std::vector<std::unique_ptr<Operator>>* Overloads(absl::string_view name) const;
  bool Has(absl::string_view name) const { return Overloads(name) != nullptr; }
  // The overload named "aten::add.Tensor" ("aten::len" for no overload).
  const Operator* Find(absl::string_view qualified_name) const;

  // Binds a call's arguments to `op`'s schema: `positional`, then
  // `keywords` (names and values, parallel spans), then defaults, into
  // `args` (schema order).  `allow_conversions` as in jit/ops/types.h.
  // InvalidArgumentError when they do not fit, naming the argument.
  static absl::Status Bind(const Operator& op, absl::Span<const Value> positional,
                           absl::Span<const std::string> keyword_names,
                           absl::Span<const Value> keyword_values, bool allow_conversions,
                           std::vector<Value>* args);

  // The overload of `name` the call matches (see the header comment), with
  // its bound arguments in `args`.  NotFoundError when `name` has no
  // overloads at all: "unknown operator aten::no_such_op".
  absl::StatusOr<const Operator*> Resolve(absl::string_view name,
                                          absl::Span<const Value> positional,
                                          absl::Span<const std::string> keyword_names,
                                          absl::Span<const Value> keyword_values,
                                          std::vector<Value>* args) const;

  size_t size() const { return count_; }
  // Every operator name ("aten::add"), sorted.
  std::vector<std::string> Names() const;

 private:
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<Operator>>> by_name_;
  absl::flat_hash_map<std::string, const Operator*> by_qualified_name_;
  size_t count_ = 0;
};

// The registry with every operator ptser implements
// (jit/ops/default_registry.cc), built on first use.
const OperatorRegistry& DefaultOperators();

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_REGISTRY_H_
