/*
 * graph-inference@2's zero-knowledge CONCAT on channels (zk/ginfer2.h,
 * "zero-knowledge CONCAT"): the layout, the honest witness, each input's
 * linear claim and weights (the verifier evaluates them by separable axis
 * sums) and the soundness figure. The prover is prover/ginfer2_cat.c, the
 * verifier verifier/ginfer2_cat.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ldr.h"
#include "zk/zk_int.h"

zkr_err zkr_ginf2_cat_init(zkr_ginf2_cat *q, unsigned k, const uint32_t *c,
                           const zkr_ginf2_cin *in, uint32_t h, uint32_t w)
{
    uint32_t sum = 0;
    unsigned base, need = 0;

    memset(q, 0, sizeof *q);
    if (k < 2 || k > ZKR_GINF2_CAT_MAX_IN || h == 0 || w == 0 || h > ZKR_CNN_MAX_DIM ||
        w > ZKR_CNN_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    q->k = k, q->h = h, q->w = w;
    q->lh = zkr_log2_ceil(h), q->lw = zkr_log2_ceil(w);
    for (unsigned j = 0; j < k; j++) {
        if (c[j] == 0 || c[j] > ZKR_CNN_MAX_DIM || in[j].isl > ZKR_GINF2_MAX_ISL ||
            in[j].block >= (1u << in[j].isl) || in[j].in_off < -128 || in[j].in_off > 0)
            return ZKR_ERR_MALFORMED;
        q->c[j] = c[j], q->off[j] = sum, q->in[j] = in[j];
        q->lc[j] = zkr_log2_ceil(c[j]);
        sum += c[j];
    }
    if (sum > ZKR_CNN_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    q->lco = zkr_log2_ceil(sum);
    base = q->lco + q->lh + q->lw;
    for (unsigned j = 0; j < k; j++) /* the link's hidden term: X_j's variables <= V's */
        if (zkr_ginf2_cat_x_vars(q, j) > need)
            need = zkr_ginf2_cat_x_vars(q, j);
    q->lsl = need > base ? need - base : 0;
    return zkr_ginf2_cat_v_vars(q) > ZKR_CNN_MAX_VARS ? ZKR_ERR_MALFORMED : ZKR_OK;
}

static zkr_gl g2k_gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

void zkr_ginf2_cat_witness(const zkr_ginf2_cat *q, const zkr_gl *const *x, zkr_gl *v)
{
    memset(v, 0, ((size_t)1 << zkr_ginf2_cat_v_vars(q)) * sizeof *v);
    for (unsigned j = 0; j < q->k; j++) {
        unsigned nx = q->lc[j] + q->lh + q->lw;
        for (uint32_t c = 0; c < q->c[j]; c++)
            for (uint32_t y = 0; y < q->h; y++)
                for (uint32_t xx = 0; xx < q->w; xx++) {
                    size_t hw = ((size_t)y << q->lw) | xx;
                    size_t src = ((size_t)q->in[j].block << nx) |
                                 ((size_t)c << (q->lh + q->lw)) | hw;
                    size_t dst = ((size_t)(q->off[j] + c) << (q->lh + q->lw)) | hw;
                    v[dst] = zkr_gl_add(x[j][src], g2k_gl(q->in[j].in_off + 128));
                }
    }
}

/*
 * sum_{t < count} eq(za, zoff + t) eq(ra, roff + t) over n-variable axes
 * (ra NULL: the eq(za, .) sum alone). NOMEM.
 */
