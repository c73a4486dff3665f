// Copyright ptser authors.
//
// tools/cli/demo.h — `ptser demo`: the tensor half of PyTorch's
// "Serialization semantics" note, walked through in C++ and printed step by
// step as the note shows it.  Every file is written with ptser::Save into
// `out_dir` and read back with ptser::Load; the interop tests load the same
// files with real torch.load.
#ifndef PTSER_TOOLS_CLI_DEMO_H_
#define PTSER_TOOLS_CLI_DEMO_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace ptser {
namespace cli {

absl::Status RunDemo(const std::string& out_dir, std::ostream& out);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_DEMO_H_
