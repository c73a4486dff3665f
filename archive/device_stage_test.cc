// Copyright ptser authors.
//
// The staging pipeline (DeviceStager) and Load/Save with device storages, on
// FakeDevice registered as "cuda", synchronous and asynchronous (each copy
// runs later on its stream's thread: a buffer reused too early, or a storage
// freed too early, shows as wrong bytes or a bad access).
#include "archive/device_stage.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "archive/crc32.h"
#include "archive/load.h"
#include "archive/save.h"
#include "archive/test_util.h"
#include "archive/torch_archive.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/factories.h"
#include "tensor/fake_device.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string Pattern(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen());
  return s;
}

class StageTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    FakeDevice::Options o;
    o.device_count = 2;
    o.memory_per_device = 64 << 20;
    o.async = GetParam();
    o.copy_delay = std::chrono::microseconds(GetParam() ? 50 : 0);
    fake_ = std::make_shared<FakeDevice>(o);
    ASSERT_OK(RegisterDeviceBackend(fake_));
    runtime_ = GetDeviceRuntime("cuda");
    options_.chunk_bytes = 64;
    options_.buffers = 3;
    options_.streams = 2;
  }
  void TearDown() override {
    UnregisterDeviceType("cuda");
    if (runtime_ != nullptr) {
      EXPECT_EQ(runtime_->stats().storage_bytes, 0u) << "a storage outlived the test";
      runtime_.reset();
    }
    const FakeDevice::Stats s = fake_->stats();
    EXPECT_EQ(s.mallocs, s.frees);
    EXPECT_EQ(s.pinned_mallocs, s.pinned_frees);
    EXPECT_EQ(s.pinned_live_bytes, 0u);
    EXPECT_EQ(s.streams_live, 0);
    EXPECT_EQ(s.events_live, 0);
    EXPECT_EQ(s.bad_accesses, 0);
  }

  std::string OnHost(const Storage& s) {
    std::string out(s.nbytes(), '\0');
    EXPECT_OK(runtime_->CopyToHost(s, 0, s.nbytes(), out.data()));
    return out;
  }

  std::shared_ptr<FakeDevice> fake_;
  std::shared_ptr<DeviceRuntime> runtime_;
  StagingOptions options_;
};

TEST_P(StageTest, RecordsSmallerAndLargerThanAChunkArriveWhole) {
  const std::vector<size_t> sizes = {0, 1, 63, 64, 65, 128, 64 * 7 + 5};
  std::string file;
  for (size_t i = 0; i < sizes.size(); ++i) file += Pattern(sizes[i], static_cast<uint32_t>(i));
  auto source = archive_test::MemorySource(file, "f.bin");
  std::vector<Storage> staged;
  int64_t chunks = 0;
  {
    DeviceStager stager(runtime_, options_);
    uint64_t offset = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      const uint32_t crc = Crc32(0, file.data() + offset, sizes[i]);
      ASSERT_OK_AND_ASSIGN(Storage s,
                           stager.StageFromSource(*source, offset, sizes[i], crc, 0,
                                                  Device("cuda", 0), absl::StrCat("record ", i)));
      EXPECT_EQ(s.nbytes(), sizes[i]);
      EXPECT_EQ(s.device(), Device("cuda", 0));
      staged.push_back(s);
      offset += sizes[i];
      chunks += static_cast<int64_t>((sizes[i] + 63) / 64);
    }
    ASSERT_OK(stager.Finish());
    EXPECT_EQ(stager.stats().chunks, chunks);
    EXPECT_EQ(stager.stats().records, static_cast<int64_t>(sizes.size()));
  }
  uint64_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(OnHost(staged[i]), file.substr(offset, sizes[i])) << "record " << i;
    offset += sizes[i];
  }
  EXPECT_EQ(fake_->stats().h2d_bytes, file.size());
}

