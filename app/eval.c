/*
 * evaluation@1 glue: the parent opens the registry and the dataset file,
 * recomputes every binding from the registry and hands bytes to a confined
 * worker ("eval-prove" / "eval-verify", cli/workers.c); the worker never
 * opens a file (docs/sandbox.md).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/eval.h"
#include "app/geval.h"
#include "app/infer.h"
#include "app/store.h"
#include "prover/evaluation_fixed.h"
#include "prover/inference_batch.h"
#include "prover/prover.h"
#include "verifier/evaluation_fixed.h"
#include "verifier/inference_batch.h"
#include "verifier/verifier.h"
#include "app/workers.h"
#include "zkr_config.h"

#define EVAL_WORKER_VERSION 1u

/* What an evaluation statement binds beyond the artifacts. */
typedef struct {
    uint32_t param_set;
    uint64_t first, count; /* count 0: to the end of the dataset */
    unsigned mode;
    uint64_t out_count, value; /* the public output's record count and value */
    int fixed;                 /* evaluation-fixed@1: a FIXED training model (kind 9) */
    int batch;                 /* inference-batch@1: every record's logits public (kind 8) */
    uint64_t out_first;        /* inference-batch@1: the output's first record */
} eval_stmt;

/* The confined workers of each kind ("eval-*", "evalf-*", "ibatch-*"). */
static const char *eval_worker(const eval_stmt *es, int verify)
{
    if (es->batch)
        return verify ? "ibatch-verify" : "ibatch-prove";
    if (es->fixed)
        return verify ? "evalf-verify" : "evalf-prove";
    return verify ? "eval-verify" : "eval-prove";
}

/* The largest public output a worker reply or request carries for this kind. */
static size_t eval_output_max(int batch)
{
    return batch ? ZKR_IBATCH_OUTPUT_MAX : ZKR_EVAL_OUTPUT_BYTES;
}

void zkr_app_eval_data_free(zkr_app_eval_data *e)
{
    zkr_dataset_free(e->ds);
    free(e->records);
    memset(e, 0, sizeof *e);
}

static double eval_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int zkr_app_eval_is(zkr_registry *reg, const char *ref, zkr_statement *st)
{
    zkr_diag scratch = {0};

    if (zkr_registry_statement_get(reg, ref, st, &scratch) != ZKR_OK)
        return 0;
    return zkr_app_eval_kind_is(st->schema.proof_kind);
}

int zkr_app_eval_kind_is(const char *kind)
{
    return strcmp(kind, "evaluation@1") == 0 || strcmp(kind, ZKR_EVALF_NAME) == 0 ||
           strcmp(kind, ZKR_IBATCH_NAME) == 0;
}

/*
 * What prove and verify read from the schema (eval_stmt_of, geval_stmt_of):
 * a public output, and record_first / record_count, when declared, as u64.
 * Any other schema makes statements no proof can honour (found in
 * adversary review: they registered, and prove refused them later).
 */
zkr_err zkr_app_eval_schema_check(zkr_app *app, const zkr_schema *sc)
{
    if (!sc->public_output)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu binds no public output; %s proves the statement's "
                        "evaluation output (\"public_output\": true)",
                        sc->name, (unsigned long long)sc->version, sc->proof_kind);
    for (size_t f = 0; f < sc->n_fields; f++)
        if ((strcmp(sc->fields[f].name, "record_first") == 0 ||
             strcmp(sc->fields[f].name, "record_count") == 0) &&
            sc->fields[f].type != ZKR_PARAM_U64)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                            "schema %s@%llu's field '%s' is %s; %s reads it as a u64",
                            sc->name, (unsigned long long)sc->version, sc->fields[f].name,
                            zkr_param_type_name(sc->fields[f].type), sc->proof_kind);
    return ZKR_OK;
}

