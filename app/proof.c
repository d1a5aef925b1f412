/*
 * proof.c: the prove and verify workflows (app/proof.h) for inference@1
 * statements, and verify for training-step@1 statements.
 *
 * The parent opens the registry and every file, recomputes every binding
 * from the registry (DESIGN.md section 4) and hands bytes to a confined
 * worker ("prove" / "verify", app/workers.c); the worker never opens a file.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/infer.h"
#include "app/proof.h"
#include "app/store.h"
#include "app/infer2.h"
#include "app/train2.h"
#include "app/eval.h"
#include "app/geval.h"
#include "app/ginfer.h"
#include "app/ginfer2.h"
#include "app/train.h"
#include "zk/infer_batch.h"
#include "app/workers.h"
#include "cuda/cuda.h"
#include "ml/ml.h"
#include "prover/prover.h"
#include "zkr_config.h"
#include "app/dataset.h"

#define ZKR_APP_PROOF_MAX ZKR_PROOF_MAX_BYTES

typedef struct {
    zkr_statement st;
    uint32_t param_set;
    uint64_t record_index;
} zkr_proof_stmt;

/* Reports a step of a workflow through its progress callback, if any. */
static void proof_progress(zkr_app_progress_fn progress, const char *msg)
{
    if (progress != NULL)
        progress(msg);
}

