// Copyright ptser authors.
//
// tensor/ops/attention_test.cc — multi-head attention against PyTorch
// 1.13's F.multi_head_attention_forward:
//
//   torch.manual_seed(0); L, S, N, E, H = 3, 2, 2, 4, 2
//   q = torch.randn(L, N, E); kv = torch.randn(S, N, E)
//   W = torch.randn(3 * E, E); b = torch.randn(3 * E)
//   Wo = torch.randn(E, E); bo = torch.randn(E)
//   o, w = F.multi_head_attention_forward(q, kv, kv, E, H, W, b, None, None, False, 0., Wo, bo,
//       training=False, key_padding_mask=tensor([[False, True], [False, False]]),
//       attn_mask=tensor([[0., -1.], [0.5, 0.], [0., 0.]]), average_attn_weights=False)
//   o2, w2 = F.multi_head_attention_forward(q, q, q, ..., training=False)

#include "tensor/ops/attention.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/ops/internal/test_util.h"

namespace ptser {
namespace {

using testing_util::T_;
using testing_util::Values;

void ExpectClose(const Tensor& got, const std::vector<float>& want, const std::string& what) {
  std::vector<float> v = Values<float>(got);
  ASSERT_EQ(v.size(), want.size()) << what;
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], 2e-6f * std::max(1.0f, std::fabs(want[i]))) << what << "[" << i << "]";
  }
}

const std::vector<float> k_q = {-1.12583983f, -1.1523602f, -0.250578582f, -0.433878809f, 0.848710358f, 0.692009151f, -0.31601277f, -2.11521935f, 0.468096405f, -0.157712445f, 1.44366014f, 0.266049415f, 0.166455343f, 0.87438184f, -0.143473849f, -0.111609332f, 0.931826591f, 1.25900924f, 2.00498056f, 0.0537369028f, 0.618056655f, -0.412802219f, -0.841064811f, -2.31604195f};
const std::vector<float> k_kv = {-0.215863258f, -0.742548168f, 0.562721372f, 0.259627402f, -0.173960999f, -0.678746223f, 0.938260734f, 0.488869816f, 1.20322371f, 0.0845346972f, -1.2001394f, -0.00478573795f, -0.518074811f, -0.306704193f, -1.58099389f, 1.70664334f};
const std::vector<float> k_W = {0.205525666f, -0.450329751f, -0.573077083f, -0.55535841f, 0.594323039f, 1.5419426f, 0.507334411f, -0.591033161f, -1.32532597f, 0.188553572f, -0.0690726861f, -0.49492535f, -1.49591494f, -0.193837121f, 0.445512176f, 1.32527483f, 1.50912189f, 2.08195543f, 1.70671165f, 2.38036752f, -1.12560165f, -0.316998094f, -1.09246826f, -0.0851942971f, 0.327614307f, -0.7607072f, -1.59908199f, 0.0184866674f, -0.750426829f, 0.185407981f, 0.621138334f, 0.638181567f, -0.00330387289f, -0.534440696f, 1.16868782f, 0.394502759f, 1.94146204f, 0.791498065f, -0.0202518273f, -0.437169552f, -1.53528714f, -0.412679136f, 0.966303289f, 1.62478316f, -0.365618795f, -1.3024404f, 0.0994034633f, 0.441822022f};
const std::vector<float> k_b = {1.09925056f, 2.75653839f, 0.175283328f, -0.931521118f, -1.50548971f, -0.660982549f, 1.32320166f, 0.0371143036f, -0.284909308f, -0.133441746f, 1.89291048f, 3.11104417f};
const std::vector<float> k_Wo = {-0.883375764f, -0.418913484f, -0.804826498f, 0.565609634f, 0.610364616f, 0.46688354f, 1.95065713f, -1.06309855f, -0.0773257539f, 0.116398647f, -0.593990803f, -1.24392819f, -0.102092631f, -1.03354836f, -0.312638819f, 0.245785475f};
const std::vector<float> k_bo = {-1.3360486f, 0.887096047f, 0.767957449f, 0.0571129993f};
const std::vector<float> k_o = {-1.94314742f, 3.0484705f, -6.90698719f, 1.24621248f, -0.158242941f, 2.48799896f, -7.16038322f, 2.1404767f, -1.94314742f, 3.0484705f, -6.90698719f, 1.24621248f, -0.163575649f, 2.50327539f, -7.1846323f, 2.13869905f, -1.94314742f, 3.0484705f, -6.90698719f, 1.24621248f, -0.18351984f, 2.49708891f, -7.14053249f, 2.1292665f};
const std::vector<float> k_w = {1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.000248304888f, 0.999751747f, 0.000585102302f, 0.999414921f, 0.0109924637f, 0.989007592f, 0.203580201f, 0.79641974f, 0.380868524f, 0.619131446f, 0.0498724133f, 0.950127602f};
const std::vector<float> k_o2 = {-3.50537038f, 4.03569984f, -6.81248951f, -2.57684207f, 3.13271189f, -8.31323814f, 0.312976599f, 0.80365783f, -0.614765882f, 1.67325771f, -3.69907308f, 3.00612688f, 2.87148523f, -7.70286417f, 0.603681803f, 0.596611202f, -0.651577115f, 1.70947158f, -3.429497f, 2.98846388f, 3.1500349f, -8.34611702f, 0.276183128f, 0.81152457f};
const std::vector<float> k_w2 = {0.481795043f, 0.0210330524f, 0.497171879f, 0.538892448f, 0.137472391f, 0.323635131f, 0.52598834f, 0.115672857f, 0.358338803f, 0.0547848046f, 0.499929488f, 0.445285708f, 0.165685385f, 0.477336347f, 0.356978238f, 0.0439221039f, 0.500018179f, 0.456059724f};

