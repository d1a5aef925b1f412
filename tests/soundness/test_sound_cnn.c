/*
 * Soundness attacks on the CNN relations (docs/soundness.md, "CNN
 * relations"). Each cheating prover edits the honest witness so that the
 * relation's other equations still hold in the field, proves it as the
 * honest prover would (LogUp going on over out-of-table values), and
 * the verifier refuses it with ZKR_ERR_VERIFY. The same attack with the
 * one check that stops it switched off on both sides (test builds only)
 * verifies and its claims hold against the cheater's tables: the check
 * is what stops it.
 */
#include "prover/ginfer.h"
#include "tests/tap.h"
#include "tests/zk/cnn_rel.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/ginfer.h"
#include "zkr_config.h"

/* (c, oy, ox) -> p, and (i, j, p) -> selector index. */
static size_t pidx(const zkr_cnn_win *g, uint32_t c, uint32_t oy, uint32_t ox)
{
    return ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
}
static size_t eidx(const zkr_cnn_win *g, uint32_t i, uint32_t j, size_t p)
{
    return ((((size_t)i << g->lkw) | j) << zkr_cnn_out_vars(g)) | p;
}

/* Refused with the check, accepted (claims holding) without it. */
static void attack(zkr_tap *t, rel *r, unsigned check, const char *name)
{
    zkr_buf pf = {0};
    zkr_cnn_claims cl;
    zkr_diag d = {0};
    zkr_err e;

    r->cheat = 1;
    r->off = 0;
    e = rel_prove(r, &pf, &cl);
    if (e == ZKR_OK)
        e = rel_verify_raw(r, pf.p, pf.len, &cl, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "%s: refused (%s)", name,
               e == ZKR_ERR_VERIFY ? d.msg : "not refused by the verifier");
    zkr_buf_free(&pf);
    r->off = check;
    e = rel_prove(r, &pf, &cl);
    if (e == ZKR_OK)
        e = rel_verify(r, pf.p, pf.len, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: accepted when that check is off (%d)", name, (int)e);
    zkr_buf_free(&pf);
    r->off = 0;
}

/*
 * Depthwise with a channel multiplier (docs/soundness.md, "CONV"): 3x6x6
 * -> 6 (multiplier 2). The cheater claims the output with its channels
 * transposed (channel m C + c holds the honest channel c mult + m: the
 * weights of output o paired with input channel o mod C instead of
 * o / mult) and proves it with the matching transposed selector; the W and
 * X claims are true. Only the verifier's own selector refuses it (off:
 * ZKR_CNN_OFF_DW_SEL).
 */
static void dw_transposed(zkr_tap *t, uint32_t nc, uint32_t mult)
{
    int8_t x[5 * 36];
    int64_t w[15 * 9];
    zkr_gl *yt;
    rel r;
    size_t hw;
    int changed = 0;
    char name[96];

    if (nc > 5 || nc * mult > 15)
        abort();
    for (size_t k = 0; k < (size_t)nc * 36; k++)
        x[k] = (int8_t)((int)(k * 29 % 113) - 56);
    for (size_t k = 0; k < (size_t)nc * mult * 9; k++)
        w[k] = (int64_t)(k * 37 % 61) - 30;
    if (rel_conv(&r, x, w, nc, 6, 6, nc * mult, 3, 1, 1, 1, 1) != ZKR_OK)
        abort();
    hw = (size_t)1 << (r.g.loh + r.g.low);
    if (!(yt = calloc((size_t)1 << zkr_cnn_conv_y_vars(&r.cv), sizeof *yt)))
        abort();
    for (uint32_t c = 0; c < nc; c++)
        for (uint32_t m = 0; m < mult; m++)
            for (size_t p = 0; p < hw; p++) {
                yt[(m * nc + c) * hw + p] = r.yconv[(c * mult + m) * hw + p];
                changed |= yt[(m * nc + c) * hw + p] != r.yconv[(m * nc + c) * hw + p];
            }
    free(r.yconv);
    r.yconv = yt;
    snprintf(name, sizeof name, "dw-mult (C %u, mult %u)", (unsigned)nc, (unsigned)mult);
    zkr_tap_ok(t, changed, "%s: the transposed output differs from the honest one", name);
    snprintf(name, sizeof name, "dw-mult (C %u, mult %u): output channels transposed "
             "(o reads o mod C)", (unsigned)nc, (unsigned)mult);
    attack(t, &r, ZKR_CNN_OFF_DW_SEL, name);
    rel_free(&r);
}

/* Max pooling 3x3 stride 2 pad 1 over negative values: select a padded position (reads 0). */
static void mp_padded_max(zkr_tap *t)
{
    const uint32_t pads[4] = {1, 1, 1, 1};
    int8_t x[25];
    rel r;
    zkr_cnn_win *g = &r.g;

    for (unsigned i = 0; i < 25; i++)
        x[i] = (int8_t)(-1 - (int)(zkr_tap_rand(t) % 100));
    if (rel_pool(&r, REL_MAXPOOL, x, 1, 5, 5, 3, 3, 2, pads) != ZKR_OK)
        abort();
    {
        size_t p = pidx(g, 0, 0, 0);
        zkr_gl *E = r.tabs[ZKR_CNN_POLY_E], *D = r.tabs[ZKR_CNN_POLY_D];
        /* Window (0, 0) covers input rows/cols -1..1; (i, j) = (0, 0) is padding. */
        for (uint32_t i = 0; i < 3; i++)
            for (uint32_t j = 0; j < 3; j++) {
                E[eidx(g, i, j, p)] = 0;
                if (i >= 1 && j >= 1) /* inside: D = 0 - x >= 0, a byte */
                    D[eidx(g, i, j, p)] = (zkr_gl)(-(int64_t)x[(i - 1) * 5 + (j - 1)]);
            }
        E[eidx(g, 0, 0, p)] = 1;
        r.tabs[ZKR_CNN_POLY_Y][p] = 0; /* above every real element */
    }
    attack(t, &r, ZKR_CNN_OFF_SEL_VALID, "maxpool: a padded position (0) selected as the max");
    rel_free(&r);
}

/* Max pooling 3x3 (kernel padded to 4x4): select the kernel slot (3, 0), outside the window. */
static void mp_kernel_slot(zkr_tap *t)
{
    const uint32_t pads[4] = {0, 0, 0, 0};
    int8_t x[36];
    rel r;
    zkr_cnn_win *g = &r.g;

    for (unsigned i = 0; i < 36; i++)
        x[i] = (int8_t)(-1 - (int)(zkr_tap_rand(t) % 100));
    if (rel_pool(&r, REL_MAXPOOL, x, 1, 6, 6, 3, 3, 3, pads) != ZKR_OK)
        abort();
    {
        size_t p = pidx(g, 0, 0, 0);
        zkr_gl *E = r.tabs[ZKR_CNN_POLY_E], *D = r.tabs[ZKR_CNN_POLY_D];
        for (uint32_t i = 0; i < 3; i++)
            for (uint32_t j = 0; j < 3; j++) {
                E[eidx(g, i, j, p)] = 0;
                D[eidx(g, i, j, p)] = (zkr_gl)(-(int64_t)x[i * 6 + j]);
            }
        E[eidx(g, 3, 0, p)] = 1;
        r.tabs[ZKR_CNN_POLY_Y][p] = 0;
    }
    attack(t, &r, ZKR_CNN_OFF_SEL_VALID,
           "maxpool: a kernel slot outside the 3x3 window (view value 0) selected");
    rel_free(&r);
}

/* A 2x2 window holding 10, 20, 5, -3 (and, with tie, 20 twice). */
static void mp_window(rel *r, int tie)
{
    const uint32_t pads[4] = {0, 0, 0, 0};
    int8_t x[16] = {10, 20, 1, 2, 5, -3, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14};

    if (tie)
        x[0] = 20;
    if (rel_pool(r, REL_MAXPOOL, x, 1, 4, 4, 2, 2, 2, pads) != ZKR_OK)
        abort();
}

static void mp_wrapped(zkr_tap *t)
{
    rel r;
    zkr_cnn_win *g = &r.g;
    size_t p;
    zkr_gl *E, *D;
    static const int8_t win[4] = {10, 20, 5, -3};

    mp_window(&r, 0);
    p = pidx(g, 0, 0, 0), E = r.tabs[ZKR_CNN_POLY_E], D = r.tabs[ZKR_CNN_POLY_D];
    /* Output the second largest (10): D at 20 is 10 - 20 = -10, i.e. p - 10. */
    for (uint32_t k = 0; k < 4; k++) {
        E[eidx(g, k / 2, k % 2, p)] = k == 0;
        D[eidx(g, k / 2, k % 2, p)] = zkr_gl_from_i64(10 - win[k]);
    }
    r.tabs[ZKR_CNN_POLY_Y][p] = 10;
    attack(t, &r, ZKR_CNN_OFF_RANGE, "maxpool: a non-maximum output, its negative difference wrapped mod p");
    rel_free(&r);
}

static void mp_two_selected(zkr_tap *t)
{
    rel r;
    zkr_cnn_win *g = &r.g;
    size_t p;

    mp_window(&r, 1);
    p = pidx(g, 0, 0, 0);
    r.tabs[ZKR_CNN_POLY_E][eidx(g, 0, 0, p)] = 1;
    r.tabs[ZKR_CNN_POLY_E][eidx(g, 0, 1, p)] = 1;
    attack(t, &r, ZKR_CNN_OFF_SEL_SUM, "maxpool: two selectors in one window");
    rel_free(&r);
}

static void mp_none_selected(zkr_tap *t)
{
    rel r;
    zkr_cnn_win *g = &r.g;
    size_t p;
    static const int8_t win[4] = {10, 20, 5, -3};

    mp_window(&r, 0);
    p = pidx(g, 0, 0, 0);
    /* No selector: the output is only bounded below; claim 30. */
    for (uint32_t k = 0; k < 4; k++) {
        r.tabs[ZKR_CNN_POLY_E][eidx(g, k / 2, k % 2, p)] = 0;
        r.tabs[ZKR_CNN_POLY_D][eidx(g, k / 2, k % 2, p)] = (zkr_gl)(30 - win[k]);
    }
    r.tabs[ZKR_CNN_POLY_Y][p] = 30;
    attack(t, &r, ZKR_CNN_OFF_SEL_SUM, "maxpool: no selector and the output raised to 30");
    rel_free(&r);
}

static void mp_not_bit(zkr_tap *t)
{
    rel r;
    zkr_cnn_win *g = &r.g;
    size_t p;

    /* E = 2 and -1 on the tied maxima: the sum is still 1 and E D = 0. */
    mp_window(&r, 1);
    p = pidx(g, 0, 0, 0);
    r.tabs[ZKR_CNN_POLY_E][eidx(g, 0, 0, p)] = 2;
    r.tabs[ZKR_CNN_POLY_E][eidx(g, 0, 1, p)] = zkr_gl_from_i64(-1);
    attack(t, &r, ZKR_CNN_OFF_SEL_BIT, "maxpool: a selector of 2 and -1 (sums to one)");
    rel_free(&r);
}

/* Average pooling: q one lower, r raised by k (r >= k), k - 1 - r wraps mod p. */
static void ap_remainder(zkr_tap *t, uint32_t kk, const char *name)
{
    const uint32_t pads[4] = {0, 0, 0, 0};
    uint32_t h = 2 * kk;
    int8_t *x = malloc((size_t)h * h);
    rel r;

    for (size_t i = 0; i < (size_t)h * h; i++)
        x[i] = (int8_t)((int)(zkr_tap_rand(t) % 256) - 128);
    if (rel_pool(&r, REL_AVGPOOL, x, 1, h, h, kk, kk, kk, pads) != ZKR_OK)
        abort();
    {
        size_t p = pidx(&r.g, 0, 0, 0), plen = (size_t)1 << zkr_cnn_out_vars(&r.g);
        zkr_gl *R = r.tabs[ZKR_CNN_POLY_R], *Q = r.tabs[ZKR_CNN_POLY_Y];
        int64_t k = (int64_t)kk * kk;
        int64_t rr = (int64_t)R[ZKR_CNN_AP_R0 * plen + p] + 256 * (int64_t)R[ZKR_CNN_AP_R1 * plen + p];
        int64_t r2 = rr + k, c2 = k - 1 - r2;
        Q[p] = zkr_gl_sub(Q[p], 1);
        R[ZKR_CNN_AP_R0 * plen + p] = (zkr_gl)(r2 & 0xff);
        R[ZKR_CNN_AP_R1 * plen + p] = (zkr_gl)(r2 >> 8);
        R[ZKR_CNN_AP_C0 * plen + p] = zkr_gl_from_i64(c2); /* negative: p - |c2| */
        R[ZKR_CNN_AP_C1 * plen + p] = 0;
    }
    attack(t, &r, ZKR_CNN_OFF_RANGE, name);
    rel_free(&r);
    free(x);
}

static void lut_tables(int8_t *tab)
{
    for (int i = 0; i < 256; i++) {
        int v = (i - 128) / 2 + 5;
        tab[i] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
    }
}

static void lut_pair(zkr_tap *t)
{
    int8_t tab[256], x[30];
    rel r;

    lut_tables(tab);
    for (unsigned i = 0; i < 30; i++)
        x[i] = (int8_t)((int)(zkr_tap_rand(t) % 200) - 100);
    if (rel_lut(&r, x, 2, 3, 5, tab) != ZKR_OK)
        abort();
    r.tabs[ZKR_CNN_POLY_Y][9] = zkr_gl_add(r.tabs[ZKR_CNN_POLY_Y][9], 1); /* (0, 1, 1) */
    attack(t, &r, ZKR_CNN_OFF_RANGE, "lookup: a pair (x, T[x] + 1) not in the table");
    rel_free(&r);
}

/* x + 256 and y - 1 give the same combined pair value: only x's range stops it. */
static void lut_carry(zkr_tap *t)
{
    int8_t tab[256], x[30];
    rel r;

    lut_tables(tab);
    for (unsigned i = 0; i < 30; i++)
        x[i] = (int8_t)((int)(zkr_tap_rand(t) % 200) - 100);
    if (rel_lut(&r, x, 2, 3, 5, tab) != ZKR_OK)
        abort();
    r.tabs[ZKR_CNN_POLY_X][4] = zkr_gl_add(r.tabs[ZKR_CNN_POLY_X][4], 256);
    r.tabs[ZKR_CNN_POLY_Y][4] = zkr_gl_sub(r.tabs[ZKR_CNN_POLY_Y][4], 1);
    attack(t, &r, ZKR_CNN_OFF_RANGE, "lookup: x + 256 with y - 1 (the same pair value)");
    rel_free(&r);
}

/* ADD: y one higher, r lowered by 2^s (negative, wrapped mod p). */
static void add_off(zkr_tap *t)
{
    int8_t a[20], b[20], y[20];
    rel r;
    size_t plen, j = 3;

    for (unsigned i = 0; i < 20; i++) {
        a[i] = (int8_t)((int)(zkr_tap_rand(t) % 40) - 20);
        b[i] = (int8_t)((int)(zkr_tap_rand(t) % 40) - 20);
    }
    if (rel_add(&r, a, b, 20, 3, 5, 8, 0, y) != ZKR_OK)
        abort();
    plen = (size_t)1 << r.lp;
    {
        zkr_gl *V = r.tabs[ZKR_CNN_POLY_V];
        zkr_gl rneg = zkr_gl_sub(V[ZKR_CNN_ADD_R0 * plen + j], 256);
        V[ZKR_CNN_ADD_Y * plen + j] = zkr_gl_add(V[ZKR_CNN_ADD_Y * plen + j], 1);
        V[ZKR_CNN_ADD_YC * plen + j] = zkr_gl_sub(V[ZKR_CNN_ADD_YC * plen + j], 1);
        V[ZKR_CNN_ADD_R0 * plen + j] = rneg;
        V[r.ad.slot_rtc * plen + j] = zkr_gl_mul(rneg, r.ad.c_r);
        r.tabs[ZKR_CNN_POLY_Y][j] = zkr_gl_add(r.tabs[ZKR_CNN_POLY_Y][j], 1);
    }
    attack(t, &r, ZKR_CNN_OFF_RANGE, "add: y + 1 with r - 2^s (off by k 2^s, r wrapped)");
    rel_free(&r);
}

/* ADD: the high clamp flag set on an unclamped element, g negative. */
static void add_clamp(zkr_tap *t)
{
    int8_t a[20], b[20], y[20];
    rel r;
    size_t plen, j = 5;

    for (unsigned i = 0; i < 20; i++) {
        a[i] = (int8_t)((int)(zkr_tap_rand(t) % 40) - 20);
        b[i] = (int8_t)((int)(zkr_tap_rand(t) % 40) - 20);
    }
    if (rel_add(&r, a, b, 20, 3, 5, 8, 0, y) != ZKR_OK)
        abort();
    plen = (size_t)1 << r.lp;
    {
        /* Claim y = 127, hi = 1, g = q - 127 < 0 (wrapped into the first g limb). */
        zkr_gl *V = r.tabs[ZKR_CNN_POLY_V];
        zkr_gl g = zkr_gl_from_i64((int64_t)y[j] - 127);
        V[ZKR_CNN_ADD_Y * plen + j] = 255;
        V[ZKR_CNN_ADD_YC * plen + j] = 0;
        V[ZKR_CNN_ADD_HI * plen + j] = 1;
        V[r.ad.slot_g0 * plen + j] = g;
        if (r.ad.ng == 1)
            V[r.ad.slot_gtc * plen + j] = zkr_gl_mul(g, r.ad.c_g);
        r.tabs[ZKR_CNN_POLY_Y][j] = 127;
    }
    attack(t, &r, ZKR_CNN_OFF_RANGE, "add: clamped to 127 with a negative g wrapped mod p");
    rel_free(&r);
}

/*
 * graph-inference v3's narrow requantization and its one range LogUp
 * ("ginf-range", docs/soundness.md): a 1x4x4 input, CONV 2@3x3 and DENSE 2
 * (shift 20; the DENSE with or without ReLU). Each cheater edits the last
 * node's output y and its requantization slots (r = r0 + 2^15 r1, gh, gl; 15-bit limbs)
 * so that every equation stays true mod p but is false over the integers;
 * the public output is the cheated one. Every node relation passes and the
 * range LogUp alone refuses it. The honest twin verifies.
 */
enum { GC_RAISE, GC_R_TOP, GC_HI_WRAP, GC_LO_WRAP, GC_RELU_NEG };
typedef struct {
    int kind;
    uint32_t k;  /* the output element edited */
    int64_t q;   /* its q (found by the test) */
} ginf_cheat;

static void ginf_edit(void *ctx, zkr_ginf_cheat_view *w)
{
    const ginf_cheat *c = ctx;
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1;
    const zkr_cnn_rqn *a = &s->rq[last];
    size_t plen = (size_t)1 << zkr_ginf_lp(s, last), p = c->k; /* a 2 x 1 x 1 tensor */
    zkr_gl *v = w->v + s->v[last][ZKR_GB_RQ].off, *y = w->v + s->v[last][ZKR_GB_Y].off;
    zkr_gl *r0 = v + p, *r1 = v + plen + p, *gh = v + a->slot_gh * plen + p;
    zkr_gl *gl = v + a->slot_gl * plen + p;
    int64_t ny = c->q;

    switch (c->kind) {
    case GC_RAISE: /* y + 1, r - 2^20: r0 wrapped mod p */
        ny = c->q + 1;
        *r0 = zkr_gl_sub(*r0, (zkr_gl)1 << 20);
        break;
    case GC_R_TOP: /* y - 1, r + 2^20: r1 + 32 is a 15-bit value, r >= 2^s */
        ny = c->q - 1;
        *r1 = zkr_gl_add(*r1, (zkr_gl)1 << (20 - ZKR_CNN_RQN_LIMB));
        break;
    case GC_HI_WRAP: /* clamped to 127 with gh = q - 127 < 0 wrapped */
        ny = 127;
        *gh = zkr_gl_from_i64(c->q - 127);
        break;
    case GC_LO_WRAP: /* clamped to -128 with gl = -128 - q < 0 wrapped */
        ny = -128;
        *gl = zkr_gl_from_i64(-128 - c->q);
        break;
    case GC_RELU_NEG: /* ReLU: y = q < 0 unclamped, gl = 0 (y - lo wraps) */
        *gl = 0;
        break;
    }
    y[p] = zkr_gl_from_i64(ny);
    w->out[c->k] = (int16_t)ny;
}

typedef struct {
    zkr_ml_gprog g;
    zkr_ginf_params mp;
    zkr_ginf_model_in in;
    zkr_ginf_model *gm;
    zkr_pcs_commitment comm;
    zkr_params p;
    uint8_t x[16];
} ginf_fix;

static const int8_t gf_w1[2 * 9] = {3, -5, 7, 2, 9, -1, 4, 4, -6, -2, 8, 1, -7, 3, 5, 6, -4, 2};
static const int8_t gf_w2[2 * 2 * 4] = {5, -3, 2, 7, -6, 1, 4, -2, 3, 3, -5, 8, 2, -1, 6, 4};
static const int64_t gf_b1[2] = {100, -50}, gf_m1[2] = {3000, 4000};
static const int64_t gf_b2[2] = {300, -900}, gf_m2[2] = {1 << 16, 1 << 16};

static zkr_err ginf_fixture(ginf_fix *f, int relu)
{
    zkr_diag d = {0};

    memset(f, 0, sizeof *f);
    f->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    f->g.nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 4, .w = 4};
    f->g.nodes[1] = (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 2, .kh = 3, .kw = 3,
                                   .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1};
    f->g.nodes[2] = (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {1}, .c = 2,
                                   .act = relu ? ZKR_ML_ACT_RELU : 0};
    f->g.n_nodes = 3;
    if (zkr_ml_gprog_set_shape(&f->g, 1, NULL) != ZKR_OK ||
        zkr_ml_gprog_set_shape(&f->g, 2, NULL) != ZKR_OK ||
        zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    f->mp.shift[1] = f->mp.shift[2] = 20;
    f->in.g = &f->g;
    f->in.mp = &f->mp;
    f->in.w[1] = gf_w1, f->in.b[1] = gf_b1, f->in.m[1] = gf_m1;
    f->in.w[2] = gf_w2, f->in.b[2] = gf_b2, f->in.m[2] = gf_m2;
    zkr_ginf_params_bound(&f->in, &f->mp);
    for (size_t k = 0; k < sizeof f->x; k++)
        f->x[k] = (uint8_t)(37 * k + 11);
    return zkr_prover_ginf_commit(&f->p, &f->in, 1, &f->gm, &f->comm, &d);
}

static void ginf_statement(ginf_fix *f, const uint8_t *sid, const int8_t *y,
                           zkr_verifier_ginf_statement *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->statement_id, sid, ZKR_DIGEST_BYTES);
    st->param_set = ZKR_PARAM_SET_128;
    st->g = &f->g;
    st->mp = &f->mp;
    st->model = f->comm;
    st->input = f->x;
    st->input_len = sizeof f->x;
    st->output = y;
    st->output_n = 2;
}

