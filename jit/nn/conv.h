// Copyright ptser authors.
//
// jit/nn/conv.h — torch.nn.Conv1d, Conv2d and ConvTranspose2d.
//
// Parameters `weight` — (out, in / groups, *kernel) for convolutions,
// (in, out / groups, *kernel) for the transposed one — and `bias` (out, or
// None), initialised as PyTorch's reset_parameters (kaiming_uniform_ with
// a = sqrt(5), the bias uniform in +-1/sqrt(fan_in)) from the default
// generator.  padding is numbers, or "same" / "valid"; padding_mode
// "zeros", "reflect", "replicate" or "circular" (the non-zero modes pad the
// input with F.pad first, as PyTorch does).  The options are per spatial
// dimension: one entry each for Conv1d, two (height, width) for the others.
#ifndef PTSER_JIT_NN_CONV_H_
#define PTSER_JIT_NN_CONV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/ops/conv.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

struct ConvOptions {
  std::vector<int64_t> kernel_size;       // required
  std::vector<int64_t> stride = {1};      // one value repeats for every dimension
  std::vector<int64_t> padding = {0};
  std::string padding_string;             // "same" or "valid" instead of numbers
  std::vector<int64_t> output_padding = {0};  // transposed only
  std::vector<int64_t> dilation = {1};
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";
  ScalarType dtype = ScalarType::kFloat;
};

class Conv : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<Conv>> Make1d(int64_t in_channels, int64_t out_channels,
                                                      ConvOptions options);
  static absl::StatusOr<std::shared_ptr<Conv>> Make2d(int64_t in_channels, int64_t out_channels,
                                                      ConvOptions options);
  static absl::StatusOr<std::shared_ptr<Conv>> MakeTranspose2d(int64_t in_channels,
                                                               int64_t out_channels,
                                                               ConvOptions options);

  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

  // Whether this is a Conv2d with zero padding (padding_mode "zeros"): the
  // convolution ForwardFused runs.
  bool is_zero_padded_conv2d() const { return dims_ == 2 && !transposed_ && pad_.empty(); }
  // Forward followed by `epilogue` (tensor/ops/conv.h), in one pass where
  // oneDNN runs it; FailedPreconditionError unless is_zero_padded_conv2d().
  absl::StatusOr<Tensor> ForwardFused(const Tensor& x, const ConvEpilogue& epilogue);

 private:
  Conv(const char* name, int dims, bool transposed) : Module(name), dims_(dims), transposed_(transposed) {}
  static absl::StatusOr<std::shared_ptr<Conv>> Make(const char* name, int dims, bool transposed,
                                                    int64_t in_channels, int64_t out_channels,
                                                    ConvOptions options);
  int dims_;
  bool transposed_;
  ConvParams params_;            // zero padding (top, bottom, left, right) as the op takes it
  std::vector<int64_t> pad_;     // F.pad's (left, right[, top, bottom]) for the other modes
  PadMode pad_mode_ = PadMode::kConstant;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_CONV_H_
