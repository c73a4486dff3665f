// Copyright ptser authors.
//
// tools/cli/common.h — what the file commands of `ptser` share: the exit
// statuses, the one way a failure is reported, how the tools load a file,
// and the small pieces of text (format names, shapes, paths) their reports
// print alike.
//
// Exit statuses (every command returns one; README and `ptser --help` list
// them):  kOk 0 success, kUnreadable 1 a file ptser refuses or cannot read
// (the reason names the record and offset), kUsage 2 bad usage, kFinding 3 a
// finding (verify, diff).
#ifndef PTSER_TOOLS_CLI_COMMON_H_
#define PTSER_TOOLS_CLI_COMMON_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "archive/load.h"
#include "archive/safetensors.h"
#include "pickle/value.h"
#include "tensor/storage.h"

namespace ptser {
namespace cli {

inline constexpr int kOk = 0;
inline constexpr int kUnreadable = 1;
inline constexpr int kUsage = 2;
inline constexpr int kFinding = 3;

// Writes "ptser: <message>" to `err` and returns kUnreadable.  A refused
// global's message gets the command line's ways out (a flag, `verify`)
// instead of the API's (unpickler.h's kRefusedGlobalHint); a message naming
// LoadOptions::max_pickle_growth gets its flag, --max-pickle-growth.
int Fail(std::ostream& err, const absl::Status& s);

// "zip (torch.save, PyTorch >= 1.6)", "safetensors", ...: how reports name a
// detected format.
const char* FormatName(FileFormat f);

bool EndsWith(const std::string& s, const std::string& suffix);

// Loads for the tools: every storage on the CPU whatever its tag, memory
// mapped (storages are slices of the file, so convert/compact stream from the
// page cache), every record's CRC-32 still checked, and the load flags
// TakeLoadFlags() last took.
LoadOptions ToolLoadOptions();

// The flags of every command that loads a file (inspect, verify, convert,
// compact, diff), anywhere on its command line:
//
//   --max-pickle-growth N   LoadOptions::max_pickle_growth: a file's pickle may
//                           inflate to, and its values take, N times the
//                           file's size (at least 64 MiB); default 64
//
// Removes them from `args` (`--flag N` or `--flag=N`) and keeps their values
// for ToolLoadOptions() for the rest of the process: `ptser` takes them once,
// before it runs a command.  An InvalidArgumentError names a bad value.
//
//   std::vector<std::string> args = {"a.pt", "--max-pickle-growth", "200"};
//   PTSER_RETURN_IF_ERROR(TakeLoadFlags(&args));  // args == {"a.pt"}
absl::Status TakeLoadFlags(std::vector<std::string>* args);

// ptser::Load with `options`; a path ending in `.safetensors` is read as one
// (its `__metadata__` into `metadata` when given).
absl::StatusOr<Value> LoadForTools(const std::string& path,
                                   const LoadOptions& options = ToolLoadOptions(),
                                   SafetensorsMetadata* metadata = nullptr);

// The pickle bytes to disassemble: data.pkl of a zip or TorchScript archive,
// the `pickle` member of a tar file, the whole stream of a legacy file (its
// five pickles one after another).  Views of the memory-mapped file where the
// bytes are stored, never a second copy.
absl::StatusOr<Storage> PickleBytes(const std::string& path, FileFormat format);

// The bytes of `s` as text (a view: `s` must outlive it).
absl::string_view View(const Storage& s);

// A shape or strides as Python prints a tuple: "(2, 3)", "(4,)", "()".
std::string Shape(const std::vector<int64_t>& v);

// A dict key in a path: a str as itself, anything else as its (cut) repr.
std::string KeyName(const Value& key);

// Paths of a walk over a loaded value, built only where one is printed: a
// walk keeps one node per container or tensor it reaches, each naming its
// parent, so a chain a million deep costs a million nodes, not a million
// growing strings.
class PathTree {
 public:
  static constexpr int64_t kRoot = -1;
  int64_t Add(int64_t parent, std::string component) {
    nodes_.push_back({parent, std::move(component)});
    return static_cast<int64_t>(nodes_.size()) - 1;
  }
  // "/a/0/b", or "/" for the root.
  std::string Path(int64_t node) const {
    std::vector<const std::string*> parts;
    for (int64_t n = node; n != kRoot; n = nodes_[n].parent) parts.push_back(&nodes_[n].component);
    if (parts.empty()) return "/";
    std::string path;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) absl::StrAppend(&path, "/", **it);
    return path;
  }

 private:
  struct Node {
    int64_t parent;
    std::string component;
  };
  std::vector<Node> nodes_;
};

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_COMMON_H_
