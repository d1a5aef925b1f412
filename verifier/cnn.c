/* Verifiers of the CNN relations (verifier/cnn.h). */
#include <stdlib.h>
#include <string.h>

#include "verifier/cnn.h"
#include "zkr_config.h"

#define ZKR_VC_OFF_RANGE 1u
#define ZKR_VC_OFF_SEL_VALID 2u
#define ZKR_VC_OFF_SEL_SUM 4u
#define ZKR_VC_OFF_SEL_BIT 8u
#define ZKR_VC_OFF_DW_SEL 64u

static zkr_err zkr_vc_opts(const zkr_cnn_vopts *o, unsigned *off)
{
    *off = o ? o->off : 0;
#if !ZKR_TEST_BUILD
    if (*off & ~ZKR_CNN_DEFER_RANGE)
        return ZKR_ERR_USAGE;
#endif
    return ZKR_OK;
}

/* Reads n*deg messages and replays the rounds. */
static zkr_err zkr_vc_sumcheck(zkr_transcript *t, zkr_dec *dec, unsigned n, unsigned deg,
                               zkr_ext claim, zkr_ext *r, zkr_ext *fin)
{
    zkr_ext msgs[ZKR_CNN_MAX_VARS * 3];

    if (n > ZKR_CNN_MAX_VARS || deg > 3 || zkr_dec_exts(dec, msgs, (size_t)n * deg) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    zkr_sumcheck_verify(t, n, deg, claim, msgs, r, fin);
    return ZKR_OK;
}

static zkr_err zkr_vc_recv(zkr_transcript *t, const char *label, zkr_dec *dec, zkr_ext *v,
                           size_t n)
{
    if (zkr_dec_exts(dec, v, n) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    zkr_ts_absorb_ext(t, label, v, n);
    return ZKR_OK;
}

static zkr_err zkr_vc_trunc(zkr_diag *d, const char *what)
{
    return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: %s section truncated or not canonical", what);
}

static zkr_err zkr_vc_claims_full(zkr_diag *d)
{
    return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: more evaluation claims than the verifier holds");
}

static zkr_ext zkr_vc_const(int64_t v)
{
    return zkr_ext_from(zkr_gl_from_i64(v));
}

/* Runs a LogUp, checks the table side against table[2^nt] and returns the claims. */
static zkr_err zkr_vc_logup(zkr_transcript *t, zkr_dec *dec, unsigned na, const zkr_gl *table,
                            unsigned nt, const char *what, zkr_logup_claims *lc, zkr_diag *d)
{
    zkr_logup_proof *lp = NULL;
    zkr_ext *tx = NULL, tv;
    zkr_err r = zkr_logup_proof_parse(na, nt, dec, &lp);

    if (r != ZKR_OK)
        return r == ZKR_ERR_NOMEM ? r : zkr_vc_trunc(d, what);
    if ((r = zkr_logup_verify(t, na, nt, lp, lc)) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: %s range/table check fails", what);
        goto out;
    }
    if (!(tx = malloc(((size_t)1 << nt) * sizeof *tx))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (size_t j = 0; j < ((size_t)1 << nt); j++)
        tx[j] = zkr_ext_from(table[j]);
    if ((r = zkr_cnn_eval_vec(tx, (size_t)1 << nt, nt, lc->rt, &tv)) != ZKR_OK)
        goto out;
    if (!zkr_ext_eq(tv, lc->t_at_rt))
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: %s LogUp table claim fails", what);
out:
    free(tx);
    zkr_logup_proof_free(lp);
    return r;
}

static void zkr_vc_byte_table(zkr_gl *tab)
{
    for (unsigned j = 0; j < 256; j++)
        tab[j] = j;
}

zkr_err zkr_verify_cnn_view(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                            zkr_ext claim, zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned n = zkr_cnn_in_vars(g);
    zkr_ext s[ZKR_CNN_MAX_PT], fin, xv, sel;
    zkr_err r;

    if (zkr_vc_sumcheck(t, dec, n, 2, claim, s, &fin) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-view-x", dec, &xv, 1) != ZKR_OK)
        return zkr_vc_trunc(d, "window view");
    if ((r = zkr_cnn_view_selector_eval(g, v, s, &sel)) != ZKR_OK)
        return r;
    if (!zkr_ext_eq(fin, zkr_ext_mul(xv, sel)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: window view reduction fails");
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, s, n, xv) != ZKR_OK)
        return zkr_vc_claims_full(d);
    return ZKR_OK;
}

zkr_err zkr_verify_cnn_conv(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_ext *rho,
                            zkr_ext value, zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d)
{
    return zkr_verify_cnn_conv_opts(t, c, rho, value, NULL, dec, cl, d);
}

zkr_err zkr_verify_cnn_conv_opts(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_ext *rho,
                                 zkr_ext value, const zkr_cnn_vopts *o, zkr_dec *dec,
                                 zkr_cnn_claims *cl, zkr_diag *d)
{
    const zkr_cnn_win *g = &c->g;
    unsigned lk = g->lkh + g->lkw, nk = lk + g->lc + (c->depthwise ? c->lm : 0);
    const zkr_ext *rc = rho + g->low + g->loh;
    zkr_ext s[ZKR_CNN_MAX_PT], fin, vals[2], want, wpt[ZKR_CNN_MAX_PT], sel;
    unsigned off;
    zkr_err r;

    if ((r = zkr_vc_opts(o, &off)) != ZKR_OK)
        return zkr_fail(d, r, "convolution: options of test builds only");
    if (zkr_vc_sumcheck(t, dec, nk, c->depthwise ? 3 : 2, value, s, &fin) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-conv-wu", dec, vals, 2) != ZKR_OK)
        return zkr_vc_trunc(d, "convolution");
    want = zkr_ext_mul(vals[0], vals[1]);
    if (c->depthwise && c->mult == 1) {
        want = zkr_ext_mul(want, zkr_mle_eq_eval(rc, s + lk, g->lc));
    } else if (c->depthwise) {
        /* A channel multiplier (prover/cnn.c): the selector over (c, m). */
        if ((r = zkr_cnn_dw_sel(c, rc, s + lk, s + lk + g->lc, &sel)) != ZKR_OK)
            return r;
        want = zkr_ext_mul(want, sel);
    }
    if (!zkr_ext_eq(fin, want) && !(c->depthwise && c->mult > 1 && (off & ZKR_VC_OFF_DW_SEL)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: convolution sumcheck fails");
    memcpy(wpt, s, nk * sizeof *s);
    if (!c->depthwise)
        memcpy(wpt + nk, rc, c->lco * sizeof *rc);
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_W, wpt, zkr_cnn_conv_w_vars(c), vals[0]) != ZKR_OK)
        return zkr_vc_claims_full(d);
    {
        zkr_cnn_view_pt v = {s + lk, s + g->lkw, s, rho + g->low, rho};
        return zkr_verify_cnn_view(t, g, &v, vals[1], dec, cl, d);
    }
}

zkr_err zkr_verify_cnn_maxpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_vopts *o,
                               zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned lp = zkr_cnn_out_vars(g), n = lp + zkr_cnn_k_vars(g), off;
    zkr_ext z[ZKR_CNN_MAX_PT], rp[ZKR_CNN_MAX_PT], s[ZKR_CNN_MAX_PT], vals[4], fin;
    zkr_ext beta, gam, b2, b3, one = zkr_ext_from(1), zero = zkr_ext_from(0), claim;
    zkr_err r;

    if ((r = zkr_vc_opts(o, &off)) != ZKR_OK)
        return r;
    if (n > ZKR_CNN_MAX_VARS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "max pooling: window view over 2^%u values",
                        ZKR_CNN_MAX_VARS);
    zkr_ts_challenge_exts(t, "cnn-mp-z", z, n);
    zkr_ts_challenge_exts(t, "cnn-mp-rp", rp, lp);
    beta = zkr_ts_challenge_ext(t, "cnn-mp-beta");
    gam = zkr_ts_challenge_ext(t, "cnn-mp-gamma");
    b2 = zkr_ext_mul(beta, beta);
    b3 = zkr_ext_mul(b2, beta);
    /* Each output window sums its selector to one: sum_p eq(rp, p) valid(p). */
    claim = (off & ZKR_VC_OFF_SEL_SUM)
                ? zero
                : zkr_ext_mul(gam, zkr_cnn_valid_eval(g->c, g->oh, g->ow, g->lc, g->loh, g->low, rp));
    if (zkr_vc_sumcheck(t, dec, n, 3, claim, s, &fin) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-mp-vals", dec, vals, 4) != ZKR_OK)
        return zkr_vc_trunc(d, "max pooling");
    {
        zkr_ext E = vals[0], D = vals[1], Y = vals[2], V = vals[3], valid;
        if ((r = zkr_cnn_pool_valid_eval(g, s, &valid)) != ZKR_OK)
            return r;
        zkr_ext c_bit = (off & ZKR_VC_OFF_SEL_BIT) ? zero : zkr_ext_sub(zkr_ext_mul(E, E), E);
        zkr_ext c_val = (off & ZKR_VC_OFF_SEL_VALID)
                            ? zero
                            : zkr_ext_mul(b3, zkr_ext_mul(zkr_ext_sub(one, valid), E));
        zkr_ext c_ed = zkr_ext_mul(beta, zkr_ext_mul(E, D));
        zkr_ext c_d = zkr_ext_mul(b2, zkr_ext_sub(D, zkr_ext_mul(valid, zkr_ext_sub(Y, V))));
        zkr_ext c_sum = (off & ZKR_VC_OFF_SEL_SUM)
                            ? zero
                            : zkr_ext_mul(gam, zkr_ext_mul(zkr_mle_eq_eval(rp, s, lp), E));
        zkr_ext want = zkr_ext_add(
            zkr_ext_mul(zkr_mle_eq_eval(z, s, n),
                        zkr_ext_add(zkr_ext_add(c_bit, c_val), zkr_ext_add(c_ed, c_d))),
            c_sum);
        if (!zkr_ext_eq(fin, want))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: max pooling selector check fails");
    }
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_E, s, n, vals[0]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_D, s, n, vals[1]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, s, lp, vals[2]) != ZKR_OK)
        return zkr_vc_claims_full(d);
    {
        zkr_cnn_view_pt v = {s + g->low + g->loh, s + lp + g->lkw, s + lp, s + g->low, s};
        if ((r = zkr_verify_cnn_view(t, g, &v, vals[3], dec, cl, d)) != ZKR_OK)
            return r;
    }
    if (!(off & (ZKR_VC_OFF_RANGE | ZKR_CNN_DEFER_RANGE))) {
        zkr_gl tab[256];
        zkr_logup_claims lc;
        zkr_vc_byte_table(tab);
        if ((r = zkr_vc_logup(t, dec, n, tab, ZKR_CNN_BYTE_LOG, "max pooling", &lc, d)) != ZKR_OK)
            return r;
        if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_D, lc.ra, n, lc.a_at_ra) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc.rt, ZKR_CNN_BYTE_LOG, lc.m_at_rt) != ZKR_OK)
            return zkr_vc_claims_full(d);
    }
    return ZKR_OK;
}

