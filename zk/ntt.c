/*
 * Radix-2 NTT with precomputed twiddles. The forward transform is
 * decimation in frequency and leaves its output in bit-reversed order,
 * which is exactly the layout FRI/Basefold folding wants.
 */
#include <stdlib.h>
#include <string.h>

#include "zk/zk.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ZKR_NTT_X86 1
#include <immintrin.h>
#else
#define ZKR_NTT_X86 0
#endif

/*
 * Twiddles per stage, contiguous: tw[h + j] = w_2h^j for a stage of
 * half-size h (j < h), so every stage reads its table sequentially (a
 * strided walk through one big table missed the TLB on every butterfly).
 * Inverse twiddles need no table: w_2h^-j = -w_2h^(h-j).
 */
struct zkr_ntt {
    unsigned log_max;
    unsigned simd;       /* ZKR_NTT_AVX512, ZKR_NTT_AVX2 or 0: whose butterflies (same values) */
    unsigned simd_avail; /* bit ZKR_NTT_AVX2, bit ZKR_NTT_AVX512: what this CPU runs */
    zkr_gl *tw;    /* 2^log_max entries */
};

typedef struct {
    zkr_gl *dst;
    const zkr_gl *src; /* coefficients to scale, or NULL for plain powers */
    zkr_gl step, first;
} zkr_pow_job;

/* dst[i] = (src ? src[i] : 1) * first * step^i, chunk by chunk; eight
 * interleaved power chains (step^8 apart) so the products overlap. */
static void zkr_pow_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_pow_job *j = ctx;
    zkr_gl s[8], s8 = zkr_gl_pow(j->step, 8);
    size_t i = lo;

    (void)w;
    s[0] = zkr_gl_mul(j->first, zkr_gl_pow(j->step, lo));
    for (int k = 1; k < 8; k++)
        s[k] = zkr_gl_mul(s[k - 1], j->step);
    for (; i + 8 <= hi; i += 8)
        for (int k = 0; k < 8; k++) {
            j->dst[i + k] = j->src ? zkr_gl_mul(j->src[i + k], s[k]) : s[k];
            s[k] = zkr_gl_mul(s[k], s8);
        }
    for (int k = 0; i < hi; i++, k++)
        j->dst[i] = j->src ? zkr_gl_mul(j->src[i], s[k]) : s[k];
}

#if ZKR_NTT_X86
/*
 * AVX-512 Goldilocks arithmetic, eight lanes: the same canonical results as
 * zkr_gl_add/sub/mul (the identical reduction, lane by lane), so a proof's
 * bytes do not depend on which path ran.
 */
#define ZKR_AVX512 __attribute__((target("avx512f")))

/* zkr_v_canon, zkr_v_add, zkr_v_sub, zkr_v_mul: zk/gl_avx512.h. */
#include "zk/gl_avx512.h"

/* DIF butterflies j, j+1, .. of one group (half-size h >= 8), eight at a
 * time while at least eight of the `left` remain; returns how many ran. */
ZKR_AVX512 static size_t zkr_ntt_dif_avx512(zkr_gl *blk, const zkr_gl *ts, size_t h, size_t j,
                                            size_t left)
{
    size_t k = 0;

    for (; k + 8 <= left; k += 8, j += 8) {
        __m512i u = _mm512_loadu_si512((const void *)(blk + j));
        __m512i v = _mm512_loadu_si512((const void *)(blk + j + h));
        __m512i w = _mm512_loadu_si512((const void *)(ts + j));
        _mm512_storeu_si512((void *)(blk + j), zkr_v_add(u, v));
        _mm512_storeu_si512((void *)(blk + j + h), zkr_v_mul(zkr_v_sub(u, v), w));
    }
    return k;
}

/* One in-register DIF stage on eight lanes: lane l pairs with l ^ h; the
 * lower lane keeps u + v, the upper one (u - v) w (w per lane; none when
 * every w is 1). */
ZKR_AVX512 static inline __m512i zkr_v_dif_lanes(__m512i x, __m512i partner_idx,
                                                 __mmask8 upper, const __m512i *w)
{
    __m512i p = _mm512_permutexvar_epi64(partner_idx, x);
    __m512i sum = zkr_v_add(x, p), diff = zkr_v_sub(p, x);

    if (w)
        diff = zkr_v_mul(diff, *w);
    return _mm512_mask_blend_epi64(upper, sum, diff);
}

/* DIF stages 2, 1, 0 of `len` entries (a multiple of 8), one group a register (the
 * leftover group of zkr_ntt_dif_tail_avx512). */
ZKR_AVX512 static void zkr_ntt_dif_tail8_avx512(zkr_gl *a, const zkr_gl *tw, size_t len)
{
    __m512i i4 = _mm512_set_epi64(3, 2, 1, 0, 7, 6, 5, 4);
    __m512i i2 = _mm512_set_epi64(5, 4, 7, 6, 1, 0, 3, 2);
    __m512i i1 = _mm512_set_epi64(6, 7, 4, 5, 2, 3, 0, 1);
    /* stage 2: w_8^(l-4) on lanes 4..7; stage 1: w_4^(l mod 2) on lanes 2, 3, 6, 7 */
    __m512i w4 = _mm512_set_epi64((long long)tw[7], (long long)tw[6], (long long)tw[5],
                                  (long long)tw[4], 1, 1, 1, 1);
    __m512i w2 = _mm512_set_epi64((long long)tw[3], (long long)tw[2], 1, 1, (long long)tw[3],
                                  (long long)tw[2], 1, 1);

    for (size_t i = 0; i < len; i += 8) {
        __m512i x = _mm512_loadu_si512((const void *)(a + i));
        x = zkr_v_dif_lanes(x, i4, 0xf0, &w4);
        x = zkr_v_dif_lanes(x, i2, 0xcc, &w2);
        x = zkr_v_dif_lanes(x, i1, 0xaa, NULL);
        _mm512_storeu_si512((void *)(a + i), x);
    }
}

