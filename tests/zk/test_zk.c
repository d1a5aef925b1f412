/*
 * zk core: field vs an __int128 reference, extension field laws, NTT vs a
 * naive DFT, transcript determinism and separation, Merkle multi-open
 * accept/reject, sumcheck completeness/soundness smoke, Basefold batched
 * opening and tamper rejection, strict codecs.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "zk/zk.h"
#include "zk/zk_int.h"

static zkr_gl ref_mul(zkr_gl a, zkr_gl b)
{
    return (zkr_gl)(((unsigned __int128)a * b) % ZKR_GL_P);
}

static zkr_gl rnd_gl(zkr_tap *t)
{
    /* Bias towards edge values: 0, 1, p-1, 2^32 boundaries. */
    static const zkr_gl edge[] = {0, 1, 2, ZKR_GL_P - 1, ZKR_GL_P - 2, ZKR_GL_EPS, ZKR_GL_EPS + 1,
                                  (zkr_gl)1 << 32, ((zkr_gl)1 << 63), ZKR_GL_P - ZKR_GL_EPS};
    uint64_t r = zkr_tap_rand(t);
    if (r % 8 == 0)
        return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
    return zkr_tap_rand(t) % ZKR_GL_P;
}

static void test_field(zkr_tap *t)
{
    size_t bad_mul = 0, bad_add = 0, bad_sub = 0, bad_red = 0;
    for (int i = 0; i < 200000; i++) {
        zkr_gl a = rnd_gl(t), b = rnd_gl(t);
        if (zkr_gl_mul(a, b) != ref_mul(a, b))
            bad_mul++;
        if (zkr_gl_add(a, b) != (zkr_gl)(((unsigned __int128)a + b) % ZKR_GL_P))
            bad_add++;
        if (zkr_gl_sub(a, b) != (zkr_gl)(((unsigned __int128)a + ZKR_GL_P - b) % ZKR_GL_P))
            bad_sub++;
        uint64_t lo = zkr_tap_rand(t), hi = zkr_tap_rand(t);
        if (i % 3 == 0)
            hi = UINT64_MAX - (hi & 3);
        unsigned __int128 v = ((unsigned __int128)hi << 64) | lo;
        if (zkr_gl_reduce128(lo, hi) != (zkr_gl)(v % ZKR_GL_P))
            bad_red++;
    }
    zkr_tap_ok(t, bad_mul == 0, "mul matches __int128 reference (200000 pairs)");
    zkr_tap_ok(t, bad_add == 0, "add matches reference");
    zkr_tap_ok(t, bad_sub == 0, "sub matches reference");
    zkr_tap_ok(t, bad_red == 0, "reduce128 matches reference, incl. near 2^128");
    /* Exhaustive corners: all pairs from a set of boundary values. */
    zkr_gl corner[64];
    size_t nc = 0, bad = 0;
    for (int s = 0; s < 4; s++)
        for (int d = -3; d <= 3; d++) {
            zkr_gl base[] = {0, ZKR_GL_EPS, (zkr_gl)1 << 63, ZKR_GL_P - 1};
            corner[nc++] = (base[s] + (zkr_gl)(int64_t)d) % ZKR_GL_P;
        }
    for (size_t i = 0; i < nc; i++)
        for (size_t j = 0; j < nc; j++)
            if (zkr_gl_mul(corner[i], corner[j]) != ref_mul(corner[i], corner[j]) ||
                zkr_gl_add(corner[i], corner[j]) !=
                    (zkr_gl)(((unsigned __int128)corner[i] + corner[j]) % ZKR_GL_P))
                bad++;
    zkr_tap_ok(t, bad == 0, "all %zu x %zu boundary pairs agree", nc, nc);
    size_t bad_inv = 0;
    for (int i = 0; i < 2000; i++) {
        zkr_gl a = rnd_gl(t);
        if (a && zkr_gl_mul(a, zkr_gl_inv(a)) != 1)
            bad_inv++;
    }
    zkr_tap_ok(t, bad_inv == 0 && zkr_gl_inv(0) == 0, "inverse (and inv 0 = 0)");
    zkr_gl arr[257], orig[257];
    for (int i = 0; i < 257; i++)
        arr[i] = orig[i] = rnd_gl(t) % (ZKR_GL_P - 1) + 1;
    zkr_err r = zkr_gl_batch_inv(arr, 257);
    size_t bad_b = 0;
    for (int i = 0; i < 257; i++)
        if (zkr_gl_mul(arr[i], orig[i]) != 1)
            bad_b++;
    zkr_tap_ok(t, r == ZKR_OK && bad_b == 0, "batch inversion");
    arr[5] = 0;
    zkr_tap_ok(t, zkr_gl_batch_inv(arr, 257) == ZKR_ERR_USAGE, "batch inversion rejects 0");
    zkr_tap_ok(t, zkr_gl_from_i64(-1) == ZKR_GL_P - 1 && zkr_gl_from_i64(INT64_MIN) ==
                                                             ZKR_GL_P - ((zkr_gl)1 << 63),
               "signed mapping");
    zkr_gl w = zkr_gl_root_of_unity(32);
    zkr_tap_ok(t, zkr_gl_pow(w, (uint64_t)1 << 31) == ZKR_GL_P - 1 &&
                      zkr_gl_pow(w, (uint64_t)1 << 32) == 1,
               "2^32-th root of unity is primitive");
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "zk/gl_avx2.h"
#define HAVE_GL_AVX2 1

enum { OP_ADD, OP_SUB, OP_MUL, OP_CANON };

/* Four lanes of op through zk/gl_avx2.h (b unused by canon). */
ZKR_AVX2 static void avx2_op4(int op, const zkr_gl a[4], const zkr_gl b[4], zkr_gl r[4])
{
    __m256i x = _mm256_loadu_si256((const __m256i *)a), y = _mm256_loadu_si256((const __m256i *)b);
    __m256i z = op == OP_ADD   ? zkr_v4_add(x, y)
                : op == OP_SUB ? zkr_v4_sub(x, y)
                : op == OP_MUL ? zkr_v4_mul(x, y)
                               : zkr_v4_canon(x);
    _mm256_storeu_si256((__m256i *)r, z);
}
#include "zk/gl_avx512.h"
#include <cpuid.h>

/* Eight lanes of op through zk/gl_avx512.h (b unused by canon): the NTT's
 * AVX-512 butterflies, radix-2, radix-4 and the in-register tails. */
ZKR_AVX512 static void avx512_op8(int op, const zkr_gl a[8], const zkr_gl b[8], zkr_gl r[8])
{
    __m512i x = _mm512_loadu_si512((const void *)a), y = _mm512_loadu_si512((const void *)b);
    __m512i z = op == OP_ADD   ? zkr_v_add(x, y)
                : op == OP_SUB ? zkr_v_sub(x, y)
                : op == OP_MUL ? zkr_v_mul(x, y)
                               : zkr_v_canon(x);
    _mm512_storeu_si512((void *)r, z);
}

/*
 * The CPU check zk/cpu.c ran before it read libgcc's CPU model, kept here
 * as the reference: CPUID leaf 7 EBX bit 16 (AVX512F) or 5 (AVX2), and
 * XGETBV showing the OS saving the state those registers need (XCR0 bits
 * 1, 2, 5, 6, 7 for AVX-512; 1, 2 and leaf 1 ECX bit 28 for AVX2). A CPU
 * with the instructions but an OS that does not save the ZMM state must
 * get the portable or AVX2 path, or the first ZMM instruction faults.
 */
static int ref_cpu_has(int want_avx512)
{
    unsigned a, b, c, d, lo, hi;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)) ||
        (!want_avx512 && !(c & (1u << 28))))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & (want_avx512 ? 0xe6u : 0x6u)) != (want_avx512 ? 0xe6u : 0x6u))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << (want_avx512 ? 16 : 5))) != 0;
}
#else
#define HAVE_GL_AVX2 0
#endif

/* Which of zkr_gl_reduce128's three conditional corrections a * b takes (bits 0, 1, 2). */
static unsigned mul_branches(zkr_gl a, zkr_gl b)
{
    unsigned __int128 t = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)t, hi = (uint64_t)(t >> 64), hh = hi >> 32, hl = hi & ZKR_GL_EPS;
    uint64_t t0 = lo - hh - (lo < hh ? ZKR_GL_EPS : 0), t1 = hl * ZKR_GL_EPS, t2 = t0 + t1;
    unsigned m = (lo < hh) | (unsigned)(t2 < t1) << 1;

    t2 += t2 < t1 ? ZKR_GL_EPS : 0;
    return m | (unsigned)(t2 >= ZKR_GL_P) << 2;
}

/* One more value of the lane test's stream: uniform, or near a boundary the reductions test. */
static zkr_gl lane_val(zkr_tap *t)
{
    static const zkr_gl base[] = {0, ZKR_GL_EPS, (zkr_gl)1 << 32, (zkr_gl)1 << 63, ZKR_GL_P - 1,
                                  ZKR_GL_P - ZKR_GL_EPS, (zkr_gl)1 << 48, ZKR_GL_P / 2};
    uint64_t r = zkr_tap_rand(t);

    if (r % 4 == 0)
        return zkr_tap_rand(t) % ZKR_GL_P;
    if (r % 4 == 1) /* a multiple of 2^32 plus a little: low product halves near zero */
        return ((zkr_tap_rand(t) << 32) + ((r >> 8) & 7)) % ZKR_GL_P;
    return (base[(r >> 2) % 8] + (zkr_gl)((r >> 8) & 15) - 8) % ZKR_GL_P;
}

/* Compares `lanes` lanes of op (4: zk/gl_avx2.h, 8: zk/gl_avx512.h) against
 * the scalar function; returns the lanes that differ. */
static unsigned lane_check(int op, const zkr_gl *a, const zkr_gl *b, unsigned lanes)
{
#if HAVE_GL_AVX2
    zkr_gl r[8];
    unsigned bad = 0;

    if (lanes == 8)
        avx512_op8(op, a, b, r);
    else
        avx2_op4(op, a, b, r);
    for (unsigned l = 0; l < lanes; l++) {
        zkr_gl want = op == OP_ADD   ? zkr_gl_add(a[l], b[l])
                      : op == OP_SUB ? zkr_gl_sub(a[l], b[l])
                      : op == OP_MUL ? zkr_gl_mul(a[l], b[l])
                                     : zkr_gl_canon(a[l]);
        bad += r[l] != want;
    }
    return bad;
#else
    (void)op, (void)a, (void)b, (void)lanes;
    return 0;
#endif
}

/*
 * One lane width's arithmetic (4: zk/gl_avx2.h, 8: zk/gl_avx512.h) lane by
 * lane against zkr_gl_add/sub/mul/canon: every pair of edge values (each
 * pair in every lane position, beside other pairs), then nr groups of
 * random and near-boundary values; products must reach each of
 * zkr_gl_reduce128's corrections, or the test proves nothing about them.
 * Every NTT word of that path comes out of these four, and the NTT
 * comparisons would only show a wrong lane where a transform happens to
 * feed it the input that breaks it.
 */
static void test_gl_lanes(zkr_tap *t, const char *name, unsigned lanes, size_t nr)
{
    static const zkr_gl edge[] = {0, 1, 2, 3, ZKR_GL_EPS - 1, ZKR_GL_EPS, (zkr_gl)1 << 32,
                                  ((zkr_gl)1 << 32) + 1, ((zkr_gl)1 << 48), ((zkr_gl)1 << 63) - 1,
                                  (zkr_gl)1 << 63, ((zkr_gl)1 << 63) + 1, ZKR_GL_P / 2,
                                  ZKR_GL_P / 2 + 1, ZKR_GL_P - ZKR_GL_EPS - 1,
                                  ZKR_GL_P - ZKR_GL_EPS, ZKR_GL_P - ((zkr_gl)1 << 32),
                                  ZKR_GL_P - 3, ZKR_GL_P - 2, ZKR_GL_P - 1};
    enum { NE = sizeof edge / sizeof edge[0] };
    /* canon takes any 64-bit word, not only canonical ones */
    static const zkr_gl wide[8] = {ZKR_GL_P,     ZKR_GL_P + 1, UINT64_MAX - 1, UINT64_MAX,
                                   ZKR_GL_P - 1, ZKR_GL_P + 2, 0,              ZKR_GL_EPS};
    unsigned bad[4] = {0}, hit = 0;
    size_t pairs = 0;

    for (size_t i = 0; i < NE; i++)
        for (size_t j = 0; j < NE; j++)
            for (unsigned l = 0; l < lanes; l++) {
                zkr_gl a[8], b[8];
                for (unsigned k = 0; k < lanes; k++) {
                    a[k] = edge[(i + 3 * (size_t)k) % NE];
                    b[k] = edge[(j + 5 * (size_t)k) % NE];
                }
                a[l] = edge[i];
                b[l] = edge[j];
                for (int op = 0; op < 4; op++)
                    bad[op] += lane_check(op, a, b, lanes);
                hit |= mul_branches(edge[i], edge[j]);
                pairs++;
            }
    for (size_t i = 0; i < nr; i++) {
        zkr_gl a[8], b[8];
        for (unsigned k = 0; k < lanes; k++) {
            a[k] = lane_val(t);
            b[k] = lane_val(t);
            hit |= mul_branches(a[k], b[k]);
        }
        for (int op = 0; op < 4; op++)
            bad[op] += lane_check(op, a, b, lanes);
    }
    for (size_t i = 0; i + lanes <= 8; i += lanes)
        bad[OP_CANON] += lane_check(OP_CANON, wide + i, wide + i, lanes);
    zkr_tap_ok(t, bad[OP_ADD] == 0 && bad[OP_SUB] == 0,
               "%s: add and sub equal zkr_gl_add/sub lane by lane (%zu edge pairs in each "
               "lane, %zu random groups of %u; %u, %u lanes differ)", name, pairs / lanes, nr,
               lanes, bad[OP_ADD], bad[OP_SUB]);
    zkr_tap_ok(t, bad[OP_MUL] == 0 && hit == 7,
               "%s: mul equals zkr_gl_mul lane by lane, products reaching reduce128's "
               "borrow, carry and final subtraction (branches hit %#x of 0x7; %u lanes differ)",
               name, hit, bad[OP_MUL]);
    zkr_tap_ok(t, bad[OP_CANON] == 0, "%s: canon equals zkr_gl_canon, p .. 2^64-1 included "
               "(%u lanes differ)", name, bad[OP_CANON]);
}

static void test_gl_avx2(zkr_tap *t)
{
    if (!HAVE_GL_AVX2 || !zkr_cpu_avx2()) {
        zkr_tap_skip(t, "gl_avx2 lanes against zkr_gl_add/sub/mul: no AVX2 on this CPU (the NTT "
                        "runs its AVX-512 or portable butterflies)");
        return;
    }
    test_gl_lanes(t, "gl_avx2", 4, (size_t)1 << 18);
}

static void test_gl_avx512(zkr_tap *t)
{
    if (!HAVE_GL_AVX2 || !zkr_cpu_avx512f()) {
        zkr_tap_skip(t, "gl_avx512 lanes against zkr_gl_add/sub/mul: no AVX-512F on this CPU");
        return;
    }
    test_gl_lanes(t, "gl_avx512", 8, (size_t)1 << 17);
}

/*
 * zkr_cpu_avx512f and zkr_cpu_avx2 read libgcc's CPU model since 5071748
 * (__builtin_cpu_supports, filled once at load), not CPUID per call. They
 * must still say what the CPUID + XGETBV check says (ref_cpu_has): a model
 * that counted AVX512F without the OS saving the ZMM state would send the
 * NTT onto instructions that fault, and one that left it out would only
 * cost speed; either way this host's answer must be the reference's. The
 * ZKR_NO_AVX512 switch turns both off as before.
 */
static void test_cpu_check(zkr_tap *t)
{
#if HAVE_GL_AVX2
    int off = zkr_simd_env_off();
    int want512 = ref_cpu_has(1) && !off, want2 = ref_cpu_has(0) && !off;

    zkr_tap_ok(t, zkr_cpu_avx512f() == want512 && zkr_cpu_avx2() == want2,
               "zkr_cpu_avx512f (%d) and zkr_cpu_avx2 (%d) equal the CPUID + XGETBV check "
               "(%d, %d; ZKR_NO_AVX512 %s)", zkr_cpu_avx512f(), zkr_cpu_avx2(), want512, want2,
               off ? "set" : "unset");
#else
    zkr_tap_skip(t, "CPU check against CPUID + XGETBV: not x86-64 GCC/Clang");
#endif
}

static void test_ext(zkr_tap *t)
{
    size_t bad = 0;
    for (int i = 0; i < 2000; i++) {
        zkr_ext a = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}}, b = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}},
                c = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
        /* Reference product: schoolbook with x^3 = x + 1 using ref_mul. */
        zkr_gl d[5] = {0};
        for (int u = 0; u < 3; u++)
            for (int v = 0; v < 3; v++)
                d[u + v] = zkr_gl_add(d[u + v], ref_mul(a.c[u], b.c[v]));
        zkr_ext ref = {{zkr_gl_add(d[0], d[3]), zkr_gl_add(zkr_gl_add(d[1], d[3]), d[4]),
                        zkr_gl_add(d[2], d[4])}};
        if (!zkr_ext_eq(zkr_ext_mul(a, b), ref))
            bad++;
        if (!zkr_ext_eq(zkr_ext_mul(zkr_ext_mul(a, b), c), zkr_ext_mul(a, zkr_ext_mul(b, c))))
            bad++;
        if (!zkr_ext_eq(zkr_ext_mul(a, zkr_ext_add(b, c)),
                        zkr_ext_add(zkr_ext_mul(a, b), zkr_ext_mul(a, c))))
            bad++;
        if ((a.c[0] | a.c[1] | a.c[2]) && !zkr_ext_eq(zkr_ext_mul(a, zkr_ext_inv(a)),
                                                      zkr_ext_from(1)))
            bad++;
    }
    zkr_tap_ok(t, bad == 0, "extension: product vs reference, associativity, distributivity, inverse");
    {
        /* Edge coefficients: near p (the accumulators' top word at its largest), 0, 1, 2^32. */
        static const zkr_gl edge[] = {0, 1, 2, ZKR_GL_P - 1, ZKR_GL_P - 2, (zkr_gl)1 << 32,
                                      ((zkr_gl)1 << 32) - 1, (zkr_gl)1 << 63, ZKR_GL_P - ((zkr_gl)1 << 32)};
        size_t ne = sizeof edge / sizeof *edge, ebad = 0;
        for (int i = 0; i < 4000; i++) {
            zkr_ext a, b;
            zkr_gl d[5] = {0};
            for (int u = 0; u < 3; u++) {
                a.c[u] = edge[rnd_gl(t) % ne];
                b.c[u] = edge[rnd_gl(t) % ne];
            }
            for (int u = 0; u < 3; u++)
                for (int v = 0; v < 3; v++)
                    d[u + v] = zkr_gl_add(d[u + v], ref_mul(a.c[u], b.c[v]));
            zkr_ext ref = {{zkr_gl_add(d[0], d[3]), zkr_gl_add(zkr_gl_add(d[1], d[3]), d[4]),
                            zkr_gl_add(d[2], d[4])}};
            ebad += !zkr_ext_eq(zkr_ext_mul(a, b), ref);
        }
        zkr_tap_ok(t, ebad == 0, "extension: product vs reference on edge coefficients (p - 1, 2^32, ...)");
    }
    /* x^3 - x - 1 irreducible: no root in F_p <=> x^p != x mod f and the field has inverses
     * for every sampled element; check the Frobenius has order 3 on x. */
    zkr_ext x = {{0, 1, 0}}, xp = x;
    for (int i = 0; i < 3; i++) {
        zkr_ext r = zkr_ext_from(1), b = xp;
        uint64_t e = ZKR_GL_P;
        while (e) {
            if (e & 1)
                r = zkr_ext_mul(r, b);
            b = zkr_ext_mul(b, b);
            e >>= 1;
        }
        xp = r;
        if (i < 2 && zkr_ext_eq(xp, x))
            bad++;
    }
    zkr_tap_ok(t, bad == 0 && zkr_ext_eq(xp, x), "Frobenius of x has order exactly 3 (irreducible)");
}

