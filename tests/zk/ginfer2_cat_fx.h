/*
 * A small zero-knowledge CONCAT instance shared by zk-ginfer2-cat and
 * soundness-ginfer2-cat: X_0 a plain 3 x 4 x 4 int8 tensor commitment, X_1
 * a 2 x 4 x 4 tensor held as block 1 of a two-block table (isl 1) of bytes
 * read with in_off -128 (as a producer's witness holds its output), V the
 * 5 x 4 x 4 concatenation (bytes value + 128). X_j committed for one
 * opening, V for k = 2 (its two range proofs). A test may edit V's table
 * (vt) before committing (a cheating prover).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_CAT_FX_H
#define ZKR_TESTS_ZK_GINFER2_CAT_FX_H

#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "verifier/ginfer2.h"

typedef struct {
    zkr_params p;
    zkr_ginf2_cat q;
    zkr_gl *xt[2], *vt;
    zkr_hpcs_poly *xp[2], *vp;
    zkr_hpcs_commitment xc[2], vc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} g2kfx;

static inline zkr_err g2kfx_init(g2kfx *f, uint64_t seed)
{
    static const uint32_t c[2] = {3, 2};
    const zkr_ginf2_cin in[2] = {{0, 0, 0, -128, 0}, {1, 1, -128, -128, 0}};
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 3;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK ||
        (r = zkr_ginf2_cat_init(&f->q, 2, c, in, 4, 4)) != ZKR_OK)
        return r;
    for (unsigned j = 0; j < 2; j++) {
        size_t n = (size_t)1 << zkr_ginf2_cat_x_vars(&f->q, j);
        unsigned nx = f->q.lc[j] + f->q.lh + f->q.lw;
        if (!(f->xt[j] = calloc(n, sizeof *f->xt[j])))
            return ZKR_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) {
            int64_t v;
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            v = (int64_t)(s >> 56) - 128; /* int8 */
            if (j == 1 && (i >> nx) != 1) /* the other block: unrelated bytes */
                v = (int64_t)((s >> 40) & 255u);
            else if (j == 1)
                v += 128; /* block 1: the byte value + 128 */
            f->xt[j][i] = v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
        }
    }
    if (!(f->vt = calloc((size_t)1 << zkr_ginf2_cat_v_vars(&f->q), sizeof *f->vt)))
        return ZKR_ERR_NOMEM;
    zkr_ginf2_cat_witness(&f->q, (const zkr_gl *const *)f->xt, f->vt);
    for (size_t i = 0; i < sizeof f->sid; i++)
        f->sid[i] = (uint8_t)(seed + 7 * i);
    return ZKR_OK;
}

/* The tests' reduced set (no grinding, 16 queries, rate 1/2; ZKR_GINF2_OFF_GRIND on both sides). */
static inline void g2kfx_reduce(g2kfx *f)
{
    f->p.pow_bits = 0;
    f->p.queries = 16;
    f->p.log_blowup = 1;
}

static inline zkr_err g2kfx_commit(g2kfx *f, zkr_zkrng *rng)
{
    unsigned nv = zkr_ginf2_cat_v_vars(&f->q);
    zkr_err r = ZKR_OK;

    for (unsigned j = 0; j < 2 && r == ZKR_OK; j++) {
        zkr_hpcs_poly_free(f->xp[j]);
        f->xp[j] = NULL;
        r = zkr_prover_hcommit(&f->p, f->xt[j], zkr_ginf2_cat_x_vars(&f->q, j), 1, rng, 1,
                               &f->xp[j], &f->xc[j]);
    }
    zkr_hpcs_poly_free(f->vp);
    f->vp = NULL;
    if (r == ZKR_OK)
        r = zkr_prover_hcommit_sized(&f->p, f->vt, nv, nv + zkr_ginf2_range_blind(&f->p, nv, 2),
                                     2, rng, 1, &f->vp, &f->vc);
    return r;
}

static inline void g2kfx_transcript(const g2kfx *f, const zkr_hpcs_commitment *const *x,
                                    const zkr_hpcs_commitment *v, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&f->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, f->p.id, pd,
                f->sid);
    zkr_ts_absorb(t, "g2-x0-root", x[0]->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-x1-root", x[1]->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-v-root", v->root, ZKR_DIGEST_BYTES);
}

static inline zkr_err g2kfx_prove(g2kfx *f, const zkr_ginf2_popts *o, zkr_zkrng *rng,
                                  zkr_buf *out)
{
    const zkr_hpcs_commitment *xc[2] = {&f->xc[0], &f->xc[1]};
    zkr_transcript t;

    g2kfx_transcript(f, xc, &f->vc, &t);
    return zkr_prover_ginf2_cat(&f->p, &t, &f->q, f->xp, f->vp, o, rng, out);
}

/* Verifies pf (x0, x1, v NULL: the fixture's commitments), consumed whole. */
static inline zkr_err g2kfx_verify(const g2kfx *f, const zkr_hpcs_commitment *x0,
                                   const zkr_hpcs_commitment *x1, const zkr_hpcs_commitment *v,
                                   unsigned off, const uint8_t *pf, size_t len)
{
    const zkr_hpcs_commitment *xc[2] = {x0 ? x0 : &f->xc[0], x1 ? x1 : &f->xc[1]};
    zkr_transcript t;
    zkr_dec d;
    zkr_err r;

    v = v ? v : &f->vc;
    g2kfx_transcript(f, xc, v, &t);
    zkr_dec_init(&d, pf, len);
    r = zkr_verify_ginf2_cat(&f->p, &t, &f->q, xc, v, off, 1, &d);
    return r != ZKR_OK ? r : zkr_dec_finish(&d);
}

static inline void g2kfx_free(g2kfx *f)
{
    for (unsigned j = 0; j < 2; j++)
        zkr_hpcs_poly_free(f->xp[j]), free(f->xt[j]);
    zkr_hpcs_poly_free(f->vp);
    free(f->vt);
}

#endif
