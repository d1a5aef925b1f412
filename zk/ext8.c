/*
 * AVX-512 kernels over the cubic extension, eight elements a step (AVX2
 * CPUs run zk/ext4.c's four-lane twins through the same entry points): the
 * loops that multiply a table by one extension constant (folds, eq table
 * doublings). Each lane computes the nine base products and sums of
 * zkr_ext_mul with zk/gl_avx512.h's canonical arithmetic, so every value
 * is the one the scalar loop gives (a field element has one canonical
 * form) and a proof's bytes do not depend on the path. Callers run the
 * kernel on a prefix of their range and the scalar loop on the rest.
 */
#include <stdlib.h>
#include <string.h>

#include "zk/zk_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "zk/gl_avx512.h"

/* Eight extension elements, coefficient by coefficient. */
typedef struct {
    __m512i c[3];
} zkr_x8;

int zkr_ext8_ok(void)
{
    return zkr_cpu_avx512f() || zkr_cpu_avx2();
}

/*
 * Which kernels an entry point runs, asked per call: libgcc's CPU model,
 * read from memory (CPUID ran once, at load), so it costs no trap under a
 * hypervisor. AVX-512F usable: the eight-lane kernels here; else the AVX2
 * twins (zk/ext4.c). A caller reaches these only where zkr_ext8_ok said 1.
 */
static int zkr_ext8_wide(void)
{
    return __builtin_cpu_supports("avx512f");
}

unsigned zkr_ext8_lanes(void)
{
    return !zkr_ext8_ok() ? 0 : zkr_ext8_wide() ? 8 : 4;
}

/* p[0..8) (24 words) as three coefficient vectors. */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_load(const zkr_ext *p)
{
    const long long *w = (const long long *)(const void *)p;
    __m512i a = _mm512_loadu_si512((const void *)w), b = _mm512_loadu_si512((const void *)(w + 8));
    __m512i c = _mm512_loadu_si512((const void *)(w + 16));
    /* Word 3e + k of the 24 is element e's coefficient k; a holds 0..7, b 8..15, c 16..23. */
    __m512i i0 = _mm512_set_epi64(0, 0, 15, 12, 9, 6, 3, 0), j0 = _mm512_set_epi64(13, 10, 5, 4, 3, 2, 1, 0);
    __m512i i1 = _mm512_set_epi64(0, 0, 0, 13, 10, 7, 4, 1), j1 = _mm512_set_epi64(14, 11, 8, 4, 3, 2, 1, 0);
    __m512i i2 = _mm512_set_epi64(0, 0, 0, 14, 11, 8, 5, 2), j2 = _mm512_set_epi64(15, 12, 9, 4, 3, 2, 1, 0);
    zkr_x8 x;

    x.c[0] = _mm512_permutex2var_epi64(_mm512_permutex2var_epi64(a, i0, b), j0, c);
    x.c[1] = _mm512_permutex2var_epi64(_mm512_permutex2var_epi64(a, i1, b), j1, c);
    x.c[2] = _mm512_permutex2var_epi64(_mm512_permutex2var_epi64(a, i2, b), j2, c);
    return x;
}

/* The inverse of zkr_x8_load. */
ZKR_AVX512 static inline __attribute__((always_inline)) void zkr_x8_store(zkr_ext *p, zkr_x8 x)
{
    long long *w = (long long *)(void *)p;
    /* From c0 (0..7) and c1 (8..15), then c2 (8..15 of the second step). */
    __m512i ia = _mm512_set_epi64(10, 2, 0, 9, 1, 0, 8, 0), ja = _mm512_set_epi64(7, 6, 9, 4, 3, 8, 1, 0);
    __m512i ib = _mm512_set_epi64(5, 0, 12, 4, 0, 11, 3, 0), jb = _mm512_set_epi64(7, 12, 5, 4, 11, 2, 1, 10);
    __m512i ic = _mm512_set_epi64(0, 15, 7, 0, 14, 6, 0, 13), jc = _mm512_set_epi64(15, 6, 5, 14, 3, 2, 13, 0);

    _mm512_storeu_si512((void *)w, _mm512_permutex2var_epi64(
                                       _mm512_permutex2var_epi64(x.c[0], ia, x.c[1]), ja, x.c[2]));
    _mm512_storeu_si512((void *)(w + 8),
                        _mm512_permutex2var_epi64(_mm512_permutex2var_epi64(x.c[0], ib, x.c[1]),
                                                  jb, x.c[2]));
    _mm512_storeu_si512((void *)(w + 16),
                        _mm512_permutex2var_epi64(_mm512_permutex2var_epi64(x.c[0], ic, x.c[1]),
                                                  jc, x.c[2]));
}

ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_add(zkr_x8 a, zkr_x8 b)
{
    for (unsigned k = 0; k < 3; k++)
        a.c[k] = zkr_v_add(a.c[k], b.c[k]);
    return a;
}

ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_sub(zkr_x8 a, zkr_x8 b)
{
    for (unsigned k = 0; k < 3; k++)
        a.c[k] = zkr_v_sub(a.c[k], b.c[k]);
    return a;
}

