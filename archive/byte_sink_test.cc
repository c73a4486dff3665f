// Copyright ptser authors.
#include "archive/byte_sink.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string FreshDir() {
  static int n = 0;
  std::string dir = ::testing::TempDir() + "/sink_" + std::to_string(getpid()) +
                    "_" + std::to_string(n++);
  mkdir(dir.c_str(), 0755);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  return names;
}

TEST(AtomicFileSink, CommitReplacesTheFile) {
  std::string dir = FreshDir();
  std::string path = dir + "/model.pt";
  std::ofstream(path) << "old contents";
  AtomicFileSink::Options options;
  options.buffer_size = 4;  // exercise both the buffered and the direct path
  ASSERT_OK_AND_ASSIGN(auto sink, AtomicFileSink::Create(path, options));
  ASSERT_OK(sink->Write("ab", 2));
  ASSERT_OK(sink->Write("cdefghij", 8));
  ASSERT_OK(sink->Write("k", 1));
  EXPECT_EQ(sink->position(), 11u);
  EXPECT_EQ(Slurp(path), "old contents");  // untouched until Commit
  ASSERT_OK(sink->Commit());
  EXPECT_EQ(Slurp(path), "abcdefghijk");
  EXPECT_THAT(Listing(dir), ::testing::ElementsAre("model.pt"));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & 0044, 0u) << "saved file should be readable like open(2) makes it";
}

TEST(AtomicFileSink, AbandonedSinkLeavesOldFileAndNoTemporary) {
  std::string dir = FreshDir();
  std::string path = dir + "/model.pt";
  std::ofstream(path) << "old contents";
  {
    ASSERT_OK_AND_ASSIGN(auto sink, AtomicFileSink::Create(path));
    ASSERT_OK(sink->Write("partial", 7));
  }  // destroyed without Commit: as after an error mid-save
  EXPECT_EQ(Slurp(path), "old contents");
  EXPECT_THAT(Listing(dir), ::testing::ElementsAre("model.pt"));
}

TEST(AtomicFileSink, MissingFolderIsNotFound) {
  EXPECT_THAT(AtomicFileSink::Create("/nonexistent-dir/x.pt").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nonexistent-dir")));
  EXPECT_THAT(AtomicFileSink::Create("").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AtomicFileSink, CommitOntoADirectoryFailsAndCleansUp) {
  std::string dir = FreshDir();
  std::string target = dir + "/taken";
  mkdir(target.c_str(), 0755);
  mkdir((target + "/inside").c_str(), 0755);  // rename over a non-empty dir fails
  ASSERT_OK_AND_ASSIGN(auto sink, AtomicFileSink::Create(target));
  ASSERT_OK(sink->Write("x", 1));
  EXPECT_FALSE(sink->Commit().ok());
  EXPECT_THAT(Listing(dir), ::testing::ElementsAre("taken"));
  EXPECT_THAT(sink->Write("y", 1), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(StringSink, Appends) {
  StringSink sink;
  ASSERT_OK(sink.Write("ab", 2));
  ASSERT_OK(sink.Write("c", 1));
  EXPECT_EQ(sink.data(), "abc");
  EXPECT_EQ(sink.position(), 3u);
  EXPECT_THAT(sink.Release(), ::testing::Eq("abc"));
}

}  // namespace
}  // namespace ptser
