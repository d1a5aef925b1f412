/*
 * graph-inference@2's zero-knowledge residual ADD (zk/ginfer2_add.h): V's
 * layout, its witness, the two range proofs' weights and claims, shared by
 * prover/ginfer2_add.c and verifier/ginfer2_add.c. docs/soundness.md,
 * "graph-inference@2", gives each row's integer bound.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ldr.h"

/*
 * V's slot variables may exceed the requantization's (an input with many
 * slot variables, a pooling's V): the folds below hold 2^G2A_MAX_LSL
 * entries and never call zkr_ginf2_rq_w_eval (its table holds
 * ZKR_GINF2_RQ_MAX_SLOTS).
 */
#define G2A_MAX_LSL 8u

static zkr_gl g2a_gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

static int64_t g2a_signed(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

static int g2a_in_ok(const zkr_ginf2_cin *x)
{
    return x->isl <= 8 && x->block < (1u << x->isl) && x->in_off >= -128 && x->in_off <= 0;
}

zkr_err zkr_ginf2_add_init(zkr_ginf2_add *a, uint32_t c, uint32_t h, uint32_t w, int64_t ma,
                           int64_t mb, uint32_t shift, int relu, const zkr_ginf2_cin *x1,
                           const zkr_ginf2_cin *x2)
{
    zkr_ginf2_rq *q = &a->q;
    uint64_t msum, bound;
    unsigned ab = 1, lsl;
    zkr_err r;

    memset(a, 0, sizeof *a);
    if (ma < 0 || mb < 0 || ma >= ((int64_t)1 << 31) || mb >= ((int64_t)1 << 31) ||
        !g2a_in_ok(x1) || !g2a_in_ok(x2))
        return ZKR_ERR_MALFORMED;
    /* |acc| = |Ma X + Mb X2| <= 128 (Ma + Mb) < 2^ab */
    msum = (uint64_t)ma + (uint64_t)mb;
    bound = 128u * msum;
    while (ab < 58 && (bound >> ab))
        ab++;
    if ((r = zkr_ginf2_rq_init(q, c, h, w, 1, shift, relu, ab)) != ZKR_OK)
        return r;
    a->ma = ma, a->mb = mb, a->in[0] = *x1, a->in[1] = *x2;
    a->s_a = q->nsl, a->s_b = q->nsl + 1;
    q->nsl += 2;
    lsl = zkr_log2_ceil(q->nsl);
    /* each input's commitment fits a range proof's hidden term: lp + isl <= max(lp + lsl, 8) */
    for (unsigned k = 0; k < 2; k++)
        if (q->lp + a->in[k].isl > 8 && a->in[k].isl > lsl)
            lsl = a->in[k].isl;
    q->lsl = lsl;
    if (q->nsl > ZKR_GINF2_RQ_MAX_SLOTS || lsl > G2A_MAX_LSL || q->lp + q->lsl > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    /* row 0: acc -> Ma A + Mb B - 128 (Ma + Mb) on real elements */
    q->acc_coef[0] = 0;
    q->coef[0][a->s_a] = g2a_gl(ma);
    q->coef[0][a->s_b] = g2a_gl(mb);
    q->cst[0] = zkr_gl_sub(q->cst[0], g2a_gl((int64_t)(128u * msum)));
    return ZKR_OK;
}

/* Input k's real value at element p of its table. */
static int64_t g2a_in_val(const zkr_ginf2_add *a, unsigned k, const zkr_gl *x, size_t p)
{
    return g2a_signed(x[((size_t)a->in[k].block << a->q.lp) | p]) + a->in[k].in_off;
}

zkr_err zkr_ginf2_add_witness(const zkr_ginf2_add *a, const zkr_gl *x1, const zkr_gl *x2,
                              zkr_gl *v)
{
    const zkr_ginf2_rq *q = &a->q;
    size_t np = (size_t)1 << q->lp;
    int64_t *acc = calloc(np, sizeof *acc);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!acc)
        return r;
    r = ZKR_OK;
    for (uint32_t c = 0; c < q->c && r == ZKR_OK; c++)
        for (uint32_t y = 0; y < q->h; y++)
            for (uint32_t x = 0; x < q->w; x++) {
                size_t p = ((size_t)c << (q->lh + q->lw)) | ((size_t)y << q->lw) | x;
                int64_t u = g2a_in_val(a, 0, x1, p), u2 = g2a_in_val(a, 1, x2, p);
                if (u < -128 || u > 127 || u2 < -128 || u2 > 127)
                    r = ZKR_ERR_USAGE;
                acc[p] = a->ma * u + a->mb * u2;
            }
    if (r == ZKR_OK && (r = zkr_ginf2_rq_witness(q, acc, v)) == ZKR_OK)
        for (uint32_t c = 0; c < q->c; c++)
            for (uint32_t y = 0; y < q->h; y++)
                for (uint32_t x = 0; x < q->w; x++) {
                    size_t p = ((size_t)c << (q->lh + q->lw)) | ((size_t)y << q->lw) | x;
                    v[((size_t)a->s_a << q->lp) | p] = (zkr_gl)(g2a_in_val(a, 0, x1, p) + 128);
                    v[((size_t)a->s_b << q->lp) | p] = (zkr_gl)(g2a_in_val(a, 1, x2, p) + 128);
                }
    free(acc);
    return r;
}

int64_t zkr_ginf2_add_out(const zkr_ginf2_add *a, const zkr_gl *v, size_t p)
{
    return (int64_t)v[p] + a->q.lo;
}

/* The L row's coefficient in range proof k: lambda^9 (proof 0), 1 (proof 1), 0 (link off). */
static zkr_ext g2a_lcoef(unsigned k, zkr_ext lambda, int link)
{
    zkr_ext l = zkr_ext_from(link ? 1 : 0);

    for (unsigned t = 0; k == 0 && t < ZKR_GINF2_RQ_ROWS; t++)
        l = zkr_ext_mul(l, lambda);
    return l;
}

/* valid(p) for p < 2^lp. */
static int g2a_real(const zkr_ginf2_rq *q, size_t p)
{
    return (p & (((size_t)1 << q->lw) - 1)) < q->w &&
           ((p >> q->lw) & (((size_t)1 << q->lh) - 1)) < q->h && (p >> (q->lh + q->lw)) < q->c;
}

zkr_err zkr_ginf2_add_weights(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z,
                              zkr_ext lambda, int link, zkr_ext *wv, zkr_ext *wx)
{
    const zkr_ginf2_rq *q = &a->q;
    size_t np = (size_t)1 << q->lp, nx = (size_t)1 << zkr_ginf2_add_x_vars(a, k);
    zkr_ext *eqz = malloc(np * sizeof *eqz), cj[1u << G2A_MAX_LSL], acc;
    zkr_ext l = g2a_lcoef(k, lambda, link);
    unsigned s = k == 0 ? a->s_a : a->s_b;

    if (!eqz)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(z, q->lp, eqz);
    for (size_t i = 0; i < (np << q->lsl); i++)
        wv[i] = zkr_ext_from(0);
    for (size_t i = 0; i < nx; i++)
        wx[i] = zkr_ext_from(0);
    if (k == 0) {
        zkr_ginf2_rq_fold(q, lambda, cj, &acc);
        for (size_t j = 0; j < q->nsl; j++)
            for (size_t p = 0; p < np; p++)
                wv[(j << q->lp) | p] = zkr_ext_mul(eqz[p], cj[j]);
    }
    for (size_t p = 0; p < np; p++)
        if (g2a_real(q, p)) {
            zkr_ext e = zkr_ext_mul(eqz[p], l);
            wv[((size_t)s << q->lp) | p] = zkr_ext_add(wv[((size_t)s << q->lp) | p], e);
            wx[((size_t)a->in[k].block << q->lp) | p] = zkr_ext_sub(zkr_ext_from(0), e);
        }
    free(eqz);
    return ZKR_OK;
}

zkr_ext zkr_ginf2_add_claim(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z, zkr_ext lambda,
                            int link)
{
    const zkr_ginf2_rq *q = &a->q;
    zkr_ext c = zkr_ext_mul_base(g2a_lcoef(k, lambda, link), (zkr_gl)(128 + a->in[k].in_off));

    c = zkr_ext_mul(c, zkr_cnn_valid_eval(q->c, q->h, q->w, q->lc, q->lh, q->lw, z));
    return k == 0 ? zkr_ext_add(zkr_ginf2_rq_claim(q, z, lambda), c) : c;
}

/* sum over real p of eq(r, p) eq(z, p) (one axis: n real of 2^l). */
static zkr_ext g2a_axis(const zkr_ext *r, const zkr_ext *z, unsigned l, uint32_t n)
{
    zkr_ext acc = zkr_ext_from(0);

    for (uint32_t i = 0; i < n; i++) {
        zkr_ext e = zkr_ext_from(1);
        for (unsigned b = 0; b < l; b++) {
            zkr_ext one = zkr_ext_from(1);
            e = zkr_ext_mul(e, (i >> b) & 1u
                                   ? zkr_ext_mul(r[b], z[b])
                                   : zkr_ext_mul(zkr_ext_sub(one, r[b]), zkr_ext_sub(one, z[b])));
        }
        acc = zkr_ext_add(acc, e);
    }
    return acc;
}

static zkr_ext g2a_vw(const zkr_ginf2_rq *q, const zkr_ext *r, const zkr_ext *z)
{
    zkr_ext sx = g2a_axis(r, z, q->lw, q->w), sy = g2a_axis(r + q->lw, z + q->lw, q->lh, q->h);

    return zkr_ext_mul(zkr_ext_mul(sx, sy),
                       g2a_axis(r + q->lw + q->lh, z + q->lw + q->lh, q->lc, q->c));
}

/* eq(r, j) over l coordinates. */
static zkr_ext g2a_eq_idx(const zkr_ext *r, unsigned l, uint32_t j)
{
    zkr_ext e = zkr_ext_from(1);

    for (unsigned b = 0; b < l; b++)
        e = zkr_ext_mul(e, (j >> b) & 1u ? r[b] : zkr_ext_sub(zkr_ext_from(1), r[b]));
    return e;
}

zkr_ext zkr_ginf2_add_w_eval(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z,
                             zkr_ext lambda, int link, const zkr_ext *r)
{
    const zkr_ginf2_rq *q = &a->q;
    zkr_ext cj[1u << G2A_MAX_LSL], acc, out = zkr_ext_from(0), lt;

    if (k == 0) { /* eq(z, r_<lp) sum_j eq(r_>=lp, j) C_j over the used slots */
        zkr_ginf2_rq_fold(q, lambda, cj, &acc);
        for (unsigned j = 0; j < q->nsl; j++)
            out = zkr_ext_add(out, zkr_ext_mul(g2a_eq_idx(r + q->lp, q->lsl, j), cj[j]));
        out = zkr_ext_mul(out, zkr_mle_eq_eval(z, r, q->lp));
    }
    lt = zkr_ext_mul(zkr_ext_mul(g2a_lcoef(k, lambda, link), g2a_vw(q, r, z)),
                     g2a_eq_idx(r + q->lp, q->lsl, k == 0 ? a->s_a : a->s_b));
    return zkr_ext_add(out, lt);
}

zkr_ext zkr_ginf2_add_x_eval(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z,
                             zkr_ext lambda, int link, const zkr_ext *r)
{
    const zkr_ginf2_rq *q = &a->q;
    zkr_ext e = zkr_ext_mul(zkr_ext_mul(g2a_lcoef(k, lambda, link), g2a_vw(q, r, z)),
                            g2a_eq_idx(r + q->lp, a->in[k].isl, a->in[k].block));

    return zkr_ext_sub(zkr_ext_from(0), e);
}

/* The figure at p's pow_bits (only the openings' query phases depend on it). */
static double g2a_sound_bits(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                             unsigned x1e, unsigned x2e)
{
    unsigned nv = zkr_ginf2_add_v_vars(a), lcz = zkr_zkrange_coef_vars(nv);
    double err, c = pow(2.0, -zkr_ldr_hsoundness(p, lcz + zkr_hpcs_blind_vars(p, lcz, 1), 0, 0)
                                   .provable_bits);

    /* z, z2 (lp each) and lambda (rows 0..8 and L1: degree 9 in lambda) */
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, 2 * a->q.lp + ZKR_GINF2_ADD_ROWS, 0, 0, 0));
    err += 2 * zkr_zkrange_alg_error(p, nv, ve);
    /* per range proof: V's batch, C's opening; the two hidden terms' openings */
    err += 2 * pow(2.0, -zkr_ldr_hsoundness(p, nv + ve, 0, 0).provable_bits) + 2 * c;
    err += pow(2.0, -zkr_ldr_hsoundness(p, zkr_ginf2_add_x_vars(a, 0) + x1e, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, zkr_ginf2_add_x_vars(a, 1) + x2e, 0, 0).provable_bits);
    return -log2(err);
}

