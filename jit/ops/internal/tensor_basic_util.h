// Copyright ptser authors.
//
// Private to //jit/ops:tensor_basic_ops: what its two files share.
//   tensor_basic_ops.cc       arithmetic, comparisons, reductions, linear
//                             algebra/activations/softmax, convolution and
//                             pooling; the registration
//   tensor_basic_meta_ops.cc  facts about a tensor, conversions, factories,
//                             views
#ifndef PTSER_JIT_OPS_INTERNAL_TENSOR_BASIC_UTIL_H_
#define PTSER_JIT_OPS_INTERNAL_TENSOR_BASIC_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/registry.h"
#include "pickle/value.h"
#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace tensor_basic_internal {

using ops_internal::IntList;
using ops_internal::OpDef;
using ops_internal::OptionalDtype;
using ops_internal::RuntimeError;
using ops_internal::TensorResult;
using ops_internal::ToScalar;
using Args = absl::Span<Value>;
using Result = absl::StatusOr<Value>;

// Assigns the value of a StatusOr expression or returns its error.
#define PTSER_OPS_ASSIGN(lhs, rexpr)            \
  auto lhs##_or = (rexpr);                      \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

inline const Tensor& T(const Value& v) { return v.tensor(); }

// `add(schema, fn)` appending to `ops`, as each family writes its entries.
inline auto Adder(std::vector<OpDef>& ops) {
  return [&ops](std::string schema, OpFn fn) { ops.push_back({std::move(schema), std::move(fn)}); };
}

// The tensor an in-place op returns: `self` itself (the same object).
Result InPlace(absl::Status s, const Value& self);

// Writes `result` into `self` (an in-place op computed out of place),
// casting to self's dtype as PyTorch's in-place ops do.
Result WriteBack(const Value& self, absl::StatusOr<Tensor> result);

// The families, in registration order.
void AddArithmetic(std::vector<OpDef>& ops);
void AddComparisons(std::vector<OpDef>& ops);
void AddReductions(std::vector<OpDef>& ops);
void AddLinalgActivations(std::vector<OpDef>& ops);
void AddConvolutionPooling(std::vector<OpDef>& ops);
void AddTensorFacts(std::vector<OpDef>& ops);
void AddConversions(std::vector<OpDef>& ops);
void AddFactories(std::vector<OpDef>& ops);
void AddViews(std::vector<OpDef>& ops);

}  // namespace tensor_basic_internal
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_INTERNAL_TENSOR_BASIC_UTIL_H_
