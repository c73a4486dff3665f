// Copyright ptser authors.
//
// The C++ half of module_interop_test.py: builds the same architectures as
// the Python side (by name) out of ptser's jit/nn layers.
//
//   module_tool seeded ARCH SEED OUT          ManualSeed(SEED); build ARCH; Save(state_dict, OUT)
//   module_tool forward ARCH SD IN OUT [train]
//                                             build ARCH; load SD (prints the
//                                             IncompatibleKeys); eval (or train);
//                                             forward the tensor in IN; save the
//                                             output, then the state dict to OUT.sd
//   module_tool load ARCH SD [nonstrict]      load SD; print the result or the error text
//   module_tool from_model MODEL OUT          the state dict of a torch.save(model) file,
//                                             its classes kept inert, saved to OUT
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "jit/models/torchvision.h"
#include "jit/module.h"
#include "jit/pickled_module.h"
#include "jit/nn/activation.h"
#include "jit/nn/attention.h"
#include "jit/nn/basic.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/containers.h"
#include "jit/nn/conv.h"
#include "jit/nn/embedding.h"
#include "jit/nn/linear.h"
#include "jit/nn/normalization.h"
#include "jit/nn/pooling.h"
#include "jit/nn/transformer.h"
#include "tensor/generator.h"

namespace ptser {
namespace {

class MyModule : public Module {
 public:
  MyModule() : Module("MyModule") {}
};

// The architectures module_interop_test.py defines in Python.
absl::StatusOr<std::shared_ptr<Module>> Build(const std::string& arch) {
  if (arch == "linear") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Linear::Make(4, 2));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "linear_nobias64") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Linear::Make(5, 3, false, ScalarType::kDouble));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "mymodule") {
    auto m = std::make_shared<MyModule>();
    PTSER_ASSIGN_OR_RETURN(auto l0, nn::Linear::Make(4, 2));
    PTSER_ASSIGN_OR_RETURN(auto l1, nn::Linear::Make(2, 1));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("l0", l0));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("l1", l1));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "bn1d") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::BatchNorm::Make1d(3));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "bn2d") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::BatchNorm::Make2d(3));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "mlp") {
    PTSER_ASSIGN_OR_RETURN(auto a, nn::Linear::Make(8, 16));
    PTSER_ASSIGN_OR_RETURN(auto bn, nn::BatchNorm::Make1d(16));
    PTSER_ASSIGN_OR_RETURN(auto b, nn::Linear::Make(16, 4));
    PTSER_ASSIGN_OR_RETURN(
        auto seq, nn::Sequential::Make({a, bn, std::make_shared<nn::ReLU>(),
                                        std::make_shared<nn::Dropout>(0.1), b,
                                        std::make_shared<nn::Flatten>(),
                                        std::make_shared<nn::Identity>()}));
    return std::shared_ptr<Module>(seq);
  }
  if (arch == "conv2d") {
    nn::ConvOptions o;
    o.kernel_size = {3};
    o.stride = {2};
    o.padding = {1};
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Conv::Make2d(3, 8, o));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "conv2d_same") {
    nn::ConvOptions o;
    o.kernel_size = {4, 3};
    o.padding_string = "same";
    o.dilation = {2, 1};
    o.padding_mode = "reflect";
    o.groups = 2;
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Conv::Make2d(4, 6, o));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "conv2d_circular") {
    nn::ConvOptions o;
    o.kernel_size = {3};
    o.padding = {2};
    o.padding_mode = "circular";
    o.bias = false;
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Conv::Make2d(2, 4, o));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "conv1d") {
    nn::ConvOptions o;
    o.kernel_size = {4};
    o.stride = {2};
    o.padding = {1};
    o.dilation = {2};
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Conv::Make1d(3, 5, o));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "conv_transpose2d") {
    nn::ConvOptions o;
    o.kernel_size = {3};
    o.stride = {2};
    o.padding = {1};
    o.output_padding = {1};
    o.groups = 2;
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Conv::MakeTranspose2d(4, 6, o));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "pools") {
    PoolParams max;
    max.kernel = {3, 3};
    max.stride = {2, 2};
    max.padding = {1, 1};
    max.ceil_mode = true;
    PoolParams avg;
    avg.kernel = {2, 2};
    avg.stride = {1, 1};
    avg.padding = {1, 1};
    avg.count_include_pad = false;
    PTSER_ASSIGN_OR_RETURN(
        auto m, nn::Sequential::Make({nn::Pool2d::MaxPool(max), nn::Pool2d::AvgPool(avg),
                                      std::make_shared<nn::AdaptiveAvgPool2d>(
                                          std::array<int64_t, 2>{3, 2})}));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "pools2") {
    PoolParams avg;
    avg.kernel = {3, 3};
    avg.stride = {2, 2};
    avg.padding = {1, 1};
    avg.ceil_mode = true;
    avg.divisor_override = 5;
    PoolParams max;
    max.kernel = {2, 2};
    max.stride = {2, 2};
    max.dilation = {2, 2};
    PTSER_ASSIGN_OR_RETURN(
        auto m, nn::Sequential::Make({nn::Pool2d::AvgPool(avg), nn::Pool2d::MaxPool(max)}));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "norms") {
    PTSER_ASSIGN_OR_RETURN(auto ln, nn::LayerNorm::Make({5}));
    PTSER_ASSIGN_OR_RETURN(auto gn, nn::GroupNorm::Make(2, 4));
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Sequential::Make({ln, gn}));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "embedding") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Embedding::Make(10, 4, 2, ScalarType::kDouble));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "activations") {
    PTSER_ASSIGN_OR_RETURN(auto gelu, nn::MakeGELU());
    PTSER_ASSIGN_OR_RETURN(auto gelu_tanh, nn::MakeGELU("tanh"));
    PTSER_ASSIGN_OR_RETURN(auto m, nn::ModuleList::Make({nn::MakeReLU6(), gelu, gelu_tanh,
                                                        nn::MakeSiLU(), nn::MakeHardswish(),
                                                        nn::MakeHardsigmoid(), nn::MakeSigmoid(),
                                                        nn::MakeTanh(), nn::MakeSoftmax(1),
                                                        nn::MakeLogSoftmax(-1)}));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "bilinear") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::Bilinear::Make(3, 4, 5));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "mha") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::MultiheadAttention::Make(8, 2));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "mha_batch_first") {
    PTSER_ASSIGN_OR_RETURN(auto m, nn::MultiheadAttention::Make(6, 3, true, true,
                                                                ScalarType::kDouble));
    return std::shared_ptr<Module>(m);
  }
  if (arch == "transformer" || arch == "transformer_prenorm") {
    nn::TransformerEncoderLayerOptions o;
    o.d_model = 16;
    o.nhead = 4;
    o.dim_feedforward = 32;
    o.dropout = 0.0;
    if (arch == "transformer_prenorm") {
      o.norm_first = true;
      o.activation = "gelu";
      o.batch_first = true;
    }
    PTSER_ASSIGN_OR_RETURN(auto layer, nn::TransformerEncoderLayer::Make(o));
    PTSER_ASSIGN_OR_RETURN(auto norm, nn::LayerNorm::Make({16}));
    PTSER_ASSIGN_OR_RETURN(auto enc, nn::TransformerEncoder::Make(*layer, 2, norm));
    return std::shared_ptr<Module>(enc);
  }
  if (arch == "resnet18") return models::ResNet18();
  if (arch == "mobilenet_v2") return models::MobileNetV2();
  return absl::InvalidArgumentError("unknown architecture " + arch);
}

