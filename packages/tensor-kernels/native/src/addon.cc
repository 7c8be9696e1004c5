/*
 * @quarkmed/tensor-kernels native addon (N-API): the kernels of the `native` tfjs backend, working in
 * place on tfjs-backend-wasm's heap (a SharedArrayBuffer with wasm threads, an ArrayBuffer without).
 *
 * JS hands the heap over once with setHeap(Uint8Array over the whole heap) and again whenever the heap's
 * buffer object changes (memory growth); every kernel then takes byte offsets into it, exactly like the
 * wasm SIMD kernels of csrc/ (same names, same arguments: src/kernels/wasm/simd-module.ts SimdFunctions).
 *
 * - GEMM: cblas_sgemm of the BLAS linked at build time (OpenBLAS, runtime CPU dispatch through
 *   DYNAMIC_ARCH: AVX-512 / AVX2 / NEON), every transpose combination through CblasTrans (no copies);
 *   without a BLAS (QM_NO_BLAS) a portable blocked GEMM (native/src/gemm-portable.h).
 * - The fused kernels: the algorithms of csrc/ compiled for the host (native/src/shim/wasm_simd128.h),
 *   threaded over independent rows / (batch, kv head) pairs with OpenMP.
 * - Softmax over the last axis (native/src/softmax.c, native/src/softmax-napi.h).
 * - float32 Add / Sub / Mul with same-shape, scalar or trailing broadcast operands (native/src/elementwise-napi.h).
 */
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

extern "C" {
void qm_rmsnorm_fwd(const float *x, const float *w, float *y, int rows, int D, float eps);
void qm_rmsnorm_bwd(const float *dy, const float *x, const float *w, float *dx, float *dw, int rows, int D, float eps);
void qm_rope(const float *x, const float *cs, const float *sn, float *y, int B, int H, int T, int Dh, int Bc);
void qm_swiglu_fwd(const float *gate, const float *up, float *y, int n);
void qm_swiglu_bwd(const float *dy, const float *gate, const float *up, float *dgate, float *dup, int n);
float qm_xent_fwd(const float *logits, const int *labels, int N, int V, int ignoreIndex);
void qm_xent_bwd(float dy, const float *logits, const int *labels, float *out, int N, int V, int ignoreIndex);
void qm_tlp_fwd(const float *logits, const int *ids, float *out, int N, int V);
void qm_tlp_bwd(const float *dy, const float *logits, const int *ids, float *out, int N, int V);
void qm_adamw(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, int n,
              float lr, float b1, float b2, float eps, float wd, float bc1, float bc2);
int qm_attn_scratch_bytes(int Tk, int Dh);
void qm_attn_fwd(const float *q, const float *k, const float *v, const float *mask, float *out, float *scratch, int B,
                 int Hq, int Hkv, int Tq, int Tk, int Dh, float scale);
void qm_attn_bwd(const float *dy, const float *q, const float *k, const float *v, const float *mask, float *dq,
                 float *dk, float *dv, float *scratch, int B, int Hq, int Hkv, int Tq, int Tk, int Dh, float scale);
}

#ifndef QM_NO_BLAS
#include <cblas.h>
extern "C" {
void openblas_set_num_threads(int);
char *openblas_get_config(void);
char *openblas_get_corename(void);
}
#else
#include "gemm-portable.h"
#endif

#include "isa.h"

#define QM_FN(name, fn) {name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr}

namespace {

uint8_t *g_heap = nullptr;
size_t g_heap_len = 0;
int g_threads = 1;

/* ------------------------------------------------------------------------------------------ N-API */

#define QM_CALL(env, call)                                                       \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error((env), nullptr, "quarkmed native: N-API call failed: " #call); \
      return nullptr;                                                            \
    }                                                                            \
  } while (0)

