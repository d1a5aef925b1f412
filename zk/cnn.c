/* CNN relations: geometry, the im2col selector and the tables both sides derive. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/cnn.h"

static int zkr_cnn_dim_ok(uint32_t v, uint32_t max)
{
    return v >= 1 && v <= max;
}

/* Output size of one axis, or 0 when the dilated kernel does not fit. */
static uint32_t zkr_cnn_out_len(uint32_t n, uint32_t k, uint32_t s, uint32_t d, uint32_t p0,
                                uint32_t p1)
{
    uint64_t ext = (uint64_t)d * (k - 1) + 1, span = (uint64_t)n + p0 + p1;

    if (p0 >= ext || p1 >= ext || span < ext)
        return 0;
    return (uint32_t)((span - ext) / s + 1);
}

zkr_err zkr_cnn_win_init(zkr_cnn_win *g, uint32_t c, uint32_t h, uint32_t w, uint32_t kh,
                         uint32_t kw, uint32_t sh, uint32_t sw, uint32_t dh, uint32_t dw,
                         const uint32_t pads[4])
{
    memset(g, 0, sizeof *g);
    if (!zkr_cnn_dim_ok(c, ZKR_CNN_MAX_DIM) || !zkr_cnn_dim_ok(h, ZKR_CNN_MAX_DIM) ||
        !zkr_cnn_dim_ok(w, ZKR_CNN_MAX_DIM) || !zkr_cnn_dim_ok(kh, ZKR_CNN_MAX_KERNEL) ||
        !zkr_cnn_dim_ok(kw, ZKR_CNN_MAX_KERNEL) || !zkr_cnn_dim_ok(sh, ZKR_CNN_MAX_STRIDE) ||
        !zkr_cnn_dim_ok(sw, ZKR_CNN_MAX_STRIDE) || !zkr_cnn_dim_ok(dh, ZKR_CNN_MAX_STRIDE) ||
        !zkr_cnn_dim_ok(dw, ZKR_CNN_MAX_STRIDE))
        return ZKR_ERR_MALFORMED;
    g->c = c, g->h = h, g->w = w, g->kh = kh, g->kw = kw;
    g->sh = sh, g->sw = sw, g->dh = dh, g->dw = dw;
    g->pt = pads[0], g->pl = pads[1], g->pb = pads[2], g->pr = pads[3];
    g->oh = zkr_cnn_out_len(h, kh, sh, dh, g->pt, g->pb);
    g->ow = zkr_cnn_out_len(w, kw, sw, dw, g->pl, g->pr);
    if (g->oh == 0 || g->ow == 0)
        return ZKR_ERR_MALFORMED;
    g->lc = zkr_log2_ceil(c), g->lh = zkr_log2_ceil(h), g->lw = zkr_log2_ceil(w);
    g->lkh = zkr_log2_ceil(kh), g->lkw = zkr_log2_ceil(kw);
    g->loh = zkr_log2_ceil(g->oh), g->low = zkr_log2_ceil(g->ow);
    /* The window view (c, kernel, output) is the largest table a relation builds. */
    if (g->lc + g->lkh + g->lkw + g->loh + g->low > ZKR_CNN_MAX_VARS ||
        g->lc + g->lh + g->lw > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

zkr_err zkr_cnn_conv_init(zkr_cnn_conv *c, const zkr_cnn_win *g, uint32_t cout, int depthwise)
{
    memset(c, 0, sizeof *c);
    if (!zkr_cnn_dim_ok(cout, ZKR_CNN_MAX_DIM) || (depthwise && cout % g->c != 0))
        return ZKR_ERR_MALFORMED;
    c->g = *g;
    c->cout = cout;
    c->depthwise = depthwise != 0;
    c->lco = zkr_log2_ceil(cout);
    c->mult = depthwise ? cout / g->c : 1;
    c->lm = zkr_log2_ceil(c->mult);
    if (zkr_cnn_conv_w_vars(c) > ZKR_CNN_MAX_VARS || zkr_cnn_conv_y_vars(c) > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

void zkr_cnn_axis(uint32_t n_in, unsigned ly, uint32_t nk, uint32_t no, uint32_t stride,
                  uint32_t dil, uint32_t pad, const zkr_ext *kw, const zkr_ext *ow, zkr_ext *a)
{
    for (size_t y = 0; y < ((size_t)1 << ly); y++)
        a[y] = zkr_ext_from(0);
    for (uint32_t o = 0; o < no; o++)
        for (uint32_t i = 0; i < nk; i++) {
            int64_t y = (int64_t)o * stride + (int64_t)i * dil - pad;
            if (y < 0 || y >= (int64_t)n_in)
                continue; /* the zero border */
            a[y] = zkr_ext_add(a[y], kw ? zkr_ext_mul(kw[i], ow[o]) : ow[o]);
        }
}

void zkr_cnn_eq_prefix(const zkr_ext *r, unsigned l, size_t len, zkr_ext *out)
{
    zkr_ext one = zkr_ext_from(1);

    for (size_t i = 0; i < len; i++) {
        zkr_ext acc = one;
        for (unsigned b = 0; b < l; b++)
            acc = zkr_ext_mul(acc, ((i >> b) & 1) ? r[b] : zkr_ext_sub(one, r[b]));
        out[i] = acc;
    }
}

zkr_err zkr_cnn_eval_vec(const zkr_ext *v, size_t len, unsigned l, const zkr_ext *s, zkr_ext *out)
{
    size_t n = (size_t)1 << l;
    zkr_ext *e = malloc(n * sizeof *e), acc = zkr_ext_from(0);

    *out = acc;
    if (!e)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(s, l, e);
    for (size_t i = 0; i < len && i < n; i++)
        acc = zkr_ext_add(acc, zkr_ext_mul(v[i], e[i]));
    free(e);
    *out = acc;
    return ZKR_OK;
}

zkr_ext zkr_cnn_prefix_eval(uint64_t n, unsigned l, const zkr_ext *s)
{
    /* [i < n] over bits from the top: below n's set bit b, every lower
     * pattern counts; equal bits continue. O(l). */
    zkr_ext acc = zkr_ext_from(0), pre = zkr_ext_from(1), one = zkr_ext_from(1);

    if (n >= ((uint64_t)1 << l))
        return one;
    for (unsigned b = l; b-- > 0;) {
        if ((n >> b) & 1) {
            acc = zkr_ext_add(acc, zkr_ext_mul(pre, zkr_ext_sub(one, s[b])));
            pre = zkr_ext_mul(pre, s[b]);
        } else {
            pre = zkr_ext_mul(pre, zkr_ext_sub(one, s[b]));
        }
    }
    return acc;
}

/* sum over (i < nk, o < no) inside the input of eq(si, i) eq(so, o). */
static zkr_err zkr_cnn_inb_eval(uint32_t n_in, uint32_t nk, uint32_t no, uint32_t stride,
                                uint32_t dil, uint32_t pad, unsigned lk, unsigned lo,
                                const zkr_ext *si, const zkr_ext *so, zkr_ext *out)
{
    zkr_ext *ek = malloc(((size_t)nk + no) * sizeof *ek), *eo, acc = zkr_ext_from(0);

    *out = acc;
    if (!ek)
        return ZKR_ERR_NOMEM;
    eo = ek + nk;
    zkr_cnn_eq_prefix(si, lk, nk, ek);
    zkr_cnn_eq_prefix(so, lo, no, eo);
    for (uint32_t o = 0; o < no; o++)
        for (uint32_t i = 0; i < nk; i++) {
            int64_t y = (int64_t)o * stride + (int64_t)i * dil - pad;
            if (y >= 0 && y < (int64_t)n_in)
                acc = zkr_ext_add(acc, zkr_ext_mul(ek[i], eo[o]));
        }
    free(ek);
    *out = acc;
    return ZKR_OK;
}

zkr_err zkr_cnn_pool_valid_eval(const zkr_cnn_win *g, const zkr_ext *s, zkr_ext *out)
{
    unsigned lp = zkr_cnn_out_vars(g);
    zkr_ext vh, vw;
    zkr_err r;

    *out = zkr_ext_from(0);
    if ((r = zkr_cnn_inb_eval(g->h, g->kh, g->oh, g->sh, g->dh, g->pt, g->lkh, g->loh,
                              s + lp + g->lkw, s + g->low, &vh)) != ZKR_OK ||
        (r = zkr_cnn_inb_eval(g->w, g->kw, g->ow, g->sw, g->dw, g->pl, g->lkw, g->low, s + lp, s,
                              &vw)) != ZKR_OK)
        return r;
    *out = zkr_ext_mul(zkr_ext_mul(vh, vw),
                       zkr_cnn_prefix_eval(g->c, g->lc, s + g->low + g->loh));
    return ZKR_OK;
}

zkr_ext zkr_cnn_valid_eval(uint32_t c, uint32_t h, uint32_t w, unsigned lc, unsigned lh,
                           unsigned lw, const zkr_ext *s)
{
    return zkr_ext_mul(zkr_cnn_prefix_eval(w, lw, s),
                       zkr_ext_mul(zkr_cnn_prefix_eval(h, lh, s + lw),
                                   zkr_cnn_prefix_eval(c, lc, s + lw + lh)));
}

zkr_err zkr_cnn_view_axes(const zkr_cnn_win *g, const zkr_cnn_view_pt *v, zkr_ext *ah,
                          zkr_ext *aw)
{
    zkr_ext ki[ZKR_CNN_MAX_KERNEL], kj[ZKR_CNN_MAX_KERNEL];
    zkr_ext *oy = malloc(((size_t)g->oh + g->ow) * sizeof *oy), *ox;

    if (!oy)
        return ZKR_ERR_NOMEM;
    ox = oy + g->oh;
    if (v->pi)
        zkr_cnn_eq_prefix(v->pi, g->lkh, g->kh, ki);
    if (v->pj)
        zkr_cnn_eq_prefix(v->pj, g->lkw, g->kw, kj);
    zkr_cnn_eq_prefix(v->poy, g->loh, g->oh, oy);
    zkr_cnn_eq_prefix(v->pox, g->low, g->ow, ox);
    zkr_cnn_axis(g->h, g->lh, g->kh, g->oh, g->sh, g->dh, g->pt, v->pi ? ki : NULL, oy, ah);
    zkr_cnn_axis(g->w, g->lw, g->kw, g->ow, g->sw, g->dw, g->pl, v->pj ? kj : NULL, ox, aw);
    free(oy);
    return ZKR_OK;
}

zkr_err zkr_cnn_view_selector_eval(const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                                   const zkr_ext *s, zkr_ext *out)
{
    zkr_ext *ah = malloc((((size_t)1 << g->lh) + ((size_t)1 << g->lw)) * sizeof *ah), *aw;
    zkr_ext eh, ew;
    zkr_err r;

    *out = zkr_ext_from(0);
    if (!ah)
        return ZKR_ERR_NOMEM;
    aw = ah + ((size_t)1 << g->lh);
    if ((r = zkr_cnn_view_axes(g, v, ah, aw)) == ZKR_OK &&
        (r = zkr_cnn_eval_vec(aw, (size_t)1 << g->lw, g->lw, s, &ew)) == ZKR_OK &&
        (r = zkr_cnn_eval_vec(ah, (size_t)1 << g->lh, g->lh, s + g->lw, &eh)) == ZKR_OK)
        *out = zkr_ext_mul(zkr_mle_eq_eval(v->pc, s + g->lw + g->lh, g->lc),
                           zkr_ext_mul(eh, ew));
    free(ah);
    return r;
}

zkr_err zkr_cnn_claim_add(zkr_cnn_claims *cs, unsigned poly, const zkr_ext *pt, unsigned n,
                          zkr_ext val)
{
    zkr_cnn_claim *c;

    if (cs->n >= ZKR_CNN_MAX_CLAIMS || n > ZKR_CNN_MAX_PT)
        return ZKR_ERR_INTERNAL;
    c = &cs->c[cs->n++];
    memset(c, 0, sizeof *c);
    c->poly = poly;
    c->n = n;
    if (n)
        memcpy(c->pt, pt, n * sizeof *pt);
    c->val = val;
    return ZKR_OK;
}

void zkr_cnn_lut_table(const int8_t t[256], zkr_gl out[1u << ZKR_CNN_LUT_LOG])
{
    for (unsigned j = 0; j < 256; j++) {
        out[j] = (zkr_gl)j + 256u * (zkr_gl)(t[j] + 128);
        out[256 + j] = ZKR_CNN_LUT_BYTE_OFF + j;
    }
}

static unsigned zkr_cnn_ceil_div(unsigned a, unsigned b)
{
    return (a + b - 1) / b;
}

static zkr_err zkr_cnn_rq_slots(zkr_cnn_add *a, int64_t ma, int64_t mb, uint32_t shift,
                                unsigned gbits, int relu);

zkr_err zkr_cnn_add_init(zkr_cnn_add *a, int64_t ma, int64_t mb, uint32_t shift, int relu)
{
    unsigned gbits;

    memset(a, 0, sizeof *a);
    if (shift < 1 || shift > 48 || ma < 0 || ma >= ((int64_t)1 << 31) || mb < 0 ||
        mb >= ((int64_t)1 << 31))
        return ZKR_ERR_MALFORMED;
    gbits = shift < 41 ? 49 - shift : 8;
    return zkr_cnn_rq_slots(a, ma, mb, shift, gbits, relu);
}

zkr_err zkr_cnn_requant_init(zkr_cnn_add *a, uint32_t shift, int relu)
{
    memset(a, 0, sizeof *a);
    if (shift < 1 || shift > 48)
        return ZKR_ERR_MALFORMED;
    a->mul = 1;
    return zkr_cnn_rq_slots(a, 0, 0, shift, 63 - shift, relu);
}

static zkr_err zkr_cnn_rq_slots(zkr_cnn_add *a, int64_t ma, int64_t mb, uint32_t shift,
                                unsigned gbits, int relu)
{
    a->gbits = gbits;
    a->ma = ma, a->mb = mb, a->shift = shift;
    a->lo = relu ? 0 : -128;
    a->nr = zkr_cnn_ceil_div(shift, 8);
    a->ng = zkr_cnn_ceil_div(gbits, 8);
    a->slot_rtc = ZKR_CNN_ADD_R0 + a->nr;
    a->slot_g0 = a->slot_rtc + 1;
    a->slot_gtc = a->slot_g0 + a->ng;
    a->c_r = (uint64_t)1 << (8 * a->nr - shift);
    a->c_g = (uint64_t)1 << (8 * a->ng - gbits);
    return ZKR_OK;
}

/* n bits in ZKR_CNN_RQN_LIMB-bit limbs: the limb count, and the top limb's scale when n is not whole limbs. */
static void zkr_cnn_rqn_value(zkr_cnn_rqn *a, unsigned first, unsigned nl, unsigned bits)
{
    for (unsigned k = 0; k < nl; k++)
        a->ent[a->n_ent++] = (zkr_cnn_rqn_entry){first + k, 1, 1, 0};
    if (nl && bits < ZKR_CNN_RQN_LIMB * nl)
        a->ent[a->n_ent++] = (zkr_cnn_rqn_entry){
            first + nl - 1, (uint64_t)1 << (ZKR_CNN_RQN_LIMB * nl - bits), 1, 0};
}

/* A side's width: whole limbs when they stay within 63 - s, else exact. */
static unsigned zkr_cnn_rqn_width(unsigned bits, uint32_t shift)
{
    unsigned whole = zkr_cnn_ceil_div(bits, ZKR_CNN_RQN_LIMB) * ZKR_CNN_RQN_LIMB;

    return whole + shift <= 63 ? whole : bits;
}

zkr_err zkr_cnn_rqn_init(zkr_cnn_rqn *a, int mul, int64_t ma, int64_t mb, uint32_t shift,
                         int relu, unsigned ghb, unsigned glb)
{
    memset(a, 0, sizeof *a);
    if (shift < 1 || shift > 48 || ma < 0 || ma >= ((int64_t)1 << 31) || mb < 0 ||
        mb >= ((int64_t)1 << 31) || ghb + shift > 63 || glb + shift > 63)
        return ZKR_ERR_MALFORMED;
    a->mul = mul;
    a->ma = mul ? 0 : ma, a->mb = mul ? 0 : mb, a->shift = shift;
    a->lo = relu ? 0 : -128;
    a->ghb = zkr_cnn_rqn_width(ghb, shift);
    a->glb = zkr_cnn_rqn_width(glb, shift);
    a->nr = zkr_cnn_ceil_div(shift, ZKR_CNN_RQN_LIMB);
    a->ngh = zkr_cnn_ceil_div(a->ghb, ZKR_CNN_RQN_LIMB);
    a->ngl = zkr_cnn_ceil_div(a->glb, ZKR_CNN_RQN_LIMB);
    a->slot_gh = a->nr;
    a->slot_gl = a->nr + a->ngh;
    a->nsl = a->nr + a->ngh + a->ngl;
    a->lsl = zkr_log2_ceil(a->nsl);
    /* y - lo and 127 - y: both in 0..2^15-1 and summing to 127 - lo, so y is in lo..127. */
    a->ent[a->n_ent++] = (zkr_cnn_rqn_entry){ZKR_CNN_RQN_SRC_Y, 1, 1, -a->lo};
    a->ent[a->n_ent++] = (zkr_cnn_rqn_entry){ZKR_CNN_RQN_SRC_Y, 1, -1, 127};
    zkr_cnn_rqn_value(a, 0, a->nr, shift);
    zkr_cnn_rqn_value(a, a->slot_gh, a->ngh, a->ghb);
    zkr_cnn_rqn_value(a, a->slot_gl, a->ngl, a->glb);
    return ZKR_OK;
}

double zkr_cnn_relation_error_bits(unsigned rounds, unsigned degree, unsigned zc_vars,
                                   unsigned batch, unsigned na, unsigned nt)
{
    double num = (double)rounds * degree + zc_vars + batch;

    if (na)
        num += ldexp(1.0, (int)na) + ldexp(1.0, (int)nt) + 3.0 * ((double)na * na + (double)nt * nt);
    return 3.0 * log2((double)ZKR_GL_P) - log2(num);
}

zkr_err zkr_cnn_cat_init(zkr_cnn_cat *a, unsigned k, const uint32_t *c, unsigned lhw, unsigned lb)
{
    uint64_t sum = 0;

    memset(a, 0, sizeof *a);
    if (k < 2 || k > ZKR_CNN_CAT_MAX_IN)
        return ZKR_ERR_MALFORMED;
    for (unsigned j = 0; j < k; j++) {
        if (!zkr_cnn_dim_ok(c[j], ZKR_CNN_MAX_DIM))
            return ZKR_ERR_MALFORMED;
        a->c[j] = c[j];
        a->off[j] = (uint32_t)sum;
        a->lc[j] = zkr_log2_ceil(c[j]);
        sum += c[j];
    }
    if (sum > ZKR_CNN_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    a->k = k;
    a->lco = zkr_log2_ceil(sum);
    a->lhw = lhw;
    a->lb = lb;
    return lhw + a->lco + lb > ZKR_CNN_MAX_VARS ? ZKR_ERR_MALFORMED : ZKR_OK;
}

zkr_err zkr_cnn_cat_sel(const zkr_cnn_cat *a, unsigned j, const zkr_ext *zc, const zkr_ext *s,
                        zkr_ext *out)
{
    zkr_ext *ez = malloc((((size_t)1 << a->lco) + ((size_t)1 << a->lc[j])) * sizeof *ez), *es;
    zkr_ext acc = zkr_ext_from(0);

    if (!ez)
        return ZKR_ERR_NOMEM;
    es = ez + ((size_t)1 << a->lco);
    zkr_mle_eq_table(zc, a->lco, ez);
    zkr_mle_eq_table(s, a->lc[j], es);
    for (uint32_t k = 0; k < a->c[j]; k++)
        acc = zkr_ext_add(acc, zkr_ext_mul(ez[a->off[j] + k], es[k]));
    free(ez);
    *out = acc;
    return ZKR_OK;
}

zkr_err zkr_cnn_dw_sel(const zkr_cnn_conv *c, const zkr_ext *rc, const zkr_ext *sc,
                       const zkr_ext *sm, zkr_ext *out)
{
    size_t no = (size_t)1 << c->lco, nc = (size_t)1 << c->g.lc, nm = (size_t)1 << c->lm;
    zkr_ext *eo = malloc((no + nc + nm) * sizeof *eo), *ec, *em, acc = zkr_ext_from(0);

    if (!eo)
        return ZKR_ERR_NOMEM;
    ec = eo + no, em = ec + nc;
    zkr_mle_eq_table(rc, c->lco, eo);
    zkr_mle_eq_table(sc, c->g.lc, ec);
    zkr_mle_eq_table(sm, c->lm, em);
    for (uint32_t k = 0; k < c->g.c; k++) {
        zkr_ext row = zkr_ext_from(0);
        for (uint32_t m = 0; m < c->mult; m++)
            row = zkr_ext_add(row, zkr_ext_mul(em[m], eo[(size_t)k * c->mult + m]));
        acc = zkr_ext_add(acc, zkr_ext_mul(ec[k], row));
    }
    free(eo);
    *out = acc;
    return ZKR_OK;
}
