// Copyright ptser authors.
//
// DeviceRuntime (allocator, synchronous copies), the registry's backend
// path, Tensor::To and Clone/Contiguous on a device, all on FakeDevice.
#include "tensor/device_backend.h"

#include <cstring>
#include <memory>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/factories.h"
#include "tensor/fake_device.h"
#include "tensor/tensor.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

// The float elements of `t` (any device, any strides), read on the CPU.
std::vector<float> Floats(const Tensor& t) {
  absl::StatusOr<Tensor> host = t.To(Device::Cpu());
  EXPECT_OK(host.status());
  absl::StatusOr<Tensor> dense = Contiguous(*host);
  EXPECT_OK(dense.status());
  const float* p = static_cast<const float*>(dense->data());
  return std::vector<float>(p, p + dense->numel());
}

class DeviceBackendTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    FakeDevice::Options o;
    o.device_count = 2;
    o.memory_per_device = 1 << 20;
    o.async = GetParam();
    o.copy_delay = std::chrono::microseconds(GetParam() ? 200 : 0);
    fake_ = std::make_shared<FakeDevice>(o);
    ASSERT_OK(RegisterDeviceBackend(fake_));
    runtime_ = GetDeviceRuntime("cuda");
    ASSERT_NE(runtime_, nullptr);
  }
  void TearDown() override {
    UnregisterDeviceType("cuda");
    runtime_.reset();  // the cache goes back to the fake
    EXPECT_EQ(fake_->stats().mallocs, fake_->stats().frees);
    EXPECT_EQ(fake_->stats().bad_accesses, 0);
    EXPECT_EQ(fake_->stats().streams_live, 0);
  }

  std::shared_ptr<FakeDevice> fake_;
  std::shared_ptr<DeviceRuntime> runtime_;
};

TEST_P(DeviceBackendTest, EachStorageIsAllocatedOnceAndItsBlockReused) {
  {
    ASSERT_OK_AND_ASSIGN(Storage a, runtime_->AllocateStorage(Device("cuda", 0), 1000));
    EXPECT_EQ(a.device(), Device("cuda", 0));
    EXPECT_EQ(a.nbytes(), 1000u);
    Storage b = a;  // a handle: no new block
    EXPECT_EQ(fake_->stats().mallocs, 1);
  }
  EXPECT_EQ(fake_->stats().frees, 0);  // cached
  EXPECT_EQ(runtime_->stats().cached_bytes, 1024u);
  {
    ASSERT_OK_AND_ASSIGN(Storage c, runtime_->AllocateStorage(Device("cuda", 0), 1020));
    EXPECT_EQ(fake_->stats().mallocs, 1);  // same rounded size: reused
    EXPECT_EQ(runtime_->stats().cache_hits, 1u);
    ASSERT_OK_AND_ASSIGN(Storage d, runtime_->AllocateStorage(Device("cuda", 1), 1020));
    EXPECT_EQ(fake_->stats().mallocs, 2);  // another device: its own block
  }
  runtime_->EmptyCache();
  EXPECT_EQ(fake_->stats().frees, 2);
  EXPECT_EQ(fake_->stats().device_live_bytes, 0u);
}

TEST_P(DeviceBackendTest, OutOfMemoryEmptiesTheCacheFirstThenSaysWhere) {
  { ASSERT_OK_AND_ASSIGN(Storage a, runtime_->AllocateStorage(Device("cuda", 0), 600 << 10)); }
  // 600 KiB cached; 700 KiB more does not fit beside it, so the cache goes.
  ASSERT_OK_AND_ASSIGN(Storage b, runtime_->AllocateStorage(Device("cuda", 0), 700 << 10));
  EXPECT_EQ(fake_->stats().frees, 1);
  EXPECT_THAT(runtime_->AllocateStorage(Device("cuda", 0), 900 << 10).status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("out of memory on cuda:0: allocating 921600 bytes")));
  // An out-of-memory answer is retried once, after emptying the cache.
  fake_->FailMallocAt(1);
  EXPECT_OK(runtime_->AllocateStorage(Device("cuda", 1), 10).status());
  EXPECT_THAT(runtime_->AllocateStorage(Device("cuda", 1), 2 << 20).status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("out of memory on cuda:1: allocating 2097152 bytes")));
}

