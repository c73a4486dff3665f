// Copyright ptser authors.
//
// jit/ops/tensor_nn_ops.h — aten:: operators of torch.nn.functional's layers
// beyond tensor_basic_ops' conv2d/pooling/softmax/linear: batch_norm,
// layer_norm, group_norm, instance_norm, embedding, dropout and
// feature_dropout (and in place), max_pool1d, max_pool2d_with_indices,
// avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d/2d,
// upsample_nearest2d and upsample_bilinear2d (sizes or scale factors),
// conv_transpose1d, and the recurrent layers lstm/gru/rnn_tanh/rnn_relu
// (padded input; the packed-sequence `.data` overloads are
// UnimplementedError), and the fast paths nn.MultiheadAttention and
// nn.TransformerEncoderLayer take without gradients
// (_native_multi_head_attention, _transformer_encoder_layer_fwd) over
// tensor/ops/attention.h.
#ifndef PTSER_JIT_OPS_TENSOR_NN_OPS_H_
#define PTSER_JIT_OPS_TENSOR_NN_OPS_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

absl::Status RegisterTensorNnOps(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_TENSOR_NN_OPS_H_
