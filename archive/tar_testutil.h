// Copyright ptser authors.
//
// archive/tar_testutil.h — building tar archives byte by byte in tests
// (testonly): well-formed ones, and ones broken in exactly one place.
//
//   std::string tar = MakeTar({{"storages", bytes}, {"pickle", pickle}});
//   TarTestHeader h = {"x", 3};
//   h.checksum_delta = 1;                      // a bad checksum
//   std::string bad = TarHeaderBlock(h) + ...;
#ifndef PTSER_ARCHIVE_TAR_TESTUTIL_H_
#define PTSER_ARCHIVE_TAR_TESTUTIL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ptser {

// One ustar header.  Fields are written as Python's tarfile writes them
// (octal, NUL-terminated, "ustar\0" "00" magic).
struct TarTestHeader {
  std::string name;
  uint64_t size = 0;
  char typeflag = '0';
  std::string linkname;
  std::string prefix;
  // When set, written verbatim into the 12-byte size field instead of `size`.
  std::string raw_size_field;
  // Added to the correct checksum (0 keeps it valid).
  int checksum_delta = 0;
};

// The 512-byte header block.
std::string TarHeaderBlock(const TarTestHeader& header);

// `data` zero-padded to a multiple of 512 bytes.
std::string TarPadded(const std::string& data);

// A PAX extended header record "<len> <keyword>=<value>\n".
std::string PaxRecord(const std::string& keyword, const std::string& value);

struct TarTestMember {
  std::string name;
  std::string data;
};

// A complete archive: a regular-file header and padded data per member, then
// two zero blocks.
std::string MakeTar(const std::vector<TarTestMember>& members);

}  // namespace ptser

#endif  // PTSER_ARCHIVE_TAR_TESTUTIL_H_
