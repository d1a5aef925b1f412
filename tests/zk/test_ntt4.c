/*
 * Adversarial checks of the AVX2 NTT rewrite (radix-4 stages, zkr_v4_addsub,
 * the reworked zkr_v4_mul, the threaded top stages and the shift-1 LDE
 * block 0): zkr_v4_addsub and zkr_v4_mul against the scalar field on
 * boundary grids and millions of random canonical words (outputs canonical
 * too), then the AVX2 transforms against the portable ones at every size
 * 2^0..2^18, log blowups 0..5, threads 1..4 (3 puts chunk edges mid-group
 * and off the four-lane grid), shifts 1, 7 and a generator power, the
 * verifier's small contexts (running coset powers) and a table context,
 * zkr_ntt_lde_block in place and out of place, on random words and on
 * constant edge-value inputs. Skipped where the CPU has no AVX2.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "zk/zk.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "zk/gl_avx2.h"
#define HAVE_GL_AVX2 1

/* r = four lanes of zkr_v4_addsub(a, b) (s: sum, d: difference) and zkr_v4_mul(a, b). */
ZKR_AVX2 static void avx2_lanes(const zkr_gl a[4], const zkr_gl b[4], zkr_gl s[4], zkr_gl d[4],
                                zkr_gl m[4])
{
    __m256i x = _mm256_loadu_si256((const __m256i *)a), y = _mm256_loadu_si256((const __m256i *)b);
    __m256i vs, vd;

    zkr_v4_addsub(x, y, &vs, &vd);
    _mm256_storeu_si256((__m256i *)s, vs);
    _mm256_storeu_si256((__m256i *)d, vd);
    _mm256_storeu_si256((__m256i *)m, zkr_v4_mul(x, y));
}
#else
#define HAVE_GL_AVX2 0
#endif

typedef struct {
    size_t add, sub, mul, noncanon, lanes;
} lane_bad;

/* Checks four lanes against zkr_gl_add/sub/mul and for canonical outputs. */
static void check4(const zkr_gl a[4], const zkr_gl b[4], lane_bad *bad)
{
#if HAVE_GL_AVX2
    zkr_gl s[4], d[4], m[4];

    avx2_lanes(a, b, s, d, m);
    for (int l = 0; l < 4; l++) {
        bad->add += s[l] != zkr_gl_add(a[l], b[l]);
        bad->sub += d[l] != zkr_gl_sub(a[l], b[l]);
        bad->mul += m[l] != zkr_gl_mul(a[l], b[l]);
        bad->noncanon += (s[l] >= ZKR_GL_P) + (d[l] >= ZKR_GL_P) + (m[l] >= ZKR_GL_P);
    }
    bad->lanes += 4;
#else
    (void)a, (void)b, (void)bad;
#endif
}

/* Canonical words near the boundaries the reductions and compares turn on. */
static size_t edge_grid(zkr_gl *out)
{
    static const zkr_gl base[] = {0,
                                  ZKR_GL_EPS,
                                  (zkr_gl)1 << 31,
                                  (zkr_gl)1 << 32,
                                  (zkr_gl)1 << 33,
                                  (zkr_gl)1 << 48,
                                  ((zkr_gl)1 << 63) - ZKR_GL_EPS,
                                  (zkr_gl)1 << 62,
                                  (zkr_gl)1 << 63,
                                  ZKR_GL_P / 2,
                                  (ZKR_GL_P + 1) / 2,
                                  ZKR_GL_P - ((zkr_gl)1 << 32),
                                  ZKR_GL_P - ((zkr_gl)1 << 63),
                                  ZKR_GL_P - 1};
    size_t n = 0;

    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        for (int k = -3; k <= 3; k++) {
            zkr_gl v = base[i] + (zkr_gl)(int64_t)k;
            if ((k < 0 && base[i] < (zkr_gl)-k) || v >= ZKR_GL_P)
                continue;
            out[n++] = v;
        }
    return n;
}

static zkr_gl rnd_canon(zkr_tap *t)
{
    uint64_t r;

    do
        r = zkr_tap_rand(t);
    while (r >= ZKR_GL_P);
    return r;
}

