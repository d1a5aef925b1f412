/*
 * training-step@1 glue. As with inference@1, the confined workers read
 * nothing but their request: the parent process opened every file and
 * registry row, and the worker trusts nothing in the request beyond the
 * mathematics (the prover recomputes both commitments; the verifier gets
 * every binding value from the registry rows, never from the proof).
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app/store.h"
#include "app/train.h"
#include "verifier/verifier.h"
#include "app/workers.h"

#define TRAIN_WORKER_VERSION 1u

zkr_err zkr_app_train_commit(zkr_app *app, const zkr_ml_tmodel *m,
                             uint8_t commitment[ZKR_DIGEST_BYTES])
{
    zkr_train_model *tm = NULL;
    zkr_params p;
    zkr_err r;

    memset(commitment, 0, ZKR_DIGEST_BYTES);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) == ZKR_OK)
        r = zkr_prover_train_commit(&p, m, 2, &tm, commitment, &app->diag);
    zkr_train_model_free(tm);
    return r;
}

zkr_err zkr_app_train_store(zkr_app *app, const zkr_ml_tmodel *m)
{
    const uint8_t *bytes;
    size_t len;
    uint8_t sha[ZKR_DIGEST_BYTES];

    zkr_ml_tmodel_bytes(m, &bytes, &len);
    zkr_ml_tmodel_digest(m, sha);
    return zkr_app_store_write(app, "models", sha, "", bytes, len);
}

zkr_err zkr_app_train_commit_store(zkr_app *app, const zkr_ml_tmodel *m,
                                   uint8_t commitment[ZKR_DIGEST_BYTES])
{
    zkr_err r;

    if ((r = zkr_app_train_commit(app, m, commitment)) != ZKR_OK)
        return r;
    return zkr_app_train_store(app, m);
}

zkr_err zkr_app_train_model_bytes(zkr_app *app, zkr_registry *reg, const char *file,
                                  const char *program_ref, const zkr_buf *data,
                                  uint8_t commitment[ZKR_DIGEST_BYTES])
{
    zkr_ml_tmodel *m = NULL;
    zkr_artifact prog;
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_err r;

    memset(commitment, 0, ZKR_DIGEST_BYTES);
    if ((r = zkr_ml_tmodel_decode(data->p, data->len, &m, &app->diag)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, &app->diag)) !=
        ZKR_OK)
        goto out;
    zkr_ml_tmodel_program_digest(m, pd);
    if (sodium_memcmp(pd, prog.sha256, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                     "%s: the training model's program is not program %s", file, program_ref);
        goto out;
    }
    r = zkr_app_train_commit_store(app, m, commitment);
out:
    zkr_ml_tmodel_free(m);
    return r;
}

zkr_err zkr_app_train_load_model(zkr_app *app, zkr_registry *reg, const char *ref,
                                 zkr_artifact *a, zkr_ml_tmodel **m)
{
    char path[4096];
    zkr_buf b = {0};
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    *m = NULL;
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, ref, a, &app->diag)) != ZKR_OK ||
        (r = zkr_app_store_path(app, "models", a->sha256, "", path, sizeof path)) != ZKR_OK)
        goto out;
    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, &b, &app->diag)) != ZKR_OK) {
        zkr_diag_clear(&app->diag); /* this message, not the reader's */
        r = zkr_fail(&app->diag, r, "model %lld: its bytes are not in the store beside the "
                     "registry (%s); a child whose bytes `train` did not keep (--keep-every) "
                     "is recomputed by replaying its lineage from the nearest kept ancestor",
                     (long long)a->id, path);
        goto out;
    }
    zkr_sha256(b.p, b.len, sha);
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                     "%s: stored bytes differ from model %lld's registered sha256", path,
                     (long long)a->id);
        goto out;
    }
    if ((r = zkr_ml_tmodel_decode(b.p, b.len, m, &app->diag)) != ZKR_OK)
        r = zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                     "model %lld is not a training model (register one made by train-init)",
                     (long long)a->id);
    else if (!a->has_commitment)
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL, "model %lld has no commitment",
                     (long long)a->id);