zkr_err zkr_verify_cnn_avgpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_vopts *o,
                               zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned lp = zkr_cnn_out_vars(g), off;
    uint64_t k = (uint64_t)g->kh * g->kw;
    zkr_ext z[ZKR_CNN_MAX_PT + 3], vals[5], sum, rr, cc, valid, tau[2], eqt[4];
    zkr_ext rv = zkr_ext_from(0), one = zkr_ext_from(1);
    zkr_err r;

    if ((r = zkr_vc_opts(o, &off)) != ZKR_OK)
        return r;
    if (k > ZKR_CNN_AP_MAX_K || lp + 3 > ZKR_CNN_MAX_VARS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "average pooling: window over 2^14 elements");
    zkr_ts_challenge_exts(t, "cnn-ap-z", z, lp);
    if (zkr_vc_recv(t, "cnn-ap-qr", dec, vals, 5) != ZKR_OK)
        return zkr_vc_trunc(d, "average pooling");
    valid = zkr_cnn_valid_eval(g->c, g->oh, g->ow, g->lc, g->loh, g->low, z);
    rr = zkr_ext_add(vals[1 + ZKR_CNN_AP_R0], zkr_ext_mul_base(vals[1 + ZKR_CNN_AP_R1], 256));
    cc = zkr_ext_add(vals[1 + ZKR_CNN_AP_C0], zkr_ext_mul_base(vals[1 + ZKR_CNN_AP_C1], 256));
    /* r + c = k - 1 on every element, so with both limb pairs bytes 0 <= r < k. */
    if (!zkr_ext_eq(zkr_ext_add(rr, cc), zkr_ext_mul_base(valid, k - 1)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: average pooling remainder bound fails");
    /* S + floor(k/2) valid = k q + r at z determines the window sum S~(z). */
    sum = zkr_ext_sub(zkr_ext_add(zkr_ext_mul_base(vals[0], k), rr),
                      zkr_ext_mul_base(valid, k / 2));
    zkr_ts_challenge_exts(t, "cnn-ap-tau", tau, 2);
    zkr_mle_eq_table(tau, 2, eqt);
    for (unsigned s = 0; s < 4; s++)
        rv = zkr_ext_add(rv, zkr_ext_mul(eqt[s], vals[1 + s]));
    memcpy(z + lp, tau, sizeof tau);
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, z, lp, vals[0]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_R, z, lp + 2, rv) != ZKR_OK)
        return zkr_vc_claims_full(d);
    {
        zkr_cnn_view_pt v = {z + g->low + g->loh, NULL, NULL, z + g->low, z};
        if ((r = zkr_verify_cnn_view(t, g, &v, sum, dec, cl, d)) != ZKR_OK)
            return r;
    }
    if (off & ZKR_VC_OFF_RANGE)
        return ZKR_OK;
    {
        zkr_gl tab[256];
        zkr_logup_claims lc;
        zkr_ext b0, b1, b2, a;
        zkr_vc_byte_table(tab);
        if ((r = zkr_vc_logup(t, dec, lp + 3, tab, ZKR_CNN_BYTE_LOG, "average pooling", &lc, d)) !=
            ZKR_OK)
            return r;
        if (zkr_vc_recv(t, "cnn-ap-rho", dec, vals, 2) != ZKR_OK)
            return zkr_vc_trunc(d, "average pooling");
        /* The column: R's four slots, then q + 128 on valid elements, then zeros. */
        valid = zkr_cnn_valid_eval(g->c, g->oh, g->ow, g->lc, g->loh, g->low, lc.ra);
        b0 = lc.ra[lp], b1 = lc.ra[lp + 1], b2 = lc.ra[lp + 2];
        a = zkr_ext_add(
            zkr_ext_mul(zkr_ext_sub(one, b2), vals[0]),
            zkr_ext_mul(zkr_ext_mul(b2, zkr_ext_mul(zkr_ext_sub(one, b0), zkr_ext_sub(one, b1))),
                        zkr_ext_add(vals[1], zkr_ext_mul_base(valid, 128))));
        if (!zkr_ext_eq(a, lc.a_at_ra))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: average pooling range column fails");
        if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_R, lc.ra, lp + 2, vals[0]) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, lc.ra, lp, vals[1]) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc.rt, ZKR_CNN_BYTE_LOG, lc.m_at_rt) != ZKR_OK)
            return zkr_vc_claims_full(d);
    }
    return ZKR_OK;
}

