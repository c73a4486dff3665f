// Copyright ptser authors.
//
// A checkpoint saved on "cuda:0" loads onto a device type registered in
// tensor/device_registry.h (a fake one here: host memory under a "cuda"
// tag), through the same restore path (RestoreStorage) for zip, legacy and
// tar files.
#include <memory>
#include <string>

#include "archive/load.h"
#include "archive/test_util.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"

namespace ptser {
namespace {

using archive_test::ReadFixture;

class FakeCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    DeviceCopies c;
    c.to_device = [this](const Storage& cpu, const Device& device) -> absl::StatusOr<Storage> {
      ++copies_;
      auto bytes =
          std::make_shared<std::string>(static_cast<const char*>(cpu.data()), cpu.nbytes());
      return Storage::Borrow(bytes->data(), bytes->size(), bytes, device);
    };
    c.to_cpu = [](const Storage& s) -> absl::StatusOr<Storage> {
      return Storage::CopyFrom(s.data(), s.nbytes());
    };
    ASSERT_OK(RegisterDeviceType("cuda", c));
  }
  void TearDown() override { UnregisterDeviceType("cuda"); }

  absl::StatusOr<Value> LoadFixture(const std::string& name, const LoadOptions& options = {}) {
    return LoadFromSource(
        std::shared_ptr<const ByteSource>(ByteSource::FromString(ReadFixture(name), name)),
        options);
  }

  int copies_ = 0;
};

TEST_F(FakeCuda, ZipCheckpointLandsOnTheDevice) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadFixture("cuda_tagged.pt"));
  ASSERT_TRUE(v.is_tensor());
  EXPECT_EQ(v.tensor().device(), Device("cuda", 0));
  EXPECT_EQ(copies_, 1);
  // map_location still decides: to the CPU, no device copy.
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To("cpu");
  ASSERT_OK_AND_ASSIGN(Value c, LoadFixture("cuda_tagged.pt", to_cpu));
  EXPECT_TRUE(c.tensor().device().is_cpu());
  EXPECT_EQ(copies_, 1);
  // And a table can move it to another index of the registered type.
  LoadOptions to_1;
  to_1.map_location = MapLocation::Table({{"cuda:0", "cuda:1"}});
  ASSERT_OK_AND_ASSIGN(Value d, LoadFixture("cuda_tagged.pt", to_1));
  EXPECT_EQ(d.tensor().device(), Device("cuda", 1));
}

TEST_F(FakeCuda, LegacyCheckpointLandsOnTheDevice) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadFixture("cuda_tagged_legacy.pt"));
  ASSERT_TRUE(v.is_tensor());
  EXPECT_EQ(v.tensor().device(), Device("cuda", 0));
  EXPECT_EQ(copies_, 1);
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To("cpu");
  ASSERT_OK_AND_ASSIGN(Value c, LoadFixture("cuda_tagged_legacy.pt", to_cpu));
  EXPECT_TRUE(c.tensor().device().is_cpu());
  EXPECT_EQ(copies_, 1);
}

TEST_F(FakeCuda, TarCheckpointLandsOnTheDevice) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadFixture("tar_cuda.pt"));
  ASSERT_TRUE(v.is_tensor());
  EXPECT_EQ(v.tensor().device(), Device("cuda", 0));
  EXPECT_GE(copies_, 1);
}

TEST(NoCuda, WithoutTheDeviceTypeTheLoadSaysHowToMapIt) {
  EXPECT_THAT(LoadFromSource(std::shared_ptr<const ByteSource>(ByteSource::FromString(
                  ReadFixture("cuda_tagged.pt"), "cuda_tagged.pt"))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::AllOf(
                           ::testing::HasSubstr("this program has no 'cuda' device support"),
                           // PyTorch 1.13's words (torch/serialization.py, validate_cuda_device).
                           ::testing::HasSubstr(
                               "Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the "
                               "CPU."),
                           ::testing::HasSubstr("MapLocation::To(Device::Cpu())"))));
}

}  // namespace
}  // namespace ptser
