// Copyright ptser authors.
//
// tensor/quantizer.h — what a checkpoint records about a quantized tensor.
//
// `torch._utils._rebuild_qtensor` carries a quantizer tuple (docs/formats/pickle.md,
// "Layout"): `(torch.per_tensor_affine, scale, zero_point)` or
// `(torch.per_channel_affine, scales, zero_points, axis)` (also used for
// per_channel_affine_float_qparams).  ptser keeps it so the tensor saves back
// unchanged; it does not compute with quantized values.
#ifndef PTSER_TENSOR_QUANTIZER_H_
#define PTSER_TENSOR_QUANTIZER_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ptser {

class Tensor;

// PyTorch's qscheme enum (torch.per_tensor_affine == 0, ...).
enum class QScheme : int8_t {
  kPerTensorAffine = 0,
  kPerChannelAffine = 1,
  kPerTensorSymmetric = 2,
  kPerChannelSymmetric = 3,
  kPerChannelAffineFloatQParams = 4,
};

// "per_tensor_affine", ... (without "torch.").
absl::string_view QSchemeName(QScheme scheme);
absl::StatusOr<QScheme> QSchemeFromName(absl::string_view name);

struct Quantizer {
  QScheme scheme = QScheme::kPerTensorAffine;
  // Per-tensor schemes.
  double scale = 1.0;
  int64_t zero_point = 0;
  // Per-channel schemes: float64 scales and int64 zero points along `axis`.
  // Held by pointer because Tensor is incomplete here.
  std::shared_ptr<const Tensor> scales;
  std::shared_ptr<const Tensor> zero_points;
  int64_t axis = 0;
};

}  // namespace ptser

#endif  // PTSER_TENSOR_QUANTIZER_H_
