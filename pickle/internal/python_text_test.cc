// Copyright ptser authors.
//
// Expected strings are what CPython 3.11 prints (repr(...)).

#include "pickle/internal/python_text.h"

#include <cmath>
#include <limits>
#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace pickle_internal {
namespace {

using ::testing::HasSubstr;

TEST(FloatReprTest, MatchesPython) {
  EXPECT_EQ(FloatRepr(0.0), "0.0");
  EXPECT_EQ(FloatRepr(-0.0), "-0.0");
  EXPECT_EQ(FloatRepr(1.0), "1.0");
  EXPECT_EQ(FloatRepr(2.5), "2.5");
  EXPECT_EQ(FloatRepr(0.1), "0.1");
  EXPECT_EQ(FloatRepr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FloatRepr(1e16), "1e+16");
  EXPECT_EQ(FloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(FloatRepr(123456789.123), "123456789.123");
  EXPECT_EQ(FloatRepr(0.0001), "0.0001");
  EXPECT_EQ(FloatRepr(0.00001), "1e-05");
  EXPECT_EQ(FloatRepr(1.5e-7), "1.5e-07");
  EXPECT_EQ(FloatRepr(1e100), "1e+100");
  EXPECT_EQ(FloatRepr(-1e-300), "-1e-300");
  EXPECT_EQ(FloatRepr(5e-324), "5e-324");
  EXPECT_EQ(FloatRepr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FloatRepr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FloatRepr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FloatRepr(std::nan("")), "nan");
  EXPECT_EQ(FloatReprNoDot0(3.0), "3");
  EXPECT_EQ(FloatReprNoDot0(1e16), "1e+16");
}

TEST(ComplexReprTest, MatchesPython) {
  EXPECT_EQ(ComplexRepr(0, 1), "1j");
  EXPECT_EQ(ComplexRepr(0, -1), "-1j");
  EXPECT_EQ(ComplexRepr(1, 2), "(1+2j)");
  EXPECT_EQ(ComplexRepr(-0.0, -1), "(-0-1j)");
  EXPECT_EQ(ComplexRepr(1.5, 0), "(1.5+0j)");
  EXPECT_EQ(ComplexRepr(1.5, -0.0), "(1.5-0j)");
  EXPECT_EQ(ComplexRepr(std::nan(""), std::numeric_limits<double>::infinity()),
            "(nan+infj)");
  EXPECT_EQ(ComplexRepr(1e20, 1), "(1e+20+1j)");
}

TEST(StrReprTest, QuotesAndEscapes) {
  EXPECT_EQ(StrRepr(""), "''");
  EXPECT_EQ(StrRepr("abc"), "'abc'");
  EXPECT_EQ(StrRepr("it's"), "\"it's\"");
  EXPECT_EQ(StrRepr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(StrRepr("a\nb\tc\rd\\e"), "'a\\nb\\tc\\rd\\\\e'");
  EXPECT_EQ(StrRepr(std::string("\0\x1a\x7f", 3)), "'\\x00\\x1a\\x7f'");
  // Printable non-ASCII stays as is; C1 controls, NBSP, soft hyphen, line
  // separators, surrogates and private use are escaped.
  EXPECT_EQ(StrRepr("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80'");
  EXPECT_EQ(StrRepr("\xc2\x85\xc2\xa0\xc2\xad\xe2\x80\xa8\xee\x80\x80"),
            "'\\x85\\xa0\\xad\\u2028\\ue000'");
  EXPECT_EQ(StrRepr("\xed\xa0\x80"), "'\\ud800'");
  EXPECT_EQ(StrRepr("\xf3\xb0\x80\x80"), "'\\U000f0000'");
}

TEST(BytesReprTest, MatchesPython) {
  EXPECT_EQ(BytesRepr(""), "b''");
  EXPECT_EQ(BytesRepr("abc"), "b'abc'");
  EXPECT_EQ(BytesRepr(std::string("\0\xff\n\t'", 5)), "b\"\\x00\\xff\\n\\t'\"");
  EXPECT_EQ(BytesRepr("\\"), "b'\\\\'");
}

TEST(Utf8Test, SurrogatePassAndErrors) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xed\xa0\x80"));       // lone surrogate
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  std::string s;
  AppendUtf8(0x1F600, &s);
  EXPECT_EQ(s, "\xf0\x9f\x98\x80");
  EXPECT_EQ(Latin1ToUtf8("caf\xe9"), "caf\xc3\xa9");
  ASSERT_OK_AND_ASSIGN(std::string latin, Utf8ToLatin1("caf\xc3\xa9"));
  EXPECT_EQ(latin, "caf\xe9");
  EXPECT_THAT(Utf8ToLatin1("\xe2\x82\xac"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("can't encode character U+20AC")));
}

TEST(RawUnicodeEscapeTest, DecodeAsPythonDoes) {
  ASSERT_OK_AND_ASSIGN(std::string a,
                       DecodeRawUnicodeEscape("caf\xe9 \\u20ac \\U0001f600"));
  EXPECT_EQ(a, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  // An even run of backslashes does not start an escape.
  ASSERT_OK_AND_ASSIGN(std::string b, DecodeRawUnicodeEscape("\\\\u0041"));
  EXPECT_EQ(b, "\\\\u0041");
  ASSERT_OK_AND_ASSIGN(std::string c, DecodeRawUnicodeEscape("\\\\\\u0041"));
  EXPECT_EQ(c, "\\\\A");
  ASSERT_OK_AND_ASSIGN(std::string d, DecodeRawUnicodeEscape("a\\b"));
  EXPECT_EQ(d, "a\\b");
  EXPECT_THAT(DecodeRawUnicodeEscape("\\u12"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("truncated \\u")));
  EXPECT_THAT(DecodeRawUnicodeEscape("\\U00110000"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("out of range")));
}

TEST(RawUnicodeEscapeTest, EncodeAsPicklerDoes) {
  // pickle.dumps("a\\b\0c\nd\re\x1af\xe9g\u20ach\U0001F600", 0)
  EXPECT_EQ(EncodeRawUnicodeEscapeForPickle(
                std::string("a\\b\0c\nd\re\x1a" "f\xc3\xa9g\xe2\x82\xach"
                            "\xf0\x9f\x98\x80",
                            22)),
            "a\\u005cb\\u0000c\\u000ad\\u000de\\u001af\xe9g\\u20ach"
            "\\U0001f600");
}

TEST(EscapedStringTest, DecodeAsEscapeDecode) {
  ASSERT_OK_AND_ASSIGN(std::string a,
                       DecodeEscapedString("'a\\nb\\t\\x41\\101\\'\\\\'"));
  EXPECT_EQ(a, "a\nb\tAA'\\");
  ASSERT_OK_AND_ASSIGN(std::string b, DecodeEscapedString("\"q\\z\""));
  EXPECT_EQ(b, "q\\z");
  ASSERT_OK_AND_ASSIGN(std::string c, DecodeEscapedString("'\\0\\777'"));
  EXPECT_EQ(c, std::string("\0\xff", 2));
  EXPECT_THAT(DecodeEscapedString("abc"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quoted")));
  EXPECT_THAT(DecodeEscapedString("'abc\""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeEscapedString("'a\\'"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("trailing \\")));
  EXPECT_THAT(DecodeEscapedString("'\\xZ1'"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\\x escape")));
}

}  // namespace
}  // namespace pickle_internal
}  // namespace ptser
