// Copyright ptser authors.
//
// tensor/ops/linalg.cc — matmul (all of torch.matmul's cases through one
// batched, strided kernel) and linear.

#include "tensor/ops/linalg.h"

#include <algorithm>
#include <array>
#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"
#include "tensor/ops/internal/gemm.h"
#include "tensor/ops/type_promotion.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

constexpr uint32_t kMatmulTypes =
    kIntegralTypes | kFloatingTypes | kComplexTypes;

absl::Status DtypeMismatch(ScalarType expected, ScalarType found) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected scalar type ", C10TypeName(expected),
                   " but found ", C10TypeName(found)));
}

absl::Status MatricesMismatch(int64_t r1, int64_t c1, int64_t r2, int64_t c2) {
  return absl::InvalidArgumentError(
      absl::StrCat("mat1 and mat2 shapes cannot be multiplied (", r1, "x", c1,
                   " and ", r2, "x", c2, ")"));
}

absl::Status VectorMismatch(int64_t rows, int64_t cols, int64_t len) {
  return absl::InvalidArgumentError(absl::StrCat(
      "size mismatch, got ", rows, ", ", rows, "x", cols, ",", len));
}

template <typename T>
using MatmulAcc = std::conditional_t<
    kIsComplex<T>, std::complex<double>,
    std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>>;

// out[i, j] = sum_l a[i, l] * b[l, j] for one matrix of the batch; all
// strides in bytes.
template <typename T>
void Gemm(int64_t n, int64_t k, int64_t p, char* out, int64_t os0, int64_t os1,
          const char* a, int64_t as0, int64_t as1, const char* b, int64_t bs0,
          int64_t bs1, std::vector<MatmulAcc<T>>* row) {
  using Acc = MatmulAcc<T>;
  row->assign(static_cast<size_t>(p), Acc(0));
  for (int64_t i = 0; i < n; ++i) {
    std::fill(row->begin(), row->end(), Acc(0));
    for (int64_t l = 0; l < k; ++l) {
      const T av = Load<T>(a + i * as0 + l * as1);
      const char* brow = b + l * bs0;
      if constexpr (std::is_same_v<Acc, uint64_t>) {
        const uint64_t x = static_cast<uint64_t>(static_cast<int64_t>(av));
        for (int64_t j = 0; j < p; ++j) {
          (*row)[j] += x * static_cast<uint64_t>(
                               static_cast<int64_t>(Load<T>(brow + j * bs1)));
        }
      } else {
        const Acc x = Convert<Acc>(av);
        for (int64_t j = 0; j < p; ++j) {
          (*row)[j] += x * Convert<Acc>(Load<T>(brow + j * bs1));
        }
      }
    }
    for (int64_t j = 0; j < p; ++j) {
      T v;
      if constexpr (std::is_same_v<Acc, uint64_t>) {
        v = Convert<T>(static_cast<int64_t>((*row)[j]));
      } else {
        v = Convert<T>((*row)[j]);
      }
      Store<T>(out + i * os0 + j * os1, v);
    }
  }
}

// One float/double matrix product through the blocked GEMM
// (internal/gemm.h): C (n x p, rows ldc apart) = A (n x k) * B (k x p);
// strides in elements.  A is used in place when its columns are
// contiguous, B when its columns or (through GemmBT) its rows are;
// otherwise they are copied into `scratch` first.
template <typename T>
void BlockedGemm(int64_t n, int64_t k, int64_t p, T* c, int64_t ldc, const T* a, int64_t as0,
                 int64_t as1, const T* b, int64_t bs0, int64_t bs1, std::vector<T>* scratch_a,
                 std::vector<T>* scratch_b) {
  int64_t lda = n <= 1 ? k : as0;
  if (!(k <= 1 || as1 == 1)) {
    scratch_a->resize(static_cast<size_t>(n * k));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t l = 0; l < k; ++l) (*scratch_a)[i * k + l] = a[i * as0 + l * as1];
    }
    a = scratch_a->data();
    lda = k;
  }
  if (p <= 1 || bs1 == 1) {
    ops_internal::Gemm(n, p, k, a, lda, b, k <= 1 ? p : bs0, c, ldc, /*accumulate=*/false);
  } else if (k <= 1 || bs0 == 1) {
    ops_internal::GemmBT(n, p, k, a, lda, b, bs1, c, ldc, /*accumulate=*/false);
  } else {
    scratch_b->resize(static_cast<size_t>(k * p));
    for (int64_t l = 0; l < k; ++l) {
      for (int64_t j = 0; j < p; ++j) (*scratch_b)[l * p + j] = b[l * bs0 + j * bs1];
    }
    ops_internal::Gemm(n, p, k, a, lda, scratch_b->data(), p, c, ldc, /*accumulate=*/false);
  }
}

