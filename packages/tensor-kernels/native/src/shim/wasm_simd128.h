/*
 * Native stand-in for clang's <wasm_simd128.h>, so that the wasm kernels of csrc/ (rowwise.c, attention.c)
 * compile unchanged for the host CPU inside the native addon. Only the intrinsics csrc/ uses, with their
 * WebAssembly semantics (NaN-propagating f32x4.max, pmin/pmax, bitselect, any_true), written with GCC/clang
 * vector extensions: the compiler maps them to SSE/AVX (or NEON) instructions of the target it builds for
 * (-march=native at install time), with FMA contraction where it applies.
 *
 * Two wasm-only constructs of csrc/qm_math.h are neutralised here, before it is read:
 * - `QM_EXPORT` carries clang's wasm `export_name` attribute: the addon is compiled with -Wno-attributes
 *   and sees the functions as ordinary (hidden) C symbols;
 * - `qm_keep` hides a vector from the optimiser with `__asm__("" : "+r"(v))`, whose "r" constraint cannot
 *   hold a 128-bit vector on x86-64 or AArch64: the asm statement is compiled away (it has no effect on
 *   results, only on wasm code generation).
 */
#ifndef QM_NATIVE_WASM_SIMD128_SHIM_H
#define QM_NATIVE_WASM_SIMD128_SHIM_H

#include <stdint.h>
#include <string.h>

#define __asm__(...) ((void)0)

typedef int32_t v128_t __attribute__((vector_size(16)));
typedef float qm_f32x4_t __attribute__((vector_size(16)));

#define QM_SHIM static inline __attribute__((always_inline))

QM_SHIM v128_t wasm_v128_load(const void *p) {
  v128_t v;
  memcpy(&v, p, sizeof v);
  return v;
}
QM_SHIM void wasm_v128_store(void *p, v128_t v) { memcpy(p, &v, sizeof v); }

QM_SHIM v128_t wasm_f32x4_splat(float x) { return (v128_t)((qm_f32x4_t){x, x, x, x}); }
QM_SHIM v128_t wasm_i32x4_splat(int32_t x) { return (v128_t){x, x, x, x}; }

#define QM_F(v) ((qm_f32x4_t)(v))
QM_SHIM v128_t wasm_f32x4_add(v128_t a, v128_t b) { return (v128_t)(QM_F(a) + QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_sub(v128_t a, v128_t b) { return (v128_t)(QM_F(a) - QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_mul(v128_t a, v128_t b) { return (v128_t)(QM_F(a) * QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_div(v128_t a, v128_t b) { return (v128_t)(QM_F(a) / QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_neg(v128_t a) { return (v128_t)(-QM_F(a)); }
QM_SHIM v128_t wasm_f32x4_sqrt(v128_t a) {
  qm_f32x4_t f = QM_F(a);
  qm_f32x4_t r = {__builtin_sqrtf(f[0]), __builtin_sqrtf(f[1]), __builtin_sqrtf(f[2]), __builtin_sqrtf(f[3])};
  return (v128_t)r;
}

QM_SHIM v128_t wasm_f32x4_eq(v128_t a, v128_t b) { return (v128_t)(QM_F(a) == QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_ne(v128_t a, v128_t b) { return (v128_t)(QM_F(a) != QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_lt(v128_t a, v128_t b) { return (v128_t)(QM_F(a) < QM_F(b)); }
QM_SHIM v128_t wasm_f32x4_gt(v128_t a, v128_t b) { return (v128_t)(QM_F(a) > QM_F(b)); }

QM_SHIM v128_t wasm_v128_and(v128_t a, v128_t b) { return a & b; }
QM_SHIM v128_t wasm_v128_or(v128_t a, v128_t b) { return a | b; }
QM_SHIM v128_t wasm_v128_andnot(v128_t a, v128_t b) { return a & ~b; }
/* bits of a where mask is 1, of b elsewhere */
QM_SHIM v128_t wasm_v128_bitselect(v128_t a, v128_t b, v128_t mask) { return (a & mask) | (b & ~mask); }
QM_SHIM int wasm_v128_any_true(v128_t a) { return (a[0] | a[1] | a[2] | a[3]) != 0; }

QM_SHIM v128_t wasm_i32x4_shl(v128_t a, int n) { return a << n; }

/* f32x4.pmin / pmax: b < a ? b : a and a < b ? b : a (no NaN special case, as in wasm) */
QM_SHIM v128_t wasm_f32x4_pmin(v128_t a, v128_t b) { return wasm_v128_bitselect(b, a, wasm_f32x4_lt(b, a)); }
QM_SHIM v128_t wasm_f32x4_pmax(v128_t a, v128_t b) { return wasm_v128_bitselect(b, a, wasm_f32x4_lt(a, b)); }
/* f32x4.max: NaN if either lane is NaN */
QM_SHIM v128_t wasm_f32x4_max(v128_t a, v128_t b) {
  v128_t r = wasm_v128_bitselect(a, b, wasm_f32x4_gt(a, b));
  r = wasm_v128_bitselect(b, r, wasm_f32x4_ne(b, b));
  return wasm_v128_bitselect(a, r, wasm_f32x4_ne(a, a));
}

#define wasm_i32x4_shuffle(a, b, i0, i1, i2, i3) ((v128_t)__builtin_shufflevector((v128_t)(a), (v128_t)(b), i0, i1, i2, i3))
#define wasm_f32x4_extract_lane(v, i) (QM_F(v)[(i)])
QM_SHIM v128_t qm_shim_replace_lane(v128_t v, int i, float x) {
  qm_f32x4_t f = QM_F(v);
  f[i] = x;
  return (v128_t)f;
}
#define wasm_f32x4_replace_lane(v, i, x) qm_shim_replace_lane((v), (i), (x))

#endif
