/*
 * inference@1 end to end at the API level (prover/inference.c,
 * verifier/inference.c, zk/infer.c):
 * - completeness over architectures of 1 to 4 dense layers, widths 1..512;
 * - bit-exactness: the values the prover commits to equal native
 *   inference (zkr_ml_infer) for many seeded random models and inputs;
 * - every binding mismatch is rejected with its own error code; a proof for
 *   one record presented for another, for another model or another
 *   statement is rejected;
 * - tampering: bit flips sampled over the whole proof, truncation at every
 *   length, trailing bytes: never accepted, never a crash;
 * - cheating provers (test builds): a wrong output, a wrong accumulator,
 *   a witness for another input all fail the mathematics;
 * - determinism: same inputs (and any thread count) give the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

typedef struct {
    zkr_ml_graph g;
    int8_t *w[ZKR_ML_MAX_LAYERS];
    int32_t *bias[ZKR_ML_MAX_LAYERS];
    uint32_t *mult[ZKR_ML_MAX_LAYERS];
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
} rmodel;

static int64_t rnd(zkr_tap *t, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(zkr_tap_rand(t) % (uint64_t)(hi - lo + 1));
}

static void rmodel_free(rmodel *m)
{
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(m->w[l]);
        free(m->bias[l]);
        free(m->mult[l]);
    }
    memset(m, 0, sizeof *m);
}

/*
 * A random model with the given widths (dims[0] = input). extreme: weights,
 * biases, multipliers and shifts at their bounds (saturating clamps, s = 1
 * and s = 48, the widest remainders and overflows).
 */
static void rmodel_make(zkr_tap *t, rmodel *m, const uint32_t *dims, uint32_t n_layers,
                        int extreme)
{
    memset(m, 0, sizeof *m);
    m->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    m->g.input_dim = dims[0];
    m->g.n_layers = n_layers;
    for (uint32_t l = 0; l < n_layers; l++) {
        zkr_ml_layer_desc *L = &m->g.layers[l];
        uint32_t s;
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)(l + 1 < n_layers ? rnd(t, 0, 3) != 0 : rnd(t, 0, 1));
        L->in_dim = dims[l];
        L->out_dim = dims[l + 1];
        m->w[l] = malloc((size_t)L->in_dim * L->out_dim);
        m->bias[l] = malloc(L->out_dim * sizeof(int32_t));
        m->mult[l] = malloc(L->out_dim * sizeof(uint32_t));
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            m->w[l][i] = (int8_t)(extreme ? (rnd(t, 0, 1) ? 127 : -127) : rnd(t, -127, 127));
        s = (uint32_t)(extreme ? (rnd(t, 0, 2) == 0 ? 1 : rnd(t, 0, 1) ? 48 : rnd(t, 1, 48))
                               : rnd(t, 12, 30));
        m->q[l].shift = s;
        for (uint32_t j = 0; j < L->out_dim; j++) {
            m->bias[l][j] = (int32_t)(extreme ? (rnd(t, 0, 1) ? ZKR_ML_BIAS_MAX : -ZKR_ML_BIAS_MAX)
                                              : rnd(t, -20000, 20000));
            m->mult[l][j] = (uint32_t)(extreme ? rnd(t, 0, ZKR_ML_MULT_LIMIT - 1)
                                               : rnd(t, 0, ((int64_t)1 << (s - 6)) / L->in_dim + 1));
        }
        m->q[l].w = m->w[l];
        m->q[l].bias = m->bias[l];
        m->q[l].mult = m->mult[l];
    }
}

static zkr_ml_model *rmodel_decode(const rmodel *m)
{
    zkr_buf b = {0};
    zkr_ml_model *out = NULL;
    zkr_diag d = {0};

    if (zkr_ml_model_encode(&m->g, m->q, &b, &d) != ZKR_OK ||
        zkr_ml_model_decode(b.p, b.len, &out, &d) != ZKR_OK)
        out = NULL;
    zkr_buf_free(&b);
    return out;
}