absl::Status Seeded(const std::string& arch, const std::string& seed, const std::string& out) {
  uint64_t s = 0;
  if (!absl::SimpleAtoi(seed, &s)) return absl::InvalidArgumentError("bad seed " + seed);
  ManualSeed(s);
  PTSER_ASSIGN_OR_RETURN(auto m, Build(arch));
  return Save(m->StateDict(), out);
}

absl::Status Forward(const std::string& arch, const std::string& sd_path, const std::string& in,
                     const std::string& out, bool train) {
  PTSER_ASSIGN_OR_RETURN(auto m, Build(arch));
  PTSER_ASSIGN_OR_RETURN(Value sd, Load(sd_path));
  PTSER_ASSIGN_OR_RETURN(IncompatibleKeys keys, m->LoadStateDict(sd));
  std::cout << keys.ToString() << "\n";
  m->Train(train);
  PTSER_ASSIGN_OR_RETURN(Value x, Load(in));
  Value result;
  if (arch == "bilinear") {
    PTSER_ASSIGN_OR_RETURN(Tensor x1, x.Get<Tensor>(0));
    PTSER_ASSIGN_OR_RETURN(Tensor x2, x.Get<Tensor>(1));
    PTSER_ASSIGN_OR_RETURN(Tensor y, static_cast<nn::Bilinear&>(*m).Forward2(x1, x2));
    PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(y), out));
    return Save(m->StateDict(), out + ".sd");
  }
  if (arch == "mha" || arch == "mha_batch_first") {
    PTSER_ASSIGN_OR_RETURN(Tensor q, x.Get<Tensor>(0));
    PTSER_ASSIGN_OR_RETURN(Tensor k, x.Get<Tensor>(1));
    PTSER_ASSIGN_OR_RETURN(Tensor v, x.Get<Tensor>(2));
    PTSER_ASSIGN_OR_RETURN(auto y, static_cast<nn::MultiheadAttention&>(*m).Attend(q, k, v));
    PTSER_RETURN_IF_ERROR(Save(
        Value::NewList({Value::FromTensor(y.first), Value::FromTensor(y.second)}), out));
    return Save(m->StateDict(), out + ".sd");
  }
  PTSER_ASSIGN_OR_RETURN(Tensor xt, x.ToTensor());
  if (arch == "activations") {
    // Each activation on the same input: a list of outputs.
    result = Value::NewList();
    for (const auto& [name, child] : m->NamedChildren()) {
      PTSER_ASSIGN_OR_RETURN(Tensor y, child->Forward(xt));
      result.list().Append(Value::FromTensor(y));
    }
  } else {
    PTSER_ASSIGN_OR_RETURN(Tensor y, m->Forward(xt));
    result = Value::FromTensor(y);
  }
  PTSER_RETURN_IF_ERROR(Save(result, out));
  return Save(m->StateDict(), out + ".sd");
}

