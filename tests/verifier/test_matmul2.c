/*
 * matmul@2 (hiding matrix product) end to end: completeness over shapes,
 * random bit flips, truncations, a trailing byte, every binding refused
 * with its error, the honest prover's refusals, the opening budget, and
 * randomness: OS-keyed proofs differ per run, seeded proofs are
 * byte-identical for the same seed and statement and differ otherwise.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"

typedef struct {
    int64_t *w, *x, *y;
    zkr_hpcs_poly *poly;
    zkr_verifier_matmul2_statement st;
} mm2_case;

static void mm2_free(mm2_case *c)
{
    free(c->w);
    free(c->x);
    free(c->y);
    zkr_hpcs_poly_free(c->poly);
    memset(c, 0, sizeof *c);
}

static int64_t small(zkr_tap *t, int64_t range)
{
    return (int64_t)(zkr_tap_rand(t) % (uint64_t)(2 * range + 1)) - range;
}

static int mm2_make(zkr_tap *t, const zkr_params *p, uint32_t m, uint32_t k, uint32_t b,
                    uint32_t budget, const uint8_t *seed, mm2_case *c)
{
    memset(c, 0, sizeof *c);
    c->w = malloc((size_t)m * k * sizeof *c->w);
    c->x = malloc((size_t)k * b * sizeof *c->x);
    c->y = calloc((size_t)m * b, sizeof *c->y);
    if (!c->w || !c->x || !c->y)
        return 0;
    for (size_t i = 0; i < (size_t)m * k; i++)
        c->w[i] = small(t, 127);
    for (size_t i = 0; i < (size_t)k * b; i++)
        c->x[i] = small(t, 1 << 20);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            for (size_t q = 0; q < b; q++)
                c->y[i * b + q] += c->w[i * k + j] * c->x[j * b + q];
    if (zkr_prover_matmul2_commit(p, c->w, m, k, budget, seed, seed ? 32 : 0, 1, &c->poly,
                                  &c->st.pub.w) != ZKR_OK)
        return 0;
    c->st.param_set = p->id;
    c->st.pub.m = m, c->st.pub.k = k, c->st.pub.b = b;
    c->st.pub.w_max_abs = 127;
    c->st.pub.x = c->x;
    c->st.pub.y = c->y;
    for (int i = 0; i < ZKR_DIGEST_BYTES; i++)
        c->st.statement_id[i] = (uint8_t)(m * 5 + k * 11 + b * 29 + i);
    return 1;
}

static zkr_err mm2_prove(const zkr_params *p, mm2_case *c, const uint8_t *seed, zkr_buf *out)
{
    zkr_diag d;
    zkr_diag_clear(&d);
    out->len = 0;
    return zkr_prover_matmul2(p, c->st.statement_id, &c->st.pub, c->w, c->poly, seed,
                              seed ? 32 : 0, 1, out, &d);
}

static zkr_err mm2_verify(const uint8_t *pf, size_t len, const zkr_verifier_matmul2_statement *st)
{
    zkr_diag d;
    zkr_diag_clear(&d);
    return zkr_verify_matmul2(pf, len, st, &d);
}

static void test_completeness(zkr_tap *t, const zkr_params *p)
{
    static const uint32_t shapes[][3] = {{1, 1, 1}, {3, 5, 2}, {16, 16, 4}, {7, 64, 3},
                                         {64, 32, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        mm2_case c;
        zkr_buf pf = {0};
        int ok = mm2_make(t, p, shapes[s][0], shapes[s][1], shapes[s][2], 4, NULL, &c);
        zkr_err r = ok ? mm2_prove(p, &c, NULL, &pf) : ZKR_ERR_INTERNAL;
        zkr_soundness sd = zkr_matmul2_soundness(p, shapes[s][0], shapes[s][1], shapes[s][2],
                                                 c.st.pub.w.blind_vars);
        zkr_tap_ok(t, r == ZKR_OK && mm2_verify(pf.p, pf.len, &c.st) == ZKR_OK && sd.provable_bits >= 125,
                   "matmul@2 %ux%u b=%u (e=%u, %zu bytes, %.2f provable bits) verifies",
                   shapes[s][0], shapes[s][1], shapes[s][2], c.st.pub.w.blind_vars, pf.len,
                   sd.provable_bits);
        zkr_buf_free(&pf);
        mm2_free(&c);
    }
}

static void test_tamper(zkr_tap *t, const zkr_params *p)
{
    mm2_case c;
    zkr_buf pf = {0};
    uint8_t *cp;
    int accepted = 0, bad_code = 0;

    if (!mm2_make(t, p, 4, 8, 2, 4, NULL, &c) || mm2_prove(p, &c, NULL, &pf) != ZKR_OK) {
        zkr_tap_ok(t, 0, "tamper setup");
        return;
    }
    cp = malloc(pf.len + 1);
    for (int i = 0; i < 300; i++) {
        size_t at = zkr_tap_rand(t) % pf.len;
        zkr_err r;
        memcpy(cp, pf.p, pf.len);
        cp[at] ^= (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        r = mm2_verify(cp, pf.len, &c.st);
        accepted += r == ZKR_OK;
        bad_code += r == ZKR_ERR_NOMEM || r == ZKR_ERR_USAGE || r == ZKR_ERR_INTERNAL;
    }
    zkr_tap_ok(t, accepted == 0 && bad_code == 0, "300 random bit flips: none accepted, every "
               "refusal a verdict (%d accepted, %d odd codes)", accepted, bad_code);
    accepted = 0;
    for (size_t len = 0; len < pf.len; len += len < 200 ? 1 : 97)
        accepted += mm2_verify(pf.p, len, &c.st) == ZKR_OK;
    zkr_tap_ok(t, accepted == 0, "truncations refused");
    memcpy(cp, pf.p, pf.len);
    cp[pf.len] = 0;
    zkr_tap_ok(t, mm2_verify(cp, pf.len + 1, &c.st) == ZKR_ERR_MALFORMED,
               "a trailing byte is MALFORMED");
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &c.st) == ZKR_OK, "the untouched proof still verifies");
    free(cp);
    zkr_buf_free(&pf);
    mm2_free(&c);
}

static void test_bindings(zkr_tap *t, const zkr_params *p)
{
    mm2_case c, o;
    zkr_buf pf = {0};
    zkr_verifier_matmul2_statement st;
    zkr_matmul_public mp;
    zkr_buf m1 = {0};
    zkr_diag d;

    if (!mm2_make(t, p, 4, 4, 2, 4, NULL, &c) || !mm2_make(t, p, 4, 4, 2, 4, NULL, &o) ||
        mm2_prove(p, &c, NULL, &pf) != ZKR_OK) {
        zkr_tap_ok(t, 0, "binding setup");
        return;
    }
    st = c.st;
    st.statement_id[0] ^= 1;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_STATEMENT, "other statement_id");
    st = c.st;
    st.pub.w = o.st.pub.w;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_MODEL, "other W commitment");
    st = c.st;
    st.pub.w.blind_vars++;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_MODEL, "other blinding size");
    st = c.st;
    st.pub.x = o.x;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_INPUT, "other x");
    st = c.st;
    st.pub.y = o.y;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_OUTPUT, "other y");
    st = c.st;
    st.pub.b = 1;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_INPUT, "other dims");
    st = c.st;
    st.param_set = 2;
    zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &st) == ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set");
    /* A matmul@1 proof is not a matmul@2 proof. */
    {
        zkr_pcs_poly *poly = NULL;
        memset(&mp, 0, sizeof mp);
        mp.m = 4, mp.k = 4, mp.b = 2, mp.x = c.x, mp.y = c.y, mp.w_max_abs = 127;
        zkr_diag_clear(&d);
        int ok = zkr_prover_matmul_commit(p, c.w, 4, 4, 1, &poly, &mp.w) == ZKR_OK &&
                 zkr_prover_matmul(p, c.st.statement_id, &mp, c.w, poly, 1, &m1, &d) == ZKR_OK;
        zkr_tap_ok(t, ok && mm2_verify(m1.p, m1.len, &c.st) == ZKR_ERR_MISMATCH_PARAMS,
                   "a matmul@1 proof is refused as another kind");
        zkr_pcs_poly_free(poly);
    }
    /* The prover refuses a false statement. */
    {
        zkr_buf f = {0};
        c.y[0]++;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_prover_matmul2(p, c.st.statement_id, &c.st.pub, c.w, c.poly, NULL, 0, 1,
                                         &f, &d) == ZKR_ERR_MISMATCH_OUTPUT && f.len == 0,
                   "the prover refuses y != W x");
        c.y[0]--;
        zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &c.st) == ZKR_OK, "the honest proof verifies");
        c.y[0]++;
        zkr_tap_ok(t, mm2_verify(pf.p, pf.len, &c.st) == ZKR_ERR_MISMATCH_OUTPUT,
                   "the honest proof for another y is refused");
        c.y[0]--;
        zkr_buf_free(&f);
    }
    zkr_buf_free(&m1);
    zkr_buf_free(&pf);
    mm2_free(&c);
    mm2_free(&o);
}

