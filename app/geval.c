/*
 * evaluation-graph@1 through the product (app/geval.h): statement checks,
 * the native count, prove and verify in the confined "geval-prove" /
 * "geval-verify" workers (app/workers.c); the workers never open a file.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/eval.h"
#include "app/geval.h"
#include "app/ginfer.h"
#include "app/store.h"
#include "app/workers.h"
#include "prover/geval.h"
#include "prover/prover.h"
#include "verifier/geval.h"
#include "zkr_config.h"

#define GEVAL_WORKER_VERSION 1u

/* What an evaluation-graph@1 statement binds beyond the artifacts. */
typedef struct {
    uint32_t param_set;
    uint64_t first, count; /* count 0: to the end of the dataset */
    unsigned mode;
    uint64_t out_count, value; /* the public output's record count and value */
} geval_stmt;

int zkr_app_geval_kind_is(const char *kind)
{
    return kind != NULL && strcmp(kind, ZKR_APP_GEVAL_KIND) == 0;
}

int zkr_app_geval_is(zkr_registry *reg, const char *ref, zkr_statement *st)
{
    zkr_diag scratch = {0};

    if (zkr_registry_statement_get(reg, ref, st, &scratch) != ZKR_OK)
        return 0;
    return zkr_app_geval_kind_is(st->schema.proof_kind);
}

static double geval_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static zkr_err geval_dec_digest(zkr_dec *d, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    zkr_err r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &p);

    if (r == ZKR_OK)
        memcpy(out, p, ZKR_DIGEST_BYTES);
    return r;
}

/* The range's count limit, named; the layout's own limits come later. */
static zkr_err geval_limit(zkr_app *app, uint64_t first, uint64_t count)
{
    if (count > ZKR_GEVAL_MAX_RECORDS)
        return zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE,
                        "records %llu..+%llu: " ZKR_APP_GEVAL_KIND " proves at most %u records "
                        "(ZKR_GEVAL_MAX_RECORDS) in one proof; split the range",
                        (unsigned long long)first, (unsigned long long)count,
                        ZKR_GEVAL_MAX_RECORDS);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* The model: commitment, public parameters, batch layout               */
/* ------------------------------------------------------------------ */

/* The batch layout of count records over the graph model (bytes): the prover's own check. */
static zkr_err geval_layout(const uint8_t *model, size_t model_len, uint64_t count, zkr_diag *d)
{
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    zkr_ginf_shape *s = NULL;
    int64_t *store = NULL;
    zkr_params p;
    zkr_err r;

    if ((r = zkr_ml_gmodel_decode(model, model_len, &gm, d)) != ZKR_OK)
        goto out;
    if (!(mp = calloc(1, sizeof *mp)) || !(s = malloc(sizeof *s))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_ginf_from_gmodel(gm, &in, mp, &store)) != ZKR_OK ||
        (r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        goto out;
    r = zkr_ginf_shape_init_batch(s, in.g, mp, zkr_geval_lb((uint32_t)count), p.max_vars, d);
out:
    free(s);
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return r;
}

/* ------------------------------------------------------------------ */
/* register-statement                                                   */
/* ------------------------------------------------------------------ */

static zkr_err kv_u64(zkr_app *app, const zkr_kv *kv, size_t nkv, const char *name, uint64_t *v,
                      int *found)
{
    *found = 0;
    for (size_t i = 0; i < nkv; i++)
        if (strcmp(kv[i].key, name) == 0) {
            if (zkr_app_parse_u64(app, name, kv[i].value, v) != ZKR_OK)
                return ZKR_ERR_MALFORMED; /* the parser named it */
            *found = 1;
        }
    return ZKR_OK;
}

/* The public output, when given, is an evaluation output over the range's records. */
static zkr_err geval_output_check(zkr_app *app, const uint8_t *po, size_t po_len, uint64_t count)
{
    unsigned mode;
    uint64_t oc, value;

    if (po == NULL)
        return ZKR_OK;
    if (zkr_eval_output_decode(po, po_len, &mode, &oc, &value) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "the public output is not an evaluation output (17 bytes: mode, count, "
                        "value: docs/formats.md); --public-output-from-model computes it");
    if (oc != count)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "the public output covers %llu records, the statement's range %llu",
                        (unsigned long long)oc, (unsigned long long)count);
    return ZKR_OK;
}

