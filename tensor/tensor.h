// Copyright ptser authors.
//
// tensor/tensor.h — a strided view of a Storage.
//
// A Tensor is a Storage + a storage offset + sizes + strides (both in
// elements) + a dtype, plus what a checkpoint records about it:
// requires_grad, whether it is an nn.Parameter, the conj/neg bits, and for
// quantized dtypes the Quantizer.  Element `i` (a multi-index) lives at byte
// `(offset + sum_k i_k * stride_k) * ElementSize(dtype)` of the storage —
// exactly `_rebuild_tensor_v2`'s `set_(storage, offset, size, stride)`.
//
// Copying a Tensor is cheap and shares the Storage: it is the same tensor
// object from the data's point of view (like Python's `b = a`).  Views
// (tensor/views.h) make new Tensors on the same Storage; `Clone` and
// `Contiguous` (tensor/views.h) make new storages.
//
// Create tensors through the factories in tensor/factories.h, or
// Tensor::Make when the storage and layout come from a file (it validates
// them against the storage, so a hostile layout is an error, not an
// out-of-bounds read).  Where the rest lives:
//   tensor/views.h      Slice, Select, Transpose, View, Clone, Contiguous
//   tensor/cast.h       Cast (t.to(dtype)), GetElement/SetElement, ToVector
//   tensor/ops/ops.h    arithmetic (MulInplace, Add, ...), comparisons,
//                       reductions, matmul/linear, activations, allclose
//   tensor/print/repr.h Repr(t) and operator<< (PyTorch's repr text)
//   @ptser//:ptser      all of it behind one header, "ptser.h"
//
// Const and handles.  A Tensor is a handle, as in libtorch: `const Tensor&`
// means the handle is not reseated (its sizes, strides, dtype and flags stay
// as they are), not that the elements are read-only — in-place ops and
// mutable_data() work through a const handle, and every other handle on the
// same storage sees the change.  Ask for read-only access in the type
// instead: `t.data<const float>()`.
#ifndef PTSER_TENSOR_TENSOR_H_
#define PTSER_TENSOR_TENSOR_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "tensor/cpp_type.h"
#include "tensor/quantizer.h"
#include "tensor/scalar_type.h"
#include "tensor/storage.h"

namespace ptser {

class Tensor {
 public:
  // A 0-element float32 tensor of shape (0,) on an empty storage.
  Tensor();

  // Builds a tensor viewing `storage`.  Fails with InvalidArgumentError when
  // sizes/strides differ in rank, a size or the offset is negative, a stride
  // is negative, the index arithmetic overflows int64, or the highest
  // addressed element `(offset + sum (size_k-1)*stride_k + 1) * itemsize`
  // lies past storage.nbytes() (OutOfRangeError, quoting both numbers).  A
  // tensor with a zero size addresses nothing and is always in range.
  static absl::StatusOr<Tensor> Make(Storage storage, ScalarType dtype,
                                     int64_t storage_offset,
                                     std::vector<int64_t> sizes,
                                     std::vector<int64_t> strides);

  // Row-major contiguous strides for `sizes` (stride 1 for the last dim).
  static std::vector<int64_t> ContiguousStrides(absl::Span<const int64_t> sizes);

