/*
 * graph-inference@2's zero-knowledge requantization (zk/ginfer2.h): the
 * byte witness V's layout, its linear rows and their folding, shared by
 * prover/ginfer2_rq.c and verifier/ginfer2_rq.c. docs/soundness.md,
 * "graph-inference@2", gives each row's integer bound.
 */
#include <math.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ldr.h"

static zkr_gl g2rq_gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

/* sum_i 256^i limb_i with weight `scale` into row t, from slot s0 (n limbs). */
static void g2rq_limbs(zkr_ginf2_rq *q, unsigned t, unsigned s0, unsigned n, int64_t scale)
{
    for (unsigned i = 0; i < n; i++)
        q->coef[t][s0 + i] =
            zkr_gl_add(q->coef[t][s0 + i], zkr_gl_mul(g2rq_gl(scale), zkr_gl_pow(256, i)));
}

static void g2rq_rows(zkr_ginf2_rq *q)
{
    int64_t s2 = (int64_t)1 << q->shift, g = (int64_t)((UINT64_C(1) << q->gbits) - 1);

    memset(q->coef, 0, sizeof q->coef);
    memset(q->acc_coef, 0, sizeof q->acc_coef);
    memset(q->cst, 0, sizeof q->cst);
    /* 0: M acc + 2^(s-1) - 2^s (yb + lo + gh - gl) - r = 0 (acc's weight times M(c)) */
    q->acc_coef[0] = 1;
    q->coef[0][ZKR_G2RQ_Y] = g2rq_gl(-s2);
    g2rq_limbs(q, 0, q->s_gh, q->ng, -s2);
    g2rq_limbs(q, 0, q->s_gl, q->ng, s2);
    g2rq_limbs(q, 0, ZKR_G2RQ_R0, q->nr, -1);
    q->cst[0] = g2rq_gl(s2 / 2 - s2 * q->lo);
    /* 1: yb + yc = 127 - lo */
    q->coef[1][ZKR_G2RQ_Y] = 1, q->coef[1][ZKR_G2RQ_YC] = 1, q->cst[1] = g2rq_gl(q->lo - 127);
    /* 2: r + rs = 2^s - 1 */
    g2rq_limbs(q, 2, ZKR_G2RQ_R0, q->nr, 1);
    g2rq_limbs(q, 2, q->s_rs, q->nr, 1);
    q->cst[2] = g2rq_gl(1 - s2);
    /* 3, 4: mh + mhc = 1, ml + mlc = 1 */
    q->coef[3][q->s_mh] = 1, q->coef[3][q->s_mhc] = 1, q->cst[3] = g2rq_gl(-1);
    q->coef[4][q->s_ml] = 1, q->coef[4][q->s_mlc] = 1, q->cst[4] = g2rq_gl(-1);
    /* 5: G mh - gh - sh1 = 0; 6: yc + sh2 - 255 mhc = 0 */
    q->coef[5][q->s_mh] = g2rq_gl(g);
    g2rq_limbs(q, 5, q->s_gh, q->ng, -1);
    g2rq_limbs(q, 5, q->s_sh1, q->ng, -1);
    q->coef[6][ZKR_G2RQ_YC] = 1, q->coef[6][q->s_sh2] = 1, q->coef[6][q->s_mhc] = g2rq_gl(-255);
    /* 7: G ml - gl - sl1 = 0; 8: yb + sl2 - 255 mlc = 0 */
    q->coef[7][q->s_ml] = g2rq_gl(g);
    g2rq_limbs(q, 7, q->s_gl, q->ng, -1);
    g2rq_limbs(q, 7, q->s_sl1, q->ng, -1);
    q->coef[8][ZKR_G2RQ_Y] = 1, q->coef[8][q->s_sl2] = 1, q->coef[8][q->s_mlc] = g2rq_gl(-255);
}

static unsigned g2rq_bits(uint64_t v)
{
    unsigned b = 0;

    while (v >> b)
        b++;
    return b;
}

int64_t zkr_ginf2_rq_mc(const zkr_ginf2_rq *q, uint32_t c)
{
    if (!q->mc)
        return q->m;
    return c < q->c ? q->mc[c] : 0;
}

int64_t zkr_ginf2_rq_bc(const zkr_ginf2_rq *q, uint32_t c)
{
    return q->bc && c < q->c ? q->bc[c] : 0;
}

/* The common layout: mb = bits(max M), bmax = max |b|. */
static zkr_err g2rq_setup(zkr_ginf2_rq *q, uint32_t c, uint32_t h, uint32_t w, unsigned mb,
                          uint64_t bmax, uint32_t shift, int relu, unsigned acc_bits);

