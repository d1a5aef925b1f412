/*
 * graph-inference@2's zero-knowledge max pooling verifier
 * (verifier/ginfer2.h), in the order of prover/ginfer2_pool.c.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    const zkr_ginf2_pool *q;
    zkr_ginf2_pool_chal ch;
} g2pv_ctx;

static zkr_err g2pv_w_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2pv_ctx *s = ctx;

    return zkr_ginf2_pool_w_eval(s->q, &s->ch, r, out);
}

static zkr_err g2pv_x_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2pv_ctx *s = ctx;
    zkr_cnn_view_pt v = zkr_ginf2_pool_view(s->q, &s->ch);
    zkr_ext zero[8] = {{{0}}}, sv;
    unsigned nx = zkr_cnn_in_vars(&s->q->g);
    zkr_err e = zkr_cnn_view_selector_eval(&s->q->g, &v, r, &sv);

    /* a chained input: its slot 0 block, eq(0, r's slot coordinates) */
    *out = zkr_ext_mul(sv, zkr_mle_eq_eval(zero, r + nx, s->q->isl));
    return e;
}

zkr_err zkr_verify_ginf2_pool(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_pool *q,
                              const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                              unsigned off, unsigned share, zkr_dec *d)
{
    g2pv_ctx s;
    zkr_params pg;
    unsigned g2x;
    zkr_ext claim;
    zkr_err r;

    if ((r = zkr_verify_ginf2_check2(off, x, zkr_ginf2_pool_x_vars(q), v,
                                     zkr_ginf2_pool_v_vars(q))) != ZKR_OK)
        return r;
    g2x = zkr_ginf2_pool_grind_bits(p, q, v->blind_vars, x->blind_vars, share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_pool_soundness_at(p, q, v->blind_vars, x->blind_vars,
                                                                g2x),
                                    off, share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&s, 0, sizeof s);
    s.q = q;
    zkr_ginf2_pool_draw(t, q, &s.ch);
    if ((r = zkr_ginf2_pool_claim(q, &s.ch, &claim)) != ZKR_OK)
        return r;
    if (off & ZKR_GINF2_OFF_RANGE)
        return zkr_verify_ginf2_off(p, t, "g2p-parts", v, claim, g2pv_w_eval, x, g2pv_x_eval, &s,
                                    d);
    return zkr_verify_ginf2_link(p, t, v, claim, g2pv_w_eval, x, g2pv_x_eval, &s, d);
}