/* The last node's q per element: the DENSE without its ReLU, computed natively. */
static int ginf_q(const ginf_fix *f, int64_t q[2])
{
    ginf_fix lin = *f;
    int8_t y[2];

    lin.g.nodes[2].act = 0;
    lin.in.g = &lin.g;
    lin.in.mp = &lin.mp;
    if (zkr_ginf_native(&lin.in, f->x, y, 2) != ZKR_OK)
        return 0;
    q[0] = y[0], q[1] = y[1];
    return y[0] > -128 && y[0] < 127 && y[1] > -128 && y[1] < 127; /* unclamped: q = y */
}

static void ginf_attack(zkr_tap *t, int relu, int kind, const char *name)
{
    static ginf_fix f;
    uint8_t sid[ZKR_DIGEST_BYTES] = {7};
    int8_t y[2];
    int64_t q[2];
    zkr_verifier_ginf_statement st;
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    ginf_cheat c = {kind, 0, 0};
    zkr_err e;

    if (ginf_fixture(&f, relu) != ZKR_OK || zkr_ginf_native(&f.in, f.x, y, 2) != ZKR_OK ||
        !ginf_q(&f, q)) {
        zkr_tap_ok(t, 0, "%s: fixture", name);
        goto out;
    }
    ginf_statement(&f, sid, y, &st);
    e = zkr_prover_ginf(&f.p, sid, f.gm, f.x, sizeof f.x, 1, &pf, &out, &d);
    if (e == ZKR_OK)
        e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: the honest proof verifies (%s)", name, d.msg);
    /* An element to edit: negative q for the ReLU attack, any unclamped one otherwise. */
    c.k = kind == GC_RELU_NEG ? (q[0] < 0 ? 0 : 1) : 0;
    c.q = q[c.k];
    zkr_tap_ok(t, kind != GC_RELU_NEG || c.q < 0, "%s: the edited element's q (%lld)",
               name, (long long)c.q);
    e = zkr_prover_ginf_cheat(&f.p, sid, f.gm, f.x, sizeof f.x, ginf_edit, &c, &pf, &out, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: the cheater proves (%s)", name, d.msg);
    y[c.k] = (int8_t)(kind == GC_RAISE ? c.q + 1 : kind == GC_R_TOP ? c.q - 1
                      : kind == GC_HI_WRAP ? 127 : kind == GC_LO_WRAP ? -128 : c.q);
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strcmp(d.msg, "proof: range check fails") == 0,
               "%s: refused by the range LogUp alone (%s)", name, d.msg);
out:
    zkr_ginf_model_free(f.gm);
    f.gm = NULL;
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
}