static void test_lanes(zkr_tap *t)
{
    zkr_gl grid[256];
    size_t ng = edge_grid(grid), pairs = 0;
    lane_bad eb = {0}, cb = {0}, rb = {0};
    enum { NR = 1 << 21 };

    if (!HAVE_GL_AVX2 || !zkr_cpu_avx2()) {
        zkr_tap_skip(t, "zkr_v4_addsub and zkr_v4_mul lanes: no AVX2 on this CPU");
        zkr_tap_skip(t, "zkr_v4_addsub: sums exactly p and 2^64 - 2^32: no AVX2 on this CPU");
        zkr_tap_skip(t, "zkr_v4_addsub and zkr_v4_mul, random words: no AVX2 on this CPU");
        return;
    }
    /* every ordered pair of grid words, each pair in every lane */
    for (size_t i = 0; i < ng; i++)
        for (size_t j = 0; j < ng; j++) {
            zkr_gl a[4], b[4];
            for (int l = 0; l < 4; l++) {
                a[l] = grid[(i + (size_t)l) % ng];
                b[l] = grid[(j + 7 * (size_t)l) % ng];
            }
            check4(a, b, &eb);
            pairs++;
        }
    zkr_tap_ok(t, eb.add == 0 && eb.sub == 0 && eb.mul == 0 && eb.noncanon == 0,
               "zkr_v4_addsub and zkr_v4_mul equal zkr_gl_add/sub/mul on every pair of %zu "
               "boundary words (0, 2^32 +- 3, 2^63 +- 3, p - 1 .. p - 4 ...; %zu pairs), outputs "
               "canonical (%zu, %zu, %zu differ; %zu non-canonical)",
               ng, pairs, eb.add, eb.sub, eb.mul, eb.noncanon);
    /* complements: a + b = p exactly, p - 1 = 2^64 - 2^32, p + 1, and b = a, b = p - 1 - a */
    for (size_t i = 0; i < NR / 4; i++) {
        zkr_gl a[4], b[4];
        for (int l = 0; l < 4; l++) {
            zkr_gl x = i < ng ? grid[i] : rnd_canon(t);
            unsigned k = (unsigned)(zkr_tap_rand(t) % 5);
            a[l] = x;
            b[l] = k == 0   ? (x ? ZKR_GL_P - x : 0)
                   : k == 1 ? ZKR_GL_P - 1 - x
                   : k == 2 ? (x > 1 ? ZKR_GL_P + 1 - x : x)
                   : k == 3 ? x
                            : (x ? ZKR_GL_P - x : 0) ^ (zkr_tap_rand(t) & 1);
            if (b[l] >= ZKR_GL_P)
                b[l] = ZKR_GL_P - 1;
        }
        check4(a, b, &cb);
    }
    zkr_tap_ok(t, cb.add == 0 && cb.sub == 0 && cb.noncanon == 0,
               "zkr_v4_addsub: sums exactly p and 2^64 - 2^32, p + 1, a - a: the words of "
               "zkr_gl_add/sub, canonical (%zu lanes; %zu, %zu differ; %zu non-canonical)",
               cb.lanes, cb.add, cb.sub, cb.noncanon);
    for (size_t i = 0; i < NR; i++) {
        zkr_gl a[4], b[4];
        for (int l = 0; l < 4; l++) {
            uint64_t r = zkr_tap_rand(t);
            /* half uniform, half with a high or low half forced to 0 or all ones */
            a[l] = rnd_canon(t);
            b[l] = rnd_canon(t);
            if (r & 1)
                a[l] = (r & 2 ? a[l] | 0xffffffffu : a[l] & ~(zkr_gl)0xffffffffu) % ZKR_GL_P;
            if (r & 4)
                b[l] = (r & 8 ? b[l] | (~(zkr_gl)0 << 32) : b[l] & 0xffffffffu) % ZKR_GL_P;
        }
        check4(a, b, &rb);
    }
    zkr_tap_ok(t, rb.add == 0 && rb.sub == 0 && rb.mul == 0 && rb.noncanon == 0,
               "zkr_v4_addsub and zkr_v4_mul, %zu random canonical lanes (halves forced to 0 or "
               "all ones too): zkr_gl_add/sub/mul's words, canonical (%zu, %zu, %zu differ; %zu "
               "non-canonical)",
               rb.lanes, rb.add, rb.sub, rb.mul, rb.noncanon);
}

