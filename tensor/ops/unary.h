// Copyright ptser authors.
//
// tensor/ops/unary.h — elementwise math of one tensor (torch.exp, torch.abs,
// torch.floor, ...), each with its in-place form (`t.exp_()`: ExpInplace).
//
// Three dtype rules, PyTorch's:
//
//  * Floating functions — Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt,
//    Rsqrt, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Erf, Erfc,
//    Reciprocal (and Sigmoid/Tanh in activation.h): a floating input keeps
//    its dtype; bool and integer inputs give float32 (torch.exp(int64) is
//    float32).  Results follow IEEE: log(0) = -inf, sqrt(-1) = nan,
//    reciprocal(0) = inf.
//  * Rounding — Floor, Ceil, Trunc, Round (half to even, as
//    torch.round/nearbyint) and Round with `decimals` (x * 10^d rounded,
//    then / 10^d; a negative d divides first): integer inputs come back
//    unchanged (a copy), bool is UnimplementedError `"floor_vml_cpu" not
//    implemented for 'Bool'`.  Frac (x - trunc(x)) is floating only.
//  * Same dtype — Abs (integers wrap: abs(int8 -128) == -128; bool is
//    UnimplementedError), Sign (bool stays bool; sign(nan) == 0 as in
//    PyTorch 1.13), Square (x * x; bool gives int64 as torch.square),
//    BitwiseNot (~x for bool and integers; floating inputs are
//    UnimplementedError `"bitwise_not_cpu" not implemented for 'Float'`).
//    LogicalNot, IsNan, IsInf, IsFinite and Signbit give bool for any
//    dtype.  NanToNum replaces nan, +inf and -inf (defaults: 0 and the
//    dtype's largest/lowest finite values).
//
// Float16 and bfloat16 inputs compute in float32 and round back (PyTorch
// 1.13's CPU refuses many of these for Half; ptser computes them).  Complex
// dtypes are UnimplementedError.  Float32 results use the C library's float
// functions; PyTorch's vectorised kernels (Sleef) agree within an ulp or
// two for the transcendental ones and exactly for the others.
//
// In-place forms write through self's storage (every view sees the
// change) and fail, leaving self as it was, when the result's dtype cannot
// be cast to self's ("result type Float can't be cast to the desired output
// type Long" for `int64_tensor.exp_()`), or when self is read-only or
// self-overlapping (an expanded tensor).
#ifndef PTSER_TENSOR_OPS_UNARY_H_
#define PTSER_TENSOR_OPS_UNARY_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/tensor.h"

namespace ptser {

#define PTSER_UNARY_OP_(Name)                      \
  absl::StatusOr<Tensor> Name(const Tensor& self); \
  absl::Status Name##Inplace(const Tensor& self);

// Floating functions.
PTSER_UNARY_OP_(Exp)
PTSER_UNARY_OP_(Exp2)
PTSER_UNARY_OP_(Expm1)
PTSER_UNARY_OP_(Log)
PTSER_UNARY_OP_(Log2)
PTSER_UNARY_OP_(Log10)
PTSER_UNARY_OP_(Log1p)
PTSER_UNARY_OP_(Sqrt)
PTSER_UNARY_OP_(Rsqrt)
PTSER_UNARY_OP_(Sin)
PTSER_UNARY_OP_(Cos)
PTSER_UNARY_OP_(Tan)
PTSER_UNARY_OP_(Asin)
PTSER_UNARY_OP_(Acos)
PTSER_UNARY_OP_(Atan)
PTSER_UNARY_OP_(Sinh)
PTSER_UNARY_OP_(Cosh)
PTSER_UNARY_OP_(Erf)
PTSER_UNARY_OP_(Erfc)
PTSER_UNARY_OP_(Reciprocal)

// Rounding.
PTSER_UNARY_OP_(Floor)
PTSER_UNARY_OP_(Ceil)
PTSER_UNARY_OP_(Trunc)
PTSER_UNARY_OP_(Round)
PTSER_UNARY_OP_(Frac)
absl::StatusOr<Tensor> Round(const Tensor& self, int64_t decimals);
absl::Status RoundInplace(const Tensor& self, int64_t decimals);

// Same dtype.
PTSER_UNARY_OP_(Abs)
PTSER_UNARY_OP_(Sign)
PTSER_UNARY_OP_(Square)
PTSER_UNARY_OP_(BitwiseNot)
PTSER_UNARY_OP_(LogicalNot)

#undef PTSER_UNARY_OP_

// Predicates: bool results, no in-place form.
absl::StatusOr<Tensor> IsNan(const Tensor& self);
absl::StatusOr<Tensor> IsInf(const Tensor& self);
absl::StatusOr<Tensor> IsFinite(const Tensor& self);
absl::StatusOr<Tensor> Signbit(const Tensor& self);

// torch.nan_to_num(self, nan, posinf, neginf).
absl::StatusOr<Tensor> NanToNum(const Tensor& self, std::optional<double> nan = std::nullopt,
                                std::optional<double> posinf = std::nullopt,
                                std::optional<double> neginf = std::nullopt);
absl::Status NanToNumInplace(const Tensor& self, std::optional<double> nan = std::nullopt,
                             std::optional<double> posinf = std::nullopt,
                             std::optional<double> neginf = std::nullopt);

}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_UNARY_H_
