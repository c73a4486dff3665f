// Copyright ptser authors.
#include "archive/storage_table.h"

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "archive/load_options.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/fake_device.h"

namespace ptser {
namespace load_internal {
namespace {

using ::testing::HasSubstr;

Storage Floats(std::vector<float> v) {
  absl::StatusOr<Storage> s = Storage::CopyFrom(v.data(), v.size() * sizeof(float));
  EXPECT_TRUE(s.ok());
  return *std::move(s);
}

float At(const Storage& s, size_t i) {
  float f;
  std::memcpy(&f, static_cast<const char*>(s.data()) + i * sizeof(float), sizeof(f));
  return f;
}

TEST(StorageTable, OneSlotPerKeyNumberedOrNamed) {
  LoadOptions options;
  // Keys "0".."3" by number; "7", "03" and "w" by name.
  StorageTable table(options, "data/", 4);
  for (const char* key : {"0", "3", "7", "03", "w"}) {
    ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                         table.Declare(key, ScalarType::kFloat, false, 2, "cpu"));
    EXPECT_TRUE(d.is_new) << key;
    ASSERT_OK_AND_ASSIGN(StorageTable::Declared again,
                         table.Declare(key, ScalarType::kFloat, false, 2, "cpu"));
    EXPECT_FALSE(again.is_new) << key;
    EXPECT_EQ(again.slot, d.slot) << key;
    ASSERT_NE(table.Get(key), nullptr) << key;
    EXPECT_EQ(table.Get(key), &table.Get(d.slot)) << key;
    EXPECT_EQ(table.Get(d.slot).key, key);
    EXPECT_FALSE(table.Get(d.slot).filled);
  }
  EXPECT_EQ(table.size(), 5u);
  EXPECT_EQ(table.Get("1"), nullptr);
  EXPECT_EQ(table.Get("00"), nullptr);
}

TEST(StorageTable, OneStorageHasOneDtypeAndOneSize) {
  LoadOptions options;
  StorageTable table(options, "data/", 8);
  ASSERT_OK(table.Declare("0", ScalarType::kFloat, false, 4, "cpu").status());
  EXPECT_THAT(table.Declare("0", ScalarType::kLong, false, 4, "cpu"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("storage 'data/0' is named as 4 float32 elements and as 4 "
                                 "int64 elements; one storage has one dtype and one size")));
  // Another size under the same type gets the storage as first named, as
  // torch.load's and libtorch's caches give it.
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared again,
                       table.Declare("0", ScalarType::kFloat, false, 3, "cpu"));
  EXPECT_FALSE(again.is_new);
  EXPECT_EQ(table.Get(again.slot).numel, 4);
  EXPECT_THAT(table.Declare("0", ScalarType::kFloat, true, 4, "cpu"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("and as 4 float32 elements (untyped)")));
  EXPECT_THAT(table.Declare("1", ScalarType::kFloat, false, -1, "cpu"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1 elements")));
  // Named keys are checked alike.
  ASSERT_OK(table.Declare("named", ScalarType::kByte, false, 1, "cpu").status());
  EXPECT_THAT(table.Declare("named", ScalarType::kShort, false, 1, "cpu"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("storage 'data/named'")));
}

// The tar format's storages member: a key saved again is typed, sized and
// tagged anew, and filled with the last bytes (1.13 keeps the last copy).
TEST(StorageTable, RedeclareTakesTheLastCopy) {
  LoadOptions options;
  StorageTable table(options, "", 0);
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared first,
                       table.Redeclare("7", ScalarType::kFloat, false, 4, "cpu"));
  EXPECT_TRUE(first.is_new);
  ASSERT_OK_AND_ASSIGN(Storage four, Storage::Allocate(16));
  ASSERT_OK(table.Fill(first.slot, four));
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared last,
                       table.Redeclare("7", ScalarType::kLong, false, 1, "cuda:0"));
  EXPECT_TRUE(last.is_new);
  EXPECT_EQ(last.slot, first.slot);
  EXPECT_EQ(table.size(), 1u);
  const StorageSlot& slot = table.Get(last.slot);
  EXPECT_EQ(slot.typed.dtype, ScalarType::kLong);
  EXPECT_EQ(slot.numel, 1);
  EXPECT_EQ(slot.location, "cuda:0");
  EXPECT_FALSE(slot.filled);
  EXPECT_THAT(table.Redeclare("7", ScalarType::kLong, false, -2, "cpu"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-2 elements")));
}

TEST(StorageTable, AnEmptyStorageMayBeNamedUnderASecondType) {
  LoadOptions options;
  StorageTable table(options);
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("k", ScalarType::kFloat, false, 0, "cpu"));
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared e,
                       table.Declare("k", ScalarType::kLong, false, 0, "cpu"));
  EXPECT_FALSE(e.is_new);
  EXPECT_EQ(e.slot, d.slot);
  EXPECT_EQ(table.Get(e.slot).typed.dtype, ScalarType::kFloat);  // the first typing
  // Or with a size (as the old zip reader and torch.load did): the storage
  // stays empty, and a tensor that needs elements of it fails when made.
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared f,
                       table.Declare("k", ScalarType::kInt, false, 2, "cpu"));
  EXPECT_EQ(f.slot, d.slot);
  EXPECT_EQ(table.Get(f.slot).numel, 0);
}

