// Copyright ptser authors.
#include "tensor/device_registry.h"

#include <cstring>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

// A device whose memory is host memory in disguise: storages carry its tag.
DeviceCopies FakeCopies(int* to_device_calls) {
  DeviceCopies c;
  c.to_device = [to_device_calls](const Storage& cpu,
                                  const Device& device) -> absl::StatusOr<Storage> {
    ++*to_device_calls;
    auto bytes = std::make_shared<std::string>(static_cast<const char*>(cpu.data()), cpu.nbytes());
    return Storage::Borrow(bytes->data(), bytes->size(), bytes, device);
  };
  c.to_cpu = [](const Storage& on_device) -> absl::StatusOr<Storage> {
    return Storage::CopyFrom(on_device.data(), on_device.nbytes());
  };
  return c;
}

TEST(DeviceRegistryTest, RegisteredTypeCopiesBothWays) {
  int calls = 0;
  ASSERT_OK(RegisterDeviceType("fakedev", FakeCopies(&calls)));
  EXPECT_TRUE(IsDeviceTypeAvailable("fakedev"));
  EXPECT_TRUE(IsDeviceTypeAvailable("cpu"));
  EXPECT_THAT(RegisteredDeviceTypes(), ::testing::Contains("fakedev"));

  const char text[] = "0123456789";
  ASSERT_OK_AND_ASSIGN(Storage cpu, Storage::CopyFrom(text, 10));
  ASSERT_OK_AND_ASSIGN(Storage dev, CopyToDevice(cpu, Device("fakedev", 1)));
  EXPECT_EQ(dev.device(), Device("fakedev", 1));
  EXPECT_EQ(calls, 1);
  ASSERT_OK_AND_ASSIGN(Storage back, CopyToCpu(dev));
  EXPECT_TRUE(back.device().is_cpu());
  EXPECT_EQ(std::memcmp(back.data(), text, 10), 0);
  // The CPU is itself.
  ASSERT_OK_AND_ASSIGN(Storage same, CopyToDevice(cpu, Device::Cpu()));
  EXPECT_TRUE(same.IsSameAs(cpu));
  EXPECT_TRUE(UnregisterDeviceType("fakedev"));
  EXPECT_FALSE(IsDeviceTypeAvailable("fakedev"));
}

TEST(DeviceRegistryTest, UnregisteredTypeIsAClearError) {
  ASSERT_OK_AND_ASSIGN(Storage cpu, Storage::Allocate(4));
  EXPECT_THAT(CopyToDevice(cpu, Device("nodev", 0)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "no 'nodev' device support in this program (copying a storage to "
                       "nodev:0); a device layer registers it (RegisterDeviceType, "
                       "tensor/device_registry.h)"));
}

TEST(DeviceRegistryTest, BadRegistrations) {
  int calls = 0;
  EXPECT_THAT(RegisterDeviceType("cpu", FakeCopies(&calls)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("always available")));
  EXPECT_THAT(RegisterDeviceType("Bad:Name", FakeCopies(&calls)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a device type name")));
  EXPECT_THAT(RegisterDeviceType("half", DeviceCopies{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("both copies")));
}

TEST(DeviceRegistryTest, ALayerReturningTheWrongStorageIsCaught) {
  DeviceCopies liar;
  liar.to_device = [](const Storage& cpu, const Device&) -> absl::StatusOr<Storage> {
    return cpu;  // still on the CPU
  };
  liar.to_cpu = [](const Storage& s) -> absl::StatusOr<Storage> { return s; };
  ASSERT_OK(RegisterDeviceType("liar", liar));
  ASSERT_OK_AND_ASSIGN(Storage cpu, Storage::Allocate(4));
  EXPECT_THAT(CopyToDevice(cpu, Device("liar", 0)).status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("returned a storage of 4 bytes on cpu")));
  UnregisterDeviceType("liar");
}

}  // namespace
}  // namespace ptser