absl::Status LoadOnly(const std::string& arch, const std::string& sd_path, bool strict) {
  PTSER_ASSIGN_OR_RETURN(auto m, Build(arch));
  PTSER_ASSIGN_OR_RETURN(Value sd, Load(sd_path));
  absl::StatusOr<IncompatibleKeys> keys = m->LoadStateDict(sd, strict);
  std::cout << (keys.ok() ? keys->ToString() : std::string(keys.status().message()));
  return absl::OkStatus();
}

absl::Status FromModel(const std::string& model_path, const std::string& out) {
  LoadOptions options;
  options.unpickler.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  PTSER_ASSIGN_OR_RETURN(Value model, Load(model_path, options));
  PTSER_ASSIGN_OR_RETURN(Value sd, StateDictOfPickledModule(model));
  return Save(sd, out);
}

int Main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  absl::Status s;
  if (cmd == "seeded" && argc == 5) {
    s = Seeded(argv[2], argv[3], argv[4]);
  } else if (cmd == "forward" && (argc == 6 || argc == 7)) {
    s = Forward(argv[2], argv[3], argv[4], argv[5], argc == 7);
  } else if (cmd == "from_model" && argc == 4) {
    s = FromModel(argv[2], argv[3]);
  } else if (cmd == "load" && (argc == 4 || argc == 5)) {
    s = LoadOnly(argv[2], argv[3], argc == 4);
  } else {
    std::cerr << "usage: see module_tool.cc\n";
    return 2;
  }
  if (!s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ptser

int main(int argc, char** argv) { return ptser::Main(argc, argv); }
