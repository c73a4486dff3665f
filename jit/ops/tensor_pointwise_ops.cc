// Copyright ptser authors.
//
// aten:: elementwise tensor operators over tensor/ops/unary.h,
// activation.h, pointwise.h, bitwise.h and reduction.h's min/max of two
// tensors.  Schemas are PyTorch 1.13's text; within each operator name the
// overloads are added in 1.13's order.

#include "jit/ops/tensor_pointwise_ops.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/activation.h"
#include "tensor/ops/bitwise.h"
#include "tensor/ops/pointwise.h"
#include "tensor/ops/reduction.h"
#include "tensor/ops/unary.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::ToDouble;
using ops_internal::ToScalar;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::OptionalDouble;
using tensor_args::Result;
using tensor_args::T;

using UnaryFn = absl::StatusOr<Tensor> (*)(const Tensor&);
using UnaryInplaceFn = absl::Status (*)(const Tensor&);

constexpr const char* kUnaryOut = ".out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)";

// `name(Tensor self) -> Tensor`, its .out form, and `name_` when given.
void AddUnary(OpTable& t, const std::string& name, UnaryFn f, UnaryInplaceFn inplace,
              bool has_out = true) {
  t.AddWithOut(absl::StrCat("aten::", name, "(Tensor self) -> Tensor"),
               has_out ? absl::StrCat("aten::", name, kUnaryOut) : "",
               [f](Args a) { return f(T(a[0])); });
  if (inplace != nullptr) {
    t.AddInplace(absl::StrCat("aten::", name, "_(Tensor(a!) self) -> Tensor(a!)"),
                 [inplace](Args a) { return inplace(T(a[0])); });
  }
}

void UnaryOps(OpTable& t) {
  struct Unary {
    const char* name;
    UnaryFn f;
    UnaryInplaceFn inplace;
  };
  const Unary unary[] = {
      {"exp", Exp, ExpInplace},          {"exp2", Exp2, Exp2Inplace},
      {"expm1", Expm1, Expm1Inplace},    {"log", Log, LogInplace},
      {"log2", Log2, Log2Inplace},       {"log10", Log10, Log10Inplace},
      {"log1p", Log1p, Log1pInplace},    {"sqrt", Sqrt, SqrtInplace},
      {"rsqrt", Rsqrt, RsqrtInplace},    {"sin", Sin, SinInplace},
      {"cos", Cos, CosInplace},          {"tan", Tan, TanInplace},
      {"asin", Asin, AsinInplace},       {"acos", Acos, AcosInplace},
      {"atan", Atan, AtanInplace},       {"sinh", Sinh, SinhInplace},
      {"cosh", Cosh, CoshInplace},       {"erf", Erf, ErfInplace},
      {"erfc", Erfc, ErfcInplace},       {"reciprocal", Reciprocal, ReciprocalInplace},
      {"floor", Floor, FloorInplace},    {"ceil", Ceil, CeilInplace},
      {"trunc", Trunc, TruncInplace},    {"frac", Frac, FracInplace},
      {"sign", Sign, SignInplace},       {"square", Square, SquareInplace},
      {"bitwise_not", BitwiseNot, BitwiseNotInplace},
      {"logical_not", LogicalNot, LogicalNotInplace},
      {"isnan", IsNan, nullptr},         {"isinf", IsInf, nullptr},
      {"signbit", Signbit, nullptr},
  };
  for (const Unary& u : unary) AddUnary(t, u.name, u.f, u.inplace);
  AddUnary(t, "isfinite", IsFinite, nullptr, /*has_out=*/false);
  t.AddInplace("aten::abs_(Tensor(a!) self) -> Tensor(a!)",
               [](Args a) { return AbsInplace(T(a[0])); });

  // round: the plain and decimals forms, then their out forms.
  t.AddTensor("aten::round(Tensor self) -> Tensor", [](Args a) { return Round(T(a[0])); });
  t.AddTensor("aten::round.decimals(Tensor self, *, int decimals) -> Tensor",
              [](Args a) { return Round(T(a[0]), a[1].as_int()); });
  t.Add("aten::round.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
        [](OpContext&, Args a) { return tensor_args::WriteOut(a[1], Round(T(a[0]))); });
  t.Add("aten::round.decimals_out(Tensor self, *, int decimals, Tensor(a!) out) -> Tensor(a!)",
        [](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], Round(T(a[0]), a[1].as_int()));
        });
  t.AddInplace("aten::round_(Tensor(a!) self) -> Tensor(a!)",
               [](Args a) { return RoundInplace(T(a[0])); });
  t.AddInplace("aten::round_.decimals(Tensor(a!) self, *, int decimals) -> Tensor(a!)",
               [](Args a) { return RoundInplace(T(a[0]), a[1].as_int()); });

  auto nan_to_num = [](Args a) {
    return NanToNum(T(a[0]), OptionalDouble(a[1]), OptionalDouble(a[2]), OptionalDouble(a[3]));
  };
  t.AddWithOut(
      "aten::nan_to_num(Tensor self, float? nan=None, float? posinf=None, float? neginf=None) -> "
      "Tensor",
      "aten::nan_to_num.out(Tensor self, float? nan=None, float? posinf=None, float? "
      "neginf=None, *, Tensor(a!) out) -> Tensor(a!)",
      nan_to_num);
  t.AddInplace(
      "aten::nan_to_num_(Tensor(a!) self, float? nan=None, float? posinf=None, float? "
      "neginf=None) -> Tensor(a!)",
      [](Args a) {
        return NanToNumInplace(T(a[0]), OptionalDouble(a[1]), OptionalDouble(a[2]),
                               OptionalDouble(a[3]));
      });
}

