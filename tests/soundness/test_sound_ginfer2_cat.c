/*
 * Soundness attacks on graph-inference@2's CONCAT (docs/soundness.md,
 * "graph-inference@2", "CONCAT") on tests/zk/ginfer2_cat_fx.h's instance
 * (X_0 3 channels, X_1 2 channels, V 5 x 4 x 4), the tests' reduced set.
 * Each cheating prover commits a V that is not the concatenation (every
 * entry still a byte) and proves with the honest code path; each is
 * refused by input j's link (V = X_j + in_off_j + 128 on its region at a
 * random z_j), and accepted with the links off on both sides
 * (ZKR_GINF2_OFF_LINK: V's range proofs alone; the teeth):
 *   a channel taken from the wrong input: V's channel 3 (X_1's channel 0)
 *     holds X_0's channel 0;
 *   one channel early: X_1's block written from channel 2 (X_0's last);
 *   output channels transposed: V's channels 0 and 3 swapped.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_cat_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 cat soundness", NULL, 0);
}

static zkr_err run(g2kfx *f, unsigned off, uint8_t tag)
{
    zkr_zkrng g;
    zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND | off, 0, 0, 1, 0};
    zkr_buf pf = {0};
    zkr_err r;

    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2kfx_commit(f, &g)) != ZKR_OK ||
        (r = g2kfx_prove(f, &o, &g, &pf)) != ZKR_OK)
        goto out;
    r = g2kfx_verify(f, NULL, NULL, NULL, ZKR_GINF2_OFF_GRIND | off, pf.p, pf.len);
out:
    zkr_buf_free(&pf);
    return r;
}

/* V's channel c as a 16-entry block (lh = lw = 2). */
static zkr_gl *chan(g2kfx *f, uint32_t c)
{
    return f->vt + ((size_t)c << (f->q.lh + f->q.lw));
}

static void attack(zkr_tap *t, g2kfx *f, const zkr_gl *honest, size_t n, int kind,
                   const char *name, uint8_t tag)
{
    size_t blk = (size_t)1 << (f->q.lh + f->q.lw);
    zkr_gl save[16];

    memcpy(f->vt, honest, n * sizeof *honest);
    if (kind == 0) {
        memcpy(chan(f, 3), chan(f, 0), blk * sizeof *f->vt);
    } else if (kind == 1) {
        memmove(chan(f, 2), chan(f, 3), 2 * blk * sizeof *f->vt);
    } else {
        memcpy(save, chan(f, 0), blk * sizeof *f->vt);
        memcpy(chan(f, 0), chan(f, 3), blk * sizeof *f->vt);
        memcpy(chan(f, 3), save, blk * sizeof *f->vt);
    }
    zkr_tap_ok(t, memcmp(f->vt, honest, n * sizeof *honest) != 0 &&
                      run(f, ZKR_GINF2_OFF_LINK, tag) == ZKR_OK,
               "%s: accepted with the links off (teeth)", name);
    zkr_tap_ok(t, run(f, 0, (uint8_t)(tag + 1)) == ZKR_ERR_VERIFY, "%s: refused by the link",
               name);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2kfx f;
    zkr_gl *honest;
    size_t n;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD || g2kfx_init(&f, 5) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture (a test build)"), zkr_tap_done(&t);
    g2kfx_reduce(&f);
    n = (size_t)1 << zkr_ginf2_cat_v_vars(&f.q);
    if (!(honest = malloc(n * sizeof *honest)))
        return zkr_tap_ok(&t, 0, "memory"), zkr_tap_done(&t);
    memcpy(honest, f.vt, n * sizeof *honest);
    zkr_tap_ok(&t, run(&f, 0, 1) == ZKR_OK, "honest CONCAT proof verifies");
    attack(&t, &f, honest, n, 0, "a channel taken from the wrong input", 10);
    attack(&t, &f, honest, n, 1, "one channel early", 20);
    attack(&t, &f, honest, n, 2, "output channels transposed", 30);
    free(honest);
    g2kfx_free(&f);
    return zkr_tap_done(&t);
}