/* Lane indices of _mm512_permutex2var_epi64 (0..7 the first register, 8..15 the second). */
static const long long zkr_ntt_x2_lo4[8] = {0, 1, 2, 3, 8, 9, 10, 11};
static const long long zkr_ntt_x2_hi4[8] = {4, 5, 6, 7, 12, 13, 14, 15};
static const long long zkr_ntt_x2_lo2[8] = {0, 1, 4, 5, 8, 9, 12, 13};
static const long long zkr_ntt_x2_hi2[8] = {2, 3, 6, 7, 10, 11, 14, 15};
static const long long zkr_ntt_x2_even[8] = {0, 2, 4, 6, 8, 10, 12, 14};
static const long long zkr_ntt_x2_odd[8] = {1, 3, 5, 7, 9, 11, 13, 15};
static const long long zkr_ntt_x2_out_a[8] = {0, 8, 4, 12, 2, 10, 6, 14};
static const long long zkr_ntt_x2_out_b[8] = {1, 9, 5, 13, 3, 11, 7, 15};

ZKR_AVX512 static inline __m512i zkr_ntt_x2(__m512i x, const long long *idx, __m512i y)
{
    return _mm512_permutex2var_epi64(x, _mm512_loadu_si512((const void *)idx), y);
}

/*
 * DIF stages 2, 1, 0 of `len` entries (a multiple of 8), two groups of
 * eight (a, b) in two registers at a time. Each stage regroups the lanes
 * so that a butterfly's two inputs sit in the same lane of two registers:
 * every lane does one butterfly once, where the one-register tail blends
 * sums and differences and so computes each of them twice. Lanes after
 * stage 2: u = a0-3 b0-3, v = a4-7 b4-7; stage 1: a0 a1 b0 b1 a4 a5 b4 b5
 * against a2 a3 b2 b3 a6 a7 b6 b7; stage 0: the even entries against the
 * odd ones. The same butterflies and twiddles as the portable stages.
 */
ZKR_AVX512 static void zkr_ntt_dif_tail_avx512(zkr_gl *a, const zkr_gl *tw, size_t len)
{
    __m512i w4 = _mm512_set_epi64((long long)tw[7], (long long)tw[6], (long long)tw[5],
                                  (long long)tw[4], (long long)tw[7], (long long)tw[6],
                                  (long long)tw[5], (long long)tw[4]);
    __m512i w2 = _mm512_set_epi64((long long)tw[3], (long long)tw[2], (long long)tw[3],
                                  (long long)tw[2], (long long)tw[3], (long long)tw[2],
                                  (long long)tw[3], (long long)tw[2]);
    size_t i = 0;

    for (; i + 16 <= len; i += 16) {
        __m512i x0 = _mm512_loadu_si512((const void *)(a + i));
        __m512i x1 = _mm512_loadu_si512((const void *)(a + i + 8));
        __m512i u = zkr_ntt_x2(x0, zkr_ntt_x2_lo4, x1), v = zkr_ntt_x2(x0, zkr_ntt_x2_hi4, x1);
        __m512i y0 = zkr_v_add(u, v), y1 = zkr_v_mul(zkr_v_sub(u, v), w4);
        u = zkr_ntt_x2(y0, zkr_ntt_x2_lo2, y1), v = zkr_ntt_x2(y0, zkr_ntt_x2_hi2, y1);
        y0 = zkr_v_add(u, v), y1 = zkr_v_mul(zkr_v_sub(u, v), w2);
        u = zkr_ntt_x2(y0, zkr_ntt_x2_even, y1), v = zkr_ntt_x2(y0, zkr_ntt_x2_odd, y1);
        y0 = zkr_v_add(u, v), y1 = zkr_v_sub(u, v);
        _mm512_storeu_si512((void *)(a + i), zkr_ntt_x2(y0, zkr_ntt_x2_out_a, y1));
        _mm512_storeu_si512((void *)(a + i + 8), zkr_ntt_x2(y0, zkr_ntt_x2_out_b, y1));
    }
    if (i < len)
        zkr_ntt_dif_tail8_avx512(a + i, tw, len - i);
}

/*
 * DIF stages s and s - 1 in one pass (radix 4) for quads j, j+1, .. of one
 * group of 4q entries (q = 2^(s-1) >= 8), eight at a time while at least
 * eight of the `left` remain; returns how many ran. zkr_ntt_dif2_avx2's
 * butterflies and twiddles, eight lanes.
 */
