// Copyright ptser authors.
//
// ZipWriter and ZipReader against archives real PyTorch 1.13 wrote
// (archive/testdata/make_zip_fixtures.py), and against broken archives.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <zlib.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/crc32.h"
#include "archive/differential.h"
#include "archive/load.h"
#include "archive/torch_archive.h"
#include "archive/zip_format.h"
#include "archive/zip_reader.h"
#include "archive/zip_writer.h"
#include "archive/test_util.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using archive_test::ReadFixture;

std::shared_ptr<const ByteSource> Source(const std::string& bytes) {
  return archive_test::MemorySource(bytes);
}

// Reads every record of `bytes` and writes them again in the same order.
absl::StatusOr<std::string> Rewrite(const std::string& bytes,
                                    const std::string& prefix) {
  auto reader = ZipReader::Open(Source(bytes));
  if (!reader.ok()) return reader.status();
  StringSink sink;
  ZipWriter writer(&sink, prefix);
  for (const ZipEntry& e : (*reader)->entries()) {
    auto data = (*reader)->ReadString(e);
    if (!data.ok()) return data.status();
    std::string name(e.name.substr(e.name.find('/') + 1));
    absl::Status s = writer.WriteRecord(name, data->data(), data->size());
    if (!s.ok()) return s;
  }
  absl::Status s = writer.Finish();
  if (!s.ok()) return s;
  return sink.Release();
}

TEST(ArchivePrefix, FollowsPyTorch) {
  EXPECT_THAT(ArchivePrefixForPath("out/float_tensor.pt"), ::ptser::IsOk());
  EXPECT_EQ(*ArchivePrefixForPath("out/float_tensor.pt"), "float_tensor");
  EXPECT_EQ(*ArchivePrefixForPath("out/a.b.c.pt"), "a.b.c");
  EXPECT_EQ(*ArchivePrefixForPath("noext"), "noext");
  EXPECT_EQ(*ArchivePrefixForPath("C:\\x\\model.pth"), "model");
  EXPECT_THAT(ArchivePrefixForPath("out/.hidden"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid file name")));
}

class PyTorchFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(PyTorchFixture, RewriteIsByteIdentical) {
  std::string original = ReadFixture(GetParam());
  ASSERT_FALSE(original.empty()) << GetParam();
  ASSERT_OK_AND_ASSIGN(std::string prefix, ArchivePrefixForPath(GetParam()));
  ASSERT_OK_AND_ASSIGN(std::string rewritten, Rewrite(original, prefix));
  EXPECT_EQ(rewritten.size(), original.size());
  EXPECT_TRUE(rewritten == original) << "first difference at byte "
                                     << std::mismatch(rewritten.begin(), rewritten.end(),
                                                      original.begin()).first - rewritten.begin();
}

TEST_P(PyTorchFixture, PayloadsAre64ByteAligned) {
  std::string original = ReadFixture(GetParam());
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(original)));
  for (const ZipEntry& e : reader->entries()) {
    ASSERT_OK_AND_ASSIGN(uint64_t offset, reader->DataOffset(e));
    EXPECT_EQ(offset % 64, 0u) << e.name;
  }
}

TEST_P(PyTorchFixture, EveryTruncationIsAnError) {
  std::string original = ReadFixture(GetParam());
  for (size_t n = 0; n < original.size(); ++n) {
    std::string cut = original.substr(0, n);
    auto reader = ZipReader::Open(Source(cut));
    if (!reader.ok()) continue;
    // The end records survived (impossible when cut), so reading must fail.
    bool all_ok = true;
    for (const ZipEntry& e : (*reader)->entries()) all_ok &= (*reader)->Read(e).ok();
    EXPECT_FALSE(all_ok) << "truncated to " << n << " bytes";
  }
}

INSTANTIATE_TEST_SUITE_P(Files, PyTorchFixture,
                         ::testing::Values("float_tensor.pt", "empty.pt", "dict.pt",
                                           "twelve.pt"));

