/*
 * Cheating provers against the mixed-size batched hiding opening
 * (docs/soundness.md, "Mixed-size batched hiding opening"), each refused,
 * each with its teeth (accepted with the check that catches it switched
 * off, zkr_hpcs_verify_mixed_off, test builds):
 *  1. a false value for a joining member (the honest opening of the true
 *     polynomial, the value + 1 sent): the folding sumcheck's final
 *     equation (ZKR_HM_OFF_FINAL);
 *  2. a joining member's leaves from another polynomial (G folded with
 *     F' of the same size, F''s tree opened in the member's place, the
 *     value F'(z) claimed): the joining tree's Merkle check
 *     (ZKR_HM_OFF_JOINMT);
 *  3. alpha's terms omitted by the prover (G without any alpha_i F_i, a
 *     false value claimed): the claim's and the queries' alpha terms
 *     (ZKR_HM_OFF_ALPHA: a verifier that leaves them out accepts it);
 *  4. one round message shifted off [H24]'s form L(X, z) Lambda(X) (its
 *     q(0) + q(1) kept), at round 0, at member 1's join round 3 and at
 *     round 4: the factorisation check (refused with the final equation
 *     off; accepted with ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR).
 *  5. (version 15: each folded-layer leaf leaves out the value its first
 *     query derives) the value of a leaf's last query left out instead
 *     (the other queries' slots differ where queries share a leaf): the
 *     derived value hashed at the first query's slot fails the layer's
 *     Merkle check (teeth: accepted by a verifier that puts it back at the
 *     last query's slot, ZKR_HM_OFF_DERIVE); every value sent (version
 *     14's layout): refused by the parser or the Merkle check, its bytes
 *     24 a folded-layer leaf more than the honest proof's. derive_bytes:
 *     the folded layers' bytes of an honest proof with a leaf read at two
 *     slots and a position read twice (flips, cuts, n_open one off, the
 *     last layer's count short where the proof ends: each refused, nothing
 *     read past the proof; teeth of the count check: the sanitizer build).
 *  6. (set 4 grinds 22 bits) an honest opening at goldilocks-128-r64 whose
 *     nonce was searched at 16 bits, the other sets' grinding: refused by
 *     the set's verifier; teeth: accepted by one that asks 16 bits.
 * Attack 1's false value is refused by the factorisation check at the join
 * round as well as by the final equation: its teeth switch both off.
 * 1-3 again with members joining inside a folded layer (18 beside 13 and
 * 12: layer 1, steps 1 and 2), where the verifier folds each query's
 * values part way on sub-leaves before adding the member's; and 1-3 with
 * fitted members (inference@2 version 8: leaves of exactly the values
 * their join reads), where the same checks catch them.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/zk/hmixed_fixture.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

/* A fixture's shape: k members, n + e = tot each. */
typedef struct {
    size_t k;
    unsigned n[HM_MAX], tot[HM_MAX], ext[HM_MAX];
    uint32_t budget[HM_MAX];
} hm_shape;

/* full base (n 10) at 16; a joining ext member (n 8) at 13 (layer 0, step 3), a base (n 6) at 12 */
static const hm_shape hm_small = {3, {10, 8, 6}, {16, 13, 12}, {0, 1, 0}, {2, 2, 1}};
/*
 * full base (n 12) at 18 (hiding layout 4, 3, 2); an ext member (n 7) at 13
 * (layer 1, step 1) and a base one (n 6) at 12 (layer 1, step 2): joins
 * inside a folded layer, the verifier's partial folds on sub-leaves.
 */
static const hm_shape hm_deep = {3, {12, 7, 6}, {18, 13, 12}, {0, 1, 0}, {2, 2, 1}};

/* Proves (cheat ch) with values pv, verifies vv with the switches off; the proof's length. */
static zkr_err attack_len(const zkr_params *p, hm_fix *x, const zkr_hpcs_mixed_cheat *ch,
                          const zkr_ext *pv, const zkr_ext *vv, uint32_t fit, uint32_t stack,
                          unsigned off, size_t *len)
{
    zkr_transcript tv;
    zkr_buf pf = {0};
    zkr_dec d;
    zkr_err r = hm_prove(p, x, ch, NULL, pv, &tv, &pf);

    *len = pf.len;
    if (r == ZKR_OK) {
        zkr_dec_init(&d, pf.p, pf.len);
        r = zkr_hpcs_verify_mixed_fit_off(p, &tv, x->c, x->k, fit, stack, x->z, vv, off, &d);
        if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
            r = ZKR_ERR_MALFORMED;
    }
    zkr_buf_free(&pf);
    return r;
}