TEST_P(StageTest, ManyRecordsInOrderWithinTheMemoryBoundAndOverlapping) {
  std::mt19937 gen(7);
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) records.push_back(Pattern(gen() % 700, static_cast<uint32_t>(i)));
  std::vector<Storage> staged;
  {
    DeviceStager stager(runtime_, options_);
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_OK_AND_ASSIGN(Storage s, stager.StageFromHost(records[i].data(), records[i].size(),
                                                           Device("cuda", i % 2), "r"));
      staged.push_back(s);
    }
    ASSERT_OK(stager.Finish());
    // The memory bound: the pinned buffers, whatever the data's size.
    EXPECT_LE(stager.stats().pinned_bytes, 3u * 64);
    EXPECT_LE(stager.stats().max_in_flight, 3);
    EXPECT_GE(stager.stats().max_in_flight, 2);
  }
  EXPECT_LE(fake_->stats().pinned_peak_bytes, 3u * 64);
  EXPECT_LE(fake_->stats().pinned_total_bytes, 3u * 64);
  if (GetParam()) {
    // Copies really were in flight together, never more than the buffers.
    EXPECT_GE(fake_->stats().max_pending_copies, 2);
    EXPECT_LE(fake_->stats().max_pending_copies, 3);
  }
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(staged[i].device(), Device("cuda", static_cast<int64_t>(i % 2)));
    ASSERT_EQ(OnHost(staged[i]), records[i]) << "record " << i;
  }
}

TEST_P(StageTest, ByteSwapHappensAfterTheCrc) {
  std::string file = Pattern(200, 1);
  std::string want = file;
  for (size_t i = 0; i < want.size(); i += 4) std::reverse(want.begin() + i, want.begin() + i + 4);
  auto source = archive_test::MemorySource(file);
  DeviceStager stager(runtime_, options_);
  ASSERT_OK_AND_ASSIGN(Storage s, stager.StageFromSource(*source, 0, 200, Crc32(0, file.data(), 200),
                                                         4, Device("cuda", 0), "r"));
  ASSERT_OK(stager.Finish());
  EXPECT_EQ(OnHost(s), want);
}

TEST_P(StageTest, LargeChunksAreReadInPartsByReaderThreads) {
  // 2.5 chunks of 4 MiB: parts of ~1 MiB on 4 threads, CRCs combined, swapped.
  const size_t n = (size_t{10} << 20) + 64 * 3;
  std::string file = Pattern(n, 9);
  std::string want = file;
  for (size_t i = 0; i < want.size(); i += 8) std::reverse(want.begin() + i, want.begin() + i + 8);
  auto source = archive_test::MemorySource(file);
  StagingOptions big;
  big.chunk_bytes = size_t{4} << 20;
  big.buffers = 2;
  big.reader_threads = 4;
  Storage s;
  {
    DeviceStager stager(runtime_, big);
    ASSERT_OK_AND_ASSIGN(s, stager.StageFromSource(*source, 0, n, Crc32(0, file.data(), n), 8,
                                                   Device("cuda", 0), "r"));
    ASSERT_OK(stager.Finish());
    EXPECT_EQ(stager.stats().chunks, 3);
    // One flipped byte in the last part of the middle chunk is caught.
    std::string bad = file;
    bad[(size_t{8} << 20) - 5] ^= 0x40;
    auto bad_source = archive_test::MemorySource(bad);
    EXPECT_THAT(stager.StageFromSource(*bad_source, 0, n, Crc32(0, file.data(), n), 8,
                                       Device("cuda", 0), "record 'big'")
                    .status(),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("record 'big': CRC-32 mismatch")));
  }
  EXPECT_EQ(OnHost(s), want);
}