static zkr_err g2k_axis(const zkr_ext *za, unsigned nz, uint32_t zoff, const zkr_ext *ra,
                        unsigned nr, uint32_t roff, uint32_t count, zkr_ext *out)
{
    zkr_ext *ez = malloc((((size_t)1 << nz) + ((size_t)1 << nr)) * sizeof *ez), *er;
    zkr_ext acc = zkr_ext_from(0);

    if (!ez)
        return ZKR_ERR_NOMEM;
    er = ez + ((size_t)1 << nz);
    zkr_mle_eq_table(za, nz, ez);
    if (ra)
        zkr_mle_eq_table(ra, nr, er);
    for (uint32_t t = 0; t < count; t++)
        acc = zkr_ext_add(acc, ra ? zkr_ext_mul(ez[zoff + t], er[roff + t]) : ez[zoff + t]);
    free(ez);
    *out = acc;
    return ZKR_OK;
}

/* prod_i (1 - a_i) (1 - b_i) over n slot coordinates (b NULL: prod (1 - a_i)). */
static zkr_ext g2k_zero(const zkr_ext *a, const zkr_ext *b, unsigned n)
{
    zkr_ext one = zkr_ext_from(1), acc = one;

    for (unsigned i = 0; i < n; i++) {
        acc = zkr_ext_mul(acc, zkr_ext_sub(one, a[i]));
        if (b)
            acc = zkr_ext_mul(acc, zkr_ext_sub(one, b[i]));
    }
    return acc;
}

/* The separable region sum: channel (z at off_j, r at roff), h, w axes; r NULL: eq sums only. */
static zkr_err g2k_region(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, const zkr_ext *r,
                          unsigned rlc, uint32_t roff, zkr_ext *out)
{
    unsigned lhw = q->lh + q->lw;
    zkr_ext cs, hs, ws;
    zkr_err e;

    if ((e = g2k_axis(z, q->lw, 0, r, q->lw, 0, q->w, &ws)) != ZKR_OK ||
        (e = g2k_axis(z + q->lw, q->lh, 0, r ? r + q->lw : NULL, q->lh, 0, q->h, &hs)) != ZKR_OK ||
        (e = g2k_axis(z + lhw, q->lco, q->off[j], r ? r + lhw : NULL, rlc, roff, q->c[j], &cs)) !=
            ZKR_OK)
        return e;
    *out = zkr_ext_mul(cs, zkr_ext_mul(hs, ws));
    return ZKR_OK;
}

zkr_err zkr_ginf2_cat_claim(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, zkr_ext *out)
{
    unsigned base = q->lco + q->lh + q->lw;
    zkr_ext sj;
    zkr_err e = g2k_region(q, j, z, NULL, 0, 0, &sj);

    *out = zkr_ext_mul_base(zkr_ext_mul(sj, g2k_zero(z + base, NULL, q->lsl)),
                            g2k_gl(q->in[j].in_off + 128));
    return e;
}

/*
 * The prover's tables (r NULL): eq(z, .) over V's variables restricted to
 * input j's region at slot 0 (wv), and minus it read at X_j's positions
 * (wx, block_j). NOMEM.
 */
static zkr_err g2k_tables(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, zkr_ext *wv,
                          zkr_ext *wx)
{
    unsigned nv = zkr_ginf2_cat_v_vars(q), lhw = q->lh + q->lw, nx = q->lc[j] + lhw;
    zkr_ext *eq = malloc(((size_t)1 << nv) * sizeof *eq);

    if (!eq)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(z, nv, eq);
    if (wv)
        memset(wv, 0, ((size_t)1 << nv) * sizeof *wv);
    if (wx)
        memset(wx, 0, ((size_t)1 << zkr_ginf2_cat_x_vars(q, j)) * sizeof *wx);
    for (uint32_t c = 0; c < q->c[j]; c++)
        for (uint32_t y = 0; y < q->h; y++)
            for (uint32_t x = 0; x < q->w; x++) {
                size_t hw = ((size_t)y << q->lw) | x;
                size_t at = ((size_t)(q->off[j] + c) << lhw) | hw;
                if (wv)
                    wv[at] = eq[at];
                if (wx)
                    wx[((size_t)q->in[j].block << nx) | ((size_t)c << lhw) | hw] =
                        zkr_ext_sub(zkr_ext_from(0), eq[at]);
            }
    free(eq);
    return ZKR_OK;
}

