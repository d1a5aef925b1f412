/*
 * Eight BLAKE2b-256 hashes at once (RFC 7693), one message per 64-bit lane
 * of AVX-512 registers, or of two rounds of AVX2 registers (four lanes
 * each) where the CPU has AVX2 but not AVX-512F: the same digests as
 * libsodium's crypto_generichash_blake2b_salt_personal with no key and no
 * salt, for the prover's and verifier's bulk hashing (Merkle leaves and
 * nodes, proof-of-work nonces), where one hash at a time leaves the vector
 * units idle and pays libsodium's per-call set-up. The callers keep the
 * libsodium path where neither is there (zkr_b2x8_ok 0), so a proof's
 * bytes never depend on the path.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "zk/zk_int.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define ZKR_B2_AVX512 __attribute__((target("avx512f")))
#define ZKR_B2_AVX2 __attribute__((target("avx2")))
#define ZKR_NO_ASAN __attribute__((no_sanitize_address))

static const uint64_t zkr_b2_iv[8] = {
    UINT64_C(0x6a09e667f3bcc908), UINT64_C(0xbb67ae8584caa73b), UINT64_C(0x3c6ef372fe94f82b),
    UINT64_C(0xa54ff53a5f1d36f1), UINT64_C(0x510e527fade682d1), UINT64_C(0x9b05688c2b3e6c1f),
    UINT64_C(0x1f83d9abfb41bd6b), UINT64_C(0x5be0cd19137e2179)};

static const uint8_t zkr_b2_sigma[12][16] = {
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

int zkr_b2x8_ok(void)
{
    return zkr_cpu_avx512f() ? ZKR_B2X8_AVX512 : zkr_cpu_avx2() ? ZKR_B2X8_AVX2 : 0;
}

/* BLAKE2b's twelve rounds on the working vectors v with the message vectors m, G one lane width's. */
#define ZKR_B2_ROUNDS(G, v, m)                                                                 \
    do {                                                                                       \
        for (unsigned r = 0; r < 12; r++) {                                                    \
            const uint8_t *s = zkr_b2_sigma[r];                                                \
            G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);                                      \
            G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);                                      \
            G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);                                     \
            G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);                                     \
            G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);                                     \
            G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);                                   \
            G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);                                    \
            G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);                                    \
        }                                                                                      \
    } while (0)

#define ZKR_B2_G(a, b, c, d, x, y)                                                             \
    do {                                                                                       \
        a = _mm512_add_epi64(_mm512_add_epi64(a, b), x);                                       \
        d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32);                                      \
        c = _mm512_add_epi64(c, d);                                                            \
        b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24);                                      \
        a = _mm512_add_epi64(_mm512_add_epi64(a, b), y);                                       \
        d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16);                                      \
        c = _mm512_add_epi64(c, d);                                                            \
        b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63);                                      \
    } while (0)

/*
 * One compression of the eight states h by the eight blocks m; t bytes so
 * far, last block. Left out of AddressSanitizer: it touches only its
 * fixed-size arguments and locals, indexed by the constant sigma table
 * (0..15), and instrumenting its register-array traffic made the sanitizer
 * test build spend most of its time here (proof-of-work).
 */
ZKR_B2_AVX512 ZKR_NO_ASAN static void zkr_b2x8_compress(__m512i h[8], const __m512i m[16], uint64_t t,
                                            int last)
{
    __m512i v[16];

    for (unsigned i = 0; i < 8; i++) {
        v[i] = h[i];
        v[8 + i] = _mm512_set1_epi64((long long)zkr_b2_iv[i]);
    }
    v[12] = _mm512_xor_si512(v[12], _mm512_set1_epi64((long long)t));
    if (last)
        v[14] = _mm512_xor_si512(v[14], _mm512_set1_epi64(-1));
    ZKR_B2_ROUNDS(ZKR_B2_G, v, m);
    for (unsigned i = 0; i < 8; i++)
        h[i] = _mm512_xor_si512(h[i], _mm512_xor_si512(v[i], v[8 + i]));
}

/* The eight states after the parameter block (digest 32 bytes, no key, fanout 1, depth 1). */
ZKR_B2_AVX512 static void zkr_b2x8_init(__m512i h[8], const uint8_t pers[16])
{
    for (unsigned i = 0; i < 8; i++)
        h[i] = _mm512_set1_epi64((long long)zkr_b2_iv[i]);
    h[0] = _mm512_xor_si512(h[0], _mm512_set1_epi64(0x01010000 | ZKR_DIGEST_BYTES));
    h[6] = _mm512_xor_si512(h[6], _mm512_set1_epi64((long long)zkr_load_le64(pers)));
    h[7] = _mm512_xor_si512(h[7], _mm512_set1_epi64((long long)zkr_load_le64(pers + 8)));
}

