/*
 * Test harness for the CNN relations (tests/zk/test_cnn.c,
 * tests/soundness/test_sound_cnn.c): one relation instance over plain
 * tables, proven and verified from the same transcript state, its claims
 * discharged against the tables the prover was given (what a commitment
 * would bind).
 */
#ifndef ZKR_TEST_CNN_REL_H
#define ZKR_TEST_CNN_REL_H

#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "verifier/cnn.h"

enum { REL_CONV, REL_MAXPOOL, REL_AVGPOOL, REL_LUT, REL_ADD };
#define REL_N_POLYS 9

typedef struct {
    int kind;
    zkr_cnn_win g;
    zkr_cnn_conv cv;
    zkr_cnn_add ad;
    uint32_t c, h, w; /* LUT / ADD tensor shape */
    unsigned lp;      /* ADD: tensor variables */
    int8_t tab[256];
    int8_t *x8, *b8;  /* int8 inputs */
    int64_t *w64;     /* conv weights */
    zkr_gl *tabs[REL_N_POLYS];
    unsigned nv[REL_N_POLYS];
    zkr_gl *yconv;    /* conv output table (the incoming claim's polynomial) */
    unsigned off;
    int cheat;
} rel;

static inline void rel_free(rel *r)
{
    for (unsigned i = 0; i < REL_N_POLYS; i++)
        free(r->tabs[i]);
    free(r->x8);
    free(r->b8);
    free(r->w64);
    free(r->yconv);
    memset(r, 0, sizeof *r);
}

static inline zkr_gl *rel_alloc(rel *r, unsigned poly, unsigned n)
{
    r->nv[poly] = n;
    r->tabs[poly] = calloc((size_t)1 << n, sizeof(zkr_gl));
    return r->tabs[poly];
}

static inline void rel_seed(zkr_transcript *t)
{
    memset(t, 0, sizeof *t);
    zkr_ts_absorb(t, "cnn-test", (const uint8_t *)"relation", 8);
}

/* Conv: the incoming claim y~(rho) drawn from the transcript. */
static inline void rel_conv_claim(rel *r, zkr_transcript *t, zkr_ext *rho, zkr_ext *v)
{
    unsigned ny = zkr_cnn_conv_y_vars(&r->cv);

    zkr_ts_challenge_exts(t, "test-rho", rho, ny);
    if (zkr_mle_eval_base(r->yconv, ny, rho, v) != ZKR_OK)
        abort();
}

static inline zkr_err rel_prove(rel *r, zkr_buf *out, zkr_cnn_claims *cl)
{
    zkr_transcript t;
    zkr_cnn_popts o = {1, r->off, r->cheat};
    zkr_ext rho[ZKR_CNN_MAX_PT], v;

    rel_seed(&t);
    memset(cl, 0, sizeof *cl);
    switch (r->kind) {
    case REL_CONV:
        rel_conv_claim(r, &t, rho, &v);
        return zkr_prover_cnn_conv_opts(&t, &r->cv, r->tabs[ZKR_CNN_POLY_X],
                                        r->tabs[ZKR_CNN_POLY_W], rho, &o, out, cl);
    case REL_MAXPOOL:
        return zkr_prover_cnn_maxpool(&t, &r->g, r->tabs[ZKR_CNN_POLY_X], r->tabs[ZKR_CNN_POLY_Y],
                                      r->tabs[ZKR_CNN_POLY_E], r->tabs[ZKR_CNN_POLY_D], &o, out,
                                      r->tabs[ZKR_CNN_POLY_M], cl);
    case REL_AVGPOOL:
        return zkr_prover_cnn_avgpool(&t, &r->g, r->tabs[ZKR_CNN_POLY_X], r->tabs[ZKR_CNN_POLY_Y],
                                      r->tabs[ZKR_CNN_POLY_R], &o, out, r->tabs[ZKR_CNN_POLY_M],
                                      cl);
    case REL_LUT:
        return zkr_prover_cnn_lookup(&t, r->c, r->h, r->w, r->tab, r->tabs[ZKR_CNN_POLY_X],
                                     r->tabs[ZKR_CNN_POLY_Y], &o, out, r->tabs[ZKR_CNN_POLY_M], cl);
    default:
        return zkr_prover_cnn_add(&t, &r->ad, r->lp, r->tabs[ZKR_CNN_POLY_X],
                                  r->tabs[ZKR_CNN_POLY_B], r->tabs[ZKR_CNN_POLY_V], &o, out,
                                  r->tabs[ZKR_CNN_POLY_M], cl);
    }
}

