// Copyright ptser authors.
#include "tools/cli/demo_command.h"

#include <stdlib.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/cli/common.h"
#include "tools/cli/demo.h"

namespace ptser {
namespace cli {

int Demo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string out_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size()) {
      out_dir = args[++i];
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: ptser demo [--out DIR]\n\n"
             "Walks through the tensor examples of PyTorch's serialization note with\n"
             "ptser::Save and ptser::Load, printing what each step shows.\n";
      return kOk;
    } else {
      err << "ptser demo: unexpected argument '" << args[i] << "'\n";
      return kUsage;
    }
  }
  if (out_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/ptser-demo-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      err << "ptser demo: cannot create a temporary folder\n";
      return kUnreadable;
    }
    out_dir = buf.data();
  }
  absl::Status s = RunDemo(out_dir, out);
  return s.ok() ? kOk : Fail(err, s);
}

}  // namespace cli
}  // namespace ptser
