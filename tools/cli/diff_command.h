// Copyright ptser authors.
//
// tools/cli/diff_command.h — `ptser diff`: two checkpoints compared.
//
//   ptser diff A B [--rtol R] [--atol A]
//
// Compares two checkpoints object by object and tensor by tensor, as
// torch.allclose (|a - b| <= atol + rtol * |b|); quantized tensors exactly,
// as torch.equal; other leaves bit for bit.  A TorchScript archive is
// compared by its state dict.  Lists at most 1000 differences.
#ifndef PTSER_TOOLS_CLI_DIFF_COMMAND_H_
#define PTSER_TOOLS_CLI_DIFF_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

// Returns the exit status (tools/cli/common.h): kOk equal, kFinding
// different, kUnreadable or kUsage.  The report goes to `out`, errors to
// `err`.
int Diff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_DIFF_COMMAND_H_
