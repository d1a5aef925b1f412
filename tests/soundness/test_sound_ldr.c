/*
 * The hiding openings in the list-decoding regime (docs/soundness.md,
 * "Hiding openings in the list-decoding regime"; zk/ldr.h):
 * - the factorisation check (zkr_hpcs_round_factored): every message
 *   q = c L(X, z) Lambda(X) passes, q + s (1 - 2X) + d X (X - 1) (the
 *   same q(0) + q(1): the sumcheck's own check cannot see it) is refused,
 *   and at 2z = 1 a quadratic q is refused, a linear one passes;
 * - a cheating batched opening whose round message is shifted that way
 *   (zkr_prover_hopen_batch_cheat), at the first and at the last folding
 *   round: VERIFY; the honest twin verifies; the shifted round-0 message
 *   recomputed from the proof bytes fails the check and the honest one
 *   passes it, so the refusal is the factorisation check's. (No
 *   accepted-with-the-check-off twin exists: the sumcheck's final equation
 *   also refuses a shifted message unless the shift vanishes at the
 *   challenge, probability <= 2/|F|; docs/soundness.md says why the check
 *   is there: [H24]'s proof reads Lambda from the message.)
 * - the figure: JBR and UD both computed, the better taken, m scanned.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zk/ldr.h"
#include "zkr_config.h"

static zkr_ext rnd_ext(zkr_tap *t)
{
    zkr_ext e = {{zkr_tap_rand(t) % ZKR_GL_P, zkr_tap_rand(t) % ZKR_GL_P,
                  zkr_tap_rand(t) % ZKR_GL_P}};
    return e;
}

/* q(x) = c L(x, z) (l0 + l1 x) */
static zkr_ext q_at(zkr_ext c, zkr_ext z, zkr_ext l0, zkr_ext l1, zkr_gl x)
{
    zkr_ext one = zkr_ext_from(1), X = zkr_ext_from(x);
    zkr_ext L = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(one, X), zkr_ext_sub(one, z)),
                            zkr_ext_mul(X, z));
    return zkr_ext_mul(c, zkr_ext_mul(L, zkr_ext_add(l0, zkr_ext_mul(l1, X))));
}

static void test_check_unit(zkr_tap *t)
{
    unsigned good = 0, bad_ref = 0, half_lin = 0, half_quad = 0, n = 200;
    zkr_ext half = zkr_ext_from(zkr_gl_inv(2));

    for (unsigned i = 0; i < n; i++) {
        zkr_ext c = rnd_ext(t), z = i == 0 ? zkr_ext_from(0) : rnd_ext(t), l0 = rnd_ext(t),
                l1 = rnd_ext(t), s = rnd_ext(t), d = rnd_ext(t);
        zkr_ext q0 = q_at(c, z, l0, l1, 0), q1 = q_at(c, z, l0, l1, 1), q2 = q_at(c, z, l0, l1, 2);
        zkr_ext claim = zkr_ext_add(q0, q1), msg[2] = {q0, q2};
        good += zkr_hpcs_round_factored(msg, claim, z) ? 1u : 0u;
        /* + s (1 - 2X) + d X (X - 1): at 0 +s, at 2 -3s + 2d */
        msg[0] = zkr_ext_add(q0, s);
        msg[1] = zkr_ext_add(q2, zkr_ext_sub(zkr_ext_add(d, d), zkr_ext_mul_base(s, 3)));
        bad_ref += zkr_hpcs_round_factored(msg, claim, z) ? 0u : 1u;
        /* 2z = 1: L = 1/2; q linear passes, q + d X (X - 1) does not */
        q0 = q_at(c, half, l0, l1, 0), q1 = q_at(c, half, l0, l1, 1), q2 = q_at(c, half, l0, l1, 2);
        claim = zkr_ext_add(q0, q1);
        msg[0] = q0, msg[1] = q2;
        half_lin += zkr_hpcs_round_factored(msg, claim, half) ? 1u : 0u;
        msg[1] = zkr_ext_add(q2, zkr_ext_add(d, d));
        half_quad += zkr_hpcs_round_factored(msg, claim, half) ? 0u : 1u;
    }
    zkr_tap_ok(t, good == n,
               "q = c L(X, z) Lambda(X) passes the factorisation check (%u/%u, z = 0 included)",
               good, n);
    zkr_tap_ok(t, bad_ref == n,
               "q + s (1 - 2X) + d X (X - 1), the same q(0) + q(1), refused (%u/%u)", bad_ref, n);
    zkr_tap_ok(t, half_lin == n && half_quad == n,
               "2z = 1: linear q passes (%u/%u), q + d X (X - 1) refused (%u/%u)", half_lin, n,
               half_quad, n);
}

