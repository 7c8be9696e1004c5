/*
 * Causal attention with GQA, a cached key prefix and a key mask (docs/guides/kernels.md), forward and
 * backward, flash-style: per (batch, kv head) and per block of QB query rows of one query head, the
 * scores against only the key prefix that block can see (the causal upper triangle is skipped at block
 * granularity), a one-pass-per-row masked softmax over each row's allowed prefix, and the products with
 * v (forward) or the gradients (backward), all through the SIMD GEMM of gemm.h. Query head h uses kv
 * head h / G (G = Hq / Hkv): q is addressed as [B*Hkv, G, Tq, Dh], no k/v repeat.
 *
 * Row semantics: query i sits at p = Tk - Tq + i and attends key j iff j <= p and (no mask or
 * mask[b, j] != 0); P = softmax_j(scale * q·k_j) over allowed j, zeros elsewhere; a row with no allowed
 * key is all zeros. Backward: dS = scale * P ∘ (dP - rowsum(dP ∘ P)), dq = dS k, dk = dSᵀ q, dv = Pᵀ dy.
 * mask is null or [B, Tk] floats (1 keep, 0 masked).
 */
#include "qm_math.h"
#include "gemm.h"

#define QB 32

/* Softmax of one row in place; returns 0 when the row has no allowed key (then the row is zeroed). */
static int softmax_row(float *s, const float *mk, int lim, int L, float scale) {
  const qm_expc c = qm_exp_consts();
  const v128_t sc = wasm_f32x4_splat(scale);
  const v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  const v128_t zero = wasm_f32x4_splat(0.f);
  v128_t mv = ninf;
  float m = -__builtin_inff();
  int j = 0;
  if (mk) {
    for (; j + 4 <= lim; j += 4) {
      v128_t keep = wasm_f32x4_ne(wasm_v128_load(mk + j), zero);
      v128_t v = wasm_f32x4_mul(wasm_v128_load(s + j), sc);
      mv = wasm_f32x4_pmax(mv, wasm_v128_bitselect(v, ninf, keep));
    }
    m = qm_hmax4(mv);
    for (; j < lim; ++j)
      if (mk[j] != 0.f && s[j] * scale > m) m = s[j] * scale;
  } else {
    for (; j + 4 <= lim; j += 4) mv = wasm_f32x4_pmax(mv, wasm_f32x4_mul(wasm_v128_load(s + j), sc));
    m = qm_hmax4(mv);
    for (; j < lim; ++j)
      if (s[j] * scale > m) m = s[j] * scale;
  }
  if (m == -__builtin_inff()) {
    for (j = 0; j < L; ++j) s[j] = 0.f;
    return 0;
  }
  const v128_t mm = wasm_f32x4_splat(m);
  v128_t acc = zero;
  float sum;
  j = 0;
  if (mk) {
    for (; j + 4 <= lim; j += 4) {
      v128_t keep = wasm_f32x4_ne(wasm_v128_load(mk + j), zero);
      v128_t e = qm_exp4(wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(s + j), sc), mm), &c);
      e = wasm_v128_and(e, keep);
      wasm_v128_store(s + j, e);
      acc = wasm_f32x4_add(acc, e);
    }
    sum = qm_hsum4(acc);
    for (; j < lim; ++j) {
      float e = mk[j] != 0.f ? qm_exp1(s[j] * scale - m) : 0.f;
      s[j] = e;
      sum += e;
    }
  } else {
    for (; j + 4 <= lim; j += 4) {
      v128_t e = qm_exp4(wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(s + j), sc), mm), &c);
      wasm_v128_store(s + j, e);
      acc = wasm_f32x4_add(acc, e);
    }
    sum = qm_hsum4(acc);
    for (; j < lim; ++j) {
      float e = qm_exp1(s[j] * scale - m);
      s[j] = e;
      sum += e;
    }
  }
  const v128_t inv = wasm_f32x4_splat(1.f / sum);
  j = 0;
  for (; j + 4 <= lim; j += 4) wasm_v128_store(s + j, wasm_f32x4_mul(wasm_v128_load(s + j), inv));
  for (; j < lim; ++j) s[j] *= 1.f / sum;
  for (; j < L; ++j) s[j] = 0.f;
  return 1;
}

/* Bytes of scratch qm_attn_fwd / qm_attn_bwd need for these sizes. */
QM_EXPORT(qm_attn_scratch_bytes)
int qm_attn_scratch_bytes(int Tk, int Dh) { return (2 * Dh * Tk + 4 * QB * Tk + 64) * 4; }

static inline int limit_of(int i, int Tq, int Tk) { return Tk - Tq + i + 1; }

