/*
 * graph-inference@2's zero-knowledge max pooling (zk/ginfer2.h): the byte
 * witness, its validity and the rows' weights, shared by
 * prover/ginfer2_pool.c and verifier/ginfer2_pool.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ldr.h"

zkr_err zkr_ginf2_pool_init(zkr_ginf2_pool *q, const zkr_cnn_win *g)
{
    return zkr_ginf2_pool_init_chained(q, g, 0, 0);
}

zkr_err zkr_ginf2_pool_init_chained(zkr_ginf2_pool *q, const zkr_cnn_win *g, unsigned isl,
                                    int64_t in_off)
{
    unsigned nx = zkr_cnn_in_vars(g) + isl, nv;

    memset(q, 0, sizeof *q);
    if (isl > 8 || in_off < -128 || in_off > 0)
        return ZKR_ERR_MALFORMED;
    q->g = *g;
    q->le = g->lkw + g->lkh;
    q->lp = zkr_cnn_out_vars(g);
    q->isl = isl, q->in_off = in_off;
    q->lsl = ZKR_G2P_SLOTS_LOG;
    if (nx > q->le + q->lp + q->lsl)
        q->lsl = nx - q->le - q->lp;
    if (q->lsl > ZKR_G2P_MAX_SLOTS_LOG)
        return ZKR_ERR_MALFORMED;
    nv = zkr_ginf2_pool_v_vars(q);
    if (nv > ZKR_CNN_MAX_VARS || nx > (nv > ZKR_ZKRANGE_TABLE_VARS ? nv : ZKR_ZKRANGE_TABLE_VARS))
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

/* Coordinates of q: ox, oy, c (p), j, i (e). */
static void g2p_split(const zkr_ginf2_pool *q, size_t qi, uint32_t *ox, uint32_t *oy, uint32_t *c,
                      uint32_t *j, uint32_t *i)
{
    const zkr_cnn_win *g = &q->g;

    *ox = (uint32_t)(qi & (((size_t)1 << g->low) - 1));
    *oy = (uint32_t)((qi >> g->low) & (((size_t)1 << g->loh) - 1));
    *c = (uint32_t)((qi >> (g->low + g->loh)) & (((size_t)1 << g->lc) - 1));
    *j = (uint32_t)((qi >> q->lp) & (((size_t)1 << g->lkw) - 1));
    *i = (uint32_t)(qi >> (q->lp + g->lkw));
}

/* The input position q reads (0 when outside). */
static int g2p_read(const zkr_ginf2_pool *q, size_t qi, size_t *xi)
{
    const zkr_cnn_win *g = &q->g;
    uint32_t ox, oy, c, j, i;
    int64_t yy, xx;

    g2p_split(q, qi, &ox, &oy, &c, &j, &i);
    if (ox >= g->ow || oy >= g->oh || c >= g->c || j >= g->kw || i >= g->kh)
        return 0;
    yy = (int64_t)oy * g->sh + (int64_t)i * g->dh - g->pt;
    xx = (int64_t)ox * g->sw + (int64_t)j * g->dw - g->pl;
    if (yy < 0 || xx < 0 || yy >= g->h || xx >= g->w)
        return 0;
    *xi = ((size_t)c << (g->lh + g->lw)) | ((size_t)yy << g->lw) | (size_t)xx;
    return 1;
}

int zkr_ginf2_pool_valid(const zkr_ginf2_pool *q, size_t qi)
{
    size_t xi;

    return g2p_read(q, qi, &xi);
}

