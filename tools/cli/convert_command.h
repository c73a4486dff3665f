// Copyright ptser authors.
//
// tools/cli/convert_command.h — `ptser convert`: a file rewritten in another format.
//
//   ptser convert IN OUT [--format zip|legacy|safetensors] [--protocol N]
//                        [--state-dict] [--max-growth N] [--no-fsync]
//
// Reads any file ptser loads and writes it atomically (a failed convert
// leaves nothing at OUT), at IN's pickle protocol unless --protocol says.  A
// zip converted to zip is CRC-checked in one pass over its storages.  A
// TorchScript archive stays one (script_commands.h); --state-dict writes the
// state dict of a TorchScript archive or of a whole pickled model instead.
#ifndef PTSER_TOOLS_CLI_CONVERT_COMMAND_H_
#define PTSER_TOOLS_CLI_CONVERT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// Returns the exit status (tools/cli/common.h): kOk, kUnreadable or kUsage.
// The report goes to `out`, errors to `err`.
int Convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_CONVERT_COMMAND_H_
