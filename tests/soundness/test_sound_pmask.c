/*
 * Adversary of the mixed opening's periodic mask (component 3c since
 * inference@2 version 7 and training-step@2 version 6; docs/proof-system.md
 * "3c. Mixed-size batched hiding opening"): Z(x) = Z'(x_a0, ..), one
 * extension value a layer-0 leaf, b = Z'(z_a0..); the first a0 folding
 * rounds reveal a0 - d_i more values of each member joining at d_i < a0,
 * counted per level (zkr_h_reveal_add) and refused on the slice u = 0.
 *
 * Verifier side, each refused with its teeth (accepted with the check that
 * catches it switched off, zkr_hpcs_verify_mixed_off, test builds):
 *  1. b sent (and claimed) plus 1, G honest: the folding sumcheck's final
 *     equation and the factorisation check (ZKR_HM_OFF_FINAL |
 *     ZKR_HM_OFF_FACTOR);
 *  2. G folded from, and Z's one-value leaves opened from, another periodic
 *     mask than the one whose root is sent (its b consistent with G): Z's
 *     layer-0 Merkle check at the 3-word leaf width (ZKR_HM_OFF_MASKMT);
 *  3. version 6's full-size mask (full-width Z leaves, b = Z(z)): refused
 *     with every check of 1 and 2 off too (the layout itself is refused:
 *     the leaves are parsed 3 words wide), and longer than the periodic
 *     proof; the honest proof truncated by one byte or extended by one
 *     extension value is refused.
 * Prover side (the reveal ledger), each refusal with its teeth (the proof
 * the prover would send without the gate, zkr_hpcs_pmask_cheat.no_gate, is
 * accepted by the verifier: nothing else stops it):
 *  4. zkr_hpcs_mixed_round_reveals of {16, 13, 12} (a0 = 4): 4, 1, 0; an
 *     honest opening charges 1 + x per member (5, 2, 1) and one opening;
 *  5. a full-size member with exactly 1 + 4 values left at its level is
 *     opened; with 4 left it is refused (the round values are charged);
 *  6. a member joining at d = 3 < a0 whose point is on its slice u = 0
 *     (the round value would be f's own) is refused; a member joining at
 *     d = 4 = a0 on its slice is opened (its value only, the caller's to
 *     mask: nothing is counted for it) and verifies; a full-size member on
 *     its slice is refused, and without the gate its proof tells anyone
 *     f's own value at a point never claimed (recovered from round 0's
 *     message, beta, rho and b: what the refusal protects);
 *  7. the per-level counter (zkr_hpcs_charge) on n = 6, e = 6: prefix caps
 *     64 (2^j - 1) exact in both orders, levels above still open, an
 *     overflowing count, eb 0 and eb > e refused, nothing charged on a
 *     refusal;
 *  8. a refused mixed opening (member 1 on its slice) or batched opening
 *     (member 1's reveal cap spent) charges no member: the gates are all
 *     or nothing (zkr_h_mixed_gate, zkr_h_batch_gate; before, the members
 *     ahead of the refused one kept an opening and their values spent);
 *  9. inference@2's per-proof charges on the model's W' (infer2_ledger).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/zk/hmixed_fixture.h"
#include "tests/zk/infer2_fixture.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

typedef struct {
    size_t k;
    unsigned n[HM_MAX], tot[HM_MAX], ext[HM_MAX];
    uint32_t budget[HM_MAX];
} pm_shape;

/* full base (n 10) at 16 (a0 = 4); an ext member (n 8) at 13 (d = 3); a base (n 6) at 12 (d = 4) */
static const pm_shape pm_small = {3, {10, 8, 6}, {16, 13, 12}, {0, 1, 0}, {2, 2, 1}};

