/*
 * evaluation@1 end to end at the API level (prover/evaluation.c,
 * verifier/evaluation.c, zk/eval.c):
 * - the RFC 6962 range proof for every range of trees of 1..40 leaves, and
 *   its refusals (another leaf, a boundary hash missing or extra);
 * - completeness over architectures and record counts (padding included),
 *   the proven count equal to native evaluation (zkr_ml_eval), threshold
 *   statements, a threshold above the count refused by the prover;
 * - every binding mismatch refused with its own error: statement_id,
 *   parameter set, kind, program, model (of the same and of another
 *   program), dataset, record range (0..4 for 0..9, another first), the
 *   records (swapped, outside the range), the count off by one, the mode;
 * - tampering: sampled bit flips, truncation, trailing bytes;
 * - determinism: byte-identical proofs for runs and thread counts;
 * - test builds only (the older versions come from the test-only prover):
 *   format versions 1..3 still verify, 5 and relabelled ones refused; the
 *   split batch in versions 3 and 4.
 */
#include <unistd.h>

#include "tests/infer/eval_fixture.h"
#include "zkr_config.h"

static char tmpdir[256];

static void test_range_proof(zkr_tap *t)
{
    int bad = 0, refused = 0, cases = 0, shifted = 0, refused_shift = 0, swapped = 0;
    int refused_swap = 0, wrap_ok = 0;

    for (uint64_t n = 1; n <= 40; n++) {
        uint8_t(*lv)[32] = malloc(n * 32), root[32], got[32];
        uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][32];
        size_t nb;
        for (uint64_t i = 0; i < n; i++)
            for (int k = 0; k < 32; k++)
                lv[i][k] = (uint8_t)zkr_tap_rand(t);
        if (zkr_merkle_root((const uint8_t(*)[32])lv, n, root) != ZKR_OK)
            bad++;
        for (uint64_t first = 0; first < n; first++)
            for (uint64_t count = 1; first + count <= n; count++) {
                cases++;
                if (zkr_eval_range_proof((const uint8_t(*)[32])lv, n, first, count, bound, &nb) !=
                        ZKR_OK ||
                    zkr_eval_range_root((const uint8_t(*)[32])(lv + first), n, first, count,
                                        (const uint8_t(*)[32])bound, nb, got) != ZKR_OK ||
                    memcmp(got, root, 32) != 0 || nb > 2 * 6) {
                    bad++;
                    continue;
                }
                /* Another leaf in the range, a boundary hash dropped or added. */
                lv[first + count - 1][3] ^= 1;
                refused += zkr_eval_range_root((const uint8_t(*)[32])(lv + first), n, first, count,
                                               (const uint8_t(*)[32])bound, nb, got) != ZKR_OK ||
                           memcmp(got, root, 32) != 0;
                lv[first + count - 1][3] ^= 1;
                refused += nb == 0 ||
                           zkr_eval_range_root((const uint8_t(*)[32])(lv + first), n, first, count,
                                               (const uint8_t(*)[32])bound, nb - 1, got) != ZKR_OK;
                refused += zkr_eval_range_root((const uint8_t(*)[32])(lv + first), n, first, count,
                                               (const uint8_t(*)[32])bound, nb + 1, got) != ZKR_OK;
                /* The same leaves and boundary hashes presented as the range one to the right. */
                if (first + count < n) {
                    shifted++;
                    refused_shift +=
                        zkr_eval_range_root((const uint8_t(*)[32])(lv + first), n, first + 1,
                                            count, (const uint8_t(*)[32])bound, nb, got) != ZKR_OK ||
                        memcmp(got, root, 32) != 0;
                }
                /* The first two boundary hashes swapped (left and right of the range moved). */
                if (nb >= 2) {
                    uint8_t tmp[32];
                    swapped++;
                    memcpy(tmp, bound[0], 32);
                    memcpy(bound[0], bound[1], 32);
                    memcpy(bound[1], tmp, 32);
                    refused_swap +=
                        zkr_eval_range_root((const uint8_t(*)[32])(lv + first), n, first, count,
                                            (const uint8_t(*)[32])bound, nb, got) != ZKR_OK ||
                        memcmp(got, root, 32) != 0;
                }
            }
        /* Ranges past the end, and first + count wrapping 2^64: refused before any walk. */
        wrap_ok += zkr_eval_range_root((const uint8_t(*)[32])lv, n, UINT64_MAX, 2, NULL, 0, got) ==
                       ZKR_ERR_USAGE &&
                   zkr_eval_range_root((const uint8_t(*)[32])lv, n, n - 1, UINT64_MAX, NULL, 0,
                                       got) == ZKR_ERR_USAGE &&
                   zkr_eval_range_root((const uint8_t(*)[32])lv, n, n, 1, NULL, 0, got) ==
                       ZKR_ERR_USAGE &&
                   zkr_eval_range_root((const uint8_t(*)[32])lv, n, 0, 0, NULL, 0, got) ==
                       ZKR_ERR_USAGE &&
                   zkr_eval_range_proof((const uint8_t(*)[32])lv, n, 1, UINT64_MAX, bound, &nb) ==
                       ZKR_ERR_USAGE;
        free(lv);
    }
    zkr_tap_ok(t, bad == 0 && refused == 3 * cases,
               "range proofs for every range of 1..40 leaves: %d ranges rebuild the root, each "
               "refused with another leaf or a boundary hash missing or extra (%d bad, %d/%d refused)",
               cases, bad, refused, 3 * cases);
    zkr_tap_ok(t, shifted > 0 && refused_shift == shifted,
               "a range's leaves and boundary hashes presented one position to the right: refused "
               "(%d/%d)", refused_shift, shifted);
    zkr_tap_ok(t, swapped > 0 && refused_swap == swapped,
               "the first two boundary hashes swapped: refused (%d/%d)", refused_swap, swapped);
    zkr_tap_ok(t, wrap_ok == 40,
               "first 2^64-1, count 2^64-1, first = n, count 0: ZKR_ERR_USAGE for every n "
               "(%d/40)", wrap_ok);
}

