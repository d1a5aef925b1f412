/* Multilinear polynomials over the hypercube (variable t = index bit t). */
#include <stdlib.h>

#include "zk/zk.h"
#include "zk/zk_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ZKR_MLE_X86 1
#include <immintrin.h>

#include "zk/gl_avx2.h"
#else
#define ZKR_MLE_X86 0
#endif

/* Which Moebius path runs: lanes a step (8 AVX-512F, 4 AVX2, 1 portable). */
static int zkr_mle_mb_lanes(void)
{
    return zkr_cpu_avx512f() ? 8 : zkr_cpu_avx2() ? 4 : 1;
}

void zkr_mle_eq_table(const zkr_ext *z, unsigned n, zkr_ext *out)
{
    size_t len = 1;

    out[0] = zkr_ext_from(1);
    /* Variable t doubles the table: entries with bit t set get z_t. */
    for (unsigned t = 0; t < n; t++) {
        for (size_t i = 0; i < len; i++) {
            zkr_ext hi = zkr_ext_mul(out[i], z[t]);
            out[i + len] = hi;
            out[i] = zkr_ext_sub(out[i], hi);
        }
        len <<= 1;
    }
}

typedef struct {
    zkr_ext *out;
    size_t len;
    zkr_ext z;
    int x8; /* zkr_ext8_ok */
} zkr_eq_job;

static void zkr_eq_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_eq_job *j = ctx;

    (void)w;
    if (j->x8)
        lo = zkr_ext8_eq_level(j->out, j->len, lo, hi, j->z);
    for (size_t i = lo; i < hi; i++) {
        zkr_ext hi_v = zkr_ext_mul(j->out[i], j->z);
        j->out[i + j->len] = hi_v;
        j->out[i] = zkr_ext_sub(j->out[i], hi_v);
    }
}

void zkr_mle_eq_table_mt(const zkr_ext *z, unsigned n, unsigned threads, zkr_ext *out)
{
    zkr_mle_eq_table_scaled_mt(z, n, zkr_ext_from(1), threads, out);
}

void zkr_mle_eq_table_scaled_mt(const zkr_ext *z, unsigned n, zkr_ext scale, unsigned threads,
                                zkr_ext *out)
{
    size_t len = 1;
    int x8 = zkr_ext8_ok();

    out[0] = scale;
    for (unsigned t = 0; t < n; t++) {
        zkr_eq_job j = {out, len, z[t], x8};
        zkr_par_for(threads, len, 1 << 13, zkr_eq_chunk, &j);
        len <<= 1;
    }
}

typedef struct {
    const zkr_ext *in;
    zkr_ext *out;
} zkr_sum_first_job;

static void zkr_sum_first_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_sum_first_job *j = ctx;

    (void)w;
    for (size_t y = lo; y < hi; y++)
        j->out[y] = zkr_ext_add(j->in[2 * y], j->in[2 * y + 1]);
}

void zkr_mle_sum_first_mt(const zkr_ext *in, unsigned n, unsigned threads, zkr_ext *out)
{
    zkr_sum_first_job j = {in, out};

    if (n == 0)
        return;
    zkr_par_for(threads, (size_t)1 << (n - 1), 1 << 13, zkr_sum_first_chunk, &j);
}

zkr_ext zkr_mle_eq_eval(const zkr_ext *a, const zkr_ext *b, unsigned n)
{
    zkr_ext r = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++) {
        zkr_ext ab = zkr_ext_mul(a[i], b[i]);
        zkr_ext t = zkr_ext_mul(zkr_ext_sub(one, a[i]), zkr_ext_sub(one, b[i]));
        r = zkr_ext_mul(r, zkr_ext_add(ab, t));
    }
    return r;
}

void zkr_mle_fix_first(zkr_ext *t, unsigned n, zkr_ext r)
{
    size_t half = n ? (size_t)1 << (n - 1) : 0;

    for (size_t i = 0; i < half; i++)
        t[i] = zkr_ext_add(t[2 * i], zkr_ext_mul(r, zkr_ext_sub(t[2 * i + 1], t[2 * i])));
}

zkr_err zkr_mle_eval_ext(const zkr_ext *t, unsigned n, const zkr_ext *z, zkr_ext *out)
{
    size_t len = (size_t)1 << n;
    zkr_ext *w = malloc(len * sizeof *w);

    *out = zkr_ext_from(0);
    if (!w)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < len; i++)
        w[i] = t[i];
    for (unsigned v = 0; v < n; v++)
        zkr_mle_fix_first(w, n - v, z[v]);
    *out = w[0];
    free(w);
    return ZKR_OK;
}

