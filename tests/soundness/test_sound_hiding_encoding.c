/*
 * matmul@2 adversary, byte level (docs/soundness.md, "Zero-knowledge
 * (hiding) layer"): an honest proof edited where a parser gap or a
 * transcript-ordering slip would let a false or foreign proof through.
 * Each edit must be refused with the code of the layer that owns it:
 * (version 3: the range proof's batched opening of W, h, phi, m)
 * - non-canonical field encodings (>= p) of the batch mask's value b, W's
 *   revealed value, a folding message, a final-polynomial coefficient, and
 *   words of W's, Z's and a folded layer's opened leaves: MALFORMED (an
 *   alias x + p would otherwise hash differently but read the same, making
 *   proofs malleable; a value off by p must not read as the value);
 * - the batch's mask root replaced by W's own root, or by the mask root of
 *   another proof of the same statement (Z swapped after beta and rho are
 *   fixed): VERIFY;
 * - b edited by a canonical delta (beta and rho are drawn after b, so the
 *   combined claim moves with them), and the x, x^2 limbs of b, W's value,
 *   a Z leaf and a final coefficient edited (a check that read only the
 *   base limb would pass them): VERIFY;
 * - an opened-leaf count of 0 or above the parameter set's queries:
 *   MALFORMED.
 * The untouched proof verifies before and after, so each refusal comes
 * from the edit.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define M_ 4
#define K_ 8
#define B_ 2

typedef struct {
    int64_t w[M_ * K_], x[K_ * B_], y[M_ * B_];
    zkr_hpcs_poly *poly;
    zkr_verifier_matmul2_statement st;
} cas;

static int make(zkr_tap *t, const zkr_params *p, cas *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < M_ * K_; i++)
        c->w[i] = (int64_t)(zkr_tap_rand(t) % 255) - 127;
    for (int i = 0; i < K_ * B_; i++)
        c->x[i] = (int64_t)(zkr_tap_rand(t) % 2001) - 1000;
    for (int i = 0; i < M_; i++)
        for (int j = 0; j < K_; j++)
            for (int q = 0; q < B_; q++)
                c->y[i * B_ + q] += c->w[i * K_ + j] * c->x[j * B_ + q];
    c->st.param_set = p->id;
    c->st.pub.m = M_, c->st.pub.k = K_, c->st.pub.b = B_;
    c->st.pub.x = c->x, c->st.pub.y = c->y;
    c->st.pub.w_max_abs = 127;
    memset(c->st.statement_id, 0x6b, ZKR_DIGEST_BYTES);
    return zkr_prover_matmul2_commit(p, c->w, M_, K_, 16, NULL, 0, 1, &c->poly, &c->st.pub.w) ==
           ZKR_OK;
}

static zkr_err verify(const uint8_t *pf, size_t len, const cas *c)
{
    zkr_diag d;

    zkr_diag_clear(&d);
    return zkr_verify_matmul2(pf, len, &c->st, &d);
}

/*
 * Offsets (into the whole proof) of the fields an edit targets. Version 3
 * has one proof section after the statement (13, the range proof carrying
 * y = W x); its batched opening of a, h, phi, m follows the revealed
 * values: the mask's root (zroot), its value b (sigma: the mask's one
 * revealed scalar), the folding messages, ..., layer 0's trees a, h, phi,
 * m, Z. v is a's revealed value.
 */
typedef struct {
    size_t zroot, sigma, v, hmsg, final, f_leaf, z_leaf, l1_leaf, f_count, nonce, f_words;
    size_t sec3;
    unsigned final_vars;
    int has_l1;
} offs;

/* Skips one opened tree of `words` words a leaf at *at. */
static void skip_tree(const uint8_t *pf, size_t *at, size_t words)
{
    size_t n_open = zkr_load_be32(pf + *at), n_sib = zkr_load_be32(pf + *at + 4);

    *at += 8 + n_open * (ZKR_SALT_BYTES + 8 * words) + n_sib * ZKR_DIGEST_BYTES;
}

