// Copyright ptser authors.
//
// tools/cli/inspect_command.h — `ptser inspect`: what a file holds.
//
//   ptser inspect FILE [--json] [--pickle] [--code] [--keep-unknown-globals]
//
// The format, version and records of FILE, then every tensor at any depth:
// dtype, shape, strides, storage offset and which tensors share a storage.
// --json for scripts, with the whole object tree under "value"; --pickle the
// pickle opcode by opcode with byte offsets.  A TorchScript archive is shown
// by script_commands.h (its module tree, classes and code).  Nothing a file
// names is ever run: the file loads through ptser::Load's registry of
// allowed globals (--keep-unknown-globals keeps unknown classes inert).
//
// The report, text or JSON, is written to the stream as it is produced,
// never built whole (issue 12: 100,000 tensors peak at what the load itself
// takes); nothing is written before the file has loaded, so an error comes
// alone.
#ifndef PTSER_TOOLS_CLI_INSPECT_COMMAND_H_
#define PTSER_TOOLS_CLI_INSPECT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// Returns the exit status (tools/cli/common.h): kOk, kUnreadable or kUsage.
// The report goes to `out`, errors to `err`.
int Inspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_INSPECT_COMMAND_H_
