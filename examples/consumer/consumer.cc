// A program outside ptser's workspace, built against individual ptser targets.
#include <cstdio>
#include <string>

#include "archive/byte_sink.h"
#include "archive/crc32.h"
#include "archive/zip_writer.h"

int main() {
  const char data[] = "3\n";
  std::printf("crc32(\"3\\n\") = %08x (%s)\n", ptser::Crc32(0, data, 2),
              std::string(ptser::Crc32BackendName()).c_str());
  ptser::StringSink sink;
  ptser::ZipWriter zip(&sink, "consumer");
  if (!zip.WriteRecord("version", data, 2).ok() || !zip.Finish().ok()) return 1;
  std::printf("a one-record archive: %zu bytes\n", sink.data().size());
  return 0;
}
