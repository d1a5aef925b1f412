/*
 * graph-inference@2 shared definitions (zk/ginfer2.h): the conv
 * relation's shape check, the Libra mask of degree ZKR_GINF2_DEGREE, the
 * randomised extensions' points and the soundness figure. The prover is
 * prover/ginfer2.c, the verifier verifier/ginfer2.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ldr.h"
#include "zk/zk_int.h"

zkr_err zkr_ginf2_conv_check(const zkr_cnn_conv *c)
{
    unsigned nu = zkr_ginf2_u_vars(c), nx = zkr_cnn_in_vars(&c->g);

    if ((c->depthwise && c->g.lkw + c->g.lkh < 1) || zkr_ginf2_k_vars(c) < 1 ||
        nu > ZKR_CNN_MAX_VARS ||
        nx > (nu > ZKR_ZKRANGE_TABLE_VARS ? nu : ZKR_ZKRANGE_TABLE_VARS))
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

unsigned zkr_ginf2_u_pad(const zkr_cnn_conv *c, const zkr_ginf2_cin *in)
{
    unsigned nu = zkr_ginf2_u_vars(c), nx = zkr_ginf2_conv_x_vars(c, in);
    unsigned cap = nu > ZKR_ZKRANGE_TABLE_VARS ? nu : ZKR_ZKRANGE_TABLE_VARS;

    return nx > cap ? nx - nu : 0;
}

unsigned zkr_ginf2_u_vars_in(const zkr_cnn_conv *c, const zkr_ginf2_cin *in)
{
    return zkr_ginf2_u_vars(c) + zkr_ginf2_u_pad(c, in);
}

zkr_err zkr_ginf2_conv_check_in(const zkr_cnn_conv *c, const zkr_ginf2_cin *in)
{
    if ((c->depthwise && c->g.lkw + c->g.lkh < 1) || zkr_ginf2_k_vars(c) < 1 || in->isl > ZKR_GINF2_MAX_ISL ||
        in->block >= (1u << in->isl) || in->in_off < -128 || in->in_off > 0 ||
        (in->u_lo != -128 && in->u_lo != 0) ||
        (in->flat && (in->isl || in->block || in->in_off || in->u_lo)) ||
        zkr_ginf2_u_vars_in(c, in) > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

unsigned zkr_ginf2_range_blind(const zkr_params *p, unsigned n, uint32_t budget)
{
    unsigned e = zkr_hpcs_blind_vars(p, n, budget), N = zkr_zkrange_sc_vars(n);
    unsigned eN = zkr_hpcs_blind_vars(p, N, 1);

    if (e == 0 || eN == 0)
        return 0;
    if (n + e < N + eN)
        e = N + eN - n;
    return n + e <= p->max_vars && e <= ZKR_HPCS_MAX_BLIND_VARS ? e : 0;
}

unsigned zkr_ginf2_conv_acc_bits(const zkr_cnn_conv *c)
{
    zkr_ginf2_cin in = ZKR_GINF2_CIN_PLAIN;

    return zkr_ginf2_conv_acc_bits_in(c, &in);
}

unsigned zkr_ginf2_conv_acc_bits_in(const zkr_cnn_conv *c, const zkr_ginf2_cin *in)
{
    uint64_t umax = in->u_lo == 0 ? 255u : 128u;
    /* a depthwise output sums one channel's window only */
    uint64_t k = (uint64_t)(c->depthwise ? 1u : c->g.c) * c->g.kh * c->g.kw;
    uint64_t bound = k * 127u * umax;
    unsigned b = 0;

    while ((bound >> b) != 0)
        b++;
    return b; /* bound < 2^b */
}

void zkr_ginf2_full_point(const zkr_ext *pt, unsigned n, zkr_ext r0, unsigned total,
                          zkr_ext *out)
{
    memcpy(out, pt, (size_t)n * sizeof *out);
    out[n] = zkr_ginf2_s(r0);
    for (unsigned i = n + 1; i < total; i++)
        out[i] = zkr_ext_from(0);
}

zkr_ext zkr_ginf2_gi(const zkr_ext *gco, unsigned i, zkr_ext x)
{
    return zkr_mask_gi(gco, ZKR_GINF2_DEGREE, i, x);
}

zkr_ext zkr_ginf2_gsum(const zkr_ext *gco, unsigned n)
{
    return zkr_mask_gsum(gco, ZKR_GINF2_DEGREE, n);
}

zkr_ext zkr_ginf2_gat(const zkr_ext *gco, unsigned n, const zkr_ext *r)
{
    return zkr_mask_gat(gco, ZKR_GINF2_DEGREE, n, r);
}

void zkr_ginf2_lambda(const zkr_ext *r, unsigned n, zkr_ext *out)
{
    zkr_mask_lambda(r, n, ZKR_GINF2_DEGREE, out);
}