ZKR_AVX512 static size_t zkr_ntt_dif2_avx512(zkr_gl *blk, const zkr_gl *tw, size_t q, size_t j,
                                             size_t left)
{
    const zkr_gl *t1 = tw + 2 * q, *t0 = tw + q; /* stage s: w_4q^j; stage s - 1: w_2q^j */
    size_t k = 0;

    for (; k + 8 <= left; k += 8, j += 8) {
        __m512i x0 = _mm512_loadu_si512((const void *)(blk + j));
        __m512i x1 = _mm512_loadu_si512((const void *)(blk + j + q));
        __m512i x2 = _mm512_loadu_si512((const void *)(blk + j + 2 * q));
        __m512i x3 = _mm512_loadu_si512((const void *)(blk + j + 3 * q));
        __m512i wa = _mm512_loadu_si512((const void *)(t1 + j));
        __m512i wb = _mm512_loadu_si512((const void *)(t1 + j + q));
        __m512i wc = _mm512_loadu_si512((const void *)(t0 + j));
        /* stage s: (x0, x2) with w_4q^j, (x1, x3) with w_4q^(j+q) */
        __m512i y0 = zkr_v_add(x0, x2), y2 = zkr_v_mul(zkr_v_sub(x0, x2), wa);
        __m512i y1 = zkr_v_add(x1, x3), y3 = zkr_v_mul(zkr_v_sub(x1, x3), wb);
        /* stage s - 1: (y0, y1) and (y2, y3), both with w_2q^j */
        _mm512_storeu_si512((void *)(blk + j), zkr_v_add(y0, y1));
        _mm512_storeu_si512((void *)(blk + j + q), zkr_v_mul(zkr_v_sub(y0, y1), wc));
        _mm512_storeu_si512((void *)(blk + j + 2 * q), zkr_v_add(y2, y3));
        _mm512_storeu_si512((void *)(blk + j + 3 * q), zkr_v_mul(zkr_v_sub(y2, y3), wc));
    }
    return k;
}

/*
 * The AVX2 twins, four lanes, for CPUs without AVX-512F (zkr_v4_*:
 * zk/gl_avx2.h): the same words as the portable butterflies.
 */
#define ZKR_AVX2 __attribute__((target("avx2")))
#include "zk/gl_avx2.h"

/* zkr_ntt_dif_avx512 four at a time (half-size h >= 4). */
ZKR_AVX2 static size_t zkr_ntt_dif_avx2(zkr_gl *blk, const zkr_gl *ts, size_t h, size_t j,
                                        size_t left)
{
    size_t k = 0;

    for (; k + 4 <= left; k += 4, j += 4) {
        __m256i u = _mm256_loadu_si256((const __m256i *)(blk + j));
        __m256i v = _mm256_loadu_si256((const __m256i *)(blk + j + h));
        __m256i w = _mm256_loadu_si256((const __m256i *)(ts + j));
        __m256i x, y;
        zkr_v4_addsub(u, v, &x, &y);
        _mm256_storeu_si256((__m256i *)(blk + j), x);
        _mm256_storeu_si256((__m256i *)(blk + j + h), zkr_v4_mul(y, w));
    }
    return k;
}

/*
 * DIF stages s and s - 1 in one pass (radix 4) for quads j, j+1, .. of one
 * group of 4q entries (q = 2^(s-1) >= 4), four at a time while at least
 * four of the `left` remain; returns how many ran. The butterflies and
 * twiddles of the two radix-2 stages in the same order per entry, so the
 * same words, but each entry is loaded and stored once for both stages,
 * not twice (the top stages stream memory; the 2^14 blocks live in L2).
 */
ZKR_AVX2 static size_t zkr_ntt_dif2_avx2(zkr_gl *blk, const zkr_gl *tw, size_t q, size_t j,
                                         size_t left)
{
    const zkr_gl *t1 = tw + 2 * q, *t0 = tw + q; /* stage s: w_4q^j; stage s - 1: w_2q^j */
    size_t k = 0;

    for (; k + 4 <= left; k += 4, j += 4) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(blk + j));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(blk + j + q));
        __m256i x2 = _mm256_loadu_si256((const __m256i *)(blk + j + 2 * q));
        __m256i x3 = _mm256_loadu_si256((const __m256i *)(blk + j + 3 * q));
        __m256i wa = _mm256_loadu_si256((const __m256i *)(t1 + j));
        __m256i wb = _mm256_loadu_si256((const __m256i *)(t1 + j + q));
        __m256i wc = _mm256_loadu_si256((const __m256i *)(t0 + j));
        __m256i y0, y1, y2, y3, z0, z1, z2, z3;
        /* stage s: (x0, x2) with w_4q^j, (x1, x3) with w_4q^(j+q) */
        zkr_v4_addsub(x0, x2, &y0, &y2);
        zkr_v4_addsub(x1, x3, &y1, &y3);
        y2 = zkr_v4_mul(y2, wa);
        y3 = zkr_v4_mul(y3, wb);
        /* stage s - 1: (y0, y1) and (y2, y3), both with w_2q^j */
        zkr_v4_addsub(y0, y1, &z0, &z1);
        zkr_v4_addsub(y2, y3, &z2, &z3);
        _mm256_storeu_si256((__m256i *)(blk + j), z0);
        _mm256_storeu_si256((__m256i *)(blk + j + q), zkr_v4_mul(z1, wc));
        _mm256_storeu_si256((__m256i *)(blk + j + 2 * q), z2);
        _mm256_storeu_si256((__m256i *)(blk + j + 3 * q), zkr_v4_mul(z3, wc));
    }
    return k;
}

/*
 * DIF stages 2, 1, 0 of `len` entries (a multiple of 8), eight at a time in
 * two registers. Each stage regroups the lanes so that a butterfly's two
 * inputs sit in the same lane of two registers: every lane does one
 * butterfly once (blending sums and differences of one register, as the
 * AVX-512 tail does, would compute every sum, difference and product twice).
 */
