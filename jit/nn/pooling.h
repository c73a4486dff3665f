// Copyright ptser authors.
//
// jit/nn/pooling.h — torch.nn.MaxPool2d, AvgPool2d and AdaptiveAvgPool2d over
// tensor/ops/pooling.h.  No state.  As in PyTorch, the stride defaults to
// the kernel size.
#ifndef PTSER_JIT_NN_POOLING_H_
#define PTSER_JIT_NN_POOLING_H_

#include <array>
#include <memory>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/ops/pooling.h"

namespace ptser::nn {

class Pool2d : public Module {
 public:
  // params.stride as given (set it to the kernel for PyTorch's default).
  static std::shared_ptr<Pool2d> MaxPool(PoolParams params);
  static std::shared_ptr<Pool2d> AvgPool(PoolParams params);
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  Pool2d(const char* name, bool max, PoolParams params)
      : Module(name), max_(max), params_(params) {}
  bool max_;
  PoolParams params_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(std::array<int64_t, 2> output_size)
      : Module("AdaptiveAvgPool2d"), output_size_(output_size) {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  std::array<int64_t, 2> output_size_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_POOLING_H_