/* Widths narrower than the model needs: the prover refuses, it never proves a wrong output. */
static void ginf_narrow(zkr_tap *t)
{
    static ginf_fix f;
    uint8_t sid[ZKR_DIGEST_BYTES] = {7};
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    zkr_err e = ZKR_ERR_INTERNAL;

    if (ginf_fixture(&f, 1) == ZKR_OK) {
        f.mp.glb[2] = 0; /* ReLU clamps a negative q: gl > 0 does not fit 0 bits */
        zkr_ginf_model_free(f.gm);
        f.gm = NULL;
        if (zkr_prover_ginf_commit(&f.p, &f.in, 1, &f.gm, &f.comm, &d) == ZKR_OK)
            e = zkr_prover_ginf(&f.p, sid, f.gm, f.x, sizeof f.x, 1, &pf, &out, &d);
    }
    zkr_tap_ok(t, e == ZKR_ERR_INTERNAL && pf.len == 0,
               "ginf-range: a clamp over the parameters' width is not proven (%s)", d.msg);
    zkr_ginf_model_free(f.gm);
    f.gm = NULL;
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
}

/*
 * graph-inference v4's opening (docs/soundness.md, "every claim on V and
 * P in one opening"): the cheater commits a copy of V with the last
 * node's first output raised by one and runs every relation on the honest
 * V, so each claim on V is true for the honest values and false for the
 * committed polynomial. Only the opening can refuse it. `big` picks a
 * program whose V and P share one mixed-size opening (1x8x8, CONV 4@3x3
 * pad 1 with ReLU, DENSE 4: P of 2^11); the small one (ginf_fixture) has
 * two plain openings (P below Basefold's joining size).
 */
