// Copyright ptser authors.
//
// LoadSharded on a two-shard checkpoint written by real PyTorch 1.13 the way
// HuggingFace save_pretrained writes one (archive/testdata/sharded/, made by
// archive/testdata/make_sharded_fixtures.py), and on indexes written here.
// The strongest check: the merged state dict saves to exactly the bytes of
// torch.save(merged OrderedDict) — `full.pt` — which holds only when every
// tensor, its order and the tied weights' shared storage survived.
#include "archive/sharded.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/byte_sink.h"
#include "archive/load.h"
#include "archive/safetensors.h"
#include "archive/save.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFixtures[] = "archive/testdata/sharded/";
constexpr char kShard1[] = "pytorch_model-00001-of-00002.bin";
constexpr char kShard2[] = "pytorch_model-00002-of-00002.bin";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

std::vector<std::string> Keys(const Value& v) {
  std::vector<std::string> keys;
  for (const auto& item : v.dict().items()) keys.push_back(item.key.as_string());
  return keys;
}

TEST(LoadSharded, MergesTheShardsTorchWrote) {
  const std::string full = ReadFile(absl::StrCat(kFixtures, "full.pt"));
  ASSERT_FALSE(full.empty());
  for (const char* index : {"pytorch_model.bin.index.json", "pytorch_model_legacy.bin.index.json"}) {
    for (bool mmap : {false, true}) {
      LoadOptions options;
      options.mmap = mmap;
      ASSERT_OK_AND_ASSIGN(Value sd, LoadSharded(absl::StrCat(kFixtures, index), options));
      ASSERT_TRUE(sd.is_dict());
      EXPECT_TRUE(sd.dict().is_ordered_dict());
      EXPECT_THAT(Keys(sd), ElementsAre("embed.weight", "layers.0.bias", "layers.0.weight",
                                        "layers.1.bias", "layers.1.weight", "lm_head.weight",
                                        "norm.num_batches_tracked"));
      // Tied weights (one shard) still share their storage.
      EXPECT_TRUE(sd.dict().Find("embed.weight")->tensor().storage().IsSameAs(
          sd.dict().Find("lm_head.weight")->tensor().storage()));
      EXPECT_EQ(sd.dict().Find("layers.1.weight")->tensor().dtype(), ScalarType::kHalf);
      ASSERT_OK_AND_ASSIGN(std::string saved, SaveToString(sd, "full"));
      EXPECT_TRUE(saved == full) << index << " mmap=" << mmap;
    }
  }
}

TEST(LoadSharded, LoadRoutesIndexFilesHere) {
  ASSERT_OK_AND_ASSIGN(Value a, Load(absl::StrCat(kFixtures, "pytorch_model.bin.index.json")));
  ASSERT_OK_AND_ASSIGN(Value b, Load(absl::StrCat(kFixtures, "full.pt")));
  EXPECT_TRUE(ValuesEqual(a, b));
}

// Indexes written into a scratch folder next to copies of the shards.
class ShardedIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    ASSERT_NE(tmp, nullptr);
    dir_ = tmp;
    for (const char* shard : {kShard1, kShard2}) {
      WriteFile(absl::StrCat(dir_, "/", shard), ReadFile(absl::StrCat(kFixtures, shard)));
    }
    WriteFile(absl::StrCat(dir_, "/views.pt"), ReadFile("archive/testdata/views.pt"));
  }

  // Writes `json` as an index and loads it.
  absl::StatusOr<Value> LoadIndex(const std::string& json,
                                  const std::string& name = "model.bin.index.json") {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << json;
    out.close();
    return Load(path);
  }

  // A weight_map naming every key of both shards, with `extra` entries
  // appended (JSON text).
  static std::string FullMap(const std::string& extra = "") {
    return absl::StrCat(
        R"({"metadata": {"total_size": 148}, "weight_map": {)",
        R"("lm_head.weight": "pytorch_model-00001-of-00002.bin",)",
        R"("norm.num_batches_tracked": "pytorch_model-00002-of-00002.bin",)",
        R"("embed.weight": "./pytorch_model-00001-of-00002.bin",)",
        R"("layers.0.weight": ".//pytorch_model-00001-of-00002.bin",)",
        R"("layers.0.bias": "pytorch_model-00001-of-00002.bin",)",
        R"("layers.1.weight": "pytorch_model-00002-of-00002.bin",)",
        R"("layers.1.bias": "pytorch_model-00002-of-00002.bin")", extra, "}}");
  }

  std::string dir_;
};