/* Proves (pm: cheats, NULL honest) with values pv into *pf; verifies vv with the switches off. */
static zkr_err run(const zkr_params *p, hm_fix *x, const zkr_hpcs_pmask_cheat *pm,
                   const zkr_ext *vv, unsigned off, size_t cut, size_t add, size_t *len,
                   zkr_err *prove)
{
    zkr_transcript tp, tv;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_dec d;
    zkr_err r;

    memset(key, 0x3c, sizeof key);
    hm_ts(p, &tp);
    tv = tp;
    zkr_zkrng_from_key(&g, key);
    if (pm)
        r = zkr_prover_hopen_mixed_pmask_cheat(p, &tp, x->f, x->k, x->z, x->v, pm, &g, &pf);
    else
        r = zkr_prover_hopen_mixed(p, &tp, x->f, x->k, x->z, x->v, &g, 1, &pf);
    zkr_zkrng_wipe(&g);
    if (prove)
        *prove = r;
    if (len)
        *len = pf.len;
    if (r == ZKR_OK) {
        uint8_t zero[24] = {0};
        if (cut > pf.len)
            cut = pf.len;
        pf.len -= cut;
        for (size_t i = 0; i < add && r == ZKR_OK; i += sizeof zero)
            r = zkr_buf_append(&pf, zero, add - i < sizeof zero ? add - i : sizeof zero);
        zkr_dec_init(&d, pf.p, pf.len);
        if (r == ZKR_OK)
            r = zkr_hpcs_verify_mixed_off(p, &tv, x->c, x->k, x->z, vv, off, &d);
        if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
            r = ZKR_ERR_MALFORMED;
    }
    zkr_buf_free(&pf);
    return r;
}

static int make(const zkr_params *p, hm_fix *x, const pm_shape *s)
{
    return hm_make(p, x, s->n, s->tot, s->ext, s->k, s->budget, 1) == ZKR_OK;
}

/* Attack pm on a fresh fixture, verified with every check on, then with `off`. */
static void attack(zkr_tap *t, const zkr_params *p, const char *name,
                   const zkr_hpcs_pmask_cheat *pm, unsigned off)
{
    zkr_err on = ZKR_ERR_INTERNAL, teeth = ZKR_ERR_INTERNAL;
    hm_fix x;

    if (make(p, &x, &pm_small))
        on = run(p, &x, pm, x.v, 0, 0, 0, NULL, NULL);
    hm_free(&x);
    if (make(p, &x, &pm_small))
        teeth = run(p, &x, pm, x.v, off, 0, 0, NULL, NULL);
    hm_free(&x);
    zkr_tap_ok(t, on == ZKR_ERR_VERIFY, "%s: refused (%d)", name, on);
    zkr_tap_ok(t, teeth == ZKR_OK, "%s: teeth: accepted with the check off (%d)", name, teeth);
}

/* 3: version 6's layout, truncation and extension. */
static void layout(zkr_tap *t, const zkr_params *p)
{
    zkr_hpcs_pmask_cheat full = {0, 0, 1, 0};
    unsigned all = ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR | ZKR_HM_OFF_MASKMT;
    zkr_err hon = ZKR_ERR_INTERNAL, v6 = ZKR_ERR_INTERNAL, v6off = ZKR_ERR_INTERNAL;
    zkr_err cut = ZKR_ERR_INTERNAL, ext = ZKR_ERR_INTERNAL;
    size_t lp = 0, lf = 0;
    hm_fix x;

    if (make(p, &x, &pm_small))
        hon = run(p, &x, NULL, x.v, 0, 0, 0, &lp, NULL);
    hm_free(&x);
    if (make(p, &x, &pm_small))
        v6 = run(p, &x, &full, x.v, 0, 0, 0, &lf, NULL);
    hm_free(&x);
    if (make(p, &x, &pm_small))
        v6off = run(p, &x, &full, x.v, all, 0, 0, NULL, NULL);
    hm_free(&x);
    if (make(p, &x, &pm_small))
        cut = run(p, &x, NULL, x.v, 0, 1, 0, NULL, NULL);
    hm_free(&x);
    if (make(p, &x, &pm_small))
        ext = run(p, &x, NULL, x.v, 0, 0, 24, NULL, NULL);
    hm_free(&x);
    zkr_tap_ok(t, hon == ZKR_OK, "periodic mask: the honest opening is accepted (%d)", hon);
    zkr_tap_ok(t, v6 != ZKR_OK && v6off != ZKR_OK,
               "version 6's full-size mask (full-width Z leaves, b = Z(z)): refused (%d), with "
               "the final equation, the factorisation and Z's Merkle check off too (%d)", v6,
               v6off);
    /* Z's leaves: q' leaves of 2^a0 extension values before, one now (a pruned multi-opening) */
    zkr_tap_ok(t, lp > 0 && lf > lp + (size_t)24 * 15,
               "version 6's proof is longer than the periodic one (%zu > %zu bytes)", lf, lp);
    zkr_tap_ok(t, cut != ZKR_OK && ext != ZKR_OK,
               "the honest proof truncated by a byte (%d) or extended by an extension value "
               "(%d) is refused", cut, ext);
}