out:
    if (r != ZKR_OK) {
        zkr_ml_tmodel_free(*m);
        *m = NULL;
    }
    zkr_buf_free(&b);
    return r;
}

static zkr_err data_leaves(zkr_app_train_data *td)
{
    const uint8_t *rec;
    size_t len;
    zkr_err r;

    td->n = zkr_dataset_count(td->ds);
    if ((td->leaves = calloc(td->n ? td->n : 1, ZKR_DIGEST_BYTES)) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < td->n; i++) {
        if ((r = zkr_dataset_record(td->ds, i, &rec, &len)) != ZKR_OK)
            return r;
        /* The tree's leaves are the record commitments (zkr_infer_dataset_commit). */
        zkr_infer_record_commitment(rec, len, td->leaves[i]);
    }
    if ((r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])td->leaves, td->n, td->root)) !=
        ZKR_OK)
        return r;
    zkr_infer_dataset_commitment(td->n, td->root, td->commitment);
    return ZKR_OK;
}

zkr_err zkr_app_train_data_open(zkr_app *app, zkr_registry *reg, const char *ref,
                                zkr_artifact *a, zkr_app_train_data *out)
{
    char path[4096];
    zkr_buf stored = {0};
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, ref, a, &app->diag)) != ZKR_OK ||
        (r = zkr_app_store_path(app, "datasets", a->sha256, ".path", path, sizeof path)) !=
            ZKR_OK)
        goto out;
    if ((r = zkr_file_read(path, sizeof path - 1, &stored, &app->diag)) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_NOT_FOUND,
                     "dataset %lld: its file is not known beside this registry", (long long)a->id);
        goto out;
    }
    memcpy(path, stored.p, stored.len);
    path[stored.len] = '\0';
    if ((r = zkr_dataset_open(path, &out->ds, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_dataset_digest(out->ds, sha, NULL)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                     "%s: contents differ from dataset %lld's registered sha256", path,
                     (long long)a->id);
        goto out;
    }
    if ((r = data_leaves(out)) != ZKR_OK) {
        r = zkr_fail(&app->diag, r, "%s: cannot commit its records", path);
        goto out;
    }
    if (!a->has_commitment || sodium_memcmp(out->commitment, a->commitment, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                     "%s: its commitment differs from dataset %lld's registered commitment", path,
                     (long long)a->id);
out:
    if (r != ZKR_OK)
        zkr_app_train_data_free(out);
    zkr_buf_free(&stored);
    return r;
}

void zkr_app_train_data_free(zkr_app_train_data *td)
{
    if (td == NULL)
        return;
    zkr_dataset_free(td->ds);
    free(td->leaves);
    memset(td, 0, sizeof *td);
}

zkr_err zkr_app_train_batch(zkr_app *app, const zkr_app_train_data *td, uint32_t input_dim,
                            const uint64_t *idx, uint32_t batch, zkr_buf *inputs,
                            uint8_t *labels)
{
    const uint8_t *in;
    zkr_err r;

    inputs->len = 0;
    for (uint32_t i = 0; i < batch; i++) {
        if ((r = zkr_ml_record_input(td->ds, idx[i], input_dim, &in, &labels[i], &app->diag)) !=
                ZKR_OK ||
            (r = zkr_buf_append(inputs, in, input_dim)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

const zkr_param *zkr_app_stmt_param(const zkr_statement *st, const char *name,
                                    zkr_param_type type)
{
    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, name) == 0)
            return st->params[i].type == type ? &st->params[i] : NULL;
    return NULL;
}

zkr_err zkr_app_stmt_u32(zkr_app *app, const zkr_statement *st, const char *name, uint32_t *out)
{
    const zkr_param *p = zkr_app_stmt_param(st, name, ZKR_PARAM_U64);
    uint64_t v;

    if (p == NULL || p->value_len != 8 || (v = zkr_load_be64(p->value)) > UINT32_MAX)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: %s needs a u64 field '%s' below 2^32", st->schema.name,
                        (unsigned long long)st->schema.version, st->schema.proof_kind, name);
    *out = (uint32_t)v;
    return ZKR_OK;
}

zkr_err zkr_app_train_provable(zkr_app *app, const zkr_ml_tmodel *m, uint32_t batch)
{
    const zkr_ml_graph *g = zkr_ml_tmodel_graph(m);
    uint32_t dims[ZKR_ML_MAX_LAYERS + 1];
    zkr_train_shape s;
    zkr_params p;
    zkr_err r;

    dims[0] = g->input_dim;
    for (uint32_t l = 0; l < g->n_layers; l++)
        dims[l + 1] = g->layers[l].out_dim;
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        return r;
    return zkr_train_shape_of(g->n_layers, dims, batch, p.max_vars, &s, &app->diag);
}

zkr_err zkr_app_train_params_of(zkr_app *app, const zkr_statement *st, zkr_app_train_params *out)
{
    const zkr_param *child = zkr_app_stmt_param(st, "child_model", ZKR_PARAM_DIGEST);
    const zkr_param *idx = zkr_app_stmt_param(st, "record_indices", ZKR_PARAM_U64_LIST);
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (strcmp(st->schema.proof_kind, "training-step@1") != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', expected training-step@1",
                        st->schema.name, (unsigned long long)st->schema.version,
                        st->schema.proof_kind);
    if (child == NULL || idx == NULL || idx->value_len % 8 != 0 || idx->value_len == 0 ||
        idx->value_len / 8 > ZKR_ML_T_MAX_BATCH)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: training-step@1 needs fields child_model (digest) and "
                        "record_indices (u64-list of 1..%u entries)",
                        st->schema.name, (unsigned long long)st->schema.version,
                        ZKR_ML_T_MAX_BATCH);
    if ((r = zkr_app_stmt_u32(app, st, "lr", &out->lr)) != ZKR_OK ||
        (r = zkr_app_stmt_u32(app, st, "shift", &out->shift)) != ZKR_OK ||
        (r = zkr_app_stmt_u32(app, st, "steps", &out->steps)) != ZKR_OK)
        return r;
    memcpy(out->child, child->value, ZKR_DIGEST_BYTES);
    out->batch = (uint32_t)(idx->value_len / 8);
    for (uint32_t i = 0; i < out->batch; i++)
        out->indices[i] = zkr_load_be64(idx->value + 8 * (size_t)i);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Proving                                                              */
/* ------------------------------------------------------------------ */

static zkr_err enc_record(zkr_buf *req, const zkr_app_train_data *td, uint64_t index)
{
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    const uint8_t *rec;
    size_t len, path_len = 0;
    zkr_err r;

    if ((r = zkr_dataset_record(td->ds, index, &rec, &len)) != ZKR_OK ||
        (r = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])td->leaves, td->n,
                                        index, path, &path_len)) != ZKR_OK)
        return r;
    if ((r = zkr_enc_u64(req, index)) != ZKR_OK || (r = zkr_enc_bytes(req, rec, len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)path_len)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < path_len; i++)
        if ((r = zkr_buf_append(req, path[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

static zkr_err prove_request(const zkr_statement *st, const zkr_ml_tmodel *parent,
                             const zkr_ml_tmodel *child, const zkr_app_train_data *td,
                             const zkr_app_train_params *tp, zkr_buf *req)
{
    const uint8_t *pb, *cb;
    size_t pl, cl;
    zkr_err r;

    zkr_ml_tmodel_bytes(parent, &pb, &pl);
    zkr_ml_tmodel_bytes(child, &cb, &cl);
    if ((r = zkr_enc_u32(req, TRAIN_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, 2)) != ZKR_OK || (r = zkr_enc_bytes(req, pb, pl)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, cb, cl)) != ZKR_OK || (r = zkr_enc_u32(req, tp->lr)) != ZKR_OK ||
        (r = zkr_enc_u32(req, tp->shift)) != ZKR_OK || (r = zkr_enc_u64(req, td->n)) != ZKR_OK ||
        (r = zkr_buf_append(req, td->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, tp->batch)) != ZKR_OK)
        return r;
    for (uint32_t i = 0; i < tp->batch; i++)
        if ((r = enc_record(req, td, tp->indices[i])) != ZKR_OK)
            return r;
    return ZKR_OK;
}

zkr_err zkr_app_train_prove(zkr_app *app, const zkr_statement *st, const zkr_ml_tmodel *parent,
                            const zkr_ml_tmodel *child, const zkr_app_train_data *td,
                            const zkr_app_train_params *tp, int no_sandbox, zkr_buf *proof)
{
    zkr_buf req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    zkr_dec dec;
    const uint8_t *p;
    size_t len;
    zkr_err r;

    proof->len = 0;
    so.no_sandbox = no_sandbox;
    if ((r = prove_request(st, parent, child, td, tp, &req)) != ZKR_OK ||
        (r = zkr_sandbox_call(zkr_app_workers, "train-prove", &so, req.p, req.len, &reply, &res,
                              &app->diag)) != ZKR_OK)
        goto out;
    zkr_dec_init(&dec, reply.p, reply.len);
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &p, &len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "train-prove worker reply malformed");
        goto out;
    }
    r = zkr_buf_append(proof, p, len);
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* One batch record of a prove request; the path points into the request. */
static zkr_err dec_record(zkr_dec *dec, zkr_infer_record *rec)
{
    uint32_t path_len;
    const uint8_t *path;

    if (zkr_dec_u64(dec, &rec->index) != ZKR_OK ||
        zkr_dec_bytes(dec, ZKR_INFER_MAX_RECORD, &rec->record, &rec->record_len) != ZKR_OK ||
        zkr_dec_u32(dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    rec->path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    rec->path_len = path_len;
    return ZKR_OK;
}

typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES];
    uint32_t threads;
    const uint8_t *parent, *child;
    size_t parent_len, child_len;
    zkr_ml_tstep_params sp;
    zkr_infer_record rec[ZKR_ML_T_MAX_BATCH];
    uint32_t batch;
} prove_req;

static zkr_err dec_prove_req(const uint8_t *p, size_t len, prove_req *q)
{
    zkr_dec dec;
    uint32_t ver;
    uint64_t n;
    uint8_t root[ZKR_DIGEST_BYTES];
    const uint8_t *raw;

    memset(q, 0, sizeof *q);
    zkr_dec_init(&dec, p, len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != TRAIN_WORKER_VERSION ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(q->sid, raw, ZKR_DIGEST_BYTES);
    if (zkr_dec_u32(&dec, &q->threads) != ZKR_OK || q->threads < 1 || q->threads > 16 ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &q->parent, &q->parent_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &q->child, &q->child_len) != ZKR_OK ||
        zkr_dec_u32(&dec, &q->sp.lr) != ZKR_OK || zkr_dec_u32(&dec, &q->sp.shift) != ZKR_OK ||
        zkr_dec_u64(&dec, &n) != ZKR_OK || zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &raw) != ZKR_OK ||
        zkr_dec_u32(&dec, &q->batch) != ZKR_OK || q->batch == 0 ||
        q->batch > ZKR_ML_T_MAX_BATCH)
        return ZKR_ERR_MALFORMED;
    memcpy(root, raw, ZKR_DIGEST_BYTES);
    for (uint32_t i = 0; i < q->batch; i++) {
        if (dec_record(&dec, &q->rec[i]) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        q->rec[i].n_records = n;
        memcpy(q->rec[i].root, root, ZKR_DIGEST_BYTES);
    }
    return zkr_dec_finish(&dec);
}

zkr_err zkr_app_worker_train_prove(const uint8_t *req, size_t req_len, zkr_buf *reply, zkr_diag *d)
{
    prove_req q;
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_train_model *tp = NULL, *tc = NULL;
    zkr_params p;
    zkr_buf proof = {0};
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (dec_prove_req(req, req_len, &q) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "train-prove request malformed");
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(q.parent, q.parent_len, &parent, d)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(q.child, q.child_len, &child, d)) != ZKR_OK ||
        (r = zkr_prover_train_commit(&p, parent, q.threads, &tp, comm, d)) != ZKR_OK ||
        (r = zkr_prover_train_commit(&p, child, q.threads, &tc, comm, d)) != ZKR_OK ||
        (r = zkr_prover_train_step(&p, q.sid, tp, tc, q.rec, q.batch, &q.sp, q.threads, &proof,
                                   d)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(reply, proof.p, proof.len);
out:
    zkr_buf_free(&proof);
    zkr_train_model_free(tp);
    zkr_train_model_free(tc);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
    return r;
}

/* ------------------------------------------------------------------ */
/* Verifying                                                            */
/* ------------------------------------------------------------------ */

static zkr_err check_binding_rows(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                                  const zkr_app_train_params *tp,
                                  const uint8_t *child_commitment, zkr_artifact *child)
{
    char hex[65];
    zkr_err r;

    if (child_commitment != NULL) {
        /* A submitted child not registered yet: the caller committed it itself. */
        memset(child, 0, sizeof *child);
        memcpy(child->sha256, tp->child, ZKR_DIGEST_BYTES);
        memcpy(child->commitment, child_commitment, ZKR_DIGEST_BYTES);
        child->has_commitment = 1;
        child->program_id = st->program.id;
    }

    if ((r = zkr_app_verifier_pinned(app, &st->schema)) != ZKR_OK)
        return r;
    zkr_app_hex32(tp->child, hex);
    if (child_commitment == NULL &&
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, hex, child, &app->diag)) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "the statement's child model %s is not registered", hex);
    if (child->program_id != st->program.id)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                        "child model %lld belongs to another program", (long long)child->id);
    if (!st->model.has_commitment || !child->has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "the parent or the child model has no commitment");
    if (!st->dataset.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)st->dataset.id);
    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_STATEMENT, st->statement_id, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, st->schema.digest, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, st->program.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, st->model.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, child->sha256, NULL, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, st->dataset.sha256, NULL,
                                        &app->diag)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

