/*
 * A small zero-knowledge depthwise convolution instance shared by
 * zk-ginfer2-dw and soundness-ginfer2-dw: a 2 x 6 x 6 int8 input, 3 x 3
 * kernels, stride 1, padding 1, groups = 2 with a channel multiplier (1 or
 * 2: output channel o = c mult + m reads input channel c). X, W and Y are
 * committed fresh for exactly one relation proof's openings. As
 * tests/zk/ginfer2_fx.h for groups 1; a test may edit Y's table (yt)
 * before committing (a cheating prover).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_DW_FX_H
#define ZKR_TESTS_ZK_GINFER2_DW_FX_H

#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "prover/ginfer2.h"
#include "verifier/ginfer2.h"

#define G2DW_C 2u
#define G2DW_H 6u
#define G2DW_K 3u
#define G2DW_MAXCO (2u * G2DW_C)

typedef struct {
    zkr_params p;
    zkr_cnn_conv c;
    int8_t x[G2DW_C * G2DW_H * G2DW_H];
    int64_t w[G2DW_MAXCO * G2DW_K * G2DW_K];
    int64_t y[G2DW_MAXCO * G2DW_H * G2DW_H];
    zkr_gl *xt, *wt, *yt;
    zkr_hpcs_poly *xp, *wp, *yp;
    zkr_hpcs_commitment xc, wc, yc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2dw;

/* The tests' reduced set (no grinding, 16 queries, rate 1/2; ZKR_GINF2_OFF_GRIND on both sides). */
static inline void g2dw_reduce(g2dw *f)
{
    f->p.pow_bits = 0;
    f->p.queries = 16;
    f->p.log_blowup = 1;
}

/* Y's padded table from y (cout x oh x ow), output channel co stored at chan(co). */
static inline void g2dw_y_table(g2dw *f, const int64_t *y, int transposed)
{
    const zkr_cnn_win *g = &f->c.g;

    memset(f->yt, 0, ((size_t)1 << zkr_cnn_conv_y_vars(&f->c)) * sizeof *f->yt);
    for (uint32_t co = 0; co < f->c.cout; co++) {
        /* transposed: o = c mult + m stored at m C + c */
        uint32_t at = transposed ? (co % f->c.mult) * g->c + co / f->c.mult : co;
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                int64_t v = y[((size_t)co * g->oh + oy) * g->ow + ox];
                f->yt[((size_t)at << (g->loh + g->low)) | ((size_t)oy << g->low) | ox] =
                    v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
            }
    }
}

/* The instance (mult 1 or 2) from a small deterministic generator. */
static inline zkr_err g2dw_init(g2dw *f, uint32_t mult, uint64_t seed)
{
    static const uint32_t pads[4] = {1, 1, 1, 1};
    zkr_cnn_win g;
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    size_t nw = (size_t)G2DW_C * mult * G2DW_K * G2DW_K;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK ||
        (r = zkr_cnn_win_init(&g, G2DW_C, G2DW_H, G2DW_H, G2DW_K, G2DW_K, 1, 1, 1, 1, pads)) !=
            ZKR_OK ||
        (r = zkr_cnn_conv_init(&f->c, &g, G2DW_C * mult, 1)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < sizeof f->x; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        f->x[i] = (int8_t)(s >> 56);
    }
    for (size_t i = 0; i < nw; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        f->w[i] = (int64_t)((s >> 33) % 255u) - 127;
    }
    for (size_t i = 0; i < sizeof f->sid; i++)
        f->sid[i] = (uint8_t)(seed + i + 0x40);
    zkr_cnn_conv_native(&f->c, f->x, f->w, f->y);
    f->xt = calloc((size_t)1 << zkr_cnn_in_vars(&g), sizeof *f->xt);
    f->wt = calloc((size_t)1 << zkr_cnn_conv_w_vars(&f->c), sizeof *f->wt);
    f->yt = calloc((size_t)1 << zkr_cnn_conv_y_vars(&f->c), sizeof *f->yt);
    if (!f->xt || !f->wt || !f->yt)
        return ZKR_ERR_NOMEM;
    zkr_cnn_tensor_table(g.c, g.h, g.w, g.lc, g.lh, g.lw, f->x, f->xt);
    zkr_cnn_conv_w_table(&f->c, f->w, f->wt);
    g2dw_y_table(f, f->y, 0);
    return ZKR_OK;
}

/* Commits the tables (fresh randomness from rng), each for one proof's openings. */
static inline zkr_err g2dw_commit(g2dw *f, zkr_zkrng *rng)
{
    unsigned nw = zkr_cnn_conv_w_vars(&f->c);
    zkr_err r;

    zkr_hpcs_poly_free(f->xp), zkr_hpcs_poly_free(f->wp), zkr_hpcs_poly_free(f->yp);
    f->xp = f->wp = f->yp = NULL;
    if ((r = zkr_prover_hcommit(&f->p, f->xt, zkr_cnn_in_vars(&f->c.g), ZKR_GINF2_X_OPENINGS, rng,
                                1, &f->xp, &f->xc)) != ZKR_OK ||
        (r = zkr_prover_hcommit_sized(&f->p, f->wt, nw,
                                      nw + zkr_ginf2_range_blind(&f->p, nw, ZKR_GINF2_W_OPENINGS),
                                      ZKR_GINF2_W_OPENINGS, rng, 1, &f->wp, &f->wc)) != ZKR_OK)
        return r;
    return zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), ZKR_GINF2_Y_OPENINGS, rng,
                              1, &f->yp, &f->yc);
}

static inline void g2dw_transcript(const g2dw *f, const zkr_hpcs_commitment *x,
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

static inline zkr_err g2dw_prove(g2dw *f, const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_transcript t;

    g2dw_transcript(f, &f->xc, &f->wc, &f->yc, &t);
    return zkr_prover_ginf2_conv(&f->p, &t, &f->c, f->xp, f->wp, f->yp, o, rng, out);
}

/* Verifies pf against the commitments (each NULL: the fixture's), consumed whole. */
static inline zkr_err g2dw_verify(const g2dw *f, const zkr_hpcs_commitment *x,
                                  const zkr_hpcs_commitment *w, const zkr_hpcs_commitment *y,
                                  unsigned off, const uint8_t *pf, size_t len)
{
    zkr_transcript t;
    zkr_dec d;
    zkr_err r;

    x = x ? x : &f->xc, w = w ? w : &f->wc, y = y ? y : &f->yc;
    g2dw_transcript(f, x, w, y, &t);
    zkr_dec_init(&d, pf, len);
    r = zkr_verify_ginf2_conv(&f->p, &t, &f->c, x, w, y, off, 1, &d);
    return r != ZKR_OK ? r : zkr_dec_finish(&d);
}

static inline void g2dw_free(g2dw *f)
{
    zkr_hpcs_poly_free(f->xp), zkr_hpcs_poly_free(f->wp), zkr_hpcs_poly_free(f->yp);
    free(f->xt), free(f->wt), free(f->yt);
}

#endif
