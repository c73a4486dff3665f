// Copyright ptser authors.
//
// jit/ops/tensor_reduction_ops.h — aten:: reductions beyond tensor_basic_ops'
// sum/mean/max: prod, argmax/argmin, amax/amin, all/any, var/std (unbiased
// and correction forms), norm, logsumexp, cumsum/cumprod, sort/argsort
// (stable forms) and topk, over tensor/ops/reduction.h, statistics.h,
// scan.h and sort.h, with their out= forms.
#ifndef PTSER_JIT_OPS_TENSOR_REDUCTION_OPS_H_
#define PTSER_JIT_OPS_TENSOR_REDUCTION_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorReductionOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_REDUCTION_OPS_H_