/* An IDX dataset of n records of `dim` bytes (rows 1) plus labels, in dir. */
static zkr_dataset *dataset_make(zkr_tap *t, const char *dir, const char *tag, uint32_t dim,
                                 uint32_t n)
{
    char ip[512], lp[512];
    uint8_t hdr[16];
    FILE *f;
    zkr_dataset *ds = NULL;
    zkr_diag d = {0};

    snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte", dir, tag);
    snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte", dir, tag);
    if (!(f = fopen(ip, "wb")))
        return NULL;
    zkr_store_be32(hdr, 0x803);
    zkr_store_be32(hdr + 4, n);
    zkr_store_be32(hdr + 8, 1);
    zkr_store_be32(hdr + 12, dim);
    fwrite(hdr, 1, 16, f);
    for (uint64_t i = 0; i < (uint64_t)n * dim; i++)
        fputc((int)(zkr_tap_rand(t) & 0xff), f);
    fclose(f);
    if (!(f = fopen(lp, "wb")))
        return NULL;
    zkr_store_be32(hdr, 0x801);
    zkr_store_be32(hdr + 4, n);
    fwrite(hdr, 1, 8, f);
    for (uint32_t i = 0; i < n; i++)
        fputc((int)(zkr_tap_rand(t) % 10), f);
    fclose(f);
    if (zkr_dataset_open(ip, &ds, &d) != ZKR_OK)
        zkr_tap_diag("dataset_open: %s", d.msg);
    return ds;
}

/* Everything one proof needs and the registered statement it answers. */
typedef struct {
    rmodel rm;
    zkr_ml_model *m;
    zkr_infer_model *im;
    zkr_dataset *ds;
    zkr_params p;
    zkr_buf proof, output;
    zkr_verifier_inference_statement st;
} fixture;

static void fixture_free(fixture *f)
{
    zkr_infer_model_free(f->im);
    zkr_ml_model_free(f->m);
    rmodel_free(&f->rm);
    zkr_buf_free(&f->proof);
    zkr_buf_free(&f->output);
    memset(f, 0, sizeof *f);
}

