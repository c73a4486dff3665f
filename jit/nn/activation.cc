// Copyright ptser authors.
#include "jit/nn/activation.h"

#include "absl/strings/str_cat.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/softmax.h"

namespace ptser::nn {

namespace {

// ReLU6, a type of its own so that IsReLU6 cannot mistake another
// Activation named "ReLU6" for it.
class ReLU6 final : public Activation {
 public:
  ReLU6() : Activation("ReLU6", Relu6) {}
};

}  // namespace

std::shared_ptr<Module> MakeReLU6() { return std::make_shared<ReLU6>(); }

bool IsReLU6(const Module& m) { return dynamic_cast<const ReLU6*>(&m) != nullptr; }

absl::StatusOr<std::shared_ptr<Module>> MakeGELU(const std::string& approximate) {
  GeluApproximation a;
  if (approximate == "none") {
    a = GeluApproximation::kNone;
  } else if (approximate == "tanh") {
    a = GeluApproximation::kTanh;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("approximate argument must be either none or tanh., got ", approximate));
  }
  return std::shared_ptr<Module>(
      std::make_shared<Activation>("GELU", [a](const Tensor& x) { return Gelu(x, a); }));
}

std::shared_ptr<Module> MakeSiLU() { return std::make_shared<Activation>("SiLU", Silu); }
std::shared_ptr<Module> MakeHardswish() {
  return std::make_shared<Activation>("Hardswish", Hardswish);
}
std::shared_ptr<Module> MakeHardsigmoid() {
  return std::make_shared<Activation>("Hardsigmoid", Hardsigmoid);
}
std::shared_ptr<Module> MakeSigmoid() { return std::make_shared<Activation>("Sigmoid", Sigmoid); }
std::shared_ptr<Module> MakeTanh() { return std::make_shared<Activation>("Tanh", Tanh); }
std::shared_ptr<Module> MakeSoftmax(int64_t dim) {
  return std::make_shared<Activation>("Softmax",
                                      [dim](const Tensor& x) { return Softmax(x, dim); });
}
std::shared_ptr<Module> MakeLogSoftmax(int64_t dim) {
  return std::make_shared<Activation>("LogSoftmax",
                                      [dim](const Tensor& x) { return LogSoftmax(x, dim); });
}

}  // namespace ptser::nn
