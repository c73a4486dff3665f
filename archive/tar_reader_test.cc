// Copyright ptser authors.
//
// TarReader on a tar written by Python's tarfile (the PAX format PyTorch
// 0.1.9 used; archive/testdata/make_tar_fixtures.py) and on archives built
// byte by byte, well-formed and broken.
#include "archive/tar_reader.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/differential.h"
#include "archive/byte_source.h"
#include "archive/tar_testutil.h"
#include "archive/test_util.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using archive_test::ReadFixture;

absl::StatusOr<std::unique_ptr<TarReader>> OpenBytes(const std::string& bytes,
                                                     TarReader::Options options = {}) {
  return TarReader::Open(
      std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, "test.tar")), options);
}

std::string AsString(const Storage& s) {
  return std::string(static_cast<const char*>(s.data()), s.nbytes());
}

std::vector<std::string> Names(const TarReader& tar) {
  std::vector<std::string> names;
  for (const TarMember& m : tar.members()) names.push_back(m.name);
  return names;
}

TEST(TarReader, ReadsWhatPythonsTarfileWrote) {
  // Every member is preceded by a PAX header (a float mtime): those are not
  // members themselves.
  const std::string bytes = ReadFixture("tar_state_dict.pt");
  ASSERT_FALSE(bytes.empty());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> tar, OpenBytes(bytes));
  EXPECT_THAT(Names(*tar), ElementsAre("sys_info", "pickle", "tensors", "storages"));
  for (const TarMember& m : tar->members()) {
    EXPECT_TRUE(m.is_file()) << m.name;
    EXPECT_EQ(m.data_offset, m.header_offset + 512);
    EXPECT_EQ(m.data_offset % 512, 0u);
  }
  // The first PAX header is at 0, its records at 512, the member's header at 1024.
  EXPECT_EQ(tar->members()[0].header_offset, 1024u);
  ASSERT_OK_AND_ASSIGN(Storage pickle, tar->ReadFile("pickle"));
  ASSERT_GE(pickle.nbytes(), 3u);
  EXPECT_EQ(AsString(pickle).substr(0, 2), "\x80\x02");
  EXPECT_EQ(AsString(pickle).back(), '.');
  const TarMember* member = tar->Find("pickle");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(AsString(pickle), bytes.substr(member->data_offset, member->size));
}

TEST(TarReader, FileSourceGivesTheSameBytes) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> file,
                       ByteSource::OpenFile("archive/testdata/tar_views.pt"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> tar,
                       TarReader::Open(std::shared_ptr<const ByteSource>(std::move(file))));
  const std::string bytes = ReadFixture("tar_views.pt");
  const TarMember* storages = tar->Find("storages");
  ASSERT_NE(storages, nullptr);
  ASSERT_OK_AND_ASSIGN(Storage data, tar->Read(*storages));
  EXPECT_EQ(AsString(data), bytes.substr(storages->data_offset, storages->size));
}