static zkr_ext value_of(zkr_hpcs_poly *f, const zkr_ext *z)
{
    unsigned total = zkr_hpcs_poly_total_vars(f);
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);
    size_t len = (size_t)1 << total;
    zkr_ext *eq = malloc(len * sizeof *eq), acc = zkr_ext_from(0);

    if (!eq)
        return acc;
    zkr_mle_eq_table(z, total, eq);
    for (size_t i = 0; i < len; i++)
        acc = zkr_ext_add(acc, zkr_ext_mul_base(eq[i], bv[i]));
    free(eq);
    return acc;
}

/*
 * Proves (ch NULL: honest) and verifies; *factored gets whether round 0's
 * message passes the check at the claim the verifier derives.
 */
static zkr_err cheat_run(const zkr_params *p, zkr_hpcs_poly *f, const zkr_hpcs_commitment *c,
                         const zkr_ext *z, zkr_ext val, const zkr_hpcs_batch_cheat *ch,
                         int *factored)
{
    zkr_transcript tp, tv, tc;
    uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES], key[32];
    unsigned total = c->n_vars + c->blind_vars;
    zkr_hpcs_batch_cheat none;
    zkr_ext coef[2], b, claim, msg[2];
    zkr_buf pf = {0};
    zkr_zkrng g;
    zkr_dec d;
    zkr_err r;

    memset(&none, 0, sizeof none);
    memset(sid, 0x37, sizeof sid);
    memset(key, 0x11, sizeof key);
    zkr_params_digest(p, pd);
    zkr_ts_init(&tp, "zkreg/test-ldr", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
    tv = tc = tp;
    zkr_zkrng_from_key(&g, key);
    r = zkr_prover_hopen_batch_cheat(p, &tp, &f, 1, z, &val, ch ? ch : &none, &g, &pf);
    zkr_zkrng_wipe(&g);
    if (r != ZKR_OK) {
        zkr_buf_free(&pf);
        return ZKR_ERR_INTERNAL;
    }
    /* bytes: mask root | b | round messages (2 extension elements each) | ... */
    zkr_dec_init(&d, pf.p + ZKR_DIGEST_BYTES, pf.len - ZKR_DIGEST_BYTES);
    if (zkr_dec_ext(&d, &b) != ZKR_OK || zkr_dec_exts(&d, msg, 2) != ZKR_OK) {
        zkr_buf_free(&pf);
        return ZKR_ERR_INTERNAL;
    }
    {
        uint8_t root[1][ZKR_DIGEST_BYTES];
        memcpy(root[0], c->root, ZKR_DIGEST_BYTES);
        zkr_hpcs_batch_absorb(&tc, 1, (const uint8_t(*)[ZKR_DIGEST_BYTES])root, z, total, &val,
                              pf.p, b);
    }
    zkr_ts_challenge_exts(&tc, "hb-beta", coef, 1);
    coef[1] = zkr_ts_challenge_ext(&tc, "hb-rho");
    claim = zkr_ext_add(zkr_ext_mul(coef[0], val), zkr_ext_mul(coef[1], b));
    *factored = zkr_hpcs_round_factored(msg, claim, z[0]);
    zkr_dec_init(&d, pf.p, pf.len);
    r = zkr_hpcs_verify_batch(p, &tv, c, 1, z, &val, &d);
    if (r == ZKR_OK && zkr_dec_finish(&d) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    zkr_buf_free(&pf);
    return r;
}

static void test_cheat(zkr_tap *t, const zkr_params *p)
{
    zkr_gl a[256];
    zkr_hpcs_poly *f = NULL;
    zkr_hpcs_commitment c;
    zkr_ext z[64], val;
    zkr_pcs_layout l;
    zkr_hpcs_batch_cheat ch;
    uint8_t key[32];
    zkr_zkrng g;
    int fh = 0, f0 = 1, fl = 1;
    zkr_err rh, r0, rl;

    for (int i = 0; i < 256; i++)
        a[i] = zkr_gl_from_i64((int64_t)(zkr_tap_rand(t) % 255) - 127);
    memset(key, 0x23, sizeof key);
    zkr_zkrng_from_key(&g, key);
    if (zkr_prover_hcommit(p, a, 8, 8, &g, 1, &f, &c) != ZKR_OK) {
        zkr_tap_ok(t, 0, "commit");
        zkr_zkrng_wipe(&g);
        return;
    }
    zkr_zkrng_wipe(&g);
    for (unsigned i = 0; i < c.n_vars + c.blind_vars; i++)
        z[i] = i < c.n_vars ? rnd_ext(t) : zkr_ext_from(0);
    z[c.n_vars] = rnd_ext(t); /* off the slice u = 0 (a batched opening's full point) */
    val = value_of(f, z);
    zkr_hpcs_layout_of(p, c.n_vars + c.blind_vars, &l);
    rh = cheat_run(p, f, &c, z, val, NULL, &fh);
    memset(&ch, 0, sizeof ch);
    ch.shift_c = 5;
    ch.shift_d = 7;
    r0 = cheat_run(p, f, &c, z, val, &ch, &f0);
    ch.shift_round = l.folds_total - 1;
    rl = cheat_run(p, f, &c, z, val, &ch, &fl);
    zkr_tap_ok(t, rh == ZKR_OK && fh,
               "honest batched opening verifies, its round 0 factored (%d, %d)", (int)rh, fh);
    zkr_tap_ok(t, r0 == ZKR_ERR_VERIFY && !f0,
               "round 0 shifted by 5 (1 - 2X) + 7 X (X - 1): VERIFY (%d), the message off the form "
               "L Lambda (check %d)", (int)r0, f0);
    zkr_tap_ok(t, rl == ZKR_ERR_VERIFY, "last fold round (%u) shifted: VERIFY (%d)",
               l.folds_total - 1, (int)rl);
    zkr_hpcs_poly_free(f);
}

static void test_figure(zkr_tap *t, const zkr_params *p)
{
    static const unsigned totals[] = {12, 18, 21, 24, 26};
    unsigned qf = zkr_ldr_q_floor(p);

    for (size_t i = 0; i < sizeof totals / sizeof *totals; i++) {
        zkr_ldr_fig f;
        zkr_params pq = *p;
        unsigned q;
        /* the smallest q reaching the target for a 2-word opening, either regime */
        for (q = qf; q < 2 * p->queries; q++) {
            pq.queries = q;
            zkr_ldr_open(&pq, totals[i], 2, NULL, 0, 0.0, &f);
            if (-log2(f.err) >= p->target_bits)
                break;
        }
        zkr_tap_ok(t, f.err <= f.ud_err && f.err <= f.jbr_err && q <= p->queries &&
                          q >= qf,
                   "n + e = %u, 2 words: q' = %u (UD alone %u), %s, m = %u: %.2f bits (UD %.2f, "
                   "JBR %.2f; batch 2^%.1f, folds 2^%.1f, query 2^%.1f)",
                   totals[i], q, p->queries, f.regime == ZKR_LDR_JBR ? "JBR" : "UD", f.m,
                   -log2(f.err), -log2(f.ud_err), -log2(f.jbr_err), log2(f.t_batch),
                   log2(f.t_folds), log2(f.t_query));
    }
    {
        /* a join at round d costs eps(C_d, 1, 2^d) + 1/|F| more, never less */
        zkr_ldr_fig a, b;
        zkr_ldr_join j = {4, 1};
        zkr_ldr_open(p, 20, 2, NULL, 0, 0.0, &a);
        zkr_ldr_open(p, 20, 2, &j, 1, 0.0, &b);
        zkr_tap_ok(t, b.t_joins > 0 && b.jbr_err >= a.jbr_err,
                   "a join at round 4: +2^%.1f to the JBR error", log2(b.t_joins));
    }
}

/*
 * Adversary audit (docs/soundness.md, "Adversary review of the list-decoding
 * figure"): [H24] Theorem 1 recomputed from the formula, independently of
 * zk/ldr.c, in the form of [BCIKS20] Theorem 7.4 (weighted correlated
 * agreement for curves of l + 2 words: |S| > max((m + 1/2)^7 |D|^2 (l + 1) /
 * (3 rho^(3/2)), (2m + 1)(B |D| + 1)(l + 1) / sqrt(rho))), as log2 of each
 * term, rho = 1/4 written out, |F| = p^3 from p = 2^64 - 2^32 + 1.
 */
static double aud_log2_f(void)
{
    return 3.0 * log2(18446744069414584321.0);
}

/* log2 eps(C, M, B) on |D| = 2^ld, rate 2^-lb, at m: the larger of the two branches. */
static double aud_eps_log2(unsigned ld, unsigned lb, double M, double B, unsigned m)
{
    double mh = m + 0.5, rho = pow(2.0, -(double)lb), d = pow(2.0, (double)ld);
    double b1 = 7.0 * log2(mh) + 2.0 * ld - log2(3.0) - 1.5 * log2(rho);
    double b2 = log2(2.0 * m + 1.0) + log2(B * d + 1.0) - 0.5 * log2(rho);

    return log2(M) + (b1 > b2 ? b1 : b2) - aud_log2_f();
}

/* The whole JBR error of one opening, minimised over m = 3..64 (*m_out). */
static double aud_jbr(unsigned T, unsigned lb, unsigned words, unsigned n_folds, unsigned s,
                      unsigned pow_bits, unsigned *m_out)
{
    double best = 2.0;

    for (unsigned m = 3; m <= 64; m++) {
        double e = exp2(aud_eps_log2(T + lb, lb, words - 1.0, 1.0, m));
        double alpha = sqrt(pow(2.0, -(double)lb)) * (1.0 + 1.0 / (2.0 * m)); /* 1 - theta */
        for (unsigned i = 1; i <= n_folds; i++)
            e += exp2(-aud_log2_f()) + exp2(aud_eps_log2(T + lb - i, lb, 1.0, pow(2.0, i), m));
        e += pow(alpha, (double)s) * pow(2.0, -(double)pow_bits);
        e += (4.0 * T + 2.0) * exp2(-aud_log2_f()); /* the sumcheck's and the scalars' */
        if (e < best) {
            best = e;
            *m_out = m;
        }
    }
    return best;
}

static void test_audit_recompute(zkr_tap *t, const zkr_params *p)
{
    static const unsigned sh[][3] = {/* T, words, queries */
                                     {4, 2, 112},  {12, 2, 116}, {19, 3, 134}, {20, 4, 147},
                                     {21, 9, 143}, {22, 5, 166}, {26, 2, 166}, {19, 9, 120}};
    unsigned bad = 0, dom_bad = 0, affine_bad = 0;

    for (size_t i = 0; i < sizeof sh / sizeof *sh; i++) {
        zkr_params pq = *p;
        zkr_pcs_layout l;
        zkr_ldr_fig f;
        unsigned m = 0;
        double mine;

        pq.queries = sh[i][2];
        zkr_hpcs_layout_of(&pq, sh[i][0], &l);
        dom_bad += l.log_len[0] != sh[i][0] + p->log_blowup ||
                   l.final_vars + l.folds_total != sh[i][0];
        mine = aud_jbr(sh[i][0], p->log_blowup, sh[i][1], l.folds_total, sh[i][2], p->pow_bits,
                       &m);
        zkr_ldr_open(&pq, sh[i][0], sh[i][1], NULL, 0, 1.0, &f);
        if (fabs(log2(mine) - log2(f.jbr_err)) > 1e-6 || m != f.m)
            bad++;
        {
            /*
             * The batch draws independent scalars (a uniform point of the
             * span of the k + 1 words), not powers: BCIKS20's weighted
             * correlated agreement over affine spaces bounds it by the
             * line's error, max((m + 1/2)^7 |D|^2 / (3 rho^(3/2)),
             * (max(2m, 20) + 3)(|D| + 1) / sqrt(rho)) / |F| (no factor
             * M): never above the curve's term the figure counts.
             */
            double d0 = pow(2.0, (double)(sh[i][0] + p->log_blowup)), mh = f.m + 0.5;
            double rho = pow(2.0, -(double)p->log_blowup), c = 2.0 * f.m > 20 ? 2.0 * f.m : 20;
            double b1 = pow(mh, 7.0) * d0 * d0 / (3.0 * pow(rho, 1.5));
            double b2 = (c + 3.0) * (d0 + 1.0) / sqrt(rho);
            double aff = (b1 > b2 ? b1 : b2) * exp2(-aud_log2_f());
            affine_bad += aff > f.t_batch * (1.0 + 1e-9);
        }
        zkr_tap_diag("T = %u, %u words, s = %u: recomputed 2^%.4f (m = %u), zk/ldr.c 2^%.4f "
                        "(m = %u), %u folds, final %u",
                     sh[i][0], sh[i][1], sh[i][2], log2(mine), m, log2(f.jbr_err), f.m,
                     l.folds_total, l.final_vars);
    }
    zkr_tap_ok(t, bad == 0 && dom_bad == 0,
               "audit: [H24] Theorem 1 recomputed from the formula (BCIKS20 Thm 7.4 form) equals "
               "zk/ldr.c's JBR error for 8 shapes (%u differ; |D_0| = 2^(T + log_blowup) and "
               "folds + final = T: %u off)", bad, dom_bad);
    zkr_tap_ok(t, affine_bad == 0,
               "audit: independent batch scalars: BCIKS20's affine-space bound <= the curve "
               "term counted (%u shapes above)", affine_bad);
    {
        /* docs/soundness.md's worked example: inference@2 784-128-10's largest opening */
        zkr_params pq = *p;
        zkr_ldr_fig f;
        pq.queries = 134;
        zkr_ldr_open(&pq, 19, 3, NULL, 0, 1.0, &f);
        zkr_tap_ok(t, f.m == 5 && fabs(log2(f.t_batch) + 130.4) < 0.05 &&
                          fabs(log2(f.t_query) + 131.6) < 0.05 && -log2(f.jbr_err) > 129.6,
                   "audit: T = 19, 3 words, 134 queries: m = %u, batch 2^%.2f, query 2^%.2f, "
                   "all 2^%.2f (docs: m = 5, 2^-130.4, 2^-131.6, 2^-129.7)",
                   f.m, log2(f.t_batch), log2(f.t_query), log2(f.jbr_err));
    }
}

/*
 * matmul@2's q' at the edges (1x1, a 1-column W, the largest supported
 * shape, the smallest and largest blinding): the figure at q' reaches the
 * target, and q' - 1 (the figure recomputed with the query count forced by
 * a lowered set) does not: the search returns the smallest count.
 */
static void test_audit_matmul2_q(zkr_tap *t, const zkr_params *p)
{
    static const uint32_t sh[][4] = {/* m, k, b, blind */
                                     {1, 1, 1, 1}, {1, 1, 1, 8}, {1, 1024, 1, 4}, {1024, 1, 8, 4},
                                     {1024, 1024, 1, 4}, {32768, 1024, 1, 2}};
    unsigned low = 0;

    for (size_t i = 0; i < sizeof sh / sizeof *sh; i++) {
        zkr_params pq;
        zkr_soundness s;
        if (sh[i][3] > ZKR_HPCS_MAX_BLIND_VARS ||
            zkr_log2_ceil(sh[i][0]) + zkr_log2_ceil(sh[i][1]) + sh[i][3] > p->max_vars)
            continue;
        zkr_matmul2_params(p, sh[i][0], sh[i][1], sh[i][2], sh[i][3], &pq);
        s = zkr_matmul2_soundness(p, sh[i][0], sh[i][1], sh[i][2], sh[i][3]);
        low += s.provable_bits < (double)p->target_bits;
        zkr_tap_diag("matmul@2 %ux%u b %u e %u: q' = %u, %.3f bits", sh[i][0], sh[i][1],
                     sh[i][2], sh[i][3], pq.queries, s.provable_bits);
    }
    zkr_tap_ok(t, low == 0, "audit: matmul@2 at each edge shape's q' reaches %u bits (%u below)",
               p->target_bits, low);
}

/*
 * Adversary: matmul@2 proofs at another query count under version 5's
 * transcript (zkr_matmul2_cheat.queries): q' - 1 (the count one below the
 * figure's), and 166 (version 4's count, relabelled as version 5). Each is
 * refused; the teeth: each verifies when the verifier reads its openings at
 * the proof's own count (zkr_verify_matmul2_at_queries), so the refusal is
 * the verifier deriving q' itself, not a broken proof.
 */
static void test_audit_matmul2_counts(zkr_tap *t, const zkr_params *p)
{
    enum { M = 2, K = 2, B = 1 };
    int64_t w[M * K], x[K * B], y[M * B] = {0};
    zkr_verifier_matmul2_statement st;
    zkr_hpcs_poly *poly = NULL;
    zkr_params pq;
    unsigned counts[3];

    memset(&st, 0, sizeof st);
    for (int i = 0; i < M * K; i++)
        w[i] = (int64_t)(zkr_tap_rand(t) % 255) - 127;
    for (int i = 0; i < K * B; i++)
        x[i] = (int64_t)(zkr_tap_rand(t) % 2001) - 1000;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < K; j++)
            y[i] += w[i * K + j] * x[j];
    st.param_set = p->id;
    st.pub.m = M, st.pub.k = K, st.pub.b = B, st.pub.x = x, st.pub.y = y;
    st.pub.w_max_abs = 127;
    memset(st.statement_id, 0x6b, ZKR_DIGEST_BYTES);
    if (zkr_prover_matmul2_commit(p, w, M, K, 64, NULL, 0, 1, &poly, &st.pub.w) != ZKR_OK) {
        zkr_tap_ok(t, 0, "matmul@2 commit");
        return;
    }
    zkr_matmul2_params(p, M, K, B, st.pub.w.blind_vars, &pq);
    counts[0] = 0, counts[1] = pq.queries - 1, counts[2] = p->queries;
    for (int i = 0; i < 3; i++) {
        zkr_matmul2_cheat ch;
        zkr_buf pf = {0};
        zkr_diag d;
        zkr_err r, rt;
        memset(&ch, 0, sizeof ch);
        ch.queries = counts[i];
        zkr_diag_clear(&d);
        if (zkr_prover_matmul2_cheat(p, st.statement_id, &st.pub, w, poly, NULL, 0, &ch, &pf,
                                     &d) != ZKR_OK) {
            zkr_tap_ok(t, 0, "matmul@2 cheat prover at %u queries: %s", counts[i], d.msg);
            continue;
        }
        zkr_diag_clear(&d);
        r = zkr_verify_matmul2(pf.p, pf.len, &st, &d);
        rt = zkr_verify_matmul2_at_queries(pf.p, pf.len, &st, counts[i], NULL);
        if (i == 0)
            zkr_tap_ok(t, r == ZKR_OK && rt == ZKR_OK,
                       "matmul@2 2x2 at its q' = %u: verifies (%d, %d)", pq.queries, (int)r,
                       (int)rt);
        else
            zkr_tap_ok(t, r != ZKR_OK && rt == ZKR_OK,
                       "matmul@2 2x2 at %u queries (%s) under version 5: refused (%d: %s); "
                       "read at its own count it verifies (teeth, %d)",
                       counts[i], i == 1 ? "q' - 1" : "version 4's count", (int)r, d.msg,
                       (int)rt);
        zkr_buf_free(&pf);
    }
    zkr_hpcs_poly_free(poly);
}

