/*
 * graph-inference@2's zero-knowledge LOOKUP verifier
 * (verifier/ginfer2_lut.h), in the order of prover/ginfer2_lut.c.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2_lut.h"
#include "zkr_config.h"

typedef struct {
    const zkr_ginf2_lut *q;
    zkr_ext z[ZKR_CNN_MAX_VARS];
} g2lv_ctx;

static zkr_err g2lv_wa_v(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2lv_ctx *s = ctx;

    *out = zkr_ginf2_lut_wa_v(s->q, s->z, r);
    return ZKR_OK;
}

static zkr_err g2lv_wa_x(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2lv_ctx *s = ctx;

    *out = zkr_ginf2_lut_wa_x(s->q, s->z, r);
    return ZKR_OK;
}

static zkr_err g2lv_wb_z(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2lv_ctx *s = ctx;

    *out = zkr_ginf2_lut_wb_z(s->q, s->z, r);
    return ZKR_OK;
}

static zkr_err g2lv_wb_v(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2lv_ctx *s = ctx;

    *out = zkr_ginf2_lut_wb_v(s->q, s->z, r);
    return ZKR_OK;
}

/* A row by two masked linear sumchecks, the parts in the clear (OFF_RANGE, test builds). */
static zkr_err g2lv_off(const zkr_params *p, zkr_transcript *t, const g2lv_ctx *s,
                        unsigned ka, const zkr_hpcs_commitment *a, unsigned kb,
                        const zkr_hpcs_commitment *b, zkr_ext claim, zkr_dec *d)
{
    zkr_ext *wa = malloc(((size_t)1 << a->n_vars) * sizeof *wa);
    zkr_ext *wb = malloc(((size_t)1 << b->n_vars) * sizeof *wb);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wa || !wb)
        goto out;
    zkr_ginf2_lut_wtab(s->q, ka, s->z, wa);
    zkr_ginf2_lut_wtab(s->q, kb, s->z, wb);
    r = zkr_verify_ginf2_parts(p, t, "g2l-parts", a, wa, b, wb, claim, d);
out:
    free(wa);
    free(wb);
    return r;
}

zkr_err zkr_verify_ginf2_lut(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_lut *q,
                             const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d)
{
    zkr_hpcs_commitment zc;
    const uint8_t *root;
    g2lv_ctx s;
    zkr_params pg;
    unsigned g2x;
    zkr_err r;

    if ((r = zkr_verify_ginf2_check2(off, x, zkr_ginf2_lut_x_vars(q), v,
                                     zkr_ginf2_lut_v_vars(q))) != ZKR_OK)
        return r;
    g2x = zkr_ginf2_lut_grind_bits(p, q, v->blind_vars, x->blind_vars, share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_lut_soundness_at(p, q, v->blind_vars, x->blind_vars,
                                                               g2x),
                                    off, share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&s, 0, sizeof s);
    memset(&zc, 0, sizeof zc);
    s.q = q;
    zc.n_vars = v->n_vars, zc.blind_vars = zkr_ginf2_lut_z_blind(p, q);
    if (zc.blind_vars == 0)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &root)) != ZKR_OK)
        return r;
    memcpy(zc.root, root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2l-z-root", zc.root, ZKR_DIGEST_BYTES);
    /* RA */
    zkr_ts_challenge_exts(t, "g2l-z", s.z, q->lp);
    if (off & ZKR_GINF2_OFF_RANGE) {
        r = g2lv_off(p, t, &s, ZKR_G2L_WA_V, v, ZKR_G2L_WA_X, x, zkr_ginf2_lut_claim(q, s.z), d);
    } else {
        r = zkr_verify_ginf2_link(p, t, v, zkr_ginf2_lut_claim(q, s.z), g2lv_wa_v, x, g2lv_wa_x,
                                  &s, d);
    }
    if (r != ZKR_OK)
        return r;
    /* RB */
    zkr_ts_challenge_exts(t, "g2l-z2", s.z, q->lp);
    if (off & ZKR_GINF2_OFF_RANGE)
        return g2lv_off(p, t, &s, ZKR_G2L_WB_Z, &zc, ZKR_G2L_WB_V, v, zkr_ext_from(0), d);
    {
        zkr_zkrange_lin lin = {zkr_ext_from(0), NULL, g2lv_wb_z, &s};
        zkr_zkrange_link link = {NULL, NULL, v, g2lv_wb_v, &s, 0, 0};
        int64_t zv[256];
        zkr_ginf2_lut_zv(q, zv);
        return zkr_zkrange_verify_link_vals(p, t, &zc, zv, &lin, &link, d);
    }
}
