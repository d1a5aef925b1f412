/*
 * SHA-256 compression with the x86 SHA extensions (SHA-NI), used by
 * common/hash.c when the CPU has them: record commitments hash every
 * record of a dataset (10,000 x 785 bytes for an evaluation proof), where
 * libsodium's portable compression costs 31-37 CPU-ms and this one 6-7.
 * The digests are SHA-256's (FIPS 180-4); tests/common compares them
 * with libsodium's for every length up to several blocks and every split
 * of the incremental interface.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sha256_ni.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t zkr_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static int zkr_sha256_ni_detect(void)
{
    unsigned a, b, c, d;

    /*
     * CPUID itself, not __builtin_cpu_supports: clang (the AFL++ build's
     * compiler) has no "sha" feature string there. Leaf 1 ECX: SSSE3 bit 9,
     * SSE4.1 bit 19; leaf 7 subleaf 0 EBX: SHA bit 29.
     */
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << 29)) != 0;
}

int zkr_sha256_ni_available(void)
{
    /*
     * Cached: every hash call asks, and CPUID traps to the hypervisor in a
     * virtual machine (microseconds each); uncached it took 89 % of a
     * training-step proof's CPU time here. The one exception to "no global
     * mutable state", like sodium_init(): it caches a fact of the CPU that
     * never changes, and a race only makes two threads both detect it.
     */
    static _Atomic int cached = -1;
    int v = atomic_load_explicit(&cached, memory_order_relaxed);

    if (v < 0) {
        v = zkr_sha256_ni_detect();
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return v;
}

/*
 * The state lives as (A, B, E, F) and (C, D, G, H), the layout sha256rnds2
 * works on; each call does two rounds, so four message words take two calls.
 * The schedule keeps the last four groups of four words in m[].
 */
__attribute__((target("sha,sse4.1,ssse3"))) void
zkr_sha256_ni_blocks(uint32_t st[8], const uint8_t *p, size_t n_blocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i t = _mm_loadu_si128((const __m128i *)(const void *)&st[0]);   /* A B C D */
    __m128i s1 = _mm_loadu_si128((const __m128i *)(const void *)&st[4]);  /* E F G H */
    __m128i s0;

    t = _mm_shuffle_epi32(t, 0xB1);
    s1 = _mm_shuffle_epi32(s1, 0x1B);
    s0 = _mm_alignr_epi8(t, s1, 8);     /* A B E F */
    s1 = _mm_blend_epi16(s1, t, 0xF0);  /* C D G H */
    for (; n_blocks > 0; n_blocks--, p += 64) {
        __m128i save0 = s0, save1 = s1, m[4];
        for (int i = 0; i < 4; i++)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
                                    bswap);
        for (int g = 0; g < 16; g++) {
            __m128i k = _mm_loadu_si128((const __m128i *)(const void *)&zkr_sha256_k[4 * g]);
            __m128i msg = _mm_add_epi32(m[g & 3], k);
            s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
            if (g < 12) {
                /* W[4(g+4)..] from groups g .. g+3: msg1, the W[t-7] words, msg2. */
                __m128i w = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
                w = _mm_add_epi32(w, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
                m[g & 3] = _mm_sha256msg2_epu32(w, m[(g + 3) & 3]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0E);
            s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);    /* F E B A */
    s1 = _mm_shuffle_epi32(s1, 0xB1);   /* D C H G */
    s0 = _mm_blend_epi16(t, s1, 0xF0);  /* D C B A */
    s1 = _mm_alignr_epi8(s1, t, 8);     /* H G F E */
    _mm_storeu_si128((__m128i *)(void *)&st[0], s0);
    _mm_storeu_si128((__m128i *)(void *)&st[4], s1);
}

#else

int zkr_sha256_ni_available(void)
{
    return 0;
}

void zkr_sha256_ni_blocks(uint32_t st[8], const uint8_t *p, size_t n_blocks)
{
    (void)st;
    (void)p;
    (void)n_blocks;
    abort(); /* never called: zkr_sha256_ni_available() is 0 */
}

#endif
