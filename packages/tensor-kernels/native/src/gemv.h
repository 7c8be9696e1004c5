/*
 * Matrix-vector products (M = 1) of the native GEMM: the decode step of generation multiplies one row by
 * every weight matrix, so its cost is reading the weights (~27 MB per token for the reference model);
 * splitting N across the threads uses every core's bandwidth, and cblas_sgemv skips sgemm's packing.
 * Included by addon.cc inside its anonymous namespace (uses g_threads and parallel_chunks).
 */
#pragma once

/*
 * Weight matrices below this many elements (K·N, 16 MB) run on one thread. Splitting smaller ones over two
 * threads was measured on the 2-core machine under load: one row times a 256 x 688 matrix takes ~10 us on
 * one thread, and a parallel region whose second thread waits for a busy core took milliseconds (generation
 * fell from ~400 to ~40 tokens/s), so only products far above the cost of a late thread are split.
 */
constexpr long kGemvParallelMin = 1L << 22;

/*
 * y[0, n] = x[0, :K] · op(B)[:, n] for one row x: B stored [K, N] (ldb = N), or [N, K] with transB
 * (ldb = K), y of length N. Column blocks are multiples of 16 floats.
 */
inline void qm_gemv(const float *x, const float *B, float *y, int N, int K, bool transB) {
  auto cols = [&](long n0, long n1) {
    if (n1 <= n0) return;
#ifndef QM_NO_BLAS
    if (transB) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)(n1 - n0), K, 1.0f, B + n0 * (long)K, K, x, 1, 0.0f, y + n0, 1);
    } else {
      cblas_sgemv(CblasRowMajor, CblasTrans, K, (int)(n1 - n0), 1.0f, B + n0, N, x, 1, 0.0f, y + n0, 1);
    }
#else
    qm_portable_sgemm(false, transB, 1, (int)(n1 - n0), K, x, K, transB ? B + n0 * (long)K : B + n0, transB ? K : N, y + n0, N);
#endif
  };
  int parts = (long)K * N < kGemvParallelMin ? 1 : g_threads;
  if (parts > N / 16) parts = N / 16 < 1 ? 1 : N / 16;
  if (parts <= 1) {
    cols(0, N);
    return;
  }
  parallel_chunks(parts, parts, [&](long p, long, int) {
    long b = ((long)N * p / parts) & ~15L, e = p + 1 == parts ? N : ((long)N * (p + 1) / parts) & ~15L;
    cols(b, e);
  });
}
