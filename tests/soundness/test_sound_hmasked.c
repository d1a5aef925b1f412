/*
 * A hiding opening whose mask shares the committed polynomial's tree
 * (zkr_prover_hcommit_masked / zkr_hpcs_verify_masked: inference@2 version
 * 11's C). The honest opening verifies at every parameter set; each attack
 * must be refused: a false value, one word of F's or of Z's part of an
 * opened leaf changed (the one Merkle check binds both), the masked proof
 * read as a plain opening and a plain one read as masked, the pair opened
 * with another mask or the mask with another F (the prover refuses), and
 * every truncation (MALFORMED at parse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "prover/prover.h"
#include "tap.h"
#include "zk/zk.h"
#include "zk/zk_int.h"

#define N_VARS 8u

typedef struct {
    const zkr_params *p;
    zkr_gl ev[1u << N_VARS];
    zkr_ext z[N_VARS], rho, value;
    zkr_hpcs_poly *f, *mask;
    zkr_hpcs_commitment comm;
    zkr_buf pf;
} mcase;

static void hm_ts(const zkr_params *p, zkr_transcript *t)
{
    uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];

    memset(sid, 0x5a, sizeof sid);
    zkr_params_digest(p, pd);
    zkr_ts_init(t, "zkreg/test-hmasked", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
}

/* The protocol's start on both sides: the pair's root, then rho and the point. */
static void hm_start(const zkr_params *p, const uint8_t root[ZKR_DIGEST_BYTES], zkr_transcript *t,
                     mcase *c)
{
    hm_ts(p, t);
    zkr_ts_absorb(t, "test-root", root, ZKR_DIGEST_BYTES);
    c->rho = zkr_ts_challenge_ext(t, "test-rho");
    for (unsigned i = 0; i < N_VARS; i++)
        c->z[i] = zkr_ts_challenge_ext(t, "test-z");
}

/* Commits and opens honestly at G = F + rho Z on the slice u = 0. */
static zkr_err make(const zkr_params *p, mcase *c)
{
    zkr_zkrng g;
    zkr_transcript t;
    zkr_ext fz, zz;
    uint8_t seed[32];
    zkr_err r;

    memset(c, 0, sizeof *c);
    c->p = p;
    for (size_t i = 0; i < ((size_t)1 << N_VARS); i++)
        c->ev[i] = (zkr_gl)(i * 2654435761u % 1000003u);
    memset(seed, 7, sizeof seed);
    if ((r = zkr_zkrng_seeded(&g, seed, sizeof seed, "test-hmasked", NULL, 0)) != ZKR_OK)
        return r;
    if ((r = zkr_prover_hcommit_masked(p, c->ev, N_VARS, 1, &g, 1, &c->f, &c->mask, &c->comm)) !=
        ZKR_OK)
        goto out;
    hm_start(p, c->comm.root, &t, c);
    /* Z on the slice u = 0 is its first 2^n entries (the blinding variables are the high ones) */
    if ((r = zkr_mle_eval_base(c->ev, N_VARS, c->z, &fz)) != ZKR_OK ||
        (r = zkr_mle_eval_ext(zkr_hpcs_mask_evals(c->mask), N_VARS, c->z, &zz)) != ZKR_OK)
        goto out;
    c->value = zkr_ext_add(fz, zkr_ext_mul(c->rho, zz));
    r = zkr_prover_hopen(p, &t, c->f, c->mask, c->rho, c->z, c->value, &g, 1, &c->pf);
out:
    zkr_zkrng_wipe(&g);
    return r;
}

static void mfree(mcase *c)
{
    zkr_hpcs_poly_free(c->mask);
    zkr_hpcs_poly_free(c->f);
    zkr_buf_free(&c->pf);
}