struct Args {
  napi_env env;
  size_t argc = 24;
  napi_value argv[24];
  bool ok = true;
  Args(napi_env e, napi_callback_info info, size_t want) : env(e) {
    napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr);
    if (argc < want) {
      napi_throw_type_error(e, nullptr, ("quarkmed native: expected " + std::to_string(want) + " arguments").c_str());
      ok = false;
    }
  }
  double num(size_t i) {
    double v = 0;
    if (ok && napi_get_value_double(env, argv[i], &v) != napi_ok) {
      napi_throw_type_error(env, nullptr, ("quarkmed native: argument " + std::to_string(i) + " must be a number").c_str());
      ok = false;
    }
    return v;
  }
  int i32(size_t i) { return (int)num(i); }
  float f32(size_t i) { return (float)num(i); }
  /* A pointer into the heap from a byte offset (0 stays null: "no mask"), bounds-checked on the start. */
  template <typename T>
  T *ptr(size_t i, bool nullable = false) {
    double off = num(i);
    if (!ok) return nullptr;
    if (off == 0 && nullable) return nullptr;
    if (g_heap == nullptr || off < 0 || off >= (double)g_heap_len + 1) {
      napi_throw_range_error(env, nullptr, ("quarkmed native: pointer argument " + std::to_string(i) + " outside the heap").c_str());
      ok = false;
      return nullptr;
    }
    return reinterpret_cast<T *>(g_heap + (size_t)off);
  }
};

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

/*
 * Work below this many elements runs on one thread: a parallel region costs microseconds on an idle
 * machine and far more on a loaded one, where a woken thread may wait for a core.
 */
constexpr long kParallelMin = 1L << 17;
/* GEMMs below this many multiply-adds (about 50 us on one core) run on one thread. */
constexpr long kGemmParallelMin = 1L << 22;

int threads_for(long work) { return work < kParallelMin ? 1 : g_threads; }

/* Splits [0, n) into `parts` contiguous chunks and runs f(begin, end, part) on each, in parallel. */
template <typename F>
void parallel_chunks(long n, int parts, F f) {
  if (parts <= 1 || n <= 1) {
    f(0L, n, 0);
    return;
  }
  if (parts > n) parts = (int)n;
#pragma omp parallel for num_threads(parts) schedule(static)
  for (int p = 0; p < parts; ++p) {
    long b = n * p / parts, e = n * (p + 1) / parts;
    f(b, e, p);
  }
}

/* ------------------------------------------------------------------------------------------ heap */

napi_value SetHeap(napi_env env, napi_callback_info info) {
  Args a(env, info, 1);
  if (!a.ok) return nullptr;
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *data = nullptr;
  napi_value ab;
  bool is_ta = false;
  QM_CALL(env, napi_is_typedarray(env, a.argv[0], &is_ta));
  if (!is_ta) {
    napi_throw_type_error(env, nullptr, "quarkmed native: setHeap expects a Uint8Array over the whole wasm heap");
    return nullptr;
  }
  QM_CALL(env, napi_get_typedarray_info(env, a.argv[0], &type, &length, &data, &ab, &offset));
  if (type != napi_uint8_array || offset != 0 || data == nullptr) {
    napi_throw_type_error(env, nullptr, "quarkmed native: setHeap expects a Uint8Array at offset 0 of the heap");
    return nullptr;
  }
  g_heap = static_cast<uint8_t *>(data);
  g_heap_len = length;
  return undefined(env);
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info, 1);
  int n = a.i32(0);
  if (!a.ok) return nullptr;
  if (n < 1) n = 1;
  g_threads = n;
#ifndef QM_NO_BLAS
  /* one thread pool (OpenMP) for everything: each BLAS call is single-threaded, the addon splits the work */
  openblas_set_num_threads(1);
#endif
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
  return undefined(env);
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value o;
  napi_create_object(env, &o);
  auto set = [&](const char *k, const std::string &v) {
    napi_value s;
    napi_create_string_utf8(env, v.c_str(), v.size(), &s);
    napi_set_named_property(env, o, k, s);
  };
#ifndef QM_NO_BLAS
  set("blas", openblas_get_config());
  set("blasCore", openblas_get_corename());