ZKR_B2_AVX512 static void zkr_b2x8_avx512(const uint8_t pers[16], const uint8_t *const msg[8],
                                          size_t len, uint8_t out[8][ZKR_DIGEST_BYTES])
{
    __m512i h[8], m[16];
    uint64_t lane[16][8], hv[4][8];
    size_t nb = len ? (len + 127) / 128 : 1;

    zkr_b2x8_init(h, pers);
    for (size_t b = 0; b < nb; b++) {
        size_t off = b * 128, bl = len - off < 128 ? len - off : 128;
        if (bl % 8 == 0) {
            /* Whole words: word w of the eight messages by one gather (lane l's
             * address msg[l] + off + 8 w; x86-64: little-endian words as they
             * lie), the block's words past the message zero. */
            __m512i at = _mm512_set_epi64(
                (long long)(uintptr_t)(msg[7] + off), (long long)(uintptr_t)(msg[6] + off),
                (long long)(uintptr_t)(msg[5] + off), (long long)(uintptr_t)(msg[4] + off),
                (long long)(uintptr_t)(msg[3] + off), (long long)(uintptr_t)(msg[2] + off),
                (long long)(uintptr_t)(msg[1] + off), (long long)(uintptr_t)(msg[0] + off));
            for (unsigned w = 0; w < 16; w++)
                m[w] = w < bl / 8 ? _mm512_i64gather_epi64(
                                        _mm512_add_epi64(at, _mm512_set1_epi64(8 * (long long)w)),
                                        (const void *)0, 1)
                                  : _mm512_setzero_si512();
        } else {
            for (unsigned l = 0; l < 8; l++) {
                uint64_t blk[16] = {0}; /* a last block of part words, zero-padded */
                memcpy(blk, msg[l] + off, bl);
                for (unsigned w = 0; w < 16; w++)
                    lane[w][l] = blk[w];
                sodium_memzero(blk, sizeof blk); /* message bytes may be salts or witness words */
            }
            for (unsigned w = 0; w < 16; w++)
                m[w] = _mm512_loadu_si512((const void *)lane[w]);
            sodium_memzero(lane, sizeof lane);
        }
        zkr_b2x8_compress(h, m, off + bl, b + 1 == nb);
    }
    for (unsigned i = 0; i < 4; i++)
        _mm512_storeu_si512((void *)hv[i], h[i]);
    for (unsigned l = 0; l < 8; l++)
        for (unsigned i = 0; i < 4; i++)
            zkr_store_le64(out[l] + 8 * i, hv[i][l]);
}

/* ---- AVX2: four lanes a compression; rotations by byte shuffles, 63 as >> 63 | x + x ---- */

ZKR_B2_AVX2 static inline __attribute__((always_inline)) __m256i zkr_b4_ror32(__m256i x)
{
    return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
}

ZKR_B2_AVX2 static inline __attribute__((always_inline)) __m256i zkr_b4_ror24(__m256i x)
{
    const __m256i k = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4,
                                       5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    return _mm256_shuffle_epi8(x, k);
}

ZKR_B2_AVX2 static inline __attribute__((always_inline)) __m256i zkr_b4_ror16(__m256i x)
{
    const __m256i k = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3,
                                       4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    return _mm256_shuffle_epi8(x, k);
}

ZKR_B2_AVX2 static inline __attribute__((always_inline)) __m256i zkr_b4_ror63(__m256i x)
{
    return _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

#define ZKR_B4_G(a, b, c, d, x, y)                                                             \
    do {                                                                                       \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), x);                                       \
        d = zkr_b4_ror32(_mm256_xor_si256(d, a));                                              \
        c = _mm256_add_epi64(c, d);                                                            \
        b = zkr_b4_ror24(_mm256_xor_si256(b, c));                                              \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), y);                                       \
        d = zkr_b4_ror16(_mm256_xor_si256(d, a));                                              \
        c = _mm256_add_epi64(c, d);                                                            \
        b = zkr_b4_ror63(_mm256_xor_si256(b, c));                                              \
    } while (0)

