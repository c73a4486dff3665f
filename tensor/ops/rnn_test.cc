// Copyright ptser authors.
//
// tensor/ops/rnn_test.cc — LSTM and GRU layers against PyTorch 1.13:
//
//   torch.manual_seed(0)
//   lstm = torch.nn.LSTM(3, 2, num_layers=2, bidirectional=True)
//   x = torch.randn(4, 1, 3); h = torch.randn(4, 1, 2); c = torch.randn(4, 1, 2)
//   o, (hn, cn) = lstm(x, (h, c))              # p0..p15: lstm._flat_weights
//   gru = torch.nn.GRU(3, 2, batch_first=True)
//   xb = torch.randn(1, 4, 3); hb = torch.randn(1, 1, 2)
//   go, ghn = gru(xb, hb)                      # g0..g3: gru._flat_weights

#include "tensor/ops/rnn.h"

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

const std::vector<float> k_x = {-0.679019332f, 1.4250834f, 1.96474898f, 0.767839789f, 1.98990929f, 0.718252301f, -0.496666521f, 1.31002891f, 0.395556867f, 0.0894794092f, -0.168210939f, -0.4727588f};
const std::vector<float> k_h = {-1.97057629f, 0.628084064f, -0.113151789f, 0.46311149f, 0.333804458f, 1.64431679f, -1.25348043f, -0.0591603667f};
const std::vector<float> k_c = {1.18784964f, 1.22473931f, -0.852119386f, -1.19409359f, 1.10757434f, 0.657795906f, -0.0423213057f, 0.458039582f};
const std::vector<float> k_p0 = {-0.00529398117f, 0.379322886f, -0.581980765f, -0.520387471f, -0.272345245f, 0.18961589f, -0.0140100336f, 0.560657501f, -0.0627515167f, 0.187109336f, -0.213696912f, -0.138992712f, -0.675533414f, -0.468304157f, -0.291485757f, 0.0261937603f, 0.279544204f, 0.424280167f, -0.479376733f, -0.307918727f, 0.256833285f, 0.587172925f, -0.145522699f, 0.5291363f};
const std::vector<float> k_p1 = {-0.113973841f, 0.074821867f, 0.640268385f, -0.65596199f, -0.445150524f, -0.179014862f, -0.275630176f, 0.610940814f, -0.458332211f, -0.325504482f, -0.494013399f, -0.662248611f, -0.412766844f, 0.607827604f, 0.315524042f, 0.342715234f};
const std::vector<float> k_p2 = {0.0371878482f, -0.362521976f, 0.119631633f, -0.660221875f, -0.510931492f, -0.364534736f, 0.446140498f, 0.4145917f};
const std::vector<float> k_p3 = {-0.313598335f, -0.0255140997f, 0.452237695f, 0.702958226f, 0.280638069f, 0.095525071f, 0.474105418f, -0.416346133f};
const std::vector<float> k_p4 = {0.131765127f, -0.548223794f, -0.4900859f, -0.365279734f, 0.319946766f, 0.284370333f, -0.418856472f, 0.213621974f, 0.388181835f, -0.0892491564f, 0.0269984286f, 0.163839966f, 0.438672483f, 0.678959727f, -0.544913113f, -0.25913322f, 0.277899951f, 0.585872889f, 0.615329504f, 0.623920441f, 0.140724525f, -0.614887774f, 0.0650485158f, -0.442369789f};
const std::vector<float> k_p5 = {-0.658991098f, 0.628259063f, 0.537655532f, -0.705358744f, 0.132350624f, -0.119119212f, -0.116362303f, -0.323682994f, 0.271922261f, -0.418821812f, 0.259219199f, 0.357589632f, 0.506197631f, 0.264395088f, -0.699848473f, -0.458697975f};
const std::vector<float> k_p6 = {0.353069037f, 0.147998407f, -0.551602662f, -0.407165855f, 0.665210187f, 0.476461172f, -0.30831632f, -0.17796801f};
const std::vector<float> k_p7 = {-0.673588574f, -0.0127096344f, -0.532493055f, -0.545431554f, -0.0389613062f, 0.106168583f, -0.289581627f, 0.419581324f};
const std::vector<float> k_p8 = {-0.430302113f, 0.641607523f, 0.484580189f, -0.596291065f, -0.175987795f, 0.0319065116f, 0.103167646f, 0.167707533f, 0.277488679f, 0.0423558131f, -0.345017731f, 0.334595144f, -0.67829138f, -0.419106901f, -0.17700994f, -0.344441146f, -0.247369543f, -0.579560041f, -0.150412321f, 0.151148632f, -0.460655868f, -0.0362882689f, 0.506182969f, -0.0726907551f, 0.019652063f, -0.0610013232f, 0.143105239f, 0.449606389f, 0.669804215f, 0.449052334f, 0.67133671f, -0.0511391312f};
const std::vector<float> k_p9 = {-0.635209203f, -0.335223228f, 0.481472701f, -0.00458380673f, -0.351464838f, -0.541864216f, -0.661747336f, -0.596803904f, -0.143427238f, 0.38778159f, 0.382290959f, -0.681956291f, 0.441080511f, -0.553317726f, -0.149489641f, -0.286712438f};
const std::vector<float> k_p10 = {-0.136199564f, -0.138835251f, -0.6345222f, -0.610542774f, -0.110647701f, 0.00914443284f, -0.321220845f, 0.266366571f};
const std::vector<float> k_p11 = {-0.636437356f, -0.0477206856f, 0.621843457f, -0.288423181f, 0.638519585f, 0.256081372f, -0.638136208f, 0.447384566f};
const std::vector<float> k_p12 = {-0.0815962106f, -0.315657288f, 0.565440238f, -0.571409583f, 0.0758760422f, -0.148046032f, 0.504953861f, 0.197384983f, 0.339768589f, 0.24972108f, -0.170041293f, -0.148708403f, -0.582713544f, 0.383141667f, 0.561427295f, 0.483820021f, -0.498777777f, 0.0315368846f, -0.49846369f, -0.389251083f, -0.412034988f, 0.241650209f, -0.421374232f, -0.0154270949f, 0.0297466554f, 0.455817312f, -0.534516215f, -0.485437453f, -0.410589695f, 0.494927645f, -0.254180133f, 0.59643656f};
const std::vector<float> k_p13 = {0.255695134f, 0.0895381123f, -0.00526371971f, -0.139781967f, 0.0887181014f, -0.161464065f, -0.00496843923f, 0.0902219042f, -0.553102553f, -0.370616883f, 0.570983589f, -0.573850155f, -0.0507746451f, 0.699497402f, 0.255433172f, 0.0200203434f};
const std::vector<float> k_p14 = {-0.612785757f, 0.350285053f, -0.503658533f, -0.200722337f, -0.237245873f, -0.104713589f, 0.00773453666f, 0.583226979f};
const std::vector<float> k_p15 = {0.0882743821f, 0.633350432f, 0.43254602f, -0.447042763f, 0.317140281f, -0.499850988f, -0.299689621f, 0.207976148f};
const std::vector<float> k_o = {0.073094584f, -0.226463407f, -0.0247901287f, -0.373960316f, 0.1059191f, 0.0893465057f, 0.0114430701f, -0.342975974f, 0.0909649134f, 0.118362218f, 0.0327394418f, -0.327200413f, 0.0782368854f, 0.116708055f, 0.0850578696f, -0.263930678f};
const std::vector<float> k_hn = {-0.078501597f, -0.0344730243f, 0.0885828808f, 0.3213965f, 0.0782368854f, 0.116708055f, -0.0247901287f, -0.373960316f};
const std::vector<float> k_cn = {-0.111062713f, -0.0758360922f, 0.155345932f, 1.03540623f, 0.302675068f, 0.180458397f, -0.068230629f, -0.59599185f};
const std::vector<float> k_xb = {-0.416143417f, 0.00632876623f, -0.285834998f, 1.30981421f, 1.06252146f, -0.478666812f, -0.66275847f, -0.467355222f, -0.351573378f, -1.38691616f, 0.227002591f, 0.802315295f};
const std::vector<float> k_hb = {0.140806794f, -0.582038462f};
const std::vector<float> k_g0 = {0.488995999f, -0.526387334f, 0.289677233f, -0.237767145f, -0.341156393f, 0.127028242f, -0.367311537f, 0.162920833f, 0.138862237f, -0.525019348f, 0.117732249f, 0.301177412f, 0.279894769f, -0.0890096724f, -0.579677403f, -0.10900338f, 0.245583609f, -0.258007079f};
const std::vector<float> k_g1 = {0.268404365f, 0.470906645f, -0.369216919f, 0.00697336439f, 0.292387933f, 0.0554215051f, 0.0590656884f, 0.0882931799f, -0.555890381f, 0.055570282f, 0.4896501f, 0.637183607f};
const std::vector<float> k_g2 = {0.415602654f, 0.0947544575f, 0.330228895f, -0.343993038f, -0.585971177f, -0.608056009f};
const std::vector<float> k_g3 = {0.70541662f, 0.448863834f, -0.488776058f, 0.27665031f, 0.533984125f, 0.706834435f};
const std::vector<float> k_go = {-0.0623573512f, -0.406433761f, 0.190818012f, -0.245200694f, -0.0190501958f, -0.187302053f, -0.321380705f, -0.189270213f};
const std::vector<float> k_ghn = {-0.321380705f, -0.189270213f};

