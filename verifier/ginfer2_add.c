/*
 * graph-inference@2's zero-knowledge residual ADD verifier
 * (verifier/ginfer2.h), in the order of prover/ginfer2_add.c.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    const zkr_ginf2_add *a;
    unsigned k;
    int link;
    zkr_ext z[ZKR_CNN_MAX_VARS], lambda;
} g2va_ctx;

static zkr_err g2va_w_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2va_ctx *s = ctx;

    *out = zkr_ginf2_add_w_eval(s->a, s->k, s->z, s->lambda, s->link, r);
    return ZKR_OK;
}

static zkr_err g2va_x_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2va_ctx *s = ctx;

    *out = zkr_ginf2_add_x_eval(s->a, s->k, s->z, s->lambda, s->link, r);
    return ZKR_OK;
}

/* Test builds' off path: both parts in the clear, two masked linear sumchecks. */
static zkr_err g2va_off_range(const zkr_params *p, zkr_transcript *t, const g2va_ctx *s,
                              const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                              zkr_ext claim, zkr_dec *d)
{
    zkr_ext *wv = malloc(((size_t)1 << v->n_vars) * sizeof *wv);
    zkr_ext *wx = malloc(((size_t)1 << x->n_vars) * sizeof *wx);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wv || !wx)
        goto out;
    if ((r = zkr_ginf2_add_weights(s->a, s->k, s->z, s->lambda, s->link, wv, wx)) == ZKR_OK)
        r = zkr_verify_ginf2_parts(p, t, "g2a-parts", v, wv, x, wx, claim, d);
out:
    free(wv);
    free(wx);
    return r;
}

static zkr_err g2va_one(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_add *a,
                        unsigned k, const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                        unsigned off, zkr_dec *d)
{
    g2va_ctx s;
    zkr_ext claim;

    memset(&s, 0, sizeof s);
    s.a = a, s.k = k, s.link = !(off & ZKR_GINF2_OFF_LINK), s.lambda = zkr_ext_from(0);
    zkr_ts_challenge_exts(t, k == 0 ? "g2a-z" : "g2a-z2", s.z, a->q.lp);
    if (k == 0)
        s.lambda = zkr_ts_challenge_ext(t, "g2a-lambda");
    claim = zkr_ginf2_add_claim(a, k, s.z, s.lambda, s.link);
    if (off & ZKR_GINF2_OFF_RANGE)
        return g2va_off_range(p, t, &s, x, v, claim, d);
    return zkr_verify_ginf2_link(p, t, v, claim, g2va_w_eval, x, g2va_x_eval, &s, d);
}

zkr_err zkr_verify_ginf2_add(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_add *a,
                             const zkr_hpcs_commitment *x1, const zkr_hpcs_commitment *x2,
                             const zkr_hpcs_commitment *v, unsigned off, unsigned share,
                             zkr_dec *d)
{
    zkr_params pg;
    unsigned g2x;
    zkr_err r;

    if ((!ZKR_TEST_BUILD && off) ||
        (off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND | ZKR_GINF2_OFF_LINK)) || x1->ext ||
        x2->ext || v->ext || x1->n_vars != zkr_ginf2_add_x_vars(a, 0) ||
        x2->n_vars != zkr_ginf2_add_x_vars(a, 1) || v->n_vars != zkr_ginf2_add_v_vars(a) ||
        x1->blind_vars < 1 || x2->blind_vars < 1 || v->blind_vars < 1)
        return ZKR_ERR_USAGE;
    g2x = zkr_ginf2_add_grind_bits(p, a, v->blind_vars, x1->blind_vars, x2->blind_vars, share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_add_soundness_at(p, a, v->blind_vars, x1->blind_vars,
                                                               x2->blind_vars, g2x),
                                    off, share, &pg)) != ZKR_OK)
        return r;
    if ((r = g2va_one(&pg, t, a, 0, x1, v, off, d)) != ZKR_OK)
        return r;
    return g2va_one(&pg, t, a, 1, x2, v, off, d);
}