#else
  set("blas", "none (portable blocked GEMM)");
  set("blasCore", "portable");
#endif
#ifdef _OPENMP
  set("threading", "OpenMP");
#else
  set("threading", "none");
#endif
  set("isa", QM_ISA_NAME);
  napi_value t = number(env, g_threads);
  napi_set_named_property(env, o, "threads", t);
  return o;
}

/* ------------------------------------------------------------------------------------------ GEMM */

#include "gemv.h"

/*
 * gemm(a, b, c, M, N, K, transA, transB, aIndex, bIndex, aStride, bStride): for each output matrix i
 * (i < aIndex.length), C_i[M,N] = op(A_{aIndex[i]}) op(B_{bIndex[i]}), A_j at a + j aStride floats (stored
 * [M,K], or [K,M] with transA), B_j at b + j bStride floats ([K,N], or [N,K] with transB), C_i at c + i M N.
 */
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info, 12);
  const float *A = a.ptr<float>(0);
  const float *B = a.ptr<float>(1);
  float *C = a.ptr<float>(2);
  int M = a.i32(3), N = a.i32(4), K = a.i32(5);
  bool ta = a.num(6) != 0, tb = a.num(7) != 0;
  if (!a.ok) return nullptr;
  int32_t *ai = nullptr, *bi = nullptr;
  size_t na = 0, nb = 0;
  for (int k = 0; k < 2; ++k) {
    napi_typedarray_type type;
    void *data;
    napi_value ab;
    size_t off, len;
    if (napi_get_typedarray_info(env, a.argv[8 + k], &type, &len, &data, &ab, &off) != napi_ok || type != napi_int32_array) {
      napi_throw_type_error(env, nullptr, "quarkmed native: gemm index arguments must be Int32Arrays");
      return nullptr;
    }
    (k == 0 ? ai : bi) = static_cast<int32_t *>(data);
    (k == 0 ? na : nb) = len;
  }
  long sa = (long)a.num(10), sb = (long)a.num(11);
  if (!a.ok) return nullptr;
  if (na != nb) {
    napi_throw_range_error(env, nullptr, "quarkmed native: gemm index arrays differ in length");
    return nullptr;
  }
  if (M <= 0 || N <= 0) return undefined(env);
  if (K < 0) K = 0;
  if (M == 1 && na == 1 && K > 0) {
    /* one row times one matrix (op(A) of one row is the same memory whether or not A is transposed) */
    qm_gemv(A + (long)ai[0] * sa, B + (long)bi[0] * sb, C, N, K, tb);
    return undefined(env);
  }
  const long mn = (long)M * N;
  const long macs = mn * (K > 0 ? K : 1);
  /* one thread per product below kGemmParallelMin multiply-adds; otherwise split the batch across the
     threads, or (one product) the larger of M and N, each part one single-threaded BLAS call */
  int parts = macs * (long)na < kGemmParallelMin ? 1 : g_threads;
  auto one = [&](size_t i, int m0, int m1, int n0, int n1) {
    float *Ci = C + (long)i * mn;
    if (K <= 0) {
      for (int m = m0; m < m1; ++m) std::memset(Ci + (long)m * N + n0, 0, sizeof(float) * (n1 - n0));
      return;
    }
    const float *Ai = A + (long)ai[i] * sa;
    const float *Bi = B + (long)bi[i] * sb;
    const int lda = ta ? M : K, ldb = tb ? K : N;
    const float *Am = ta ? Ai + m0 : Ai + (long)m0 * lda;
    const float *Bn = tb ? Bi + (long)n0 * ldb : Bi + n0;
    float *Cmn = Ci + (long)m0 * N + n0;
#ifndef QM_NO_BLAS
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m1 - m0, n1 - n0, K, 1.0f,
                Am, lda, Bn, ldb, 0.0f, Cmn, N);
#else
    qm_portable_sgemm(ta, tb, m1 - m0, n1 - n0, K, Am, lda, Bn, ldb, Cmn, N);
