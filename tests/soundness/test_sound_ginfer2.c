/*
 * Soundness attacks on graph-inference@2's zero-knowledge relations
 * (docs/soundness.md, "graph-inference@2"). Each cheating prover commits a
 * witness whose other equations hold in the field and proves it with the
 * honest code path; the verifier refuses it. The same attack with the one
 * check that stops it switched off on both sides (test builds only)
 * verifies: that check is what stops it (the teeth).
 *
 * conv, range: W(0, 0, 0, 0) = 1/2 mod p (not an integer in -127..127) and
 *   every input entry even, so Y = W * im2col(X) holds mod p with a small,
 *   honest-looking accumulator, false over the integers for any int8 W.
 *   Stopped by W's hiding range proof (ZKR_GINF2_OFF_RANGE).
 * conv, link: U committed with entry 0 plus 1 (not the window view of X)
 *   and Y computed from that U. Stopped by the linear claim U~(z) = S_z X
 *   carried by U's range proof (ZKR_GINF2_OFF_LINK).
 * conv, product: Y + 1 at one entry; no switch (refused always).
 * requant, range: at an unclamped element y + 1 with r - 2^s (r's low limb
 *   wrapped mod p) and rs + 2^s, the slacks moved by one: every row holds
 *   mod p, y is off by one over the integers. Stopped by V's byte range
 *   proof (ZKR_GINF2_OFF_RANGE: the rows by plain masked linear sumchecks).
 * chained input (zkr_ginf2_cin): X's commitment holds four blocks; the
 *   verifier reads block 1 (x + 128, in_off -128). Swapped tensor: the
 *   prover's U and Y are the view of block 2 (another tensor) instead;
 *   offset: its U is block 1's view read at in_off -127 against the
 *   verifier's -128 (U still int8, Y = W U). Every equation but the link
 *   holds over the integers. Stopped by the link's claim U~(z) = sum S_z
 *   X_block + in_off sum S_z (ZKR_GINF2_OFF_LINK).
 * flat record (version 3's first conv): the record commitment's bytes read
 *   in the tensor layout instead of the flat one (the label at (4, 4), the
 *   zero padding after it), U and Y from that reading. Stopped by the flat
 *   link over the real positions only (ZKR_GINF2_OFF_LINK).
 * requant with per-channel M and bias: the same range attack on an
 *   instance with M (600, 300) and bias (-3000, 5000), and a proof checked
 *   against another bias (refused: row 0's constant M_c b_c).
 * maxpool, range: an output set to its window's second largest element,
 *   selected there; at the maximum D = Y - X < 0 wraps mod p (and S over
 *   255). Stopped by V's byte range proof (ZKR_GINF2_OFF_RANGE).
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_fx.h"
#include "zkr_config.h"

/* Requantization: proves r (committed fresh) with o; the verifier's answer. */
static zkr_err run_rq(g2rq *r, const zkr_ginf2_popts *o, uint8_t tag);

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 soundness", NULL, 0);
}

/* Proves f (committed fresh) with o and returns the verifier's answer (off voff). */
static zkr_err run_at(g2fx *f, const zkr_ginf2_popts *o, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_err r;

    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2fx_commit(f, &g)) != ZKR_OK ||
        (r = g2fx_prove(f, o, &g, &pf)) != ZKR_OK)
        goto out;
    r = g2fx_verify(f, NULL, NULL, NULL, voff, pf.p, pf.len);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    return r;
}

/* run_at with the verifier's off as the prover's. */
static zkr_err run(g2fx *f, const zkr_ginf2_popts *o, uint8_t tag)
{
    return run_at(f, o, o->off, tag);
}

static zkr_err run_rq_at(g2rq *r, const zkr_ginf2_popts *o, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2rq_commit(r, &g)) != ZKR_OK ||
        (e = g2rq_prove(r, o, &g, &pf)) != ZKR_OK)
        goto out;
    e = g2rq_verify(r, NULL, NULL, voff, pf.p, pf.len);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    return e;
}

static zkr_err run_rq(g2rq *r, const zkr_ginf2_popts *o, uint8_t tag)
{
    return run_rq_at(r, o, o->off, tag);
}

