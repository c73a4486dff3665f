// Copyright ptser authors.
//
// parse_records FILE_OR_FOLDER... — parses every .py file named (folders are
// walked) as a TorchScript code record and prints one line per failure; the
// last line counts them.  Exit status 1 when any failed.  A manual check over
// the code records of real archives (extract them first, e.g. with Python's
// zipfile).
#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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
    if (S_ISDIR(cst.st_mode) || (name.size() > 3 && name.substr(name.size() - 3) == ".py")) {
      Collect(child, files);
    }
  }
  closedir(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) Collect(argv[i], &files);
  size_t failed = 0;
  size_t bytes = 0;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes += text.size();
    absl::StatusOr<ptser::jit::script::ParsedRecord> parsed =
        ptser::jit::script::ParseRecord(f, text);
    if (!parsed.ok()) {
      ++failed;
      std::printf("FAIL %s\n", std::string(parsed.status().message()).c_str());
    }
  }
  std::printf("parse_records: %zu files (%zu bytes), %zu failed\n", files.size(), bytes, failed);
  return failed == 0 ? 0 : 1;
}
