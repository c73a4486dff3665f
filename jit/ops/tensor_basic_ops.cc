// Copyright ptser authors.
//
// aten:: tensor operators over tensor/ and tensor/ops/.  Each entry binds a
// 1.13 schema to the kernel; arguments arrive bound (jit/ops/registry.h):
// `int[]` as a list of ints, `ScalarType?` as an int or None, `Scalar` as
// an int/float/bool/complex Value.
//
// This file: arithmetic, comparisons, reductions, linear algebra,
// activations, softmax, convolution and pooling, and the registration;
// tensor_basic_meta_ops.cc: facts, conversions, factories and views.

#include "jit/ops/tensor_basic_ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_basic_util.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/ops/ops.h"
#include "tensor/scalar.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace tensor_basic_internal {
namespace {

std::optional<Tensor> OptionalTensor(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return v.tensor();
}

absl::StatusOr<RoundingMode> RoundingModeOf(const Value& v) {
  if (v.is_none()) return RoundingMode::kNone;
  return ParseRoundingMode(v.as_string());
}

// Writes `result` into the `out=` argument and returns it.
Result WriteOut(const Value& out, absl::StatusOr<Tensor> result) {
  if (!result.ok()) return result.status();
  const Tensor& r = *result;
  Tensor& dst = out.mutable_tensor();
  if (!CanCast(r.dtype(), dst.dtype())) {
    return RuntimeError(absl::StrCat("result type ", C10TypeName(r.dtype()),
                                     " can't be cast to the desired output type ",
                                     C10TypeName(dst.dtype())));
  }
  if (dst.sizes() != r.sizes()) {
    PTSER_OPS_ASSIGN(fresh, Empty(r.sizes(), dst.dtype()));
    dst = std::move(fresh);
  }
  Tensor src = r;
  if (src.dtype() != dst.dtype()) {
    PTSER_OPS_ASSIGN(cast, Cast(src, dst.dtype()));
    src = std::move(cast);
  }
  absl::Status s = CopyInto(dst, src);
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Tensor> Clamp(const Tensor& x, const Value& min, const Value& max) {
  Tensor out = x;
  if (!min.is_none()) {
    PTSER_OPS_ASSIGN(below, Lt(out, ToScalar(min)));
    PTSER_OPS_ASSIGN(clamped, Where(below, ToScalar(min), out));
    out = std::move(clamped);
  }
  if (!max.is_none()) {
    PTSER_OPS_ASSIGN(above, Gt(out, ToScalar(max)));
    PTSER_OPS_ASSIGN(clamped, Where(above, ToScalar(max), out));
    out = std::move(clamped);
  }
  if (min.is_none() && max.is_none()) {
    return RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  return out;
}

// An `int[n]` convolution argument: one value (repeated) or n of them,
// else PyTorch's error (the schema's list length is not checked by type
// matching).
absl::StatusOr<std::vector<int64_t>> ConvArg(const Value& v, const char* name, size_t n) {
  std::vector<int64_t> x = IntList(v);
  if (x.size() == 1 && n > 1) x.resize(n, x[0]);
  if (x.size() != n) {
    return RuntimeError(absl::StrCat(
        "expected ", name, " to be a single integer value or a list of ", n,
        " values to match the convolution dimensions, but got ", name, "=[",
        absl::StrJoin(x, ", "), "]"));
  }
  return x;
}

absl::StatusOr<ConvParams> Conv2dParams(const Value& stride, const Value& padding,
                                        const Value& dilation, const Value& groups) {
  ConvParams p;
  PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> s, ConvArg(stride, "stride", 2));
  PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> d, ConvArg(dilation, "dilation", 2));
  p.stride = {s[0], s[1]};
  p.dilation = {d[0], d[1]};
  if (!padding.is_str()) {
    PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> pad, ConvArg(padding, "padding", 2));
    p.padding = {pad[0], pad[0], pad[1], pad[1]};
  }
  p.groups = groups.as_int();
  return p;
}