static void test_randomness(zkr_tap *t, const zkr_params *p)
{
    mm2_case c;
    zkr_buf a = {0}, b = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    uint8_t seed[32], seed2[32];
    zkr_hpcs_commitment c2;
    zkr_hpcs_poly *p2 = NULL;

    memset(seed, 7, sizeof seed);
    memset(seed2, 9, sizeof seed2);
    if (!mm2_make(t, p, 8, 8, 2, 16, seed, &c)) {
        zkr_tap_ok(t, 0, "randomness setup");
        return;
    }
    zkr_tap_ok(t, mm2_prove(p, &c, NULL, &a) == ZKR_OK && mm2_prove(p, &c, NULL, &b) == ZKR_OK &&
               (a.len != b.len || memcmp(a.p, b.p, a.len) != 0) &&
               mm2_verify(a.p, a.len, &c.st) == ZKR_OK && mm2_verify(b.p, b.len, &c.st) == ZKR_OK,
               "OS-keyed proofs of one statement differ and both verify");
    zkr_tap_ok(t, mm2_prove(p, &c, seed, &s1) == ZKR_OK && mm2_prove(p, &c, seed, &s2) == ZKR_OK &&
               s1.len == s2.len && memcmp(s1.p, s2.p, s1.len) == 0 &&
               mm2_verify(s1.p, s1.len, &c.st) == ZKR_OK,
               "the same seed and statement give byte-identical proofs");
    zkr_tap_ok(t, mm2_prove(p, &c, seed2, &s3) == ZKR_OK && (s1.len != s3.len || memcmp(s1.p, s3.p, s1.len) != 0) &&
               mm2_verify(s3.p, s3.len, &c.st) == ZKR_OK, "another seed gives another proof");
    c.st.statement_id[1] ^= 1;
    zkr_tap_ok(t, mm2_prove(p, &c, seed, &s3) == ZKR_OK && (s1.len != s3.len || memcmp(s1.p, s3.p, s1.len) != 0),
               "the same seed for another statement gives another proof");
    c.st.statement_id[1] ^= 1;
    zkr_tap_ok(t, zkr_prover_matmul2_commit(p, c.w, 8, 8, 16, seed, 32, 1, &p2, &c2) == ZKR_OK &&
               memcmp(c2.root, c.st.pub.w.root, ZKR_DIGEST_BYTES) == 0,
               "a seeded commitment is reproducible");
    zkr_hpcs_poly_free(p2);
    p2 = NULL;
    zkr_tap_ok(t, zkr_prover_matmul2_commit(p, c.w, 8, 8, 16, NULL, 0, 1, &p2, &c2) == ZKR_OK &&
               memcmp(c2.root, c.st.pub.w.root, ZKR_DIGEST_BYTES) != 0,
               "an OS-keyed commitment is fresh");
    zkr_hpcs_poly_free(p2);
    p2 = NULL;
    zkr_tap_ok(t, zkr_prover_matmul2_commit(p, c.w, 8, 8, 16, seed, 8, 1, &p2, &c2) == ZKR_ERR_USAGE,
               "a seed shorter than 16 bytes is refused");
    /* Version 3 opens W once a proof (the range proof's batch): 6 proofs so far of 16; the
     * refusal past the budget is test_reveal_cap's. */
    zkr_tap_ok(t, zkr_hpcs_budget_left(c.poly) == 10,
               "each proof consumes one opening of the budget (6 proofs, 10 of 16 left: %u)",
               zkr_hpcs_budget_left(c.poly));
    zkr_buf_free(&a);
    zkr_buf_free(&b);
    zkr_buf_free(&s1);
    zkr_buf_free(&s2);
    zkr_buf_free(&s3);
    mm2_free(&c);
}

