// Copyright ptser authors.
//
// tests/crash/crash_state.h — the state dicts the crash-safety tests save.
//
// A state dict of many tensors whose names, shapes, dtypes and contents all
// follow from one seed, so that a process that only knows the seed (the
// parent of a killed `save_child`) can tell exactly what a complete file
// saved from it holds.  Shapes change with the seed, so files of different
// seeds differ in size as well as in content.
//
//   PTSER_ASSIGN_OR_RETURN(Value sd, crash::MakeStateDict(7, 32 << 20));
//   PTSER_RETURN_IF_ERROR(crash::CheckStateDict(ptser::Load(path).value(), 7,
//                                               32 << 20));
#ifndef PTSER_TESTS_CRASH_CRASH_STATE_H_
#define PTSER_TESTS_CRASH_CRASH_STATE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pickle/value.h"

namespace ptser {
namespace crash {

// The default size of the kill test's state dicts (tensor bytes).
inline constexpr int64_t kDefaultStateBytes = int64_t{24} << 20;

// An OrderedDict "meta.seed" (int64 [1] holding `seed`), then layers
// "layers.<i>.weight" (float32 2-D), ".bias" (float32), ".running_mean"
// (bfloat16 or float16), ".num_batches_tracked" (int64 0-D) until the
// tensors hold at least `target_bytes`, then "tied.weight": the same tensor
// as "layers.0.weight" (one storage saved once).  Contents follow from
// `seed`: the weights from a splitmix64 stream (values k / 2^24, built
// faster than Rand), biases and running means from Rand.
absl::StatusOr<Value> MakeStateDict(uint64_t seed, int64_t target_bytes);

// The seed recorded in a loaded state dict's "meta.seed".
absl::StatusOr<uint64_t> SeedOf(const Value& state_dict);

// OK when `loaded` is exactly MakeStateDict(seed, target_bytes): the same
// keys in the same order, and every tensor with the same dtype, sizes,
// strides, offset and bytes; "tied.weight" must share its storage with
// "layers.0.weight".  Otherwise an error naming the first difference.
absl::Status CheckStateDict(const Value& loaded, uint64_t seed,
                            int64_t target_bytes);
// The same against a state dict MakeStateDict made.
absl::Status CheckStateDict(const Value& loaded, const Value& expected);

}  // namespace crash
}  // namespace ptser

#endif  // PTSER_TESTS_CRASH_CRASH_STATE_H_
