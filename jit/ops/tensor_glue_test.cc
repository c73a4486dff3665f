// Copyright ptser authors.
//
// jit/ops/tensor_glue_test.cc — the tensor op families of
// tensor_pointwise_ops, tensor_clamp_ops, tensor_reduction_ops,
// tensor_shape_ops, tensor_index_ops, tensor_nn_ops, tensor_linalg_ops and
// tensor_creation_ops as TorchScript code reaches them: through overload
// resolution in the default registry (so the overload PyTorch 1.13 picks
// is the one that runs), with in-place forms returning self, out= forms
// writing `out`, and PyTorch's exceptions.  Expected values are PyTorch
// 1.13's, noted beside each case.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/registry.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/generator.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Value Tv(std::vector<float> v, std::vector<int64_t> sizes = {}) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(v.size())};
  return Value::FromTensor(*MakeTensor<float>(v, sizes));
}
Value Ti(std::vector<int64_t> v, std::vector<int64_t> sizes = {}) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(v.size())};
  return Value::FromTensor(*MakeTensor<int64_t>(v, sizes));
}
Value Ints(std::vector<int64_t> v) {
  std::vector<Value> items;
  for (int64_t x : v) items.push_back(Value::Int(x));
  return Value::NewList(std::move(items));
}
std::vector<float> F(const Value& v) { return *ToVector<float>(v.tensor()); }
std::vector<int64_t> I(const Value& v) { return *ToVector<int64_t>(v.tensor()); }

class TensorGlueTest : public ::testing::Test {
 protected:
  // The overload `name` resolves to for the arguments, and its result.
  absl::StatusOr<Value> Call(absl::string_view name, std::vector<Value> positional,
                             std::vector<std::string> keyword_names = {},
                             std::vector<Value> keyword_values = {}) {
    std::vector<Value> args;
    absl::StatusOr<const Operator*> op = DefaultOperators().Resolve(
        name, positional, keyword_names, keyword_values, &args);
    if (!op.ok()) return op.status();
    last_ = (*op)->schema.QualifiedName();
    return (*op)->fn(ctx_, absl::MakeSpan(args));
  }

  std::string last_;
  OpContext ctx_;
};

TEST_F(TensorGlueTest, PointwiseOverloads) {
  // torch.pow(x, 2), torch.pow(2, x), torch.pow(x, x)
  const Value x = Tv({1, 2, 3});
  ASSERT_OK_AND_ASSIGN(Value p, Call("aten::pow", {x, Value::Int(2)}));
  EXPECT_EQ(last_, "aten::pow.Tensor_Scalar");
  EXPECT_THAT(F(p), ElementsAre(1, 4, 9));
  ASSERT_OK_AND_ASSIGN(p, Call("aten::pow", {Value::Int(2), x}));
  EXPECT_EQ(last_, "aten::pow.Scalar");
  EXPECT_THAT(F(p), ElementsAre(2, 4, 8));
  ASSERT_OK(Call("aten::pow", {x, x}).status());
  EXPECT_EQ(last_, "aten::pow.Tensor_Tensor");
  // Scalar pow stays the builtin: torch.pow(2, 3) (ints) -> 8.0
  ASSERT_OK_AND_ASSIGN(p, Call("aten::pow", {Value::Int(2), Value::Int(3)}));
  EXPECT_EQ(last_, "aten::pow.int");
  // x & 1 on an int tensor; torch.max(a, b); torch.max(a, 1); torch.min(a, 0, True)
  ASSERT_OK_AND_ASSIGN(Value a, Call("aten::__and__", {Ti({5, 6}), Value::Int(1)}));
  EXPECT_EQ(last_, "aten::__and__.Scalar");
  EXPECT_THAT(I(a), ElementsAre(1, 0));
  ASSERT_OK_AND_ASSIGN(Value m, Call("aten::max", {Tv({1, 5}), Tv({3, 2})}));
  EXPECT_EQ(last_, "aten::max.other");
  EXPECT_THAT(F(m), ElementsAre(3, 5));
  ASSERT_OK(Call("aten::max", {Tv({1, 5, 3, 2}, {2, 2}), Value::Int(1)}).status());
  EXPECT_EQ(last_, "aten::max.dim");
  ASSERT_OK_AND_ASSIGN(Value mn, Call("aten::min", {Tv({1, 5, 3, 2}, {2, 2}), Value::Int(0),
                                                     Value::Bool(true)}));
  EXPECT_EQ(last_, "aten::min.dim");
  ASSERT_TRUE(mn.is_tuple());
  EXPECT_THAT(F(mn.tuple()[0]), ElementsAre(1, 2));
  EXPECT_THAT(I(mn.tuple()[1]), ElementsAre(0, 1));
  // torch.floor(x) is the tensor overload, math.floor(2.5) the builtin.
  ASSERT_OK(Call("aten::floor", {Tv({2.5f})}).status());
  EXPECT_EQ(last_, "aten::floor");
  ASSERT_OK(Call("aten::floor", {Value::Float(2.5)}).status());
  EXPECT_EQ(last_, "aten::floor.float");
}

