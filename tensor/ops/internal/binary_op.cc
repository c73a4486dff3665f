// Copyright ptser authors.
//
// tensor/ops/internal/binary_op.cc — promotion, broadcasting and in-place
// plumbing for binary ops.

#include "tensor/ops/internal/binary_op.h"

#include <complex>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace ops_internal {

absl::StatusOr<Tensor> PrepareInput(const Tensor& t, absl::string_view op) {
  PTSER_RETURN_IF_ERROR(CheckReadable(t, op));
  const bool neg = t.is_neg();
  const bool conj = t.is_conj() && IsComplex(t.dtype());
  if (!neg && !conj) return t;
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(t.sizes(), t.dtype()));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes | kComplexTypes>(
      t.dtype(), "resolve_neg", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        Map<T, T>(out,
                  [=](T v) -> T {
                    OpMath<T> x = static_cast<OpMath<T>>(v);
                    if constexpr (kIsComplex<T>) {
                      if (conj) x = std::conj(x);
                    }
                    if (neg) {
                      if constexpr (std::is_integral_v<T>) {
                        x = static_cast<T>(0u - static_cast<uint64_t>(x));
                      } else {
                        x = -x;
                      }
                    }
                    return T(x);
                  },
                  {t});
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<Tensor> OperandToTensor(const Operand& operand, ScalarType dtype,
                                       absl::string_view op) {
  if (!operand.is_tensor()) return ScalarToTensor(operand.scalar(), dtype);
  PTSER_ASSIGN_OR_RETURN(Tensor t, PrepareInput(operand.tensor(), op));
  return ToDtype(t, dtype);
}

absl::StatusOr<ScalarType> OperandsResultType(const Operand& a,
                                              const Operand& b) {
  ResultTypeState state;
  for (const Operand* o : {&a, &b}) {
    if (o->is_tensor()) {
      PTSER_RETURN_IF_ERROR(state.Update(o->tensor()));
    } else {
      PTSER_RETURN_IF_ERROR(state.Update(o->scalar()));
    }
  }
  return state.Result();
}

namespace {

std::vector<int64_t> OperandShape(const Operand& o) {
  return o.is_tensor() ? o.tensor().sizes() : std::vector<int64_t>{};
}

absl::StatusOr<BinaryDtypes> SpecDtypes(const BinaryOpSpec& spec,
                                        const Operand& a, const Operand& b) {
  PTSER_ASSIGN_OR_RETURN(ScalarType common, OperandsResultType(a, b));
  if (!spec.dtypes) return BinaryDtypes{common, common};
  return spec.dtypes(BinaryDtypeInfo{a.dtype(), b.dtype(), common});
}

}  // namespace

absl::StatusOr<Tensor> RunBinary(const BinaryOpSpec& spec, const Operand& a,
                                 const Operand& b) {
  PTSER_ASSIGN_OR_RETURN(BinaryDtypes dtypes, SpecDtypes(spec, a, b));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                         BroadcastShapes(OperandShape(a), OperandShape(b)));
  PTSER_ASSIGN_OR_RETURN(Tensor ta,
                         OperandToTensor(a, dtypes.compute, spec.name));
  PTSER_ASSIGN_OR_RETURN(Tensor tb,
                         OperandToTensor(b, dtypes.compute, spec.name));
  PTSER_ASSIGN_OR_RETURN(ta, ExpandTo(ta, shape));
  PTSER_ASSIGN_OR_RETURN(tb, ExpandTo(tb, shape));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, dtypes.output));
  PTSER_RETURN_IF_ERROR(spec.kernel(out, ta, tb));
  return out;
}

absl::Status CheckInplaceTarget(const Tensor& self,
                                absl::Span<const Tensor* const> inputs,
                                absl::Span<const int64_t> shape,
                                ScalarType result, absl::string_view op) {
  PTSER_RETURN_IF_ERROR(CheckWritable(self, op));
  if (self.is_neg() || (self.is_conj() && IsComplex(self.dtype()))) {
    return absl::UnimplementedError(absl::StrCat(
        op,
        ": cannot write into a tensor with its negation or conjugation "
        "bit set"));
  }
  PTSER_RETURN_IF_ERROR(CheckNoInternalOverlap(self));
  for (const Tensor* in : inputs) {
    PTSER_RETURN_IF_ERROR(CheckNoPartialOverlap(self, *in));
  }
  if (self.sizes() != std::vector<int64_t>(shape.begin(), shape.end())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "output with shape ", ShapeToString(self.sizes()),
        " doesn't match the broadcast shape ", ShapeToString(shape)));
  }
  if (!CanCast(result, self.dtype())) {
    return absl::InvalidArgumentError(
        absl::StrCat("result type ", C10TypeName(result),
                     " can't be cast to the desired output type ",
                     C10TypeName(self.dtype())));
  }
  return absl::OkStatus();
}

absl::Status RunBinaryInplace(const BinaryOpSpec& spec, const Tensor& self,
                              const Operand& other) {
  PTSER_ASSIGN_OR_RETURN(BinaryDtypes dtypes, SpecDtypes(spec, self, other));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                         BroadcastShapes(self.sizes(), OperandShape(other)));
  std::vector<const Tensor*> inputs;
  if (other.is_tensor()) inputs.push_back(&other.tensor());
  PTSER_RETURN_IF_ERROR(
      CheckInplaceTarget(self, inputs, shape, dtypes.output, spec.name));
  // The kernel writes straight into self when self already has the dtypes
  // and `other` either lives elsewhere or is self itself (same elements in
  // the same order, read before each is written).
  bool direct = !spec.kernel_can_fail && dtypes.compute == self.dtype() &&
                dtypes.output == self.dtype();
  if (direct && other.is_tensor() &&
      other.tensor().storage().IsSameAs(self.storage())) {
    direct = other.tensor().IsSameAs(self) &&
             other.tensor().dtype() == self.dtype() && !other.tensor().is_neg() &&
             !other.tensor().is_conj();
  }
  if (direct) {
    PTSER_ASSIGN_OR_RETURN(Tensor b,
                           OperandToTensor(other, dtypes.compute, spec.name));
    PTSER_ASSIGN_OR_RETURN(b, ExpandTo(b, shape));
    return spec.kernel(self, self, b);
  }
  PTSER_ASSIGN_OR_RETURN(Tensor result, RunBinary(spec, self, other));
  return CopyConvertInto(self, result);
}

}  // namespace ops_internal
}  // namespace ptser
