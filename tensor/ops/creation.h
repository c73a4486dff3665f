// Copyright ptser authors.
//
// tensor/ops/creation.h — the factories beyond tensor/factories.h
// (which has empty/zeros/ones/full/arange): torch.linspace, logspace, eye,
// the *_like factories, and the random ones drawing from PyTorch's CPU
// generator (tensor/generator.h), so that after ManualSeed(s) they give
// what torch gives after torch.manual_seed(s).
//
//   Linspace(start, end, steps)  `steps` values from start to end; the
//       first half counts up from start, the second down from end, each
//       start + step * i (PyTorch's kernel, including its 8-wide vector
//       blocks for float32 and 4-wide for float64, so the values are
//       bit-identical).  Default dtype float32; integer dtypes compute in
//       double and truncate.  steps < 0 is InvalidArgumentError "number of
//       steps must be non-negative".
//   Logspace(start, end, steps, base)  base ** linspace(start, end, steps).
//   Eye(n, m)  ones on the diagonal ("n must be greater or equal to 0, got -1").
//   ZerosLike / OnesLike / FullLike / EmptyLike(t, dtype)  t's shape; the
//       dtype defaults to t's; contiguous.
//   Rand / Randn  uniform [0, 1) / standard normal (float32, float64).
//   Randint(low, high, sizes)  uniform integers in [low, high): a 32-bit
//       draw (64-bit when high - low >= 2^32) modulo the range, as
//       PyTorch's random_(from, to); default dtype int64.  low >= high is
//       InvalidArgumentError "random_ expects 'from' to be less than 'to',
//       but got from=5 >= to=5".
//   Normal(mean, std, sizes)  normal values (std >= 0).
//
// `generator` defaults to DefaultGenerator().
#ifndef PTSER_TENSOR_OPS_CREATION_H_
#define PTSER_TENSOR_OPS_CREATION_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/generator.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {

absl::StatusOr<Tensor> Linspace(const Scalar& start, const Scalar& end, int64_t steps,
                                std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> Logspace(const Scalar& start, const Scalar& end, int64_t steps,
                                double base = 10.0,
                                std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> Eye(int64_t n, std::optional<int64_t> m = std::nullopt,
                           ScalarType dtype = ScalarType::kFloat);

absl::StatusOr<Tensor> ZerosLike(const Tensor& t, std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> OnesLike(const Tensor& t, std::optional<ScalarType> dtype = std::nullopt);
absl::StatusOr<Tensor> FullLike(const Tensor& t, const Scalar& value,
                                std::optional<ScalarType> dtype = std::nullopt);

absl::StatusOr<Tensor> Rand(absl::Span<const int64_t> sizes, ScalarType dtype = ScalarType::kFloat,
                            Generator* generator = nullptr);
absl::StatusOr<Tensor> Randn(absl::Span<const int64_t> sizes, ScalarType dtype = ScalarType::kFloat,
                             Generator* generator = nullptr);
absl::StatusOr<Tensor> Randint(int64_t low, int64_t high, absl::Span<const int64_t> sizes,
                               ScalarType dtype = ScalarType::kLong,
                               Generator* generator = nullptr);
absl::StatusOr<Tensor> Normal(double mean, double std, absl::Span<const int64_t> sizes,
                              ScalarType dtype = ScalarType::kFloat,
                              Generator* generator = nullptr);

// In place: t.uniform_(from, to), t.normal_(mean, std), t.random_(from, to)
// on any tensor (a strided one is filled through a contiguous buffer).
absl::Status UniformInplace(const Tensor& t, double from = 0, double to = 1,
                            Generator* generator = nullptr);
absl::Status NormalInplace(const Tensor& t, double mean = 0, double std = 1,
                           Generator* generator = nullptr);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_CREATION_H_
