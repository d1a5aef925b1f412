/*
 * zk-ginfer2-chain: graph-inference@2's relations chained over shared
 * hidden tensors, conv -> requant -> max pool, on one transcript: the
 * conv's accumulator Y is the requantization's acc (one commitment, two
 * openings), the requantization's witness V holds y - lo in its slot 0,
 * which the pooling reads as its input (zkr_ginf2_pool_init_chained with
 * in_off = lo). Every commitment is bound before the first challenge. The
 * chained proof verifies; the pooled output (the pool witness's e = 0 Yb
 * block) equals a direct computation; bit flips, truncation, a pooling
 * witness of another input and another V are refused.
 */
#include <math.h>

#include "tests/tap.h"
#include "tests/zk/ginfer2_fx.h"

typedef struct {
    g2fx f;
    zkr_ginf2_rq rq;
    zkr_ginf2_pool pl;
    zkr_gl *vr, *vp; /* the requantization's and the pooling's witnesses */
    zkr_hpcs_poly *yp2, *vrp, *vpp;
    zkr_hpcs_commitment yc2, vrc, vpc;
} chain;

static zkr_err commit(chain *c, zkr_zkrng *g)
{
    g2fx *f = &c->f;
    unsigned nr = zkr_ginf2_rq_v_vars(&c->rq), np = zkr_ginf2_pool_v_vars(&c->pl);
    zkr_err e;

    zkr_hpcs_poly_free(c->yp2), zkr_hpcs_poly_free(c->vrp), zkr_hpcs_poly_free(c->vpp);
    c->yp2 = c->vrp = c->vpp = NULL;
    if ((e = g2fx_commit(f, g)) != ZKR_OK ||
        (e = zkr_prover_hcommit(&f->p, f->yt, zkr_cnn_conv_y_vars(&f->c), 2, g, 1, &c->yp2,
                                &c->yc2)) != ZKR_OK ||
        (e = zkr_prover_hcommit_sized(&f->p, c->vr, nr, nr + zkr_ginf2_range_blind(&f->p, nr, 2),
                                      2, g, 1, &c->vrp, &c->vrc)) != ZKR_OK)
        return e;
    return zkr_prover_hcommit_sized(&f->p, c->vp, np, np + zkr_ginf2_range_blind(&f->p, np, 1), 1,
                                    g, 1, &c->vpp, &c->vpc);
}

static void transcript(const chain *c, const zkr_hpcs_commitment *const cm[5], zkr_transcript *t)
{
    static const char *lab[5] = {"g2-x-root", "g2-w-root", "g2-y-root", "g2-vr-root",
                                 "g2-vp-root"};
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&c->f.p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, c->f.p.id, pd,
                c->f.sid);
    for (int i = 0; i < 5; i++)
        zkr_ts_absorb(t, lab[i], cm[i]->root, ZKR_DIGEST_BYTES);
}

/* The relations proven on the chain's one transcript (zk/ginfer2.h, "Extra grinding"). */
#define G2_SHARE 3u

static zkr_err prove(chain *c, zkr_zkrng *g, zkr_buf *out)
{
    const zkr_hpcs_commitment *cm[5] = {&c->f.xc, &c->f.wc, &c->yc2, &c->vrc, &c->vpc};
    zkr_ginf2_popts o = {1, 0, 0, 0, G2_SHARE};
    zkr_transcript t;
    zkr_err e;

    transcript(c, cm, &t);
    if ((e = zkr_prover_ginf2_conv(&c->f.p, &t, &c->f.c, c->f.xp, c->f.wp, c->yp2, &o, g, out)) !=
            ZKR_OK ||
        (e = zkr_prover_ginf2_requant(&c->f.p, &t, &c->rq, c->yp2, c->vrp, &o, g, out)) != ZKR_OK)
        return e;
    return zkr_prover_ginf2_pool(&c->f.p, &t, &c->pl, c->vrp, c->vpp, &o, g, out);
}

