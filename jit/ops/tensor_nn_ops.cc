// Copyright ptser authors.
//
// aten:: nn operators over tensor/ops/normalization.h, embedding.h,
// dropout.h, pooling.h, conv.h and rnn.h.  Schemas are PyTorch 1.13's
// text, overloads in its order.

#include "jit/ops/tensor_nn_ops.h"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/attention.h"
#include "tensor/ops/conv.h"
#include "tensor/ops/dropout.h"
#include "tensor/ops/embedding.h"
#include "tensor/ops/linalg.h"
#include "tensor/ops/normalization.h"
#include "tensor/ops/pooling.h"
#include "tensor/ops/rnn.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::IntList;
using ops_internal::OptionalIntList;
using ops_internal::ToDouble;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::OptionalDouble;
using tensor_args::OptionalTensor;
using tensor_args::Result;
using tensor_args::T;
using tensor_args::TensorList;

// The first element of an `int[1]` argument (a default of [] gives
// `fallback`).
int64_t First(const Value& v, int64_t fallback) {
  const std::vector<int64_t> x = IntList(v);
  return x.empty() ? fallback : x[0];
}

// An `int[2]` argument ([] gives `fallback`, one value is repeated).
std::array<int64_t, 2> Two(const Value& v, std::array<int64_t, 2> fallback) {
  const std::vector<int64_t> x = IntList(v);
  if (x.empty()) return fallback;
  return {x[0], x.size() > 1 ? x[1] : x[0]};
}

Result Pool(absl::StatusOr<PoolResult> r) {
  if (!r.ok()) return r.status();
  return tensor_args::TensorTuple(std::vector<Tensor>{r->values, r->indices});
}

void NormalizationOps(OpTable& t) {
  t.AddTensor("aten::batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, "
              "Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled) "
              "-> Tensor",
              [](Args a) {
                return BatchNorm(T(a[0]), OptionalTensor(a[1]), OptionalTensor(a[2]),
                                 OptionalTensor(a[3]), OptionalTensor(a[4]), a[5].as_bool(),
                                 ToDouble(a[6]), ToDouble(a[7]));
              });
  t.AddTensor("aten::instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? "
              "running_mean, Tensor? running_var, bool use_input_stats, float momentum, float "
              "eps, bool cudnn_enabled) -> Tensor",
              [](Args a) {
                return InstanceNorm(T(a[0]), OptionalTensor(a[1]), OptionalTensor(a[2]),
                                    OptionalTensor(a[3]), OptionalTensor(a[4]), a[5].as_bool(),
                                    ToDouble(a[6]), ToDouble(a[7]));
              });
  t.AddTensor("aten::layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, "
              "Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enable=True) -> "
              "Tensor",
              [](Args a) {
                return LayerNorm(T(a[0]), IntList(a[1]), OptionalTensor(a[2]),
                                 OptionalTensor(a[3]), ToDouble(a[4]));
              });
  t.AddTensor("aten::group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? "
              "bias=None, float eps=1.0000000000000001e-05, bool cudnn_enabled=True) -> Tensor",
              [](Args a) {
                return GroupNorm(T(a[0]), a[1].as_int(), OptionalTensor(a[2]),
                                 OptionalTensor(a[3]), ToDouble(a[4]));
              });
}

void EmbeddingAndDropoutOps(OpTable& t) {
  auto embedding = [](Args a) -> absl::StatusOr<Tensor> {
    absl::StatusOr<Tensor> r = Embedding(T(a[0]), T(a[1]));
    if (!r.ok()) return tensor_args::AsIndexError(r.status());
    return r;
  };
  t.AddWithOut("aten::embedding(Tensor weight, Tensor indices, int padding_idx=-1, bool "
               "scale_grad_by_freq=False, bool sparse=False) -> Tensor",
               "aten::embedding.out(Tensor weight, Tensor indices, int padding_idx=-1, bool "
               "scale_grad_by_freq=False, bool sparse=False, *, Tensor(a!) out) -> Tensor(a!)",
               embedding);
  // dropout returns its input itself when it does nothing, as PyTorch.
  t.Add("aten::dropout(Tensor input, float p, bool train) -> Tensor",
        [](OpContext&, Args a) -> Result {
          absl::StatusOr<Tensor> r = Dropout(T(a[0]), ToDouble(a[1]), a[2].as_bool());
          if (!r.ok()) return r.status();
          if (r->IsSameAs(T(a[0]))) return a[0];
          return Value::FromTensor(*r);
        });
  t.AddInplace("aten::dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
               [](Args a) { return DropoutInplace(T(a[0]), ToDouble(a[1]), a[2].as_bool()); });
  t.Add("aten::feature_dropout(Tensor input, float p, bool train) -> Tensor",
        [](OpContext&, Args a) -> Result {
          absl::StatusOr<Tensor> r = FeatureDropout(T(a[0]), ToDouble(a[1]), a[2].as_bool());
          if (!r.ok()) return r.status();
          if (r->IsSameAs(T(a[0]))) return a[0];
          return Value::FromTensor(*r);
        });
  t.AddInplace("aten::feature_dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
               [](Args a) {
                 return FeatureDropoutInplace(T(a[0]), ToDouble(a[1]), a[2].as_bool());
               });
}