static int locate(const zkr_params *p, const cas *c, const uint8_t *pf, size_t len, offs *o)
{
    zkr_proof_view v;
    zkr_diag d;
    zkr_pcs_layout l;
    unsigned total = c->st.pub.w.n_vars + c->st.pub.w.blind_vars;
    unsigned N = zkr_zkrange_sc_vars(c->st.pub.w.n_vars);
    size_t at, bw;

    zkr_diag_clear(&d);
    if (zkr_proof_parse(pf, len, &v, &d) != ZKR_OK || v.n_sections != 2)
        return 0;
    zkr_hpcs_layout_of(p, total, &l);
    o->sec3 = (size_t)(v.body[1] - pf);
    o->v = o->sec3 + 4 * ZKR_DIGEST_BYTES + ZKR_EXT_BYTES +
           (size_t)N * ZKR_ZKRANGE_DEGREE * ZKR_EXT_BYTES;
    o->zroot = o->v + 5 * ZKR_EXT_BYTES;
    o->sigma = o->zroot + ZKR_DIGEST_BYTES;
    o->hmsg = o->sigma + ZKR_EXT_BYTES;
    o->final = o->hmsg + 2 * (size_t)l.folds_total * ZKR_EXT_BYTES +
               (size_t)(l.n_layers - 1) * ZKR_DIGEST_BYTES;
    o->nonce = o->final + ((size_t)ZKR_EXT_BYTES << l.final_vars);
    o->final_vars = l.final_vars;
    at = o->nonce + 8;
    bw = (size_t)1 << l.folds[0];
    o->f_words = bw;
    o->f_count = at;
    /* a: counts, leaves (salt || 2^a base words), siblings; then h, phi (ext), m (base). */
    o->f_leaf = at + 8 + ZKR_SALT_BYTES;
    skip_tree(pf, &at, bw);
    skip_tree(pf, &at, 3 * bw);
    skip_tree(pf, &at, 3 * bw);
    skip_tree(pf, &at, bw);
    /* Z: 2^a extension words. */
    o->z_leaf = at + 8 + ZKR_SALT_BYTES;
    skip_tree(pf, &at, 3 * bw);
    o->has_l1 = l.n_layers > 1;
    o->l1_leaf = at + 8 + ZKR_SALT_BYTES;
    return at <= len;
}

/* Overwrites the u64 at off with val in a copy and verifies it. */
static zkr_err with_u64(const uint8_t *pf, size_t len, size_t off, uint64_t val, const cas *c)
{
    uint8_t *cp = malloc(len);
    zkr_err r;

    if (!cp)
        return ZKR_ERR_NOMEM;
    memcpy(cp, pf, len);
    zkr_store_le64(cp + off, val);
    r = verify(cp, len, c);
    free(cp);
    return r;
}

/* Every non-canonical value for the word at off: p, p + the canonical value if it fits, 2^64 - 1. */
static int all_malformed(const uint8_t *pf, size_t len, size_t off, const cas *c)
{
    uint64_t cur = zkr_load_le64(pf + off);
    int ok = with_u64(pf, len, off, ZKR_GL_P, c) == ZKR_ERR_MALFORMED &&
             with_u64(pf, len, off, UINT64_MAX, c) == ZKR_ERR_MALFORMED;

    if (cur < UINT64_MAX - ZKR_GL_P + 1)
        ok &= with_u64(pf, len, off, cur + ZKR_GL_P, c) == ZKR_ERR_MALFORMED;
    return ok;
}

static zkr_err with_bytes(const uint8_t *pf, size_t len, size_t off, const uint8_t *b, size_t n,
                          const cas *c)
{
    uint8_t *cp = malloc(len);
    zkr_err r;

    if (!cp)
        return ZKR_ERR_NOMEM;
    memcpy(cp, pf, len);
    memcpy(cp + off, b, n);
    r = verify(cp, len, c);
    free(cp);
    return r;
}

static void test_encodings(zkr_tap *t, cas *c, const zkr_buf *pf, const offs *o)
{
    const char *name[] = {"the batch mask's value b", "a's revealed value",
                          "a folding-sumcheck message", "a final coefficient", "an F (a) leaf word",
                          "a Z leaf word", "a folded layer's leaf word"};
    size_t at[] = {o->sigma, o->v, o->hmsg, o->final, o->f_leaf, o->z_leaf, o->l1_leaf};

    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        if (i == 6 && !o->has_l1)
            continue;
        /* Each limb of an extension element, each word's own encoding. */
        int ok = all_malformed(pf->p, pf->len, at[i], c);
        if (i != 4)
            ok &= all_malformed(pf->p, pf->len, at[i] + 16, c);
        zkr_tap_ok(t, ok, "%s encoded >= p: MALFORMED", name[i]);
    }
}