/*
 * The seeded generator is exactly the documented derivation: key =
 * BLAKE2b-256(key = seed, "zkr/zk-rng/v1\0" || le64 |label| || label ||
 * ctx), stream = ChaCha20-IETF(key, nonce "zkr-zk-rng", counter 0..),
 * recomputed here from libsodium directly.
 */
static void test_seed_derivation(zkr_tap *t)
{
    uint8_t seed[32], ctx[40], key[32], msg[64], want[96] = {0}, got[96];
    static const uint8_t dom[] = "zkr/zk-rng/v1";
    static const uint8_t nonce[12] = "zkr-zk-rng";
    const char *label = "matmul@2 proof";
    crypto_generichash_blake2b_state h;
    zkr_zkrng g;
    size_t off = 0;

    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof ctx; i++)
        ctx[i] = (uint8_t)(200 - i);
    memcpy(msg, dom, sizeof dom);
    off = sizeof dom;
    zkr_store_le64(msg + off, strlen(label));
    off += 8;
    (void)crypto_generichash_blake2b_init(&h, seed, sizeof seed, 32);
    (void)crypto_generichash_blake2b_update(&h, msg, off);
    (void)crypto_generichash_blake2b_update(&h, (const uint8_t *)label, strlen(label));
    (void)crypto_generichash_blake2b_update(&h, ctx, sizeof ctx);
    (void)crypto_generichash_blake2b_final(&h, key, sizeof key);
    (void)crypto_stream_chacha20_ietf_xor_ic(want, want, sizeof want, nonce, 0, key);
    zkr_tap_ok(t, zkr_zkrng_seeded(&g, seed, sizeof seed, label, ctx, sizeof ctx) == ZKR_OK,
               "seeded generator keyed");
    zkr_zkrng_bytes(&g, got, 10);
    zkr_zkrng_bytes(&g, got + 10, 86);
    zkr_tap_ok(t, memcmp(got, want, sizeof want) == 0,
               "the seeded stream is BLAKE2b(seed; domain, label, ctx) then ChaCha20, across blocks");
    zkr_zkrng_wipe(&g);
    {
        uint8_t z[sizeof g];
        memset(z, 0, sizeof z);
        zkr_tap_ok(t, memcmp(&g, z, sizeof g) == 0, "wipe clears the key and buffer");
    }
}

