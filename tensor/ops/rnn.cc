// Copyright ptser authors.
//
// tensor/ops/rnn.cc — LSTM, GRU and Elman RNN layers over tensor ops.

#include "tensor/ops/rnn.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/dropout.h"
#include "tensor/ops/linalg.h"
#include "tensor/ops/shape.h"
#include "tensor/views.h"

namespace ptser {
namespace {

enum class CellKind { kLstm, kGru, kTanh, kRelu };

struct CellParams {
  Tensor w_ih, w_hh;
  std::optional<Tensor> b_ih, b_hh, w_hr;
};

struct State {
  Tensor h;
  Tensor c;  // LSTM only
};

// One step: `xw` is x W_ih^T + b_ih (precomputed for every step).
absl::StatusOr<State> Step(CellKind kind, const CellParams& p, const Tensor& xw,
                           const State& s) {
  PTSER_ASSIGN_OR_RETURN(Tensor hw, Linear(s.h, p.w_hh, p.b_hh));
  switch (kind) {
    case CellKind::kLstm: {
      PTSER_RETURN_IF_ERROR(AddInplace(hw, xw));
      PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> g, Chunk(hw, 4, 1));
      PTSER_ASSIGN_OR_RETURN(Tensor in_gate, Sigmoid(g[0]));
      PTSER_ASSIGN_OR_RETURN(Tensor forget_gate, Sigmoid(g[1]));
      PTSER_ASSIGN_OR_RETURN(Tensor cell_gate, Tanh(g[2]));
      PTSER_ASSIGN_OR_RETURN(Tensor out_gate, Sigmoid(g[3]));
      PTSER_ASSIGN_OR_RETURN(Tensor c, Mul(forget_gate, s.c));
      PTSER_ASSIGN_OR_RETURN(Tensor ig, Mul(in_gate, cell_gate));
      PTSER_RETURN_IF_ERROR(AddInplace(c, ig));
      PTSER_ASSIGN_OR_RETURN(Tensor tc, Tanh(c));
      PTSER_ASSIGN_OR_RETURN(Tensor h, Mul(out_gate, tc));
      if (p.w_hr) {
        PTSER_ASSIGN_OR_RETURN(h, Linear(h, *p.w_hr));
      }
      return State{h, c};
    }
    case CellKind::kGru: {
      PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> xg, Chunk(xw, 3, 1));
      PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> hg, Chunk(hw, 3, 1));
      PTSER_ASSIGN_OR_RETURN(Tensor r_pre, Add(hg[0], xg[0]));
      PTSER_ASSIGN_OR_RETURN(Tensor reset, Sigmoid(r_pre));
      PTSER_ASSIGN_OR_RETURN(Tensor z_pre, Add(hg[1], xg[1]));
      PTSER_ASSIGN_OR_RETURN(Tensor update, Sigmoid(z_pre));
      PTSER_ASSIGN_OR_RETURN(Tensor rh, Mul(hg[2], reset));
      PTSER_ASSIGN_OR_RETURN(Tensor n_pre, Add(xg[2], rh));
      PTSER_ASSIGN_OR_RETURN(Tensor n, Tanh(n_pre));
      PTSER_ASSIGN_OR_RETURN(Tensor h, Sub(s.h, n));
      PTSER_RETURN_IF_ERROR(MulInplace(h, update));
      PTSER_RETURN_IF_ERROR(AddInplace(h, n));
      return State{h, Tensor()};
    }
    case CellKind::kTanh:
    case CellKind::kRelu: {
      PTSER_RETURN_IF_ERROR(AddInplace(hw, xw));
      PTSER_ASSIGN_OR_RETURN(Tensor h, kind == CellKind::kTanh ? Tanh(hw) : Relu(hw));
      return State{h, Tensor()};
    }
  }
  return absl::InternalError("unknown cell");
}

// One direction of one layer over (L, N, in); returns (L, N, H) and the
// final state.
absl::StatusOr<std::pair<Tensor, State>> RunDirection(CellKind kind, const CellParams& p,
                                                      const Tensor& x, State s, bool reverse) {
  PTSER_ASSIGN_OR_RETURN(Tensor xw, Linear(x, p.w_ih, p.b_ih));
  const int64_t steps = x.sizes()[0];
  std::vector<Tensor> outs(static_cast<size_t>(steps));
  for (int64_t k = 0; k < steps; ++k) {
    const int64_t t = reverse ? steps - 1 - k : k;
    PTSER_ASSIGN_OR_RETURN(Tensor xt, Select(xw, 0, t));
    PTSER_ASSIGN_OR_RETURN(s, Step(kind, p, xt, s));
    outs[static_cast<size_t>(t)] = s.h;
  }
  if (steps == 0) {
    PTSER_ASSIGN_OR_RETURN(Tensor empty, Unsqueeze(s.h, 0));
    PTSER_ASSIGN_OR_RETURN(empty, Narrow(empty, 0, 0, 0));
    return std::make_pair(empty, s);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor out, Stack(outs, 0));
  return std::make_pair(out, s);
}