TEST(ZipReader, RecordsOfFloatTensor) {
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(ReadFixture("float_tensor.pt"))));
  std::vector<std::string> names;
  for (const ZipEntry& e : reader->entries()) names.push_back(std::string(e.name));
  EXPECT_THAT(names, ElementsAre("float_tensor/data.pkl", "float_tensor/data/0",
                                 "float_tensor/version"));
  ASSERT_OK_AND_ASSIGN(const ZipEntry* data, reader->Find("float_tensor/data/0"));
  EXPECT_EQ(data->crc32, 0xb20e96b1u);
  ASSERT_OK_AND_ASSIGN(uint64_t offset, reader->DataOffset(*data));
  EXPECT_EQ(offset, 320u);
  ASSERT_OK_AND_ASSIGN(Storage bytes, reader->Read(*data));
  ASSERT_EQ(bytes.nbytes(), 12u);
  float values[3];
  std::memcpy(values, bytes.data(), 12);
  EXPECT_THAT(values, ElementsAre(1.0f, 2.0f, 3.0f));
  ASSERT_OK_AND_ASSIGN(const ZipEntry* version, reader->Find("float_tensor/version"));
  EXPECT_THAT(reader->ReadString(*version), ::ptser::IsOk());
  EXPECT_EQ(*reader->ReadString(*version), "3\n");
  EXPECT_THAT(reader->Find("float_tensor/nope").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("float_tensor/nope")));
}

TEST(ZipReader, StoredRecordsFromMemoryAreZeroCopy) {
  std::string bytes = ReadFixture("float_tensor.pt");
  auto source = Source(bytes);
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(source));
  ASSERT_OK_AND_ASSIGN(const ZipEntry* data, reader->Find("float_tensor/data/0"));
  ASSERT_OK_AND_ASSIGN(Storage s, reader->Read(*data));
  EXPECT_EQ(s.data(), source->memory() + 320);
}

TEST(ZipReader, DeflatedArchiveFromPythonZipfile) {
  ASSERT_OK_AND_ASSIGN(auto deflated, ZipReader::Open(Source(ReadFixture("dict_deflated.zip"))));
  ASSERT_OK_AND_ASSIGN(auto stored, ZipReader::Open(Source(ReadFixture("dict.pt"))));
  ASSERT_EQ(deflated->entries().size(), stored->entries().size());
  for (size_t i = 0; i < stored->entries().size(); ++i) {
    const ZipEntry& d = deflated->entries()[i];
    EXPECT_EQ(d.method, zip::kMethodDeflated) << d.name;
    ASSERT_OK_AND_ASSIGN(std::string a, deflated->ReadString(d));
    ASSERT_OK_AND_ASSIGN(std::string b, stored->ReadString(stored->entries()[i]));
    EXPECT_EQ(a, b) << d.name;
  }
}

// Offsets into float_tensor.pt (see the hexdump in docs/formats/zip.md).
constexpr size_t kCdOffset = 0x1d2;          // first central entry
constexpr size_t kCd1 = kCdOffset + 46 + 21;  // second entry (data/0)

void Poke16(std::string* s, size_t at, uint16_t v) {
  (*s)[at] = static_cast<char>(v & 0xff);
  (*s)[at + 1] = static_cast<char>(v >> 8);
}

void Poke32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

TEST(ZipReader, CrcMismatchIsDataLossUnlessTurnedOff) {
  std::string bytes = ReadFixture("float_tensor.pt");
  bytes[320] ^= 1;  // flip a bit of data/0's payload
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(bytes)));
  ASSERT_OK_AND_ASSIGN(const ZipEntry* data, reader->Find("float_tensor/data/0"));
  EXPECT_THAT(reader->Read(*data).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("CRC-32 mismatch in record 'float_tensor/data/0'")));
  ZipReader::Options no_crc;
  no_crc.verify_crc32 = false;
  ASSERT_OK_AND_ASSIGN(auto lax, ZipReader::Open(Source(bytes), no_crc));
  EXPECT_OK(lax->Read(*(*lax->Find("float_tensor/data/0"))).status());
  // A stored CRC of 0 does not switch the check off (issue 12 §5): tampered
  // data with its CRC field zeroed is still caught.
  Poke32(&bytes, kCd1 + 16, 0);
  ASSERT_OK_AND_ASSIGN(auto zero, ZipReader::Open(Source(bytes)));
  EXPECT_THAT(zero->Read(*(*zero->Find("float_tensor/data/0"))).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("stored 00000000, computed")));
  // An empty record's CRC is 0, and it matches.
  StringSink sink;
  ZipWriter writer(&sink, "a");
  ASSERT_OK(writer.WriteRecord("empty", "", 0));
  ASSERT_OK(writer.Finish());
  ASSERT_OK_AND_ASSIGN(auto empty, ZipReader::Open(Source(sink.Release())));
  EXPECT_EQ(empty->entries()[0].crc32, 0u);
  EXPECT_OK(empty->Read(empty->entries()[0]).status());
}

