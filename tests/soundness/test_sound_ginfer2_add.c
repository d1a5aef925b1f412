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
 * Extreme multipliers (Ma = Mb = 2^31 - 1, shift 1: acc_bits 39, gh and gl
 *   five byte limbs): row 0's integer bound computed from the rows' own
 *   coefficients (sum |coef| 255 + |cst| < p / 2 at shifts 1, 24 and 48),
 *   and the clamp written wrong: y = 126 at an element whose q is over 127
 *   with gh + 1 (row 0 true), yc + 1, sh1 - 1, sl2 + 1 and sh2 - 1 (row 6
 *   true mod p, sh2 wrapped below 0): stopped by V's byte range proof
 *   (ZKR_GINF2_OFF_RANGE).
 * Padding: A = 1 at a padded element (no link row reads it; row 0 there is
 *   Ma A + Mb B = 2^s (yb + gh - gl) + r with rows 1-8 pinning yb, gh, gl
 *   and r + rs to 0): r = Ma, rs = -Ma (row 2 true mod p, rs wrapped):
 *   stopped by V's byte range proof (ZKR_GINF2_OFF_RANGE).
 * An input wider than V (X2's commitment over 8 variables, V over 6, the
 *   hidden term replicated up to N = 8): honest verifies; L2's copy of
 *   another input stopped by the hidden term (ZKR_GINF2_OFF_LINK).
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

static int64_t signed_gl(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

/*
 * Row 0's largest value over the integers when every V entry is a byte:
 * sum_j |coef_j| 255 + |cst| (coefficients as signed integers), below p / 2
 * so that row 0 true mod p is true over the integers (docs/soundness.md).
 */
static int row0_bound_ok(const zkr_ginf2_add *a)
{
    const zkr_ginf2_rq *q = &a->q;
    int64_t cst = signed_gl(q->cst[0]);
    uint64_t b = (uint64_t)(cst < 0 ? -cst : cst), lim = ZKR_GL_P / 2;

    for (unsigned j = 0; j < q->nsl; j++) {
        int64_t c = signed_gl(q->coef[0][j]);
        uint64_t m = (uint64_t)(c < 0 ? -c : c);
        if (m > (lim - b) / 255)
            return 0;
        b += 255 * m;
    }
    return b < lim;
}

/* f's ADD re-made at Ma = Mb = 2^31 - 1 and `shift`, its honest V recomputed. */
static int extreme(g2afx *f, uint32_t shift)
{
    const zkr_ginf2_cin c1 = {0u, 0u, 0, -128, 0u}, c2 = {2u, 1u, -128, -128, 0u};
    const int64_t m = ((int64_t)1 << 31) - 1;
    zkr_gl *v;

    if (zkr_ginf2_add_init(&f->a, G2AFX_C, G2AFX_H, G2AFX_W, m, m, shift, f->relu, &c1, &c2) !=
            ZKR_OK ||
        !(v = realloc(f->vt, ((size_t)1 << zkr_ginf2_add_v_vars(&f->a)) * sizeof *v)))
        return 0;
    f->vt = v;
    return zkr_ginf2_add_witness(&f->a, f->x1t, f->x2t, f->vt) == ZKR_OK;
}

/* y = 126 where q > 127 (clamped high): gh + 1, yc + 1, sh1 - 1, sl2 + 1, sh2 - 1 (wraps). */
static int clamp_cheat(g2afx *f)
{
    const zkr_ginf2_rq *q = &f->a.q;

    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
        zkr_gl *v = f->vt;
#define AT(slot) v[((size_t)(slot) << q->lp) | p]
        if (!AT(q->s_mh) || AT(q->s_sh1) == 0 || AT(q->s_gh) == 255)
            continue;
        AT(ZKR_G2RQ_Y) -= 1, AT(ZKR_G2RQ_YC) += 1;
        AT(q->s_gh) = zkr_gl_add(AT(q->s_gh), 1);
        AT(q->s_sh1) -= 1;
        AT(q->s_sl2) += 1;
        AT(q->s_sh2) = zkr_gl_sub(AT(q->s_sh2), 1);
#undef AT
        return 1;
    }
    return 0;
}

