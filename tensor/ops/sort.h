// Copyright ptser authors.
//
// tensor/ops/sort.h — torch.sort, torch.argsort, torch.topk along one
// dimension (default the last).
//
// Values keep self's dtype, indices are int64 positions along `dim`.  NaN
// sorts above every number (last ascending, first descending), as in
// PyTorch.  Sorting is stable (equal elements keep their order), which is
// what sort(stable=True) promises and what PyTorch's CPU sort gives anyway.
// Topk returns the k largest (or smallest) in sorted order; k outside [0,
// size] is InvalidArgumentError "selected index k out of range".
#ifndef PTSER_TENSOR_OPS_SORT_H_
#define PTSER_TENSOR_OPS_SORT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

struct SortResult {
  Tensor values;
  Tensor indices;  // int64
};

absl::StatusOr<SortResult> Sort(const Tensor& self, int64_t dim = -1, bool descending = false);
absl::StatusOr<Tensor> Argsort(const Tensor& self, int64_t dim = -1, bool descending = false);
absl::StatusOr<SortResult> Topk(const Tensor& self, int64_t k, int64_t dim = -1,
                                bool largest = true, bool sorted = true);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_SORT_H_