zkr_err zkr_app_statement_revoked(zkr_app *app, zkr_registry *reg, const zkr_statement *s)
{
    zkr_err r;

    if ((r = zkr_registry_statement_check_log(reg, s, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_verifier_revoked(reg, s->schema.proof_kind, s->schema.verifier_version,
                                           &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_STATEMENT, s->statement_id, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, s->schema.digest, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, s->program.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, s->model.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, s->dataset.sha256, NULL,
                                        &app->diag)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

/* "verify-unconfined" payload: the "proof" payload's fields (docs/formats.md). */
#define ZKR_EVENT_UNCONFINED "verify-unconfined"

/*
 * Records a verification. A confined one appends the "proof" leaf and row
 * under the write lock, after re-checking every revocation there, so a
 * revocation that landed while the worker ran is not followed by a proof
 * record. An unconfined one (--no-sandbox) is logged as "verify-unconfined",
 * a type that no trust decision (the gate's log-inclusion rule, attest
 * --import-signature, export) accepts as "verified here".
 */
static zkr_err zkr_record_verification(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                                       const uint8_t sha[ZKR_DIGEST_BYTES], int no_sandbox,
                                       uint64_t *log_index)
{
    zkr_buf ev = {0};
    zkr_err r;

    if (no_sandbox) {
        if ((r = zkr_enc_bytes(&ev, st->statement_id, ZKR_DIGEST_BYTES)) == ZKR_OK &&
            (r = zkr_enc_bytes(&ev, sha, ZKR_DIGEST_BYTES)) == ZKR_OK &&
            (r = zkr_enc_str(&ev, ZKR_VERSION)) == ZKR_OK)
            r = zkr_registry_event_append(reg, ZKR_EVENT_UNCONFINED, ev.p, ev.len, log_index,
                                          &app->diag);
        zkr_buf_free(&ev);
        return r;
    }
    if ((r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK)
        return r;
    if ((r = zkr_app_statement_revoked(app, reg, st)) == ZKR_OK &&
        (r = zkr_registry_proof_record(reg, st->statement_id, sha, ZKR_VERSION, log_index,
                                       &app->diag)) == ZKR_OK)
        r = zkr_registry_write_commit(reg, &app->diag);
    zkr_registry_end(reg);
    return r;
}

/* Loads statement ref and checks what the registry itself must agree on. */
static zkr_err zkr_load_stmt(zkr_app *app, zkr_registry *reg, const char *ref, int verifying,
                             zkr_proof_stmt *ps)
{
    const zkr_schema *sc = &ps->st.schema;
    const zkr_param *idx = NULL;
    zkr_err r;

    if ((r = zkr_registry_statement_get(reg, ref, &ps->st, &app->diag)) != ZKR_OK)
        return r;
    if (strcmp(sc->proof_kind, "inference@2") == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "schema %s@%llu: proof kind inference@2 (a private model): prove it with "
                        "--model-file, --model-secrets, --dataset-file and --dataset-secrets",
                        sc->name, (unsigned long long)sc->version);
    if (strcmp(sc->proof_kind, "inference@1") != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', this command proves inference@1",
                        sc->name, (unsigned long long)sc->version, sc->proof_kind);
    if (verifying && (r = zkr_app_verifier_pinned(app, sc)) != ZKR_OK)
        return r;
    if ((r = zkr_app_param_set_of(app, sc, &ps->param_set)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, &ps->st)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < ps->st.n_params; i++)
        if (strcmp(ps->st.params[i].name, "record_index") == 0 ||
            strcmp(ps->st.params[i].name, "record") == 0)
            idx = &ps->st.params[i];
    if (!idx || idx->type != ZKR_PARAM_U64 ||
        zkr_app_parse_u64(app, "record_index", idx->text, &ps->record_index) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: inference@1 needs a u64 field 'record_index'", sc->name,
                        (unsigned long long)sc->version);
    if (!ps->st.has_public_output || ps->st.public_output.len == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement has no public output to prove");
    if (zkr_app_model_is_graph(app, &ps->st.model))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "model %lld is a graph (CNN) model, program version 2; schema %s@%llu is "
                        "inference@1 (dense models): a graph model is proven under a "
                        ZKR_APP_GINF_KIND " schema",
                        (long long)ps->st.model.id, sc->name, (unsigned long long)sc->version);
    if (!ps->st.model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "model %lld has no commitment (register it from ONNX or a quantized model)",
                        (long long)ps->st.model.id);
    if (!ps->st.dataset.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)ps->st.dataset.id);
    return ZKR_OK;
}

/* Opens the dataset, recomputes its commitment and record index's path. */
static zkr_err zkr_load_record(zkr_app *app, const zkr_proof_stmt *ps, const char *file,
                               zkr_dataset **ds, zkr_infer_record *rec,
                               uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES])
{
    char sp[4096];
    zkr_buf stored = {0};
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (!file) {
        if ((r = zkr_app_store_path(app, "datasets", ps->st.dataset.sha256, ".path", sp,
                                    sizeof sp)) != ZKR_OK ||
            (r = zkr_file_read(sp, 4095, &stored, &app->diag)) != ZKR_OK)
            return zkr_fail(&app->diag, r == ZKR_OK ? ZKR_ERR_NOT_FOUND : r,
                            "dataset %lld: its file is unknown here; pass --dataset-file PATH",
                            (long long)ps->st.dataset.id);
        memcpy(sp, stored.p, stored.len);
        sp[stored.len] = '\0';
        zkr_buf_free(&stored);
        file = sp;
    }
    if ((r = zkr_dataset_open(file, ds, &app->diag)) != ZKR_OK)
        return r;
    memset(rec, 0, sizeof *rec);
    rec->index = ps->record_index;
    rec->n_records = zkr_dataset_count(*ds);
    if (rec->index >= rec->n_records)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT, "record %llu past the end (%llu)",
                        (unsigned long long)rec->index, (unsigned long long)rec->n_records);
    if ((r = zkr_infer_dataset_commit(*ds, rec->index, rec->root, comm, path, &rec->path_len)) !=
            ZKR_OK ||
        (r = zkr_dataset_record(*ds, rec->index, &rec->record, &rec->record_len)) != ZKR_OK)
        return zkr_fail(&app->diag, r, "%s: cannot read record %llu", file,
                        (unsigned long long)rec->index);
    rec->path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    if (sodium_memcmp(comm, ps->st.dataset.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: its commitment differs from dataset %lld's registered commitment",
                        file, (long long)ps->st.dataset.id);
    return ZKR_OK;
}

static zkr_err zkr_prove_request(const zkr_proof_stmt *ps, const zkr_buf *model, uint32_t threads,
                                 uint32_t use_cuda, const zkr_infer_record *rec, zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, 1)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ps->param_set)) != ZKR_OK || (r = zkr_enc_u32(req, threads)) != ZKR_OK ||
        (r = zkr_enc_u32(req, use_cuda)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, model->p, model->len)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, rec->index)) != ZKR_OK || (r = zkr_enc_u64(req, rec->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, rec->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, rec->record, rec->record_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)rec->path_len)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < rec->path_len; i++)
        if ((r = zkr_buf_append(req, rec->path[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

static double zkr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static zkr_err zkr_prove_finish(zkr_app *app, const zkr_proof_stmt *ps, const zkr_buf *reply,
                                const char *out, zkr_app_prove_result *res)
{
    zkr_dec dec;
    const uint8_t *proof, *output;
    size_t proof_len, output_len;
    zkr_err r;

    zkr_dec_init(&dec, reply->p, reply->len);
    if (zkr_dec_bytes(&dec, ZKR_APP_PROOF_MAX, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, (size_t)1 << 20, &output, &output_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "prover worker reply malformed");
    if (output_len != ps->st.public_output.len ||
        memcmp(output, ps->st.public_output.p, output_len) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model's output on record %llu differs from the statement's public "
                        "output; no proof written", (unsigned long long)ps->record_index);
    if ((r = zkr_file_write_atomic(out, proof, proof_len, 0644, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(proof, proof_len, res->sha256);
    res->bytes = proof_len;
    return ZKR_OK;
}

/*
 * Where the prover runs (docs/cuda.md), decided before any work: the CPU
 * ("prove" worker, prover policy); the GPU when asked or when auto finds a
 * device ("prove-cuda" worker, prover-cuda policy, docs/sandbox.md); a
 * refusal when cuda was asked for and no device can be had. The GPU policy
 * is chosen only here, only with a device present.
 */
static zkr_err zkr_prove_backend(zkr_app *app, const zkr_app_prove_opts *a, uint32_t *use_cuda)
{
    zkr_backend b;
    zkr_cuda_info info;
    zkr_err r;

    *use_cuda = 0;
    if ((r = zkr_backend_parse(a->backend, &b, &app->diag)) != ZKR_OK)
        return r;
    if (b == ZKR_BACKEND_CPU)
        return ZKR_OK;
    zkr_cuda_probe_count(&info); /* no context in the parent: the worker makes its own */
    if (info.n_devices < 1) {
        if (b == ZKR_BACKEND_AUTO)
            return ZKR_OK;
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "--backend cuda: no usable CUDA device: %s (--backend cpu or auto proves "
                        "on the CPU)", info.why);
    }
    *use_cuda = 1;
    return ZKR_OK;
}

/*
 * A seed is for the hiding kinds only. They are not proven by this
 * command yet (the hiding provers take the seed as (ptr, len), see
 * prover/zk_rand.c): a seed that passes the checks is refused as
 * unsupported rather than silently ignored.
 */
static zkr_err prove_zk_seed_check(zkr_app *app, const zkr_app_prove_opts *o, int infer2)
{
    zkr_err r;

    if (o->zk_seed != NULL && o->zk_seed_len != ZKR_ZK_SEED_BYTES)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--zk-seed: %zu bytes, %d expected",
                        o->zk_seed_len, ZKR_ZK_SEED_BYTES);
    if ((r = zkr_app_zk_seed_applies(app, o->statement)) != ZKR_OK)
        return r;
    if (infer2 || o->dataset_secrets != NULL)
        return ZKR_OK; /* inference@2 or training-step@2: the owners' files name which */
    return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                    "statement %s has a hiding proof kind: inference@2 is proven with "
                    "--model-file, --model-secrets, --dataset-file and --dataset-secrets (the "
                    "owners' files); training-step@2 with --dataset-file and --dataset-secrets",
                    o->statement);
}

/*
 * inference@2 (app/infer2.c) and graph-inference@2 (app/ginfer2.c): the
 * statement's kind and record index, then the owners' files.
 */
static zkr_err prove_infer2(zkr_app *app, zkr_registry *reg, const zkr_app_prove_opts *o,
                            zkr_app_prove_result *res)
{
    zkr_app_infer2_opts io;
    zkr_statement st;
    uint64_t index = 0;
    int found = 0, graph;
    zkr_err r;

    memset(&st, 0, sizeof st);
    if ((r = zkr_registry_statement_get(reg, o->statement, &st, &app->diag)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, &st)) != ZKR_OK)
        goto out;
    graph = zkr_app_ginf2_kind_is(st.schema.proof_kind);
    if (strcmp(st.schema.proof_kind, "inference@2") != 0 && !graph) {
        r = zkr_fail(&app->diag, ZKR_ERR_USAGE, "--model-secrets applies to inference@2 and "
                     ZKR_APP_GINF2_KIND " statements; statement %s is %s", o->statement,
                     st.schema.proof_kind);
        goto out;
    }
    for (size_t i = 0; i < st.n_params; i++)
        if (strcmp(st.params[i].name, "record_index") == 0 && st.params[i].type == ZKR_PARAM_U64 &&
            zkr_app_parse_u64(app, "record_index", st.params[i].text, &index) == ZKR_OK)
            found = 1;
    if (!found) {
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "schema %s@%llu: inference@2 needs a u64 "
                     "field 'record_index'", st.schema.name,
                     (unsigned long long)st.schema.version);
        goto out;
    }
    /* The openings are reserved before the proof is written: an output path that cannot be
     * written would spend them for nothing (found in adversarial review). */
    if ((r = zkr_app_out_probe(app, o->out, "a proof")) != ZKR_OK)
        goto out;
    io = (zkr_app_infer2_opts){.out = o->out, .model_file = o->model_file,
                               .model_secrets = o->model_secrets,
                               .dataset_file = o->dataset_file,
                               .dataset_secrets = o->dataset_secrets,
                               .output_secrets = o->output_secrets, .pass = o->pass,
                               .zk_seed = o->zk_seed, .zk_seed_len = o->zk_seed_len,
                               .threads = o->threads, .no_sandbox = o->no_sandbox};
    if (graph) {
        if (o->backend != NULL && strcmp(o->backend, "cuda") == 0)
            r = zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED, "--backend cuda: " ZKR_APP_GINF2_KIND
                         " proves on the CPU only (--backend cpu or auto)");
        else
            proof_progress(o->progress, "proving " ZKR_APP_GINF2_KIND " in the confined worker");
        if (r == ZKR_OK)
            r = zkr_app_ginf2_prove(app, &st, &io, res);
        goto out;
    }
    proof_progress(o->progress, "proving inference@2 in the confined worker");
    r = zkr_app_infer2_prove(app, &st, index, &io, res);
out:
    zkr_statement_free(&st);
    return r;
}

/* training-step@2 (app/train2.c): the data owner's shard and secrets, the rest from the registry. */
static zkr_err prove_train2(zkr_app *app, zkr_registry *reg, const zkr_app_prove_opts *o,
                            const zkr_statement *st, zkr_app_prove_result *res)
{
    zkr_app_train2_opts to;
    zkr_err r;

    if ((r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK)
        return r;
    to = (zkr_app_train2_opts){.out = o->out, .dataset_file = o->dataset_file,
                               .dataset_secrets = o->dataset_secrets, .pass = o->pass,
                               .zk_seed = o->zk_seed, .zk_seed_len = o->zk_seed_len,
                               .threads = o->threads, .no_sandbox = o->no_sandbox};
    proof_progress(o->progress, "proving training-step@2 in the confined worker");
    return zkr_app_train2_prove(app, reg, st, &to, res);
}

/*
 * Without --dataset-file the prover reads the dataset file remembered at
 * registration: the proof may not replace it (or its labels file) either.
 */
static zkr_err prove_out_guard_dataset(zkr_app *app, zkr_registry *reg,
                                       const zkr_app_prove_opts *o)
{
    zkr_statement st;
    zkr_diag quiet = {0};
    char path[4096];
    const char *const keep[] = {path};
    zkr_err r = ZKR_OK;

    memset(&st, 0, sizeof st);
    if (o->dataset_file != NULL || o->out == NULL)
        return ZKR_OK;
    /* An unknown or refused statement is the prover's to name; a failed get may have
     * filled part of st, so it is freed either way. */
    if (zkr_registry_statement_get(reg, o->statement, &st, &quiet) == ZKR_OK &&
        zkr_app_dataset_remembered(app, st.dataset.sha256, path, sizeof path) == ZKR_OK)
        r = zkr_app_out_guard(app, o->out, "a proof", keep, 1);
    zkr_statement_free(&st);
    return r;
}

/* A graph kind's prover (zkr_app_geval_prove, zkr_app_ginf_prove). */
typedef zkr_err (*prove_graph_fn)(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                                  const char *dataset_file, uint32_t threads, int no_sandbox,
                                  const char *out, zkr_app_prove_result *res);

/* The graph kinds prove on the CPU only: --backend cuda is refused naming kind. */
static zkr_err prove_graph(zkr_app *app, zkr_registry *reg, const zkr_app_prove_opts *o,
                           const zkr_statement *st, const char *kind, const char *step,
                           prove_graph_fn prove, zkr_app_prove_result *res)
{
    if (o->backend != NULL && strcmp(o->backend, "cuda") == 0)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "--backend cuda: %s proves on the CPU only (--backend cpu or auto)", kind);
    proof_progress(o->progress, step);
    return prove(app, reg, st, o->dataset_file, o->threads, o->no_sandbox, o->out, res);
}

zkr_err zkr_app_prove(zkr_app *app, const zkr_app_prove_opts *o, zkr_app_prove_result *res)
{
    zkr_proof_stmt ps;
    zkr_registry *reg = NULL;
    zkr_dataset *ds = NULL;
    zkr_infer_record rec;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_buf model = {0}, req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    uint32_t use_cuda;
    double t0;
    const char *const keep[] = {o->dataset_file, o->model_file, o->model_secrets,
                                o->dataset_secrets, o->output_secrets};
    zkr_err r;

    memset(&ps, 0, sizeof ps);
    memset(res, 0, sizeof *res);
    /* The proof is renamed over o->out: never over the registry, its store or an input. */
    if ((r = zkr_app_out_guard(app, o->out, "a proof", keep, sizeof keep / sizeof *keep)) !=
        ZKR_OK)
        return r;
    if ((o->zk_seed != NULL || o->model_secrets != NULL) &&
        (r = prove_zk_seed_check(app, o, o->model_secrets != NULL)) != ZKR_OK)
        return r;
    if ((r = zkr_prove_backend(app, o, &use_cuda)) != ZKR_OK)
        return r;
    so.no_sandbox = o->no_sandbox;
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK ||
        (r = prove_out_guard_dataset(app, reg, o)) != ZKR_OK)
        goto out;
    if (zkr_app_eval_is(reg, o->statement, &ps.st)) {
        /* evaluation@1 (app/eval.c): the CPU prover in its own worker. */
        r = zkr_app_eval_prove(app, reg, &ps.st, o->dataset_file, o->threads, o->no_sandbox,
                               o->out, res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (zkr_app_geval_is(reg, o->statement, &ps.st)) {
        /* evaluation-graph@1 (app/geval.c): the CPU batch prover in its own worker. */
        r = prove_graph(app, reg, o, &ps.st, ZKR_APP_GEVAL_KIND,
                        "proving the graph evaluation in the confined worker", zkr_app_geval_prove,
                        res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (zkr_app_ginf_is(reg, o->statement, &ps.st)) {
        /* graph-inference@1 (app/ginfer.c): the CPU prover in its own worker. */
        r = prove_graph(app, reg, o, &ps.st, ZKR_APP_GINF_KIND,
                        "proving the graph inference in the confined worker", zkr_app_ginf_prove,
                        res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (o->model_secrets != NULL) {
        r = prove_infer2(app, reg, o, res);
        goto out;
    }
    if (zkr_registry_statement_get(reg, o->statement, &ps.st, &app->diag) == ZKR_OK &&
        strcmp(ps.st.schema.proof_kind, ZKR_APP_TRAIN2_KIND) == 0) {
        r = prove_train2(app, reg, o, &ps.st, res);
        goto out;
    }
    zkr_diag_clear(&app->diag);
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (o->dataset_secrets != NULL) {
        r = zkr_fail(&app->diag, ZKR_ERR_USAGE, "--dataset-secrets without --model-secrets "
                     "applies to training-step@2 statements; statement %s is not one",
                     o->statement);
        goto out;
    }
    if ((r = zkr_load_stmt(app, reg, o->statement, 0, &ps)) != ZKR_OK)
        goto out;
    proof_progress(o->progress, "loading the model and the record");
    if ((r = zkr_app_store_model(app, &ps.st.model, 0, &model)) != ZKR_OK ||
        (r = zkr_load_record(app, &ps, o->dataset_file, &ds, &rec, path)) != ZKR_OK ||
        (r = zkr_prove_request(&ps, &model, o->threads, use_cuda, &rec, &req)) != ZKR_OK)
        goto out;
    proof_progress(o->progress, "proving in the confined worker");
    t0 = zkr_now();
    r = zkr_sandbox_call(zkr_app_workers, use_cuda ? "prove-cuda" : "prove", &so, req.p, req.len, &reply, &sres,
                         &app->diag);
    if (r != ZKR_OK)
        goto out;
    res->seconds = zkr_now() - t0;
    r = zkr_prove_finish(app, &ps, &reply, o->out, res);
out:
    zkr_buf_free(&model);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_dataset_free(ds);
    zkr_statement_free(&ps.st);
    zkr_registry_close(reg);
    return r;
}

static zkr_err zkr_verify_request(const zkr_proof_stmt *ps, const zkr_buf *proof, zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, 1)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ps->param_set)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.dataset.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, ps->record_index)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, ps->st.public_output.p, ps->st.public_output.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, proof->p, proof->len);
}

/* The proof file, read whole, before a confined verification (progress told). */
static zkr_err verify_read(zkr_app *app, const zkr_app_verify_opts *o, zkr_buf *proof)
{
    zkr_err r = zkr_file_read(o->proof, ZKR_APP_PROOF_MAX, proof, &app->diag);

    if (r == ZKR_OK)
        proof_progress(o->progress, "verifying in the confined worker");
    return r;
}

/* An accepted proof: the time since t0, its digest, then the verification logged. */
static zkr_err verify_record(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                             const zkr_statement *st, const zkr_buf *proof, double t0,
                             zkr_app_verify_result *res)
{
    res->seconds = zkr_now() - t0;
    zkr_sha256(proof->p, proof->len, res->proof_sha256);
    memcpy(res->statement_id, st->statement_id, ZKR_DIGEST_BYTES);
    return zkr_record_verification(app, reg, st, res->proof_sha256, o->no_sandbox,
                                   &res->log_index);
}

/* training-step@1 statements: every binding value from the registry (app/train.c). */
static zkr_err zkr_verify_training(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                                   const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_buf proof = {0};
    double t0 = zkr_now();
    zkr_err r;

    res->kind = "training-step@1";
    if ((r = verify_read(app, o, &proof)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_train_verify(app, reg, st, NULL, proof.p, proof.len, o->no_sandbox)) !=
        ZKR_OK)
        goto out;
    r = verify_record(app, reg, o, st, &proof, t0, res);
out:
    zkr_buf_free(&proof);
    return r;
}

/* Returns 1 when statement ref exists and is a training-step@1 statement (loaded into *st). */
static int zkr_is_training(zkr_registry *reg, const char *ref, zkr_statement *st)
{
    zkr_diag scratch = {0};

    if (zkr_registry_statement_get(reg, ref, st, &scratch) != ZKR_OK)
        return 0;
    return strcmp(st->schema.proof_kind, "training-step@1") == 0;
}

/* evaluation@1 statements: every binding value from the registry (app/eval.c). */
static zkr_err zkr_verify_evaluation(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                                     const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_buf proof = {0};
    double t0 = zkr_now();
    zkr_err r;

    res->kind = strcmp(st->schema.proof_kind, "evaluation@1") == 0       ? "evaluation@1"
                : strcmp(st->schema.proof_kind, ZKR_IBATCH_NAME) == 0 ? ZKR_IBATCH_NAME
                                                                      : "evaluation-fixed@1";
    if ((r = verify_read(app, o, &proof)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_eval_verify(app, reg, st, proof.p, proof.len, o->no_sandbox,
                                 &res->correct)) != ZKR_OK)
        goto out;
    res->has_correct = strcmp(res->kind, ZKR_IBATCH_NAME) != 0;
    r = verify_record(app, reg, o, st, &proof, t0, res);
out:
    zkr_buf_free(&proof);
    return r;
}

/* graph-inference@1 statements: every binding value from the registry (app/ginfer.c). */
static zkr_err zkr_verify_graph(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                                const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_buf proof = {0};
    double t0 = zkr_now();
    zkr_err r;

    res->kind = ZKR_APP_GINF_KIND;
    if ((r = verify_read(app, o, &proof)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_ginf_verify(app, reg, st, proof.p, proof.len, o->no_sandbox)) != ZKR_OK)
        goto out;
    r = verify_record(app, reg, o, st, &proof, t0, res);
out:
    zkr_buf_free(&proof);
    return r;
}

/* evaluation-graph@1 statements: every binding value from the registry (app/geval.c). */
static zkr_err verify_geval(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                            const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_buf proof = {0};
    double t0 = zkr_now();
    zkr_err r;

    res->kind = ZKR_APP_GEVAL_KIND;
    if ((r = verify_read(app, o, &proof)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_geval_verify(app, reg, st, proof.p, proof.len, o->no_sandbox,
                                  &res->correct)) != ZKR_OK)
        goto out;
    {
        /* Exact mode proves the count itself; a threshold proves only "at least tau". */
        unsigned mode = ZKR_EVAL_MODE_THRESHOLD;
        uint64_t n, v;
        res->has_correct =
            zkr_eval_output_decode(st->public_output.p, st->public_output.len, &mode, &n, &v) ==
                ZKR_OK &&
            mode == ZKR_EVAL_MODE_EXACT;
    }
    r = verify_record(app, reg, o, st, &proof, t0, res);
out:
    zkr_buf_free(&proof);
    return r;
}

/* inference@2: the bindings from the registry, the proof in the infer2-verify worker. */
static zkr_err verify_infer2(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                             const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf proof = {0}, req = {0}, reply = {0};
    uint64_t index = 0;
    uint32_t set;
    int found = 0;
    double t0;
    zkr_err r;

    res->kind = "inference@2";
    so.no_sandbox = o->no_sandbox;
    /* as every other kind: a schema from an older registry may pin another verifier */
    if ((r = zkr_app_verifier_pinned(app, &st->schema)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, "record_index") == 0 &&
            st->params[i].type == ZKR_PARAM_U64 &&
            zkr_app_parse_u64(app, "record_index", st->params[i].text, &index) == ZKR_OK)
            found = 1;
    if (!found)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "schema %s@%llu: inference@2 needs a u64 "
                        "field 'record_index'", st->schema.name,
                        (unsigned long long)st->schema.version);
    if ((r = zkr_app_param_set_any(app, &st->schema, &set)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = zkr_file_read(o->proof, ZKR_APP_PROOF_MAX, &proof, &app->diag)) != ZKR_OK ||
        (r = zkr_app_infer2_verify_request(st, set, index, proof.p, proof.len, &req)) != ZKR_OK)
        goto out;
    proof_progress(o->progress, "verifying inference@2 in the confined worker");
    t0 = zkr_now();
    r = zkr_sandbox_call(zkr_app_workers, "infer2-verify", &so, req.p, req.len, &reply, &sres,
                         &app->diag);
    res->seconds = zkr_now() - t0;
    if (r != ZKR_OK)
        goto out;
    zkr_sha256(proof.p, proof.len, res->proof_sha256);
    memcpy(res->statement_id, st->statement_id, ZKR_DIGEST_BYTES);
    r = zkr_record_verification(app, reg, st, res->proof_sha256, o->no_sandbox, &res->log_index);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* graph-inference@2: the bindings from the registry, the proof in the ginfer2-verify worker. */
static zkr_err verify_ginf2(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                            const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_buf proof = {0};
    double t0;
    zkr_err r;

    res->kind = ZKR_APP_GINF2_KIND;
    if ((r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = verify_read(app, o, &proof)) != ZKR_OK)
        goto out;
    t0 = zkr_now();
    if ((r = zkr_app_ginf2_verify(app, st, proof.p, proof.len, o->no_sandbox)) != ZKR_OK)
        goto out;
    r = verify_record(app, reg, o, st, &proof, t0, res);
out:
    zkr_buf_free(&proof);
    return r;
}

/* training-step@2: the bindings from the registry, the proof in the train2-verify worker. */
static zkr_err verify_train2(zkr_app *app, zkr_registry *reg, const zkr_app_verify_opts *o,
                             const zkr_statement *st, zkr_app_verify_result *res)
{
    zkr_buf proof = {0};
    double t0;
    zkr_err r;

    res->kind = ZKR_APP_TRAIN2_KIND;
    if ((r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = zkr_file_read(o->proof, ZKR_APP_PROOF_MAX, &proof, &app->diag)) != ZKR_OK)
        goto out;
    proof_progress(o->progress, "verifying training-step@2 in the confined worker");
    t0 = zkr_now();
    r = zkr_app_train2_verify(app, reg, st, NULL, 0, proof.p, proof.len, o->no_sandbox);
    res->seconds = zkr_now() - t0;
    if (r != ZKR_OK)
        goto out;
    zkr_sha256(proof.p, proof.len, res->proof_sha256);
    memcpy(res->statement_id, st->statement_id, ZKR_DIGEST_BYTES);
    r = zkr_record_verification(app, reg, st, res->proof_sha256, o->no_sandbox, &res->log_index);
out:
    zkr_buf_free(&proof);
    return r;
}

zkr_err zkr_app_verify(zkr_app *app, const zkr_app_verify_opts *o, zkr_app_verify_result *res)
{
    zkr_proof_stmt ps;
    zkr_registry *reg = NULL;
    zkr_buf proof = {0}, req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    double t0;
    zkr_err r;

    memset(&ps, 0, sizeof ps);
    memset(res, 0, sizeof *res);
    so.no_sandbox = o->no_sandbox;
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK)
        goto out;
    if (zkr_is_training(reg, o->statement, &ps.st)) {
        r = zkr_verify_training(app, reg, o, &ps.st, res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (zkr_app_eval_is(reg, o->statement, &ps.st)) {
        r = zkr_verify_evaluation(app, reg, o, &ps.st, res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (zkr_app_ginf_is(reg, o->statement, &ps.st)) {
        r = zkr_verify_graph(app, reg, o, &ps.st, res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if (zkr_app_geval_is(reg, o->statement, &ps.st)) {
        r = verify_geval(app, reg, o, &ps.st, res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if ((r = zkr_registry_statement_get(reg, o->statement, &ps.st, &app->diag)) == ZKR_OK &&
        strcmp(ps.st.schema.proof_kind, "inference@2") == 0) {
        r = verify_infer2(app, reg, o, &ps.st, res);
        goto out;
    }
    if (r == ZKR_OK && strcmp(ps.st.schema.proof_kind, ZKR_APP_TRAIN2_KIND) == 0) {
        r = verify_train2(app, reg, o, &ps.st, res);
        goto out;
    }
    if (r == ZKR_OK && zkr_app_ginf2_kind_is(ps.st.schema.proof_kind)) {
        r = verify_ginf2(app, reg, o, &ps.st, res);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    res->kind = "inference@1";
    if ((r = zkr_load_stmt(app, reg, o->statement, 1, &ps)) != ZKR_OK ||
        (r = zkr_file_read(o->proof, ZKR_APP_PROOF_MAX, &proof, &app->diag)) != ZKR_OK ||
        (r = zkr_verify_request(&ps, &proof, &req)) != ZKR_OK)
        goto out;
    proof_progress(o->progress, "verifying in the confined worker");
    t0 = zkr_now();
    r = zkr_sandbox_call(zkr_app_workers, "verify", &so, req.p, req.len, &reply, &sres,
                         &app->diag);
    res->seconds = zkr_now() - t0;
    if (r != ZKR_OK)
        goto out;
    zkr_sha256(proof.p, proof.len, res->proof_sha256);
    memcpy(res->statement_id, ps.st.statement_id, ZKR_DIGEST_BYTES);
    r = zkr_record_verification(app, reg, &ps.st, res->proof_sha256, o->no_sandbox,
                                &res->log_index);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_statement_free(&ps.st);
    zkr_registry_close(reg);
    return r;
}
