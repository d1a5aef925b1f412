/*
 * graph-inference@1 through the product (app/ginfer.h): commitment,
 * statement checks, prove and verify in confined workers.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/ginfer.h"
#include "app/proof.h"
#include "app/store.h"
#include "app/workers.h"
#include "prover/ginfer.h"
#include "verifier/ginfer.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define GINF_WORKER_VERSION 1u
#define GINF_COMMIT_TAG "zkreg/graph-model-commitment/v1"
#define GINF_PCS_SUFFIX ".gpcs"
#define GINF_PCS_BYTES ZKR_APP_GINF_PCS_BYTES
#define GINF_OUTPUT_MAX ((size_t)1 << 20)

int zkr_app_ginf_kind_is(const char *kind)
{
    return kind != NULL && strcmp(kind, ZKR_APP_GINF_KIND) == 0;
}

int zkr_app_model_is_graph(const zkr_app *app, const zkr_artifact *m)
{
    uint8_t head[ZKR_ML_MODEL_MAGIC_BYTES + 4];
    char path[4096];
    struct stat sb;
    ssize_t n = 0;
    int fd;

    /* Non-blocking, regular files only: a FIFO in the store must not hang
       register-statement, prove or verify (it is read as "no graph"; the
       model's reader then refuses it). */
    if (zkr_app_store_path(app, "models", m->sha256, "", path, sizeof path) != ZKR_OK ||
        (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        n = read(fd, head, sizeof head);
    close(fd);
    return n > 0 && zkr_ml_model_file_version(head, (size_t)n) == ZKR_ML_GMODEL_VERSION;
}

/* The proof's view of the model: its public parameters (program order). */
static zkr_err ginf_view(const zkr_ml_gmodel *gm, zkr_ginf_model_in *in, zkr_ginf_params **mp,
                         int64_t **store)
{
    *store = NULL;
    if ((*mp = calloc(1, sizeof **mp)) == NULL)
        return ZKR_ERR_NOMEM;
    return zkr_ginf_from_gmodel(gm, in, *mp, store);
}

zkr_err zkr_app_ginf_commitment(const zkr_ml_gmodel *gm, const zkr_pcs_commitment *pc,
                                uint8_t out[ZKR_DIGEST_BYTES])
{
    const zkr_ml_gprog *g = zkr_ml_gmodel_prog(gm);
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    int64_t *store = NULL;
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_buf b = {0};
    zkr_err r;

    if ((r = ginf_view(gm, &in, &mp, &store)) != ZKR_OK)
        goto out;
    zkr_ml_gmodel_program_digest(gm, pd);
    if ((r = zkr_buf_append(&b, pd, sizeof pd)) != ZKR_OK ||
        (r = zkr_enc_u32(&b, g->n_nodes)) != ZKR_OK)
        goto out;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if ((r = zkr_enc_u32(&b, mp->shift[i])) != ZKR_OK ||
            (r = zkr_enc_u64(&b, (uint64_t)mp->ma[i])) != ZKR_OK ||
            (r = zkr_enc_u64(&b, (uint64_t)mp->mb[i])) != ZKR_OK ||
            (r = zkr_buf_append(&b, (const uint8_t *)mp->table[i], 256)) != ZKR_OK)
            goto out;
    if ((r = zkr_enc_u32(&b, pc->n_vars)) != ZKR_OK ||
        (r = zkr_buf_append(&b, pc->root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        goto out;
    zkr_sha256_tagged(GINF_COMMIT_TAG, b.p, b.len, out);
out:
    zkr_buf_free(&b);
    free(store);
    free(mp);
    return r;
}

/* Commits to P from the decoded model: the appliance's own computation. */
static zkr_err ginf_commit(const zkr_ml_gmodel *gm, unsigned threads, zkr_ginf_model **pm,
                           zkr_pcs_commitment *pc, zkr_ginf_params **mp, int64_t **store,
                           zkr_diag *d)
{
    zkr_ginf_model_in in;
    zkr_params p;
    zkr_err r;

    *pm = NULL;
    if ((r = ginf_view(gm, &in, mp, store)) != ZKR_OK)
        return r;
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        return r;
    return zkr_prover_ginf_commit(&p, &in, threads, pm, pc, d);
}

static void ginf_pcs_encode(const zkr_pcs_commitment *pc, uint8_t out[GINF_PCS_BYTES])
{
    memcpy(out, pc->root, ZKR_DIGEST_BYTES);
    out[32] = (uint8_t)(pc->n_vars >> 24);
    out[33] = (uint8_t)(pc->n_vars >> 16);
    out[34] = (uint8_t)(pc->n_vars >> 8);
    out[35] = (uint8_t)pc->n_vars;
}

zkr_err zkr_app_ginf_register_commit(zkr_app *app, const zkr_ml_gmodel *gm,
                                     const uint8_t sha[ZKR_DIGEST_BYTES],
                                     uint8_t commitment[ZKR_DIGEST_BYTES], int *has)
{
    zkr_ginf_model *pm = NULL;
    zkr_ginf_params *mp = NULL;
    zkr_pcs_commitment pc;
    int64_t *store = NULL;
    uint8_t enc[GINF_PCS_BYTES];
    zkr_diag scratch = {0};
    zkr_err r;

    *has = 0;
    memset(commitment, 0, ZKR_DIGEST_BYTES);
    r = ginf_commit(gm, 2, &pm, &pc, &mp, &store, &scratch);
    if (r == ZKR_ERR_UNSUPPORTED) {
        /* A graph this kind does not prove yet: infer runs it, prove says why. */
        fprintf(stderr, "zkreg: note: no graph-inference@1 commitment: %s\n", scratch.msg);
        r = ZKR_OK;
        goto out;
    }
    if (r != ZKR_OK) {
        app->diag = scratch;
        goto out;
    }
    if ((r = zkr_app_ginf_commitment(gm, &pc, commitment)) != ZKR_OK)
        goto out;
    ginf_pcs_encode(&pc, enc);
    if ((r = zkr_app_store_write(app, "models", sha, GINF_PCS_SUFFIX, enc, sizeof enc)) != ZKR_OK)
        goto out;
    *has = 1;
out:
    zkr_ginf_model_free(pm);
    free(store);
    free(mp);
    return r;
}

/* ------------------------------------------------------------------ */
/* Statements                                                           */
/* ------------------------------------------------------------------ */

zkr_err zkr_app_ginf_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                     const char *model)
{
    zkr_schema sc;
    zkr_artifact m;
    zkr_diag quiet = {0};
    int graph, want;

    if (schema == NULL || model == NULL ||
        zkr_registry_schema_get(reg, schema, &sc, &quiet) != ZKR_OK ||
        zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, model, &m, &quiet) != ZKR_OK)
        return ZKR_OK; /* the registration names what is unknown */
    if (strcmp(sc.proof_kind, "graph-inference@2") == 0)
        return ZKR_OK; /* a private graph model: zkr_app_ginf2_statement_check */
    graph = zkr_app_model_is_graph(app, &m);
    /* evaluation-graph@1 proves graph models too, against the same commitment. */
    want = zkr_app_ginf_kind_is(sc.proof_kind) || strcmp(sc.proof_kind, "evaluation-graph@1") == 0;
    if (graph && !want)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "model %lld is a graph (CNN) model (program version 2); schema %s@%llu "
                        "is %s, which proves dense (MLP) models: use a " ZKR_APP_GINF_KIND
                        " or evaluation-graph@1 schema",
                        (long long)m.id, sc.name, (unsigned long long)sc.version, sc.proof_kind);
    if (!graph && want)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "model %lld is not a graph (CNN) model; schema %s@%llu is %s, which "
                        "proves graph models only",
                        (long long)m.id, sc.name, (unsigned long long)sc.version, sc.proof_kind);
    return ZKR_OK;
}