/* A = 1 at the first padded element, r = Ma, rs = -Ma there (rows 0..8 true mod p). */
static int pad_cheat(g2afx *f)
{
    const zkr_ginf2_rq *q = &f->a.q;
    uint64_t ma = (uint64_t)f->a.ma;

    if (ma >= ((uint64_t)1 << q->shift))
        return 0;
    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
        zkr_gl *v = f->vt;
        if ((p & (((size_t)1 << q->lw) - 1)) < q->w &&
            ((p >> q->lw) & (((size_t)1 << q->lh) - 1)) < q->h)
            continue;
#define AT(slot) v[((size_t)(slot) << q->lp) | p]
        AT(f->a.s_a) = 1;
        for (unsigned i = 0; i < q->nr; i++) {
            uint64_t limb = (ma >> (8 * i)) & 255u;
            AT(ZKR_G2RQ_R0 + i) = limb;
            AT(q->s_rs + i) = zkr_gl_sub(0, limb);
        }
#undef AT
        return 1;
    }
    return 0;
}

/*
 * An input commitment with more variables than V (lp 1, X2 of 2^7 blocks:
 * 8 variables, V 6; the hidden term fits N = max(6, 8)), as an ADD reading
 * a 3 x 3 max pooling's V over a 2 x 1 x 1 tensor has: the honest proof
 * (cheat 0) or V from X2 with its real entry at channel 1 plus one (cheat 1),
 * proven with po, verified with voff.
 */