static zkr_err verify_request(const zkr_statement *st, uint32_t set, const zkr_artifact *child,
                              const zkr_app_train_params *tp, const uint8_t *proof,
                              size_t proof_len, zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, TRAIN_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, set)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, child->commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->dataset.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, tp->lr)) != ZKR_OK || (r = zkr_enc_u32(req, tp->shift)) != ZKR_OK ||
        (r = zkr_enc_u32(req, tp->steps)) != ZKR_OK || (r = zkr_enc_u32(req, tp->batch)) != ZKR_OK)
        return r;
    for (uint32_t i = 0; i < tp->batch; i++)
        if ((r = zkr_enc_u64(req, tp->indices[i])) != ZKR_OK)
            return r;
    return zkr_enc_bytes(req, proof, proof_len);
}

zkr_err zkr_app_train_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const uint8_t *child_commitment, const uint8_t *proof,
                             size_t proof_len, int no_sandbox)
{
    zkr_app_train_params tp;
    zkr_artifact child;
    zkr_buf req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    uint32_t set;
    zkr_err r;

    so.no_sandbox = no_sandbox;
    if ((r = zkr_app_train_params_of(app, st, &tp)) != ZKR_OK ||
        (r = zkr_app_param_set_of(app, &st->schema, &set)) != ZKR_OK ||
        (r = check_binding_rows(app, reg, st, &tp, child_commitment, &child)) != ZKR_OK ||
        (r = verify_request(st, set, &child, &tp, proof, proof_len, &req)) != ZKR_OK)
        goto out;
    r = zkr_sandbox_call(zkr_app_workers, "train-verify", &so, req.p, req.len, &reply, &res,
                         &app->diag);
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

static zkr_err dec_digest(zkr_dec *dec, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    zkr_err r = zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &p);

    if (r == ZKR_OK)
        memcpy(out, p, ZKR_DIGEST_BYTES);
    return r;
}