TEST_P(StageTest, ACrcMismatchMidWayNamesTheRecordAndFreesEverything) {
  std::string file = Pattern(1000, 3);
  auto source = archive_test::MemorySource(file);
  {
    DeviceStager stager(runtime_, options_);
    ASSERT_OK(stager.StageFromSource(*source, 0, 500, Crc32(0, file.data(), 500), 0,
                                     Device("cuda", 0), "'f.pt' record 'f/data/0'")
                  .status());
    EXPECT_THAT(stager.StageFromSource(*source, 500, 500, 0x12345678, 0, Device("cuda", 0),
                                       "'f.pt' record 'f/data/1' (header at offset 640)")
                    .status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr("'f.pt' record 'f/data/1' (header at offset 640)"),
                               HasSubstr("CRC-32 mismatch: stored 12345678"))));
    // The stager refuses more work and Finish reports the failure.
    EXPECT_THAT(stager.StageFromHost(file.data(), 10, Device("cuda", 0), "x").status(),
                StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_FALSE(stager.Finish().ok());
  }
  // Checked in TearDown: no storage, buffer, stream or event left.
}

TEST_P(StageTest, DeviceOutOfMemoryMidWayIsClearAndFreesEverything) {
  std::string big = Pattern(1000, 4);
  DeviceStager stager(runtime_, options_);
  ASSERT_OK_AND_ASSIGN(Storage kept, stager.StageFromHost(big.data(), big.size(),
                                                          Device("cuda", 1), "'f.pt' record 'a'"));
  EXPECT_THAT(stager.StageFromHost(big.data(), size_t{100} << 20, Device("cuda", 1),
                                   "'f.pt' record 'b'")
                  .status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("staging 'f.pt' record 'b'"),
                             HasSubstr("out of memory on cuda:1: allocating 104857600 bytes"))));
}

TEST_P(StageTest, ACopyFailingMidWayIsAnErrorNamingTheRecord) {
  std::string data = Pattern(64 * 10, 5);
  {
    DeviceStager stager(runtime_, options_);
    fake_->FailCopyAt(4);
    absl::Status s = stager.StageFromHost(data.data(), data.size(), Device("cuda", 0),
                                          "'f.pt' record 'w'").status();
    if (s.ok()) s = stager.Finish();  // async: seen when waited for
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal,
                            AllOf(HasSubstr("'f.pt' record 'w'"),
                                  HasSubstr("injected copy failure"))));
  }
}

// ------------------------------------------------------------ Load, Save

