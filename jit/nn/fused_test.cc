// Copyright ptser authors.
//
// jit/nn/fused_test.cc — Conv2d → BatchNorm2d → ReLU/ReLU6 fused (eval)
// against the same modules run one by one, and after every way the weights
// and statistics can change between calls (nothing may be stale).
#include "jit/nn/fused.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"
#include "jit/nn/activation.h"
#include "jit/nn/basic.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/containers.h"
#include "jit/nn/conv.h"
#include "tensor/factories.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/reduction.h"
#include "tensor/views.h"

namespace ptser::nn {
namespace {

struct Parts {
  std::shared_ptr<Conv> conv;
  std::shared_ptr<BatchNorm> bn;
  std::shared_ptr<Module> act;
  std::shared_ptr<Sequential> seq;
};

Parts Make(bool relu6, int64_t groups = 1, std::string padding_mode = "zeros") {
  ConvOptions o;
  o.kernel_size = {3};
  o.padding = {1};
  o.groups = groups;
  o.padding_mode = padding_mode;
  Parts p;
  p.conv = *Conv::Make2d(4, 6, o);
  p.bn = *BatchNorm::Make2d(6);
  p.act = relu6 ? MakeReLU6() : std::shared_ptr<Module>(std::make_shared<ReLU>());
  p.seq = *Sequential::Make({p.conv, p.bn, p.act});
  // Statistics that are not the identity.
  EXPECT_OK(CopyInto(*p.bn->FindBuffer("running_mean"), *Randn({6}, 11)));
  EXPECT_OK(CopyInto(*p.bn->FindBuffer("running_var"), *Full({6}, Scalar(2.5))));
  EXPECT_OK(CopyInto(*p.bn->FindParameter("weight"), *Randn({6}, 12)));
  EXPECT_OK(CopyInto(*p.bn->FindParameter("bias"), *Randn({6}, 13)));
  return p;
}

// The three modules one by one: the reference.
Tensor Separate(const Parts& p, const Tensor& x) {
  Tensor y = *p.conv->Forward(x);
  y = *p.bn->Forward(y);
  return *p.act->Forward(y);
}

void ExpectNear(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.sizes(), want.sizes());
  ASSERT_EQ(got.dtype(), ScalarType::kFloat);
  Tensor g = *Contiguous(got), w = *Contiguous(want);
  const float* pg = static_cast<const float*>(g.data());
  const float* pw = static_cast<const float*>(w.data());
  for (int64_t i = 0; i < g.numel(); ++i) {
    ASSERT_NEAR(pg[i], pw[i], 1e-5 * std::max(1.0f, std::fabs(pw[i]))) << i;
  }
}

TEST(Fused, SequentialInEvalEqualsTheModulesOneByOne) {
  for (bool relu6 : {false, true}) {
    Parts p = Make(relu6);
    p.seq->Eval();
    const Tensor x = *Randn({2, 4, 9, 7}, 3);
    EXPECT_TRUE(FusibleConvBatchNorm(*p.conv, *p.bn, p.act.get(), x));
    ASSERT_OK_AND_ASSIGN(Tensor fused, p.seq->Forward(x));
    ExpectNear(fused, Separate(p, x));
    ASSERT_OK_AND_ASSIGN(Tensor direct, RunConvBatchNorm(*p.conv, *p.bn, p.act.get(), x));
    ExpectNear(direct, Separate(p, x));
  }
}

TEST(Fused, NeverStale) {
  Parts p = Make(false);
  p.seq->Eval();
  const Tensor x = *Randn({1, 4, 8, 8}, 5);
  ASSERT_OK_AND_ASSIGN(Tensor before, p.seq->Forward(x));
  // load_state_dict copies into the weights in place.
  auto other = Make(false);
  other.seq->Eval();
  ASSERT_OK(CopyInto(*other.conv->FindParameter("weight"), *Randn({6, 4, 3, 3}, 99)));
  ASSERT_OK(p.seq->LoadStateDict(other.seq->StateDict()).status());
  ASSERT_OK_AND_ASSIGN(Tensor after_load, p.seq->Forward(x));
  ExpectNear(after_load, Separate(p, x));
  ExpectNear(after_load, *other.seq->Forward(x));
  // An in-place change of the weight through a tensor handle.
  ASSERT_OK(MulInplace(*p.conv->FindParameter("weight"), Scalar(-2.0)));
  ASSERT_OK_AND_ASSIGN(Tensor after_mul, p.seq->Forward(x));
  ExpectNear(after_mul, Separate(p, x));
  // The statistics, changed in place (what a train-mode forward does).
  ASSERT_OK(AddInplace(*p.bn->FindBuffer("running_mean"), Scalar(0.75)));
  ASSERT_OK_AND_ASSIGN(Tensor after_stats, p.seq->Forward(x));
  ExpectNear(after_stats, Separate(p, x));
  // Every step changed the output (the checks above were not vacuous).
  for (const Tensor* t : {&after_load, &after_mul, &after_stats}) {
    ASSERT_OK_AND_ASSIGN(Tensor d, Sub(*t, before));
    ASSERT_OK_AND_ASSIGN(Tensor s, Sum(*Mul(d, d)));
    EXPECT_GT(static_cast<const float*>(s.data())[0], 1e-3);
  }
}

TEST(Fused, OnlyWhereTheResultIsTheSame) {
  const Tensor x = *Randn({1, 4, 8, 8}, 5);
  Parts p = Make(false);
  // Training mode: batch statistics, running ones updated: not fused.
  p.seq->Train();
  EXPECT_FALSE(FusibleConvBatchNorm(*p.conv, *p.bn, p.act.get(), x));
  p.seq->Eval();
  EXPECT_TRUE(FusibleConvBatchNorm(*p.conv, *p.bn, nullptr, x));
  // Unbatched input: BatchNorm2d refuses 3-D input, so the modules must run
  // (and fail) one by one, with PyTorch's message.
  const Tensor x3 = *Randn({4, 8, 8}, 5);
  EXPECT_FALSE(FusibleConvBatchNorm(*p.conv, *p.bn, p.act.get(), x3));
  EXPECT_FALSE(p.seq->Forward(x3).ok());
  // Another activation, a reflect-padded convolution, BatchNorm1d.
  auto gelu = *MakeGELU();
  EXPECT_FALSE(FusibleConvBatchNorm(*p.conv, *p.bn, gelu.get(), x));
  Parts r = Make(false, 1, "reflect");
  r.seq->Eval();
  EXPECT_FALSE(FusibleConvBatchNorm(*r.conv, *r.bn, nullptr, x));
  ExpectNear(*r.seq->Forward(x), Separate(r, x));
  auto bn1 = *BatchNorm::Make1d(6);
  bn1->Eval();
  EXPECT_FALSE(FusibleConvBatchNorm(*p.conv, *bn1, nullptr, x));
  // Without running statistics (track_running_stats=False): batch statistics.
  BatchNormOptions untracked;
  untracked.track_running_stats = false;
  auto bn_u = *BatchNorm::Make2d(6, untracked);
  bn_u->Eval();
  EXPECT_FALSE(FusibleConvBatchNorm(*p.conv, *bn_u, nullptr, x));
  // Grouped convolutions fuse.
  Parts g = Make(true, 2);
  g.seq->Eval();
  EXPECT_TRUE(FusibleConvBatchNorm(*g.conv, *g.bn, g.act.get(), x));
  ExpectNear(*g.seq->Forward(x), Separate(g, x));
}

}  // namespace
}  // namespace ptser::nn
