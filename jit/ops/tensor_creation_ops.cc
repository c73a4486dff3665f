// Copyright ptser authors.
//
// aten:: factories over tensor/ops/creation.h.  Schemas are PyTorch 1.13's
// text, overloads in its order.
//
// Argument positions: the factories end with `*, ScalarType? dtype,
// Layout? layout, Device? device, bool? pin_memory` (the *_like ones add
// `MemoryFormat? memory_format`), preceded by `Generator? generator` in
// the .generator overloads.

#include "jit/ops/tensor_creation_ops.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/ops/creation.h"
#include "tensor/factories.h"
#include "tensor/ops/dropout.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::IntList;
using ops_internal::OptionalDtype;
using ops_internal::ToDouble;
using ops_internal::ToScalar;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::Result;
using tensor_args::T;

#define PTSER_GLUE_ASSIGN(lhs, rexpr)           \
  auto lhs##_or = (rexpr);                      \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

constexpr const char* kOptions =
    "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None";

// The dtype of a factory whose options start at args[i] (dtype, layout,
// device, pin_memory), after checking layout and device.
absl::StatusOr<ScalarType> FactoryDtype(Args a, size_t i, ScalarType fallback) {
  absl::Status s = tensor_args::CheckFactoryOptions(a[i + 1], a[i + 2]);
  if (!s.ok()) return s;
  PTSER_GLUE_ASSIGN(dtype, OptionalDtype(a[i]));
  return dtype.value_or(fallback);
}

void RangeOps(OpTable& t) {
  t.Add(absl::StrCat("aten::linspace(Scalar start, Scalar end, int steps, *, ", kOptions,
                     ") -> Tensor"),
        [](OpContext& ctx, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 3, ScalarType::kFloat));
          const int64_t steps = a[2].as_int();
          absl::Status s = tensor_args::CheckFactorySize(ctx, {std::max<int64_t>(steps, 0)}, dtype,
                                                         "torch.linspace");
          if (!s.ok()) return s;
          return ops_internal::TensorResult(Linspace(ToScalar(a[0]), ToScalar(a[1]), steps, dtype));
        });
  t.Add("aten::linspace.out(Scalar start, Scalar end, int steps, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [](OpContext&, Args a) {
          return tensor_args::WriteOut(
              a[3], Linspace(ToScalar(a[0]), ToScalar(a[1]), a[2].as_int(), T(a[3]).dtype()));
        });
  t.Add(absl::StrCat("aten::logspace(Scalar start, Scalar end, int steps, float base=10., *, ",
                     kOptions, ") -> Tensor"),
        [](OpContext& ctx, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 4, ScalarType::kFloat));
          const int64_t steps = a[2].as_int();
          absl::Status s = tensor_args::CheckFactorySize(ctx, {std::max<int64_t>(steps, 0)}, dtype,
                                                         "torch.logspace");
          if (!s.ok()) return s;
          return ops_internal::TensorResult(
              Logspace(ToScalar(a[0]), ToScalar(a[1]), steps, ToDouble(a[3]), dtype));
        });
  t.Add("aten::logspace.out(Scalar start, Scalar end, int steps, float base=10., *, Tensor(a!) "
        "out) -> Tensor(a!)",
        [](OpContext&, Args a) {
          return tensor_args::WriteOut(a[4], Logspace(ToScalar(a[0]), ToScalar(a[1]),
                                                      a[2].as_int(), ToDouble(a[3]),
                                                      T(a[4]).dtype()));
        });
}

