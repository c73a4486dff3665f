// Copyright ptser authors.
#include "jit/nn/batchnorm.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/ops/normalization.h"
#include "tensor/views.h"

namespace ptser::nn {
absl::StatusOr<std::shared_ptr<BatchNorm>> BatchNorm::Make1d(int64_t num_features,
                                                             BatchNormOptions options) {
  return Make("BatchNorm1d", num_features, options, 2, 3);
}

absl::StatusOr<std::shared_ptr<BatchNorm>> BatchNorm::Make2d(int64_t num_features,
                                                             BatchNormOptions options) {
  return Make("BatchNorm2d", num_features, options, 4, 4);
}

absl::StatusOr<std::shared_ptr<BatchNorm>> BatchNorm::Make(const char* name, int64_t num_features,
                                                           BatchNormOptions options, int min_dim,
                                                           int max_dim) {
  if (options.dtype != ScalarType::kFloat && options.dtype != ScalarType::kDouble) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": float32 and float64 are supported, not ", DtypeRepr(options.dtype)));
  }
  std::shared_ptr<BatchNorm> m(new BatchNorm(name, num_features, options, min_dim, max_dim));
  const int64_t c[] = {num_features};
  if (options.affine) {
    PTSER_ASSIGN_OR_RETURN(Tensor w, Ones(c, options.dtype));
    PTSER_ASSIGN_OR_RETURN(Tensor b, Zeros(c, options.dtype));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("weight", w));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", b));
  } else {
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("weight", std::nullopt));
    PTSER_RETURN_IF_ERROR(m->RegisterParameter("bias", std::nullopt));
  }
  if (options.track_running_stats) {
    PTSER_ASSIGN_OR_RETURN(Tensor mean, Zeros(c, options.dtype));
    PTSER_ASSIGN_OR_RETURN(Tensor var, Ones(c, options.dtype));
    PTSER_ASSIGN_OR_RETURN(Tensor tracked, Zeros({}, ScalarType::kLong));
    PTSER_RETURN_IF_ERROR(m->RegisterBuffer("running_mean", mean));
    PTSER_RETURN_IF_ERROR(m->RegisterBuffer("running_var", var));
    PTSER_RETURN_IF_ERROR(m->RegisterBuffer("num_batches_tracked", tracked));
  } else {
    PTSER_RETURN_IF_ERROR(m->RegisterBuffer("running_mean", std::nullopt));
    PTSER_RETURN_IF_ERROR(m->RegisterBuffer("running_var", std::nullopt));
    PTSER_RETURN_IF_ERROR(m->RegisterBuffer("num_batches_tracked", std::nullopt));
  }
  return m;
}

absl::Status BatchNorm::UpgradeStateDict(const std::string& prefix, const Value& local_metadata,
                                         std::vector<Entry>* entries) {
  std::optional<int64_t> version;
  if (local_metadata.is_dict()) {
    const Value* v = local_metadata.dict().Find("version");
    if (v != nullptr && v->is_int()) version = v->as_int();
  }
  if ((!version || *version < 2) && options_.track_running_stats) {
    const std::string key = prefix + "num_batches_tracked";
    for (const Entry& e : *entries) {
      if (e.key == key) return absl::OkStatus();
    }
    PTSER_ASSIGN_OR_RETURN(Tensor zero, Zeros({}, ScalarType::kLong));
    entries->push_back(Entry{key, Value::FromTensor(zero)});
  }
  return absl::OkStatus();
}

absl::StatusOr<Tensor> BatchNorm::Forward(const Tensor& x) {
  if (x.dim() < min_dim_ || x.dim() > max_dim_) {
    return absl::InvalidArgumentError(
        min_dim_ == max_dim_
            ? absl::StrCat("expected ", min_dim_, "D input (got ", x.dim(), "D input)")
            : absl::StrCat("expected ", min_dim_, "D or ", max_dim_, "D input (got ", x.dim(),
                           "D input)"));
  }
  if (x.sizes()[1] != num_features_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "running_mean should contain ", x.sizes()[1], " elements not ", num_features_));
  }
  const Tensor* weight = FindParameter("weight");
  const Tensor* bias = FindParameter("bias");
  const Tensor* running_mean = FindBuffer("running_mean");
  const Tensor* running_var = FindBuffer("running_var");
  const Tensor* tracked = FindBuffer("num_batches_tracked");
  for (const Tensor* t : {weight, bias, running_mean, running_var}) {
    if (t != nullptr && t->dtype() != x.dtype()) {
      return absl::InvalidArgumentError(absl::StrCat(
          type_name(), ": expected input of dtype ", DtypeRepr(t->dtype()), ", got ",
          DtypeRepr(x.dtype()), " (call To(dtype) on the module)"));
    }
  }
  // nn.modules.batchnorm._BatchNorm.forward, then F.batch_norm.
  double momentum = options_.momentum.value_or(0.0);
  if (is_training() && options_.track_running_stats && tracked != nullptr) {
    int64_t* count = static_cast<int64_t*>(tracked->mutable_data());
    *count += 1;
    if (!options_.momentum) momentum = 1.0 / static_cast<double>(*count);
  }
  const bool bn_training = is_training() || (running_mean == nullptr && running_var == nullptr);
  if (bn_training) {
    int64_t per_channel = x.sizes()[0];
    for (int64_t d = 2; d < x.dim(); ++d) per_channel *= x.sizes()[d];
    if (per_channel <= 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Expected more than 1 value per channel when training, got input size torch.Size(",
          ShapeToString(x.sizes()), ")"));
    }
  }
  // Running statistics are passed (and so updated in training) unless the
  // module trains without tracking them.
  const bool pass_running = !is_training() || options_.track_running_stats;
  auto optional = [](const Tensor* t) {
    return t != nullptr ? std::optional<Tensor>(*t) : std::nullopt;
  };
  return ptser::BatchNorm(x, optional(weight), optional(bias),
                          pass_running ? optional(running_mean) : std::nullopt,
                          pass_running ? optional(running_var) : std::nullopt, bn_training,
                          momentum, options_.eps);
}

}  // namespace ptser::nn
