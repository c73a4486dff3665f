// Copyright ptser authors.
//
// ScriptModule and the code-record parser, without an archive.
#include "jit/script_module.h"

#include <memory>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const ScriptClass> Class(const std::string& name, std::vector<std::string> params) {
  auto c = std::make_shared<ScriptClass>();
  c->name = name;
  c->qualified_name = "__torch__." + name;
  c->base = "Module";
  c->parameters = std::move(params);
  return c;
}

TEST(ScriptArchiveTest, CodeRecordParsing) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScriptClass> classes,
                       ParseCodeRecord("code/__torch__/a/b.py",
                                       "op_version_set = 1\n"
                                       "class X(Module):\n"
                                       "  __parameters__ = [\"w\", ]\n"
                                       "  __buffers__ = []\n"
                                       "  w : Tensor\n"
                                       "  __annotations__[\"0\"] = __torch__.a.b.Y\n"
                                       "  def forward(self: __torch__.a.b.X) -> int:\n"
                                       "    x : int = 1\n"
                                       "    return x\n"
                                       "def helper(a: int) -> int:\n"
                                       "  return a\n"
                                       "class Y(NamedTuple):\n"
                                       "  v : int\n"));
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].qualified_name, "__torch__.a.b.X");
  EXPECT_TRUE(classes[0].is_module());
  EXPECT_THAT(classes[0].parameters, ElementsAre("w"));
  ASSERT_EQ(classes[0].attributes.size(), 2u);
  EXPECT_EQ(classes[0].attributes[1].first, "0");
  EXPECT_THAT(classes[0].methods, ElementsAre("forward"));
  EXPECT_EQ(classes[0].source.substr(0, 17), "class X(Module):\n");
  EXPECT_EQ(classes[0].source.substr(classes[0].source.size() - 12), "    return x");
  EXPECT_EQ(classes[1].base, "NamedTuple");
  EXPECT_THAT(ParseCodeRecord("code/__torch__.py", "class X(Module):\n  __parameters__ = [w]\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
  EXPECT_THAT(ParseCodeRecord("code/os.py", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("code/__torch__")));
}

// print(torch.jit.load(f)): a leaf on one line, children indented by two.
TEST(ScriptModuleTest, TreeReprIsPyTorchs) {
  auto root = std::make_shared<ScriptModule>(Class("Net", {}));
  auto seq = std::make_shared<ScriptModule>(Class("Sequential", {}));
  auto lin = std::make_shared<ScriptModule>(Class("Linear", {"weight"}));
  ASSERT_OK(lin->AddParameter("weight", Value::FromTensor(*Zeros({2, 3}, ScalarType::kFloat))));
  lin->AddTraining(false);
  ASSERT_OK(seq->AddChild("0", lin));
  ASSERT_OK(root->AddChild("body", seq));
  root->AddAttribute("tag", Value::Str("x"));
  EXPECT_EQ(lin->TreeRepr(), "RecursiveScriptModule(original_name=Linear)");
  EXPECT_EQ(root->TreeRepr(),
            "RecursiveScriptModule(\n"
            "  original_name=Net\n"
            "  (body): RecursiveScriptModule(\n"
            "    original_name=Sequential\n"
            "    (0): RecursiveScriptModule(original_name=Linear)\n"
            "  )\n"
            ")");
  EXPECT_THAT(root->NamedModules().size(), 3u);
  EXPECT_EQ(root->NamedParameters().size(), 1u);
  EXPECT_EQ(root->NamedParameters()[0].first, "body.0.weight");
  EXPECT_FALSE(lin->is_training());
  EXPECT_TRUE(root->is_training());
  ASSERT_NE(root->FindAttribute("tag"), nullptr);
  EXPECT_EQ(root->FindAttribute("tag")->as_string(), "x");
  EXPECT_EQ(root->FindAttribute("body"), nullptr);  // a child, not an attribute
  // A parameter must be a tensor or None.
  EXPECT_THAT(root->AddParameter("p", Value::Int(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected Tensor")));
}

TEST(ScriptModuleTest, TypeTagsFollowIdentity) {
  TypeTags tags;
  Value a = Value::NewList();
  Value b = Value::NewList();
  tags.Set(a, "List[str]");
  ASSERT_NE(tags.Find(a), nullptr);
  EXPECT_EQ(*tags.Find(a), "List[str]");
  Value same = a;
  EXPECT_EQ(*tags.Find(same), "List[str]");
  EXPECT_EQ(tags.Find(b), nullptr);
  EXPECT_EQ(tags.Find(Value::Int(1)), nullptr);
}

}  // namespace
}  // namespace jit
}  // namespace ptser
