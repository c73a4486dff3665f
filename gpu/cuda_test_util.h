// Copyright ptser authors.
//
// gpu/cuda_test_util.h — what the CUDA device tests share (testonly): a
// fixture that registers the real CUDA device as "cuda" and skips, saying
// why, where none is usable; after each test it checks that every device
// byte was given back.  Elements(t) copies a tensor's elements to the host
// as raw bytes for comparisons.
#ifndef PTSER_GPU_CUDA_TEST_UTIL_H_
#define PTSER_GPU_CUDA_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/status_matchers.h"
#include "gpu/cuda_device.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/tensor.h"
#include "tensor/views.h"

namespace ptser {
namespace gpu {

inline std::string Elements(const Tensor& t) {
  absl::StatusOr<Tensor> host = t.To(Device::Cpu());
  EXPECT_OK(host.status());
  absl::StatusOr<Tensor> dense = Contiguous(*host);
  EXPECT_OK(dense.status());
  return std::string(static_cast<const char*>(dense->data()), dense->numel() * dense->itemsize());
}

class CudaDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::shared_ptr<CudaDevice>> device = CudaDevice::Create();
    if (!device.ok()) {
      GTEST_SKIP() << "no usable CUDA device on this machine, so the CUDA device tests cannot "
                      "run (the same paths run on FakeDevice in //tensor and //archive): "
                   << device.status();
    }
    ASSERT_OK(RegisterDeviceBackend(*device));
    runtime_ = GetDeviceRuntime("cuda");
    count_ = (*device)->DeviceCount();
  }
  void TearDown() override {
    if (runtime_ != nullptr) {
      EXPECT_EQ(runtime_->stats().storage_bytes, 0u);
      runtime_.reset();
      UnregisterDeviceType("cuda");
    }
  }
  std::shared_ptr<DeviceRuntime> runtime_;
  int count_ = 0;
};

}  // namespace gpu
}  // namespace ptser

#endif  // PTSER_GPU_CUDA_TEST_UTIL_H_