ZKR_AVX2 static void zkr_ntt_dif_tail_avx2(zkr_gl *a, const zkr_gl *tw, size_t len)
{
    /* stage 2: w_8^j (j < 4) = tw[4 + j]; stage 1: w_4^(j mod 2) = tw[2 + j mod 2] */
    __m256i w4 = _mm256_loadu_si256((const __m256i *)(tw + 4));
    __m256i w2 = _mm256_set_epi64x((long long)tw[3], (long long)tw[2], (long long)tw[3],
                                   (long long)tw[2]);

    for (size_t i = 0; i < len; i += 8) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(a + i + 4));
        /* stage 2: entry l (l < 4) with l + 4 */
        __m256i y0, y1, z0, z1, s, d;
        zkr_v4_addsub(x0, x1, &y0, &y1);
        y1 = zkr_v4_mul(y1, w4);
        /* stage 1: u = entries 0 1 4 5, v = 2 3 6 7 */
        __m256i u = _mm256_permute2x128_si256(y0, y1, 0x20);
        __m256i v = _mm256_permute2x128_si256(y0, y1, 0x31);
        zkr_v4_addsub(u, v, &z0, &z1);
        z1 = zkr_v4_mul(z1, w2);
        /* stage 0: p = entries 0 2 4 6, q = 1 3 5 7 */
        __m256i p = _mm256_unpacklo_epi64(z0, z1), q = _mm256_unpackhi_epi64(z0, z1);
        zkr_v4_addsub(p, q, &s, &d);
        /* back to 0 1 4 5 and 2 3 6 7, then 0..3 and 4..7 */
        __m256i lo = _mm256_unpacklo_epi64(s, d), hi = _mm256_unpackhi_epi64(s, d);
        _mm256_storeu_si256((__m256i *)(a + i), _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm256_storeu_si256((__m256i *)(a + i + 4), _mm256_permute2x128_si256(lo, hi, 0x31));
    }
}

/* The group butterflies of path simd (h >= 4 for AVX2, 8 for AVX-512); returns how many ran. */
static size_t zkr_ntt_dif_simd(unsigned simd, zkr_gl *blk, const zkr_gl *ts, size_t h, size_t j,
                               size_t left)
{
    if (simd == ZKR_NTT_AVX512 && h >= 8)
        return zkr_ntt_dif_avx512(blk, ts, h, j, left);
    if (simd == ZKR_NTT_AVX2 && h >= 4)
        return zkr_ntt_dif_avx2(blk, ts, h, j, left);
    return 0;
}

/* DIF stages 2, 1, 0 of `len` entries (a multiple of 8) on path simd (non-zero). */
static void zkr_ntt_dif_tail(unsigned simd, zkr_gl *a, const zkr_gl *tw, size_t len)
{
    if (simd == ZKR_NTT_AVX512)
        zkr_ntt_dif_tail_avx512(a, tw, len);
    else
        zkr_ntt_dif_tail_avx2(a, tw, len);
}
#endif

zkr_err zkr_ntt_new(unsigned log_max, zkr_ntt **out)
{
    return zkr_ntt_new_mt(log_max, 1, out);
}

zkr_err zkr_ntt_new_mt(unsigned log_max, unsigned threads, zkr_ntt **out)
{
    zkr_ntt *n;
    size_t half;

    *out = NULL;
    if (log_max < 1 || log_max > 30)
        return ZKR_ERR_USAGE;
    half = (size_t)1 << (log_max - 1);
    n = calloc(1, sizeof *n);
    if (!n)
        return ZKR_ERR_NOMEM;
    n->log_max = log_max;
#if ZKR_NTT_X86
    /* read once per context: the paths this CPU runs */
    n->simd_avail = (zkr_cpu_avx2() ? 1u << ZKR_NTT_AVX2 : 0) |
                    (zkr_cpu_avx512f() ? 1u << ZKR_NTT_AVX512 : 0);
#endif
    (void)zkr_ntt_set_simd(n, 1);
    n->tw = malloc(2 * half * sizeof *n->tw);
    if (!n->tw) {
        zkr_ntt_free(n);
        return ZKR_ERR_NOMEM;
    }
    /* Largest stage: w_N^j at [half, N); each smaller stage takes every
     * other entry of the next (w_2h^j = w_4h^2j). */
    zkr_pow_job pj = {n->tw + half, NULL, zkr_gl_root_of_unity(log_max), 1};
    zkr_par_for(threads, half, 1 << 14, zkr_pow_chunk, &pj);
    for (size_t h = half / 2; h >= 1; h /= 2)
        for (size_t j = 0; j < h; j++)
            n->tw[h + j] = n->tw[2 * h + 2 * j];
    n->tw[0] = 1; /* unused */
    *out = n;
    return ZKR_OK;
}

int zkr_ntt_set_path(zkr_ntt *n, int path)
{
    int ok = path == ZKR_NTT_AVX2 || path == ZKR_NTT_AVX512;

    n->simd = ok && (n->simd_avail >> path & 1) ? (unsigned)path : 0;
    return (int)n->simd;
}

int zkr_ntt_set_simd(zkr_ntt *n, int on)
{
    if (on && zkr_ntt_set_path(n, ZKR_NTT_AVX512))
        return ZKR_NTT_AVX512;
    return zkr_ntt_set_path(n, on ? ZKR_NTT_AVX2 : 0);
}

void zkr_ntt_free(zkr_ntt *n)
{
    if (!n)
        return;
    free(n->tw);
    free(n);
}

/* One DIF butterfly: (u, v) -> (u + v, (u - v) w). */
static inline void zkr_ntt_bf_dif(zkr_gl *x, zkr_gl *y, zkr_gl w)
{
    zkr_gl u = *x, v = *y;

    *x = zkr_gl_add(u, v);
    *y = zkr_gl_mul(zkr_gl_sub(u, v), w);
}

/*
 * One stage over butterflies [lo, hi): half-size h = 2^s. The DIF loop
 * walks whole groups (contiguous j, no index arithmetic per butterfly) and
 * skips the multiplication by w^0 = 1 at the first butterfly of each group.
 */
