/*
 * inference-batch@1 end to end at the API level (zk/infer_batch.c,
 * prover/inference_batch.c, verifier/inference_batch.c):
 * - the batch public-output codec and its strict decoder's refusals;
 * - completeness over architectures and record counts (padding rows and
 *   records included), every stated logit equal to native inference;
 * - every binding refused with its own error: one output byte changed,
 *   records 0..7 presented for 0..15, another dataset, another model,
 *   another statement, an evaluation@1 proof in its place;
 * - tampering: a byte flipped in each section, truncations, a trailing
 *   byte;
 * - determinism: byte-identical proofs for runs and thread counts.
 */
#include <unistd.h>

#include "prover/inference_batch.h"
#include "tests/infer/eval_fixture.h"
#include "verifier/inference_batch.h"

static char tmpdir[256];

static zkr_err ib_prove(zkr_tap *t, ev_fixture *f, const zkr_dataset *ds, uint64_t first,
                        uint64_t count, unsigned threads)
{
    zkr_diag d = {0};
    zkr_err r;

    zkr_buf_free(&f->proof);
    zkr_buf_free(&f->output);
    if ((r = ev_fixture_setup(t, f, ds, first, count, threads)) != ZKR_OK)
        return r;
    r = zkr_prover_inference_batch(&f->p, f->st.statement_id, f->im, &f->bt, threads, &f->proof,
                                   &f->output, &d);
    if (r != ZKR_OK)
        zkr_tap_diag("prove: %s", d.msg);
    f->st.output = f->output.p;
    f->st.output_len = f->output.len;
    return r;
}

static zkr_err ib_verify(const ev_fixture *f, const uint8_t *p, size_t len,
                         const zkr_verifier_evaluation_statement *st)
{
    zkr_diag d = {0};
    zkr_err r = zkr_verify_inference_batch(p, len, st ? st : &f->st, &d);

    if (r != ZKR_OK && getenv("ZKR_TEST_VERBOSE"))
        zkr_tap_diag("verify: %s", d.msg);
    return r;
}

static void test_codec(zkr_tap *t)
{
    int8_t y[12];
    zkr_buf b = {0};
    uint64_t first, count;
    uint32_t od;
    const int8_t *yp;
    int ok, trunc = 0, bad = 0;

    for (int i = 0; i < 12; i++)
        y[i] = (int8_t)(i * 23 - 128);
    ok = zkr_ibatch_output_encode(5, 3, 4, y, &b) == ZKR_OK && b.len == 25 + 12 &&
         zkr_ibatch_output_decode(b.p, b.len, &first, &count, &od, &yp) == ZKR_OK &&
         first == 5 && count == 3 && od == 4 && memcmp(yp, y, 12) == 0;
    zkr_tap_ok(t, ok, "batch output: encodes to 25 + count x out_dim bytes and decodes back");
    for (size_t n = 0; n < b.len; n++)
        trunc += zkr_ibatch_output_decode(b.p, n, &first, &count, &od, &yp) == ZKR_ERR_MALFORMED;
    {
        /* One field at a time: magic, version, count 0, out_dim 0, first + count wrapping. */
        static const struct { size_t off; uint8_t v; } edits[] = {
            {0, 'z'}, {4, 2}, {4, 0}, {20, 0}, {13 + 7, 0}, {24, 0}};
        for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
            zkr_buf c = {0};
            if (zkr_buf_append(&c, b.p, b.len) != ZKR_OK)
                bad++;
            c.p[edits[e].off] = edits[e].v;
            if (edits[e].off == 13 + 7) /* count 0 */
                memset(c.p + 13, 0, 8);
            if (edits[e].off == 24) /* out_dim 0 */
                memset(c.p + 21, 0, 4);
            bad += zkr_ibatch_output_decode(c.p, c.len, &first, &count, &od, &yp) !=
                   ZKR_ERR_MALFORMED;
            zkr_buf_free(&c);
        }
        memset(b.p + 5, 0xff, 8); /* first = 2^64 - 1 */
        bad += zkr_ibatch_output_decode(b.p, b.len, &first, &count, &od, &yp) !=
               ZKR_ERR_MALFORMED;
        memset(b.p + 5, 0, 8);
        if (zkr_buf_append(&b, (const uint8_t *)"", 1) != ZKR_OK)
            bad++;
        bad += zkr_ibatch_output_decode(b.p, b.len, &first, &count, &od, &yp) !=
               ZKR_ERR_MALFORMED;
    }
    zkr_tap_ok(t, trunc == 37 && bad == 0,
               "batch output: every truncation (%d/37), a bad magic, version 0 and 2, count 0, "
               "out_dim 0, first + count past 2^64 and a trailing byte: refused (%d wrong)",
               trunc, bad);
    zkr_buf_free(&b);
    b.len = 0;
    zkr_tap_ok(t, zkr_ibatch_output_encode(0, 0, 4, y, &b) == ZKR_ERR_USAGE &&
                      zkr_ibatch_output_encode(UINT64_MAX, 1, 4, y, &b) == ZKR_ERR_USAGE &&
                      zkr_ibatch_output_encode(0, 200000, 10, y, &b) == ZKR_ERR_USAGE,
               "batch output: count 0, a wrapping range and 2 MB of logits not encodable");
    zkr_buf_free(&b);
}