TEST(TarReader, UstarPrefixGnuLongNamesAndPaxHeaders) {
  const std::string long_name(150, 'n');
  std::string tar;
  // ustar prefix + name.
  TarTestHeader prefixed{"file.bin", 3, '0', "", "some/dir"};
  tar += TarHeaderBlock(prefixed) + TarPadded("abc");
  // GNU long name ('L'), then the member it names.
  TarTestHeader gnu{"././@LongLink", long_name.size() + 1, 'L'};
  tar += TarHeaderBlock(gnu) + TarPadded(long_name + '\0');
  tar += TarHeaderBlock({"truncated-name", 2}) + TarPadded("xy");
  // PAX header with path and size (the ustar size field says 0).
  const std::string pax = PaxRecord("path", "pax/" + long_name) + PaxRecord("size", "5") +
                          PaxRecord("mtime", "1486000000.25");
  tar += TarHeaderBlock({"././@PaxHeader", pax.size(), 'x'}) + TarPadded(pax);
  tar += TarHeaderBlock({"short", 0}) + TarPadded("hello");
  // A directory and a symbolic link carry no data.
  tar += TarHeaderBlock({"dir/", 0, '5'});
  tar += TarHeaderBlock({"link", 0, '2', "file.bin"});
  tar += std::string(1024, '\0');

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  EXPECT_THAT(Names(*reader), ElementsAre("some/dir/file.bin", long_name, "pax/" + long_name,
                                          "dir", "link"));
  ASSERT_OK_AND_ASSIGN(Storage a, reader->ReadFile("some/dir/file.bin"));
  EXPECT_EQ(AsString(a), "abc");
  ASSERT_OK_AND_ASSIGN(Storage b, reader->ReadFile(long_name));
  EXPECT_EQ(AsString(b), "xy");
  ASSERT_OK_AND_ASSIGN(Storage c, reader->ReadFile("pax/" + long_name));
  EXPECT_EQ(AsString(c), "hello");
  EXPECT_EQ(reader->Find("link")->link_name, "file.bin");
  EXPECT_THAT(reader->ReadFile("dir"), StatusIs(absl::StatusCode::kFailedPrecondition,
                                                HasSubstr("not a regular file")));
  EXPECT_THAT(reader->ReadFile("link"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(reader->ReadFile("absent"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no tar member 'absent'")));
}

TEST(TarReader, LastMemberOfANameWinsAndDotDotIsJustAName) {
  std::string tar = MakeTar({{"pickle", "first"}, {"../../etc/passwd", "p"}, {"pickle", "second"}});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  ASSERT_OK_AND_ASSIGN(Storage s, reader->ReadFile("pickle"));
  EXPECT_EQ(AsString(s), "second");
  ASSERT_OK_AND_ASSIGN(Storage p, reader->ReadFile("../../etc/passwd"));
  EXPECT_EQ(AsString(p), "p");
}

TEST(TarReader, EmptyMembersAndNoEndBlocks) {
  // Python accepts an archive that stops at a block boundary.
  std::string tar = MakeTar({{"empty", ""}, {"one", "1"}});
  tar.resize(tar.size() - 1024);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  EXPECT_THAT(Names(*reader), ElementsAre("empty", "one"));
  ASSERT_OK_AND_ASSIGN(Storage e, reader->ReadFile("empty"));
  EXPECT_EQ(e.nbytes(), 0u);
  // The last member's padding may not be missing: Python's tarfile raises
  // ReadError there, and torch.load then reads the bytes as a legacy pickle.
  tar.resize(tar.size() - 511);
  absl::StatusOr<std::unique_ptr<TarReader>> cut = OpenBytes(tar);
  EXPECT_THAT(cut, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("ambiguous: the padding of member 'one'")));
  EXPECT_TRUE(IsDifferential(cut.status()));
  // And an empty source is an empty archive.
  ASSERT_OK_AND_ASSIGN(reader, OpenBytes(""));
  EXPECT_TRUE(reader->members().empty());
}

TEST(TarReader, Base256AndBlankPaddedSizes) {
  TarTestHeader h{"big", 4};
  h.raw_size_field = std::string("\x80\0\0\0\0\0\0\0\0\0\0\x04", 12);
  std::string tar = TarHeaderBlock(h) + TarPadded("abcd");
  TarTestHeader spaced{"spaced", 2};
  spaced.raw_size_field = std::string("         2 \0", 12);
  tar += TarHeaderBlock(spaced) + TarPadded("xy") + std::string(1024, '\0');
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  ASSERT_OK_AND_ASSIGN(Storage s, reader->ReadFile("big"));
  EXPECT_EQ(AsString(s), "abcd");
  ASSERT_OK_AND_ASSIGN(Storage t, reader->ReadFile("spaced"));
  EXPECT_EQ(AsString(t), "xy");
}

TEST(TarReader, SignedChecksumsAreAccepted) {
  // A name byte >= 0x80 makes the signed and unsigned sums differ; old tars
  // stored the signed one.
  TarTestHeader h{"caf\xc3\xa9", 1};
  std::string block = TarHeaderBlock(h);
  // Rewrite the checksum as the signed sum.
  int sum = 0;
  for (int i = 0; i < 512; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<signed char>(block[i]);
  }
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%06o", sum);
  block.replace(148, 6, buf, 6);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader,
                       OpenBytes(block + TarPadded("z") + std::string(1024, '\0')));
  EXPECT_THAT(Names(*reader), ElementsAre("caf\xc3\xa9"));
}

TEST(TarReader, MalformedHeadersAreDataLossNamingTheOffset) {
  const std::string good = MakeTar({{"a", "1"}});
  // A bad checksum in the second header (offset 1024).
  {
    TarTestHeader h{"b", 1};
    h.checksum_delta = 1;
    std::string tar = good.substr(0, 1024) + TarHeaderBlock(h) + TarPadded("2");
    EXPECT_THAT(OpenBytes(tar), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("tar header at offset 1024: ambiguous: bad "
                                                   "checksum")));
    EXPECT_TRUE(IsDifferential(OpenBytes(tar).status()));
  }
  // A size field with a non-octal digit.
  {
    TarTestHeader h{"b", 1};
    h.raw_size_field = std::string("0000000009\0", 12);
    EXPECT_THAT(OpenBytes(TarHeaderBlock(h) + TarPadded("2")),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("tar header at offset 0: ambiguous: malformed size field")));
  }
  // A negative base-256 size.
  {
    TarTestHeader h{"b", 1};
    h.raw_size_field = std::string(12, '\xff');
    EXPECT_THAT(OpenBytes(TarHeaderBlock(h)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative")));
  }
  // A member whose data runs past the end (a truncated file).
  {
    std::string tar = TarHeaderBlock({"storages", 5000}) + std::string(600, 'x');
    EXPECT_THAT(OpenBytes(tar),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("member 'storages' of 5000 bytes at offset 512 runs past "
                                   "the end of the archive (600 bytes left)")));
  }
  // A header cut short.
  EXPECT_THAT(OpenBytes(good.substr(0, 1024) + std::string(100, 'h')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("offset 1024: ambiguous: truncated: 100 bytes left of a "
                                 "512-byte header")));
  // A PAX record whose length is wrong, and one without '='.
  for (const std::string& pax : {std::string("99 path=x\n"), std::string("8 pathx\n"),
                                 std::string("x path=y\n")}) {
    std::string tar = TarHeaderBlock({"pax", pax.size(), 'x'}) + TarPadded(pax) +
                      TarHeaderBlock({"m", 0}) + std::string(1024, '\0');
    EXPECT_THAT(OpenBytes(tar), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("tar header at offset 0")))
        << pax;
  }
  // A malformed PAX size.
  {
    const std::string pax = PaxRecord("size", "12x");
    std::string tar = TarHeaderBlock({"pax", pax.size(), 'x'}) + TarPadded(pax) +
                      TarHeaderBlock({"m", 0}) + std::string(1024, '\0');
    EXPECT_THAT(OpenBytes(tar), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("malformed PAX size")));
  }
  // A PAX size that points past the end.
  {
    const std::string pax = PaxRecord("size", "100000");
    std::string tar = TarHeaderBlock({"pax", pax.size(), 'x'}) + TarPadded(pax) +
                      TarHeaderBlock({"m", 0}) + std::string(1024, '\0');
    EXPECT_THAT(OpenBytes(tar), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("member 'm' of 100000 bytes")));
  }
  // An extended header as the last thing in the archive.
  {
    const std::string pax = PaxRecord("path", "p");
    EXPECT_THAT(OpenBytes(TarHeaderBlock({"pax", pax.size(), 'x'}) + TarPadded(pax)),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("after an extended header")));
  }
}

