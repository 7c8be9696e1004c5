/*
 * Softmax over the last axis for the native addon, with the vectorised exp of csrc/qm_math.h (compiled
 * through native/src/shim/wasm_simd128.h): y = exp(x - max) / Σ exp(x - max) per row of V floats.
 * NaN anywhere in a row makes the row NaN (the max propagates NaN, exp(NaN) = NaN); a row of -inf is NaN
 * (-inf - -inf), as tfjs' cpu backend; +inf gives NaN (inf - inf), as PyTorch.
 */
#include "qm_math.h"

void qm_native_softmax(const float *x, float *y, long rows, int V) {
  const qm_expc c = qm_exp_consts();
  for (long r = 0; r < rows; ++r) {
    const float *xr = x + r * V;
    float *yr = y + r * V;
    v128_t mv = wasm_f32x4_splat(-__builtin_inff());
    int j = 0;
    for (; j + 4 <= V; j += 4) mv = wasm_f32x4_max(mv, wasm_v128_load(xr + j));
    float m = qm_hmax4(mv);
    for (; j < V; ++j) m = qm_fmax(m, xr[j]);
    const v128_t m4 = wasm_f32x4_splat(m);
    v128_t sv = wasm_f32x4_splat(0.f);
    j = 0;
    for (; j + 4 <= V; j += 4) {
      v128_t e = qm_exp4(wasm_f32x4_sub(wasm_v128_load(xr + j), m4), &c);
      wasm_v128_store(yr + j, e);
      sv = wasm_f32x4_add(sv, e);
    }
    float s = qm_hsum4(sv);
    for (; j < V; ++j) {
      float e = qm_exp1(xr[j] - m);
      yr[j] = e;
      s += e;
    }
    const v128_t inv = wasm_f32x4_splat(1.f / s);
    j = 0;
    for (; j + 4 <= V; j += 4) wasm_v128_store(yr + j, wasm_f32x4_mul(wasm_v128_load(yr + j), inv));
    for (; j < V; ++j) yr[j] *= 1.f / s;
  }
}
