// Copyright ptser authors.
//
// tools/cli/verify_command.h — `ptser verify`: is a file safe to torch.load?
//
//   ptser verify FILE
//
// Every record's CRC-32 and the structure, and every global the pickle names
// with ptser's verdict (allowed, or REFUSED); a file PyTorch would read
// differently from ptser (a parser differential) is a finding.  FILE may be
// a sharded checkpoint's *.index.json (every shard, then the index against
// them) or a .safetensors file (every check of the reference reader).
#ifndef PTSER_TOOLS_CLI_VERIFY_COMMAND_H_
#define PTSER_TOOLS_CLI_VERIFY_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// Returns the exit status (tools/cli/common.h): kOk clean, kFinding, kUnreadable or kUsage.
// The report goes to `out`, errors to `err`.
int Verify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_VERIFY_COMMAND_H_
