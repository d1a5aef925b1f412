/*
 * graph-inference@2's zero-knowledge average pooling (zk/ginfer2_avg.h):
 * the byte witness, the rows' weights and claim, and the soundness figure,
 * shared by prover/ginfer2_avg.c and verifier/ginfer2_avg.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ldr.h"

zkr_err zkr_ginf2_avg_init(zkr_ginf2_avg *q, const zkr_cnn_win *g, unsigned isl, uint32_t block,
                           int64_t in_off)
{
    unsigned nx = zkr_cnn_in_vars(g) + isl, nv;
    uint64_t k = (uint64_t)g->kh * g->kw;

    memset(q, 0, sizeof *q);
    if (g->dh != 1 || g->dw != 1 || k == 0 || k > ZKR_G2A_MAX_K || isl > ZKR_GINF2_MAX_ISL ||
        (uint64_t)block >> isl != 0 || in_off < -128 || in_off > 0)
        return ZKR_ERR_MALFORMED;
    q->g = *g;
    q->lp = zkr_cnn_out_vars(g);
    q->isl = isl, q->block = block, q->in_off = in_off, q->k = (uint32_t)k;
    /* X is the range proof's hidden term: its variables at most max(V's, 8) */
    q->lsl = nx > q->lp + ZKR_G2A_SLOTS_LOG ? nx - q->lp : ZKR_G2A_SLOTS_LOG;
    nv = zkr_ginf2_avg_v_vars(q);
    if (nv > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

int zkr_ginf2_avg_real(const zkr_ginf2_avg *q, size_t p)
{
    const zkr_cnn_win *g = &q->g;
    size_t ox = p & (((size_t)1 << g->low) - 1), oy = (p >> g->low) & (((size_t)1 << g->loh) - 1);
    size_t c = p >> (g->low + g->loh);

    return ox < g->ow && oy < g->oh && c < g->c;
}

static int64_t g2a_signed(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

/* floor(a / b), b > 0. */
static int64_t g2a_floor_div(int64_t a, int64_t b)
{
    int64_t d = a / b;

    return (a % b != 0 && a < 0) ? d - 1 : d;
}

void zkr_ginf2_avg_witness(const zkr_ginf2_avg *q, const zkr_gl *x, zkr_gl *v)
{
    const zkr_cnn_win *g = &q->g;
    size_t np = (size_t)1 << q->lp, base = (size_t)q->block << zkr_cnn_in_vars(g);
    int64_t k = q->k;

    memset(v, 0, (np << q->lsl) * sizeof *v);
    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                int64_t sum = 0, y, rem;
                for (uint32_t i = 0; i < g->kh; i++)
                    for (uint32_t j = 0; j < g->kw; j++) {
                        int64_t yy = (int64_t)oy * g->sh + i - g->pt;
                        int64_t xx = (int64_t)ox * g->sw + j - g->pl;
                        if (yy < 0 || xx < 0 || yy >= g->h || xx >= g->w)
                            continue; /* a padded position reads 0 */
                        sum += g2a_signed(x[base | ((size_t)c << (g->lh + g->lw)) |
                                            ((size_t)yy << g->lw) | (size_t)xx]) +
                               q->in_off;
                    }
                y = g2a_floor_div(sum + k / 2, k);
                rem = sum + k / 2 - y * k;
                v[((size_t)ZKR_G2A_YB << q->lp) | p] = (zkr_gl)(y + 128);
                v[((size_t)ZKR_G2A_R0 << q->lp) | p] = (zkr_gl)(rem & 255);
                v[((size_t)ZKR_G2A_R1 << q->lp) | p] = (zkr_gl)(rem >> 8);
                v[((size_t)ZKR_G2A_RC0 << q->lp) | p] = (zkr_gl)((k - 1 - rem) & 255);
                v[((size_t)ZKR_G2A_RC1 << q->lp) | p] = (zkr_gl)((k - 1 - rem) >> 8);
            }
}

void zkr_ginf2_avg_draw(zkr_transcript *t, const zkr_ginf2_avg *q, zkr_ginf2_avg_chal *c)
{
    zkr_ts_challenge_exts(t, "g2a-z", c->z, q->lp);
    c->lambda = zkr_ts_challenge_ext(t, "g2a-lambda");
}

zkr_cnn_view_pt zkr_ginf2_avg_view(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c)
{
    const zkr_cnn_win *g = &q->g;
    zkr_cnn_view_pt v = {c->z + g->low + g->loh, NULL, NULL, c->z + g->low, c->z};

    return v;
}

void zkr_ginf2_avg_slot_w(const zkr_ginf2_avg *q, zkr_ext lambda, zkr_ext *cs)
{
    zkr_ext lm1 = zkr_ext_sub(lambda, zkr_ext_from(1));

    cs[ZKR_G2A_YB] = zkr_ext_sub(zkr_ext_from(0), zkr_ext_from(q->k));
    cs[ZKR_G2A_R0] = lm1;
    cs[ZKR_G2A_R1] = zkr_ext_mul_base(lm1, 256);
    cs[ZKR_G2A_RC0] = lambda;
    cs[ZKR_G2A_RC1] = zkr_ext_mul_base(lambda, 256);
}

zkr_err zkr_ginf2_avg_claim(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c, zkr_ext *out)
{
    const zkr_cnn_win *g = &q->g;
    zkr_cnn_view_pt v = zkr_ginf2_avg_view(q, c);
    zkr_ext s[ZKR_CNN_MAX_VARS], sel, nz, rz, cst;
    zkr_gl k = q->k;
    zkr_err e;

    /* N(z): the selector's sum over the real input positions */
    memset(s, 0, sizeof s);
    if ((e = zkr_ginf2_conv_sel_eval(g, &v, s, &sel, &nz)) != ZKR_OK)
        return e;
    rz = zkr_cnn_valid_eval(g->c, g->oh, g->ow, g->lc, g->loh, g->low, c->z);
    cst = zkr_ext_add(zkr_ext_mul_base(nz, zkr_gl_from_i64(q->in_off)),
                      zkr_ext_mul_base(rz, k / 2 + 128 * k));
    *out = zkr_ext_sub(zkr_ext_mul(c->lambda, zkr_ext_mul_base(rz, k - 1)), cst);
    return ZKR_OK;
}

/* R(z, r) = sum_{p real} eq(z, p) eq(r, p), axis by axis. NOMEM. */
static zkr_err g2a_real_eq(const zkr_ginf2_avg *q, const zkr_ext *z, const zkr_ext *r,
                           zkr_ext *out)
{
    const zkr_cnn_win *g = &q->g;
    unsigned off[3] = {0, g->low, g->low + g->loh}, l[3] = {g->low, g->loh, g->lc};
    uint32_t n[3] = {g->ow, g->oh, g->c};
    size_t most = (size_t)g->ow + g->oh + g->c;
    zkr_ext *ez = malloc(2 * most * sizeof *ez), *er, acc = zkr_ext_from(1);

    if (!ez)
        return ZKR_ERR_NOMEM;
    er = ez + most;
    for (unsigned a = 0; a < 3; a++) {
        zkr_ext s = zkr_ext_from(0);
        zkr_cnn_eq_prefix(z + off[a], l[a], n[a], ez);
        zkr_cnn_eq_prefix(r + off[a], l[a], n[a], er);
        for (uint32_t i = 0; i < n[a]; i++)
            s = zkr_ext_add(s, zkr_ext_mul(ez[i], er[i]));
        acc = zkr_ext_mul(acc, s);
    }
    free(ez);
    *out = acc;
    return ZKR_OK;
}

zkr_err zkr_ginf2_avg_w_eval(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c,
                             const zkr_ext *r, zkr_ext *out)
{
    zkr_ext cs[ZKR_G2A_SLOTS], acc = zkr_ext_from(0), re;
    const zkr_ext *rs = r + q->lp;
    zkr_err e;

    if ((e = g2a_real_eq(q, c->z, r, &re)) != ZKR_OK)
        return e;
    zkr_ginf2_avg_slot_w(q, c->lambda, cs);
    for (unsigned s = 0; s < ZKR_G2A_SLOTS; s++) {
        zkr_ext w = zkr_ext_from(1);
        for (unsigned b = 0; b < q->lsl; b++) /* eq(r_sl, s) */
            w = zkr_ext_mul(w, (s >> b) & 1 ? rs[b] : zkr_ext_sub(zkr_ext_from(1), rs[b]));
        acc = zkr_ext_add(acc, zkr_ext_mul(w, cs[s]));
    }
    *out = zkr_ext_mul(acc, re);
    return ZKR_OK;
}

zkr_err zkr_ginf2_avg_x_eval(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c,
                             const zkr_ext *r, zkr_ext *out)
{
    zkr_cnn_view_pt v = zkr_ginf2_avg_view(q, c);
    const zkr_ext *rs = r + zkr_cnn_in_vars(&q->g);
    zkr_ext sel, e = zkr_ext_from(1);
    zkr_err err;

    if ((err = zkr_ginf2_conv_sel_eval(&q->g, &v, r, &sel, NULL)) != ZKR_OK)
        return err;
    for (unsigned b = 0; b < q->isl; b++) /* X's block: eq(block, r's slot coordinates) */
        e = zkr_ext_mul(e, (q->block >> b) & 1 ? rs[b] : zkr_ext_sub(zkr_ext_from(1), rs[b]));
    *out = zkr_ext_mul(sel, e);
    return ZKR_OK;
}

/* The figure at p's pow_bits (only the openings' query phases depend on it). */
static double g2avg_bits(const zkr_params *p, const void *qv, unsigned ve, unsigned xe)
{
    const zkr_ginf2_avg *q = qv;
    unsigned nv = zkr_ginf2_avg_v_vars(q), lcz = zkr_zkrange_coef_vars(nv);
    double err;

    /* z (lp), lambda (2 rows: degree 1 in lambda) */
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, q->lp + 1, 0, 0, 0));
    err += zkr_zkrange_alg_error(p, nv, ve);
    err += pow(2.0, -zkr_ldr_hsoundness(p, nv + ve, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, zkr_ginf2_avg_x_vars(q) + xe, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, lcz + zkr_hpcs_blind_vars(p, lcz, 1), 0, 0)
                         .provable_bits);
    return -log2(err);
}

double zkr_ginf2_avg_soundness_at(const zkr_params *p, const zkr_ginf2_avg *q, unsigned ve,
                                  unsigned xe, unsigned extra)
{
    return zkr_ginf2_bits2_at(g2avg_bits, p, q, ve, xe, extra);
}

unsigned zkr_ginf2_avg_grind_bits(const zkr_params *p, const zkr_ginf2_avg *q, unsigned ve,
                                  unsigned xe, unsigned share)
{
    return zkr_ginf2_bits2_grind(g2avg_bits, p, q, ve, xe, share);
}

double zkr_ginf2_avg_soundness_bits(const zkr_params *p, const zkr_ginf2_avg *q, unsigned ve,
                                    unsigned xe)
{
    return zkr_ginf2_avg_soundness_at(p, q, ve, xe, zkr_ginf2_avg_grind_bits(p, q, ve, xe, 1));
}
