// Copyright ptser authors.
//
// tensor/ops/dropout.h — torch.dropout and torch.feature_dropout (the
// kernels of F.dropout and F.dropout2d/3d), stream for stream with PyTorch's
// CPU build without MKL (the Debian/PyPI-less build this project checks
// against): a keep mask of bernoulli(1 - p) draws, one double uniform from
// the generator's 64-bit output per element (u < 1 - p keeps it), scaled
// by 1 / (1 - p).  After ManualSeed(s) the mask equals torch's after
// torch.manual_seed(s).  (A PyTorch built with MKL draws its masks through
// MKL's own generator instead; those masks cannot be reproduced.)
//
//   Dropout(x, p, train)         !train or p == 0: x itself (the same
//                                tensor, as PyTorch returns it); p == 1:
//                                zeros; otherwise x * mask / (1 - p).
//   FeatureDropout(x, p, train)  the same with one draw per (sample,
//                                channel) of an (N, C, ...) input (for a 1-D
//                                or unbatched input, per channel).
//   ...Inplace                   the same written into x (dropout_).
//
// p outside [0, 1] is InvalidArgumentError "dropout probability has to be
// between 0 and 1, but got 1.5".  Floating dtypes only.  `generator`
// defaults to DefaultGenerator().
#ifndef PTSER_TENSOR_OPS_DROPOUT_H_
#define PTSER_TENSOR_OPS_DROPOUT_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Dropout(const Tensor& input, double p, bool train,
                               Generator* generator = nullptr);
absl::Status DropoutInplace(const Tensor& input, double p, bool train,
                            Generator* generator = nullptr);
absl::StatusOr<Tensor> FeatureDropout(const Tensor& input, double p, bool train,
                                      Generator* generator = nullptr);
absl::Status FeatureDropoutInplace(const Tensor& input, double p, bool train,
                                   Generator* generator = nullptr);

// A tensor of `sizes` and `dtype` whose elements are 1 with probability
// `p` and 0 otherwise (t.bernoulli_(p) on a fresh tensor), drawn as above.
absl::StatusOr<Tensor> Bernoulli(absl::Span<const int64_t> sizes, double p, ScalarType dtype,
                                 Generator* generator = nullptr);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_DROPOUT_H_
