// Copyright ptser authors.
//
// aten:: reductions over tensor/ops/reduction.h, statistics.h, scan.h and
// sort.h.  Schemas are PyTorch 1.13's text, overloads in its order.

#include "jit/ops/tensor_reduction_ops.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/ops/internal/op_util.h"
#include "jit/ops/internal/tensor_args.h"
#include "tensor/cast.h"
#include "tensor/ops/reduction.h"
#include "tensor/ops/scan.h"
#include "tensor/ops/sort.h"
#include "tensor/ops/statistics.h"

namespace ptser {
namespace jit {
namespace {

using ops_internal::IntList;
using ops_internal::OptionalDtype;
using ops_internal::OptionalIntList;
using ops_internal::ToDouble;
using tensor_args::Args;
using tensor_args::OpTable;
using tensor_args::OptionalInt;
using tensor_args::Result;
using tensor_args::T;

#define PTSER_GLUE_ASSIGN(lhs, rexpr)           \
  auto lhs##_or = (rexpr);                      \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

// `int[1]? dim`: None is every dimension ([] too, as in 1.13).
std::vector<int64_t> Dims(const Value& v) {
  return OptionalIntList(v).value_or(std::vector<int64_t>());
}

// A `Scalar? p` of norm: None is 2.
double NormP(const Value& v) { return v.is_none() ? 2.0 : ToDouble(v); }

Result SortPair(absl::StatusOr<SortResult> r) {
  if (!r.ok()) return r.status();
  return tensor_args::TensorTuple(std::vector<Tensor>{r->values, r->indices});
}

absl::StatusOr<Tensor> WithDtype(const Tensor& x, const Value& dtype_v) {
  PTSER_GLUE_ASSIGN(dtype, OptionalDtype(dtype_v));
  if (!dtype || *dtype == x.dtype()) return x;
  return Cast(x, *dtype);
}

void ProdOps(OpTable& t) {
  t.Add("aten::prod(Tensor self, *, ScalarType? dtype=None) -> Tensor",
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, OptionalDtype(a[1]));
          return ops_internal::TensorResult(Prod(T(a[0]), dtype));
        });
  auto prod_dim = [](Args a) -> absl::StatusOr<Tensor> {
    PTSER_GLUE_ASSIGN(dtype, OptionalDtype(a[3]));
    return Prod(T(a[0]), a[1].as_int(), a[2].as_bool(), dtype);
  };
  t.AddTensor("aten::prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? "
              "dtype=None) -> Tensor",
              prod_dim);
  t.Add("aten::prod.int_out(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None, "
        "Tensor(a!) out) -> Tensor(a!)",
        [prod_dim](OpContext&, Args a) { return tensor_args::WriteOut(a[4], prod_dim(a)); });
  t.Add("aten::prod.out(Tensor self, *, ScalarType? dtype=None, Tensor(a!) out) -> Tensor(a!)",
        [](OpContext&, Args a) -> Result {
          PTSER_GLUE_ASSIGN(dtype, OptionalDtype(a[1]));
          return tensor_args::WriteOut(a[2], Prod(T(a[0]), dtype));
        });
}

void ExtremaOps(OpTable& t) {
  t.AddWithOut("aten::argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
               "aten::argmax.out(Tensor self, int? dim=None, bool keepdim=False, *, Tensor(a!) "
               "out) -> Tensor(a!)",
               [](Args a) { return Argmax(T(a[0]), OptionalInt(a[1]), a[2].as_bool()); });
  t.AddWithOut("aten::argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
               "aten::argmin.out(Tensor self, int? dim=None, bool keepdim=False, *, Tensor(a!) "
               "out) -> Tensor(a!)",
               [](Args a) { return Argmin(T(a[0]), OptionalInt(a[1]), a[2].as_bool()); });
  t.AddWithOut("aten::amax(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
               "aten::amax.out(Tensor self, int[1] dim=[], bool keepdim=False, *, Tensor(a!) "
               "out) -> Tensor(a!)",
               [](Args a) { return Amax(T(a[0]), IntList(a[1]), a[2].as_bool()); });
  t.AddWithOut("aten::amin(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
               "aten::amin.out(Tensor self, int[1] dim=[], bool keepdim=False, *, Tensor(a!) "
               "out) -> Tensor(a!)",
               [](Args a) { return Amin(T(a[0]), IntList(a[1]), a[2].as_bool()); });
}

void LogicOps(OpTable& t) {
  using Whole = absl::StatusOr<Tensor> (*)(const Tensor&);
  using AlongDim = absl::StatusOr<Tensor> (*)(const Tensor&, int64_t, bool);
  const Whole all = All, any = Any;
  const AlongDim all_dim = All, any_dim = Any;
  t.AddTensor("aten::all(Tensor self) -> Tensor", [all](Args a) { return all(T(a[0])); });
  t.AddTensor("aten::all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
              [all_dim](Args a) { return all_dim(T(a[0]), a[1].as_int(), a[2].as_bool()); });
  t.Add("aten::all.out(Tensor self, int dim, bool keepdim=False, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [all_dim](OpContext&, Args a) {
          return tensor_args::WriteOut(a[3], all_dim(T(a[0]), a[1].as_int(), a[2].as_bool()));
        });
  t.Add("aten::all.all_out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
        [all](OpContext&, Args a) { return tensor_args::WriteOut(a[1], all(T(a[0]))); });
  t.AddTensor("aten::any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
              [any_dim](Args a) { return any_dim(T(a[0]), a[1].as_int(), a[2].as_bool()); });
  t.AddTensor("aten::any(Tensor self) -> Tensor", [any](Args a) { return any(T(a[0])); });
  t.Add("aten::any.out(Tensor self, int dim, bool keepdim=False, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [any_dim](OpContext&, Args a) {
          return tensor_args::WriteOut(a[3], any_dim(T(a[0]), a[1].as_int(), a[2].as_bool()));
        });
  t.Add("aten::any.all_out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
        [any](OpContext&, Args a) { return tensor_args::WriteOut(a[1], any(T(a[0]))); });
}

