// Copyright ptser authors.
//
// jit/nn/attention.h — torch.nn.Bilinear and torch.nn.MultiheadAttention.
//
// Bilinear(in1, in2, out): `weight` (out, in1, in2) and `bias` (out), both
// uniform in +-1/sqrt(in1); Forward2(x1, x2) = x1^T W x2 + b over the last
// dimension.
//
// MultiheadAttention(embed_dim, num_heads, bias=true): `in_proj_weight`
// (3E, E, xavier_uniform_), `in_proj_bias` (3E, zeros) and the child
// `out_proj` (a Linear named NonDynamicallyQuantizableLinear, bias zeroed) —
// PyTorch's names, order and initialisation stream (out_proj's own init
// draws first).  Attend(query, key, value) with PyTorch's (L, N, E) layout
// (batch_first: (N, L, E)) or unbatched (L, E): the attention output and
// the weights averaged over heads (N, L, S).  Dropout 0, no masks, no
// add_bias_kv / add_zero_attn, kdim = vdim = embed_dim (other settings are
// InvalidArgumentError at Make).
#ifndef PTSER_JIT_NN_ATTENTION_H_
#define PTSER_JIT_NN_ATTENTION_H_

#include <cstdint>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "jit/nn/linear.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

class Bilinear : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<Bilinear>> Make(int64_t in1, int64_t in2, int64_t out,
                                                        bool bias = true,
                                                        ScalarType dtype = ScalarType::kFloat);
  absl::StatusOr<Tensor> Forward2(const Tensor& x1, const Tensor& x2);

 private:
  Bilinear() : Module("Bilinear") {}
};

class MultiheadAttention : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<MultiheadAttention>> Make(
      int64_t embed_dim, int64_t num_heads, bool bias = true, bool batch_first = false,
      ScalarType dtype = ScalarType::kFloat);
  // (attn_output, attn_weights averaged over the heads).
  absl::StatusOr<std::pair<Tensor, Tensor>> Attend(const Tensor& query, const Tensor& key,
                                                   const Tensor& value);
  // Self-attention: Attend(x, x, x).first.
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  MultiheadAttention(int64_t e, int64_t h, bool batch_first)
      : Module("MultiheadAttention"), embed_dim_(e), num_heads_(h), batch_first_(batch_first) {}
  int64_t embed_dim_;
  int64_t num_heads_;
  bool batch_first_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_ATTENTION_H_