zkr_err zkr_app_worker_train_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    zkr_train_statement st;
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    uint32_t ver, set;
    const uint8_t *proof;
    size_t proof_len;
    zkr_params p;
    zkr_dec dec;

    (void)reply;
    memset(&st, 0, sizeof st);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != TRAIN_WORKER_VERSION ||
        dec_digest(&dec, st.statement_id) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        dec_digest(&dec, st.program_digest) != ZKR_OK ||
        dec_digest(&dec, st.parent_commitment) != ZKR_OK ||
        dec_digest(&dec, st.child_commitment) != ZKR_OK ||
        dec_digest(&dec, st.dataset_commitment) != ZKR_OK || zkr_dec_u32(&dec, &st.lr) != ZKR_OK ||
        zkr_dec_u32(&dec, &st.shift) != ZKR_OK || zkr_dec_u32(&dec, &st.steps) != ZKR_OK ||
        zkr_dec_u32(&dec, &st.batch) != ZKR_OK || st.batch == 0 || st.batch > ZKR_ML_T_MAX_BATCH)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "train-verify request malformed");
    for (uint32_t i = 0; i < st.batch; i++)
        if (zkr_dec_u64(&dec, &idx[i]) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "train-verify request malformed");
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "train-verify request malformed");
    st.indices = idx;
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    return zkr_verify_train_step(&p, &st, proof, proof_len, d);
}