/* a k for one constant k: zkr_ext_mul's products and sums (x^3 = x + 1), lane by lane. */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_mulc(zkr_x8 a, zkr_ext k)
{
    __m512i k0 = _mm512_set1_epi64((long long)k.c[0]), k1 = _mm512_set1_epi64((long long)k.c[1]);
    __m512i k2 = _mm512_set1_epi64((long long)k.c[2]);
    __m512i d3 = zkr_v_add(zkr_v_mul(a.c[1], k2), zkr_v_mul(a.c[2], k1)); /* x^3 */
    __m512i d4 = zkr_v_mul(a.c[2], k2);                                   /* x^4 */
    zkr_x8 r;

    r.c[0] = zkr_v_add(zkr_v_mul(a.c[0], k0), d3);
    r.c[1] = zkr_v_add(zkr_v_add(zkr_v_add(zkr_v_mul(a.c[0], k1), zkr_v_mul(a.c[1], k0)), d3), d4);
    r.c[2] = zkr_v_add(zkr_v_add(zkr_v_add(zkr_v_mul(a.c[0], k2), zkr_v_mul(a.c[1], k1)),
                                 zkr_v_mul(a.c[2], k0)),
                       d4);
    return r;
}

/* a b, lane by lane: zkr_ext_mul's products and sums. */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_mul(zkr_x8 a, zkr_x8 b)
{
    __m512i d3 = zkr_v_add(zkr_v_mul(a.c[1], b.c[2]), zkr_v_mul(a.c[2], b.c[1]));
    __m512i d4 = zkr_v_mul(a.c[2], b.c[2]);
    zkr_x8 r;

    r.c[0] = zkr_v_add(zkr_v_mul(a.c[0], b.c[0]), d3);
    r.c[1] = zkr_v_add(zkr_v_add(zkr_v_add(zkr_v_mul(a.c[0], b.c[1]), zkr_v_mul(a.c[1], b.c[0])), d3),
                       d4);
    r.c[2] = zkr_v_add(zkr_v_add(zkr_v_add(zkr_v_mul(a.c[0], b.c[2]), zkr_v_mul(a.c[1], b.c[1])),
                                 zkr_v_mul(a.c[2], b.c[0])),
                       d4);
    return r;
}

/* 2 t1 - t0 (a line through (0, t0), (1, t1) at 2). */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_at2(zkr_x8 t0, zkr_x8 t1)
{
    return zkr_x8_sub(zkr_x8_add(t1, t1), t0);
}

ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_zero(void)
{
    zkr_x8 z = {{_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()}};
    return z;
}

/* The eight lanes' sum added to acc (field additions: any order gives the same value). */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_ext zkr_x8_hsum(zkr_ext acc, zkr_x8 a)
{
    zkr_gl w[3][8];

    for (unsigned k = 0; k < 3; k++)
        _mm512_storeu_si512((void *)w[k], a.c[k]);
    for (unsigned l = 0; l < 8; l++)
        acc = zkr_ext_add(acc, (zkr_ext){{w[0][l], w[1][l], w[2][l]}});
    return acc;
}

/* Lanes 0, 2, .., 14 (odd = 0) or 1, 3, .., 15 (odd = 1) of x then y. */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_pick(zkr_x8 x, zkr_x8 y, int odd)
{
    __m512i ix = odd ? _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1)
                     : _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    zkr_x8 r;

    for (unsigned k = 0; k < 3; k++)
        r.c[k] = _mm512_permutex2var_epi64(x.c[k], ix, y.c[k]);
    return r;
}

/* Eight extension elements all equal to k. */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8 zkr_x8_set1(zkr_ext k)
{
    zkr_x8 r;

    for (unsigned j = 0; j < 3; j++)
        r.c[j] = _mm512_set1_epi64((long long)k.c[j]);
    return r;
}

/* Whether all eight lanes are 0 (canonical words: zero is the all-zero word). */
ZKR_AVX512 static inline __attribute__((always_inline)) int zkr_x8_is_zero(zkr_x8 a)
{
    __m512i o = _mm512_or_si512(_mm512_or_si512(a.c[0], a.c[1]), a.c[2]);

    return _mm512_test_epi64_mask(o, o) == 0;
}

/* Pairs [i, i + 8) of t: f0 = t[2i], f1 = t[2i + 1], lane by lane. */
ZKR_AVX512 static inline __attribute__((always_inline)) void zkr_x8_pairs(const zkr_ext *t, size_t i,
                                                                      zkr_x8 *f0, zkr_x8 *f1)
{
    zkr_x8 x = zkr_x8_load(t + 2 * i), y = zkr_x8_load(t + 2 * i + 8);

    *f0 = zkr_x8_pick(x, y, 0);
    *f1 = zkr_x8_pick(x, y, 1);
}

/* A pair's value p at c and its forward differences (prover/zk_range.c zkr_zr_hvals). */
typedef struct {
    zkr_x8 p, d1, d2, d3;
} zkr_x8_cubic;

