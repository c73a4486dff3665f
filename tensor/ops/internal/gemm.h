// Copyright ptser authors.
//
// tensor/ops/internal/gemm.h — C (+)= A * B for row-major float and double
// matrices: the product under convolutions and linear layers.
//
// Blocked as BLIS and OpenBLAS block it (panels of A and B packed into
// contiguous slivers that stay in cache, a register-tile micro-kernel over
// them).  float on an x86 CPU with AVX2 and FMA runs a 6x16 FMA micro-kernel
// chosen at run time (the release binary stays portable); everything else
// runs the same blocking with a plain C++ micro-kernel.  Large products are
// split by rows or columns, whichever is larger, over up to `max_threads`
// threads (0: every CPU the process may run on, internal/parallel.h); products under 4096 multiply-adds skip packing.  Sums accumulate in T,
// as BLAS does, in k order within each block of 256.
#ifndef PTSER_TENSOR_OPS_INTERNAL_GEMM_H_
#define PTSER_TENSOR_OPS_INTERNAL_GEMM_H_

#include <cstdint>

namespace ptser {
namespace ops_internal {

// C[i][j] (+)= sum_k A[i][k] * B[k][j] for i < m, j < n, k < k; rows of A, B
// and C are lda, ldb and ldc elements apart.  With accumulate false C is
// overwritten.  m, n or k of 0 is fine (k == 0 with accumulate false zeroes C).
void Gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc, bool accumulate, int max_threads = 0);
void Gemm(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double* c, int64_t ldc, bool accumulate, int max_threads = 0);

// The same with B given transposed: C (+)= A * Bt^T, Bt being (n x k) with rows
// ldbt apart — a linear layer's x * weight^T without a transposed copy.
void GemmBT(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* bt,
            int64_t ldbt, float* c, int64_t ldc, bool accumulate, int max_threads = 0);
void GemmBT(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* bt,
            int64_t ldbt, double* c, int64_t ldc, bool accumulate, int max_threads = 0);

// Whether float products use the AVX2/FMA micro-kernel on this CPU.
bool GemmUsesAvx2();

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_GEMM_H_
