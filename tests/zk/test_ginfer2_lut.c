/*
 * zk-ginfer2-lut: graph-inference@2's zero-knowledge LOOKUP (zk/ginfer2_lut.h)
 * over LeakyRelu, Sigmoid and an arbitrary table, on a plain int8 input
 * and a chained one (block 1 of a byte witness, in_off -128): honest proofs
 * verify, V's slot 0 is T[X + 128] + 128 on every real element, a seeded
 * generator gives byte-identical proofs; bit flips, truncation, another
 * table, another input block or offset, another V or X are refused; the
 * relation's soundness (computed) reaches the parameter set's target.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_lut_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 lut test", NULL, 0);
}

/* Commits and proves r with a generator keyed by tag. */
static zkr_err prove(g2lt *r, uint8_t tag, zkr_buf *out)
{
    zkr_ginf2_lopts o = {1, 0, 0, 0, 1};
    zkr_zkrng g;
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2lt_commit(r, &g)) != ZKR_OK)
        return e;
    return g2lt_prove(r, &o, &g, out);
}

/* V's slot 0 against T applied to the input directly. */
static int native_ok(const g2lt *r)
{
    for (uint32_t c = 0; c < G2LT_C; c++)
        for (uint32_t y = 0; y < G2LT_H; y++)
            for (uint32_t x = 0; x < G2LT_W; x++) {
                size_t p = ((size_t)c << (r->q.lh + r->q.lw)) | ((size_t)y << r->q.lw) | x;
                int8_t xv = r->x[(c * G2LT_H + y) * G2LT_W + x];
                if ((int64_t)r->vt[p] - 128 != r->t[xv + 128])
                    return 0;
            }
    return 1;
}

static void rejects(zkr_tap *t, g2lt *r, const zkr_buf *pf, const char *name)
{
    zkr_ginf2_lut q2 = r->q;
    int flips = 1;

    for (size_t k = 0; k < 12; k++) {
        size_t pos = (k * 7919u + 13u) % pf->len;
        pf->p[pos] ^= 0x10;
        flips &= g2lt_verify(r, NULL, NULL, NULL, 0, pf->p, pf->len) != ZKR_OK;
        pf->p[pos] ^= 0x10;
    }
    zkr_tap_ok(t, flips, "%s: 12 bit flips refused", name);
    zkr_tap_ok(t, g2lt_verify(r, NULL, NULL, NULL, 0, pf->p, pf->len - 1) != ZKR_OK,
               "%s: truncated refused", name);
    q2.t[7] = (int8_t)(q2.t[7] == 127 ? 126 : q2.t[7] + 1);
    zkr_tap_ok(t, g2lt_verify(r, &q2, NULL, NULL, 0, pf->p, pf->len) != ZKR_OK,
               "%s: another table refused", name);
    q2 = r->q;
    if (q2.isl) {
        q2.block = 2;
        zkr_tap_ok(t, g2lt_verify(r, &q2, NULL, NULL, 0, pf->p, pf->len) != ZKR_OK,
                   "%s: another input block refused", name);
        q2 = r->q;
    }
    q2.in_off = r->q.in_off == 0 ? -1 : r->q.in_off + 1;
    zkr_tap_ok(t, g2lt_verify(r, &q2, NULL, NULL, 0, pf->p, pf->len) != ZKR_OK,
               "%s: another input offset refused", name);
}

int main(int argc, char **argv)
{
    static const struct {
        unsigned kind;
        int chained;
        const char *name;
    } cs[] = {{G2LT_LEAKY, 0, "leakyrelu plain"},
              {G2LT_SIGMOID, 1, "sigmoid chained"},
              {G2LT_ARB, 1, "arbitrary chained"},
              {G2LT_ARB, 0, "arbitrary plain"}};
    zkr_tap t;
    g2lt other;
    int have_other = 0;

    zkr_tap_init(&t, argc, argv);
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        g2lt r;
        zkr_buf pf = {0}, pf2 = {0};
        zkr_err e = g2lt_init(&r, cs[i].kind, cs[i].chained, 5 + i);
        if (e != ZKR_OK) {
            zkr_tap_ok(&t, 0, "%s: fixture (%d)", cs[i].name, (int)e);
            g2lt_free(&r);
            continue;
        }
        zkr_tap_ok(&t, native_ok(&r), "%s: V's slot 0 is T[X + 128] + 128", cs[i].name);
        e = prove(&r, (uint8_t)(20 + i), &pf);
        zkr_tap_ok(&t, e == ZKR_OK, "%s: proves (%d)", cs[i].name, (int)e);
        if (e == ZKR_OK) {
            e = g2lt_verify(&r, NULL, NULL, NULL, 0, pf.p, pf.len);
            zkr_tap_ok(&t, e == ZKR_OK, "%s: verifies (%d; %zu bytes, %.2f bits)", cs[i].name,
                       (int)e, pf.len,
                       zkr_ginf2_lut_soundness_bits(&r.p, &r.q, r.vc.blind_vars, r.xc.blind_vars));
            zkr_tap_diag("%s: %u extra grinding bits, %.2f bits without them\n", cs[i].name,
                         zkr_ginf2_lut_grind_bits(&r.p, &r.q, r.vc.blind_vars, r.xc.blind_vars, 1),
                         zkr_ginf2_lut_soundness_at(&r.p, &r.q, r.vc.blind_vars, r.xc.blind_vars, 0));
            zkr_tap_ok(&t, zkr_ginf2_lut_soundness_bits(&r.p, &r.q, r.vc.blind_vars,
                                                        r.xc.blind_vars) >= r.p.target_bits,
                       "%s: soundness reaches the target", cs[i].name);
            rejects(&t, &r, &pf, cs[i].name);
            if (i == 0) {
                e = prove(&r, 20, &pf2);
                zkr_tap_ok(&t, e == ZKR_OK && pf2.len == pf.len &&
                                   memcmp(pf2.p, pf.p, pf.len) == 0,
                           "%s: same seed, byte-identical proof", cs[i].name);
            }
            if (have_other && other.q.lp == r.q.lp && other.q.isl == r.q.isl) {
                zkr_tap_ok(&t, g2lt_verify(&r, NULL, NULL, &other.vc, 0, pf.p, pf.len) != ZKR_OK,
                           "%s: another V refused", cs[i].name);
                zkr_tap_ok(&t, g2lt_verify(&r, NULL, &other.xc, NULL, 0, pf.p, pf.len) != ZKR_OK,
                           "%s: another X refused", cs[i].name);
            }
        }
        zkr_buf_free(&pf), zkr_buf_free(&pf2);
        if (i == 1) {
            other = r; /* the sigmoid chained instance stays for the arbitrary chained one */
            have_other = 1;
        } else {
            g2lt_free(&r);
        }
    }
    if (have_other)
        g2lt_free(&other);
    return zkr_tap_done(&t);
}
