// Copyright ptser authors.
#include "jit/nn/attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "jit/nn/init.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser::nn {
namespace {

template <typename T>
const T* Ptr(const Tensor& t) {
  return static_cast<const T*>(t.data());
}

// y = x W^T + b for rows of x (n, in) and W (out, in), in double.
template <typename T>
void Project(const T* x, int64_t n, int64_t in, const T* w, const T* b, int64_t out,
             std::vector<double>* y) {
  y->assign(static_cast<size_t>(n * out), 0.0);
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double s = b != nullptr ? b[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) s += static_cast<double>(x[r * in + i]) * w[o * in + i];
      (*y)[static_cast<size_t>(r * out + o)] = s;
    }
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<Bilinear>> Bilinear::Make(int64_t in1, int64_t in2, int64_t out,
                                                         bool bias, ScalarType dtype) {
  std::shared_ptr<Bilinear> m(new Bilinear());
  PTSER_ASSIGN_OR_RETURN(Tensor w, Empty({out, in1, in2}, dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("weight", w));
  std::optional<Tensor> b;
  if (bias) {
    PTSER_ASSIGN_OR_RETURN(b, Empty({out}, dtype));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", *b));
  } else {
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", std::nullopt));
  }
  const double bound = 1 / std::sqrt(static_cast<double>(in1));
  PTSER_RETURN_IF_ERROR(init::Uniform(w, -bound, bound));
  if (b) {
    PTSER_RETURN_IF_ERROR(init::Uniform(*b, -bound, bound));
  }
  return m;
}

absl::StatusOr<Tensor> Bilinear::Forward2(const Tensor& x1, const Tensor& x2) {
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Parameter("weight"));
  const Tensor* bias = FindParameter("bias");
  const int64_t out = weight.sizes()[0], in1 = weight.sizes()[1], in2 = weight.sizes()[2];
  if (x1.dim() < 1 || x2.dim() < 1 || x1.sizes().back() != in1 || x2.sizes().back() != in2 ||
      x1.numel() / std::max<int64_t>(in1, 1) != x2.numel() / std::max<int64_t>(in2, 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bilinear(): input sizes do not match the weight: input1 ", ShapeToString(x1.sizes()),
        ", input2 ", ShapeToString(x2.sizes()), ", weight ", ShapeToString(weight.sizes())));
  }
  if (x1.dtype() != weight.dtype() || x2.dtype() != weight.dtype()) {
    return absl::InvalidArgumentError("bilinear(): inputs and weight must have one dtype");
  }
  const int64_t rows = in1 == 0 ? 0 : x1.numel() / in1;
  PTSER_ASSIGN_OR_RETURN(Tensor a, Contiguous(x1));
  PTSER_ASSIGN_OR_RETURN(Tensor c, Contiguous(x2));
  PTSER_ASSIGN_OR_RETURN(Tensor w, Contiguous(weight));
  std::vector<int64_t> shape(x1.sizes().begin(), x1.sizes().end() - 1);
  shape.push_back(out);
  PTSER_ASSIGN_OR_RETURN(Tensor y, Empty(shape, weight.dtype()));
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* pa = Ptr<T>(a);
    const T* pc = Ptr<T>(c);
    const T* pw = Ptr<T>(w);
    const T* pb = bias != nullptr ? Ptr<T>(*bias) : nullptr;
    T* py = static_cast<T*>(y.mutable_data());
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t o = 0; o < out; ++o) {
        double s = pb != nullptr ? pb[o] : 0.0;
        for (int64_t i = 0; i < in1; ++i) {
          double inner = 0;
          for (int64_t j = 0; j < in2; ++j) {
            inner += static_cast<double>(pw[(o * in1 + i) * in2 + j]) * pc[r * in2 + j];
          }
          s += inner * pa[r * in1 + i];
        }
        py[r * out + o] = static_cast<T>(s);
      }
    }
  };
  if (weight.dtype() == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else if (weight.dtype() == ScalarType::kDouble) {
    run(static_cast<double*>(nullptr));
  } else {
    return absl::InvalidArgumentError("bilinear(): float32 and float64 are supported");
  }
  return y;
}