zkr_err zkr_mle_eval_base(const zkr_gl *t, unsigned n, const zkr_ext *z, zkr_ext *out)
{
    size_t len = (size_t)1 << n, half = len / 2;
    zkr_ext *w;

    *out = zkr_ext_from(0);
    if (n == 0) {
        *out = zkr_ext_from(t[0]);
        return ZKR_OK;
    }
    w = malloc(half * sizeof *w);
    if (!w)
        return ZKR_ERR_NOMEM;
    /* The first fold mixes base values with an ext challenge. */
    for (size_t i = 0; i < half; i++)
        w[i] = zkr_ext_add(zkr_ext_from(t[2 * i]),
                           zkr_ext_mul_base(z[0], zkr_gl_sub(t[2 * i + 1], t[2 * i])));
    for (unsigned v = 1; v < n; v++)
        zkr_mle_fix_first(w, n - v, z[v]);
    *out = w[0];
    free(w);
    return ZKR_OK;
}

zkr_ext zkr_mle_eval_monomial(const zkr_ext *c, unsigned n, const zkr_ext *z)
{
    /* Recursive halving without allocation: fold variable n-1 first, i.e.
     * f = f_lo + z_{n-1} f_hi, evaluated bottom-up on the fly. */
    zkr_ext acc = zkr_ext_from(0);
    size_t len = (size_t)1 << n;

    for (size_t i = 0; i < len; i++) {
        zkr_ext term = c[i];
        for (unsigned v = 0; v < n; v++)
            if ((i >> v) & 1)
                term = zkr_ext_mul(term, z[v]);
        acc = zkr_ext_add(acc, term);
    }
    return acc;
}

#if ZKR_MLE_X86
/* zkr_gl_sub eight lanes at a time: a - b, minus EPS where it borrowed (the same words). */
__attribute__((target("avx512f"))) static void zkr_mle_moebius_var_avx512(zkr_gl *t, size_t lo,
                                                                          size_t len, size_t bit)
{
    const __m512i eps = _mm512_set1_epi64((long long)ZKR_GL_EPS);

    for (size_t b = lo; b < lo + len; b += 2 * bit)
        for (size_t j = b; j < b + bit; j += 8) {
            __m512i x = _mm512_loadu_si512((const void *)(t + j + bit));
            __m512i y = _mm512_loadu_si512((const void *)(t + j));
            __m512i d = _mm512_sub_epi64(x, y);
            d = _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(x, y), d, eps);
            _mm512_storeu_si512((void *)(t + j + bit), d);
        }
}
#endif

#if ZKR_MLE_X86
/* t[j + bit] -= t[j] for j in [j0, j0 + run), run a multiple of 8 (the same words as zkr_gl_sub). */
__attribute__((target("avx512f"))) static void zkr_mle_moebius_run_avx512(zkr_gl *t, size_t j0,
                                                                          size_t run, size_t bit)
{
    const __m512i eps = _mm512_set1_epi64((long long)ZKR_GL_EPS);

    for (size_t j = j0; j < j0 + run; j += 8) {
        __m512i x = _mm512_loadu_si512((const void *)(t + j + bit));
        __m512i y = _mm512_loadu_si512((const void *)(t + j));
        __m512i d = _mm512_sub_epi64(x, y);
        d = _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(x, y), d, eps);
        _mm512_storeu_si512((void *)(t + j + bit), d);
    }
}
#endif

#if ZKR_MLE_X86
/* t[j + bit] -= t[j] for j in [j0, j0 + run), run a multiple of 4 (zkr_v4_sub: zkr_gl_sub's words). */
ZKR_AVX2 static void zkr_mle_moebius_run_avx2(zkr_gl *t, size_t j0, size_t run, size_t bit)
{
    for (size_t j = j0; j < j0 + run; j += 4) {
        __m256i x = _mm256_loadu_si256((const void *)(t + j + bit));
        __m256i y = _mm256_loadu_si256((const void *)(t + j));
        _mm256_storeu_si256((void *)(t + j + bit), zkr_v4_sub(x, y));
    }
}
#endif

static void zkr_mle_moebius_run(zkr_gl *t, size_t j0, size_t run, size_t bit, int lanes)
{
#if ZKR_MLE_X86
    if (lanes == 8) {
        zkr_mle_moebius_run_avx512(t, j0, run, bit);
        return;
    }
    if (lanes == 4) {
        zkr_mle_moebius_run_avx2(t, j0, run, bit);
        return;
    }
#else
    (void)lanes;
#endif
    for (size_t j = j0; j < j0 + run; j++)
        t[j + bit] = zkr_gl_sub(t[j + bit], t[j]);
}