void EyeOps(OpTable& t) {
  auto eye = [](OpContext& ctx, int64_t n, std::optional<int64_t> m, Args a,
                size_t options) -> Result {
    PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, options, ScalarType::kFloat));
    absl::Status s = tensor_args::CheckFactorySize(
        ctx, {std::max<int64_t>(n, 0), std::max<int64_t>(m.value_or(n), 0)}, dtype, "torch.eye");
    if (!s.ok()) return s;
    return ops_internal::TensorResult(Eye(n, m, dtype));
  };
  t.Add(absl::StrCat("aten::eye(int n, *, ", kOptions, ") -> Tensor"),
        [eye](OpContext& ctx, Args a) { return eye(ctx, a[0].as_int(), std::nullopt, a, 1); });
  t.Add(absl::StrCat("aten::eye.m(int n, int m, *, ", kOptions, ") -> Tensor"),
        [eye](OpContext& ctx, Args a) { return eye(ctx, a[0].as_int(), a[1].as_int(), a, 2); });
  t.Add("aten::eye.out(int n, *, Tensor(a!) out) -> Tensor(a!)", [](OpContext&, Args a) {
    return tensor_args::WriteOut(a[1], Eye(a[0].as_int(), std::nullopt, T(a[1]).dtype()));
  });
  t.Add("aten::eye.m_out(int n, int m, *, Tensor(a!) out) -> Tensor(a!)", [](OpContext&, Args a) {
    return tensor_args::WriteOut(a[2], Eye(a[0].as_int(), a[1].as_int(), T(a[2]).dtype()));
  });
}

void ScalarTensorOps(OpTable& t) {
  t.Add(absl::StrCat("aten::scalar_tensor(Scalar s, *, ", kOptions, ") -> Tensor"),
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 1, ScalarType::kFloat));
          return ops_internal::TensorResult(Full({}, ToScalar(a[0]), dtype));
        });
}

// rand / randn: `size` then (generator,) options.
void RandomFactoryOps(OpTable& t) {
  for (const bool normal : {false, true}) {
    const std::string name = normal ? "randn" : "rand";
    auto make = [normal, name](OpContext& ctx, Args a, Generator* g, size_t options) -> Result {
      PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, options, ScalarType::kFloat));
      const std::vector<int64_t> size = IntList(a[0]);
      absl::Status s = tensor_args::CheckFactorySize(ctx, size, dtype, "torch." + name);
      if (!s.ok()) return s;
      return ops_internal::TensorResult(normal ? Randn(size, dtype, g) : Rand(size, dtype, g));
    };
    t.Add(absl::StrCat("aten::", name, "(int[] size, *, ", kOptions, ") -> Tensor"),
          [make](OpContext& ctx, Args a) { return make(ctx, a, &DefaultGenerator(), 1); });
    t.Add(absl::StrCat("aten::", name, ".generator(int[] size, *, Generator? generator, ",
                       kOptions, ") -> Tensor"),
          [make](OpContext& ctx, Args a) -> Result {
            PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[1]));
            return make(ctx, a, g, 2);
          });
  }
  auto randint = [](OpContext& ctx, int64_t low, int64_t high, const Value& size_v, Args a,
                    Generator* g, size_t options) -> Result {
    PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, options, ScalarType::kLong));
    const std::vector<int64_t> size = IntList(size_v);
    absl::Status s = tensor_args::CheckFactorySize(ctx, size, dtype, "torch.randint");
    if (!s.ok()) return s;
    return ops_internal::TensorResult(Randint(low, high, size, dtype, g));
  };
  const std::string randint_options =
      "ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None";
  t.Add(absl::StrCat("aten::randint(int high, int[] size, *, ", randint_options, ") -> Tensor"),
        [randint](OpContext& ctx, Args a) {
          return randint(ctx, 0, a[0].as_int(), a[1], a, &DefaultGenerator(), 2);
        });
  t.Add(absl::StrCat("aten::randint.generator(int high, int[] size, *, Generator? generator, ",
                     randint_options, ") -> Tensor"),
        [randint](OpContext& ctx, Args a) -> Result {
          PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[2]));
          return randint(ctx, 0, a[0].as_int(), a[1], a, g, 3);
        });
  t.Add(absl::StrCat("aten::randint.low(int low, int high, int[] size, *, ", randint_options,
                     ") -> Tensor"),
        [randint](OpContext& ctx, Args a) {
          return randint(ctx, a[0].as_int(), a[1].as_int(), a[2], a, &DefaultGenerator(), 3);
        });
  t.Add(absl::StrCat("aten::randint.low_generator(int low, int high, int[] size, *, Generator? "
                     "generator, ",
                     randint_options, ") -> Tensor"),
        [randint](OpContext& ctx, Args a) -> Result {
          PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[3]));
          return randint(ctx, a[0].as_int(), a[1].as_int(), a[2], a, g, 4);
        });
  t.Add(absl::StrCat("aten::normal.float_float(float mean, float std, int[] size, *, Generator? "
                     "generator=None, ",
                     kOptions, ") -> Tensor"),
        [](OpContext& ctx, Args a) -> Result {
          PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[3]));
          PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 4, ScalarType::kFloat));
          const std::vector<int64_t> size = IntList(a[2]);
          absl::Status s = tensor_args::CheckFactorySize(ctx, size, dtype, "torch.normal");
          if (!s.ok()) return s;
          return ops_internal::TensorResult(Normal(ToDouble(a[0]), ToDouble(a[1]), size, dtype, g));
        });
}