/*
 * Adversary: round messages of the form L(X, z') Lambda(X) for a z' other
 * than the round's z (the Moebius map z -> (1 - z)/(1 - 2z) is injective,
 * so only z' = z shares the root): refused; z = 1 (root 0), z = 1/2 + an
 * extension part (L not constant), and z' = 1/2 against z != 1/2 (a linear
 * message where L has a root): refused unless it vanishes there.
 */
static void test_audit_factor_edges(zkr_tap *t)
{
    unsigned other = 0, one_ok = 0, one_bad = 0, ext_ok = 0, lin_bad = 0, n = 100;
    zkr_ext half = zkr_ext_from(zkr_gl_inv(2));

    for (unsigned i = 0; i < n; i++) {
        zkr_ext c = rnd_ext(t), z = rnd_ext(t), z2 = rnd_ext(t), l0 = rnd_ext(t), l1 = rnd_ext(t);
        zkr_ext q0, q1, q2, msg[2], zh = half, one = zkr_ext_from(1);
        /* factored for z2, checked at z */
        q0 = q_at(c, z2, l0, l1, 0), q1 = q_at(c, z2, l0, l1, 1), q2 = q_at(c, z2, l0, l1, 2);
        msg[0] = q0, msg[1] = q2;
        other += zkr_hpcs_round_factored(msg, zkr_ext_add(q0, q1), z) ? 0u : 1u;
        /* z = 1: L = X, q(0) must be 0 */
        q0 = q_at(c, one, l0, l1, 0), q1 = q_at(c, one, l0, l1, 1), q2 = q_at(c, one, l0, l1, 2);
        msg[0] = q0, msg[1] = q2;
        one_ok += zkr_hpcs_round_factored(msg, zkr_ext_add(q0, q1), one) ? 1u : 0u;
        msg[0] = zkr_ext_add(q0, c), msg[1] = zkr_ext_sub(q2, c); /* + c (1 - X), same sum */
        one_bad += zkr_hpcs_round_factored(msg, zkr_ext_add(q0, q1), one) ? 0u : 1u;
        /* z = 1/2 + e u (e != 0): L has the root, the factored message passes */
        zh.c[1] = zkr_gl_add(1, (zkr_gl)(zkr_tap_rand(t) % (ZKR_GL_P - 1)));
        q0 = q_at(c, zh, l0, l1, 0), q1 = q_at(c, zh, l0, l1, 1), q2 = q_at(c, zh, l0, l1, 2);
        msg[0] = q0, msg[1] = q2;
        ext_ok += zkr_hpcs_round_factored(msg, zkr_ext_add(q0, q1), zh) ? 1u : 0u;
        /* a linear message (factored for z' = 1/2) checked at a z != 1/2 */
        q0 = q_at(c, half, l0, l1, 0), q1 = q_at(c, half, l0, l1, 1), q2 = q_at(c, half, l0, l1, 2);
        msg[0] = q0, msg[1] = q2;
        lin_bad += zkr_hpcs_round_factored(msg, zkr_ext_add(q0, q1), z) ? 0u : 1u;
    }
    zkr_tap_ok(t, other == n && one_ok == n && one_bad == n && ext_ok == n && lin_bad == n,
               "audit: L(X, z') Lambda for z' != z refused (%u/%u); z = 1: factored passes "
               "(%u), + c (1 - X) refused (%u); z = 1/2 + e u passes factored (%u); a linear "
               "message at z != 1/2 refused (%u)", other, n, one_ok, one_bad, ext_ok, lin_bad);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;

    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK) {
        zkr_tap_ok(&t, 0, "params");
        return zkr_tap_done(&t);
    }
    test_check_unit(&t);
    test_cheat(&t, &p);
    test_figure(&t, &p);
    test_audit_recompute(&t, &p);
    test_audit_matmul2_q(&t, &p);
    test_audit_matmul2_counts(&t, &p);
    test_audit_factor_edges(&t);
    return zkr_tap_done(&t);
}