zkr_err zkr_app_geval_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                      const char *model, const char *dataset, const zkr_kv *kv,
                                      size_t nkv, const uint8_t *po, size_t po_len)
{
    zkr_schema sc;
    zkr_artifact m, ds;
    zkr_diag quiet = {0};
    zkr_buf mb = {0};
    uint64_t first = 0, count = 0;
    int has_first, has_count;
    zkr_err r;

    if (schema == NULL || zkr_registry_schema_get(reg, schema, &sc, &quiet) != ZKR_OK ||
        !zkr_app_geval_kind_is(sc.proof_kind))
        return ZKR_OK;
    if ((r = zkr_app_eval_schema_check(app, &sc)) != ZKR_OK)
        return r;
    if ((r = kv_u64(app, kv, nkv, "record_first", &first, &has_first)) != ZKR_OK ||
        (r = kv_u64(app, kv, nkv, "record_count", &count, &has_count)) != ZKR_OK)
        return r;
    if (has_count && count == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "record_count 0: an empty range");
    if (has_count && (r = geval_limit(app, first, count)) != ZKR_OK)
        return r;
    if (dataset == NULL ||
        zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, dataset, &ds, &quiet) != ZKR_OK ||
        model == NULL || zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, model, &m, &quiet) != ZKR_OK)
        return ZKR_OK; /* the registration names what is unknown */
    if (!has_count)
        count = first < ds.record_count ? ds.record_count - first : 0;
    if (count == 0 || first >= ds.record_count || count > ds.record_count - first)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "records %llu..+%llu: dataset %lld has %llu records",
                        (unsigned long long)first, (unsigned long long)count, (long long)ds.id,
                        (unsigned long long)ds.record_count);
    if ((r = geval_limit(app, first, count)) != ZKR_OK ||
        (r = geval_output_check(app, po, po_len, count)) != ZKR_OK)
        return r;
    if (!m.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "model %lld has no graph-inference@1 commitment, which "
                        ZKR_APP_GEVAL_KIND " proves against (register-model said why)",
                        (long long)m.id);
    /* The layout is the prover's first check: refused here, nothing is registered. */
    if ((r = zkr_app_store_model(app, &m, 1, &mb)) == ZKR_OK &&
        (r = geval_layout(mb.p, mb.len, count, &quiet)) != ZKR_OK)
        (void)zkr_fail(&app->diag, r, "model %lld over %llu records: %s", (long long)m.id,
                       (unsigned long long)count, quiet.msg);
    zkr_buf_free(&mb);
    return r;
}

zkr_err zkr_app_geval_count(zkr_app *app, const uint8_t *model, size_t model_len,
                            const zkr_dataset *ds, uint64_t first, uint64_t count,
                            uint64_t *correct)
{
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    int64_t *store = NULL;
    uint8_t *records = NULL;
    uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES];
    zkr_eval_batch bt;
    zkr_err r;

    *correct = 0;
    if ((r = geval_limit(app, first, count)) != ZKR_OK)
        return r;
    if ((r = zkr_ml_gmodel_decode(model, model_len, &gm, &app->diag)) != ZKR_OK)
        goto out;
    if (!(mp = calloc(1, sizeof *mp))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_ginf_from_gmodel(gm, &in, mp, &store)) != ZKR_OK ||
        (r = zkr_eval_batch_of(ds, first, count, &records, bound, &bt, &app->diag)) != ZKR_OK)
        goto out;
    if ((r = zkr_geval_count(&in, bt.records, (size_t)count * bt.rec_len, count, correct)) !=
        ZKR_OK)
        r = zkr_fail(&app->diag, r, "records of %zu bytes: the program's input is %zu bytes "
                     "and a label", bt.rec_len, (size_t)zkr_ml_gprog_elems(in.g, 0));
