// Copyright ptser authors.
#include "jit/load.h"

#include <utility>

#include "base/status_macros.h"

namespace ptser {
namespace jit {
namespace {

absl::StatusOr<ScriptArchive> Attach(absl::StatusOr<ScriptArchive> archive,
                                     const LoadOptions& options) {
  if (!archive.ok()) return archive.status();
  const OperatorRegistry& ops =
      options.operators != nullptr ? *options.operators : DefaultOperators();
  PTSER_RETURN_IF_ERROR(AttachInterpreter(*archive, ops, options.interpreter).status());
  return archive;
}

}  // namespace

absl::StatusOr<ScriptArchive> LoadRunnableArchive(const std::string& path,
                                                  const LoadOptions& options) {
  return Attach(LoadScriptModule(path, options.archive), options);
}

absl::StatusOr<std::shared_ptr<ScriptModule>> Load(const std::string& path,
                                                   const LoadOptions& options) {
  PTSER_ASSIGN_OR_RETURN(ScriptArchive a, LoadRunnableArchive(path, options));
  return std::move(a.module);
}

absl::StatusOr<std::shared_ptr<ScriptModule>> LoadFromSource(
    std::shared_ptr<const ByteSource> source, const LoadOptions& options) {
  PTSER_ASSIGN_OR_RETURN(ScriptArchive a,
                         Attach(LoadScriptModuleFromSource(std::move(source), options.archive),
                                options));
  return std::move(a.module);
}

}  // namespace jit
}  // namespace ptser