zkr_err zkr_verify_cnn_lookup(zkr_transcript *t, uint32_t c, uint32_t h, uint32_t w,
                              const int8_t tab[256], const zkr_cnn_vopts *o, zkr_dec *dec,
                              zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned lc = zkr_log2_ceil(c), lh = zkr_log2_ceil(h), lw = zkr_log2_ceil(w);
    unsigned n = lc + lh + lw, off;
    zkr_gl table[1u << ZKR_CNN_LUT_LOG];
    zkr_logup_claims lq;
    zkr_ext vals[2], pair, valid, one = zkr_ext_from(1), sn;
    zkr_err r;

    if ((r = zkr_vc_opts(o, &off)) != ZKR_OK)
        return r;
    if (n + 2 > ZKR_CNN_MAX_VARS || c < 1 || h < 1 || w < 1 || c > ZKR_CNN_MAX_DIM ||
        h > ZKR_CNN_MAX_DIM || w > ZKR_CNN_MAX_DIM)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "lookup: tensor size not supported");
    if (off & ZKR_VC_OFF_RANGE)
        return ZKR_OK;
    zkr_cnn_lut_table(tab, table);
    if ((r = zkr_vc_logup(t, dec, n + 2, table, ZKR_CNN_LUT_LOG, "lookup", &lq, d)) != ZKR_OK)
        return r;
    if (zkr_vc_recv(t, "cnn-lut-xy", dec, vals, 2) != ZKR_OK)
        return zkr_vc_trunc(d, "lookup");
    valid = zkr_cnn_valid_eval(c, h, w, lc, lh, lw, lq.ra);
    /* (x + 128) + 256 (y + 128) on valid elements; padding (x = y = 0) is x = 0's pair. */
    pair = zkr_ext_add(zkr_ext_add(vals[0], zkr_ext_mul_base(vals[1], 256)),
                       zkr_ext_add(zkr_ext_from(32896),
                                   zkr_ext_mul_base(zkr_ext_sub(one, valid),
                                                    zkr_gl_from_i64(256 * (int64_t)tab[128]))));
    {
        /* Slots: the pair, y's byte, x's byte, the byte 0 (prover/cnn.c). */
        zkr_ext boff = zkr_ext_from(ZKR_CNN_LUT_BYTE_OFF), b0 = lq.ra[n], b1 = lq.ra[n + 1];
        zkr_ext yb = zkr_ext_add(vals[1], zkr_ext_add(boff, zkr_ext_from(128)));
        zkr_ext xb = zkr_ext_add(vals[0], zkr_ext_add(boff, zkr_ext_from(128)));
        zkr_ext lo = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(one, b0), pair), zkr_ext_mul(b0, yb));
        zkr_ext hi = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(one, b0), xb), zkr_ext_mul(b0, boff));
        sn = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(one, b1), lo), zkr_ext_mul(b1, hi));
    }
    if (!zkr_ext_eq(lq.a_at_ra, sn))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: lookup column fails");
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, lq.ra, n, vals[0]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, lq.ra, n, vals[1]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lq.rt, ZKR_CNN_LUT_LOG, lq.m_at_rt) != ZKR_OK)
        return zkr_vc_claims_full(d);
    return ZKR_OK;
}