TEST(ZipReader, CentralDirectoryOutsideTheFile) {
  std::string bytes = ReadFixture("float_tensor.pt");
  // The ZIP64 end record's CD offset (8 bytes at 0x298 + 48).
  Poke32(&bytes, 0x298 + 48, 0x7fffffff);
  EXPECT_THAT(ZipReader::Open(Source(bytes)).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("lies outside the file")));
}

TEST(ZipReader, NotAZip) {
  EXPECT_THAT(ZipReader::Open(Source("hello")).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shorter than an end record")));
  EXPECT_THAT(ZipReader::Open(Source(std::string(100, 'x'))).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("no end of central directory")));
}

TEST(ZipReader, OverlappingEntries) {
  std::string bytes = ReadFixture("float_tensor.pt");
  // Point data/0's local header offset at data.pkl's header.
  Poke32(&bytes, kCd1 + 42, 0);
  EXPECT_THAT(ZipReader::Open(Source(bytes)).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("overlaps")));
}

TEST(ZipReader, RecordClaimingMoreBytesThanFit) {
  std::string bytes = ReadFixture("float_tensor.pt");
  // data/0 claims 4000 bytes (stored: both sizes).
  Poke32(&bytes, kCd1 + 20, 4000);
  Poke32(&bytes, kCd1 + 24, 4000);
  EXPECT_THAT(ZipReader::Open(Source(bytes)).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("record 'float_tensor/data/0' (4000 bytes) overlaps")));
}

TEST(ZipReader, LocalHeaderDisagreeingWithDirectory) {
  std::string bytes = ReadFixture("float_tensor.pt");
  bytes[0xe6 + 30 + 13] = 'X';  // data/0's local name: float_tensor/dXta/0
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(bytes)));
  EXPECT_THAT(reader->Read(*(*reader->Find("float_tensor/data/0"))).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("local header names")));
}

TEST(ZipReader, ZipBombClaimIsRefusedBeforeAllocating) {
  std::string bytes = ReadFixture("dict_deflated.zip");
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(bytes)));
  const ZipEntry& first = reader->entries()[0];
  // Find the first central entry and make it claim 1 TiB - 1.
  size_t cd = bytes.find(std::string("PK\1\2", 4));
  ASSERT_NE(cd, std::string::npos);
  Poke32(&bytes, cd + 24, 0xfffffff0u);
  ASSERT_OK_AND_ASSIGN(auto bomb, ZipReader::Open(Source(bytes)));
  EXPECT_THAT(bomb->Read(bomb->entries()[0]).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("claims")));
  // A claim that is possible but false: one byte short.
  std::string liar = ReadFixture("dict_deflated.zip");
  Poke32(&liar, cd + 24, static_cast<uint32_t>(first.uncompressed_size - 1));
  ASSERT_OK_AND_ASSIGN(auto short_claim, ZipReader::Open(Source(liar)));
  EXPECT_THAT(short_claim->Read(short_claim->entries()[0]).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("inflates to more than")));
}