zkr_ext zkr_ginf2_conv_final(unsigned lk, zkr_ext vw, zkr_ext vu, zkr_ext vy, zkr_ext rho,
                             zkr_ext gr)
{
    zkr_gl inv2k = zkr_gl_inv(zkr_gl_pow(2, lk));
    zkr_ext f = zkr_ext_sub(zkr_ext_mul(vw, vu), zkr_ext_mul_base(vy, inv2k));

    return zkr_ext_add(f, zkr_ext_mul(rho, gr));
}

/* 2^-bits of one hiding opening of a total-variable commitment. */
static double zkr_ginf2_open_err(const zkr_params *p, unsigned total)
{
    return pow(2.0, -zkr_ldr_hsoundness(p, total, 0, 0).provable_bits);
}

void zkr_ginf2_open_params(const zkr_params *p, unsigned extra, unsigned off, zkr_params *out)
{
    *out = *p;
    if (!(off & ZKR_GINF2_OFF_GRIND))
        out->pow_bits = p->pow_bits + extra;
}

/* The figure's target for `share` relations on one transcript: target + log2(share). */
double zkr_ginf2_share_target(const zkr_params *p, unsigned share)
{
    return (double)p->target_bits + log2(share ? (double)share : 1.0);
}

zkr_err zkr_ginf2_grind_params(const zkr_params *p, unsigned extra, double bits, unsigned off,
                               unsigned share, zkr_params *out)
{
    if (!(off & ZKR_GINF2_OFF_GRIND) && bits < zkr_ginf2_share_target(p, share))
        return ZKR_ERR_UNSUPPORTED;
    zkr_ginf2_open_params(p, extra, off, out);
    return ZKR_OK;
}

/* Only the openings' query phases depend on pow_bits: the figure at p's pow_bits + extra. */
static double g2_conv_bits(const zkr_params *p, const zkr_cnn_conv *c, const zkr_ginf2_cin *in,
                           unsigned xe, unsigned we, unsigned ye)
{
    unsigned lk = zkr_ginf2_sc_vars(c), nu = zkr_ginf2_u_vars_in(c, in);
    unsigned nw = zkr_cnn_conv_w_vars(c), ny = zkr_cnn_conv_y_vars(c);
    unsigned nx = zkr_ginf2_conv_x_vars(c, in);
    unsigned ue = zkr_ginf2_range_blind(p, nu, ZKR_GINF2_U_BUDGET);
    unsigned lc = zkr_ginf2_coef_vars(lk), ce = zkr_hpcs_blind_vars(p, lc, 1);
    double alg, err;

    /* z (nu), rco and ro (lco + lo), rho, the lk rounds of degree 6, C's linear sumcheck */
    alg = (double)nu + (double)(c->lco + c->g.loh + c->g.low) + 1.0 +
          (double)ZKR_GINF2_DEGREE * lk + 2.0 * lc + 2.0;
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, (unsigned)alg, 0, 0, 0)) +
          zkr_zkrange_alg_error(p, nu, ue) + zkr_zkrange_alg_error(p, nw, we);
    /* openings: U's range (batch, X's link, C), W's range (batch, C), W, U, Y, C */
    err += zkr_ginf2_open_err(p, nu + ue) * 2 + zkr_ginf2_open_err(p, nx + xe);
    err += zkr_ginf2_open_err(p, nw + we) * 2;
    err += zkr_ginf2_open_err(p, zkr_zkrange_coef_vars(nu) +
                                     zkr_hpcs_blind_vars(p, zkr_zkrange_coef_vars(nu), 1));
    err += zkr_ginf2_open_err(p, zkr_zkrange_coef_vars(nw) +
                                     zkr_hpcs_blind_vars(p, zkr_zkrange_coef_vars(nw), 1));
    err += zkr_ginf2_open_err(p, ny + ye) + zkr_ginf2_open_err(p, lc + ce);
    return -log2(err);
}

typedef struct {
    const zkr_params *p;
    const zkr_cnn_conv *c;
    const zkr_ginf2_cin *in;
    unsigned xe, we, ye;
} g2_conv_grind;

static double g2_conv_at(const void *ctx, unsigned extra)
{
    const g2_conv_grind *g = ctx;

    return zkr_ginf2_conv_soundness_in(g->p, g->c, g->in, g->xe, g->we, g->ye, extra);
}

double zkr_ginf2_conv_soundness_in(const zkr_params *p, const zkr_cnn_conv *c,
                                   const zkr_ginf2_cin *in, unsigned xe, unsigned we, unsigned ye,
                                   unsigned extra)
{
    zkr_params pg;

    zkr_ginf2_open_params(p, extra, 0, &pg);
    return g2_conv_bits(&pg, c, in, xe, we, ye);
}

