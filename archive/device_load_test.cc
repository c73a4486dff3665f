// Copyright ptser authors.
//
// A checkpoint saved on "cuda:0" loads onto a device type registered in
// tensor/device_registry.h (a fake one here: host memory under a "cuda"
// tag), through the same restore path (RestoreStorage) for zip, legacy and
// tar files.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "archive/load.h"
#include "archive/tar_testutil.h"
#include "archive/test_util.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/fake_device.h"

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

// A safetensors file records no device: its tensors are CPU tensors, and
// map_location sends them on as storages saved on "cpu".
TEST_F(FakeCuda, SafetensorsFollowsMapLocation) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"I16","shape":[1],"data_offsets":[8,10]}})";
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  const float a[2] = {1.5f, -2.f};
  const int16_t b = 7;
  file += header;
  file.append(reinterpret_cast<const char*>(a), sizeof(a));
  file.append(reinterpret_cast<const char*>(&b), sizeof(b));
  auto load = [&](const LoadOptions& options) {
    return LoadFromSource(
        std::shared_ptr<const ByteSource>(ByteSource::FromString(file, "m.safetensors")), options);
  };
  ASSERT_OK_AND_ASSIGN(Value plain, load({}));
  EXPECT_TRUE(plain.dict().Find("a")->tensor().device().is_cpu());
  EXPECT_EQ(copies_, 0);
  LoadOptions to_cuda;
  to_cuda.map_location = MapLocation::To("cuda:1");
  ASSERT_OK_AND_ASSIGN(Value v, load(to_cuda));
  ASSERT_EQ(v.dict().size(), 2u);
  EXPECT_EQ(copies_, 2);
  const Tensor& ta = v.dict().Find("a")->tensor();
  EXPECT_EQ(ta.device(), Device("cuda", 1));
  EXPECT_EQ(ta.dtype(), ScalarType::kFloat);
  float back[2];
  std::memcpy(back, ta.storage().data(), sizeof(back));  // the fake device is host memory
  EXPECT_EQ(back[0], 1.5f);
  EXPECT_EQ(back[1], -2.f);
  EXPECT_EQ(v.dict().Find("b")->tensor().device(), Device("cuda", 1));
  // A map_location function sees each storage with the tag "cpu".
  std::vector<std::string> tags;
  LoadOptions fn;
  fn.map_location = MapLocation::Function(
      [&](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        tags.push_back(tag);
        return std::optional<Storage>(s);
      });
  ASSERT_OK_AND_ASSIGN(Value f, load(fn));
  EXPECT_EQ(tags, (std::vector<std::string>{"cpu", "cpu"}));
  EXPECT_TRUE(f.dict().Find("b")->tensor().device().is_cpu());
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

// The registered backend of tensor/fake_device.h (a runtime with its caching
// allocator and streams, as gpu/ registers for a real GPU), rather than bare
// copy functions: every format's storages reach it through RestoreStorage
// (the storage table's Fill) or, for zip records, the staging pipeline.
class FakeBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_shared<FakeDevice>();
    ASSERT_OK(RegisterDeviceBackend(fake_));
  }
  void TearDown() override { UnregisterDeviceType("cuda"); }

  static absl::StatusOr<Value> LoadBytes(const std::string& bytes, const std::string& name,
                                         const LoadOptions& options = {}) {
    return LoadFromSource(
        std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, name)), options);
  }

  std::shared_ptr<FakeDevice> fake_;
};

// Pickle protocol 2 pieces, as PyTorch 0.1.9's tar members hold them.
std::string Pickle(const std::string& body) { return "\x80\x02" + body + "."; }
std::string Int(int v) { return std::string("K") + static_cast<char>(v); }  // 0..255
std::string Str(const std::string& s) {
  std::string out = "X";
  const uint32_t n = static_cast<uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + s;
}
std::string Tuple(const std::vector<std::string>& items) {
  std::string out = "(";
  for (const std::string& item : items) out += item;
  return out + "t";
}
std::string LittleEndian(const void* data, size_t n) {
  return std::string(static_cast<const char*>(data), n);
}

// A tar checkpoint of PyTorch 0.1.9 saved on "cuda:0": storage 5 (four
// floats 1..4), storage view 6 (elements 1..2 of it), tensor 7 (a 2x2 view
// of storage 5); its pickle is [tensor 7, storage view 6].
std::string CudaTar() {
  const std::vector<float> floats = {1, 2, 3, 4};
  const int64_t numel = 4;
  const std::string storages =
      Pickle(Int(1)) +
      Pickle(Tuple({Int(5), Str("cuda:0"), "ctorch\nFloatStorage\n"})) +
      LittleEndian(&numel, 8) + LittleEndian(floats.data(), 16) +
      Pickle("]" + Tuple({Int(6), Int(5), Int(1), Int(2)}) + "a");
  // ndim 2 (an int64), sizes, strides, storage offset.
  const std::vector<int64_t> layout = {2, 2, 2, 2, 1, 0};
  const std::string tensors =
      Pickle(Int(1)) + Pickle(Tuple({Int(7), Int(5), "ctorch\nFloatTensor\n"})) +
      LittleEndian(layout.data(), layout.size() * 8);
  const std::string pickle = Pickle("](" + Str("7") + "Q" + Str("6") + "Qe");
  return MakeTar({{"sys_info", Pickle("}")},
                  {"pickle", pickle},
                  {"tensors", tensors},
                  {"storages", storages}});
}

