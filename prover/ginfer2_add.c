/*
 * graph-inference@2's zero-knowledge residual ADD prover (prover/ginfer2.h;
 * zk/ginfer2_add.h gives the rows). The verifier is verifier/ginfer2_add.c.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "zkr_config.h"

/* Range proof k: challenges, weights, then the range proof (or, off, both parts sent). */
static zkr_err g2pa_one(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_add *a,
                        unsigned k, zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                        zkr_zkrng *rng, zkr_buf *out)
{
    int link = !(o->off & ZKR_GINF2_OFF_LINK);
    zkr_ext z[ZKR_CNN_MAX_VARS], lambda = zkr_ext_from(0), claim;
    zkr_ext *wv = malloc(((size_t)1 << zkr_ginf2_add_v_vars(a)) * sizeof *wv);
    zkr_ext *wx = malloc(((size_t)1 << zkr_ginf2_add_x_vars(a, k)) * sizeof *wx);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wv || !wx)
        goto out;
    zkr_ts_challenge_exts(t, k == 0 ? "g2a-z" : "g2a-z2", z, a->q.lp);
    if (k == 0)
        lambda = zkr_ts_challenge_ext(t, "g2a-lambda");
    if ((r = zkr_ginf2_add_weights(a, k, z, lambda, link, wv, wx)) != ZKR_OK)
        goto out;
    claim = zkr_ginf2_add_claim(a, k, z, lambda, link);
    r = zkr_prover_ginf2_pair(p, t, "g2a-parts", v, wv, claim, x, wx, o, rng, out);
out:
    free(wv);
    free(wx);
    return r;
}

zkr_err zkr_prover_ginf2_add(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_add *a,
                             zkr_hpcs_poly *x1, zkr_hpcs_poly *x2, zkr_hpcs_poly *v,
                             const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_add_v_vars(a), ve, x1e, x2e, g2x;
    size_t mark = out->len;
    zkr_params pg;
    zkr_err r;

    if ((!ZKR_TEST_BUILD && (o->off || o->force_range)) ||
        (o->off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND | ZKR_GINF2_OFF_LINK)) ||
        !zkr_hpcs_poly_base_evals(x1) || !zkr_hpcs_poly_base_evals(x2) ||
        !zkr_hpcs_poly_base_evals(v) || zkr_hpcs_poly_n_vars(x1) != zkr_ginf2_add_x_vars(a, 0) ||
        zkr_hpcs_poly_n_vars(x2) != zkr_ginf2_add_x_vars(a, 1) || zkr_hpcs_poly_n_vars(v) != nv ||
        zkr_hpcs_budget_left(x1) < (x1 == x2 ? 2u : 1u) || zkr_hpcs_budget_left(x2) < 1 ||
        zkr_hpcs_budget_left(v) < ZKR_GINF2_ADD_V_OPENINGS)
        return ZKR_ERR_USAGE;
    ve = zkr_hpcs_poly_total_vars(v) - nv;
    x1e = zkr_hpcs_poly_total_vars(x1) - zkr_ginf2_add_x_vars(a, 0);
    x2e = zkr_hpcs_poly_total_vars(x2) - zkr_ginf2_add_x_vars(a, 1);
    g2x = zkr_ginf2_add_grind_bits(p, a, ve, x1e, x2e, o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x, zkr_ginf2_add_soundness_at(p, a, ve, x1e, x2e, g2x),
                                    o->off, o->share, &pg)) != ZKR_OK)
        return r;
    if ((r = g2pa_one(&pg, t, a, 0, x1, v, o, rng, out)) == ZKR_OK)
        r = g2pa_one(&pg, t, a, 1, x2, v, o, rng, out);
    if (r != ZKR_OK)
        out->len = mark;
    return r;
}