AttentionParams Params() {
  AttentionParams p;
  p.num_heads = 2;
  p.in_proj_weight = T_<float>(k_W, {{12, 4}});
  p.in_proj_bias = T_<float>(k_b);
  p.out_proj_weight = T_<float>(k_Wo, {{4, 4}});
  p.out_proj_bias = T_<float>(k_bo);
  return p;
}

TEST(MultiHeadAttentionTest, MasksAndPerHeadWeights) {
  AttentionParams p = Params();
  p.key_padding_mask = T_<bool>({false, true, false, false}, {{2, 2}});
  p.attn_mask = T_<float>({0, -1, 0.5f, 0, 0, 0}, {{3, 2}});
  p.average_attn_weights = false;
  const Tensor kv = T_<float>(k_kv, {{2, 2, 4}});
  ASSERT_OK_AND_ASSIGN(AttentionResult r, MultiHeadAttention(T_<float>(k_q, {{3, 2, 4}}), kv, kv, p));
  EXPECT_EQ(r.output.sizes(), (std::vector<int64_t>{3, 2, 4}));
  ExpectClose(r.output, k_o, "output");
  ASSERT_TRUE(r.weights.has_value());
  EXPECT_EQ(r.weights->sizes(), (std::vector<int64_t>{2, 2, 3, 2}));
  ExpectClose(*r.weights, k_w, "weights");
}

TEST(MultiHeadAttentionTest, SelfAttentionAveragedWeights) {
  const Tensor q = T_<float>(k_q, {{3, 2, 4}});
  ASSERT_OK_AND_ASSIGN(AttentionResult r, MultiHeadAttention(q, q, q, Params()));
  ExpectClose(r.output, k_o2, "output");
  ExpectClose(*r.weights, k_w2, "weights");
  AttentionParams p = Params();
  p.need_weights = false;
  p.attn_mask = T_<float>({0, 0, 0, 0}, {{2, 2}});
  EXPECT_THAT(MultiHeadAttention(q, q, q, p),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "The shape of the 2D attn_mask is [2, 2], but should be (3, 3)."));
}

}  // namespace
}  // namespace ptser