int zkr_app_ginf_is(zkr_registry *reg, const char *ref, zkr_statement *st)
{
    zkr_diag scratch = {0};

    if (zkr_registry_statement_get(reg, ref, st, &scratch) != ZKR_OK)
        return 0;
    return zkr_app_ginf_kind_is(st->schema.proof_kind);
}

/* The statement's own consistency: pins, record index, commitments, output. */
static zkr_err ginf_stmt(zkr_app *app, const zkr_statement *st, int verifying, uint32_t *set,
                         uint64_t *index)
{
    const zkr_schema *sc = &st->schema;
    const zkr_param *idx = NULL;
    zkr_err r;

    if (!zkr_app_ginf_kind_is(sc->proof_kind))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', not " ZKR_APP_GINF_KIND, sc->name,
                        (unsigned long long)sc->version, sc->proof_kind);
    if (verifying && (r = zkr_app_verifier_pinned(app, sc)) != ZKR_OK)
        return r;
    if ((r = zkr_app_param_set_of(app, sc, set)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, "record_index") == 0)
            idx = &st->params[i];
    if (idx == NULL || idx->type != ZKR_PARAM_U64 ||
        zkr_app_parse_u64(app, "record_index", idx->text, index) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: " ZKR_APP_GINF_KIND " needs a u64 field 'record_index'",
                        sc->name, (unsigned long long)sc->version);
    if (!st->has_public_output || st->public_output.len == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT, "statement binds no public output");
    if (!st->model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "model %lld has no graph-inference@1 commitment (its program has a node "
                        "this kind does not prove; register-model said which)",
                        (long long)st->model.id);
    if (!st->dataset.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)st->dataset.id);
    return ZKR_OK;
}