static zkr_err verify(const chain *c, const zkr_hpcs_commitment *vr, const zkr_hpcs_commitment *vp,
                      const uint8_t *pf, size_t len)
{
    const zkr_hpcs_commitment *cm[5] = {&c->f.xc, &c->f.wc, &c->yc2, vr, vp};
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    transcript(c, cm, &t);
    zkr_dec_init(&d, pf, len);
    if ((e = zkr_verify_ginf2_conv(&c->f.p, &t, &c->f.c, &c->f.xc, &c->f.wc, &c->yc2, 0,
                               G2_SHARE, &d)) !=
            ZKR_OK ||
        (e = zkr_verify_ginf2_requant(&c->f.p, &t, &c->rq, &c->yc2, vr, 0, G2_SHARE, &d)) != ZKR_OK ||
        (e = zkr_verify_ginf2_pool(&c->f.p, &t, &c->pl, vr, vp, 0, G2_SHARE, &d)) != ZKR_OK)
        return e;
    return zkr_dec_finish(&d);
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
        if (zkr_zkrng_seeded(&g, seed, sizeof seed, "ginfer2 chain", NULL, 0) != ZKR_OK ||
            commit(cc, &g) != ZKR_OK)
            return zkr_tap_ok(&t, 0, "chain commitments"), zkr_tap_done(&t);
    }
    zkr_tap_ok(&t, output_ok(&c), "the chain's pooled output is maxpool(requant(conv))");
    zkr_tap_ok(&t, zkr_ginf2_conv_acc_bits(&c.f.c) == G2RQ_ACC_BITS,
               "the requantization's acc bound is the conv's (%u bits)",
               zkr_ginf2_conv_acc_bits(&c.f.c));
    e = prove(&c, &g, &pf);
    zkr_tap_ok(&t, e == ZKR_OK, "conv -> requant -> pool proven on one transcript (%d, %zu bytes)",
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
        /* each relation grinds for a third of the target's error (share 3) */
        const zkr_params *p = &c.f.p;
        unsigned gc = zkr_ginf2_conv_grind_bits(p, &c.f.c, c.f.xc.blind_vars, c.f.wc.blind_vars,
                                                c.yc2.blind_vars, G2_SHARE);
        unsigned gr = zkr_ginf2_rq_grind_bits(p, &c.rq, c.vrc.blind_vars, c.yc2.blind_vars,
                                              G2_SHARE);
        unsigned gp = zkr_ginf2_pool_grind_bits(p, &c.pl, c.vpc.blind_vars, c.vrc.blind_vars,
                                                G2_SHARE);
        double at[2];
        for (unsigned k = 0; k < 2; k++) /* k 0: no extra grinding (the figure before) */
            at[k] = -log2(pow(2.0, -zkr_ginf2_conv_soundness_at(p, &c.f.c, c.f.xc.blind_vars,
                                                                c.f.wc.blind_vars,
                                                                c.yc2.blind_vars, k * gc)) +
                          pow(2.0, -zkr_ginf2_rq_soundness_at(p, &c.rq, c.vrc.blind_vars,
                                                              c.yc2.blind_vars, k * gr)) +
                          pow(2.0, -zkr_ginf2_pool_soundness_at(p, &c.pl, c.vpc.blind_vars,
                                                                c.vrc.blind_vars, k * gp)));
        zkr_tap_ok(&t, at[1] >= (double)p->target_bits && at[1] < (double)p->target_bits + 2.0,
                   "chain soundness %.2f bits (union; extra grinding conv %u, requant %u, "
                   "maxpool %u; %.2f without)", at[1], gc, gr, gp, at[0]);
    }
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    for (int k = 0; k < 2; k++) {
        chain *cc = k ? &c2 : &c;
        zkr_hpcs_poly_free(cc->yp2), zkr_hpcs_poly_free(cc->vrp), zkr_hpcs_poly_free(cc->vpp);
        free(cc->vr), free(cc->vp);
        g2fx_free(&cc->f);
    }
    return zkr_tap_done(&t);
}