static zkr_err attack(const zkr_params *p, hm_fix *x, const zkr_hpcs_mixed_cheat *ch,
                      const zkr_ext *pv, const zkr_ext *vv, uint32_t fit, uint32_t stack,
                      unsigned off)
{
    size_t len;

    return attack_len(p, x, ch, pv, vv, fit, stack, off, &len);
}

/* One attack on a fresh fixture (budgets restart; fit: its fitted members), checked on and off. */
static void both_fit(zkr_tap *t, const zkr_params *p, const hm_shape *sh, uint32_t fit,
                     const char *name, const zkr_hpcs_mixed_cheat *ch, int member,
                     int other_value, unsigned off)
{
    hm_fix x, y;
    zkr_ext vv[HM_MAX];
    zkr_hpcs_mixed_cheat c;
    zkr_err on = ZKR_ERR_INTERNAL, teeth = ZKR_ERR_INTERNAL;

    memset(&y, 0, sizeof y);
    for (int pass = 0; pass < 2; pass++) {
        if (hm_make_fit(p, &x, sh->n, sh->tot, sh->ext, sh->k, sh->budget, 1, fit) != ZKR_OK ||
            hm_make_fit(p, &y, sh->n, sh->tot, sh->ext, sh->k, sh->budget, 9, fit) != ZKR_OK) {
            hm_free(&x);
            hm_free(&y);
            break;
        }
        memcpy(vv, x.v, sizeof vv);
        if (other_value) /* the other polynomial's value at the member's point */
            vv[member] = hm_value(y.f[member], x.z + (x.total - sh->tot[member]));
        else
            vv[member].c[0] = zkr_gl_add(vv[member].c[0], 1);
        if (ch) {
            c = *ch;
            if (c.other)
                c.other = y.f[member];
        }
        if (pass == 0)
            on = attack(p, &x, ch ? &c : NULL, vv, vv, fit, 0, 0);
        else
            teeth = attack(p, &x, ch ? &c : NULL, vv, vv, fit, 0, off);
        hm_free(&x);
        hm_free(&y);
    }
    zkr_tap_ok(t, on == ZKR_ERR_VERIFY, "%s: refused (%d)", name, on);
    zkr_tap_ok(t, teeth == ZKR_OK, "%s: teeth: accepted with the check off (%d)", name, teeth);
}

static void both(zkr_tap *t, const zkr_params *p, const hm_shape *sh, const char *name,
                 const zkr_hpcs_mixed_cheat *ch, int member, int other_value, unsigned off)
{
    both_fit(t, p, sh, 0, name, ch, member, other_value, off);
}

/*
 * Round `round`'s message shifted by 5 (1 - 2X) + 7 X (X - 1) (q(0) + q(1)
 * kept, the form L(X, z) Lambda(X) broken), honest values: refused; with
 * the final equation off still refused (the factorisation check alone,
 * applied after the round's joins); accepted with both off (teeth).
 */
static void shifted(zkr_tap *t, const zkr_params *p, unsigned round)
{
    zkr_hpcs_mixed_cheat ch = {0, 0, NULL, round, 5, 7, 0};
    static const unsigned offs[3] = {0, ZKR_HM_OFF_FINAL, ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR};
    zkr_err r[3] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    hm_fix x;

    for (int i = 0; i < 3; i++) {
        if (hm_make(p, &x, hm_small.n, hm_small.tot, hm_small.ext, hm_small.k, hm_small.budget, 1) != ZKR_OK)
            break;
        r[i] = attack(p, &x, &ch, x.v, x.v, 0, 0, offs[i]);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_ERR_VERIFY && r[1] == ZKR_ERR_VERIFY,
               "mixed: round %u's message shifted off L Lambda%s: refused (%d), with the final "
               "equation off too (%d)", round, round == 3 ? " (member 1 joins here)" : "",
               r[0], r[1]);
    zkr_tap_ok(t, r[2] == ZKR_OK, "mixed: round %u shifted: teeth: accepted with the final "
               "equation and the factorisation check off (%d)", round, r[2]);
}

/*
 * A stacked pair: members 1 and 2 at 13 beside 16, fitted (2-value leaves)
 * and committed under one root; base == 0: both extension-valued of one
 * size (inference@2 version 9's h and phi), base == 1: both base-valued of
 * 9 and 8 hidden variables with budgets 2 and 1 (version 10's V and m).
 * Two attacks, each refused and with its teeth:
 *  - the pair's second member's value + 1 (the honest opening): the final
 *    equation and the join round's factorisation (teeth: both off);
 *  - another pair's leaves opened and folded in the pair's place (both its
 *    members' values claimed): the pair's one Merkle check against the sent
 *    root (teeth: ZKR_HM_OFF_JOINMT).
 */