static void test_completeness(zkr_tap *t)
{
    static const uint32_t archs[][6] = {
        {1, 1, 1},      {1, 5, 3},          {2, 12, 9, 5},       {2, 16, 16, 16},
        {3, 10, 7, 5, 3}, {4, 9, 6, 4, 3, 2}, {2, 64, 32, 10},
    };
    static const uint64_t counts[] = {1, 2, 7, 8, 9};
    int bad = 0, n = 0;

    for (size_t a = 0; a < sizeof archs / sizeof archs[0]; a++)
        for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
            ev_fixture f;
            zkr_dataset *ds;
            uint32_t nl = archs[a][0];
            zkr_ml_eval_result res;
            zkr_diag d = {0};
            zkr_err r, v = ZKR_ERR_INTERNAL;
            memset(&f, 0, sizeof f);
            ds = ev_dataset_make(t, tmpdir, "c", archs[a][1], 12, archs[a][nl + 1] + 1);
            ev_rmodel_make(t, &f.rm, archs[a] + 1, nl, ci == 4, 0);
            r = ev_fixture_prove(t, &f, ds, 12 - counts[ci], counts[ci], ZKR_EVAL_MODE_EXACT, 0,
                                 1 + (unsigned)(ci & 1));
            if (r == ZKR_OK)
                v = ev_verify(&f, f.proof.p, f.proof.len, NULL);
            n++;
            if (r != ZKR_OK || v != ZKR_OK ||
                zkr_ml_eval(NULL, f.m, ds, 12 - counts[ci], counts[ci], &res, &d) != ZKR_OK ||
                res.quant_correct != f.correct) {
                bad++;
                zkr_tap_diag("arch %zu count %llu: prove %d verify %d correct %llu", a,
                             (unsigned long long)counts[ci], r, v, (unsigned long long)f.correct);
            }
            ev_fixture_free(&f);
            zkr_dataset_free(ds);
        }
    zkr_tap_ok(t, bad == 0,
               "%d proofs (1 to 4 layers, 1 to 9 records, padding, bounds): prove, verify, count "
               "equals native evaluation (%d bad)", n, bad);
}

static void test_threshold(zkr_tap *t)
{
    static const uint32_t dims[] = {8, 6, 2};
    ev_fixture f;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "th", 8, 20, 2);
    zkr_verifier_evaluation_statement st;
    zkr_buf out = {0}, pf = {0};
    zkr_diag d = {0};
    uint64_t got = 0;
    zkr_err r;

    memset(&f, 0, sizeof f);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    r = ev_fixture_prove(t, &f, ds, 0, 20, ZKR_EVAL_MODE_EXACT, 0, 1);
    zkr_tap_ok(t, r == ZKR_OK, "exact fixture proves (%llu of 20 correct)",
               (unsigned long long)f.correct);
    r = zkr_prover_evaluation(&f.p, f.st.statement_id, f.im, &f.bt, ZKR_EVAL_MODE_THRESHOLD,
                              f.correct, 1, &pf, &out, NULL, &d);
    st = f.st;
    st.output = out.p;
    st.output_len = out.len;
    zkr_tap_ok(t, r == ZKR_OK && zkr_verify_evaluation(pf.p, pf.len, &st, &got, &d) == ZKR_OK &&
                      got == f.correct,
               "threshold tau = correct proves and verifies");
    r = zkr_prover_evaluation(&f.p, f.st.statement_id, f.im, &f.bt, ZKR_EVAL_MODE_THRESHOLD,
                              f.correct + 1, 1, &pf, &out, NULL, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_OUTPUT && pf.len == 0,
               "threshold tau = correct + 1: the prover refuses (%d)", r);
    {
        /* The threshold proof presented for the exact statement and vice versa. */
        zkr_buf tout = {0}, tpf = {0};
        r = zkr_prover_evaluation(&f.p, f.st.statement_id, f.im, &f.bt, ZKR_EVAL_MODE_THRESHOLD,
                                  f.correct ? f.correct - 1 : 0, 1, &tpf, &tout, NULL, &d);
        zkr_tap_ok(t, r == ZKR_OK && ev_verify(&f, tpf.p, tpf.len, NULL) == ZKR_ERR_MISMATCH_OUTPUT,
                   "a threshold proof checked against the exact statement: MISMATCH_OUTPUT");
        st = f.st;
        st.output = tout.p;
        st.output_len = tout.len;
        zkr_tap_ok(t, ev_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_OUTPUT,
                   "the exact proof checked against a threshold statement: MISMATCH_OUTPUT");
        zkr_buf_free(&tout);
        zkr_buf_free(&tpf);
    }
    zkr_buf_free(&out);
    zkr_buf_free(&pf);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

