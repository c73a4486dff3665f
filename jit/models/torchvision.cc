// Copyright ptser authors.
#include "jit/models/torchvision.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/nn/activation.h"
#include "jit/nn/basic.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/containers.h"
#include "jit/nn/conv.h"
#include "jit/nn/fused.h"
#include "jit/nn/linear.h"
#include "jit/nn/pooling.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/views.h"

namespace ptser::models {
namespace {

absl::StatusOr<std::shared_ptr<Module>> Conv(int64_t in, int64_t out, int64_t k, int64_t stride,
                                             int64_t padding, int64_t groups = 1) {
  nn::ConvOptions o;
  o.kernel_size = {k};
  o.stride = {stride};
  o.padding = {padding};
  o.groups = groups;
  o.bias = false;
  PTSER_ASSIGN_OR_RETURN(auto c, nn::Conv::Make2d(in, out, o));
  return std::shared_ptr<Module>(c);
}

absl::StatusOr<std::shared_ptr<Module>> BN(int64_t c) {
  PTSER_ASSIGN_OR_RETURN(auto bn, nn::BatchNorm::Make2d(c));
  return std::shared_ptr<Module>(bn);
}

// self.<conv>, self.<bn>, then self.<act> when act is given: fused in
// evaluation mode (jit/nn/fused.h), else one by one.
absl::StatusOr<Tensor> ConvBnAct(Module& self, const char* conv, const char* bn,
                                 const char* act, const Tensor& x) {
  std::shared_ptr<Module> c = self.Child(conv), b = self.Child(bn);
  std::shared_ptr<Module> a = act != nullptr ? self.Child(act) : nullptr;
  if (c == nullptr || b == nullptr || (act != nullptr && a == nullptr)) {
    return absl::InternalError(absl::StrCat(self.type_name(), ": missing ", conv, ", ", bn,
                                            act != nullptr ? " or " : "",
                                            act != nullptr ? act : ""));
  }
  if (nn::FusibleConvBatchNorm(*c, *b, a.get(), x)) {
    absl::StatusOr<Tensor> fused = nn::RunConvBatchNorm(*c, *b, a.get(), x);
    if (fused.ok()) return fused;
  }
  PTSER_ASSIGN_OR_RETURN(Tensor y, c->Forward(x));
  PTSER_ASSIGN_OR_RETURN(y, b->Forward(y));
  if (a == nullptr) return y;
  return a->Forward(y);
}

// torchvision.models.resnet.BasicBlock.
class BasicBlock : public Module {
 public:
  BasicBlock() : Module("BasicBlock") {}
  static absl::StatusOr<std::shared_ptr<BasicBlock>> Make(int64_t inplanes, int64_t planes,
                                                          int64_t stride) {
    auto b = std::make_shared<BasicBlock>();
    PTSER_ASSIGN_OR_RETURN(auto conv1, Conv(inplanes, planes, 3, stride, 1));
    PTSER_ASSIGN_OR_RETURN(auto bn1, BN(planes));
    PTSER_ASSIGN_OR_RETURN(auto conv2, Conv(planes, planes, 3, 1, 1));
    PTSER_ASSIGN_OR_RETURN(auto bn2, BN(planes));
    PTSER_RETURN_IF_ERROR(b->RegisterModule("conv1", conv1));
    PTSER_RETURN_IF_ERROR(b->RegisterModule("bn1", bn1));
    PTSER_RETURN_IF_ERROR(b->RegisterModule("relu", std::make_shared<nn::ReLU>()));
    PTSER_RETURN_IF_ERROR(b->RegisterModule("conv2", conv2));
    PTSER_RETURN_IF_ERROR(b->RegisterModule("bn2", bn2));
    if (stride != 1 || inplanes != planes) {
      PTSER_ASSIGN_OR_RETURN(auto dconv, Conv(inplanes, planes, 1, stride, 0));
      PTSER_ASSIGN_OR_RETURN(auto dbn, BN(planes));
      PTSER_ASSIGN_OR_RETURN(auto down, nn::Sequential::Make({dconv, dbn}));
      PTSER_RETURN_IF_ERROR(b->RegisterModule("downsample", down));
    }
    return b;
  }