// Issue 12 §4: Verify checks what Read checks, a megabyte at a time.
TEST(ZipReader, VerifyStreamsWhatReadChecks) {
  for (const char* fixture : {"float_tensor.pt", "dict_deflated.zip", "state_dict.pt"}) {
    const std::string bytes = ReadFixture(fixture);
    ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(bytes)));
    for (const ZipEntry& e : reader->entries()) EXPECT_OK(reader->Verify(e)) << e.name;
  }
  std::string flipped = ReadFixture("float_tensor.pt");
  flipped[320] ^= 1;
  ASSERT_OK_AND_ASSIGN(auto bad, ZipReader::Open(Source(flipped)));
  EXPECT_THAT(bad->Verify(*(*bad->Find("float_tensor/data/0"))),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("CRC-32 mismatch")));
  // A deflated record claiming one byte less than it inflates to.
  std::string liar = ReadFixture("dict_deflated.zip");
  ASSERT_OK_AND_ASSIGN(auto honest, ZipReader::Open(Source(liar)));
  const size_t cd = liar.find(std::string("PK\1\2", 4));
  Poke32(&liar, cd + 24, static_cast<uint32_t>(honest->entries()[0].uncompressed_size - 1));
  ASSERT_OK_AND_ASSIGN(auto short_claim, ZipReader::Open(Source(liar)));
  EXPECT_THAT(short_claim->Verify(short_claim->entries()[0]),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("inflates to more than")));
}

TEST(ZipReader, DuplicateNamesAreRefused) {
  StringSink sink;
  ZipWriter writer(&sink, "a");
  ASSERT_OK(writer.WriteRecord("x", "1", 1));
  EXPECT_THAT(writer.WriteRecord("x", "2", 1),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("'x'")));
  ASSERT_OK(writer.WriteRecord("y", "2", 1));
  ASSERT_OK(writer.Finish());
  std::string bytes = sink.Release();
  // Rename the second central entry "a/y" to "a/x".
  size_t cd = bytes.rfind("a/y");
  ASSERT_NE(cd, std::string::npos);
  bytes[cd + 2] = 'x';
  EXPECT_THAT(ZipReader::Open(Source(bytes)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("appears twice")));
}

// A small archive "a/x", "a/y" (and a third record when `third` is set).
std::string SmallArchive(const std::string& y_data = "2") {
  StringSink sink;
  ZipWriter writer(&sink, "a");
  EXPECT_OK(writer.WriteRecord("x", "1", 1));
  EXPECT_OK(writer.WriteRecord("y", y_data.data(), y_data.size()));
  EXPECT_OK(writer.Finish());
  return sink.Release();
}

// Issue 12 §1: PyTorch's zip reader (miniz) takes the last end signature with
// a whole record after it; ptser the record whose comment ends the file.
TEST(ZipReaderDifferential, EndRecordInsideTheComment) {
  const std::string bytes = SmallArchive();
  ASSERT_OK(ZipReader::Open(Source(bytes)).status());
  const std::string end = bytes.substr(bytes.size() - zip::kEndSize);
  // The comment (22 bytes) is a second end record, whose own comment length
  // is wrong: ptser would skip it, miniz reads it.
  std::string two = bytes;
  Poke16(&two, two.size() - 2, zip::kEndSize);
  two += end;
  Poke16(&two, two.size() - 2, 7);
  absl::Status st = ZipReader::Open(Source(two)).status();
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr("ambiguous: an end of central directory signature")));
  EXPECT_TRUE(IsDifferential(st));
  // Both records' comments reach the end of the file.
  std::string both = two;
  Poke16(&both, both.size() - 2, 0);
  st = ZipReader::Open(Source(both)).status();
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr("more than one end of central directory record")));
  EXPECT_TRUE(IsDifferential(st));
  // A comment holding just a signature (too short for miniz to take it).
  std::string sig = bytes;
  Poke16(&sig, sig.size() - 2, 4);
  sig += std::string("PK\5\6", 4);
  EXPECT_TRUE(IsDifferential(ZipReader::Open(Source(sig)).status()));
  // An ordinary comment is fine.
  std::string plain = bytes;
  Poke16(&plain, plain.size() - 2, 5);
  plain += "hello";
  EXPECT_OK(ZipReader::Open(Source(plain)).status());
}