absl::StatusOr<std::shared_ptr<MultiheadAttention>> MultiheadAttention::Make(
    int64_t embed_dim, int64_t num_heads, bool bias, bool batch_first, ScalarType dtype) {
  if (num_heads <= 0 || embed_dim % num_heads != 0) {
    return absl::InvalidArgumentError("embed_dim must be divisible by num_heads");
  }
  std::shared_ptr<MultiheadAttention> m(new MultiheadAttention(embed_dim, num_heads, batch_first));
  PTSER_ASSIGN_OR_RETURN(Tensor in_w, Empty({3 * embed_dim, embed_dim}, dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("in_proj_weight", in_w));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("q_proj_weight", std::nullopt));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("k_proj_weight", std::nullopt));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("v_proj_weight", std::nullopt));
  std::optional<Tensor> in_b;
  if (bias) {
    PTSER_ASSIGN_OR_RETURN(in_b, Zeros({3 * embed_dim}, dtype));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("in_proj_bias", *in_b));
  } else {
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("in_proj_bias", std::nullopt));
  }
  // out_proj initialises itself (drawing from the generator) before
  // _reset_parameters draws in_proj_weight, as in PyTorch.
  PTSER_ASSIGN_OR_RETURN(auto out_proj, Linear::Make(embed_dim, embed_dim, bias, dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("out_proj", out_proj));
  // xavier_uniform_: +-sqrt(3) * sqrt(2 / (fan_in + fan_out)).
  const double a = std::sqrt(3.0) * std::sqrt(2.0 / static_cast<double>(embed_dim + 3 * embed_dim));
  PTSER_RETURN_IF_ERROR(init::Uniform(in_w, -a, a));
  if (const Tensor* ob = out_proj->FindParameter("bias")) {
    std::memset(ob->mutable_data(), 0, static_cast<size_t>(ob->numel()) * ob->itemsize());
  }
  return m;
}