static zkr_ext zkr_vc_limbs(const zkr_ext *slots, unsigned first, unsigned n)
{
    zkr_ext acc = zkr_ext_from(0);

    for (unsigned i = n; i-- > 0;)
        acc = zkr_ext_add(zkr_ext_mul_base(acc, 256), slots[first + i]);
    return acc;
}

/* The requantization zero-check at rho (docs/soundness.md, ADD). */
static zkr_ext zkr_vc_add_want(const zkr_cnn_add *a, const zkr_ext *sl, const zkr_ext *ab,
                               const zkr_ext *lam)
{
    zkr_ext Y = sl[ZKR_CNN_ADD_Y], hi = sl[ZKR_CNN_ADD_HI], lo = sl[ZKR_CNN_ADD_LO];
    zkr_ext rr = zkr_vc_limbs(sl, ZKR_CNN_ADD_R0, a->nr), g = zkr_vc_limbs(sl, a->slot_g0, a->ng);
    zkr_ext two_s = zkr_ext_from((zkr_gl)1 << a->shift), lo_l = zkr_vc_const(a->lo);
    zkr_ext q = zkr_ext_add(zkr_ext_add(Y, lo_l), zkr_ext_mul(zkr_ext_sub(hi, lo), g));
    zkr_ext acc = a->mul ? zkr_ext_mul(ab[0], ab[1])
                         : zkr_ext_add(zkr_ext_mul(ab[0], zkr_vc_const(a->ma)),
                                       zkr_ext_mul(ab[1], zkr_vc_const(a->mb)));
    zkr_ext cst = zkr_ext_sub(zkr_ext_add(acc, zkr_ext_from((zkr_gl)1 << (a->shift - 1))),
                              zkr_ext_add(zkr_ext_mul(q, two_s), rr));
    zkr_ext c1 = zkr_ext_sub(zkr_ext_mul(hi, hi), hi), c2 = zkr_ext_sub(zkr_ext_mul(lo, lo), lo);
    zkr_ext c3 = zkr_ext_mul(hi, zkr_ext_sub(zkr_vc_const(127 - a->lo), Y));
    zkr_ext c4 = zkr_ext_mul(lo, Y);

    return zkr_ext_add(cst, zkr_ext_add(zkr_ext_mul(lam[1], c1),
                                        zkr_ext_add(zkr_ext_mul(lam[2], c2),
                                                    zkr_ext_add(zkr_ext_mul(lam[3], c3),
                                                                zkr_ext_mul(lam[4], c4)))));
}

