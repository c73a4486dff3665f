// Copyright ptser authors.
#include "archive/byte_source.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

std::string TempFile(const std::string& contents) {
  std::string path = ::testing::TempDir() + "/byte_source_" +
                     std::to_string(getpid()) + "_" +
                     std::to_string(std::rand());
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ByteSourceTest : public ::testing::TestWithParam<int> {
 protected:
  // 0: pread, 1: mmap, 2: memory, 3: whole file read.
  absl::StatusOr<std::unique_ptr<ByteSource>> Open(const std::string& path) {
    switch (GetParam()) {
      case 0:
        return ByteSource::OpenFile(path);
      case 1:
        return ByteSource::MapFile(path);
      case 3:
        return ByteSource::ReadFile(path);
      default:
        return ByteSource::FromString(ReadWholeFile(path), path);
    }
  }
};

TEST_P(ByteSourceTest, ReadsRangesAndRefusesOutOfRange) {
  std::string path = TempFile("0123456789");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> src, Open(path));
  EXPECT_EQ(src->size(), 10u);
  char buf[4] = {};
  ASSERT_OK(src->ReadAt(3, 4, buf));
  EXPECT_EQ(std::string(buf, 4), "3456");
  ASSERT_OK(src->ReadAt(10, 0, buf));
  EXPECT_THAT(src->ReadAt(8, 3, buf),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("3 bytes at offset 8")));
  EXPECT_THAT(src->ReadAt(~uint64_t{0}, 2, buf),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("10 bytes")));
  ASSERT_OK_AND_ASSIGN(Storage s, src->StorageAt(2, 5));
  ASSERT_EQ(s.nbytes(), 5u);
  EXPECT_EQ(std::string(static_cast<const char*>(s.data()), 5), "23456");
  EXPECT_THAT(src->StorageAt(6, 5).status(),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr(path)));
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(AllSources, ByteSourceTest, ::testing::Values(0, 1, 2, 3));

TEST(ByteSource, MissingFileIsNotFound) {
  EXPECT_THAT(ByteSource::OpenFile("/nonexistent/x.pt").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("x.pt")));
  EXPECT_THAT(ByteSource::MapFile("/nonexistent/x.pt").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("x.pt")));
  EXPECT_THAT(ByteSource::OpenFile("/").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a regular file")));
}

TEST(ByteSource, MappedStorageIsZeroCopyOutlivesSourceAndIsPrivate) {
  std::string path = TempFile("abcdefgh");
  Storage s;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> src,
                         ByteSource::MapFile(path));
    ASSERT_NE(src->memory(), nullptr);
    ASSERT_OK_AND_ASSIGN(s, src->StorageAt(4, 4));
    EXPECT_EQ(s.data(), src->memory() + 4);  // no copy
  }
  // The map lives on with the storage; writes stay private to this process.
  ASSERT_NE(s.mutable_data(), nullptr);
  std::memcpy(s.mutable_data(), "WXYZ", 4);
  EXPECT_EQ(std::string(static_cast<const char*>(s.data()), 4), "WXYZ");
  EXPECT_EQ(ReadWholeFile(path), "abcdefgh");
  std::remove(path.c_str());
}

TEST(ByteSource, EmptyFileMaps) {
  std::string path = TempFile("");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> src,
                       ByteSource::MapFile(path));
  EXPECT_EQ(src->size(), 0u);
  ASSERT_OK_AND_ASSIGN(Storage s, src->StorageAt(0, 0));
  EXPECT_EQ(s.nbytes(), 0u);
  std::remove(path.c_str());
}

TEST(ByteSource, FileSourceCopies) {
  std::string path = TempFile("abcdefgh");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> src,
                       ByteSource::OpenFile(path));
  EXPECT_EQ(src->memory(), nullptr);
  ASSERT_OK_AND_ASSIGN(Storage s, src->StorageAt(1, 3));
  EXPECT_EQ(std::string(static_cast<const char*>(s.data()), 3), "bcd");
  std::remove(path.c_str());
}

// A file of 16 MiB or more is read by two threads, half each: every byte,
// including both sides of the split, arrives in place.
TEST(ByteSource, ReadFileOfManyMegabytes) {
  const size_t size = (size_t{17} << 20) + 13;  // an odd size: uneven halves
  std::string contents(size, '\0');
  uint32_t x = 12345;
  for (char& c : contents) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  std::string path = TempFile(contents);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> src, ByteSource::ReadFile(path));
  ASSERT_EQ(src->size(), size);
  ASSERT_NE(src->memory(), nullptr);
  EXPECT_EQ(std::memcmp(src->memory(), contents.data(), size), 0);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ptser
