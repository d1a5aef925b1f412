/*
 * evaluation@1 test fixture shared by tests/infer/test_eval.c and
 * tests/soundness/test_sound_eval.c: random quantized models, IDX datasets,
 * an honest proof of a record range and the registered statement it answers.
 */
#ifndef ZKR_TEST_EVAL_FIXTURE_H
#define ZKR_TEST_EVAL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"

typedef struct {
    zkr_ml_graph g;
    int8_t *w[ZKR_ML_MAX_LAYERS];
    int32_t *bias[ZKR_ML_MAX_LAYERS];
    uint32_t *mult[ZKR_ML_MAX_LAYERS];
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
} ev_rmodel;

static inline int64_t ev_rnd(zkr_tap *t, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(zkr_tap_rand(t) % (uint64_t)(hi - lo + 1));
}

static inline void ev_rmodel_free(ev_rmodel *m)
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
 * biases, multipliers and shifts at their bounds. tie: the last layer's
 * rows 0 and 1 are equal, so every record's logits tie there.
 */
static inline void ev_rmodel_make(zkr_tap *t, ev_rmodel *m, const uint32_t *dims,
                                  uint32_t n_layers, int extreme, int tie)
{
    memset(m, 0, sizeof *m);
    m->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    m->g.input_dim = dims[0];
    m->g.n_layers = n_layers;
    for (uint32_t l = 0; l < n_layers; l++) {
        zkr_ml_layer_desc *L = &m->g.layers[l];
        uint32_t s;
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)(l + 1 < n_layers ? ev_rnd(t, 0, 3) != 0 : ev_rnd(t, 0, 1));
        L->in_dim = dims[l];
        L->out_dim = dims[l + 1];
        m->w[l] = malloc((size_t)L->in_dim * L->out_dim);
        m->bias[l] = malloc(L->out_dim * sizeof(int32_t));
        m->mult[l] = malloc(L->out_dim * sizeof(uint32_t));
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            m->w[l][i] = (int8_t)(extreme ? (ev_rnd(t, 0, 1) ? 127 : -127) : ev_rnd(t, -127, 127));
        s = (uint32_t)(extreme ? (ev_rnd(t, 0, 2) == 0 ? 1 : ev_rnd(t, 0, 1) ? 48 : ev_rnd(t, 1, 48))
                               : ev_rnd(t, 12, 30));
        m->q[l].shift = s;
        for (uint32_t j = 0; j < L->out_dim; j++) {
            m->bias[l][j] =
                (int32_t)(extreme ? (ev_rnd(t, 0, 1) ? ZKR_ML_BIAS_MAX : -ZKR_ML_BIAS_MAX)
                                  : ev_rnd(t, -20000, 20000));
            m->mult[l][j] = (uint32_t)(extreme ? ev_rnd(t, 0, ZKR_ML_MULT_LIMIT - 1)
                                               : ev_rnd(t, 0, ((int64_t)1 << (s - 6)) / L->in_dim + 1));
        }
        if (tie && l + 1 == n_layers && L->out_dim >= 2) {
            memcpy(m->w[l] + L->in_dim, m->w[l], L->in_dim);
            m->bias[l][1] = m->bias[l][0];
            m->mult[l][1] = m->mult[l][0];
        }
        m->q[l].w = m->w[l];
        m->q[l].bias = m->bias[l];
        m->q[l].mult = m->mult[l];
    }
}

static inline zkr_ml_model *ev_rmodel_decode(const ev_rmodel *m)
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

/* An IDX dataset of n records of `dim` bytes plus labels 0..n_labels-1, in dir. */
static inline zkr_dataset *ev_dataset_make(zkr_tap *t, const char *dir, const char *tag,
                                           uint32_t dim, uint32_t n, uint32_t n_labels)
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
        fputc((int)(zkr_tap_rand(t) % n_labels), f);
    fclose(f);
    if (zkr_dataset_open(ip, &ds, &d) != ZKR_OK)
        zkr_tap_diag("dataset_open: %s", d.msg);
    return ds;
}

/* A model, a dataset, a batch, an honest proof and its registered statement. */
typedef struct {
    ev_rmodel rm;
    zkr_ml_model *m;
    zkr_infer_model *im;
    zkr_params p;
    uint8_t *records;
    uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES];
    zkr_eval_batch bt;
    zkr_buf proof, output;
    uint64_t correct;
    zkr_verifier_evaluation_statement st;
} ev_fixture;

static inline void ev_fixture_free(ev_fixture *f)
{
    zkr_infer_model_free(f->im);
    zkr_ml_model_free(f->m);
    ev_rmodel_free(&f->rm);
    free(f->records);
    zkr_buf_free(&f->proof);
    zkr_buf_free(&f->output);
    memset(f, 0, sizeof *f);
}

/* Commits the model (once) and fills the batch and the statement (no proof). */
static inline zkr_err ev_fixture_setup(zkr_tap *t, ev_fixture *f, const zkr_dataset *ds,
                                       uint64_t first, uint64_t count, unsigned threads)
{
    uint8_t root[32];
    zkr_diag d = {0};
    zkr_err r;

    if (zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    if (!f->im) {
        if (!(f->m = ev_rmodel_decode(&f->rm)))
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
    free(f->records);
    f->records = NULL;
    if ((r = zkr_eval_batch_of(ds, first, count, &f->records, f->bound, &f->bt, &d)) != ZKR_OK) {
        zkr_tap_diag("batch: %s", d.msg);
        return r;
    }
    f->st.first = first;
    f->st.count = count;
    f->st.records = f->records;
    f->st.rec_len = f->bt.rec_len;
    return ZKR_OK;
}

static inline zkr_err ev_fixture_prove(zkr_tap *t, ev_fixture *f, const zkr_dataset *ds,
                                       uint64_t first, uint64_t count, unsigned mode,
                                       uint64_t tau, unsigned threads)
{
    zkr_diag d = {0};
    zkr_err r;

    if ((r = ev_fixture_setup(t, f, ds, first, count, threads)) != ZKR_OK)
        return r;
    r = zkr_prover_evaluation(&f->p, f->st.statement_id, f->im, &f->bt, mode, tau, threads,
                              &f->proof, &f->output, &f->correct, &d);
    if (r != ZKR_OK)
        zkr_tap_diag("prove: %s", d.msg);
    f->st.output = f->output.p;
    f->st.output_len = f->output.len;
    return r;
}

static inline zkr_err ev_verify(const ev_fixture *f, const uint8_t *p, size_t len,
                                const zkr_verifier_evaluation_statement *st)
{
    zkr_diag d = {0};
    zkr_err r = zkr_verify_evaluation(p, len, st ? st : &f->st, NULL, &d);

    if (r != ZKR_OK && getenv("ZKR_TEST_VERBOSE"))
        zkr_tap_diag("verify: %s", d.msg);
    return r;
}

#endif