void ActivationOps(OpTable& t) {
  t.AddWithOut("aten::threshold(Tensor self, Scalar threshold, Scalar value) -> Tensor",
               "aten::threshold.out(Tensor self, Scalar threshold, Scalar value, *, Tensor(a!) "
               "out) -> Tensor(a!)",
               [](Args a) { return Threshold(T(a[0]), ToDouble(a[1]), ToDouble(a[2])); });
  t.AddInplace("aten::threshold_(Tensor(a!) self, Scalar threshold, Scalar value) -> Tensor(a!)",
               [](Args a) { return ThresholdInplace(T(a[0]), ToDouble(a[1]), ToDouble(a[2])); });
  t.AddInplace("aten::relu6_(Tensor(a!) self) -> Tensor(a!)",
               [](Args a) { return Relu6Inplace(T(a[0])); });
  t.AddInplace("aten::gelu_(Tensor(a!) self, *, str approximate=\"none\") -> Tensor(a!)",
               [](Args a) -> absl::Status {
                 absl::StatusOr<GeluApproximation> approx =
                     ParseGeluApproximation(a[1].as_string());
                 if (!approx.ok()) return approx.status();
                 return GeluInplace(T(a[0]), *approx);
               });
  t.AddInplace("aten::hardsigmoid_(Tensor(a!) self) -> Tensor(a!)",
               [](Args a) { return HardsigmoidInplace(T(a[0])); });
  AddUnary(t, "mish", Mish, MishInplace);
  t.AddWithOut("aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
               "aten::leaky_relu.out(Tensor self, Scalar negative_slope=0.01, *, Tensor(a!) "
               "out) -> Tensor(a!)",
               [](Args a) { return LeakyRelu(T(a[0]), ToDouble(a[1])); });
  t.AddInplace("aten::leaky_relu_(Tensor(a!) self, Scalar negative_slope=0.01) -> Tensor(a!)",
               [](Args a) { return LeakyReluInplace(T(a[0]), ToDouble(a[1])); });
  t.AddWithOut(
      "aten::elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
      "aten::elu.out(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1, *, "
      "Tensor(a!) out) -> Tensor(a!)",
      [](Args a) { return Elu(T(a[0]), ToDouble(a[1]), ToDouble(a[2]), ToDouble(a[3])); });
  t.AddInplace(
      "aten::elu_(Tensor(a!) self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> "
      "Tensor(a!)",
      [](Args a) {
        return EluInplace(T(a[0]), ToDouble(a[1]), ToDouble(a[2]), ToDouble(a[3]));
      });
  t.AddTensor("aten::selu(Tensor self) -> Tensor", [](Args a) { return Selu(T(a[0])); });
  t.AddInplace("aten::selu_(Tensor(a!) self) -> Tensor(a!)",
               [](Args a) { return SeluInplace(T(a[0])); });
  t.AddWithOut("aten::celu(Tensor self, Scalar alpha=1.) -> Tensor",
               "aten::celu.out(Tensor self, Scalar alpha=1., *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Celu(T(a[0]), ToDouble(a[1])); });
  t.AddInplace("aten::celu_(Tensor(a!) self, Scalar alpha=1.) -> Tensor(a!)",
               [](Args a) { return CeluInplace(T(a[0]), ToDouble(a[1])); });
  t.AddWithOut("aten::softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor",
               "aten::softplus.out(Tensor self, Scalar beta=1, Scalar threshold=20, *, "
               "Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Softplus(T(a[0]), ToDouble(a[1]), ToDouble(a[2])); });
  AddUnary(t, "log_sigmoid", LogSigmoid, nullptr);
  t.AddWithOut("aten::hardshrink(Tensor self, Scalar lambd=0.5) -> Tensor",
               "aten::hardshrink.out(Tensor self, Scalar lambd=0.5, *, Tensor(a!) out) -> "
               "Tensor(a!)",
               [](Args a) { return Hardshrink(T(a[0]), ToDouble(a[1])); });
  t.AddWithOut("aten::softshrink(Tensor self, Scalar lambd=0.5) -> Tensor",
               "aten::softshrink.out(Tensor self, Scalar lambd=0.5, *, Tensor(a!) out) -> "
               "Tensor(a!)",
               [](Args a) { return Softshrink(T(a[0]), ToDouble(a[1])); });
  t.AddWithOut("aten::glu(Tensor self, int dim=-1) -> Tensor",
               "aten::glu.out(Tensor self, int dim=-1, *, Tensor(a!) out) -> Tensor(a!)",
               [](Args a) { return Glu(T(a[0]), a[1].as_int()); });
}

// `name.Tensor`, `name.Scalar` (+ out forms) and `name_.Tensor/.Scalar`
// for a binary op with Tensor and Scalar right operands.
template <typename F, typename FI>
void AddBinary(OpTable& t, const std::string& name, F f, FI fi) {
  t.AddTensor(absl::StrCat("aten::", name, ".Tensor(Tensor self, Tensor other) -> Tensor"),
              [f](Args a) { return f(T(a[0]), T(a[1])); });
  t.AddTensor(absl::StrCat("aten::", name, ".Scalar(Tensor self, Scalar other) -> Tensor"),
              [f](Args a) { return f(T(a[0]), ToScalar(a[1])); });
}

template <typename F>
void AddBinaryOuts(OpTable& t, const std::string& name, F f) {
  t.Add(absl::StrCat("aten::", name,
                     ".Tensor_out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)"),
        [f](OpContext&, Args a) { return tensor_args::WriteOut(a[2], f(T(a[0]), T(a[1]))); });
  t.Add(absl::StrCat("aten::", name,
                     ".Scalar_out(Tensor self, Scalar other, *, Tensor(a!) out) -> Tensor(a!)"),
        [f](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], f(T(a[0]), ToScalar(a[1])));
        });
}