// padding="same"/"valid" for conv1d/conv2d: "same" pads dilation*(k-1) in
// all, the odd one on the bottom/right.
absl::Status StringPadding(const Value& padding, const Tensor& weight, int spatial,
                           ConvParams* p) {
  if (!padding.is_str()) return absl::OkStatus();
  const std::string& mode = padding.as_string();
  if (mode == "valid") {
    p->padding = {0, 0, 0, 0};
    return absl::OkStatus();
  }
  if (mode != "same") {
    return RuntimeError(absl::StrCat("Invalid padding string: '", mode, "'"));
  }
  if (weight.dim() != spatial + 2) {
    return RuntimeError(absl::StrCat("Expected ", spatial + 2,
                                     "-dimensional weight for padding='same', but got weight of "
                                     "size [", absl::StrJoin(weight.sizes(), ", "), "]"));
  }
  for (int i = 0; i < spatial; ++i) {
    const int dim_index = spatial == 1 ? 1 : i;
    if (p->stride[dim_index] != 1) {
      return RuntimeError("padding='same' is not supported for strided convolutions");
    }
    const int64_t k = weight.sizes()[weight.dim() - spatial + i];
    int64_t total = 0;
    if (k < 1 || __builtin_mul_overflow(p->dilation[dim_index], k - 1, &total)) {
      return RuntimeError(absl::StrCat("padding='same': dilation ", p->dilation[dim_index],
                                       " times kernel size ", k, " - 1 is out of range"));
    }
    const int64_t before = total / 2;
    if (spatial == 1 || i == 1) {
      p->padding[2] = before;
      p->padding[3] = total - before;
    } else {
      p->padding[0] = before;
      p->padding[1] = total - before;
    }
  }
  return absl::OkStatus();
}

Result Conv1dOp(Args a) {
  ConvParams p;
  PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> s, ConvArg(a[3], "stride", 1));
  PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> d, ConvArg(a[5], "dilation", 1));
  p.stride = {1, s[0]};
  p.dilation = {1, d[0]};
  if (!a[4].is_str()) {
    PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> pad, ConvArg(a[4], "padding", 1));
    p.padding = {0, 0, pad[0], pad[0]};
  }
  p.groups = a[6].as_int();
  absl::Status st = StringPadding(a[4], T(a[1]), 1, &p);
  if (!st.ok()) return st;
  return TensorResult(Conv1d(T(a[0]), T(a[1]), OptionalTensor(a[2]), p));
}

Result Conv2dOp(Args a) {
  PTSER_ASSIGN_OR_RETURN(ConvParams p, Conv2dParams(a[3], a[4], a[5], a[6]));
  absl::Status st = StringPadding(a[4], T(a[1]), 2, &p);
  if (!st.ok()) return st;
  return TensorResult(Conv2d(T(a[0]), T(a[1]), OptionalTensor(a[2]), p));
}

// The dims of a reduction: None or [] reduce over every dimension.
std::vector<int64_t> ReduceDims(const Value& dims, const Tensor& self) {
  std::vector<int64_t> out = ops_internal::OptionalIntList(dims).value_or(std::vector<int64_t>());
  if (out.empty()) {
    for (int64_t d = 0; d < self.dim(); ++d) out.push_back(d);
  }
  return out;
}

std::array<int64_t, 2> Pair(const Value& v) {
  const std::vector<int64_t> x = IntList(v);
  if (x.empty()) return {0, 0};
  return {x[0], x.size() > 1 ? x[1] : x[0]};
}

}  // namespace

// The tensor an in-place op returns: `self` itself (the same object).
Result InPlace(absl::Status s, const Value& self) {
  if (!s.ok()) return s;
  return self;
}

// Writes `result` into `self` (an in-place op computed out of place),
// casting to self's dtype as PyTorch's in-place ops do.
Result WriteBack(const Value& self, absl::StatusOr<Tensor> result) {
  if (!result.ok()) return result.status();
  Tensor r = *std::move(result);
  if (r.dtype() != T(self).dtype()) {
    PTSER_OPS_ASSIGN(cast, Cast(r, T(self).dtype()));
    r = std::move(cast);
  }
  if (r.sizes() != T(self).sizes()) {
    PTSER_OPS_ASSIGN(expanded, Expand(r, T(self).sizes()));
    r = std::move(expanded);
  }
  absl::Status s = CopyInto(T(self), r);
  if (!s.ok()) return s;
  return self;
}

