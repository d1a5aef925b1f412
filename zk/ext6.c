/*
 * The sextic extension F_p^3[y]/(y^2 - 7) (zk/zk.h): inversion and the
 * evaluations a verifier of an opening over it needs, each the F_p^3
 * routine's formula with the challenges in F_p^6 and the point in F_p^3.
 */
#include "zk/zk.h"

zkr_ext6 zkr_ext6_inv(zkr_ext6 x)
{
    /* (a + b y)(a - b y) = a^2 - 7 b^2, in F_p^3; 0 only at x = 0 (7 is no square there) */
    zkr_ext n = zkr_ext_sub(zkr_ext_mul(x.a, x.a),
                            zkr_ext_mul_base(zkr_ext_mul(x.b, x.b), ZKR_EXT6_NONRESIDUE));
    zkr_ext ni = zkr_ext_inv(n);
    zkr_ext6 r = {zkr_ext_mul(x.a, ni), zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(x.b, ni))};
    return r;
}

static zkr_ext6 zkr_ext6_from_gl(zkr_gl v)
{
    return zkr_ext6_from_ext(zkr_ext_from(v));
}

zkr_ext6 zkr_sumcheck_round_eval6(const zkr_ext6 *msg, unsigned d, zkr_ext6 claim, zkr_ext6 r)
{
    zkr_ext6 v[9], acc = zkr_ext6_from_gl(0);

    if (d < 1 || d > 8)
        return acc;
    v[0] = msg[0];
    v[1] = zkr_ext6_sub(claim, msg[0]);
    for (unsigned i = 2; i <= d; i++)
        v[i] = msg[i - 1];
    /* Lagrange through the nodes 0..d: the denominators are small nonzero integers */
    for (unsigned i = 0; i <= d; i++) {
        zkr_ext6 num = zkr_ext6_from_gl(1);
        zkr_gl den = 1;
        for (unsigned j = 0; j <= d; j++) {
            if (j == i)
                continue;
            num = zkr_ext6_mul(num, zkr_ext6_sub(r, zkr_ext6_from_gl(j)));
            den = zkr_gl_mul(den, zkr_gl_sub(i, j));
        }
        num = zkr_ext6_mul_ext(num, zkr_ext_from(zkr_gl_inv(den)));
        acc = zkr_ext6_add(acc, zkr_ext6_mul(v[i], num));
    }
    return acc;
}

zkr_ext6 zkr_mle_eq_eval6(const zkr_ext *a, const zkr_ext6 *b, unsigned n)
{
    zkr_ext6 r = zkr_ext6_from_gl(1), one = zkr_ext6_from_gl(1);

    for (unsigned i = 0; i < n; i++) {
        zkr_ext6 ai = zkr_ext6_from_ext(a[i]);
        zkr_ext6 t = zkr_ext6_add(zkr_ext6_mul(ai, b[i]),
                                  zkr_ext6_mul(zkr_ext6_sub(one, ai), zkr_ext6_sub(one, b[i])));
        r = zkr_ext6_mul(r, t);
    }
    return r;
}

zkr_ext6 zkr_mle_eval_monomial6(const zkr_ext6 *c, unsigned n, const zkr_ext *z)
{
    zkr_ext6 acc = zkr_ext6_from_gl(0);
    size_t len = (size_t)1 << n;

    /* coefficient i times the product of the z_v over i's set bits v (z in F_p^3) */
    for (size_t i = 0; i < len; i++) {
        zkr_ext m = zkr_ext_from(1);
        for (unsigned v = 0; v < n; v++)
            if ((i >> v) & 1)
                m = zkr_ext_mul(m, z[v]);
        acc = zkr_ext6_add(acc, zkr_ext6_mul_ext(c[i], m));
    }
    return acc;
}
