/*
 * zk-ginfer2-chain: graph-inference@2's relations chained over shared
 * hidden tensors, conv -> requant -> max pool, on one transcript: the
 * conv's accumulator Y is the requantization's acc (one commitment, two
 * openings), the requantization's witness V holds y - lo in its slot 0,
 * which the pooling reads as its input (zkr_ginf2_pool_init_chained with
 * in_off = lo). Every commitment is bound before the first challenge. The
 * chained proof verifies; the pooled output (the pool witness's e = 0 Yb
 * block) equals a direct computation; bit flips, truncation, a pooling
 * witness of another input and another V are refused. A dense layer (a
 * conv whose kernel is the whole 2 x 2 x 2 pooled tensor, 3 outputs) reads
 * the pooling's V as its input (zkr_ginf2_cin: block Yb << le, in_off
 * -128; U padded with zero variables, zkr_ginf2_u_pad), its accumulator
 * equals a direct computation, and a dense reading another block of that
 * V, another V or another offset is refused. A conv over a uint8 input
 * (u_lo 0, the record's bytes) proves and verifies alone.
 */
#include <math.h>

#include "tests/tap.h"
#include "tests/zk/ginfer2_fx.h"

#define G2D_CO 3u /* the dense layer's outputs */

typedef struct {
    g2fx f;
    zkr_ginf2_rq rq;
    zkr_ginf2_pool pl;
    zkr_cnn_conv dn;     /* the dense layer: kernel = the pooled 2 x 2 x 2 tensor */
    zkr_ginf2_cin din;   /* its input: the pooling's V, block Yb */
    zkr_gl *vr, *vp; /* the requantization's and the pooling's witnesses */
    zkr_gl *dw, *dy; /* the dense layer's weight and accumulator tables */
    int64_t dacc[G2D_CO];
    zkr_hpcs_poly *yp2, *vrp, *vpp, *dwp, *dyp;
    zkr_hpcs_commitment yc2, vrc, vpc, dwc, dyc;
} chain;

#define G2_NROOTS 7

static zkr_err commit(chain *c, zkr_zkrng *g)
{
    g2fx *f = &c->f;
    unsigned nr = zkr_ginf2_rq_v_vars(&c->rq), np = zkr_ginf2_pool_v_vars(&c->pl);
    zkr_err e;

    unsigned nw = zkr_cnn_conv_w_vars(&c->dn);

    zkr_hpcs_poly_free(c->yp2), zkr_hpcs_poly_free(c->vrp), zkr_hpcs_poly_free(c->vpp);
    zkr_hpcs_poly_free(c->dwp), zkr_hpcs_poly_free(c->dyp);
    c->yp2 = c->vrp = c->vpp = c->dwp = c->dyp = NULL;
    if ((e = g2fx_commit(f, g)) != ZKR_OK ||
        (e = zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), 2, g, 1, &c->yp2,
                                &c->yc2)) != ZKR_OK ||
        (e = zkr_prover_hcommit_sized(&f->p, c->vr, nr, nr + zkr_ginf2_range_blind(&f->p, nr, 2),
                                      2, g, 1, &c->vrp, &c->vrc)) != ZKR_OK)
        return e;
    /* the pooling's V: its own range proof's batch and the dense layer's link */
    if ((e = zkr_prover_hcommit_sized(&f->p, c->vp, np, np + zkr_ginf2_range_blind(&f->p, np, 2),
                                      2, g, 1, &c->vpp, &c->vpc)) != ZKR_OK ||
        (e = zkr_prover_hcommit_sized(&f->p, c->dw, nw,
                                      nw + zkr_ginf2_range_blind(&f->p, nw, ZKR_GINF2_W_OPENINGS),
                                      ZKR_GINF2_W_OPENINGS, g, 1, &c->dwp, &c->dwc)) != ZKR_OK)
        return e;
    return zkr_prover_hcommit(&f->p, c->dy, zkr_cnn_conv_y_vars(&c->dn), ZKR_GINF2_Y_OPENINGS, g,
                              1, &c->dyp, &c->dyc);
}