// `t` (1-D or higher) seen as batch + [rows, cols]: a 1-D tensor becomes a
// row [1, k] (`as_row`) or a column [k, 1].
absl::StatusOr<Tensor> AsMatrices(const Tensor& t, bool as_row) {
  if (t.dim() >= 2) return t;
  const int64_t k = t.sizes()[0];
  const int64_t s = t.strides()[0];
  std::vector<int64_t> sizes =
      as_row ? std::vector<int64_t>{1, k} : std::vector<int64_t>{k, 1};
  std::vector<int64_t> strides =
      as_row ? std::vector<int64_t>{0, s} : std::vector<int64_t>{s, 0};
  return Tensor::Make(t.storage(), t.dtype(), t.storage_offset(),
                      std::move(sizes), std::move(strides));
}

std::vector<int64_t> BatchDims(const Tensor& t) {
  if (t.dim() <= 2) return {};
  return std::vector<int64_t>(t.sizes().begin(), t.sizes().end() - 2);
}

// Checks shapes and dtypes the way torch.matmul's case would; returns the
// kernel name PyTorch would report for an unsupported dtype.
absl::StatusOr<const char*> CheckMatmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim();
  const int64_t db = b.dim();
  const int64_t n = da >= 2 ? a.sizes()[da - 2] : 1;
  const int64_t ka = a.sizes()[da - 1];
  const int64_t kb = db >= 2 ? b.sizes()[db - 2] : b.sizes()[0];
  const int64_t p = b.sizes()[db - 1];
  const int64_t batch_a = NumElements(BatchDims(a));
  const int64_t batch_b = NumElements(BatchDims(b));
  const ScalarType ta = a.dtype();
  const ScalarType tb = b.dtype();
  if (da == 1 && db == 1) {
    if (ta != tb) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dot : expected both vectors to have same dtype, but found ",
          C10TypeName(ta), " and ", C10TypeName(tb)));
    }
    if (ka != kb) {
      return absl::InvalidArgumentError(absl::StrCat(
          "inconsistent tensor size, expected tensor [", ka, "] and src [", kb,
          "] to have the same number of elements, but got ", ka, " and ", kb,
          " elements respectively"));
    }
    return "dot";
  }
  if (da <= 2 && db <= 2) {
    if (ka != kb) {
      return db == 1 ? VectorMismatch(n, ka, kb)
                     : MatricesMismatch(n, ka, kb, p);
    }
    if (ta != tb) return DtypeMismatch(ta, tb);
    return db == 1 ? "addmv_impl_cpu" : "addmm_impl_cpu_";
  }
  if (da >= 3 && db <= 2) {
    // PyTorch folds a's batch into its rows.
    const int64_t rows = batch_a * n;
    if (ka != kb) {
      return db == 1 ? VectorMismatch(rows, ka, kb)
                     : MatricesMismatch(rows, ka, kb, p);
    }
    if (ta != tb) return DtypeMismatch(ta, tb);
    return db == 1 ? "addmv_impl_cpu" : "addmm_impl_cpu_";
  }
  if (da <= 2 && db >= 3) {
    // PyTorch computes (b^T folded) @ a^T.
    const int64_t rows = batch_b * p;
    if (ka != kb) {
      return da == 1 ? VectorMismatch(rows, kb, ka)
                     : MatricesMismatch(rows, kb, ka, n);
    }
    if (ta != tb) return DtypeMismatch(tb, ta);
    return da == 1 ? "addmv_impl_cpu" : "addmm_impl_cpu_";
  }
  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> batch,
                         BroadcastShapes(BatchDims(a), BatchDims(b)));
  const int64_t batch_size = NumElements(batch);
  if (ka != kb) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected size for first two dimensions of batch2 tensor to be: [",
        batch_size, ", ", ka, "] but got: [", batch_size, ", ", kb, "]."));
  }
  if (ta != tb) return DtypeMismatch(ta, tb);
  return "bmm";
}

}  // namespace