TEST_F(TensorGlueTest, InplaceReturnsSelfAndOutWritesOut) {
  const Value x = Tv({-1, 4});
  ASSERT_OK_AND_ASSIGN(Value r, Call("aten::leaky_relu_", {x, Value::Float(0.5)}));
  EXPECT_TRUE(r.tensor().IsSameAs(x.tensor()));
  EXPECT_THAT(F(x), ElementsAre(-0.5f, 4));
  // torch.sqrt(x, out=y)
  const Value out = Tv({0, 0});
  ASSERT_OK_AND_ASSIGN(Value o, Call("aten::sqrt", {Tv({4, 9})}, {"out"}, {out}));
  EXPECT_EQ(last_, "aten::sqrt.out");
  EXPECT_TRUE(o.tensor().IsSameAs(out.tensor()));
  EXPECT_THAT(F(out), ElementsAre(2, 3));
  // An int64 out for a float result: PyTorch's cast error.
  EXPECT_THAT(Call("aten::sqrt", {Tv({4})}, {"out"}, {Ti({0})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Float can't be cast to the desired output type Long"));
  // Integer tensor, float result in place: torch.tensor([1, 2]).exp_()
  EXPECT_THAT(Call("aten::exp_", {Ti({1, 2})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Float can't be cast to the desired output type Long"));
}

TEST_F(TensorGlueTest, Clamp) {
  // torch.clamp(x, min=torch.tensor([0., 5.])) -> clamp.Tensor
  ASSERT_OK_AND_ASSIGN(Value c, Call("aten::clamp", {Tv({-1, 9})}, {"min"}, {Tv({0, 5})}));
  EXPECT_EQ(last_, "aten::clamp.Tensor");
  EXPECT_THAT(F(c), ElementsAre(0, 9));
  ASSERT_OK_AND_ASSIGN(c, Call("aten::clamp_max_", {Tv({-1, 9}), Value::Int(2)}));
  EXPECT_THAT(F(c), ElementsAre(-1, 2));
  ASSERT_OK_AND_ASSIGN(c, Call("aten::clip", {Ti({-7, 7}), Value::Float(0.5)}));
  EXPECT_EQ(c.tensor().dtype(), ScalarType::kFloat);
}

TEST_F(TensorGlueTest, Reductions) {
  const Value x = Tv({0.5f, -1.25f, 3.0f, 2.0f, 1.5f, 0.25f}, {2, 3});
  // torch.var(x, [1]) -> var.dim; torch.std(x) -> std
  ASSERT_OK(Call("aten::var", {x, Ints({1})}).status());
  EXPECT_EQ(last_, "aten::var.dim");
  ASSERT_OK(Call("aten::var", {x, Ints({1})}, {"correction"}, {Value::Int(0)}).status());
  EXPECT_EQ(last_, "aten::var.correction");
  ASSERT_OK(Call("aten::norm", {x}).status());
  EXPECT_EQ(last_, "aten::norm.Scalar");
  // torch.argmax(x) -> 2; torch.any(x > 2, 1) path: any.dim
  ASSERT_OK_AND_ASSIGN(Value am, Call("aten::argmax", {x}));
  EXPECT_THAT(I(am), ElementsAre(2));
  ASSERT_OK(Call("aten::any", {x, Value::Int(1)}).status());
  EXPECT_EQ(last_, "aten::any.dim");
  // torch.sort(x, stable=True, descending=True)
  ASSERT_OK_AND_ASSIGN(Value s, Call("aten::sort", {x}, {"stable", "descending"},
                                     {Value::Bool(true), Value::Bool(true)}));
  EXPECT_EQ(last_, "aten::sort.stable");
  EXPECT_THAT(F(s.tuple()[0]), ElementsAre(3, 0.5f, -1.25f, 2, 1.5f, 0.25f));
  ASSERT_OK_AND_ASSIGN(Value cs, Call("aten::cumsum", {Ti({1, 2, 3}), Value::Int(0)}));
  EXPECT_THAT(I(cs), ElementsAre(1, 3, 6));
}

TEST_F(TensorGlueTest, ShapesAndIndexing) {
  const Value x = Tv({0, 1, 2, 3, 4, 5}, {2, 3});
  // w.split([1, 2], 1) -> split.sizes, a list of views
  ASSERT_OK_AND_ASSIGN(Value parts, Call("aten::split", {x, Ints({1, 2}), Value::Int(1)}));
  EXPECT_EQ(last_, "aten::split.sizes");
  ASSERT_TRUE(parts.is_list());
  EXPECT_THAT(F(parts.list()[1]), ElementsAre(1, 2, 4, 5));
  ASSERT_OK_AND_ASSIGN(Value cat, Call("aten::cat", {Value::NewList({x, x}), Value::Int(1)}));
  EXPECT_EQ(cat.tensor().sizes(), (std::vector<int64_t>{2, 6}));
  // x[torch.tensor([1, 0])] is aten::index.Tensor with [tensor]
  ASSERT_OK_AND_ASSIGN(Value rows, Call("aten::index", {x, Value::NewList({Ti({1, 0})})}));
  EXPECT_EQ(last_, "aten::index.Tensor");
  EXPECT_THAT(F(rows), ElementsAre(3, 4, 5, 0, 1, 2));
  EXPECT_THAT(Call("aten::index", {x, Value::NewList({Ti({5})})}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "IndexError: index 5 is out of bounds for dimension 0 with size 2"));
  // y[y > 1] = 0: index_put_ with a bool mask and a 0-dim value
  const Value y = Tv({0, 1, 2, 3});
  const Value mask = Value::FromTensor(*MakeTensor<bool>({false, false, true, true}));
  ASSERT_OK(Call("aten::index_put_",
                 {y, Value::NewList({mask}), Value::FromTensor(*Zeros({}))})
                .status());
  EXPECT_THAT(F(y), ElementsAre(0, 1, 0, 0));
  // x.fill_(torch.tensor(7.)) -> fill_.Tensor
  ASSERT_OK(Call("aten::fill_", {y, Value::FromTensor(*Full({}, Scalar(7.0)))}).status());
  EXPECT_EQ(last_, "aten::fill_.Tensor");
  EXPECT_THAT(F(y), ElementsAre(7, 7, 7, 7));
  ASSERT_OK_AND_ASSIGN(Value mf, Call("aten::masked_fill", {Tv({1, 2}), Value::FromTensor(
                                          *MakeTensor<bool>({true, false})), Value::Float(-1)}));
  EXPECT_EQ(last_, "aten::masked_fill.Scalar");
  EXPECT_THAT(F(mf), ElementsAre(-1, 2));
}

TEST_F(TensorGlueTest, NnAndLinalg) {
  // torch.baddbmm(zeros(1, 1, 1), ones(1, 1, 2), ones(1, 2, 1), beta=0.5, alpha=2) -> [[[4.]]]
  ASSERT_OK_AND_ASSIGN(
      Value b, Call("aten::baddbmm",
                    {Value::FromTensor(*Zeros({1, 1, 1})), Value::FromTensor(*Ones({1, 1, 2})),
                     Value::FromTensor(*Ones({1, 2, 1}))},
                    {"beta", "alpha"}, {Value::Float(0.5), Value::Int(2)}));
  EXPECT_THAT(F(b), ElementsAre(4));
  // torch.embedding out of range is IndexError
  EXPECT_THAT(Call("aten::embedding", {Tv({0, 1, 2, 3}, {2, 2}), Ti({2})}),
              StatusIs(absl::StatusCode::kOutOfRange, "IndexError: index out of range in self"));
  // F.dropout in eval returns its input itself.
  const Value x = Tv({1, 2});
  ASSERT_OK_AND_ASSIGN(Value d, Call("aten::dropout", {x, Value::Float(0.5), Value::Bool(false)}));
  EXPECT_TRUE(d.tensor().IsSameAs(x.tensor()));
  // F.layer_norm(x, [2]) with the schema's default eps
  ASSERT_OK_AND_ASSIGN(Value ln, Call("aten::layer_norm", {x, Ints({2})}));
  EXPECT_NEAR(F(ln)[0], -0.99998f, 1e-5f);
  // F.interpolate(x, scale_factor=2) in 1.13: upsample_nearest2d.vec(x, None, [2., 2.])
  ASSERT_OK_AND_ASSIGN(
      Value up, Call("aten::upsample_nearest2d",
                     {Tv({1, 2, 3, 4}, {1, 1, 2, 2}), Value::None(),
                      Value::NewList({Value::Float(2), Value::Float(2)})}));
  EXPECT_EQ(last_, "aten::upsample_nearest2d.vec");
  EXPECT_EQ(up.tensor().sizes(), (std::vector<int64_t>{1, 1, 4, 4}));
}

TEST_F(TensorGlueTest, NativeMultiHeadAttention) {
  // torch.manual_seed(0); x = torch.randn(1, 2, 4); W = torch.randn(12, 4); b = torch.randn(12)
  // Wo = torch.randn(4, 4); bo = torch.randn(4)
  // torch._native_multi_head_attention(x, x, x, 4, 2, W, b, Wo, bo,
  //                                    tensor([[False, True]]), True, True, 1)
  const Value x = Tv({1.54099607f, -0.293428898f, -2.17878938f, 0.568431258f, -1.08452237f,
                      -1.39859545f, 0.403346837f, 0.838026345f},
                     {1, 2, 4});
  const Value w = Tv({-1.35265374f, -1.6959312f,   0.566650629f, 0.793508351f,  0.598839462f,
                      -1.55509508f, -0.34136039f,  1.85300612f,  0.750189483f,  -0.585497558f,
                      -0.173396751f, 0.183477938f, 1.38936615f,  1.58633423f,   0.946298361f,
                      -0.843676746f, -0.613583088f, 0.0315927416f, -0.492676973f, 0.248414755f,
                      0.439695835f, 0.112411186f,  0.64079237f,  0.441156268f,  -0.102309652f,
                      0.792443991f, -0.289667696f, 0.0525074862f, 0.522860467f, 2.30220532f,
                      -1.46889389f, -1.58668876f,  -0.673089921f, 0.872831225f, 1.05535746f,
                      0.17784372f,  -0.230335474f, -0.391754389f, 0.543294728f, -0.395157546f,
                      -0.446217179f, 0.7440207f,   1.52097952f,  3.41050267f,   -1.53118432f,
                      -1.23413503f, 1.81972528f,   -0.551528692f},
                     {12, 4});
  const Value b = Tv({0.191995069f, 0.542771339f, -2.21877933f, 0.258984536f, -1.02970219f,
                      -0.50075841f, 0.273367733f, -0.918099999f, -0.0404210873f, 0.288116813f,
                      -0.00753730815f, -0.914495468f});
  const Value wo = Tv({-0.00330387289f, -0.534440696f, 1.16868782f, 0.394502759f, 1.94146204f,
                       0.791498065f, -0.0202518273f, -0.437169552f, -1.53528714f, -0.412679136f,
                       0.966303289f, 1.62478316f, -0.365618795f, -1.3024404f, 0.0994034633f,
                       0.441822022f},
                      {4, 4});
  const Value bo = Tv({1.09925056f, 2.75653839f, 0.175283328f, -0.931521118f});
  const Value kpm = Value::FromTensor(*MakeTensor<bool>({false, true}, {1, 2}));
  ASSERT_OK_AND_ASSIGN(Value r, Call("aten::_native_multi_head_attention",
                                     {x, x, x, Value::Int(4), Value::Int(2), w, b, wo, bo, kpm,
                                      Value::Bool(true), Value::Bool(true), Value::Int(1)}));
  ASSERT_TRUE(r.is_tuple());
  const std::vector<float> want = {-3.67349458f, -1.98776579f, -7.73478746f, -1.27282548f,
                                   -3.67349458f, -1.98776579f, -7.73478746f, -1.27282548f};
  const std::vector<float> got = F(r.tuple()[0]);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
  EXPECT_THAT(F(r.tuple()[1]), ElementsAre(1, 0, 1, 0));
  // need_weights=False: the weights are None.
  ASSERT_OK_AND_ASSIGN(r, Call("aten::_native_multi_head_attention",
                               {x, x, x, Value::Int(4), Value::Int(2), w, b, wo, bo, kpm,
                                Value::Bool(false), Value::Bool(true), Value::Int(1)}));
  EXPECT_TRUE(r.tuple()[1].is_none());
}

TEST_F(TensorGlueTest, TransformerEncoderLayerFastPath) {
  // torch.manual_seed(0); layer = nn.TransformerEncoderLayer(4, 2, 3, dropout=0.0,
  // batch_first=True).eval(); x = torch.randn(1, 2, 4); torch._transformer_encoder_layer_fwd(
  // x, 4, 2, <self_attn in/out projections>, True (gelu), False (post-norm), 1e-5, <norm1>,
  // <norm2>, <linear1>, <linear2>, None, None); the norms are ones and zeros.
  const Value ones = Tv({1, 1, 1, 1}), zeros = Tv({0, 0, 0, 0});
  std::vector<Value> args = {
      Tv({-0.506486654f, -1.4560703f, 2.29251432f, -0.0971237943f, 1.16428077f, -0.6927737f, -0.987050474f, 1.00569856f}, {1, 2, 4}), Value::Int(4), Value::Int(2),
      Tv({0.222424164f, 0.508506715f, -0.126026362f, 0.458245516f, -0.0987042487f, 0.0647976398f, 0.554488719f, -0.56807977f, -0.385511696f, -0.155031428f, -0.238702759f, 0.529090285f, -0.396927357f, -0.281895161f, -0.427828193f, -0.573524177f, -0.357466578f, 0.526394188f, 0.273251832f, 0.296800107f, 0.0322056226f, -0.313953251f, 0.103604041f, -0.571768939f, -0.44247967f, -0.315696359f, 0.38636902f, 0.359046966f, -0.271584153f, -0.0220958609f, 0.391649365f, 0.608779728f, 0.243039712f, 0.0827271417f, 0.41058737f, -0.360566348f, 0.114111952f, -0.474775732f, -0.424426854f, -0.316341549f, 0.277082026f, 0.246271953f, -0.362740368f, 0.185002059f, 0.336175352f, -0.07729204f, 0.0233813263f, 0.141889587f}, {12, 4}),
      Tv({0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}),
      Tv({-0.00374341011f, 0.268221796f, -0.411522567f, -0.367969513f, -0.192577183f, 0.134078681f, -0.00990658998f, 0.396444738f, -0.0443720222f, 0.132306278f, -0.151106536f, -0.0982826948f, -0.477674246f, -0.331141055f, -0.20611155f, 0.0185217857f}, {4, 4}),
      Tv({0.0f, 0.0f, 0.0f, 0.0f}),
      Value::Bool(true), Value::Bool(false), Value::Float(1e-5), ones, zeros, ones, zeros,
      Tv({0.310188293f, 0.480097055f, -0.385311782f, -0.18323487f, 0.196504951f, 0.414274693f, 0.435103655f, 0.441178381f, 0.0995072722f, -0.434791327f, 0.0459962487f, -0.312802672f}, {3, 4}),
      Tv({-0.465977073f, 0.444246233f, 0.380179882f}),
      Tv({-0.575923026f, 0.108063832f, -0.0972604305f, -0.0950094238f, -0.264286041f, 0.222023606f, -0.341966599f, 0.211651608f, 0.2919707f, 0.41330865f, 0.215877697f, -0.571423888f}, {4, 3}),
      Tv({-0.374525309f, 0.288279653f, 0.120840192f, -0.450381696f})};
  ASSERT_OK_AND_ASSIGN(Value out, Call("aten::_transformer_encoder_layer_fwd", args));
  const std::vector<float> want = {-0.568175554f, -0.456639379f, 1.72556639f, -0.700751483f, 1.37634027f, -0.556240737f, -1.26442146f, 0.44432199f};
  const std::vector<float> got = F(out);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST_F(TensorGlueTest, Factories) {
  // torch.linspace(0, 1, 5)
  ASSERT_OK_AND_ASSIGN(Value l, Call("aten::linspace", {Value::Int(0), Value::Int(1), Value::Int(5)}));
  EXPECT_THAT(F(l), ElementsAre(0, 0.25f, 0.5f, 0.75f, 1));
  // torch.eye(2, 3, dtype=torch.int64)
  ASSERT_OK_AND_ASSIGN(Value e, Call("aten::eye", {Value::Int(2), Value::Int(3)}, {"dtype"},
                                     {Value::Int(4)}));
  EXPECT_EQ(last_, "aten::eye.m");
  EXPECT_THAT(I(e), ElementsAre(1, 0, 0, 0, 1, 0));
  // torch.manual_seed(0); torch.randint(3, 10, (5,)) -> [7, 6, 3, 5, 4]
  ManualSeed(0);
  ASSERT_OK_AND_ASSIGN(Value r, Call("aten::randint", {Value::Int(3), Value::Int(10), Ints({5})}));
  EXPECT_EQ(last_, "aten::randint.low");
  EXPECT_THAT(I(r), ElementsAre(7, 6, 3, 5, 4));
  ctx_.max_alloc_bytes = 1000;
  EXPECT_THAT(Call("aten::rand", {Ints({1000})}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("torch.rand")));
}

}  // namespace
}  // namespace jit
}  // namespace ptser
