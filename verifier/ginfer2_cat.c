/*
 * graph-inference@2's zero-knowledge CONCAT verifier (verifier/ginfer2.h),
 * in the order of prover/ginfer2_cat.c: per input j, z_j and V's byte
 * range proof whose linear claim carries X_j, the weights evaluated here
 * (zkr_ginf2_cat_wv, zkr_ginf2_cat_wx).
 */
#include <string.h>

#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    const zkr_ginf2_cat *q;
    unsigned j;
    zkr_ext z[ZKR_CNN_MAX_VARS];
} g2kv_ctx;

static zkr_err g2kv_wv(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2kv_ctx *s = ctx;

    return zkr_ginf2_cat_wv(s->q, s->j, s->z, r, out);
}

static zkr_err g2kv_wx(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2kv_ctx *s = ctx;

    return zkr_ginf2_cat_wx(s->q, s->j, s->z, r, out);
}

zkr_err zkr_verify_ginf2_cat(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_cat *q,
                             const zkr_hpcs_commitment *const *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d)
{
    unsigned xe[ZKR_GINF2_CAT_MAX_IN], g2x;
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_params pg;
    zkr_err r = ZKR_OK;

    if ((!ZKR_TEST_BUILD && off) || (off & ~(ZKR_GINF2_OFF_LINK | ZKR_GINF2_OFF_GRIND)) ||
        q->k < 2 || q->k > ZKR_GINF2_CAT_MAX_IN || v->ext ||
        v->n_vars != zkr_ginf2_cat_v_vars(q) || v->blind_vars < 1)
        return ZKR_ERR_USAGE;
    for (unsigned j = 0; j < q->k; j++) {
        if (!x[j] || x[j]->ext || x[j]->n_vars != zkr_ginf2_cat_x_vars(q, j) ||
            x[j]->blind_vars < 1)
            return ZKR_ERR_USAGE;
        xe[j] = x[j]->blind_vars;
    }
    g2x = zkr_ginf2_cat_grind_bits(p, q, v->blind_vars, xe, share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_cat_soundness_at(p, q, v->blind_vars, xe, g2x), off,
                                    share, &pg)) != ZKR_OK)
        return r;
    for (unsigned j = 0; j < q->k && r == ZKR_OK; j++) {
        g2kv_ctx s;
        zkr_ext claim;
        memset(&s, 0, sizeof s);
        s.q = q, s.j = j;
        zkr_ts_challenge_exts(t, "g2k-z", s.z, zkr_ginf2_cat_v_vars(q));
        if (off & ZKR_GINF2_OFF_LINK) {
            r = zkr_zkrange_verify(&pg, t, v, &tab, d);
            continue;
        }
        if ((r = zkr_ginf2_cat_claim(q, j, s.z, &claim)) != ZKR_OK)
            break;
        {
            zkr_zkrange_lin lin = {claim, NULL, g2kv_wv, &s};
            zkr_zkrange_link link = {NULL, NULL, x[j], g2kv_wx, &s, 0, 0};
            r = zkr_zkrange_verify_link(&pg, t, v, &tab, &lin, &link, d);
        }
    }
    return r;
}