static void test_bindings(zkr_tap *t)
{
    static const uint32_t dims[] = {12, 9, 5}, dims2[] = {12, 7, 5};
    ev_fixture f, g, h;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "b", 12, 14, 5);
    zkr_dataset *ds2 = ev_dataset_make(t, tmpdir, "b2", 12, 14, 5);
    zkr_verifier_evaluation_statement st;
    uint8_t *rec2 = NULL;
    zkr_err r;

    memset(&f, 0, sizeof f);
    memset(&g, 0, sizeof g);
    memset(&h, 0, sizeof h);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    r = ev_fixture_prove(t, &f, ds, 0, 5, ZKR_EVAL_MODE_EXACT, 0, 2);
    zkr_tap_ok(t, r == ZKR_OK && ev_verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_OK,
               "binding fixture (records 0..4) proves and verifies (%zu bytes)", f.proof.len);
#define MISMATCH(field_code, expect, what)                                                    \
    do {                                                                                       \
        st = f.st;                                                                             \
        field_code;                                                                            \
        r = ev_verify(&f, f.proof.p, f.proof.len, &st);                                        \
        zkr_tap_ok(t, r == (expect), "%s: %s (got %d)", what, #expect, r);                     \
    } while (0)
    MISMATCH(st.statement_id[5] ^= 1, ZKR_ERR_MISMATCH_STATEMENT, "another statement_id");
    MISMATCH(st.param_set = 2, ZKR_ERR_MISMATCH_PARAMS, "another parameter set");
    MISMATCH(st.program_digest[0] ^= 0x80, ZKR_ERR_MISMATCH_PROGRAM, "another program");
    MISMATCH(st.model_commitment[31] ^= 1, ZKR_ERR_MISMATCH_MODEL, "another model commitment");
    MISMATCH(st.dataset_commitment[7] ^= 4, ZKR_ERR_MISMATCH_DATASET, "another dataset commitment");
    MISMATCH(st.first = 1, ZKR_ERR_MISMATCH_INPUT, "records 1..5 for a proof of 0..4");
    MISMATCH(st.first = UINT64_MAX, ZKR_ERR_MISMATCH_INPUT, "record_first 2^64-1 (first + count wraps)");
    MISMATCH(st.count = 0, ZKR_ERR_TOO_LARGE, "record_count 0");
    MISMATCH(st.count = ((uint64_t)1 << ZKR_EVAL_MAX_LB) + 1, ZKR_ERR_TOO_LARGE,
             "record_count 2^20 + 1");
    MISMATCH(st.count = UINT64_MAX, ZKR_ERR_TOO_LARGE, "record_count 2^64-1");
    {
        uint8_t *big = NULL, bound[ZKR_EVAL_MAX_BOUNDARY][32];
        zkr_eval_batch bt;
        zkr_diag d = {0};
        if (zkr_eval_batch_of(ds, 0, 10, &big, bound, &bt, &d) == ZKR_OK)
            MISMATCH((st.count = 10, st.records = big), ZKR_ERR_MISMATCH_INPUT,
                     "a proof for records 0..4 checked for 0..9");
        free(big);
    }
    {
        uint8_t *sw = malloc(5 * f.bt.rec_len);
        memcpy(sw, f.records, 5 * f.bt.rec_len);
        memcpy(sw, f.records + f.bt.rec_len, f.bt.rec_len);
        memcpy(sw + f.bt.rec_len, f.records, f.bt.rec_len);
        MISMATCH(st.records = sw, ZKR_ERR_MISMATCH_INPUT, "records 0 and 1 swapped");
        sw[3] ^= 1;
        memcpy(sw, f.records, 5 * f.bt.rec_len);
        sw[2 * f.bt.rec_len + 3] ^= 1;
        MISMATCH(st.records = sw, ZKR_ERR_MISMATCH_INPUT, "one byte of record 2 changed");
        memcpy(sw, f.records, 5 * f.bt.rec_len);
        sw[5 * f.bt.rec_len - 1] ^= 1;
        MISMATCH(st.records = sw, ZKR_ERR_MISMATCH_INPUT, "record 4's label changed");
        free(sw);
    }
    MISMATCH(st.rec_len = f.bt.rec_len - 1, ZKR_ERR_MISMATCH_INPUT, "records of another schema length");
    {
        uint8_t out[ZKR_EVAL_OUTPUT_BYTES];
        zkr_buf ob = {0};
        memcpy(out, f.output.p, sizeof out);
        out[16] ^= 1; /* the count's low bit: off by one */
        MISMATCH((st.output = out), ZKR_ERR_MISMATCH_OUTPUT, "the count off by one in the statement");
        memcpy(out, f.output.p, sizeof out);
        out[0] = ZKR_EVAL_MODE_THRESHOLD;
        MISMATCH((st.output = out), ZKR_ERR_MISMATCH_OUTPUT, "another output mode");
        if (zkr_eval_output_encode(ZKR_EVAL_MODE_EXACT, 5, f.correct == 5 ? 4 : f.correct + 1,
                                   &ob) == ZKR_OK)
            MISMATCH((st.output = ob.p), ZKR_ERR_MISMATCH_OUTPUT, "another well-formed count");
        zkr_buf_free(&ob);
    }
    {
        uint8_t root[32];
        st = f.st;
        if (zkr_infer_dataset_commit(ds2, 0, root, st.dataset_commitment, NULL, NULL) == ZKR_OK)
            r = ev_verify(&f, f.proof.p, f.proof.len, &st);
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_DATASET,
                   "proof checked against another registered dataset: MISMATCH_DATASET (%d)", r);
    }
    /* Another model of the same program; a model of another program. */
    ev_rmodel_make(t, &g.rm, dims, 2, 0, 0);
    g.rm.g = f.rm.g;
    r = ev_fixture_prove(t, &g, ds, 0, 5, ZKR_EVAL_MODE_EXACT, 0, 1);
    st = f.st;
    memcpy(st.model_commitment, g.st.model_commitment, 32);
    zkr_tap_ok(t, r == ZKR_OK && ev_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_MODEL,
               "proof of model A checked against model B of the same program: MISMATCH_MODEL");
    ev_rmodel_make(t, &h.rm, dims2, 2, 0, 0);
    r = ev_fixture_prove(t, &h, ds, 0, 5, ZKR_EVAL_MODE_EXACT, 0, 1);
    st = f.st;
    memcpy(st.model_commitment, h.st.model_commitment, 32);
    memcpy(st.program_digest, h.st.program_digest, 32);
    zkr_tap_ok(t, r == ZKR_OK &&
                      ev_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_PROGRAM,
               "proof checked against a model of another program: MISMATCH_PROGRAM");
    /* The proof of records 0..4 of one dataset against the same range of another. */
    {
        uint8_t root[32], bound[ZKR_EVAL_MAX_BOUNDARY][32];
        zkr_eval_batch bt;
        zkr_diag d = {0};
        st = f.st;
        if (zkr_eval_batch_of(ds2, 0, 5, &rec2, bound, &bt, &d) == ZKR_OK &&
            zkr_infer_dataset_commit(ds2, 0, root, st.dataset_commitment, NULL, NULL) == ZKR_OK) {
            st.records = rec2;
            r = ev_verify(&f, f.proof.p, f.proof.len, &st);
        }
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_DATASET,
                   "proof checked against another dataset's records 0..4: MISMATCH_DATASET (%d)", r);
    }
    /* A header rewritten to another statement_id fails the mathematics. */
    {
        uint8_t *cp = malloc(f.proof.len);
        memcpy(cp, f.proof.p, f.proof.len);
        cp[8 + 16] ^= 1;
        st = f.st;
        st.statement_id[0] ^= 1;
        r = ev_verify(&f, cp, f.proof.len, &st);
        zkr_tap_ok(t, r == ZKR_ERR_VERIFY,
                   "header rewritten to another statement_id: ZKR_ERR_VERIFY (%d)", r);
        free(cp);
    }
    /* An inference@1 proof given to the evaluation verifier. */
    {
        zkr_buf ip = {0}, io = {0};
        zkr_diag d = {0};
        if (zkr_prover_inference(&f.p, f.st.statement_id, f.im, ds, 0, 1, &ip, &io, &d) == ZKR_OK)
            r = ev_verify(&f, ip.p, ip.len, NULL);
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_PARAMS,
                   "an inference@1 proof presented as evaluation@1: MISMATCH_PARAMS (%d)", r);
        zkr_buf_free(&ip);
        zkr_buf_free(&io);
    }
    free(rec2);
    ev_fixture_free(&h);
    ev_fixture_free(&g);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
    zkr_dataset_free(ds2);
}

