/*
 * graph-inference@2's zero-knowledge max pooling prover (prover/ginfer2.h;
 * zk/ginfer2.h gives the rows). The verifier is verifier/ginfer2_pool.c.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "zkr_config.h"

/* The rows' weights on V (2^nv) and on X (2^nx: the view's selector at z). */
static zkr_err g2pp_weights(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c, zkr_ext *wv,
                            zkr_ext *wx)
{
    const zkr_cnn_win *g = &q->g;
    size_t nq = (size_t)1 << (q->le + q->lp), np = (size_t)1 << q->lp;
    size_t nx = (size_t)1 << zkr_cnn_in_vars(g), nxs = (size_t)1 << zkr_ginf2_pool_x_vars(q);
    zkr_ext l = c->lambda, l2 = zkr_ext_mul(l, l), l3 = zkr_ext_mul(l2, l), l4 = zkr_ext_mul(l3, l);
    zkr_ext *eqz = malloc(nq * sizeof *eqz), *eqo = malloc(np * sizeof *eqo);
    zkr_ext *eqp = malloc(np * sizeof *eqp), *ec = malloc(((size_t)1 << g->lc) * sizeof *ec);
    zkr_ext *ah = malloc((((size_t)1 << g->lh) + ((size_t)1 << g->lw)) * sizeof *ah);
    zkr_cnn_view_pt v = zkr_ginf2_pool_view(q, c);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!eqz || !eqo || !eqp || !ec || !ah)
        goto out;
    zkr_mle_eq_table(c->z, q->le + q->lp, eqz);
    zkr_mle_eq_table(c->zo, q->lp, eqo);
    zkr_mle_eq_table(c->z, q->lp, eqp);
    memset(wv, 0, (nq << q->lsl) * sizeof *wv);
    for (size_t i = 0; i < nxs; i++)
        wx[i] = zkr_ext_from(0); /* slots above 0 of a chained input: weight 0 */
    for (size_t i = 0; i < nq; i++) {
        zkr_ext ez = eqz[i], yb = zkr_ext_mul(l4, ez);
        size_t p = i & (np - 1);
        wv[(size_t)ZKR_G2P_D * nq + i] = zkr_ext_add(ez, zkr_ext_mul(ez, l2));
        wv[(size_t)ZKR_G2P_E * nq + i] = zkr_ext_add(zkr_ext_mul(ez, l), zkr_ext_mul(l3, eqo[p]));
        wv[(size_t)ZKR_G2P_EC * nq + i] =
            zkr_ext_mul(ez, zkr_ext_sub(l, zkr_ext_mul_base(l2, 255)));
        wv[(size_t)ZKR_G2P_S * nq + i] = zkr_ext_mul(ez, l2);
        if (zkr_ginf2_pool_valid(q, i))
            yb = zkr_ext_sub(yb, ez);
        if (i < np)
            yb = zkr_ext_sub(yb, zkr_ext_mul(l4, eqp[p]));
        wv[(size_t)ZKR_G2P_YB * nq + i] = yb;
    }
    zkr_mle_eq_table(v.pc, g->lc, ec);
    if ((r = zkr_cnn_view_axes(g, &v, ah, ah + ((size_t)1 << g->lh))) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < nx; i++) {
        size_t xx = i & (((size_t)1 << g->lw) - 1), yy = (i >> g->lw) & (((size_t)1 << g->lh) - 1);
        wx[i] = zkr_ext_mul(ec[i >> (g->lw + g->lh)],
                            zkr_ext_mul(ah[yy], ah[((size_t)1 << g->lh) + xx]));
    }
out:
    free(eqz), free(eqo), free(eqp), free(ec), free(ah);
    return r;
}

zkr_err zkr_prover_ginf2_pool(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_pool *q,
                              zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                              zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_pool_v_vars(q), nx = zkr_ginf2_pool_x_vars(q);
    size_t mark = out->len;
    zkr_ginf2_pool_chal ch;
    zkr_ext claim, *wv = NULL, *wx = NULL;
    zkr_params pg;
    unsigned g2x;
    zkr_err r;

    if ((r = zkr_prover_ginf2_check2(o, x, nx, v, nv)) != ZKR_OK)
        return r;
    g2x = zkr_ginf2_pool_grind_bits(p, q, zkr_hpcs_poly_total_vars(v) - nv,
                                    zkr_hpcs_poly_total_vars(x) - nx, o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_pool_soundness_at(p, q,
                                                                zkr_hpcs_poly_total_vars(v) - nv,
                                                                zkr_hpcs_poly_total_vars(x) - nx,
                                                                g2x),
                                    o->off, o->share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    r = ZKR_ERR_NOMEM;
    wv = malloc(((size_t)1 << nv) * sizeof *wv);
    wx = malloc(((size_t)1 << nx) * sizeof *wx);
    if (!wv || !wx)
        goto out;
    zkr_ginf2_pool_draw(t, q, &ch);
    if ((r = zkr_ginf2_pool_claim(q, &ch, &claim)) != ZKR_OK ||
        (r = g2pp_weights(q, &ch, wv, wx)) != ZKR_OK)
        goto out;
    r = zkr_prover_ginf2_pair(p, t, "g2p-parts", v, wv, claim, x, wx, o, rng, out);
out:
    if (r != ZKR_OK)
        out->len = mark;
    free(wv);
    free(wx);
    return r;
}
