// Copyright ptser authors.
//
// jit/nn/containers.h — nn.Sequential, nn.ModuleList and nn.ModuleDict: their
// children are named "0", "1", ... (Sequential, ModuleList) or by key
// (ModuleDict), which is what their state_dict keys start with
// ("0.weight", "blocks.1.bias").
#ifndef PTSER_JIT_NN_CONTAINERS_H_
#define PTSER_JIT_NN_CONTAINERS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "jit/module.h"

namespace ptser::nn {

// forward(x): each child's Forward in turn.
class Sequential : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<Sequential>> Make(
      std::vector<std::shared_ptr<Module>> modules);
  absl::Status Append(std::shared_ptr<Module> module);
  size_t size() const { return size_; }
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

 private:
  Sequential() : Module("Sequential") {}
  size_t size_ = 0;
  std::vector<std::shared_ptr<Module>> members_;  // the children, in order
};

// A list of modules with no forward of its own.
class ModuleList : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<ModuleList>> Make(
      std::vector<std::shared_ptr<Module>> modules = {});
  absl::Status Append(std::shared_ptr<Module> module);
  size_t size() const { return size_; }
  // modules[i]; negative counts from the end; OutOfRangeError past the end.
  absl::StatusOr<std::shared_ptr<Module>> At(int64_t i) const;

 private:
  ModuleList() : Module("ModuleList") {}
  size_t size_ = 0;
};

// Modules by name, in insertion order, with no forward of its own.
class ModuleDict : public Module {
 public:
  static absl::StatusOr<std::shared_ptr<ModuleDict>> Make(
      std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules = {});
  absl::Status Insert(const std::string& key, std::shared_ptr<Module> module);

 private:
  ModuleDict() : Module("ModuleDict") {}
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_CONTAINERS_H_
