// Copyright ptser authors.
//
// tensor/ops/dropout.cc — bernoulli masks and dropout.

#include "tensor/ops/dropout.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

absl::Status CheckP(double p) {
  if (!(p >= 0 && p <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("dropout probability has to be between 0 and 1, but got ", p));
  }
  return absl::OkStatus();
}

absl::Status CheckFloating(const Tensor& t) {
  if (!IsFloatingPoint(t.dtype())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dropout: expected a floating point tensor, got ", C10TypeName(t.dtype())));
  }
  return absl::OkStatus();
}

// at::uniform_real_distribution<double>(0, 1) on the generator's 64 bits,
// then transformation::bernoulli: u < p.
bool Draw(Generator& g, double p) {
  constexpr uint64_t kMask = (uint64_t{1} << 53) - 1;
  const double u = static_cast<double>(g.Random64() & kMask) * (1.0 / 9007199254740992.0);
  return u < p;
}

// The mask (scaled by 1 / (1 - p)) of `sizes` for dropout of `input`; p
// == 1 is a 0-dim zero and draws nothing, as in PyTorch.
absl::StatusOr<Tensor> ScaledMask(const Tensor& input, absl::Span<const int64_t> sizes, double p,
                                  Generator* generator) {
  if (p == 1) return AllocateTensor({}, input.dtype());
  PTSER_ASSIGN_OR_RETURN(Tensor noise, Bernoulli(sizes, 1 - p, input.dtype(), generator));
  PTSER_RETURN_IF_ERROR(DivInplace(noise, Scalar(1 - p)));
  return noise;
}

// (N, C, 1, ...) for feature dropout: one draw per (sample, channel).
std::vector<int64_t> FeatureNoiseShape(const Tensor& input) {
  std::vector<int64_t> shape(input.sizes().size(), 1);
  if (input.dim() >= 1) shape[0] = input.sizes()[0];
  if (input.dim() >= 2) shape[1] = input.sizes()[1];
  return shape;
}

}  // namespace

absl::StatusOr<Tensor> Bernoulli(absl::Span<const int64_t> sizes, double p, ScalarType dtype,
                                 Generator* generator) {
  if (!(p >= 0 && p <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bernoulli_ expects p to be in [0, 1], but got p=", p));
  }
  Generator& g = generator != nullptr ? *generator : DefaultGenerator();
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(sizes, dtype));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kAllTypes>(dtype, "bernoulli_", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    T* data = static_cast<T*>(out.mutable_data());
    for (int64_t i = 0; i < out.numel(); ++i) data[i] = Convert<T>(Draw(g, p));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tensor> Dropout(const Tensor& input, double p, bool train, Generator* generator) {
  PTSER_RETURN_IF_ERROR(CheckP(p));
  if (!train || p == 0 || input.numel() == 0) return input;
  PTSER_RETURN_IF_ERROR(CheckFloating(input));
  PTSER_ASSIGN_OR_RETURN(Tensor mask, ScaledMask(input, input.sizes(), p, generator));
  return Mul(input, mask);
}

absl::Status DropoutInplace(const Tensor& input, double p, bool train, Generator* generator) {
  PTSER_RETURN_IF_ERROR(CheckP(p));
  if (!train || p == 0 || input.numel() == 0) return absl::OkStatus();
  PTSER_RETURN_IF_ERROR(CheckFloating(input));
  PTSER_ASSIGN_OR_RETURN(Tensor mask, ScaledMask(input, input.sizes(), p, generator));
  return MulInplace(input, mask);
}

absl::StatusOr<Tensor> FeatureDropout(const Tensor& input, double p, bool train,
                                      Generator* generator) {
  PTSER_RETURN_IF_ERROR(CheckP(p));
  if (!train || p == 0 || input.numel() == 0) return input;
  PTSER_RETURN_IF_ERROR(CheckFloating(input));
  PTSER_ASSIGN_OR_RETURN(Tensor mask, ScaledMask(input, FeatureNoiseShape(input), p, generator));
  return Mul(input, mask);
}

absl::Status FeatureDropoutInplace(const Tensor& input, double p, bool train,
                                   Generator* generator) {
  PTSER_RETURN_IF_ERROR(CheckP(p));
  if (!train || p == 0 || input.numel() == 0) return absl::OkStatus();
  PTSER_RETURN_IF_ERROR(CheckFloating(input));
  PTSER_ASSIGN_OR_RETURN(Tensor mask, ScaledMask(input, FeatureNoiseShape(input), p, generator));
  return MulInplace(input, mask);
}

}  // namespace ptser
