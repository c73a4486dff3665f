// Copyright ptser authors.
//
// TorchScript archives written by PyTorch 1.13 (jit/testdata/
// make_script_fixtures.py): the module tree, attributes, state dicts
// byte-identical to torch.save(torch.jit.load(f).state_dict()), the printed
// tree; and hostile archives refused with clear messages.
#include "jit/script_archive.h"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/save.h"
#include "archive/torch_archive.h"
#include "archive/zip_writer.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadFixture(const std::string& name) {
  std::ifstream in("jit/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const ByteSource> Memory(const std::string& bytes, const std::string& name) {
  return std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, name));
}

absl::StatusOr<ScriptArchive> LoadFixture(const std::string& name) {
  return LoadScriptModule("jit/testdata/" + name + ".pt");
}

std::vector<std::string> Keys(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [k, t] : named) out.push_back(k);
  return out;
}

// ---------------------------------------------------------------------------
// Hostile and malformed archives: script_my.pt with records replaced.

absl::StatusOr<ScriptArchive> LoadModified(
    const std::function<void(std::map<std::string, std::string>*)>& edit,
    const LoadScriptOptions& options = {}) {
  auto source = Memory(ReadFixture("script_my.pt"), "script_my.pt");
  PTSER_ASSIGN_OR_RETURN(auto archive, TorchArchive::Open(source));
  std::vector<std::string> order = archive->RecordNames();
  std::map<std::string, std::string> records;
  for (const std::string& n : order) {
    PTSER_ASSIGN_OR_RETURN(records[n], archive->ReadRecordString(n));
  }
  edit(&records);
  StringSink sink;
  ZipWriter zip(&sink, "evil");
  for (const std::string& n : order) {
    auto it = records.find(n);
    if (it == records.end()) continue;
    PTSER_RETURN_IF_ERROR(zip.WriteRecord(n, it->second.data(), it->second.size()));
    records.erase(it);
  }
  for (const auto& [n, bytes] : records) {
    PTSER_RETURN_IF_ERROR(zip.WriteRecord(n, bytes.data(), bytes.size()));
  }
  PTSER_RETURN_IF_ERROR(zip.Finish());
  return LoadScriptModuleFromSource(Memory(sink.Release(), "evil.pt"), options);
}

std::string Str(const std::string& s) {
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((s.size() >> (8 * i)) & 0xff));
  return out + s;
}

// data.pkl's values are held to max_pickle_growth times the file's size (at
// least 64 MiB), as a torch.save file's are: 600,000 empty lists from a
// 600 KB pickle would take ~130 MB.
TEST(ScriptArchiveHostile, PickleValuesAreHeldToTheGrowthBudget) {
  std::string pkl = "\x80\x02](";
  pkl.append(600000, ']');
  pkl += "e.";
  const auto edit = [&](std::map<std::string, std::string>* r) {
    (*r)["data.pkl"] = pkl;
  };
  EXPECT_THAT(LoadModified(edit).status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("record 'data.pkl'"),
                             HasSubstr("raise LoadScriptOptions::max_pickle_growth"))));
  // With room to grow, the same pickle unpickles and is refused for what it
  // holds instead.
  LoadScriptOptions roomy;
  roomy.max_pickle_growth = 1000;
  absl::StatusOr<ScriptArchive> a = LoadModified(edit, roomy);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().code(), absl::StatusCode::kResourceExhausted) << a.status();
}

class FixtureTest : public ::testing::TestWithParam<const char*> {};

// The state dict saves to the bytes torch.save wrote for Python's
// torch.jit.load(f).state_dict(); the tree prints as print(torch.jit.load(f)).
TEST_P(FixtureTest, StateDictAndTreeEqualPyTorchs) {
  const std::string name = GetParam();
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadFixture(name));
  const std::string expected_sd = ReadFixture(name + ".sd.pt");
  ASSERT_FALSE(expected_sd.empty());
  ASSERT_OK_AND_ASSIGN(std::string sd, SaveToString(a.module->StateDict(), name + ".sd"));
  EXPECT_TRUE(sd == expected_sd) << name << ": state dict bytes differ";
  EXPECT_EQ(a.module->TreeRepr() + "\n", ReadFixture(name + ".txt"));
}

