// Copyright ptser authors.
//
// jit/models/torchvision.h — torchvision 0.14's resnet18 and mobilenet_v2 as
// ptser Modules: the same module tree and parameter names (so a state dict
// torchvision writes loads with all keys matched, and the other way round),
// the same initialisation order for the layers' default init, and the same
// forward (eval mode is what inference wants: call Eval()).
//
//   PTSER_ASSIGN_OR_RETURN(auto model, ptser::models::ResNet18());
//   PTSER_ASSIGN_OR_RETURN(auto keys, model->LoadStateDict(*ptser::Load("resnet18.pt")));
//   model->Eval();
//   PTSER_ASSIGN_OR_RETURN(ptser::Tensor logits, model->Forward(image));  // (N, 1000)
//
// (torchvision re-initialises its convolutions with kaiming_normal_ and its
// last batch norms as it builds; these models keep the layers' defaults, so
// their fresh weights are not torchvision's: load a state dict.)
#ifndef PTSER_JIT_MODELS_TORCHVISION_H_
#define PTSER_JIT_MODELS_TORCHVISION_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "jit/module.h"

namespace ptser::models {

absl::StatusOr<std::shared_ptr<Module>> ResNet18(int64_t num_classes = 1000);
absl::StatusOr<std::shared_ptr<Module>> MobileNetV2(int64_t num_classes = 1000);

}  // namespace ptser::models

#endif  // PTSER_JIT_MODELS_TORCHVISION_H_
