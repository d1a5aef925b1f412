/*
 * AVX2 twins of zk/ext8.c's extension kernels, four elements a step, for
 * CPUs without AVX-512F: the same loops over zk/gl_avx2.h's canonical
 * four-lane arithmetic, so every value is the scalar loop's (a field
 * element has one canonical form) and a proof's bytes do not depend on
 * the path. zk/ext8.c's entry points call these where AVX-512F is absent;
 * they are internal to zk/ (zk/zk_int.h, "AVX2 twins").
 */
#include "zk/zk_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "zk/gl_avx2.h"

/* Four extension elements, coefficient by coefficient. */
typedef struct {
    __m256i c[3];
} zkr_x4;

/*
 * p[0..4) (12 words w0..w11, element e's coefficient k at 3e + k) as three
 * coefficient vectors: each gathers its four words from the three loaded
 * vectors by two blends and one lane permutation.
 */
ZKR_AVX2_INLINE zkr_x4 zkr_x4_load(const zkr_ext *p)
{
    const __m256i *w = (const __m256i *)(const void *)p;
    __m256i a = _mm256_loadu_si256(w), b = _mm256_loadu_si256(w + 1), c = _mm256_loadu_si256(w + 2);
    zkr_x4 x;

    /* a = w0..w3, b = w4..w7, c = w8..w11; 32-bit blend masks: 2 bits a 64-bit lane */
    x.c[0] = _mm256_permute4x64_epi64(_mm256_blend_epi32(_mm256_blend_epi32(a, b, 0x30), c, 0x0c),
                                      0x6c); /* [w0 w9 w6 w3] -> [w0 w3 w6 w9] */
    x.c[1] = _mm256_permute4x64_epi64(_mm256_blend_epi32(_mm256_blend_epi32(a, b, 0xc3), c, 0x30),
                                      0xb1); /* [w4 w1 w10 w7] -> [w1 w4 w7 w10] */
    x.c[2] = _mm256_permute4x64_epi64(_mm256_blend_epi32(_mm256_blend_epi32(a, b, 0x0c), c, 0xc3),
                                      0xc6); /* [w8 w5 w2 w11] -> [w2 w5 w8 w11] */
    return x;
}

/* The inverse of zkr_x4_load. */
ZKR_AVX2_INLINE void zkr_x4_store(zkr_ext *p, zkr_x4 x)
{
    __m256i *w = (__m256i *)(void *)p;
    /* each coefficient vector turned so that its words sit in their output lanes */
    __m256i a0 = _mm256_permute4x64_epi64(x.c[0], 0x6c); /* [a0 a3 a2 a1] */
    __m256i b0 = _mm256_permute4x64_epi64(x.c[1], 0xb1); /* [b1 b0 b3 b2] */
    __m256i d0 = _mm256_permute4x64_epi64(x.c[2], 0xc6); /* [d2 d1 d0 d3] */

    /* w0..w3 = a0 b0 d0 a1; w4..w7 = b1 d1 a2 b2; w8..w11 = d2 a3 b3 d3 */
    _mm256_storeu_si256(w, _mm256_blend_epi32(_mm256_blend_epi32(a0, b0, 0x0c), d0, 0x30));
    _mm256_storeu_si256(w + 1, _mm256_blend_epi32(_mm256_blend_epi32(b0, d0, 0x0c), a0, 0x30));
    _mm256_storeu_si256(w + 2, _mm256_blend_epi32(_mm256_blend_epi32(d0, a0, 0x0c), b0, 0x30));
}

ZKR_AVX2_INLINE zkr_x4 zkr_x4_add(zkr_x4 a, zkr_x4 b)
{
    for (unsigned k = 0; k < 3; k++)
        a.c[k] = zkr_v4_add(a.c[k], b.c[k]);
    return a;
}

