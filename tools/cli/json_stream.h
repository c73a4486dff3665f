// Copyright ptser authors.
//
// tools/cli/json_stream.h — a JSON document written to a stream as it is
// produced, never held whole: `ptser inspect --json` of a checkpoint with
// 100,000 tensors writes its report piece by piece (issue 12: the report as
// one nlohmann tree was ~3 KB a tensor).
//
// The text is what nlohmann's `dump(2)` writes for the same tree: two spaces
// a level, `"key": value`, `{}`/`[]` when empty.  Leaves and small subtrees
// (a tensor's metadata) are nlohmann values, dumped at the current
// indentation with invalid UTF-8 replaced by U+FFFD (names from a file may be
// anything).
//
//   JsonStream js(std::cout);
//   js.BeginObject();
//   js.Key("file");
//   js.Write("a.pt");
//   js.Key("tensors");
//   js.BeginArray();
//   js.Write(Json{{"path", "/w"}});
//   js.End();
//   js.End();      // {\n  "file": "a.pt",\n  "tensors": [\n    {\n ...
//
// Misuse (a value in an object without a key, End with nothing open) is a
// programming error, checked with assert.
#ifndef PTSER_TOOLS_CLI_JSON_STREAM_H_
#define PTSER_TOOLS_CLI_JSON_STREAM_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace ptser {
namespace cli {

// JSON objects keep their keys in insertion order (a state dict's order).
using Json = nlohmann::ordered_json;

class JsonStream {
 public:
  // Writes to `out`, which must outlive this.
  explicit JsonStream(std::ostream& out) : out_(out) {}

  // Opens an object or array as the next value; End closes the innermost.
  void BeginObject();
  void BeginArray();
  void End();

  // The name of the next member of the object open now.
  void Key(absl::string_view name);

  // The next value: `value` as dump(2) writes it, indented to its place.
  void Write(const Json& value);

  // The next value as JSON text the caller has written already (one line, as
  // `inspect --pickle --json` writes each opcode).
  void WriteRaw(absl::string_view json_text);

  // How many objects and arrays are open.
  size_t depth() const { return open_.size(); }

 private:
  struct Frame {
    bool object;
    bool empty;
  };
  // Writes what goes before a value at the current place: the separator and
  // indentation in an array, nothing after a Key.
  void BeginValue();
  // ",\n" (or "\n" for the first) and the indentation of a new line inside
  // the innermost container.
  void NewLine();

  std::ostream& out_;
  std::vector<Frame> open_;
  bool after_key_ = false;
};

// A string as a JSON string literal, quotes included, invalid UTF-8 as
// U+FFFD.
std::string JsonQuote(absl::string_view s);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_JSON_STREAM_H_
