// Copyright ptser authors.
#include "tensor/ops/internal/gemm.h"

#include "tensor/ops/internal/parallel.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PTSER_GEMM_X86 1
#endif

namespace ptser {
namespace ops_internal {
namespace {

constexpr int64_t kMR = 6;     // rows of the register tile
constexpr int64_t kNR = 16;    // columns of the register tile
constexpr int64_t kKC = 256;   // depth of a packed block
constexpr int64_t kMC = 96;    // rows of a packed A block (a multiple of kMR)
constexpr int64_t kNC = 2048;  // columns of a packed B block (a multiple of kNR)

// A[ic.., pc..] (mc x kc) as slivers of kMR rows: sliver s holds, for each
// p, the kMR values A[s*kMR + r][p] (zero past the last row).  Read row by
// row (contiguous), written into the small sliver with a stride of kMR.
template <typename T>
void PackA(const T* a, int64_t lda, int64_t mc, int64_t kc, T* out) {
  for (int64_t s = 0; s < mc; s += kMR, out += kMR * kc) {
    const int64_t rows = std::min(kMR, mc - s);
    for (int64_t r = 0; r < kMR; ++r) {
      if (r < rows) {
        const T* src = a + (s + r) * lda;
        for (int64_t p = 0; p < kc; ++p) out[p * kMR + r] = src[p];
      } else {
        for (int64_t p = 0; p < kc; ++p) out[p * kMR + r] = T(0);
      }
    }
  }
}

// B[pc.., jc..] (kc x nc) as slivers of kNR columns.  `b` points at
// B[pc][jc]; with `transposed`, B[p][j] is b[j * ldb + p] (B given as Bt).
template <typename T>
void PackB(const T* b, int64_t ldb, int64_t kc, int64_t nc, bool transposed, T* out) {
  for (int64_t s = 0; s < nc; s += kNR) {
    const int64_t cols = std::min(kNR, nc - s);
    for (int64_t p = 0; p < kc; ++p) {
      int64_t j = 0;
      if (transposed) {
        for (; j < cols; ++j) *out++ = b[(s + j) * ldb + p];
      } else if (cols == kNR) {
        // A whole sliver row: a fixed-size copy the compiler turns into a
        // few vector moves (a variable-length one became `rep movs`, whose
        // start-up cost dominated the packing).
        std::memcpy(out, b + p * ldb + s, sizeof(T) * kNR);
        out += kNR;
        continue;
      } else {
        const T* row = b + p * ldb + s;
        for (; j < cols; ++j) *out++ = row[j];
      }
      for (; j < kNR; ++j) *out++ = T(0);
    }
  }
}

// tile (kMR x kNR, row-major) = sum_p a_sliver[p] (x) b_sliver[p].
template <typename T>
void MicroKernelGeneric(int64_t kc, const T* a, const T* b, T* tile) {
  T acc[kMR][kNR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int64_t r = 0; r < kMR; ++r) {
      const T av = a[p * kMR + r];
      for (int64_t j = 0; j < kNR; ++j) acc[r][j] += av * b[p * kNR + j];
    }
  }
  std::memcpy(tile, acc, sizeof(acc));
}

#ifdef PTSER_GEMM_X86
__attribute__((target("avx2,fma"))) void MicroKernelAvx2(int64_t kc, const float* a,
                                                          const float* b, float* tile) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b + p * kNR);
    const __m256 b1 = _mm256_loadu_ps(b + p * kNR + 8);
    const float* ap = a + p * kMR;
    __m256 av = _mm256_broadcast_ss(ap + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(ap + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(ap + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(ap + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(ap + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(ap + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  _mm256_storeu_ps(tile + 0 * kNR, c00);
  _mm256_storeu_ps(tile + 0 * kNR + 8, c01);
  _mm256_storeu_ps(tile + 1 * kNR, c10);
  _mm256_storeu_ps(tile + 1 * kNR + 8, c11);
  _mm256_storeu_ps(tile + 2 * kNR, c20);
  _mm256_storeu_ps(tile + 2 * kNR + 8, c21);
  _mm256_storeu_ps(tile + 3 * kNR, c30);
  _mm256_storeu_ps(tile + 3 * kNR + 8, c31);
  _mm256_storeu_ps(tile + 4 * kNR, c40);
  _mm256_storeu_ps(tile + 4 * kNR + 8, c41);
  _mm256_storeu_ps(tile + 5 * kNR, c50);
  _mm256_storeu_ps(tile + 5 * kNR + 8, c51);
}
#endif

bool DetectAvx2() {
#ifdef PTSER_GEMM_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

template <typename T>
using MicroKernel = void (*)(int64_t, const T*, const T*, T*);

template <typename T>
MicroKernel<T> ChooseKernel() {
#ifdef PTSER_GEMM_X86
  if constexpr (std::is_same_v<T, float>) {
    if (GemmUsesAvx2()) return &MicroKernelAvx2;
  }
#endif
  return &MicroKernelGeneric<T>;
}

// Columns [j0, j1) of C.
template <typename T>
void GemmColumns(int64_t m, int64_t j0, int64_t j1, int64_t k, const T* a, int64_t lda,
                 const T* b, int64_t ldb, bool b_transposed, T* c, int64_t ldc,
                 bool accumulate) {
  const MicroKernel<T> kernel = ChooseKernel<T>();
  const int64_t m_round = (m + kMR - 1) / kMR * kMR;
  // With more than one block of columns, all of A is packed once (block
  // (pc, ic) at m_round * pc + ic * kc) instead of once per block of columns:
  // the first convolutions of a network have few rows and many columns.
  const bool pack_all_a = j1 - j0 > kNC;
  // Not zero-filled: every element is packed before it is read.
  std::unique_ptr<T[]> packed_a(
      new T[pack_all_a ? m_round * k : std::min(kMC, m_round) * std::min(kKC, k)]);
  if (pack_all_a) {
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc);
      for (int64_t ic = 0; ic < m; ic += kMC) {
        PackA(a + ic * lda + pc, lda, std::min(kMC, m - ic), kc,
              packed_a.get() + m_round * pc + ic * kc);
      }
    }
  }
  std::unique_ptr<T[]> packed_b(
      new T[std::min(kKC, k) * std::min(kNC, (j1 - j0 + kNR - 1) / kNR * kNR)]);
  T tile[kMR * kNR];
  for (int64_t jc = j0; jc < j1; jc += kNC) {
    const int64_t nc = std::min(kNC, j1 - jc);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc);
      const bool add = accumulate || pc > 0;
      PackB(b_transposed ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, kc, nc, b_transposed,
            packed_b.get());
      for (int64_t ic = 0; ic < m; ic += kMC) {
        const int64_t mc = std::min(kMC, m - ic);
        const T* a_block = packed_a.get();
        if (pack_all_a) {
          a_block += m_round * pc + ic * kc;
        } else {
          PackA(a + ic * lda + pc, lda, mc, kc, packed_a.get());
        }
        for (int64_t jr = 0; jr < nc; jr += kNR) {
          const int64_t cols = std::min(kNR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += kMR) {
            const int64_t rows = std::min(kMR, mc - ir);
            kernel(kc, a_block + ir * kc, packed_b.get() + jr * kc, tile);
            for (int64_t r = 0; r < rows; ++r) {
              T* out = c + (ic + ir + r) * ldc + jc + jr;
              const T* t = tile + r * kNR;
              if (add) {
                for (int64_t j = 0; j < cols; ++j) out[j] += t[j];
              } else {
                for (int64_t j = 0; j < cols; ++j) out[j] = t[j];
              }
            }
          }
        }
      }
    }
  }
}

template <typename T>
void GemmImpl(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
              bool b_transposed, T* c, int64_t ldc, bool accumulate, int max_threads) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
    }
    return;
  }
  if (m * n * k <= 4096) {
    // Too small for packing to pay: the plain loops, in the same k order.
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        T acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          acc += a[i * lda + p] * (b_transposed ? b[j * ldb + p] : b[p * ldb + j]);
        }
        c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc : acc;
      }
    }
    return;
  }
  int threads = max_threads > 0 ? max_threads : UsableCpus();
  // Threads only for products big enough to pay for starting them.  Each
  // thread packs the part of A and B it multiplies: split the larger of the
  // rows and the columns (a convolution late in a network has few columns
  // and many rows), in whole register tiles.
  if (static_cast<double>(m) * n * k < 4e6) threads = 1;
  const bool by_rows = m > n;
  const int64_t unit = by_rows ? kMR : kNR;
  const int64_t extent = by_rows ? m : n;
  threads = static_cast<int>(std::min<int64_t>(threads, (extent + unit - 1) / unit));
  if (threads <= 1) {
    GemmColumns(m, 0, n, k, a, lda, b, ldb, b_transposed, c, ldc, accumulate);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t per = ((extent + threads - 1) / threads + unit - 1) / unit * unit;
  for (int t = 0; t < threads; ++t) {
    const int64_t lo = t * per, hi = std::min(extent, lo + per);
    if (lo >= hi) break;
    if (by_rows) {
      pool.emplace_back([=] {
        GemmColumns(hi - lo, 0, n, k, a + lo * lda, lda, b, ldb, b_transposed, c + lo * ldc, ldc,
                    accumulate);
      });
    } else {
      pool.emplace_back(
          [=] { GemmColumns(m, lo, hi, k, a, lda, b, ldb, b_transposed, c, ldc, accumulate); });
    }
  }
  for (std::thread& th : pool) th.join();
}

}  // namespace

bool GemmUsesAvx2() {
  static const bool avx2 = DetectAvx2();
  return avx2;
}

void Gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc, bool accumulate, int max_threads) {
  GemmImpl(m, n, k, a, lda, b, ldb, false, c, ldc, accumulate, max_threads);
}

void Gemm(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double* c, int64_t ldc, bool accumulate, int max_threads) {
  GemmImpl(m, n, k, a, lda, b, ldb, false, c, ldc, accumulate, max_threads);
}

void GemmBT(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* bt,
            int64_t ldbt, float* c, int64_t ldc, bool accumulate, int max_threads) {
  GemmImpl(m, n, k, a, lda, bt, ldbt, true, c, ldc, accumulate, max_threads);
}

void GemmBT(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* bt,
            int64_t ldbt, double* c, int64_t ldc, bool accumulate, int max_threads) {
  GemmImpl(m, n, k, a, lda, bt, ldbt, true, c, ldc, accumulate, max_threads);
}

}  // namespace ops_internal
}  // namespace ptser
