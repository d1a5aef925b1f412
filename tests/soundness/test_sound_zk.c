/*
 * Soundness attacks on the shared building blocks (docs/soundness.md,
 * "Commitment (Basefold) and LogUp"):
 * - leaf hashing binds every word of the widest leaf a parameter set may
 *   have, and a parameter set whose leaves are wider is refused;
 * - Basefold: a false claimed value carried through a layer >= 1 root
 *   whose tree and openings are consistent with it (only the fold chain
 *   can tell); a shared query leaf left out of an opening (count off by
 *   one) with a valid pruned Merkle opening of the rest; a non-canonical
 *   word in an extension leaf; the same cheats with a true value verify
 *   (the cheating prover is faithful);
 * - LogUp: out-of-table values (256, p - 1, k 2^8) with multiplicities
 *   recounted and the root equation forced;
 * - the soundness figure with the batching term n_comms |D| / |F|.
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

static zkr_gl rnd_gl(zkr_tap *t)
{
    return zkr_tap_rand(t) % ZKR_GL_P;
}

/* ---------------- leaf hashing ---------------- */

static void test_leaf_hash(zkr_tap *t)
{
    uint64_t w[ZKR_MT_MAX_LEAF_WORDS], w2[ZKR_MT_MAX_LEAF_WORDS];
    uint8_t salt[ZKR_SALT_BYTES], h1[32], h2[32], ref[32];
    uint8_t buf[ZKR_SALT_BYTES + 8 * 48];
    static const uint8_t pers[16] = "zkr/mt-leaf";
    int differ = 1;

    for (size_t i = 0; i < ZKR_MT_MAX_LEAF_WORDS; i++)
        w[i] = rnd_gl(t);
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)zkr_tap_rand(t);
    /* Every word position of the widest leaf changes the hash (the old hasher stopped at 64). */
    for (size_t pos = 0; pos < ZKR_MT_MAX_LEAF_WORDS; pos++) {
        memcpy(w2, w, sizeof w);
        w2[pos] = (w2[pos] + 1) % ZKR_GL_P;
        zkr_mtree_leaf_hash(salt, w, ZKR_MT_MAX_LEAF_WORDS, h1);
        zkr_mtree_leaf_hash(salt, w2, ZKR_MT_MAX_LEAF_WORDS, h2);
        differ &= memcmp(h1, h2, 32) != 0;
    }
    zkr_tap_ok(t, differ, "leaf hash: each of the %u words of the widest leaf changes the hash",
               ZKR_MT_MAX_LEAF_WORDS);
    zkr_mtree_leaf_hash(salt, w, 96, h1);
    zkr_mtree_leaf_hash(salt, w, 64, h2);
    zkr_tap_ok(t, memcmp(h1, h2, 32) != 0, "leaf hash: a 96-word leaf is not its first 64 words");
    /* Leaves of set 1 (48 words at most) hash as before: one BLAKE2b over salt || words. */
    memcpy(buf, salt, ZKR_SALT_BYTES);
    for (size_t i = 0; i < 48; i++)
        zkr_store_le64(buf + ZKR_SALT_BYTES + 8 * i, w[i]);
    (void)crypto_generichash_blake2b_salt_personal(ref, 32, buf, sizeof buf, NULL, 0, NULL, pers);
    zkr_mtree_leaf_hash(salt, w, 48, h1);
    zkr_tap_ok(t, memcmp(h1, ref, 32) == 0,
               "leaf hash of 48 words is BLAKE2b(salt || words): proofs of set 1 unchanged");
}

