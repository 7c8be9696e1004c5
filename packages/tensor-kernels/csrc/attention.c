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
 *
 * NaN / ±inf: a hidden (causally or masked) key is never part of any product, so a non-finite value in
 * a hidden k, v, q or dy row reaches no output that does not depend on it (0 · NaN would be NaN):
 * - the products with P / dS run over the keys every row of the block sees ([0, L0)) through the GEMM,
 *   and over the block's causal diagonal ([L0, L)) row by row, each row only up to its own limit;
 * - masked keys are zeroed in copies of k and v (scratch) before the products, and their dk, dv rows
 *   are set to exactly 0;
 * - the softmax propagates NaN (f32x4.max, exp(NaN) = NaN): a NaN or +inf allowed score, or allowed
 *   scores that are all -inf, make the row NaN, as PyTorch's softmax.
 * Sizes are checked first (no division by zero, no read past a buffer): on bad sizes the outputs are
 * filled with NaN.
 */
#include "qm_math.h"
#include "gemm.h"

#define QB 32

/*
 * Softmax of one row in place over its allowed keys j < lim (and mk[j] != 0); every other entry of the
 * row (up to L) becomes exactly 0. Returns 0 when the row has no allowed key (the row is then all 0).
 */
static int softmax_row(float *s, const float *mk, int lim, int L, float scale) {
  const qm_expc c = qm_exp_consts();
  const v128_t sc = wasm_f32x4_splat(scale);
  const v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  const v128_t zero = wasm_f32x4_splat(0.f);
  v128_t mv = ninf;
  float m = -__builtin_inff();
  int any = 0;
  int j = 0;
  if (mk) {
    v128_t anyv = wasm_i32x4_splat(0);
    for (; j + 4 <= lim; j += 4) {
      v128_t keep = wasm_f32x4_ne(wasm_v128_load(mk + j), zero);
      v128_t v = wasm_f32x4_mul(wasm_v128_load(s + j), sc);
      mv = wasm_f32x4_max(mv, wasm_v128_bitselect(v, ninf, keep));
      anyv = wasm_v128_or(anyv, keep);
    }
    any = wasm_v128_any_true(anyv);
    m = qm_hmax4(mv);
    for (; j < lim; ++j)
      if (mk[j] != 0.f) {
        any = 1;
        m = qm_fmax(m, s[j] * scale);
      }
  } else {
    any = lim > 0;
    for (; j + 4 <= lim; j += 4) mv = wasm_f32x4_max(mv, wasm_f32x4_mul(wasm_v128_load(s + j), sc));
    m = qm_hmax4(mv);
    for (; j < lim; ++j) m = qm_fmax(m, s[j] * scale);
  }
  if (!any) {
    for (j = 0; j < L; ++j) s[j] = 0.f;
    return 0;
  }
  /* m is NaN (a NaN score), +inf or -inf (all allowed scores -inf): exp(s - m) is then NaN at every allowed key */
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
  const float inv1 = 1.f / sum;
  const v128_t inv = wasm_f32x4_splat(inv1);
  j = 0;
  if (mk) {
    /* masked entries stay exactly 0 even when the sum is NaN */
    for (; j + 4 <= lim; j += 4) {
      v128_t keep = wasm_f32x4_ne(wasm_v128_load(mk + j), zero);
      wasm_v128_store(s + j, wasm_v128_and(wasm_f32x4_mul(wasm_v128_load(s + j), inv), keep));
    }
    for (; j < lim; ++j) s[j] = mk[j] != 0.f ? s[j] * inv1 : 0.f;
  } else {
    for (; j + 4 <= lim; j += 4) wasm_v128_store(s + j, wasm_f32x4_mul(wasm_v128_load(s + j), inv));
    for (; j < lim; ++j) s[j] *= inv1;
  }
  for (; j < L; ++j) s[j] = 0.f;
  return 1;
}

/* y[0..n) += a * x[0..n). */
static inline void axpy(float a, const float *x, float *y, int n) {
  const v128_t av = wasm_f32x4_splat(a);
  int d = 0;
  for (; d + 4 <= n; d += 4) wasm_v128_store(y + d, wasm_f32x4_add(wasm_v128_load(y + d), wasm_f32x4_mul(av, wasm_v128_load(x + d))));
  for (; d < n; ++d) y[d] += a * x[d];
}

static inline void fill(float *p, long n, float x) {
  for (long t = 0; t < n; ++t) p[t] = x;
}