ZKR_AVX2_INLINE zkr_x4 zkr_x4_sub(zkr_x4 a, zkr_x4 b)
{
    for (unsigned k = 0; k < 3; k++)
        a.c[k] = zkr_v4_sub(a.c[k], b.c[k]);
    return a;
}

/* a k for one constant k: zkr_ext_mul's products and sums (x^3 = x + 1), lane by lane. */
ZKR_AVX2_INLINE zkr_x4 zkr_x4_mulc(zkr_x4 a, zkr_ext k)
{
    __m256i k0 = _mm256_set1_epi64x((long long)k.c[0]), k1 = _mm256_set1_epi64x((long long)k.c[1]);
    __m256i k2 = _mm256_set1_epi64x((long long)k.c[2]);
    __m256i d3 = zkr_v4_add(zkr_v4_mul(a.c[1], k2), zkr_v4_mul(a.c[2], k1)); /* x^3 */
    __m256i d4 = zkr_v4_mul(a.c[2], k2);                                     /* x^4 */
    zkr_x4 r;

    r.c[0] = zkr_v4_add(zkr_v4_mul(a.c[0], k0), d3);
    r.c[1] = zkr_v4_add(zkr_v4_add(zkr_v4_add(zkr_v4_mul(a.c[0], k1), zkr_v4_mul(a.c[1], k0)), d3),
                        d4);
    r.c[2] = zkr_v4_add(zkr_v4_add(zkr_v4_add(zkr_v4_mul(a.c[0], k2), zkr_v4_mul(a.c[1], k1)),
                                   zkr_v4_mul(a.c[2], k0)),
                        d4);
    return r;
}

/* a b, lane by lane: zkr_ext_mul's products and sums. */
ZKR_AVX2_INLINE zkr_x4 zkr_x4_mul(zkr_x4 a, zkr_x4 b)
{
    __m256i d3 = zkr_v4_add(zkr_v4_mul(a.c[1], b.c[2]), zkr_v4_mul(a.c[2], b.c[1]));
    __m256i d4 = zkr_v4_mul(a.c[2], b.c[2]);
    zkr_x4 r;

    r.c[0] = zkr_v4_add(zkr_v4_mul(a.c[0], b.c[0]), d3);
    r.c[1] = zkr_v4_add(
        zkr_v4_add(zkr_v4_add(zkr_v4_mul(a.c[0], b.c[1]), zkr_v4_mul(a.c[1], b.c[0])), d3), d4);
    r.c[2] = zkr_v4_add(zkr_v4_add(zkr_v4_add(zkr_v4_mul(a.c[0], b.c[2]), zkr_v4_mul(a.c[1], b.c[1])),
                                   zkr_v4_mul(a.c[2], b.c[0])),
                        d4);
    return r;
}

/* 2 t1 - t0 (a line through (0, t0), (1, t1) at 2). */
ZKR_AVX2_INLINE zkr_x4 zkr_x4_at2(zkr_x4 t0, zkr_x4 t1)
{
    return zkr_x4_sub(zkr_x4_add(t1, t1), t0);
}

ZKR_AVX2_INLINE zkr_x4 zkr_x4_zero(void)
{
    zkr_x4 z = {{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()}};
    return z;
}

/* Four extension elements all equal to k. */
ZKR_AVX2_INLINE zkr_x4 zkr_x4_set1(zkr_ext k)
{
    zkr_x4 r;

    for (unsigned j = 0; j < 3; j++)
        r.c[j] = _mm256_set1_epi64x((long long)k.c[j]);
    return r;
}

/* The four lanes' sum added to acc (field additions: any order gives the same value). */
ZKR_AVX2_INLINE zkr_ext zkr_x4_hsum(zkr_ext acc, zkr_x4 a)
{
    zkr_gl w[3][4];

    for (unsigned k = 0; k < 3; k++)
        _mm256_storeu_si256((__m256i *)(void *)w[k], a.c[k]);
    for (unsigned l = 0; l < 4; l++)
        acc = zkr_ext_add(acc, (zkr_ext){{w[0][l], w[1][l], w[2][l]}});
    return acc;
}

