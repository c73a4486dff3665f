// Copyright ptser authors.
//
// tools/cli/compact_command.h — `ptser compact`: storages trimmed to their views.
//
//   ptser compact IN OUT
//
// Rewrites IN with every storage trimmed to the bytes its tensors use
// (SaveOptions::compact); views keep sharing their smaller storage.  Prints
// the sizes before and after.  OUT may be IN.
#ifndef PTSER_TOOLS_CLI_COMPACT_COMMAND_H_
#define PTSER_TOOLS_CLI_COMPACT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// Returns the exit status (tools/cli/common.h): kOk, kUnreadable or kUsage.
// The report goes to `out`, errors to `err`.
int Compact(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_COMPACT_COMMAND_H_
