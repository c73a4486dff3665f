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

// Issue 12 §4: the walk keeps nothing per opcode.  DisassembleEach visits
// each opcode once; ReferencedGlobals lists a global once, keeps string memo
// entries only up to its budget (one per 32 bytes of pickle, plus 4096), and
// reports a STACK_GLOBAL reading a string past the budget as unresolved.
TEST(ReferencedGlobals, StreamsAndBoundsItsMemo) {
  std::string p = "\x80\x04";
  for (int i = 0; i < 3; ++i) p += "cos\nsystem\n0";  // GLOBAL, POP: three times
  p += "N.";
  size_t visited = 0;
  ASSERT_OK_AND_ASSIGN(size_t count, DisassembleEach(p, [&](const PickleOp& o) {
                         ++visited;
                         return absl::OkStatus();
                       }));
  EXPECT_EQ(count, 9u);
  EXPECT_EQ(visited, 9u);
  ASSERT_OK_AND_ASSIGN(std::vector<GlobalReference> once, ReferencedGlobals(p));
  ASSERT_EQ(once.size(), 1u);
  EXPECT_EQ(once[0].offset, 2u);
  // A visitor's error stops the walk and is returned.
  EXPECT_THAT(DisassembleEach(p, [](const PickleOp& o) {
                return o.code == 'c' ? absl::CancelledError("stop") : absl::OkStatus();
              }).status(),
              StatusIs(absl::StatusCode::kCancelled));
  // 5000 memoized strings in a pickle of about 40 KB: a budget of 5344, so
  // all are followed.  Strings memoized past the budget are not.
  auto memo_pickle = [](int strings) {
    std::string q = "\x80\x04";
    for (int i = 0; i < strings; ++i) {
      const std::string s = i == 0 ? "os" : i == strings - 1 ? "system" : "filler";
      q += "\x8c" + std::string(1, static_cast<char>(s.size())) + s + "\x94" "0";
    }
    // LONG_BINGET 0, LONG_BINGET strings-1, STACK_GLOBAL, STOP.
    auto le = [](uint32_t v) {
      std::string b(4, '\0');
      for (int k = 0; k < 4; ++k) b[k] = static_cast<char>((v >> (8 * k)) & 0xff);
      return b;
    };
    q += "j" + le(0) + "j" + le(static_cast<uint32_t>(strings - 1)) + "\x93.";
    return q;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<GlobalReference> followed, ReferencedGlobals(memo_pickle(5000)));
  ASSERT_EQ(followed.size(), 1u);
  EXPECT_TRUE(followed[0].resolved);
  EXPECT_EQ(followed[0].module + "." + followed[0].name, "os.system");
  ASSERT_OK_AND_ASSIGN(std::vector<GlobalReference> past, ReferencedGlobals(memo_pickle(200000)));
  ASSERT_EQ(past.size(), 1u);
  EXPECT_FALSE(past[0].resolved);  // a finding, never a pass
}

}  // namespace
}  // namespace ptser
