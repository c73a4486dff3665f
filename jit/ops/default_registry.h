// Copyright ptser authors.
//
// jit/ops/default_registry.h — every operator family ptser implements, in
// one registry (DefaultOperators() in jit/ops/registry.h returns it).
#ifndef PTSER_JIT_OPS_DEFAULT_REGISTRY_H_
#define PTSER_JIT_OPS_DEFAULT_REGISTRY_H_

#include "absl/status/status.h"
#include "jit/ops/registry.h"

namespace ptser {
namespace jit {

// Registers every family into `registry` (in the order of
// default_registry.cc's list; the first failure stops it).
absl::Status RegisterDefaultOperators(OperatorRegistry& registry);

}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_DEFAULT_REGISTRY_H_