float FloatAt(const Storage& s, size_t i) {
  float f;
  std::memcpy(&f, static_cast<const char*>(s.data()) + i * sizeof(float), sizeof(f));
  return f;
}

TEST_F(FakeBackend, TarCheckpointLandsOnTheDevice) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(CudaTar(), "old.pt"));
  ASSERT_TRUE(v.is_list());
  ASSERT_EQ(v.list().size(), 2u);
  const Tensor& t = v.list()[0].tensor();
  const TypedStorage& view = v.list()[1].storage();
  EXPECT_EQ(t.device(), Device("cuda", 0));
  EXPECT_EQ(view.storage.device(), Device("cuda", 0));
  EXPECT_EQ(t.sizes(), std::vector<int64_t>({2, 2}));
  // One storage copied once; the view shares its device bytes.
  EXPECT_EQ(fake_->stats().h2d_bytes, 16u);
  EXPECT_EQ(view.numel(), 2);
  EXPECT_EQ(view.storage.data(), static_cast<const char*>(t.storage().data()) + 4);
  // The fake's "device memory" is host memory: the bytes can be read back.
  EXPECT_EQ(FloatAt(t.storage(), 3), 4.0f);
  EXPECT_EQ(FloatAt(view.storage, 0), 2.0f);

  // map_location still decides: to the CPU, no device copy.
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To("cpu");
  ASSERT_OK_AND_ASSIGN(Value c, LoadBytes(CudaTar(), "old.pt", to_cpu));
  EXPECT_TRUE(c.list()[0].tensor().device().is_cpu());
  EXPECT_EQ(fake_->stats().h2d_bytes, 16u);
}

// A storage key saved twice in the storages member: 1.13's tar reader keeps
// the last copy (deserialized_objects[key] = ...), with its own type, size
// and location; so does ptser.
TEST_F(FakeBackend, TarStorageSavedTwiceKeepsTheLastCopy) {
  const std::vector<float> floats = {1, 2, 3, 4};
  const std::vector<double> doubles = {10, 20, 30, 40};
  const int64_t numel = 4;
  const std::string storages =
      Pickle(Int(2)) +
      Pickle(Tuple({Int(5), Str("cuda:0"), "ctorch\nFloatStorage\n"})) +
      LittleEndian(&numel, 8) + LittleEndian(floats.data(), 16) +
      Pickle(Tuple({Int(5), Str("cpu"), "ctorch\nDoubleStorage\n"})) +
      LittleEndian(&numel, 8) + LittleEndian(doubles.data(), 32) + Pickle("]");
  const std::vector<int64_t> layout = {1, 4, 1, 0};
  const std::string tensors =
      Pickle(Int(1)) + Pickle(Tuple({Int(7), Int(5), "ctorch\nDoubleTensor\n"})) +
      LittleEndian(layout.data(), layout.size() * 8);
  const std::string tar = MakeTar({{"sys_info", Pickle("}")},
                                   {"pickle", Pickle(Str("7") + "Q")},
                                   {"tensors", tensors},
                                   {"storages", storages}});
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(tar, "twice.pt"));
  ASSERT_TRUE(v.is_tensor());
  const Tensor& t = v.tensor();
  EXPECT_TRUE(t.device().is_cpu());
  EXPECT_EQ(t.dtype(), ScalarType::kDouble);
  double last;
  std::memcpy(&last, static_cast<const char*>(t.storage().data()) + 3 * sizeof(double), 8);
  EXPECT_EQ(last, 40.0);
}

TEST_F(FakeBackend, TarCheckpointBeyondTheDeviceCountIsRefused) {
  // cuda:1 on a fake with one device: the restore's error names the storage.
  std::string tar = CudaTar();
  const size_t at = tar.find("cuda:0");
  ASSERT_NE(at, std::string::npos);
  tar[at + 5] = '1';
  // The tar header checksum does not cover member data: the file stays valid.
  EXPECT_THAT(LoadBytes(tar, "old.pt"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(::testing::HasSubstr("member 'storages'"),
                                        ::testing::HasSubstr("storage 5: "),
                                        ::testing::HasSubstr("device 'cuda:1' does not exist"))));
}

TEST_F(FakeBackend, ZipAndLegacyCheckpointsLandOnTheDevice) {
  for (const char* name : {"cuda_tagged.pt", "cuda_tagged_legacy.pt"}) {
    ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(ReadFixture(name), name));
    ASSERT_TRUE(v.is_tensor()) << name;
    EXPECT_EQ(v.tensor().device(), Device("cuda", 0)) << name;
  }
  EXPECT_GT(fake_->stats().h2d_bytes, 0u);
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
