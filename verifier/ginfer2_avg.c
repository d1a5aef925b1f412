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

/* A weight table by its MLE callback at the hypercube's points (test builds' off path). */
static zkr_err g2av_table(const g2av_ctx *s, unsigned n,
                          zkr_err (*f)(const void *, const zkr_ext *, zkr_ext *), zkr_ext *w)
{
    zkr_ext pt[64];
    zkr_err r;

    for (size_t i = 0; i < ((size_t)1 << n); i++) {
        for (unsigned b = 0; b < n; b++)
            pt[b] = zkr_ext_from((i >> b) & 1);
        if ((r = f(s, pt, &w[i])) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

static zkr_err g2av_off_range(const zkr_params *p, zkr_transcript *t, const g2av_ctx *s,
                              const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                              zkr_ext claim, zkr_dec *d)
{
    zkr_ext parts[2], *wv = malloc(((size_t)1 << v->n_vars) * sizeof *wv);
    zkr_ext *wx = malloc(((size_t)1 << x->n_vars) * sizeof *wx);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wv || !wx)
        goto out;
    if ((r = g2av_table(s, v->n_vars, g2av_w_eval, wv)) != ZKR_OK ||
        (r = g2av_table(s, x->n_vars, g2av_x_eval, wx)) != ZKR_OK ||
        (r = zkr_dec_exts(d, parts, 2)) != ZKR_OK)
        goto out;
    zkr_ts_absorb_ext(t, "g2a-parts", parts, 2);
    r = ZKR_ERR_VERIFY;
    if (!zkr_ext_eq(zkr_ext_add(parts[0], parts[1]), claim))
        goto out;
    if ((r = zkr_verify_ginf2_lin(p, t, v, wv, parts[0], d)) == ZKR_OK)
        r = zkr_verify_ginf2_lin(p, t, x, wx, parts[1], d);
out:
    free(wv);
    free(wx);
    return r;
}

zkr_err zkr_verify_ginf2_avg(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_avg *q,
                             const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d)
{
    g2av_ctx s;
    zkr_params pg;
    unsigned g2x;
    zkr_ext claim;
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_err r;

    if ((!ZKR_TEST_BUILD && off) || (off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND)) ||
        x->ext || v->ext || x->n_vars != zkr_ginf2_avg_x_vars(q) ||
        v->n_vars != zkr_ginf2_avg_v_vars(q) || x->blind_vars < 1 || v->blind_vars < 1)
        return ZKR_ERR_USAGE;
    g2x = zkr_ginf2_avg_grind_bits(p, q, v->blind_vars, x->blind_vars, share);
    if (!(off & ZKR_GINF2_OFF_GRIND) &&
        zkr_ginf2_avg_soundness_at(p, q, v->blind_vars, x->blind_vars, g2x) <
            zkr_ginf2_share_target(p, share))
        return ZKR_ERR_UNSUPPORTED; /* the grinding cap cannot reach the target: never below it */
    zkr_ginf2_open_params(p, g2x, off, &pg);
    p = &pg;
    memset(&s, 0, sizeof s);
    s.q = q;
    zkr_ginf2_avg_draw(t, q, &s.ch);
    if ((r = zkr_ginf2_avg_claim(q, &s.ch, &claim)) != ZKR_OK)
        return r;
    if (off & ZKR_GINF2_OFF_RANGE)
        return g2av_off_range(p, t, &s, x, v, claim, d);
    {
        zkr_zkrange_lin lin = {claim, NULL, g2av_w_eval, &s};
        zkr_zkrange_link link = {NULL, NULL, x, g2av_x_eval, &s};
        return zkr_zkrange_verify_link(p, t, v, &tab, &lin, &link, d);
    }
}