  const Storage& storage() const { return storage_; }
  ScalarType dtype() const { return dtype_; }
  size_t itemsize() const { return ElementSize(dtype_); }
  int64_t storage_offset() const { return storage_offset_; }
  const std::vector<int64_t>& sizes() const { return sizes_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  // Size/stride of dimension `d`; negative `d` counts from the end.  Out of
  // range is InvalidArgumentError ("Dimension out of range ...").
  absl::StatusOr<int64_t> size(int64_t d) const;
  absl::StatusOr<int64_t> stride(int64_t d) const;
  int64_t numel() const;
  bool is_contiguous() const;
  const Device& device() const { return storage_.device(); }

  // Pointer to the first element (storage data + offset * itemsize).  Only
  // meaningful on the CPU.  Unchecked: prefer data<T>().
  const void* data() const;
  void* mutable_data() const;

  // The first element as a T*, checked (never a throw): T must be the C++
  // element type of dtype() (tensor/cpp_type.h: float for float32, int64_t
  // for int64, Half for float16, ...; `const float` for read-only use),
  // else InvalidArgumentError "tensor of dtype torch.float32 holds float,
  // not int64_t"; a tensor off the CPU is FailedPreconditionError, and so is
  // a non-const T on a read-only (memory-mapped read-only) storage.
  // Element i lives at data<T>() + storage offset arithmetic with strides():
  // use span<T>() for a contiguous tensor.
  template <typename T>
  absl::StatusOr<T*> data() const;
  // The numel() elements in row-major order, for a contiguous tensor
  // (is_contiguous()); a strided view is FailedPreconditionError naming its
  // strides ("call Contiguous(t) first").  Checked as data<T>().
  template <typename T>
  absl::StatusOr<absl::Span<T>> span() const;

  // Flags a checkpoint records.
  bool requires_grad() const { return requires_grad_; }
  void set_requires_grad(bool v) { requires_grad_ = v; }
  bool is_parameter() const { return is_parameter_; }
  void set_is_parameter(bool v) { is_parameter_ = v; }
  bool is_conj() const { return is_conj_; }
  void set_conj(bool v) { is_conj_ = v; }
  bool is_neg() const { return is_neg_; }
  void set_neg(bool v) { is_neg_ = v; }
  const std::optional<Quantizer>& quantizer() const {
    static const std::optional<Quantizer> kNone;
    return quantizer_ != nullptr ? *quantizer_ : kNone;
  }
  void set_quantizer(std::optional<Quantizer> q) {
    quantizer_ = q.has_value() ? std::make_shared<const std::optional<Quantizer>>(std::move(q))
                               : nullptr;
  }

  // True when both tensors view the same storage with the same layout.
  bool IsSameAs(const Tensor& other) const;

  // Storages already moved by To(), so that tensors sharing a storage share
  // its copy: pass one StorageMoves to the To() of every tensor of a group
  // (a state dict, a checkpoint).  It holds both storages of each move.
  class StorageMoves {
   public:
    const Storage* Find(const Storage& from, const Device& to) const;
    void Add(const Storage& from, const Device& to, const Storage& copy);
    size_t size() const { return moves_.size(); }

   private:
    struct Move {
      Storage from;
      Device to;
      Storage copy;
    };
    std::vector<Move> moves_;
  };

  // This tensor on `device` (PyTorch's tensor.to(device)): itself when it is
  // there already; else a tensor with the same dtype, offset, sizes, strides
  // and flags viewing a copy of its whole storage (CopyStorageTo,
  // tensor/device_registry.h), so views keep their layout.  With `moves`,
  // a storage moved before is not copied again: views moved together keep
  // sharing one storage, as after a load.
  //
  //   Tensor::StorageMoves moves;
  //   ASSIGN_OR_RETURN(Tensor a2, a.To(Device("cuda", 0), &moves));
  //   ASSIGN_OR_RETURN(Tensor b2, b.To(Device("cuda", 0), &moves));  // b a view of a
  //   a2.storage().IsSameAs(b2.storage())                            // true
  absl::StatusOr<Tensor> To(const Device& device, StorageMoves* moves = nullptr) const;

 private:
  // The checks of data<T>() for an element type `want` (nullopt: none),
  // with `name` its C++ name and `writable` false for a const T.
  absl::Status CheckTypedAccess(ScalarType want, absl::string_view name,
                                bool writable) const;

  // Make() after validation: no empty storage or shape is allocated first.
  Tensor(Storage storage, ScalarType dtype, int64_t storage_offset,
         std::vector<int64_t> sizes, std::vector<int64_t> strides);

  Storage storage_;
  ScalarType dtype_ = ScalarType::kFloat;
  int64_t storage_offset_ = 0;
  std::vector<int64_t> sizes_;
  std::vector<int64_t> strides_;
  bool requires_grad_ = false;
  bool is_parameter_ = false;
  bool is_conj_ = false;
  bool is_neg_ = false;
  // Held apart (null: not quantized), and shared by copies, since it never
  // changes once set: a Tensor is 104 bytes instead of 160, and a checkpoint
  // of 100,000 small tensors is that much smaller in memory.
  std::shared_ptr<const std::optional<Quantizer>> quantizer_;
};

// Helpers shared by the tensor code (additions to the original contract).

// Wraps a possibly negative dimension index into [0, rank), PyTorch's
// maybe_wrap_dim: valid inputs are [-rank, rank-1].  With `wrap_scalar` a
// 0-dim tensor accepts 0 and -1 as if it had one dimension (what views such
// as transpose/squeeze/unsqueeze allow).  Out of range is
// InvalidArgumentError "Dimension out of range (expected to be in range of
// [-2, 1], but got 2)"; rank 0 without `wrap_scalar` is
// InvalidArgumentError "Dimension specified as 0 but tensor has no
// dimensions".
absl::StatusOr<int64_t> WrapDim(int64_t dim, int64_t rank,
                                bool wrap_scalar = true);

// The number of elements of `sizes`.  A negative size is
// InvalidArgumentError ("Trying to create tensor with negative dimension
// -1: [-1]"); a product overflowing int64 — checked over all sizes, even
// when one is 0, like PyTorch — is InvalidArgumentError ("Storage size
// calculation overflowed with sizes=[...]").
absl::StatusOr<int64_t> CheckedNumel(absl::Span<const int64_t> sizes);

// "[2, 3]" — sizes or strides as PyTorch prints them in messages.
std::string ShapeToString(absl::Span<const int64_t> values);

// ------------------------------------------------------ implementation ---

template <typename T>
absl::StatusOr<T*> Tensor::data() const {
  absl::Status status = CheckTypedAccess(kScalarTypeOf<T>, CppTypeName(kScalarTypeOf<T>),
                                         !std::is_const_v<T>);
  if (!status.ok()) return status;
  return static_cast<T*>(const_cast<void*>(data()));
}

template <typename T>
absl::StatusOr<absl::Span<T>> Tensor::span() const {
  absl::StatusOr<T*> p = data<T>();
  if (!p.ok()) return p.status();
  if (!is_contiguous()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "span(): the tensor is not contiguous (sizes ", ShapeToString(sizes_), ", strides ",
        ShapeToString(strides_), "); call Contiguous(t) first (tensor/views.h)"));
  }
  return absl::Span<T>(*p, static_cast<size_t>(numel()));
}

}  // namespace ptser

#endif  // PTSER_TENSOR_TENSOR_H_
