/*
 * N-API entry point of the softmax kernel (included inside addon.cc's anonymous namespace, after its
 * helpers).
 */
extern "C" void qm_native_softmax(const float *x, float *y, long rows, int V);

/* softmax(x, y, rows, V): y = softmax(x) over the last axis of [rows, V], rows split across threads. */
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a(env, info, 4);
  const float *x = a.ptr<float>(0);
  float *y = a.ptr<float>(1);
  long rows = (long)a.num(2);
  int V = a.i32(3);
  if (!a.ok) return nullptr;
  if (rows <= 0 || V <= 0) return undefined(env);
  parallel_chunks(rows, threads_for(rows * V), [&](long b, long e, int) { qm_native_softmax(x + b * V, y + b * V, e - b, V); });
  return undefined(env);
}

#define QM_SOFTMAX_PROPS QM_FN("softmax", Softmax),