/*
 * One SIMD path's NTT and coset LDE against the portable ones: every size
 * up to 2^17 (the blocked path, the fused first LDE stage, the in-register
 * last stages), blowups 0..2, shifts 1 and 7 (table and running powers), 1
 * and 2 threads: the same words. a: 2^17 random words; s, v: 2^19 each.
 */
/* The coset LDE of a's 2^ln words on the portable path (into s) and on path (into v): equal. */
static int ntt_lde_same(zkr_ntt *ntt, int path, const zkr_gl *a, unsigned ln, unsigned lb,
                        zkr_gl shift, unsigned th, zkr_gl *s, zkr_gl *v)
{
    size_t n = (size_t)1 << ln;

    return zkr_ntt_set_path(ntt, 0) == 0 && zkr_ntt_lde(ntt, a, ln, lb, shift, th, s) == ZKR_OK &&
           zkr_ntt_set_path(ntt, path) == path &&
           zkr_ntt_lde(ntt, a, ln, lb, shift, th, v) == ZKR_OK &&
           memcmp(s, v, (n << lb) * 8) == 0;
}

/* The forward (inverse 0) or inverse transform of a's 2^ln words on both paths: equal. */
static int ntt_xform_same(zkr_ntt *ntt, int path, const zkr_gl *a, unsigned ln, int inverse,
                          zkr_gl *s, zkr_gl *v)
{
    size_t n = (size_t)1 << ln;
    zkr_err (*f)(const zkr_ntt *, zkr_gl *, unsigned) = inverse ? zkr_ntt_inverse : zkr_ntt_forward;

    memcpy(s, a, n * 8);
    memcpy(v, a, n * 8);
    return zkr_ntt_set_path(ntt, 0) == 0 && f(ntt, s, ln) == ZKR_OK &&
           zkr_ntt_set_path(ntt, path) == path && f(ntt, v, ln) == ZKR_OK &&
           memcmp(s, v, n * 8) == 0;
}

static int ntt_path_same(zkr_ntt *ntt, int path, const zkr_gl *a, zkr_gl *s, zkr_gl *v)
{
    int ok = 1;

    for (unsigned ln = 0; ok && ln <= 17; ln++)
        for (unsigned lb = 0; ok && lb <= 2; lb++)
            for (unsigned th = 1; ok && th <= 2; th++)
                ok = ntt_lde_same(ntt, path, a, ln, lb, th == 1 ? 1 : 7, th, s, v) &&
                     ntt_xform_same(ntt, path, a, ln, 0, s, v);
    return ok;
}

/* Every SIMD butterfly path this CPU runs (an AVX-512 machine checks its AVX2 path too). */
static void test_ntt_paths(zkr_tap *t)
{
    static const struct {
        int path;
        const char *name;
    } paths[] = {{ZKR_NTT_AVX2, "AVX2"}, {ZKR_NTT_AVX512, "AVX-512"}};
    zkr_ntt *ntt = NULL;
    size_t big = (size_t)1 << 19;
    zkr_gl *a = malloc(big * 8), *s = malloc(big * 8), *v = malloc(big * 8);
    int ok = zkr_ntt_new(19, &ntt) == ZKR_OK && a && s && v, best;

    for (size_t i = 0; ok && i < big; i++)
        a[i] = rnd_gl(t);
    best = ok ? zkr_ntt_set_simd(ntt, 1) : 0;
    zkr_tap_ok(t, ok && best == (zkr_cpu_avx512f()  ? ZKR_NTT_AVX512
                                 : zkr_cpu_avx2() ? ZKR_NTT_AVX2
                                                  : 0) &&
                      zkr_ntt_set_simd(ntt, 0) == 0,
               "NTT: zkr_ntt_set_simd(1) takes the best path this CPU runs (%d), 0 the portable",
               best);
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        if (!ok || zkr_ntt_set_path(ntt, paths[k].path) != paths[k].path) {
            zkr_tap_ok(t, ok && paths[k].path != best && zkr_ntt_set_path(ntt, 0) == 0,
                       "NTT: the %s path is not available on this CPU (portable taken instead)",
                       paths[k].name);
            zkr_tap_skip(t, paths[k].path == ZKR_NTT_AVX2
                                ? "NTT and coset LDE, AVX2 butterflies: no AVX2 on this CPU"
                                : "NTT and coset LDE, AVX-512 butterflies: no AVX-512F on this "
                                  "CPU");
            continue;
        }
        zkr_tap_ok(t, ntt_path_same(ntt, paths[k].path, a, s, v),
                   "NTT and coset LDE: %s butterflies give the portable ones' words (2^0..2^17, "
                   "blowup 0..2, shifts 1 and 7, 1 and 2 threads)", paths[k].name);
    }
    zkr_ntt_free(ntt);
    free(a);
    free(s);
    free(v);
}

/*
 * Inputs test_ntt_paths leaves out, against the portable words: structured
 * words (all p - 1, 0 and p - 1 alternating, edge values cycled, values just
 * below p), blowups up to 6, the verifier's context (zkr_hpcs_x_final_vals:
 * zkr_ntt_new(log_n), so shift 1 takes running powers, not the table), 3
 * threads where zkr_par_for's chunk edges fall inside a group of four (the
 * top stages from 2^17, the fused first stage from 2^16), and one 2^20
 * transform (the prover's largest stage count). A lane or remainder bug on
 * such words would make a verdict depend on the CPU.
 */
static void ntt_fill(zkr_tap *t, zkr_gl *a, size_t n, unsigned pat)
{
    static const zkr_gl edge[] = {0, 1, ZKR_GL_P - 1, ZKR_GL_P - 2, ZKR_GL_EPS,
                                  (zkr_gl)1 << 32, (zkr_gl)1 << 63, ZKR_GL_P - ZKR_GL_EPS,
                                  ZKR_GL_EPS - 1, ((zkr_gl)1 << 63) - 1, 2};

    for (size_t i = 0; i < n; i++)
        a[i] = pat == 0   ? ZKR_GL_P - 1
               : pat == 1 ? (i & 1 ? ZKR_GL_P - 1 : 0)
               : pat == 2 ? edge[i % (sizeof edge / sizeof edge[0])]
                          : ZKR_GL_P - 1 - zkr_tap_rand(t) % 65536;
}

/* One case on path and portable, on the words in a: zkr_ntt_lde (and, with
 * blowup 0 and one thread, zkr_ntt_forward) give the same words. */
static int ntt_case_same(zkr_ntt *ntt, int path, const zkr_gl *a, unsigned ln, unsigned lb,
                         zkr_gl shift, unsigned th, zkr_gl *s, zkr_gl *v)
{
    size_t n = (size_t)1 << ln;
    int ok = zkr_ntt_set_path(ntt, 0) == 0 &&
             zkr_ntt_lde(ntt, a, ln, lb, shift, th, s) == ZKR_OK &&
             zkr_ntt_set_path(ntt, path) == path &&
             zkr_ntt_lde(ntt, a, ln, lb, shift, th, v) == ZKR_OK &&
             memcmp(s, v, (n << lb) * 8) == 0;

    if (ok && lb == 0 && th == 1) {
        memcpy(s, a, n * 8);
        memcpy(v, a, n * 8);
        ok = zkr_ntt_set_path(ntt, 0) == 0 && zkr_ntt_forward(ntt, s, ln) == ZKR_OK &&
             zkr_ntt_set_path(ntt, path) == path && zkr_ntt_forward(ntt, v, ln) == ZKR_OK &&
             memcmp(s, v, n * 8) == 0;
    }
    return ok;
}

static void test_ntt_paths_edges(zkr_tap *t)
{
    static const int paths[] = {ZKR_NTT_AVX2, ZKR_NTT_AVX512};
    size_t big = (size_t)1 << 20;
    zkr_gl *a = malloc(big * 8), *s = malloc(big * 8), *v = malloc(big * 8);
    zkr_ntt *wide = NULL;
    int ok = a && s && v && zkr_ntt_new(20, &wide) == ZKR_OK, ran = 0;

    for (size_t k = 0; ok && k < sizeof paths / sizeof paths[0]; k++) {
        int path = paths[k];
        if (zkr_ntt_set_path(wide, path) != path)
            continue;
        ran = 1;
        /* structured words, every blowup, both contexts, shifts 1 and p - 1 */
        for (unsigned ln = 0; ok && ln <= 12; ln++) {
            zkr_ntt *own = NULL;
            ok = zkr_ntt_new(ln ? ln : 1, &own) == ZKR_OK;
            for (unsigned pat = 0; ok && pat < 4; pat++) {
                ntt_fill(t, a, (size_t)1 << ln, pat);
                for (unsigned lb = 0; ok && lb <= 6; lb++)
                    ok = ntt_case_same(own, path, a, ln, lb, 1, 1, s, v) &&
                         ntt_case_same(wide, path, a, ln, lb, ZKR_GL_P - 1, 3, s, v) &&
                         (pat != (ln & 3) || ntt_case_same(wide, path, a, ln, lb, 1, 1, s, v));
            }
            zkr_ntt_free(own);
        }
        /* 3 threads: chunk edges at n/3 and 2n/3, not multiples of four */
        for (unsigned ln = 15; ok && ln <= 17; ln++) {
            ntt_fill(t, a, (size_t)1 << ln, ln & 3);
            for (unsigned lb = 0; ok && lb <= 1; lb++)
                ok = ntt_case_same(wide, path, a, ln, lb, 1, 3, s, v) &&
                     ntt_case_same(wide, path, a, ln, lb, 7, 3, s, v);
        }
        ntt_fill(t, a, big, 3);
        ok = ok && ntt_case_same(wide, path, a, 20, 0, 1, 1, s, v) &&
             ntt_case_same(wide, path, a, 20, 0, 1, 3, s, v);
        zkr_tap_ok(t, ok, "NTT and coset LDE, path %d: structured words (p - 1, 0 / p - 1, edges, "
                          "near p), blowups 0..6, the verifier's context, 3 threads from 2^15, "
                          "2^20: the portable words", path);
    }
    if (!ran)
        zkr_tap_skip(t, "NTT structured words: no SIMD NTT path on this CPU");
    zkr_ntt_free(wide);
    free(a);
    free(s);
    free(v);
}

/*
 * The AVX-512 path as 5071748 left it (radix-4 passes from q = 8 in the
 * blocks and above them, the two-register DIF tail and its one-register
 * leftover) against the portable words where test_ntt_paths and
 * test_ntt_paths_edges do not reach: the forward and inverse transforms at
 * every size 2^0..2^20 (blocks whose stage count s_hi is odd and even, one
 * and two top pairs, a single top stage left over at 2^15, 2^17, 2^19);
 * the coset LDE at 2^13..2^20, whose blocks start at s_hi = log_n - 1, on
 * 1, 2, 3 and 7 threads (2: one sub-transform a thread; 3 and 7: chunk
 * edges of the top radix-4 pass off the eight-lane grid); and every block
 * of zkr_ntt_lde_block in place (blk == coeffs), which test_ntt4 checks for
 * AVX2 only. Skipped without AVX-512F.
 */
static void test_ntt_avx512_more(zkr_tap *t)
{
    static const unsigned ths[] = {1, 2, 3, 7};
    size_t big = (size_t)1 << 20;
    zkr_gl *a = malloc(big * 8), *s = malloc(big * 8), *v = malloc(big * 8);
    zkr_ntt *ntt = NULL;
    int ok = a && s && v && zkr_ntt_new(20, &ntt) == ZKR_OK, fwd = 1, lde = 1, blk = 1;

    if (ok && zkr_ntt_set_path(ntt, ZKR_NTT_AVX512) != ZKR_NTT_AVX512) {
        zkr_tap_skip(t, "NTT AVX-512 vs portable, forward and inverse 2^0..2^20: no AVX-512F");
        zkr_tap_skip(t, "NTT AVX-512 vs portable, LDE 2^13..2^20 on 1, 2, 3, 7 threads: no "
                        "AVX-512F");
        zkr_tap_skip(t, "zkr_ntt_lde_block in place, AVX-512: no AVX-512F");
        goto out;
    }
    for (size_t i = 0; ok && i < big; i++)
        a[i] = rnd_gl(t);
    /* the inverse of other words than the forward's (a + 1: a shifted window) */
    for (unsigned ln = 0; ok && fwd && ln <= 20; ln++) {
        fwd = ntt_xform_same(ntt, ZKR_NTT_AVX512, a, ln, 0, s, v) &&
              ntt_xform_same(ntt, ZKR_NTT_AVX512, a + (ln < 20), ln, 1, s, v);
        if (!fwd)
            zkr_tap_diag("AVX-512 and portable forward or inverse differ at 2^%u", ln);
    }
    zkr_tap_ok(t, ok && fwd, "NTT AVX-512 vs portable: forward and inverse at every size "
                             "2^0..2^20, the same words");
    for (unsigned ln = 13; ok && lde && ln <= 20; ln++)
        for (unsigned k = 0; lde && k < sizeof ths / sizeof ths[0]; k++) {
            /* blowups up to the 2^20 buffers; shift 1 (the table) and 7 alternate */
            unsigned lb = (ln + k) % 3 > 20 - ln ? 20 - ln : (ln + k) % 3;
            lde = ntt_lde_same(ntt, ZKR_NTT_AVX512, a, ln, lb, k & 1 ? 7 : 1, ths[k], s, v);
            if (!lde)
                zkr_tap_diag("AVX-512 and portable LDE differ: 2^%u, blowup 2^%u, %u threads", ln,
                             lb, ths[k]);
        }
    zkr_tap_ok(t, ok && lde, "NTT AVX-512 vs portable: coset LDE 2^13..2^20 (blocks from "
                             "s_hi = log_n - 1) on 1, 2, 3 and 7 threads, the same words");
    /* in place: block t of the LDE written over its own coefficients, 3 threads */
    for (unsigned ln = 0; ok && blk && ln <= 16; ln += 1 + (ln >= 4)) {
        size_t n = (size_t)1 << ln;
        ok = zkr_ntt_set_path(ntt, 0) == 0 && zkr_ntt_lde(ntt, a, ln, 2, 1, 1, s) == ZKR_OK &&
             zkr_ntt_set_path(ntt, ZKR_NTT_AVX512) == ZKR_NTT_AVX512;
        for (size_t b = 0; ok && blk && b < 4; b++) {
            memcpy(v, a, n * 8);
            blk = zkr_ntt_lde_block(ntt, v, ln, 2, 1, 3, b, v) == ZKR_OK &&
                  memcmp(v, s + b * n, n * 8) == 0;
            if (!blk)
                zkr_tap_diag("zkr_ntt_lde_block in place, AVX-512: 2^%u block %zu differs", ln,
                             b);
        }
    }
    zkr_tap_ok(t, ok && blk, "zkr_ntt_lde_block in place (blk == coeffs), AVX-512, 2^0..2^16, "
                             "every block of blowup 4: the portable LDE's words");
out:
    zkr_ntt_free(ntt);
    free(a);
    free(s);
    free(v);
}

/*
 * The verifier's own NTT use (zkr_hpcs_x_final_vals: a fresh zkr_ntt_new
 * context, so the path is the CPU's) must give the same final-polynomial
 * values on every path, or a proof would verify on one host and not on
 * another. The CPU's path (AVX-512 on an AVX-512F host) and the portable
 * one (ZKR_NO_AVX512=1 turns both SIMD paths off, zk/cpu.c) against Horner
 * at w^bitrev(pos), at shapes that take the LDE branch (q n_coef above
 * 2^(log_len-1) (log_len + 2)), final sizes 2^3..2^10 (the one-register
 * tail at 2^3, radix-4 passes from 2^5), blowups 2..8, edge-biased words.
 */
static void test_final_vals_paths(zkr_tap *t)
{
    enum { NQ = 64 };
    const char *env = getenv("ZKR_NO_AVX512");
    char *saved = env ? strdup(env) : NULL;
    zkr_ext *fin = malloc(((size_t)1 << 10) * sizeof *fin), simd[NQ], port[NQ];
    uint64_t pos[NQ];
    int ok = fin && (!env || saved), same = 1, horner = 1, ntt_branch = 1;

    for (unsigned fv = 3; ok && fv <= 10; fv++)
        for (unsigned lb = 1; ok && lb <= 3; lb++) {
            unsigned ll = fv + lb;
            size_t nc = (size_t)1 << fv;
            for (size_t i = 0; i < nc; i++)
                for (int c = 0; c < 3; c++)
                    fin[i].c[c] = rnd_gl(t);
            for (unsigned k = 0; k < NQ; k++)
                pos[k] = zkr_tap_rand(t) % ((uint64_t)1 << ll);
            ntt_branch = ntt_branch && ((size_t)1 << (ll - 1)) * (ll + 2) < (size_t)NQ * nc;
            ok = (!saved || unsetenv("ZKR_NO_AVX512") == 0) &&
                 zkr_hpcs_x_final_vals(fin, fv, ll, pos, NQ, simd) == ZKR_OK &&
                 setenv("ZKR_NO_AVX512", "1", 1) == 0 &&
                 zkr_hpcs_x_final_vals(fin, fv, ll, pos, NQ, port) == ZKR_OK &&
                 (saved ? setenv("ZKR_NO_AVX512", saved, 1) : unsetenv("ZKR_NO_AVX512")) == 0;
            for (unsigned k = 0; ok && k < NQ; k++) {
                zkr_gl x = zkr_gl_pow(zkr_gl_root_of_unity(ll), zkr_bitrev(pos[k], ll));
                zkr_ext acc = zkr_ext_from(0);
                for (size_t i = nc; i-- > 0;)
                    acc = zkr_ext_add(zkr_ext_mul_base(acc, x), fin[i]);
                same = same && zkr_ext_eq(simd[k], port[k]);
                horner = horner && zkr_ext_eq(port[k], acc);
            }
        }
    zkr_tap_ok(t, ok && ntt_branch && same && horner,
               "zkr_hpcs_x_final_vals: the CPU's NTT path (AVX-512 here: %d) and the portable "
               "one give the same values, Horner's, final 2^3..2^10, blowups 2..8 (LDE branch "
               "%d, same %d, Horner %d)", zkr_cpu_avx512f(), ntt_branch, same, horner);
    free(fin);
    free(saved);
}

/*
 * The AVX2 path alone against the portable one on random canonical words
 * (rnd_gl's edge values among them): every size 2^1..2^16, the coset LDE
 * at log blowups 0..4 (the parameter sets' 4, 8 and 16 included; the
 * radix-4 in-block stages, the tail and the fused first stage), the
 * forward DIF and the inverse (DIT), 1 and 2 threads, shifts 1 and 7. The
 * NTT takes canonical words only (zkr_gl is a field element): on words
 * >= p the paths were never promised to agree. Skipped without AVX2.
 */
