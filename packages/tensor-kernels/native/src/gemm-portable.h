/*
 * Portable GEMM for builds without a BLAS: C[M,N] = op(A) op(B), row-major, blocked for the cache, the
 * inner loop written so that the compiler vectorises it for the build target (the addon splits the work
 * across threads).
 */
#ifndef QM_NATIVE_GEMM_PORTABLE_H
#define QM_NATIVE_GEMM_PORTABLE_H
#include <cstring>
#include <vector>

static void qm_portable_sgemm(bool ta, bool tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                              float *C, int ldc) {
  /* pack op(B) as [K, N] once so that the inner loop runs over contiguous N */
  std::vector<float> Bp;
  const float *Bn = B;
  int ldbn = ldb;
  if (tb) {
    Bp.resize((size_t)K * N);
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k) Bp[(size_t)k * N + n] = B[(size_t)n * ldb + k];
    Bn = Bp.data();
    ldbn = N;
  }
  const int KB = 256;
  for (int i = 0; i < M; ++i) {
    float *c = C + (size_t)i * ldc;
    std::memset(c, 0, sizeof(float) * N);
    for (int k0 = 0; k0 < K; k0 += KB) {
      int k1 = k0 + KB < K ? k0 + KB : K;
      for (int k = k0; k < k1; ++k) {
        float a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
        const float *b = Bn + (size_t)k * ldbn;
        for (int j = 0; j < N; ++j) c[j] += a * b[j];
      }
    }
  }
}

#endif