/* The input kinds: random canonical words, then constants and patterns at the edges. */
static void fill(zkr_tap *t, zkr_gl *a, size_t n, int kind)
{
    static const zkr_gl cst[] = {ZKR_GL_P - 1, 0, 1, (zkr_gl)1 << 63, ZKR_GL_EPS,
                                 (zkr_gl)1 << 32, ZKR_GL_P - 2};
    for (size_t i = 0; i < n; i++) {
        if (kind == 0)
            a[i] = rnd_canon(t);
        else if (kind <= 7)
            a[i] = cst[kind - 1];
        else if (kind == 8) /* p - 1 and 1 alternating: sums p, differences p - 2 */
            a[i] = i & 1 ? 1 : ZKR_GL_P - 1;
        else /* p - x beside x: every top-stage sum exactly p */
            a[i] = i < n / 2 ? rnd_canon(t) % (ZKR_GL_P - 1) + 1 : ZKR_GL_P - a[i - n / 2];
    }
}
enum { NKIND = 10 };

/* AVX2 vs portable: forward, inverse and LDE of every size; threads 1..4. */
static void test_transforms(zkr_tap *t)
{
    enum { LMAX = 18, LBIG = 19 };
    size_t cap = (size_t)1 << LBIG;
    zkr_gl *in = malloc(cap * 8), *s = malloc(cap * 8), *v = malloc(cap * 8);
    zkr_ntt *big = NULL;
    static const zkr_gl shifts[] = {1, 7, 0};
    size_t fwd_bad = 0, inv_bad = 0, lde_bad = 0, blk_bad = 0, edge_bad = 0, runs = 0, lde_runs = 0;
    int ok = in && s && v && zkr_ntt_new(LBIG, &big) == ZKR_OK;

    if (ok && zkr_ntt_set_path(big, ZKR_NTT_AVX2) != ZKR_NTT_AVX2) {
        zkr_tap_skip(t, "NTT AVX2 vs portable, forward and inverse 2^0..2^18: no AVX2 on this CPU");
        zkr_tap_skip(t, "NTT AVX2 vs portable, LDE: no AVX2 on this CPU");
        zkr_tap_skip(t, "zkr_ntt_lde_block in place and out of place: no AVX2 on this CPU");
        zkr_tap_skip(t, "NTT AVX2 vs portable, edge-value inputs: no AVX2 on this CPU");
        goto out;
    }
    zkr_tap_ok(t, ok, "NTT adversarial: buffers and a 2^19 context");
    if (!ok)
        goto out;
    for (unsigned ln = 0; ln <= LMAX; ln++) {
        size_t n = (size_t)1 << ln;
        fill(t, in, n, 0);
        memcpy(s, in, n * 8);
        memcpy(v, in, n * 8);
        if (zkr_ntt_set_path(big, 0) != 0 || zkr_ntt_forward(big, s, ln) != ZKR_OK ||
            zkr_ntt_set_path(big, ZKR_NTT_AVX2) != ZKR_NTT_AVX2 ||
            zkr_ntt_forward(big, v, ln) != ZKR_OK || memcmp(s, v, n * 8) != 0) {
            zkr_tap_diag("forward 2^%u: AVX2 and portable differ", ln);
            fwd_bad++;
        }
        memcpy(s, in, n * 8);
        memcpy(v, in, n * 8);
        if (zkr_ntt_set_path(big, 0) != 0 || zkr_ntt_inverse(big, s, ln) != ZKR_OK ||
            zkr_ntt_set_path(big, ZKR_NTT_AVX2) != ZKR_NTT_AVX2 ||
            zkr_ntt_inverse(big, v, ln) != ZKR_OK || memcmp(s, v, n * 8) != 0) {
            zkr_tap_diag("inverse 2^%u: AVX2 and portable differ", ln);
            inv_bad++;
        }
        runs++;
    }
    zkr_tap_ok(t, fwd_bad == 0 && inv_bad == 0,
               "NTT AVX2 vs portable: forward and inverse at every size 2^0..2^18, the same words "
               "(%zu, %zu of %zu sizes differ)", fwd_bad, inv_bad, runs);

    /* LDE: the verifier's small context (log_max = log_n, running coset powers) and the
     * 2^19 table context; block 0 of shift 1 is the AVX2 plain-DIF path */
    for (unsigned ln = 0; ln <= LMAX; ln++) {
        size_t n = (size_t)1 << ln;
        zkr_ntt *small = NULL;
        if (zkr_ntt_new(ln ? ln : 1, &small) != ZKR_OK) {
            lde_bad++;
            continue;
        }
        fill(t, in, n, 0);
        for (unsigned lb = 0; lb <= 5 && ln + lb <= LBIG; lb++) {
            size_t total = n << lb;
            for (int c = 0; c < 2; c++) {
                zkr_ntt *ctx = c ? big : small;
                for (size_t si = 0; si < 3; si++) {
                    zkr_gl sh = shifts[si] ? shifts[si] : zkr_gl_root_of_unity(ln + lb + 1);
                    /* the portable single-thread words are the reference */
                    if (zkr_ntt_set_path(ctx, 0) != 0 ||
                        zkr_ntt_lde(ctx, in, ln, lb, sh, 1, s) != ZKR_OK) {
                        lde_bad++;
                        continue;
                    }
                    for (unsigned th = 1; th <= 4; th++) {
                        /* the big sizes: threads 1 and 3 (3: chunks end mid-group) */
                        if (ln + lb > 17 && th != 1 && th != 3)
                            continue;
                        if (ln + lb > 19 && si == 2)
                            continue;
                        if (zkr_ntt_set_path(ctx, ZKR_NTT_AVX2) != ZKR_NTT_AVX2 ||
                            zkr_ntt_lde(ctx, in, ln, lb, sh, th, v) != ZKR_OK ||
                            memcmp(s, v, total * 8) != 0) {
                            zkr_tap_diag("LDE 2^%u blowup 2^%u shift %llu threads %u (%s context): "
                                         "AVX2 and portable differ", ln, lb,
                                         (unsigned long long)sh, th, c ? "table" : "small");
                            lde_bad++;
                        }
                        lde_runs++;
                    }
                }
            }
            /* zkr_ntt_lde_block, each block out of place and in place, AVX2 (shift 1: block 0
             * is the copy + plain DIF, in place the memmove onto itself) */
            if (ln <= 18 && zkr_ntt_set_path(small, 0) == 0 &&
                zkr_ntt_lde(small, in, ln, lb, 1, 1, s) == ZKR_OK) {
                /* exactly 2^log_n words each, so a sanitizer sees any access past them */
                zkr_gl *ec = malloc(n * 8), *eb = malloc(n * 8);
                zkr_ntt_set_path(small, ZKR_NTT_AVX2);
                for (size_t tb = 0; ec && eb && tb < ((size_t)1 << lb); tb++) {
                    unsigned th = 1 + (unsigned)(tb % 3);
                    memcpy(ec, in, n * 8);
                    memset(eb, 0xa5, n * 8);
                    if (zkr_ntt_lde_block(small, ec, ln, lb, 1, th, tb, eb) != ZKR_OK ||
                        memcmp(eb, s + tb * n, n * 8) != 0)
                        blk_bad++;
                    if (zkr_ntt_lde_block(small, ec, ln, lb, 1, th, tb, ec) != ZKR_OK ||
                        memcmp(ec, s + tb * n, n * 8) != 0)
                        blk_bad++;
                }
                blk_bad += !ec || !eb;
                /* the verifier's layout (zk/hiding_pcs.c): the coefficients right after the
                 * codeword in one exactly sized array, the LDE written in front of them */
                zkr_gl *va = malloc(((n << lb) + n) * 8);
                if (!va || (memcpy(va + (n << lb), in, n * 8),
                            zkr_ntt_lde(small, va + (n << lb), ln, lb, 1, 1, va)) != ZKR_OK ||
                    memcmp(va, s, (n << lb) * 8) != 0)
                    blk_bad++;
                free(va);
                free(ec);
                free(eb);
                if (blk_bad)
                    zkr_tap_diag("lde_block 2^%u blowup 2^%u: %zu blocks differ", ln, lb, blk_bad);
            }
        }
        zkr_ntt_free(small);
    }
    zkr_tap_ok(t, lde_bad == 0,
               "NTT AVX2 vs portable, LDE 2^0..2^18 at log blowups 0..5 (to 2^19 words), shifts "
               "1, 7 and a root of unity, threads 1..4, small and table contexts: the same words "
               "(%zu of %zu runs differ)", lde_bad, lde_runs);
    zkr_tap_ok(t, blk_bad == 0,
               "zkr_ntt_lde_block (AVX2, shift 1) in place and out of place, and the verifier's "
               "layout: each block the portable zkr_ntt_lde's (2^0..2^18, blowups 0..5, exactly "
               "sized buffers; %zu differ)", blk_bad);

    /* constants and patterns: every butterfly's sum exactly p, p - 1 + p - 1, zeros */
    for (int kind = 1; kind < NKIND; kind++)
        for (unsigned ln = 1; ln <= 18; ln += (ln < 12 ? 1 : 3)) {
            size_t n = (size_t)1 << ln;
            unsigned lb = ln < 16 ? 2 : 1;
            fill(t, in, n, kind);
            memcpy(s, in, n * 8);
            memcpy(v, in, n * 8);
            if (zkr_ntt_set_path(big, 0) != 0 || zkr_ntt_forward(big, s, ln) != ZKR_OK ||
                zkr_ntt_set_path(big, ZKR_NTT_AVX2) != ZKR_NTT_AVX2 ||
                zkr_ntt_forward(big, v, ln) != ZKR_OK || memcmp(s, v, n * 8) != 0)
                edge_bad++;
            if (zkr_ntt_set_path(big, 0) != 0 ||
                zkr_ntt_lde(big, in, ln, lb, 1, 1, s) != ZKR_OK ||
                zkr_ntt_set_path(big, ZKR_NTT_AVX2) != ZKR_NTT_AVX2 ||
                zkr_ntt_lde(big, in, ln, lb, 1, 3, v) != ZKR_OK ||
                memcmp(s, v, (n << lb) * 8) != 0)
                edge_bad++;
            for (size_t i = 0; i < (n << lb); i++)
                edge_bad += v[i] >= ZKR_GL_P;
            if (edge_bad)
                zkr_tap_diag("edge input kind %d at 2^%u: %zu differ", kind, ln, edge_bad);
        }
    zkr_tap_ok(t, edge_bad == 0,
               "NTT AVX2 vs portable, edge-value inputs (all p - 1, 0, 1, 2^63, 2^32 - 1, 2^32, "
               "p - 2; p - 1 and 1 alternating; x beside p - x): forward and LDE the same "
               "canonical words (%zu differ)", edge_bad);
out:
    zkr_ntt_free(big);
    free(in);
    free(s);
    free(v);
}