zkr_err zkr_ginf2_rq_init(zkr_ginf2_rq *q, uint32_t c, uint32_t h, uint32_t w, int64_t m,
                          uint32_t shift, int relu, unsigned acc_bits)
{
    memset(q, 0, sizeof *q);
    if (m < 0 || m >= ((int64_t)1 << 31))
        return ZKR_ERR_MALFORMED;
    q->m = m;
    return g2rq_setup(q, c, h, w, g2rq_bits((uint64_t)m), 0, shift, relu, acc_bits);
}

zkr_err zkr_ginf2_rq_init_ch(zkr_ginf2_rq *q, uint32_t c, uint32_t h, uint32_t w,
                             const int64_t *mc, const int64_t *bc, uint32_t shift, int relu,
                             unsigned acc_bits)
{
    unsigned mb = 0;
    uint64_t bmax = 0;

    memset(q, 0, sizeof *q);
    if (!mc || c < 1 || c > ZKR_CNN_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    for (uint32_t k = 0; k < c; k++) {
        if (mc[k] < 0 || mc[k] >= ((int64_t)1 << 31))
            return ZKR_ERR_MALFORMED;
        mb = g2rq_bits((uint64_t)mc[k]) > mb ? g2rq_bits((uint64_t)mc[k]) : mb;
    }
    for (uint32_t k = 0; bc && k < c; k++) {
        uint64_t a = bc[k] < 0 ? (uint64_t)-bc[k] : (uint64_t)bc[k];
        if (a > ((uint64_t)1 << 30))
            return ZKR_ERR_MALFORMED;
        bmax = a > bmax ? a : bmax;
    }
    q->mc = mc, q->bc = bc;
    return g2rq_setup(q, c, h, w, mb, bmax, shift, relu, acc_bits);
}

static zkr_err g2rq_setup(zkr_ginf2_rq *q, uint32_t c, uint32_t h, uint32_t w, unsigned mb,
                          uint64_t bmax, uint32_t shift, int relu, unsigned acc_bits)
{
    unsigned gb;

    if (c < 1 || h < 1 || w < 1 || c > ZKR_CNN_MAX_DIM || h > ZKR_CNN_MAX_DIM ||
        w > ZKR_CNN_MAX_DIM || shift < 1 || shift > 48 || acc_bits < 1 || acc_bits > 58)
        return ZKR_ERR_MALFORMED;
    /* the biased accumulator's bound: |acc + b| < 2^acc_bits + max |b| */
    if (bmax)
        acc_bits = g2rq_bits(((uint64_t)1 << acc_bits) + bmax);
    if (acc_bits + mb > 59)
        return ZKR_ERR_MALFORMED;
    q->c = c, q->h = h, q->w = w, q->shift = shift, q->lo = relu ? 0 : -128;
    q->acc_bits = acc_bits;
    q->lc = zkr_log2_ceil(c), q->lh = zkr_log2_ceil(h), q->lw = zkr_log2_ceil(w);
    q->lp = q->lc + q->lh + q->lw;
    /* |q| <= (|M acc| + 2^(s-1)) / 2^s < 2^(acc_bits + mb - s) + 1: gh, gl below 2^gbits */
    gb = acc_bits + mb + 1 > shift ? acc_bits + mb + 1 - shift : 1;
    q->gbits = gb;
    q->nr = (shift + 7) / 8, q->ng = (gb + 7) / 8;
    q->s_rs = ZKR_G2RQ_R0 + q->nr;
    q->s_gh = q->s_rs + q->nr;
    q->s_gl = q->s_gh + q->ng;
    q->s_mh = q->s_gl + q->ng;
    q->s_mhc = q->s_mh + 1, q->s_ml = q->s_mh + 2, q->s_mlc = q->s_mh + 3;
    q->s_sh1 = q->s_mh + 4;
    q->s_sh2 = q->s_sh1 + q->ng;
    q->s_sl1 = q->s_sh2 + 1;
    q->s_sl2 = q->s_sl1 + q->ng;
    q->nsl = q->s_sl2 + 1;
    q->lsl = zkr_log2_ceil(q->nsl);
    if (q->nsl > ZKR_GINF2_RQ_MAX_SLOTS || q->lp + q->lsl > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    g2rq_rows(q);
    return ZKR_OK;
}

/* Writes the n byte limbs of v (0 <= v < 256^n) at slot s0 of element p. */
static void g2rq_put(const zkr_ginf2_rq *q, zkr_gl *v, size_t p, unsigned s0, unsigned n,
                     uint64_t x)
{
    for (unsigned i = 0; i < n; i++)
        v[((size_t)(s0 + i) << q->lp) | p] = (x >> (8 * i)) & 255u;
}

zkr_err zkr_ginf2_rq_witness(const zkr_ginf2_rq *q, const int64_t *acc, zkr_gl *v)
{
    int64_t g = (int64_t)((UINT64_C(1) << q->gbits) - 1), s2 = (int64_t)1 << q->shift;

    memset(v, 0, ((size_t)1 << zkr_ginf2_rq_v_vars(q)) * sizeof *v);
    for (uint32_t c = 0; c < q->c; c++)
        for (uint32_t y = 0; y < q->h; y++)
            for (uint32_t x = 0; x < q->w; x++) {
                size_t p = ((size_t)c << (q->lh + q->lw)) | ((size_t)y << q->lw) | x;
                int64_t a = acc[p] + zkr_ginf2_rq_bc(q, c), u, qq, r, yy, gh, gl, mh, ml;
                if (a >= ((int64_t)1 << q->acc_bits) || a <= -((int64_t)1 << q->acc_bits))
                    return ZKR_ERR_USAGE;
                u = a * zkr_ginf2_rq_mc(q, c) + s2 / 2;
                qq = u >= 0 ? u / s2 : -((-u + s2 - 1) / s2); /* floor */
                r = u - qq * s2;
                yy = qq < q->lo ? q->lo : qq > 127 ? 127 : qq;
                gh = qq > 127 ? qq - 127 : 0, gl = qq < q->lo ? q->lo - qq : 0;
                mh = gh > 0, ml = gl > 0;
                g2rq_put(q, v, p, ZKR_G2RQ_Y, 1, (uint64_t)(yy - q->lo));
                g2rq_put(q, v, p, ZKR_G2RQ_YC, 1, (uint64_t)(127 - yy));
                g2rq_put(q, v, p, ZKR_G2RQ_R0, q->nr, (uint64_t)r);
                g2rq_put(q, v, p, q->s_rs, q->nr, (uint64_t)(s2 - 1 - r));
                g2rq_put(q, v, p, q->s_gh, q->ng, (uint64_t)gh);
                g2rq_put(q, v, p, q->s_gl, q->ng, (uint64_t)gl);
                g2rq_put(q, v, p, q->s_mh, 1, (uint64_t)mh);
                g2rq_put(q, v, p, q->s_mhc, 1, (uint64_t)(1 - mh));
                g2rq_put(q, v, p, q->s_ml, 1, (uint64_t)ml);
                g2rq_put(q, v, p, q->s_mlc, 1, (uint64_t)(1 - ml));
                g2rq_put(q, v, p, q->s_sh1, q->ng, (uint64_t)(g * mh - gh));
                g2rq_put(q, v, p, q->s_sh2, 1, (uint64_t)(255 * (1 - mh) - (127 - yy)));
                g2rq_put(q, v, p, q->s_sl1, q->ng, (uint64_t)(g * ml - gl));
                g2rq_put(q, v, p, q->s_sl2, 1, (uint64_t)(255 * (1 - ml) - (yy - q->lo)));
            }
    return ZKR_OK;
}

void zkr_ginf2_rq_fold(const zkr_ginf2_rq *q, zkr_ext lambda, zkr_ext *cj, zkr_ext *a)
{
    zkr_ext pw = zkr_ext_from(1);

    for (unsigned j = 0; j < (1u << q->lsl); j++)
        cj[j] = zkr_ext_from(0);
    *a = zkr_ext_from(0);
    for (unsigned t = 0; t < ZKR_GINF2_RQ_ROWS; t++) {
        for (unsigned j = 0; j < q->nsl; j++)
            cj[j] = zkr_ext_add(cj[j], zkr_ext_mul_base(pw, q->coef[t][j]));
        *a = zkr_ext_add(*a, zkr_ext_mul_base(pw, q->acc_coef[t]));
        pw = zkr_ext_mul(pw, lambda);
    }
}

/* eq(z_c, c) over the channel coordinates of z (above the spatial lh + lw). */
static zkr_ext g2rq_eq_ch(const zkr_ginf2_rq *q, const zkr_ext *z, uint32_t c)
{
    zkr_ext e = zkr_ext_from(1);

    for (unsigned i = 0; i < q->lc; i++) {
        zkr_ext zi = z[q->lh + q->lw + i];
        e = zkr_ext_mul(e, (c >> i) & 1u ? zi : zkr_ext_sub(zkr_ext_from(1), zi));
    }
    return e;
}

zkr_ext zkr_ginf2_rq_claim(const zkr_ginf2_rq *q, const zkr_ext *z, zkr_ext lambda)
{
    zkr_ext pw = zkr_ext_from(1), acc = zkr_ext_from(0);

    for (unsigned t = 0; t < ZKR_GINF2_RQ_ROWS; t++) {
        acc = zkr_ext_add(acc, zkr_ext_mul_base(pw, q->cst[t]));
        pw = zkr_ext_mul(pw, lambda);
    }
    acc = zkr_ext_mul(acc, zkr_cnn_valid_eval(q->c, q->h, q->w, q->lc, q->lh, q->lw, z));
    if (q->bc) { /* row 0 (weight lambda^0) on channel c: + M_c b_c on its real elements */
        zkr_ext bsum = zkr_ext_from(0);
        for (uint32_t c = 0; c < q->c; c++)
            bsum = zkr_ext_add(bsum, zkr_ext_mul_base(g2rq_eq_ch(q, z, c),
                                                      g2rq_gl(zkr_ginf2_rq_mc(q, c) *
                                                              zkr_ginf2_rq_bc(q, c))));
        acc = zkr_ext_add(acc, zkr_ext_mul(bsum, zkr_cnn_valid_eval(1, q->h, q->w, 0, q->lh,
                                                                     q->lw, z)));
    }
    return zkr_ext_sub(zkr_ext_from(0), acc);
}

zkr_ext zkr_ginf2_rq_a_eval(const zkr_ginf2_rq *q, const zkr_ext *z, zkr_ext a, const zkr_ext *r)
{
    unsigned ls = q->lh + q->lw;
    zkr_ext ch = zkr_ext_from(0);

    if (!q->mc) /* one M: a M eq(z, r) */
        return zkr_ext_mul_base(zkr_ext_mul(a, zkr_mle_eq_eval(z, r, q->lp)), g2rq_gl(q->m));
    /* eq over the spatial part, sum over the real channels of eq eq M_c */
    for (uint32_t c = 0; c < q->c; c++) {
        zkr_ext e = zkr_ext_from(1);
        for (unsigned i = 0; i < q->lc; i++) {
            zkr_ext zi = z[ls + i], ri = r[ls + i];
            e = zkr_ext_mul(e, (c >> i) & 1u
                                   ? zkr_ext_mul(zi, ri)
                                   : zkr_ext_mul(zkr_ext_sub(zkr_ext_from(1), zi),
                                                 zkr_ext_sub(zkr_ext_from(1), ri)));
        }
        ch = zkr_ext_add(ch, zkr_ext_mul_base(e, g2rq_gl(q->mc[c])));
    }
    return zkr_ext_mul(a, zkr_ext_mul(ch, zkr_mle_eq_eval(z, r, ls)));
}

zkr_ext zkr_ginf2_rq_w_eval(const zkr_ginf2_rq *q, const zkr_ext *z, const zkr_ext *cj,
                            const zkr_ext *r)
{
    zkr_ext sl = zkr_ext_from(0);
    zkr_ext eqs[ZKR_GINF2_RQ_MAX_SLOTS];

    zkr_mle_eq_table(r + q->lp, q->lsl, eqs);
    for (unsigned j = 0; j < q->nsl; j++)
        sl = zkr_ext_add(sl, zkr_ext_mul(eqs[j], cj[j]));
    return zkr_ext_mul(zkr_mle_eq_eval(z, r, q->lp), sl);
}

/* The figure at p's pow_bits (only the openings' query phases depend on it). */
static double g2rq_sound_bits(const zkr_params *p, const void *qv, unsigned ve, unsigned ae)
{
    const zkr_ginf2_rq *q = qv;
    unsigned nv = zkr_ginf2_rq_v_vars(q), lcz = zkr_zkrange_coef_vars(nv);
    double err;

    /* z (lp) and lambda (the rows: a degree-(ROWS - 1) polynomial in lambda) */
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, q->lp + ZKR_GINF2_RQ_ROWS, 0, 0, 0));
    err += zkr_zkrange_alg_error(p, nv, ve);
    /* the range proof's batch, acc's link opening, C's opening */
    err += pow(2.0, -zkr_ldr_hsoundness(p, nv + ve, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, q->lp + ae, 0, 0).provable_bits);
    err += pow(2.0, -zkr_ldr_hsoundness(p, lcz + zkr_hpcs_blind_vars(p, lcz, 1), 0, 0)
                         .provable_bits);
    return -log2(err);
}

double zkr_ginf2_rq_soundness_at(const zkr_params *p, const zkr_ginf2_rq *q, unsigned ve,
                                 unsigned ae, unsigned extra)
{
    return zkr_ginf2_bits2_at(g2rq_sound_bits, p, q, ve, ae, extra);
}

unsigned zkr_ginf2_rq_grind_bits(const zkr_params *p, const zkr_ginf2_rq *q, unsigned ve,
                                 unsigned ae, unsigned share)
{
    return zkr_ginf2_bits2_grind(g2rq_sound_bits, p, q, ve, ae, share);
}

double zkr_ginf2_rq_soundness_bits(const zkr_params *p, const zkr_ginf2_rq *q, unsigned ve,
                                   unsigned ae)
{
    return zkr_ginf2_rq_soundness_at(p, q, ve, ae,
                                     zkr_ginf2_rq_grind_bits(p, q, ve, ae, 1));
}
