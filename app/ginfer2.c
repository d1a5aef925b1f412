/*
 * graph-inference@2 through the product (app/ginfer2.h). The parent opens
 * every file and registry row and recomputes every binding (DESIGN.md
 * section 4); the owners' checks and the ledger are inference@2's
 * (app/infer2_int.h). The workers read nothing but their request: the
 * prover reopens the model commitment with its opening and rebuilds the
 * record's commitment, the verifier takes every binding from the request
 * the parent built from the registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/ginfer2.h"
#include "app/ginfer2_core.h"
#include "app/infer2_int.h"
#include "app/store.h"
#include "app/workers.h"
#include "ml/ml.h"
#include "zkr_config.h"

#define GINF2_WORKER_VERSION 1u
#define GINF2_PROOF_MAX ((size_t)1 << 30)
#define GINF2_OUTPUT_MAX ((size_t)1 << 20)

int zkr_app_ginf2_kind_is(const char *kind)
{
    return kind != NULL && strcmp(kind, ZKR_APP_GINF2_KIND) == 0;
}

int zkr_app_ginf2_is(zkr_registry *reg, const char *ref, zkr_statement *st)
{
    zkr_diag scratch = {0};

    if (zkr_registry_statement_get(reg, ref, st, &scratch) != ZKR_OK)
        return 0;
    return zkr_app_ginf2_kind_is(st->schema.proof_kind);
}

/* The stored commitment bytes of private model m (their sha256 is the registered one). */
static zkr_err stored_commitment(zkr_app *app, const zkr_artifact *m, zkr_buf *enc)
{
    return zkr_app_store_read(app, "models", m, ZKR_APP_G2_MC_MAX_BYTES, enc);
}

zkr_err zkr_app_ginf2_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                      const char *model)
{
    zkr_schema sc;
    zkr_artifact m;
    zkr_diag quiet = {0};
    zkr_buf enc = {0};
    int want, graph;

    if (schema == NULL || model == NULL ||
        zkr_registry_schema_get(reg, schema, &sc, &quiet) != ZKR_OK ||
        zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, model, &m, &quiet) != ZKR_OK ||
        !zkr_registry_model_private(&m))
        return ZKR_OK; /* the registration names what is unknown or public */
    want = zkr_app_ginf2_kind_is(sc.proof_kind);
    if (!want && strcmp(sc.proof_kind, "inference@2") != 0)
        return ZKR_OK;
    graph = stored_commitment(app, &m, &enc) == ZKR_OK && zkr_app_g2_mc_is_graph(enc.p, enc.len);
    zkr_buf_free(&enc);
    zkr_diag_clear(&app->diag);
    if (graph == want)
        return ZKR_OK;
    return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                    "model %lld is a private %s model; schema %s@%llu is %s, which proves %s "
                    "models: use a%s schema",
                    (long long)m.id, graph ? "graph (CNN)" : "dense (MLP)", sc.name,
                    (unsigned long long)sc.version, sc.proof_kind,
                    want ? "private graph" : "private dense",
                    graph ? " " ZKR_APP_GINF2_KIND : "n inference@2");
}

/* The statement's record_index (the kind's one field). */
static zkr_err record_index(zkr_app *app, const zkr_statement *st, uint64_t *index)
{
    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, "record_index") == 0 &&
            st->params[i].type == ZKR_PARAM_U64 &&
            zkr_app_parse_u64(app, "record_index", st->params[i].text, index) == ZKR_OK)
            return ZKR_OK;
    return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                    "schema %s@%llu: " ZKR_APP_GINF2_KIND " needs a u64 field 'record_index'",
                    st->schema.name, (unsigned long long)st->schema.version);
}

/* ------------------------------------------------------------------ */
/* Prove                                                                */
/* ------------------------------------------------------------------ */

/* Everything the prover worker needs; the secrets point into sodium_malloc'ed memory. */
typedef struct {
    zkr_buf model, enc;
    const uint8_t *opening;
    zkr_infer2_record rec;
} ginf2_job;

/*
 * The model's logits on the record, computed here from the owner's model
 * file before anything is reserved (a wrong claim spends no budget), and
 * the proofs the reopened commitment still allows (the ledger's cap).
 */
