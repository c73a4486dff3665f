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
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "jit/module.h"
#include "jit/nn/basic.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/containers.h"
#include "jit/nn/linear.h"
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
  PTSER_ASSIGN_OR_RETURN(Tensor xt, x.ToTensor());
  PTSER_ASSIGN_OR_RETURN(Tensor y, m->Forward(xt));
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(y), out));
  return Save(m->StateDict(), out + ".sd");
}

absl::Status LoadOnly(const std::string& arch, const std::string& sd_path, bool strict) {
  PTSER_ASSIGN_OR_RETURN(auto m, Build(arch));
  PTSER_ASSIGN_OR_RETURN(Value sd, Load(sd_path));
  absl::StatusOr<IncompatibleKeys> keys = m->LoadStateDict(sd, strict);
  std::cout << (keys.ok() ? keys->ToString() : std::string(keys.status().message()));
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  absl::Status s;
  if (cmd == "seeded" && argc == 5) {
    s = Seeded(argv[2], argv[3], argv[4]);
  } else if (cmd == "forward" && (argc == 6 || argc == 7)) {
    s = Forward(argv[2], argv[3], argv[4], argv[5], argc == 7);
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