out:
    free(records);
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return r;
}

/* ------------------------------------------------------------------ */
/* The statement at prove and verify time                               */
/* ------------------------------------------------------------------ */

/* The statement's own consistency: kind, pins, commitments, range, output. */
static zkr_err geval_stmt_of(zkr_app *app, const zkr_statement *st, int verifying, geval_stmt *es)
{
    const zkr_schema *sc = &st->schema;
    zkr_err r;

    memset(es, 0, sizeof *es);
    if (!zkr_app_geval_kind_is(sc->proof_kind))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', not " ZKR_APP_GEVAL_KIND, sc->name,
                        (unsigned long long)sc->version, sc->proof_kind);
    if (verifying && (r = zkr_app_verifier_pinned(app, sc)) != ZKR_OK)
        return r;
    if ((r = zkr_app_param_set_of(app, sc, &es->param_set)) != ZKR_OK ||
        (r = zkr_app_eval_range(app, st, ZKR_APP_GEVAL_KIND, &es->first, &es->count)) != ZKR_OK)
        return r;
    if (!st->model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "model %lld has no graph-inference@1 commitment (its program has a node "
                        "this kind does not prove; register-model said which)",
                        (long long)st->model.id);
    if (!st->dataset.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)st->dataset.id);
    if (!st->has_public_output ||
        zkr_eval_output_decode(st->public_output.p, st->public_output.len, &es->mode,
                               &es->out_count, &es->value) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement's public output is not an evaluation output (mode, count, "
                        "value: docs/formats.md)");
    return ZKR_OK;
}

/* The dataset's range (zkr_app_eval_data_open, this kind's limit), then the output's count. */
static zkr_err geval_data_open(zkr_app *app, const zkr_statement *st, const char *file,
                               const geval_stmt *es, zkr_app_eval_data *e)
{
    uint64_t count;
    zkr_err r;

    if ((r = zkr_app_eval_data_open(app, st, file, es->first, es->count, geval_limit, e,
                                    &count)) != ZKR_OK)
        return r;
    if (es->out_count != count)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the public output covers %llu records, the statement's range "
                        "%llu..+%llu",
                        (unsigned long long)es->out_count, (unsigned long long)es->first,
                        (unsigned long long)count);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Prove                                                                */
/* ------------------------------------------------------------------ */

/*
 * Request ("geval-prove", docs/ipc.md): u32 version | statement_id | u32
 * set | u32 threads | bytes model | model commitment | u32 mode | u64
 * value | u64 n | R | u64 first | u64 count | u32 rec_len | count x
 * rec_len record bytes | u32 n_bound | n_bound hashes. Reply: bytes proof |
 * u64 correct.
 */
static zkr_err geval_prove_request(const zkr_statement *st, const geval_stmt *es,
                                   const zkr_buf *model, uint32_t threads, const zkr_eval_batch *bt,
                                   zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, GEVAL_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, es->param_set)) != ZKR_OK || (r = zkr_enc_u32(req, threads)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, model->p, model->len)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, es->mode)) != ZKR_OK || (r = zkr_enc_u64(req, es->value)) != ZKR_OK ||
        (r = zkr_enc_u64(req, bt->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, bt->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, bt->first)) != ZKR_OK || (r = zkr_enc_u64(req, bt->count)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)bt->rec_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, bt->records, (size_t)bt->count * bt->rec_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)bt->n_bound)) != ZKR_OK)
        return r;
    return zkr_buf_append(req, bt->bound, bt->n_bound * ZKR_DIGEST_BYTES);
}

