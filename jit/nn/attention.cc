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
#include "tensor/ops/attention.h"
#include "tensor/views.h"

namespace ptser::nn {
namespace {

template <typename T>
const T* Ptr(const Tensor& t) {
  return static_cast<const T*>(t.data());
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

// tensor/ops/attention.h's MultiHeadAttention (F.multi_head_attention_forward)
// on the module's parameters; batch_first inputs are transposed to it and
// back, as nn.MultiheadAttention.forward does.
absl::StatusOr<std::pair<Tensor, Tensor>> MultiheadAttention::Attend(const Tensor& query,
                                                                     const Tensor& key,
                                                                     const Tensor& value) {
  const int64_t e = embed_dim_;
  if ((query.dim() != 2 && query.dim() != 3) || key.dim() != query.dim() ||
      value.dim() != query.dim() || query.sizes().back() != e || key.sizes().back() != e ||
      value.sizes().back() != e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MultiheadAttention: query, key and value must be (L, N, E) or (L, E) with E=", e,
        "; got ", ShapeToString(query.sizes()), ", ", ShapeToString(key.sizes()), ", ",
        ShapeToString(value.sizes())));
  }
  AttentionParams p;
  p.num_heads = num_heads_;
  PTSER_ASSIGN_OR_RETURN(p.in_proj_weight, Parameter("in_proj_weight"));
  if (const Tensor* b = FindParameter("in_proj_bias")) p.in_proj_bias = *b;
  auto out_proj = Child("out_proj");
  PTSER_ASSIGN_OR_RETURN(p.out_proj_weight, out_proj->Parameter("weight"));
  if (const Tensor* b = out_proj->FindParameter("bias")) p.out_proj_bias = *b;
  if (query.dtype() != p.in_proj_weight.dtype()) {
    return absl::InvalidArgumentError("MultiheadAttention: input and weights must have one dtype");
  }
  const bool transpose = batch_first_ && query.dim() == 3;
  Tensor q = query, k = key, v = value;
  if (transpose) {
    PTSER_ASSIGN_OR_RETURN(q, Transpose(query, 1, 0));
    PTSER_ASSIGN_OR_RETURN(k, Transpose(key, 1, 0));
    PTSER_ASSIGN_OR_RETURN(v, Transpose(value, 1, 0));
  }
  PTSER_ASSIGN_OR_RETURN(AttentionResult r, ptser::MultiHeadAttention(q, k, v, p));
  Tensor out = r.output;
  if (transpose) {
    PTSER_ASSIGN_OR_RETURN(out, Transpose(out, 1, 0));
  }
  return std::make_pair(out, *r.weights);
}

absl::StatusOr<Tensor> MultiheadAttention::Forward(const Tensor& x) {
  PTSER_ASSIGN_OR_RETURN(auto out, Attend(x, x, x));
  return out.first;
}

}  // namespace ptser::nn