static void test_ntt_avx2_random(zkr_tap *t)
{
    size_t big = (size_t)1 << 20;
    zkr_gl *a = malloc(big * 8), *s = malloc(big * 8), *v = malloc(big * 8);
    zkr_ntt *ntt = NULL;
    int ok = a && s && v && zkr_ntt_new(16, &ntt) == ZKR_OK;

    if (ok && zkr_ntt_set_path(ntt, ZKR_NTT_AVX2) != ZKR_NTT_AVX2) {
        zkr_tap_skip(t, "NTT AVX2 vs portable, random words: no AVX2 on this CPU");
        goto out;
    }
    for (size_t i = 0; ok && i < big; i++)
        a[i] = rnd_gl(t);
    for (unsigned ln = 1; ok && ln <= 16; ln++) {
        size_t n = (size_t)1 << ln;
        for (unsigned lb = 0; ok && lb <= 4; lb++)
            ok = ntt_lde_same(ntt, ZKR_NTT_AVX2, a, ln, lb, lb & 1 ? 7 : 1, 1 + ((ln + lb) & 1),
                              s, v);
        /* the inverse of random evaluations (not of the forward's output) */
        ok = ok && ntt_xform_same(ntt, ZKR_NTT_AVX2, a, ln, 0, s, v) &&
             ntt_xform_same(ntt, ZKR_NTT_AVX2, a + n, ln, 1, s, v);
        if (!ok)
            zkr_tap_diag("AVX2 and portable NTT words differ at 2^%u", ln);
    }
    zkr_tap_ok(t, ok, "NTT AVX2 vs portable, random words: 2^1..2^16, LDE log blowups 0..4, "
                      "forward and inverse, the same words");
out:
    zkr_ntt_free(ntt);
    free(a);
    free(s);
    free(v);
}

static void test_ntt(zkr_tap *t)
{
    zkr_ntt *ntt = NULL;
    int ok = zkr_ntt_new(12, &ntt) == ZKR_OK;
    for (unsigned ln = 0; ok && ln <= 8; ln++) {
        size_t n = (size_t)1 << ln;
        zkr_gl a[256], b[256], c[256 * 4];
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = rnd_gl(t);
        zkr_gl w = zkr_gl_root_of_unity(ln);
        int good = zkr_ntt_forward(ntt, b, ln) == ZKR_OK;
        for (size_t i = 0; i < n && good; i++) {
            zkr_gl acc = 0, xi = zkr_gl_pow(w, i), pw = 1;
            for (size_t j = 0; j < n; j++) {
                acc = zkr_gl_add(acc, zkr_gl_mul(a[j], pw));
                pw = zkr_gl_mul(pw, xi);
            }
            good = acc == b[i];
        }
        good = good && zkr_ntt_inverse(ntt, b, ln) == ZKR_OK && memcmp(a, b, n * 8) == 0;
        /* Coset LDE vs naive evaluation at shift * w'^bitrev(i). */
        zkr_gl shift = ZKR_GL_GENERATOR, w2 = zkr_gl_root_of_unity(ln + 2);
        good = good && zkr_ntt_lde(ntt, a, ln, 2, shift, 2, c) == ZKR_OK;
        for (size_t i = 0; i < 4 * n && good; i++) {
            zkr_gl xi = zkr_gl_mul(shift, zkr_gl_pow(w2, zkr_bitrev(i, ln + 2))), acc = 0;
            for (size_t j = n; j-- > 0;)
                acc = zkr_gl_add(zkr_gl_mul(acc, xi), a[j]);
            good = acc == c[i];
        }
        zkr_tap_ok(t, good, "NTT 2^%u vs naive DFT, inverse round trip, coset LDE", ln);
    }
    zkr_ntt_free(ntt);
    /* Large sizes take the cache-blocked path: spot checks vs Horner. */
    ok = zkr_ntt_new(18, &ntt) == ZKR_OK;
    size_t n = (size_t)1 << 16;
    zkr_gl *a = malloc(n * 8), *b = malloc(n * 8), *c = malloc(4 * n * 8);
    ok = ok && a && b && c;
    for (size_t i = 0; ok && i < n; i++)
        a[i] = b[i] = rnd_gl(t);
    ok = ok && zkr_ntt_forward(ntt, b, 16) == ZKR_OK && zkr_ntt_lde(ntt, a, 16, 2, 7, 3, c) == ZKR_OK;
    zkr_gl w = zkr_gl_root_of_unity(16), w2 = zkr_gl_root_of_unity(18);
    for (int q = 0; ok && q < 8; q++) {
        size_t i = zkr_tap_rand(t) % n, i2 = zkr_tap_rand(t) % (4 * n);
        zkr_gl x = zkr_gl_pow(w, i), x2 = zkr_gl_mul(7, zkr_gl_pow(w2, zkr_bitrev(i2, 18)));
        zkr_gl acc = 0, acc2 = 0;
        for (size_t j = n; j-- > 0;) {
            acc = zkr_gl_add(zkr_gl_mul(acc, x), a[j]);
            acc2 = zkr_gl_add(zkr_gl_mul(acc2, x2), a[j]);
        }
        ok = acc == b[i] && acc2 == c[i2];
    }
    ok = ok && zkr_ntt_inverse(ntt, b, 16) == ZKR_OK && memcmp(a, b, n * 8) == 0;
    zkr_tap_ok(t, ok, "NTT 2^16 and coset LDE 2^18 (blocked path) vs Horner, round trip");
    free(a);
    free(b);
    free(c);
    zkr_ntt_free(ntt);
    test_ntt_paths(t);
    test_ntt_paths_edges(t);
    test_ntt_avx2_random(t);
    test_ntt_avx512_more(t);
    test_final_vals_paths(t);
}

static void test_transcript(zkr_tap *t)
{
    uint8_t pd[32] = {1}, sa[32] = {2}, sb[32] = {3};
    zkr_transcript a, b, c;
    zkr_ts_init(&a, "p", 1, 1, 1, pd, sa);
    zkr_ts_init(&b, "p", 1, 1, 1, pd, sa);
    zkr_ts_init(&c, "p", 1, 1, 1, pd, sb);
    zkr_ext ea = zkr_ts_challenge_ext(&a, "x"), eb = zkr_ts_challenge_ext(&b, "x"),
            ec = zkr_ts_challenge_ext(&c, "x");
    zkr_tap_ok(t, zkr_ext_eq(ea, eb) && !zkr_ext_eq(ea, ec),
               "transcript deterministic; statement_id separates");
    zkr_ts_absorb(&a, "ab", (const uint8_t *)"c", 1);
    zkr_ts_absorb(&b, "a", (const uint8_t *)"bc", 2);
    zkr_tap_ok(t, memcmp(a.state, b.state, 32) != 0, "labels and data are framed");
    int okidx = 1;
    for (int i = 0; i < 1000; i++)
        okidx &= zkr_ts_challenge_index(&a, "i", 1000) < 1000;
    zkr_tap_ok(t, okidx, "index challenges in range");
    uint64_t nonce = 0;
    while (!zkr_ts_pow_ok(&a, 8, nonce))
        nonce++;
    zkr_tap_ok(t, zkr_ts_pow_check(&a, 8, nonce) && !zkr_ts_pow_ok(&a, 40, nonce),
               "proof of work found and checked");
}

/* BLAKE2b-256 of msg with the 16-byte personalization pers (libsodium: the reference). */
static void ref_b2b(const char *pers, const uint8_t *msg, size_t len, uint8_t out[32])
{
    uint8_t p16[16] = {0};

    memcpy(p16, pers, strlen(pers));
    (void)crypto_generichash_blake2b_salt_personal(out, 32, msg, len, NULL, 0, NULL, p16);
}

/* zkr_mtree_build's root of n leaves of lw words on `threads` threads against libsodium alone. */
static int merkle_matches(zkr_tap *t, size_t n, size_t lw, unsigned threads)
{
    uint64_t *words = malloc(n * lw * sizeof *words);
    uint8_t msg[16 + 8 * 16], seed[32] = {3, (uint8_t)n, (uint8_t)lw};
    uint8_t(*lvl)[32] = malloc(2 * n * 32);
    int ok = words && lvl && lw <= 16;
    zkr_mtree tr;

    for (size_t i = 0; ok && i < n * lw; i++)
        words[i] = rnd_gl(t) ^ ((uint64_t)i << 60);
    ok = ok && zkr_mtree_build(words, n, lw, seed, threads, &tr) == ZKR_OK;
    for (size_t i = 0; ok && i < n; i++) {
        uint8_t salt[16];
        zkr_mtree_salt(seed, i, salt);
        memcpy(msg, salt, 16);
        for (size_t k = 0; k < lw; k++)
            zkr_store_le64(msg + 16 + 8 * k, words[i * lw + k]);
        ref_b2b("zkr/mt-leaf", msg, 16 + 8 * lw, lvl[n + i]);
    }
    for (size_t k = n - 1; ok && k >= 1; k--)
        ref_b2b("zkr/mt-node", lvl[2 * k], 64, lvl[k]);
    if (ok) {
        uint8_t root[32];
        zkr_mtree_root(&tr, root);
        ok = memcmp(root, lvl[1], 32) == 0;
        zkr_mtree_free(&tr);
    }
    free(lvl);
    free(words);
    return ok;
}

/*
 * A tree built by zkr_mtree_build (whichever BLAKE2b path runs: zkr_b2x8's
 * lanes where the CPU has AVX2 or AVX-512, libsodium's otherwise) against
 * its root recomputed with libsodium alone. The leaves' salts come from
 * one ChaCha20 call per run of 64 leaves: the larger trees have several
 * runs, and 3 or 5 threads start chunks inside a block of four salts.
 */
static void test_merkle_libsodium(zkr_tap *t)
{
    static const struct {
        size_t n, lw;
        unsigned threads;
    } c[] = {{64, 12, 2}, {1024, 3, 3}, {2048, 1, 5}, {1024, 16, 1}, {512, 5, 2}};
    int bad = 0;

    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        bad += !merkle_matches(t, c[i].n, c[i].lw, c[i].threads);
    zkr_tap_ok(t, bad == 0, "Merkle roots (64 to 2048 leaves of 1 to 16 words, 1 to 5 threads) "
                            "equal the libsodium recomputation");
}

/*
 * Bulk field draws: the same values, in the same order, as single draws,
 * and the generator left in the same state (the bytes after agree), from
 * byte offsets that are and are not multiples of 8, across chunk sizes.
 */
static void test_zkrng_fill(zkr_tap *t)
{
    static const size_t ns[] = {1, 7, 8, 9, 63, 500, 4097, 20000};
    uint8_t key[32] = {5, 4, 3}, b1[97], b2[97];
    zkr_gl *a = malloc(20000 * sizeof *a), *b = malloc(20000 * sizeof *b);
    zkr_ext ea[301], eb[301];
    int bad = !a || !b;

    for (size_t skew = 0; !bad && skew < 3; skew++) {
        zkr_zkrng g1, g2;
        zkr_zkrng_from_key(&g1, key);
        zkr_zkrng_from_key(&g2, key);
        zkr_zkrng_bytes(&g1, b1, skew * 5);
        zkr_zkrng_bytes(&g2, b2, skew * 5);
        for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
            for (size_t i = 0; i < ns[k]; i++)
                a[i] = zkr_zkrng_gl(&g1);
            zkr_zkrng_gl_fill(&g2, b, ns[k]);
            bad += memcmp(a, b, ns[k] * sizeof *a) != 0;
            zkr_zkrng_bytes(&g1, b1, 3 + k);
            zkr_zkrng_bytes(&g2, b2, 3 + k);
            bad += memcmp(b1, b2, 3 + k) != 0;
        }
        for (size_t i = 0; i < 301; i++)
            ea[i] = zkr_zkrng_ext(&g1);
        zkr_zkrng_ext_fill(&g2, eb, 301);
        for (size_t i = 0; i < 301; i++)
            bad += !zkr_ext_eq(ea[i], eb[i]);
        zkr_zkrng_bytes(&g1, b1, sizeof b1);
        zkr_zkrng_bytes(&g2, b2, sizeof b2);
        bad += memcmp(b1, b2, sizeof b1) != 0;
        zkr_zkrng_wipe(&g1);
        zkr_zkrng_wipe(&g2);
    }
    free(a);
    free(b);
    zkr_tap_ok(t, bad == 0, "bulk field draws equal single draws and leave the same stream");
}

/*
 * The threaded fills draw what the single-threaded ones draw and leave the
 * same stream, for 1..4 threads, lengths past and off the block multiple
 * (the threaded path starts at 1024 blocks), from an empty buffer and from
 * part-used ones: 5 bytes used (off the word grid: the sequential path), and
 * 8, 24 and 56 (on it: the rest drawn word by word, then threaded).
 */
static void test_zkrng_fill_mt(zkr_tap *t)
{
    static const size_t ns[] = {9000, 8192, 8195, 50001}, skews[] = {0, 5, 8, 24, 56};
    uint8_t key[32] = {7, 1}, b1[64], b2[64];
    zkr_gl *a = malloc(3 * 50001 * sizeof *a), *b = malloc(3 * 50001 * sizeof *b);
    int bad = !a || !b;

    for (unsigned th = 1; !bad && th <= 4; th++)
        for (size_t sk = 0; sk < sizeof skews / sizeof *skews; sk++) {
            zkr_zkrng g1, g2;
            zkr_zkrng_from_key(&g1, key);
            zkr_zkrng_from_key(&g2, key);
            zkr_zkrng_bytes(&g1, b1, skews[sk]);
            zkr_zkrng_bytes(&g2, b2, skews[sk]);
            for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
                zkr_zkrng_gl_fill(&g1, a, ns[k]);
                zkr_zkrng_gl_fill_mt(&g2, b, ns[k], th);
                bad += memcmp(a, b, ns[k] * sizeof *a) != 0;
                zkr_zkrng_ext_fill(&g1, (zkr_ext *)(void *)a, ns[k]);
                zkr_zkrng_ext_fill_mt(&g2, (zkr_ext *)(void *)b, ns[k], th);
                bad += memcmp(a, b, 3 * ns[k] * sizeof *a) != 0;
            }
            zkr_zkrng_bytes(&g1, b1, sizeof b1);
            zkr_zkrng_bytes(&g2, b2, sizeof b2);
            bad += memcmp(b1, b2, sizeof b1) != 0;
            zkr_zkrng_wipe(&g1);
            zkr_zkrng_wipe(&g2);
        }
    free(a);
    free(b);
    zkr_tap_ok(t, bad == 0, "threaded field draws equal the single-threaded ones, same stream after");
}

/*
 * The Moebius transform (blocked; eight lanes where the CPU has AVX-512F,
 * four where it has AVX2 alone)
 * against the plain definition, variable 0 .. n-1 in order with
 * zkr_gl_sub, on 2^16 entries (past the 2^14 block) near 0 and p.
 */
static void test_moebius(zkr_tap *t)
{
    unsigned n = 16;
    size_t len = (size_t)1 << n;
    zkr_gl *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b);
    int ok = a && b;

    for (size_t i = 0; ok && i < len; i++) {
        zkr_gl r = rnd_gl(t);
        a[i] = b[i] = i % 3 == 0 ? r % 5 : i % 3 == 1 ? ZKR_GL_P - 1 - r % 5 : r;
    }
    if (ok) {
        zkr_mle_to_monomial_base(a, n);
        for (unsigned v = 0; v < n; v++)
            for (size_t i = 0; i < len; i++)
                if ((i >> v) & 1)
                    b[i] = zkr_gl_sub(b[i], b[i ^ ((size_t)1 << v)]);
        ok = memcmp(a, b, len * sizeof *a) == 0;
    }
    free(a);
    free(b);
    zkr_tap_ok(t, ok, "Moebius transform of 2^16 entries equals the per-variable definition");
}

/*
 * The threaded Moebius transform gives the single-threaded words for every
 * thread count (2^17 entries: three high variables, split between workers
 * at uneven boundaries with 3 and 5 threads).
 */
static void test_moebius_mt(zkr_tap *t)
{
    unsigned n = 17;
    size_t len = (size_t)1 << n;
    zkr_gl *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b);
    int ok = a && b;

    for (size_t i = 0; ok && i < len; i++)
        a[i] = rnd_gl(t);
    if (ok) {
        memcpy(b, a, len * sizeof *a);
        zkr_mle_to_monomial_base(b, n);
    }
    for (unsigned th = 1; ok && th <= 5; th++) {
        zkr_gl *c = malloc(len * sizeof *c);
        ok = c != NULL;
        if (ok) {
            memcpy(c, a, len * sizeof *a);
            zkr_mle_to_monomial_base_mt(c, n, th);
            ok = memcmp(c, b, len * sizeof *c) == 0;
        }
        free(c);
    }
    free(a);
    free(b);
    zkr_tap_ok(t, ok, "threaded Moebius transform: the same words for 1..5 threads");
}

static void test_merkle(zkr_tap *t)
{
    uint64_t words[64 * 4];
    uint8_t seed[32] = {9}, root[32];
    zkr_mtree tr;
    for (int i = 0; i < 64 * 4; i++)
        words[i] = rnd_gl(t);
    int ok = zkr_mtree_build(words, 64, 4, seed, 2, &tr) == ZKR_OK;
    zkr_mtree_root(&tr, root);
    uint64_t idx[] = {0, 1, 5, 17, 18, 40, 63};
    size_t n = 7;
    uint8_t lh[7][32];
    zkr_buf sib = {0};
    ok = ok && zkr_mtree_open(&tr, idx, n, &sib) == ZKR_OK;
    for (size_t i = 0; i < n; i++) {
        uint8_t salt[16];
        zkr_mtree_salt(seed, idx[i], salt);
        zkr_mtree_leaf_hash(salt, words + idx[i] * 4, 4, lh[i]);
    }
    size_t ns = sib.len / 32;
    zkr_tap_ok(t, ok && ns == zkr_mtree_multi_count(idx, n, 6) && ns < n * 6,
               "pruned multi-opening: %zu siblings for %zu leaves (unpruned %zu)", ns, n, n * 6);
    zkr_tap_ok(t, zkr_mtree_verify(root, 6, idx, (const uint8_t(*)[32])lh, n, sib.p, ns) == ZKR_OK,
               "multi-opening verifies");
    lh[3][0] ^= 1;
    zkr_tap_ok(t, zkr_mtree_verify(root, 6, idx, (const uint8_t(*)[32])lh, n, sib.p, ns) ==
                      ZKR_ERR_VERIFY, "tampered leaf rejected");
    lh[3][0] ^= 1;
    sib.p[5] ^= 0x10;
    zkr_tap_ok(t, zkr_mtree_verify(root, 6, idx, (const uint8_t(*)[32])lh, n, sib.p, ns) ==
                      ZKR_ERR_VERIFY, "tampered sibling rejected");
    sib.p[5] ^= 0x10;
    zkr_tap_ok(t, zkr_mtree_verify(root, 6, idx, (const uint8_t(*)[32])lh, n, sib.p, ns - 1) ==
                      ZKR_ERR_VERIFY, "short sibling list rejected");
    uint64_t idx2[] = {0, 1, 5, 17, 19, 40, 63};
    zkr_tap_ok(t, zkr_mtree_verify(root, 6, idx2, (const uint8_t(*)[32])lh, n, sib.p, ns) ==
                      ZKR_ERR_VERIFY, "wrong index rejected");
    zkr_buf_free(&sib);
    zkr_mtree_free(&tr);
}