static void test_params(zkr_tap *t)
{
    zkr_params p, q;
    zkr_err got = zkr_params_get(ZKR_PARAM_SET_128, &p);

    zkr_tap_ok(t, got == ZKR_OK && zkr_params_check(&p) == ZKR_OK &&
                      p.queries == 166 && (3u << p.fold_arity) <= ZKR_MT_MAX_LEAF_WORDS,
               "parameter set 1 passes the check (fold arity %u: %u-word leaves)", p.fold_arity,
               3u << p.fold_arity);
    q = p;
    q.fold_arity = ZKR_PCS_MAX_FOLD_ARITY;
    zkr_tap_ok(t, zkr_params_check(&q) == ZKR_OK, "fold arity %u (%u-word leaves) is carried",
               q.fold_arity, 3u << q.fold_arity);
    q.fold_arity = ZKR_PCS_MAX_FOLD_ARITY + 1;
    zkr_tap_ok(t, zkr_params_check(&q) == ZKR_ERR_UNSUPPORTED,
               "fold arity %u (%u-word leaves, wider than the hasher's %u) is refused", q.fold_arity,
               3u << q.fold_arity, ZKR_MT_MAX_LEAF_WORDS);
    {
        zkr_dec d;
        zkr_pcs_proof *pf = NULL;
        uint8_t junk[8] = {0};
        zkr_dec_init(&d, junk, sizeof junk);
        zkr_tap_ok(t, zkr_pcs_proof_parse(&q, 12, 1, 1, &d, &pf) == ZKR_ERR_UNSUPPORTED && !pf,
                   "an opening under such a set is refused before any byte is read");
    }
    q = p;
    q.fold_arity = 0;
    zkr_tap_ok(t, zkr_params_check(&q) == ZKR_ERR_UNSUPPORTED, "fold arity 0 is refused");
}

/* ---------------- Basefold ---------------- */

typedef struct {
    zkr_params p;
    unsigned n;
    zkr_gl *ev;
    zkr_pcs_poly *poly;
    zkr_pcs_commitment comm;
    zkr_ext pt[32];
    zkr_ext value; /* the true value */
} bf_case;

static int bf_make(zkr_tap *t, const zkr_params *p, unsigned n, bf_case *c)
{
    size_t len = (size_t)1 << n;

    memset(c, 0, sizeof *c);
    c->p = *p;
    c->n = n;
    if (!(c->ev = malloc(len * sizeof *c->ev)))
        return 0;
    for (size_t i = 0; i < len; i++)
        c->ev[i] = rnd_gl(t);
    for (unsigned i = 0; i < n; i++)
        c->pt[i] = (zkr_ext){{rnd_gl(t), rnd_gl(t), rnd_gl(t)}};
    return zkr_prover_commit(p, c->ev, n, 1, &c->poly, &c->comm) == ZKR_OK &&
           zkr_mle_eval_base(c->ev, n, c->pt, &c->value) == ZKR_OK;
}

static void bf_free(bf_case *c)
{
    free(c->ev);
    zkr_pcs_poly_free(c->poly);
    memset(c, 0, sizeof *c);
}

/* Proves (honestly, or with cheat) the claim value at c->pt; verifies; returns verify's result. */
static zkr_err bf_run(bf_case *c, zkr_ext value, const zkr_pcs_cheat *cheat, zkr_buf *keep,
                      zkr_err *prove)
{
    static const uint8_t z[32] = {7};
    zkr_transcript tp, tv;
    zkr_pcs_claim cl = {0, c->pt, value};
    zkr_buf b = {0};
    zkr_dec d;
    zkr_pcs_proof *pf = NULL;
    zkr_err r;

    zkr_ts_init(&tp, "sound-bf", 1, 1, 1, z, z);
    tv = tp;
    r = cheat ? zkr_prover_open_cheat(&c->p, &tp, &c->poly, 1, &cl, 1, cheat, &b)
              : zkr_prover_open(&c->p, &tp, &c->poly, 1, &cl, 1, 1, &b);
    *prove = r;
    if (r != ZKR_OK)
        goto out;
    zkr_dec_init(&d, b.p, b.len);
    if ((r = zkr_pcs_proof_parse(&c->p, c->n, 1, 1, &d, &pf)) != ZKR_OK)
        goto out;
    if (zkr_dec_finish(&d) != ZKR_OK) {
        r = ZKR_ERR_MALFORMED;
        goto out;
    }
    r = zkr_pcs_verify(&c->p, &tv, &c->comm, 1, &cl, 1, pf);
out:
    zkr_pcs_proof_free(pf);
    if (keep && *prove == ZKR_OK) {
        keep->len = 0;
        if (zkr_buf_append(keep, b.p, b.len) != ZKR_OK)
            *prove = ZKR_ERR_NOMEM;
    }
    zkr_buf_free(&b);
    return r;
}