static void transcript(const chain *c, const zkr_hpcs_commitment *const cm[G2_NROOTS],
                       zkr_transcript *t)
{
    static const char *lab[G2_NROOTS] = {"g2-x-root",  "g2-w-root",  "g2-y-root", "g2-vr-root",
                                         "g2-vp-root", "g2-dw-root", "g2-dy-root"};
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&c->f.p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, c->f.p.id, pd,
                c->f.sid);
    for (int i = 0; i < G2_NROOTS; i++)
        zkr_ts_absorb(t, lab[i], cm[i]->root, ZKR_DIGEST_BYTES);
}

/* The relations proven on the chain's one transcript (zk/ginfer2.h, "Extra grinding"). */
#define G2_SHARE 4u

static zkr_err prove(chain *c, zkr_zkrng *g, zkr_buf *out)
{
    const zkr_hpcs_commitment *cm[G2_NROOTS] = {&c->f.xc, &c->f.wc, &c->yc2, &c->vrc,
                                                &c->vpc,  &c->dwc,  &c->dyc};
    zkr_ginf2_popts o = {1, 0, 0, 0, G2_SHARE, 0};
    zkr_transcript t;
    zkr_err e;

    transcript(c, cm, &t);
    if ((e = zkr_prover_ginf2_conv(&c->f.p, &t, &c->f.c, c->f.xp, c->f.wp, c->yp2, &o, g, out)) !=
            ZKR_OK ||
        (e = zkr_prover_ginf2_requant(&c->f.p, &t, &c->rq, c->yp2, c->vrp, &o, g, out)) != ZKR_OK)
        return e;
    if ((e = zkr_prover_ginf2_pool(&c->f.p, &t, &c->pl, c->vrp, c->vpp, &o, g, out)) != ZKR_OK)
        return e;
    return zkr_prover_ginf2_conv_in(&c->f.p, &t, &c->dn, &c->din, c->vpp, c->dwp, c->dyp, &o, g,
                                    out);
}

static zkr_err verify_in(const chain *c, const zkr_hpcs_commitment *vr,
                         const zkr_hpcs_commitment *vp, const zkr_ginf2_cin *din,
                         const uint8_t *pf, size_t len)
{
    const zkr_hpcs_commitment *cm[G2_NROOTS] = {&c->f.xc, &c->f.wc, &c->yc2, vr,
                                                vp,       &c->dwc,  &c->dyc};
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    transcript(c, cm, &t);
    zkr_dec_init(&d, pf, len);
    if ((e = zkr_verify_ginf2_conv(&c->f.p, &t, &c->f.c, &c->f.xc, &c->f.wc, &c->yc2, 0,
                               G2_SHARE, &d)) !=
            ZKR_OK ||
        (e = zkr_verify_ginf2_requant(&c->f.p, &t, &c->rq, &c->yc2, vr, 0, G2_SHARE, &d)) != ZKR_OK ||
        (e = zkr_verify_ginf2_pool(&c->f.p, &t, &c->pl, vr, vp, 0, G2_SHARE, &d)) != ZKR_OK ||
        (e = zkr_verify_ginf2_conv_in(&c->f.p, &t, &c->dn, din, vp, &c->dwc, &c->dyc, 0, G2_SHARE,
                                      &d)) != ZKR_OK)
        return e;
    return zkr_dec_finish(&d);
}

static zkr_err verify(const chain *c, const zkr_hpcs_commitment *vr, const zkr_hpcs_commitment *vp,
                      const uint8_t *pf, size_t len)
{
    return verify_in(c, vr, vp, &c->din, pf, len);
}

/*
 * The dense layer over the pooled tensor (the pool witness's Yb - 128):
 * its shape, input description, random weights, accumulator and tables.
 */