static void test_mask_swaps(zkr_tap *t, const zkr_params *p, cas *c, const zkr_buf *pf,
                            const offs *o)
{
    zkr_buf other = {0};
    zkr_diag d;
    offs oo;
    uint64_t s;

    zkr_tap_ok(t, with_bytes(pf->p, pf->len, o->zroot, c->st.pub.w.root, ZKR_DIGEST_BYTES, c) ==
                      ZKR_ERR_VERIFY,
               "the mask root replaced by W's own root: VERIFY");
    zkr_diag_clear(&d);
    if (zkr_prover_matmul2(p, c->st.statement_id, &c->st.pub, c->w, c->poly, NULL, 0, 1, &other,
                           &d) != ZKR_OK ||
        !locate(p, c, other.p, other.len, &oo)) {
        zkr_tap_ok(t, 0, "second proof");
        return;
    }
    zkr_tap_ok(t, memcmp(other.p + oo.zroot, pf->p + o->zroot, ZKR_DIGEST_BYTES) != 0 &&
                      with_bytes(pf->p, pf->len, o->zroot, other.p + oo.zroot, ZKR_DIGEST_BYTES,
                                 c) == ZKR_ERR_VERIFY,
               "the mask root of another proof of the same statement: VERIFY");
    zkr_tap_ok(t, with_bytes(pf->p, pf->len, o->sigma, other.p + oo.sigma, ZKR_EXT_BYTES, c) ==
                      ZKR_ERR_VERIFY,
               "the batch mask's value b of another proof of the same statement: VERIFY");
    s = zkr_load_le64(pf->p + o->sigma);
    zkr_tap_ok(t, with_u64(pf->p, pf->len, o->sigma, zkr_gl_add(s, 1), c) == ZKR_ERR_VERIFY,
               "the batch mask's value b + 1 (canonical): VERIFY");
    {
        /* The extension limbs: a check that read only c[0] would let these through. */
        const char *name[] = {"b's x^2 limb", "a's value's x limb", "a's value's x^2 limb",
                              "a Z leaf's x^2 limb", "a final coefficient's x limb"};
        size_t at[] = {o->sigma + 16, o->v + 8, o->v + 16, o->z_leaf + 16, o->final + 8};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            uint64_t cur = zkr_load_le64(pf->p + at[i]);
            zkr_tap_ok(t, with_u64(pf->p, pf->len, at[i], zkr_gl_add(cur, 1), c) ==
                              ZKR_ERR_VERIFY,
                       "%s + 1 (canonical): VERIFY", name[i]);
        }
    }
    zkr_buf_free(&other);
}

/*
 * The range proof's section (13): m, C, h, phi roots, gamma, the degree-7
 * messages, the five revealed values. gamma or a value >= p is MALFORMED;
 * a root swapped for another proof's (a helper committed after X, or the
 * multiplicities after the fact), gamma + 1 and each value's limb + 1 are
 * VERIFY.
 */
static void test_range_edits(zkr_tap *t, const zkr_params *p, cas *c, const zkr_buf *pf,
                             const offs *o)
{
    unsigned N = zkr_zkrange_sc_vars(c->st.pub.w.n_vars);
    size_t gamma = o->sec3 + 4 * ZKR_DIGEST_BYTES;
    size_t vals = gamma + ZKR_EXT_BYTES + (size_t)N * ZKR_ZKRANGE_DEGREE * ZKR_EXT_BYTES;
    const char *root_name[] = {"m", "C", "h", "phi"};
    zkr_buf other = {0};
    zkr_diag d;
    offs oo;

    zkr_tap_ok(t, all_malformed(pf->p, pf->len, gamma, c) &&
                      all_malformed(pf->p, pf->len, vals + 4 * ZKR_EXT_BYTES + 8, c),
               "range proof: gamma and g(r) encoded >= p: MALFORMED");
    zkr_tap_ok(t, with_u64(pf->p, pf->len, gamma, zkr_gl_add(zkr_load_le64(pf->p + gamma), 1),
                           c) == ZKR_ERR_VERIFY, "range proof: gamma + 1: VERIFY");
    for (unsigned i = 0; i < 5; i++) {
        size_t at = vals + i * ZKR_EXT_BYTES + 8 * (i % 3);
        zkr_tap_ok(t, with_u64(pf->p, pf->len, at, zkr_gl_add(zkr_load_le64(pf->p + at), 1), c) ==
                          ZKR_ERR_VERIFY,
                   "range proof: revealed value %u, limb %u + 1: VERIFY", i, i % 3);
    }
    zkr_diag_clear(&d);
    if (zkr_prover_matmul2(p, c->st.statement_id, &c->st.pub, c->w, c->poly, NULL, 0, 1, &other,
                           &d) != ZKR_OK ||
        !locate(p, c, other.p, other.len, &oo)) {
        zkr_tap_ok(t, 0, "second proof");
        return;
    }
    for (unsigned i = 0; i < 4; i++)
        zkr_tap_ok(t, with_bytes(pf->p, pf->len, o->sec3 + i * ZKR_DIGEST_BYTES,
                                 other.p + oo.sec3 + i * ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES, c) ==
                          ZKR_ERR_VERIFY,
                   "range proof: the %s root of another proof of the same statement: VERIFY",
                   root_name[i]);
    zkr_buf_free(&other);
}

