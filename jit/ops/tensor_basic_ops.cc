// Copyright ptser authors.
//
// aten:: tensor operators over tensor/ and tensor/ops/.  Each entry binds a
// 1.13 schema to the kernel; arguments arrive bound (jit/ops/registry.h):
// `int[]` as a list of ints, `ScalarType?` as an int or None, `Scalar` as
// an int/float/bool/complex Value.

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
#include "jit/ops/internal/op_util.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/ops/ops.h"
#include "tensor/scalar.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::IntList;
using ops_internal::OpDef;
using ops_internal::OptionalDtype;
using ops_internal::RuntimeError;
using ops_internal::TensorResult;
using ops_internal::ToScalar;
using Args = absl::Span<Value>;
using Result = absl::StatusOr<Value>;

#define PTSER_OPS_ASSIGN(lhs, rexpr)            \
  auto lhs##_or = (rexpr);                      \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

const Tensor& T(const Value& v) { return v.tensor(); }

std::optional<Tensor> OptionalTensor(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return v.tensor();
}

// The tensor an in-place op returns: `self` itself (the same object).
Result InPlace(absl::Status s, const Value& self) {
  if (!s.ok()) return s;
  return self;
}

// Only CPU tensors exist here: a factory or `to` naming another device is
// unimplemented.
absl::Status CheckCpu(const Value& device) {
  if (device.is_none()) return absl::OkStatus();
  if (device.is_device() && device.device().is_cpu()) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(
      "ptser runs TorchScript on the CPU only; the code asks for device ",
      device.is_device() ? device.device().ToString() : device.Repr()));
}

