// Copyright ptser authors.
#include "archive/legacy_format.h"

#include <string>

#include "gtest/gtest.h"

namespace ptser {
namespace legacy_format {
namespace {

std::optional<MagicPickle> Match(const std::string& s) {
  return MatchMagicPickle(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

// pickle.dumps(0x1950a86a20f9469cfc6c, protocol=p) for p = 0..5 (CPython 3.11).
const char kLongText[] = "L119547037146038801333356L\n.";
const std::string kProto2("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
const std::string kProto4(
    "\x80\x04\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50"
    "\x19.",
    24);

TEST(MagicPickleTest, EveryProtocolIsRecognised) {
  std::optional<MagicPickle> m = Match(std::string(kLongText) + "M\xe9\x03.");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->length, 28u);
  EXPECT_EQ(m->protocol, 1);
  for (int p : {2, 3}) {
    std::string s = kProto2;
    s[1] = static_cast<char>(p);
    m = Match(s + "\x80\x02M\xe9\x03.");
    ASSERT_TRUE(m.has_value()) << p;
    EXPECT_EQ(m->length, 15u);
    EXPECT_EQ(m->protocol, p);
  }
  for (int p : {4, 5}) {
    std::string s = kProto4;
    s[1] = static_cast<char>(p);
    m = Match(s);
    ASSERT_TRUE(m.has_value()) << p;
    EXPECT_EQ(m->length, 24u);
    EXPECT_EQ(m->protocol, p);
  }
  // INT text and LONG without the trailing L read as the same number.
  EXPECT_TRUE(Match("I119547037146038801333356\n.").has_value());
  EXPECT_TRUE(Match("L119547037146038801333356\n.").has_value());
}

TEST(MagicPickleTest, OtherNumbersAndBrokenFramesAreNot) {
  EXPECT_FALSE(Match("L119547037146038801333357L\n.").has_value());
  EXPECT_FALSE(Match("L11954703714603880133335L\n.").has_value());
  EXPECT_FALSE(Match("L119547037146038801333356L\n").has_value());  // no STOP
  std::string wrong = kProto2;
  wrong[13] = 0x18;
  EXPECT_FALSE(Match(wrong).has_value());
  std::string frame = kProto4;
  frame[3] = 0x0c;  // the frame ends before STOP
  EXPECT_FALSE(Match(frame).has_value());
  std::string proto6 = kProto2;
  proto6[1] = 6;
  EXPECT_FALSE(Match(proto6).has_value());
  EXPECT_FALSE(Match(kProto2.substr(0, 8)).has_value());
  EXPECT_FALSE(Match("").has_value());
  EXPECT_FALSE(Match("PK\x03\x04").has_value());
}

TEST(MagicPickleTest, WrittenAsPythonWritesIt) {
  EXPECT_EQ(MagicPickleBytes(1), kLongText);
  EXPECT_EQ(MagicPickleBytes(2), kProto2);
  std::string p3 = kProto2;
  p3[1] = 3;
  EXPECT_EQ(MagicPickleBytes(3), p3);
  EXPECT_EQ(MagicPickleBytes(4), kProto4);
  std::string p5 = kProto4;
  p5[1] = 5;
  EXPECT_EQ(MagicPickleBytes(5), p5);
}

}  // namespace
}  // namespace legacy_format
}  // namespace ptser
