/*
 * inference@2 through the product: `zkreg prove` of a statement over a
 * private model and a version 3 dataset. The parent unseals the owners'
 * secrets, checks every binding against the registry, reserves the reveal
 * budgets in the ledgers beside both secrets files and only then lets the
 * confined "infer2-prove" worker make the proof: a refused reservation
 * writes no proof; a crash after it loses budget, never overspends it.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/dataset.h"
#include "app/infer2.h"
#include "app/model.h"
#include "app/store.h"
#include "app/workers.h"
#include "ml/ml.h"
#include "prover/prover.h"
#include "verifier/verifier.h"
#include "zk/zk.h"

#define INFER2_WORKER_VERSION 1u
#define INFER2_PROOF_MAX ((size_t)1 << 30)

/* Everything the worker needs; the secrets point into sodium_malloc'ed memory. */
typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES];
    zkr_buf model, enc;
    const uint8_t *opening;
    zkr_infer2_record rec;
    const uint8_t *seed;
    size_t seed_len;
} infer2_job;

static zkr_err dec_raw(zkr_dec *d, size_t n, const uint8_t **p)
{
    return zkr_dec_raw(d, n, p);
}

zkr_err zkr_app_worker_infer2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    const uint8_t *sid, *model, *enc, *opening, *root, *rc, *ro, *path, *seed;
    size_t model_len, enc_len, seed_len;
    uint32_t ver, set, threads, path_len;
    zkr_infer2_record rec;
    zkr_infer2_model *im = NULL;
    zkr_ml_model *m = NULL;
    zkr_params p;
    zkr_buf proof = {0};
    zkr_dec dec;
    zkr_err r;

    memset(&rec, 0, sizeof rec);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != INFER2_WORKER_VERSION ||
        dec_raw(&dec, ZKR_DIGEST_BYTES, &sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        zkr_dec_u32(&dec, &threads) != ZKR_OK || threads > 16 ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &model, &model_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_INFER2_MC_MAX_BYTES, &enc, &enc_len) != ZKR_OK ||
        dec_raw(&dec, ZKR_INFER2_OPENING_BYTES, &opening) != ZKR_OK ||
        zkr_dec_u64(&dec, &rec.index) != ZKR_OK || zkr_dec_u64(&dec, &rec.n_records) != ZKR_OK ||
        dec_raw(&dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_INFER_MAX_RECORD, &rec.record, &rec.record_len) != ZKR_OK ||
        dec_raw(&dec, ZKR_RECORD_COMMIT_BYTES, &rc) != ZKR_OK ||
        dec_raw(&dec, ZKR_RECORD_OPENING_BYTES, &ro) != ZKR_OK ||
        zkr_dec_u32(&dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        dec_raw(&dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ZK_SEED_MAX, &seed, &seed_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer2-prove request malformed");
    memcpy(rec.root, root, ZKR_DIGEST_BYTES);
    rec.commitment = rc;
    rec.opening = ro;
    rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    rec.path_len = path_len;
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    if ((r = zkr_ml_model_decode(model, model_len, &m, d)) != ZKR_OK ||
        (r = zkr_prover_infer2_reopen(&p, m, enc, enc_len, opening, threads, &im, d)) != ZKR_OK ||
        (r = zkr_prover_inference2(&p, sid, im, &rec, 1, NULL, NULL, seed_len ? seed : NULL,
                                   seed_len, threads, &proof, d)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(reply, proof.p, proof.len);
out:
    zkr_buf_free(&proof);
    zkr_infer2_model_free(im);
    zkr_ml_model_free(m);
    return r;
}

static zkr_err job_request(const infer2_job *j, uint32_t threads, zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, INFER2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, j->sid, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ZKR_PARAM_SET_128)) != ZKR_OK ||
        (r = zkr_enc_u32(req, threads)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, j->model.p, j->model.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, j->enc.p, j->enc.len)) != ZKR_OK ||
        (r = zkr_buf_append(req, j->opening, ZKR_INFER2_OPENING_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, j->rec.index)) != ZKR_OK ||
        (r = zkr_enc_u64(req, j->rec.n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, j->rec.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, j->rec.record, j->rec.record_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, j->rec.commitment, ZKR_RECORD_COMMIT_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, j->rec.opening, ZKR_RECORD_OPENING_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)j->rec.path_len)) != ZKR_OK ||
        (r = zkr_buf_append(req, (const uint8_t *)j->rec.path,
                            j->rec.path_len * ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, j->seed, j->seed_len);
}

