// Copyright ptser authors.
//
// jit/nn/linear.h — torch.nn.Linear: parameters `weight` (out_features, in_features) and `bias`
// (out_features, or None), initialised as PyTorch's reset_parameters from
// the default generator; forward(x) = x @ weight^T + bias.
#ifndef PTSER_JIT_NN_LINEAR_H_
#define PTSER_JIT_NN_LINEAR_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

class Linear : public Module {
 public:
  // nn.Linear(in_features, out_features, bias=True, dtype=dtype).
  static absl::StatusOr<std::shared_ptr<Linear>> Make(int64_t in_features, int64_t out_features,
                                                      bool bias = true,
                                                      ScalarType dtype = ScalarType::kFloat);

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  Linear(int64_t in_features, int64_t out_features)
      : Module("Linear"), in_features_(in_features), out_features_(out_features) {}
  int64_t in_features_;
  int64_t out_features_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_LINEAR_H_