zkr_err zkr_verify_cnn_add(zkr_transcript *t, const zkr_cnn_add *a, unsigned lp,
                           const zkr_cnn_vopts *o, zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned nv = lp + ZKR_CNN_ADD_SLOTS_LOG, off;
    zkr_ext z[ZKR_CNN_MAX_PT], rho[ZKR_CNN_MAX_PT + 4], lam[5], fin, ab[2];
    zkr_ext sl[1u << ZKR_CNN_ADD_SLOTS_LOG], tau[ZKR_CNN_ADD_SLOTS_LOG];
    zkr_err r;

    if ((r = zkr_vc_opts(o, &off)) != ZKR_OK)
        return r;
    if (nv > ZKR_CNN_MAX_VARS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "add: tensor size not supported");
    zkr_ts_challenge_exts(t, "cnn-add-z", z, lp);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(t, "cnn-add-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    if (zkr_vc_sumcheck(t, dec, lp, 3, zkr_ext_from(0), rho, &fin) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-add-slots", dec, sl, 1u << ZKR_CNN_ADD_SLOTS_LOG) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-add-ab", dec, ab, 2) != ZKR_OK)
        return zkr_vc_trunc(d, "add");
    if (!zkr_ext_eq(fin, zkr_ext_mul(zkr_mle_eq_eval(z, rho, lp), zkr_vc_add_want(a, sl, ab, lam))))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: add requantization check fails");
    /* Linear relations between slots: the int8 bound of y, the top-limb scales. */
    if (!zkr_ext_eq(sl[ZKR_CNN_ADD_YC], zkr_ext_sub(zkr_vc_const(127 - a->lo), sl[ZKR_CNN_ADD_Y])) ||
        !zkr_ext_eq(sl[a->slot_rtc], zkr_ext_mul_base(sl[ZKR_CNN_ADD_R0 + a->nr - 1], a->c_r)) ||
        !zkr_ext_eq(sl[a->slot_gtc], zkr_ext_mul_base(sl[a->slot_g0 + a->ng - 1], a->c_g)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: add range decomposition fails");
    zkr_ts_challenge_exts(t, "cnn-add-tau", tau, ZKR_CNN_ADD_SLOTS_LOG);
    {
        zkr_ext eqt[1u << ZKR_CNN_ADD_SLOTS_LOG], sv = zkr_ext_from(0);
        zkr_mle_eq_table(tau, ZKR_CNN_ADD_SLOTS_LOG, eqt);
        for (unsigned s = 0; s < (1u << ZKR_CNN_ADD_SLOTS_LOG); s++)
            sv = zkr_ext_add(sv, zkr_ext_mul(eqt[s], sl[s]));
        memcpy(rho + lp, tau, sizeof tau);
        if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_V, rho, nv, sv) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, rho, lp, ab[0]) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_B, rho, lp, ab[1]) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, rho, lp,
                              zkr_ext_add(sl[ZKR_CNN_ADD_Y], zkr_vc_const(a->lo))) != ZKR_OK)
            return zkr_vc_claims_full(d);
    }
    if (!(off & (ZKR_VC_OFF_RANGE | ZKR_CNN_DEFER_RANGE))) {
        zkr_gl tab[256];
        zkr_logup_claims lc;
        zkr_vc_byte_table(tab);
        if ((r = zkr_vc_logup(t, dec, nv, tab, ZKR_CNN_BYTE_LOG, "add", &lc, d)) != ZKR_OK)
            return r;
        if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_V, lc.ra, nv, lc.a_at_ra) != ZKR_OK ||
            zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc.rt, ZKR_CNN_BYTE_LOG, lc.m_at_rt) != ZKR_OK)
            return zkr_vc_claims_full(d);
    }
    return ZKR_OK;
}

