// Copyright ptser authors.
//
// The device paths on the real CUDA device: the allocator and OOM, To and
// Clone/Contiguous and the device runtime's accounting.  Loads and saves
// through archive/ on this device are tests/gpu/cuda_load_test.cc (gpu/ sits
// on tensor/ only).  Every test skips, saying why, where no GPU is usable; the
// same cases run everywhere on FakeDevice (tensor/device_backend_test.cc,
// archive/device_stage_test.cc).
#include "gpu/cuda_device.h"

#include <string>
#include <vector>

#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gpu/cuda_test_util.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace gpu {
namespace {

using ::testing::HasSubstr;

TEST_F(CudaDeviceTest, AllocatorReusesBlocksAndOutOfMemoryIsAStatus) {
  { ASSERT_OK_AND_ASSIGN(Storage s, runtime_->AllocateStorage(Device("cuda", 0), 3 << 20)); }
  { ASSERT_OK_AND_ASSIGN(Storage s, runtime_->AllocateStorage(Device("cuda", 0), 3 << 20)); }
  EXPECT_EQ(runtime_->stats().backend_mallocs, 1u);
  EXPECT_EQ(runtime_->stats().cache_hits, 1u);
  EXPECT_THAT(runtime_->AllocateStorage(Device("cuda", 0), size_t{900} << 30).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("out of memory on cuda:0")));
  runtime_->EmptyCache();
  EXPECT_EQ(runtime_->stats().backend_frees, runtime_->stats().backend_mallocs);
}

TEST_F(CudaDeviceTest, ToCloneContiguousKeepValuesAndSharing) {
  ASSERT_OK_AND_ASSIGN(Tensor base, Arange(Scalar(0.0), Scalar(1 << 20)));
  ASSERT_OK_AND_ASSIGN(Tensor m, View(base, {1024, 1024}));
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(m, 0, 1));
  Tensor::StorageMoves moves;
  ASSERT_OK_AND_ASSIGN(Tensor m_d, m.To(Device("cuda", 0), &moves));
  ASSERT_OK_AND_ASSIGN(Tensor t_d, t.To(Device("cuda", 0), &moves));
  EXPECT_TRUE(m_d.storage().IsSameAs(t_d.storage()));
  EXPECT_EQ(Elements(t_d), Elements(t));
  ASSERT_OK_AND_ASSIGN(Tensor rows, Slice(m_d, 0, 10, 20, 1));
  ASSERT_OK_AND_ASSIGN(Tensor c, Clone(rows));
  EXPECT_EQ(c.device(), Device("cuda", 0));
  EXPECT_EQ(c.storage().nbytes(), 10u * 1024 * 4);
  ASSERT_OK_AND_ASSIGN(Tensor rows_cpu, Slice(m, 0, 10, 20, 1));
  EXPECT_EQ(Elements(c), Elements(rows_cpu));
  ASSERT_OK_AND_ASSIGN(Tensor tc, Contiguous(t_d));
  EXPECT_TRUE(tc.is_contiguous());
  EXPECT_EQ(Elements(tc), Elements(t));
  EXPECT_THAT(m.To(Device("cuda", count_)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("device 'cuda:", count_, "' does not exist"))));
}

}  // namespace
}  // namespace gpu
}  // namespace ptser
