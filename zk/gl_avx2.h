/*
 * AVX2 Goldilocks arithmetic, four lanes (internal to zk/): the same
 * canonical results as zkr_gl_add/sub/mul (the identical reduction, lane by
 * lane), so a proof's bytes do not depend on which path ran. For CPUs
 * without AVX-512F (zk/gl_avx512.h is the eight-lane twin). Include only
 * from x86-64 GCC/Clang code, inside functions compiled with ZKR_AVX2 and
 * called after an AVX2 check.
 *
 * AVX2 has no unsigned 64-bit compare: x < y unsigned is
 * (y ^ 2^63) > (x ^ 2^63) signed, an all-ones lane where true, which the
 * reductions AND with the constant to subtract or add (no mask registers).
 */
#ifndef ZKR_GL_AVX2_H
#define ZKR_GL_AVX2_H

#include <immintrin.h>

#include "zk/zk.h"

#ifndef ZKR_AVX2
#define ZKR_AVX2 __attribute__((target("avx2")))
#endif

#define ZKR_AVX2_INLINE ZKR_AVX2 static inline __attribute__((always_inline))

/* All ones in the lanes where x < y as unsigned 64-bit integers. */
ZKR_AVX2_INLINE __m256i zkr_v4_ltu(__m256i x, __m256i y)
{
    __m256i sign = _mm256_set1_epi64x(INT64_MIN);
    return _mm256_cmpgt_epi64(_mm256_xor_si256(y, sign), _mm256_xor_si256(x, sign));
}

ZKR_AVX2_INLINE __m256i zkr_v4_canon(__m256i x)
{
    __m256i p = _mm256_set1_epi64x((long long)ZKR_GL_P);
    return _mm256_sub_epi64(x, _mm256_andnot_si256(zkr_v4_ltu(x, p), p));
}

ZKR_AVX2_INLINE __m256i zkr_v4_add(__m256i a, __m256i b)
{
    __m256i s = _mm256_add_epi64(a, b), eps = _mm256_set1_epi64x((long long)ZKR_GL_EPS);
    s = _mm256_add_epi64(s, _mm256_and_si256(zkr_v4_ltu(s, a), eps));
    return zkr_v4_canon(s);
}

ZKR_AVX2_INLINE __m256i zkr_v4_sub(__m256i a, __m256i b)
{
    __m256i d = _mm256_sub_epi64(a, b), eps = _mm256_set1_epi64x((long long)ZKR_GL_EPS);
    return _mm256_sub_epi64(d, _mm256_and_si256(zkr_v4_ltu(a, b), eps));
}

/*
 * The DIF/DIT butterfly's sum and difference of canonical a and b at once,
 * the same words as zkr_v4_add and zkr_v4_sub on canonical inputs, in 11
 * operations, not 17: a + b mod p is a - (p - b), plus p where that
 * borrows (p - b is in [1, p], so a - (p - b) is in (-p, p) and one
 * correction lands it in [0, p): no separate canonical step); both
 * compares share a's sign flip, and (p - b) ^ 2^63 is (p ^ 2^63) - b.
 * Canonical inputs only (a non-canonical b wraps p - b).
 */
ZKR_AVX2_INLINE void zkr_v4_addsub(__m256i a, __m256i b, __m256i *sum, __m256i *diff)
{
    __m256i sign = _mm256_set1_epi64x(INT64_MIN), eps = _mm256_set1_epi64x((long long)ZKR_GL_EPS);
    __m256i p = _mm256_set1_epi64x((long long)ZKR_GL_P);
    __m256i p_s = _mm256_set1_epi64x((long long)(ZKR_GL_P ^ (UINT64_C(1) << 63)));
    __m256i a_s = _mm256_xor_si256(a, sign), b_s = _mm256_xor_si256(b, sign);
    __m256i nb_s = _mm256_sub_epi64(p_s, b);
    __m256i d = _mm256_sub_epi64(a, b);

    *sum = _mm256_add_epi64(_mm256_sub_epi64(a_s, nb_s),
                            _mm256_and_si256(_mm256_cmpgt_epi64(nb_s, a_s), p));
    *diff = _mm256_sub_epi64(d, _mm256_and_si256(_mm256_cmpgt_epi64(b_s, a_s), eps));
}

/*
 * The 128-bit product from four 32x32 products, then zkr_gl_reduce128 with
 * t0, t2 and the final compare in the sign-flipped domain (x ^ 2^63 is
 * x + 2^63: adding and subtracting commute with the flip), so that only
 * lo and the result pay the flip: a compare cut from five xors to two.
 */
ZKR_AVX2_INLINE __m256i zkr_v4_mul(__m256i a, __m256i b)
{
    __m256i m32 = _mm256_set1_epi64x((long long)ZKR_GL_EPS);
    __m256i sign = _mm256_set1_epi64x(INT64_MIN);
    __m256i p_s = _mm256_set1_epi64x((long long)(ZKR_GL_P ^ (UINT64_C(1) << 63)));
    /* the high halves by a dword shuffle, not a shift: _mm256_mul_epu32 reads
     * only the low dword, and shuffles leave the shift unit to the rest */
    __m256i ah = _mm256_shuffle_epi32(a, 0xf5), bh = _mm256_shuffle_epi32(b, 0xf5);
    __m256i t0 = _mm256_mul_epu32(a, b), t1 = _mm256_mul_epu32(ah, b);
    __m256i t2 = _mm256_mul_epu32(a, bh), t3 = _mm256_mul_epu32(ah, bh);
    __m256i mid = _mm256_add_epi64(t1, _mm256_srli_epi64(t0, 32));    /* < 2^64 */
    __m256i mid2 = _mm256_add_epi64(t2, _mm256_and_si256(mid, m32)); /* < 2^64 */
    __m256i hi = _mm256_add_epi64(t3, _mm256_add_epi64(_mm256_srli_epi64(mid, 32),
                                                       _mm256_srli_epi64(mid2, 32)));
    /* lo: t0's low dword under mid2's low dword (moved up by a shuffle, blended in) */
    __m256i lo = _mm256_blend_epi32(t0, _mm256_shuffle_epi32(mid2, 0xa0), 0xaa);
    __m256i lo_s = _mm256_xor_si256(lo, sign), hh = _mm256_srli_epi64(hi, 32);
    __m256i r1 = _mm256_mul_epu32(hi, m32); /* (hi mod 2^32) * EPS: the low half only */
    __m256i r0_s = _mm256_sub_epi64(lo_s, hh), r2_s;

    /* lo < hh: hh < 2^32, so lo - hh wrapped exactly when it came out above lo */
    r0_s = _mm256_sub_epi64(r0_s, _mm256_and_si256(_mm256_cmpgt_epi64(r0_s, lo_s), m32));
    r2_s = _mm256_add_epi64(r0_s, r1);
    /* r0 + r1 wrapped exactly when the sum came out below r0 */
    r2_s = _mm256_add_epi64(r2_s, _mm256_and_si256(_mm256_cmpgt_epi64(r0_s, r2_s), m32));
    r2_s = _mm256_sub_epi64(r2_s, _mm256_andnot_si256(_mm256_cmpgt_epi64(p_s, r2_s),
                                                      _mm256_set1_epi64x((long long)ZKR_GL_P)));
    return _mm256_xor_si256(r2_s, sign);
}

#endif
