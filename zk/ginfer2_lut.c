/*
 * graph-inference@2's zero-knowledge LOOKUP (zk/ginfer2_lut.h): the byte
 * witness, Z, the rows' weights and the soundness figure, shared by
 * prover/ginfer2_lut.c and verifier/ginfer2_lut.c.
 */
#include <math.h>
#include <string.h>

#include "zk/ginfer2.h"
#include "zk/ginfer2_lut.h"
#include "zk/ldr.h"

zkr_err zkr_ginf2_lut_init(zkr_ginf2_lut *q, uint32_t c, uint32_t h, uint32_t w,
                           const int64_t t[256], unsigned isl, uint32_t block, int64_t in_off)
{
    memset(q, 0, sizeof *q);
    if (c == 0 || h == 0 || w == 0 || c > ZKR_CNN_MAX_DIM || h > ZKR_CNN_MAX_DIM ||
        w > ZKR_CNN_MAX_DIM || isl > 8 || block >= (1u << isl) || in_off < -128 || in_off > 0)
        return ZKR_ERR_MALFORMED;
    q->c = c, q->h = h, q->w = w;
    q->lc = zkr_log2_ceil(c), q->lh = zkr_log2_ceil(h), q->lw = zkr_log2_ceil(w);
    q->lp = q->lc + q->lh + q->lw;
    q->isl = isl, q->block = block, q->in_off = in_off;
    q->lsl = isl > 1 ? isl : 1; /* X (lp + isl) must fit V's range proof as its hidden term */
    for (uint32_t j = 0; j < 256; j++) {
        if (t[j] < -128 || t[j] > 127)
            return ZKR_ERR_MALFORMED;
        q->t[j] = (int8_t)t[j];
    }
    if (zkr_ginf2_lut_v_vars(q) > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

int zkr_ginf2_lut_real(const zkr_ginf2_lut *q, size_t p)
{
    size_t x = p & (((size_t)1 << q->lw) - 1), y = (p >> q->lw) & (((size_t)1 << q->lh) - 1);
    size_t c = p >> (q->lw + q->lh);

    return x < q->w && y < q->h && c < q->c;
}

static int64_t g2l_signed(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

zkr_err zkr_ginf2_lut_witness(const zkr_ginf2_lut *q, const zkr_gl *x, zkr_gl *v)
{
    size_t np = (size_t)1 << q->lp;

    memset(v, 0, (np << q->lsl) * sizeof *v);
    for (size_t p = 0; p < np; p++) {
        int64_t xv;
        if (!zkr_ginf2_lut_real(q, p))
            continue;
        xv = g2l_signed(x[((size_t)q->block << q->lp) | p]) + q->in_off;
        if (xv < -128 || xv > 127)
            return ZKR_ERR_USAGE;
        v[(size_t)ZKR_G2L_YB * np + p] = (zkr_gl)(q->t[xv + 128] + 128);
        v[(size_t)ZKR_G2L_XC * np + p] = (zkr_gl)(xv + 128);
    }
    return ZKR_OK;
}

void zkr_ginf2_lut_zv(const zkr_ginf2_lut *q, int64_t zv[256])
{
    for (uint32_t j = 0; j < 256; j++)
        zv[j] = (int64_t)j + 256 * ((int64_t)q->t[j] + 128);
}

void zkr_ginf2_lut_z(const zkr_ginf2_lut *q, const zkr_gl *v, zkr_gl *z)
{
    size_t np = (size_t)1 << q->lp, nv = np << q->lsl;

    for (size_t i = 0; i < nv; i++)
        z[i] = (zkr_gl)(256 * (q->t[0] + 128)); /* zv[0] */
    for (size_t p = 0; p < np; p++)
        if (zkr_ginf2_lut_real(q, p))
            z[p] = zkr_gl_add(v[(size_t)ZKR_G2L_XC * np + p],
                              zkr_gl_mul(256, v[(size_t)ZKR_G2L_YB * np + p]));
}

/* eq(r, idx) over n coordinates. */
static zkr_ext g2l_eqi(const zkr_ext *r, unsigned n, size_t idx)
{
    zkr_ext acc = zkr_ext_from(1);

    for (unsigned b = 0; b < n; b++)
        acc = zkr_ext_mul(acc, (idx >> b) & 1 ? r[b] : zkr_ext_sub(zkr_ext_from(1), r[b]));
    return acc;
}

/* sum_{v < n} eq(r, v) eq(z, v) over l coordinates (z NULL: eq(r, v)). */
static zkr_ext g2l_axis(const zkr_ext *r, const zkr_ext *z, unsigned l, uint32_t n)
{
    zkr_ext acc = zkr_ext_from(0);

    for (uint32_t v = 0; v < n; v++) {
        zkr_ext e = g2l_eqi(r, l, v);
        acc = zkr_ext_add(acc, z ? zkr_ext_mul(e, g2l_eqi(z, l, v)) : e);
    }
    return acc;
}

zkr_ext zkr_ginf2_lut_re(const zkr_ginf2_lut *q, const zkr_ext *r, const zkr_ext *z)
{
    unsigned oy = q->lw, oc = q->lw + q->lh;

    return zkr_ext_mul(g2l_axis(r, z, q->lw, q->w),
                       zkr_ext_mul(g2l_axis(r + oy, z ? z + oy : NULL, q->lh, q->h),
                                   g2l_axis(r + oc, z ? z + oc : NULL, q->lc, q->c)));
}

zkr_ext zkr_ginf2_lut_claim(const zkr_ginf2_lut *q, const zkr_ext *z)
{
    return zkr_ext_mul_base(zkr_cnn_valid_eval(q->c, q->h, q->w, q->lc, q->lh, q->lw, z),
                            (zkr_gl)(q->in_off + 128));
}

zkr_ext zkr_ginf2_lut_wa_v(const zkr_ginf2_lut *q, const zkr_ext *z, const zkr_ext *r)
{
    return zkr_ext_mul(zkr_ginf2_lut_re(q, r, z), g2l_eqi(r + q->lp, q->lsl, ZKR_G2L_XC));
}

zkr_ext zkr_ginf2_lut_wa_x(const zkr_ginf2_lut *q, const zkr_ext *z, const zkr_ext *r)
{
    return zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(zkr_ginf2_lut_re(q, r, z),
                                                    g2l_eqi(r + q->lp, q->isl, q->block)));
}

zkr_ext zkr_ginf2_lut_wb_z(const zkr_ginf2_lut *q, const zkr_ext *z2, const zkr_ext *r)
{
    return zkr_ext_mul(zkr_ginf2_lut_re(q, r, z2), g2l_eqi(r + q->lp, q->lsl, 0));
}

zkr_ext zkr_ginf2_lut_wb_v(const zkr_ginf2_lut *q, const zkr_ext *z2, const zkr_ext *r)
{
    zkr_ext s = zkr_ext_add(zkr_ext_mul_base(g2l_eqi(r + q->lp, q->lsl, ZKR_G2L_YB), 256),
                            g2l_eqi(r + q->lp, q->lsl, ZKR_G2L_XC));

    return zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(zkr_ginf2_lut_re(q, r, z2), s));
}

void zkr_ginf2_lut_wtab(const zkr_ginf2_lut *q, unsigned kind, const zkr_ext *pt, zkr_ext *w)
{
    size_t np = (size_t)1 << q->lp;
    unsigned hi = kind == ZKR_G2L_WA_X ? q->isl : q->lsl;

    memset(w, 0, (np << hi) * sizeof *w);
    for (size_t p = 0; p < np; p++) {
        zkr_ext e;
        if (!zkr_ginf2_lut_real(q, p))
            continue;
        e = g2l_eqi(pt, q->lp, p);
        if (kind == ZKR_G2L_WA_V)
            w[(size_t)ZKR_G2L_XC * np + p] = e;
        else if (kind == ZKR_G2L_WA_X)
            w[(size_t)q->block * np + p] = zkr_ext_sub(zkr_ext_from(0), e);
        else if (kind == ZKR_G2L_WB_Z)
            w[p] = e;
        else {
            w[(size_t)ZKR_G2L_YB * np + p] = zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul_base(e, 256));
            w[(size_t)ZKR_G2L_XC * np + p] = zkr_ext_sub(zkr_ext_from(0), e);
        }
    }
}