static void test_tamper(zkr_tap *t)
{
    static const uint32_t dims[] = {6, 4, 3};
    ev_fixture f;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "t", 6, 5, 3);
    int accepted = 0, crashed = 0, math = 0;
    uint8_t *cp;
    zkr_err r;

    memset(&f, 0, sizeof f);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    r = ev_fixture_prove(t, &f, ds, 1, 3, ZKR_EVAL_MODE_EXACT, 0, 1);
    zkr_tap_ok(t, r == ZKR_OK && ev_verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_OK,
               "tamper fixture verifies (%zu bytes)", f.proof.len);
    cp = malloc(f.proof.len + 1);
    for (int i = 0; i < 1200; i++) {
        size_t pos = i < 500 ? (size_t)i % f.proof.len : (size_t)(zkr_tap_rand(t) % f.proof.len);
        memcpy(cp, f.proof.p, f.proof.len);
        cp[pos] ^= (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        r = ev_verify(&f, cp, f.proof.len, NULL);
        accepted += r == ZKR_OK;
        math += r == ZKR_ERR_VERIFY;
        crashed += r == ZKR_ERR_INTERNAL;
    }
    zkr_tap_ok(t, accepted == 0 && crashed == 0,
               "1200 single-bit flips: none accepted (%d), %d failed the mathematics", accepted,
               math);
    accepted = 0;
    for (size_t len = 0; len < f.proof.len; len += 1 + len / 64)
        accepted += ev_verify(&f, f.proof.p, len, NULL) == ZKR_OK;
    zkr_tap_ok(t, accepted == 0, "truncations of the %zu bytes: none accepted", f.proof.len);
    memcpy(cp, f.proof.p, f.proof.len);
    cp[f.proof.len] = 0;
    zkr_tap_ok(t, ev_verify(&f, cp, f.proof.len + 1, NULL) == ZKR_ERR_MALFORMED,
               "a trailing byte: ZKR_ERR_MALFORMED");
    /* Field words >= p in the body (its first and last word): refused as encodings. */
    {
        zkr_proof_view v;
        zkr_diag d = {0};
        int malformed = 0;
        if (zkr_proof_parse(f.proof.p, f.proof.len, &v, &d) == ZKR_OK && v.len[3] >= 16) {
            size_t offs[2] = {(size_t)(v.body[3] - f.proof.p),
                              (size_t)(v.body[3] - f.proof.p) + v.len[3] - 8};
            static const uint64_t bad[2] = {ZKR_GL_P, UINT64_MAX};
            for (int k = 0; k < 2; k++)
                for (int b = 0; b < 2; b++) {
                    memcpy(cp, f.proof.p, f.proof.len);
                    zkr_store_le64(cp + offs[k], bad[b]);
                    malformed += ev_verify(&f, cp, f.proof.len, NULL) == ZKR_ERR_MALFORMED;
                }
        }
        zkr_tap_ok(t, malformed == 4,
                   "the body's first and last field word set to p and 2^64-1: ZKR_ERR_MALFORMED "
                   "(%d/4)", malformed);
    }
    free(cp);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

static void test_determinism(zkr_tap *t)
{
    static const uint32_t dims[] = {40, 24, 10};
    ev_fixture a, b;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "d", 40, 9, 10);
    uint64_t seed_state;
    int same = 1;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ev_rmodel_make(t, &a.rm, dims, 2, 0, 0);
    seed_state = t->rng;
    (void)ev_fixture_prove(t, &a, ds, 0, 9, ZKR_EVAL_MODE_EXACT, 0, 1);
    b.rm = a.rm;
    b.m = a.m;
    b.im = a.im;
    for (unsigned threads = 1; threads <= 3; threads++) {
        t->rng = seed_state;
        zkr_buf_free(&b.proof);
        zkr_buf_free(&b.output);
        (void)ev_fixture_prove(t, &b, ds, 0, 9, ZKR_EVAL_MODE_EXACT, 0, threads);
        same &= a.proof.len > 0 && a.proof.len == b.proof.len &&
                memcmp(a.proof.p, b.proof.p, a.proof.len) == 0;
    }
    zkr_tap_ok(t, same, "same statement, runs with 1, 2 and 3 threads: byte-identical proofs "
               "(%zu bytes)", a.proof.len);
    free(b.records);
    zkr_buf_free(&b.proof);
    zkr_buf_free(&b.output);
    ev_fixture_free(&a);
    zkr_dataset_free(ds);
}