/*
 * zkr_zr_hvals's start at c = 0 for pairs [i, i + 8): coupled, the cubic
 * d0 + (d1 + d2) c + (d3 - d2) c^2 - d3 c^3 of the pair's F00, F10, F01
 * (rows ustride apart), F11 (Delta^2 = -2 d2 - 4 d3, Delta^3 = -6 d3); else
 * the line through t[2i], t[2i + 1] (d2 = d3 = 0: adding them changes nothing).
 */
ZKR_AVX512 static inline __attribute__((always_inline)) zkr_x8_cubic
zkr_x8_zr_start(const zkr_ext *t, size_t i, size_t ustride, int coupled)
{
    zkr_x8 f00, f10, f01, f11;
    zkr_x8_cubic q;

    zkr_x8_pairs(t, i, &f00, &f10);
    q.p = f00;
    q.d1 = zkr_x8_sub(f10, f00);
    q.d2 = q.d3 = zkr_x8_zero();
    if (coupled) {
        zkr_x8_pairs(t + ustride, i, &f01, &f11);
        zkr_x8 e2 = zkr_x8_sub(f01, f00), e3 = zkr_x8_add(zkr_x8_sub(f11, f10), zkr_x8_sub(f00, f01));
        zkr_x8 m3 = zkr_x8_sub(zkr_x8_zero(), e3), m3x2 = zkr_x8_add(m3, m3);
        zkr_x8 m3x4 = zkr_x8_add(m3x2, m3x2);
        q.d2 = zkr_x8_sub(m3x4, zkr_x8_add(e2, e2));
        q.d3 = zkr_x8_add(m3x4, m3x2);
    }
    return q;
}

/* c to c + 1 (zkr_zr_hvals's step). */
ZKR_AVX512 static inline __attribute__((always_inline)) void zkr_x8_cubic_step(zkr_x8_cubic *q)
{
    q->p = zkr_x8_add(q->p, q->d1);
    q->d1 = zkr_x8_add(q->d1, q->d2);
    q->d2 = zkr_x8_add(q->d2, q->d3);
}

/* The accumulators of zkr_ext8_zr_terms at c = 0..7 (c = 1 unused). */
typedef struct {
    zkr_x8 e0[8], lam[8], nu[8];
} zkr_x8_zr_acc;

/* Pairs [i, i + 8)'s terms added to acc (zkr_ext8_zr_terms). */
ZKR_AVX512 static inline __attribute__((always_inline)) void
zkr_x8_zr_block(const zkr_ext8_zr_in *in, size_t i, zkr_x8 xv, zkr_x8 one, zkr_x8_zr_acc *acc,
                unsigned cm)
{
    zkr_x8_cubic a = zkr_x8_zr_start(in->a, i, in->ustride, in->coupled);
    zkr_x8_cubic h = zkr_x8_zr_start(in->h, i, in->ustride, in->coupled);
    zkr_x8 e, de, s, ds, m = zkr_x8_zero(), dm = zkr_x8_zero();

    zkr_x8_pairs(in->e, i, &e, &de);
    de = zkr_x8_sub(de, e);
    zkr_x8_pairs(in->s, i, &s, &ds);
    ds = zkr_x8_sub(ds, s);
    if (in->m) {
        zkr_x8_pairs(in->m, i, &m, &dm);
        dm = zkr_x8_sub(dm, m);
    }
    /* a zero E0 adds nothing and an all-ones SN multiplies by one: both skipped (same sums) */
    int e_on = !zkr_x8_is_zero(e) || !zkr_x8_is_zero(de);
    int s_one = zkr_x8_is_zero(zkr_x8_sub(s, one)) && zkr_x8_is_zero(ds);
    for (unsigned c = 0; c <= cm; c++) {
        if (c != 1) {
            if (e_on) {
                zkr_x8 q = zkr_x8_mul(h.p, zkr_x8_sub(xv, a.p));
                acc->e0[c] = zkr_x8_add(acc->e0[c], zkr_x8_mul(e, zkr_x8_sub(q, one)));
            }
            acc->lam[c] = zkr_x8_add(acc->lam[c], s_one ? h.p : zkr_x8_mul(s, h.p));
            if (in->m)
                acc->nu[c] = zkr_x8_add(acc->nu[c], zkr_x8_mul(m, a.p));
        }
        zkr_x8_cubic_step(&a);
        zkr_x8_cubic_step(&h);
        e = zkr_x8_add(e, de);
        s = zkr_x8_add(s, ds);
        m = zkr_x8_add(m, dm);
    }
}

ZKR_AVX512 static size_t zkr_ext8_zr_terms_avx512(const zkr_ext8_zr_in *in, size_t lo, size_t hi,
                                                  zkr_ext se0[8], zkr_ext slam[8], zkr_ext snu[8])
{
    zkr_x8_zr_acc acc;
    zkr_x8 xv = zkr_x8_set1(in->x), one = zkr_x8_set1(zkr_ext_from(1));

    for (unsigned c = 0; c < 8; c++)
        acc.e0[c] = acc.lam[c] = acc.nu[c] = zkr_x8_zero();
    /* cm a constant in each loop (the block unrolled for it) */
    if (in->cm >= 7)
        for (; lo + 8 <= hi; lo += 8)
            zkr_x8_zr_block(in, lo, xv, one, &acc, 7);
    else
        for (; lo + 8 <= hi; lo += 8)
            zkr_x8_zr_block(in, lo, xv, one, &acc, 4);
    for (unsigned c = 0; c < 8; c++) {
        if (c == 1 || c > in->cm)
            continue;
        se0[c] = zkr_x8_hsum(se0[c], acc.e0[c]);
        slam[c] = zkr_x8_hsum(slam[c], acc.lam[c]);
        if (in->m)
            snu[c] = zkr_x8_hsum(snu[c], acc.nu[c]);
    }
    return lo;
}

