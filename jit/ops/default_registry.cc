// Copyright ptser authors.
//
// The families in registration order.  Order matters only within one
// operator name (overloads are tried in registration order): PyTorch lists
// an operator's Tensor overloads before its int/float/list ones (aten::add.Tensor
// before aten::add.int, aten::sum.dim_IntList before aten::sum.int), so
// tensor families go before RegisterPrimOps/RegisterBuiltinOps.
// registry_test checks every registered schema against 1.13's text and
// order.  Add a family by adding its Register function to kFamilies; an
// operator registered by two families is an error (AlreadyExists).

#include "jit/ops/default_registry.h"

#include <cstdio>
#include <cstdlib>

#include "jit/ops/builtin_ops.h"
#include "jit/ops/prim_ops.h"
#include "jit/ops/tensor_basic_ops.h"
#include "jit/ops/tensor_clamp_ops.h"
#include "jit/ops/tensor_creation_ops.h"
#include "jit/ops/tensor_index_ops.h"
#include "jit/ops/tensor_linalg_ops.h"
#include "jit/ops/tensor_nn_ops.h"
#include "jit/ops/tensor_pointwise_ops.h"
#include "jit/ops/tensor_reduction_ops.h"
#include "jit/ops/tensor_shape_ops.h"

namespace ptser {
namespace jit {
namespace {

using RegisterFn = absl::Status (*)(OperatorRegistry&);

constexpr RegisterFn kFamilies[] = {
    // Tensor operators.
    // Before tensor_basic_ops: aten::max.other precedes its aten::max.
    RegisterTensorPointwiseOps,
    RegisterTensorBasicOps,
    // After tensor_basic_ops: aten::clamp.Tensor follows its aten::clamp,
    // aten::fill_.Tensor its aten::fill_.Scalar; before the builtin values'
    // families: tensor overloads precede aten::floor.int, aten::sort.any, ...
    RegisterTensorClampOps,
    RegisterTensorReductionOps,
    RegisterTensorShapeOps,
    RegisterTensorIndexOps,
    RegisterTensorNnOps,
    RegisterTensorLinalgOps,
    RegisterTensorCreationOps,
    // Operators on builtin values.
    RegisterPrimOps,
    RegisterBuiltinOps,
};

}  // namespace

absl::Status RegisterDefaultOperators(OperatorRegistry& registry) {
  for (RegisterFn family : kFamilies) {
    absl::Status s = family(registry);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

const OperatorRegistry& DefaultOperators() {
  static const OperatorRegistry* registry = [] {
    auto* r = new OperatorRegistry();
    absl::Status s = RegisterDefaultOperators(*r);
    if (!s.ok()) {
      // A bad schema in a family is a bug in ptser (default_registry_test
      // catches it), never an input error.
      std::fprintf(stderr, "ptser: building the operator registry failed: %s\n",
                   s.ToString().c_str());
      std::abort();
    }
    return r;
  }();
  return *registry;
}

}  // namespace jit
}  // namespace ptser
