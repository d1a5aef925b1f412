/*
 * The sextic extension F_p^3[y]/(y^2 - 7) (zk/zk.h, zk/ext6.c): that y^2 - 7
 * is irreducible over F_p^3 (Euler's criterion computed in F_p^3), the field
 * laws against a schoolbook product, F_p^3 embedded as a subfield, the
 * strict codec (each word position non-canonical, truncation), the
 * transcript's binding of every word, and the verifier's evaluations
 * (round polynomial, eq, monomial form, [H24]'s factorisation check), each
 * against an independent computation and with its reject twin.
 */
#include <string.h>

#include "tests/tap.h"
#include "zk/ldr.h"
#include "zk/zk.h"

static zkr_gl rnd_gl(zkr_tap *t)
{
    static const zkr_gl edge[] = {0, 1, 2, ZKR_GL_P - 1, ZKR_GL_P - 2, (zkr_gl)1 << 32,
                                  ((zkr_gl)1 << 32) - 1, (zkr_gl)1 << 63};
    uint64_t r = zkr_tap_rand(t);

    if (r % 8 == 0)
        return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
    return zkr_tap_rand(t) % ZKR_GL_P;
}

static zkr_ext rnd_ext(zkr_tap *t)
{
    zkr_ext e = {{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
    return e;
}

static zkr_ext6 rnd6(zkr_tap *t)
{
    zkr_ext6 e = {rnd_ext(t), rnd_ext(t)};
    return e;
}

static int is_zero6(zkr_ext6 x)
{
    return zkr_ext6_eq(x, zkr_ext6_from_ext(zkr_ext_from(0)));
}

static zkr_ext6 one6(void)
{
    return zkr_ext6_from_ext(zkr_ext_from(1));
}

static zkr_ext ext_pow(zkr_ext a, unsigned __int128 e)
{
    zkr_ext r = zkr_ext_from(1);

    for (; e; e >>= 1) {
        if (e & 1)
            r = zkr_ext_mul(r, a);
        a = zkr_ext_mul(a, a);
    }
    return r;
}

static void test_nonresidue(zkr_tap *t)
{
    const zkr_gl p = ZKR_GL_P;
    /* (p^3 - 1) / 2 = ((p - 1) / 2) (p^2 + p + 1); p^2 + p + 1 < 2^128 */
    unsigned __int128 big = (unsigned __int128)p * p + p + 1;
    zkr_ext half = zkr_ext_from(zkr_gl_pow(ZKR_EXT6_NONRESIDUE, (p - 1) / 2));
    zkr_ext euler = ext_pow(half, big);
    zkr_ext6 y = {zkr_ext_from(0), zkr_ext_from(1)};

    zkr_tap_ok(t, half.c[0] == p - 1, "7^((p-1)/2) = -1 in F_p: 7 is a non-square there");
    zkr_tap_ok(t, zkr_ext_eq(euler, zkr_ext_from(p - 1)),
               "7^((p^3-1)/2) = -1 in F_p^3: y^2 - 7 is irreducible over F_p^3");
    zkr_tap_ok(t, zkr_ext6_eq(zkr_ext6_mul(y, y), zkr_ext6_from_ext(zkr_ext_from(7))),
               "y * y = 7");
    /* the twin: 4 is a square, so Euler's criterion must give +1 for it */
    zkr_tap_ok(t, zkr_ext_eq(ext_pow(zkr_ext_from(zkr_gl_pow(4, (p - 1) / 2)), big),
                             zkr_ext_from(1)),
               "the same computation gives +1 for 4 (a square): the criterion separates");
}

static void test_laws(zkr_tap *t)
{
    size_t bad_ref = 0, bad_law = 0, bad_inv = 0, bad_emb = 0;

    for (int i = 0; i < 3000; i++) {
        zkr_ext6 x = rnd6(t), z = rnd6(t), w = rnd6(t);
        zkr_ext s = rnd_ext(t), u = rnd_ext(t);
        zkr_ext6 ref = {zkr_ext_add(zkr_ext_mul(x.a, z.a), zkr_ext_mul_base(zkr_ext_mul(x.b, z.b), 7)),
                        zkr_ext_add(zkr_ext_mul(x.a, z.b), zkr_ext_mul(x.b, z.a))};

        bad_ref += !zkr_ext6_eq(zkr_ext6_mul(x, z), ref);
        bad_law += !zkr_ext6_eq(zkr_ext6_mul(x, z), zkr_ext6_mul(z, x));
        bad_law += !zkr_ext6_eq(zkr_ext6_mul(zkr_ext6_mul(x, z), w),
                                zkr_ext6_mul(x, zkr_ext6_mul(z, w)));
        bad_law += !zkr_ext6_eq(zkr_ext6_mul(x, zkr_ext6_add(z, w)),
                                zkr_ext6_add(zkr_ext6_mul(x, z), zkr_ext6_mul(x, w)));
        bad_law += !zkr_ext6_eq(zkr_ext6_add(zkr_ext6_sub(x, z), z), x);
        if (!is_zero6(x))
            bad_inv += !zkr_ext6_eq(zkr_ext6_mul(x, zkr_ext6_inv(x)), one6());
        bad_emb += !zkr_ext6_eq(zkr_ext6_mul(zkr_ext6_from_ext(s), zkr_ext6_from_ext(u)),
                                zkr_ext6_from_ext(zkr_ext_mul(s, u)));
        bad_emb += !zkr_ext6_eq(zkr_ext6_mul_ext(x, s), zkr_ext6_mul(x, zkr_ext6_from_ext(s)));
    }
    zkr_tap_ok(t, bad_ref == 0, "F_p^6 product = the schoolbook (a a' + 7 b b') + (a b' + b a') y");
    zkr_tap_ok(t, bad_law == 0, "commutative, associative, distributive; (x - z) + z = x");
    zkr_tap_ok(t, bad_inv == 0, "x inv(x) = 1 for x != 0 (3000 draws, edge words included)");
    zkr_tap_ok(t, is_zero6(zkr_ext6_inv(zkr_ext6_from_ext(zkr_ext_from(0)))), "inv(0) = 0");
    zkr_tap_ok(t, bad_emb == 0, "F_p^3 embeds as b = 0 (products agree; mul_ext = mul by the embedding)");
    {
        /* elements with only b set, and b = a: the norm a^2 - 7 b^2 is nonzero for them too */
        zkr_ext6 yb = {zkr_ext_from(0), rnd_ext(t)}, ab = {zkr_ext_from(5), zkr_ext_from(5)};
        zkr_tap_ok(t, zkr_ext6_eq(zkr_ext6_mul(yb, zkr_ext6_inv(yb)), one6()) &&
                          zkr_ext6_eq(zkr_ext6_mul(ab, zkr_ext6_inv(ab)), one6()),
                   "inverse of b y and of 5 + 5 y");
    }
}

static void test_codec(zkr_tap *t)
{
    zkr_ext6 v[5], back[5];
    zkr_buf b = {0};
    zkr_dec d;
    int ok, bad_pos = 0;

    for (int i = 0; i < 5; i++)
        v[i] = rnd6(t);
    ok = zkr_enc_ext6s(&b, v, 5) == ZKR_OK && b.len == 5 * ZKR_EXT6_BYTES;
    zkr_dec_init(&d, b.p, b.len);
    ok = ok && zkr_dec_ext6s(&d, back, 5) == ZKR_OK && d.pos == d.len;
    for (int i = 0; ok && i < 5; i++)
        ok = zkr_ext6_eq(v[i], back[i]);
    zkr_tap_ok(t, ok, "five elements: 240 bytes, decoded back to the same elements");
    /* each word position of the second element set to p: refused */
    for (int w = 0; w < 6; w++) {
        uint8_t *word = b.p + ZKR_EXT6_BYTES + 8 * w;
        uint8_t keep[8];
        memcpy(keep, word, 8);
        zkr_store_le64(word, ZKR_GL_P);
        zkr_dec_init(&d, b.p, b.len);
        bad_pos += zkr_dec_ext6s(&d, back, 5) == ZKR_ERR_MALFORMED;
        memcpy(word, keep, 8);
    }
    zkr_tap_ok(t, bad_pos == 6, "a word equal to p at any of the six positions: MALFORMED (%d of 6)",
               bad_pos);
    zkr_dec_init(&d, b.p, b.len - 1);
    zkr_tap_ok(t, zkr_dec_ext6s(&d, back, 5) == ZKR_ERR_MALFORMED, "one byte short: MALFORMED");
    zkr_buf_free(&b);
}

static void test_transcript(zkr_tap *t)
{
    zkr_transcript t1, t2;
    zkr_ext6 v[2] = {rnd6(t), rnd6(t)}, c1, c2;
    int differ = 0, canon = 1;
    const uint8_t zero[ZKR_DIGEST_BYTES] = {0};

    zkr_ts_init(&t1, "ext6-test", 1, 1, 1, zero, zero);
    t2 = t1;
    zkr_ts_absorb_ext6(&t1, "v", v, 2);
    zkr_ts_absorb_ext6(&t2, "v", v, 2);
    c1 = zkr_ts_challenge_ext6(&t1, "c");
    c2 = zkr_ts_challenge_ext6(&t2, "c");
    zkr_tap_ok(t, zkr_ext6_eq(c1, c2), "the same transcript draws the same F_p^6 challenge");
    for (int i = 0; i < 3; i++)
        canon &= c1.a.c[i] < ZKR_GL_P && c1.b.c[i] < ZKR_GL_P;
    zkr_tap_ok(t, canon, "its six words are canonical");
    /* every word of both elements is bound: change one, the challenge changes */
    for (int w = 0; w < 12; w++) {
        zkr_ext6 u[2] = {v[0], v[1]};
        zkr_gl *words = (zkr_gl *)(void *)u;
        zkr_transcript t3;
        zkr_ts_init(&t3, "ext6-test", 1, 1, 1, zero, zero);
        words[w] = zkr_gl_add(words[w], 1);
        zkr_ts_absorb_ext6(&t3, "v", u, 2);
        differ += !zkr_ext6_eq(zkr_ts_challenge_ext6(&t3, "c"), c1);
    }
    zkr_tap_ok(t, differ == 12, "each of the 12 absorbed words moves the challenge (%d of 12)", differ);
    zkr_ts_init(&t2, "ext6-test", 1, 1, 1, zero, zero);
    zkr_ts_absorb_ext6(&t2, "w", v, 2);
    zkr_tap_ok(t, !zkr_ext6_eq(zkr_ts_challenge_ext6(&t2, "c"), c1), "the label is bound");
}

/* h(X) = sum_k coef[k] X^k over F_p^6, by Horner. */
static zkr_ext6 horner(const zkr_ext6 *coef, unsigned d, zkr_ext6 x)
{
    zkr_ext6 acc = coef[d];

    for (unsigned k = d; k-- > 0;)
        acc = zkr_ext6_add(zkr_ext6_mul(acc, x), coef[k]);
    return acc;
}

static void test_round_eval(zkr_tap *t)
{
    size_t bad = 0, twin = 0, sub = 0;

    for (int i = 0; i < 300; i++) {
        unsigned d = 1 + (unsigned)(zkr_tap_rand(t) % 8);
        zkr_ext6 coef[9], msg[8], claim, r = rnd6(t);
        for (unsigned k = 0; k <= d; k++)
            coef[k] = rnd6(t);
        msg[0] = horner(coef, d, zkr_ext6_from_ext(zkr_ext_from(0)));
        for (unsigned k = 2; k <= d; k++)
            msg[k - 1] = horner(coef, d, zkr_ext6_from_ext(zkr_ext_from(k)));
        claim = zkr_ext6_add(msg[0], horner(coef, d, one6()));
        bad += !zkr_ext6_eq(zkr_sumcheck_round_eval6(msg, d, claim, r), horner(coef, d, r));
        twin += !zkr_ext6_eq(zkr_sumcheck_round_eval6(msg, d, zkr_ext6_add(claim, one6()), r),
                             horner(coef, d, r));
    }
    zkr_tap_ok(t, bad == 0, "round polynomial of degree 1..8 from h(0), h(2..d) and the claim: h(r)");
    zkr_tap_ok(t, twin == 300, "a claim one off gives another value (300 of 300)");
    for (int i = 0; i < 100; i++) {
        zkr_ext m3[2] = {rnd_ext(t), rnd_ext(t)}, c3 = rnd_ext(t), r3 = rnd_ext(t);
        zkr_ext6 m6[2] = {zkr_ext6_from_ext(m3[0]), zkr_ext6_from_ext(m3[1])};
        sub += zkr_ext6_eq(zkr_sumcheck_round_eval6(m6, 2, zkr_ext6_from_ext(c3), zkr_ext6_from_ext(r3)),
                           zkr_ext6_from_ext(zkr_sumcheck_round_eval(m3, 2, c3, r3)));
    }
    zkr_tap_ok(t, sub == 100, "on F_p^3 inputs it is zkr_sumcheck_round_eval's value");
    zkr_tap_ok(t, is_zero6(zkr_sumcheck_round_eval6(NULL, 0, one6(), one6())) &&
                      is_zero6(zkr_sumcheck_round_eval6(NULL, 9, one6(), one6())),
               "degree 0 or 9: 0, reading nothing");
}

static void test_eq_monomial(zkr_tap *t)
{
    size_t bad_bool = 0, bad_lin = 0, bad_mono = 0, bad_sub = 0;

    for (int i = 0; i < 200; i++) {
        unsigned n = 1 + (unsigned)(zkr_tap_rand(t) % 6);
        zkr_ext a[6], a3[6];
        zkr_ext6 b[6], c[64], tv = rnd6(t), e0, e1;
        zkr_ext ca[64], cb[64];
        uint64_t bits = zkr_tap_rand(t);
        zkr_ext want = zkr_ext_from(1);
        for (unsigned k = 0; k < n; k++) {
            a[k] = rnd_ext(t);
            a3[k] = rnd_ext(t);
            b[k] = zkr_ext6_from_ext(zkr_ext_from((bits >> k) & 1));
            want = zkr_ext_mul(want, (bits >> k) & 1 ? a[k] : zkr_ext_sub(zkr_ext_from(1), a[k]));
        }
        /* at a Boolean b, eq(a, b) is the product of a_k or 1 - a_k */
        bad_bool += !zkr_ext6_eq(zkr_mle_eq_eval6(a, b, n), zkr_ext6_from_ext(want));
        /* linear in b_0: eq(a, (t, b_1..)) = (1 - t) eq(a, (0, ..)) + t eq(a, (1, ..)) */
        b[0] = zkr_ext6_from_ext(zkr_ext_from(0));
        e0 = zkr_mle_eq_eval6(a, b, n);
        b[0] = one6();
        e1 = zkr_mle_eq_eval6(a, b, n);
        b[0] = tv;
        bad_lin += !zkr_ext6_eq(zkr_mle_eq_eval6(a, b, n),
                                zkr_ext6_add(zkr_ext6_mul(zkr_ext6_sub(one6(), tv), e0),
                                             zkr_ext6_mul(tv, e1)));
        /* F_p^3-linear in the coefficients: the a and b parts evaluate apart */
        for (size_t k = 0; k < ((size_t)1 << n); k++) {
            c[k] = rnd6(t);
            ca[k] = c[k].a;
            cb[k] = c[k].b;
        }
        {
            zkr_ext6 got = zkr_mle_eval_monomial6(c, n, a3);
            zkr_ext6 want6 = {zkr_mle_eval_monomial(ca, n, a3), zkr_mle_eval_monomial(cb, n, a3)};
            bad_mono += !zkr_ext6_eq(got, want6);
        }
        {
            zkr_ext6 b6[6];
            for (unsigned k = 0; k < n; k++)
                b6[k] = zkr_ext6_from_ext(a3[k]);
            bad_sub += !zkr_ext6_eq(zkr_mle_eq_eval6(a, b6, n),
                                    zkr_ext6_from_ext(zkr_mle_eq_eval(a, a3, n)));
        }
    }
    zkr_tap_ok(t, bad_bool == 0, "eq(a, b) at Boolean b: the product of a_k or 1 - a_k");
    zkr_tap_ok(t, bad_lin == 0, "eq(a, b) is linear in b_0 over F_p^6");
    zkr_tap_ok(t, bad_mono == 0, "monomial form over F_p^6 = its a and b parts evaluated apart");
    zkr_tap_ok(t, bad_sub == 0, "eq on F_p^3 inputs: zkr_mle_eq_eval's value");
}

static void test_factored(zkr_tap *t)
{
    unsigned good = 0, bad = 0, half_lin = 0, half_quad = 0, same = 0;
    const zkr_ext half = zkr_ext_from(zkr_gl_inv(2));

    for (int i = 0; i < 200; i++) {
        zkr_ext z = rnd_ext(t);
        zkr_ext6 l0 = rnd6(t), l1 = rnd6(t), msg[2], claim, q[3];
        /* q(X) = L(X, z) Lambda(X), Lambda = l0 + l1 X: an honest message */
        for (unsigned x = 0; x < 3; x++) {
            zkr_ext lx = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(zkr_ext_from(1), zkr_ext_from(x)),
                                                 zkr_ext_sub(zkr_ext_from(1), z)),
                                     zkr_ext_mul(zkr_ext_from(x), z));
            zkr_ext6 lam = zkr_ext6_add(l0, zkr_ext6_mul_ext(l1, zkr_ext_from(x)));
            q[x] = zkr_ext6_mul_ext(lam, lx);
        }
        msg[0] = q[0];
        msg[1] = q[2];
        claim = zkr_ext6_add(q[0], q[1]);
        good += (unsigned)zkr_hpcs_round_factored6(msg, claim, z);
        /* the twin: q(2) moved, so q is no longer L Lambda */
        msg[1] = zkr_ext6_add(q[2], rnd6(t));
        bad += (unsigned)!zkr_hpcs_round_factored6(msg, claim, z);
        /* at 2z = 1, L is constant: degree <= 1 passes, degree 2 does not */
        msg[0] = l0;
        msg[1] = zkr_ext6_add(l0, zkr_ext6_add(l1, l1));
        claim = zkr_ext6_add(l0, zkr_ext6_add(l0, l1));
        half_lin += (unsigned)zkr_hpcs_round_factored6(msg, claim, half);
        msg[1] = zkr_ext6_add(msg[1], one6());
        half_quad += (unsigned)!zkr_hpcs_round_factored6(msg, claim, half);
        {
            zkr_ext m3[2] = {rnd_ext(t), rnd_ext(t)}, c3 = rnd_ext(t);
            zkr_ext6 m6[2] = {zkr_ext6_from_ext(m3[0]), zkr_ext6_from_ext(m3[1])};
            same += zkr_hpcs_round_factored6(m6, zkr_ext6_from_ext(c3), z) ==
                    zkr_hpcs_round_factored(m3, c3, z);
        }
    }
    zkr_tap_ok(t, good == 200, "L(X, z) Lambda(X) over F_p^6 passes the factorisation check (%u of 200)",
               good);
    zkr_tap_ok(t, bad == 200, "q(2) moved: refused (%u of 200)", bad);
    zkr_tap_ok(t, half_lin == 200 && half_quad == 200,
               "at z = 1/2: linear q passes, quadratic refused (%u, %u of 200)", half_lin, half_quad);
    zkr_tap_ok(t, same == 200, "on F_p^3 inputs it agrees with zkr_hpcs_round_factored");
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_nonresidue(&t);
    test_laws(&t);
    test_codec(&t);
    test_transcript(&t);
    test_round_eval(&t);
    test_eq_monomial(&t);
    test_factored(&t);
    return zkr_tap_done(&t);
}
