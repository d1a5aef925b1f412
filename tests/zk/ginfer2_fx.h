/*
 * A small zero-knowledge convolution instance shared by zk-ginfer2,
 * soundness-ginfer2 and zk-leakage-ginfer2: a 1 x 6 x 6 int8 input, two
 * 3 x 3 kernels, stride 1, no padding (a 2 x 4 x 4 accumulator). X, W and Y
 * are committed fresh with the hiding commitment for exactly the openings
 * one relation proof consumes, from a generator the caller keys.
 */
#ifndef ZKR_TESTS_ZK_GINFER2_FX_H
#define ZKR_TESTS_ZK_GINFER2_FX_H

#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "prover/ginfer2.h"
#include "verifier/ginfer2.h"

#define G2FX_C 1u
#define G2FX_H 6u
#define G2FX_K 3u
#define G2FX_CO 2u
#define G2FX_O (G2FX_H - G2FX_K + 1u)

typedef struct {
    zkr_params p;
    zkr_cnn_conv c;
    int8_t x[G2FX_C * G2FX_H * G2FX_H];
    int64_t w[G2FX_CO * G2FX_C * G2FX_K * G2FX_K];
    int64_t y[G2FX_CO * G2FX_O * G2FX_O];
    zkr_gl *xt, *wt, *yt; /* padded tables (a cheating test edits them before committing) */
    zkr_hpcs_poly *xp, *wp, *yp;
    zkr_hpcs_commitment xc, wc, yc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2fx;

/* The instance from a small deterministic generator (state *s). ZKR_OK or an error. */
static inline zkr_err g2fx_init(g2fx *f, uint64_t seed)
{
    static const uint32_t pads[4] = {0, 0, 0, 0};
    zkr_cnn_win g;
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK ||
        (r = zkr_cnn_win_init(&g, G2FX_C, G2FX_H, G2FX_H, G2FX_K, G2FX_K, 1, 1, 1, 1, pads)) !=
            ZKR_OK ||
        (r = zkr_cnn_conv_init(&f->c, &g, G2FX_CO, 0)) != ZKR_OK)
        return r;
    /* graph-inference@2 version 4 (openings at the better of UD and JBR): at the set's 166
     * queries these small relations need no extra grinding; at 118 they need a few bits, so
     * the grinding (and its teeth) stay exercised. */
    f->p.queries = 118;
    for (size_t i = 0; i < sizeof f->x; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        f->x[i] = (int8_t)(s >> 56);
    }
    for (size_t i = 0; i < sizeof f->w / sizeof f->w[0]; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        f->w[i] = (int64_t)((s >> 33) % 255u) - 127;
    }
    for (size_t i = 0; i < sizeof f->sid; i++)
        f->sid[i] = (uint8_t)(seed + i);
    zkr_cnn_conv_native(&f->c, f->x, f->w, f->y);
    f->xt = calloc((size_t)1 << zkr_cnn_in_vars(&g), sizeof *f->xt);
    f->wt = calloc((size_t)1 << zkr_cnn_conv_w_vars(&f->c), sizeof *f->wt);
    f->yt = calloc((size_t)1 << zkr_cnn_conv_y_vars(&f->c), sizeof *f->yt);
    if (!f->xt || !f->wt || !f->yt)
        return ZKR_ERR_NOMEM;
    zkr_cnn_tensor_table(g.c, g.h, g.w, g.lc, g.lh, g.lw, f->x, f->xt);
    zkr_cnn_conv_w_table(&f->c, f->w, f->wt);
    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < G2FX_O; oy++)
            for (uint32_t ox = 0; ox < G2FX_O; ox++) {
                int64_t v = f->y[(co * G2FX_O + oy) * G2FX_O + ox];
                f->yt[((size_t)co << (g.loh + g.low)) | ((size_t)oy << g.low) | ox] =
                    v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
            }
    return ZKR_OK;
}

