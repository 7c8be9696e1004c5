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
 * Hides a value from the optimiser so that it stays in a local. Used on the exp constants, built once
 * before a kernel's loops: clang otherwise re-emits a `v128.const` at every use inside the loop and
 * leaves it to the engine to hoist them. (In Node 20 / V8 the measured difference is within noise.)
 */
QM_INLINE v128_t qm_keep(v128_t v) {
  __asm__("" : "+r"(v));
  return v;
}

/* The constants of qm_exp4, built once per kernel (before its loops) with qm_exp_consts(). */
typedef struct {
  v128_t lo, hi, log2e, magic, ln2hi, ln2lo, p0, p1, p2, p3, p4, p5, one;
} qm_expc;

QM_INLINE qm_expc qm_exp_consts(void) {
  qm_expc c;
  c.lo = qm_keep(wasm_f32x4_splat(-87.3f));
  c.hi = qm_keep(wasm_f32x4_splat(88.3f));
  c.log2e = qm_keep(wasm_f32x4_splat(1.44269504088896341f));
  c.magic = qm_keep(wasm_f32x4_splat(12583039.0f)); /* 1.5 * 2^23 + 127 */
  c.ln2hi = qm_keep(wasm_f32x4_splat(0.693359375f));
  c.ln2lo = qm_keep(wasm_f32x4_splat(-2.12194440e-4f));
  c.p0 = qm_keep(wasm_f32x4_splat(1.9875691500e-4f));
  c.p1 = qm_keep(wasm_f32x4_splat(1.3981999507e-3f));
  c.p2 = qm_keep(wasm_f32x4_splat(8.3334519073e-3f));
  c.p3 = qm_keep(wasm_f32x4_splat(4.1665795894e-2f));
  c.p4 = qm_keep(wasm_f32x4_splat(1.6666665459e-1f));
  c.p5 = qm_keep(wasm_f32x4_splat(5.0000001201e-1f));
  c.one = qm_keep(wasm_f32x4_splat(1.0f));
  return c;
}

/*
 * exp(x) for 4 lanes without the underflow flush: x is clamped to [-87.3, 88.3] (so exp(-inf) is
 * ~1e-38, not 0). n = round(x / ln2) by the magic-number trick (x log2e + 1.5 2^23 + 127 leaves n + 127
 * in the low mantissa bits, which a shift by 23 turns into the exponent of 2^n: no float->int
 * conversion, no rounding instruction), r = x - n ln2 (Cody-Waite split), exp(r) = 1 + r + r^2 p(r) with
 * Cephes' degree-5 minimax p on |r| <= ln2/2. Relative error < 2e-7 over the clamped range.
 * IEEE at the edges, as PyTorch: exp(NaN) = NaN (the clamp would otherwise turn NaN into exp(88.3)) and
 * exp(x) = +inf above 88.7228 (the float32 overflow); between 88.3 and 88.7228 the result is exp(88.3).
 */
QM_INLINE v128_t qm_exp4_noflush(v128_t x0, const qm_expc *c) {
  v128_t x = wasm_f32x4_pmax(c->lo, wasm_f32x4_pmin(c->hi, x0));
  v128_t v = wasm_f32x4_add(wasm_f32x4_mul(x, c->log2e), c->magic);
  v128_t n = wasm_f32x4_sub(v, c->magic);
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, c->ln2hi));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, c->ln2lo));
  v128_t p = wasm_f32x4_add(wasm_f32x4_mul(c->p0, r), c->p1);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p2);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p3);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p4);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p5);
  v128_t y = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), c->one);
  y = wasm_f32x4_mul(y, wasm_i32x4_shl(v, 23));
  y = wasm_v128_bitselect(wasm_f32x4_splat(__builtin_inff()), y, wasm_f32x4_gt(x0, wasm_f32x4_splat(88.7228394f)));
  return wasm_v128_bitselect(x0, y, wasm_f32x4_ne(x0, x0)); /* NaN lanes: x itself */
}

/*
 * exp(x) for 4 lanes: qm_exp4_noflush with results below exp(-87.3) flushed to exactly 0 (so
 * exp(-inf) = 0, as the masked softmaxes need). Relative error < 3e-7 over [-87.3, 88.3].
 */
QM_INLINE v128_t qm_exp4(v128_t x, const qm_expc *c) {
  v128_t underflow = wasm_f32x4_lt(x, c->lo);
  return wasm_v128_andnot(qm_exp4_noflush(x, c), underflow);
}

/* Scalar exp through the vector path (tails of rows). */
QM_INLINE float qm_exp1(float x) {
  qm_expc c = qm_exp_consts();
  return wasm_f32x4_extract_lane(qm_exp4(wasm_f32x4_splat(x), &c), 0);
}

/* Horizontal max of 4 lanes; NaN if any lane is NaN (f32x4.max propagates NaN, unlike pmax). */
QM_INLINE float qm_hmax4(v128_t v) {
  v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

/* Scalar max that propagates NaN from either argument (as torch.max / f32x4.max). */
QM_INLINE float qm_fmax(float a, float b) {
  if (a != a) return a;
  if (b != b) return b;
  return b > a ? b : a;
}

QM_INLINE float qm_hsum4(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

/*
 * Natural log in double precision (IEEE at the edges: log(NaN) = NaN, log(x < 0) = NaN, log(0) = -inf,
 * log(+inf) = +inf). For positive finite normal x: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172, odd series to s^19 (error < 1e-15).
 */
QM_INLINE double qm_log(double x) {
  if (x != x) return x;
  if (x < 0.0) return __builtin_nan("");
  if (x == 0.0) return -__builtin_inf();
  if (x == __builtin_inf()) return x;
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