unsigned zkr_ginf2_lut_z_blind(const zkr_params *p, const zkr_ginf2_lut *q)
{
    return zkr_ginf2_range_blind(p, zkr_ginf2_lut_v_vars(q), 1);
}

/* One opening's query (and commit) phase error over n committed variables. */
static double g2l_open(const zkr_params *p, unsigned n)
{
    return pow(2.0, -zkr_ldr_hsoundness(p, n, 0, 0).provable_bits);
}

/* The figure at p's pow_bits (only the openings' query phases depend on it). */
static double g2lut_bits(const zkr_params *p, const void *qv, unsigned ve, unsigned xe)
{
    const zkr_ginf2_lut *q = qv;
    unsigned nv = zkr_ginf2_lut_v_vars(q), lcz = zkr_zkrange_coef_vars(nv);
    unsigned ze = zkr_ginf2_lut_z_blind(p, q), cb = lcz + zkr_hpcs_blind_vars(p, lcz, 1);
    double err;

    /* z and z2 (one row each, Schwartz-Zippel over lp coordinates) */
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, 2 * q->lp, 0, 0, 0));
    /* V's byte range proof (RA, X linked): its algebra, its batch, X's and C's openings */
    err += zkr_zkrange_alg_error(p, nv, ve) + g2l_open(p, nv + ve) +
           g2l_open(p, zkr_ginf2_lut_x_vars(q) + xe) + g2l_open(p, cb);
    /* Z's lookup (RB, V linked): its algebra, its batch, V's and C's openings */
    err += zkr_zkrange_alg_error(p, nv, ze) + g2l_open(p, nv + ze) + g2l_open(p, nv + ve) +
           g2l_open(p, cb);
    return -log2(err);
}

double zkr_ginf2_lut_soundness_at(const zkr_params *p, const zkr_ginf2_lut *q, unsigned ve,
                                  unsigned xe, unsigned extra)
{
    return zkr_ginf2_bits2_at(g2lut_bits, p, q, ve, xe, extra);
}

unsigned zkr_ginf2_lut_grind_bits(const zkr_params *p, const zkr_ginf2_lut *q, unsigned ve,
                                  unsigned xe, unsigned share)
{
    return zkr_ginf2_bits2_grind(g2lut_bits, p, q, ve, xe, share);
}

double zkr_ginf2_lut_soundness_bits(const zkr_params *p, const zkr_ginf2_lut *q, unsigned ve,
                                    unsigned xe)
{
    return zkr_ginf2_lut_soundness_at(p, q, ve, xe, zkr_ginf2_lut_grind_bits(p, q, ve, xe, 1));
}