// A state dict on "cuda:<index>" with views: {w: 40x30 floats, w_t: its
// transpose, row: a row of it, ids: int64, big: over many chunks}.
absl::StatusOr<Value> DeviceStateDict(int64_t index, std::vector<Tensor>* cpu) {
  PTSER_ASSIGN_OR_RETURN(Tensor base, Arange(Scalar(0.0), Scalar(1200.0)));
  PTSER_ASSIGN_OR_RETURN(Tensor w, View(base, {40, 30}));
  PTSER_ASSIGN_OR_RETURN(Tensor w_t, Transpose(w, 0, 1));
  PTSER_ASSIGN_OR_RETURN(Tensor row, Select(w, 0, 3));
  PTSER_ASSIGN_OR_RETURN(Tensor ids, Arange(Scalar(int64_t{0}), Scalar(int64_t{77})));
  PTSER_ASSIGN_OR_RETURN(Tensor big, Arange(Scalar(0.5), Scalar(5000.5)));
  *cpu = {w, w_t, row, ids, big};
  Value sd = Value::NewOrderedDict();
  Tensor::StorageMoves moves;
  const char* names[] = {"w", "w_t", "row", "ids", "big"};
  for (size_t i = 0; i < cpu->size(); ++i) {
    PTSER_ASSIGN_OR_RETURN(Tensor d, (*cpu)[i].To(Device("cuda", index), &moves));
    PTSER_RETURN_IF_ERROR(sd.dict().SetItem(Value::Str(names[i]), Value::FromTensor(d)));
  }
  return sd;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

// The tensor's elements as bytes, read on the CPU in logical order.
std::string Elements(const Tensor& t) {
  absl::StatusOr<Tensor> host = t.To(Device::Cpu());
  EXPECT_OK(host.status());
  absl::StatusOr<Tensor> dense = Contiguous(*host);
  EXPECT_OK(dense.status());
  return std::string(static_cast<const char*>(dense->data()), dense->numel() * dense->itemsize());
}

TEST_P(StageTest, SavedDeviceTensorsLoadBackOnTheDeviceThroughTheStagingBuffers) {
  std::vector<Tensor> cpu;
  ASSERT_OK_AND_ASSIGN(Value sd, DeviceStateDict(0, &cpu));
  const std::string path = TempPath(absl::StrCat("sd_", GetParam(), ".pt"));
  ASSERT_OK(Save(sd, path));
  sd = Value();
  const int64_t d2h_before = static_cast<int64_t>(fake_->stats().d2h_bytes);
  LoadOptions options;
  options.device_staging = options_;
  {
    // Saved on cuda:0, no map_location: back on cuda:0, staged.
    ASSERT_OK_AND_ASSIGN(Value back, Load(path, options));
    EXPECT_EQ(fake_->stats().d2h_bytes, static_cast<uint64_t>(d2h_before));
    EXPECT_GT(fake_->stats().pinned_mallocs, 0);
    EXPECT_LE(fake_->stats().pinned_peak_bytes, 3u * 64);
    const char* names[] = {"w", "w_t", "row", "ids", "big"};
    std::vector<Tensor> loaded;
    for (size_t i = 0; i < 5; ++i) {
      ASSERT_OK_AND_ASSIGN(Tensor t, back.Get<Tensor>(names[i]));
      EXPECT_EQ(t.device(), Device("cuda", 0)) << names[i];
      EXPECT_EQ(t.sizes(), cpu[i].sizes());
      EXPECT_EQ(t.strides(), cpu[i].strides());
      EXPECT_EQ(t.storage_offset(), cpu[i].storage_offset());
      EXPECT_EQ(Elements(t), Elements(cpu[i])) << names[i];
      loaded.push_back(t);
    }
    // Views keep sharing: one storage for w, w_t and row.
    EXPECT_TRUE(loaded[0].storage().IsSameAs(loaded[1].storage()));
    EXPECT_TRUE(loaded[0].storage().IsSameAs(loaded[2].storage()));
    EXPECT_FALSE(loaded[0].storage().IsSameAs(loaded[3].storage()));
  }
  {
    // To the CPU: no device involved at all.
    LoadOptions to_cpu = options;
    to_cpu.map_location = MapLocation::To("cpu");
    const int64_t mallocs = fake_->stats().mallocs;
    ASSERT_OK_AND_ASSIGN(Value back, Load(path, to_cpu));
    ASSERT_OK_AND_ASSIGN(Tensor big, back.Get<Tensor>("big"));
    EXPECT_TRUE(big.device().is_cpu());
    EXPECT_EQ(Elements(big), Elements(cpu[4]));
    EXPECT_EQ(fake_->stats().mallocs, mallocs);
  }
  {
    // A table and a tag function move it to cuda:1.
    LoadOptions table = options;
    table.map_location = MapLocation::Table({{"cuda:0", "cuda:1"}});
    ASSERT_OK_AND_ASSIGN(Value back, Load(path, table));
    ASSERT_OK_AND_ASSIGN(Tensor w_t, back.Get<Tensor>("w_t"));
    EXPECT_EQ(w_t.device(), Device("cuda", 1));
    EXPECT_EQ(Elements(w_t), Elements(cpu[1]));
    LoadOptions fn = options;
    fn.map_location = MapLocation::TagFunction([](const std::string&) { return "cuda:1"; });
    ASSERT_OK_AND_ASSIGN(Value back2, Load(path, fn));
    ASSERT_OK_AND_ASSIGN(Tensor ids, back2.Get<Tensor>("ids"));
    EXPECT_EQ(ids.device(), Device("cuda", 1));
    EXPECT_EQ(Elements(ids), Elements(cpu[3]));
  }
  {
    // A storage-level Function sees CPU storages: the host path, same result.
    LoadOptions fn = options;
    fn.map_location = MapLocation::Function(
        [](const Storage&, const std::string&) -> absl::StatusOr<std::optional<Storage>> {
          return std::optional<Storage>();
        });
    ASSERT_OK_AND_ASSIGN(Value back, Load(path, fn));
    ASSERT_OK_AND_ASSIGN(Tensor row, back.Get<Tensor>("row"));
    ASSERT_OK_AND_ASSIGN(Tensor w, back.Get<Tensor>("w"));
    EXPECT_EQ(row.device(), Device("cuda", 0));
    EXPECT_TRUE(row.storage().IsSameAs(w.storage()));
    EXPECT_EQ(Elements(row), Elements(cpu[2]));
  }
  {
    // A device that does not exist is named.
    LoadOptions three = options;
    three.map_location = MapLocation::To("cuda:3");
    EXPECT_THAT(Load(path, three).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("device 'cuda:3' does not exist: Attempting to deserialize "
                                   "object on CUDA device 3 but the device count is 2")));
  }
}

