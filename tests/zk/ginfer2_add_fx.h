/*
 * A small zero-knowledge residual ADD instance (zk/ginfer2_add.h) shared by
 * zk-ginfer2-add and soundness-ginfer2-add: a 2 x 3 x 3 output, X a plain
 * int8 tensor commitment (block 0, in_off 0), X2 block 1 of a 4-block table
 * read as entry - 128 (a requantization's or pooling's V, the other blocks
 * noise), or X2 = X (one node read twice). On the tests' reduced parameter
 * set (no grinding, 16 queries, rate 1/2; ZKR_GINF2_OFF_GRIND both sides).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_ADD_FX_H
#define ZKR_TESTS_ZK_GINFER2_ADD_FX_H

#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "verifier/ginfer2.h"

#define G2AFX_C 2u
#define G2AFX_H 3u
#define G2AFX_W 3u
#define G2AFX_N (G2AFX_C * G2AFX_H * G2AFX_W)
#define G2AFX_MA 23456
#define G2AFX_MB 17001
#define G2AFX_SHIFT 15u

typedef struct {
    zkr_params p;
    zkr_ginf2_add a;
    int same, relu;
    int8_t x1[G2AFX_N], x2[G2AFX_N], y[G2AFX_N]; /* real values, C-major; y the reference */
    zkr_gl *x1t, *x2t, *vt;                      /* tables (a cheating test edits vt) */
    zkr_hpcs_poly *x1p, *x2p, *vp;
    zkr_hpcs_commitment x1c, x2c, vc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2afx;

static inline size_t g2afx_p(const g2afx *f, uint32_t c, uint32_t y, uint32_t x)
{
    return ((size_t)c << (f->a.q.lh + f->a.q.lw)) | ((size_t)y << f->a.q.lw) | x;
}

/* The reference: docs/quantization.md 7.1's ADD, written out independently of the relation. */
static inline int8_t g2afx_ref(int64_t x, int64_t x2, int relu)
{
    int64_t u = x * G2AFX_MA + x2 * G2AFX_MB + ((int64_t)1 << (G2AFX_SHIFT - 1));
    int64_t s2 = (int64_t)1 << G2AFX_SHIFT;
    int64_t q = u >= 0 ? u >> G2AFX_SHIFT : -((-u + s2 - 1) >> G2AFX_SHIFT);
    int64_t lo = relu ? 0 : -128;

    return (int8_t)(q < lo ? lo : q > 127 ? 127 : q);
}

static inline zkr_err g2afx_init(g2afx *f, int same, int relu, uint64_t seed)
{
    const zkr_ginf2_cin c1 = {0u, 0u, 0, -128, 0u}, c2 = {2u, 1u, -128, -128, 0u};
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 7;
    size_t n2;
    zkr_err r;

    memset(f, 0, sizeof *f);
    f->same = same, f->relu = relu;
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    f->p.pow_bits = 0, f->p.queries = 16, f->p.log_blowup = 1;
    if ((r = zkr_ginf2_add_init(&f->a, G2AFX_C, G2AFX_H, G2AFX_W, G2AFX_MA, G2AFX_MB, G2AFX_SHIFT,
                                relu, &c1, same ? &c1 : &c2)) != ZKR_OK)
        return r;
    n2 = (size_t)1 << zkr_ginf2_add_x_vars(&f->a, 1);
    f->x1t = calloc((size_t)1 << f->a.q.lp, sizeof *f->x1t);
    f->x2t = calloc(n2, sizeof *f->x2t);
    f->vt = calloc((size_t)1 << zkr_ginf2_add_v_vars(&f->a), sizeof *f->vt);
    if (!f->x1t || !f->x2t || !f->vt)
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < n2; k++) { /* noise in X2's other blocks */
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        f->x2t[k] = (zkr_gl)(s >> 56);
    }
    for (uint32_t c = 0; c < G2AFX_C; c++)
        for (uint32_t y = 0; y < G2AFX_H; y++)
            for (uint32_t x = 0; x < G2AFX_W; x++) {
                size_t i = ((size_t)c * G2AFX_H + y) * G2AFX_W + x, p = g2afx_p(f, c, y, x);
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                f->x1[i] = (int8_t)(s >> 56);
                f->x2[i] = same ? f->x1[i] : (int8_t)(s >> 40);
                f->x1t[p] = zkr_gl_from_i64(f->x1[i]);
                if (!same)
                    f->x2t[((size_t)1 << f->a.q.lp) | p] = (zkr_gl)(f->x2[i] + 128);
                f->y[i] = g2afx_ref(f->x1[i], f->x2[i], relu);
            }
    for (size_t k = 0; k < sizeof f->sid; k++)
        f->sid[k] = (uint8_t)(seed + 5 * k);
    return zkr_ginf2_add_witness(&f->a, f->x1t, same ? f->x1t : f->x2t, f->vt);
}

