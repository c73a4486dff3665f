// Copyright ptser authors.
//
// tools/cli/demo_command.h — `ptser demo`: the command around demo.h.
//
//   ptser demo [--out DIR]
//
// Runs RunDemo (demo.h) into DIR, or into a fresh temporary folder under
// $TMPDIR (default /tmp).  `ptser` with no command runs it too.
#ifndef PTSER_TOOLS_CLI_DEMO_COMMAND_H_
#define PTSER_TOOLS_CLI_DEMO_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// Returns the exit status (tools/cli/common.h): kOk, kUnreadable or kUsage.
// The report goes to `out`, errors to `err`.
int Demo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_DEMO_COMMAND_H_