// The end record's counts, as miniz (PyTorch 1.13's zip reader) checks
// them: entries on this disk must equal the total, or miniz refuses the
// archive as multi-disk; ptser refuses it too instead of reading a file
// PyTorch cannot open (tests/interop/differential_test checks torch).
TEST(ZipReader, EntriesOnThisDiskMustEqualTheTotal) {
  const std::string bytes = SmallArchive();
  const size_t end = bytes.size() - zip::kEndSize;
  const size_t z64 = end - zip::kZip64LocatorSize - zip::kZip64EndSize;
  ASSERT_EQ(bytes.substr(z64, 4), std::string("PK\6\6", 4));
  // ZipWriter (as miniz) writes a ZIP64 end record, whose counts are read.
  std::string on_disk = bytes;
  Poke32(&on_disk, z64 + 24, 1);
  EXPECT_THAT(ZipReader::Open(Source(on_disk)).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("at offset ", z64 + 24,
                                              ": the end of central directory record counts 1 "
                                              "entries on this disk but 2 in all"))));
  // Without the ZIP64 records, the classic end record's.
  std::string classic = bytes.substr(0, z64) + bytes.substr(end);
  ASSERT_OK(ZipReader::Open(Source(classic)).status());
  const size_t classic_end = classic.size() - zip::kEndSize;
  Poke16(&classic, classic_end + 8, 3);
  EXPECT_THAT(ZipReader::Open(Source(classic)).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("counts 3 entries on this disk but 2 in all")));
  // The locator's disk count and the ZIP64 end record's disk numbers.
  std::string disks = bytes;
  Poke32(&disks, end - zip::kZip64LocatorSize + 16, 2);
  EXPECT_THAT(ZipReader::Open(Source(disks)).status(),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("has 2 disks, not 1")));
  std::string disk_number = bytes;
  Poke32(&disk_number, z64 + 16, 1);
  EXPECT_THAT(ZipReader::Open(Source(disk_number)).status(),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("names disk 1")));
  // An entry's starting disk: miniz takes 0 and 1, refuses others.
  const size_t cd = bytes.find(std::string("PK\1\2", 4));
  std::string entry_disk = bytes;
  Poke16(&entry_disk, cd + 34, 1);
  EXPECT_OK(ZipReader::Open(Source(entry_disk)).status());
  Poke16(&entry_disk, cd + 34, 2);
  EXPECT_THAT(ZipReader::Open(Source(entry_disk)).status(),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr(absl::StrCat("at offset ", cd + 34,
                                              ": central directory entry 0 starts on disk 2"))));
}