/* Copy of the Tk x Dh rows of src with the rows of masked keys set to 0 (dst may be src when mask is null). */
static const float *masked_rows(const float *src, const float *mk, int Tk, int Dh, float *dst) {
  if (!mk) return src;
  for (int j = 0; j < Tk; ++j) {
    const float *a = src + (long)j * Dh;
    float *b = dst + (long)j * Dh;
    if (mk[j] != 0.f)
      for (int d = 0; d < Dh; ++d) b[d] = a[d];
    else
      for (int d = 0; d < Dh; ++d) b[d] = 0.f;
  }
  return dst;
}

/* Whether the sizes are consistent (else the kernels fill their outputs with NaN and return). */
static int sizes_ok(int B, int Hq, int Hkv, int Tq, int Tk, int Dh) {
  return B >= 0 && Hq >= 0 && Hkv > 0 && Hq % Hkv == 0 && Tq >= 0 && Tk >= Tq && Dh > 0;
}

/*
 * Bytes of scratch qm_attn_fwd / qm_attn_bwd need for these sizes (kT, vT, four QB x Tk blocks and one
 * masked copy of k or v), or -1 when the sizes are negative or the count overflows 2^31.
 */
QM_EXPORT(qm_attn_scratch_bytes)
int qm_attn_scratch_bytes(int Tk, int Dh) {
  if (Tk < 0 || Dh < 0) return -1;
  long long n = (3LL * Dh * Tk + 4LL * QB * Tk + 64) * 4;
  return n > 0x7fffffffLL ? -1 : (int)n;
}

static inline int limit_of(int i, int Tq, int Tk) { return Tk - Tq + i + 1; }

QM_EXPORT(qm_attn_fwd)
void qm_attn_fwd(const float *q, const float *k, const float *v, const float *mask, float *out, float *scratch, int B,
                 int Hq, int Hkv, int Tq, int Tk, int Dh, float scale) {
  if (!sizes_ok(B, Hq, Hkv, Tq, Tk, Dh)) {
    if (B > 0 && Hq > 0 && Tq > 0 && Dh > 0) fill(out, (long)B * Hq * Tq * Dh, __builtin_nanf(""));
    return;
  }
  int G = Hq / Hkv;
  float *kT = scratch, *S = scratch + 2L * Dh * Tk, *vz = S + 4L * QB * Tk;
  for (int bh = 0; bh < B * Hkv; ++bh) {
    const float *mk = mask ? mask + (long)(bh / Hkv) * Tk : 0;
    const float *kb = k + (long)bh * Tk * Dh;
    const float *vb = masked_rows(v + (long)bh * Tk * Dh, mk, Tk, Dh, vz);
    qm_transpose(kb, Tk, Dh, Dh, kT, Tk);
    for (int g = 0; g < G; ++g) {
      for (int i0 = 0; i0 < Tq; i0 += QB) {
        int nr = Tq - i0 < QB ? Tq - i0 : QB;
        int L0 = limit_of(i0, Tq, Tk), L = limit_of(i0 + nr - 1, Tq, Tk);
        long off = (((long)bh * G + g) * Tq + i0) * Dh;
        qm_gemm(nr, L, Dh, q + off, Dh, kT, Tk, S, L, 0);
        for (int r = 0; r < nr; ++r) softmax_row(S + (long)r * L, mk, limit_of(i0 + r, Tq, Tk), L, scale);
        /* keys [0, L0): seen by every row of the block; the diagonal [L0, L): row r sees L0 + r keys */
        qm_gemm(nr, Dh, L0, S, L, vb, Dh, out + off, Dh, 0);
        for (int r = 1; r < nr; ++r)
          for (int j = L0; j < L0 + r; ++j) axpy(S[(long)r * L + j], vb + (long)j * Dh, out + off + (long)r * Dh, Dh);
      }
    }
  }
}