void PoolingOps(OpTable& t) {
  t.AddTensor("aten::max_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] "
              "padding=[0], int[1] dilation=[1], bool ceil_mode=False) -> Tensor",
              [](Args a) {
                const int64_t k = First(a[1], 1);
                return MaxPool1d(T(a[0]), k, First(a[2], k), First(a[3], 0), First(a[4], 1),
                                 a[5].as_bool());
              });
  auto max_with_indices = [](Args a) {
    PoolParams p;
    p.kernel = Two(a[1], {1, 1});
    p.stride = Two(a[2], p.kernel);
    p.padding = Two(a[3], {0, 0});
    p.dilation = Two(a[4], {1, 1});
    p.ceil_mode = a[5].as_bool();
    return MaxPool2dWithIndices(T(a[0]), p);
  };
  t.Add("aten::max_pool2d_with_indices(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] "
        "padding=0, int[2] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)",
        [max_with_indices](OpContext&, Args a) { return Pool(max_with_indices(a)); });
  t.AddTensor("aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] "
              "padding=[0], bool ceil_mode=False, bool count_include_pad=True) -> Tensor",
              [](Args a) {
                const int64_t k = First(a[1], 1);
                return AvgPool1d(T(a[0]), k, First(a[2], k), First(a[3], 0), a[4].as_bool(),
                                 a[5].as_bool());
              });
  t.AddTensor("aten::adaptive_avg_pool1d(Tensor self, int[1] output_size) -> Tensor",
              [](Args a) { return AdaptiveAvgPool1d(T(a[0]), First(a[1], 1)); });
  t.Add("aten::adaptive_max_pool1d(Tensor self, int[1] output_size) -> (Tensor, Tensor)",
        [](OpContext&, Args a) { return Pool(AdaptiveMaxPool1d(T(a[0]), First(a[1], 1))); });
  t.Add("aten::adaptive_max_pool2d(Tensor self, int[2] output_size) -> (Tensor, Tensor)",
        [](OpContext&, Args a) { return Pool(AdaptiveMaxPool2d(T(a[0]), Two(a[1], {1, 1}))); });
}

// The output size and scales of an upsample `.vec` call: output_size, or
// floor(input * scale) with the scales passed on.
struct UpsampleSize {
  std::array<int64_t, 2> size;
  std::optional<double> scale_h, scale_w;
};

absl::StatusOr<UpsampleSize> VecSize(const Tensor& input, const Value& output_size,
                                     const Value& scale_factors) {
  if (input.dim() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Non-empty 4D data tensor expected but got a tensor with sizes ",
        ShapeToString(input.sizes())));
  }
  const std::optional<std::vector<int64_t>> size = OptionalIntList(output_size);
  if (size && !scale_factors.is_none()) {
    return absl::InvalidArgumentError(
        "Must specify exactly one of output_size and scale_factors");
  }
  if (size) {
    if (size->size() != 2) {
      return absl::InvalidArgumentError("upsample: output_size must have 2 elements");
    }
    return UpsampleSize{{(*size)[0], (*size)[1]}, std::nullopt, std::nullopt};
  }
  if (scale_factors.is_none()) {
    return absl::InvalidArgumentError("Must specify exactly one of output_size and scale_factors");
  }
  std::vector<double> scales;
  for (const Value& v : scale_factors.list().items()) scales.push_back(ToDouble(v));
  if (scales.size() != 2) {
    return absl::InvalidArgumentError("upsample: scale_factors must have 2 elements");
  }
  int64_t out[2];
  for (int k = 0; k < 2; ++k) {
    const double scaled = std::floor(static_cast<double>(input.sizes()[2 + k]) * scales[k]);
    // Checked before the cast (undefined for inf, NaN or past int64).
    if (!(scaled >= 0 && scaled < 9.2e18)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "upsample: scale factor ", scales[k], " gives no valid output size for an input of ",
          input.sizes()[2 + k]));
    }
    out[k] = static_cast<int64_t>(scaled);
  }
  return UpsampleSize{{out[0], out[1]}, scales[0], scales[1]};
}

