/*
 * Soundness attacks on graph-inference@2's zero-knowledge residual ADD
 * (docs/soundness.md, "graph-inference@2", "ADD"), on
 * tests/zk/ginfer2_add_fx.h's instance (the reduced parameter set, prover
 * and verifier alike). Each cheating prover keeps every other row true and
 * proves with the honest code path; the verifier refuses it; the same
 * attack with the one check that stops it switched off on both sides (test
 * builds) verifies (the teeth).
 *
 * row 0 (Ma A + Mb B in place of acc): y + 1 at one unclamped element with
 *   r - 2^s (row 0 true mod p, r wrapped below 0): stopped by V's byte
 *   range proof (ZKR_GINF2_OFF_RANGE).
 * L1 (A = X + 128 + in_off): V computed from X with one real entry + 1 (rows
 *   0..8 hold for it), X committed honest: stopped by the first range
 *   proof's hidden term (ZKR_GINF2_OFF_LINK).
 * L2 (B = X2 + 128 + in_off2): the same on X2, stopped by the second.
 * L1 with both inputs one node (X + X): A from the changed table, B honest.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_add_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 add soundness", NULL, 0);
}

static zkr_err run(g2afx *f, const zkr_ginf2_popts *o, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_err e;

    if ((e = seeded(&g, tag)) == ZKR_OK && (e = g2afx_commit(f, &g)) == ZKR_OK &&
        (e = g2afx_prove(f, o, &g, &pf)) == ZKR_OK)
        e = g2afx_verify(f, NULL, NULL, voff, pf.p, pf.len);
    zkr_buf_free(&pf);
    return e;
}

/* y + 1 with r - 2^s at the first element not clamped (rows 0..8 true mod p). */
static int row0_cheat(g2afx *f)
{
    const zkr_ginf2_rq *q = &f->a.q;
    zkr_gl s2 = (zkr_gl)1 << q->shift;

    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
        zkr_gl *v = f->vt;
#define AT(slot) v[((size_t)(slot) << q->lp) | p]
        if (AT(q->s_mh) || AT(q->s_ml) || AT(ZKR_G2RQ_YC) == 0 || AT(f->a.s_a) == 0)
            continue;
        AT(ZKR_G2RQ_Y) += 1, AT(ZKR_G2RQ_YC) -= 1;
        AT(ZKR_G2RQ_R0) = zkr_gl_sub(AT(ZKR_G2RQ_R0), s2);
        AT(q->s_rs) = zkr_gl_add(AT(q->s_rs), s2);
        AT(q->s_sh2) += 1, AT(q->s_sl2) -= 1;
#undef AT
        return 1;
    }
    return 0;
}

/* V from input k's table with one real entry + 1 (the committed table stays honest). */
static int link_cheat(g2afx *f, unsigned k)
{
    const zkr_ginf2_add *a = &f->a;
    size_t n = (size_t)1 << zkr_ginf2_add_x_vars(a, k);
    zkr_gl *x = malloc(n * sizeof *x);
    int ok = 0;

    if (!x)
        return 0;
    memcpy(x, k == 0 ? f->x1t : f->x2t, n * sizeof *x);
    for (uint32_t c = 0; c < G2AFX_C && !ok; c++) {
        size_t i = ((size_t)a->in[k].block << a->q.lp) | g2afx_p(f, c, 1, 1);
        int64_t val = (x[i] > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - x[i]) : (int64_t)x[i]) +
                      a->in[k].in_off;
        if (val < 127) {
            x[i] = zkr_gl_add(x[i], 1);
            ok = 1;
        }
    }
    ok = ok && zkr_ginf2_add_witness(a, k == 0 ? x : f->x1t,
                                     k == 1 ? x : f->same ? f->x1t : f->x2t, f->vt) == ZKR_OK;
    free(x);
    return ok;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2afx f;
    zkr_ginf2_popts hon = {1, 0, 0, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
    zkr_ginf2_popts forced = {1, 0, 1, 0, 1, 0}, nolink = {1, ZKR_GINF2_OFF_LINK, 0, 0, 1, 0};
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD)
        return zkr_tap_ok(&t, 0, "a test build"), zkr_tap_done(&t);
    /* row 0 */
    e = g2afx_init(&f, 0, 0, 21);
    zkr_tap_ok(&t, e == ZKR_OK && run(&f, &off, ZKR_GINF2_OFF_RANGE, 1) == ZKR_OK,
               "ADD: honest, range off, verifies");
    zkr_tap_ok(&t, row0_cheat(&f), "ADD: an unclamped element to cheat on");
    e = run(&f, &off, ZKR_GINF2_OFF_RANGE, 2);
    zkr_tap_ok(&t, e == ZKR_OK,
               "ADD row 0: y + 1 with r - 2^s verifies with the range proof off (teeth; %d)",
               (int)e);
    e = run(&f, &forced, 0, 3);
    zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
               "ADD row 0: y + 1 with r - 2^s refused by V's byte range proof (%d)", (int)e);
    g2afx_free(&f);
    /* L1, L2, and L1 when both inputs are one node */
    for (unsigned k = 0; k < 3; k++) {
        e = g2afx_init(&f, k == 2, 1, 30 + k);
        zkr_tap_ok(&t, e == ZKR_OK && link_cheat(&f, k == 1), "ADD L%u: a wrong copy to cheat on",
                   k == 1 ? 2u : 1u);
        e = run(&f, &nolink, ZKR_GINF2_OFF_LINK, (uint8_t)(10 + k));
        zkr_tap_ok(&t, e == ZKR_OK,
                   "ADD L%u%s: a copy of another input verifies with the link off (teeth; %d)",
                   k == 1 ? 2u : 1u, k == 2 ? " (X + X)" : "", (int)e);
        e = run(&f, &hon, 0, (uint8_t)(20 + k));
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                   "ADD L%u%s: a copy of another input refused by the range proof's hidden term "
                   "(%d)", k == 1 ? 2u : 1u, k == 2 ? " (X + X)" : "", (int)e);
        g2afx_free(&f);
    }
    return zkr_tap_done(&t);
}