#endif
  };
  if (parts <= 1) {
    for (size_t i = 0; i < na; ++i) one(i, 0, M, 0, N);
  } else if ((long)na >= parts) {
    parallel_chunks((long)na, parts, [&](long b, long e, int) {
      for (long i = b; i < e; ++i) one((size_t)i, 0, M, 0, N);
    });
  } else {
    const bool byRows = M >= N;
    const long extent = byRows ? M : N;
    for (size_t i = 0; i < na; ++i) {
      parallel_chunks(extent, parts, [&](long b, long e, int) {
        /* keep column blocks a multiple of 16 floats (cache lines, vector width) */
        if (!byRows) {
          b = b & ~15L;
          e = e == extent ? e : e & ~15L;
        }
        if (e > b) byRows ? one(i, (int)b, (int)e, 0, N) : one(i, 0, M, (int)b, (int)e);
      });
    }
  }
  return undefined(env);
}

/* ------------------------------------------------------------------------------------------ fused */

napi_value RmsNormFwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 6);
  const float *x = a.ptr<float>(0), *w = a.ptr<float>(1);
  float *y = a.ptr<float>(2);
  int rows = a.i32(3), D = a.i32(4);
  float eps = a.f32(5);
  if (!a.ok) return nullptr;
  parallel_chunks(rows, threads_for((long)rows * D), [&](long b, long e, int) {
    qm_rmsnorm_fwd(x + b * D, w, y + b * D, (int)(e - b), D, eps);
  });
  return undefined(env);
}

napi_value RmsNormBwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 8);
  const float *dy = a.ptr<float>(0), *x = a.ptr<float>(1), *w = a.ptr<float>(2);
  float *dx = a.ptr<float>(3), *dw = a.ptr<float>(4);
  int rows = a.i32(5), D = a.i32(6);
  float eps = a.f32(7);
  if (!a.ok) return nullptr;
  if (D <= 0) return undefined(env);
  int parts = threads_for((long)rows * D);
  if (parts > rows) parts = rows < 1 ? 1 : rows;
  if (parts <= 1) {
    qm_rmsnorm_bwd(dy, x, w, dx, dw, rows, D, eps);
    return undefined(env);
  }
  std::vector<float> partial((size_t)parts * D);
  parallel_chunks(rows, parts, [&](long b, long e, int p) {
    qm_rmsnorm_bwd(dy + b * D, x + b * D, w, dx + b * D, partial.data() + (size_t)p * D, (int)(e - b), D, eps);
  });
  for (int d = 0; d < D; ++d) {
    float s = 0.f;
    for (int p = 0; p < parts; ++p) s += partial[(size_t)p * D + d];
    dw[d] = s;
  }
  return undefined(env);
}

napi_value Rope(napi_env env, napi_callback_info info) {
  Args a(env, info, 9);
  const float *x = a.ptr<float>(0), *cs = a.ptr<float>(1), *sn = a.ptr<float>(2);
  float *y = a.ptr<float>(3);
  int B = a.i32(4), H = a.i32(5), T = a.i32(6), Dh = a.i32(7), Bc = a.i32(8);
  if (!a.ok) return nullptr;
  if (B <= 0 || H <= 0 || T <= 0 || Dh <= 0) return undefined(env);
  if (Bc != 1 && Bc != B) Bc = 1;
  const long half = Dh / 2;
  /* one (b, head) slab at a time: [T, Dh] with the tables of batch row b */
  parallel_chunks((long)B * H, threads_for((long)B * H * T * Dh), [&](long s, long e, int) {
    for (long bh = s; bh < e; ++bh) {
      long b = bh / H;
      long tab = (Bc == 1 ? 0 : b) * T * half;
      long off = bh * T * Dh;
      qm_rope(x + off, cs + tab, sn + tab, y + off, 1, 1, T, Dh, 1);
    }
  });
  return undefined(env);
}