absl::StatusOr<Tensor> Matmul(const Tensor& a_in, const Tensor& b_in) {
  if (a_in.dim() == 0 || b_in.dim() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "both arguments to matmul need to be at least 1D, but they are ",
        a_in.dim(), "D and ", b_in.dim(), "D"));
  }
  PTSER_ASSIGN_OR_RETURN(const char* name, CheckMatmul(a_in, b_in));
  if (!DtypeInGroups<kMatmulTypes>(a_in.dtype())) {
    return UnsupportedDtypeError(name, a_in.dtype());
  }
  PTSER_ASSIGN_OR_RETURN(Tensor a, PrepareInput(a_in, "matmul"));
  PTSER_ASSIGN_OR_RETURN(Tensor b, PrepareInput(b_in, "matmul"));

  PTSER_ASSIGN_OR_RETURN(std::vector<int64_t> batch,
                         BroadcastShapes(BatchDims(a), BatchDims(b)));
  const int64_t n = a.dim() >= 2 ? a.sizes()[a.dim() - 2] : 1;
  const int64_t k = a.sizes()[a.dim() - 1];
  const int64_t p = b.dim() >= 2 ? b.sizes()[b.dim() - 1] : 1;
  std::vector<int64_t> out_shape = batch;
  if (a.dim() >= 2) out_shape.push_back(n);
  if (b.dim() >= 2) out_shape.push_back(p);
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(out_shape, a.dtype()));

  // Everything as batch + matrix.
  PTSER_ASSIGN_OR_RETURN(Tensor am, AsMatrices(a, /*as_row=*/true));
  PTSER_ASSIGN_OR_RETURN(Tensor bm, AsMatrices(b, /*as_row=*/false));
  std::vector<int64_t> a_shape = batch;
  a_shape.insert(a_shape.end(), {n, k});
  std::vector<int64_t> b_shape = batch;
  b_shape.insert(b_shape.end(), {k, p});
  std::vector<int64_t> o_shape = batch;
  o_shape.insert(o_shape.end(), {n, p});
  PTSER_ASSIGN_OR_RETURN(am, ExpandTo(am, a_shape));
  PTSER_ASSIGN_OR_RETURN(bm, ExpandTo(bm, b_shape));
  PTSER_ASSIGN_OR_RETURN(Tensor om,
                         Tensor::Make(out.storage(), out.dtype(), 0, o_shape,
                                      Tensor::ContiguousStrides(o_shape)));

  const size_t nb = batch.size();
  std::vector<int64_t> os = ByteStrides(om), as = ByteStrides(am),
                       bs = ByteStrides(bm);
  PTSER_RETURN_IF_ERROR(DispatchDtype<kMatmulTypes>(
      a.dtype(), name, [&](auto tag) -> absl::Status {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          // Floating products run the blocked GEMM, accumulating in T as
          // BLAS does.
          constexpr int64_t kItem = sizeof(T);
          std::vector<T> scratch_a, scratch_b;
          ForEachRow<3>(batch,
                        {static_cast<char*>(om.mutable_data()),
                         const_cast<char*>(static_cast<const char*>(am.data())),
                         const_cast<char*>(static_cast<const char*>(bm.data()))},
                        {std::vector<int64_t>(os.begin(), os.begin() + nb),
                         std::vector<int64_t>(as.begin(), as.begin() + nb),
                         std::vector<int64_t>(bs.begin(), bs.begin() + nb)},
                        [&](const std::array<char*, 3>& ptr, const std::array<int64_t, 3>& s,
                            int64_t count) {
                          for (int64_t i = 0; i < count; ++i) {
                            BlockedGemm<T>(n, k, p, reinterpret_cast<T*>(ptr[0] + i * s[0]), p,
                                           reinterpret_cast<const T*>(ptr[1] + i * s[1]),
                                           as[nb] / kItem, as[nb + 1] / kItem,
                                           reinterpret_cast<const T*>(ptr[2] + i * s[2]),
                                           bs[nb] / kItem, bs[nb + 1] / kItem, &scratch_a,
                                           &scratch_b);
                          }
                        });
          return absl::OkStatus();
        }
        std::vector<MatmulAcc<T>> row;
        ForEachRow<3>(batch,
                      {static_cast<char*>(om.mutable_data()),
                       const_cast<char*>(static_cast<const char*>(am.data())),
                       const_cast<char*>(static_cast<const char*>(bm.data()))},
                      {std::vector<int64_t>(os.begin(), os.begin() + nb),
                       std::vector<int64_t>(as.begin(), as.begin() + nb),
                       std::vector<int64_t>(bs.begin(), bs.begin() + nb)},
                      [&](const std::array<char*, 3>& ptr,
                          const std::array<int64_t, 3>& s, int64_t count) {
                        for (int64_t i = 0; i < count; ++i) {
                          Gemm<T>(n, k, p, ptr[0] + i * s[0], os[nb],
                                  os[nb + 1], ptr[1] + i * s[1], as[nb],
                                  as[nb + 1], ptr[2] + i * s[2], bs[nb],
                                  bs[nb + 1], &row);
                        }
                      });
        return absl::OkStatus();
      }));
  return out;
}