/*
 * The transforms' contract (zk/zk.h): canonical words in. Test builds
 * refuse a word >= p at every entry point, on every path, so a caller that
 * passed one would fail its own suite rather than get path-dependent words.
 */
static void test_canon_contract(zkr_tap *t)
{
    enum { LN = 6, N = 1 << LN };
    zkr_gl a[N], out[4 * N];
    zkr_ntt *n = NULL;
    int ok = zkr_ntt_new(LN + 2, &n) == ZKR_OK, refused = 1, accepted = 1;

    if (!ZKR_TEST_BUILD) {
        zkr_tap_skip(t, "transforms refuse words >= p: a build without test hooks skips the check");
        zkr_tap_skip(t, "transforms take the same words once canonical: no check to twin");
        zkr_ntt_free(n);
        return;
    }
    for (unsigned path = 0; ok && path < 2; path++) {
        if (path && zkr_ntt_set_path(n, ZKR_NTT_AVX2) != ZKR_NTT_AVX2)
            break;
        for (size_t bad = 0; bad < N; bad += N / 4 - 1) {
            for (size_t i = 0; i < N; i++)
                a[i] = (zkr_gl)(i * 0x9e3779b97f4a7c15ull % ZKR_GL_P);
            a[bad] = bad % 2 ? ZKR_GL_P : UINT64_MAX;
            refused &= zkr_ntt_forward(n, a, LN) == ZKR_ERR_USAGE;
            refused &= zkr_ntt_inverse(n, a, LN) == ZKR_ERR_USAGE;
            refused &= zkr_ntt_lde(n, a, LN, 2, 1, 1, out) == ZKR_ERR_USAGE;
            refused &= zkr_ntt_lde(n, a, LN, 2, 7, 2, out) == ZKR_ERR_USAGE;
            refused &= zkr_ntt_lde_block(n, a, LN, 2, 1, 1, 0, out) == ZKR_ERR_USAGE;
            a[bad] = zkr_gl_canon(a[bad]);
            accepted &= zkr_ntt_forward(n, a, LN) == ZKR_OK;
            accepted &= zkr_ntt_inverse(n, a, LN) == ZKR_OK;
            accepted &= zkr_ntt_lde(n, a, LN, 2, 1, 1, out) == ZKR_OK;
            accepted &= zkr_ntt_lde_block(n, a, LN, 2, 1, 1, 0, out) == ZKR_OK;
        }
    }
    zkr_tap_ok(t, ok && refused,
               "transforms refuse words >= p (p and 2^64 - 1 at four positions; forward, inverse, "
               "lde, lde_block; portable and AVX2 paths): ZKR_ERR_USAGE");
    zkr_tap_ok(t, ok && accepted, "the same inputs reduced mod p are transformed (ZKR_OK)");
    zkr_ntt_free(n);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_lanes(&t);
    test_transforms(&t);
    test_canon_contract(&t);
    return zkr_tap_done(&t);
}
