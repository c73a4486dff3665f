// Copyright ptser authors.
//
// tensor/ops/statistics.h — reductions that are statistics of their
// elements: torch.var, torch.std, torch.norm, torch.logsumexp.
//
// `dims` as in reduction.h (empty: every dimension; negative counts from
// the end; duplicates are an error).
//
//   Var / Std  sum((x - mean)^2) / max(0, N - correction) (and its square
//              root), computed in double; correction 1 is the unbiased
//              estimate (the default), 0 the population one.  N -
//              correction <= 0 gives nan (or inf), as PyTorch.  Floating
//              inputs only: others are InvalidArgumentError "std and var
//              only support floating point and complex dtypes".
//   Norm       the vector p-norm over `dims`: (sum |x|^p)^(1/p); p = inf
//              max |x|, -inf min |x|, 0 the count of nonzeros; "fro" is
//              p = 2.  Floating inputs only ("norm(): input dtype should be
//              either floating point or complex. Got Long instead.").
//   Logsumexp  log(sum(exp(x))) computed stably (shifted by the maximum;
//              all -inf gives -inf).  Integer and bool inputs give float32.
#ifndef PTSER_TENSOR_OPS_STATISTICS_H_
#define PTSER_TENSOR_OPS_STATISTICS_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Var(const Tensor& self, absl::Span<const int64_t> dims = {},
                           int64_t correction = 1, bool keepdim = false);
absl::StatusOr<Tensor> Std(const Tensor& self, absl::Span<const int64_t> dims = {},
                           int64_t correction = 1, bool keepdim = false);

absl::StatusOr<Tensor> Norm(const Tensor& self, double p = 2, absl::Span<const int64_t> dims = {},
                            bool keepdim = false);

absl::StatusOr<Tensor> Logsumexp(const Tensor& self, absl::Span<const int64_t> dims,
                                 bool keepdim = false);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_STATISTICS_H_