/* 4: the round values per member and what an honest opening charges. */
static void charges(zkr_tap *t, const zkr_params *p)
{
    unsigned want[3] = {4, 1, 0};
    uint64_t before[3], after[3];
    uint32_t bb[3], ba[3];
    zkr_err r = ZKR_ERR_INTERNAL;
    int ok = 1;
    hm_fix x;

    for (size_t i = 0; i < 3; i++)
        ok = ok && zkr_hpcs_mixed_round_reveals(p, pm_small.tot, 3, i) == want[i];
    ok = ok && zkr_hpcs_mixed_round_reveals(p, pm_small.tot, 3, 3) == 0;
    {
        unsigned bad[2] = {16, 5}; /* a size the schedule refuses: no count */
        ok = ok && zkr_hpcs_mixed_round_reveals(p, bad, 2, 0) == 0;
    }
    zkr_tap_ok(t, ok, "round reveals of {16, 13, 12}: 4, 1, 0 (0 past k and for refused sizes)");
    ok = 0;
    if (make(p, &x, &pm_small)) {
        for (size_t i = 0; i < 3; i++) {
            before[i] = zkr_hpcs_reveals_left(x.f[i]);
            bb[i] = zkr_hpcs_budget_left(x.f[i]);
        }
        r = run(p, &x, NULL, x.v, 0, 0, 0, NULL, NULL);
        ok = r == ZKR_OK;
        for (size_t i = 0; i < 3; i++) {
            after[i] = zkr_hpcs_reveals_left(x.f[i]);
            ba[i] = zkr_hpcs_budget_left(x.f[i]);
            ok = ok && before[i] - after[i] == 1 + want[i] && bb[i] - ba[i] == 1 &&
                 zkr_hpcs_first_slice_reveals(x.f[i]) == 0;
        }
    }
    hm_free(&x);
    zkr_tap_ok(t, ok, "an honest opening charges 1 + x values (5, 2, 1: at each point's level "
               "e, none in slice 1) and one opening per member (%d)", r);
}

/* 5: a full-size member with `left` values left at its level (e = 6). */
static void exact(zkr_tap *t, const zkr_params *p)
{
    zkr_hpcs_pmask_cheat nog = {0, 0, 0, 1};
    zkr_err r[3] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    zkr_err pr[3] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    uint64_t left[3] = {5, 4, 4};
    hm_fix x;

    for (int i = 0; i < 3; i++) {
        if (!make(p, &x, &pm_small))
            break;
        if (zkr_hpcs_charge(x.f[0], 0, zkr_hpcs_reveals_left(x.f[0]) - left[i], 6) == ZKR_OK)
            r[i] = run(p, &x, i == 2 ? &nog : NULL, x.v, 0, 0, 0, NULL, &pr[i]);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK, "a full-size member with 1 + 4 values left is opened (%d)", r[0]);
    zkr_tap_ok(t, pr[1] == ZKR_ERR_USAGE,
               "a full-size member with 4 values left is refused: its 4 round values are "
               "charged (%d)", pr[1]);
    zkr_tap_ok(t, pr[2] == ZKR_OK && r[2] == ZKR_OK,
               "teeth: without the gate that opening is made (%d) and accepted (%d)", pr[2], r[2]);
}