static void test_basefold_layer_root(zkr_tap *t, const zkr_params *p)
{
    static const unsigned sizes[] = {12, 14, 20};

    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        bf_case c;
        zkr_pcs_layout l;
        zkr_err pr, v;
        if (!bf_make(t, p, sizes[si], &c)) {
            zkr_tap_ok(t, 0, "n = %u: setup", sizes[si]);
            continue;
        }
        zkr_pcs_layout_of(p, c.n, &l);
        for (unsigned layer = 1; layer < l.n_layers; layer++) {
            zkr_pcs_cheat ch = {layer, 0};
            zkr_ext wrong = c.value;
            wrong.c[0] = zkr_gl_add(wrong.c[0], 1);
            v = bf_run(&c, c.value, &ch, NULL, &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_OK,
                       "n = %u, layer %u shift with the true value: verifies (the cheat is faithful)",
                       c.n, layer);
            v = bf_run(&c, wrong, &ch, NULL, &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "n = %u: false value, layer %u root replaced by a tree consistent with the "
                       "sumcheck and the final polynomial: ZKR_ERR_VERIFY (%d/%d)",
                       c.n, layer, pr, v);
        }
        {
            zkr_ext wrong = c.value;
            wrong.c[2] = zkr_gl_add(wrong.c[2], ZKR_GL_P - 1);
            v = bf_run(&c, wrong, NULL, NULL, &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "n = %u: false value, honest folding: ZKR_ERR_VERIFY", c.n);
        }
        bf_free(&c);
    }
}

static void test_basefold_drop_leaf(zkr_tap *t, const zkr_params *p)
{
    bf_case c;
    zkr_pcs_layout l;
    zkr_err pr, v;

    if (!bf_make(t, p, 12, &c)) {
        zkr_tap_ok(t, 0, "drop-leaf setup");
        return;
    }
    zkr_pcs_layout_of(p, c.n, &l);
    for (unsigned layer = 0; layer < l.n_layers; layer++) {
        zkr_pcs_cheat ch = {0, layer + 1};
        v = bf_run(&c, c.value, &ch, NULL, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                   "n = 12, layer %u: a leaf two queries share left out of the opening (count "
                   "off by one, Merkle opening of the rest valid): ZKR_ERR_VERIFY (%d/%d)",
                   layer, pr, v);
    }
    bf_free(&c);
}

/* Byte offset of the first opened leaf's first word in layer `layer`'s opening. */
static size_t bf_leaf_offset(const zkr_buf *b, const zkr_pcs_proof *pf, unsigned layer)
{
    const zkr_pcs_open *o = layer == 0 ? pf->open : pf->open + pf->n_comms + layer - 1;
    return (size_t)(o->leaves - b->p) + ZKR_SALT_BYTES;
}

