/*
 * inference@2 through the product: `zkreg prove` of a statement over a
 * private model and a version 3 dataset. The parent unseals the owners'
 * secrets, checks every binding against the registry, reserves the reveal
 * budgets in the registry's ledger (by commitment) and only then lets the
 * confined "infer2-prove" worker make the proof: a refused reservation
 * writes no proof; a crash after it loses budget, never overspends it.
 * A hidden output's commitment and its sealed opening come from `zkreg
 * output commit` (zkr_app_output_commit), run with the same owners' files.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/dataset.h"
#include "app/infer2.h"
#include "app/infer2_int.h"
#include "app/model.h"
#include "app/store.h"
#include "app/workers.h"
#include "ml/ml.h"
#include "prover/prover.h"
#include "verifier/verifier.h"
#include "zk/zk.h"

#define INFER2_WORKER_VERSION 2u
#define INFER2_PROOF_MAX ((size_t)1 << 30)

/* Everything the worker needs; the secrets point into sodium_malloc'ed memory. */
typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES];
    uint32_t set; /* the parameter set: the schema's, or the model commitment's */
    zkr_buf model, enc;
    const uint8_t *opening;
    zkr_infer2_record rec;
    const uint8_t *seed;
    size_t seed_len;
    int public_output;
    const uint8_t *oc, *oc_opening; /* a hidden output's commitment and its opening (secret) */
} infer2_job;

static zkr_err dec_raw(zkr_dec *d, size_t n, const uint8_t **p)
{
    return zkr_dec_raw(d, n, p);
}

