// Copyright ptser authors.
//
// tensor/ops/internal/elementwise.h — the shared layer under every op.
//
// What an op needs besides its arithmetic:
//
//  * shapes: BroadcastShapes (NumPy/PyTorch broadcasting, PyTorch's error
//    text) and ExpandTo (a stride-0 view);
//  * tensors: AllocateTensor (contiguous, zeroed, CPU), ScalarToTensor (a
//    wrapped number as a 0-dim tensor of the op's dtype), ToDtype (a
//    converted copy when needed), CopyConvertInto (strided, converting,
//    writes through views);
//  * checks: CheckReadable / CheckWritable (CPU, data present, storage not
//    read-only), CheckNoInternalOverlap / CheckNoPartialOverlap (PyTorch's
//    memory-overlap errors for in-place writes).  Dimension wrapping and
//    shape printing come from tensor/tensor.h (WrapDim, ShapeToString);
//  * loops: ForEachRow (an N-operand strided iterator that coalesces
//    dimensions and hands the kernel one innermost row at a time) and Map
//    (typed: out[i] = f(in0[i], in1[i], ...)).
//
// Elements are read and written with memcpy (Load/Store), so a storage
// borrowed at any alignment is fine; a bool is read as its byte != 0.  Every function here works on any
// number of dimensions, including 0-dim and 0-element tensors.
#ifndef PTSER_TENSOR_OPS_INTERNAL_ELEMENTWISE_H_
#define PTSER_TENSOR_OPS_INTERNAL_ELEMENTWISE_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace ops_internal {

// Number of elements of a shape.
int64_t NumElements(absl::Span<const int64_t> shape);

// The broadcast of two shapes.  InvalidArgumentError "The size of tensor a
// (3) must match the size of tensor b (4) at non-singleton dimension 1".
absl::StatusOr<std::vector<int64_t>> BroadcastShapes(
    absl::Span<const int64_t> a, absl::Span<const int64_t> b);

// A view of `t` with `shape` (t's shape must broadcast to it): new leading
// dimensions and expanded size-1 dimensions get stride 0.  Shares storage.
absl::StatusOr<Tensor> ExpandTo(const Tensor& t,
                                absl::Span<const int64_t> shape);

// A Python number as the element type T, with Convert's meaning
// (tensor/element.h): what a kernel stores for a Scalar argument.
template <typename T>
T ScalarTo(const Scalar& s) {
  return ScalarToElement<T>(s);
}

// A new contiguous, zero-filled CPU tensor.
absl::StatusOr<Tensor> AllocateTensor(absl::Span<const int64_t> shape,
                                      ScalarType dtype);

// `value` as a 0-dim tensor of `dtype` (converted like Convert<>).
// UnimplementedError for dtypes ops do not support.
absl::StatusOr<Tensor> ScalarToTensor(const Scalar& value, ScalarType dtype);

// `t` itself when it already has `dtype`, else a contiguous converted copy.
absl::StatusOr<Tensor> ToDtype(const Tensor& t, ScalarType dtype);

// Writes `src`, broadcast to dst's shape and converted to dst's dtype, into
// dst's elements (through its storage, so every view sees it).  `src` must
// not partially overlap `dst` (copy it first).
absl::Status CopyConvertInto(const Tensor& dst, const Tensor& src);

// The tensor lives on the CPU and its data can be read:
// UnimplementedError "<op>: ptser computes on the CPU only, got a tensor on
// cuda:0".
absl::Status CheckReadable(const Tensor& t, absl::string_view op);
// Readable, and the storage is writable (not a read-only memory map):
// FailedPreconditionError otherwise.
absl::Status CheckWritable(const Tensor& t, absl::string_view op);

// For a tensor about to be written: InvalidArgumentError "unsupported
// operation: more than one element of the written-to tensor refers to a
// single memory location. ..." when it is provably self-overlapping (a
// stride-0 dimension of size > 1).
absl::Status CheckNoInternalOverlap(const Tensor& out);
// InvalidArgumentError "unsupported operation: some elements of the input
// tensor and the written-to tensor refer to a single memory location. ..."
// when both are non-overlapping-and-dense views of one storage whose memory
// ranges overlap without being the same elements in the same order.
absl::Status CheckNoPartialOverlap(const Tensor& out, const Tensor& in);

// Byte strides of `t` (stride * itemsize).
std::vector<int64_t> ByteStrides(const Tensor& t);

// A bool element is read as `byte != 0`, as PyTorch computes on it (and as
// tensor/cast.cc reads it): a storage from a file may hold any byte, and
// memcpy of 2 into a bool is undefined behaviour.  torch.frombuffer(
// bytes([2]), dtype=torch.bool) is True to logical_not, add and sum.
template <typename T>
inline T Load(const char* p) {
  if constexpr (std::is_same_v<T, bool>) {
    return static_cast<unsigned char>(*p) != 0;
  } else {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
}
// `n` consecutive elements from `p` into `dst`, bools as Load reads them.
template <typename T>
inline void LoadBlock(T* dst, const char* p, size_t n) {
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t j = 0; j < n; ++j) dst[j] = static_cast<unsigned char>(p[j]) != 0;
  } else {
    std::memcpy(dst, p, sizeof(T) * n);
  }
}
template <typename T>
inline void Store(char* p, const T& v) {
  std::memcpy(p, &v, sizeof(T));
}

// Merges dimensions that every operand walks contiguously and drops size-1
// dimensions.  `strides[k]` are operand k's byte strides for `shape`; both
// are rewritten in place.  Non-template half of ForEachRow.
void CoalesceDimensions(std::vector<int64_t>* shape,
                        absl::Span<std::vector<int64_t>* const> strides);