static void test_basefold_noncanonical(zkr_tap *t, const zkr_params *p)
{
    bf_case c;
    zkr_buf b = {0};
    zkr_err pr, v;

    if (!bf_make(t, p, 12, &c)) {
        zkr_tap_ok(t, 0, "non-canonical setup");
        return;
    }
    v = bf_run(&c, c.value, NULL, &b, &pr);
    if (pr == ZKR_OK && v == ZKR_OK) {
        zkr_dec d;
        zkr_pcs_proof *pf = NULL;
        zkr_dec_init(&d, b.p, b.len);
        if (zkr_pcs_proof_parse(&c.p, c.n, 1, 1, &d, &pf) == ZKR_OK) {
            static const uint64_t bad[] = {ZKR_GL_P, ZKR_GL_P + 1, UINT64_MAX};
            size_t off[2] = {bf_leaf_offset(&b, pf, 1) + 8 * 4, bf_leaf_offset(&b, pf, 0)};
            zkr_pcs_proof_free(pf);
            for (int w = 0; w < 2; w++)
                for (size_t k = 0; k < 3; k++) {
                    uint8_t save[8];
                    zkr_err e;
                    memcpy(save, b.p + off[w], 8);
                    /* p is the residue 0, p + 1 is 1: only the canonical-encoding rule refuses them. */
                    zkr_store_le64(b.p + off[w], bad[k]);
                    zkr_dec_init(&d, b.p, b.len);
                    pf = NULL;
                    e = zkr_pcs_proof_parse(&c.p, c.n, 1, 1, &d, &pf);
                    zkr_pcs_proof_free(pf);
                    zkr_tap_ok(t, e == ZKR_ERR_MALFORMED,
                               "non-canonical word 0x%016llx in a %s leaf: ZKR_ERR_MALFORMED (%d)",
                               (unsigned long long)zkr_load_le64(b.p + off[w]),
                               w == 0 ? "layer-1 extension" : "layer-0 base", e);
                    memcpy(b.p + off[w], save, 8);
                }
        } else {
            zkr_tap_ok(t, 0, "non-canonical: parse of the honest opening");
        }
    } else {
        zkr_tap_ok(t, 0, "non-canonical: honest opening (%d/%d)", pr, v);
    }
    zkr_buf_free(&b);
    bf_free(&c);
}

/* Fold arities 5 and 6 (leaves of 96 and 192 words) open and verify; a changed high word is caught. */
static void test_wide_leaves(zkr_tap *t, const zkr_params *p)
{
    for (unsigned a = 5; a <= ZKR_PCS_MAX_FOLD_ARITY; a++) {
        zkr_params q = *p;
        bf_case c;
        zkr_buf b = {0};
        zkr_err pr, v;
        q.fold_arity = a;
        if (!bf_make(t, &q, 17, &c)) {
            zkr_tap_ok(t, 0, "fold arity %u setup", a);
            continue;
        }
        v = bf_run(&c, c.value, NULL, &b, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_OK, "fold arity %u (%u-word leaves): opens and verifies",
                   a, 3u << a);
        if (pr == ZKR_OK) {
            zkr_dec d;
            zkr_pcs_proof *pf = NULL;
            zkr_dec_init(&d, b.p, b.len);
            if (zkr_pcs_proof_parse(&q, c.n, 1, 1, &d, &pf) == ZKR_OK && pf->l.n_layers > 1) {
                size_t off = bf_leaf_offset(&b, pf, 1) + 8 * (3u << a) - 8; /* the last word */
                zkr_transcript tv;
                static const uint8_t z[32] = {7};
                zkr_pcs_claim cl = {0, c.pt, c.value};
                zkr_pcs_proof_free(pf);
                pf = NULL;
                zkr_store_le64(b.p + off, (zkr_load_le64(b.p + off) + 1) % ZKR_GL_P);
                zkr_dec_init(&d, b.p, b.len);
                zkr_ts_init(&tv, "sound-bf", 1, 1, 1, z, z);
                v = zkr_pcs_proof_parse(&q, c.n, 1, 1, &d, &pf);
                if (v == ZKR_OK)
                    v = zkr_pcs_verify(&q, &tv, &c.comm, 1, &cl, 1, pf);
                zkr_tap_ok(t, v == ZKR_ERR_VERIFY,
                           "fold arity %u: the last word (%u) of a layer-1 leaf changed: "
                           "ZKR_ERR_VERIFY", a, (3u << a) - 1);
            } else {
                zkr_tap_ok(t, 0, "fold arity %u: parse", a);
            }
            zkr_pcs_proof_free(pf);
        }
        zkr_buf_free(&b);
        bf_free(&c);
    }
}

/* ---------------- LogUp ---------------- */

