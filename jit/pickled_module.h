// Copyright ptser authors.
//
// jit/pickled_module.h — the state dict of a model saved whole
// (`torch.save(model)`), without running anything.
//
// Such a file names the model's classes (`__main__.Net`,
// `torch.nn.modules.linear.Linear`); ptser refuses it by default.  Loaded
// with UnpicklerOptions::UnknownGlobals::kKeepInert, each module is an inert
// Object whose BUILD state is its `__dict__`.  StateDictOfPickledModule walks
// those objects as PyTorch's state_dict() walks modules: each module's
// `_parameters` (None skipped), then its `_buffers` minus the names in
// `_non_persistent_buffers_set`, then its `_modules` in order, keys prefixed
// by the path — giving the OrderedDict `model.state_dict()` gives, with its
// `_metadata`.
//
// What cannot be known without the classes' code, and so is PyTorch's rule
// for the classes ptser knows: each module's `_version` (2 for batch and
// instance norm and the fused conv-bn modules, 1 for every other class —
// a user class that sets its own `_version` gets 1 here); a class that
// overrides _save_to_state_dict (quantized modules do: they are refused) or
// get_extra_state.
//
// Errors: not a module (no `_parameters`/`_buffers`/`_modules` dicts), a
// parameter or buffer that is not a tensor, a module tree deeper than
// `max_depth` or containing itself: InvalidArgumentError naming the path.
#ifndef PTSER_JIT_PICKLED_MODULE_H_
#define PTSER_JIT_PICKLED_MODULE_H_

#include "absl/status/statusor.h"
#include "pickle/value.h"

namespace ptser {

absl::StatusOr<Value> StateDictOfPickledModule(const Value& model, int max_depth = 1000);

}  // namespace ptser

#endif  // PTSER_JIT_PICKLED_MODULE_H_