/* 6: members on their slice u = 0 (z's coordinates 11.. zero, 10 not: member 0 stays off it). */
static void on_slice(zkr_tap *t, const zkr_params *p)
{
    /* member 1 (n 8) at 13: d = 3 < a0, its blinding coordinates z[11..16) */
    static const pm_shape in = {2, {10, 8}, {16, 13}, {0, 1}, {2, 2}};
    /* member 1 (n 7) at 12: d = 4 = a0, its blinding coordinates z[11..16) */
    static const pm_shape at = {2, {10, 7}, {16, 12}, {0, 0}, {2, 1}};
    zkr_hpcs_pmask_cheat nog = {0, 0, 0, 1};
    zkr_err pr[3] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    zkr_err r[3] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    uint64_t l0 = 0, l1 = 0, a0 = 0, a1 = 0, s0 = 0;
    hm_fix x;

    for (int i = 0; i < 3; i++) {
        const pm_shape *s = i < 2 ? &in : &at;
        if (!make(p, &x, s))
            break;
        for (unsigned c = 11; c < 16; c++)
            x.z[c] = zkr_ext_from(0);
        for (size_t m = 0; m < x.k; m++)
            x.v[m] = hm_value(x.f[m], x.z + (x.total - zkr_hpcs_poly_total_vars(x.f[m])));
        l0 = zkr_hpcs_reveals_left(x.f[0]);
        l1 = zkr_hpcs_reveals_left(x.f[1]);
        r[i] = run(p, &x, i == 1 ? &nog : NULL, x.v, 0, 0, 0, NULL, &pr[i]);
        a0 = zkr_hpcs_reveals_left(x.f[0]);
        a1 = zkr_hpcs_reveals_left(x.f[1]);
        s0 = zkr_hpcs_first_slice_reveals(x.f[0]);
        hm_free(&x);
    }
    zkr_tap_ok(t, pr[0] == ZKR_ERR_USAGE,
               "a member joining at d = 3 < a0 on its slice u = 0 is refused (its round value "
               "would be f's own) (%d)", pr[0]);
    zkr_tap_ok(t, pr[1] == ZKR_OK && r[1] == ZKR_OK,
               "teeth: without the gate that opening is made (%d) and accepted (%d)", pr[1], r[1]);
    /* 1 + a0 round values (twice those over F_p^6: two F_p^3-linear forms each) */
    uint64_t want = p->mixed_ext6 ? 9 : 5;
    zkr_tap_ok(t, pr[2] == ZKR_OK && r[2] == ZKR_OK && l1 == a1 && l0 - a0 == want && s0 == want,
               "a member joining at d = 4 = a0 on its slice is opened and accepted (%d, %d), "
               "nothing counted for it; the full-size member (z mixes its slice 1 only) "
               "charged %llu values in slice 1", pr[2], r[2], (unsigned long long)want);
}

/*
 * 6b, what the on-slice refusal protects: one full-size member (a0 = 4
 * round values) whose point z has every blinding coordinate 0, opened
 * without the gate. From the proof and the public transcript alone
 * (beta, rho, b and round 0's q(0)), anyone computes
 * F(0, z_1, ..) = (q_0(0) / (1 - z_0) - rho b) / beta: the secret f's own
 * value at a point no one claimed (Z, constant in x_0, adds only rho b).
 * The test compares it with f's true value there.
 */
static void on_slice_leak(zkr_tap *t, const zkr_params *p)
{
    static const pm_shape one = {1, {10}, {16}, {0}, {2}};
    zkr_hpcs_pmask_cheat nog = {0, 0, 0, 1};
    zkr_transcript tp, tv;
    zkr_zkrng g;
    zkr_buf pf = {0};
    uint8_t key[32];
    zkr_err pr = ZKR_ERR_INTERNAL, gated = ZKR_ERR_INTERNAL;
    int leaked = 0;
    hm_fix x;

    memset(key, 0x19, sizeof key);
    if (make(p, &x, &one)) {
        zkr_ext pt[16], b, q0, q2, beta, rho, got, want;
        const uint8_t *mroot;
        zkr_dec d;
        unsigned nv = x.c[0].n_vars, bv = x.c[0].blind_vars, ext = x.c[0].ext;
        for (unsigned c = 10; c < 16; c++)
            x.z[c] = zkr_ext_from(0);
        x.v[0] = hm_value(x.f[0], x.z);
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        gated = zkr_prover_hopen_mixed(p, &tp, x.f, 1, x.z, x.v, &g, 1, &pf);
        pf.len = 0;
        hm_ts(p, &tp);
        tv = tp;
        pr = zkr_prover_hopen_mixed_pmask_cheat(p, &tp, x.f, 1, x.z, x.v, &nog, &g, &pf);
        zkr_zkrng_wipe(&g);
        zkr_dec_init(&d, pf.p, pf.len);
        if (pr == ZKR_OK && zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &mroot) == ZKR_OK &&
            zkr_dec_ext(&d, &b) == ZKR_OK && zkr_dec_ext(&d, &q0) == ZKR_OK &&
            zkr_dec_ext(&d, &q2) == ZKR_OK) {
            zkr_hpcs_mixed_absorb(&tv, 1, (const uint8_t(*)[ZKR_DIGEST_BYTES])x.c[0].root, &nv,
                                  &bv, &ext, x.z, 16, x.v, mroot, b);
            zkr_ts_challenge_exts(&tv, "hm-beta", &beta, 1);
            rho = zkr_ts_challenge_ext(&tv, "hm-rho");
            got = zkr_ext_mul(q0, zkr_ext_inv(zkr_ext_sub(zkr_ext_from(1), x.z[0])));
            got = zkr_ext_mul(zkr_ext_sub(got, zkr_ext_mul(rho, b)), zkr_ext_inv(beta));
            memcpy(pt, x.z, sizeof pt);
            pt[0] = zkr_ext_from(0);
            want = hm_value(x.f[0], pt);
            leaked = zkr_ext_eq(got, want);
        }
        zkr_buf_free(&pf);
    }
    hm_free(&x);
    zkr_tap_ok(t, gated == ZKR_ERR_USAGE,
               "a full-size member on its slice u = 0 is refused (%d)", gated);
    zkr_tap_ok(t, pr == ZKR_OK && leaked,
               "teeth: without the gate the proof tells f(0, z_1..) (never claimed) to anyone "
               "(%d, %s)", pr, leaked ? "f's value recovered" : "not recovered");
}