TEST(StorageTable, FillOnTheCpuKeepsTheBytes) {
  LoadOptions options;
  StorageTable table(options);
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("0", ScalarType::kFloat, false, 2, "cpu"));
  const Storage bytes = Floats({1, 2});
  ASSERT_OK(table.Fill(d.slot, bytes));
  const StorageSlot& slot = table.Get(d.slot);
  EXPECT_TRUE(slot.filled);
  EXPECT_TRUE(slot.typed.storage.IsSameAs(bytes));  // no copy
  EXPECT_EQ(slot.typed.dtype, ScalarType::kFloat);
  EXPECT_EQ(slot.typed.numel(), 2);
}

TEST(StorageTable, HoldThenFill) {
  // The legacy pattern: a buffer handed to tensors first, its bytes later.
  LoadOptions options;
  StorageTable table(options);
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("94", ScalarType::kFloat, false, 1, "cpu"));
  ASSERT_OK_AND_ASSIGN(Storage buffer, Storage::Allocate(4));
  table.Hold(d.slot, buffer, /*placed=*/false);
  EXPECT_FALSE(table.Get(d.slot).filled);
  EXPECT_TRUE(table.Get(d.slot).typed.storage.IsSameAs(buffer));
  const float one = 1;
  std::memcpy(buffer.mutable_data(), &one, 4);
  ASSERT_OK(table.Fill(d.slot, buffer));
  EXPECT_TRUE(table.Get(d.slot).filled);
  EXPECT_TRUE(table.Get(d.slot).typed.storage.IsSameAs(buffer));
}

TEST(StorageTable, ViewSlicesTheRoot) {
  const TypedStorage root{Floats({0, 1, 2, 3, 4}), ScalarType::kFloat, false};
  ASSERT_OK_AND_ASSIGN(TypedStorage view, StorageTable::View(root, 1, 3));
  EXPECT_EQ(view.dtype, ScalarType::kFloat);
  EXPECT_EQ(view.numel(), 3);
  EXPECT_EQ(At(view.storage, 0), 1.0f);
  EXPECT_EQ(At(view.storage, 2), 3.0f);
  // The bytes are shared, not copied.
  EXPECT_EQ(view.storage.data(), static_cast<const char*>(root.storage.data()) + 4);
  // A view of a view.
  ASSERT_OK_AND_ASSIGN(TypedStorage inner, StorageTable::View(view, 2, 1));
  EXPECT_EQ(At(inner.storage, 0), 3.0f);
  // Empty views at either end are fine.
  EXPECT_OK(StorageTable::View(root, 5, 0).status());
  EXPECT_OK(StorageTable::View(root, 0, 0).status());
  // Past the end, or negative.
  EXPECT_THAT(StorageTable::View(root, 2, 4),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("a view of 4 elements at 2 runs past a storage of 5 elements")));
  EXPECT_THAT(StorageTable::View(root, 6, 0), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(StorageTable::View(root, -1, 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(StorageTable::View(root, 0, -1), StatusIs(absl::StatusCode::kOutOfRange));
}

class OnFakeCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_shared<FakeDevice>();
    ASSERT_OK(RegisterDeviceBackend(fake_));
  }
  void TearDown() override { UnregisterDeviceType("cuda"); }
  std::shared_ptr<FakeDevice> fake_;
};

