/*
 * soundness-ginfer2-lut: cheating LOOKUP provers (zk/ginfer2_lut.h,
 * docs/soundness.md "graph-inference@2", "LOOKUP"). Each attack keeps the
 * rows RA and RB true mod p and is refused by a range proof; with
 * ZKR_GINF2_OFF_RANGE (both rows by masked linear sumchecks, no range
 * proof) the same attack is accepted (teeth):
 *  pair: an output Yb + 1 (a byte): Z = Xc + 256 Yb is off the lookup's
 *    table (Z's LogUp against zv refuses);
 *  wrap: Z = zv[j'] of another input j' and Yb = (zv[j'] - Xc) / 256 mod p
 *    (RB holds mod p, Yb is no byte: V's byte range proof refuses);
 *  mult: the honest witness with Z's multiplicity value m^ sent plus 1
 *    and g(r) refitted (the batched opening refuses).
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_lut_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 lut soundness", NULL, 0);
}

/* Commits r, proves with o, verifies with off. */
static zkr_err run(g2lt *r, const zkr_ginf2_lopts *o, unsigned off, uint8_t tag)
{
    zkr_buf pf = {0};
    zkr_zkrng g;
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2lt_commit(r, &g)) != ZKR_OK ||
        (e = g2lt_prove(r, o, &g, &pf)) != ZKR_OK) {
        zkr_buf_free(&pf);
        return e == ZKR_OK ? ZKR_ERR_USAGE : (e == ZKR_ERR_VERIFY ? ZKR_ERR_USAGE : e);
    }
    e = g2lt_verify(r, NULL, NULL, NULL, off, pf.p, pf.len);
    zkr_buf_free(&pf);
    return e;
}

/* The first real element's Yb and Xc. */
static size_t p0(const g2lt *r)
{
    return ((size_t)1 << r->q.lw) + 2; /* c 0, y 1, x 2 */
}

int main(int argc, char **argv)
{
    zkr_ginf2_lopts on = {1, 0, 1, 0, 1}, off = {1, ZKR_GINF2_OFF_RANGE, 1, 0, 1};
    zkr_ginf2_lopts hon = {1, 0, 0, 0, 1}, mult = {1, 0, 0, 4, 1};
    size_t np;
    zkr_tap t;
    g2lt r;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD || g2lt_init(&r, G2LT_SIGMOID, 1, 41) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    np = (size_t)1 << r.q.lp;
    e = run(&r, &hon, 0, 1);
    zkr_tap_ok(&t, e == ZKR_OK, "honest witness verifies (%d)", (int)e);
    e = run(&r, &off, ZKR_GINF2_OFF_RANGE, 2);
    zkr_tap_ok(&t, e == ZKR_OK, "honest witness, range proofs off, verifies (%d)", (int)e);
    /* pair: Yb + 1 */
    {
        zkr_gl keep = r.vt[p0(&r)];
        r.vt[p0(&r)] = (keep + 1) & 255;
        e = run(&r, &off, ZKR_GINF2_OFF_RANGE, 3);
        zkr_tap_ok(&t, e == ZKR_OK, "pair not in the table verifies with the range proofs off (teeth; %d)",
                   (int)e);
        e = run(&r, &on, 0, 4);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "pair not in the table is refused (%d)", (int)e);
        r.vt[p0(&r)] = keep;
    }
    /* wrap: Z = zv[j'], Yb = (zv[j'] - Xc) / 256 mod p */
    {
        zkr_gl keep = r.vt[p0(&r)], xc = r.vt[np + p0(&r)];
        uint32_t j2 = (uint32_t)((xc + 1) & 255);
        int64_t zv[256];
        zkr_gl inv256 = zkr_gl_inv(256);
        zkr_ginf2_lut_zv(&r.q, zv);
        r.vt[p0(&r)] = zkr_gl_mul(zkr_gl_sub((zkr_gl)zv[j2], xc), inv256);
        e = run(&r, &off, ZKR_GINF2_OFF_RANGE, 5);
        zkr_tap_ok(&t, e == ZKR_OK, "wrapped output verifies with the range proofs off (teeth; %d)",
                   (int)e);
        e = run(&r, &on, 0, 6);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "wrapped output (Yb = %llu) is refused (%d)",
                   (unsigned long long)r.vt[p0(&r)], (int)e);
        r.vt[p0(&r)] = keep;
    }
    /* mult: m^ + 1 with g(r) refitted */
    e = run(&r, &mult, 0, 7);
    zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "multiplicity value off its commitment is refused (%d)",
               (int)e);
    e = run(&r, &hon, 0, 8);
    zkr_tap_ok(&t, e == ZKR_OK, "restored witness verifies (%d)", (int)e);
    g2lt_free(&r);
    return zkr_tap_done(&t);
}