QM_EXPORT(qm_attn_bwd)
void qm_attn_bwd(const float *dy, const float *q, const float *k, const float *v, const float *mask, float *dq,
                 float *dk, float *dv, float *scratch, int B, int Hq, int Hkv, int Tq, int Tk, int Dh, float scale) {
  if (!sizes_ok(B, Hq, Hkv, Tq, Tk, Dh)) {
    const float nan = __builtin_nanf("");
    if (B > 0 && Hq > 0 && Tq > 0 && Dh > 0) fill(dq, (long)B * Hq * Tq * Dh, nan);
    if (B > 0 && Hkv > 0 && Tk > 0 && Dh > 0) {
      fill(dk, (long)B * Hkv * Tk * Dh, nan);
      fill(dv, (long)B * Hkv * Tk * Dh, nan);
    }
    return;
  }
  int G = Hq / Hkv;
  float *kT = scratch, *vT = kT + (long)Dh * Tk;
  float *S = vT + (long)Dh * Tk, *dP = S + (long)QB * Tk, *PT = dP + (long)QB * Tk, *dST = PT + (long)QB * Tk;
  float *kz = dST + (long)QB * Tk;
  const v128_t sc = wasm_f32x4_splat(scale);
  const v128_t zero = wasm_f32x4_splat(0.f);
  for (int bh = 0; bh < B * Hkv; ++bh) {
    const float *mk = mask ? mask + (long)(bh / Hkv) * Tk : 0;
    long kvoff = (long)bh * Tk * Dh;
    const float *kb = masked_rows(k + kvoff, mk, Tk, Dh, kz), *vb = v + kvoff;
    float *dkb = dk + kvoff, *dvb = dv + kvoff;
    qm_transpose(kb, Tk, Dh, Dh, kT, Tk);
    qm_transpose(vb, Tk, Dh, Dh, vT, Tk);
    fill(dkb, (long)Tk * Dh, 0.f);
    fill(dvb, (long)Tk * Dh, 0.f);
    for (int g = 0; g < G; ++g) {
      for (int i0 = 0; i0 < Tq; i0 += QB) {
        int nr = Tq - i0 < QB ? Tq - i0 : QB;
        int L0 = limit_of(i0, Tq, Tk), L = limit_of(i0 + nr - 1, Tq, Tk);
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
          /* rowsum(dP ∘ P) and dS over the allowed keys only: a masked dP may be NaN (from a hidden v) */
          v128_t acc = zero;
          if (mk) {
            for (; j + 4 <= lim; j += 4) {
              v128_t keep = wasm_f32x4_ne(wasm_v128_load(mk + j), zero);
              acc = wasm_f32x4_add(acc, wasm_v128_and(wasm_f32x4_mul(wasm_v128_load(p + j), wasm_v128_load(d + j)), keep));
            }
          } else {
            for (; j + 4 <= lim; j += 4)
              acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(p + j), wasm_v128_load(d + j)));
          }
          float rs = qm_hsum4(acc);
          for (; j < lim; ++j)
            if (!mk || mk[j] != 0.f) rs += p[j] * d[j];
          const v128_t rv = wasm_f32x4_splat(rs);
          j = 0;
          for (; j + 4 <= lim; j += 4) {
            v128_t ds = wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(p + j), sc), wasm_f32x4_sub(wasm_v128_load(d + j), rv));
            if (mk) ds = wasm_v128_and(ds, wasm_f32x4_ne(wasm_v128_load(mk + j), zero));
            wasm_v128_store(d + j, ds);
          }
          for (; j < lim; ++j) d[j] = (!mk || mk[j] != 0.f) ? p[j] * scale * (d[j] - rs) : 0.f;
          for (; j < L; ++j) d[j] = 0.f;
        }
        /* dq = dS k: keys [0, L0) by GEMM, the diagonal row by row */
        qm_gemm(nr, Dh, L0, dP, L, kb, Dh, dq + off, Dh, 0);
        for (int r = 1; r < nr; ++r)
          for (int j = L0; j < L0 + r; ++j) axpy(dP[(long)r * L + j], kb + (long)j * Dh, dq + off + (long)r * Dh, Dh);
        /* dk = dSᵀ q, dv = Pᵀ dy: keys [0, L0) by GEMM; diagonal key L0 + t gets rows r > t only */
        qm_transpose(S, nr, L, L, PT, nr);
        qm_transpose(dP, nr, L, L, dST, nr);
        qm_gemm(L0, Dh, nr, dST, nr, qb, Dh, dkb, Dh, 1);
        qm_gemm(L0, Dh, nr, PT, nr, dyb, Dh, dvb, Dh, 1);
        for (int j = L0; j < L; ++j)
          for (int r = j - L0 + 1; r < nr; ++r) {
            axpy(dP[(long)r * L + j], qb + (long)r * Dh, dkb + (long)j * Dh, Dh);
            axpy(S[(long)r * L + j], dyb + (long)r * Dh, dvb + (long)j * Dh, Dh);
          }
      }
    }
    /* masked keys take no part: their gradients are exactly 0 (even if a hidden row held a NaN) */
    if (mk)
      for (int j = 0; j < Tk; ++j)
        if (mk[j] == 0.f) {
          fill(dkb + (long)j * Dh, Dh, 0.f);
          fill(dvb + (long)j * Dh, Dh, 0.f);
        }
  }
}