static void ginf_commit_edit(void *ctx, zkr_ginf_cheat_view *w)
{
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1;

    (void)ctx;
    w->v[s->v[last][ZKR_GB_Y].off] = zkr_gl_add(w->v[s->v[last][ZKR_GB_Y].off], 1);
}

typedef struct {
    zkr_ml_gprog g;
    zkr_ginf_params mp;
    zkr_ginf_model_in in;
    int8_t w1[4 * 9], w2[4 * 256];
    int64_t b1[4], m1[4], b2[4], m2[4];
    uint8_t x[64];
} ginf_big;

static void ginf_big_init(ginf_big *f)
{
    memset(f, 0, sizeof *f);
    f->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    f->g.nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 8, .w = 8};
    f->g.nodes[1] = (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 4, .kh = 3, .kw = 3,
                                   .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pt = 1, .pl = 1,
                                   .pb = 1, .pr = 1, .groups = 1, .act = ZKR_ML_ACT_RELU};
    f->g.nodes[2] = (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {1}, .c = 4};
    f->g.n_nodes = 3;
    for (size_t k = 0; k < sizeof f->w1; k++)
        f->w1[k] = (int8_t)((int)(k * 37 % 61) - 30);
    for (size_t k = 0; k < sizeof f->w2; k++)
        f->w2[k] = (int8_t)((int)(k * 53 % 41) - 20);
    for (unsigned c = 0; c < 4; c++) {
        f->b1[c] = 100 * (int64_t)c - 150, f->m1[c] = 3000 + c;
        f->b2[c] = 77 * (int64_t)c - 99, f->m2[c] = 900 + c;
    }
    for (size_t k = 0; k < sizeof f->x; k++)
        f->x[k] = (uint8_t)(29 * k + 5);
    f->mp.shift[1] = f->mp.shift[2] = 20;
    f->in.g = &f->g;
    f->in.mp = &f->mp;
    f->in.w[1] = f->w1, f->in.b[1] = f->b1, f->in.m[1] = f->m1;
    f->in.w[2] = f->w2, f->in.b[2] = f->b2, f->in.m[2] = f->m2;
}

static void ginf_opening(zkr_tap *t, int big)
{
    static ginf_fix f;
    static ginf_big b;
    const zkr_ginf_model_in *in = &f.in;
    zkr_ginf_model *gm = NULL;
    zkr_ginf_shape *sh = malloc(sizeof *sh);
    zkr_pcs_commitment comm;
    zkr_params p;
    uint8_t sid[ZKR_DIGEST_BYTES] = {9};
    const uint8_t *x = f.x;
    size_t nx = sizeof f.x;
    int8_t y[4];
    zkr_verifier_ginf_statement st;
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    const char *name = big ? "ginf-open (one mixed opening)" : "ginf-open (two openings)";
    int ok;
    zkr_err e;

    if (big) {
        ginf_big_init(&b);
        in = &b.in, x = b.x, nx = sizeof b.x;
        ok = zkr_ml_gprog_set_shape(&b.g, 1, NULL) == ZKR_OK &&
             zkr_ml_gprog_set_shape(&b.g, 2, NULL) == ZKR_OK;
        zkr_ginf_params_bound(&b.in, &b.mp);
        ok = ok && zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
             zkr_prover_ginf_commit(&p, in, 1, &gm, &comm, &d) == ZKR_OK;
    } else {
        ok = ginf_fixture(&f, 0) == ZKR_OK;
        gm = f.gm, f.gm = NULL, comm = f.comm, p = f.p;
    }
    ok = ok && sh && zkr_ginf_shape_init(sh, in->g, in->mp, p.max_vars, &d) == ZKR_OK &&
         zkr_ginf_one_opening(&p, sh) == big &&
         zkr_ginf_native(in, x, y, sizeof y) == ZKR_OK;
    zkr_tap_ok(t, ok, "%s: fixture (V 2^%u, P 2^%u) %s", name, ok ? sh->n_v : 0,
               ok ? sh->n_m : 0, d.msg);
    if (!ok)
        goto out;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = in->g;
    st.mp = in->mp;
    st.model = comm;
    st.input = x;
    st.input_len = nx;
    st.output = y;
    st.output_n = in->g->nodes[2].c;
    e = zkr_prover_ginf(&p, sid, gm, x, nx, 1, &pf, &out, &d);
    if (e == ZKR_OK)
        e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: the honest proof verifies (%s)", name, d.msg);
    e = zkr_prover_ginf_cheat_commit(&p, sid, gm, x, nx, ginf_commit_edit, NULL, &pf, &out, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: the cheater proves (%s)", name, d.msg);
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "opening") && strstr(d.msg, "fails"),
               "%s: a committed V other than the one every relation ran on is refused by the "
               "opening (%s)", name, d.msg);
out:
    zkr_ginf_model_free(gm);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
    free(sh);
}

/*
 * graph-inference v5's split weight blocks (docs/soundness.md, "split
 * weight blocks"): 1x5x5 input, DENSE 2, whose 2 x 1 x 5 x 5 weights pad
 * to 2^7 and double P with its bias and M; split along kw (5 = 4 + 1) P
 * holds 2^7. The cheater commits model A's P and runs every relation on
 * model B's weights (A's first weight + 60): its weight claim is B's, its
 * sub-block values A's (true openings of the committed P). The statement
 * names A's commitment and B's output. Only the sum check of the
 * sub-blocks' values against the weight claim refuses it; with that check
 * off (ZKR_GINF_OFF_WSUB, test builds) the proof of B's output verifies
 * against A's commitment (the teeth).
 */
typedef struct {
    zkr_ml_gprog g;
    zkr_ginf_params mp;
    zkr_ginf_model_in in;
    int8_t w[2][50];
    int64_t b[2], m[2];
    uint8_t x[25];
} ginf_split;

