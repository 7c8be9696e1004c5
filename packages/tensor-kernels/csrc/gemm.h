/*
 * Small SIMD GEMM for the attention kernels: C[M,N] (+)= A[M,K] B[K,N], all row-major with leading
 * dimensions. 4x8 register tiles (broadcast A, two vectors of B), 4-wide and scalar tails for any M, N.
 * (tfjs-backend-wasm 4.22 only sends batch-1, non-transposed matmuls to XNNPack; batched matmuls run a
 * scalar loop, so attention does its own.)
 */
#ifndef QM_GEMM_H
#define QM_GEMM_H
#include "qm_math.h"

static void qm_gemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
                    int accumulate) {
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    const float *a0 = A + (long)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    float *c0 = C + (long)i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    int j = 0;
    for (; j + 8 <= N; j += 8) {
      v128_t x00, x01, x10, x11, x20, x21, x30, x31;
      if (accumulate) {
        x00 = wasm_v128_load(c0 + j); x01 = wasm_v128_load(c0 + j + 4);
        x10 = wasm_v128_load(c1 + j); x11 = wasm_v128_load(c1 + j + 4);
        x20 = wasm_v128_load(c2 + j); x21 = wasm_v128_load(c2 + j + 4);
        x30 = wasm_v128_load(c3 + j); x31 = wasm_v128_load(c3 + j + 4);
      } else {
        x00 = x01 = x10 = x11 = x20 = x21 = x30 = x31 = wasm_f32x4_splat(0.f);
      }
      const float *b = B + j;
      for (int k = 0; k < K; ++k, b += ldb) {
        v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        v128_t a;
        a = wasm_f32x4_splat(a0[k]);
        x00 = wasm_f32x4_add(x00, wasm_f32x4_mul(a, b0)); x01 = wasm_f32x4_add(x01, wasm_f32x4_mul(a, b1));
        a = wasm_f32x4_splat(a1[k]);
        x10 = wasm_f32x4_add(x10, wasm_f32x4_mul(a, b0)); x11 = wasm_f32x4_add(x11, wasm_f32x4_mul(a, b1));
        a = wasm_f32x4_splat(a2[k]);
        x20 = wasm_f32x4_add(x20, wasm_f32x4_mul(a, b0)); x21 = wasm_f32x4_add(x21, wasm_f32x4_mul(a, b1));
        a = wasm_f32x4_splat(a3[k]);
        x30 = wasm_f32x4_add(x30, wasm_f32x4_mul(a, b0)); x31 = wasm_f32x4_add(x31, wasm_f32x4_mul(a, b1));
      }
      wasm_v128_store(c0 + j, x00); wasm_v128_store(c0 + j + 4, x01);
      wasm_v128_store(c1 + j, x10); wasm_v128_store(c1 + j + 4, x11);
      wasm_v128_store(c2 + j, x20); wasm_v128_store(c2 + j + 4, x21);
      wasm_v128_store(c3 + j, x30); wasm_v128_store(c3 + j + 4, x31);
    }
    for (; j + 4 <= N; j += 4) {
      v128_t x0, x1, x2, x3;
      if (accumulate) {
        x0 = wasm_v128_load(c0 + j); x1 = wasm_v128_load(c1 + j);
        x2 = wasm_v128_load(c2 + j); x3 = wasm_v128_load(c3 + j);
      } else {
        x0 = x1 = x2 = x3 = wasm_f32x4_splat(0.f);
      }
      const float *b = B + j;
      for (int k = 0; k < K; ++k, b += ldb) {
        v128_t b0 = wasm_v128_load(b);
        x0 = wasm_f32x4_add(x0, wasm_f32x4_mul(wasm_f32x4_splat(a0[k]), b0));
        x1 = wasm_f32x4_add(x1, wasm_f32x4_mul(wasm_f32x4_splat(a1[k]), b0));
        x2 = wasm_f32x4_add(x2, wasm_f32x4_mul(wasm_f32x4_splat(a2[k]), b0));
        x3 = wasm_f32x4_add(x3, wasm_f32x4_mul(wasm_f32x4_splat(a3[k]), b0));
      }
      wasm_v128_store(c0 + j, x0); wasm_v128_store(c1 + j, x1);
      wasm_v128_store(c2 + j, x2); wasm_v128_store(c3 + j, x3);
    }
    for (; j < N; ++j) {
      float s0 = accumulate ? c0[j] : 0.f, s1 = accumulate ? c1[j] : 0.f;
      float s2 = accumulate ? c2[j] : 0.f, s3 = accumulate ? c3[j] : 0.f;
      const float *b = B + j;
      for (int k = 0; k < K; ++k, b += ldb) {
        s0 += a0[k] * *b; s1 += a1[k] * *b; s2 += a2[k] * *b; s3 += a3[k] * *b;
      }
      c0[j] = s0; c1[j] = s1; c2[j] = s2; c3[j] = s3;
    }
  }
  for (; i < M; ++i) {
    const float *a0 = A + (long)i * lda;
    float *c0 = C + (long)i * ldc;
    int j = 0;
    for (; j + 4 <= N; j += 4) {
      v128_t x0 = accumulate ? wasm_v128_load(c0 + j) : wasm_f32x4_splat(0.f);
      const float *b = B + j;
      for (int k = 0; k < K; ++k, b += ldb) x0 = wasm_f32x4_add(x0, wasm_f32x4_mul(wasm_f32x4_splat(a0[k]), wasm_v128_load(b)));
      wasm_v128_store(c0 + j, x0);
    }
    for (; j < N; ++j) {
      float s0 = accumulate ? c0[j] : 0.f;
      const float *b = B + j;
      for (int k = 0; k < K; ++k, b += ldb) s0 += a0[k] * *b;
      c0[j] = s0;
    }
  }
}

/* dst[c, r] = src[r, c] for an R x Cn block (src leading dim lds, dst leading dim ldd). */
static void qm_transpose(const float *src, int R, int Cn, int lds, float *dst, int ldd) {
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < Cn; ++c) dst[(long)c * ldd + r] = src[(long)r * lds + c];
}
#endif