/*
 * out[i] = d0 + r d1 + s d2 + rs d3 of the coupled pair i (d0 = F00, d1 =
 * F10 - F00, d2 = F01 - F00, d3 = F11 - F10 - F01 + F00; row 0 in t0, row 1 in t1).
 */
ZKR_AVX512 static size_t zkr_ext8_fold_pair_avx512(const zkr_ext *t0, const zkr_ext *t1, zkr_ext *out,
                                                   size_t lo, size_t hi, const zkr_ext k[3])
{
    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 f00, f10, f01, f11, v;
        zkr_x8_pairs(t0, lo, &f00, &f10);
        zkr_x8_pairs(t1, lo, &f01, &f11);
        v = zkr_x8_add(f00, zkr_x8_mulc(zkr_x8_sub(f10, f00), k[0]));
        v = zkr_x8_add(v, zkr_x8_mulc(zkr_x8_sub(f01, f00), k[1]));
        v = zkr_x8_add(v, zkr_x8_mulc(zkr_x8_add(zkr_x8_sub(f11, f10), zkr_x8_sub(f00, f01)), k[2]));
        zkr_x8_store(out + lo, v);
    }
    return lo;
}

/* coef: out = e + r o (a coefficient fold), else out = e + r (o - e) (an evaluation fold). */
ZKR_AVX512 static size_t zkr_ext8_fold_avx512(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi,
                                              zkr_ext r, int coef)
{
    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 x = zkr_x8_load(in + 2 * lo), y = zkr_x8_load(in + 2 * lo + 8);
        zkr_x8 e = zkr_x8_pick(x, y, 0), o = zkr_x8_pick(x, y, 1);
        zkr_x8_store(out + lo, zkr_x8_add(e, zkr_x8_mulc(coef ? o : zkr_x8_sub(o, e), r)));
    }
    return lo;
}

ZKR_AVX512 static size_t zkr_ext8_eq_level_avx512(zkr_ext *t, size_t len, size_t lo, size_t hi,
                                                  zkr_ext z)
{
    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 v = zkr_x8_load(t + lo), h = zkr_x8_mulc(v, z);
        zkr_x8_store(t + lo + len, h);
        zkr_x8_store(t + lo, zkr_x8_sub(v, h));
    }
    return lo;
}

/*
 * GKR layer sums (prover/logup.c zkr_gkr_chunk without q(1)): with pL, pR
 * NULL (numerators 1) G = qL + qR + lambda qL qR, else G = pL qR + qL (pR
 * + lambda qR); q[0] += sum s G(0), q[1] += sum s G(2) over pairs [lo, hi).
 */
ZKR_AVX512 static size_t zkr_ext8_gkr_avx512(const zkr_ext *s, const zkr_ext *pl,
                                             const zkr_ext *pr, const zkr_ext *ql,
                                             const zkr_ext *qr, zkr_ext lambda, size_t lo,
                                             size_t hi, zkr_ext q[2])
{
    zkr_x8 a0 = zkr_x8_zero(), a2 = zkr_x8_zero();

    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 sv = zkr_x8_load(s + lo), x, y, l0, l1, r0, r1, g0, g2;
        x = zkr_x8_load(ql + 2 * lo), y = zkr_x8_load(ql + 2 * lo + 8);
        l0 = zkr_x8_pick(x, y, 0), l1 = zkr_x8_pick(x, y, 1);
        x = zkr_x8_load(qr + 2 * lo), y = zkr_x8_load(qr + 2 * lo + 8);
        r0 = zkr_x8_pick(x, y, 0), r1 = zkr_x8_pick(x, y, 1);
        l1 = zkr_x8_at2(l0, l1);
        r1 = zkr_x8_at2(r0, r1);
        if (!pl) {
            g0 = zkr_x8_add(zkr_x8_add(l0, r0), zkr_x8_mulc(zkr_x8_mul(l0, r0), lambda));
            g2 = zkr_x8_add(zkr_x8_add(l1, r1), zkr_x8_mulc(zkr_x8_mul(l1, r1), lambda));
        } else {
            zkr_x8 m0, m1, n0, n1;
            x = zkr_x8_load(pl + 2 * lo), y = zkr_x8_load(pl + 2 * lo + 8);
            m0 = zkr_x8_pick(x, y, 0), m1 = zkr_x8_at2(m0, zkr_x8_pick(x, y, 1));
            x = zkr_x8_load(pr + 2 * lo), y = zkr_x8_load(pr + 2 * lo + 8);
            n0 = zkr_x8_pick(x, y, 0), n1 = zkr_x8_at2(n0, zkr_x8_pick(x, y, 1));
            g0 = zkr_x8_add(zkr_x8_mul(m0, r0),
                            zkr_x8_mul(l0, zkr_x8_add(n0, zkr_x8_mulc(r0, lambda))));
            g2 = zkr_x8_add(zkr_x8_mul(m1, r1),
                            zkr_x8_mul(l1, zkr_x8_add(n1, zkr_x8_mulc(r1, lambda))));
        }
        a0 = zkr_x8_add(a0, zkr_x8_mul(sv, g0));
        a2 = zkr_x8_add(a2, zkr_x8_mul(sv, g2));
    }
    q[0] = zkr_x8_hsum(q[0], a0);
    q[1] = zkr_x8_hsum(q[1], a2);
    return lo;
}