/* One record of the registered dataset, its inclusion path, the commitment checked. */
typedef struct {
    zkr_dataset *ds;
    zkr_infer_record rec;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
} ginf_record;

static zkr_err ginf_record_load(zkr_app *app, const zkr_statement *st, uint64_t index,
                                const char *file, ginf_record *gr)
{
    char sp[4096];
    zkr_buf stored = {0};
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (file == NULL) {
        if ((r = zkr_app_store_path(app, "datasets", st->dataset.sha256, ".path", sp,
                                    sizeof sp)) != ZKR_OK ||
            (r = zkr_file_read(sp, sizeof sp - 1, &stored, &app->diag)) != ZKR_OK)
            return zkr_fail(&app->diag, r == ZKR_OK ? ZKR_ERR_NOT_FOUND : r,
                            "dataset %lld: its file is unknown here; pass --dataset-file PATH",
                            (long long)st->dataset.id);
        memcpy(sp, stored.p, stored.len);
        sp[stored.len] = '\0';
        zkr_buf_free(&stored);
        file = sp;
    }
    if ((r = zkr_dataset_open(file, &gr->ds, &app->diag)) != ZKR_OK)
        return r;
    gr->rec.index = index;
    gr->rec.n_records = zkr_dataset_count(gr->ds);
    if (index >= gr->rec.n_records)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT, "record %llu past the end (%llu)",
                        (unsigned long long)index, (unsigned long long)gr->rec.n_records);
    if ((r = zkr_infer_dataset_commit(gr->ds, index, gr->rec.root, comm, gr->path,
                                      &gr->rec.path_len)) != ZKR_OK ||
        (r = zkr_dataset_record(gr->ds, index, &gr->rec.record, &gr->rec.record_len)) != ZKR_OK)
        return zkr_fail(&app->diag, r, "%s: cannot read record %llu", file,
                        (unsigned long long)index);
    gr->rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])gr->path;
    if (sodium_memcmp(comm, st->dataset.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: its commitment differs from dataset %lld's registered commitment",
                        file, (long long)st->dataset.id);
    return ZKR_OK;
}

static double ginf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static zkr_err ginf_dec_digest(zkr_dec *d, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    zkr_err r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &p);

    if (r == ZKR_OK)
        memcpy(out, p, ZKR_DIGEST_BYTES);
    return r;
}

/* ------------------------------------------------------------------ */
/* Prove                                                                */
/* ------------------------------------------------------------------ */