/* Commits the tables (fresh randomness from rng), each for one proof's openings. */
static inline zkr_err g2fx_commit(g2fx *f, zkr_zkrng *rng)
{
    zkr_err r;

    zkr_hpcs_poly_free(f->xp), zkr_hpcs_poly_free(f->wp), zkr_hpcs_poly_free(f->yp);
    f->xp = f->wp = f->yp = NULL;
    if ((r = zkr_prover_hcommit(&f->p, f->xt, zkr_cnn_in_vars(&f->c.g), ZKR_GINF2_X_OPENINGS, rng,
                                1, &f->xp, &f->xc)) != ZKR_OK ||
        (r = zkr_prover_hcommit_sized(
             &f->p, f->wt, zkr_cnn_conv_w_vars(&f->c),
             zkr_cnn_conv_w_vars(&f->c) +
                 zkr_ginf2_range_blind(&f->p, zkr_cnn_conv_w_vars(&f->c), ZKR_GINF2_W_OPENINGS),
             ZKR_GINF2_W_OPENINGS, rng, 1, &f->wp, &f->wc)) != ZKR_OK)
        return r;
    return zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), ZKR_GINF2_Y_OPENINGS, rng,
                              1, &f->yp, &f->yc);
}

/* The statement's transcript: protocol, parameters, statement id, the three roots. */
static inline void g2fx_transcript(const g2fx *f, const zkr_hpcs_commitment *x,
                                   const zkr_hpcs_commitment *w, const zkr_hpcs_commitment *y,
                                   zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&f->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, f->p.id, pd,
                f->sid);
    zkr_ts_absorb(t, "g2-x-root", x->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-w-root", w->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-y-root", y->root, ZKR_DIGEST_BYTES);
}

static inline zkr_err g2fx_prove(g2fx *f, const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_transcript t;

    g2fx_transcript(f, &f->xc, &f->wc, &f->yc, &t);
    return zkr_prover_ginf2_conv(&f->p, &t, &f->c, f->xp, f->wp, f->yp, o, rng, out);
}

/* Verifies pf against the commitments (each defaults to the fixture's), consumed whole. */
static inline zkr_err g2fx_verify(const g2fx *f, const zkr_hpcs_commitment *x,
                                  const zkr_hpcs_commitment *w, const zkr_hpcs_commitment *y,
                                  unsigned off, const uint8_t *pf, size_t len)
{
    zkr_transcript t;
    zkr_dec d;
    zkr_err r;

    x = x ? x : &f->xc, w = w ? w : &f->wc, y = y ? y : &f->yc;
    g2fx_transcript(f, x, w, y, &t);
    zkr_dec_init(&d, pf, len);
    r = zkr_verify_ginf2_conv(&f->p, &t, &f->c, x, w, y, off, 1, &d);
    return r != ZKR_OK ? r : zkr_dec_finish(&d);
}

static inline void g2fx_free(g2fx *f)
{
    zkr_hpcs_poly_free(f->xp), zkr_hpcs_poly_free(f->wp), zkr_hpcs_poly_free(f->yp);
    free(f->xt), free(f->wt), free(f->yt);
}

/* ---------------- requantization: acc = the conv fixture's Y ---------------- */
#define G2RQ_M 600
#define G2RQ_SHIFT 16u
#define G2RQ_ACC_BITS 18u /* |acc| <= 9 * 127 * 128 < 2^18 */

