// Copyright ptser authors.
#include "tensor/ops/internal/gemm.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ptser {
namespace ops_internal {
namespace {

// Every shape class the blocking has: below, at and above each block size,
// with padded leading dimensions, overwrite and accumulate, 1 and 2 threads.
template <typename T>
void CheckAgainstNaive(int64_t m, int64_t n, int64_t k, bool accumulate, int threads,
                       bool transposed = false) {
  std::mt19937 rng(static_cast<uint32_t>(m * 131 + n * 17 + k));
  std::uniform_real_distribution<double> dist(-1, 1);
  const int64_t lda = k + 3, ldb = n + 5, ldc = n + 2;
  std::vector<T> a(static_cast<size_t>(m * lda)), b(static_cast<size_t>(k * ldb)),
      c(static_cast<size_t>(m * ldc));
  for (T& v : a) v = static_cast<T>(dist(rng));
  for (T& v : b) v = static_cast<T>(dist(rng));
  for (T& v : c) v = static_cast<T>(dist(rng));
  std::vector<T> want = c;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = accumulate ? want[i * ldc + j] : 0.0;
      for (int64_t p = 0; p < k; ++p) s += static_cast<double>(a[i * lda + p]) * b[p * ldb + j];
      want[i * ldc + j] = static_cast<T>(s);
    }
  }
  const std::vector<T> before = c;
  if (transposed) {
    // The same B, stored transposed (n x k, rows k + 1 apart).
    std::vector<T> bt(static_cast<size_t>(n * (k + 1)));
    for (int64_t p = 0; p < k; ++p) {
      for (int64_t j = 0; j < n; ++j) bt[j * (k + 1) + p] = b[p * ldb + j];
    }
    GemmBT(m, n, k, a.data(), lda, bt.data(), k + 1, c.data(), ldc, accumulate, threads);
  } else {
    Gemm(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, accumulate, threads);
  }
  const double tol = (std::is_same_v<T, float> ? 1e-5 : 1e-12) * std::sqrt(static_cast<double>(k) + 1);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      if (j >= n) {  // padding columns untouched
        ASSERT_EQ(c[i * ldc + j], before[i * ldc + j]);
        continue;
      }
      ASSERT_NEAR(c[i * ldc + j], want[i * ldc + j], tol * 4)
          << "m=" << m << " n=" << n << " k=" << k << " at " << i << "," << j;
    }
  }
}

TEST(GemmTest, MatchesTheNaiveProduct) {
  for (int64_t m : {1, 5, 6, 7, 97}) {
    for (int64_t n : {1, 15, 16, 17, 300}) {
      for (int64_t k : {0, 1, 255, 256, 300}) {
        for (bool acc : {false, true}) {
          CheckAgainstNaive<float>(m, n, k, acc, 1);
          CheckAgainstNaive<double>(m, n, k, acc, 1);
          CheckAgainstNaive<float>(m, n, k, acc, 1, /*transposed=*/true);
        }
      }
    }
  }
}

TEST(GemmTest, ThreadsSplitColumnsExactly) {
  CheckAgainstNaive<float>(70, 2100, 300, false, 2);
  CheckAgainstNaive<float>(70, 2100, 300, true, 3);
  CheckAgainstNaive<double>(13, 4200, 40, true, 2);
  CheckAgainstNaive<float>(33, 2100, 300, true, 2, /*transposed=*/true);
  // More than one block of columns on one thread: A packed once for all.
  CheckAgainstNaive<float>(70, 4200, 300, false, 1);
  CheckAgainstNaive<float>(13, 2100, 600, true, 1, /*transposed=*/true);
  CheckAgainstNaive<double>(7, 2050, 257, true, 1);
  // More rows than columns: split by rows.
  CheckAgainstNaive<float>(515, 49, 600, false, 2);
  CheckAgainstNaive<float>(515, 49, 600, true, 3, /*transposed=*/true);
  CheckAgainstNaive<double>(301, 20, 700, true, 2);
}

}  // namespace
}  // namespace ops_internal
}  // namespace ptser