/* The stated logits are native inference's, record by record. */
static int ib_native_ok(const ev_fixture *f, const zkr_dataset *ds, uint64_t first)
{
    uint64_t fo, count;
    uint32_t od;
    const int8_t *y;
    zkr_ml_trace tr = {0};
    zkr_diag d = {0};
    int ok = 1;

    if (zkr_ibatch_output_decode(f->output.p, f->output.len, &fo, &count, &od, &y) != ZKR_OK ||
        fo != first || zkr_ml_trace_init(&tr, zkr_ml_model_graph(f->m)) != ZKR_OK)
        return 0;
    for (uint64_t b = 0; b < count && ok; b++) {
        const uint8_t *x;
        uint8_t label;
        uint32_t L = tr.n_layers;
        if (zkr_ml_record_input(ds, first + b, zkr_ml_model_graph(f->m)->input_dim, &x, &label,
                                &d) != ZKR_OK ||
            zkr_ml_infer(f->m, x, zkr_ml_model_graph(f->m)->input_dim, &tr, &d) != ZKR_OK ||
            tr.dims[L - 1] != od || memcmp(tr.y[L - 1], y + b * od, od) != 0)
            ok = 0;
    }
    zkr_ml_trace_free(&tr);
    return ok;
}

static void test_completeness(zkr_tap *t)
{
    static const uint32_t archs[][6] = {
        {1, 1, 1}, {1, 5, 3}, {2, 12, 9, 5}, {3, 10, 7, 5, 3},
    };
    static const uint64_t counts[] = {1, 3, 9};
    int bad = 0, n = 0;

    for (size_t a = 0; a < sizeof archs / sizeof archs[0]; a++)
        for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
            ev_fixture f;
            zkr_dataset *ds;
            uint32_t nl = archs[a][0];
            zkr_err r, v = ZKR_ERR_INTERNAL;
            memset(&f, 0, sizeof f);
            ds = ev_dataset_make(t, tmpdir, "c", archs[a][1], 12, archs[a][nl + 1] + 1);
            ev_rmodel_make(t, &f.rm, archs[a] + 1, nl, ci == 2, 0);
            r = ib_prove(t, &f, ds, 12 - counts[ci], counts[ci], 1 + (unsigned)(ci & 1));
            if (r == ZKR_OK)
                v = ib_verify(&f, f.proof.p, f.proof.len, NULL);
            n++;
            if (r != ZKR_OK || v != ZKR_OK || !ib_native_ok(&f, ds, 12 - counts[ci])) {
                bad++;
                zkr_tap_diag("arch %zu count %llu: prove %d verify %d", a,
                             (unsigned long long)counts[ci], r, v);
            }
            ev_fixture_free(&f);
            zkr_dataset_free(ds);
        }
    zkr_tap_ok(t, bad == 0,
               "%d batches (1 to 3 layers, 1 to 9 records, padding, extreme models): proven, "
               "verified, every stated logit equal to native inference (%d bad)", n, bad);
}