QM_EXPORT(qm_attn_fwd)
void qm_attn_fwd(const float *q, const float *k, const float *v, const float *mask, float *out, float *scratch, int B,
                 int Hq, int Hkv, int Tq, int Tk, int Dh, float scale) {
  int G = Hq / Hkv;
  float *kT = scratch, *S = scratch + (long)Dh * Tk;
  for (int bh = 0; bh < B * Hkv; ++bh) {
    const float *mk = mask ? mask + (long)(bh / Hkv) * Tk : 0;
    const float *kb = k + (long)bh * Tk * Dh, *vb = v + (long)bh * Tk * Dh;
    qm_transpose(kb, Tk, Dh, Dh, kT, Tk);
    for (int g = 0; g < G; ++g) {
      for (int i0 = 0; i0 < Tq; i0 += QB) {
        int nr = Tq - i0 < QB ? Tq - i0 : QB;
        int L = limit_of(i0 + nr - 1, Tq, Tk);
        long off = (((long)bh * G + g) * Tq + i0) * Dh;
        qm_gemm(nr, L, Dh, q + off, Dh, kT, Tk, S, L, 0);
        for (int r = 0; r < nr; ++r) softmax_row(S + (long)r * L, mk, limit_of(i0 + r, Tq, Tk), L, scale);
        qm_gemm(nr, Dh, L, S, L, vb, Dh, out + off, Dh, 0);
      }
    }
  }
}

QM_EXPORT(qm_attn_bwd)
void qm_attn_bwd(const float *dy, const float *q, const float *k, const float *v, const float *mask, float *dq,
                 float *dk, float *dv, float *scratch, int B, int Hq, int Hkv, int Tq, int Tk, int Dh, float scale) {
  int G = Hq / Hkv;
  float *kT = scratch, *vT = kT + (long)Dh * Tk;
  float *S = vT + (long)Dh * Tk, *dP = S + (long)QB * Tk, *PT = dP + (long)QB * Tk, *dST = PT + (long)QB * Tk;
  const v128_t sc = wasm_f32x4_splat(scale);
  for (int bh = 0; bh < B * Hkv; ++bh) {
    const float *mk = mask ? mask + (long)(bh / Hkv) * Tk : 0;
    long kvoff = (long)bh * Tk * Dh;
    const float *kb = k + kvoff, *vb = v + kvoff;
    float *dkb = dk + kvoff, *dvb = dv + kvoff;
    qm_transpose(kb, Tk, Dh, Dh, kT, Tk);
    qm_transpose(vb, Tk, Dh, Dh, vT, Tk);
    for (long t = 0; t < (long)Tk * Dh; ++t) dkb[t] = dvb[t] = 0.f;
    for (int g = 0; g < G; ++g) {
      for (int i0 = 0; i0 < Tq; i0 += QB) {
        int nr = Tq - i0 < QB ? Tq - i0 : QB;
        int L = limit_of(i0 + nr - 1, Tq, Tk);
        long off = (((long)bh * G + g) * Tq + i0) * Dh;
        const float *qb = q + off, *dyb = dy + off;
        qm_gemm(nr, L, Dh, qb, Dh, kT, Tk, S, L, 0);
        qm_gemm(nr, L, Dh, dyb, Dh, vT, Tk, dP, L, 0);
        for (int r = 0; r < nr; ++r) {
          float *p = S + (long)r * L, *d = dP + (long)r * L;
          int lim = limit_of(i0 + r, Tq, Tk);
          int j = 0;
          if (!softmax_row(p, mk, lim, L, scale)) {
            for (j = 0; j < L; ++j) d[j] = 0.f;
            continue;
          }
          v128_t acc = wasm_f32x4_splat(0.f);
          for (; j + 4 <= lim; j += 4)
            acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(p + j), wasm_v128_load(d + j)));
          float rs = qm_hsum4(acc);
          for (; j < lim; ++j) rs += p[j] * d[j];
          const v128_t rv = wasm_f32x4_splat(rs);
          j = 0;
          for (; j + 4 <= lim; j += 4)
            wasm_v128_store(d + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(p + j), sc),
                                                  wasm_f32x4_sub(wasm_v128_load(d + j), rv)));
          for (; j < lim; ++j) d[j] = p[j] * scale * (d[j] - rs);
          for (; j < L; ++j) d[j] = 0.f;
        }
        qm_gemm(nr, Dh, L, dP, L, kb, Dh, dq + off, Dh, 0);
        qm_transpose(S, nr, L, L, PT, nr);
        qm_transpose(dP, nr, L, L, dST, nr);
        qm_gemm(L, Dh, nr, dST, nr, qb, Dh, dkb, Dh, 1);
        qm_gemm(L, Dh, nr, PT, nr, dyb, Dh, dvb, Dh, 1);
      }
    }
  }
}