// What `ptser inspect` can do for its device column: a Function sees each
// storage with its saved tag and keeps it on the CPU, so no device is needed.
TEST(SavedTags, AFunctionSeesEachTagAndKeepsStoragesOnTheCpu) {
  std::map<const void*, std::string> tag_of;
  LoadOptions options;
  options.map_location = MapLocation::Function(
      [&](const Storage& cpu, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        tag_of[cpu.id()] = tag;
        return std::optional<Storage>(cpu);
      });
  ASSERT_OK_AND_ASSIGN(Value v, LoadFromSource(archive_test::MemorySource(
                                    archive_test::ReadFixture("cuda_tagged.pt")),
                                options));
  ASSERT_TRUE(v.is_tensor());
  EXPECT_TRUE(v.tensor().device().is_cpu());
  EXPECT_EQ(tag_of[v.tensor().storage().id()], "cuda:0");
}

TEST_P(StageTest, ErrorsDuringALoadFreeWhatWasAllocated) {
  std::vector<Tensor> cpu;
  ASSERT_OK_AND_ASSIGN(Value sd, DeviceStateDict(0, &cpu));
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveToString(sd, "ck"));
  sd = Value();
  cpu.clear();
  runtime_->EmptyCache();
  LoadOptions options;
  options.device_staging = options_;
  // Out of device memory at the third storage.
  {
    auto small = std::make_shared<FakeDevice>(FakeDevice::Options{"cuda", 1, 6000});
    ASSERT_OK(RegisterDeviceBackend(small));
    EXPECT_THAT(LoadFromSource(archive_test::MemorySource(bytes, "ck.pt"), options).status(),
                StatusIs(absl::StatusCode::kResourceExhausted,
                         AllOf(HasSubstr("'ck.pt' record 'ck/data/"),
                               HasSubstr("out of memory on cuda:0"))));
    UnregisterDeviceType("cuda");
    EXPECT_EQ(small->stats().device_live_bytes, 0u);
    EXPECT_EQ(small->stats().pinned_live_bytes, 0u);
    ASSERT_OK(RegisterDeviceBackend(fake_));
    runtime_ = GetDeviceRuntime("cuda");
  }
  // A flipped byte in the last record (big's): the CRC names it.
  {
    ASSERT_OK_AND_ASSIGN(auto archive, TorchArchive::Open(archive_test::MemorySource(bytes)));
    ASSERT_OK_AND_ASSIGN(const ZipEntry* e, archive->zip().Find("ck/data/2"));
    ASSERT_OK_AND_ASSIGN(uint64_t at, archive->zip().DataOffset(*e));
    std::string bad = bytes;
    bad[at + 100] ^= 1;
    EXPECT_THAT(LoadFromSource(archive_test::MemorySource(bad, "ck.pt"), options).status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr("'ck.pt' record 'ck/data/2'"),
                               HasSubstr("CRC-32 mismatch"))));
  }
  // A copy failing.
  {
    fake_->FailCopyAt(5);
    EXPECT_THAT(LoadFromSource(archive_test::MemorySource(bytes, "ck.pt"), options).status(),
                StatusIs(absl::StatusCode::kInternal, HasSubstr("injected copy failure")));
  }
  EXPECT_EQ(runtime_->stats().storage_bytes, 0u);
}