zkr_err zkr_ginf2_cat_wv(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, const zkr_ext *r,
                         zkr_ext *out)
{
    unsigned base = q->lco + q->lh + q->lw;
    zkr_ext reg;
    zkr_err e;

    if (!r)
        return g2k_tables(q, j, z, out, NULL);
    e = g2k_region(q, j, z, r, q->lco, q->off[j], &reg);
    *out = zkr_ext_mul(reg, g2k_zero(z + base, r + base, q->lsl));
    return e;
}

zkr_err zkr_ginf2_cat_wx(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, const zkr_ext *r,
                         zkr_ext *out)
{
    unsigned base = q->lco + q->lh + q->lw, nx = q->lc[j] + q->lh + q->lw;
    zkr_ext reg, bsel = zkr_ext_from(1);
    zkr_err e;

    if (!r)
        return g2k_tables(q, j, z, NULL, out);
    e = g2k_region(q, j, z, r, q->lc[j], 0, &reg);
    for (unsigned i = 0; i < q->in[j].isl; i++) /* X_j's block */
        bsel = zkr_ext_mul(bsel, (q->in[j].block >> i) & 1u
                                     ? r[nx + i]
                                     : zkr_ext_sub(zkr_ext_from(1), r[nx + i]));
    *out = zkr_ext_sub(zkr_ext_from(0),
                       zkr_ext_mul(reg, zkr_ext_mul(bsel, g2k_zero(z + base, NULL, q->lsl))));
    return e;
}

/* The figure at p's pow_bits (only the openings' query phases depend on it). */
static double g2k_bits(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                       const unsigned *xe)
{
    unsigned nv = zkr_ginf2_cat_v_vars(q), lcz = zkr_zkrange_coef_vars(nv);
    double err = 0.0;

    for (unsigned j = 0; j < q->k; j++) {
        err += pow(2.0, -zkr_cnn_relation_error_bits(0, 0, nv, 0, 0, 0)); /* z_j */
        err += zkr_zkrange_alg_error(p, nv, ve);
        err += pow(2.0, -zkr_ldr_hsoundness(p, nv + ve, 0, 0).provable_bits);
        err += pow(2.0, -zkr_ldr_hsoundness(p, zkr_ginf2_cat_x_vars(q, j) + xe[j], 0, 0)
                             .provable_bits);
        err += pow(2.0, -zkr_ldr_hsoundness(p, lcz + zkr_hpcs_blind_vars(p, lcz, 1), 0, 0)
                             .provable_bits);
    }
    return -log2(err);
}

typedef struct {
    const zkr_params *p;
    const zkr_ginf2_cat *q;
    unsigned ve;
    const unsigned *xe;
} g2k_grind;

static double g2k_at(const void *ctx, unsigned extra)
{
    const g2k_grind *g = ctx;

    return zkr_ginf2_cat_soundness_at(g->p, g->q, g->ve, g->xe, extra);
}

double zkr_ginf2_cat_soundness_at(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                                  const unsigned *xe, unsigned extra)
{
    zkr_params pg;

    zkr_ginf2_open_params(p, extra, 0, &pg);
    return g2k_bits(&pg, q, ve, xe);
}

unsigned zkr_ginf2_cat_grind_bits(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                                  const unsigned *xe, unsigned share)
{
    g2k_grind g = {p, q, ve, xe};

    return zkr_params_grind_bits(p, zkr_ginf2_share_target(p, share), ZKR_GINF2_MAX_EXTRA_POW,
                                 g2k_at, &g);
}

double zkr_ginf2_cat_soundness_bits(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                                    const unsigned *xe)
{
    return zkr_ginf2_cat_soundness_at(p, q, ve, xe, zkr_ginf2_cat_grind_bits(p, q, ve, xe, 1));
}