/*
 * h[0] += sum w[2i] f[2i], h[1] += sum (2 w[2i+1] - w[2i]) (2 f[2i+1] -
 * f[2i]) over [lo, hi), f in the extension (fe) or the base field (fb).
 */
ZKR_AVX512 static size_t zkr_ext8_dot_avx512(const zkr_ext *w, const zkr_ext *fe, const zkr_gl *fb,
                                             size_t lo, size_t hi, zkr_ext h[2])
{
    zkr_x8 a0 = zkr_x8_zero(), a2 = zkr_x8_zero();
    __m512i ev = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), od = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);

    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 x = zkr_x8_load(w + 2 * lo), y = zkr_x8_load(w + 2 * lo + 8);
        zkr_x8 w0 = zkr_x8_pick(x, y, 0), w2 = zkr_x8_at2(w0, zkr_x8_pick(x, y, 1)), f0, f2;
        if (fe) {
            x = zkr_x8_load(fe + 2 * lo), y = zkr_x8_load(fe + 2 * lo + 8);
            f0 = zkr_x8_pick(x, y, 0), f2 = zkr_x8_at2(f0, zkr_x8_pick(x, y, 1));
        } else {
            /* Base f: the products w f take three base products each (zkr_ext_mul_base). */
            __m512i u = _mm512_loadu_si512((const void *)(fb + 2 * lo));
            __m512i v = _mm512_loadu_si512((const void *)(fb + 2 * lo + 8));
            __m512i b0 = _mm512_permutex2var_epi64(u, ev, v), b1 = _mm512_permutex2var_epi64(u, od, v);
            __m512i b2 = zkr_v_sub(zkr_v_add(b1, b1), b0);
            for (unsigned k = 0; k < 3; k++) {
                a0.c[k] = zkr_v_add(a0.c[k], zkr_v_mul(w0.c[k], b0));
                a2.c[k] = zkr_v_add(a2.c[k], zkr_v_mul(w2.c[k], b2));
            }
            continue;
        }
        a0 = zkr_x8_add(a0, zkr_x8_mul(w0, f0));
        a2 = zkr_x8_add(a2, zkr_x8_mul(w2, f2));
    }
    h[0] = zkr_x8_hsum(h[0], a0);
    h[1] = zkr_x8_hsum(h[1], a2);
    return lo;
}

/* q[0] += sum s[i] g[2i], q[1] += sum s[i] g[2i+1], g extension (ge) or base (gb). */
ZKR_AVX512 static size_t zkr_ext8_sdot_avx512(const zkr_ext *s, const zkr_ext *ge, const zkr_gl *gb,
                                              size_t lo, size_t hi, zkr_ext q[2])
{
    zkr_x8 a0 = zkr_x8_zero(), a1 = zkr_x8_zero();
    __m512i ev = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), od = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);

    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 sv = zkr_x8_load(s + lo);
        if (ge) {
            zkr_x8 x = zkr_x8_load(ge + 2 * lo), y = zkr_x8_load(ge + 2 * lo + 8);
            a0 = zkr_x8_add(a0, zkr_x8_mul(sv, zkr_x8_pick(x, y, 0)));
            a1 = zkr_x8_add(a1, zkr_x8_mul(sv, zkr_x8_pick(x, y, 1)));
        } else {
            __m512i u = _mm512_loadu_si512((const void *)(gb + 2 * lo));
            __m512i v = _mm512_loadu_si512((const void *)(gb + 2 * lo + 8));
            __m512i b0 = _mm512_permutex2var_epi64(u, ev, v), b1 = _mm512_permutex2var_epi64(u, od, v);
            for (unsigned k = 0; k < 3; k++) {
                a0.c[k] = zkr_v_add(a0.c[k], zkr_v_mul(sv.c[k], b0));
                a1.c[k] = zkr_v_add(a1.c[k], zkr_v_mul(sv.c[k], b1));
            }
        }
    }
    q[0] = zkr_x8_hsum(q[0], a0);
    q[1] = zkr_x8_hsum(q[1], a1);
    return lo;
}