  absl::StatusOr<Tensor> Forward(const Tensor& x) override {
    PTSER_ASSIGN_OR_RETURN(Tensor out, ConvBnAct(*this, "conv1", "bn1", "relu", x));
    PTSER_ASSIGN_OR_RETURN(out, ConvBnAct(*this, "conv2", "bn2", nullptr, out));
    Tensor identity = x;
    if (auto down = Child("downsample")) {
      PTSER_ASSIGN_OR_RETURN(identity, down->Forward(x));
    }
    PTSER_RETURN_IF_ERROR(AddInplace(out, identity));
    PTSER_RETURN_IF_ERROR(ReluInplace(out));
    return out;
  }
};

class ResNet : public Module {
 public:
  ResNet() : Module("ResNet") {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override {
    PTSER_ASSIGN_OR_RETURN(Tensor y, ConvBnAct(*this, "conv1", "bn1", "relu", x));
    for (const char* name : {"maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"}) {
      PTSER_ASSIGN_OR_RETURN(y, Child(name)->Forward(y));
    }
    PTSER_ASSIGN_OR_RETURN(y, Flatten(y, 1));
    return Child("fc")->Forward(y);
  }
};

// torchvision.ops.misc.Conv2dNormActivation(in, out, k, stride, groups,
// BatchNorm2d, ReLU6 or none): a Sequential of the three.
absl::StatusOr<std::shared_ptr<Module>> ConvBNReLU6(int64_t in, int64_t out, int64_t k,
                                                    int64_t stride, int64_t groups, bool relu6) {
  PTSER_ASSIGN_OR_RETURN(auto c, Conv(in, out, k, stride, (k - 1) / 2, groups));
  PTSER_ASSIGN_OR_RETURN(auto bn, BN(out));
  std::vector<std::shared_ptr<Module>> layers = {c, bn};
  if (relu6) layers.push_back(nn::MakeReLU6());
  PTSER_ASSIGN_OR_RETURN(auto seq, nn::Sequential::Make(std::move(layers)));
  return std::shared_ptr<Module>(seq);
}

// torchvision.models.mobilenetv2.InvertedResidual.
class InvertedResidual : public Module {
 public:
  InvertedResidual() : Module("InvertedResidual") {}
  static absl::StatusOr<std::shared_ptr<InvertedResidual>> Make(int64_t inp, int64_t oup,
                                                                int64_t stride, int64_t expand) {
    auto r = std::make_shared<InvertedResidual>();
    r->use_res_connect_ = stride == 1 && inp == oup;
    const int64_t hidden = inp * expand;
    std::vector<std::shared_ptr<Module>> layers;
    if (expand != 1) {
      PTSER_ASSIGN_OR_RETURN(auto pw, ConvBNReLU6(inp, hidden, 1, 1, 1, true));
      layers.push_back(pw);
    }
    PTSER_ASSIGN_OR_RETURN(auto dw, ConvBNReLU6(hidden, hidden, 3, stride, hidden, true));
    layers.push_back(dw);
    PTSER_ASSIGN_OR_RETURN(auto project, Conv(hidden, oup, 1, 1, 0));
    layers.push_back(project);
    PTSER_ASSIGN_OR_RETURN(auto bn, BN(oup));
    layers.push_back(bn);
    PTSER_ASSIGN_OR_RETURN(auto conv, nn::Sequential::Make(std::move(layers)));
    PTSER_RETURN_IF_ERROR(r->RegisterModule("conv", conv));
    return r;
  }
  absl::StatusOr<Tensor> Forward(const Tensor& x) override {
    PTSER_ASSIGN_OR_RETURN(Tensor y, Child("conv")->Forward(x));
    if (use_res_connect_) {
      PTSER_RETURN_IF_ERROR(AddInplace(y, x));
    }
    return y;
  }