static zkr_err geval_prove_finish(zkr_app *app, const geval_stmt *es, const zkr_buf *reply,
                                  const char *out, zkr_app_prove_result *res)
{
    zkr_dec dec;
    const uint8_t *proof;
    size_t proof_len;
    uint64_t correct;
    zkr_err r;

    zkr_dec_init(&dec, reply->p, reply->len);
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_u64(&dec, &correct) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "geval-prove worker reply malformed");
    if ((es->mode == ZKR_EVAL_MODE_EXACT && correct != es->value) ||
        (es->mode == ZKR_EVAL_MODE_THRESHOLD && correct < es->value))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model gets %llu of %llu right, the statement states %s%llu; no "
                        "proof written",
                        (unsigned long long)correct, (unsigned long long)es->out_count,
                        es->mode == ZKR_EVAL_MODE_EXACT ? "" : ">= ",
                        (unsigned long long)es->value);
    if ((r = zkr_file_write_atomic(out, proof, proof_len, 0644, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(proof, proof_len, res->sha256);
    res->bytes = proof_len;
    res->evaluation = 1;
    res->records = es->out_count;
    res->correct = correct;
    return ZKR_OK;
}

zkr_err zkr_app_geval_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                            const char *dataset_file, uint32_t threads, int no_sandbox,
                            const char *out, zkr_app_prove_result *res)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf model = {0}, req = {0}, reply = {0};
    geval_stmt es;
    zkr_app_eval_data e;
    double t0;
    zkr_err r;

    memset(&e, 0, sizeof e);
    so.no_sandbox = no_sandbox;
    if ((r = geval_stmt_of(app, st, 0, &es)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = zkr_app_store_model(app, &st->model, 1, &model)) != ZKR_OK ||
        (r = geval_data_open(app, st, dataset_file, &es, &e)) != ZKR_OK ||
        (r = geval_prove_request(st, &es, &model, threads, &e.bt, &req)) != ZKR_OK)
        goto out;
    t0 = geval_now();
    if ((r = zkr_sandbox_call(zkr_app_workers, "geval-prove", &so, req.p, req.len, &reply, &sres,
                              &app->diag)) != ZKR_OK)
        goto out;
    res->seconds = geval_now() - t0;
    r = geval_prove_finish(app, &es, &reply, out, res);
out:
    zkr_buf_free(&model);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_app_eval_data_free(&e);
    return r;
}

/* The prover request's batch; records and boundary hashes point into the request. */
static zkr_err geval_dec_batch(zkr_dec *d, zkr_geval_binding *b, const uint8_t **records,
                               size_t *rec_len)
{
    uint32_t rl, n_bound;
    const uint8_t *bound;

    if (zkr_dec_u64(d, &b->n) != ZKR_OK || geval_dec_digest(d, b->root) != ZKR_OK ||
        zkr_dec_u64(d, &b->first) != ZKR_OK || zkr_dec_u64(d, &b->count) != ZKR_OK ||
        b->count == 0 || b->count > ZKR_GEVAL_MAX_RECORDS || zkr_dec_u32(d, &rl) != ZKR_OK ||
        rl == 0 || rl > ZKR_INFER_MAX_RECORD ||
        zkr_dec_raw(d, (size_t)b->count * rl, records) != ZKR_OK ||
        zkr_dec_u32(d, &n_bound) != ZKR_OK || n_bound > ZKR_EVAL_MAX_BOUNDARY ||
        zkr_dec_raw(d, (size_t)n_bound * ZKR_DIGEST_BYTES, &bound) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(b->bound, bound, (size_t)n_bound * ZKR_DIGEST_BYTES);
    b->n_bound = n_bound;
    *rec_len = rl;
    return ZKR_OK;
}

zkr_err zkr_app_worker_geval_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d)
{
    zkr_dec dec;
    uint32_t ver, set, threads, mode;
    uint8_t sid[ZKR_DIGEST_BYTES], want[ZKR_DIGEST_BYTES], c[ZKR_DIGEST_BYTES];
    const uint8_t *model, *records;
    size_t model_len, rec_len = 0;
    zkr_geval_binding *b = NULL;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model *pm = NULL;
    zkr_ginf_params *mp = NULL;
    zkr_pcs_commitment pc;
    int64_t *store = NULL;
    zkr_params p;
    zkr_buf proof = {0};
    zkr_err r;

    if (!(b = calloc(1, sizeof *b)))
        return ZKR_ERR_NOMEM;
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != GEVAL_WORKER_VERSION ||
        geval_dec_digest(&dec, sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        zkr_dec_u32(&dec, &threads) != ZKR_OK || threads < 1 || threads > 64 ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &model, &model_len) != ZKR_OK ||
        geval_dec_digest(&dec, want) != ZKR_OK || zkr_dec_u32(&dec, &mode) != ZKR_OK ||
        mode > ZKR_EVAL_MODE_THRESHOLD || zkr_dec_u64(&dec, &b->value) != ZKR_OK ||
        geval_dec_batch(&dec, b, &records, &rec_len) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "geval-prove request malformed");
        goto out;
    }
    b->mode = (uint8_t)mode;
    if (zkr_params_get(set, &p) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
        goto out;
    }
    if ((r = zkr_ml_gmodel_decode(model, model_len, &gm, d)) != ZKR_OK ||
        (r = zkr_app_ginf_commit_model(gm, threads, &pm, &pc, &mp, &store, d)) != ZKR_OK ||
        (r = zkr_app_ginf_commitment(gm, &pc, c)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(c, want, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                     "the stored model's commitment differs from the registered commitment");
        goto out;
    }
    if ((r = zkr_prover_geval(&p, sid, pm, b, records, (size_t)b->count * rec_len, threads,
                              &proof, d)) != ZKR_OK ||
        (r = zkr_enc_bytes(reply, proof.p, proof.len)) != ZKR_OK)
        goto out;
    r = zkr_enc_u64(reply, b->correct);
out:
    zkr_buf_free(&proof);
    zkr_ginf_model_free(pm);
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    free(b);
    return r;
}