static zkr_err dense_init(chain *c, uint64_t seed)
{
    static const uint32_t pads[4] = {0, 0, 0, 0};
    size_t nq = (size_t)1 << (c->pl.le + c->pl.lp);
    const zkr_cnn_win *pg = &c->pl.g;
    int8_t x[G2FX_CO * 2 * 2];
    int64_t w[G2D_CO * G2FX_CO * 2 * 2];
    zkr_cnn_win g;
    zkr_err e;

    if ((e = zkr_cnn_win_init(&g, G2FX_CO, 2, 2, 2, 2, 1, 1, 1, 1, pads)) != ZKR_OK ||
        (e = zkr_cnn_conv_init(&c->dn, &g, G2D_CO, 0)) != ZKR_OK)
        return e;
    c->din = (zkr_ginf2_cin){c->pl.le + c->pl.lsl, (uint32_t)ZKR_G2P_YB << c->pl.le, -128, -128, 0u};
    for (uint32_t ch = 0; ch < G2FX_CO; ch++)
        for (uint32_t oy = 0; oy < 2; oy++)
            for (uint32_t ox = 0; ox < 2; ox++)
                x[(ch * 2 + oy) * 2 + ox] = (int8_t)((int64_t)c->vp[(size_t)ZKR_G2P_YB * nq |
                                                                    ((size_t)ch << (pg->loh + pg->low)) |
                                                                    ((size_t)oy << pg->low) | ox] -
                                                     128);
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        w[i] = (int64_t)((seed >> 33) % 255u) - 127;
    }
    zkr_cnn_conv_native(&c->dn, x, w, c->dacc);
    c->dw = calloc((size_t)1 << zkr_cnn_conv_w_vars(&c->dn), sizeof *c->dw);
    c->dy = calloc((size_t)1 << zkr_cnn_conv_y_vars(&c->dn), sizeof *c->dy);
    if (!c->dw || !c->dy)
        return ZKR_ERR_NOMEM;
    zkr_cnn_conv_w_table(&c->dn, w, c->dw);
    for (uint32_t co = 0; co < G2D_CO; co++) /* a 1 x 1 output: entry co */
        c->dy[co] = c->dacc[co] < 0 ? ZKR_GL_P - (uint64_t)-c->dacc[co] : (uint64_t)c->dacc[co];
    return ZKR_OK;
}

/* The pooled output by a direct computation: max over 2x2/2 of clamp((acc M + 2^15) >> 16). */
static int output_ok(const chain *c)
{
    size_t nq = (size_t)1 << (c->pl.le + c->pl.lp);
    int ok = 1;

    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < 2; oy++)
            for (uint32_t ox = 0; ox < 2; ox++) {
                int64_t best = -1000;
                size_t p = ((size_t)co << (c->pl.g.loh + c->pl.g.low)) |
                           ((size_t)oy << c->pl.g.low) | ox;
                for (uint32_t i = 0; i < 2; i++)
                    for (uint32_t j = 0; j < 2; j++) {
                        int64_t a = c->f.y[(co * G2FX_O + 2 * oy + i) * G2FX_O + 2 * ox + j];
                        int64_t u = a * G2RQ_M + (1 << (G2RQ_SHIFT - 1)), q;
                        q = u >= 0 ? u >> G2RQ_SHIFT : -((-u + (1 << G2RQ_SHIFT) - 1) >> G2RQ_SHIFT);
                        q = q < -128 ? -128 : q > 127 ? 127 : q;
                        best = q > best ? q : best;
                    }
                ok &= (int64_t)c->vp[(size_t)ZKR_G2P_YB * nq + p] - 128 == best;
            }
    return ok;
}

/*
 * A conv over a uint8 input (the record's bytes, u_lo 0): the fixture's
 * shape and weights, X = 255 - |x| (values up to 255). Proven alone (share
 * 1); verifies, and is refused when read as int8 (u_lo -128); the int8
 * prover refuses the bytes (USAGE).
 */