static zkr_err check_output(zkr_app *app, const zkr_statement *st, const ginf2_job *j,
                            uint32_t *proofs)
{
    zkr_ml_gmodel *gm = NULL;
    zkr_ml_gtrace t;
    const zkr_ml_gprog *g;
    zkr_buf out = {0};
    uint32_t last;
    zkr_err r;

    memset(&t, 0, sizeof t);
    if ((r = zkr_ml_gmodel_decode(j->model.p, j->model.len, &gm, &app->diag)) != ZKR_OK ||
        (r = zkr_app_g2_proofs_left(gm, &j->enc, j->opening, proofs, &app->diag)) != ZKR_OK)
        goto out;
    g = zkr_ml_gmodel_prog(gm);
    last = g->n_nodes - 1;
    /* The record commitment holds the input bytes, then the label (zk/ginfer2_mc.h). */
    if (j->rec.record_len != zkr_ginf2_record_len(g)) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                     "record %llu has %zu bytes; the program's input and its label are %u",
                     (unsigned long long)j->rec.index, j->rec.record_len,
                     zkr_ginf2_record_len(g));
        goto out;
    }
    if ((r = zkr_ml_gtrace_init(&t, g)) != ZKR_OK ||
        (r = zkr_ml_ginfer(gm, j->rec.record, zkr_ml_gprog_elems(g, 0), &t, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_infer_output_encode(t.y[last], zkr_ml_gprog_elems(g, last), &out)) != ZKR_OK)
        goto out;
    if (out.len != st->public_output.len || memcmp(out.p, st->public_output.p, out.len) != 0)
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                     "the model's output on record %llu differs from the statement's public "
                     "output; nothing reserved, no proof written",
                     (unsigned long long)j->rec.index);
out:
    zkr_ml_gtrace_free(&t);
    zkr_ml_gmodel_free(gm);
    zkr_buf_free(&out);
    return r;
}

static zkr_err job_request(const zkr_statement *st, const ginf2_job *j,
                           const zkr_app_infer2_opts *o, zkr_buf *req)
{
    const zkr_infer2_record *rec = &j->rec;
    zkr_err r;

    if ((r = zkr_enc_u32(req, GINF2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ZKR_PARAM_SET_128)) != ZKR_OK ||
        (r = zkr_enc_u32(req, o->threads)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, j->model.p, j->model.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, j->enc.p, j->enc.len)) != ZKR_OK ||
        (r = zkr_buf_append(req, j->opening, ZKR_APP_G2_OPENING_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, rec->index)) != ZKR_OK ||
        (r = zkr_enc_u64(req, rec->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, rec->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, rec->record, rec->record_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, rec->commitment, ZKR_RECORD_COMMIT_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, rec->opening, ZKR_RECORD_OPENING_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)rec->path_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, (const uint8_t *)rec->path,
                            rec->path_len * ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, o->zk_seed, o->zk_seed ? o->zk_seed_len : 0);
}

zkr_err zkr_app_worker_ginf2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d)
{
    const uint8_t *root, *path;
    zkr_app_g2_prove_in in;
    uint32_t ver, path_len;
    zkr_buf proof = {0}, out = {0};
    zkr_dec dec;
    zkr_err r;

    memset(&in, 0, sizeof in);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != GINF2_WORKER_VERSION ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &in.sid) != ZKR_OK ||
        zkr_dec_u32(&dec, &in.param_set) != ZKR_OK || zkr_dec_u32(&dec, &in.threads) != ZKR_OK ||
        in.threads > 16 ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &in.model, &in.model_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_APP_G2_MC_MAX_BYTES, &in.enc, &in.enc_len) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_APP_G2_OPENING_BYTES, &in.opening) != ZKR_OK ||
        zkr_dec_u64(&dec, &in.rec.index) != ZKR_OK ||
        zkr_dec_u64(&dec, &in.rec.n_records) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_INFER_MAX_RECORD, &in.rec.record, &in.rec.record_len) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_RECORD_COMMIT_BYTES, &in.rec.commitment) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_RECORD_OPENING_BYTES, &in.rec.opening) != ZKR_OK ||
        zkr_dec_u32(&dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(&dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ZK_SEED_MAX, &in.seed, &in.seed_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "ginfer2-prove request malformed");
    memcpy(in.rec.root, root, ZKR_DIGEST_BYTES);
    in.rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    in.rec.path_len = path_len;
    if ((r = zkr_app_g2_prove(&in, &proof, &out, d)) == ZKR_OK &&
        (r = zkr_enc_bytes(reply, proof.p, proof.len)) == ZKR_OK)
        r = zkr_enc_bytes(reply, out.p, out.len);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    return r;
}

