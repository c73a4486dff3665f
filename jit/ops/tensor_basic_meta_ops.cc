// Copyright ptser authors.
//
// aten:: tensor operators (tensor_basic_ops.h) that describe, convert,
// make and view tensors: facts about a tensor, conversions, factories and
// views.  The rest, and the registration, are in tensor_basic_ops.cc.

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

// Only CPU tensors exist here: a factory or `to` naming another device is
// unimplemented.
absl::Status CheckCpu(const Value& device) {
  if (device.is_none()) return absl::OkStatus();
  if (device.is_device() && device.device().is_cpu()) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(
      "ptser runs TorchScript on the CPU only; the code asks for device ",
      device.is_device() ? device.device().ToString() : device.Repr()));
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

}  // namespace

// Facts about a tensor.
void AddTensorFacts(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
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

}

// Conversions.
void AddConversions(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
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

}

// Factories.
void AddFactories(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
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

}

// Views.
void AddViews(std::vector<OpDef>& ops) {
  auto add = Adder(ops);
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
}

}  // namespace tensor_basic_internal
}  // namespace jit
}  // namespace ptser
