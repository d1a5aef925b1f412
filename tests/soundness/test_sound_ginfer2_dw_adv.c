/*
 * Adversary review (adv-dwcat) of graph-inference@2's depthwise
 * convolution (docs/soundness.md, "graph-inference@2", depthwise rows) on
 * shapes tests/zk/ginfer2_dw_fx.h does not reach, the tests' reduced set
 * (no grinding, 16 queries, rate 1/2, prover and verifier alike):
 *   A: 3 x 5 x 4, a 3 x 1 kernel (no column variable: the first round's
 *      variable is the kernel row's), pads 1 top and bottom, multiplier 3
 *      (9 output channels over 16: 7 padded; 3 input channels over 4; 3
 *      filters over 4);
 *   B: 1 x 4 x 4, a 1 x 2 kernel (the smallest kernel the relation takes),
 *      multiplier 3 (no channel variable);
 *   C: 5 x 4 x 4, 2 x 2 stride 2, no multiplier (lm 0).
 * Per shape: the honest proof verifies; "another input channel": Y's
 * output channel o* = c mult + m committed as input channel c' (another
 * one; in B, filter m + 1: Y(o*) holds Y(o* + 1)) under filter W(c, m),
 * every other channel honest, the honest selector: refused, accepted with
 * the final check off (ZKR_GINF2_OFF_DW_SEL, the teeth). In A, "output
 * channels transposed" (ZKR_GINF2_CHEAT_DW_T: Y and the prover's selector
 * both at m C + c, every opening true): refused by the verifier's
 * selector, accepted with it off. Per shape, the link with U's kernel
 * variables below the multiplier's (lku of the lk rounds): U's entry 0
 * committed plus 1 (or -1; not the view of X) with Y the true product of
 * that U, refused by the link, accepted with ZKR_GINF2_OFF_LINK. Not
 * prover runs: a 1 x 1 depthwise conv
 * is refused by the layout and by the verifier before any proof byte
 * (MALFORMED), and the requantization's accumulator bound
 * (zkr_ginf2_conv_acc_bits_in, K = kh kw) is the multiplier-free one and
 * tight: the worst case (X = -128, W = -127 everywhere, native) reaches
 * 2^(acc_bits - 1) and stays below 2^acc_bits.
 */
#include "prover/cnn.h"
#include "prover/ginfer2.h"
#include "tests/tap.h"
#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    zkr_params p;
    zkr_cnn_conv c;
    int8_t *x;
    int64_t *w, *y;
    zkr_gl *xt, *wt, *yt;
    zkr_hpcs_poly *xp, *wp, *yp;
    zkr_hpcs_commitment xc, wc, yc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} dwa;

typedef struct {
    const char *name;
    uint32_t c, h, w, kh, kw, sh, sw, pads[4], mult;
} dwa_shape;

static zkr_gl gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

static size_t n_y(const dwa *f)
{
    return (size_t)f->c.cout * f->c.g.oh * f->c.g.ow;
}

/* Y's table from y (cout x oh x ow); transposed: o = c mult + m stored at m C + c. */
static void y_table(dwa *f, const int64_t *y, int transposed)
{
    const zkr_cnn_win *g = &f->c.g;

    memset(f->yt, 0, ((size_t)1 << zkr_cnn_conv_y_vars(&f->c)) * sizeof *f->yt);
    for (uint32_t co = 0; co < f->c.cout; co++) {
        uint32_t at = transposed ? (co % f->c.mult) * g->c + co / f->c.mult : co;
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++)
                f->yt[((size_t)at << (g->loh + g->low)) | ((size_t)oy << g->low) | ox] =
                    gl(y[((size_t)co * g->oh + oy) * g->ow + ox]);
    }
}

static zkr_err dwa_init(dwa *f, const dwa_shape *s, uint64_t seed)
{
    zkr_cnn_win g;
    uint64_t st = seed * 0x9e3779b97f4a7c15ull + 5;
    size_t nx, nw;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK ||
        (r = zkr_cnn_win_init(&g, s->c, s->h, s->w, s->kh, s->kw, s->sh, s->sw, 1, 1, s->pads)) !=
            ZKR_OK ||
        (r = zkr_cnn_conv_init(&f->c, &g, s->c * s->mult, 1)) != ZKR_OK)
        return r;
    f->p.pow_bits = 0, f->p.queries = 16, f->p.log_blowup = 1;
    nx = (size_t)s->c * s->h * s->w, nw = (size_t)s->c * s->mult * s->kh * s->kw;
    f->x = malloc(nx), f->w = malloc(nw * sizeof *f->w), f->y = malloc(n_y(f) * sizeof *f->y);
    f->xt = calloc((size_t)1 << zkr_cnn_in_vars(&g), sizeof *f->xt);
    f->wt = calloc((size_t)1 << zkr_cnn_conv_w_vars(&f->c), sizeof *f->wt);
    f->yt = calloc((size_t)1 << zkr_cnn_conv_y_vars(&f->c), sizeof *f->yt);
    if (!f->x || !f->w || !f->y || !f->xt || !f->wt || !f->yt)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < nx; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        f->x[i] = (int8_t)(st >> 56);
    }
    for (size_t i = 0; i < nw; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        f->w[i] = (int64_t)((st >> 33) % 255u) - 127;
    }
    for (size_t i = 0; i < sizeof f->sid; i++)
        f->sid[i] = (uint8_t)(seed + 3 * i);
    zkr_cnn_conv_native(&f->c, f->x, f->w, f->y);
    zkr_cnn_tensor_table(g.c, g.h, g.w, g.lc, g.lh, g.lw, f->x, f->xt);
    zkr_cnn_conv_w_table(&f->c, f->w, f->wt);
    y_table(f, f->y, 0);
    return ZKR_OK;
}

