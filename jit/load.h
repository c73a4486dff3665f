// Copyright ptser authors.
//
// jit/load.h — TorchScript modules loaded and run in C++, without libtorch:
// libtorch's `torch::jit::load(path)` and `module.forward(inputs)`.
//
//   PTSER_ASSIGN_OR_RETURN(std::shared_ptr<ptser::jit::ScriptModule> m,
//                          ptser::jit::Load("model.pt"));
//   m->Eval();                                      // module.eval()
//   PTSER_ASSIGN_OR_RETURN(ptser::Value out,
//                          m->Forward({ptser::Value::FromTensor(x)}));
//   m->RunMethod("predict", {...});                 // another method
//   m->Attr("l0");                                  // a child, parameter, attribute
//   m->StateDict();                                 // == module.state_dict()
//
// The module is a ptser::Module (jit/module.h) and a ScriptModule
// (jit/script_module.h): named_parameters(), state_dict() and
// load_state_dict() work on it as on a module a C++ class defines.  Its
// methods run on ptser's interpreter (jit/script/interpreter.h) with
// PyTorch's semantics, including the historic operator behaviour the
// archive's version asks for (jit/script/upgraders.h).  Loading compiles
// every method: an operator ptser lacks, or code that is not valid
// TorchScript, is an error here, naming the code record, line and column.
#ifndef PTSER_JIT_LOAD_H_
#define PTSER_JIT_LOAD_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "archive/byte_source.h"
#include "jit/ops/registry.h"
#include "jit/script/interpreter.h"
#include "jit/script_archive.h"
#include "jit/script_module.h"

namespace ptser {
namespace jit {

struct LoadOptions {
  LoadScriptOptions archive;
  InterpreterOptions interpreter;
  // The operators methods may call.  Null: DefaultOperators().
  const OperatorRegistry* operators = nullptr;
};

// torch::jit::load(path): the root module, ready to run.
absl::StatusOr<std::shared_ptr<ScriptModule>> Load(const std::string& path,
                                                   const LoadOptions& options = {});
absl::StatusOr<std::shared_ptr<ScriptModule>> LoadFromSource(
    std::shared_ptr<const ByteSource> source, const LoadOptions& options = {});

// The whole archive with its module ready to run (to save it back after
// running, jit/script_archive.h's SaveScriptModule).
absl::StatusOr<ScriptArchive> LoadRunnableArchive(const std::string& path,
                                                  const LoadOptions& options = {});

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_LOAD_H_