// A zip of "archive/data.pkl", deflated, holding PROTO 2, `pairs` times
// NONE POP, then NONE STOP (a pickle of None, 2 * pairs + 4 bytes), and
// "archive/version".  The deflate stream repeats one fully flushed block of
// 64 KiB of NONE POP, so a gigabyte-sized pickle costs a few kilobytes and
// milliseconds to make.  `declared` replaces the size the headers declare.
std::string DeflatedPickleArchive(uint64_t pairs, std::optional<uint64_t> declared = {}) {
  constexpr uint64_t kBlockPairs = 32 << 10;
  EXPECT_EQ(pairs % kBlockPairs, 0u);
  auto deflate_raw = [](const std::string& in, int flush, z_stream* zs) {
    std::string out(in.size() + 1024, '\0');
    zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs->avail_in = static_cast<uInt>(in.size());
    zs->next_out = reinterpret_cast<Bytef*>(out.data());
    zs->avail_out = static_cast<uInt>(out.size());
    EXPECT_NE(deflate(zs, flush), Z_STREAM_ERROR);
    EXPECT_EQ(zs->avail_in, 0u);
    out.resize(out.size() - zs->avail_out);
    return out;
  };
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string block_text;
  for (uint64_t i = 0; i < kBlockPairs; ++i) block_text += "N0";
  const std::string head = deflate_raw("\x80\x02", Z_FULL_FLUSH, &zs);
  const std::string block = deflate_raw(block_text, Z_FULL_FLUSH, &zs);
  const std::string tail = deflate_raw("N.", Z_FINISH, &zs);
  deflateEnd(&zs);
  std::string compressed = head;
  uint32_t crc = Crc32(0, "\x80\x02", 2);
  const uint32_t block_crc = Crc32(0, block_text.data(), block_text.size());
  for (uint64_t i = 0; i < pairs / kBlockPairs; ++i) {
    compressed += block;
    crc = static_cast<uint32_t>(crc32_combine64(crc, block_crc, block_text.size()));
  }
  compressed += tail;
  crc = Crc32(crc, "N.", 2);
  const uint64_t size = declared.value_or(2 * pairs + 4);
  EXPECT_LT(size, uint64_t{0xFFFFFFFF});  // no ZIP64 fields needed
  auto put16 = [](std::string* s, uint16_t v) { s->append({char(v & 0xff), char(v >> 8)}); };
  auto put32 = [](std::string* s, uint32_t v) {
    for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string zip, cd;
  auto record = [&](const std::string& name, const std::string& payload, uint16_t method,
                    uint32_t record_crc, uint64_t usize) {
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    for (std::string* h : {&zip, &cd}) {
      put32(h, h == &zip ? zip::kLocalHeaderSignature : zip::kCentralHeaderSignature);
      if (h == &cd) put16(h, 20);  // made by
      put16(h, 20);                // needed
      put16(h, 0);                 // flags
      put16(h, method);
      put32(h, 0);                 // time, date
      put32(h, record_crc);
      put32(h, static_cast<uint32_t>(payload.size()));
      put32(h, static_cast<uint32_t>(usize));
      put16(h, static_cast<uint16_t>(name.size()));
      put16(h, 0);                 // extra
      if (h == &cd) {
        put16(h, 0);               // comment
        put16(h, 0);               // disk
        put16(h, 0);               // internal attributes
        put32(h, 0);               // external attributes
        put32(h, offset);
      }
      *h += name;
    }
    zip += payload;
  };
  record("archive/data.pkl", compressed, zip::kMethodDeflated, crc, size);
  record("archive/version", "3\n", zip::kMethodStored, Crc32(0, "3\n", 2), 2);
  const uint32_t cd_offset = static_cast<uint32_t>(zip.size());
  zip += cd;
  put32(&zip, zip::kEndSignature);
  put32(&zip, 0);
  put16(&zip, 2);
  put16(&zip, 2);
  put32(&zip, static_cast<uint32_t>(cd.size()));
  put32(&zip, cd_offset);
  put16(&zip, 0);
  return zip;
}

// Issue 12 §2/§3: a deflated data.pkl of a few kilobytes declaring gigabytes
// is refused from its declared size, before anything is allocated or
// inflated, whatever reads it (Load, verify, inspect --pickle: all through
// TorchArchive::ReadRecord).
TEST(ZipReader, DeflatedPickleBombIsRefusedByItsDeclaredSize) {
  // 3 GiB of pickle in about 4 MB (deflate's 1032:1 at most): the claim is
  // possible, so only a limit proportional to the file stops it.
  const std::string bomb = DeflatedPickleArchive(uint64_t{3} << 29);
  ASSERT_LT(bomb.size(), 5u << 20);
  ASSERT_OK_AND_ASSIGN(auto archive, TorchArchive::Open(Source(bomb)));
  ASSERT_OK_AND_ASSIGN(const ZipEntry* pkl, archive->FindRecord("data.pkl"));
  EXPECT_EQ(pkl->uncompressed_size, (uint64_t{3} << 30) + 4);
  const absl::Status refused = archive->ReadRecord("data.pkl").status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted,
                                HasSubstr(absl::StrCat(
                                    "at offset 0: record 'archive/data.pkl' declares ",
                                    (uint64_t{3} << 30) + 4, " bytes"))));
  EXPECT_THAT(refused.message(), HasSubstr("pickles may inflate to 64 times the file's size"));
  EXPECT_THAT(refused.message(), HasSubstr("LoadOptions::max_pickle_growth"));
  EXPECT_THAT(LoadFromSource(Source(bomb)).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("max_pickle_growth")));
  // Other records are not pickles: the limit is Options::max_record_bytes.
  ASSERT_OK(archive->ReadRecord("version").status());
}

