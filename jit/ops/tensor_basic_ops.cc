// Copyright ptser authors.

#include "jit/ops/tensor_basic_ops.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "tensor/ops/ops.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::OpDef;
using ops_internal::TensorResult;
using ops_internal::ToScalar;
using Args = absl::Span<Value>;
using Result = absl::StatusOr<Value>;

std::vector<OpDef> TensorBasicOps() {
  std::vector<OpDef> ops;
  auto add = [&](std::string schema, OpFn fn) { ops.push_back({std::move(schema), std::move(fn)}); };
  add("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) -> Result {
        return TensorResult(Add(a[0].tensor(), a[1].tensor(), ToScalar(a[2])));
      });
  add("aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) -> Result {
        return TensorResult(Add(a[0].tensor(), ToScalar(a[1]), ToScalar(a[2])));
      });
  return ops;
}

}  // namespace

absl::Status RegisterTensorBasicOps(OperatorRegistry& registry) {
  return ops_internal::RegisterAll(registry, TensorBasicOps());
}

}  // namespace jit
}  // namespace ptser
