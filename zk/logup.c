/*
 * LogUp by GKR over fractional sums (verifier side). Each side (witness
 * column: numerators 1; table: numerators = multiplicities) is a binary
 * tree of fractions p/q combined as p_L q_R + p_R q_L over q_L q_R; the
 * root fractions must be equal. Layer k's claims reduce to layer k+1 by a
 * degree-3 sumcheck on eq(rho, x) (pL qR + pR qL + lambda qL qR); the
 * leaves end as claims on a~, m~ and t~ that the caller discharges.
 */
#include <stdlib.h>
#include <string.h>

#include "zk/zk.h"

#define ZKR_LOGUP_MAX_VARS 30u

typedef struct {
    unsigned n;
    zkr_ext root_p, root_q;
    zkr_ext *msgs;  /* sum_k 3k values */
    zkr_ext *evals; /* 4 per layer: pL, pR, qL, qR */
} zkr_logup_side;

struct zkr_logup_proof {
    zkr_logup_side side[2];
};

static void zkr_logup_side_free(zkr_logup_side *s)
{
    free(s->msgs);
    free(s->evals);
}

void zkr_logup_proof_free(zkr_logup_proof *pf)
{
    if (!pf)
        return;
    zkr_logup_side_free(&pf->side[0]);
    zkr_logup_side_free(&pf->side[1]);
    free(pf);
}

static zkr_err zkr_logup_side_parse(unsigned n, zkr_dec *d, zkr_logup_side *s)
{
    size_t n_msgs = (size_t)3 * n * (n - (n ? 1 : 0)) / 2;
    zkr_err r;

    s->n = n;
    s->msgs = calloc(n_msgs + 1, sizeof *s->msgs);
    s->evals = calloc((size_t)4 * n + 1, sizeof *s->evals);
    if (!s->msgs || !s->evals)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_dec_ext(d, &s->root_p)) != ZKR_OK || (r = zkr_dec_ext(d, &s->root_q)) != ZKR_OK)
        return r;
    for (unsigned k = 0, off = 0; k < n; k++) {
        if ((r = zkr_dec_exts(d, s->msgs + off, (size_t)3 * k)) != ZKR_OK ||
            (r = zkr_dec_exts(d, s->evals + 4 * k, 4)) != ZKR_OK)
            return r;
        off += 3 * k;
    }
    return ZKR_OK;
}

zkr_err zkr_logup_proof_parse(unsigned na, unsigned nt, zkr_dec *d, zkr_logup_proof **out)
{
    zkr_logup_proof *pf;
    zkr_err r;

    *out = NULL;
    if (na > ZKR_LOGUP_MAX_VARS || nt > ZKR_LOGUP_MAX_VARS)
        return ZKR_ERR_TOO_LARGE;
    pf = calloc(1, sizeof *pf);
    if (!pf)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_logup_side_parse(na, d, &pf->side[0])) != ZKR_OK ||
        (r = zkr_logup_side_parse(nt, d, &pf->side[1])) != ZKR_OK) {
        zkr_logup_proof_free(pf);
        return r;
    }
    *out = pf;
    return ZKR_OK;
}

/* Descends one tree; leaves rho (n values) and the leaf claims p, q. */
static zkr_err zkr_logup_descend(zkr_transcript *t, const zkr_logup_side *s, zkr_ext *rho,
                                 zkr_ext *p_out, zkr_ext *q_out)
{
    zkr_ext cp = s->root_p, cq = s->root_q, r[ZKR_LOGUP_MAX_VARS], fin;
    size_t off = 0;

    for (unsigned k = 0; k < s->n; k++) {
        const zkr_ext *e = s->evals + 4 * k; /* pL, pR, qL, qR */
        zkr_ext lambda = zkr_ts_challenge_ext(t, "logup-lambda");
        zkr_ext claim = zkr_ext_add(cp, zkr_ext_mul(lambda, cq)), eqv, want, mu, one;
        zkr_sumcheck_verify(t, k, 3, claim, s->msgs + off, r, &fin);
        off += (size_t)3 * k;
        zkr_ts_absorb_ext(t, "logup-layer-evals", e, 4);
        eqv = zkr_mle_eq_eval(rho, r, k);
        want = zkr_ext_add(zkr_ext_add(zkr_ext_mul(e[0], e[3]), zkr_ext_mul(e[1], e[2])),
                           zkr_ext_mul(lambda, zkr_ext_mul(e[2], e[3])));
        if (!zkr_ext_eq(fin, zkr_ext_mul(eqv, want)))
            return ZKR_ERR_VERIFY;
        mu = zkr_ts_challenge_ext(t, "logup-mu");
        one = zkr_ext_from(1);
        /* The child bit is the new top variable: rho = (r, mu). */
        cp = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(one, mu), e[0]), zkr_ext_mul(mu, e[1]));
        cq = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(one, mu), e[2]), zkr_ext_mul(mu, e[3]));
        memcpy(rho, r, k * sizeof *rho);
        rho[k] = mu;
    }
    *p_out = cp;
    *q_out = cq;
    return ZKR_OK;
}

zkr_err zkr_logup_verify(zkr_transcript *t, unsigned na, unsigned nt, const zkr_logup_proof *pf,
                         zkr_logup_claims *out)
{
    zkr_ext pw, qw, pt, qt, zero = zkr_ext_from(0);
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (!pf || pf->side[0].n != na || pf->side[1].n != nt)
        return ZKR_ERR_USAGE;
    out->alpha = zkr_ts_challenge_ext(t, "logup-alpha");
    zkr_ts_absorb_ext(t, "logup-roots", &pf->side[0].root_p, 1);
    zkr_ts_absorb_ext(t, "logup-roots", &pf->side[0].root_q, 1);
    zkr_ts_absorb_ext(t, "logup-roots", &pf->side[1].root_p, 1);
    zkr_ts_absorb_ext(t, "logup-roots", &pf->side[1].root_q, 1);
    /* Equal fractional sums: pw/qw == pt/qt with nonzero denominators. */
    if (zkr_ext_eq(pf->side[0].root_q, zero) || zkr_ext_eq(pf->side[1].root_q, zero) ||
        !zkr_ext_eq(zkr_ext_mul(pf->side[0].root_p, pf->side[1].root_q),
                    zkr_ext_mul(pf->side[1].root_p, pf->side[0].root_q)))
        return ZKR_ERR_VERIFY;
    if ((r = zkr_logup_descend(t, &pf->side[0], out->ra, &pw, &qw)) != ZKR_OK)
        return r;
    /* Witness numerators are all 1, so their multilinear is 1 everywhere. */
    if (!zkr_ext_eq(pw, zkr_ext_from(1)))
        return ZKR_ERR_VERIFY;
    if ((r = zkr_logup_descend(t, &pf->side[1], out->rt, &pt, &qt)) != ZKR_OK)
        return r;
    out->a_at_ra = zkr_ext_sub(out->alpha, qw);
    out->m_at_rt = pt;
    out->t_at_rt = zkr_ext_sub(out->alpha, qt);
    return ZKR_OK;
}
