// Copyright ptser authors.
//
// tensor/strided_loop.h — internal: walk two equally shaped strided layouts.
//
// ForEachRun calls `fn(offset_a, offset_b, count, inner_stride_a,
// inner_stride_b)` once per innermost run of elements, in row-major order of
// the logical index.  Offsets and strides are in elements, relative to each
// layout's first element.  Size-1 dimensions are dropped and adjacent
// dimensions that are contiguous with each other in *both* layouts are
// merged, so a contiguous-to-contiguous walk is a single run.  Nothing is
// called for a 0-element shape; a 0-dim shape is one run of one element.
//
// The caller guarantees that the layouts were validated (Tensor::Make), so
// the offsets computed here do not overflow.
#ifndef PTSER_TENSOR_STRIDED_LOOP_H_
#define PTSER_TENSOR_STRIDED_LOOP_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace ptser {
namespace internal {

template <typename Fn>
void ForEachRun(absl::Span<const int64_t> sizes,
                absl::Span<const int64_t> strides_a,
                absl::Span<const int64_t> strides_b, Fn&& fn) {
  struct Dim {
    int64_t size, a, b;
  };
  std::vector<Dim> dims;  // outermost first
  dims.reserve(sizes.size());
  for (size_t k = 0; k < sizes.size(); ++k) {
    if (sizes[k] == 0) return;
    if (sizes[k] == 1) continue;
    Dim d{sizes[k], strides_a[k], strides_b[k]};
    if (!dims.empty()) {
      Dim& outer = dims.back();
      if (outer.a == d.a * d.size && outer.b == d.b * d.size) {
        // `outer` steps exactly over a whole `d`: merge them.
        outer = Dim{outer.size * d.size, d.a, d.b};
        continue;
      }
    }
    dims.push_back(d);
  }
  if (dims.empty()) {
    fn(int64_t{0}, int64_t{0}, int64_t{1}, int64_t{1}, int64_t{1});
    return;
  }
  const Dim inner = dims.back();
  dims.pop_back();
  std::vector<int64_t> index(dims.size(), 0);
  int64_t off_a = 0;
  int64_t off_b = 0;
  while (true) {
    fn(off_a, off_b, inner.size, inner.a, inner.b);
    // Odometer increment over the outer dimensions.
    size_t k = dims.size();
    while (k > 0) {
      --k;
      if (++index[k] < dims[k].size) {
        off_a += dims[k].a;
        off_b += dims[k].b;
        break;
      }
      off_a -= dims[k].a * (dims[k].size - 1);
      off_b -= dims[k].b * (dims[k].size - 1);
      index[k] = 0;
      if (k == 0) return;
    }
    if (dims.empty()) return;
  }
}

}  // namespace internal
}  // namespace ptser

#endif  // PTSER_TENSOR_STRIDED_LOOP_H_