/* y + 1 with r - 2^s at the first unclamped element with y < 127; 0 when none. */
static int rq_cheat(g2rq *r)
{
    const zkr_ginf2_rq *q = &r->q;
    zkr_gl s2 = (zkr_gl)1 << q->shift;

    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
        zkr_gl *v = r->vt;
#define AT(slot) v[((size_t)(slot) << q->lp) | p]
        if (AT(q->s_mh) || AT(q->s_ml) || AT(ZKR_G2RQ_YC) == 0)
            continue;
        AT(ZKR_G2RQ_Y) += 1, AT(ZKR_G2RQ_YC) -= 1;
        AT(ZKR_G2RQ_R0) = zkr_gl_sub(AT(ZKR_G2RQ_R0), s2);
        AT(q->s_rs) = zkr_gl_add(AT(q->s_rs), s2);
        AT(q->s_sh2) += 1, AT(q->s_sl2) -= 1;
#undef AT
        return 1;
    }
    return 0;
}

static zkr_err run_pl_at(g2pl *r, const zkr_ginf2_popts *o, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2pl_commit(r, &g)) != ZKR_OK ||
        (e = g2pl_prove(r, o, &g, &pf)) != ZKR_OK)
        goto out;
    e = g2pl_verify(r, NULL, NULL, voff, pf.p, pf.len);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    return e;
}

static zkr_err run_pl(g2pl *r, const zkr_ginf2_popts *o, uint8_t tag)
{
    return run_pl_at(r, o, o->off, tag);
}

static int64_t sgn(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

static zkr_gl fgl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

/* The first real output whose window has a second largest value: Y set to it. */
static int pl_cheat(g2pl *r)
{
    const zkr_ginf2_pool *q = &r->q;
    const zkr_cnn_win *g = &q->g;
    size_t np = (size_t)1 << q->lp, ne = (size_t)1 << q->le, nq = np * ne;

    for (size_t p = 0; p < np; p++) {
        int64_t mx = INT64_MIN, second = INT64_MIN;
        for (size_t e = 0; e < ne; e++) {
            size_t qi = p | (e << q->lp), xi;
            uint32_t ox = (uint32_t)(qi & ((1u << g->low) - 1)), oy, c, j, i;
            int64_t yy, xx, xv;
            oy = (uint32_t)((qi >> g->low) & ((1u << g->loh) - 1));
            c = (uint32_t)(qi >> (g->low + g->loh)) & ((1u << g->lc) - 1);
            j = (uint32_t)(e & ((1u << g->lkw) - 1)), i = (uint32_t)(e >> g->lkw);
            if (!zkr_ginf2_pool_valid(q, qi))
                continue;
            yy = (int64_t)oy * g->sh + i * g->dh - g->pt, xx = (int64_t)ox * g->sw + j * g->dw - g->pl;
            xi = ((size_t)c << (g->lh + g->lw)) | ((size_t)yy << g->lw) | (size_t)xx;
            xv = sgn(r->xt[xi]);
            if (xv > mx)
                second = mx, mx = xv;
            else if (xv < mx && xv > second)
                second = xv;
        }
        if (second == INT64_MIN)
            continue;
        for (size_t e = 0, chosen = 0; e < ne; e++) {
            size_t qi = p | (e << q->lp), xi;
            uint32_t ox = (uint32_t)(qi & ((1u << g->low) - 1)), oy, c, j, i;
            int64_t yy, xx, d;
            oy = (uint32_t)((qi >> g->low) & ((1u << g->loh) - 1));
            c = (uint32_t)(qi >> (g->low + g->loh)) & ((1u << g->lc) - 1);
            j = (uint32_t)(e & ((1u << g->lkw) - 1)), i = (uint32_t)(e >> g->lkw);
            r->vt[(size_t)ZKR_G2P_YB * nq + qi] = (zkr_gl)(second + 128);
            if (!zkr_ginf2_pool_valid(q, qi))
                continue;
            yy = (int64_t)oy * g->sh + i * g->dh - g->pt, xx = (int64_t)ox * g->sw + j * g->dw - g->pl;
            xi = ((size_t)c << (g->lh + g->lw)) | ((size_t)yy << g->lw) | (size_t)xx;
            d = second - sgn(r->xt[xi]);
            {
                int sel = d == 0 && !chosen;
                chosen |= (size_t)sel;
                r->vt[(size_t)ZKR_G2P_D * nq + qi] = fgl(d);
                r->vt[(size_t)ZKR_G2P_E * nq + qi] = (zkr_gl)sel;
                r->vt[(size_t)ZKR_G2P_EC * nq + qi] = (zkr_gl)!sel;
                r->vt[(size_t)ZKR_G2P_S * nq + qi] = fgl(255 * !sel - d);
            }
        }
        return 1;
    }
    return 0;
}

/* The accumulator table from the (possibly cheating) W and U tables, in the field. */
static void field_y(g2fx *f, int64_t u_delta)
{
    const zkr_cnn_win *g = &f->c.g;
    unsigned lk = zkr_ginf2_k_vars(&f->c);

    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < G2FX_O; oy++)
            for (uint32_t ox = 0; ox < G2FX_O; ox++) {
                zkr_gl acc = 0;
                for (uint32_t i = 0; i < G2FX_K; i++)
                    for (uint32_t j = 0; j < G2FX_K; j++) {
                        size_t k = j | ((size_t)i << g->lkw);
                        zkr_gl xv = f->xt[((size_t)(oy + i) << g->lw) | (ox + j)];
                        if (k == 0 && oy == 0 && ox == 0)
                            xv = zkr_gl_add(xv, (uint64_t)u_delta);
                        acc = zkr_gl_add(acc, zkr_gl_mul(f->wt[k | ((size_t)co << lk)], xv));
                    }
                f->yt[((size_t)co << (g->loh + g->low)) | ((size_t)oy << g->low) | ox] = acc;
            }
}