static void stacked(zkr_tap *t, const zkr_params *p, int base)
{
    static const unsigned n[2][4] = {{10, 8, 8, 6}, {10, 9, 8, 6}}, tot[4] = {16, 13, 13, 12};
    static const unsigned ext[2][4] = {{0, 1, 1, 0}, {0, 0, 0, 1}};
    static const uint32_t budget[2][4] = {{2, 2, 2, 1}, {2, 2, 1, 1}};
    const char *what = base ? "stacked base pair" : "stacked";
    zkr_hpcs_mixed_cheat other = {1, 0, NULL, 0, 0, 0, 0};
    zkr_err r[4] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    hm_fix x, y;
    zkr_ext vv[HM_MAX];

    for (int i = 0; i < 4; i++) {
        if (hm_make_fs(p, &x, n[base], tot, ext[base], 4, budget[base], 1, 14, 4) != ZKR_OK ||
            hm_make_fs(p, &y, n[base], tot, ext[base], 4, budget[base], 9, 14, 4) != ZKR_OK) {
            hm_free(&x);
            hm_free(&y);
            break;
        }
        memcpy(vv, x.v, sizeof vv);
        if (i < 2) {
            vv[2].c[0] = zkr_gl_add(vv[2].c[0], 1);
            r[i] = attack(p, &x, NULL, vv, vv, 14, 4, i ? ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR : 0);
        } else {
            /* the other pair's values at this fixture's point */
            vv[1] = hm_value(y.f[1], x.z + (x.total - tot[1]));
            vv[2] = hm_value(y.f[2], x.z + (x.total - tot[2]));
            other.other = y.f[1];
            r[i] = attack(p, &x, &other, vv, vv, 14, 4, i == 3 ? ZKR_HM_OFF_JOINMT : 0);
        }
        hm_free(&x);
        hm_free(&y);
    }
    zkr_tap_ok(t, r[0] == ZKR_ERR_VERIFY && r[1] == ZKR_OK,
               "%s: the pair's second member's value + 1: refused (%d); teeth: accepted "
               "with the final equation and the factorisation check off (%d)", what, r[0], r[1]);
    zkr_tap_ok(t, r[2] == ZKR_ERR_VERIFY && r[3] == ZKR_OK,
               "%s: another pair's leaves in the pair's place, its values claimed: refused "
               "(%d); teeth: accepted with the joiners' Merkle check off (%d)", what, r[2], r[3]);
}

/*
 * Attack 5 on the deep shape (two folded layers; at this set's queries
 * some share a folded-layer leaf): the honest proof verifies; the last
 * query's value left out is refused and accepted by the verifier that puts
 * the derived value back by the same rule (the proofs differ, so the
 * shape has shared leaves at other slots); every value sent is refused
 * and is longer by 24 bytes a folded-layer leaf.
 */
static void derived(zkr_tap *t, const zkr_params *p)
{
    zkr_hpcs_mixed_cheat last = {0, 0, NULL, 0, 0, 0, ZKR_HPCS_DERIVE_LAST};
    zkr_hpcs_mixed_cheat sent = {0, 0, NULL, 0, 0, 0, ZKR_HPCS_DERIVE_SENT};
    const zkr_hpcs_mixed_cheat *ch[4] = {NULL, &last, &last, &sent};
    static const unsigned offs[4] = {0, 0, ZKR_HM_OFF_DERIVE, 0};
    zkr_err r[4] = {ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL, ZKR_ERR_INTERNAL};
    size_t len[4] = {0, 0, 0, 0}, vb = p->mixed_ext6 ? ZKR_EXT6_BYTES : ZKR_EXT_BYTES;
    hm_fix x;

    for (int i = 0; i < 4; i++) {
        if (hm_make(p, &x, hm_deep.n, hm_deep.tot, hm_deep.ext, hm_deep.k, hm_deep.budget, 1) !=
            ZKR_OK)
            break;
        r[i] = attack_len(p, &x, ch[i], x.v, x.v, 0, 0, offs[i], &len[i]);
        hm_free(&x);
    }
    zkr_tap_ok(t, r[0] == ZKR_OK, "derived: the honest proof verifies (%d, %zu bytes)", r[0],
               len[0]);
    zkr_tap_ok(t, r[1] == ZKR_ERR_VERIFY && r[2] == ZKR_OK && len[1] == len[0],
               "derived: a leaf's last query's value left out, not its first's: refused (%d); "
               "teeth: accepted by the verifier that derives the last's (%d)", r[1], r[2]);
    zkr_tap_ok(t, (r[3] == ZKR_ERR_MALFORMED || r[3] == ZKR_ERR_VERIFY) && len[3] > len[0] &&
                      (len[3] - len[0]) % vb == 0,
               "derived: every folded-layer value sent (version 14's layout): refused (%d), %zu "
               "bytes more (%zu values of %zu bytes)", r[3], len[3] - len[0],
               (len[3] - len[0]) / vb, vb);
}

