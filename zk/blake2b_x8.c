/*
 * Eight BLAKE2b-256 hashes at once, one per AVX-512 lane (zk/blake2b_x8.h):
 * RFC 7693's compression, lane by lane, so every digest equals libsodium's
 * crypto_generichash_blake2b with the same personalization (unkeyed, zero
 * salt). The Merkle trees' leaves and nodes are independent messages of one
 * length: hashing them side by side is the commitments' main cost.
 */
#include <string.h>

#include "zk/blake2b_x8.h"
#include "zk/zk_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ZKR_B2B_AVX512 1
#include <immintrin.h>
#else
#define ZKR_B2B_AVX512 0
#endif

#if ZKR_B2B_AVX512
static const uint64_t zkr_b2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const uint8_t zkr_b2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

#define ZKR_B2B_TARGET __attribute__((target("avx512f")))

#define ZKR_B2B_G(a, b, c, d, x, y)                                                               \
    do {                                                                                           \
        a = _mm512_add_epi64(_mm512_add_epi64(a, b), x);                                           \
        d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32);                                          \
        c = _mm512_add_epi64(c, d);                                                                \
        b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24);                                          \
        a = _mm512_add_epi64(_mm512_add_epi64(a, b), y);                                           \
        d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16);                                          \
        c = _mm512_add_epi64(c, d);                                                                \
        b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63);                                          \
    } while (0)

/* One compression of eight lanes: t the bytes so far (all lanes alike), last the final block. */
ZKR_B2B_TARGET static void zkr_b2b_x8_compress(__m512i h[8], const __m512i m[16], uint64_t t,
                                               int last)
{
    __m512i v[16];

    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = _mm512_set1_epi64((long long)zkr_b2b_iv[i]);
    }
    v[12] = _mm512_xor_si512(v[12], _mm512_set1_epi64((long long)t));
    if (last)
        v[14] = _mm512_xor_si512(v[14], _mm512_set1_epi64(-1));
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = zkr_b2b_sigma[r];
        ZKR_B2B_G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
        ZKR_B2B_G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
        ZKR_B2B_G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
        ZKR_B2B_G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
        ZKR_B2B_G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
        ZKR_B2B_G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
        ZKR_B2B_G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
        ZKR_B2B_G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        h[i] = _mm512_xor_si512(h[i], _mm512_xor_si512(v[i], v[i + 8]));
}

/* The parameter block's state: 32-byte digest, no key, fanout 1, depth 1, zero salt, pers. */
ZKR_B2B_TARGET static void zkr_b2b_x8_init(__m512i h[8], const uint8_t pers[16])
{
    uint64_t p0, p1;

    memcpy(&p0, pers, 8);
    memcpy(&p1, pers + 8, 8);
    for (int i = 0; i < 8; i++)
        h[i] = _mm512_set1_epi64((long long)zkr_b2b_iv[i]);
    h[0] = _mm512_xor_si512(h[0], _mm512_set1_epi64(0x01010000LL | 32));
    h[6] = _mm512_xor_si512(h[6], _mm512_set1_epi64((long long)p0));
    h[7] = _mm512_xor_si512(h[7], _mm512_set1_epi64((long long)p1));
}

/* Lane i's digest: the state's first four words, little-endian (x86-64). */
ZKR_B2B_TARGET static void zkr_b2b_x8_out(const __m512i h[8], uint8_t (*out)[32])
{
    uint64_t w[4][8];

    for (int k = 0; k < 4; k++)
        _mm512_storeu_si512((void *)w[k], h[k]);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++)
            memcpy(out[i] + 8 * k, &w[k][i], 8);
}

ZKR_B2B_TARGET static void zkr_b2b_x8_leaves_avx512(const uint8_t pers[16],
                                                     const uint8_t *salts, const uint64_t *words,
                                                     size_t stride, size_t n,
                                                     uint8_t (*out)[32])
{
    size_t total = 16 + 8 * n, blocks = (total + 127) / 128;
    __m512i h[8], m[16], salt[2];
    __m512i idx = _mm512_set_epi64((long long)(7 * stride * 8), (long long)(6 * stride * 8),
                                   (long long)(5 * stride * 8), (long long)(4 * stride * 8),
                                   (long long)(3 * stride * 8), (long long)(2 * stride * 8),
                                   (long long)(stride * 8), 0);

    for (int k = 0; k < 2; k++) {
        uint64_t s[8];
        for (int i = 0; i < 8; i++)
            memcpy(&s[i], salts + 16 * i + 8 * k, 8);
        salt[k] = _mm512_loadu_si512((const void *)s);
    }
    zkr_b2b_x8_init(h, pers);
    for (size_t b = 0; b < blocks; b++) {
        for (size_t k = 0; k < 16; k++) {
            size_t gw = 16 * b + k; /* message word: salt words 0, 1, then the leaf's */
            if (gw < 2)
                m[k] = salt[gw];
            else if (gw - 2 < n)
                m[k] = _mm512_i64gather_epi64(idx, (const void *)(words + (gw - 2)), 1);
            else
                m[k] = _mm512_setzero_si512();
        }
        zkr_b2b_x8_compress(h, m, b + 1 == blocks ? total : 128 * (b + 1), b + 1 == blocks);
    }
    zkr_b2b_x8_out(h, out);
}

ZKR_B2B_TARGET static void zkr_b2b_x8_64_avx512(const uint8_t pers[16], const uint8_t *in,
                                                uint8_t (*out)[32])
{
    __m512i h[8], m[16];
    __m512i idx = _mm512_set_epi64(7 * 64, 6 * 64, 5 * 64, 4 * 64, 3 * 64, 2 * 64, 64, 0);

    for (int k = 0; k < 8; k++)
        m[k] = _mm512_i64gather_epi64(idx, (const void *)(in + 8 * k), 1);
    for (int k = 8; k < 16; k++)
        m[k] = _mm512_setzero_si512();
    zkr_b2b_x8_init(h, pers);
    zkr_b2b_x8_compress(h, m, 64, 1);
    zkr_b2b_x8_out(h, out);
}
#endif

int zkr_b2b_x8_available(void)
{
#if ZKR_B2B_AVX512
    return zkr_cpu_avx512f();
#else
    return 0;
#endif
}

void zkr_b2b_x8_leaves(const uint8_t pers[16], const uint8_t *salts, const uint64_t *words,
                       size_t stride, size_t n, uint8_t (*out)[32])
{
#if ZKR_B2B_AVX512
    zkr_b2b_x8_leaves_avx512(pers, salts, words, stride, n, out);
#else
    (void)pers, (void)salts, (void)words, (void)stride, (void)n, (void)out;
#endif
}

void zkr_b2b_x8_64(const uint8_t pers[16], const uint8_t *in, uint8_t (*out)[32])
{
#if ZKR_B2B_AVX512
    zkr_b2b_x8_64_avx512(pers, in, out);
#else
    (void)pers, (void)in, (void)out;
#endif
}
