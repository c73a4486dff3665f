// Copyright ptser authors.
//
// tensor/ops/internal/binary_op.h — the driver every binary op shares.
//
// A binary op (add, mul, eq, ...) is described by a BinaryOpSpec: its name,
// how it picks its dtypes from the promoted dtype of its operands, and a
// kernel.  RunBinary / RunBinaryInplace do everything else the PyTorch way:
//
//   1. type promotion over the operands (ResultTypeState: a Scalar operand is
//      a wrapped number);
//   2. spec.dtypes(info) -> {compute dtype, output dtype}, or an error (bool
//      subtraction, a floating alpha for an integer add, ...);
//   3. broadcasting, converting each operand to the compute dtype;
//   4. allocating the output and calling spec.kernel(out, a, b) with a and b
//      already expanded to out's shape and of the compute dtype.
//
// In place (`self op= other`), additionally: self must be writable and not
// self-overlapping, other must not partially overlap it, the broadcast
// shape must be self's shape, and the output dtype must be castable to
// self's dtype ("result type Float can't be cast to the desired output type
// Long").  The result is computed into a temporary and then copied through
// self's storage, so every view of that storage sees it and aliasing inputs
// are read before anything is written.
#ifndef PTSER_TENSOR_OPS_INTERNAL_BINARY_OP_H_
#define PTSER_TENSOR_OPS_INTERNAL_BINARY_OP_H_

#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tensor/scalar.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace ops_internal {

// A tensor or a wrapped number.  Holds a reference to the tensor: the
// Operand must not outlive it.
class Operand {
 public:
  Operand(const Tensor& t) : tensor_(&t) {}  // NOLINT: implicit
  Operand(const Scalar& s) : scalar_(s) {}   // NOLINT: implicit

  bool is_tensor() const { return tensor_ != nullptr; }
  const Tensor& tensor() const { return *tensor_; }
  const Scalar& scalar() const { return scalar_; }
  // The operand's own dtype (a Scalar's: bool/int64/float64/complex128).
  ScalarType dtype() const {
    return tensor_ != nullptr ? tensor_->dtype() : scalar_.dtype();
  }

 private:
  const Tensor* tensor_ = nullptr;
  Scalar scalar_;
};

// What spec.dtypes sees.
struct BinaryDtypeInfo {
  ScalarType a;  // operand dtypes (Scalar: bool/int64/float64/complex128)
  ScalarType b;
  ScalarType common;  // torch.result_type(a, b)
};

struct BinaryDtypes {
  ScalarType compute;  // operands are converted to this
  ScalarType output;   // the kernel writes this
};

struct BinaryOpSpec {
  absl::string_view name;
  // Defaults to {common, common}.
  std::function<absl::StatusOr<BinaryDtypes>(const BinaryDtypeInfo&)> dtypes;
  // out: freshly allocated, dtype `output`, the broadcast shape.  a, b:
  // dtype `compute`, expanded to out's shape (strides may be 0).
  std::function<absl::Status(const Tensor& out, const Tensor& a,
                             const Tensor& b)>
      kernel;
  // The kernel may fail after writing part of `out` (integer division by
  // zero): in place, it then runs into a temporary so self stays untouched.
  bool kernel_can_fail = false;
};

// Resolves PyTorch's lazy negation / conjugation bits (a tensor whose
// is_neg() or, for complex dtypes, is_conj() is set) into a plain tensor,
// and checks the tensor can be read (CheckReadable).
absl::StatusOr<Tensor> PrepareInput(const Tensor& t, absl::string_view op);

// Turns an operand into a tensor of `dtype` (a Scalar becomes a 0-dim
// tensor; a tensor of another dtype is converted).
absl::StatusOr<Tensor> OperandToTensor(const Operand& operand, ScalarType dtype,
                                       absl::string_view op);

// torch.result_type of the operands.
absl::StatusOr<ScalarType> OperandsResultType(const Operand& a,
                                              const Operand& b);

absl::StatusOr<Tensor> RunBinary(const BinaryOpSpec& spec, const Operand& a,
                                 const Operand& b);
absl::Status RunBinaryInplace(const BinaryOpSpec& spec, const Tensor& self,
                              const Operand& other);

// Checks for an op writing into `self` the result of an op over `inputs`
// with broadcast shape `shape` and output dtype `result`: writability,
// overlap, shape and castability, with PyTorch's messages.
absl::Status CheckInplaceTarget(const Tensor& self,
                                absl::Span<const Tensor* const> inputs,
                                absl::Span<const int64_t> shape,
                                ScalarType result, absl::string_view op);

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_BINARY_OP_H_
