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

/* sum_x w[x] f(x) over f's slice u = 0. */
static zkr_ext g2rq_dot(const zkr_hpcs_poly *f, const zkr_ext *w)
{
    const zkr_gl *ft = zkr_hpcs_poly_base_evals(f);
    zkr_ext acc = zkr_ext_from(0);

    for (size_t i = 0; i < ((size_t)1 << zkr_hpcs_poly_n_vars(f)); i++)
        acc = zkr_ext_add(acc, zkr_ext_mul_base(w[i], ft[i]));
    return acc;
}

/* Test builds: the rows without the range proof (both parts sent, two linear sumchecks). */
static zkr_err g2rq_off_range(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *acc,
                              zkr_hpcs_poly *v, const zkr_ext *wv, const zkr_ext *wa,
                              unsigned threads, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_ext parts[2] = {g2rq_dot(v, wv), g2rq_dot(acc, wa)};
    zkr_err r;

    zkr_ts_absorb_ext(t, "g2r-parts", parts, 2);
    if ((r = zkr_enc_exts(out, parts, 2)) != ZKR_OK ||
        (r = zkr_prover_ginf2_lin(p, t, v, wv, rng, threads, out)) != ZKR_OK)
        return r;
    return zkr_prover_ginf2_lin(p, t, acc, wa, rng, threads, out);
}

zkr_err zkr_prover_ginf2_requant(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_rq *q,
                                 zkr_hpcs_poly *acc, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                                 zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_rq_v_vars(q), threads = o->threads ? o->threads : 1;
    size_t mark = out->len;
    zkr_ext z[ZKR_CNN_MAX_VARS], lambda, cj[ZKR_GINF2_RQ_MAX_SLOTS], a, claim;
    zkr_ext *eqz = NULL, *wv = NULL, *wa = NULL;
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_params pg;
    unsigned g2x;
    zkr_err r = ZKR_ERR_USAGE;

    if ((!ZKR_TEST_BUILD && (o->off || o->force_range)) || (o->off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND)) ||
        !zkr_hpcs_poly_base_evals(acc) || !zkr_hpcs_poly_base_evals(v) ||
        zkr_hpcs_poly_n_vars(acc) != q->lp || zkr_hpcs_poly_n_vars(v) != nv ||
        zkr_hpcs_budget_left(acc) < 1 || zkr_hpcs_budget_left(v) < 1)
        return ZKR_ERR_USAGE;
    g2x = zkr_ginf2_rq_grind_bits(p, q, zkr_hpcs_poly_total_vars(v) - nv,
                                  zkr_hpcs_poly_total_vars(acc) - q->lp, o->share);
    if (!(o->off & ZKR_GINF2_OFF_GRIND) &&
        zkr_ginf2_rq_soundness_at(p, q, zkr_hpcs_poly_total_vars(v) - nv,
                                  zkr_hpcs_poly_total_vars(acc) - q->lp, g2x) < zkr_ginf2_share_target(p, o->share))
        return ZKR_ERR_UNSUPPORTED; /* the grinding cap cannot reach the target: never below it */
    zkr_ginf2_open_params(p, g2x, o->off, &pg);
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
    if (o->off & ZKR_GINF2_OFF_RANGE) {
        r = g2rq_off_range(p, t, acc, v, wv, wa, threads, rng, out);
    } else {
        zkr_zkrange_lin lin = {claim, wv, NULL, NULL};
        zkr_zkrange_link link = {acc, wa, NULL, NULL, NULL};
        zkr_zkrange_cheat ch;
        memset(&ch, 0, sizeof ch);
        ch.force = ZKR_TEST_BUILD && o->force_range;
        r = zkr_prover_zkrange_link(p, t, v, &tab, &lin, &link, &ch, rng, threads, out);
    }
out:
    if (r != ZKR_OK)
        out->len = mark;
    free(eqz);
    free(wv);
    free(wa);
    return r;
}