// Arithmetic (in place and out= forms included).
void AddArithmetic(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
  add("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Add(T(a[0]), T(a[1]), ToScalar(a[2]))); });
  add("aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Add(T(a[0]), ToScalar(a[1]), ToScalar(a[2]))); });
  add("aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(AddInplace(T(a[0]), T(a[1]), ToScalar(a[2])), a[0]); });
  add("aten::add_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
      [](OpContext&, Args a) {
        return InPlace(AddInplace(T(a[0]), ToScalar(a[1]), ToScalar(a[2])), a[0]);
      });
  add("aten::sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Sub(T(a[0]), T(a[1]), ToScalar(a[2]))); });
  add("aten::sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Sub(T(a[0]), ToScalar(a[1]), ToScalar(a[2]))); });
  add("aten::sub_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(SubInplace(T(a[0]), T(a[1]), ToScalar(a[2])), a[0]); });
  add("aten::sub_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
      [](OpContext&, Args a) {
        return InPlace(SubInplace(T(a[0]), ToScalar(a[1]), ToScalar(a[2])), a[0]);
      });
  add("aten::rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Sub(T(a[1]), T(a[0]), ToScalar(a[2]))); });
  add("aten::rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Sub(ToScalar(a[1]), T(a[0]), ToScalar(a[2]))); });
  add("aten::mul.Tensor(Tensor self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Mul(T(a[0]), T(a[1]))); });
  add("aten::mul.Scalar(Tensor self, Scalar other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Mul(T(a[0]), ToScalar(a[1]))); });
  add("aten::mul_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(MulInplace(T(a[0]), T(a[1])), a[0]); });
  add("aten::mul_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(MulInplace(T(a[0]), ToScalar(a[1])), a[0]); });
  add("aten::div.Tensor(Tensor self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Div(T(a[0]), T(a[1]))); });
  add("aten::div.Scalar(Tensor self, Scalar other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Div(T(a[0]), ToScalar(a[1]))); });
  add("aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(mode, RoundingModeOf(a[2]));
        return TensorResult(Div(T(a[0]), T(a[1]), mode));
      });
  add("aten::div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(mode, RoundingModeOf(a[2]));
        return TensorResult(Div(T(a[0]), ToScalar(a[1]), mode));
      });
  // out= forms: the result is written into `out` (resized when its shape
  // differs, as PyTorch's resize_ does; the result's dtype must cast to
  // out's).
  auto div_out = [](bool tensor_other, bool with_mode) {
    return [tensor_other, with_mode](OpContext&, Args a) -> Result {
      RoundingMode mode = RoundingMode::kNone;
      if (with_mode) {
        PTSER_OPS_ASSIGN(m, RoundingModeOf(a[2]));
        mode = m;
      }
      absl::StatusOr<Tensor> r = tensor_other ? Div(T(a[0]), T(a[1]), mode)
                                              : Div(T(a[0]), ToScalar(a[1]), mode);
      return WriteOut(a[with_mode ? 3 : 2], std::move(r));
    };
  };
  add("aten::div.out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)", div_out(true, false));
  add("aten::div.out_mode(Tensor self, Tensor other, *, str? rounding_mode, Tensor(a!) out) -> Tensor(a!)",
      div_out(true, true));
  add("aten::div.Scalar_out(Tensor self, Scalar other, *, Tensor(a!) out) -> Tensor(a!)",
      div_out(false, false));
  add("aten::div.Scalar_mode_out(Tensor self, Scalar other, *, str? rounding_mode, Tensor(a!) out) -> Tensor(a!)",
      div_out(false, true));
  add("aten::div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(DivInplace(T(a[0]), T(a[1])), a[0]); });
  add("aten::div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(DivInplace(T(a[0]), ToScalar(a[1])), a[0]); });
  add("aten::div_.Tensor_mode(Tensor(a!) self, Tensor other, *, str? rounding_mode) -> Tensor(a!)",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(mode, RoundingModeOf(a[2]));
        return InPlace(DivInplace(T(a[0]), T(a[1]), mode), a[0]);
      });
  add("aten::div_.Scalar_mode(Tensor(a!) self, Scalar other, *, str? rounding_mode) -> Tensor(a!)",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(mode, RoundingModeOf(a[2]));
        return InPlace(DivInplace(T(a[0]), ToScalar(a[1]), mode), a[0]);
      });
  add("aten::floor_divide(Tensor self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Div(T(a[0]), T(a[1]), RoundingMode::kFloor)); });
  add("aten::floor_divide.Scalar(Tensor self, Scalar other) -> Tensor", [](OpContext&, Args a) {
    return TensorResult(Div(T(a[0]), ToScalar(a[1]), RoundingMode::kFloor));
  });
  add("aten::neg(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Neg(T(a[0]))); });
  add("aten::neg_(Tensor(a!) self) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(NegInplace(T(a[0])), a[0]); });
  add("aten::abs(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Abs(T(a[0]))); });
  add("aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Clamp(T(a[0]), a[1], a[2])); });

}

// Comparisons and where.
void AddComparisons(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
  struct Cmp {
    const char* name;
    absl::StatusOr<Tensor> (*tensor)(const Tensor&, const Tensor&);
    absl::StatusOr<Tensor> (*scalar)(const Tensor&, const Scalar&);
  };
  for (const Cmp& c : {Cmp{"eq", Eq, Eq}, Cmp{"ne", Ne, Ne}, Cmp{"lt", Lt, Lt}, Cmp{"le", Le, Le},
                       Cmp{"gt", Gt, Gt}, Cmp{"ge", Ge, Ge}}) {
    auto tensor = c.tensor;
    auto scalar = c.scalar;
    add(absl::StrCat("aten::", c.name, ".Tensor(Tensor self, Tensor other) -> Tensor"),
        [tensor](OpContext&, Args a) { return TensorResult(tensor(T(a[0]), T(a[1]))); });
    add(absl::StrCat("aten::", c.name, ".Scalar(Tensor self, Scalar other) -> Tensor"),
        [scalar](OpContext&, Args a) { return TensorResult(scalar(T(a[0]), ToScalar(a[1]))); });
  }
  add("aten::where.self(Tensor condition, Tensor self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Where(T(a[0]), T(a[1]), T(a[2]))); });
  add("aten::where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Where(T(a[0]), T(a[1]), ToScalar(a[2]))); });
  add("aten::where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Where(T(a[0]), ToScalar(a[1]), T(a[2]))); });
  add("aten::where.Scalar(Tensor condition, Scalar self, Scalar other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Where(T(a[0]), ToScalar(a[1]), ToScalar(a[2]))); });

  // masked_fill(_), logical_and/or/not and bitwise_not are registered by
  // tensor_index_ops / tensor_pointwise_ops over their tensor/ops kernels.

}

// Reductions.
void AddReductions(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
  add("aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[3]));
        return TensorResult(Sum(T(a[0]), ReduceDims(a[1], T(a[0])), a[2].as_bool(), dtype));
      });
  add("aten::sum(Tensor self, *, ScalarType? dtype=None) -> Tensor", [](OpContext&, Args a) -> Result {
    PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[1]));
    return TensorResult(Sum(T(a[0]), dtype));
  });
  add("aten::mean(Tensor self, *, ScalarType? dtype=None) -> Tensor", [](OpContext&, Args a) -> Result {
    PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[1]));
    return TensorResult(Mean(T(a[0]), dtype));
  });
  add("aten::mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[3]));
        return TensorResult(Mean(T(a[0]), ReduceDims(a[1], T(a[0])), a[2].as_bool(), dtype));
      });
  add("aten::max(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Max(T(a[0]))); });
  add("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(r, Max(T(a[0]), a[1].as_int(), a[2].as_bool()));
        return Value::NewTuple({Value::FromTensor(std::move(r.values)),
                                Value::FromTensor(std::move(r.indices))});
      });

}

// Linear algebra, activations, softmax.
void AddLinalgActivations(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
  add("aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Linear(T(a[0]), T(a[1]), OptionalTensor(a[2]))); });
  add("aten::matmul(Tensor self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Matmul(T(a[0]), T(a[1]))); });
  add("aten::mm(Tensor self, Tensor mat2) -> Tensor", [](OpContext&, Args a) -> Result {
    if (T(a[0]).dim() != 2) return RuntimeError("self must be a matrix");
    if (T(a[1]).dim() != 2) return RuntimeError("mat2 must be a matrix");
    return TensorResult(Matmul(T(a[0]), T(a[1])));
  });
  add("aten::bmm(Tensor self, Tensor mat2) -> Tensor", [](OpContext&, Args a) -> Result {
    if (T(a[0]).dim() != 3) return RuntimeError("batch1 must be a 3D tensor");
    if (T(a[1]).dim() != 3) return RuntimeError("batch2 must be a 3D tensor");
    return TensorResult(Matmul(T(a[0]), T(a[1])));
  });
  add("aten::relu(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Relu(T(a[0]))); });
  add("aten::relu_(Tensor(a!) self) -> Tensor(a!)",
      [](OpContext&, Args a) { return InPlace(ReluInplace(T(a[0])), a[0]); });
  add("aten::relu6(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Relu6(T(a[0]))); });
  add("aten::hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Clamp(T(a[0]), a[1], a[2])); });
  add("aten::hardtanh_(Tensor(a!) self, Scalar min_val=-1, Scalar max_val=1) -> Tensor(a!)",
      [](OpContext&, Args a) { return WriteBack(a[0], Clamp(T(a[0]), a[1], a[2])); });
  // leaky_relu(_) and dropout(_) are registered by tensor_pointwise_ops /
  // tensor_nn_ops over their tensor/ops kernels (dropout trains there).
  add("aten::gelu(Tensor self, *, str approximate=\"none\") -> Tensor", [](OpContext&, Args a) -> Result {
    const std::string& mode = a[1].as_string();
    if (mode != "none" && mode != "tanh") {
      return RuntimeError(absl::StrCat("approximate argument must be either none or tanh."));
    }
    return TensorResult(
        Gelu(T(a[0]), mode == "tanh" ? GeluApproximation::kTanh : GeluApproximation::kNone));
  });
  add("aten::silu(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Silu(T(a[0]))); });
  add("aten::silu_(Tensor(a!) self) -> Tensor(a!)",
      [](OpContext&, Args a) { return WriteBack(a[0], Silu(T(a[0]))); });
  add("aten::hardswish(Tensor self) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Hardswish(T(a[0]))); });
  add("aten::hardswish_(Tensor(a!) self) -> Tensor(a!)",
      [](OpContext&, Args a) { return WriteBack(a[0], Hardswish(T(a[0]))); });
  add("aten::hardsigmoid(Tensor self) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Hardsigmoid(T(a[0]))); });
  add("aten::sigmoid(Tensor self) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Sigmoid(T(a[0]))); });
  add("aten::sigmoid_(Tensor(a!) self) -> Tensor(a!)",
      [](OpContext&, Args a) { return WriteBack(a[0], Sigmoid(T(a[0]))); });
  add("aten::tanh(Tensor self) -> Tensor", [](OpContext&, Args a) { return TensorResult(Tanh(T(a[0]))); });
  add("aten::tanh_(Tensor(a!) self) -> Tensor(a!)",
      [](OpContext&, Args a) { return WriteBack(a[0], Tanh(T(a[0]))); });
  auto softmax = [](bool log) {
    return [log](OpContext&, Args a) -> Result {
      PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[2]));
      Tensor x = T(a[0]);
      if (dtype && *dtype != x.dtype()) {
        PTSER_OPS_ASSIGN(cast, Cast(x, *dtype));
        x = std::move(cast);
      }
      return TensorResult(log ? LogSoftmax(x, a[1].as_int()) : Softmax(x, a[1].as_int()));
    };
  };
  add("aten::softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", softmax(false));
  add("aten::log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", softmax(true));

}

// Convolution and pooling.
void AddConvolutionPooling(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
  add("aten::conv1d(Tensor input, Tensor weight, Tensor? bias=None, int[1] stride=[1], int[1] padding=[0], int[1] dilation=[1], int groups=1) -> Tensor",
      [](OpContext&, Args a) { return Conv1dOp(a); });
  add("aten::conv1d.padding(Tensor input, Tensor weight, Tensor? bias=None, int[1] stride=[1], str padding=\"valid\", int[1] dilation=[1], int groups=1) -> Tensor",
      [](OpContext&, Args a) { return Conv1dOp(a); });
  add("aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, int[2] padding=0, int[2] dilation=1, int groups=1) -> Tensor",
      [](OpContext&, Args a) { return Conv2dOp(a); });
  add("aten::conv2d.padding(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, str padding=\"valid\", int[2] dilation=1, int groups=1) -> Tensor",
      [](OpContext&, Args a) { return Conv2dOp(a); });
  add("aten::conv_transpose2d.input(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, int[2] padding=0, int[2] output_padding=0, int groups=1, int[2] dilation=1) -> Tensor",
      [](OpContext&, Args a) -> Result {
        PTSER_ASSIGN_OR_RETURN(ConvParams p, Conv2dParams(a[3], a[4], a[7], a[6]));
        PTSER_ASSIGN_OR_RETURN(const std::vector<int64_t> out_pad,
                               ConvArg(a[5], "output_padding", 2));
        p.output_padding = {out_pad[0], out_pad[1]};
        return TensorResult(ConvTranspose2d(T(a[0]), T(a[1]), OptionalTensor(a[2]), p));
      });
  add("aten::pad(Tensor self, int[] pad, str mode=\"constant\", float? value=None) -> Tensor",
      [](OpContext&, Args a) -> Result {
        const std::string& m = a[2].as_string();
        PadMode mode;
        if (m == "constant") {
          mode = PadMode::kConstant;
        } else if (m == "reflect") {
          mode = PadMode::kReflect;
        } else if (m == "replicate") {
          mode = PadMode::kReplicate;
        } else if (m == "circular") {
          mode = PadMode::kCircular;
        } else {
          return absl::InvalidArgumentError(absl::StrCat(
              "NotImplementedError: Unrecognised padding mode ", m));
        }
        return TensorResult(Pad(T(a[0]), IntList(a[1]), mode, a[3].is_none() ? 0.0 : a[3].as_float()));
      });
  add("aten::constant_pad_nd(Tensor self, int[] pad, Scalar value=0) -> Tensor", [](OpContext&, Args a) {
    return TensorResult(Pad(T(a[0]), IntList(a[1]), PadMode::kConstant, ops_internal::ToDouble(a[2])));
  });
  add("aten::max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> Tensor",
      [](OpContext&, Args a) {
        PoolParams p;
        p.kernel = Pair(a[1]);
        p.stride = IntList(a[2]).empty() ? p.kernel : Pair(a[2]);
        p.padding = Pair(a[3]);
        p.dilation = Pair(a[4]);
        p.ceil_mode = a[5].as_bool();
        return TensorResult(MaxPool2d(T(a[0]), p));
      });
  add("aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor",
      [](OpContext&, Args a) {
        PoolParams p;
        p.kernel = Pair(a[1]);
        p.stride = IntList(a[2]).empty() ? p.kernel : Pair(a[2]);
        p.padding = Pair(a[3]);
        p.ceil_mode = a[4].as_bool();
        p.count_include_pad = a[5].as_bool();
        if (!a[6].is_none()) p.divisor_override = a[6].as_int();
        return TensorResult(AvgPool2d(T(a[0]), p));
      });
  add("aten::adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(AdaptiveAvgPool2d(T(a[0]), Pair(a[1]))); });

}

}  // namespace tensor_basic_internal

namespace {

std::vector<ops_internal::OpDef> TensorBasicOps() {
  std::vector<ops_internal::OpDef> ops;
  tensor_basic_internal::AddArithmetic(ops);
  tensor_basic_internal::AddComparisons(ops);
  tensor_basic_internal::AddReductions(ops);
  tensor_basic_internal::AddLinalgActivations(ops);
  tensor_basic_internal::AddConvolutionPooling(ops);
  tensor_basic_internal::AddTensorFacts(ops);
  tensor_basic_internal::AddConversions(ops);
  tensor_basic_internal::AddFactories(ops);
  tensor_basic_internal::AddViews(ops);
  return ops;
}

}  // namespace

absl::Status RegisterTensorBasicOps(OperatorRegistry& registry) {
  return ops_internal::RegisterAll(registry, TensorBasicOps());
}

}  // namespace jit
}  // namespace ptser