zkr_err zkr_app_eval_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                     const uint8_t *po, size_t po_len, const char *what)
{
    zkr_schema sc;
    zkr_diag quiet = {0};
    unsigned mode;
    uint64_t count, value;
    zkr_err r;

    if (schema == NULL || zkr_registry_schema_get(reg, schema, &sc, &quiet) != ZKR_OK ||
        !(zkr_app_eval_kind_is(sc.proof_kind) || zkr_app_geval_kind_is(sc.proof_kind)))
        return ZKR_OK; /* unknown schemas are the registry's to refuse */
    if ((r = zkr_app_eval_schema_check(app, &sc)) != ZKR_OK)
        return r;
    /* The output's shape is each kind's own check; a vacuous claim is refused for all. */
    if (po != NULL && strcmp(sc.proof_kind, ZKR_IBATCH_NAME) != 0 &&
        zkr_eval_output_decode(po, po_len, &mode, &count, &value) == ZKR_OK &&
        mode == ZKR_EVAL_MODE_THRESHOLD && value == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "%s: " ZKR_APP_EVAL_VACUOUS, what);
    return ZKR_OK;
}

/* An optional u64 statement parameter; *found tells whether it was given. */
static zkr_err eval_param(zkr_app *app, const zkr_statement *st, const char *kind,
                          const char *name, uint64_t *v, int *found)
{
    *found = 0;
    for (size_t i = 0; i < st->n_params; i++) {
        if (strcmp(st->params[i].name, name) != 0)
            continue;
        if (st->params[i].type != ZKR_PARAM_U64 ||
            zkr_app_parse_u64(app, name, st->params[i].text, v) != ZKR_OK)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                            "schema %s@%llu: %s's '%s' must be a u64", st->schema.name,
                            (unsigned long long)st->schema.version, kind, name);
        *found = 1;
    }
    return ZKR_OK;
}

zkr_err zkr_app_eval_range(zkr_app *app, const zkr_statement *st, const char *kind,
                           uint64_t *first, uint64_t *count)
{
    int has;
    zkr_err r;

    if ((r = eval_param(app, st, kind, "record_first", first, &has)) != ZKR_OK ||
        (r = eval_param(app, st, kind, "record_count", count, &has)) != ZKR_OK)
        return r;
    if (has && *count == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT, "record_count 0: an empty range");
    return ZKR_OK;
}

/* The statement's own consistency: kind, pins, commitments, range, output. */
static zkr_err eval_stmt_of(zkr_app *app, const zkr_statement *st, int verifying, eval_stmt *es)
{
    zkr_err r;

    memset(es, 0, sizeof *es);
    if (!zkr_app_eval_kind_is(st->schema.proof_kind))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', not evaluation@1, " ZKR_EVALF_NAME
                        " or " ZKR_IBATCH_NAME,
                        st->schema.name, (unsigned long long)st->schema.version,
                        st->schema.proof_kind);
    /* The schema's kind picks the worker and the verifier: a proof of the other kind is refused. */
    es->fixed = strcmp(st->schema.proof_kind, ZKR_EVALF_NAME) == 0;
    es->batch = strcmp(st->schema.proof_kind, ZKR_IBATCH_NAME) == 0;
    if (verifying && (r = zkr_app_verifier_pinned(app, &st->schema)) != ZKR_OK)
        return r;
    if ((r = zkr_app_param_set_of(app, &st->schema, &es->param_set)) != ZKR_OK ||
        (r = zkr_app_eval_range(app, st, "evaluation@1", &es->first, &es->count)) != ZKR_OK)
        return r;
    if (!st->model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL, "model %lld has no commitment",
                        (long long)st->model.id);
    if (!st->dataset.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)st->dataset.id);
    if (es->batch) {
        uint32_t od;
        const int8_t *y;
        if (!st->has_public_output ||
            zkr_ibatch_output_decode(st->public_output.p, st->public_output.len, &es->out_first,
                                     &es->out_count, &od, &y) != ZKR_OK)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                            "statement's public output is not a batch output (magic ZKIB, "
                            "first, count, out_dim, logits: docs/formats.md)");
        return ZKR_OK;
    }
    if (!st->has_public_output ||
        zkr_eval_output_decode(st->public_output.p, st->public_output.len, &es->mode,
                               &es->out_count, &es->value) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement's public output is not an evaluation output (mode, count, "
                        "value: docs/formats.md)");
    return ZKR_OK;
}

