// Copyright ptser authors.
//
// tools/cli/script_commands.h — the TorchScript side of `ptser inspect`,
// `verify`, `convert` and `diff` (each command's file hands TorchScript
// archives here).
#ifndef PTSER_TOOLS_CLI_SCRIPT_COMMANDS_H_
#define PTSER_TOOLS_CLI_SCRIPT_COMMANDS_H_

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "pickle/value.h"

namespace ptser {
namespace cli {

// Whether `path` is a zip with a constants.pkl record (false when unreadable:
// the caller's own load then reports why).
bool IsTorchScriptFile(const std::string& path);

// `ptser inspect ts.pt [--json] [--code]`: the version, the module tree as
// print(torch.jit.load(f)) shows it, every parameter and buffer with dtype and
// shape, each class with its methods, constants and extra files; --code
// prints the code records.  Returns the exit status.
int InspectScript(const std::string& path, bool json, bool code, std::ostream& out,
                  std::ostream& err);

// `ptser verify ts.pt`: every record's CRC-32, every global of data.pkl and
// constants.pkl against what a TorchScript pickle may name (`__torch__`
// classes only when the archive's code defines them), then a full load when
// clean (`load_when_clean`).  0 clean, 3 findings, 1 unreadable.
int VerifyScript(const std::string& path, std::ostream& out, std::ostream& err,
                 bool load_when_clean);

// The state dict of the archive's module (torch.jit.load(f).state_dict()).
absl::StatusOr<Value> ScriptStateDict(const std::string& path);

// `ptser convert ts.pt OUT`: the archive rewritten as a TorchScript archive.
int ConvertScript(const std::string& in, const std::string& out_path, bool durable,
                  std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_SCRIPT_COMMANDS_H_