static void zkr_ntt_stage(zkr_gl *a, const zkr_gl *tw, unsigned simd, unsigned s, size_t lo,
                          size_t hi, int dif)
{
    size_t h = (size_t)1 << s;
    const zkr_gl *ts = tw + h;

    if (dif) {
        size_t t = lo;
        if (s == 0) {
            for (; t < hi; t++) {
                zkr_gl u = a[2 * t], v = a[2 * t + 1];
                a[2 * t] = zkr_gl_add(u, v);
                a[2 * t + 1] = zkr_gl_sub(u, v);
            }
            return;
        }
        while (t < hi) {
            size_t j = t & (h - 1), end = t - j + h;
            zkr_gl *blk = a + ((t >> s) << (s + 1));
            if (end > hi)
                end = hi;
#if ZKR_NTT_X86
            if (simd) {
                size_t k = zkr_ntt_dif_simd(simd, blk, ts, h, j, end - t);
                t += k;
                j += k;
            }
#else
            (void)simd;
#endif
            if (j == 0 && t < end) {
                zkr_gl u = blk[0], v = blk[h];
                blk[0] = zkr_gl_add(u, v);
                blk[h] = zkr_gl_sub(u, v);
                j++;
                t++;
            }
            for (; t < end; t++, j++)
                zkr_ntt_bf_dif(blk + j, blk + j + h, ts[j]);
        }
        return;
    }
    for (size_t t = lo; t < hi; t++) {
        size_t j = t & (h - 1);
        size_t pos = ((t >> s) << (s + 1)) | j;
        zkr_gl u = a[pos], v = a[pos + h];
        /* w_2h^-j = -w_2h^(h-j); j is a public index */
        zkr_gl w = j ? zkr_gl_neg(ts[h - j]) : 1;
        v = zkr_gl_mul(v, w);
        a[pos] = zkr_gl_add(u, v);
        a[pos + h] = zkr_gl_sub(u, v);
    }
}

typedef struct {
    zkr_gl *a;
    const zkr_gl *tw;
    unsigned simd, s;
    int dif;
} zkr_ntt_job;

static void zkr_ntt_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_ntt_job *j = ctx;

    (void)w;
    zkr_ntt_stage(j->a, j->tw, j->simd, j->s, lo, hi, j->dif);
}

/*
 * DIF stages s and s - 1 (q = 2^(s-1)) over quads [lo, hi): quad t is entry
 * (t / q) 4q + t mod q and its partners q, 2q and 3q on. The portable quad
 * is the four radix-2 butterflies in stage order (for chunk edges and
 * groups the SIMD loop leaves over).
 */
static void zkr_ntt_stage2(zkr_gl *a, const zkr_gl *tw, unsigned simd, size_t q, size_t lo,
                           size_t hi)
{
    size_t t = lo;

    while (t < hi) {
        size_t j = t & (q - 1), end = t - j + q;
        zkr_gl *blk = a + (t - j) * 4;
        if (end > hi)
            end = hi;
#if ZKR_NTT_X86
        if (simd) {
            size_t n = end - t;
            size_t k = simd == ZKR_NTT_AVX512 && q >= 8 ? zkr_ntt_dif2_avx512(blk, tw, q, j, n)
                       : simd == ZKR_NTT_AVX2 && q >= 4 ? zkr_ntt_dif2_avx2(blk, tw, q, j, n)
                                                        : 0;
            t += k;
            j += k;
        }
#else
        (void)simd;
#endif
        for (; t < end; t++, j++) {
            zkr_gl *x = blk + j;
            zkr_ntt_bf_dif(x, x + 2 * q, tw[2 * q + j]);
            zkr_ntt_bf_dif(x + q, x + 3 * q, tw[3 * q + j]);
            zkr_ntt_bf_dif(x, x + q, tw[q + j]);
            zkr_ntt_bf_dif(x + 2 * q, x + 3 * q, tw[q + j]);
        }
    }
}

typedef struct {
    zkr_gl *a;
    const zkr_gl *tw;
    unsigned simd;
    size_t q;
} zkr_ntt_job2;

static void zkr_ntt_chunk2(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_ntt_job2 *j = ctx;

    (void)w;
    zkr_ntt_stage2(j->a, j->tw, j->simd, j->q, lo, hi);
}

/* Blocks of 2^ZKR_NTT_BLOCK_LOG elements (128 KiB) stay in cache for their
 * remaining stages, so large transforms make few passes over memory. */
#define ZKR_NTT_BLOCK_LOG 14

typedef struct {
    zkr_gl *a;
    const zkr_gl *tw;
    unsigned simd, s_top;    /* blocks of 2^s_top entries */
    unsigned s_hi;           /* DIF: stages s_hi-1 .. 0 run per block; DIT: all s_top */
    int dif;
} zkr_ntt_blk_job;

static void zkr_ntt_blocks(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_ntt_blk_job *j = ctx;
    size_t bs = (size_t)1 << j->s_top;

    (void)w;
    for (size_t b = lo; b < hi; b++) {
        zkr_gl *blk = j->a + b * bs;
        if (j->dif) {
            unsigned s_lo = 0;
#if ZKR_NTT_X86
            s_lo = j->simd && j->s_hi >= 3 ? 3 : 0;
#endif
            unsigned s = j->s_hi;
#if ZKR_NTT_X86
            /* stages two at a time while both are above the tail and the
             * quads fill the path's lanes (q = 2^(s-2): 4 AVX2, 8 AVX-512) */
            for (; j->simd && s >= (j->simd == ZKR_NTT_AVX512 ? 5u : 4u) && s >= s_lo + 2; s -= 2)
                zkr_ntt_stage2(blk, j->tw, j->simd, (size_t)1 << (s - 2), 0, bs / 4);
#endif
            while (s-- > s_lo)
                zkr_ntt_stage(blk, j->tw, j->simd, s, 0, bs / 2, 1);
#if ZKR_NTT_X86
            if (s_lo)
                zkr_ntt_dif_tail(j->simd, blk, j->tw, bs);
#endif
        } else {
            for (unsigned s = 0; s < j->s_top; s++)
                zkr_ntt_stage(blk, j->tw, j->simd, s, 0, bs / 2, 0);
        }
    }
}