/*
 * The chained-input attacks (above): X's commitment of nx + 2 variables,
 * block 1 = the fixture's x + 128, block 2 = 255 - block 1; the prover
 * reads pin, the verifier vin, Y = W * im2col(the prover's reading).
 */
static zkr_err run_cin(g2fx *f, const zkr_ginf2_cin *pin, const zkr_ginf2_cin *vin, unsigned off,
                       uint8_t tag)
{
    unsigned nx = zkr_cnn_in_vars(&f->c.g), xv = nx + 2, nw = zkr_cnn_conv_w_vars(&f->c);
    size_t n1 = (size_t)1 << nx;
    zkr_gl *xt = calloc((size_t)1 << xv, sizeof *xt);
    int8_t xr[G2FX_C * G2FX_H * G2FX_H];
    zkr_hpcs_poly *xp = NULL, *wp = NULL, *yp = NULL;
    zkr_hpcs_commitment xc, wc, yc;
    zkr_ginf2_popts o = {1, off, 0, 0, 1, 0};
    zkr_transcript tr;
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_dec d;
    zkr_err r = ZKR_ERR_NOMEM;

    if ((r = seeded(&g, tag)) != ZKR_OK)
        goto out;
    r = ZKR_ERR_NOMEM;
    if (!xt)
        goto out;
    for (uint32_t y = 0; y < G2FX_H; y++)
        for (uint32_t x = 0; x < G2FX_H; x++) {
            size_t p = ((size_t)y << f->c.g.lw) | x;
            int v = f->x[y * G2FX_H + x] + 128;
            xt[n1 | p] = (zkr_gl)v;
            xt[2 * n1 | p] = (zkr_gl)(255 - v);
            xr[y * G2FX_H + x] = (int8_t)((int64_t)xt[((size_t)pin->block * n1) | p] + pin->in_off);
        }
    zkr_cnn_conv_native(&f->c, xr, f->w, f->y);
    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < G2FX_O; oy++)
            for (uint32_t ox = 0; ox < G2FX_O; ox++)
                f->yt[((size_t)co << (f->c.g.loh + f->c.g.low)) | ((size_t)oy << f->c.g.low) | ox] =
                    fgl(f->y[(co * G2FX_O + oy) * G2FX_O + ox]);
    if ((r = zkr_prover_hcommit(&f->p, xt, xv, 1, &g, 1, &xp, &xc)) != ZKR_OK ||
        (r = zkr_prover_hcommit_sized(&f->p, f->wt, nw,
                                      nw + zkr_ginf2_range_blind(&f->p, nw, ZKR_GINF2_W_OPENINGS),
                                      ZKR_GINF2_W_OPENINGS, &g, 1, &wp, &wc)) != ZKR_OK ||
        (r = zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), 1, &g, 1, &yp, &yc)) !=
            ZKR_OK)
        goto out;
    g2fx_transcript(f, &xc, &wc, &yc, &tr);
    if ((r = zkr_prover_ginf2_conv_in(&f->p, &tr, &f->c, pin, xp, wp, yp, &o, &g, &pf)) != ZKR_OK)
        goto out;
    g2fx_transcript(f, &xc, &wc, &yc, &tr);
    zkr_dec_init(&d, pf.p, pf.len);
    r = zkr_verify_ginf2_conv_in(&f->p, &tr, &f->c, vin, &xc, &wc, &yc, off, 1, &d);
    if (r == ZKR_OK)
        r = zkr_dec_finish(&d);
