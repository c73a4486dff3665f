// Copyright ptser authors.
//
// pickle/internal/value_common.h — what the source files of //pickle:value
// share: value.cc (construction, accessors, containers, release),
// value_hash.cc (Python equality and hashing), value_repr.cc (repr) and
// value_graph.cc (walks over a graph of containers).  Not part of the API: a
// private source of the `value` target.
#ifndef PTSER_PICKLE_INTERNAL_VALUE_COMMON_H_
#define PTSER_PICKLE_INTERNAL_VALUE_COMMON_H_

#include <cstddef>

#include "pickle/value.h"

namespace ptser {
namespace value_internal {

// Recursive walks (repr, equality, hashing) stop at this depth.
inline constexpr int kMaxRecursion = 1000;

// Whether a value of kind `k` holds other values by reference (a list,
// tuple, dict, set, frozenset or object).
inline bool IsContainerKind(Value::Kind k) {
  switch (k) {
    case Value::Kind::kList:
    case Value::Kind::kTuple:
    case Value::Kind::kDict:
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
    case Value::Kind::kObject:
      return true;
    default:
      return false;
  }
}

// The hash of a dict key or set member `v` (hashable: IsHashable() is true),
// met `depth` levels down a walk: integral numbers hash as their int64, so
// that 1, 1.0, True and 1+0j agree, as in Python.
size_t HashKey(const Value& v, int depth);

// Python == between dict keys or set members: numbers across their types,
// containers item by item, tensors and objects by identity.
bool KeyEquals(const Value& a, const Value& b);

}  // namespace value_internal
}  // namespace ptser

#endif  // PTSER_PICKLE_INTERNAL_VALUE_COMMON_H_