/* The worker's reply: the proof written only when its output is the statement's. */
static zkr_err prove_finish(zkr_app *app, const zkr_statement *st, const zkr_buf *reply,
                            const char *out, zkr_app_prove_result *res)
{
    const uint8_t *proof, *output;
    size_t proof_len, output_len;
    zkr_dec dec;
    zkr_err r;

    zkr_dec_init(&dec, reply->p, reply->len);
    if (zkr_dec_bytes(&dec, GINF2_PROOF_MAX, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, GINF2_OUTPUT_MAX, &output, &output_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "ginfer2-prove worker reply malformed");
    if (output_len != st->public_output.len || memcmp(output, st->public_output.p, output_len))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the proven output differs from the statement's public output; no "
                        "proof written");
    if ((r = zkr_file_write_atomic(out, proof, proof_len, 0644, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(proof, proof_len, res->sha256);
    res->bytes = proof_len;
    return ZKR_OK;
}

/* The owners' files against the registry, the output checked, the budgets reserved. */
static zkr_err prove_prepare(zkr_app *app, const zkr_statement *st, uint64_t index,
                             const zkr_app_infer2_opts *o, zkr_app_owner_keys *k, ginf2_job *j)
{
    zkr_app_owner_files of = {o->model_file, o->model_secrets, o->dataset_file,
                              o->dataset_secrets};
    uint32_t proofs = 0;
    zkr_err r;

    if ((r = zkr_app_owner_keys_load(app, &of, o->pass, k)) != ZKR_OK ||
        (r = zkr_app_owner_model_load(app, &st->model, &of, &k->ms, ZKR_APP_G2_MC_MAX_BYTES,
                                      zkr_app_g2_mc_digest, &j->model, &j->enc)) != ZKR_OK ||
        (r = zkr_app_owner_record_load(app, &st->dataset, index, ZKR_PARAM_SET_128, &of,
                                       &k->dsec, &k->ds, k->rc, k->ro, k->path, &j->rec)) !=
            ZKR_OK)
        return r;
    j->opening = k->ms.opening;
    if ((r = check_output(app, st, j, &proofs)) != ZKR_OK)
        return r;
    return zkr_app_owner_reserve(app, &of, ZKR_APP_GINF2_LEDGER_KIND, &j->enc, proofs, &j->rec,
                                 k->dsec.budget);
}

/* The worker's time, measured around the call. */
static zkr_err prove_call(zkr_app *app, int no_sandbox, const zkr_buf *req, zkr_buf *reply,
                          zkr_app_prove_result *res)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    struct timespec t0, t1;
    zkr_err r;

    so.no_sandbox = no_sandbox;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = zkr_sandbox_call(zkr_app_workers, "ginfer2-prove", &so, req->p, req->len, reply, &sres,
                         &app->diag);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    return r;
}

zkr_err zkr_app_ginf2_prove(zkr_app *app, const zkr_statement *st, const zkr_app_infer2_opts *o,
                            zkr_app_prove_result *res)
{
    zkr_app_owner_keys k;
    zkr_buf req = {0}, reply = {0};
    ginf2_job j;
    uint64_t index = 0;
    uint32_t set;
    zkr_err r;

    memset(&j, 0, sizeof j);
    /*
     * The schema's set first: this kind proves at goldilocks-128 only, and a
     * proof for a schema pinning another set would spend the model's and the
     * record's openings on a proof no verifier accepts (adversarial review).
     */
    if ((r = zkr_app_param_set_of(app, &st->schema, &set)) != ZKR_OK)
        return r;
    if (o->model_file == NULL || o->model_secrets == NULL || o->dataset_file == NULL ||
        o->dataset_secrets == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "a " ZKR_APP_GINF2_KIND " proof needs --model-file, --model-secrets, "
                        "--dataset-file and --dataset-secrets (the owners' files)");
    if (o->output_secrets != NULL || !st->schema.public_output || !st->has_public_output)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "--output-secrets: " ZKR_APP_GINF2_KIND " outputs are public");
    if ((r = record_index(app, st, &index)) != ZKR_OK)
        return r;
    if ((r = zkr_app_owner_keys_init(&k)) == ZKR_OK &&
        (r = prove_prepare(app, st, index, o, &k, &j)) == ZKR_OK &&
        (r = job_request(st, &j, o, &req)) == ZKR_OK &&
        (r = prove_call(app, o->no_sandbox, &req, &reply, res)) == ZKR_OK)
        r = prove_finish(app, st, &reply, o->out, res);
    zkr_app_owner_keys_free(&k, &req);
    zkr_buf_free(&reply);
    zkr_buf_free(&j.model);
    zkr_buf_free(&j.enc);
    return r;
}

/* ------------------------------------------------------------------ */
/* Verify                                                               */
/* ------------------------------------------------------------------ */

/* The registered program's bytes from the store (their sha256 checked). */
static zkr_err stored_program(zkr_app *app, const zkr_artifact *prog, zkr_buf *b)
{
    zkr_err r = zkr_app_store_read(app, "programs", prog, ZKR_ML_MODEL_MAX_BYTES, b);

    if (r != ZKR_ERR_NOT_FOUND)
        return r;
    zkr_diag_clear(&app->diag); /* the message names the way out, not the path */
    return zkr_fail(&app->diag, r, "program %lld: its bytes are not beside this registry (an "
                    "imported program): `zkreg register-program FILE` of the same file places "
                    "them", (long long)prog->id);
}

zkr_err zkr_app_ginf2_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                     const zkr_buf *proof, zkr_buf *req)
{
    zkr_buf prog = {0};
    uint64_t index = 0;
    zkr_err r;

    if (!zkr_app_ginf2_kind_is(st->schema.proof_kind))
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA, "schema %s@%llu: proof kind '%s', "
                        "not " ZKR_APP_GINF2_KIND, st->schema.name,
                        (unsigned long long)st->schema.version, st->schema.proof_kind);
    if (param_set != ZKR_PARAM_SET_128)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                        ZKR_APP_GINF2_KIND ": parameter set %u", param_set);
    if (!st->has_public_output || !st->model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement binds no public output or no model commitment");
    if ((r = record_index(app, st, &index)) != ZKR_OK ||
        (r = stored_program(app, &st->program, &prog)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(req, GINF2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, param_set)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, prog.p, prog.len)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, st->dataset.record_count)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->dataset.records_root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, index)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, st->public_output.p, st->public_output.len)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(req, proof->p, proof->len);