/* zkr_b2x8_compress over four lanes (left out of AddressSanitizer for the same reason). */
ZKR_B2_AVX2 ZKR_NO_ASAN static void zkr_b2x4_compress(__m256i h[8], const __m256i m[16], uint64_t t,
                                                       int last)
{
    __m256i v[16];

    for (unsigned i = 0; i < 8; i++) {
        v[i] = h[i];
        v[8 + i] = _mm256_set1_epi64x((long long)zkr_b2_iv[i]);
    }
    v[12] = _mm256_xor_si256(v[12], _mm256_set1_epi64x((long long)t));
    if (last)
        v[14] = _mm256_xor_si256(v[14], _mm256_set1_epi64x(-1));
    ZKR_B2_ROUNDS(ZKR_B4_G, v, m);
    for (unsigned i = 0; i < 8; i++)
        h[i] = _mm256_xor_si256(h[i], _mm256_xor_si256(v[i], v[8 + i]));
}

ZKR_B2_AVX2 static void zkr_b2x4_init(__m256i h[8], const uint8_t pers[16])
{
    for (unsigned i = 0; i < 8; i++)
        h[i] = _mm256_set1_epi64x((long long)zkr_b2_iv[i]);
    h[0] = _mm256_xor_si256(h[0], _mm256_set1_epi64x(0x01010000 | ZKR_DIGEST_BYTES));
    h[6] = _mm256_xor_si256(h[6], _mm256_set1_epi64x((long long)zkr_load_le64(pers)));
    h[7] = _mm256_xor_si256(h[7], _mm256_set1_epi64x((long long)zkr_load_le64(pers + 8)));
}

/* The little-endian word at p, as it lies (x86-64), inlined: zkr_load_le64 is a call. */
static inline long long zkr_b4_word(const uint8_t *p)
{
    long long x;

    memcpy(&x, p, sizeof x);
    return x;
}

/* Four messages of len bytes into out[0..4). */
ZKR_B2_AVX2 static void zkr_b2x4_avx2(const uint8_t pers[16], const uint8_t *const msg[4],
                                      size_t len, uint8_t out[4][ZKR_DIGEST_BYTES])
{
    __m256i h[8], m[16];
    uint64_t lane[16][4], hv[4][4];
    size_t nb = len ? (len + 127) / 128 : 1;

    zkr_b2x4_init(h, pers);
    for (size_t b = 0; b < nb; b++) {
        size_t off = b * 128, bl = len - off < 128 ? len - off : 128;
        if (bl % 8 == 0) {
            /* whole words (Merkle leaves and nodes): word w of the four messages straight
             * into one register, the block's words past the message zero */
            for (unsigned w = 0; w < 16; w++)
                m[w] = w < bl / 8 ? _mm256_set_epi64x(zkr_b4_word(msg[3] + off + 8 * w),
                                                      zkr_b4_word(msg[2] + off + 8 * w),
                                                      zkr_b4_word(msg[1] + off + 8 * w),
                                                      zkr_b4_word(msg[0] + off + 8 * w))
                                  : _mm256_setzero_si256();
        } else {
            for (unsigned l = 0; l < 4; l++) {
                uint64_t blk[16] = {0}; /* a last block of part words, zero-padded */
                memcpy(blk, msg[l] + off, bl);
                for (unsigned w = 0; w < 16; w++)
                    lane[w][l] = blk[w];
                sodium_memzero(blk, sizeof blk); /* message bytes may be salts or witness words */
            }
            for (unsigned w = 0; w < 16; w++)
                m[w] = _mm256_loadu_si256((const void *)lane[w]);
            sodium_memzero(lane, sizeof lane);
        }
        zkr_b2x4_compress(h, m, off + bl, b + 1 == nb);
    }
    for (unsigned i = 0; i < 4; i++)
        _mm256_storeu_si256((void *)hv[i], h[i]);
    for (unsigned l = 0; l < 4; l++)
        for (unsigned i = 0; i < 4; i++)
            zkr_store_le64(out[l] + 8 * i, hv[i][l]);
}

void zkr_b2x8(int path, const uint8_t pers[16], const uint8_t *const msg[8], size_t len,
              uint8_t out[8][ZKR_DIGEST_BYTES])
{
    if (path == ZKR_B2X8_AVX512) {
        zkr_b2x8_avx512(pers, msg, len, out);
        return;
    }
    zkr_b2x4_avx2(pers, msg, len, out);
    zkr_b2x4_avx2(pers, msg + 4, len, out + 4);
}

/*
 * The messages prefix || le64(nonce) are one block whose words differ only
 * in word 4, so the lanes are built in registers and only each digest's
 * first word is tested: no message copies, gathers or digest stores (the
 * sanitizer builds instrument each of those, and proof-of-work dominates
 * their run time).
 */
