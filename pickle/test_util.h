// Copyright ptser authors.
//
// pickle/test_util.h — fixtures for the pickle tests (testonly).
//
// The fixtures under pickle/testdata/ were written by real Python and
// PyTorch (pickle/testdata/make_fixtures.py); these helpers find them in
// Bazel's runfiles (or relative to the working directory when a test is
// run by hand from the repository root) and parse their manifests.
//
//   for (const PlainFixture& f : LoadPlainFixtures()) {
//     std::string bytes = ReadTestData("plain/" + f.file);
//     ...
//   }
#ifndef PTSER_PICKLE_TEST_UTIL_H_
#define PTSER_PICKLE_TEST_UTIL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pickle/unpickler.h"
#include "pickle/value.h"

namespace ptser {
namespace pickle_testing {

// Path of `relative` (e.g. "plain/none_p2.pkl") under pickle/testdata.
std::string TestDataPath(absl::string_view relative);

// The file's bytes; a missing file fails the calling test (returns "").
std::string ReadTestData(absl::string_view relative);

// plain/MANIFEST.tsv
struct PlainFixture {
  std::string name;
  int protocol = 0;
  std::string file;       // under plain/
  bool keep_inert = false;  // needs UnknownGlobals::kKeepInert
  std::string repr;       // Python's repr(obj); empty when not recorded
};
std::vector<PlainFixture> LoadPlainFixtures();
// name -> repr, for names that have one.
std::map<std::string, std::string> PlainReprs();

// errors/MANIFEST.tsv
struct ErrorFixture {
  std::string name;
  int protocol = 0;
  std::string file;  // under errors/
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string message;  // expected substring
};
std::vector<ErrorFixture> LoadErrorFixtures();

// torch/MANIFEST.tsv and torch/<name>/...
struct TorchFixture {
  std::string name;
  std::string repr;
  std::string data_pkl;
  std::map<std::string, std::string> records;  // key -> bytes
};
std::vector<TorchFixture> LoadTorchFixtures();

// A persistent_load hook over `records` that behaves as the archive layer
// will: ParseStoragePersistentId, the record must exist and hold at least
// `nbytes`, one Storage per key (so views share it), one dtype per key.
// `records` must outlive the hook.
PersistentLoadFn RecordStorageLoader(
    const std::map<std::string, std::string>* records);

// Bytes as a Python bytes literal, for failure messages.
std::string HexDump(absl::string_view bytes);

}  // namespace pickle_testing
}  // namespace ptser

#endif  // PTSER_PICKLE_TEST_UTIL_H_
