// Copyright ptser authors.

#include "pickle/test_util.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "pickle/tensor_codec.h"
#include "tensor/storage.h"

namespace ptser {
namespace pickle_testing {
namespace {

bool Exists(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return f.good();
}

// make_fixtures.py writes backslash, tab and newline as \\, \t and \n.
std::string Unescape(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 1 < field.size()) {
      char c = field[++i];
      out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> ReadTsv(absl::string_view relative) {
  std::vector<std::vector<std::string>> rows;
  std::string text = ReadTestData(relative);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> row;
    for (absl::string_view field : absl::StrSplit(line, '\t')) {
      row.push_back(Unescape(field));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::StatusCode CodeFromName(absl::string_view name) {
  static const std::pair<absl::string_view, absl::StatusCode> kCodes[] = {
      {"kInvalidArgument", absl::StatusCode::kInvalidArgument},
      {"kDataLoss", absl::StatusCode::kDataLoss},
      {"kOutOfRange", absl::StatusCode::kOutOfRange},
      {"kPermissionDenied", absl::StatusCode::kPermissionDenied},
      {"kResourceExhausted", absl::StatusCode::kResourceExhausted},
      {"kUnimplemented", absl::StatusCode::kUnimplemented},
      {"kFailedPrecondition", absl::StatusCode::kFailedPrecondition},
  };
  for (const auto& [n, c] : kCodes) {
    if (n == name) return c;
  }
  ADD_FAILURE() << "unknown status code name " << name;
  return absl::StatusCode::kUnknown;
}

}  // namespace

std::string TestDataPath(absl::string_view relative) {
  std::vector<std::string> candidates;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    const char* ws = std::getenv("TEST_WORKSPACE");
    candidates.push_back(absl::StrCat(srcdir, "/", ws ? ws : "ptser",
                                      "/pickle/testdata/", relative));
  }
  candidates.push_back(absl::StrCat("pickle/testdata/", relative));
  for (const std::string& c : candidates) {
    if (Exists(c)) return c;
  }
  return candidates.back();
}

std::string ReadTestData(absl::string_view relative) {
  std::string path = TestDataPath(relative);
  std::ifstream f(path, std::ios::binary);
  if (!f.good()) {
    ADD_FAILURE() << "cannot open test data " << path;
    return "";
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<PlainFixture> LoadPlainFixtures() {
  std::vector<PlainFixture> out;
  for (const auto& row : ReadTsv("plain/MANIFEST.tsv")) {
    if (row.size() != 5) {
      ADD_FAILURE() << "bad plain/MANIFEST.tsv row";
      continue;
    }
    PlainFixture f;
    f.name = row[0];
    EXPECT_TRUE(absl::SimpleAtoi(row[1], &f.protocol));
    f.file = row[2];
    f.keep_inert = row[3] == "keep_inert";
    f.repr = row[4];
    out.push_back(std::move(f));
  }
  return out;
}

std::map<std::string, std::string> PlainReprs() {
  std::map<std::string, std::string> out;
  for (const PlainFixture& f : LoadPlainFixtures()) {
    if (!f.repr.empty()) out[f.name] = f.repr;
  }
  return out;
}

std::vector<ErrorFixture> LoadErrorFixtures() {
  std::vector<ErrorFixture> out;
  for (const auto& row : ReadTsv("errors/MANIFEST.tsv")) {
    if (row.size() != 5) {
      ADD_FAILURE() << "bad errors/MANIFEST.tsv row";
      continue;
    }
    ErrorFixture f;
    f.name = row[0];
    EXPECT_TRUE(absl::SimpleAtoi(row[1], &f.protocol));
    f.file = row[2];
    f.code = CodeFromName(row[3]);
    f.message = row[4];
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<TorchFixture> LoadTorchFixtures() {
  std::vector<TorchFixture> out;
  for (const auto& row : ReadTsv("torch/MANIFEST.tsv")) {
    if (row.size() != 2) {
      ADD_FAILURE() << "bad torch/MANIFEST.tsv row";
      continue;
    }
    TorchFixture f;
    f.name = row[0];
    f.repr = row[1];
    f.data_pkl = ReadTestData(absl::StrCat("torch/", f.name, "/data.pkl"));
    // Records are named 0, 1, ...; read until one is missing.
    for (int key = 0;; ++key) {
      std::string rel = absl::StrCat("torch/", f.name, "/data/", key);
      if (!Exists(TestDataPath(rel))) break;
      f.records[absl::StrCat(key)] = ReadTestData(rel);
    }
    out.push_back(std::move(f));
  }
  return out;
}

PersistentLoadFn RecordStorageLoader(
    const std::map<std::string, std::string>* records) {
  struct Loaded {
    Storage storage;
    ScalarType dtype;
  };
  auto loaded = std::make_shared<absl::flat_hash_map<std::string, Loaded>>();
  return [records, loaded](const Value& pid,
                           size_t offset) -> absl::StatusOr<Value> {
    absl::StatusOr<StoragePersistentId> id = ParseStoragePersistentId(pid);
    if (!id.ok()) return id.status();
    auto rec = records->find(std::string(id->key));
    if (rec == records->end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no record data/", id->key));
    }
    if (id->nbytes > rec->second.size()) {
      return absl::OutOfRangeError(absl::StrCat(
          "storage '", id->key, "' declares ", id->nbytes,
          " bytes but the record has ", rec->second.size()));
    }
    auto it = loaded->find(id->key);
    if (it == loaded->end()) {
      absl::StatusOr<Storage> s =
          Storage::CopyFrom(rec->second.data(), id->nbytes);
      if (!s.ok()) return s.status();
      it = loaded->emplace(id->key, Loaded{*s, id->dtype}).first;
    } else if (it->second.dtype != id->dtype) {
      return absl::InvalidArgumentError(
          absl::StrCat("storage '", id->key, "' viewed as two dtypes"));
    }
    return Value::FromStorage(
        TypedStorage{it->second.storage, id->dtype, id->untyped});
  };
}

std::string HexDump(absl::string_view bytes) {
  std::string out = "b'";
  for (char c : bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\' && u != '\'') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    }
  }
  out += "'";
  return out;
}

}  // namespace pickle_testing
}  // namespace ptser