TEST(ZipReader, PickleGrowthLimitIsAnOption) {
  // 4 MiB of pickle in a few kilobytes: over 64x the file, under 2000x.
  const std::string small = DeflatedPickleArchive(2 << 20);
  ASSERT_LT(small.size(), 16u << 10);
  EXPECT_THAT(LoadFromSource(Source(small)).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("max_pickle_growth")));
  LoadOptions lax;
  lax.max_pickle_growth = 2000;
  ASSERT_OK_AND_ASSIGN(Value none, LoadFromSource(Source(small), lax));
  EXPECT_TRUE(none.is_none());
  // At least 1 MiB is always allowed (a small file's pickle), whatever the
  // growth says.
  for (double growth : {64.0, 0.0, -1.0, std::nan("")}) {
    LoadOptions o;
    o.max_pickle_growth = growth;
    ASSERT_OK_AND_ASSIGN(Value small_none,
                         LoadFromSource(Source(DeflatedPickleArchive(256 << 10)), o));
    EXPECT_TRUE(small_none.is_none());
    EXPECT_THAT(LoadFromSource(Source(small), o).status(),
                StatusIs(absl::StatusCode::kResourceExhausted));
  }
  // The declared size is never trusted: inflating stops there and a stream
  // longer or shorter than declared is an error, under any limit.
  EXPECT_THAT(LoadFromSource(Source(DeflatedPickleArchive(2 << 20, 1 << 20)), lax).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("inflates to more than")));
  EXPECT_THAT(LoadFromSource(Source(DeflatedPickleArchive(2 << 20, (4 << 20) + 20)), lax).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("inflates to 4194308 bytes")));
}

TEST(ZipReaderDifferential, SignatureInRecordDataIsNotAnEndRecord) {
  // Tensor bytes may hold "PK\5\6" (the int32 101010256): before the end
  // record, no reader takes it for one.
  std::string data("PK\5\6", 4);
  data += std::string(40, '\0');
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(SmallArchive(data))));
  EXPECT_EQ(reader->entries().size(), 2u);
}

TEST(ZipReaderDifferential, NamesEqualIgnoringCase) {
  std::string bytes = SmallArchive();
  size_t cd = bytes.rfind("a/y");
  ASSERT_NE(cd, std::string::npos);
  bytes[cd + 2] = 'X';  // "a/X" beside "a/x"
  absl::Status st = ZipReader::Open(Source(bytes)).status();
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr("records 'a/x' and 'a/X' differ only in case")));
  EXPECT_TRUE(IsDifferential(st));
  // Lookups stay exact.
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(SmallArchive())));
  EXPECT_TRUE(reader->Has("a/x"));
  EXPECT_FALSE(reader->Has("a/X"));
  EXPECT_THAT(reader->Find("A/Y").status(), StatusIs(absl::StatusCode::kNotFound));
  // Names longer than one hashed word, differing only in case past it.
  StringSink sink;
  ZipWriter writer(&sink, "archive");
  ASSERT_OK(writer.WriteRecord("data/longer_name_q", "1", 1));
  ASSERT_OK(writer.WriteRecord("data/longer_name_r", "2", 1));
  ASSERT_OK(writer.Finish());
  std::string longer = sink.Release();
  cd = longer.rfind("longer_name_r");
  longer[cd + 12] = 'Q';
  EXPECT_THAT(ZipReader::Open(Source(longer)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("differ only in case")));
}

// The name index (open-addressed, names hashed ignoring case) over many
// names: each found exactly, none found by another case or a prefix.
TEST(ZipReader, IndexFindsEveryNameOfManyExactly) {
  StringSink sink;
  ZipWriter writer(&sink, "archive");
  constexpr int kRecords = 3000;
  for (int i = 0; i < kRecords; ++i) {
    const std::string body = std::to_string(i);
    ASSERT_OK(writer.WriteRecord(absl::StrCat("data/Rec", i), body.data(), body.size()));
  }
  ASSERT_OK(writer.Finish());
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(sink.Release())));
  for (int i = 0; i < kRecords; ++i) {
    const std::string name = absl::StrCat("archive/data/Rec", i);
    ASSERT_OK_AND_ASSIGN(const ZipEntry* e, reader->Find(name));
    EXPECT_EQ(e->name, name);
    ASSERT_OK_AND_ASSIGN(std::string body, reader->ReadString(*e));
    EXPECT_EQ(body, std::to_string(i));
    EXPECT_FALSE(reader->Has(absl::StrCat("archive/data/rec", i)));
  }
  EXPECT_FALSE(reader->Has("archive/data/Rec"));
  EXPECT_FALSE(reader->Has(absl::StrCat("archive/data/Rec", kRecords)));
  EXPECT_FALSE(reader->Has(""));
}

