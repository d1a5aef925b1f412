/*
 * zk-ginfer2-cat: graph-inference@2's zero-knowledge CONCAT on channels
 * (zk/ginfer2.h, zkr_ginf2_cat) on tests/zk/ginfer2_cat_fx.h's instance
 * (a plain int8 input and a block of a slotted byte table). On the tests'
 * reduced set: an honest proof verifies, bit flips, a truncation, a
 * trailing byte, other commitments (either input's, V's) and a swapped
 * input order are refused, the same seed gives byte-identical proofs; at
 * the production set one proof verifies and the figure is >= the target;
 * init refuses 1 and 5 inputs.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_cat_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 cat test", NULL, 0);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2kfx f, f2;
    zkr_zkrng g;
    zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0}, op = {1, 0, 0, 0, 1, 0};
    zkr_buf pf = {0}, tmp = {0}, a = {0};
    const unsigned off = ZKR_GINF2_OFF_GRIND;
    int flips = 1, same = 0;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (g2kfx_init(&f, 1) != ZKR_OK || g2kfx_init(&f2, 2) != ZKR_OK || seeded(&g, 1) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    g2kfx_reduce(&f), g2kfx_reduce(&f2);
    if (g2kfx_commit(&f, &g) != ZKR_OK || g2kfx_commit(&f2, &g) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "commitments"), zkr_tap_done(&t);
    e = g2kfx_prove(&f, &o, &g, &pf);
    zkr_tap_ok(&t, e == ZKR_OK && g2kfx_verify(&f, NULL, NULL, NULL, off, pf.p, pf.len) == ZKR_OK,
               "honest CONCAT proof verifies (%d, %zu bytes)", (int)e, pf.len);
    for (size_t k = 0; k < 24 && pf.len; k++) {
        size_t at = (k * 7919u + 13u) % pf.len;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
        flips &= g2kfx_verify(&f, NULL, NULL, NULL, off, pf.p, pf.len) != ZKR_OK;
        pf.p[at] ^= (uint8_t)(1u << (k % 8));
    }
    zkr_tap_ok(&t, flips, "24 bit flips are refused");
    zkr_tap_ok(&t, g2kfx_verify(&f, NULL, NULL, NULL, off, pf.p, pf.len - 1) != ZKR_OK,
               "a truncated proof is refused");
    if (zkr_buf_append(&tmp, pf.p, pf.len) == ZKR_OK && zkr_buf_append(&tmp, pf.p, 1) == ZKR_OK)
        zkr_tap_ok(&t, g2kfx_verify(&f, NULL, NULL, NULL, off, tmp.p, tmp.len) != ZKR_OK,
                   "a trailing byte is refused");
    zkr_tap_ok(&t, g2kfx_verify(&f, &f2.xc[0], NULL, NULL, off, pf.p, pf.len) != ZKR_OK &&
                       g2kfx_verify(&f, NULL, &f2.xc[1], NULL, off, pf.p, pf.len) != ZKR_OK &&
                       g2kfx_verify(&f, NULL, NULL, &f2.vc, off, pf.p, pf.len) != ZKR_OK,
               "another commitment of X_0, X_1 or V is refused");
    {
        g2kfx sw = f; /* the inputs' order swapped in the statement (shapes differ: USAGE) */
        zkr_tap_ok(&t, g2kfx_verify(&sw, &f.xc[1], &f.xc[0], NULL, off, pf.p, pf.len) != ZKR_OK,
                   "the inputs swapped are refused");
    }
    zkr_tap_ok(&t, g2kfx_prove(&f, &o, &g, &tmp) == ZKR_ERR_USAGE,
               "a second proof over the same commitments is refused (budget spent)");
    if (seeded(&g, 9) == ZKR_OK && g2kfx_commit(&f, &g) == ZKR_OK &&
        g2kfx_prove(&f, &o, &g, &a) == ZKR_OK && seeded(&g, 9) == ZKR_OK &&
        g2kfx_commit(&f, &g) == ZKR_OK && (tmp.len = 0, g2kfx_prove(&f, &o, &g, &tmp)) == ZKR_OK)
        same = a.len == tmp.len && memcmp(a.p, tmp.p, a.len) == 0;
    zkr_tap_ok(&t, same, "same seed: byte-identical proofs");
    g2kfx_free(&f), g2kfx_free(&f2);
    /* production parameters */
    pf.len = 0;
    if (g2kfx_init(&f, 3) == ZKR_OK && seeded(&g, 3) == ZKR_OK && g2kfx_commit(&f, &g) == ZKR_OK) {
        unsigned xe[2] = {f.xc[0].blind_vars, f.xc[1].blind_vars};
        double bits = zkr_ginf2_cat_soundness_bits(&f.p, &f.q, f.vc.blind_vars, xe);
        zkr_tap_ok(&t, bits >= (double)f.p.target_bits,
                   "CONCAT soundness %.2f bits >= %u (%u extra)", bits, f.p.target_bits,
                   zkr_ginf2_cat_grind_bits(&f.p, &f.q, f.vc.blind_vars, xe, 1));
        e = g2kfx_prove(&f, &op, &g, &pf);
        zkr_tap_ok(&t, e == ZKR_OK && g2kfx_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len) == ZKR_OK,
                   "production parameters: verifies (%d, %zu bytes)", (int)e, pf.len);
    } else {
        zkr_tap_ok(&t, 0, "production fixture");
    }
    g2kfx_free(&f);
    {
        zkr_ginf2_cat q;
        const uint32_t c[5] = {1, 1, 1, 1, 1};
        const zkr_ginf2_cin in[5] = {{0, 0, 0, -128, 0}, {0, 0, 0, -128, 0}, {0, 0, 0, -128, 0},
                                     {0, 0, 0, -128, 0}, {0, 0, 0, -128, 0}};
        zkr_tap_ok(&t, zkr_ginf2_cat_init(&q, 1, c, in, 4, 4) == ZKR_ERR_MALFORMED &&
                           zkr_ginf2_cat_init(&q, 5, c, in, 4, 4) == ZKR_ERR_MALFORMED &&
                           zkr_ginf2_cat_init(&q, 4, c, in, 4, 4) == ZKR_OK,
                   "CONCAT of 1 or 5 inputs is refused, of 4 accepted");
    }
    zkr_buf_free(&pf), zkr_buf_free(&tmp), zkr_buf_free(&a);
    return zkr_tap_done(&t);
}