// data.pkl is written as torch.jit.save(torch.jit.load(f)) writes it, byte
// for byte; the whole archive reads back to the same state dict, constants,
// code and extra files.
TEST_P(FixtureTest, RewriteMatchesTorchJitSave) {
  const std::string name = GetParam();
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadFixture(name));
  ASSERT_OK_AND_ASSIGN(std::string pkl, PickleScriptModule(a));
  auto resave = Memory(ReadFixture(name + ".resave.pt"), name + ".resave.pt");
  ASSERT_OK_AND_ASSIGN(auto theirs, TorchArchive::Open(resave));
  ASSERT_OK_AND_ASSIGN(std::string expected_pkl, theirs->ReadRecordString("data.pkl"));
  EXPECT_TRUE(pkl == expected_pkl) << name << ": data.pkl differs from torch.jit.save's";

  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveScriptModuleToString(a, name + ".resave"));
  ASSERT_OK_AND_ASSIGN(ScriptArchive b, LoadScriptModuleFromSource(Memory(bytes, "b.pt")));
  ASSERT_OK_AND_ASSIGN(std::string sd_a, SaveToString(a.module->StateDict(), "sd"));
  ASSERT_OK_AND_ASSIGN(std::string sd_b, SaveToString(b.module->StateDict(), "sd"));
  EXPECT_TRUE(sd_a == sd_b);
  EXPECT_EQ(a.module->TreeRepr(), b.module->TreeRepr());
  EXPECT_EQ(a.version, b.version);
  EXPECT_TRUE(ValuesEqual(a.constants, b.constants));
  ASSERT_EQ(a.code_records.size(), b.code_records.size());
  for (size_t i = 0; i < a.code_records.size(); ++i) {
    EXPECT_EQ(a.code_records[i].name, b.code_records[i].name);
    EXPECT_TRUE(a.code_records[i].bytes == b.code_records[i].bytes);
  }
  ASSERT_EQ(a.extra_files.size(), b.extra_files.size());
  // The records torch.jit.save writes, in its order (all stored here).
  std::vector<std::string> ours_names, their_names;
  ASSERT_OK_AND_ASSIGN(auto ours, TorchArchive::Open(Memory(bytes, "b.pt")));
  // (torch.jit.save of a loaded module drops its extra files unless asked.)
  for (const auto& n : ours->RecordNames()) {
    if (n.rfind("extra/", 0) != 0) ours_names.push_back(n);
  }
  for (const auto& n : theirs->RecordNames()) their_names.push_back(n);
  EXPECT_EQ(ours_names, their_names);
}

INSTANTIATE_TEST_SUITE_P(PyTorch113, FixtureTest,
                         ::testing::Values("script_my", "trace_my", "control_flow", "batchnorm",
                                           "attrs", "trace_const", "extra", "renamed", "shared"));

TEST(ScriptArchiveTest, MyModuleTree) {
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadFixture("script_my"));
  EXPECT_EQ(a.prefix, "script_my");
  EXPECT_EQ(a.version, 3u);
  EXPECT_EQ(a.version_record, "version");
  EXPECT_EQ(a.module->qualified_name(), "__torch__.MyModule");
  EXPECT_EQ(a.module->type_name(), "MyModule");
  EXPECT_TRUE(a.module->is_training());
  EXPECT_THAT(Keys(a.module->NamedParameters()),
              ElementsAre("l0.weight", "l0.bias", "l1.weight", "l1.bias"));
  EXPECT_TRUE(a.module->NamedBuffers().empty());
  auto l1 = std::static_pointer_cast<ScriptModule>(a.module->Child("l1"));
  ASSERT_NE(l1, nullptr);
  EXPECT_EQ(l1->qualified_name(), "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear");
  EXPECT_THAT(l1->script_class().parameters, ElementsAre("weight", "bias"));
  EXPECT_THAT(l1->script_class().methods, ElementsAre("forward"));
  EXPECT_THAT(l1->script_class().constants, ::testing::UnorderedElementsAre(
                                                "out_features : Final[int] = 1",
                                                "in_features : Final[int] = 2"));
  EXPECT_THAT(l1->script_class().source, HasSubstr("return torch.linear(input, weight, bias)"));
  ASSERT_OK_AND_ASSIGN(Tensor w, l1->Parameter("weight"));
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(w.sizes(), (std::vector<int64_t>{1, 2}));
  // Slots in the archive's order; _is_full_backward_hook is a None attribute.
  std::vector<std::string> slots;
  for (const auto& s : l1->slots()) slots.push_back(s.name);
  EXPECT_THAT(slots, ElementsAre("weight", "bias", "training", "_is_full_backward_hook"));
  ASSERT_NE(l1->FindAttribute("_is_full_backward_hook"), nullptr);
  EXPECT_TRUE(l1->FindAttribute("_is_full_backward_hook")->is_none());
  ASSERT_NE(a.FindClass("__torch__.MyModule"), nullptr);
  EXPECT_TRUE(a.constants.is_tuple());
  EXPECT_EQ(a.constants.tuple().size(), 0u);
}