TEST_F(ShardedIndex, KeepsWeightMapOrderAndLoadsEachShardOnce) {
  ASSERT_OK_AND_ASSIGN(Value sd, LoadIndex(FullMap()));
  // The order of the JSON text, not sorted.
  EXPECT_THAT(Keys(sd), ElementsAre("lm_head.weight", "norm.num_batches_tracked", "embed.weight",
                                    "layers.0.weight", "layers.0.bias", "layers.1.weight",
                                    "layers.1.bias"));
  // "x.bin", "./x.bin" and ".//x.bin" are one shard, loaded once: the tied
  // weights named through different spellings still share a storage.
  EXPECT_TRUE(sd.dict().Find("embed.weight")->tensor().storage().IsSameAs(
      sd.dict().Find("lm_head.weight")->tensor().storage()));
  // A metadata-less index loads too.
  ASSERT_OK_AND_ASSIGN(Value empty, LoadIndex(R"({"weight_map": {}})"));
  EXPECT_TRUE(empty.dict().empty());
}

// A `model.safetensors.index.json` names .safetensors shards, which load as
// any file ptser::Load reads.
TEST_F(ShardedIndex, SafetensorsShards) {
  ASSERT_OK_AND_ASSIGN(Value bin, Load(absl::StrCat(dir_, "/", kShard2)));
  StringSink sink;
  ASSERT_OK(SaveSafetensors(bin, &sink));
  WriteFile(absl::StrCat(dir_, "/model-00001-of-00001.safetensors"), sink.Release());
  std::string map;
  for (const std::string& key : Keys(bin)) {
    absl::StrAppend(&map, map.empty() ? "" : ",", "\"", key,
                    "\": \"model-00001-of-00001.safetensors\"");
  }
  ASSERT_OK_AND_ASSIGN(
      Value sd, LoadIndex(absl::StrCat(R"({"weight_map": {)", map, "}}"),
                          "model.safetensors.index.json"));
  ASSERT_EQ(Keys(sd), Keys(bin));
  for (const std::string& key : Keys(bin)) {
    EXPECT_TRUE(ValuesEqual(*sd.dict().Find(key), *bin.dict().Find(key))) << key;
  }
}

