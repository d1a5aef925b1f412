/*
 * Soundness attacks on graph-inference@2's whole-network proof
 * (docs/soundness.md, "graph-inference@2", "the whole network"), on the
 * small CNN of zk-ginfer2-net. Each cheating prover keeps every other
 * equation true and proves with the honest code path; the verifier refuses
 * it; the same attack with the one check that stops it switched off on both
 * sides (test builds) verifies (the teeth).
 *
 * wrong output: every tensor honest, logit 0 published plus one. Stopped
 *   by the output claim sum_p eq(z, p) V_last(0, p) = sum_p eq(z, p) (y_p -
 *   lo) (ZKR_GINF2_OFF_OUT).
 * weight outside int8: the first conv's W(0, 0, 0, 0) committed as 200
 *   and the whole inference run on that model (every relation true over
 *   the integers but W's range). Stopped by W's hiding range proof in the
 *   conv relation (ZKR_GINF2_OFF_RANGE).
 * A tensor swapped between two relations is soundness-ginfer2's
 * chained-input attack (a conv reading another block of its input's
 * commitment, the link ZKR_GINF2_OFF_LINK its teeth).
 * All on the tests' reduced parameter set (g2n_fx_reduce: no grinding, 16
 * queries, rate 1/2, prover and verifier alike): the checks are the same.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_net_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 net soundness", NULL, 0);
}

/*
 * Commits f (w00: the first conv's W(0, 0, 0, 0) as that integer instead),
 * proves with po, verifies with voff, the output read back from the proof.
 */
static zkr_err run(g2n_fx *f, int64_t w00, const zkr_ginf2_popts *po, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    zkr_err r;

    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2n_fx_commit(f, 1, &g)) != ZKR_OK)
        goto out;
    if (w00) {
        const zkr_cnn_conv *c = &f->net.conv[1];
        unsigned n = zkr_cnn_conv_w_vars(c);
        size_t len = (size_t)1 << n;
        zkr_gl *t = malloc(len * sizeof *t);
        r = ZKR_ERR_NOMEM;
        if (!t)
            goto out;
        memcpy(t, zkr_hpcs_poly_base_evals(f->wp[1]), len * sizeof *t);
        t[0] = zkr_gl_from_i64(w00);
        zkr_hpcs_poly_free(f->wp[1]);
        f->wp[1] = NULL;
        r = zkr_prover_hcommit_sized(&f->p, t, n, n + f->wc[1].blind_vars, ZKR_GINF2_W_OPENINGS, &g,
                                     1, &f->wp[1], &f->wc[1]);
        free(t);
        if (r != ZKR_OK || (r = g2n_fx_mc(f, NULL, &f->mc)) != ZKR_OK)
            goto out;
        zkr_ginf2_mc_digest(f->mc.p, f->mc.len, f->mcd); /* the cheat's model commitment */
    }
    if ((r = g2n_fx_prove_o(f, po, &g, &pf, &out)) != ZKR_OK)
        goto out;
    g2n_fx_statement(f, &st);
    st.output = NULL, st.off |= voff;
    r = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf), zkr_buf_free(&out);
    return r;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2n_fx f;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (g2n_fx_init(&f, 0, 1) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    g2n_fx_reduce(&f); /* the checks under attack are the production code's */
    {
        zkr_ginf2_popts on = {1, 0, 0, 0, 0, 1}, off = {1, ZKR_GINF2_OFF_OUT, 0, 0, 0, 1};
        e = run(&f, 0, &off, ZKR_GINF2_OFF_OUT, 1);
        zkr_tap_ok(&t, e == ZKR_OK, "wrong output verifies with the output claim off (teeth; %d)",
                   (int)e);
        e = run(&f, 0, &on, 0, 2);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "wrong output refused by the output claim (%d)",
                   (int)e);
    }
    {
        zkr_ginf2_popts on = {1, 0, 1, 0, 0, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 0, 0};
        e = run(&f, 200, &off, ZKR_GINF2_OFF_RANGE, 3);
        zkr_tap_ok(&t, e == ZKR_OK,
                   "a weight of 200 verifies with the range proofs off (teeth; %d)", (int)e);
        e = run(&f, 200, &on, 0, 4);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "a weight of 200 refused by W's range proof (%d)",
                   (int)e);
    }
    g2n_fx_free(&f);
    return zkr_tap_done(&t);
}