napi_value SwigluFwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 4);
  const float *g = a.ptr<float>(0), *u = a.ptr<float>(1);
  float *y = a.ptr<float>(2);
  long n = a.i32(3);
  if (!a.ok) return nullptr;
  int parts = threads_for(n);
  parallel_chunks(parts, parts, [&](long p, long, int) {
    long b = (n * p / parts) & ~15L, e = p + 1 == parts ? n : (n * (p + 1) / parts) & ~15L;
    if (e > b) qm_swiglu_fwd(g + b, u + b, y + b, (int)(e - b));
  });
  return undefined(env);
}

napi_value SwigluBwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 6);
  const float *dy = a.ptr<float>(0), *g = a.ptr<float>(1), *u = a.ptr<float>(2);
  float *dg = a.ptr<float>(3), *du = a.ptr<float>(4);
  long n = a.i32(5);
  if (!a.ok) return nullptr;
  int parts = threads_for(n);
  parallel_chunks(parts, parts, [&](long p, long, int) {
    long b = (n * p / parts) & ~15L, e = p + 1 == parts ? n : (n * (p + 1) / parts) & ~15L;
    if (e > b) qm_swiglu_bwd(dy + b, g + b, u + b, dg + b, du + b, (int)(e - b));
  });
  return undefined(env);
}

napi_value XentFwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 5);
  const float *logits = a.ptr<float>(0);
  const int *labels = a.ptr<int>(1);
  int N = a.i32(2), V = a.i32(3), ignore = a.i32(4);
  if (!a.ok) return nullptr;
  int parts = threads_for((long)N * V);
  if (parts <= 1 || N < parts) return number(env, qm_xent_fwd(logits, labels, N, V, ignore));
  /* per chunk: its mean and its kept count; the total is Σ mean_p count_p / Σ count_p */
  std::vector<double> mean(parts, 0.0);
  std::vector<long> count(parts, 0);
  parallel_chunks(N, parts, [&](long b, long e, int p) {
    for (long n = b; n < e; ++n) count[p] += labels[n] != ignore;
    mean[p] = count[p] == 0 ? 0.0 : (double)qm_xent_fwd(logits + b * V, labels + b, (int)(e - b), V, ignore);
  });
  double total = 0.0;
  long kept = 0;
  for (int p = 0; p < parts; ++p) {
    if (count[p] == 0) continue;
    total += mean[p] * (double)count[p];
    kept += count[p];
  }
  return number(env, kept == 0 ? 0.0 : (double)(float)(total / (double)kept));
}

napi_value XentBwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 7);
  float dy = a.f32(0);
  const float *logits = a.ptr<float>(1);
  const int *labels = a.ptr<int>(2);
  float *out = a.ptr<float>(3);
  int N = a.i32(4), V = a.i32(5), ignore = a.i32(6);
  if (!a.ok) return nullptr;
  if (N <= 0 || V <= 0) return undefined(env);
  long count = 0;
  for (int n = 0; n < N; ++n) count += labels[n] != ignore;
  /* each chunk gets dy scaled so that its own count reproduces dy / count */
  parallel_chunks(N, threads_for((long)N * V), [&](long b, long e, int) {
    long c = 0;
    for (long n = b; n < e; ++n) c += labels[n] != ignore;
    float scaled = count == 0 ? 0.f : (float)((double)dy * (double)c / (double)count);
    qm_xent_bwd(c == 0 ? 0.f : scaled, logits + b * V, labels + b, out + b * V, (int)(e - b), V, ignore);
  });
  return undefined(env);
}

napi_value TlpFwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 5);
  const float *logits = a.ptr<float>(0);
  const int *ids = a.ptr<int>(1);
  float *out = a.ptr<float>(2);
  int N = a.i32(3), V = a.i32(4);
  if (!a.ok) return nullptr;
  parallel_chunks(N, threads_for((long)N * V), [&](long b, long e, int) {
    qm_tlp_fwd(logits + b * V, ids + b, out + b, (int)(e - b), V);
  });
  return undefined(env);
}