TEST_F(ShardedIndex, MalformedIndexesAreRefused) {
  struct Case {
    const char* what;
    std::string json;
    absl::StatusCode code;
    std::string message;
  };
  const std::string shard1 = R"("pytorch_model-00001-of-00002.bin")";
  const std::vector<Case> cases = {
      {"not JSON", "{\"weight_map\": ", absl::StatusCode::kInvalidArgument,
       "is not valid JSON: at byte offset 15"},
      {"a stray comma", R"({"weight_map": {"w": "a.bin",}})", absl::StatusCode::kInvalidArgument,
       "is not valid JSON: at byte offset 29: parse error at line 1, column 30"},
      {"not an object", "[1, 2]", absl::StatusCode::kInvalidArgument,
       "is not a JSON object with a \"weight_map\""},
      {"no weight_map", R"({"metadata": {}})", absl::StatusCode::kInvalidArgument,
       "has no \"weight_map\" object"},
      {"weight_map a list", R"({"weight_map": ["a"]})", absl::StatusCode::kInvalidArgument,
       "has no \"weight_map\" object"},
      {"metadata a number", R"({"metadata": 3, "weight_map": {}})",
       absl::StatusCode::kInvalidArgument, "\"metadata\" is not an object"},
      {"a shard that is a number", R"({"weight_map": {"w": 3}})",
       absl::StatusCode::kInvalidArgument, "the shard of 'w' is 3, not a file name"},
      {"an absolute path", R"({"weight_map": {"w": "/etc/passwd"}})",
       absl::StatusCode::kInvalidArgument, "'/etc/passwd', an absolute path"},
      {"a '..' path", R"({"weight_map": {"w": "sub/../../secret.bin"}})",
       absl::StatusCode::kInvalidArgument, "a path containing '..'"},
      {"'..' anywhere", R"({"weight_map": {"w": "model..bin"}})",
       absl::StatusCode::kInvalidArgument, "a path containing '..'"},
      {"an empty path", R"({"weight_map": {"w": ""}})", absl::StatusCode::kInvalidArgument,
       "an empty path"},
      {"a NUL byte", R"({"weight_map": {"w": "a\u0000b"}})", absl::StatusCode::kInvalidArgument,
       "a path with a NUL byte"},
      {"a folder", R"({"weight_map": {"w": "./"}})", absl::StatusCode::kInvalidArgument,
       "a path that names no file"},
      {"an index as shard", R"({"weight_map": {"w": "other.index.json"}})",
       absl::StatusCode::kInvalidArgument, "another index"},
      {"a missing shard file", R"({"weight_map": {"w": "absent.bin"}})",
       absl::StatusCode::kNotFound, "shard 'absent.bin'"},
      {"a key missing from its shard", FullMap(R"(, "ghost.weight": )" + shard1),
       absl::StatusCode::kInvalidArgument,
       "'ghost.weight' is missing from its shard 'pytorch_model-00001-of-00002.bin'"},
      {"a shard holding a key the index does not name",
       R"({"weight_map": {"embed.weight": )" + shard1 + "}}", absl::StatusCode::kInvalidArgument,
       "shard 'pytorch_model-00001-of-00002.bin' holds 'layers.0.weight', which the index does "
       "not name"},
      {"a key the index puts in the other shard",
       R"({"weight_map": {"layers.1.bias": "pytorch_model-00002-of-00002.bin", )"
       R"("norm.num_batches_tracked": )" + shard1 + R"(, "embed.weight": )" + shard1 +
           R"(, "lm_head.weight": )" + shard1 + R"(, "layers.0.weight": )" + shard1 +
           R"(, "layers.0.bias": )" + shard1 + "}}",
       absl::StatusCode::kInvalidArgument,
       "shard 'pytorch_model-00002-of-00002.bin' holds 'layers.1.weight', which the index does "
       "not name"},
      {"a shard that is not a dict", R"({"weight_map": {"w": "views.pt"}})",
       absl::StatusCode::kInvalidArgument, "shard 'views.pt' holds a list, not a dict"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(LoadIndex(c.json), StatusIs(c.code, HasSubstr(c.message))) << c.what;
  }
  // The key assigned elsewhere: norm.num_batches_tracked is in shard 2 but
  // the index puts it in shard 1.
  const std::string moved = absl::StrCat(
      R"({"weight_map": {"layers.1.bias": "pytorch_model-00002-of-00002.bin", )",
      R"("layers.1.weight": "pytorch_model-00002-of-00002.bin", )",
      R"("norm.num_batches_tracked": )", shard1, "}}");
  EXPECT_THAT(LoadIndex(moved),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shard 'pytorch_model-00002-of-00002.bin' holds "
                                 "'norm.num_batches_tracked', which the index assigns to "
                                 "shard 'pytorch_model-00001-of-00002.bin'")));
  // Errors name the index file.
  EXPECT_THAT(LoadIndex("nope", "named.index.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("named.index.json")));
  EXPECT_THAT(Load(absl::StrCat(dir_, "/absent.index.json")),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace ptser

namespace ptser {
namespace {

absl::StatusOr<::ptser::ShardedIndex> ReadIndexText(const std::string& json) {
  // The shards the tests name exist (empty files).
  for (const char* shard : {"1.bin", "2.bin", "3.bin", "s0.bin", "s1.bin", "s2.bin", "s3.bin",
                            "s4.bin", "s5.bin", "s6.bin"}) {
    std::ofstream(absl::StrCat(::testing::TempDir(), "/", shard), std::ios::app);
  }
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/read_index_text.bin.index.json");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << json;
  return ReadShardedIndex(path);
}

// Issue 12 §2/§3: the index's JSON never throws, nests at most 64 deep, and
// a large weight_map is read in linear time.
TEST(ShardedIndexJson, HostileJsonIsAStatus) {
  EXPECT_THAT(ReadIndexText(R"({"metadata": {"total_size": 1e400}, "weight_map": {}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("number overflow")));
  std::string deep = R"({"metadata": {"x": )";
  for (int i = 0; i < 100000; ++i) deep += "[";
  EXPECT_THAT(ReadIndexText(deep),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested deeper than 64")));
  EXPECT_THAT(ReadIndexText(R"({"weight_map": {"w\ud800": "a.bin"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not valid JSON")));
  EXPECT_THAT(ReadIndexText("{\"weight_map\": {\"w\xff\": \"a.bin\"}}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not valid JSON")));
  EXPECT_THAT(ReadIndexText(R"([1, 2])"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(ReadIndexText(R"({"metadata": 3, "weight_map": {}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"metadata\" is not an object")));
  EXPECT_THAT(ReadIndexText(R"({"weight_map": [1]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no \"weight_map\" object")));
  EXPECT_THAT(ReadIndexText(R"({"weight_map": {"w": {"a": 1}}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the shard of 'w' is an object")));
}

TEST(ShardedIndexJson, DuplicateKeysKeepTheirFirstPlaceAndLastValue) {
  ASSERT_OK_AND_ASSIGN(::ptser::ShardedIndex ix,
                       ReadIndexText(R"({"weight_map": {"a": "1.bin", "b": "2.bin", "a": "3.bin"},
                                         "metadata": {"m": [{"n": null}]}})"));
  EXPECT_THAT(ix.keys, ElementsAre("a", "b"));
  EXPECT_EQ(ix.shards[ix.key_shard[0]], "3.bin");
}

// Issue 12 §3: a FIFO shard would block forever; a link could lead anywhere.
TEST(ShardedIndexJson, ShardsAreRegularFilesInsideTheFolder) {
  const std::string dir = ::testing::TempDir();
  const std::string fifo = absl::StrCat(dir, "/fifo.bin");
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(ReadIndexText(R"({"weight_map": {"w": "fifo.bin"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  const std::string out_link = absl::StrCat(dir, "/outside.bin");
  unlink(out_link.c_str());
  ASSERT_EQ(symlink("/etc/passwd", out_link.c_str()), 0);
  EXPECT_THAT(ReadIndexText(R"({"weight_map": {"w": "outside.bin"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leads to '/etc/passwd', outside the index's folder")));
  const std::string in_link = absl::StrCat(dir, "/inside.bin");
  unlink(in_link.c_str());
  ASSERT_EQ(symlink("1.bin", in_link.c_str()), 0);
  EXPECT_OK(ReadIndexText(R"({"weight_map": {"w": "inside.bin"}})").status());
  // The FIFO is refused by the loader too, without blocking.
  EXPECT_THAT(Load(fifo), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("not a regular file")));
}

TEST(ShardedIndexJson, LargeWeightMapIsLinear) {
  std::string json = R"({"weight_map": {)";
  constexpr int kKeys = 300000;
  for (int i = 0; i < kKeys; ++i) {
    absl::StrAppend(&json, i == 0 ? "" : ", ", "\"layer.", i, ".weight\": \"s", i % 7, ".bin\"");
  }
  json += "}}";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(::ptser::ShardedIndex ix, ReadIndexText(json));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(ix.keys.size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(ix.shards.size(), 7u);
  EXPECT_LT(seconds, 10.0) << "300k keys took " << seconds << " s (quadratic?)";
}

}  // namespace
}  // namespace ptser
