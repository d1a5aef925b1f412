/*
 * graph-inference@2's zero-knowledge average pooling verifier
 * (verifier/ginfer2_avg.h), in the order of prover/ginfer2_avg.c.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2_avg.h"
#include "zkr_config.h"

typedef struct {
    const zkr_ginf2_avg *q;
    zkr_ginf2_avg_chal ch;
} g2av_ctx;

static zkr_err g2av_w_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2av_ctx *s = ctx;

    return zkr_ginf2_avg_w_eval(s->q, &s->ch, r, out);
}

static zkr_err g2av_x_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2av_ctx *s = ctx;

    return zkr_ginf2_avg_x_eval(s->q, &s->ch, r, out);
}

zkr_err zkr_verify_ginf2_avg(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_avg *q,
                             const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d)
{
    g2av_ctx s;
    zkr_params pg;
    unsigned g2x;
    zkr_ext claim;
    zkr_err r;

    if ((r = zkr_verify_ginf2_check2(off, x, zkr_ginf2_avg_x_vars(q), v,
                                     zkr_ginf2_avg_v_vars(q))) != ZKR_OK)
        return r;
    g2x = zkr_ginf2_avg_grind_bits(p, q, v->blind_vars, x->blind_vars, share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_avg_soundness_at(p, q, v->blind_vars, x->blind_vars,
                                                               g2x),
                                    off, share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&s, 0, sizeof s);
    s.q = q;
    zkr_ginf2_avg_draw(t, q, &s.ch);
    if ((r = zkr_ginf2_avg_claim(q, &s.ch, &claim)) != ZKR_OK)
        return r;
    if (off & ZKR_GINF2_OFF_RANGE)
        return zkr_verify_ginf2_off(p, t, "g2a-parts", v, claim, g2av_w_eval, x, g2av_x_eval, &s,
                                    d);
    return zkr_verify_ginf2_link(p, t, v, claim, g2av_w_eval, x, g2av_x_eval, &s, d);
}