double zkr_ginf2_conv_soundness_at(const zkr_params *p, const zkr_cnn_conv *c, unsigned xe,
                                   unsigned we, unsigned ye, unsigned extra)
{
    zkr_ginf2_cin in = ZKR_GINF2_CIN_PLAIN;

    return zkr_ginf2_conv_soundness_in(p, c, &in, xe, we, ye, extra);
}

unsigned zkr_ginf2_conv_grind_bits_in(const zkr_params *p, const zkr_cnn_conv *c,
                                      const zkr_ginf2_cin *in, unsigned xe, unsigned we,
                                      unsigned ye, unsigned share)
{
    g2_conv_grind g = {p, c, in, xe, we, ye};

    return zkr_params_grind_bits(p, zkr_ginf2_share_target(p, share), ZKR_GINF2_MAX_EXTRA_POW,
                                 g2_conv_at, &g);
}

unsigned zkr_ginf2_conv_grind_bits(const zkr_params *p, const zkr_cnn_conv *c, unsigned xe,
                                   unsigned we, unsigned ye, unsigned share)
{
    zkr_ginf2_cin in = ZKR_GINF2_CIN_PLAIN;

    return zkr_ginf2_conv_grind_bits_in(p, c, &in, xe, we, ye, share);
}

zkr_err zkr_ginf2_conv_sel_eval(const zkr_cnn_win *g, const zkr_cnn_view_pt *v, const zkr_ext *s,
                                zkr_ext *out, zkr_ext *sum)
{
    size_t nh = (size_t)1 << g->lh, nw = (size_t)1 << g->lw, nc = (size_t)1 << g->lc;
    zkr_ext *ah = malloc((nh + nw + 2 * nc) * sizeof *ah), *aw, *ep, *es, hv, wv, cv;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!ah)
        return r;
    aw = ah + nh, ep = aw + nw, es = ep + nc;
    if ((r = zkr_cnn_view_axes(g, v, ah, aw)) != ZKR_OK ||
        (r = zkr_cnn_eval_vec(ah, nh, g->lh, s + g->lw, &hv)) != ZKR_OK ||
        (r = zkr_cnn_eval_vec(aw, nw, g->lw, s, &wv)) != ZKR_OK)
        goto out;
    /* the channel factor over real channels only: sum_{c < C} eq(pc, c) eq(s_c, c) */
    zkr_cnn_eq_prefix(v->pc, g->lc, g->c, ep);
    zkr_cnn_eq_prefix(s + g->lw + g->lh, g->lc, g->c, es);
    cv = zkr_ext_from(0);
    for (uint32_t c = 0; c < g->c; c++)
        cv = zkr_ext_add(cv, zkr_ext_mul(ep[c], es[c]));
    *out = zkr_ext_mul(cv, zkr_ext_mul(hv, wv));
    if (sum) {
        zkr_ext sc = zkr_ext_from(0), sh = zkr_ext_from(0), sw = zkr_ext_from(0);
        for (uint32_t c = 0; c < g->c; c++)
            sc = zkr_ext_add(sc, ep[c]);
        for (size_t i = 0; i < nh; i++)
            sh = zkr_ext_add(sh, ah[i]);
        for (size_t i = 0; i < nw; i++)
            sw = zkr_ext_add(sw, aw[i]);
        *sum = zkr_ext_mul(sc, zkr_ext_mul(sh, sw));
    }
out:
    free(ah);
    return r;
}

double zkr_ginf2_conv_soundness_bits(const zkr_params *p, const zkr_cnn_conv *c, unsigned xe,
                                     unsigned we, unsigned ye)
{
    return zkr_ginf2_conv_soundness_at(p, c, xe, we, ye,
                                       zkr_ginf2_conv_grind_bits(p, c, xe, we, ye, 1));
}

typedef struct {
    zkr_ginf2_bits2_fn bits;
    const zkr_params *p;
    const void *q;
    unsigned ve, xe;
} g2_bits2;

static double g2_bits2_cb(const void *ctx, unsigned extra)
{
    const g2_bits2 *g = ctx;

    return zkr_ginf2_bits2_at(g->bits, g->p, g->q, g->ve, g->xe, extra);
}

double zkr_ginf2_bits2_at(zkr_ginf2_bits2_fn bits, const zkr_params *p, const void *q, unsigned ve,
                          unsigned xe, unsigned extra)
{
    zkr_params pg;

    zkr_ginf2_open_params(p, extra, 0, &pg);
    return bits(&pg, q, ve, xe);
}

unsigned zkr_ginf2_bits2_grind(zkr_ginf2_bits2_fn bits, const zkr_params *p, const void *q,
                               unsigned ve, unsigned xe, unsigned share)
{
    g2_bits2 g = {bits, p, q, ve, xe};

    return zkr_params_grind_bits(p, zkr_ginf2_share_target(p, share), ZKR_GINF2_MAX_EXTRA_POW,
                                 g2_bits2_cb, &g);
}