static zkr_err zkr_ntt_run_from(const zkr_ntt *n, zkr_gl *a, unsigned log_n, int dif,
                                unsigned threads, unsigned s_hi);

/* Sub-transforms [lo, hi) of 2^log_sub entries each, one thread each. */
typedef struct {
    const zkr_ntt *n;
    zkr_gl *a;
    unsigned log_sub;
} zkr_ntt_sub_job;

static void zkr_ntt_subs(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_ntt_sub_job *j = ctx;

    (void)w;
    for (size_t k = lo; k < hi; k++)
        (void)zkr_ntt_run_from(j->n, j->a + (k << j->log_sub), j->log_sub, 1, 1, j->log_sub);
}

/* DIF runs stages from the largest block down (natural -> bit-reversed);
 * DIT the reverse (bit-reversed -> natural) with inverse twiddles. Stages
 * with half-size below the block size run block by block. A DIF starts at
 * stage s_hi - 1 (s_hi < log_n when the caller ran the top stages). */
static zkr_err zkr_ntt_run_from(const zkr_ntt *n, zkr_gl *a, unsigned log_n, int dif,
                                unsigned threads, unsigned s_hi)
{
    size_t nb;
    unsigned s_top = log_n < ZKR_NTT_BLOCK_LOG ? log_n : ZKR_NTT_BLOCK_LOG;
    const zkr_gl *tw = n->tw;
    zkr_ntt_blk_job bj = {a, tw, n->simd, s_top, s_hi < s_top ? s_hi : s_top, dif};

    if (log_n > n->log_max)
        return ZKR_ERR_USAGE;
    if (log_n == 0)
        return ZKR_OK;
    nb = (size_t)1 << (log_n - 1);
    if (!dif) {
        zkr_par_for(threads, (size_t)1 << (log_n - s_top), 1, zkr_ntt_blocks, &bj);
        for (unsigned s = s_top; s < log_n; s++) {
            zkr_ntt_job j = {a, tw, n->simd, s, 0};
            zkr_par_for(threads, nb, (size_t)1 << 14, zkr_ntt_chunk, &j);
        }
        return ZKR_OK;
    }
    if (threads > 1 && s_hi >= ZKR_NTT_BLOCK_LOG && s_hi < log_n &&
        ((size_t)1 << (log_n - s_hi)) >= threads) {
        /*
         * The caller ran the top stages: what is left is 2^(log_n - s_hi)
         * independent DIFs of 2^s_hi entries (stage s's twiddles depend on s
         * only), at least one a thread. One fork-join for all of them, not
         * one per stage: the same butterflies on the same entries.
         */
        zkr_ntt_sub_job sj = {n, a, s_hi};
        zkr_par_for(threads, (size_t)1 << (log_n - s_hi), 1, zkr_ntt_subs, &sj);
        return ZKR_OK;
    }
    /* SIMD: the top stages two at a time too (one pass over memory per pair) */
    for (; n->simd && s_hi >= s_top + 2; s_hi -= 2) {
        zkr_ntt_job2 j = {a, tw, n->simd, (size_t)1 << (s_hi - 2)};
        zkr_par_for(threads, nb / 2, (size_t)1 << 13, zkr_ntt_chunk2, &j);
    }
    for (unsigned s = s_hi; s-- > s_top;) {
        zkr_ntt_job j = {a, tw, n->simd, s, 1};
        zkr_par_for(threads, nb, (size_t)1 << 14, zkr_ntt_chunk, &j);
    }
    if (bj.s_hi > 0)
        zkr_par_for(threads, (size_t)1 << (log_n - s_top), 1, zkr_ntt_blocks, &bj);
    return ZKR_OK;
}

static zkr_err zkr_ntt_run(const zkr_ntt *n, zkr_gl *a, unsigned log_n, int dif, unsigned threads)
{
    return zkr_ntt_run_from(n, a, log_n, dif, threads, log_n);
}

static void zkr_bitrev_permute(zkr_gl *a, unsigned log_n)
{
    size_t n = (size_t)1 << log_n;

    for (size_t i = 0; i < n; i++) {
        size_t r = (size_t)zkr_bitrev(i, log_n);
        if (r > i) {
            zkr_gl t = a[i];
            a[i] = a[r];
            a[r] = t;
        }
    }
}

/*
 * Test builds refuse words >= p (ZKR_ERR_USAGE): the SIMD butterflies
 * assume canonical words (zkr_v4_addsub), so a caller passing others would
 * get other words on AVX2 than on the portable path. Release builds skip
 * the pass; every caller's words come from the field's operations or the
 * strict decoders, and the test suites run every caller.
 */
static zkr_err zkr_ntt_check_canon(const zkr_gl *a, size_t len)
{
#if ZKR_TEST_BUILD
    for (size_t i = 0; i < len; i++)
        if (a[i] >= ZKR_GL_P)
            return ZKR_ERR_USAGE;
#else
    (void)a;
    (void)len;
#endif
    return ZKR_OK;
}