/* st's dataset file: file itself, else the one remembered at register-dataset (into sp). */
static zkr_err eval_data_file(zkr_app *app, const zkr_statement *st, const char **file,
                              char *sp, size_t cap)
{
    zkr_err r;

    if (*file != NULL)
        return ZKR_OK;
    if ((r = zkr_app_dataset_remembered(app, st->dataset.sha256, sp, cap)) != ZKR_OK)
        return zkr_fail(&app->diag, r,
                        "dataset %lld: its file is unknown here; pass --dataset-file PATH",
                        (long long)st->dataset.id);
    *file = sp;
    return ZKR_OK;
}

zkr_err zkr_app_eval_data_open(zkr_app *app, const zkr_statement *st, const char *file,
                               uint64_t first, uint64_t count, zkr_app_eval_limit_fn limit,
                               zkr_app_eval_data *e, uint64_t *count_out)
{
    char sp[4096];
    uint8_t comm[ZKR_DIGEST_BYTES];
    uint64_t n;
    zkr_err r;

    memset(e, 0, sizeof *e);
    if ((r = eval_data_file(app, st, &file, sp, sizeof sp)) != ZKR_OK ||
        (r = zkr_dataset_open(file, &e->ds, &app->diag)) != ZKR_OK)
        return r;
    n = zkr_dataset_count(e->ds);
    count = count ? count : (first < n ? n - first : 0);
    *count_out = count;
    if (count == 0 || first >= n || count > n - first)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                        "records %llu..+%llu: the dataset has %llu records",
                        (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)n);
    if ((limit != NULL && (r = limit(app, first, count)) != ZKR_OK) ||
        (r = zkr_eval_batch_of(e->ds, first, count, &e->records, e->bound, &e->bt,
                               &app->diag)) != ZKR_OK)
        return r;
    zkr_infer_dataset_commitment(n, e->bt.root, comm);
    if (sodium_memcmp(comm, st->dataset.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: its commitment differs from dataset %lld's registered commitment",
                        file, (long long)st->dataset.id);
    return ZKR_OK;
}

/* The dataset's range (zkr_app_eval_data_open), then the public output's range against it. */
static zkr_err eval_data_open(zkr_app *app, const zkr_statement *st, const char *file,
                              const eval_stmt *es, zkr_app_eval_data *e)
{
    uint64_t count;
    zkr_err r;

    if ((r = zkr_app_eval_data_open(app, st, file, es->first, es->count, NULL, e, &count)) !=
        ZKR_OK)
        return r;
    if (es->out_count != count || (es->batch && es->out_first != es->first))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the public output covers records %llu..+%llu, the statement's range "
                        "%llu..+%llu",
                        (unsigned long long)(es->batch ? es->out_first : es->first),
                        (unsigned long long)es->out_count, (unsigned long long)es->first,
                        (unsigned long long)count);
    return ZKR_OK;
}

static zkr_err eval_enc_batch(zkr_buf *req, const zkr_eval_batch *bt)
{
    zkr_err r;

    if ((r = zkr_enc_u64(req, bt->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, bt->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, bt->first)) != ZKR_OK || (r = zkr_enc_u64(req, bt->count)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)bt->rec_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, bt->records, (size_t)bt->count * bt->rec_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)bt->n_bound)) != ZKR_OK)
        return r;
    return zkr_buf_append(req, bt->bound, bt->n_bound * ZKR_DIGEST_BYTES);
}

static zkr_err eval_dec_digest(zkr_dec *d, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    zkr_err r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &p);

    if (r == ZKR_OK)
        memcpy(out, p, ZKR_DIGEST_BYTES);
    return r;
}