/* The verifier's verdict only. */
static inline zkr_err rel_verify_raw(const rel *r, const uint8_t *p, size_t len,
                                     zkr_cnn_claims *cl, zkr_diag *d)
{
    zkr_transcript t;
    zkr_cnn_vopts o = {r->off};
    zkr_dec dec;
    zkr_ext rho[ZKR_CNN_MAX_PT], v;
    zkr_err e;

    rel_seed(&t);
    memset(cl, 0, sizeof *cl);
    zkr_dec_init(&dec, p, len);
    switch (r->kind) {
    case REL_CONV:
        rel_conv_claim((rel *)r, &t, rho, &v);
        e = zkr_verify_cnn_conv_opts(&t, &r->cv, rho, v, &o, &dec, cl, d);
        break;
    case REL_MAXPOOL:
        e = zkr_verify_cnn_maxpool(&t, &r->g, &o, &dec, cl, d);
        break;
    case REL_AVGPOOL:
        e = zkr_verify_cnn_avgpool(&t, &r->g, &o, &dec, cl, d);
        break;
    case REL_LUT:
        e = zkr_verify_cnn_lookup(&t, r->c, r->h, r->w, r->tab, &o, &dec, cl, d);
        break;
    default:
        e = zkr_verify_cnn_add(&t, &r->ad, r->lp, &o, &dec, cl, d);
        break;
    }
    if (e == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        e = ZKR_ERR_MALFORMED;
    return e;
}

/* Every claim holds for the tables (the commitment's part). */
static inline int rel_discharge(const rel *r, const zkr_cnn_claims *cl)
{
    for (size_t i = 0; i < cl->n; i++) {
        const zkr_cnn_claim *c = &cl->c[i];
        zkr_ext v;
        if (c->poly >= REL_N_POLYS || !r->tabs[c->poly] || c->n != r->nv[c->poly] ||
            zkr_mle_eval_base(r->tabs[c->poly], c->n, c->pt, &v) != ZKR_OK ||
            !zkr_ext_eq(v, c->val))
            return 0;
    }
    return 1;
}

/* ZKR_OK when the verifier accepts and every claim it leaves holds. */
static inline zkr_err rel_verify(const rel *r, const uint8_t *p, size_t len, zkr_diag *d)
{
    zkr_cnn_claims cl;
    zkr_err e = rel_verify_raw(r, p, len, &cl, d);

    if (e == ZKR_OK && !rel_discharge(r, &cl))
        e = ZKR_ERR_VERIFY;
    return e;
}

/* ---------------- instance builders ---------------- */

static inline zkr_err rel_conv(rel *r, const int8_t *x, const int64_t *w, uint32_t c, uint32_t h,
                               uint32_t wd, uint32_t cout, uint32_t k, uint32_t s, uint32_t dil,
                               uint32_t pad, int depthwise)
{
    const uint32_t pads[4] = {pad, pad, pad, pad};
    size_t nw;
    int64_t *y;
    zkr_err e;

    memset(r, 0, sizeof *r);
    r->kind = REL_CONV;
    if ((e = zkr_cnn_win_init(&r->g, c, h, wd, k, k, s, s, dil, dil, pads)) != ZKR_OK ||
        (e = zkr_cnn_conv_init(&r->cv, &r->g, cout, depthwise)) != ZKR_OK)
        return e;
    nw = (size_t)cout * (depthwise ? 1 : c) * k * k;
    r->w64 = malloc(nw * sizeof *r->w64);
    r->x8 = malloc((size_t)c * h * wd);
    y = malloc((size_t)cout * r->g.oh * r->g.ow * sizeof *y);
    if (!r->w64 || !r->x8 || !y)
        abort();
    memcpy(r->w64, w, nw * sizeof *w);
    memcpy(r->x8, x, (size_t)c * h * wd);
    zkr_cnn_tensor_table(c, h, wd, r->g.lc, r->g.lh, r->g.lw, x,
                         rel_alloc(r, ZKR_CNN_POLY_X, zkr_cnn_in_vars(&r->g)));
    zkr_cnn_conv_w_table(&r->cv, w, rel_alloc(r, ZKR_CNN_POLY_W, zkr_cnn_conv_w_vars(&r->cv)));
    zkr_cnn_conv_native(&r->cv, x, w, y);
    {
        unsigned ny = zkr_cnn_conv_y_vars(&r->cv), lco = depthwise ? r->g.lc : r->cv.lco;
        r->yconv = calloc((size_t)1 << ny, sizeof *r->yconv);
        if (!r->yconv)
            abort();
        for (uint32_t o = 0; o < cout; o++)
            for (uint32_t a = 0; a < r->g.oh; a++)
                for (uint32_t b = 0; b < r->g.ow; b++)
                    r->yconv[((size_t)o << (r->g.loh + r->g.low)) | ((size_t)a << r->g.low) | b] =
                        zkr_gl_from_i64(y[((size_t)o * r->g.oh + a) * r->g.ow + b]);
        (void)lco;
    }
    free(y);
    return ZKR_OK;
}

static inline zkr_err rel_pool(rel *r, int kind, const int8_t *x, uint32_t c, uint32_t h,
                               uint32_t w, uint32_t kh, uint32_t kw, uint32_t s,
                               const uint32_t pads[4])
{
    unsigned lp, n;
    zkr_err e;

    memset(r, 0, sizeof *r);
    r->kind = kind;
    if ((e = zkr_cnn_win_init(&r->g, c, h, w, kh, kw, s, s, 1, 1, pads)) != ZKR_OK)
        return e;
    lp = zkr_cnn_out_vars(&r->g);
    n = lp + zkr_cnn_k_vars(&r->g);
    zkr_cnn_tensor_table(c, h, w, r->g.lc, r->g.lh, r->g.lw, x,
                         rel_alloc(r, ZKR_CNN_POLY_X, zkr_cnn_in_vars(&r->g)));
    rel_alloc(r, ZKR_CNN_POLY_Y, lp);
    if (kind == REL_MAXPOOL) {
        rel_alloc(r, ZKR_CNN_POLY_E, n);
        rel_alloc(r, ZKR_CNN_POLY_D, n);
        rel_alloc(r, ZKR_CNN_POLY_M, ZKR_CNN_BYTE_LOG);
        return zkr_cnn_maxpool_witness(&r->g, x, r->tabs[ZKR_CNN_POLY_Y], r->tabs[ZKR_CNN_POLY_E],
                                       r->tabs[ZKR_CNN_POLY_D]);
    }
    rel_alloc(r, ZKR_CNN_POLY_R, lp + 2);
    rel_alloc(r, ZKR_CNN_POLY_M, ZKR_CNN_BYTE_LOG);
    return zkr_cnn_avgpool_witness(&r->g, x, r->tabs[ZKR_CNN_POLY_Y], r->tabs[ZKR_CNN_POLY_R]);
}

static inline zkr_err rel_lut(rel *r, const int8_t *x, uint32_t c, uint32_t h, uint32_t w,
                              const int8_t tab[256])
{
    unsigned lc = zkr_log2_ceil(c), lh = zkr_log2_ceil(h), lw = zkr_log2_ceil(w);
    int8_t *y = malloc((size_t)c * h * w);

    memset(r, 0, sizeof *r);
    if (!y)
        abort();
    r->kind = REL_LUT;
    r->c = c, r->h = h, r->w = w;
    memcpy(r->tab, tab, 256);
    for (size_t i = 0; i < (size_t)c * h * w; i++)
        y[i] = tab[x[i] + 128];
    zkr_cnn_tensor_table(c, h, w, lc, lh, lw, x, rel_alloc(r, ZKR_CNN_POLY_X, lc + lh + lw));
    zkr_cnn_tensor_table(c, h, w, lc, lh, lw, y, rel_alloc(r, ZKR_CNN_POLY_Y, lc + lh + lw));
    rel_alloc(r, ZKR_CNN_POLY_M, ZKR_CNN_LUT_LOG);
    free(y);
    return ZKR_OK;
}

static inline zkr_err rel_add(rel *r, const int8_t *a, const int8_t *b, size_t n, int64_t ma,
                              int64_t mb, uint32_t shift, int relu, int8_t *y)
{
    zkr_err e;

    memset(r, 0, sizeof *r);
    r->kind = REL_ADD;
    if ((e = zkr_cnn_add_init(&r->ad, ma, mb, shift, relu)) != ZKR_OK)
        return e;
    r->lp = zkr_log2_ceil(n);
    zkr_cnn_tensor_table(1, 1, (uint32_t)n, 0, 0, r->lp, a, rel_alloc(r, ZKR_CNN_POLY_X, r->lp));
    zkr_cnn_tensor_table(1, 1, (uint32_t)n, 0, 0, r->lp, b, rel_alloc(r, ZKR_CNN_POLY_B, r->lp));
    rel_alloc(r, ZKR_CNN_POLY_V, r->lp + ZKR_CNN_ADD_SLOTS_LOG);
    rel_alloc(r, ZKR_CNN_POLY_M, ZKR_CNN_BYTE_LOG);
    if ((e = zkr_cnn_add_witness(&r->ad, r->lp, n, a, b, r->tabs[ZKR_CNN_POLY_V], y)) != ZKR_OK)
        return e;
    zkr_cnn_tensor_table(1, 1, (uint32_t)n, 0, 0, r->lp, y, rel_alloc(r, ZKR_CNN_POLY_Y, r->lp));
    return ZKR_OK;
}

/* Requantization acc M (CONV / DENSE) over n elements. */
static inline zkr_err rel_rq(rel *r, const int64_t *acc, const int64_t *m, size_t n,
                             uint32_t shift, int relu, int8_t *y)
{
    int64_t *u;
    int8_t *yy;
    zkr_err e;

    memset(r, 0, sizeof *r);
    r->kind = REL_ADD;
    if ((e = zkr_cnn_requant_init(&r->ad, shift, relu)) != ZKR_OK)
        return e;
    r->lp = zkr_log2_ceil(n);
    u = calloc((size_t)1 << r->lp, sizeof *u);
    yy = malloc((size_t)1 << r->lp);
    if (!u || !yy)
        abort();
    rel_alloc(r, ZKR_CNN_POLY_X, r->lp);
    rel_alloc(r, ZKR_CNN_POLY_B, r->lp);
    for (size_t i = 0; i < n; i++) {
        u[i] = acc[i] * m[i];
        r->tabs[ZKR_CNN_POLY_X][i] = zkr_gl_from_i64(acc[i]);
        r->tabs[ZKR_CNN_POLY_B][i] = zkr_gl_from_i64(m[i]);
    }
    rel_alloc(r, ZKR_CNN_POLY_V, r->lp + ZKR_CNN_ADD_SLOTS_LOG);
    rel_alloc(r, ZKR_CNN_POLY_M, ZKR_CNN_BYTE_LOG);
    rel_alloc(r, ZKR_CNN_POLY_Y, r->lp);
    e = zkr_cnn_rq_witness(&r->ad, r->lp, u, r->tabs[ZKR_CNN_POLY_V], yy);
    for (size_t i = 0; i < n; i++) {
        y[i] = yy[i];
        r->tabs[ZKR_CNN_POLY_Y][i] = zkr_gl_from_i64(yy[i]);
    }
    free(u);
    free(yy);
    return e;
}

#endif