void UpsampleOps(OpTable& t) {
  t.AddTensor("aten::upsample_nearest2d.vec(Tensor input, SymInt[]? output_size, float[]? "
              "scale_factors) -> Tensor",
              [](Args a) -> absl::StatusOr<Tensor> {
                absl::StatusOr<UpsampleSize> s = VecSize(T(a[0]), a[1], a[2]);
                if (!s.ok()) return s.status();
                return UpsampleNearest2d(T(a[0]), s->size, s->scale_h, s->scale_w);
              });
  auto nearest = [](Args a) {
    return UpsampleNearest2d(T(a[0]), Two(a[1], {1, 1}), OptionalDouble(a[2]),
                             OptionalDouble(a[3]));
  };
  t.AddWithOut("aten::upsample_nearest2d(Tensor self, SymInt[2] output_size, float? "
               "scales_h=None, float? scales_w=None) -> Tensor",
               "aten::upsample_nearest2d.out(Tensor self, SymInt[2] output_size, float? "
               "scales_h=None, float? scales_w=None, *, Tensor(a!) out) -> Tensor(a!)",
               nearest);
  t.AddTensor("aten::upsample_bilinear2d.vec(Tensor input, SymInt[]? output_size, bool "
              "align_corners, float[]? scale_factors) -> Tensor",
              [](Args a) -> absl::StatusOr<Tensor> {
                absl::StatusOr<UpsampleSize> s = VecSize(T(a[0]), a[1], a[3]);
                if (!s.ok()) return s.status();
                return UpsampleBilinear2d(T(a[0]), s->size, a[2].as_bool(), s->scale_h,
                                          s->scale_w);
              });
  auto bilinear = [](Args a) {
    return UpsampleBilinear2d(T(a[0]), Two(a[1], {1, 1}), a[2].as_bool(), OptionalDouble(a[3]),
                              OptionalDouble(a[4]));
  };
  t.AddWithOut("aten::upsample_bilinear2d(Tensor self, SymInt[2] output_size, bool "
               "align_corners, float? scales_h=None, float? scales_w=None) -> Tensor",
               "aten::upsample_bilinear2d.out(Tensor self, SymInt[2] output_size, bool "
               "align_corners, float? scales_h=None, float? scales_w=None, *, Tensor(a!) out) -> "
               "Tensor(a!)",
               bilinear);
}

void ConvOps(OpTable& t) {
  t.AddTensor("aten::conv_transpose1d(Tensor input, Tensor weight, Tensor? bias=None, int[1] "
              "stride=[1], int[1] padding=[0], int[1] output_padding=[0], int groups=1, int[1] "
              "dilation=[1]) -> Tensor",
              [](Args a) {
                ConvParams p;
                p.stride = {1, First(a[3], 1)};
                const int64_t pad = First(a[4], 0);
                p.padding = {0, 0, pad, pad};
                p.output_padding = {0, First(a[5], 0)};
                p.groups = a[6].as_int();
                p.dilation = {1, First(a[7], 1)};
                return ConvTranspose1d(T(a[0]), T(a[1]), OptionalTensor(a[2]), p);
              });
}

RnnOptions RnnOptionsOf(Args a, size_t first) {
  RnnOptions o;
  o.has_biases = a[first].as_bool();
  o.num_layers = a[first + 1].as_int();
  o.dropout = ToDouble(a[first + 2]);
  o.train = a[first + 3].as_bool();
  o.bidirectional = a[first + 4].as_bool();
  o.batch_first = a[first + 5].as_bool();
  return o;
}

Result RnnResultValue(absl::StatusOr<RnnResult> r, bool lstm) {
  if (!r.ok()) return r.status();
  if (lstm) return tensor_args::TensorTuple(std::vector<Tensor>{r->output, r->h_n, r->c_n});
  return tensor_args::TensorTuple(std::vector<Tensor>{r->output, r->h_n});
}

absl::Status PackedUnsupported(const char* op) {
  return absl::UnimplementedError(absl::StrCat(
      op, " over a PackedSequence (the .data overload) is not supported; pass a padded tensor"));
}