out:
    zkr_buf_free(&prog);
    return r;
}

zkr_err zkr_app_worker_ginf2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    zkr_app_g2_verify_in in;
    const uint8_t *proof;
    size_t proof_len;
    uint32_t ver;
    zkr_dec dec;

    (void)reply;
    memset(&in, 0, sizeof in);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != GINF2_WORKER_VERSION ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &in.sid) != ZKR_OK ||
        zkr_dec_u32(&dec, &in.param_set) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &in.program, &in.program_len) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &in.mc_digest) != ZKR_OK ||
        zkr_dec_u64(&dec, &in.n_records) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &in.root) != ZKR_OK ||
        zkr_dec_u64(&dec, &in.index) != ZKR_OK ||
        zkr_dec_bytes(&dec, GINF2_OUTPUT_MAX, &in.output, &in.output_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, GINF2_PROOF_MAX, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "ginfer2-verify request malformed");
    return zkr_app_g2_verify(&in, proof, proof_len, d);
}

zkr_err zkr_app_ginf2_verify(zkr_app *app, const zkr_statement *st, const uint8_t *proof,
                             size_t len, int no_sandbox)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf req = {0}, reply = {0};
    const zkr_buf pb = {(uint8_t *)proof, len, len};
    uint32_t set;
    zkr_err r;

    so.no_sandbox = no_sandbox;
    if ((r = zkr_app_verifier_pinned(app, &st->schema)) != ZKR_OK)
        return r;
    if ((r = zkr_app_param_set_of(app, &st->schema, &set)) == ZKR_OK &&
        (r = zkr_app_ginf2_verify_request(app, st, set, &pb, &req)) == ZKR_OK)
        r = zkr_sandbox_call(zkr_app_workers, "ginfer2-verify", &so, req.p, req.len, &reply,
                             &sres, &app->diag);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}