/* Older format versions come from the test-only prover (zkr_prover_evaluation_version). */
#if ZKR_TEST_BUILD
/*
 * Rebuilds the proof of view pv with section 1 (ROOTS) replaced by
 * roots[0..roots_len) and, when pcs is not NULL, the openings section 4 by
 * pcs (an adversary's re-framing of a proof; the container stays valid).
 */
static zkr_err ev_reframe(const zkr_proof_view *pv, const uint8_t *roots, size_t roots_len,
                          const uint8_t *pcs, size_t pcs_len, zkr_buf *out)
{
    zkr_err r = zkr_proof_begin(out, pv->param_set, pv->kind, pv->statement_id, pv->n_sections);

    for (uint32_t i = 0; i < pv->n_sections && r == ZKR_OK; i++) {
        const uint8_t *b = i == 1 ? roots : (i == 4 && pcs) ? pcs : pv->body[i];
        size_t l = i == 1 ? roots_len : (i == 4 && pcs) ? pcs_len : pv->len[i];
        r = zkr_proof_add_section(out, pv->tag[i], b, l);
    }
    return r;
}

/* Format versions: 4 is made, 1 still verifies, others are refused (64 records: no split). */
static void test_versions(zkr_tap *t)
{
    static const uint32_t dims[] = {40, 24, 10};
    ev_fixture f;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "v", 40, 64, 10);
    zkr_buf v1 = {0}, out1 = {0}, bad = {0};
    zkr_proof_view pv;
    zkr_diag d = {0};
    zkr_err r, r1 = ZKR_ERR_INTERNAL, v = ZKR_ERR_INTERNAL, vv1 = ZKR_ERR_INTERNAL;

    memset(&f, 0, sizeof f);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    r = ev_fixture_prove(t, &f, ds, 0, 64, ZKR_EVAL_MODE_EXACT, 0, 2);
    if (r == ZKR_OK) {
        v = ev_verify(&f, f.proof.p, f.proof.len, NULL);
        r1 = zkr_prover_evaluation_version(&f.p, f.st.statement_id, f.im, &f.bt,
                                           ZKR_EVAL_MODE_EXACT, 0, 1, 1, &v1, &out1, &d);
        if (r1 == ZKR_OK)
            vv1 = ev_verify(&f, v1.p, v1.len, NULL);
    }
    zkr_tap_ok(t, r == ZKR_OK && v == ZKR_OK,
               "version 4, 64 records: verifies (%d/%d, %zu bytes)", r,
               v, f.proof.len);
    zkr_tap_ok(t, r1 == ZKR_OK && vv1 == ZKR_OK && v1.len > f.proof.len,
               "version 1 proof of the same statement still verifies (%d/%d, %zu bytes)", r1, vv1,
               v1.len);
    /* The version word of the roots section: 5 (future) and 1 (with a marker) are refused. */
    if (r == ZKR_OK && zkr_buf_append(&bad, f.proof.p, f.proof.len) == ZKR_OK &&
        zkr_proof_parse(bad.p, bad.len, &pv, &d) == ZKR_OK) {
        size_t off = (size_t)(pv.body[1] - bad.p);
        zkr_diag vd = {0};
        bad.p[off] = 0, bad.p[off + 1] = 0, bad.p[off + 2] = 0, bad.p[off + 3] = 5;
        v = zkr_verify_evaluation(bad.p, bad.len, &f.st, NULL, &vd);
        zkr_tap_ok(t, v == ZKR_ERR_UNSUPPORTED && strstr(vd.msg, "format version 5 proof refused"),
                   "roots section says version 5: ZKR_ERR_UNSUPPORTED by name (%d: %s)", v, vd.msg);
        bad.p[off + 3] = 1;
        v = zkr_verify_evaluation(bad.p, bad.len, &f.st, NULL, &vd);
        zkr_tap_ok(t, v == ZKR_ERR_MALFORMED, "roots section says version 1 with a marker: "
                   "ZKR_ERR_MALFORMED (%d)", v);
    } else {
        zkr_tap_ok(t, 0, "version word edits: no proof to edit");
        zkr_tap_ok(t, 0, "version word edits: no proof to edit");
    }
    /* An adversary re-frames versions (docs/threat-model.md, "version downgrade"):
     * v2 with its version word stripped is read as v1, v1 with a word 2 is read as v2,
     * and the v1 openings are spliced under v2's roots; each must be refused. */
    if (r == ZKR_OK && r1 == ZKR_OK) {
        zkr_proof_view p2, p1;
        zkr_buf e1 = {0}, e2 = {0}, e3 = {0}, w = {0};
        zkr_err a1 = ZKR_OK, a2 = ZKR_OK, a3 = ZKR_OK;
        zkr_diag vd = {0};
        if (zkr_proof_parse(f.proof.p, f.proof.len, &p2, &d) == ZKR_OK &&
            zkr_proof_parse(v1.p, v1.len, &p1, &d) == ZKR_OK &&
            zkr_enc_u32(&w, 2) == ZKR_OK && zkr_buf_append(&w, p1.body[1], p1.len[1]) == ZKR_OK &&
            ev_reframe(&p2, p2.body[1] + 4, p2.len[1] - 4, NULL, 0, &e1) == ZKR_OK &&
            ev_reframe(&p1, w.p, w.len, NULL, 0, &e2) == ZKR_OK &&
            ev_reframe(&p2, p2.body[1], p2.len[1], p1.body[4], p1.len[4], &e3) == ZKR_OK) {
            a1 = zkr_verify_evaluation(e1.p, e1.len, &f.st, NULL, &vd);
            a2 = zkr_verify_evaluation(e2.p, e2.len, &f.st, NULL, &vd);
            a3 = zkr_verify_evaluation(e3.p, e3.len, &f.st, NULL, &vd);
        }
        zkr_tap_ok(t, a1 != ZKR_OK, "adv version 4 proof with its version word stripped (read as "
                   "version 1): refused (%d)", a1);
        zkr_tap_ok(t, a2 != ZKR_OK, "adv version 1 proof with a version word 2 (read as version 2): "
                   "refused (%d)", a2);
        zkr_tap_ok(t, a3 != ZKR_OK, "adv version 1 openings under version 4 roots: refused (%d)",
                   a3);
        zkr_buf_free(&e1);
        zkr_buf_free(&e2);
        zkr_buf_free(&e3);
        zkr_buf_free(&w);
    } else {
        zkr_tap_ok(t, 0, "adv version re-framing: no proofs");
        zkr_tap_ok(t, 0, "adv version re-framing: no proofs");
        zkr_tap_ok(t, 0, "adv version re-framing: no proofs");
    }
    zkr_buf_free(&v1);
    zkr_buf_free(&out1);
    zkr_buf_free(&bad);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