/* Variable v's step on [lo, lo + len): t[i] -= t[i ^ 2^v] where bit v of i is set. */
static void zkr_mle_moebius_var(zkr_gl *t, size_t lo, size_t len, unsigned v, int lanes)
{
    size_t bit = (size_t)1 << v;

#if ZKR_MLE_X86
    if (lanes == 8 && bit >= 8) {
        zkr_mle_moebius_var_avx512(t, lo, len, bit);
        return;
    }
    if (lanes == 4 && bit >= 4) {
        for (size_t b = lo; b < lo + len; b += 2 * bit)
            zkr_mle_moebius_run_avx2(t, b, bit, bit);
        return;
    }
#else
    (void)lanes;
#endif
    for (size_t b = lo; b < lo + len; b += 2 * bit)
        for (size_t j = b; j < b + bit; j++)
            t[j + bit] = zkr_gl_sub(t[j + bit], t[j]);
}

/*
 * The per-variable steps commute (a tensor product of 2x2 maps), so the
 * low variables run block by block in cache (2^14 entries), then the high
 * ones as whole passes: the same field values as variable 0 .. n-1 in order.
 * Where the CPU has AVX-512F, the variables whose pairs sit 8 or more apart
 * subtract eight entries at a time, with AVX2 alone those 4 or more apart
 * four at a time (zkr_gl_sub's words, lane by lane).
 */
static void zkr_mle_mb_serial(zkr_gl *t, unsigned n, int lanes)
{
    size_t len = (size_t)1 << n;
    unsigned lowv = n < 14 ? n : 14;
    size_t blk = (size_t)1 << lowv;

    for (size_t b = 0; b < len; b += blk)
        for (unsigned v = 0; v < lowv; v++)
            zkr_mle_moebius_var(t, b, blk, v, lanes);
    for (unsigned v = lowv; v < n; v++)
        zkr_mle_moebius_var(t, 0, len, v, lanes);
}

void zkr_mle_to_monomial_base(zkr_gl *t, unsigned n)
{
    zkr_mle_mb_serial(t, n, zkr_mle_mb_lanes());
}

/*
 * The threaded form: the low variables' blocks shared out, then each high
 * variable's pairs (t[j], t[j + 2^v]), eight at a time, split between the
 * workers; every entry gets the same subtractions as in
 * zkr_mle_to_monomial_base, so the same words whatever the thread count.
 */
typedef struct {
    zkr_gl *t;
    unsigned lowv, v;
    int lanes; /* zkr_mle_mb_lanes */
} zkr_mle_mb_job;

static void zkr_mle_mb_low(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_mle_mb_job *j = ctx;
    size_t blk = (size_t)1 << j->lowv;

    (void)w;
    for (size_t b = lo; b < hi; b++)
        for (unsigned v = 0; v < j->lowv; v++)
            zkr_mle_moebius_var(j->t, b * blk, blk, v, j->lanes);
}

/* Pairs [8 lo, 8 hi) of variable v (bit >= 2^14: a run of 8 never crosses a block). */
static void zkr_mle_mb_high(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_mle_mb_job *j = ctx;
    size_t bit = (size_t)1 << j->v, p = 8 * lo, end = 8 * hi;

    (void)w;
    while (p < end) {
        size_t off = p & (bit - 1), run = bit - off < end - p ? bit - off : end - p;
        zkr_mle_moebius_run(j->t, (p - off) * 2 + off, run, bit, j->lanes);
        p += run;
    }
}

void zkr_mle_to_monomial_base_mt(zkr_gl *t, unsigned n, unsigned threads)
{
    zkr_mle_mb_job j = {t, n < 14 ? n : 14, 0, zkr_mle_mb_lanes()};
    size_t len = (size_t)1 << n;

    if (threads <= 1 || n <= 14) {
        zkr_mle_mb_serial(t, n, j.lanes); /* lanes asked once for the whole transform */
        return;
    }
    zkr_par_for(threads, len >> j.lowv, 4, zkr_mle_mb_low, &j);
    for (j.v = j.lowv; j.v < n; j.v++)
        zkr_par_for(threads, len / 16, 1 << 10, zkr_mle_mb_high, &j);
}

unsigned zkr_mle_split_point(const zkr_ext *pt, unsigned n, zkr_ext *zf, unsigned *fr,
                             uint64_t *base)
{
    unsigned nf = 0;

    *base = 0;
    for (unsigned i = 0; i < n; i++) {
        if (zkr_ext_eq(pt[i], zkr_ext_from(0)))
            continue;
        if (zkr_ext_eq(pt[i], zkr_ext_from(1))) {
            *base |= (uint64_t)1 << i;
            continue;
        }
        zf[nf] = pt[i];
        fr[nf++] = i;
    }
    return nf;
}