/* Scalar truth for zkr_b2x8_pow: the first n in [lo, hi) with le64(H(prefix || n)) & mask == 0. */
static uint64_t b2_pow_first(const uint8_t pers[16], const uint8_t prefix[32], uint64_t lo,
                             uint64_t hi, uint64_t mask)
{
    for (uint64_t n = lo; n < hi; n++) {
        uint8_t msg[40], d[32];
        memcpy(msg, prefix, 32);
        zkr_store_le64(msg + 32, n);
        (void)crypto_generichash_blake2b_salt_personal(d, 32, msg, sizeof msg, NULL, 0, NULL,
                                                       pers);
        if ((zkr_load_le64(d) & mask) == 0)
            return n;
    }
    return UINT64_MAX;
}

/*
 * From 2^63 groups on, 8 groups (and twice the groups, the AVX2 path's compressions) no longer
 * fit 64 bits: the scan must still run until its first pass, as the AVX-512 one does, not stop
 * at once (2^63 groups) or after one group (2^63 + 1), so both paths give the same nonce.
 */
static void test_b2x8_pow_huge(zkr_tap *t, int path, const char *name)
{
    static const uint64_t groups[] = {(uint64_t)1 << 63, ((uint64_t)1 << 63) + 1, UINT64_MAX};
    uint8_t pers[16] = "zkr/test-b2x8", prefix[32];
    unsigned bad = 0;

    for (unsigned k = 0; k < 3; k++)
        for (unsigned r = 0; r < 8; r++) {
            for (unsigned i = 0; i < 32; i++)
                prefix[i] = (uint8_t)rnd_gl(t);
            /* a pass in 4096 nonces at 1 in 64 misses with odds e^-64 */
            bad += zkr_b2x8_pow(path, pers, prefix, 3, groups[k], 0x3f) !=
                   b2_pow_first(pers, prefix, 3, 3 + 4096, 0x3f);
            bad += zkr_b2x8_pow(path, pers, prefix, 3, groups[k], 0) != 3;
        }
    zkr_tap_ok(t, bad == 0, "b2x8 (%s): 2^63, 2^63 + 1 and 2^64 - 1 groups scan to the first "
               "passing nonce (%u of 48 differ)", name, bad);
}

/*
 * Messages that end where an unreadable page starts, lane l at odd offset l of one shared
 * buffer: a read past len (the AVX-512 gathers and the compressions are outside
 * AddressSanitizer's view) faults here, and aliased, unaligned lanes still hash alone.
 */
static void test_b2x8_page_end(zkr_tap *t, int path, const char *name)
{
    uint8_t pers[16] = "zkr/test-b2x8", d8[8][32], d1[32];
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    const uint8_t *mp[8];
    int ok = map != MAP_FAILED && mprotect(map + pg, (size_t)pg, PROT_NONE) == 0;

    for (size_t i = 0; ok && i < (size_t)pg; i++)
        map[i] = (uint8_t)rnd_gl(t);
    for (size_t len = 0; ok && len <= 300; len++) {
        for (unsigned l = 0; l < 8; l++)
            mp[l] = map + pg - len - (7 - l);
        zkr_b2x8(path, pers, mp, len, d8);
        for (unsigned l = 0; l < 8; l++) {
            (void)crypto_generichash_blake2b_salt_personal(d1, 32, mp[l], len, NULL, 0, NULL,
                                                           pers);
            ok = ok && memcmp(d1, d8[l], 32) == 0;
        }
    }
    if (map != MAP_FAILED)
        (void)munmap(map, 2 * (size_t)pg);
    zkr_tap_ok(t, ok, "b2x8 (%s): lanes ending 0..7 bytes before an unreadable page, sharing one "
               "buffer, equal libsodium's BLAKE2b (every length 0..300)", name);
}

/* One path of the eight-lane BLAKE2b against libsodium: digests, and the nonce scan. */
static void test_b2x8_path(zkr_tap *t, int path, const char *name)
{
    static const size_t lens[] = {0, 1, 40, 64, 127, 128, 129, 144, 255, 256, 257, 400};
    static const uint64_t masks[] = {0, 1, 0xf0, 0xff, 0x80ff, 0x3fff};
    uint8_t pers[16] = "zkr/test-b2x8", msg[8][400], d8[8][32], d1[32], prefix[32];
    const uint8_t *mp[8];
    int ok = 1;
    unsigned bad = 0;

    for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
        for (unsigned l = 0; l < 8; l++) {
            for (size_t i = 0; i < lens[k]; i++)
                msg[l][i] = (uint8_t)rnd_gl(t);
            mp[l] = msg[l];
        }
        zkr_b2x8(path, pers, mp, lens[k], d8);
        for (unsigned l = 0; l < 8; l++) {
            (void)crypto_generichash_blake2b_salt_personal(d1, 32, msg[l], lens[k], NULL, 0, NULL,
                                                           pers);
            ok = ok && memcmp(d1, d8[l], 32) == 0;
        }
    }
    zkr_tap_ok(t, ok, "b2x8 (%s): eight lanes equal libsodium's BLAKE2b (12 lengths, 0..400 "
               "bytes)", name);
    /* windows of 1..5 groups from odd starts (a pass in any lane of either half of a group) */
    for (size_t k = 0; k < sizeof masks / sizeof *masks; k++)
        for (uint64_t lo = 1; lo < 40; lo += 13)
            for (uint64_t g = 1; g <= 5; g++) {
                for (unsigned i = 0; i < 32; i++)
                    prefix[i] = (uint8_t)rnd_gl(t);
                bad += zkr_b2x8_pow(path, pers, prefix, lo, g, masks[k]) !=
                       b2_pow_first(pers, prefix, lo, lo + 8 * g, masks[k]);
            }
    zkr_tap_ok(t, bad == 0, "b2x8 (%s): the nonce scan finds libsodium's first passing nonce "
               "(6 masks, 15 windows each; %u differ)", name, bad);
    test_b2x8_pow_huge(t, path, name);
    test_b2x8_page_end(t, path, name);
}

/* The eight-lane BLAKE2b against libsodium's, over one- and multi-block lengths. */
static void test_b2x8(zkr_tap *t)
{
    if (!zkr_b2x8_ok()) {
        zkr_tap_skip(t, "b2x8 against libsodium: neither AVX2 nor AVX-512F on this CPU (the "
                        "callers take libsodium's BLAKE2b; zk-simd-off proves through it)");
        return;
    }
    /* every path this CPU runs: an AVX-512 machine tests its AVX2 path too */
    if (zkr_cpu_avx2())
        test_b2x8_path(t, ZKR_B2X8_AVX2, "AVX2");
    else
        zkr_tap_skip(t, "b2x8's AVX2 path: no AVX2 on this CPU");
    if (zkr_cpu_avx512f())
        test_b2x8_path(t, ZKR_B2X8_AVX512, "AVX-512");
    else
        zkr_tap_skip(t, "b2x8's AVX-512 path: no AVX-512F on this CPU");
    /* The pow search's eight-lane path finds the scalar search's nonce. */
    {
        zkr_transcript a;
        uint8_t pd[32] = {4}, sa[32] = {5};
        uint64_t n;
        zkr_ts_init(&a, "b2x8-pow", 1, 1, 1, pd, sa);
        n = zkr_ts_pow_search(&a, 10);
        zkr_tap_ok(t, zkr_ts_pow_first(&a, 10, 0, n + 1) == n &&
                          zkr_ts_pow_first(&a, 10, 0, n) == UINT64_MAX,
                   "b2x8: pow search finds the scalar nonce %llu first", (unsigned long long)n);
    }
    /* Every bit count's digest mask: the first nonce by zkr_ts_pow_ok one at a time from an
     * odd start equals the eight-lane scan's over a window of whole groups ending past it, and
     * a window ending at it finds nothing before it. */
    {
        zkr_transcript a;
        uint8_t pd[32] = {6}, sa[32] = {7};
        unsigned bad = 0;
        for (unsigned bits = 0; bits <= 13; bits++) {
            uint64_t lo = 3, n = lo;
            zkr_ts_init(&a, "b2x8-pow-mask", bits, 1, 1, pd, sa);
            while (!zkr_ts_pow_ok(&a, bits, n))
                n++;
            uint64_t hi = lo + 8 * ((n - lo) / 8 + 2);
            bad += zkr_ts_pow_first(&a, bits, lo, hi) != n ||
                   zkr_ts_pow_first(&a, bits, lo, n) != UINT64_MAX;
        }
        zkr_tap_ok(t, bad == 0 && zkr_ts_pow_first(&a, 64, 0, 64) == UINT64_MAX &&
                          zkr_ts_pow_first(&a, 65, 0, 64) == UINT64_MAX,
                   "b2x8: the eight-lane scan and zkr_ts_pow_ok agree on the first nonce at 0..13 "
                   "bits (%u differ), none passes 64 or 65 bits", bad);
    }
    /* Adversarial review: every bit count's mask is built (56 bits shifted a 64-bit word by 64,
     * undefined behaviour the UBSan build stops on), and over windows of odd lengths, one
     * ending at UINT64_MAX, the eight-lane scan and zkr_ts_pow_ok one nonce at a time find the
     * same first nonce (or none) at 0..66 bits. */
    {
        static const uint64_t wlens[] = {1, 7, 9, 23, 67};
        zkr_transcript a;
        uint8_t pd[32] = {8}, sa[32] = {9};
        unsigned bad = 0;
        for (unsigned bits = 0; bits <= 66; bits++) {
            zkr_ts_init(&a, "b2x8-pow-all", bits, 1, 1, pd, sa);
            for (size_t k = 0; k < sizeof wlens / sizeof *wlens; k++) {
                uint64_t los[2] = {5, UINT64_MAX - wlens[k]};
                for (unsigned e = 0; e < 2; e++) {
                    uint64_t lo = los[e], hi = lo + wlens[k], want = UINT64_MAX;
                    for (uint64_t n = lo; n < hi && want == UINT64_MAX; n++)
                        if (zkr_ts_pow_ok(&a, bits, n))
                            want = n;
                    bad += zkr_ts_pow_first(&a, bits, lo, hi) != want;
                }
            }
            /* a passing nonce past the first two bytes' masks (14..16 bits), found one by one */
            if (bits >= 14 && bits <= 16) {
                uint64_t n = 1;
                while (!zkr_ts_pow_ok(&a, bits, n))
                    n++;
                bad += zkr_ts_pow_first(&a, bits, 1, n + 9) != n ||
                       zkr_ts_pow_first(&a, bits, 1, n) != UINT64_MAX;
            }
        }
        zkr_tap_ok(t, bad == 0,
                   "b2x8: at 0..66 bits, windows of 1..67 nonces from 5 and ending at "
                   "UINT64_MAX, and the first passing nonce at 14..16 bits: the eight-lane scan "
                   "finds zkr_ts_pow_ok's first nonce (%u differ)", bad);
    }
}

/* The AVX-512 extension kernels against the scalar loops they stand in for. */
static void test_ext8(zkr_tap *t)
{
    enum { N = 64 };
    zkr_ext in[2 * N], a[N], b[N], e1[2 * N], e2[2 * N], r = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
    size_t bad = 0, w = zkr_ext8_lanes(); /* 8 with AVX-512F, 4 with AVX2 (zk/ext4.c) */

    /* the kernels run vector instructions unasked (zk/zk_int.h): calling one here is SIGILL */
    if (!zkr_ext8_ok()) {
        zkr_tap_skip(t, "ext8 kernels against the scalar loops: neither AVX-512F nor AVX2 on "
                        "this CPU (every caller asks zkr_ext8_ok and runs its scalar loop)");
        return;
    }
    for (size_t i = 0; i < 2 * N; i++)
        in[i] = (zkr_ext){{rnd_gl(t), rnd_gl(t), i % 7 ? rnd_gl(t) : ZKR_GL_P - 1}};
    /* Evaluation fold from index 3 (a scalar prefix before, a tail after). */
    {
        size_t m = zkr_ext8_fold(in, a, 3, N - 2, r);
        for (size_t i = 3; i < m; i++)
            bad += !zkr_ext_eq(a[i], zkr_ext_add(in[2 * i], zkr_ext_mul(r, zkr_ext_sub(in[2 * i + 1],
                                                                                     in[2 * i]))));
        bad += m != 3 + (N - 5) / w * w;
        m = zkr_ext8_fold_coef(in, b, 0, N, r);
        for (size_t i = 0; i < m; i++)
            bad += !zkr_ext_eq(b[i], zkr_ext_add(in[2 * i], zkr_ext_mul(r, in[2 * i + 1])));
        bad += m != N;
    }
    /* In place, as zkr_prover_sc_fold folds one thread's table. */
    memcpy(e1, in, sizeof in);
    if (zkr_ext8_fold(e1, e1, 0, N, r) != N)
        bad++;
    for (size_t i = 0; i < N; i++)
        bad += !zkr_ext_eq(e1[i], zkr_ext_add(in[2 * i], zkr_ext_mul(r, zkr_ext_sub(in[2 * i + 1],
                                                                                 in[2 * i]))));
    /* An eq table's doubling, len 32 over [0, 27) (a tail of 3). */
    memcpy(e1, in, sizeof in);
    memcpy(e2, in, sizeof in);
    {
        size_t m = zkr_ext8_eq_level(e1, 32, 0, 27, r);
        for (size_t i = 0; i < 27; i++) {
            zkr_ext h = zkr_ext_mul(e2[i], r);
            e2[i + 32] = h;
            e2[i] = zkr_ext_sub(e2[i], h);
        }
        for (size_t i = m; i < 27; i++) {
            zkr_ext h = zkr_ext_mul(e1[i], r);
            e1[i + 32] = h;
            e1[i] = zkr_ext_sub(e1[i], h);
        }
        bad += m != 24 || memcmp(e1, e2, sizeof e1) != 0;
    }
    /* GKR sums (numerators 1 and general) and the batch sumcheck's products, against scalar sums. */
    {
        zkr_ext s[N / 2], lam = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}}, q[2], h[2], ref[4];
        zkr_gl fb[N];
        size_t m;
        for (size_t i = 0; i < N / 2; i++)
            s[i] = in[2 * N - 1 - i];
        for (size_t i = 0; i < N; i++)
            fb[i] = in[i].c[1];
        for (int general = 0; general < 2; general++) {
            const zkr_ext *pl = general ? in : NULL, *pr = general ? in + N / 2 : NULL;
            const zkr_ext *ql = in + N, *qr = in + 3 * N / 2;
            q[0] = q[1] = ref[0] = ref[1] = zkr_ext_from(0);
            m = zkr_ext8_gkr_sums(s, pl, pr, ql, qr, lam, 1, N / 4 - 1, q);
            for (size_t i = 1; i < N / 4 - 1; i++)
                for (int x = 0; x < 2; x++) {
                    zkr_ext l = ql[2 * i], r_ = qr[2 * i], g;
                    if (x) {
                        l = zkr_ext_sub(zkr_ext_add(ql[2 * i + 1], ql[2 * i + 1]), ql[2 * i]);
                        r_ = zkr_ext_sub(zkr_ext_add(qr[2 * i + 1], qr[2 * i + 1]), qr[2 * i]);
                    }
                    if (!general) {
                        g = zkr_ext_add(zkr_ext_add(l, r_), zkr_ext_mul(lam, zkr_ext_mul(l, r_)));
                    } else {
                        zkr_ext pa = pl[2 * i], pb = pr[2 * i];
                        if (x) {
                            pa = zkr_ext_sub(zkr_ext_add(pl[2 * i + 1], pl[2 * i + 1]), pl[2 * i]);
                            pb = zkr_ext_sub(zkr_ext_add(pr[2 * i + 1], pr[2 * i + 1]), pr[2 * i]);
                        }
                        g = zkr_ext_add(zkr_ext_add(zkr_ext_mul(pa, r_), zkr_ext_mul(pb, l)),
                                        zkr_ext_mul(lam, zkr_ext_mul(l, r_)));
                    }
                    ref[x] = zkr_ext_add(ref[x], zkr_ext_mul(s[i], g));
                    if (i >= m) /* the caller's scalar tail */
                        q[x] = zkr_ext_add(q[x], zkr_ext_mul(s[i], g));
                }
            bad += m != 1 + (N / 4 - 2) / w * w || !zkr_ext_eq(q[0], ref[0]) || !zkr_ext_eq(q[1], ref[1]);
        }
        for (int base = 0; base < 2; base++) {
            h[0] = h[1] = ref[2] = ref[3] = zkr_ext_from(0);
            m = zkr_ext8_dot(in, base ? NULL : in + N, base ? fb : NULL, 0, N / 2, h);
            for (size_t i = 0; i < m; i++) {
                zkr_ext w0 = in[2 * i], w2 = zkr_ext_sub(zkr_ext_add(in[2 * i + 1], in[2 * i + 1]), w0);
                zkr_ext f0 = base ? zkr_ext_from(fb[2 * i]) : in[N + 2 * i];
                zkr_ext f1 = base ? zkr_ext_from(fb[2 * i + 1]) : in[N + 2 * i + 1];
                zkr_ext f2 = zkr_ext_sub(zkr_ext_add(f1, f1), f0);
                ref[2] = zkr_ext_add(ref[2], zkr_ext_mul(w0, f0));
                ref[3] = zkr_ext_add(ref[3], zkr_ext_mul(w2, f2));
            }
            bad += m != N / 2 || !zkr_ext_eq(h[0], ref[2]) || !zkr_ext_eq(h[1], ref[3]);
            /* s-weighted even and odd entries (the folding sumcheck's q(0), q(1)). */
            h[0] = h[1] = ref[2] = ref[3] = zkr_ext_from(0);
            m = zkr_ext8_sdot(s, base ? NULL : in, base ? fb : NULL, 0, N / 4, h);
            for (size_t i = 0; i < m; i++)
                for (int x = 0; x < 2; x++)
                    ref[2 + x] = zkr_ext_add(ref[2 + x], zkr_ext_mul(s[i], base ? zkr_ext_from(fb[2 * i + x])
                                                                                 : in[2 * i + x]));
            bad += m != N / 4 || !zkr_ext_eq(h[0], ref[2]) || !zkr_ext_eq(h[1], ref[3]);
        }
        /* A fraction tree layer. */
        m = zkr_ext8_frac(in, in + N / 2, in + N, in + 3 * N / 2, e1, e2, 0, N / 2 - 3);
        bad += m != (N / 2 - 3) / w * w;
        for (size_t i = 0; i < m; i++)
            bad += !zkr_ext_eq(e1[i], zkr_ext_add(zkr_ext_mul(in[i], in[3 * N / 2 + i]),
                                                  zkr_ext_mul(in[N / 2 + i], in[N + i]))) ||
                   !zkr_ext_eq(e2[i], zkr_ext_mul(in[N + i], in[3 * N / 2 + i]));
    }
    zkr_tap_ok(t, bad == 0, "ext8: %zu-lane folds (evaluation, coefficient, in place), eq doubling, GKR sums, products and fraction layers equal the scalar loops", w);
}