static void dwa_free(dwa *f)
{
    zkr_hpcs_poly_free(f->xp), zkr_hpcs_poly_free(f->wp), zkr_hpcs_poly_free(f->yp);
    free(f->x), free(f->w), free(f->y), free(f->xt), free(f->wt), free(f->yt);
}

static void dwa_transcript(const dwa *f, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&f->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, f->p.id, pd,
                f->sid);
    zkr_ts_absorb(t, "g2-x-root", f->xc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-w-root", f->wc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-y-root", f->yc.root, ZKR_DIGEST_BYTES);
}

/*
 * Commits f's tables (fresh), proves with prover flags poff (and U's entry
 * 0 plus ud), verifies with voff.
 */
static zkr_err run_u(dwa *f, unsigned poff, unsigned voff, int64_t ud, uint8_t tag)
{
    unsigned nw = zkr_cnn_conv_w_vars(&f->c);
    zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND | poff, 0, ud, 1, 0};
    uint8_t seed[32];
    zkr_buf pf = {0};
    zkr_transcript t;
    zkr_zkrng g;
    zkr_dec d;
    zkr_err r;

    memset(seed, tag, sizeof seed);
    zkr_hpcs_poly_free(f->xp), zkr_hpcs_poly_free(f->wp), zkr_hpcs_poly_free(f->yp);
    f->xp = f->wp = f->yp = NULL;
    if ((r = zkr_zkrng_seeded(&g, seed, sizeof seed, "ginfer2 dw adv", NULL, 0)) != ZKR_OK ||
        (r = zkr_prover_hcommit(&f->p, f->xt, zkr_cnn_in_vars(&f->c.g), ZKR_GINF2_X_OPENINGS, &g,
                                1, &f->xp, &f->xc)) != ZKR_OK ||
        (r = zkr_prover_hcommit_sized(&f->p, f->wt, nw,
                                      nw + zkr_ginf2_range_blind(&f->p, nw, ZKR_GINF2_W_OPENINGS),
                                      ZKR_GINF2_W_OPENINGS, &g, 1, &f->wp, &f->wc)) != ZKR_OK ||
        (r = zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), ZKR_GINF2_Y_OPENINGS,
                                &g, 1, &f->yp, &f->yc)) != ZKR_OK)
        goto out;
    dwa_transcript(f, &t);
    if ((r = zkr_prover_ginf2_conv(&f->p, &t, &f->c, f->xp, f->wp, f->yp, &o, &g, &pf)) !=
        ZKR_OK)
        goto out;
    dwa_transcript(f, &t);
    zkr_dec_init(&d, pf.p, pf.len);
    r = zkr_verify_ginf2_conv(&f->p, &t, &f->c, &f->xc, &f->wc, &f->yc,
                              ZKR_GINF2_OFF_GRIND | voff, 1, &d);
    if (r == ZKR_OK)
        r = zkr_dec_finish(&d);
out:
    zkr_buf_free(&pf);
    return r;
}

static zkr_err run(dwa *f, unsigned poff, unsigned voff, uint8_t tag)
{
    return run_u(f, poff, voff, 0, tag);
}

/*
 * The link attack: U's entry 0 (kernel (0, 0), channel 0, output (0, 0))
 * committed plus ud (still int8), Y the true product with that U: Y(o, 0)
 * += W(o, 0, 0) ud for the filters of channel 0 (o < mult). Returns ud.
 */