static void ginf_wsub(zkr_tap *t)
{
    static ginf_split f;
    zkr_ginf_model *ga = NULL, *gb = NULL;
    zkr_ginf_shape *sh = malloc(sizeof *sh);
    zkr_pcs_commitment ca, cb;
    zkr_params p;
    zkr_ginf_model_in ib;
    uint8_t sid[ZKR_DIGEST_BYTES] = {11};
    int8_t ya[2], yb[2];
    zkr_verifier_ginf_statement st;
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    int ok;
    zkr_err e;

    memset(&f, 0, sizeof f);
    f.g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    f.g.nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 5, .w = 5};
    f.g.nodes[1] = (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .c = 2};
    f.g.n_nodes = 2;
    for (size_t k = 0; k < 50; k++)
        f.w[0][k] = f.w[1][k] = (int8_t)((int)(k * 7 % 11) - 5);
    f.w[1][0] = (int8_t)(f.w[0][0] + 60);
    for (size_t k = 0; k < sizeof f.x; k++)
        f.x[k] = (uint8_t)(k == 0 ? 200 : 13 * k + 3);
    f.b[0] = 100, f.b[1] = -40, f.m[0] = 3000, f.m[1] = 3500;
    f.mp.shift[1] = 20; /* widths 63 - shift: one mp for both models */
    f.in.g = &f.g;
    f.in.mp = &f.mp;
    f.in.w[1] = f.w[0], f.in.b[1] = f.b, f.in.m[1] = f.m;
    ib = f.in;
    ib.w[1] = f.w[1];
    ok = sh && zkr_ml_gprog_set_shape(&f.g, 1, NULL) == ZKR_OK &&
         zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_ginf_shape_init(sh, &f.g, &f.mp, p.max_vars, &d) == ZKR_OK && sh->n_wsub[1] == 2 &&
         sh->n_m == 7 && zkr_prover_ginf_commit(&p, &f.in, 1, &ga, &ca, &d) == ZKR_OK &&
         zkr_prover_ginf_commit(&p, &ib, 1, &gb, &cb, &d) == ZKR_OK &&
         zkr_ginf_native(&f.in, f.x, ya, 2) == ZKR_OK &&
         zkr_ginf_native(&ib, f.x, yb, 2) == ZKR_OK && ya[0] != yb[0];
    zkr_tap_ok(t, ok, "ginf-wsub: fixture (W split in %u, P 2^%u; outputs %d and %d) %s",
               sh ? sh->n_wsub[1] : 0, sh ? sh->n_m : 0, ok ? ya[0] : 0, ok ? yb[0] : 0, d.msg);
    if (!ok)
        goto out;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &f.g;
    st.mp = &f.mp;
    st.model = ca;
    st.input = f.x;
    st.input_len = sizeof f.x;
    st.output = ya;
    st.output_n = 2;
    e = zkr_prover_ginf(&p, sid, ga, f.x, sizeof f.x, 1, &pf, &out, &d);
    if (e == ZKR_OK)
        e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "ginf-wsub: the honest proof verifies (%s)", d.msg);
    zkr_ginf_model_cheat_swap_p(ga, gb); /* gb: B's weights, A's committed P */
    e = zkr_prover_ginf(&p, sid, gb, f.x, sizeof f.x, 1, &pf, &out, &d);
    zkr_tap_ok(t, e == ZKR_OK, "ginf-wsub: the cheater proves B's output (%s)", d.msg);
    st.output = yb;
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "split weight values do not sum"),
               "ginf-wsub: model B's output against A's commitment is refused by the sub-block "
               "sum (%s)", d.msg);
    st.off = ZKR_GINF_OFF_WSUB;
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "ginf-wsub: teeth: accepted with the sub-block sum off (%d %s)",
               (int)e, d.msg);
out:
    zkr_ginf_model_free(ga);
    zkr_ginf_model_free(gb);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
    free(sh);
}

/*
 * CONCAT (docs/soundness.md, "CONCAT"): gx_concat's program whose last
 * node is CONCAT(DENSE 6, DENSE 4), 10 x 1 x 1 (lco 4: channels 10..15 are
 * padding). The cheater edits that node's Y block in V and the public
 * output alike, every other relation runs on the honest tensors:
 * CAT_WRONG: an output channel of the first input taken from a channel of
 * the second input holding another value (channel 0 from channel 0 unless
 * a seed's random model makes them equal); CAT_SHIFT: the second input placed one channel
 * early (channels 5..8 its 0..3, the first input's last channel lost). Each is
 * refused by CONCAT's identity Y~(z) = sum_j v_j alone; with it off
 * (ZKR_GINF_OFF_CAT, test builds) the cheater's output verifies (the teeth).
 */
enum { CAT_WRONG, CAT_SHIFT };
typedef struct {
    int kind;
    int changed; /* the edit changed V */
} cat_cheat;

static void cat_edit(void *ctx, zkr_ginf_cheat_view *w)
{
    cat_cheat *c = ctx;
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1, o1 = s->cat[last].off[1];
    zkr_gl *y = w->v + s->v[last][ZKR_GB_Y].off; /* 1 x 1: channel k at y[k] */

    if (c->kind == CAT_WRONG) {
        /* the first pair that differs (a seed's random model may give equal channels 0) */
        for (uint32_t i = 0; i < o1 && !c->changed; i++)
            for (uint32_t j = o1; j < (uint32_t)w->out_n && !c->changed; j++)
                if (y[i] != y[j]) {
                    c->changed = 1;
                    y[i] = y[j], w->out[i] = w->out[j];
                }
    } else {
        for (uint32_t k = o1 - 1; k + 1 < (uint32_t)w->out_n; k++) {
            c->changed |= y[k] != y[k + 1];
            y[k] = y[k + 1], w->out[k] = w->out[k + 1];
        }
    }
}

static void cat_attack(zkr_tap *t, int kind, const char *name)
{
    gx_model *md = calloc(1, sizeof *md);
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_params p;
    uint8_t sid[ZKR_DIGEST_BYTES] = {12}, x[128];
    int8_t y[10];
    uint32_t n, am;
    zkr_verifier_ginf_statement st;
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    cat_cheat c = {kind, 0};
    int ok;
    zkr_err e;

    if (!md)
        abort();
    gx_concat(&md->g, 1);
    gx_model_init(md, zkr_tap_rand_cb, t);
    for (size_t k = 0; k < sizeof x; k++)
        x[k] = (uint8_t)(37 * k + 11);
    ok = zkr_ml_gprog_check(&md->g, NULL) == ZKR_OK &&
         zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_prover_ginf_commit(&p, &md->in, 1, &gm, &comm, &d) == ZKR_OK;
    e = ok ? zkr_prover_ginf_cheat(&p, sid, gm, x, sizeof x, cat_edit, &c, &pf, &out, &d)
           : ZKR_ERR_INTERNAL;
    ok = ok && e == ZKR_OK &&
         zkr_infer_output_decode(out.p, out.len, y, 10, &n, &am) == ZKR_OK && n == 10;
    zkr_tap_ok(t, ok && c.changed, "%s: the cheater proves an edited output (%s)", name, d.msg);
    if (!ok)
        goto out;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &md->g;
    st.mp = &md->mp;
    st.model = comm;
    st.input = x;
    st.input_len = sizeof x;
    st.output = y;
    st.output_n = 10;
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "concat output is not its inputs"),
               "%s: refused by CONCAT's identity (%s)", name, d.msg);
    st.off = ZKR_GINF_OFF_CAT;
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: teeth: accepted with the identity off (%d %s)", name, (int)e,
               d.msg);
out:
    zkr_ginf_model_free(gm);
    gx_model_free(md);
    free(md);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
}

/*
 * CONCAT's selector at the relation level (adversary review,
 * docs/soundness.md "CONCAT"): inputs of 2 and 3 channels over 2x2 (lhw
 * 2; lb record variables on top), Y of lco 3 (channels 5..7 padded).
 * Input 1's padded channel 3 holds 9 (a free padded value, as a
 * graph-inference@1 max pool's padded outputs are). The cheater's Y has
 * that value in its padded channel 5 (input 1's channel 3 counted as an
 * output channel) and it proves Y with the honest prover run on the shape
 * {2, 4}: the same transcript (lco and every lc_j are equal), its shares
 * counting input 1's padded channel. The verifier's own selector (3
 * channels) refuses it; the same proof verifies against the shape {2, 4},
 * every claim true for the cheater's tables (the teeth). Control: the
 * honest Y (channel 5 zero) proven and verified on {2, 3}.
 */
static int cat_rel_claims(const zkr_cnn_claims *cl, const zkr_gl *y, unsigned ny,
                          const zkr_gl *const *x, const unsigned *nx)
{
    unsigned k = 0;

    for (size_t i = 0; i < cl->n; i++) {
        const zkr_cnn_claim *c = &cl->c[i];
        const zkr_gl *tab = c->poly == ZKR_CNN_POLY_Y ? y : k < 2 ? x[k] : NULL;
        unsigned n = c->poly == ZKR_CNN_POLY_Y ? ny : k < 2 ? nx[k] : 0;
        zkr_ext v;
        if (c->poly == ZKR_CNN_POLY_X)
            k++;
        if (!tab || c->n != n || zkr_mle_eval_base(tab, n, c->pt, &v) != ZKR_OK ||
            !zkr_ext_eq(v, c->val))
            return 0;
    }
    return cl->n == 3 && k == 2;
}

