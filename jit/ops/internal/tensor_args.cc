// Copyright ptser authors.
//
// jit/ops/internal/tensor_args.cc — argument and result plumbing for the
// tensor op families.

#include "jit/ops/internal/tensor_args.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tensor/ops/indexing.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace jit {
namespace tensor_args {

std::optional<Tensor> OptionalTensor(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return v.tensor();
}

std::vector<Tensor> TensorList(const Value& v) {
  std::vector<Tensor> out;
  if (v.is_list()) {
    for (const Value& item : v.list().items()) out.push_back(item.tensor());
  } else if (v.is_tuple()) {
    for (const Value& item : v.tuple().items()) out.push_back(item.tensor());
  }
  return out;
}

std::vector<std::optional<Tensor>> OptionalTensorList(const Value& v) {
  std::vector<std::optional<Tensor>> out;
  if (!v.is_list()) return out;
  for (const Value& item : v.list().items()) out.push_back(OptionalTensor(item));
  return out;
}

std::optional<double> OptionalDouble(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return ops_internal::ToDouble(v);
}

std::optional<int64_t> OptionalInt(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return v.as_int();
}

Result InPlace(absl::Status s, const Value& self) {
  if (!s.ok()) return s;
  return self;
}

Result TensorTuple(absl::StatusOr<std::vector<Tensor>> tensors) {
  if (!tensors.ok()) return tensors.status();
  std::vector<Value> items;
  for (Tensor& t : *tensors) items.push_back(Value::FromTensor(std::move(t)));
  return Value::NewTuple(std::move(items));
}

Result TensorListResult(absl::StatusOr<std::vector<Tensor>> tensors) {
  if (!tensors.ok()) return tensors.status();
  std::vector<Value> items;
  for (Tensor& t : *tensors) items.push_back(Value::FromTensor(std::move(t)));
  return Value::NewList(std::move(items));
}

absl::Status AsIndexError(absl::Status s) {
  if (s.ok() || s.code() != absl::StatusCode::kOutOfRange ||
      absl::StartsWith(s.message(), "IndexError: ")) {
    return s;
  }
  return absl::OutOfRangeError(absl::StrCat("IndexError: ", s.message()));
}

Result WithIndexErrors(absl::StatusOr<Tensor> t) {
  if (!t.ok()) return AsIndexError(t.status());
  return Value::FromTensor(*std::move(t));
}

absl::Status CheckFactoryOptions(const Value& layout, const Value& device) {
  if (!layout.is_none() && !(layout.is_int() && layout.as_int() == 0)) {
    return absl::UnimplementedError(
        "ptser creates strided tensors only; the code asks for another layout");
  }
  if (device.is_none()) return absl::OkStatus();
  if (device.is_device() && device.device().is_cpu()) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(
      "ptser runs TorchScript on the CPU only; the code asks for device ",
      device.is_device() ? device.device().ToString() : device.Repr()));
}

absl::StatusOr<Generator*> GeneratorOf(const Value& v) {
  if (v.is_none()) return &DefaultGenerator();
  return absl::UnimplementedError(
      "torch.Generator objects are not supported; ptser draws from the default generator "
      "(torch.manual_seed)");
}

absl::Status CheckFactorySize(OpContext& ctx, absl::Span<const int64_t> sizes, ScalarType dtype,
                              absl::string_view what) {
  absl::StatusOr<int64_t> numel = CheckedNumel(sizes);
  if (!numel.ok()) return numel.status();
  const int64_t item = static_cast<int64_t>(ElementSize(dtype));
  if (*numel > 0 && *numel > (int64_t{1} << 62) / item) return ctx.CheckAlloc(-1, what);
  return ctx.CheckAlloc(*numel * item, what);
}

Result WriteOut(const Value& out, absl::StatusOr<Tensor> result) {
  if (!result.ok()) return result.status();
  const Tensor& dst = out.tensor();
  if (dst.sizes() != result->sizes()) {
    return absl::UnimplementedError(absl::StrCat(
        "out= tensor of shape ", ShapeToString(dst.sizes()), " would have to be resized to ",
        ShapeToString(result->sizes()), "; ptser writes out= tensors of the result's shape only"));
  }
  if (!CanCast(result->dtype(), dst.dtype())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "result type ", C10TypeName(result->dtype()), " can't be cast to the desired output type ",
        C10TypeName(dst.dtype())));
  }
  absl::Status s = CopyInplace(dst, *result);
  if (!s.ok()) return s;
  return out;
}

void OpTable::AddWithOut(std::string schema, std::string out_schema, TensorFn f) {
  Add(std::move(schema), [f](OpContext&, Args a) -> Result {
    absl::StatusOr<Tensor> t = f(a);
    if (!t.ok()) return t.status();
    return Value::FromTensor(*std::move(t));
  });
  if (out_schema.empty()) return;
  Add(std::move(out_schema),
      [f](OpContext&, Args a) -> Result { return WriteOut(a[a.size() - 1], f(a)); });
}

void OpTable::AddTensor(std::string schema, TensorFn f) {
  AddWithOut(std::move(schema), "", std::move(f));
}

void OpTable::AddInplace(std::string schema, std::function<absl::Status(Args)> f) {
  Add(std::move(schema), [f](OpContext&, Args a) -> Result { return InPlace(f(a), a[0]); });
}

}  // namespace tensor_args
}  // namespace jit
}  // namespace ptser
