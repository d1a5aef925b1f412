/*
 * zk-ginfer2-dw: graph-inference@2's zero-knowledge convolution for a
 * depthwise conv (groups = C, multiplier 1 and 2; zk/ginfer2.h,
 * zkr_ginf2_sc_vars). On the tests' reduced set (tests/zk/ginfer2_dw_fx.h):
 * an honest proof verifies, bit flips, a truncation, a trailing byte and
 * other commitments are refused, the same seed gives byte-identical proofs;
 * one proof at the production parameters (multiplier 2) verifies; a 1 x 1
 * depthwise kernel is refused (MALFORMED); the soundness figure at the
 * production set is >= the target.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_dw_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 dw test", NULL, 0);
}

static void reduced_case(zkr_tap *t, uint32_t mult)
{
    g2dw f, f2;
    zkr_zkrng g;
    zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0};
    zkr_buf pf = {0}, tmp = {0}, a = {0};
    int flips_ok = 1, same = 0;
    zkr_err e;

    if (g2dw_init(&f, mult, 1) != ZKR_OK || g2dw_init(&f2, mult, 2) != ZKR_OK ||
        seeded(&g, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "mult %u: fixture", mult);
        return;
    }
    g2dw_reduce(&f), g2dw_reduce(&f2);
    if (g2dw_commit(&f, &g) != ZKR_OK || g2dw_commit(&f2, &g) != ZKR_OK) {
        zkr_tap_ok(t, 0, "mult %u: commitments", mult);
        goto out;
    }
    e = g2dw_prove(&f, &o, &g, &pf);
    zkr_tap_ok(t, e == ZKR_OK && g2dw_verify(&f, NULL, NULL, NULL, ZKR_GINF2_OFF_GRIND, pf.p,
                                             pf.len) == ZKR_OK,
               "mult %u: honest depthwise proof verifies (%d, %zu bytes)", mult, (int)e, pf.len);
    for (size_t k = 0; k < 24 && pf.len; k++) {
        size_t at = (k * 7919u + 13u) % pf.len;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
        flips_ok &= g2dw_verify(&f, NULL, NULL, NULL, ZKR_GINF2_OFF_GRIND, pf.p, pf.len) != ZKR_OK;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
    }
    zkr_tap_ok(t, flips_ok, "mult %u: 24 bit flips are refused", mult);
    zkr_tap_ok(t, g2dw_verify(&f, NULL, NULL, NULL, ZKR_GINF2_OFF_GRIND, pf.p, pf.len - 1) !=
                      ZKR_OK,
               "mult %u: a truncated proof is refused", mult);
    if (zkr_buf_append(&tmp, pf.p, pf.len) == ZKR_OK && zkr_buf_append(&tmp, pf.p, 1) == ZKR_OK)
        zkr_tap_ok(t, g2dw_verify(&f, NULL, NULL, NULL, ZKR_GINF2_OFF_GRIND, tmp.p, tmp.len) !=
                          ZKR_OK,
                   "mult %u: a trailing byte is refused", mult);
    zkr_tap_ok(t, g2dw_verify(&f, NULL, NULL, &f2.yc, ZKR_GINF2_OFF_GRIND, pf.p, pf.len) !=
                          ZKR_OK &&
                      g2dw_verify(&f, NULL, &f2.wc, NULL, ZKR_GINF2_OFF_GRIND, pf.p, pf.len) !=
                          ZKR_OK &&
                      g2dw_verify(&f, &f2.xc, NULL, NULL, ZKR_GINF2_OFF_GRIND, pf.p, pf.len) !=
                          ZKR_OK,
               "mult %u: another Y, W or X commitment is refused", mult);
    if (seeded(&g, 9) == ZKR_OK && g2dw_commit(&f, &g) == ZKR_OK &&
        g2dw_prove(&f, &o, &g, &a) == ZKR_OK && seeded(&g, 9) == ZKR_OK &&
        g2dw_commit(&f, &g) == ZKR_OK && (tmp.len = 0, g2dw_prove(&f, &o, &g, &tmp)) == ZKR_OK)
        same = a.len == tmp.len && memcmp(a.p, tmp.p, a.len) == 0;
    zkr_tap_ok(t, same, "mult %u: same seed, byte-identical proofs", mult);
out:
    zkr_buf_free(&pf), zkr_buf_free(&tmp), zkr_buf_free(&a);
    g2dw_free(&f), g2dw_free(&f2);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2dw f;
    zkr_zkrng g;
    zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
    zkr_buf pf = {0};
    zkr_err e = ZKR_ERR_INTERNAL;

    zkr_tap_init(&t, argc, argv);
    reduced_case(&t, 1);
    reduced_case(&t, 2);
    /* production parameters, multiplier 2: the figure and one proof */
    if (g2dw_init(&f, 2, 5) == ZKR_OK && seeded(&g, 5) == ZKR_OK && g2dw_commit(&f, &g) == ZKR_OK) {
        double bits = zkr_ginf2_conv_soundness_bits(
            &f.p, &f.c, zkr_hpcs_poly_total_vars(f.xp) - zkr_hpcs_poly_n_vars(f.xp),
            zkr_hpcs_poly_total_vars(f.wp) - zkr_hpcs_poly_n_vars(f.wp),
            zkr_hpcs_poly_total_vars(f.yp) - zkr_hpcs_poly_n_vars(f.yp));
        zkr_tap_ok(&t, bits >= (double)f.p.target_bits,
                   "depthwise (mult 2) soundness %.2f bits >= %u", bits, f.p.target_bits);
        e = g2dw_prove(&f, &o, &g, &pf);
        zkr_tap_ok(&t, e == ZKR_OK && g2dw_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len) == ZKR_OK,
                   "production parameters, mult 2: verifies (%d, %zu bytes)", (int)e, pf.len);
        pf.p[pf.len / 2] ^= 4;
        zkr_tap_ok(&t, g2dw_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len) != ZKR_OK,
                   "production parameters: a bit flip is refused");
    } else {
        zkr_tap_ok(&t, 0, "production fixture");
    }
    g2dw_free(&f);
    zkr_buf_free(&pf);
    {
        static const uint32_t pads[4] = {0, 0, 0, 0};
        zkr_cnn_win w1;
        zkr_cnn_conv c1;
        zkr_tap_ok(&t, zkr_cnn_win_init(&w1, 4, 6, 6, 1, 1, 1, 1, 1, 1, pads) == ZKR_OK &&
                           zkr_cnn_conv_init(&c1, &w1, 8, 1) == ZKR_OK &&
                           zkr_ginf2_conv_check(&c1) == ZKR_ERR_MALFORMED,
                   "a 1 x 1 depthwise kernel is refused (MALFORMED)");
    }
    return zkr_tap_done(&t);
}
