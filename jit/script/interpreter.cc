// Copyright ptser authors.
//
// The public API (Interpreter, AttachInterpreter), the entry points
// (RunMethod, RunFunction), the machine limits, and error locations.
// The rest of Interpreter::Impl: see internal/interpreter_impl.h.
#include "jit/script/interpreter.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "jit/ops/types.h"
#include "jit/script/ast.h"
#include "jit/script/internal/interpreter_impl.h"
#include "jit/script/parser.h"
#include "jit/script/upgraders.h"
#include "tensor/print/repr.h"
#include "tensor/storage.h"

namespace ptser {
namespace jit {

namespace interpreter_internal {

bool IsLocated(const absl::Status& s) { return s.GetPayload(kLocatedPayload).has_value(); }

absl::Status Locate(const SourceLocation& loc, absl::Status s) {
  if (s.ok() || IsLocated(s)) return s;
  absl::Status out(s.code(), absl::StrCat(script::LocationString(loc), ": ", s.message()));
  out.SetPayload(kLocatedPayload, absl::Cord("1"));
  return out;
}

absl::Status CompileError(const SourceLocation& loc, absl::string_view what) {
  return Locate(loc, absl::InvalidArgumentError(what));
}

GlobalRef SplitQualified(absl::string_view qualified) {
  const size_t dot = qualified.rfind('.');
  if (dot == absl::string_view::npos) return GlobalRef{"", std::string(qualified)};
  return GlobalRef{std::string(qualified.substr(0, dot)), std::string(qualified.substr(dot + 1))};
}

}  // namespace interpreter_internal

namespace {

// The lowest stack address the interpreter may reach on this thread: the
// thread's stack bottom plus a margin for the operators it calls (the
// native recursion is bounded by the stack actually left, whatever the
// build's frame sizes — sanitizers make them several times larger).
// Null when the thread's stack is unknown.
const char* ComputeStackFloor() {
  constexpr size_t kMargin = size_t{512} << 10;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return nullptr;
  void* addr = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || addr == nullptr || size <= 2 * kMargin) return nullptr;
  return static_cast<const char*>(addr) + kMargin;
}

// ComputeStackFloor() once per thread: for the main thread glibc's
// pthread_getattr_np reads and sscanf's /proc/self/maps, ~30 us — twice the
// whole forward of a small MLP when it ran on every top-level call.
const char* StackFloor() {
  thread_local const char* const floor = ComputeStackFloor();
  return floor;
}

// Three quarters of the smaller of the physical memory and the address
// space this process may use.
uint64_t DefaultMemoryLimit() {
  uint64_t limit = UINT64_MAX;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) {
    limit = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    limit = std::min<uint64_t>(limit, rl.rlim_cur);
  }
  if (limit == UINT64_MAX) return uint64_t{1} << 34;
  return limit / 4 * 3;
}

}  // namespace

Interpreter::Impl::Impl(const OperatorRegistry& ops, InterpreterOptions options,
                        uint64_t version)
    : ops_(ops), options_(options), version_(version) {
  ctx_.max_alloc_bytes = options_.max_alloc_bytes;
  ctx_.out = options_.out;
  memory_limit_ = options_.max_memory_bytes != 0 ? options_.max_memory_bytes
                                                 : DefaultMemoryLimit();
  if (static_cast<uint64_t>(ctx_.max_alloc_bytes) > memory_limit_) {
    ctx_.max_alloc_bytes = static_cast<int64_t>(memory_limit_);
  }
}

// ---------------------------------------------------------------------------
// Running.

absl::StatusOr<Value> Interpreter::Impl::RunMethod(ScriptModule& self, absl::string_view method,
                                                   std::vector<Value> args) {
  auto it = classes_.find(self.qualified_name());
  if (it == classes_.end()) {
    return absl::NotFoundError(
        absl::StrCat("the archive's code defines no class ", self.qualified_name()));
  }
  auto m = it->second->methods.find(method);
  if (m == it->second->methods.end()) {
    return absl::NotFoundError(absl::StrCat("'", self.qualified_name(), "' has no method '",
                                            method, "'"));
  }
  if (self.weak_from_this().expired()) {
    return absl::FailedPreconditionError(absl::StrCat(
        self.qualified_name(), " is not held by a std::shared_ptr (make modules with "
        "std::make_shared, as the loader does): methods cannot run on it"));
  }
  std::vector<Value> all;
  all.reserve(args.size() + 1);
  all.push_back(self.AsValue());
  for (Value& a : args) all.push_back(std::move(a));
  // Top-level arguments are converted to the declared types, as
  // TorchScript's Python binding does (an int for a float parameter).
  const CompiledFunction& fn = *m->second;
  for (size_t i = 1; i < all.size() && i < fn.param_type_values.size(); ++i) {
    const Type* type = fn.param_type_values[i].get();
    if (type == nullptr) continue;
    const TypeMatch match = MatchType(all[i], *type);
    if (match == TypeMatch::kNo) {
      return absl::InvalidArgumentError(absl::StrCat(
          fn.qualified_name, "() expected a value of type '", type->Str(),
          "' for argument '", fn.params[i], "' but got a ", all[i].TypeName()));
    }
    if (match == TypeMatch::kConvertible) {
      PTSER_ASSIGN_OR_RETURN(all[i], ConvertToType(all[i], *type));
    }
  }
  if (call_depth_ == 0) {
    steps_ = 0;
    traceback_lines_ = 0;
    stack_floor_ = StackFloor();
  }
  Storage::ScopedLiveBytesLimit limit(memory_limit_, "InterpreterOptions::max_memory_bytes");
  return Call(fn, nullptr, absl::MakeSpan(all), {}, {}, nullptr);
}

absl::StatusOr<Value> Interpreter::Impl::RunFunction(absl::string_view name,
                                                     std::vector<Value> args) {
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    return absl::NotFoundError(absl::StrCat("the archive's code defines no function ", name));
  }
  if (call_depth_ == 0) {
    steps_ = 0;
    traceback_lines_ = 0;
    stack_floor_ = StackFloor();
  }
  Storage::ScopedLiveBytesLimit limit(memory_limit_, "InterpreterOptions::max_memory_bytes");
  return Call(*it->second, nullptr, absl::MakeSpan(args), {}, {}, nullptr);
}

// ---------------------------------------------------------------------------

Interpreter::Interpreter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Interpreter::~Interpreter() = default;

absl::StatusOr<Value> Interpreter::RunMethod(ScriptModule& self, absl::string_view method,
                                             std::vector<Value> args) {
  return impl_->RunMethod(self, method, std::move(args));
}
bool Interpreter::HasMethod(const ScriptModule& self, absl::string_view method) const {
  return impl_->HasMethod(self, method);
}
absl::StatusOr<Value> Interpreter::RunFunction(absl::string_view name, std::vector<Value> args) {
  return impl_->RunFunction(name, std::move(args));
}
uint64_t Interpreter::version() const { return impl_->version(); }
const InterpreterOptions& Interpreter::options() const { return impl_->options(); }

absl::StatusOr<std::shared_ptr<Interpreter>> AttachInterpreter(const ScriptArchive& archive,
                                                               const OperatorRegistry& ops,
                                                               const InterpreterOptions& options) {
  auto impl = std::make_unique<Interpreter::Impl>(ops, options, archive.version);
  PTSER_RETURN_IF_ERROR(impl->Load(archive));
  std::shared_ptr<Interpreter> interp(new Interpreter(std::move(impl)));
  if (archive.module != nullptr) archive.module->SetRunner(interp);
  return interp;
}

}  // namespace jit
}  // namespace ptser
