// Copyright ptser authors.
//
// jit/nn/basic.h — the parameter-free layers: ReLU, Identity, Flatten,
// Dropout.  They have no state: state_dict() of each is empty, but they keep
// their place (and _metadata entry) in a model's module tree.
#ifndef PTSER_JIT_NN_BASIC_H_
#define PTSER_JIT_NN_BASIC_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "jit/module.h"

namespace ptser::nn {

class ReLU : public Module {
 public:
  ReLU() : Module("ReLU") {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;
};

class Identity : public Module {
 public:
  Identity() : Module("Identity") {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override { return x; }
};

// nn.Flatten(start_dim=1, end_dim=-1): a view when the input allows it.
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : Module("Flatten"), start_dim_(start_dim), end_dim_(end_dim) {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  int64_t start_dim_;
  int64_t end_dim_;
};

// nn.Dropout(p): the identity in eval mode; in training mode
// tensor/ops/dropout.h's Dropout, whose mask equals torch's after the same
// ManualSeed (PyTorch's CPU build without MKL).
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5) : Module("Dropout"), p_(p) {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;
  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_BASIC_H_
