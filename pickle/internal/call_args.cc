// Copyright ptser authors.
#include "pickle/internal/call_args.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ptser {
namespace pickle_internal {

absl::StatusOr<int64_t> GetInt(const CallContext& ctx, const Value& v, absl::string_view what) {
  if (v.is_int()) return v.as_int();
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  return ctx.ArgError(what, "an int", v);
}

absl::StatusOr<bool> GetBool(const CallContext& ctx, const Value& v, absl::string_view what) {
  if (v.is_bool()) return v.as_bool();
  if (v.is_int()) return v.as_int() != 0;
  return ctx.ArgError(what, "a bool", v);
}

absl::StatusOr<double> GetDouble(const CallContext& ctx, const Value& v, absl::string_view what) {
  if (v.is_float()) return v.as_float();
  if (v.is_int()) return static_cast<double>(v.as_int());
  if (v.is_bool()) return v.as_bool() ? 1.0 : 0.0;
  return ctx.ArgError(what, "a float", v);
}

absl::StatusOr<std::vector<int64_t>> GetIntList(const CallContext& ctx, const Value& v,
                                                absl::string_view what) {
  if (v.is_size()) return v.size();
  if (!v.is_sequence()) return ctx.ArgError(what, "a tuple of ints", v);
  const absl::Span<const Value> items = v.sequence_items();
  std::vector<int64_t> out;
  out.reserve(items.size());
  for (const Value& item : items) {
    if (!item.is_int() && !item.is_bool()) return ctx.ArgError(what, "a tuple of ints", v);
    out.push_back(item.is_int() ? item.as_int() : item.as_bool());
  }
  return out;
}

absl::StatusOr<std::vector<Value>> GetIterable(const CallContext& ctx, const Value& v,
                                               absl::string_view what) {
  if (v.is_sequence()) {
    const absl::Span<const Value> items = v.sequence_items();
    return std::vector<Value>(items.begin(), items.end());
  }
  if (v.is_set() || v.is_frozenset()) return v.set().items();
  if (v.is_dict()) {
    std::vector<Value> keys;
    for (const auto& item : v.dict().items()) keys.push_back(item.key);
    return keys;
  }
  return ctx.ArgError(what, "an iterable (list, tuple, set or dict)", v);
}

absl::StatusOr<const TypedStorage*> GetStorage(const CallContext& ctx, const Value& v) {
  if (!v.is_storage()) {
    return ctx.ArgError("storage", "a storage (from the persistent-load hook)", v);
  }
  return &v.storage();
}

absl::Status Wrap(const CallContext& ctx, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(ctx.callee().FullName(), ": ", s.message()));
}

Value InertCall(const CallContext& ctx, absl::Span<const Value> args) {
  return Value::FromObject(std::make_shared<Value::Object>(
      ctx.callee(), Value::Object::Construction::kCall,
      Value::NewTuple(std::vector<Value>(args.begin(), args.end()))));
}

bool IsEmptyState(const Value& state) {
  auto empty = [](const Value& v) { return v.is_none() || (v.is_dict() && v.dict().empty()); };
  if (empty(state)) return true;
  return state.is_tuple() && state.tuple().size() == 2 && empty(state.tuple()[0]) &&
         empty(state.tuple()[1]);
}

}  // namespace pickle_internal
}  // namespace ptser