/* sum_i 2^(15 i) slots[first + i]. */
static zkr_ext zkr_vc_limbs16(const zkr_ext *slots, unsigned first, unsigned n)
{
    zkr_ext acc = zkr_ext_from(0);

    for (unsigned i = n; i-- > 0;)
        acc = zkr_ext_add(zkr_ext_mul_base(acc, (zkr_gl)1 << ZKR_CNN_RQN_LIMB), slots[first + i]);
    return acc;
}

/* The narrow requantization's zero-check at rho (docs/soundness.md, "Narrow requantization"). */
static zkr_ext zkr_vc_rqn_want(const zkr_cnn_rqn *a, const zkr_ext *sl, const zkr_ext *aby,
                               const zkr_ext *lam)
{
    zkr_ext rr = zkr_vc_limbs16(sl, 0, a->nr), gh = zkr_vc_limbs16(sl, a->slot_gh, a->ngh);
    zkr_ext gl = zkr_vc_limbs16(sl, a->slot_gl, a->ngl), y = aby[2];
    zkr_ext two_s = zkr_ext_from((zkr_gl)1 << a->shift);
    zkr_ext u = a->mul ? zkr_ext_mul(aby[0], aby[1])
                       : zkr_ext_add(zkr_ext_mul(aby[0], zkr_vc_const(a->ma)),
                                     zkr_ext_mul(aby[1], zkr_vc_const(a->mb)));
    zkr_ext q = zkr_ext_sub(zkr_ext_add(y, gh), gl);
    zkr_ext e0 = zkr_ext_sub(zkr_ext_add(u, zkr_ext_from((zkr_gl)1 << (a->shift - 1))),
                             zkr_ext_add(zkr_ext_mul(q, two_s), rr));
    zkr_ext e1 = zkr_ext_mul(gh, zkr_ext_sub(zkr_vc_const(127), y));
    zkr_ext e2 = zkr_ext_mul(gl, zkr_ext_sub(y, zkr_vc_const(a->lo)));

    return zkr_ext_add(e0, zkr_ext_add(zkr_ext_mul(lam[1], e1), zkr_ext_mul(lam[2], e2)));
}