ZKR_B2_AVX512 static uint64_t zkr_b2x8_pow_avx512(const uint8_t pers[16],
                                                  const uint8_t prefix[ZKR_DIGEST_BYTES],
                                                  uint64_t lo, uint64_t groups, uint64_t zero_mask)
{
    __m512i h0[8], h[8], m[16];
    const __m512i mask = _mm512_set1_epi64((long long)zero_mask);
    __m512i nonce = _mm512_add_epi64(_mm512_set1_epi64((long long)lo),
                                     _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));

    zkr_b2x8_init(h0, pers);
    for (unsigned w = 0; w < 16; w++)
        m[w] = w < ZKR_DIGEST_BYTES / 8
                   ? _mm512_set1_epi64((long long)zkr_load_le64(prefix + 8 * w))
                   : _mm512_setzero_si512();
    for (uint64_t g = 0; g < groups; g++) {
        __mmask8 fail;

        memcpy(h, h0, sizeof h);
        m[ZKR_DIGEST_BYTES / 8] = nonce;
        zkr_b2x8_compress(h, m, ZKR_DIGEST_BYTES + 8, 1);
        fail = _mm512_test_epi64_mask(h[0], mask);
        if (fail != 0xff)
            return lo + 8 * g + (uint64_t)__builtin_ctz(~(unsigned)fail & 0xffu);
        nonce = _mm512_add_epi64(nonce, _mm512_set1_epi64(8));
    }
    return UINT64_MAX;
}

/* zkr_b2x8_pow_avx512's scan four nonces a compression, two a group. */
ZKR_B2_AVX2 static uint64_t zkr_b2x4_pow_avx2(const uint8_t pers[16],
                                              const uint8_t prefix[ZKR_DIGEST_BYTES], uint64_t lo,
                                              uint64_t groups, uint64_t zero_mask)
{
    __m256i h0[8], h[8], m[16];
    const __m256i mask = _mm256_set1_epi64x((long long)zero_mask), zero = _mm256_setzero_si256();
    __m256i nonce = _mm256_add_epi64(_mm256_set1_epi64x((long long)lo), _mm256_set_epi64x(3, 2, 1, 0));

    zkr_b2x4_init(h0, pers);
    for (unsigned w = 0; w < 16; w++)
        m[w] = w < ZKR_DIGEST_BYTES / 8
                   ? _mm256_set1_epi64x((long long)zkr_load_le64(prefix + 8 * w))
                   : _mm256_setzero_si256();
    /* q / 2 < groups, not q < 2 groups: 2 groups wraps from 2^63 groups on, where the AVX-512
     * scan (and the contract's [lo, lo + 8 groups), modulo 2^64) still runs */
    for (uint64_t q = 0; q / 2 < groups; q++) {
        int pass;

        memcpy(h, h0, sizeof h);
        m[ZKR_DIGEST_BYTES / 8] = nonce;
        zkr_b2x4_compress(h, m, ZKR_DIGEST_BYTES + 8, 1);
        /* lane l passes where its first digest word has no bit of the mask */
        pass = _mm256_movemask_pd(
            _mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_and_si256(h[0], mask), zero)));
        if (pass != 0)
            return lo + 4 * q + (uint64_t)__builtin_ctz((unsigned)pass);
        nonce = _mm256_add_epi64(nonce, _mm256_set1_epi64x(4));
    }
    return UINT64_MAX;
}

uint64_t zkr_b2x8_pow(int path, const uint8_t pers[16], const uint8_t prefix[ZKR_DIGEST_BYTES],
                      uint64_t lo, uint64_t groups, uint64_t zero_mask)
{
    if (path == ZKR_B2X8_AVX512)
        return zkr_b2x8_pow_avx512(pers, prefix, lo, groups, zero_mask);
    return zkr_b2x4_pow_avx2(pers, prefix, lo, groups, zero_mask);
}

#else

int zkr_b2x8_ok(void)
{
    return 0;
}

void zkr_b2x8(int path, const uint8_t pers[16], const uint8_t *const msg[8], size_t len,
              uint8_t out[8][ZKR_DIGEST_BYTES])
{
    (void)path, (void)pers, (void)msg, (void)len, (void)out;
    abort(); /* callers check zkr_b2x8_ok first */
}

uint64_t zkr_b2x8_pow(int path, const uint8_t pers[16], const uint8_t prefix[ZKR_DIGEST_BYTES],
                      uint64_t lo, uint64_t groups, uint64_t zero_mask)
{
    (void)path, (void)pers, (void)prefix, (void)lo, (void)groups, (void)zero_mask;
    abort(); /* callers check zkr_b2x8_ok first */
}

#endif