void RecurrentOps(OpTable& t) {
  using Simple = absl::StatusOr<RnnResult> (*)(const Tensor&, const Tensor&,
                                               absl::Span<const Tensor>, const RnnOptions&);
  struct Kind {
    const char* name;
    Simple f;
  };
  for (const Kind& k : {Kind{"rnn_relu", RnnRelu}, Kind{"rnn_tanh", RnnTanh}, Kind{"gru", Gru}}) {
    const Simple f = k.f;
    const std::string name = k.name;
    t.Add(absl::StrCat("aten::", name,
                       ".input(Tensor input, Tensor hx, Tensor[] params, bool has_biases, int "
                       "num_layers, float dropout, bool train, bool bidirectional, bool "
                       "batch_first) -> (Tensor, Tensor)"),
          [f](OpContext&, Args a) {
            const std::vector<Tensor> params = TensorList(a[2]);
            return RnnResultValue(f(T(a[0]), T(a[1]), params, RnnOptionsOf(a, 3)), false);
          });
    t.Add(absl::StrCat("aten::", name,
                       ".data(Tensor data, Tensor batch_sizes, Tensor hx, Tensor[] params, bool "
                       "has_biases, int num_layers, float dropout, bool train, bool "
                       "bidirectional) -> (Tensor, Tensor)"),
          [name](OpContext&, Args) -> Result { return PackedUnsupported(name.c_str()); });
  }
  t.Add("aten::lstm.input(Tensor input, Tensor[] hx, Tensor[] params, bool has_biases, int "
        "num_layers, float dropout, bool train, bool bidirectional, bool batch_first) -> "
        "(Tensor, Tensor, Tensor)",
        [](OpContext&, Args a) {
          const std::vector<Tensor> hx = TensorList(a[1]);
          const std::vector<Tensor> params = TensorList(a[2]);
          return RnnResultValue(Lstm(T(a[0]), hx, params, RnnOptionsOf(a, 3)), true);
        });
  t.Add("aten::lstm.data(Tensor data, Tensor batch_sizes, Tensor[] hx, Tensor[] params, bool "
        "has_biases, int num_layers, float dropout, bool train, bool bidirectional) -> (Tensor, "
        "Tensor, Tensor)",
        [](OpContext&, Args) -> Result { return PackedUnsupported("lstm"); });
}

// aten::_native_multi_head_attention, the fast path of
// nn.MultiheadAttention (batch_first inputs): mask_type 1 is a key padding
// mask, 0 (or None) an attention mask; without need_weights the second
// result is None (PyTorch's undefined tensor).
void AttentionOps(OpTable& t) {
  t.Add("aten::_native_multi_head_attention(Tensor query, Tensor key, Tensor value, int "
        "embed_dim, int num_head, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor "
        "proj_bias, Tensor? mask=None, bool need_weights=True, bool average_attn_weights=True, "
        "int? mask_type=None) -> (Tensor, Tensor)",
        [](OpContext&, Args a) -> Result {
          AttentionParams p;
          p.num_heads = a[4].as_int();
          p.in_proj_weight = T(a[5]);
          p.in_proj_bias = T(a[6]);
          p.out_proj_weight = T(a[7]);
          p.out_proj_bias = T(a[8]);
          if (!a[9].is_none()) {
            if (!a[12].is_none() && a[12].as_int() == 1) {
              p.key_padding_mask = T(a[9]);
            } else {
              p.attn_mask = T(a[9]);
            }
          }
          p.need_weights = a[10].as_bool();
          p.average_attn_weights = a[11].as_bool();
          const bool batched = T(a[0]).dim() == 3;
          Tensor q = T(a[0]), k = T(a[1]), v = T(a[2]);
          if (batched) {
            absl::StatusOr<Tensor> qt = Transpose(q, 0, 1), kt = Transpose(k, 0, 1),
                                   vt = Transpose(v, 0, 1);
            if (!qt.ok()) return qt.status();
            if (!kt.ok()) return kt.status();
            if (!vt.ok()) return vt.status();
            q = *qt;
            k = *kt;
            v = *vt;
          }
          absl::StatusOr<AttentionResult> r = MultiHeadAttention(q, k, v, p);
          if (!r.ok()) return r.status();
          Tensor out = r->output;
          if (batched) {
            absl::StatusOr<Tensor> back = Transpose(out, 0, 1);
            if (!back.ok()) return back.status();
            absl::StatusOr<Tensor> dense = Contiguous(*back);
            if (!dense.ok()) return dense.status();
            out = *dense;
          }
          return Value::NewTuple({Value::FromTensor(out), r->weights
                                                              ? Value::FromTensor(*r->weights)
                                                              : Value::None()});
        });
}

