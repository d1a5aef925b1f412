/*
 * zk-ginfer2-avg: graph-inference@2's zero-knowledge average pooling
 * (zk/ginfer2_avg.h) over four windows: 2x2 stride 2, 3x3 stride 1 pad 1
 * (padded positions count in k), global average pooling over 7x7 and 8x8.
 * The witness's output equals a direct computation of floor((sum +
 * floor(k/2)) / k); an honest proof verifies; the same seeds give
 * byte-identical proofs; bit flips, a truncation, a trailing byte, another
 * X and another V are refused; the soundness figure reaches the target.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_avg_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 avg test", NULL, 0);
}

/* The witness's Yb - 128 against the direct computation, on every real output. */
static int output_ok(const g2av *r)
{
    const zkr_cnn_win *g = &r->q.g;

    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                if ((int64_t)r->vt[((size_t)ZKR_G2A_YB << r->q.lp) | p] - 128 !=
                    g2av_direct(r, c, oy, ox))
                    return 0;
            }
    return 1;
}

static zkr_err commit_prove(g2av *r, uint8_t tag, zkr_buf *pf)
{
    zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
    zkr_zkrng g;
    zkr_err e;

    pf->len = 0;
    if ((e = seeded(&g, tag)) == ZKR_OK && (e = g2av_commit(r, &g)) == ZKR_OK)
        e = g2av_prove(r, &o, &g, pf);
    zkr_zkrng_wipe(&g);
    return e;
}

int main(int argc, char **argv)
{
    static const struct {
        uint32_t c, h, k, st, pad;
        const char *name;
    } win[4] = {{2, 6, 2, 2, 0, "2x2/2"},
                {2, 6, 3, 1, 1, "3x3/1 pad 1"},
                {3, 7, 7, 1, 0, "GAP 7x7"},
                {2, 8, 8, 1, 0, "GAP 8x8"}};
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    for (unsigned w = 0; w < 4; w++) {
        g2av a, b;
        zkr_buf pf = {0}, pf2 = {0};
        zkr_err e;
        int flips = 1;
        if (g2av_init(&a, win[w].c, win[w].h, win[w].k, win[w].st, win[w].pad, 1 + w) != ZKR_OK ||
            g2av_init(&b, win[w].c, win[w].h, win[w].k, win[w].st, win[w].pad, 11 + w) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "avgpool %s: fixture", win[w].name);
            continue;
        }
        zkr_tap_ok(&t, output_ok(&a) && output_ok(&b),
                   "avgpool %s: the witness's output is floor((sum + floor(k/2)) / k) (k %u)",
                   win[w].name, a.q.k);
        e = commit_prove(&a, (uint8_t)(3 + w), &pf);
        zkr_tap_ok(&t, e == ZKR_OK && g2av_verify(&a, NULL, NULL, 0, pf.p, pf.len) == ZKR_OK,
                   "avgpool %s: honest proof verifies (%d, %zu bytes)", win[w].name, (int)e,
                   pf.len);
        e = commit_prove(&a, (uint8_t)(3 + w), &pf2);
        zkr_tap_ok(&t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
                   "avgpool %s: the same seeds give byte-identical proofs", win[w].name);
        for (size_t i = 0; i < 16 && pf.len; i++) {
            size_t at = (i * 7919u + 5u) % pf.len;
            pf.p[at] ^= (uint8_t)(1u << (i % 8));
            flips &= g2av_verify(&a, NULL, NULL, 0, pf.p, pf.len) != ZKR_OK;
            pf.p[at] ^= (uint8_t)(1u << (i % 8));
        }
        {
            zkr_zkrng g;
            int ok = seeded(&g, (uint8_t)(40 + w)) == ZKR_OK && g2av_commit(&b, &g) == ZKR_OK;
            uint8_t *big = malloc(pf.len + 1);
            zkr_zkrng_wipe(&g);
            if (big)
                memcpy(big, pf.p, pf.len), big[pf.len] = 0;
            zkr_tap_ok(&t, ok && big && flips &&
                               g2av_verify(&a, NULL, NULL, 0, pf.p, pf.len - 1) != ZKR_OK &&
                               g2av_verify(&a, NULL, NULL, 0, big, pf.len + 1) != ZKR_OK &&
                               g2av_verify(&a, &b.xc, NULL, 0, pf.p, pf.len) != ZKR_OK &&
                               g2av_verify(&a, NULL, &b.vc, 0, pf.p, pf.len) != ZKR_OK,
                       "avgpool %s: 16 bit flips, truncation, a trailing byte, another X, "
                       "another V: refused", win[w].name);
            free(big);
        }
        {
            double bits = zkr_ginf2_avg_soundness_bits(&a.p, &a.q, a.vc.blind_vars,
                                                       a.xc.blind_vars);
            double before = zkr_ginf2_avg_soundness_at(&a.p, &a.q, a.vc.blind_vars,
                                                       a.xc.blind_vars, 0);
            unsigned gx = zkr_ginf2_avg_grind_bits(&a.p, &a.q, a.vc.blind_vars,
                                                   a.xc.blind_vars, 1);
            zkr_tap_ok(&t, bits >= (double)a.p.target_bits,
                       "avgpool %s: soundness %.2f bits (%u extra grinding bits; %.2f without; "
                       "V over 2^%u)", win[w].name, bits, gx, before, zkr_ginf2_avg_v_vars(&a.q));
        }
        zkr_buf_free(&pf), zkr_buf_free(&pf2);
        g2av_free(&a), g2av_free(&b);
    }
    return zkr_tap_done(&t);
}