static void u8_conv(zkr_tap *t, g2fx *f, zkr_zkrng *g)
{
    zkr_ginf2_cin in8 = {0u, 0u, 0, 0, 0u}, plain = ZKR_GINF2_CIN_PLAIN;
    zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
    const zkr_cnn_win *cg = &f->c.g;
    size_t nx = (size_t)1 << zkr_cnn_in_vars(cg), ny = (size_t)1 << zkr_cnn_conv_y_vars(&f->c);
    zkr_gl *xt = calloc(nx, sizeof *xt), *yt = calloc(ny, sizeof *yt);
    zkr_hpcs_poly *xp = NULL, *yp = NULL, *wp = NULL;
    zkr_hpcs_commitment xc, yc, wc;
    unsigned nw = zkr_cnn_conv_w_vars(&f->c);
    zkr_transcript tr;
    zkr_buf pf = {0};
    zkr_dec d;
    zkr_err e = ZKR_ERR_NOMEM;
    int ok = 0, refused = 0;

    if (!xt || !yt)
        goto out;
    for (uint32_t y = 0; y < G2FX_H; y++)
        for (uint32_t x = 0; x < G2FX_H; x++) {
            int v = f->x[y * G2FX_H + x];
            xt[((size_t)y << cg->lw) | x] = (zkr_gl)(255 - (v < 0 ? -v : v));
        }
    for (uint32_t co = 0; co < G2FX_CO; co++)
        for (uint32_t oy = 0; oy < G2FX_O; oy++)
            for (uint32_t ox = 0; ox < G2FX_O; ox++) {
                int64_t a = 0;
                for (uint32_t i = 0; i < G2FX_K; i++)
                    for (uint32_t j = 0; j < G2FX_K; j++)
                        a += f->w[(co * G2FX_K + i) * G2FX_K + j] *
                             (int64_t)xt[((size_t)(oy + i) << cg->lw) | (ox + j)];
                yt[((size_t)co << (cg->loh + cg->low)) | ((size_t)oy << cg->low) | ox] =
                    a < 0 ? ZKR_GL_P - (uint64_t)-a : (uint64_t)a;
            }
    if ((e = zkr_prover_hcommit(&f->p, xt, zkr_cnn_in_vars(cg), 1, g, 1, &xp, &xc)) != ZKR_OK ||
        (e = zkr_prover_hcommit_sized(&f->p, f->wt, nw,
                                      nw + zkr_ginf2_range_blind(&f->p, nw, ZKR_GINF2_W_OPENINGS),
                                      ZKR_GINF2_W_OPENINGS, g, 1, &wp, &wc)) != ZKR_OK ||
        (e = zkr_prover_hcommit(&f->p, yt, zkr_cnn_conv_y_vars(&f->c), 1, g, 1, &yp, &yc)) !=
            ZKR_OK)
        goto out;
    g2fx_transcript(f, &xc, &wc, &yc, &tr);
    refused = zkr_prover_ginf2_conv_in(&f->p, &tr, &f->c, &plain, xp, wp, yp, &o, g, &pf) ==
              ZKR_ERR_USAGE;
    pf.len = 0;
    g2fx_transcript(f, &xc, &wc, &yc, &tr);
    if ((e = zkr_prover_ginf2_conv_in(&f->p, &tr, &f->c, &in8, xp, wp, yp, &o, g, &pf)) != ZKR_OK)
        goto out;
    g2fx_transcript(f, &xc, &wc, &yc, &tr);
    zkr_dec_init(&d, pf.p, pf.len);
    ok = zkr_verify_ginf2_conv_in(&f->p, &tr, &f->c, &in8, &xc, &wc, &yc, 0, 1, &d) == ZKR_OK &&
         zkr_dec_finish(&d) == ZKR_OK;
    g2fx_transcript(f, &xc, &wc, &yc, &tr);
    zkr_dec_init(&d, pf.p, pf.len);
    refused &= zkr_verify_ginf2_conv_in(&f->p, &tr, &f->c, &plain, &xc, &wc, &yc, 0, 1, &d) !=
               ZKR_OK;
out:
    zkr_tap_ok(t, ok, "a conv over a uint8 input (u_lo 0) verifies (%d, acc bound %u bits)",
               (int)e, zkr_ginf2_conv_acc_bits_in(&f->c, &in8));
    zkr_tap_ok(t, refused, "read as int8 it is refused, and the int8 prover refuses its bytes");
    zkr_hpcs_poly_free(xp), zkr_hpcs_poly_free(wp), zkr_hpcs_poly_free(yp);
    zkr_buf_free(&pf);
    free(xt), free(yt);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    chain c, c2;
    zkr_zkrng g;
    zkr_buf pf = {0};
    uint8_t seed[32];
    static const uint32_t pads[4] = {0, 0, 0, 0};
    zkr_cnn_win pw;
    zkr_err e;
    int flips = 1;

    zkr_tap_init(&t, argc, argv);
    memset(&c, 0, sizeof c);
    memset(&c2, 0, sizeof c2);
    memset(seed, 3, sizeof seed);
    for (int k = 0; k < 2; k++) {
        chain *cc = k ? &c2 : &c;
        size_t nr, np;
        if (g2fx_init(&cc->f, 21 + (uint64_t)k) != ZKR_OK ||
            zkr_ginf2_rq_init(&cc->rq, G2FX_CO, G2FX_O, G2FX_O, G2RQ_M, G2RQ_SHIFT, 0,
                              zkr_ginf2_conv_acc_bits(&cc->f.c)) != ZKR_OK ||
            zkr_cnn_win_init(&pw, G2FX_CO, G2FX_O, G2FX_O, 2, 2, 2, 2, 1, 1, pads) != ZKR_OK ||
            zkr_ginf2_pool_init_chained(&cc->pl, &pw, cc->rq.lsl, cc->rq.lo) != ZKR_OK)
            return zkr_tap_ok(&t, 0, "chain fixture"), zkr_tap_done(&t);
        nr = (size_t)1 << zkr_ginf2_rq_v_vars(&cc->rq);
        np = (size_t)1 << zkr_ginf2_pool_v_vars(&cc->pl);
        cc->vr = calloc(nr, sizeof *cc->vr);
        cc->vp = calloc(np, sizeof *cc->vp);
        if (!cc->vr || !cc->vp)
            return zkr_tap_ok(&t, 0, "allocation"), zkr_tap_done(&t);
        {
            int64_t acc[1u << 5];
            const zkr_cnn_win *cg = &cc->f.c.g;
            memset(acc, 0, sizeof acc);
            for (uint32_t co = 0; co < G2FX_CO; co++)
                for (uint32_t oy = 0; oy < G2FX_O; oy++)
                    for (uint32_t ox = 0; ox < G2FX_O; ox++)
                        acc[((size_t)co << (cg->loh + cg->low)) | ((size_t)oy << cg->low) | ox] =
                            cc->f.y[(co * G2FX_O + oy) * G2FX_O + ox];
            if (zkr_ginf2_rq_witness(&cc->rq, acc, cc->vr) != ZKR_OK)
                return zkr_tap_ok(&t, 0, "requant witness"), zkr_tap_done(&t);
        }
        zkr_ginf2_pool_witness(&cc->pl, cc->vr, cc->vp);
        if (dense_init(cc, 77 + (uint64_t)k) != ZKR_OK)
            return zkr_tap_ok(&t, 0, "dense fixture"), zkr_tap_done(&t);
        if (zkr_zkrng_seeded(&g, seed, sizeof seed, "ginfer2 chain", NULL, 0) != ZKR_OK ||
            commit(cc, &g) != ZKR_OK)
            return zkr_tap_ok(&t, 0, "chain commitments"), zkr_tap_done(&t);
    }
    zkr_tap_ok(&t, output_ok(&c), "the chain's pooled output is maxpool(requant(conv))");
    zkr_tap_ok(&t, zkr_ginf2_conv_acc_bits(&c.f.c) == G2RQ_ACC_BITS,
               "the requantization's acc bound is the conv's (%u bits)",
               zkr_ginf2_conv_acc_bits(&c.f.c));
    e = prove(&c, &g, &pf);
    zkr_tap_ok(&t, e == ZKR_OK,
               "conv -> requant -> pool -> dense proven on one transcript (%d, %zu bytes)",
               (int)e, pf.len);
    zkr_tap_ok(&t, verify(&c, &c.vrc, &c.vpc, pf.p, pf.len) == ZKR_OK, "the chained proof verifies");
    for (size_t k = 0; k < 24 && pf.len; k++) {
        size_t at = (k * 104729u + 11u) % pf.len;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
        flips &= verify(&c, &c.vrc, &c.vpc, pf.p, pf.len) != ZKR_OK;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
    }
    zkr_tap_ok(&t, flips && verify(&c, &c.vrc, &c.vpc, pf.p, pf.len - 1) != ZKR_OK,
               "24 bit flips and a truncation are refused");
    zkr_tap_ok(&t, verify(&c, &c2.vrc, &c.vpc, pf.p, pf.len) != ZKR_OK &&
                       verify(&c, &c.vrc, &c2.vpc, pf.p, pf.len) != ZKR_OK,
               "another requantization or pooling witness commitment is refused");
    {
        zkr_ginf2_cin other = c.din, off = c.din;
        other.block = (uint32_t)ZKR_G2P_D << c.pl.le; /* the pooling's D slot, not its output */
        off.in_off = -127;
        zkr_tap_ok(&t, verify_in(&c, &c.vrc, &c.vpc, &other, pf.p, pf.len) != ZKR_OK &&
                           verify_in(&c, &c.vrc, &c.vpc, &off, pf.p, pf.len) != ZKR_OK,
                   "a dense layer read from another block of the pooling's V, or at another "
                   "offset, is refused");
    }
    {
        /* the dense accumulator the proof binds is W * (pooled output): a direct computation */
        int ok = 1;
        for (uint32_t co = 0; co < G2D_CO; co++) {
            int64_t a = 0;
            for (uint32_t ch = 0; ch < G2FX_CO; ch++)
                for (uint32_t i = 0; i < 2; i++)
                    for (uint32_t j = 0; j < 2; j++) {
                        size_t nq = (size_t)1 << (c.pl.le + c.pl.lp);
                        size_t p = ((size_t)ch << (c.pl.g.loh + c.pl.g.low)) |
                                   ((size_t)i << c.pl.g.low) | j;
                        size_t wi = j | ((size_t)i << c.dn.g.lkw) |
                                    ((size_t)ch << (c.dn.g.lkw + c.dn.g.lkh)) |
                                    ((size_t)co << zkr_ginf2_k_vars(&c.dn));
                        zkr_gl wv = c.dw[wi];
                        int64_t ws = wv > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - wv) : (int64_t)wv;
                        a += ws * ((int64_t)c.vp[(size_t)ZKR_G2P_YB * nq + p] - 128);
                    }
            ok &= a == c.dacc[co];
        }
        zkr_tap_ok(&t, ok && zkr_ginf2_u_pad(&c.dn, &c.din) > 0,
                   "the dense accumulator is W * maxpool(requant(conv)) (U padded by %u variables)",
                   zkr_ginf2_u_pad(&c.dn, &c.din));
    }
    {
        /* each relation grinds for a third of the target's error (share 3) */
        const zkr_params *p = &c.f.p;
        unsigned gc = zkr_ginf2_conv_grind_bits(p, &c.f.c, c.f.xc.blind_vars, c.f.wc.blind_vars,
                                                c.yc2.blind_vars, G2_SHARE);
        unsigned gr = zkr_ginf2_rq_grind_bits(p, &c.rq, c.vrc.blind_vars, c.yc2.blind_vars,
                                              G2_SHARE);
        unsigned gp = zkr_ginf2_pool_grind_bits(p, &c.pl, c.vpc.blind_vars, c.vrc.blind_vars,
                                                G2_SHARE);
        unsigned gd = zkr_ginf2_conv_grind_bits_in(p, &c.dn, &c.din, c.vpc.blind_vars,
                                                   c.dwc.blind_vars, c.dyc.blind_vars, G2_SHARE);
        double at[2];
        for (unsigned k = 0; k < 2; k++) /* k 0: no extra grinding (the figure before) */
            at[k] = -log2(pow(2.0, -zkr_ginf2_conv_soundness_at(p, &c.f.c, c.f.xc.blind_vars,
                                                                c.f.wc.blind_vars,
                                                                c.yc2.blind_vars, k * gc)) +
                          pow(2.0, -zkr_ginf2_conv_soundness_in(p, &c.dn, &c.din,
                                                                c.vpc.blind_vars,
                                                                c.dwc.blind_vars,
                                                                c.dyc.blind_vars, k * gd)) +
                          pow(2.0, -zkr_ginf2_rq_soundness_at(p, &c.rq, c.vrc.blind_vars,
                                                              c.yc2.blind_vars, k * gr)) +
                          pow(2.0, -zkr_ginf2_pool_soundness_at(p, &c.pl, c.vpc.blind_vars,
                                                                c.vrc.blind_vars, k * gp)));
        zkr_tap_ok(&t, at[1] >= (double)p->target_bits && at[1] < (double)p->target_bits + 2.0,
                   "chain soundness %.2f bits (union; extra grinding conv %u, requant %u, "
                   "maxpool %u, dense %u; %.2f without)", at[1], gc, gr, gp, gd, at[0]);
    }
    u8_conv(&t, &c.f, &g);
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    for (int k = 0; k < 2; k++) {
        chain *cc = k ? &c2 : &c;
        zkr_hpcs_poly_free(cc->yp2), zkr_hpcs_poly_free(cc->vrp), zkr_hpcs_poly_free(cc->vpp);
        zkr_hpcs_poly_free(cc->dwp), zkr_hpcs_poly_free(cc->dyp);
        free(cc->vr), free(cc->vp), free(cc->dw), free(cc->dy);
        g2fx_free(&cc->f);
    }
    return zkr_tap_done(&t);
}