static zkr_err cat_rel_run(const zkr_cnn_cat *pa, const zkr_cnn_cat *va, const zkr_gl *const *x,
                           const zkr_gl *y, zkr_cnn_claims *cl, zkr_diag *d)
{
    zkr_transcript t;
    zkr_buf pf = {0};
    zkr_dec dec;
    zkr_err e;

    rel_seed(&t);
    memset(cl, 0, sizeof *cl);
    if ((e = zkr_prover_cnn_concat(&t, pa, x, y, 1, &pf, cl)) != ZKR_OK)
        goto out;
    rel_seed(&t);
    memset(cl, 0, sizeof *cl);
    zkr_dec_init(&dec, pf.p, pf.len);
    e = zkr_verify_cnn_concat(&t, va, NULL, &dec, cl, d);
    if (e == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        e = ZKR_ERR_MALFORMED;
out:
    zkr_buf_free(&pf);
    return e;
}

static void cat_pad_counted(zkr_tap *t, unsigned lb)
{
    const uint32_t ct[2] = {2, 3}, cc[2] = {2, 4};
    zkr_cnn_cat at, ac;
    size_t nb = (size_t)1 << lb;
    zkr_gl *x0 = calloc(nb * 8, sizeof *x0), *x1 = calloc(nb * 16, sizeof *x1);
    zkr_gl *y = calloc(nb * 32, sizeof *y);
    const zkr_gl *xs[2] = {x0, x1};
    const unsigned nx[2] = {3 + lb, 4 + lb};
    zkr_cnn_claims cl;
    zkr_diag d = {0};
    zkr_err e;

    if (!x0 || !x1 || !y || zkr_cnn_cat_init(&at, 2, ct, 2, lb) != ZKR_OK ||
        zkr_cnn_cat_init(&ac, 2, cc, 2, lb) != ZKR_OK || at.lco != ac.lco ||
        at.lc[1] != ac.lc[1])
        abort();
    for (size_t b = 0; b < nb; b++) {
        for (size_t p = 0; p < 8; p++)
            x0[b * 8 + p] = y[b * 32 + p] = zkr_gl_from_i64((int64_t)(p * 7 + b * 3) % 41 - 20);
        for (size_t p = 0; p < 12; p++)
            x1[b * 16 + p] = y[b * 32 + 8 + p] =
                zkr_gl_from_i64((int64_t)(p * 11 + b * 5) % 37 - 18);
        for (size_t p = 12; p < 16; p++)
            x1[b * 16 + p] = zkr_gl_from_i64(9); /* input 1's padded channel */
    }
    e = cat_rel_run(&at, &at, xs, y, &cl, &d);
    zkr_tap_ok(t, e == ZKR_OK && cat_rel_claims(&cl, y, 5 + lb, xs, nx),
               "cat-sel (lb %u): control: the honest Y verifies, its claims true (%d %s)", lb,
               (int)e, d.msg);
    for (size_t b = 0; b < nb; b++)
        for (size_t p = 0; p < 4; p++)
            y[b * 32 + 20 + p] = zkr_gl_from_i64(9); /* Y's padded channel 5 */
    memset(&d, 0, sizeof d);
    e = cat_rel_run(&ac, &at, xs, y, &cl, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "concat input 1's share fails"),
               "cat-sel (lb %u): an input's padded channel counted into Y's padded channel: "
               "refused by the verifier's selector (%s)", lb, d.msg);
    memset(&d, 0, sizeof d);
    e = cat_rel_run(&ac, &ac, xs, y, &cl, &d);
    zkr_tap_ok(t, e == ZKR_OK && cat_rel_claims(&cl, y, 5 + lb, xs, nx),
               "cat-sel (lb %u): teeth: accepted against the cheater's shape {2, 4}, its claims "
               "true (%d %s)", lb, (int)e, d.msg);
    free(x0);
    free(x1);
    free(y);
}

/*
 * Graph-level CONCAT edits (adversary review, docs/soundness.md
 * "graph-CONCAT"): each program proves and verifies honestly (the
 * control); the cheater edits a CONCAT node's Y block in V (and the public
 * output where the node is the last), every other relation run on the
 * honest tensors (or kept true by a second edit), and is refused by
 * CONCAT's identity alone; with it off (ZKR_GINF_OFF_CAT) the same proof
 * verifies (the teeth: nothing else catches the edit).
 */
typedef void (*gcat_build_fn)(zkr_ml_gprog *g);

/* A node's Y entry (c, y, x) in V (graph-inference@1: one record). */
static zkr_gl *gcat_y(zkr_ginf_cheat_view *w, uint32_t i, uint32_t c, uint32_t yy, uint32_t x)
{
    const zkr_ginf_shape *s = w->s;
    return w->v + s->v[i][ZKR_GB_Y].off +
           (((size_t)c << (s->lh[i] + s->lw[i])) | ((size_t)yy << s->lw[i]) | x);
}

typedef struct {
    int kind;
    int changed;
} gcat_cheat;
enum { GCAT_MID_PAD, GCAT_SELF, GCAT_SPATIAL, GCAT_FOUR, GCAT_DAG };

static void gcat_edit(void *ctx, zkr_ginf_cheat_view *w)
{
    gcat_cheat *c = ctx;
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1;

    switch (c->kind) {
    case GCAT_MID_PAD:
        /*
         * gcat_nest: node 3 = CONCAT(a, b), 5 x 4 x 4 (channels 5..7
         * padded): its padded channel 5 set to 100 everywhere. Only the
         * last CONCAT reads it, and that one's selector reads k's real
         * channels only. (A conv or pool reading it would refuse the
         * honest code's proof at the view: its window tables cover the
         * real channels only, while the view identity covers all 2^lc;
         * a cheater who built them over all channels would pass there.)
         */
        for (uint32_t k = 0; k < 16; k++)
            *gcat_y(w, 3, 5, k / 4, k % 4) = zkr_gl_from_i64(100);
        c->changed = 1;
        break;
    case GCAT_SELF: {
        /* CONCAT(f, f), f 3 x 1 x 1: the second copy's channel 0 moved by one. */
        zkr_gl *y = gcat_y(w, last, 3, 0, 0);
        int16_t v = w->out[3] == 127 ? 126 : (int16_t)(w->out[3] + 1);
        *y = zkr_gl_from_i64(v), w->out[3] = v;
        c->changed = 1;
        break;
    }
    case GCAT_SPATIAL:
        /* CONCAT(a, b) 5 x 3 x 3 (lh = lw = 2): two padded spatial positions of channel 0. */
        *gcat_y(w, 3, 0, 3, 0) = zkr_gl_from_i64(7);
        *gcat_y(w, 3, 0, 0, 3) = zkr_gl_from_i64(-5);
        c->changed = 1;
        break;
    case GCAT_FOUR: {
        /* CONCAT of 1 + 3 + 1 + 3 channels (1 x 1): the one-channel inputs' values swapped. */
        /* input 3's channel 4, or (equal values on a seed's random model) the
         * first channel of another input that differs */
        static const uint32_t other[7] = {4, 1, 2, 3, 5, 6, 7};
        zkr_gl *a = gcat_y(w, last, 0, 0, 0), *b = NULL, tv = *a;
        int16_t to = w->out[0];
        uint32_t j = 0;
        for (size_t k = 0; k < 7 && !b; k++)
            if (*gcat_y(w, last, other[k], 0, 0) != *a)
                j = other[k], b = gcat_y(w, last, j, 0, 0);
        c->changed = b != NULL;
        if (b) {
            *a = *b, *b = tv;
            w->out[0] = w->out[j], w->out[j] = to;
        }
        break;
    }
    default: {
        /* CONCAT(s, d) last, s = ADD(k, c), d a conv of k: s's channel 0 at (0, 0) := d's. */
        /* at (0, 0), or the first position where the two channels differ */
        for (uint32_t q = 0; q < 16 && !c->changed; q++) {
            zkr_gl *a = gcat_y(w, last, 0, q / 4, q % 4), *b = gcat_y(w, last, 5, q / 4, q % 4);
            c->changed = *a != *b;
            *a = *b;
            w->out[q] = w->out[5 * 16 + q];
        }
        break;
    }
    }
}

/* CONCAT(f, f): f = DENSE 3 of a 1 x 4 x 4 input. */
static void gcat_self(zkr_ml_gprog *g)
{
    uint32_t f;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 4, .w = 4};
    g->n_nodes = 1;
    f = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .c = 3});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {f, f}});
}

/* 1 x 3 x 3 input, conv 3@3x3 pad 1 (a), conv 2@1x1 (b), CONCAT(a, b) 5 x 3 x 3, DENSE 4. */
static void gcat_spatial(zkr_ml_gprog *g)
{
    uint32_t a, b, k;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 3, .w = 3};
    g->n_nodes = 1;
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                 .c = 3, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                 .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    b = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 2, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    k = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {a, b}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k}, .c = 4});
}

/* 1 x 4 x 4 input, DENSE 1, 3, 1, 3, CONCAT of the four (offsets 0, 1, 4, 5; 8 channels). */
static void gcat_four(zkr_ml_gprog *g)
{
    uint32_t f[4];
    const uint32_t c[4] = {1, 3, 1, 3};

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 4, .w = 4};
    g->n_nodes = 1;
    for (unsigned k = 0; k < 4; k++)
        f[k] = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .c = c[k]});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 4,
                                   .in = {f[0], f[1], f[2], f[3]}});
}

