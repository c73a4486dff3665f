// Copyright ptser authors.
//
// ptser — a safe command line tool for PyTorch checkpoint files.
//
// Exit status: 0 success, 1 a file ptser refuses or cannot read (the reason on
// stderr), 2 bad usage, 3 a finding of `verify` or `diff`.
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "archive/byte_sink.h"
#include "tools/cli/common.h"
#include "tools/cli/compact_command.h"
#include "tools/cli/convert_command.h"
#include "tools/cli/demo_command.h"
#include "tools/cli/diff_command.h"
#include "tools/cli/inspect_command.h"
#include "tools/cli/run_command.h"
#include "tools/cli/verify_command.h"

namespace {

constexpr char kUsage[] =
    "usage: ptser <command> [options]\n"
    "\n"
    "commands:\n"
    "  demo [--out DIR]       the serialization note's tensor examples, saved and\n"
    "                         loaded with ptser (files in a temporary folder or DIR)\n"
    "  inspect FILE [--json] [--pickle] [--code]\n"
    "                         format, records, tensors and shared storages; a\n"
    "                         TorchScript archive's module tree and code\n"
    "  verify FILE            CRCs, structure and a verdict on every global named\n"
    "  convert IN OUT [--format zip|legacy|safetensors] [--state-dict]\n"
    "                         rewrite in another format (atomic); --state-dict: a\n"
    "                         TorchScript archive's state dict\n"
    "  compact IN OUT         trim storages to what their views use\n"
    "  diff A B [--rtol R] [--atol A]\n"
    "                         compare two checkpoints tensor by tensor\n"
    "  run FILE [--input ARGS.pt] [--output OUT.pt] [--method NAME]\n"
    "                         run a TorchScript module's method (forward) on\n"
    "                         ptser's interpreter; ARGS.pt: a saved tuple\n"
    "\n"
    "  inspect, verify, convert, compact and diff also take\n"
    "  --max-pickle-growth N  a file's pickle may inflate to, and its values take,\n"
    "                         N times the file's size (at least 64 MiB; default 64)\n"
    "\n"
    "  ptser COMMAND --help   more about one command\n"
    "\n"
    "exit status: 0 ok, 1 unreadable or refused file, 2 bad usage, 3 finding\n";

}  // namespace

int main(int argc, char** argv) {
  // A convert or compact interrupted by a signal leaves no temporary file.
  ptser::RemoveTemporaryFilesOnSignals();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    // The README's main job: `tools/bazel run //tools:ptser` with no command
    // runs the embedded demo.
    return ptser::cli::Demo({}, std::cout, std::cerr);
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "inspect" || command == "verify" || command == "convert" ||
      command == "compact" || command == "diff") {
    const absl::Status flags = ptser::cli::TakeLoadFlags(&args);
    if (!flags.ok()) {
      std::cerr << "ptser " << command << ": " << flags.message() << "\n";
      return ptser::cli::kUsage;
    }
  }
  if (command == "demo") return ptser::cli::Demo(args, std::cout, std::cerr);
  if (command == "inspect") return ptser::cli::Inspect(args, std::cout, std::cerr);
  if (command == "verify") return ptser::cli::Verify(args, std::cout, std::cerr);
  if (command == "convert") return ptser::cli::Convert(args, std::cout, std::cerr);
  if (command == "compact") return ptser::cli::Compact(args, std::cout, std::cerr);
  if (command == "diff") return ptser::cli::Diff(args, std::cout, std::cerr);
  if (command == "run") return ptser::cli::Run(args, std::cout, std::cerr);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "ptser: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
