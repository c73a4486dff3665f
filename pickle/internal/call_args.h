// Copyright ptser authors.
//
// pickle/internal/call_args.h — reading the arguments of a global's call.
//
// The handlers of TorchGlobals() (torch_globals.cc) and of the tensor codec
// (tensor_codec.cc) receive untrusted arguments.  These helpers read one
// argument as the Python function would accept it and otherwise return the
// CallContext's InvalidArgumentError naming the callee and the argument:
//
//   GetInt(ctx, Value::Bool(true), "axis")      → 1 (a bool is an int)
//   GetIntList(ctx, Value::Str("2"), "size")
//       → "torch._utils._rebuild_tensor_v2: size must be a tuple of ints, got str"
//
// Logically private to //pickle.
#ifndef PTSER_PICKLE_INTERNAL_CALL_ARGS_H_
#define PTSER_PICKLE_INTERNAL_CALL_ARGS_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "pickle/globals.h"
#include "pickle/value.h"

namespace ptser {
namespace pickle_internal {

// An int (a bool counts as 0 or 1).
absl::StatusOr<int64_t> GetInt(const CallContext& ctx, const Value& v, absl::string_view what);

// A bool (an int counts as its truth value).
absl::StatusOr<bool> GetBool(const CallContext& ctx, const Value& v, absl::string_view what);

// A float (an int or a bool converts).
absl::StatusOr<double> GetDouble(const CallContext& ctx, const Value& v, absl::string_view what);

// A torch.Size, or a tuple or list whose items are ints (or bools).
absl::StatusOr<std::vector<int64_t>> GetIntList(const CallContext& ctx, const Value& v,
                                                absl::string_view what);

// The items of an iterable: a list, tuple, set, frozenset, or a dict's keys.
absl::StatusOr<std::vector<Value>> GetIterable(const CallContext& ctx, const Value& v,
                                               absl::string_view what);

// The storage a persistent-load hook returned; the pointer views `v`'s.
absl::StatusOr<const TypedStorage*> GetStorage(const CallContext& ctx, const Value& v);

// `s` with the callee's full name in front of its message, code kept.
absl::Status Wrap(const CallContext& ctx, const absl::Status& s);

// The call kept as it was written: an inert Object of the callee with
// `args`, which saves back unchanged.
Value InertCall(const CallContext& ctx, absl::Span<const Value> args);

// True for "no Python state": None, {}, or (None|{}, None|{}), the state a
// plain tensor or Parameter carries.
bool IsEmptyState(const Value& state);

}  // namespace pickle_internal
}  // namespace ptser

#endif  // PTSER_PICKLE_INTERNAL_CALL_ARGS_H_
