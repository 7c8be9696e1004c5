/*
 * Row-wise and elementwise kernels: RMSNorm, RoPE, SwiGLU, cross-entropy, token log-probs, AdamW.
 * All pointers are byte offsets into the module's linear memory: its own (copy path) or tfjs' wasm heap,
 * imported (zero-copy path: the tensors' own buffers). Kernels must use no C stack and no static data
 * (scripts/build-wasm-kernels.mjs checks) and must not write their inputs.
 * Semantics: docs/guides/kernels.md. NaN and ±inf follow IEEE / PyTorch: a NaN in a row reaches exactly
 * the outputs that depend on it (row maxima propagate NaN, exp(NaN) = NaN).
 * Bounds: every index read from memory (labels, token ids) is checked against its range before it is
 * used, and every size argument is checked before any loop, so no kernel reads or writes outside its
 * buffers even when the TypeScript validation is bypassed: an out-of-range label / id gives a NaN row.
 */
#include "qm_math.h"

/* ---------------------------------------------------------------- RMSNorm */

static inline float sum_sq(const float *x, int D) {
  v128_t acc = wasm_f32x4_splat(0.f);
  int d = 0;
  for (; d + 4 <= D; d += 4) {
    v128_t v = wasm_v128_load(x + d);
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(v, v));
  }
  float s = qm_hsum4(acc);
  for (; d < D; ++d) s += x[d] * x[d];
  return s;
}

QM_EXPORT(qm_rmsnorm_fwd)
void qm_rmsnorm_fwd(const float *x, const float *w, float *y, int rows, int D, float eps) {
  if (rows <= 0 || D <= 0) return;
  for (int n = 0; n < rows; ++n) {
    const float *xr = x + (long)n * D;
    float *yr = y + (long)n * D;
    float r = 1.0f / __builtin_sqrtf(sum_sq(xr, D) / (float)D + eps);
    v128_t rv = wasm_f32x4_splat(r);
    int d = 0;
    for (; d + 4 <= D; d += 4)
      wasm_v128_store(yr + d, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(xr + d), rv), wasm_v128_load(w + d)));
    for (; d < D; ++d) yr[d] = xr[d] * r * w[d];
  }
}

/* dx = r g - x r³ mean(g x), g = dy w;  dw = Σ_rows dy x r (dw is overwritten). */
QM_EXPORT(qm_rmsnorm_bwd)
void qm_rmsnorm_bwd(const float *dy, const float *x, const float *w, float *dx, float *dw, int rows, int D,
                    float eps) {
  if (D <= 0) return;
  for (int d = 0; d < D; ++d) dw[d] = 0.f;
  for (int n = 0; n < rows; ++n) {
    const float *xr = x + (long)n * D;
    const float *dyr = dy + (long)n * D;
    float *dxr = dx + (long)n * D;
    float r = 1.0f / __builtin_sqrtf(sum_sq(xr, D) / (float)D + eps);
    v128_t acc = wasm_f32x4_splat(0.f);
    int d = 0;
    for (; d + 4 <= D; d += 4)
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(dyr + d), wasm_v128_load(w + d)),
                                               wasm_v128_load(xr + d)));
    float gx = qm_hsum4(acc);
    for (; d < D; ++d) gx += dyr[d] * w[d] * xr[d];
    float c = r * r * r * gx / (float)D;
    v128_t rv = wasm_f32x4_splat(r), cv = wasm_f32x4_splat(c);
    d = 0;
    for (; d + 4 <= D; d += 4) {
      v128_t xv = wasm_v128_load(xr + d), dyv = wasm_v128_load(dyr + d);
      v128_t g = wasm_f32x4_mul(dyv, wasm_v128_load(w + d));
      wasm_v128_store(dxr + d, wasm_f32x4_sub(wasm_f32x4_mul(rv, g), wasm_f32x4_mul(xv, cv)));
      wasm_v128_store(dw + d, wasm_f32x4_add(wasm_v128_load(dw + d), wasm_f32x4_mul(wasm_f32x4_mul(dyv, xv), rv)));
    }
    for (; d < D; ++d) {
      float g = dyr[d] * w[d];
      dxr[d] = r * g - xr[d] * c;
      dw[d] += dyr[d] * xr[d] * r;
    }
  }
}