/* ------------------------------------------------------------------ */
/* Verify                                                               */
/* ------------------------------------------------------------------ */

/*
 * Request ("geval-verify", docs/ipc.md): u32 version | statement_id | u32
 * set | program digest | model sha256 | model commitment | dataset
 * commitment | bytes model | P's root and u32 size | u64 first | u64
 * count | u32 rec_len | count x rec_len record bytes | u32 mode | u64
 * value | bytes proof. Reply: empty. The dataset's n, root and boundary
 * hashes are the proof's, checked against the dataset commitment there.
 */
static zkr_err geval_verify_req(zkr_app *app, const zkr_statement *st, const geval_stmt *es,
                                const zkr_buf *proof, zkr_buf *req)
{
    zkr_buf model = {0};
    zkr_app_eval_data e;
    uint8_t pcs[ZKR_APP_GINF_PCS_BYTES];
    zkr_err r;

    memset(&e, 0, sizeof e);
    if ((r = zkr_app_store_model(app, &st->model, 1, &model)) != ZKR_OK ||
        (r = zkr_app_ginf_pcs(app, st, &model, pcs)) != ZKR_OK ||
        (r = geval_data_open(app, st, NULL, es, &e)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(req, GEVAL_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, es->param_set)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->dataset.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, model.p, model.len)) != ZKR_OK ||
        (r = zkr_buf_append(req, pcs, sizeof pcs)) != ZKR_OK ||
        (r = zkr_enc_u64(req, e.bt.first)) != ZKR_OK || (r = zkr_enc_u64(req, e.bt.count)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)e.bt.rec_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, e.bt.records, (size_t)e.bt.count * e.bt.rec_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, es->mode)) != ZKR_OK || (r = zkr_enc_u64(req, es->value)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(req, proof->p, proof->len);
out:
    zkr_buf_free(&model);
    zkr_app_eval_data_free(&e);
    return r;
}

zkr_err zkr_app_geval_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                     const zkr_buf *proof, zkr_buf *req)
{
    geval_stmt es;
    zkr_err r;

    if ((r = geval_stmt_of(app, st, 1, &es)) != ZKR_OK)
        return r;
    if (es.param_set != param_set)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS, "parameter set %u, schema pins %u",
                        param_set, es.param_set);
    return geval_verify_req(app, st, &es, proof, req);
}