static int64_t u_cheat(dwa *f)
{
    const zkr_cnn_win *g = &f->c.g;
    int64_t y0 = -(int64_t)g->pt, x0 = -(int64_t)g->pl, u0 = 0, ud;
    size_t per = (size_t)g->oh * g->ow;
    int64_t *ys = malloc(n_y(f) * sizeof *ys);

    if (!ys)
        return 0;
    if (y0 >= 0 && x0 >= 0)
        u0 = f->x[(size_t)y0 * g->w + (size_t)x0];
    ud = u0 < 127 ? 1 : -1;
    memcpy(ys, f->y, n_y(f) * sizeof *ys);
    for (uint32_t m = 0; m < f->c.mult; m++)
        ys[m * per] += f->w[(size_t)m * g->kh * g->kw] * ud;
    y_table(f, ys, 0);
    free(ys);
    return ud;
}

/*
 * Y with output channel o* = c mult + m computed from input channel c'
 * (c' = c + 1 mod C) under W(c, m); C = 1: from filter m + 1 (Y(o*) holds
 * Y(o* + 1)). The other channels honest. NOMEM.
 */
static zkr_err other_input(dwa *f, uint32_t ostar)
{
    const zkr_cnn_win *g = &f->c.g;
    size_t hw = (size_t)g->h * g->w, per = (size_t)g->oh * g->ow;
    uint32_t c = ostar / f->c.mult, c2 = (c + 1) % g->c;
    int8_t *x2 = malloc((size_t)g->c * hw);
    int64_t *y2 = malloc(n_y(f) * sizeof *y2), *ys = malloc(n_y(f) * sizeof *ys);

    if (!x2 || !y2 || !ys) {
        free(x2), free(y2), free(ys);
        return ZKR_ERR_NOMEM;
    }
    memcpy(x2, f->x, (size_t)g->c * hw);
    memcpy(x2 + c * hw, f->x + c2 * hw, hw); /* channel c reads channel c' */
    zkr_cnn_conv_native(&f->c, x2, f->w, y2);
    memcpy(ys, f->y, n_y(f) * sizeof *ys);
    if (g->c > 1)
        memcpy(ys + ostar * per, y2 + ostar * per, per * sizeof *ys);
    else
        memcpy(ys + ostar * per, f->y + (ostar + 1) * per, per * sizeof *ys);
    y_table(f, ys, 0);
    free(x2), free(y2), free(ys);
    return ZKR_OK;
}

static void shape(zkr_tap *t, const dwa_shape *s, uint8_t tag)
{
    dwa f;
    zkr_err e;

    if (dwa_init(&f, s, tag) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: fixture", s->name);
        dwa_free(&f);
        return;
    }
    zkr_tap_ok(t, f.c.depthwise && f.c.mult == s->mult && f.c.g.lkw + f.c.g.lkh >= 1,
               "%s: depthwise, multiplier %u, %u sumcheck rounds", s->name, f.c.mult,
               zkr_ginf2_sc_vars(&f.c));
    e = run(&f, 0, 0, tag);
    zkr_tap_ok(t, e == ZKR_OK, "%s: the honest proof verifies (%d)", s->name, (int)e);
    /* the middle output channel: in A channel 4 = 1 * 3 + 1 */
    if (other_input(&f, f.c.cout / 2) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: memory", s->name);
        dwa_free(&f);
        return;
    }
    e = run(&f, 0, 0, (uint8_t)(tag + 1));
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "%s: Y(o*) from another input channel: refused (%d)",
               s->name, (int)e);
    e = run(&f, 0, ZKR_GINF2_OFF_DW_SEL, (uint8_t)(tag + 2));
    zkr_tap_ok(t, e == ZKR_OK,
               "%s: Y(o*) from another input channel: accepted with the final check off "
               "(teeth; %d)", s->name, (int)e);
    {
        int64_t ud = u_cheat(&f);
        e = ud ? run_u(&f, 0, 0, ud, (uint8_t)(tag + 5)) : ZKR_ERR_NOMEM;
        zkr_tap_ok(t, e == ZKR_ERR_VERIFY,
                   "%s: U's entry 0 %+lld (not the view of X), Y its true product: refused by "
                   "the link (%d)", s->name, (long long)ud, (int)e);
        e = ud ? run_u(&f, ZKR_GINF2_OFF_LINK, ZKR_GINF2_OFF_LINK, ud, (uint8_t)(tag + 6))
               : ZKR_ERR_NOMEM;
        zkr_tap_ok(t, e == ZKR_OK, "%s: the same accepted with the link off (teeth; %d)",
                   s->name, (int)e);
    }
    if (f.c.g.c > 1 && f.c.mult > 1) {
        y_table(&f, f.y, 1);
        e = run(&f, ZKR_GINF2_CHEAT_DW_T, 0, (uint8_t)(tag + 3));
        zkr_tap_ok(t, e == ZKR_ERR_VERIFY,
                   "%s: output channels transposed (the prover's selector at m C + c): refused "
                   "(%d)", s->name, (int)e);
        e = run(&f, ZKR_GINF2_CHEAT_DW_T, ZKR_GINF2_OFF_DW_SEL, (uint8_t)(tag + 4));
        zkr_tap_ok(t, e == ZKR_OK,
                   "%s: output channels transposed: accepted with the selector check off "
                   "(teeth; %d)", s->name, (int)e);
    }
    dwa_free(&f);
}