TEST_P(DeviceBackendTest, AMissingDeviceIsNamed) {
  EXPECT_THAT(runtime_->AllocateStorage(Device("cuda", 3), 10).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("device 'cuda:3' does not exist: Attempting to deserialize "
                                 "object on CUDA device 3 but the device count is 2")));
  ASSERT_OK_AND_ASSIGN(Tensor t, Arange(Scalar(int64_t{4})));
  EXPECT_THAT(t.To(Device("cuda", 2)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'cuda:2'")));
  // "cuda" is the current device, 0.
  ASSERT_OK_AND_ASSIGN(Tensor d, t.To(Device("cuda")));
  EXPECT_EQ(d.device(), Device("cuda", 0));
}

TEST_P(DeviceBackendTest, ToCopiesEachStorageOnceAndViewsKeepSharing) {
  ASSERT_OK_AND_ASSIGN(Tensor base, Arange(Scalar(0.0), Scalar(12.0)));
  ASSERT_OK_AND_ASSIGN(Tensor m, View(base, {3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor col, Slice(m, 1, 1, 3, 1));
  ASSERT_OK_AND_ASSIGN(Tensor tr, Transpose(m, 0, 1));
  Tensor::StorageMoves moves;
  ASSERT_OK_AND_ASSIGN(Tensor base_d, base.To(Device("cuda", 0), &moves));
  ASSERT_OK_AND_ASSIGN(Tensor col_d, col.To(Device("cuda", 0), &moves));
  ASSERT_OK_AND_ASSIGN(Tensor tr_d, tr.To(Device("cuda", 0), &moves));
  EXPECT_EQ(fake_->stats().mallocs, 1);
  EXPECT_EQ(fake_->stats().h2d_bytes, 48u);
  EXPECT_TRUE(base_d.storage().IsSameAs(col_d.storage()));
  EXPECT_TRUE(base_d.storage().IsSameAs(tr_d.storage()));
  EXPECT_EQ(col_d.storage_offset(), 1);
  EXPECT_EQ(tr_d.strides(), tr.strides());
  EXPECT_EQ(Floats(col_d), Floats(col));
  EXPECT_EQ(Floats(tr_d), Floats(tr));
  // Back: one copy of the storage again, views shared on the CPU.
  const uint64_t d2h_before = fake_->stats().d2h_bytes;
  Tensor::StorageMoves back;
  ASSERT_OK_AND_ASSIGN(Tensor col_h, col_d.To(Device::Cpu(), &back));
  ASSERT_OK_AND_ASSIGN(Tensor tr_h, tr_d.To(Device::Cpu(), &back));
  EXPECT_TRUE(col_h.storage().IsSameAs(tr_h.storage()));
  EXPECT_EQ(fake_->stats().d2h_bytes - d2h_before, 48u);
  // Between two devices of the type (through the host).
  ASSERT_OK_AND_ASSIGN(Tensor on1, tr_d.To(Device("cuda", 1)));
  EXPECT_EQ(on1.device(), Device("cuda", 1));
  EXPECT_EQ(Floats(on1), Floats(tr));
  // Already there: the same tensor.
  ASSERT_OK_AND_ASSIGN(Tensor same, tr_d.To(Device("cuda", 0)));
  EXPECT_TRUE(same.IsSameAs(tr_d));
}

TEST_P(DeviceBackendTest, CloneAndContiguousOnTheDevice) {
  ASSERT_OK_AND_ASSIGN(Tensor base, Arange(Scalar(0.0), Scalar(12.0)));
  ASSERT_OK_AND_ASSIGN(Tensor m, View(base, {3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor m_d, m.To(Device("cuda", 0)));
  ASSERT_OK_AND_ASSIGN(Tensor rows, Slice(m_d, 0, 1, 3, 1));  // contiguous, offset 4
  ASSERT_OK_AND_ASSIGN(Tensor c, Clone(rows));
  EXPECT_EQ(c.device(), Device("cuda", 0));
  EXPECT_FALSE(c.storage().IsSameAs(m_d.storage()));
  EXPECT_EQ(c.storage().nbytes(), 32u);
  EXPECT_EQ(c.storage_offset(), 0);
  EXPECT_EQ(fake_->stats().d2d_bytes, 32u);  // one device-to-device copy
  EXPECT_EQ(Floats(c), (std::vector<float>{4, 5, 6, 7, 8, 9, 10, 11}));
  // Strided: through the host, the result on the device.
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(m_d, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor tc, Contiguous(t));
  EXPECT_EQ(tc.device(), Device("cuda", 0));
  EXPECT_TRUE(tc.is_contiguous());
  EXPECT_EQ(Floats(tc), (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  ASSERT_OK_AND_ASSIGN(Tensor same, Contiguous(rows));
  EXPECT_TRUE(same.IsSameAs(rows));
  ASSERT_OK_AND_ASSIGN(Tensor tclone, Clone(t));
  EXPECT_EQ(tclone.strides(), (std::vector<int64_t>{1, 4}));  // preserve_format
  EXPECT_EQ(Floats(tclone), Floats(t));
}

TEST_P(DeviceBackendTest, AFailedCopyIsAnErrorAndFreesTheStorage) {
  ASSERT_OK_AND_ASSIGN(Tensor t, Arange(Scalar(0.0), Scalar(100.0)));
  fake_->FailCopyAt(1);
  EXPECT_THAT(t.To(Device("cuda", 0)).status(),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("copying 400 bytes to cuda:0: injected copy failure")));
  EXPECT_EQ(runtime_->stats().storage_bytes, 0u);
}

INSTANTIATE_TEST_SUITE_P(SyncAndAsync, DeviceBackendTest, ::testing::Bool());

TEST(DeviceRegistry, CopyOnlyRegistrationsStillWork) {
  DeviceCopies c;
  c.to_device = [](const Storage& cpu, const Device& d) -> absl::StatusOr<Storage> {
    auto bytes = std::make_shared<std::vector<char>>(static_cast<const char*>(cpu.data()),
                                                     static_cast<const char*>(cpu.data()) + cpu.nbytes());
    return Storage::Borrow(bytes->data(), bytes->size(), bytes, d);
  };
  c.to_cpu = [](const Storage& s) { return Storage::CopyFrom(s.data(), s.nbytes()); };
  ASSERT_OK(RegisterDeviceType("xpu", c));
  EXPECT_EQ(GetDeviceRuntime("xpu"), nullptr);
  ASSERT_OK_AND_ASSIGN(Tensor t, Arange(Scalar(0.0), Scalar(3.0)));
  ASSERT_OK_AND_ASSIGN(Tensor x, t.To(Device("xpu", 0)));
  EXPECT_EQ(x.device(), Device("xpu", 0));
  EXPECT_EQ(Floats(x), (std::vector<float>{0, 1, 2}));
  EXPECT_TRUE(UnregisterDeviceType("xpu"));
}

}  // namespace
}  // namespace ptser