/* Threads change nothing; a W other than the committed one is refused. */
static void test_threads_and_model(zkr_tap *t, const zkr_params *p)
{
    mm2_case c;
    zkr_buf a = {0}, b = {0};
    uint8_t seed[32];
    zkr_diag d;

    memset(seed, 3, sizeof seed);
    if (!mm2_make(t, p, 64, 64, 3, 8, seed, &c)) {
        zkr_tap_ok(t, 0, "threads setup");
        return;
    }
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_prover_matmul2(p, c.st.statement_id, &c.st.pub, c.w, c.poly, seed, 32, 1, &a,
                                     &d) == ZKR_OK &&
                  zkr_prover_matmul2(p, c.st.statement_id, &c.st.pub, c.w, c.poly, seed, 32, 2, &b,
                                     &d) == ZKR_OK &&
                  a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
               "a seeded proof is byte-identical for 1 and 2 threads");
    {
        mm2_case o;
        zkr_buf f = {0};
        if (mm2_make(t, p, 64, 64, 3, 8, NULL, &o)) {
            zkr_diag_clear(&d);
            /* o's statement names o's commitment; c's prover object holds another. */
            zkr_tap_ok(t, zkr_prover_matmul2(p, o.st.statement_id, &o.st.pub, o.w, c.poly, NULL, 0,
                                             1, &f, &d) == ZKR_ERR_MISMATCH_MODEL && f.len == 0,
                       "the prover refuses a commitment other than its own");
        }
        zkr_buf_free(&f);
        mm2_free(&o);
    }
    zkr_buf_free(&a);
    zkr_buf_free(&b);
    mm2_free(&c);
}

static void test_blinding_sizes(zkr_tap *t, const zkr_params *p)
{
    int ok = 1;

    for (unsigned n = 0; n <= 20; n++) {
        unsigned e = zkr_hpcs_blind_vars(p, n, ZKR_HPCS_DEFAULT_BUDGET);
        unsigned __int128 rnd = ((((unsigned __int128)1) << e) - 1) << n;
        ok &= e >= 1 && rnd >= (unsigned __int128)ZKR_HPCS_DEFAULT_BUDGET *
                                   zkr_hpcs_positions_per_open(p, n + e);
        /* minimal: one variable less would not cover the budget */
        if (e > 1) {
            unsigned __int128 less = ((((unsigned __int128)1) << (e - 1)) - 1) << n;
            ok &= less < (unsigned __int128)ZKR_HPCS_DEFAULT_BUDGET *
                             zkr_hpcs_positions_per_open(p, n + e - 1);
        }
    }
    zkr_tap_ok(t, ok, "blinding variables cover the default budget and are minimal (n 0..20)");
    zkr_tap_ok(t, zkr_hpcs_blind_vars(p, p->max_vars, 1) == 0 &&
                  zkr_hpcs_blind_vars(p, 10, 0) == 0 &&
                  zkr_hpcs_blind_vars(p, 10, ZKR_HPCS_MAX_BUDGET + 1) == 0,
               "no blinding fits past max_vars, budget 0 or over the maximum");
}