/*
 * The other kernels (sumcheck pairs, base folds, dot products, axpy, the
 * range proof's coupled fold) against their scalar definitions, over a
 * range with a scalar prefix and tail; each covers whole steps of its width.
 */
static void test_ext8_more(zkr_tap *t)
{
    enum { N = 64 };
    zkr_ext in[2 * N], out[N], ref[N], k = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}}, ks[3], s[3], r3[3];
    zkr_gl b[2 * N];
    size_t bad = 0, w = zkr_ext8_lanes(), lo = 1, hi = N / 2 - 2, m, want;

    if (!zkr_ext8_ok()) {
        zkr_tap_skip(t, "ext8 kernels (pairs, base folds, dots, axpy, coupled fold): neither "
                        "AVX-512F nor AVX2 on this CPU");
        return;
    }
    want = lo + (hi - lo) / w * w;
    for (size_t i = 0; i < 2 * N; i++) {
        in[i] = (zkr_ext){{rnd_gl(t), i % 5 ? rnd_gl(t) : ZKR_GL_P - 1, rnd_gl(t)}};
        b[i] = i % 9 ? rnd_gl(t) % ZKR_GL_P : ZKR_GL_P - 1;
    }
    for (unsigned j = 0; j < 3; j++)
        ks[j] = (zkr_ext){{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
    for (int base = 0; base < 2; base++) {
        /* pairs3: values at 0 and 1 and the x^2 coefficient of e p, pair by pair */
        const zkr_ext *e = in, *pe = base ? NULL : in + N;
        s[0] = s[1] = s[2] = r3[0] = r3[1] = r3[2] = zkr_ext_from(0);
        m = zkr_ext8_pairs3(e, pe, base ? b : NULL, lo, hi, s);
        bad += m != want;
        for (size_t i = lo; i < m; i++) {
            zkr_ext p0 = base ? zkr_ext_from(b[2 * i]) : pe[2 * i];
            zkr_ext p1 = base ? zkr_ext_from(b[2 * i + 1]) : pe[2 * i + 1];
            r3[0] = zkr_ext_add(r3[0], zkr_ext_mul(e[2 * i], p0));
            r3[1] = zkr_ext_add(r3[1], zkr_ext_mul(e[2 * i + 1], p1));
            r3[2] = zkr_ext_add(r3[2], zkr_ext_mul(zkr_ext_sub(e[2 * i + 1], e[2 * i]),
                                                   zkr_ext_sub(p1, p0)));
        }
        for (unsigned j = 0; j < 3; j++)
            bad += !zkr_ext_eq(s[j], r3[j]);
        /* xdot: sum x[i] y[i] */
        s[0] = r3[0] = zkr_ext_from(0);
        m = zkr_ext8_xdot(in, base ? NULL : in + N, base ? b : NULL, lo, hi, &s[0]);
        bad += m != want;
        for (size_t i = lo; i < m; i++)
            r3[0] = zkr_ext_add(r3[0], zkr_ext_mul(in[i], base ? zkr_ext_from(b[i]) : in[N + i]));
        bad += !zkr_ext_eq(s[0], r3[0]);
        /* axpy, overwriting and adding */
        for (int add = 0; add < 2; add++) {
            memcpy(out, in + N / 2, sizeof out);
            memcpy(ref, in + N / 2, sizeof ref);
            m = zkr_ext8_axpy(out, base ? NULL : in, base ? b : NULL, lo, hi, k, add);
            bad += m != want;
            for (size_t i = lo; i < m; i++) {
                zkr_ext v = zkr_ext_mul(k, base ? zkr_ext_from(b[i]) : in[i]);
                ref[i] = add ? zkr_ext_add(ref[i], v) : v;
            }
            bad += memcmp(out, ref, sizeof out) != 0;
        }
    }
    /* fold_base: a base table's first fold into the extension */
    memset(out, 0, sizeof out);
    memset(ref, 0, sizeof ref);
    m = zkr_ext8_fold_base(b, out, lo, hi, k);
    bad += m != want;
    for (size_t i = lo; i < m; i++)
        ref[i] = zkr_ext_add(zkr_ext_from(b[2 * i]),
                             zkr_ext_mul(k, zkr_ext_from(zkr_gl_sub(b[2 * i + 1], b[2 * i]))));
    bad += memcmp(out, ref, sizeof out) != 0;
    /* fold_pair: d0 + k0 d1 + k1 d2 + k2 d3 of each coupled pair (rows in and in + N) */
    memset(out, 0, sizeof out);
    memset(ref, 0, sizeof ref);
    m = zkr_ext8_fold_pair(in, in + N, out, lo, hi, ks);
    bad += m != want;
    for (size_t i = lo; i < m; i++) {
        zkr_ext f00 = in[2 * i], f10 = in[2 * i + 1], f01 = in[N + 2 * i], f11 = in[N + 2 * i + 1];
        zkr_ext d3 = zkr_ext_add(zkr_ext_sub(f11, f10), zkr_ext_sub(f00, f01));
        ref[i] = zkr_ext_add(zkr_ext_add(f00, zkr_ext_mul(ks[0], zkr_ext_sub(f10, f00))),
                             zkr_ext_add(zkr_ext_mul(ks[1], zkr_ext_sub(f01, f00)),
                                         zkr_ext_mul(ks[2], d3)));
    }
    bad += memcmp(out, ref, sizeof out) != 0;
    zkr_tap_ok(t, bad == 0,
               "ext8: %zu-lane sumcheck pairs, dot products and axpy (extension and base "
               "operands), base folds and the coupled fold equal the scalar definitions over "
               "[%zu, %zu) (%zu bad)",
               w, lo, hi, bad);
}

/*
 * Adversarial review of the AVX2 twins (zk/ext4.c), which every prover and
 * verifier caller of the extension kernels runs on a CPU with AVX2 and no
 * AVX-512F. Each kernel, called directly (zkr_ext4_*, where AVX2 runs) and
 * through zk/ext8.c's entry points, over every lo in 0..7 and 0..12
 * elements, on operands drawn mostly from edge words (0, 1, p-1, p-2,
 * 2^32-1, 2^32, 2^63, near p) in every slot: the kernel's prefix plus the
 * scalar tail must equal the scalar definition on the whole range, the
 * prefix must be whole steps of the path's width, nothing outside the
 * prefix may be written, and every operand ends at a PROT_NONE page, so a
 * read or write past the last entry the scalar loop touches faults.
 */
enum { ADV_ARENAS = 10 };
typedef struct {
    zkr_tap *t;
    uint8_t *arena[ADV_ARENAS];
    size_t pg;
    int path;   /* 0: zkr_ext4_* directly; 1: the zkr_ext8_* entry points */
    size_t w;   /* the path's width */
} adv_ctx;

/* Words a kernel's reduction treats specially: carries at 2^32, 2^63, p. */
static zkr_gl adv_gl(zkr_tap *t)
{
    static const zkr_gl edge[] = {0, 1, 2, 3, ZKR_GL_P - 1, ZKR_GL_P - 2, ZKR_GL_P - 3,
                                  ZKR_GL_EPS, ZKR_GL_EPS + 1, ZKR_GL_EPS + 2, ZKR_GL_EPS - 1,
                                  (zkr_gl)1 << 63, ((zkr_gl)1 << 63) - 1, ((zkr_gl)1 << 63) + 1,
                                  ZKR_GL_P - ZKR_GL_EPS, ZKR_GL_P - ZKR_GL_EPS - 1,
                                  (ZKR_GL_P - 1) / 2, (ZKR_GL_P + 1) / 2, ZKR_GL_EPS * ZKR_GL_EPS,
                                  (zkr_gl)1 << 48, ZKR_GL_P - ((zkr_gl)1 << 32) - 2};
    uint64_t r = zkr_tap_rand(t);

    if (r % 4 == 0)
        return zkr_tap_rand(t) % ZKR_GL_P;
    return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
}

static zkr_ext adv_ext(zkr_tap *t)
{
    uint64_t r = zkr_tap_rand(t);

    /* whole elements that make products vanish or stay large: 0, 1, -1, x, -x^2 */
    switch (r % 11) {
    case 0:
        return zkr_ext_from(0);
    case 1:
        return zkr_ext_from(1);
    case 2:
        return zkr_ext_from(ZKR_GL_P - 1);
    case 3:
        return (zkr_ext){{0, 1, 0}};
    case 4:
        return (zkr_ext){{0, 0, ZKR_GL_P - 1}};
    default:
        return (zkr_ext){{adv_gl(t), adv_gl(t), adv_gl(t)}};
    }
}

/* bytes of arena k placed so that the last one touches the guard page. */
static void *adv_tail(adv_ctx *c, unsigned k, size_t bytes)
{
    return c->arena[k] + c->pg - bytes;
}

static zkr_ext *adv_exts(adv_ctx *c, unsigned k, size_t n)
{
    zkr_ext *p = adv_tail(c, k, n * sizeof *p);

    for (size_t i = 0; i < n; i++)
        p[i] = adv_ext(c->t);
    return p;
}

static zkr_gl *adv_gls(adv_ctx *c, unsigned k, size_t n)
{
    zkr_gl *p = adv_tail(c, k, n * sizeof *p);

    for (size_t i = 0; i < n; i++)
        p[i] = adv_gl(c->t);
    return p;
}

static zkr_ext adv_c(unsigned c)
{
    return zkr_ext_from(c);
}

/* A pair's line at c: t[2i] + c (t[2i+1] - t[2i]). */
static zkr_ext adv_lin(const zkr_ext *t, size_t i, unsigned c)
{
    return zkr_ext_add(t[2 * i], zkr_ext_mul(adv_c(c), zkr_ext_sub(t[2 * i + 1], t[2 * i])));
}

/* A hidden pair at (c, s = c (1 - c)) evaluated bilinearly (coupled), else its line. */
static zkr_ext adv_hid(const zkr_ext *t, size_t i, size_t us, int coupled, unsigned c)
{
    zkr_ext f00 = t[2 * i], f10 = t[2 * i + 1], x = adv_c(c), s, v;

    if (!coupled)
        return adv_lin(t, i, c);
    zkr_ext f01 = t[us + 2 * i], f11 = t[us + 2 * i + 1];
    s = zkr_ext_from(zkr_gl_sub(c, zkr_gl_mul(c, c)));
    v = zkr_ext_add(f00, zkr_ext_mul(x, zkr_ext_sub(f10, f00)));
    v = zkr_ext_add(v, zkr_ext_mul(s, zkr_ext_sub(f01, f00)));
    return zkr_ext_add(v, zkr_ext_mul(zkr_ext_mul(x, s),
                                      zkr_ext_add(zkr_ext_sub(f11, f10), zkr_ext_sub(f00, f01))));
}

static void adv_zr_ref(const zkr_ext8_zr_in *in, size_t lo, size_t hi, zkr_ext e0[8],
                       zkr_ext lam[8], zkr_ext nu[8])
{
    for (size_t i = lo; i < hi; i++)
        for (unsigned c = 0; c <= in->cm; c++) {
            zkr_ext a, h;
            if (c == 1)
                continue;
            a = adv_hid(in->a, i, in->ustride, in->coupled, c);
            h = adv_hid(in->h, i, in->ustride, in->coupled, c);
            e0[c] = zkr_ext_add(e0[c], zkr_ext_mul(adv_lin(in->e, i, c),
                                                   zkr_ext_sub(zkr_ext_mul(h, zkr_ext_sub(in->x, a)),
                                                               zkr_ext_from(1))));
            lam[c] = zkr_ext_add(lam[c], zkr_ext_mul(adv_lin(in->s, i, c), h));
            if (in->m)
                nu[c] = zkr_ext_add(nu[c], zkr_ext_mul(adv_lin(in->m, i, c), a));
        }
}

static int adv_eq(const zkr_ext *a, const zkr_ext *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* Kernel names for the per-kernel report. */
enum { K_FOLD, K_FOLDC, K_FOLD_IP, K_EQ, K_GKR1, K_GKR, K_DOT, K_DOTB, K_SDOT, K_SDOTB, K_FRAC,
       K_P3, K_P3B, K_XDOT, K_XDOTB, K_AXPY, K_AXPYB, K_FBASE, K_FPAIR, K_FPAIR_IP, K_ZR,
       K_CHAIN, K_N };
static const char *const adv_kname[K_N] = {
    "fold (evaluation)", "fold_coef", "fold in place (out == in)",
    "eq_level (len hi..hi+5, in place)", "gkr_sums (pl, pr NULL)", "gkr_sums (pl, pr given)",
    "dot (extension f)", "dot (base f)", "sdot (extension g)", "sdot (base g)", "frac",
    "pairs3 (extension p)", "pairs3 (base p)", "xdot (extension y)", "xdot (base y)",
    "axpy (extension x, add 0/1, out == x)", "axpy (base x, add 0/1)", "fold_base",
    "fold_pair (separate out)", "fold_pair in place (out 0..3 below t0)",
    "zr_terms (coupled 0/1, m NULL or not, E0 zero / SN one runs)",
    "chained calls (hpm_comb_chunk, hpm_dot_chunk, zkr_bm_fold_chunk)"};

#define ADV_K(c, name, ...) ((c)->path ? zkr_ext8_##name(__VA_ARGS__) : zkr_ext4_##name(__VA_ARGS__))

/* One (lo, hi): every kernel on fresh operands; bad[k] counts kernel k's failures. */
static void adv_range(adv_ctx *c, size_t lo, size_t hi, size_t bad[K_N])
{
    zkr_tap *t = c->t;
    size_t want = lo + (hi - lo) / c->w * c->w, m;
    zkr_ext r = adv_ext(t), ref[128], got[128], acc[8], racc[8];
    zkr_ext *out, *in, *x, *y, *u, *v;
    zkr_gl *b;

    /* folds: evaluation and coefficient, into a separate out */
    for (int coef = 0; coef < 2; coef++) {
        in = adv_exts(c, 0, 2 * hi);
        out = adv_exts(c, 1, hi);
        memcpy(ref, out, hi * sizeof *out);
        m = c->path ? (coef ? zkr_ext8_fold_coef(in, out, lo, hi, r) : zkr_ext8_fold(in, out, lo, hi, r))
                    : zkr_ext4_fold(in, out, lo, hi, r, coef);
        bad[coef ? K_FOLDC : K_FOLD] += m != want || !adv_eq(out + m, ref + m, hi - m);
        for (size_t i = lo; i < hi; i++) {
            zkr_ext o = coef ? in[2 * i + 1] : zkr_ext_sub(in[2 * i + 1], in[2 * i]);
            ref[i] = zkr_ext_add(in[2 * i], zkr_ext_mul(r, o));
            if (i >= m)
                out[i] = ref[i];
        }
        bad[coef ? K_FOLDC : K_FOLD] += !adv_eq(out, ref, hi);
    }
    /* fold in place, scalar tail in index order, as zkr_zr_fix_first */
    in = adv_exts(c, 0, 2 * hi);
    memcpy(got, in, 2 * hi * sizeof *in);
    for (size_t i = 0; i < 2 * hi; i++)
        ref[i] = in[i];
    for (size_t i = lo; i < hi; i++)
        ref[i] = zkr_ext_add(got[2 * i], zkr_ext_mul(r, zkr_ext_sub(got[2 * i + 1], got[2 * i])));
    m = c->path ? zkr_ext8_fold(in, in, lo, hi, r) : zkr_ext4_fold(in, in, lo, hi, r, 0);
    for (size_t i = m; i < hi; i++)
        in[i] = zkr_ext_add(in[2 * i], zkr_ext_mul(r, zkr_ext_sub(in[2 * i + 1], in[2 * i])));
    bad[K_FOLD_IP] += m != want || !adv_eq(in, ref, 2 * hi);
    /* eq_level: t[i + len] = t[i] z, t[i] -= that over [lo, hi), hi <= len */
    for (size_t len = hi ? hi : 1; len <= hi + 5; len++) {
        size_t w_eff = c->path ? c->w : 4, wnt;
        if (!c->path && len < 4)
            continue; /* zkr_ext4_eq_level needs len >= 4 (its entry point checks) */
        wnt = len < w_eff ? lo : want;
        x = adv_exts(c, 2, hi + len);
        memcpy(ref, x, (hi + len) * sizeof *x);
        for (size_t i = lo; i < hi; i++) {
            zkr_ext h = zkr_ext_mul(ref[i], r);
            ref[i + len] = h;
            ref[i] = zkr_ext_sub(ref[i], h);
        }
        memcpy(got, x, (hi + len) * sizeof *x);
        m = c->path ? zkr_ext8_eq_level(x, len, lo, hi, r) : zkr_ext4_eq_level(x, len, lo, hi, r);
        /* nothing outside [lo, m) and [lo + len, m + len) written */
        for (size_t i = 0; i < hi + len; i++)
            if ((i < lo || i >= m) && (i < lo + len || i >= m + len))
                bad[K_EQ] += !adv_eq(&x[i], &got[i], 1);
        for (size_t i = m; i < hi; i++) {
            zkr_ext h = zkr_ext_mul(x[i], r);
            x[i + len] = h;
            x[i] = zkr_ext_sub(x[i], h);
        }
        bad[K_EQ] += m != wnt || !adv_eq(x, ref, hi + len);
    }
    /* gkr_sums, both forms, accumulators starting nonzero */
    for (int gen = 0; gen < 2; gen++) {
        zkr_ext *s = adv_exts(c, 0, hi), *ql = adv_exts(c, 1, 2 * hi), *qr = adv_exts(c, 2, 2 * hi);
        zkr_ext *pl = gen ? adv_exts(c, 3, 2 * hi) : NULL, *pr = gen ? adv_exts(c, 4, 2 * hi) : NULL;
        zkr_ext lam = adv_ext(t);
        acc[0] = racc[0] = adv_ext(t);
        acc[1] = racc[1] = adv_ext(t);
        m = ADV_K(c, gkr_sums, s, pl, pr, ql, qr, lam, lo, hi, acc);
        for (size_t i = lo; i < hi; i++)
            for (int xx = 0; xx < 2; xx++) {
                zkr_ext l = ql[2 * i], rr = qr[2 * i], g;
                if (xx) {
                    l = zkr_ext_sub(zkr_ext_add(ql[2 * i + 1], ql[2 * i + 1]), ql[2 * i]);
                    rr = zkr_ext_sub(zkr_ext_add(qr[2 * i + 1], qr[2 * i + 1]), qr[2 * i]);
                }
                g = zkr_ext_mul(lam, zkr_ext_mul(l, rr));
                if (!gen) {
                    g = zkr_ext_add(g, zkr_ext_add(l, rr));
                } else {
                    zkr_ext pa = pl[2 * i], pb = pr[2 * i];
                    if (xx) {
                        pa = zkr_ext_sub(zkr_ext_add(pl[2 * i + 1], pl[2 * i + 1]), pl[2 * i]);
                        pb = zkr_ext_sub(zkr_ext_add(pr[2 * i + 1], pr[2 * i + 1]), pr[2 * i]);
                    }
                    g = zkr_ext_add(g, zkr_ext_add(zkr_ext_mul(pa, rr), zkr_ext_mul(pb, l)));
                }
                g = zkr_ext_mul(s[i], g);
                racc[xx] = zkr_ext_add(racc[xx], g);
                if (i >= m)
                    acc[xx] = zkr_ext_add(acc[xx], g);
            }
        bad[gen ? K_GKR : K_GKR1] += m != want || !adv_eq(acc, racc, 2);
    }
    /* dot and sdot, extension and base operands */
    for (int base = 0; base < 2; base++) {
        zkr_ext *w = adv_exts(c, 0, 2 * hi), *fe = base ? NULL : adv_exts(c, 1, 2 * hi);
        zkr_ext *s = adv_exts(c, 3, hi);
        zkr_gl *fb = base ? adv_gls(c, 2, 2 * hi) : NULL;
        acc[0] = racc[0] = adv_ext(t);
        acc[1] = racc[1] = adv_ext(t);
        m = ADV_K(c, dot, w, fe, fb, lo, hi, acc);
        for (size_t i = lo; i < hi; i++) {
            zkr_ext f0 = base ? zkr_ext_from(fb[2 * i]) : fe[2 * i];
            zkr_ext f1 = base ? zkr_ext_from(fb[2 * i + 1]) : fe[2 * i + 1];
            zkr_ext w2 = zkr_ext_sub(zkr_ext_add(w[2 * i + 1], w[2 * i + 1]), w[2 * i]);
            zkr_ext g0 = zkr_ext_mul(w[2 * i], f0);
            zkr_ext g2 = zkr_ext_mul(w2, zkr_ext_sub(zkr_ext_add(f1, f1), f0));
            racc[0] = zkr_ext_add(racc[0], g0), racc[1] = zkr_ext_add(racc[1], g2);
            if (i >= m)
                acc[0] = zkr_ext_add(acc[0], g0), acc[1] = zkr_ext_add(acc[1], g2);
        }
        bad[base ? K_DOTB : K_DOT] += m != want || !adv_eq(acc, racc, 2);
        acc[0] = racc[0] = adv_ext(t);
        acc[1] = racc[1] = adv_ext(t);
        m = ADV_K(c, sdot, s, fe ? fe : NULL, fb, lo, hi, acc);
        for (size_t i = lo; i < hi; i++)
            for (int xx = 0; xx < 2; xx++) {
                zkr_ext g = zkr_ext_mul(s[i], base ? zkr_ext_from(fb[2 * i + xx]) : fe[2 * i + xx]);
                racc[xx] = zkr_ext_add(racc[xx], g);
                if (i >= m)
                    acc[xx] = zkr_ext_add(acc[xx], g);
            }
        bad[base ? K_SDOTB : K_SDOT] += m != want || !adv_eq(acc, racc, 2);
    }
    /* frac: outputs touch the guard too */
    {
        zkr_ext *pl = adv_exts(c, 0, hi), *pr = adv_exts(c, 1, hi), *ql = adv_exts(c, 2, hi);
        zkr_ext *qr = adv_exts(c, 3, hi), *po = adv_exts(c, 4, hi), *qo = adv_exts(c, 5, hi);
        zkr_ext rq[32];
        memcpy(ref, po, hi * sizeof *po);
        memcpy(rq, qo, hi * sizeof *qo);
        m = ADV_K(c, frac, pl, pr, ql, qr, po, qo, lo, hi);
        bad[K_FRAC] += m != want || !adv_eq(po + m, ref + m, hi - m) || !adv_eq(qo + m, rq + m, hi - m);
        for (size_t i = lo; i < hi; i++) {
            ref[i] = zkr_ext_add(zkr_ext_mul(pl[i], qr[i]), zkr_ext_mul(pr[i], ql[i]));
            rq[i] = zkr_ext_mul(ql[i], qr[i]);
            if (i >= m)
                po[i] = ref[i], qo[i] = rq[i];
        }
        bad[K_FRAC] += !adv_eq(po, ref, hi) || !adv_eq(qo, rq, hi);
    }
    /* pairs3, xdot, axpy: extension and base operands */
    for (int base = 0; base < 2; base++) {
        zkr_ext *e = adv_exts(c, 0, 2 * hi), *pe = base ? NULL : adv_exts(c, 1, 2 * hi);
        zkr_gl *pb = base ? adv_gls(c, 2, 2 * hi) : NULL;
        for (unsigned j = 0; j < 3; j++)
            acc[j] = racc[j] = adv_ext(t);
        m = ADV_K(c, pairs3, e, pe, pb, lo, hi, acc);
        for (size_t i = lo; i < hi; i++) {
            zkr_ext p0 = base ? zkr_ext_from(pb[2 * i]) : pe[2 * i];
            zkr_ext p1 = base ? zkr_ext_from(pb[2 * i + 1]) : pe[2 * i + 1], g[3];
            g[0] = zkr_ext_mul(e[2 * i], p0);
            g[1] = zkr_ext_mul(e[2 * i + 1], p1);
            g[2] = zkr_ext_mul(zkr_ext_sub(e[2 * i + 1], e[2 * i]), zkr_ext_sub(p1, p0));
            for (unsigned j = 0; j < 3; j++) {
                racc[j] = zkr_ext_add(racc[j], g[j]);
                if (i >= m)
                    acc[j] = zkr_ext_add(acc[j], g[j]);
            }
        }
        bad[base ? K_P3B : K_P3] += m != want || !adv_eq(acc, racc, 3);
        x = adv_exts(c, 3, hi);
        y = base ? NULL : adv_exts(c, 4, hi);
        b = base ? adv_gls(c, 5, hi) : NULL;
        acc[0] = racc[0] = adv_ext(t);
        m = ADV_K(c, xdot, x, y, b, lo, hi, acc);
        for (size_t i = lo; i < hi; i++) {
            zkr_ext g = zkr_ext_mul(x[i], base ? zkr_ext_from(b[i]) : y[i]);
            racc[0] = zkr_ext_add(racc[0], g);
            if (i >= m)
                acc[0] = zkr_ext_add(acc[0], g);
        }
        bad[base ? K_XDOTB : K_XDOT] += m != want || !adv_eq(acc, racc, 1);
        /* axpy: add 0 and 1; extension x also aliased with out (out[i] (1 + k) or k out[i]) */
        for (int mode = 0; mode < (base ? 2 : 4); mode++) {
            int add = mode & 1, alias = mode >> 1;
            zkr_ext k = adv_ext(t);
            out = adv_exts(c, 6, hi);
            memcpy(ref, out, hi * sizeof *out);
            const zkr_ext *xe = base ? NULL : alias ? out : y;
            zkr_ext xv[32];
            for (size_t i = 0; i < hi; i++)
                xv[i] = base ? zkr_ext_from(b[i]) : alias ? out[i] : y[i];
            m = ADV_K(c, axpy, out, xe, b, lo, hi, k, add);
            bad[base ? K_AXPYB : K_AXPY] += m != want || !adv_eq(out + m, ref + m, hi - m) ||
                                            !adv_eq(out, ref, lo);
            for (size_t i = lo; i < hi; i++) {
                zkr_ext v2 = zkr_ext_mul(k, xv[i]);
                ref[i] = add ? zkr_ext_add(ref[i], v2) : v2;
                if (i >= m)
                    out[i] = ref[i];
            }
            bad[base ? K_AXPYB : K_AXPY] += !adv_eq(out, ref, hi);
        }
    }
    /* fold_base */
    b = adv_gls(c, 0, 2 * hi);
    out = adv_exts(c, 1, hi);
    memcpy(ref, out, hi * sizeof *out);
    m = ADV_K(c, fold_base, b, out, lo, hi, r);
    bad[K_FBASE] += m != want || !adv_eq(out + m, ref + m, hi - m) || !adv_eq(out, ref, lo);
    for (size_t i = lo; i < hi; i++) {
        ref[i] = zkr_ext_add(zkr_ext_from(b[2 * i]),
                             zkr_ext_mul(r, zkr_ext_from(zkr_gl_sub(b[2 * i + 1], b[2 * i]))));
        if (i >= m)
            out[i] = ref[i];
    }
    bad[K_FBASE] += !adv_eq(out, ref, hi);
    /* fold_pair: separate out, then in place with out 0..3 entries below t0 */
    for (size_t d = 0; d < 5; d++) {
        int sep = d == 4;
        size_t below = sep ? 0 : d, us = 2 * hi + (d & 1) * 3, ext = below + us + 2 * hi;
        zkr_ext k3[3] = {adv_ext(t), adv_ext(t), adv_ext(t)}, orig[128];
        u = adv_exts(c, 0, ext);
        memcpy(orig, u, ext * sizeof *u);
        zkr_ext *t0 = u + below, *t1 = t0 + us;
        v = sep ? adv_exts(c, 1, hi) : u;
        memcpy(got, v, (sep ? hi : ext) * sizeof *v);
        for (size_t i = lo; i < hi; i++) {
            const zkr_ext *o0 = orig + below, *o1 = o0 + us;
            zkr_ext f00 = o0[2 * i], f10 = o0[2 * i + 1], f01 = o1[2 * i], f11 = o1[2 * i + 1];
            zkr_ext val = zkr_ext_add(f00, zkr_ext_mul(zkr_ext_sub(f10, f00), k3[0]));
            val = zkr_ext_add(val, zkr_ext_mul(zkr_ext_sub(f01, f00), k3[1]));
            val = zkr_ext_add(val, zkr_ext_mul(zkr_ext_add(zkr_ext_sub(f11, f10), zkr_ext_sub(f00, f01)),
                                               k3[2]));
            got[i] = val;
        }
        m = ADV_K(c, fold_pair, t0, t1, v, lo, hi, k3);
        for (size_t i = m; i < hi; i++) {
            zkr_ext f00 = t0[2 * i], f10 = t0[2 * i + 1], f01 = t1[2 * i], f11 = t1[2 * i + 1];
            zkr_ext val = zkr_ext_add(f00, zkr_ext_mul(zkr_ext_sub(f10, f00), k3[0]));
            val = zkr_ext_add(val, zkr_ext_mul(zkr_ext_sub(f01, f00), k3[1]));
            val = zkr_ext_add(val, zkr_ext_mul(zkr_ext_add(zkr_ext_sub(f11, f10), zkr_ext_sub(f00, f01)),
                                               k3[2]));
            v[i] = val;
        }
        bad[sep ? K_FPAIR : K_FPAIR_IP] += m != want || !adv_eq(v, got, sep ? hi : ext);
    }
    /* zr_terms: coupled or not, m NULL or not, runs of zero E0 and all-one SN */
    for (int mode = 0; mode < 16; mode++) {
        int coupled = mode & 1, with_m = (mode >> 1) & 1;
        size_t us = coupled ? 2 * hi + (mode >> 3) : 0, ext = us + 2 * hi;
        zkr_ext se[8], sl[8], sn[8], re[8], rl[8], rn[8];
        zkr_ext8_zr_in zin;
        zkr_ext *ze = adv_exts(c, 0, 2 * hi), *zs = adv_exts(c, 1, 2 * hi);
        zin.e = ze;
        zin.s = zs;
        zin.m = with_m ? adv_exts(c, 2, 2 * hi) : NULL;
        zin.a = adv_exts(c, 3, ext);
        zin.h = adv_exts(c, 4, ext);
        zin.ustride = us;
        zin.coupled = coupled;
        zin.x = adv_ext(t);
        zin.cm = zkr_tap_rand(t) & 1 ? 7 : 4; /* a cubic round's 5..7 untouched */
        {
            /* E0 zero and SN one on a prefix cut at a random point (whole blocks and parts) */
            size_t cut = hi ? zkr_tap_rand(t) % (2 * hi + 1) : 0;
            for (size_t i = 0; i < cut; i++) {
                if (mode & 4)
                    ze[i] = zkr_ext_from(0);
                if (mode & 8)
                    zs[i] = zkr_ext_from(1);
            }
        }
        for (unsigned j = 0; j < 8; j++) {
            se[j] = re[j] = adv_ext(t);
            sl[j] = rl[j] = adv_ext(t);
            sn[j] = rn[j] = adv_ext(t);
        }
        m = ADV_K(c, zr_terms, &zin, lo, hi, se, sl, sn);
        adv_zr_ref(&zin, m, hi, se, sl, sn);
        adv_zr_ref(&zin, lo, hi, re, rl, rn);
        bad[K_ZR] += m != want || !adv_eq(se, re, 8) || !adv_eq(sl, rl, 8) || !adv_eq(sn, rn, 8);
    }
    /* chains: a later kernel's hi is the first one's returned e, the scalar loop the rest */
    {
        zkr_ext *P = adv_exts(c, 0, hi), *h = adv_exts(c, 1, hi), *ph = adv_exts(c, 2, hi);
        zkr_ext *eq = adv_exts(c, 4, hi), wk[3] = {adv_ext(t), adv_ext(t), adv_ext(t)}, d[3];
        zkr_gl *mm = adv_gls(c, 3, hi);
        size_t e1 = ADV_K(c, axpy, P, h, NULL, lo, hi, wk[0], 0);
        bad[K_CHAIN] += ADV_K(c, axpy, P, ph, NULL, lo, e1, wk[1], 1) != e1 ||
                        ADV_K(c, axpy, P, NULL, mm, lo, e1, wk[2], 1) != e1;
        for (size_t i = e1; i < hi; i++)
            P[i] = zkr_ext_add(zkr_ext_add(zkr_ext_mul(wk[0], h[i]), zkr_ext_mul(wk[1], ph[i])),
                               zkr_ext_mul_base(wk[2], mm[i]));
        for (size_t i = lo; i < hi; i++)
            bad[K_CHAIN] += !zkr_ext_eq(P[i], zkr_ext_add(zkr_ext_add(zkr_ext_mul(wk[0], h[i]),
                                                                      zkr_ext_mul(wk[1], ph[i])),
                                                          zkr_ext_mul_base(wk[2], mm[i])));
        d[0] = d[1] = d[2] = racc[0] = racc[1] = racc[2] = zkr_ext_from(0);
        e1 = ADV_K(c, xdot, eq, h, NULL, lo, hi, &d[0]);
        bad[K_CHAIN] += ADV_K(c, xdot, eq, ph, NULL, lo, e1, &d[1]) != e1 ||
                        ADV_K(c, xdot, eq, NULL, mm, lo, e1, &d[2]) != e1;
        for (size_t i = lo; i < hi; i++) {
            zkr_ext g[3] = {zkr_ext_mul(eq[i], h[i]), zkr_ext_mul(eq[i], ph[i]),
                            zkr_ext_mul_base(eq[i], mm[i])};
            for (unsigned j = 0; j < 3; j++) {
                racc[j] = zkr_ext_add(racc[j], g[j]);
                if (i >= e1)
                    d[j] = zkr_ext_add(d[j], g[j]);
            }
        }
        bad[K_CHAIN] += !adv_eq(d, racc, 3);
        /* zkr_bm_fold_chunk / zkr_h_fold_chunk: W's fold, then F's (or coef's) to its e */
        {
            zkr_ext *wv = adv_exts(c, 5, 2 * hi), *wo = adv_exts(c, 6, hi), *fv = adv_exts(c, 7, 2 * hi);
            zkr_ext *fo = adv_exts(c, 8, hi);
            e1 = c->path ? zkr_ext8_fold(wv, wo, lo, hi, r) : zkr_ext4_fold(wv, wo, lo, hi, r, 0);
            bad[K_CHAIN] += (c->path ? zkr_ext8_fold_coef(fv, fo, lo, e1, r)
                                     : zkr_ext4_fold(fv, fo, lo, e1, r, 1)) != e1 ||
                            e1 != want;
        }
    }
}

static void test_ext4_adv(zkr_tap *t)
{
    adv_ctx c;
    size_t bad[2][K_N], pg = (size_t)sysconf(_SC_PAGESIZE);
    int ok = 1;

    memset(bad, 0, sizeof bad);
    memset(&c, 0, sizeof c);
    c.t = t, c.pg = pg;
    for (unsigned k = 0; k < ADV_ARENAS; k++) {
        void *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        c.arena[k] = map == MAP_FAILED ? NULL : map;
        ok = ok && c.arena[k] && mprotect(c.arena[k] + pg, pg, PROT_NONE) == 0;
    }
    if (!ok) {
        zkr_tap_ok(t, 0, "ext4 adversarial: guard pages mapped");
        goto out;
    }
    for (int path = 0; path < 2; path++) {
        /* path 0 runs AVX2 unasked: only where the CPU has it; path 1 where a caller would */
        if (path == 0 ? !zkr_cpu_avx2() : !zkr_ext8_ok()) {
            zkr_tap_skip(t, path == 0 ? "ext4 adversarial: zkr_ext4_* directly (no AVX2, or ZKR_NO_AVX512 set)"
                                      : "ext4 adversarial: zkr_ext8_* entry points (zkr_ext8_ok 0)");
            continue;
        }
        c.path = path;
        c.w = path == 0 ? 4 : zkr_ext8_lanes();
        for (size_t lo = 0; lo < 8; lo++)
            for (size_t n = 0; n <= 12; n++)
                for (unsigned trial = 0; trial < 3; trial++)
                    adv_range(&c, lo, lo + n, bad[path]);
        for (unsigned k = 0; k < K_N; k++)
            zkr_tap_ok(t, bad[path][k] == 0,
                       "ext4 adversarial (%s, %zu lanes): %s, lo 0..7, 0..12 entries, edge "
                       "words, guard pages: whole steps, no stray write, the scalar values (%zu "
                       "bad)",
                       path ? "zkr_ext8_* entry points" : "zkr_ext4_* directly", c.w, adv_kname[k],
                       bad[path][k]);
    }
out:
    for (unsigned k = 0; k < ADV_ARENAS; k++)
        if (c.arena[k])
            munmap(c.arena[k], 2 * pg);
}

/*
 * The verifier's reach into the kernels: zk/train2.c builds its eq tables
 * with zkr_mle_eq_table_mt, whose doublings run zkr_ext8_eq_level (on AVX2
 * from len 4, one step at len 4..7). At 0..11 variables, 1 and 2 threads,
 * scale 1 or an edge element, z drawn from edge elements (0, 1, -1 among
 * them): the scalar zkr_mle_eq_table's words, times the scale.
 */
static void test_ext4_eq_tables(zkr_tap *t)
{
    enum { N = 11 };
    zkr_ext z[N], *a = malloc(sizeof(zkr_ext) << N), *b = malloc(sizeof(zkr_ext) << N);
    size_t bad = 0;

    if (!a || !b) {
        zkr_tap_ok(t, 0, "ext4 eq tables: memory");
        free(a);
        free(b);
        return;
    }
    for (unsigned trial = 0; trial < 4; trial++)
        for (unsigned n = 0; n <= N; n++)
            for (unsigned th = 1; th <= 2; th++) {
                zkr_ext sc = trial & 1 ? adv_ext(t) : zkr_ext_from(1);
                for (unsigned i = 0; i < n; i++)
                    z[i] = adv_ext(t);
                zkr_mle_eq_table(z, n, a);
                for (size_t i = 0; i < (size_t)1 << n; i++)
                    a[i] = zkr_ext_mul(a[i], sc);
                if (trial & 1)
                    zkr_mle_eq_table_scaled_mt(z, n, sc, th, b);
                else
                    zkr_mle_eq_table_mt(z, n, th, b);
                bad += memcmp(a, b, sizeof(zkr_ext) << n) != 0;
            }
    zkr_tap_ok(t, bad == 0,
               "ext4 eq tables: zkr_mle_eq_table_mt and _scaled_mt (the %zu-lane eq_level) equal "
               "the scalar table at 0..%d variables, 1 and 2 threads, edge z and scale (%zu differ)",
               (size_t)zkr_ext8_lanes(), N, bad);
    free(a);
    free(b);
}

static void test_mle(zkr_tap *t)
{
    enum { N = 15 };
    zkr_ext z[N], *a = malloc(sizeof(zkr_ext) << N), *b = malloc(sizeof(zkr_ext) << N);
    zkr_gl *v = malloc(sizeof(zkr_gl) << N);
    for (int i = 0; i < N; i++)
        z[i] = (zkr_ext){{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
    zkr_mle_eq_table(z, N, a);
    zkr_mle_eq_table_mt(z, N, 3, b);
    zkr_tap_ok(t, memcmp(a, b, sizeof(zkr_ext) << N) == 0, "eq table: 3 threads == 1 thread");
    /* sum_x eq(z, x) v(x) == v~(z), and the monomial form agrees. */
    zkr_ext acc = zkr_ext_from(0), direct;
    for (size_t i = 0; i < ((size_t)1 << N); i++) {
        v[i] = rnd_gl(t);
        acc = zkr_ext_add(acc, zkr_ext_mul_base(a[i], v[i]));
    }
    int ok = zkr_mle_eval_base(v, N, z, &direct) == ZKR_OK && zkr_ext_eq(acc, direct);
    zkr_ext c[64];
    zkr_gl m[64];
    for (int i = 0; i < 64; i++)
        m[i] = v[i];
    zkr_mle_to_monomial_base(m, 6);
    for (int i = 0; i < 64; i++)
        c[i] = zkr_ext_from(m[i]);
    ok = ok && zkr_mle_eval_base(v, 6, z, &direct) == ZKR_OK &&
         zkr_ext_eq(direct, zkr_mle_eval_monomial(c, 6, z));
    zkr_tap_ok(t, ok, "MLE evaluation: eq-sum, folding and monomial forms agree");
    free(a);
    free(b);
    free(v);
}

static void test_sumcheck(zkr_tap *t)
{
    /* sum_x A(x) B(x) C(x) + 3 A(x), degree 3, 6 variables. */
    enum { N = 6, L = 64 };
    zkr_ext *tabs[3], orig[3][L], msgs[N * 3], r[N], fin, claim = zkr_ext_from(0);
    for (int k = 0; k < 3; k++) {
        tabs[k] = malloc(L * sizeof(zkr_ext));
        for (int i = 0; i < L; i++)
            tabs[k][i] = orig[k][i] = (zkr_ext){{rnd_gl(t), rnd_gl(t), 0}};
    }
    for (int i = 0; i < L; i++)
        claim = zkr_ext_add(claim, zkr_ext_add(zkr_ext_mul(zkr_ext_mul(orig[0][i], orig[1][i]),
                                                           orig[2][i]),
                                               zkr_ext_mul_base(orig[0][i], 3)));
    zkr_sc_term terms[2] = {{zkr_ext_from(1), 3, {0, 1, 2}}, {zkr_ext_from(3), 1, {0}}};
    zkr_sc_poly f = {tabs, 3, terms, 2, 3, NULL};
    zkr_transcript tp, tv;
    uint8_t z[32] = {0};
    zkr_ts_init(&tp, "sc", 1, 1, 1, z, z);
    tv = tp;
    zkr_prover_sumcheck(&f, N, &tp, 2, msgs, r);
    zkr_ext rv[N];
    zkr_sumcheck_verify(&tv, N, 3, claim, msgs, rv, &fin);
    zkr_ext e[3];
    int ok = 1;
    for (int k = 0; k < 3; k++)
        ok &= zkr_mle_eval_ext(orig[k], N, rv, &e[k]) == ZKR_OK && zkr_ext_eq(e[k], tabs[k][0]);
    zkr_ext want = zkr_ext_add(zkr_ext_mul(zkr_ext_mul(e[0], e[1]), e[2]), zkr_ext_mul_base(e[0], 3));
    zkr_tap_ok(t, ok && zkr_ext_eq(want, fin), "degree-3 sumcheck complete");
    /* A wrong claim (off by one) must not reduce to the true evaluation. */
    zkr_transcript tw;
    zkr_ts_init(&tw, "sc", 1, 1, 1, z, z);
    zkr_sumcheck_verify(&tw, N, 3, zkr_ext_add(claim, zkr_ext_from(1)), msgs, rv, &fin);
    zkr_tap_ok(t, !zkr_ext_eq(want, fin), "wrong claim rejected");
    msgs[4].c[1] ^= 1;
    zkr_ts_init(&tw, "sc", 1, 1, 1, z, z);
    zkr_sumcheck_verify(&tw, N, 3, claim, msgs, rv, &fin);
    for (int k = 0; k < 3; k++)
        ok &= zkr_mle_eval_ext(orig[k], N, rv, &e[k]) == ZKR_OK;
    want = zkr_ext_add(zkr_ext_mul(zkr_ext_mul(e[0], e[1]), e[2]), zkr_ext_mul_base(e[0], 3));
    zkr_tap_ok(t, !zkr_ext_eq(want, fin), "tampered round message rejected");
    for (int k = 0; k < 3; k++)
        free(tabs[k]);
}

static void test_basefold(zkr_tap *t, const zkr_params *p)
{
    /* Two polynomials of 9 variables, three claims: batched opening. */
    enum { N = 9 };
    size_t len = (size_t)1 << N;
    zkr_gl *ev[2];
    zkr_pcs_poly *polys[2] = {NULL, NULL};
    zkr_pcs_commitment comms[2];
    zkr_ext pts[3][N];
    zkr_pcs_claim cl[3];
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        ev[k] = malloc(len * 8);
        for (size_t i = 0; i < len; i++)
            ev[k][i] = rnd_gl(t);
        ok &= zkr_prover_commit(p, ev[k], N, 2, &polys[k], &comms[k]) == ZKR_OK;
    }
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < N; i++)
            pts[c][i] = (zkr_ext){{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
        cl[c].comm = c == 2 ? 1 : 0;
        cl[c].point = pts[c];
        ok &= zkr_mle_eval_base(ev[cl[c].comm], N, pts[c], &cl[c].value) == ZKR_OK;
    }
    uint8_t z[32] = {0};
    zkr_transcript tp, tv;
    zkr_ts_init(&tp, "bf", 1, 1, 1, z, z);
    tv = tp;
    zkr_buf b = {0};
    ok &= zkr_prover_open(p, &tp, polys, 2, cl, 3, 2, &b) == ZKR_OK;
    zkr_dec d;
    zkr_pcs_proof *pf = NULL;
    zkr_dec_init(&d, b.p, b.len);
    ok &= zkr_pcs_proof_parse(p, N, 2, 3, &d, &pf) == ZKR_OK && zkr_dec_finish(&d) == ZKR_OK;
    zkr_tap_ok(t, ok && zkr_pcs_verify(p, &tv, comms, 2, cl, 3, pf) == ZKR_OK,
               "batched Basefold opening (2 commitments, 3 claims) verifies (%zu bytes)", b.len);
    zkr_pcs_proof_free(pf);
    /* Wrong value. */
    cl[2].value.c[0] ^= 1;
    zkr_ts_init(&tv, "bf", 1, 1, 1, z, z);
    zkr_dec_init(&d, b.p, b.len);
    pf = NULL;
    ok &= zkr_pcs_proof_parse(p, N, 2, 3, &d, &pf) == ZKR_OK;
    zkr_tap_ok(t, zkr_pcs_verify(p, &tv, comms, 2, cl, 3, pf) == ZKR_ERR_VERIFY,
               "a wrong claimed value is rejected");
    zkr_pcs_proof_free(pf);
    cl[2].value.c[0] ^= 1;
    /* Tamper sampled bytes of the opening. */
    size_t bad = 0, tried = 0;
    for (size_t i = 0; i < b.len; i += 1 + zkr_tap_rand(t) % 23) {
        uint8_t bit = (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        b.p[i] ^= bit;
        zkr_ts_init(&tv, "bf", 1, 1, 1, z, z);
        zkr_dec_init(&d, b.p, b.len);
        pf = NULL;
        if (zkr_pcs_proof_parse(p, N, 2, 3, &d, &pf) == ZKR_OK && zkr_dec_finish(&d) == ZKR_OK &&
            zkr_pcs_verify(p, &tv, comms, 2, cl, 3, pf) == ZKR_OK)
            bad++;
        zkr_pcs_proof_free(pf);
        b.p[i] ^= bit;
        tried++;
    }
    zkr_tap_ok(t, bad == 0, "%zu tampered openings all rejected", tried);
    /* Swapped commitment. */
    zkr_pcs_commitment sw[2] = {comms[1], comms[0]};
    zkr_ts_init(&tv, "bf", 1, 1, 1, z, z);
    zkr_dec_init(&d, b.p, b.len);
    pf = NULL;
    ok &= zkr_pcs_proof_parse(p, N, 2, 3, &d, &pf) == ZKR_OK;
    zkr_tap_ok(t, zkr_pcs_verify(p, &tv, sw, 2, cl, 3, pf) == ZKR_ERR_VERIFY,
               "swapped commitments rejected");
    zkr_pcs_proof_free(pf);
    /* Commitments of different sizes are refused, not mis-proven. */
    {
        zkr_pcs_poly *small_poly = NULL, *mix[2];
        zkr_pcs_commitment sc;
        zkr_buf mb = {0};
        zkr_gl ev_small[256];
        for (int i = 0; i < 256; i++)
            ev_small[i] = (zkr_gl)i;
        ok = zkr_prover_commit(p, ev_small, 8, 1, &small_poly, &sc) == ZKR_OK;
        zkr_ts_init(&tp, "bf", 1, 1, 1, z, z);
        ok &= zkr_prover_commit(p, ev[0], N, 1, &mix[0], &comms[0]) == ZKR_OK;
        mix[1] = small_poly;
        zkr_pcs_claim one = {0, pts[0], cl[0].value};
        zkr_tap_ok(t, ok && zkr_prover_open(p, &tp, mix, 2, &one, 1, 1, &mb) == ZKR_ERR_UNSUPPORTED,
                   "mixed-size batch refused (UNSUPPORTED)");
        zkr_buf_free(&mb);
        zkr_pcs_poly_free(mix[0]);
        zkr_pcs_poly_free(small_poly);
    }
    zkr_buf_free(&b);
    for (int k = 0; k < 2; k++) {
        free(ev[k]);
        zkr_pcs_poly_free(polys[k]);
    }
    zkr_soundness s = zkr_params_soundness(p, 26, 40, 3);
    zkr_tap_ok(t, s.provable_bits >= 127.5 && s.conjectured_bits > s.provable_bits,
               "soundness for n=26: provable %.1f bits, conjectured %.1f bits", s.provable_bits,
               s.conjectured_bits);
}

/* Runs LogUp for column a against table; returns the verifier's verdict
 * including the caller-side checks of the final evaluation claims. */
static zkr_err logup_run2(const zkr_gl *a, const zkr_gl *a_check, unsigned na,
                          const zkr_gl *table, const zkr_gl *mult, unsigned nt, size_t flip,
                          int *proved);
static zkr_err logup_run(const zkr_gl *a, unsigned na, const zkr_gl *table, const zkr_gl *mult,
                         unsigned nt, size_t flip, int *proved)
{
    return logup_run2(a, a, na, table, mult, nt, flip, proved);
}

/* Proves for column a, but the caller discharges the column claim against a_check. */
static zkr_err logup_run2(const zkr_gl *a, const zkr_gl *a_check, unsigned na,
                          const zkr_gl *table, const zkr_gl *mult, unsigned nt, size_t flip,
                          int *proved)
{
    uint8_t z[32] = {0};
    zkr_transcript tp, tv;
    zkr_buf b = {0};
    zkr_logup_claims cp, cv;
    zkr_logup_proof *pf = NULL;
    zkr_dec d;
    zkr_err r;
    zkr_ext va, vm, vt;

    zkr_ts_init(&tp, "lu", 1, 1, 1, z, z);
    tv = tp;
    *proved = zkr_prover_logup(&tp, a, na, table, mult, nt, 2, &b, &cp) == ZKR_OK;
    if (!*proved)
        return ZKR_ERR_USAGE;
    if (flip < b.len * 8)
        b.p[flip / 8] ^= (uint8_t)(1u << (flip % 8));
    zkr_dec_init(&d, b.p, b.len);
    r = zkr_logup_proof_parse(na, nt, &d, &pf);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r == ZKR_OK)
        r = zkr_logup_verify(&tv, na, nt, pf, &cv);
    /* The caller discharges the leaf claims; here directly on the columns. */
    if (r == ZKR_OK && (zkr_mle_eval_base(a_check, na, cv.ra, &va) != ZKR_OK ||
                        zkr_mle_eval_base(mult, nt, cv.rt, &vm) != ZKR_OK ||
                        zkr_mle_eval_base(table, nt, cv.rt, &vt) != ZKR_OK ||
                        !zkr_ext_eq(va, cv.a_at_ra) || !zkr_ext_eq(vm, cv.m_at_rt) ||
                        !zkr_ext_eq(vt, cv.t_at_rt)))
        r = ZKR_ERR_VERIFY;
    if (r == ZKR_OK && flip == SIZE_MAX && !zkr_ext_eq(cp.a_at_ra, cv.a_at_ra))
        r = ZKR_ERR_INTERNAL;
    zkr_logup_proof_free(pf);
    zkr_buf_free(&b);
    return r;
}

static void test_logup(zkr_tap *t)
{
    enum { NA = 7, NT = 5 };
    zkr_gl a[1 << NA], table[1 << NT], mult[1 << NT];
    int proved;
    for (int j = 0; j < (1 << NT); j++)
        table[j] = (zkr_gl)j; /* range table [0, 32) */
    for (int i = 0; i < (1 << NA); i++)
        a[i] = zkr_tap_rand(t) % (1 << NT);
    zkr_tap_ok(t, zkr_prover_logup_mult(a, 1 << NA, table, 1 << NT, mult) == ZKR_OK,
               "multiplicities computed");
    zkr_err r = logup_run(a, NA, table, mult, NT, SIZE_MAX, &proved);
    zkr_tap_ok(t, proved && r == ZKR_OK, "LogUp range check accepts in-range column: %s",
               zkr_strerror(r));
    /* A value outside the table: no multiplicities exist. */
    zkr_gl saved = a[17];
    a[17] = 1 << NT;
    zkr_gl m2[1 << NT];
    zkr_tap_ok(t, zkr_prover_logup_mult(a, 1 << NA, table, 1 << NT, m2) == ZKR_ERR_USAGE,
               "value outside the table has no multiplicity");
    /* Cheating multiplicities (the old ones) with the out-of-range value. */
    r = logup_run(a, NA, table, mult, NT, SIZE_MAX, &proved);
    zkr_tap_ok(t, !proved, "honest prover refuses a column with a value outside the table");
    /* A cheating prover proves an in-range column; the claim it ends in does
     * not hold for the committed column with the outside value. */
    zkr_gl honest[1 << NA];
    memcpy(honest, a, sizeof honest);
    honest[17] = saved;
    r = logup_run2(honest, a, NA, table, mult, NT, SIZE_MAX, &proved);
    zkr_tap_ok(t, proved && r == ZKR_ERR_VERIFY,
               "column with a value outside the table rejected by the verifier's claim check");
    a[17] = saved;
    /* Every bit of a LogUp proof: flip rejected. */
    size_t bad = 0, n = 0;
    for (size_t f = 0; f < 8 * 2000; f += 1 + zkr_tap_rand(t) % 13) {
        r = logup_run(a, NA, table, mult, NT, f, &proved);
        if (r == ZKR_OK)
            bad++;
        n++;
    }
    zkr_tap_ok(t, bad == 0, "%zu LogUp bit flips rejected", n);
    /* Single-element column, 1-entry table edge case. */
    zkr_gl one_a[1] = {5}, one_t[1] = {5}, one_m[1] = {1};
    r = logup_run(one_a, 0, one_t, one_m, 0, SIZE_MAX, &proved);
    zkr_tap_ok(t, proved && r == ZKR_OK, "LogUp with 1-element column and table");
}

static void test_codec(zkr_tap *t)
{
    uint8_t nc[8];
    zkr_dec d;
    zkr_gl v;
    zkr_store_le64(nc, ZKR_GL_P);
    zkr_dec_init(&d, nc, 8);
    zkr_tap_ok(t, zkr_dec_gl(&d, &v) == ZKR_ERR_MALFORMED, "non-canonical element rejected");
    zkr_store_le64(nc, ZKR_GL_P - 1);
    zkr_dec_init(&d, nc, 8);
    zkr_tap_ok(t, zkr_dec_gl(&d, &v) == ZKR_OK && v == ZKR_GL_P - 1, "p-1 accepted");
    zkr_dec_init(&d, nc, 7);
    zkr_tap_ok(t, zkr_dec_gl(&d, &v) == ZKR_ERR_MALFORMED, "truncated element rejected");
    /* Container: oversize section count and length. */
    zkr_buf b = {0};
    uint8_t sid[32] = {0};
    zkr_proof_view pv;
    int ok = zkr_proof_begin(&b, 1, 1, sid, 1000) == ZKR_OK;
    zkr_tap_ok(t, ok && zkr_proof_parse(b.p, b.len, &pv, NULL) == ZKR_ERR_TOO_LARGE,
               "section count over the bound rejected before allocation");
    zkr_buf_free(&b);
    ok = zkr_proof_begin(&b, 1, 1, sid, 1) == ZKR_OK && zkr_enc_u32(&b, 1) == ZKR_OK &&
         zkr_enc_u32(&b, 0xffffffffu) == ZKR_OK;
    zkr_tap_ok(t, ok && zkr_proof_parse(b.p, b.len, &pv, NULL) != ZKR_OK,
               "section length beyond the input rejected");
    zkr_buf_free(&b);
    ok = zkr_proof_begin(&b, 1, 1, sid, 0) == ZKR_OK;
    b.p[8 + 3] = 2; /* format version 2 */
    zkr_tap_ok(t, ok && zkr_proof_parse(b.p, b.len, &pv, NULL) == ZKR_ERR_UNSUPPORTED,
               "other format version rejected");
    zkr_buf_free(&b);
}

/*
 * Hiding record commitment (the function inference@2 and the hiding
 * dataset commitments bind to): commit, decode, reopen from the secret
 * opening, and the range proof of the reopened record's bytes. Rejects: a
 * changed byte, another key, another length, malformed encodings.
 */
static void test_record_commit(zkr_tap *t, const zkr_params *p)
{
    uint8_t rec[100], c1[ZKR_RECORD_COMMIT_BYTES], c2[ZKR_RECORD_COMMIT_BYTES],
        o1[ZKR_RECORD_OPENING_BYTES], o2[ZKR_RECORD_OPENING_BYTES], seed[32], bad[48];
    zkr_record_commitment rc;
    zkr_hpcs_poly *poly = NULL;
    int ok;

    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (uint8_t)zkr_tap_rand(t);
    memset(seed, 3, sizeof seed);
    ok = zkr_prover_record_commit(p, rec, sizeof rec, 2, NULL, 0, 1, c1, o1) == ZKR_OK &&
         zkr_record_commitment_decode(p, c1, sizeof c1, &rc) == ZKR_OK && rc.len == 100 &&
         rc.comm.n_vars == 7 && rc.comm.blind_vars == zkr_hpcs_blind_vars(p, 7, 2);
    zkr_tap_ok(t, ok, "record commitment: commits and decodes (len 100, n 7)");
    ok = zkr_prover_record_reopen(p, rec, sizeof rec, c1, o1, 1, &poly) == ZKR_OK && poly;
    if (ok) {
        /* The reopened state proves: the range proof of the bytes against 0..255. */
        const zkr_zkrange_table bytes = {0, 256};
        zkr_transcript tp, tv;
        uint8_t sid[ZKR_DIGEST_BYTES] = {0}, pd[ZKR_DIGEST_BYTES];
        zkr_zkrng rng;
        zkr_buf pf = {0};
        zkr_dec d;
        zkr_params_digest(p, pd);
        zkr_ts_init(&tp, "zkreg/test-record", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
        tv = tp;
        zkr_zkrng_os(&rng);
        ok = zkr_prover_zkrange(p, &tp, poly, &bytes, &rng, 1, &pf) == ZKR_OK;
        zkr_dec_init(&d, pf.p, pf.len);
        ok = ok && zkr_zkrange_verify(p, &tv, &rc.comm, &bytes, &d) == ZKR_OK &&
             zkr_dec_finish(&d) == ZKR_OK;
        zkr_zkrng_wipe(&rng);
        zkr_buf_free(&pf);
    }
    zkr_hpcs_poly_free(poly);
    poly = NULL;
    zkr_tap_ok(t, ok, "record commitment: reopened from the secret opening, its bytes range-proved");
    rec[5] ^= 1;
    zkr_tap_ok(t, zkr_prover_record_reopen(p, rec, sizeof rec, c1, o1, 1, &poly) ==
                      ZKR_ERR_MISMATCH_INPUT && !poly,
               "record commitment: a changed byte does not reopen (MISMATCH_INPUT)");
    rec[5] ^= 1;
    zkr_tap_ok(t, zkr_prover_record_reopen(p, rec, sizeof rec - 1, c1, o1, 1, &poly) ==
                      ZKR_ERR_MISMATCH_INPUT,
               "record commitment: another length does not reopen");
    memcpy(o2, o1, sizeof o2);
    o2[20] ^= 1;
    zkr_tap_ok(t, zkr_prover_record_reopen(p, rec, sizeof rec, c1, o2, 1, &poly) ==
                      ZKR_ERR_MISMATCH_INPUT,
               "record commitment: another key does not reopen");
    ok = zkr_prover_record_commit(p, rec, sizeof rec, 2, NULL, 0, 1, c2, o2) == ZKR_OK &&
         memcmp(c1, c2, sizeof c1) != 0;
    zkr_tap_ok(t, ok, "record commitment: OS-keyed commitments of one record differ (hiding)");
    ok = zkr_prover_record_commit(p, rec, sizeof rec, 2, seed, sizeof seed, 1, c1, o1) == ZKR_OK &&
         zkr_prover_record_commit(p, rec, sizeof rec, 2, seed, sizeof seed, 1, c2, o2) == ZKR_OK &&
         memcmp(c1, c2, sizeof c1) == 0 && memcmp(o1, o2, sizeof o1) == 0;
    zkr_tap_ok(t, ok, "record commitment: the same seed and record give the same bytes");
    memcpy(bad, c1, sizeof bad);
    bad[3] = 2;
    ok = zkr_record_commitment_decode(p, bad, sizeof bad, &rc) == ZKR_ERR_MALFORMED;
    memcpy(bad, c1, sizeof bad);
    bad[11] = 8; /* n = 8 for len 100 */
    ok &= zkr_record_commitment_decode(p, bad, sizeof bad, &rc) == ZKR_ERR_MALFORMED;
    memcpy(bad, c1, sizeof bad);
    bad[15] = 0; /* e = 0 */
    ok &= zkr_record_commitment_decode(p, bad, sizeof bad, &rc) == ZKR_ERR_MALFORMED;
    ok &= zkr_record_commitment_decode(p, c1, sizeof c1 - 1, &rc) == ZKR_ERR_MALFORMED;
    ok &= zkr_prover_record_commit(p, rec, 0, 2, NULL, 0, 1, c2, o2) == ZKR_ERR_USAGE;
    zkr_tap_ok(t, ok, "record commitment: version, n, e, length and an empty record refused");
    sodium_memzero(o1, sizeof o1);
    sodium_memzero(o2, sizeof o2);
}

/*
 * Batched hiding opening (zkr_prover_hopen_batch / zkr_hpcs_verify_batch):
 * a base and an extension-valued commitment of different n, grouped to
 * one size (hcommit_sized), opened at one full point off the slice u = 0.
 * Accept, byte-identical with the same generator key, and the refusals: a
 * value + 1 (VERIFY), members of different sizes and a member twice
 * (USAGE), the budget spent (USAGE; a refused batch still counts).
 */
static zkr_err batch_run(const zkr_params *p, zkr_hpcs_poly *const *f,
                         const zkr_hpcs_commitment *c, size_t k, const zkr_ext *z,
                         const zkr_ext *vals, const zkr_ext *vvals, const uint8_t key[32],
                         zkr_buf *pf)
{
    zkr_transcript tp, tv;
    uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];
    zkr_zkrng g;
    zkr_dec d;
    zkr_err r;

    memset(sid, 0x42, sizeof sid);
    zkr_params_digest(p, pd);
    zkr_ts_init(&tp, "zkreg/test-batch", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
    tv = tp;
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hopen_batch(p, &tp, f, k, z, vals, &g, 1, pf);
    zkr_zkrng_wipe(&g);
    if (r != ZKR_OK)
        return r;
    zkr_dec_init(&d, pf->p, pf->len);
    r = zkr_hpcs_verify_batch(p, &tv, c, k, z, vvals, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    return r;
}

static zkr_ext batch_value(zkr_hpcs_poly *f, const zkr_ext *z)
{
    unsigned total = zkr_hpcs_poly_total_vars(f);
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);
    const zkr_ext *ev = zkr_hpcs_poly_ext_evals(f);
    size_t len = (size_t)1 << total;
    zkr_ext *eq = malloc(len * sizeof *eq), acc = zkr_ext_from(0);

    if (!eq)
        return acc;
    zkr_mle_eq_table(z, total, eq);
    for (size_t i = 0; i < len; i++)
        acc = zkr_ext_add(acc, bv ? zkr_ext_mul_base(eq[i], bv[i]) : zkr_ext_mul(eq[i], ev[i]));
    free(eq);
    return acc;
}

static void test_hpcs_batch(zkr_tap *t, const zkr_params *p)
{
    zkr_gl a[8];
    zkr_ext h[16];
    zkr_hpcs_poly *f[3] = {NULL, NULL, NULL};
    zkr_hpcs_commitment c[3];
    zkr_ext z[64], vals[2], bad[2];
    uint8_t key[32];
    zkr_zkrng g;
    zkr_buf p1 = {0}, p2 = {0}, p3 = {0};
    unsigned total;
    zkr_err r1 = ZKR_ERR_INTERNAL, r2 = ZKR_ERR_INTERNAL, r3, r4, r5;

    for (int i = 0; i < 8; i++)
        a[i] = zkr_gl_from_i64(i * 7 - 20);
    for (int i = 0; i < 16; i++)
        h[i] = zkr_ext_from((zkr_gl)(1000 + i));
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 3 + 1);
    zkr_zkrng_from_key(&g, key);
    total = 4 + zkr_hpcs_blind_vars(p, 4, 3);
    if (zkr_prover_hcommit_sized(p, a, 3, total, 3, &g, 1, &f[0], &c[0]) != ZKR_OK ||
        zkr_prover_hcommit_ext_sized(p, h, 4, total, 3, &g, 1, &f[1], &c[1]) != ZKR_OK ||
        zkr_prover_hcommit(p, a, 3, 3, &g, 1, &f[2], &c[2]) != ZKR_OK) {
        zkr_tap_ok(t, 0, "batch setup");
        goto out;
    }
    for (unsigned i = 0; i < total; i++)
        z[i] = zkr_ext_from((zkr_gl)(12345 + 977 * i));
    vals[0] = batch_value(f[0], z);
    vals[1] = batch_value(f[1], z);
    bad[0] = vals[0];
    bad[1] = vals[1];
    bad[1].c[2] = zkr_gl_add(bad[1].c[2], 1);
    r1 = batch_run(p, f, c, 2, z, vals, vals, key, &p1);
    r2 = batch_run(p, f, c, 2, z, vals, vals, key, &p2);
    zkr_tap_ok(t, r1 == ZKR_OK && r2 == ZKR_OK && p1.len == p2.len &&
                      memcmp(p1.p, p2.p, p1.len) == 0,
               "batched opening of a base (n = 3) and an extension-valued (n = 4) commitment "
               "grouped to one size verifies, byte-identical under one key (%d, %d)", r1, r2);
    r3 = batch_run(p, f, c, 2, z, vals, bad, key, &p3);
    zkr_tap_ok(t, r3 == ZKR_ERR_VERIFY, "a value's x^2 limb + 1: VERIFY (%d)", r3);
    {
        zkr_hpcs_poly *mix[2] = {f[0], f[2]}, *dup[2] = {f[0], f[0]};
        zkr_hpcs_commitment cmix[2] = {c[0], c[2]};
        p3.len = 0;
        r4 = batch_run(p, mix, cmix, 2, z, vals, vals, key, &p3);
        p3.len = 0;
        r5 = batch_run(p, dup, c, 2, z, vals, vals, key, &p3);
        zkr_tap_ok(t, r4 == ZKR_ERR_USAGE && r5 == ZKR_ERR_USAGE,
                   "members of different sizes or one member twice: USAGE (%d, %d)", r4, r5);
    }
    p3.len = 0;
    r4 = batch_run(p, f, c, 2, z, vals, vals, key, &p3);
    zkr_tap_ok(t, r4 == ZKR_ERR_USAGE && zkr_hpcs_budget_left(f[0]) == 0,
               "the fourth batched opening of commitments blinded for 3: USAGE (%d)", r4);
out:
    zkr_zkrng_wipe(&g);
    for (int i = 0; i < 3; i++)
        zkr_hpcs_poly_free(f[i]);
    zkr_buf_free(&p1);
    zkr_buf_free(&p2);
    zkr_buf_free(&p3);
}

/* The linear claim's weights' extension at r (8 variables): the test's eval callback. */
static zkr_err dl_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    return zkr_mle_eval_ext((const zkr_ext *)ctx, 8, r, out);
}

/*
 * The deferred range proof with a linear claim (training-step@2 version
 * 5): it verifies up to its final check, its revealed a^ is a's value at
 * the full point it hands over, and a false claim or a missing one is
 * refused.
 */
static void test_zkrange_defer_lin(zkr_tap *t, const zkr_params *p)
{
    enum { DN = 8 };
    const zkr_zkrange_table bytes = {0, 256};
    zkr_gl a[1u << DN];
    zkr_ext w[1u << DN], gco[1 + ZKR_ZKRANGE_DEGREE * DN], claim = zkr_ext_from(0), av;
    zkr_hpcs_poly *poly = NULL;
    zkr_hpcs_commitment comm;
    zkr_zkrange_defer df;
    zkr_zkrange_deferred out;
    zkr_zkrng rng;
    zkr_buf pf = {0};
    int ok;

    memset(&df, 0, sizeof df);
    zkr_zkrng_os(&rng);
    for (size_t x = 0; x < (1u << DN); x++) {
        a[x] = zkr_tap_rand(t) & 0xff;
        w[x] = zkr_ext_from(3 * x + 1);
        claim = zkr_ext_add(claim, zkr_ext_mul_base(w[x], a[x]));
    }
    for (size_t i = 0; i < sizeof gco / sizeof *gco; i++)
        gco[i] = zkr_zkrng_ext(&rng);
    df.gco = gco;
    ok = zkr_prover_hcommit(p, a, DN, 3, &rng, 1, &poly, &comm) == ZKR_OK;
    for (int pass = 0; ok && pass < 3; pass++) {
        zkr_zkrange_lin lin = {claim, w, dl_eval, w};
        zkr_transcript tp, tv;
        uint8_t sid[ZKR_DIGEST_BYTES] = {0}, pd[ZKR_DIGEST_BYTES];
        zkr_dec d;
        zkr_err r;
        zkr_params_digest(p, pd);
        zkr_ts_init(&tp, "zkreg/test-defer-lin", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
        tv = tp;
        pf.len = 0;
        if (pass == 1)
            lin.claim = zkr_ext_add(claim, zkr_ext_from(1)); /* a false claim, proven as is */
        if (zkr_prover_zkrange_defer_lin(p, &tp, poly, &bytes, &lin, NULL, &df, &rng, 1, &pf) !=
            ZKR_OK) {
            ok = 0;
            break;
        }
        zkr_dec_init(&d, pf.p, pf.len);
        r = zkr_zkrange_verify_defer_lin(p, &tv, &comm, &bytes, pass == 2 ? NULL : &lin, &out, &d);
        if (pass == 0) {
            /* a^ is a's committed table (blinding included) at the full point */
            ok = r == ZKR_OK && zkr_dec_finish(&d) == ZKR_OK &&
                 out.T == zkr_hpcs_poly_total_vars(poly) &&
                 zkr_mle_eval_base(zkr_hpcs_poly_base_evals(poly), out.T, out.zf, &av) ==
                     ZKR_OK &&
                 zkr_ext_eq(av, out.vals[0]);
            zkr_tap_ok(t, ok && memcmp(out.vals, df.vals, sizeof out.vals) == 0,
                       "deferred range proof with a linear claim: verifies to its final check, "
                       "a^ is a at the full point it hands over, its values the prover's");
        } else {
            zkr_tap_ok(t, r == (pass == 1 ? ZKR_ERR_VERIFY : ZKR_ERR_USAGE),
                       "deferred range proof with a linear claim: %s (%d)",
                       pass == 1 ? "a false claim is refused (VERIFY)"
                                 : "no linear claim: USAGE",
                       r);
        }
        zkr_hpcs_poly_free(df.h), zkr_hpcs_poly_free(df.ph), zkr_hpcs_poly_free(df.m);
        df.h = df.ph = df.m = NULL;
    }
    if (!ok)
        zkr_tap_ok(t, 0, "deferred range proof with a linear claim: proves");
    zkr_hpcs_poly_free(poly);
    zkr_zkrng_wipe(&rng);
    zkr_buf_free(&pf);
}

/*
 * The deferred range proof with m given by its caller (inference@2 version
 * 10: m = a's counts, committed with a as one stacked pair): it binds the
 * pair's root as m's, hands the given m back as df.m and verifies to its
 * final check; an m whose counts are not a's (one count + 1) is refused
 * (USAGE) with nothing written and the caller still owning it.
 */
static void test_zkrange_defer_mgiven(zkr_tap *t, const zkr_params *p)
{
    enum { DN = 8 };
    const zkr_zkrange_table bytes = {0, 256};
    zkr_gl a[1u << DN], mult[1u << DN];
    zkr_ext gco[1 + ZKR_ZKRANGE_DEGREE * DN];
    unsigned total = DN + zkr_hpcs_blind_vars(p, DN, 3);
    zkr_zkrng rng;
    zkr_buf pf = {0};
    zkr_err r[2] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    int kept = 0, handed = 0, root_ok = 0, verified = 0;

    zkr_zkrng_os(&rng);
    for (size_t x = 0; x < (1u << DN); x++)
        a[x] = zkr_tap_rand(t) & 0xff;
    for (size_t i = 0; i < sizeof gco / sizeof *gco; i++)
        gco[i] = zkr_zkrng_ext(&rng);
    for (int pass = 0; pass < 2; pass++) {
        zkr_hpcs_pair_member ma = {a, DN, 3}, mm = {mult, DN, 1};
        zkr_hpcs_commitment ca, cm;
        zkr_hpcs_poly *pa = NULL, *pm = NULL;
        zkr_zkrange_defer df;
        zkr_transcript tp, tv;
        uint8_t sid[ZKR_DIGEST_BYTES] = {0}, pd[ZKR_DIGEST_BYTES];
        memset(&df, 0, sizeof df);
        df.gco = gco;
        df.leaf_arity = 1;
        if (zkr_prover_zkrange_mult(a, DN, &bytes, NULL, mult) != ZKR_OK)
            break;
        if (pass == 1)
            mult[3] = zkr_gl_add(mult[3], 1);
        if (zkr_prover_hcommit_pair_fit_pool(p, &ma, &mm, total, 1, NULL, &rng, 1, &pa, &pm, &ca,
                                             &cm) != ZKR_OK)
            break;
        df.m_given = pm;
        zkr_params_digest(p, pd);
        zkr_ts_init(&tp, "zkreg/test-defer-m", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
        tv = tp;
        pf.len = 0;
        r[pass] = zkr_prover_zkrange_defer(p, &tp, pa, &bytes, NULL, &df, &rng, 1, &pf);
        if (pass == 0 && r[0] == ZKR_OK) {
            zkr_zkrange_deferred out;
            zkr_dec d;
            handed = df.m == pm && df.m_given == NULL;
            root_ok = pf.len > ZKR_DIGEST_BYTES &&
                      memcmp(pf.p, ca.root, ZKR_DIGEST_BYTES) == 0 &&
                      memcmp(ca.root, cm.root, ZKR_DIGEST_BYTES) == 0;
            zkr_dec_init(&d, pf.p, pf.len);
            verified = zkr_zkrange_verify_defer(p, &tv, &ca, &bytes, &out, &d) == ZKR_OK &&
                       zkr_dec_finish(&d) == ZKR_OK;
        }
        if (pass == 1)
            kept = df.m_given == pm && df.m == NULL && pf.len == 0;
        zkr_hpcs_poly_free(df.h), zkr_hpcs_poly_free(df.ph), zkr_hpcs_poly_free(df.m);
        zkr_hpcs_poly_free(df.m_given);
        zkr_hpcs_poly_free(pa);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && handed && root_ok && verified,
               "deferred range proof with m given (stacked with a): proves (%d), names the "
               "pair's root as m's (%d), hands m back (%d), verifies to its final check (%d)",
               r[0], root_ok, handed, verified);
    zkr_tap_ok(t, r[1] == ZKR_ERR_USAGE && kept,
               "deferred range proof with a given m that is not a's counts: USAGE (%d), nothing "
               "written, the caller still owns m (%d)", r[1], kept);
    zkr_zkrng_wipe(&rng);
    zkr_buf_free(&pf);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    test_field(&t);
    test_gl_avx2(&t);
    test_gl_avx512(&t);
    test_cpu_check(&t);
    test_ext(&t);
    test_ntt(&t);
    test_transcript(&t);
    test_merkle(&t);
    test_b2x8(&t);
    test_ext8(&t);
    test_ext8_more(&t);
    test_ext4_adv(&t);
    test_ext4_eq_tables(&t);
    test_merkle_libsodium(&t);
    test_zkrng_fill(&t);
    test_zkrng_fill_mt(&t);
    test_moebius(&t);
    test_moebius_mt(&t);
    test_mle(&t);
    test_sumcheck(&t);
    test_basefold(&t, &p);
    test_logup(&t);
    test_codec(&t);
    test_record_commit(&t, &p);
    test_hpcs_batch(&t, &p);
    test_zkrange_defer_lin(&t, &p);
    test_zkrange_defer_mgiven(&t, &p);
    return zkr_tap_done(&t);
}