static zkr_err wide(int cheat, const zkr_ginf2_popts *po, unsigned voff, uint8_t tag)
{
    const zkr_ginf2_cin c1 = {0u, 0u, -128, -128, 0u}, c2 = {7u, 93u, -128, -128, 0u};
    zkr_ginf2_add a;
    zkr_params p;
    zkr_zkrng g;
    zkr_hpcs_poly *x1p = NULL, *x2p = NULL, *vp = NULL;
    zkr_hpcs_commitment x1c, x2c, vc;
    zkr_gl *x1 = NULL, *x2 = NULL, *v = NULL;
    zkr_buf pf = {0};
    zkr_transcript t;
    zkr_ginf2_popts o = *po;
    uint8_t sid[ZKR_DIGEST_BYTES] = {7}, pd[ZKR_DIGEST_BYTES];
    unsigned nv;
    zkr_err e;

    if ((e = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (e = zkr_ginf2_add_init(&a, 2, 1, 1, 30000, 20000, 15, 0, &c1, &c2)) != ZKR_OK)
        return e;
    p.pow_bits = 0, p.queries = 16, p.log_blowup = 1;
    nv = zkr_ginf2_add_v_vars(&a);
    if (zkr_ginf2_add_x_vars(&a, 1) <= nv || zkr_ginf2_add_x_vars(&a, 1) > 8)
        return ZKR_ERR_USAGE; /* not the case under test */
    x1 = calloc((size_t)1 << a.q.lp, sizeof *x1);
    x2 = calloc((size_t)1 << zkr_ginf2_add_x_vars(&a, 1), sizeof *x2);
    v = calloc((size_t)1 << nv, sizeof *v);
    e = ZKR_ERR_NOMEM;
    if (!x1 || !x2 || !v)
        goto out;
    for (size_t k = 0; k < ((size_t)1 << zkr_ginf2_add_x_vars(&a, 1)); k++)
        x2[k] = (zkr_gl)((k * 37u + 11u) & 255u); /* bytes everywhere, the read block included */
    x1[0] = 3, x1[1] = 250;
    if ((e = zkr_ginf2_add_witness(&a, x1, x2, v)) != ZKR_OK)
        goto out;
    if (cheat) { /* V from X2 with the entry at channel 1 plus one; X2 committed honest */
        size_t at = ((size_t)c2.block << a.q.lp) | 1u;
        x2[at] += 1;
        e = zkr_ginf2_add_witness(&a, x1, x2, v);
        x2[at] -= 1;
        if (e != ZKR_OK)
            goto out;
    }
    memset(sid, tag, sizeof sid);
    if ((e = seeded(&g, tag)) != ZKR_OK ||
        (e = zkr_prover_hcommit(&p, x1, a.q.lp, 1, &g, 1, &x1p, &x1c)) != ZKR_OK ||
        (e = zkr_prover_hcommit(&p, x2, zkr_ginf2_add_x_vars(&a, 1), 1, &g, 1, &x2p, &x2c)) !=
            ZKR_OK ||
        (e = zkr_prover_hcommit_sized(&p, v, nv,
                                      nv + zkr_ginf2_range_blind(&p, nv, ZKR_GINF2_ADD_V_OPENINGS),
                                      ZKR_GINF2_ADD_V_OPENINGS, &g, 1, &vp, &vc)) != ZKR_OK)
        goto out;
    zkr_params_digest(&p, pd);
    zkr_ts_init(&t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, p.id, pd, sid);
    zkr_ts_absorb(&t, "g2a-v-root", vc.root, ZKR_DIGEST_BYTES);
    o.off |= ZKR_GINF2_OFF_GRIND;
    if ((e = zkr_prover_ginf2_add(&p, &t, &a, x1p, x2p, vp, &o, &g, &pf)) != ZKR_OK)
        goto out;
    {
        zkr_dec d;
        zkr_ts_init(&t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, p.id, pd,
                    sid);
        zkr_ts_absorb(&t, "g2a-v-root", vc.root, ZKR_DIGEST_BYTES);
        zkr_dec_init(&d, pf.p, pf.len);
        e = zkr_verify_ginf2_add(&p, &t, &a, &x1c, &x2c, &vc, voff | ZKR_GINF2_OFF_GRIND, 1, &d);
        if (e == ZKR_OK)
            e = zkr_dec_finish(&d);
    }
out:
    zkr_buf_free(&pf);
    zkr_hpcs_poly_free(x1p), zkr_hpcs_poly_free(x2p), zkr_hpcs_poly_free(vp);
    free(x1), free(x2), free(v);
    return e;
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
    /* extreme multipliers: row 0's bound, then the clamp written wrong */
    e = g2afx_init(&f, 0, 0, 40);
    zkr_tap_ok(&t, e == ZKR_OK && extreme(&f, 1) && f.a.q.acc_bits == 39 && f.a.q.ng == 5 &&
                       row0_bound_ok(&f.a) && extreme(&f, 24) && row0_bound_ok(&f.a) &&
                       extreme(&f, 48) && row0_bound_ok(&f.a) && extreme(&f, 1),
               "ADD Ma = Mb = 2^31 - 1: acc_bits 39, row 0 below p / 2 at shifts 1, 24, 48");
    zkr_tap_ok(&t, run(&f, &hon, 0, 40) == ZKR_OK, "ADD Ma = Mb = 2^31 - 1, shift 1: verifies");
    zkr_tap_ok(&t, clamp_cheat(&f), "ADD clamp: an element clamped high to cheat on");
    e = run(&f, &off, ZKR_GINF2_OFF_RANGE, 41);
    zkr_tap_ok(&t, e == ZKR_OK,
               "ADD clamp: y = 126 over q > 127 verifies with the range proof off (teeth; %d)",
               (int)e);
    e = run(&f, &forced, 0, 42);
    zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
               "ADD clamp: y = 126 over q > 127 refused by V's byte range proof (%d)", (int)e);
    g2afx_free(&f);
    /* padding: A nonzero at a padded element */
    e = g2afx_init(&f, 0, 0, 50);
    zkr_tap_ok(&t, e == ZKR_OK && pad_cheat(&f), "ADD padding: a padded element to cheat on");
    e = run(&f, &off, ZKR_GINF2_OFF_RANGE, 51);
    zkr_tap_ok(&t, e == ZKR_OK,
               "ADD padding: A = 1 with r = Ma verifies with the range proof off (teeth; %d)",
               (int)e);
    e = run(&f, &forced, 0, 52);
    zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
               "ADD padding: A = 1 with r = Ma refused by V's byte range proof (%d)", (int)e);
    g2afx_free(&f);
    /* an input commitment wider than V */
    e = wide(0, &hon, 0, 60);
    zkr_tap_ok(&t, e == ZKR_OK, "ADD, X2 over 8 variables, V over 6: verifies (%d)", (int)e);
    e = wide(1, &nolink, ZKR_GINF2_OFF_LINK, 61);
    zkr_tap_ok(&t, e == ZKR_OK,
               "ADD L2, X2 wider than V: a copy of another input verifies with the link off "
               "(teeth; %d)", (int)e);
    e = wide(1, &hon, 0, 62);
    zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
               "ADD L2, X2 wider than V: a copy of another input refused by the hidden term (%d)",
               (int)e);
    return zkr_tap_done(&t);
}
