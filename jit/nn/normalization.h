// Copyright ptser authors.
//
// jit/nn/normalization.h — torch.nn.LayerNorm and torch.nn.GroupNorm.
//
// LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True): `weight`
// (ones) and `bias` (zeros) of normalized_shape; forward normalises over the
// trailing normalized_shape dimensions (biased variance).
// GroupNorm(num_groups, num_channels, eps=1e-5, affine=True): `weight` and
// `bias` of (num_channels); forward normalises each group of
// num_channels/num_groups channels of an (N, C, *) input, then applies the
// per-channel affine.  float32 and float64; statistics in double.
#ifndef PTSER_JIT_NN_NORMALIZATION_H_
#define PTSER_JIT_NN_NORMALIZATION_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

class LayerNorm : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<LayerNorm>> Make(std::vector<int64_t> normalized_shape,
                                                         double eps = 1e-5,
                                                         bool elementwise_affine = true,
                                                         ScalarType dtype = ScalarType::kFloat);
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  LayerNorm(std::vector<int64_t> shape, double eps)
      : Module("LayerNorm"), shape_(std::move(shape)), eps_(eps) {}
  std::vector<int64_t> shape_;
  double eps_;
};

class GroupNorm : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<GroupNorm>> Make(int64_t num_groups, int64_t num_channels,
                                                         double eps = 1e-5, bool affine = true,
                                                         ScalarType dtype = ScalarType::kFloat);
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  GroupNorm(int64_t groups, int64_t channels, double eps)
      : Module("GroupNorm"), groups_(groups), channels_(channels), eps_(eps) {}
  int64_t groups_;
  int64_t channels_;
  double eps_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_NORMALIZATION_H_
