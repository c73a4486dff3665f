// Copyright ptser authors.
#include "tools/cli/compact_command.h"

#include <sys/stat.h>

#include "archive/save.h"
#include "tools/cli/common.h"
#include "tools/cli/progress.h"

namespace ptser {
namespace cli {

int Compact(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) {
    (args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? out : err)
        << "usage: ptser compact IN OUT\n\n"
           "Rewrites IN with every storage trimmed to the bytes its tensors use; views\n"
           "keep sharing their (smaller) storage.  Prints the sizes before and after.\n";
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kOk : kUsage;
  }
  // The size of IN before the save: OUT may be IN itself (`compact X X`).
  struct stat in_stat;
  const bool have_in_size = stat(args[0].c_str(), &in_stat) == 0;
  absl::StatusOr<Value> value = LoadForTools(args[0]);
  if (!value.ok()) return Fail(err, value.status());
  SaveOptions save;
  save.compact = true;
  ProgressBar bar("compact");
  save.progress = bar.Callback();
  absl::Status s = Save(*value, args[1], save);
  bar.Finish();
  if (!s.ok()) return Fail(err, s);
  struct stat out_stat;
  if (have_in_size && stat(args[1].c_str(), &out_stat) == 0) {
    out << args[0] << ": " << in_stat.st_size << " bytes -> " << args[1] << ": "
        << out_stat.st_size << " bytes\n";
  }
  return kOk;
}

}  // namespace cli
}  // namespace ptser
