// Copyright ptser authors.
#include "tools/cli/common.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/unpickler.h"

namespace ptser {
namespace cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(FailTest, WritesTheMessageAndReturnsUnreadable) {
  std::ostringstream err;
  EXPECT_EQ(Fail(err, absl::DataLossError("'a.pt': CRC-32 mismatch")), kUnreadable);
  EXPECT_EQ(err.str(), "ptser: 'a.pt': CRC-32 mismatch\n");
}

TEST(FailTest, ARefusedGlobalGetsTheCommandLinesWayOut) {
  std::ostringstream err;
  Fail(err, absl::PermissionDeniedError(
                absl::StrCat("global 'os.system' at offset 2 is not allowed", kRefusedGlobalHint)));
  EXPECT_THAT(err.str(), HasSubstr("global 'os.system' at offset 2 is not allowed (nothing was "
                                   "run); `ptser verify FILE` lists every global"));
  EXPECT_THAT(err.str(), HasSubstr("--keep-unknown-globals"));
  EXPECT_THAT(err.str(), Not(HasSubstr(kRefusedGlobalHint)));
}

TEST(FailTest, OnlyAPermissionDeniedHintIsReplaced) {
  std::ostringstream err;
  const std::string message = absl::StrCat("x", kRefusedGlobalHint);
  Fail(err, absl::InvalidArgumentError(message));
  EXPECT_EQ(err.str(), "ptser: " + message + "\n");
}

TEST(FailTest, APickleGrowthRefusalGetsItsFlag) {
  std::ostringstream err;
  Fail(err, absl::ResourceExhaustedError(
                "allocation limit exceeded; raise LoadOptions::max_pickle_growth to allow more"));
  EXPECT_THAT(err.str(), HasSubstr("(on the command line: --max-pickle-growth N)"));
}

// Issue 12: --max-pickle-growth reaches LoadOptions for every loading command.
TEST(LoadFlagsTest, MaxPickleGrowthIsTakenAndApplied) {
  EXPECT_EQ(ToolLoadOptions().max_pickle_growth, LoadOptions().max_pickle_growth);
  std::vector<std::string> args = {"a.pt", "--max-pickle-growth", "200", "--json"};
  ASSERT_TRUE(TakeLoadFlags(&args).ok());
  EXPECT_EQ(args, (std::vector<std::string>{"a.pt", "--json"}));
  EXPECT_EQ(ToolLoadOptions().max_pickle_growth, 200);
  args = {"--max-pickle-growth=1.5", "a.pt"};
  ASSERT_TRUE(TakeLoadFlags(&args).ok());
  EXPECT_EQ(args, (std::vector<std::string>{"a.pt"}));
  EXPECT_EQ(ToolLoadOptions().max_pickle_growth, 1.5);
  for (std::vector<std::string> bad : {std::vector<std::string>{"a.pt", "--max-pickle-growth"},
                                       std::vector<std::string>{"--max-pickle-growth=0"},
                                       std::vector<std::string>{"--max-pickle-growth=-3"},
                                       std::vector<std::string>{"--max-pickle-growth", "x"},
                                       std::vector<std::string>{"--max-pickle-growth=inf"}}) {
    const absl::Status s = TakeLoadFlags(&bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.message()), HasSubstr("--max-pickle-growth"));
  }
  EXPECT_EQ(ToolLoadOptions().max_pickle_growth, 1.5);  // a bad value changes nothing
}

TEST(CommonTest, ShapesPrintAsPythonTuples) {
  EXPECT_EQ(Shape({}), "()");
  EXPECT_EQ(Shape({4}), "(4,)");
  EXPECT_EQ(Shape({2, 3}), "(2, 3)");
}

TEST(CommonTest, EndsWith) {
  EXPECT_TRUE(EndsWith("model.safetensors", ".safetensors"));
  EXPECT_FALSE(EndsWith("model.safetensors.bak", ".safetensors"));
  EXPECT_FALSE(EndsWith("st", ".safetensors"));
}

TEST(CommonTest, FormatNames) {
  EXPECT_EQ(std::string(FormatName(FileFormat::kZip)), "zip (torch.save, PyTorch >= 1.6)");
  EXPECT_EQ(std::string(FormatName(FileFormat::kSafetensors)), "safetensors");
}

TEST(CommonTest, KeyNamesAreStrsOrReprs) {
  EXPECT_EQ(KeyName(Value::Str("fc.weight")), "fc.weight");
  EXPECT_EQ(KeyName(Value::Int(3)), "3");
}

TEST(PathTreeTest, PathsJoinComponentsFromTheRoot) {
  PathTree paths;
  EXPECT_EQ(paths.Path(PathTree::kRoot), "/");
  const int64_t model = paths.Add(PathTree::kRoot, "model");
  const int64_t w = paths.Add(model, "fc.weight");
  const int64_t zero = paths.Add(paths.Add(PathTree::kRoot, "list"), "0");
  EXPECT_EQ(paths.Path(model), "/model");
  EXPECT_EQ(paths.Path(w), "/model/fc.weight");
  EXPECT_EQ(paths.Path(zero), "/list/0");
}

}  // namespace
}  // namespace cli
}  // namespace ptser
