/*
 * Soundness attacks on the hiding layer and matmul@2 (docs/soundness.md,
 * "Zero-knowledge (hiding) layer"). Each cheat is a deviation of the
 * matmul@2 prover (zkr_prover_matmul2_cheat, test builds only); the
 * verifier must answer VERIFY, and the cheating prover with no deviation
 * must produce a proof that verifies (so the refusals come from the
 * deviation, not from the framework):
 * (protocol version 3: y = W x is a linear claim in the range proof's
 * batched sumcheck; W, h, phi, m share one batched hiding opening):
 * - the linear claim: a false y proved honestly otherwise;
 * - each batched value: W's, h's, phi's or m's revealed value off by one
 *   with g(r) refitted so that the sumcheck's final check passes (only the
 *   batched opening can refuse);
 * - the batched codeword: G formed with beta_0 + 1 (a tampered
 *   beta-combination), with rho + 1, from a mask other than the committed
 *   one, and the mask's value b off by one;
 * - the point: a W' hidden in a blinding slice of a well-formed commitment,
 *   proved about and opened at u_0 = 1 - s(r_0) instead of s(r_0);
 * - a value off by p: the batch mask's value b = 0 (the masking-off hook)
 *   sent as p: MALFORMED, not read as 0;
 * - the soundness figure: the union bound over the two openings, >= 128 provable bits at q'.
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define AT_RANGE(r) ((r) == ZKR_ERR_VERIFY && strstr(last_msg, "carrying y = W x"))
#define M_ 8
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
    memset(c->st.statement_id, 0x5a, ZKR_DIGEST_BYTES);
    return zkr_prover_matmul2_commit(p, c->w, M_, K_, 64, NULL, 0, 1, &c->poly, &c->st.pub.w) ==
           ZKR_OK;
}

/* Proves with the deviation and returns the verifier's answer (INTERNAL: no proof). */
static zkr_err attack_msg(const zkr_params *p, cas *c, const zkr_matmul2_cheat *ch,
                          char last_msg[ZKR_DIAG_BYTES])
{
    zkr_buf pf = {0};
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    r = zkr_prover_matmul2_cheat(p, c->st.statement_id, &c->st.pub, c->w, c->poly, NULL, 0, ch,
                                 &pf, &d);
    if (r != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    zkr_diag_clear(&d);
    r = zkr_verify_matmul2(pf.p, pf.len, &c->st, &d);
    memcpy(last_msg, d.msg, ZKR_DIAG_BYTES);
    zkr_buf_free(&pf);
    return r;
}

#define attack(p, c, ch) attack_msg(p, c, ch, last_msg)

/*
 * A committer hides W' in the blinding slice u = (1, 0, ..) of F (slice 0
 * holds W, the rest random; 16x16, so the range proof's first coupled
 * blinding coordinate is exactly that slice) and proves y' = W' x != W x
 * about it: its randomised extension of W reads u_0 flipped, and the
 * batched opening is made at the point (r, 1 - s(r_0), ..) it proved about.
 * Every value sent is true for the slice it chose; the verifier fixes the
 * point, so only the batched opening can refuse. The same commitment
 * proves y = W x honestly (it is a well-formed commitment).
 */
static void test_off_slice(zkr_tap *t, const zkr_params *p)
{
    enum { MM = 16, KK = 16 };
    unsigned n = 8, e = zkr_hpcs_blind_vars(p, n, 64);
    size_t small = (size_t)1 << n, len = small << e;
    zkr_gl *tab = malloc(len * sizeof *tab);
    int64_t w[MM * KK], w2[MM * KK], x[KK * B_], y[MM * B_], y2[MM * B_];
    cas o;
    zkr_zkrng g;
    zkr_matmul2_cheat ch;
    zkr_err r;
    char last_msg[ZKR_DIAG_BYTES] = "";

    memset(&o, 0, sizeof o);
    if (!tab || e == 0) {
        zkr_tap_ok(t, 0, "off-slice setup");
        free(tab);
        return;
    }
    zkr_zkrng_os(&g);
    memset(y, 0, sizeof y);
    memset(y2, 0, sizeof y2);
    for (int i = 0; i < MM * KK; i++) {
        w[i] = (int64_t)(zkr_tap_rand(t) % 255) - 127;
        w2[i] = w[i] == 127 ? 126 : w[i] + (i == 5 ? 1 : 0);
    }
    for (int i = 0; i < KK * B_; i++)
        x[i] = (int64_t)(zkr_tap_rand(t) % 2001) - 1000;
    for (int i = 0; i < MM; i++)
        for (int j = 0; j < KK; j++)
            for (int q = 0; q < B_; q++) {
                y[i * B_ + q] += w[i * KK + j] * x[j * B_ + q];
                y2[i * B_ + q] += w2[i * KK + j] * x[j * B_ + q];
            }
    for (size_t i = 0; i < len; i++)
        tab[i] = zkr_zkrng_gl(&g);
    for (size_t i = 0; i < small; i++) {
        tab[i] = zkr_gl_from_i64(w[i]);
        tab[small + i] = zkr_gl_from_i64(w2[i]); /* slice u = (1, 0, ..) */
    }
    o.st.param_set = p->id;
    o.st.pub.m = MM, o.st.pub.k = KK, o.st.pub.b = B_;
    o.st.pub.x = x, o.st.pub.y = y;
    o.st.pub.w_max_abs = 127;
    memset(o.st.statement_id, 0x5b, ZKR_DIGEST_BYTES);
    if (zkr_prover_hcommit_table_for_test(p, tab, n, e, 64, &g, &o.poly, &o.st.pub.w) != ZKR_OK) {
        zkr_tap_ok(t, 0, "off-slice commit");
        goto out;
    }
    memset(&ch, 0, sizeof ch);
    {
        zkr_buf pf = {0};
        zkr_diag d;
        zkr_diag_clear(&d);
        r = zkr_prover_matmul2_cheat(p, o.st.statement_id, &o.st.pub, w, o.poly, NULL, 0, &ch, &pf,
                                     &d);
        if (r == ZKR_OK)
            r = zkr_verify_matmul2(pf.p, pf.len, &o.st, &d);
        zkr_buf_free(&pf);
        zkr_tap_ok(t, r == ZKR_OK, "a commitment with W' hidden in slice u = 1 still proves y = W "
                   "x honestly (%d)", r);
        o.st.pub.y = y2;
        ch.skip_checks = 1;
        zkr_diag_clear(&d);
        r = zkr_prover_matmul2_cheat(p, o.st.statement_id, &o.st.pub, w2, o.poly, NULL, 0, &ch,
                                     &pf, &d);
        if (r == ZKR_OK)
            r = zkr_verify_matmul2(pf.p, pf.len, &o.st, &d);
        memcpy(last_msg, d.msg, sizeof last_msg);
        zkr_buf_free(&pf);
        zkr_tap_ok(t, AT_RANGE(r), "y' = W' x with W' passed for the slice u = 0: VERIFY (%d)", r);
        ch.range.off_slice = 1;
        zkr_diag_clear(&d);
        r = zkr_prover_matmul2_cheat(p, o.st.statement_id, &o.st.pub, w2, o.poly, NULL, 0, &ch,
                                     &pf, &d);
        if (r == ZKR_OK)
            r = zkr_verify_matmul2(pf.p, pf.len, &o.st, &d);
        memcpy(last_msg, d.msg, sizeof last_msg);
        zkr_buf_free(&pf);
        zkr_tap_ok(t, AT_RANGE(r), "y' = W' x proved on slice u = 1 and opened at (r, 1 - s(r_0), "
                   ".. ): the batched opening refuses (%d)", r);
    }
out:
    zkr_zkrng_wipe(&g);
    zkr_hpcs_poly_free(o.poly);
    free(tab);
}

/*
 * A value off by p: with the masking-off hook (every field draw 0) the
 * batch mask's value b is 0; the proof verifies, and the same proof with b
 * encoded as p (0 + p, the same field element) is MALFORMED.
 */
static void test_value_off_by_p(zkr_tap *t, const zkr_params *p, cas *c)
{
    zkr_matmul2_cheat ch;
    zkr_hpcs_poly *poly = NULL;
    zkr_verifier_matmul2_statement st = c->st;
    zkr_proof_view v;
    zkr_buf pf = {0};
    zkr_diag d;
    zkr_err r0 = ZKR_ERR_INTERNAL, r1 = ZKR_ERR_INTERNAL;
    unsigned N = zkr_zkrange_sc_vars(c->st.pub.w.n_vars);
    size_t b_off;

    memset(&ch, 0, sizeof ch);
    ch.unmasked = 2;
    zkr_diag_clear(&d);
    if (zkr_prover_matmul2_commit_unmasked(p, c->w, M_, K_, 4, 2, &poly, &st.pub.w) == ZKR_OK &&
        zkr_prover_matmul2_cheat(p, st.statement_id, &st.pub, c->w, poly, NULL, 0, &ch, &pf, &d) ==
            ZKR_OK &&
        zkr_proof_parse(pf.p, pf.len, &v, &d) == ZKR_OK && v.n_sections == 2) {
        b_off = (size_t)(v.body[1] - pf.p) + 4 * ZKR_DIGEST_BYTES + ZKR_EXT_BYTES +
                (size_t)N * ZKR_ZKRANGE_DEGREE * ZKR_EXT_BYTES + 5 * ZKR_EXT_BYTES +
                ZKR_DIGEST_BYTES;
        r0 = zkr_verify_matmul2(pf.p, pf.len, &st, &d);
        if (zkr_load_le64(pf.p + b_off) == 0) {
            zkr_store_le64(pf.p + b_off, ZKR_GL_P);
            r1 = zkr_verify_matmul2(pf.p, pf.len, &st, &d);
        }
    }
    zkr_tap_ok(t, r0 == ZKR_OK && r1 == ZKR_ERR_MALFORMED, "the batch mask's value b = 0 sent as p "
               "(off by p): MALFORMED; the unedited proof verifies (%d, %d)", r0, r1);
    zkr_buf_free(&pf);
    zkr_hpcs_poly_free(poly);
}

/*
 * |W| <= 127 is proven by the hiding range proof (docs/soundness.md,
 * "matmul@2"). Before it, a committer that committed W = (p + 1) / 2 made
 * x = 2, y = 1 verify (2 W = 1 mod p, no integer W has it): the pinned
 * KNOWN GAP, now a refusal. The cheating prover skips its own checks and
 * runs the range proof anyway, W counted in no multiplicity (the LogUp sums
 * then differ). Twins: W = 128 (one past the table) is refused the same
 * way; W = +-127 with true y verify through the same cheat entry point.
 */
static zkr_err unbounded_case(const zkr_params *p, int64_t w, int64_t x, int64_t y,
                              zkr_diag *d)
{
    zkr_verifier_matmul2_statement st;
    zkr_hpcs_poly *poly = NULL;
    zkr_matmul2_cheat ch;
    zkr_buf pf = {0};
    zkr_err r = ZKR_ERR_INTERNAL;

    memset(&st, 0, sizeof st);
    memset(&ch, 0, sizeof ch);
    st.param_set = p->id;
    st.pub.m = st.pub.k = st.pub.b = 1;
    st.pub.x = &x, st.pub.y = &y;
    st.pub.w_max_abs = 127;
    memset(st.statement_id, 0x3c, ZKR_DIGEST_BYTES);
    ch.skip_checks = 1;
    zkr_diag_clear(d);
    if (zkr_prover_matmul2_commit(p, &w, 1, 1, 4, NULL, 0, 1, &poly, &st.pub.w) == ZKR_OK &&
        zkr_prover_matmul2_cheat(p, st.statement_id, &st.pub, &w, poly, NULL, 0, &ch, &pf, d) ==
            ZKR_OK)
        r = zkr_verify_matmul2(pf.p, pf.len, &st, d);
    zkr_buf_free(&pf);
    zkr_hpcs_poly_free(poly);
    return r;
}

static void test_unbounded_w(zkr_tap *t, const zkr_params *p)
{
    int64_t half = (int64_t)((ZKR_GL_P + 1) / 2);
    zkr_diag d;
    zkr_err r;

    r = unbounded_case(p, half, 2, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY && strstr(d.msg, "range proof") != NULL,
               "W = (p+1)/2 (2 W = 1 mod p, the former KNOWN GAP): the range proof refuses (%d: "
               "%s)", r, d.msg);
    r = unbounded_case(p, half, 2, 3, &d);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "the same W with 2 W = 3 (false mod p): VERIFY (%d)", r);
    r = unbounded_case(p, 128, 1, 128, &d);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY && strstr(d.msg, "range proof") != NULL,
               "W = 128 (one past the int8 table), y = W x true: the range proof refuses (%d)", r);
    r = unbounded_case(p, -128, 1, -128, &d);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY && strstr(d.msg, "range proof") != NULL,
               "W = -128, y = W x true: the range proof refuses (%d)", r);
    r = unbounded_case(p, 127, 3, 381, &d);
    zkr_tap_ok(t, r == ZKR_OK, "twin: W = 127 through the same cheat entry point verifies (%d)",
               r);
    r = unbounded_case(p, -127, 3, -381, &d);
    zkr_tap_ok(t, r == ZKR_OK, "twin: W = -127 verifies (%d)", r);
}