absl::StatusOr<std::pair<Tensor, Tensor>> MultiheadAttention::Attend(const Tensor& query,
                                                                     const Tensor& key,
                                                                     const Tensor& value) {
  const int64_t e = embed_dim_, h = num_heads_, hd = e / h;
  const bool unbatched = query.dim() == 2;
  if ((query.dim() != 2 && query.dim() != 3) || key.dim() != query.dim() ||
      value.dim() != query.dim() || query.sizes().back() != e || key.sizes().back() != e ||
      value.sizes().back() != e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MultiheadAttention: query, key and value must be (L, N, E) or (L, E) with E=", e,
        "; got ", ShapeToString(query.sizes()), ", ", ShapeToString(key.sizes()), ", ",
        ShapeToString(value.sizes())));
  }
  // To (N, L, E) contiguous.
  auto to_nle = [&](const Tensor& t) -> absl::StatusOr<Tensor> {
    if (unbatched) {
      PTSER_ASSIGN_OR_RETURN(Tensor u, Unsqueeze(t, 0));
      return Contiguous(u);
    }
    if (batch_first_) return Contiguous(t);
    PTSER_ASSIGN_OR_RETURN(Tensor tt, Transpose(t, 0, 1));
    return Contiguous(tt);
  };
  PTSER_ASSIGN_OR_RETURN(Tensor q, to_nle(query));
  PTSER_ASSIGN_OR_RETURN(Tensor k, to_nle(key));
  PTSER_ASSIGN_OR_RETURN(Tensor v, to_nle(value));
  const int64_t n = q.sizes()[0], l = q.sizes()[1], s = k.sizes()[1];
  if (k.sizes()[0] != n || v.sizes()[0] != n || v.sizes()[1] != s) {
    return absl::InvalidArgumentError("MultiheadAttention: key and value shapes disagree");
  }
  PTSER_ASSIGN_OR_RETURN(Tensor in_w, Parameter("in_proj_weight"));
  const Tensor* in_b = FindParameter("in_proj_bias");
  auto out_proj = Child("out_proj");
  PTSER_ASSIGN_OR_RETURN(Tensor out_w, out_proj->Parameter("weight"));
  const Tensor* out_b = out_proj->FindParameter("bias");
  if (q.dtype() != in_w.dtype()) {
    return absl::InvalidArgumentError("MultiheadAttention: input and weights must have one dtype");
  }
  PTSER_ASSIGN_OR_RETURN(Tensor attn, Empty({n, l, e}, q.dtype()));
  PTSER_ASSIGN_OR_RETURN(Tensor weights, Zeros({n, l, s}, q.dtype()));
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* w = Ptr<T>(in_w);
    const T* b = in_b != nullptr ? Ptr<T>(*in_b) : nullptr;
    std::vector<double> qp, kp, vp, ctx(static_cast<size_t>(l * e)), scores(static_cast<size_t>(s)),
        out;
    T* pw = static_cast<T*>(weights.mutable_data());
    T* pa = static_cast<T*>(attn.mutable_data());
    const double scale = 1 / std::sqrt(static_cast<double>(hd));
    for (int64_t bi = 0; bi < n; ++bi) {
      Project(Ptr<T>(q) + bi * l * e, l, e, w, b, e, &qp);
      Project(Ptr<T>(k) + bi * s * e, s, e, w + e * e, b ? b + e : nullptr, e, &kp);
      Project(Ptr<T>(v) + bi * s * e, s, e, w + 2 * e * e, b ? b + 2 * e : nullptr, e, &vp);
      for (int64_t head = 0; head < h; ++head) {
        for (int64_t i = 0; i < l; ++i) {
          double mx = -INFINITY;
          for (int64_t j = 0; j < s; ++j) {
            double dot = 0;
            for (int64_t d = 0; d < hd; ++d) {
              dot += qp[static_cast<size_t>(i * e + head * hd + d)] * scale *
                     kp[static_cast<size_t>(j * e + head * hd + d)];
            }
            scores[static_cast<size_t>(j)] = dot;
            mx = std::max(mx, dot);
          }
          double sum = 0;
          for (int64_t j = 0; j < s; ++j) sum += (scores[j] = std::exp(scores[j] - mx));
          for (int64_t d = 0; d < hd; ++d) {
            double acc = 0;
            for (int64_t j = 0; j < s; ++j) acc += scores[j] / sum * vp[j * e + head * hd + d];
            ctx[static_cast<size_t>(i * e + head * hd + d)] = acc;
          }
          for (int64_t j = 0; j < s; ++j) {
            pw[(bi * l + i) * s + j] += static_cast<T>(scores[j] / sum / static_cast<double>(h));
          }
        }
      }
      // out_proj over the context rows.
      std::vector<T> ctx_t(ctx.begin(), ctx.end());
      Project(ctx_t.data(), l, e, Ptr<T>(out_w), out_b ? Ptr<T>(*out_b) : nullptr, e, &out);
      for (int64_t i = 0; i < l * e; ++i) pa[bi * l * e + i] = static_cast<T>(out[i]);
    }
  };
  if (q.dtype() == ScalarType::kFloat) {
    run(static_cast<float*>(nullptr));
  } else if (q.dtype() == ScalarType::kDouble) {
    run(static_cast<double*>(nullptr));
  } else {
    return absl::InvalidArgumentError("MultiheadAttention: float32 and float64 are supported");
  }
  // Back to the caller's layout.
  if (unbatched) {
    PTSER_ASSIGN_OR_RETURN(Tensor a0, Squeeze(attn, 0));
    PTSER_ASSIGN_OR_RETURN(Tensor w0, Squeeze(weights, 0));
    return std::make_pair(a0, w0);
  }
  if (!batch_first_) {
    PTSER_ASSIGN_OR_RETURN(Tensor t, Transpose(attn, 0, 1));
    PTSER_ASSIGN_OR_RETURN(attn, Contiguous(t));
  }
  return std::make_pair(attn, weights);
}

absl::StatusOr<Tensor> MultiheadAttention::Forward(const Tensor& x) {
  PTSER_ASSIGN_OR_RETURN(auto out, Attend(x, x, x));
  return out.first;
}

}  // namespace ptser::nn
