/*
 * training-step@1: completeness on small MLPs (2 and 3 layers, batch 1..5),
 * determinism across runs and thread counts, every binding mismatch with
 * its error, a child trained on one other record, a child with one weight
 * changed by one unit (the prover refuses; a proof for the honest child
 * presented for the altered one fails), bit flips, truncation at every
 * length and trailing bytes. Models come from zkr_ml_tmodel_init; the
 * dataset is built here with real record commitments and RFC 6962 paths.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define N_REC 24u

typedef struct {
    zkr_params p;
    uint32_t dims[4];
    size_t n_dims;
    uint8_t recs[N_REC][64];
    size_t rec_len;
    uint8_t leaves[N_REC][ZKR_DIGEST_BYTES];
    uint8_t root[ZKR_DIGEST_BYTES], dcomm[ZKR_DIGEST_BYTES];
    uint8_t paths[ZKR_TRAIN_MAX_BATCH][ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_infer_record rec[ZKR_TRAIN_MAX_BATCH];
    zkr_ml_tmodel *parent, *child;
    zkr_train_model *tp, *tc;
    uint8_t pcomm[ZKR_DIGEST_BYTES], ccomm[ZKR_DIGEST_BYTES];
    uint64_t idx[ZKR_TRAIN_MAX_BATCH];
    uint32_t batch;
    zkr_ml_tstep_params sp;
    zkr_train_statement st;
} fixture;

static void make_dataset(zkr_tap *t, fixture *f)
{
    uint32_t in = f->dims[0], nout = f->dims[f->n_dims - 1];

    f->rec_len = in + 1;
    for (uint32_t i = 0; i < N_REC; i++) {
        for (uint32_t k = 0; k < in; k++)
            f->recs[i][k] = (uint8_t)zkr_tap_rand(t);
        f->recs[i][in] = (uint8_t)(zkr_tap_rand(t) % nout);
        /* The leaf is the record commitment itself (zkr_infer_dataset_commit). */
        zkr_infer_record_commitment(f->recs[i], f->rec_len, f->leaves[i]);
    }
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, N_REC, f->root) != ZKR_OK)
        abort();
    zkr_infer_dataset_commitment(N_REC, f->root, f->dcomm);
}

/* Fills the batch records for indices idx[0..batch). */
static void make_batch(fixture *f)
{
    for (uint32_t i = 0; i < f->batch; i++) {
        size_t pl = 0;
        zkr_infer_record *r = &f->rec[i];
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, N_REC,
                                       f->idx[i], f->paths[i], &pl) != ZKR_OK)
            abort();
        memset(r, 0, sizeof *r);
        r->index = f->idx[i];
        r->n_records = N_REC;
        memcpy(r->root, f->root, ZKR_DIGEST_BYTES);
        r->record = f->recs[f->idx[i]];
        r->record_len = f->rec_len;
        r->path = (const uint8_t(*)[ZKR_DIGEST_BYTES])f->paths[i];
        r->path_len = pl;
    }
}

/* Trains the child of parent on the batch natively. */
static zkr_err train_child(const fixture *f, const zkr_ml_tmodel *parent, const uint64_t *idx,
                           zkr_buf *child)
{
    uint32_t in = f->dims[0];
    uint8_t inputs[ZKR_TRAIN_MAX_BATCH * 64], labels[ZKR_TRAIN_MAX_BATCH];

    for (uint32_t i = 0; i < f->batch; i++) {
        memcpy(inputs + (size_t)i * in, f->recs[idx[i]], in);
        labels[i] = f->recs[idx[i]][in];
    }
    return zkr_ml_train_step(parent, inputs, (size_t)f->batch * in, labels, f->batch, &f->sp, child,
                             NULL, NULL);
}