/*
 * The opening's Merkle and grinding fields: the nonce moved (its absorbed
 * value fixes the query seed), two of W's multi-opening siblings swapped,
 * a salt flipped, and the final polynomial's last (highest) coefficient
 * moved: each VERIFY.
 */
static void test_merkle_pow(zkr_tap *t, cas *c, const zkr_buf *pf, const offs *o)
{
    size_t n_open = zkr_load_be32(pf->p + o->f_count), n_sib = zkr_load_be32(pf->p + o->f_count + 4);
    size_t sib0 = o->f_count + 8 + n_open * (ZKR_SALT_BYTES + 8 * o->f_words);
    uint64_t nonce = zkr_load_le64(pf->p + o->nonce);
    uint8_t two[2 * ZKR_DIGEST_BYTES], salt[ZKR_SALT_BYTES];
    size_t last = o->nonce - ZKR_EXT_BYTES;

    zkr_tap_ok(t, with_u64(pf->p, pf->len, o->nonce, nonce + 1, c) == ZKR_ERR_VERIFY &&
                      with_u64(pf->p, pf->len, o->nonce, nonce ^ ((uint64_t)1 << 63), c) ==
                          ZKR_ERR_VERIFY,
               "the grinding nonce moved (nonce + 1, top bit flipped): VERIFY");
    if (n_sib >= 2) {
        memcpy(two, pf->p + sib0 + ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES);
        memcpy(two + ZKR_DIGEST_BYTES, pf->p + sib0, ZKR_DIGEST_BYTES);
    }
    zkr_tap_ok(t, n_sib >= 2 && memcmp(two, two + ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES) != 0 &&
                      with_bytes(pf->p, pf->len, sib0, two, sizeof two, c) == ZKR_ERR_VERIFY,
               "W's first two multi-opening siblings swapped (%zu sent): VERIFY", n_sib);
    memcpy(salt, pf->p + o->f_count + 8, sizeof salt);
    salt[0] ^= 1;
    zkr_tap_ok(t, with_bytes(pf->p, pf->len, o->f_count + 8, salt, sizeof salt, c) ==
                      ZKR_ERR_VERIFY,
               "W's first opened leaf's salt flipped: VERIFY");
    zkr_tap_ok(t, with_u64(pf->p, pf->len, last, zkr_gl_add(zkr_load_le64(pf->p + last), 1), c) ==
                      ZKR_ERR_VERIFY,
               "the final polynomial's highest coefficient (of 2^%u) + 1: VERIFY", o->final_vars);
}

static void test_counts(zkr_tap *t, const zkr_params *p, cas *c, const zkr_buf *pf,
                        const offs *o)
{
    uint8_t big[4];

    zkr_store_be32(big, p->queries + 1);
    zkr_tap_ok(t, with_bytes(pf->p, pf->len, o->f_count, big, 4, c) == ZKR_ERR_MALFORMED,
               "W's opened-leaf count above the parameter set's queries: MALFORMED");
    zkr_store_be32(big, 0);
    zkr_tap_ok(t, with_bytes(pf->p, pf->len, o->f_count, big, 4, c) == ZKR_ERR_MALFORMED,
               "no W leaves opened: MALFORMED");
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;
    zkr_buf pf = {0};
    zkr_diag d;
    cas c;
    offs o;

    if (sodium_init() < 0)
        return 1;
    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK || !make(&t, &p, &c))
        return 1;
    zkr_diag_clear(&d);
    if (zkr_prover_matmul2(&p, c.st.statement_id, &c.st.pub, c.w, c.poly, NULL, 0, 1, &pf, &d) !=
            ZKR_OK ||
        !locate(&p, &c, pf.p, pf.len, &o))
        return 1;
    zkr_tap_ok(&t, verify(pf.p, pf.len, &c) == ZKR_OK, "the untouched proof verifies");
    test_encodings(&t, &c, &pf, &o);
    test_mask_swaps(&t, &p, &c, &pf, &o);
    test_counts(&t, &p, &c, &pf, &o);
    test_merkle_pow(&t, &c, &pf, &o);
    test_range_edits(&t, &p, &c, &pf, &o);
    zkr_tap_ok(&t, verify(pf.p, pf.len, &c) == ZKR_OK, "the untouched proof still verifies");
    zkr_buf_free(&pf);
    zkr_hpcs_poly_free(c.poly);
    return zkr_tap_done(&t);
}
