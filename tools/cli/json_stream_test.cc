// Copyright ptser authors.
#include "tools/cli/json_stream.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace ptser {
namespace cli {
namespace {

constexpr auto kReplace = Json::error_handler_t::replace;

// Writes `tree` through a JsonStream, opening every object and array it
// holds at depth < `split` as a stream container and writing what lies
// deeper as Write'd subtrees.
void Stream(const Json& tree, int split, JsonStream& js) {
  if (split <= 0 || !tree.is_structured()) {
    js.Write(tree);
    return;
  }
  if (tree.is_object()) {
    js.BeginObject();
    for (const auto& [key, value] : tree.items()) {
      js.Key(key);
      Stream(value, split - 1, js);
    }
  } else {
    js.BeginArray();
    for (const Json& value : tree) Stream(value, split - 1, js);
  }
  js.End();
}

Json Sample() {
  return Json{{"file", "a.pt"},
              {"empty_object", Json::object()},
              {"empty_array", Json::array()},
              {"records", Json::array({Json{{"name", "data.pkl"}, {"size", 12}},
                                       Json{{"name", "data/0"}, {"size", 16}}})},
              {"tensors", Json::array({Json{{"shape", {2, 3}}, {"strides", Json::array()},
                                            {"nested", {{"deeper", {1.5, nullptr, true}}}}}})},
              {"value", {{"epoch", 3}, {"lr", 0.001}, {"name", "ünï"}}}};
}

TEST(JsonStreamTest, WritesWhatDumpWritesAtEveryDepthOfStreaming) {
  const Json tree = Sample();
  for (int split = 0; split < 6; ++split) {
    std::ostringstream out;
    JsonStream js(out);
    Stream(tree, split, js);
    EXPECT_EQ(js.depth(), 0u);
    EXPECT_EQ(out.str(), tree.dump(2, ' ', false, kReplace)) << "split " << split;
  }
}

TEST(JsonStreamTest, EmptyContainersAreWrittenShort) {
  std::ostringstream out;
  JsonStream js(out);
  js.BeginObject();
  js.Key("a");
  js.BeginArray();
  js.End();
  js.Key("b");
  js.BeginObject();
  js.End();
  js.End();
  EXPECT_EQ(out.str(), "{\n  \"a\": [],\n  \"b\": {}\n}");
}

TEST(JsonStreamTest, RawItemsSitOnTheirOwnLines) {
  std::ostringstream out;
  JsonStream js(out);
  js.BeginObject();
  js.Key("pickle");
  js.BeginArray();
  js.WriteRaw("{\"offset\": 0}");
  js.WriteRaw("{\"offset\": 2}");
  js.End();
  js.End();
  EXPECT_EQ(out.str(), "{\n  \"pickle\": [\n    {\"offset\": 0},\n    {\"offset\": 2}\n  ]\n}");
  EXPECT_EQ(Json::parse(out.str())["pickle"][1]["offset"], 2);
}

TEST(JsonStreamTest, InvalidUtf8BecomesReplacementCharacters) {
  std::ostringstream out;
  JsonStream js(out);
  js.BeginObject();
  js.Key("bad\xff key");
  js.Write("bad\xfe value");
  js.End();
  const Json back = Json::parse(out.str());
  EXPECT_EQ(back.begin().key(), "bad\xEF\xBF\xBD key");
  EXPECT_EQ(back.begin().value(), "bad\xEF\xBF\xBD value");
  EXPECT_EQ(JsonQuote("a\"b"), "\"a\\\"b\"");
}

}  // namespace
}  // namespace cli
}  // namespace ptser