typedef struct {
    zkr_params p;
    zkr_ginf2_rq q;
    int64_t *acc;          /* 2^lp, padded layout */
    zkr_gl *at, *vt;       /* acc's and V's tables (a cheating test edits vt) */
    zkr_hpcs_poly *ap, *vp;
    zkr_hpcs_commitment ac, vc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2rq;

/*
 * The requantization of f's accumulator: one M (mc NULL) or per channel
 * M mc[co] and bias bc[co] (G2FX_CO entries each, bc may be NULL; kept by
 * pointer).
 */
static inline zkr_err g2rq_init_ch(g2rq *r, const g2fx *f, int relu, const int64_t *mc,
                                   const int64_t *bc)
{
    const zkr_cnn_win *g = &f->c.g;
    size_t np;
    zkr_err e;

    memset(r, 0, sizeof *r);
    r->p = f->p;
    memcpy(r->sid, f->sid, sizeof r->sid);
    e = mc ? zkr_ginf2_rq_init_ch(&r->q, G2FX_CO, G2FX_O, G2FX_O, mc, bc, G2RQ_SHIFT, relu,
                                  G2RQ_ACC_BITS)
           : zkr_ginf2_rq_init(&r->q, G2FX_CO, G2FX_O, G2FX_O, G2RQ_M, G2RQ_SHIFT, relu,
                               G2RQ_ACC_BITS);
    if (e != ZKR_OK)
        return e;
    np = (size_t)1 << r->q.lp;
    r->acc = calloc(np, sizeof *r->acc);
    r->at = calloc(np, sizeof *r->at);
    r->vt = calloc((size_t)1 << zkr_ginf2_rq_v_vars(&r->q), sizeof *r->vt);
    if (!r->acc || !r->at || !r->vt)
        return ZKR_ERR_NOMEM;
    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < G2FX_O; oy++)
            for (uint32_t ox = 0; ox < G2FX_O; ox++) {
                size_t i = ((size_t)co << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                r->acc[i] = f->y[(co * G2FX_O + oy) * G2FX_O + ox];
                r->at[i] = f->yt[i];
            }
    return zkr_ginf2_rq_witness(&r->q, r->acc, r->vt);
}

static inline zkr_err g2rq_init(g2rq *r, const g2fx *f, int relu)
{
    return g2rq_init_ch(r, f, relu, NULL, NULL);
}

static inline zkr_err g2rq_commit(g2rq *r, zkr_zkrng *rng)
{
    zkr_err e;

    zkr_hpcs_poly_free(r->ap), zkr_hpcs_poly_free(r->vp);
    r->ap = r->vp = NULL;
    if ((e = zkr_prover_hcommit(&r->p, r->at, r->q.lp, 1, rng, 1, &r->ap, &r->ac)) != ZKR_OK)
        return e;
    return zkr_prover_hcommit_sized(
        &r->p, r->vt, zkr_ginf2_rq_v_vars(&r->q),
        zkr_ginf2_rq_v_vars(&r->q) + zkr_ginf2_range_blind(&r->p, zkr_ginf2_rq_v_vars(&r->q), 1),
        1, rng, 1, &r->vp, &r->vc);
}

static inline void g2rq_transcript(const g2rq *r, const zkr_hpcs_commitment *a,
                                   const zkr_hpcs_commitment *v, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&r->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, r->p.id, pd,
                r->sid);
    zkr_ts_absorb(t, "g2-acc-root", a->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-v-root", v->root, ZKR_DIGEST_BYTES);
}

static inline zkr_err g2rq_prove(g2rq *r, const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_transcript t;

    g2rq_transcript(r, &r->ac, &r->vc, &t);
    return zkr_prover_ginf2_requant(&r->p, &t, &r->q, r->ap, r->vp, o, rng, out);
}

static inline zkr_err g2rq_verify(const g2rq *r, const zkr_hpcs_commitment *a,
                                  const zkr_hpcs_commitment *v, unsigned off, const uint8_t *pf,
                                  size_t len)
{
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    a = a ? a : &r->ac, v = v ? v : &r->vc;
    g2rq_transcript(r, a, v, &t);
    zkr_dec_init(&d, pf, len);
    e = zkr_verify_ginf2_requant(&r->p, &t, &r->q, a, v, off, 1, &d);
    return e != ZKR_OK ? e : zkr_dec_finish(&d);
}

static inline void g2rq_free(g2rq *r)
{
    zkr_hpcs_poly_free(r->ap), zkr_hpcs_poly_free(r->vp);
    free(r->acc), free(r->at), free(r->vt);
}

/* ---------------- max pooling over a 2 x 5 x 5 int8 input ---------------- */
typedef struct {
    zkr_params p;
    zkr_ginf2_pool q;
    zkr_gl *xt, *vt;       /* X's and V's tables (a cheating test edits vt) */
    zkr_hpcs_poly *xp, *vp;
    zkr_hpcs_commitment xc, vc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2pl;

/* k x k window, stride st, padding pad on every side. */
static inline zkr_err g2pl_init(g2pl *r, const g2fx *f, uint32_t k, uint32_t st, uint32_t pad,
                                uint64_t seed)
{
    uint32_t pads[4] = {pad, pad, pad, pad};
    zkr_cnn_win g;
    int8_t x[2 * 5 * 5];
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 7;
    zkr_err e;

    memset(r, 0, sizeof *r);
    r->p = f->p;
    memcpy(r->sid, f->sid, sizeof r->sid);
    if ((e = zkr_cnn_win_init(&g, 2, 5, 5, k, k, st, st, 1, 1, pads)) != ZKR_OK ||
        (e = zkr_ginf2_pool_init(&r->q, &g)) != ZKR_OK)
        return e;
    for (size_t i = 0; i < sizeof x; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (int8_t)(s >> 56);
    }
    r->xt = calloc((size_t)1 << zkr_cnn_in_vars(&g), sizeof *r->xt);
    r->vt = calloc((size_t)1 << zkr_ginf2_pool_v_vars(&r->q), sizeof *r->vt);
    if (!r->xt || !r->vt)
        return ZKR_ERR_NOMEM;
    zkr_cnn_tensor_table(g.c, g.h, g.w, g.lc, g.lh, g.lw, x, r->xt);
    zkr_ginf2_pool_witness(&r->q, r->xt, r->vt);
    return ZKR_OK;
}

static inline zkr_err g2pl_commit(g2pl *r, zkr_zkrng *rng)
{
    unsigned nv = zkr_ginf2_pool_v_vars(&r->q);
    zkr_err e;

    zkr_hpcs_poly_free(r->xp), zkr_hpcs_poly_free(r->vp);
    r->xp = r->vp = NULL;
    if ((e = zkr_prover_hcommit(&r->p, r->xt, zkr_cnn_in_vars(&r->q.g), 1, rng, 1, &r->xp,
                                &r->xc)) != ZKR_OK)
        return e;
    return zkr_prover_hcommit_sized(&r->p, r->vt, nv, nv + zkr_ginf2_range_blind(&r->p, nv, 1), 1,
                                    rng, 1, &r->vp, &r->vc);
}

static inline void g2pl_transcript(const g2pl *r, const zkr_hpcs_commitment *x,
                                   const zkr_hpcs_commitment *v, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&r->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, r->p.id, pd,
                r->sid);
    zkr_ts_absorb(t, "g2-x-root", x->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-v-root", v->root, ZKR_DIGEST_BYTES);
}

static inline zkr_err g2pl_prove(g2pl *r, const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_transcript t;

    g2pl_transcript(r, &r->xc, &r->vc, &t);
    return zkr_prover_ginf2_pool(&r->p, &t, &r->q, r->xp, r->vp, o, rng, out);
}

static inline zkr_err g2pl_verify(const g2pl *r, const zkr_hpcs_commitment *x,
                                  const zkr_hpcs_commitment *v, unsigned off, const uint8_t *pf,
                                  size_t len)
{
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    x = x ? x : &r->xc, v = v ? v : &r->vc;
    g2pl_transcript(r, x, v, &t);
    zkr_dec_init(&d, pf, len);
    e = zkr_verify_ginf2_pool(&r->p, &t, &r->q, x, v, off, 1, &d);
    return e != ZKR_OK ? e : zkr_dec_finish(&d);
}

static inline void g2pl_free(g2pl *r)
{
    zkr_hpcs_poly_free(r->xp), zkr_hpcs_poly_free(r->vp);
    free(r->xt), free(r->vt);
}

#endif
