// Copyright ptser authors.
//
// The serialization note's module examples, in C++.  The expected texts are
// what PyTorch 1.13 prints for the same code (tests/interop/module_interop_test.py
// checks the files against real PyTorch).
#include "jit/module.h"

#include <cstdio>
#include <memory>
#include <string>

#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/nn/basic.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/containers.h"
#include "jit/nn/linear.h"
#include "tensor/factories.h"
#include "tensor/generator.h"
#include "tensor/print/repr.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MyModule : public Module {
 public:
  MyModule() : Module("MyModule") {}
  static absl::StatusOr<std::shared_ptr<MyModule>> Make() {
    auto m = std::make_shared<MyModule>();
    PTSER_ASSIGN_OR_RETURN(auto l0, nn::Linear::Make(4, 2));
    PTSER_ASSIGN_OR_RETURN(auto l1, nn::Linear::Make(2, 1));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("l0", l0));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("l1", l1));
    return m;
  }
};

std::vector<std::string> Keys(const Value& sd) {
  std::vector<std::string> out;
  for (const auto& item : sd.dict().items()) out.push_back(item.key.as_string());
  return out;
}

Tensor Detach(Tensor t) {
  t.set_is_parameter(false);
  t.set_requires_grad(false);
  return t;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(ModuleTest, BatchNormParametersBuffersAndStateDictAsTheNotePrintsThem) {
  ASSERT_OK_AND_ASSIGN(auto bn, nn::BatchNorm::Make1d(3));
  std::string params;
  for (const auto& [name, t] : bn->NamedParameters()) {
    params += name + ": " + Repr(t) + "\n";
    EXPECT_TRUE(t.is_parameter());
    EXPECT_TRUE(t.requires_grad());
  }
  EXPECT_EQ(params,
            "weight: Parameter containing:\ntensor([1., 1., 1.], requires_grad=True)\n"
            "bias: Parameter containing:\ntensor([0., 0., 0.], requires_grad=True)\n");
  std::string buffers;
  for (const auto& [name, t] : bn->NamedBuffers()) buffers += name + ": " + Repr(t) + "\n";
  EXPECT_EQ(buffers,
            "running_mean: tensor([0., 0., 0.])\nrunning_var: tensor([1., 1., 1.])\n"
            "num_batches_tracked: tensor(0)\n");
  Value sd = bn->StateDict();
  EXPECT_EQ(sd.Repr(),
            "OrderedDict([('weight', tensor([1., 1., 1.])), ('bias', tensor([0., 0., 0.])), "
            "('running_mean', tensor([0., 0., 0.])), ('running_var', tensor([1., 1., 1.])), "
            "('num_batches_tracked', tensor(0))])");
  const Value* metadata = sd.dict().Attribute("_metadata");
  ASSERT_NE(metadata, nullptr);
  EXPECT_EQ(metadata->Repr(), "OrderedDict([('', {'version': 2})])");
}

TEST(ModuleTest, MyModuleKeysAndRoundTripThroughAFile) {
  ASSERT_OK_AND_ASSIGN(auto m, MyModule::Make());
  Value sd = m->StateDict();
  EXPECT_THAT(Keys(sd), ElementsAre("l0.weight", "l0.bias", "l1.weight", "l1.bias"));
  EXPECT_EQ(sd.dict().Attribute("_metadata")->Repr(),
            "OrderedDict([('', {'version': 1}), ('l0', {'version': 1}), ('l1', {'version': 1})])");
  // The state dict shares storage with the module: not Parameters, no grad.
  const Tensor& w = sd.dict().Find("l0.weight")->tensor();
  EXPECT_FALSE(w.is_parameter());
  EXPECT_FALSE(w.requires_grad());
  EXPECT_TRUE(w.storage().IsSameAs(m->Child("l0")->FindParameter("weight")->storage()));

  const std::string path = TempPath("mymodule.pt");
  ASSERT_OK(Save(sd, path));
  ASSERT_OK_AND_ASSIGN(auto other, MyModule::Make());  // different weights
  ASSERT_OK_AND_ASSIGN(Value loaded, Load(path));
  ASSERT_OK_AND_ASSIGN(IncompatibleKeys keys, other->LoadStateDict(loaded));
  EXPECT_EQ(keys.ToString(), "<All keys matched successfully>");
  EXPECT_TRUE(ValuesEqual(other->StateDict(), sd));
}

TEST(ModuleTest, StrictErrorsAreReportedTogetherAsPyTorchWordsThem) {
  ASSERT_OK_AND_ASSIGN(auto m, MyModule::Make());
  Value sd = Value::NewDict();
  ASSERT_OK_AND_ASSIGN(Tensor z34, Zeros({3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor z2, Zeros({2}));
  ASSERT_OK_AND_ASSIGN(Tensor z1, Zeros({1}));
  ASSERT_OK(sd.dict().SetItem(Value::Str("l0.weight"), Value::FromTensor(z34)));
  ASSERT_OK(sd.dict().SetItem(Value::Str("l0.bias"), Value::FromTensor(z2)));
  ASSERT_OK(sd.dict().SetItem(Value::Str("l1.weight"), Value::Int(5)));
  ASSERT_OK(sd.dict().SetItem(Value::Str("extra"), Value::FromTensor(z1)));
  Value before = m->StateDict();
  ASSERT_OK_AND_ASSIGN(Tensor b0, Clone(*m->Child("l0")->FindParameter("bias")));
  EXPECT_THAT(
      m->LoadStateDict(sd),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "Error(s) in loading state_dict for MyModule:\n\tMissing key(s) in state_dict: "
               "\"l1.bias\". \n\tUnexpected key(s) in state_dict: \"extra\". \n\tsize mismatch "
               "for l0.weight: copying a param with shape torch.Size([3, 4]) from checkpoint, "
               "the shape in current model is torch.Size([2, 4]).\n\tWhile copying the "
               "parameter named \"l1.weight\", expected torch.Tensor or Tensor-like object from "
               "checkpoint but received <class 'int'>"));
  // Nothing was half loaded: l0.bias (which matched) is unchanged.
  EXPECT_TRUE(ValuesEqual(Value::FromTensor(Detach(*m->Child("l0")->FindParameter("bias"))), Value::FromTensor(Detach(b0))));

  Value partial = Value::NewDict();
  ASSERT_OK_AND_ASSIGN(Tensor w, Zeros({2, 4}));
  ASSERT_OK(partial.dict().SetItem(Value::Str("l0.weight"), Value::FromTensor(w)));
  ASSERT_OK_AND_ASSIGN(IncompatibleKeys keys, m->LoadStateDict(partial, /*strict=*/false));
  EXPECT_EQ(keys.ToString(),
            "_IncompatibleKeys(missing_keys=['l0.bias', 'l1.weight', 'l1.bias'], "
            "unexpected_keys=[])");
  EXPECT_THAT(m->LoadStateDict(Value::NewList({Value::Int(1)})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected state_dict to be dict-like, got <class 'list'>."));
}

TEST(ModuleTest, LoadCopiesInPlaceConvertingTheDtype) {
  ASSERT_OK_AND_ASSIGN(auto lin, nn::Linear::Make(2, 1));
  const Tensor w = *lin->FindParameter("weight");
  Value sd = Value::NewDict();
  ASSERT_OK_AND_ASSIGN(Tensor w64, MakeTensor<double>({1.5, -2.0}, {1, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor b64, MakeTensor<double>({0.25}, {1}));
  ASSERT_OK(sd.dict().SetItem(Value::Str("weight"), Value::FromTensor(w64)));
  ASSERT_OK(sd.dict().SetItem(Value::Str("bias"), Value::FromTensor(b64)));
  ASSERT_OK(lin->LoadStateDict(sd).status());
  EXPECT_EQ(w.dtype(), ScalarType::kFloat);
  EXPECT_EQ(Repr(w), "Parameter containing:\ntensor([[ 1.5000, -2.0000]], requires_grad=True)");
  ASSERT_OK_AND_ASSIGN(Tensor x, MakeTensor<float>({2, 1}, {1, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor y, lin->Forward(x));
  EXPECT_EQ(Repr(y), "tensor([[1.2500]])");
}

TEST(ModuleTest, BatchNormOfVersion1LoadsWithoutNumBatchesTracked) {
  ASSERT_OK_AND_ASSIGN(auto bn, nn::BatchNorm::Make1d(2));
  Value sd = bn->StateDict();
  ASSERT_TRUE(sd.dict().Erase(Value::Str("num_batches_tracked")));
  // Without _metadata: version unknown, treated as < 2.
  Value plain = Value::NewOrderedDict();
  for (const auto& item : sd.dict().items()) ASSERT_OK(plain.dict().SetItem(item.key, item.value));
  ASSERT_OK_AND_ASSIGN(IncompatibleKeys keys, bn->LoadStateDict(plain));
  EXPECT_TRUE(keys.all_matched());
  // With version 2 recorded, the key is missing.
  EXPECT_THAT(bn->LoadStateDict(sd),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Missing key(s) in state_dict: \"num_batches_tracked\".")));
}

TEST(ModuleTest, NamesModesAndDtypes) {
  ASSERT_OK_AND_ASSIGN(auto l0, nn::Linear::Make(4, 3, /*bias=*/false));
  ASSERT_OK_AND_ASSIGN(auto bn, nn::BatchNorm::Make1d(3));
  ASSERT_OK_AND_ASSIGN(auto seq, nn::Sequential::Make({l0, bn, std::make_shared<nn::ReLU>()}));
  std::vector<std::string> names;
  for (const auto& [name, m] : seq->NamedModules()) names.push_back(name + "=" + m->type_name());
  EXPECT_THAT(names, ElementsAre("=Sequential", "0=Linear", "1=BatchNorm1d", "2=ReLU"));
  std::vector<std::string> params;
  for (const auto& [name, t] : seq->NamedParameters()) params.push_back(name);
  EXPECT_THAT(params, ElementsAre("0.weight", "1.weight", "1.bias"));
  EXPECT_THAT(Keys(seq->StateDict()),
              ElementsAre("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                          "1.num_batches_tracked"));
  seq->Eval();
  EXPECT_FALSE(bn->is_training());
  ASSERT_OK(seq->To(ScalarType::kDouble));
  EXPECT_EQ(bn->FindParameter("weight")->dtype(), ScalarType::kDouble);
  EXPECT_TRUE(bn->FindParameter("weight")->is_parameter());
  EXPECT_EQ(bn->FindBuffer("num_batches_tracked")->dtype(), ScalarType::kLong);
  EXPECT_THAT(seq->To(ScalarType::kLong),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "nn.Module.to only accepts floating point or complex dtypes, but got "
                       "desired dtype=torch.int64"));
  EXPECT_THAT(l0->RegisterBuffer("weight", *l0->FindParameter("weight")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(l0->RegisterBuffer("a.b", *l0->FindParameter("weight")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto list = nn::ModuleList::Make().value();
  EXPECT_THAT(list->Forward(*l0->FindParameter("weight")),
              StatusIs(absl::StatusCode::kUnimplemented,
                       "Module [ModuleList] is missing the required \"forward\" function"));
}

TEST(GeneratorTest, MersenneTwisterStream) {
  // The reference value of mt19937 seeded with 5489: its 10000th output.
  Generator g(5489);
  uint32_t v = 0;
  for (int i = 0; i < 10000; ++i) v = g.Random();
  EXPECT_EQ(v, 4123659995u);
  // Only the low 32 bits of the seed count, as in PyTorch.
  Generator a(7), b((uint64_t{1} << 32) + 7);
  EXPECT_EQ(a.Random(), b.Random());
}

}  // namespace
}  // namespace ptser