// Rewrites the checksum of a header block after a test changed it.
void FixChecksum(std::string* block) {
  std::memset(&(*block)[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : *block) sum += c;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06o", sum);
  std::memcpy(&(*block)[148], buf, 6);
  (*block)[154] = '\0';
}

std::string PaxMember(const std::string& pax, const std::string& name, const std::string& data) {
  return TarHeaderBlock({"././@PaxHeader", pax.size(), 'x'}) + TarPadded(pax) +
         TarHeaderBlock({name, data.size()}) + TarPadded(data);
}

// Issue 12 §1: where Python's tarfile reads a member differently, TarReader
// reads it as tarfile does or refuses the archive.
TEST(TarReaderDifferential, DuplicatePaxKeywordsAreRefused) {
  // tarfile keeps the last `path` ("zzz"): its `pickle` is the first member.
  const std::string pax = PaxRecord("path", "pickle") + PaxRecord("path", "zzz");
  std::string tar = MakeTar({{"pickle", "evil"}});
  tar.resize(tar.size() - 1024);
  tar += PaxMember(pax, "x", "benign") + std::string(1024, '\0');
  absl::StatusOr<std::unique_ptr<TarReader>> reader = OpenBytes(tar);
  EXPECT_THAT(reader, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("tar header at offset 1024: ambiguous: PAX keyword "
                                         "'path' appears twice")));
  EXPECT_TRUE(IsDifferential(reader.status()));
  // Any keyword, not only path.
  const std::string sizes = PaxRecord("size", "1") + PaxRecord("size", "2");
  EXPECT_TRUE(IsDifferential(OpenBytes(PaxMember(sizes, "x", "ab")).status()));
}