 private:
  bool use_res_connect_ = false;
};

class MobileNet : public Module {
 public:
  MobileNet() : Module("MobileNetV2") {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override {
    PTSER_ASSIGN_OR_RETURN(Tensor y, Child("features")->Forward(x));
    PTSER_ASSIGN_OR_RETURN(y, AdaptiveAvgPool2d(y, {1, 1}));
    PTSER_ASSIGN_OR_RETURN(y, Flatten(y, 1));
    return Child("classifier")->Forward(y);
  }
};

}  // namespace

absl::StatusOr<std::shared_ptr<Module>> ResNet18(int64_t num_classes) {
  auto m = std::make_shared<ResNet>();
  PTSER_ASSIGN_OR_RETURN(auto conv1, Conv(3, 64, 7, 2, 3));
  PTSER_ASSIGN_OR_RETURN(auto bn1, BN(64));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("conv1", conv1));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("bn1", bn1));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("relu", std::make_shared<nn::ReLU>()));
  PoolParams pool;
  pool.kernel = {3, 3};
  pool.stride = {2, 2};
  pool.padding = {1, 1};
  PTSER_RETURN_IF_ERROR(m->RegisterModule("maxpool", nn::Pool2d::MaxPool(pool)));
  int64_t inplanes = 64;
  const int64_t planes[] = {64, 128, 256, 512};
  for (int i = 0; i < 4; ++i) {
    const int64_t stride = i == 0 ? 1 : 2;
    PTSER_ASSIGN_OR_RETURN(auto b0, BasicBlock::Make(inplanes, planes[i], stride));
    PTSER_ASSIGN_OR_RETURN(auto b1, BasicBlock::Make(planes[i], planes[i], 1));
    inplanes = planes[i];
    PTSER_ASSIGN_OR_RETURN(auto layer, nn::Sequential::Make({b0, b1}));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("layer" + std::to_string(i + 1), layer));
  }
  PTSER_RETURN_IF_ERROR(m->RegisterModule(
      "avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(std::array<int64_t, 2>{1, 1})));
  PTSER_ASSIGN_OR_RETURN(auto fc, nn::Linear::Make(512, num_classes));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("fc", fc));
  return std::shared_ptr<Module>(m);
}

absl::StatusOr<std::shared_ptr<Module>> MobileNetV2(int64_t num_classes) {
  auto m = std::make_shared<MobileNet>();
  // t (expansion), c (channels), n (repeats), s (first stride): torchvision's table.
  const int64_t settings[7][4] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
  std::vector<std::shared_ptr<Module>> features;
  PTSER_ASSIGN_OR_RETURN(auto first, ConvBNReLU6(3, 32, 3, 2, 1, true));
  features.push_back(first);
  int64_t input_channel = 32;
  for (const auto& s : settings) {
    for (int64_t i = 0; i < s[2]; ++i) {
      PTSER_ASSIGN_OR_RETURN(auto block,
                             InvertedResidual::Make(input_channel, s[1], i == 0 ? s[3] : 1, s[0]));
      features.push_back(block);
      input_channel = s[1];
    }
  }
  PTSER_ASSIGN_OR_RETURN(auto last, ConvBNReLU6(input_channel, 1280, 1, 1, 1, true));
  features.push_back(last);
  PTSER_ASSIGN_OR_RETURN(auto feats, nn::Sequential::Make(std::move(features)));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("features", feats));
  PTSER_ASSIGN_OR_RETURN(auto fc, nn::Linear::Make(1280, num_classes));
  PTSER_ASSIGN_OR_RETURN(auto classifier,
                         nn::Sequential::Make({std::make_shared<nn::Dropout>(0.2), fc}));
  PTSER_RETURN_IF_ERROR(m->RegisterModule("classifier", classifier));
  return std::shared_ptr<Module>(m);
}

}  // namespace ptser::models
