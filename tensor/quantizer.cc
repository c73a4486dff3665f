// Copyright ptser authors.
//
// tensor/quantizer.cc — qscheme names.

#include "tensor/quantizer.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ptser {
namespace {

struct SchemeName {
  QScheme scheme;
  absl::string_view name;
};

constexpr SchemeName kSchemes[] = {
    {QScheme::kPerTensorAffine, "per_tensor_affine"},
    {QScheme::kPerChannelAffine, "per_channel_affine"},
    {QScheme::kPerTensorSymmetric, "per_tensor_symmetric"},
    {QScheme::kPerChannelSymmetric, "per_channel_symmetric"},
    {QScheme::kPerChannelAffineFloatQParams,
     "per_channel_affine_float_qparams"},
};

}  // namespace

absl::string_view QSchemeName(QScheme scheme) {
  for (const SchemeName& s : kSchemes) {
    if (s.scheme == scheme) return s.name;
  }
  return "unknown";
}

absl::StatusOr<QScheme> QSchemeFromName(absl::string_view name) {
  for (const SchemeName& s : kSchemes) {
    if (s.name == name) return s.scheme;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown qscheme '", name, "'"));
}

}  // namespace ptser