out:
    zkr_zkrng_wipe(&g);
    zkr_hpcs_poly_free(xp), zkr_hpcs_poly_free(wp), zkr_hpcs_poly_free(yp);
    zkr_buf_free(&pf);
    free(xt);
    return r;
}

/*
 * The flat record link (zkr_ginf2_cin.flat, graph-inference@2 version 3):
 * X is a hiding record commitment of the fixture's 36 input bytes (x + 128)
 * and a label, 37 bytes over 6 variables. The verifier reads it flat
 * (position (y, x) at y 6 + x). The prover reads pin: flat (honest) or the
 * tensor layout (y 8 + x, the same 6 variables), which reads the label at
 * (4, 4) and zero padding at (4, 5) and row 5: U = im2col of that reading,
 * Y = W U, every equation but the link true over the integers. Stopped by
 * the flat link U~(z) = sum S_z X over the flat layout's real positions
 * (ZKR_GINF2_OFF_LINK).
 */
static zkr_err run_flat(g2fx *f, const zkr_ginf2_cin *pin, unsigned off, uint8_t tag)
{
    static const zkr_ginf2_cin flat = {0u, 0u, 0, 0, 1u};
    enum { N = G2FX_C * G2FX_H * G2FX_H };
    uint8_t rec[N + 1], rc[ZKR_RECORD_COMMIT_BYTES], ro[ZKR_RECORD_OPENING_BYTES], seed[32];
    unsigned nw = zkr_cnn_conv_w_vars(&f->c);
    int64_t xr[N];
    zkr_record_commitment xc;
    zkr_hpcs_poly *xp = NULL, *wp = NULL, *yp = NULL;
    zkr_hpcs_commitment wc, yc;
    zkr_ginf2_popts o = {1, off, 0, 0, 1, 0};
    zkr_transcript tr;
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_dec d;
    zkr_err r;

    memset(seed, tag, sizeof seed);
    for (size_t k = 0; k < N; k++)
        rec[k] = (uint8_t)(f->x[k] + 128);
    rec[N] = 7; /* the label */
    for (uint32_t y = 0; y < G2FX_H; y++)
        for (uint32_t x = 0; x < G2FX_H; x++) {
            size_t at = zkr_ginf2_x_index(&f->c, pin, 0, y, x);
            xr[y * G2FX_H + x] = at <= N ? rec[at] : 0; /* past the label: the zero padding */
        }
    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < G2FX_O; oy++)
            for (uint32_t ox = 0; ox < G2FX_O; ox++) {
                int64_t a = 0;
                for (uint32_t ky = 0; ky < G2FX_K; ky++)
                    for (uint32_t kx = 0; kx < G2FX_K; kx++)
                        a += f->w[(co * G2FX_K + ky) * G2FX_K + kx] *
                             xr[(oy + ky) * G2FX_H + ox + kx];
                f->yt[((size_t)co << (f->c.g.loh + f->c.g.low)) | ((size_t)oy << f->c.g.low) | ox] =
                    fgl(a);
            }
    if ((r = seeded(&g, tag)) != ZKR_OK ||
        (r = zkr_prover_record_commit(&f->p, rec, sizeof rec, 1, seed, sizeof seed, 1, rc, ro)) !=
            ZKR_OK ||
        (r = zkr_prover_record_reopen(&f->p, rec, sizeof rec, rc, ro, 1, &xp)) != ZKR_OK ||
        (r = zkr_record_commitment_decode(&f->p, rc, sizeof rc, &xc)) != ZKR_OK ||
        (r = zkr_prover_hcommit_sized(&f->p, f->wt, nw,
                                      nw + zkr_ginf2_range_blind(&f->p, nw, ZKR_GINF2_W_OPENINGS),
                                      ZKR_GINF2_W_OPENINGS, &g, 1, &wp, &wc)) != ZKR_OK ||
        (r = zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), 1, &g, 1, &yp, &yc)) !=
            ZKR_OK)
        goto out;
    g2fx_transcript(f, &xc.comm, &wc, &yc, &tr);
    if ((r = zkr_prover_ginf2_conv_in(&f->p, &tr, &f->c, pin, xp, wp, yp, &o, &g, &pf)) != ZKR_OK)
        goto out;
    g2fx_transcript(f, &xc.comm, &wc, &yc, &tr);
    zkr_dec_init(&d, pf.p, pf.len);
    r = zkr_verify_ginf2_conv_in(&f->p, &tr, &f->c, &flat, &xc.comm, &wc, &yc, off, 1, &d);
    if (r == ZKR_OK)
        r = zkr_dec_finish(&d);
