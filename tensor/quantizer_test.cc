// Copyright ptser authors.

#include "tensor/quantizer.h"

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

TEST(QuantizerTest, NamesRoundTrip) {
  for (QScheme s : {QScheme::kPerTensorAffine, QScheme::kPerChannelAffine,
                    QScheme::kPerTensorSymmetric, QScheme::kPerChannelSymmetric,
                    QScheme::kPerChannelAffineFloatQParams}) {
    ASSERT_OK_AND_ASSIGN(QScheme back, QSchemeFromName(QSchemeName(s)));
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(QSchemeName(QScheme::kPerChannelAffineFloatQParams),
            "per_channel_affine_float_qparams");
  EXPECT_EQ(static_cast<int>(QScheme::kPerChannelAffine), 1);
}

TEST(QuantizerTest, UnknownName) {
  EXPECT_THAT(QSchemeFromName("torch.per_tensor_affine"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("torch.per_tensor_affine")));
  EXPECT_EQ(QSchemeName(static_cast<QScheme>(42)), "unknown");
}

TEST(QuantizerTest, Defaults) {
  Quantizer q;
  EXPECT_EQ(q.scheme, QScheme::kPerTensorAffine);
  EXPECT_EQ(q.scale, 1.0);
  EXPECT_EQ(q.zero_point, 0);
  EXPECT_EQ(q.scales, nullptr);
}

}  // namespace
}  // namespace ptser