/*
 * Byte-level checks of version 15's folded-layer openings (hm_deep: layers
 * 1 and 2 folded, layer 2 the last before the final polynomial). The
 * proof is walked as zkr_hm_parse reads it: the mask root, b, the round
 * messages, layers 1..'s roots, the final polynomial, the nonce; layer 0:
 * the full members' trees then Z's (one ext a leaf); each folded layer:
 * its tree (2^a - 1 ext values a leaf), then its joiners' trees.
 */
static int dv_open_at(const uint8_t *b, size_t len, size_t at, size_t words, hm_open *o)
{
    return hm_open_at(b, len, at, words, o) == ZKR_OK;
}

/* lay[0]: member 0's layer-0 tree; lay[l], l >= 1: folded layer l's. 1 when the walk ends at len. */
static int dv_walk(const zkr_hpcs_mixed_plan *pl, const hm_shape *sh, const uint8_t *b,
                   size_t len, hm_open *lay)
{
    const zkr_pcs_layout *l = &pl->l;
    size_t at = ZKR_DIGEST_BYTES + 24 + (size_t)2 * l->folds_total * 24 +
                (size_t)(l->n_layers - 1) * ZKR_DIGEST_BYTES + ((size_t)24 << l->final_vars) + 8;
    hm_open o;

    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        if (layer == 0) {
            int first = 1;
            for (size_t i = 0; i < sh->k; i++) {
                if (pl->d[i] != 0)
                    continue;
                if (!dv_open_at(b, len, at, (size_t)(sh->ext[i] ? 3 : 1) << l->folds[0], &o))
                    return 0;
                if (first)
                    lay[0] = o;
                first = 0;
                at = o.end;
            }
            if (!dv_open_at(b, len, at, 3, &o)) /* Z */
                return 0;
        } else if (!dv_open_at(b, len, at, ((size_t)3 << l->folds[layer]) - 3, &o)) {
            return 0;
        } else {
            lay[layer] = o;
        }
        at = o.end;
        for (size_t i = 0; i < sh->k; i++) {
            if (pl->d[i] == 0 || pl->layer[i] != layer)
                continue;
            if (!dv_open_at(b, len, at, (size_t)(sh->ext[i] ? 3 : 1) << pl->arity[i], &o))
                return 0;
            at = o.end;
        }
    }
    return at == len;
}

/* The honest (ch NULL) or cheating proof of x's values, from the shared key; its bytes in pf. */
static zkr_err dv_prove(const zkr_params *p, hm_fix *x, const zkr_hpcs_mixed_cheat *ch,
                        zkr_transcript *tv, zkr_buf *pf)
{
    return hm_prove(p, x, ch, NULL, x->v, tv, pf);
}

/*
 * Bytes b (len) verified from a copy of tv0 (trailing bytes: MALFORMED),
 * from a heap copy of exactly len bytes (a read past them is the
 * sanitizer build's error, not a read of the next test's bytes).
 */
