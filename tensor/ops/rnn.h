// Copyright ptser authors.
//
// tensor/ops/rnn.h — the recurrent kernels under nn.LSTM, nn.GRU and nn.RNN
// (aten::lstm, aten::gru, aten::rnn_tanh, aten::rnn_relu with a padded,
// not packed, input), composed of linear/sigmoid/tanh steps exactly as
// PyTorch's aten/native/RNN.cpp composes them, so results agree to float
// rounding.
//
// `input` is (L, N, H_in), or (N, L, H_in) with batch_first; `params` is
// nn.RNNBase._flat_weights: per layer and direction w_ih, w_hh, then b_ih,
// b_hh when has_biases, then (LSTM with proj_size) w_hr.  Hidden states are
// (num_layers * num_directions, N, H).  Between layers, dropout applies in
// training (tensor/ops/dropout.h, the default generator).
//
//   LSTM cell  gates = (h W_hh^T + b_hh) + (x W_ih^T + b_ih) split into
//              i, f, g, o; c' = sigmoid(f) c + sigmoid(i) tanh(g);
//              h' = sigmoid(o) tanh(c') (then h' W_hr^T with a projection).
//   GRU cell   r = sigmoid(hr + xr), z = sigmoid(hz + xz),
//              n = tanh(xn + r hn), h' = (h - n) z + n.
//   RNN cell   h' = tanh or relu((h W_hh^T + b_hh) + (x W_ih^T + b_ih)).
//
// Outputs: the last layer's h at every step (L, N, num_directions * H)
// (batch_first: (N, L, ...)), and the final h (and c) of every layer and
// direction.  Shape mismatches are InvalidArgumentError.
#ifndef PTSER_TENSOR_OPS_RNN_H_
#define PTSER_TENSOR_OPS_RNN_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tensor/tensor.h"

namespace ptser {

struct RnnOptions {
  bool has_biases = true;
  int64_t num_layers = 1;
  double dropout = 0;
  bool train = false;
  bool bidirectional = false;
  bool batch_first = false;
};

struct RnnResult {
  Tensor output;
  Tensor h_n;
  Tensor c_n;  // LSTM only
};

// hx = {h_0, c_0}.
absl::StatusOr<RnnResult> Lstm(const Tensor& input, absl::Span<const Tensor> hx,
                               absl::Span<const Tensor> params, const RnnOptions& options);
absl::StatusOr<RnnResult> Gru(const Tensor& input, const Tensor& hx,
                              absl::Span<const Tensor> params, const RnnOptions& options);
absl::StatusOr<RnnResult> RnnTanh(const Tensor& input, const Tensor& hx,
                                  absl::Span<const Tensor> params, const RnnOptions& options);
absl::StatusOr<RnnResult> RnnRelu(const Tensor& input, const Tensor& hx,
                                  absl::Span<const Tensor> params, const RnnOptions& options);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_RNN_H_
