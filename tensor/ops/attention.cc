// Copyright ptser authors.
//
// tensor/ops/attention.cc — F.multi_head_attention_forward (no bias_k/v,
// no zero attention, packed in-projection weights).

#include "tensor/ops/attention.h"

#include <cmath>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/comparison.h"
#include "tensor/ops/bitwise.h"
#include "tensor/ops/dropout.h"
#include "tensor/ops/indexing.h"
#include "tensor/ops/linalg.h"
#include "tensor/ops/reduction.h"
#include "tensor/ops/shape.h"
#include "tensor/ops/softmax.h"
#include "tensor/views.h"

namespace ptser {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

bool IsBoolMask(const Tensor& t) {
  return t.dtype() == ScalarType::kBool || t.dtype() == ScalarType::kByte;
}

absl::StatusOr<Tensor> AsBool(const Tensor& t) {
  if (t.dtype() == ScalarType::kBool) return t;
  return Ne(t, Scalar(int64_t{0}));
}

// The additive float mask of a bool mask: -inf where true, 0 elsewhere.
absl::StatusOr<Tensor> AdditiveMask(const Tensor& mask, ScalarType dtype) {
  PTSER_ASSIGN_OR_RETURN(Tensor b, AsBool(mask));
  PTSER_ASSIGN_OR_RETURN(Tensor zeros, Zeros(b.sizes(), dtype));
  PTSER_RETURN_IF_ERROR(MaskedFillInplace(zeros, b, Scalar(kNegInf)));
  return zeros;
}

// _in_projection_packed.
absl::Status InProjection(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in,
                          bool same_qkv, bool same_kv, const AttentionParams& p, int64_t e,
                          Tensor* q, Tensor* k, Tensor* v) {
  const Tensor& w = p.in_proj_weight;
  const std::optional<Tensor>& b = p.in_proj_bias;
  if (same_qkv) {
    PTSER_ASSIGN_OR_RETURN(Tensor qkv, Linear(q_in, w, b));
    PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> parts, Chunk(qkv, 3, -1));
    *q = parts[0];
    *k = parts[1];
    *v = parts[2];
    return absl::OkStatus();
  }
  if (same_kv) {
    PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> ws, SplitWithSizes(w, {e, 2 * e}, 0));
    std::optional<Tensor> bq, bkv;
    if (b) {
      PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> bs, SplitWithSizes(*b, {e, 2 * e}, 0));
      bq = bs[0];
      bkv = bs[1];
    }
    PTSER_ASSIGN_OR_RETURN(*q, Linear(q_in, ws[0], bq));
    PTSER_ASSIGN_OR_RETURN(Tensor kv, Linear(k_in, ws[1], bkv));
    PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> parts, Chunk(kv, 2, -1));
    *k = parts[0];
    *v = parts[1];
    return absl::OkStatus();
  }
  PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> ws, Chunk(w, 3, 0));
  std::vector<std::optional<Tensor>> bs(3);
  if (b) {
    PTSER_ASSIGN_OR_RETURN(std::vector<Tensor> parts, Chunk(*b, 3, 0));
    for (int i = 0; i < 3; ++i) bs[i] = parts[i];
  }
  PTSER_ASSIGN_OR_RETURN(*q, Linear(q_in, ws[0], bs[0]));
  PTSER_ASSIGN_OR_RETURN(*k, Linear(k_in, ws[1], bs[1]));
  PTSER_ASSIGN_OR_RETURN(*v, Linear(v_in, ws[2], bs[2]));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AttentionResult> MultiHeadAttention(const Tensor& query, const Tensor& key,
                                                   const Tensor& value,
                                                   const AttentionParams& p) {
  const bool batched = query.dim() == 3;
  if ((query.dim() != 2 && query.dim() != 3) || key.dim() != query.dim() ||
      value.dim() != query.dim()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "query should be unbatched 2D or batched 3D tensor but received ", query.dim(),
        "-D query tensor"));
  }
  const bool same_qkv = query.IsSameAs(key) && key.IsSameAs(value);
  const bool same_kv = key.IsSameAs(value);
  Tensor q_in = query, k_in = key, v_in = value;
  std::optional<Tensor> kpm = p.key_padding_mask;
  if (!batched) {
    PTSER_ASSIGN_OR_RETURN(q_in, Unsqueeze(query, 1));
    PTSER_ASSIGN_OR_RETURN(k_in, Unsqueeze(key, 1));
    PTSER_ASSIGN_OR_RETURN(v_in, Unsqueeze(value, 1));
    if (kpm) {
      PTSER_ASSIGN_OR_RETURN(kpm, Unsqueeze(*kpm, 0));
    }
  }
  const int64_t tgt_len = q_in.sizes()[0], bsz = q_in.sizes()[1], e = q_in.sizes()[2];
  const int64_t src_len = k_in.sizes()[0];
  const int64_t h = p.num_heads;
  if (h <= 0 || e % h != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("embed_dim ", e, " not divisible by num_heads ", h));
  }
  const int64_t hd = e / h;
  if (k_in.sizes() != v_in.sizes()) {
    return absl::InvalidArgumentError(absl::StrCat("key shape ", ShapeToString(key.sizes()),
                                                   " does not match value shape ",
                                                   ShapeToString(value.sizes())));
  }
  Tensor q, k, v;
  PTSER_RETURN_IF_ERROR(InProjection(q_in, k_in, v_in, same_qkv, same_kv, p, e, &q, &k, &v));

  // The attention mask, 3-D.
  std::optional<Tensor> mask;
  if (p.attn_mask) {
    Tensor m = *p.attn_mask;
    if (m.dim() == 2) {
      if (m.sizes() != std::vector<int64_t>{tgt_len, src_len}) {
        return absl::InvalidArgumentError(absl::StrCat(
            "The shape of the 2D attn_mask is ", ShapeToString(m.sizes()), ", but should be (",
            tgt_len, ", ", src_len, ")."));
      }
      PTSER_ASSIGN_OR_RETURN(m, Unsqueeze(m, 0));
    } else if (m.dim() == 3) {
      if (m.sizes() != std::vector<int64_t>{bsz * h, tgt_len, src_len}) {
        return absl::InvalidArgumentError(absl::StrCat(
            "The shape of the 3D attn_mask is ", ShapeToString(m.sizes()), ", but should be (",
            bsz * h, ", ", tgt_len, ", ", src_len, ")."));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("attn_mask's dimension ", m.dim(), " is not supported"));
    }
    if (m.dtype() == ScalarType::kByte) {
      PTSER_ASSIGN_OR_RETURN(m, AsBool(m));
    }
    mask = m;
  }
  // Heads: (L, N, E) -> (N * H, L, hd).
  auto heads = [&](const Tensor& t, int64_t len) -> absl::StatusOr<Tensor> {
    PTSER_ASSIGN_OR_RETURN(Tensor c, Contiguous(t));
    PTSER_ASSIGN_OR_RETURN(Tensor view, View(c, {len, bsz * h, hd}));
    return Transpose(view, 0, 1);
  };
  PTSER_ASSIGN_OR_RETURN(q, heads(q, tgt_len));
  PTSER_ASSIGN_OR_RETURN(k, heads(k, src_len));
  PTSER_ASSIGN_OR_RETURN(v, heads(v, src_len));
  // Merge the key padding mask into the attention mask.
  if (kpm) {
    if (kpm->sizes() != std::vector<int64_t>{bsz, src_len}) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expecting key_padding_mask shape of (", bsz, ", ", src_len, "), but got ",
          ShapeToString(kpm->sizes())));
    }
    PTSER_ASSIGN_OR_RETURN(Tensor m4, View(*kpm, {bsz, 1, 1, src_len}));
    PTSER_ASSIGN_OR_RETURN(m4, Expand(m4, {-1, h, -1, -1}));
    PTSER_ASSIGN_OR_RETURN(Tensor merged, Reshape(m4, {bsz * h, 1, src_len}));
    if (IsBoolMask(merged)) {
      PTSER_ASSIGN_OR_RETURN(merged, AsBool(merged));
    }
    if (!mask) {
      mask = merged;
    } else if (mask->dtype() == ScalarType::kBool && merged.dtype() == ScalarType::kBool) {
      PTSER_ASSIGN_OR_RETURN(mask, LogicalOr(*mask, merged));
    } else if (merged.dtype() == ScalarType::kBool) {
      PTSER_ASSIGN_OR_RETURN(mask, MaskedFill(*mask, merged, Scalar(kNegInf)));
    } else {
      if (mask->dtype() == ScalarType::kBool) {
        PTSER_ASSIGN_OR_RETURN(mask, AdditiveMask(*mask, q.dtype()));
      }
      PTSER_ASSIGN_OR_RETURN(mask, Add(*mask, merged));
    }
  }
  if (mask && mask->dtype() == ScalarType::kBool) {
    PTSER_ASSIGN_OR_RETURN(mask, AdditiveMask(*mask, q.dtype()));
  }

  PTSER_ASSIGN_OR_RETURN(Tensor q_scaled, Div(q, Scalar(std::sqrt(static_cast<double>(hd)))));
  PTSER_ASSIGN_OR_RETURN(Tensor kt, Transpose(k, -2, -1));
  Tensor scores;
  if (mask) {
    PTSER_ASSIGN_OR_RETURN(scores, Baddbmm(*mask, q_scaled, kt));
  } else {
    PTSER_ASSIGN_OR_RETURN(scores, Bmm(q_scaled, kt));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor weights, Softmax(scores, -1));
  if (p.training && p.dropout > 0) {
    PTSER_ASSIGN_OR_RETURN(weights, Dropout(weights, p.dropout, true, p.generator));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor context, Bmm(weights, v));
  PTSER_ASSIGN_OR_RETURN(Tensor ct, Transpose(context, 0, 1));
  PTSER_ASSIGN_OR_RETURN(ct, Contiguous(ct));
  PTSER_ASSIGN_OR_RETURN(ct, View(ct, {tgt_len * bsz, e}));
  PTSER_ASSIGN_OR_RETURN(Tensor out, Linear(ct, p.out_proj_weight, p.out_proj_bias));
  PTSER_ASSIGN_OR_RETURN(out, View(out, {tgt_len, bsz, out.sizes()[1]}));

  AttentionResult result;
  if (p.need_weights) {
    PTSER_ASSIGN_OR_RETURN(Tensor w4, View(weights, {bsz, h, tgt_len, src_len}));
    if (p.average_attn_weights) {
      PTSER_ASSIGN_OR_RETURN(Tensor summed, Sum(w4, {1}));
      PTSER_ASSIGN_OR_RETURN(w4, Div(summed, Scalar(h)));
    }
    if (!batched) {
      PTSER_ASSIGN_OR_RETURN(w4, Squeeze(w4, 0));
    }
    result.weights = w4;
  }
  if (!batched) {
    PTSER_ASSIGN_OR_RETURN(out, Squeeze(out, 1));
  }
  result.output = out;
  return result;
}

}  // namespace ptser
