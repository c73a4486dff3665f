// Copyright ptser authors.
//
// jit/nn/transformer.h — torch.nn.TransformerEncoderLayer and
// TransformerEncoder: PyTorch's children (self_attn, linear1, dropout,
// linear2, norm1, norm2, dropout1, dropout2; an encoder's `layers.N.` and
// optional `norm`), initialisation stream (an encoder's layers are copies of
// the one layer it is given, made without drawing, as copy.deepcopy) and
// forward (post-norm, or pre-norm with norm_first), activation "relu" or
// "gelu".  No masks.
#ifndef PTSER_JIT_NN_TRANSFORMER_H_
#define PTSER_JIT_NN_TRANSFORMER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

struct TransformerEncoderLayerOptions {
  int64_t d_model = 512;
  int64_t nhead = 8;
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;
  ScalarType dtype = ScalarType::kFloat;
};

class TransformerEncoderLayer : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<TransformerEncoderLayer>> Make(
      TransformerEncoderLayerOptions options);
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;
  // copy.deepcopy(layer): a new layer with copies of this one's tensors and
  // mode; draws nothing from the generator.
  absl::StatusOr<std::shared_ptr<TransformerEncoderLayer>> DeepCopy() const;

 private:
  explicit TransformerEncoderLayer(TransformerEncoderLayerOptions o)
      : Module("TransformerEncoderLayer"), options_(std::move(o)) {}
  TransformerEncoderLayerOptions options_;
};

class TransformerEncoder : public Module {
 public:
  // `norm` may be null (PyTorch's norm=None).
  static absl::StatusOr<std::shared_ptr<TransformerEncoder>> Make(
      const TransformerEncoderLayer& layer, int64_t num_layers, std::shared_ptr<Module> norm);
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  TransformerEncoder() : Module("TransformerEncoder") {}
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_TRANSFORMER_H_