zkr_err zkr_app_geval_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const uint8_t *proof, size_t len, int no_sandbox, uint64_t *correct)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf req = {0}, reply = {0};
    zkr_buf pb = {(uint8_t *)proof, len, len}; /* borrowed, never freed here */
    geval_stmt es;
    zkr_err r;

    *correct = 0;
    so.no_sandbox = no_sandbox;
    if ((r = geval_stmt_of(app, st, 1, &es)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = geval_verify_req(app, st, &es, &pb, &req)) != ZKR_OK ||
        (r = zkr_sandbox_call(zkr_app_workers, "geval-verify", &so, req.p, req.len, &reply, &sres,
                              &app->diag)) != ZKR_OK)
        goto out;
    *correct = es.value;
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* The verifier worker's request, decoded (pointers into the request). */
typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES], prog[ZKR_DIGEST_BYTES], model_sha[ZKR_DIGEST_BYTES];
    uint8_t mc[ZKR_DIGEST_BYTES], dc[ZKR_DIGEST_BYTES];
    uint32_t set, rec_len, mode;
    const uint8_t *model, *pcs, *records, *proof;
    size_t model_len, proof_len;
    uint64_t first, count, value;
} geval_vreq;

static zkr_err geval_vreq_decode(const uint8_t *req, size_t req_len, geval_vreq *v)
{
    zkr_dec dec;
    uint32_t ver;

    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != GEVAL_WORKER_VERSION ||
        geval_dec_digest(&dec, v->sid) != ZKR_OK || zkr_dec_u32(&dec, &v->set) != ZKR_OK ||
        geval_dec_digest(&dec, v->prog) != ZKR_OK ||
        geval_dec_digest(&dec, v->model_sha) != ZKR_OK ||
        geval_dec_digest(&dec, v->mc) != ZKR_OK || geval_dec_digest(&dec, v->dc) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &v->model, &v->model_len) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_APP_GINF_PCS_BYTES, &v->pcs) != ZKR_OK ||
        zkr_dec_u64(&dec, &v->first) != ZKR_OK || zkr_dec_u64(&dec, &v->count) != ZKR_OK ||
        v->count == 0 || v->count > ZKR_GEVAL_MAX_RECORDS ||
        zkr_dec_u32(&dec, &v->rec_len) != ZKR_OK || v->rec_len == 0 ||
        v->rec_len > ZKR_INFER_MAX_RECORD ||
        zkr_dec_raw(&dec, (size_t)v->count * v->rec_len, &v->records) != ZKR_OK ||
        zkr_dec_u32(&dec, &v->mode) != ZKR_OK || v->mode > ZKR_EVAL_MODE_THRESHOLD ||
        zkr_dec_u64(&dec, &v->value) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &v->proof, &v->proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

zkr_err zkr_app_worker_geval_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    geval_vreq v;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    zkr_verifier_geval_statement vs;
    int64_t *store = NULL;
    zkr_err r;

    (void)reply;
    memset(&v, 0, sizeof v);
    memset(&vs, 0, sizeof vs);
    if (geval_vreq_decode(req, req_len, &v) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "geval-verify request malformed");
    if ((r = zkr_app_ginf_check_model(v.model, v.model_len, v.model_sha, v.prog, v.pcs, v.mc, &gm,
                                      &vs.model, d)) != ZKR_OK)
        goto out;
    if (!(mp = calloc(1, sizeof *mp))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_ginf_from_gmodel(gm, &in, mp, &store)) != ZKR_OK)
        goto out;
    memcpy(vs.statement_id, v.sid, ZKR_DIGEST_BYTES);
    vs.param_set = v.set;
    vs.g = zkr_ml_gmodel_prog(gm);
    vs.mp = mp;
    memcpy(vs.dataset, v.dc, ZKR_DIGEST_BYTES);
    vs.first = v.first;
    vs.count = v.count;
    vs.records = v.records;
    vs.records_len = (size_t)v.count * v.rec_len;
    vs.mode = (uint8_t)v.mode;
    vs.value = v.value;
    r = zkr_verify_geval(v.proof, v.proof_len, &vs, d);
out:
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return r;
}