static zkr_err fixture_prove(zkr_tap *t, fixture *f, zkr_dataset *ds, uint64_t index,
                             unsigned threads)
{
    uint8_t root[32];
    zkr_diag d = {0};
    zkr_err r;

    f->ds = ds;
    if (zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    if (!f->im) {
        if (!(f->m = rmodel_decode(&f->rm)))
            return ZKR_ERR_INTERNAL;
        if ((r = zkr_prover_infer_commit(&f->p, f->m, threads, &f->im, f->st.model_commitment,
                                         &d)) != ZKR_OK) {
            zkr_tap_diag("commit: %s", d.msg);
            return r;
        }
    }
    for (int i = 0; i < 32; i++)
        f->st.statement_id[i] = (uint8_t)zkr_tap_rand(t);
    f->st.param_set = ZKR_PARAM_SET_128;
    zkr_ml_model_program_digest(f->m, f->st.program_digest);
    if ((r = zkr_infer_dataset_commit(ds, 0, root, f->st.dataset_commitment, NULL, NULL)) != ZKR_OK)
        return r;
    f->st.record_index = index;
    r = zkr_prover_inference(&f->p, f->st.statement_id, f->im, ds, index, threads, &f->proof,
                             &f->output, &d);
    if (r != ZKR_OK)
        zkr_tap_diag("prove: %s", d.msg);
    f->st.output = f->output.p;
    f->st.output_len = f->output.len;
    return r;
}

static zkr_err verify(const fixture *f, const uint8_t *p, size_t len,
                      const zkr_verifier_inference_statement *st)
{
    zkr_diag d = {0};
    return zkr_verify_inference(p, len, st ? st : &f->st, &d);
}

static char tmpdir[256];

static void test_completeness(zkr_tap *t)
{
    static const uint32_t archs[][6] = {
        /* n_layers, dims... */
        {1, 1, 1},          {1, 7, 1},          {1, 3, 5},           {2, 8, 3, 2},
        {2, 16, 16, 16},    {3, 10, 7, 5, 3},   {4, 9, 6, 4, 3, 2},  {4, 33, 17, 9, 5, 10},
        {2, 64, 512, 1},    {2, 512, 32, 10},   {3, 20, 128, 64, 10}, {2, 784, 128, 10},
    };
    for (size_t a = 0; a < sizeof archs / sizeof archs[0]; a++) {
        fixture f;
        zkr_dataset *ds;
        uint32_t nl = archs[a][0];
        zkr_err r, v = ZKR_ERR_INTERNAL;
        memset(&f, 0, sizeof f);
        ds = dataset_make(t, tmpdir, "c", archs[a][1], 3);
        rmodel_make(t, &f.rm, archs[a] + 1, nl, 0);
        r = fixture_prove(t, &f, ds, 2, 2);
        if (r == ZKR_OK)
            v = verify(&f, f.proof.p, f.proof.len, NULL);
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_OK,
                   "%u layers, input %u, last width %u: proves (%zu bytes) and verifies (%d/%d)",
                   nl, archs[a][1], archs[a][nl + 1], f.proof.len, r, v);
        fixture_free(&f);
        zkr_dataset_free(ds);
    }
    /* Extremes: shifts 1 and 48, saturated clamps, the largest accumulators. */
    {
        int bad = 0;
        for (int i = 0; i < 12; i++) {
            uint32_t dims[5] = {(uint32_t)rnd(t, 1, 24), (uint32_t)rnd(t, 1, 24),
                                (uint32_t)rnd(t, 1, 24), (uint32_t)rnd(t, 1, 24),
                                (uint32_t)rnd(t, 1, 24)};
            uint32_t nl = (uint32_t)rnd(t, 1, 4);
            fixture f;
            zkr_dataset *ds = dataset_make(t, tmpdir, "e", dims[0], 2);
            memset(&f, 0, sizeof f);
            rmodel_make(t, &f.rm, dims, nl, 1);
            if (fixture_prove(t, &f, ds, 1, 1) != ZKR_OK ||
                verify(&f, f.proof.p, f.proof.len, NULL) != ZKR_OK)
                bad++;
            fixture_free(&f);
            zkr_dataset_free(ds);
        }
        zkr_tap_ok(t, bad == 0, "12 models at the bounds (s = 1/48, saturation): all prove and verify (%d failed)", bad);
    }
}

static void test_bit_exact(zkr_tap *t)
{
    int bad = 0, n = 0;
    zkr_params p;

    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return;
    for (int i = 0; i < 40; i++) {
        uint32_t nl = (uint32_t)rnd(t, 1, 4), dims[5];
        rmodel rm;
        zkr_ml_model *m;
        zkr_infer_model *im = NULL;
        uint8_t mc[32];
        zkr_diag d = {0};
        for (int k = 0; k < 5; k++)
            dims[k] = (uint32_t)rnd(t, 1, 40);
        rmodel_make(t, &rm, dims, nl, i % 4 == 3);
        m = rmodel_decode(&rm);
        if (!m || zkr_prover_infer_commit(&p, m, 1, &im, mc, &d) != ZKR_OK) {
            bad++;
            goto next;
        }
        for (int x = 0; x < 5; x++) {
            uint8_t in[64];
            zkr_ml_trace tr;
            zkr_infer_values v;
            for (uint32_t k = 0; k < dims[0]; k++)
                in[k] = (uint8_t)(x == 0 ? 255 : x == 1 ? 0 : zkr_tap_rand(t));
            if (zkr_ml_trace_init(&tr, zkr_ml_model_graph(m)) != ZKR_OK ||
                zkr_ml_infer(m, in, dims[0], &tr, &d) != ZKR_OK ||
                zkr_prover_infer_values(im, in, dims[0], &v, &d) != ZKR_OK) {
                bad++;
                zkr_ml_trace_free(&tr);
                continue;
            }
            n++;
            for (uint32_t l = 0; l < nl; l++)
                for (uint32_t j = 0; j < dims[l + 1]; j++) {
                    int64_t s = rm.q[l].shift;
                    if (v.acc[l][j] != tr.acc[l][j] || v.q[l][j] != tr.q[l][j] ||
                        v.y[l][j] != tr.y[l][j] || v.r[l][j] < 0 || v.r[l][j] >= ((int64_t)1 << s) ||
                        (__int128)tr.acc[l][j] * rm.mult[l][j] + ((int64_t)1 << (s - 1)) !=
                            (__int128)v.q[l][j] * ((int64_t)1 << s) + v.r[l][j]) {
                        bad++;
                        l = nl;
                        break;
                    }
                }
            zkr_infer_values_free(&v);
            zkr_ml_trace_free(&tr);
        }
    next:
        zkr_infer_model_free(im);
        zkr_ml_model_free(m);
        rmodel_free(&rm);
    }
    zkr_tap_ok(t, bad == 0 && n == 200,
               "40 random models x 5 inputs: committed acc, q, r, y equal native inference (%d bad of %d)",
               bad, n);
}