TEST(TarReaderDifferential, GlobalPaxHeadersAreRefused) {
  const std::string pax = PaxRecord("size", "0");
  std::string tar = TarHeaderBlock({"g", pax.size(), 'g'}) + TarPadded(pax) +
                    MakeTar({{"pickle", "abc"}});
  absl::StatusOr<std::unique_ptr<TarReader>> reader = OpenBytes(tar);
  EXPECT_THAT(reader, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("global")));
  EXPECT_TRUE(IsDifferential(reader.status()));
}

TEST(TarReaderDifferential, PaxPathsLoseTrailingSlashes) {
  // tarfile names the second member "pickle": getmember("pickle") is it.
  std::string tar = MakeTar({{"pickle", "first"}});
  tar.resize(tar.size() - 1024);
  tar += PaxMember(PaxRecord("path", "pickle//"), "x", "second") + std::string(1024, '\0');
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  ASSERT_OK_AND_ASSIGN(Storage s, reader->ReadFile("pickle"));
  EXPECT_EQ(AsString(s), "second");
}

TEST(TarReaderDifferential, PaxRecordsInThePaddingCount) {
  // The header's size covers the mtime record; tarfile parses the whole
  // padded block, path included.
  const std::string declared = PaxRecord("mtime", "1");
  std::string block = TarPadded(declared);
  const std::string hidden = PaxRecord("path", "pickle");
  block.replace(declared.size(), hidden.size(), hidden);
  std::string tar = TarHeaderBlock({"././@PaxHeader", declared.size(), 'x'}) + block +
                    TarHeaderBlock({"other", 3}) + TarPadded("abc") + std::string(1024, '\0');
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  EXPECT_THAT(Names(*reader), ElementsAre("pickle"));
}

TEST(TarReaderDifferential, OldStyleDirectoryIsDecidedByTheNameField) {
  // Typeflag '\0', empty name, prefix "p": tarfile names it "p/" but keeps it
  // a regular file (the name field does not end in '/'), data and all.
  TarTestHeader h{"", 3, '\0', "", "p"};
  std::string tar = TarHeaderBlock(h) + TarPadded("abc") + MakeTar({{"q", "x"}});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TarReader> reader, OpenBytes(tar));
  EXPECT_THAT(Names(*reader), ElementsAre("p/", "q"));
  ASSERT_OK_AND_ASSIGN(Storage s, reader->ReadFile("p/"));
  EXPECT_EQ(AsString(s), "abc");
  // A PAX path ending in '/' does not make a directory either.
  const std::string pax = PaxRecord("path", "d/");
  std::string pax_tar = TarHeaderBlock({"././@PaxHeader", pax.size(), 'x'}) + TarPadded(pax) +
                        TarHeaderBlock(TarTestHeader{"f", 3, '\0'}) + TarPadded("xyz") +
                        std::string(1024, '\0');
  ASSERT_OK_AND_ASSIGN(reader, OpenBytes(pax_tar));
  ASSERT_OK_AND_ASSIGN(Storage d, reader->ReadFile("d"));
  EXPECT_EQ(AsString(d), "xyz");
}

