/*
 * graph-inference@2's zero-knowledge requantization verifier
 * (verifier/ginfer2.h), in the order of prover/ginfer2_rq.c.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    const zkr_ginf2_rq *q;
    zkr_ext z[ZKR_CNN_MAX_VARS], cj[ZKR_GINF2_RQ_MAX_SLOTS], a;
} g2rv_ctx;

static zkr_err g2rv_w_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2rv_ctx *s = ctx;

    *out = zkr_ginf2_rq_w_eval(s->q, s->z, s->cj, r);
    return ZKR_OK;
}

static zkr_err g2rv_a_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2rv_ctx *s = ctx;

    *out = zkr_ginf2_rq_a_eval(s->q, s->z, s->a, r);
    return ZKR_OK;
}

/* Test builds: the rows by two linear sumchecks, V's and acc's parts sent. */
static zkr_err g2rv_off_range(const zkr_params *p, zkr_transcript *t, const g2rv_ctx *s,
                              const zkr_hpcs_commitment *acc, const zkr_hpcs_commitment *v,
                              zkr_ext claim, zkr_dec *d)
{
    const zkr_ginf2_rq *q = s->q;
    unsigned nv = zkr_ginf2_rq_v_vars(q);
    zkr_ext *wv = malloc(((size_t)1 << nv) * sizeof *wv);
    zkr_ext *wa = malloc(((size_t)1 << q->lp) * sizeof *wa), *eqz = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wv || !wa || !(eqz = malloc(((size_t)1 << q->lp) * sizeof *eqz)))
        goto out;
    zkr_mle_eq_table(s->z, q->lp, eqz);
    for (size_t j = 0; j < ((size_t)1 << q->lsl); j++)
        for (size_t i = 0; i < ((size_t)1 << q->lp); i++)
            wv[(j << q->lp) | i] = zkr_ext_mul(eqz[i], s->cj[j]);
    for (size_t i = 0; i < ((size_t)1 << q->lp); i++)
        wa[i] = zkr_ext_mul_base(zkr_ext_mul(eqz[i], s->a),
                                 zkr_gl_from_i64(zkr_ginf2_rq_mc(q, (uint32_t)(i >> (q->lh + q->lw)))));
    r = zkr_verify_ginf2_parts(p, t, "g2r-parts", v, wv, acc, wa, claim, d);
out:
    free(wv);
    free(wa);
    free(eqz);
    return r;
}

zkr_err zkr_verify_ginf2_requant(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_rq *q,
                                 const zkr_hpcs_commitment *acc, const zkr_hpcs_commitment *v,
                                 unsigned off, unsigned share, zkr_dec *d)
{
    g2rv_ctx s;
    zkr_params pg;
    unsigned g2x;
    zkr_ext lambda, claim;
    zkr_err r;

    if ((r = zkr_verify_ginf2_check2(off, acc, q->lp, v, zkr_ginf2_rq_v_vars(q))) != ZKR_OK)
        return r;
    g2x = zkr_ginf2_rq_grind_bits(p, q, v->blind_vars, acc->blind_vars, share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_rq_soundness_at(p, q, v->blind_vars, acc->blind_vars,
                                                              g2x),
                                    off, share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&s, 0, sizeof s);
    s.q = q;
    zkr_ts_challenge_exts(t, "g2r-z", s.z, q->lp);
    lambda = zkr_ts_challenge_ext(t, "g2r-lambda");
    zkr_ginf2_rq_fold(q, lambda, s.cj, &s.a);
    claim = zkr_ginf2_rq_claim(q, s.z, lambda);
    if (off & ZKR_GINF2_OFF_RANGE)
        return g2rv_off_range(p, t, &s, acc, v, claim, d);
    return zkr_verify_ginf2_link(p, t, v, claim, g2rv_w_eval, acc, g2rv_a_eval, &s, d);
}