static int setup(zkr_tap *t, fixture *f, const uint32_t *dims, size_t n_dims, uint32_t batch)
{
    zkr_ml_graph g;
    zkr_buf b = {0};
    uint8_t seed[32] = {7};
    int ok = 1;

    memset(f, 0, sizeof *f);
    if (zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        abort();
    memcpy(f->dims, dims, n_dims * sizeof *dims);
    f->n_dims = n_dims;
    f->batch = batch;
    f->sp.lr = 200;
    f->sp.shift = 12;
    make_dataset(t, f);
    for (uint32_t i = 0; i < batch; i++)
        f->idx[i] = (3 + 5 * (uint64_t)i) % N_REC;
    make_batch(f);
    ok &= zkr_ml_tprogram_make(dims, n_dims, &g, NULL) == ZKR_OK;
    ok &= zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK;
    ok &= zkr_ml_tmodel_decode(b.p, b.len, &f->parent, NULL) == ZKR_OK;
    ok &= train_child(f, f->parent, f->idx, &b) == ZKR_OK;
    ok &= zkr_ml_tmodel_decode(b.p, b.len, &f->child, NULL) == ZKR_OK;
    zkr_buf_free(&b);
    ok &= zkr_prover_train_commit(&f->p, f->parent, 2, &f->tp, f->pcomm, NULL) == ZKR_OK;
    ok &= zkr_prover_train_commit(&f->p, f->child, 2, &f->tc, f->ccomm, NULL) == ZKR_OK;
    for (int i = 0; i < 32; i++)
        f->st.statement_id[i] = (uint8_t)(0x40 + i);
    zkr_ml_tmodel_program_digest(f->parent, f->st.program_digest);
    memcpy(f->st.parent_commitment, f->pcomm, 32);
    memcpy(f->st.child_commitment, f->ccomm, 32);
    memcpy(f->st.dataset_commitment, f->dcomm, 32);
    f->st.indices = f->idx;
    f->st.batch = batch;
    f->st.lr = f->sp.lr;
    f->st.shift = f->sp.shift;
    f->st.steps = 1;
    return ok;
}

static void teardown(fixture *f)
{
    zkr_train_model_free(f->tp);
    zkr_train_model_free(f->tc);
    zkr_ml_tmodel_free(f->parent);
    zkr_ml_tmodel_free(f->child);
}

static zkr_err prove(fixture *f, unsigned threads, zkr_buf *proof)
{
    return zkr_prover_train_step(&f->p, f->st.statement_id, f->tp, f->tc, f->rec, f->batch, &f->sp,
                                 threads, proof, NULL);
}

static zkr_err verify(const fixture *f, const zkr_train_statement *st, const zkr_buf *proof)
{
    return zkr_verify_train_step(&f->p, st, proof->p, proof->len, NULL);
}

static void test_bindings(zkr_tap *t, fixture *f, const zkr_buf *proof)
{
    zkr_train_statement st;
    uint64_t idx[ZKR_TRAIN_MAX_BATCH];

#define TWIN(field_change, want, what)                                                            \
    do {                                                                                         \
        st = f->st;                                                                              \
        memcpy(idx, f->idx, sizeof idx);                                                         \
        st.indices = idx;                                                                        \
        field_change;                                                                            \
        zkr_err got_ = verify(f, &st, proof);                                                    \
        zkr_tap_ok(t, got_ == (want), "%s: %s (got %d)", what, zkr_strerror(want), (int)got_);   \
    } while (0)
    TWIN(st.parent_commitment[0] ^= 1, ZKR_ERR_MISMATCH_MODEL, "another parent");
    TWIN(st.child_commitment[5] ^= 1, ZKR_ERR_MISMATCH_MODEL, "another child");
    TWIN(st.dataset_commitment[9] ^= 1, ZKR_ERR_MISMATCH_DATASET, "another dataset");
    TWIN(idx[0] = (idx[0] + 1) % N_REC, ZKR_ERR_MISMATCH_INPUT, "another batch index");
    TWIN(st.lr = f->st.lr + 1, ZKR_ERR_MISMATCH_PARAMS, "another lr");
    TWIN(st.shift = f->st.shift - 1, ZKR_ERR_MISMATCH_PARAMS, "another shift");
    TWIN(st.steps = 2, ZKR_ERR_MISMATCH_PARAMS, "another step count");
    TWIN(st.statement_id[31] ^= 1, ZKR_ERR_MISMATCH_STATEMENT, "another statement_id");
    TWIN(st.program_digest[3] ^= 1, ZKR_ERR_MISMATCH_PROGRAM, "another program");
    TWIN(st.batch = f->st.batch + 1, ZKR_ERR_MISMATCH_INPUT, "another batch size");
#undef TWIN
}

/* A child trained on one other record, and a child with one weight changed by one unit. */
static void test_wrong_children(zkr_tap *t, fixture *f, const zkr_buf *honest)
{
    uint64_t idx[ZKR_TRAIN_MAX_BATCH];
    zkr_buf b = {0}, proof = {0};
    zkr_ml_tmodel *other = NULL;
    zkr_train_model *to = NULL;
    zkr_train_statement st = f->st;
    uint8_t comm[32];

    memcpy(idx, f->idx, sizeof idx);
    /*
     * Another record can give the same child (e.g. every hidden unit dead on
     * both and the same label); pick the first one whose child differs.
     */
    {
        const uint8_t *cp;
        size_t cl;
        zkr_ml_tmodel_bytes(f->child, &cp, &cl);
        for (uint32_t k = 1; k < N_REC; k++) {
            idx[f->batch - 1] = (f->idx[f->batch - 1] + k) % N_REC;
            if (train_child(f, f->parent, idx, &b) == ZKR_OK && (b.len != cl || memcmp(b.p, cp, cl) != 0))
                break;
        }
    }
    if (zkr_ml_tmodel_decode(b.p, b.len, &other, NULL) == ZKR_OK &&
        zkr_prover_train_commit(&f->p, other, 1, &to, comm, NULL) == ZKR_OK) {
        zkr_err r = zkr_prover_train_step(&f->p, f->st.statement_id, f->tp, to, f->rec, f->batch,
                                          &f->sp, 1, &proof, NULL);
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_MODEL && proof.len == 0,
                   "a child trained on one other record: the prover refuses (%d)", (int)r);
        memcpy(st.child_commitment, comm, 32);
        r = verify(f, &st, honest);
        zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_MODEL,
                   "the honest proof presented for the other-record child is refused (%d)", (int)r);
    } else {
        zkr_tap_ok(t, 0, "could not train the other-record child");
    }
    zkr_train_model_free(to);
    zkr_ml_tmodel_free(other);
    other = NULL;
    to = NULL;
    {
        const zkr_ml_graph *g = zkr_ml_tmodel_graph(f->child);
        const int32_t *w[ZKR_ML_MAX_LAYERS];
        int32_t *w0 = NULL;
        size_t n0 = (size_t)g->layers[0].out_dim * (g->layers[0].in_dim + 1);
        for (uint32_t l = 0; l < g->n_layers; l++)
            w[l] = zkr_ml_tmodel_weights(f->child, l);
        w0 = malloc(n0 * sizeof *w0);
        memcpy(w0, w[0], n0 * sizeof *w0);
        w0[n0 / 2] += 1;
        w[0] = w0;
        if (zkr_ml_tmodel_encode(g, w, &b, NULL) == ZKR_OK &&
            zkr_ml_tmodel_decode(b.p, b.len, &other, NULL) == ZKR_OK &&
            zkr_prover_train_commit(&f->p, other, 1, &to, comm, NULL) == ZKR_OK) {
            zkr_err r = zkr_prover_train_step(&f->p, f->st.statement_id, f->tp, to, f->rec,
                                              f->batch, &f->sp, 1, &proof, NULL);
            zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_MODEL,
                       "a child with one weight off by one: the prover refuses (%d)", (int)r);
            st = f->st;
            memcpy(st.child_commitment, comm, 32);
            r = verify(f, &st, honest);
            zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_MODEL,
                       "the honest proof presented for the altered child is refused (%d)", (int)r);