static void test_bindings(zkr_tap *t)
{
    static const uint32_t dims[] = {12, 9, 5};
    fixture f, g;
    zkr_dataset *ds = dataset_make(t, tmpdir, "b", 12, 5);
    zkr_dataset *ds2 = dataset_make(t, tmpdir, "b2", 12, 5);
    zkr_verifier_inference_statement st;
    zkr_err r;

    memset(&f, 0, sizeof f);
    memset(&g, 0, sizeof g);
    rmodel_make(t, &f.rm, dims, 2, 0);
    r = fixture_prove(t, &f, ds, 3, 2);
    zkr_tap_ok(t, r == ZKR_OK && verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_OK,
               "binding fixture proves and verifies");
#define MISMATCH(field_code, expect, what)                                                    \
    do {                                                                                       \
        st = f.st;                                                                             \
        field_code;                                                                            \
        r = verify(&f, f.proof.p, f.proof.len, &st);                                           \
        zkr_tap_ok(t, r == (expect), "%s rejected with %s (got %d)", what, #expect, r);        \
    } while (0)
    MISMATCH(st.statement_id[5] ^= 1, ZKR_ERR_MISMATCH_STATEMENT, "another statement_id");
    MISMATCH(st.param_set = 2, ZKR_ERR_MISMATCH_PARAMS, "another parameter set");
    MISMATCH(st.program_digest[0] ^= 0x80, ZKR_ERR_MISMATCH_PROGRAM, "another program");
    MISMATCH(st.model_commitment[31] ^= 1, ZKR_ERR_MISMATCH_MODEL, "another model commitment");
    MISMATCH(st.dataset_commitment[7] ^= 4, ZKR_ERR_MISMATCH_DATASET, "another dataset commitment");
    MISMATCH(st.record_index = 2, ZKR_ERR_MISMATCH_INPUT, "another record index");
    {
        uint8_t out[64];
        memcpy(out, f.output.p, f.output.len);
        out[4] ^= 1;
        MISMATCH((st.output = out), ZKR_ERR_MISMATCH_OUTPUT, "another public output (one logit)");
    }
    {
        uint8_t out[64];
        memcpy(out, f.output.p, f.output.len);
        out[f.output.len - 1] ^= 1;
        MISMATCH((st.output = out), ZKR_ERR_MISMATCH_OUTPUT, "another public output (argmax)");
    }
    /* The same model on another dataset; another model for the same program. */
    {
        uint8_t root[32];
        st = f.st;
        if (zkr_infer_dataset_commit(ds2, 0, root, st.dataset_commitment, NULL, NULL) == ZKR_OK)
            r = verify(&f, f.proof.p, f.proof.len, &st);
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_DATASET, "proof checked against a second dataset: MISMATCH_DATASET (%d)", r);
    }
    rmodel_make(t, &g.rm, dims, 2, 0);
    g.rm.g = f.rm.g; /* same program */
    r = fixture_prove(t, &g, ds, 3, 1);
    st = f.st;
    memcpy(st.model_commitment, g.st.model_commitment, 32);
    zkr_tap_ok(t, r == ZKR_OK && verify(&f, f.proof.p, f.proof.len, &st) == ZKR_ERR_MISMATCH_MODEL,
               "proof of model A checked against model B of the same program: MISMATCH_MODEL");
    /* Record i's proof presented for record j (statement j with j's own output). */
    {
        fixture h;
        memset(&h, 0, sizeof h);
        h.rm = f.rm;
        h.m = f.m;
        h.im = f.im;
        memcpy(h.st.model_commitment, f.st.model_commitment, 32);
        r = fixture_prove(t, &h, ds, 1, 1);
        st = h.st; /* statement for record 1, its true output */
        memcpy(st.statement_id, f.st.statement_id, 32);
        r = verify(&f, f.proof.p, f.proof.len, &st);
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_INPUT || r == ZKR_ERR_MISMATCH_OUTPUT,
                   "proof for record 3 presented for record 1: rejected as a mismatch (%d)", r);
        st.record_index = 3;
        st.output = f.st.output;
        st.output_len = f.st.output_len;
        zkr_tap_ok(t, verify(&f, f.proof.p, f.proof.len, &st) == ZKR_OK,
                   "... and accepted for its own record (control)");
        zkr_buf_free(&h.proof);
        zkr_buf_free(&h.output);
    }
    /* A proof for statement A with its header rewritten to B fails the mathematics. */
    {
        uint8_t *cp = malloc(f.proof.len);
        memcpy(cp, f.proof.p, f.proof.len);
        /* statement_id sits after magic(8) + 4 u32 fields. */
        cp[8 + 16] ^= 1;
        st = f.st;
        st.statement_id[0] ^= 1;
        r = verify(&f, cp, f.proof.len, &st);
        zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "header rewritten to another statement_id: ZKR_ERR_VERIFY (%d)", r);
        free(cp);
    }
    fixture_free(&g);
    fixture_free(&f);
    zkr_dataset_free(ds);
    zkr_dataset_free(ds2);
}

