// Copyright ptser authors.
#include "jit/nn/containers.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/nn/fused.h"

namespace ptser::nn {

absl::StatusOr<std::shared_ptr<Sequential>> Sequential::Make(
    std::vector<std::shared_ptr<Module>> modules) {
  std::shared_ptr<Sequential> s(new Sequential());
  for (auto& m : modules) PTSER_RETURN_IF_ERROR(s->Append(std::move(m)));
  return s;
}

absl::Status Sequential::Append(std::shared_ptr<Module> module) {
  PTSER_RETURN_IF_ERROR(RegisterModule(absl::StrCat(size_), module));
  members_.push_back(std::move(module));
  ++size_;
  return absl::OkStatus();
}

absl::StatusOr<Tensor> Sequential::Forward(const Tensor& x) {
  Tensor y = x;
  for (size_t i = 0; i < members_.size(); ++i) {
    const std::shared_ptr<Module>& child = members_[i];
    // Conv2d, BatchNorm2d (eval)[, ReLU/ReLU6] as one fused convolution
    // (jit/nn/fused.h); on any error the modules run one by one below.
    if (i + 1 < members_.size()) {
      const Module* act = i + 2 < members_.size() ? members_[i + 2].get() : nullptr;
      if (act != nullptr && !FusibleConvBatchNorm(*child, *members_[i + 1], act, y)) {
        act = nullptr;
      }
      if (FusibleConvBatchNorm(*child, *members_[i + 1], act, y)) {
        absl::StatusOr<Tensor> fused = RunConvBatchNorm(*child, *members_[i + 1], act, y);
        if (fused.ok()) {
          y = *std::move(fused);
          i += act != nullptr ? 2 : 1;
          continue;
        }
      }
    }
    absl::StatusOr<Tensor> next = child->Forward(y);
    if (!next.ok()) {
      return absl::Status(next.status().code(),
                          absl::StrCat("Sequential[", i, "] (", child->type_name(),
                                       "): ", next.status().message()));
    }
    y = *std::move(next);
  }
  return y;
}

absl::StatusOr<std::shared_ptr<ModuleList>> ModuleList::Make(
    std::vector<std::shared_ptr<Module>> modules) {
  std::shared_ptr<ModuleList> l(new ModuleList());
  for (auto& m : modules) PTSER_RETURN_IF_ERROR(l->Append(std::move(m)));
  return l;
}

absl::Status ModuleList::Append(std::shared_ptr<Module> module) {
  PTSER_RETURN_IF_ERROR(RegisterModule(absl::StrCat(size_), std::move(module)));
  ++size_;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Module>> ModuleList::At(int64_t i) const {
  const int64_t n = static_cast<int64_t>(size_);
  const int64_t j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) {
    return absl::OutOfRangeError(absl::StrCat("index ", i, " is out of range"));
  }
  return Child(absl::StrCat(j));
}

absl::StatusOr<std::shared_ptr<ModuleDict>> ModuleDict::Make(
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules) {
  std::shared_ptr<ModuleDict> d(new ModuleDict());
  for (auto& [key, m] : modules) PTSER_RETURN_IF_ERROR(d->Insert(key, std::move(m)));
  return d;
}

absl::Status ModuleDict::Insert(const std::string& key, std::shared_ptr<Module> module) {
  return RegisterModule(key, std::move(module));
}

}  // namespace ptser::nn