zkr_err zkr_app_worker_infer2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    const uint8_t *sid, *model, *enc, *opening, *root, *rc, *ro, *path, *seed;
    const uint8_t *oc = NULL, *oco = NULL;
    size_t model_len, enc_len, seed_len;
    uint32_t ver, set, threads, path_len, po;
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
        zkr_dec_u32(&dec, &po) != ZKR_OK || po > 1 ||
        (!po && (dec_raw(&dec, ZKR_INFER2_OUTPUT_COMMIT_BYTES, &oc) != ZKR_OK ||
                 dec_raw(&dec, ZKR_RECORD_OPENING_BYTES, &oco) != ZKR_OK)) ||
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
        (r = zkr_prover_inference2(&p, sid, im, &rec, (int)po, oc, oco, seed_len ? seed : NULL,
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
        (r = zkr_enc_u32(req, j->set)) != ZKR_OK ||
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
    if ((r = zkr_enc_bytes(req, j->seed, j->seed_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, j->public_output ? 1 : 0)) != ZKR_OK || j->public_output)
        return r;
    if ((r = zkr_buf_append(req, j->oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES)) != ZKR_OK)
        return r;
    return zkr_buf_append(req, j->oc_opening, ZKR_RECORD_OPENING_BYTES);
}

typedef zkr_app_owner_files owner_files;

zkr_err zkr_app_owner_keys_init(zkr_app_owner_keys *k)
{
    memset(k, 0, sizeof *k);
    k->ro = sodium_malloc(ZKR_RECORD_OPENING_BYTES);
    return k->ro == NULL ? ZKR_ERR_NOMEM : ZKR_OK;
}

zkr_err zkr_app_owner_keys_load(zkr_app *app, const zkr_app_owner_files *o, const zkr_secret *pass,
                                zkr_app_owner_keys *k)
{
    zkr_err r = zkr_app_model_secrets_load(app, o->model_secrets, pass, &k->ms);

    if (r == ZKR_OK)
        r = zkr_app_dscommit3_secrets_load(app, o->dataset_secrets, pass, &k->dsec);
    return r;
}

void zkr_app_owner_keys_free(zkr_app_owner_keys *k, zkr_buf *req)
{
    if (req->p != NULL)
        sodium_memzero(req->p, req->len); /* it carried the openings and the record */
    zkr_buf_free(req);
    sodium_memzero(k->path, sizeof k->path);
    sodium_free(k->ro); /* wipes; accepts NULL */
    zkr_dataset_free(k->ds);
    zkr_app_model_secrets_free(&k->ms);
    zkr_app_dscommit3_secrets_free(&k->dsec);
    memset(k, 0, sizeof *k);
}

zkr_err zkr_app_owner_model_load(zkr_app *app, const zkr_artifact *model, const owner_files *o,
                                 const zkr_app_model_secrets *ms, size_t enc_max,
                                 void (*digest)(const uint8_t *, size_t, uint8_t *),
                                 zkr_buf *file, zkr_buf *enc)
{
    uint8_t sha[ZKR_DIGEST_BYTES], dig[ZKR_DIGEST_BYTES];
    char path[4096];
    zkr_err r;

    if ((r = zkr_file_read(o->model_file, ZKR_ML_MODEL_MAX_BYTES, file, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(file->p, file->len, sha);
    if (sodium_memcmp(sha, ms->model_sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: not the model %s was committed from", o->model_file,
                        o->model_secrets);
    if (sodium_memcmp(ms->commitment, model->commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: the secrets of another model than the private model %lld",
                        o->model_secrets, (long long)model->id);
    if ((r = zkr_app_store_path(app, "models", model->sha256, "", path, sizeof path)) != ZKR_OK ||
        (r = zkr_file_read(path, enc_max, enc, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(enc->p, enc->len, sha);
    digest(enc->p, enc->len, dig);
    if (sodium_memcmp(sha, model->sha256, ZKR_DIGEST_BYTES) != 0 ||
        sodium_memcmp(dig, model->commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_REGISTRY,
                        "%s: the stored commitment of model %lld differs from its registered one",
                        path, (long long)model->id);
    return ZKR_OK;
}

/* The model: its file against the secrets, the secrets against the registered commitment. */
static zkr_err load_model(zkr_app *app, const zkr_artifact *model, const owner_files *o,
                          const zkr_app_model_secrets *ms, infer2_job *j)
{
    zkr_err r = zkr_app_owner_model_load(app, model, o, ms, ZKR_INFER2_MC_MAX_BYTES,
                                         zkr_infer2_mc_digest, &j->model, &j->enc);

    j->opening = ms->opening;
    return r;
}

/* The record: rebuilt from the data and the seed, checked against the registered dataset. */
zkr_err zkr_app_owner_record_load(zkr_app *app, const zkr_artifact *dataset, uint64_t index,
                                  uint32_t set, const owner_files *o,
                                  const zkr_app_dscommit3_secrets *dsec,
                                  zkr_dataset **ds, uint8_t *rc, uint8_t *ro,
                                  uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                  zkr_infer2_record *rec)
{
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_dscommit c;
    zkr_params p;
    size_t path_len = 0;
    zkr_err r;

    if (sodium_memcmp(dsec->digest, dataset->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: the secrets of another dataset than dataset %lld",
                        o->dataset_secrets, (long long)dataset->id);
    if (index >= dataset->record_count)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                        "record_index %llu is past the end of dataset %lld (%llu records)",
                        (unsigned long long)index, (long long)dataset->id,
                        (unsigned long long)dataset->record_count);
    if ((r = zkr_dataset_open(o->dataset_file, ds, &app->diag)) != ZKR_OK ||
        (r = zkr_params_get(set, &p)) != ZKR_OK ||
        (r = zkr_prover_infer2_dataset_commit(&p, *ds, dsec->budget, dsec->seed, 32, 0, index,
                                              rec->root, comm, rc, ro, path, &path_len)) !=
            ZKR_OK)
        return r;
    memset(&c, 0, sizeof c);
    c.version = ZKR_DSCOMMIT_VERSION_HPC;
    c.format = zkr_dataset_format_of(*ds);
    c.count = zkr_dataset_count(*ds);
    memcpy(c.root, rec->root, ZKR_DIGEST_BYTES);
    if ((r = zkr_dscommit_digest(&c, c.digest)) != ZKR_OK)
        return r;
    if (sodium_memcmp(c.digest, dataset->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: these records under these secrets do not give dataset %lld's "
                        "commitment at parameter set %s (other data, changed since the commit, "
                        "or committed at another set: `dataset commit --param-set`)",
                        o->dataset_file, (long long)dataset->id, zkr_params_name(set));
    rec->index = index;
    rec->n_records = c.count;
    if ((r = zkr_dataset_record(*ds, index, &rec->record, &rec->record_len)) != ZKR_OK)
        return r;
    rec->commitment = rc;
    rec->opening = ro;
    rec->path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    rec->path_len = path_len;
    return ZKR_OK;
}

/*
 * The statement's output, computed here from the reopened model before
 * anything is reserved (a wrong claim spends no budget), and the caps the
 * reopened object reports for the ledger. A hidden output: the opening
 * must open the statement's output commitment to the model's output.
 */
static zkr_err load_record(zkr_app *app, const zkr_artifact *dataset, uint64_t index,
                           const owner_files *o, const zkr_app_dscommit3_secrets *dsec,
                           zkr_dataset **ds, uint8_t *rc, uint8_t *ro,
                           uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], infer2_job *j)
{
    return zkr_app_owner_record_load(app, dataset, index, j->set, o, dsec, ds, rc, ro, path,
                                     &j->rec);
}

static zkr_err check_output(zkr_app *app, const zkr_statement *st, const infer2_job *j,
                            uint32_t *proofs)
{
    zkr_infer2_model *im = NULL;
    zkr_ml_model *m = NULL;
    zkr_buf plain = {0};
    zkr_params p;
    zkr_err r;

    if ((r = zkr_params_get(j->set, &p)) != ZKR_OK ||
        (r = zkr_ml_model_decode(j->model.p, j->model.len, &m, &app->diag)) != ZKR_OK ||
        (r = zkr_prover_infer2_reopen(&p, m, j->enc.p, j->enc.len, j->opening, 0, &im,
                                      &app->diag)) != ZKR_OK)
        goto out;
    *proofs = zkr_infer2_proofs_left(im);
    {
        /* The worker's refusal of a shape below the target at the query cap, made here first:
         * refused in the worker, the openings reserved below would be spent on no proof. */
        zkr_diag d = {{0}};
        zkr_params pq;
        if ((r = zkr_prover_infer2_queries(&p, im, &j->rec, j->public_output, &pq, &d)) != ZKR_OK) {
            r = zkr_fail(&app->diag, r, "%s; nothing reserved, no proof written", d.msg);
            goto out;
        }
    }
    if (!j->public_output) {
        zkr_diag d = {{0}};
        r = zkr_prover_infer2_output_check(&p, im, &j->rec, j->oc, j->oc_opening, 0, &d);
        if (r == ZKR_ERR_MISMATCH_OUTPUT)
            r = zkr_fail(&app->diag, r, "the output secrets do not open the statement's output "
                         "commitment to the model's output on record %llu; nothing reserved, no "
                         "proof written", (unsigned long long)j->rec.index);
        else if (r != ZKR_OK)
            r = zkr_fail(&app->diag, r, "%s", d.msg);
        goto out;
    }
    if ((r = zkr_prover_infer2_output(&p, im, &j->rec, NULL, 0, 0, &plain, NULL, NULL,
                                      &app->diag)) != ZKR_OK)
        goto out;
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

/*
 * The ledger's requests for one proof of the private model (its commitment
 * enc under ledger kind model_kind) and of record rec's commitment:
 * q[0], q[1] (q has room for 3), what[64] names the record.
 */
static void reserve_fill(const zkr_app_owner_files *o, const char *model_kind, const zkr_buf *enc,
                         uint32_t model_proofs, const zkr_infer2_record *rec,
                         uint32_t record_budget, const char *ledger, char *what,
                         zkr_zkledger_req *q)
{
    memset(q, 0, 3 * sizeof *q);
    /* One ledger for every commitment; the secrets' old ledgers are imported. */
    for (size_t i = 0; i < 3; i++)
        q[i].ledger = ledger;
    q[0].legacy = o->model_secrets;
    q[0].what = "private model's commitment";
    zkr_zkledger_id(model_kind, enc->p, enc->len, q[0].id);
    q[0].budget = model_proofs;
    q[0].reveal_cap = model_proofs;
    q[0].openings = 1;
    q[0].reveals = 1;
    (void)snprintf(what, 64, "record %llu commitment", (unsigned long long)rec->index);
    q[1].legacy = o->dataset_secrets;
    q[1].what = what;
    zkr_zkledger_id("record@1", rec->commitment, ZKR_RECORD_COMMIT_BYTES, q[1].id);
    q[1].budget = record_budget;
    q[1].reveal_cap = record_budget;
    q[1].openings = 1;
    q[1].reveals = 1;
}

zkr_err zkr_app_owner_reserve(zkr_app *app, const zkr_app_owner_files *o, const char *model_kind,
                              const zkr_buf *enc, uint32_t model_proofs,
                              const zkr_infer2_record *rec, uint32_t record_budget)
{
    zkr_zkledger_req q[3];
    char what[64], ledger[4200];
    zkr_err r;

    if ((r = zkr_app_ledger_path(app, ledger, sizeof ledger)) != ZKR_OK)
        return r;
    reserve_fill(o, model_kind, enc, model_proofs, rec, record_budget, ledger, what, q);
    if (model_proofs == 0)
        return zkr_fail(&app->diag, ZKR_ERR_EXPIRED,
                        "the private model's commitment allows no proof at all");
    return zkr_zkledger_reserve(q, 2, &app->diag);
}

static zkr_err reserve(zkr_app *app, const zkr_app_infer2_opts *o, const infer2_job *j,
                       uint32_t model_proofs, uint32_t record_budget)
{
    zkr_app_owner_files of = {o->model_file, o->model_secrets, o->dataset_file,
                              o->dataset_secrets};
    zkr_zkledger_req q[3];
    char what[64], ledger[4200];
    size_t n = 2;
    zkr_err r;

    if ((r = zkr_app_ledger_path(app, ledger, sizeof ledger)) != ZKR_OK)
        return r;
    reserve_fill(&of, "model@2", &j->enc, model_proofs, &j->rec, record_budget, ledger, what, q);
    if (!j->public_output) {
        /* The output commitment is blinded for ZKR_INFER2_OUTPUT_BUDGET openings, one a proof. */
        q[2].legacy = o->output_secrets;
        q[2].what = "hidden output's commitment";
        zkr_zkledger_id(ZKR_OUTPUT_LEDGER_KIND, j->oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES, q[2].id);
        q[2].budget = ZKR_INFER2_OUTPUT_BUDGET;
        q[2].reveal_cap = ZKR_INFER2_OUTPUT_BUDGET;
        q[2].openings = 1;
        q[2].reveals = 1;
        n = 3;
    }
    if (model_proofs == 0)
        return zkr_fail(&app->diag, ZKR_ERR_EXPIRED,
                        "the private model's commitment allows no proof at all");
    return zkr_zkledger_reserve(q, n, &app->diag);
}

/* ------------------------------------------------------------------ */
/* Output secrets                                                       */
/* ------------------------------------------------------------------ */

_Static_assert(ZKR_OUTPUT_SECRETS_BYTES == 4 + ZKR_RECORD_OPENING_BYTES +
                                               ZKR_INFER2_OUTPUT_COMMIT_BYTES +
                                               2 * ZKR_DIGEST_BYTES + 8,
               "output secrets payload: version, opening, commitment, model, dataset, record");

void zkr_app_output_secrets_free(zkr_app_output_secrets *s)
{
    sodium_free(s->opening); /* wipes; accepts NULL */
    memset(s, 0, sizeof *s);
}

/* The payload's fields after its version (the opening copied into sodium_malloc'ed memory). */
static zkr_err output_secrets_decode(const uint8_t *payload, zkr_app_output_secrets *s)
{
    zkr_infer2_output_commitment oc;
    zkr_params p;
    const uint8_t *q = payload + 4;

    if (zkr_load_be32(payload) != ZKR_OUTPUT_SECRETS_VERSION ||
        zkr_load_be32(q) != 1 || zkr_load_be32(q + 4) != ZKR_INFER2_OUTPUT_BUDGET ||
        zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_infer2_oc_decode(&p, q + ZKR_RECORD_OPENING_BYTES, ZKR_INFER2_OUTPUT_COMMIT_BYTES,
                             &oc) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(s->opening, q, ZKR_RECORD_OPENING_BYTES);
    q += ZKR_RECORD_OPENING_BYTES;
    memcpy(s->oc, q, ZKR_INFER2_OUTPUT_COMMIT_BYTES);
    q += ZKR_INFER2_OUTPUT_COMMIT_BYTES;
    memcpy(s->model_commitment, q, ZKR_DIGEST_BYTES);
    memcpy(s->dataset, q + ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES);
    s->record = zkr_load_be64(q + 2 * ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

zkr_err zkr_app_output_secrets_load(zkr_app *app, const char *path, const zkr_secret *pass,
                                    zkr_app_output_secrets *s)
{
    uint8_t *payload = NULL;
    zkr_err r;

    memset(s, 0, sizeof *s);
    if ((r = zkr_app_secrets_unseal(app, path, pass, ZKR_OUTPUT_SECRETS_LABEL, "output secrets",
                                    ZKR_OUTPUT_SECRETS_BYTES, ZKR_OUTPUT_SECRETS_VERSION,
                                    &payload)) != ZKR_OK)
        goto out;
    if ((s->opening = sodium_malloc(ZKR_RECORD_OPENING_BYTES)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if (output_secrets_decode(payload, s) != ZKR_OK)
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: the sealed output secrets are damaged",
                     path);
out:
    sodium_free(payload); /* wipes; accepts NULL */
    if (r != ZKR_OK)
        zkr_app_output_secrets_free(s);
    return r;
}

static zkr_err output_secrets_seal(zkr_app *app, const zkr_app_output_commit_opts *o,
                                   const uint8_t *opening, const zkr_app_output_commit_info *info,
                                   const zkr_artifact *model, const zkr_artifact *dataset,
                                   zkr_buf *sealed)
{
    uint8_t *payload = sodium_malloc(ZKR_OUTPUT_SECRETS_BYTES), *q;
    zkr_err r;

    if (payload == NULL)
        return ZKR_ERR_NOMEM;
    zkr_store_be32(payload, ZKR_OUTPUT_SECRETS_VERSION);
    q = payload + 4;
    memcpy(q, opening, ZKR_RECORD_OPENING_BYTES);
    q += ZKR_RECORD_OPENING_BYTES;
    memcpy(q, info->oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES);
    q += ZKR_INFER2_OUTPUT_COMMIT_BYTES;
    memcpy(q, model->commitment, ZKR_DIGEST_BYTES);
    memcpy(q + ZKR_DIGEST_BYTES, dataset->sha256, ZKR_DIGEST_BYTES);
    zkr_store_be64(q + 2 * ZKR_DIGEST_BYTES, o->record);
    r = zkr_seal(payload, ZKR_OUTPUT_SECRETS_BYTES, o->pass->p, o->pass->len,
                 ZKR_OUTPUT_SECRETS_LABEL, o->fast, sealed);
    if (r != ZKR_OK)
        r = zkr_fail(&app->diag, r, "sealing the output opening failed (%s)", zkr_strerror(r));
    sodium_free(payload); /* wipes */
    return r;
}

/*
 * The output secrets against the statement: made for its private model,
 * its dataset, its record and the very commitment it binds (checked before
 * anything is reserved; the opening itself is checked by check_output).
 */
static zkr_err output_secrets_match(zkr_app *app, const zkr_statement *st, uint64_t index,
                                    const char *path, const zkr_app_output_secrets *os)
{
    if (sodium_memcmp(os->model_commitment, st->model.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: output secrets made with another model than the statement's private "
                        "model %lld", path, (long long)st->model.id);
    if (sodium_memcmp(os->dataset, st->dataset.sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: output secrets made over another dataset than the statement's "
                        "dataset %lld", path, (long long)st->dataset.id);
    if (os->record != index)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                        "%s: output secrets of record %llu, the statement is about record %llu",
                        path, (unsigned long long)os->record, (unsigned long long)index);
    if (st->public_output.len != ZKR_INFER2_OUTPUT_COMMIT_BYTES ||
        sodium_memcmp(os->oc, st->public_output.p, ZKR_INFER2_OUTPUT_COMMIT_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "%s: the secrets of another output commitment than the one the statement "
                        "binds", path);
    return ZKR_OK;
}

/* Is path a file? (The never-replace rule of the owners' commands.) */
static zkr_err must_be_absent(zkr_app *app, const char *path, const char *what)
{
    struct stat sb;

    if (lstat(path, &sb) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_EXISTS, "%s %s exists; it is never overwritten", what,
                        path);
    return ZKR_OK;
}

zkr_err zkr_app_infer2_prove(zkr_app *app, const zkr_statement *st, uint64_t index,
                             const zkr_app_infer2_opts *o, zkr_app_prove_result *res)
{
    zkr_app_owner_keys k;
    zkr_app_output_secrets os;
    owner_files of = {o->model_file, o->model_secrets, o->dataset_file, o->dataset_secrets};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_buf req = {0}, reply = {0};
    infer2_job j;
    uint32_t proofs = 0;
    struct timespec t0, t1;
    const uint8_t *proof;
    size_t proof_len;
    zkr_dec dec;
    zkr_err r;

    memset(&j, 0, sizeof j);
    memset(&k, 0, sizeof k);
    memset(&os, 0, sizeof os);
    if (o->model_file == NULL || o->model_secrets == NULL || o->dataset_file == NULL ||
        o->dataset_secrets == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "an inference@2 proof needs --model-file, --model-secrets, --dataset-file "
                        "and --dataset-secrets (the owners' files)");
    if (!st->schema.public_output && o->output_secrets == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "statement has a hidden output: prove it with --output-secrets (the file "
                        "`zkreg output commit` wrote beside the output commitment it binds)");
    if (st->schema.public_output && o->output_secrets != NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "--output-secrets: the statement's output is public (schema %s@%llu); "
                        "it has no output commitment", st->schema.name,
                        (unsigned long long)st->schema.version);
    if ((r = zkr_app_param_set_any(app, &st->schema, &j.set)) != ZKR_OK)
        return r;
    memcpy(j.sid, st->statement_id, ZKR_DIGEST_BYTES);
    j.seed = o->zk_seed;
    j.seed_len = o->zk_seed ? o->zk_seed_len : 0;
    j.public_output = st->schema.public_output != 0;
    if (zkr_app_owner_keys_init(&k) != ZKR_OK)
        return ZKR_ERR_NOMEM;
    so.no_sandbox = o->no_sandbox;
    if (!j.public_output) {
        if ((r = zkr_app_output_secrets_load(app, o->output_secrets, o->pass, &os)) != ZKR_OK ||
            (r = output_secrets_match(app, st, index, o->output_secrets, &os)) != ZKR_OK)
            goto out;
        j.oc = os.oc;
        j.oc_opening = os.opening;
    }
    if ((r = zkr_app_owner_keys_load(app, &of, o->pass, &k)) != ZKR_OK ||
        (r = load_model(app, &st->model, &of, &k.ms, &j)) != ZKR_OK ||
        (r = load_record(app, &st->dataset, index, &of, &k.dsec, &k.ds, k.rc, k.ro, k.path, &j)) !=
            ZKR_OK ||
        (r = check_output(app, st, &j, &proofs)) != ZKR_OK ||
        (r = reserve(app, o, &j, proofs, k.dsec.budget)) != ZKR_OK ||
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
    zkr_app_owner_keys_free(&k, &req);
    zkr_buf_free(&reply);
    zkr_buf_free(&j.model);
    zkr_buf_free(&j.enc);
    zkr_app_output_secrets_free(&os);
    return r;
}

/* output commit: the registered private model and version 3 dataset it commits an output of. */
static zkr_err output_artifacts(zkr_app *app, zkr_registry *reg,
                                const zkr_app_output_commit_opts *o, zkr_artifact *model,
                                zkr_artifact *dataset)
{
    zkr_err r;

    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, o->model, model, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, o->dataset, dataset, &app->diag)) !=
            ZKR_OK)
        return r;
    if (!zkr_registry_model_private(model) || !model->has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "--model %lld is a public (v1) model; a hidden output is an inference@2 "
                        "output of a private model", (long long)model->id);
    if (zkr_registry_dataset_version(dataset) != 3)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "--dataset %lld has a version %d commitment; inference@2 needs a version "
                        "3 dataset", (long long)dataset->id, zkr_registry_dataset_version(dataset));
    return ZKR_OK;
}

/* output commit: the set the model commitment was made at is the output's (and the proof's). */
static zkr_err model_set(zkr_app *app, infer2_job *j)
{
    if (zkr_infer2_mc_param_set(j->enc.p, j->enc.len, &j->set) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "the stored model commitment is not a version 2, 3 or 4 encoding");
    return ZKR_OK;
}

/* output commit: the fresh commitment and its opening (the model reopened from the owners' files). */
static zkr_err output_make(zkr_app *app, const zkr_app_output_commit_opts *o, infer2_job *j,
                           uint8_t *opening, zkr_app_output_commit_info *info)
{
    zkr_infer2_model *im = NULL;
    zkr_ml_model *m = NULL;
    zkr_infer2_output_commitment oc;
    zkr_params p;
    zkr_err r;

    if ((r = zkr_params_get(j->set, &p)) != ZKR_OK ||
        (r = zkr_ml_model_decode(j->model.p, j->model.len, &m, &app->diag)) != ZKR_OK ||
        (r = zkr_prover_infer2_reopen(&p, m, j->enc.p, j->enc.len, j->opening, 0, &im,
                                      &app->diag)) != ZKR_OK ||
        (r = zkr_prover_infer2_output(&p, im, &j->rec, o->zk_seed, o->zk_seed_len, 0, NULL,
                                      info->oc, opening, &app->diag)) != ZKR_OK)
        goto out;
    if (zkr_infer2_oc_decode(&p, info->oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES, &oc) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "the new output commitment does not decode");
        goto out;
    }
    info->out_dim = oc.out_dim;
out:
    zkr_infer2_model_free(im);
    zkr_ml_model_free(m);
    return r;
}

zkr_err zkr_app_output_commit(zkr_app *app, const zkr_app_output_commit_opts *o,
                              zkr_app_output_commit_info *info)
{
    zkr_app_model_secrets ms;
    zkr_app_dscommit3_secrets dsec;
    owner_files of = {o->model_file, o->model_secrets, o->dataset_file, o->dataset_secrets};
    uint8_t rc[ZKR_RECORD_COMMIT_BYTES], *ro = NULL, *opening = NULL;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_artifact model, dataset;
    zkr_registry *reg = NULL;
    zkr_dataset *ds = NULL;
    zkr_buf sealed = {0};
    infer2_job j;
    int secrets_written = 0;
    const char *const keep[] = {o->model_file, o->model_secrets, o->dataset_file,
                                o->dataset_secrets};
    zkr_err r;

    memset(&j, 0, sizeof j);
    memset(&ms, 0, sizeof ms);
    memset(&dsec, 0, sizeof dsec);
    memset(info, 0, sizeof *info);
    if (strcmp(o->out, o->secrets) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "-o and --secrets name the same file %s",
                        o->secrets);
    if (o->zk_seed != NULL && o->zk_seed_len != ZKR_ZK_SEED_BYTES)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--zk-seed: %zu bytes, %d expected",
                        o->zk_seed_len, ZKR_ZK_SEED_BYTES);
    if ((r = zkr_app_out_guard(app, o->out, "an output commitment", keep, 4)) != ZKR_OK ||
        (r = zkr_app_out_guard(app, o->secrets, "output secrets", keep, 4)) != ZKR_OK ||
        (r = must_be_absent(app, o->out, "output commitment")) != ZKR_OK ||
        (r = must_be_absent(app, o->secrets, "secrets file")) != ZKR_OK)
        return r;
    ro = sodium_malloc(ZKR_RECORD_OPENING_BYTES);
    opening = sodium_malloc(ZKR_RECORD_OPENING_BYTES);
    if (ro == NULL || opening == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_registry_open_readonly(app->registry_path, &reg, &app->diag)) != ZKR_OK ||
        (r = output_artifacts(app, reg, o, &model, &dataset)) != ZKR_OK ||
        (r = zkr_app_model_secrets_load(app, o->model_secrets, o->pass, &ms)) != ZKR_OK ||
        (r = zkr_app_dscommit3_secrets_load(app, o->dataset_secrets, o->pass, &dsec)) != ZKR_OK ||
        (r = load_model(app, &model, &of, &ms, &j)) != ZKR_OK ||
        (r = model_set(app, &j)) != ZKR_OK ||
        (r = load_record(app, &dataset, o->record, &of, &dsec, &ds, rc, ro, path, &j)) != ZKR_OK ||
        (r = output_make(app, o, &j, opening, info)) != ZKR_OK ||
        (r = output_secrets_seal(app, o, opening, info, &model, &dataset, &sealed)) != ZKR_OK)
        goto out;
    info->model_id = model.id;
    info->dataset_id = dataset.id;
    /* Secrets first: a registered commitment whose opening was lost could never be proven. */
    if ((r = zkr_file_publish_new(o->secrets, sealed.p, sealed.len, 0600, &app->diag)) != ZKR_OK)
        goto out;
    secrets_written = 1;
    r = zkr_file_publish_new(o->out, info->oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES, 0644, &app->diag);
out:
    if (r != ZKR_OK && secrets_written)
        (void)unlink(o->secrets); /* ours: published by this call a moment ago */
    zkr_registry_close(reg);
    zkr_buf_free(&sealed);
    zkr_buf_free(&j.model);
    zkr_buf_free(&j.enc);
    sodium_memzero(path, sizeof path);
    sodium_free(ro);      /* wipes; accepts NULL */
    sodium_free(opening); /* wipes */
    zkr_dataset_free(ds);
    zkr_app_model_secrets_free(&ms);
    zkr_app_dscommit3_secrets_free(&dsec);
    if (r != ZKR_OK)
        memset(info, 0, sizeof *info);
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

zkr_err zkr_app_infer2_verify_request(const zkr_statement *st, uint32_t set, uint64_t index,
                                      const uint8_t *proof, size_t proof_len, zkr_buf *req)
{
    uint8_t dc[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (!st->model.has_commitment || !st->has_public_output)
        return ZKR_ERR_INTERNAL; /* the registry's rules guarantee both */
    zkr_infer2_dataset_commitment(st->dataset.record_count, st->dataset.records_root, dc);
    if ((r = zkr_enc_u32(req, INFER2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, set)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, dc, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, index)) != ZKR_OK ||
        (r = zkr_enc_u32(req, st->schema.public_output ? 1 : 0)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, st->public_output.p, st->public_output.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, proof, proof_len);
}
