/*
 * Mixed-size batched hiding opening (zkr_prover_hopen_mixed /
 * zkr_hpcs_verify_mixed; docs/proof-system.md, "3c. Mixed-size batched
 * hiding opening"): members of four sizes (base and extension-valued)
 * joining in layer 0, at a layer boundary and inside a folded layer; accept,
 * byte-identical under one key and with two prover threads, and the reject
 * twins: a value + 1 (full-size and joining member), a flipped byte in a
 * joining member's leaf, a truncated proof, another polynomial's commitment
 * in a member's place, another point, sizes the schedule cannot take
 * (USAGE), the budget spent; the periodic mask's round values charged and
 * a layer-0 member on its slice refused; per-level reveal counting; fitted
 * members (inference@2 version 8) and their adversarial review: every size
 * pair's fitted arity at sets 1-3, members of a fitted member's size left
 * unfitted, a fitted full-size member, sets 2 and 3, mutated fitted proofs;
 * base-valued stacked pairs and half pairs (inference@2 version 10); stacked
 * groups (version 14) and a group member opened alone (adversarial review).
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/zk/hmixed_fixture.h"
#include "zk/ldr.h"
#include "zk/zk_int.h"

/* Bytes of one value of the opening's field: F_p^3, or F_p^6 where p->mixed_ext6. */
static size_t hm_vb(const zkr_params *p)
{
    return p->mixed_ext6 ? ZKR_EXT6_BYTES : ZKR_EXT_BYTES;
}