/* Whether all four lanes are 0 (canonical words: zero is the all-zero word). */
ZKR_AVX2_INLINE int zkr_x4_is_zero(zkr_x4 a)
{
    __m256i o = _mm256_or_si256(_mm256_or_si256(a.c[0], a.c[1]), a.c[2]);

    return _mm256_testz_si256(o, o);
}

/* Words 0, 2, 4, 6 (odd = 0) or 1, 3, 5, 7 (odd = 1) of u then v. */
ZKR_AVX2_INLINE __m256i zkr_v4_pick(__m256i u, __m256i v, int odd)
{
    /* unpack gives [u0 v0 u2 v2] (or the odd words); 0xd8 orders it [u0 u2 v0 v2] */
    return _mm256_permute4x64_epi64(odd ? _mm256_unpackhi_epi64(u, v) : _mm256_unpacklo_epi64(u, v),
                                    0xd8);
}

/* Lanes 0, 2, 4, 6 (odd = 0) or 1, 3, 5, 7 (odd = 1) of x then y. */
ZKR_AVX2_INLINE zkr_x4 zkr_x4_pick(zkr_x4 x, zkr_x4 y, int odd)
{
    zkr_x4 r;

    for (unsigned k = 0; k < 3; k++)
        r.c[k] = zkr_v4_pick(x.c[k], y.c[k], odd);
    return r;
}

/* Pairs [i, i + 4) of t: f0 = t[2i], f1 = t[2i + 1], lane by lane. */
ZKR_AVX2_INLINE void zkr_x4_pairs(const zkr_ext *t, size_t i, zkr_x4 *f0, zkr_x4 *f1)
{
    zkr_x4 x = zkr_x4_load(t + 2 * i), y = zkr_x4_load(t + 2 * i + 4);

    *f0 = zkr_x4_pick(x, y, 0);
    *f1 = zkr_x4_pick(x, y, 1);
}

/* Base words [2i, 2i + 8) of b as their even (b0) and odd (b1) halves. */
ZKR_AVX2_INLINE void zkr_v4_base_pairs(const zkr_gl *b, size_t i, __m256i *b0, __m256i *b1)
{
    __m256i u = _mm256_loadu_si256((const __m256i *)(const void *)(b + 2 * i));
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(b + 2 * i + 4));

    *b0 = zkr_v4_pick(u, v, 0);
    *b1 = zkr_v4_pick(u, v, 1);
}

/* A pair's value p at c and its forward differences (prover/zk_range.c zkr_zr_hvals). */
typedef struct {
    zkr_x4 p, d1, d2, d3;
} zkr_x4_cubic;

/* zk/ext8.c's zkr_x8_zr_start, four pairs. */
ZKR_AVX2_INLINE zkr_x4_cubic zkr_x4_zr_start(const zkr_ext *t, size_t i, size_t ustride, int coupled)
{
    zkr_x4 f00, f10, f01, f11;
    zkr_x4_cubic q;

    zkr_x4_pairs(t, i, &f00, &f10);
    q.p = f00;
    q.d1 = zkr_x4_sub(f10, f00);
    q.d2 = q.d3 = zkr_x4_zero();
    if (coupled) {
        zkr_x4_pairs(t + ustride, i, &f01, &f11);
        zkr_x4 e2 = zkr_x4_sub(f01, f00), e3 = zkr_x4_add(zkr_x4_sub(f11, f10), zkr_x4_sub(f00, f01));
        zkr_x4 m3 = zkr_x4_sub(zkr_x4_zero(), e3), m3x2 = zkr_x4_add(m3, m3);
        zkr_x4 m3x4 = zkr_x4_add(m3x2, m3x2);
        q.d2 = zkr_x4_sub(m3x4, zkr_x4_add(e2, e2));
        q.d3 = zkr_x4_add(m3x4, m3x2);
    }
    return q;
}