/* 7: the per-level counter on n = 6, e = 6 (caps 64, 192, 448, ..). */
static void levels(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[1] = {6}, tot[1] = {12}, ext[1] = {0};
    static const uint32_t budget[1] = {1};
    int ok[6] = {0, 0, 0, 0, 0, 0};
    hm_fix x;

    if (hm_make(p, &x, n, tot, ext, 1, budget, 3) == ZKR_OK) {
        zkr_hpcs_poly *f = x.f[0];
        uint64_t all = zkr_hpcs_reveals_left(f);
        /* level 2 first (128), then level 1 to its cap (64): prefix 2 full (192) */
        ok[0] = all == 64u * 63u && zkr_hpcs_charge(f, 0, 128, 2) == ZKR_OK &&
                zkr_hpcs_charge(f, 0, 64, 1) == ZKR_OK && zkr_hpcs_first_slice_reveals(f) == 64;
        ok[1] = zkr_hpcs_charge(f, 0, 1, 1) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 0, 1, 2) == ZKR_ERR_USAGE &&
                zkr_hpcs_reveals_left(f) == all - 192;
        /* level 3's own 256 more, then nothing at 3; level 6 takes the rest */
        ok[2] = zkr_hpcs_charge(f, 0, 256, 3) == ZKR_OK &&
                zkr_hpcs_charge(f, 0, 1, 3) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 0, all - 448, 6) == ZKR_OK &&
                zkr_hpcs_charge(f, 0, 1, 6) == ZKR_ERR_USAGE && zkr_hpcs_reveals_left(f) == 0;
        hm_free(&x);
    }
    if (hm_make(p, &x, n, tot, ext, 1, budget, 3) == ZKR_OK) {
        zkr_hpcs_poly *f = x.f[0];
        uint64_t all = zkr_hpcs_reveals_left(f);
        /* level 1 first to its cap, then level 2's 128 */
        ok[3] = zkr_hpcs_charge(f, 0, 64, 1) == ZKR_OK &&
                zkr_hpcs_charge(f, 0, 129, 2) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 0, 128, 2) == ZKR_OK &&
                zkr_hpcs_charge(f, 0, 1, 2) == ZKR_ERR_USAGE;
        /* overflowing counts, eb 0, eb > e, a budget short: nothing charged */
        ok[4] = zkr_hpcs_charge(f, 0, UINT64_MAX, 4) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 0, UINT64_MAX - 100, 6) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 0, 1, 0) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 0, 1, 7) == ZKR_ERR_USAGE &&
                zkr_hpcs_charge(f, 2, 1, 4) == ZKR_ERR_USAGE &&
                zkr_hpcs_reveals_left(f) == all - 192 && zkr_hpcs_budget_left(f) == 1;
        ok[5] = zkr_hpcs_charge(f, 1, 1, 4) == ZKR_OK && zkr_hpcs_budget_left(f) == 0 &&
                zkr_hpcs_reveals_left(f) == all - 193;
        hm_free(&x);
    }
    zkr_tap_ok(t, ok[0],
               "levels: 128 at level 2, then 64 at level 1 (prefix 1 = 64, prefix 2 = 192)");
    zkr_tap_ok(t, ok[1], "levels: then one more at level 1 or 2 is refused, nothing charged");
    zkr_tap_ok(t, ok[2], "levels: level 3 takes 256, level 6 the rest, then nothing");
    zkr_tap_ok(t, ok[3], "levels: 64 at level 1 first, then 129 at level 2 refused, 128 taken");
    zkr_tap_ok(t, ok[4], "levels: an overflowing count, eb 0, eb > e or a short budget: refused, "
               "nothing charged");
    zkr_tap_ok(t, ok[5], "levels: an opening and a value at level 4 are then charged");
}