static void test_tamper(zkr_tap *t)
{
    static const uint32_t dims[] = {6, 4, 3};
    fixture f;
    zkr_dataset *ds = dataset_make(t, tmpdir, "t", 6, 3);
    int accepted = 0, crashed = 0, math = 0;
    uint8_t *cp;
    zkr_err r;

    memset(&f, 0, sizeof f);
    rmodel_make(t, &f.rm, dims, 2, 0);
    r = fixture_prove(t, &f, ds, 0, 1);
    zkr_tap_ok(t, r == ZKR_OK && verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_OK,
               "tamper fixture verifies (%zu bytes)", f.proof.len);
    cp = malloc(f.proof.len + 1);
    /* Bit flips: every byte of the header and statement, then a sample of the rest. */
    for (int i = 0; i < 1500; i++) {
        size_t pos = i < 600 ? (size_t)i % f.proof.len : (size_t)(zkr_tap_rand(t) % f.proof.len);
        memcpy(cp, f.proof.p, f.proof.len);
        cp[pos] ^= (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        r = verify(&f, cp, f.proof.len, NULL);
        accepted += r == ZKR_OK;
        math += r == ZKR_ERR_VERIFY;
        crashed += r == ZKR_ERR_INTERNAL;
    }
    zkr_tap_ok(t, accepted == 0 && crashed == 0,
               "1500 single-bit flips over the whole proof: none accepted (%d), %d failed the mathematics",
               accepted, math);
    accepted = 0;
    for (size_t len = 0; len < f.proof.len; len++)
        accepted += verify(&f, f.proof.p, len, NULL) == ZKR_OK;
    zkr_tap_ok(t, accepted == 0, "truncation at every length 0..%zu: none accepted", f.proof.len - 1);
    memcpy(cp, f.proof.p, f.proof.len);
    cp[f.proof.len] = 0;
    zkr_tap_ok(t, verify(&f, cp, f.proof.len + 1, NULL) == ZKR_ERR_MALFORMED,
               "a trailing byte: ZKR_ERR_MALFORMED");
    free(cp);
    fixture_free(&f);
    zkr_dataset_free(ds);
}

#if ZKR_TEST_BUILD
/* A cheating prover's proofs (wrong output, wrong accumulator, another input) fail the math. */
static void test_forged(zkr_tap *t)
{
    static const uint32_t one[] = {10, 6}, two[] = {10, 6, 4};
    static const char *what[] = {"", "a changed output (witness and public output)",
                                 "an accumulator off by one, requantized consistently",
                                 "a witness computed on another input than record i"};
    zkr_dataset *ds = dataset_make(t, tmpdir, "f", 10, 4);

    for (unsigned forge = 1; forge <= 3; forge++) {
        fixture f;
        zkr_infer_record rec;
        uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], comm[32];
        zkr_buf proof = {0}, out = {0};
        zkr_diag d = {0};
        zkr_err r = ZKR_ERR_INTERNAL, v = ZKR_ERR_INTERNAL;
        memset(&f, 0, sizeof f);
        memset(&rec, 0, sizeof rec);
        rmodel_make(t, &f.rm, forge == 2 ? one : two, forge == 2 ? 1 : 2, 0);
        if (fixture_prove(t, &f, ds, 2, 1) == ZKR_OK) {
            rec.index = 2;
            rec.n_records = zkr_dataset_count(ds);
            if (zkr_infer_dataset_commit(ds, 2, rec.root, comm, path, &rec.path_len) == ZKR_OK &&
                zkr_dataset_record(ds, 2, &rec.record, &rec.record_len) == ZKR_OK) {
                zkr_verifier_inference_statement st = f.st;
                rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
                r = zkr_prover_inference_forged(&f.p, f.st.statement_id, f.im, &rec, forge, &proof,
                                                &out, &d);
                st.output = out.p; /* the statement claims what the cheater claims */
                st.output_len = out.len;
                if (r == ZKR_OK)
                    v = verify(&f, proof.p, proof.len, &st);
            }
        }
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_ERR_VERIFY,
                   "forged proof with %s: ZKR_ERR_VERIFY (prove %d, verify %d)", what[forge], r, v);
        zkr_buf_free(&proof);
        zkr_buf_free(&out);
        fixture_free(&f);
    }
    zkr_dataset_free(ds);
}
#endif

