// Copyright ptser authors.
//
// tools/cli/script_demo.h — the TorchScript section of `ptser demo`: the
// note's scripted MyModule saved, loaded and run; the control-flow module
// traced and scripted; the div/full upgraders on archives of versions 3, 4
// and 5.  The archives are written by ptser (jit/script_archive.h) with the
// code PyTorch 1.13 prints for those modules.
#ifndef PTSER_TOOLS_CLI_SCRIPT_DEMO_H_
#define PTSER_TOOLS_CLI_SCRIPT_DEMO_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace ptser {
namespace cli {

absl::Status ScriptDemo(const std::string& dir, std::ostream& out);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_SCRIPT_DEMO_H_