zkr_err zkr_ntt_forward(const zkr_ntt *n, zkr_gl *a, unsigned log_n)
{
    zkr_err r = log_n > n->log_max ? ZKR_ERR_USAGE : zkr_ntt_check_canon(a, (size_t)1 << log_n);

    if (r == ZKR_OK)
        r = zkr_ntt_run(n, a, log_n, 1, 1);
    if (r == ZKR_OK)
        zkr_bitrev_permute(a, log_n);
    return r;
}

zkr_err zkr_ntt_inverse(const zkr_ntt *n, zkr_gl *a, unsigned log_n)
{
    zkr_err r;
    zkr_gl inv_n;

    if (log_n > n->log_max)
        return ZKR_ERR_USAGE;
    if ((r = zkr_ntt_check_canon(a, (size_t)1 << log_n)) != ZKR_OK)
        return r;
    zkr_bitrev_permute(a, log_n);
    if ((r = zkr_ntt_run(n, a, log_n, 0, 1)) != ZKR_OK)
        return r;
    inv_n = zkr_gl_inv(zkr_gl_pow(2, log_n));
    for (size_t i = 0; i < ((size_t)1 << log_n); i++)
        a[i] = zkr_gl_mul(a[i], inv_n);
    return ZKR_OK;
}

/*
 * The LDE's first DIF stage with the coset scaling folded in. Block t's
 * input is u_i = c_i g^i (g = shift w_big^bitrev(t)); its first butterfly
 * (u_j, u_{j+h}) gives u_j + u_{j+h} = g^j (c_j + g^h c_{j+h}) and
 * (u_j - u_{j+h}) w_n^j = (g w_n)^j (c_j - g^h c_{j+h}): three products per
 * butterfly, no separate scaling pass. With shift 1, g^j and (g w_n)^j are
 * twiddle-table entries (powers of w_big); otherwise running powers.
 */
typedef struct {
    const zkr_ntt *n;
    const zkr_gl *src;
    zkr_gl *dst;
    size_t h;
    zkr_gl gh, g, gw;       /* g^h, g, g w_n */
    uint64_t eg, egw;       /* shift 1: g = w_big^eg, g w_n = w_big^egw */
    unsigned log_big;
    int table;
} zkr_lde_job;

/* w_big^e from the twiddle table (w_N^k at tw[N/2 + k] for k < N/2, and
 * w_N^(k + N/2) = -w_N^k). */
static inline zkr_gl zkr_ntt_wpow(const zkr_ntt *n, unsigned log_big, uint64_t e)
{
    size_t half = (size_t)1 << (n->log_max - 1);
    size_t k = (size_t)(e & (((uint64_t)1 << log_big) - 1)) << (n->log_max - log_big);

    return k < half ? n->tw[half + k] : zkr_gl_neg(n->tw[k]);
}

#if ZKR_NTT_X86
/* zkr_lde_first's butterflies [lo, lo + 8k), eight at a time with running
 * power vectors (g^i .. g^(i+7) times g^8 per step); returns 8k. */
ZKR_AVX512 static size_t zkr_lde_first_avx512(const zkr_lde_job *j, size_t lo, size_t hi)
{
    const zkr_gl *c = j->src;
    zkr_gl *d = j->dst;
    size_t h = j->h, i = lo;
    zkr_gl pg[8], pw[8];
    __m512i vg, vw, g8, w8, gh = _mm512_set1_epi64((long long)j->gh);

    if (hi - lo < 8)
        return 0;
    pg[0] = zkr_gl_pow(j->g, lo);
    pw[0] = zkr_gl_pow(j->gw, lo);
    for (int k = 1; k < 8; k++) {
        pg[k] = zkr_gl_mul(pg[k - 1], j->g);
        pw[k] = zkr_gl_mul(pw[k - 1], j->gw);
    }
    vg = _mm512_loadu_si512((const void *)pg);
    vw = _mm512_loadu_si512((const void *)pw);
    g8 = _mm512_set1_epi64((long long)zkr_gl_pow(j->g, 8));
    w8 = _mm512_set1_epi64((long long)zkr_gl_pow(j->gw, 8));
    for (; i + 8 <= hi; i += 8) {
        __m512i u = _mm512_loadu_si512((const void *)(c + i));
        __m512i v = zkr_v_mul(_mm512_loadu_si512((const void *)(c + i + h)), gh);
        _mm512_storeu_si512((void *)(d + i), zkr_v_mul(zkr_v_add(u, v), vg));
        _mm512_storeu_si512((void *)(d + i + h), zkr_v_mul(zkr_v_sub(u, v), vw));
        vg = zkr_v_mul(vg, g8);
        vw = zkr_v_mul(vw, w8);
    }
    return i - lo;
}

