// Copyright ptser authors.
//
// tensor/ops/attention.h — multi-head attention as PyTorch 1.13's
// F.multi_head_attention_forward computes it (the kernel under
// nn.MultiheadAttention, nn.TransformerEncoderLayer's self-attention and
// aten::_native_multi_head_attention), op for op: the packed in-projection
// (one linear split in three when query, key and value are the same tensor;
// a q / kv split when key and value are; three otherwise), q scaled by
// 1/sqrt(head_dim), baddbmm with the additive mask (or bmm), softmax over
// the keys, dropout in training, bmm with v, the out-projection, and the
// attention weights averaged over the heads (or per head).
//
// Shapes follow F.multi_head_attention_forward: query (L, N, E), key and
// value (S, N, E) — sequence first — or unbatched (L, E) / (S, E).
//   attn_mask         (L, S) or (N * num_heads, L, S); bool (true: may not
//                     attend; uint8 too) or floating (added to the scores).
//   key_padding_mask  (N, S) ((S) unbatched); bool (true: a padding key) or
//                     floating (added).
// Results: the output (L, N, E) and, with need_weights, the weights (N, L, S)
// averaged over the heads or (N, num_heads, L, S) (unbatched: without N).
// Errors are InvalidArgumentError with PyTorch's messages ("The shape of the
// 2D attn_mask is [2, 2], but should be (3, 3).", "embed_dim 6 not divisible
// by num_heads 4").  float32 and float64.
#ifndef PTSER_TENSOR_OPS_ATTENTION_H_
#define PTSER_TENSOR_OPS_ATTENTION_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace ptser {

struct AttentionParams {
  int64_t num_heads = 1;
  Tensor in_proj_weight;  // (3E, E)
  std::optional<Tensor> in_proj_bias;  // (3E)
  Tensor out_proj_weight;  // (E, E)
  std::optional<Tensor> out_proj_bias;  // (E)
  std::optional<Tensor> attn_mask;
  std::optional<Tensor> key_padding_mask;
  bool need_weights = true;
  bool average_attn_weights = true;
  double dropout = 0;     // applied to the weights when `training`
  bool training = false;
  Generator* generator = nullptr;  // DefaultGenerator() when null
};

struct AttentionResult {
  Tensor output;
  std::optional<Tensor> weights;  // absent without need_weights
};

absl::StatusOr<AttentionResult> MultiHeadAttention(const Tensor& query, const Tensor& key,
                                                   const Tensor& value,
                                                   const AttentionParams& params);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_ATTENTION_H_