/* LogUp of a column against 0..255 with one entry replaced by bad, multiplicities recounted. */
static zkr_err logup_attack(zkr_tap *t, zkr_gl bad, zkr_err *prove)
{
    enum { NA = 10, NT = 8 };
    zkr_gl a[1 << NA], table[1 << NT], mult[1 << NT];
    zkr_transcript tp, tv;
    static const uint8_t z[32] = {3};
    zkr_buf b = {0};
    zkr_logup_claims cp, cv;
    zkr_logup_proof *pf = NULL;
    zkr_dec d;
    zkr_err r;

    for (size_t j = 0; j < (1 << NT); j++)
        table[j] = j;
    for (size_t i = 0; i < (1 << NA); i++)
        a[i] = zkr_tap_rand(t) % 256;
    a[5] = bad;
    memset(mult, 0, sizeof mult);
    for (size_t i = 0; i < (1 << NA); i++)
        if (a[i] < 256)
            mult[a[i]]++;
    zkr_ts_init(&tp, "sound-logup", 1, 1, 1, z, z);
    tv = tp;
    *prove = zkr_prover_logup_cheat(&tp, a, NA, table, mult, NT, 1, &b, &cp);
    if (*prove != ZKR_OK) {
        zkr_buf_free(&b);
        return ZKR_ERR_INTERNAL;
    }
    zkr_dec_init(&d, b.p, b.len);
    r = zkr_logup_proof_parse(NA, NT, &d, &pf);
    if (r == ZKR_OK)
        r = zkr_logup_verify(&tv, NA, NT, pf, &cv);
    /* The verifier's leaf claims must also be what the columns say (the caller's openings). */
    if (r == ZKR_OK) {
        zkr_ext av, mv;
        zkr_gl *ae = a, *me = mult;
        if (zkr_mle_eval_base(ae, NA, cv.ra, &av) != ZKR_OK ||
            zkr_mle_eval_base(me, NT, cv.rt, &mv) != ZKR_OK || !zkr_ext_eq(av, cv.a_at_ra) ||
            !zkr_ext_eq(mv, cv.m_at_rt))
            r = ZKR_ERR_VERIFY;
    }
    zkr_logup_proof_free(pf);
    zkr_buf_free(&b);
    return r;
}

static void test_logup(zkr_tap *t)
{
    static const struct {
        zkr_gl v;
        const char *what;
    } bad[] = {
        {256, "256 (one past the table)"},
        {ZKR_GL_P - 1, "p - 1 (-1)"},
        {3 * 256 + 7, "3 * 2^8 + 7"},
        {(zkr_gl)1 << 16, "2^16"},
        {((zkr_gl)1 << 48) - 1, "2^48 - 1"},
        {(zkr_gl)1 << 63, "2^63"},
        {ZKR_GL_P - 256, "p - 256"},
    };
    zkr_err pr, v;

    v = logup_attack(t, 255, &pr);
    zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_OK, "LogUp: an in-table column verifies (control)");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = logup_attack(t, bad[i].v, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                   "LogUp: an entry %s, multiplicities recounted, root equation forced: "
                   "ZKR_ERR_VERIFY (%d/%d)", bad[i].what, pr, v);
    }
}

static void test_soundness_figure(zkr_tap *t, const zkr_params *p)
{
    static const unsigned ns[] = {0, 12, 20, 24, 26};

    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        zkr_soundness s = zkr_params_soundness(p, ns[i], 64, 3);
        zkr_soundness one = zkr_params_soundness_open(p, ns[i], 1, 1, 64, 3);
        zkr_tap_ok(t, s.provable_bits >= 128.0 && s.provable_bits <= one.provable_bits,
                   "n = %u: %.2f provable bits at 64 commitments / 4096 claims (%.2f for one), "
                   "%.1f conjectured", ns[i], s.provable_bits, one.provable_bits,
                   s.conjectured_bits);
    }
    {
        /* The batching term itself: 64 commitments of 2^26 at rate 1/4 is 2^34 / 2^192. */
        double lf = 3.0 * 63.99999999966;
        double term = log2(64.0 * ldexp(1.0, 28) + 4096.0) - lf;
        zkr_tap_ok(t, term < -157.0, "batching term for the largest opening: 2^%.1f", term);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;

    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    test_leaf_hash(&t);
    test_params(&t);
    test_wide_leaves(&t, &p);
    test_basefold_layer_root(&t, &p);
    test_basefold_drop_leaf(&t, &p);
    test_basefold_noncanonical(&t, &p);
    test_logup(&t);
    test_soundness_figure(&t, &p);
    return zkr_tap_done(&t);
}
