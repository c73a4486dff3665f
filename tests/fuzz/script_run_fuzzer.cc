// Copyright ptser authors.
//
// Fuzzes the TorchScript interpreter (jit/script/interpreter.h) from code
// text: the input is the body of a class `M(Module)` (its methods, and any
// classes or functions after it) in the record code/__torch__.py.  The
// archive is compiled against the default operators and, when that works,
// `forward` is run with no argument, then with the int 3, under small limits
// (steps, call depth, memory).  Any outcome is fine but a crash, a sanitizer
// report, a hang or an allocation past the limits.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "jit/ops/registry.h"
#include "jit/script/interpreter.h"
#include "jit/script_archive.h"
#include "jit/script_module.h"
#include "pickle/value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ptser;
  using namespace ptser::jit;
  if (size > 64 * 1024) return 0;
  const std::string code = "class M(Module):\n"
                           "  __parameters__ = []\n"
                           "  __buffers__ = []\n"
                           "  training : bool\n"
                           "  n : int\n" +
                           std::string(reinterpret_cast<const char*>(data), size);
  ScriptArchive archive;
  archive.prefix = "fuzz";
  archive.version = 3 + (size % 8);
  archive.constants = Value::NewTuple({Value::Str("c0"), Value::Int(7)});
  absl::StatusOr<std::vector<ScriptClass>> classes = ParseCodeRecord("code/__torch__.py", code);
  if (!classes.ok() || classes->empty() || (*classes)[0].name != "M") return 0;
  for (ScriptClass& c : *classes) {
    archive.classes.push_back(std::make_shared<const ScriptClass>(std::move(c)));
  }
  archive.code_records.push_back({"code/__torch__.py", code});
  auto m = std::make_shared<ScriptModule>(archive.classes[0]);
  m->AddTraining(false);
  m->AddAttribute("n", Value::Int(3));
  archive.module = m;
  InterpreterOptions options;
  options.max_steps = 20000;
  options.max_call_depth = 40;
  options.max_memory_bytes = uint64_t{64} << 20;
  options.max_alloc_bytes = int64_t{16} << 20;
  std::ostringstream sink;
  options.out = &sink;
  absl::StatusOr<std::shared_ptr<Interpreter>> interp =
      AttachInterpreter(archive, DefaultOperators(), options);
  if (!interp.ok() || !m->HasMethod("forward")) return 0;
  (void)m->RunMethod("forward", {});
  (void)m->Forward({Value::Int(3)});
  return 0;
}