// aten::_transformer_encoder_layer_fwd, the fast path of a batch_first
// nn.TransformerEncoderLayer in eval mode: its forward without dropout.
absl::StatusOr<Tensor> EncoderLayer(Args a) {
  const Tensor& src = T(a[0]);
  AttentionParams p;
  p.num_heads = a[2].as_int();
  p.in_proj_weight = T(a[3]);
  p.in_proj_bias = T(a[4]);
  p.out_proj_weight = T(a[5]);
  p.out_proj_bias = T(a[6]);
  p.need_weights = false;
  if (!a[18].is_none()) {
    if (!a[19].is_none() && a[19].as_int() == 1) {
      p.key_padding_mask = T(a[18]);
    } else {
      p.attn_mask = T(a[18]);
    }
  }
  const bool use_gelu = a[7].as_bool(), norm_first = a[8].as_bool();
  const double eps = ToDouble(a[9]);
  const int64_t e = a[1].as_int();
  const bool batched = src.dim() == 3;
  auto self_attention = [&](const Tensor& t) -> absl::StatusOr<Tensor> {
    Tensor q = t;
    if (batched) {
      absl::StatusOr<Tensor> qt = Transpose(t, 0, 1);
      if (!qt.ok()) return qt.status();
      q = *qt;
    }
    absl::StatusOr<AttentionResult> r = MultiHeadAttention(q, q, q, p);
    if (!r.ok()) return r.status();
    if (!batched) return r->output;
    return Transpose(r->output, 0, 1);
  };
  auto feed_forward = [&](const Tensor& t) -> absl::StatusOr<Tensor> {
    absl::StatusOr<Tensor> hidden = Linear(t, T(a[14]), T(a[15]));
    if (!hidden.ok()) return hidden.status();
    hidden = use_gelu ? Gelu(*hidden) : Relu(*hidden);
    if (!hidden.ok()) return hidden.status();
    return Linear(*hidden, T(a[16]), T(a[17]));
  };
  auto norm = [&](const Tensor& t, int w) {
    return LayerNorm(t, {e}, T(a[w]), T(a[w + 1]), eps);
  };
  Tensor x = src;
  if (norm_first) {
    absl::StatusOr<Tensor> n1 = norm(x, 10);
    if (!n1.ok()) return n1.status();
    absl::StatusOr<Tensor> sa = self_attention(*n1);
    if (!sa.ok()) return sa.status();
    absl::StatusOr<Tensor> x1 = Add(x, *sa);
    if (!x1.ok()) return x1.status();
    absl::StatusOr<Tensor> n2 = norm(*x1, 12);
    if (!n2.ok()) return n2.status();
    absl::StatusOr<Tensor> ff = feed_forward(*n2);
    if (!ff.ok()) return ff.status();
    return Add(*x1, *ff);
  }
  absl::StatusOr<Tensor> sa = self_attention(x);
  if (!sa.ok()) return sa.status();
  absl::StatusOr<Tensor> s1 = Add(x, *sa);
  if (!s1.ok()) return s1.status();
  absl::StatusOr<Tensor> x1 = norm(*s1, 10);
  if (!x1.ok()) return x1.status();
  absl::StatusOr<Tensor> ff = feed_forward(*x1);
  if (!ff.ok()) return ff.status();
  absl::StatusOr<Tensor> s2 = Add(*x1, *ff);
  if (!s2.ok()) return s2.status();
  return norm(*s2, 12);
}

void EncoderLayerOps(OpTable& t) {
  const std::string args =
      "(Tensor src, int embed_dim, int num_heads, Tensor qkv_weight, Tensor qkv_bias, Tensor "
      "proj_weight, Tensor proj_bias, bool use_gelu, bool norm_first, float eps, Tensor "
      "norm_weight_1, Tensor norm_bias_1, Tensor norm_weight_2, Tensor norm_bias_2, Tensor "
      "ffn_weight_1, Tensor ffn_bias_1, Tensor ffn_weight_2, Tensor ffn_bias_2, Tensor? "
      "mask=None, int? mask_type=None";
  t.AddWithOut(absl::StrCat("aten::_transformer_encoder_layer_fwd", args, ") -> Tensor"),
               absl::StrCat("aten::_transformer_encoder_layer_fwd.out", args,
                            ", *, Tensor(a!) out) -> Tensor(a!)"),
               EncoderLayer);
}

}  // namespace

absl::Status RegisterTensorNnOps(OperatorRegistry& registry) {
  OpTable t;
  NormalizationOps(t);
  EmbeddingAndDropoutOps(t);
  PoolingOps(t);
  UpsampleOps(t);
  ConvOps(t);
  RecurrentOps(t);
  AttentionOps(t);
  EncoderLayerOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