// CheckAhead: what passes is not read or checked again; what fails is left
// for Read() to report as it always did; larger records are checked when
// read.
TEST(ZipReader, CheckAheadLeavesFailuresToRead) {
  StringSink sink;
  ZipWriter writer(&sink, "a");
  const std::string big(100000, 'b');
  ASSERT_OK(writer.WriteRecord("data/0", "zero", 4));
  ASSERT_OK(writer.WriteRecord("data/1", "one!", 4));
  ASSERT_OK(writer.WriteRecord("data/2", big.data(), big.size()));
  ASSERT_OK(writer.WriteRecord("other", "else", 4));
  ASSERT_OK(writer.Finish());
  std::string bytes = sink.Release();
  bytes[bytes.find("one!")] = 'O';             // data/1's payload
  bytes[bytes.find(big) + 5000] = 'c';         // data/2's payload
  bytes[bytes.find("else")] = 'E';             // outside the prefix
  ASSERT_OK_AND_ASSIGN(auto reader, ZipReader::Open(Source(bytes)));
  reader->CheckAhead("a/data/", 64 << 10);
  ASSERT_OK_AND_ASSIGN(const ZipEntry* zero, reader->Find("a/data/0"));
  ASSERT_OK_AND_ASSIGN(Storage z, reader->Read(*zero));
  EXPECT_EQ(std::string(static_cast<const char*>(z.data()), z.nbytes()), "zero");
  for (const char* name : {"a/data/1", "a/data/2", "a/other"}) {
    ASSERT_OK_AND_ASSIGN(const ZipEntry* e, reader->Find(name));
    EXPECT_THAT(reader->Read(*e).status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr(absl::StrCat("CRC-32 mismatch in record '", name, "'"))));
  }
  // An entry that is not the reader's own is never taken as checked.
  ZipEntry copy = *zero;
  EXPECT_OK(reader->Read(copy).status());
}

TEST(ZipReaderDifferential, NulInName) {
  std::string bytes = SmallArchive();
  size_t cd = bytes.rfind("a/y");
  bytes[cd + 2] = '\0';
  absl::Status st = ZipReader::Open(Source(bytes)).status();
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds a NUL byte")));
  EXPECT_TRUE(IsDifferential(st));
}

// A sink that pretends `base` bytes were already written: exercises the
// ZIP64 paths for offsets past 4 GiB without writing 4 GiB.
class OffsetSink : public ByteSink {
 public:
  explicit OffsetSink(uint64_t base) : base_(base) {}
  absl::Status Write(const void* data, size_t n) override {
    return inner_.Write(data, n);
  }
  uint64_t position() const override { return base_ + inner_.position(); }
  const std::string& data() const { return inner_.data(); }

 private:
  uint64_t base_;
  StringSink inner_;
};

TEST(ZipWriter, Zip64LocalHeaderPastFourGiBMatchesPyTorch) {
  // PyTorch 1.13's `big.pt` (a 4.3e9-byte tensor, then [1., 2., 3.]) has the
  // header of big/data/1 at offset 4300000408: this is it, byte for byte.
  OffsetSink sink(4300000408u);
  ZipWriter writer(&sink, "big");
  const float values[] = {1.f, 2.f, 3.f};
  ASSERT_OK(writer.WriteRecord("data/1", values, sizeof(values)));
  std::string expected_header = absl::HexStringToBytes(
      "504b0304000008080000000000000000000000000000000000000a0040006269672f646174612f31"
      "0100080098cc4c0001000000464230005a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
      "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
  ASSERT_GE(sink.data().size(), expected_header.size());
  EXPECT_EQ(absl::BytesToHexString(sink.data().substr(0, expected_header.size())),
            absl::BytesToHexString(expected_header));
  EXPECT_EQ((sink.position() - 24 - 12) % 64, 0u);  // payload aligned
  // 24-byte descriptor with 8-byte sizes.
  EXPECT_EQ(absl::BytesToHexString(sink.data().substr(sink.data().size() - 24)),
            "504b0708b1960eb20c000000000000000c00000000000000");
  ASSERT_OK(writer.Finish());
}

}  // namespace
}  // namespace ptser
