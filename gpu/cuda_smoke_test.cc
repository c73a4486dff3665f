// Copyright ptser authors.
#include "gpu/cuda_smoke.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace gpu {
namespace {

TEST(CudaSmoke, KernelAndRoundTrip) {
  absl::StatusOr<int> count = CudaDeviceCount();
  if (!count.ok() || *count == 0) {
    GTEST_SKIP() << "no usable CUDA device on this machine: "
                 << (count.ok() ? "0 devices" : count.status().ToString());
  }
  absl::StatusOr<std::vector<float>> out = CudaAddOne({1.f, 2.f, -3.5f});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, ::testing::ElementsAre(2.f, 3.f, -2.5f));
}

}  // namespace
}  // namespace gpu
}  // namespace ptser