out:
    zkr_zkrng_wipe(&g);
    zkr_hpcs_poly_free(xp), zkr_hpcs_poly_free(wp), zkr_hpcs_poly_free(yp);
    zkr_buf_free(&pf);
    return r;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2fx f;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (g2fx_init(&f, 3) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    {
        zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
        zkr_tap_ok(&t, run(&f, &o, 1) == ZKR_OK, "honest witness verifies");
    }
    /* grinding: an honest proof whose openings grind the set's pow_bits only */
    {
        zkr_ginf2_popts sh = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0};
        unsigned gx = zkr_ginf2_conv_grind_bits(&f.p, &f.c, f.xc.blind_vars, f.wc.blind_vars,
                                                f.yc.blind_vars, 1);
        e = run_at(&f, &sh, ZKR_GINF2_OFF_GRIND, 13);
        zkr_tap_ok(&t, gx > 0 && e == ZKR_OK,
                   "conv: too little grinding verifies with the grinding check off (teeth; %u "
                   "bits short, %d)", gx, (int)e);
        e = run_at(&f, &sh, 0, 13);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "conv: a nonce ground %u bits short is refused (%d)",
                   gx, (int)e);
    }
    /* range: W = 1/2 mod p at (0, 0, 0, 0), every input entry even */
    {
        zkr_ginf2_popts on = {1, 0, 1, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
        size_t nx = (size_t)1 << zkr_cnn_in_vars(&f.c.g);
        for (size_t i = 0; i < nx; i++) {
            int64_t v = f.xt[i] > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - f.xt[i]) : (int64_t)f.xt[i];
            v -= v & 1; /* the even int8 at or below */
            f.xt[i] = v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
        }
        f.wt[0] = zkr_gl_inv(2);
        field_y(&f, 0);
        {
            int small = 1;
            for (size_t i = 0; i < ((size_t)1 << zkr_cnn_conv_y_vars(&f.c)); i++)
                small &= f.yt[i] < (1u << 20) || f.yt[i] > ZKR_GL_P - (1u << 20);
            zkr_tap_ok(&t, small, "range attack: the cheating accumulator is small (|Y| < 2^20)");
        }
        e = run(&f, &off, 2);
        zkr_tap_ok(&t, e == ZKR_OK, "range attack verifies with W's range proof off (teeth; %d)",
                   (int)e);
        e = run(&f, &on, 3);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "range attack refused by W's range proof (%d)", (int)e);
    }
    g2fx_free(&f);
    /* link: U's entry 0 plus 1, Y from that U */
    if (g2fx_init(&f, 4) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    {
        zkr_ginf2_popts on = {1, 0, 0, 1, 1, 0}, off = {1, ZKR_GINF2_OFF_LINK, 0, 1, 1, 0};
        field_y(&f, 1);
        e = run(&f, &off, 4);
        zkr_tap_ok(&t, e == ZKR_OK, "link attack verifies with the link off (teeth; %d)", (int)e);
        e = run(&f, &on, 5);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "link attack refused by U~(z) = S_z X (%d)", (int)e);
    }
    /* chained input: a tensor swapped between relations, a wrong offset */
    {
        zkr_ginf2_cin v1 = {2u, 1u, -128, -128, 0u}, p2 = {2u, 2u, -128, -128, 0u},
                      poff = {2u, 1u, -127, -128, 0u};
        zkr_tap_ok(&t, run_cin(&f, &v1, &v1, 0, 21) == ZKR_OK,
                   "chained input: honest, block 1 read at -128, verifies");
        e = run_cin(&f, &p2, &v1, ZKR_GINF2_OFF_LINK, 22);
        zkr_tap_ok(&t, e == ZKR_OK,
                   "swapped tensor (block 2 for block 1) verifies with the link off (teeth; %d)",
                   (int)e);
        e = run_cin(&f, &p2, &v1, 0, 23);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "swapped tensor refused by the link (%d)", (int)e);
        /* poff: real values x + 1 (x < 127 in this fixture's input, else the prover refuses) */
        e = run_cin(&f, &poff, &v1, ZKR_GINF2_OFF_LINK, 24);
        zkr_tap_ok(&t, e == ZKR_OK, "wrong offset verifies with the link off (teeth; %d)", (int)e);
        e = run_cin(&f, &poff, &v1, 0, 25);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "wrong offset refused by the link's claim (%d)", (int)e);
        g2fx_free(&f);
        if (g2fx_init(&f, 4) != ZKR_OK)
            return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    }
    /* the flat record link: the conv reading the label and the padding */
    {
        zkr_ginf2_cin flat = {0u, 0u, 0, 0, 1u}, tensor = {0u, 0u, 0, 0, 0u};
        e = run_flat(&f, &flat, 0, 26);
        zkr_tap_ok(&t, e == ZKR_OK, "flat record: honest, read flat, verifies (%d)", (int)e);
        e = run_flat(&f, &tensor, ZKR_GINF2_OFF_LINK, 27);
        zkr_tap_ok(&t, e == ZKR_OK,
                   "flat record read as a tensor (the label, the padding) verifies with the link "
                   "off (teeth; %d)", (int)e);
        e = run_flat(&f, &tensor, 0, 28);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                   "flat record read as a tensor refused by the flat link (%d)", (int)e);
        g2fx_free(&f);
        if (g2fx_init(&f, 4) != ZKR_OK)
            return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    }
    /* product: Y + 1 at one entry */
    {
        zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_LINK, 0, 0, 1, 0};
        field_y(&f, 0);
        f.yt[5] = zkr_gl_add(f.yt[5], 1);
        e = run(&f, &o, 6);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                   "Y + 1 at one entry refused by the product sumcheck, ranges off (%d)", (int)e);
    }
    /* requant: y + 1 with r - 2^s */
    {
        g2rq rq;
        zkr_ginf2_popts on = {1, 0, 1, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
        field_y(&f, 0);
        if (g2rq_init(&rq, &f, 0) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "requant fixture");
        } else {
            zkr_tap_ok(&t, run_rq(&rq, &off, 7) == ZKR_OK, "requant: honest, range off, verifies");
            {
                zkr_ginf2_popts sh = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0};
                e = run_rq_at(&rq, &sh, ZKR_GINF2_OFF_GRIND, 14);
                zkr_tap_ok(&t, e == ZKR_OK,
                           "requant: too little grinding verifies with the check off (teeth; %d)",
                           (int)e);
                e = run_rq_at(&rq, &sh, 0, 14);
                zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                           "requant: a nonce ground short of its extra bits is refused (%d)",
                           (int)e);
            }
            zkr_tap_ok(&t, rq_cheat(&rq), "requant: an unclamped element to cheat on");
            e = run_rq(&rq, &off, 8);
            zkr_tap_ok(&t, e == ZKR_OK,
                       "requant y + 1 with r - 2^s verifies with the range proof off (teeth; %d)",
                       (int)e);
            e = run_rq(&rq, &on, 9);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "requant y + 1 with r - 2^s refused by V's byte range proof (%d)", (int)e);
        }
        g2rq_free(&rq);
    }
    /* requant with per-channel M and bias (zkr_ginf2_rq_init_ch): the same attack, another bias */
    {
        static const int64_t mc[G2FX_CO] = {600, 300}, bc[G2FX_CO] = {-3000, 5000};
        static const int64_t bc2[G2FX_CO] = {-3000, 5001};
        zkr_ginf2_popts on = {1, 0, 1, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
        g2rq rq;
        field_y(&f, 0);
        if (g2rq_init_ch(&rq, &f, 1, mc, bc) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "per-channel requant fixture");
        } else {
            zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
            zkr_zkrng g;
            zkr_buf pf = {0};
            zkr_ginf2_rq q1 = rq.q;
            int ok = seeded(&g, 31) == ZKR_OK && g2rq_commit(&rq, &g) == ZKR_OK &&
                     g2rq_prove(&rq, &o, &g, &pf) == ZKR_OK;
            int same = 1;
            for (size_t p = 0; p < ((size_t)1 << rq.q.lp); p++) {
                uint32_t co = (uint32_t)(p >> (rq.q.lh + rq.q.lw));
                int64_t u, qq;
                if (co >= G2FX_CO || ((p >> rq.q.lw) & ((1u << rq.q.lh) - 1)) >= G2FX_O ||
                    (p & ((1u << rq.q.lw) - 1)) >= G2FX_O)
                    continue;
                u = (rq.acc[p] + bc[co]) * mc[co] + (1 << (G2RQ_SHIFT - 1));
                qq = u >= 0 ? u >> G2RQ_SHIFT : -((-u + (1 << G2RQ_SHIFT) - 1) >> G2RQ_SHIFT);
                qq = qq < 0 ? 0 : qq > 127 ? 127 : qq;
                same &= (int64_t)rq.vt[p] == qq; /* slot 0: y - lo, lo 0 (ReLU) */
            }
            zkr_tap_ok(&t, same, "per-channel requant: V's y is clamp(((acc + b_c) M_c + 2^15) >> 16)");
            zkr_tap_ok(&t, ok && g2rq_verify(&rq, NULL, NULL, 0, pf.p, pf.len) == ZKR_OK,
                       "per-channel requant: honest verifies");
            ok = zkr_ginf2_rq_init_ch(&rq.q, G2FX_CO, G2FX_O, G2FX_O, mc, bc2, G2RQ_SHIFT, 1,
                                      G2RQ_ACC_BITS) == ZKR_OK;
            zkr_tap_ok(&t, ok && g2rq_verify(&rq, NULL, NULL, 0, pf.p, pf.len) == ZKR_ERR_VERIFY,
                       "per-channel requant: refused against another bias (b + 1 on a channel)");
            rq.q = q1;
            zkr_zkrng_wipe(&g);
            zkr_buf_free(&pf);
            zkr_tap_ok(&t, rq_cheat(&rq), "per-channel requant: an unclamped element to cheat on");
            e = run_rq(&rq, &off, 32);
            zkr_tap_ok(&t, e == ZKR_OK,
                       "per-channel requant y + 1 with r - 2^s verifies with the range proof off "
                       "(teeth; %d)", (int)e);
            e = run_rq(&rq, &on, 33);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "per-channel requant y + 1 with r - 2^s refused by V's byte range proof (%d)",
                       (int)e);
        }
        g2rq_free(&rq);
    }
    /* maxpool: a non-maximum output */
    {
        g2pl pl;
        zkr_ginf2_popts on = {1, 0, 1, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
        if (g2pl_init(&pl, &f, 2, 2, 0, 9) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "pool fixture");
        } else {
            zkr_tap_ok(&t, run_pl(&pl, &off, 10) == ZKR_OK, "maxpool: honest, range off, verifies");
            {
                zkr_ginf2_popts sh = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0};
                e = run_pl_at(&pl, &sh, ZKR_GINF2_OFF_GRIND, 15);
                zkr_tap_ok(&t, e == ZKR_OK,
                           "maxpool: too little grinding verifies with the check off (teeth; %d)",
                           (int)e);
                e = run_pl_at(&pl, &sh, 0, 15);
                zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                           "maxpool: a nonce ground short of its extra bits is refused (%d)",
                           (int)e);
            }
            zkr_tap_ok(&t, pl_cheat(&pl), "maxpool: a window with a second largest element");
            e = run_pl(&pl, &off, 11);
            zkr_tap_ok(&t, e == ZKR_OK,
                       "maxpool non-maximum output verifies with the range proof off (teeth; %d)",
                       (int)e);
            e = run_pl(&pl, &on, 12);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "maxpool non-maximum output refused by V's byte range proof (%d)", (int)e);
        }
        g2pl_free(&pl);
    }
    g2fx_free(&f);
    return zkr_tap_done(&t);
}
