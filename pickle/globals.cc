// Copyright ptser authors.

#include "pickle/globals.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

struct NameMapping {
  const char* from_module;
  const char* from_name;
  const char* to_module;
  const char* to_name;
};

// Python 2 → 3 (a subset of `_compat_pickle.NAME_MAPPING`: the builtins).
constexpr NameMapping kNameMapping[] = {
    {"__builtin__", "xrange", "builtins", "range"},
    {"__builtin__", "reduce", "functools", "reduce"},
    {"__builtin__", "intern", "sys", "intern"},
    {"__builtin__", "unichr", "builtins", "chr"},
    {"__builtin__", "unicode", "builtins", "str"},
    {"__builtin__", "long", "builtins", "int"},
    {"__builtin__", "basestring", "builtins", "str"},
};

// `_compat_pickle.REVERSE_NAME_MAPPING` for the builtins a pickler writes.
constexpr NameMapping kReverseNameMapping[] = {
    {"builtins", "range", "__builtin__", "xrange"},
    {"builtins", "chr", "__builtin__", "unichr"},
    {"builtins", "str", "__builtin__", "unicode"},
    {"builtins", "int", "__builtin__", "long"},
};

struct ModuleMapping {
  const char* from;
  const char* to;
};

// `_compat_pickle.IMPORT_MAPPING` (subset) plus PyTorch's module rename.
constexpr ModuleMapping kModuleMapping[] = {
    {"__builtin__", "builtins"},
    {"copy_reg", "copyreg"},
    {"torch.tensor", "torch._tensor"},
};

constexpr ModuleMapping kReverseModuleMapping[] = {
    {"builtins", "__builtin__"},
    {"copyreg", "copy_reg"},
};

Value MakeInertObject(const CallContext& ctx, absl::Span<const Value> args,
                      Value::Object::Construction how) {
  Value kwargs = how == Value::Object::Construction::kNewObjEx
                     ? ctx.kwargs()
                     : Value();
  return Value::FromObject(std::make_shared<Value::Object>(
      ctx.callee(), how,
      Value::NewTuple(std::vector<Value>(args.begin(), args.end())),
      std::move(kwargs)));
}

}  // namespace

GlobalRef MapLegacyGlobalName(GlobalRef name) {
  for (const NameMapping& m : kNameMapping) {
    if (name.module == m.from_module && name.name == m.from_name) {
      return GlobalRef{m.to_module, m.to_name};
    }
  }
  for (const ModuleMapping& m : kModuleMapping) {
    if (name.module == m.from) {
      name.module = m.to;
      break;
    }
  }
  return name;
}

GlobalRef ReverseMapToPython2(GlobalRef name) {
  for (const NameMapping& m : kReverseNameMapping) {
    if (name.module == m.from_module && name.name == m.from_name) {
      return GlobalRef{m.to_module, m.to_name};
    }
  }
  for (const ModuleMapping& m : kReverseModuleMapping) {
    if (name.module == m.from) {
      name.module = m.to;
      break;
    }
  }
  return name;
}

// ---------------------------------------------------------------------------

absl::StatusOr<Value> CallContext::Call(const Value& callable,
                                        absl::Span<const Value> args) const {
  if (!callable.is_global()) {
    return absl::InvalidArgumentError(
        absl::StrCat(callee_->FullName(), ": expected a function, got ",
                     callable.TypeName()));
  }
  const GlobalRef& ref = callable.global();
  const GlobalHandler* handler = registry_->Find(ref.module, ref.name);
  if (handler == nullptr || !handler->call) {
    return absl::InvalidArgumentError(absl::StrCat(
        callee_->FullName(), ": cannot call '", ref.FullName(), "'"));
  }
  CallContext inner(*registry_, ref, offset_);
  return handler->call(inner, args);
}

absl::Status CallContext::ExpectArgCount(absl::Span<const Value> args,
                                         size_t min, size_t max) const {
  if (kwargs_.is_dict() && !kwargs_.dict().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        callee_->FullName(), "() got unexpected keyword arguments"));
  }
  if (args.size() < min || args.size() > max) {
    std::string range = min == max ? absl::StrCat(min)
                                   : absl::StrCat(min, " to ", max);
    return absl::InvalidArgumentError(
        absl::StrCat(callee_->FullName(), "() takes ", range, " argument",
                     min == 1 && max == 1 ? "" : "s", " (", args.size(),
                     " given)"));
  }
  return absl::OkStatus();
}

absl::Status CallContext::ArgError(absl::string_view what,
                                   absl::string_view expected,
                                   const Value& got) const {
  return absl::InvalidArgumentError(absl::StrCat(callee_->FullName(), ": ",
                                                 what, " must be ", expected,
                                                 ", got ", got.TypeName()));
}

// ---------------------------------------------------------------------------

GlobalHandler GlobalHandler::InertClass() {
  GlobalHandler h;
  h.call = [](const CallContext& ctx,
              absl::Span<const Value> args) -> absl::StatusOr<Value> {
    return MakeInertObject(ctx, args, Value::Object::Construction::kCall);
  };
  h.new_object = [](const CallContext& ctx,
                    absl::Span<const Value> args) -> absl::StatusOr<Value> {
    return MakeInertObject(ctx, args,
                           ctx.kwargs().is_none()
                               ? Value::Object::Construction::kNewObj
                               : Value::Object::Construction::kNewObjEx);
  };
  return h;
}

GlobalHandler GlobalHandler::NameOnly() { return GlobalHandler(); }

GlobalHandler GlobalHandler::Constant(Value v) {
  GlobalHandler h;
  h.value = std::move(v);
  return h;
}

void GlobalRegistry::Register(absl::string_view module, absl::string_view name,
                              GlobalHandler handler) {
  exact_[{std::string(module), std::string(name)}] =
      std::make_shared<const GlobalHandler>(std::move(handler));
}

void GlobalRegistry::RegisterPattern(NamePredicate predicate,
                                     GlobalHandler handler) {
  patterns_.emplace_back(std::move(predicate),
                         std::make_shared<const GlobalHandler>(std::move(handler)));
}

bool GlobalRegistry::Unregister(absl::string_view module,
                                absl::string_view name) {
  return exact_.erase({std::string(module), std::string(name)}) > 0;
}

const GlobalHandler* GlobalRegistry::Find(absl::string_view module,
                                          absl::string_view name) const {
  auto it = exact_.find(NameView(module, name));
  if (it != exact_.end()) return it->second.get();
  for (const auto& [predicate, handler] : patterns_) {
    if (predicate(module, name)) return handler.get();
  }
  return nullptr;
}

}  // namespace ptser