/* zkr_lde_first_avx512 four at a time (powers g^i .. g^(i+3), times g^4 per step). */
ZKR_AVX2 static size_t zkr_lde_first_avx2(const zkr_lde_job *j, size_t lo, size_t hi)
{
    const zkr_gl *c = j->src;
    zkr_gl *d = j->dst;
    size_t h = j->h, i = lo;
    zkr_gl pg[4], pw[4];
    __m256i vg, vw, g4, w4, gh = _mm256_set1_epi64x((long long)j->gh);

    if (hi - lo < 4)
        return 0;
    pg[0] = zkr_gl_pow(j->g, lo);
    pw[0] = zkr_gl_pow(j->gw, lo);
    for (int k = 1; k < 4; k++) {
        pg[k] = zkr_gl_mul(pg[k - 1], j->g);
        pw[k] = zkr_gl_mul(pw[k - 1], j->gw);
    }
    vg = _mm256_loadu_si256((const __m256i *)pg);
    vw = _mm256_loadu_si256((const __m256i *)pw);
    g4 = _mm256_set1_epi64x((long long)zkr_gl_pow(j->g, 4));
    w4 = _mm256_set1_epi64x((long long)zkr_gl_pow(j->gw, 4));
    for (; i + 4 <= hi; i += 4) {
        __m256i u = _mm256_loadu_si256((const __m256i *)(c + i));
        __m256i v = zkr_v4_mul(_mm256_loadu_si256((const __m256i *)(c + i + h)), gh), x, y;
        zkr_v4_addsub(u, v, &x, &y);
        _mm256_storeu_si256((__m256i *)(d + i), zkr_v4_mul(x, vg));
        _mm256_storeu_si256((__m256i *)(d + i + h), zkr_v4_mul(y, vw));
        vg = zkr_v4_mul(vg, g4);
        vw = zkr_v4_mul(vw, w4);
    }
    return i - lo;
}
#endif

static void zkr_lde_first(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_lde_job *j = ctx;
    const zkr_gl *c = j->src;
    zkr_gl *d = j->dst;
    size_t h = j->h;
    zkr_gl pg = 1, pw = 1;

    (void)w;
#if ZKR_NTT_X86
    if (j->n->simd == ZKR_NTT_AVX512)
        lo += zkr_lde_first_avx512(j, lo, hi);
    else if (j->n->simd == ZKR_NTT_AVX2)
        lo += zkr_lde_first_avx2(j, lo, hi);
#endif
    if (!j->table) {
        pg = zkr_gl_pow(j->g, lo);
        pw = zkr_gl_pow(j->gw, lo);
    }
    for (size_t i = lo; i < hi; i++) {
        zkr_gl v = zkr_gl_mul(c[i + h], j->gh);
        zkr_gl x = zkr_gl_add(c[i], v), y = zkr_gl_sub(c[i], v);
        if (j->table) {
            pg = zkr_ntt_wpow(j->n, j->log_big, j->eg * i);
            pw = zkr_ntt_wpow(j->n, j->log_big, j->egw * i);
        }
        d[i] = zkr_gl_mul(x, pg);
        d[i + h] = zkr_gl_mul(y, pw);
        if (!j->table) {
            pg = zkr_gl_mul(pg, j->g);
            pw = zkr_gl_mul(pw, j->gw);
        }
    }
}

/*
 * The zero-padded DIF splits: output block t (of 2^log_blowup) is the size-n
 * DIF of c_i * (shift * w_big^bitrev(t))^i. This skips the stages that only
 * move zeros and keeps each transform small.
 */
zkr_err zkr_ntt_lde_block(const zkr_ntt *n, const zkr_gl *coeffs, unsigned log_n,
                          unsigned log_blowup, zkr_gl shift, unsigned threads, size_t t,
                          zkr_gl *blk)
{
    unsigned log_big = log_n + log_blowup;
    size_t len = (size_t)1 << log_n, nblk = (size_t)1 << log_blowup;
    zkr_gl wb;
    uint64_t b;

    if (log_n > n->log_max || log_big > ZKR_GL_TWO_ADICITY || t >= nblk)
        return ZKR_ERR_USAGE;
    if (zkr_ntt_check_canon(coeffs, len) != ZKR_OK)
        return ZKR_ERR_USAGE;
    if (log_n == 0) {
        blk[0] = coeffs[0];
        return ZKR_OK;
    }
    wb = zkr_gl_root_of_unity(log_big);
    b = zkr_bitrev(t, log_blowup);
    if (n->simd == ZKR_NTT_AVX2 && shift == 1 && b == 0) {
        /*
         * Block 0 of a shift-1 LDE evaluates on <w_n> itself (g = 1): its
         * first stage is a plain DIF stage (g^j = 1, (g w_n)^j = w_n^j), so
         * the plain DIF from the top gives the same words with one product
         * per butterfly, not five, and pairs that stage with the next.
         * memmove: the fused stage also ran in place (blk == coeffs).
         */
        memmove(blk, coeffs, len * sizeof *blk);
        return zkr_ntt_run_from(n, blk, log_n, 1, threads, log_n);
    }
    /* powers from the table where it reaches w_big, else running products (the same values) */
    zkr_lde_job lj = {n, coeffs, blk, len / 2, 0, 0, 0, b, b + nblk, log_big,
                      shift == 1 && log_big <= n->log_max};
    lj.g = zkr_gl_mul(shift, zkr_gl_pow(wb, b));
    lj.gw = zkr_gl_mul(lj.g, zkr_gl_pow(wb, nblk));
    lj.gh = zkr_gl_pow(lj.g, len / 2);
    zkr_par_for(threads, len / 2, 1 << 13, zkr_lde_first, &lj);
    return zkr_ntt_run_from(n, blk, log_n, 1, threads, log_n - 1);
}

zkr_err zkr_ntt_lde(const zkr_ntt *n, const zkr_gl *coeffs, unsigned log_n, unsigned log_blowup,
                    zkr_gl shift, unsigned threads, zkr_gl *out)
{
    size_t len = (size_t)1 << log_n, nblk = (size_t)1 << log_blowup;
    zkr_err r;

    if (log_n > n->log_max || log_n + log_blowup > ZKR_GL_TWO_ADICITY)
        return ZKR_ERR_USAGE;
    for (size_t t = 0; t < nblk; t++)
        if ((r = zkr_ntt_lde_block(n, coeffs, log_n, log_blowup, shift, threads, t,
                                   out + t * len)) != ZKR_OK)
            return r;
    return ZKR_OK;
}