/* Commits X (budget 1, or 2 read twice), X2 and V (2 openings) from rng. */
static inline zkr_err g2afx_commit(g2afx *f, zkr_zkrng *rng)
{
    unsigned nv = zkr_ginf2_add_v_vars(&f->a);
    zkr_err r;

    zkr_hpcs_poly_free(f->x1p), zkr_hpcs_poly_free(f->x2p), zkr_hpcs_poly_free(f->vp);
    f->x1p = f->x2p = f->vp = NULL;
    if ((r = zkr_prover_hcommit(&f->p, f->x1t, f->a.q.lp, f->same ? 2 : 1, rng, 1, &f->x1p,
                                &f->x1c)) != ZKR_OK ||
        (!f->same && (r = zkr_prover_hcommit(&f->p, f->x2t, zkr_ginf2_add_x_vars(&f->a, 1), 1,
                                             rng, 1, &f->x2p, &f->x2c)) != ZKR_OK))
        return r;
    return zkr_prover_hcommit_sized(&f->p, f->vt, nv,
                                    nv + zkr_ginf2_range_blind(&f->p, nv, ZKR_GINF2_ADD_V_OPENINGS),
                                    ZKR_GINF2_ADD_V_OPENINGS, rng, 1, &f->vp, &f->vc);
}

static inline void g2afx_transcript(const g2afx *f, const zkr_hpcs_commitment *v,
                                    zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&f->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, f->p.id, pd,
                f->sid);
    zkr_ts_absorb(t, "g2a-x1-root", f->x1c.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2a-x2-root", (f->same ? &f->x1c : &f->x2c)->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2a-v-root", v->root, ZKR_DIGEST_BYTES);
}

/* o's off gains ZKR_GINF2_OFF_GRIND (the reduced set). */
static inline zkr_err g2afx_prove(g2afx *f, const zkr_ginf2_popts *po, zkr_zkrng *rng,
                                  zkr_buf *out)
{
    zkr_ginf2_popts o = *po;
    zkr_transcript t;

    o.off |= ZKR_GINF2_OFF_GRIND;
    g2afx_transcript(f, &f->vc, &t);
    return zkr_prover_ginf2_add(&f->p, &t, &f->a, f->x1p, f->same ? f->x1p : f->x2p, f->vp, &o,
                                rng, out);
}

/* v: another V's commitment (NULL: f's). */
static inline zkr_err g2afx_verify(const g2afx *f, const zkr_ginf2_add *a,
                                   const zkr_hpcs_commitment *v, unsigned off, const uint8_t *pf,
                                   size_t len)
{
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    v = v ? v : &f->vc;
    g2afx_transcript(f, v, &t);
    zkr_dec_init(&d, pf, len);
    e = zkr_verify_ginf2_add(&f->p, &t, a ? a : &f->a, &f->x1c, f->same ? &f->x1c : &f->x2c, v,
                             off | ZKR_GINF2_OFF_GRIND, 1, &d);
    return e != ZKR_OK ? e : zkr_dec_finish(&d);
}

static inline void g2afx_free(g2afx *f)
{
    zkr_hpcs_poly_free(f->x1p), zkr_hpcs_poly_free(f->x2p), zkr_hpcs_poly_free(f->vp);
    free(f->x1t), free(f->x2t), free(f->vt);
}

#endif