static int64_t g2p_signed(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

void zkr_ginf2_pool_witness(const zkr_ginf2_pool *q, const zkr_gl *x, zkr_gl *v)
{
    size_t np = (size_t)1 << q->lp, ne = (size_t)1 << q->le, nq = np * ne;

    memset(v, 0, (nq << q->lsl) * sizeof *v);
    for (size_t p = 0; p < np; p++) {
        int64_t best = INT64_MIN;
        size_t arg = 0, xi;
        for (size_t e = 0; e < ne; e++)
            if (g2p_read(q, p | (e << q->lp), &xi) && g2p_signed(x[xi]) + q->in_off > best)
                best = g2p_signed(x[xi]) + q->in_off, arg = e;
        if (best == INT64_MIN)
            continue; /* a padded output: every slot 0 */
        for (size_t e = 0; e < ne; e++) {
            size_t qi = p | (e << q->lp);
            v[((size_t)ZKR_G2P_YB * nq) | qi] = (zkr_gl)(best + 128);
            if (!g2p_read(q, qi, &xi))
                continue;
            {
                zkr_gl d = (zkr_gl)(best - g2p_signed(x[xi]) - q->in_off), ec = e != arg;
                v[((size_t)ZKR_G2P_D * nq) | qi] = d;
                v[((size_t)ZKR_G2P_E * nq) | qi] = 1 - ec;
                v[((size_t)ZKR_G2P_EC * nq) | qi] = ec;
                v[((size_t)ZKR_G2P_S * nq) | qi] = 255 * ec - d;
            }
        }
    }
}

zkr_err zkr_ginf2_pool_vw(const zkr_ginf2_pool *q, const zkr_ext *r, const zkr_ext *z,
                          zkr_ext *out)
{
    const zkr_cnn_win *g = &q->g;
    size_t n = (size_t)g->kh + g->oh + g->kw + g->ow + g->c;
    zkr_ext *buf = malloc(2 * n * sizeof *buf), *ki, *oy, *kj, *ox, *cc, sh, sw, sc;
    /* coordinate offsets in q: ox, oy, c, j, i */
    unsigned o_oy = g->low, o_c = g->low + g->loh, o_j = q->lp, o_i = q->lp + g->lkw;

    if (!buf)
        return ZKR_ERR_NOMEM;
    ki = buf, oy = ki + g->kh, kj = oy + g->oh, ox = kj + g->kw, cc = ox + g->ow;
    zkr_cnn_eq_prefix(r + o_i, g->lkh, g->kh, ki);
    zkr_cnn_eq_prefix(r + o_oy, g->loh, g->oh, oy);
    zkr_cnn_eq_prefix(r + o_j, g->lkw, g->kw, kj);
    zkr_cnn_eq_prefix(r, g->low, g->ow, ox);
    zkr_cnn_eq_prefix(r + o_c, g->lc, g->c, cc);
    if (z) {
        zkr_ext *t = buf + n;
        zkr_cnn_eq_prefix(z + o_i, g->lkh, g->kh, t);
        zkr_cnn_eq_prefix(z + o_oy, g->loh, g->oh, t + g->kh);
        zkr_cnn_eq_prefix(z + o_j, g->lkw, g->kw, t + g->kh + g->oh);
        zkr_cnn_eq_prefix(z, g->low, g->ow, t + g->kh + g->oh + g->kw);
        zkr_cnn_eq_prefix(z + o_c, g->lc, g->c, t + g->kh + g->oh + g->kw + g->ow);
        for (size_t k = 0; k < n; k++)
            buf[k] = zkr_ext_mul(buf[k], t[k]);
    }
    sh = sw = sc = zkr_ext_from(0);
    for (uint32_t i = 0; i < g->kh; i++)
        for (uint32_t y = 0; y < g->oh; y++) {
            int64_t yy = (int64_t)y * g->sh + (int64_t)i * g->dh - g->pt;
            if (yy >= 0 && yy < g->h)
                sh = zkr_ext_add(sh, zkr_ext_mul(ki[i], oy[y]));
        }
    for (uint32_t j = 0; j < g->kw; j++)
        for (uint32_t x = 0; x < g->ow; x++) {
            int64_t xx = (int64_t)x * g->sw + (int64_t)j * g->dw - g->pl;
            if (xx >= 0 && xx < g->w)
                sw = zkr_ext_add(sw, zkr_ext_mul(kj[j], ox[x]));
        }
    for (uint32_t c = 0; c < g->c; c++)
        sc = zkr_ext_add(sc, cc[c]);
    *out = zkr_ext_mul(sc, zkr_ext_mul(sh, sw));
    free(buf);
    return ZKR_OK;
}

void zkr_ginf2_pool_draw(zkr_transcript *t, const zkr_ginf2_pool *q, zkr_ginf2_pool_chal *c)
{
    zkr_ts_challenge_exts(t, "g2p-z", c->z, q->le + q->lp);
    zkr_ts_challenge_exts(t, "g2p-zo", c->zo, q->lp);
    c->lambda = zkr_ts_challenge_ext(t, "g2p-lambda");
}

static zkr_ext g2p_pow(zkr_ext a, unsigned k)
{
    zkr_ext r = zkr_ext_from(1);

    while (k--)
        r = zkr_ext_mul(r, a);
    return r;
}

zkr_err zkr_ginf2_pool_claim(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c,
                             zkr_ext *out)
{
    const zkr_cnn_win *g = &q->g;
    zkr_ext vz, vo;
    zkr_err r;

    if ((r = zkr_ginf2_pool_vw(q, c->z, NULL, &vz)) != ZKR_OK)
        return r;
    vo = zkr_cnn_valid_eval(g->c, g->oh, g->ow, g->lc, g->loh, g->low, c->zo);
    *out = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(c->lambda, zkr_ext_from((zkr_gl)(128 + q->in_off))),
                                   vz),
                       zkr_ext_mul(g2p_pow(c->lambda, 3), vo));
    return ZKR_OK;
}

