/*
 * A small zero-knowledge LOOKUP instance shared by zk-ginfer2-lut and
 * soundness-ginfer2-lut: a 3 x 5 x 6 input X, either a plain int8 tensor
 * commitment (isl 0) or block 1 of a 4-block byte witness read with
 * in_off -128 (a chained input, its other blocks junk), the table T one of
 * LeakyRelu, Sigmoid or an arbitrary one. X and V committed fresh for the
 * openings one proof consumes.
 */
#ifndef ZKR_TESTS_ZK_GINFER2_LUT_FX_H
#define ZKR_TESTS_ZK_GINFER2_LUT_FX_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "prover/ginfer2_lut.h"
#include "verifier/ginfer2_lut.h"

#define G2LT_C 3u
#define G2LT_H 5u
#define G2LT_W 6u
enum { G2LT_LEAKY = 0, G2LT_SIGMOID = 1, G2LT_ARB = 2 };

typedef struct {
    zkr_params p;
    zkr_ginf2_lut q;
    int64_t t[256];
    int8_t x[G2LT_C * G2LT_H * G2LT_W];
    zkr_gl *xt, *vt; /* X's and V's tables (a cheating test edits vt) */
    zkr_hpcs_poly *xp, *vp;
    zkr_hpcs_commitment xc, vc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2lt;

static inline int64_t g2lt_clamp(double v)
{
    long r = lround(v);
    return r < -128 ? -128 : r > 127 ? 127 : r;
}

/* Table kind k (LeakyRelu 0.1, a Sigmoid at input scale 1/16 output 1/255 - 128, arbitrary). */
static inline void g2lt_table(unsigned k, uint64_t seed, int64_t t[256])
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 3;

    for (int j = 0; j < 256; j++) {
        double x = j - 128;
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        t[j] = k == G2LT_LEAKY     ? g2lt_clamp(x >= 0 ? x : 0.1 * x)
               : k == G2LT_SIGMOID ? g2lt_clamp(255.0 / (1.0 + exp(-x / 16.0)) - 128.0)
                                   : (int64_t)(s >> 56) - 128;
    }
}

/* chained: X is block 1 of 4 (isl 2), entries bytes, in_off -128. */
static inline zkr_err g2lt_init(g2lt *r, unsigned kind, int chained, uint64_t seed)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 11;
    unsigned isl = chained ? 2u : 0u, lp;
    zkr_err e;

    memset(r, 0, sizeof *r);
    g2lt_table(kind, seed, r->t);
    if ((e = zkr_params_get(ZKR_PARAM_SET_128, &r->p)) != ZKR_OK ||
        (e = zkr_ginf2_lut_init(&r->q, G2LT_C, G2LT_H, G2LT_W, r->t, isl, chained ? 1u : 0u,
                                chained ? -128 : 0)) != ZKR_OK)
        return e;
    for (size_t i = 0; i < sizeof r->sid; i++)
        r->sid[i] = (uint8_t)(seed + 3 * i);
    lp = r->q.lp;
    r->xt = calloc((size_t)1 << zkr_ginf2_lut_x_vars(&r->q), sizeof *r->xt);
    r->vt = calloc((size_t)1 << zkr_ginf2_lut_v_vars(&r->q), sizeof *r->vt);
    if (!r->xt || !r->vt)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < sizeof r->x; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        r->x[i] = (int8_t)(s >> 56);
    }
    zkr_cnn_tensor_table(G2LT_C, G2LT_H, G2LT_W, r->q.lc, r->q.lh, r->q.lw, r->x, r->xt);
    if (chained) {
        /* block 1 holds x + 128 (bytes); blocks 0, 2, 3 and the padding junk bytes */
        for (size_t i = 0; i < ((size_t)1 << lp); i++) {
            int64_t xv = r->xt[i] > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - r->xt[i]) : (int64_t)r->xt[i];
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            r->xt[((size_t)1 << lp) + i] = zkr_ginf2_lut_real(&r->q, i) ? (zkr_gl)(xv + 128)
                                                                         : (zkr_gl)(s >> 56);
            r->xt[i] = (zkr_gl)((s >> 40) & 255);
            r->xt[((size_t)2 << lp) + i] = (zkr_gl)((s >> 48) & 255);
            r->xt[((size_t)3 << lp) + i] = (zkr_gl)((s >> 32) & 255);
        }
    }
    return zkr_ginf2_lut_witness(&r->q, r->xt, r->vt);
}

static inline zkr_err g2lt_commit(g2lt *r, zkr_zkrng *rng)
{
    unsigned nv = zkr_ginf2_lut_v_vars(&r->q), nx = zkr_ginf2_lut_x_vars(&r->q);
    zkr_err e;

    zkr_hpcs_poly_free(r->xp), zkr_hpcs_poly_free(r->vp);
    r->xp = r->vp = NULL;
    if ((e = zkr_prover_hcommit(&r->p, r->xt, nx, ZKR_GINF2_LUT_X_OPENINGS, rng, 1, &r->xp,
                                &r->xc)) != ZKR_OK)
        return e;
    return zkr_prover_hcommit_sized(&r->p, r->vt, nv,
                                    nv + zkr_ginf2_range_blind(&r->p, nv, ZKR_GINF2_LUT_V_OPENINGS),
                                    ZKR_GINF2_LUT_V_OPENINGS, rng, 1, &r->vp, &r->vc);
}

static inline void g2lt_transcript(const g2lt *r, const zkr_hpcs_commitment *x,
                                   const zkr_hpcs_commitment *v, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&r->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, r->p.id, pd,
                r->sid);
    zkr_ts_absorb(t, "g2-x-root", x->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-v-root", v->root, ZKR_DIGEST_BYTES);
}

static inline zkr_err g2lt_prove(g2lt *r, const zkr_ginf2_lopts *o, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_transcript t;

    g2lt_transcript(r, &r->xc, &r->vc, &t);
    return zkr_prover_ginf2_lut(&r->p, &t, &r->q, r->xp, r->vp, o, rng, out);
}

/* q NULL: r's; x, v NULL: r's commitments. */
static inline zkr_err g2lt_verify(const g2lt *r, const zkr_ginf2_lut *q,
                                  const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                                  unsigned off, const uint8_t *pf, size_t len)
{
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    q = q ? q : &r->q, x = x ? x : &r->xc, v = v ? v : &r->vc;
    g2lt_transcript(r, x, v, &t);
    zkr_dec_init(&d, pf, len);
    e = zkr_verify_ginf2_lut(&r->p, &t, q, x, v, off, 1, &d);
    return e != ZKR_OK ? e : zkr_dec_finish(&d);
}

static inline void g2lt_free(g2lt *r)
{
    zkr_hpcs_poly_free(r->xp), zkr_hpcs_poly_free(r->vp);
    free(r->xt), free(r->vt);
}

#endif