static void test_bindings(zkr_tap *t)
{
    static const uint32_t dims[] = {12, 9, 5};
    ev_fixture f, g;
    zkr_dataset *ds, *ds2;
    zkr_verifier_evaluation_statement st;
    zkr_buf out = {0}, ev = {0}, evo = {0};
    zkr_diag d = {0};
    zkr_err r;

    memset(&f, 0, sizeof f);
    memset(&g, 0, sizeof g);
    ds = ev_dataset_make(t, tmpdir, "b", 12, 20, 5);
    ds2 = ev_dataset_make(t, tmpdir, "b2", 12, 20, 5);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    r = ib_prove(t, &f, ds, 0, 8, 1);
    zkr_tap_ok(t, r == ZKR_OK && ib_verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_OK,
               "records 0..7: the honest proof verifies");
    /* One output byte changed in the statement. */
    st = f.st;
    if (zkr_buf_append(&out, f.output.p, f.output.len) != ZKR_OK)
        return;
    out.p[out.len - 3] ^= 1;
    st.output = out.p;
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_OUTPUT,
               "one logit byte changed in the statement's output: MISMATCH_OUTPUT");
    out.p[out.len - 3] ^= 1;
    out.p[6] ^= 1; /* the output's first */
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_OUTPUT,
               "the output's record range changed: MISMATCH_OUTPUT");
    zkr_buf_free(&out);
    /* A proof for records 0..7 presented for 0..15. */
    g.m = f.m; /* borrowed for the 0..15 records only */
    g.im = f.im;
    if (ev_fixture_setup(t, &g, ds, 0, 16, 1) != ZKR_OK)
        zkr_tap_diag("setup 0..15");
    g.m = NULL;
    g.im = NULL;
    st = f.st;
    st.count = 16;
    st.records = g.records;
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_INPUT,
               "a proof for records 0..7 presented for 0..15: MISMATCH_INPUT");
    st = f.st;
    st.first = 1;
    st.records = g.records + g.bt.rec_len;
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_INPUT,
               "... presented for records 1..8: MISMATCH_INPUT");
    /* Another dataset, another model, another statement. */
    st = f.st;
    if (zkr_infer_dataset_commit(ds2, 0, (uint8_t[32]){0}, st.dataset_commitment, NULL, NULL) !=
        ZKR_OK)
        zkr_tap_diag("commit ds2");
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_DATASET,
               "the proof presented for another dataset: MISMATCH_DATASET");
    ev_rmodel_make(t, &g.rm, dims, 2, 0, 0);
    g.m = ev_rmodel_decode(&g.rm);
    st = f.st;
    if (!g.m || zkr_prover_infer_commit(&f.p, g.m, 1, &g.im, st.model_commitment, &d) != ZKR_OK)
        zkr_tap_diag("commit model 2");
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_MODEL,
               "the proof presented for another model of the program: MISMATCH_MODEL");
    st = f.st;
    st.statement_id[0] ^= 1;
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_STATEMENT,
               "the proof presented for another statement: MISMATCH_STATEMENT");
    st = f.st;
    st.program_digest[0] ^= 1;
    zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_PROGRAM,
               "... for another program: MISMATCH_PROGRAM");
    /* An evaluation@1 proof of the same range in its place, and the reverse. */
    r = zkr_prover_evaluation(&f.p, f.st.statement_id, f.im, &f.bt, ZKR_EVAL_MODE_EXACT, 0, 1,
                              &ev, &evo, NULL, &d);
    zkr_tap_ok(t, r == ZKR_OK && ib_verify(&f, ev.p, ev.len, NULL) == ZKR_ERR_MISMATCH_PARAMS,
               "an evaluation@1 proof presented as inference-batch@1: MISMATCH_PARAMS");
    st = f.st;
    st.output = evo.p;
    st.output_len = evo.len;
    zkr_tap_ok(t, zkr_verify_evaluation(f.proof.p, f.proof.len, &st, NULL, &d) ==
                      ZKR_ERR_MISMATCH_PARAMS,
               "the inference-batch@1 proof presented to the evaluation@1 verifier: "
               "MISMATCH_PARAMS");
    zkr_buf_free(&ev);
    zkr_buf_free(&evo);
    free(g.records);
    g.records = NULL;
    ev_fixture_free(&g);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
    zkr_dataset_free(ds2);
}