TEST_F(OnFakeCuda, FillRestoresThroughMapLocation) {
  // Kept where it was saved: on the (fake) device.
  LoadOptions keep;
  StorageTable table(keep);
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("0", ScalarType::kFloat, false, 2, "cuda:0"));
  const Storage bytes = Floats({5, 6});
  ASSERT_OK(table.Fill(d.slot, bytes));
  EXPECT_EQ(table.Get(d.slot).typed.storage.device(), Device("cuda", 0));
  EXPECT_EQ(fake_->stats().h2d_bytes, 8u);

  // Mapped to the CPU: the bytes as they are.
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To("cpu");
  StorageTable cpu_table(to_cpu);
  ASSERT_OK_AND_ASSIGN(d, cpu_table.Declare("0", ScalarType::kFloat, false, 2, "cuda:0"));
  ASSERT_OK(cpu_table.Fill(d.slot, bytes));
  EXPECT_TRUE(cpu_table.Get(d.slot).typed.storage.IsSameAs(bytes));

  // A map_location function sees the saved tag.
  std::vector<std::string> tags;
  LoadOptions fn;
  fn.map_location = MapLocation::Function(
      [&](const Storage& cpu, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        tags.push_back(tag);
        return std::optional<Storage>(cpu);
      });
  StorageTable fn_table(fn);
  ASSERT_OK_AND_ASSIGN(d, fn_table.Declare("0", ScalarType::kFloat, false, 2, "cuda:1"));
  ASSERT_OK(fn_table.Fill(d.slot, bytes));
  EXPECT_THAT(tags, ::testing::ElementsAre("cuda:1"));
}

TEST(StorageTableRestore, AnUnknownDeviceIsRefused) {
  LoadOptions options;
  StorageTable table(options);
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("0", ScalarType::kFloat, false, 1, "xla:0"));
  EXPECT_THAT(table.Fill(d.slot, Floats({1})),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("this program has no 'xla' device support")));
  EXPECT_FALSE(table.Get(d.slot).filled);
}

TEST(StorageTableHook, CalledWithTheRecordAsRead) {
  std::vector<std::pair<const void*, uint32_t>> calls;
  LoadOptions options;
  options.on_zip_storage = [&](const Storage& s, uint32_t crc) {
    calls.emplace_back(s.data(), crc);
  };
  StorageTable table(options, "data/", 4);
  const Storage bytes = Floats({1, 2});
  ZipRecordBytes record;
  record.file = "f.pt";
  record.record = "f/data/0";
  record.size = bytes.nbytes();
  record.recorded_crc32 = 0x1234;
  record.as_read = bytes;
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("0", ScalarType::kFloat, false, 2, "cpu"));
  ASSERT_OK(table.Fill(d.slot, bytes, &record));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, bytes.data());
  EXPECT_EQ(calls[0].second, 0x1234u);
  // Without a record (another format), no call.
  ASSERT_OK_AND_ASSIGN(d, table.Declare("1", ScalarType::kFloat, false, 2, "cpu"));
  ASSERT_OK(table.Fill(d.slot, bytes));
  EXPECT_EQ(calls.size(), 1u);
}

TEST(StorageTableHook, ATrimmedRecordHasItsCrcChecked) {
  int calls = 0;
  LoadOptions options;
  options.on_zip_storage = [&](const Storage&, uint32_t) { ++calls; };
  StorageTable table(options, "data/", 4);
  const Storage record_bytes = Floats({1, 2, 3});
  ASSERT_OK_AND_ASSIGN(Storage trimmed, Storage::CopyFrom(record_bytes.data(), 8));
  ZipRecordBytes record;
  record.file = "f.pt";
  record.record = "f/data/0";
  record.header_offset = 64;
  record.size = record_bytes.nbytes();
  record.recorded_crc32 = 0xdeadbeef;  // not the bytes' CRC
  record.as_read = record_bytes;
  ASSERT_OK_AND_ASSIGN(StorageTable::Declared d,
                       table.Declare("0", ScalarType::kFloat, false, 2, "cpu"));
  EXPECT_THAT(table.Fill(d.slot, trimmed, &record),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("'f.pt': CRC-32 mismatch in record 'f/data/0' (header at "
                                 "offset 64): stored deadbeef")));
  // Verified by the reader already: not read again.
  record.crc32_verified = true;
  ASSERT_OK(table.Fill(d.slot, trimmed, &record));
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(table.Get(d.slot).typed.storage.IsSameAs(trimmed));
}

}  // namespace
}  // namespace load_internal
}  // namespace ptser