/*
 * The range proof reveals one value of W's randomised extension per proof.
 * Version 2 spread it over the blinding slice u = e_1 only, so a 1x1 W (a
 * one-entry slice) proved once. Version 3 spreads it over every blinding
 * coordinate (u_j = s(r_j)), so the values are functionals of all
 * 2^n (2^e - 1) random entries and the budget (4) is the only limit: four
 * proofs verify, the fifth is refused (USAGE, nothing written).
 */
static void test_reveal_cap(zkr_tap *t, const zkr_params *p)
{
    mm2_case c;
    zkr_buf a = {0};
    zkr_err r = ZKR_OK;
    int verified = 0;

    if (!mm2_make(t, p, 1, 1, 1, 4, NULL, &c)) {
        zkr_tap_ok(t, 0, "reveal cap setup");
        return;
    }
    for (int i = 0; i < 4 && r == ZKR_OK; i++) {
        a.len = 0;
        if ((r = mm2_prove(p, &c, NULL, &a)) == ZKR_OK)
            verified += mm2_verify(a.p, a.len, &c.st) == ZKR_OK;
    }
    a.len = 0;
    r = mm2_prove(p, &c, NULL, &a);
    zkr_tap_ok(t, verified == 4 && r == ZKR_ERR_USAGE && a.len == 0 &&
                      zkr_hpcs_budget_left(c.poly) == 0 && zkr_hpcs_reveals_left(c.poly) > 0,
               "1x1 W blinded for 4: four proofs verify (reveals spread over every blinding "
               "coordinate), the fifth is refused by the budget (%d verified, %d)", verified, r);
    zkr_buf_free(&a);
    mm2_free(&c);
}

/*
 * Version 2 proofs (sections 1, 11, 12, 13: a separate masked sumcheck and
 * opening of W) are refused by name, UNSUPPORTED, whatever their bodies.
 */
static void test_version2_refused(zkr_tap *t, const zkr_params *p)
{
    mm2_case c;
    zkr_buf pf = {0};
    zkr_diag d;
    static const uint8_t body[64];
    zkr_err r = ZKR_ERR_INTERNAL;

    if (!mm2_make(t, p, 2, 2, 1, 1, NULL, &c)) {
        zkr_tap_ok(t, 0, "version 2 setup");
        return;
    }
    if (zkr_proof_begin(&pf, p->id, ZKR_KIND_MATMUL2, c.st.statement_id, 4) == ZKR_OK &&
        zkr_proof_add_section(&pf, ZKR_SEC_STATEMENT, body, sizeof body) == ZKR_OK &&
        zkr_proof_add_section(&pf, ZKR_SEC_ZK_SUMCHECK, body, sizeof body) == ZKR_OK &&
        zkr_proof_add_section(&pf, ZKR_SEC_HPCS, body, sizeof body) == ZKR_OK &&
        zkr_proof_add_section(&pf, ZKR_SEC_ZK_RANGE, body, sizeof body) == ZKR_OK) {
        zkr_diag_clear(&d);
        r = zkr_verify_matmul2(pf.p, pf.len, &c.st, &d);
    }
    zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED && strstr(d.msg, "version 2") != NULL,
               "a version 2 proof layout is refused by name (%d: %s)", r, d.msg);
    pf.len = 0;
    r = mm2_prove(p, &c, NULL, &pf);
    zkr_tap_ok(t, r == ZKR_OK && mm2_verify(pf.p, pf.len, &c.st) == ZKR_OK,
               "twin: a version 3 proof of the same statement verifies");
    zkr_buf_free(&pf);
    mm2_free(&c);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;

    if (sodium_init() < 0)
        return 1;
    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    test_completeness(&t, &p);
    test_tamper(&t, &p);
    test_bindings(&t, &p);
    test_randomness(&t, &p);
    test_reveal_cap(&t, &p);
    test_version2_refused(&t, &p);
    test_blinding_sizes(&t, &p);
    test_seed_derivation(&t);
    test_threads_and_model(&t, &p);
    return zkr_tap_done(&t);
}
