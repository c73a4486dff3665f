// Copyright ptser authors.
//
// jit/nn/activation.h — the activation modules over tensor/ops: ReLU6, GELU
// (approximate "none" or "tanh"), SiLU, Hardswish, Hardsigmoid, Sigmoid,
// Tanh, Softmax(dim) and LogSoftmax(dim).  (ReLU is in basic.h.)  No state.
#ifndef PTSER_JIT_NN_ACTIVATION_H_
#define PTSER_JIT_NN_ACTIVATION_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "jit/module.h"

namespace ptser::nn {

// A stateless module whose forward is one function of its input.
class Activation : public Module {
 public:
  using Fn = std::function<absl::StatusOr<Tensor>(const Tensor&)>;
  Activation(std::string name, Fn fn) : Module(std::move(name)), fn_(std::move(fn)) {}
  absl::StatusOr<Tensor> Forward(const Tensor& x) override { return fn_(x); }

 private:
  Fn fn_;
};

std::shared_ptr<Module> MakeReLU6();
// Whether `m` is a module MakeReLU6 made (jit/nn/fused.h fuses it).
bool IsReLU6(const Module& m);
// approximate: "none" or "tanh" (else InvalidArgumentError, as PyTorch's).
absl::StatusOr<std::shared_ptr<Module>> MakeGELU(const std::string& approximate = "none");
std::shared_ptr<Module> MakeSiLU();
std::shared_ptr<Module> MakeHardswish();
std::shared_ptr<Module> MakeHardsigmoid();
std::shared_ptr<Module> MakeSigmoid();
std::shared_ptr<Module> MakeTanh();
std::shared_ptr<Module> MakeSoftmax(int64_t dim);
std::shared_ptr<Module> MakeLogSoftmax(int64_t dim);

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_ACTIVATION_H_
