// Copyright ptser authors.
//
// tools/cli/commands.h — the subcommands of `ptser` that read files.
//
// Each returns the process exit status and writes its report to `out`, its
// errors to `err`:  0 success, 1 a file ptser refuses or cannot read (the
// reason names the record and offset), 2 bad usage, 3 a finding (verify,
// diff).  Nothing a file names is ever run: every command loads through
// ptser::Load's registry of allowed globals.
#ifndef PTSER_TOOLS_CLI_COMMANDS_H_
#define PTSER_TOOLS_CLI_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// ptser inspect FILE [--json] [--pickle]
int Inspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// ptser verify FILE
int Verify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// ptser convert IN OUT [--format zip|legacy|safetensors]
int Convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// ptser compact IN OUT
int Compact(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// ptser diff A B [--rtol R] [--atol A]
int Diff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_COMMANDS_H_