/* A fraction tree layer: p = pl qr + pr ql, q = ql qr over [lo, hi) (prover/logup.c). */
ZKR_AVX512 static size_t zkr_ext8_frac_avx512(const zkr_ext *pl, const zkr_ext *pr,
                                              const zkr_ext *ql, const zkr_ext *qr, zkr_ext *p,
                                              zkr_ext *q, size_t lo, size_t hi)
{
    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 a = zkr_x8_load(pl + lo), b = zkr_x8_load(pr + lo), l = zkr_x8_load(ql + lo);
        zkr_x8 r = zkr_x8_load(qr + lo);
        zkr_x8_store(p + lo, zkr_x8_add(zkr_x8_mul(a, r), zkr_x8_mul(b, l)));
        zkr_x8_store(q + lo, zkr_x8_mul(l, r));
    }
    return lo;
}

/*
 * Over pairs i in [lo, hi): s[0] += sum e[2i] p[2i], s[1] += sum e[2i+1]
 * p[2i+1], s[2] += sum (e[2i+1] - e[2i]) (p[2i+1] - p[2i]) (a degree-2
 * round's values at 0, 1 and its leading coefficient: three products a
 * pair), p from pe (extension) or pb (base, pe NULL).
 */
ZKR_AVX512 static size_t zkr_ext8_pairs3_avx512(const zkr_ext *e, const zkr_ext *pe,
                                                const zkr_gl *pb, size_t lo, size_t hi,
                                                zkr_ext s[3])
{
    zkr_x8 a0 = zkr_x8_zero(), a1 = zkr_x8_zero(), a2 = zkr_x8_zero();
    __m512i ev = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), od = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);

    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 x = zkr_x8_load(e + 2 * lo), y = zkr_x8_load(e + 2 * lo + 8);
        zkr_x8 e0 = zkr_x8_pick(x, y, 0), e1 = zkr_x8_pick(x, y, 1), de = zkr_x8_sub(e1, e0);
        if (pe) {
            zkr_x8 p0, p1;
            x = zkr_x8_load(pe + 2 * lo), y = zkr_x8_load(pe + 2 * lo + 8);
            p0 = zkr_x8_pick(x, y, 0), p1 = zkr_x8_pick(x, y, 1);
            a0 = zkr_x8_add(a0, zkr_x8_mul(e0, p0));
            a1 = zkr_x8_add(a1, zkr_x8_mul(e1, p1));
            a2 = zkr_x8_add(a2, zkr_x8_mul(de, zkr_x8_sub(p1, p0)));
            continue;
        }
        {
            /* base p: three base products per extension product (zkr_ext_mul_base) */
            __m512i u = _mm512_loadu_si512((const void *)(pb + 2 * lo));
            __m512i v = _mm512_loadu_si512((const void *)(pb + 2 * lo + 8));
            __m512i b0 = _mm512_permutex2var_epi64(u, ev, v), b1 = _mm512_permutex2var_epi64(u, od, v);
            __m512i db = zkr_v_sub(b1, b0);
            for (unsigned k = 0; k < 3; k++) {
                a0.c[k] = zkr_v_add(a0.c[k], zkr_v_mul(e0.c[k], b0));
                a1.c[k] = zkr_v_add(a1.c[k], zkr_v_mul(e1.c[k], b1));
                a2.c[k] = zkr_v_add(a2.c[k], zkr_v_mul(de.c[k], db));
            }
        }
    }
    s[0] = zkr_x8_hsum(s[0], a0);
    s[1] = zkr_x8_hsum(s[1], a1);
    s[2] = zkr_x8_hsum(s[2], a2);
    return lo;
}

/* s += sum x[i] y[i] over [lo, hi), y from ye (extension) or yb (base, ye NULL). */
ZKR_AVX512 static size_t zkr_ext8_xdot_avx512(const zkr_ext *x, const zkr_ext *ye,
                                              const zkr_gl *yb, size_t lo, size_t hi, zkr_ext *s)
{
    zkr_x8 a = zkr_x8_zero();

    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 v = zkr_x8_load(x + lo);
        if (ye) {
            a = zkr_x8_add(a, zkr_x8_mul(v, zkr_x8_load(ye + lo)));
            continue;
        }
        {
            __m512i b = _mm512_loadu_si512((const void *)(yb + lo));
            for (unsigned k = 0; k < 3; k++)
                a.c[k] = zkr_v_add(a.c[k], zkr_v_mul(v.c[k], b));
        }
    }
    *s = zkr_x8_hsum(*s, a);
    return lo;
}

/* out[i] = b[2i] + r (b[2i+1] - b[2i]) over [lo, hi): a base table's fold into the extension. */
ZKR_AVX512 static size_t zkr_ext8_fold_base_avx512(const zkr_gl *b, zkr_ext *out, size_t lo,
                                                   size_t hi, zkr_ext r)
{
    __m512i ev = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), od = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    __m512i r0 = _mm512_set1_epi64((long long)r.c[0]), r1 = _mm512_set1_epi64((long long)r.c[1]);
    __m512i r2 = _mm512_set1_epi64((long long)r.c[2]);

    for (; lo + 8 <= hi; lo += 8) {
        __m512i u = _mm512_loadu_si512((const void *)(b + 2 * lo));
        __m512i v = _mm512_loadu_si512((const void *)(b + 2 * lo + 8));
        __m512i b0 = _mm512_permutex2var_epi64(u, ev, v), b1 = _mm512_permutex2var_epi64(u, od, v);
        __m512i d = zkr_v_sub(b1, b0);
        zkr_x8 o;
        o.c[0] = zkr_v_add(b0, zkr_v_mul(d, r0));
        o.c[1] = zkr_v_mul(d, r1);
        o.c[2] = zkr_v_mul(d, r2);
        zkr_x8_store(out + lo, o);
    }
    return lo;
}

