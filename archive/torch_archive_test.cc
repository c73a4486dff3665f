// Copyright ptser authors.
#include "archive/torch_archive.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "archive/byte_sink.h"
#include "archive/zip_writer.h"
#include "archive/test_util.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using archive_test::ReadFixture;

std::shared_ptr<const ByteSource> Source(const std::string& bytes) {
  return archive_test::MemorySource(bytes);
}

// An archive with the given (name, contents) records, in order.
std::string MakeZip(const std::string& prefix,
                    const std::vector<std::pair<std::string, std::string>>& records) {
  StringSink sink;
  ZipWriter writer(&sink, prefix);
  for (const auto& [name, data] : records) {
    EXPECT_OK(writer.WriteRecord(name, data.data(), data.size()));
  }
  EXPECT_OK(writer.Finish());
  return sink.Release();
}

TEST(TorchArchive, ReadsTorchSaveFile) {
  std::string bytes = ReadFixture("twelve.pt");
  ASSERT_TRUE(TorchArchive::LooksLikeZip(*Source(bytes)));
  ASSERT_OK_AND_ASSIGN(auto archive, TorchArchive::Open(Source(bytes)));
  EXPECT_EQ(archive->prefix(), "twelve");
  EXPECT_EQ(archive->version(), 3u);
  EXPECT_FALSE(archive->is_torchscript());
  EXPECT_THAT(archive->RecordNames(),
              ElementsAre("data.pkl", "data/0", "data/1", "data/10", "data/11", "data/2",
                          "data/3", "data/4", "data/5", "data/6", "data/7", "data/8",
                          "data/9", "version"));
  ASSERT_OK_AND_ASSIGN(Storage s, archive->ReadRecord("data/11"));
  EXPECT_EQ(s.nbytes(), 12u * 4);
  ASSERT_OK_AND_ASSIGN(auto order, archive->ByteOrder());
  EXPECT_FALSE(order.has_value());
}

TEST(TorchArchive, AnyFolderNameAndDeflatedRecordsWork) {
  ASSERT_OK_AND_ASSIGN(auto archive,
                       TorchArchive::Open(Source(ReadFixture("dict_deflated.zip"))));
  EXPECT_EQ(archive->prefix(), "whatever");
  EXPECT_TRUE(archive->HasRecord("data.pkl"));
}

TEST(TorchArchive, RecognisesTorchScript) {
  ASSERT_OK_AND_ASSIGN(auto archive,
                       TorchArchive::Open(Source(ReadFixture("jit_add_one.pt"))));
  EXPECT_TRUE(archive->is_torchscript());
  EXPECT_TRUE(archive->HasRecord("code/__torch__.py"));
}

TEST(TorchArchive, VersionRules) {
  ASSERT_OK_AND_ASSIGN(auto newer, TorchArchive::Open(Source(MakeZip(
      "a", {{"data.pkl", "x"}, {".data/version", "6\n"}, {"version", "3\n"}}))));
  EXPECT_EQ(newer->version(), 6u);  // .data/version wins
  ASSERT_OK_AND_ASSIGN(auto bare, TorchArchive::Open(Source(MakeZip(
      "a", {{"data.pkl", "x"}, {"version", "10"}}))));
  EXPECT_EQ(bare->version(), 10u);
  EXPECT_THAT(TorchArchive::Open(Source(MakeZip("a", {{"data.pkl", "x"}, {"version", "11\n"}}))).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("version 11")));
  EXPECT_THAT(TorchArchive::Open(Source(MakeZip("a", {{"data.pkl", "x"}, {"version", "0\n"}}))).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("version 0")));
  EXPECT_THAT(TorchArchive::Open(Source(MakeZip("a", {{"data.pkl", "x"}, {"version", "-3"}}))).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a version number")));
  EXPECT_THAT(TorchArchive::Open(Source(MakeZip("a", {{"data.pkl", "x"}}))).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no version record")));
}

TEST(TorchArchive, StructureErrors) {
  // Records outside a folder: what a plain re-zip without the folder gives.
  StringSink sink;
  ZipWriter flat(&sink, "");
  ASSERT_OK(flat.Finish());
  EXPECT_THAT(TorchArchive::Open(Source(sink.data())).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty zip")));
  std::string mixed = MakeZip("a", {{"data.pkl", "x"}, {"version", "3\n"}});
  // Rename "a/version" in the central directory and local header to "b/version".
  for (size_t at = mixed.find("a/version"); at != std::string::npos;
       at = mixed.find("a/version", at + 1)) {
    mixed[at] = 'b';
  }
  EXPECT_THAT(TorchArchive::Open(Source(mixed)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'b/version' is outside the archive folder 'a/'")));
  EXPECT_THAT(TorchArchive::Open(Source("PYTORCH1 and then some bytes")).status(),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("PYTORCH1")));
}

TEST(TorchArchive, ByteOrderRecord) {
  ASSERT_OK_AND_ASSIGN(auto big, TorchArchive::Open(Source(MakeZip(
      "a", {{"data.pkl", "x"}, {"byteorder", "big"}, {"version", "3\n"}}))));
  ASSERT_OK_AND_ASSIGN(auto order, big->ByteOrder());
  EXPECT_EQ(order, "big");
  ASSERT_OK_AND_ASSIGN(auto odd, TorchArchive::Open(Source(MakeZip(
      "a", {{"data.pkl", "x"}, {"byteorder", "middle"}, {"version", "3\n"}}))));
  EXPECT_THAT(odd->ByteOrder().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("middle")));
}

}  // namespace
}  // namespace ptser