template <typename FI>
void AddBinaryInplace(OpTable& t, const std::string& name, FI fi, bool scalar_first = false) {
  auto tensor = [&] {
    t.AddInplace(
        absl::StrCat("aten::", name, ".Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)"),
        [fi](Args a) { return fi(T(a[0]), T(a[1])); });
  };
  auto scalar = [&] {
    t.AddInplace(
        absl::StrCat("aten::", name, ".Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)"),
        [fi](Args a) { return fi(T(a[0]), ToScalar(a[1])); });
  };
  if (scalar_first) {
    scalar();
    tensor();
  } else {
    tensor();
    scalar();
  }
}

// `name(Tensor self, Tensor other) -> Tensor` and its .out form.
void AddTensorPair(OpTable& t, const std::string& name,
                   absl::StatusOr<Tensor> (*f)(const Tensor&, const Tensor&)) {
  t.AddWithOut(absl::StrCat("aten::", name, "(Tensor self, Tensor other) -> Tensor"),
               absl::StrCat("aten::", name,
                            ".out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)"),
               [f](Args a) { return f(T(a[0]), T(a[1])); });
}

void BinaryOps(OpTable& t) {
  // pow.
  using PowTT = absl::StatusOr<Tensor> (*)(const Tensor&, const Tensor&);
  using PowTS = absl::StatusOr<Tensor> (*)(const Tensor&, const Scalar&);
  using PowST = absl::StatusOr<Tensor> (*)(const Scalar&, const Tensor&);
  const PowTT pow_tt = Pow;
  const PowTS pow_ts = Pow;
  const PowST pow_st = Pow;
  t.AddTensor("aten::pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
              [pow_tt](Args a) { return pow_tt(T(a[0]), T(a[1])); });
  t.AddTensor("aten::pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
              [pow_ts](Args a) { return pow_ts(T(a[0]), ToScalar(a[1])); });
  t.AddTensor("aten::pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
              [pow_st](Args a) { return pow_st(ToScalar(a[0]), T(a[1])); });
  t.Add("aten::pow.Scalar_out(Scalar self, Tensor exponent, *, Tensor(a!) out) -> Tensor(a!)",
        [pow_st](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], pow_st(ToScalar(a[0]), T(a[1])));
        });
  t.Add("aten::pow.Tensor_Scalar_out(Tensor self, Scalar exponent, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [pow_ts](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], pow_ts(T(a[0]), ToScalar(a[1])));
        });
  t.Add("aten::pow.Tensor_Tensor_out(Tensor self, Tensor exponent, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [pow_tt](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], pow_tt(T(a[0]), T(a[1])));
        });
  using PowInTS = absl::Status (*)(const Tensor&, const Scalar&);
  using PowInTT = absl::Status (*)(const Tensor&, const Tensor&);
  const PowInTS pow_in_ts = PowInplace;
  const PowInTT pow_in_tt = PowInplace;
  t.AddInplace("aten::pow_.Scalar(Tensor(a!) self, Scalar exponent) -> Tensor(a!)",
               [pow_in_ts](Args a) { return pow_in_ts(T(a[0]), ToScalar(a[1])); });
  t.AddInplace("aten::pow_.Tensor(Tensor(a!) self, Tensor exponent) -> Tensor(a!)",
               [pow_in_tt](Args a) { return pow_in_tt(T(a[0]), T(a[1])); });

  // remainder and fmod.
  auto remainder = [](const auto& x, const auto& y) { return Remainder(x, y); };
  auto remainder_in = [](const auto& x, const auto& y) { return RemainderInplace(x, y); };
  AddBinary(t, "remainder", remainder, remainder_in);
  using RemST = absl::StatusOr<Tensor> (*)(const Scalar&, const Tensor&);
  const RemST rem_st = Remainder;
  t.AddTensor("aten::remainder.Scalar_Tensor(Scalar self, Tensor other) -> Tensor",
              [rem_st](Args a) { return rem_st(ToScalar(a[0]), T(a[1])); });
  AddBinaryOuts(t, "remainder", remainder);
  t.Add("aten::remainder.Scalar_Tensor_out(Scalar self, Tensor other, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [rem_st](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], rem_st(ToScalar(a[0]), T(a[1])));
        });
  AddBinaryInplace(t, "remainder_", remainder_in);
  auto fmod = [](const auto& x, const auto& y) { return Fmod(x, y); };
  auto fmod_in = [](const auto& x, const auto& y) { return FmodInplace(x, y); };
  AddBinary(t, "fmod", fmod, fmod_in);
  AddBinaryOuts(t, "fmod", fmod);
  AddBinaryInplace(t, "fmod_", fmod_in);
  AddBinaryInplace(t, "floor_divide_",
                   [](const auto& x, const auto& y) { return FloorDivideInplace(x, y); },
                   /*scalar_first=*/true);

  // Two-tensor ops.
  AddTensorPair(t, "minimum", Minimum);
  AddTensorPair(t, "maximum", Maximum);
  AddTensorPair(t, "fmin", Fmin);
  AddTensorPair(t, "fmax", Fmax);
  using Atan2TT = absl::StatusOr<Tensor> (*)(const Tensor&, const Tensor&);
  AddTensorPair(t, "atan2", static_cast<Atan2TT>(Atan2));
  using Atan2In = absl::Status (*)(const Tensor&, const Tensor&);
  const Atan2In atan2_in = Atan2Inplace;
  t.AddInplace("aten::atan2_(Tensor(a!) self, Tensor other) -> Tensor(a!)",
               [atan2_in](Args a) { return atan2_in(T(a[0]), T(a[1])); });

  // max/min of two tensors, and min (max is registered elsewhere).
  t.AddTensor("aten::max.other(Tensor self, Tensor other) -> Tensor",
              [](Args a) { return Maximum(T(a[0]), T(a[1])); });
  t.AddTensor("aten::min.other(Tensor self, Tensor other) -> Tensor",
              [](Args a) { return Minimum(T(a[0]), T(a[1])); });
  t.AddTensor("aten::min(Tensor self) -> Tensor", [](Args a) { return Min(T(a[0])); });
  t.Add("aten::min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor "
        "indices)",
        [](OpContext&, Args a) -> Result {
          absl::StatusOr<MaxResult> r = Min(T(a[0]), a[1].as_int(), a[2].as_bool());
          if (!r.ok()) return r.status();
          return tensor_args::TensorTuple(std::vector<Tensor>{r->values, r->indices});
        });
  t.Add("aten::min.out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)",
        [](OpContext&, Args a) { return tensor_args::WriteOut(a[2], Minimum(T(a[0]), T(a[1]))); });
}

