// Copyright ptser authors.
//
// tensor/ops/where.cc — the select kernel.

#include "tensor/ops/where.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using ops_internal::Operand;

std::vector<int64_t> ShapeOf(const Operand& o) {
  return o.is_tensor() ? o.tensor().sizes() : std::vector<int64_t>{};
}

absl::StatusOr<Tensor> WhereImpl(const Tensor& condition, const Operand& x,
                                 const Operand& y) {
  using namespace ops_internal;  // NOLINT: kernel helpers
  if (condition.dtype() != ScalarType::kBool &&
      condition.dtype() != ScalarType::kByte) {
    return absl::InvalidArgumentError(absl::StrCat(
        "where expected condition to be a boolean tensor, but got a tensor "
        "with dtype ",
        C10TypeName(condition.dtype())));
  }
  PTSER_ASSIGN_OR_RETURN(ScalarType dtype, OperandsResultType(x, y));
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                         BroadcastShapes(condition.sizes(), ShapeOf(x)));
  PTSER_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, ShapeOf(y)));
  PTSER_ASSIGN_OR_RETURN(Tensor cond, PrepareInput(condition, "where"));
  PTSER_ASSIGN_OR_RETURN(cond, ToDtype(cond, ScalarType::kBool));
  PTSER_ASSIGN_OR_RETURN(Tensor tx, OperandToTensor(x, dtype, "where"));
  PTSER_ASSIGN_OR_RETURN(Tensor ty, OperandToTensor(y, dtype, "where"));
  PTSER_ASSIGN_OR_RETURN(cond, ExpandTo(cond, shape));
  PTSER_ASSIGN_OR_RETURN(tx, ExpandTo(tx, shape));
  PTSER_ASSIGN_OR_RETURN(ty, ExpandTo(ty, shape));
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(shape, dtype));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kAllTypes>(
      dtype, "where_cpu", [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        Map<T, bool, T, T>(out, [](bool c, T a, T b) { return c ? a : b; },
                           {cond, tx, ty});
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace

absl::StatusOr<Tensor> Where(const Tensor& condition, const Tensor& x,
                             const Tensor& y) {
  return WhereImpl(condition, x, y);
}
absl::StatusOr<Tensor> Where(const Tensor& condition, const Tensor& x,
                             const Scalar& y) {
  return WhereImpl(condition, x, y);
}
absl::StatusOr<Tensor> Where(const Tensor& condition, const Scalar& x,
                             const Tensor& y) {
  return WhereImpl(condition, x, y);
}
absl::StatusOr<Tensor> Where(const Tensor& condition, const Scalar& x,
                             const Scalar& y) {
  return WhereImpl(condition, x, y);
}

}  // namespace ptser
