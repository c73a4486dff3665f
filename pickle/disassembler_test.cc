// Copyright ptser authors.
#include "pickle/disassembler.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Offsets and names agree with pickletools.genops on every fixture pickle
// (pickle/testdata/make_disassembly_expected.py).
TEST(Disassemble, MatchesPickletools) {
  std::ifstream expected("pickle/testdata/disassembly_expected.txt");
  ASSERT_TRUE(expected.good());
  std::string line;
  int files = 0;
  while (std::getline(expected, line)) {
    std::string file = line.substr(0, line.find(' '));
    std::string want = line.substr(line.find(' ') + 1);
    ASSERT_OK_AND_ASSIGN(std::vector<PickleOp> ops,
                         Disassemble(Slurp("pickle/testdata/" + file)));
    std::vector<std::string> got;
    for (const PickleOp& o : ops) got.push_back(absl::StrCat(o.offset, ":", o.name));
    EXPECT_EQ(absl::StrJoin(got, " "), want) << file;
    ++files;
  }
  EXPECT_GT(files, 300);
}

TEST(Disassemble, FormatsLikePickletools) {
  // pickle.dumps([1, 'ab'], protocol=2)
  std::string p("\x80\x02]q\x00(K\x01X\x02\x00\x00\x00" "abq\x01" "e.", 19);
  ASSERT_OK_AND_ASSIGN(std::vector<PickleOp> ops, Disassemble(p));
  EXPECT_EQ(FormatDisassembly(ops),
            "    0: \\x80 PROTO      2\n"
            "    2: ]    EMPTY_LIST\n"
            "    3: q    BINPUT     0\n"
            "    5: (    MARK\n"
            "    6: K    BININT1    1\n"
            "    8: X    BINUNICODE 'ab'\n"
            "   15: q    BINPUT     1\n"
            "   17: e    APPENDS\n"
            "   18: .    STOP\n");
}

TEST(Disassemble, ErrorsNameTheOffset) {
  EXPECT_THAT(Disassemble(std::string("\x80\x02X\x05\x00\x00\x00" "ab", 9)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ends inside BINUNICODE at offset 2")));
  EXPECT_THAT(Disassemble("\x80\x02\xff."),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("unknown opcode 0xff at offset 2")));
  EXPECT_THAT(Disassemble("\x80\x02N"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("without STOP")));
}

TEST(ReferencedGlobals, FindsGlobalInstAndStackGlobal) {
  // GLOBAL 'os system' at protocol 0 ... and STACK_GLOBAL through the memo.
  std::string p0 = "cos\nsystem\n(S'echo hi'\ntR.";
  ASSERT_OK_AND_ASSIGN(std::vector<GlobalReference> g0, ReferencedGlobals(p0));
  ASSERT_EQ(g0.size(), 1u);
  EXPECT_EQ(g0[0].module, "os");
  EXPECT_EQ(g0[0].name, "system");
  // pickle.dumps(collections.OrderedDict(), protocol=4): STACK_GLOBAL.
  std::string p4("\x80\x04\x95\x22\x00\x00\x00\x00\x00\x00\x00\x8c\x0b" "collections\x94\x8c\x0b"
                 "OrderedDict\x94\x93\x94)R\x94.", 45);
  ASSERT_OK_AND_ASSIGN(std::vector<GlobalReference> g4, ReferencedGlobals(p4));
  ASSERT_EQ(g4.size(), 1u);
  EXPECT_TRUE(g4[0].resolved);
  EXPECT_EQ(g4[0].module, "collections");
  EXPECT_EQ(g4[0].name, "OrderedDict");
  // INST names a class too.
  ASSERT_OK_AND_ASSIGN(std::vector<GlobalReference> gi,
                       ReferencedGlobals("(S'ls'\nisubprocess\ncall\n."));
  ASSERT_EQ(gi.size(), 1u);
  EXPECT_EQ(gi[0].module, "subprocess");
}

}  // namespace
}  // namespace ptser