#if ZKR_TEST_BUILD
            r = zkr_prover_train_step_forged(&f->p, f->st.statement_id, f->tp, to, f->rec,
                                             f->batch, &f->sp, 1, &proof, NULL);
            zkr_tap_ok(t, r == ZKR_OK && verify(f, &st, &proof) == ZKR_ERR_VERIFY,
                       "a cheating prover's proof for the altered child fails the mathematics");
            r = zkr_prover_train_step_forged(&f->p, f->st.statement_id, f->tp, f->tc, f->rec,
                                             f->batch, &f->sp, 2, &proof, NULL);
            zkr_tap_ok(t, r == ZKR_OK && verify(f, &f->st, &proof) == ZKR_ERR_VERIFY,
                       "a witness with one ReLU mask flipped fails the mathematics");
#endif
        } else {
            zkr_tap_ok(t, 0, "could not build the altered child");
        }
        free(w0);
    }
    zkr_train_model_free(to);
    zkr_ml_tmodel_free(other);
    zkr_buf_free(&b);
    zkr_buf_free(&proof);
}

static void test_bytes(zkr_tap *t, fixture *f, const zkr_buf *proof, int full_truncation)
{
    zkr_buf x = {0};
    size_t flips = 0, accepted = 0, truncs = 0, trunc_bad = 0;

    for (int i = 0; i < 300; i++) {
        size_t pos = zkr_tap_rand(t) % proof->len;
        x.len = 0;
        if (zkr_buf_append(&x, proof->p, proof->len) != ZKR_OK)
            abort();
        x.p[pos] ^= (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        flips++;
        accepted += verify(f, &f->st, &x) == ZKR_OK;
    }
    zkr_tap_ok(t, accepted == 0, "%zu random bit flips: none accepted", flips);
    for (size_t n = 0; n < proof->len; n += full_truncation ? 1 : 97) {
        zkr_err r = zkr_verify_train_step(&f->p, &f->st, proof->p, n, NULL);
        truncs++;
        trunc_bad += r == ZKR_OK || (r != ZKR_ERR_MALFORMED && r != ZKR_ERR_TOO_LARGE &&
                                     r != ZKR_ERR_UNSUPPORTED);
    }
    zkr_tap_ok(t, trunc_bad == 0, "%zu truncations: each malformed", truncs);
    x.len = 0;
    if (zkr_buf_append(&x, proof->p, proof->len) != ZKR_OK || zkr_buf_append(&x, "\0", 1) != ZKR_OK)
        abort();
    zkr_tap_ok(t, verify(f, &f->st, &x) == ZKR_ERR_MALFORMED, "a trailing byte is malformed");
    zkr_buf_free(&x);
}

static void run_shape(zkr_tap *t, const uint32_t *dims, size_t n_dims, uint32_t batch, int deep)
{
    fixture f;
    zkr_buf proof = {0}, again = {0};
    zkr_err r;

    if (!zkr_tap_ok(t, setup(t, &f, dims, n_dims, batch), "setup %u-layer, batch %u",
                    (unsigned)n_dims - 1, batch))
        goto out;
    r = prove(&f, 2, &proof);
    zkr_tap_ok(t, r == ZKR_OK, "prove (%u layers, batch %u): %d, %zu bytes", (unsigned)n_dims - 1,
               batch, (int)r, proof.len);
    r = verify(&f, &f.st, &proof);
    zkr_tap_ok(t, r == ZKR_OK, "verify the honest proof (%d)", (int)r);
    if (!deep)
        goto out;
    zkr_tap_ok(t, prove(&f, 1, &again) == ZKR_OK && again.len == proof.len &&
                      memcmp(again.p, proof.p, proof.len) == 0,
               "byte-identical with 1 thread and 2 threads");
    zkr_tap_ok(t, prove(&f, 2, &again) == ZKR_OK && again.len == proof.len &&
                      memcmp(again.p, proof.p, proof.len) == 0,
               "byte-identical across runs");
    test_bindings(t, &f, &proof);
    test_wrong_children(t, &f, &proof);
    test_bytes(t, &f, &proof, batch == 1);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&again);
    teardown(&f);
}

static void test_unsupported(zkr_tap *t)
{
    fixture f;
    static const uint32_t dims[] = {10, 6, 3};
    zkr_buf proof = {0};

    if (setup(t, &f, dims, 3, 2)) {
        zkr_err r = prove(&f, 1, &proof);
        zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED && proof.len == 0,
                   "a hidden width that is not a power of two is refused (%d)", (int)r);
    } else {
        zkr_tap_ok(t, 0, "setup 10-6-3");
    }
    zkr_buf_free(&proof);
    teardown(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    static const uint32_t two[] = {12, 8, 3};
    static const uint32_t three[] = {10, 8, 4, 3};

    zkr_tap_init(&t, argc, argv);
    run_shape(&t, two, 3, 3, 1);
    run_shape(&t, two, 3, 1, 1);
    run_shape(&t, three, 4, 5, 1);
    run_shape(&t, three, 4, 2, 0);
    test_unsupported(&t);
    return zkr_tap_done(&t);
}
