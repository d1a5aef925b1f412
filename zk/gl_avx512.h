/*
 * AVX-512 Goldilocks arithmetic, eight lanes (internal to zk/ and prover/):
 * the same canonical results as zkr_gl_add/sub/mul (the identical
 * reduction, lane by lane), so a proof's bytes do not depend on which path
 * ran. Include only from x86-64 GCC/Clang code, inside functions compiled
 * with ZKR_AVX512 and called after an AVX-512F check.
 */
#ifndef ZKR_GL_AVX512_H
#define ZKR_GL_AVX512_H

#include <immintrin.h>

#include "zk/zk.h"

#ifndef ZKR_AVX512
#define ZKR_AVX512 __attribute__((target("avx512f")))
#endif

ZKR_AVX512 static inline __attribute__((always_inline)) __m512i zkr_v_canon(__m512i x)
{
    __m512i p = _mm512_set1_epi64((long long)ZKR_GL_P);
    return _mm512_mask_sub_epi64(x, _mm512_cmpge_epu64_mask(x, p), x, p);
}

ZKR_AVX512 static inline __attribute__((always_inline)) __m512i zkr_v_add(__m512i a, __m512i b)
{
    __m512i s = _mm512_add_epi64(a, b), eps = _mm512_set1_epi64((long long)ZKR_GL_EPS);
    s = _mm512_mask_add_epi64(s, _mm512_cmplt_epu64_mask(s, a), s, eps);
    return zkr_v_canon(s);
}

ZKR_AVX512 static inline __attribute__((always_inline)) __m512i zkr_v_sub(__m512i a, __m512i b)
{
    __m512i d = _mm512_sub_epi64(a, b), eps = _mm512_set1_epi64((long long)ZKR_GL_EPS);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, eps);
}

/* The 128-bit product from four 32x32 products, then zkr_gl_reduce128. */
ZKR_AVX512 static inline __attribute__((always_inline)) __m512i zkr_v_mul(__m512i a, __m512i b)
{
    __m512i m32 = _mm512_set1_epi64((long long)ZKR_GL_EPS);
    __m512i ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
    __m512i t0 = _mm512_mul_epu32(a, b), t1 = _mm512_mul_epu32(ah, b);
    __m512i t2 = _mm512_mul_epu32(a, bh), t3 = _mm512_mul_epu32(ah, bh);
    __m512i mid = _mm512_add_epi64(t1, _mm512_srli_epi64(t0, 32));    /* < 2^64 */
    __m512i mid2 = _mm512_add_epi64(t2, _mm512_and_si512(mid, m32)); /* < 2^64 */
    __m512i hi = _mm512_add_epi64(t3, _mm512_add_epi64(_mm512_srli_epi64(mid, 32),
                                                       _mm512_srli_epi64(mid2, 32)));
    __m512i lo = _mm512_or_si512(_mm512_slli_epi64(mid2, 32), _mm512_and_si512(t0, m32));
    __m512i hh = _mm512_srli_epi64(hi, 32), hl = _mm512_and_si512(hi, m32);
    __m512i r0 = _mm512_sub_epi64(lo, hh);
    __m512i r1 = _mm512_sub_epi64(_mm512_slli_epi64(hl, 32), hl); /* hl * EPS */
    __m512i r2;

    r0 = _mm512_mask_sub_epi64(r0, _mm512_cmplt_epu64_mask(lo, hh), r0, m32);
    r2 = _mm512_add_epi64(r0, r1);
    r2 = _mm512_mask_add_epi64(r2, _mm512_cmplt_epu64_mask(r2, r1), r2, m32);
    return zkr_v_canon(r2);
}

#endif
