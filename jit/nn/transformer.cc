// Copyright ptser authors.
#include "jit/nn/transformer.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/nn/activation.h"
#include "jit/nn/attention.h"
#include "jit/nn/basic.h"
#include "jit/nn/containers.h"
#include "jit/nn/linear.h"
#include "jit/nn/normalization.h"
#include "tensor/generator.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/arithmetic.h"

namespace ptser::nn {

absl::StatusOr<std::shared_ptr<TransformerEncoderLayer>> TransformerEncoderLayer::Make(
    TransformerEncoderLayerOptions o) {
  if (o.activation != "relu" && o.activation != "gelu") {
    return absl::InvalidArgumentError(
        absl::StrCat("activation should be relu/gelu, not ", o.activation));
  }
  std::shared_ptr<TransformerEncoderLayer> m(new TransformerEncoderLayer(o));
  PTSER_ASSIGN_OR_RETURN(auto attn,
                         MultiheadAttention::Make(o.d_model, o.nhead, true, o.batch_first, o.dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("self_attn", attn));
  PTSER_ASSIGN_OR_RETURN(auto linear1, Linear::Make(o.d_model, o.dim_feedforward, true, o.dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("linear1", linear1));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("dropout", std::make_shared<Dropout>(o.dropout)));
  PTSER_ASSIGN_OR_RETURN(auto linear2, Linear::Make(o.dim_feedforward, o.d_model, true, o.dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("linear2", linear2));
  PTSER_ASSIGN_OR_RETURN(auto norm1, LayerNorm::Make({o.d_model}, o.layer_norm_eps, true, o.dtype));
  PTSER_ASSIGN_OR_RETURN(auto norm2, LayerNorm::Make({o.d_model}, o.layer_norm_eps, true, o.dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("norm1", norm1));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("norm2", norm2));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("dropout1", std::make_shared<Dropout>(o.dropout)));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("dropout2", std::make_shared<Dropout>(o.dropout)));
  return m;
}

absl::StatusOr<std::shared_ptr<TransformerEncoderLayer>> TransformerEncoderLayer::DeepCopy() const {
  // Building a layer draws from the generator; a copy must not.
  const Generator saved = DefaultGenerator();
  absl::StatusOr<std::shared_ptr<TransformerEncoderLayer>> copy = Make(options_);
  DefaultGenerator() = saved;
  if (!copy.ok()) return copy.status();
  PTSER_ASSIGN_OR_RETURN(IncompatibleKeys keys, (*copy)->LoadStateDict(StateDict()));
  (void)keys;
  (*copy)->Train(is_training());
  return copy;
}

absl::StatusOr<Tensor> TransformerEncoderLayer::Forward(const Tensor& x) {
  auto sa_block = [this](const Tensor& in) -> absl::StatusOr<Tensor> {
    PTSER_ASSIGN_OR_RETURN(Tensor y, Child("self_attn")->Forward(in));
    return Child("dropout1")->Forward(y);
  };
  auto ff_block = [this](const Tensor& in) -> absl::StatusOr<Tensor> {
    PTSER_ASSIGN_OR_RETURN(Tensor y, Child("linear1")->Forward(in));
    if (options_.activation == "relu") {
      PTSER_ASSIGN_OR_RETURN(y, Relu(y));
    } else {
      PTSER_ASSIGN_OR_RETURN(y, Gelu(y));
    }
    PTSER_ASSIGN_OR_RETURN(y, Child("dropout")->Forward(y));
    PTSER_ASSIGN_OR_RETURN(y, Child("linear2")->Forward(y));
    return Child("dropout2")->Forward(y);
  };
  Tensor h = x;
  if (options_.norm_first) {
    PTSER_ASSIGN_OR_RETURN(Tensor n1, Child("norm1")->Forward(h));
    PTSER_ASSIGN_OR_RETURN(Tensor a, sa_block(n1));
    PTSER_ASSIGN_OR_RETURN(h, Add(h, a));
    PTSER_ASSIGN_OR_RETURN(Tensor n2, Child("norm2")->Forward(h));
    PTSER_ASSIGN_OR_RETURN(Tensor f, ff_block(n2));
    return Add(h, f);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor a, sa_block(h));
  PTSER_ASSIGN_OR_RETURN(Tensor s1, Add(h, a));
  PTSER_ASSIGN_OR_RETURN(h, Child("norm1")->Forward(s1));
  PTSER_ASSIGN_OR_RETURN(Tensor f, ff_block(h));
  PTSER_ASSIGN_OR_RETURN(Tensor s2, Add(h, f));
  return Child("norm2")->Forward(s2);
}

absl::StatusOr<std::shared_ptr<TransformerEncoder>> TransformerEncoder::Make(
    const TransformerEncoderLayer& layer, int64_t num_layers, std::shared_ptr<Module> norm) {
  std::shared_ptr<TransformerEncoder> m(new TransformerEncoder());
  PTSER_ASSIGN_OR_RETURN(auto layers, ModuleList::Make());
  for (int64_t i = 0; i < num_layers; ++i) {
    PTSER_ASSIGN_OR_RETURN(auto copy, layer.DeepCopy());
    PTSER_RETURN_IF_ERROR(layers->Append(copy));
  }
  PTSER_RETURN_IF_ERROR(m->RegisterModule("layers", layers));
  if (norm != nullptr) {
    PTSER_RETURN_IF_ERROR(m->RegisterModule("norm", norm));
  }
  return m;
}

absl::StatusOr<Tensor> TransformerEncoder::Forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& [name, layer] : Child("layers")->NamedChildren()) {
    PTSER_ASSIGN_OR_RETURN(y, layer->Forward(y));
  }
  if (auto norm = Child("norm")) return norm->Forward(y);
  return y;
}

}  // namespace ptser::nn