/* Decodes a batch; records and boundary hashes point into the request. */
static zkr_err eval_dec_batch(zkr_dec *d, zkr_eval_batch *bt)
{
    uint32_t rec_len, n_bound;
    const uint8_t *bound;

    memset(bt, 0, sizeof *bt);
    if (zkr_dec_u64(d, &bt->n_records) != ZKR_OK || eval_dec_digest(d, bt->root) != ZKR_OK ||
        zkr_dec_u64(d, &bt->first) != ZKR_OK || zkr_dec_u64(d, &bt->count) != ZKR_OK ||
        bt->count == 0 || bt->count > ((uint64_t)1 << ZKR_EVAL_MAX_LB) ||
        zkr_dec_u32(d, &rec_len) != ZKR_OK || rec_len == 0 || rec_len > ZKR_INFER_MAX_RECORD ||
        zkr_dec_raw(d, (size_t)bt->count * rec_len, &bt->records) != ZKR_OK ||
        zkr_dec_u32(d, &n_bound) != ZKR_OK || n_bound > ZKR_EVAL_MAX_BOUNDARY ||
        zkr_dec_raw(d, (size_t)n_bound * ZKR_DIGEST_BYTES, &bound) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    bt->rec_len = rec_len;
    bt->bound = (const uint8_t(*)[ZKR_DIGEST_BYTES])bound;
    bt->n_bound = n_bound;
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Proving                                                              */
/* ------------------------------------------------------------------ */

static zkr_err eval_prove_reply(zkr_app *app, const zkr_statement *st, const eval_stmt *es,
                                const zkr_buf *reply, const char *out, double secs,
                                zkr_app_prove_result *res)
{
    zkr_dec dec;
    const uint8_t *proof, *output;
    size_t proof_len, output_len;
    uint64_t correct;
    zkr_err r;

    zkr_dec_init(&dec, reply->p, reply->len);
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, eval_output_max(es->batch), &output, &output_len) != ZKR_OK ||
        zkr_dec_u64(&dec, &correct) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "eval-prove worker reply malformed");
    if (es->batch && (output_len != st->public_output.len ||
                      memcmp(output, st->public_output.p, output_len) != 0))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model's logits over records %llu..+%llu differ from the "
                        "statement's public output; no proof written",
                        (unsigned long long)es->first, (unsigned long long)es->out_count);
    if (output_len != st->public_output.len ||
        memcmp(output, st->public_output.p, output_len) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model gets %llu of %llu right, the statement states %llu; no proof "
                        "written", (unsigned long long)correct, (unsigned long long)es->out_count,
                        (unsigned long long)es->value);
    if ((r = zkr_file_write_atomic(out, proof, proof_len, 0644, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(proof, proof_len, res->sha256);
    res->bytes = proof_len;
    res->seconds = secs;
    res->evaluation = !es->batch;
    res->batch = es->batch;
    res->records = es->out_count;
    res->correct = correct;
    return ZKR_OK;
}

/* Builds the worker request for model bytes, runs the confined prover; *reply gets its answer. */
static zkr_err eval_prove_run(zkr_app *app, const zkr_statement *st, const eval_stmt *es,
                              const uint8_t *model, size_t model_len, const char *dataset_file,
                              uint32_t threads, int no_sandbox, zkr_buf *reply, double *secs)
{
    zkr_app_eval_data e;
    zkr_buf req = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    double t0;
    zkr_err r;

    memset(&e, 0, sizeof e);
    so.no_sandbox = no_sandbox;
    if ((r = eval_data_open(app, st, dataset_file, es, &e)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(&req, EVAL_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(&req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(&req, es->param_set)) != ZKR_OK || (r = zkr_enc_u32(&req, threads)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, model, model_len)) != ZKR_OK ||
        (r = zkr_buf_append(&req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(&req, es->mode)) != ZKR_OK || (r = zkr_enc_u64(&req, es->value)) != ZKR_OK ||
        (r = eval_enc_batch(&req, &e.bt)) != ZKR_OK)
        goto out;
    t0 = eval_now();
    r = zkr_sandbox_call(zkr_app_workers, eval_worker(es, 0), &so, req.p, req.len, reply, &sres,
                         &app->diag);
    *secs = eval_now() - t0;
out:
    zkr_buf_free(&req);
    zkr_app_eval_data_free(&e);
    return r;
}

zkr_err zkr_app_eval_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                           const char *dataset_file, uint32_t threads, int no_sandbox,
                           const char *out, zkr_app_prove_result *res)
{
    eval_stmt es;
    zkr_buf model = {0}, reply = {0};
    double secs = 0;
    zkr_err r;

    if ((r = eval_stmt_of(app, st, 0, &es)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = zkr_app_store_model(app, &st->model, 0, &model)) != ZKR_OK ||
        (r = eval_prove_run(app, st, &es, model.p, model.len, dataset_file, threads, no_sandbox,
                            &reply, &secs)) != ZKR_OK)
        goto out;
    r = eval_prove_reply(app, st, &es, &reply, out, secs, res);
out:
    zkr_buf_free(&model);
    zkr_buf_free(&reply);
    return r;
}

zkr_err zkr_app_eval_prove_model(zkr_app *app, const zkr_statement *st, const uint8_t *model,
                                 size_t model_len, uint32_t threads, int no_sandbox,
                                 zkr_buf *proof, uint64_t *correct)
{
    eval_stmt es;
    zkr_buf reply = {0};
    zkr_dec dec;
    const uint8_t *pp, *output;
    size_t pl, ol;
    double secs = 0;
    zkr_err r;

    *correct = 0;
    if ((r = eval_stmt_of(app, st, 0, &es)) != ZKR_OK ||
        (r = eval_prove_run(app, st, &es, model, model_len, NULL, threads, no_sandbox, &reply,
                            &secs)) != ZKR_OK)
        goto out;
    zkr_dec_init(&dec, reply.p, reply.len);
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &pp, &pl) != ZKR_OK ||
        zkr_dec_bytes(&dec, eval_output_max(es.batch), &output, &ol) != ZKR_OK ||
        zkr_dec_u64(&dec, correct) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "eval-prove worker reply malformed");
        goto out;
    }
    if (ol != st->public_output.len || memcmp(output, st->public_output.p, ol) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT, "the model gets %llu of %llu right, "
                     "below the statement's %llu", (unsigned long long)*correct,
                     (unsigned long long)es.out_count, (unsigned long long)es.value);
        goto out;
    }
    proof->len = 0;
    r = zkr_buf_append(proof, pp, pl);