TEST(TarReaderDifferential, EveryNumericFieldIsChecked) {
  // tarfile ends the archive at a header whose mtime is not a number: the
  // member after it would be one only ptser saw (a differential).
  for (size_t field : {100, 108, 116, 136, 329, 337}) {
    std::string second = TarHeaderBlock({"pickle", 1});
    second[field] = 'x';
    FixChecksum(&second);
    std::string tar = MakeTar({{"a", "1"}});
    tar.resize(tar.size() - 1024);
    tar += second + TarPadded("2") + std::string(1024, '\0');
    EXPECT_THAT(OpenBytes(tar), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("tar header at offset 1024: ambiguous: "
                                                   "malformed")))
        << field;
    EXPECT_TRUE(IsDifferential(OpenBytes(tar).status()));
  }
}

TEST(PythonTarfileTakesHeader, FollowsNti) {
  std::string block = TarHeaderBlock({"storages", 1});
  EXPECT_TRUE(PythonTarfileTakesHeader(block));
  EXPECT_FALSE(PythonTarfileTakesHeader(block.substr(0, 511)));
  std::string wrong = block;
  wrong[0] = 'x';
  EXPECT_FALSE(PythonTarfileTakesHeader(wrong));
  // The same sum written as Python's int() also reads it.
  unsigned sum = 0;
  std::string spaces = block;
  std::memset(&spaces[148], ' ', 8);
  for (unsigned char c : spaces) sum += c;
  char buf[16];
  for (const char* format : {"0o%o", "+%o", " %o\t", "%o"}) {
    std::string b = spaces;
    std::snprintf(buf, sizeof(buf), format, sum);
    std::memcpy(&b[148], buf, std::strlen(buf));
    EXPECT_TRUE(PythonTarfileTakesHeader(b)) << format;
  }
  std::string underscored = spaces;
  std::snprintf(buf, sizeof(buf), "%o", sum);
  std::string digits = buf;
  digits.insert(1, "_");
  std::memcpy(&underscored[148], digits.data(), digits.size());
  EXPECT_TRUE(PythonTarfileTakesHeader(underscored));
  std::string doubled = spaces;
  digits.insert(1, "_");
  std::memcpy(&doubled[148], digits.data(), digits.size());
  EXPECT_FALSE(PythonTarfileTakesHeader(doubled));
}

TEST(TarReader, SparseMembersAreUnimplemented) {
  EXPECT_THAT(OpenBytes(TarHeaderBlock({"s", 0, 'S'}) + std::string(1024, '\0')),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("sparse")));
  const std::string pax = PaxRecord("GNU.sparse.major", "1");
  EXPECT_THAT(OpenBytes(TarHeaderBlock({"pax", pax.size(), 'x'}) + TarPadded(pax) +
                        TarHeaderBlock({"m", 0}) + std::string(1024, '\0')),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("sparse")));
}

TEST(TarReader, LimitsAreResourceExhausted) {
  TarReader::Options options;
  options.max_members = 2;
  EXPECT_THAT(OpenBytes(MakeTar({{"a", ""}, {"b", ""}, {"c", ""}}), options),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("max_members")));
  options = TarReader::Options();
  options.max_extended_header_bytes = 10;
  const std::string pax = PaxRecord("path", "a-long-enough-path");
  EXPECT_THAT(OpenBytes(TarHeaderBlock({"pax", pax.size(), 'x'}) + TarPadded(pax) +
                            TarHeaderBlock({"m", 0}) + std::string(1024, '\0'),
                        options),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("max_extended_header_bytes")));
  // A long-name header claiming more than the file holds is refused before
  // anything is allocated.
  EXPECT_THAT(OpenBytes(TarHeaderBlock({"././@LongLink", uint64_t{1} << 40, 'L'})),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("runs past the end")));
}

}  // namespace
}  // namespace ptser
