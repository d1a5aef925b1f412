/*
 * graph-inference@2's zero-knowledge average pooling prover
 * (prover/ginfer2_avg.h; zk/ginfer2_avg.h gives the rows). The verifier is
 * verifier/ginfer2_avg.c.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2_avg.h"
#include "zkr_config.h"

/* The rows' weights on V (2^nv) and on X (2^nxs: the plain-kernel view's selector at z). */
static zkr_err g2ap_weights(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c, zkr_ext *wv,
                            zkr_ext *wx)
{
    const zkr_cnn_win *g = &q->g;
    size_t np = (size_t)1 << q->lp, nx = (size_t)1 << zkr_cnn_in_vars(g);
    size_t nxs = (size_t)1 << zkr_ginf2_avg_x_vars(q), nh = (size_t)1 << g->lh;
    zkr_ext *eqz = malloc(np * sizeof *eqz), *ec = malloc(((size_t)1 << g->lc) * sizeof *ec);
    zkr_ext *ah = malloc((nh + ((size_t)1 << g->lw)) * sizeof *ah), cs[ZKR_G2A_SLOTS];
    zkr_cnn_view_pt v = zkr_ginf2_avg_view(q, c);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!eqz || !ec || !ah)
        goto out;
    zkr_mle_eq_table(c->z, q->lp, eqz);
    zkr_ginf2_avg_slot_w(q, c->lambda, cs);
    memset(wv, 0, (np << q->lsl) * sizeof *wv);
    for (size_t p = 0; p < np; p++)
        if (zkr_ginf2_avg_real(q, p))
            for (unsigned s = 0; s < ZKR_G2A_SLOTS; s++)
                wv[((size_t)s << q->lp) | p] = zkr_ext_mul(eqz[p], cs[s]);
    for (size_t i = 0; i < nxs; i++)
        wx[i] = zkr_ext_from(0); /* other blocks of a chained input: weight 0 */
    zkr_mle_eq_table(v.pc, g->lc, ec);
    if ((r = zkr_cnn_view_axes(g, &v, ah, ah + nh)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < nx; i++) {
        size_t xx = i & (((size_t)1 << g->lw) - 1), yy = (i >> g->lw) & (nh - 1);
        size_t ch = i >> (g->lw + g->lh);
        if (ch < g->c) /* real channels only, as zkr_ginf2_conv_sel_eval */
            wx[((size_t)q->block << zkr_cnn_in_vars(g)) | i] =
                zkr_ext_mul(ec[ch], zkr_ext_mul(ah[yy], ah[nh + xx]));
    }
out:
    free(eqz), free(ec), free(ah);
    return r;
}

static zkr_ext g2ap_dot(const zkr_hpcs_poly *f, const zkr_ext *w)
{
    const zkr_gl *ft = zkr_hpcs_poly_base_evals(f);
    zkr_ext acc = zkr_ext_from(0);

    for (size_t i = 0; i < ((size_t)1 << zkr_hpcs_poly_n_vars(f)); i++)
        acc = zkr_ext_add(acc, zkr_ext_mul_base(w[i], ft[i]));
    return acc;
}

zkr_err zkr_prover_ginf2_avg(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_avg *q,
                             zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                             zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_avg_v_vars(q), nx = zkr_ginf2_avg_x_vars(q);
    unsigned threads = o->threads ? o->threads : 1, ve, xe, g2x;
    size_t mark = out->len;
    zkr_ginf2_avg_chal ch;
    zkr_ext claim, *wv = NULL, *wx = NULL;
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_params pg;
    zkr_err r;

    if ((!ZKR_TEST_BUILD && (o->off || o->force_range)) ||
        (o->off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND)) || !zkr_hpcs_poly_base_evals(x) ||
        !zkr_hpcs_poly_base_evals(v) || zkr_hpcs_poly_n_vars(x) != nx ||
        zkr_hpcs_poly_n_vars(v) != nv || zkr_hpcs_budget_left(x) < 1 ||
        zkr_hpcs_budget_left(v) < 1)
        return ZKR_ERR_USAGE;
    ve = zkr_hpcs_poly_total_vars(v) - nv, xe = zkr_hpcs_poly_total_vars(x) - nx;
    g2x = zkr_ginf2_avg_grind_bits(p, q, ve, xe, o->share);
    if (!(o->off & ZKR_GINF2_OFF_GRIND) &&
        zkr_ginf2_avg_soundness_at(p, q, ve, xe, g2x) < zkr_ginf2_share_target(p, o->share))
        return ZKR_ERR_UNSUPPORTED; /* the grinding cap cannot reach the target: never below it */
    zkr_ginf2_open_params(p, g2x, o->off, &pg);
    p = &pg;
    r = ZKR_ERR_NOMEM;
    wv = malloc(((size_t)1 << nv) * sizeof *wv);
    wx = malloc(((size_t)1 << nx) * sizeof *wx);
    if (!wv || !wx)
        goto out;
    zkr_ginf2_avg_draw(t, q, &ch);
    if ((r = zkr_ginf2_avg_claim(q, &ch, &claim)) != ZKR_OK ||
        (r = g2ap_weights(q, &ch, wv, wx)) != ZKR_OK)
        goto out;
    if (o->off & ZKR_GINF2_OFF_RANGE) {
        zkr_ext parts[2] = {g2ap_dot(v, wv), g2ap_dot(x, wx)};
        zkr_ts_absorb_ext(t, "g2a-parts", parts, 2);
        if ((r = zkr_enc_exts(out, parts, 2)) == ZKR_OK &&
            (r = zkr_prover_ginf2_lin(p, t, v, wv, rng, threads, out)) == ZKR_OK)
            r = zkr_prover_ginf2_lin(p, t, x, wx, rng, threads, out);
    } else {
        zkr_zkrange_lin lin = {claim, wv, NULL, NULL};
        zkr_zkrange_link link = {x, wx, NULL, NULL, NULL};
        zkr_zkrange_cheat cht;
        memset(&cht, 0, sizeof cht);
        cht.force = ZKR_TEST_BUILD && o->force_range;
        r = zkr_prover_zkrange_link(p, t, v, &tab, &lin, &link, &cht, rng, threads, out);
    }
out:
    if (r != ZKR_OK)
        out->len = mark;
    free(wv);
    free(wx);
    return r;
}