out:
    zkr_buf_free(&reply);
    return r;
}

/* Commits the FIXED training model and proves evaluation-fixed@1 (the "evalf-prove" worker). */
static zkr_err eval_prove_fixed(const zkr_params *p, const uint8_t sid[ZKR_DIGEST_BYTES],
                                const uint8_t *model, size_t model_len,
                                const uint8_t want_mc[ZKR_DIGEST_BYTES], unsigned mode,
                                uint64_t tau, const zkr_eval_batch *bt, unsigned threads,
                                zkr_buf *proof, zkr_buf *out, uint64_t *correct, zkr_diag *d)
{
    zkr_ml_tmodel *m = NULL;
    zkr_train_model *tm = NULL;
    uint8_t mc[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_ml_tmodel_decode(model, model_len, &m, d)) != ZKR_OK ||
        (r = zkr_prover_train_commit(p, m, threads, &tm, mc, d)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(mc, want_mc, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                     "the stored model's commitment differs from the registered commitment");
        goto out;
    }
    r = zkr_prover_evaluation_fixed(p, sid, tm, bt, mode, tau, threads, proof, out, correct, d);
out:
    zkr_train_model_free(tm);
    zkr_ml_tmodel_free(m);
    return r;
}

/* The worker's kind: evaluation@1, evaluation-fixed@1, inference-batch@1. */
enum { EW_EVAL, EW_FIXED, EW_BATCH };

