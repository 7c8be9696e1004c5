/* The name of the instruction set the addon was compiled for (reported by info().isa). */
#ifndef QM_NATIVE_ISA_H
#define QM_NATIVE_ISA_H

#if defined(__AVX512F__)
#define QM_ISA_NAME "avx512f"
#elif defined(__AVX2__) && defined(__FMA__)
#define QM_ISA_NAME "avx2+fma"
#elif defined(__AVX__)
#define QM_ISA_NAME "avx"
#elif defined(__ARM_NEON)
#define QM_ISA_NAME "neon"
#elif defined(__SSE2__)
#define QM_ISA_NAME "sse2"
#else
#define QM_ISA_NAME "portable"
#endif

#endif