/*
 * Format versions 3 and 4 split 40 records (32 + 8 instead of 64 padded):
 * the version 4 proof verifies, is deterministic across thread counts, the
 * version 3 and 2 proofs of the same statement verify too, and re-framing
 * one as another (version word swapped) is refused.
 */
static void test_split(zkr_tap *t)
{
    static const uint32_t dims[] = {40, 24, 10};
    ev_fixture f;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "x", 40, 44, 10);
    zkr_buf p1 = {0}, o1 = {0}, v2 = {0}, o2 = {0}, v3 = {0}, o3 = {0};
    zkr_proof_view pv;
    zkr_diag d = {0};
    zkr_err r, r1 = ZKR_ERR_INTERNAL, r2 = ZKR_ERR_INTERNAL, v = ZKR_ERR_INTERNAL;
    zkr_err vv2 = ZKR_ERR_INTERNAL, r3 = ZKR_ERR_INTERNAL, vv3 = ZKR_ERR_INTERNAL;
    size_t n_roots = 0;

    memset(&f, 0, sizeof f);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    f.rm.g.layers[0].act = 0; /* no ReLU: V_0's zero past the chunks means y = -128 */
    r = ev_fixture_prove(t, &f, ds, 2, 40, ZKR_EVAL_MODE_EXACT, 0, 2);
    if (r == ZKR_OK) {
        v = ev_verify(&f, f.proof.p, f.proof.len, NULL);
        r1 = zkr_prover_evaluation_version(&f.p, f.st.statement_id, f.im, &f.bt,
                                           ZKR_EVAL_MODE_EXACT, 0, 1, 4, &p1, &o1, &d);
        r2 = zkr_prover_evaluation_version(&f.p, f.st.statement_id, f.im, &f.bt,
                                           ZKR_EVAL_MODE_EXACT, 0, 1, 2, &v2, &o2, &d);
        r3 = zkr_prover_evaluation_version(&f.p, f.st.statement_id, f.im, &f.bt,
                                           ZKR_EVAL_MODE_EXACT, 0, 2, 3, &v3, &o3, &d);
        if (r2 == ZKR_OK)
            vv2 = ev_verify(&f, v2.p, v2.len, NULL);
        if (r3 == ZKR_OK)
            vv3 = ev_verify(&f, v3.p, v3.len, NULL);
        /* Version 4's roots section: u32 version, u32 ghb | u32 glb per layer, the roots. */
        if (zkr_proof_parse(f.proof.p, f.proof.len, &pv, &d) == ZKR_OK &&
            (pv.len[1] - 4 - 8 * 2) % ZKR_DIGEST_BYTES == 0)
            n_roots = (pv.len[1] - 4 - 8 * 2) / ZKR_DIGEST_BYTES;
    }
    zkr_tap_ok(t, r == ZKR_OK && v == ZKR_OK && n_roots == 2 + 2 + 1,
               "version 4, 40 records split 32 + 8: verifies, five witness roots (%d/%d, %zu)", r,
               v, n_roots);
    zkr_tap_ok(t, r1 == ZKR_OK && p1.len == f.proof.len &&
                      memcmp(p1.p, f.proof.p, p1.len) == 0,
               "version 4 split proof: 1 and 2 threads give the same bytes (%d)", r1);
    zkr_tap_ok(t, r2 == ZKR_OK && vv2 == ZKR_OK,
               "version 2 proof of the same statement (64 padded records) still verifies (%d/%d)",
               r2, vv2);
    zkr_tap_ok(t, r3 == ZKR_OK && vv3 == ZKR_OK && v3.len != f.proof.len,
               "version 3 split proof of the same statement still verifies (%d/%d, %zu bytes, "
               "version 4: %zu)", r3, vv3, v3.len, f.proof.len);
    if (r == ZKR_OK && r2 == ZKR_OK) {
        zkr_buf e = {0};
        zkr_proof_view q;
        zkr_diag vd = {0};
        zkr_err a1 = ZKR_OK, a2 = ZKR_OK;
        zkr_err a3 = ZKR_OK, a4 = ZKR_OK;
        if (zkr_buf_append(&e, f.proof.p, f.proof.len) == ZKR_OK &&
            zkr_proof_parse(e.p, e.len, &q, &d) == ZKR_OK) {
            e.p[(size_t)(q.body[1] - e.p) + 3] = 2;
            a1 = zkr_verify_evaluation(e.p, e.len, &f.st, NULL, &vd);
            e.p[(size_t)(q.body[1] - e.p) + 3] = 3;
            a3 = zkr_verify_evaluation(e.p, e.len, &f.st, NULL, &vd);
        }
        e.len = 0;
        if (r3 == ZKR_OK && zkr_buf_append(&e, v3.p, v3.len) == ZKR_OK &&
            zkr_proof_parse(e.p, e.len, &q, &d) == ZKR_OK) {
            e.p[(size_t)(q.body[1] - e.p) + 3] = 4;
            a4 = zkr_verify_evaluation(e.p, e.len, &f.st, NULL, &vd);
        }
        /* The version 3 proof's reject twins: a body byte flipped, the last byte cut. */
        e.len = 0;
        if (r3 == ZKR_OK && zkr_buf_append(&e, v3.p, v3.len) == ZKR_OK &&
            zkr_proof_parse(e.p, e.len, &q, &d) == ZKR_OK) {
            zkr_err b1, b2;
            e.p[(size_t)(q.body[3] - e.p) + q.len[3] / 2] ^= 0x10;
            b1 = zkr_verify_evaluation(e.p, e.len, &f.st, NULL, &vd);
            e.p[(size_t)(q.body[3] - e.p) + q.len[3] / 2] ^= 0x10;
            b2 = zkr_verify_evaluation(e.p, e.len - 1, &f.st, NULL, &vd);
            zkr_tap_ok(t, b1 != ZKR_OK && b2 != ZKR_OK,
                       "version 3 split proof with a body byte flipped, or truncated: refused "
                       "(%d, %d)", b1, b2);
        } else {
            zkr_tap_ok(t, 0, "version 3 split proof edits: no proof");
        }
        zkr_tap_ok(t, a3 != ZKR_OK, "adv split version 4 proof relabelled version 3: refused (%d)",
                   a3);
        zkr_tap_ok(t, r3 == ZKR_OK && a4 != ZKR_OK,
                   "adv split version 3 proof relabelled version 4: refused (%d)", a4);
        e.len = 0;
        if (zkr_buf_append(&e, v2.p, v2.len) == ZKR_OK &&
            zkr_proof_parse(e.p, e.len, &q, &d) == ZKR_OK) {
            e.p[(size_t)(q.body[1] - e.p) + 3] = 3;
            a2 = zkr_verify_evaluation(e.p, e.len, &f.st, NULL, &vd);
        }
        zkr_tap_ok(t, a1 == ZKR_ERR_MALFORMED, "adv split version 4 proof relabelled version 2: "
                   "refused (%d)", a1);
        zkr_tap_ok(t, a2 == ZKR_ERR_MALFORMED, "adv version 2 proof relabelled version 3: "
                   "refused (%d)", a2);
        zkr_buf_free(&e);
    } else {
        zkr_tap_ok(t, 0, "adv split relabelling: no proofs");
        zkr_tap_ok(t, 0, "adv split relabelling: no proofs");
        zkr_tap_ok(t, 0, "adv split relabelling: no proofs");
        zkr_tap_ok(t, 0, "adv split relabelling: no proofs");
        zkr_tap_ok(t, 0, "adv split relabelling: no proofs");
    }
    zkr_buf_free(&p1);
    zkr_buf_free(&o1);
    zkr_buf_free(&v2);
    zkr_buf_free(&o2);
    zkr_buf_free(&v3);
    zkr_buf_free(&o3);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}
#endif

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300];
    int rc;

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-test-eval-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    test_range_proof(&t);
    test_completeness(&t);
    test_threshold(&t);
    test_bindings(&t);
    test_tamper(&t);
    test_determinism(&t);
#if ZKR_TEST_BUILD
    test_versions(&t);
    test_split(&t);
#endif
    rc = zkr_tap_done(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
