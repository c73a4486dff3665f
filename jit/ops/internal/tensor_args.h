// Copyright ptser authors.
//
// jit/ops/internal/tensor_args.h — reading bound tensor-op arguments and
// writing results, for the tensor_*_ops families (logically private to
// jit/ops).
//
// Arguments arrive bound and converted (jit/ops/registry.h): a `Tensor` is
// a Value holding a tensor, `Tensor?` may be None, `Tensor[]` and
// `Tensor?[]` are lists, `Scalar` an int/float/bool/complex, `float` a
// float (ints converted), `ScalarType?` an int code or None.
//
// Every family registers its plain form and, where PyTorch has one, the
// `out=` form through AddWithOut: the out form computes the same result and
// writes it into `out` (converted to out's dtype when PyTorch's casting
// rules allow it) and returns `out` itself.  An `out` of another shape
// would be resized by PyTorch; ptser cannot re-point a tensor every alias
// shares, so that is UnimplementedError.
#ifndef PTSER_JIT_OPS_INTERNAL_TENSOR_ARGS_H_
#define PTSER_JIT_OPS_INTERNAL_TENSOR_ARGS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/registry.h"
#include "pickle/value.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace tensor_args {

using Args = absl::Span<Value>;
using Result = absl::StatusOr<Value>;
using TensorFn = std::function<absl::StatusOr<Tensor>(Args)>;

inline const Tensor& T(const Value& v) { return v.tensor(); }

std::optional<Tensor> OptionalTensor(const Value& v);
// A `Tensor[]` argument.
std::vector<Tensor> TensorList(const Value& v);
// A `Tensor?[]` argument.
std::vector<std::optional<Tensor>> OptionalTensorList(const Value& v);
std::optional<double> OptionalDouble(const Value& v);
std::optional<int64_t> OptionalInt(const Value& v);

// The tensor an in-place op returns: `self` itself (the same object).
Result InPlace(absl::Status s, const Value& self);
// A tuple of tensors (multi-output ops).
Result TensorTuple(absl::StatusOr<std::vector<Tensor>> tensors);
// A list of tensors (Tensor[] results).
Result TensorListResult(absl::StatusOr<std::vector<Tensor>> tensors);

// PyTorch raises IndexError where tensor/ops returns OutOfRangeError:
// prefixes the message so the interpreter reports that exception.
absl::Status AsIndexError(absl::Status s);
Result WithIndexErrors(absl::StatusOr<Tensor> t);

// Factories: only the CPU exists, pin_memory does nothing, layouts other
// than strided (0 / None) are unimplemented.
absl::Status CheckFactoryOptions(const Value& layout, const Value& device);
// The generator of a `Generator?` argument: None is the default generator;
// a torch.Generator object is unimplemented.
absl::StatusOr<Generator*> GeneratorOf(const Value& v);
// The allocation limit for a factory's result.
absl::Status CheckFactorySize(OpContext& ctx, absl::Span<const int64_t> sizes, ScalarType dtype,
                              absl::string_view what);

// Writes `result` into `out` (same shape; dtype castable) and returns out.
Result WriteOut(const Value& out, absl::StatusOr<Tensor> result);

// A table of definitions with helpers for the usual shapes.
class OpTable {
 public:
  void Add(std::string schema, OpFn fn) { defs_.push_back({std::move(schema), std::move(fn)}); }
  // `schema` returns f(args); `out_schema` (may be empty) the same written
  // into its last argument.
  void AddWithOut(std::string schema, std::string out_schema, TensorFn f);
  // A tensor-returning op without context.
  void AddTensor(std::string schema, TensorFn f);
  // An in-place op returning self (argument 0).
  void AddInplace(std::string schema, std::function<absl::Status(Args)> f);

  std::vector<ops_internal::OpDef> Take() { return std::move(defs_); }

 private:
  std::vector<ops_internal::OpDef> defs_;
};

}  // namespace tensor_args
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_INTERNAL_TENSOR_ARGS_H_