zkr_err zkr_verify_cnn_rqn(zkr_transcript *t, const zkr_cnn_rqn *a, unsigned lp, zkr_dec *dec,
                           zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned nv = lp + a->lsl;
    zkr_ext z[ZKR_CNN_MAX_PT], rho[ZKR_CNN_MAX_PT + 4], lam[3], fin, aby[3];
    zkr_ext sl[ZKR_CNN_RQN_MAX_SLOTS], tau[4], eqt[ZKR_CNN_RQN_MAX_SLOTS], sv = zkr_ext_from(0);

    if (nv > ZKR_CNN_MAX_VARS || a->lsl > 4 || a->nsl > ZKR_CNN_RQN_MAX_SLOTS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "requantization: tensor size not supported");
    zkr_ts_challenge_exts(t, "cnn-rqn-z", z, lp);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(t, "cnn-rqn-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    if (zkr_vc_sumcheck(t, dec, lp, 3, zkr_ext_from(0), rho, &fin) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-rqn-slots", dec, sl, a->nsl) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-rqn-aby", dec, aby, 3) != ZKR_OK)
        return zkr_vc_trunc(d, "requantization");
    if (!zkr_ext_eq(fin, zkr_ext_mul(zkr_mle_eq_eval(z, rho, lp), zkr_vc_rqn_want(a, sl, aby, lam))))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: requantization check fails");
    zkr_ts_challenge_exts(t, "cnn-rqn-tau", tau, a->lsl);
    zkr_mle_eq_table(tau, a->lsl, eqt);
    for (unsigned k = 0; k < a->nsl; k++)
        sv = zkr_ext_add(sv, zkr_ext_mul(eqt[k], sl[k]));
    memcpy(rho + lp, tau, a->lsl * sizeof *tau);
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_V, rho, nv, sv) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, rho, lp, aby[0]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_B, rho, lp, aby[1]) != ZKR_OK ||
        zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, rho, lp, aby[2]) != ZKR_OK)
        return zkr_vc_claims_full(d);
    return ZKR_OK;
}