/* Parses bytes as a masked (or plain) opening and verifies it. */
static zkr_err check(const mcase *c, const uint8_t *b, size_t len, int masked, zkr_ext value)
{
    zkr_transcript t;
    zkr_hpcs_proof *pf = NULL;
    zkr_dec d;
    mcase s = *c;
    zkr_err r;

    zkr_dec_init(&d, b, len);
    r = masked ? zkr_hpcs_proof_parse_masked(c->p, N_VARS + c->comm.blind_vars, &d, &pf)
               : zkr_hpcs_proof_parse_f(c->p, N_VARS + c->comm.blind_vars, 0, &d, &pf);
    if (r != ZKR_OK)
        return r;
    if (zkr_dec_finish(&d) != ZKR_OK) {
        zkr_hpcs_proof_free(pf);
        return ZKR_ERR_MALFORMED;
    }
    hm_start(c->p, c->comm.root, &t, &s);
    r = masked ? zkr_hpcs_verify_masked(c->p, &t, &c->comm, s.rho, s.z, value, pf)
               : zkr_hpcs_verify(c->p, &t, &c->comm, c->comm.root, s.rho, s.z, value, pf);
    zkr_hpcs_proof_free(pf);
    return r;
}

/*
 * Offset of the first opened leaf's words at layer 0: after the folding
 * messages, the layers' roots, the final polynomial, the nonce and the tree's
 * two counts and the salt.
 */
static size_t leaf0_words(const mcase *c)
{
    zkr_pcs_layout l;

    zkr_hpcs_layout_of(c->p, N_VARS + c->comm.blind_vars, &l);
    return 24 * (2 * (size_t)l.folds_total) + (size_t)ZKR_DIGEST_BYTES * (l.n_layers - 1) +
           24 * ((size_t)1 << l.final_vars) + 8 + 8 + ZKR_SALT_BYTES;
}

static void attacks(zkr_tap *t, const mcase *c, const char *set)
{
    zkr_pcs_layout l;
    zkr_buf b = {0};
    size_t at = leaf0_words(c), bad = 0;
    zkr_err r;

    zkr_hpcs_layout_of(c->p, N_VARS + c->comm.blind_vars, &l);
    r = check(c, c->pf.p, c->pf.len, 1, zkr_ext_add(c->value, zkr_ext_from(1)));
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "%s: value + 1: VERIFY (%d)", set, r);
    if (zkr_buf_append(&b, c->pf.p, c->pf.len) != ZKR_OK)
        return;
    b.p[at] ^= 1; /* F's first word (kept below p: the low bit of a small value) */
    r = check(c, b.p, b.len, 1, c->value);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "%s: F's word in an opened leaf changed: VERIFY (%d)", set,
               r);
    b.p[at] ^= 1;
    at += 8 * ((size_t)1 << l.folds[0]); /* Z's first extension value's first word */
    b.p[at] = (uint8_t)(b.p[at] ^ 1);
    r = check(c, b.p, b.len, 1, c->value);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY || r == ZKR_ERR_MALFORMED,
               "%s: Z's word in an opened leaf changed: refused (%d)", set, r);
    b.p[at] = (uint8_t)(b.p[at] ^ 1);
    r = check(c, b.p, b.len, 1, c->value);
    zkr_tap_ok(t, r == ZKR_OK, "%s: twin: the bytes restored verify (%d)", set, r);
    r = check(c, c->pf.p, c->pf.len, 0, c->value);
    zkr_tap_ok(t, r != ZKR_OK, "%s: the masked opening read as a plain one (F's root as Z's): "
               "refused (%d)", set, r);
    for (size_t len = 0; len < c->pf.len; len += (len < 4096 || len + 4096 > c->pf.len) ? 1 : 97)
        bad += check(c, c->pf.p, len, 1, c->value) != ZKR_ERR_MALFORMED;
    zkr_tap_ok(t, bad == 0, "%s: every truncation (sampled in the middle) is MALFORMED (%zu not)",
               set, bad);
    zkr_buf_free(&b);
}