/* 8: a refused mixed opening (member 1 on its slice at d = 3) charges no member. */
static void atomic(zkr_tap *t, const zkr_params *p)
{
    static const pm_shape in = {2, {10, 8}, {16, 13}, {0, 1}, {2, 2}};
    zkr_err pr = ZKR_ERR_INTERNAL;
    int ok = 0;
    hm_fix x;

    if (make(p, &x, &in)) {
        uint64_t l0 = zkr_hpcs_reveals_left(x.f[0]);
        uint32_t b0 = zkr_hpcs_budget_left(x.f[0]);
        for (unsigned c = 11; c < 16; c++)
            x.z[c] = zkr_ext_from(0);
        for (size_t m = 0; m < x.k; m++)
            x.v[m] = hm_value(x.f[m], x.z + (x.total - zkr_hpcs_poly_total_vars(x.f[m])));
        (void)run(p, &x, NULL, x.v, 0, 0, 0, NULL, &pr);
        ok = pr == ZKR_ERR_USAGE && zkr_hpcs_reveals_left(x.f[0]) == l0 &&
             zkr_hpcs_budget_left(x.f[0]) == b0;
    }
    hm_free(&x);
    zkr_tap_ok(t, ok, "a refused mixed opening charges no member (member 0's values and "
               "opening untouched) (%d)", pr);
    /* the batched opening's gate (component 3b) alike: member 1's values spent, member 0 kept */
    {
        static const pm_shape two = {2, {10, 10}, {16, 16}, {0, 0}, {2, 2}};
        zkr_transcript tp;
        zkr_zkrng g;
        zkr_buf pf = {0};
        uint8_t key[32];
        zkr_err br = ZKR_ERR_INTERNAL;

        ok = 0;
        memset(key, 0x77, sizeof key);
        if (make(p, &x, &two) &&
            zkr_hpcs_charge(x.f[1], 0, zkr_hpcs_reveals_left(x.f[1]), 6) == ZKR_OK) {
            uint64_t l0 = zkr_hpcs_reveals_left(x.f[0]);
            uint32_t b0 = zkr_hpcs_budget_left(x.f[0]);
            hm_ts(p, &tp);
            zkr_zkrng_from_key(&g, key);
            br = zkr_prover_hopen_batch(p, &tp, x.f, 2, x.z, x.v, &g, 1, &pf);
            zkr_zkrng_wipe(&g);
            ok = br == ZKR_ERR_USAGE && zkr_hpcs_reveals_left(x.f[0]) == l0 &&
                 zkr_hpcs_budget_left(x.f[0]) == b0;
        }
        zkr_buf_free(&pf);
        hm_free(&x);
        zkr_tap_ok(t, ok, "a refused batched opening (3b) charges no member either (%d)", br);
    }
}

/*
 * 9: inference@2's per-proof charges on the model (zkr_i2_red_open): each
 * W' loses two openings, W^ and M^ in its first slice (2 values) and, in
 * the mixed opening at r_A (every slice), F(r_A) and its x <= 4 round
 * values (x <= 8 over F_p^6, goldilocks-128-r64); zkr_infer2_proofs_left
 * drops by one.
 */