zkr_err zkr_verify_cnn_combine(zkr_transcript *t, unsigned n, const zkr_cnn_claim *cs, size_t k,
                               zkr_dec *dec, zkr_cnn_claim *res, zkr_diag *d)
{
    zkr_ext alpha[ZKR_CNN_MAX_CLAIMS], claim = zkr_ext_from(0), s[ZKR_CNN_MAX_PT], fin, xv;
    zkr_ext w = zkr_ext_from(0);

    if (k < 1 || k > ZKR_CNN_MAX_CLAIMS || n > ZKR_CNN_MAX_VARS)
        return zkr_fail(d, ZKR_ERR_USAGE, "combine: %zu claims", k);
    for (size_t i = 0; i < k; i++) {
        if (cs[i].n != n)
            return zkr_fail(d, ZKR_ERR_USAGE, "combine: claims of different sizes");
        alpha[i] = i ? zkr_ts_challenge_ext(t, "cnn-comb-alpha") : zkr_ext_from(1);
        claim = zkr_ext_add(claim, zkr_ext_mul(alpha[i], cs[i].val));
    }
    if (zkr_vc_sumcheck(t, dec, n, 2, claim, s, &fin) != ZKR_OK ||
        zkr_vc_recv(t, "cnn-comb-x", dec, &xv, 1) != ZKR_OK)
        return zkr_vc_trunc(d, "combine");
    for (size_t i = 0; i < k; i++)
        w = zkr_ext_add(w, zkr_ext_mul(alpha[i], zkr_mle_eq_eval(cs[i].pt, s, n)));
    if (!zkr_ext_eq(fin, zkr_ext_mul(xv, w)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: claims on a shared tensor do not combine");
    memset(res, 0, sizeof *res);
    res->poly = cs[0].poly;
    res->n = n;
    memcpy(res->pt, s, n * sizeof *s);
    res->val = xv;
    return ZKR_OK;
}

zkr_err zkr_verify_cnn_concat(zkr_transcript *t, const zkr_cnn_cat *a, const zkr_cnn_vopts *o,
                              zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d)
{
    unsigned off, nz = a->lhw + a->lco + a->lb;
    zkr_ext z[ZKR_CNN_MAX_PT], yv[1 + ZKR_CNN_CAT_MAX_IN], s[ZKR_CNN_MAX_PT], pt[ZKR_CNN_MAX_PT];
    zkr_ext sum = zkr_ext_from(0);
    zkr_err r;

    if ((r = zkr_vc_opts(o, &off)) != ZKR_OK)
        return zkr_fail(d, r, "concat: options of test builds only");
    if (a->k < 2 || a->k > ZKR_CNN_CAT_MAX_IN || nz > ZKR_CNN_MAX_VARS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "concat: %u inputs over 2^%u values", a->k, nz);
    zkr_ts_challenge_exts(t, "cnn-cat-z", z, nz);
    if (zkr_vc_recv(t, "cnn-cat-yv", dec, yv, 1 + a->k) != ZKR_OK)
        return zkr_vc_trunc(d, "concat");
    /* The identity: the output at z is the sum of the inputs' shares. */
    for (unsigned j = 0; j < a->k; j++)
        sum = zkr_ext_add(sum, yv[1 + j]);
    if (!(off & ZKR_CNN_OFF_CAT) && !zkr_ext_eq(sum, yv[0]))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: concat output is not its inputs' channels");
    if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, z, nz, yv[0]) != ZKR_OK)
        return zkr_vc_claims_full(d);
    for (unsigned j = 0; j < a->k; j++) {
        zkr_ext fin, xv, sel;
        if (zkr_vc_sumcheck(t, dec, a->lc[j], 2, yv[1 + j], s, &fin) != ZKR_OK ||
            zkr_vc_recv(t, "cnn-cat-x", dec, &xv, 1) != ZKR_OK)
            return zkr_vc_trunc(d, "concat");
        if ((r = zkr_cnn_cat_sel(a, j, z + a->lhw, s, &sel)) != ZKR_OK)
            return r;
        if (!zkr_ext_eq(fin, zkr_ext_mul(sel, xv)))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: concat input %u's share fails", j);
        memcpy(pt, z, a->lhw * sizeof *pt);
        memcpy(pt + a->lhw, s, a->lc[j] * sizeof *pt);
        memcpy(pt + a->lhw + a->lc[j], z + a->lhw + a->lco, a->lb * sizeof *pt);
        if (zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, pt, a->lhw + a->lc[j] + a->lb, xv) != ZKR_OK)
            return zkr_vc_claims_full(d);
    }
    return ZKR_OK;
}