void StatisticOps(OpTable& t) {
  for (const bool is_std : {false, true}) {
    const std::string name = is_std ? "std" : "var";
    auto f = [is_std](const Tensor& x, const std::vector<int64_t>& dims, int64_t correction,
                      bool keepdim) {
      return is_std ? Std(x, dims, correction, keepdim) : Var(x, dims, correction, keepdim);
    };
    t.AddTensor(absl::StrCat("aten::", name, "(Tensor self, bool unbiased=True) -> Tensor"),
                [f](Args a) { return f(T(a[0]), {}, a[1].as_bool() ? 1 : 0, false); });
    auto by_dim = [f](Args a) {
      return f(T(a[0]), Dims(a[1]), a[2].as_bool() ? 1 : 0, a[3].as_bool());
    };
    t.AddTensor(absl::StrCat("aten::", name,
                             ".dim(Tensor self, int[1]? dim, bool unbiased=True, bool "
                             "keepdim=False) -> Tensor"),
                by_dim);
    auto by_correction = [f](Args a) {
      return f(T(a[0]), Dims(a[1]), OptionalInt(a[2]).value_or(1), a[3].as_bool());
    };
    t.AddTensor(absl::StrCat("aten::", name,
                             ".correction(Tensor self, int[1]? dim, *, int? correction, bool "
                             "keepdim=False) -> Tensor"),
                by_correction);
    t.Add(absl::StrCat("aten::", name,
                       ".out(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False, "
                       "*, Tensor(a!) out) -> Tensor(a!)"),
          [by_dim](OpContext&, Args a) { return tensor_args::WriteOut(a[4], by_dim(a)); });
    t.Add(absl::StrCat("aten::", name,
                       ".correction_out(Tensor self, int[1]? dim, *, int? correction, bool "
                       "keepdim=False, Tensor(a!) out) -> Tensor(a!)"),
          [by_correction](OpContext&, Args a) {
            return tensor_args::WriteOut(a[4], by_correction(a));
          });
  }

  t.AddTensor("aten::norm.Scalar(Tensor self, Scalar p=2) -> Tensor",
              [](Args a) { return Norm(T(a[0]), NormP(a[1])); });
  auto norm_dim = [](Args a) {
    return Norm(T(a[0]), NormP(a[1]), IntList(a[2]), a[3].as_bool());
  };
  t.AddTensor("aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) "
              "-> Tensor",
              norm_dim);
  t.AddTensor("aten::norm.ScalarOpt_dim_dtype(Tensor self, Scalar? p, int[1] dim, bool "
              "keepdim, *, ScalarType dtype) -> Tensor",
              [](Args a) -> absl::StatusOr<Tensor> {
                PTSER_GLUE_ASSIGN(x, WithDtype(T(a[0]), a[4]));
                return Norm(x, NormP(a[1]), IntList(a[2]), a[3].as_bool());
              });
  t.Add("aten::norm.out(Tensor self, Scalar? p, int[1] dim, bool keepdim=False, *, Tensor(a!) "
        "out) -> Tensor(a!)",
        [norm_dim](OpContext&, Args a) { return tensor_args::WriteOut(a[4], norm_dim(a)); });
  t.AddTensor("aten::norm.ScalarOpt_dtype(Tensor self, Scalar? p, *, ScalarType dtype) -> Tensor",
              [](Args a) -> absl::StatusOr<Tensor> {
                PTSER_GLUE_ASSIGN(x, WithDtype(T(a[0]), a[2]));
                return Norm(x, NormP(a[1]));
              });
  t.Add("aten::norm.Scalar_out(Tensor self, Scalar p=2, *, Tensor(a!) out) -> Tensor(a!)",
        [](OpContext&, Args a) {
          return tensor_args::WriteOut(a[2], Norm(T(a[0]), NormP(a[1])));
        });

  auto logsumexp = [](Args a) { return Logsumexp(T(a[0]), IntList(a[1]), a[2].as_bool()); };
  t.AddTensor("aten::logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor", logsumexp);
  t.Add("aten::logsumexp.out(Tensor self, int[1] dim, bool keepdim=False, *, Tensor(a!) out) -> "
        "Tensor(a!)",
        [logsumexp](OpContext&, Args a) { return tensor_args::WriteOut(a[3], logsumexp(a)); });
}

