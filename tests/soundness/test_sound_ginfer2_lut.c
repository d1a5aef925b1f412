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
 * Adversary review (the same teeth):
 *  xc-wrap: X's entry + 256, Xc + 256 and Yb - 1 (or - 256 and + 1): RA
 *    and RB true mod p and over the integers, Z = zv[xc] unchanged and on
 *    the table, Yb a byte; only V's byte range proof on Xc refuses;
 *  padding: V's padded Yb and Xc other bytes verify (the rows pin real
 *    elements only, and no reader reads a padded element); a padded Yb of
 *    256 is refused by V's byte range proof (it covers the padding);
 *  duplicate table values: the explicit-table range prover and verifier
 *    both refuse 256 values of which two are equal (USAGE; a LogUp against
 *    a repeated value would still be sound, the contract says distinct).
 */
#include <stdint.h>

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

static zkr_err dup_eval(const void *ctx, const zkr_ext *pt, zkr_ext *out)
{
    (void)ctx, (void)pt;
    *out = zkr_ext_from(0);
    return ZKR_OK;
}

/* Two equal values in an explicit table: the prover and the verifier refuse (USAGE). */
static void dup_table(zkr_tap *t, g2lt *r)
{
    int64_t zv[256];
    zkr_ext wv[1] = {{{0}}};
    zkr_zkrange_lin lin = {{{0}}, wv, NULL, NULL}, vlin = {{{0}}, NULL, dup_eval, NULL};
    zkr_zkrange_link link = {NULL, wv, NULL, NULL, NULL, 0, 0};
    zkr_zkrange_link vlink = {NULL, NULL, NULL, dup_eval, NULL, 0, 0};
    zkr_transcript ts;
    zkr_buf pf = {0};
    zkr_zkrng g;
    zkr_dec d;
    zkr_err e;

    zkr_ginf2_lut_zv(&r->q, zv);
    zv[200] = zv[3];
    if ((e = seeded(&g, 14)) == ZKR_OK && (e = g2lt_commit(r, &g)) == ZKR_OK) {
        link.b_poly = r->xp, vlink.b = &r->xc;
        g2lt_transcript(r, &r->xc, &r->vc, &ts);
        e = zkr_prover_zkrange_link_vals(&r->p, &ts, r->vp, zv, &lin, &link, NULL, &g, 1, &pf);
        zkr_tap_ok(t, e == ZKR_ERR_USAGE && pf.len == 0,
                   "dup: prover refuses a repeated value (%d)", (int)e);
        g2lt_transcript(r, &r->xc, &r->vc, &ts);
        zkr_dec_init(&d, pf.p, 0);
        e = zkr_zkrange_verify_link_vals(&r->p, &ts, &r->vc, zv, &vlin, &vlink, &d);
        zkr_tap_ok(t, e == ZKR_ERR_USAGE, "dup: verifier refuses a repeated value (%d)", (int)e);
        /* distinct integers, one field element: INT64_MAX and INT64_MAX - p */
        zkr_ginf2_lut_zv(&r->q, zv);
        zv[200] = INT64_MAX;
        zv[3] = INT64_MAX - (int64_t)(ZKR_GL_P >> 1) - (int64_t)(ZKR_GL_P >> 1) - 1;
        g2lt_transcript(r, &r->xc, &r->vc, &ts);
        e = zkr_prover_zkrange_link_vals(&r->p, &ts, r->vp, zv, &lin, &link, NULL, &g, 1, &pf);
        zkr_tap_ok(t, e == ZKR_ERR_USAGE && pf.len == 0,
                   "dup: prover refuses a value beyond (p-1)/2 (%d)", (int)e);
        g2lt_transcript(r, &r->xc, &r->vc, &ts);
        zkr_dec_init(&d, pf.p, 0);
        e = zkr_zkrange_verify_link_vals(&r->p, &ts, &r->vc, zv, &vlin, &vlink, &d);
        zkr_tap_ok(t, e == ZKR_ERR_USAGE, "dup: verifier refuses v and v - p (%d)", (int)e);
    } else {
        zkr_tap_ok(t, 0, "dup: fixture (%d)", (int)e);
    }
    zkr_buf_free(&pf);
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
    /* xc-wrap: X + 256, Xc + 256, Yb - 1 (Z = Xc + 256 Yb = zv[xc] unchanged) */
    {
        size_t xi = ((size_t)r.q.block << r.q.lp) + p0(&r);
        zkr_gl ky = r.vt[p0(&r)], kc = r.vt[np + p0(&r)], kx = r.xt[xi];
        zkr_gl d = ky > 0 ? 256 : ZKR_GL_P - 256, dy = ky > 0 ? ZKR_GL_P - 1 : 1;
        r.xt[xi] = zkr_gl_add(kx, d), r.vt[np + p0(&r)] = zkr_gl_add(kc, d);
        r.vt[p0(&r)] = zkr_gl_add(ky, dy);
        e = run(&r, &off, ZKR_GINF2_OFF_RANGE, 9);
        zkr_tap_ok(&t, e == ZKR_OK,
                   "xc-wrap: Xc = %llu verifies with the range proofs off (teeth; %d)",
                   (unsigned long long)r.vt[np + p0(&r)], (int)e);
        e = run(&r, &on, 0, 10);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                   "xc-wrap: Xc off the bytes, Z on the table, refused (%d)", (int)e);
        r.xt[xi] = kx, r.vt[np + p0(&r)] = kc, r.vt[p0(&r)] = ky;
    }
    /* padding: element (c 0, y 0, x 6) is padded (w 6) */
    {
        size_t pp = 6;
        zkr_gl ky = r.vt[pp], kc = r.vt[np + pp];
        r.vt[pp] = 77, r.vt[np + pp] = 5;
        e = run(&r, &hon, 0, 11);
        zkr_tap_ok(&t, !zkr_ginf2_lut_real(&r.q, pp) && e == ZKR_OK,
                   "padding: other bytes at a padded element verify (%d)", (int)e);
        r.vt[pp] = 256;
        e = run(&r, &off, ZKR_GINF2_OFF_RANGE, 12);
        zkr_tap_ok(&t, e == ZKR_OK,
                   "padding: padded Yb 256 verifies with the range proofs off (teeth; %d)", (int)e);
        e = run(&r, &on, 0, 13);
        zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "padding: padded Yb 256 refused (%d)", (int)e);
        r.vt[pp] = ky, r.vt[np + pp] = kc;
    }
    dup_table(&t, &r);
    /* mult: m^ + 1 with g(r) refitted */
    e = run(&r, &mult, 0, 7);
    zkr_tap_ok(&t, e == ZKR_ERR_VERIFY, "multiplicity value off its commitment is refused (%d)",
               (int)e);
    e = run(&r, &hon, 0, 8);
    zkr_tap_ok(&t, e == ZKR_OK, "restored witness verifies (%d)", (int)e);
    g2lt_free(&r);
    return zkr_tap_done(&t);
}