static void infer2_ledger(zkr_tap *t)
{
    uint8_t seed[32];
    i2case c;
    zkr_buf pf = {0};
    uint64_t rl[I2F_MAX_L], fs[I2F_MAX_L];
    uint32_t bl[I2F_MAX_L], left = 0;
    zkr_err r = ZKR_ERR_INTERNAL;
    int ok = 0, init;

    memset(seed, 0x61, sizeof seed);
    init = i2case_init(&c, 1, 0, 10, seed);
    if (init) {
        i2case_mode(&c, 1);
        left = zkr_infer2_proofs_left(c.im);
        for (uint32_t l = 0; l < c.n_layers; l++) {
            zkr_hpcs_poly *w = zkr_infer2_model_layer_poly(c.im, l);
            rl[l] = zkr_hpcs_reveals_left(w);
            fs[l] = zkr_hpcs_first_slice_reveals(w);
            bl[l] = zkr_hpcs_budget_left(w);
        }
        r = i2case_prove(&c, 1, seed, &pf);
        ok = r == ZKR_OK && zkr_infer2_proofs_left(c.im) + 1 == left;
        for (uint32_t l = 0; l < c.n_layers && ok; l++) {
            zkr_hpcs_poly *w = zkr_infer2_model_layer_poly(c.im, l);
            unsigned e = zkr_hpcs_poly_total_vars(w) - zkr_hpcs_poly_n_vars(w);
            uint64_t dv = rl[l] - zkr_hpcs_reveals_left(w);
            uint64_t d1 = zkr_hpcs_first_slice_reveals(w) - fs[l];
            /* an F_p^6 opening's round values count twice (zkr_hpcs_mixed_round_reveals) */
            uint64_t xmax = c.p.mixed_ext6 ? 8 : 4;
            ok = bl[l] - zkr_hpcs_budget_left(w) == ZKR_INFER2_W_OPENINGS && dv >= 3 &&
                 dv <= 3 + xmax &&
                 d1 == (e == 1 ? dv : 2);
            if (!ok)
                zkr_tap_diag("layer %u: e %u, %llu values, %llu in slice 1", l, e,
                             (unsigned long long)dv, (unsigned long long)d1);
        }
    }
    zkr_buf_free(&pf);
    if (init)
        i2case_free(&c);
    zkr_tap_ok(t, ok, "inference@2: a proof charges each W' 2 openings, 2 values in slice 1 and "
               "1 + x (x <= 4; 8 over F_p^6) at r_A; proofs left drop by one (%d)", r);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;
    zkr_hpcs_pmask_cheat bd = {1, 0, 0, 0}, swap = {0, 1, 0, 0};

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    attack(&t, &p, "periodic mask: b + 1 sent and claimed, G honest", &bd,
           ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
    attack(&t, &p, "periodic mask: G and Z's leaves from another mask than the sent root's", &swap,
           ZKR_HM_OFF_MASKMT);
    layout(&t, &p);
    charges(&t, &p);
    exact(&t, &p);
    on_slice(&t, &p);
    on_slice_leak(&t, &p);
    levels(&t, &p);
    atomic(&t, &p);
    infer2_ledger(&t);
    {
        /* the mask over F_p^6 (p->mixed_ext6: Z_a + y Z_b, one pair tree): the same attacks */
        zkr_params p6 = p;
        p6.mixed_ext6 = 1;
        attack(&t, &p6, "F_p^6 mask: b + 1 sent and claimed, G honest", &bd,
               ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
        attack(&t, &p6, "F_p^6 mask: G and Z's leaves from another mask than the sent root's",
               &swap, ZKR_HM_OFF_MASKMT);
        /*
         * Not repeated here: version 6's full-size mask (never over F_p^6:
         * USAGE), and the F_p^3 counts of charges, exact and on_slice_leak;
         * over F_p^6 each round value is two F_p^3-linear forms and counts
         * twice, pinned below.
         */
        on_slice(&t, &p6);
        levels(&t, &p6);
        atomic(&t, &p6);
        {
            unsigned tot[3] = {16, 13, 12};
            unsigned r3[3], r6[3];
            for (size_t i = 0; i < 3; i++) {
                r3[i] = zkr_hpcs_mixed_round_reveals(&p, tot, 3, i);
                r6[i] = zkr_hpcs_mixed_round_reveals(&p6, tot, 3, i);
            }
            zkr_tap_ok(&t, r3[0] == 4 && r3[1] == 1 && r3[2] == 0 && r6[0] == 8 && r6[1] == 2 &&
                               r6[2] == 0,
                       "round reveals of {16, 13, 12} over F_p^6: %u, %u, %u (twice F_p^3's %u, "
                       "%u, %u)", r6[0], r6[1], r6[2], r3[0], r3[1], r3[2]);
        }
    }
    return zkr_tap_done(&t);
}