TEST(ScriptArchiveTest, AttributesOfEveryKind) {
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadFixture("attrs"));
  const ScriptModule& m = *a.module;
  EXPECT_THAT(Keys(m.NamedParameters()), ElementsAre("w", "inner.scale", "seq.0.weight",
                                                     "seq.0.bias"));
  EXPECT_THAT(Keys(m.NamedBuffers()), ElementsAre("counts", "inner.offset"));
  auto attr = [&](const char* name) -> Value {
    const Value* v = m.FindAttribute(name);
    return v == nullptr ? Value::Str("<missing>") : *v;
  };
  EXPECT_EQ(attr("ints").Repr(), "[1, 2, 300]");
  EXPECT_EQ(*a.type_tags.Find(attr("ints")), "List[int]");
  EXPECT_EQ(*a.type_tags.Find(attr("floats")), "List[float]");
  EXPECT_EQ(*a.type_tags.Find(attr("bools")), "List[bool]");
  EXPECT_EQ(*a.type_tags.Find(attr("tensors")), "List[Tensor]");
  EXPECT_EQ(attr("names").Repr(), "['a', 'bé']");
  EXPECT_EQ(*a.type_tags.Find(attr("names")), "List[str]");
  EXPECT_EQ(attr("table").Repr(), "{'x': 1, 'y': 2}");
  EXPECT_EQ(*a.type_tags.Find(attr("table")), "Dict[str, int]");
  EXPECT_EQ(*a.type_tags.Find(attr("by_int")), "Dict[int, str]");
  EXPECT_EQ(*a.type_tags.Find(attr("nested")), "Dict[str, List[int]]");
  EXPECT_EQ(attr("pair").Repr(), "(1, 'two', 3.0)");
  EXPECT_TRUE(attr("maybe").is_none());
  EXPECT_TRUE(attr("nobias").is_none());
  EXPECT_EQ(attr("some").Repr(), "7");
  EXPECT_EQ(attr("big").Repr(), "1099511627776");
  EXPECT_EQ(attr("neg").Repr(), "-5");
  EXPECT_EQ(attr("ratio").Repr(), "0.25");
  EXPECT_EQ(attr("text").Repr(), "'hello'");
  EXPECT_EQ(attr("flag").Repr(), "False");
  auto inner = std::static_pointer_cast<ScriptModule>(m.Child("inner"));
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(inner->FindAttribute("tag")->Repr(), "'inner'");
  ASSERT_OK_AND_ASSIGN(Tensor offset, inner->Buffer("offset"));
  EXPECT_EQ(offset.dtype(), ScalarType::kDouble);
  const ScriptClass& cls = m.script_class();
  EXPECT_THAT(cls.parameters, ElementsAre("w"));
  EXPECT_THAT(cls.buffers, ElementsAre("counts"));
  ASSERT_GE(cls.attributes.size(), 3u);
  EXPECT_EQ(cls.attributes[5], (std::pair<std::string, std::string>("ints", "List[int]")));
}

