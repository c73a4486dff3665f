// Copyright ptser authors.

#include "tensor/storage.h"

#include <cstring>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/device.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

TEST(StorageTest, DefaultIsEmptyCpu) {
  Storage s;
  EXPECT_EQ(s.nbytes(), 0u);
  EXPECT_TRUE(s.device().is_cpu());
  EXPECT_FALSE(s.is_read_only());
  EXPECT_FALSE(s.IsSameAs(Storage()));
}

TEST(StorageTest, AllocateZeroFills) {
  ASSERT_OK_AND_ASSIGN(Storage s, Storage::Allocate(64));
  EXPECT_EQ(s.nbytes(), 64u);
  ASSERT_NE(s.mutable_data(), nullptr);
  const char* p = static_cast<const char*>(s.data());
  for (int i = 0; i < 64; ++i) EXPECT_EQ(p[i], 0);
}

TEST(StorageTest, AllocateZeroBytesHasAPointer) {
  ASSERT_OK_AND_ASSIGN(Storage s, Storage::Allocate(0));
  EXPECT_EQ(s.nbytes(), 0u);
  EXPECT_NE(s.data(), nullptr);
}

TEST(StorageTest, AllocateTooLargeIsResourceExhausted) {
  EXPECT_THAT(Storage::Allocate(Storage::kMaxStorageBytes + 1),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("1099511627777")));
  EXPECT_THAT(Storage::Allocate(~size_t{0}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("")));
}

TEST(StorageTest, CopiesShareTheBuffer) {
  ASSERT_OK_AND_ASSIGN(Storage a, Storage::Allocate(8));
  Storage b = a;
  EXPECT_TRUE(a.IsSameAs(b));
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(a.use_count(), 2);
  static_cast<char*>(b.mutable_data())[3] = 7;
  EXPECT_EQ(static_cast<const char*>(a.data())[3], 7);
}

TEST(StorageTest, CopyFromCopies) {
  const char bytes[] = {1, 2, 3, 4};
  ASSERT_OK_AND_ASSIGN(Storage s, Storage::CopyFrom(bytes, sizeof(bytes)));
  EXPECT_NE(s.data(), static_cast<const void*>(bytes));
  EXPECT_EQ(std::memcmp(s.data(), bytes, 4), 0);
  ASSERT_OK_AND_ASSIGN(Storage empty, Storage::CopyFrom(nullptr, 0));
  EXPECT_EQ(empty.nbytes(), 0u);
}

TEST(StorageTest, BorrowKeepsOwnerAlive) {
  auto owner = std::make_shared<std::vector<char>>(16, 'x');
  std::weak_ptr<std::vector<char>> watch = owner;
  Storage s = Storage::Borrow(owner->data(), owner->size(), owner,
                              Device("cuda", 0), /*read_only=*/false);
  owner.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(s.nbytes(), 16u);
  EXPECT_EQ(s.device().ToString(), "cuda:0");
  {
    Storage copy = s;
    s = Storage();
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
}

TEST(StorageTest, ReadOnlyHasNoMutableData) {
  static const char kBytes[] = "abc";
  Storage s = Storage::Borrow(const_cast<char*>(kBytes), 3, nullptr,
                              Device::Cpu(), /*read_only=*/true);
  EXPECT_TRUE(s.is_read_only());
  EXPECT_EQ(s.data(), static_cast<const void*>(kBytes));
  EXPECT_EQ(s.mutable_data(), nullptr);
}

}  // namespace
}  // namespace ptser