/*
 * A CONCAT read twice: 2 x 4 x 4 input, conv 2@3x3 pad 1 (a), conv 3@1x1
 * (b), k = CONCAT(a, b) 5 x 4 x 4, c = conv 5@1x1 of the input, s =
 * ADD(k, c), d = conv 4@3x3 pad 1 of k, CONCAT(s, d) 9 x 4 x 4 last.
 */
static void gcat_dag(zkr_ml_gprog *g)
{
    uint32_t a, b, k, c, s, dd;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 4, .w = 4};
    g->n_nodes = 1;
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                 .c = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                 .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    b = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 3, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    k = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {a, b}});
    c = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 5, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    s = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2, .in = {k, c}});
    dd = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {k}, .c = 4, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1,
                                  .dh = 1, .dw = 1, .groups = 1});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {s, dd}});
}

/*
 * A CONCAT of a CONCAT: 2 x 4 x 4 input, conv 3@3x3 pad 1 (a), conv 2@1x1
 * (b), k = CONCAT(a, b) 5 x 4 x 4, c = conv 2@1x1 of the input, CONCAT(k,
 * c) 7 x 4 x 4 last.
 */
static void gcat_nest(zkr_ml_gprog *g)
{
    uint32_t a, b, k, c;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 4, .w = 4};
    g->n_nodes = 1;
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                 .c = 3, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                 .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    b = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 2, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    k = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {a, b}});
    c = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 2, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {k, c}});
}

static zkr_err gcat_verify(const zkr_buf *pf, zkr_verifier_ginf_statement *st, unsigned off,
                           zkr_diag *d)
{
    st->off = off;
    memset(d, 0, sizeof *d);
    return zkr_verify_ginf(pf->p, pf->len, st, d);
}

static void gcat_attack(zkr_tap *t, gcat_build_fn build, int kind, const char *name)
{
    gx_model *md = calloc(1, sizeof *md);
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_params p;
    uint8_t sid[ZKR_DIGEST_BYTES] = {13}, x[128];
    int8_t y[256];
    uint32_t n, am;
    size_t nx;
    zkr_verifier_ginf_statement st;
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    gcat_cheat c = {kind, 0};
    int ok;
    zkr_err e;

    if (!md)
        abort();
    build(&md->g);
    gx_model_init(md, zkr_tap_rand_cb, t);
    nx = (size_t)md->g.nodes[0].c * md->g.nodes[0].h * md->g.nodes[0].w;
    if (nx > sizeof x)
        abort();
    for (size_t k = 0; k < nx; k++)
        x[k] = (uint8_t)(37 * k + 11);
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &md->g;
    st.mp = &md->mp;
    st.input = x;
    st.input_len = nx;
    st.output = y;
    ok = zkr_ml_gprog_check(&md->g, &d) == ZKR_OK &&
         zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_prover_ginf_commit(&p, &md->in, 1, &gm, &comm, &d) == ZKR_OK &&
         zkr_prover_ginf(&p, sid, gm, x, nx, 1, &pf, &out, &d) == ZKR_OK &&
         zkr_infer_output_decode(out.p, out.len, y, sizeof y, &n, &am) == ZKR_OK;
    st.model = comm;
    st.output_n = ok ? n : 0;
    e = ok ? gcat_verify(&pf, &st, 0, &d) : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, e == ZKR_OK, "%s: control: the honest proof verifies (%d %s)", name, (int)e,
               d.msg);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
    if (!ok)
        goto out;
    e = zkr_prover_ginf_cheat(&p, sid, gm, x, nx, gcat_edit, &c, &pf, &out, &d);
    ok = e == ZKR_OK && zkr_infer_output_decode(out.p, out.len, y, sizeof y, &n, &am) == ZKR_OK;
    zkr_tap_ok(t, ok && c.changed, "%s: the cheater proves an edited CONCAT (%s)", name, d.msg);
    if (!ok)
        goto out;
    st.output_n = n;
    e = gcat_verify(&pf, &st, 0, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "concat output is not its inputs"),
               "%s: refused by CONCAT's identity (%s)", name, d.msg);
    e = gcat_verify(&pf, &st, ZKR_GINF_OFF_CAT, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: teeth: accepted with the identity off (%d %s)", name, (int)e,
               d.msg);
out:
    zkr_ginf_model_free(gm);
    gx_model_free(md);
    free(md);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
}

/*
 * A multiplier conv's weights split along the m axis (adversary review,
 * docs/proof-system.md "Convolution": "a split weight block of such a node
 * may cut the m axis"): 4 x 6 x 6 input, depthwise 4x4 conv with groups 4
 * and 20 outputs (mult 5, lm 3): W is 4 x 4 x 4 x 8 at (m, c, i, j), cut
 * into the m sub-blocks [0, 4) and [4, 5). Models A and B differ in one
 * weight of output channel 4 (c 0, m 4: the second sub-block; A's is 0,
 * B's 100, bias 0). The cheater proves B's output against A's P (their P
 * tables swapped): refused by the sub-block sum, accepted with it off
 * (ZKR_GINF_OFF_WSUB).
 */
static void ginf_wsub_m(zkr_tap *t)
{
    gx_model *ma = calloc(1, sizeof *ma);
    zkr_ginf_shape *sh = malloc(sizeof *sh);
    zkr_ginf_model *ga = NULL, *gb = NULL;
    zkr_ginf_model_in ib;
    int8_t *wb = malloc(20 * 16);
    zkr_pcs_commitment ca, cb;
    zkr_params p;
    uint8_t sid[ZKR_DIGEST_BYTES] = {14}, x[4 * 36];
    int8_t ya[180], yb[180];
    zkr_verifier_ginf_statement st;
    zkr_buf pf = {0}, out = {0};
    zkr_diag d = {0};
    int ok;
    zkr_err e;

    if (!ma || !sh || !wb)
        abort();
    ma->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    ma->g.nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 4, .h = 6, .w = 6};
    ma->g.n_nodes = 1;
    (void)gx_add(&ma->g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 20, .kh = 4,
                                        .kw = 4, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                                        .groups = 4});
    gx_model_init(ma, zkr_tap_rand_cb, t);
    memset(ma->w[1] + 4 * 16, 0, 16);
    ma->b[1][4] = 0;
    memcpy(wb, ma->w[1], 20 * 16);
    wb[4 * 16] = 100;
    ib = ma->in;
    ib.w[1] = wb;
    memset(x, 50, sizeof x);
    ok = zkr_ml_gprog_check(&ma->g, &d) == ZKR_OK &&
         zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_ginf_shape_init(sh, &ma->g, &ma->mp, p.max_vars, &d) == ZKR_OK &&
         sh->conv[1].mult == 5 && sh->n_wsub[1] == 2 && sh->wsd_bits[1] == 3 &&
         sh->wsd_n[1] == 5 && sh->wsd_lo[1] == 2 + 2 + 2 &&
         zkr_prover_ginf_commit(&p, &ma->in, 1, &ga, &ca, &d) == ZKR_OK &&
         zkr_prover_ginf_commit(&p, &ib, 1, &gb, &cb, &d) == ZKR_OK &&
         zkr_ginf_native(&ma->in, x, ya, sizeof ya) == ZKR_OK &&
         zkr_ginf_native(&ib, x, yb, sizeof yb) == ZKR_OK && memcmp(ya, yb, sizeof ya) != 0;
    zkr_tap_ok(t, ok, "ginf-wsub-m: fixture (W split along m in %u, at bit %u) %s",
               sh->n_wsub[1], sh->wsd_lo[1], d.msg);
    if (!ok)
        goto out;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &ma->g;
    st.mp = &ma->mp;
    st.model = ca;
    st.input = x;
    st.input_len = sizeof x;
    st.output = ya;
    st.output_n = sizeof ya;
    e = zkr_prover_ginf(&p, sid, ga, x, sizeof x, 1, &pf, &out, &d);
    if (e == ZKR_OK)
        e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "ginf-wsub-m: the honest proof verifies (%s)", d.msg);
    zkr_ginf_model_cheat_swap_p(ga, gb); /* gb: B's weights, A's committed P */
    e = zkr_prover_ginf(&p, sid, gb, x, sizeof x, 1, &pf, &out, &d);
    zkr_tap_ok(t, e == ZKR_OK, "ginf-wsub-m: the cheater proves B's output (%s)", d.msg);
    st.output = yb;
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "split weight values do not sum"),
               "ginf-wsub-m: model B's output against A's commitment is refused by the sub-block "
               "sum (%s)", d.msg);
    st.off = ZKR_GINF_OFF_WSUB;
    memset(&d, 0, sizeof d);
    e = zkr_verify_ginf(pf.p, pf.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "ginf-wsub-m: teeth: accepted with the sub-block sum off (%d %s)",
               (int)e, d.msg);
