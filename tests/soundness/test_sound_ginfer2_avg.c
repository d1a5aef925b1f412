/*
 * Soundness attacks on graph-inference@2's zero-knowledge average pooling
 * (docs/soundness.md, "graph-inference@2", "Average pooling"). Each cheating
 * prover edits the honest witness V so that both rows hold in the field
 * (A0: sum + floor(k/2) + 128 k = k Yb + r; A1: r + rc = k - 1) with one
 * value off its byte range, false over the integers, and proves it with
 * the honest code path (o->force_range lets the prover carry an off-table
 * entry); the verifier refuses it. The same attack with V's byte range
 * proof switched off on both sides (ZKR_GINF2_OFF_RANGE, test builds only:
 * the rows by plain masked linear sumchecks) verifies: that check is what
 * stops it (the teeth).
 *   remainder below 0: Y + 1, r - k (r0 wraps mod p), rc + k;
 *   remainder >= k:    Y - 1, r + k (bytes), rc - k (rc0 wraps mod p);
 *   wrapped Y:         Yb + 256 (off the byte), r - 256 k (wraps), rc + 256 k.
 * A V that is the honest witness of another X (every value a byte, A0
 * false) is refused with the range proof on or off (no switch: the rows).
 * Grinding: a nonce ground short of the relation's extra bits verifies
 * with ZKR_GINF2_OFF_GRIND only. Windows: 2x2 stride 2 (k 4) and global
 * average pooling over 7x7 (k 49).
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_avg_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 avg soundness", NULL, 0);
}

static zkr_err run_at(g2av *r, const zkr_ginf2_popts *o, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2av_commit(r, &g)) != ZKR_OK ||
        (e = g2av_prove(r, o, &g, &pf)) != ZKR_OK)
        goto out;
    e = g2av_verify(r, NULL, NULL, voff, pf.p, pf.len);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    return e;
}

static zkr_err run(g2av *r, const zkr_ginf2_popts *o, uint8_t tag)
{
    return run_at(r, o, o->off, tag);
}

static zkr_gl fgl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

/* Both rows in the field on every real output (the cheat keeps them: only a range breaks). */
static int rows_hold(const g2av *a)
{
    const zkr_ginf2_avg *q = &a->q;
    const zkr_cnn_win *g = &q->g;
    zkr_gl k = q->k;

    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
        uint32_t ox = (uint32_t)(p & ((1u << g->low) - 1)), oy, c;
        zkr_gl s0 = 0, s1;
        const zkr_gl *v = a->vt;
        if (!zkr_ginf2_avg_real(q, p))
            continue;
        oy = (uint32_t)((p >> g->low) & ((1u << g->loh) - 1)), c = (uint32_t)(p >> (g->low + g->loh));
        for (uint32_t i = 0; i < g->kh; i++)
            for (uint32_t j = 0; j < g->kw; j++) {
                int64_t yy = (int64_t)oy * g->sh + i - g->pt, xx = (int64_t)ox * g->sw + j - g->pl;
                if (yy >= 0 && xx >= 0 && yy < g->h && xx < g->w)
                    s0 = zkr_gl_add(s0, a->xt[((size_t)c << (g->lh + g->lw)) |
                                              ((size_t)yy << g->lw) | (size_t)xx]);
            }
#define AT(slot) v[((size_t)(slot) << q->lp) | p]
        s0 = zkr_gl_add(s0, k / 2 + 128 * k);
        s0 = zkr_gl_sub(s0, zkr_gl_mul(k, AT(ZKR_G2A_YB)));
        s0 = zkr_gl_sub(s0, zkr_gl_add(AT(ZKR_G2A_R0), zkr_gl_mul(256, AT(ZKR_G2A_R1))));
        s1 = zkr_gl_add(zkr_gl_add(AT(ZKR_G2A_R0), zkr_gl_mul(256, AT(ZKR_G2A_R1))),
                        zkr_gl_add(AT(ZKR_G2A_RC0), zkr_gl_mul(256, AT(ZKR_G2A_RC1))));
        s1 = zkr_gl_sub(s1, k - 1);
#undef AT
        if (s0 != 0 || s1 != 0)
            return 0;
    }
    return 1;
}

enum { CHEAT_NEG = 0, CHEAT_BIG = 1, CHEAT_WRAP = 2 };

