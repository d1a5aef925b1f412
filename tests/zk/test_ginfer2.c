/*
 * zk-ginfer2: graph-inference@2's zero-knowledge convolution relation
 * (zk/ginfer2.h). An honest proof verifies; tampered bytes, a truncated
 * proof, trailing bytes and another statement (a different commitment to
 * Y, W or X) are refused; a seeded generator gives byte-identical proofs
 * and two fresh ones differ; the soundness figure is computed.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 test", NULL, 0);
}

#if !defined(__SANITIZE_ADDRESS__)
typedef struct {
    g2fx *f;
    const zkr_ginf2_popts *o;
    zkr_zkrng *g;
} heap_case;

/* Seed 7's commitments and proof again, for zkr_tap_heap_fills (tap.h). */
static int heap_prove(void *ctx, zkr_buf *out)
{
    heap_case *h = ctx;

    return seeded(h->g, 7) == ZKR_OK && g2fx_commit(h->f, h->g) == ZKR_OK &&
           g2fx_prove(h->f, h->o, h->g, out) == ZKR_OK;
}
#endif

int main(int argc, char **argv)
{
    zkr_tap t;
    g2fx f, f2;
    zkr_zkrng g;
    zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
    zkr_buf pf = {0}, pf2 = {0}, tmp = {0};
    zkr_err e;
    int flips_ok = 1;

    zkr_tap_init(&t, argc, argv);
    if (g2fx_init(&f, 1) != ZKR_OK || g2fx_init(&f2, 2) != ZKR_OK || seeded(&g, 1) != ZKR_OK ||
        g2fx_commit(&f, &g) != ZKR_OK || g2fx_commit(&f2, &g) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    e = g2fx_prove(&f, &o, &g, &pf);
    zkr_tap_ok(&t, e == ZKR_OK, "honest conv proof (%d, %zu bytes)", (int)e, pf.len);
    zkr_tap_ok(&t, g2fx_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len) == ZKR_OK,
               "honest conv proof verifies");
    /* flips spread over the proof: roots, sumcheck, openings, range proofs */
    for (size_t k = 0; k < 24 && pf.len; k++) {
        size_t at = (k * 7919u + 13u) % pf.len;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
        flips_ok &= g2fx_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len) != ZKR_OK;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
    }
    zkr_tap_ok(&t, flips_ok, "24 bit flips are refused");
    zkr_tap_ok(&t, g2fx_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len - 1) != ZKR_OK,
               "a truncated proof is refused");
    if (zkr_buf_append(&tmp, pf.p, pf.len) == ZKR_OK && zkr_buf_append(&tmp, pf.p, 1) == ZKR_OK)
        zkr_tap_ok(&t, g2fx_verify(&f, NULL, NULL, NULL, 0, tmp.p, tmp.len) != ZKR_OK,
                   "a trailing byte is refused");
    zkr_tap_ok(&t, g2fx_verify(&f, NULL, NULL, &f2.yc, 0, pf.p, pf.len) != ZKR_OK,
               "another Y commitment is refused");
    zkr_tap_ok(&t, g2fx_verify(&f, NULL, &f2.wc, NULL, 0, pf.p, pf.len) != ZKR_OK,
               "another W commitment is refused");
    zkr_tap_ok(&t, g2fx_verify(&f, &f2.xc, NULL, NULL, 0, pf.p, pf.len) != ZKR_OK,
               "another X commitment is refused");
    {
        g2fx other = f; /* the same commitments, another statement id */
        other.sid[0] ^= 1;
        zkr_tap_ok(&t, g2fx_verify(&other, NULL, NULL, NULL, 0, pf.p, pf.len) != ZKR_OK,
                   "another statement id is refused");
    }
    zkr_tap_ok(&t, g2fx_prove(&f, &o, &g, &tmp) == ZKR_ERR_USAGE,
               "a second proof over the same commitments is refused (budget spent)");
    /* determinism: same seed, same commitments and proof bytes */
    {
        int same = 0, differ = 0;
        zkr_buf a = {0}, b = {0};
        if (seeded(&g, 7) == ZKR_OK && g2fx_commit(&f, &g) == ZKR_OK &&
            g2fx_prove(&f, &o, &g, &a) == ZKR_OK && seeded(&g, 7) == ZKR_OK &&
            g2fx_commit(&f, &g) == ZKR_OK && g2fx_prove(&f, &o, &g, &b) == ZKR_OK)
            same = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
        zkr_tap_ok(&t, same, "same seed: byte-identical proofs");
#if !defined(__SANITIZE_ADDRESS__)
        {
            heap_case h = {&f, &o, &g};
            zkr_tap_heap_fills(&t, heap_prove, &h, &a);
        }
#endif
        zkr_zkrng_os(&g);
        b.len = 0;
        if (g2fx_commit(&f, &g) == ZKR_OK && g2fx_prove(&f, &o, &g, &b) == ZKR_OK)
            differ = a.len != b.len || memcmp(a.p, b.p, a.len) != 0;
        zkr_tap_ok(&t, differ && g2fx_verify(&f, NULL, NULL, NULL, 0, b.p, b.len) == ZKR_OK,
                   "fresh randomness: a different proof that verifies");
        zkr_buf_free(&a);
        zkr_buf_free(&b);
    }
    {
        double bits = zkr_ginf2_conv_soundness_bits(&f.p, &f.c, f.xc.blind_vars, f.wc.blind_vars,
                                                    f.yc.blind_vars);
        double before = zkr_ginf2_conv_soundness_at(&f.p, &f.c, f.xc.blind_vars, f.wc.blind_vars,
                                                    f.yc.blind_vars, 0);
        unsigned gx = zkr_ginf2_conv_grind_bits(&f.p, &f.c, f.xc.blind_vars, f.wc.blind_vars,
                                               f.yc.blind_vars, 1);
        zkr_tap_ok(&t, bits >= (double)f.p.target_bits && bits < f.p.target_bits + 1.0 && gx > 0,
                   "conv relation soundness %.2f bits (%u extra grinding bits; %.2f without)",
                   bits, gx, before);
    }
    {
        /* A target the grinding cap cannot reach: refused on both sides, never proven below it. */
        zkr_buf hp = {0}, cp = {0};
        unsigned tb = f.p.target_bits;
        zkr_err pe, ve;
        if (g2fx_commit(&f, &g) != ZKR_OK || g2fx_prove(&f, &o, &g, &hp) != ZKR_OK)
            hp.len = 0;
        f.p.target_bits = tb + ZKR_GINF2_MAX_EXTRA_POW + 8;
        ve = hp.len ? g2fx_verify(&f, NULL, NULL, NULL, 0, hp.p, hp.len) : ZKR_ERR_INTERNAL;
        f.p.target_bits = tb;
        pe = g2fx_commit(&f, &g);
        f.p.target_bits = tb + ZKR_GINF2_MAX_EXTRA_POW + 8;
        pe = pe == ZKR_OK ? g2fx_prove(&f, &o, &g, &cp) : ZKR_ERR_INTERNAL;
        f.p.target_bits = tb;
        zkr_tap_ok(&t, hp.len && pe == ZKR_ERR_UNSUPPORTED && ve == ZKR_ERR_UNSUPPORTED,
                   "a target %u bits over the grinding cap: prove %d, verify %d (UNSUPPORTED)",
                   ZKR_GINF2_MAX_EXTRA_POW + 8, (int)pe, (int)ve);
        zkr_buf_free(&hp);
        zkr_buf_free(&cp);
    }
    /* requantization of the conv fixture's accumulator */
    for (int relu = 0; relu < 2; relu++) {
        g2rq rq, rq2;
        zkr_buf rp = {0};
        int rflips = 1, clamps[3] = {0, 0, 0};
        if (g2rq_init(&rq, &f, relu) != ZKR_OK || g2rq_init(&rq2, &f2, relu) != ZKR_OK ||
            g2rq_commit(&rq, &g) != ZKR_OK || g2rq_commit(&rq2, &g) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "requant fixture");
            break;
        }
        for (size_t i = 0; i < ((size_t)1 << rq.q.lp); i++) {
            size_t mh = ((size_t)rq.q.s_mh << rq.q.lp) | i, ml = ((size_t)rq.q.s_ml << rq.q.lp) | i;
            clamps[rq.vt[mh] ? 0 : rq.vt[ml] ? 1 : 2]++;
        }
        zkr_tap_ok(&t, clamps[0] && clamps[1] && clamps[2],
                   "requant (relu %d): elements clamped high %d, low %d, inside %d", relu,
                   clamps[0], clamps[1], clamps[2]);
        e = g2rq_prove(&rq, &o, &g, &rp);
        zkr_tap_ok(&t, e == ZKR_OK && g2rq_verify(&rq, NULL, NULL, 0, rp.p, rp.len) == ZKR_OK,
                   "requant (relu %d): honest proof verifies (%zu bytes)", relu, rp.len);
        for (size_t k = 0; k < 16 && rp.len; k++) {
            size_t at = (k * 7919u + 5u) % rp.len;
            rp.p[at] ^= (uint8_t)(1u << (k % 8));
            rflips &= g2rq_verify(&rq, NULL, NULL, 0, rp.p, rp.len) != ZKR_OK;
            rp.p[at] ^= (uint8_t)(1u << (k % 8));
        }
        zkr_tap_ok(&t, rflips, "requant (relu %d): 16 bit flips are refused", relu);
        {
            zkr_buf a = {0}, b = {0};
            zkr_zkrng g1;
            int same = 0;
            if (seeded(&g1, 9) == ZKR_OK && g2rq_commit(&rq2, &g1) == ZKR_OK &&
                g2rq_prove(&rq2, &o, &g1, &a) == ZKR_OK && seeded(&g1, 9) == ZKR_OK &&
                g2rq_commit(&rq2, &g1) == ZKR_OK && g2rq_prove(&rq2, &o, &g1, &b) == ZKR_OK)
                same = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
            zkr_tap_ok(&t, same, "requant (relu %d): same seed, byte-identical proofs", relu);
            zkr_zkrng_wipe(&g1);
            zkr_buf_free(&a);
            zkr_buf_free(&b);
            if (g2rq_commit(&rq2, &g) != ZKR_OK) /* fresh commitments for the checks below */
                zkr_tap_ok(&t, 0, "requant recommit");
        }
        zkr_tap_ok(&t, g2rq_verify(&rq, NULL, NULL, 0, rp.p, rp.len - 1) != ZKR_OK &&
                       g2rq_verify(&rq, &rq2.ac, NULL, 0, rp.p, rp.len) != ZKR_OK &&
                       g2rq_verify(&rq, NULL, &rq2.vc, 0, rp.p, rp.len) != ZKR_OK,
                   "requant (relu %d): truncated, another acc, another V: refused", relu);
        if (relu == 0) {
            double bits = zkr_ginf2_rq_soundness_bits(&rq.p, &rq.q, rq.vc.blind_vars,
                                                      rq.ac.blind_vars);
            double before = zkr_ginf2_rq_soundness_at(&rq.p, &rq.q, rq.vc.blind_vars,
                                                      rq.ac.blind_vars, 0);
            unsigned gx = zkr_ginf2_rq_grind_bits(&rq.p, &rq.q, rq.vc.blind_vars,
                                                 rq.ac.blind_vars, 1);
            zkr_tap_ok(&t, bits >= (double)rq.p.target_bits && bits < rq.p.target_bits + 1.0,
                       "requant soundness %.2f bits (%u extra grinding bits; %.2f without)", bits,
                       gx, before);
        }
        zkr_buf_free(&rp);
        g2rq_free(&rq);
        g2rq_free(&rq2);
    }
    /* max pooling: 2x2 stride 2 (no padding), 3x3 stride 2 padding 1 */
    for (int k = 0; k < 2; k++) {
        g2pl pl, pl2;
        zkr_buf pp = {0};
        zkr_ginf2_popts po = {1, 0, 0, 0, 1, 0};
        int pflips = 1;
        if (g2pl_init(&pl, &f, k ? 3 : 2, 2, k ? 1 : 0, 5) != ZKR_OK ||
            g2pl_init(&pl2, &f, k ? 3 : 2, 2, k ? 1 : 0, 6) != ZKR_OK ||
            g2pl_commit(&pl, &g) != ZKR_OK || g2pl_commit(&pl2, &g) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "pool fixture");
            break;
        }
        e = g2pl_prove(&pl, &po, &g, &pp);
        zkr_tap_ok(&t, e == ZKR_OK && g2pl_verify(&pl, NULL, NULL, 0, pp.p, pp.len) == ZKR_OK,
                   "maxpool %s: honest proof verifies (%d, %zu bytes)",
                   k ? "3x3/2 pad 1" : "2x2/2", (int)e, pp.len);
        for (size_t i = 0; i < 16 && pp.len; i++) {
            size_t at = (i * 7919u + 3u) % pp.len;
            pp.p[at] ^= (uint8_t)(1u << (i % 8));
            pflips &= g2pl_verify(&pl, NULL, NULL, 0, pp.p, pp.len) != ZKR_OK;
            pp.p[at] ^= (uint8_t)(1u << (i % 8));
        }
        zkr_tap_ok(&t, pflips && g2pl_verify(&pl, NULL, NULL, 0, pp.p, pp.len - 1) != ZKR_OK &&
                       g2pl_verify(&pl, &pl2.xc, NULL, 0, pp.p, pp.len) != ZKR_OK &&
                       g2pl_verify(&pl, NULL, &pl2.vc, 0, pp.p, pp.len) != ZKR_OK,
                   "maxpool: bit flips, truncation, another X, another V: refused");
        if (k == 0) {
            double bits = zkr_ginf2_pool_soundness_bits(&pl.p, &pl.q, pl.vc.blind_vars,
                                                        pl.xc.blind_vars);
            double before = zkr_ginf2_pool_soundness_at(&pl.p, &pl.q, pl.vc.blind_vars,
                                                        pl.xc.blind_vars, 0);
            unsigned gx = zkr_ginf2_pool_grind_bits(&pl.p, &pl.q, pl.vc.blind_vars,
                                                   pl.xc.blind_vars, 1);
            zkr_tap_ok(&t, bits >= (double)pl.p.target_bits && bits < pl.p.target_bits + 1.0,
                       "maxpool soundness %.2f bits (%u extra grinding bits; %.2f without)", bits,
                       gx, before);
        }
        zkr_buf_free(&pp);
        g2pl_free(&pl);
        g2pl_free(&pl2);
    }
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
    zkr_buf_free(&tmp);
    g2fx_free(&f);
    g2fx_free(&f2);
    return zkr_tap_done(&t);
}