/* A 1 x 1 depthwise conv: the layout and the verifier refuse it before reading a proof. */
static void one_by_one(zkr_tap *t)
{
    static const uint32_t pads[4] = {0, 0, 0, 0};
    static const uint8_t junk[64] = {1};
    zkr_cnn_win g;
    zkr_cnn_conv c;
    zkr_hpcs_commitment x, w, y;
    zkr_params p;
    zkr_transcript ts;
    zkr_dec d;
    zkr_err e = ZKR_ERR_INTERNAL;

    memset(&x, 0, sizeof x), memset(&w, 0, sizeof w), memset(&y, 0, sizeof y);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
        zkr_cnn_win_init(&g, 2, 4, 4, 1, 1, 1, 1, 1, 1, pads) == ZKR_OK &&
        zkr_cnn_conv_init(&c, &g, 4, 1) == ZKR_OK) {
        zkr_tap_ok(t, zkr_ginf2_conv_check(&c) == ZKR_ERR_MALFORMED,
                   "1 x 1 depthwise, multiplier 2: the layout refuses it");
        x.n_vars = zkr_cnn_in_vars(&g), w.n_vars = zkr_cnn_conv_w_vars(&c);
        y.n_vars = zkr_cnn_conv_y_vars(&c);
        x.blind_vars = w.blind_vars = y.blind_vars = 4;
        zkr_ts_init(&ts, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, p.id,
                    junk, junk);
        zkr_dec_init(&d, junk, sizeof junk);
        e = zkr_verify_ginf2_conv(&p, &ts, &c, &x, &w, &y, 0, 1, &d);
    }
    zkr_tap_ok(t, e == ZKR_ERR_MALFORMED, "1 x 1 depthwise: the verifier refuses it (%d)",
               (int)e);
}

/* The accumulator bound for a multiplier: K = kh kw, and tight. */
static void acc_bound(zkr_tap *t)
{
    static const dwa_shape s = {"acc", 3, 5, 4, 3, 3, 1, 1, {1, 1, 1, 1}, 3};
    dwa f;
    int64_t mx = 0;
    unsigned b, b1;

    if (dwa_init(&f, &s, 9) != ZKR_OK) {
        zkr_tap_ok(t, 0, "acc: fixture");
        dwa_free(&f);
        return;
    }
    memset(f.x, 0x80, (size_t)s.c * s.h * s.w); /* -128 */
    for (size_t i = 0; i < (size_t)s.c * s.mult * s.kh * s.kw; i++)
        f.w[i] = -127;
    zkr_cnn_conv_native(&f.c, f.x, f.w, f.y);
    for (size_t i = 0; i < n_y(&f); i++)
        mx = f.y[i] > mx ? f.y[i] : (-f.y[i] > mx ? -f.y[i] : mx);
    b = zkr_ginf2_conv_acc_bits_in(&f.c, &ZKR_GINF2_CIN_PLAIN);
    {
        zkr_cnn_conv c1; /* the same window, no multiplier */
        b1 = zkr_cnn_conv_init(&c1, &f.c.g, s.c, 1) == ZKR_OK
                 ? zkr_ginf2_conv_acc_bits_in(&c1, &ZKR_GINF2_CIN_PLAIN)
                 : 0;
    }
    zkr_tap_ok(t, b == b1, "acc: the multiplier leaves the bound (%u bits)", b);
    zkr_tap_ok(t, mx == (int64_t)s.kh * s.kw * 127 * 128 && mx < ((int64_t)1 << b) &&
                      mx >= ((int64_t)1 << (b - 1)),
               "acc: worst case %lld within 2^%u and above 2^%u (K = kh kw, tight)",
               (long long)mx, b, b - 1);
    dwa_free(&f);
}

int main(int argc, char **argv)
{
    static const dwa_shape shapes[3] = {
        {"A 3x5x4 k3x1 mult 3", 3, 5, 4, 3, 1, 1, 1, {1, 0, 1, 0}, 3},
        {"B 1x4x4 k1x2 mult 3", 1, 4, 4, 1, 2, 1, 1, {0, 0, 0, 1}, 3},
        {"C 5x4x4 k2x2/2 mult 1", 5, 4, 4, 2, 2, 2, 2, {0, 0, 0, 0}, 1},
    };
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD)
        return zkr_tap_ok(&t, 0, "a test build"), zkr_tap_done(&t);
    for (unsigned i = 0; i < 3; i++)
        shape(&t, &shapes[i], (uint8_t)(10 * (i + 1)));
    one_by_one(&t);
    acc_bound(&t);
    return zkr_tap_done(&t);
}