TEST_P(StageTest, LegacyFormatSavesAndLoadsDeviceTensorsThroughTheHost) {
  std::vector<Tensor> cpu;
  ASSERT_OK_AND_ASSIGN(Value sd, DeviceStateDict(1, &cpu));
  SaveOptions legacy;
  legacy.format = SaveOptions::Format::kLegacy;
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveToString(sd, "archive", legacy));
  sd = Value();
  EXPECT_NE(bytes.find("cuda:1"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(Value back, LoadFromSource(archive_test::MemorySource(bytes, "l.pt")));
  ASSERT_OK_AND_ASSIGN(Tensor w, back.Get<Tensor>("w"));
  ASSERT_OK_AND_ASSIGN(Tensor w_t, back.Get<Tensor>("w_t"));
  EXPECT_EQ(w_t.device(), Device("cuda", 1));
  EXPECT_TRUE(w.storage().IsSameAs(w_t.storage()));
  EXPECT_EQ(Elements(w_t), Elements(cpu[1]));
}

TEST_P(StageTest, DeflatedRecordsTakeAHostStep) {
  LoadOptions options;
  options.device_staging = options_;
  options.map_location = MapLocation::To("cuda:0");
  ASSERT_OK_AND_ASSIGN(Value on_device, LoadFromSource(archive_test::MemorySource(
                           archive_test::ReadFixture("dict_deflated.zip"), "dict_deflated.zip"),
                           options));
  ASSERT_OK_AND_ASSIGN(Value on_cpu, LoadFromSource(archive_test::MemorySource(
                           archive_test::ReadFixture("dict.pt"), "dict.pt")));
  ASSERT_OK_AND_ASSIGN(Tensor a, on_device.Get<Tensor>("a"));
  ASSERT_OK_AND_ASSIGN(Tensor a_cpu, on_cpu.Get<Tensor>("a"));
  EXPECT_EQ(a.device(), Device("cuda", 0));
  EXPECT_EQ(Elements(a), Elements(a_cpu));
  EXPECT_GT(fake_->stats().pinned_mallocs, 0);
}

TEST_P(StageTest, BigEndianFilesArriveSwapped) {
  ASSERT_OK_AND_ASSIGN(Tensor t, Arange(Scalar(int64_t{0x01020304}), Scalar(int64_t{0x01020304 + 100}),
                                        Scalar(int64_t{1}), ScalarType::kInt));
  ASSERT_OK_AND_ASSIGN(std::string little, SaveToString(Value::FromTensor(t), "be"));
  ASSERT_OK_AND_ASSIGN(std::string big, archive_test::BigEndianArchive(little, "be", 4));
  LoadOptions options;
  options.device_staging = options_;
  options.map_location = MapLocation::To("cuda:0");
  ASSERT_OK_AND_ASSIGN(Value back, LoadFromSource(archive_test::MemorySource(big), options));
  EXPECT_EQ(back.tensor().device(), Device("cuda", 0));
  EXPECT_EQ(Elements(back.tensor()), Elements(t));
  EXPECT_GT(fake_->stats().pinned_mallocs, 0);
}

INSTANTIATE_TEST_SUITE_P(SyncAndAsync, StageTest, ::testing::Bool());

}  // namespace
}  // namespace ptser