/* Output 0's slots moved by the attack (dy to Y, r and rc moved to keep both rows in the field). */
static int cheat(g2av *a, int kind)
{
    const zkr_ginf2_avg *q = &a->q;
    int64_t k = q->k, dy = kind == CHEAT_NEG ? 1 : kind == CHEAT_BIG ? -1 : 256;
    int64_t yb, rr, rc;

#define AT(slot) a->vt[((size_t)(slot) << q->lp)]
    yb = (int64_t)AT(ZKR_G2A_YB), rr = (int64_t)(AT(ZKR_G2A_R0) + 256 * AT(ZKR_G2A_R1));
    rc = (int64_t)(AT(ZKR_G2A_RC0) + 256 * AT(ZKR_G2A_RC1));
    if (yb + dy < 0 || (kind != CHEAT_WRAP && yb + dy > 255))
        return 0;
    yb += dy, rr -= dy * k, rc += dy * k;
    AT(ZKR_G2A_YB) = (zkr_gl)yb;
    /* a value in 0..2^16 stays in two byte limbs; a negative one wraps in the low limb */
    AT(ZKR_G2A_R0) = rr < 0 ? fgl(rr) : (zkr_gl)(rr & 255), AT(ZKR_G2A_R1) = rr < 0 ? 0 : (zkr_gl)(rr >> 8);
    AT(ZKR_G2A_RC0) = rc < 0 ? fgl(rc) : (zkr_gl)(rc & 255), AT(ZKR_G2A_RC1) = rc < 0 ? 0 : (zkr_gl)(rc >> 8);
#undef AT
    return rows_hold(a);
}

static const char *const cheat_name[3] = {"remainder below 0 (Y + 1, r - k)",
                                          "remainder >= k (Y - 1, r + k)",
                                          "wrapped Y (Yb + 256, r - 256 k)"};

static void attacks(zkr_tap *t, uint32_t c, uint32_t h, uint32_t k, uint32_t st, const char *nm,
                    uint8_t tag)
{
    zkr_ginf2_popts on = {1, 0, 1, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
    zkr_err e;

    for (int kind = 0; kind < 3; kind++) {
        g2av a;
        if (g2av_init(&a, c, h, k, st, 0, tag) != ZKR_OK) {
            zkr_tap_ok(t, 0, "avgpool %s: fixture", nm);
            g2av_free(&a);
            return;
        }
        zkr_tap_ok(t, rows_hold(&a) && cheat(&a, kind),
                   "avgpool %s, %s: both rows hold mod p", nm, cheat_name[kind]);
        e = run(&a, &off, (uint8_t)(tag + 10 * kind));
        zkr_tap_ok(t, e == ZKR_OK, "avgpool %s, %s: verifies with the range proof off (teeth; %d)",
                   nm, cheat_name[kind], (int)e);
        e = run(&a, &on, (uint8_t)(tag + 10 * kind + 1));
        zkr_tap_ok(t, e == ZKR_ERR_VERIFY,
                   "avgpool %s, %s: refused by V's byte range proof (%d)", nm, cheat_name[kind],
                   (int)e);
        g2av_free(&a);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD)
        return zkr_tap_ok(&t, 0, "a test build (the checks' switches)"), zkr_tap_done(&t);
    attacks(&t, 2, 6, 2, 2, "2x2/2", 1);
    attacks(&t, 3, 7, 7, 1, "GAP 7x7", 2);
    {
        g2av a, b;
        zkr_ginf2_popts on = {1, 0, 0, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
        zkr_ginf2_popts sh = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0};
        if (g2av_init(&a, 2, 6, 3, 1, 1, 5) != ZKR_OK || g2av_init(&b, 2, 6, 3, 1, 1, 6) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "avgpool 3x3/1 pad 1: fixture");
        } else {
            e = run(&a, &off, 60);
            zkr_tap_ok(&t, e == ZKR_OK, "avgpool 3x3/1 pad 1: honest, range off, verifies (%d)",
                       (int)e);
            e = run_at(&a, &sh, ZKR_GINF2_OFF_GRIND, 61);
            zkr_tap_ok(&t, e == ZKR_OK,
                       "avgpool: too little grinding verifies with the check off (teeth; %d)",
                       (int)e);
            e = run_at(&a, &sh, 0, 61);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "avgpool: a nonce ground short of its extra bits is refused (%d)", (int)e);
            memcpy(a.vt, b.vt, ((size_t)1 << zkr_ginf2_avg_v_vars(&a.q)) * sizeof *a.vt);
            zkr_tap_ok(&t, !rows_hold(&a), "avgpool: another X's witness (bytes, row A0 false)");
            e = run(&a, &on, 62);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "avgpool: another X's witness refused with the range proof on (%d)",
                       (int)e);
            e = run(&a, &off, 63);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "avgpool: another X's witness refused with the range proof off (%d)",
                       (int)e);
        }
        g2av_free(&a), g2av_free(&b);
    }
    return zkr_tap_done(&t);
}