namespace {

// y = x W^T + b for dense float32/float64 CPU operands: the bias rows first,
// then the blocked product accumulated onto them (one pass, no temporary,
// no broadcasting add), for operands LinearQualifies accepts.
template <typename T>
void LinearDense(const Tensor& x, const Tensor& weight, const Tensor* bias, Tensor* y) {
  const int64_t out_features = weight.sizes()[0];
  const int64_t in_features = weight.sizes()[1];
  int64_t n_rows = 1;  // every dimension but the last
  for (size_t d = 0; d + 1 < x.sizes().size(); ++d) n_rows *= x.sizes()[d];
  T* out = static_cast<T*>(y->mutable_data());
  if (bias != nullptr) {
    const T* b = static_cast<const T*>(bias->data());
    for (int64_t r = 0; r < n_rows; ++r) std::copy(b, b + out_features, out + r * out_features);
  }
  ops_internal::GemmBT(n_rows, out_features, in_features, static_cast<const T*>(x.data()),
                       in_features, static_cast<const T*>(weight.data()), in_features, out,
                       out_features, /*accumulate=*/bias != nullptr);
}

bool LinearQualifies(const Tensor& x, const Tensor& w, const std::optional<Tensor>& bias) {
  const ScalarType dt = w.dtype();
  auto plain = [](const Tensor& t) {
    return t.is_contiguous() && !t.is_conj() && !t.is_neg() && t.device().is_cpu();
  };
  return (dt == ScalarType::kFloat || dt == ScalarType::kDouble) && x.dtype() == dt &&
         w.dim() == 2 && x.dim() >= 1 && x.sizes().back() == w.sizes()[1] && plain(x) &&
         plain(w) &&
         (!bias.has_value() || (bias->dtype() == dt && bias->dim() == 1 &&
                                bias->sizes()[0] == w.sizes()[0] && plain(*bias)));
}

}  // namespace

absl::StatusOr<Tensor> Linear(const Tensor& x, const Tensor& weight,
                              const std::optional<Tensor>& bias) {
  if (LinearQualifies(x, weight, bias)) {
    std::vector<int64_t> shape = x.sizes();
    shape.back() = weight.sizes()[0];
    PTSER_ASSIGN_OR_RETURN(Tensor y, ops_internal::AllocateTensor(shape, weight.dtype()));
    const Tensor* b = bias.has_value() ? &*bias : nullptr;
    if (weight.dtype() == ScalarType::kFloat) {
      LinearDense<float>(x, weight, b, &y);
    } else {
      LinearDense<double>(x, weight, b, &y);
    }
    return y;
  }
  if (weight.dim() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("t() expects a tensor with <= 2 dimensions, but self is ",
                     weight.dim(), "D"));
  }
  // weight.t(): a view with the two dims swapped.
  Tensor wt = weight;
  if (weight.dim() == 2) {
    PTSER_ASSIGN_OR_RETURN(
        wt,
        Tensor::Make(weight.storage(), weight.dtype(), weight.storage_offset(),
                     {weight.sizes()[1], weight.sizes()[0]},
                     {weight.strides()[1], weight.strides()[0]}));
    wt.set_conj(weight.is_conj());
    wt.set_neg(weight.is_neg());
  }
  const bool fold3d = x.dim() == 3 && x.is_contiguous();
  if (bias.has_value() && (x.dim() == 2 || fold3d)) {
    // PyTorch's addmm(bias, x, weight.t()), a 3-D contiguous x folded to
    // (batch * rows, in).
    Tensor x2 = x;
    if (fold3d) {
      const std::vector<int64_t> sizes = {x.sizes()[0] * x.sizes()[1],
                                          x.sizes()[2]};
      PTSER_ASSIGN_OR_RETURN(
          x2, Tensor::Make(x.storage(), x.dtype(), x.storage_offset(), sizes,
                           Tensor::ContiguousStrides(sizes)));
      x2.set_conj(x.is_conj());
      x2.set_neg(x.is_neg());
    }
    if (wt.dim() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("mat2 must be a matrix, got ", wt.dim(), "-D tensor"));
    }
    if (bias->dtype() != wt.dtype()) {
      return absl::InvalidArgumentError(
          "self and mat2 must have the same dtype");
    }
    if (x2.dtype() != wt.dtype()) {
      return absl::InvalidArgumentError(
          "mat1 and mat2 must have the same dtype");
    }
    if (x2.sizes()[1] != wt.sizes()[0]) {
      return MatricesMismatch(x2.sizes()[0], x2.sizes()[1], wt.sizes()[0],
                              wt.sizes()[1]);
    }
    PTSER_RETURN_IF_ERROR(
        ExpandTo(*bias, {x2.sizes()[0], wt.sizes()[1]}).status());
    PTSER_ASSIGN_OR_RETURN(Tensor out, Matmul(x2, wt));
    PTSER_RETURN_IF_ERROR(AddInplace(out, *bias));
    if (!fold3d) return out;
    std::vector<int64_t> sizes = {x.sizes()[0], x.sizes()[1], wt.sizes()[1]};
    return Tensor::Make(out.storage(), out.dtype(), 0, sizes,
                        Tensor::ContiguousStrides(sizes));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor out, Matmul(x, wt));
  if (bias.has_value()) PTSER_RETURN_IF_ERROR(AddInplace(out, *bias));
  return out;
}