absl::StatusOr<RoundingMode> RoundingModeOf(const Value& v) {
  if (v.is_none()) return RoundingMode::kNone;
  return ParseRoundingMode(v.as_string());
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

// torch.tensor(data): the nested lists' shape and elements, and the dtype
// TorchScript infers (ints int64, floats the default float32, bools bool,
// complex complex64; an empty list float32).
absl::Status FlattenNested(const Value& v, size_t depth, std::vector<int64_t>* sizes,
                           std::vector<Scalar>* out) {
  if (v.is_list() || v.is_tuple()) {
    absl::Span<const Value> items = v.sequence_items();
    if (depth == sizes->size()) {
      if (!out->empty()) {
        return RuntimeError(absl::StrCat("Expected sequence of length ", (*sizes)[depth - 1],
                                         " at dim ", depth - 1, " (got a sequence)"));
      }
      sizes->push_back(static_cast<int64_t>(items.size()));
    } else if ((*sizes)[depth] != static_cast<int64_t>(items.size())) {
      return RuntimeError(absl::StrCat("Expected sequence of length ", (*sizes)[depth],
                                       " at dim ", depth, " (got ", items.size(), ")"));
    }
    for (const Value& item : items) {
      absl::Status s = FlattenNested(item, depth + 1, sizes, out);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (depth != sizes->size()) {
    return RuntimeError(absl::StrCat("Expected a sequence at dim ", depth, ", got ", v.TypeName()));
  }
  if (v.is_tensor()) {
    PTSER_OPS_ASSIGN(s, GetElement(v.tensor(), std::vector<int64_t>(v.tensor().dim(), 0)));
    if (v.tensor().numel() != 1) return RuntimeError("Expected a number, got a tensor");
    out->push_back(s);
    return absl::OkStatus();
  }
  if (!(v.is_int() || v.is_float() || v.is_bool() || v.is_complex())) {
    return RuntimeError(absl::StrCat("Expected a number in torch.tensor, got ", v.TypeName()));
  }
  out->push_back(ToScalar(v));
  return absl::OkStatus();
}

Result TensorFromData(OpContext& ctx, const Value& data, const Value& dtype_v,
                      const Value& device, const Value& requires_grad) {
  absl::Status s = CheckCpu(device);
  if (!s.ok()) return s;
  std::vector<int64_t> sizes;
  std::vector<Scalar> values;
  s = FlattenNested(data, 0, &sizes, &values);
  if (!s.ok()) return s;
  PTSER_OPS_ASSIGN(dtype, OptionalDtype(dtype_v));
  ScalarType inferred = ScalarType::kFloat;
  if (!values.empty()) {
    bool any_float = false, any_complex = false, all_bool = true;
    for (const Scalar& x : values) {
      any_float |= x.is_floating_point();
      any_complex |= x.is_complex();
      all_bool &= x.is_bool();
    }
    inferred = any_complex ? ScalarType::kComplexFloat
               : any_float ? ScalarType::kFloat
               : all_bool  ? ScalarType::kBool
                           : ScalarType::kLong;
  }
  const ScalarType t = dtype.value_or(inferred);
  s = ctx.CheckAlloc(static_cast<int64_t>(values.size() * ElementSize(t)), "torch.tensor");
  if (!s.ok()) return s;
  PTSER_OPS_ASSIGN(out, TensorFromValues(t, values, sizes));
  out.set_requires_grad(requires_grad.as_bool());
  return Value::FromTensor(std::move(out));
}

// A factory's size and dtype, checked against the allocation limit.
absl::Status CheckFactory(OpContext& ctx, absl::Span<const int64_t> sizes, ScalarType dtype,
                          absl::string_view what) {
  PTSER_OPS_ASSIGN(numel, CheckedNumel(sizes));
  const int64_t item = static_cast<int64_t>(ElementSize(dtype));
  if (numel > 0 && numel > (int64_t{1} << 62) / item) return ctx.CheckAlloc(-1, what);
  return ctx.CheckAlloc(numel * item, what);
}

Result ZerosOrOnes(OpContext& ctx, const Value& size, const Value& dtype_v, const Value& device,
             double fill, absl::string_view what) {
  absl::Status s = CheckCpu(device);
  if (!s.ok()) return s;
  const std::vector<int64_t> sizes = IntList(size);
  PTSER_OPS_ASSIGN(dtype, OptionalDtype(dtype_v));
  const ScalarType t = dtype.value_or(ScalarType::kFloat);
  s = CheckFactory(ctx, sizes, t, what);
  if (!s.ok()) return s;
  if (fill == 0) return TensorResult(ptser::Zeros(sizes, t));
  return TensorResult(Full(sizes, Scalar(fill), t));
}

// (dtype, layout, device, pin_memory) of a *_like factory.
Result Like(OpContext& ctx, const Tensor& self, const Value& dtype_v, const Value& device,
            std::optional<Scalar> fill, absl::string_view what) {
  absl::Status s = CheckCpu(device);
  if (!s.ok()) return s;
  PTSER_OPS_ASSIGN(dtype, OptionalDtype(dtype_v));
  const ScalarType t = dtype.value_or(self.dtype());
  s = CheckFactory(ctx, self.sizes(), t, what);
  if (!s.ok()) return s;
  if (!fill) return TensorResult(EmptyLike(self, t));
  return TensorResult(Full(self.sizes(), *fill, t));
}

// x.to(dtype): x itself when nothing changes and no copy is asked for.
Result To(const Value& self, std::optional<ScalarType> dtype, bool copy) {
  const Tensor& x = T(self);
  const ScalarType t = dtype.value_or(x.dtype());
  if (t == x.dtype()) {
    if (!copy) return self;
    return TensorResult(Clone(x));
  }
  return TensorResult(Cast(x, t));
}

ConvParams Conv2dParams(const Value& stride, const Value& padding, const Value& dilation,
                        const Value& groups) {
  ConvParams p;
  const std::vector<int64_t> s = IntList(stride), d = IntList(dilation);
  p.stride = {s.at(0), s.size() > 1 ? s[1] : s[0]};
  p.dilation = {d.at(0), d.size() > 1 ? d[1] : d[0]};
  if (!padding.is_str()) {
    const std::vector<int64_t> pad = IntList(padding);
    const int64_t ph = pad.at(0), pw = pad.size() > 1 ? pad[1] : pad[0];
    p.padding = {ph, ph, pw, pw};
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
  for (int i = 0; i < spatial; ++i) {
    const int dim_index = spatial == 1 ? 1 : i;
    if (p->stride[dim_index] != 1) {
      return RuntimeError("padding='same' is not supported for strided convolutions");
    }
    const int64_t k = weight.sizes()[weight.dim() - spatial + i];
    const int64_t total = p->dilation[dim_index] * (k - 1);
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
  const std::vector<int64_t> s = IntList(a[3]), d = IntList(a[5]);
  p.stride = {1, s.at(0)};
  p.dilation = {1, d.at(0)};
  if (!a[4].is_str()) {
    const int64_t pad = IntList(a[4]).at(0);
    p.padding = {0, 0, pad, pad};
  }
  p.groups = a[6].as_int();
  absl::Status st = StringPadding(a[4], T(a[1]), 1, &p);
  if (!st.ok()) return st;
  return TensorResult(Conv1d(T(a[0]), T(a[1]), OptionalTensor(a[2]), p));
}

Result Conv2dOp(Args a) {
  ConvParams p = Conv2dParams(a[3], a[4], a[5], a[6]);
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

std::vector<OpDef> TensorBasicOps() {
  std::vector<OpDef> ops;
  auto add = [&](std::string schema, OpFn fn) { ops.push_back({std::move(schema), std::move(fn)}); };

  // ---- arithmetic ----
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

  // ---- comparisons and where ----
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

  // ---- reductions ----
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

  // ---- linear algebra, activations, softmax ----
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

  // ---- convolution and pooling ----
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
        ConvParams p = Conv2dParams(a[3], a[4], a[7], a[6]);
        p.output_padding = Pair(a[5]);
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

  // ---- facts about a tensor ----
  add("aten::dim(Tensor self) -> int", [](OpContext&, Args a) -> Result { return Value::Int(T(a[0]).dim()); });
  add("aten::size.int(Tensor self, int dim) -> int", [](OpContext&, Args a) -> Result {
    PTSER_OPS_ASSIGN(s, T(a[0]).size(a[1].as_int()));
    return Value::Int(s);
  });
  add("aten::size(Tensor self) -> int[]", [](OpContext&, Args a) -> Result {
    std::vector<Value> out;
    for (int64_t s : T(a[0]).sizes()) out.push_back(Value::Int(s));
    return Value::NewList(std::move(out));
  });
  add("aten::numel(Tensor self) -> int", [](OpContext&, Args a) -> Result { return Value::Int(T(a[0]).numel()); });
  add("aten::item(Tensor self) -> Scalar", [](OpContext&, Args a) -> Result {
    const Tensor& x = T(a[0]);
    if (x.numel() != 1) {
      return RuntimeError(absl::StrCat("a Tensor with ", x.numel(),
                                       " elements cannot be converted to Scalar"));
    }
    PTSER_OPS_ASSIGN(s, GetElement(x, std::vector<int64_t>(x.dim(), 0)));
    return ops_internal::FromScalar(s);
  });
  add("aten::is_floating_point(Tensor self) -> bool",
      [](OpContext&, Args a) -> Result { return Value::Bool(IsFloatingPoint(T(a[0]).dtype())); });
  add("aten::is_complex(Tensor self) -> bool",
      [](OpContext&, Args a) -> Result { return Value::Bool(IsComplex(T(a[0]).dtype())); });

  // ---- conversions ----
  add("aten::to.device(Tensor(a) self, Device device, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      [](OpContext&, Args a) -> Result {
        absl::Status s = CheckCpu(a[1]);
        if (!s.ok()) return s;
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[2]));
        return To(a[0], dtype, a[4].as_bool());
      });
  add("aten::to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[1]));
        return To(a[0], dtype, a[3].as_bool());
      });
  add("aten::to.other(Tensor(a) self, Tensor other, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      [](OpContext&, Args a) -> Result { return To(a[0], T(a[1]).dtype(), a[3].as_bool()); });
  add("aten::to.dtype_layout(Tensor(a) self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      [](OpContext&, Args a) -> Result {
        absl::Status s = CheckCpu(a[3]);
        if (!s.ok()) return s;
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[1]));
        return To(a[0], dtype, a[6].as_bool());
      });
  add("aten::to.prim_Device(Tensor(a) self, Device? device, int? dtype=None, bool non_blocking=False, bool copy=False) -> Tensor(b|a)",
      [](OpContext&, Args a) -> Result {
        absl::Status s = CheckCpu(a[1]);
        if (!s.ok()) return s;
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[2]));
        return To(a[0], dtype, a[4].as_bool());
      });
  add("aten::to.prim_dtype(Tensor(a) self, int? dtype=None, bool non_blocking=False, bool copy=False) -> Tensor(b|a)",
      [](OpContext&, Args a) -> Result {
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[1]));
        return To(a[0], dtype, a[3].as_bool());
      });
  add("aten::to.prim_other(Tensor(a) self, bool non_blocking=False, bool copy=False) -> Tensor(b|a)",
      [](OpContext&, Args a) { return To(a[0], std::nullopt, a[2].as_bool()); });
  add("aten::cpu(Tensor(a) self) -> Tensor(b|a)", [](OpContext&, Args a) -> Result { return a[0]; });
  add("aten::type_as(Tensor self, Tensor other) -> Tensor",
      [](OpContext&, Args a) { return To(a[0], T(a[1]).dtype(), false); });
  add("aten::contiguous(Tensor(a) self, *, MemoryFormat memory_format=0) -> Tensor(a)",
      [](OpContext&, Args a) -> Result {
        if (a[1].as_int() != 0 && a[1].as_int() != 1) {
          return absl::UnimplementedError("contiguous: only torch.contiguous_format is supported");
        }
        if (T(a[0]).is_contiguous()) return a[0];
        return TensorResult(Contiguous(T(a[0])));
      });
  add("aten::detach(Tensor(a) self) -> Tensor(a)", [](OpContext&, Args a) -> Result {
    Tensor t = T(a[0]);
    t.set_requires_grad(false);
    t.set_is_parameter(false);
    return Value::FromTensor(std::move(t));
  });
  add("aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor",
      [](OpContext&, Args a) { return TensorResult(Clone(T(a[0]))); });
  add("aten::copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)",
      [](OpContext&, Args a) { return WriteBack(a[0], T(a[1])); });
  add("aten::fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", [](OpContext&, Args a) {
    return WriteBack(a[0], Full(T(a[0]).sizes(), ToScalar(a[1]), T(a[0]).dtype()));
  });
  add("aten::zero_(Tensor(a!) self) -> Tensor(a!)", [](OpContext&, Args a) {
    return WriteBack(a[0], ptser::Zeros(T(a[0]).sizes(), T(a[0]).dtype()));
  });

  // ---- factories ----
  add("aten::tensor.float(float t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
      [](OpContext& ctx, Args a) { return TensorFromData(ctx, a[0], a[1], a[2], a[3]); });
  add("aten::tensor.int(int t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
      [](OpContext& ctx, Args a) { return TensorFromData(ctx, a[0], a[1], a[2], a[3]); });
  add("aten::tensor.bool(bool t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
      [](OpContext& ctx, Args a) { return TensorFromData(ctx, a[0], a[1], a[2], a[3]); });
  add("aten::tensor.complex(complex t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
      [](OpContext& ctx, Args a) { return TensorFromData(ctx, a[0], a[1], a[2], a[3]); });
  add("aten::tensor(t[] data, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
      [](OpContext& ctx, Args a) { return TensorFromData(ctx, a[0], a[1], a[2], a[3]); });
  add("aten::zeros(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      [](OpContext& ctx, Args a) { return ZerosOrOnes(ctx, a[0], a[1], a[3], 0, "aten::zeros"); });
  add("aten::ones(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      [](OpContext& ctx, Args a) { return ZerosOrOnes(ctx, a[0], a[1], a[3], 1, "aten::ones"); });
  add("aten::full(SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      [](OpContext& ctx, Args a) -> Result {
        absl::Status s = CheckCpu(a[4]);
        if (!s.ok()) return s;
        const std::vector<int64_t> sizes = IntList(a[0]);
        PTSER_OPS_ASSIGN(dtype, OptionalDtype(a[2]));
        const Scalar fill = ToScalar(a[1]);
        s = CheckFactory(ctx, sizes, dtype.value_or(FullDtype(fill)), "aten::full");
        if (!s.ok()) return s;
        return TensorResult(Full(sizes, fill, dtype));
      });
  add("aten::empty.memory_format(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
      [](OpContext& ctx, Args a) { return ZerosOrOnes(ctx, a[0], a[1], a[3], 0, "aten::empty"); });
  auto arange = [](OpContext& ctx, const Scalar& start, const Scalar& end, const Scalar& step,
                   const Value& dtype_v, const Value& device) -> Result {
    absl::Status s = CheckCpu(device);
    if (!s.ok()) return s;
    PTSER_OPS_ASSIGN(dtype, OptionalDtype(dtype_v));
    if (step.to_double() != 0) {
      const double n = std::ceil((end.to_double() - start.to_double()) / step.to_double());
      if (n > static_cast<double>(int64_t{1} << 50)) return ctx.CheckAlloc(-1, "aten::arange");
      s = ctx.CheckAlloc(static_cast<int64_t>(std::max(0.0, n)) * 8, "aten::arange");
      if (!s.ok()) return s;
    }
    return TensorResult(Arange(start, end, step, dtype));
  };
  add("aten::arange(Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      [arange](OpContext& ctx, Args a) {
        return arange(ctx, Scalar(int64_t{0}), ToScalar(a[0]), Scalar(int64_t{1}), a[1], a[3]);
      });
  add("aten::arange.start(Scalar start, Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      [arange](OpContext& ctx, Args a) {
        return arange(ctx, ToScalar(a[0]), ToScalar(a[1]), Scalar(int64_t{1}), a[2], a[4]);
      });
  add("aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      [arange](OpContext& ctx, Args a) {
        return arange(ctx, ToScalar(a[0]), ToScalar(a[1]), ToScalar(a[2]), a[3], a[5]);
      });
  add("aten::zeros_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
      [](OpContext& ctx, Args a) { return Like(ctx, T(a[0]), a[1], a[3], std::nullopt, "aten::zeros_like"); });
  add("aten::ones_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
      [](OpContext& ctx, Args a) {
        return Like(ctx, T(a[0]), a[1], a[3], Scalar(int64_t{1}), "aten::ones_like");
      });
  add("aten::empty_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
      [](OpContext& ctx, Args a) { return Like(ctx, T(a[0]), a[1], a[3], std::nullopt, "aten::empty_like"); });
  add("aten::full_like(Tensor self, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
      [](OpContext& ctx, Args a) {
        return Like(ctx, T(a[0]), a[2], a[4], ToScalar(a[1]), "aten::full_like");
      });

  // ---- views ----
  add("aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(View(T(a[0]), IntList(a[1]))); });
  add("aten::reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Reshape(T(a[0]), IntList(a[1]))); });
  add("aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)", [](OpContext&, Args a) {
    return TensorResult(Transpose(T(a[0]), a[1].as_int(), a[2].as_int()));
  });
  add("aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Permute(T(a[0]), IntList(a[1]))); });
  add("aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Unsqueeze(T(a[0]), a[1].as_int())); });
  add("aten::squeeze(Tensor(a) self) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Squeeze(T(a[0]))); });
  add("aten::squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Squeeze(T(a[0]), a[1].as_int())); });
  add("aten::select.int(Tensor(a) self, int dim, int index) -> Tensor(a)", [](OpContext&, Args a) {
    return TensorResult(Select(T(a[0]), a[1].as_int(), a[2].as_int()));
  });
  add("aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)",
      [](OpContext&, Args a) {
        std::optional<int64_t> start, end;
        if (!a[2].is_none()) start = a[2].as_int();
        if (!a[3].is_none()) end = a[3].as_int();
        return TensorResult(Slice(T(a[0]), a[1].as_int(), start, end, a[4].as_int()));
      });
  add("aten::narrow(Tensor(a) self, int dim, int start, int length) -> Tensor(a)", [](OpContext&, Args a) {
    return TensorResult(Narrow(T(a[0]), a[1].as_int(), a[2].as_int(), a[3].as_int()));
  });
  add("aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Expand(T(a[0]), IntList(a[1]))); });
  add("aten::flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)",
      [](OpContext&, Args a) {
        return TensorResult(Flatten(T(a[0]), a[1].as_int(), a[2].as_int()));
      });
  add("aten::t(Tensor(a) self) -> Tensor(a)", [](OpContext&, Args a) -> Result {
    const Tensor& x = T(a[0]);
    if (x.dim() > 2) {
      return RuntimeError(absl::StrCat("t() expects a tensor with <= 2 dimensions, but self is ",
                                       x.dim(), "D"));
    }
    if (x.dim() < 2) return a[0];
    return TensorResult(Transpose(x, 0, 1));
  });
  add("aten::numpy_T(Tensor(a) self) -> Tensor(a)", [](OpContext&, Args a) -> Result {
    const Tensor& x = T(a[0]);
    std::vector<int64_t> dims;
    for (int64_t d = x.dim() - 1; d >= 0; --d) dims.push_back(d);
    return TensorResult(Permute(x, dims));
  });
  add("aten::view_as(Tensor(a) self, Tensor other) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(View(T(a[0]), T(a[1]).sizes())); });
  add("aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Expand(T(a[0]), T(a[1]).sizes())); });
  add("aten::reshape_as(Tensor(a) self, Tensor other) -> Tensor(a)",
      [](OpContext&, Args a) { return TensorResult(Reshape(T(a[0]), T(a[1]).sizes())); });
  return ops;
}

#undef PTSER_OPS_ASSIGN

}  // namespace

absl::Status RegisterTensorBasicOps(OperatorRegistry& registry) {
  return ops_internal::RegisterAll(registry, TensorBasicOps());
}

}  // namespace jit
}  // namespace ptser