TEST(ScriptArchiveTest, ConstantsExtraFilesAndPrefix) {
  ASSERT_OK_AND_ASSIGN(ScriptArchive c, LoadFixture("trace_const"));
  ASSERT_TRUE(c.constants.is_tuple());
  ASSERT_EQ(c.constants.tuple().size(), 1u);
  EXPECT_EQ(c.constants.tuple()[0].Repr(), "tensor([1., 2., 3.])");

  ASSERT_OK_AND_ASSIGN(ScriptArchive e, LoadFixture("extra"));
  std::map<std::string, std::string> extra;
  for (const auto& r : e.extra_files) extra[r.name] = r.bytes;
  EXPECT_EQ(extra["meta.txt"], "hello");
  EXPECT_EQ(extra["dir/x.json"], "{}");

  ASSERT_OK_AND_ASSIGN(ScriptArchive r, LoadFixture("renamed"));
  EXPECT_EQ(r.prefix, "other_name");
  EXPECT_EQ(r.module->qualified_name(), "__torch__.Inner");
}

TEST(ScriptArchiveTest, ViewsShareTheirStorage) {
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadFixture("shared"));
  ASSERT_OK_AND_ASSIGN(Tensor x, a.module->Buffer("a"));
  ASSERT_OK_AND_ASSIGN(Tensor y, a.module->Buffer("b"));
  EXPECT_TRUE(x.storage().IsSameAs(y.storage()));
  EXPECT_EQ(y.storage_offset(), 3);
}

// A state dict loaded into the module changes what SaveScriptModule writes.
TEST(ScriptArchiveTest, ChangedWeightsAreWrittenBack) {
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadFixture("script_my"));
  ASSERT_OK_AND_ASSIGN(ScriptArchive other, LoadFixture("trace_my"));
  ASSERT_OK_AND_ASSIGN(IncompatibleKeys keys, a.module->LoadStateDict(other.module->StateDict()));
  EXPECT_TRUE(keys.all_matched());
  a.module->Eval();
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveScriptModuleToString(a, "changed"));
  ASSERT_OK_AND_ASSIGN(ScriptArchive b, LoadScriptModuleFromSource(Memory(bytes, "changed.pt")));
  ASSERT_OK_AND_ASSIGN(std::string sd_b, SaveToString(b.module->StateDict(), "sd"));
  ASSERT_OK_AND_ASSIGN(std::string sd_other, SaveToString(other.module->StateDict(), "sd"));
  EXPECT_TRUE(sd_b == sd_other);
  EXPECT_FALSE(b.module->is_training());
  EXPECT_FALSE(b.module->Child("l0")->is_training());
  EXPECT_EQ(b.module->qualified_name(), "__torch__.MyModule");
}

// What newer PyTorch adds: .data/version, byteorder, .data/serialization_id.
TEST(ScriptArchiveTest, NewerRecordsAreRead) {
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadModified([](auto* r) {
                         r->erase("version");
                         (*r)[".data/version"] = "10\n";
                         (*r)["byteorder"] = "little";
                         (*r)[".data/serialization_id"] = "1234567890";
                       }));
  EXPECT_EQ(a.version, 10u);
  EXPECT_EQ(a.version_record, ".data/version");
  EXPECT_TRUE(a.other_records.empty());
  EXPECT_THAT(LoadModified([](auto* r) { (*r)["byteorder"] = "big"; }),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("big-endian")));
}


TEST(ScriptArchiveHostileTest, ForeignGlobalIsRefusedWithNameAndOffset) {
  EXPECT_THAT(LoadModified([](auto* r) {
                (*r)["data.pkl"] = std::string("\x80\x02", 2) + "cposix\nsystem\n(X\x02\x00\x00\x00lstR.";
              }),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(HasSubstr("posix.system"), HasSubstr("offset 2"),
                                        HasSubstr("data.pkl"))));
  // A torch.save global that torch.load allows is still not a TorchScript one.
  EXPECT_THAT(LoadModified([](auto* r) {
                (*r)["data.pkl"] = std::string("\x80\x02", 2) + "ctorch\nSize\n)R.";
              }),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("torch.Size")));
}

TEST(ScriptArchiveHostileTest, UndefinedClassIsRefused) {
  EXPECT_THAT(LoadModified([](auto* r) {
                (*r)["data.pkl"] = std::string("\x80\x02", 2) + "c__torch__\nEvil\n)\x81}b.";
              }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("class '__torch__.Evil' is not defined")));
}