/* Proves with values pv, verifies against vv (and vc's commitments); the verifier's result. */
static zkr_err run(const zkr_params *p, hm_fix *x, const zkr_hpcs_commitment *vc,
                   const zkr_ext *pv, const zkr_ext *vv, uint8_t key_byte, zkr_buf *pf,
                   size_t flip, size_t cut)
{
    zkr_transcript tp, tv;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_dec d;
    zkr_err r;

    memset(key, key_byte, sizeof key);
    hm_ts(p, &tp);
    tv = tp;
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hopen_mixed(p, &tp, x->f, x->k, x->z, pv, &g, 1, pf);
    zkr_zkrng_wipe(&g);
    if (r != ZKR_OK)
        return r;
    if (flip < pf->len)
        pf->p[flip] ^= 0x01;
    zkr_dec_init(&d, pf->p, pf->len - (cut < pf->len ? cut : 0));
    r = zkr_hpcs_verify_mixed(p, &tv, vc, x->k, x->z, vv, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (flip < pf->len)
        pf->p[flip] ^= 0x01;
    return r;
}

static void test_plan(zkr_tap *t, const zkr_params *p)
{
    unsigned ok1[4] = {16, 16, 13, 12}, tiny[2] = {16, 7}, one[1] = {12};
    zkr_hpcs_mixed_plan pl;
    zkr_soundness s;
    zkr_err r = zkr_hpcs_mixed_plan_of(p, ok1, 4, &pl);

    zkr_tap_ok(t, r == ZKR_OK && pl.total == 16 &&
                      pl.n_full == 2 && pl.d[2] == 3 && pl.layer[2] == 0 && pl.step[2] == 3 &&
                      pl.d[3] == 4 && pl.layer[3] == 1 && pl.step[3] == 0,
               "plan {16, 16, 13, 12}: two full members, 13 joins layer 0 at step 3, 12 at "
               "layer 1's start (layout: %u layers, final %u)",
               pl.l.n_layers, pl.l.final_vars);
    zkr_tap_ok(t, zkr_hpcs_mixed_ok(p, tiny, 2) == ZKR_ERR_USAGE &&
                      zkr_hpcs_mixed_ok(p, one, 1) == ZKR_OK &&
                      zkr_hpcs_mixed_ok(p, one, 0) == ZKR_ERR_USAGE,
               "a 7-variable member with a 16-variable one (joins past the fold or with leaves "
               "too small): USAGE; one member: OK; none: USAGE");
    {
        /*
         * Every hiding commitment of set 1 has T >= 12 (2^T must exceed one
         * opening's q 2^4 positions), so every pair 12 <= T_i <= T <= 26 must
         * join, at the set's query count and at a raised one.
         */
        zkr_params pq = *p;
        unsigned refused = 0;
        for (unsigned q = p->queries; q <= 200; q += 200 - p->queries) {
            pq.queries = q;
            for (unsigned T = 12; T <= pq.max_vars; T++)
                for (unsigned Ti = 12; Ti <= T; Ti++) {
                    unsigned two[2] = {T, Ti};
                    refused += zkr_hpcs_mixed_ok(&pq, two, 2) != ZKR_OK;
                }
        }
        zkr_tap_ok(t, refused == 0,
                   "every size pair 12 <= T_i <= T <= 26 joins (queries 166 and 200): %u refused",
                   refused);
    }
    s = zkr_hpcs_mixed_soundness(p, ok1, 4);
    {
        /* the better of UD (~128.5 bits at q = 166) and JBR with its two joins (~140.6) */
        zkr_ldr_fig f;
        zkr_hpcs_mixed_fig(p, ok1, 4, &f);
        zkr_tap_ok(t, s.provable_bits > 140.4 && s.provable_bits < 140.9 &&
                          f.regime == ZKR_LDR_JBR && f.t_joins > 0 &&
                          fabs(s.provable_bits - -log2(f.jbr_err)) < 1e-9 &&
                          -log2(f.ud_err) > 128.0 && -log2(f.ud_err) < 128.6 &&
                          zkr_hpcs_mixed_error(p, ok1, 4) > 0 &&
                          zkr_hpcs_mixed_soundness(p, tiny, 2).provable_bits == 0,
                   "mixed opening {16, 16, 13, 12}: %.3f provable bits, %s (UD %.3f: one query "
                   "phase, its commit, batching and two join terms; JBR %.3f at m = %u, joins "
                   "2^%.1f), refused sizes: 0",
                   s.provable_bits, f.regime == ZKR_LDR_JBR ? "JBR" : "UD", -log2(f.ud_err),
                   -log2(f.jbr_err), f.m, log2(f.t_joins));
    }
}

/* full base (n 10), full ext (n 9), ext joining at round 3 (n 8), base joining at 4 (n 6) */
static const unsigned hm_n[4] = {10, 9, 8, 6}, hm_tot[4] = {16, 16, 13, 12}, hm_ext[4] = {0, 1, 1, 0};
static const uint32_t hm_budget[4] = {2, 2, 2, 1};

/* A fresh fixture (the same commitments for one seed), proven once. */
static zkr_err fresh_run(const zkr_params *p, unsigned seed, const zkr_hpcs_commitment *vc,
                         int bad_member, size_t flip, size_t cut, zkr_buf *pf)
{
    hm_fix x;
    zkr_ext vv[HM_MAX];
    zkr_err r;

    if ((r = hm_make(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, seed)) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    memcpy(vv, x.v, sizeof vv);
    if (bad_member >= 0)
        vv[bad_member].c[1] = zkr_gl_add(vv[bad_member].c[1], 1);
    pf->len = 0;
    r = run(p, &x, vc ? vc : x.c, x.v, vv, 7, pf, flip, cut);
    hm_free(&x);
    return r;
}

static void test_mixed(zkr_tap *t, const zkr_params *p)
{
    hm_fix x, y;
    zkr_buf p1 = {0}, p2 = {0}, p3 = {0};
    zkr_hpcs_commitment cc[4];
    zkr_err r1, r2, r3, r4, r5, r6;

    memset(&y, 0, sizeof y);
    if (hm_make(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1) != ZKR_OK ||
        hm_make(p, &y, hm_n, hm_tot, hm_ext, 4, hm_budget, 2) != ZKR_OK) {
        zkr_tap_ok(t, 0, "mixed setup");
        goto out;
    }
    r1 = fresh_run(p, 1, NULL, -1, SIZE_MAX, 0, &p1);
    r2 = fresh_run(p, 1, NULL, -1, SIZE_MAX, 0, &p2);
    zkr_tap_ok(t, r1 == ZKR_OK && r2 == ZKR_OK && p1.len == p2.len &&
                      memcmp(p1.p, p2.p, p1.len) == 0,
               "mixed opening of sizes 16, 16 (ext), 13 (ext), 12 verifies, byte-identical "
               "under one key (%d, %d; %zu bytes)",
               r1, r2, p1.len);
    for (int m = 0; m < 4; m++) {
        r3 = fresh_run(p, 1, NULL, m, SIZE_MAX, 0, &p3);
        zkr_tap_ok(t, r3 == ZKR_ERR_VERIFY, "member %d's value + 1 (%s): VERIFY (%d)", m,
                   m < 2 ? "full size" : "joining", r3);
    }
    /* a byte of the last tree opened (the 12-variable member's, layer 1's joiner) */
    r4 = fresh_run(p, 1, NULL, -1, p1.len - 40, 0, &p3);
    r5 = fresh_run(p, 1, NULL, -1, SIZE_MAX, 1, &p3);
    zkr_tap_ok(t, r4 != ZKR_OK && r5 == ZKR_ERR_MALFORMED,
               "a flipped byte near the end (%d) and a proof one byte short (%d) refused", r4, r5);
    memcpy(cc, x.c, sizeof cc);
    cc[3] = y.c[3];
    r6 = fresh_run(p, 1, cc, -1, SIZE_MAX, 0, &p3);
    zkr_tap_ok(t, r6 == ZKR_ERR_VERIFY,
               "another polynomial's commitment in the joining member's place: VERIFY (%d)", r6);
    {
        /* the same opening verified at another point (a wrong statement) */
        zkr_transcript tv;
        zkr_ext z2[32];
        zkr_dec d;
        memcpy(z2, x.z, sizeof z2);
        z2[x.total - 1] = zkr_ext_add(z2[x.total - 1], zkr_ext_from(1));
        hm_ts(p, &tv);
        zkr_dec_init(&d, p1.p, p1.len);
        r6 = zkr_hpcs_verify_mixed(p, &tv, x.c, x.k, z2, x.v, &d);
        zkr_tap_ok(t, r6 == ZKR_ERR_VERIFY, "the proof checked at another point: VERIFY (%d)", r6);
    }
    {
        /* two prover threads: the same bytes (exact field sums) */
        hm_fix w;
        zkr_transcript tp;
        uint8_t key[32];
        zkr_zkrng g;
        memset(key, 7, sizeof key);
        r6 = ZKR_ERR_INTERNAL;
        p3.len = 0;
        if (hm_make(p, &w, hm_n, hm_tot, hm_ext, 4, hm_budget, 1) == ZKR_OK) {
            hm_ts(p, &tp);
            zkr_zkrng_from_key(&g, key);
            r6 = zkr_prover_hopen_mixed(p, &tp, w.f, w.k, w.z, w.v, &g, 2, &p3);
            zkr_zkrng_wipe(&g);
        }
        hm_free(&w);
        zkr_tap_ok(t, r6 == ZKR_OK && p3.len == p1.len && memcmp(p3.p, p1.p, p1.len) == 0,
                   "two prover threads: the same bytes (%d)", r6);
    }
    {
        zkr_hpcs_commitment two[2] = {x.c[0], x.c[3]};
        zkr_transcript tv;
        zkr_dec d;
        two[1].n_vars = 1;
        two[1].blind_vars = 6;
        hm_ts(p, &tv);
        zkr_dec_init(&d, p1.p, p1.len);
        r6 = zkr_hpcs_verify_mixed(p, &tv, two, 2, x.z, x.v, &d);
        zkr_tap_ok(t, r6 == ZKR_ERR_USAGE, "verifier: a 7-variable member beside 16: USAGE (%d)",
                   r6);
    }
    {
        zkr_hpcs_poly *dup[2] = {x.f[0], x.f[0]};
        zkr_transcript tp;
        uint8_t key[32] = {0};
        zkr_zkrng g;
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        p3.len = 0;
        r6 = zkr_prover_hopen_mixed(p, &tp, dup, 2, x.z, x.v, &g, 1, &p3);
        zkr_zkrng_wipe(&g);
        zkr_tap_ok(t, r6 == ZKR_ERR_USAGE, "prover: one member twice: USAGE (%d)", r6);
    }
    p3.len = 0;
    r6 = run(p, &x, x.c, x.v, x.v, 9, &p3, SIZE_MAX, 0);
    p3.len = 0;
    r5 = run(p, &x, x.c, x.v, x.v, 9, &p3, SIZE_MAX, 0);
    zkr_tap_ok(t, r6 == ZKR_OK && r5 == ZKR_ERR_USAGE && zkr_hpcs_budget_left(x.f[3]) == 0,
               "the second opening of a member blinded for one: USAGE (%d, %d)", r6, r5);
out:
    hm_free(&x);
    hm_free(&y);
    zkr_buf_free(&p1);
    zkr_buf_free(&p2);
    zkr_buf_free(&p3);
}

/*
 * Joins inside a folded layer: T = 18 (hiding layout 4, 3, 2; final 9)
 * with members of 15 (layer 0, step 3), 14 (layer 1's start), 13 and 12
 * (layer 1, steps 1 and 2: the verifier folds a query's values part way
 * and adds the member's before the rest), as inference@2's V class (14
 * beside W' at 19) would join.
 */
static void test_mixed_deep(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[5] = {12, 8, 8, 7, 6}, tot[5] = {18, 15, 14, 13, 12};
    static const unsigned ext[5] = {0, 1, 0, 0, 1};
    static const uint32_t budget[5] = {4, 4, 4, 2, 1};
    zkr_hpcs_mixed_plan pl;
    zkr_buf pf = {0};
    zkr_ext vv[HM_MAX];
    zkr_err r1 = ZKR_ERR_INTERNAL, r2 = ZKR_ERR_INTERNAL, r3 = ZKR_ERR_INTERNAL;
    hm_fix x;

    if (hm_make(p, &x, n, tot, ext, 5, budget, 3) != ZKR_OK ||
        zkr_hpcs_mixed_plan_of(p, tot, 5, &pl) != ZKR_OK) {
        zkr_tap_ok(t, 0, "deep setup");
        hm_free(&x);
        return;
    }
    r1 = run(p, &x, x.c, x.v, x.v, 5, &pf, SIZE_MAX, 0);
    hm_free(&x);
    if (hm_make(p, &x, n, tot, ext, 5, budget, 3) == ZKR_OK) {
        memcpy(vv, x.v, sizeof vv);
        vv[3].c[0] = zkr_gl_add(vv[3].c[0], 1);
        pf.len = 0;
        r2 = run(p, &x, x.c, x.v, vv, 5, &pf, SIZE_MAX, 0);
    }
    hm_free(&x);
    if (hm_make(p, &x, n, tot, ext, 5, budget, 3) == ZKR_OK) {
        memcpy(vv, x.v, sizeof vv);
        vv[4].c[2] = zkr_gl_add(vv[4].c[2], 1);
        pf.len = 0;
        r3 = run(p, &x, x.c, x.v, vv, 5, &pf, SIZE_MAX, 0);
    }
    hm_free(&x);
    zkr_tap_ok(t, pl.layer[3] == 1 && pl.step[3] == 1 && pl.layer[4] == 1 && pl.step[4] == 2 &&
                      r1 == ZKR_OK && r2 == ZKR_ERR_VERIFY && r3 == ZKR_ERR_VERIFY,
               "sizes 18, 15, 14, 13, 12 (joins at layer 0 step 3, layer 1 steps 0, 1, 2) "
               "verify (%d); the 13- and 12-variable members' values + 1: VERIFY (%d, %d)",
               r1, r2, r3);
    zkr_buf_free(&pf);
}

/*
 * The periodic mask's zero-knowledge bookkeeping: each member joining at
 * round d < a0 = 4 reveals a0 - d round-message values per opening
 * (zkr_hpcs_mixed_round_reveals), charged to its reveal count; such a
 * member at a point on its slice u = 0 is refused (USAGE) before a byte is
 * written, where a member that joins in a later layer is not charged.
 */
static void test_round_reveals(zkr_tap *t, const zkr_params *p)
{
    unsigned want[4] = {4, 4, 1, 0}, got[4];
    uint64_t before[4];
    int ok = 1;
    hm_fix x;
    zkr_buf pf = {0};
    zkr_err r;

    for (size_t i = 0; i < 4; i++)
        ok &= (got[i] = zkr_hpcs_mixed_round_reveals(p, hm_tot, 4, i)) == want[i];
    zkr_tap_ok(t, ok && zkr_hpcs_mixed_round_reveals(p, hm_tot, 4, 4) == 0,
               "round values of {16, 16, 13, 12}: %u %u %u %u (a0 - d: 4, 4, 1, 0)", got[0],
               got[1], got[2], got[3]);
    if (hm_make(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "round values setup");
        return;
    }
    for (size_t i = 0; i < 4; i++)
        before[i] = zkr_hpcs_reveals_left(x.f[i]);
    r = run(p, &x, x.c, x.v, x.v, 5, &pf, SIZE_MAX, 0);
    ok = r == ZKR_OK;
    for (size_t i = 0; i < 4; i++)
        ok &= before[i] - zkr_hpcs_reveals_left(x.f[i]) == 1u + want[i];
    zkr_tap_ok(t, ok, "one opening charges each member its value and its round values "
               "(5, 5, 2, 1; %d)", r);
    hm_free(&x);
    if (hm_make(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "round values setup");
        return;
    }
    /* member 2 (13 = 8 + 5, joins at round 3) reads z[3..16): its blinding coordinates z[11..16) */
    for (unsigned b = 11; b < 16; b++)
        x.z[b] = zkr_ext_from(0);
    for (size_t m = 0; m < 4; m++)
        x.v[m] = hm_value(x.f[m], x.z + (x.total - hm_tot[m]));
    pf.len = 0;
    r = run(p, &x, x.c, x.v, x.v, 5, &pf, SIZE_MAX, 0);
    zkr_tap_ok(t, r == ZKR_ERR_USAGE && pf.len == 0 && zkr_hpcs_budget_left(x.f[0]) == 2,
               "a member joining inside layer 0 at a point on its slice u = 0: USAGE, nothing "
               "written (%d, %zu bytes)", r, pf.len);
    hm_free(&x);
    zkr_buf_free(&pf);
}

/*
 * Per-level reveal counting (zkr_hpcs_charge): values mixing only the first
 * slice are capped at 2^n on their own; values at level e do not use that
 * room up, but every level's values count against the whole cap.
 */
static void test_reveal_levels(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[1] = {6}, tot[1] = {12}, ext[1] = {0};
    static const uint32_t budget[1] = {1};
    uint64_t cap1 = 64, cape = 64 * 63;
    hm_fix x;
    int a, b, c, d, e;

    if (hm_make(p, &x, n, tot, ext, 1, budget, 4) != ZKR_OK) {
        zkr_tap_ok(t, 0, "reveal levels setup");
        return;
    }
    a = zkr_hpcs_charge(x.f[0], 0, 2 * cap1, 6) == ZKR_OK;
    b = zkr_hpcs_charge(x.f[0], 0, cap1, 1) == ZKR_OK &&
        zkr_hpcs_first_slice_reveals(x.f[0]) == cap1;
    c = zkr_hpcs_charge(x.f[0], 0, 1, 1) == ZKR_ERR_USAGE;
    d = zkr_hpcs_charge(x.f[0], 0, cape - 3 * cap1, 6) == ZKR_OK &&
        zkr_hpcs_reveals_left(x.f[0]) == 0;
    e = zkr_hpcs_charge(x.f[0], 0, 1, 6) == ZKR_ERR_USAGE &&
        zkr_hpcs_charge(x.f[0], 0, 1, 7) == ZKR_ERR_USAGE;
    zkr_tap_ok(t, a && b && c && d && e,
               "reveal levels (n 6, e 6): 128 at level 6 then 64 at level 1 fit (%d, %d); a "
               "65th first-slice value is refused (%d); level 6 fills the rest of 4032 (%d); "
               "one more, or a level above e, is refused (%d)", a, b, c, d, e);
    hm_free(&x);
}

/*
 * The prover's plain (single) hiding opening of x's member m at its point,
 * with a fresh mask of its size: what a fitted or stacked polynomial must
 * be refused by (USAGE) before anything is charged.
 */
static zkr_err plain_open(const zkr_params *p, zkr_transcript *t, hm_fix *x, size_t m,
                          zkr_zkrng *g)
{
    unsigned tot = zkr_hpcs_poly_total_vars(x->f[m]);
    zkr_hpcs_poly *mask = NULL;
    uint8_t mroot[ZKR_DIGEST_BYTES];
    zkr_buf pf = {0};
    zkr_err r = zkr_prover_hmask(p, tot, g, 1, &mask, mroot);

    if (r == ZKR_OK)
        r = zkr_prover_hopen(p, t, x->f[m], mask, zkr_ext_from(3), x->z + (x->total - tot),
                             x->v[m], g, 1, &pf);
    zkr_buf_free(&pf);
    zkr_hpcs_poly_free(mask);
    return r;
}

/* The prover's mixed opening of members f[0..k) at z (its bytes dropped). */
static zkr_err mixed_open(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                          size_t k, const zkr_ext *z, const zkr_ext *v, zkr_zkrng *g)
{
    zkr_buf pf = {0};
    zkr_err r = zkr_prover_hopen_mixed(p, t, f, k, z, v, g, 1, &pf);

    zkr_buf_free(&pf);
    return r;
}

/* Proves x (fitted or not, as made) and verifies with the verifier's fit mask. */
static zkr_err run_fit(const zkr_params *p, hm_fix *x, uint32_t vfit, uint32_t vstack,
                       zkr_buf *pf)
{
    zkr_transcript tp, tv;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_dec d;
    zkr_err r;

    memset(key, 0x33, sizeof key);
    hm_ts(p, &tp);
    tv = tp;
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hopen_mixed(p, &tp, x->f, x->k, x->z, x->v, &g, 1, pf);
    zkr_zkrng_wipe(&g);
    if (r != ZKR_OK)
        return r;
    zkr_dec_init(&d, pf->p, pf->len);
    r = zkr_hpcs_verify_mixed_fit(p, &tv, x->c, x->k, vfit, vstack, x->z, x->v, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    return r;
}

/*
 * Fitted members (inference@2 version 8): members 2 and 3 of {16, 16, 13,
 * 12} committed with the leaves their join reads (2 values at layer 0
 * step 3, 8 at layer 1's start) verify under the fit mask, in fewer bytes;
 * the twins: the same proof under no mask, the unfitted proof under the
 * mask, a fitted member's value + 1, a mask naming a member past k, and the
 * prover's gate (a fitted polynomial in a plain opening, or opened beside
 * members that give it another join) refusing before anything is charged.
 */
static void test_fitted(zkr_tap *t, const zkr_params *p)
{
    hm_fix x;
    zkr_buf pf = {0}, pu = {0};
    zkr_err r[6] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL,
                    ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    unsigned a2 = zkr_hpcs_mixed_fit_arity(p, 16, 13), a3 = zkr_hpcs_mixed_fit_arity(p, 16, 12);
    zkr_pcs_layout hl;

    /* 12 joins at layer 1's start: its arity is that layer's (3 at F_p^3's pricing) */
    zkr_hpcs_mixed_layout_of(p, 16, &hl);
    zkr_tap_ok(t, a2 == 1 && a3 == hl.folds[1] && (p->mixed_ext6 || a3 == 3) &&
                      zkr_hpcs_mixed_fit_arity(p, 16, 16) == 4 &&
                      zkr_hpcs_mixed_fit_arity(p, 16, 7) == 0,
               "fitted arities beside 16: 13 -> %u (layer 0 step 3), 12 -> %u (layer 1 start), "
               "16 -> 4, 7 -> 0 (cannot join)", a2, a3);
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
        r[0] = run_fit(p, &x, 12, 0, &pf);
        hm_free(&x);
    }
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 0) == ZKR_OK) {
        r[1] = run_fit(p, &x, 0, 0, &pu);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && r[1] == ZKR_OK && pf.len < pu.len,
               "fitted members verify (%d): %zu bytes, against %zu unfitted (%d)", r[0], pf.len,
               pu.len, r[1]);
    zkr_buf_free(&pf);
    zkr_buf_free(&pu);
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
        r[2] = run_fit(p, &x, 0, 0, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 0) == ZKR_OK) {
        r[3] = run_fit(p, &x, 12, 0, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
        x.v[3].c[0] = zkr_gl_add(x.v[3].c[0], 1);
        r[4] = run_fit(p, &x, 12, 0, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
        r[5] = run_fit(p, &x, 12 | 16, 0, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[2] != ZKR_OK && r[3] != ZKR_OK,
               "a fitted proof read with unfitted leaves (%d), an unfitted one with fitted leaves "
               "(%d): refused", r[2], r[3]);
    zkr_tap_ok(t, r[4] == ZKR_ERR_VERIFY, "a fitted member's value + 1: VERIFY (%d)", r[4]);
    zkr_tap_ok(t, r[5] == ZKR_ERR_USAGE, "a fit mask naming member 4 of 4: USAGE (%d)", r[5]);
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
        zkr_transcript tp;
        zkr_zkrng g;
        uint8_t key[32] = {7};
        /* 13 and 12 alone: 13 is full-size there (its fitted 2-value leaves are not layer 0's) */
        zkr_hpcs_poly *two[2] = {x.f[2], x.f[3]};
        zkr_err rp;
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        rp = plain_open(p, &tp, &x, 3, &g);
        r[0] = mixed_open(p, &tp, two, 2, x.z + 3, x.v + 2, &g);
        r[1] = mixed_open(p, &tp, x.f, 4, x.z, x.v, &g);
        zkr_tap_ok(t, rp == ZKR_ERR_USAGE && r[0] == ZKR_ERR_USAGE && r[1] == ZKR_OK,
                   "prover: a fitted polynomial in a plain opening: USAGE (%d); fitted members "
                   "opened where their join differs: USAGE (%d), charging nothing: the full set "
                   "(member 3 blinded for one opening) still opens (%d)", rp, r[0], r[1]);
        zkr_zkrng_wipe(&g);
        hm_free(&x);
    }
}

/*
 * A stacked pair (inference@2 version 9's h and phi): members 1 and 2 of
 * {16, 13 (ext), 13 (ext), 12}, fitted, under one root. Accept (fewer
 * bytes than the same members in two trees) and the twins: the proof read
 * without the stack mask, an unstacked proof read with it, a mask with bit
 * 0 or past k, a stacked member's value + 1; the prover's gate (a stacked
 * polynomial in a plain opening, the pair's members not adjacent) refuses
 * before anything is charged.
 */
static void test_stacked(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[4] = {10, 8, 8, 6}, tot[4] = {16, 13, 13, 12}, ext[4] = {0, 1, 1, 0};
    static const uint32_t budget[4] = {2, 2, 2, 1};
    zkr_err r[8];
    zkr_buf pf = {0}, pu = {0};
    hm_fix x;
    size_t lens[2] = {0, 0};

    for (int i = 0; i < 8; i++)
        r[i] = ZKR_ERR_INTERNAL;
    for (int i = 0; i < 7; i++) {
        uint32_t pstack = i == 1 || i == 3 ? 0 : 4, vstack = i == 1 || i == 2 ? 0 : 4;
        if (hm_make_fs(p, &x, n, tot, ext, 4, budget, 1, 14, pstack) != ZKR_OK)
            break;
        if (i == 4)
            vstack = 5; /* bit 0: the first member cannot be stacked */
        if (i == 5)
            vstack = 4 | 16;
        if (i == 6)
            x.v[1].c[0] = zkr_gl_add(x.v[1].c[0], 1);
        r[i] = run_fit(p, &x, 14, vstack, i < 2 ? (i ? &pu : &pf) : &pf);
        if (i < 2)
            lens[i] = i ? pu.len : pf.len;
        if (i >= 2)
            zkr_buf_free(&pf);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && r[1] == ZKR_OK && lens[0] < lens[1],
               "a stacked pair verifies (%d): %zu bytes, against %zu in two trees (%d)", r[0],
               lens[0], lens[1], r[1]);
    zkr_tap_ok(t, r[2] != ZKR_OK && r[3] != ZKR_OK,
               "a stacked proof read as two trees (%d), two trees read as a pair (%d): refused",
               r[2], r[3]);
    zkr_tap_ok(t, r[4] == ZKR_ERR_USAGE && r[5] == ZKR_ERR_USAGE,
               "a stack mask with bit 0 (%d) or past k (%d): USAGE", r[4], r[5]);
    zkr_tap_ok(t, r[6] == ZKR_ERR_VERIFY, "the pair's first member's value + 1: VERIFY (%d)", r[6]);
    zkr_buf_free(&pf);
    zkr_buf_free(&pu);
    if (hm_make_fs(p, &x, n, tot, ext, 4, budget, 1, 14, 4) == ZKR_OK) {
        zkr_transcript tp;
        zkr_zkrng g;
        uint8_t key[32] = {9};
        zkr_hpcs_poly *swapped[4] = {x.f[0], x.f[2], x.f[1], x.f[3]};
        zkr_ext sv[4] = {x.v[0], x.v[2], x.v[1], x.v[3]};
        zkr_err rp;
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        rp = plain_open(p, &tp, &x, 1, &g);
        r[0] = mixed_open(p, &tp, swapped, 4, x.z, sv, &g);
        r[1] = mixed_open(p, &tp, x.f, 4, x.z, x.v, &g);
        zkr_tap_ok(t, rp == ZKR_ERR_USAGE && r[0] == ZKR_ERR_USAGE && r[1] == ZKR_OK,
                   "prover: a stacked polynomial in a plain opening: USAGE (%d); the pair's "
                   "members out of order: USAGE (%d), charging nothing: member 3, blinded for "
                   "one opening, still opens with the pair in order (%d)", rp, r[0], r[1]);
        zkr_zkrng_wipe(&g);
        hm_free(&x);
    }
}

/*
 * A base-valued stacked pair (inference@2 version 10's V and m): members 1
 * and 2 of {16, 13, 13, 12 (ext)}, fitted, of different hidden sizes (9
 * and 8 variables) and budgets (2 and 1) under one root. Accept, in fewer
 * bytes than two trees, both commitments naming the pair's root; the twins:
 * the proof read as two trees, the second member's value + 1 (VERIFY), a
 * tampered second root (refused), and the prover's gate: the pair out of
 * order, and a half pair (the second freed) opened alone, both USAGE.
 */
static void test_stacked_base(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[4] = {10, 9, 8, 6}, tot[4] = {16, 13, 13, 12}, ext[4] = {0, 0, 0, 1};
    static const uint32_t budget[4] = {2, 2, 1, 1};
    zkr_err r[6];
    zkr_buf pf = {0};
    hm_fix x;
    size_t lens[2] = {0, 0};
    int same_root = 0;

    for (int i = 0; i < 6; i++)
        r[i] = ZKR_ERR_INTERNAL;
    for (int i = 0; i < 5; i++) {
        uint32_t pstack = i == 1 ? 0 : 4, vstack = i == 1 || i == 2 ? 0 : 4;
        if (hm_make_fs(p, &x, n, tot, ext, 4, budget, 3, 6, pstack) != ZKR_OK)
            break;
        if (i == 0)
            same_root = memcmp(x.c[1].root, x.c[2].root, ZKR_DIGEST_BYTES) == 0 &&
                        x.c[1].n_vars == 9 && x.c[2].n_vars == 8;
        if (i == 3)
            x.v[2].c[0] = zkr_gl_add(x.v[2].c[0], 1);
        if (i == 4)
            x.c[2].root[5] ^= 1;
        r[i] = run_fit(p, &x, 6, vstack, &pf);
        if (i < 2)
            lens[i] = pf.len;
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && r[1] == ZKR_OK && lens[0] < lens[1] && same_root,
               "a base-valued stacked pair (9 and 8 variables, budgets 2 and 1) verifies (%d): "
               "%zu bytes, against %zu in two trees (%d); both commitments name one root (%d)",
               r[0], lens[0], lens[1], r[1], same_root);
    zkr_tap_ok(t, r[2] != ZKR_OK && r[3] == ZKR_ERR_VERIFY && r[4] != ZKR_OK,
               "the base pair read as two trees (%d), its second member's value + 1 (%d), its "
               "second root tampered (%d): refused", r[2], r[3], r[4]);
    if (hm_make_fs(p, &x, n, tot, ext, 4, budget, 3, 6, 4) == ZKR_OK) {
        zkr_transcript tp;
        zkr_zkrng g;
        uint8_t key[32] = {7};
        zkr_hpcs_poly *swapped[4] = {x.f[0], x.f[2], x.f[1], x.f[3]};
        zkr_ext sv[4] = {x.v[0], x.v[2], x.v[1], x.v[3]};
        zkr_hpcs_poly *half[3] = {x.f[0], x.f[1], x.f[3]};
        zkr_ext hv[3] = {x.v[0], x.v[1], x.v[3]};
        uint8_t root[ZKR_DIGEST_BYTES], zero[ZKR_DIGEST_BYTES] = {0};
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        r[0] = mixed_open(p, &tp, swapped, 4, x.z, sv, &g);
        zkr_hpcs_poly_free(x.f[2]);
        x.f[2] = NULL;
        r[1] = mixed_open(p, &tp, half, 3, x.z, hv, &g);
        zkr_hpcs_poly_root(x.f[1], root);
        r[2] = mixed_open(p, &tp, x.f + 3, 1, x.z + (x.total - 12), x.v + 3, &g);
        zkr_tap_ok(t, r[0] == ZKR_ERR_USAGE && r[1] == ZKR_ERR_USAGE &&
                          memcmp(root, zero, sizeof root) == 0 && r[2] == ZKR_OK,
                   "prover: the base pair out of order (%d), a half pair (its second freed) "
                   "opened alone (%d): USAGE, charging nothing (member 3, blinded for one "
                   "opening, still opens: %d); the half pair's root reads as zeros", r[0], r[1],
                   r[2]);
        zkr_zkrng_wipe(&g);
        hm_free(&x);
    }
}

/* Proof bytes b (len) of x verified from a copy of tv with the masks fit and stack. */
static zkr_err verify_bytes(const zkr_params *p, const zkr_transcript *tv, const hm_fix *x,
                            uint32_t fit, uint32_t stack, const uint8_t *b, size_t len)
{
    zkr_transcript tc = *tv;
    zkr_dec d;
    zkr_err r;

    zkr_dec_init(&d, b, len);
    r = zkr_hpcs_verify_mixed_fit(p, &tc, x->c, x->k, fit, stack, x->z, x->v, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    return r;
}

/*
 * Where the first layer-0 joiner's opening starts in a mixed proof of x
 * (zkr_hm_parse's order: Z's root and b, the round messages, the layer
 * roots, the final polynomial, the nonce, then layer 0's full members' and
 * Z's openings, then its joiners'), its n_open and its leaf's bytes (words:
 * the leaf's words). 0 when the bytes do not parse so.
 */
static int first_join_at(const zkr_params *p, const hm_fix *x, uint32_t fit, size_t words,
                         const zkr_buf *pf, size_t *off, uint32_t *n_open, uint32_t *n_sib)
{
    unsigned totals[HM_MAX];
    zkr_hpcs_mixed_plan pl;
    const uint8_t *raw;
    zkr_dec d;
    size_t skip;

    for (size_t i = 0; i < x->k; i++)
        totals[i] = x->c[i].n_vars + x->c[i].blind_vars;
    if (zkr_hpcs_mixed_plan_of(p, totals, x->k, &pl) != ZKR_OK ||
        zkr_hpcs_mixed_plan_fit(fit, x->k, &pl) != ZKR_OK)
        return 0;
    skip = ZKR_DIGEST_BYTES + hm_vb(p) + (size_t)2 * hm_vb(p) * pl.l.folds_total +
           (size_t)ZKR_DIGEST_BYTES * (pl.l.n_layers - 1) + (hm_vb(p) << pl.l.final_vars) + 8;
    zkr_dec_init(&d, pf->p, pf->len);
    if (zkr_dec_raw(&d, skip, &raw) != ZKR_OK)
        return 0;
    for (size_t i = 0, j = 0; j <= pl.n_full; i++) {
        size_t w;
        if (j < pl.n_full && pl.d[i] != 0)
            continue;
        /* Z: one value of the opening's field */
        w = j < pl.n_full ? (size_t)(x->c[i].ext ? 3 : 1) << pl.l.folds[0] : hm_vb(p) / 8;
        j++;
        if (zkr_dec_u32(&d, n_open) != ZKR_OK || zkr_dec_u32(&d, n_sib) != ZKR_OK ||
            zkr_dec_raw(&d, (size_t)*n_open * (ZKR_SALT_BYTES + 8 * w), &raw) != ZKR_OK ||
            zkr_dec_raw(&d, (size_t)*n_sib * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
            return 0;
    }
    *off = d.pos;
    return zkr_dec_u32(&d, n_open) == ZKR_OK && zkr_dec_u32(&d, n_sib) == ZKR_OK &&
           zkr_dec_raw(&d, (size_t)*n_open * (ZKR_SALT_BYTES + 8 * words), &raw) == ZKR_OK &&
           zkr_dec_raw(&d, (size_t)*n_sib * ZKR_DIGEST_BYTES, &raw) == ZKR_OK;
}

/*
 * Adversarial review of the stacked pair (inference@2 version 9): the
 * verifier's stack mask and the prover's gate on the shapes the pair must
 * not take, each refused (USAGE) before a byte is read or anything is
 * charged: a full-size pair (members 0 and 1 of {16 ext, 16 ext, 13, 12},
 * its own proof refused by the prover's gate and a proof of the same
 * members in two trees read with the mask); a mask naming a joiner whose
 * partner is full-size, two joiners of different sizes under one root (the
 * root copied), and a chain (bits 2 and 3: member 2 both a pair's second
 * and the next pair's first).
 */
static void test_stack_rules(zkr_tap *t, const zkr_params *p)
{
    static const unsigned nf[4] = {10, 10, 8, 6}, tf[4] = {16, 16, 13, 12}, ef[4] = {1, 1, 0, 0};
    static const unsigned n[4] = {10, 8, 8, 6}, tot[4] = {16, 13, 13, 12}, ext[4] = {0, 1, 1, 0};
    static const uint32_t budget[4] = {2, 2, 2, 1};
    zkr_err full_prove = ZKR_ERR_INTERNAL, full_read = ZKR_ERR_INTERNAL, after = ZKR_ERR_INTERNAL;
    zkr_err partner = ZKR_ERR_INTERNAL, sizes = ZKR_ERR_INTERNAL, chain = ZKR_ERR_INTERNAL;
    zkr_buf pf = {0};
    hm_fix x;

    if (hm_make_fs(p, &x, nf, tf, ef, 4, budget, 3, 3, 2) == ZKR_OK) {
        full_prove = run_fit(p, &x, 3, 2, &pf);
        zkr_buf_free(&pf);
        /* nothing charged: every member's budget as committed */
        after = zkr_hpcs_budget_left(x.f[0]) == budget[0] &&
                        zkr_hpcs_budget_left(x.f[1]) == budget[1] &&
                        zkr_hpcs_budget_left(x.f[2]) == budget[2]
                    ? ZKR_OK
                    : ZKR_ERR_USAGE;
        hm_free(&x);
    }
    if (hm_make_fs(p, &x, nf, tf, ef, 4, budget, 3, 3, 0) == ZKR_OK) {
        full_read = run_fit(p, &x, 3, 2, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    if (hm_make_fs(p, &x, n, tot, ext, 4, budget, 1, 14, 4) == ZKR_OK) {
        zkr_transcript tp, tv;
        uint8_t key[32];
        zkr_zkrng g;
        zkr_err r;
        memset(key, 0x33, sizeof key);
        hm_ts(p, &tp);
        tv = tp;
        zkr_zkrng_from_key(&g, key);
        r = zkr_prover_hopen_mixed(p, &tp, x.f, x.k, x.z, x.v, &g, 1, &pf);
        zkr_zkrng_wipe(&g);
        if (r == ZKR_OK) {
            hm_fix y = x; /* the commitments only: the polynomials stay x's */
            memcpy(y.c[1].root, y.c[0].root, ZKR_DIGEST_BYTES);
            partner = verify_bytes(p, &tv, &y, 14, 2, pf.p, pf.len);
            y = x;
            memcpy(y.c[3].root, y.c[2].root, ZKR_DIGEST_BYTES);
            sizes = verify_bytes(p, &tv, &y, 14 | 8, 8, pf.p, pf.len);
            memcpy(y.c[3].root, y.c[1].root, ZKR_DIGEST_BYTES);
            chain = verify_bytes(p, &tv, &y, 14 | 8, 4 | 8, pf.p, pf.len);
        }
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    zkr_tap_ok(t, full_prove == ZKR_ERR_USAGE && full_read == ZKR_ERR_USAGE && after == ZKR_OK,
               "a full-size stacked pair: the prover's gate refuses it (%d), charging nothing "
               "(%d); two full-size trees read with the pair's mask: USAGE (%d)", full_prove,
               after, full_read);
    zkr_tap_ok(t, partner == ZKR_ERR_USAGE && sizes == ZKR_ERR_USAGE && chain == ZKR_ERR_USAGE,
               "stack masks over a full-size partner (%d), two sizes under one root (%d), a "
               "chained pair (%d): USAGE", partner, sizes, chain);
}

/*
 * The pair's one opening (members 1 and 2 of {16, 13 ext, 13 ext, 12},
 * 2-value leaves: salt, h's 6 words, phi's 6 words), byte by byte: every
 * byte of the first opened leaf (salt, the first member's half, the
 * second's), one byte of the second member's half of every opened leaf,
 * one of every sibling, n_open and n_sib moved by one either way, and the
 * proof cut inside the second member's half: none accepted, each VERIFY or
 * MALFORMED (ASan: no read past the opening).
 */
static void test_stack_flips(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[4] = {10, 8, 8, 6}, tot[4] = {16, 13, 13, 12}, ext[4] = {0, 1, 1, 0};
    static const uint32_t budget[4] = {2, 2, 2, 1};
    zkr_transcript tp, tv;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_buf pf = {0};
    hm_fix x;
    size_t off = 0, lb = 0, words = 0;
    uint32_t n_open = 0, n_sib = 0;
    unsigned tried = 0, accepted = 0, odd = 0, half = 0;
    zkr_err r = ZKR_ERR_INTERNAL, honest = ZKR_ERR_INTERNAL;
    uint8_t *b = NULL;
    int at = 0;

    memset(key, 0x61, sizeof key);
    if (hm_make_fs(p, &x, n, tot, ext, 4, budget, 1, 14, 4) != ZKR_OK)
        goto out;
    hm_ts(p, &tp);
    tv = tp;
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hopen_mixed(p, &tp, x.f, x.k, x.z, x.v, &g, 1, &pf);
    zkr_zkrng_wipe(&g);
    words = (size_t)6 << zkr_hpcs_mixed_fit_arity(p, 16, 13); /* both members' words */
    lb = ZKR_SALT_BYTES + 8 * words;
    half = ZKR_SALT_BYTES + 4 * (unsigned)words; /* the second member's first byte in a leaf */
    at = r == ZKR_OK && first_join_at(p, &x, 14, words, &pf, &off, &n_open, &n_sib);
    if (!at || !(b = malloc(pf.len)))
        goto out;
    honest = verify_bytes(p, &tv, &x, 14, 4, pf.p, pf.len);
    for (size_t m = 0; m < lb + n_open + n_sib + 5; m++) {
        size_t pos, len = pf.len;
        zkr_err v;
        memcpy(b, pf.p, pf.len);
        if (m < lb) { /* the first leaf, whole */
            pos = off + 8 + m;
        } else if (m < lb + n_open) { /* the second member's half of leaf m - lb */
            pos = off + 8 + (m - lb) * lb + half + (m % (4 * words));
        } else if (m < lb + n_open + n_sib) { /* sibling m - lb - n_open */
            pos = off + 8 + n_open * lb + (m - lb - n_open) * ZKR_DIGEST_BYTES + m % 32;
        } else if (m < lb + n_open + n_sib + 4) { /* the counts, +- 1 (their low bytes) */
            size_t c = m - lb - n_open - n_sib;
            pos = off + (c < 2 ? 3 : 7);
            b[pos] = (uint8_t)(b[pos] + (c % 2 ? 0xff : 1));
            pos = SIZE_MAX;
        } else { /* cut in the last leaf's second half */
            pos = SIZE_MAX;
            len = off + 8 + (n_open - 1) * lb + half + 8;
        }
        if (pos != SIZE_MAX)
            b[pos] ^= (uint8_t)(1u << (m % 8));
        v = verify_bytes(p, &tv, &x, 14, 4, b, len);
        tried++;
        accepted += v == ZKR_OK;
        odd += v != ZKR_OK && v != ZKR_ERR_VERIFY && v != ZKR_ERR_MALFORMED;
    }
out:
    zkr_tap_ok(t, honest == ZKR_OK && tried > 100 && accepted == 0 && odd == 0,
               "the stacked pair's opening (%u leaves of %zu bytes, %u siblings at byte %zu): "
               "the honest bytes verify (%d); %u flips, count changes and cuts: %u accepted, %u "
               "refused other than VERIFY / MALFORMED", n_open, lb, n_sib, off, honest, tried,
               accepted, odd);
    free(b);
    zkr_buf_free(&pf);
    hm_free(&x);
}

/*
 * A stacked pair joining past layer 0 (as inference@2's h and phi do at
 * 784-128-10), where the layer's own tree is parsed before the pair's
 * opening and the pair's view is read at sub-leaf steps: 12 ext, 12 ext
 * beside 16 and beside 17 (with a 13), the plan's layer and step named.
 * Each verifies; the pair's second member's value + 1 is refused, as is the
 * proof read without the stack mask.
 */
static void test_stack_layer1(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[2][4] = {{10, 6, 6, 8}, {11, 6, 6, 8}};
    static const unsigned tot[2][4] = {{16, 12, 12, 13}, {17, 12, 12, 13}};
    static const unsigned ext[4] = {0, 1, 1, 0};
    static const uint32_t budget[4] = {2, 1, 1, 2};

    for (int s = 0; s < 2; s++) {
        zkr_err r[3] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
        unsigned a = zkr_hpcs_mixed_fit_arity(p, tot[s][0], 12);
        zkr_hpcs_mixed_plan pl;
        zkr_buf pf = {0};
        hm_fix x;
        if (zkr_hpcs_mixed_plan_of(p, tot[s], 4, &pl) != ZKR_OK)
            memset(&pl, 0, sizeof pl);
        for (int i = 0; i < 3; i++) {
            if (hm_make_fs(p, &x, n[s], tot[s], ext, 4, budget, 2, 6, 4) != ZKR_OK)
                break;
            if (i == 1)
                x.v[2].c[1] = zkr_gl_add(x.v[2].c[1], 1);
            r[i] = run_fit(p, &x, 6, i == 2 ? 0 : 4, &pf);
            zkr_buf_free(&pf);
            hm_free(&x);
        }
        zkr_tap_ok(t, pl.layer[1] >= 1 && r[0] == ZKR_OK && r[1] == ZKR_ERR_VERIFY &&
                          r[2] != ZKR_OK,
                   "a stacked pair joining layer %u step %u (12 beside %u, %u-value leaves): "
                   "verifies (%d); the second member's value + 1: VERIFY (%d); read without "
                   "the mask: refused (%d)", pl.layer[1], pl.step[1], tot[s][0], 1u << a, r[0],
                   r[1], r[2]);
    }
}

/*
 * Adversarial review of the fitted leaves (inference@2 version 8). For
 * every parameter set, at its query count and at inference@2's cap
 * (2 queries, zkr_infer2_params), and every size pair 1 <= T_i <= T <=
 * max_vars: a pair the schedule takes has a fitted arity, the one
 * zkr_hpcs_mixed_plan_fit gives (folds[layer] - step, folds[0] full size),
 * and it is never past the member's own layer-0 arity, so the q 2^a
 * positions a fitted opening reveals stay within
 * zkr_hpcs_positions_per_open(T_i), what zkr_hpcs_blind_vars sized the
 * blinding for (the budget accounting still uses the layout's leaf: it is
 * conservative); a size that cannot join before the final polynomial, or a
 * layout that does not fold (T <= final_vars), has none and a fitted
 * member there is refused.
 */
static void test_fit_sweep(zkr_tap *t)
{
    static const uint32_t sets[3] = {ZKR_PARAM_SET_128, ZKR_PARAM_SET_128_R8,
                                     ZKR_PARAM_SET_128_R16};
    unsigned pairs = 0, bad = 0, over = 0, smaller = 0;

    for (int s = 0; s < 3; s++) {
        zkr_params p;
        if (zkr_params_get(sets[s], &p) != ZKR_OK) {
            bad++;
            continue;
        }
        for (unsigned q = p.queries; q <= 2 * p.queries; q += p.queries) {
            zkr_params pq = p;
            pq.queries = q;
            for (unsigned T = 1; T <= pq.max_vars; T++)
                for (unsigned Ti = 1; Ti <= T; Ti++) {
                    unsigned two[2] = {T, Ti}, a = zkr_hpcs_mixed_fit_arity(&pq, T, Ti);
                    zkr_hpcs_mixed_plan pl;
                    zkr_pcs_layout own, hl;
                    zkr_hpcs_layout_of(&pq, T, &hl);
                    if (hl.folds_total == 0 || (T - Ti >= hl.folds_total && T != Ti)) {
                        /* nothing folds, or it joins past the fold: no fitted arity, refused */
                        bad += a != 0 || (zkr_hpcs_mixed_plan_of(&pq, two, 2, &pl) == ZKR_OK &&
                                          zkr_hpcs_mixed_plan_fit(3, 2, &pl) == ZKR_OK);
                        continue;
                    }
                    if (zkr_hpcs_mixed_plan_of(&pq, two, 2, &pl) != ZKR_OK)
                        continue;
                    pairs++;
                    zkr_pcs_layout_of(&pq, Ti, &own);
                    if (a == 0 || zkr_hpcs_mixed_plan_fit(2, 2, &pl) != ZKR_OK ||
                        pl.arity[1] != a ||
                        a != (pl.d[1] ? pl.l.folds[pl.layer[1]] - pl.step[1] : pl.l.folds[0]))
                        bad++;
                    if (a > own.folds[0] ||
                        ((uint64_t)q << a) > zkr_hpcs_positions_per_open(&pq, Ti))
                        over++;
                    smaller += a < own.folds[0];
                }
        }
    }
    zkr_tap_ok(t, bad == 0 && over == 0 && pairs > 0 && smaller > 0,
               "fitted arities at sets 1-3, q and 2q, every pair the schedule takes (%u): the "
               "plan's own (%u differ), never past the member's layer-0 leaf, so within the "
               "positions its blinding covers (%u over); %u pairs reveal fewer",
               pairs, bad, over, smaller);
}

/*
 * Shapes where the fit mask and the sizes could disagree: a member of a
 * fitted member's size that is not fitted (inference@2: a record or a
 * hidden output of V's size) beside it, and a fitted member of full size
 * (T_A = V's n + e, V's leaves are layer 0's). The honest mask verifies;
 * the mask naming the other of two same-size members, or both, is refused
 * (the unfitted tree read at the fitted depth and back); for a full-size
 * member the bit changes no reading (its fitted arity is folds[0]), and
 * the fitted full-size polynomial is still refused by a plain opening.
 */
static void test_fit_same_size(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[4] = {10, 8, 8, 6}, tot[4] = {16, 13, 13, 12}, ext[4] = {0, 1, 1, 0};
    static const unsigned nf[3] = {8, 8, 6}, totf[3] = {13, 13, 12}, extf[3] = {1, 0, 0};
    static const uint32_t budget[4] = {2, 2, 2, 1}, bf[3] = {2, 2, 1};
    static const uint32_t masks[4] = {2 | 8, 4 | 8, 2 | 4 | 8, 8};
    zkr_err r[4], rf[2] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL}, rp = ZKR_ERR_INTERNAL;
    zkr_buf pf = {0};
    hm_fix x;

    for (int i = 0; i < 4; i++) {
        r[i] = ZKR_ERR_INTERNAL;
        if (hm_make_fit(p, &x, n, tot, ext, 4, budget, 4, 2 | 8) == ZKR_OK)
            r[i] = run_fit(p, &x, masks[i], 0, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && r[1] != ZKR_OK && r[2] != ZKR_OK && r[3] != ZKR_OK,
               "{16, 13 fitted, 13 unfitted, 12 fitted}: the honest mask verifies (%d); the "
               "other 13 named (%d), both (%d), neither (%d): refused", r[0], r[1], r[2], r[3]);
    for (int i = 0; i < 2; i++) {
        if (hm_make_fit(p, &x, nf, totf, extf, 3, bf, 5, 1 | 4) == ZKR_OK)
            rf[i] = run_fit(p, &x, i ? 4 : 1 | 4, 0, &pf);
        zkr_buf_free(&pf);
        if (i == 1 && x.f[0]) {
            zkr_transcript tp;
            zkr_zkrng g;
            uint8_t key[32] = {9};
            hm_ts(p, &tp);
            zkr_zkrng_from_key(&g, key);
            rp = plain_open(p, &tp, &x, 0, &g);
            zkr_zkrng_wipe(&g);
        }
        hm_free(&x);
    }
    zkr_tap_ok(t, zkr_hpcs_mixed_fit_arity(p, 13, 13) == 4 && rf[0] == ZKR_OK &&
                      rf[1] == ZKR_OK && rp == ZKR_ERR_USAGE,
               "{13 fitted (full size), 13, 12 fitted}: verifies with the full-size bit (%d) and "
               "without it (%d, the same layer-0 leaves); the fitted full-size polynomial in a "
               "plain opening: USAGE (%d)", rf[0], rf[1], rp);
}

/* Fitted members at parameter sets 2 and 3 (other layouts, other arities): accept and reject. */
static void test_fit_sets(zkr_tap *t)
{
    static const uint32_t sets[2] = {ZKR_PARAM_SET_128_R8, ZKR_PARAM_SET_128_R16};

    for (int s = 0; s < 2; s++) {
        zkr_params p;
        zkr_err r[2] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
        zkr_buf pf = {0};
        hm_fix x;
        if (zkr_params_get(sets[s], &p) != ZKR_OK)
            break;
        for (int i = 0; i < 2; i++) {
            if (hm_make_fit(&p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
                if (i)
                    x.v[2].c[0] = zkr_gl_add(x.v[2].c[0], 1);
                r[i] = run_fit(&p, &x, 12, 0, &pf);
            }
            zkr_buf_free(&pf);
            hm_free(&x);
        }
        zkr_tap_ok(t, r[0] == ZKR_OK && r[1] == ZKR_ERR_VERIFY,
                   "set %u: fitted 13 (arity %u) and 12 (arity %u) beside 16 verify (%d); the "
                   "13's value + 1: VERIFY (%d)", (unsigned)sets[s],
                   zkr_hpcs_mixed_fit_arity(&p, 16, 13), zkr_hpcs_mixed_fit_arity(&p, 16, 12),
                   r[0], r[1]);
    }
}

/*
 * A fitted proof of {16, 16, 13, 12} (members 2 and 3 fitted), mutated:
 * one bit flipped at every 251st byte, every 503rd truncation and one
 * trailing byte. None may verify (with the sanitizers: none may read out
 * of bounds); every refusal is VERIFY or MALFORMED.
 */
static void test_fit_mutations(zkr_tap *t, const zkr_params *p)
{
    zkr_transcript tp, tv;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_buf pf = {0};
    hm_fix x;
    unsigned tried = 0, accepted = 0, odd = 0;
    zkr_err r = ZKR_ERR_INTERNAL;

    memset(key, 0x5a, sizeof key);
    if (hm_make_fit(p, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1, 12) == ZKR_OK) {
        hm_ts(p, &tp);
        tv = tp;
        zkr_zkrng_from_key(&g, key);
        r = zkr_prover_hopen_mixed(p, &tp, x.f, x.k, x.z, x.v, &g, 1, &pf);
        zkr_zkrng_wipe(&g);
    }
    for (size_t m = 0; r == ZKR_OK && m < pf.len + 1; m++) {
        int flip = m % 251 == 0 && m < pf.len, cut = m % 503 == 1, grow = m == pf.len;
        zkr_transcript tc = tv;
        uint8_t *b;
        size_t len = cut ? m : grow ? pf.len + 1 : pf.len;
        zkr_dec d;
        zkr_err v;
        if (!flip && !cut && !grow)
            continue;
        if (!(b = malloc(pf.len + 1)))
            break;
        memcpy(b, pf.p, pf.len);
        b[pf.len] = 0;
        if (flip)
            b[m] ^= (uint8_t)(1u << (m % 8));
        zkr_dec_init(&d, b, len);
        v = zkr_hpcs_verify_mixed_fit(p, &tc, x.c, x.k, 12, 0, x.z, x.v, &d);
        if (v == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
            v = ZKR_ERR_MALFORMED;
        tried++;
        accepted += v == ZKR_OK;
        odd += v != ZKR_OK && v != ZKR_ERR_VERIFY && v != ZKR_ERR_MALFORMED;
        free(b);
    }
    zkr_tap_ok(t, r == ZKR_OK && tried > 100 && accepted == 0 && odd == 0,
               "a fitted proof (%zu bytes) flipped, truncated or extended %u times: %u accepted, "
               "%u refused other than VERIFY / MALFORMED", pf.len, tried, accepted, odd);
    zkr_buf_free(&pf);
    hm_free(&x);
}

/*
 * Base-valued stacked pairs (zkr_prover_hcommit_pair_fit_pool; inference@2
 * version 10's V and m; adversarial review): members {16, 13, 13, 12}, 1
 * and 2 base-valued of different n (9 and 8, budgets 2 and 1) committed
 * as one pair with fitted leaves: one root, each member's own sizes, the
 * proof verifies under the stack mask; its twins: the second's value + 1,
 * the two values swapped, the proof read as two trees: refused; the
 * commit's USAGE cases. Half pairs: freeing either partner leaves the
 * other's root zeros and every prover opening refuses it (USAGE), the
 * owner freed first included (ASan: no read of its freed tree); control:
 * the same three members, never stacked, open.
 */
static zkr_err base_pair(const zkr_params *p, hm_fix *x, unsigned a, unsigned arity_over)
{
    static const unsigned n[2] = {9, 8};
    static const uint32_t budget[2] = {2, 1};
    zkr_gl *e[2] = {NULL, NULL};
    zkr_hpcs_pair_member mm[2];
    uint8_t key[32] = {0x5a};
    zkr_zkrng g;
    zkr_err r = ZKR_ERR_NOMEM;

    zkr_hpcs_poly_free(x->f[1]);
    zkr_hpcs_poly_free(x->f[2]);
    x->f[1] = x->f[2] = NULL;
    for (int i = 0; i < 2; i++) {
        size_t len = (size_t)1 << n[i];
        if (!(e[i] = malloc(len * sizeof *e[i])))
            goto out;
        for (size_t j = 0; j < len; j++)
            e[i][j] = (zkr_gl)((j * 7 + (size_t)i * 3) % 256);
        mm[i].evals = e[i];
        mm[i].n_vars = n[i];
        mm[i].budget = budget[i];
    }
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hcommit_pair_fit_pool(p, &mm[0], &mm[1], 13, a + arity_over, NULL, &g, 1,
                                         &x->f[1], &x->f[2], &x->c[1], &x->c[2]);
    zkr_zkrng_wipe(&g);
    if (r == ZKR_OK)
        for (size_t m = 1; m <= 2; m++)
            x->v[m] = hm_value(x->f[m], x->z + (x->total - zkr_hpcs_poly_total_vars(x->f[m])));
out:
    free(e[0]);
    free(e[1]);
    return r;
}

static void test_base_pair(zkr_tap *t, const zkr_params *p)
{
    static const unsigned n[4] = {10, 9, 8, 6}, tot[4] = {16, 13, 13, 12}, ext[4] = {0, 0, 0, 1};
    static const uint32_t budget[4] = {2, 2, 1, 1};
    unsigned a = zkr_hpcs_mixed_fit_arity(p, 16, 13);
    zkr_err r[6], rh[4];
    zkr_buf pf = {0};
    hm_fix x;
    int same = 0, usage = 0;

    for (int i = 0; i < 6; i++)
        r[i] = ZKR_ERR_INTERNAL;
    for (int i = 0; i < 4; i++)
        rh[i] = ZKR_ERR_INTERNAL;
    for (int i = 0; i < 4; i++) {
        if (hm_make_fit(p, &x, n, tot, ext, 4, budget, 3, 6) != ZKR_OK ||
            (r[0] = base_pair(p, &x, a, 0)) != ZKR_OK)
            break;
        if (i == 0)
            same = memcmp(x.c[1].root, x.c[2].root, ZKR_DIGEST_BYTES) == 0 &&
                   x.c[1].n_vars == 9 && x.c[2].n_vars == 8 && x.c[1].blind_vars == 4 &&
                   x.c[2].blind_vars == 5 && !x.c[1].ext && !x.c[2].ext;
        if (i == 1)
            x.v[2].c[0] = zkr_gl_add(x.v[2].c[0], 1);
        if (i == 2) {
            zkr_ext v = x.v[1];
            x.v[1] = x.v[2];
            x.v[2] = v;
        }
        r[1 + i] = run_fit(p, &x, 6, i == 3 ? 0 : 4, &pf);
        zkr_buf_free(&pf);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && same && r[1] == ZKR_OK,
               "a base-valued stacked pair (n 9 and 8, one size) has one root and each member's "
               "sizes, and verifies under the stack mask (%d)", r[1]);
    zkr_tap_ok(t, r[2] == ZKR_ERR_VERIFY && r[3] == ZKR_ERR_VERIFY && r[4] != ZKR_OK,
               "its twins: the second's value + 1 (%d), the two values swapped (%d), read as two "
               "trees (%d): refused", r[2], r[3], r[4]);
    if (hm_make_fit(p, &x, n, tot, ext, 4, budget, 3, 6) == ZKR_OK) {
        zkr_hpcs_pair_member m0 = {NULL, 9, 2}, m1 = {NULL, 8, 1};
        zkr_hpcs_poly *pa = NULL, *pb = NULL;
        zkr_hpcs_commitment ca, cb;
        zkr_gl e[512] = {0};
        zkr_zkrng g;
        uint8_t key[32] = {1};
        zkr_zkrng_from_key(&g, key);
        m1.evals = e;
        usage = zkr_prover_hcommit_pair_fit_pool(p, &m0, &m1, 13, a, NULL, &g, 1, &pa, &pb, &ca,
                                                 &cb) == ZKR_ERR_USAGE && !pa && !pb;
        m0.evals = e;
        usage &= zkr_prover_hcommit_pair_fit_pool(p, &m0, &m1, 13, 0, NULL, &g, 1, &pa, &pb,
                                                  &ca, &cb) == ZKR_ERR_USAGE && !pa && !pb;
        m0.budget = 0;
        usage &= zkr_prover_hcommit_pair_fit_pool(p, &m0, &m1, 13, a, NULL, &g, 1, &pa, &pb, &ca,
                                                  &cb) == ZKR_ERR_USAGE && !pa && !pb;
        zkr_zkrng_wipe(&g);
        hm_free(&x);
    }
    zkr_tap_ok(t, usage, "the pair's commit: NULL entries, leaf arity 0, budget 0: USAGE, nothing "
               "returned");
    /* half pairs: the second freed (rh 0, 1), then the owner freed first (rh 2, 3) */
    for (int owner = 0; owner < 2; owner++) {
        if (hm_make_fit(p, &x, n, tot, ext, 4, budget, 3, 6) != ZKR_OK ||
            base_pair(p, &x, a, 0) != ZKR_OK)
            break;
        {
            size_t gone = owner ? 1 : 2, kept = owner ? 2 : 1;
            uint8_t root[ZKR_DIGEST_BYTES], zero[ZKR_DIGEST_BYTES] = {0};
            zkr_hpcs_poly *f3[3] = {x.f[0], x.f[kept], x.f[3]};
            zkr_ext v3[3] = {x.v[0], x.v[kept], x.v[3]};
            zkr_transcript tp;
            zkr_zkrng g;
            uint8_t key[32] = {7};
            zkr_hpcs_poly_free(x.f[gone]);
            x.f[gone] = NULL;
            zkr_hpcs_poly_root(x.f[kept], root);
            hm_ts(p, &tp);
            zkr_zkrng_from_key(&g, key);
            rh[2 * owner] = mixed_open(p, &tp, f3, 3, x.z, v3, &g);
            rh[2 * owner + 1] = plain_open(p, &tp, &x, kept, &g);
            if (memcmp(root, zero, sizeof root) != 0)
                rh[2 * owner] = ZKR_ERR_INTERNAL;
            zkr_zkrng_wipe(&g);
        }
        hm_free(&x);
    }
    /* control: the same three members, member 1 fitted but never stacked, open */
    if (hm_make_fit(p, &x, n, tot, ext, 4, budget, 3, 6) == ZKR_OK) {
        zkr_hpcs_poly *f3[3] = {x.f[0], x.f[1], x.f[3]};
        zkr_ext v3[3] = {x.v[0], x.v[1], x.v[3]};
        zkr_transcript tp;
        zkr_zkrng g;
        uint8_t key[32] = {7};
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        if (mixed_open(p, &tp, f3, 3, x.z, v3, &g) != ZKR_OK)
            rh[0] = ZKR_ERR_INTERNAL;
        zkr_zkrng_wipe(&g);
        hm_free(&x);
    } else {
        rh[0] = ZKR_ERR_INTERNAL;
    }
    zkr_tap_ok(t, rh[0] == ZKR_ERR_USAGE && rh[1] == ZKR_ERR_USAGE && rh[2] == ZKR_ERR_USAGE &&
                      rh[3] == ZKR_ERR_USAGE,
               "half pairs: the second freed, the first's root zeros and its mixed (%d) and "
               "plain (%d) openings USAGE; the owner freed, the second's likewise (%d, %d); "
               "the same members unstacked open (control)",
               rh[0], rh[1], rh[2], rh[3]);
}

/*
 * A stacked group (inference@2 version 14's W'): members 0..ng-1 of
 * {16, 16, 16, 13 ext, 16 ext} (base-valued, 10, 9 and 8 hidden variables,
 * budgets 2, 2, 1) committed as one group by zkr_prover_hcommit_stack_pool
 * when ng >= 2, else each in its own tree; the rest as hm_make_fs does.
 */
static const unsigned hg_n[5] = {10, 9, 8, 8, 9}, hg_tot[5] = {16, 16, 16, 13, 16};
static const unsigned hg_ext[5] = {0, 0, 0, 1, 1};
static const uint32_t hg_budget[5] = {2, 2, 1, 2, 2};

static zkr_err hg_make(const zkr_params *p, hm_fix *x, size_t ng)
{
    zkr_hpcs_pair_member ms[3];
    zkr_gl *b[3] = {NULL, NULL, NULL};
    uint8_t key[32];
    zkr_zkrng g;
    zkr_err r;

    /* members 3 and 4 (and 0..2 unstacked) as the fixture makes them, then the group 0..ng-1 */
    if ((r = hm_make_fs(p, x, hg_n, hg_tot, hg_ext, 5, hg_budget, 5, 0, 0)) != ZKR_OK || ng < 2)
        return r;
    for (size_t m = 0; m < ng; m++) {
        zkr_hpcs_poly_free(x->f[m]);
        x->f[m] = NULL;
        b[m] = hm_base_entries((size_t)1 << hg_n[m], m, 5);
        ms[m] = (zkr_hpcs_pair_member){b[m], hg_n[m], hg_budget[m]};
    }
    memset(key, 0x5a, sizeof key);
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hcommit_stack_pool(p, ms, ng, 16, NULL, &g, 1, x->f, x->c);
    zkr_zkrng_wipe(&g);
    for (size_t m = 0; m < ng; m++) {
        free(b[m]);
        if (r == ZKR_OK)
            x->v[m] = hm_value(x->f[m], x->z);
    }
    return r;
}

/* Where the first full-size member's layer-0 opening starts (its n_open), as first_join_at. */
static int hg_first_full_at(const zkr_params *p, const hm_fix *x, size_t *off)
{
    unsigned totals[HM_MAX];
    zkr_hpcs_mixed_plan pl;

    for (size_t i = 0; i < x->k; i++)
        totals[i] = x->c[i].n_vars + x->c[i].blind_vars;
    if (zkr_hpcs_mixed_plan_of(p, totals, x->k, &pl) != ZKR_OK)
        return 0;
    *off = ZKR_DIGEST_BYTES + hm_vb(p) + (size_t)2 * hm_vb(p) * pl.l.folds_total +
           (size_t)ZKR_DIGEST_BYTES * (pl.l.n_layers - 1) + (hm_vb(p) << pl.l.final_vars) + 8;
    return 1;
}

/*
 * The stacked group of full-size base-valued members (inference@2 version
 * 14): three full-size members in one tree verify under the stack mask
 * 0b110, in fewer bytes than in three trees, byte-identical under one key.
 * The reject twins: the group's proof read as three trees; three trees'
 * proof read as a group (roots differ: USAGE); a group member's value + 1;
 * two members' entries swapped in every opened leaf (the Merkle check
 * binds each member's place); the verifier told a group of two (a leaf
 * one member wider than it reads) or of four running on into a joiner
 * (USAGE, its root copied); one member's root tampered (USAGE);
 * the proof cut inside the group's first leaf. The prover's side: the
 * group out of order, a part of a group (a member freed) and a member in
 * a plain opening are refused (USAGE), and its members' roots are one.
 */
static void test_stack_group(zkr_tap *t, const zkr_params *p)
{
    zkr_err r[12];
    zkr_buf pf = {0}, pf2 = {0}, sep = {0};
    hm_fix x, y;
    size_t off = 0;
    int one_root = 0, same = 0;

    for (int i = 0; i < 12; i++)
        r[i] = ZKR_ERR_INTERNAL;
    if (hg_make(p, &x, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "fixture: a stacked group of three full-size members");
        return;
    }
    one_root = memcmp(x.c[0].root, x.c[1].root, ZKR_DIGEST_BYTES) == 0 &&
               memcmp(x.c[0].root, x.c[2].root, ZKR_DIGEST_BYTES) == 0 && x.c[1].n_vars == 9 &&
               x.c[2].n_vars == 8 && x.c[2].blind_vars == 8;
    r[0] = run_fit(p, &x, 0, 6, &pf);
    if (hg_make(p, &y, 3) == ZKR_OK) {
        same = run_fit(p, &y, 0, 6, &pf2) == ZKR_OK && pf2.len == pf.len &&
               memcmp(pf.p, pf2.p, pf.len) == 0;
        hm_free(&y);
    }
    if (hg_make(p, &y, 0) == ZKR_OK) {
        r[1] = run_fit(p, &y, 0, 0, &sep);
        hm_free(&y);
    }
    if (hg_make(p, &y, 0) == ZKR_OK) {
        zkr_transcript tv;
        hm_ts(p, &tv);
        r[2] = verify_bytes(p, &tv, &x, 0, 0, pf.p, pf.len);   /* group read as three trees */
        r[3] = verify_bytes(p, &tv, &y, 0, 6, sep.p, sep.len); /* three trees read as a group */
        hm_free(&y);
    }
    {
        zkr_transcript tv;
        hm_fix w = x;
        zkr_buf b = {0};
        hm_ts(p, &tv);
        w.v[2].c[0] = zkr_gl_add(w.v[2].c[0], 1);
        r[4] = verify_bytes(p, &tv, &w, 0, 6, pf.p, pf.len);
        w = x;
        r[5] = verify_bytes(p, &tv, &w, 0, 2, pf.p, pf.len); /* a group of two */
        memcpy(w.c[3].root, w.c[0].root, ZKR_DIGEST_BYTES);
        r[6] = verify_bytes(p, &tv, &w, 0, 6 | 8, pf.p, pf.len); /* run on into joiner 3 */
        w = x;
        w.c[1].root[7] ^= 1;
        r[7] = verify_bytes(p, &tv, &w, 0, 6, pf.p, pf.len);
        if (hg_first_full_at(p, &x, &off) && zkr_buf_append(&b, pf.p, pf.len) == ZKR_OK &&
            off + 8 <= b.len) {
            size_t wm = (size_t)1 << zkr_hpcs_mixed_fit_arity(p, 16, 16);
            size_t lb = ZKR_SALT_BYTES + 8 * 3 * wm, base = off + 8;
            uint32_t no = zkr_load_be32(b.p + off);
            uint8_t tmp[8 * 64];
            for (uint32_t j = 0; j < no && base + (j + 1) * lb <= b.len && wm <= 64; j++) {
                uint8_t *leaf = b.p + base + j * lb + ZKR_SALT_BYTES;
                memcpy(tmp, leaf, 8 * wm);
                memcpy(leaf, leaf + 8 * wm, 8 * wm);
                memcpy(leaf + 8 * wm, tmp, 8 * wm);
            }
            r[8] = verify_bytes(p, &tv, &x, 0, 6, b.p, b.len);
            r[9] = verify_bytes(p, &tv, &x, 0, 6, pf.p, base + lb / 2); /* cut in the first leaf */
        }
        zkr_buf_free(&b);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK && one_root && same && r[1] == ZKR_OK && pf.len < sep.len,
               "a stacked group of three full-size base members verifies (%d), one root (%d), "
               "byte-identical under one key (%d): %zu bytes against %zu in three trees (%d)",
               r[0], one_root, same, pf.len, sep.len, r[1]);
    zkr_tap_ok(t, r[2] != ZKR_OK && r[3] == ZKR_ERR_USAGE && r[4] == ZKR_ERR_VERIFY &&
                      r[5] != ZKR_OK && r[6] == ZKR_ERR_USAGE && r[7] == ZKR_ERR_USAGE &&
                      r[8] == ZKR_ERR_VERIFY && r[9] != ZKR_OK,
               "its twins: read as three trees (%d), three trees read as a group (%d), a "
               "member's value + 1 (%d), a group of two told (%d), a group run on into a "
               "joiner (%d), a member's root tampered (%d), two "
               "members' entries swapped in every leaf (%d), cut inside a leaf (%d)",
               r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]);
    hm_free(&x);
    if (hg_make(p, &x, 3) == ZKR_OK) {
        zkr_transcript tp;
        zkr_zkrng g;
        uint8_t key[32] = {9};
        zkr_hpcs_poly *swapped[5] = {x.f[1], x.f[0], x.f[2], x.f[3], x.f[4]};
        zkr_ext sv[5] = {x.v[1], x.v[0], x.v[2], x.v[3], x.v[4]};
        zkr_hpcs_poly *part[4] = {x.f[0], x.f[1], x.f[3], x.f[4]};
        zkr_ext pv[4] = {x.v[0], x.v[1], x.v[3], x.v[4]};
        uint8_t root[ZKR_DIGEST_BYTES], zero[ZKR_DIGEST_BYTES] = {0};
        zkr_ext rho = zkr_ext_from(3);
        zkr_hpcs_poly *mask = NULL;
        hm_ts(p, &tp);
        zkr_zkrng_from_key(&g, key);
        r[10] = mixed_open(p, &tp, swapped, 5, x.z, sv, &g);
        if (zkr_prover_hmask(p, 16, &g, 1, &mask, root) == ZKR_OK) {
            zkr_buf b = {0};
            r[11] = zkr_prover_hopen(p, &tp, x.f[1], mask, rho, x.z, x.v[1], &g, 1, &b);
            zkr_buf_free(&b);
            zkr_hpcs_poly_free(mask);
        }
        zkr_hpcs_poly_free(x.f[2]);
        x.f[2] = NULL;
        r[0] = mixed_open(p, &tp, part, 4, x.z, pv, &g);
        zkr_hpcs_poly_root(x.f[0], root);
        zkr_tap_ok(t, r[10] == ZKR_ERR_USAGE && r[11] == ZKR_ERR_USAGE && r[0] == ZKR_ERR_USAGE &&
                          memcmp(root, zero, sizeof root) == 0 &&
                          zkr_hpcs_budget_left(x.f[0]) == hg_budget[0],
                   "prover: the group out of order (%d), a member in a plain opening (%d), a "
                   "part of a group (one member freed, %d): USAGE, charging nothing; the part's "
                   "root reads as zeros", r[10], r[11], r[0]);
        zkr_zkrng_wipe(&g);
        hm_free(&x);
    }
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
    zkr_buf_free(&sep);
}

/* Verifies bytes b as member i's lone opening of a group of n (n < 2: a plain k = 1 batch). */
static zkr_err hg_lone_verify(const zkr_params *p, const zkr_transcript *tv, const hm_fix *x,
                              size_t i, zkr_ext v, unsigned n, unsigned gi, const zkr_buf *b)
{
    zkr_transcript tc = *tv;
    zkr_dec d;
    zkr_err r;

    zkr_dec_init(&d, b->p, b->len);
    r = n < 2 ? zkr_hpcs_verify_batch(p, &tc, &x->c[i], 1, x->z, &v, &d)
              : zkr_hpcs_verify_batch_stacked(p, &tc, &x->c[i], x->z, v, n, gi, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    return r;
}

/*
 * (adversarial review) A stacked group's member opened alone
 * (zkr_prover_hopen_batch, k 1; the model range proof of a version 4
 * model commitment): its opening's leaves hold every member's entries, the
 * verifier reads member grp_i's. Accepts as member 1 of 3; refused read
 * as member 0 or 2 (another layer's view at the same leaves), as a group
 * of 2 or 4 (another leaf width), as a plain opening of its own tree, with
 * its value + 1, cut short. Zero knowledge: the opening shows the other
 * members' entries, which their caller pre-charges for one such opening of
 * each member, so a second lone opening of member 1 is refused (USAGE,
 * nothing charged) while member 0's first goes through.
 */
static void test_stack_lone(zkr_tap *t, const zkr_params *p)
{
    zkr_transcript tp, tv;
    zkr_buf pf = {0}, pf2 = {0}, pf0 = {0}, cut = {0};
    zkr_err r[10];
    uint32_t left1 = 0, left1b = 0;
    uint8_t key[32];
    zkr_zkrng g;
    hm_fix x;

    for (int i = 0; i < 10; i++)
        r[i] = ZKR_ERR_INTERNAL;
    if (hg_make(p, &x, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "fixture: a stacked group of three full-size members");
        return;
    }
    memset(key, 0x3c, sizeof key);
    zkr_zkrng_from_key(&g, key);
    hm_ts(p, &tp);
    tv = tp;
    r[0] = zkr_prover_hopen_batch(p, &tp, &x.f[1], 1, x.z, &x.v[1], &g, 1, &pf);
    if (r[0] == ZKR_OK) {
        zkr_ext v1 = x.v[1];
        r[1] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 3, 1, &pf);
        r[2] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 3, 0, &pf);
        r[3] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 3, 2, &pf);
        r[4] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 2, 1, &pf);
        r[5] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 4, 1, &pf);
        r[6] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 0, 0, &pf);
        v1.c[0] = zkr_gl_add(v1.c[0], 1);
        r[7] = hg_lone_verify(p, &tv, &x, 1, v1, 3, 1, &pf);
        if (zkr_buf_append(&cut, pf.p, pf.len - 1) == ZKR_OK)
            r[8] = hg_lone_verify(p, &tv, &x, 1, x.v[1], 3, 1, &cut);
    }
    left1 = zkr_hpcs_budget_left(x.f[1]);
    hm_ts(p, &tp);
    r[9] = zkr_prover_hopen_batch(p, &tp, &x.f[1], 1, x.z, &x.v[1], &g, 1, &pf2);
    left1b = zkr_hpcs_budget_left(x.f[1]);
    zkr_tap_ok(t, r[0] == ZKR_OK && r[1] == ZKR_OK && r[2] == ZKR_ERR_VERIFY &&
                      r[3] == ZKR_ERR_VERIFY && r[4] != ZKR_OK && r[5] != ZKR_OK &&
                      r[6] != ZKR_OK && r[7] == ZKR_ERR_VERIFY && r[8] != ZKR_OK,
               "a group member opened alone verifies as member 1 of 3 (%d); refused read as "
               "member 0 (%d) or 2 (%d), as a group of 2 (%d) or 4 (%d), as its own tree "
               "(%d), its value + 1 (%d), cut short (%d)", r[1], r[2], r[3], r[4], r[5],
               r[6], r[7], r[8]);
    hm_ts(p, &tp);
    r[0] = zkr_prover_hopen_batch(p, &tp, &x.f[0], 1, x.z, &x.v[0], &g, 1, &pf0);
    zkr_tap_ok(t, r[9] == ZKR_ERR_USAGE && pf2.len == 0 && left1b == left1 && left1 > 0 &&
                      r[0] == ZKR_OK,
               "a member's second lone opening is refused (%d, %zu bytes), nothing charged "
               "(%u left of its budget, %u before); another member's first goes through (%d)",
               r[9], pf2.len, left1b, left1, r[0]);
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
    zkr_buf_free(&pf0);
    zkr_buf_free(&cut);
    hm_free(&x);
}

/*
 * An F_p^6 opening's own twins (p6->mixed_ext6): the second half (y's part)
 * of b, of the first round message and of the final polynomial's first
 * value moved; about 40 bytes flipped, one at a time, spread evenly over the
 * whole proof (each field's bytes are hit: the stride is odd); the proof read
 * by an F_p^3 verifier, and an F_p^3 proof of the same members read by an
 * F_p^6 one; none accepted. Its size against the F_p^3 opening's.
 */
static void test_ext6_twins(zkr_tap *t, const zkr_params *p6)
{
    zkr_params p3 = *p6;
    zkr_buf pf = {0}, p3f = {0};
    zkr_hpcs_mixed_plan pl;
    size_t at_b, at_msg, at_fin, stride;
    unsigned refused = 0, tried = 0, other = 0;
    zkr_err r1 = ZKR_ERR_INTERNAL, rb, rm, rf, x63 = ZKR_ERR_INTERNAL, x36 = ZKR_ERR_INTERNAL;
    hm_fix x;

    p3.mixed_ext6 = 0;
    if (hm_make(p6, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1) != ZKR_OK ||
        zkr_hpcs_mixed_plan_of(p6, hm_tot, 4, &pl) != ZKR_OK) {
        zkr_tap_ok(t, 0, "F_p^6 twins: setup");
        return;
    }
    r1 = run(p6, &x, x.c, x.v, x.v, 7, &pf, SIZE_MAX, 0);
    hm_free(&x);
    at_b = ZKR_DIGEST_BYTES + ZKR_EXT_BYTES;
    at_msg = ZKR_DIGEST_BYTES + ZKR_EXT6_BYTES + ZKR_EXT_BYTES;
    at_fin = ZKR_DIGEST_BYTES + ZKR_EXT6_BYTES + (size_t)2 * ZKR_EXT6_BYTES * pl.l.folds_total +
             (size_t)ZKR_DIGEST_BYTES * (pl.l.n_layers - 1) + ZKR_EXT_BYTES;
    rb = fresh_run(p6, 1, NULL, -1, at_b, 0, &p3f);
    rm = fresh_run(p6, 1, NULL, -1, at_msg, 0, &p3f);
    rf = fresh_run(p6, 1, NULL, -1, at_fin, 0, &p3f);
    zkr_tap_ok(t, r1 == ZKR_OK && rb == ZKR_ERR_VERIFY && rm == ZKR_ERR_VERIFY &&
                      rf == ZKR_ERR_VERIFY,
               "F_p^6 opening verifies (%d, %zu bytes); the y half of b (%d), of the first "
               "round message (%d), of the final polynomial's first value (%d) moved: VERIFY",
               r1, pf.len, rb, rm, rf);
    stride = (pf.len / 41) | 1;
    for (size_t at = 0; r1 == ZKR_OK && at < pf.len; at += stride) {
        zkr_err r = fresh_run(p6, 1, NULL, -1, at, 0, &p3f);
        tried++;
        refused += r != ZKR_OK;
        other += r != ZKR_OK && r != ZKR_ERR_VERIFY && r != ZKR_ERR_MALFORMED;
    }
    zkr_tap_ok(t, tried > 0 && refused == tried && other == 0,
               "a byte every %zu flipped (%u proofs): %u refused, %u other than VERIFY / "
               "MALFORMED", stride, tried, refused, other);
    if (hm_make(p6, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1) == ZKR_OK) {
        zkr_transcript tv;
        zkr_dec d;
        hm_ts(&p3, &tv);
        zkr_dec_init(&d, pf.p, pf.len);
        x63 = zkr_hpcs_verify_mixed(&p3, &tv, x.c, x.k, x.z, x.v, &d);
        hm_free(&x);
    }
    if (hm_make(&p3, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1) == ZKR_OK) {
        zkr_transcript tv;
        zkr_dec d;
        p3f.len = 0;
        if (run(&p3, &x, x.c, x.v, x.v, 7, &p3f, SIZE_MAX, 0) == ZKR_OK) {
            hm_ts(p6, &tv);
            zkr_dec_init(&d, p3f.p, p3f.len);
            x36 = zkr_hpcs_verify_mixed(p6, &tv, x.c, x.k, x.z, x.v, &d);
        }
        hm_free(&x);
    }
    zkr_tap_ok(t, x63 != ZKR_OK && x36 != ZKR_OK,
               "the F_p^6 proof read over F_p^3 (%d), the F_p^3 proof (%zu bytes) read over "
               "F_p^6 (%d): refused", x63, p3f.len, x36);
    if (hm_make(p6, &x, hm_n, hm_tot, hm_ext, 4, hm_budget, 1) == ZKR_OK) {
        /* an F_p^6 opening has no nested mask: any carrier named is refused before a byte */
        zkr_transcript tv;
        zkr_dec d;
        zkr_err nested = ZKR_ERR_INTERNAL, none = ZKR_ERR_INTERNAL;
        hm_ts(p6, &tv);
        zkr_dec_init(&d, pf.p, pf.len);
        nested = zkr_hpcs_verify_mixed_nest(p6, &tv, x.c, x.k, 0, 0, 3, x.z, x.v, &d);
        hm_ts(p6, &tv);
        zkr_dec_init(&d, pf.p, pf.len);
        none = zkr_hpcs_verify_mixed_nest(p6, &tv, x.c, x.k, 0, 0, x.k, x.z, x.v, &d);
        zkr_tap_ok(t, nested == ZKR_ERR_USAGE && none == ZKR_OK,
                   "F_p^6: the verifier told a nested mask (carrier 3): USAGE (%d); told none, "
                   "the same proof verifies (%d)", nested, none);
        hm_free(&x);
    }
    zkr_buf_free(&pf);
    zkr_buf_free(&p3f);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    test_plan(&t, &p);
    test_mixed(&t, &p);
    test_mixed_deep(&t, &p);
    test_round_reveals(&t, &p);
    test_reveal_levels(&t, &p);
    test_fitted(&t, &p);
    test_stacked(&t, &p);
    test_stacked_base(&t, &p);
    test_stack_rules(&t, &p);
    test_stack_flips(&t, &p);
    test_stack_layer1(&t, &p);
    test_base_pair(&t, &p);
    test_stack_group(&t, &p);
    test_stack_lone(&t, &p);
    test_fit_sweep(&t);
    test_fit_same_size(&t, &p);
    test_fit_sets(&t);
    test_fit_mutations(&t, &p);
    {
        /* the same openings over F_p^6 (p->mixed_ext6: zk/ext6.c, prover/hiding_mixed6.c) */
        zkr_params p6 = p;
        p6.mixed_ext6 = 1;
        test_mixed(&t, &p6);
        test_mixed_deep(&t, &p6);
        test_fitted(&t, &p6);
        test_stacked(&t, &p6);
        test_stacked_base(&t, &p6);
        test_stack_rules(&t, &p6);
        test_stack_flips(&t, &p6);
        test_stack_layer1(&t, &p6);
        test_base_pair(&t, &p6);
        test_stack_group(&t, &p6);
        test_stack_lone(&t, &p6);
        test_fit_same_size(&t, &p6);
        test_fit_mutations(&t, &p6);
        test_ext6_twins(&t, &p6);
    }
    return zkr_tap_done(&t);
}
