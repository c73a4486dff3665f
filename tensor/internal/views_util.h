// Copyright ptser authors.
//
// Private to //tensor:views: what views.cc (the views) and views_copy.cc
// (clones, copies, layout queries) share.
#ifndef PTSER_TENSOR_INTERNAL_VIEWS_UTIL_H_
#define PTSER_TENSOR_INTERNAL_VIEWS_UTIL_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace views_internal {

inline bool MulOk(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
inline bool AddOk(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

inline std::vector<int64_t> ToVector(absl::Span<const int64_t> s) {
  return std::vector<int64_t>(s.begin(), s.end());
}

// A new zero-filled CPU tensor with exactly the given layout, on a storage
// just big enough for it.
absl::StatusOr<Tensor> AllocateStrided(absl::Span<const int64_t> sizes,
                                       absl::Span<const int64_t> strides,
                                       ScalarType dtype);

// OK for a CPU tensor of one element per byte or more; the error names `op`.
absl::Status RequireCpu(const Tensor& t, absl::string_view op);

}  // namespace views_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_INTERNAL_VIEWS_UTIL_H_
