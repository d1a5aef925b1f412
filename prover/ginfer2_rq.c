/*
 * graph-inference@2's zero-knowledge requantization prover
 * (prover/ginfer2.h; zk/ginfer2.h gives the rows, docs/proof-system.md
 * "graph-inference@2" the transcript order). The verifier is
 * verifier/ginfer2_rq.c.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "zkr_config.h"

/* The rows' weights: on V (2^nv: eq(z, p) C_j at (j << lp) | p) and on acc (eq(z, p) A). */
static void g2rq_weights(const zkr_ginf2_rq *q, const zkr_ext *eqz, const zkr_ext *cj, zkr_ext a,
                         zkr_ext *wv, zkr_ext *wa)
{
    size_t np = (size_t)1 << q->lp;

    for (size_t j = 0; j < ((size_t)1 << q->lsl); j++)
        for (size_t p = 0; p < np; p++)
            wv[(j << q->lp) | p] = zkr_ext_mul(eqz[p], cj[j]);
    for (size_t p = 0; p < np; p++) /* times M of p's channel */
        wa[p] = zkr_ext_mul_base(zkr_ext_mul(eqz[p], a),
                                 zkr_gl_from_i64(zkr_ginf2_rq_mc(q, (uint32_t)(p >> (q->lh + q->lw)))));
}

zkr_err zkr_prover_ginf2_requant(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_rq *q,
                                 zkr_hpcs_poly *acc, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                                 zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_rq_v_vars(q);
    size_t mark = out->len;
    zkr_ext z[ZKR_CNN_MAX_VARS], lambda, cj[ZKR_GINF2_RQ_MAX_SLOTS], a, claim;
    zkr_ext *eqz = NULL, *wv = NULL, *wa = NULL;
    zkr_params pg;
    unsigned g2x;
    zkr_err r = ZKR_ERR_USAGE;

    if ((r = zkr_prover_ginf2_check2(o, acc, q->lp, v, nv)) != ZKR_OK)
        return r;
    g2x = zkr_ginf2_rq_grind_bits(p, q, zkr_hpcs_poly_total_vars(v) - nv,
                                  zkr_hpcs_poly_total_vars(acc) - q->lp, o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_rq_soundness_at(p, q,
                                                              zkr_hpcs_poly_total_vars(v) - nv,
                                                              zkr_hpcs_poly_total_vars(acc) - q->lp,
                                                              g2x),
                                    o->off, o->share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    r = ZKR_ERR_NOMEM;
    eqz = malloc(((size_t)1 << q->lp) * sizeof *eqz);
    wv = malloc(((size_t)1 << nv) * sizeof *wv);
    wa = malloc(((size_t)1 << q->lp) * sizeof *wa);
    if (!eqz || !wv || !wa)
        goto out;
    zkr_ts_challenge_exts(t, "g2r-z", z, q->lp);
    lambda = zkr_ts_challenge_ext(t, "g2r-lambda");
    zkr_mle_eq_table(z, q->lp, eqz);
    zkr_ginf2_rq_fold(q, lambda, cj, &a);
    g2rq_weights(q, eqz, cj, a, wv, wa);
    claim = zkr_ginf2_rq_claim(q, z, lambda);
    r = zkr_prover_ginf2_pair(p, t, "g2r-parts", v, wv, claim, acc, wa, o, rng, out);
out:
    if (r != ZKR_OK)
        out->len = mark;
    free(eqz);
    free(wv);
    free(wa);
    return r;
}