napi_value TlpBwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 6);
  const float *dy = a.ptr<float>(0), *logits = a.ptr<float>(1);
  const int *ids = a.ptr<int>(2);
  float *out = a.ptr<float>(3);
  int N = a.i32(4), V = a.i32(5);
  if (!a.ok) return nullptr;
  parallel_chunks(N, threads_for((long)N * V), [&](long b, long e, int) {
    qm_tlp_bwd(dy + b, logits + b * V, ids + b, out + b * V, (int)(e - b), V);
  });
  return undefined(env);
}

napi_value AdamW(napi_env env, napi_callback_info info) {
  Args a(env, info, 15);
  const float *p = a.ptr<float>(0), *g = a.ptr<float>(1), *m = a.ptr<float>(2), *v = a.ptr<float>(3);
  float *po = a.ptr<float>(4), *mo = a.ptr<float>(5), *vo = a.ptr<float>(6);
  long n = a.i32(7);
  float lr = a.f32(8), b1 = a.f32(9), b2 = a.f32(10), eps = a.f32(11), wd = a.f32(12), bc1 = a.f32(13), bc2 = a.f32(14);
  if (!a.ok) return nullptr;
  int parts = threads_for(n);
  parallel_chunks(parts, parts, [&](long q, long, int) {
    long b = (n * q / parts) & ~15L, e = q + 1 == parts ? n : (n * (q + 1) / parts) & ~15L;
    if (e > b) qm_adamw(p + b, g + b, m + b, v + b, po + b, mo + b, vo + b, (int)(e - b), lr, b1, b2, eps, wd, bc1, bc2);
  });
  return undefined(env);
}

napi_value AttnScratchBytes(napi_env env, napi_callback_info info) {
  Args a(env, info, 2);
  int tk = a.i32(0), dh = a.i32(1);
  if (!a.ok) return nullptr;
  return number(env, qm_attn_scratch_bytes(tk, dh));
}

/* Per-thread scratch of the attention kernels (grown on demand, kept for the process). */
float *thread_scratch(int part, size_t bytes) {
  static std::vector<std::vector<float>> pool;
#pragma omp critical(qm_scratch)
  {
    if ((size_t)part >= pool.size()) pool.resize(part + 1);
    if (pool[part].size() * sizeof(float) < bytes) pool[part].resize(bytes / sizeof(float) + 16);
  }
  return pool[part].data();
}

bool attn_sizes_ok(int B, int Hq, int Hkv, int Tq, int Tk, int Dh) {
  return B > 0 && Hq > 0 && Hkv > 0 && Tq > 0 && Dh > 0 && Tk >= Tq && Hq % Hkv == 0;
}

/*
 * Runs f(bh, scratch) for every (batch, kv head) pair bh < B·Hkv, the pairs split across the threads (one
 * thread below the parallel threshold), each thread with its own attention scratch of `bytes`.
 */
template <typename F>
void for_each_kv_pair(int B, int Hq, int Hkv, int Tq, int Tk, int Dh, int bytes, F f) {
  const long pairs = (long)B * Hkv;
  int parts = threads_for((long)B * Hq * Tq * Tk * Dh / 8);
  for (int p = 0; p < (parts < pairs ? parts : (int)pairs); ++p) thread_scratch(p, bytes);
  parallel_chunks(pairs, parts, [&](long s, long e, int p) {
    float *scratch = thread_scratch(p, bytes);
    for (long bh = s; bh < e; ++bh) f(bh, scratch);
  });
}