absl::StatusOr<RnnResult> RunRnn(CellKind kind, const Tensor& input, const Tensor& h0,
                                 const std::optional<Tensor>& c0, absl::Span<const Tensor> params,
                                 const RnnOptions& o) {
  const char* name = kind == CellKind::kLstm ? "lstm" : kind == CellKind::kGru ? "gru" : "rnn";
  if (input.dim() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": expected a 3-D input (L, N, H_in), got ", ShapeToString(input.sizes())));
  }
  const int64_t dirs = o.bidirectional ? 2 : 1;
  const int64_t groups = o.num_layers * dirs;
  if (o.num_layers < 1 || params.empty() || params.size() % groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": got ", params.size(), " parameters for ", o.num_layers, " layer(s) and ", dirs,
        " direction(s)"));
  }
  const size_t per = params.size() / groups;
  const size_t base = o.has_biases ? 4 : 2;
  if (per != base && !(kind == CellKind::kLstm && per == base + 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": expected ", base, " parameters per layer and direction, got ", per));
  }
  Tensor x = input;
  if (o.batch_first) {
    PTSER_ASSIGN_OR_RETURN(x, Transpose(input, 0, 1));
  }
  for (const Tensor* h : {&h0, c0 ? &*c0 : nullptr}) {
    if (h != nullptr && (h->dim() != 3 || h->sizes()[0] != groups || h->sizes()[1] != x.sizes()[1])) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": expected hidden state of shape (", groups, ", ", x.sizes()[1],
          ", H), got ", ShapeToString(h->sizes())));
    }
  }
  std::vector<Tensor> h_n, c_n;
  for (int64_t layer = 0; layer < o.num_layers; ++layer) {
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t g = layer * dirs + d;
      CellParams p;
      p.w_ih = params[g * per];
      p.w_hh = params[g * per + 1];
      if (o.has_biases) {
        p.b_ih = params[g * per + 2];
        p.b_hh = params[g * per + 3];
      }
      if (per == base + 1) p.w_hr = params[g * per + base];
      State s;
      PTSER_ASSIGN_OR_RETURN(s.h, Select(h0, 0, g));
      if (c0) {
        PTSER_ASSIGN_OR_RETURN(s.c, Select(*c0, 0, g));
      }
      PTSER_ASSIGN_OR_RETURN(auto r, RunDirection(kind, p, x, s, d == 1));
      outs.push_back(r.first);
      h_n.push_back(r.second.h);
      if (c0) c_n.push_back(r.second.c);
    }
    if (dirs == 2) {
      PTSER_ASSIGN_OR_RETURN(x, Cat(outs, 2));
    } else {
      x = outs[0];
    }
    if (o.dropout > 0 && o.train && layer + 1 < o.num_layers) {
      PTSER_ASSIGN_OR_RETURN(x, Dropout(x, o.dropout, true));
    }
  }
  RnnResult result;
  result.output = x;
  if (o.batch_first) {
    PTSER_ASSIGN_OR_RETURN(Tensor t, Transpose(x, 0, 1));
    PTSER_ASSIGN_OR_RETURN(result.output, Contiguous(t));
  }
  PTSER_ASSIGN_OR_RETURN(result.h_n, Stack(h_n, 0));
  if (c0) {
    PTSER_ASSIGN_OR_RETURN(result.c_n, Stack(c_n, 0));
  }
  return result;
}

}  // namespace

absl::StatusOr<RnnResult> Lstm(const Tensor& input, absl::Span<const Tensor> hx,
                               absl::Span<const Tensor> params, const RnnOptions& options) {
  if (hx.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("lstm expects two hidden states, got ", hx.size()));
  }
  return RunRnn(CellKind::kLstm, input, hx[0], hx[1], params, options);
}

absl::StatusOr<RnnResult> Gru(const Tensor& input, const Tensor& hx,
                              absl::Span<const Tensor> params, const RnnOptions& options) {
  return RunRnn(CellKind::kGru, input, hx, std::nullopt, params, options);
}

absl::StatusOr<RnnResult> RnnTanh(const Tensor& input, const Tensor& hx,
                                  absl::Span<const Tensor> params, const RnnOptions& options) {
  return RunRnn(CellKind::kTanh, input, hx, std::nullopt, params, options);
}

absl::StatusOr<RnnResult> RnnRelu(const Tensor& input, const Tensor& hx,
                                  absl::Span<const Tensor> params, const RnnOptions& options) {
  return RunRnn(CellKind::kRelu, input, hx, std::nullopt, params, options);
}

}  // namespace ptser
