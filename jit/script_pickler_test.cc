// Copyright ptser authors.
//
// ScriptPickler's byte-level habits on hand-built modules (the fixtures of
// script_archive_test check whole data.pkl records against torch.jit.save).
#include "jit/script_pickler.h"

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

using ::testing::HasSubstr;

std::shared_ptr<ScriptModule> Module1(const std::string& name) {
  auto c = std::make_shared<ScriptClass>();
  c->name = name;
  c->qualified_name = "__torch__." + name;
  c->base = "Module";
  return std::make_shared<ScriptModule>(c);
}

absl::StatusOr<std::string> Pickle(const ScriptModule& m, const TypeTags& tags) {
  ScriptPickler p(tags);
  p.CountSlotTensors(m);
  absl::Status s = p.PushModule(m);
  if (!s.ok()) return s;
  return p.Finish();
}

std::string B(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(ScriptPicklerTest, IntegersStringsAndObjects) {
  auto m = Module1("M");
  m->AddTraining(true);
  m->AddAttribute("a", Value::Int(255));
  m->AddAttribute("b", Value::Int(256));
  m->AddAttribute("c", Value::Int(-1));
  m->AddAttribute("d", Value::Int(int64_t{1} << 40));
  m->AddAttribute("e", Value::Str("a"));  // the same str as the name "a": memoized by value
  TypeTags tags;
  ASSERT_OK_AND_ASSIGN(std::string pkl, Pickle(*m, tags));
  const std::string expected =
      B({0x80, 2}) + "c__torch__\nM\n" + B({'q', 0, ')', 0x81, '}', '('}) +
      "X" + B({8, 0, 0, 0}) + "training" + B({'q', 1, 0x88}) +
      "X" + B({1, 0, 0, 0}) + "a" + B({'q', 2, 'K', 255}) +
      "X" + B({1, 0, 0, 0}) + "b" + B({'q', 3, 'M', 0, 1}) +
      "X" + B({1, 0, 0, 0}) + "c" + B({'q', 4, 'J', 0xff, 0xff, 0xff, 0xff}) +
      "X" + B({1, 0, 0, 0}) + "d" + B({'q', 5, 0x8a, 8, 0, 0, 0, 0, 0, 1, 0, 0}) +
      "X" + B({1, 0, 0, 0}) + "e" + B({'q', 6, 'h', 2}) +
      B({'u', 'b', 'q', 7, '.'});
  EXPECT_EQ(pkl, expected);
}

TEST(ScriptPicklerTest, TypedContainersAndTensors) {
  auto m = Module1("M");
  Value ints = Value::NewList({Value::Int(1)});
  Value strs = Value::NewList({Value::Str("x")});
  Value empty = Value::NewDict();
  m->AddAttribute("i", ints);
  m->AddAttribute("s", strs);
  m->AddAttribute("d", empty);
  TypeTags tags;
  tags.Set(ints, "List[int]");
  tags.Set(strs, "List[str]");
  tags.Set(empty, "Dict[str, int]");
  ASSERT_OK_AND_ASSIGN(std::string pkl, Pickle(*m, tags));
  EXPECT_THAT(pkl, HasSubstr("ctorch.jit._pickle\nbuild_intlist\n" + B({'q', 2, '(', ']', '(',
                                                                         'K', 1, 'e', 't', 'R'})));
  EXPECT_THAT(pkl, HasSubstr("ctorch.jit._pickle\nrestore_type_tag\n"));
  // An empty dict has no MARK ... SETITEMS.
  EXPECT_THAT(pkl, HasSubstr("}X" + B({14, 0, 0, 0}) + "Dict[str, int]"));

  // Without a type a list cannot be written.
  auto bad = Module1("M");
  bad->AddAttribute("l", Value::NewList());
  EXPECT_THAT(Pickle(*bad, TypeTags()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("restore_type_tag")));

  // One tensor in two slots is memoized; its storage is data/0.
  auto tied = Module1("T");
  ASSERT_OK_AND_ASSIGN(Tensor t, Ones({2}, ScalarType::kFloat));
  ASSERT_OK(tied->AddParameter("w", Value::FromTensor(t)));
  ASSERT_OK(tied->AddBuffer("b", Value::FromTensor(t)));
  ScriptPickler p{TypeTags()};
  p.CountSlotTensors(*tied);
  ASSERT_OK(p.PushModule(*tied));
  const std::string out = p.Finish();
  ASSERT_EQ(p.storages().size(), 1u);
  EXPECT_EQ(p.storage_keys()[0], "0");
  EXPECT_THAT(out, HasSubstr("ctorch\nFloatStorage\n"));
  // ... REDUCE BINPUT n, then 'b' and BINGET n.
  const size_t b = out.find("X" + B({1, 0, 0, 0}) + "b");
  ASSERT_NE(b, std::string::npos);
  EXPECT_EQ(out[b - 2], 'q');
  EXPECT_EQ(out.substr(b + 8, 1), "h");
  EXPECT_EQ(out[b + 9], out[b - 1]);
}

}  // namespace
}  // namespace jit
}  // namespace ptser
