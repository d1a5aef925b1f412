/*
 * graph-inference@2's zero-knowledge CONCAT prover (prover/ginfer2.h;
 * zk/ginfer2.h, "zero-knowledge CONCAT"): per input j, z_j ("g2k-z") and
 * V's byte range proof with X_j as its link's hidden term. The verifier
 * is verifier/ginfer2_cat.c.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "zkr_config.h"

static unsigned g2kp_blind(const zkr_hpcs_poly *f)
{
    return zkr_hpcs_poly_total_vars(f) - zkr_hpcs_poly_n_vars(f);
}

static zkr_err g2kp_one(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_cat *q,
                        unsigned j, zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                        zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_cat_v_vars(q), threads = o->threads ? o->threads : 1;
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_ext z[ZKR_CNN_MAX_VARS], claim;
    zkr_ext *wv = malloc(((size_t)1 << nv) * sizeof *wv);
    zkr_ext *wx = malloc(((size_t)1 << zkr_ginf2_cat_x_vars(q, j)) * sizeof *wx);
    zkr_err r = ZKR_ERR_NOMEM;

    zkr_ts_challenge_exts(t, "g2k-z", z, nv);
    if (o->off & ZKR_GINF2_OFF_LINK) {
        r = zkr_prover_zkrange(p, t, v, &tab, rng, threads, out);
        goto out;
    }
    if (!wv || !wx)
        goto out;
    if ((r = zkr_ginf2_cat_claim(q, j, z, &claim)) != ZKR_OK ||
        (r = zkr_ginf2_cat_wv(q, j, z, NULL, wv)) != ZKR_OK ||
        (r = zkr_ginf2_cat_wx(q, j, z, NULL, wx)) != ZKR_OK)
        goto out;
    {
        zkr_zkrange_lin lin = {claim, wv, NULL, NULL};
        zkr_zkrange_link link = {x, wx, NULL, NULL, NULL, 0, 0};
        r = zkr_prover_zkrange_link(p, t, v, &tab, &lin, &link, NULL, rng, threads, out);
    }
out:
    free(wv);
    free(wx);
    return r;
}

zkr_err zkr_prover_ginf2_cat(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_cat *q,
                             zkr_hpcs_poly *const *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                             zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_cat_v_vars(q), xe[ZKR_GINF2_CAT_MAX_IN], g2x;
    size_t mark = out->len;
    zkr_params pg;
    zkr_err r = ZKR_OK;

    if ((!ZKR_TEST_BUILD && o->off) ||
        (o->off & ~(ZKR_GINF2_OFF_LINK | ZKR_GINF2_OFF_GRIND)) || q->k < 2 ||
        q->k > ZKR_GINF2_CAT_MAX_IN || !zkr_hpcs_poly_base_evals(v) ||
        zkr_hpcs_poly_n_vars(v) != nv || zkr_hpcs_budget_left(v) < q->k)
        return ZKR_ERR_USAGE;
    for (unsigned j = 0; j < q->k; j++) {
        if (!x[j] || !zkr_hpcs_poly_base_evals(x[j]) ||
            zkr_hpcs_poly_n_vars(x[j]) != zkr_ginf2_cat_x_vars(q, j) ||
            zkr_hpcs_budget_left(x[j]) < 1)
            return ZKR_ERR_USAGE;
        xe[j] = g2kp_blind(x[j]);
    }
    g2x = zkr_ginf2_cat_grind_bits(p, q, g2kp_blind(v), xe, o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_cat_soundness_at(p, q, g2kp_blind(v), xe, g2x),
                                    o->off, o->share, &pg)) != ZKR_OK)
        return r;
    for (unsigned j = 0; j < q->k && r == ZKR_OK; j++)
        r = g2kp_one(&pg, t, q, j, x[j], v, o, rng, out);
    if (r != ZKR_OK)
        out->len = mark;
    return r;
}