TEST(LstmTest, TwoLayersBidirectional) {
  const std::vector<std::vector<float>> flat = {k_p0, k_p1, k_p2,  k_p3,  k_p4,  k_p5,  k_p6,  k_p7,
                                                k_p8, k_p9, k_p10, k_p11, k_p12, k_p13, k_p14, k_p15};
  std::vector<Tensor> params;
  for (size_t i = 0; i < flat.size(); ++i) {
    const int64_t in = i < 8 ? 3 : 4;  // layer 2 reads both directions
    switch (i % 4) {
      case 0:
        params.push_back(T_<float>(flat[i], {{8, in}}));
        break;
      case 1:
        params.push_back(T_<float>(flat[i], {{8, 2}}));
        break;
      default:
        params.push_back(T_<float>(flat[i]));
    }
  }
  RnnOptions o;
  o.num_layers = 2;
  o.bidirectional = true;
  const std::vector<Tensor> hx = {T_<float>(k_h, {{4, 1, 2}}), T_<float>(k_c, {{4, 1, 2}})};
  ASSERT_OK_AND_ASSIGN(RnnResult r, Lstm(T_<float>(k_x, {{4, 1, 3}}), hx, params, o));
  EXPECT_EQ(r.output.sizes(), (std::vector<int64_t>{4, 1, 4}));
  ExpectClose(r.output, k_o, "output");
  ExpectClose(r.h_n, k_hn, "h_n");
  ExpectClose(r.c_n, k_cn, "c_n");
  EXPECT_THAT(Lstm(T_<float>(k_x, {{4, 1, 3}}), hx, absl::MakeSpan(params).subspan(0, 6), o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "lstm: got 6 parameters for 2 layer(s) and 2 direction(s)"));
}

TEST(GruTest, BatchFirst) {
  const std::vector<Tensor> params = {T_<float>(k_g0, {{6, 3}}), T_<float>(k_g1, {{6, 2}}),
                                      T_<float>(k_g2), T_<float>(k_g3)};
  RnnOptions o;
  o.batch_first = true;
  ASSERT_OK_AND_ASSIGN(RnnResult r, Gru(T_<float>(k_xb, {{1, 4, 3}}), T_<float>(k_hb, {{1, 1, 2}}),
                                        params, o));
  EXPECT_EQ(r.output.sizes(), (std::vector<int64_t>{1, 4, 2}));
  ExpectClose(r.output, k_go, "output");
  ExpectClose(r.h_n, k_ghn, "h_n");
}

}  // namespace
}  // namespace ptser