typedef struct {
    const zkr_params *p;
    const zkr_ginf2_add *a;
    unsigned ve, x1e, x2e;
} g2a_grind;

static double g2a_at(const void *ctx, unsigned extra)
{
    const g2a_grind *g = ctx;

    return zkr_ginf2_add_soundness_at(g->p, g->a, g->ve, g->x1e, g->x2e, extra);
}

double zkr_ginf2_add_soundness_at(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                                  unsigned x1e, unsigned x2e, unsigned extra)
{
    zkr_params pg;

    zkr_ginf2_open_params(p, extra, 0, &pg);
    return g2a_sound_bits(&pg, a, ve, x1e, x2e);
}

unsigned zkr_ginf2_add_grind_bits(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                                  unsigned x1e, unsigned x2e, unsigned share)
{
    g2a_grind g = {p, a, ve, x1e, x2e};

    return zkr_params_grind_bits(p, zkr_ginf2_share_target(p, share), ZKR_GINF2_MAX_EXTRA_POW,
                                 g2a_at, &g);
}

double zkr_ginf2_add_soundness_bits(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                                    unsigned x1e, unsigned x2e)
{
    return zkr_ginf2_add_soundness_at(p, a, ve, x1e, x2e,
                                      zkr_ginf2_add_grind_bits(p, a, ve, x1e, x2e, 1));
}