/* The "lineage" event payload of one step. */
zkr_err zkr_app_lineage_payload(const zkr_artifact *parent, const uint8_t child_sha[32],
                                const uint8_t child_comm[32], const zkr_artifact *dataset,
                                const zkr_ml_tstep_params *sp, const uint64_t *idx,
                                uint32_t batch, zkr_buf *out)
{
    zkr_lineage l;

    out->len = 0;
    memset(&l, 0, sizeof l);
    if (batch > ZKR_ROUND_MAX_PER_WORKER)
        return ZKR_ERR_USAGE;
    memcpy(l.child, child_sha, 32);
    memcpy(l.child_commitment, child_comm, 32);
    memcpy(l.parent, parent->sha256, 32);
    memcpy(l.parent_commitment, parent->commitment, 32);
    memcpy(l.dataset, dataset->sha256, 32);
    l.lr = sp->lr;
    l.shift = sp->shift;
    l.batch = batch;
    memcpy(l.indices, idx, (size_t)batch * sizeof *idx);
    return zkr_lineage_encode(&l, out);
}

/* Registers the training-step@1 statement of one step; *st must be freed by the caller. */
zkr_err zkr_app_train_statement(zkr_app *app, zkr_registry *reg, const char *schema,
                                const zkr_artifact *parent, const zkr_artifact *dataset,
                                const uint8_t child_sha[32], const zkr_ml_tstep_params *sp,
                                const uint64_t *idx, uint32_t batch, zkr_statement *st)
{
    char prog[32], model[32], ds[32], child[65], lr[16], shift[16];
    zkr_buf list = {0};
    zkr_kv kv[5];
    zkr_err r;

    zkr_app_hex32(child_sha, child);
    snprintf(prog, sizeof prog, "%lld", (long long)parent->program_id);
    snprintf(model, sizeof model, "%lld", (long long)parent->id);
    snprintf(ds, sizeof ds, "%lld", (long long)dataset->id);
    snprintf(lr, sizeof lr, "%u", sp->lr);
    snprintf(shift, sizeof shift, "%u", sp->shift);
    for (uint32_t i = 0; i < batch; i++)
        if ((r = zkr_buf_printf(&list, "%s%" PRIu64, i ? "," : "", idx[i])) != ZKR_OK)
            goto out;
    if ((r = zkr_buf_terminate(&list)) != ZKR_OK)
        goto out;
    kv[0] = (zkr_kv){"child_model", child};
    kv[1] = (zkr_kv){"lr", lr};
    kv[2] = (zkr_kv){"record_indices", (const char *)list.p};
    kv[3] = (zkr_kv){"shift", shift};
    kv[4] = (zkr_kv){"steps", "1"};
    r = zkr_registry_statement_add(reg, schema, prog, model, ds, kv, 5, NULL, 0, st, &app->diag);
out:
    zkr_buf_free(&list);
    return r;
}