/* c to c + 1 (zkr_zr_hvals's step). */
ZKR_AVX2_INLINE void zkr_x4_cubic_step(zkr_x4_cubic *q)
{
    q->p = zkr_x4_add(q->p, q->d1);
    q->d1 = zkr_x4_add(q->d1, q->d2);
    q->d2 = zkr_x4_add(q->d2, q->d3);
}

/* The accumulators of zkr_ext4_zr_terms at c = 0..7 (c = 1 unused). */
typedef struct {
    zkr_x4 e0[8], lam[8], nu[8];
} zkr_x4_zr_acc;

/* Pairs [i, i + 4)'s terms added to acc (zk/ext8.c's zkr_x8_zr_block). */
ZKR_AVX2_INLINE void zkr_x4_zr_block(const zkr_ext8_zr_in *in, size_t i, zkr_x4 xv, zkr_x4 one,
                                     zkr_x4_zr_acc *acc, unsigned cm)
{
    zkr_x4_cubic a = zkr_x4_zr_start(in->a, i, in->ustride, in->coupled);
    zkr_x4_cubic h = zkr_x4_zr_start(in->h, i, in->ustride, in->coupled);
    zkr_x4 e, de, s, ds, m = zkr_x4_zero(), dm = zkr_x4_zero();

    zkr_x4_pairs(in->e, i, &e, &de);
    de = zkr_x4_sub(de, e);
    zkr_x4_pairs(in->s, i, &s, &ds);
    ds = zkr_x4_sub(ds, s);
    if (in->m) {
        zkr_x4_pairs(in->m, i, &m, &dm);
        dm = zkr_x4_sub(dm, m);
    }
    /* a zero E0 adds nothing and an all-ones SN multiplies by one: both skipped (same sums) */
    int e_on = !zkr_x4_is_zero(e) || !zkr_x4_is_zero(de);
    int s_one = zkr_x4_is_zero(zkr_x4_sub(s, one)) && zkr_x4_is_zero(ds);
    for (unsigned c = 0; c <= cm; c++) {
        if (c != 1) {
            if (e_on) {
                zkr_x4 q = zkr_x4_mul(h.p, zkr_x4_sub(xv, a.p));
                acc->e0[c] = zkr_x4_add(acc->e0[c], zkr_x4_mul(e, zkr_x4_sub(q, one)));
            }
            acc->lam[c] = zkr_x4_add(acc->lam[c], s_one ? h.p : zkr_x4_mul(s, h.p));
            if (in->m)
                acc->nu[c] = zkr_x4_add(acc->nu[c], zkr_x4_mul(m, a.p));
        }
        zkr_x4_cubic_step(&a);
        zkr_x4_cubic_step(&h);
        e = zkr_x4_add(e, de);
        s = zkr_x4_add(s, ds);
        m = zkr_x4_add(m, dm);
    }
}

ZKR_AVX2 size_t zkr_ext4_zr_terms(const zkr_ext8_zr_in *in, size_t lo, size_t hi, zkr_ext se0[8],
                                  zkr_ext slam[8], zkr_ext snu[8])
{
    zkr_x4_zr_acc acc;
    zkr_x4 xv = zkr_x4_set1(in->x), one = zkr_x4_set1(zkr_ext_from(1));

    for (unsigned c = 0; c < 8; c++)
        acc.e0[c] = acc.lam[c] = acc.nu[c] = zkr_x4_zero();
    /* cm a constant in each loop (the block unrolled for it) */
    if (in->cm >= 7)
        for (; lo + 4 <= hi; lo += 4)
            zkr_x4_zr_block(in, lo, xv, one, &acc, 7);
    else
        for (; lo + 4 <= hi; lo += 4)
            zkr_x4_zr_block(in, lo, xv, one, &acc, 4);
    for (unsigned c = 0; c < 8; c++) {
        if (c == 1 || c > in->cm)
            continue;
        se0[c] = zkr_x4_hsum(se0[c], acc.e0[c]);
        slam[c] = zkr_x4_hsum(slam[c], acc.lam[c]);
        if (in->m)
            snu[c] = zkr_x4_hsum(snu[c], acc.nu[c]);
    }
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_fold_pair(const zkr_ext *t0, const zkr_ext *t1, zkr_ext *out, size_t lo,
                                   size_t hi, const zkr_ext k[3])
{
    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 f00, f10, f01, f11, v;
        zkr_x4_pairs(t0, lo, &f00, &f10);
        zkr_x4_pairs(t1, lo, &f01, &f11);
        v = zkr_x4_add(f00, zkr_x4_mulc(zkr_x4_sub(f10, f00), k[0]));
        v = zkr_x4_add(v, zkr_x4_mulc(zkr_x4_sub(f01, f00), k[1]));
        v = zkr_x4_add(v, zkr_x4_mulc(zkr_x4_add(zkr_x4_sub(f11, f10), zkr_x4_sub(f00, f01)), k[2]));
        zkr_x4_store(out + lo, v);
    }
    return lo;
}

