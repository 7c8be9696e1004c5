/*
 * The native build's replacement of csrc/gemm.h for the attention kernels (force-included with `-include` when
 * OpenBLAS is linked): the per-(batch, head) products of csrc/attention.c go to cblas_sgemm (single-threaded: the
 * addon sets OpenBLAS to one thread and splits attention over (batch, kv head) pairs itself) instead of the 4-wide
 * SIMD GEMM the WebAssembly build uses. Defining QM_GEMM_H makes csrc/gemm.h's own definitions vanish, so
 * attention.c compiles unchanged. Same contract as csrc/gemm.h: C[M,N] (+)= A[M,K] B[K,N], row-major with
 * leading dimensions.
 */
#ifndef QM_BLAS_GEMM_H
#define QM_BLAS_GEMM_H
#define QM_GEMM_H
#include <cblas.h>

static void qm_gemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
                    int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) C[(long)i * ldc + j] = 0.f;
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C,
              ldc);
}

/* dst[c, r] = src[r, c] for an R x Cn block (src leading dim lds, dst leading dim ldd). */
static void qm_transpose(const float *src, int R, int Cn, int lds, float *dst, int ldd) {
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < Cn; ++c) dst[(long)c * ldd + r] = src[(long)r * lds + c];
}
#endif