/* ---------------------------------------------------------------- RoPE */

/* x, y: [B, H, T, Dh]; cs, sn: [Bc, T, Dh/2] with Bc ∈ {1, B}. */
QM_EXPORT(qm_rope)
void qm_rope(const float *x, const float *cs, const float *sn, float *y, int B, int H, int T, int Dh, int Bc) {
  if (B <= 0 || H <= 0 || T <= 0 || Dh <= 0) return;
  if (Bc != 1 && Bc != B) Bc = 1; /* the tables have at least one batch row: never index past it */
  int h = Dh / 2;
  for (int b = 0; b < B; ++b) {
    const float *cb = cs + (long)(Bc == 1 ? 0 : b) * T * h;
    const float *sb = sn + (long)(Bc == 1 ? 0 : b) * T * h;
    for (int hd = 0; hd < H; ++hd) {
      for (int t = 0; t < T; ++t) {
        long off = (((long)b * H + hd) * T + t) * Dh;
        const float *x1 = x + off, *x2 = x + off + h;
        float *y1 = y + off, *y2 = y + off + h;
        const float *c = cb + (long)t * h, *s = sb + (long)t * h;
        int i = 0;
        for (; i + 4 <= h; i += 4) {
          v128_t a = wasm_v128_load(x1 + i), bq = wasm_v128_load(x2 + i);
          v128_t cv = wasm_v128_load(c + i), sv = wasm_v128_load(s + i);
          wasm_v128_store(y1 + i, wasm_f32x4_sub(wasm_f32x4_mul(a, cv), wasm_f32x4_mul(bq, sv)));
          wasm_v128_store(y2 + i, wasm_f32x4_add(wasm_f32x4_mul(bq, cv), wasm_f32x4_mul(a, sv)));
        }
        for (; i < h; ++i) {
          float a = x1[i], bq = x2[i];
          y1[i] = a * c[i] - bq * s[i];
          y2[i] = bq * c[i] + a * s[i];
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- SwiGLU */

/* 1 + exp(-g): the denominator of sigmoid(g) (no flush needed: exp(-g) >= ~1e-38 > 0 is harmless here). */
QM_INLINE v128_t sig_den4(v128_t g, const qm_expc *c) { return wasm_f32x4_add(c->one, qm_exp4_noflush(wasm_f32x4_neg(g), c)); }

/* Loads the first k < 4 floats of p into a vector (the rest 0), without reading past p + k. */
QM_INLINE v128_t load_part(const float *p, int k) {
  v128_t v = wasm_f32x4_splat(0.f);
  v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (k > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (k > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

/* Stores the first k < 4 lanes of v to p. */
QM_INLINE void store_part(float *p, v128_t v, int k) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (k > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (k > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* y = g u sigmoid(g) = g u / (1 + exp(-g)): one division per 4 lanes. */
QM_INLINE v128_t swiglu4(v128_t g, v128_t u, const qm_expc *c) {
  return wasm_f32x4_div(wasm_f32x4_mul(g, u), sig_den4(g, c));
}

QM_EXPORT(qm_swiglu_fwd)
void qm_swiglu_fwd(const float *gate, const float *up, float *y, int n) {
  const qm_expc c = qm_exp_consts();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t y0 = swiglu4(wasm_v128_load(gate + i), wasm_v128_load(up + i), &c);
    v128_t y1 = swiglu4(wasm_v128_load(gate + i + 4), wasm_v128_load(up + i + 4), &c);
    wasm_v128_store(y + i, y0);
    wasm_v128_store(y + i + 4, y1);
  }
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, swiglu4(wasm_v128_load(gate + i), wasm_v128_load(up + i), &c));
  if (i < n) store_part(y + i, swiglu4(load_part(gate + i, n - i), load_part(up + i, n - i), &c), n - i);
}

/* s = sigmoid(g); dup = dy g s; dgate = dy u s (1 + g (1 - s)). */
QM_INLINE void swiglu_bwd4(v128_t d, v128_t g, v128_t u, v128_t *dg, v128_t *du, const qm_expc *c) {
  const v128_t one = c->one;
  v128_t s = wasm_f32x4_div(one, sig_den4(g, c));
  v128_t ds = wasm_f32x4_mul(d, s);
  *du = wasm_f32x4_mul(ds, g);
  *dg = wasm_f32x4_mul(wasm_f32x4_mul(ds, u), wasm_f32x4_add(one, wasm_f32x4_mul(g, wasm_f32x4_sub(one, s))));
}

QM_EXPORT(qm_swiglu_bwd)
void qm_swiglu_bwd(const float *dy, const float *gate, const float *up, float *dgate, float *dup, int n) {
  const qm_expc c = qm_exp_consts();
  int i = 0;
  v128_t dg, du;
  for (; i + 4 <= n; i += 4) {
    swiglu_bwd4(wasm_v128_load(dy + i), wasm_v128_load(gate + i), wasm_v128_load(up + i), &dg, &du, &c);
    wasm_v128_store(dgate + i, dg);
    wasm_v128_store(dup + i, du);
  }
  if (i < n) {
    int k = n - i;
    swiglu_bwd4(load_part(dy + i, k), load_part(gate + i, k), load_part(up + i, k), &dg, &du, &c);
    store_part(dgate + i, dg, k);
    store_part(dup + i, du, k);
  }
}

/* ---------------------------------------------------------------- softmax rows */

/* Row maximum; NaN if the row holds a NaN (as torch.max). */
static inline float row_max(const float *x, int V) {
  v128_t m = wasm_f32x4_splat(-__builtin_inff());
  int j = 0;
  for (; j + 4 <= V; j += 4) m = wasm_f32x4_max(m, wasm_v128_load(x + j));
  float r = qm_hmax4(m);
  for (; j < V; ++j) r = qm_fmax(r, x[j]);
  return r;
}

/* Σ exp(x - m) over a block. */
static inline float sum_exp(const float *x, int V, float m) {
  v128_t mv = wasm_f32x4_splat(m);
  v128_t acc = wasm_f32x4_splat(0.f);
  const qm_expc c = qm_exp_consts();
  int j = 0;
  for (; j + 4 <= V; j += 4) acc = wasm_f32x4_add(acc, qm_exp4(wasm_f32x4_sub(wasm_v128_load(x + j), mv), &c));
  float s = qm_hsum4(acc);
  for (; j < V; ++j) s += qm_exp1(x[j] - m);
  return s;
}

#define LSE_BLOCK 1024

/*
 * log Σ exp(x) in one streaming read of the row: per cache-resident block, the block max then the
 * block's Σ exp(x - running max), with the running sum rescaled when the max grows (online logsumexp).
 * As PyTorch's log_softmax (x - max - log Σ exp(x - max)): NaN when the row holds a NaN or a +inf, or
 * when every entry is -inf.
 */
static double row_lse(const float *x, int V) {
  float m = -__builtin_inff();
  double s = 0.0;
  for (int j0 = 0; j0 < V; j0 += LSE_BLOCK) {
    int len = V - j0 < LSE_BLOCK ? V - j0 : LSE_BLOCK;
    float bm = row_max(x + j0, len);
    if (bm != bm || bm == __builtin_inff()) return __builtin_nan("");
    if (bm == -__builtin_inff()) continue; /* the block adds exp(-inf) = 0 */
    if (bm > m) {
      if (s != 0.0) s *= (double)qm_exp1(m - bm);
      m = bm;
    }
    s += (double)sum_exp(x + j0, len, m);
  }
  if (m == -__builtin_inff()) return __builtin_nan("");
  return (double)m + qm_log(s);
}

/* out = scale · softmax(x): max pass, exp pass writing out and summing, scale pass. */
static void softmax_row_scaled(const float *x, float *out, int V, float scale) {
  const qm_expc c = qm_exp_consts();
  float m = row_max(x, V);
  v128_t mv = wasm_f32x4_splat(m);
  v128_t acc = wasm_f32x4_splat(0.f);
  int j = 0;
  for (; j + 4 <= V; j += 4) {
    v128_t e = qm_exp4(wasm_f32x4_sub(wasm_v128_load(x + j), mv), &c);
    wasm_v128_store(out + j, e);
    acc = wasm_f32x4_add(acc, e);
  }
  float s = qm_hsum4(acc);
  for (; j < V; ++j) {
    float e = qm_exp1(x[j] - m);
    out[j] = e;
    s += e;
  }
  float k = scale / s;
  v128_t kv = wasm_f32x4_splat(k);
  j = 0;
  for (; j + 4 <= V; j += 4) wasm_v128_store(out + j, wasm_f32x4_mul(wasm_v128_load(out + j), kv));
  for (; j < V; ++j) out[j] *= k;
}

static void zero_row(float *out, int V) {
  v128_t z = wasm_f32x4_splat(0.f);
  int j = 0;
  for (; j + 4 <= V; j += 4) wasm_v128_store(out + j, z);
  for (; j < V; ++j) out[j] = 0.f;
}

/* ---------------------------------------------------------------- cross-entropy */

/*
 * Returns the mean over kept rows of lse - logits[label]; 0 when every row is ignored (or N = 0). A kept
 * row whose label is outside [0, V) is never read: its loss is NaN (so the mean is NaN).
 */
QM_EXPORT(qm_xent_fwd)
float qm_xent_fwd(const float *logits, const int *labels, int N, int V, int ignoreIndex) {
  double total = 0.0;
  int count = 0;
  if (N <= 0) return 0.f;
  for (int n = 0; n < N; ++n) {
    int l = labels[n];
    if (l == ignoreIndex) continue;
    ++count;
    if (l < 0 || l >= V) {
      total = __builtin_nan("");
      continue;
    }
    const float *x = logits + (long)n * V;
    total += row_lse(x, V) - (double)x[l];
  }
  return count == 0 ? 0.f : (float)(total / (double)count);
}

static void nan_row(float *out, int V) {
  const float nan = __builtin_nanf("");
  for (int j = 0; j < V; ++j) out[j] = nan;
}

/*
 * dlogits = dy/count (softmax - onehot) for kept rows, 0 for ignored rows (even when their logits are
 * NaN: they are not part of the loss). A kept row with a label outside [0, V) gets a NaN row.
 */
QM_EXPORT(qm_xent_bwd)
void qm_xent_bwd(float dy, const float *logits, const int *labels, float *out, int N, int V, int ignoreIndex) {
  if (N <= 0 || V <= 0) return;
  int count = 0;
  for (int n = 0; n < N; ++n) count += labels[n] != ignoreIndex;
  float c = count == 0 ? 0.f : dy / (float)count;
  for (int n = 0; n < N; ++n) {
    int l = labels[n];
    float *o = out + (long)n * V;
    if (l == ignoreIndex) {
      zero_row(o, V);
      continue;
    }
    if (l < 0 || l >= V) {
      nan_row(o, V);
      continue;
    }
    softmax_row_scaled(logits + (long)n * V, o, V, c);
    o[l] -= c;
  }
}

/* ---------------------------------------------------------------- token log-probs */

/* out[n] = logits[n, ids[n]] - lse_n; NaN for an id outside [0, V) (never read). */
QM_EXPORT(qm_tlp_fwd)
void qm_tlp_fwd(const float *logits, const int *ids, float *out, int N, int V) {
  for (int n = 0; n < N; ++n) {
    int id = ids[n];
    if (id < 0 || id >= V) {
      out[n] = __builtin_nanf("");
      continue;
    }
    const float *x = logits + (long)n * V;
    out[n] = (float)((double)x[id] - row_lse(x, V));
  }
}

/*
 * dlogits = dy[n] (onehot(ids[n]) - softmax); a NaN row for an id outside [0, V). No shortcut for
 * dy[n] = 0: 0 · NaN is NaN for a row with non-finite logits, as in PyTorch.
 */
QM_EXPORT(qm_tlp_bwd)
void qm_tlp_bwd(const float *dy, const float *logits, const int *ids, float *out, int N, int V) {
  if (V <= 0) return;
  for (int n = 0; n < N; ++n) {
    float *o = out + (long)n * V;
    float d = dy[n];
    int id = ids[n];
    if (id < 0 || id >= V) {
      nan_row(o, V);
      continue;
    }
    softmax_row_scaled(logits + (long)n * V, o, V, -d);
    o[id] += d;
  }
}

/* ---------------------------------------------------------------- AdamW */

/*
 * Reads p, g, m, v and writes the updated values to po, mo, vo (which may alias p, m, v: each element is
 * read before it is written). bc1 = 1 - β1^step, bc2 = 1 - β2^step.
 */
QM_EXPORT(qm_adamw)
void qm_adamw(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, int n,
              float lr, float b1, float b2, float eps, float wd, float bc1, float bc2) {
  const v128_t decay = wasm_f32x4_splat(1.f - lr * wd);
  const v128_t b1v = wasm_f32x4_splat(b1), b2v = wasm_f32x4_splat(b2);
  const v128_t c1 = wasm_f32x4_splat(1.f - b1), c2 = wasm_f32x4_splat(1.f - b2);
  const v128_t step = wasm_f32x4_splat(lr / bc1), ib2 = wasm_f32x4_splat(1.f / bc2), ev = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gv = wasm_v128_load(g + i);
    v128_t mv = wasm_f32x4_add(wasm_f32x4_mul(b1v, wasm_v128_load(m + i)), wasm_f32x4_mul(c1, gv));
    v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(b2v, wasm_v128_load(v + i)), wasm_f32x4_mul(c2, wasm_f32x4_mul(gv, gv)));
    v128_t den = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_mul(vv, ib2)), ev);
    v128_t pv = wasm_f32x4_mul(wasm_v128_load(p + i), decay);
    wasm_v128_store(po + i, wasm_f32x4_sub(pv, wasm_f32x4_div(wasm_f32x4_mul(step, mv), den)));
    wasm_v128_store(mo + i, mv);
    wasm_v128_store(vo + i, vv);
  }
  for (; i < n; ++i) {
    float gv = g[i];
    float mv = b1 * m[i] + (1.f - b1) * gv;
    float vv = b2 * v[i] + (1.f - b2) * gv * gv;
    float den = __builtin_sqrtf(vv / bc2) + eps;
    po[i] = p[i] * (1.f - lr * wd) - (lr / bc1) * mv / den;
    mo[i] = mv;
    vo[i] = vv;
  }
}

/* ---------------------------------------------------------------- math checks */

/* y = exp(x) elementwise with the kernels' vectorised exp (exposed for accuracy tests). */
QM_EXPORT(qm_vexp)
void qm_vexp(const float *x, float *y, int n) {
  int i = 0;
  const qm_expc c = qm_exp_consts();
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, qm_exp4(wasm_v128_load(x + i), &c));
  for (; i < n; ++i) y[i] = qm_exp1(x[i]);
}

/* y = log(x) elementwise with the kernels' double-precision scalar log (exposed for accuracy tests). */
QM_EXPORT(qm_vlog)
void qm_vlog(const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i) y[i] = qm_log(x[i]);
}
