/*
 * N-API entry point of the float32 elementwise binary kernels (included inside addon.cc's anonymous namespace,
 * after its helpers): out[i] = a[i] op b[i mod nb] for op in {add, sub, mul}, where nb divides n (nb = n: same
 * shapes; nb = 1: a scalar; otherwise b repeats over a's leading dimensions, e.g. a bias [N] on [M, N]). Plain
 * IEEE float32 arithmetic, so NaN and ±inf behave as in every other backend; the loops are written for the
 * compiler to vectorise for the build's CPU (-march=native) and split across the addon's threads.
 */
template <int Op>
static inline void qm_binary_range(const float *a, const float *b, float *out, long begin, long end, long nb) {
  long i = begin;
  while (i < end) {
    long j = i % nb;
    long run = nb - j;
    if (run > end - i) run = end - i;
    const float *bj = b + j;
    const float *ai = a + i;
    float *oi = out + i;
    if (nb == 1) {
      const float s = b[0];
      for (long k = 0; k < run; ++k) oi[k] = Op == 0 ? ai[k] + s : Op == 1 ? ai[k] - s : ai[k] * s;
    } else {
      for (long k = 0; k < run; ++k) oi[k] = Op == 0 ? ai[k] + bj[k] : Op == 1 ? ai[k] - bj[k] : ai[k] * bj[k];
    }
    i += run;
  }
}

/* binary(op, a, b, out, n, nb): op 0 add, 1 sub, 2 mul; byte offsets into the heap. */
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info, 6);
  int op = a.i32(0);
  const float *x = a.ptr<float>(1);
  const float *y = a.ptr<float>(2);
  float *z = a.ptr<float>(3);
  long n = (long)a.num(4);
  long nb = (long)a.num(5);
  if (!a.ok) return nullptr;
  if (n <= 0) return undefined(env);
  if (nb <= 0 || n % nb != 0 || op < 0 || op > 2) {
    napi_throw_range_error(env, nullptr, "quarkmed native: binary: nb must divide n and op must be 0, 1 or 2");
    return nullptr;
  }
  parallel_chunks(n, threads_for(n), [&](long b, long e, int) {
    if (op == 0) qm_binary_range<0>(x, y, z, b, e, nb);
    else if (op == 1) qm_binary_range<1>(x, y, z, b, e, nb);
    else qm_binary_range<2>(x, y, z, b, e, nb);
  });
  return undefined(env);
}

#define QM_ELEMENTWISE_PROPS QM_FN("binary", Binary),
