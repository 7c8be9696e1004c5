/*
 * Vectorised math helpers for the @quarkmed/tensor-kernels wasm SIMD module.
 * No libc / libm: everything here is self-contained.
 */
#ifndef QM_MATH_H
#define QM_MATH_H

#include <wasm_simd128.h>
#include <stdint.h>

#define QM_EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#define QM_INLINE static inline __attribute__((always_inline))

/*
 * exp(x) for 4 lanes: n = round(x / ln2), r = x - n ln2 (Cody-Waite split), exp(r) by its degree-7 Taylor
 * polynomial on |r| <= ln2/2 (truncation error < 2e-8), result scaled by 2^n built in the exponent bits.
 * Inputs are clamped to [-87.3, 88.3]; below -87.3 the result is exactly 0 (so exp(-inf) = 0).
 * Relative error < 3e-7 over the whole range.
 */
QM_INLINE v128_t qm_exp4(v128_t x) {
  const v128_t lo = wasm_f32x4_splat(-87.3f);
  const v128_t hi = wasm_f32x4_splat(88.3f);
  v128_t underflow = wasm_f32x4_lt(x, lo);
  x = wasm_f32x4_pmax(lo, wasm_f32x4_pmin(hi, x));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.0f / 5040.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 720.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 120.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 24.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 6.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  v128_t y = wasm_f32x4_mul(p, e);
  return wasm_v128_andnot(y, underflow);
}

/* Scalar exp through the vector path (tails of rows). */
QM_INLINE float qm_exp1(float x) { return wasm_f32x4_extract_lane(qm_exp4(wasm_f32x4_splat(x)), 0); }

QM_INLINE float qm_hmax4(v128_t v) {
  v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

QM_INLINE float qm_hsum4(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

/*
 * Natural log in double precision for positive finite x: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172, odd series to s^19 (error < 1e-15).
 */
QM_INLINE double qm_log(double x) {
  union { double d; uint64_t u; } b = {x};
  int64_t e = (int64_t)((b.u >> 52) & 0x7ff) - 1023;
  b.u = (b.u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; /* m in [1, 2) */
  double m = b.d;
  if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
  double s = (m - 1.0) / (m + 1.0);
  double s2 = s * s;
  double t = 1.0 / 19.0;
  t = t * s2 + 1.0 / 17.0;
  t = t * s2 + 1.0 / 15.0;
  t = t * s2 + 1.0 / 13.0;
  t = t * s2 + 1.0 / 11.0;
  t = t * s2 + 1.0 / 9.0;
  t = t * s2 + 1.0 / 7.0;
  t = t * s2 + 1.0 / 5.0;
  t = t * s2 + 1.0 / 3.0;
  t = t * s2 + 1.0;
  return 2.0 * s * t + (double)e * 0.69314718055994530942;
}

#endif