namespace {

absl::Status RankError(const char* what) { return absl::InvalidArgumentError(what); }

// beta * self + alpha * product, into `product` (PyTorch's addmm family).
absl::StatusOr<Tensor> ScaleAndAdd(const Tensor& self, Tensor product, const Scalar& beta,
                                   const Scalar& alpha) {
  PTSER_RETURN_IF_ERROR(ExpandTo(self, product.sizes()).status());
  const bool integral = IsIntegral(product.dtype(), /*include_bool=*/true);
  const Scalar a = integral ? Scalar(alpha.to_int64()) : alpha;
  const Scalar b = integral ? Scalar(beta.to_int64()) : beta;
  const bool alpha_one = integral ? a.to_int64() == 1 : a.to_double() == 1.0;
  const bool beta_zero = integral ? b.to_int64() == 0 : b.to_double() == 0.0;
  if (!alpha_one) PTSER_RETURN_IF_ERROR(MulInplace(product, a));
  if (!beta_zero) {
    PTSER_ASSIGN_OR_RETURN(Tensor s, PrepareInput(self, "addmm"));
    if (s.dtype() != product.dtype()) {
      return DtypeMismatch(s.dtype(), product.dtype());
    }
    PTSER_RETURN_IF_ERROR(AddInplace(product, s, b));
  }
  return product;
}

}  // namespace

absl::StatusOr<Tensor> Mm(const Tensor& a, const Tensor& b) {
  if (a.dim() != 2) return RankError("self must be a matrix");
  if (b.dim() != 2) return RankError("mat2 must be a matrix");
  return Matmul(a, b);
}

absl::StatusOr<Tensor> Mv(const Tensor& a, const Tensor& v) {
  if (a.dim() != 2 || v.dim() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "vector + matrix @ vector expected, got 1, ", a.dim(), ", ", v.dim()));
  }
  return Matmul(a, v);
}

absl::StatusOr<Tensor> Dot(const Tensor& a, const Tensor& b) {
  if (a.dim() != 1 || b.dim() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("1D tensors expected, but got ", a.dim(),
                                                   "D and ", b.dim(), "D tensors"));
  }
  return Matmul(a, b);
}

absl::StatusOr<Tensor> Bmm(const Tensor& a, const Tensor& b) {
  if (a.dim() != 3) return RankError("batch1 must be a 3D tensor");
  if (b.dim() != 3) return RankError("batch2 must be a 3D tensor");
  if (b.sizes()[0] != a.sizes()[0] || b.sizes()[1] != a.sizes()[2]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected size for first two dimensions of batch2 tensor to be: [", a.sizes()[0], ", ",
        a.sizes()[2], "] but got: [", b.sizes()[0], ", ", b.sizes()[1], "]."));
  }
  return Matmul(a, b);
}

absl::StatusOr<Tensor> Addmm(const Tensor& self, const Tensor& a, const Tensor& b,
                             const Scalar& beta, const Scalar& alpha) {
  PTSER_ASSIGN_OR_RETURN(Tensor product, Mm(a, b));
  return ScaleAndAdd(self, std::move(product), beta, alpha);
}

absl::StatusOr<Tensor> Baddbmm(const Tensor& self, const Tensor& a, const Tensor& b,
                               const Scalar& beta, const Scalar& alpha) {
  PTSER_ASSIGN_OR_RETURN(Tensor product, Bmm(a, b));
  return ScaleAndAdd(self, std::move(product), beta, alpha);
}

absl::StatusOr<Tensor> Addmv(const Tensor& self, const Tensor& a, const Tensor& v,
                             const Scalar& beta, const Scalar& alpha) {
  PTSER_ASSIGN_OR_RETURN(Tensor product, Mv(a, v));
  return ScaleAndAdd(self, std::move(product), beta, alpha);
}

}  // namespace ptser