void ScanOps(OpTable& t) {
  for (const bool product : {false, true}) {
    const std::string name = product ? "cumprod" : "cumsum";
    auto f = [product](Args a) -> absl::StatusOr<Tensor> {
      PTSER_GLUE_ASSIGN(dtype, OptionalDtype(a[2]));
      return product ? Cumprod(T(a[0]), a[1].as_int(), dtype)
                     : Cumsum(T(a[0]), a[1].as_int(), dtype);
    };
    t.AddTensor(absl::StrCat("aten::", name,
                             "(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor"),
                f);
    t.Add(absl::StrCat("aten::", name,
                       ".out(Tensor self, int dim, *, ScalarType? dtype=None, Tensor(a!) out) -> "
                       "Tensor(a!)"),
          [f](OpContext&, Args a) { return tensor_args::WriteOut(a[3], f(a)); });
  }
}

void SortOps(OpTable& t) {
  t.Add("aten::sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor "
        "indices)",
        [](OpContext&, Args a) {
          return SortPair(Sort(T(a[0]), a[1].as_int(), a[2].as_bool()));
        });
  // Sorting is always stable here, so `stable` changes nothing.
  t.Add("aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> "
        "(Tensor values, Tensor indices)",
        [](OpContext&, Args a) {
          return SortPair(Sort(T(a[0]), a[2].as_int(), a[3].as_bool()));
        });
  t.AddTensor("aten::argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor",
              [](Args a) { return Argsort(T(a[0]), a[1].as_int(), a[2].as_bool()); });
  t.AddTensor("aten::argsort.stable(Tensor self, *, bool stable, int dim=-1, bool "
              "descending=False) -> Tensor",
              [](Args a) { return Argsort(T(a[0]), a[2].as_int(), a[3].as_bool()); });
  t.Add("aten::topk(Tensor self, int k, int dim=-1, bool largest=True, bool sorted=True) -> "
        "(Tensor values, Tensor indices)",
        [](OpContext&, Args a) {
          return SortPair(
              Topk(T(a[0]), a[1].as_int(), a[2].as_int(), a[3].as_bool(), a[4].as_bool()));
        });
}

}  // namespace

absl::Status RegisterTensorReductionOps(OperatorRegistry& registry) {
  OpTable t;
  ProdOps(t);
  ExtremaOps(t);
  LogicOps(t);
  StatisticOps(t);
  ScanOps(t);
  SortOps(t);
  return ops_internal::RegisterAll(registry, t.Take());
}

}  // namespace jit
}  // namespace ptser