/* The model: its file against the secrets, the secrets against the registered commitment. */
static zkr_err load_model(zkr_app *app, const zkr_statement *st, const zkr_app_infer2_opts *o,
                          const zkr_app_model_secrets *ms, infer2_job *j)
{
    uint8_t sha[ZKR_DIGEST_BYTES], dig[ZKR_DIGEST_BYTES];
    char path[4096];
    zkr_err r;

    if ((r = zkr_file_read(o->model_file, ZKR_ML_MODEL_MAX_BYTES, &j->model, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(j->model.p, j->model.len, sha);
    if (sodium_memcmp(sha, ms->model_sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: not the model %s was committed from", o->model_file,
                        o->model_secrets);
    if (sodium_memcmp(ms->commitment, st->model.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: the secrets of another model than the statement's private model %lld",
                        o->model_secrets, (long long)st->model.id);
    if ((r = zkr_app_store_path(app, "models", st->model.sha256, "", path, sizeof path)) != ZKR_OK ||
        (r = zkr_file_read(path, ZKR_INFER2_MC_MAX_BYTES, &j->enc, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(j->enc.p, j->enc.len, sha);
    zkr_infer2_mc_digest(j->enc.p, j->enc.len, dig);
    if (sodium_memcmp(sha, st->model.sha256, ZKR_DIGEST_BYTES) != 0 ||
        sodium_memcmp(dig, st->model.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_REGISTRY,
                        "%s: the stored commitment of model %lld differs from its registered one",
                        path, (long long)st->model.id);
    j->opening = ms->opening;
    return ZKR_OK;
}

/* The record: rebuilt from the data and the seed, checked against the registered dataset. */
static zkr_err load_record(zkr_app *app, const zkr_statement *st, uint64_t index,
                           const zkr_app_infer2_opts *o, const zkr_app_dscommit3_secrets *dsec,
                           zkr_dataset **ds, uint8_t *rc, uint8_t *ro,
                           uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], infer2_job *j)
{
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_dscommit c;
    zkr_params p;
    size_t path_len = 0;
    zkr_err r;

    if (sodium_memcmp(dsec->digest, st->dataset.sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: the secrets of another dataset than the statement's dataset %lld",
                        o->dataset_secrets, (long long)st->dataset.id);
    if (index >= st->dataset.record_count)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                        "record_index %llu is past the end of dataset %lld (%llu records)",
                        (unsigned long long)index, (long long)st->dataset.id,
                        (unsigned long long)st->dataset.record_count);
    if ((r = zkr_dataset_open(o->dataset_file, ds, &app->diag)) != ZKR_OK ||
        (r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (r = zkr_prover_infer2_dataset_commit(&p, *ds, dsec->budget, dsec->seed, 32, 0, index,
                                              j->rec.root, comm, rc, ro, path, &path_len)) !=
            ZKR_OK)
        return r;
    memset(&c, 0, sizeof c);
    c.version = ZKR_DSCOMMIT_VERSION_HPC;
    c.format = zkr_dataset_format_of(*ds);
    c.count = zkr_dataset_count(*ds);
    memcpy(c.root, j->rec.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_dscommit_digest(&c, c.digest)) != ZKR_OK)
        return r;
    if (sodium_memcmp(c.digest, st->dataset.sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: these records under these secrets do not give dataset %lld's "
                        "commitment (other data, or changed since the commit)", o->dataset_file,
                        (long long)st->dataset.id);
    j->rec.index = index;
    j->rec.n_records = c.count;
    if ((r = zkr_dataset_record(*ds, index, &j->rec.record, &j->rec.record_len)) != ZKR_OK)
        return r;
    j->rec.commitment = rc;
    j->rec.opening = ro;
    j->rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    j->rec.path_len = path_len;
    return ZKR_OK;
}

/*
 * The statement's output, computed here from the reopened model before
 * anything is reserved (a wrong claim spends no budget), and the caps the
 * reopened object reports for the ledger.
 */
static zkr_err check_output(zkr_app *app, const zkr_statement *st, const infer2_job *j,
                            uint32_t *proofs)
{
    zkr_infer2_model *im = NULL;
    zkr_ml_model *m = NULL;
    zkr_buf plain = {0};
    zkr_params p;
    zkr_err r;

    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (r = zkr_ml_model_decode(j->model.p, j->model.len, &m, &app->diag)) != ZKR_OK ||
        (r = zkr_prover_infer2_reopen(&p, m, j->enc.p, j->enc.len, j->opening, 0, &im,
                                      &app->diag)) != ZKR_OK ||
        (r = zkr_prover_infer2_output(&p, im, &j->rec, NULL, 0, 0, &plain, NULL, NULL,
                                      &app->diag)) != ZKR_OK)
        goto out;
    *proofs = zkr_infer2_proofs_left(im);
    if (plain.len != st->public_output.len ||
        memcmp(plain.p, st->public_output.p, plain.len) != 0)
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                     "the model's output on record %llu differs from the statement's public "
                     "output; nothing reserved, no proof written",
                     (unsigned long long)j->rec.index);
out:
    zkr_buf_free(&plain);
    zkr_infer2_model_free(im);
    zkr_ml_model_free(m);
    return r;
}

static zkr_err reserve(zkr_app *app, const zkr_app_infer2_opts *o, const infer2_job *j,
                       uint32_t model_proofs, uint32_t record_budget)
{
    zkr_zkledger_req q[2];
    char what[64];

    memset(q, 0, sizeof q);
    q[0].secrets_path = o->model_secrets;
    q[0].what = "private model's commitment";
    zkr_zkledger_id("model@2", j->enc.p, j->enc.len, q[0].id);
    q[0].budget = model_proofs;
    q[0].reveal_cap = model_proofs;
    q[0].openings = 1;
    q[0].reveals = 1;
    (void)snprintf(what, sizeof what, "record %llu commitment", (unsigned long long)j->rec.index);
    q[1].secrets_path = o->dataset_secrets;
    q[1].what = what;
    zkr_zkledger_id("record@1", j->rec.commitment, ZKR_RECORD_COMMIT_BYTES, q[1].id);
    q[1].budget = record_budget;
    q[1].reveal_cap = record_budget;
    q[1].openings = 1;
    q[1].reveals = 1;
    if (model_proofs == 0)
        return zkr_fail(&app->diag, ZKR_ERR_EXPIRED,
                        "the private model's commitment allows no proof at all");
    return zkr_zkledger_reserve(q, 2, &app->diag);
}

zkr_err zkr_app_infer2_prove(zkr_app *app, const zkr_statement *st, uint64_t index,
                             const zkr_app_infer2_opts *o, zkr_app_prove_result *res)
{
    zkr_app_model_secrets ms;
    zkr_app_dscommit3_secrets dsec;
    uint8_t rc[ZKR_RECORD_COMMIT_BYTES], *ro = NULL;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_dataset *ds = NULL;
    zkr_buf req = {0}, reply = {0};
    infer2_job j;
    uint32_t proofs = 0;
    struct timespec t0, t1;
    const uint8_t *proof;
    size_t proof_len;
    zkr_dec dec;
    zkr_err r;

    memset(&j, 0, sizeof j);
    memset(&ms, 0, sizeof ms);
    memset(&dsec, 0, sizeof dsec);
    if (o->model_file == NULL || o->model_secrets == NULL || o->dataset_file == NULL ||
        o->dataset_secrets == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "an inference@2 proof needs --model-file, --model-secrets, --dataset-file "
                        "and --dataset-secrets (the owners' files)");
    if (!st->schema.public_output)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "statement has a hidden output: `zkreg prove` proves inference@2 "
                        "statements with a public output only in this version");
    memcpy(j.sid, st->statement_id, ZKR_DIGEST_BYTES);
    j.seed = o->zk_seed;
    j.seed_len = o->zk_seed ? o->zk_seed_len : 0;
    ro = sodium_malloc(ZKR_RECORD_OPENING_BYTES);
    if (ro == NULL)
        return ZKR_ERR_NOMEM;
    so.no_sandbox = o->no_sandbox;
    if ((r = zkr_app_model_secrets_load(app, o->model_secrets, o->pass, &ms)) != ZKR_OK ||
        (r = zkr_app_dscommit3_secrets_load(app, o->dataset_secrets, o->pass, &dsec)) != ZKR_OK ||
        (r = load_model(app, st, o, &ms, &j)) != ZKR_OK ||
        (r = load_record(app, st, index, o, &dsec, &ds, rc, ro, path, &j)) != ZKR_OK ||
        (r = check_output(app, st, &j, &proofs)) != ZKR_OK ||
        (r = reserve(app, o, &j, proofs, dsec.budget)) != ZKR_OK ||
        (r = job_request(&j, o->threads, &req)) != ZKR_OK)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = zkr_sandbox_call(zkr_app_workers, "infer2-prove", &so, req.p, req.len, &reply, &sres,
                         &app->diag);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (r != ZKR_OK)
        goto out;
    zkr_dec_init(&dec, reply.p, reply.len);
    if (zkr_dec_bytes(&dec, INFER2_PROOF_MAX, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "infer2-prove worker reply malformed");
        goto out;
    }
    if ((r = zkr_file_write_atomic(o->out, proof, proof_len, 0644, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(proof, proof_len, res->sha256);
    res->bytes = proof_len;
out:
    if (req.p != NULL)
        sodium_memzero(req.p, req.len); /* it carried the openings and the record */
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_buf_free(&j.model);
    zkr_buf_free(&j.enc);
    sodium_memzero(path, sizeof path);
    sodium_free(ro); /* wipes */
    zkr_dataset_free(ds);
    zkr_app_model_secrets_free(&ms);
    zkr_app_dscommit3_secrets_free(&dsec);
    return r;
}

zkr_err zkr_app_worker_infer2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d)
{
    zkr_verifier_inference2_statement st;
    const uint8_t *p, *proof;
    size_t proof_len;
    uint32_t ver, po;
    zkr_dec dec;

    (void)reply;
    memset(&st, 0, sizeof st);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != INFER2_WORKER_VERSION ||
        dec_raw(&dec, ZKR_DIGEST_BYTES, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer2-verify request malformed");
    memcpy(st.statement_id, p, ZKR_DIGEST_BYTES);
    if (zkr_dec_u32(&dec, &st.param_set) != ZKR_OK || dec_raw(&dec, ZKR_DIGEST_BYTES, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer2-verify request malformed");
    memcpy(st.program_digest, p, ZKR_DIGEST_BYTES);
    if (dec_raw(&dec, ZKR_DIGEST_BYTES, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer2-verify request malformed");
    memcpy(st.model_commitment, p, ZKR_DIGEST_BYTES);
    if (dec_raw(&dec, ZKR_DIGEST_BYTES, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer2-verify request malformed");
    memcpy(st.dataset_commitment, p, ZKR_DIGEST_BYTES);
    if (zkr_dec_u64(&dec, &st.record_index) != ZKR_OK || zkr_dec_u32(&dec, &po) != ZKR_OK ||
        po > 1 || zkr_dec_bytes(&dec, (size_t)1 << 20, &st.output, &st.output_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, INFER2_PROOF_MAX, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer2-verify request malformed");
    st.public_output = (int)po;
    return zkr_verify_inference2(proof, proof_len, &st, d);
}

zkr_err zkr_app_infer2_verify_request(const zkr_statement *st, uint64_t index, const uint8_t *proof,
                                      size_t proof_len, zkr_buf *req)
{
    uint8_t dc[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (!st->model.has_commitment || !st->has_public_output)
        return ZKR_ERR_INTERNAL; /* the registry's rules guarantee both */
    zkr_infer2_dataset_commitment(st->dataset.record_count, st->dataset.records_root, dc);
    if ((r = zkr_enc_u32(req, INFER2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ZKR_PARAM_SET_128)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, dc, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, index)) != ZKR_OK ||
        (r = zkr_enc_u32(req, st->schema.public_output ? 1 : 0)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, st->public_output.p, st->public_output.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, proof, proof_len);
}
