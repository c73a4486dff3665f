// Copyright ptser authors.
#include "archive/tar_testutil.h"

#include <cstdio>
#include <cstring>

namespace ptser {
namespace {

void PutOctal(std::string& block, size_t offset, size_t width, uint64_t value) {
  // width-1 octal digits and a NUL, as Python's itn() writes them.
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
  std::memcpy(&block[offset], buf, width - 1);
  block[offset + width - 1] = '\0';
}

void PutString(std::string& block, size_t offset, size_t width, const std::string& s) {
  std::memcpy(&block[offset], s.data(), s.size() < width ? s.size() : width);
}

}  // namespace

std::string TarHeaderBlock(const TarTestHeader& h) {
  std::string block(512, '\0');
  PutString(block, 0, 100, h.name);
  PutOctal(block, 100, 8, 0600);
  PutOctal(block, 108, 8, 1000);
  PutOctal(block, 116, 8, 1000);
  if (h.raw_size_field.empty()) {
    PutOctal(block, 124, 12, h.size);
  } else {
    PutString(block, 124, 12, h.raw_size_field);
  }
  PutOctal(block, 136, 12, 1486000000);
  block[156] = h.typeflag;
  PutString(block, 157, 100, h.linkname);
  std::memcpy(&block[257], "ustar\0" "00", 8);
  PutString(block, 265, 32, "pytorch");
  PutString(block, 297, 32, "pytorch");
  PutString(block, 345, 155, h.prefix);
  std::memset(&block[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  sum += h.checksum_delta;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06o", sum);
  std::memcpy(&block[148], buf, 6);
  block[154] = '\0';
  block[155] = ' ';
  return block;
}

std::string TarPadded(const std::string& data) {
  std::string out = data;
  out.resize((data.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string PaxRecord(const std::string& keyword, const std::string& value) {
  const std::string body = " " + keyword + "=" + value + "\n";
  size_t length = body.size() + 1;
  while (std::to_string(length).size() + body.size() != length) ++length;
  return std::to_string(length) + body;
}

std::string MakeTar(const std::vector<TarTestMember>& members) {
  std::string out;
  for (const TarTestMember& m : members) {
    TarTestHeader h;
    h.name = m.name;
    h.size = m.data.size();
    out += TarHeaderBlock(h);
    out += TarPadded(m.data);
  }
  out += std::string(1024, '\0');
  return out;
}

}  // namespace ptser
