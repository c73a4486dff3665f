// Copyright ptser authors.
#include "tools/cli/inspect_command.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/save.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "pickle/value.h"
#include "tensor/factories.h"
#include "tensor/views.h"
#include "tools/cli/common.h"

namespace ptser {
namespace cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kTensors = 5000;

// A state dict of kTensors float tensors "w0".. (w<i> filled with i), then
// "meta": {"epoch": 3, "lr": 0.5, "pair": [view of w1, w1]}.
std::string SaveManyTensors() {
  const std::string path = ::testing::TempDir() + "/many_tensors.pt";
  Value sd = Value::NewDict();
  Tensor w1;
  for (int i = 0; i < kTensors; ++i) {
    absl::StatusOr<Tensor> t = Full({2}, Scalar(static_cast<double>(i)));
    EXPECT_TRUE(t.ok()) << t.status();
    if (i == 1) w1 = *t;
    EXPECT_TRUE(sd.dict().SetItem(Value::Str(absl::StrCat("w", i)), Value::FromTensor(*t)).ok());
  }
  absl::StatusOr<Tensor> half = Slice(w1, 0, 1, std::nullopt, 1);
  EXPECT_TRUE(half.ok()) << half.status();
  Value meta = Value::NewDict();
  EXPECT_TRUE(meta.dict().SetItem(Value::Str("epoch"), Value::Int(3)).ok());
  EXPECT_TRUE(meta.dict().SetItem(Value::Str("lr"), Value::Float(0.5)).ok());
  EXPECT_TRUE(meta.dict()
                  .SetItem(Value::Str("pair"),
                           Value::NewList({Value::FromTensor(*half), Value::FromTensor(w1)}))
                  .ok());
  EXPECT_TRUE(sd.dict().SetItem(Value::Str("meta"), meta).ok());
  const absl::Status saved = Save(sd, path);
  EXPECT_TRUE(saved.ok()) << saved;
  return path;
}

std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

TEST(InspectTest, AStreamedJsonReportOfManyTensorsParses) {
  const std::string path = SaveManyTensors();
  std::ostringstream out, err;
  ASSERT_EQ(Inspect({path, "--json"}, out, err), kOk) << err.str();
  EXPECT_EQ(err.str(), "");
  const Json report = Json::parse(out.str());
  EXPECT_EQ(Keys(report), (std::vector<std::string>{"file", "format", "version", "folder",
                                                    "records", "object", "tensors", "value"}));
  EXPECT_EQ(report["file"], path);
  EXPECT_EQ(report["object"], "dict");
  // One record a storage, data.pkl, version (and whatever else the writer adds).
  EXPECT_GE(report["records"].size(), static_cast<size_t>(kTensors + 2));
  const Json& tensors = report["tensors"];
  ASSERT_EQ(tensors.size(), static_cast<size_t>(kTensors + 2));
  for (int i = 0; i < kTensors; ++i) {
    ASSERT_EQ(tensors[i]["path"], absl::StrCat("/w", i));
    ASSERT_EQ(tensors[i]["storage"], i);
    ASSERT_EQ(tensors[i]["shape"], Json::array({2}));
  }
  // The view and w1 share w1's storage, numbered when w1 was first met.
  EXPECT_EQ(tensors[kTensors]["path"], "/meta/pair/0");
  EXPECT_EQ(tensors[kTensors]["storage"], 1);
  EXPECT_EQ(tensors[kTensors]["shape"], Json::array({1}));
  EXPECT_EQ(tensors[kTensors + 1]["storage"], 1);
  EXPECT_EQ(tensors[kTensors + 1]["location"], "cpu");
  const Json& value = report["value"];
  ASSERT_EQ(value.size(), static_cast<size_t>(kTensors + 1));
  EXPECT_EQ(value["w4999"]["type"], "tensor");
  EXPECT_EQ(value["w4999"]["storage"], 4999);
  EXPECT_EQ(value["meta"]["epoch"], 3);
  EXPECT_EQ(value["meta"]["lr"], 0.5);
  EXPECT_EQ(value["meta"]["pair"][1]["storage"], 1);
}

TEST(InspectTest, PickleJsonPutsTheDisassemblyFirst) {
  const std::string path = SaveManyTensors();
  std::ostringstream out, err;
  ASSERT_EQ(Inspect({path, "--pickle", "--json"}, out, err), kOk) << err.str();
  const Json report = Json::parse(out.str());
  ASSERT_EQ(Keys(report).front(), "pickle");
  EXPECT_EQ(report["pickle"].front()["op"], "PROTO");
  EXPECT_EQ(report["pickle"].front()["offset"], 0);
  EXPECT_EQ(report["pickle"].back()["op"], "STOP");
  EXPECT_EQ(report["tensors"].size(), static_cast<size_t>(kTensors + 2));
}

TEST(InspectTest, TheTextReportCountsSharing) {
  const std::string path = SaveManyTensors();
  std::ostringstream out, err;
  ASSERT_EQ(Inspect({path}, out, err), kOk) << err.str();
  const std::string text = out.str();
  EXPECT_NE(text.find(absl::StrCat("object: dict with ", kTensors + 2, " tensors on ", kTensors,
                                   " storages\n")),
            std::string::npos);
  EXPECT_NE(text.find("  /w1: float32 (2,) strides (1,) offset 0 storage #1 (cpu, 8 bytes, "
                      "shared by 3 tensors)\n"),
            std::string::npos);
  EXPECT_NE(text.find("  /w2: float32 (2,) strides (1,) offset 0 storage #2 (cpu, 8 bytes)\n"),
            std::string::npos);
}

// --keep-unknown-globals has no meaning for a TorchScript archive (its
// pickles name only the archive's classes): inspect says so and goes on.
TEST(InspectTest, KeepUnknownGlobalsOnATorchScriptArchiveIsSaidNotIgnored) {
  const std::string path = "jit/testdata/attrs.pt";
  std::ostringstream out, err;
  ASSERT_EQ(Inspect({path, "--keep-unknown-globals"}, out, err), kOk) << err.str();
  EXPECT_NE(out.str().find("TorchScript archive"), std::string::npos) << out.str();
  EXPECT_NE(err.str().find("--keep-unknown-globals does not apply to a TorchScript archive"),
            std::string::npos)
      << err.str();
  std::ostringstream out2, err2;
  ASSERT_EQ(Inspect({path}, out2, err2), kOk) << err2.str();
  EXPECT_EQ(err2.str(), "");
  EXPECT_EQ(out2.str(), out.str());
}

TEST(InspectTest, AnErrorComesAlone) {
  const std::string path = ::testing::TempDir() + "/truncated.pt";
  {
    std::ifstream in(SaveManyTensors(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{path}, {path, "--json"}, {path, "--pickle", "--json"}}) {
    std::ostringstream out, err;
    EXPECT_EQ(Inspect(args, out, err), kUnreadable);
    EXPECT_EQ(out.str(), "");
    EXPECT_NE(err.str(), "");
  }
}

}  // namespace
}  // namespace cli
}  // namespace ptser