/*
 * The range proof on its own (the component inference@2's byte limbs will
 * use): a hidden vector against the byte table 0..255, proved and verified
 * on a bare transcript. n = 0 (one entry), n = 9 (the sumcheck runs over n,
 * not 8, variables). Rejects: a limb 256 and a limb -1 (the forced prover
 * counts them nowhere), and a proof replayed under another table.
 */
static zkr_err range_case(const zkr_params *p, const int64_t *v, unsigned n, int force,
                          zkr_zkrange_table tab, zkr_zkrange_table vtab)
{
    size_t len = (size_t)1 << n;
    zkr_gl *ev = calloc(len, sizeof *ev);
    zkr_hpcs_poly *poly = NULL;
    zkr_hpcs_commitment comm;
    zkr_transcript tp, tv;
    uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];
    zkr_zkrng rng;
    zkr_buf pf = {0};
    zkr_dec d;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!ev)
        return r;
    for (size_t i = 0; i < len; i++)
        ev[i] = zkr_gl_from_i64(v[i]);
    memset(sid, 0x5a, sizeof sid);
    zkr_params_digest(p, pd);
    zkr_zkrng_os(&rng);
    if ((r = zkr_prover_hcommit(p, ev, n, 1, &rng, 1, &poly, &comm)) != ZKR_OK)
        goto out;
    zkr_ts_init(&tp, "zkreg/test-range", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
    tv = tp;
    r = force ? zkr_prover_zkrange_force(p, &tp, poly, &tab, &rng, &pf)
              : zkr_prover_zkrange(p, &tp, poly, &tab, &rng, 1, &pf);
    if (r != ZKR_OK)
        goto out;
    zkr_dec_init(&d, pf.p, pf.len);
    r = zkr_zkrange_verify(p, &tv, &comm, &vtab, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
out:
    zkr_zkrng_wipe(&rng);
    zkr_hpcs_poly_free(poly);
    zkr_buf_free(&pf);
    free(ev);
    return r;
}

static void test_range_bytes(zkr_tap *t, const zkr_params *p)
{
    const zkr_zkrange_table bytes = {0, 256}, int8 = ZKR_ZKRANGE_INT8;
    int64_t v[512];
    zkr_err r;

    for (int i = 0; i < 512; i++)
        v[i] = (int64_t)(zkr_tap_rand(t) % 256);
    v[3] = 255;
    v[4] = 0;
    r = range_case(p, v, 9, 0, bytes, bytes);
    zkr_tap_ok(t, r == ZKR_OK, "range proof: 512 hidden bytes (n = 9) against 0..255 verify (%d)",
               r);
    r = range_case(p, v, 0, 0, bytes, bytes);
    zkr_tap_ok(t, r == ZKR_OK, "range proof: one hidden byte (n = 0) verifies (%d)", r);
    r = range_case(p, v, 9, 0, bytes, int8);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "range proof: replayed against another table: VERIFY (%d)",
               r);
    v[7] = 256;
    r = range_case(p, v, 9, 0, bytes, bytes);
    zkr_tap_ok(t, r == ZKR_ERR_USAGE, "range proof: the honest prover refuses a limb 256 (%d)", r);
    r = range_case(p, v, 9, 1, bytes, bytes);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "range proof: a limb 256 (forced): VERIFY (%d)", r);
    v[7] = -1;
    r = range_case(p, v, 9, 1, bytes, bytes);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "range proof: a limb -1 = p - 1 (forced): VERIFY (%d)", r);
    v[7] = 256 + (int64_t)(ZKR_GL_P % 256); /* forced: still off the table, whatever p mod 256 */
    r = range_case(p, v, 9, 1, bytes, bytes);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "range proof: a limb 256 + (p mod 256) (forced): VERIFY "
               "(%d)", r);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;
    cas c;
    zkr_matmul2_cheat ch;
    zkr_err r;
    char last_msg[ZKR_DIAG_BYTES] = "";

    if (sodium_init() < 0)
        return 1;
    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK || !make(&t, &p, &c))
        return 1;
    memset(&ch, 0, sizeof ch);
    zkr_tap_ok(&t, attack(&p, &c, &ch) == ZKR_OK, "the cheating prover with no deviation verifies");
    ch.skip_checks = 1;
    zkr_tap_ok(&t, attack(&p, &c, &ch) == ZKR_OK, "skipping the integer checks on a true "
               "statement verifies");

    c.y[3]++;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_RANGE(r), "false y, honest otherwise: VERIFY (%d)", r);
    c.y[3]--;
    ch.skip_checks = 0;
    for (unsigned i = 1; i <= 4; i++) {
        static const char *const name[] = {"", "W", "h", "phi", "m"};
        ch.range.fit_val = i;
        r = attack(&p, &c, &ch);
        zkr_tap_ok(&t, AT_RANGE(r), "%s's revealed value + 1, g(r) refitted to pass the "
                   "sumcheck: the batched opening refuses (%d)", name[i], r);
    }
    ch.range.fit_val = 0;
    ch.range.batch.beta_delta = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_RANGE(r), "G = (beta_0 + 1) W + .. (a tampered beta-combination): VERIFY "
               "(%d)", r);
    ch.range.batch.beta_delta = 0;
    ch.range.batch.rho_delta = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_RANGE(r), "G = .. + (rho + 1) Z: VERIFY (%d)", r);
    ch.range.batch.rho_delta = 0;
    ch.range.batch.b_delta = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_RANGE(r), "the batch mask's value b + 1: VERIFY (%d)", r);
    ch.range.batch.b_delta = 0;
    ch.range.batch.swap_mask = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_RANGE(r), "G folded from a mask other than the committed one: VERIFY (%d)",
               r);
    ch.range.batch.swap_mask = 0;
    {
        /* The batch's schedule must differ from plain Basefold's, or the edit is no edit. */
        zkr_pcs_layout lp, lh;
        unsigned total = c.st.pub.w.n_vars + c.st.pub.w.blind_vars;
        zkr_pcs_layout_of(&p, total, &lp);
        zkr_hpcs_layout_of(&p, total, &lh);
        ch.range.batch.plain_layout = 1;
        r = attack(&p, &c, &ch);
        zkr_tap_ok(&t, (lp.n_layers != lh.n_layers || lp.final_vars != lh.final_vars) &&
                       (r == ZKR_ERR_MALFORMED || r == ZKR_ERR_VERIFY),
                   "the batch's folded layers on the old schedule (%u layers, %u final vars; "
                   "this version %u, %u): refused (%d)", lp.n_layers, lp.final_vars, lh.n_layers,
                   lh.final_vars, r);
        ch.range.batch.plain_layout = 0;
    }
    zkr_tap_ok(&t, attack(&p, &c, &ch) == ZKR_OK, "the commitment still proves honestly");

    {
        static const uint32_t sz[][3] = {{1, 1, 1}, {1024, 1024, 16}, {4096, 4096, 16},
                                         {32768, 1024, 1}};
        int ok = 1;
        for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
            unsigned n = zkr_log2_ceil(sz[i][0]) + zkr_log2_ceil(sz[i][1]);
            unsigned e = zkr_hpcs_blind_vars(&p, n, ZKR_HPCS_DEFAULT_BUDGET);
            zkr_soundness s = zkr_matmul2_soundness(&p, sz[i][0], sz[i][1], sz[i][2], e);
            zkr_params pq;
            zkr_matmul2_params(&p, sz[i][0], sz[i][1], sz[i][2], e, &pq);
            printf("# matmul@2 %ux%u b=%u: e=%u, q' = %u, %.2f provable, %.1f conjectured bits\n",
                   sz[i][0], sz[i][1], sz[i][2], e, pq.queries, s.provable_bits,
                   s.conjectured_bits);
            /* Version 5: q' the smallest count whose figure (each opening the better of
             * UD and JBR, union bound) reaches the target. */
            ok &= e > 0 && s.provable_bits >= p.target_bits && pq.queries < 2 * p.queries;
        }
        zkr_tap_ok(&t, ok, "matmul@2 soundness: union bound over two openings, >= the target's "
                   "provable bits at q' up to 2^25 weights");
    }
    test_off_slice(&t, &p);
    test_value_off_by_p(&t, &p, &c);
    test_unbounded_w(&t, &p);
    test_range_bytes(&t, &p);
    zkr_hpcs_poly_free(c.poly);
    return zkr_tap_done(&t);
}
