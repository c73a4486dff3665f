// Copyright ptser authors.
//
// jit/script/interpreter.h — runs the TorchScript code of an archive on the
// one value model (docs/formats/torchscript.md, "Running code").
//
// Create() parses every code record of the archive (jit/script/parser.h)
// and compiles every class and function in it: names resolve to local
// slots, `torch.X`/`ops.ns.X` calls to operators of the registry
// (jit/ops/registry.h), `__torch__.…` names to the archive's functions,
// classes and enum members, `CONSTANTS.cN` to constants.pkl's values.  An
// operator the registry lacks is an error here, at load time, naming it and
// its code location — as torch.jit.load reports unknown operators.
//
// Running walks the compiled tree.  Values are pickle/value.h's: modules are
// ModuleValues (jit/script_module.h); script-class instances, NamedTuples
// and enum members are Value::Objects of their class (a NamedTuple is
// `Pt.__new__(Pt, *fields)`, as Python pickles one; an enum member
// `Color(value)`, as data.pkl holds one; a class instance `Cls.__new__(Cls)`
// with its attributes as the BUILD state); futures of `fork` are opaque
// values.  Each call resolves its
// operator overload on the argument values (cached per call site).
//
// The archive's version selects PyTorch's historic operator behaviour
// (jit/script/upgraders.h): an archive of version 3 divides integer tensors
// with truncation, one of version 4 fills `torch.full([3], 1)` with floats.
// A function can be a value (the printer hoists `_0 = __torch__.f` before
// calling `_0(x)`); a nested def is callable while its defining call runs.
//
// Limits (InterpreterOptions) bound what hostile code can do: nested calls,
// steps (statements and loop iterations), the bytes one operator may
// allocate.  Errors name the code location; an exception raised by the
// code (`ops.prim.RaiseException`, a failed assert) comes back as a Status
// with its message and a short traceback.
//
// One interpreter runs one call at a time: calls from several threads on
// modules of one archive must be serialized by the caller.
#ifndef PTSER_JIT_SCRIPT_INTERPRETER_H_
#define PTSER_JIT_SCRIPT_INTERPRETER_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jit/ops/registry.h"
#include "jit/script_archive.h"
#include "jit/script_module.h"
#include "pickle/value.h"

namespace ptser {
namespace jit {

struct InterpreterOptions {
  // Deepest nesting of TorchScript calls (functions and methods).
  // Default: 200 (a deeper recursion is ResourceExhaustedError).
  size_t max_call_depth = 200;
  // Statements and loop iterations one top-level call may execute.
  // Default: 10 million (seconds at most; an endless loop ends with
  // ResourceExhaustedError naming the step limit).  A resnet18 forward
  // takes a few thousand.
  uint64_t max_steps = 10'000'000;
  // Bytes one operator may allocate for one result.  Default: 8 GiB (at
  // most max_memory_bytes).
  int64_t max_alloc_bytes = int64_t{1} << 33;
  // Bytes of tensor storage the process may hold while a call runs
  // (tensor/storage.h's ScopedLiveBytesLimit): an allocation past it is
  // ResourceExhaustedError naming "the memory limit".  0 (the default):
  // three quarters of the smaller of the physical memory and the address
  // space limit (RLIMIT_AS).
  uint64_t max_memory_bytes = 0;
  // Where `print` writes.  Null: std::cout.
  std::ostream* out = nullptr;
};

class Interpreter;

// Compiles the code of `archive` against `ops` (which must outlive the
// interpreter) and attaches the interpreter to `archive.module` and its
// descendants (ScriptModule::Forward / RunMethod then work).  Errors name
// the code record, line and column.
absl::StatusOr<std::shared_ptr<Interpreter>> AttachInterpreter(
    const ScriptArchive& archive, const OperatorRegistry& ops,
    const InterpreterOptions& options = {});

class Interpreter : public MethodRunner {
 public:
  ~Interpreter() override;

  absl::StatusOr<Value> RunMethod(ScriptModule& self, absl::string_view method,
                                  std::vector<Value> args) override;
  bool HasMethod(const ScriptModule& self, absl::string_view method) const override;

  // Calls the free function `qualified_name` ("__torch__.foo.bar").
  absl::StatusOr<Value> RunFunction(absl::string_view qualified_name, std::vector<Value> args);

  uint64_t version() const;
  const InterpreterOptions& options() const;

  class Impl;

 private:
  friend absl::StatusOr<std::shared_ptr<Interpreter>> AttachInterpreter(
      const ScriptArchive&, const OperatorRegistry&, const InterpreterOptions&);
  explicit Interpreter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_INTERPRETER_H_