/* Checks the worker's reply: the output is the statement's; P's root re-derives the commitment. */
static zkr_err ginf_prove_finish(zkr_app *app, const zkr_statement *st, const zkr_buf *model,
                                 const zkr_buf *reply, uint64_t index, const char *out,
                                 zkr_app_prove_result *res)
{
    zkr_dec dec;
    const uint8_t *proof, *output, *pcs;
    size_t proof_len, output_len;
    zkr_ml_gmodel *gm = NULL;
    zkr_pcs_commitment pc;
    uint8_t c[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_dec_init(&dec, reply->p, reply->len);
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, GINF_OUTPUT_MAX, &output, &output_len) != ZKR_OK ||
        zkr_dec_raw(&dec, GINF_PCS_BYTES, &pcs) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "prover worker reply malformed");
    if (output_len != st->public_output.len ||
        memcmp(output, st->public_output.p, output_len) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model's output on record %llu differs from the statement's public "
                        "output; no proof written", (unsigned long long)index);
    /* The store's P-root cache, when missing, is refilled from a root that
       re-derives the registered commitment (never trusted as such). */
    memcpy(pc.root, pcs, ZKR_DIGEST_BYTES);
    pc.n_vars = (unsigned)pcs[32] << 24 | (unsigned)pcs[33] << 16 | (unsigned)pcs[34] << 8 | pcs[35];
    if ((r = zkr_ml_gmodel_decode(model->p, model->len, &gm, &app->diag)) != ZKR_OK ||
        (r = zkr_app_ginf_commitment(gm, &pc, c)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(c, st->model.commitment, ZKR_DIGEST_BYTES) == 0 &&
        (r = zkr_app_store_write(app, "models", st->model.sha256, GINF_PCS_SUFFIX, pcs,
                                 GINF_PCS_BYTES)) != ZKR_OK)
        goto out;
    if ((r = zkr_file_write_atomic(out, proof, proof_len, 0644, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(proof, proof_len, res->sha256);
    res->bytes = proof_len;
out:
    zkr_ml_gmodel_free(gm);
    return r;
}

zkr_err zkr_app_ginf_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                           const char *dataset_file, uint32_t threads, int no_sandbox,
                           const char *out, zkr_app_prove_result *res)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf model = {0}, req = {0}, reply = {0};
    ginf_record gr;
    uint32_t set;
    uint64_t index = 0;
    double t0;
    zkr_err r;

    memset(&gr, 0, sizeof gr);
    so.no_sandbox = no_sandbox;
    if ((r = ginf_stmt(app, st, 0, &set, &index)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = zkr_app_store_model(app, &st->model, 1, &model)) != ZKR_OK ||
        (r = ginf_record_load(app, st, index, dataset_file, &gr)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(&req, GINF_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(&req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(&req, set)) != ZKR_OK || (r = zkr_enc_u32(&req, threads)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, model.p, model.len)) != ZKR_OK ||
        (r = zkr_buf_append(&req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, gr.rec.record, gr.rec.record_len)) != ZKR_OK)
        goto out;
    t0 = ginf_now();
    if ((r = zkr_sandbox_call(zkr_app_workers, "ginf-prove", &so, req.p, req.len, &reply, &sres,
                              &app->diag)) != ZKR_OK)
        goto out;
    res->seconds = ginf_now() - t0;
    r = ginf_prove_finish(app, st, &model, &reply, index, out, res);
out:
    zkr_buf_free(&model);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_dataset_free(gr.ds);
    return r;
}

zkr_err zkr_app_worker_ginf_prove(const uint8_t *req, size_t req_len, zkr_buf *reply, zkr_diag *d)
{
    zkr_dec dec;
    uint32_t ver, set, threads;
    uint8_t sid[ZKR_DIGEST_BYTES], want[ZKR_DIGEST_BYTES], c[ZKR_DIGEST_BYTES];
    uint8_t enc[GINF_PCS_BYTES];
    const uint8_t *model, *record;
    size_t model_len, record_len;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model *pm = NULL;
    zkr_ginf_params *mp = NULL;
    zkr_pcs_commitment pc;
    int64_t *store = NULL;
    zkr_params p;
    zkr_buf proof = {0}, out = {0};
    zkr_err r;

    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != GINF_WORKER_VERSION ||
        ginf_dec_digest(&dec, sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        zkr_dec_u32(&dec, &threads) != ZKR_OK || threads < 1 || threads > 64 ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &model, &model_len) != ZKR_OK ||
        ginf_dec_digest(&dec, want) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_INFER_MAX_RECORD, &record, &record_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "ginf-prove request malformed");
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    if ((r = zkr_ml_gmodel_decode(model, model_len, &gm, d)) != ZKR_OK ||
        (r = ginf_commit(gm, threads, &pm, &pc, &mp, &store, d)) != ZKR_OK ||
        (r = zkr_app_ginf_commitment(gm, &pc, c)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(c, want, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                     "the stored model's commitment differs from the registered commitment");
        goto out;
    }
    /* An IDX record is the image then its label byte: the input is the image. */
    if (record_len < 1) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "an empty record is no image");
        goto out;
    }
    if ((r = zkr_prover_ginf(&p, sid, pm, record, record_len - 1, threads, &proof, &out, d)) !=
        ZKR_OK)
        goto out;
    ginf_pcs_encode(&pc, enc);
    if ((r = zkr_enc_bytes(reply, proof.p, proof.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(reply, out.p, out.len)) != ZKR_OK)
        goto out;
    r = zkr_buf_append(reply, enc, sizeof enc);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_ginf_model_free(pm);
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return r;
}

/* ------------------------------------------------------------------ */
/* Verify                                                               */
/* ------------------------------------------------------------------ */

/*
 * P's root and size: the store's cache (written at register-model or by a
 * proof), else recomputed here from the model. Either way the worker
 * accepts it only if it re-derives the registered commitment.
 */
static zkr_err ginf_pcs_of(zkr_app *app, const zkr_statement *st, const zkr_buf *model,
                           uint8_t enc[GINF_PCS_BYTES])
{
    char path[4096];
    zkr_buf b = {0};
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model *pm = NULL;
    zkr_ginf_params *mp = NULL;
    zkr_pcs_commitment pc;
    int64_t *store = NULL;
    zkr_err r;

    if ((r = zkr_app_store_path(app, "models", st->model.sha256, GINF_PCS_SUFFIX, path,
                                sizeof path)) != ZKR_OK)
        return r;
    if (zkr_file_read(path, GINF_PCS_BYTES, &b, NULL) == ZKR_OK && b.len == GINF_PCS_BYTES) {
        memcpy(enc, b.p, GINF_PCS_BYTES);
        zkr_buf_free(&b);
        return ZKR_OK;
    }
    zkr_buf_free(&b);
    if ((r = zkr_ml_gmodel_decode(model->p, model->len, &gm, &app->diag)) == ZKR_OK &&
        (r = ginf_commit(gm, 2, &pm, &pc, &mp, &store, &app->diag)) == ZKR_OK)
        ginf_pcs_encode(&pc, enc);
    zkr_ginf_model_free(pm);
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return r;
}

zkr_err zkr_app_ginf_pcs(zkr_app *app, const zkr_statement *st, const zkr_buf *model,
                         uint8_t enc[ZKR_APP_GINF_PCS_BYTES])
{
    return ginf_pcs_of(app, st, model, enc);
}

zkr_err zkr_app_ginf_commit_model(const zkr_ml_gmodel *gm, unsigned threads, zkr_ginf_model **pm,
                                  zkr_pcs_commitment *pc, zkr_ginf_params **mp, int64_t **store,
                                  zkr_diag *d)
{
    return ginf_commit(gm, threads, pm, pc, mp, store, d);
}

zkr_err zkr_app_ginf_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                    const zkr_buf *proof, zkr_buf *req)
{
    zkr_buf model = {0};
    ginf_record gr;
    uint8_t pcs[GINF_PCS_BYTES];
    uint32_t set;
    uint64_t index = 0;
    zkr_err r;

    memset(&gr, 0, sizeof gr);
    if ((r = ginf_stmt(app, st, 1, &set, &index)) != ZKR_OK)
        goto out;
    if (set != param_set) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS, "parameter set %u, the schema's %u",
                     param_set, set);
        goto out;
    }
    if ((r = zkr_app_store_model(app, &st->model, 1, &model)) != ZKR_OK ||
        (r = ginf_pcs_of(app, st, &model, pcs)) != ZKR_OK ||
        (r = ginf_record_load(app, st, index, NULL, &gr)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(req, GINF_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, set)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->dataset.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, model.p, model.len)) != ZKR_OK ||
        (r = zkr_buf_append(req, pcs, sizeof pcs)) != ZKR_OK ||
        (r = zkr_enc_u64(req, gr.rec.index)) != ZKR_OK ||
        (r = zkr_enc_u64(req, gr.rec.n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, gr.rec.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, gr.rec.record, gr.rec.record_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)gr.rec.path_len)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < gr.rec.path_len; i++)
        if ((r = zkr_buf_append(req, gr.path[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            goto out;
    if ((r = zkr_enc_bytes(req, st->public_output.p, st->public_output.len)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(req, proof->p, proof->len);
out:
    zkr_buf_free(&model);
    zkr_dataset_free(gr.ds);
    return r;
}

zkr_err zkr_app_ginf_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                            const uint8_t *proof, size_t len, int no_sandbox)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf req = {0}, reply = {0};
    zkr_buf pb = {(uint8_t *)proof, len, len};
    uint32_t set;
    uint64_t index;
    zkr_err r;

    so.no_sandbox = no_sandbox;
    if ((r = ginf_stmt(app, st, 1, &set, &index)) != ZKR_OK ||
        (r = zkr_app_statement_revoked(app, reg, st)) != ZKR_OK ||
        (r = zkr_app_ginf_verify_request(app, st, set, &pb, &req)) != ZKR_OK)
        goto out;
    r = zkr_sandbox_call(zkr_app_workers, "ginf-verify", &so, req.p, req.len, &reply, &sres,
                         &app->diag);
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* The verifier worker's request, decoded (pointers into the request). */
typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES], prog[ZKR_DIGEST_BYTES], model_sha[ZKR_DIGEST_BYTES];
    uint8_t mc[ZKR_DIGEST_BYTES], dc[ZKR_DIGEST_BYTES], root[ZKR_DIGEST_BYTES];
    uint32_t set;
    const uint8_t *model, *pcs, *record, *path, *output, *proof;
    size_t model_len, record_len, output_len, proof_len;
    uint64_t index, n_records;
    uint32_t path_len;
} ginf_vreq;

static zkr_err ginf_vreq_decode(const uint8_t *req, size_t req_len, ginf_vreq *v)
{
    zkr_dec dec;
    uint32_t ver;

    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != GINF_WORKER_VERSION ||
        ginf_dec_digest(&dec, v->sid) != ZKR_OK || zkr_dec_u32(&dec, &v->set) != ZKR_OK ||
        ginf_dec_digest(&dec, v->prog) != ZKR_OK || ginf_dec_digest(&dec, v->model_sha) != ZKR_OK ||
        ginf_dec_digest(&dec, v->mc) != ZKR_OK || ginf_dec_digest(&dec, v->dc) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &v->model, &v->model_len) != ZKR_OK ||
        zkr_dec_raw(&dec, GINF_PCS_BYTES, &v->pcs) != ZKR_OK ||
        zkr_dec_u64(&dec, &v->index) != ZKR_OK || zkr_dec_u64(&dec, &v->n_records) != ZKR_OK ||
        ginf_dec_digest(&dec, v->root) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_INFER_MAX_RECORD, &v->record, &v->record_len) != ZKR_OK ||
        zkr_dec_u32(&dec, &v->path_len) != ZKR_OK || v->path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(&dec, (size_t)v->path_len * ZKR_DIGEST_BYTES, &v->path) != ZKR_OK ||
        zkr_dec_bytes(&dec, GINF_OUTPUT_MAX, &v->output, &v->output_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &v->proof, &v->proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

/* The record is record `index` of the registered dataset (its commitment and path). */
static zkr_err ginf_check_record(const ginf_vreq *v, zkr_diag *d)
{
    uint8_t rc[ZKR_DIGEST_BYTES], dc[ZKR_DIGEST_BYTES];

    zkr_infer_dataset_commitment(v->n_records, v->root, dc);
    if (sodium_memcmp(dc, v->dc, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "the record's tree is not the registered dataset commitment");
    zkr_infer_record_commitment(v->record, v->record_len, rc);
    if (zkr_merkle_inclusion_verify(rc, v->index, v->n_records,
                                    (const uint8_t(*)[ZKR_DIGEST_BYTES])v->path, v->path_len,
                                    v->root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "the input is not record %llu of the registered dataset",
                        (unsigned long long)v->index);
    return ZKR_OK;
}

zkr_err zkr_app_ginf_check_model(const uint8_t *model, size_t model_len,
                                 const uint8_t sha[ZKR_DIGEST_BYTES],
                                 const uint8_t prog[ZKR_DIGEST_BYTES],
                                 const uint8_t pcs[ZKR_APP_GINF_PCS_BYTES],
                                 const uint8_t mc[ZKR_DIGEST_BYTES], zkr_ml_gmodel **gm,
                                 zkr_pcs_commitment *pc, zkr_diag *d)
{
    uint8_t h[ZKR_DIGEST_BYTES], c[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_sha256(model, model_len, h);
    if (sodium_memcmp(h, sha, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "the model bytes are not the registered model");
    if ((r = zkr_ml_gmodel_decode(model, model_len, gm, d)) != ZKR_OK)
        return r;
    zkr_ml_gmodel_program_digest(*gm, h);
    if (sodium_memcmp(h, prog, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM, "the model is not a model of the program");
    memcpy(pc->root, pcs, ZKR_DIGEST_BYTES);
    pc->n_vars = (unsigned)pcs[32] << 24 | (unsigned)pcs[33] << 16 | (unsigned)pcs[34] << 8 |
                 pcs[35];
    if ((r = zkr_app_ginf_commitment(*gm, pc, c)) != ZKR_OK)
        return r;
    if (sodium_memcmp(c, mc, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "P's root does not give the registered model commitment");
    return ZKR_OK;
}

zkr_err zkr_app_worker_ginf_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d)
{
    ginf_vreq v;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    zkr_verifier_ginf_statement vs;
    int64_t *store = NULL;
    int8_t *y = NULL;
    uint32_t n, am;
    zkr_err r;

    (void)reply;
    memset(&v, 0, sizeof v);
    memset(&vs, 0, sizeof vs);
    if (ginf_vreq_decode(req, req_len, &v) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "ginf-verify request malformed");
    if ((r = zkr_app_ginf_check_model(v.model, v.model_len, v.model_sha, v.prog, v.pcs, v.mc, &gm,
                                      &vs.model, d)) != ZKR_OK)
        goto out;
    if ((r = ginf_check_record(&v, d)) != ZKR_OK || (r = ginf_view(gm, &in, &mp, &store)) != ZKR_OK)
        goto out;
    if (v.record_len < 1) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "an empty record is no image");
        goto out;
    }
    if (v.output_len < 8 || (y = malloc(v.output_len)) == NULL) {
        r = v.output_len < 8 ? zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "public output malformed")
                             : ZKR_ERR_NOMEM;
        goto out;
    }
    if (zkr_infer_output_decode(v.output, v.output_len, y, (uint32_t)v.output_len, &n, &am) !=
        ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "public output malformed");
        goto out;
    }
    memcpy(vs.statement_id, v.sid, ZKR_DIGEST_BYTES);
    vs.param_set = v.set;
    vs.g = zkr_ml_gmodel_prog(gm);
    vs.mp = mp;
    vs.input = v.record; /* the image; the label byte after it is committed, not an input */
    vs.input_len = v.record_len - 1;
    vs.output = y;
    vs.output_n = n;
    r = zkr_verify_ginf(v.proof, v.proof_len, &vs, d);
out:
    free(y);
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return r;
}
