// Copyright ptser authors.
//
// jit/nn/embedding.h — torch.nn.Embedding: `weight` (num_embeddings,
// embedding_dim) drawn from N(0, 1) by the default generator as PyTorch's
// normal_ (tensor/generator.h: the same stream for float64; float32 tables
// of 16+ elements may differ in the last bits), with the padding_idx row
// zeroed.  forward(indices) gathers rows: an int64 or int32 tensor of any
// shape gives shape + (embedding_dim); an index outside [0, num) is
// InvalidArgumentError "index out of range in self".
#ifndef PTSER_JIT_NN_EMBEDDING_H_
#define PTSER_JIT_NN_EMBEDDING_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

class Embedding : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<Embedding>> Make(
      int64_t num_embeddings, int64_t embedding_dim,
      std::optional<int64_t> padding_idx = std::nullopt, ScalarType dtype = ScalarType::kFloat);
  absl::StatusOr<Tensor> Forward(const Tensor& indices) override;

 private:
  Embedding(int64_t num, int64_t dim) : Module("Embedding"), num_(num), dim_(dim) {}
  int64_t num_;
  int64_t dim_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_EMBEDDING_H_