out:
    zkr_ginf_model_free(ga);
    zkr_ginf_model_free(gb);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
    gx_model_free(ma);
    free(ma);
    free(wb);
    free(sh);
}

/*
 * CONCAT's int8 premise (adversary review): Y carries no range check, so
 * every input must be an int8 node. A CONCAT reading node 0 (the uint8
 * record, 0..255) is refused by the program check, before any proof; so
 * are five inputs and an input of another spatial size.
 */
static void cat_program(zkr_tap *t)
{
    zkr_ml_gprog *g = calloc(1, sizeof *g);
    zkr_diag d = {0};
    uint32_t a, b;

    if (!g)
        abort();
    for (int kind = 0; kind < 3; kind++) {
        memset(g, 0, sizeof *g);
        g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
        g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 4, .w = 4};
        g->n_nodes = 1;
        a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 2, .kh = 1, .kw = 1,
                                     .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
        b = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 2, .kh = 2, .kw = 2,
                                     .sh = kind == 2 ? 2 : 1, .sw = kind == 2 ? 2 : 1, .pb = 1,
                                     .pr = 1, .dh = 1, .dw = 1, .groups = 1});
        g->nodes[g->n_nodes] = kind == 0 ? (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2,
                                                          .in = {0, a}, .c = 3, .h = 4, .w = 4}
                                         : (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2,
                                                          .in = {a, b}, .c = 4, .h = 4, .w = 4};
        g->n_nodes++;
        memset(&d, 0, sizeof d);
        zkr_tap_ok(t, zkr_ml_gprog_check(g, &d) == (kind == 1 ? ZKR_OK : ZKR_ERR_MALFORMED),
                   "cat-program: %s (%s)",
                   kind == 0   ? "a CONCAT reading the uint8 input is refused"
                   : kind == 1 ? "control: CONCAT of two int8 nodes passes"
                               : "an input of another spatial size is refused",
                   d.msg);
    }
    g->nodes[g->n_nodes - 1].n_in = 5; /* over ZKR_ML_G_MAX_IN (the in[] array holds 4) */
    memset(&d, 0, sizeof d);
    zkr_tap_ok(t, zkr_ml_gprog_check(g, &d) == ZKR_ERR_MALFORMED,
               "cat-program: five inputs are refused (%s)", d.msg);
    free(g);
}

/*
 * Adversary check of the narrow requantization's layout (docs/soundness.md,
 * "narrow requantization"): for every shift s in 1..48 and every width
 * ghb, glb <= 63 - s (the layout's whole range), the largest gh, gl and r
 * that the range entries admit (each entry scale * limb + cst in 0..2^15-1
 * with limb itself in 0..2^15-1) must stay below 2^(63 - s) (gh, gl) and be
 * exactly 2^s - 1 (r), so |2^s (y + gh - gl) + r| keeps below the bound the
 * soundness row uses; and one bit wider than 63 - s is refused at layout.
 */
static int rqn_side_max(const zkr_cnn_rqn *a, unsigned first, unsigned nl, unsigned __int128 *mx)
{
    unsigned __int128 v = 0;

    for (unsigned k = 0; k < nl; k++) {
        uint64_t lim = ((uint64_t)1 << ZKR_CNN_RQN_LIMB) - 1, seen = 0;
        for (unsigned e = 0; e < a->n_ent; e++) {
            const zkr_cnn_rqn_entry *en = &a->ent[e];
            if (en->src != first + k)
                continue;
            if (en->sign != 1 || en->cst != 0 || en->scale == 0)
                return -1;
            seen = 1;
            if ((((uint64_t)1 << ZKR_CNN_RQN_LIMB) - 1) / en->scale < lim)
                lim = (((uint64_t)1 << ZKR_CNN_RQN_LIMB) - 1) / en->scale;
        }
        if (!seen)
            return -1; /* a limb no entry range-checks */
        v += (unsigned __int128)lim << (ZKR_CNN_RQN_LIMB * k);
    }
    *mx = v;
    return 0;
}

static void rqn_widths_exhaustive(zkr_tap *t)
{
    unsigned bad = 0, cases = 0;

    for (uint32_t s = 1; s <= 48; s++)
        for (unsigned gh = 0; gh + s <= 63; gh++)
            for (unsigned gl = 0; gl + s <= 63; gl += (gl < 3 || gl + s >= 60) ? 1 : 7) {
                zkr_cnn_rqn a;
                unsigned __int128 mr, mh, ml;
                cases++;
                if (zkr_cnn_rqn_init(&a, 1, 0, 0, s, 0, gh, gl) != ZKR_OK ||
                    a.nsl > ZKR_CNN_RQN_MAX_SLOTS || a.n_ent > ZKR_CNN_RQN_MAX_ENTRIES ||
                    rqn_side_max(&a, 0, a.nr, &mr) != 0 ||
                    rqn_side_max(&a, a.slot_gh, a.ngh, &mh) != 0 ||
                    rqn_side_max(&a, a.slot_gl, a.ngl, &ml) != 0 ||
                    mr != (((unsigned __int128)1 << s) - 1) ||
                    mh >= ((unsigned __int128)1 << (63 - s)) ||
                    ml >= ((unsigned __int128)1 << (63 - s)) ||
                    mh < ((unsigned __int128)1 << gh) - 1 || ml < ((unsigned __int128)1 << gl) - 1)
                    bad++;
            }
    zkr_tap_ok(t, cases > 1000 && bad == 0,
               "adv rqn_widths_exhaustive: %u layouts, r < 2^s exactly, gh, gl < 2^(63-s) (%u bad)",
               cases, bad);
    bad = 0;
    for (uint32_t s = 1; s <= 48; s++) {
        zkr_cnn_rqn a;
        bad += zkr_cnn_rqn_init(&a, 1, 0, 0, s, 0, 64 - s, 0) != ZKR_ERR_MALFORMED;
        bad += zkr_cnn_rqn_init(&a, 0, 1, 1, s, 1, 0, 64 - s) != ZKR_ERR_MALFORMED;
    }
    zkr_tap_ok(t, bad == 0, "adv rqn_width_over_63_minus_s_refused (%u accepted)", bad);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    dw_transposed(&t, 3, 2);
    dw_transposed(&t, 2, 3); /* mult not a power of two: m = 3 padded */
    dw_transposed(&t, 3, 5); /* lm 3, C 3: both axes padded */
    mp_padded_max(&t);
    mp_kernel_slot(&t);
    mp_wrapped(&t);
    mp_two_selected(&t);
    mp_none_selected(&t);
    mp_not_bit(&t);
    ap_remainder(&t, 2, "avgpool 2x2: r >= k with q one lower (k - 1 - r wrapped)");
    ap_remainder(&t, 20, "avgpool 20x20 (k 400): r >= k with q one lower");
    lut_pair(&t);
    lut_carry(&t);
    add_off(&t);
    add_clamp(&t);
    ginf_attack(&t, 0, GC_RAISE, "ginf-range: y + 1 with r - 2^20 (r0 wrapped mod p)");
    ginf_attack(&t, 0, GC_R_TOP, "ginf-range: y - 1 with r + 2^20 (r1 + 32: r >= 2^s)");
    ginf_attack(&t, 0, GC_HI_WRAP, "ginf-range: clamped to 127 with gh = q - 127 < 0 wrapped");
    ginf_attack(&t, 0, GC_LO_WRAP, "ginf-range: clamped to -128 with gl = -128 - q < 0 wrapped");
    ginf_attack(&t, 1, GC_RELU_NEG, "ginf-range: ReLU output y = q < 0 with gl = 0 (y - lo wraps)");
    ginf_narrow(&t);
    ginf_opening(&t, 0);
    ginf_opening(&t, 1);
    ginf_wsub(&t);
    ginf_wsub_m(&t);
    cat_attack(&t, CAT_WRONG, "ginf-cat: an output channel taken from the wrong input");
    cat_attack(&t, CAT_SHIFT, "ginf-cat: the second input one channel early");
    cat_program(&t);
    cat_pad_counted(&t, 0);
    cat_pad_counted(&t, 1);
    gcat_attack(&t, gcat_nest, GCAT_MID_PAD, "ginf-cat: a middle CONCAT's padded channel set");
    gcat_attack(&t, gcat_self, GCAT_SELF, "ginf-cat: CONCAT(f, f), the second copy edited");
    gcat_attack(&t, gcat_spatial, GCAT_SPATIAL, "ginf-cat: 3x3 spatial padding of Y set");
    gcat_attack(&t, gcat_four, GCAT_FOUR, "ginf-cat: four inputs, one-channel inputs swapped");
    gcat_attack(&t, gcat_dag, GCAT_DAG, "ginf-cat: DAG (CONCAT read by ADD and conv), last edited");
    rqn_widths_exhaustive(&t);
    return zkr_tap_done(&t);
}
