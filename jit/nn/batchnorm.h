// Copyright ptser authors.
//
// jit/nn/batchnorm.h — torch.nn.BatchNorm1d and BatchNorm2d.
//
// Parameters `weight` (ones) and `bias` (zeros) when affine, else None;
// buffers `running_mean` (zeros), `running_var` (ones) and
// `num_batches_tracked` (int64 0) when tracking running statistics, else
// None.  _version 2: a state dict of version < 2 (or without _metadata)
// loads without `num_batches_tracked`, which then starts at 0.
//
// forward in eval mode normalises with the running statistics; in training
// mode with the batch's (biased variance), and updates the running ones with
// `momentum` (the unbiased variance; momentum None: the cumulative average)
// and counts the batch in num_batches_tracked — as PyTorch's.  float32 and
// float64.
#ifndef PTSER_JIT_NN_BATCHNORM_H_
#define PTSER_JIT_NN_BATCHNORM_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "jit/module.h"
#include "tensor/scalar_type.h"

namespace ptser::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;  // nullopt: Python's momentum=None
  bool affine = true;
  bool track_running_stats = true;
  ScalarType dtype = ScalarType::kFloat;
};

class BatchNorm : public Module {
 public:
  // BatchNorm1d (input (N, C) or (N, C, L)) and BatchNorm2d (N, C, H, W).
  static absl::StatusOr<std::shared_ptr<BatchNorm>> Make1d(int64_t num_features,
                                                           BatchNormOptions options = {});
  static absl::StatusOr<std::shared_ptr<BatchNorm>> Make2d(int64_t num_features,
                                                           BatchNormOptions options = {});

  int Version() const override { return 2; }
  absl::StatusOr<Tensor> Forward(const Tensor& x) override;

  int64_t num_features() const { return num_features_; }
  const BatchNormOptions& options() const { return options_; }

 protected:
  absl::Status UpgradeStateDict(const std::string& prefix, const Value& local_metadata,
                                std::vector<Entry>* entries) override;

 private:
  BatchNorm(const char* name, int64_t num_features, BatchNormOptions options, int min_dim,
            int max_dim)
      : Module(name),
        num_features_(num_features),
        options_(options),
        min_dim_(min_dim),
        max_dim_(max_dim) {}
  static absl::StatusOr<std::shared_ptr<BatchNorm>> Make(const char* name, int64_t num_features,
                                                         BatchNormOptions options, int min_dim,
                                                         int max_dim);
  int64_t num_features_;
  BatchNormOptions options_;
  int min_dim_;
  int max_dim_;
};

}  // namespace ptser::nn

#endif  // PTSER_JIT_NN_BATCHNORM_H_