napi_value AttnFwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 13);
  const float *q = a.ptr<float>(0), *k = a.ptr<float>(1), *v = a.ptr<float>(2), *mask = a.ptr<float>(3, true);
  float *out = a.ptr<float>(4);
  int B = a.i32(6), Hq = a.i32(7), Hkv = a.i32(8), Tq = a.i32(9), Tk = a.i32(10), Dh = a.i32(11);
  float scale = a.f32(12);
  if (!a.ok) return nullptr;
  int bytes = qm_attn_scratch_bytes(Tk, Dh);
  if (!attn_sizes_ok(B, Hq, Hkv, Tq, Tk, Dh) || bytes < 0) {
    /* the C kernel's own size handling (NaN outputs) on the caller's scratch */
    qm_attn_fwd(q, k, v, mask, out, a.ptr<float>(5), B, Hq, Hkv, Tq, Tk, Dh, scale);
    return undefined(env);
  }
  const int G = Hq / Hkv;
  const long kvs = (long)Tk * Dh, qs = (long)G * Tq * Dh;
  for_each_kv_pair(B, Hq, Hkv, Tq, Tk, Dh, bytes, [&](long bh, float *scratch) {
    const float *mk = mask ? mask + (bh / Hkv) * Tk : nullptr;
    qm_attn_fwd(q + bh * qs, k + bh * kvs, v + bh * kvs, mk, out + bh * qs, scratch, 1, G, 1, Tq, Tk, Dh, scale);
  });
  return undefined(env);
}

napi_value AttnBwd(napi_env env, napi_callback_info info) {
  Args a(env, info, 16);
  const float *dy = a.ptr<float>(0), *q = a.ptr<float>(1), *k = a.ptr<float>(2), *v = a.ptr<float>(3);
  const float *mask = a.ptr<float>(4, true);
  float *dq = a.ptr<float>(5), *dk = a.ptr<float>(6), *dv = a.ptr<float>(7);
  int B = a.i32(9), Hq = a.i32(10), Hkv = a.i32(11), Tq = a.i32(12), Tk = a.i32(13), Dh = a.i32(14);
  float scale = a.f32(15);
  if (!a.ok) return nullptr;
  int bytes = qm_attn_scratch_bytes(Tk, Dh);
  if (!attn_sizes_ok(B, Hq, Hkv, Tq, Tk, Dh) || bytes < 0) {
    qm_attn_bwd(dy, q, k, v, mask, dq, dk, dv, a.ptr<float>(8), B, Hq, Hkv, Tq, Tk, Dh, scale);
    return undefined(env);
  }
  const int G = Hq / Hkv;
  const long kvs = (long)Tk * Dh, qs = (long)G * Tq * Dh;
  for_each_kv_pair(B, Hq, Hkv, Tq, Tk, Dh, bytes, [&](long bh, float *scratch) {
    const float *mk = mask ? mask + (bh / Hkv) * Tk : nullptr;
    qm_attn_bwd(dy + bh * qs, q + bh * qs, k + bh * kvs, v + bh * kvs, mk, dq + bh * qs, dk + bh * kvs, dv + bh * kvs,
                scratch, 1, G, 1, Tq, Tk, Dh, scale);
  });
  return undefined(env);
}

#include "softmax-napi.h"
#include "elementwise-napi.h"

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      QM_FN("setHeap", SetHeap),
      QM_FN("setThreads", SetThreads),
      QM_FN("info", Info),
      QM_FN("gemm", Gemm),
      QM_FN("qm_rmsnorm_fwd", RmsNormFwd),
      QM_FN("qm_rmsnorm_bwd", RmsNormBwd),
      QM_FN("qm_rope", Rope),
      QM_FN("qm_swiglu_fwd", SwigluFwd),
      QM_FN("qm_swiglu_bwd", SwigluBwd),
      QM_FN("qm_xent_fwd", XentFwd),
      QM_FN("qm_xent_bwd", XentBwd),
      QM_FN("qm_tlp_fwd", TlpFwd),
      QM_FN("qm_tlp_bwd", TlpBwd),
      QM_FN("qm_adamw", AdamW),
      QM_FN("qm_attn_scratch_bytes", AttnScratchBytes),
      QM_FN("qm_attn_fwd", AttnFwd),
      QM_FN("qm_attn_bwd", AttnBwd),
      QM_SOFTMAX_PROPS
      QM_ELEMENTWISE_PROPS
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
