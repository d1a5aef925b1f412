/*
 * Soundness attacks on graph-inference@2's depthwise convolution
 * (docs/soundness.md, "graph-inference@2", "Depthwise convolution"), on
 * tests/zk/ginfer2_dw_fx.h's instance (2 x 6 x 6, 3 x 3, multiplier 2), the
 * tests' reduced parameter set (no grinding, 16 queries, rate 1/2, prover
 * and verifier alike; the checks are the same).
 *
 * output channels transposed: Y committed with output channel o = c mult +
 *   m at m C + c (so channel 1, input 0's second filter, holds input 1's
 *   first: a channel taken from the wrong input), and the product sumcheck
 *   run honestly for that mapping (ZKR_GINF2_CHEAT_DW_T: the prover's
 *   selector eq(rco, m C + c)). Every opening, both range proofs and the
 *   link hold; only the final check with the selector the verifier
 *   evaluates itself (zkr_cnn_dw_sel) stops it (ZKR_GINF2_OFF_DW_SEL).
 * one output channel shifted: Y committed with every output channel one
 *   early (channel o holds o + 1's values, the last 0) and the selector
 *   honest: the sumcheck's claim is false; the rounds' consistency folds
 *   into the one final value check (h(1) is claim - h(0)), so that check
 *   is what refuses it, and with it off the proof passes.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_dw_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 dw soundness", NULL, 0);
}

/* Commits f's tables, proves with prover flags poff, verifies with voff. */
static zkr_err run(g2dw *f, unsigned poff, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND | poff, 0, 0, 1, 0};
    zkr_buf pf = {0};
    zkr_err r;

    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2dw_commit(f, &g)) != ZKR_OK ||
        (r = g2dw_prove(f, &o, &g, &pf)) != ZKR_OK)
        goto out;
    r = g2dw_verify(f, NULL, NULL, NULL, ZKR_GINF2_OFF_GRIND | voff, pf.p, pf.len);
out:
    zkr_buf_free(&pf);
    return r;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2dw f;
    int64_t ys[G2DW_MAXCO * G2DW_H * G2DW_H];
    size_t per;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD || g2dw_init(&f, 2, 11) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture (a test build)"), zkr_tap_done(&t);
    g2dw_reduce(&f);
    zkr_tap_ok(&t, run(&f, 0, 0, 1) == ZKR_OK, "honest depthwise proof verifies");
    zkr_tap_ok(&t, run(&f, 0, ZKR_GINF2_OFF_DW_SEL, 2) == ZKR_OK,
               "honest proof verifies with the selector check off");
    g2dw_y_table(&f, f.y, 1);
    zkr_tap_ok(&t, run(&f, ZKR_GINF2_CHEAT_DW_T, ZKR_GINF2_OFF_DW_SEL, 3) == ZKR_OK,
               "output channels transposed: accepted with the selector check off (teeth)");
    zkr_tap_ok(&t, run(&f, ZKR_GINF2_CHEAT_DW_T, 0, 4) == ZKR_ERR_VERIFY,
               "output channels transposed: refused by the depthwise selector");
    per = (size_t)f.c.g.oh * f.c.g.ow;
    memset(ys, 0, sizeof ys);
    memcpy(ys, f.y + per, (f.c.cout - 1) * per * sizeof *ys); /* channel o holds o + 1 */
    g2dw_y_table(&f, ys, 0);
    zkr_tap_ok(&t, run(&f, 0, 0, 5) == ZKR_ERR_VERIFY,
               "every output channel one early: refused");
    zkr_tap_ok(&t, run(&f, 0, ZKR_GINF2_OFF_DW_SEL, 6) == ZKR_OK,
               "every output channel one early: accepted with the selector check off (teeth)");
    g2dw_free(&f);
    return zkr_tap_done(&t);
}
