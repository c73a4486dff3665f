// Copyright ptser authors.
//
// jit::Load on archives real PyTorch 1.13 wrote (jit/testdata/,
// make_script_fixtures.py): the C++ API of a loaded, runnable module.  The
// outputs of many more archives are compared with PyTorch's own in
// tests/interop/script_run_test.
#include "jit/load.h"

#include <cmath>
#include <memory>
#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/linalg.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<ScriptModule> MustLoad(const std::string& name) {
  absl::StatusOr<std::shared_ptr<ScriptModule>> m = Load("jit/testdata/" + name);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

// Same shape and float32 values within rtol/atol.
absl::StatusOr<bool> AllClose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (a.sizes() != b.sizes() || a.dtype() != ScalarType::kFloat || b.dtype() != a.dtype()) {
    return false;
  }
  absl::StatusOr<Tensor> ca = Contiguous(a), cb = Contiguous(b);
  if (!ca.ok()) return ca.status();
  if (!cb.ok()) return cb.status();
  absl::StatusOr<absl::Span<const float>> x = ca->span<const float>(), y = cb->span<const float>();
  if (!x.ok()) return x.status();
  if (!y.ok()) return y.status();
  for (size_t i = 0; i < x->size(); ++i) {
    if (std::abs((*x)[i] - (*y)[i]) > atol + rtol * std::abs((*y)[i])) return false;
  }
  return true;
}

// relu(x W0^T + b0) W1^T + b1 from the module's own parameters.
Tensor Expected(const ScriptModule& m, const Tensor& x) {
  auto p = [&](const std::string& name) {
    for (const auto& [n, t] : m.NamedParameters()) {
      if (n == name) return t;
    }
    ADD_FAILURE() << "no parameter " << name;
    return Tensor();
  };
  Tensor h = *Linear(x, p("l0.weight"), p("l0.bias"));
  return *Linear(*Relu(h), p("l1.weight"), p("l1.bias"));
}

TEST(LoadTest, ScriptedMyModuleRunsForward) {
  std::shared_ptr<ScriptModule> m = MustLoad("script_my.pt");
  ASSERT_NE(m, nullptr);
  Tensor x = *Ones({4});
  absl::StatusOr<Value> y = m->Forward({Value::FromTensor(x)});
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_TRUE(y->is_tensor());
  EXPECT_EQ(y->tensor().sizes(), std::vector<int64_t>({1}));
  EXPECT_TRUE(*AllClose(y->tensor(), Expected(*m, x), 1e-6, 1e-7));
  // The Tensor form of Module::Forward gives the same.
  absl::StatusOr<Tensor> t = m->Forward(x);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(*AllClose(*t, y->tensor(), 0, 0));
}

TEST(LoadTest, ControlFlowKeptWhenScriptedNotWhenTraced) {
  Tensor x24 = *Ones({2, 4});
  std::shared_ptr<ScriptModule> scripted = MustLoad("control_flow.pt");
  ASSERT_NE(scripted, nullptr);
  absl::StatusOr<Value> s = scripted->Forward({Value::FromTensor(x24)});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->tensor().dim(), 0);  // tensor(0)
  EXPECT_EQ(s->tensor().dtype(), ScalarType::kLong);
  std::shared_ptr<ScriptModule> traced = MustLoad("trace_my.pt");
  ASSERT_NE(traced, nullptr);
  absl::StatusOr<Value> t = traced->Forward({Value::FromTensor(x24)});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->tensor().sizes(), std::vector<int64_t>({2, 1}));
  EXPECT_TRUE(*AllClose(t->tensor(), Expected(*traced, x24), 1e-6, 1e-7));
}

TEST(LoadTest, ModuleApiOnALoadedModule) {
  std::shared_ptr<ScriptModule> m = MustLoad("script_my.pt");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->NamedParameters().size(), 4u);
  EXPECT_EQ(m->StateDict().dict().size(), 4u);
  absl::StatusOr<Value> l0 = m->Attr("l0");
  ASSERT_TRUE(l0.ok()) << l0.status();
  ASSERT_NE(ModuleOf(*l0), nullptr);
  EXPECT_EQ(ModuleOf(*l0)->qualified_name(), "__torch__.torch.nn.modules.linear.Linear");
  // The child runs on its own.
  absl::StatusOr<Value> h = ModuleOf(*l0)->Forward({Value::FromTensor(*Ones({4}))});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->tensor().sizes(), std::vector<int64_t>({2}));
  // eval() reaches the code: `self.training` reads the flag.
  m->Eval();
  EXPECT_FALSE(m->Attr("training")->as_bool());
  EXPECT_FALSE(ModuleOf(*m->Attr("l1"))->Attr("training")->as_bool());
  EXPECT_TRUE(m->HasMethod("forward"));
  EXPECT_FALSE(m->HasMethod("nope"));
  absl::StatusOr<Value> missing = m->RunMethod("nope", {});
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
}

TEST(LoadTest, WrongArgumentsAreErrors) {
  std::shared_ptr<ScriptModule> m = MustLoad("script_my.pt");
  ASSERT_NE(m, nullptr);
  absl::StatusOr<Value> wrong = m->Forward({Value::Str("x")});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("input"));
  absl::StatusOr<Value> none = m->RunMethod("forward", {});
  ASSERT_FALSE(none.ok());
  // The braced empty list is the Value overload (no ambiguity with Tensor).
  absl::StatusOr<Value> braced = m->Forward({});
  ASSERT_FALSE(braced.ok());
  EXPECT_EQ(braced.status().message(), none.status().message());
}

TEST(LoadTest, ATorchSaveFileIsNotAScriptModule) {
  absl::StatusOr<std::shared_ptr<ScriptModule>> m = Load("jit/testdata/script_my.sd.pt");
  ASSERT_FALSE(m.ok());
}

}  // namespace
}  // namespace jit
}  // namespace ptser