/*
 * out[i] = (add ? out[i] : 0) + k x[i] over [lo, hi), x from xe (extension)
 * or xb (base, xe NULL).
 */
ZKR_AVX512 static size_t zkr_ext8_axpy_avx512(zkr_ext *out, const zkr_ext *xe, const zkr_gl *xb,
                                              size_t lo, size_t hi, zkr_ext k, int add)
{
    __m512i k0 = _mm512_set1_epi64((long long)k.c[0]), k1 = _mm512_set1_epi64((long long)k.c[1]);
    __m512i k2 = _mm512_set1_epi64((long long)k.c[2]);

    for (; lo + 8 <= hi; lo += 8) {
        zkr_x8 v;
        if (xe) {
            v = zkr_x8_mulc(zkr_x8_load(xe + lo), k);
        } else {
            __m512i b = _mm512_loadu_si512((const void *)(xb + lo));
            v.c[0] = zkr_v_mul(b, k0), v.c[1] = zkr_v_mul(b, k1), v.c[2] = zkr_v_mul(b, k2);
        }
        if (add)
            v = zkr_x8_add(zkr_x8_load(out + lo), v);
        zkr_x8_store(out + lo, v);
    }
    return lo;
}

size_t zkr_ext8_sdot(const zkr_ext *s, const zkr_ext *ge, const zkr_gl *gb, size_t lo, size_t hi,
                     zkr_ext q[2])
{
    return zkr_ext8_wide() ? zkr_ext8_sdot_avx512(s, ge, gb, lo, hi, q)
                           : zkr_ext4_sdot(s, ge, gb, lo, hi, q);
}

size_t zkr_ext8_frac(const zkr_ext *pl, const zkr_ext *pr, const zkr_ext *ql, const zkr_ext *qr,
                     zkr_ext *p, zkr_ext *q, size_t lo, size_t hi)
{
    return zkr_ext8_wide() ? zkr_ext8_frac_avx512(pl, pr, ql, qr, p, q, lo, hi)
                           : zkr_ext4_frac(pl, pr, ql, qr, p, q, lo, hi);
}

size_t zkr_ext8_gkr_sums(const zkr_ext *s, const zkr_ext *pl, const zkr_ext *pr,
                         const zkr_ext *ql, const zkr_ext *qr, zkr_ext lambda, size_t lo,
                         size_t hi, zkr_ext q[2])
{
    return zkr_ext8_wide() ? zkr_ext8_gkr_avx512(s, pl, pr, ql, qr, lambda, lo, hi, q)
                           : zkr_ext4_gkr_sums(s, pl, pr, ql, qr, lambda, lo, hi, q);
}

size_t zkr_ext8_dot(const zkr_ext *w, const zkr_ext *fe, const zkr_gl *fb, size_t lo, size_t hi,
                    zkr_ext h[2])
{
    return zkr_ext8_wide() ? zkr_ext8_dot_avx512(w, fe, fb, lo, hi, h)
                           : zkr_ext4_dot(w, fe, fb, lo, hi, h);
}

size_t zkr_ext8_fold(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    return zkr_ext8_wide() ? zkr_ext8_fold_avx512(in, out, lo, hi, r, 0)
                           : zkr_ext4_fold(in, out, lo, hi, r, 0);
}

size_t zkr_ext8_fold_coef(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    return zkr_ext8_wide() ? zkr_ext8_fold_avx512(in, out, lo, hi, r, 1)
                           : zkr_ext4_fold(in, out, lo, hi, r, 1);
}

size_t zkr_ext8_eq_level(zkr_ext *t, size_t len, size_t lo, size_t hi, zkr_ext z)
{
    if (zkr_ext8_wide())
        return len < 8 ? lo : zkr_ext8_eq_level_avx512(t, len, lo, hi, z);
    return len < 4 ? lo : zkr_ext4_eq_level(t, len, lo, hi, z);
}

size_t zkr_ext8_pairs3(const zkr_ext *e, const zkr_ext *pe, const zkr_gl *pb, size_t lo,
                       size_t hi, zkr_ext s[3])
{
    return zkr_ext8_wide() ? zkr_ext8_pairs3_avx512(e, pe, pb, lo, hi, s)
                           : zkr_ext4_pairs3(e, pe, pb, lo, hi, s);
}

size_t zkr_ext8_fold_base(const zkr_gl *b, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    return zkr_ext8_wide() ? zkr_ext8_fold_base_avx512(b, out, lo, hi, r)
                           : zkr_ext4_fold_base(b, out, lo, hi, r);
}

