// Copyright ptser authors.
//
// parse_records PATH... — parses TorchScript code records and prints one line
// per failure; the last line counts them.  Exit status 1 when any failed.  A
// manual check over real archives:
//
//   bazel-bin/jit/script/parse_records /tmp/script_cases
//
// A .py file is one record; a .pt file is a TorchScript archive whose
// <folder>/code/**.py records are parsed (named code/... as the loader names
// them); folders are walked for both.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "archive/byte_source.h"
#include "archive/zip_reader.h"
#include "jit/script/parser.h"

namespace {

void Collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "cannot stat %s\n", path.c_str());
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    files->push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  while (dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string child = path + "/" + name;
    struct stat cst;
    if (stat(child.c_str(), &cst) != 0) continue;
    if (S_ISDIR(cst.st_mode) || absl::EndsWith(name, ".py") || absl::EndsWith(name, ".pt")) {
      Collect(child, files);
    }
  }
  closedir(dir);
}

struct Counts {
  size_t records = 0;
  size_t bytes = 0;
  size_t failed = 0;
};

void Parse(const std::string& where, absl::string_view record, const std::string& text,
           Counts* counts) {
  ++counts->records;
  counts->bytes += text.size();
  absl::StatusOr<ptser::jit::script::ParsedRecord> parsed =
      ptser::jit::script::ParseRecord(record, text);
  if (!parsed.ok()) {
    ++counts->failed;
    std::printf("FAIL %s%s\n", where.c_str(), std::string(parsed.status().message()).c_str());
  }
}

void ParseArchive(const std::string& path, Counts* counts) {
  absl::StatusOr<std::unique_ptr<ptser::ByteSource>> source = ptser::ByteSource::OpenFile(path);
  absl::StatusOr<std::unique_ptr<ptser::ZipReader>> zip =
      source.ok() ? ptser::ZipReader::Open(std::move(*source)) : source.status();
  if (!zip.ok()) {
    ++counts->failed;
    std::printf("FAIL %s: %s\n", path.c_str(), std::string(zip.status().message()).c_str());
    return;
  }
  for (const ptser::ZipEntry& entry : (*zip)->entries()) {
    // <folder>/code/...py
    const size_t slash = entry.name.find('/');
    if (slash == absl::string_view::npos) continue;
    const absl::string_view record = entry.name.substr(slash + 1);
    if (!absl::StartsWith(record, "code/") || !absl::EndsWith(record, ".py")) continue;
    absl::StatusOr<std::string> text = (*zip)->ReadString(entry);
    if (!text.ok()) {
      ++counts->failed;
      std::printf("FAIL %s: %s\n", path.c_str(), std::string(text.status().message()).c_str());
      continue;
    }
    Parse(path + ": ", record, *text, counts);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) Collect(argv[i], &files);
  Counts counts;
  for (const std::string& f : files) {
    if (absl::EndsWith(f, ".pt")) {
      ParseArchive(f, &counts);
      continue;
    }
    std::ifstream in(f, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Parse("", f, text, &counts);
  }
  std::printf("parse_records: %zu records (%zu bytes), %zu failed\n", counts.records, counts.bytes,
              counts.failed);
  return counts.failed == 0 ? 0 : 1;
}
