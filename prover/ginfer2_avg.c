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

zkr_err zkr_prover_ginf2_avg(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_avg *q,
                             zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                             zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_avg_v_vars(q), nx = zkr_ginf2_avg_x_vars(q);
    unsigned ve, xe, g2x;
    size_t mark = out->len;
    zkr_ginf2_avg_chal ch;
    zkr_ext claim, *wv = NULL, *wx = NULL;
    zkr_params pg;
    zkr_err r;

    if ((r = zkr_prover_ginf2_check2(o, x, nx, v, nv)) != ZKR_OK)
        return r;
    ve = zkr_hpcs_poly_total_vars(v) - nv, xe = zkr_hpcs_poly_total_vars(x) - nx;
    g2x = zkr_ginf2_avg_grind_bits(p, q, ve, xe, o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x, zkr_ginf2_avg_soundness_at(p, q, ve, xe, g2x), o->off,
                                    o->share, &pg)) != ZKR_OK)
        return r;
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
    r = zkr_prover_ginf2_pair(p, t, "g2a-parts", v, wv, claim, x, wx, o, rng, out);
out:
    if (r != ZKR_OK)
        out->len = mark;
    free(wv);
    free(wx);
    return r;
}