/* A plain opening (own mask tree) is refused as masked; the pair refuses other partners. */
static void crossings(zkr_tap *t, const zkr_params *p, mcase *c, const char *set)
{
    zkr_zkrng g;
    zkr_transcript ts;
    zkr_hpcs_poly *f2 = NULL, *m2 = NULL;
    zkr_hpcs_commitment c2;
    uint8_t seed[32], root[ZKR_DIGEST_BYTES];
    zkr_buf b = {0};
    mcase s = *c;
    zkr_err r;

    memset(seed, 9, sizeof seed);
    if (zkr_zkrng_seeded(&g, seed, sizeof seed, "test-hmasked-2", NULL, 0) != ZKR_OK ||
        zkr_prover_hcommit(p, c->ev, N_VARS, 1, &g, 1, &f2, &c2) != ZKR_OK ||
        zkr_prover_hmask(p, zkr_hpcs_poly_total_vars(f2), &g, 1, &m2, root) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: plain commitment setup", set);
        goto out;
    }
    hm_start(p, c->comm.root, &ts, &s);
    r = zkr_prover_hopen(p, &ts, c->f, m2, s.rho, s.z, c->value, &g, 1, &b);
    zkr_tap_ok(t, r == ZKR_ERR_USAGE, "%s: the pair's F opened with another mask: the prover "
               "refuses (%d)", set, r);
    hm_start(p, c->comm.root, &ts, &s);
    r = zkr_prover_hopen(p, &ts, f2, c->mask, s.rho, s.z, c->value, &g, 1, &b);
    zkr_tap_ok(t, r == ZKR_ERR_USAGE, "%s: the pair's mask used for another F: the prover "
               "refuses (%d)", set, r);
    zkr_buf_free(&b);
    hm_start(p, c->comm.root, &ts, &s);
    if ((r = zkr_prover_hopen(p, &ts, f2, m2, s.rho, s.z, c->value, &g, 1, &b)) == ZKR_OK) {
        zkr_hpcs_proof *pf = NULL;
        zkr_dec d;
        zkr_dec_init(&d, b.p, b.len);
        r = zkr_hpcs_proof_parse_masked(p, N_VARS + c2.blind_vars, &d, &pf);
        if (r == ZKR_OK) {
            hm_start(p, c2.root, &ts, &s);
            r = zkr_hpcs_verify_masked(p, &ts, &c2, s.rho, s.z, c->value, pf);
        }
        zkr_hpcs_proof_free(pf);
    }
    zkr_tap_ok(t, r != ZKR_OK, "%s: a plain opening (the mask's own tree) read as masked: refused "
               "(%d)", set, r);
out:
    zkr_buf_free(&b);
    zkr_hpcs_poly_free(m2);
    zkr_hpcs_poly_free(f2);
    zkr_zkrng_wipe(&g);
}

int main(int argc, char **argv)
{
    static const uint32_t sets[3] = {ZKR_PARAM_SET_128, 2, 3};
    static const char *names[3] = {"goldilocks-128", "goldilocks-128-r8", "goldilocks-128-r16"};
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0) {
        zkr_tap_ok(&t, 0, "sodium_init");
        return zkr_tap_done(&t);
    }
    for (int s = 0; s < 3; s++) {
        zkr_params p;
        mcase *c = calloc(1, sizeof *c);
        zkr_err r = c && zkr_params_get(sets[s], &p) == ZKR_OK ? make(&p, c) : ZKR_ERR_NOMEM;
        zkr_tap_ok(&t, r == ZKR_OK, "%s: C and its mask committed in one tree, opened (%d)",
                   names[s], r);
        if (r == ZKR_OK) {
            r = check(c, c->pf.p, c->pf.len, 1, c->value);
            zkr_tap_ok(&t, r == ZKR_OK, "%s: the honest masked opening verifies (%d)", names[s],
                       r);
            attacks(&t, c, names[s]);
            crossings(&t, &p, c, names[s]);
        }
        if (c)
            mfree(c);
        free(c);
    }
    return zkr_tap_done(&t);
}