void BitwiseOps(OpTable& t) {
  struct Op {
    const char* name;
    absl::StatusOr<Tensor> (*tt)(const Tensor&, const Tensor&);
    absl::StatusOr<Tensor> (*ts)(const Tensor&, const Scalar&);
    absl::Status (*itt)(const Tensor&, const Tensor&);
    absl::Status (*its)(const Tensor&, const Scalar&);
  };
  const Op ops[] = {
      {"and", BitwiseAnd, BitwiseAnd, BitwiseAndInplace, BitwiseAndInplace},
      {"or", BitwiseOr, BitwiseOr, BitwiseOrInplace, BitwiseOrInplace},
      {"xor", BitwiseXor, BitwiseXor, BitwiseXorInplace, BitwiseXorInplace},
  };
  for (const Op& op : ops) {
    auto tt = op.tt;
    auto ts = op.ts;
    auto itt = op.itt;
    auto its = op.its;
    const std::string name = absl::StrCat("bitwise_", op.name);
    t.AddTensor(absl::StrCat("aten::", name, ".Tensor(Tensor self, Tensor other) -> Tensor"),
                [tt](Args a) { return tt(T(a[0]), T(a[1])); });
    t.AddTensor(absl::StrCat("aten::", name, ".Scalar(Tensor self, Scalar other) -> Tensor"),
                [ts](Args a) { return ts(T(a[0]), ToScalar(a[1])); });
    AddBinaryOuts(t, name, [tt, ts](const Tensor& x, const auto& y) {
      if constexpr (std::is_same_v<std::decay_t<decltype(y)>, Tensor>) {
        return tt(x, y);
      } else {
        return ts(x, y);
      }
    });
    t.AddInplace(
        absl::StrCat("aten::", name, "_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)"),
        [itt](Args a) { return itt(T(a[0]), T(a[1])); });
    t.AddInplace(
        absl::StrCat("aten::", name, "_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)"),
        [its](Args a) { return its(T(a[0]), ToScalar(a[1])); });
  }
  // The Python operators: __and__ lists Scalar first, __or__/__xor__
  // Tensor first (1.13's order).
  for (const Op& op : ops) {
    auto tt = op.tt;
    auto ts = op.ts;
    auto itt = op.itt;
    auto its = op.its;
    const std::string name = absl::StrCat("__", op.name, "__");
    const std::string tensor_schema =
        absl::StrCat("aten::", name, ".Tensor(Tensor self, Tensor other) -> Tensor");
    const std::string scalar_schema =
        absl::StrCat("aten::", name, ".Scalar(Tensor self, Scalar other) -> Tensor");
    auto tensor_fn = [tt](Args a) { return tt(T(a[0]), T(a[1])); };
    auto scalar_fn = [ts](Args a) { return ts(T(a[0]), ToScalar(a[1])); };
    if (std::string(op.name) == "and") {
      t.AddTensor(scalar_schema, scalar_fn);
      t.AddTensor(tensor_schema, tensor_fn);
    } else {
      t.AddTensor(tensor_schema, tensor_fn);
      t.AddTensor(scalar_schema, scalar_fn);
    }
    const std::string iname = absl::StrCat("__i", op.name, "__");
    t.AddInplace(
        absl::StrCat("aten::", iname, ".Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)"),
        [itt](Args a) { return itt(T(a[0]), T(a[1])); });
    t.AddInplace(
        absl::StrCat("aten::", iname, ".Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)"),
        [its](Args a) { return its(T(a[0]), ToScalar(a[1])); });
  }
  // Shifts.
  struct Shift {
    const char* py;
    const char* name;
    absl::StatusOr<Tensor> (*tt)(const Tensor&, const Tensor&);
    absl::StatusOr<Tensor> (*ts)(const Tensor&, const Scalar&);
    absl::Status (*itt)(const Tensor&, const Tensor&);
    absl::Status (*its)(const Tensor&, const Scalar&);
  };
  const Shift shifts[] = {
      {"lshift", "left_shift", BitwiseLeftShift, BitwiseLeftShift, BitwiseLeftShiftInplace,
       BitwiseLeftShiftInplace},
      {"rshift", "right_shift", BitwiseRightShift, BitwiseRightShift, BitwiseRightShiftInplace,
       BitwiseRightShiftInplace},
  };
  for (const Shift& s : shifts) {
    auto tt = s.tt;
    auto ts = s.ts;
    auto itt = s.itt;
    auto its = s.its;
    const std::string py = absl::StrCat("aten::__", s.py, "__");
    t.AddTensor(absl::StrCat(py, ".Tensor(Tensor self, Tensor other) -> Tensor"),
                [tt](Args a) { return tt(T(a[0]), T(a[1])); });
    t.AddTensor(absl::StrCat(py, ".Scalar(Tensor self, Scalar other) -> Tensor"),
                [ts](Args a) { return ts(T(a[0]), ToScalar(a[1])); });
    t.Add(absl::StrCat(py, ".Scalar_out(Tensor self, Scalar other, *, Tensor(a!) out) -> Tensor(a!)"),
          [ts](OpContext&, Args a) {
            return tensor_args::WriteOut(a[2], ts(T(a[0]), ToScalar(a[1])));
          });
    t.Add(absl::StrCat(py, ".Tensor_out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)"),
          [tt](OpContext&, Args a) { return tensor_args::WriteOut(a[2], tt(T(a[0]), T(a[1]))); });
    const std::string ipy = absl::StrCat("aten::__i", s.py, "__");
    t.AddInplace(absl::StrCat(ipy, ".Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)"),
                 [itt](Args a) { return itt(T(a[0]), T(a[1])); });
    t.AddInplace(absl::StrCat(ipy, ".Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)"),
                 [its](Args a) { return its(T(a[0]), ToScalar(a[1])); });
    const std::string named = absl::StrCat("aten::bitwise_", s.name);
    t.AddTensor(absl::StrCat(named, ".Tensor(Tensor self, Tensor other) -> Tensor"),
                [tt](Args a) { return tt(T(a[0]), T(a[1])); });
    t.AddTensor(absl::StrCat(named, ".Tensor_Scalar(Tensor self, Scalar other) -> Tensor"),
                [ts](Args a) { return ts(T(a[0]), ToScalar(a[1])); });
    t.Add(absl::StrCat(named, ".Tensor_out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)"),
          [tt](OpContext&, Args a) { return tensor_args::WriteOut(a[2], tt(T(a[0]), T(a[1]))); });
    t.Add(absl::StrCat(named,
                       ".Tensor_Scalar_out(Tensor self, Scalar other, *, Tensor(a!) out) -> "
                       "Tensor(a!)"),
          [ts](OpContext&, Args a) {
            return tensor_args::WriteOut(a[2], ts(T(a[0]), ToScalar(a[1])));
          });
  }
  // Logical ops.
  struct Logical {
    const char* name;
    absl::StatusOr<Tensor> (*f)(const Tensor&, const Tensor&);
    absl::Status (*inplace)(const Tensor&, const Tensor&);
  };
  for (const Logical& l : {Logical{"logical_and", LogicalAnd, LogicalAndInplace},
                           Logical{"logical_or", LogicalOr, LogicalOrInplace},
                           Logical{"logical_xor", LogicalXor, LogicalXorInplace}}) {
    auto inplace = l.inplace;
    AddTensorPair(t, l.name, l.f);
    t.AddInplace(absl::StrCat("aten::", l.name, "_(Tensor(a!) self, Tensor other) -> Tensor(a!)"),
                 [inplace](Args a) { return inplace(T(a[0]), T(a[1])); });
  }
}

}  // namespace

absl::Status RegisterTensorPointwiseOps(OperatorRegistry& registry) {
  OpTable t;
  UnaryOps(t);
  ActivationOps(t);
  BinaryOps(t);
  BitwiseOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