zkr_err zkr_ginf2_pool_w_eval(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c,
                              const zkr_ext *r, zkr_ext *out)
{
    unsigned nq = q->le + q->lp;
    zkr_ext l = c->lambda, l2 = g2p_pow(l, 2), l3 = g2p_pow(l, 3), l4 = g2p_pow(l, 4);
    zkr_ext eqz = zkr_mle_eq_eval(c->z, r, nq), vw, w[1u << ZKR_G2P_MAX_SLOTS_LOG];
    zkr_ext zero[ZKR_CNN_MAX_VARS], sl[1u << ZKR_G2P_MAX_SLOTS_LOG], acc = zkr_ext_from(0);
    zkr_err e;

    if ((e = zkr_ginf2_pool_vw(q, r, c->z, &vw)) != ZKR_OK)
        return e;
    for (unsigned k = 0; k < q->le; k++)
        zero[k] = zkr_ext_from(0);
    memset(w, 0, sizeof w);
    w[ZKR_G2P_D] = zkr_ext_mul(eqz, zkr_ext_add(zkr_ext_from(1), l2));
    w[ZKR_G2P_E] = zkr_ext_add(zkr_ext_mul(eqz, l), zkr_ext_mul(l3, zkr_mle_eq_eval(c->zo, r, q->lp)));
    w[ZKR_G2P_EC] = zkr_ext_mul(eqz, zkr_ext_sub(l, zkr_ext_mul_base(l2, 255)));
    w[ZKR_G2P_S] = zkr_ext_mul(eqz, l2);
    w[ZKR_G2P_YB] = zkr_ext_add(
        zkr_ext_sub(zkr_ext_from(0), vw),
        zkr_ext_mul(l4, zkr_ext_sub(eqz, zkr_ext_mul(zkr_mle_eq_eval(zero, r + q->lp, q->le),
                                                     zkr_mle_eq_eval(c->z, r, q->lp)))));
    zkr_mle_eq_table(r + nq, q->lsl, sl);
    for (unsigned k = 0; k <= ZKR_G2P_YB; k++)
        acc = zkr_ext_add(acc, zkr_ext_mul(sl[k], w[k]));
    *out = acc;
    return ZKR_OK;
}

zkr_cnn_view_pt zkr_ginf2_pool_view(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c)
{
    const zkr_cnn_win *g = &q->g;
    zkr_cnn_view_pt v = {c->z + g->low + g->loh, c->z + q->lp + g->lkw, c->z + q->lp,
                         c->z + g->low, c->z};

    return v;
}

/* The figure at p's pow_bits (only the openings' query phases depend on it). */
static double g2pool_bits(const zkr_params *p, const void *qv, unsigned ve, unsigned xe)
{
    const zkr_ginf2_pool *q = qv;
    unsigned nv = zkr_ginf2_pool_v_vars(q), lcz = zkr_zkrange_coef_vars(nv);
    double err;

    /* z, zo, lambda (5 rows: degree 4 in lambda) */
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, q->le + 2 * q->lp + 5, 0, 0, 0));
    err += zkr_zkrange_alg_error(p, nv, ve);
    err += pow(2.0, -zkr_ldr_hsoundness(p, nv + ve, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, zkr_ginf2_pool_x_vars(q) + xe, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, lcz + zkr_hpcs_blind_vars(p, lcz, 1), 0, 0)
                         .provable_bits);
    return -log2(err);
}

double zkr_ginf2_pool_soundness_at(const zkr_params *p, const zkr_ginf2_pool *q, unsigned ve,
                                 unsigned xe, unsigned extra)
{
    return zkr_ginf2_bits2_at(g2pool_bits, p, q, ve, xe, extra);
}

unsigned zkr_ginf2_pool_grind_bits(const zkr_params *p, const zkr_ginf2_pool *q, unsigned ve,
                                 unsigned xe, unsigned share)
{
    return zkr_ginf2_bits2_grind(g2pool_bits, p, q, ve, xe, share);
}

double zkr_ginf2_pool_soundness_bits(const zkr_params *p, const zkr_ginf2_pool *q, unsigned ve,
                                   unsigned xe)
{
    return zkr_ginf2_pool_soundness_at(p, q, ve, xe,
                                     zkr_ginf2_pool_grind_bits(p, q, ve, xe, 1));
}