static zkr_err dv_verify(const zkr_params *p, const hm_fix *x, const zkr_transcript *tv0,
                         const uint8_t *b, size_t len)
{
    zkr_transcript tv = *tv0;
    uint8_t *own = malloc(len ? len : 1);
    zkr_dec d;
    zkr_err r;

    if (!own)
        return ZKR_ERR_NOMEM;
    memcpy(own, b, len);
    zkr_dec_init(&d, own, len);
    r = zkr_hpcs_verify_mixed_fit_off(p, &tv, x->c, x->k, 0, 0, x->z, x->v, 0, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    free(own);
    return r;
}

/* A copy of pf with n bytes at `at` replaced by ins (ni bytes); 0 on failure. */
static int dv_splice(const zkr_buf *pf, size_t at, size_t n, const uint8_t *ins, size_t ni,
                     zkr_buf *out)
{
    out->len = 0;
    return at + n <= pf->len && zkr_buf_append(out, pf->p, at) == ZKR_OK &&
           (!ni || zkr_buf_append(out, ins, ni) == ZKR_OK) &&
           zkr_buf_append(out, pf->p + at + n, pf->len - at - n) == ZKR_OK;
}

/*
 * The folded layers' bytes (version 15), on an hm_deep proof whose layer 1
 * has a leaf two queries read at different slots (it has fewer leaves
 * than layer 0: two distinct layer-1 positions in one leaf) and whose
 * layer 2 has queries at one position, hence one slot (layer 1 has fewer
 * leaves than q queries). Each attack with its accept twin (the honest
 * proof, which verifies):
 *  - the leaf that differs between the honest proof and ZKR_HPCS_DERIVE_LAST's
 *    (a leaf whose first and last queries read different slots): every
 *    byte flipped, refused; so is every byte of layer 2's first and last
 *    leaf (the last folded layer, the final polynomial next);
 *  - the proof cut at every byte of a folded layer's first leaf, and just
 *    after its leaves: refused (MALFORMED), never read past;
 *  - n_open one less with the last leaf's bytes dropped, or one more with
 *    a leaf's bytes repeated (the counts coherent, so the decoder takes
 *    them): refused before the derived value is put back (VERIFY);
 *  - each byte of the layer's n_open and n_sib words flipped: refused.
 */
static void derive_bytes(zkr_tap *t, const zkr_params *p)
{
    zkr_hpcs_mixed_cheat last = {0, 0, NULL, 0, 0, 0, ZKR_HPCS_DERIVE_LAST};
    zkr_hpcs_mixed_plan pl;
    zkr_transcript tv, tl;
    zkr_buf pf = {0}, pl_last = {0}, bad = {0};
    hm_open lay[8], lay2[8];
    hm_fix x, y;
    unsigned seed = 0, L = 2;
    int shape = 0, walked = 0;
    size_t n_flip = 0, n_flip_ok = 0, n_cut = 0, n_cut_ok = 0, shared = SIZE_MAX;
    zkr_err honest = ZKR_ERR_INTERNAL, fewer = ZKR_ERR_INTERNAL, more = ZKR_ERR_INTERNAL;
    zkr_err fewer_last = ZKR_ERR_INTERNAL, more_last = ZKR_ERR_INTERNAL;
    zkr_err fewer_end = ZKR_ERR_INTERNAL;
    int hdr_ok = 1;

    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    if (zkr_hpcs_mixed_plan_of(p, hm_deep.tot, hm_deep.k, &pl) != ZKR_OK ||
        pl.l.n_layers != 3 || pl.l.n_layers > 8) {
        zkr_tap_ok(t, 0, "derive bytes: hm_deep has 3 layers");
        return;
    }
    /* the first fixture seed (from 1) whose proof shares leaves as described */
    for (seed = 1; seed <= 8 && !shape; seed++) {
        hm_free(&x);
        pf.len = 0;
        if (hm_make(p, &x, hm_deep.n, hm_deep.tot, hm_deep.ext, hm_deep.k, hm_deep.budget,
                    seed) != ZKR_OK ||
            dv_prove(p, &x, NULL, &tv, &pf) != ZKR_OK)
            break;
        walked = dv_walk(&pl, &hm_deep, pf.p, pf.len, lay);
        shape = walked && lay[1].n_open < lay[0].n_open && lay[1].n_open < p->queries;
    }
    zkr_tap_ok(t, walked && shape,
               "derive bytes: an hm_deep proof (seed %u) whose layer 1 has %u leaves for %u "
               "layer-0 leaves (a leaf read at two slots) and %u queries (one position read "
               "twice at layer 2)", seed - 1, walked ? lay[1].n_open : 0,
               walked ? lay[0].n_open : 0, p->queries);
    if (!shape)
        goto out;
    honest = dv_verify(p, &x, &tv, pf.p, pf.len);
    zkr_tap_ok(t, honest == ZKR_OK, "derive bytes: the honest proof verifies (%d)", honest);

    /* the leaf whose first and last queries' slots differ: it differs from the LAST cheat's
     * (proven from a fresh fixture of the same seed: member 2's budget is one opening) */
    hm_free(&y);
    if (hm_make(p, &y, hm_deep.n, hm_deep.tot, hm_deep.ext, hm_deep.k, hm_deep.budget,
                seed - 1) == ZKR_OK &&
        dv_prove(p, &y, &last, &tl, &pl_last) == ZKR_OK && pl_last.len == pf.len &&
        dv_walk(&pl, &hm_deep, pl_last.p, pl_last.len, lay2) && lay2[1].at == lay[1].at)
        for (size_t j = 0; j < lay[1].n_open && shared == SIZE_MAX; j++)
            if (memcmp(pf.p + lay[1].leaves + j * lay[1].leaf_bytes,
                       pl_last.p + lay[1].leaves + j * lay[1].leaf_bytes, lay[1].leaf_bytes) != 0)
                shared = j;
    zkr_tap_ok(t, shared != SIZE_MAX,
               "derive bytes: layer 1's leaf %zu is read by queries at different slots (it "
               "differs from the proof that leaves out its last query's value)", shared);
    if (zkr_buf_reserve(&bad, pf.len + 4096) != ZKR_OK)
        goto out;
    for (int which = 0; which < 3; which++) {
        unsigned ly = which == 0 ? 1 : L;
        size_t j = which == 0 ? (shared == SIZE_MAX ? 0 : shared)
                              : which == 1 ? 0 : lay[ly].n_open - 1;
        size_t base = lay[ly].leaves + j * lay[ly].leaf_bytes;
        for (size_t i = 0; i < lay[ly].leaf_bytes; i++) {
            bad.len = 0;
            if (zkr_buf_append(&bad, pf.p, pf.len) != ZKR_OK)
                goto out;
            bad.p[base + i] ^= 0x01;
            n_flip++;
            n_flip_ok += dv_verify(p, &x, &tv, bad.p, bad.len) == ZKR_OK;
        }
    }
    zkr_tap_ok(t, n_flip > 0 && n_flip_ok == 0,
               "derive bytes: every byte of layer 1's shared leaf and layer 2's first and last "
               "leaves flipped: %zu of %zu accepted", n_flip_ok, n_flip);
    /* every layer-2 leaf (one holds a position two queries read): one sent value's low byte */
    n_flip = n_flip_ok = 0;
    for (size_t j = 0; j < lay[L].n_open; j++) {
        size_t nv = (lay[L].leaf_bytes - ZKR_SALT_BYTES) / 24;
        bad.len = 0;
        if (zkr_buf_append(&bad, pf.p, pf.len) != ZKR_OK)
            goto out;
        bad.p[lay[L].leaves + j * lay[L].leaf_bytes + ZKR_SALT_BYTES + 24 * (j % nv)] ^= 0x01;
        n_flip++;
        n_flip_ok += dv_verify(p, &x, &tv, bad.p, bad.len) == ZKR_OK;
    }
    zkr_tap_ok(t, n_flip == lay[L].n_open && n_flip_ok == 0,
               "derive bytes: a sent value of each of layer 2's %u leaves + 1 (low byte): %zu "
               "accepted", lay[L].n_open, n_flip_ok);
    for (unsigned ly = 1; ly <= L; ly++) {
        for (size_t i = 0; i <= lay[ly].leaf_bytes; i++) {
            n_cut++;
            n_cut_ok += dv_verify(p, &x, &tv, pf.p, lay[ly].leaves + i) != ZKR_ERR_MALFORMED;
        }
        n_cut++;
        n_cut_ok += dv_verify(p, &x, &tv, pf.p, lay[ly].sib) != ZKR_ERR_MALFORMED;
        n_cut++;
        n_cut_ok += dv_verify(p, &x, &tv, pf.p, lay[ly].sib - 1) != ZKR_ERR_MALFORMED;
    }
    zkr_tap_ok(t, n_cut_ok == 0,
               "derive bytes: the proof cut inside or just after a folded layer's leaves: "
               "%zu of %zu not MALFORMED", n_cut_ok, n_cut);
    for (unsigned ly = 1; ly <= L; ly++) {
        uint8_t hdr[8];
        zkr_err *f = ly == 1 ? &fewer : &fewer_last, *m = ly == 1 ? &more : &more_last;
        /* n_open - 1: the last leaf's bytes gone */
        zkr_store_be32(hdr, lay[ly].n_open - 1);
        zkr_store_be32(hdr + 4, lay[ly].n_sib);
        if (lay[ly].n_open > 1 && dv_splice(&pf, lay[ly].at, 8, hdr, 8, &bad)) {
            zkr_buf cut = {0};
            size_t drop = lay[ly].sib - lay[ly].leaf_bytes;
            if (zkr_buf_append(&cut, bad.p, drop) == ZKR_OK &&
                zkr_buf_append(&cut, bad.p + lay[ly].sib, bad.len - lay[ly].sib) == ZKR_OK)
                *f = dv_verify(p, &x, &tv, cut.p, cut.len);
            zkr_buf_free(&cut);
        }
        /* n_open + 1: the first leaf repeated after the last */
        zkr_store_be32(hdr, lay[ly].n_open + 1);
        if (dv_splice(&pf, lay[ly].at, 8, hdr, 8, &bad)) {
            zkr_buf more_b = {0};
            if (zkr_buf_append(&more_b, bad.p, lay[ly].sib) == ZKR_OK &&
                zkr_buf_append(&more_b, bad.p + lay[ly].leaves, lay[ly].leaf_bytes) == ZKR_OK &&
                zkr_buf_append(&more_b, bad.p + lay[ly].sib, bad.len - lay[ly].sib) == ZKR_OK)
                *m = dv_verify(p, &x, &tv, more_b.p, more_b.len);
            zkr_buf_free(&more_b);
        }
        for (size_t i = 0; i < 8; i++) {
            bad.len = 0;
            if (zkr_buf_append(&bad, pf.p, pf.len) != ZKR_OK)
                goto out;
            bad.p[lay[ly].at + i] ^= 0x01;
            hdr_ok &= dv_verify(p, &x, &tv, bad.p, bad.len) != ZKR_OK;
            bad.p[lay[ly].at + i] ^= 0x81;
            hdr_ok &= dv_verify(p, &x, &tv, bad.p, bad.len) != ZKR_OK;
        }
    }
    /*
     * The last layer's n_open one less and no siblings, its last leaf and
     * every sibling dropped: the proof ends where its leaves do, so putting
     * nu leaves back from n_open would read past it (the sanitizer build);
     * refused by the count check first.
     */
    {
        uint8_t hdr[8];
        zkr_buf cut = {0};
        zkr_store_be32(hdr, lay[L].n_open - 1);
        zkr_store_be32(hdr + 4, 0);
        if (lay[L].end == pf.len && lay[L].n_open > 1 &&
            zkr_buf_append(&cut, pf.p, lay[L].at) == ZKR_OK &&
            zkr_buf_append(&cut, hdr, 8) == ZKR_OK &&
            zkr_buf_append(&cut, pf.p + lay[L].leaves,
                           (size_t)(lay[L].n_open - 1) * lay[L].leaf_bytes) == ZKR_OK)
            fewer_end = dv_verify(p, &x, &tv, cut.p, cut.len);
        zkr_buf_free(&cut);
    }
    zkr_tap_ok(t, fewer_end == ZKR_ERR_VERIFY,
               "derive bytes: the last layer's n_open one less and no siblings, the proof "
               "ending at its leaves: refused, nothing read past it (%d)", fewer_end);
    zkr_tap_ok(t, fewer == ZKR_ERR_VERIFY && fewer_last == ZKR_ERR_VERIFY,
               "derive bytes: a folded layer's n_open one less, its last leaf dropped: refused "
               "(layer 1 %d, layer 2 %d)", fewer, fewer_last);
    zkr_tap_ok(t, more == ZKR_ERR_VERIFY && more_last == ZKR_ERR_VERIFY,
               "derive bytes: a folded layer's n_open one more, a leaf repeated: refused "
               "(layer 1 %d, layer 2 %d)", more, more_last);
    zkr_tap_ok(t, hdr_ok, "derive bytes: each byte of a folded layer's n_open and n_sib flipped: "
               "refused");
out:
    zkr_buf_free(&pf);
    zkr_buf_free(&pl_last);
    zkr_buf_free(&bad);
    hm_free(&x);
    hm_free(&y);
}

/*
 * The mixed opening's attacks at p: run over F_p^3 and again over F_p^6
 * (p->mixed_ext6: the same relations, each value of the opening in the
 * larger field; prover/hiding_mixed6.c carries the same cheats).
 */
static void attacks(zkr_tap *t, const zkr_params *p)
{
    zkr_hpcs_mixed_cheat other = {1, 0, NULL, 0, 0, 0, 0}, omit = {2, 1, NULL, 0, 0, 0, 0};

    /* marks "use the fixture's second polynomial" (set per run in both()) */
    other.other = (const zkr_hpcs_poly *)&other;
    /* the factorisation check refuses a false joining value at its join round too */
    both(t, p, &hm_small, "mixed: a joining member's value + 1 (ext, layer 0 step 3)", NULL, 1,
         0, ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
    both(t, p, &hm_small, "mixed: a joining member's value + 1 (base, layer 1 start)", NULL, 2,
         0, ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
    both(t, p, &hm_small,
         "mixed: a joining member's leaves from another polynomial, its value claimed",
         &other, 1, 1, ZKR_HM_OFF_JOINMT);
    both(t, p, &hm_small, "mixed: the alpha terms omitted by the prover, a false value claimed", &omit, 2,
         0, ZKR_HM_OFF_ALPHA);
    shifted(t, p, 0);
    shifted(t, p, 3);
    shifted(t, p, 4);
    {
        zkr_hpcs_mixed_plan pl;
        int ok = zkr_hpcs_mixed_plan_of(p, hm_deep.tot, hm_deep.k, &pl) == ZKR_OK &&
                 pl.layer[1] == 1 && pl.step[1] == 1 && pl.layer[2] == 1 && pl.step[2] == 2;
        zkr_tap_ok(t, ok, "deep: 13 and 12 beside 18 join inside layer 1 (steps 1, 2)");
    }
    both(t, p, &hm_deep, "mixed: a joining member's value + 1 (base, layer 1 step 2: sub-leaf "
         "folds)", NULL, 2, 0,
         ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
    both(t, p, &hm_deep, "mixed: a member's leaves from another polynomial (ext, layer 1 step "
         "1), its value claimed", &other, 1, 1, ZKR_HM_OFF_JOINMT);
    both(t, p, &hm_deep, "mixed: the alpha terms omitted inside layer 1, a false value claimed",
         &omit, 1, 0, ZKR_HM_OFF_ALPHA);
    /*
     * Fitted members (inference@2 version 8): the joiners committed with the
     * leaves their join reads (2 values at layer 0 step 3, 8 at layer 1's
     * start; 4 and 2 inside layer 1): the same attacks, the same checks.
     */
    both_fit(t, p, &hm_small, 6, "fitted: a joining member's value + 1 (ext, 2-value leaves)",
             NULL, 1, 0, ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
    both_fit(t, p, &hm_small, 6, "fitted: a joining member's leaves from another polynomial "
             "(ext, 2-value leaves), its value claimed", &other, 1, 1, ZKR_HM_OFF_JOINMT);
    both_fit(t, p, &hm_small, 6, "fitted: the alpha terms omitted, a false value claimed",
             &omit, 2, 0, ZKR_HM_OFF_ALPHA);
    both_fit(t, p, &hm_deep, 6, "fitted: a member's leaves from another polynomial (ext, layer "
             "1 step 1, 4-value leaves), its value claimed", &other, 1, 1, ZKR_HM_OFF_JOINMT);
    both_fit(t, p, &hm_deep, 6, "fitted: a joining member's value + 1 (base, layer 1 step 2, "
             "2-value leaves)", NULL, 2, 0, ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR);
    stacked(t, p, 0);
    stacked(t, p, 1);
    derived(t, p);
}

/* The verifier's answer to pf at params pv from the transcript tv. */
static zkr_err gr_verify(const zkr_params *pv, const hm_fix *x, const zkr_transcript *tv,
                         const zkr_buf *pf)
{
    zkr_transcript t = *tv;
    zkr_dec d;
    zkr_err r;

    zkr_dec_init(&d, pf->p, pf->len);
    r = zkr_hpcs_verify_mixed(pv, &t, x->c, x->k, x->z, x->v, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    return r;
}

/*
 * Attack 6: set 4's grinding. The opening is the honest prover's at set 4
 * in everything but the nonce's search, run at 16 bits; the verifier's
 * transcript is the set's on both sides, so only the nonce's check differs.
 */
static void grinding(zkr_tap *t)
{
    zkr_params p4, p16;
    hm_fix x;
    zkr_transcript tp, tv;
    zkr_buf pf = {0};
    uint8_t key[32];
    zkr_zkrng g;
    zkr_err r = ZKR_ERR_INTERNAL, on = ZKR_ERR_INTERNAL, teeth = ZKR_ERR_INTERNAL;

    if (zkr_params_get(ZKR_PARAM_SET_128_R64, &p4) != ZKR_OK) {
        zkr_tap_ok(t, 0, "set 4");
        return;
    }
    zkr_tap_ok(t, p4.pow_bits == 22 && p4.mixed_ext6 == 1,
               "goldilocks-128-r64 grinds 22 bits (%u), its mixed opening over F_p^6",
               p4.pow_bits);
    p16 = p4;
    p16.pow_bits = 16;
    memset(key, 0x5a, sizeof key);
    if (hm_make(&p4, &x, hm_small.n, hm_small.tot, hm_small.ext, hm_small.k, hm_small.budget,
                1) == ZKR_OK) {
        hm_ts(&p4, &tp);
        tv = tp;
        zkr_zkrng_from_key(&g, key);
        r = zkr_prover_hopen_mixed(&p16, &tp, x.f, x.k, x.z, x.v, &g, 1, &pf);
        zkr_zkrng_wipe(&g);
        if (r == ZKR_OK) {
            on = gr_verify(&p4, &x, &tv, &pf);
            teeth = gr_verify(&p16, &x, &tv, &pf);
        }
        hm_free(&x);
    }
    zkr_tap_ok(t, on == ZKR_ERR_VERIFY,
               "set 4: a mixed opening whose nonce was ground 16 bits, not 22: refused (%d, "
               "prove %d)", on, r);
    zkr_tap_ok(t, teeth == ZKR_OK, "set 4: teeth: a verifier asking 16 bits accepts it (%d)",
               teeth);
    zkr_buf_free(&pf);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p, p6;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    attacks(&t, &p);
    derive_bytes(&t, &p);
    p6 = p;
    p6.mixed_ext6 = 1;
    attacks(&t, &p6);
    grinding(&t);
    return zkr_tap_done(&t);
}