void LikeOps(OpTable& t) {
  const std::string like_options = absl::StrCat(kOptions, ", MemoryFormat? memory_format=None");
  for (const bool normal : {false, true}) {
    const std::string name = normal ? "randn_like" : "rand_like";
    t.Add(absl::StrCat("aten::", name, "(Tensor self, *, ", like_options, ") -> Tensor"),
          [normal](OpContext&, Args a) -> Result {
            PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 1, T(a[0]).dtype()));
            return ops_internal::TensorResult(normal ? Randn(T(a[0]).sizes(), dtype)
                                                     : Rand(T(a[0]).sizes(), dtype));
          });
  }
  t.Add(absl::StrCat("aten::randint_like(Tensor self, int high, *, ", like_options, ") -> Tensor"),
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 2, T(a[0]).dtype()));
          return ops_internal::TensorResult(Randint(0, a[1].as_int(), T(a[0]).sizes(), dtype));
        });
  t.Add(absl::StrCat("aten::randint_like.low_dtype(Tensor self, int low, int high, *, ",
                     like_options, ") -> Tensor"),
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, FactoryDtype(a, 3, T(a[0]).dtype()));
          return ops_internal::TensorResult(
              Randint(a[1].as_int(), a[2].as_int(), T(a[0]).sizes(), dtype));
        });
}

void FillOps(OpTable& t) {
  t.Add("aten::bernoulli.p(Tensor self, float p, *, Generator? generator=None) -> Tensor",
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[2]));
          return ops_internal::TensorResult(
              Bernoulli(T(a[0]).sizes(), ToDouble(a[1]), T(a[0]).dtype(), g));
        });
  t.Add("aten::uniform_(Tensor(a!) self, float from=0., float to=1., *, Generator? "
        "generator=None) -> Tensor(a!)",
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[3]));
          return tensor_args::InPlace(UniformInplace(T(a[0]), ToDouble(a[1]), ToDouble(a[2]), g),
                                      a[0]);
        });
  t.Add("aten::normal_(Tensor(a!) self, float mean=0., float std=1., *, Generator? "
        "generator=None) -> Tensor(a!)",
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(g, tensor_args::GeneratorOf(a[3]));
          return tensor_args::InPlace(NormalInplace(T(a[0]), ToDouble(a[1]), ToDouble(a[2]), g),
                                      a[0]);
        });
}

}  // namespace

absl::Status RegisterTensorCreationOps(OperatorRegistry& registry) {
  OpTable t;
  RangeOps(t);
  EyeOps(t);
  ScalarTensorOps(t);
  RandomFactoryOps(t);
  LikeOps(t);
  FillOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
