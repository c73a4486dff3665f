// Copyright ptser authors.
//
// tools/cli/run_command.h — `ptser run`: a TorchScript module's method run
// on ptser's interpreter (jit/load.h), without Python or libtorch.
//
//   ptser run model.pt --input args.pt --output out.pt [--method NAME]
//
// args.pt is a torch.save file of a tuple of arguments (a single non-tuple
// value is one argument); without --input the method gets none.  The result
// is saved as torch.save saves it, or printed as PyTorch's repr without
// --output.  A NamedTuple result is saved as a plain tuple and an enum
// member as its value (Python would pickle their classes, which exist only
// in the archive's code).
//
// Exit status: 0 success; 1 a refused archive, an unknown operator, code
// that is not valid TorchScript, an exception raised by the code (its
// message on stderr), a limit reached; 2 bad usage.
#ifndef PTSER_TOOLS_CLI_RUN_COMMAND_H_
#define PTSER_TOOLS_CLI_RUN_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace ptser {
namespace cli {

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_RUN_COMMAND_H_
