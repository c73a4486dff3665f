// Copyright ptser authors.
#include "jit/nn/conv.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/nn/init.h"
#include "tensor/factories.h"

namespace ptser::nn {
namespace {

// `v` with one value per spatial dimension (a single value repeats).
absl::StatusOr<std::vector<int64_t>> PerDim(const std::vector<int64_t>& v, int dims,
                                            const char* what) {
  if (v.size() == 1) return std::vector<int64_t>(static_cast<size_t>(dims), v[0]);
  if (static_cast<int>(v.size()) == dims) return v;
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must have 1 or ", dims, " values, got ", v.size()));
}

}  // namespace

absl::StatusOr<std::shared_ptr<Conv>> Conv::Make1d(int64_t in, int64_t out, ConvOptions o) {
  return Make("Conv1d", 1, false, in, out, std::move(o));
}
absl::StatusOr<std::shared_ptr<Conv>> Conv::Make2d(int64_t in, int64_t out, ConvOptions o) {
  return Make("Conv2d", 2, false, in, out, std::move(o));
}
absl::StatusOr<std::shared_ptr<Conv>> Conv::MakeTranspose2d(int64_t in, int64_t out,
                                                            ConvOptions o) {
  return Make("ConvTranspose2d", 2, true, in, out, std::move(o));
}

absl::StatusOr<std::shared_ptr<Conv>> Conv::Make(const char* name, int dims, bool transposed,
                                                 int64_t in_channels, int64_t out_channels,
                                                 ConvOptions o) {
  if (o.groups <= 0) return absl::InvalidArgumentError("groups must be a positive integer");
  if (in_channels % o.groups != 0) {
    return absl::InvalidArgumentError("in_channels must be divisible by groups");
  }
  if (out_channels % o.groups != 0) {
    return absl::InvalidArgumentError("out_channels must be divisible by groups");
  }
  PTSER_ASSIGN_OR_RETURN(auto kernel, PerDim(o.kernel_size, dims, "kernel_size"));
  PTSER_ASSIGN_OR_RETURN(auto stride, PerDim(o.stride, dims, "stride"));
  PTSER_ASSIGN_OR_RETURN(auto dilation, PerDim(o.dilation, dims, "dilation"));
  PTSER_ASSIGN_OR_RETURN(auto output_padding, PerDim(o.output_padding, dims, "output_padding"));
  std::vector<int64_t> left(dims, 0), right(dims, 0);  // per dimension
  if (o.padding_string.empty()) {
    PTSER_ASSIGN_OR_RETURN(auto padding, PerDim(o.padding, dims, "padding"));
    for (int d = 0; d < dims; ++d) left[d] = right[d] = padding[d];
  } else if (o.padding_string == "valid") {
    // no padding
  } else if (o.padding_string == "same") {
    if (transposed) {
      return absl::InvalidArgumentError("padding='same' is not supported for ConvTranspose2d");
    }
    for (int64_t s : stride) {
      if (s != 1) {
        return absl::InvalidArgumentError(
            "padding='same' is not supported for strided convolutions");
      }
    }
    for (int d = 0; d < dims; ++d) {
      const int64_t total = dilation[d] * (kernel[d] - 1);
      left[d] = total / 2;
      right[d] = total - left[d];
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid padding string '", o.padding_string, "', should be one of {'valid', 'same'}"));
  }
  std::shared_ptr<Conv> m(new Conv(name, dims, transposed));
  PadMode mode;
  if (o.padding_mode == "zeros") {
    mode = PadMode::kConstant;
  } else if (o.padding_mode == "reflect") {
    mode = PadMode::kReflect;
  } else if (o.padding_mode == "replicate") {
    mode = PadMode::kReplicate;
  } else if (o.padding_mode == "circular") {
    mode = PadMode::kCircular;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got "
        "padding_mode='", o.padding_mode, "'"));
  }
  if (transposed && mode != PadMode::kConstant) {
    return absl::InvalidArgumentError(
        "Only \"zeros\" padding mode is supported for ConvTranspose2d");
  }
  m->pad_mode_ = mode;
  ConvParams& p = m->params_;
  p.groups = o.groups;
  // The op's arrays are (height, width); Conv1d uses the width slots.
  const int off = 2 - dims;
  for (int d = 0; d < dims; ++d) {
    p.stride[off + d] = stride[d];
    p.dilation[off + d] = dilation[d];
    p.output_padding[off + d] = output_padding[d];
  }
  if (mode == PadMode::kConstant) {
    for (int d = 0; d < dims; ++d) {
      p.padding[2 * (off + d)] = left[d];
      p.padding[2 * (off + d) + 1] = right[d];
    }
  } else {
    // F.pad's order: the last dimension first.
    for (int d = dims - 1; d >= 0; --d) {
      m->pad_.push_back(left[d]);
      m->pad_.push_back(right[d]);
    }
  }
  std::vector<int64_t> wshape;
  wshape.reserve(2 + kernel.size());
  wshape.push_back(transposed ? in_channels : out_channels);
  wshape.push_back((transposed ? out_channels : in_channels) / o.groups);
  for (int64_t k : kernel) wshape.push_back(k);
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Empty(wshape, o.dtype));
  PTSER_RETURN_IF_ERROR(m->RegisterParameter("weight", weight));
  std::optional<Tensor> bias;
  if (o.bias) {
    PTSER_ASSIGN_OR_RETURN(bias, Empty({out_channels}, o.dtype));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", *bias));
  } else {
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", std::nullopt));
  }
  PTSER_RETURN_IF_ERROR(init::ResetWeightAndBias(weight, bias ? &*bias : nullptr));
  return m;
}

absl::StatusOr<Tensor> Conv::ForwardFused(const Tensor& x, const ConvEpilogue& epilogue) {
  if (!is_zero_padded_conv2d()) {
    return absl::FailedPreconditionError(
        absl::StrCat(type_name(), ": only a zero-padded Conv2d runs fused"));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Parameter("weight"));
  const Tensor* b = FindParameter("bias");
  std::optional<Tensor> bias = b ? std::optional<Tensor>(*b) : std::nullopt;
  return Conv2dFused(x, weight, bias, params_, epilogue);
}

absl::StatusOr<Tensor> Conv::Forward(const Tensor& x) {
  PTSER_ASSIGN_OR_RETURN(Tensor weight, Parameter("weight"));
  const Tensor* b = FindParameter("bias");
  std::optional<Tensor> bias = b ? std::optional<Tensor>(*b) : std::nullopt;
  Tensor input = x;
  if (!pad_.empty()) {
    PTSER_ASSIGN_OR_RETURN(input, Pad(x, pad_, pad_mode_));
  }
  if (transposed_) return ConvTranspose2d(input, weight, bias, params_);
  if (dims_ == 1) return Conv1d(input, weight, bias, params_);
  return Conv2d(input, weight, bias, params_);
}

}  // namespace ptser::nn