static void test_tamper(zkr_tap *t)
{
    static const uint32_t dims[] = {10, 7, 4};
    ev_fixture f;
    zkr_dataset *ds;
    zkr_proof_view v;
    zkr_diag d = {0};
    int sec_ok = 0, trunc = 0, tried = 0;

    memset(&f, 0, sizeof f);
    ds = ev_dataset_make(t, tmpdir, "t", 10, 9, 4);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    if (ib_prove(t, &f, ds, 2, 5, 1) != ZKR_OK ||
        zkr_proof_parse(f.proof.p, f.proof.len, &v, &d) != ZKR_OK || v.n_sections != 5) {
        zkr_tap_ok(t, 0, "tamper: honest proof");
        return;
    }
    /* Three bytes of each section (first, middle, last), one at a time. */
    for (size_t s = 0; s < v.n_sections; s++) {
        size_t off = (size_t)(v.body[s] - f.proof.p);
        size_t at[3] = {off, off + v.len[s] / 2, off + v.len[s] - 1};
        int all = 1;
        for (int k = 0; k < 3; k++) {
            f.proof.p[at[k]] ^= 0x10;
            all &= ib_verify(&f, f.proof.p, f.proof.len, NULL) != ZKR_OK;
            f.proof.p[at[k]] ^= 0x10;
        }
        sec_ok += all;
    }
    zkr_tap_ok(t, sec_ok == 5,
               "a byte flipped at the start, middle and end of each of the 5 sections "
               "(statement, roots, LogUp, body, openings): refused (%d/5 sections)", sec_ok);
    for (size_t n = 0; n < f.proof.len; n += 1 + f.proof.len / 97) {
        tried++;
        trunc += ib_verify(&f, f.proof.p, n, NULL) != ZKR_OK;
    }
    zkr_tap_ok(t, trunc == tried, "truncations at %d lengths: refused (%d)", tried, trunc);
    if (zkr_buf_append(&f.proof, (const uint8_t *)"", 1) == ZKR_OK)
        zkr_tap_ok(t, ib_verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_ERR_MALFORMED,
                   "a trailing byte: MALFORMED");
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

static void test_determinism(zkr_tap *t)
{
    static const uint32_t dims[] = {12, 16, 10};
    ev_fixture a, b;
    zkr_dataset *ds;
    uint64_t seed_state;
    int same = 1;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ds = ev_dataset_make(t, tmpdir, "d", 12, 11, 10);
    ev_rmodel_make(t, &a.rm, dims, 2, 0, 0);
    seed_state = t->rng;
    (void)ib_prove(t, &a, ds, 1, 9, 1);
    b.m = a.m;
    b.im = a.im;
    for (unsigned threads = 1; threads <= 3; threads++) {
        t->rng = seed_state;
        (void)ib_prove(t, &b, ds, 1, 9, threads);
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

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300];
    int rc;

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-test-ibatch-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    test_codec(&t);
    test_completeness(&t);
    test_bindings(&t);
    test_tamper(&t);
    test_determinism(&t);
    rc = zkr_tap_done(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