static zkr_err eval_worker_prove(const uint8_t *req, size_t req_len, zkr_buf *reply, int fixed,
                                 zkr_diag *d)
{
    zkr_dec dec;
    uint32_t ver, set, threads, mode;
    uint64_t tau, correct = 0;
    uint8_t sid[ZKR_DIGEST_BYTES], want_mc[ZKR_DIGEST_BYTES], mc[ZKR_DIGEST_BYTES];
    const uint8_t *model;
    size_t model_len;
    zkr_eval_batch bt;
    zkr_ml_model *m = NULL;
    zkr_infer_model *im = NULL;
    zkr_params p;
    zkr_buf proof = {0}, out = {0};
    zkr_err r;

    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != EVAL_WORKER_VERSION ||
        eval_dec_digest(&dec, sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        zkr_dec_u32(&dec, &threads) != ZKR_OK || threads < 1 || threads > 16 ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &model, &model_len) != ZKR_OK ||
        eval_dec_digest(&dec, want_mc) != ZKR_OK || zkr_dec_u32(&dec, &mode) != ZKR_OK ||
        zkr_dec_u64(&dec, &tau) != ZKR_OK || eval_dec_batch(&dec, &bt) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "eval-prove request malformed");
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    if (fixed == EW_FIXED) {
        r = eval_prove_fixed(&p, sid, model, model_len, want_mc, mode, tau, &bt, threads, &proof,
                             &out, &correct, d);
        goto reply;
    }
    if ((r = zkr_ml_model_decode(model, model_len, &m, d)) != ZKR_OK ||
        (r = zkr_prover_infer_commit(&p, m, threads, &im, mc, d)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(mc, want_mc, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                     "the stored model's commitment differs from the registered commitment");
        goto out;
    }
    if (fixed == EW_BATCH)
        r = zkr_prover_inference_batch(&p, sid, im, &bt, threads, &proof, &out, d);
    else
        r = zkr_prover_evaluation(&p, sid, im, &bt, mode, tau, threads, &proof, &out, &correct,
                                  d);
reply:
    if (r != ZKR_OK)
        goto out;
    if ((r = zkr_enc_bytes(reply, proof.p, proof.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(reply, out.p, out.len)) != ZKR_OK)
        goto out;
    r = zkr_enc_u64(reply, correct);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    return r;
}

zkr_err zkr_app_worker_eval_prove(const uint8_t *req, size_t req_len, zkr_buf *reply, zkr_diag *d)
{
    return eval_worker_prove(req, req_len, reply, EW_EVAL, d);
}

zkr_err zkr_app_worker_evalf_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d)
{
    return eval_worker_prove(req, req_len, reply, EW_FIXED, d);
}

zkr_err zkr_app_worker_ibatch_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    return eval_worker_prove(req, req_len, reply, EW_BATCH, d);
}

/* ------------------------------------------------------------------ */
/* Verifying                                                            */
/* ------------------------------------------------------------------ */

static zkr_err eval_verify_req(zkr_app *app, const zkr_statement *st, const eval_stmt *es,
                               const zkr_buf *proof, zkr_buf *req)
{
    zkr_app_eval_data e;
    zkr_err r;

    if ((r = eval_data_open(app, st, NULL, es, &e)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(req, EVAL_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, es->param_set)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->dataset.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = eval_enc_batch(req, &e.bt)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, st->public_output.p, st->public_output.len)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(req, proof->p, proof->len);
out:
    zkr_app_eval_data_free(&e);
    return r;
}

zkr_err zkr_app_eval_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                    const zkr_buf *proof, zkr_buf *req)
{
    eval_stmt es;
    zkr_err r;

    if ((r = eval_stmt_of(app, st, 1, &es)) != ZKR_OK)
        return r;
    if (es.param_set != param_set)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS, "parameter set %u, schema pins %u",
                        param_set, es.param_set);
    return eval_verify_req(app, st, &es, proof, req);
}