size_t zkr_ext8_xdot(const zkr_ext *x, const zkr_ext *ye, const zkr_gl *yb, size_t lo, size_t hi,
                     zkr_ext *s)
{
    return zkr_ext8_wide() ? zkr_ext8_xdot_avx512(x, ye, yb, lo, hi, s)
                           : zkr_ext4_xdot(x, ye, yb, lo, hi, s);
}

size_t zkr_ext8_axpy(zkr_ext *out, const zkr_ext *xe, const zkr_gl *xb, size_t lo, size_t hi,
                     zkr_ext k, int add)
{
    return zkr_ext8_wide() ? zkr_ext8_axpy_avx512(out, xe, xb, lo, hi, k, add)
                           : zkr_ext4_axpy(out, xe, xb, lo, hi, k, add);
}

size_t zkr_ext8_zr_terms(const zkr_ext8_zr_in *in, size_t lo, size_t hi, zkr_ext se0[8],
                         zkr_ext slam[8], zkr_ext snu[8])
{
    return zkr_ext8_wide() ? zkr_ext8_zr_terms_avx512(in, lo, hi, se0, slam, snu)
                           : zkr_ext4_zr_terms(in, lo, hi, se0, slam, snu);
}

size_t zkr_ext8_fold_pair(const zkr_ext *t0, const zkr_ext *t1, zkr_ext *out, size_t lo, size_t hi,
                          const zkr_ext k[3])
{
    return zkr_ext8_wide() ? zkr_ext8_fold_pair_avx512(t0, t1, out, lo, hi, k)
                           : zkr_ext4_fold_pair(t0, t1, out, lo, hi, k);
}

#else

int zkr_ext8_ok(void)
{
    return 0;
}

unsigned zkr_ext8_lanes(void)
{
    return 0;
}

size_t zkr_ext8_sdot(const zkr_ext *s, const zkr_ext *ge, const zkr_gl *gb, size_t lo, size_t hi,
                     zkr_ext q[2])
{
    (void)s, (void)ge, (void)gb, (void)hi, (void)q;
    return lo;
}

size_t zkr_ext8_frac(const zkr_ext *pl, const zkr_ext *pr, const zkr_ext *ql, const zkr_ext *qr,
                     zkr_ext *p, zkr_ext *q, size_t lo, size_t hi)
{
    (void)pl, (void)pr, (void)ql, (void)qr, (void)p, (void)q, (void)hi;
    return lo;
}

size_t zkr_ext8_gkr_sums(const zkr_ext *s, const zkr_ext *pl, const zkr_ext *pr,
                         const zkr_ext *ql, const zkr_ext *qr, zkr_ext lambda, size_t lo,
                         size_t hi, zkr_ext q[2])
{
    (void)s, (void)pl, (void)pr, (void)ql, (void)qr, (void)lambda, (void)hi, (void)q;
    return lo;
}

size_t zkr_ext8_dot(const zkr_ext *w, const zkr_ext *fe, const zkr_gl *fb, size_t lo, size_t hi,
                    zkr_ext h[2])
{
    (void)w, (void)fe, (void)fb, (void)hi, (void)h;
    return lo;
}

size_t zkr_ext8_fold(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    (void)in, (void)out, (void)hi, (void)r;
    return lo;
}

size_t zkr_ext8_fold_coef(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    (void)in, (void)out, (void)hi, (void)r;
    return lo;
}

size_t zkr_ext8_eq_level(zkr_ext *t, size_t len, size_t lo, size_t hi, zkr_ext z)
{
    (void)t, (void)len, (void)hi, (void)z;
    return lo;
}

size_t zkr_ext8_pairs3(const zkr_ext *e, const zkr_ext *pe, const zkr_gl *pb, size_t lo,
                       size_t hi, zkr_ext s[3])
{
    (void)e, (void)pe, (void)pb, (void)hi, (void)s;
    return lo;
}

size_t zkr_ext8_fold_base(const zkr_gl *b, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    (void)b, (void)out, (void)hi, (void)r;
    return lo;
}

size_t zkr_ext8_xdot(const zkr_ext *x, const zkr_ext *ye, const zkr_gl *yb, size_t lo, size_t hi,
                     zkr_ext *s)
{
    (void)x, (void)ye, (void)yb, (void)hi, (void)s;
    return lo;
}

size_t zkr_ext8_axpy(zkr_ext *out, const zkr_ext *xe, const zkr_gl *xb, size_t lo, size_t hi,
                     zkr_ext k, int add)
{
    (void)out, (void)xe, (void)xb, (void)hi, (void)k, (void)add;
    return lo;
}

size_t zkr_ext8_zr_terms(const zkr_ext8_zr_in *in, size_t lo, size_t hi, zkr_ext se0[8],
                         zkr_ext slam[8], zkr_ext snu[8])
{
    (void)in, (void)hi, (void)se0, (void)slam, (void)snu;
    return lo;
}

size_t zkr_ext8_fold_pair(const zkr_ext *t0, const zkr_ext *t1, zkr_ext *out, size_t lo, size_t hi,
                          const zkr_ext k[3])
{
    (void)t0, (void)t1, (void)out, (void)hi, (void)k;
    return lo;
}

#endif