/* coef: out = e + r o (a coefficient fold), else out = e + r (o - e) (an evaluation fold). */
ZKR_AVX2 size_t zkr_ext4_fold(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r,
                              int coef)
{
    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 x = zkr_x4_load(in + 2 * lo), y = zkr_x4_load(in + 2 * lo + 4);
        zkr_x4 e = zkr_x4_pick(x, y, 0), o = zkr_x4_pick(x, y, 1);
        zkr_x4_store(out + lo, zkr_x4_add(e, zkr_x4_mulc(coef ? o : zkr_x4_sub(o, e), r)));
    }
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_eq_level(zkr_ext *t, size_t len, size_t lo, size_t hi, zkr_ext z)
{
    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 v = zkr_x4_load(t + lo), h = zkr_x4_mulc(v, z);
        zkr_x4_store(t + lo + len, h);
        zkr_x4_store(t + lo, zkr_x4_sub(v, h));
    }
    return lo;
}

/* zk/ext8.c's zkr_ext8_gkr_avx512, four pairs a step. */
ZKR_AVX2 size_t zkr_ext4_gkr_sums(const zkr_ext *s, const zkr_ext *pl, const zkr_ext *pr,
                                  const zkr_ext *ql, const zkr_ext *qr, zkr_ext lambda, size_t lo,
                                  size_t hi, zkr_ext q[2])
{
    zkr_x4 a0 = zkr_x4_zero(), a2 = zkr_x4_zero();

    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 sv = zkr_x4_load(s + lo), l0, l1, r0, r1, g0, g2;
        zkr_x4_pairs(ql, lo, &l0, &l1);
        zkr_x4_pairs(qr, lo, &r0, &r1);
        l1 = zkr_x4_at2(l0, l1);
        r1 = zkr_x4_at2(r0, r1);
        if (!pl) {
            g0 = zkr_x4_add(zkr_x4_add(l0, r0), zkr_x4_mulc(zkr_x4_mul(l0, r0), lambda));
            g2 = zkr_x4_add(zkr_x4_add(l1, r1), zkr_x4_mulc(zkr_x4_mul(l1, r1), lambda));
        } else {
            zkr_x4 m0, m1, n0, n1;
            zkr_x4_pairs(pl, lo, &m0, &m1);
            m1 = zkr_x4_at2(m0, m1);
            zkr_x4_pairs(pr, lo, &n0, &n1);
            n1 = zkr_x4_at2(n0, n1);
            g0 = zkr_x4_add(zkr_x4_mul(m0, r0), zkr_x4_mul(l0, zkr_x4_add(n0, zkr_x4_mulc(r0, lambda))));
            g2 = zkr_x4_add(zkr_x4_mul(m1, r1), zkr_x4_mul(l1, zkr_x4_add(n1, zkr_x4_mulc(r1, lambda))));
        }
        a0 = zkr_x4_add(a0, zkr_x4_mul(sv, g0));
        a2 = zkr_x4_add(a2, zkr_x4_mul(sv, g2));
    }
    q[0] = zkr_x4_hsum(q[0], a0);
    q[1] = zkr_x4_hsum(q[1], a2);
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_dot(const zkr_ext *w, const zkr_ext *fe, const zkr_gl *fb, size_t lo,
                             size_t hi, zkr_ext h[2])
{
    zkr_x4 a0 = zkr_x4_zero(), a2 = zkr_x4_zero();

    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 w0, w2, f0, f2;
        zkr_x4_pairs(w, lo, &w0, &w2);
        w2 = zkr_x4_at2(w0, w2);
        if (!fe) {
            /* Base f: the products w f take three base products each (zkr_ext_mul_base). */
            __m256i b0, b1, b2;
            zkr_v4_base_pairs(fb, lo, &b0, &b1);
            b2 = zkr_v4_sub(zkr_v4_add(b1, b1), b0);
            for (unsigned k = 0; k < 3; k++) {
                a0.c[k] = zkr_v4_add(a0.c[k], zkr_v4_mul(w0.c[k], b0));
                a2.c[k] = zkr_v4_add(a2.c[k], zkr_v4_mul(w2.c[k], b2));
            }
            continue;
        }
        zkr_x4_pairs(fe, lo, &f0, &f2);
        f2 = zkr_x4_at2(f0, f2);
        a0 = zkr_x4_add(a0, zkr_x4_mul(w0, f0));
        a2 = zkr_x4_add(a2, zkr_x4_mul(w2, f2));
    }
    h[0] = zkr_x4_hsum(h[0], a0);
    h[1] = zkr_x4_hsum(h[1], a2);
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_sdot(const zkr_ext *s, const zkr_ext *ge, const zkr_gl *gb, size_t lo,
                              size_t hi, zkr_ext q[2])
{
    zkr_x4 a0 = zkr_x4_zero(), a1 = zkr_x4_zero();

    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 sv = zkr_x4_load(s + lo);
        if (ge) {
            zkr_x4 g0, g1;
            zkr_x4_pairs(ge, lo, &g0, &g1);
            a0 = zkr_x4_add(a0, zkr_x4_mul(sv, g0));
            a1 = zkr_x4_add(a1, zkr_x4_mul(sv, g1));
        } else {
            __m256i b0, b1;
            zkr_v4_base_pairs(gb, lo, &b0, &b1);
            for (unsigned k = 0; k < 3; k++) {
                a0.c[k] = zkr_v4_add(a0.c[k], zkr_v4_mul(sv.c[k], b0));
                a1.c[k] = zkr_v4_add(a1.c[k], zkr_v4_mul(sv.c[k], b1));
            }
        }
    }
    q[0] = zkr_x4_hsum(q[0], a0);
    q[1] = zkr_x4_hsum(q[1], a1);
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_frac(const zkr_ext *pl, const zkr_ext *pr, const zkr_ext *ql,
                              const zkr_ext *qr, zkr_ext *p, zkr_ext *q, size_t lo, size_t hi)
{
    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 a = zkr_x4_load(pl + lo), b = zkr_x4_load(pr + lo), l = zkr_x4_load(ql + lo);
        zkr_x4 r = zkr_x4_load(qr + lo);
        zkr_x4_store(p + lo, zkr_x4_add(zkr_x4_mul(a, r), zkr_x4_mul(b, l)));
        zkr_x4_store(q + lo, zkr_x4_mul(l, r));
    }
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_pairs3(const zkr_ext *e, const zkr_ext *pe, const zkr_gl *pb, size_t lo,
                                size_t hi, zkr_ext s[3])
{
    zkr_x4 a0 = zkr_x4_zero(), a1 = zkr_x4_zero(), a2 = zkr_x4_zero();

    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 e0, e1, de;
        zkr_x4_pairs(e, lo, &e0, &e1);
        de = zkr_x4_sub(e1, e0);
        if (pe) {
            zkr_x4 p0, p1;
            zkr_x4_pairs(pe, lo, &p0, &p1);
            a0 = zkr_x4_add(a0, zkr_x4_mul(e0, p0));
            a1 = zkr_x4_add(a1, zkr_x4_mul(e1, p1));
            a2 = zkr_x4_add(a2, zkr_x4_mul(de, zkr_x4_sub(p1, p0)));
            continue;
        }
        {
            /* base p: three base products per extension product (zkr_ext_mul_base) */
            __m256i b0, b1, db;
            zkr_v4_base_pairs(pb, lo, &b0, &b1);
            db = zkr_v4_sub(b1, b0);
            for (unsigned k = 0; k < 3; k++) {
                a0.c[k] = zkr_v4_add(a0.c[k], zkr_v4_mul(e0.c[k], b0));
                a1.c[k] = zkr_v4_add(a1.c[k], zkr_v4_mul(e1.c[k], b1));
                a2.c[k] = zkr_v4_add(a2.c[k], zkr_v4_mul(de.c[k], db));
            }
        }
    }
    s[0] = zkr_x4_hsum(s[0], a0);
    s[1] = zkr_x4_hsum(s[1], a1);
    s[2] = zkr_x4_hsum(s[2], a2);
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_xdot(const zkr_ext *x, const zkr_ext *ye, const zkr_gl *yb, size_t lo,
                              size_t hi, zkr_ext *s)
{
    zkr_x4 a = zkr_x4_zero();

    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 v = zkr_x4_load(x + lo);
        if (ye) {
            a = zkr_x4_add(a, zkr_x4_mul(v, zkr_x4_load(ye + lo)));
            continue;
        }
        {
            __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(yb + lo));
            for (unsigned k = 0; k < 3; k++)
                a.c[k] = zkr_v4_add(a.c[k], zkr_v4_mul(v.c[k], b));
        }
    }
    *s = zkr_x4_hsum(*s, a);
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_fold_base(const zkr_gl *b, zkr_ext *out, size_t lo, size_t hi, zkr_ext r)
{
    __m256i r0 = _mm256_set1_epi64x((long long)r.c[0]), r1 = _mm256_set1_epi64x((long long)r.c[1]);
    __m256i r2 = _mm256_set1_epi64x((long long)r.c[2]);

    for (; lo + 4 <= hi; lo += 4) {
        __m256i b0, b1, d;
        zkr_x4 o;
        zkr_v4_base_pairs(b, lo, &b0, &b1);
        d = zkr_v4_sub(b1, b0);
        o.c[0] = zkr_v4_add(b0, zkr_v4_mul(d, r0));
        o.c[1] = zkr_v4_mul(d, r1);
        o.c[2] = zkr_v4_mul(d, r2);
        zkr_x4_store(out + lo, o);
    }
    return lo;
}

ZKR_AVX2 size_t zkr_ext4_axpy(zkr_ext *out, const zkr_ext *xe, const zkr_gl *xb, size_t lo,
                              size_t hi, zkr_ext k, int add)
{
    __m256i k0 = _mm256_set1_epi64x((long long)k.c[0]), k1 = _mm256_set1_epi64x((long long)k.c[1]);
    __m256i k2 = _mm256_set1_epi64x((long long)k.c[2]);

    for (; lo + 4 <= hi; lo += 4) {
        zkr_x4 v;
        if (xe) {
            v = zkr_x4_mulc(zkr_x4_load(xe + lo), k);
        } else {
            __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(xb + lo));
            v.c[0] = zkr_v4_mul(b, k0), v.c[1] = zkr_v4_mul(b, k1), v.c[2] = zkr_v4_mul(b, k2);
        }
        if (add)
            v = zkr_x4_add(zkr_x4_load(out + lo), v);
        zkr_x4_store(out + lo, v);
    }
    return lo;
}

#endif