// Calls row(ptrs, inner_strides, n) for every innermost row of `shape`:
// ptrs[k] points at operand k's first element of the row, inner_strides[k]
// is its byte step along the row, n the row length.  Nothing happens for a
// 0-element shape; a 0-dim shape is one row of one element.
template <size_t N, typename RowFn>
void ForEachRow(std::vector<int64_t> shape, std::array<char*, N> base,
                std::array<std::vector<int64_t>, N> strides, RowFn&& row) {
  for (int64_t s : shape) {
    if (s == 0) return;
  }
  std::array<std::vector<int64_t>*, N> stride_ptrs;
  for (size_t k = 0; k < N; ++k) stride_ptrs[k] = &strides[k];
  CoalesceDimensions(&shape, absl::MakeSpan(stride_ptrs));
  std::array<int64_t, N> inner{};
  if (shape.empty()) {
    row(base, inner, int64_t{1});
    return;
  }
  const size_t ndim = shape.size();
  const int64_t n = shape[ndim - 1];
  for (size_t k = 0; k < N; ++k) inner[k] = strides[k][ndim - 1];
  // Odometer over the outer dimensions.
  std::vector<int64_t> index(ndim - 1, 0);
  std::array<char*, N> ptrs = base;
  while (true) {
    row(ptrs, inner, n);
    int64_t d = static_cast<int64_t>(ndim) - 2;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d]) {
        for (size_t k = 0; k < N; ++k) ptrs[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) {
        ptrs[k] -= strides[k][d] * (shape[d] - 1);
      }
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

namespace detail {

// Elements per block of the dense loops below.
inline constexpr int64_t kMapBlock = 16;

// out[i] = f(in[i]...) over a dense row, `kMapBlock` elements at a time
// through local arrays: a fixed trip count over memory nothing else can
// alias is what -O2's cheap vectoriser accepts, and it also makes an
// in-place op (out == in) read each block before writing it.  `Scalar` has
// a bit set for each input that is one broadcast value (stride 0).
template <typename Out, typename... In, typename F, size_t... I>
void MapDense(char* out, const std::array<const char*, sizeof...(In)> in, uint32_t scalar,
              int64_t n, F& f, std::index_sequence<I...>) {
  (void)in;  // unused when there are no inputs (fill)
  (void)scalar;
  std::tuple<std::array<In, kMapBlock>...> buf;
  // A broadcast input fills its block once.
  ((scalar & (1u << I) ? std::get<I>(buf).fill(Load<In>(in[I])) : void()), ...);
  std::array<Out, kMapBlock> result;
  int64_t i = 0;
  for (; i + kMapBlock <= n; i += kMapBlock) {
    ((scalar & (1u << I)
          ? void()
          : LoadBlock<In>(std::get<I>(buf).data(), in[I] + i * sizeof(In), kMapBlock)),
     ...);
    for (int64_t j = 0; j < kMapBlock; ++j) result[j] = f(std::get<I>(buf)[j]...);
    std::memcpy(out + i * sizeof(Out), result.data(), sizeof(Out) * kMapBlock);
  }
  for (; i < n; ++i) {
    Store<Out>(out + i * sizeof(Out),
               f(Load<In>(in[I] + (scalar & (1u << I) ? 0 : i * sizeof(In)))...));
  }
}

// `p` and `s` are taken by value: copies the compiler knows no store in the
// loop can change.
template <typename Out, typename... In, typename F, size_t... I>
void MapRow(const std::array<char*, 1 + sizeof...(In)> p,
            const std::array<int64_t, 1 + sizeof...(In)> s, int64_t n, F f,
            std::index_sequence<I...>) {
  // A dense output whose inputs are each dense or one broadcast value.
  if (s[0] == sizeof(Out) && ((s[I + 1] == sizeof(In) || s[I + 1] == 0) && ...)) {
    uint32_t scalar = 0;
    ((scalar |= s[I + 1] == 0 ? (1u << I) : 0u), ...);
    MapDense<Out, In...>(p[0], {p[I + 1]...}, scalar, n, f, std::index_sequence<I...>{});
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    Store<Out>(p[0] + i * s[0], f(Load<In>(p[I + 1] + i * s[I + 1])...));
  }
}
}  // namespace detail

// out[i] = f(in[i]...) for every element of `out`.  Each `in` must already
// have out's shape (use ExpandTo) and element type In; `out` has element
// type Out and must be writable.  f takes In... and returns Out (or
// something converting to it).
template <typename Out, typename... In, typename F>
void Map(const Tensor& out, F f, const std::array<Tensor, sizeof...(In)>& in) {
  constexpr size_t N = 1 + sizeof...(In);
  std::array<char*, N> base;
  std::array<std::vector<int64_t>, N> strides;
  base[0] = static_cast<char*>(out.mutable_data());
  strides[0] = ByteStrides(out);
  for (size_t k = 0; k < sizeof...(In); ++k) {
    base[k + 1] = const_cast<char*>(static_cast<const char*>(in[k].data()));
    strides[k + 1] = ByteStrides(in[k]);
  }
  ForEachRow<N>(out.sizes(), base, std::move(strides),
                [&](const std::array<char*, N>& p,
                    const std::array<int64_t, N>& s, int64_t n) {
                  detail::MapRow<Out, In...>(p, s, n, f,
                                             std::index_sequence_for<In...>{});
                });
}

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_ELEMENTWISE_H_