static void test_determinism(zkr_tap *t)
{
    static const uint32_t dims[] = {40, 24, 10};
    fixture a, b;
    zkr_dataset *ds = dataset_make(t, tmpdir, "d", 40, 4);
    uint64_t seed_state;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    rmodel_make(t, &a.rm, dims, 2, 0);
    seed_state = t->rng;
    (void)fixture_prove(t, &a, ds, 2, 1);
    b.rm = a.rm;
    b.m = a.m;
    b.im = a.im;
    t->rng = seed_state; /* same statement_id */
    (void)fixture_prove(t, &b, ds, 2, 2);
    zkr_tap_ok(t, a.proof.len > 0 && a.proof.len == b.proof.len &&
                      memcmp(a.proof.p, b.proof.p, a.proof.len) == 0,
               "same statement, 1 and 2 threads: byte-identical proofs (%zu bytes)", a.proof.len);
    {
        zkr_infer_model *im2 = NULL;
        uint8_t mc[32];
        zkr_diag d = {0};
        zkr_tap_ok(t, zkr_prover_infer_commit(&a.p, a.m, 2, &im2, mc, &d) == ZKR_OK &&
                          memcmp(mc, a.st.model_commitment, 32) == 0,
                   "model commitment is deterministic");
        zkr_infer_model_free(im2);
    }
    zkr_buf_free(&b.proof);
    zkr_buf_free(&b.output);
    fixture_free(&a);
    zkr_dataset_free(ds);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300];
    int rc;

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-test-infer-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    test_bit_exact(&t);
    test_completeness(&t);
    test_bindings(&t);
    test_tamper(&t);
#if ZKR_TEST_BUILD
    test_forged(&t);
#endif
    test_determinism(&t);
    rc = zkr_tap_done(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