/* Runs the confined verifier for a checked statement; *correct gets the proven count. */
static zkr_err eval_verify_run(zkr_app *app, const zkr_statement *st, const eval_stmt *es,
                               const uint8_t *proof, size_t len, int no_sandbox, uint64_t *correct)
{
    zkr_buf pb = {0}, req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    zkr_dec dec;
    zkr_err r;

    so.no_sandbox = no_sandbox;
    pb.p = (uint8_t *)proof; /* borrowed, never freed here */
    pb.len = len;
    if ((r = eval_verify_req(app, st, es, &pb, &req)) != ZKR_OK ||
        (r = zkr_sandbox_call(zkr_app_workers, eval_worker(es, 1), &so, req.p, req.len, &reply,
                              &res, &app->diag)) != ZKR_OK)
        goto out;
    zkr_dec_init(&dec, reply.p, reply.len);
    if (zkr_dec_u64(&dec, correct) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "eval-verify worker reply malformed");
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

zkr_err zkr_app_eval_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                            const uint8_t *proof, size_t len, int no_sandbox, uint64_t *correct)
{
    eval_stmt es;
    zkr_err r;

    *correct = 0;
    if ((r = eval_stmt_of(app, st, 1, &es)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK)
        return r;
    return eval_verify_run(app, st, &es, proof, len, no_sandbox, correct);
}

zkr_err zkr_app_eval_verify_derived(zkr_app *app, const zkr_statement *st, const uint8_t *proof,
                                    size_t len, int no_sandbox, uint64_t *correct)
{
    eval_stmt es;
    zkr_err r;

    *correct = 0;
    if ((r = eval_stmt_of(app, st, 1, &es)) != ZKR_OK)
        return r;
    return eval_verify_run(app, st, &es, proof, len, no_sandbox, correct);
}

static zkr_err eval_worker_verify(const uint8_t *req, size_t req_len, zkr_buf *reply, int fixed,
                                  zkr_diag *d)
{
    zkr_verifier_evaluation_statement st;
    zkr_eval_batch bt;
    zkr_dec dec;
    uint32_t ver;
    const uint8_t *proof;
    size_t proof_len;
    uint64_t correct = 0;
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != EVAL_WORKER_VERSION ||
        eval_dec_digest(&dec, st.statement_id) != ZKR_OK ||
        zkr_dec_u32(&dec, &st.param_set) != ZKR_OK ||
        eval_dec_digest(&dec, st.program_digest) != ZKR_OK ||
        eval_dec_digest(&dec, st.model_commitment) != ZKR_OK ||
        eval_dec_digest(&dec, st.dataset_commitment) != ZKR_OK ||
        eval_dec_batch(&dec, &bt) != ZKR_OK ||
        zkr_dec_bytes(&dec, eval_output_max(fixed == EW_BATCH), &st.output, &st.output_len) !=
            ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "eval-verify request malformed");
    /*
     * Only the range and its records come from the parent's read of the
     * dataset file; n, the root and the boundary hashes are the proof's,
     * checked against the registered dataset commitment by the verifier.
     */
    st.first = bt.first;
    st.count = bt.count;
    st.records = bt.records;
    st.rec_len = bt.rec_len;
    if (fixed == EW_BATCH)
        r = zkr_verify_inference_batch(proof, proof_len, &st, d);
    else if (fixed == EW_FIXED)
        r = zkr_verify_evaluation_fixed(proof, proof_len, &st, &correct, d);
    else
        r = zkr_verify_evaluation(proof, proof_len, &st, &correct, d);
    if (r != ZKR_OK)
        return r;
    return zkr_enc_u64(reply, correct);
}

zkr_err zkr_app_worker_eval_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d)
{
    return eval_worker_verify(req, req_len, reply, EW_EVAL, d);
}

zkr_err zkr_app_worker_evalf_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    return eval_worker_verify(req, req_len, reply, EW_FIXED, d);
}

zkr_err zkr_app_worker_ibatch_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d)
{
    return eval_worker_verify(req, req_len, reply, EW_BATCH, d);
}