TEST(ScriptArchiveHostileTest, CyclicTreeIsRefused) {
  EXPECT_THAT(LoadModified([](auto* r) {
                (*r)["data.pkl"] = std::string("\x80\x02", 2) + "c__torch__\nMyModule\nq" + std::string(1, '\0') + ")\x81q\x01}" +
                                   Str("l0") + "h\x01sb.";
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cyclic")));
}

TEST(ScriptArchiveHostileTest, CyclicAttributeIsRefused) {
  EXPECT_THAT(LoadModified([](auto* r) {
                (*r)["data.pkl"] = std::string("\x80\x02", 2) + "c__torch__\nMyModule\nq" +
                                   std::string(1, '\0') + ")\x81}" + Str("x") +
                                   "ctorch.jit._pickle\nrestore_type_tag\n]q\x01h\x01" "a" +
                                   Str("List[Any]") + "\x86Rsb.";
              }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("attribute 'x' of the root module holds a reference cycle")));
}

TEST(ScriptArchiveHostileTest, DeepTreeIsRefused) {
  std::string body;
  const int depth = 300;
  for (int i = 0; i < depth; ++i) {
    if (i > 0) body += std::string("h") + std::string(1, '\0');
    body += ")\x81}";
    if (i + 1 < depth) body += Str("c");
  }
  for (int i = 0; i < depth; ++i) body += (i == 0 ? "b" : "sb");
  EXPECT_THAT(LoadModified([&](auto* r) {
                (*r)["data.pkl"] =
                    std::string("\x80\x02", 2) + "c__torch__\nMyModule\nq" + std::string(1, '\0') +
                    body + ".";
              }),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("deeper than 256")));
}

// A very wide tree loads in linear time (hashed slot names, hashed
// collectors): 50,000 children.
TEST(ScriptArchiveHostileTest, WideTreeLoadsQuickly) {
  std::string body;
  const int width = 50000;
  for (int i = 0; i < width; ++i) {
    body += Str(absl::StrCat("c", i)) + "h" + std::string(1, '\0') + ")\x81}b";
  }
  ASSERT_OK_AND_ASSIGN(ScriptArchive a, LoadModified([&](auto* r) {
                         (*r)["data.pkl"] = std::string("\x80\x02", 2) +
                                            "c__torch__\nMyModule\nq" + std::string(1, '\0') +
                                            ")\x81}(" + body + "ub.";
                       }));
  EXPECT_EQ(a.module->NamedModules().size(), static_cast<size_t>(width) + 1);
  EXPECT_EQ(a.module->NamedChildren().size(), static_cast<size_t>(width));
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveScriptModuleToString(a, "wide"));
  ASSERT_OK_AND_ASSIGN(ScriptArchive b, LoadScriptModuleFromSource(Memory(bytes, "wide.pt")));
  EXPECT_EQ(b.module->NamedModules().size(), static_cast<size_t>(width) + 1);
}

TEST(ScriptArchiveHostileTest, MissingAndLyingRecords) {
  EXPECT_THAT(LoadModified([](auto* r) { r->erase("data/0"); }),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("'data/0'")));
  EXPECT_THAT(LoadModified([](auto* r) { (*r)["data/1"] = "1234"; }),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("record 'data/1' holds 4 bytes")));
  EXPECT_THAT(LoadModified([](auto* r) { r->erase("data.pkl"); }),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("data.pkl")));
  // A parameter the class declares must be there.
  EXPECT_THAT(LoadModified([](auto* r) {
                std::string& code = (*r)["code/__torch__.py"];
                code.replace(code.find("__parameters__ = []"), 19, "__parameters__ = [\"w\"]");
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("declares 'w'")));
  // The root must be a module.
  EXPECT_THAT(LoadModified([](auto* r) { (*r)["data.pkl"] = std::string("\x80\x02K\x01.", 5); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the root module is a int")));
  EXPECT_THAT(LoadModified([](auto* r) { (*r)["constants.pkl"] = std::string("\x80\x02K\x01.", 5); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a tuple")));
}

TEST(ScriptArchiveHostileTest, TorchSaveFileIsNotTorchScript) {
  EXPECT_THAT(LoadScriptModule("jit/testdata/script_my.sd.pt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a TorchScript archive")));
}

}  // namespace
}  // namespace jit
}  // namespace ptser
